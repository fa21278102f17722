//! `tilsyn bench import`: how long a case extract takes to import and to sample from.
//!
//! In a fresh directory (deleted afterwards unless `--keep DIR`):
//! 1. writes a synthetic extract ([`tilsyn_intake::synthetic`], about 100 MB per million rows);
//! 2. runs `tilsyn import cases` on it as a child process of this executable, into
//!    `sqlite://DIR/bench.db`;
//! 3. runs `sqlite3 DIR/plain.db` with `.import` on the same file, for comparison (skipped when
//!    `sqlite3` is not on the PATH);
//! 4. loads the imported register as the sampler sees it ([`tilsyn_store::Store::sample_cases`])
//!    and draws 150 cases at level 1 plus a nested 75 at level 2, stratified by case type and
//!    unit, proportional allocation, a fixed seed.
//!
//! Child processes are measured by wall time and by their peak RSS as the kernel reports it
//! when they are reaped (`wait4`, `ru_maxrss`); steps in this process by wall time and this
//! process's peak RSS (Linux `VmHWM`, reset before each step through `/proc/self/clear_refs`).

use crate::CliError;
use crate::config::DbArgs;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tilsyn_domain::sampling::{
    Allocation, SampleFrame, SampleSpec, Strata, StratumDimension, draw, subsample,
};
use wait4::Wait4;

#[derive(Subcommand, Clone, Debug)]
pub enum BenchCommand {
    /// Time `tilsyn import cases` and `sqlite3 .import` on a synthetic extract, then loading
    /// the register and a stratified draw of 150 + 75 cases from it.
    Import(BenchImportArgs),
    /// Time opening the review form and autosaving answers over HTTP: one client on the
    /// standard and on a generated 1,200-question template, then 100 reviewers at once.
    Review(crate::bench_review::BenchReviewArgs),
    /// Time a round's results, its trends over ten earlier rounds, the committee report and
    /// its PDF: 11 rounds of 150 cases at 2 levels on the standard BL-OVERORDNET.
    Report(crate::bench_report::BenchReportArgs),
}

#[derive(Args, Clone, Debug)]
pub struct BenchImportArgs {
    /// Rows in the synthetic extract (about 100 MB per million).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub rows: u64,
    /// Work in DIR (created if missing) and keep the extract and both databases there, instead
    /// of a temporary directory deleted afterwards. Earlier bench files in DIR are replaced.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The person-key secret of the benchmark import (made-up data; never a real key).
const BENCH_SECRET: &str = "tilsyn-bench-person-key-secret-not-for-real-data";
const SEED: u64 = 20_250_131;
const LEVEL1: usize = 150;
const LEVEL2: usize = 75;
const EXTRACT: &str = "extract.csv";
const BENCH_DB: &str = "bench.db";
const PLAIN_DB: &str = "plain.db";

#[derive(Serialize, Debug)]
pub struct Step {
    pub name: String,
    /// `None` when skipped.
    pub wall_seconds: Option<f64>,
    /// Peak resident set size in MB (10^6 bytes); `None` when unknown or skipped.
    pub peak_rss_mb: Option<f64>,
    /// `child` (the child process's own peak, from wait4) or `process` (this process).
    pub rss_of: &'static str,
    /// User + system CPU time of a child process.
    pub cpu_seconds: Option<f64>,
    /// Rows (or cases) the step handled.
    pub rows: u64,
    pub rows_per_second: Option<f64>,
    /// Why the step was not run.
    pub skipped: Option<String>,
    /// Something off about a step that ran.
    pub note: Option<String>,
}

impl Step {
    fn timed(name: &str, rss_of: &'static str, rows: u64, wall: Duration) -> Step {
        let s = wall.as_secs_f64();
        Step {
            name: name.to_owned(),
            wall_seconds: Some(s),
            peak_rss_mb: None,
            rss_of,
            cpu_seconds: None,
            rows,
            rows_per_second: Some(rows as f64 / s.max(1e-9)),
            skipped: None,
            note: None,
        }
    }

    fn skipped(name: &str, reason: String) -> Step {
        Step {
            name: name.to_owned(),
            wall_seconds: None,
            peak_rss_mb: None,
            rss_of: "child",
            cpu_seconds: None,
            rows: 0,
            rows_per_second: None,
            skipped: Some(reason),
            note: None,
        }
    }
}

#[derive(Serialize, Debug)]
pub struct SampleSummary {
    pub seed: u64,
    pub reference_date: NaiveDate,
    pub strata: Strata,
    pub allocation: Allocation,
    /// Cases loaded from the register.
    pub frame_cases: usize,
    /// Cases that passed the frame.
    pub eligible: usize,
    pub strata_count: usize,
    pub level1_target: usize,
    pub level1_drawn: usize,
    pub level2_target: usize,
    pub level2_drawn: usize,
}

#[derive(Serialize, Debug)]
pub struct ImportBenchReport {
    pub rows: u64,
    pub extract_bytes: u64,
    /// The directory kept (`--keep`), if any.
    pub kept_in: Option<PathBuf>,
    pub steps: Vec<Step>,
    pub sample: SampleSummary,
    /// This process's RSS (MB) when a child started, the larger of the two. On Linux a child's
    /// `ru_maxrss` is never below it: the kernel counts the parent's memory up to `exec`, so
    /// this process resets its own peak (to its current RSS) before spawning.
    pub parent_rss_mb_at_spawn: Option<f64>,
    pub build: &'static str,
}

fn rt(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("bench import: {what}: {e}"))
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// The working directory; removed on drop unless kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl WorkDir {
    fn new(keep: Option<&Path>) -> Result<WorkDir, CliError> {
        match keep {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| rt(&format!("cannot create {}", dir.display()), e))?;
                let path = dir
                    .canonicalize()
                    .map_err(|e| rt(&format!("cannot open {}", dir.display()), e))?;
                // A database left by an earlier run would turn the import into a re-import.
                for f in [EXTRACT, PLAIN_DB, BENCH_DB, "bench.db-wal", "bench.db-shm"] {
                    match std::fs::remove_file(path.join(f)) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(rt(&format!("cannot replace {f}"), e)),
                    }
                }
                Ok(WorkDir { path, keep: true })
            }
            None => {
                let path = std::env::temp_dir().join(format!(
                    "tilsyn-bench-import-{}",
                    uuid::Uuid::now_v7().simple()
                ));
                std::fs::create_dir(&path)
                    .map_err(|e| rt(&format!("cannot create {}", path.display()), e))?;
                Ok(WorkDir { path, keep: false })
            }
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Resets this process's peak RSS to its current RSS (Linux 4.0+); false where that is not
/// possible.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// This process's peak RSS in bytes (Linux `VmHWM`).
fn own_peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Runs `f` in this process, timed, with this process's peak RSS over it.
fn in_process<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<u64>) {
    let reset = reset_peak_rss();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    (out, wall, own_peak_rss().filter(|_| reset))
}

struct ChildRun {
    status: ExitStatus,
    wall: Duration,
    cpu: Duration,
    max_rss: u64,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn drain(r: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut buf);
        }
        buf
    })
}

/// Spawns `cmd`, feeds it `input` on stdin, collects its output and waits with `wait4`:
/// wall time from spawn to exit, and the child's own peak RSS. Blocking.
fn run_child(mut cmd: Command, input: &[u8]) -> std::io::Result<ChildRun> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    // Written before waiting (and closed, so the child sees the end); a child that exits
    // without reading it makes this fail, which its exit status then explains.
    let fed = child.stdin.take().map(|mut s| s.write_all(input));
    let used = child.wait4()?;
    let wall = start.elapsed();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if let Some(Err(e)) = fed
        && used.status.success()
    {
        return Err(e);
    }
    Ok(ChildRun {
        status: used.status,
        wall,
        cpu: used.rusage.utime + used.rusage.stime,
        max_rss: used.rusage.maxrss,
        stdout,
        stderr,
    })
}

async fn run_child_async(cmd: Command, input: Vec<u8>) -> std::io::Result<ChildRun> {
    tokio::task::spawn_blocking(move || run_child(cmd, &input))
        .await
        .map_err(std::io::Error::other)?
}

/// The last lines of a child's stderr, for an error message.
fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    let skip = all.len().saturating_sub(lines);
    let mut out = String::new();
    if skip > 0 {
        out.push_str(&format!("(… {skip} earlier lines)\n"));
    }
    out.push_str(&all[skip..].join("\n"));
    out
}

fn child_step(name: &str, rows: u64, run: &ChildRun) -> Step {
    let mut s = Step::timed(name, "child", rows, run.wall);
    s.peak_rss_mb = Some(mb(run.max_rss));
    s.cpu_seconds = Some(run.cpu.as_secs_f64());
    s
}

/// A path inside a dot-command of the sqlite3 shell, quoted.
fn sqlite_quoted(p: &Path) -> String {
    format!("\"{}\"", p.display().to_string().replace('"', "\"\""))
}

async fn sqlite3_import(dir: &Path, extract: &Path, rows: u64) -> Step {
    const NAME: &str = "sqlite3 .import";
    let plain = dir.join(PLAIN_DB);
    let mut cmd = Command::new("sqlite3");
    cmd.arg("-bail").arg(&plain);
    let script = format!(
        ".mode csv\n.separator ;\n.import {} cases\n",
        sqlite_quoted(extract)
    );
    let run = match run_child_async(cmd, script.into_bytes()).await {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Step::skipped(NAME, "sqlite3 is not on the PATH".into());
        }
        Err(e) => return Step::skipped(NAME, format!("cannot run sqlite3: {e}")),
    };
    if !run.status.success() {
        return Step::skipped(
            NAME,
            format!(
                "sqlite3 exited with {}: {}",
                run.status,
                tail(&run.stderr, 5)
            ),
        );
    }
    // Untimed check: the shell read as many rows as were written.
    let mut count = Command::new("sqlite3");
    count.arg(&plain).arg("SELECT count(*) FROM cases;");
    let counted = run_child_async(count, Vec::new())
        .await
        .ok()
        .filter(|r| r.status.success())
        .and_then(|r| {
            String::from_utf8_lossy(&r.stdout)
                .trim()
                .parse::<u64>()
                .ok()
        });
    let mut step = child_step(NAME, rows, &run);
    if let Some(n) = counted
        && n != rows
    {
        step.rows = n;
        step.note = Some(format!("sqlite3 imported {n} rows, not {rows}"));
    }
    step
}

pub async fn run(args: BenchImportArgs) -> Result<(), CliError> {
    let dir = WorkDir::new(args.keep.as_deref())?;
    let rows = args.rows;
    let mut steps = Vec::new();
    let mut parent_rss_at_spawn: Option<u64> = None;

    // 1. The extract.
    let extract = dir.path.join(EXTRACT);
    let file = std::fs::File::create(&extract)
        .map_err(|e| rt(&format!("cannot create {}", extract.display()), e))?;
    let (written, wall, rss) =
        in_process(|| tilsyn_intake::synthetic::write_extract(file, rows, false));
    written.map_err(|e| rt("writing the extract", e))?;
    let extract_bytes = std::fs::metadata(&extract)
        .map_err(|e| rt("reading the extract", e))?
        .len();
    let mut s = Step::timed("write extract", "process", rows, wall);
    s.peak_rss_mb = rss.map(mb);
    steps.push(s);

    // 2. tilsyn import cases, as a child process.
    let exe = std::env::current_exe().map_err(|e| rt("cannot find this executable", e))?;
    let url = format!("sqlite://{}", dir.path.join(BENCH_DB).display());
    let mut cmd = Command::new(&exe);
    cmd.arg("import")
        .arg("cases")
        .arg(&extract)
        .arg("--database-url")
        .arg(&url)
        .env("TILSYN_PERSON_KEY_SECRET", BENCH_SECRET);
    reset_peak_rss();
    parent_rss_at_spawn = parent_rss_at_spawn.max(own_peak_rss());
    let run = run_child_async(cmd, Vec::new())
        .await
        .map_err(|e| rt(&format!("cannot run {}", exe.display()), e))?;
    if !run.status.success() {
        return Err(CliError::Runtime(format!(
            "bench import: `tilsyn import cases` exited with {}:\n{}",
            run.status,
            tail(&run.stderr, 100)
        )));
    }
    steps.push(child_step("tilsyn import cases", rows, &run));

    // 3. sqlite3 .import on the same file.
    reset_peak_rss();
    parent_rss_at_spawn = parent_rss_at_spawn.max(own_peak_rss());
    steps.push(sqlite3_import(&dir.path, &extract, rows).await);

    // 4. Load the register and draw.
    let store = DbArgs { database_url: url }.open().await?;
    let reset = reset_peak_rss();
    let start = Instant::now();
    let loaded = store.sample_cases(None).await;
    let wall = start.elapsed();
    let rss = own_peak_rss().filter(|_| reset);
    store.close().await;
    let cases = loaded?;
    if cases.len() as u64 != rows {
        return Err(CliError::Runtime(format!(
            "bench import: the register has {} cases after importing {rows} rows",
            cases.len()
        )));
    }
    let mut s = Step::timed("load (sample_cases)", "process", cases.len() as u64, wall);
    s.peak_rss_mb = rss.map(mb);
    steps.push(s);

    let reference_date = NaiveDate::from_ymd_opt(2025, 1, 31)
        .ok_or_else(|| CliError::Runtime("bench import: reference date".into()))?;
    let strata = Strata::by([StratumDimension::CaseType, StratumDimension::Unit]);
    let allocation = Allocation::Proportional;
    let spec = SampleSpec {
        frame: SampleFrame::new(reference_date),
        strata: strata.clone(),
        allocation: allocation.clone(),
        target: LEVEL1,
        coverage: false,
        caseworker_last_sampled: Default::default(),
        seed: SEED,
    };
    let (drawn, wall, rss) = in_process(|| {
        let first = draw(&cases, &spec)?;
        let second = subsample(&first, &cases, &strata, &allocation, LEVEL2, SEED, 2)?;
        Ok::<_, tilsyn_domain::sampling::SampleError>((first, second))
    });
    let (first, second) = drawn.map_err(|e| rt("the draw", e))?;
    let mut s = Step::timed(
        &format!("draw {LEVEL1} + {LEVEL2}"),
        "process",
        cases.len() as u64,
        wall,
    );
    s.peak_rss_mb = rss.map(mb);
    steps.push(s);

    let report = ImportBenchReport {
        rows,
        extract_bytes,
        kept_in: dir.keep.then(|| dir.path.clone()),
        steps,
        sample: SampleSummary {
            seed: SEED,
            reference_date,
            strata,
            allocation,
            frame_cases: cases.len(),
            eligible: first.eligible,
            strata_count: first.strata.len(),
            level1_target: LEVEL1,
            level1_drawn: first.selected.len(),
            level2_target: LEVEL2,
            level2_drawn: second.selected.len(),
        },
        parent_rss_mb_at_spawn: parent_rss_at_spawn.map(mb),
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    };
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

fn print_report(r: &ImportBenchReport) {
    let opt = |v: Option<f64>, prec: usize| v.map_or("-".to_owned(), |v| format!("{v:.prec$}"));
    println!(
        "{:<22} {:>9} {:>12} {:>12}",
        "scenario", "wall s", "peak RSS MB", "rows/s"
    );
    for s in &r.steps {
        if let Some(why) = &s.skipped {
            println!("{:<22} skipped: {why}", s.name);
            continue;
        }
        println!(
            "{:<22} {:>9} {:>12} {:>12}",
            s.name,
            opt(s.wall_seconds, 2),
            opt(s.peak_rss_mb, 1),
            opt(s.rows_per_second, 0),
        );
        if let Some(note) = &s.note {
            println!("{:<22} ! {note}", "");
        }
    }
    let sm = &r.sample;
    println!(
        "extract: {} rows, {:.1} MB; frame: {} cases ({} eligible, {} strata by case type × unit); \
         drawn: {} of {} at level 1, {} of {} at level 2 (seed {}, proportional)",
        r.rows,
        mb(r.extract_bytes),
        sm.frame_cases,
        sm.eligible,
        sm.strata_count,
        sm.level1_drawn,
        sm.level1_target,
        sm.level2_drawn,
        sm.level2_target,
        sm.seed,
    );
    println!(
        "peak RSS: child processes from wait4 (ru_maxrss; never below this process's {} MB at \
         spawn, which Linux counts until exec); steps in this process from VmHWM, reset before \
         each step",
        opt(r.parent_rss_mb_at_spawn, 1)
    );
    if let Some(dir) = &r.kept_in {
        println!("kept in: {}", dir.display());
    }
    println!(
        "build: {}",
        if r.build == "debug" {
            "debug (use --release for real figures)"
        } else {
            "release"
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail(b"a\nb\nc\n", 5), "a\nb\nc");
        assert_eq!(tail(b"a\nb\nc\n", 2), "(\u{2026} 1 earlier lines)\nb\nc");
    }

    #[test]
    fn sqlite_paths_are_quoted() {
        assert_eq!(sqlite_quoted(Path::new("/tmp/a b.csv")), "\"/tmp/a b.csv\"");
        assert_eq!(sqlite_quoted(Path::new("/tmp/a\"b")), "\"/tmp/a\"\"b\"");
    }

    #[test]
    fn a_child_is_timed_and_measured() {
        let run = run_child(Command::new("cat"), b"hello").expect("cat runs");
        assert!(run.status.success());
        assert_eq!(run.stdout, b"hello");
        assert!(run.max_rss > 0);
        assert!(run.wall > Duration::ZERO);
    }

    #[test]
    fn a_failing_child_keeps_its_stderr() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo oops >&2; exit 3"]);
        let run = run_child(cmd, b"").expect("sh runs");
        assert_eq!(run.status.code(), Some(3));
        assert_eq!(tail(&run.stderr, 10), "oops");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn own_peak_rss_is_read() {
        let (_, _, peak) = in_process(|| vec![1u8; 1 << 20]);
        assert!(peak.is_some_and(|b| b > 1 << 20), "{peak:?}");
    }
}
