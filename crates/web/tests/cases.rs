//! The case register pages: who sees which cases, the upload → mapping → check → confirm
//! flow (all or nothing), samples drawn and stored within one's units, and every read of
//! case-level data in the audit log.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::TestApp;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::CaseRecord;
use tilsyn_store::cases::ImportFile;

const HEADER: &str = "Sagsnr;Rådgiver;Team;Område;Paragraf;Startdato;Slutdato";

fn case(id: &str, unit: &str) -> CaseRecord {
    CaseRecord {
        source: "DUBU".into(),
        external_id: id.into(),
        case_type: "§ 32".into(),
        caseworker: Some(format!("rg{}", id.len() % 3)),
        unit: Some(unit.into()),
        measure_start: NaiveDate::from_ymd_opt(2025, 3, 1),
        ..Default::default()
    }
}

/// A register with cases in two teams of "Myndighed Børn og Unge" (which the demo's leader and
/// coordinator cover), one in "Team Handicap" (which they do not) and one in a unit tilsyn
/// does not know.
async fn with_register(t: &TestApp) {
    let mut cases: Vec<CaseRecord> = (0..12)
        .map(|i| {
            case(
                &format!("N-{i:03}"),
                if i % 2 == 0 { "Team Nord" } else { "team syd" },
            )
        })
        .collect();
    // A caseworker whose initials are a tilsyn username is linked to that person.
    let mut linked = case("N-100", "Team Nord");
    linked.caseworker = Some("RAADGIVER".into());
    cases.push(linked);
    cases.push(case("H-001", "Team Handicap"));
    cases.push(case("X-001", "Ukendt Team"));
    let s = t.store();
    let mut imp = s.begin_case_import("DUBU").await.expect("begin");
    imp.add(&cases).await.expect("add");
    let file = ImportFile {
        source: "DUBU".into(),
        file_name: "seed.csv".into(),
        file_sha256: "0".repeat(64),
        encoding: "UTF-8".into(),
        rows: cases.len() as u64,
    };
    imp.finish(&Actor::default(), &file, true)
        .await
        .expect("finish");
}

fn ids_in(body: &str) -> Vec<String> {
    let html = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("table.data tbody th[scope=row]").expect("selector");
    html.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

#[tokio::test]
async fn a_coordinator_sees_the_cases_of_their_units_and_each_read_is_logged() {
    let t = TestApp::new().await;
    with_register(&t).await;
    let mut b = t.login("koordinator").await;
    let r = t.get(&mut b, "/cases").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ids = ids_in(&r.body);
    assert_eq!(ids.len(), 13, "{ids:?}");
    assert!(
        r.body
            .contains("RAADGIVER <span class=\"muted\">(Rikke Dam)</span>")
    );
    assert!(ids.iter().all(|i| i.starts_with("N-")), "{ids:?}");
    // Unit names match without regard to case ("team syd" is Team Syd).
    assert!(ids.contains(&"N-001".to_owned()));
    let r = t.get(&mut b, "/cases?q=n-00&type=").await;
    assert_eq!(ids_in(&r.body).len(), 10);
    let events = t.audit_events().await;
    let reads: Vec<_> = events
        .iter()
        .filter(|e| e.action == "cases.viewed")
        .collect();
    assert_eq!(reads.len(), 2);
    assert!(reads.iter().any(
        |e| e.details.get("search").map(String::as_str) == Some("n-00")
            && e.details.get("shown").map(String::as_str) == Some("10")
    ));
    // The municipality-wide view is for grants on the municipality; the administrator has
    // one but administers the system, not cases.
    let mut admin = t.login("admin").await;
    assert_eq!(
        t.get(&mut admin, "/cases").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_leader_on_the_municipality_sees_every_case_including_unknown_units() {
    let t = TestApp::new().await;
    with_register(&t).await;
    let root = t.unit_id("Demo Kommune").await;
    let uid: tilsyn_domain::UserId = t.user_id("udvalg").await.parse().expect("id");
    t.store()
        .grant_role(
            &Default::default(),
            uid,
            tilsyn_domain::Role::Leader,
            root.parse().expect("id"),
        )
        .await
        .expect("grant");
    let mut b = t.login("udvalg").await;
    let ids = ids_in(&t.get(&mut b, "/cases").await.body);
    assert_eq!(ids.len(), 15);
    assert!(ids.contains(&"X-001".to_owned()) && ids.contains(&"H-001".to_owned()));
}

fn mapping_fields(body: &str) -> Vec<(String, String)> {
    let html = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse("select[name^=map_]").expect("selector");
    let opt = scraper::Selector::parse("option[selected]").expect("selector");
    html.select(&sel)
        .filter_map(|s| {
            let name = s.value().attr("name")?.to_owned();
            let v = s.select(&opt).next()?.value().attr("value")?.to_owned();
            (!v.is_empty()).then_some((name, v))
        })
        .collect()
}

#[tokio::test]
async fn an_extract_goes_through_mapping_and_check_before_anything_is_written() {
    let t = TestApp::new().await;
    let mut b = t.login("koordinator").await;
    t.get(&mut b, "/cases/import").await;
    let csv = format!(
        "{HEADER};Anbringelse\nA-1;ab;Team Nord;Udsatte børn;§ 52;01-02-2025;;Plejefamilie\nA-2;cd;Team Syd;Udsatte børn;§ 32;01-03-2025;;\n"
    );
    let r = t
        .post_multipart(
            &mut b,
            "/cases/upload",
            &[
                ("file", Some("udtraek.csv"), csv.as_bytes()),
                ("source", None, b"DUBU"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mapping_url = r.location().to_owned();
    assert!(mapping_url.starts_with("/cases/import/"), "{mapping_url}");
    let r = t.get(&mut b, &mapping_url).await;
    assert_eq!(r.status, StatusCode::OK);
    let fields = mapping_fields(&r.body);
    assert!(fields.contains(&("map_external_id".into(), "Sagsnr".into())));
    assert!(fields.contains(&("map_case_type".into(), "Paragraf".into())));
    assert!(r.body.contains("Anbringelse"), "extra columns are named");

    // Check: nothing written yet, the report counts two new cases.
    let mut form: Vec<(String, String)> = fields.clone();
    form.push(("profile_name".into(), "DUBU-standard".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = t
        .post(&mut b, &format!("{mapping_url}/check"), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Alle 2 rækker er i orden: 2 nye sager"),
        "{}",
        r.body
    );
    assert_eq!(t.store().count_cases().await.expect("count"), 0);
    assert!(
        !t.audit_actions()
            .await
            .contains(&"cases.imported".to_owned())
    );

    // Someone else cannot use the upload.
    let mut other = t.login("leder").await;
    let r = t
        .post(&mut other, &format!("{mapping_url}/confirm"), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(t.store().count_cases().await.expect("count"), 0);

    let r = t
        .post(&mut b, &format!("{mapping_url}/confirm"), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/cases?ok=cases-imported");
    assert_eq!(t.store().count_cases().await.expect("count"), 2);
    assert!(
        t.audit_actions()
            .await
            .contains(&"cases.imported".to_owned())
    );
    let profiles = t.store().mapping_profiles().await.expect("profiles");
    assert_eq!(profiles, vec![("DUBU-standard".into(), "DUBU".into())]);
    // The upload is gone after the import: a second confirm cannot import twice.
    let r = t
        .post(&mut b, &format!("{mapping_url}/confirm"), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_file_with_line_errors_is_reported_by_line_and_nothing_is_written() {
    let t = TestApp::new().await;
    let mut b = t.login("koordinator").await;
    t.get(&mut b, "/cases/import").await;
    let csv = format!(
        "{HEADER}\nB-1;ab;Team Nord;Udsatte børn;§ 999;01-02-2025;\nB-2;ab;Team Nord;Udsatte børn;§ 32;31-02-2025;\nB-1;ab;Team Nord;Udsatte børn;§ 32;01-02-2025;\nB-4;ab;Team Nord;Udsatte børn;§ 32;01-02-2025;\n"
    );
    let r = t
        .post_multipart(
            &mut b,
            "/cases/upload",
            &[
                ("file", Some("fejl.csv"), csv.as_bytes()),
                ("source", None, b"DUBU"),
            ],
        )
        .await;
    let url = r.location().to_owned();
    let fields = mapping_fields(&t.get(&mut b, &url).await.body);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = t.post(&mut b, &format!("{url}/check"), &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("4 rækker læst, men 3 fejl"), "{}", r.body);
    assert!(r.body.contains("Linje 2, kolonne «Paragraf»"), "{}", r.body);
    assert!(
        r.body.contains("Linje 3, kolonne «Startdato»"),
        "{}",
        r.body
    );
    assert!(r.body.contains("står også i linje 2"), "{}", r.body);
    // No confirm button on a dirty file, and confirming anyway writes nothing.
    assert!(!r.body.contains("/confirm"));
    let r = t.post(&mut b, &format!("{url}/confirm"), &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.store().count_cases().await.expect("count"), 0);
    assert!(
        !t.audit_actions()
            .await
            .contains(&"cases.imported".to_owned())
    );

    // Unmapping a mandatory field names it and keeps the person on the mapping page.
    let without: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(k, _)| *k != "map_external_id")
        .collect();
    let r = t.post(&mut b, &format!("{url}/check"), &without).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#external_id\""), "{}", r.body);
}

#[tokio::test]
async fn a_file_that_is_not_an_extract_is_refused_on_the_upload_page() {
    let t = TestApp::new().await;
    let mut b = t.login("koordinator").await;
    t.get(&mut b, "/cases/import").await;
    let r = t
        .post_multipart(
            &mut b,
            "/cases/upload",
            &[
                (
                    "file",
                    Some("udtraek.csv"),
                    b"<!DOCTYPE html><html><body>Log ind</body></html>",
                ),
                ("source", None, b"DUBU"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("webside (HTML)"), "{}", r.body);
    let r = t
        .post_multipart(&mut b, "/cases/upload", &[("source", None, b"DUBU")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Vælg en fil"));
    // Without the CSRF token in the URL the upload is refused before it is read.
    let mut anon = common::Browser::default();
    t.get(&mut anon, "/login").await;
    assert_eq!(t.store().count_cases().await.expect("count"), 0);
}

#[tokio::test]
async fn extracts_above_the_form_limit_upload_but_other_forms_stay_small() {
    let t = TestApp::new().await;
    let mut b = t.login("koordinator").await;
    t.get(&mut b, "/cases/import").await;
    // About 6 MB: above the 4 MiB every other form is held to.
    let mut csv = format!("{HEADER}\n");
    let mut i = 0;
    while csv.len() < 6 * 1024 * 1024 {
        csv.push_str(&format!(
            "C-{i:07};ab;Team Nord;Udsatte børn;§ 32;01-02-2025;\n"
        ));
        i += 1;
    }
    let r = t
        .post_multipart(
            &mut b,
            "/cases/upload",
            &[
                ("file", Some("stor.csv"), csv.as_bytes()),
                ("source", None, b"DUBU"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        &r.body[..r.body.len().min(300)]
    );
    let big = "x".repeat(5 * 1024 * 1024);
    let r = t.post(&mut b, "/samples", &[("size", &big)]).await;
    // 413 when the client announces the length (browsers do), 400 when the body is cut off.
    assert!(
        [StatusCode::PAYLOAD_TOO_LARGE, StatusCode::BAD_REQUEST].contains(&r.status),
        "{}",
        r.status
    );
    assert!(t.store().list_samples(10).await.expect("list").is_empty());
    // An extract announced above the limit is refused before it is read, with a page that
    // says why (not "the request could not be understood").
    let req = axum::http::Request::post(format!("/cases/upload?csrf_token={}", b.csrf()))
        .header(axum::http::header::COOKIE, b.cookie_header())
        .header(
            axum::http::header::CONTENT_TYPE,
            "multipart/form-data; boundary=x",
        )
        .header(axum::http::header::CONTENT_LENGTH, "200000000")
        .body(axum::body::Body::from("--x--\r\n"))
        .expect("request");
    let r = t.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("højst fylde 150 MB"), "{}", r.body);
}

#[tokio::test]
async fn a_sample_is_drawn_within_ones_units_stored_and_shown_only_to_who_covers_them() {
    let t = TestApp::new().await;
    with_register(&t).await;
    let mut b = t.login("koordinator").await;
    let form = [
        ("size", "6"),
        ("level2", "3"),
        ("seed", "20261122"),
        ("reference_date", "2026-11-01"),
        ("strata", "unit"),
        ("allocation", "proportional"),
        ("kind", "thematic"),
    ];
    let r = t.post(&mut b, "/samples", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = r.location().split('?').next().unwrap_or("").to_owned();
    let r = t.get(&mut b, &url).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = scraper::Html::parse_document(&r.body);
    let sel = scraper::Selector::parse("details table tbody th").expect("selector");
    let sections: Vec<Vec<String>> = {
        let sec = scraper::Selector::parse("main section[aria-labelledby^=level]").expect("sel");
        html.select(&sec)
            .map(|s| {
                s.select(&sel)
                    .map(|e| e.text().collect::<String>())
                    .collect()
            })
            .collect()
    };
    assert_eq!(sections.len(), 2, "two levels");
    assert_eq!(sections[0].len(), 6);
    assert_eq!(sections[1].len(), 3);
    assert!(
        sections[1].iter().all(|k| sections[0].contains(k)),
        "nested"
    );
    assert!(
        sections[0].iter().all(|k| k.starts_with("N-")),
        "only the coordinator's units: {:?}",
        sections[0]
    );
    assert!(r.body.contains("20261122"));
    assert!(
        r.body.contains("Færre sager end anbefalet"),
        "thematic < 20 warns"
    );

    // The same form again gives the same cases.
    let r2 = t.post(&mut b, "/samples", &form).await;
    let url2 = r2.location().split('?').next().unwrap_or("").to_owned();
    let again = t.get(&mut b, &url2).await;
    let html2 = scraper::Html::parse_document(&again.body);
    let first: Vec<String> = html2
        .select(&sel)
        .map(|e| e.text().collect::<String>())
        .take(6)
        .collect();
    assert_eq!(first, sections[0]);

    // The leader covers the same units and may read it; the reads are logged.
    let mut leder = t.login("leder").await;
    assert_eq!(t.get(&mut leder, &url).await.status, StatusCode::OK);
    let events = t.audit_events().await;
    assert_eq!(
        events.iter().filter(|e| e.action == "sample.drawn").count(),
        2
    );
    assert!(
        events
            .iter()
            .filter(|e| e.action == "sample.viewed")
            .count()
            >= 3
    );
    // Someone with a narrower scope does not see it at all.
    let team = t.unit_id("Team Nord").await;
    let uid: tilsyn_domain::UserId = t.user_id("raadgiver").await.parse().expect("id");
    t.store()
        .grant_role(
            &Default::default(),
            uid,
            tilsyn_domain::Role::Coordinator,
            team.parse().expect("id"),
        )
        .await
        .expect("grant");
    let mut narrow = t.login("raadgiver").await;
    assert_eq!(t.get(&mut narrow, &url).await.status, StatusCode::NOT_FOUND);
    let list = t.get(&mut narrow, "/samples").await;
    assert!(!list.body.contains(&url));
}

#[tokio::test]
async fn a_wrong_sample_form_names_each_field_and_draws_nothing() {
    let t = TestApp::new().await;
    with_register(&t).await;
    let mut b = t.login("koordinator").await;
    let r = t
        .post(
            &mut b,
            "/samples",
            &[("size", "0"), ("seed", "x"), ("reference_date", "1.1.2026")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#size", "#seed", "#reference_date"] {
        assert!(r.body.contains(&format!("href=\"{anchor}\"")), "{anchor}");
    }
    assert!(r.body.contains("value=\"x\""), "what was typed comes back");
    assert!(t.store().list_samples(10).await.expect("list").is_empty());
}

/// Uploads `csv` as koordinator, takes the suggested mapping and runs the check; returns the
/// browser, the mapping page's URL and the form, and the check's answer.
async fn check_as_coordinator(
    t: &TestApp,
    csv: &str,
) -> (common::Browser, String, Vec<(String, String)>, common::Res) {
    let mut b = t.login("koordinator").await;
    t.get(&mut b, "/cases/import").await;
    let r = t
        .post_multipart(
            &mut b,
            "/cases/upload",
            &[
                ("file", Some("team.csv"), csv.as_bytes()),
                ("source", None, b"DUBU"),
            ],
        )
        .await;
    let url = r.location().to_owned();
    let fields = mapping_fields(&t.get(&mut b, &url).await.body);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = t.post(&mut b, &format!("{url}/check"), &pairs).await;
    (b, url, fields, r)
}

#[tokio::test]
async fn a_coordinator_imports_only_their_units_and_leaves_other_units_alone() {
    let t = TestApp::new().await;
    with_register(&t).await;
    // A row of a unit the coordinator does not cover is a line error: nothing is imported.
    let csv = format!(
        "{HEADER}\nN-000;ab;Team Nord;Udsatte børn;§ 32;01-03-2025;\nO-001;ab;Team Handicap;Handicap;§ 32;01-03-2025;\n"
    );
    let (_, _, _, r) = check_as_coordinator(&t, &csv).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("Linje 3: enheden «Team Handicap» er ikke en af dine enheder"),
        "{}",
        r.body
    );

    // A team extract: only the coordinator's cases are compared and marked gone; the
    // Handicap and unknown-unit cases stay, and their counts are not shown.
    let csv = format!("{HEADER}\nN-000;ab;Team Nord;Udsatte børn;§ 32;01-03-2025;\n");
    let (mut b, url, fields, r) = check_as_coordinator(&t, &csv).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("0 nye sager, 1 ændrede, 0 uændrede og 12 ikke længere i udtrækket"),
        "{}",
        r.body
    );
    assert!(
        t.audit_actions()
            .await
            .contains(&"cases.checked".to_owned())
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = t.post(&mut b, &format!("{url}/confirm"), &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let present: Vec<String> = t
        .store()
        .sample_cases(None)
        .await
        .expect("cases")
        .into_iter()
        .map(|c| c.key)
        .collect();
    assert_eq!(present, vec!["DUBU/H-001", "DUBU/N-000", "DUBU/X-001"]);

    // A case the register holds under another unit cannot be moved in by an extract.
    let csv = format!("{HEADER}\nH-001;ab;Team Nord;Udsatte børn;§ 32;01-03-2025;\n");
    let (_, _, _, r) = check_as_coordinator(&t, &csv).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("hører til en enhed, du ikke dækker"));
}

#[tokio::test]
async fn a_cpr_number_typed_into_the_search_never_reaches_the_audit_log() {
    let t = TestApp::new().await;
    with_register(&t).await;
    let mut b = t.login("koordinator").await;
    for q in ["230120-4156", "2301204156", "230120 4156"] {
        let r = t
            .get(&mut b, &format!("/cases?q={}", urlencoding::encode(q)))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let events = t.audit_events().await;
    let searches: Vec<&str> = events
        .iter()
        .filter(|e| e.action == "cases.viewed")
        .filter_map(|e| e.details.get("search").map(String::as_str))
        .collect();
    assert_eq!(searches.len(), 3);
    for s in searches {
        assert!(!s.contains("4156") && !s.contains("230120"), "{s}");
    }
}
