//! The HTTP API under `/v1`, called with relative URLs so the console works both under the
//! server at `/console/` and under `trunk serve` (which proxies `/v1`).

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tidings_protocol::http::{
    AddAgentRequest, AgentCredentials, CannedResponseRequest, ChangePasswordRequest,
    ResetPasswordRequest, SetPasswordRequest, UpdateAgentRequest, UpdateMeRequest,
};
use tidings_protocol::http::{
    ApiError, AssignRequest, CloseWaitingRequest, CloseWaitingResponse, ConversationList,
    HistoryPage, LoginRequest, LoginResponse, VisitorBlock,
};
use tidings_protocol::{Agent, CannedResponse, Conversation, ErrorCode};
use uuid::Uuid;

use crate::logic::list::Filter;
use crate::texts::tf;

/// Messages fetched per history page.
pub const HISTORY_PAGE: u32 = 50;

/// Why a call failed, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// HTTP status; 0 when the server could not be reached at all.
    pub status: u16,
    pub code: Option<ErrorCode>,
    pub message: String,
}

impl Failure {
    /// The session token is no longer valid: the console must log in again.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    /// The conversation does not exist or is not the caller's to see.
    pub fn is_not_visible(&self) -> bool {
        self.status == 404 || self.status == 403
    }

    /// The server could not be reached or had trouble: worth trying again later.
    pub fn is_transient(&self) -> bool {
        self.status == 0 || self.status >= 500
    }

    fn unreachable(err: gloo_net::Error) -> Failure {
        Failure {
            status: 0,
            code: None,
            message: tf("api.unreachable", &[("reason", &err.to_string())]),
        }
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    let status = response.status();
    if response.ok() {
        return response.json::<T>().await.map_err(|err| Failure {
            status,
            code: None,
            message: tf("api.not_understood", &[("reason", &err.to_string())]),
        });
    }
    Err(match response.json::<ApiError>().await {
        Ok(api) => Failure {
            status,
            code: Some(api.code),
            message: api.message,
        },
        Err(_) => Failure {
            status,
            code: None,
            message: tf(
                "api.status",
                &[
                    ("status", &status.to_string()),
                    ("text", &response.status_text()),
                ],
            ),
        },
    })
}

fn authorized(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {token}"))
}

async fn send<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, Failure> {
    let request = request.map_err(Failure::unreachable)?;
    let response = request.send().await.map_err(Failure::unreachable)?;
    decode(response).await
}

async fn get<T: DeserializeOwned>(url: &str, token: &str) -> Result<T, Failure> {
    send(authorized(Request::get(url), token).build()).await
}

async fn post<T: DeserializeOwned>(
    url: &str,
    token: &str,
    body: Option<&impl Serialize>,
) -> Result<T, Failure> {
    let builder = authorized(Request::post(url), token);
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    };
    send(request).await
}

pub async fn login(email: String, password: String) -> Result<LoginResponse, Failure> {
    let request = Request::post("/v1/agents/login").json(&LoginRequest { email, password });
    send(request).await
}

/// Ends the session on the server. The answer's body does not matter.
pub async fn logout(token: &str) -> Result<(), Failure> {
    let request = authorized(Request::post("/v1/agents/logout"), token).build();
    let request = request.map_err(Failure::unreachable)?;
    let response = request.send().await.map_err(Failure::unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        decode::<serde_json::Value>(response).await.map(|_| ())
    }
}

pub async fn me(token: &str) -> Result<Agent, Failure> {
    get("/v1/agents/me", token).await
}

/// One tab's conversations; for Waiting the first page, oldest first, with the cursor of
/// the next one in `next`.
pub async fn conversations(token: &str, filter: Filter) -> Result<ConversationList, Failure> {
    let url = format!("/v1/conversations?filter={}", filter.as_str());
    get::<ConversationList>(&url, token).await
}

/// The page of the waiting list after `after` (an earlier page's `next`).
pub async fn waiting_after(token: &str, after: &str) -> Result<ConversationList, Failure> {
    let after = String::from(js_sys::encode_uri_component(after));
    let url = format!("/v1/conversations?filter=waiting&after={after}");
    get::<ConversationList>(&url, token).await
}

/// Ends the listed conversations that are still waiting.
pub async fn close_waiting(
    token: &str,
    conversation_ids: Vec<Uuid>,
) -> Result<CloseWaitingResponse, Failure> {
    let body = CloseWaitingRequest { conversation_ids };
    post("/v1/conversations/close-waiting", token, Some(&body)).await
}

/// Blocks a visitor: their messages are refused, their waiting chats end.
pub async fn block_visitor(token: &str, visitor_id: Uuid) -> Result<VisitorBlock, Failure> {
    post(
        &format!("/v1/visitors/{visitor_id}/block"),
        token,
        None::<&()>,
    )
    .await
}

pub async fn conversation(token: &str, id: Uuid) -> Result<Conversation, Failure> {
    get(&format!("/v1/conversations/{id}"), token).await
}

/// The page of messages just below `before_seq`, or the latest page.
pub async fn history(
    token: &str,
    id: Uuid,
    before_seq: Option<u64>,
) -> Result<HistoryPage, Failure> {
    let mut url = format!("/v1/conversations/{id}/messages?limit={HISTORY_PAGE}");
    if let Some(before) = before_seq {
        url.push_str(&format!("&before_seq={before}"));
    }
    get(&url, token).await
}

pub async fn claim(token: &str, id: Uuid) -> Result<Conversation, Failure> {
    post(&format!("/v1/conversations/{id}/claim"), token, None::<&()>).await
}

pub async fn assign(token: &str, id: Uuid, agent_id: Uuid) -> Result<Conversation, Failure> {
    let body = AssignRequest { agent_id };
    post(
        &format!("/v1/conversations/{id}/assign"),
        token,
        Some(&body),
    )
    .await
}

pub async fn close(token: &str, id: Uuid) -> Result<Conversation, Failure> {
    post(&format!("/v1/conversations/{id}/close"), token, None::<&()>).await
}

/// The console's search: results newest first, with the words to highlight.
pub async fn search(
    token: &str,
    query: &str,
) -> Result<tidings_protocol::search::SearchResults, Failure> {
    let query = js_sys::encode_uri_component(query);
    get(&format!("/v1/search?q={query}"), token).await
}

/// The visitor panel: where the visitor is now and their conversations this agent may open.
pub async fn visitor_panel(
    token: &str,
    visitor_id: Uuid,
) -> Result<tidings_protocol::visitor_panel::VisitorPanel, Failure> {
    get(&format!("/v1/visitors/{visitor_id}"), token).await
}

/// A request whose successful answer has no body that matters (204).
async fn send_empty(request: Result<Request, gloo_net::Error>) -> Result<(), Failure> {
    let request = request.map_err(Failure::unreachable)?;
    let response = request.send().await.map_err(Failure::unreachable)?;
    if response.ok() {
        Ok(())
    } else {
        decode::<serde_json::Value>(response).await.map(|_| ())
    }
}

/// Admins: adds a canned response.
pub async fn create_canned(
    token: &str,
    body: &CannedResponseRequest,
) -> Result<CannedResponse, Failure> {
    post("/v1/canned-responses", token, Some(body)).await
}

/// Admins: replaces a canned response.
pub async fn update_canned(
    token: &str,
    id: Uuid,
    body: &CannedResponseRequest,
) -> Result<CannedResponse, Failure> {
    let url = format!("/v1/canned-responses/{id}");
    send(authorized(Request::put(&url), token).json(body)).await
}

/// Admins: deletes a canned response.
pub async fn delete_canned(token: &str, id: Uuid) -> Result<(), Failure> {
    let url = format!("/v1/canned-responses/{id}");
    send_empty(authorized(Request::delete(&url), token).build()).await
}

/// Admins: adds an agent (with a password, or a set-password token in the answer).
pub async fn add_agent(token: &str, body: &AddAgentRequest) -> Result<AgentCredentials, Failure> {
    post("/v1/agents", token, Some(body)).await
}

/// Admins: renames, promotes or demotes an agent.
pub async fn update_agent(
    token: &str,
    id: Uuid,
    body: &UpdateAgentRequest,
) -> Result<Agent, Failure> {
    let url = format!("/v1/agents/{id}");
    send(authorized(Request::patch(&url), token).json(body)).await
}

/// Admins: removes an agent.
pub async fn remove_agent(token: &str, id: Uuid) -> Result<(), Failure> {
    let url = format!("/v1/agents/{id}");
    send_empty(authorized(Request::delete(&url), token).build()).await
}

/// Admins: resets an agent's password (to a set-password link when `password` is `None`).
pub async fn reset_password(
    token: &str,
    id: Uuid,
    password: Option<String>,
) -> Result<AgentCredentials, Failure> {
    let body = ResetPasswordRequest { password };
    post(&format!("/v1/agents/{id}/password"), token, Some(&body)).await
}

/// The agent renames themselves.
pub async fn update_me(token: &str, name: String) -> Result<Agent, Failure> {
    let body = UpdateMeRequest { name };
    send(authorized(Request::patch("/v1/agents/me"), token).json(&body)).await
}

/// The agent changes their own password.
pub async fn change_password(
    token: &str,
    current_password: String,
    password: String,
) -> Result<(), Failure> {
    let body = ChangePasswordRequest {
        current_password,
        password,
    };
    send_empty(authorized(Request::post("/v1/agents/me/password"), token).json(&body)).await
}

/// Spends a set-password link (no session).
pub async fn set_password(token: String, password: String) -> Result<(), Failure> {
    let body = SetPasswordRequest { token, password };
    send_empty(Request::post("/v1/agents/set-password").json(&body)).await
}

/// The query naming a report's range: both days included, counted in `tz`.
fn report_query(from: &str, to: &str, tz: &str) -> String {
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    format!("from={}&to={}&tz={}", enc(from), enc(to), enc(tz))
}

/// Admins: the report of a range of days (`from` and `to` are `YYYY-MM-DD`).
pub async fn report(
    token: &str,
    from: &str,
    to: &str,
    tz: &str,
) -> Result<tidings_protocol::reports::Report, Failure> {
    get(
        &format!("/v1/reports?{}", report_query(from, to, tz)),
        token,
    )
    .await
}

/// Admins: the CSV of the conversations a report counts, as text.
pub async fn report_csv(token: &str, from: &str, to: &str, tz: &str) -> Result<String, Failure> {
    let url = format!(
        "/v1/reports/conversations.csv?{}",
        report_query(from, to, tz)
    );
    let request = authorized(Request::get(&url), token)
        .build()
        .map_err(Failure::unreachable)?;
    let response = request.send().await.map_err(Failure::unreachable)?;
    if !response.ok() {
        return decode::<serde_json::Value>(response)
            .await
            .map(|_| String::new());
    }
    response.text().await.map_err(Failure::unreachable)
}

/// Posts a private note (`POST /v1/conversations/{id}/notes`); answers the stored note.
pub async fn note(
    token: &str,
    id: Uuid,
    body: &tidings_protocol::http::NoteRequest,
) -> Result<tidings_protocol::Message, Failure> {
    post(&format!("/v1/conversations/{id}/notes"), token, Some(body)).await
}

/// Hands a conversation to another agent, or without `agent_id` back to the queue.
pub async fn transfer(
    token: &str,
    id: Uuid,
    body: &tidings_protocol::http::TransferRequest,
) -> Result<Conversation, Failure> {
    post(
        &format!("/v1/conversations/{id}/transfer"),
        token,
        Some(body),
    )
    .await
}

/// `POST /v1/attachments`: sends `file` as a file message in conversation `id`, under the
/// message id `file_id` (kept by the caller across retries, so the file is stored once).
pub async fn upload_attachment(
    token: &str,
    id: Uuid,
    file_id: Uuid,
    file: &web_sys::File,
) -> Result<tidings_protocol::Message, Failure> {
    let url = format!(
        "/v1/attachments?id={file_id}&conversation_id={id}&name={}",
        String::from(js_sys::encode_uri_component(&file.name()))
    );
    send(authorized(Request::post(&url), token).body(file.clone())).await
}
