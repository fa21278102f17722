//! The `tilsyn` binary: wires configuration, the store and the web app together. No rules
//! live here; each subcommand parses its arguments and calls the crates that own the work.

mod action;
mod admin;
mod answers;
mod bench;
mod bench_import;
mod bench_report;
mod bench_review;
mod config;
mod demo_audit;
mod demo_rounds;
mod import;
mod learning_audit;
mod report;
mod round;
mod sample;
mod serve;
mod table;
mod templates;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// tilsyn: ledelsestilsyn and lærende audit for Danish municipalities.
#[derive(Parser)]
#[command(name = "tilsyn", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the API.
    Serve(config::ServeArgs),
    /// Run database migrations and exit.
    Migrate(config::DbArgs),
    /// Create the demo municipality "Demo Kommune" with one user per role (password: demo), a
    /// made-up case register and three rounds (last year's baseline, closed; this spring's, in
    /// analysis; an autumn round under way), then serve.
    Demo {
        #[command(flatten)]
        serve: config::ServeArgs,
        /// Only create the demo data; do not serve.
        #[arg(long)]
        seed_only: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Read the audit log.
    #[command(subcommand, name = "audit-log")]
    AuditLog(admin::AuditCommand),
    /// Import case extracts into the case register.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Draw a reproducible stratified sample from the case register (with nested levels).
    Sample(sample::SampleArgs),
    /// List, export and import question frameworks (templates).
    #[command(subcommand)]
    Template(templates::TemplateCommand),
    /// Show rounds (tilsynsrunder): plan, progress per level and plan checks.
    #[command(subcommand)]
    Round(round::RoundCommand),
    /// List follow-up actions (tiltag), overdue ones first.
    #[command(subcommand)]
    Action(action::ActionCommand),
    /// List learning audits and make an audit's report.
    #[command(subcommand, name = "learning-audit")]
    LearningAudit(learning_audit::LearningAuditCommand),
    /// Load answers given outside tilsyn into a round's reviews.
    #[command(subcommand)]
    Answers(answers::AnswersCommand),
    /// Make a report of a round (committee, management, analyst or one caseworker's feedback)
    /// as PDF, XLSX, DOCX, CSV or JSON; it is stored as a frozen snapshot.
    Report(report::ReportArgs),
    /// Measure sign-in and page throughput on loopback (bounded in time and requests).
    Bench(bench::BenchArgs),
}

/// What went wrong, and so which exit code: 2 for something the caller must fix in how tilsyn
/// is called or configured, 1 for a failure at run time.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Runtime(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }
}

impl From<tilsyn_store::StoreError> for CliError {
    fn from(e: tilsyn_store::StoreError) -> Self {
        use tilsyn_store::StoreError as E;
        match e {
            E::Config(m) => CliError::Usage(format!("database URL: {m}")),
            E::Invalid(p) => CliError::Usage(admin::describe_problem(&p)),
            E::NotFound => CliError::Usage("not found / findes ikke".into()),
            E::Unavailable(m) => CliError::Runtime(format!("cannot reach the database: {m}")),
            other => CliError::Runtime(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A log line per request would measure the terminal, not tilsyn.
    let quiet = matches!(cli.command, Command::Bench(_));
    config::init_logging(if quiet { "warn" } else { "info,sqlx=warn" });
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tilsyn: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::serve(args, false, false).await,
            Command::Demo { serve, seed_only } => serve::serve(serve, true, seed_only).await,
            Command::Migrate(db) => serve::migrate(db).await,
            Command::User(c) => admin::user(c).await,
            Command::Token(c) => admin::token(c).await,
            Command::AuditLog(c) => admin::audit(c).await,
            Command::Template(c) => templates::run(c).await,
            Command::Import(c) => import::run(c).await,
            Command::Sample(a) => sample::run(a).await,
            Command::Round(c) => round::run(c).await,
            Command::Action(c) => action::run(c).await,
            Command::LearningAudit(c) => learning_audit::run(c).await,
            Command::Answers(c) => answers::run(c).await,
            Command::Report(args) => report::run(args).await,
            Command::Bench(args) => bench::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tilsyn: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
