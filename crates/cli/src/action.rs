//! `tilsyn action list [--overdue] [--json]`: the follow-up actions of every round and learning audit, open and
//! overdue ones first, as text (Danish first) or JSON, for an operator or a script that sends
//! reminders.

use crate::CliError;
use crate::admin::tr;
use crate::config::DbArgs;
use clap::Subcommand;
use serde::Serialize;
use tilsyn_domain::action::is_overdue;
use tilsyn_store::Store;
use tilsyn_store::actions::{Action, ActionFilter};
use uuid::Uuid;

#[derive(Subcommand)]
pub enum ActionCommand {
    /// List the actions: overdue first, then open ones by due date, then finished ones.
    List {
        /// Only open actions past their due date.
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(cmd: ActionCommand) -> Result<(), CliError> {
    match cmd {
        ActionCommand::List { overdue, json, db } => {
            let store = db.open().await?;
            let res = list(&store, overdue, json).await;
            store.close().await;
            res
        }
    }
}

/// One line of `action list --json`.
#[derive(Serialize)]
struct Row<'a> {
    id: Uuid,
    round_id: Option<Uuid>,
    round: Option<&'a str>,
    /// The learning audit's code, for an action of an audit's follow-up plan.
    learning_audit: Option<&'a str>,
    description: &'a str,
    owner: &'a str,
    due: chrono::NaiveDate,
    status: &'static str,
    overdue: bool,
    reaudit: bool,
    links: &'a tilsyn_domain::action::ActionLinks,
    note: &'a str,
}

fn row(a: &Action, today: chrono::NaiveDate) -> Row<'_> {
    Row {
        id: a.id,
        round_id: a.round_id,
        round: a.round_name.as_deref(),
        learning_audit: a.learning_audit.as_ref().map(|l| l.code.as_str()),
        description: &a.description,
        owner: &a.owner_name,
        due: a.due,
        status: a.status.code(),
        overdue: is_overdue(a.status, a.due, today),
        reaudit: a.reaudit,
        links: &a.links,
        note: if a.status == tilsyn_domain::action::ActionStatus::Done {
            &a.evidence
        } else {
            &a.status_reason
        },
    }
}

async fn list(store: &Store, overdue_only: bool, json: bool) -> Result<(), CliError> {
    let today = chrono::Utc::now().date_naive();
    let actions = store.actions(ActionFilter::default()).await?;
    let mut rows: Vec<Row<'_>> = actions
        .iter()
        .map(|a| row(a, today))
        .filter(|r| !overdue_only || r.overdue)
        .collect();
    rows.sort_by_key(|r| {
        (
            !r.overdue,
            r.status == "done" || r.status == "dropped",
            r.due,
        )
    });
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(());
    }
    let tr = tr();
    if rows.is_empty() {
        println!("{}", tr.t("action-cli-none"));
        return Ok(());
    }
    println!("{}", tr.t1("action-cli-list-title", "count", rows.len()));
    for r in &rows {
        let status = tr.t(&format!("action-status-{}", r.status));
        let mark = if r.overdue {
            format!(" ({})", tr.t("report-action-overdue"))
        } else {
            String::new()
        };
        println!("  {}  {}", r.id, r.description);
        println!(
            "      {}",
            tr.targs(
                "action-cli-line",
                &[
                    (
                        "round",
                        r.round.or(r.learning_audit).unwrap_or("–").to_owned()
                    ),
                    ("owner", r.owner.to_owned()),
                    ("due", r.due.format("%d-%m-%Y").to_string()),
                    ("status", format!("{status}{mark}")),
                ],
            )
        );
    }
    Ok(())
}
