//! The console's search (`GET /v1/search?q=…`) on the real database: it matches message
//! text, visitor names and emails through the full-text index, newest first; a plain agent
//! finds only what they may open; no query, however odd, is a server error.

use crate::common;

use common::{Client, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::search::SearchResults;
use uuid::Uuid;

/// A visitor with these details who writes `bodies` in one conversation: (visitor token,
/// conversation id).
async fn chat(server: &TestServer, details: serde_json::Value, bodies: &[&str]) -> (String, Uuid) {
    let (_, token) = common::create_visitor_with(&server.url(""), details).await;
    let (mut visitor, _) = Client::connect(server, &token).await;
    let mut conversation = None;
    for body in bodies {
        let ack = visitor
            .send_message(Uuid::new_v4(), conversation, body)
            .await;
        let tidings_protocol::ServerFrame::Ack {
            conversation_id, ..
        } = ack
        else {
            panic!("not acknowledged: {ack:?}");
        };
        conversation = Some(conversation_id);
    }
    (token, conversation.unwrap())
}

async fn search_raw(server: &TestServer, token: &str, query: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.url("/v1/search"))
        .query(&[("q", query)])
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn search(server: &TestServer, token: &str, query: &str) -> SearchResults {
    let response = search_raw(server, token, query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query:?}");
    response.json().await.unwrap()
}

/// The (conversation, message body) of each result, in order.
fn hits(results: &SearchResults) -> Vec<(Uuid, Option<String>)> {
    results
        .results
        .iter()
        .map(|r| {
            (
                r.conversation.id,
                r.message.as_ref().map(|m| m.body.clone()),
            )
        })
        .collect()
}

#[tokio::test]
async fn finds_message_text_newest_first_and_visitors_by_name_and_email() {
    let server = TestServer::start().await;
    let (_, admin) = server.agent("Grace", true).await;
    let (_, ada) = chat(
        &server,
        json!({"name": "Ada Lovelace", "email": "ada@analytical.test"}),
        &["My invoice is wrong", "Still waiting for the refund"],
    )
    .await;
    let (_, bob) = chat(
        &server,
        json!({"name": "Bob"}),
        &["Another INVOICE question, about invoices", "unrelated"],
    )
    .await;

    let found = search(&server, &admin, "invoice").await;
    assert_eq!(
        hits(&found),
        [
            (bob, Some("Another INVOICE question, about invoices".into())),
            (ada, Some("My invoice is wrong".into())),
        ],
        "every matching message, newest first, whatever the case"
    );
    assert_eq!(found.terms, ["invoice"]);
    let message = found.results[0].message.as_ref().unwrap();
    assert_eq!((message.conversation_id, message.seq), (bob, 1));

    assert_eq!(
        hits(&search(&server, &admin, "Refu").await),
        [(ada, Some("Still waiting for the refund".into()))],
        "a word matches as the start of a word"
    );
    assert_eq!(
        hits(&search(&server, &admin, "invoice wrong").await),
        [(ada, Some("My invoice is wrong".into()))],
        "every word must match"
    );
    assert_eq!(
        hits(&search(&server, &admin, "lovelace").await),
        [(ada, None)]
    );
    assert_eq!(
        hits(&search(&server, &admin, "ada@analytical.test").await),
        [(ada, None)]
    );
    let by_domain = search(&server, &admin, "analytical").await;
    assert_eq!(hits(&by_domain), [(ada, None)]);
    assert!(search(&server, &admin, "nothing-like-this")
        .await
        .results
        .is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_plain_agent_finds_only_conversations_they_may_open_and_an_admin_finds_all() {
    let server = TestServer::start().await;
    let (_, admin) = server.agent("Grace", true).await;
    let (_, plain) = server.agent("Bob", false).await;
    let (_, theirs) = chat(&server, json!({"name": "Zed Secret"}), &["parcel lost"]).await;
    let (_, waiting) = chat(&server, json!({}), &["parcel late"]).await;
    let (_, own) = chat(&server, json!({}), &["parcel broken"]).await;
    let claim = |id: Uuid, token: &str| {
        let url = server.url(&format!("/v1/conversations/{id}/claim"));
        let token = token.to_string();
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    claim(theirs, &admin).await;
    claim(own, &plain).await;

    let seen: Vec<Uuid> = hits(&search(&server, &plain, "parcel").await)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(seen, [own, waiting], "not the admin's conversation");
    assert!(search(&server, &plain, "zed").await.results.is_empty());
    for result in search(&server, &plain, "parcel").await.results {
        let opened = server
            .get(
                &format!("/v1/conversations/{}", result.conversation.id),
                &plain,
            )
            .await;
        assert_eq!(opened.status(), StatusCode::OK, "every result opens");
    }

    let all: Vec<Uuid> = hits(&search(&server, &admin, "parcel").await)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(all, [own, waiting, theirs]);
    assert_eq!(
        hits(&search(&server, &admin, "zed").await),
        [(theirs, None)]
    );

    let (_, visitor) = server.visitor().await;
    assert_eq!(
        search_raw(&server, &visitor, "parcel").await.status(),
        StatusCode::FORBIDDEN
    );
    server.stop().await;
}

#[tokio::test]
async fn odd_queries_are_a_clear_400_or_a_literal_search_never_a_500() {
    let server = TestServer::start().await;
    let (_, admin) = server.agent("Grace", true).await;
    let (_, id) = chat(&server, json!({}), &["Order \"ABC-42\" NEAR the * door"]).await;

    for refused in [
        "", "   ", "\"", "*", "-", "()", "\"\"", "^", ":", "'", "NEAR(",
    ] {
        let response = search_raw(&server, &admin, refused).await;
        if response.status() == StatusCode::OK {
            // `NEAR(` holds a word: searched for literally.
            continue;
        }
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{refused:?}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["code"], "invalid_field", "{refused:?}");
        assert!(error["message"]
            .as_str()
            .is_some_and(|m| m.contains("search")));
    }
    let too_long = "a".repeat(tidings_protocol::search::MAX_QUERY_CHARS + 1);
    assert_eq!(
        search_raw(&server, &admin, &too_long).await.status(),
        StatusCode::BAD_REQUEST
    );
    let missing = server.get("/v1/search", &admin).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);

    for literal in [
        "\"abc-42\"",
        "abc-42*",
        "NEAR(order door)",
        "order -door",
        "order AND door",
        "order OR",
        "(order)",
        "order: door",
        "'order' & !door | x",
        "order\\",
    ] {
        let response = search_raw(&server, &admin, literal).await;
        assert_eq!(response.status(), StatusCode::OK, "{literal:?}");
    }
    assert_eq!(
        hits(&search(&server, &admin, "\"abc-42\"").await).len(),
        1,
        "quotes are not syntax"
    );
    assert_eq!(
        hits(&search(&server, &admin, "NEAR door").await)
            .first()
            .map(|h| h.0),
        Some(id),
        "NEAR is a word like any other"
    );
    assert!(
        search(&server, &admin, "door AND").await.results.is_empty(),
        "AND is a word too, and no word of the text starts with it"
    );
    server.stop().await;
}
