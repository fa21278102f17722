//! The append-only audit log. `record` is the one way in; there is no way to change a row (the
//! schema's triggers refuse UPDATE and DELETE on both engines).

use crate::Store;
use crate::db::{Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use std::collections::BTreeMap;
use tilsyn_domain::audit::{Actor, AuditEvent, AuditFilter, NewAuditEvent};
use uuid::Uuid;

/// Rows one export call returns at the most; the CLI pages through with `before`.
pub const AUDIT_EXPORT_LIMIT: u32 = 10_000;

const INSERT: &str = "INSERT INTO audit_events \
    (id, at, actor_id, actor_username, action, resource_kind, resource_id, outcome, client_addr, request_id, details) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

struct Row {
    id: Uuid,
    at: Ts,
    actor_id: Option<Uuid>,
    actor: Option<String>,
    action: &'static str,
    kind: &'static str,
    resource_id: Option<String>,
    outcome: &'static str,
    client_addr: Option<String>,
    request_id: Option<String>,
    details: String,
}

fn row(actor: &Actor, ev: &NewAuditEvent) -> Row {
    let details: BTreeMap<&str, &str> = ev.details.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Row {
        id: Uuid::now_v7(),
        at: Ts::now(),
        actor_id: actor.user_id.map(|u| u.0),
        actor: actor.username.clone(),
        action: ev.action.code(),
        kind: ev.resource_kind,
        resource_id: ev.resource_id.clone(),
        outcome: ev.outcome.code(),
        client_addr: actor.client_addr.clone(),
        request_id: actor.request_id.clone(),
        details: serde_json::to_string(&details).unwrap_or_else(|_| "{}".into()),
    }
}

macro_rules! bind_row {
    ($q:expr, $r:expr) => {
        $q.bind($r.id)
            .bind($r.at)
            .bind($r.actor_id)
            .bind($r.actor)
            .bind($r.action)
            .bind($r.kind)
            .bind($r.resource_id)
            .bind($r.outcome)
            .bind($r.client_addr)
            .bind($r.request_id)
            .bind($r.details)
    };
}

/// Appends an event inside the caller's transaction, so the event and the change it records
/// commit or roll back together.
pub(crate) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    ev: NewAuditEvent,
) -> Result<(), StoreError> {
    let r = row(actor, &ev);
    on_tx!(tx, conn => bind_row!(sqlx::query(INSERT), r).execute(conn).await.map(|_| ()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    at: Ts,
    actor_id: Option<Uuid>,
    actor_username: Option<String>,
    action: String,
    resource_kind: String,
    resource_id: Option<String>,
    outcome: String,
    client_addr: Option<String>,
    request_id: Option<String>,
    details: String,
}

impl From<EventRow> for AuditEvent {
    fn from(r: EventRow) -> Self {
        AuditEvent {
            id: r.id,
            at: r.at.0,
            actor_id: r.actor_id,
            actor_username: r.actor_username,
            action: r.action,
            resource_kind: r.resource_kind,
            resource_id: r.resource_id,
            outcome: r.outcome,
            client_addr: r.client_addr,
            request_id: r.request_id,
            details: serde_json::from_str(&r.details).unwrap_or_default(),
        }
    }
}

// Optional filters as "$n IS NULL OR …", so one statement serves every combination.
const LIST: &str = "SELECT id, at, actor_id, actor_username, action, resource_kind, resource_id, outcome, \
    client_addr, request_id, details FROM audit_events \
    WHERE ($1 IS NULL OR at >= $1) AND ($2 IS NULL OR at < $2) AND ($3 IS NULL OR action = $3) \
    AND ($4 IS NULL OR actor_username = $4) AND ($5 IS NULL OR outcome = $5) AND ($6 IS NULL OR id < $6) \
    ORDER BY id DESC LIMIT $7";

const LIST_PG: &str = "SELECT id, at, actor_id, actor_username, action, resource_kind, resource_id, outcome, \
    client_addr, request_id, details FROM audit_events \
    WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2) \
    AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR actor_username = $4) \
    AND ($5::text IS NULL OR outcome = $5) AND ($6::uuid IS NULL OR id < $6) \
    ORDER BY id DESC LIMIT $7";

impl Store {
    /// Appends a single event on its own (for events with no other change: a failed login, a
    /// denied request, an export).
    pub async fn record_event(&self, actor: &Actor, ev: NewAuditEvent) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        record(&mut tx, actor, ev).await?;
        tx.commit().await
    }

    /// Newest first.
    pub async fn list_audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let sql = match self.backend() {
            crate::Backend::Sqlite => LIST,
            crate::Backend::Postgres => LIST_PG,
        };
        let limit = i64::from(f.limit.clamp(1, AUDIT_EXPORT_LIMIT));
        let rows: Vec<EventRow> = on_db!(&self.db, pool => sqlx::query_as(sql)
            .bind(f.since.map(Ts))
            .bind(f.until.map(Ts))
            .bind(f.action.map(|a| a.code()))
            .bind(f.actor_username.as_deref())
            .bind(f.outcome.map(|o| o.code()))
            .bind(f.before)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(AuditEvent::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDb;
    use tilsyn_domain::audit::{AuditAction, Outcome};

    /// The application has no way to change an audit row; the schema also refuses it for anyone
    /// who goes to the database directly.
    #[tokio::test]
    async fn audit_rows_cannot_be_changed_or_deleted() {
        let db = TestDb::new().await;
        let s = &db.store;
        s.record_event(
            &Actor::default(),
            NewAuditEvent {
                action: AuditAction::LoginFailed,
                resource_kind: "session",
                resource_id: None,
                outcome: Outcome::Failure,
                details: vec![],
            },
        )
        .await
        .expect("record");
        let upd = on_db!(&s.db, pool => sqlx::query("UPDATE audit_events SET outcome = 'success'")
            .execute(pool).await.map(|r| r.rows_affected()));
        assert!(upd.is_err(), "update must be refused");
        let del = on_db!(&s.db, pool => sqlx::query("DELETE FROM audit_events")
            .execute(pool).await.map(|r| r.rows_affected()));
        assert!(del.is_err(), "delete must be refused");
        let rows = s
            .list_audit_events(&AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .expect("list");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].outcome, "failure");
    }
}
