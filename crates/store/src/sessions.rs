//! Server-side sessions. The cookie carries a random secret; the database keeps only its
//! SHA-256, so a copy of the database cannot be replayed as cookies.

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tilsyn_domain::UserId;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use uuid::Uuid;

pub(crate) fn secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub(crate) fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl Store {
    pub async fn find_session(&self, secret: &str) -> Result<Option<SessionRecord>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            user_id: Uuid,
            created_at: Ts,
            last_seen_at: Ts,
        }
        let row: Option<Row> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT user_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
            .bind(digest(secret)).fetch_optional(pool).await)?;
        Ok(row.map(|r| SessionRecord {
            user_id: UserId(r.user_id),
            created_at: r.created_at.0,
            last_seen_at: r.last_seen_at.0,
        }))
    }

    pub async fn touch_session(&self, secret: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(Ts::now()).bind(digest(secret)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn delete_session(&self, secret: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(digest(secret)).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Removes sessions that ended by timeout; run now and then by the server.
    pub async fn purge_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let n = on_db!(&self.db, pool => sqlx::query(
            "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(Ts(idle_before)).bind(Ts(created_before)).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(n)
    }
}

impl Store {
    /// Sign-in: a new session and its audit event, in one transaction.
    pub async fn sign_in(&self, actor: &Actor, user: UserId) -> Result<String, StoreError> {
        let s = secret();
        let now = Ts::now();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
            .bind(digest(&s)).bind(user.0).bind(now).bind(now)
            .execute(conn).await.map(|_| ()))?;
        record(&mut tx, actor, event(AuditAction::LoginSucceeded)).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Sign-out: the session goes and the event is written, together.
    pub async fn sign_out(&self, actor: &Actor, secret: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(digest(secret)).execute(conn).await.map(|r| r.rows_affected()))?;
        if n > 0 {
            record(&mut tx, actor, event(AuditAction::Logout)).await?;
        }
        tx.commit().await
    }
}

fn event(action: AuditAction) -> NewAuditEvent {
    NewAuditEvent {
        action,
        resource_kind: "session",
        resource_id: None,
        outcome: Outcome::Success,
        details: vec![],
    }
}
