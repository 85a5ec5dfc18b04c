//! Visitors: anonymous people chatting through the widget, known by their token.

use sqlx::Row;

use crate::db::Pool;
use tidings_protocol::http::{UpdateVisitorRequest, VisitorProfile};
use uuid::Uuid;

use super::{now_millis, uuid_col};
use crate::error::{Error, Result};

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

pub async fn id_by_token_hash(pool: &Pool, token_hash: &str) -> Result<Option<Uuid>> {
    let row = sqlx::query("SELECT id FROM visitors WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(|r| uuid_col(r, "id")).transpose()
}

pub async fn profile(pool: &Pool, id: Uuid) -> Result<VisitorProfile> {
    let row = sqlx::query("SELECT name, email FROM visitors WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| Error::not_found("visitor"))?;
    Ok(VisitorProfile {
        visitor_id: id,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
    })
}

/// Sets the fields present in `update` (absent ones keep their value).
pub async fn update(pool: &Pool, id: Uuid, update: &UpdateVisitorRequest) -> Result<()> {
    sqlx::query(
        "UPDATE visitors SET name = COALESCE($1, name), email = COALESCE($2, email),
         page_url = COALESCE($3, page_url) WHERE id = $4",
    )
    .bind(&update.name)
    .bind(&update.email)
    .bind(&update.page_url)
    .bind(id.to_string())
    .execute(pool)
    .await?;
    Ok(())
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
