//! Conversations: loading them with everything a list item or header shows (visitor
//! details, assigned agent, read state, unread count) and listing them per viewer. Their
//! changes are the writer's (`crate::writer`).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::Pool;
use tidings_protocol::{AgentRef, Conversation, ConversationStatus};
use uuid::Uuid;

use super::read_state::Side;
use super::{opt_uuid_col, u64_col, uuid_col};
use crate::error::{Error, Result};

/// Most conversations one list returns.
const LIST_LIMIT: i64 = 200;

/// The full conversation select; each use appends its own `WHERE`.
macro_rules! conversation_select {
    () => {
        "SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, a.name AS agent_name,
            c.started_at, c.assigned_at, c.ended_at, c.rating, c.feedback,
            v.name AS visitor_name, v.email AS visitor_email, v.user_id AS visitor_user_id,
            v.last_seen_at AS visitor_last_seen_at,
            c.page_url, c.user_agent, c.last_seq, c.last_activity_at, c.last_message_preview,
            COALESCE(vr.read_seq, 0) AS visitor_read_seq,
            COALESCE(ar.read_seq, 0) AS agent_read_seq,
            COALESCE(ar.delivered_seq, 0) AS agent_delivered_seq,
            (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'agent'
                AND m.is_note = 0
                AND m.seq > COALESCE(vr.read_seq, 0)) AS visitor_unread,
            (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'visitor'
                AND m.seq > COALESCE(ar.read_seq, 0)) AS agent_unread
         FROM conversations c
         JOIN visitors v ON v.id = c.visitor_id
         LEFT JOIN agents a ON a.id = c.assigned_agent_id
         LEFT JOIN read_states vr ON vr.conversation_id = c.id AND vr.side = 'visitor'
         LEFT JOIN read_states ar ON ar.conversation_id = c.id AND ar.side = 'agent'"
    };
}

/// Which conversations an agent may see, in SQL over `c` (the conversation), with `$1` the
/// agent's id and `$2` whether they are an admin: the rule `auth::agent_may_see` states,
/// written once for every query that lists conversations for an agent (the `all` list,
/// search).
macro_rules! agent_may_see_sql {
    () => {
        "(c.status = 'waiting' OR c.assigned_agent_id = $1 OR $2)"
    };
}
pub(crate) use agent_may_see_sql;

fn from_row(row: &AnyRow, viewer: Side) -> Result<Conversation> {
    let status: String = row.try_get("status")?;
    let status = ConversationStatus::parse(&status)
        .ok_or_else(|| Error::internal(format!("bad conversation status {status}")))?;
    let assigned_agent = match opt_uuid_col(row, "assigned_agent_id")? {
        Some(id) => Some(AgentRef {
            id,
            name: row
                .try_get::<Option<String>, _>("agent_name")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let unread = match viewer {
        Side::Visitor => u64_col(row, "visitor_unread")?,
        Side::Agent => u64_col(row, "agent_unread")?,
    };
    Ok(Conversation {
        id: uuid_col(row, "id")?,
        visitor_id: uuid_col(row, "visitor_id")?,
        status,
        assigned_agent,
        started_at: row.try_get("started_at")?,
        assigned_at: row.try_get("assigned_at")?,
        ended_at: row.try_get("ended_at")?,
        rating: row.try_get::<Option<i64>, _>("rating")?.map(|r| r as u8),
        feedback: row.try_get("feedback")?,
        visitor_name: row.try_get("visitor_name")?,
        visitor_email: row.try_get("visitor_email")?,
        visitor_user_id: row.try_get("visitor_user_id")?,
        page_url: row.try_get("page_url")?,
        user_agent: row.try_get("user_agent")?,
        last_seq: u64_col(row, "last_seq")?,
        last_activity_at: row.try_get("last_activity_at")?,
        last_message_preview: row.try_get("last_message_preview")?,
        visitor_read_seq: u64_col(row, "visitor_read_seq")?,
        agent_read_seq: u64_col(row, "agent_read_seq")?,
        agent_delivered_seq: u64_col(row, "agent_delivered_seq")?,
        unread: unread.min(u32::MAX as u64) as u32,
        visitor_online: false,
        visitor_last_seen_at: row.try_get("visitor_last_seen_at")?,
    })
}

/// One conversation as `viewer` sees it (its `unread` counts the other side's messages).
pub async fn get(conn: &mut AnyConnection, id: Uuid, viewer: Side) -> Result<Option<Conversation>> {
    let row = sqlx::query(concat!(conversation_select!(), " WHERE c.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(|r| from_row(r, viewer)).transpose()
}

/// Like [`get`], from the pool.
pub async fn load(pool: &Pool, id: Uuid, viewer: Side) -> Result<Option<Conversation>> {
    let mut conn = pool.acquire().await?;
    get(&mut conn, id, viewer).await
}

/// Both views of one conversation from one read: (the visitor's, the agents'). They differ
/// only in whose unread messages `unread` counts, and the row has both counts.
pub async fn load_both(pool: &Pool, id: Uuid) -> Result<Option<(Conversation, Conversation)>> {
    let row = sqlx::query(concat!(conversation_select!(), " WHERE c.id = $1"))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref()
        .map(|r| Ok((from_row(r, Side::Visitor)?, from_row(r, Side::Agent)?)))
        .transpose()
}

/// A visitor's conversations, newest activity first.
pub async fn list_for_visitor(pool: &Pool, visitor_id: Uuid) -> Result<Vec<Conversation>> {
    let rows = sqlx::query(concat!(
        conversation_select!(),
        " WHERE c.visitor_id = $1 ORDER BY c.last_activity_at DESC LIMIT $2"
    ))
    .bind(visitor_id.to_string())
    .bind(LIST_LIMIT)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| from_row(r, Side::Visitor)).collect()
}

/// A visitor's conversations that an agent may see (the visitor panel's list), newest
/// activity first, `unread` counted for agents.
pub async fn list_of_visitor_for_agent(
    pool: &Pool,
    visitor_id: Uuid,
    agent_id: Uuid,
    is_admin: bool,
) -> Result<Vec<Conversation>> {
    let rows = sqlx::query(concat!(
        conversation_select!(),
        " WHERE c.visitor_id = $3 AND ",
        agent_may_see_sql!(),
        " ORDER BY c.last_activity_at DESC LIMIT $4"
    ))
    .bind(agent_id.to_string())
    .bind(is_admin)
    .bind(visitor_id.to_string())
    .bind(LIST_LIMIT)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| from_row(r, Side::Agent)).collect()
}

/// Which conversations an agent list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentFilter {
    Waiting,
    Mine,
    All,
    Ended,
}

impl AgentFilter {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(AgentFilter::Waiting),
            "mine" => Some(AgentFilter::Mine),
            "all" => Some(AgentFilter::All),
            "ended" => Some(AgentFilter::Ended),
            _ => None,
        }
    }
}

/// An agent's list. Plain agents see waiting conversations and their own; admins all.
pub async fn list_for_agent(
    pool: &Pool,
    agent_id: Uuid,
    is_admin: bool,
    filter: AgentFilter,
) -> Result<Vec<Conversation>> {
    let query = match filter {
        // The first page of the queue, oldest first ([`waiting_page`] pages on).
        AgentFilter::Waiting => sqlx::query(concat!(
            conversation_select!(),
            " WHERE c.status = 'waiting' AND $1 IS NOT NULL AND $2 IS NOT NULL
              ORDER BY c.started_at, c.id LIMIT 200"
        )),
        AgentFilter::Mine => sqlx::query(concat!(
            conversation_select!(),
            " WHERE c.status = 'active' AND c.assigned_agent_id = $1 AND $2 IS NOT NULL
              ORDER BY c.last_activity_at DESC LIMIT 200"
        )),
        AgentFilter::All => sqlx::query(concat!(
            conversation_select!(),
            " WHERE ",
            agent_may_see_sql!(),
            " ORDER BY c.last_activity_at DESC LIMIT 200"
        )),
        AgentFilter::Ended => sqlx::query(concat!(
            conversation_select!(),
            " WHERE c.status = 'ended' AND (c.assigned_agent_id = $1 OR $2)
              ORDER BY c.last_activity_at DESC LIMIT 200"
        )),
    };
    let rows = query
        .bind(agent_id.to_string())
        .bind(is_admin)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| from_row(r, Side::Agent)).collect()
}

/// Where a page of the waiting list starts: after this conversation's (started_at, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingCursor {
    pub started_at: i64,
    pub id: String,
}

impl WaitingCursor {
    /// The cursor's text form, `STARTED_AT.ID` (opaque to clients).
    pub fn encode(&self) -> String {
        format!("{}.{}", self.started_at, self.id)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let (started_at, id) = text.split_once('.')?;
        let id = Uuid::parse_str(id).ok()?;
        Some(WaitingCursor {
            started_at: started_at.parse().ok()?,
            id: id.to_string(),
        })
    }
}

/// One page of the waiting list, oldest first (by when the conversation started, then id):
/// every waiting conversation is reachable page by page, however many a flood added, and
/// the customers who have waited longest come first. Returns the page and the cursor of
/// the next one, if more follow.
pub async fn waiting_page(
    pool: &Pool,
    after: Option<&WaitingCursor>,
    limit: u32,
) -> Result<(Vec<Conversation>, Option<WaitingCursor>)> {
    let limit = limit.clamp(1, LIST_LIMIT as u32);
    let (started_at, id) = match after {
        Some(c) => (c.started_at, c.id.clone()),
        None => (i64::MIN, String::new()),
    };
    let rows = sqlx::query(concat!(
        conversation_select!(),
        " WHERE c.status = 'waiting' AND (c.started_at > $1 OR (c.started_at = $1 AND c.id > $2))
          ORDER BY c.started_at, c.id LIMIT $3"
    ))
    .bind(started_at)
    .bind(id)
    .bind(i64::from(limit) + 1)
    .fetch_all(pool)
    .await?;
    let mut page = rows
        .iter()
        .map(|r| from_row(r, Side::Agent))
        .collect::<Result<Vec<_>>>()?;
    let next = if page.len() > limit as usize {
        page.truncate(limit as usize);
        page.last().map(|c| WaitingCursor {
            started_at: c.started_at,
            id: c.id.to_string(),
        })
    } else {
        None
    };
    Ok((page, next))
}

/// The conversations a `queue` frame starts with: the first page of the waiting list (the
/// longest-waiting, so a flood of newer chats cannot crowd them out; later pages come over
/// HTTP), everything else visible and not ended, and the most recent ended ones.
pub async fn queue_for_agent(
    pool: &Pool,
    agent_id: Uuid,
    is_admin: bool,
) -> Result<Vec<Conversation>> {
    let mut open = list_for_agent(pool, agent_id, is_admin, AgentFilter::Waiting).await?;
    // Active ones apart, so a flood of waiting chats cannot crowd them out either.
    let active = sqlx::query(concat!(
        conversation_select!(),
        " WHERE c.status = 'active' AND (c.assigned_agent_id = $1 OR $2)
          ORDER BY c.last_activity_at DESC LIMIT 200"
    ))
    .bind(agent_id.to_string())
    .bind(is_admin)
    .fetch_all(pool)
    .await?;
    for row in &active {
        open.push(from_row(row, Side::Agent)?);
    }
    let mut ended = list_for_agent(pool, agent_id, is_admin, AgentFilter::Ended).await?;
    ended.truncate(50);
    open.extend(ended);
    open.sort_by_key(|c| std::cmp::Reverse(c.last_activity_at));
    Ok(open)
}

/// Conversations left active without an agent (their agent was removed): the partial index
/// `conversations_orphaned` holds exactly these, so asking is cheap when there are none.
pub async fn orphaned(pool: &Pool) -> Result<Vec<Uuid>> {
    let rows = sqlx::query(
        "SELECT id FROM conversations WHERE status = 'active' AND assigned_agent_id IS NULL",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| uuid_col(r, "id")).collect()
}
