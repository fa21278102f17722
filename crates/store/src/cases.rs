//! The case register. An import runs in one transaction: every batch of records from the
//! reader is upserted on (source, external id); the caller commits only when the whole file
//! was clean, so a bad extract leaves nothing behind. A dry run does all of it and rolls back.

use crate::Store;
use crate::audit::record;
use crate::db::{Db, Tx, on_db, on_tx};
use crate::error::StoreError;
use crate::time::Ts;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::cases::CaseRecord;
use tilsyn_domain::sampling::SampleCase;
use uuid::Uuid;

/// What an import (or a dry run) found, compared with the register.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// In the register for this source, but no longer in the extract.
    pub gone: u64,
}

/// The file an import came from, for the import row and the audit log.
#[derive(Clone, Debug)]
pub struct ImportFile {
    pub source: String,
    pub file_name: String,
    pub file_sha256: String,
    pub encoding: String,
    pub rows: u64,
}

/// What the register page asks for.
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Lower-cased unit names the reader may see; `None` = all cases.
    pub units: Option<Vec<String>>,
    /// Part of a case id or caseworker.
    pub search: Option<String>,
    pub case_type: Option<String>,
    /// From 1.
    pub page: u32,
    pub per_page: u32,
}

/// One case as the register page lists it.
#[derive(Clone, Debug, Serialize)]
pub struct RegisterRow {
    pub source: String,
    pub external_id: String,
    pub case_type: String,
    pub unit: Option<String>,
    pub caseworker: Option<String>,
    /// The tilsyn user whose username is the caseworker's initials, if there is one.
    pub caseworker_user: Option<String>,
    pub area: Option<String>,
    pub measure_start: Option<String>,
    pub measure_end: Option<String>,
}

type CaseRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl From<CaseRow> for RegisterRow {
    fn from(r: CaseRow) -> Self {
        RegisterRow {
            source: r.0,
            external_id: r.1,
            case_type: r.2,
            unit: r.3,
            caseworker: r.4,
            caseworker_user: r.8,
            area: r.5,
            measure_start: r.6,
            measure_end: r.7,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CasePage {
    /// Cases matching the query (all pages).
    pub total: i64,
    pub rows: Vec<RegisterRow>,
    /// Case types in the reader's scope with their counts (for the filter).
    pub case_types: Vec<(String, i64)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportSummary {
    pub source: String,
    pub file_name: String,
    pub rows: i64,
    pub new: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub gone: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

type ImportRow = (String, String, i64, i64, i64, i64, i64, Ts);

/// An import in progress: one open transaction.
pub struct CaseImport {
    /// `None` for a check: counts only, no write and no write lock.
    tx: Option<Tx>,
    id: Uuid,
    source: String,
    /// Every case of the source already in the register (within the importer's units, see
    /// [`CaseImport::limit_to`]).
    known: HashMap<String, Known>,
    /// Cases of the source in units the importer does not cover: never touched, and an
    /// extract that names one is refused.
    foreign: HashSet<String>,
    counts: ImportCounts,
}

/// What the import knows of one external id. Kept small: a re-import of a million-case
/// register holds one of these per case.
struct Known {
    sha: [u8; 32],
    /// Lower-cased.
    unit: Option<String>,
    /// Present after the previous import.
    present: bool,
    /// In this import's file.
    seen: bool,
}

/// Records per INSERT statement. Each statement carries its rows as one JSON array parameter,
/// so the SQL text and its parameter count stay fixed whatever the batch size: with one
/// parameter per column, sqlx's per-statement cost grew faster than the rows it carried
/// (a 1,000,000-row extract took 40 s at best, at 16 rows per statement).
const BATCH: usize = 1000;

macro_rules! upsert_tail {
    () => {
        " ON CONFLICT (source, external_id) DO UPDATE SET record = excluded.record, \
    record_sha256 = excluded.record_sha256, case_type = excluded.case_type, unit = excluded.unit, \
    caseworker = excluded.caseworker, area = excluded.area, measure_start = excluded.measure_start, \
    measure_end = excluded.measure_end, present = excluded.present, last_import_id = excluded.last_import_id, \
    updated_at = excluded.updated_at"
    };
}

/// `$1` is a JSON array of [id, external id, record, sha, case type, unit, caseworker, area,
/// start, end]; `$2` the source, `$3` the import, `$4` the time. (`WHERE true` keeps SQLite's
/// parser from reading ON CONFLICT as a join constraint.)
const UPSERT_SQLITE: &str = concat!(
    "INSERT INTO cases (id, source, external_id, record, record_sha256, case_type, unit, \
    caseworker, area, measure_start, measure_end, present, first_import_id, last_import_id, updated_at) \
    SELECT unhex(replace(j.value ->> 0, '-', '')), $2, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, \
    j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, 1, $3, $3, $4 \
    FROM json_each($1) AS j WHERE true",
    upsert_tail!()
);

const UPSERT_POSTGRES: &str = concat!(
    "INSERT INTO cases (id, source, external_id, record, record_sha256, case_type, unit, \
    caseworker, area, measure_start, measure_end, present, first_import_id, last_import_id, updated_at) \
    SELECT CAST(j.value ->> 0 AS UUID), $2, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, \
    j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, TRUE, $3, $3, $4 \
    FROM json_array_elements(CAST($1 AS JSON)) AS j(value)",
    upsert_tail!()
);

fn record_hash(json: &str) -> [u8; 32] {
    Sha256::digest(json.as_bytes()).into()
}

fn iso(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// A case encoded for the register. Encoding (JSON, hash) is the CPU-heavy part of an import;
/// making these on the reader's thread lets it overlap with the database writing the last batch.
pub struct PreparedCase {
    external_id: String,
    sha: [u8; 32],
    /// The JSON array element the upsert statements read (see `UPSERT_SQLITE`).
    row: String,
}

impl PreparedCase {
    pub fn new(r: &CaseRecord) -> Result<Self, StoreError> {
        let encode = |e: serde_json::Error| StoreError::Database(sqlx::Error::Decode(e.into()));
        let json = serde_json::to_string(r).map_err(encode)?;
        let sha = record_hash(&json);
        let row = serde_json::to_string(&(
            Uuid::now_v7(),
            &r.external_id,
            &json,
            hex::encode(sha),
            &r.case_type,
            &r.unit,
            &r.caseworker,
            r.area.map(|a| a.code()),
            iso(r.measure_start),
            iso(r.measure_end),
        ))
        .map_err(encode)?;
        Ok(Self {
            external_id: r.external_id.clone(),
            sha,
            row,
        })
    }
}

impl Store {
    /// Opens an import of `source`: the write lock is taken now, so two imports never mix.
    pub async fn begin_case_import(&self, source: &str) -> Result<CaseImport, StoreError> {
        let mut tx = self.begin().await?;
        if let Tx::Postgres(t) = &mut tx {
            // SQLite's BEGIN IMMEDIATE already serialises writers; on PostgreSQL two imports
            // of one source would each count against a register the other is changing.
            sqlx::query(
                "SELECT pg_advisory_xact_lock(hashtext('tilsyn.case_import'), hashtext($1))",
            )
            .bind(source)
            .execute(&mut **t)
            .await?;
        }
        let rows: Vec<KnownRow> = on_tx!(&mut tx, conn => sqlx::query_as(KNOWN)
            .bind(source).fetch_all(conn).await)?;
        Ok(CaseImport::new(Some(tx), source, rows))
    }

    /// A check of an extract against the register (a dry run): the same counts as an import,
    /// without taking the write lock or writing anything, so the register stays usable while
    /// a large file is checked.
    pub async fn begin_case_check(&self, source: &str) -> Result<CaseImport, StoreError> {
        let rows: Vec<KnownRow> = on_db!(&self.db, pool => sqlx::query_as(KNOWN)
            .bind(source).fetch_all(pool).await)?;
        Ok(CaseImport::new(None, source, rows))
    }

    /// The cases with these keys ("SOURCE/ID"), as the sampler sees them; for showing a
    /// drawn sample without loading the register.
    pub async fn cases_by_keys(&self, keys: &[String]) -> Result<Vec<SampleCase>, StoreError> {
        Ok(self
            .case_records(keys)
            .await?
            .into_iter()
            .map(|(_, r)| sample_case(r))
            .collect())
    }

    /// Whole case records by key (`source/external id`), in key order.
    pub async fn case_records(
        &self,
        keys: &[String],
    ) -> Result<Vec<(String, CaseRecord)>, StoreError> {
        let list = serde_json::to_string(keys)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
        let sql = match &self.db {
            Db::Sqlite(_) => {
                "SELECT record FROM cases WHERE source || '/' || external_id IN (SELECT value FROM json_each($1)) ORDER BY source, external_id"
            }
            Db::Postgres(_) => {
                "SELECT record FROM cases WHERE source || '/' || external_id IN (SELECT json_array_elements_text(CAST($1 AS JSON))) ORDER BY source, external_id"
            }
        };
        let rows: Vec<(String,)> = on_db!(&self.db, pool => sqlx::query_as(sql)
            .bind(&list).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(json,)| {
                let r: CaseRecord = serde_json::from_str(&json)
                    .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
                Ok((format!("{}/{}", r.source, r.external_id), r))
            })
            .collect()
    }

    /// The register as the sampler sees it: the cases still present in their source.
    pub async fn sample_cases(&self, source: Option<&str>) -> Result<Vec<SampleCase>, StoreError> {
        let rows: Vec<(String,)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT record FROM cases WHERE present AND (CAST($1 AS TEXT) IS NULL OR source = $1) ORDER BY source, external_id")
            .bind(source).fetch_all(pool).await)?;
        to_sample_cases(rows)
    }

    /// One page of the register as a person may see it (`units`: lower-cased unit names;
    /// `None` = every unit, including cases without one), newest measures first.
    pub async fn list_cases(&self, q: &CaseQuery) -> Result<CasePage, StoreError> {
        let units = match &q.units {
            Some(u) => Some(
                serde_json::to_string(u)
                    .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
            ),
            None => None,
        };
        let search = q
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                // Typed text is matched literally: LIKE's wildcards are escaped.
                let escaped = s
                    .to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            });
        let case_type = q.case_type.as_deref().filter(|s| !s.is_empty());
        // The unit list is one JSON parameter, whatever its length.
        let in_units = match &self.db {
            Db::Sqlite(_) => "lower(unit) IN (SELECT value FROM json_each($1))",
            Db::Postgres(_) => "lower(unit) IN (SELECT json_array_elements_text(CAST($1 AS JSON)))",
        };
        let filter = format!(
            "present AND (CAST($1 AS TEXT) IS NULL OR {in_units}) \
             AND (CAST($2 AS TEXT) IS NULL OR lower(external_id) LIKE $2 ESCAPE '\\' OR lower(caseworker) LIKE $2 ESCAPE '\\') \
             AND (CAST($3 AS TEXT) IS NULL OR case_type = $3)"
        );
        let count_sql = format!("SELECT COUNT(*) FROM cases WHERE {filter}");
        let page_sql = format!(
            "SELECT source, external_id, case_type, unit, caseworker, area, measure_start, measure_end, \
             (SELECT u.full_name FROM users u WHERE lower(u.username) = lower(cases.caseworker)) \
             FROM cases WHERE {filter} ORDER BY measure_start DESC, source, external_id LIMIT $4 OFFSET $5"
        );
        let limit = i64::from(q.per_page.clamp(1, 500));
        let offset = i64::from(q.page.saturating_sub(1)) * limit;
        let (total,): (i64,) = on_db!(&self.db, pool => sqlx::query_as(&count_sql)
            .bind(&units).bind(&search).bind(case_type).fetch_one(pool).await)?;
        let rows: Vec<CaseRow> = on_db!(&self.db, pool => sqlx::query_as(&page_sql)
            .bind(&units).bind(&search).bind(case_type).bind(limit).bind(offset)
            .fetch_all(pool).await)?;
        let mut types: Vec<(String, i64)> = on_db!(&self.db, pool => sqlx::query_as(&format!(
            "SELECT case_type, COUNT(*) FROM cases WHERE present AND (CAST($1 AS TEXT) IS NULL OR {in_units}) \
             GROUP BY case_type ORDER BY case_type"))
            .bind(&units).fetch_all(pool).await)?;
        // "§ 30" before "§ 114": by the paragraph's number, then as text.
        types.sort_by_key(|(t, _)| {
            let digits: String = t.chars().filter(char::is_ascii_digit).collect();
            (digits.parse::<u64>().unwrap_or(u64::MAX), t.clone())
        });
        Ok(CasePage {
            total,
            rows: rows.into_iter().map(RegisterRow::from).collect(),
            case_types: types,
        })
    }

    /// The latest imports, newest first.
    pub async fn recent_imports(&self, limit: i64) -> Result<Vec<ImportSummary>, StoreError> {
        let rows: Vec<ImportRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT source, file_name, rows_read, new_cases, changed, unchanged, gone, created_at \
             FROM case_imports ORDER BY created_at DESC LIMIT $1")
            .bind(limit).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(
                |(source, file_name, rows, new, changed, unchanged, gone, at)| ImportSummary {
                    source,
                    file_name,
                    rows,
                    new,
                    changed,
                    unchanged,
                    gone,
                    at: at.0,
                },
            )
            .collect())
    }

    /// Saved column mappings: (name, source).
    pub async fn mapping_profiles(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(
            "SELECT name, source FROM mapping_profiles ORDER BY name")
            .fetch_all(pool).await)?)
    }

    pub async fn count_cases(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM cases").fetch_one(pool).await)?;
        Ok(n)
    }

    /// Saves a named column mapping (JSON) for a source system, replacing one of that name.
    pub async fn save_mapping_profile(
        &self,
        name: &str,
        source: &str,
        mapping_json: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO mapping_profiles (name, source, mapping, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET source = excluded.source, mapping = excluded.mapping, updated_at = excluded.updated_at")
            .bind(name).bind(source).bind(mapping_json).bind(Ts::now()).execute(conn).await.map(|_| ()))?;
        tx.commit().await
    }

    /// A saved mapping: (source, mapping JSON).
    pub async fn mapping_profile(&self, name: &str) -> Result<(String, String), StoreError> {
        let row: Option<(String, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT source, mapping FROM mapping_profiles WHERE name = $1")
            .bind(name).fetch_optional(pool).await)?;
        row.ok_or(StoreError::NotFound)
    }
}

const KNOWN: &str = "SELECT external_id, record_sha256, present, unit FROM cases WHERE source = $1";

type KnownRow = (String, String, bool, Option<String>);

impl CaseImport {
    fn new(tx: Option<Tx>, source: &str, rows: Vec<KnownRow>) -> Self {
        let known = rows
            .into_iter()
            .map(|(id, sha, present, unit)| {
                // A hash that does not decode only makes the case count as changed.
                let mut bytes = [0u8; 32];
                let _ = hex::decode_to_slice(&sha, &mut bytes);
                let k = Known {
                    sha: bytes,
                    unit: unit.map(|u| u.to_lowercase()),
                    present,
                    seen: false,
                };
                (id, k)
            })
            .collect();
        CaseImport {
            tx,
            id: Uuid::now_v7(),
            source: source.to_owned(),
            known,
            foreign: HashSet::new(),
            counts: ImportCounts::default(),
        }
    }

    /// Limits the import to cases of these units (lower-cased names): cases of other units
    /// are neither counted nor marked gone, and an extract that names one of them is refused
    /// (the reader refuses rows of other units).
    pub fn limit_to(&mut self, units: &std::collections::BTreeSet<String>) {
        let outside: Vec<String> = self
            .known
            .iter()
            .filter(|(_, k)| !k.unit.as_ref().is_some_and(|u| units.contains(u)))
            .map(|(id, _)| id.clone())
            .collect();
        for id in outside {
            self.known.remove(&id);
            self.foreign.insert(id);
        }
    }

    /// Adds records read from the file; see [`CaseImport::add_prepared`].
    pub async fn add(&mut self, batch: &[CaseRecord]) -> Result<(), StoreError> {
        let prepared = batch
            .iter()
            .map(PreparedCase::new)
            .collect::<Result<Vec<_>, _>>()?;
        self.add_prepared(&prepared).await
    }

    /// Adds cases read from the file. A case id twice in one import is the reader's error to
    /// report (and the import is then refused); here a repeat within a batch, or of a case
    /// already in the register, is skipped.
    pub async fn add_prepared(&mut self, batch: &[PreparedCase]) -> Result<(), StoreError> {
        let mut rows: Vec<&str> = Vec::with_capacity(batch.len());
        // PostgreSQL refuses an upsert that touches one row twice in a statement.
        let mut in_batch = HashSet::with_capacity(batch.len());
        for c in batch {
            if !in_batch.insert(c.external_id.as_str()) {
                continue;
            }
            if self.foreign.contains(&c.external_id) {
                return Err(StoreError::Conflict("import-case-outside-scope"));
            }
            match self.known.get_mut(&c.external_id) {
                // New ids are not remembered: memory stays at one entry per case already in
                // the register. A new id twice is the reader's to catch (it refuses the file).
                None => self.counts.new += 1,
                Some(k) if k.seen => continue,
                Some(k) => {
                    k.seen = true;
                    if k.sha != c.sha {
                        self.counts.changed += 1;
                    } else {
                        self.counts.unchanged += 1;
                        if k.present {
                            continue;
                        }
                    }
                }
            }
            rows.push(&c.row);
        }
        let Some(tx) = self.tx.as_mut() else {
            return Ok(());
        };
        let now = Ts::now();
        let sql = match tx {
            Tx::Sqlite(_) => UPSERT_SQLITE,
            Tx::Postgres(_) => UPSERT_POSTGRES,
        };
        for chunk in rows.chunks(BATCH) {
            let mut param =
                String::with_capacity(chunk.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
            param.push('[');
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    param.push(',');
                }
                param.push_str(r);
            }
            param.push(']');
            on_tx!(tx, conn => sqlx::query(sql)
                .bind(&param)
                .bind(&self.source)
                .bind(self.id)
                .bind(now)
                .execute(conn)
                .await
                .map(|_| ()))?;
        }
        Ok(())
    }

    /// Ends the import. `keep` false (a dirty file or a dry run) rolls everything back and
    /// only returns the counts; `keep` true marks the cases that left the extract, records
    /// the import and its audit event, and commits.
    pub async fn finish(
        mut self,
        actor: &Actor,
        file: &ImportFile,
        keep: bool,
    ) -> Result<(Option<Uuid>, ImportCounts), StoreError> {
        let gone: Vec<&String> = self
            .known
            .iter()
            .filter(|(_, k)| k.present && !k.seen)
            .map(|(id, _)| id)
            .collect();
        self.counts.gone = gone.len() as u64;
        let tx = match self.tx.as_mut() {
            Some(tx) if keep => tx,
            // Dropping the transaction (if any) rolls it back.
            _ => return Ok((None, self.counts)),
        };
        let now = Ts::now();
        for chunk in gone.chunks(BATCH) {
            let ids = serde_json::to_string(chunk)
                .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
            let sql = match tx {
                Tx::Sqlite(_) => {
                    "UPDATE cases SET present = FALSE, updated_at = $2 WHERE source = $1 \
                     AND external_id IN (SELECT value FROM json_each($3))"
                }
                Tx::Postgres(_) => {
                    "UPDATE cases SET present = FALSE, updated_at = $2 WHERE source = $1 \
                     AND external_id IN (SELECT json_array_elements_text(CAST($3 AS JSON)))"
                }
            };
            on_tx!(tx, conn => sqlx::query(sql)
                .bind(&self.source).bind(now).bind(&ids)
                .execute(conn).await.map(|_| ()))?;
        }
        let c = &self.counts;
        let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO case_imports (id, source, file_name, file_sha256, encoding, rows_read, new_cases, changed, unchanged, gone, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(self.id).bind(&self.source).bind(&file.file_name).bind(&file.file_sha256).bind(&file.encoding)
            .bind(to_i64(file.rows)).bind(to_i64(c.new)).bind(to_i64(c.changed)).bind(to_i64(c.unchanged)).bind(to_i64(c.gone))
            .bind(Ts::now()).execute(conn).await.map(|_| ()))?;
        record(
            tx,
            actor,
            NewAuditEvent {
                action: AuditAction::CasesImported,
                resource_kind: "case_import",
                resource_id: Some(self.id.to_string()),
                outcome: Outcome::Success,
                details: vec![
                    ("source", self.source.clone()),
                    ("file", file.file_name.clone()),
                    ("sha256", file.file_sha256.clone()),
                    ("rows", file.rows.to_string()),
                    ("new", c.new.to_string()),
                    ("changed", c.changed.to_string()),
                    ("unchanged", c.unchanged.to_string()),
                    ("gone", c.gone.to_string()),
                ],
            },
        )
        .await?;
        let id = self.id;
        let counts = self.counts.clone();
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        Ok((Some(id), counts))
    }
}

fn to_sample_cases(rows: Vec<(String,)>) -> Result<Vec<SampleCase>, StoreError> {
    rows.into_iter()
        .map(|(json,)| {
            let r: CaseRecord = serde_json::from_str(&json)
                .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
            Ok(sample_case(r))
        })
        .collect()
}

/// A case as the sampler sees it.
fn sample_case(r: CaseRecord) -> SampleCase {
    SampleCase {
        key: format!("{}/{}", r.source, r.external_id),
        case_type: r.case_type,
        unit: r.unit,
        area: r.area.map(|a| a.code().to_owned()),
        caseworker: r.caseworker,
        start: r.measure_start,
        end: r.measure_end,
        last_reviewed: None,
        attributes: r.attributes,
    }
}
