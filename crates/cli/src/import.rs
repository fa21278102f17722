//! `tilsyn import cases`: read a case extract into the case register, all or nothing.

use crate::CliError;
use crate::admin::{actor, tr};
use crate::config::DbArgs;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use tilsyn_intake::{Format, Mapping, Options, Source, TextEncoding, suggest_mapping};
use tilsyn_store::cases::ImportCounts;
use tilsyn_web::case_import::{ImportError, ImportOutcome, ImportRequest, Progress, import_cases};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import a case extract (CSV or XLSX) into the case register.
    Cases(CasesArgs),
}

#[derive(Args)]
pub struct CasesArgs {
    file: PathBuf,
    /// A saved column mapping (see --save-profile).
    #[arg(long, conflicts_with = "mapping")]
    profile: Option<String>,
    /// A column mapping as a JSON file: {"external_id": "Sagsnummer", …}.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Save the mapping used under this name, for the next extract from the same system.
    #[arg(long)]
    save_profile: Option<String>,
    /// The source system (DUBU, Nexus, …); cases are matched on (source, case id).
    #[arg(long, default_value = "DUBU")]
    source: String,
    /// The XLSX sheet to read.
    #[arg(long)]
    sheet: Option<String>,
    /// The CSV encoding (utf-8, windows-1252, iso-8859-1) when detection gets it wrong.
    #[arg(long)]
    encoding: Option<String>,
    /// Show the full report without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Key of the person-key hash (at least 16 bytes). Needed when a CPR column is mapped
    /// as the person key; the same key must be used for every import.
    #[arg(long, env = "TILSYN_PERSON_KEY_SECRET", hide_env_values = true)]
    person_key_secret: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// A bar on stderr for files big enough to wait for (indicatif hides it when stderr is not a
/// terminal). The total is estimated from the file size and the first megabyte's lines.
fn progress_bar(path: &std::path::Path, format: Format) -> Option<ProgressBar> {
    let size = std::fs::metadata(path).ok()?.len();
    if size < 4 * 1024 * 1024 {
        return None;
    }
    let bar = if format == Format::Csv {
        let mut head = vec![0u8; 1024 * 1024];
        let n = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .ok()?;
        let lines = head[..n].iter().filter(|&&b| b == b'\n').count().max(1) as u64;
        ProgressBar::new(size * lines / n.max(1) as u64)
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/~{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(bar)
}

fn intake_error(e: &tilsyn_intake::IntakeError) -> CliError {
    CliError::Usage(tilsyn_web::case_import::intake_message(tr(), e))
}

pub async fn run(cmd: ImportCommand) -> Result<(), CliError> {
    let ImportCommand::Cases(a) = cmd;
    let encoding = match &a.encoding {
        Some(l) => Some(TextEncoding::from_label(l).ok_or_else(|| {
            CliError::Usage(tr().t1("import-cli-unknown-encoding", "encoding", l))
        })?),
        None => None,
    };
    let opts = Options {
        encoding,
        sheet: a.sheet.clone(),
        ..Options::default()
    };
    if !a.file.is_file() {
        return Err(CliError::Usage(tr().t1(
            "import-cli-no-file",
            "path",
            a.file.display(),
        )));
    }
    let source = Source::open_path(&a.file, &opts).map_err(|e| intake_error(&e))?;
    let store = a.db.open().await?;
    let mapping: Mapping = match (&a.profile, &a.mapping) {
        (Some(p), _) => {
            let (_, json) = store
                .mapping_profile(p)
                .await
                .map_err(|_| CliError::Usage(format!("no saved mapping profile named {p}")))?;
            serde_json::from_str(&json).map_err(|e| CliError::Runtime(e.to_string()))?
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
            serde_json::from_str(&text).map_err(|e| {
                CliError::Usage(format!("{}: not a column mapping: {e}", path.display()))
            })?
        }
        (None, None) => {
            let s = suggest_mapping(source.headers());
            if !s.missing_mandatory.is_empty() {
                let tr = tr();
                let missing: Vec<String> = s
                    .missing_mandatory
                    .iter()
                    .map(|f| tr.t(f.label_key()))
                    .collect();
                return Err(CliError::Usage(format!(
                    "{}: {}. {}",
                    tr.t("import-cli-unmapped"),
                    missing.join(", "),
                    tr.t("import-cli-unmapped-hint")
                )));
            }
            s.mapping
        }
    };
    let secret = a.person_key_secret.clone().unwrap_or_default();
    let file_name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bar = progress_bar(&a.file, source.info().format);
    let req = ImportRequest {
        source_system: a.source.clone(),
        file_name,
        mapping: mapping.clone(),
        secret: secret.into_bytes(),
        today: chrono::Utc::now().date_naive(),
        dry_run: a.dry_run,
        // The command line is for whoever runs tilsyn itself: the whole register.
        units: None,
    };
    let progress: Option<Progress> = bar.clone().map(|b| {
        let p: Progress = Arc::new(move |n| b.set_position(n));
        p
    });
    let outcome = import_cases(&store, source, req, &actor(), progress).await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let ImportOutcome {
        report,
        counts,
        written: keep,
        ..
    } = outcome.map_err(|e| match e {
        ImportError::Intake(e) => intake_error(&e),
        ImportError::Store(e) => e.into(),
        ImportError::Stopped => CliError::Runtime("the import stopped".into()),
    })?;
    if keep && let Some(name) = &a.save_profile {
        let json = serde_json::to_string(&mapping).map_err(|e| CliError::Runtime(e.to_string()))?;
        store.save_mapping_profile(name, &a.source, &json).await?;
    }
    print_report(&a, &report, &counts, keep);
    store.close().await;
    if report.is_clean() {
        Ok(())
    } else {
        Err(CliError::Usage(tr().t1(
            "import-cli-refused",
            "count",
            report.error_count,
        )))
    }
}

fn print_report(a: &CasesArgs, report: &tilsyn_intake::Report, counts: &ImportCounts, kept: bool) {
    let tr = tr();
    if a.json {
        let errors: Vec<serde_json::Value> = report
            .errors
            .iter()
            .map(|e| {
                serde_json::json!({
                    "line": e.line, "column": e.column, "value": e.value, "key": e.key,
                    "message": tr.targs(e.key, &e.args()),
                })
            })
            .collect();
        let out = serde_json::json!({
            "file": report.info, "rows": report.rows, "error_count": report.error_count,
            "errors": errors, "counts": counts, "written": kept, "dry_run": a.dry_run,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return;
    }
    for e in &report.errors {
        eprintln!("{}", tr.targs(e.key, &e.args()));
    }
    if report.error_count > report.errors.len() as u64 {
        eprintln!(
            "{}",
            tr.t1(
                "import-cli-more-errors",
                "count",
                report.error_count - report.errors.len() as u64
            )
        );
    }
    let enc = report.info.encoding.map(|e| e.label()).unwrap_or("xlsx");
    // Counts of a refused file would read as if something had happened.
    if !report.is_clean() {
        println!("{}", tr.t("import-cli-nothing-written"));
        return;
    }
    println!(
        "{}",
        tr.targs(
            "import-cli-summary",
            &[
                ("rows", report.rows.to_string()),
                ("new", counts.new.to_string()),
                ("changed", counts.changed.to_string()),
                ("unchanged", counts.unchanged.to_string()),
                ("gone", counts.gone.to_string()),
                ("encoding", enc.to_owned()),
                ("sha", report.info.file_sha256.chars().take(12).collect()),
            ]
        )
    );
    let outcome = if kept {
        "import-cli-written"
    } else if a.dry_run && report.is_clean() {
        "import-cli-dry-run"
    } else {
        "import-cli-nothing-written"
    };
    println!("{}", tr.t(outcome));
}
