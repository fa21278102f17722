//! The JSON API: bearer tokens, problem+json errors that name the field, Danish or English
//! detail, and the OpenAPI document.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn me_answers_with_the_callers_grants() {
    let t = TestApp::new().await;
    let token = t.token("leder").await;
    let r = t.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let me = r.json();
    assert_eq!(me["username"], "leder");
    assert_eq!(me["full_name"], "Lise Holm");
    assert_eq!(me["grants"][0]["role"], "leader");
    assert_eq!(me["grants"][0]["unit_name"], "Myndighed Børn og Unge");
    assert_eq!(
        r.headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}

#[tokio::test]
async fn missing_or_bad_tokens_get_401_problems() {
    let t = TestApp::new().await;
    for token in [None, Some("tls_notatoken"), Some("garbage")] {
        let r = t.api("GET", "/api/v1/me", token, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        assert!(r.headers.get("www-authenticate").is_some());
        let p = r.json();
        assert_eq!(p["status"], 401);
        assert_eq!(p["instance"], "/api/v1/me");
        assert!(p["detail"].as_str().expect("detail").contains("API-token"));
    }
    // a session cookie does not open the API (so the API needs no CSRF protection)
    let b = t.login("admin").await;
    let req = axum::http::Request::get("/api/v1/me")
        .header("cookie", b.cookie_header())
        .body(axum::body::Body::empty())
        .expect("req");
    assert_eq!(t.send(req).await.status, StatusCode::UNAUTHORIZED);
    // a disabled user's token stops working
    let token = t.token("raadgiver").await;
    let id = t.store().find_user("raadgiver").await.expect("user").id;
    t.store()
        .set_user_disabled(&Default::default(), id, true)
        .await
        .expect("disable");
    assert_eq!(
        t.api("GET", "/api/v1/me", Some(&token), None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn invalid_input_is_refused_whole_and_names_the_field() {
    let t = TestApp::new().await;
    let token = t.token("admin").await;
    let users_before = t.store().list_users().await.expect("users").len();

    let r = t
        .api("POST", "/api/v1/users", Some(&token), Some("{not json"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["status"], 400);

    let r = t
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(r#"{"username": 42}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "username");

    let r = t
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(r#"{"username": "Bad Name", "full_name": "", "password": "kort"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = r.json();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, vec!["username", "full_name", "password"]);
    assert_eq!(
        p["errors"][2]["detail"],
        "Adgangskoden skal være mindst 10 tegn."
    );

    let r = t
        .api(
            "POST",
            "/api/v1/users",
            Some(&token),
            Some(r#"{"username": "admin", "full_name": "Dublet"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "username");

    assert_eq!(
        t.store().list_users().await.expect("users").len(),
        users_before,
        "nothing was created"
    );

    // English when asked
    let req = axum::http::Request::post("/api/v1/units")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept-language", "en-GB,en;q=0.9")
        .body(axum::body::Body::from(
            r#"{"parent_id":"nope","kind":"team","name":"X"}"#,
        ))
        .expect("req");
    let r = t.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = r.json();
    assert_eq!(
        p["detail"],
        "One or more fields are invalid. See the list of errors."
    );
    assert_eq!(p["errors"][0]["field"], "parent_id");

    let r = t.api("POST", "/api/v1/units", Some(&token), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no JSON content type");
}

#[tokio::test]
async fn created_resources_come_back_in_listings() {
    let t = TestApp::new().await;
    let token = t.token("admin").await;
    let parent = t.unit_id("Børnehandicap").await;
    let r = t
        .api(
            "POST",
            "/api/v1/units",
            Some(&token),
            Some(&format!(
                r#"{{"parent_id":"{parent}","kind":"team","name":"Team Vest"}}"#
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    let units = t
        .api("GET", "/api/v1/units", Some(&token), None)
        .await
        .json();
    let list = units.as_array().expect("list");
    let pos_parent = list
        .iter()
        .position(|u| u["id"] == parent.as_str())
        .expect("parent");
    let pos_new = list
        .iter()
        .position(|u| u["id"] == id.as_str())
        .expect("new");
    assert!(pos_new > pos_parent, "children after their parent");
    assert_eq!(list[pos_new]["parent_id"], parent.as_str());

    let events = t
        .api(
            "GET",
            "/api/v1/audit-events?action=unit.created",
            Some(&token),
            None,
        )
        .await
        .json();
    assert!(
        events
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["resource_id"] == id.as_str())
    );
    let bad = t
        .api(
            "GET",
            "/api/v1/audit-events?since=31-12-2026",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "since");
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let t = TestApp::new().await;
    let doc = t
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    assert_eq!(doc["info"]["title"], "tilsyn API");
    let mut ops: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(p, m)| {
            m.as_object()
                .expect("ops")
                .keys()
                .map(move |k| format!("{} {p}", k.to_uppercase()))
        })
        .collect();
    ops.sort();
    assert_eq!(
        ops,
        vec![
            "DELETE /api/v1/templates/{key}/versions/{n}",
            "GET /api/v1/actions",
            "GET /api/v1/audit-events",
            "GET /api/v1/learning-audits",
            "GET /api/v1/learning-audits/{code}",
            "GET /api/v1/me",
            "GET /api/v1/reviews/{id}",
            "GET /api/v1/rounds",
            "GET /api/v1/rounds/{id}",
            "GET /api/v1/rounds/{id}/cases/{case_key}/reconciliation",
            "GET /api/v1/rounds/{id}/meetings",
            "GET /api/v1/rounds/{id}/results",
            "GET /api/v1/rounds/{id}/reviews",
            "GET /api/v1/template-items",
            "GET /api/v1/templates",
            "GET /api/v1/templates/{key}",
            "GET /api/v1/templates/{key}/versions/{n}",
            "GET /api/v1/units",
            "GET /api/v1/users",
            "POST /api/v1/escalations/{id}/close",
            "POST /api/v1/reviews/{id}/escalations",
            "POST /api/v1/reviews/{id}/reopen",
            "POST /api/v1/reviews/{id}/submit",
            "POST /api/v1/rounds",
            "POST /api/v1/rounds/{id}/assign",
            "POST /api/v1/rounds/{id}/cases/{case_key}/agreed",
            "POST /api/v1/rounds/{id}/cases/{case_key}/replies",
            "POST /api/v1/rounds/{id}/reassign",
            "POST /api/v1/rounds/{id}/sample",
            "POST /api/v1/rounds/{id}/state",
            "POST /api/v1/templates",
            "POST /api/v1/templates/{key}/drafts",
            "POST /api/v1/templates/{key}/versions/{n}/edits",
            "POST /api/v1/templates/{key}/versions/{n}/preview",
            "POST /api/v1/templates/{key}/versions/{n}/{action}",
            "POST /api/v1/units",
            "POST /api/v1/users",
            "PUT /api/v1/reviews/{id}/answers",
            "PUT /api/v1/reviews/{id}/sections/{key}",
            "PUT /api/v1/rounds/{id}/plan",
            "PUT /api/v1/templates/{key}/versions/{n}",
        ]
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["ProblemDetails"].is_object());
    // The extended problems of the review endpoints are described with their extensions.
    for schema in ["SaveConflictProblem", "ItemProblems"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
    let answers = &doc["paths"]["/api/v1/reviews/{id}/answers"]["put"]["responses"];
    assert_eq!(
        answers["409"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/SaveConflictProblem"
    );
}
