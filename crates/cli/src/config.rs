//! Configuration from flags and `TILSYN_*` environment variables, checked before anything
//! listens; logging set up once from `RUST_LOG`.

use crate::CliError;
use clap::Args;
use std::net::SocketAddr;
use std::time::Duration;
use tilsyn_domain::auth::{SessionPolicy, ThrottlePolicy};
use tilsyn_store::Store;
use tilsyn_web::Settings;

#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "TILSYN_DATABASE_URL",
        default_value = "sqlite://tilsyn.db"
    )]
    pub database_url: String,
}

impl DbArgs {
    /// Opens and migrates the database. A bad URL is a usage error (exit 2); an unreachable
    /// database a run-time error (exit 1).
    pub async fn open(&self) -> Result<Store, CliError> {
        let store = Store::connect(&self.database_url)
            .await
            .map_err(|e| match e {
                tilsyn_store::StoreError::Unavailable(m) => CliError::Runtime(format!(
                    "cannot reach the database at {}: {m}",
                    tilsyn_store::redact(&self.database_url)
                )),
                other => other.into(),
            })?;
        store.migrate().await?;
        // Standard templates are product content: present in every installation, updated
        // when a new release ships changed ones.
        store
            .ensure_standard_templates(&tilsyn_store::standard::templates()?)
            .await?;
        Ok(store)
    }
}

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address and port to listen on.
    #[arg(long, env = "TILSYN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Mark cookies Secure. Turn on when tilsyn is reached over HTTPS.
    #[arg(long, env = "TILSYN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Behind a reverse proxy: take client address and scheme from X-Forwarded-For/-Proto.
    #[arg(long, env = "TILSYN_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Minutes without activity before a session ends.
    #[arg(long, env = "TILSYN_SESSION_IDLE_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub session_idle_minutes: u32,
    /// Hours after sign-in before a session ends, however active.
    #[arg(long, env = "TILSYN_SESSION_MAX_HOURS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=168))]
    pub session_max_hours: u32,
    /// Failed sign-ins for one username within 15 minutes before it is locked for a while.
    #[arg(long, env = "TILSYN_LOGIN_MAX_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub login_max_failures: u32,
    /// Failed sign-ins from one address within 15 minutes before it is locked for a while.
    #[arg(long, env = "TILSYN_LOGIN_MAX_FAILURES_PER_ADDRESS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub login_max_failures_per_address: u32,
    /// Seconds before a request is answered with 408.
    #[arg(long, env = "TILSYN_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,
    /// Key of the person-key hash for case imports (at least 16 bytes). CPR numbers are
    /// replaced by it before anything is stored; use the same key for every import.
    #[arg(long, env = "TILSYN_PERSON_KEY_SECRET", hide_env_values = true)]
    pub person_key_secret: Option<String>,
}

impl ServeArgs {
    pub fn settings(&self) -> Settings {
        Settings {
            session: SessionPolicy {
                idle: chrono::Duration::minutes(i64::from(self.session_idle_minutes)),
                absolute: chrono::Duration::hours(i64::from(self.session_max_hours)),
            },
            throttle: ThrottlePolicy {
                per_account: self.login_max_failures,
                per_address: self.login_max_failures_per_address,
                ..ThrottlePolicy::default()
            },
            secure_cookies: self.secure_cookies,
            trust_proxy: self.trust_proxy,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            person_key_secret: tilsyn_web::PersonKeySecret(
                self.person_key_secret
                    .clone()
                    .unwrap_or_default()
                    .into_bytes(),
            ),
        }
    }
}

pub fn init_logging(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let json = std::env::var("TILSYN_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
