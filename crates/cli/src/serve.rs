//! `serve`, `demo` and `migrate`.

use crate::CliError;
use crate::config::{DbArgs, ServeArgs};
use tilsyn_domain::audit::Actor;
use tilsyn_store::{Store, demo};

pub async fn migrate(db: DbArgs) -> Result<(), CliError> {
    let store = db.open().await?;
    println!(
        "migrated {} ({})",
        tilsyn_store::redact(&db.database_url),
        store.backend().name()
    );
    store.close().await;
    Ok(())
}

/// Cases in the demo's made-up case register.
const DEMO_CASES: u64 = 600;

pub async fn serve(mut args: ServeArgs, with_demo: bool, seed_only: bool) -> Result<(), CliError> {
    let store = args.db.open().await?;
    if with_demo {
        if args.person_key_secret.is_none() {
            // A fresh random key per start, never a known one: an extract someone imports
            // into a demo must not be hashed with a key anyone could read in the source.
            // (Person keys then differ between demo restarts; a real installation sets
            // TILSYN_PERSON_KEY_SECRET once and keeps it.)
            args.person_key_secret = Some(hex::encode(rand::random::<[u8; 32]>()));
        }
        demo::seed(&store, &Actor::cli(Some("demo".into()))).await?;
        seed_demo_cases(&store, &args).await?;
        crate::demo_rounds::seed(&store).await?;
        crate::demo_audit::seed(&store).await?;
        println!(
            "Demo Kommune er klar. Log ind med en af disse brugere (adgangskode: {}):",
            demo::DEMO_PASSWORD
        );
        for (user, name, role, unit) in demo::DEMO_USERS {
            println!("  {user:<12} {name:<14} {:<12} {unit}", role.code());
        }
        if seed_only {
            store.close().await;
            return Ok(());
        }
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| CliError::Runtime(format!("cannot listen on {}: {e}", args.addr)))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    println!(
        "tilsyn lytter på http://{local}  (database: {})",
        store.backend().name()
    );
    tracing::info!(addr = %local, backend = store.backend().name(), "listening");
    spawn_session_purge(store.clone(), args.settings());
    let app = tilsyn_web::app(store.clone(), args.settings());
    tilsyn_web::serve(listener, app, shutdown_signal())
        .await
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    tracing::info!("shut down");
    store.close().await;
    Ok(())
}

/// A made-up extract of the demo municipality's cases, imported once through the real import.
async fn seed_demo_cases(store: &Store, args: &ServeArgs) -> Result<(), CliError> {
    if store.count_cases().await? > 0 {
        return Ok(());
    }
    let mut csv = Vec::new();
    tilsyn_intake::synthetic::write_extract(&mut csv, DEMO_CASES, false)
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    let source = tilsyn_intake::Source::open_csv(
        std::io::Cursor::new(csv),
        &tilsyn_intake::Options::default(),
    )
    .map_err(|e| CliError::Runtime(e.key().to_owned()))?;
    let mapping = tilsyn_intake::suggest_mapping(source.headers()).mapping;
    let req = tilsyn_web::case_import::ImportRequest {
        source_system: "DUBU".into(),
        file_name: "demo-udtraek.csv".into(),
        mapping,
        secret: args.settings().person_key_secret.0,
        today: chrono::Utc::now().date_naive(),
        dry_run: false,
        units: None,
    };
    let outcome = tilsyn_web::case_import::import_cases(
        store,
        source,
        req,
        &Actor::cli(Some("demo".into())),
        None,
    )
    .await
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    if !outcome.written {
        let first = outcome.report.errors.first().map(|e| e.key).unwrap_or("");
        return Err(CliError::Runtime(format!(
            "the demo extract did not import ({} errors, first {first})",
            outcome.report.error_count
        )));
    }
    Ok(())
}

/// Ended sessions are refused at once by the request check; this only keeps the table small.
fn spawn_session_purge(store: tilsyn_store::Store, settings: tilsyn_web::Settings) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = chrono::Utc::now();
            if let Err(e) = store
                .purge_sessions(now - settings.session.idle, now - settings.session.absolute)
                .await
            {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
