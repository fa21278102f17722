//! Learning audits through the pages and the API: set up (refused whole when wrong), panel
//! and material (type-checked uploads), nominations with reflections, the tally, minutes with
//! versioned saves, attention points, the follow-up plan, the report, and who sees what.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use tilsyn_store::actions::ActionFilter;

/// The audit log's learning-audit events, oldest first.
async fn la_events(t: &TestApp) -> Vec<String> {
    let mut v: Vec<String> = t
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a.starts_with("learning_audit."))
        .collect();
    v.reverse();
    v
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn a_learning_audit_runs_from_setup_to_report_and_only_its_panel_sees_it() {
    let t = TestApp::new().await;
    let mut lead = t.login("koordinator").await;

    // A wrong audit is refused whole: bad code, no title, a left-out indicator without reason.
    let before = la_events(&t).await.len();
    let bad = t
        .post(
            &mut lead,
            "/learning-audits",
            &[
                ("code", "19 1"),
                ("title", ""),
                ("theme", "5"),
                ("included", "8.a"),
                ("included", "8.b"),
                ("included", "8.c"),
                ("included", "9.a"),
                ("reason-9.b", "Kvantitative data"),
                ("questions", "Hvorfor er eksemplet godt?"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    let errors = bad.select(".error-summary li");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[2].contains("begrundelse"), "{errors:?}");
    // Each message names its field, so the summary reads on its own.
    assert!(errors[1].contains("Titel: Udfyld feltet"), "{errors:?}");
    // What was typed is kept.
    assert!(bad.body.contains("Kvantitative data"));
    assert!(
        t.store()
            .learning_audits(None)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(la_events(&t).await.len(), before);

    let ok = t
        .post(
            &mut lead,
            "/learning-audits",
            &[
                ("code", "19.1"),
                ("title", "Organisation og ledelse"),
                ("theme", "5"),
                ("included", "8.a"),
                ("included", "8.c"),
                ("reason-8.b", "Ikke med i denne runde"),
                ("reason-9.a", "Ikke med i denne runde"),
                ("reason-9.b", "Kvantitative data"),
                ("reason-9.c", "Kvantitative data"),
                (
                    "questions",
                    "Hvorfor er eksemplet godt?\nHvad kan blive bedre?",
                ),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/learning-audits/19.1?ok=la-audit-created");
    // The same code again is refused.
    let again = t
        .post(
            &mut lead,
            "/learning-audits",
            &[
                ("code", "19.1"),
                ("title", "Igen"),
                ("theme", "5"),
                ("included", "8.a"),
                ("reason-8.b", "x"),
                ("reason-8.c", "x"),
                ("reason-9.a", "x"),
                ("reason-9.b", "x"),
                ("reason-9.c", "x"),
                ("questions", "Q"),
            ],
        )
        .await;
    assert!(
        again.body.contains("allerede en audit med den kode"),
        "{}",
        again.body
    );

    let audit = t.store().learning_audit("19.1").await.expect("audit");
    assert_eq!(audit.included(), vec!["8.a", "8.c"]);
    let left: Vec<(&str, &str)> = audit
        .indicators
        .iter()
        .filter(|i| !i.included)
        .map(|i| (i.code.as_str(), i.reason.as_str()))
        .collect();
    assert_eq!(left.len(), 4);
    assert!(left.contains(&("9.c", "Kvantitative data")));
    assert_eq!(audit.questions.len(), 2);

    // Organisations and the panel.
    for name in ["Socialtilsyn Nord", "Socialtilsyn Syd"] {
        let r = t
            .post(
                &mut lead,
                "/learning-audits/19.1/organisations",
                &[("name", name)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let audit = t.store().learning_audit("19.1").await.expect("audit");
    let (nord, syd) = (
        audit.organisations[0].id.to_string(),
        audit.organisations[1].id.to_string(),
    );
    // A participant without an organisation and an unknown user: refused, nothing saved.
    let r = t
        .post(
            &mut lead,
            "/learning-audits/19.1/members",
            &[
                ("user", "ingen-saadan"),
                ("organisation", ""),
                ("role", "participant"),
            ],
        )
        .await;
    assert_eq!(r.select(".error-summary li").len(), 2, "{}", r.body);
    for (user, org, role) in [
        ("panel", nord.as_str(), "participant"),
        ("raadgiver", syd.as_str(), "member"),
        ("jurist", "", "referent"),
    ] {
        let r = t
            .post(
                &mut lead,
                "/learning-audits/19.1/members",
                &[("user", user), ("organisation", org), ("role", role)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{user}: {}", r.body);
    }

    // Material: a PDF, a file that only claims to be one, a reference for 8.c only.
    let pdf = t
        .post_multipart(
            &mut lead,
            "/learning-audits/19.1/materials",
            &[
                ("organisation", None, nord.as_bytes()),
                ("title", None, "Tilsynsrapport Egely".as_bytes()),
                ("kind", None, b"report"),
                ("file", Some("egely.pdf"), PDF),
            ],
        )
        .await;
    assert_eq!(pdf.status, StatusCode::SEE_OTHER, "{}", pdf.body);
    let fake = t
        .post_multipart(
            &mut lead,
            "/learning-audits/19.1/materials",
            &[
                ("organisation", None, nord.as_bytes()),
                ("title", None, "Program".as_bytes()),
                ("kind", None, b"other"),
                (
                    "file",
                    Some("rapport.pdf"),
                    b"MZ\x90\x00\x03\x00\x00\x00binary",
                ),
            ],
        )
        .await;
    assert_eq!(fake.status, StatusCode::OK);
    assert!(
        fake.body.contains("passer ikke til filnavnet"),
        "{}",
        fake.body
    );
    let board = t
        .post_multipart(
            &mut lead,
            "/learning-audits/19.1/materials",
            &[
                ("organisation", None, syd.as_bytes()),
                (
                    "title",
                    None,
                    "Tilsynsrapport Søgården (bestyrelse)".as_bytes(),
                ),
                ("kind", None, b"report"),
                ("reference", None, "Tilbudsportalen 2025".as_bytes()),
                ("only_indicator", None, b"8.c"),
            ],
        )
        .await;
    assert_eq!(board.status, StatusCode::SEE_OTHER, "{}", board.body);
    // A participant may not add material: refused before the file is read, nothing stored.
    let mut panel = t.login("panel").await;
    let r = t
        .post_multipart(
            &mut panel,
            "/learning-audits/19.1/materials",
            &[
                ("organisation", None, nord.as_bytes()),
                ("title", None, "Min egen".as_bytes()),
                ("kind", None, b"report"),
                ("file", Some("egen.pdf"), PDF),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let audit = t.store().learning_audit("19.1").await.expect("audit");
    assert_eq!(audit.materials.len(), 2);
    let egely = audit.materials[0].id;
    let soegaarden = audit.materials[1].id;
    assert_eq!(
        audit.materials[0].content_type.as_deref(),
        Some("application/pdf")
    );
    assert_eq!(audit.materials[1].only_indicator.as_deref(), Some("8.c"));

    // Preparation: the board report cannot be the example for 8.a, and every question needs
    // an answer; refused whole.
    let r = t
        .post(
            &mut panel,
            "/learning-audits/19.1/nominations",
            &[
                ("indicator", "8.a"),
                ("material", &soegaarden.to_string()),
                ("answer1", "Klar begrundelse"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let errors = r.select(".error-summary li");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        t.store()
            .audit_nominations(audit.id)
            .await
            .expect("n")
            .is_empty()
    );
    for (user, ind, material) in [
        ("panel", "8.a", egely),
        ("panel", "8.c", soegaarden),
        ("raadgiver", "8.a", egely),
        ("raadgiver", "8.c", egely),
    ] {
        let mut b = t.login(user).await;
        let r = t
            .post(
                &mut b,
                "/learning-audits/19.1/nominations",
                &[
                    ("indicator", ind),
                    ("material", &material.to_string()),
                    ("excerpt", "s. 4"),
                    ("answer1", &format!("{user} om {ind}: dokumenteret")),
                    ("answer2", "Flere datakilder"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{user} {ind}: {}", r.body);
    }
    // The referent does not nominate.
    let mut jurist = t.login("jurist").await;
    let r = t
        .get(&mut jurist, "/learning-audits/19.1/preparation")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The tally: 8.a has Egely twice; 8.c has one each.
    let meeting = t.get(&mut jurist, "/learning-audits/19.1/meeting").await;
    assert_eq!(meeting.status, StatusCode::OK);
    let tally = meeting.select("#ind-8\\.a table.tally tbody tr");
    assert_eq!(tally.len(), 1, "{tally:?}");
    assert!(
        tally[0].contains("Tilsynsrapport Egely") && tally[0].contains('2'),
        "{tally:?}"
    );
    let tally_c = meeting.select("#ind-8\\.c table.tally tbody tr");
    assert_eq!(tally_c.len(), 2, "{tally_c:?}");
    assert!(
        meeting.body.contains("panel om 8.a: dokumenteret") || meeting.body.contains("Peter Lund")
    );
    assert!(
        meeting.body.contains("2 af 2 deltagere"),
        "{}",
        meeting.body
    );

    // Minutes: saved once; a save from the same (now stale) version is refused, nothing lost.
    let save = |notes: &'static str| {
        [
            ("indicator", "8.a"),
            ("version", "0"),
            ("notes", notes),
            ("recommendation", "Beskriv altid datakilderne."),
        ]
    };
    let r = t
        .post(
            &mut jurist,
            "/learning-audits/19.1/minutes",
            &save("Fælles: flere kilder"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t
        .post(
            &mut jurist,
            "/learning-audits/19.1/minutes",
            &save("Overskriver"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("En anden har gemt noter"), "{}", r.body);
    assert!(r.body.contains("Overskriver"), "typed text is kept");
    let audit = t.store().learning_audit("19.1").await.expect("audit");
    assert_eq!(audit.indicators[0].notes, "Fælles: flere kilder");
    // A participant may not write minutes.
    let r = t
        .post(&mut panel, "/learning-audits/19.1/minutes", &save("Nej"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Attention points, an empty one refused.
    let r = t
        .post(
            &mut jurist,
            "/learning-audits/19.1/points",
            &[("indicator", "8.a"), ("heading", ""), ("point", "")],
        )
        .await;
    assert_eq!(r.select(".error-summary li").len(), 2);
    for (h, p) in [
        ("Begreber", "Fælles sprog"),
        ("Triangulering", "Sammenhold kilder"),
    ] {
        let r = t
            .post(
                &mut jurist,
                "/learning-audits/19.1/points",
                &[("indicator", "8.a"), ("heading", h), ("point", p)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }

    // The follow-up plan: an owner off the panel and a past date are refused; then saved.
    let past = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
    let udvalg_id = t.user_id("udvalg").await;
    let r = t
        .post(
            &mut lead,
            "/learning-audits/19.1/follow-up",
            &[
                ("description", "Netværksmøde"),
                ("owner", &udvalg_id),
                ("due", &past),
            ],
        )
        .await;
    assert_eq!(r.select(".error-summary li").len(), 2, "{}", r.body);
    let panel_id = t.user_id("panel").await;
    let r = t
        .post(
            &mut lead,
            "/learning-audits/19.1/follow-up",
            &[
                ("description", "Præsentation på netværksmøde"),
                ("owner", &panel_id),
                ("due", &due),
                ("indicator", "8.a"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan = t
        .store()
        .actions(ActionFilter {
            learning_audit: Some(audit.id),
            ..Default::default()
        })
        .await
        .expect("plan");
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].round_id, None);
    assert_eq!(plan[0].links.recommendation, "8.a");
    // The owner sees it among their actions, linked to the audit.
    let mine = t.get(&mut panel, "/actions").await;
    assert!(
        mine.body.contains("Præsentation på netværksmøde"),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("/learning-audits/19.1/follow-up"));

    // The report: a PDF with the audit's content.
    let pdf = t.get(&mut panel, "/learning-audits/19.1/report.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));

    // The material file comes back as uploaded, with a read logged.
    let file = t
        .get(
            &mut panel,
            &format!("/learning-audits/19.1/materials/{egely}"),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body.as_bytes(), PDF);
    assert_eq!(file.headers["x-content-type-options"], "nosniff");
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .expect("header")
            .starts_with("attachment")
    );

    // Who sees what: a panelist sees only the audits they are on; the committee none.
    let other = t
        .post(
            &mut lead,
            "/learning-audits",
            &[
                ("code", "20.2"),
                ("title", "Andet tema"),
                ("theme", "5"),
                ("included", "8.a"),
                ("reason-8.b", "x"),
                ("reason-8.c", "x"),
                ("reason-9.a", "x"),
                ("reason-9.b", "x"),
                ("reason-9.c", "x"),
                ("questions", "Q"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    let list = t.get(&mut panel, "/learning-audits").await;
    assert!(
        list.body.contains("19.1") && !list.body.contains("20.2"),
        "{}",
        list.body
    );
    assert_eq!(
        t.get(&mut panel, "/learning-audits/20.2").await.status,
        StatusCode::NOT_FOUND
    );
    let mut udvalg = t.login("udvalg").await;
    assert_eq!(
        t.get(&mut udvalg, "/learning-audits/19.1").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(
            &mut udvalg,
            &format!("/learning-audits/19.1/materials/{egely}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // The API says the same.
    let token = t.token("panel").await;
    let res = t
        .api("GET", "/api/v1/learning-audits", Some(&token), None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let codes: Vec<String> = res
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(codes, vec!["19.1"]);
    let res = t
        .api("GET", "/api/v1/learning-audits/19.1", Some(&token), None)
        .await;
    let j = res.json();
    assert_eq!(j["indicators"][0]["tally"][0]["count"], 2);
    assert_eq!(
        j["indicators"][0]["attention"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        j["follow_up"][0]["description"],
        "Præsentation på netværksmøde"
    );
    let res = t
        .api("GET", "/api/v1/learning-audits/20.2", Some(&token), None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Every change and every file read is in the audit log.
    let events = la_events(&t).await;
    let count = |a: &str| events.iter().filter(|e| *e == a).count();
    assert_eq!(count("learning_audit.created"), 2);
    assert_eq!(count("learning_audit.panel_changed"), 5);
    assert_eq!(count("learning_audit.material_added"), 2);
    assert_eq!(count("learning_audit.nominated"), 4);
    assert_eq!(count("learning_audit.minutes_saved"), 3);
    assert_eq!(count("learning_audit.material_read"), 1);
    assert_eq!(count("learning_audit.report_made"), 1);
}
