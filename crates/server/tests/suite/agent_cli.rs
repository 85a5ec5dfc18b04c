//! The agent commands that reach a running server from another process, through the real
//! binary on this run's backend: `agent logout-all` (every session ends, open sockets close
//! at the next heartbeat), `agent passwd` (a new password from stdin or the environment,
//! never the command line, and every session ends), and `agent remove` (their active
//! conversations return to the queue, announced to the agents watching it).

use crate::common;

use std::io::Write;
use std::process::{Child, Command, Stdio};

use common::process::{socket_url, spawn_server_with, BIN};
use common::{create_visitor, Client, Ending, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tidings_protocol::frame::close;
use tidings_protocol::{ConversationStatus, ServerFrame};
use uuid::Uuid;

/// Runs the binary with `args`, `stdin` written to it (closed when `None`) and `env` set.
fn run(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("TIDINGS_AGENT_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn agent(
    url: &str,
    command: &str,
    email: &str,
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> (bool, String, String) {
    run(
        &["agent", command, "--database-url", url, "--email", email],
        stdin,
        env,
    )
}

fn add(url: &str, email: &str, name: &str, password: &str, admin: bool) {
    let mut args = vec![
        "agent",
        "add",
        "--database-url",
        url,
        "--email",
        email,
        "--name",
        name,
    ];
    if admin {
        args.push("--admin");
    }
    let (ok, _, err) = run(&args, Some(&format!("{password}\n")), &[]);
    assert!(ok, "{err}");
}

/// A running server on `url` with short heartbeats.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(url: &str) -> Server {
        let (child, address) = spawn_server_with(
            url,
            &["--heartbeat-interval-ms", "200", "--login-per-minute", "0"],
        );
        Server { child, address }
    }

    async fn login(&self, email: &str, password: &str) -> (StatusCode, Option<String>) {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/agents/login", self.address))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        (status, body["token"].as_str().map(str::to_string))
    }

    async fn token(&self, email: &str, password: &str) -> String {
        let (status, token) = self.login(email, password).await;
        assert_eq!(status, StatusCode::OK);
        token.unwrap()
    }

    async fn me(&self, token: &str) -> StatusCode {
        reqwest::Client::new()
            .get(format!("{}/v1/agents/me", self.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn connect(&self, token: &str) -> Client {
        Client::connect_url(&socket_url(&self.address), token)
            .await
            .0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn logout_all_ends_every_session_and_closes_open_sockets_at_the_next_heartbeat() {
    let db = TestDb::new().await;
    add(&db.url, "ada@example.test", "Ada", "first password", false);
    add(&db.url, "bob@example.test", "Bob", "bobs password", false);
    let server = Server::start(&db.url);
    let laptop = server.token("ada@example.test", "first password").await;
    let phone = server.token("ada@example.test", "first password").await;
    let bob = server.token("bob@example.test", "bobs password").await;
    let mut socket = server.connect(&laptop).await;

    let (ok, out, err) = agent(&db.url, "logout-all", "ADA@example.test", None, &[]);
    assert!(ok, "{err}");
    assert!(out.contains("ended 2 session(s)"), "{out}");
    assert_eq!(server.me(&laptop).await, StatusCode::UNAUTHORIZED);
    assert_eq!(server.me(&phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        socket.ending().await,
        Ending::Closed(Some(close::UNAUTHORIZED))
    );
    assert_eq!(
        server.me(&bob).await,
        StatusCode::OK,
        "other agents keep theirs"
    );
    // Logging in again works.
    let again = server.token("ada@example.test", "first password").await;
    assert_eq!(server.me(&again).await, StatusCode::OK);

    let (ok, _, err) = agent(&db.url, "logout-all", "nobody@example.test", None, &[]);
    assert!(!ok);
    assert!(err.contains("no agent"), "{err}");
}

#[tokio::test]
async fn passwd_takes_the_new_password_from_stdin_or_the_environment_and_ends_sessions() {
    let db = TestDb::new().await;
    add(&db.url, "ada@example.test", "Ada", "first password", false);
    let server = Server::start(&db.url);
    let token = server.token("ada@example.test", "first password").await;
    let mut socket = server.connect(&token).await;

    let (ok, out, err) = agent(
        &db.url,
        "passwd",
        "ada@example.test",
        Some("second password\n"),
        &[],
    );
    assert!(ok, "{err}");
    assert!(out.contains("changed the password"), "{out}");
    assert_eq!(server.me(&token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        socket.ending().await,
        Ending::Closed(Some(close::UNAUTHORIZED))
    );
    assert_eq!(
        server.login("ada@example.test", "first password").await.0,
        StatusCode::UNAUTHORIZED
    );
    let token = server.token("ada@example.test", "second password").await;

    // From the environment, with nothing on stdin.
    let env = [("TIDINGS_AGENT_PASSWORD", "third password")];
    let (ok, _, err) = agent(&db.url, "passwd", "ada@example.test", None, &env);
    assert!(ok, "{err}");
    assert_eq!(server.me(&token).await, StatusCode::UNAUTHORIZED);
    server.token("ada@example.test", "third password").await;

    // Too short, missing, or an unknown agent: refused, nothing changed.
    let (ok, _, err) = agent(&db.url, "passwd", "ada@example.test", Some("short\n"), &[]);
    assert!(!ok && err.contains("at least 8"), "{err}");
    let (ok, _, err) = agent(&db.url, "passwd", "ada@example.test", None, &[]);
    assert!(!ok && err.contains("password"), "{err}");
    let (ok, _, err) = agent(
        &db.url,
        "passwd",
        "nobody@example.test",
        Some("long enough pass\n"),
        &[],
    );
    assert!(!ok && err.contains("no agent"), "{err}");
    server.token("ada@example.test", "third password").await;

    // `passwd` takes no password argument at all.
    let (ok, _, _) = run(
        &[
            "agent",
            "passwd",
            "--database-url",
            &db.url,
            "--email",
            "ada@example.test",
            "--password",
            "argv password",
        ],
        None,
        &[],
    );
    assert!(!ok, "a password on the command line is refused");

    // `agent add` reads the environment too.
    let (ok, _, err) = run(
        &[
            "agent",
            "add",
            "--database-url",
            &db.url,
            "--email",
            "cy@example.test",
            "--name",
            "Cy",
        ],
        None,
        &[("TIDINGS_AGENT_PASSWORD", "cys password")],
    );
    assert!(ok, "{err}");
    server.token("cy@example.test", "cys password").await;
}

#[tokio::test]
async fn removing_an_agent_returns_their_active_conversations_to_the_queue() {
    let db = TestDb::new().await;
    add(&db.url, "ada@example.test", "Ada", "adas password", false);
    add(&db.url, "bob@example.test", "Bob", "bobs password", false);
    let server = Server::start(&db.url);
    let ada_token = server.token("ada@example.test", "adas password").await;
    let bob_token = server.token("bob@example.test", "bobs password").await;

    let (_, visitor_token) = create_visitor(&server.address).await;
    let mut visitor = Client::connect_url(&socket_url(&server.address), &visitor_token)
        .await
        .0;
    let ack = visitor
        .send_message(Uuid::new_v4(), None, "my parcel is late")
        .await;
    let (conversation_id, _) = common::ack_fields(&ack);
    let claimed = reqwest::Client::new()
        .post(format!(
            "{}/v1/conversations/{conversation_id}/claim",
            server.address
        ))
        .bearer_auth(&ada_token)
        .send()
        .await
        .unwrap();
    assert_eq!(claimed.status(), StatusCode::OK);
    let mut ada = server.connect(&ada_token).await;

    // Bob watches the queue: Ada's chat is not in it.
    let mut bob = server.connect(&bob_token).await;
    bob.send(json!({"type": "watch_queue"})).await;
    bob.expect(|f| matches!(f, ServerFrame::Queue { conversations } if conversations.is_empty()))
        .await;

    let (ok, out, err) = agent(&db.url, "remove", "ada@example.test", None, &[]);
    assert!(ok, "{err}");
    assert!(out.contains("removed"), "{out}");

    // The running server notices: the chat is back in Bob's queue, waiting, nobody's.
    let news = bob
        .expect(|f| {
            matches!(f, ServerFrame::Conversation { conversation, .. }
                if conversation.id == conversation_id)
        })
        .await;
    let ServerFrame::Conversation { conversation, .. } = news else {
        unreachable!()
    };
    assert_eq!(conversation.status, ConversationStatus::Waiting);
    assert_eq!(conversation.assigned_agent, None);
    // The visitor hears it too.
    visitor
        .expect(|f| {
            matches!(f, ServerFrame::Conversation { conversation, .. }
                if conversation.status == ConversationStatus::Waiting)
        })
        .await;
    // Stored so: Bob can open it and claim it.
    let stored: Value = reqwest::Client::new()
        .get(format!(
            "{}/v1/conversations/{conversation_id}",
            server.address
        ))
        .bearer_auth(&bob_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["status"], "waiting");
    assert!(
        stored.get("assigned_agent").is_none_or(Value::is_null),
        "{stored}"
    );
    let claimed = reqwest::Client::new()
        .post(format!(
            "{}/v1/conversations/{conversation_id}/claim",
            server.address
        ))
        .bearer_auth(&bob_token)
        .send()
        .await
        .unwrap();
    assert_eq!(claimed.status(), StatusCode::OK);
    // Ada's socket closed at its heartbeat.
    assert_eq!(
        ada.ending().await,
        Ending::Closed(Some(close::UNAUTHORIZED))
    );
}
