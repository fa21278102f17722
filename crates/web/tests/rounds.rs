//! Rounds through the pages: plan → sample → assign → review → submit → level 2 →
//! reconciliation, with blinding per role, versioned saves (a stale save is a conflict, never a
//! silent overwrite), submit checks, escalation and the caseworker's reply.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Browser, TestApp};
use std::collections::BTreeMap;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::CaseRecord;
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
        underretning_received: NaiveDate::from_ymd_opt(2024, 10, 31),
        // 31 October + 4 months = 28 February 2025: finished on the 28th is in time.
        bfu_end: NaiveDate::from_ymd_opt(2025, 2, 28),
        ..Default::default()
    }
}

struct Round {
    id: String,
    /// Review ids by (case key, level).
    reviews: BTreeMap<(String, u8), Uuid>,
}

/// Six cases in the demo leader's teams (one the demo caseworker's), a sample of 6 → 3, a
/// broad round on the standard template, level 1 assigned to the leaders/coordinators, level 2
/// to the lawyer, reviewing started.
async fn running_round(t: &TestApp) -> Round {
    let mut cases: Vec<CaseRecord> = (0..5)
        .map(|i| {
            case(
                &format!("N-{i:03}"),
                if i % 2 == 0 { "Team Nord" } else { "Team Syd" },
                "AB",
            )
        })
        .collect();
    cases.push(case("N-100", "Team Nord", "RAADGIVER"));
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

    let mut b = t.login("leder").await;
    let r = t
        .post(
            &mut b,
            "/samples",
            &[
                ("size", "6"),
                ("level2", "6"),
                ("seed", "7"),
                ("reference_date", "2026-11-01"),
                ("strata", "unit"),
                ("allocation", "proportional"),
                ("kind", "broad"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sample = r
        .location()
        .trim_start_matches("/samples/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
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
                ("size1", "6"),
                ("size2", "6"),
                ("reference_date", "2026-11-01"),
                ("look_back_months", "12"),
                ("start_point", "Seneste underretning"),
                ("counting", "agreed"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r
        .location()
        .trim_start_matches("/rounds/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let r = t
        .post(
            &mut b,
            &format!("/rounds/{id}/sample"),
            &[("sample", &sample)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for level in ["1", "2"] {
        let r = t
            .post(&mut b, &format!("/rounds/{id}/assign"), &[("level", level)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "level {level}: {}", r.body);
    }
    let r = t
        .post(
            &mut b,
            &format!("/rounds/{id}/state"),
            &[("to", "reviewing")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reviews = s
        .round_reviews(Uuid::parse_str(&id).expect("uuid"))
        .await
        .expect("reviews")
        .into_iter()
        .map(|r| ((r.case_key, r.level), r.id))
        .collect();
    Round { id, reviews }
}

/// Every applicable question of a review form, with its choices as the page offers them.
fn questions(body: &str) -> Vec<(String, Vec<String>)> {
    let html = scraper::Html::parse_document(body);
    let item = scraper::Selector::parse("div.review-item[data-item]").expect("sel");
    let radio = scraper::Selector::parse("input[type=radio]").expect("sel");
    html.select(&item)
        .map(|el| {
            let key = el.value().attr("data-item").unwrap_or("").to_owned();
            let choices = el
                .select(&radio)
                .filter_map(|r| r.value().attr("value").map(str::to_owned))
                .collect();
            (key, choices)
        })
        .collect()
}

/// A full answer set: `pick` chooses the answer per item; every item gets a remark.
fn answers(body: &str, pick: impl Fn(&str, &[String]) -> String) -> Vec<(String, String)> {
    let mut form = vec![];
    for (key, choices) in questions(body) {
        form.push((format!("v.{key}"), "0".to_owned()));
        form.push((format!("a.{key}"), pick(&key, &choices)));
        form.push((format!("r.{key}"), "Set i journalen".to_owned()));
    }
    form
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// Answers a whole review through the plain form (saving until answers stop bringing in new
/// questions, as a reviewer without script would) and submits it.
async fn answer_and_submit(
    t: &TestApp,
    b: &mut Browser,
    review: Uuid,
    pick: impl Fn(&str, &[String]) -> String,
) {
    let mut seen = 0;
    for round in 0..4 {
        let page = t.get(b, &format!("/reviews/{review}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let shown = questions(&page.body).len();
        let mut form = answers(&page.body, &pick);
        // Versions as the page has them (pre-filled and saved items are past 0).
        let html = page.html();
        let ver = scraper::Selector::parse("input[name^='v.']").expect("sel");
        let versions: BTreeMap<String, String> = html
            .select(&ver)
            .map(|e| {
                (
                    e.value().attr("name").unwrap_or("").to_owned(),
                    e.value().attr("value").unwrap_or("").to_owned(),
                )
            })
            .collect();
        for (k, v) in form.iter_mut() {
            if let Some(stored) = versions.get(k) {
                *v = stored.clone();
            }
        }
        let last = shown == seen;
        seen = shown;
        form.push(("then".into(), if last { "submit" } else { "save" }.into()));
        let r = t
            .post(b, &format!("/reviews/{review}"), &pairs(&form))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "round {round}: {}", r.body);
        if last {
            assert!(r.location().starts_with("/reviews?ok=review-submitted"));
            return;
        }
    }
    panic!("the questions never settled");
}

#[tokio::test]
async fn a_two_level_round_runs_from_plan_to_reconciliation_with_blinding() {
    let t = TestApp::with_templates().await;
    let round = running_round(&t).await;
    let key = "DUBU/N-100".to_owned();
    let l1 = round.reviews[&(key.clone(), 1)];
    let l2 = round.reviews[&(key.clone(), 2)];

    // The leader's task list has the level-1 reviews; the lawyer's the level-2 ones.
    let leder = t.login("leder").await;
    let koord = t.login("koordinator").await;
    let mut jurist = t.login("jurist").await;
    let mut raadgiver = t.login("raadgiver").await;
    let tasks = t.get(&mut jurist, "/reviews").await;
    assert_eq!(tasks.status, StatusCode::OK);
    assert_eq!(
        tasks.select("table.tasks tbody tr").len(),
        6,
        "{}",
        tasks.body
    );

    // Level 1 goes to whichever leader or coordinator has fewer; find who has this one.
    let review = t.store().review(l1).await.expect("review");
    let leder_id = t.user_id("leder").await;
    let (mut reviewer, mut other) = if review.reviewer.map(|u| u.0.to_string()) == Some(leder_id) {
        (leder, koord)
    } else {
        (koord, leder)
    };
    // The case's caseworker takes part at level 1 (the reference model).
    let raadgiver_id = Uuid::parse_str(&t.user_id("raadgiver").await).expect("uuid");
    assert!(review.participants.iter().any(|u| u.0 == raadgiver_id));

    // The date rule pre-filled the BFU deadline as met ("ja"), marked as such; the question
    // shows once the BFU is answered as done.
    let stored = t.store().answers(l1).await.expect("answers");
    assert_eq!(stored["BL.BFU.FRIST_4M"].entry.value, "ja");
    assert_eq!(
        stored["BL.BFU.FRIST_4M"].entry.prefill.as_deref(),
        Some("ja")
    );
    let page = t.get(&mut reviewer, &format!("/reviews/{l1}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.select("#item-BL\\.BFU\\.FRIST_4M input").is_empty(),
        "hidden until a BFU is done"
    );
    let r = t
        .post(
            &mut reviewer,
            &format!("/reviews/{l1}/autosave"),
            &[
                ("v.BL.BFU.GENNEMFOERT", "0"),
                ("a.BL.BFU.GENNEMFOERT", "ja"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = t.get(&mut reviewer, &format!("/reviews/{l1}")).await;
    let checked = page.select("#item-BL\\.BFU\\.FRIST_4M input[type=radio][checked]");
    assert_eq!(checked.len(), 1, "{}", page.body);
    assert!(page.body.contains("28-02-2025"), "the due date is shown");
    let review = t.store().review(l1).await.expect("review");

    // Submitting an empty review is refused, naming the missing items.
    let r = t
        .post(
            &mut reviewer,
            &format!("/reviews/{l1}/submit"),
            &[("version", &review.version.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!r.select(".error-summary a[href^='#item-']").is_empty());

    // Level 1 answers "ja" everywhere (first choice) and submits.
    answer_and_submit(&t, &mut reviewer, l1, |_, c| c[0].clone()).await;
    // Read-only afterwards, and a save is refused.
    let page = t.get(&mut reviewer, &format!("/reviews/{l1}")).await;
    assert!(!page.select("fieldset.answer[disabled]").is_empty());
    let r = t
        .post(
            &mut reviewer,
            &format!("/reviews/{l1}/autosave"),
            &[("v.BL.DOK.NOTATPLIGT", "1"), ("a.BL.DOK.NOTATPLIGT", "nej")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Level 2 is not done: the lawyer cannot see level 1's answers, nor can the other leader,
    // nor the caseworker for level 2; the lawyer's own page shows the form.
    for (who, review) in [(&mut jurist, l1), (&mut other, l1), (&mut raadgiver, l2)] {
        let page = t.get(who, &format!("/reviews/{review}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.select("p.blinded").is_empty(), "{}", page.body);
        assert!(page.select("input[type=radio][checked]").is_empty());
    }
    let case_page = t
        .get(
            &mut leder_or(&t).await,
            &format!("/rounds/{}/case?key=DUBU%2FN-100", round.id),
        )
        .await;
    assert!(
        !case_page.select("p.blinded").is_empty(),
        "{}",
        case_page.body
    );
    // The viewer and the administrator read no review at all.
    for user in ["udvalg", "admin"] {
        let mut b = t.login(user).await;
        let r = t.get(&mut b, &format!("/reviews/{l1}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }

    // Level 2 answers "nej" on the documentation question, "ja" elsewhere.
    answer_and_submit(&t, &mut jurist, l2, |k, c| {
        if k == "BL.DOK.NOTATPLIGT" {
            "nej".into()
        } else {
            c[0].clone()
        }
    })
    .await;

    // Now both levels see each other, and the round's runner sees the difference.
    let page = t.get(&mut jurist, &format!("/reviews/{l1}")).await;
    assert!(page.select("p.blinded").is_empty());
    assert!(!page.select("input[type=radio][checked]").is_empty());
    let mut runner = t.login("leder").await;
    let case_page = t
        .get(
            &mut runner,
            &format!("/rounds/{}/case?key=DUBU%2FN-100", round.id),
        )
        .await;
    assert_eq!(case_page.status, StatusCode::OK);
    let rows = case_page.select("table.reconcile tbody tr th");
    assert_eq!(rows.len(), 1, "{}", case_page.body);
    assert!(!case_page.select("#diff-BL\\.DOK\\.NOTATPLIGT").is_empty());

    // The lawyer may not decide; the runner records the agreed answer with a note.
    let agreed = [
        ("key", key.as_str()),
        ("item", "BL.DOK.NOTATPLIGT"),
        ("value.BL.DOK.NOTATPLIGT", "nej"),
        ("note.BL.DOK.NOTATPLIGT", "Telefonnotat mangler"),
    ];
    let r = t
        .post(
            &mut jurist,
            &format!("/rounds/{}/agreed", round.id),
            &agreed,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "lawyers do not run rounds");
    let r = t
        .post(
            &mut runner,
            &format!("/rounds/{}/agreed", round.id),
            &agreed[..3],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a note is needed"
    );
    let r = t
        .post(
            &mut runner,
            &format!("/rounds/{}/agreed", round.id),
            &agreed,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rid = Uuid::parse_str(&round.id).expect("uuid");
    let stored = t.store().agreed_answers(rid, &key).await.expect("agreed");
    assert_eq!(stored["BL.DOK.NOTATPLIGT"].value, "nej");
    // The levels' own answers stay as given.
    let a1 = t.store().answers(l1).await.expect("answers");
    assert_eq!(a1["BL.DOK.NOTATPLIGT"].entry.value, "ja");

    // The caseworker reads the review of their own case and replies before the round closes.
    let r = t
        .get(
            &mut raadgiver,
            &format!("/rounds/{}/case?key=DUBU%2FN-100", round.id),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .post(
            &mut raadgiver,
            &format!("/rounds/{}/replies", round.id),
            &[
                ("key", &key),
                ("text", "Notatet ligger i den fysiske mappe."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        t.store().replies(rid, &key).await.expect("replies").len(),
        1
    );
    // Someone else's caseworker may not reply (and does not learn the case exists).
    let r = t
        .post(
            &mut jurist,
            &format!("/rounds/{}/replies", round.id),
            &[("key", &key), ("text", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Every read of a review is in the audit log.
    let actions = t.audit_actions().await;
    assert!(actions.iter().filter(|a| *a == "review.viewed").count() >= 6);
    assert!(actions.contains(&"review.submitted".to_owned()));
    assert!(actions.contains(&"answer.reconciled".to_owned()));
}

async fn leder_or(t: &TestApp) -> Browser {
    t.login("leder").await
}

#[tokio::test]
async fn two_saves_from_the_same_version_conflict_instead_of_overwriting() {
    let t = TestApp::with_templates().await;
    let round = running_round(&t).await;
    let (_, review) = round
        .reviews
        .iter()
        .find(|((_, l), _)| *l == 2)
        .expect("a level-2 review");
    let review = *review;
    let mut tab1 = t.login("jurist").await;
    let mut tab2 = t.login("jurist").await;
    let item = "BL.DOK.NOTATPLIGT";
    let save = |value: &'static str, version: &'static str| {
        vec![
            (format!("v.{item}"), version.to_owned()),
            (format!("a.{item}"), value.to_owned()),
            (format!("r.{item}"), String::new()),
        ]
    };
    let r = t
        .post(
            &mut tab1,
            &format!("/reviews/{review}/autosave"),
            &pairs(&save("ja", "0")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["saved"][item], 1);
    // The second tab still thinks there is no answer.
    let r = t
        .post(
            &mut tab2,
            &format!("/reviews/{review}/autosave"),
            &pairs(&save("nej", "0")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let body = r.json();
    assert_eq!(body["conflicts"][0]["item"], item);
    assert_eq!(body["conflicts"][0]["value"], "ja");
    assert_eq!(body["conflicts"][0]["version"], 1);
    let stored = t.store().answers(review).await.expect("answers");
    assert_eq!(stored[item].entry.value, "ja", "the first save stands");
    // Saving again on top of the version the conflict named is the merge: it wins knowingly.
    let r = t
        .post(
            &mut tab2,
            &format!("/reviews/{review}/autosave"),
            &pairs(&save("nej", "1")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stored = t.store().answers(review).await.expect("answers");
    assert_eq!(stored[item].entry.value, "nej");
    assert_eq!(stored[item].version, 2);

    // The plain form shows the conflict on the page (409) with the other answer.
    let r = t
        .post(
            &mut tab1,
            &format!("/reviews/{review}"),
            &pairs(&save("ja", "1")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.select("#item-BL\\.DOK\\.NOTATPLIGT .conflict").len(), 1);

    // A value that is not on the scale is refused whole.
    let r = t
        .post(
            &mut tab1,
            &format!("/reviews/{review}/autosave"),
            &[
                ("v.BL.DOK.NOTATPLIGT", "2"),
                ("a.BL.DOK.NOTATPLIGT", "måske"),
                ("v.BL.AFG.BEGRUNDELSE", "0"),
                ("a.BL.AFG.BEGRUNDELSE", "ja"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stored = t.store().answers(review).await.expect("answers");
    assert!(!stored.contains_key("BL.AFG.BEGRUNDELSE"), "nothing saved");
}

#[tokio::test]
async fn a_section_marked_not_relevant_hides_its_questions_and_an_escalation_reaches_the_leader() {
    let t = TestApp::with_templates().await;
    let round = running_round(&t).await;
    let review = round.reviews[&("DUBU/N-100".to_owned(), 2)];
    let mut b = t.login("jurist").await;
    let before = t.store().review(review).await.expect("review").progress;
    let r = t
        .post(
            &mut b,
            &format!("/reviews/{review}/sections"),
            &[("section", "ANBRINGELSE"), ("mark.ANBRINGELSE", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is needed"
    );
    let r = t
        .post(
            &mut b,
            &format!("/reviews/{review}/sections"),
            &[
                ("section", "DOKUMENTATION"),
                ("mark.DOKUMENTATION", "Ikke en del af dette tilsyn"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = t.store().review(review).await.expect("review").progress;
    // DOKUMENTATION has two questions, both without rules.
    assert_eq!(after.applicable + 2, before.applicable);
    let page = t.get(&mut b, &format!("/reviews/{review}")).await;
    assert!(page.select("#item-BL\\.DOK\\.NOTATPLIGT input").is_empty());
    assert!(page.body.contains("Ikke en del af dette tilsyn"));

    let r = t
        .post(
            &mut b,
            &format!("/reviews/{review}/escalate"),
            &[
                ("reason", "Underretning fra skolen er ikke vurderet"),
                ("due", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The leader over Team Nord owns it and sees it in their tasks.
    let mut leder = t.login("leder").await;
    let tasks = t.get(&mut leder, "/reviews").await;
    assert!(
        tasks
            .body
            .contains("Underretning fra skolen er ikke vurderet"),
        "{}",
        tasks.body
    );
    let list = t
        .store()
        .escalations(Some(Uuid::parse_str(&round.id).expect("uuid")), None)
        .await
        .expect("escalations");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].owner_name.as_deref(), Some("Lise Holm"));
}

#[tokio::test]
async fn round_pages_answer_by_role() {
    let t = TestApp::with_templates().await;
    let round = running_round(&t).await;
    let review = round.reviews.values().next().copied().expect("a review");
    let pages = [
        "/rounds".to_owned(),
        "/rounds/new".to_owned(),
        format!("/rounds/{}", round.id),
        "/reviews".to_owned(),
        format!("/reviews/{review}"),
    ];
    // Who may open each page: planners (leder, koordinator) all; reviewers only their tasks.
    for (user, allowed) in [
        ("leder", [true, true, true, true, true]),
        ("koordinator", [true, true, true, true, true]),
        ("jurist", [false, false, false, true, true]),
        ("udvalg", [false, false, false, false, false]),
        ("admin", [false, false, false, false, false]),
        ("panel", [false, false, false, false, false]),
    ] {
        let mut b = t.login(user).await;
        for (path, ok) in pages.iter().zip(allowed) {
            let r = t.get(&mut b, path).await;
            if ok {
                assert_eq!(r.status, StatusCode::OK, "{user} {path}");
            } else {
                assert!(
                    [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&r.status),
                    "{user} {path}: {}",
                    r.status
                );
            }
        }
    }
    // A caseworker sees the review of their own case only (and not the round).
    let mut rg = t.login("raadgiver").await;
    let own = round.reviews[&("DUBU/N-100".to_owned(), 1)];
    let other = round.reviews[&("DUBU/N-000".to_owned(), 1)];
    assert_eq!(
        t.get(&mut rg, &format!("/reviews/{own}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.get(&mut rg, &format!("/reviews/{other}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&mut rg, &format!("/rounds/{}", round.id))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Nobody signed in is sent to sign in.
    let mut anon = Browser::default();
    for path in &pages {
        assert_eq!(
            t.get(&mut anon, path).await.status,
            StatusCode::SEE_OTHER,
            "{path}"
        );
    }
}

/// Results once every review is in: who reads what (round owners every audience, the
/// committee's viewer and the lawyer the committee's figures only, a caseworker their own
/// feedback only), small cells hidden for the committee, reports stored as snapshots and
/// fetched again by those allowed, every read logged.
#[tokio::test]
async fn results_reports_and_feedback_answer_by_role() {
    let t = TestApp::with_templates().await;
    let round = running_round(&t).await;
    let users = t.store().list_users().await.expect("users");
    let mut browsers: BTreeMap<String, Browser> = BTreeMap::new();
    for review in round.reviews.values() {
        let r = t.store().review(*review).await.expect("review");
        let who = users
            .iter()
            .find(|u| Some(u.id) == r.reviewer)
            .map(|u| u.username.clone())
            .expect("assigned");
        if !browsers.contains_key(&who) {
            browsers.insert(who.clone(), t.login(&who).await);
        }
    }
    // Level 1 first (level 2 is blind until then), "ja" everywhere but "nej" on the first
    // question at level 2, so the levels disagree there.
    for level in [1u8, 2] {
        for ((_, l), review) in &round.reviews {
            if *l != level {
                continue;
            }
            let r = t.store().review(*review).await.expect("review");
            let who = users
                .iter()
                .find(|u| Some(u.id) == r.reviewer)
                .map(|u| u.username.clone())
                .expect("assigned");
            let b = browsers.get_mut(&who).expect("browser");
            answer_and_submit(&t, b, *review, |item, c| {
                if level == 2 && item == "BL.UND.VURDERING_24T" && c.len() > 1 {
                    c[1].clone()
                } else {
                    c[0].clone()
                }
            })
            .await;
        }
    }
    let results = format!("/rounds/{}/results", round.id);
    // The round's owners: the analysts' view by default (every figure, no suppression).
    let mut leder = t.login("leder").await;
    let page = t.get(&mut leder, &results).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("6 af 6 sager"), "{}", page.body);
    assert!(page.body.contains("Ingen diskretionering"));
    assert!(!page.select("figure.chart svg[role=img]").is_empty());
    // Six cases: every figure for the committee is below the threshold and hidden.
    let page = t
        .get(&mut leder, &format!("{results}?audience=committee"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Skjult af hensyn til fortroligheden"));

    // The committee's viewer and the lawyer: the committee's figures, nothing else.
    for user in ["udvalg", "jurist"] {
        let mut b = t.login(user).await;
        let page = t.get(&mut b, &results).await;
        assert_eq!(page.status, StatusCode::OK, "{user}: {}", page.body);
        assert!(
            page.body.contains("Skjult af hensyn til fortroligheden"),
            "{user}"
        );
        for other in ["analyst", "caseworker:raadgiver"] {
            let r = t.get(&mut b, &format!("{results}?audience={other}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{user} {other}");
        }
        assert_eq!(
            t.get(
                &mut b,
                &format!("/rounds/{}/feedback?caseworker=AB", round.id)
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "{user}"
        );
    }
    // No results role at all.
    for user in ["raadgiver", "admin", "panel"] {
        let mut b = t.login(user).await;
        assert_eq!(
            t.get(&mut b, &results).await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }

    // The caseworker's own feedback: their case, both levels, nobody else's.
    let mut rg = t.login("raadgiver").await;
    let fb = t
        .get(&mut rg, &format!("/rounds/{}/feedback", round.id))
        .await;
    assert_eq!(fb.status, StatusCode::OK, "{}", fb.body);
    assert!(
        fb.body.contains("N-100") && !fb.body.contains("N-000"),
        "{}",
        fb.body
    );
    assert!(fb.body.contains("Niveau 2"));
    let other = t
        .get(
            &mut rg,
            &format!("/rounds/{}/feedback?caseworker=AB", round.id),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // The owners read any caseworker's.
    let fb = t
        .get(
            &mut leder,
            &format!("/rounds/{}/feedback?caseworker=AB", round.id),
        )
        .await;
    assert_eq!(fb.status, StatusCode::OK);
    assert!(fb.body.contains("N-000") && !fb.body.contains("N-100"));

    // A committee report made by the viewer: JSON key figures, every figure hidden (n < 5),
    // stored as a snapshot and fetched again; the analysts' snapshot is not theirs to fetch.
    let mut udvalg = t.login("udvalg").await;
    let r = t
        .post(
            &mut udvalg,
            &format!("/rounds/{}/reports", round.id),
            &[("audience", "committee"), ("format", "json")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let figures = v["figures"].as_array().expect("figures");
    assert!(figures.len() > 40);
    for f in figures {
        let n = f["n"].as_u64().unwrap_or(0);
        assert!(n == 0 || n >= 5, "{f}");
    }
    let r = t
        .post(
            &mut leder,
            &format!("/rounds/{}/reports", round.id),
            &[("audience", "analyst"), ("format", "csv")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("BL.UND.VURDERING_24T"));
    let id = Uuid::parse_str(&round.id).expect("uuid");
    let stored = t.store().round_reports(id).await.expect("reports");
    assert_eq!(stored.len(), 2);
    let (analyst, committee) = if stored[0].audience == "analyst" {
        (&stored[0], &stored[1])
    } else {
        (&stored[1], &stored[0])
    };
    let again = t
        .get(&mut udvalg, &format!("/reports/{}/json", committee.id))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&again.body).expect("json")["figures"],
        v["figures"],
        "the snapshot gives the same figures"
    );
    assert_eq!(
        t.get(&mut udvalg, &format!("/reports/{}/csv", analyst.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = t.get(&mut udvalg, &results).await;
    assert!(page.body.contains(&committee.fingerprint[..12]));
    assert!(!page.body.contains(&analyst.fingerprint[..12]));

    // The same key figures over the API, by the same rules.
    let tok = t.token("udvalg").await;
    let api = format!("/api/v1/rounds/{}/results", round.id);
    let r = t.api("GET", &api, Some(&tok), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let doc = r.json();
    assert_eq!(doc["audience"], "committee");
    assert_eq!(doc["figures"], v["figures"], "the API and the report agree");
    let r = t
        .api("GET", &format!("{api}?audience=analyst"), Some(&tok), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let tok = t.token("leder").await;
    let r = t.api("GET", &api, Some(&tok), None).await;
    assert_eq!(r.json()["audience"], "analyst");
    assert_eq!(r.json()["threshold"], serde_json::Value::Null);

    // Every read is in the audit log, with its audience.
    let events = t
        .store()
        .list_audit_events(&tilsyn_domain::audit::AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("audit");
    let viewed: Vec<_> = events
        .iter()
        .filter(|e| e.action == "results.viewed")
        .collect();
    assert!(viewed.len() >= 8, "{}", viewed.len());
    assert!(
        events
            .iter()
            .filter(|e| e.action == "report.created")
            .count()
            == 2
    );

    // Results are computed once and kept while the answers stay the same; a change is seen
    // at once: a reopened review takes its case out of the count.
    let page = t.get(&mut leder, &results).await;
    assert!(page.body.contains("6 af 6 sager"), "{}", page.body);
    // Replacing an agreed answer changes the data stamp every time (a counter, not a clock).
    let round_id: Uuid = round.id.parse().expect("round id");
    let (case_key, _) = round.reviews.keys().next().expect("a case").clone();
    let mut stamps = vec![t.store().round_data_stamp(round_id).await.expect("stamp")];
    for value in ["nej", "ja", "ja"] {
        t.store()
            .record_agreed(
                &Actor::default(),
                "Lise Holm",
                round_id,
                &case_key,
                "BL.UND.VURDERING_24T",
                value,
                "Afstemt",
            )
            .await
            .expect("agreed");
        stamps.push(t.store().round_data_stamp(round_id).await.expect("stamp"));
    }
    let distinct: std::collections::BTreeSet<&String> = stamps.iter().collect();
    assert_eq!(distinct.len(), 4, "{stamps:?}");
    let review = *round.reviews.values().next().expect("a review");
    t.store()
        .reopen_review(&Actor::default(), review, "Rettelse")
        .await
        .expect("reopen");
    let page = t.get(&mut leder, &results).await;
    assert!(page.body.contains("5 af 6 sager"), "{}", page.body);
}

/// Follow-up actions: created by who runs the round, refused whole with every problem and the
/// text kept; shown to the owner and the round's owner with overdue ones flagged; a status
/// change needs its reason or evidence, and a change on a stale page is refused.
#[tokio::test]
async fn actions_reach_their_owners_and_refuse_bad_input_whole() {
    use tilsyn_domain::action::{ActionLinks, ActionStatus, NewAction};
    use tilsyn_store::actions::ActionFilter;
    let t = TestApp::with_templates().await;
    let round = running_round(&t).await;
    let round_id: Uuid = round.id.parse().expect("round id");
    let users = t.store().list_users().await.expect("users");
    let id_of = |name: &str| {
        users
            .iter()
            .find(|u| u.username == name)
            .map(|u| u.id)
            .expect("user")
    };
    let path = format!("/rounds/{round_id}/actions");
    let mut leder = t.login("leder").await;
    let page = t.get(&mut leder, &path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Nyt tiltag"));
    let item = page
        .html()
        .select(&scraper::Selector::parse("#items option").expect("sel"))
        .next()
        .and_then(|o| o.value().attr("value").map(str::to_owned))
        .expect("an item to link");

    // Everything wrong at once: no text, a due date in the past, re-review without questions,
    // nobody chosen. Refused whole: nothing stored, the form shows each problem.
    let page = t
        .post(
            &mut leder,
            &path,
            &[
                ("description", "  "),
                ("due", "2020-01-01"),
                ("reaudit", "1"),
                ("recommendation", "Anbefaling 3"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for msg in [
        "Skriv en beskrivelse af tiltaget.",
        "Fristen ligger før i dag.",
        "Vælg de spørgsmål eller afsnit, der skal genmåles.",
        "Vælg en ansvarlig fra listen.",
    ] {
        assert!(page.body.contains(msg), "{msg}: {}", page.body);
    }
    assert!(page.body.contains("Anbefaling 3"), "what was typed is kept");
    let stored = t
        .store()
        .actions(ActionFilter::default())
        .await
        .expect("actions");
    assert!(stored.is_empty());

    // A good one for the coordinator, re-reviewing one question.
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let owner = id_of("koordinator").0.to_string();
    let res = t
        .post(
            &mut leder,
            &path,
            &[
                ("description", "Brug tjeklisten for børnesamtalen"),
                ("owner", &owner),
                ("due", &due),
                ("items", &item),
                ("reaudit", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let all = t
        .store()
        .actions(ActionFilter::default())
        .await
        .expect("actions");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].links.items, vec![item.clone()]);
    assert!(all[0].reaudit);

    // One for the caseworker whose due date has passed (time moved on).
    let late = t
        .store()
        .create_action(
            &Actor::default(),
            "Lise Holm",
            Some(round_id),
            id_of("raadgiver"),
            &NewAction {
                description: "Opdatér handleplanerne i Team Nord".into(),
                due: chrono::Utc::now().date_naive() - chrono::Days::new(3),
                links: ActionLinks::default(),
                reaudit: false,
            },
        )
        .await
        .expect("create");

    // The owner sees it overdue on the dashboard and on /actions; so does the round's owner.
    for user in ["raadgiver", "leder"] {
        let mut b = t.login(user).await;
        let page = t.get(&mut b, "/").await;
        assert!(
            page.body.contains("1 tiltag har overskredet fristen"),
            "{user}: {}",
            page.body
        );
        let page = t.get(&mut b, "/actions?overdue=1").await;
        let rows = page.select("table.action-list tbody tr");
        assert_eq!(rows.len(), 1, "{user}: {rows:?}");
        assert!(rows[0].contains("Opdatér handleplanerne"), "{rows:?}");
    }
    // The coordinator owns only the other one: nothing overdue.
    let mut koordinator = t.login("koordinator").await;
    let page = t.get(&mut koordinator, "/actions").await;
    assert!(page.body.contains("Brug tjeklisten"), "{}", page.body);
    // The committee's reader may not open an action.
    let mut udvalg = t.login("udvalg").await;
    let page = t.get(&mut udvalg, &format!("/actions/{late}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // Done without evidence is refused and changes nothing; with evidence it is saved.
    let mut raadgiver = t.login("raadgiver").await;
    let status = format!("/actions/{late}/status");
    let page = t
        .post(
            &mut raadgiver,
            &status,
            &[("version", "0"), ("status", "done")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Skriv hvad der viser, at tiltaget er udført.")
    );
    assert_eq!(
        t.store().action(late).await.expect("a").status,
        ActionStatus::Planned
    );
    let res = t
        .post(
            &mut raadgiver,
            &status,
            &[
                ("version", "0"),
                ("status", "done"),
                ("evidence", "Gennemgået på teammødet"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let a = t.store().action(late).await.expect("a");
    assert_eq!(
        (a.status, a.evidence.as_str()),
        (ActionStatus::Done, "Gennemgået på teammødet")
    );
    // The same form again, from the stale page: a conflict, and nothing is overwritten.
    let page = t
        .post(
            &mut raadgiver,
            &status,
            &[
                ("version", "0"),
                ("status", "dropped"),
                ("reason", "Alligevel ikke"),
            ],
        )
        .await;
    assert!(page.body.contains("ændret af en anden"), "{}", page.body);
    assert_eq!(
        t.store().action(late).await.expect("a").status,
        ActionStatus::Done
    );

    // Every change is in the audit log.
    let events = t
        .store()
        .list_audit_events(&tilsyn_domain::audit::AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("audit");
    let count = |a: &str| events.iter().filter(|e| e.action == a).count();
    assert_eq!(count("action.created"), 2);
    assert_eq!(count("action.updated"), 1);
}

/// The year wheel: a unit with one round in the year is flagged until a second is planned; its
/// milestones download as an .ics file that another calendar parser reads.
#[tokio::test]
async fn the_year_wheel_warns_below_two_rounds_and_exports_a_calendar() {
    let t = TestApp::with_templates().await;
    let version = t
        .store()
        .template("BL-OVERORDNET")
        .await
        .expect("standard template")
        .versions[0]
        .id
        .to_string();
    let mut leder = t.login("leder").await;
    let plan = |name: &'static str, reference: &'static str, start: &'static str| {
        vec![
            ("name", name),
            ("kind", "broad"),
            ("template_version", version.as_str()),
            ("size1", "30"),
            ("reference_date", reference),
            ("look_back_months", "12"),
            ("start_point", "Seneste underretning"),
            ("counting", "agreed"),
            ("m.review_start", start),
            ("m.committee_report", "2026-12-10"),
        ]
    };
    let r = t
        .post(
            &mut leder,
            "/rounds",
            &plan("Efterår", "2026-09-01", "2026-09-07"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let below = |page: &common::Res| {
        page.select("table.data tbody tr")
            .into_iter()
            .filter(|row| row.contains("Under anbefalingen"))
            .collect::<Vec<_>>()
    };
    let page = t.get(&mut leder, "/year-wheel?year=2026").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let flagged = below(&page);
    assert!(
        flagged
            .iter()
            .any(|r| r.contains("Myndighed Børn og Unge") && r.contains("Efterår")),
        "{flagged:?}"
    );
    assert!(page.body.contains("færre end de anbefalede to runder"));

    // A second round in the same year: no longer below.
    let r = t
        .post(
            &mut leder,
            "/rounds",
            &plan("Forår", "2026-03-01", "2026-03-02"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut leder, "/year-wheel?year=2026").await;
    assert!(
        !below(&page)
            .iter()
            .any(|r| r.contains("Myndighed Børn og Unge")),
        "{:?}",
        below(&page)
    );

    // The calendar file: every 2026 milestone, read by another parser.
    let res = t.get(&mut leder, "/year-wheel.ics?year=2026").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/calendar")
    );
    let mut parser = ical::IcalParser::new(res.body.as_bytes());
    let cal = parser.next().expect("a calendar").expect("parses");
    let events: Vec<(String, String)> = cal
        .events
        .iter()
        .map(|e| {
            let get = |n: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == n)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (get("DTSTART"), get("SUMMARY"))
        })
        .collect();
    for want in [
        ("20260302", "Forår: Gennemgang starter"),
        ("20260907", "Efterår: Gennemgang starter"),
        ("20261210", "Efterår: Afrapportering til udvalget"),
    ] {
        assert!(
            events.iter().any(|(d, s)| d == want.0 && s == want.1),
            "{want:?} in {events:?}"
        );
    }
    assert_eq!(events.len(), 4, "{events:?}");

    // A caseworker plans no rounds and reads no results: no year wheel.
    let mut raadgiver = t.login("raadgiver").await;
    let page = t.get(&mut raadgiver, "/year-wheel").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}
