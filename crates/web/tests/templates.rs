//! Templates over HTTP: pages and API read the same versions, refuse the same changes, and
//! nothing changes a published version.

mod common;

use axum::http::StatusCode;
use common::TestApp;

const MINI: &str = r#"{"schema": "tilsyn-template/1", "template": {
  "key": "EGEN-MINI", "title": {"da": "Egen mini"}, "kind": "compliance",
  "scales": [{"key": "ja_nej", "kind": "compliance", "label": {"da": "Ja/nej"},
    "points": [{"code": "ja", "label": {"da": "Ja"}}, {"code": "nej", "label": {"da": "Nej"}},
               {"code": "ikke_relevant", "label": {"da": "Ikke relevant"}, "not_applicable": true}]}],
  "sections": [{"key": "S1", "kind": "case_step", "title": {"da": "Afsnit"},
    "items": [{"key": "M.1", "text": {"da": "Første spørgsmål"}, "scale": "ja_nej", "compliant": ["ja"]},
              {"key": "M.2", "text": {"da": "Andet spørgsmål"}, "scale": "ja_nej", "compliant": ["ja"],
               "rule": {"answer_in": {"item": "M.1", "values": ["nej"]}}}]}]}}"#;

#[tokio::test]
async fn the_preview_hides_placement_and_16_plus_items_for_a_young_32_case_and_says_why() {
    let t = TestApp::with_templates().await;
    let mut b = t.login("raadgiver").await;
    let events_before = t.audit_events().await.len();
    let base = "/templates/BL-OVERORDNET/v/1/preview";
    let young = t
        .get(&mut b, &format!("{base}?case_type=%C2%A7+32&age=10"))
        .await;
    assert_eq!(young.status, StatusCode::OK);
    let hidden = young.select("details.hidden-item");
    let shown = young.select("div.review-item legend");
    assert!(
        hidden.iter().any(|h| h.contains("§ 46")),
        "placement reason: {hidden:?}"
    );
    assert!(hidden.iter().any(|h| h.contains("16")), "16+ reason");
    let hidden_ids: Vec<String> = young
        .html()
        .select(&scraper::Selector::parse("details.hidden-item").expect("css"))
        .filter_map(|e| e.value().attr("id").map(str::to_owned))
        .collect();
    assert!(
        hidden_ids.contains(&"item-BL.PLAN.UNGEPLAN_16".to_owned()),
        "{hidden_ids:?}"
    );
    assert!(hidden_ids.contains(&"item-BL.PLAN.PLAN_3M".to_owned()));
    // The party-rights item (from 10) applies to a 10-year-old in a § 32 case.
    assert!(!hidden_ids.contains(&"item-BL.INDD.PARTSRETTIGHEDER_10".to_owned()));
    assert!(!shown.is_empty());

    let older = t
        .get(&mut b, &format!("{base}?case_type=%C2%A7+46&age=16"))
        .await;
    let ids: Vec<String> = older
        .html()
        .select(&scraper::Selector::parse("div.review-item").expect("css"))
        .filter_map(|e| e.value().attr("id").map(str::to_owned))
        .collect();
    assert!(
        ids.contains(&"item-BL.PLAN.UNGEPLAN_16".to_owned()),
        "{ids:?}"
    );
    assert!(ids.contains(&"item-BL.PLAN.PLAN_3M".to_owned()));
    // Reading a template is not case data: a preview writes nothing, not even to the log.
    assert_eq!(t.audit_events().await.len(), events_before);
}

#[tokio::test]
async fn an_answer_reveals_the_dependent_question() {
    let t = TestApp::with_templates().await;
    let mut b = t.login("leder").await;
    let base = "/templates/BL-OVERORDNET/v/1/preview?case_type=%C2%A7+32&age=8";
    let before = t.get(&mut b, base).await;
    assert!(before.select("details#item-BL\\.BFU\\.FRIST_4M").len() == 1);
    let after = t
        .get(&mut b, &format!("{base}&a.BL.BFU.GENNEMFOERT=ja"))
        .await;
    assert_eq!(after.select("div#item-BL\\.BFU\\.FRIST_4M").len(), 1);
    assert_eq!(
        after
            .select("input[name='a.BL.BFU.GENNEMFOERT'][value='ja'][checked]")
            .len(),
        1
    );
}

#[tokio::test]
async fn the_api_refuses_every_change_to_a_published_version() {
    let t = TestApp::with_templates().await;
    let token = t.token("koordinator").await;
    let created = t
        .api("POST", "/api/v1/templates", Some(&token), Some(MINI))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.json()["status"], "draft");
    let edit = r#"{"op": "move_item", "key": "M.2", "up": true}"#;
    // Moving M.2 above M.1 would make its rule read forward: refused, naming the item.
    let r = t
        .api(
            "POST",
            "/api/v1/templates/EGEN-MINI/versions/1/edits",
            Some(&token),
            Some(edit),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = r.json();
    assert_eq!(p["errors"][0]["field"], "M.2.rule");
    assert!(
        p["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("M.1")
    );
    let publish = t
        .api(
            "POST",
            "/api/v1/templates/EGEN-MINI/versions/1/publish",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(publish.status, StatusCode::OK);
    let sha = publish.json()["content_sha256"].clone();
    let meta = r#"{"op": "set_meta", "title": {"da": "Ændret"}}"#;
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/templates/EGEN-MINI/versions/1/edits",
            Some(meta),
        ),
        ("PUT", "/api/v1/templates/EGEN-MINI/versions/1", Some(MINI)),
        ("DELETE", "/api/v1/templates/EGEN-MINI/versions/1", None),
        (
            "POST",
            "/api/v1/templates/EGEN-MINI/versions/1/publish",
            None,
        ),
    ] {
        let r = t.api(method, path, Some(&token), body).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{method} {path}");
        assert!(
            r.json()["detail"]
                .as_str()
                .expect("detail")
                .contains("udgivet")
        );
    }
    let now = t
        .api(
            "GET",
            "/api/v1/templates/EGEN-MINI/versions/1",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(now["meta"]["content_sha256"], sha);
    assert_eq!(now["file"]["template"]["title"]["da"], "Egen mini");
    // Locked standard templates refuse drafts and edits.
    let r = t
        .api(
            "POST",
            "/api/v1/templates/BL-OVERORDNET/drafts",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = t
        .api(
            "POST",
            "/api/v1/templates/BL-OVERORDNET/versions/1/edits",
            Some(&token),
            Some(meta),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_page_editor_refuses_a_published_version_and_a_bad_item() {
    let t = TestApp::with_templates().await;
    let mut b = t.login("koordinator").await;
    let r = t
        .post(
            &mut b,
            "/templates/BL-OVERORDNET/v/1/copy",
            &[("key", "EGEN-KOPI"), ("title", "Vores overordnede")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/templates/EGEN-KOPI/v/1/edit"));
    // An item without text is refused whole, the summary names it, nothing is saved.
    let r = t
        .post(
            &mut b,
            "/templates/EGEN-KOPI/v/1/edit/item",
            &[
                ("original", "BL.BFU.FRIST_4M"),
                ("key", "BL.BFU.FRIST_4M"),
                ("text_da", ""),
                ("scale", "ja_nej"),
                ("compliant", "ja"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = r.select(".error-summary li").join(" ");
    assert!(
        summary.contains("BL.BFU.FRIST_4M") && summary.contains("Teksten mangler"),
        "{summary}"
    );
    let v = t
        .store()
        .template_version("EGEN-KOPI", Some(1))
        .await
        .expect("read");
    assert!(
        !v.content
            .item("BL.BFU.FRIST_4M")
            .expect("item")
            .text
            .da
            .is_empty()
    );
    // A rewording is saved; the key stays comparable with the standard.
    let r = t
        .post(
            &mut b,
            "/templates/EGEN-KOPI/v/1/edit/item",
            &[
                ("original", "BL.BFU.FRIST_4M"),
                ("key", "BL.BFU.FRIST_4M"),
                (
                    "text_da",
                    "Blev undersøgelsen afsluttet inden for 4 måneder?",
                ),
                ("scale", "ja_nej"),
                ("compliant", "ja"),
                ("remark_on", "nej"),
                (
                    "legal_refs",
                    "barnets lov § 20, stk. 3 (LBK nr. 282 af 17/03/2025)",
                ),
                ("rule_answer_item", "BL.BFU.GENNEMFOERT"),
                ("rule_answer_values", "ja"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&mut b, "/templates/EGEN-KOPI/v/1").await;
    assert!(page.body.contains("Omformuleret"));
    let r = t
        .post(&mut b, "/templates/EGEN-KOPI/v/1/publish", &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = t.get(&mut b, "/templates/EGEN-KOPI/v/1/edit").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = t
        .post(
            &mut b,
            "/templates/EGEN-KOPI/v/1/edit/meta",
            &[("title_da", "Ny titel")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        t.store()
            .template_version("EGEN-KOPI", Some(1))
            .await
            .expect("read")
            .content
            .title
            .da,
        "Vores overordnede"
    );
}

#[tokio::test]
async fn only_admins_and_coordinators_change_templates() {
    let t = TestApp::with_templates().await;
    for user in ["leder", "raadgiver", "jurist", "udvalg"] {
        let mut b = t.login(user).await;
        assert_eq!(
            t.get(&mut b, "/templates").await.status,
            StatusCode::OK,
            "{user}"
        );
        let r = t
            .post(
                &mut b,
                "/templates/BL-OVERORDNET/v/1/copy",
                &[("key", "X-1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let token = t.token(user).await;
        let r = t
            .api("POST", "/api/v1/templates", Some(&token), Some(MINI))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    assert!(t.store().template("X-1").await.is_err());
    assert!(t.store().template("EGEN-MINI").await.is_err());
}

#[tokio::test]
async fn bad_files_are_refused_whole_with_the_place_named() {
    let t = TestApp::with_templates().await;
    let token = t.token("admin").await;
    let dup = MINI.replace("\"M.2\"", "\"M.1\"");
    let r = t
        .api("POST", "/api/v1/templates", Some(&token), Some(&dup))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(fields.contains(&"M.1.key".to_owned()), "{fields:?}");
    let wrong = MINI.replace("tilsyn-template/1", "tilsyn-template/2");
    let r = t
        .api("POST", "/api/v1/templates", Some(&token), Some(&wrong))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["errors"][0]["detail"]
            .as_str()
            .expect("d")
            .contains("tilsyn-template/2")
    );
    assert!(t.store().template("EGEN-MINI").await.is_err());
    let search = t
        .api(
            "GET",
            "/api/v1/template-items?paragraph=%C2%A7%2020",
            Some(&token),
            None,
        )
        .await;
    let hits = search.json();
    assert!(
        hits.as_array()
            .expect("hits")
            .iter()
            .any(|h| h["item_key"] == "BL.BFU.FRIST_4M")
    );
}

#[tokio::test]
async fn the_api_preview_explains_exclusions() {
    let t = TestApp::with_templates().await;
    let token = t.token("jurist").await;
    let body = r#"{"facts": {"case_type": "§ 32", "age": 10}}"#;
    let r = t
        .api(
            "POST",
            "/api/v1/templates/BL-OVERORDNET/versions/1/preview",
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    let item = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["key"] == "BL.PLAN.UNGEPLAN_16")
        .expect("ungeplan item")
        .clone();
    assert_eq!(item["applies"], false);
    assert!(item["reason"].as_str().expect("reason").contains("§ 46"));
}

#[tokio::test]
async fn exports_download_the_file_and_the_workbook() {
    let t = TestApp::with_templates().await;
    let mut b = t.login("leder").await;
    let r = t
        .get(&mut b, "/templates/KM-ORGANISATION-LEDELSE/v/1/export.json")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let parsed = tilsyn_store::templates::parse_file(&r.body).expect("valid file");
    assert_eq!(parsed.items().len(), 6);
    let r = t
        .get(&mut b, "/templates/KM-ORGANISATION-LEDELSE/v/1/export.xlsx")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .contains("KM-ORGANISATION-LEDELSE-v1.xlsx")
    );
}

#[tokio::test]
async fn a_new_template_starts_as_an_empty_draft_and_cannot_take_a_used_key() {
    let t = TestApp::with_templates().await;
    let mut b = t.login("admin").await;
    let r = t
        .post(
            &mut b,
            "/templates/new",
            &[
                ("key", "EGEN-NY"),
                ("title", "Vores egen"),
                ("kind", "thematic"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/templates/EGEN-NY/v/1/edit"));
    let v = t
        .store()
        .template_version("EGEN-NY", Some(1))
        .await
        .expect("draft");
    assert_eq!(
        v.content.kind,
        tilsyn_domain::template::TemplateKind::Thematic
    );
    assert!(v.content.sections.is_empty());
    // Publishing an empty template is refused with the reason.
    let r = t.post(&mut b, "/templates/EGEN-NY/v/1/publish", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.select(".error-summary li")
            .join(" ")
            .contains("ingen afsnit")
    );
    let r = t
        .post(
            &mut b,
            "/templates/new",
            &[("key", "BL-OVERORDNET"), ("title", "X")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.select(".error-summary li")
            .join(" ")
            .contains("allerede brugt")
    );
    assert_eq!(
        t.store()
            .template("BL-OVERORDNET")
            .await
            .expect("std")
            .versions
            .len(),
        1
    );
}
