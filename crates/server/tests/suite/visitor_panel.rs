//! The console's visitor panel: the page a visitor is on reaches the agents following
//! their conversation live (on this node and across nodes), never the visitor; the
//! visitor's time zone is kept; their earlier conversations are listed as the agent may
//! open them (`GET /v1/visitors/{id}`).

use crate::common;

use std::sync::Arc;

use common::database::{create_database, shared_cluster, TestDb};
use common::{test_settings, Client, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::visitor_panel::VisitorPanel;
use tidings_protocol::ServerFrame;
use uuid::Uuid;

/// A visitor who writes once: (visitor id, token, conversation id).
async fn chat(server: &TestServer) -> (Uuid, String, Uuid) {
    let (id, token) = server.visitor().await;
    let (mut visitor, _) = Client::connect(server, &token).await;
    let ServerFrame::Ack {
        conversation_id, ..
    } = visitor.send_message(Uuid::new_v4(), None, "hello").await
    else {
        panic!("not acknowledged");
    };
    (id, token, conversation_id)
}

async fn patch_visitor(server: &TestServer, token: &str, body: serde_json::Value) -> StatusCode {
    reqwest::Client::new()
        .patch(server.url("/v1/visitor"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

async fn follow(ws: &mut Client, conversation_id: Uuid) {
    ws.send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    ws.expect(|f| matches!(f, ServerFrame::Synced { .. })).await;
}

async fn claim(server: &TestServer, token: &str, id: Uuid) {
    let response = server
        .post(&format!("/v1/conversations/{id}/claim"), token, json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_new_page_reaches_the_agent_following_the_conversation_and_not_the_visitor() {
    let server = TestServer::start().await;
    let (_, agent) = server.agent("Grace", false).await;
    let (visitor_id, token, conversation_id) = chat(&server).await;
    let (mut console, _) = Client::connect(&server, &agent).await;
    follow(&mut console, conversation_id).await;
    let (mut widget, _) = Client::connect(&server, &token).await;
    follow(&mut widget, conversation_id).await;

    let page = "https://shop.test/checkout";
    let status = patch_visitor(
        &server,
        &token,
        json!({"page_url": page, "time_zone": "America/Argentina/Buenos_Aires"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let frame = console
        .expect(|f| matches!(f, ServerFrame::VisitorPage { .. }))
        .await;
    assert_eq!(
        frame,
        ServerFrame::VisitorPage {
            visitor_id,
            conversation_id,
            page_url: Some(page.into()),
            time_zone: Some("America/Argentina/Buenos_Aires".into()),
        }
    );

    // The visitor's socket: the agent's next message comes with no visitor_page before it.
    claim(&server, &agent, conversation_id).await;
    console
        .send_message(Uuid::new_v4(), Some(conversation_id), "On it")
        .await;
    loop {
        match widget.next().await {
            ServerFrame::VisitorPage { .. } => panic!("a visitor got an agent-only frame"),
            ServerFrame::Message { message } if message.body == "On it" => break,
            _ => {}
        }
    }

    let panel: VisitorPanel = server
        .get_json(&format!("/v1/visitors/{visitor_id}"), &agent)
        .await;
    assert_eq!(panel.page_url.as_deref(), Some(page));
    assert_eq!(
        panel.time_zone.as_deref(),
        Some("America/Argentina/Buenos_Aires")
    );
    server.stop().await;
}

#[tokio::test]
async fn a_time_zone_that_is_no_zone_name_is_refused() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    for zone in ["Europe/<b>", &"A".repeat(65), "UTC; drop"] {
        assert_eq!(
            patch_visitor(&server, &token, json!({ "time_zone": zone })).await,
            StatusCode::BAD_REQUEST,
            "{zone}"
        );
    }
    assert_eq!(
        patch_visitor(&server, &token, json!({"time_zone": "Etc/GMT+3"})).await,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn earlier_conversations_are_listed_as_the_agent_may_open_them() {
    let server = TestServer::start().await;
    let (_, admin) = server.agent("Grace", true).await;
    let (_, plain) = server.agent("Bob", false).await;
    let (visitor_id, token, first) = chat(&server).await;
    claim(&server, &admin, first).await;
    let closed = server
        .post(
            &format!("/v1/conversations/{first}/close"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let (mut visitor, _) = Client::connect(&server, &token).await;
    let ServerFrame::Ack {
        conversation_id: second,
        ..
    } = visitor.send_message(Uuid::new_v4(), None, "me again").await
    else {
        panic!("not acknowledged");
    };
    assert_ne!(first, second);

    let for_admin: VisitorPanel = server
        .get_json(&format!("/v1/visitors/{visitor_id}"), &admin)
        .await;
    let ids: Vec<Uuid> = for_admin.conversations.iter().map(|c| c.id).collect();
    assert_eq!(ids, [second, first], "newest first");
    let for_plain: VisitorPanel = server
        .get_json(&format!("/v1/visitors/{visitor_id}"), &plain)
        .await;
    let ids: Vec<Uuid> = for_plain.conversations.iter().map(|c| c.id).collect();
    assert_eq!(ids, [second], "not the admin's ended conversation");

    // Once the waiting one is the admin's too, the plain agent may see nothing of theirs.
    claim(&server, &admin, second).await;
    let hidden = server
        .get(&format!("/v1/visitors/{visitor_id}"), &plain)
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let unknown = server
        .get(&format!("/v1/visitors/{}", Uuid::new_v4()), &admin)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let as_visitor = server
        .get(&format!("/v1/visitors/{visitor_id}"), &token)
        .await;
    assert_eq!(as_visitor.status(), StatusCode::FORBIDDEN);
    server.stop().await;
}

/// Two nodes on one PostgreSQL (whatever this run's backend): the visitor's page change
/// on node A reaches the console on node B.
#[tokio::test]
async fn cluster_a_new_page_on_one_node_reaches_the_console_on_the_other() {
    let url = create_database(shared_cluster()).await;
    let db = Arc::new(TestDb { url, dir: None });
    let a = TestServer::start_with(db.clone(), test_settings()).await;
    let b = TestServer::start_with(db, test_settings()).await;
    let (_, agent) = b.agent("Grace", false).await;
    let (visitor_id, token, conversation_id) = chat(&a).await;
    let (mut console, _) = Client::connect(&b, &agent).await;
    follow(&mut console, conversation_id).await;
    let page = "https://shop.test/cart";
    assert_eq!(
        patch_visitor(&a, &token, json!({ "page_url": page })).await,
        StatusCode::OK
    );
    let frame = console
        .expect(|f| matches!(f, ServerFrame::VisitorPage { .. }))
        .await;
    let ServerFrame::VisitorPage {
        visitor_id: seen,
        page_url,
        ..
    } = frame
    else {
        unreachable!()
    };
    assert_eq!((seen, page_url.as_deref()), (visitor_id, Some(page)));
    a.stop().await;
    b.stop().await;
}
