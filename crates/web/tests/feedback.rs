//! Feedback around a round through the pages: meetings recorded whole or not at all and read
//! only by who runs the round; a caseworker's written feedback read by them and the leader
//! only, acknowledged, answered and then fixed; a case used as an example only with its
//! caseworker's consent, and no longer shown once that is withdrawn. Every change audited.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::TestApp;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::CaseRecord;
use tilsyn_domain::org::{FullName, NewPassword, Username};
use tilsyn_domain::{Role, UnitId};
use tilsyn_store::cases::ImportFile;
use uuid::Uuid;

fn case(id: &str, unit: &str, caseworker: &str) -> CaseRecord {
    CaseRecord {
        source: "DUBU".into(),
        external_id: id.into(),
        case_type: "§ 32".into(),
        caseworker: Some(caseworker.into()),
        unit: Some(unit.into()),
        measure_start: NaiveDate::from_ymd_opt(2025, 3, 1),
        birth_date: NaiveDate::from_ymd_opt(2012, 5, 5),
        ..Default::default()
    }
}

/// A round over six cases in the demo leader's teams: four of caseworker AB, two of the demo
/// caseworker `raadgiver`, one of a second caseworker user `raadgiver2`, all drawn.
async fn round(t: &TestApp) -> Uuid {
    let mut cases: Vec<CaseRecord> = (0..4)
        .map(|i| {
            case(
                &format!("N-{i:03}"),
                if i % 2 == 0 { "Team Nord" } else { "Team Syd" },
                "AB",
            )
        })
        .collect();
    cases.push(case("N-100", "Team Nord", "RAADGIVER"));
    cases.push(case("N-101", "Team Nord", "raadgiver "));
    cases.push(case("N-200", "Team Syd", "raadgiver2"));
    let s = t.store();
    let syd: UnitId = t
        .unit_id("Team Syd")
        .await
        .parse()
        .map(UnitId)
        .expect("unit");
    s.create_user_with_role(
        &Actor::default(),
        &Username::parse("raadgiver2").expect("name"),
        &FullName::parse("Rasmus Bech").expect("name"),
        Some(&NewPassword::demo("demo")),
        Some((Role::Caseworker, syd)),
    )
    .await
    .expect("second caseworker");
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
    let mut b = t.login("leder").await;
    let r = t
        .post(
            &mut b,
            "/samples",
            &[
                ("size", "7"),
                ("level2", "3"),
                ("seed", "7"),
                ("reference_date", "2026-11-01"),
                ("strata", "unit"),
                ("allocation", "proportional"),
                ("kind", "broad"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sample = id_in(r.location(), "/samples/");
    let version = s
        .template("BL-OVERORDNET")
        .await
        .expect("standard template")
        .versions[0]
        .id
        .to_string();
    let r = t
        .post(
            &mut b,
            "/rounds",
            &[
                ("name", "Forår"),
                ("kind", "broad"),
                ("template_version", &version),
                ("size1", "7"),
                ("size2", "3"),
                ("reference_date", "2026-11-01"),
                ("look_back_months", "12"),
                ("start_point", "Seneste underretning"),
                ("counting", "agreed"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = id_in(r.location(), "/rounds/");
    let r = t
        .post(
            &mut b,
            &format!("/rounds/{id}/sample"),
            &[("sample", &sample)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: Uuid = id.parse().expect("round id");
    assert_eq!(s.round_cases(id).await.expect("cases").len(), 7);
    id
}

fn id_in(location: &str, prefix: &str) -> String {
    location
        .trim_start_matches(prefix)
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned()
}

async fn count(t: &TestApp, action: &str) -> usize {
    t.audit_actions()
        .await
        .iter()
        .filter(|a| *a == action)
        .count()
}

/// The text of a page's error summary, item by item.
fn summary(page: &common::Res) -> Vec<String> {
    page.select(".error-summary li")
}

#[tokio::test]
async fn meetings_are_recorded_whole_and_read_only_by_who_runs_the_round() {
    let t = TestApp::with_templates().await;
    let id = round(&t).await;
    let path = format!("/rounds/{id}/meetings");
    let mut leder = t.login("leder").await;
    let page = t.get(&mut leder, &format!("/rounds/{id}")).await;
    assert!(
        page.body.contains(&format!("href=\"{path}\"")),
        "the round page links to its meetings"
    );
    let page = t.get(&mut leder, &path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Registrér et møde"));

    // Everything wrong at once: refused whole, a message per field in form order, what was
    // typed kept, nothing stored or logged.
    let page = t
        .post(
            &mut leder,
            &path,
            &[
                ("kind", "party"),
                ("held_on", "31-02-2026"),
                ("participants", " \n "),
                ("key_points", "  "),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        summary(&page),
        [
            "Vælg mødetypen fra listen.",
            "Skriv datoen for mødet som en dato (åååå-mm-dd).",
            "Skriv mindst én deltager.",
            "Skriv mødets hovedpunkter.",
        ]
    );
    assert_eq!(page.select("#held_on[aria-invalid=true]").len(), 1);
    assert!(
        page.body.contains("value=\"31-02-2026\""),
        "the date is kept"
    );
    let page = t
        .post(
            &mut leder,
            &path,
            &[
                ("kind", "information"),
                ("held_on", ""),
                ("participants", "Lise Holm"),
                ("key_points", "Rammer og tidsplan"),
            ],
        )
        .await;
    assert_eq!(summary(&page), ["Skriv datoen for mødet."]);
    assert_eq!(
        page.select("#key_points"),
        ["Rammer og tidsplan"],
        "the key points are kept"
    );
    assert_eq!(
        page.select("#kind option[selected]"),
        ["Informationsmøde"],
        "the kind is kept"
    );
    assert!(t.store().meetings(id).await.expect("meetings").is_empty());
    assert_eq!(count(&t, "meeting.recorded").await, 0);

    // A good one: stored with its names line by line, logged, listed.
    let r = t
        .post(
            &mut leder,
            &path,
            &[
                ("kind", "information"),
                ("held_on", "2026-02-16"),
                ("participants", "Lise Holm\r\n\r\n Rikke Dam \r\n"),
                (
                    "key_points",
                    "Rammer og tidsplan gennemgået\r\nSpørgsmål om udvælgelsen",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("{path}?ok=meeting-recorded"));
    let stored = t.store().meetings(id).await.expect("meetings");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].participants, ["Lise Holm", "Rikke Dam"]);
    assert_eq!(count(&t, "meeting.recorded").await, 1);
    // The coordinator runs the round too and reads it.
    let mut koordinator = t.login("koordinator").await;
    let page = t.get(&mut koordinator, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    let meeting = page.select("article.meeting");
    assert_eq!(meeting.len(), 1, "{}", page.body);
    for s in [
        "Informationsmøde",
        "16-02-2026",
        "Lise Holm, Rikke Dam",
        "Spørgsmål om udvælgelsen",
    ] {
        assert!(meeting[0].contains(s), "{s}: {}", meeting[0]);
    }

    // Nobody else: the committee's viewer, the lawyer and the caseworker get 404 (logged);
    // a caseworker may not record one either.
    let denied = count(&t, "access.denied").await;
    for user in ["udvalg", "jurist", "raadgiver"] {
        let mut b = t.login(user).await;
        let page = t.get(&mut b, &path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{user}");
        assert!(!page.body.contains("Spørgsmål om udvælgelsen"));
    }
    assert_eq!(count(&t, "access.denied").await, denied + 3);
    let mut raadgiver = t.login("raadgiver").await;
    let r = t
        .post(
            &mut raadgiver,
            &path,
            &[
                ("kind", "stop_op"),
                ("held_on", "2026-04-27"),
                ("participants", "Rikke Dam"),
                ("key_points", "Ikke min at skrive"),
            ],
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    assert_eq!(t.store().meetings(id).await.expect("meetings").len(), 1);
}

#[tokio::test]
async fn written_feedback_is_read_by_its_caseworker_acknowledged_answered_and_then_fixed() {
    let t = TestApp::with_templates().await;
    let id = round(&t).await;
    let own = format!("/rounds/{id}/feedback");
    let theirs = format!("{own}?caseworker=raadgiver");
    let note_path = format!("{own}/note");
    let mut leder = t.login("leder").await;
    let page = t.get(&mut leder, &theirs).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Skriv en tilbagemelding"));

    // Empty: refused, nothing stored.
    let page = t
        .post(
            &mut leder,
            &note_path,
            &[("caseworker", "raadgiver"), ("version", ""), ("body", " ")],
        )
        .await;
    assert_eq!(summary(&page), ["Skriv tilbagemeldingen."]);
    assert!(
        t.store()
            .note(id, "raadgiver")
            .await
            .expect("note")
            .is_none()
    );

    let first = "Dine handleplaner er konkrete.\nBørnesamtalen kan dokumenteres tydeligere.";
    let r = t
        .post(
            &mut leder,
            &note_path,
            &[
                ("caseworker", "raadgiver"),
                ("version", ""),
                ("body", first),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().ends_with("ok=note-saved"), "{}", r.location());
    // The same new-feedback form again (a stale page): refused, nothing overwritten.
    let page = t
        .post(
            &mut leder,
            &note_path,
            &[
                ("caseworker", "raadgiver"),
                ("version", ""),
                ("body", "Noget andet"),
            ],
        )
        .await;
    assert!(
        page.body.contains("ændret, siden du åbnede"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Noget andet"), "the typed text is kept");
    let note = t
        .store()
        .note(id, "raadgiver")
        .await
        .expect("n")
        .expect("n");
    assert_eq!((note.body.as_str(), note.version), (first, 0));
    // Only for a caseworker with a case in the round.
    let r = t
        .post(
            &mut leder,
            &note_path,
            &[("caseworker", "jurist"), ("version", ""), ("body", "Hej")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The caseworker reads it on their own page; another caseworker gets 404 for it and
    // does not see it on their own page.
    let mut raadgiver = t.login("raadgiver").await;
    let page = t.get(&mut raadgiver, &own).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("Børnesamtalen kan dokumenteres tydeligere.")
    );
    assert!(page.body.contains("Jeg har læst tilbagemeldingen"));
    let mut other = t.login("raadgiver2").await;
    let r = t.get(&mut other, &theirs).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get(&mut other, &own).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("Børnesamtalen"));
    assert!(r.body.contains("Din leder har ikke skrevet"));
    // Nor can the other caseworker acknowledge anything (they have no feedback).
    let r = t
        .post(
            &mut other,
            &format!("{own}/acknowledge"),
            &[("version", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for user in ["udvalg", "jurist"] {
        let mut b = t.login(user).await;
        assert_eq!(
            t.get(&mut b, &theirs).await.status,
            StatusCode::NOT_FOUND,
            "{user}"
        );
    }

    // The leader sharpens it before it is read (version 0 → 1).
    let second = "Dine handleplaner er konkrete. Husk barnets perspektiv i samtalen.";
    let r = t
        .post(
            &mut leder,
            &note_path,
            &[
                ("caseworker", "raadgiver"),
                ("version", "0"),
                ("body", second),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Acknowledging from the page read before the change is refused: it would confirm a
    // text the caseworker has not seen.
    let page = t
        .post(
            &mut raadgiver,
            &format!("{own}/acknowledge"),
            &[("version", "0")],
        )
        .await;
    assert!(
        page.body.contains("ændret, siden du åbnede"),
        "{}",
        page.body
    );
    let note = t
        .store()
        .note(id, "raadgiver")
        .await
        .expect("n")
        .expect("n");
    assert!(note.acknowledged_at.is_none());
    let r = t
        .post(
            &mut raadgiver,
            &format!("{own}/acknowledge"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut raadgiver, r.location()).await;
    assert!(page.body.contains("Du har kvitteret for at have læst"));
    assert!(!page.body.contains("Jeg har læst tilbagemeldingen"));

    // Read: the leader can no longer rewrite it, and is told why.
    let page = t.get(&mut leder, &theirs).await;
    assert!(page.select("textarea#body").is_empty(), "no form once read");
    let page = t
        .post(
            &mut leder,
            &note_path,
            &[
                ("caseworker", "raadgiver"),
                ("version", "2"),
                ("body", "Stille omskrivning"),
            ],
        )
        .await;
    assert!(
        page.body.contains("kan ikke længere ændres"),
        "{}",
        page.body
    );
    let note = t
        .store()
        .note(id, "raadgiver")
        .await
        .expect("n")
        .expect("n");
    assert_eq!(note.body, second);

    // The answer: empty is refused, a real one is saved and the leader reads it.
    let page = t
        .post(
            &mut raadgiver,
            &format!("{own}/answer"),
            &[("version", "2"), ("answer", "  ")],
        )
        .await;
    assert_eq!(summary(&page), ["Skriv dit svar."]);
    let r = t
        .post(
            &mut raadgiver,
            &format!("{own}/answer"),
            &[
                ("version", "2"),
                ("answer", "Tak. Kan vi tage samtalen på teammødet?"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut leder, &theirs).await;
    assert!(page.body.contains("Kan vi tage samtalen på teammødet?"));

    // The leader's overview: who has had feedback, read it, answered.
    let page = t.get(&mut leder, &format!("/rounds/{id}/meetings")).await;
    let rows = page.select("table.note-overview tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    let row = |cw: &str| {
        rows.iter()
            .find(|r| r.starts_with(cw))
            .cloned()
            .unwrap_or_default()
    };
    assert!(row("RAADGIVER").contains("Besvaret"), "{rows:?}");
    assert!(row("RAADGIVER").contains("Rikke Dam"), "{rows:?}");
    assert!(row("AB").contains("Ikke skrevet"), "{rows:?}");
    assert!(
        page.body
            .contains("2 rådgivere mangler en skriftlig tilbagemelding.")
    );

    assert_eq!(count(&t, "feedback.written").await, 2);
    assert_eq!(count(&t, "feedback.acknowledged").await, 1);
    assert_eq!(count(&t, "feedback.answered").await, 1);
}

#[tokio::test]
async fn a_case_is_an_example_only_with_its_caseworkers_consent() {
    let t = TestApp::with_templates().await;
    let id = round(&t).await;
    let path = format!("/rounds/{id}/meetings");
    let mut leder = t.login("leder").await;
    for (kind, date) in [("information", "2026-02-16"), ("results", "2026-05-18")] {
        let r = t
            .post(
                &mut leder,
                &path,
                &[
                    ("kind", kind),
                    ("held_on", date),
                    ("participants", "Lise Holm\nRikke Dam"),
                    ("key_points", "Generelle fund"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let meetings = t.store().meetings(id).await.expect("meetings");
    let (info, results) = (meetings[0].id, meetings[1].id);
    let examples = |m: Uuid| format!("{path}/{m}/examples");
    let key = "DUBU/N-100";

    // Without consent: refused with a clear message, nothing stored or logged.
    let page = t
        .post(
            &mut leder,
            &examples(results),
            &[("case", key), ("note", "Godt eksempel på børnesamtalen")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        summary(&page),
        ["Sagen kan ikke bruges som eksempel: rådgiveren har ikke givet samtykke."]
    );
    assert!(
        page.body
            .contains("value=\"Godt eksempel på børnesamtalen\"")
    );
    assert_eq!(
        page.select(&format!("#case-{results}[aria-invalid=true]"))
            .len(),
        1
    );
    let stored = t.store().meetings(id).await.expect("meetings");
    assert!(stored.iter().all(|m| m.examples.is_empty()));
    assert_eq!(count(&t, "meeting.example_added").await, 0);

    // Consent is the caseworker's own: the leader cannot give it, nor the caseworker for
    // someone else's case.
    let consent = format!("/rounds/{id}/feedback/consent");
    let r = t
        .post(&mut leder, &consent, &[("case", key), ("consent", "given")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut raadgiver = t.login("raadgiver").await;
    let r = t
        .post(
            &mut raadgiver,
            &consent,
            &[("case", "DUBU/N-000"), ("consent", "given")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(t.store().consents(id).await.expect("c").is_empty());

    // The caseworker sees their cases and agrees for one.
    let page = t
        .get(&mut raadgiver, &format!("/rounds/{id}/feedback"))
        .await;
    let cases = page.select("table.consents tbody th");
    assert_eq!(cases, ["DUBU/N-100", "DUBU/N-101"]);
    let r = t
        .post(
            &mut raadgiver,
            &consent,
            &[("case", key), ("consent", "given")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let ev = t.audit_events().await;
    let given = ev
        .iter()
        .find(|e| e.action == "consent.given")
        .expect("consent logged");
    assert_eq!(given.actor_username.as_deref(), Some("raadgiver"));
    assert_eq!(given.details.get("case").map(String::as_str), Some(key));

    // Now the example is accepted and shown; not twice, and not at an information meeting.
    let r = t
        .post(
            &mut leder,
            &examples(results),
            &[("case", key), ("note", "Godt eksempel på børnesamtalen")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut leder, &path).await;
    assert_eq!(
        page.select("ul.examples li"),
        ["DUBU/N-100: Godt eksempel på børnesamtalen"]
    );
    let page = t
        .post(&mut leder, &examples(results), &[("case", key)])
        .await;
    assert_eq!(
        summary(&page),
        ["Sagen er allerede brugt som eksempel på dette møde."]
    );
    let page = t.post(&mut leder, &examples(info), &[("case", key)]).await;
    assert_eq!(
        summary(&page),
        ["Sager kan kun bruges som eksempler på et resultatmøde."]
    );
    assert_eq!(count(&t, "meeting.example_added").await, 1);
    // The API gives the same meetings, by the same rule, to who runs the round only.
    let api = format!("/api/v1/rounds/{id}/meetings");
    let token = t.token("leder").await;
    let examples_in_api = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("meetings")
            .iter()
            .flat_map(|m| m["examples"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| e["case_key"].as_str().map(str::to_owned))
            .collect()
    };
    let r = t.api("GET", &api, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()[1]["kind"], "results");
    assert_eq!(examples_in_api(r.json()), [key]);
    let viewer = t.token("udvalg").await;
    let r = t.api("GET", &api, Some(&viewer), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Withdrawn: the case is no longer shown as an example; the owners are told one went.
    let r = t
        .post(
            &mut raadgiver,
            &consent,
            &[("case", key), ("consent", "withdrawn")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut leder, &path).await;
    assert!(page.select("ul.examples li").is_empty(), "{}", page.body);
    assert!(!page.body.contains("Godt eksempel på børnesamtalen"));
    assert!(page.body.contains("1 eksempel vises ikke længere"));
    assert_eq!(count(&t, "consent.withdrawn").await, 1);
    let r = t.api("GET", &api, Some(&token), None).await;
    assert!(examples_in_api(r.json()).is_empty(), "{}", r.body);
    // And it cannot be added again while consent is withdrawn.
    let page = t
        .post(&mut leder, &examples(results), &[("case", "DUBU/N-101")])
        .await;
    assert_eq!(
        summary(&page),
        ["Sagen kan ikke bruges som eksempel: rådgiveren har ikke givet samtykke."]
    );
}
