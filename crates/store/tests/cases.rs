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
