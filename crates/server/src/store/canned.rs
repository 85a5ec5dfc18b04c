//! Canned responses: saved replies admins manage and every agent reads. Simple CRUD on the
//! pool (nothing here is ordered with messages, so the writer is not involved); a shortcut
//! already taken, whatever its case, is a `conflict`.

use sqlx::any::AnyRow;
use sqlx::Row;
use tidings_protocol::{CannedResponse, ErrorCode};
use uuid::Uuid;

use super::{now_millis, uuid_col};
use crate::db::Pool;
use crate::error::{Error, Result};

/// What an admin gives for a canned response, already checked.
#[derive(Debug, Clone)]
pub struct CannedFields<'a> {
    pub title: &'a str,
    pub shortcut: &'a str,
    pub body: &'a str,
}

fn canned(row: &AnyRow) -> Result<CannedResponse> {
    Ok(CannedResponse {
        id: uuid_col(row, "id")?,
        title: row.try_get("title")?,
        shortcut: row.try_get("shortcut")?,
        body: row.try_get("body")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// A unique-index violation on the shortcut becomes a `conflict` naming it.
fn taken(shortcut: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::client(
            ErrorCode::Conflict,
            format!("the shortcut /{shortcut} is already in use"),
        ),
        _ => Error::Database(e),
    }
}

/// Every canned response, by shortcut.
pub async fn list(pool: &Pool) -> Result<Vec<CannedResponse>> {
    let rows = sqlx::query(
        "SELECT id, title, shortcut, body, updated_at FROM canned_responses
         ORDER BY lower(shortcut)",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(canned).collect()
}

pub async fn insert(pool: &Pool, fields: CannedFields<'_>) -> Result<CannedResponse> {
    let id = Uuid::now_v7();
    let now = now_millis();
    sqlx::query(
        "INSERT INTO canned_responses (id, title, shortcut, body, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(id.to_string())
    .bind(fields.title)
    .bind(fields.shortcut)
    .bind(fields.body)
    .bind(now)
    .execute(pool)
    .await
    .map_err(taken(fields.shortcut))?;
    Ok(CannedResponse {
        id,
        title: fields.title.to_string(),
        shortcut: fields.shortcut.to_string(),
        body: fields.body.to_string(),
        updated_at: now,
    })
}

/// Replaces a canned response's fields; `not_found` when there is no such response.
pub async fn update(pool: &Pool, id: Uuid, fields: CannedFields<'_>) -> Result<CannedResponse> {
    let now = now_millis();
    let done = sqlx::query(
        "UPDATE canned_responses SET title = $1, shortcut = $2, body = $3, updated_at = $4
         WHERE id = $5",
    )
    .bind(fields.title)
    .bind(fields.shortcut)
    .bind(fields.body)
    .bind(now)
    .bind(id.to_string())
    .execute(pool)
    .await
    .map_err(taken(fields.shortcut))?;
    if done.rows_affected() == 0 {
        return Err(Error::not_found("canned response"));
    }
    Ok(CannedResponse {
        id,
        title: fields.title.to_string(),
        shortcut: fields.shortcut.to_string(),
        body: fields.body.to_string(),
        updated_at: now,
    })
}

/// Deletes a canned response; `not_found` when there is no such response.
pub async fn delete(pool: &Pool, id: Uuid) -> Result<()> {
    let done = sqlx::query("DELETE FROM canned_responses WHERE id = $1")
        .bind(id.to_string())
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::not_found("canned response"));
    }
    Ok(())
}
