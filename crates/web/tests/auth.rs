//! Signing in and out: no user enumeration, throttling, session rotation and timeouts,
//! cookie attributes, and the audit trail of it all.

mod common;

use axum::http::StatusCode;
use common::{Browser, TestApp};
use tilsyn_web::Settings;

#[tokio::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let t = TestApp::new().await;
    let mut a = Browser::default();
    let wrong_pw = t
        .post(
            &mut a,
            "/login",
            &[("username", "leder"), ("password", "forkert")],
        )
        .await;
    let mut b = Browser::default();
    let unknown = t
        .post(
            &mut b,
            "/login",
            &[("username", "findes-ikke"), ("password", "forkert")],
        )
        .await;
    assert_eq!(wrong_pw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong_pw.status);
    let msg = wrong_pw.select(".error-summary li");
    assert_eq!(msg, unknown.select(".error-summary li"));
    assert_eq!(
        msg,
        vec!["Brugernavn eller adgangskode er forkert. Prøv igen.".to_owned()]
    );
    assert!(wrong_pw.cookie("tilsyn_session").is_none());
    // the typed username is kept, the password never echoed
    assert!(wrong_pw.body.contains("value=\"leder\""));
    assert!(!wrong_pw.body.contains("forkert\""));
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    let t = TestApp::new().await;
    let mut b = t.login("raadgiver").await;
    let mut admin = t.login("admin").await;
    let id = t.user_id("raadgiver").await;
    let r = t
        .post(
            &mut admin,
            &format!("/admin/users/{id}/status"),
            &[("disabled", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get(&mut b, "/").await.status,
        StatusCode::SEE_OTHER,
        "session ended at once"
    );
    let mut again = Browser::default();
    let r = t
        .post(
            &mut again,
            "/login",
            &[("username", "raadgiver"), ("password", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // an admin cannot disable themselves
    let me = t.user_id("admin").await;
    let r = t
        .post(
            &mut admin,
            &format!("/admin/users/{me}/status"),
            &[("disabled", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account_and_per_address() {
    let mut settings = Settings {
        trust_proxy: true,
        ..Settings::default()
    };
    settings.throttle.per_account = 3;
    settings.throttle.per_address = 5;
    let t = TestApp::with_settings(settings).await;
    let from = |ip: &str| Browser {
        headers: vec![("x-forwarded-for".into(), ip.into())],
        ..Browser::default()
    };

    let mut b = from("10.0.0.1");
    for _ in 0..3 {
        let r = t
            .post(
                &mut b,
                "/login",
                &[("username", "leder"), ("password", "forkert")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // now even the right password is refused for this account, from anywhere
    let mut elsewhere = from("10.0.0.2");
    let r = t
        .post(
            &mut elsewhere,
            "/login",
            &[("username", "leder"), ("password", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.select(".error-summary li")[0].contains("For mange mislykkede forsøg"));
    // other accounts are not affected
    let r = t
        .post(
            &mut elsewhere,
            "/login",
            &[("username", "jurist"), ("password", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // per address: many names from one address
    let mut spray = from("10.0.0.9");
    for i in 0..5 {
        let r = t
            .post(
                &mut spray,
                "/login",
                &[("username", &format!("navn{i}")), ("password", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = t
        .post(
            &mut spray,
            "/login",
            &[("username", "koordinator"), ("password", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let actions = t.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "login.failed").count(), 8);
    assert_eq!(
        actions.iter().filter(|a| *a == "login.throttled").count(),
        2
    );
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    let t = TestApp::new().await;
    let first = t.login("leder").await;
    let mut second = first.clone();
    let r = t
        .post(
            &mut second,
            "/login",
            &[("username", "leder"), ("password", "demo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let old = first
        .cookies
        .iter()
        .find(|(k, _)| k == "tilsyn_session")
        .expect("old")
        .1
        .clone();
    let new = second
        .cookies
        .iter()
        .find(|(k, _)| k == "tilsyn_session")
        .expect("new")
        .1
        .clone();
    assert_ne!(old, new, "a new session id at sign-in");
    let mut old_browser = first.clone();
    assert_eq!(
        t.get(&mut old_browser, "/").await.status,
        StatusCode::SEE_OTHER,
        "the old id is dead"
    );
    assert_eq!(t.get(&mut second, "/").await.status, StatusCode::OK);

    let r = t.post(&mut second, "/logout", &[]).await;
    assert_eq!(r.location(), "/login?ok=signed-out");
    // replaying the cookie after sign-out does not work
    let mut replay = Browser {
        cookies: vec![("tilsyn_session".into(), new)],
        ..Browser::default()
    };
    assert_eq!(t.get(&mut replay, "/").await.status, StatusCode::SEE_OTHER);
    let actions = t.audit_actions().await;
    assert!(actions.contains(&"logout".to_owned()));
    assert_eq!(
        actions.iter().filter(|a| *a == "login.succeeded").count(),
        2
    );
}

#[tokio::test]
async fn cookies_are_http_only_lax_and_secure_when_configured() {
    let t = TestApp::new().await;
    let mut b = Browser::default();
    t.get(&mut b, "/login").await;
    let r = t
        .post(
            &mut b,
            "/login",
            &[("username", "leder"), ("password", "demo")],
        )
        .await;
    let session = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tilsyn_session="))
        .expect("cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure"),
        "{session}"
    );

    let secure = TestApp::with_settings(Settings {
        secure_cookies: true,
        ..Settings::default()
    })
    .await;
    let mut b = Browser::default();
    let r = secure
        .post(
            &mut b,
            "/login",
            &[("username", "leder"), ("password", "demo")],
        )
        .await;
    let session = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tilsyn_session="))
        .expect("cookie");
    assert!(session.contains("Secure"), "{session}");
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_sessions() {
    let mut idle = Settings::default();
    idle.session.idle = chrono::Duration::zero();
    let t = TestApp::with_settings(idle).await;
    let mut b = t.login("leder").await;
    let r = t.get(&mut b, "/").await;
    assert_eq!(r.location(), "/login?next=%2F&ok=session-ended");
    let r = t.get(&mut b, "/login?next=%2F&ok=session-ended").await;
    assert_eq!(
        r.select(".notice p"),
        vec!["Din session er udløbet. Log ind igen.".to_owned()]
    );
    // a notice key that is not a notice is ignored, so the URL cannot put text on the page
    let r = t.get(&mut b, "/login?ok=err-required").await;
    assert!(r.select(".notice p").is_empty());

    let mut absolute = Settings::default();
    absolute.session.absolute = chrono::Duration::zero();
    let t = TestApp::with_settings(absolute).await;
    let mut b = t.login("leder").await;
    assert_eq!(t.get(&mut b, "/").await.status, StatusCode::SEE_OTHER);

    let t = TestApp::new().await;
    let mut b = t.login("leder").await;
    assert_eq!(t.get(&mut b, "/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn next_parameter_only_leads_to_local_pages() {
    let t = TestApp::new().await;
    let mut b = Browser::default();
    let r = t.get(&mut b, "/admin/users").await;
    assert_eq!(r.location(), "/login?next=%2Fadmin%2Fusers");
    let r = t
        .post(
            &mut b,
            "/login",
            &[
                ("username", "admin"),
                ("password", "demo"),
                ("next", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/admin/users");
    let mut c = Browser::default();
    let r = t
        .post(
            &mut c,
            "/login",
            &[
                ("username", "admin"),
                ("password", "demo"),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/");
}

#[tokio::test]
async fn throttled_attempts_do_not_prolong_the_pause_and_odd_names_are_harmless() {
    let mut settings = Settings::default();
    settings.throttle.per_account = 3;
    let t = TestApp::with_settings(settings).await;
    let mut b = Browser::default();
    for _ in 0..3 {
        t.post(
            &mut b,
            "/login",
            &[("username", "leder"), ("password", "forkert")],
        )
        .await;
    }
    for _ in 0..4 {
        let r = t
            .post(
                &mut b,
                "/login",
                &[("username", "leder"), ("password", "forkert")],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }
    let since = chrono::Utc::now() - chrono::Duration::minutes(15);
    let (account, _) = t
        .store()
        .login_failures_since("leder", "unknown", since)
        .await
        .expect("count");
    assert_eq!(account, 3, "only real password checks count");

    // a NUL byte or a megabyte of name: a plain failed sign-in on both engines, a short log entry
    let huge = "x".repeat(1_000_000);
    for name in ["admin\u{0}", huge.as_str(), "ÆØÅ"] {
        let mut c = Browser::default();
        let r = t
            .post(
                &mut c,
                "/login",
                &[("username", name), ("password", "demo")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{}",
            &name[..name.len().min(10)]
        );
    }
    let events = t.audit_events().await;
    assert!(events.iter().all(|e| {
        e.details
            .get("username")
            .is_none_or(|u| u.chars().count() <= 64)
    }));
}

#[tokio::test]
async fn the_client_address_comes_from_our_proxy_and_request_ids_are_ours() {
    let t = TestApp::with_settings(Settings {
        trust_proxy: true,
        ..Settings::default()
    })
    .await;
    let mut b = Browser {
        headers: vec![
            ("x-forwarded-for".into(), "6.6.6.6, 10.0.0.7".into()),
            ("x-request-id".into(), "forged-id".into()),
        ],
        ..Browser::default()
    };
    let r = t
        .post(
            &mut b,
            "/login",
            &[("username", "leder"), ("password", "forkert")],
        )
        .await;
    assert_ne!(
        r.headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("forged-id")
    );
    let events = t.audit_events().await;
    assert_eq!(events[0].action, "login.failed");
    assert_eq!(
        events[0].client_addr.as_deref(),
        Some("10.0.0.7"),
        "the right-most entry"
    );
    assert_ne!(events[0].request_id.as_deref(), Some("forged-id"));
}

#[tokio::test]
async fn malformed_queries_and_paths_are_bad_requests_not_crashes() {
    let t = TestApp::new().await;
    let mut b = Browser::default();
    let r = t.get(&mut b, "/login?ok=a&ok=b").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.select("h1"),
        vec!["Forespørgslen kunne ikke forstås".to_owned()]
    );
    let mut admin = t.login("admin").await;
    let r = t.get(&mut admin, "/admin/users/%FF").await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let r = t.get(&mut b, "/login?next=/%09/evil.example").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .post(
            &mut b,
            "/login",
            &[
                ("username", "admin"),
                ("password", "demo"),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/");
}
