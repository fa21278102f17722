//! `tilsyn report ROUND --format … --audience … -o FILE`: makes a report from the round's
//! submitted answers, stores it as a frozen snapshot and writes the file.

use crate::CliError;
use crate::admin::{actor, tr};
use crate::config::DbArgs;
use crate::round::find_round;
use clap::Args;
use std::path::PathBuf;
use tilsyn_domain::report::{Audience, DEFAULT_THRESHOLD};
use tilsyn_reports::render::{Format, render};
use tilsyn_web::results::{self, Making};
use tilsyn_web::rounds::ContentCache;

#[derive(Args)]
pub struct ReportArgs {
    /// The round: its id, or its name when no other round has it.
    pub round: String,
    /// pdf, xlsx, docx, csv (key figures), raw-csv (analysts), json (key figures) or snapshot.
    #[arg(long, default_value = "pdf")]
    pub format: String,
    /// committee, management, analyst or caseworker:USERNAME.
    #[arg(long, default_value = "committee")]
    pub audience: String,
    /// Cells with fewer cases are hidden (committee, management, caseworker).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    pub threshold: u64,
    /// Where to write; `-` for standard output.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(args: ReportArgs) -> Result<(), CliError> {
    let tr = tr();
    let format = Format::parse(&args.format)
        .ok_or_else(|| CliError::Usage(tr.t1("cli-report-bad-format", "value", &args.format)))?;
    let mut audience = Audience::parse(&args.audience).ok_or_else(|| {
        CliError::Usage(tr.t1("cli-report-bad-audience", "value", &args.audience))
    })?;
    if args.threshold < 2 && audience.suppressed() {
        return Err(CliError::Usage(tr.t("cli-report-bad-threshold")));
    }
    let store = args.db.open().await?;
    let res = async {
        if let Audience::Caseworker { username, name } = &mut audience {
            let user = match store.find_user(username).await {
                Ok(u) => u,
                Err(tilsyn_store::StoreError::NotFound) => {
                    return Err(CliError::Usage(tr.t1(
                        "cli-report-no-user",
                        "value",
                        username.as_str(),
                    )));
                }
                Err(e) => return Err(e.into()),
            };
            *name = user.full_name;
        }
        let round = find_round(&store, &args.round).await?;
        let tree = store.org_tree().await?;
        let contents = ContentCache::default();
        let cache = results::ResultsCache::default();
        let data = results::load(&store, &contents, &cache, &tree, round)
            .await
            .map_err(|e| CliError::Runtime(e.to_string()))?;
        let municipality = tree
            .rows()
            .first()
            .map(|r| r.unit.name.clone())
            .unwrap_or_default();
        let report = results::make_report(
            &store,
            &contents,
            &cache,
            &tree,
            &data,
            Making {
                audience: audience.clone(),
                lang: tr.0,
                by: actor().username.unwrap_or_default(),
                municipality,
                threshold: args.threshold,
            },
        )
        .await
        .map_err(|e| CliError::Runtime(e.to_string()))?;
        // Rendered before it is stored: a report that cannot be written leaves no snapshot.
        let bytes = render(&report, format).map_err(|e| CliError::Runtime(e.to_string()))?;
        let saved = store.save_report(&actor(), data.round.id, &report).await?;
        if args.output.as_os_str() == "-" {
            use std::io::Write;
            std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| CliError::Runtime(e.to_string()))?;
        } else {
            std::fs::write(&args.output, &bytes)
                .map_err(|e| CliError::Runtime(format!("{}: {e}", args.output.display())))?;
            eprintln!(
                "{}",
                tr.t1("cli-report-written", "file", args.output.display())
            );
            eprintln!("{}", tr.t1("cli-report-saved", "id", saved.id));
            eprintln!("{}: {}", tr.t("report-fingerprint"), saved.fingerprint);
        }
        Ok(())
    }
    .await;
    store.close().await;
    res
}
