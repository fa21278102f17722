//! Failed sign-ins, counted per username and per client address for throttling. Kept in the
//! database so several tilsyn processes throttle together.

use crate::Store;
use crate::db::on_db;
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The name a sign-in attempt is counted under: trimmed, lower-case, no control characters,
/// at most 64 characters, so any typed value (even a megabyte of it) makes a small, valid key.
pub fn login_key(typed: &str) -> String {
    typed
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect()
}

impl Store {
    /// Counts an attempt as failed before the password is checked, so parallel attempts see
    /// each other; a successful sign-in clears it again. Returns the row's id.
    pub async fn record_login_failure(
        &self,
        username: &str,
        client_addr: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO login_failures (id, username, client_addr, at) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(login_key(username)).bind(login_key(client_addr)).bind(Ts::now())
            .execute(pool).await.map(|_| ()))?;
        Ok(id)
    }

    /// Takes back one counted attempt (one refused by throttling never reached the password
    /// check, so it must not prolong the pause).
    pub async fn forget_login_failure(&self, id: Uuid) -> Result<(), StoreError> {
        on_db!(&self.db, pool => sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Failures since `since` for (the username, the address).
    pub async fn login_failures_since(
        &self,
        username: &str,
        client_addr: &str,
        since: DateTime<Utc>,
    ) -> Result<(u32, u32), StoreError> {
        let (a, b): (i64, i64) = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT (SELECT count(*) FROM login_failures WHERE username = $1 AND at >= $3), \
                    (SELECT count(*) FROM login_failures WHERE client_addr = $2 AND at >= $3)")
            .bind(login_key(username)).bind(login_key(client_addr)).bind(Ts(since))
            .fetch_one(pool).await)?;
        Ok((
            u32::try_from(a).unwrap_or(u32::MAX),
            u32::try_from(b).unwrap_or(u32::MAX),
        ))
    }

    /// A successful sign-in forgives the account's earlier failures (not the address's).
    pub async fn clear_login_failures(&self, username: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(login_key(username)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}
