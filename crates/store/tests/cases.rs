//! The case register on whichever engine `TILSYN_TEST_DATABASE_URL` names: imports upsert on
//! (source, case id), report new/changed/unchanged/gone, and a rolled-back import leaves nothing.

use chrono::NaiveDate;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::CaseRecord;
use tilsyn_store::cases::ImportFile;
use tilsyn_store::testing::TestDb;

fn case(id: &str, team: &str) -> CaseRecord {
    CaseRecord {
        source: "DUBU".into(),
        external_id: id.into(),
        case_type: "§ 32".into(),
        caseworker: Some("ab".into()),
        unit: Some(team.into()),
        measure_start: NaiveDate::from_ymd_opt(2024, 3, 1),
        ..Default::default()
    }
}

fn file(rows: u64) -> ImportFile {
    ImportFile {
        source: "DUBU".into(),
        file_name: "udtraek.csv".into(),
        file_sha256: "0".repeat(64),
        encoding: "UTF-8".into(),
        rows,
    }
}

#[tokio::test]
async fn imports_upsert_and_a_rolled_back_import_leaves_nothing() {
    let db = TestDb::new().await;
    let s = &db.store;
    let actor = Actor::default();
    // A dirty file (the caller does not keep it) writes nothing, though rows were added.
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&[case("1", "Nord"), case("2", "Nord")])
        .await
        .expect("add");
    let (id, counts) = imp.finish(&actor, &file(2), false).await.expect("finish");
    assert!(id.is_none());
    assert_eq!(counts.new, 2);
    assert_eq!(s.count_cases().await.expect("count"), 0);

    let batch: Vec<CaseRecord> = (1..=450).map(|i| case(&i.to_string(), "Nord")).collect();
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&batch[..300]).await.expect("add");
    imp.add(&batch[300..]).await.expect("add");
    let (id, counts) = imp.finish(&actor, &file(450), true).await.expect("finish");
    assert!(id.is_some());
    assert_eq!(
        (counts.new, counts.changed, counts.unchanged, counts.gone),
        (450, 0, 0, 0)
    );
    assert_eq!(s.count_cases().await.expect("count"), 450);

    // Next extract: case 1 moved team, case 450 is gone, the rest unchanged.
    let mut next: Vec<CaseRecord> = batch[..449].to_vec();
    next[0] = case("1", "Syd");
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&next).await.expect("add");
    let (_, c) = imp.finish(&actor, &file(449), true).await.expect("finish");
    assert_eq!((c.new, c.changed, c.unchanged, c.gone), (0, 1, 448, 1));
    let present = s.sample_cases(Some("DUBU")).await.expect("cases");
    assert_eq!(present.len(), 449);
    assert!(
        present
            .iter()
            .any(|c| c.key == "DUBU/1" && c.unit.as_deref() == Some("Syd"))
    );
    assert!(!present.iter().any(|c| c.key == "DUBU/450"));

    // It comes back unchanged: present again, counted as unchanged, not new.
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&[case("450", "Nord")]).await.expect("add");
    let (_, c) = imp.finish(&actor, &file(1), true).await.expect("finish");
    assert_eq!((c.new, c.unchanged, c.gone), (0, 1, 449));
    assert_eq!(s.sample_cases(Some("DUBU")).await.expect("cases").len(), 1);
    // Another source is another register: the same ids do not collide.
    let mut other = case("1", "Nord");
    other.source = "Nexus".into();
    let mut imp = s.begin_case_import("Nexus").await.expect("begin");
    imp.add(&[other]).await.expect("add");
    let (_, c) = imp.finish(&actor, &file(1), true).await.expect("finish");
    assert_eq!(c.new, 1);
    assert_eq!(s.count_cases().await.expect("count"), 451);
}

#[tokio::test]
async fn a_repeated_case_id_in_one_batch_is_written_once() {
    // PostgreSQL refuses an upsert touching a row twice in one statement; the reader reports
    // the duplicate, and the store must not fail before that report is shown.
    let db = TestDb::new().await;
    let s = &db.store;
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&[case("7", "Nord"), case("7", "Syd"), case("8", "Nord")])
        .await
        .expect("add");
    let (_, c) = imp
        .finish(&Actor::default(), &file(3), true)
        .await
        .expect("finish");
    assert_eq!(c.new, 2);
    let cases = s.sample_cases(None).await.expect("cases");
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].unit.as_deref(), Some("Nord"), "the first row wins");
}

#[tokio::test]
async fn a_sample_is_stored_whole_and_never_changed() {
    use tilsyn_domain::sampling::{
        Allocation, SampleFrame, SampleSpec, Strata, StratumDimension, draw_levels,
    };
    use tilsyn_store::samples::register_fingerprint;
    let db = TestDb::new().await;
    let s = &db.store;
    let batch: Vec<CaseRecord> = (1..=40)
        .map(|i| case(&format!("{i:03}"), if i % 2 == 0 { "Nord" } else { "Syd" }))
        .collect();
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&batch).await.expect("add");
    imp.finish(&Actor::default(), &file(40), true)
        .await
        .expect("finish");
    let cases = s.sample_cases(None).await.expect("cases");
    let spec = SampleSpec {
        frame: SampleFrame::new(NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")),
        strata: Strata::by([StratumDimension::Unit]),
        allocation: Allocation::Proportional,
        target: 10,
        coverage: false,
        caseworker_last_sampled: Default::default(),
        seed: u64::MAX - 3,
    };
    let levels = draw_levels(&cases, &spec, &[4]).expect("draw");
    let sha = register_fingerprint(&cases);
    // The fingerprint does not depend on the order the cases come in.
    let mut reversed = cases.clone();
    reversed.reverse();
    assert_eq!(register_fingerprint(&reversed), sha);
    let actor = Actor::cli(Some("koordinator".into()));
    let id = s
        .save_sample(
            &actor,
            "koordinator",
            &spec,
            &[4],
            &["Nord".into()],
            &sha,
            &levels,
        )
        .await
        .expect("save");
    let back = s.sample(id).await.expect("load");
    assert_eq!(back.spec, spec, "a u64 seed above i64::MAX survives");
    assert_eq!(back.nested, vec![4]);
    assert_eq!(back.scope, vec!["Nord".to_owned()]);
    assert_eq!(back.levels, levels);
    assert_eq!(back.register_sha256, sha);
    assert_eq!(back.created_by_name.as_deref(), Some("koordinator"));
    let list = s.list_samples(10).await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].level_sizes, "10/4");
    // Redrawing from the stored inputs gives the same cases.
    let again = draw_levels(&cases, &back.spec, &back.nested).expect("redraw");
    assert_eq!(again, back.levels);
    // The audit log holds the draw with its seed.
    let events = s
        .list_audit_events(&Default::default())
        .await
        .expect("audit");
    let ev = events
        .iter()
        .find(|e| e.action == "sample.drawn")
        .expect("sample.drawn");
    assert_eq!(
        ev.details.get("seed").map(String::as_str),
        Some("18446744073709551612")
    );
}

#[tokio::test]
async fn the_register_search_takes_typed_text_literally() {
    use tilsyn_store::cases::CaseQuery;
    let db = TestDb::new().await;
    let s = &db.store;
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&[
        case("A_B-1", "Nord"),
        case("AXB-2", "Nord"),
        case("50%-3", "Syd"),
    ])
    .await
    .expect("add");
    imp.finish(&Actor::default(), &file(3), true)
        .await
        .expect("finish");
    let ids = |q: &str| {
        let query = CaseQuery {
            search: Some(q.into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        };
        async move {
            let mut v: Vec<String> = s
                .list_cases(&query)
                .await
                .expect("list")
                .rows
                .into_iter()
                .map(|r| r.external_id)
                .collect();
            v.sort();
            v
        }
    };
    assert_eq!(ids("a_b").await, vec!["A_B-1"], "_ is not a wildcard");
    assert_eq!(ids("0%").await, vec!["50%-3"], "% is not a wildcard");
    assert_eq!(ids("b-").await, vec!["AXB-2", "A_B-1"]);
    // Unit scope: only the listed units (lower-cased).
    let query = CaseQuery {
        units: Some(vec!["syd".into()]),
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let page = s.list_cases(&query).await.expect("list");
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].external_id, "50%-3");
}
