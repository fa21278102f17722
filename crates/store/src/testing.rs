//! A fresh, migrated database per test, on the engine that `TILSYN_TEST_DATABASE_URL` names
//! (a temporary SQLite file when unset). On PostgreSQL each test gets its own schema, dropped
//! afterwards. An unreachable PostgreSQL fails the test: the suite never skips a backend.

use crate::Store;
use sqlx::Connection;
use std::path::PathBuf;

pub const TEST_DATABASE_ENV: &str = "TILSYN_TEST_DATABASE_URL";

pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

impl TestDb {
    pub async fn new() -> TestDb {
        let id = uuid::Uuid::now_v7().simple().to_string();
        match std::env::var(TEST_DATABASE_ENV)
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(url) if url.starts_with("postgres") => {
                let schema = format!("t_{id}");
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| {
                    panic!("{TEST_DATABASE_ENV}={url}: PostgreSQL is unreachable ({e}); start it, do not skip")
                });
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test schema");
                let _ = conn.close().await;
                let store = Store::connect_with(&url, Some(&schema))
                    .await
                    .expect("connect to test schema");
                store.migrate().await.expect("migrate test schema");
                TestDb {
                    store,
                    url: url.clone(),
                    cleanup: Cleanup::Postgres { url, schema },
                }
            }
            Some(other) => {
                panic!("{TEST_DATABASE_ENV} must be a postgres:// URL or unset, not {other}")
            }
            None => {
                let path = std::env::temp_dir().join(format!("tilsyn-test-{id}.db"));
                let url = format!("sqlite://{}", path.display());
                let store = Store::connect(&url).await.expect("open test sqlite");
                store.migrate().await.expect("migrate test sqlite");
                TestDb {
                    store,
                    url,
                    cleanup: Cleanup::Sqlite(path),
                }
            }
        }
    }

    /// A URL with which another process (the `tilsyn` binary under test) opens this same
    /// database; on PostgreSQL the schema travels as a connection option.
    pub fn child_url(&self) -> String {
        match &self.cleanup {
            Cleanup::Postgres { url, schema } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}options=-c%20search_path%3D{schema}")
            }
            Cleanup::Sqlite(_) => self.url.clone(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Postgres { url, schema } => {
                let (url, schema) = (url.clone(), schema.clone());
                // Drop runs inside the test's runtime; a new thread with its own runtime can block.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                                .execute(&mut c)
                                .await;
                            let _ = c.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
