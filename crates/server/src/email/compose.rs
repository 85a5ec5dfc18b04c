//! What each email says, read from the database when it is sent (so it is current), and
//! whether it should still be sent: a reply the visitor has read, or a chat an agent has
//! taken, needs no email.

use sqlx::Row;
use tidings_protocol::Millis;

use super::outbox::{Entry, Kind};
use super::smtp::Outgoing;
use crate::error::Result;
use crate::store::{now_millis, uuid_col};
use crate::AppState;

/// What to do with a claimed row.
#[derive(Debug)]
pub enum Decision {
    Send(Outgoing),
    /// Not needed any more; the reason is recorded as the row's outcome.
    Skip(&'static str),
    /// Not yet: try again at this time.
    Later(Millis),
}

/// Decides and writes the email for a claimed row.
pub async fn compose(state: &AppState, entry: &Entry) -> Result<Decision> {
    match entry.kind {
        Kind::Reply => reply(state, entry).await,
        Kind::Transcript => transcript(state, entry).await,
        Kind::Waiting => waiting(state, entry).await,
    }
}

/// The link back to the chat: the page the visitor chatted on, else the server's chat page.
fn link(state: &AppState, page_url: Option<String>) -> Option<String> {
    page_url.filter(|u| !u.is_empty()).or_else(|| {
        let email = state.settings.email.as_ref()?;
        let base = email.public_url.as_deref()?;
        Some(format!("{}/chat/", base.trim_end_matches('/')))
    })
}

async fn reply(state: &AppState, entry: &Entry) -> Result<Decision> {
    let Some(message_id) = entry.message_id else {
        return Ok(Decision::Skip("no message"));
    };
    let Some(row) = sqlx::query(
        "SELECT m.seq, m.body, m.author_name, c.visitor_id, c.page_url, v.last_seen_at,
                COALESCE(r.read_seq, 0) AS read_seq
         FROM messages m
         JOIN conversations c ON c.id = m.conversation_id
         JOIN visitors v ON v.id = c.visitor_id
         LEFT JOIN read_states r ON r.conversation_id = c.id AND r.side = 'visitor'
         WHERE m.id = $1",
    )
    .bind(message_id.to_string())
    .fetch_optional(&state.pool)
    .await?
    else {
        return Ok(Decision::Skip("message gone"));
    };
    let seq: i64 = row.try_get("seq")?;
    let read_seq: i64 = row.try_get("read_seq")?;
    if read_seq >= seq {
        return Ok(Decision::Skip("read"));
    }
    let visitor_id = uuid_col(&row, "visitor_id")?;
    let offline_after = state
        .settings
        .email
        .as_ref()
        .map(|e| e.offline_after.as_millis() as Millis)
        .unwrap_or(0);
    let now = now_millis();
    if state.hub.visitor_online(visitor_id) {
        // Still here: they will read it in the chat. Look again once they could have left.
        return Ok(Decision::Later(now + offline_after));
    }
    let last_seen: i64 = row.try_get("last_seen_at")?;
    if last_seen + offline_after > now {
        return Ok(Decision::Later(last_seen + offline_after));
    }
    let author: Option<String> = row.try_get("author_name")?;
    let author = author.unwrap_or_else(|| "Support".to_string());
    let body: String = row.try_get("body")?;
    let mut text = format!("{author} replied to your chat:\n\n{body}\n");
    if let Some(link) = link(state, row.try_get("page_url")?) {
        text.push_str(&format!("\nContinue the conversation: {link}\n"));
    }
    Ok(Decision::Send(Outgoing {
        to: entry.recipient.clone(),
        subject: format!("New reply from {author}"),
        body: text,
    }))
}

async fn transcript(state: &AppState, entry: &Entry) -> Result<Decision> {
    let rows = sqlx::query(
        "SELECT sender, author_name, body FROM messages WHERE conversation_id = $1 ORDER BY seq",
    )
    .bind(entry.conversation_id.to_string())
    .fetch_all(&state.pool)
    .await?;
    let mut text = String::from("The transcript of your chat:\n\n");
    for row in &rows {
        let sender: String = row.try_get("sender")?;
        let author: Option<String> = row.try_get("author_name")?;
        let who = match (sender.as_str(), author) {
            ("system", _) => "—".to_string(),
            ("visitor", _) => "You".to_string(),
            (_, Some(name)) => name,
            (_, None) => "Support".to_string(),
        };
        let body: String = row.try_get("body")?;
        text.push_str(&format!("{who}: {body}\n"));
    }
    let page: Option<String> =
        sqlx::query_scalar("SELECT page_url FROM conversations WHERE id = $1")
            .bind(entry.conversation_id.to_string())
            .fetch_optional(&state.pool)
            .await?
            .flatten();
    if let Some(link) = link(state, page) {
        text.push_str(&format!("\nChat with us again: {link}\n"));
    }
    Ok(Decision::Send(Outgoing {
        to: entry.recipient.clone(),
        subject: "Your chat transcript".to_string(),
        body: text,
    }))
}

async fn waiting(state: &AppState, entry: &Entry) -> Result<Decision> {
    let Some(row) = sqlx::query(
        "SELECT c.status, c.last_message_preview, v.name, v.email
         FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.id = $1",
    )
    .bind(entry.conversation_id.to_string())
    .fetch_optional(&state.pool)
    .await?
    else {
        return Ok(Decision::Skip("conversation gone"));
    };
    let status: String = row.try_get("status")?;
    if status != "waiting" {
        return Ok(Decision::Skip("taken"));
    }
    let name: Option<String> = row.try_get("name")?;
    let email: Option<String> = row.try_get("email")?;
    let preview: Option<String> = row.try_get("last_message_preview")?;
    let who = match (name, email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n,
        (None, Some(e)) => e,
        (None, None) => "A visitor".to_string(),
    };
    let mut text = format!(
        "{who} is waiting for an answer and no agent is online.\n\n{}\n",
        preview.unwrap_or_default()
    );
    if let Some(base) = state
        .settings
        .email
        .as_ref()
        .and_then(|e| e.public_url.as_deref())
    {
        text.push_str(&format!(
            "\nOpen the console: {}/console/\n",
            base.trim_end_matches('/')
        ));
    }
    Ok(Decision::Send(Outgoing {
        to: entry.recipient.clone(),
        subject: format!("A chat is waiting: {who}"),
        body: text,
    }))
}
