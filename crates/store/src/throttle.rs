//! Failed sign-ins, counted per username and per client address for throttling. Kept in the
//! database so several tilsyn processes throttle together.

use crate::Store;
use crate::db::on_db;
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, Utc};
use uuid::Uuid;

impl Store {
    pub async fn record_login_failure(
        &self,
        username: &str,
        client_addr: &str,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO login_failures (id, username, client_addr, at) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7()).bind(username.trim().to_lowercase()).bind(client_addr).bind(Ts::now())
            .execute(pool).await.map(|_| ()))?;
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
            .bind(username.trim().to_lowercase()).bind(client_addr).bind(Ts(since))
            .fetch_one(pool).await)?;
        Ok((
            u32::try_from(a).unwrap_or(u32::MAX),
            u32::try_from(b).unwrap_or(u32::MAX),
        ))
    }

    /// A successful sign-in forgives the account's earlier failures (not the address's).
    pub async fn clear_login_failures(&self, username: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username.trim().to_lowercase()).execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}
