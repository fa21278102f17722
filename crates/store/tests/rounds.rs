//! Rounds in the store: plan and scope, attaching a sample, versioned answers and their
//! conflicts, submit/reopen, section marks, task lists, going back to draft, agreed answers,
//! escalations, replies and the all-or-nothing answers import — on whichever engine
//! `TILSYN_TEST_DATABASE_URL` names.
//!
//! The tests run on a multi-threaded runtime: a store call that fails after opening a
//! transaction leaves its rollback to a task sqlx spawns when the connection goes back to the
//! pool. On a current-thread runtime that task cannot run once the test body has returned and
//! `TestDb`'s drop blocks the thread, so on PostgreSQL the open transaction's locks would hold
//! up the `DROP SCHEMA` of the test schema for ever.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use std::collections::BTreeMap;
use tilsyn_domain::Role;
use tilsyn_domain::UserId;
use tilsyn_domain::audit::{Actor, AuditAction, AuditEvent, AuditFilter};
use tilsyn_domain::cases::CaseRecord;
use tilsyn_domain::org::{FullName, User, Username};
use tilsyn_domain::review::{CountingRule, Entry, Progress, ReviewStatus};
use tilsyn_domain::round::{
    Member, Milestone, MilestoneKind, ReviewRules, RoundKind, RoundPlan, RoundState,
};
use tilsyn_domain::sampling::{
    Allocation, SampleCase, SampleFrame, SampleSpec, Strata, draw_levels,
};
use tilsyn_store::rounds::{AnswerChange, ImportedReview, NewRoundCase, Review};
use tilsyn_store::samples::register_fingerprint;
use tilsyn_store::testing::TestDb;
use tilsyn_store::{Store, StoreError};
use uuid::Uuid;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn conflict(e: StoreError) -> &'static str {
    match e {
        StoreError::Conflict(k) => k,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn as_user(u: &User) -> Actor {
    Actor {
        user_id: Some(u.id),
        username: Some(u.username.clone()),
        ..Actor::default()
    }
}

async fn user(s: &Store, name: &str, full: &str) -> User {
    s.create_user(
        &Actor::cli(Some("admin".into())),
        &Username::parse(name).unwrap(),
        &FullName::parse(full).unwrap(),
        None,
    )
    .await
    .unwrap()
}

async fn events(s: &Store, action: AuditAction) -> Vec<AuditEvent> {
    s.list_audit_events(&AuditFilter {
        action: Some(action),
        limit: 100,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// The published version of the standard broad template.
async fn template_version(s: &Store) -> Uuid {
    s.ensure_standard_templates(&tilsyn_store::standard::templates().unwrap())
        .await
        .unwrap();
    s.template("BL-OVERORDNET")
        .await
        .unwrap()
        .latest_published()
        .expect("a published standard version")
        .id
}

fn sample_case(i: usize) -> SampleCase {
    SampleCase {
        key: format!("DUBU/{i:03}"),
        case_type: "§ 32".into(),
        unit: Some(if i.is_multiple_of(2) { "Nord" } else { "Syd" }.into()),
        caseworker: Some(format!("sb{}", i % 3)),
        start: Some(day(2024, 3, 1)),
        ..Default::default()
    }
}

/// Draws `size` cases (and `nested` below them) from a small register and stores the sample.
/// Returns the sample id and the selected keys per level.
async fn drawn_sample(s: &Store, size: usize, nested: &[usize]) -> (Uuid, Vec<Vec<String>>) {
    let cases: Vec<SampleCase> = (1..=12).map(sample_case).collect();
    let spec = SampleSpec {
        frame: SampleFrame::new(day(2025, 6, 1)),
        strata: Strata::none(),
        allocation: Allocation::Proportional,
        target: size,
        coverage: false,
        caseworker_last_sampled: BTreeMap::new(),
        seed: 42,
    };
    let levels = draw_levels(&cases, &spec, nested).unwrap();
    let id = s
        .save_sample(
            &Actor::cli(Some("koordinator".into())),
            "koordinator",
            &spec,
            nested,
            &[],
            &register_fingerprint(&cases),
            &levels,
        )
        .await
        .unwrap();
    let keys = levels.iter().map(|l| l.selected.clone()).collect();
    (id, keys)
}

fn record(key: &str) -> CaseRecord {
    let (source, id) = key.split_once('/').unwrap();
    CaseRecord {
        source: source.into(),
        external_id: id.into(),
        case_type: "§ 32".into(),
        caseworker: Some("sb1".into()),
        unit: Some("Nord".into()),
        measure_start: Some(day(2024, 3, 1)),
        ..Default::default()
    }
}

fn new_case(key: &str, depth: u8, prefills: &[(&str, &str)]) -> NewRoundCase {
    NewRoundCase {
        key: key.into(),
        depth,
        record: record(key),
        prefills: prefills
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        progress: Progress {
            answered: prefills.len(),
            applicable: 10,
        },
    }
}

fn plan() -> RoundPlan {
    RoundPlan {
        kind: RoundKind::Broad,
        level_sizes: vec![3, 1],
        themes: vec![],
        theme_spots: vec![],
        working_group: vec![],
        schedule: vec![],
        baseline: false,
        rules: ReviewRules::default(),
        counting: CountingRule::default(),
        reference_date: day(2025, 6, 1),
        start_point: String::new(),
        look_back_months: 12,
    }
}

fn change(item: &str, value: &str, base_version: i64) -> AnswerChange {
    AnswerChange {
        item: item.into(),
        value: value.into(),
        remark: String::new(),
        override_reason: String::new(),
        base_version,
    }
}

/// Progress as "non-empty values of 10 items".
fn count_of_10(entries: &BTreeMap<String, Entry>) -> Progress {
    Progress {
        answered: entries.values().filter(|e| !e.value.is_empty()).count(),
        applicable: 10,
    }
}

struct World {
    db: TestDb,
    tv: Uuid,
    koordinator: User,
}

impl World {
    async fn new() -> World {
        let db = TestDb::new().await;
        let tv = template_version(&db.store).await;
        let koordinator = user(&db.store, "koordinator", "Karen Koordinator").await;
        World {
            db,
            tv,
            koordinator,
        }
    }

    fn store(&self) -> &Store {
        &self.db.store
    }

    fn actor(&self) -> Actor {
        as_user(&self.koordinator)
    }

    /// A draft round with the standard plan and no scope.
    async fn round(&self, name: &str) -> Uuid {
        self.store()
            .create_round(
                &self.actor(),
                "Karen Koordinator",
                name,
                self.tv,
                &plan(),
                &[],
            )
            .await
            .unwrap()
    }

    /// A round with a fresh sample attached for `cases` (the keys need not be the sample's).
    async fn sampled_round(&self, name: &str, cases: &[NewRoundCase]) -> Uuid {
        let round = self.round(name).await;
        let (sample, _) = drawn_sample(self.store(), 3, &[]).await;
        self.store()
            .attach_sample(&self.actor(), round, sample, cases)
            .await
            .unwrap();
        round
    }

    async fn review_of(&self, round: Uuid, key: &str, level: u8) -> Review {
        self.store()
            .case_reviews(round, key)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.level == level)
            .unwrap_or_else(|| panic!("no review of {key} at level {level}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_keeps_its_plan_and_scope_and_is_logged() {
    let w = World::new().await;
    let s = w.store();
    let lawyer = user(s, "jurist", "Jens Jurist").await;
    let plan = RoundPlan {
        kind: RoundKind::Thematic,
        level_sizes: vec![20, 5, 2],
        themes: vec!["Handleplaner".into(), "Børnesamtaler".into()],
        theme_spots: vec!["TEMA.1".into()],
        working_group: vec![
            Member {
                user: w.koordinator.id,
                role: Role::Coordinator,
            },
            Member {
                user: lawyer.id,
                role: Role::Lawyer,
            },
        ],
        schedule: vec![Milestone {
            kind: MilestoneKind::ReviewEnd,
            date: day(2025, 9, 30),
        }],
        baseline: true,
        rules: ReviewRules {
            peer_review: true,
            level2_other_unit: true,
        },
        counting: CountingRule::Agreed,
        reference_date: day(2025, 8, 1),
        start_point: "Seneste underretning".into(),
        look_back_months: 18,
    };
    let scope = vec!["Nord".to_owned(), "Syd".to_owned()];
    let first = w.round("Forårsrunde").await;
    let id = s
        .create_round(
            &w.actor(),
            "Karen Koordinator",
            "Temarunde",
            w.tv,
            &plan,
            &scope,
        )
        .await
        .unwrap();

    let r = s.round(id).await.unwrap();
    assert_eq!(r.id, id);
    assert_eq!(r.name, "Temarunde");
    assert_eq!(r.state, RoundState::Draft);
    assert_eq!(r.template_version_id, w.tv);
    assert_eq!(r.sample_id, None);
    assert_eq!(r.plan, plan, "the whole plan round-trips");
    assert_eq!(r.scope, scope);
    assert_eq!(r.created_by, Some(w.koordinator.id));
    assert_eq!(r.created_by_name.as_deref(), Some("Karen Koordinator"));
    assert_eq!(s.round(first).await.unwrap().scope, Vec::<String>::new());
    assert!(matches!(
        s.round(Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));

    // Newest first, nothing drawn yet.
    let list = s.list_rounds().await.unwrap();
    let ids: Vec<Uuid> = list.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![id, first]);
    assert_eq!(list[0].kind, RoundKind::Thematic);
    assert_eq!(list[1].kind, RoundKind::Broad);
    assert_eq!(list[0].state, RoundState::Draft);
    assert_eq!(
        (list[0].cases, list[0].reviews, list[0].submitted),
        (0, 0, 0)
    );

    let created = events(s, AuditAction::RoundCreated).await;
    assert_eq!(created.len(), 2);
    let ev = created
        .iter()
        .find(|e| e.resource_id.as_deref() == Some(id.to_string().as_str()))
        .expect("round.created for the round");
    assert_eq!(ev.action, "round.created");
    assert_eq!(ev.resource_kind, "round");
    assert_eq!(ev.actor_id, Some(w.koordinator.id.0));
    assert_eq!(ev.actor_username.as_deref(), Some("koordinator"));
    let d = |k: &str| ev.details.get(k).map(String::as_str);
    assert_eq!(d("name"), Some("Temarunde"));
    assert_eq!(d("kind"), Some("thematic"));
    assert_eq!(d("scope"), Some("Nord, Syd"));
    assert_eq!(d("template_version"), Some(w.tv.to_string().as_str()));

    // The plan may change while the round is a draft.
    let mut changed = plan.clone();
    changed.level_sizes = vec![25, 5];
    s.update_round_plan(&w.actor(), id, "Temarunde 2", &changed)
        .await
        .unwrap();
    let r = s.round(id).await.unwrap();
    assert_eq!((r.name.as_str(), r.plan), ("Temarunde 2", changed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attaching_a_sample_creates_cases_and_one_review_per_level() {
    let w = World::new().await;
    let s = w.store();
    let (sample, levels) = drawn_sample(s, 3, &[1]).await;
    assert_eq!(levels.len(), 2);
    assert_eq!(levels[0].len(), 3);
    assert_eq!(levels[1].len(), 1);
    let deep = levels[1][0].clone();
    assert!(levels[0].contains(&deep));
    let cases: Vec<NewRoundCase> = levels[0]
        .iter()
        .map(|k| {
            if *k == deep {
                new_case(k, 2, &[("BL.FRIST", "ja"), ("BL.PLAN", "nej")])
            } else {
                new_case(k, 1, &[("BL.FRIST", "nej")])
            }
        })
        .collect();
    let round = w.round("Runde").await;
    s.attach_sample(&w.actor(), round, sample, &cases)
        .await
        .unwrap();

    let r = s.round(round).await.unwrap();
    assert_eq!(r.state, RoundState::Sampled);
    assert_eq!(r.sample_id, Some(sample));

    let stored = s.round_cases(round).await.unwrap();
    let mut keys = levels[0].clone();
    keys.sort();
    assert_eq!(
        stored.iter().map(|c| c.key.clone()).collect::<Vec<_>>(),
        keys
    );
    for c in &stored {
        assert_eq!(c.depth, if c.key == deep { 2 } else { 1 });
        assert_eq!(c.record, record(&c.key), "the facts are kept as drawn");
    }
    assert_eq!(s.round_case(round, &deep).await.unwrap().depth, 2);
    assert!(matches!(
        s.round_case(round, "DUBU/nope").await,
        Err(StoreError::NotFound)
    ));

    let reviews = s.round_reviews(round).await.unwrap();
    assert_eq!(reviews.len(), 4, "three at level 1, one at level 2");
    for r in &reviews {
        assert_eq!(r.round_id, round);
        assert_eq!(r.status, ReviewStatus::Open);
        assert_eq!(r.version, 0);
        assert_eq!(r.reviewer, None);
        assert!(r.participants.is_empty());
        assert!(r.marks.is_empty());
        assert_eq!(r.submitted_at, None);
    }
    let of_deep = s.case_reviews(round, &deep).await.unwrap();
    assert_eq!(
        of_deep.iter().map(|r| r.level).collect::<Vec<_>>(),
        vec![1, 2]
    );
    for r in &of_deep {
        assert_eq!(
            r.progress,
            Progress {
                answered: 2,
                applicable: 10
            }
        );
        let answers = s.answers(r.id).await.unwrap();
        assert_eq!(
            answers.keys().map(String::as_str).collect::<Vec<_>>(),
            vec!["BL.FRIST", "BL.PLAN"]
        );
        let a = &answers["BL.PLAN"];
        assert_eq!(a.entry.value, "nej");
        assert_eq!(a.entry.prefill.as_deref(), Some("nej"));
        assert_eq!(a.entry.remark, "");
        assert_eq!(a.version, 1);
        assert_eq!(a.updated_by_name.as_deref(), Some("tilsyn"));
    }
    let shallow = levels[0].iter().find(|k| **k != deep).unwrap();
    let only = s.case_reviews(round, shallow).await.unwrap();
    assert_eq!(only.len(), 1);
    let answers = s.answers(only[0].id).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers["BL.FRIST"].entry.prefill.as_deref(), Some("nej"));

    let summary = s.list_rounds().await.unwrap();
    assert_eq!(
        (summary[0].cases, summary[0].reviews, summary[0].submitted),
        (3, 4, 0)
    );

    // A second attach is refused and writes nothing.
    let (other, _) = drawn_sample(s, 3, &[]).await;
    let err = s
        .attach_sample(&w.actor(), round, other, &cases)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "round-not-draft");
    assert_eq!(s.round(round).await.unwrap().sample_id, Some(sample));
    assert_eq!(s.round_reviews(round).await.unwrap().len(), 4);

    let changed = events(s, AuditAction::RoundStateChanged).await;
    assert_eq!(changed.len(), 1);
    let d = |k: &str| changed[0].details.get(k).cloned();
    assert_eq!(d("to").as_deref(), Some("sampled"));
    assert_eq!(d("sample"), Some(sample.to_string()));
    assert_eq!(d("cases").as_deref(), Some("3"));
    assert_eq!(d("reviews").as_deref(), Some("4"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_based_on_an_old_version_is_a_conflict_not_an_overwrite() {
    let w = World::new().await;
    let s = w.store();
    let round = w
        .sampled_round("Runde", &[new_case("DUBU/001", 1, &[("P", "ja")])])
        .await;
    let review = w.review_of(round, "DUBU/001", 1).await.id;
    let anne = user(s, "anne", "Anne Andersen").await;
    let bo = user(s, "bo", "Bo Berg").await;

    // Anne answers Q1 first: version 1 of the item, version 1 of the review.
    let out = s
        .save_answers(
            &as_user(&anne),
            "Anne Andersen",
            review,
            &[change("Q1", "ja", 0)],
            count_of_10,
        )
        .await
        .unwrap();
    assert_eq!(out.saved, vec![("Q1".to_owned(), 1)]);
    assert!(out.conflicts.is_empty());
    assert_eq!(
        out.progress,
        Progress {
            answered: 2,
            applicable: 10
        },
        "the prefill and the new answer"
    );
    assert_eq!(out.review_version, 1);
    let annes = s.answers(review).await.unwrap()["Q1"].clone();
    assert_eq!(annes.entry.value, "ja");
    assert_eq!(annes.entry.prefill, None);
    assert_eq!(annes.version, 1);
    assert_eq!(annes.updated_by_name.as_deref(), Some("Anne Andersen"));

    // Bo loaded the review before Anne saved: his Q1 is based on version 0 and differs.
    // His Q2 does not collide and is saved in the same call.
    let out = s
        .save_answers(
            &as_user(&bo),
            "Bo Berg",
            review,
            &[change("Q1", "nej", 0), change("Q2", "nej", 0)],
            |entries| {
                assert_eq!(entries["Q1"].value, "ja", "the closure sees Anne's Q1");
                assert_eq!(entries["Q2"].value, "nej", "and Bo's Q2");
                count_of_10(entries)
            },
        )
        .await
        .unwrap();
    assert_eq!(out.saved, vec![("Q2".to_owned(), 1)]);
    assert_eq!(out.conflicts.len(), 1);
    assert_eq!(out.conflicts[0].item, "Q1");
    assert_eq!(
        out.conflicts[0].theirs, annes,
        "theirs is the stored answer"
    );
    assert_eq!(out.review_version, 2);
    let stored = s.answers(review).await.unwrap();
    assert_eq!(stored["Q1"], annes, "Anne's answer is unchanged");
    assert_eq!(stored["Q2"].entry.value, "nej");
    let r = s.review(review).await.unwrap();
    assert_eq!(
        r.progress,
        Progress {
            answered: 3,
            applicable: 10
        }
    );
    assert_eq!(r.version, 2);

    // Bo asks for what is already stored, from his old base: not a conflict, nothing written;
    // the progress is still recomputed and stored, the review version stays.
    let out = s
        .save_answers(
            &as_user(&bo),
            "Bo Berg",
            review,
            &[change("Q1", "ja", 0), change("Q3", "", 0)],
            |_| Progress {
                answered: 3,
                applicable: 7,
            },
        )
        .await
        .unwrap();
    assert!(out.saved.is_empty());
    assert!(out.conflicts.is_empty());
    assert_eq!(out.review_version, 2);
    let r = s.review(review).await.unwrap();
    assert_eq!(r.version, 2, "no save, no new review version");
    assert_eq!(
        r.progress,
        Progress {
            answered: 3,
            applicable: 7
        }
    );
    assert_eq!(s.answers(review).await.unwrap()["Q1"], annes);
    assert!(!s.answers(review).await.unwrap().contains_key("Q3"));

    // From the current version Bo may change Q1, and answer against the prefill with a reason:
    // the suggestion is kept beside his answer.
    let mut p = change("P", "nej", 1);
    p.override_reason = "Fristen blev forlænget".into();
    p.remark = "Se journalnotat".into();
    let out = s
        .save_answers(
            &as_user(&bo),
            "Bo Berg",
            review,
            &[change("Q1", "nej", 1), p],
            count_of_10,
        )
        .await
        .unwrap();
    assert_eq!(
        out.saved,
        vec![("Q1".to_owned(), 2), ("P".to_owned(), 2)],
        "in the order asked"
    );
    assert_eq!(out.review_version, 3);
    let stored = s.answers(review).await.unwrap();
    assert_eq!(stored["Q1"].entry.value, "nej");
    assert_eq!(stored["Q1"].updated_by_name.as_deref(), Some("Bo Berg"));
    let p = &stored["P"];
    assert_eq!(
        p.entry,
        Entry {
            value: "nej".into(),
            remark: "Se journalnotat".into(),
            prefill: Some("ja".into()),
            override_reason: "Fristen blev forlænget".into(),
        }
    );
    assert_eq!(p.version, 2);

    // Only the saves with something written are in the audit log.
    let saved = events(s, AuditAction::ReviewSaved).await;
    assert_eq!(saved.len(), 3);
    assert!(
        saved
            .iter()
            .all(|e| e.resource_id.as_deref() == Some(review.to_string().as_str()))
    );
    assert_eq!(
        saved[0].details.get("items").map(String::as_str),
        Some("Q1, P")
    );
    assert_eq!(saved[0].actor_id, Some(bo.id.0));

    assert!(matches!(
        s.save_answers(&w.actor(), "x", Uuid::now_v7(), &[], count_of_10)
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_needs_the_current_version_and_a_reopen_is_logged_with_its_reason() {
    let w = World::new().await;
    let s = w.store();
    let round = w
        .sampled_round("Runde", &[new_case("DUBU/001", 1, &[])])
        .await;
    let review = w.review_of(round, "DUBU/001", 1).await.id;
    let out = s
        .save_answers(
            &w.actor(),
            "Karen",
            review,
            &[change("Q1", "ja", 0)],
            count_of_10,
        )
        .await
        .unwrap();
    assert_eq!(out.review_version, 1);

    // The caller checked the answers at version 0; someone saved since.
    let err = s.submit_review(&w.actor(), review, 0).await.unwrap_err();
    assert_eq!(conflict(err), "review-changed");
    assert_eq!(s.review(review).await.unwrap().status, ReviewStatus::Open);

    s.submit_review(&w.actor(), review, 1).await.unwrap();
    let r = s.review(review).await.unwrap();
    assert_eq!(r.status, ReviewStatus::Submitted);
    assert!(r.submitted_at.is_some());
    assert_eq!(r.version, 2);
    assert_eq!(s.list_rounds().await.unwrap()[0].submitted, 1);
    let err = s.submit_review(&w.actor(), review, 2).await.unwrap_err();
    assert_eq!(conflict(err), "review-changed", "already submitted");

    // A submitted review is read-only.
    let err = s
        .save_answers(
            &w.actor(),
            "Karen",
            review,
            &[change("Q1", "nej", 1)],
            count_of_10,
        )
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "review-submitted");
    let err = s
        .mark_section(&w.actor(), review, "BFU", "Ikke relevant", |_, _| {
            Progress::default()
        })
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "review-submitted");
    let stored = s.answers(review).await.unwrap();
    assert_eq!(
        (stored["Q1"].entry.value.as_str(), stored["Q1"].version),
        ("ja", 1)
    );
    assert_eq!(s.review(review).await.unwrap().version, 2);

    s.reopen_review(&w.actor(), review, "Mangler bemærkning til Q1")
        .await
        .unwrap();
    let r = s.review(review).await.unwrap();
    assert_eq!(r.status, ReviewStatus::Open);
    assert_eq!(r.submitted_at, None);
    assert_eq!(r.version, 3);
    let err = s
        .reopen_review(&w.actor(), review, "igen")
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "review-not-submitted");

    let reopened = events(s, AuditAction::ReviewReopened).await;
    assert_eq!(reopened.len(), 1);
    assert_eq!(
        reopened[0].resource_id.as_deref(),
        Some(review.to_string().as_str())
    );
    assert_eq!(
        reopened[0].details.get("reason").map(String::as_str),
        Some("Mangler bemærkning til Q1")
    );
    assert_eq!(events(s, AuditAction::ReviewSubmitted).await.len(), 1);

    // Open again: it can be answered and submitted at its new version.
    let out = s
        .save_answers(
            &w.actor(),
            "Karen",
            review,
            &[change("Q1", "nej", 1)],
            count_of_10,
        )
        .await
        .unwrap();
    assert_eq!(out.saved, vec![("Q1".to_owned(), 2)]);
    assert_eq!(out.review_version, 4);
    s.submit_review(&w.actor(), review, 4).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn section_marks_are_stored_and_cleared_with_the_progress() {
    let w = World::new().await;
    let s = w.store();
    let round = w
        .sampled_round("Runde", &[new_case("DUBU/001", 1, &[("P", "ja")])])
        .await;
    let review = w.review_of(round, "DUBU/001", 1).await.id;
    // Each marked section takes 3 items out of 12; answered = answers with a value.
    let progress = |entries: &BTreeMap<String, Entry>, marks: &BTreeMap<String, String>| Progress {
        answered: entries.values().filter(|e| !e.value.is_empty()).count(),
        applicable: 12 - 3 * marks.len(),
    };

    let p = s
        .mark_section(
            &w.actor(),
            review,
            "BFU",
            "  Ingen BFU i perioden  ",
            progress,
        )
        .await
        .unwrap();
    assert_eq!(
        p,
        Progress {
            answered: 1,
            applicable: 9
        }
    );
    let r = s.review(review).await.unwrap();
    assert_eq!(
        r.marks,
        BTreeMap::from([("BFU".to_owned(), "Ingen BFU i perioden".to_owned())]),
        "the reason is trimmed"
    );
    assert_eq!(r.progress, p);
    assert_eq!(r.version, 1);

    let p = s
        .mark_section(&w.actor(), review, "PLAN", "Ikke § 46", progress)
        .await
        .unwrap();
    assert_eq!(p.applicable, 6);
    assert_eq!(s.review(review).await.unwrap().marks.len(), 2);

    // An empty (blank) reason clears the mark.
    let p = s
        .mark_section(&w.actor(), review, "BFU", "   ", progress)
        .await
        .unwrap();
    assert_eq!(
        p,
        Progress {
            answered: 1,
            applicable: 9
        }
    );
    let r = s.review(review).await.unwrap();
    assert_eq!(
        r.marks,
        BTreeMap::from([("PLAN".to_owned(), "Ikke § 46".to_owned())])
    );
    assert_eq!(r.progress, p);
    assert_eq!(r.version, 3);
    // A submit must see the marks: the version moved with them.
    let err = s.submit_review(&w.actor(), review, 0).await.unwrap_err();
    assert_eq!(conflict(err), "review-changed");

    let ev = events(s, AuditAction::ReviewSaved).await;
    assert_eq!(ev.len(), 3);
    assert_eq!(
        ev[0].details.get("not_relevant").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        ev[2].details.get("not_relevant").map(String::as_str),
        Some("true")
    );

    assert!(matches!(
        s.mark_section(&w.actor(), Uuid::now_v7(), "BFU", "x", progress)
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_are_the_reviews_a_person_does_or_takes_part_in_in_open_rounds() {
    let w = World::new().await;
    let s = w.store();
    let alice = user(s, "alice", "Alice Leder").await;
    let bob = user(s, "bob", "Bob Sagsbehandler").await;
    let carol = user(s, "carol", "Carol Leder").await;
    let dave = user(s, "dave", "Dave Udenfor").await;

    let one = w
        .sampled_round(
            "Runde 1",
            &[new_case("DUBU/001", 1, &[]), new_case("DUBU/002", 1, &[])],
        )
        .await;
    let two = w
        .sampled_round("Runde 2", &[new_case("DUBU/003", 1, &[])])
        .await;
    let r1 = w.review_of(one, "DUBU/001", 1).await.id;
    let r2 = w.review_of(one, "DUBU/002", 1).await.id;
    let r3 = w.review_of(two, "DUBU/003", 1).await.id;

    let due = day(2025, 9, 30);
    s.assign_reviews(
        &w.actor(),
        one,
        &[(r1, alice.id, vec![bob.id]), (r2, carol.id, vec![])],
        Some(due),
    )
    .await
    .unwrap();
    s.assign_reviews(&w.actor(), two, &[(r3, alice.id, vec![])], None)
        .await
        .unwrap();

    let ids = |tasks: &[tilsyn_store::rounds::Task]| {
        let mut v: Vec<Uuid> = tasks.iter().map(|t| t.review.id).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<Uuid>| {
        v.sort();
        v
    };
    let alices = s.tasks_of(alice.id).await.unwrap();
    assert_eq!(ids(&alices), sorted(vec![r1, r3]));
    let t1 = alices.iter().find(|t| t.review.id == r1).unwrap();
    assert_eq!(t1.round_name, "Runde 1");
    assert_eq!(t1.round_state, RoundState::Sampled);
    assert_eq!(t1.review.reviewer, Some(alice.id));
    assert_eq!(t1.review.reviewer_name.as_deref(), Some("Alice Leder"));
    assert_eq!(t1.review.participants, vec![bob.id]);
    assert_eq!(t1.review.due, Some(due));
    assert_eq!(t1.review.version, 1, "an assignment is a change");
    let bobs = s.tasks_of(bob.id).await.unwrap();
    assert_eq!(ids(&bobs), vec![r1], "a participant sees the review too");
    assert_eq!(ids(&s.tasks_of(carol.id).await.unwrap()), vec![r2]);
    assert!(s.tasks_of(dave.id).await.unwrap().is_empty());
    assert!(s.tasks_of(UserId::new()).await.unwrap().is_empty());

    // An assignment touching a submitted review is refused whole.
    s.submit_review(&w.actor(), r1, 1).await.unwrap();
    let err = s
        .assign_reviews(
            &w.actor(),
            one,
            &[(r2, dave.id, vec![]), (r1, dave.id, vec![])],
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "review-not-open");
    assert_eq!(s.review(r2).await.unwrap().reviewer, Some(carol.id));
    assert!(s.tasks_of(dave.id).await.unwrap().is_empty());
    // A review of another round is not assigned through this one.
    let err = s
        .assign_reviews(&w.actor(), one, &[(r3, dave.id, vec![])], None)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "review-not-open");
    assert_eq!(s.review(r3).await.unwrap().reviewer, Some(alice.id));

    // A closed round leaves the task lists; submitted reviews in open rounds stay.
    for (from, to) in [
        (RoundState::Sampled, RoundState::Reviewing),
        (RoundState::Reviewing, RoundState::Analysing),
        (RoundState::Analysing, RoundState::Reporting),
        (RoundState::Reporting, RoundState::Closed),
    ] {
        s.set_round_state(&w.actor(), two, from, to).await.unwrap();
    }
    assert_eq!(s.round(two).await.unwrap().state, RoundState::Closed);
    assert_eq!(ids(&s.tasks_of(alice.id).await.unwrap()), vec![r1]);
    assert_eq!(
        s.tasks_of(alice.id).await.unwrap()[0].review.status,
        ReviewStatus::Submitted
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_to_draft_only_while_nobody_has_answered() {
    let w = World::new().await;
    let s = w.store();
    let cases = [
        new_case("DUBU/001", 2, &[("P", "ja")]),
        new_case("DUBU/002", 1, &[]),
    ];
    let round = w.sampled_round("Runde", &cases).await;
    assert_eq!(s.round_reviews(round).await.unwrap().len(), 3);

    // Only the date rules' suggestions: the draw may be undone.
    s.set_round_state(&w.actor(), round, RoundState::Sampled, RoundState::Draft)
        .await
        .unwrap();
    let r = s.round(round).await.unwrap();
    assert_eq!((r.state, r.sample_id), (RoundState::Draft, None));
    assert!(s.round_cases(round).await.unwrap().is_empty());
    assert!(s.round_reviews(round).await.unwrap().is_empty());
    let summary = &s.list_rounds().await.unwrap()[0];
    assert_eq!((summary.cases, summary.reviews), (0, 0));

    // Drawn again (a draft may be), then moved on to reviewing.
    let (sample, _) = drawn_sample(s, 3, &[]).await;
    s.attach_sample(&w.actor(), round, sample, &cases)
        .await
        .unwrap();
    s.set_round_state(
        &w.actor(),
        round,
        RoundState::Sampled,
        RoundState::Reviewing,
    )
    .await
    .unwrap();
    // A caller that still thinks the round is sampled: refused, and nothing is removed.
    let err = s
        .set_round_state(&w.actor(), round, RoundState::Sampled, RoundState::Draft)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "round-state-changed");
    let r = s.round(round).await.unwrap();
    assert_eq!(
        (r.state, r.sample_id),
        (RoundState::Reviewing, Some(sample))
    );
    assert_eq!(s.round_cases(round).await.unwrap().len(), 2);
    assert_eq!(s.round_reviews(round).await.unwrap().len(), 3);
    let review = w.review_of(round, "DUBU/001", 2).await.id;
    assert_eq!(s.answers(review).await.unwrap().len(), 1);
    let err = s
        .set_round_state(&w.actor(), round, RoundState::Draft, RoundState::Sampled)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "round-state-changed");
    assert_eq!(s.round(round).await.unwrap().state, RoundState::Reviewing);

    // Someone answered: going back to draft would throw the answer away.
    let other = w.sampled_round("Anden runde", &cases).await;
    let review = w.review_of(other, "DUBU/002", 1).await.id;
    s.save_answers(
        &w.actor(),
        "Karen",
        review,
        &[change("Q1", "ja", 0)],
        count_of_10,
    )
    .await
    .unwrap();
    let err = s
        .set_round_state(&w.actor(), other, RoundState::Sampled, RoundState::Draft)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "round-has-answers");
    assert_eq!(s.round(other).await.unwrap().state, RoundState::Sampled);
    assert_eq!(s.round_reviews(other).await.unwrap().len(), 3);
    assert_eq!(s.answers(review).await.unwrap()["Q1"].entry.value, "ja");

    // Changing a suggested answer counts as answering, too.
    let third = w.sampled_round("Tredje runde", &cases).await;
    let review = w.review_of(third, "DUBU/001", 1).await.id;
    s.save_answers(
        &w.actor(),
        "Karen",
        review,
        &[change("P", "nej", 1)],
        count_of_10,
    )
    .await
    .unwrap();
    let err = s
        .set_round_state(&w.actor(), third, RoundState::Sampled, RoundState::Draft)
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "round-has-answers");
    assert_eq!(s.round_cases(third).await.unwrap().len(), 2);

    let changes: Vec<(String, String)> = events(s, AuditAction::RoundStateChanged)
        .await
        .into_iter()
        .filter(|e| e.resource_id.as_deref() == Some(round.to_string().as_str()))
        .map(|e| {
            (
                e.details.get("from").cloned().unwrap_or_default(),
                e.details.get("to").cloned().unwrap_or_default(),
            )
        })
        .rev()
        .collect();
    assert_eq!(
        changes,
        vec![
            ("draft".to_owned(), "sampled".to_owned()),
            ("sampled".to_owned(), "draft".to_owned()),
            ("draft".to_owned(), "sampled".to_owned()),
            ("sampled".to_owned(), "reviewing".to_owned()),
        ],
        "refused changes are not logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreed_answers_escalations_and_replies() {
    let w = World::new().await;
    let s = w.store();
    let alice = user(s, "alice", "Alice Leder").await;
    let bob = user(s, "bob", "Bob Jurist").await;
    let key = "DUBU/001";
    let round = w
        .sampled_round(
            "Runde",
            &[new_case(key, 2, &[]), new_case("DUBU/002", 1, &[])],
        )
        .await;
    let other_round = w
        .sampled_round("Anden runde", &[new_case(key, 1, &[])])
        .await;
    let l1 = w.review_of(round, key, 1).await.id;
    let l2 = w.review_of(round, key, 2).await.id;
    s.save_answers(&w.actor(), "L1", l1, &[change("Q1", "ja", 0)], count_of_10)
        .await
        .unwrap();
    s.save_answers(&w.actor(), "L2", l2, &[change("Q1", "nej", 0)], count_of_10)
        .await
        .unwrap();
    let before = (s.answers(l1).await.unwrap(), s.answers(l2).await.unwrap());

    s.record_agreed(
        &w.actor(),
        "Karen",
        round,
        key,
        "Q1",
        "nej",
        "Niveau 2 har ret",
    )
    .await
    .unwrap();
    let agreed = s.agreed_answers(round, key).await.unwrap();
    assert_eq!(agreed.len(), 1);
    let q1 = &agreed["Q1"];
    assert_eq!(
        (q1.item.as_str(), q1.value.as_str(), q1.note.as_str()),
        ("Q1", "nej", "Niveau 2 har ret")
    );
    assert_eq!(q1.decided_by_name.as_deref(), Some("Karen"));

    // A second decision replaces the first; the levels' answers stay as given.
    s.record_agreed(
        &w.actor(),
        "Alice",
        round,
        key,
        "Q1",
        "ja",
        "Efter drøftelse",
    )
    .await
    .unwrap();
    let agreed = s.agreed_answers(round, key).await.unwrap();
    assert_eq!(agreed.len(), 1);
    let q1 = &agreed["Q1"];
    assert_eq!(
        (q1.value.as_str(), q1.note.as_str()),
        ("ja", "Efter drøftelse")
    );
    assert_eq!(q1.decided_by_name.as_deref(), Some("Alice"));
    assert_eq!(
        (s.answers(l1).await.unwrap(), s.answers(l2).await.unwrap()),
        before
    );
    assert!(
        s.agreed_answers(round, "DUBU/002")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.agreed_answers(other_round, key).await.unwrap().is_empty());
    assert_eq!(events(s, AuditAction::AnswerReconciled).await.len(), 2);

    // Escalations: by round, by owner, both; open ones first, then by due date.
    let e1 = s
        .create_escalation(
            &w.actor(),
            "Karen",
            round,
            key,
            Some(l2),
            "Manglende handleplan",
            Some(alice.id),
            day(2025, 10, 1),
        )
        .await
        .unwrap();
    let e2 = s
        .create_escalation(
            &w.actor(),
            "Karen",
            round,
            "DUBU/002",
            None,
            "Frist overskredet",
            Some(bob.id),
            day(2025, 9, 1),
        )
        .await
        .unwrap();
    let e3 = s
        .create_escalation(
            &w.actor(),
            "Karen",
            other_round,
            key,
            None,
            "Anden runde",
            Some(alice.id),
            day(2025, 11, 1),
        )
        .await
        .unwrap();
    let e4 = s
        .create_escalation(
            &w.actor(),
            "Karen",
            round,
            key,
            None,
            "Uden ejer",
            None,
            day(2025, 12, 1),
        )
        .await
        .unwrap();
    let ids =
        |v: Vec<tilsyn_store::rounds::Escalation>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.escalations(Some(round), None).await.unwrap()),
        vec![e2, e1, e4]
    );
    assert_eq!(
        ids(s.escalations(None, Some(alice.id)).await.unwrap()),
        vec![e1, e3]
    );
    assert_eq!(
        ids(s.escalations(Some(round), Some(alice.id)).await.unwrap()),
        vec![e1]
    );
    assert_eq!(
        ids(s
            .escalations(Some(other_round), Some(bob.id))
            .await
            .unwrap()),
        Vec::<Uuid>::new()
    );
    assert_eq!(
        ids(s.escalations(None, None).await.unwrap()),
        vec![e2, e1, e3, e4]
    );
    let e = s.escalation(e1).await.unwrap();
    assert_eq!(e.round_id, round);
    assert_eq!(e.round_name, "Runde");
    assert_eq!(e.case_key, key);
    assert_eq!(e.reason, "Manglende handleplan");
    assert_eq!(e.owner, Some(alice.id));
    assert_eq!(e.owner_name.as_deref(), Some("Alice Leder"));
    assert_eq!(e.due, Some(day(2025, 10, 1)));
    assert_eq!(e.created_by_name.as_deref(), Some("Karen"));
    assert_eq!((e.closed_at, e.closing_note), (None, None));

    s.close_escalation(&w.actor(), "Bob", e2, "Rettet i DUBU")
        .await
        .unwrap();
    let closed = s.escalation(e2).await.unwrap();
    assert!(closed.closed_at.is_some());
    assert_eq!(closed.closing_note.as_deref(), Some("Rettet i DUBU"));
    let err = s
        .close_escalation(&w.actor(), "Bob", e2, "igen")
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "escalation-closed");
    assert_eq!(
        s.escalation(e2).await.unwrap().closing_note.as_deref(),
        Some("Rettet i DUBU"),
        "the second close changed nothing"
    );
    assert_eq!(
        ids(s.escalations(Some(round), None).await.unwrap()),
        vec![e1, e4, e2],
        "closed ones last"
    );
    assert!(matches!(
        s.escalation(Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(events(s, AuditAction::EscalationCreated).await.len(), 4);
    assert_eq!(events(s, AuditAction::EscalationClosed).await.len(), 1);

    // Replies, in the order written, per case.
    for text in ["Første svar", "Andet svar", "Tredje svar"] {
        s.add_reply(&as_user(&bob), "Bob Jurist", round, key, text)
            .await
            .unwrap();
    }
    s.add_reply(&w.actor(), "Karen", round, "DUBU/002", "Andet sted")
        .await
        .unwrap();
    let replies = s.replies(round, key).await.unwrap();
    assert_eq!(
        replies.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        vec!["Første svar", "Andet svar", "Tredje svar"]
    );
    assert!(
        replies
            .iter()
            .all(|r| r.author_name.as_deref() == Some("Bob Jurist"))
    );
    assert!(
        replies
            .windows(2)
            .all(|p| p[0].created_at <= p[1].created_at)
    );
    assert_eq!(s.replies(round, "DUBU/002").await.unwrap().len(), 1);
    assert!(s.replies(other_round, key).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answers_import_is_all_or_nothing() {
    let w = World::new().await;
    let s = w.store();
    let alice = user(s, "alice", "Alice Leder").await;
    let round = w
        .sampled_round(
            "Runde",
            &[
                new_case("DUBU/001", 1, &[("P", "ja")]),
                new_case("DUBU/002", 1, &[]),
            ],
        )
        .await;
    let review = w.review_of(round, "DUBU/001", 1).await;
    let answers_before = s.answers(review.id).await.unwrap();
    assert_eq!(answers_before.len(), 1, "the prefill");

    let entry = |v: &str, remark: &str| Entry {
        value: v.into(),
        remark: remark.into(),
        ..Entry::default()
    };
    let valid = ImportedReview {
        case_key: "DUBU/001".into(),
        level: 1,
        reviewer: Some(alice.id),
        answers: BTreeMap::from([
            ("P".to_owned(), entry("nej", "")),
            ("Q1".to_owned(), entry("ja", "Fra papirskema")),
        ]),
        progress: Progress {
            answered: 2,
            applicable: 8,
        },
    };
    let missing = ImportedReview {
        case_key: "DUBU/999".into(),
        ..valid.clone()
    };

    // The valid review comes first and is written before the missing one is found: all of it
    // is rolled back.
    let err = s
        .import_answers(
            &w.actor(),
            "Karen",
            round,
            &[valid.clone(), missing],
            "svar.xlsx",
        )
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "answers-import-no-review");
    let r = s.review(review.id).await.unwrap();
    assert_eq!(r.status, ReviewStatus::Open);
    assert_eq!(r.reviewer, None);
    assert_eq!(r.version, review.version);
    assert_eq!(r.progress, review.progress);
    assert_eq!(r.submitted_at, None);
    assert_eq!(s.answers(review.id).await.unwrap(), answers_before);
    assert!(events(s, AuditAction::AnswersImported).await.is_empty());

    // A level the case does not have is no review either.
    let err = s
        .import_answers(
            &w.actor(),
            "Karen",
            round,
            &[ImportedReview {
                level: 2,
                ..valid.clone()
            }],
            "svar.xlsx",
        )
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "answers-import-no-review");

    // On its own the valid review is imported: answered, submitted, the prefill replaced.
    s.import_answers(
        &w.actor(),
        "Karen",
        round,
        std::slice::from_ref(&valid),
        "svar.xlsx",
    )
    .await
    .unwrap();
    let r = s.review(review.id).await.unwrap();
    assert_eq!(r.status, ReviewStatus::Submitted);
    assert!(r.submitted_at.is_some());
    assert_eq!(r.reviewer, Some(alice.id));
    assert_eq!(r.progress, valid.progress);
    assert_eq!(r.version, review.version + 1);
    let stored = s.answers(review.id).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored["P"].entry, entry("nej", ""));
    assert_eq!(stored["Q1"].entry, entry("ja", "Fra papirskema"));
    assert_eq!(stored["Q1"].version, 1);
    assert_eq!(stored["Q1"].updated_by_name.as_deref(), Some("Karen"));
    let imported = events(s, AuditAction::AnswersImported).await;
    assert_eq!(imported.len(), 1);
    let d = |k: &str| imported[0].details.get(k).map(String::as_str);
    assert_eq!(d("file"), Some("svar.xlsx"));
    assert_eq!(d("reviews"), Some("1"));
    assert_eq!(d("answers"), Some("2"));

    // A submitted review is not imported over.
    let err = s
        .import_answers(
            &w.actor(),
            "Karen",
            round,
            std::slice::from_ref(&valid),
            "igen.xlsx",
        )
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "answers-import-submitted");
    assert_eq!(s.answers(review.id).await.unwrap(), stored);

    // Nor one somebody has started answering in the app.
    let started = w.review_of(round, "DUBU/002", 1).await.id;
    s.save_answers(
        &w.actor(),
        "Karen",
        started,
        &[change("Q1", "nej", 0)],
        count_of_10,
    )
    .await
    .unwrap();
    let err = s
        .import_answers(
            &w.actor(),
            "Karen",
            round,
            &[ImportedReview {
                case_key: "DUBU/002".into(),
                ..valid
            }],
            "svar.xlsx",
        )
        .await
        .unwrap_err();
    assert_eq!(conflict(err), "answers-import-started");
    assert_eq!(s.review(started).await.unwrap().status, ReviewStatus::Open);
    assert_eq!(s.answers(started).await.unwrap()["Q1"].entry.value, "nej");
}
