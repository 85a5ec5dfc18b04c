//! Shared test harness: starts the real app on 127.0.0.1:0 on a fresh database (SQLite or
//! PostgreSQL, see [`database`]) with short heartbeats, and speaks to it through real
//! WebSockets and HTTP.
#![allow(dead_code)]

pub mod database;
pub mod faults;
pub mod postgres;
pub mod process;
pub mod smtp_sink;

pub use database::TestDb;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tidings_protocol::{ErrorCode, ServerFrame, PROTOCOL_VERSION};
use tidings_server::auth::{self, AgentIdentity};
use tidings_server::{db, serve, store, AppState, Settings};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

/// How long any single expectation may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Settings with heartbeats short enough for tests but long enough for a loaded machine.
pub fn test_settings() -> Settings {
    Settings {
        heartbeat_interval: Duration::from_millis(500),
        heartbeat_timeout: Duration::from_secs(5),
        typing_ttl: Duration::from_millis(400),
        ..Settings::default()
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub db: Arc<TestDb>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(TestDb::new().await, test_settings()).await
    }

    pub async fn start_with_settings(settings: Settings) -> TestServer {
        Self::start_with(TestDb::new().await, settings).await
    }

    /// Starts on `db` (reused across restarts, or shared by several nodes).
    pub async fn start_with(db: Arc<TestDb>, settings: Settings) -> TestServer {
        let database = db::connect(&db.url).await.unwrap();
        let state = AppState::new(database, settings);
        state.join_cluster().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task_state = state.clone();
        let task = tokio::spawn(async move {
            serve::serve_on(listener, task_state, async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            addr,
            state,
            db,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server (sockets get GOING_AWAY) and closes its database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(DEADLINE, task).await;
        }
        self.state.writer.close().await;
        self.state.pool.close().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/v1/socket", self.addr)
    }

    /// `GET path` with a bearer token.
    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `GET path` with a bearer token, its JSON body read as `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str, token: &str) -> T {
        self.get(path, token).await.json().await.unwrap()
    }

    /// `POST path` with a bearer token and a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A new visitor through the API: (id, token).
    pub async fn visitor(&self) -> (Uuid, String) {
        create_visitor(&self.url("")).await
    }

    /// A new agent with a session: (identity, token). Skips argon2 per agent (slow in
    /// debug builds) by reusing one hash of [`AGENT_PASSWORD`].
    pub async fn agent(&self, name: &str, is_admin: bool) -> (AgentIdentity, String) {
        let email = format!("{}@example.test", name.to_lowercase());
        let agent =
            store::agents::insert(&self.state.pool, &email, name, password_hash(), is_admin)
                .await
                .unwrap();
        let token = auth::new_agent_token();
        store::agents::create_session(
            &self.state.pool,
            agent.id,
            &auth::token_hash(&token),
            self.state.settings.sessions,
        )
        .await
        .unwrap();
        (agent, token)
    }
}

/// A new visitor through the API of the server at `base` (`http://host:port`): (id, token).
pub async fn create_visitor(base: &str) -> (Uuid, String) {
    create_visitor_with(base, json!({})).await
}

/// A new visitor with `details` (`name`, `email`, `page_url`): (id, token).
pub async fn create_visitor_with(base: &str, details: Value) -> (Uuid, String) {
    let response: Value = reqwest::Client::new()
        .post(format!("{base}/v1/visitors"))
        .json(&details)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = Uuid::parse_str(response["visitor_id"].as_str().unwrap()).unwrap();
    (id, response["token"].as_str().unwrap().to_string())
}

pub const AGENT_PASSWORD: &str = "correct horse battery";

pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(AGENT_PASSWORD).unwrap())
}

/// A WebSocket client speaking the protocol.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a connection ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    Closed(Option<u16>),
    Dropped,
}

impl Client {
    pub async fn connect_raw(server: &TestServer) -> Client {
        Self::connect_raw_url(&server.ws_url()).await
    }

    pub async fn connect_raw_url(url: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Client { ws }
    }

    /// Connects and authenticates; returns the client and its `hello`.
    pub async fn connect(server: &TestServer, token: &str) -> (Client, ServerFrame) {
        Self::connect_url(&server.ws_url(), token).await
    }

    /// Like [`Client::connect`], to a server at a socket URL.
    pub async fn connect_url(url: &str, token: &str) -> (Client, ServerFrame) {
        let mut client = Self::connect_raw_url(url).await;
        client
            .send(json!({"type": "auth", "token": token, "version": PROTOCOL_VERSION}))
            .await;
        let hello = client
            .expect(|f| matches!(f, ServerFrame::Hello { .. }))
            .await;
        (client, hello)
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(WsMessage::text(text.to_string()))
            .await
            .unwrap();
    }

    /// The next protocol frame; server pings are answered and skipped.
    pub async fn next(&mut self) -> ServerFrame {
        tokio::time::timeout(DEADLINE, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(WsMessage::Text(text))) => {
                        let frame: ServerFrame = serde_json::from_str(&text)
                            .unwrap_or_else(|e| panic!("bad frame {text}: {e}"));
                        if let ServerFrame::Ping { nonce } = frame {
                            let pong = json!({"type": "pong", "nonce": nonce}).to_string();
                            let _ = self.ws.send(WsMessage::text(pong)).await;
                            continue;
                        }
                        return frame;
                    }
                    Some(Ok(WsMessage::Close(frame))) => panic!("closed unexpectedly: {frame:?}"),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => panic!("socket error: {e}"),
                    None => panic!("socket ended"),
                }
            }
        })
        .await
        .expect("no frame before the deadline")
    }

    /// The next protocol frame, or `None` once the socket is closed or broken (pings are
    /// answered and skipped).
    pub async fn next_or_end(&mut self) -> Option<ServerFrame> {
        loop {
            match self.ws.next().await {
                Some(Ok(WsMessage::Text(text))) => {
                    let frame: ServerFrame = serde_json::from_str(&text).ok()?;
                    if let ServerFrame::Ping { nonce } = frame {
                        let pong = json!({"type": "pong", "nonce": nonce}).to_string();
                        let _ = self.ws.send(WsMessage::text(pong)).await;
                        continue;
                    }
                    return Some(frame);
                }
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn expect(&mut self, matches: impl Fn(&ServerFrame) -> bool) -> ServerFrame {
        tokio::time::timeout(DEADLINE, async {
            loop {
                let frame = self.next().await;
                if matches(&frame) {
                    return frame;
                }
            }
        })
        .await
        .expect("expected frame did not arrive before the deadline")
    }

    /// Sends a message and waits for its ack (or an error naming it).
    pub async fn send_message(
        &mut self,
        id: Uuid,
        conversation_id: Option<Uuid>,
        body: &str,
    ) -> ServerFrame {
        let mut frame = json!({"type": "send", "id": id, "body": body});
        if let Some(c) = conversation_id {
            frame["conversation_id"] = json!(c);
        }
        self.send(frame).await;
        self.expect(|f| matches!(f, ServerFrame::Ack { id: a, .. } | ServerFrame::Error { id: Some(a), .. } if *a == id)).await
    }

    /// Reads until the server closes; pings are not answered, other frames skipped.
    pub async fn ending(&mut self) -> Ending {
        tokio::time::timeout(DEADLINE, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(WsMessage::Close(frame))) => {
                        return Ending::Closed(frame.map(|f| u16::from(f.code)))
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return Ending::Dropped,
                }
            }
        })
        .await
        .expect("the server did not close the connection before the deadline")
    }
}

/// Another client can still do real work (after someone else's bad input).
pub async fn still_serving(server: &TestServer) {
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(server, &token).await;
    let ack = ws.send_message(Uuid::new_v4(), None, "still there?").await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
}

/// Pulls the ack's fields out (panics on anything else).
pub fn ack_fields(frame: &ServerFrame) -> (Uuid, u64) {
    match frame {
        ServerFrame::Ack {
            conversation_id,
            seq,
            ..
        } => (*conversation_id, *seq),
        other => panic!("expected an ack, got {other:?}"),
    }
}

/// The seqs and bodies of message frames.
pub fn message_of(frame: &ServerFrame) -> (u64, String) {
    match frame {
        ServerFrame::Message { message } => (message.seq, message.body.clone()),
        other => panic!("expected a message, got {other:?}"),
    }
}

/// Holds the writer up until the returned transaction ends: SQLite's write lock, or on
/// PostgreSQL the conversation's row lock (what the writer takes to allocate its seq).
pub async fn block_writer(
    server: &TestServer,
    conversation_id: Uuid,
) -> sqlx::Transaction<'static, sqlx::Any> {
    if database::postgres() {
        let mut tx = server.state.pool.begin().await.unwrap();
        sqlx::query("SELECT id FROM conversations WHERE id = $1 FOR UPDATE")
            .bind(conversation_id.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
        tx
    } else {
        server
            .state
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .unwrap()
    }
}

/// Sends `typing` on a conversation and then a `ping`: the answer to the typing frame, if
/// any, comes before the `pong`. Returns whether it was refused as not followed.
pub async fn typing_refused(client: &mut Client, conversation_id: Uuid) -> bool {
    client
        .send(json!({"type": "typing", "conversation_id": conversation_id, "typing": true}))
        .await;
    client.send(json!({"type": "ping", "nonce": 77})).await;
    let answer = client
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Error { .. } | ServerFrame::Pong { nonce: 77 }
            )
        })
        .await;
    matches!(
        answer,
        ServerFrame::Error {
            code: ErrorCode::NotFound,
            ..
        }
    )
}
