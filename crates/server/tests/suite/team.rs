//! Team management and canned responses: only admins manage them (403 for plain agents),
//! every change reaches every open console at once (on this node and, through PostgreSQL,
//! on the others), the team a console gets carries live presence, a removed agent's
//! sessions end and their conversations return to the queue, and set-password links work
//! once.

use crate::common;

use std::sync::Arc;

use common::database::{create_database, shared_cluster};
use common::{test_settings, Client, Ending, TestDb, TestServer, AGENT_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tidings_protocol::frame::close;
use tidings_protocol::http::{AgentCredentials, LoginResponse};
use tidings_protocol::{
    Agent, CannedResponse, Conversation, ConversationStatus, PresenceStatus, ServerFrame,
};
use uuid::Uuid;

/// An HTTP request with a bearer token and an optional JSON body.
async fn call(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn login(server: &TestServer, email: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/v1/agents/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// A console's socket: connected, watching the queue, its first team and canned lists
/// read.
async fn console(server: &TestServer, token: &str) -> (Client, Vec<Agent>, Vec<CannedResponse>) {
    let (mut ws, _) = Client::connect(server, token).await;
    ws.send(json!({"type": "watch_queue"})).await;
    let (agents, canned) = first_lists(&mut ws).await;
    (ws, agents, canned)
}

async fn first_lists(ws: &mut Client) -> (Vec<Agent>, Vec<CannedResponse>) {
    let mut agents = None;
    let mut canned = None;
    while agents.is_none() || canned.is_none() {
        match ws.next().await {
            ServerFrame::Agents { agents: a } => agents = Some(a),
            ServerFrame::CannedResponses { responses } => canned = Some(responses),
            _ => {}
        }
    }
    (agents.unwrap(), canned.unwrap())
}

async fn next_canned(ws: &mut Client) -> Vec<CannedResponse> {
    match ws
        .expect(|f| matches!(f, ServerFrame::CannedResponses { .. }))
        .await
    {
        ServerFrame::CannedResponses { responses } => responses,
        _ => unreachable!(),
    }
}

async fn next_team(ws: &mut Client) -> Vec<Agent> {
    match ws.expect(|f| matches!(f, ServerFrame::Agents { .. })).await {
        ServerFrame::Agents { agents } => agents,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn plain_agents_are_refused_every_admin_action_with_403() {
    let server = TestServer::start().await;
    let (admin, admin_token) = server.agent("Ada", true).await;
    let (_, plain) = server.agent("Bob", false).await;
    let canned = call(
        &server,
        reqwest::Method::POST,
        "/v1/canned-responses",
        &admin_token,
        Some(json!({"title": "Hi", "shortcut": "hi", "body": "Hello!"})),
    )
    .await;
    assert_eq!(canned.status(), StatusCode::CREATED);
    let canned: CannedResponse = canned.json().await.unwrap();
    let canned_path = format!("/v1/canned-responses/{}", canned.id);
    let admin_path = format!("/v1/agents/{}", admin.id);
    let refused: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (
            reqwest::Method::POST,
            "/v1/canned-responses".into(),
            Some(json!({"title": "x", "shortcut": "x", "body": "x"})),
        ),
        (
            reqwest::Method::PUT,
            canned_path.clone(),
            Some(json!({"title": "x", "shortcut": "x", "body": "x"})),
        ),
        (reqwest::Method::DELETE, canned_path.clone(), None),
        (
            reqwest::Method::POST,
            "/v1/agents".into(),
            Some(json!({"email": "eve@example.test", "name": "Eve", "password": "long enough"})),
        ),
        (
            reqwest::Method::PATCH,
            admin_path.clone(),
            Some(json!({"is_admin": false})),
        ),
        (reqwest::Method::DELETE, admin_path.clone(), None),
        (
            reqwest::Method::POST,
            format!("{admin_path}/password"),
            Some(json!({"password": "long enough"})),
        ),
    ];
    for (method, path, body) in refused {
        let response = call(&server, method.clone(), &path, &plain, body).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{method} {path} by a plain agent"
        );
    }
    // Nothing changed: the canned response and the admin are as they were.
    let list: Value = server.get_json("/v1/canned-responses", &plain).await;
    assert_eq!(list["responses"][0]["title"], "Hi");
    let me: Agent = server.get_json("/v1/agents/me", &admin_token).await;
    assert!(me.is_admin);
    // Visitors are refused too, even reading.
    let (_, visitor) = server.visitor().await;
    let read = server.get("/v1/canned-responses", &visitor).await;
    assert_eq!(read.status(), StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn canned_responses_are_checked_and_every_change_reaches_every_open_console() {
    let server = TestServer::start().await;
    let (_, admin) = server.agent("Ada", true).await;
    let (_, plain) = server.agent("Bob", false).await;
    let (mut bob, _, first) = console(&server, &plain).await;
    assert!(first.is_empty());

    let create = |body: Value| {
        call(
            &server,
            reqwest::Method::POST,
            "/v1/canned-responses",
            &admin,
            Some(body),
        )
    };
    let created = create(json!({"title": "Greeting", "shortcut": "/hello", "body": "Hi {{visitor.name}}, I am {{agent.name}}."})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: CannedResponse = created.json().await.unwrap();
    assert_eq!(
        created.shortcut, "hello",
        "a leading / is not part of the shortcut"
    );
    assert_eq!(next_canned(&mut bob).await, vec![created.clone()]);

    // Refusals: a shortcut taken (whatever its case), malformed, or missing fields.
    let taken = create(json!({"title": "Other", "shortcut": "HELLO", "body": "x"})).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    for bad in [
        json!({"title": "x", "shortcut": "has space", "body": "x"}),
        json!({"title": "", "shortcut": "ok", "body": "x"}),
        json!({"title": "x", "shortcut": "ok", "body": "  "}),
        json!({"title": "x", "shortcut": "a".repeat(33), "body": "x"}),
        json!({"title": "x", "shortcut": "ok", "body": "x".repeat(4001)}),
    ] {
        assert_eq!(
            create(bad.clone()).await.status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let unknown = create(json!({"title": "x", "shortcut": "ok", "body": "x", "extra": 1})).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);

    let path = format!("/v1/canned-responses/{}", created.id);
    let edited = call(
        &server,
        reqwest::Method::PUT,
        &path,
        &admin,
        Some(json!({"title": "Greeting", "shortcut": "hi", "body": "Hello!"})),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let now = next_canned(&mut bob).await;
    assert_eq!(now.len(), 1);
    assert_eq!(
        (now[0].shortcut.as_str(), now[0].body.as_str()),
        ("hi", "Hello!")
    );

    let deleted = call(&server, reqwest::Method::DELETE, &path, &admin, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(next_canned(&mut bob).await.is_empty());
    let again = call(&server, reqwest::Method::DELETE, &path, &admin, None).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let bad_id = call(
        &server,
        reqwest::Method::DELETE,
        "/v1/canned-responses/nope",
        &admin,
        None,
    )
    .await;
    assert_eq!(bad_id.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn the_team_a_console_gets_shows_who_is_online_now_and_stays_live() {
    let server = TestServer::start().await;
    let (ada, ada_token) = server.agent("Ada", true).await;
    let (bob, bob_token) = server.agent("Bob", false).await;
    // Ada's console is open before Bob's: Bob's picker must show her online, however
    // his own connection and the list raced.
    let (mut ada_ws, _, _) = console(&server, &ada_token).await;
    let (mut bob_ws, team, _) = console(&server, &bob_token).await;
    let status = |team: &[Agent], id: Uuid| team.iter().find(|a| a.id == id).map(|a| a.status);
    assert_eq!(status(&team, ada.id), Some(PresenceStatus::Online));
    assert_eq!(status(&team, bob.id), Some(PresenceStatus::Online));
    // Then live: Ada goes away, Bob hears it.
    ada_ws
        .send(json!({"type": "presence", "status": "away"}))
        .await;
    bob_ws
        .expect(|f| matches!(f, ServerFrame::AgentPresence { agent_id, status: PresenceStatus::Away, .. } if *agent_id == ada.id))
        .await;
    // A new console of Ada's gets the current status, not the one at login.
    let (_, team, _) = console(&server, &ada_token).await;
    assert_eq!(
        status(&team, ada.id),
        Some(PresenceStatus::Online),
        "her new console is online"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_added_agent_logs_in_with_the_password_or_the_one_time_link() {
    let server = TestServer::start().await;
    let (_, admin) = server.agent("Ada", true).await;
    let (mut ada_ws, team, _) = console(&server, &admin).await;
    assert_eq!(team.len(), 1);
    let add = |body: Value| {
        call(
            &server,
            reqwest::Method::POST,
            "/v1/agents",
            &admin,
            Some(body),
        )
    };

    let with_password =
        add(json!({"email": "grace@example.test", "name": "Grace", "password": "a long password"}))
            .await;
    assert_eq!(with_password.status(), StatusCode::CREATED);
    let grace: AgentCredentials = with_password.json().await.unwrap();
    assert!(grace.set_password_token.is_none());
    assert!(!grace.agent.is_admin);
    let team = next_team(&mut ada_ws).await;
    assert!(
        team.iter().any(|a| a.email == "grace@example.test"),
        "the new agent shows at once"
    );
    assert_eq!(
        login(&server, "grace@example.test", "a long password")
            .await
            .status(),
        StatusCode::OK
    );

    assert_eq!(
        add(json!({"email": "GRACE@example.test", "name": "G"}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        add(json!({"email": "x@example.test", "name": "X", "password": "short"}))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        add(json!({"email": "no-at-sign", "name": "X", "password": "long enough"}))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        add(json!({"email": "x@example.test", "name": " ", "password": "long enough"}))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    let with_link =
        add(json!({"email": "hopper@example.test", "name": "Hopper", "is_admin": true})).await;
    assert_eq!(with_link.status(), StatusCode::CREATED);
    let hopper: AgentCredentials = with_link.json().await.unwrap();
    assert!(hopper.agent.is_admin);
    let token = hopper.set_password_token.expect("a set-password token");
    let set = |token: &str, password: &str| {
        reqwest::Client::new()
            .post(server.url("/v1/agents/set-password"))
            .json(&json!({"token": token, "password": password}))
            .send()
    };
    assert_eq!(
        set(&token, "short").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        set(&token, "hopper's own password").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        login(&server, "hopper@example.test", "hopper's own password")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        set(&token, "a second go at it").await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "a link works once"
    );
    assert_eq!(
        set("made-up", "whatever it is").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}

#[tokio::test]
async fn a_reset_password_ends_the_agents_sessions_and_the_old_password() {
    let server = TestServer::start().await;
    let (_, admin) = server.agent("Ada", true).await;
    let (bob, bob_token) = server.agent("Bob", false).await;
    let (mut bob_ws, _) = Client::connect(&server, &bob_token).await;
    let reset = call(
        &server,
        reqwest::Method::POST,
        &format!("/v1/agents/{}/password", bob.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let credentials: AgentCredentials = reset.json().await.unwrap();
    assert!(credentials.set_password_token.is_some());
    assert_eq!(
        bob_ws.ending().await,
        Ending::Closed(Some(close::UNAUTHORIZED))
    );
    assert_eq!(
        server.get("/v1/agents/me", &bob_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&server, &bob.email, AGENT_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let given = call(
        &server,
        reqwest::Method::POST,
        &format!("/v1/agents/{}/password", bob.id),
        &admin,
        Some(json!({"password": "chosen by the admin"})),
    )
    .await;
    assert_eq!(given.status(), StatusCode::OK);
    assert_eq!(
        login(&server, &bob.email, "chosen by the admin")
            .await
            .status(),
        StatusCode::OK
    );
    let unknown = call(
        &server,
        reqwest::Method::POST,
        &format!("/v1/agents/{}/password", Uuid::new_v4()),
        &admin,
        None,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn a_removed_agent_is_signed_out_everywhere_and_their_chats_go_back_to_the_queue() {
    let server = TestServer::start().await;
    let (ada, admin) = server.agent("Ada", true).await;
    let (bob, bob_token) = server.agent("Bob", false).await;
    let (_, visitor) = server.visitor().await;
    let (mut visitor_ws, _) = Client::connect(&server, &visitor).await;
    let ack = visitor_ws
        .send_message(Uuid::new_v4(), None, "help please")
        .await;
    let ServerFrame::Ack {
        conversation_id, ..
    } = ack
    else {
        panic!("{ack:?}")
    };
    let claim = server
        .post(
            &format!("/v1/conversations/{conversation_id}/claim"),
            &bob_token,
            json!({}),
        )
        .await;
    assert_eq!(claim.status(), StatusCode::OK);
    let (mut bob_ws, _) = Client::connect(&server, &bob_token).await;
    let (mut ada_ws, _, _) = console(&server, &admin).await;

    let yourself = call(
        &server,
        reqwest::Method::DELETE,
        &format!("/v1/agents/{}", ada.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(yourself.status(), StatusCode::CONFLICT);
    let removed = call(
        &server,
        reqwest::Method::DELETE,
        &format!("/v1/agents/{}", bob.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);

    assert_eq!(
        bob_ws.ending().await,
        Ending::Closed(Some(close::UNAUTHORIZED))
    );
    assert_eq!(
        server.get("/v1/agents/me", &bob_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Back in the queue, announced to the admin's console, before the answer came back.
    let conversation: Conversation = server
        .get_json(&format!("/v1/conversations/{conversation_id}"), &admin)
        .await;
    assert_eq!(conversation.status, ConversationStatus::Waiting);
    assert!(conversation.assigned_agent.is_none());
    ada_ws
        .expect(|f| matches!(f, ServerFrame::Conversation { conversation, .. } if conversation.id == conversation_id && conversation.status == ConversationStatus::Waiting))
        .await;
    let team = next_team(&mut ada_ws).await;
    assert!(team.iter().all(|a| a.id != bob.id));
    let again = call(
        &server,
        reqwest::Method::DELETE,
        &format!("/v1/agents/{}", bob.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn promotion_takes_effect_at_once_and_an_admin_cannot_demote_themselves() {
    let server = TestServer::start().await;
    let (ada, admin) = server.agent("Ada", true).await;
    let (bob, bob_token) = server.agent("Bob", false).await;
    let (mut bob_ws, _) = Client::connect(&server, &bob_token).await;
    let demote_self = call(
        &server,
        reqwest::Method::PATCH,
        &format!("/v1/agents/{}", ada.id),
        &admin,
        Some(json!({"is_admin": false})),
    )
    .await;
    assert_eq!(demote_self.status(), StatusCode::CONFLICT);

    let promoted = call(
        &server,
        reqwest::Method::PATCH,
        &format!("/v1/agents/{}", bob.id),
        &admin,
        Some(json!({"is_admin": true, "name": "Robert"})),
    )
    .await;
    assert_eq!(promoted.status(), StatusCode::OK);
    let promoted: Agent = promoted.json().await.unwrap();
    assert!(promoted.is_admin);
    assert_eq!(promoted.name, "Robert");
    // His console reconnects, and its hello carries who he is now.
    assert_eq!(
        bob_ws.ending().await,
        Ending::Closed(Some(close::GOING_AWAY))
    );
    let (_, hello) = Client::connect(&server, &bob_token).await;
    let ServerFrame::Hello {
        agent: Some(agent), ..
    } = hello
    else {
        panic!("{hello:?}")
    };
    assert!(agent.is_admin);
    assert_eq!(agent.name, "Robert");
    let create = call(
        &server,
        reqwest::Method::POST,
        "/v1/canned-responses",
        &bob_token,
        Some(json!({"title": "t", "shortcut": "t", "body": "b"})),
    )
    .await;
    assert_eq!(create.status(), StatusCode::CREATED);
    server.stop().await;
}

#[tokio::test]
async fn an_agent_changes_their_own_name_and_password() {
    let server = TestServer::start().await;
    let (bob, bob_token) = server.agent("Bob", false).await;
    let other: LoginResponse = login(&server, &bob.email, AGENT_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let renamed = call(
        &server,
        reqwest::Method::PATCH,
        "/v1/agents/me",
        &bob_token,
        Some(json!({"name": "Bobby"})),
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let me: Agent = server.get_json("/v1/agents/me", &bob_token).await;
    assert_eq!(me.name, "Bobby");
    // He cannot make himself an admin that way.
    let sneaky = call(
        &server,
        reqwest::Method::PATCH,
        "/v1/agents/me",
        &bob_token,
        Some(json!({"name": "B", "is_admin": true})),
    )
    .await;
    assert_eq!(sneaky.status(), StatusCode::BAD_REQUEST);

    let change = |current: &str, new: &str| {
        call(
            &server,
            reqwest::Method::POST,
            "/v1/agents/me/password",
            &bob_token,
            Some(json!({"current_password": current, "password": new})),
        )
    };
    assert_eq!(
        change("not it at all", "a brand new one").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        change(AGENT_PASSWORD, "short").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        change(AGENT_PASSWORD, "a brand new one").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        server.get("/v1/agents/me", &bob_token).await.status(),
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        server.get("/v1/agents/me", &other.token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the others end"
    );
    assert_eq!(
        login(&server, &bob.email, "a brand new one").await.status(),
        StatusCode::OK
    );
    server.stop().await;
}

/// Two nodes on one PostgreSQL (whatever this run's backend): a change on node A reaches
/// the consoles on node B.
#[tokio::test]
async fn cluster_a_canned_response_and_a_new_agent_on_one_node_reach_consoles_on_the_other() {
    let url = create_database(shared_cluster()).await;
    let db = Arc::new(TestDb { url, dir: None });
    let a = TestServer::start_with(db.clone(), test_settings()).await;
    let b = TestServer::start_with(db, test_settings()).await;
    let (_, admin) = a.agent("Ada", true).await;
    let (_, plain) = a.agent("Bob", false).await;
    let (mut on_b, _, _) = console(&b, &plain).await;
    let created = call(
        &a,
        reqwest::Method::POST,
        "/v1/canned-responses",
        &admin,
        Some(json!({"title": "Bye", "shortcut": "bye", "body": "Goodbye!"})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let list = next_canned(&mut on_b).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].shortcut, "bye");
    let added = call(
        &a,
        reqwest::Method::POST,
        "/v1/agents",
        &admin,
        Some(json!({"email": "cy@example.test", "name": "Cy", "password": "long enough"})),
    )
    .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let team = next_team(&mut on_b).await;
    assert!(team.iter().any(|a| a.email == "cy@example.test"));
    a.stop().await;
    b.stop().await;
}
