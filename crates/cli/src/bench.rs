//! `tilsyn bench`: starts tilsyn in-process on loopback with the demo data and measures
//! throughput and latency of /healthz, the dashboard and sign-in, each for a bounded time and
//! number of requests. Only 127.0.0.1 is ever contacted. `tilsyn bench import` (in
//! [`crate::bench_import`]) measures importing and sampling a synthetic case extract instead;
//! `tilsyn bench review` ([`crate::bench_review`]) the review form and its autosave;
//! `tilsyn bench report` ([`crate::bench_report`]) results, trends and the committee report.

use crate::CliError;
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tilsyn_domain::audit::Actor;
use tilsyn_store::{Store, demo};

use crate::bench_import::BenchCommand;

#[derive(Args, Clone, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// Without a subcommand: the HTTP scenarios below.
    #[command(subcommand)]
    pub command: Option<BenchCommand>,
    /// Concurrent connections for /healthz and the dashboard.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub connections: u64,
    /// Concurrent connections for sign-in (argon2id is meant to be slow).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub login_connections: u64,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub seconds: u64,
    /// Upper bound on requests per scenario.
    #[arg(long, default_value_t = 500_000)]
    pub max_requests: u64,
    /// Database to bench on; default a fresh SQLite file in the temp directory.
    #[arg(long, env = "TILSYN_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize, Debug)]
pub struct ScenarioResult {
    pub name: String,
    pub connections: u64,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

struct Scenario {
    name: &'static str,
    method: Method,
    path: &'static str,
    cookie: String,
    body: String,
    expect: StatusCode,
    connections: u64,
}

async fn one_connection(
    addr: SocketAddr,
    s: Arc<Scenario>,
    deadline: Instant,
    budget: Arc<AtomicU64>,
    errors: Arc<AtomicU64>,
) -> Vec<Duration> {
    let mut lat = Vec::new();
    let Ok(stream) = tokio::net::TcpStream::connect(addr).await else {
        errors.fetch_add(1, Ordering::Relaxed);
        return lat;
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, conn)) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await
    else {
        errors.fetch_add(1, Ordering::Relaxed);
        return lat;
    };
    tokio::spawn(conn);
    while Instant::now() < deadline {
        if budget.fetch_sub(1, Ordering::Relaxed) == 0 {
            budget.store(0, Ordering::Relaxed);
            break;
        }
        if sender.ready().await.is_err() {
            errors.fetch_add(1, Ordering::Relaxed);
            break;
        }
        let mut b = Request::builder()
            .method(s.method.clone())
            .uri(s.path)
            .header(hyper::header::HOST, addr.to_string())
            .header(hyper::header::COOKIE, s.cookie.as_str());
        if !s.body.is_empty() {
            b = b.header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            );
        }
        let Ok(req) = b.body(Full::new(Bytes::from(s.body.clone()))) else {
            break;
        };
        let t = Instant::now();
        match sender.send_request(req).await {
            Ok(res) => {
                let status = res.status();
                let ok = res.into_body().collect().await.is_ok();
                lat.push(t.elapsed());
                if status != s.expect || !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            Err(_) => {
                errors.fetch_add(1, Ordering::Relaxed);
                break;
            }
        }
    }
    lat
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest-rank: the smallest value with at least p of the samples at or below it.
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

async fn run_scenario(
    addr: SocketAddr,
    s: Scenario,
    seconds: u64,
    max_requests: u64,
) -> ScenarioResult {
    let s = Arc::new(s);
    let budget = Arc::new(AtomicU64::new(max_requests));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..s.connections)
        .map(|_| {
            tokio::spawn(one_connection(
                addr,
                s.clone(),
                deadline,
                budget.clone(),
                errors.clone(),
            ))
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        if let Ok(l) = t.await {
            all.extend(l);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    ScenarioResult {
        name: s.name.into(),
        connections: s.connections,
        requests: all.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        seconds: elapsed,
        requests_per_second: all.len() as f64 / elapsed.max(1e-9),
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
        max_ms: all.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    }
}

/// GET /login for the CSRF cookie, then POST the form; returns (csrf cookie, session cookie).
pub(crate) async fn sign_in(addr: SocketAddr, user: &str) -> Result<(String, String), CliError> {
    let fail = |m: String| CliError::Runtime(format!("bench sign-in: {m}"));
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| fail(e.to_string()))?;
    tokio::spawn(conn);
    let cookie_of = |res: &hyper::Response<hyper::body::Incoming>, name: &str| {
        res.headers()
            .get_all(hyper::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|r| r.split(';').next().unwrap_or("").to_owned())
            })
    };
    let req = Request::get("/login")
        .header(hyper::header::HOST, addr.to_string())
        .body(Full::new(Bytes::new()))
        .map_err(|e| fail(e.to_string()))?;
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let csrf = cookie_of(&res, "tilsyn_csrf").ok_or_else(|| fail("no CSRF cookie".into()))?;
    let _ = res.into_body().collect().await;
    let body = format!(
        "csrf_token={csrf}&username={user}&password={}",
        demo::DEMO_PASSWORD
    );
    let req = Request::post("/login")
        .header(hyper::header::HOST, addr.to_string())
        .header(hyper::header::COOKIE, format!("tilsyn_csrf={csrf}"))
        .header(
            hyper::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| fail(e.to_string()))?;
    // The connection takes the next request only once it is ready again; sending earlier
    // fails now and then with "operation was canceled".
    sender.ready().await.map_err(|e| fail(e.to_string()))?;
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| fail(e.to_string()))?;
    if res.status() != StatusCode::SEE_OTHER {
        return Err(fail(format!("status {}", res.status())));
    }
    let session =
        cookie_of(&res, "tilsyn_session").ok_or_else(|| fail("no session cookie".into()))?;
    let csrf = cookie_of(&res, "tilsyn_csrf").unwrap_or(csrf);
    Ok((csrf, session))
}

pub async fn measure(store: Store, args: &BenchArgs) -> Result<Vec<ScenarioResult>, CliError> {
    demo::seed(&store, &Actor::cli(Some("bench".into()))).await?;
    let mut settings = tilsyn_web::Settings::default();
    // The bench signs in as one account from one address on many connections at once;
    // attempts in flight count against the throttle, which is right for attackers and not
    // what this measures.
    settings.throttle.per_address = u32::MAX;
    settings.throttle.per_account = u32::MAX;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = tilsyn_web::app(store.clone(), settings);
    let server = tokio::spawn(tilsyn_web::serve(listener, app, async {
        let _ = stop_rx.await;
    }));
    let (csrf, session) = sign_in(addr, "leder").await?;
    let scenarios = vec![
        Scenario {
            name: "healthz",
            method: Method::GET,
            path: "/healthz",
            cookie: String::new(),
            body: String::new(),
            expect: StatusCode::OK,
            connections: args.connections,
        },
        Scenario {
            name: "dashboard",
            method: Method::GET,
            path: "/",
            cookie: format!("tilsyn_csrf={csrf}; tilsyn_session={session}"),
            body: String::new(),
            expect: StatusCode::OK,
            connections: args.connections,
        },
        Scenario {
            name: "login",
            method: Method::POST,
            path: "/login",
            cookie: format!("tilsyn_csrf={csrf}"),
            body: format!(
                "csrf_token={csrf}&username=leder&password={}",
                demo::DEMO_PASSWORD
            ),
            expect: StatusCode::SEE_OTHER,
            connections: args.login_connections,
        },
    ];
    let mut results = Vec::new();
    for s in scenarios {
        results.push(run_scenario(addr, s, args.seconds, args.max_requests).await);
    }
    let _ = stop_tx.send(());
    let _ = server.await;
    Ok(results)
}

pub async fn run(args: BenchArgs) -> Result<(), CliError> {
    match args.command {
        Some(BenchCommand::Import(a)) => return crate::bench_import::run(a).await,
        Some(BenchCommand::Review(a)) => return crate::bench_review::run(a).await,
        Some(BenchCommand::Report(a)) => return crate::bench_report::run(a).await,
        None => {}
    }
    let tmp =
        std::env::temp_dir().join(format!("tilsyn-bench-{}.db", uuid::Uuid::now_v7().simple()));
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", tmp.display()));
    let db = crate::config::DbArgs { database_url: url };
    let store = db.open().await?;
    let results = measure(store.clone(), &args).await;
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    let results = results?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).map_err(|e| CliError::Runtime(e.to_string()))?
        );
    } else {
        println!(
            "{:<10} {:>5} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9}",
            "scenario", "conns", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms"
        );
        for r in &results {
            println!(
                "{:<10} {:>5} {:>9} {:>7} {:>10.1} {:>9.2} {:>9.2} {:>9.2}",
                r.name,
                r.connections,
                r.requests,
                r.errors,
                r.requests_per_second,
                r.p50_ms,
                r.p99_ms,
                r.max_ms
            );
        }
        println!(
            "backend: {}; build: {}",
            db.database_url.split(':').next().unwrap_or("?"),
            if cfg!(debug_assertions) {
                "debug (use --release for real figures)"
            } else {
                "release"
            }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 0.50), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v[..1], 0.99), 1.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    /// A short real run: every scenario answers, with no errors.
    #[tokio::test]
    async fn bench_runs_against_a_real_server() {
        let db = tilsyn_store::testing::TestDb::new().await;
        let args = BenchArgs {
            command: None,
            connections: 4,
            login_connections: 4,
            seconds: 1,
            max_requests: 40,
            database_url: None,
            json: true,
        };
        let results = measure(db.store.clone(), &args).await.expect("bench");
        let names: Vec<_> = results.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["healthz", "dashboard", "login"]);
        for r in &results {
            assert!(r.requests > 0, "{r:?}");
            assert!(r.requests <= 40, "{r:?}");
            assert_eq!(r.errors, 0, "{r:?}");
        }
    }
}
