//! `tilsyn report` end to end on the demo's rounds: the real binary on a real database (the
//! engine TILSYN_TEST_DATABASE_URL names). The committee's outputs publish no count below the
//! threshold, a stored snapshot renders the same report again, figures are checked against a
//! count made here from the stored answers, and bad arguments change nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use tilsyn_domain::report::Report;
use tilsyn_domain::review::ReviewStatus;
use tilsyn_store::testing::TestDb;
use uuid::Uuid;

const SPRING: &str = "Ledelsestilsyn forår 2026";
const AUTUMN: &str = "Tematiseret tilsyn: inddragelse efterår 2026";

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Ctx {
    db: TestDb,
    url: String,
    dir: PathBuf,
}

impl Drop for Ctx {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Ctx {
    async fn demo() -> Ctx {
        let db = TestDb::new().await;
        let url = db.child_url();
        let dir = std::env::temp_dir().join(format!("tilsyn-reports-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let ctx = Ctx { db, url, dir };
        let o = ctx.tilsyn(&["demo", "--seed-only"]);
        assert!(o.status.success(), "demo: {}", err(&o));
        ctx
    }

    fn tilsyn(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tilsyn"))
            .args(args)
            .env("TILSYN_DATABASE_URL", &self.url)
            .env("TILSYN_LANG", "da")
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .output()
            .expect("run tilsyn")
    }

    /// Runs `tilsyn report` and returns the file's bytes.
    fn report(&self, round: &str, format: &str, audience: &str) -> Vec<u8> {
        let path = self.dir.join(format!(
            "r-{}-{format}.{}",
            audience.replace(':', "-"),
            if format == "snapshot" { "json" } else { format }
        ));
        let p = path.to_string_lossy().into_owned();
        let o = self.tilsyn(&[
            "report",
            round,
            "--format",
            format,
            "--audience",
            audience,
            "-o",
            &p,
        ]);
        assert!(
            o.status.success(),
            "report {format} {audience}: {}",
            err(&o)
        );
        std::fs::read(&path).expect("report file")
    }
}

/// Every visible count of the committee's report, and the counts in its CSV and JSON key
/// figures: none in 1..threshold.
fn assert_no_small_cell(report: &Report, csv: &[u8], json: &[u8]) {
    let t = report
        .threshold
        .expect("the committee's report is suppressed");
    assert_eq!(t, 5);
    let counts = report.published_counts();
    assert!(counts.len() > 100, "a real report publishes many counts");
    for (at, n) in &counts {
        assert!(*n == 0 || *n >= t, "{at}: n = {n} is below the threshold");
    }
    assert!(
        report.raw.is_empty(),
        "no case-level rows for the committee"
    );
    assert!(report.feedback.is_none());
    let v: serde_json::Value = serde_json::from_slice(json).expect("key figures JSON");
    for f in v["figures"].as_array().expect("figures") {
        if let Some(n) = f["n"].as_u64() {
            assert!(n == 0 || n >= t, "key figure {f}");
        }
    }
    let text = String::from_utf8_lossy(csv);
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let n = line.split(';').nth(4).expect("an n column");
        if let Ok(n) = n.parse::<u64>() {
            assert!(n == 0 || n >= t, "CSV: {line}");
            rows += 1;
        }
    }
    assert!(rows > 10, "{text}");
}

#[tokio::test]
async fn the_committee_report_hides_small_cells_and_reproduces_from_its_snapshot() {
    let ctx = Ctx::demo().await;
    let store = &ctx.db.store;
    let snap = ctx.report(SPRING, "snapshot", "committee");
    let report: Report = serde_json::from_slice(&snap).expect("snapshot");
    let csv = ctx.report(SPRING, "csv", "committee");
    let json = ctx.report(SPRING, "json", "committee");
    assert_no_small_cell(&report, &csv, &json);
    // The demo's spring round has items asked in few cases (rules): something is hidden.
    assert!(report.hidden > 0, "the demo has small cells to hide");

    // Every generated report is stored; the snapshot reads back exactly.
    let round = store
        .list_rounds()
        .await
        .expect("rounds")
        .into_iter()
        .find(|r| r.name == SPRING)
        .expect("spring");
    let stored = store.round_reports(round.id).await.expect("reports");
    assert_eq!(stored.len(), 3, "one snapshot per report made");
    let oldest = stored.last().expect("the first report");
    let again = store.stored_report(oldest.id).await.expect("stored");
    assert_eq!(again.report, report, "the snapshot is the report as made");
    assert_eq!(
        again.summary.fingerprint,
        tilsyn_store::reports::fingerprint(&serde_json::to_string(&report).expect("json"))
    );

    // The figures against a count made here: the spring round counts the agreed answer,
    // else the highest level's.
    let answers = store.round_answers(round.id).await.expect("answers");
    let agreed: BTreeMap<(String, String), String> = store
        .round_agreed(round.id)
        .await
        .expect("agreed")
        .into_iter()
        .map(|a| ((a.case_key, a.item), a.value))
        .collect();
    let mut counted: BTreeMap<(String, String), (u8, String)> = BTreeMap::new();
    for a in answers {
        let k = (a.case_key.clone(), a.item.clone());
        if counted.get(&k).is_none_or(|(l, _)| a.level > *l) {
            counted.insert(k, (a.level, a.value));
        }
    }
    let mut ja = BTreeMap::<String, (u64, u64)>::new();
    for ((case, item), (_, v)) in &counted {
        let v = agreed.get(&(case.clone(), item.clone())).unwrap_or(v);
        let e = ja.entry(item.clone()).or_default();
        match v.as_str() {
            "ja" => e.0 += 1,
            "nej" => e.1 += 1,
            _ => {}
        }
    }
    let mut checked = 0;
    for item in &report.items {
        if item.figure.hidden || item.figure.share.is_none() {
            continue;
        }
        let (y, n) = ja[&item.key];
        assert_eq!(item.figure.n, Some(y + n), "{}", item.key);
        let share = item.figure.share.expect("share");
        assert!(
            (share - y as f64 / (y + n) as f64).abs() < 1e-12,
            "{}",
            item.key
        );
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
    let total: (u64, u64) = report
        .items
        .iter()
        .filter(|i| i.figure.share.is_some() || i.figure.hidden)
        .filter_map(|i| ja.get(&i.key))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(report.overall.n, Some(total.0 + total.1));
}

#[tokio::test]
async fn analysts_get_pseudonymised_raw_answers_and_blind_cases_are_left_out() {
    let ctx = Ctx::demo().await;
    let store = &ctx.db.store;
    let snap = ctx.report(AUTUMN, "snapshot", "analyst");
    let report: Report = serde_json::from_slice(&snap).expect("snapshot");
    assert_eq!(report.threshold, None);
    // Only cases whose every level has submitted count: counted here from the reviews.
    let round = store
        .list_rounds()
        .await
        .expect("rounds")
        .into_iter()
        .find(|r| r.name == AUTUMN)
        .expect("autumn");
    let reviews = store.round_reviews(round.id).await.expect("reviews");
    let mut open: BTreeSet<&str> = BTreeSet::new();
    let mut all: BTreeSet<&str> = BTreeSet::new();
    for r in &reviews {
        all.insert(&r.case_key);
        if r.status != ReviewStatus::Submitted {
            open.insert(&r.case_key);
        }
    }
    let complete = all.len() - open.len();
    assert!(
        complete > 0 && !open.is_empty(),
        "the autumn round is half done"
    );
    assert_eq!(report.round.cases, complete as u64);
    // Raw answers: pseudonyms only, never the case system's numbers or keys.
    assert!(!report.raw.is_empty());
    let cases = store.round_cases(round.id).await.expect("cases");
    let raw = String::from_utf8(ctx.report(AUTUMN, "raw-csv", "analyst")).expect("utf-8");
    for c in &cases {
        assert!(
            !raw.contains(&c.key),
            "case key {} in the raw answers",
            c.key
        );
        assert!(
            !raw.contains(&format!(";{};", c.record.external_id)),
            "case number {}",
            c.record.external_id
        );
    }
    let pseudonyms: BTreeSet<&str> = report.raw.iter().map(|r| r.case.as_str()).collect();
    assert_eq!(pseudonyms.len(), complete);
}

#[tokio::test]
async fn bad_arguments_are_refused_and_store_nothing() {
    let ctx = Ctx::demo().await;
    let store = &ctx.db.store;
    let o = ctx.tilsyn(&[
        "report",
        SPRING,
        "--format",
        "odt",
        "--audience",
        "committee",
        "-o",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("Ukendt format: odt"), "{}", err(&o));
    let o = ctx.tilsyn(&["report", SPRING, "--audience", "borgmester", "-o", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("Ukendt modtager: borgmester"),
        "{}",
        err(&o)
    );
    let o = ctx.tilsyn(&[
        "report",
        SPRING,
        "--audience",
        "caseworker:nobody",
        "-o",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("nobody"), "{}", err(&o));
    let o = ctx.tilsyn(&["report", SPRING, "--threshold", "1", "-o", "x"]);
    assert_eq!(o.status.code(), Some(2));
    for r in store.list_rounds().await.expect("rounds") {
        assert!(store.round_reports(r.id).await.expect("reports").is_empty());
    }
}

#[tokio::test]
async fn the_next_rounds_report_shows_the_status_of_last_rounds_actions() {
    let ctx = Ctx::demo().await;
    // The demo's baseline (spring 2025) decided four actions; spring 2026 is the next round.
    let snap = ctx.report(SPRING, "snapshot", "committee");
    let report: Report = serde_json::from_slice(&snap).expect("snapshot");
    let f = report.follow_up.expect("the baseline's actions");
    assert_eq!(f.round, "Ledelsestilsyn forår 2025");
    let status = |text: &str| {
        f.actions
            .iter()
            .find(|a| a.description.starts_with(text))
            .map(|a| (a.status.code(), a.overdue, a.note.clone(), a.owner.clone()))
    };
    let (s, overdue, note, owner) = status("Tjekliste").expect("done action");
    assert_eq!((s, overdue), ("done", false));
    assert!(note.contains("stikprøve"), "evidence printed: {note}");
    assert_eq!(owner, None, "no person in the committee's report");
    // Due 1 December 2025, still in progress: overdue whenever the demo runs.
    assert_eq!(
        status("Frister").map(|x| (x.0, x.1)),
        Some(("in_progress", true))
    );
    assert_eq!(status("Temadag").map(|x| x.0), Some("dropped"));
    assert_eq!(
        (
            f.counts.done,
            f.counts.in_progress,
            f.counts.dropped,
            f.counts.planned,
            f.counts.overdue
        ),
        (1, 1, 1, 1, 1)
    );
    // The analysts' version names the owners.
    let snap = ctx.report(SPRING, "snapshot", "analyst");
    let report: Report = serde_json::from_slice(&snap).expect("snapshot");
    assert!(
        report
            .follow_up
            .expect("follow-up")
            .actions
            .iter()
            .all(|a| a.owner.as_deref().is_some_and(|o| !o.is_empty()))
    );
    // The baseline itself has no earlier round: nothing to follow up.
    let snap = ctx.report("Ledelsestilsyn forår 2025", "snapshot", "committee");
    let report: Report = serde_json::from_slice(&snap).expect("snapshot");
    assert!(report.follow_up.is_none());

    // `tilsyn action list --overdue --json`: the one overdue action, and only it.
    let o = ctx.tilsyn(&["action", "list", "--overdue", "--json"]);
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "in_progress");
    assert_eq!(rows[0]["overdue"], true);
    let o = ctx.tilsyn(&["action", "list", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    // The baseline's four and the demo learning audit's follow-up plan of three.
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0]["overdue"], true, "overdue first");
    let of_audit = rows
        .iter()
        .filter(|r| r["learning_audit"] == "19.1" && r["round"].is_null())
        .count();
    assert_eq!(of_audit, 3, "{rows:?}");
    let o = ctx.tilsyn(&["action", "list"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("7 tiltag") && text.contains("overskredet") && text.contains("19.1"),
        "{text}"
    );
}

/// `tilsyn learning-audit list|report` on the demo's audit 19.1: five organisations with three
/// participants each on four indicators, everyone but Peter Lund prepared; the report is the
/// page's PDF, and an unknown code is a usage error that writes nothing.
#[tokio::test]
async fn the_learning_audit_commands_list_the_demo_audit_and_make_its_report() {
    let ctx = Ctx::demo().await;
    let o = ctx.tilsyn(&["learning-audit", "list", "--json"]);
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let a = &rows[0];
    assert_eq!(a["code"], "19.1");
    assert_eq!(
        a["indicators"],
        serde_json::json!(["8.a", "8.b", "8.c", "9.a"])
    );
    assert_eq!(a["organisations"], 5);
    // 15 participants and panel members, a facilitator and a referent.
    assert_eq!(a["members"], 17);
    assert_eq!(a["nominators"], 15);
    assert_eq!(a["nominated"], 14);
    assert_eq!(a["actions"], 3);
    // The demo is seeded once: a second start adds nothing.
    let o = ctx.tilsyn(&["demo", "--seed-only"]);
    assert!(o.status.success(), "{}", err(&o));
    let o = ctx.tilsyn(&["learning-audit", "list", "--json"]);
    let again: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(again, rows);

    let pdf = ctx.dir.join("audit.pdf");
    let p = pdf.to_string_lossy().into_owned();
    let o = ctx.tilsyn(&["learning-audit", "report", "19.1", "-o", &p]);
    assert!(o.status.success(), "{}", err(&o));
    let bytes = std::fs::read(&pdf).expect("pdf");
    assert!(bytes.starts_with(b"%PDF-"));
    let text = Command::new("pdftotext")
        .args([&p, "-"])
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout)
        .replace("\u{ad}\n", "")
        .replace("-\n", "");
    for s in [
        "Organisation og ledelse på botilbud",
        "Socialtilsyn Hovedstaden",
        "Peter Lund",
        "9.b",
        "Anbefaling",
    ] {
        assert!(text.contains(s), "the report lacks {s:?}");
    }

    let missing = ctx.dir.join("none.pdf");
    let o = ctx.tilsyn(&[
        "learning-audit",
        "report",
        "99.9",
        "-o",
        &missing.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("99.9"), "{}", err(&o));
    assert!(!missing.exists());
}
