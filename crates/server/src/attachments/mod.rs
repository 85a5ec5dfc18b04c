//! Attachments: files sent in a conversation, both ways. A file message is a message whose
//! `attachment` names a file stored under the message's own id; its body is the file's name.
//!
//! - Upload (`POST /v1/attachments`, see `http::attachments`): the raw body is the file.
//!   Its size is checked against `--attachment-max-bytes` while it is read, its type is read
//!   from its content ([`sniff`]) and checked against `--attachment-types`; the file is
//!   stored ([`store`]), then the message goes through the writer like any send. The client
//!   chooses the id, so a retried upload stores the file once and the message once.
//! - Fetch (`GET /v1/attachments/{id}`): with a signed link ([`signing`]) minted for those
//!   who may see the conversation, or a bearer token of one of them. Served with headers
//!   that keep an uploaded page from ever running as one ([`served_headers`]).

pub mod signing;
pub mod sniff;
pub mod store;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue};
use futures_util::StreamExt;
use tidings_protocol::{Attachment, ErrorCode, Message};
use uuid::Uuid;

use crate::auth::Principal;
use crate::chat;
use crate::error::{Error, Result};
use crate::AppState;

pub use signing::LinkKey;

/// The default largest file: 10 MB.
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// What files the server accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentSettings {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Content types accepted, as [`sniff::content_type`] names them.
    pub types: Vec<String>,
}

impl Default for AttachmentSettings {
    fn default() -> Self {
        AttachmentSettings {
            max_bytes: DEFAULT_MAX_BYTES,
            types: sniff::DEFAULT_TYPES.iter().map(|t| t.to_string()).collect(),
        }
    }
}

/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// What the uploader says about a file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file message's id, chosen by the client.
    pub id: Uuid,
    /// The conversation; a visitor may leave it out (their open conversation, created if
    /// there is none, as for a text message).
    pub conversation_id: Option<Uuid>,
    pub name: String,
    /// The request's `Content-Length`, to refuse an oversized file before reading it.
    pub declared_len: Option<u64>,
}

/// A file name fit to store and show: its last path segment, without control characters,
/// at most [`MAX_NAME_CHARS`] characters; `file` when nothing is left.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let name: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        "file".to_string()
    } else {
        name.to_string()
    }
}

fn uploader_of(principal: &Principal) -> String {
    match principal {
        Principal::Visitor { id } => format!("visitor:{id}"),
        Principal::Agent(agent) => format!("agent:{}", agent.id),
    }
}

fn too_large(max: u64) -> Error {
    Error::client(
        ErrorCode::FileTooLarge,
        format!(
            "the file is too large: files up to {} are accepted",
            human_size(max)
        ),
    )
}

/// `10 MB`, `512 KB`, `300 bytes`: for error messages.
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads a request body of at most `max` bytes.
async fn read_limited(body: Body, max: u64) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Error::invalid("the upload was cut off"))?;
        if (data.len() + chunk.len()) as u64 > max {
            drain(stream, max, data.len() as u64 + chunk.len() as u64).await;
            return Err(too_large(max));
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

/// Reads and drops what is left of a refused upload, up to `max` bytes in all beyond the
/// limit: a browser still sending when the server answers and closes may be cut off by a
/// reset before it reads the answer, and then it could only say "network error" instead of
/// "too large". A file up to twice the limit gets the answer for sure; beyond that the
/// server stops reading.
async fn drain(mut stream: axum::body::BodyDataStream, max: u64, mut read: u64) {
    let enough = max.saturating_mul(2);
    while read <= enough {
        match stream.next().await {
            Some(Ok(chunk)) => read += chunk.len() as u64,
            _ => return,
        }
    }
}

/// The key links are signed with, loaded once per node.
pub async fn link_key(state: &AppState) -> Result<&LinkKey> {
    state
        .attachment_key
        .get_or_try_init(|| LinkKey::load(&state.pool))
        .await
}

fn now_secs() -> i64 {
    crate::store::now_millis().div_euclid(1000)
}

/// Gives every attachment in `messages` a fresh signed link (the caller may see them all).
pub async fn sign(state: &AppState, messages: &mut [Message]) -> Result<()> {
    if messages.iter().all(|m| m.attachment.is_none()) {
        return Ok(());
    }
    let key = link_key(state).await?;
    let now = now_secs();
    for attachment in messages.iter_mut().filter_map(|m| m.attachment.as_mut()) {
        attachment.url = Some(key.link(attachment.id, now));
    }
    Ok(())
}

/// Stores an uploaded file and sends the file message that carries it; answers the
/// stored message (the same one for a retried upload).
pub async fn upload(
    state: &AppState,
    principal: &Principal,
    upload: Upload,
    body: Body,
) -> Result<Message> {
    if let Some(conversation_id) = upload.conversation_id {
        chat::load_visible(state, principal, conversation_id).await?;
    } else if matches!(principal, Principal::Agent(_)) {
        return Err(Error::invalid("conversation_id is required"));
    }
    let limits = &state.settings.attachments;
    if let Some(declared) = upload.declared_len.filter(|len| *len > limits.max_bytes) {
        // Up to twice the limit is read and dropped (see `drain`); more is cut off at once.
        if declared <= limits.max_bytes.saturating_mul(2) {
            drain(body.into_data_stream(), limits.max_bytes, 0).await;
        }
        return Err(too_large(limits.max_bytes));
    }
    let data = read_limited(body, limits.max_bytes).await?;
    if data.is_empty() {
        return Err(Error::invalid("the file is empty"));
    }
    let content_type = sniff::content_type(&data);
    if !limits.types.iter().any(|t| t == content_type) {
        return Err(Error::client(
            ErrorCode::UnsupportedFileType,
            format!("files of this type ({content_type}) cannot be sent here"),
        ));
    }
    let wanted = store::Stored {
        uploader: uploader_of(principal),
        name: clean_name(&upload.name),
        content_type: content_type.to_string(),
        size: data.len() as u64,
    };
    let (stored, inserted) = store::insert(
        &state.pool,
        upload.id,
        &wanted,
        data,
        crate::store::now_millis(),
    )
    .await?;
    if stored.uploader != wanted.uploader {
        return Err(Error::client(
            ErrorCode::Conflict,
            "this attachment id is already used",
        ));
    }
    let key = link_key(state).await?;
    let attachment = Attachment {
        id: upload.id,
        name: stored.name.clone(),
        size: stored.size,
        content_type: stored.content_type.clone(),
        url: Some(key.link(upload.id, now_secs())),
    };
    let sent = chat::send_message(
        state,
        principal,
        upload.id,
        upload.conversation_id,
        &stored.name,
        Some(attachment),
    )
    .await;
    let (outcome, message) = match sent {
        Ok(sent) => sent,
        Err(e) => {
            // A refused message (the chat ended, the visitor is blocked, ...) leaves no file
            // behind; a retry uploads it again.
            if inserted && matches!(e, Error::Client { .. }) {
                store::delete_unsent(&state.pool, upload.id).await?;
            }
            return Err(e);
        }
    };
    if let Some(news) = outcome.announcement {
        chat::announce_sent(state, news).await?;
    }
    Ok(message)
}

/// How a fetch proves it may read the file.
pub enum Proof {
    /// A signed link's `expires` and `sig`.
    Link { expires: i64, sig: String },
    /// A bearer token's principal.
    Bearer(Principal),
}

/// The file `id`, if `proof` shows the caller may read it; anything else is `not_found`
/// or, for a bad link, `forbidden`.
pub async fn fetch(state: &AppState, id: Uuid, proof: Proof) -> Result<store::File> {
    if let Proof::Link { expires, sig } = &proof {
        if !link_key(state).await?.check(id, *expires, sig, now_secs()) {
            return Err(Error::forbidden(
                "this link to the file has expired or is not valid; reload to get a new one",
            ));
        }
    }
    let file = store::load(&state.pool, id)
        .await?
        .ok_or_else(|| Error::not_found("attachment"))?;
    // A file no message carries is nobody's to fetch.
    let conversation_id = file
        .conversation_id
        .ok_or_else(|| Error::not_found("attachment"))?;
    if let Proof::Bearer(principal) = &proof {
        chat::load_visible(state, principal, conversation_id)
            .await
            .map_err(|_| Error::not_found("attachment"))?;
    }
    Ok(file)
}

/// The headers a file is served with: its stored type, `nosniff`, a policy that lets
/// nothing in it run or load (`sandbox`, so even a page opened directly has an opaque
/// origin), and a disposition that shows pictures in place and downloads anything else,
/// under its name.
pub fn served_headers(stored: &store::Stored) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let content_type = if stored.content_type == "text/plain" {
        "text/plain; charset=utf-8".to_string()
    } else {
        stored.content_type.clone()
    };
    let value = |v: &str| {
        HeaderValue::from_str(v)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(header::CONTENT_TYPE, value(&content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    let inline =
        stored.content_type.starts_with("image/") && stored.content_type != "image/svg+xml";
    let disposition = content_disposition(inline, &stored.name);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers
}

/// `inline` or `attachment`, with the name twice (RFC 6266): `filename` as plain ASCII with
/// quotes, backslashes and anything else escaped away, and `filename*` percent-encoded
/// UTF-8 for browsers that read it (all current ones).
pub fn content_disposition(inline: bool, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\ada\\shot.png"), "shot.png");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\nb\u{7}.txt"), "ab.txt");
        assert_eq!(clean_name("  "), "file");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name(&"x".repeat(500)).chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn a_disposition_escapes_the_name() {
        assert_eq!(
            content_disposition(false, "a\"b\\c; d.pdf"),
            "attachment; filename=\"a_b_c; d.pdf\"; filename*=UTF-8''a%22b%5Cc%3B%20d.pdf"
        );
        assert_eq!(
            content_disposition(true, "été.png"),
            "inline; filename=\"_t_.png\"; filename*=UTF-8''%C3%A9t%C3%A9.png"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(human_size(1536), "1 KB");
        assert_eq!(human_size(12), "12 bytes");
    }
}
