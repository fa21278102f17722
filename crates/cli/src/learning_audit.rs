//! `tilsyn learning-audit list [--json]` and `tilsyn learning-audit report CODE -o FILE.pdf`:
//! the audits with their panels and progress, and an audit's report made from the same data
//! and template as the page's PDF.

use crate::CliError;
use crate::admin::tr;
use crate::config::DbArgs;
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;
use tilsyn_domain::audit::Actor;
use tilsyn_store::Store;

#[derive(Subcommand)]
pub enum LearningAuditCommand {
    /// List the learning audits, newest first.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Make an audit's report as PDF.
    Report {
        /// The audit's code, e.g. 19.1.
        code: String,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(cmd: LearningAuditCommand) -> Result<(), CliError> {
    match cmd {
        LearningAuditCommand::List { json, db } => {
            let store = db.open().await?;
            let res = list(&store, json).await;
            store.close().await;
            res
        }
        LearningAuditCommand::Report { code, output, db } => {
            let store = db.open().await?;
            let res = report(&store, &code, &output).await;
            store.close().await;
            res
        }
    }
}

/// One audit in `learning-audit list --json`.
#[derive(Serialize)]
struct Row {
    code: String,
    title: String,
    theme: u8,
    indicators: Vec<String>,
    organisations: usize,
    members: usize,
    materials: usize,
    /// Participants and panel members who have nominated at least one example.
    nominated: usize,
    nominators: usize,
    actions: usize,
}

async fn list(store: &Store, json: bool) -> Result<(), CliError> {
    let mut rows = vec![];
    for s in store.learning_audits(None).await? {
        let a = store.learning_audit(&s.code).await?;
        let noms = store.audit_nominations(a.id).await?;
        let mut who: Vec<_> = noms.iter().map(|n| n.user).collect();
        who.sort();
        who.dedup();
        let actions = tilsyn_web::learning_audits::follow_up(store, &a)
            .await
            .map_err(|e| CliError::Runtime(e.to_string()))?;
        rows.push(Row {
            indicators: a.included().iter().map(|s| (*s).to_owned()).collect(),
            organisations: a.organisations.len(),
            members: a.members.len(),
            materials: a.materials.len(),
            nominated: who.len(),
            nominators: a.members.iter().filter(|m| m.role.nominates()).count(),
            actions: actions.len(),
            code: a.code,
            title: a.title,
            theme: a.theme,
        });
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(());
    }
    let tr = tr();
    if rows.is_empty() {
        println!("{}", tr.t("la-cli-none"));
        return Ok(());
    }
    for r in &rows {
        println!("{}  {}", r.code, r.title);
        println!(
            "      {}",
            tr.targs(
                "la-cli-line",
                &[
                    ("indicators", r.indicators.join(", ")),
                    ("organisations", r.organisations.to_string()),
                    ("members", r.members.to_string()),
                    ("nominated", r.nominated.to_string()),
                    ("nominators", r.nominators.to_string()),
                    ("actions", r.actions.to_string()),
                ],
            )
        );
    }
    Ok(())
}

async fn report(store: &Store, code: &str, output: &PathBuf) -> Result<(), CliError> {
    let audit = store.learning_audit(code).await.map_err(|e| match e {
        tilsyn_store::StoreError::NotFound => {
            CliError::Usage(tr().t1("la-cli-unknown", "code", code))
        }
        e => e.into(),
    })?;
    let issuer = store
        .org_tree()
        .await?
        .rows()
        .first()
        .map(|r| r.unit.name.clone())
        .unwrap_or_default();
    let lang = tr().0;
    let report = tilsyn_web::learning_audits::report(
        store,
        &audit,
        lang,
        "tilsyn (CLI)",
        &issuer,
        chrono::Utc::now().date_naive(),
    )
    .await
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    let bytes =
        tilsyn_reports::pdf::audit_pdf(&report).map_err(|e| CliError::Runtime(e.to_string()))?;
    std::fs::write(output, &bytes)
        .map_err(|e| CliError::Runtime(format!("{}: {e}", output.display())))?;
    store.log_audit_report(&Actor::cli(None), audit.id).await?;
    println!(
        "{}",
        tr().targs(
            "la-cli-written",
            &[
                ("file", output.display().to_string()),
                ("bytes", bytes.len().to_string()),
            ],
        )
    );
    Ok(())
}
