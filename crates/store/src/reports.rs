//! What analysis and reports read: a round's submitted answers in one go, its agreed answers,
//! the national reference values; and reports stored as frozen snapshots.

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::report::{ReferenceValue, Report};
use uuid::Uuid;

/// One submitted answer of a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundAnswer {
    pub case_key: String,
    pub level: u8,
    pub item: String,
    pub value: String,
    pub remark: String,
}

/// One reconciled answer of a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundAgreed {
    pub case_key: String,
    pub item: String,
    pub value: String,
    pub note: String,
}

/// A stored report, without its snapshot.
#[derive(Clone, Debug, Serialize)]
pub struct ReportSummary {
    pub id: Uuid,
    pub round_id: Uuid,
    pub audience: String,
    pub fingerprint: String,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A stored report with the snapshot it renders from.
#[derive(Clone, Debug)]
pub struct StoredReport {
    pub summary: ReportSummary,
    pub report: Report,
}

/// SHA-256 (hex) of a snapshot's JSON.
pub fn fingerprint(json: &str) -> String {
    hex::encode(Sha256::digest(json.as_bytes()))
}

impl Store {
    /// The answers of every submitted review of a round, in case, level and item order.
    ///
    /// Read as one JSON array in one row, not a row per answer: the driver hands over each row
    /// and each of its values one by one, which for a round of 150 cases at two levels (some
    /// 13,000 answers) took about 20 ms, most of the time of the round's results, and trends
    /// read ten rounds. Built and parsed, the array takes a few milliseconds.
    pub async fn round_answers(&self, round: Uuid) -> Result<Vec<RoundAnswer>, StoreError> {
        let sql = match self.backend() {
            crate::Backend::Sqlite => {
                "SELECT json_group_array(json_array(r.case_key, r.level, a.item_key, a.value, \
                 a.remark) ORDER BY r.case_key, r.level, a.item_key) \
                 FROM reviews r JOIN answers a ON a.review_id = r.id \
                 WHERE r.round_id = $1 AND r.status = 'submitted'"
            }
            crate::Backend::Postgres => {
                "SELECT COALESCE(json_agg(json_build_array(r.case_key, r.level, a.item_key, \
                 a.value, a.remark) ORDER BY r.case_key, r.level, a.item_key), '[]')::text \
                 FROM reviews r JOIN answers a ON a.review_id = r.id \
                 WHERE r.round_id = $1 AND r.status = 'submitted'"
            }
        };
        let json: Option<String> =
            on_db!(&self.db, pool => sqlx::query_scalar(sql).bind(round).fetch_one(pool).await)?;
        let rows: Vec<(String, i64, String, String, String)> = match json {
            Some(j) => serde_json::from_str(&j)
                .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
            None => vec![],
        };
        Ok(rows.into_iter().map(answer).collect())
    }

    /// The submitted answers of one case of a round (remarks included).
    pub async fn round_answers_of_case(
        &self,
        round: Uuid,
        case_key: &str,
    ) -> Result<Vec<RoundAnswer>, StoreError> {
        type Row = (String, i64, String, String, String);
        let rows: Vec<Row> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT r.case_key, CAST(r.level AS BIGINT), a.item_key, a.value, a.remark \
             FROM reviews r JOIN answers a ON a.review_id = r.id \
             WHERE r.round_id = $1 AND r.case_key = $2 AND r.status = 'submitted' \
             ORDER BY r.level, a.item_key")
            .bind(round).bind(case_key).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(answer).collect())
    }

    /// Every agreed answer of a round.
    pub async fn round_agreed(&self, round: Uuid) -> Result<Vec<RoundAgreed>, StoreError> {
        let rows: Vec<(String, String, String, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT case_key, item_key, value, note FROM agreed_answers WHERE round_id = $1 \
             ORDER BY case_key, item_key")
            .bind(round).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| RoundAgreed {
                case_key: r.0,
                item: r.1,
                value: r.2,
                note: r.3,
            })
            .collect())
    }

    /// The national reference values, newest year first per question.
    pub async fn reference_values(&self, english: bool) -> Result<Vec<ReferenceValue>, StoreError> {
        let rows: Vec<(String, i64, String, String, String, f64, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT item_key, CAST(year AS BIGINT), period, measure_da, measure_en, share, source \
             FROM reference_values ORDER BY item_key, year DESC")
            .fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| ReferenceValue {
                item: r.0,
                year: i32::try_from(r.1).unwrap_or_default(),
                period: r.2,
                measure: if english { r.4 } else { r.3 },
                share: r.5,
                source: r.6,
            })
            .collect())
    }

    /// Stores a report as a frozen snapshot and records who made it.
    pub async fn save_report(
        &self,
        actor: &Actor,
        round: Uuid,
        report: &Report,
    ) -> Result<ReportSummary, StoreError> {
        let json = serde_json::to_string(report)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
        let id = Uuid::now_v7();
        let fp = fingerprint(&json);
        let audience = report.audience.code();
        let at = Ts(report.generated_at);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO reports (id, round_id, audience, snapshot, fingerprint, created_by, \
             created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id).bind(round).bind(&audience).bind(&json).bind(&fp)
            .bind(actor.user_id.map(|u| u.0)).bind(actor.username.clone()).bind(at)
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: AuditAction::ReportCreated,
                resource_kind: "report",
                resource_id: Some(id.to_string()),
                outcome: Outcome::Success,
                details: vec![("round", round.to_string()), ("audience", audience.clone())],
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ReportSummary {
            id,
            round_id: round,
            audience,
            fingerprint: fp,
            created_by_name: actor.username.clone(),
            created_at: report.generated_at,
        })
    }

    /// A round's stored reports, newest first.
    pub async fn round_reports(&self, round: Uuid) -> Result<Vec<ReportSummary>, StoreError> {
        let rows: Vec<(Uuid, Uuid, String, String, Option<String>, Ts)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, round_id, audience, fingerprint, created_by_name, created_at FROM reports \
             WHERE round_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(round).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(summary).collect())
    }

    /// A stored report, exactly as it was made.
    pub async fn stored_report(&self, id: Uuid) -> Result<StoredReport, StoreError> {
        type Row = (Uuid, Uuid, String, String, Option<String>, Ts, String);
        let row: Option<Row> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, round_id, audience, fingerprint, created_by_name, created_at, snapshot \
             FROM reports WHERE id = $1")
            .bind(id).fetch_optional(pool).await)?;
        let r = row.ok_or(StoreError::NotFound)?;
        let report: Report = serde_json::from_str(&r.6)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
        Ok(StoredReport {
            summary: summary((r.0, r.1, r.2, r.3, r.4, r.5)),
            report,
        })
    }
}

fn answer(r: (String, i64, String, String, String)) -> RoundAnswer {
    RoundAnswer {
        case_key: r.0,
        level: u8::try_from(r.1).unwrap_or(1),
        item: r.2,
        value: r.3,
        remark: r.4,
    }
}

fn summary(r: (Uuid, Uuid, String, String, Option<String>, Ts)) -> ReportSummary {
    ReportSummary {
        id: r.0,
        round_id: r.1,
        audience: r.2,
        fingerprint: r.3,
        created_by_name: r.4,
        created_at: r.5.0,
    }
}
