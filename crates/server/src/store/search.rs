//! Full-text search through the database's own index (never a scan): SQLite's FTS5 tables
//! `message_search` and `visitor_search`, PostgreSQL's `tsvector` with GIN indexes (see the
//! `search` migrations). This file holds the one place where the two engines' queries
//! differ. Visibility is the listing rule ([`agent_may_see_sql`]) inside the query, so a
//! plain agent's page of results is filled with what they may open.

use tidings_protocol::Message;
use uuid::Uuid;

use super::conversations::agent_may_see_sql;
use super::uuid_col;
use crate::db::{Backend, Pool};
use crate::error::Result;

/// The matching query for each engine, from words [`crate::search_terms::parse`] read:
/// each word must start a word of the text (prefix match), all of them must occur. Words
/// hold only letters, digits and `@ . _ + -`, so neither quoting below can be escaped.
fn match_expression(backend: &Backend, words: &[String]) -> String {
    if backend.is_postgres() {
        // `'word':*` is a prefix lexeme; to_tsquery runs it through the same parser that
        // built the tsvector, so `grace@example.com` stays one email token.
        words
            .iter()
            .map(|w| format!("'{w}':*"))
            .collect::<Vec<_>>()
            .join(" & ")
    } else {
        // An FTS5 string is a phrase of its tokens (`NEAR` or `-` inside is text), and `*`
        // after it makes its last token a prefix.
        words
            .iter()
            .map(|w| format!("\"{w}\" *"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The newest messages matching `words` in conversations the agent may see, newest first.
pub async fn messages(
    pool: &Pool,
    backend: &Backend,
    agent_id: Uuid,
    is_admin: bool,
    words: &[String],
    limit: usize,
) -> Result<Vec<Message>> {
    let sql = if backend.is_postgres() {
        concat!(
            "SELECT m.id, m.conversation_id, m.seq, m.sender, m.agent_id, m.author_name,
                m.body, m.created_at
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.search @@ to_tsquery('simple', $3) AND ",
            agent_may_see_sql!(),
            " ORDER BY m.created_at DESC, m.seq DESC LIMIT $4"
        )
    } else {
        // FTS5 walks its index newest rowid first, so the LIMIT ends the walk early.
        concat!(
            "SELECT m.id, m.conversation_id, m.seq, m.sender, m.agent_id, m.author_name,
                m.body, m.created_at
             FROM message_search s
             JOIN messages m ON m.rowid = s.rowid
             JOIN conversations c ON c.id = m.conversation_id
             WHERE message_search MATCH $3 AND ",
            agent_may_see_sql!(),
            " ORDER BY s.rowid DESC LIMIT $4"
        )
    };
    let rows = sqlx::query(sql)
        .bind(agent_id.to_string())
        .bind(is_admin)
        .bind(match_expression(backend, words))
        .bind(limit as i64)
        .fetch_all(pool)
        .await?;
    rows.iter().map(super::messages::from_row).collect()
}

/// The conversations, most recently active first, of visitors whose name or email match
/// `words`, among those the agent may see.
pub async fn visitor_conversations(
    pool: &Pool,
    backend: &Backend,
    agent_id: Uuid,
    is_admin: bool,
    words: &[String],
    limit: usize,
) -> Result<Vec<Uuid>> {
    let sql = if backend.is_postgres() {
        // The expression of the `visitors_search` index, exactly.
        concat!(
            "SELECT c.id FROM visitors v JOIN conversations c ON c.visitor_id = v.id
             WHERE to_tsvector('simple', coalesce(v.name, '') || ' ' || coalesce(v.email, '')
                 || ' ' || translate(coalesce(v.email, ''), '@.+_-', '     '))
                 @@ to_tsquery('simple', $3) AND ",
            agent_may_see_sql!(),
            " ORDER BY c.last_activity_at DESC LIMIT $4"
        )
    } else {
        concat!(
            "SELECT c.id FROM visitor_search s
             JOIN visitors v ON v.rowid = s.rowid
             JOIN conversations c ON c.visitor_id = v.id
             WHERE visitor_search MATCH $3 AND ",
            agent_may_see_sql!(),
            " ORDER BY c.last_activity_at DESC LIMIT $4"
        )
    };
    let rows = sqlx::query(sql)
        .bind(agent_id.to_string())
        .bind(is_admin)
        .bind(match_expression(backend, words))
        .bind(limit as i64)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| uuid_col(r, "id")).collect()
}
