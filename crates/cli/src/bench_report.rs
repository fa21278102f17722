//! `tilsyn bench report`: how fast a round's results, its trends over earlier rounds and the
//! committee report (and its PDF) are made, in-process against the store, as issue 6 asks.
//!
//! Set up through the store, as the demo does, on a fresh temporary SQLite file (or a fresh
//! PostgreSQL schema with `--database-url`, dropped afterwards): Demo Kommune's units and
//! people, a made-up register of twice `--cases` cases, and `--rounds` rounds on the standard
//! BL-OVERORDNET, reference dates a year apart (the oldest the baseline), each of `--cases`
//! cases reviewed at both levels. Every review answers every question with points (a seeded
//! weighted pick; level 2 answers about one in ten otherwise than level 1) and is submitted;
//! every round is then in analysis.
//!
//! Then, for the newest round, `--iterations` times after three untimed runs, one after the
//! other as a page or the CLI does it:
//! 1. results, first read: [`results::load`] with nothing computed yet (the round's cases,
//!    reviews, answers and agreed answers from the database, then the analysis), as after a
//!    restart or a change to the answers;
//! 2. trends, first: [`results::earlier_points`] over the earlier rounds (each loaded as in 1)
//!    and [`analysis::trends`];
//! 3. and 4. the same again with the [`ResultsCache`] the server keeps: each round's data stamp
//!    is read and found unchanged;
//! 5. report: [`results::make_report`] for the committee (it reads the trends again);
//! 6. PDF: rendering that report.
//!
//! One [`ContentCache`] serves every iteration, as one serves the whole server: the template is
//! parsed once, in the warm-up.

use crate::CliError;
use crate::bench::percentile;
use crate::bench_review::{
    Target, as_user, bench_case_in, create_and_attach, day, import_register, load_average, plan,
    process_cpu,
};
use crate::demo_rounds::{Rng, answer, other_value, remark_for};
use chrono::Days;
use clap::Args;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tilsyn_domain::analysis;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::CaseRecord;
use tilsyn_domain::report::{Audience, DEFAULT_THRESHOLD};
use tilsyn_domain::review::{Entry, Progress, answer_values, case_facts};
use tilsyn_domain::round::{Milestone, MilestoneKind, RoundState};
use tilsyn_domain::template::TemplateContent;
use tilsyn_reports::render::{Format, render};
use tilsyn_store::rounds::ImportedReview;
use tilsyn_store::{Store, demo};
use tilsyn_web::i18n::Lang;
use tilsyn_web::results::{self, Making, ResultsCache, TREND_ROUNDS};
use tilsyn_web::rounds::ContentCache;
use uuid::Uuid;

#[derive(Args, Clone, Debug)]
pub struct BenchReportArgs {
    /// Cases per round, each reviewed at both levels (the register holds twice as many).
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u64).range(1..=5000))]
    pub cases: u64,
    /// Rounds, a year apart; the newest is measured, the others are its trends (at most the
    /// newest ten of them count, as on the results page).
    #[arg(long, default_value_t = 11, value_parser = clap::value_parser!(u64).range(2..=30))]
    pub rounds: u64,
    /// Timed runs of the four steps, after three untimed ones.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub iterations: u64,
    /// Database to bench on: a postgres:// server (the bench works in a schema of its own,
    /// dropped afterwards) or a new SQLite file; default a fresh SQLite file in the temp
    /// directory.
    #[arg(long, env = "TILSYN_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Untimed runs first: the template is parsed into the cache and the database warms up.
const WARM_UP: u64 = 3;

/// The step of a round's results computed from nothing.
const FIRST_RESULTS: &str = "results, first read";
/// The seed of the answers and draws: the same data on every run.
const SEED: u64 = 20_260_302;
/// The newest round's reference date is 2 March of this year; the others a year apart before.
const NEWEST_YEAR: i32 = 2026;
/// Share of level-2 answers (percent) drawn to differ from level 1.
const DIFFER_PERCENT: u64 = 10;
const TEMPLATE: &str = "BL-OVERORDNET";

/// The figures of one step, in milliseconds (nearest-rank percentiles).
#[derive(Serialize, Debug)]
pub struct Step {
    pub name: String,
    pub runs: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    /// CPU time of this whole process per run (mean), where Linux says it: steadier than the
    /// wall times on a busy machine. A PostgreSQL server's own work is not in it.
    pub cpu_ms: Option<f64>,
}

/// What was measured on.
#[derive(Serialize, Debug)]
pub struct Data {
    pub template: String,
    /// Questions of the template, and those with points (every review answers all of these).
    pub items: usize,
    pub items_with_points: usize,
    pub rounds: usize,
    pub cases_per_round: usize,
    pub register_cases: usize,
    pub reviews_per_round: usize,
    /// Submitted answers of the newest round.
    pub answers_per_round: usize,
    /// Level-2 answers that differ from level 1, over all rounds (percent).
    pub level2_differing_percent: f64,
    /// Earlier rounds the trends compare with.
    pub earlier_rounds: usize,
    pub pdf_bytes: usize,
    pub setup_seconds: f64,
}

#[derive(Serialize, Debug)]
pub struct ReportBenchReport {
    pub backend: String,
    pub build: &'static str,
    /// The 1-minute load average (Linux) before and after the timed runs.
    pub load_average: (Option<f64>, Option<f64>),
    pub data: Data,
    pub warm_up: u64,
    /// How the template cache was used.
    pub content_cache: &'static str,
    pub steps: Vec<Step>,
    pub targets: Vec<Target>,
}

fn rt(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("bench report: {what}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Setting up.

/// The rounds set up, oldest first, and what they hold.
struct Setup {
    rounds: Vec<Uuid>,
    template: String,
    items: usize,
    items_with_points: usize,
    register_cases: usize,
    reviews_per_round: usize,
    level2_answers: usize,
    level2_differing: usize,
}

/// Level 1's answers: every question with points, by a weighted pick (with a remark where the
/// template asks for one).
fn level1_answers(
    content: &TemplateContent,
    points: &[String],
    reference: chrono::NaiveDate,
    rng: &mut Rng,
) -> BTreeMap<String, Entry> {
    points
        .iter()
        .filter_map(|k| answer(content, k, reference, rng).map(|e| (k.clone(), e)))
        .collect()
}

/// Level 2's answers: level 1's, about [`DIFFER_PERCENT`] of them otherwise. Returns them and
/// how many differ.
fn level2_answers(
    content: &TemplateContent,
    level1: &BTreeMap<String, Entry>,
    rng: &mut Rng,
) -> (BTreeMap<String, Entry>, usize) {
    let mut out = level1.clone();
    let mut differ = 0;
    for (k, e) in out.iter_mut() {
        if rng.below(100) >= DIFFER_PERCENT {
            continue;
        }
        // "ikke relevant" has no other value: that answer stays as it is.
        if let Some(v) = other_value(content, k, &e.value) {
            e.remark = remark_for(content, k, &v, rng);
            e.value = v;
            differ += 1;
        }
    }
    (out, differ)
}

async fn set_up(store: &Store, args: &BenchReportArgs) -> Result<Setup, CliError> {
    let cli = Actor::cli(Some("bench".into()));
    demo::seed(store, &cli).await?;
    // Trends compare with every earlier round of the template in the database: others would
    // change what is measured.
    if !store.list_rounds().await?.is_empty() {
        return Err(CliError::Usage(
            "bench report: the database already has rounds; give a new SQLite file or a \
             PostgreSQL server (the bench makes a schema of its own there)"
                .into(),
        ));
    }
    let leder = store.find_user("leder").await?;
    let koordinator = store.find_user("koordinator").await?;
    let jurist = store.find_user("jurist").await?;
    let actor = as_user(&leder);
    let cases = usize::try_from(args.cases).unwrap_or(150);
    let rounds = i32::try_from(args.rounds).unwrap_or(11);

    // The register: every measure starts before the oldest round's reference date.
    let run = Uuid::now_v7().simple().to_string();
    let source = format!("BENCHR{}", &run[run.len() - 6..]).to_uppercase();
    let first_year = NEWEST_YEAR - rounds - 1;
    let records: Vec<CaseRecord> = (0..cases * 2)
        .map(|i| bench_case_in(&source, i, first_year))
        .collect();
    let register = import_register(store, &cli, &source, &records, "bench-report.csv").await?;

    let version = store
        .template(TEMPLATE)
        .await?
        .latest_published()
        .cloned()
        .ok_or_else(|| rt("setting up", format!("no published {TEMPLATE}")))?;
    let mut out = Setup {
        rounds: vec![],
        template: format!("{TEMPLATE} v{}", version.number),
        items: 0,
        items_with_points: 0,
        register_cases: register.len(),
        reviews_per_round: 0,
        level2_answers: 0,
        level2_differing: 0,
    };
    for k in 0..rounds {
        let year = NEWEST_YEAR - (rounds - 1 - k);
        let reference = day(year, 3, 2);
        let mut plan = plan(&[&leder, &koordinator, &jurist], cases);
        plan.level_sizes = vec![cases, cases];
        plan.reference_date = reference;
        plan.baseline = k == 0;
        plan.schedule = vec![
            Milestone {
                kind: MilestoneKind::ReviewStart,
                date: reference,
            },
            Milestone {
                kind: MilestoneKind::ReviewEnd,
                date: reference
                    .checked_add_days(Days::new(46))
                    .unwrap_or(reference),
            },
        ];
        let name = format!("Bench report {source}: ledelsestilsyn {year}");
        let seed = SEED + u64::try_from(k).unwrap_or(0);
        let (id, content) =
            create_and_attach(store, &leder, &name, version.id, &plan, &register, seed).await?;
        store
            .set_round_state(&actor, id, RoundState::Sampled, RoundState::Reviewing)
            .await?;
        let points: Vec<String> = content
            .items()
            .iter()
            .filter(|p| {
                content
                    .scale(&p.item.scale)
                    .is_some_and(|s| s.kind.has_points())
            })
            .map(|p| p.item.key.clone())
            .collect();
        out.items = content.items().len();
        out.items_with_points = points.len();

        let mut rng = Rng(seed);
        let mut imported = vec![];
        for c in store.round_cases(id).await? {
            let facts = case_facts(&c.record, reference);
            let first = level1_answers(&content, &points, reference, &mut rng);
            let (second, differ) = level2_answers(&content, &first, &mut rng);
            out.level2_answers += second.len();
            out.level2_differing += differ;
            for (level, entries, by) in [(1, first, &koordinator), (2, second, &jurist)] {
                if level > c.depth {
                    continue;
                }
                let eval = content.evaluate(&facts, &answer_values(&entries), &BTreeMap::new());
                imported.push(ImportedReview {
                    case_key: c.key.clone(),
                    level,
                    reviewer: Some(by.id),
                    progress: Progress::of(&eval, &entries),
                    answers: entries,
                });
            }
        }
        let reviews = store.round_reviews(id).await?.len();
        if reviews != cases * 2 || imported.len() != reviews {
            return Err(rt(
                "setting up",
                format!(
                    "{name}: {reviews} reviews and {} answered for {cases} cases at 2 levels",
                    imported.len()
                ),
            ));
        }
        out.reviews_per_round = reviews;
        // The answers import writes and submits every review in one transaction: the quickest
        // way through the store, and the same rows the review form would leave.
        store
            .import_answers(&actor, &leder.full_name, id, &imported, "bench-report")
            .await?;
        store
            .set_round_state(&actor, id, RoundState::Reviewing, RoundState::Analysing)
            .await?;
        out.rounds.push(id);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/// The wall times of one step and its CPU time in all.
#[derive(Default)]
struct Timed {
    lat: Vec<Duration>,
    /// `None` once a reading failed.
    cpu: Option<Duration>,
}

impl Timed {
    fn new() -> Timed {
        Timed {
            lat: vec![],
            cpu: Some(Duration::ZERO),
        }
    }

    fn push(&mut self, took: Duration, cpu: Option<Duration>) {
        self.lat.push(took);
        self.cpu = self.cpu.zip(cpu).map(|(a, b)| a + b);
    }

    fn step(mut self, name: &str) -> Step {
        self.lat.sort_unstable();
        let n = self.lat.len();
        Step {
            name: name.to_owned(),
            runs: n,
            median_ms: percentile(&self.lat, 0.50),
            p95_ms: percentile(&self.lat, 0.95),
            min_ms: self.lat.first().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            max_ms: self.lat.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            cpu_ms: self
                .cpu
                .filter(|_| n > 0)
                .map(|c| c.as_secs_f64() * 1000.0 / n as f64),
        }
    }
}

/// One read of a round's results and then of its trends, each timed (wall, CPU).
struct Read {
    data: results::RoundData,
    earlier: Vec<analysis::RoundPoint>,
    trends: analysis::Trends,
    results: (Duration, Option<Duration>),
    trends_took: (Duration, Option<Duration>),
}

async fn read(
    store: &Store,
    contents: &ContentCache,
    cache: &ResultsCache,
    tree: &tilsyn_domain::org::OrgTree,
    round: &tilsyn_store::rounds::Round,
) -> Result<Read, CliError> {
    let (data, took, cpu) = timed(results::load(store, contents, cache, tree, round.clone())).await;
    let data = data.map_err(web("results"))?;
    // The trends step includes comparing, as a page does it.
    let (out, trends_took, trends_cpu) = timed(async {
        let e = results::earlier_points(store, contents, cache, tree, &data).await?;
        let t = analysis::trends(&data.analysis, &data.template, &e);
        Ok::<_, tilsyn_web::error::AppError>((e, t))
    })
    .await;
    let (earlier, trends) = out.map_err(web("trends"))?;
    Ok(Read {
        data,
        earlier,
        trends,
        results: (took, cpu),
        trends_took: (trends_took, trends_cpu),
    })
}

/// Runs `f` and says how long it took, in wall time and in this process's CPU time (read
/// outside the timed span, so reading it is not timed).
async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, Duration, Option<Duration>) {
    let cpu = process_cpu();
    let t = Instant::now();
    let out = f.await;
    let took = t.elapsed();
    (out, took, cpu_since(cpu))
}

/// CPU time spent since `from` (a [`process_cpu`] reading), read now.
fn cpu_since(from: Option<Duration>) -> Option<Duration> {
    process_cpu()?.checked_sub(from?)
}

fn web(what: &str) -> impl Fn(tilsyn_web::error::AppError) -> CliError + '_ {
    move |e| rt(what, e)
}

pub async fn measure(store: Store, args: &BenchReportArgs) -> Result<ReportBenchReport, CliError> {
    let started = Instant::now();
    let s = set_up(&store, args).await?;
    let setup_seconds = started.elapsed().as_secs_f64();
    let newest = match s.rounds.last() {
        Some(id) => store.round(*id).await?,
        None => return Err(rt("setting up", "no round")),
    };
    let tree = store.org_tree().await?;
    let municipality = tree
        .rows()
        .first()
        .map(|r| r.unit.name.clone())
        .unwrap_or_default();
    let cases = usize::try_from(args.cases).unwrap_or(0);
    let expect_earlier = s.rounds.len().saturating_sub(1).min(TREND_ROUNDS);
    let contents = ContentCache::default();
    let shared = ResultsCache::default();
    let (mut first_t, mut first_trends_t, mut results_t, mut trends_t) =
        (Timed::new(), Timed::new(), Timed::new(), Timed::new());
    let (mut report_t, mut pdf_t, mut end_to_end) = (Timed::new(), Timed::new(), Timed::new());
    let (mut answers, mut earlier_rounds, mut pdf_bytes) = (0, 0, 0);
    let load_before = load_average();
    for run in 0..WARM_UP + args.iterations {
        // First reads: nothing computed yet, as after a restart or a change to the round's
        // answers (the earlier rounds' included).
        let first = read(&store, &contents, &ResultsCache::default(), &tree, &newest).await?;
        // Again, as the server reads them while the answers stay the same.
        let again = read(&store, &contents, &shared, &tree, &newest).await?;
        let Read {
            data,
            earlier,
            trends,
            ..
        } = again;
        let (first_took, first_cpu) = first.results;
        let (first_trends_took, first_trends_cpu) = first.trends_took;
        let (results_took, results_cpu) = again.results;
        let (trends_took, trends_cpu) = again.trends_took;
        let earlier_first = first.earlier;

        let (report, report_took, report_cpu) = timed(results::make_report(
            &store,
            &contents,
            &shared,
            &tree,
            &data,
            Making {
                audience: Audience::Committee,
                lang: Lang::Da,
                by: "bench".into(),
                municipality: municipality.clone(),
                threshold: DEFAULT_THRESHOLD,
            },
        ))
        .await;
        let report = report.map_err(web("report"))?;

        let cpu = process_cpu();
        let t = Instant::now();
        let pdf = render(&report, Format::Pdf).map_err(|e| rt("PDF", e))?;
        let pdf_took = t.elapsed();
        let pdf_cpu = cpu_since(cpu);

        // Figures of a wrong computation are worth nothing: check what was made, once.
        if run == 0 {
            if data.complete != cases {
                return Err(rt(
                    "checking",
                    format!("{} of {cases} cases complete", data.complete),
                ));
            }
            if earlier.len() != expect_earlier
                || earlier_first.len() != expect_earlier
                || trends.rounds.len() != expect_earlier
            {
                return Err(rt(
                    "checking",
                    format!(
                        "{} earlier rounds in the trends, {expect_earlier} expected",
                        earlier.len()
                    ),
                ));
            }
            if !pdf.starts_with(b"%PDF") {
                return Err(rt("checking", "the committee report is not a PDF"));
            }
            answers = data
                .inputs
                .iter()
                .flat_map(|c| c.levels.values())
                .map(BTreeMap::len)
                .sum();
            earlier_rounds = earlier.len();
            pdf_bytes = pdf.len();
        }
        if run >= WARM_UP {
            first_t.push(first_took, first_cpu);
            first_trends_t.push(first_trends_took, first_trends_cpu);
            results_t.push(results_took, results_cpu);
            trends_t.push(trends_took, trends_cpu);
            report_t.push(report_took, report_cpu);
            pdf_t.push(pdf_took, pdf_cpu);
            // From nothing: the first reads, then the report and its PDF.
            let sum = [first_cpu, first_trends_cpu, report_cpu, pdf_cpu]
                .into_iter()
                .sum();
            end_to_end.push(first_took + first_trends_took + report_took + pdf_took, sum);
        }
    }
    let load_after = load_average();
    let trends_name = format!("trends ({expect_earlier} earlier)");
    let steps = vec![
        first_t.step(FIRST_RESULTS),
        results_t.step("results"),
        first_trends_t.step(&format!("{trends_name}, first")),
        trends_t.step(&trends_name),
        report_t.step("committee report"),
        pdf_t.step("committee PDF"),
        end_to_end.step("PDF end to end"),
    ];
    let targets = targets(&steps, cases, &trends_name);
    Ok(ReportBenchReport {
        backend: store.backend().name().to_owned(),
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        load_average: (load_before, load_after),
        data: Data {
            template: s.template,
            items: s.items,
            items_with_points: s.items_with_points,
            rounds: s.rounds.len(),
            cases_per_round: cases,
            register_cases: s.register_cases,
            reviews_per_round: s.reviews_per_round,
            answers_per_round: answers,
            level2_differing_percent: 100.0 * s.level2_differing as f64
                / s.level2_answers.max(1) as f64,
            earlier_rounds,
            pdf_bytes,
            setup_seconds,
        },
        warm_up: WARM_UP,
        content_cache: "one template cache for every run, as the server keeps one",
        steps,
        targets,
    })
}

/// Issue 6's limits, on the 95th percentile: results under 20 ms (computed from nothing),
/// trends over ten rounds under 100 ms (the earlier rounds' results computed once, as the
/// server keeps them), the committee PDF from nothing to the last byte under 2 s.
fn targets(steps: &[Step], cases: usize, trends_name: &str) -> Vec<Target> {
    let limits = [
        (
            FIRST_RESULTS,
            format!("results, {cases} cases x 2 levels, first read"),
            20.0,
        ),
        (trends_name, trends_name.to_owned(), 100.0),
        (
            "PDF end to end",
            "committee PDF from nothing".to_owned(),
            2000.0,
        ),
    ];
    limits
        .into_iter()
        .filter_map(|(name, what, limit)| {
            let s = steps.iter().find(|s| s.name == name)?;
            Some(Target {
                what: format!("{what}: p95"),
                limit_ms: limit,
                measured_ms: s.p95_ms,
                met: s.p95_ms < limit,
            })
        })
        .collect()
}

fn print_report(r: &ReportBenchReport) {
    let d = &r.data;
    println!(
        "{} rounds of {} cases x 2 levels on {} ({} questions with points of {}); register {} \
         cases; newest round: {} reviews, {} answers, {:.1} % of level-2 answers differ; set up \
         in {:.1} s",
        d.rounds,
        d.cases_per_round,
        d.template,
        d.items_with_points,
        d.items,
        d.register_cases,
        d.reviews_per_round,
        d.answers_per_round,
        d.level2_differing_percent,
        d.setup_seconds
    );
    println!(
        "{:<28} {:>5} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "step", "runs", "median ms", "p95 ms", "min ms", "max ms", "cpu ms"
    );
    for s in &r.steps {
        println!(
            "{:<28} {:>5} {:>10.2} {:>9.2} {:>9.2} {:>9.2} {:>9}",
            s.name,
            s.runs,
            s.median_ms,
            s.p95_ms,
            s.min_ms,
            s.max_ms,
            s.cpu_ms.map_or("-".to_owned(), |c| format!("{c:.1}"))
        );
    }
    println!(
        "after {} untimed runs; {}; committee report includes its trends; PDF {} bytes; end to \
         end = first reads + report + PDF of one run; cpu ms: mean CPU time of this process per run \
         (not a database server's)",
        r.warm_up, r.content_cache, d.pdf_bytes
    );
    for t in &r.targets {
        println!(
            "target {:<48} < {:>6.0} ms: {:>9.2} ms  {}",
            t.what,
            t.limit_ms,
            t.measured_ms,
            if t.met { "met" } else { "NOT MET" }
        );
    }
    let opt = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.2}"));
    println!(
        "load average (1 min) before / after: {} / {} (other work on the machine counts here)",
        opt(r.load_average.0),
        opt(r.load_average.1)
    );
    println!(
        "backend: {}; build: {}",
        r.backend,
        if r.build == "debug" {
            "debug (use --release for real figures)"
        } else {
            "release"
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Where the bench runs.

/// What to remove when done.
enum Place {
    SqliteFile(PathBuf),
    PgSchema { url: String, schema: String },
    Kept,
}

/// Opens the store the bench runs on: a fresh temporary SQLite file, a new schema on the
/// PostgreSQL server named, or the SQLite file named (which must have no rounds).
async fn open(args: &BenchReportArgs) -> Result<(Store, Place), CliError> {
    let run = Uuid::now_v7().simple().to_string();
    match args.database_url.as_deref() {
        None => {
            let path = std::env::temp_dir().join(format!("tilsyn-bench-report-{run}.db"));
            let url = format!("sqlite://{}", path.display());
            let store = crate::config::DbArgs { database_url: url }.open().await?;
            Ok((store, Place::SqliteFile(path)))
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            use sqlx::Connection;
            // A schema of its own: rounds already on the server would join the trends, and
            // the bench leaves nothing behind.
            let schema = format!("tilsyn_bench_{run}");
            let unreachable = |e: sqlx::Error| {
                CliError::Runtime(format!(
                    "cannot reach the database at {}: {e}",
                    tilsyn_store::redact(url)
                ))
            };
            let mut conn = sqlx::PgConnection::connect(url)
                .await
                .map_err(unreachable)?;
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .await
                .map_err(|e| rt("creating a schema for the bench", e))?;
            let _ = conn.close().await;
            let place = Place::PgSchema {
                url: url.to_owned(),
                schema: schema.clone(),
            };
            let store = match prepare(url, &schema).await {
                Ok(s) => s,
                Err(e) => {
                    clean_up(place).await;
                    return Err(e);
                }
            };
            Ok((store, place))
        }
        Some(url) => {
            let store = crate::config::DbArgs {
                database_url: url.to_owned(),
            }
            .open()
            .await?;
            Ok((store, Place::Kept))
        }
    }
}

/// The store in `schema`, migrated and with the standard templates (as `DbArgs::open`).
async fn prepare(url: &str, schema: &str) -> Result<Store, CliError> {
    let store = Store::connect_with(url, Some(schema)).await?;
    store.migrate().await?;
    store
        .ensure_standard_templates(&tilsyn_store::standard::templates()?)
        .await?;
    Ok(store)
}

async fn clean_up(place: Place) {
    match place {
        Place::SqliteFile(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        Place::PgSchema { url, schema } => {
            use sqlx::Connection;
            match sqlx::PgConnection::connect(&url).await {
                Ok(mut c) => {
                    if let Err(e) = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&mut c)
                        .await
                    {
                        eprintln!("tilsyn: bench report: schema {schema} left behind: {e}");
                    }
                    let _ = c.close().await;
                }
                Err(e) => eprintln!("tilsyn: bench report: schema {schema} left behind: {e}"),
            }
        }
        Place::Kept => {}
    }
}

pub async fn run(args: BenchReportArgs) -> Result<(), CliError> {
    let (store, place) = open(&args).await?;
    let report = measure(store.clone(), &args).await;
    store.close().await;
    clean_up(place).await;
    let report = report?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| rt("JSON", e))?
        );
    } else {
        print_report(&report);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_two_differs_about_as_often_as_asked() {
        let content = tilsyn_store::standard::templates()
            .expect("standard templates")
            .into_iter()
            .find(|t| t.key == TEMPLATE)
            .expect("BL-OVERORDNET");
        let points: Vec<String> = content
            .items()
            .iter()
            .filter(|p| {
                content
                    .scale(&p.item.scale)
                    .is_some_and(|s| s.kind.has_points())
            })
            .map(|p| p.item.key.clone())
            .collect();
        let mut rng = Rng(SEED);
        let (mut all, mut differ) = (0, 0);
        for _ in 0..200 {
            let first = level1_answers(&content, &points, day(2026, 3, 2), &mut rng);
            assert_eq!(first.len(), points.len());
            let (second, d) = level2_answers(&content, &first, &mut rng);
            let counted = first
                .iter()
                .filter(|(k, e)| second.get(*k).is_some_and(|s| s.value != e.value))
                .count();
            assert_eq!(counted, d);
            all += second.len();
            differ += d;
        }
        let share = 100.0 * differ as f64 / all as f64;
        assert!((6.0..=12.0).contains(&share), "{share}");
    }

    /// A short real run with tiny sizes: every step runs and the checks in `measure` hold.
    #[tokio::test]
    async fn bench_report_runs_on_a_small_database() {
        let db = tilsyn_store::testing::TestDb::new().await;
        db.store
            .ensure_standard_templates(&tilsyn_store::standard::templates().expect("standard"))
            .await
            .expect("standard templates");
        let args = BenchReportArgs {
            cases: 4,
            rounds: 3,
            iterations: 1,
            database_url: None,
            json: true,
        };
        let report = measure(db.store.clone(), &args).await.expect("bench");
        assert_eq!(report.data.rounds, 3);
        assert_eq!(report.data.earlier_rounds, 2);
        assert_eq!(report.data.reviews_per_round, 8);
        assert_eq!(
            report.data.answers_per_round,
            8 * report.data.items_with_points
        );
        assert_eq!(report.steps.len(), 7);
        assert!(report.steps.iter().all(|s| s.runs == 1));
        assert_eq!(report.targets.len(), 3);
        assert!(report.data.pdf_bytes > 0);
    }
}
