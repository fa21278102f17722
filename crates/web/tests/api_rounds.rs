//! Rounds and reviews over the JSON API: planning and steering a round, blinding between the
//! levels, versioned answers (a stale save is a 409 that keeps the first answer), submit
//! problems, reconciliation under a percent-encoded case key, and who may reach what.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Res, TestApp};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::CaseRecord;
use tilsyn_domain::sampling::{Allocation, SampleFrame, SampleSpec, Strata, draw_levels};
use tilsyn_domain::template::TemplateContent;
use tilsyn_store::cases::ImportFile;
use tilsyn_store::samples::register_fingerprint;
use uuid::Uuid;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A case key with its slash, percent-encoded for a path segment.
fn enc(key: &str) -> String {
    key.replace('/', "%2F")
}

struct World {
    t: TestApp,
    round: Uuid,
    content: TemplateContent,
    koordinator: String,
    leder: String,
    jurist: String,
    raadgiver: String,
}

/// Eight cases of "Myndighed Børn og Unge" (which the demo's leader and coordinator cover),
/// all with the demo caseworker "raadgiver" as case-responsible.
async fn with_register(t: &TestApp) {
    let cases: Vec<CaseRecord> = (1..=8)
        .map(|i| CaseRecord {
            source: "DUBU".into(),
            external_id: format!("S-{i:07}"),
            case_type: "§ 32".into(),
            caseworker: Some("RAADGIVER".into()),
            unit: Some(if i % 2 == 0 { "Team Nord" } else { "Team Syd" }.into()),
            measure_start: Some(day(2025, 3, 1)),
            // The first follow-up in time: the date rule pre-fills "ja".
            follow_up_date: Some(day(2025, 4, 15)),
            ..Default::default()
        })
        .collect();
    let mut imp = t.store().begin_case_import("DUBU").await.expect("begin");
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

/// A sample of four cases, two of them also at level 2, drawn within the coordinator's units.
async fn drawn_sample(t: &TestApp) -> Uuid {
    let cases = t.store().sample_cases(Some("DUBU")).await.expect("cases");
    let spec = SampleSpec {
        frame: SampleFrame::new(day(2025, 6, 1)),
        strata: Strata::none(),
        allocation: Allocation::Proportional,
        target: 4,
        coverage: false,
        caseworker_last_sampled: BTreeMap::new(),
        seed: 7,
    };
    let levels = draw_levels(&cases, &spec, &[2]).expect("draw");
    t.store()
        .save_sample(
            &Actor::cli(Some("koordinator".into())),
            "Karsten Berg",
            &spec,
            &[2],
            &["Team Nord".to_owned(), "Team Syd".to_owned()],
            &register_fingerprint(&cases),
            &levels,
        )
        .await
        .expect("save sample")
}

fn plan() -> Value {
    json!({
        "kind": "broad",
        "level_sizes": [4, 2],
        "reference_date": "2025-06-01",
        "look_back_months": 12
    })
}

async fn call(t: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Res {
    let body = body.map(|b| b.to_string());
    t.api(method, path, Some(token), body.as_deref()).await
}

/// Asserts the status, showing the body when it differs.
fn ok(r: &Res, want: StatusCode) -> Value {
    assert_eq!(r.status, want, "{}", r.body);
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

impl World {
    /// A round in review: planned, sampled, level 1 with the leader (the caseworker taking
    /// part), level 2 with the lawyer. All through the API.
    async fn new() -> World {
        let t = TestApp::with_templates().await;
        with_register(&t).await;
        let sample = drawn_sample(&t).await;
        let koordinator = t.token("koordinator").await;
        let leder = t.token("leder").await;
        let jurist = t.token("jurist").await;
        let raadgiver = t.token("raadgiver").await;
        let version = t
            .store()
            .template("BL-OVERORDNET")
            .await
            .expect("template")
            .latest_published()
            .expect("published")
            .id;
        let content = t
            .store()
            .template_version_by_id(version)
            .await
            .expect("version")
            .content;
        let k = koordinator.as_str();
        let body = json!({"name": "Forårsrunde 2025", "template_version": version, "plan": plan()});
        let r = call(&t, k, "POST", "/api/v1/rounds", Some(body)).await;
        let round: Uuid = ok(&r, StatusCode::CREATED)["id"]
            .as_str()
            .expect("id")
            .parse()
            .expect("uuid");
        let base = format!("/api/v1/rounds/{round}");
        let r = call(
            &t,
            k,
            "POST",
            &format!("{base}/sample"),
            Some(json!({"sample_id": sample})),
        )
        .await;
        assert_eq!(ok(&r, StatusCode::OK)["cases"], 4);
        for level in [1, 2] {
            let r = call(
                &t,
                k,
                "POST",
                &format!("{base}/assign"),
                Some(json!({"level": level})),
            )
            .await;
            let a = ok(&r, StatusCode::OK);
            assert_eq!(a["unassigned"], json!([]), "level {level}: {a}");
        }
        // Level 1 all to the leader, whoever assignment picked.
        let reviews = ok(
            &call(&t, k, "GET", &format!("{base}/reviews"), None).await,
            StatusCode::OK,
        );
        let level1: Vec<&str> = reviews
            .as_array()
            .expect("reviews")
            .iter()
            .filter(|r| r["level"] == 1)
            .map(|r| r["id"].as_str().expect("id"))
            .collect();
        let leder_id = t.user_id("leder").await;
        let r = call(
            &t,
            k,
            "POST",
            &format!("{base}/reassign"),
            Some(json!({"reviews": level1, "reviewer": leder_id})),
        )
        .await;
        assert_eq!(ok(&r, StatusCode::OK)["reassigned"], 4);
        let r = call(
            &t,
            k,
            "POST",
            &format!("{base}/state"),
            Some(json!({"to": "reviewing"})),
        )
        .await;
        ok(&r, StatusCode::NO_CONTENT);
        World {
            t,
            round,
            content,
            koordinator,
            leder,
            jurist,
            raadgiver,
        }
    }

    fn base(&self) -> String {
        format!("/api/v1/rounds/{}", self.round)
    }

    /// A case with reviews at both levels: (case key, level-1 review, level-2 review).
    async fn deep_case(&self) -> (String, String, String) {
        let reviews = ok(
            &call(
                &self.t,
                &self.koordinator,
                "GET",
                &format!("{}/reviews", self.base()),
                None,
            )
            .await,
            StatusCode::OK,
        );
        let all = reviews.as_array().expect("reviews");
        let l2 = all
            .iter()
            .find(|r| r["level"] == 2)
            .expect("a level-2 review");
        let key = l2["case_key"].as_str().expect("key").to_owned();
        let l1 = all
            .iter()
            .find(|r| r["level"] == 1 && r["case_key"] == key.as_str())
            .expect("its level-1 review");
        (
            key,
            l1["id"].as_str().expect("id").to_owned(),
            l2["id"].as_str().expect("id").to_owned(),
        )
    }

    async fn review(&self, token: &str, id: &str) -> Res {
        call(
            &self.t,
            token,
            "GET",
            &format!("/api/v1/reviews/{id}"),
            None,
        )
        .await
    }

    async fn save(&self, token: &str, id: &str, answers: Value) -> Res {
        call(
            &self.t,
            token,
            "PUT",
            &format!("/api/v1/reviews/{id}/answers"),
            Some(json!({ "answers": answers })),
        )
        .await
    }

    /// The first answer code of an item's scale.
    fn first_code(&self, item: &str) -> String {
        let it = self.content.item(item).expect("item");
        let scale = self.content.scale(&it.scale).expect("scale");
        scale.points.first().expect("points").code.clone()
    }

    /// Answers every applicable item still open (the first code of its scale, with a remark
    /// and an override reason so no answer needs more), until nothing is left; `special`
    /// overrides the value of some items.
    async fn answer_all(&self, token: &str, id: &str, special: &[(&str, &str)]) {
        for _ in 0..8 {
            let v = ok(&self.review(token, id).await, StatusCode::OK);
            assert_eq!(v["may_read"], true, "{v}");
            let answers: BTreeMap<String, &Value> = v["answers"]
                .as_array()
                .expect("answers")
                .iter()
                .map(|a| (a["item"].as_str().expect("item").to_owned(), a))
                .collect();
            let mut changes = vec![];
            for it in v["items"].as_array().expect("items") {
                let key = it["item"].as_str().expect("key");
                let done = answers
                    .get(key)
                    .is_some_and(|a| !a["value"].as_str().unwrap_or("").is_empty());
                if it["applies"] != true || done {
                    continue;
                }
                let value = special
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| (*v).to_owned())
                    .unwrap_or_else(|| self.first_code(key));
                changes.push(json!({
                    "item": key,
                    "value": value,
                    "remark": "Bemærkning",
                    "override_reason": "Set i akterne",
                    "base_version": answers.get(key).map(|a| a["version"].clone()).unwrap_or(json!(0)),
                }));
            }
            if changes.is_empty() {
                return;
            }
            ok(
                &self.save(token, id, Value::Array(changes)).await,
                StatusCode::OK,
            );
        }
        panic!("answers kept opening new items");
    }

    async fn submit(&self, token: &str, id: &str) -> Res {
        let v = ok(&self.review(token, id).await, StatusCode::OK);
        call(
            &self.t,
            token,
            "POST",
            &format!("/api/v1/reviews/{id}/submit"),
            Some(json!({"version": v["version"]})),
        )
        .await
    }
}

#[tokio::test]
async fn a_round_is_planned_sampled_assigned_and_started_over_the_api() {
    let w = World::new().await;
    let k = w.koordinator.as_str();
    let list = ok(
        &call(&w.t, k, "GET", "/api/v1/rounds", None).await,
        StatusCode::OK,
    );
    assert_eq!(list.as_array().expect("list").len(), 1);
    assert_eq!(list[0]["name"], "Forårsrunde 2025");
    assert_eq!(list[0]["state"], "reviewing");
    assert_eq!(list[0]["cases"], 4);
    assert_eq!(list[0]["reviews"], 6);

    let r = ok(&call(&w.t, k, "GET", &w.base(), None).await, StatusCode::OK);
    assert_eq!(r["state"], "reviewing");
    assert_eq!(r["next_states"], json!(["analysing"]));
    assert_eq!(
        r["levels"],
        json!([
            {"level": 1, "cases": 4, "assigned": 4, "submitted": 0},
            {"level": 2, "cases": 2, "assigned": 2, "submitted": 0},
        ])
    );
    // Four cases is far below the recommended sample: a warning with its numbers.
    let few = r["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .find(|w| w["key"] == "plan-warn-too-few-cases")
        .unwrap_or_else(|| panic!("no size warning: {r}"));
    assert_eq!(few["params"]["cases"], 4);
    assert!(
        few["detail"].as_str().expect("detail").contains('4'),
        "{few}"
    );
    assert_eq!(r["plan"]["level_sizes"], json!([4, 2]));

    // Every review has a reviewer; the level-1 ones have the caseworker taking part.
    let reviews = ok(
        &call(&w.t, k, "GET", &format!("{}/reviews", w.base()), None).await,
        StatusCode::OK,
    );
    let raadgiver = w.t.user_id("raadgiver").await;
    for rv in reviews.as_array().expect("reviews") {
        assert!(rv["reviewer"].is_string(), "{rv}");
        assert!(rv.get("answers").is_none());
        if rv["level"] == 1 {
            assert_eq!(rv["reviewer_name"], "Lise Holm");
            assert_eq!(rv["participants"], json!([raadgiver]), "{rv}");
        } else {
            assert_eq!(rv["reviewer_name"], "Jonas Juul");
        }
    }

    // The dates pre-filled the follow-up item; the deadline is shown to every reader.
    let (_, l1, _) = w.deep_case().await;
    let v = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    let followup = v["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .find(|a| a["item"] == "BL.OPF.FOERSTE_3M")
        .unwrap_or_else(|| panic!("no pre-filled answer: {v}"));
    assert_eq!(followup["value"], "ja");
    assert_eq!(followup["prefill"], "ja");
    assert!(followup["version"].as_i64().expect("version") >= 1);
    for token in [&w.leder, &w.koordinator] {
        let v = ok(&w.review(token, &l1).await, StatusCode::OK);
        let d = v["deadlines"]
            .as_array()
            .expect("deadlines")
            .iter()
            .find(|d| d["item"] == "BL.OPF.FOERSTE_3M")
            .unwrap_or_else(|| panic!("no deadline: {v}"))
            .clone();
        assert_eq!(d["outcome"], "met");
        assert_eq!(d["suggested"], "ja");
        assert!(d["due"].as_str().expect("due").starts_with("2025-0"), "{d}");
    }

    // The plan is fixed once reviewing has started; states move one step at a time.
    let r = call(
        &w.t,
        k,
        "PUT",
        &format!("{}/plan", w.base()),
        Some(json!({"name": "Ny", "plan": plan()})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = call(
        &w.t,
        k,
        "POST",
        &format!("{}/state", w.base()),
        Some(json!({"to": "closed"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = call(
        &w.t,
        k,
        "POST",
        &format!("{}/state", w.base()),
        Some(json!({"to": "someday"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "to");
    // Reviews still open: the round cannot move on to analysis.
    let r = call(
        &w.t,
        k,
        "POST",
        &format!("{}/state", w.base()),
        Some(json!({"to": "analysing"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // A plan with an unknown template or no name is refused whole.
    let r = call(
        &w.t,
        k,
        "POST",
        "/api/v1/rounds",
        Some(json!({"name": " ", "template_version": Uuid::nil(), "plan": plan()})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut fields: Vec<String> = r.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_owned())
        .collect();
    fields.sort();
    assert_eq!(fields, vec!["name", "template_version"]);

    // A draft round's plan can be changed.
    let tv = ok(&call(&w.t, k, "GET", &w.base(), None).await, StatusCode::OK)["template_version"]
        .clone();
    let r = call(
        &w.t,
        k,
        "POST",
        "/api/v1/rounds",
        Some(json!({"name": "Efterår", "template_version": tv, "plan": plan()})),
    )
    .await;
    let draft = ok(&r, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut p = plan();
    p["level_sizes"] = json!([5]);
    let r = call(
        &w.t,
        k,
        "PUT",
        &format!("/api/v1/rounds/{draft}/plan"),
        Some(json!({"name": "Efterårsrunde", "plan": p})),
    )
    .await;
    ok(&r, StatusCode::NO_CONTENT);
    let d = ok(
        &call(&w.t, k, "GET", &format!("/api/v1/rounds/{draft}"), None).await,
        StatusCode::OK,
    );
    assert_eq!(d["name"], "Efterårsrunde");
    assert_eq!(d["plan"]["level_sizes"], json!([5]));
    assert_eq!(d["levels"], json!([]));
}

#[tokio::test]
async fn blinding_hides_each_levels_answers_from_the_other_until_both_have_submitted() {
    let w = World::new().await;
    let (_, l1, l2) = w.deep_case().await;

    ok(
        &w.save(
            &w.leder,
            &l1,
            json!([{"item": "BL.UND.VURDERING_24T", "value": "nej", "remark": "HEMMELIG-EN", "base_version": 0}]),
        )
        .await,
        StatusCode::OK,
    );
    ok(
        &w.save(
            &w.jurist,
            &l2,
            json!([{"item": "BL.UND.VURDERING_24T", "value": "ja", "remark": "HEMMELIG-TO", "base_version": 0}]),
        )
        .await,
        StatusCode::OK,
    );

    // Each level reads its own answers.
    let own = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    assert_eq!(own["may_read"], true);
    assert_eq!(own["can_edit"], true);
    assert!(own.to_string().contains("HEMMELIG-EN"));

    // (1) the level-2 reviewer does not see level 1's answers, nor (2) the other way round;
    // nor does whoever runs the round. Blinded readers get no answers, items or marks.
    let blinded = [
        (&w.jurist, &l1, "HEMMELIG-EN"),
        (&w.leder, &l2, "HEMMELIG-TO"),
        (&w.koordinator, &l1, "HEMMELIG-EN"),
        (&w.koordinator, &l2, "HEMMELIG-TO"),
        (&w.raadgiver, &l2, "HEMMELIG-TO"),
    ];
    for (token, id, secret) in blinded {
        let r = w.review(token, id).await;
        assert!(
            r.status == StatusCode::NOT_FOUND || r.status == StatusCode::OK,
            "{}",
            r.body
        );
        assert!(!r.body.contains(secret), "{}", r.body);
        if r.status == StatusCode::OK {
            let v = r.json();
            assert_eq!(v["may_read"], false, "{v}");
            assert_eq!(v["answers"], json!([]));
            assert_eq!(v["items"], json!([]));
            assert_eq!(v["can_edit"], false);
        }
    }
    // The round's list of reviews never carries answers.
    let list = call(
        &w.t,
        &w.koordinator,
        "GET",
        &format!("{}/reviews", w.base()),
        None,
    )
    .await;
    assert!(!list.body.contains("HEMMELIG"), "{}", list.body);
    // Nor can the other level write into a review that is not theirs.
    let r = w
        .save(
            &w.jurist,
            &l1,
            json!([{"item": "BL.UND.SYSTEMATISK", "value": "ja", "base_version": 0}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Level 1 submits; level 2 is still open, so both stay blinded.
    w.answer_all(&w.leder, &l1, &[]).await;
    ok(&w.submit(&w.leder, &l1).await, StatusCode::OK);
    let r = w.review(&w.jurist, &l1).await;
    assert!(!r.body.contains("HEMMELIG-EN"), "{}", r.body);
    let r = w.review(&w.leder, &l2).await;
    assert!(!r.body.contains("HEMMELIG-TO"), "{}", r.body);

    // Once both have submitted, each may read the other.
    w.answer_all(&w.jurist, &l2, &[]).await;
    ok(&w.submit(&w.jurist, &l2).await, StatusCode::OK);
    let v = ok(&w.review(&w.jurist, &l1).await, StatusCode::OK);
    assert_eq!(v["may_read"], true);
    assert_eq!(v["complete"], true);
    assert_eq!(v["status"], "submitted");
    let first = v["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .find(|a| a["item"] == "BL.UND.VURDERING_24T")
        .expect("answer");
    assert_eq!(first["value"], "nej");
    assert_eq!(first["remark"], "HEMMELIG-EN");
    let v = ok(&w.review(&w.leder, &l2).await, StatusCode::OK);
    assert_eq!(v["may_read"], true);
    assert!(v.to_string().contains("HEMMELIG-TO"));
    let v = ok(&w.review(&w.koordinator, &l1).await, StatusCode::OK);
    assert_eq!(v["may_read"], true);

    // Every opening over the API is in the audit log.
    let reads =
        w.t.audit_events()
            .await
            .into_iter()
            .filter(|e| {
                e.action == "review.viewed"
                    && e.resource_id.as_deref() == Some(l1.as_str())
                    && e.details.get("how").map(String::as_str) == Some("api")
            })
            .count();
    assert!(reads >= 3, "{reads} reads logged");
}

#[tokio::test]
async fn a_save_on_a_stale_version_is_409_with_their_answer_and_the_first_answer_stays() {
    let w = World::new().await;
    let (_, l1, _) = w.deep_case().await;
    let item = "BL.SCR.GENNEMFOERT";
    let before = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    let base = before["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .find(|a| a["item"] == item)
        .map(|a| a["version"].clone())
        .unwrap_or(json!(0));
    let raadgiver = w.t.user_id("raadgiver").await;
    assert_eq!(before["participants"], json!([raadgiver]));

    // The leader saves first...
    let first = ok(
        &w.save(
            &w.leder,
            &l1,
            json!([{"item": item, "value": "ja", "base_version": base}]),
        )
        .await,
        StatusCode::OK,
    );
    let saved_version = first["saved"][0]["version"].clone();
    assert_eq!(first["saved"][0]["item"], item);
    assert!(first["progress"]["answered"].as_u64().expect("answered") >= 1);

    // ...then again from another tab, on the same version, with another answer and one more
    // item.
    let r = w
        .save(
            &w.leder,
            &l1,
            json!([
                {"item": item, "value": "nej", "remark": "Mangler", "base_version": base},
                {"item": "BL.SCR.BEGRUNDELSE", "value": "ja", "base_version": 0},
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let p = r.json();
    assert_eq!(p["status"], 409);
    assert!(
        !p["detail"]
            .as_str()
            .expect("detail")
            .contains("api-answers-conflict"),
        "the detail is a catalogue text: {p}"
    );
    assert_eq!(p["conflicts"].as_array().expect("conflicts").len(), 1);
    let theirs = &p["conflicts"][0];
    assert_eq!(theirs["item"], item);
    assert_eq!(theirs["value"], "ja");
    assert_eq!(theirs["version"], saved_version);
    assert_eq!(theirs["updated_by_name"], "Lise Holm");
    assert!(theirs["updated_at"].is_string());
    // The change that did not conflict was saved all the same.
    assert_eq!(
        p["saved"],
        json!([{"item": "BL.SCR.BEGRUNDELSE", "version": p["saved"][0]["version"]}])
    );

    let after = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    let value_of = |k: &str| {
        after["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .find(|a| a["item"] == k)
            .map(|a| a["value"].clone())
    };
    assert_eq!(value_of(item), Some(json!("ja")));
    assert_eq!(value_of("BL.SCR.BEGRUNDELSE"), Some(json!("ja")));
    assert_eq!(after["version"], p["review_version"]);

    // The caseworker takes part in the review but does not answer it.
    let r = w
        .save(
            &w.raadgiver,
            &l1,
            json!([{"item": "BL.SCR.BEGRUNDELSE", "value": "nej", "remark": "x", "base_version": p["saved"][0]["version"]}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // English when asked.
    let req = axum::http::Request::put(format!("/api/v1/reviews/{l1}/answers"))
        .header("authorization", format!("Bearer {}", w.leder))
        .header("content-type", "application/json")
        .header("accept-language", "en")
        .body(axum::body::Body::from(
            json!({"answers": [{"item": item, "value": "nej", "remark": "x", "base_version": base}]})
                .to_string(),
        ))
        .expect("req");
    let r = w.t.send(req).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.json()["detail"]
            .as_str()
            .expect("detail")
            .starts_with("Someone else"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn bad_answers_and_incomplete_submits_are_422_naming_the_items() {
    let w = World::new().await;
    let (_, l1, _) = w.deep_case().await;
    let before = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);

    // One answer outside its scale refuses the whole save.
    let r = w
        .save(
            &w.leder,
            &l1,
            json!([
                {"item": "BL.UND.SYSTEMATISK", "value": "ja", "base_version": 0},
                {"item": "BL.UND.VURDERING_24T", "value": "maaske", "base_version": 0},
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let p = r.json();
    assert_eq!(
        p["problems"],
        json!([{"item": "BL.UND.VURDERING_24T", "key": "answer-not-a-choice", "detail": p["problems"][0]["detail"]}])
    );
    assert_eq!(p["status"], 422);
    assert!(
        p["detail"]
            .as_str()
            .expect("detail")
            .contains("Intet er gemt"),
        "{p}"
    );
    let r = w
        .save(
            &w.leder,
            &l1,
            json!([{"item": "BL.FINDES.IKKE", "value": "ja", "base_version": 0}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["key"], "answer-unknown-item");
    let same = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    assert_eq!(same["answers"], before["answers"], "nothing was saved");
    assert_eq!(same["version"], before["version"]);

    // (4) Submitting with answers missing: 422 listing every missing item, still open.
    let r = w.submit(&w.leder, &l1).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let p = r.json();
    assert!(
        p["detail"].as_str().expect("detail").contains("afleveres"),
        "{p}"
    );
    let problems = p["problems"].as_array().expect("problems");
    let missing: Vec<&str> = problems
        .iter()
        .filter(|x| x["key"] == "submit-missing-answer")
        .map(|x| x["item"].as_str().expect("item"))
        .collect();
    assert!(missing.contains(&"BL.UND.VURDERING_24T"), "{p}");
    assert!(missing.contains(&"BL.DOK.OVERSKUELIG"), "{p}");
    let applicable = before["progress"]["applicable"].as_u64().expect("n") as usize;
    let answered = before["progress"]["answered"].as_u64().expect("n") as usize;
    assert_eq!(missing.len(), applicable - answered, "{p}");
    let v = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    assert_eq!(v["status"], "open");

    // A remark is needed on "nej".
    w.answer_all(&w.leder, &l1, &[]).await;
    let v = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    let vurdering = v["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .find(|a| a["item"] == "BL.UND.VURDERING_24T")
        .expect("answered")
        .clone();
    ok(
        &w.save(
            &w.leder,
            &l1,
            json!([{"item": "BL.UND.VURDERING_24T", "value": "nej", "remark": "", "base_version": vurdering["version"]}]),
        )
        .await,
        StatusCode::OK,
    );
    let r = w.submit(&w.leder, &l1).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.json()["problems"],
        json!([{"item": "BL.UND.VURDERING_24T", "key": "submit-missing-remark", "detail": r.json()["problems"][0]["detail"]}])
    );

    // A submit naming an old version is a conflict: someone saved in between.
    let v = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    let version = v["version"].as_i64().expect("version");
    let r = call(
        &w.t,
        &w.leder,
        "POST",
        &format!("/api/v1/reviews/{l1}/submit"),
        Some(json!({"version": version - 1})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Marking a section not relevant takes its items out of the count; clearing puts them back.
    let r = call(
        &w.t,
        &w.leder,
        "PUT",
        &format!("/api/v1/reviews/{l1}/sections/DOKUMENTATION"),
        Some(json!({"reason": "Ikke relevant i denne sag"})),
    )
    .await;
    let marked = ok(&r, StatusCode::OK);
    let v = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    assert_eq!(v["marks"]["DOKUMENTATION"], "Ikke relevant i denne sag");
    let notatpligt = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == "BL.DOK.NOTATPLIGT")
        .expect("item");
    assert_eq!(notatpligt["applies"], false);
    assert_eq!(notatpligt["excluded"]["reason"], "marked");
    assert_eq!(notatpligt["excluded"]["section"], "DOKUMENTATION");
    let r = call(
        &w.t,
        &w.leder,
        "PUT",
        &format!("/api/v1/reviews/{l1}/sections/DOKUMENTATION"),
        Some(json!({"reason": ""})),
    )
    .await;
    let cleared = ok(&r, StatusCode::OK);
    assert_eq!(
        cleared["applicable"].as_u64().expect("n"),
        marked["applicable"].as_u64().expect("n") + 2
    );
    let r = call(
        &w.t,
        &w.leder,
        "PUT",
        &format!("/api/v1/reviews/{l1}/sections/FINDES_IKKE"),
        Some(json!({"reason": "x"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Complete now: submitted, and then read-only until reopened by whoever runs the round.
    let v = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    let item_version = v["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .find(|a| a["item"] == "BL.UND.VURDERING_24T")
        .expect("answered")["version"]
        .clone();
    ok(
        &w.save(
            &w.leder,
            &l1,
            json!([{"item": "BL.UND.VURDERING_24T", "value": "nej", "remark": "Uden vurdering", "base_version": item_version}]),
        )
        .await,
        StatusCode::OK,
    );
    let r = w.submit(&w.leder, &l1).await;
    assert_eq!(ok(&r, StatusCode::OK)["status"], "submitted");
    let r = w
        .save(
            &w.leder,
            &l1,
            json!([{"item": "BL.UND.VURDERING_24T", "value": "ja", "base_version": 0}]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let reopen = format!("/api/v1/reviews/{l1}/reopen");
    let r = call(
        &w.t,
        &w.jurist,
        "POST",
        &reopen,
        Some(json!({"reason": "Fejl"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = call(
        &w.t,
        &w.koordinator,
        "POST",
        &reopen,
        Some(json!({"reason": " "})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = call(
        &w.t,
        &w.koordinator,
        "POST",
        &reopen,
        Some(json!({"reason": "Svar på 1.1 skal uddybes"})),
    )
    .await;
    ok(&r, StatusCode::NO_CONTENT);
    let v = ok(&w.review(&w.leder, &l1).await, StatusCode::OK);
    assert_eq!(v["status"], "open");
}

#[tokio::test]
async fn reconciliation_escalation_and_reply_under_a_percent_encoded_case_key() {
    let w = World::new().await;
    let (key, l1, l2) = w.deep_case().await;
    assert!(key.contains('/'), "{key}");
    let case = format!("{}/cases/{}", w.base(), enc(&key));

    // Before both levels have submitted: no differences, and no replies yet.
    let r = ok(
        &call(
            &w.t,
            &w.koordinator,
            "GET",
            &format!("{case}/reconciliation"),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(r["case_key"], key.as_str());
    assert_eq!(r["complete"], false);
    assert_eq!(r["differences"], json!([]));
    let r = call(
        &w.t,
        &w.raadgiver,
        "POST",
        &format!("{case}/replies"),
        Some(json!({"text": "For tidligt"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // An escalation from the level-1 review, closed by whoever runs the round.
    let esc = format!("/api/v1/reviews/{l1}/escalations");
    let r = call(
        &w.t,
        &w.leder,
        "POST",
        &esc,
        Some(json!({"reason": "Barnet er ikke set", "due": "2020-01-01"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "due");
    let r = call(
        &w.t,
        &w.jurist,
        "POST",
        &esc,
        Some(json!({"reason": "Ikke min sag"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = call(
        &w.t,
        &w.leder,
        "POST",
        &esc,
        Some(json!({"reason": "Barnet er ikke set"})),
    )
    .await;
    let id = ok(&r, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let close = format!("/api/v1/escalations/{id}/close");
    let r = call(
        &w.t,
        &w.koordinator,
        "POST",
        &close,
        Some(json!({"note": ""})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = call(
        &w.t,
        &w.koordinator,
        "POST",
        &close,
        Some(json!({"note": "Hjemmebesøg aftalt"})),
    )
    .await;
    ok(&r, StatusCode::NO_CONTENT);

    // Both levels answer and submit; they differ on one item.
    w.answer_all(&w.leder, &l1, &[("BL.SCR.BEGRUNDELSE", "nej")])
        .await;
    ok(&w.submit(&w.leder, &l1).await, StatusCode::OK);
    w.answer_all(&w.jurist, &l2, &[]).await;
    ok(&w.submit(&w.jurist, &l2).await, StatusCode::OK);

    let r = ok(
        &call(
            &w.t,
            &w.koordinator,
            "GET",
            &format!("{case}/reconciliation"),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(r["complete"], true);
    assert_eq!(r["reviews"].as_array().expect("reviews").len(), 2);
    let diffs = r["differences"].as_array().expect("differences");
    assert_eq!(diffs.len(), 1, "{r}");
    assert_eq!(diffs[0]["item"], "BL.SCR.BEGRUNDELSE");
    assert_eq!(diffs[0]["by_level"][0]["level"], 1);
    assert_eq!(diffs[0]["by_level"][0]["answer"]["value"], "nej");
    assert_eq!(diffs[0]["by_level"][1]["level"], 2);
    assert_eq!(diffs[0]["by_level"][1]["answer"]["value"], "ja");
    assert!(diffs[0]["agreed"].is_null());

    // The agreed answer: whoever runs the round, not a reviewer of the case.
    let agreed =
        json!({"item": "BL.SCR.BEGRUNDELSE", "value": "ja", "note": "Begrundelsen står i notatet"});
    let r = call(
        &w.t,
        &w.jurist,
        "POST",
        &format!("{case}/agreed"),
        Some(agreed.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = call(
        &w.t,
        &w.koordinator,
        "POST",
        &format!("{case}/agreed"),
        Some(agreed),
    )
    .await;
    ok(&r, StatusCode::NO_CONTENT);

    // The caseworker replies; nobody else may.
    let r = call(
        &w.t,
        &w.leder,
        "POST",
        &format!("{case}/replies"),
        Some(json!({"text": "Ikke min sag"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = call(
        &w.t,
        &w.raadgiver,
        "POST",
        &format!("{case}/replies"),
        Some(json!({"text": "Begrundelsen blev givet mundtligt"})),
    )
    .await;
    ok(&r, StatusCode::CREATED);

    let r = ok(
        &call(
            &w.t,
            &w.raadgiver,
            "GET",
            &format!("{case}/reconciliation"),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(r["differences"][0]["agreed"]["value"], "ja");
    assert_eq!(
        r["differences"][0]["agreed"]["decided_by_name"],
        "Karsten Berg"
    );
    assert_eq!(r["replies"][0]["text"], "Begrundelsen blev givet mundtligt");
    assert_eq!(r["replies"][0]["author_name"], "Rikke Dam");

    // An unencoded slash is another path: not found, never another case.
    let r = call(
        &w.t,
        &w.koordinator,
        "GET",
        &format!("{}/cases/{key}/reconciliation", w.base()),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = call(
        &w.t,
        &w.koordinator,
        "GET",
        &format!(
            "{}/cases/{}/reconciliation",
            w.base(),
            enc("DUBU/S-9999999")
        ),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn people_outside_the_round_get_403_or_404_on_every_round_endpoint() {
    let w = World::new().await;
    let (key, l1, _) = w.deep_case().await;
    let r = call(
        &w.t,
        &w.leder,
        "POST",
        &format!("/api/v1/reviews/{l1}/escalations"),
        Some(json!({"reason": "Haster"})),
    )
    .await;
    let esc = ok(&r, StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let tv = ok(
        &call(&w.t, &w.koordinator, "GET", &w.base(), None).await,
        StatusCode::OK,
    )["template_version"]
        .clone();
    let base = w.base();
    let case = format!("{base}/cases/{}", enc(&key));
    let user = w.t.user_id("jurist").await;
    let endpoints: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/api/v1/rounds".into(), None),
        (
            "POST",
            "/api/v1/rounds".into(),
            Some(json!({"name": "X", "template_version": tv, "plan": plan()})),
        ),
        ("GET", base.clone(), None),
        (
            "PUT",
            format!("{base}/plan"),
            Some(json!({"name": "X", "plan": plan()})),
        ),
        (
            "POST",
            format!("{base}/sample"),
            Some(json!({"sample_id": Uuid::nil()})),
        ),
        (
            "POST",
            format!("{base}/state"),
            Some(json!({"to": "analysing"})),
        ),
        ("POST", format!("{base}/assign"), Some(json!({"level": 2}))),
        (
            "POST",
            format!("{base}/reassign"),
            Some(json!({"reviews": [l1], "reviewer": user})),
        ),
        ("GET", format!("{base}/reviews"), None),
        ("GET", format!("/api/v1/reviews/{l1}"), None),
        (
            "PUT",
            format!("/api/v1/reviews/{l1}/answers"),
            Some(
                json!({"answers": [{"item": "BL.UND.SYSTEMATISK", "value": "ja", "base_version": 0}]}),
            ),
        ),
        (
            "PUT",
            format!("/api/v1/reviews/{l1}/sections/DOKUMENTATION"),
            Some(json!({"reason": "x"})),
        ),
        (
            "POST",
            format!("/api/v1/reviews/{l1}/submit"),
            Some(json!({"version": 1})),
        ),
        (
            "POST",
            format!("/api/v1/reviews/{l1}/reopen"),
            Some(json!({"reason": "x"})),
        ),
        (
            "POST",
            format!("/api/v1/reviews/{l1}/escalations"),
            Some(json!({"reason": "x"})),
        ),
        (
            "POST",
            format!("/api/v1/escalations/{esc}/close"),
            Some(json!({"note": "x"})),
        ),
        ("GET", format!("{case}/reconciliation"), None),
        (
            "POST",
            format!("{case}/agreed"),
            Some(json!({"item": "BL.UND.SYSTEMATISK", "value": "ja", "note": "x"})),
        ),
        (
            "POST",
            format!("{case}/replies"),
            Some(json!({"text": "x"})),
        ),
    ];
    let before = w.t.store().round_reviews(w.round).await.expect("reviews");
    let mut failures = vec![];
    for who in ["admin", "udvalg", "panel"] {
        let token = w.t.token(who).await;
        for (method, path, body) in &endpoints {
            let r = call(&w.t, &token, method, path, body.clone()).await;
            if !matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
                failures.push(format!("{who} {method} {path}: {} {}", r.status, r.body));
            }
        }
    }
    for (method, path, body) in &endpoints {
        let body = body.as_ref().map(|b| b.to_string());
        let r = w.t.api(method, path, None, body.as_deref()).await;
        if r.status != StatusCode::UNAUTHORIZED {
            failures.push(format!("anonymous {method} {path}: {}", r.status));
        }
    }
    // Reviewers who do not run the round reach none of the runner's endpoints.
    for token in [&w.jurist, &w.raadgiver] {
        for (method, path) in [
            ("GET", "/api/v1/rounds".to_owned()),
            ("GET", base.clone()),
            ("GET", format!("{base}/reviews")),
        ] {
            let r = call(&w.t, token, method, &path, None).await;
            if !matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
                failures.push(format!("reviewer {method} {path}: {}", r.status));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        w.t.store()
            .round_reviews(w.round)
            .await
            .expect("reviews")
            .len(),
        before.len()
    );
    let after =
        w.t.store()
            .review(l1.parse().expect("id"))
            .await
            .expect("review");
    assert_eq!(
        after.version,
        before
            .iter()
            .find(|r| r.id.to_string() == l1)
            .expect("l1")
            .version
    );
    // Each refusal is in the audit log.
    let denied =
        w.t.audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "access.denied")
            .count();
    assert!(denied >= 3 * endpoints.len(), "{denied} denials logged");
}
