//! Follow-up actions (tiltag): created for a round, their status changed with a reason or the
//! evidence, every change versioned and audited in the same transaction.

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tilsyn_domain::UserId;
use tilsyn_domain::action::{ActionLinks, ActionStatus, NewAction, StatusChange};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use uuid::Uuid;

#[derive(Clone, Debug, Serialize)]
pub struct Action {
    pub id: Uuid,
    pub round_id: Option<Uuid>,
    pub round_name: Option<String>,
    /// The learning audit whose follow-up plan it belongs to (then `round_id` is None).
    pub learning_audit: Option<AuditRef>,
    pub description: String,
    pub owner: UserId,
    pub owner_name: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
    pub status_reason: String,
    pub evidence: String,
    pub links: ActionLinks,
    pub reaudit: bool,
    pub version: i64,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The learning audit an action follows up.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AuditRef {
    pub id: Uuid,
    pub code: String,
    pub title: String,
}

/// Which actions to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct ActionFilter {
    pub round: Option<Uuid>,
    pub owner: Option<UserId>,
    pub learning_audit: Option<Uuid>,
}

const SELECT: &str = "SELECT a.id, a.round_id, ro.name AS round_name, a.learning_audit_id, \
     la.code AS audit_code, la.title AS audit_title, a.description, a.owner_id, \
     u.full_name AS owner_name, a.due, a.status, a.status_reason, a.evidence, a.links, \
     a.reaudit, CAST(a.version AS BIGINT) AS version, a.created_by_name, a.created_at, \
     a.updated_at FROM actions a LEFT JOIN rounds ro ON ro.id = a.round_id \
     LEFT JOIN learning_audits la ON la.id = a.learning_audit_id \
     JOIN users u ON u.id = a.owner_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    round_id: Option<Uuid>,
    round_name: Option<String>,
    learning_audit_id: Option<Uuid>,
    audit_code: Option<String>,
    audit_title: Option<String>,
    description: String,
    owner_id: Uuid,
    owner_name: String,
    due: String,
    status: String,
    status_reason: String,
    evidence: String,
    links: String,
    reaudit: bool,
    version: i64,
    created_by_name: Option<String>,
    created_at: Ts,
    updated_at: Ts,
}

fn from_row(r: Row) -> Result<Action, StoreError> {
    let bad =
        |what: &str| StoreError::Database(sqlx::Error::Decode(format!("action {what}").into()));
    let audit = match (r.learning_audit_id, r.audit_code, r.audit_title) {
        (Some(id), Some(code), Some(title)) => Some(AuditRef { id, code, title }),
        _ => None,
    };
    Ok(Action {
        id: r.id,
        round_id: r.round_id,
        round_name: r.round_name,
        learning_audit: audit,
        description: r.description,
        owner: UserId(r.owner_id),
        owner_name: r.owner_name,
        due: NaiveDate::parse_from_str(&r.due, "%Y-%m-%d").map_err(|_| bad("due"))?,
        status: ActionStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
        status_reason: r.status_reason,
        evidence: r.evidence,
        links: serde_json::from_str(&r.links).map_err(|_| bad("links"))?,
        reaudit: r.reaudit,
        version: r.version,
        created_by_name: r.created_by_name,
        created_at: r.created_at.0,
        updated_at: r.updated_at.0,
    })
}

fn event(action: AuditAction, id: Uuid, details: Vec<(&'static str, String)>) -> NewAuditEvent {
    NewAuditEvent {
        action,
        resource_kind: "action",
        resource_id: Some(id.to_string()),
        outcome: Outcome::Success,
        details,
    }
}

impl Store {
    /// Creates an action of a round; the caller has checked it ([`tilsyn_domain::action::check_new`]).
    /// `by`: the creator's name as people read it.
    pub async fn create_action(
        &self,
        actor: &Actor,
        by: &str,
        round: Option<Uuid>,
        owner: UserId,
        a: &NewAction,
    ) -> Result<Uuid, StoreError> {
        self.insert_action(actor, by, round, None, owner, a).await
    }

    /// Creates an action of a learning audit's follow-up plan.
    pub async fn create_audit_action(
        &self,
        actor: &Actor,
        by: &str,
        audit: Uuid,
        owner: UserId,
        a: &NewAction,
    ) -> Result<Uuid, StoreError> {
        self.insert_action(actor, by, None, Some(audit), owner, a)
            .await
    }

    async fn insert_action(
        &self,
        actor: &Actor,
        by: &str,
        round: Option<Uuid>,
        audit: Option<Uuid>,
        owner: UserId,
        a: &NewAction,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let links = serde_json::to_string(&a.links)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
        let now = Ts::now();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO actions (id, round_id, description, owner_id, due, status, links, reaudit, \
             created_by, created_by_name, created_at, updated_by_name, updated_at, learning_audit_id) \
             VALUES ($1, $2, $3, $4, $5, 'planned', $6, $7, $8, $9, $10, $9, $10, $11)")
            .bind(id).bind(round).bind(a.description.trim()).bind(owner.0)
            .bind(a.due.to_string()).bind(&links).bind(a.reaudit)
            .bind(actor.user_id.map(|u| u.0)).bind(by).bind(now).bind(audit)
            .execute(conn).await.map(|_| ()))?;
        let mut details = vec![("owner", owner.0.to_string()), ("due", a.due.to_string())];
        if let Some(r) = round {
            details.push(("round", r.to_string()));
        }
        if let Some(l) = audit {
            details.push(("learning_audit", l.to_string()));
        }
        record(
            &mut tx,
            actor,
            event(AuditAction::ActionCreated, id, details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes an action's status as seen at `version`; a change made on an older version is
    /// refused (`Conflict("action-changed")`), so nobody overwrites what they have not seen.
    /// The reason and the evidence are kept when the new ones are empty.
    pub async fn change_action_status(
        &self,
        actor: &Actor,
        by: &str,
        id: Uuid,
        version: i64,
        c: &StatusChange,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE actions SET status = $3, \
             status_reason = CASE WHEN $4 = '' THEN status_reason ELSE $4 END, \
             evidence = CASE WHEN $5 = '' THEN evidence ELSE $5 END, \
             version = version + 1, updated_by_name = $6, updated_at = $7 \
             WHERE id = $1 AND version = $2")
            .bind(id).bind(version).bind(c.status.code()).bind(c.reason.trim())
            .bind(c.evidence.trim()).bind(by).bind(Ts::now())
            .execute(conn).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            let exists: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
                "SELECT CAST(version AS BIGINT) FROM actions WHERE id = $1")
                .bind(id).fetch_optional(conn).await)?;
            let e = match exists {
                None => StoreError::NotFound,
                Some(_) => StoreError::Conflict("action-changed"),
            };
            return tx.fail(e).await;
        }
        record(
            &mut tx,
            actor,
            event(
                AuditAction::ActionUpdated,
                id,
                vec![("status", c.status.code().to_owned())],
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Actions, open ones first, then by due date.
    pub async fn actions(&self, f: ActionFilter) -> Result<Vec<Action>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE (CAST($1 AS TEXT) IS NULL OR a.round_id = $2) \
             AND (CAST($3 AS TEXT) IS NULL OR a.owner_id = $4) \
             AND (CAST($5 AS TEXT) IS NULL OR a.learning_audit_id = $6) \
             ORDER BY CASE WHEN a.status IN ('planned', 'in_progress') THEN 0 ELSE 1 END, \
             a.due, a.created_at"
        );
        let rows: Vec<Row> = on_db!(&self.db, pool => sqlx::query_as(&sql)
            .bind(f.round.map(|r| r.to_string())).bind(f.round)
            .bind(f.owner.map(|o| o.0.to_string())).bind(f.owner.map(|o| o.0))
            .bind(f.learning_audit.map(|l| l.to_string())).bind(f.learning_audit)
            .fetch_all(pool).await)?;
        rows.into_iter().map(from_row).collect()
    }

    pub async fn action(&self, id: Uuid) -> Result<Action, StoreError> {
        let sql = format!("{SELECT} WHERE a.id = $1");
        let row: Option<Row> =
            on_db!(&self.db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
        from_row(row.ok_or(StoreError::NotFound)?)
    }
}
