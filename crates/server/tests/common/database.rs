//! The database a test runs on: SQLite (a file in a temporary directory) or PostgreSQL (a
//! fresh database on a throwaway cluster), chosen by `TIDINGS_TEST_BACKEND` (`sqlite`, the
//! default, or `postgres`). The same test bodies run on both: `cargo xtask test` runs the
//! suite once per backend.
//!
//! The PostgreSQL cluster is started by the first test that needs it and shared by the
//! test binary's tests, each on its own database; `TIDINGS_TEST_POSTGRES_URL`
//! (`postgres://USER@HOST:PORT`) points the tests at an existing cluster instead.

use std::sync::{Arc, OnceLock};

use sqlx::Connection;
use tempfile::TempDir;
use uuid::Uuid;

use super::postgres::PgCluster;

/// Whether this run's tests use PostgreSQL.
pub fn postgres() -> bool {
    std::env::var("TIDINGS_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// The base URL (`postgres://USER@127.0.0.1:PORT`) of the cluster shared by this binary.
pub fn shared_cluster() -> &'static str {
    static CLUSTER: OnceLock<String> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        if let Ok(url) = std::env::var("TIDINGS_TEST_POSTGRES_URL") {
            return url;
        }
        // Never dropped: the cluster lives as long as the test binary, and its watchdog
        // stops it and removes its files when the binary exits.
        let cluster = Box::leak(Box::new(PgCluster::start()));
        cluster.base_url()
    })
}

/// Creates a fresh, empty database on the cluster at `base` and returns its URL.
pub async fn create_database(base: &str) -> String {
    let name = format!("t_{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
        .await
        .expect("connect to the test cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    let _ = admin.close().await;
    format!("{base}/{name}")
}

/// A test's database, kept across restarts of the server on it.
pub struct TestDb {
    pub url: String,
    /// The SQLite file's directory (removed when the last user drops it).
    pub dir: Option<Arc<TempDir>>,
}

impl TestDb {
    /// A fresh database on this run's backend.
    pub async fn new() -> Arc<TestDb> {
        if postgres() {
            let base = shared_cluster().to_string();
            Arc::new(TestDb {
                url: create_database(&base).await,
                dir: None,
            })
        } else {
            Self::sqlite()
        }
    }

    /// A fresh SQLite database, whatever the run's backend (for what only SQLite has).
    pub fn sqlite() -> Arc<TestDb> {
        let dir = TempDir::new().unwrap();
        Arc::new(TestDb {
            url: format!("sqlite://{}", dir.path().join("tidings.db").display()),
            dir: Some(Arc::new(dir)),
        })
    }
}
