//! A retry of a stored message by its own sender always gets the original ack, even after
//! the conversation went to another agent or ended. A refusal there would show the message
//! as failed, and a resend under a new id would store it twice.

use crate::common;

use common::{ack_fields, Client, TestServer};
use serde_json::json;
use tidings_protocol::ServerFrame;
use uuid::Uuid;

#[tokio::test]
async fn an_agents_retry_after_reassignment_and_a_visitors_after_the_end_get_their_acks() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (bea, _) = server.agent("Bea", false).await;
    let (_, root_token) = server.agent("Root", true).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let question = Uuid::new_v4();
    let (conversation_id, question_seq) = ack_fields(
        &visitor
            .send_message(question, None, "where is my parcel?")
            .await,
    );
    let (mut ada, _) = Client::connect(&server, &ada_token).await;
    let reply = Uuid::new_v4();
    let (_, reply_seq) = ack_fields(
        &ada.send_message(reply, Some(conversation_id), "on its way")
            .await,
    );

    let assigned = reqwest::Client::new()
        .post(server.url(&format!("/v1/conversations/{conversation_id}/assign")))
        .bearer_auth(&root_token)
        .json(&json!({"agent_id": bea.id}))
        .send()
        .await
        .unwrap();
    assert!(assigned.status().is_success());
    // Ada's console lost the ack and retries the same message.
    let again = ada
        .send_message(reply, Some(conversation_id), "on its way")
        .await;
    assert_eq!(ack_fields(&again), (conversation_id, reply_seq));

    let closed = reqwest::Client::new()
        .post(server.url(&format!("/v1/conversations/{conversation_id}/close")))
        .bearer_auth(&root_token)
        .send()
        .await
        .unwrap();
    assert!(closed.status().is_success());
    let again = visitor
        .send_message(question, None, "where is my parcel?")
        .await;
    assert_eq!(ack_fields(&again), (conversation_id, question_seq));

    // Someone else's id is still not theirs to claim.
    let (_, stranger_token) = server.visitor().await;
    let (mut stranger, _) = Client::connect(&server, &stranger_token).await;
    let refused = stranger.send_message(question, None, "mine?").await;
    assert!(matches!(refused, ServerFrame::Error { .. }), "{refused:?}");

    let history: serde_json::Value = server
        .get_json(
            &format!("/v1/conversations/{conversation_id}/messages?limit=50"),
            &root_token,
        )
        .await;
    let ids: Vec<&str> = history["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    for id in [question.to_string(), reply.to_string()] {
        assert_eq!(
            ids.iter().filter(|i| **i == id).count(),
            1,
            "{id} stored once"
        );
    }
    server.stop().await;
}
