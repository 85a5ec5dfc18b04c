//! The server's error type. Client mistakes carry a protocol [`ErrorCode`] and a human
//! message; internal failures are logged and reach clients only as `internal`, except a
//! disk that refuses writes (full or failing), which clients are told as a passing
//! `overloaded` ([`STORAGE_FAILING`]): nothing was stored, and the same write goes through
//! once there is room.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tidings_protocol::http::ApiError;
use tidings_protocol::{ErrorCode, ServerFrame};

/// What a client is told when the disk refuses a write.
pub const STORAGE_FAILING: &str =
    "the server cannot store anything right now (its storage is full or failing); \
     nothing was stored, send it again in a moment";

/// Result alias used across the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the client can fix, with the code and message it is told.
    #[error("{code:?}: {message}")]
    Client { code: ErrorCode, message: String },
    /// The database failed; details go to the log only.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The writer's database connection failed; details go to the log only.
    #[error("database error: {0}")]
    Storage(#[from] rusqlite::Error),
    /// Anything else that should not happen; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn client(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Client {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Error::client(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::client(ErrorCode::Forbidden, message)
    }

    pub fn unauthorized() -> Self {
        Error::client(ErrorCode::Unauthorized, "missing, unknown or revoked token")
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::client(ErrorCode::InvalidField, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// A failure another node's concurrent transaction caused (a deadlock, a serialization
    /// failure, a duplicate key it committed first): trying again sees its commit.
    pub fn is_conflict(&self) -> bool {
        let Error::Database(sqlx::Error::Database(db)) = self else {
            return false;
        };
        matches!(db.code().as_deref(), Some("40P01" | "40001" | "23505"))
    }

    /// Whether the database could not write its files: the disk is full (or past the
    /// process's file-size limit) or failing. Nothing was stored. SQLite's `SQLITE_FULL` and
    /// `SQLITE_IOERR` (from the writer's connection or the pool's); PostgreSQL's `disk_full`
    /// and `io_error`.
    pub fn is_storage_failure(&self) -> bool {
        match self {
            Error::Storage(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::SystemIoFailure)
            ),
            Error::Database(sqlx::Error::Database(db)) => {
                if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    // The extended result code; the primary code is its low byte.
                    db.code()
                        .and_then(|code| code.parse::<i32>().ok())
                        .is_some_and(|code| matches!(code & 0xff, SQLITE_IOERR | SQLITE_FULL))
                } else {
                    matches!(db.code().as_deref(), Some("53100" | "58030"))
                }
            }
            _ => false,
        }
    }

    /// The code a client is told.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Client { code, .. } => *code,
            _ if self.is_storage_failure() => ErrorCode::Overloaded,
            Error::Database(_) | Error::Storage(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a client is told: never the internal details.
    pub fn public_message(&self) -> String {
        match self {
            Error::Client { message, .. } => message.clone(),
            _ if self.is_storage_failure() => STORAGE_FAILING.to_string(),
            Error::Database(_) | Error::Storage(_) | Error::Internal(_) => {
                "internal error; it has been logged".to_string()
            }
        }
    }

    /// Logs internal errors (client errors are ordinary traffic) and counts them all.
    fn report(&self) {
        crate::metrics::global().record_error(self.code());
        if !matches!(self, Error::Client { .. }) {
            tracing::error!(error = %self, "request failed");
        }
    }

    /// This error as an `error` frame, naming the refused message if there is one.
    pub fn to_frame(&self, id: Option<uuid::Uuid>) -> ServerFrame {
        self.frame_about(id, None)
    }

    /// This error as an `error` frame about a message and/or a conversation.
    pub fn frame_about(
        &self,
        id: Option<uuid::Uuid>,
        conversation_id: Option<uuid::Uuid>,
    ) -> ServerFrame {
        self.report();
        ServerFrame::Error {
            code: self.code(),
            message: self.public_message(),
            id,
            conversation_id,
        }
    }
}

/// SQLite's primary result codes for a failed read or write of a file, and a full disk.
const SQLITE_IOERR: i32 = 10;
const SQLITE_FULL: i32 = 13;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.report();
        let code = self.code();
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ApiError {
            code,
            message: self.public_message(),
        };
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_failure(code: i32) -> Error {
        Error::Storage(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        ))
    }

    #[test]
    fn a_full_or_failing_disk_is_a_passing_refusal_that_says_so() {
        // SQLITE_FULL, SQLITE_IOERR_WRITE (what a file-size limit gives), SQLITE_IOERR_FSYNC.
        for code in [13, 10 | (3 << 8), 10 | (4 << 8)] {
            let e = sqlite_failure(code);
            assert!(e.is_storage_failure(), "{code}");
            assert_eq!(e.code(), ErrorCode::Overloaded);
            assert_eq!(e.public_message(), STORAGE_FAILING);
        }
        // A constraint or a busy database is something else.
        for code in [19, 5] {
            let e = sqlite_failure(code);
            assert!(!e.is_storage_failure(), "{code}");
            assert_eq!(e.code(), ErrorCode::Internal);
        }
    }
}
