//! Drawn samples: stored whole (inputs, register fingerprint, result) so anyone can see why a
//! case was drawn and draw it again. A sample is written once, with its audit event.

use crate::Store;
use crate::audit::record;
use crate::db::{on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::sampling::{Sample, SampleCase, SampleSpec};
use uuid::Uuid;

/// A sample as stored.
#[derive(Clone, Debug, Serialize)]
pub struct StoredSample {
    pub id: Uuid,
    pub spec: SampleSpec,
    /// Sizes asked for at levels 2 and 3.
    pub nested: Vec<usize>,
    /// Unit names the frame was limited to; empty = the whole register.
    pub scope: Vec<String>,
    pub register_sha256: String,
    pub levels: Vec<Sample>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One line of the list of samples.
#[derive(Clone, Debug, Serialize)]
pub struct SampleSummary {
    pub id: Uuid,
    pub seed: String,
    pub level_sizes: String,
    pub eligible: i64,
    pub scope: Vec<String>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The fingerprint of the cases a draw saw: SHA-256 over each case's sampling facts, in key
/// order. The same register gives the same fingerprint on any engine, so a redraw can show it
/// started from the same cases.
pub fn register_fingerprint(cases: &[SampleCase]) -> String {
    let mut sorted: Vec<&SampleCase> = cases.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let mut h = Sha256::new();
    for c in sorted {
        // SampleCase serialises deterministically (its maps are ordered).
        h.update(serde_json::to_vec(c).unwrap_or_default());
        h.update([b'\n']);
    }
    hex::encode(h.finalize())
}

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn encode<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn sizes(levels: &[Sample]) -> String {
    levels
        .iter()
        .map(|s| s.selected.len().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

type Row = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Ts,
);

type SummaryRow = (Uuid, String, String, i64, String, Option<String>, Ts);

impl Store {
    /// Stores a drawn sample and its audit event (seed, algorithm, fingerprint, counts) in one
    /// transaction.
    /// `by` is the name shown as who drew it.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_sample(
        &self,
        actor: &Actor,
        by: &str,
        spec: &SampleSpec,
        nested: &[usize],
        scope: &[String],
        register_sha256: &str,
        levels: &[Sample],
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let eligible = levels.first().map(|s| s.eligible).unwrap_or(0);
        let spec_json = encode(&(spec, nested))?;
        let scope_json = encode(&scope)?;
        let result = encode(&levels)?;
        let algorithm = levels
            .first()
            .map(|s| s.algorithm.clone())
            .unwrap_or_default();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO samples (id, algorithm, seed, spec, level_sizes, scope, register_sha256, eligible, result, created_by, created_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
            .bind(id).bind(&algorithm).bind(spec.seed.to_string()).bind(&spec_json).bind(sizes(levels))
            .bind(&scope_json).bind(register_sha256).bind(i64::try_from(eligible).unwrap_or(i64::MAX))
            .bind(&result).bind(actor.user_id.map(|u| u.0)).bind(by).bind(Ts::now())
            .execute(conn).await.map(|_| ()))?;
        record(
            &mut tx,
            actor,
            NewAuditEvent {
                action: AuditAction::SampleDrawn,
                resource_kind: "sample",
                resource_id: Some(id.to_string()),
                outcome: Outcome::Success,
                details: vec![
                    ("algorithm", algorithm),
                    ("seed", spec.seed.to_string()),
                    ("register_sha256", register_sha256.to_owned()),
                    ("eligible", eligible.to_string()),
                    ("sizes", sizes(levels)),
                    ("reference_date", spec.frame.reference_date.to_string()),
                    ("scope", scope.join(", ")),
                ],
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn sample(&self, id: Uuid) -> Result<StoredSample, StoreError> {
        let row: Option<Row> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, spec, scope, register_sha256, result, level_sizes, created_by_name, created_at FROM samples WHERE id = $1")
            .bind(id).fetch_optional(pool).await)?;
        let (id, spec, scope, register_sha256, result, _, created_by_name, created_at) =
            row.ok_or(StoreError::NotFound)?;
        let (spec, nested): (SampleSpec, Vec<usize>) = decode(&spec)?;
        Ok(StoredSample {
            id,
            spec,
            nested,
            scope: decode(&scope)?,
            register_sha256,
            levels: decode(&result)?,
            created_by_name,
            created_at: created_at.0,
        })
    }

    /// The newest samples first.
    pub async fn list_samples(&self, limit: i64) -> Result<Vec<SampleSummary>, StoreError> {
        let rows: Vec<SummaryRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, seed, level_sizes, eligible, scope, created_by_name, created_at FROM samples ORDER BY created_at DESC, id DESC LIMIT $1")
            .bind(limit).fetch_all(pool).await)?;
        rows.into_iter()
            .map(
                |(id, seed, level_sizes, eligible, scope, created_by_name, created_at)| {
                    Ok(SampleSummary {
                        id,
                        seed,
                        level_sizes,
                        eligible,
                        scope: decode(&scope)?,
                        created_by_name,
                        created_at: created_at.0,
                    })
                },
            )
            .collect()
    }
}
