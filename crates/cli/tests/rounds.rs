//! Rounds from the command line, end to end: the real binary on a real database (the engine
//! TILSYN_TEST_DATABASE_URL names). `tilsyn round list/show` on the demo's two rounds, with
//! counts worked out here from the seeding rules (not read back from the code that seeded
//! them), and `tilsyn answers import` on a small round set up here: a good CSV and a good
//! XLSX are written; each bad file exits 2, names the line and the column in Danish, and
//! leaves the round exactly as it was.

use rust_xlsxwriter::Workbook;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use tilsyn_domain::Role;
use tilsyn_domain::audit::{Actor, AuditAction, AuditFilter};
use tilsyn_domain::review::{
    CountingRule, Entry, ReviewStatus, answer_values, case_facts, differences, submit_problems,
};
use tilsyn_domain::round::{Member, ReviewRules, RoundKind, RoundPlan, RoundState};
use tilsyn_domain::sampling::{
    Allocation, SampleFrame, SampleSpec, Strata, StratumDimension, draw_levels,
};
use tilsyn_domain::template::TemplateContent;
use tilsyn_store::Store;
use tilsyn_store::samples::register_fingerprint;
use tilsyn_store::testing::TestDb;
use uuid::Uuid;

const BASELINE: &str = "Ledelsestilsyn forår 2025";
const SPRING: &str = "Ledelsestilsyn forår 2026";
const AUTUMN: &str = "Tematiseret tilsyn: inddragelse efterår 2026";
/// The end of every refused answers file (`import-cli-refused`).
const REFUSED: &str = "Intet er gemt. Ret fejlene i filen og indlæs den igen.";

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

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
    /// A fresh database with the demo seeded by the binary.
    async fn demo() -> Ctx {
        let db = TestDb::new().await;
        let url = db.child_url();
        let dir = std::env::temp_dir().join(format!("tilsyn-rounds-{}", Uuid::now_v7().simple()));
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

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let o = self.tilsyn(args);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        serde_json::from_str(&out(&o)).unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", out(&o)))
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_string_lossy().into_owned()
    }

    fn xlsx(&self, name: &str, rows: &[Vec<String>]) -> String {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (
                    u32::try_from(r).expect("row"),
                    u16::try_from(c).expect("col"),
                );
                // Levels as numbers, as Excel stores a typed 1.
                match v.parse::<f64>() {
                    Ok(n) if r > 0 && c == 1 => ws.write_number(r, c, n).map(|_| ()),
                    _ => ws.write_string(r, c, v).map(|_| ()),
                }
                .expect("cell");
            }
        }
        let p = self.dir.join(name);
        wb.save(&p).expect("save xlsx");
        p.to_string_lossy().into_owned()
    }
}

fn rounds_by_name(list: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    list.as_array()
        .expect("an array of rounds")
        .iter()
        .map(|r| (r["name"].as_str().expect("name").to_owned(), r.clone()))
        .collect()
}

async fn content_of(store: &Store, round: Uuid) -> TemplateContent {
    let r = store.round(round).await.expect("round");
    store
        .template_version_by_id(r.template_version_id)
        .await
        .expect("template")
        .content
}

#[tokio::test]
async fn the_demo_rounds_are_listed_and_shown_with_their_counts() {
    let ctx = Ctx::demo().await;
    let store = &ctx.db.store;

    // The list, as text and JSON.
    let o = ctx.tilsyn(&["round", "list"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("Tilsynsrunder (3)"), "{text}");
    assert!(text.contains(SPRING) && text.contains(AUTUMN), "{text}");
    assert!(
        text.contains("Overordnet, Analyse: 40 sager, 60 målinger, 60 indsendt"),
        "{text}"
    );
    assert!(
        text.contains("Uddybende (tematiseret), Gennemgang: 30 sager, 45 målinger, 4 indsendt"),
        "{text}"
    );
    let list = rounds_by_name(&ctx.json(&["round", "list", "--json"]));
    assert_eq!(list.len(), 3);
    // Last year's baseline: the same plan a year earlier, reported and closed.
    let baseline = &list[BASELINE];
    assert_eq!(baseline["state"], "closed");
    assert_eq!(
        (
            &baseline["cases"],
            &baseline["reviews"],
            &baseline["submitted"]
        ),
        (
            &serde_json::json!(40),
            &serde_json::json!(60),
            &serde_json::json!(60)
        )
    );
    let spring = &list[SPRING];
    let autumn = &list[AUTUMN];
    // Spring: 40 cases at level 1, 20 of them at level 2, every review submitted.
    assert_eq!(spring["kind"], "broad");
    assert_eq!(spring["state"], "analysing");
    assert_eq!(
        (&spring["cases"], &spring["reviews"], &spring["submitted"]),
        (
            &serde_json::json!(40),
            &serde_json::json!(40 + 20),
            &serde_json::json!(60)
        )
    );
    // Autumn: 30 + 15 reviews, the first 4 level-1 reviews (case-key order) submitted.
    assert_eq!(autumn["kind"], "thematic");
    assert_eq!(autumn["state"], "reviewing");
    assert_eq!(autumn["cases"], 30);
    assert_eq!(autumn["reviews"], 45);
    assert_eq!(autumn["submitted"], 4);
    let spring_id: Uuid = spring["id"].as_str().expect("id").parse().expect("uuid");
    let autumn_id: Uuid = autumn["id"].as_str().expect("id").parse().expect("uuid");

    // Spring, by name, as text.
    let o = ctx.tilsyn(&["round", "show", SPRING]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    for part in [
        "Runde «Ledelsestilsyn forår 2026»",
        "Analyse",
        "Overordnet",
        "BL-OVERORDNET version 1",
        "Niveau 1: planlagt 40, udtrukket 40; 40 målinger, 40 tildelt, 40 indsendt",
        "Niveau 2: planlagt 20, udtrukket 20; 20 målinger, 20 tildelt, 20 indsendt",
        "(100 %)",
        "Det afstemte svar, ellers det højeste niveaus",
        "Stop op-møde",
        "Lise Holm (leder): Leder",
        "Jonas Juul (jurist): Jurist",
        "Ingen: planen følger anbefalingerne.",
    ] {
        assert!(text.contains(part), "«{part}» not in:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.contains("Baseline (nulpunkt):") && l.trim_end().ends_with("nej")),
        "{text}"
    );

    // Spring as JSON.
    let s = ctx.json(&["round", "show", &spring_id.to_string(), "--json"]);
    assert_eq!(s["name"], SPRING);
    assert_eq!(s["template"]["key"], "BL-OVERORDNET");
    assert_eq!(
        s["plan"]["baseline"], false,
        "the spring round is compared with 2025's"
    );
    assert_eq!(s["plan"]["counting"], "agreed");
    assert_eq!(s["cases"], 40);
    assert_eq!(s["checked_sizes"], serde_json::json!([40, 20]));
    assert_eq!(s["warnings"], serde_json::json!([]));
    let levels = s["levels"].as_array().expect("levels");
    assert_eq!(levels.len(), 2);
    for (l, n) in [(0, 40), (1, 20)] {
        let lv = &levels[l];
        assert_eq!(lv["planned"], n);
        assert_eq!(lv["drawn"], n);
        assert_eq!(lv["reviews"], n);
        assert_eq!(lv["assigned"], n);
        assert_eq!(lv["submitted"], n);
        assert_eq!(lv["answered"], lv["applicable"], "level {}", l + 1);
        assert!(lv["applicable"].as_u64().expect("n") > 0);
    }

    // The spring reviews, checked here with the domain rules: level 1 by the leader, level 2
    // by the lawyer, every one complete enough to submit; level 2 differs from level 1 on some
    // cases, and some differences have an agreed answer.
    let content = content_of(store, spring_id).await;
    let round = store.round(spring_id).await.expect("round");
    let cases: BTreeMap<String, _> = store
        .round_cases(spring_id)
        .await
        .expect("cases")
        .into_iter()
        .map(|c| (c.key.clone(), c))
        .collect();
    assert_eq!(cases.len(), 40);
    assert_eq!(cases.values().filter(|c| c.depth == 2).count(), 20);
    // Cases come from the teams in the leader's scope.
    assert!(
        cases
            .values()
            .all(|c| matches!(c.record.unit.as_deref(), Some("Team Nord" | "Team Syd")))
    );
    let leder = store.find_user("leder").await.expect("leder");
    let jurist = store.find_user("jurist").await.expect("jurist");
    let mut by_level: BTreeMap<(String, u8), BTreeMap<String, Entry>> = BTreeMap::new();
    for r in store.round_reviews(spring_id).await.expect("reviews") {
        assert_eq!(r.status, ReviewStatus::Submitted);
        let who = if r.level == 1 { leder.id } else { jurist.id };
        assert_eq!(r.reviewer, Some(who), "{} level {}", r.case_key, r.level);
        let entries: BTreeMap<String, Entry> = store
            .answers(r.id)
            .await
            .expect("answers")
            .into_iter()
            .map(|(k, a)| (k, a.entry))
            .collect();
        let facts = case_facts(&cases[&r.case_key].record, round.plan.reference_date);
        let eval = content.evaluate(&facts, &answer_values(&entries), &r.marks);
        assert_eq!(
            submit_problems(&content, &eval, &entries),
            vec![],
            "{} level {}",
            r.case_key,
            r.level
        );
        let nej = entries.values().filter(|e| e.value == "nej").count();
        let ja = entries.values().filter(|e| e.value == "ja").count();
        assert!(ja > nej, "mostly ja: {} level {}", r.case_key, r.level);
        by_level.insert((r.case_key.clone(), r.level), entries);
    }
    let mut differing = 0;
    let mut agreed = 0;
    for (key, c) in &cases {
        if c.depth < 2 {
            continue;
        }
        let d = differences(
            &content,
            &by_level[&(key.clone(), 1)],
            &by_level[&(key.clone(), 2)],
        );
        differing += usize::from(!d.is_empty());
        agreed += store
            .agreed_answers(spring_id, key)
            .await
            .expect("agreed")
            .len();
    }
    assert!(differing > 0, "level 2 differs from level 1 somewhere");
    assert!(
        agreed > 0 && agreed <= differing,
        "agreed {agreed}, differing {differing}"
    );

    // Autumn, by name in other case, as JSON: 30/15, 4 submitted, a third partly answered,
    // one plan warning (no caseworker in the working group).
    let a = ctx.json(&["round", "show", &AUTUMN.to_uppercase(), "--json"]);
    assert_eq!(a["id"], autumn_id.to_string());
    assert_eq!(a["plan"]["themes"], serde_json::json!(["Inddragelse"]));
    assert_eq!(a["template"]["key"], "BL-TEMA-INDDRAGELSE");
    let levels = a["levels"].as_array().expect("levels");
    assert_eq!(
        (
            &levels[0]["drawn"],
            &levels[0]["assigned"],
            &levels[0]["submitted"]
        ),
        (
            &serde_json::json!(30),
            &serde_json::json!(30),
            &serde_json::json!(4)
        )
    );
    assert_eq!(
        (
            &levels[1]["drawn"],
            &levels[1]["assigned"],
            &levels[1]["submitted"],
            &levels[1]["answered"]
        ),
        (
            &serde_json::json!(15),
            &serde_json::json!(15),
            &serde_json::json!(0),
            &serde_json::json!(0)
        )
    );
    let warnings = a["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["key"], "plan-warn-group-lacks");
    assert_eq!(warnings[0]["role"], "caseworker");
    let o = ctx.tilsyn(&["round", "show", AUTUMN]);
    assert!(
        out(&o).contains("! Arbejdsgruppen bør have en rådgiver."),
        "{}",
        out(&o)
    );
    // Level 1 in case-key order: 0-3 submitted; of 4-29, those with index % 3 == 1 partly
    // answered (4, 7, …, 28: 9 of them); the rest untouched.
    let mut level1: Vec<_> = store
        .round_reviews(autumn_id)
        .await
        .expect("reviews")
        .into_iter()
        .filter(|r| r.level == 1)
        .collect();
    level1.sort_by(|a, b| a.case_key.cmp(&b.case_key));
    let koordinator = store.find_user("koordinator").await.expect("koordinator");
    for (i, r) in level1.iter().enumerate() {
        let p = r.progress;
        if i < 4 {
            assert_eq!(r.status, ReviewStatus::Submitted, "{i}");
            assert_eq!(p.answered, p.applicable, "{i}");
        } else if i % 3 == 1 {
            assert_eq!(r.status, ReviewStatus::Open, "{i}");
            assert!(p.answered > 0 && p.answered < p.applicable, "{i}: {p:?}");
        } else {
            assert_eq!((r.status, p.answered), (ReviewStatus::Open, 0), "{i}");
        }
        let who = if i % 2 == 0 { leder.id } else { koordinator.id };
        assert_eq!(r.reviewer, Some(who), "{i}");
    }
    assert_eq!((4..30).filter(|i| i % 3 == 1).count(), 9);

    // Seeding again adds nothing.
    let o = ctx.tilsyn(&["demo", "--seed-only"]);
    assert!(o.status.success(), "{}", err(&o));
    let again = rounds_by_name(&ctx.json(&["round", "list", "--json"]));
    assert_eq!(again.len(), 3);
    for name in [BASELINE, SPRING, AUTUMN] {
        for f in ["id", "cases", "reviews", "submitted", "state"] {
            assert_eq!(again[name][f], list[name][f], "{name} {f}");
        }
    }

    // A round that does not exist: exit 1 and what to do.
    let o = ctx.tilsyn(&["round", "show", "Findes ikke"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("Runden «Findes ikke» findes ikke. Se runderne med «tilsyn round list»"),
        "{}",
        err(&o)
    );
    let o = ctx.tilsyn(&["round", "show", &Uuid::now_v7().to_string(), "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(out(&o).is_empty());
}

/// A small thematic round over three Team Nord cases (two of them at level 2), level 1
/// assigned to the leader, level 2 unassigned, under review.
struct Small {
    id: Uuid,
    name: &'static str,
    /// (key, depth), key order.
    cases: Vec<(String, u8)>,
    items: Vec<String>,
}

async fn small_round(store: &Store) -> Small {
    let name = "Lille runde til svar";
    let leder = store.find_user("leder").await.expect("leder");
    let actor = Actor {
        user_id: Some(leder.id),
        username: Some("leder".into()),
        ..Actor::default()
    };
    let version = store
        .template("BL-TEMA-INDDRAGELSE")
        .await
        .expect("template")
        .latest_published()
        .expect("published")
        .clone();
    let content = store
        .template_version_by_id(version.id)
        .await
        .expect("content")
        .content;
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
    let plan = RoundPlan {
        kind: RoundKind::Thematic,
        level_sizes: vec![3, 2],
        themes: vec!["Inddragelse".into()],
        theme_spots: vec![],
        working_group: vec![Member {
            user: leder.id,
            role: Role::Leader,
        }],
        schedule: vec![],
        baseline: false,
        rules: ReviewRules::default(),
        counting: CountingRule::HighestLevel,
        reference_date: reference,
        start_point: String::new(),
        look_back_months: 12,
    };
    let id = store
        .create_round(&actor, "Lise Holm", name, version.id, &plan, &[])
        .await
        .expect("round");
    let register = store.sample_cases(Some("DUBU")).await.expect("register");
    let mut frame = SampleFrame::new(reference);
    frame.units.insert("Team Nord".into());
    let spec = SampleSpec {
        frame,
        strata: Strata::by([StratumDimension::CaseType]),
        allocation: Allocation::Proportional,
        target: 3,
        coverage: false,
        caseworker_last_sampled: BTreeMap::new(),
        seed: 7,
    };
    let levels = draw_levels(&register, &spec, &[2]).expect("draw");
    let sample = store
        .save_sample(
            &actor,
            "Lise Holm",
            &spec,
            &[2],
            &[],
            &register_fingerprint(&register),
            &levels,
        )
        .await
        .expect("sample");
    let records = store
        .case_records(&levels[0].selected)
        .await
        .expect("records");
    let depths: Vec<u8> = records
        .iter()
        .map(|(k, _)| if levels[1].selected.contains(k) { 2 } else { 1 })
        .collect();
    let cases: Vec<(String, u8)> = records
        .iter()
        .zip(&depths)
        .map(|((k, _), d)| (k.clone(), *d))
        .collect();
    let new = tilsyn_web::rounds::build_round_cases(&content, &plan, records, &depths, reference);
    store
        .attach_sample(&actor, id, sample, &new)
        .await
        .expect("attach");
    let rows: Vec<_> = store
        .round_reviews(id)
        .await
        .expect("reviews")
        .into_iter()
        .filter(|r| r.level == 1)
        .map(|r| (r.id, leder.id, vec![]))
        .collect();
    store
        .assign_reviews(&actor, id, &rows, None)
        .await
        .expect("assign");
    store
        .set_round_state(&actor, id, RoundState::Sampled, RoundState::Reviewing)
        .await
        .expect("reviewing");
    Small {
        id,
        name,
        cases,
        items: content.items().iter().map(|p| p.item.key.clone()).collect(),
    }
}

/// What an import could have changed in a round.
#[derive(Debug, PartialEq, Eq)]
struct Written {
    /// (case, level, status, reviewer username, answered, applicable)
    reviews: Vec<(String, u8, ReviewStatus, Option<String>, usize, usize)>,
    /// Answers stored in the round's reviews.
    answers: usize,
    imported_events: usize,
}

async fn snapshot(store: &Store, round: Uuid) -> Written {
    let mut reviews = vec![];
    let mut answers = 0;
    for r in store.round_reviews(round).await.expect("reviews") {
        answers += store.answers(r.id).await.expect("answers").len();
        let who = match r.reviewer {
            Some(u) => Some(store.get_user(u).await.expect("user").username),
            None => None,
        };
        reviews.push((
            r.case_key,
            r.level,
            r.status,
            who,
            r.progress.answered,
            r.progress.applicable,
        ));
    }
    let imported_events = store
        .list_audit_events(&AuditFilter {
            action: Some(AuditAction::AnswersImported),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
        .len();
    Written {
        reviews,
        answers,
        imported_events,
    }
}

/// The level-1 file: every question for every case; the first case by its case id alone.
/// Header on line 1, so the answer to question `q` of case `c` is on line 2 + 9c + q.
fn level1_rows(s: &Small) -> Vec<[String; 5]> {
    let mut rows = vec![];
    for (c, (key, _)) in s.cases.iter().enumerate() {
        let case = if c == 0 {
            key.split_once('/').expect("key").1.to_owned()
        } else {
            key.clone()
        };
        for (q, item) in s.items.iter().enumerate() {
            let (answer, remark) = match (c + q) % 4 {
                0 => ("I høj grad", ""),
                1 => ("nogen", ""),
                2 => ("hoej", "Godt beskrevet."),
                _ => ("lav", "Barnets perspektiv er ikke beskrevet."),
            };
            rows.push([
                case.clone(),
                "1".into(),
                item.clone(),
                answer.into(),
                remark.into(),
            ]);
        }
    }
    rows
}

/// Windows-1252, comma-separated, as Excel on a Danish PC may save it.
fn cp1252_csv(header: &str, rows: &[[String; 5]]) -> Vec<u8> {
    let mut s = format!("{header}\r\n");
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| {
                if c.contains(',') {
                    format!("\"{c}\"")
                } else {
                    c.clone()
                }
            })
            .collect();
        s.push_str(&cells.join(","));
        s.push_str("\r\n");
    }
    let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(&s);
    assert!(!bad);
    bytes.into_owned()
}

const HEADER1: &str = "Sag,Niveau,Spørgsmål,Svar,Bemærkning";

/// The level-2 sheet: the two level-2 cases, every question, by the lawyer.
fn level2_rows(s: &Small, reviewer: Option<&str>) -> Vec<Vec<String>> {
    let mut header = vec!["Sag", "Niveau"];
    if reviewer.is_some() {
        header.push("Bedømmer");
    }
    header.extend(["Spørgsmål", "Svar", "Bemærkning"]);
    let mut rows = vec![header.into_iter().map(str::to_owned).collect::<Vec<_>>()];
    for (key, depth) in &s.cases {
        if *depth < 2 {
            continue;
        }
        for item in &s.items {
            let mut row = vec![key.clone(), "2".into()];
            if let Some(r) = reviewer {
                row.push(r.into());
            }
            row.extend(["nogen".into(), String::new()]);
            row.insert(row.len() - 2, item.clone());
            rows.push(row);
        }
    }
    rows
}

/// A bad answers file: exit 2, every part of `expected` on stderr with the refusal at the
/// end, and the round exactly as `before`.
async fn refused(
    ctx: &Ctx,
    round: &str,
    id: Uuid,
    before: &Written,
    path: String,
    expected: Vec<String>,
) {
    let o = ctx.tilsyn(&["answers", "import", "--round", round, &path]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(2), "{path}\n{e}\n{}", out(&o));
    for part in &expected {
        assert!(e.contains(part.as_str()), "«{part}» not in stderr:\n{e}");
    }
    assert!(e.contains(REFUSED), "{e}");
    assert!(!out(&o).contains("Svarene er indlæst"), "{}", out(&o));
    assert!(!e.contains("panicked"), "{e}");
    assert_eq!(
        &snapshot(&ctx.db.store, id).await,
        before,
        "{path}: something was written"
    );
}

#[tokio::test]
async fn answers_import_checks_every_line_and_writes_all_or_nothing() {
    let ctx = Ctx::demo().await;
    let store = &ctx.db.store;
    let s = small_round(store).await;
    assert_eq!(s.cases.len(), 3);
    assert_eq!(s.cases.iter().filter(|c| c.1 == 2).count(), 2);
    assert_eq!(s.items.len(), 9);
    let before = snapshot(store, s.id).await;
    assert!(before.reviews.iter().all(|r| r.2 == ReviewStatus::Open));
    assert_eq!(before.answers, 0);
    let round = s.name;
    let depth1 = s
        .cases
        .iter()
        .find(|c| c.1 == 1)
        .expect("a level-1-only case")
        .0
        .clone();
    let good = level1_rows(&s);
    let last_line = good.len() + 2; // a line appended to the good file

    let refuse =
        |path: String, expected: Vec<String>| refused(&ctx, round, s.id, &before, path, expected);
    let csv = |name: &str, rows: &[[String; 5]]| ctx.file(name, cp1252_csv(HEADER1, rows));

    // 1. A case that is not in the round.
    let mut rows = good.clone();
    rows.push([
        "DUBU/S-9999999".into(),
        "1".into(),
        s.items[0].clone(),
        "hoej".into(),
        String::new(),
    ]);
    refuse(
        csv("ukendt-sag.csv", &rows),
        vec![format!(
            "Linje {last_line}, kolonne «Sag»: sagen «DUBU/S-9999999» er ikke med i runden «{round}»."
        )],
    )
    .await;

    // 2. A level the case was not drawn for, and a level that is no level.
    let mut rows = good.clone();
    rows.push([
        depth1.clone(),
        "2".into(),
        s.items[0].clone(),
        "hoej".into(),
        String::new(),
    ]);
    rows[3][1] = "4".into();
    refuse(
        csv("niveau.csv", &rows),
        vec![
            format!(
                "Linje {last_line}, kolonne «Niveau»: sagen {depth1} er ikke udtrukket til niveau 2 i runden (kun til og med niveau 1)."
            ),
            "Linje 5, kolonne «Niveau»: «4» er ikke et niveau. Skriv 1, 2 eller 3".into(),
        ],
    )
    .await;

    // 3. A reviewer who is not a user.
    let mut text = "Sag;Niveau;Bedømmer;Spørgsmål;Svar;Bemærkning\n".to_owned();
    for (i, r) in good.iter().enumerate() {
        let who = if i == 4 { "ukendt.person" } else { "leder" };
        text.push_str(&format!(
            "{};{};{who};{};{};{}\n",
            r[0], r[1], r[2], r[3], r[4]
        ));
    }
    refuse(
        ctx.file("bedoemmer.csv", text),
        vec![
            "Linje 6, kolonne «Bedømmer»: der er ingen bruger med brugernavnet «ukendt.person»."
                .into(),
        ],
    )
    .await;

    // 4. A question the template does not have.
    let mut rows = good.clone();
    rows[2][2] = "BLT.INDD.FINDES_IKKE".into();
    refuse(
        csv("spoergsmaal.csv", &rows),
        vec![
            "Linje 4, kolonne «Spørgsmål»: spørgsmålet «BLT.INDD.FINDES_IKKE» findes ikke i rundens skabelon BL-TEMA-INDDRAGELSE."
                .into(),
        ],
    )
    .await;

    // 5. An answer the scale does not have, and an empty one.
    let mut rows = good.clone();
    rows[4][3] = "måske".into();
    rows[7][3] = String::new();
    refuse(
        csv("svar.csv", &rows),
        vec![
            format!(
                "Linje 6, kolonne «Svar»: «måske» er ikke et af svarene på spørgsmålet {}. Skriv et af disse: lav, nogen, hoej",
                s.items[4]
            ),
            format!(
                "Linje 9, kolonne «Svar»: der står intet svar på spørgsmålet {}.",
                s.items[7]
            ),
        ],
    )
    .await;

    // 6. The same question twice for one case and level.
    let mut rows = good.clone();
    rows.push(good[1].clone());
    refuse(
        csv("dublet.csv", &rows),
        vec![format!(
            "Linje {last_line}, kolonne «Spørgsmål»: spørgsmålet {} for sagen {} på niveau 1 står også i linje 3.",
            s.items[1], s.cases[0].0
        )],
    )
    .await;

    // 7. "lav" without the remark the template asks for.
    let mut rows = good.clone();
    rows[10][3] = "I lav grad".into();
    rows[10][4] = String::new();
    refuse(
        csv("bemaerkning.csv", &rows),
        vec![format!(
            "Linje 12, kolonne «Bemærkning»: svaret «lav» på spørgsmålet {} skal have en bemærkning.",
            s.items[1]
        )],
    )
    .await;

    // 8. A question left out: the review could not be submitted.
    let rows: Vec<[String; 5]> = good
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 9 + 2)
        .map(|(_, r)| r.clone())
        .collect();
    refuse(
        csv("mangler.csv", &rows),
        vec![format!(
            "Linje 11, kolonne «Spørgsmål»: målingen af sagen {} på niveau 1 mangler svar på spørgsmålet {}",
            s.cases[1].0, s.items[2]
        )],
    )
    .await;

    // 9. No answer column at all: the file is refused whole.
    let o = ctx.tilsyn(&[
        "answers",
        "import",
        "--round",
        round,
        &ctx.file("kolonne.csv", "Sag;Niveau;Spørgsmål;Bemærkning\nx;1;y;z\n"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("Filen mangler kolonnen Svar."),
        "{}",
        err(&o)
    );
    assert_eq!(snapshot(store, s.id).await, before);

    // 10. XLSX: level 2 by the person who did level 1, and level 2 with no reviewer at all.
    let mut sheet = level2_rows(&s, Some("jurist"));
    sheet[3][2] = "leder".into();
    let o = ctx.tilsyn(&[
        "answers",
        "import",
        "--round",
        round,
        &ctx.xlsx("uafhaengig.xlsx", &sheet),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(
            "Linje 4, kolonne «Bedømmer»: bedømmeren «leder» er en anden end i linje 2 («jurist»)"
        ),
        "{}",
        err(&o)
    );
    let mut sheet = level2_rows(&s, Some("leder"));
    sheet.truncate(1 + 9);
    let o = ctx.tilsyn(&[
        "answers",
        "import",
        "--round",
        round,
        &ctx.xlsx("samme-person.xlsx", &sheet),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(&format!(
            "Linje 2, kolonne «Bedømmer»: leder har været med til at måle sagen {} på et lavere niveau og må ikke måle den på niveau 2.",
            sheet[1][0]
        )),
        "{}",
        err(&o)
    );
    let o = ctx.tilsyn(&[
        "answers",
        "import",
        "--round",
        round,
        &ctx.xlsx("ingen-bedoemmer.xlsx", &level2_rows(&s, None)),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("Linje 2, kolonne «Bedømmer»: målingen af sagen"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("har ingen bedømmer"), "{}", err(&o));
    assert_eq!(snapshot(store, s.id).await, before);

    // Not a round, or a round not open for answers: exit 1.
    let path = csv("god.csv", &good);
    let o = ctx.tilsyn(&["answers", "import", "--round", "Ingen runde", &path]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("Runden «Ingen runde» findes ikke."),
        "{}",
        err(&o)
    );
    let leder = store.find_user("leder").await.expect("leder");
    let draft = store
        .create_round(
            &Actor {
                user_id: Some(leder.id),
                username: Some("leder".into()),
                ..Actor::default()
            },
            "Lise Holm",
            "Kladde til næste år",
            store.round(s.id).await.expect("round").template_version_id,
            &store.round(s.id).await.expect("round").plan,
            &[],
        )
        .await
        .expect("draft");
    let o = ctx.tilsyn(&["answers", "import", "--round", &draft.to_string(), &path]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("Runden «Kladde til næste år» er i fasen «Kladde». Svar kan kun indlæses"),
        "{}",
        err(&o)
    );
    assert_eq!(snapshot(store, s.id).await, before);

    // A dry run of the good file: fine, nothing written.
    let o = ctx.tilsyn(&["answers", "import", "--round", round, &path, "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("Prøvekørsel: filen er i orden (3 målinger med i alt 27 svar"),
        "{}",
        out(&o)
    );
    assert_eq!(snapshot(store, s.id).await, before);

    // The good files: level 1 (CSV, windows-1252, commas; reviewer as assigned), then level 2
    // (XLSX, the lawyer).
    let o = ctx.tilsyn(&["answers", "import", "--round", round, &path]);
    assert!(o.status.success(), "{}\n{}", err(&o), out(&o));
    assert!(
        out(&o).contains(&format!(
            "Svarene er indlæst i runden «{round}»: 3 målinger med i alt 27 svar er gemt og indsendt."
        )),
        "{}",
        out(&o)
    );
    let o = ctx.tilsyn(&[
        "answers",
        "import",
        "--round",
        &s.id.to_string(),
        &ctx.xlsx("niveau2.xlsx", &level2_rows(&s, Some("Jurist"))),
    ]);
    assert!(o.status.success(), "{}\n{}", err(&o), out(&o));
    assert!(
        out(&o).contains("2 målinger med i alt 18 svar"),
        "{}",
        out(&o)
    );
    let after = snapshot(store, s.id).await;
    assert_eq!(after.answers, 27 + 18);
    assert_eq!(after.imported_events, 2);
    for (key, level, status, who, answered, applicable) in &after.reviews {
        assert_eq!(*status, ReviewStatus::Submitted, "{key} {level}");
        let expected = if *level == 1 { "leder" } else { "jurist" };
        assert_eq!(who.as_deref(), Some(expected), "{key} {level}");
        assert_eq!(answered, applicable, "{key} {level}");
    }
    // Labels were stored as codes, remarks as given.
    let r = store
        .round_reviews(s.id)
        .await
        .expect("reviews")
        .into_iter()
        .find(|r| r.case_key == s.cases[0].0 && r.level == 1)
        .expect("review");
    let answers = store.answers(r.id).await.expect("answers");
    assert_eq!(answers[&s.items[0]].entry.value, "hoej");
    assert_eq!(answers[&s.items[3]].entry.value, "lav");
    assert_eq!(
        answers[&s.items[3]].entry.remark,
        "Barnets perspektiv er ikke beskrevet."
    );

    // The same file again: those reviews are submitted now, so nothing is written.
    let o = ctx.tilsyn(&["answers", "import", "--round", round, &path]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(&format!(
            "Linje 2, kolonne «Sag»: målingen af sagen {} på niveau 1 er allerede indsendt",
            s.cases[0].0
        )),
        "{}",
        err(&o)
    );
    assert_eq!(snapshot(store, s.id).await, after);
}
