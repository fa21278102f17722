//! API bearer tokens: shown once at creation, stored as SHA-256 only.

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::sessions::{digest, secret};
use crate::time::Ts;
use tilsyn_domain::UserId;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::auth::TOKEN_PREFIX;
use uuid::Uuid;

impl Store {
    /// Creates a token for `user` and returns it in clear, the only time it exists so.
    pub async fn create_token(
        &self,
        actor: &Actor,
        user: UserId,
        label: &str,
    ) -> Result<String, StoreError> {
        let token = format!("{TOKEN_PREFIX}{}", secret());
        let id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id).bind(user.0).bind(digest(&token)).bind(label).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: AuditAction::TokenCreated,
                resource_kind: "api_token",
                resource_id: Some(id.to_string()),
                outcome: Outcome::Success,
                details: vec![("user_id", user.to_string()), ("label", label.to_owned())],
            },
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The owner of a token, if it exists.
    pub async fn token_owner(&self, token: &str) -> Result<Option<UserId>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let id: Option<(Uuid,)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT user_id FROM api_tokens WHERE token_hash = $1")
            .bind(digest(token)).fetch_optional(pool).await)?;
        Ok(id.map(|(u,)| UserId(u)))
    }

    /// Revokes every token of `user`; returns how many there were.
    pub async fn revoke_tokens(&self, actor: &Actor, user: UserId) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
            .bind(user.0).execute(conn).await.map(|r| r.rows_affected()))?;
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: AuditAction::TokenRevoked,
                resource_kind: "api_token",
                resource_id: None,
                outcome: Outcome::Success,
                details: vec![("user_id", user.to_string()), ("count", n.to_string())],
            },
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
