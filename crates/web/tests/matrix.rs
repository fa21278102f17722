//! Role × route: every page and API route of the platform, asked by every demo role and by
//! an anonymous visitor, answers exactly as the policy says.

mod common;

use axum::http::StatusCode;
use common::{Browser, DEMO_USERS, TestApp};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    User(&'static str),
}

/// What a route must answer to `who`.
fn expected(route: &str, who: Who) -> StatusCode {
    use StatusCode as S;
    let admin = who == Who::User("admin");
    let signed_in = who != Who::Anonymous;
    let page_admin = |ok: S| {
        if admin {
            ok
        } else if signed_in {
            S::FORBIDDEN
        } else {
            S::SEE_OTHER
        }
    };
    let api_admin = |ok: S| {
        if admin {
            ok
        } else if signed_in {
            S::FORBIDDEN
        } else {
            S::UNAUTHORIZED
        }
    };
    match route {
        "GET /healthz"
        | "GET /readyz"
        | "GET /static/app.css"
        | "GET /static/app.js"
        | "GET /api/v1/openapi.json" => S::OK,
        "GET /nope" => S::NOT_FOUND,
        "GET /" => {
            if signed_in {
                S::OK
            } else {
                S::SEE_OTHER
            }
        }
        "GET /login" => {
            if signed_in {
                S::SEE_OTHER
            } else {
                S::OK
            }
        }
        "POST /login (wrong password)" => S::UNAUTHORIZED,
        "POST /language" | "POST /logout" => S::SEE_OTHER,
        "GET /admin/units" | "GET /admin/users" | "GET /admin/users/{id}" | "GET /admin/audit" => {
            page_admin(S::OK)
        }
        "POST /admin/units"
        | "POST /admin/users"
        | "POST /admin/users/{id}/grants"
        | "POST /admin/users/{id}/grants/{grant}/revoke"
        | "POST /admin/users/{id}/status" => page_admin(S::SEE_OTHER),
        // Everyone signed in has their own actions (an empty list when none).
        // Everyone with a role may open learning audits: a list of the ones they are on.
        "GET /api/v1/me" | "GET /api/v1/actions" | "GET /api/v1/learning-audits" => {
            if signed_in {
                S::OK
            } else {
                S::UNAUTHORIZED
            }
        }
        "GET /api/v1/units" | "GET /api/v1/users" | "GET /api/v1/audit-events" => api_admin(S::OK),
        "POST /api/v1/units" | "POST /api/v1/users" => api_admin(S::CREATED),
        "GET /templates"
        | "GET /templates/theme-spots"
        | "GET /templates/{key}"
        | "GET /templates/{key}/v/{n}"
        | "GET /templates/{key}/v/{n}/preview"
        | "GET /templates/{key}/v/{n}/export.json" => {
            if signed_in {
                S::OK
            } else {
                S::SEE_OTHER
            }
        }
        "GET /api/v1/templates"
        | "GET /api/v1/templates/{key}"
        | "GET /api/v1/templates/{key}/versions/{n}"
        | "GET /api/v1/template-items"
        | "POST /api/v1/templates/{key}/versions/{n}/preview" => {
            if signed_in {
                S::OK
            } else {
                S::UNAUTHORIZED
            }
        }
        // Managing templates: administrators and coordinators. The standard ones are locked,
        // so even they get 409 for changes to them.
        "POST /templates/{key}/v/{n}/copy" | "POST /templates/new" => {
            page_manager(who, S::SEE_OTHER)
        }
        "POST /templates/{key}/drafts" => page_manager(who, S::CONFLICT),
        "POST /api/v1/templates" => api_manager(who, S::CREATED),
        "POST /api/v1/templates/{key}/drafts"
        | "POST /api/v1/templates/{key}/versions/{n}/edits"
        | "POST /api/v1/templates/{key}/versions/{n}/{action}"
        | "PUT /api/v1/templates/{key}/versions/{n}"
        | "DELETE /api/v1/templates/{key}/versions/{n}" => api_manager(who, S::CONFLICT),
        // Case data: leaders and coordinators only (their units), never the administrator.
        "GET /cases" | "GET /cases/import" | "GET /samples" | "GET /samples/new" => {
            page_cases(who, S::OK)
        }
        "POST /samples" => page_cases(who, S::SEE_OTHER),
        // Rounds over the API: planning and steering for leaders and coordinators; the ids
        // asked for do not exist, so whoever passes the policy gets 404.
        "GET /api/v1/rounds" => api_planner(who, S::OK),
        "POST /api/v1/rounds" => api_planner(who, S::CREATED),
        "GET /api/v1/rounds/{id}"
        | "PUT /api/v1/rounds/{id}/plan"
        | "POST /api/v1/rounds/{id}/sample"
        | "POST /api/v1/rounds/{id}/state"
        | "POST /api/v1/rounds/{id}/assign"
        | "POST /api/v1/rounds/{id}/reassign"
        | "GET /api/v1/rounds/{id}/reviews"
        | "GET /api/v1/rounds/{id}/meetings"
        | "POST /api/v1/rounds/{id}/cases/{case_key}/agreed"
        | "POST /api/v1/reviews/{id}/reopen" => api_planner(who, S::NOT_FOUND),
        // Reviewing: leaders, coordinators, caseworkers and lawyers.
        "GET /api/v1/reviews/{id}"
        | "PUT /api/v1/reviews/{id}/answers"
        | "PUT /api/v1/reviews/{id}/sections/{key}"
        | "POST /api/v1/reviews/{id}/submit"
        | "POST /api/v1/reviews/{id}/escalations"
        | "POST /api/v1/escalations/{id}/close"
        | "GET /api/v1/rounds/{id}/cases/{case_key}/reconciliation"
        | "POST /api/v1/rounds/{id}/cases/{case_key}/replies" => api_reviewer(who, S::NOT_FOUND),
        // Results: leaders, coordinators, lawyers and the committee's viewer.
        "GET /api/v1/rounds/{id}/results" => api_results(who, S::NOT_FOUND),
        // An audit one is not on is not there (and this one does not exist).
        "GET /api/v1/learning-audits/{code}" => {
            if signed_in {
                S::NOT_FOUND
            } else {
                S::UNAUTHORIZED
            }
        }
        other => panic!("route {other} has no expectation"),
    }
}

fn is_manager(who: Who) -> bool {
    matches!(who, Who::User("admin") | Who::User("koordinator"))
}

fn page_manager(who: Who, ok: StatusCode) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::SEE_OTHER,
        w if is_manager(w) => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

fn page_cases(who: Who, ok: StatusCode) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::SEE_OTHER,
        Who::User("leder" | "koordinator") => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

fn api_planner(who: Who, ok: StatusCode) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        Who::User("leder" | "koordinator") => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

fn api_reviewer(who: Who, ok: StatusCode) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        Who::User("leder" | "koordinator" | "raadgiver" | "jurist") => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

fn api_results(who: Who, ok: StatusCode) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        // raadgiver holds the viewer grant this test gives them for the revoke route.
        Who::User("leder" | "koordinator" | "jurist" | "udvalg" | "raadgiver") => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

fn api_manager(who: Who, ok: StatusCode) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        w if is_manager(w) => ok,
        _ => StatusCode::FORBIDDEN,
    }
}

#[tokio::test]
async fn every_role_gets_exactly_what_the_policy_allows() {
    let t = TestApp::with_templates().await;
    let parent = t.unit_id("Myndighed Børn og Unge").await;
    let target = t.user_id("raadgiver").await;
    let team_syd = t.unit_id("Team Syd").await;
    let tv = t
        .store()
        .template("BL-OVERORDNET")
        .await
        .expect("template")
        .latest_published()
        .expect("published")
        .id;
    let mut whos = vec![Who::Anonymous];
    whos.extend(DEMO_USERS.iter().map(|u| Who::User(u)));
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();

    for (i, who) in whos.iter().enumerate() {
        let (mut b, token) = match who {
            Who::Anonymous => (Browser::default(), None),
            Who::User(u) => (t.login(u).await, Some(t.token(u).await)),
        };
        // A grant for the revoke route: only the admin's attempt removes it, so every other
        // principal finds the one an earlier principal left.
        let target_id: tilsyn_domain::UserId = target.parse().expect("id");
        let existing = t.store().grants_of(target_id).await.expect("grants");
        let grant = match existing
            .iter()
            .find(|g| g.role == tilsyn_domain::Role::Viewer)
        {
            Some(g) => g.id.to_string(),
            None => t
                .store()
                .grant_role(
                    &Default::default(),
                    target_id,
                    tilsyn_domain::Role::Viewer,
                    team_syd.parse().expect("id"),
                )
                .await
                .expect("grant")
                .id
                .to_string(),
        };
        let name = format!("Enhed {i}");
        let uname = format!("ny{i}");
        let tok = token.as_deref();
        let mut check = |route: &str, status: StatusCode, body: &str| {
            covered.insert(route.to_owned());
            let want = expected(route, *who);
            if status != want {
                failures.push(format!(
                    "{who:?} {route}: got {status}, want {want}; {}",
                    &body[..body.len().min(200)]
                ));
            }
        };
        for path in [
            "/healthz",
            "/readyz",
            "/static/app.css",
            "/static/app.js",
            "/nope",
            "/",
            "/login",
            "/admin/units",
            "/admin/users",
            "/admin/audit",
        ] {
            let r = t.get(&mut b, path).await;
            check(&format!("GET {path}"), r.status, &r.body);
        }
        let r = t.get(&mut b, &format!("/admin/users/{target}")).await;
        check("GET /admin/users/{id}", r.status, &r.body);
        let r = t
            .post(
                &mut b,
                "/admin/units",
                &[("parent_id", &parent), ("kind", "team"), ("name", &name)],
            )
            .await;
        check("POST /admin/units", r.status, &r.body);
        let r = t
            .post(
                &mut b,
                "/admin/users",
                &[
                    ("username", &uname),
                    ("full_name", "Ny Person"),
                    ("password", "langt-nok-kodeord"),
                ],
            )
            .await;
        check("POST /admin/users", r.status, &r.body);
        let r = t
            .post(
                &mut b,
                &format!("/admin/users/{target}/grants"),
                &[("role", "lawyer"), ("unit_id", &parent)],
            )
            .await;
        // the admin's grant succeeds once; make the next principal's attempt meaningful again
        let made = t
            .store()
            .grants_of(target.parse().expect("id"))
            .await
            .expect("grants")
            .into_iter()
            .find(|g| g.role == tilsyn_domain::Role::Lawyer);
        if let Some(g) = made {
            assert_eq!(*who, Who::User("admin"), "only the admin may grant");
            t.store()
                .revoke_grant(&Default::default(), &g)
                .await
                .expect("cleanup");
        }
        check("POST /admin/users/{id}/grants", r.status, &r.body);
        let r = t
            .post(
                &mut b,
                &format!("/admin/users/{target}/grants/{grant}/revoke"),
                &[],
            )
            .await;
        check(
            "POST /admin/users/{id}/grants/{grant}/revoke",
            r.status,
            &r.body,
        );
        let r = t
            .post(
                &mut b,
                &format!("/admin/users/{target}/status"),
                &[("disabled", "false")],
            )
            .await;
        check("POST /admin/users/{id}/status", r.status, &r.body);

        for path in [
            "/api/v1/openapi.json",
            "/api/v1/me",
            "/api/v1/actions",
            "/api/v1/learning-audits",
            "/api/v1/units",
            "/api/v1/users",
            "/api/v1/audit-events",
        ] {
            let r = t.api("GET", path, tok, None).await;
            check(&format!("GET {path}"), r.status, &r.body);
        }
        let body = format!(r#"{{"parent_id":"{parent}","kind":"team","name":"API {i}"}}"#);
        let r = t.api("POST", "/api/v1/units", tok, Some(&body)).await;
        check("POST /api/v1/units", r.status, &r.body);
        let body = format!(
            r#"{{"username":"api{i}","full_name":"API Person","password":"langt-nok-kodeord"}}"#
        );
        let r = t.api("POST", "/api/v1/users", tok, Some(&body)).await;
        check("POST /api/v1/users", r.status, &r.body);

        for path in [
            "/templates",
            "/templates/theme-spots",
            "/templates/BL-OVERORDNET",
            "/templates/BL-OVERORDNET/v/1",
            "/templates/BL-OVERORDNET/v/1/preview",
            "/templates/BL-OVERORDNET/v/1/export.json",
        ] {
            let r = t.get(&mut b, path).await;
            let route = path
                .replace("BL-OVERORDNET", "{key}")
                .replace("/v/1", "/v/{n}");
            check(&format!("GET {route}"), r.status, &r.body);
        }
        let copy_key = format!("KOPI-{i}");
        let r = t
            .post(
                &mut b,
                "/templates/BL-OVERORDNET/v/1/copy",
                &[("key", &copy_key)],
            )
            .await;
        check("POST /templates/{key}/v/{n}/copy", r.status, &r.body);
        let new_key = format!("NY-{i}");
        let r = t
            .post(
                &mut b,
                "/templates/new",
                &[("key", &new_key), ("title", "Ny")],
            )
            .await;
        check("POST /templates/new", r.status, &r.body);
        let r = t.post(&mut b, "/templates/BL-OVERORDNET/drafts", &[]).await;
        check("POST /templates/{key}/drafts", r.status, &r.body);
        for path in [
            "/api/v1/templates",
            "/api/v1/templates/BL-OVERORDNET",
            "/api/v1/templates/BL-OVERORDNET/versions/1",
            "/api/v1/template-items?q=barnets",
        ] {
            let r = t.api("GET", path, tok, None).await;
            let route = path
                .split('?')
                .next()
                .unwrap_or(path)
                .replace("BL-OVERORDNET", "{key}")
                .replace("/versions/1", "/versions/{n}");
            check(&format!("GET {route}"), r.status, &r.body);
        }
        let r = t
            .api(
                "POST",
                "/api/v1/templates/BL-OVERORDNET/versions/1/preview",
                tok,
                Some("{}"),
            )
            .await;
        check(
            "POST /api/v1/templates/{key}/versions/{n}/preview",
            r.status,
            &r.body,
        );
        let file = tilsyn_store::templates::to_file_json(
            &t.store()
                .template_version("BL-TEMA-PLAN", Some(1))
                .await
                .expect("plan")
                .content,
        )
        .replace("\"BL-TEMA-PLAN\"", &format!("\"API-{i}\""));
        let r = t.api("POST", "/api/v1/templates", tok, Some(&file)).await;
        check("POST /api/v1/templates", r.status, &r.body);
        let base = "/api/v1/templates/BL-OVERORDNET";
        let meta = r#"{"op": "set_meta", "title": {"da": "x"}}"#;
        for (method, path, route, body) in [
            (
                "POST",
                format!("{base}/drafts"),
                "POST /api/v1/templates/{key}/drafts",
                None,
            ),
            (
                "POST",
                format!("{base}/versions/1/edits"),
                "POST /api/v1/templates/{key}/versions/{n}/edits",
                Some(meta),
            ),
            (
                "POST",
                format!("{base}/versions/1/retire"),
                "POST /api/v1/templates/{key}/versions/{n}/{action}",
                None,
            ),
            (
                "PUT",
                format!("{base}/versions/1"),
                "PUT /api/v1/templates/{key}/versions/{n}",
                Some(file.as_str()),
            ),
            (
                "DELETE",
                format!("{base}/versions/1"),
                "DELETE /api/v1/templates/{key}/versions/{n}",
                None,
            ),
        ] {
            let r = t.api(method, &path, tok, body).await;
            check(route, r.status, &r.body);
        }

        for path in ["/cases", "/cases/import", "/samples", "/samples/new"] {
            let r = t.get(&mut b, path).await;
            check(&format!("GET {path}"), r.status, &r.body);
        }
        let r = t
            .post(
                &mut b,
                "/samples",
                &[
                    ("size", "5"),
                    ("seed", "7"),
                    ("reference_date", "2026-11-01"),
                    ("strata", "unit"),
                ],
            )
            .await;
        check("POST /samples", r.status, &r.body);

        // Rounds and reviews over the API, on ids that do not exist.
        let r = t.api("GET", "/api/v1/rounds", tok, None).await;
        check("GET /api/v1/rounds", r.status, &r.body);
        let plan = r#"{"kind": "broad", "level_sizes": [40], "reference_date": "2026-11-01", "look_back_months": 12}"#;
        let round_body =
            format!(r#"{{"name": "Runde {i}", "template_version": "{tv}", "plan": {plan}}}"#);
        let r = t
            .api("POST", "/api/v1/rounds", tok, Some(&round_body))
            .await;
        check("POST /api/v1/rounds", r.status, &r.body);
        let nobody = uuid::Uuid::now_v7();
        let rnd = format!("/api/v1/rounds/{nobody}");
        let rev = format!("/api/v1/reviews/{nobody}");
        let case = format!("{rnd}/cases/DUBU%2FS-0000012");
        let plan_body = format!(r#"{{"name": "X", "plan": {plan}}}"#);
        let sample_body = format!(r#"{{"sample_id": "{nobody}"}}"#);
        let reassign_body = format!(r#"{{"reviews": ["{nobody}"], "reviewer": "{target}"}}"#);
        for (method, path, route, body) in [
            ("GET", rnd.clone(), "GET /api/v1/rounds/{id}", None),
            (
                "GET",
                "/api/v1/learning-audits/99.9".to_owned(),
                "GET /api/v1/learning-audits/{code}",
                None,
            ),
            (
                "PUT",
                format!("{rnd}/plan"),
                "PUT /api/v1/rounds/{id}/plan",
                Some(plan_body.as_str()),
            ),
            (
                "POST",
                format!("{rnd}/sample"),
                "POST /api/v1/rounds/{id}/sample",
                Some(sample_body.as_str()),
            ),
            (
                "POST",
                format!("{rnd}/state"),
                "POST /api/v1/rounds/{id}/state",
                Some(r#"{"to": "sampled"}"#),
            ),
            (
                "POST",
                format!("{rnd}/assign"),
                "POST /api/v1/rounds/{id}/assign",
                Some(r#"{"level": 1}"#),
            ),
            (
                "POST",
                format!("{rnd}/reassign"),
                "POST /api/v1/rounds/{id}/reassign",
                Some(reassign_body.as_str()),
            ),
            (
                "GET",
                format!("{rnd}/reviews"),
                "GET /api/v1/rounds/{id}/reviews",
                None,
            ),
            (
                "GET",
                format!("{rnd}/meetings"),
                "GET /api/v1/rounds/{id}/meetings",
                None,
            ),
            (
                "GET",
                format!("{rnd}/results"),
                "GET /api/v1/rounds/{id}/results",
                None,
            ),
            (
                "POST",
                format!("{case}/agreed"),
                "POST /api/v1/rounds/{id}/cases/{case_key}/agreed",
                Some(r#"{"item": "BL.UND.SYSTEMATISK", "value": "ja", "note": "x"}"#),
            ),
            (
                "GET",
                format!("{case}/reconciliation"),
                "GET /api/v1/rounds/{id}/cases/{case_key}/reconciliation",
                None,
            ),
            (
                "POST",
                format!("{case}/replies"),
                "POST /api/v1/rounds/{id}/cases/{case_key}/replies",
                Some(r#"{"text": "x"}"#),
            ),
            ("GET", rev.clone(), "GET /api/v1/reviews/{id}", None),
            (
                "PUT",
                format!("{rev}/answers"),
                "PUT /api/v1/reviews/{id}/answers",
                Some(
                    r#"{"answers": [{"item": "BL.UND.SYSTEMATISK", "value": "ja", "base_version": 0}]}"#,
                ),
            ),
            (
                "PUT",
                format!("{rev}/sections/DOKUMENTATION"),
                "PUT /api/v1/reviews/{id}/sections/{key}",
                Some(r#"{"reason": "x"}"#),
            ),
            (
                "POST",
                format!("{rev}/submit"),
                "POST /api/v1/reviews/{id}/submit",
                Some(r#"{"version": 1}"#),
            ),
            (
                "POST",
                format!("{rev}/reopen"),
                "POST /api/v1/reviews/{id}/reopen",
                Some(r#"{"reason": "x"}"#),
            ),
            (
                "POST",
                format!("{rev}/escalations"),
                "POST /api/v1/reviews/{id}/escalations",
                Some(r#"{"reason": "x"}"#),
            ),
            (
                "POST",
                format!("/api/v1/escalations/{nobody}/close"),
                "POST /api/v1/escalations/{id}/close",
                Some(r#"{"note": "x"}"#),
            ),
        ] {
            let r = t.api(method, &path, tok, body).await;
            check(route, r.status, &r.body);
        }

        let mut stranger = Browser::default();
        // a different name each time: the same one would rightly be throttled after five tries
        let r = t
            .post(
                &mut stranger,
                "/login",
                &[("username", &format!("ukendt{i}")), ("password", "forkert")],
            )
            .await;
        check("POST /login (wrong password)", r.status, &r.body);
        let r = t
            .post(&mut b, "/language", &[("lang", "en"), ("back", "/")])
            .await;
        check("POST /language", r.status, &r.body);
        let r = t.post(&mut b, "/logout", &[]).await;
        check("POST /logout", r.status, &r.body);
        if let Who::User(_) = who {
            // after sign-out the session is gone
            let r = t.get(&mut b, "/").await;
            if r.status != StatusCode::SEE_OTHER {
                failures.push(format!("{who:?}: still signed in after logout"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Every API path in the OpenAPI document is in the matrix.
    let doc = t
        .api("GET", "/api/v1/openapi.json", None, None)
        .await
        .json();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, ops) in paths {
        for method in ops.as_object().expect("ops").keys() {
            let route = format!("{} {path}", method.to_uppercase());
            assert!(
                covered.contains(&route),
                "API route {route} is not in the role matrix"
            );
        }
    }
}
