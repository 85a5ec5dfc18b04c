//! Verified identity (`Tidings('identify', {user_id, user_hash, …})`): a `user_id` counts
//! only with the site's HMAC signature; a verified person's conversations follow them to
//! every browser that verifies as them; nobody without the signature can attach to them;
//! with enforcement on, unsigned `identify` calls are refused; `shutdown` ends a browser's
//! token. Through real sockets and HTTP, on either backend.

use crate::common;

use common::{Client, Ending, TestServer};
use serde_json::{json, Value};
use tidings_protocol::frame::close;
use tidings_protocol::http::{ConversationList, VisitorProfile};
use tidings_protocol::{ErrorCode, ServerFrame};
use tidings_server::identity::{IdentitySecret, IdentitySettings};
use uuid::Uuid;

/// The secret and the signature docs/embedding.md's examples print for it (computed there
/// with Python's and Node's own HMAC, not with the server's code).
const SECRET: &str = "s3cret-of-the-site";
const USER: &str = "user-42";
const USER_HASH: &str = "bf55beba8552dfbad7c785c769e43ae5aaaacdebb2bb8d40af722cc7e758c82a";

fn settings(required: bool) -> tidings_server::Settings {
    let mut settings = common::test_settings();
    settings.identity = IdentitySettings {
        secret: IdentitySecret::new(SECRET),
        required,
    };
    settings
}

/// `PATCH /v1/visitor` with `body`: (status, JSON answer).
async fn identify(server: &TestServer, token: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .patch(server.url("/v1/visitor"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn refused_with(answer: &(u16, Value), status: u16, code: ErrorCode, words: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["code"], json!(code), "{}", answer.1);
    let message = answer.1["message"].as_str().unwrap();
    assert!(message.contains(words), "{message:?} should say {words:?}");
}

async fn profile(server: &TestServer, token: &str) -> VisitorProfile {
    server.get_json("/v1/visitor", token).await
}

/// The conversation a visitor's first message opens.
async fn first_message(server: &TestServer, token: &str, body: &str) -> Uuid {
    let (mut socket, _) = Client::connect(server, token).await;
    match socket.send_message(Uuid::new_v4(), None, body).await {
        ServerFrame::Ack {
            conversation_id, ..
        } => conversation_id,
        other => panic!("not acked: {other:?}"),
    }
}

/// The verified user id agents see on a conversation.
async fn seen_by_agents(server: &TestServer, admin: &str, conversation_id: Uuid) -> Option<String> {
    let list: ConversationList = server.get_json("/v1/conversations?filter=all", admin).await;
    list.conversations
        .into_iter()
        .find(|c| c.id == conversation_id)
        .expect("agents see the conversation")
        .visitor_user_id
}

#[tokio::test]
async fn a_valid_signature_verifies_the_visitor_for_agents() {
    let server = TestServer::start_with_settings(settings(false)).await;
    let (_, admin) = server.agent("Grace", true).await;
    let (_, token) = server.visitor().await;
    let (_, stranger) = server.visitor().await;
    let answer = identify(
        &server,
        &token,
        json!({"name": "Ada", "email": "ada@example.com", "user_id": USER, "user_hash": USER_HASH}),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(answer.1["user_id"], USER);
    assert_eq!(
        profile(&server, &token).await.user_id.as_deref(),
        Some(USER)
    );

    let verified = first_message(&server, &token, "hello").await;
    let unverified = first_message(&server, &stranger, "hi").await;
    assert_eq!(
        seen_by_agents(&server, &admin, verified).await.as_deref(),
        Some(USER)
    );
    assert_eq!(seen_by_agents(&server, &admin, unverified).await, None);
    // Calling identify again on every page load changes nothing.
    let again = identify(
        &server,
        &token,
        json!({"user_id": USER, "user_hash": USER_HASH}),
    )
    .await;
    assert_eq!(again.0, 200, "{}", again.1);
    assert_eq!(
        again.1["visitor_id"],
        profile(&server, &token).await.visitor_id.to_string()
    );
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_or_missing_hash_is_refused_and_attaches_nothing() {
    let server = TestServer::start_with_settings(settings(false)).await;
    let (_, token) = server.visitor().await;
    let wrong = USER_HASH.replace('b', "c");
    let refusals = [
        (
            json!({"name": "Ada", "user_id": USER, "user_hash": wrong}),
            403,
            ErrorCode::Forbidden,
            "does not match",
        ),
        (
            json!({"user_id": USER, "user_hash": USER_HASH.to_uppercase() + "00"}),
            403,
            ErrorCode::Forbidden,
            "does not match",
        ),
        (
            json!({"user_id": "user-43", "user_hash": USER_HASH}),
            403,
            ErrorCode::Forbidden,
            "does not match",
        ),
        (
            json!({"name": "Ada", "user_id": USER}),
            403,
            ErrorCode::Forbidden,
            "needs its user_hash",
        ),
        (
            json!({"user_hash": USER_HASH}),
            400,
            ErrorCode::InvalidField,
            "without its user_id",
        ),
        (
            json!({"user_id": " ", "user_hash": USER_HASH}),
            400,
            ErrorCode::InvalidField,
            "empty",
        ),
        (
            json!({"user_id": 42, "user_hash": USER_HASH}),
            400,
            ErrorCode::InvalidFrame,
            "",
        ),
    ];
    for (body, status, code, words) in refusals {
        let answer = identify(&server, &token, body.clone()).await;
        refused_with(&answer, status, code, words);
    }
    let after = profile(&server, &token).await;
    assert_eq!(after.user_id, None, "nothing was attached");
    assert_eq!(
        after.name, None,
        "a refused identify changes nothing, its name neither"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_second_browser_verified_as_the_same_user_sees_the_first_browsers_conversations() {
    let server = TestServer::start_with_settings(settings(false)).await;
    let (_, admin) = server.agent("Grace", true).await;
    let signed = json!({"user_id": USER, "user_hash": USER_HASH});

    // The first browser: verified, then writes.
    let (first_id, laptop) = server.visitor().await;
    assert_eq!(identify(&server, &laptop, signed.clone()).await.0, 200);
    let earlier = first_message(&server, &laptop, "from my laptop").await;

    // The second browser writes anonymously, with its socket open, then logs in.
    let (second_id, phone) = server.visitor().await;
    let (mut phone_socket, _) = Client::connect(&server, &phone).await;
    let sent_before = Uuid::new_v4();
    let (anonymous, seq_before) = match phone_socket
        .send_message(sent_before, None, "before logging in")
        .await
    {
        ServerFrame::Ack {
            conversation_id,
            seq,
            ..
        } => (conversation_id, seq),
        other => panic!("not acked: {other:?}"),
    };
    let answer = identify(
        &server,
        &phone,
        json!({"name": "Ada", "user_id": USER, "user_hash": USER_HASH}),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(answer.1["visitor_id"], first_id.to_string());

    // Its socket is told to come back: the token opens the verified visitor now.
    assert_eq!(
        phone_socket.ending().await,
        Ending::Closed(Some(close::IDENTITY_CHANGED))
    );
    let (mut phone_socket, hello) = Client::connect(&server, &phone).await;
    assert!(
        matches!(hello, ServerFrame::Hello { visitor_id: Some(id), .. } if id == first_id),
        "{hello:?}"
    );
    assert_ne!(first_id, second_id);
    let mine: ConversationList = server.get_json("/v1/visitor/conversations", &phone).await;
    let ids: Vec<Uuid> = mine.conversations.iter().map(|c| c.id).collect();
    assert!(
        ids.contains(&earlier) && ids.contains(&anonymous),
        "{ids:?}"
    );
    phone_socket
        .send(json!({"type": "subscribe", "conversation_id": earlier, "after_seq": 0}))
        .await;
    let replayed = phone_socket
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert_eq!(common::message_of(&replayed).1, "from my laptop");
    // The laptop sees the phone's earlier chat too, and agents see it verified.
    let laptops: ConversationList = server.get_json("/v1/visitor/conversations", &laptop).await;
    assert!(laptops.conversations.iter().any(|c| c.id == anonymous));
    assert_eq!(
        seen_by_agents(&server, &admin, anonymous).await.as_deref(),
        Some(USER)
    );
    // The outbox's retry of a message sent before the join still gets its original ack.
    let retried = phone_socket
        .send_message(sent_before, None, "before logging in")
        .await;
    assert!(
        matches!(retried, ServerFrame::Ack { conversation_id, seq, .. } if conversation_id == anonymous && seq == seq_before),
        "{retried:?}"
    );
    // A new message from the phone goes on in the open conversation they share.
    let next = phone_socket
        .send_message(Uuid::new_v4(), None, "from my phone")
        .await;
    assert!(matches!(next, ServerFrame::Ack { .. }), "{next:?}");
    server.stop().await;
}

#[tokio::test]
async fn two_browsers_verifying_one_new_user_at_once_end_up_as_one_visitor() {
    let server = TestServer::start_with_settings(settings(false)).await;
    let signed = json!({"user_id": USER, "user_hash": USER_HASH});
    for _ in 0..5 {
        let (_, a) = server.visitor().await;
        let (_, b) = server.visitor().await;
        let (first, second) = tokio::join!(
            identify(&server, &a, signed.clone()),
            identify(&server, &b, signed.clone())
        );
        assert_eq!((first.0, second.0), (200, 200), "{} {}", first.1, second.1);
        assert_eq!(first.1["visitor_id"], second.1["visitor_id"]);
    }
    server.stop().await;
}

#[tokio::test]
async fn an_unverified_visitor_cannot_take_over_a_verified_identity() {
    let server = TestServer::start_with_settings(settings(false)).await;
    let (_, admin) = server.agent("Grace", true).await;
    let (ada_id, ada) = server.visitor().await;
    assert_eq!(
        identify(&server, &ada, json!({"name": "Ada", "email": "ada@example.com", "user_id": USER, "user_hash": USER_HASH})).await.0,
        200
    );
    let adas = first_message(&server, &ada, "my order").await;

    let (_, mallory) = server.visitor().await;
    // Her user_id with a forged, reused or missing signature: refused.
    let other_users_hash = IdentitySecret::new(SECRET).unwrap().sign("mallory");
    for body in [
        json!({"user_id": USER, "user_hash": "00".repeat(32)}),
        json!({"user_id": USER, "user_hash": other_users_hash}),
        json!({"user_id": USER}),
    ] {
        let answer = identify(&server, &mallory, body).await;
        assert_eq!(answer.0, 403, "{}", answer.1);
    }
    // Her name and email, unsigned: accepted as what they are, unverified.
    let copied = identify(
        &server,
        &mallory,
        json!({"name": "Ada", "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(copied.0, 200);
    assert_ne!(copied.1["visitor_id"], ada_id.to_string());
    assert_eq!(copied.1.get("user_id"), None);
    let malloryss = first_message(&server, &mallory, "where is my order").await;
    assert_eq!(seen_by_agents(&server, &admin, malloryss).await, None);
    assert_eq!(
        seen_by_agents(&server, &admin, adas).await.as_deref(),
        Some(USER)
    );
    let hers: ConversationList = server.get_json("/v1/visitor/conversations", &mallory).await;
    assert!(hers.conversations.iter().all(|c| c.id != adas));
    let (mut socket, _) = Client::connect(&server, &mallory).await;
    socket
        .send(json!({"type": "subscribe", "conversation_id": adas, "after_seq": 0}))
        .await;
    let refused = socket
        .expect(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    assert!(
        matches!(
            refused,
            ServerFrame::Error {
                code: ErrorCode::NotFound,
                ..
            }
        ),
        "{refused:?}"
    );

    // A browser verified as someone else cannot switch to her without a shutdown first.
    let (_, other) = server.visitor().await;
    let mallory_signed = json!({"user_id": "mallory", "user_hash": other_users_hash});
    assert_eq!(identify(&server, &other, mallory_signed).await.0, 200);
    let switch = identify(
        &server,
        &other,
        json!({"user_id": USER, "user_hash": USER_HASH}),
    )
    .await;
    refused_with(&switch, 409, ErrorCode::Conflict, "shutdown");
    server.stop().await;
}

#[tokio::test]
async fn with_enforcement_on_unsigned_identify_is_refused() {
    let server = TestServer::start_with_settings(settings(true)).await;
    let (_, token) = server.visitor().await;
    for body in [json!({"name": "Ada"}), json!({"email": "ada@example.com"})] {
        let answer = identify(&server, &token, body).await;
        refused_with(
            &answer,
            403,
            ErrorCode::Forbidden,
            "only verified identities",
        );
    }
    let created = reqwest::Client::new()
        .post(server.url("/v1/visitors"))
        .json(&json!({"name": "Ada"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 403, "a name at creation is unsigned too");
    // The page the visitor is on is no identity claim; a signed identify is accepted.
    let page = identify(
        &server,
        &token,
        json!({"page_url": "https://shop.example/"}),
    )
    .await;
    assert_eq!(page.0, 200, "{}", page.1);
    let signed = identify(
        &server,
        &token,
        json!({"name": "Ada", "user_id": USER, "user_hash": USER_HASH}),
    )
    .await;
    assert_eq!(signed.0, 200, "{}", signed.1);
    assert_eq!(signed.1["name"], "Ada");
    server.stop().await;
}

#[tokio::test]
async fn without_a_secret_a_user_id_is_refused_and_plain_identify_works() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let answer = identify(
        &server,
        &token,
        json!({"name": "Ada", "user_id": USER, "user_hash": USER_HASH}),
    )
    .await;
    refused_with(&answer, 403, ErrorCode::Forbidden, "no identity secret");
    let plain = identify(&server, &token, json!({"name": "Ada"})).await;
    assert_eq!(plain.0, 200, "{}", plain.1);
    assert_eq!(plain.1.get("user_id"), None);
    server.stop().await;
}

#[tokio::test]
async fn logout_ends_the_browsers_token_and_keeps_the_conversations() {
    let server = TestServer::start_with_settings(settings(false)).await;
    let signed = json!({"user_id": USER, "user_hash": USER_HASH});
    let (_, laptop) = server.visitor().await;
    assert_eq!(identify(&server, &laptop, signed.clone()).await.0, 200);
    let earlier = first_message(&server, &laptop, "from my laptop").await;
    let (_, shared) = server.visitor().await;
    assert_eq!(identify(&server, &shared, signed).await.0, 200);

    let out = server.post("/v1/visitor/logout", &shared, json!({})).await;
    assert_eq!(out.status(), 204);
    assert_eq!(server.get("/v1/visitor", &shared).await.status(), 401);
    assert_eq!(
        server
            .post("/v1/visitor/logout", &shared, json!({}))
            .await
            .status(),
        401,
        "an ended token ends nothing twice"
    );
    // The person's other browser goes on as before.
    let mine: ConversationList = server.get_json("/v1/visitor/conversations", &laptop).await;
    assert!(mine.conversations.iter().any(|c| c.id == earlier));
    server.stop().await;
}

/// With several nodes on one PostgreSQL, the joining browser's sockets on the other nodes
/// close too (a cluster note), so none goes on acting as the joined visitor.
#[tokio::test]
async fn cluster_a_join_closes_the_browsers_sockets_on_every_node() {
    use common::database::{create_database, shared_cluster};
    use common::process::{socket_url, spawn_server_with};

    let url = create_database(shared_cluster()).await;
    let flags = ["--identity-secret", SECRET];
    let (mut one_child, one) = spawn_server_with(&url, &flags);
    let (mut two_child, two) = spawn_server_with(&url, &flags);
    let signed = json!({"user_id": USER, "user_hash": USER_HASH});
    let patch = |base: &str, token: &str| {
        reqwest::Client::new()
            .patch(format!("{base}/v1/visitor"))
            .bearer_auth(token)
            .json(&signed)
            .send()
    };
    let (_, laptop) = common::create_visitor(&one).await;
    assert_eq!(patch(&one, &laptop).await.unwrap().status(), 200);
    let (_, phone) = common::create_visitor(&two).await;
    let (mut on_two, _) = Client::connect_url(&socket_url(&two), &phone).await;
    assert_eq!(patch(&one, &phone).await.unwrap().status(), 200);
    assert_eq!(
        on_two.ending().await,
        Ending::Closed(Some(close::IDENTITY_CHANGED))
    );
    for child in [&mut one_child, &mut two_child] {
        let _ = child.kill();
        let _ = child.wait();
    }
}
