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
use std::collections::{BTreeMap, BTreeSet};
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

/// A round's submitted answers by case and level, and its cases with a review still open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswerMaps {
    /// Case key → level → item key → answer code.
    pub by_case: BTreeMap<String, BTreeMap<u8, BTreeMap<String, String>>>,
    pub open: BTreeSet<String>,
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
    /// The answers of every submitted review of a round, in case, level and item order (byte
    /// order of the keys, on both engines).
    ///
    /// A round of 150 cases at two levels has some 13,000 answers, and trends read ten rounds,
    /// so this is read the quickest way each engine has (for such a round, from 20–40 ms to
    /// 7–9 ms): SQLite as one JSON array in one row, as its driver hands over each row and
    /// value one by one; PostgreSQL as rows, unordered, as the server sorted them more slowly
    /// than building the rows. Both are sorted here.
    pub async fn round_answers(&self, round: Uuid) -> Result<Vec<RoundAnswer>, StoreError> {
        type Row = (String, i64, String, String, String);
        let mut rows: Vec<Row> = match self.backend() {
            crate::Backend::Sqlite => {
                // Ordered in a subquery, not in the aggregate: the rows come in index order and
                // SQLite does not sort them again. (The sort below then checks one run.)
                let json: Option<String> = on_db!(&self.db, pool => sqlx::query_scalar(
                    "SELECT json_group_array(json_array(case_key, level, item_key, value, remark)) \
                     FROM (SELECT r.case_key, r.level, a.item_key, a.value, a.remark \
                     FROM reviews r JOIN answers a ON a.review_id = r.id \
                     WHERE r.round_id = $1 AND r.status = 'submitted' \
                     ORDER BY r.case_key, r.level, a.item_key)")
                    .bind(round).fetch_one(pool).await)?;
                match json {
                    Some(j) => serde_json::from_str(&j)
                        .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
                    None => vec![],
                }
            }
            crate::Backend::Postgres => on_db!(&self.db, pool => sqlx::query_as(
                "SELECT r.case_key, CAST(r.level AS BIGINT), a.item_key, a.value, a.remark \
                 FROM reviews r JOIN answers a ON a.review_id = r.id \
                 WHERE r.round_id = $1 AND r.status = 'submitted'")
                .bind(round).fetch_all(pool).await)?,
        };
        rows.sort_by(|a, b| (&a.0, a.1, &a.2).cmp(&(&b.0, b.1, &b.2)));
        Ok(rows.into_iter().map(answer).collect())
    }

    /// What the analysis reads of a round: each submitted review's answers as item key →
    /// value (no remarks), and the cases that still have a review open (not counted yet).
    ///
    /// One row per review with its answers as a JSON object, in the order of the reviews'
    /// unique index, so neither engine sorts: for 150 cases at two levels (12,900 answers)
    /// this is several times quicker than a row, or a JSON array entry, per answer.
    pub async fn round_answer_maps(&self, round: Uuid) -> Result<AnswerMaps, StoreError> {
        // SQLite: a JSON object per review (its driver hands over values one by one);
        // PostgreSQL: two arrays per review, which its binary protocol carries as they are.
        let open = async {
            let open: Vec<String> = on_db!(&self.db, pool => sqlx::query_scalar(
                "SELECT DISTINCT case_key FROM reviews WHERE round_id = $1 AND status <> 'submitted'")
                .bind(round).fetch_all(pool).await)?;
            Ok::<_, StoreError>(open)
        };
        let answers = async {
            let rows: Vec<(String, i64, BTreeMap<String, String>)> = match &self.db {
                crate::db::Db::Sqlite(pool) => {
                    let rows: Vec<(String, i64, String)> = sqlx::query_as(
                        "SELECT r.case_key, CAST(r.level AS BIGINT), \
                     json_group_object(a.item_key, a.value) \
                     FROM reviews r JOIN answers a ON a.review_id = r.id \
                     WHERE r.round_id = $1 AND r.status = 'submitted' \
                     GROUP BY r.case_key, r.level",
                    )
                    .bind(round)
                    .fetch_all(pool)
                    .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for (case, level, json) in rows {
                        let answers = serde_json::from_str(&json)
                            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
                        out.push((case, level, answers));
                    }
                    out
                }
                crate::db::Db::Postgres(pool) => {
                    // Each review's answers through the answers' primary key: joined and grouped,
                    // the planner scans every round's answers once the table holds a few rounds.
                    // Both aggregates read the same rows in the same order, so keys and values
                    // pair up; ordering them by key cost a quarter of the read (collation). A
                    // review without answers gives NULL and is left out, as the join does on
                    // SQLite.
                    let rows: Vec<(String, i64, Vec<String>, Vec<String>)> = sqlx::query_as(
                        "SELECT r.case_key, CAST(r.level AS BIGINT), x.k, x.v FROM reviews r \
                     CROSS JOIN LATERAL (SELECT array_agg(a.item_key) AS k, \
                     array_agg(a.value) AS v FROM answers a \
                     WHERE a.review_id = r.id) x \
                     WHERE r.round_id = $1 AND r.status = 'submitted' AND x.k IS NOT NULL",
                    )
                    .bind(round)
                    .fetch_all(pool)
                    .await?;
                    rows.into_iter()
                        .map(|(case, level, keys, values)| {
                            (case, level, keys.into_iter().zip(values).collect())
                        })
                        .collect()
                }
            };
            Ok::<_, StoreError>(rows)
        };
        let (rows, open) = tokio::try_join!(answers, open)?;
        let mut by_case: BTreeMap<String, BTreeMap<u8, BTreeMap<String, String>>> = BTreeMap::new();
        for (case, level, answers) in rows {
            by_case
                .entry(case)
                .or_default()
                .insert(u8::try_from(level).unwrap_or(0), answers);
        }
        Ok(AnswerMaps {
            by_case,
            open: open.into_iter().collect(),
        })
    }

    /// A short text that changes whenever anything a round's results are computed from
    /// changes: its cases, its reviews (every change bumps a review's version) and its agreed
    /// answers (every replacement bumps theirs). Results computed once are reused while it
    /// stays the same. Counters, not clocks: two servers' clocks may disagree.
    pub async fn round_data_stamp(&self, round: Uuid) -> Result<String, StoreError> {
        let stamp: Option<String> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT (SELECT CAST(count(*) AS TEXT) FROM round_cases WHERE round_id = $1) \
             || '/' || CAST(count(*) AS TEXT) || '/' || CAST(COALESCE(sum(version), 0) AS TEXT) \
             || '/' || COALESCE(CAST(max(updated_at) AS TEXT), '') || '/' \
             || (SELECT CAST(count(*) AS TEXT) || '/' || CAST(COALESCE(sum(version), 0) AS TEXT) \
                 FROM agreed_answers WHERE round_id = $1) \
             FROM reviews WHERE round_id = $1")
            .bind(round).fetch_one(pool).await)?;
        Ok(stamp.unwrap_or_default())
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
