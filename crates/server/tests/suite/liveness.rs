//! Ephemeral state: typing expires by itself, silent connections are closed by the
//! heartbeat, agent presence reaches visitors as availability.

use crate::common;

use std::time::Duration;

use common::{ack_fields, Client, Ending, TestServer};
use serde_json::json;
use tidings_protocol::frame::close;
use tidings_protocol::{PresenceStatus, Role, ServerFrame};
use uuid::Uuid;

#[tokio::test]
async fn typing_reaches_the_other_side_and_expires_by_itself() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, agent_token) = server.agent("Ada", false).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "hello").await);
    visitor
        .expect(|f| matches!(f, ServerFrame::Synced { .. }))
        .await;

    let (mut agent, _) = Client::connect(&server, &agent_token).await;
    agent
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    agent
        .expect(|f| matches!(f, ServerFrame::Synced { .. }))
        .await;
    agent
        .send(json!({"type": "typing", "conversation_id": conversation_id, "typing": true}))
        .await;

    let started = visitor
        .expect(|f| matches!(f, ServerFrame::Typing { .. }))
        .await;
    let ServerFrame::Typing {
        role,
        name,
        typing,
        ttl_ms,
        ..
    } = started
    else {
        unreachable!()
    };
    assert_eq!(
        (role, name.as_deref(), typing),
        (Role::Agent, Some("Ada"), true)
    );
    assert_eq!(ttl_ms, 400);
    let since = tokio::time::Instant::now();
    // The agent says nothing more: the server ends the indicator itself.
    let stopped = visitor
        .expect(|f| matches!(f, ServerFrame::Typing { .. }))
        .await;
    assert!(
        matches!(
            stopped,
            ServerFrame::Typing {
                typing: false,
                role: Role::Agent,
                ..
            }
        ),
        "{stopped:?}"
    );
    assert!(
        since.elapsed() >= Duration::from_millis(300),
        "it lapsed after the TTL, not at once"
    );

    // The visitor's typing reaches the agent, and stops when the visitor disconnects.
    visitor
        .send(json!({"type": "typing", "conversation_id": conversation_id, "typing": true}))
        .await;
    let frame = agent
        .expect(|f| matches!(f, ServerFrame::Typing { .. }))
        .await;
    assert!(matches!(
        frame,
        ServerFrame::Typing {
            role: Role::Visitor,
            typing: true,
            ..
        }
    ));
    drop(visitor);
    let frame = agent
        .expect(|f| matches!(f, ServerFrame::Typing { .. }))
        .await;
    assert!(matches!(
        frame,
        ServerFrame::Typing {
            role: Role::Visitor,
            typing: false,
            ..
        }
    ));
    server.stop().await;
}

#[tokio::test]
async fn a_connection_that_stops_answering_heartbeats_is_closed() {
    let mut settings = common::test_settings();
    settings.heartbeat_interval = Duration::from_millis(100);
    settings.heartbeat_timeout = Duration::from_millis(500);
    let server = TestServer::start_with_settings(settings).await;
    let (_, token) = server.visitor().await;

    // A client that answers keeps its connection well past the timeout...
    let (mut alive, hello) = Client::connect(&server, &token).await;
    assert!(matches!(
        hello,
        ServerFrame::Hello {
            heartbeat_interval_ms: 100,
            heartbeat_timeout_ms: 500,
            ..
        }
    ));
    let until = tokio::time::Instant::now() + Duration::from_millis(1500);
    let mut pings = 0;
    while tokio::time::Instant::now() < until {
        use futures_util::{SinkExt, StreamExt};
        if let Ok(Some(Ok(message))) =
            tokio::time::timeout(Duration::from_millis(200), alive.ws.next()).await
        {
            let frame: ServerFrame =
                serde_json::from_str(message.to_text().expect("text frames only")).unwrap();
            if let ServerFrame::Ping { nonce } = frame {
                pings += 1;
                alive
                    .ws
                    .send(tokio_tungstenite::tungstenite::Message::text(
                        json!({"type": "pong", "nonce": nonce}).to_string(),
                    ))
                    .await
                    .unwrap();
            }
        }
    }
    assert!(pings >= 3, "the server pinged ({pings} pings)");
    alive.send(json!({"type": "ping", "nonce": 42})).await;
    assert_eq!(alive.next().await, ServerFrame::Pong { nonce: 42 });

    // ...one that goes silent is closed with HEARTBEAT_TIMEOUT.
    let (mut silent, _) = Client::connect(&server, &token).await;
    assert_eq!(
        silent.ending().await,
        Ending::Closed(Some(close::HEARTBEAT_TIMEOUT))
    );

    // A connection that never authenticates is closed too.
    let mut mute = Client::connect_raw(&server).await;
    assert_eq!(
        mute.ending().await,
        Ending::Closed(Some(close::HEARTBEAT_TIMEOUT))
    );
    server.stop().await;
}

#[tokio::test]
async fn a_socket_that_does_not_authenticate_in_time_is_closed_long_before_the_heartbeat_timeout() {
    let mut settings = common::test_settings();
    settings.heartbeat_timeout = Duration::from_secs(600);
    settings.auth_timeout = Duration::from_millis(300);
    let server = TestServer::start_with_settings(settings).await;
    // `ending` gives up long before 600 s: only the auth deadline can close it in time.
    let mut mute = Client::connect_raw(&server).await;
    assert_eq!(
        mute.ending().await,
        Ending::Closed(Some(close::HEARTBEAT_TIMEOUT))
    );
    server.stop().await;
}

/// The next frame, which must be an `availability`; its status.
async fn availability(visitor: &mut Client) -> PresenceStatus {
    match visitor.next().await {
        ServerFrame::Availability { status } => status,
        other => panic!("expected availability, got {other:?}"),
    }
}

/// The status of the next `agent_presence` about `agent_id`.
async fn presence_of(watcher: &mut Client, agent_id: Uuid) -> PresenceStatus {
    let frame = watcher
        .expect(|f| matches!(f, ServerFrame::AgentPresence { agent_id: a, .. } if *a == agent_id))
        .await;
    match frame {
        ServerFrame::AgentPresence { status, .. } => status,
        other => panic!("expected agent_presence, got {other:?}"),
    }
}

#[tokio::test]
async fn agent_presence_reaches_visitors_as_availability() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (agent, agent_token) = server.agent("Ada", false).await;
    let (_, other_token) = server.agent("Bob", false).await;

    let (mut visitor, hello) = Client::connect(&server, &visitor_token).await;
    assert!(matches!(
        hello,
        ServerFrame::Hello {
            availability: PresenceStatus::Offline,
            ..
        }
    ));

    let (mut bob, _) = Client::connect(&server, &other_token).await;
    assert_eq!(availability(&mut visitor).await, PresenceStatus::Online);
    bob.send(json!({"type": "presence", "status": "away"}))
        .await;
    assert_eq!(availability(&mut visitor).await, PresenceStatus::Away);

    let (mut ada, _) = Client::connect(&server, &agent_token).await;
    assert_eq!(availability(&mut visitor).await, PresenceStatus::Online);
    assert_eq!(
        presence_of(&mut bob, agent.id).await,
        PresenceStatus::Online
    );

    let me: serde_json::Value = server.get_json("/v1/agents", &agent_token).await;
    let statuses: Vec<&str> = me["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["online", "away"], "Ada online, Bob away");

    ada.ws.close(None).await.unwrap();
    assert_eq!(availability(&mut visitor).await, PresenceStatus::Away);
    assert_eq!(
        presence_of(&mut bob, agent.id).await,
        PresenceStatus::Offline
    );
    drop(bob);
    assert_eq!(availability(&mut visitor).await, PresenceStatus::Offline);
    server.stop().await;
}
