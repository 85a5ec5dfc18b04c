//! Email when nobody is in the chat, sent through a real SMTP server the test starts on
//! 127.0.0.1 (`common::smtp_sink`): an agent's reply reaches a visitor who went away, with a
//! link back to the chat; a visitor gets the transcript of an ended chat; agents hear of a
//! chat waiting while none of them is online. Each email is sent once: however often it is
//! enqueued, however many claimers race for it, across a failed attempt and its retry, and
//! from two nodes on one PostgreSQL database.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::smtp_sink::SmtpSink;
use common::{Client, TestDb, TestServer, DEADLINE};
use serde_json::json;
use sqlx::Row;
use tidings_protocol::ServerFrame;
use tidings_server::email::{outbox, EmailSettings};
use tidings_server::Settings;
use uuid::Uuid;

const PAGE: &str = "https://shop.example/cart";
const VISITOR_EMAIL: &str = "vera@example.test";

/// Settings sending through `sink`, with a visitor counted away after 300 ms, polls every
/// 50 ms and a first retry after 100 ms.
fn settings_for(sink: &SmtpSink) -> Settings {
    let mut email = EmailSettings::new(&sink.url(), "Support <support@example.test>").unwrap();
    email.offline_after = Duration::from_millis(300);
    email.poll_every = Duration::from_millis(50);
    email.retry_base = Duration::from_millis(100);
    email.public_url = Some("https://chat.example.test".into());
    Settings {
        email: Some(email),
        ..common::test_settings()
    }
}

/// The outbox rows of a conversation: (kind, recipient, outcome, attempts).
async fn rows(
    server: &TestServer,
    conversation: Uuid,
) -> Vec<(String, String, Option<String>, i64)> {
    sqlx::query(
        "SELECT kind, recipient, outcome, attempts FROM email_outbox WHERE conversation_id = $1
         ORDER BY kind, recipient",
    )
    .bind(conversation.to_string())
    .fetch_all(&server.state.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get("kind"),
            r.get("recipient"),
            r.get("outcome"),
            r.get("attempts"),
        )
    })
    .collect()
}

/// Waits until `conversation` has outbox rows of `kind` (they are enqueued just after the
/// message that causes them is acknowledged) and all of them are done.
async fn settled(server: &TestServer, conversation: Uuid, kind: &str) {
    tokio::time::timeout(DEADLINE, async {
        loop {
            let row = sqlx::query(
                "SELECT COUNT(*) AS total, COUNT(done_at) AS done FROM email_outbox
                 WHERE conversation_id = $1 AND kind = $2",
            )
            .bind(conversation.to_string())
            .bind(kind)
            .fetch_one(&server.state.pool)
            .await
            .unwrap();
            let (total, done): (i64, i64) = (row.get("total"), row.get("done"));
            if total > 0 && done == total {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the outbox did not settle before the deadline");
}

/// A visitor with an email who writes on `server`, then closes their socket: (visitor
/// token, conversation).
async fn visitor_who_wrote_and_left(server: &TestServer) -> (String, Uuid) {
    let (_, token) = common::create_visitor_with(
        &server.url(""),
        json!({"email": VISITOR_EMAIL, "page_url": PAGE}),
    )
    .await;
    let (mut visitor, _) = Client::connect(server, &token).await;
    let ack = visitor
        .send_message(Uuid::new_v4(), None, "Is my order shipped?")
        .await;
    let ServerFrame::Ack {
        conversation_id, ..
    } = ack
    else {
        panic!("no ack: {ack:?}");
    };
    drop(visitor);
    (token, conversation_id)
}

async fn agent_replies(server: &TestServer, agent_token: &str, conversation: Uuid, body: &str) {
    let (mut agent, _) = Client::connect(server, agent_token).await;
    let ack = agent
        .send_message(Uuid::new_v4(), Some(conversation), body)
        .await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
}

#[tokio::test]
async fn email_reply_reaches_a_visitor_who_left_with_a_link_back() {
    let mut sink = SmtpSink::start().await;
    let server = TestServer::start_with_settings(settings_for(&sink)).await;
    let (_, agent) = server.agent("Ada", false).await;
    let (_, conversation) = visitor_who_wrote_and_left(&server).await;
    agent_replies(&server, &agent, conversation, "Yes, it left this morning.").await;

    let email = sink.next_to(VISITOR_EMAIL).await;
    assert_eq!(email.to, vec![VISITOR_EMAIL.to_string()]);
    assert_eq!(email.from, "support@example.test");
    assert_eq!(
        email.header("Subject").as_deref(),
        Some("New reply from Ada")
    );
    let body = email.body();
    assert!(body.contains("Yes, it left this morning."), "{body}");
    assert!(
        body.contains(&format!("Continue the conversation: {PAGE}")),
        "{body}"
    );

    settled(&server, conversation, "reply").await;
    let replies: Vec<_> = rows(&server, conversation)
        .await
        .into_iter()
        .filter(|r| r.0 == "reply")
        .collect();
    assert_eq!(
        replies,
        vec![("reply".into(), VISITOR_EMAIL.into(), Some("sent".into()), 1)]
    );
    assert!(
        sink.pending()
            .iter()
            .all(|e| !e.to.contains(&VISITOR_EMAIL.to_string())),
        "the reply was sent twice"
    );
    server.stop().await;
}

#[tokio::test]
async fn email_is_not_sent_for_a_reply_the_visitor_read_in_the_chat() {
    let sink = SmtpSink::start().await;
    let server = TestServer::start_with_settings(settings_for(&sink)).await;
    let (_, agent) = server.agent("Ada", false).await;
    let (_, token) = common::create_visitor_with(
        &server.url(""),
        json!({"email": VISITOR_EMAIL, "page_url": PAGE}),
    )
    .await;
    let (mut visitor, _) = Client::connect(&server, &token).await;
    let ServerFrame::Ack {
        conversation_id, ..
    } = visitor.send_message(Uuid::new_v4(), None, "Hello?").await
    else {
        panic!("no ack");
    };
    let (mut agent, _) = Client::connect(&server, &agent).await;
    let reply = agent
        .send_message(Uuid::new_v4(), Some(conversation_id), "Hi there")
        .await;
    assert!(matches!(reply, ServerFrame::Ack { .. }), "{reply:?}");
    let (seq, _) = common::message_of(
        &visitor
            .expect(|f| matches!(f, ServerFrame::Message { message } if message.body == "Hi there"))
            .await,
    );
    visitor
        .send(json!({"type": "read", "conversation_id": conversation_id, "seq": seq}))
        .await;
    // Wait until the read is stored.
    tokio::time::timeout(DEADLINE, async {
        loop {
            let read: Option<i64> = sqlx::query_scalar(
                "SELECT read_seq FROM read_states WHERE conversation_id = $1 AND side = 'visitor'",
            )
            .bind(conversation_id.to_string())
            .fetch_optional(&server.state.pool)
            .await
            .unwrap();
            if read.unwrap_or(0) >= seq as i64 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the read was not stored before the deadline");
    drop(agent);
    drop(visitor);
    settled(&server, conversation_id, "reply").await;
    let outcome: Vec<_> = rows(&server, conversation_id)
        .await
        .into_iter()
        .filter(|r| r.0 == "reply")
        .map(|r| r.2)
        .collect();
    assert_eq!(outcome, vec![Some("read".to_string())]);
    server.stop().await;
}

#[tokio::test]
async fn email_transcript_is_sent_once_when_asked_after_the_chat_ended() {
    let mut sink = SmtpSink::start().await;
    let server = TestServer::start_with_settings(settings_for(&sink)).await;
    let (_, agent) = server.agent("Ada", false).await;
    let (token, conversation) = visitor_who_wrote_and_left(&server).await;
    agent_replies(&server, &agent, conversation, "It shipped today.").await;
    let path = format!("/v1/conversations/{conversation}/transcript");

    let early = server.post(&path, &token, json!({})).await;
    assert_eq!(early.status(), 409, "not before the chat ended");
    let closed = server
        .post(
            &format!("/v1/conversations/{conversation}/close"),
            &agent,
            json!({}),
        )
        .await;
    assert!(closed.status().is_success());

    let bad = server
        .post(&path, &token, json!({"email": "not an address"}))
        .await;
    assert_eq!(bad.status(), 400);
    let other = server.post(&path, &agent, json!({})).await;
    assert_eq!(other.status(), 403, "agents cannot ask for it");

    for _ in 0..2 {
        let asked = server.post(&path, &token, json!({})).await;
        assert_eq!(asked.status(), 202);
        let answer: serde_json::Value = asked.json().await.unwrap();
        assert_eq!(answer, json!({"email": VISITOR_EMAIL}));
    }
    let email = loop {
        let email = sink.next_to(VISITOR_EMAIL).await;
        if email.header("Subject").as_deref() == Some("Your chat transcript") {
            break email;
        }
    };
    let body = email.body();
    assert!(body.contains("You: Is my order shipped?"), "{body}");
    assert!(body.contains("Ada: It shipped today."), "{body}");
    assert!(
        body.contains(&format!("Chat with us again: {PAGE}")),
        "{body}"
    );
    settled(&server, conversation, "transcript").await;
    let transcripts: Vec<_> = rows(&server, conversation)
        .await
        .into_iter()
        .filter(|r| r.0 == "transcript")
        .collect();
    assert_eq!(transcripts.len(), 1, "asked twice, recorded once");
    assert!(sink
        .pending()
        .iter()
        .all(|e| e.header("Subject").as_deref() != Some("Your chat transcript")));
    server.stop().await;
}

#[tokio::test]
async fn email_alerts_every_agent_once_when_a_chat_waits_with_nobody_online() {
    let mut sink = SmtpSink::start().await;
    let server = TestServer::start_with_settings(settings_for(&sink)).await;
    server.agent("Ada", false).await;
    server.agent("Grace", true).await;
    let (_, conversation) = visitor_who_wrote_and_left(&server).await;
    let mut to = Vec::new();
    for _ in 0..2 {
        let email = sink.next().await;
        assert!(
            email
                .header("Subject")
                .unwrap()
                .starts_with("A chat is waiting"),
            "{email:?}"
        );
        assert!(email.body().contains("Is my order shipped?"));
        assert!(email.body().contains("https://chat.example.test/console/"));
        to.extend(email.to);
    }
    to.sort();
    assert_eq!(to, vec!["ada@example.test", "grace@example.test"]);
    settled(&server, conversation, "waiting").await;
    assert!(sink.pending().is_empty(), "an alert was sent twice");

    // With an agent online, a new chat alerts nobody.
    let (_, agent) = server.agent("Linus", false).await;
    let (_hold, _) = Client::connect(&server, &agent).await;
    let (_, second) = visitor_who_wrote_and_left(&server).await;
    assert!(rows(&server, second).await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn email_failed_send_is_retried_and_delivered_once() {
    let mut sink = SmtpSink::refusing_first(1).await;
    let server = TestServer::start_with_settings(settings_for(&sink)).await;
    let (_, agent) = server.agent("Ada", false).await;
    // The agent is online, so only the reply is emailed.
    let (_hold, _) = Client::connect(&server, &agent).await;
    let (_, conversation) = visitor_who_wrote_and_left(&server).await;
    agent_replies(&server, &agent, conversation, "Back to you").await;
    let email = sink.next_to(VISITOR_EMAIL).await;
    assert!(email.body().contains("Back to you"));
    assert_eq!(sink.refused.load(std::sync::atomic::Ordering::SeqCst), 1);
    settled(&server, conversation, "reply").await;
    assert_eq!(
        rows(&server, conversation).await,
        vec![("reply".into(), VISITOR_EMAIL.into(), Some("sent".into()), 2)]
    );
    assert!(sink.pending().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn email_claims_race_and_exactly_one_wins() {
    // No SMTP here: the outbox alone, with claimers racing on the database.
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut visitor, _) = Client::connect(&server, &token).await;
    let ServerFrame::Ack {
        conversation_id, ..
    } = visitor.send_message(Uuid::new_v4(), None, "hi").await
    else {
        panic!("no ack");
    };
    let pool = server.state.pool.clone();
    let now = tidings_server::store::now_millis();
    let kind = outbox::Kind::Transcript;
    assert!(
        outbox::enqueue(&pool, kind, conversation_id, None, "a@example.test", now)
            .await
            .unwrap()
    );
    assert!(
        !outbox::enqueue(&pool, kind, conversation_id, None, "a@example.test", now)
            .await
            .unwrap(),
        "the same email is recorded once"
    );
    let id = outbox::due(&pool, now, 10).await.unwrap()[0];
    let pool = Arc::new(pool);
    let claims = (0..8).map(|_| {
        let pool = pool.clone();
        tokio::spawn(async move { outbox::claim(&pool, id, now, now + 60_000).await.unwrap() })
    });
    let mut won = 0;
    for claim in claims {
        won += usize::from(claim.await.unwrap().is_some());
    }
    assert_eq!(won, 1);
    server.stop().await;
}

#[tokio::test]
async fn email_is_announced_in_hello_only_when_configured() {
    let sink = SmtpSink::start().await;
    for (settings, expected) in [
        (settings_for(&sink), true),
        (common::test_settings(), false),
    ] {
        let server = TestServer::start_with_settings(settings).await;
        let (_, token) = server.visitor().await;
        let (_, hello) = Client::connect(&server, &token).await;
        assert!(matches!(hello, ServerFrame::Hello { email, .. } if email == expected));
        if !expected {
            // And the transcript endpoint is not there.
            let asked = server
                .post(
                    &format!("/v1/conversations/{}/transcript", Uuid::new_v4()),
                    &token,
                    json!({}),
                )
                .await;
            assert_eq!(asked.status(), 404);
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn email_reply_is_sent_once_from_two_nodes() {
    if !common::database::postgres() {
        return; // several nodes need PostgreSQL
    }
    let mut sink = SmtpSink::start().await;
    let db = TestDb::new().await;
    let a = TestServer::start_with(db.clone(), settings_for(&sink)).await;
    let b = TestServer::start_with(db.clone(), settings_for(&sink)).await;
    let (_, agent) = a.agent("Ada", false).await;
    // Agent online (on node b), so no waiting alert; the visitor writes on a and leaves.
    let (_hold, _) = Client::connect(&b, &agent).await;
    let mut conversations = Vec::new();
    for i in 0..5 {
        let (_, conversation) = visitor_who_wrote_and_left(&a).await;
        agent_replies(&b, &agent, conversation, &format!("Reply {i}")).await;
        conversations.push(conversation);
    }
    let mut bodies = Vec::new();
    for _ in 0..5 {
        bodies.push(sink.next_to(VISITOR_EMAIL).await.body());
    }
    for conversation in &conversations {
        settled(&a, *conversation, "reply").await;
        // (Node a may not have heard yet that the agent is online on b, so a waiting alert
        // is possible here; only the replies are counted.)
        let replies: Vec<_> = rows(&a, *conversation)
            .await
            .into_iter()
            .filter(|r| r.0 == "reply")
            .collect();
        assert_eq!(
            replies,
            vec![("reply".into(), VISITOR_EMAIL.into(), Some("sent".into()), 1)]
        );
    }
    for i in 0..5 {
        assert_eq!(
            bodies
                .iter()
                .filter(|b| b.contains(&format!("Reply {i}")))
                .count(),
            1
        );
    }
    assert!(
        sink.pending()
            .iter()
            .all(|e| !e.to.contains(&VISITOR_EMAIL.to_string())),
        "a reply was sent twice"
    );
    b.stop().await;
    a.stop().await;
}

#[test]
fn email_flags_are_checked_at_start() {
    use clap::Parser;
    use tidings_server::cli::{Cli, Command};
    let email_of = |flags: &[&str]| {
        let mut argv = vec!["tidings-server", "serve"];
        argv.extend_from_slice(flags);
        let Command::Serve(args) = Cli::try_parse_from(argv).unwrap().command else {
            panic!("not serve");
        };
        args.email_settings().map(|e| e.is_some())
    };
    assert_eq!(email_of(&[]), Ok(false), "off by default");
    assert_eq!(
        email_of(&[
            "--smtp-url",
            "smtp://127.0.0.1:2525",
            "--smtp-from",
            "a@example.test"
        ]),
        Ok(true)
    );
    assert!(
        email_of(&["--smtp-url", "smtp://127.0.0.1:2525"]).is_err(),
        "needs a sender"
    );
    assert!(email_of(&[
        "--smtp-url",
        "smtps://mail.example",
        "--smtp-from",
        "a@example.test"
    ])
    .is_err());
    assert!(email_of(&[
        "--smtp-url",
        "smtp://host:99999",
        "--smtp-from",
        "a@example.test"
    ])
    .is_err());
    assert!(email_of(&["--smtp-url", "smtp://host", "--smtp-from", "not an address"]).is_err());
}
