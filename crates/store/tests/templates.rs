//! Templates in the store: versions, drafts, publishing, the locked standard, copies, search,
//! and the file format — on whichever engine `TILSYN_TEST_DATABASE_URL` names.
#![allow(clippy::unwrap_used)]

use tilsyn_domain::audit::{Actor, AuditAction, AuditFilter};
use tilsyn_domain::template::edit::Edit;
use tilsyn_domain::template::{Text, VersionStatus};
use tilsyn_store::StoreError;
use tilsyn_store::templates::{ItemQuery, parse_file, to_file_json};
use tilsyn_store::testing::TestDb;

fn actor() -> Actor {
    Actor {
        username: Some("koordinator".into()),
        ..Actor::default()
    }
}

const FILE: &str = r#"{
  "schema": "tilsyn-template/1",
  "template": {
    "key": "EGEN-TEST",
    "title": {"da": "Egen test", "en": "Own test"},
    "kind": "compliance",
    "scales": [
      {"key": "ja_nej", "kind": "compliance", "label": {"da": "Ja/nej"},
       "points": [{"code": "ja", "label": {"da": "Ja"}}, {"code": "nej", "label": {"da": "Nej"}},
                  {"code": "ikke_relevant", "label": {"da": "Ikke relevant"}, "not_applicable": true}]}
    ],
    "sections": [
      {"key": "BFU", "kind": "case_step", "title": {"da": "Børnefaglig undersøgelse"},
       "items": [
         {"key": "T.BFU.UDFOERT", "text": {"da": "Er der udført en BFU?"}, "scale": "ja_nej", "compliant": ["ja"],
          "legal_refs": [{"law": "barnets lov", "paragraph": "20", "stk": "1"}]},
         {"key": "T.BFU.FRIST", "text": {"da": "Blev BFU afsluttet inden 4 måneder?"}, "scale": "ja_nej",
          "compliant": ["ja"], "remark_required_on": ["nej"],
          "legal_refs": [{"law": "barnets lov", "law_version": "LBK nr. 282 af 17/03/2025", "paragraph": "20", "stk": "3"}],
          "rule": {"answer_in": {"item": "T.BFU.UDFOERT", "values": ["ja"]}}}
       ]},
      {"key": "PLAN", "kind": "case_step", "title": {"da": "Barnets plan"},
       "rule": {"case_type_in": ["§ 46", "§ 47"]},
       "items": [
         {"key": "T.PLAN.3M", "text": {"da": "Blev barnets plan lavet inden 3 måneder?"}, "scale": "ja_nej",
          "compliant": ["ja"], "legal_refs": [{"law": "barnets lov", "paragraph": "91"}]}
       ]}
    ]
  }
}"#;

fn content() -> tilsyn_domain::template::TemplateContent {
    parse_file(FILE).expect("valid file")
}

async fn actions(db: &TestDb) -> Vec<String> {
    let f = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let mut v: Vec<String> = db
        .store
        .list_audit_events(&f)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    v.reverse();
    v
}

fn conflict(e: StoreError) -> &'static str {
    match e {
        StoreError::Conflict(k) => k,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn content_keys(e: StoreError) -> Vec<(String, &'static str)> {
    match e {
        StoreError::Content(errs) => errs.into_iter().map(|e| (e.at, e.key)).collect(),
        other => panic!("expected content errors, got {other:?}"),
    }
}

#[tokio::test]
async fn a_draft_is_edited_published_and_then_never_changes() {
    let db = TestDb::new().await;
    let s = &db.store;
    let v1 = s
        .import_template(&actor(), &content())
        .await
        .expect("import");
    assert_eq!(
        (v1.number, v1.status, v1.locked),
        (1, VersionStatus::Draft, false)
    );

    let edit = Edit::SetMeta {
        title: Text::new("Egen test 2026", ""),
        description: None,
        cannot_assess: true,
    };
    let edited = s
        .edit_draft(&actor(), "EGEN-TEST", 1, &edit)
        .await
        .expect("edit");
    assert_eq!(edited.meta.title, "Egen test 2026");
    assert!(edited.content.cannot_assess);

    // An edit that breaks a rule is refused whole and names the item.
    let bad = Edit::RemoveItem {
        key: "T.BFU.UDFOERT".into(),
    };
    let err = s
        .edit_draft(&actor(), "EGEN-TEST", 1, &bad)
        .await
        .expect_err("refused");
    assert_eq!(
        content_keys(err),
        vec![("T.BFU.FRIST".to_owned(), "err-tpl-rule-unknown-item")]
    );
    let still = s
        .template_version("EGEN-TEST", Some(1))
        .await
        .expect("read");
    assert!(still.content.item("T.BFU.UDFOERT").is_some());

    let published = s
        .publish_version(&actor(), "EGEN-TEST", 1)
        .await
        .expect("publish");
    assert_eq!(published.status, VersionStatus::Published);
    assert!(published.published_at.is_some());

    // Nothing changes a published version.
    assert_eq!(
        conflict(
            s.edit_draft(&actor(), "EGEN-TEST", 1, &edit)
                .await
                .unwrap_err()
        ),
        "err-tpl-not-draft"
    );
    assert_eq!(
        conflict(
            s.replace_draft(&actor(), "EGEN-TEST", 1, &content())
                .await
                .unwrap_err()
        ),
        "err-tpl-not-draft"
    );
    assert_eq!(
        conflict(s.discard_draft(&actor(), "EGEN-TEST", 1).await.unwrap_err()),
        "err-tpl-not-draft"
    );
    assert_eq!(
        conflict(
            s.publish_version(&actor(), "EGEN-TEST", 1)
                .await
                .unwrap_err()
        ),
        "err-tpl-not-draft"
    );
    let after = s
        .template_version("EGEN-TEST", Some(1))
        .await
        .expect("read");
    assert_eq!(after.meta.content_sha256, published.content_sha256);

    // The next version starts as a copy and remembers its parent.
    let v2 = s.new_draft(&actor(), "EGEN-TEST").await.expect("v2");
    assert_eq!(
        (v2.number, v2.parent.as_ref().map(|p| p.number)),
        (2, Some(1))
    );
    assert_eq!(
        conflict(s.new_draft(&actor(), "EGEN-TEST").await.unwrap_err()),
        "err-tpl-draft-exists"
    );
    // Rewording keeps the key; changing what counts as compliant needs a new key.
    let mut item = after.content.item("T.BFU.UDFOERT").expect("item").clone();
    item.text.da = "Er der gennemført en børnefaglig undersøgelse?".into();
    s.edit_draft(
        &actor(),
        "EGEN-TEST",
        2,
        &Edit::UpdateItem {
            key: item.key.clone(),
            item: item.clone(),
        },
    )
    .await
    .expect("reword");
    item.compliant = vec!["nej".into()];
    let err = s
        .edit_draft(
            &actor(),
            "EGEN-TEST",
            2,
            &Edit::UpdateItem {
                key: item.key.clone(),
                item,
            },
        )
        .await
        .expect_err("meaning");
    assert_eq!(
        content_keys(err),
        vec![("T.BFU.UDFOERT".to_owned(), "err-tpl-key-meaning-changed")]
    );
    s.publish_version(&actor(), "EGEN-TEST", 2)
        .await
        .expect("publish v2");
    let retired = s
        .retire_version(&actor(), "EGEN-TEST", 1)
        .await
        .expect("retire");
    assert_eq!(retired.status, VersionStatus::Retired);
    // The newest published version is the default.
    assert_eq!(
        s.template_version("EGEN-TEST", None)
            .await
            .expect("latest")
            .meta
            .number,
        2
    );

    assert_eq!(
        actions(&db).await,
        [
            "template.created",
            "template.draft_edited",
            "template.published",
            "template.draft_created",
            "template.draft_edited",
            "template.published",
            "template.retired"
        ]
    );
}

#[tokio::test]
async fn publishing_refuses_an_empty_section() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.import_template(&actor(), &content())
        .await
        .expect("import");
    let add = Edit::AddSection {
        parent: None,
        key: "NY".into(),
        kind: tilsyn_domain::template::SectionKind::Theme,
        title: Text::new("Nyt afsnit", ""),
        intro: None,
        rule: None,
    };
    s.edit_draft(&actor(), "EGEN-TEST", 1, &add)
        .await
        .expect("a draft may hold it");
    let err = s
        .publish_version(&actor(), "EGEN-TEST", 1)
        .await
        .expect_err("refused");
    assert_eq!(
        content_keys(err),
        vec![("NY".to_owned(), "err-tpl-section-empty")]
    );
    assert_eq!(
        s.template("EGEN-TEST").await.expect("t").versions[0].status,
        VersionStatus::Draft
    );
}

#[tokio::test]
async fn standard_templates_are_locked_and_copies_keep_keys_and_lineage() {
    let db = TestDb::new().await;
    let s = &db.store;
    let mut std = content();
    std.key = "STD-TEST".into();
    assert_eq!(
        s.ensure_standard_templates(&[std.clone()])
            .await
            .expect("load"),
        1
    );
    assert_eq!(
        s.ensure_standard_templates(&[std.clone()])
            .await
            .expect("again"),
        0
    );
    let t = s.template("STD-TEST").await.expect("std");
    assert!(t.locked);
    assert_eq!(t.versions[0].status, VersionStatus::Published);
    assert_eq!(
        conflict(s.new_draft(&actor(), "STD-TEST").await.unwrap_err()),
        "err-tpl-locked"
    );
    assert_eq!(
        conflict(s.import_template(&actor(), &std).await.unwrap_err()),
        "err-tpl-locked"
    );
    assert_eq!(
        conflict(s.retire_version(&actor(), "STD-TEST", 1).await.unwrap_err()),
        "err-tpl-locked"
    );

    let copy = s
        .copy_template(&actor(), "STD-TEST", 1, "EGEN-KOPI", "Vores egen udgave")
        .await
        .expect("copy");
    assert!(!copy.locked);
    assert_eq!(
        copy.parent
            .as_ref()
            .map(|p| (p.template_key.as_str(), p.number)),
        Some(("STD-TEST", 1))
    );
    let copied = s
        .template_version("EGEN-KOPI", Some(1))
        .await
        .expect("copy content");
    assert_eq!(copied.content.items().len(), std.items().len());
    assert!(copied.content.item("T.BFU.FRIST").is_some());
    assert_eq!(
        s.template("EGEN-KOPI")
            .await
            .expect("t")
            .copied_from
            .map(|v| v.template_key),
        Some("STD-TEST".into())
    );
    let taken = s
        .copy_template(&actor(), "STD-TEST", 1, "EGEN-KOPI", "")
        .await
        .expect_err("taken");
    assert_eq!(
        content_keys(taken),
        vec![("EGEN-KOPI".to_owned(), "err-tpl-key-taken")]
    );

    // A new release of the standard content adds a version and retires the old one.
    std.title.da = "Standard, ny udgave".into();
    assert_eq!(
        s.ensure_standard_templates(&[std]).await.expect("update"),
        1
    );
    let t = s.template("STD-TEST").await.expect("std");
    let states: Vec<_> = t.versions.iter().map(|v| (v.number, v.status)).collect();
    assert_eq!(
        states,
        [(2, VersionStatus::Published), (1, VersionStatus::Retired)]
    );
}

#[tokio::test]
async fn items_are_found_by_words_and_by_paragraph() {
    let db = TestDb::new().await;
    let s = &db.store;
    s.import_template(&actor(), &content())
        .await
        .expect("import");
    let by_par = s
        .search_items(&ItemQuery {
            paragraph: Some("§ 20".into()),
            ..Default::default()
        })
        .await
        .expect("search");
    let keys: Vec<_> = by_par.iter().map(|h| h.item_key.as_str()).collect();
    assert_eq!(keys, ["T.BFU.UDFOERT", "T.BFU.FRIST"]);
    let by_91 = s
        .search_items(&ItemQuery {
            paragraph: Some("91".into()),
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(by_91.len(), 1);
    let by_word = s
        .search_items(&ItemQuery {
            text: Some("MÅNEDER".into()),
            ..Default::default()
        })
        .await
        .expect("search");
    let keys: Vec<_> = by_word.iter().map(|h| h.item_key.as_str()).collect();
    assert_eq!(keys, ["T.BFU.FRIST", "T.PLAN.3M"]);
    // Wildcards typed by a person are literal.
    let none = s
        .search_items(&ItemQuery {
            text: Some("%".into()),
            ..Default::default()
        })
        .await
        .expect("search");
    assert!(none.is_empty());
}

#[tokio::test]
async fn a_file_round_trips_exactly_and_bad_files_store_nothing() {
    let db = TestDb::new().await;
    let s = &db.store;
    let original = content();
    s.import_template(&actor(), &original)
        .await
        .expect("import");
    let stored = s
        .template_version("EGEN-TEST", Some(1))
        .await
        .expect("read");
    let text = to_file_json(&stored.content);
    assert_eq!(parse_file(&text).expect("re-read"), original);

    let other = TestDb::new().await;
    other
        .store
        .import_template(&actor(), &parse_file(&text).expect("parse"))
        .await
        .expect("import");
    let again = other
        .store
        .template_version("EGEN-TEST", Some(1))
        .await
        .expect("read");
    assert_eq!(again.content, original);
    assert_eq!(again.meta.content_sha256, stored.meta.content_sha256);

    let broken =
        parse_file("{\"schema\": \"tilsyn-template/1\",\n \"template\": {").expect_err("syntax");
    assert_eq!(
        (broken[0].key, broken[0].detail.as_str()),
        ("err-tpl-file-syntax", "2:14")
    );
    let wrong =
        parse_file(&FILE.replace("tilsyn-template/1", "tilsyn-template/9")).expect_err("schema");
    assert_eq!(
        (wrong[0].key, wrong[0].detail.as_str()),
        ("err-tpl-file-schema", "tilsyn-template/9")
    );
    let typed = parse_file(&FILE.replace("\"kind\": \"case_step\"", "\"kind\": \"kapitel\""))
        .expect_err("type");
    assert_eq!(typed[0].key, "err-tpl-file-type");
    assert!(
        typed[0].at.starts_with("template.sections[0]"),
        "{}",
        typed[0].at
    );
    let dup = parse_file(&FILE.replace("T.PLAN.3M", "T.BFU.FRIST")).expect_err("duplicate");
    assert_eq!(
        (dup[0].at.as_str(), dup[0].key),
        ("T.BFU.FRIST", "err-tpl-duplicate-item")
    );
    let empty = parse_file(&FILE.replace("\"Er der udført en BFU?\"", "\"\"")).expect_err("empty");
    assert_eq!(
        (empty[0].at.as_str(), empty[0].field, empty[0].key),
        ("T.BFU.UDFOERT", "text", "err-tpl-text-empty")
    );

    let fresh = TestDb::new().await;
    let mut no_compliant = original.clone();
    no_compliant.sections[0].items[0].compliant.clear();
    let err = fresh
        .store
        .import_template(&actor(), &no_compliant)
        .await
        .expect_err("refused");
    assert_eq!(
        content_keys(err),
        vec![("T.BFU.UDFOERT".to_owned(), "err-tpl-no-compliant")]
    );
    assert!(fresh.store.list_templates().await.expect("list").is_empty());
    assert!(actions(&fresh).await.is_empty());
}

#[tokio::test]
async fn a_template_event_names_the_version() {
    let db = TestDb::new().await;
    db.store
        .import_template(&actor(), &content())
        .await
        .expect("import");
    let f = AuditFilter {
        limit: 10,
        action: Some(AuditAction::TemplateCreated),
        ..Default::default()
    };
    let ev = db.store.list_audit_events(&f).await.expect("audit");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0].details.get("template").map(String::as_str),
        Some("EGEN-TEST")
    );
    assert_eq!(ev[0].details.get("version").map(String::as_str), Some("1"));
    assert_eq!(ev[0].actor_username.as_deref(), Some("koordinator"));
}

#[tokio::test]
async fn every_standard_template_loads_and_round_trips_through_its_file() {
    let standard = tilsyn_store::standard::templates().expect("standard content");
    assert_eq!(standard.len(), tilsyn_store::standard::FILES.len());
    let db = TestDb::new().await;
    assert_eq!(
        db.store
            .ensure_standard_templates(&standard)
            .await
            .expect("load"),
        standard.len()
    );
    let other = TestDb::new().await;
    for content in &standard {
        assert_eq!(content.check_for_publish(), vec![], "{}", content.key);
        let stored = db
            .store
            .template_version(&content.key, None)
            .await
            .expect("published");
        assert!(stored.meta.locked);
        assert_eq!(&stored.content, content);
        // Export, then import into another installation: the same version, byte for byte.
        let file = to_file_json(&stored.content);
        let parsed = parse_file(&file).expect("exported file parses");
        let meta = other
            .store
            .import_template(&actor(), &parsed)
            .await
            .expect("import");
        let again = other
            .store
            .template_version(&content.key, Some(meta.number))
            .await
            .expect("read");
        assert_eq!(again.content, stored.content, "{}", content.key);
        assert_eq!(
            again.meta.content_sha256, stored.meta.content_sha256,
            "{}",
            content.key
        );
        assert_eq!(to_file_json(&again.content), file);
    }
    // "Which items cite § 20?" finds the BFU items of the overordnet template.
    let hits = db
        .store
        .search_items(&ItemQuery {
            paragraph: Some("§ 20".into()),
            ..Default::default()
        })
        .await
        .expect("search");
    assert!(
        hits.iter().any(|h| h.item_key == "BL.BFU.FRIST_4M"),
        "{hits:?}"
    );
    assert!(hits.iter().all(|h| {
        let c = standard
            .iter()
            .find(|c| c.key == h.template_key)
            .expect("template");
        c.item(&h.item_key)
            .expect("item")
            .legal_refs
            .iter()
            .any(|r| r.cites("20"))
    }));
}
