//! Every state-changing form needs the page's CSRF token and a same-origin request; without
//! them the answer is 403 and nothing changes.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn forms_without_a_valid_token_change_nothing() {
    let t = TestApp::new().await;
    let mut admin = t.login("admin").await;
    let parent = t.unit_id("Myndighed Børn og Unge").await;
    let units_before = t.store().list_units().await.expect("units").len();
    let events_before = t.audit_actions().await.len();
    let fields = [
        ("parent_id", parent.as_str()),
        ("kind", "team"),
        ("name", "Team CSRF"),
    ];

    let r = t.post_raw(&mut admin, "/admin/units", &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no token");
    assert!(r.body.contains("Formularen er udløbet"));

    let mut wrong = fields.to_vec();
    wrong.push(("csrf_token", "0000"));
    let r = t.post_raw(&mut admin, "/admin/units", &wrong).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong token");

    let mut cross = admin.clone();
    cross
        .headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    let r = t.post(&mut cross, "/admin/units", &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "cross-site");

    let mut other_origin = admin.clone();
    other_origin
        .headers
        .push(("origin".into(), "https://evil.example".into()));
    other_origin
        .headers
        .push(("host".into(), "tilsyn.kommune.dk".into()));
    let r = t.post(&mut other_origin, "/admin/units", &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "foreign origin");

    // the logout form is protected too: a forged sign-out does not end the session
    let r = t.post_raw(&mut admin, "/logout", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.get(&mut admin, "/").await.status, StatusCode::OK);

    assert_eq!(
        t.store().list_units().await.expect("units").len(),
        units_before
    );
    assert_eq!(
        t.audit_actions().await.len(),
        events_before,
        "not even an event was written"
    );

    let mut same_origin = admin.clone();
    same_origin
        .headers
        .push(("sec-fetch-site".into(), "same-origin".into()));
    let r = t.post(&mut same_origin, "/admin/units", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        t.store().list_units().await.expect("units").len(),
        units_before + 1
    );
}

#[tokio::test]
async fn the_sign_in_form_is_protected_too() {
    let t = TestApp::new().await;
    let mut b = common::Browser::default();
    let r = t
        .post_raw(
            &mut b,
            "/login",
            &[("username", "admin"), ("password", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie("tilsyn_session").is_none());
}
