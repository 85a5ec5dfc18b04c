//! The HTTP API under `/v1`, relative to the app's own origin, through `fetch`.

use tidings_client::decode::{self, model};
use tidings_client::encode;
use tidings_client::json::Json;
use tidings_protocol::http::{CreateVisitorRequest, CreateVisitorResponse, UpdateVisitorRequest};
use tidings_protocol::{Conversation, Message};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a request did not succeed.
#[derive(Debug, Clone)]
pub enum Failure {
    /// No answer (offline, server down): worth retrying.
    Network,
    /// The server answered with an error, or with what the widget cannot read. The widget
    /// shows no server's sentence (the rating, which did, is the extras'), so only the
    /// status is kept.
    Api { status: u16 },
}

impl Failure {
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Failure::Api { status: 401, .. })
    }
}

/// Sends one request and returns the status and body text. Not generic, so the fetch
/// code exists once in the wasm whatever the response type.
async fn fetch(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<(u16, String), Failure> {
    let window = web_sys::window().ok_or(Failure::Network)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| Failure::Network)?;
    if let Some(token) = token {
        let _ = headers.set("authorization", &format!("Bearer {token}"));
    }
    if let Some(body) = body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&body.into());
    }
    init.set_headers(&headers);
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| Failure::Network)?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| Failure::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| Failure::Network)?)
        .await
        .map_err(|_| Failure::Network)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// Turns an answer into `T` with one of the client's [`model`] readers, or into the API
/// error it carries.
pub(crate) fn decode<T>(
    (status, text): (u16, String),
    read: impl FnOnce(&Json) -> Option<T>,
) -> Result<T, Failure> {
    if (200..300).contains(&status) {
        decode::body(&text, read).map_err(|_| Failure::Api { status })
    } else {
        Err(Failure::Api { status })
    }
}

/// The text of a file beside the app (a message catalog), or `None` if it could not be had.
pub async fn text(path: &str) -> Option<String> {
    match fetch("GET", path, None, None).await {
        Ok((200, text)) => Some(text),
        _ => None,
    }
}

async fn request<T>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
    read: impl FnOnce(&Json) -> Option<T>,
) -> Result<T, Failure> {
    decode(fetch(method, path, token, body).await?, read)
}

/// `POST /v1/visitors`: a new anonymous visitor and its token.
pub async fn create_visitor(page_url: Option<String>) -> Result<CreateVisitorResponse, Failure> {
    let body = CreateVisitorRequest {
        page_url,
        ..Default::default()
    };
    let read = model::create_visitor_response;
    request(
        "POST",
        "/v1/visitors",
        None,
        Some(encode::create_visitor_request(&body)),
        read,
    )
    .await
}

/// `POST /v1/visitor/logout`: the token opens nothing from now on (`Tidings('shutdown')`).
pub async fn end_visitor_token(token: &str) -> Result<(), Failure> {
    fetch("POST", "/v1/visitor/logout", Some(token), None)
        .await
        .map(|_| ())
}

/// `PATCH /v1/visitor`: name, email, page, or a verified `user_id`.
pub async fn update_visitor(token: &str, update: &UpdateVisitorRequest) -> Result<(), Failure> {
    // Any JSON answer will do: the widget does not use the updated profile.
    let any = |_: &Json| Some(());
    request(
        "PATCH",
        "/v1/visitor",
        Some(token),
        Some(encode::update_visitor_request(update)),
        any,
    )
    .await
}

/// `GET /v1/visitor/conversations`: newest first.
pub async fn my_conversations(token: &str) -> Result<Vec<Conversation>, Failure> {
    let read = model::conversation_list;
    request("GET", "/v1/visitor/conversations", Some(token), None, read).await
}

/// `GET /v1/conversations/{id}/messages`: the page below `before_seq` (or the latest),
/// ascending, and whether older messages exist.
pub async fn history(
    token: &str,
    id: Uuid,
    before_seq: Option<u64>,
) -> Result<(Vec<Message>, bool), Failure> {
    // Joined rather than `format!`ted: less formatting code in the wasm.
    let mut path = String::from("/v1/conversations/");
    path += &id.to_string();
    path += "/messages?limit=50";
    if let Some(before) = before_seq {
        path += "&before_seq=";
        path += &before.to_string();
    }
    let read = |o: &Json| {
        let messages = o.get("messages")?.as_array()?;
        let messages = messages.iter().map(model::message).collect::<Option<_>>()?;
        Some((messages, o.get("has_more")?.as_bool()?))
    };
    request("GET", &path, Some(token), None, read).await
}

/// `GET /v1/conversations/{id}`.
pub async fn conversation(token: &str, id: Uuid) -> Result<Conversation, Failure> {
    let path = format!("/v1/conversations/{id}");
    request("GET", &path, Some(token), None, model::conversation).await
}
