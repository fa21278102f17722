//! Importing a case extract into the register: the reader (synchronous, streaming) on a
//! blocking thread encodes the cases, the store writes them in one transaction, and the whole
//! file is kept only if every line was clean. The command line and the upload page both call
//! [`import_cases`].

use chrono::NaiveDate;
use std::sync::Arc;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::cases::CaseTypeCatalog;
use tilsyn_intake::{IntakeError, Mapping, ReadError, Report, Settings, Source};
use tilsyn_store::cases::{ImportCounts, ImportFile, PreparedCase};
use tilsyn_store::{Store, StoreError};
use uuid::Uuid;

/// Cases handed from the reader's thread to the database at a time.
const BATCH: usize = 2000;

/// What to import and how.
pub struct ImportRequest {
    /// The case system (DUBU, Nexus, …): cases are matched on (source, case id).
    pub source_system: String,
    pub file_name: String,
    pub mapping: Mapping,
    /// Key of the person-key hash; empty when no person key is mapped.
    pub secret: Vec<u8>,
    pub today: NaiveDate,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
    /// The units (lower-cased names) the importer covers; `None` = every unit. Rows of other
    /// units are line errors, and cases of other units are left alone.
    pub units: Option<std::collections::BTreeSet<String>>,
}

/// The result of reading a whole file.
#[derive(Debug)]
pub struct ImportOutcome {
    pub report: Report,
    pub counts: ImportCounts,
    /// Whether the register was changed (a clean file and not a dry run).
    pub written: bool,
    pub import_id: Option<Uuid>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is refused as a whole (format, encoding, mapping …).
    #[error("{0}")]
    Intake(#[from] IntakeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The reader's thread ended without a result.
    #[error("the import stopped")]
    Stopped,
}

/// The message for a refused file in the reader's language, with field names as people read
/// them (the reader's own arguments carry the fields' codes).
pub fn intake_message(tr: crate::i18n::Tr, e: &IntakeError) -> String {
    let labels: Vec<String> = e.fields().iter().map(|f| tr.t(f.label_key())).collect();
    let args: Vec<(&'static str, String)> = e
        .args()
        .into_iter()
        .map(|(k, v)| match k {
            "field" | "fields" if !labels.is_empty() => (k, labels.join(", ")),
            _ => (k, v),
        })
        .collect();
    tr.targs(e.key(), &args)
}

/// Progress: called with the number of cases read so far, once per batch.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// Reads `source` whole and, if every line is clean and this is not a dry run, writes it to
/// the register in one transaction with its audit event. Otherwise nothing is written.
pub async fn import_cases(
    store: &Store,
    source: Source,
    req: ImportRequest,
    actor: &Actor,
    progress: Option<Progress>,
) -> Result<ImportOutcome, ImportError> {
    let info = source.info().clone();
    let mut import = if req.dry_run {
        store.begin_case_check(&req.source_system).await?
    } else {
        store.begin_case_import(&req.source_system).await?
    };
    if let Some(units) = &req.units {
        import.limit_to(units);
    }
    let units = req.units.clone();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<PreparedCase>>(4);
    let mapping = req.mapping.clone();
    let secret = req.secret.clone();
    let source_system = req.source_system.clone();
    let today = req.today;
    let reader = tokio::task::spawn_blocking(move || {
        let catalog = CaseTypeCatalog::standard();
        let mut settings = Settings::new(&mapping, &catalog, &secret, today);
        settings.source = source_system;
        settings.units = units.as_ref();
        let mut batch = Vec::with_capacity(BATCH);
        let mut read = 0u64;
        let res = source.read(&settings, |r| {
            // A record the store cannot encode ends the read; the store reports why below.
            let case = PreparedCase::new(&r).map_err(|_| ())?;
            batch.push(case);
            if batch.len() >= BATCH {
                read += batch.len() as u64;
                tx.blocking_send(std::mem::take(&mut batch))
                    .map_err(|_| ())?;
                if let Some(p) = &progress {
                    p(read);
                }
            }
            Ok::<(), ()>(())
        });
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        res
    });
    let mut store_err = None;
    while let Some(batch) = rx.recv().await {
        if store_err.is_none()
            && let Err(e) = import.add_prepared(&batch).await
        {
            store_err = Some(e);
        }
    }
    let report = match reader.await {
        Ok(Ok(r)) => r,
        Ok(Err(ReadError::Intake(e))) => return Err(e.into()),
        Ok(Err(ReadError::Sink(()))) | Err(_) => return Err(ImportError::Stopped),
    };
    if let Some(e) = store_err {
        return Err(e.into());
    }
    let file = ImportFile {
        source: req.source_system.clone(),
        file_name: req.file_name.clone(),
        file_sha256: info.file_sha256.clone(),
        encoding: info
            .encoding
            .map(|e| e.label().to_owned())
            .unwrap_or_else(|| "xlsx".into()),
        rows: report.rows,
    };
    let keep = report.is_clean() && !req.dry_run;
    let (import_id, counts) = import.finish(actor, &file, keep).await?;
    if req.dry_run {
        // A check tells whether case ids exist and what would change: it is a read.
        store
            .record_event(
                actor,
                NewAuditEvent {
                    action: AuditAction::CasesChecked,
                    resource_kind: "case_import",
                    resource_id: None,
                    outcome: Outcome::Success,
                    details: vec![
                        ("source", file.source.clone()),
                        ("file", file.file_name.clone()),
                        ("sha256", file.file_sha256.clone()),
                        ("rows", file.rows.to_string()),
                        ("errors", report.error_count.to_string()),
                    ],
                },
            )
            .await?;
    }
    Ok(ImportOutcome {
        report,
        counts,
        written: keep,
        import_id,
    })
}
