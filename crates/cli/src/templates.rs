//! `tilsyn template …`: list, export and import templates in the file format.

use crate::CliError;
use crate::admin::{actor, tr};
use crate::config::DbArgs;
use clap::Subcommand;
use std::path::PathBuf;
use tilsyn_store::templates::{parse_file, to_file_json};

#[derive(Subcommand)]
pub enum TemplateCommand {
    /// List templates and their versions.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write a template version as a file (the newest published version by default).
    Export {
        key: String,
        #[arg(long)]
        version: Option<i32>,
        /// File to write; standard output when left out.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Read a template file: a new open template, or a new draft version of an existing one.
    Import {
        file: PathBuf,
        /// Publish the imported version at once (after the publish checks).
        #[arg(long)]
        publish: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Content errors, one per line, naming the item and the field.
fn content_errors(errs: &[tilsyn_domain::template::ContentError]) -> CliError {
    let tr = tr();
    CliError::Usage(
        errs.iter()
            .map(|e| tr.content_error(e))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn store_error(e: tilsyn_store::StoreError) -> CliError {
    match e {
        tilsyn_store::StoreError::Content(errs) => content_errors(&errs),
        tilsyn_store::StoreError::Conflict(key) => CliError::Usage(tr().t(key)),
        other => other.into(),
    }
}

pub async fn run(cmd: TemplateCommand) -> Result<(), CliError> {
    match cmd {
        TemplateCommand::List { json, db } => {
            let store = db.open().await?;
            let list = store.list_templates().await?;
            if json {
                let out = serde_json::to_string_pretty(&list)
                    .map_err(|e| CliError::Runtime(e.to_string()))?;
                println!("{out}");
            } else {
                for t in &list {
                    let versions: Vec<String> = t
                        .versions
                        .iter()
                        .map(|v| format!("v{} {}", v.number, v.status.code()))
                        .collect();
                    let lock = if t.locked { " [låst]" } else { "" };
                    println!(
                        "{:<26} {:<14} {}{lock}  ({})",
                        t.key,
                        t.kind.code(),
                        t.title,
                        versions.join(", ")
                    );
                }
            }
            store.close().await;
            Ok(())
        }
        TemplateCommand::Export {
            key,
            version,
            output,
            db,
        } => {
            let store = db.open().await?;
            let v = store
                .template_version(&key, version)
                .await
                .map_err(store_error)?;
            let text = to_file_json(&v.content);
            match output {
                Some(path) => std::fs::write(&path, text).map_err(|e| {
                    CliError::Runtime(format!("cannot write {}: {e}", path.display()))
                })?,
                None => print!("{text}"),
            }
            store.close().await;
            Ok(())
        }
        TemplateCommand::Import { file, publish, db } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
            // Parse before opening the database: a broken file changes nothing anywhere.
            let content = parse_file(&text).map_err(|errs| content_errors(&errs))?;
            let store = db.open().await?;
            let meta = store
                .import_template(&actor(), &content)
                .await
                .map_err(store_error)?;
            let meta = if publish {
                match store
                    .publish_version(&actor(), &meta.template_key, meta.number)
                    .await
                {
                    Ok(m) => m,
                    Err(e) => {
                        // The draft stays, so the person can fix it in the UI; say so.
                        eprintln!("{} v{} er gemt som kladde.", meta.template_key, meta.number);
                        return Err(store_error(e));
                    }
                }
            } else {
                meta
            };
            println!(
                "{} v{} {}",
                meta.template_key,
                meta.number,
                meta.status.code()
            );
            store.close().await;
            Ok(())
        }
    }
}
