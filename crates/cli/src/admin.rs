//! User, token and audit-log administration from the command line. The operator at the
//! console acts with the server's own authority; every change is still audit-logged.

use crate::CliError;
use crate::config::DbArgs;
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use tilsyn_domain::audit::{Actor, AuditAction, AuditFilter, NewAuditEvent, Outcome};
use tilsyn_domain::org::{FullName, NewPassword, OrgTree, Username};
use tilsyn_domain::{Problem, Role, UnitId};
use tilsyn_store::{AUDIT_EXPORT_LIMIT, Store};
use tilsyn_web::i18n::{Lang, Tr};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user. The password comes from TILSYN_PASSWORD or is asked for.
    Add {
        username: String,
        /// Full name as shown in tilsyn.
        #[arg(long)]
        name: String,
        /// Grant this role at once (needs --unit).
        #[arg(long, requires = "unit")]
        role: Option<String>,
        /// Unit for --role: its name or id.
        #[arg(long, requires = "role")]
        unit: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Grant ROLE on UNIT (name or id) to USERNAME.
    Grant {
        username: String,
        role: String,
        unit: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new password (from TILSYN_PASSWORD or asked for) and end the person's sessions.
    Passwd {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account and end its sessions.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List users and their roles.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for USERNAME and print it (shown only once).
    Create {
        username: String,
        /// What the token is for, e.g. "BI-udtræk".
        #[arg(long, default_value = "cli")]
        label: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke every API token of USERNAME.
    Revoke {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Write the audit log, oldest first, to standard output.
    Export {
        /// Only events on or after this day (yyyy-mm-dd, Danish time).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn tr() -> Tr {
    Tr(std::env::var("TILSYN_LANG")
        .ok()
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default())
}

pub fn describe_problem(p: &Problem) -> String {
    let tr = tr();
    p.0.iter()
        .map(|e| format!("{}: {}", e.field, tr.t(e.key)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn invalid(e: tilsyn_domain::FieldError) -> CliError {
    CliError::Usage(describe_problem(&Problem(vec![e])))
}

pub fn actor() -> Actor {
    Actor::cli(std::env::var("USER").ok().map(|u| format!("cli:{u}")))
}

/// A unit by id, or by name (case-insensitive) when that name is unique.
fn find_unit(tree: &OrgTree, s: &str) -> Result<UnitId, CliError> {
    if let Some(id) = s
        .parse::<UnitId>()
        .ok()
        .filter(|id| tree.get(*id).is_some())
    {
        return Ok(id);
    }
    let want = s.trim().to_lowercase();
    let hits: Vec<_> = tree
        .rows()
        .into_iter()
        .filter(|r| r.unit.name.to_lowercase() == want)
        .collect();
    match hits.as_slice() {
        [one] => Ok(one.unit.id),
        [] => Err(CliError::Usage(format!(
            "unknown unit '{s}'. Units: {}",
            tree.rows()
                .iter()
                .map(|r| r.unit.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        many => Err(CliError::Usage(format!(
            "'{s}' matches several units; give the id: {}",
            many.iter()
                .map(|r| format!("{} ({})", tree.label(r.unit.id), r.unit.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn read_password() -> Result<NewPassword, CliError> {
    let pw = match std::env::var("TILSYN_PASSWORD") {
        Ok(p) => p,
        Err(_) if std::io::stdin().is_terminal() => {
            let a = rpassword::prompt_password("Adgangskode / password: ")
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            let b = rpassword::prompt_password("Gentag / repeat: ")
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            if a != b {
                return Err(CliError::Usage(
                    "the passwords differ / adgangskoderne er forskellige".into(),
                ));
            }
            a
        }
        Err(_) => {
            return Err(CliError::Usage(
                "no password: set TILSYN_PASSWORD or run in a terminal to be asked".into(),
            ));
        }
    };
    NewPassword::parse(&pw).map_err(invalid)
}

async fn user_by_name(store: &Store, username: &str) -> Result<tilsyn_domain::org::User, CliError> {
    store.find_user(username).await.map_err(|e| match e {
        tilsyn_store::StoreError::NotFound => CliError::Usage(format!("no user '{username}'")),
        other => other.into(),
    })
}

pub async fn user(cmd: UserCommand) -> Result<(), CliError> {
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            unit,
            db,
        } => {
            // Check every argument before touching anything, so a mistake changes nothing.
            let username = Username::parse(&username).map_err(invalid)?;
            let full_name = FullName::parse(&name).map_err(invalid)?;
            let role = role.map(|r| Role::parse(&r).map_err(invalid)).transpose()?;
            let password = read_password()?;
            let store = db.open().await?;
            let unit = match &unit {
                Some(u) => Some(find_unit(&store.org_tree().await?, u)?),
                None => None,
            };
            // The user and the first role in one transaction: both or neither.
            let user = store
                .create_user_with_role(
                    &actor(),
                    &username,
                    &full_name,
                    Some(&password),
                    role.zip(unit),
                )
                .await?;
            println!("created {} ({})", user.username, user.id);
        }
        UserCommand::Grant {
            username,
            role,
            unit,
            db,
        } => {
            let role = Role::parse(&role).map_err(invalid)?;
            let store = db.open().await?;
            let user = user_by_name(&store, &username).await?;
            let unit = find_unit(&store.org_tree().await?, &unit)?;
            store.grant_role(&actor(), user.id, role, unit).await?;
            println!("granted {} to {}", role.code(), user.username);
        }
        UserCommand::Passwd { username, db } => {
            let password = read_password()?;
            let store = db.open().await?;
            let user = user_by_name(&store, &username).await?;
            store.set_password(&actor(), user.id, &password).await?;
            println!(
                "password set for {}; their sessions have ended",
                user.username
            );
        }
        UserCommand::Disable { username, db } => {
            let store = db.open().await?;
            let user = user_by_name(&store, &username).await?;
            store.set_user_disabled(&actor(), user.id, true).await?;
            println!("disabled {}", user.username);
        }
        UserCommand::List { json, db } => {
            let store = db.open().await?;
            let tree = store.org_tree().await?;
            let grants = store.list_grants().await?;
            let users = store.list_users().await?;
            if json {
                let v: Vec<serde_json::Value> = users
                    .iter()
                    .map(|u| {
                        serde_json::json!({
                            "id": u.id.to_string(),
                            "username": u.username,
                            "full_name": u.full_name,
                            "disabled": u.disabled,
                            "grants": grants.iter().filter(|g| g.user_id == u.id).map(|g| serde_json::json!({
                                "role": g.role.code(),
                                "unit_id": g.unit_id.to_string(),
                                "unit": tree.get(g.unit_id).map(|x| x.name.clone()),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&v)
                        .map_err(|e| CliError::Runtime(e.to_string()))?
                );
            } else {
                for u in &users {
                    let roles: Vec<String> = grants
                        .iter()
                        .filter(|g| g.user_id == u.id)
                        .map(|g| {
                            format!(
                                "{}@{}",
                                g.role.code(),
                                tree.get(g.unit_id).map(|x| x.name.as_str()).unwrap_or("?")
                            )
                        })
                        .collect();
                    let status = if u.disabled { " [disabled]" } else { "" };
                    println!(
                        "{:<16} {:<24} {}{status}",
                        u.username,
                        u.full_name,
                        roles.join(", ")
                    );
                }
            }
        }
    }
    Ok(())
}

pub async fn token(cmd: TokenCommand) -> Result<(), CliError> {
    let (username, label, db) = match cmd {
        TokenCommand::Create {
            username,
            label,
            db,
        } => (username, label, db),
        TokenCommand::Revoke { username, db } => {
            let store = db.open().await?;
            let user = user_by_name(&store, &username).await?;
            let n = store.revoke_tokens(&actor(), user.id).await?;
            println!("revoked {n} token(s) of {}", user.username);
            return Ok(());
        }
    };
    let store = db.open().await?;
    let user = user_by_name(&store, &username).await?;
    if user.disabled {
        return Err(CliError::Usage(format!("user '{username}' is disabled")));
    }
    let token = store.create_token(&actor(), user.id, &label).await?;
    println!("{token}");
    Ok(())
}

const CSV_HEADER: [&str; 11] = [
    "id",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "resource_kind",
    "resource_id",
    "outcome",
    "client_addr",
    "request_id",
    "details",
];

pub async fn audit(cmd: AuditCommand) -> Result<(), CliError> {
    let AuditCommand::Export { since, format, db } = cmd;
    let since = since
        .map(|s| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(tilsyn_web::usecases::danish_day_start)
                .map_err(|_| {
                    CliError::Usage(format!("--since '{s}': use yyyy-mm-dd, e.g. 2026-01-31"))
                })
        })
        .transpose()?;
    let store = db.open().await?;
    // Page backwards through the log, then write oldest first.
    let mut events = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .list_audit_events(&AuditFilter {
                since,
                before,
                limit: AUDIT_EXPORT_LIMIT,
                ..AuditFilter::default()
            })
            .await?;
        let done = page.len() < AUDIT_EXPORT_LIMIT as usize;
        before = page.last().map(|e| e.id);
        events.extend(page);
        if done {
            break;
        }
    }
    events.reverse();
    let out = std::io::stdout();
    let mut out = out.lock();
    let io = |e: std::io::Error| CliError::Runtime(e.to_string());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &events)
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            writeln!(out).map_err(io)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_HEADER)
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            for e in &events {
                w.write_record([
                    e.id.to_string(),
                    e.at.to_rfc3339(),
                    e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
                    e.actor_username.clone().unwrap_or_default(),
                    e.action.clone(),
                    e.resource_kind.clone(),
                    e.resource_id.clone().unwrap_or_default(),
                    e.outcome.clone(),
                    e.client_addr.clone().unwrap_or_default(),
                    e.request_id.clone().unwrap_or_default(),
                    serde_json::to_string(&e.details).unwrap_or_default(),
                ])
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            }
            w.flush().map_err(io)?;
        }
    }
    drop(out);
    store
        .record_event(
            &actor(),
            NewAuditEvent {
                action: AuditAction::AuditLogExported,
                resource_kind: "audit_log",
                resource_id: None,
                outcome: Outcome::Success,
                details: vec![("rows", events.len().to_string())],
            },
        )
        .await?;
    Ok(())
}
