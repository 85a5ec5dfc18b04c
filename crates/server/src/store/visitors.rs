//! Visitors: anonymous people chatting through the widget, known by their token.

use sqlx::Row;

use crate::db::Pool;
use tidings_protocol::http::{UpdateVisitorRequest, VisitorProfile};
use uuid::Uuid;

use super::{now_millis, uuid_col};
use crate::error::{Error, Result};
use tidings_protocol::ErrorCode;

/// Details a visitor may attach, already validated.
#[derive(Debug, Clone, Default)]
pub struct VisitorDetails {
    pub name: Option<String>,
    pub email: Option<String>,
    pub page_url: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn create(pool: &Pool, token_hash: &str, details: &VisitorDetails) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = now_millis();
    sqlx::query(
        "INSERT INTO visitors (id, token_hash, name, email, page_url, user_agent, created_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(token_hash)
    .bind(&details.name)
    .bind(&details.email)
    .bind(&details.page_url)
    .bind(&details.user_agent)
    .bind(now)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(id)
}

/// The visitor a token opens: its own, or the verified visitor it was joined to (see
/// [`bind_user`]).
pub async fn id_by_token_hash(pool: &Pool, token_hash: &str) -> Result<Option<Uuid>> {
    let row =
        sqlx::query("SELECT COALESCE(merged_into, id) AS id FROM visitors WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
    row.as_ref().map(|r| uuid_col(r, "id")).transpose()
}

pub async fn profile(pool: &Pool, id: Uuid) -> Result<VisitorProfile> {
    let row = sqlx::query("SELECT name, email, user_id FROM visitors WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| Error::not_found("visitor"))?;
    Ok(VisitorProfile {
        visitor_id: id,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        user_id: row.try_get("user_id")?,
    })
}

/// Sets the fields present in `update` (absent ones keep their value).
pub async fn update(pool: &Pool, id: Uuid, update: &UpdateVisitorRequest) -> Result<()> {
    sqlx::query(
        "UPDATE visitors SET name = COALESCE($1, name), email = COALESCE($2, email),
         page_url = COALESCE($3, page_url), time_zone = COALESCE($5, time_zone) WHERE id = $4",
    )
    .bind(&update.name)
    .bind(&update.email)
    .bind(&update.page_url)
    .bind(id.to_string())
    .bind(&update.time_zone)
    .execute(pool)
    .await?;
    Ok(())
}

/// Where the visitor is now: (the page they are on, their time zone).
pub async fn whereabouts(pool: &Pool, id: Uuid) -> Result<(Option<String>, Option<String>)> {
    let row = sqlx::query("SELECT page_url, time_zone FROM visitors WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| Error::not_found("visitor"))?;
    Ok((row.try_get("page_url")?, row.try_get("time_zone")?))
}

/// Records that the visitor was seen now (and with which browser, if known).
pub async fn touch(pool: &Pool, id: Uuid, user_agent: Option<&str>) -> Result<()> {
    sqlx::query(
        "UPDATE visitors SET last_seen_at = $1, user_agent = COALESCE($2, user_agent) WHERE id = $3",
    )
    .bind(now_millis())
    .bind(user_agent)
    .bind(id.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

/// Where a verified `user_id` left this browser's visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// The visitor holds the `user_id` (it just took it, or had it already).
    Holder,
    /// Another visitor held the `user_id` already (the same person on another browser):
    /// this browser's anonymous visitor `merged` joined that `canonical` one. Its
    /// conversations moved there, and its token now opens `canonical`.
    Joined { merged: Uuid, canonical: Uuid },
}

/// Attaches a verified `user_id` to the visitor: the first visitor to verify a `user_id`
/// holds it; an anonymous visitor verifying one that is held joins its holder. A visitor
/// verified as another `user_id` is refused (the site must call `Tidings('shutdown')` when
/// its user logs out), so one person's conversations never reach another's browser.
pub async fn bind_user(pool: &Pool, visitor_id: Uuid, user_id: &str) -> Result<Binding> {
    let mut attempt = 0;
    loop {
        match try_bind_user(pool, visitor_id, user_id).await {
            // Two browsers taking the same new `user_id` at once on PostgreSQL: the second
            // fails on the unique index once the first commits; again, it joins the first.
            Err(e) if e.is_conflict() && attempt < 2 => attempt += 1,
            other => return other,
        }
    }
}

async fn try_bind_user(pool: &Pool, visitor_id: Uuid, user_id: &str) -> Result<Binding> {
    let id = visitor_id.to_string();
    let mut tx = pool.begin().await?;
    // A write first, so SQLite takes its write lock now and nothing changes under the
    // reads that follow.
    let taken = sqlx::query(
        "UPDATE visitors SET user_id = $1 WHERE id = $2 AND user_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM visitors WHERE user_id = $3)",
    )
    .bind(user_id)
    .bind(&id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if taken.rows_affected() == 1 {
        tx.commit().await?;
        return Ok(Binding::Holder);
    }
    let held: Option<String> = sqlx::query("SELECT user_id FROM visitors WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::not_found("visitor"))?
        .try_get("user_id")?;
    match held {
        Some(held) if held == user_id => {
            tx.commit().await?;
            return Ok(Binding::Holder);
        }
        Some(_) => {
            return Err(Error::client(
                ErrorCode::Conflict,
                "this browser is identified as another user: call Tidings('shutdown') when a user logs out, before identifying the next",
            ))
        }
        None => {}
    }
    let canonical = sqlx::query("SELECT id FROM visitors WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::internal("the holder of a user_id vanished"))?;
    let canonical = uuid_col(&canonical, "id")?;
    // Marking the visitor first takes its row lock on PostgreSQL, which the writer also
    // takes before opening a conversation for it: a conversation it opened before is moved
    // below, and none is opened for it after (the writer refuses joined visitors).
    sqlx::query("UPDATE visitors SET merged_into = $1 WHERE id = $2 AND user_id IS NULL")
        .bind(canonical.to_string())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE conversations SET visitor_id = $1 WHERE visitor_id = $2")
        .bind(canonical.to_string())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Binding::Joined {
        merged: visitor_id,
        canonical,
    })
}

/// Ends a visitor token (`Tidings('shutdown')`): its row gets the hash of a token nobody
/// knows, so it opens nothing any more, while the conversations stay for the agents (and
/// for the person's other verified browsers). Whether the token was known.
pub async fn revoke_token(pool: &Pool, token_hash: &str, unusable_hash: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE visitors SET token_hash = $1 WHERE token_hash = $2")
        .bind(unusable_hash)
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
