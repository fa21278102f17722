//! Pages as a person uses them: forms that keep what was typed and say what is wrong, the
//! language switch, the audit log's filters, health checks.

mod common;

use axum::http::StatusCode;
use common::{Browser, TestApp};

#[tokio::test]
async fn a_failed_form_keeps_the_input_and_links_each_error_to_its_field() {
    let t = TestApp::new().await;
    let mut admin = t.login("admin").await;
    let r = t
        .post(
            &mut admin,
            "/admin/users",
            &[
                ("username", "Ugyldigt Navn"),
                ("full_name", "Maja Friis"),
                ("password", "kort"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let links: Vec<String> = {
        let sel = scraper::Selector::parse(".error-summary a").expect("sel");
        r.html()
            .select(&sel)
            .filter_map(|a| a.value().attr("href").map(str::to_owned))
            .collect()
    };
    assert_eq!(links, vec!["#username", "#password"]);
    assert!(
        r.body.contains(r#"value="Maja Friis""#),
        "typed values are kept"
    );
    assert_eq!(r.select("#username-error").len(), 1);
    assert!(r.body.contains(r#"aria-describedby="username-error""#));
    assert!(t.store().find_user("maja").await.is_err());
}

#[tokio::test]
async fn admin_creates_a_unit_a_user_and_grants_a_role() {
    let t = TestApp::new().await;
    let mut admin = t.login("admin").await;
    let parent = t.unit_id("Myndighed Børn og Unge").await;
    let r = t
        .post(
            &mut admin,
            "/admin/units",
            &[
                ("parent_id", &parent),
                ("kind", "team"),
                ("name", "Team Øst"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/admin/units?ok=units-created");
    let page = t.get(&mut admin, "/admin/units?ok=units-created").await;
    assert_eq!(
        page.select(".notice p"),
        vec!["Enheden er oprettet.".to_owned()]
    );
    assert!(page.select("tbody th").contains(&"Team Øst".to_owned()));

    let r = t
        .post(
            &mut admin,
            "/admin/users",
            &[
                ("username", "maja"),
                ("full_name", "Maja Friis"),
                ("password", "en lang adgangsfrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let user_page = r.location().split('?').next().expect("path").to_owned();
    let team = t.unit_id("Team Øst").await;
    let r = t
        .post(
            &mut admin,
            &format!("{user_page}/grants"),
            &[("role", "caseworker"), ("unit_id", &team)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = t.get(&mut admin, &user_page).await;
    assert_eq!(
        page.select("table.data tbody th"),
        vec!["Rådgiver".to_owned()]
    );
    // granting the same again is a form error, not a crash
    let r = t
        .post(
            &mut admin,
            &format!("{user_page}/grants"),
            &[("role", "caseworker"), ("unit_id", &team)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.select(".error-summary li")[0].contains("har allerede den rolle"));

    // the new person can sign in and sees their role
    let mut maja = Browser::default();
    let r = t
        .post(
            &mut maja,
            "/login",
            &[("username", "maja"), ("password", "en lang adgangsfrase")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let home = t.get(&mut maja, "/").await;
    assert!(
        home.select("ul.roles li")
            .iter()
            .any(|l| l.contains("Rådgiver") && l.contains("Team Øst"))
    );
    assert!(
        home.select("nav a").iter().all(|l| l != "Brugere"),
        "no admin links for a caseworker"
    );

    let log = t.get(&mut admin, "/admin/audit?action=grant.created").await;
    let newest = &log.select("table.audit tbody tr")[0];
    assert!(
        newest.contains("username=maja") && newest.contains("unit=Team Øst"),
        "{newest}"
    );
    assert!(
        !newest.contains("unit_id="),
        "ids are left to the export: {newest}"
    );
    let actions = t.audit_actions().await;
    for a in ["unit.created", "user.created", "grant.created"] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
}

#[tokio::test]
async fn pages_are_danish_by_default_and_english_on_request() {
    let t = TestApp::new().await;
    let mut b = t.login("leder").await;
    let r = t.get(&mut b, "/").await;
    assert!(r.body.contains(r#"<html lang="da">"#));
    assert_eq!(r.select("h1"), vec!["Mine opgaver".to_owned()]);
    assert_eq!(r.select(".skip-link"), vec!["Gå til indhold".to_owned()]);
    let r = t
        .post(&mut b, "/language", &[("lang", "en"), ("back", "/")])
        .await;
    assert_eq!(r.location(), "/");
    let r = t.get(&mut b, "/").await;
    assert!(r.body.contains(r#"<html lang="en">"#));
    assert_eq!(r.select("h1"), vec!["My tasks".to_owned()]);
    let mut fresh = Browser {
        headers: vec![("accept-language".into(), "en-US,en;q=0.8".into())],
        ..Browser::default()
    };
    assert_eq!(
        t.get(&mut fresh, "/login").await.select("h1"),
        vec!["Sign in".to_owned()]
    );
}

#[tokio::test]
async fn the_audit_log_page_filters_and_validates() {
    let t = TestApp::new().await;
    let mut stranger = Browser::default();
    t.post(
        &mut stranger,
        "/login",
        &[("username", "leder"), ("password", "forkert")],
    )
    .await;
    let mut admin = t.login("admin").await;
    let r = t.get(&mut admin, "/admin/audit?action=login.failed").await;
    assert_eq!(r.status, StatusCode::OK);
    let rows = r.select("table.audit tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("Mislykket login") && rows[0].contains("username=leder"));
    let r = t.get(&mut admin, "/admin/audit?since=31.12.2026").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.select(".error-summary li"),
        vec!["Skriv datoen som åååå-mm-dd, fx 2026-01-31.".to_owned()]
    );
    let r = t
        .get(&mut admin, "/admin/audit?actor=admin&outcome=success")
        .await;
    assert!(
        r.select("table.audit tbody tr")
            .iter()
            .all(|row| row.contains("admin"))
    );
    // the log cannot be changed through the application: no route writes to it
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let req = axum::http::Request::builder()
            .method(method)
            .uri("/admin/audit")
            .header("cookie", admin.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!(
                "csrf_token={}",
                admin.csrf()
            )))
            .expect("req");
        let r = t.send(req).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
}

#[tokio::test]
async fn health_checks_report_the_process_and_the_database() {
    let t = TestApp::new().await;
    let mut b = Browser::default();
    assert_eq!(t.get(&mut b, "/healthz").await.status, StatusCode::OK);
    assert_eq!(t.get(&mut b, "/readyz").await.status, StatusCode::OK);
    t.store().close().await;
    assert_eq!(
        t.get(&mut b, "/healthz").await.status,
        StatusCode::OK,
        "the process is still up"
    );
    assert_eq!(
        t.get(&mut b, "/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let r = t.get(&mut b, "/").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "anonymous: no database needed to redirect"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_security_headers() {
    let t = TestApp::new().await;
    let mut b = Browser::default();
    let r = t.get(&mut b, "/login").await;
    assert!(r.headers.get("x-request-id").is_some());
    assert!(r.headers.get("content-security-policy").is_some());
    assert_eq!(
        r.headers
            .get("x-frame-options")
            .and_then(|v| v.to_str().ok()),
        Some("DENY")
    );
    let mut b = t.login("udvalg").await;
    let r = t.get(&mut b, "/admin/users").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let id = r
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("id")
        .to_owned();
    assert!(
        r.body.contains(&id),
        "the error page shows the request id to quote to IT"
    );
    assert_eq!(r.select("h1"), vec!["Ingen adgang".to_owned()]);
    let denied = t.audit_actions().await;
    assert!(denied.contains(&"access.denied".to_owned()));
}
