//! The store's contract, run against whichever engine `TILSYN_TEST_DATABASE_URL` names.

use chrono::{Duration, Utc};
use tilsyn_domain::audit::{Actor, AuditAction, AuditFilter, Outcome};
use tilsyn_domain::org::{FullName, NewPassword, UnitKind, UnitName, Username};
use tilsyn_domain::{Role, UnitId};
use tilsyn_store::testing::TestDb;
use tilsyn_store::{Store, StoreError};

fn actor() -> Actor {
    Actor {
        username: Some("tester".into()),
        client_addr: Some("127.0.0.1".into()),
        ..Actor::default()
    }
}

fn uname(s: &str) -> UnitName {
    UnitName::parse(s).expect("valid unit name")
}

async fn user(store: &Store, name: &str) -> tilsyn_domain::org::User {
    store
        .create_user(
            &actor(),
            &Username::parse(name).expect("username"),
            &FullName::parse("Test Person").expect("name"),
            Some(&NewPassword::parse("korrekt-hest-batteri").expect("password")),
        )
        .await
        .expect("create user")
}

fn field_keys(e: StoreError) -> Vec<(&'static str, &'static str)> {
    match e {
        StoreError::Invalid(p) => p.0.iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn units_form_a_tree_with_rules() {
    let db = TestDb::new().await;
    let s = &db.store;
    let root = s
        .create_municipality(&actor(), &uname("Testby Kommune"))
        .await
        .expect("root");
    let second = s
        .create_municipality(&actor(), &uname("Anden Kommune"))
        .await
        .expect_err("one root");
    assert_eq!(
        field_keys(second),
        vec![("name", "err-municipality-exists")]
    );

    let dep = s
        .create_unit(&actor(), root.id, UnitKind::Department, &uname("Børn"))
        .await
        .expect("dep");
    let team = s
        .create_unit(&actor(), dep.id, UnitKind::Team, &uname("Team Øst"))
        .await
        .expect("team");
    // the same name under the same parent, in other case, is refused; under another parent fine
    let dup = s
        .create_unit(&actor(), dep.id, UnitKind::Team, &uname("team øst"))
        .await
        .expect_err("dup");
    assert_eq!(field_keys(dup), vec![("name", "err-unit-name-taken")]);
    s.create_unit(&actor(), root.id, UnitKind::Team, &uname("Team Øst"))
        .await
        .expect("other parent");
    let upside = s
        .create_unit(&actor(), team.id, UnitKind::Department, &uname("X"))
        .await
        .expect_err("kind");
    assert_eq!(field_keys(upside), vec![("kind", "err-unit-kind-below")]);
    let orphan = s
        .create_unit(&actor(), UnitId::new(), UnitKind::Team, &uname("Y"))
        .await
        .expect_err("parent");
    assert_eq!(
        field_keys(orphan),
        vec![("parent_id", "err-unit-parent-unknown")]
    );

    let tree = s.org_tree().await.expect("tree");
    let path = tree.path(team.id).expect("path");
    assert_eq!(path.ancestors, vec![dep.id, root.id]);
    assert_eq!(tree.rows().len(), 4);
    let created = s
        .list_audit_events(&AuditFilter {
            action: Some(AuditAction::UnitCreated),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("events");
    assert_eq!(
        created.len(),
        4,
        "one event per created unit, none for refused ones"
    );
}

#[tokio::test]
async fn users_grants_and_login() {
    let db = TestDb::new().await;
    let s = &db.store;
    let root = s
        .create_municipality(&actor(), &uname("K"))
        .await
        .expect("root");
    let team = s
        .create_unit(&actor(), root.id, UnitKind::Team, &uname("T"))
        .await
        .expect("team");
    let u = user(s, "Mette").await;
    assert_eq!(u.username, "mette");
    let dup = s
        .create_user(
            &actor(),
            &Username::parse("METTE").expect("u"),
            &FullName::parse("M").expect("n"),
            None,
        )
        .await
        .expect_err("duplicate");
    assert_eq!(field_keys(dup), vec![("username", "err-username-taken")]);

    assert_eq!(
        s.verify_login("mette", "korrekt-hest-batteri")
            .await
            .expect("ok")
            .map(|u| u.id),
        Some(u.id)
    );
    assert_eq!(
        s.verify_login(" METTE ", "korrekt-hest-batteri")
            .await
            .expect("ok")
            .map(|u| u.id),
        Some(u.id)
    );
    assert!(
        s.verify_login("mette", "forkert")
            .await
            .expect("ok")
            .is_none()
    );
    assert!(
        s.verify_login("nobody", "korrekt-hest-batteri")
            .await
            .expect("ok")
            .is_none()
    );

    let g = s
        .grant_role(&actor(), u.id, Role::Leader, team.id)
        .await
        .expect("grant");
    let again = s
        .grant_role(&actor(), u.id, Role::Leader, team.id)
        .await
        .expect_err("twice");
    assert_eq!(field_keys(again), vec![("role", "err-grant-exists")]);
    let (_, subject, _) = s.subject(u.id).await.expect("subject");
    assert_eq!(subject.grants.len(), 1);
    assert_eq!(subject.grants[0].1.ancestors, vec![root.id]);
    s.revoke_grant(&actor(), &g).await.expect("revoke");
    assert!(matches!(
        s.revoke_grant(&actor(), &g).await,
        Err(StoreError::NotFound)
    ));
    assert!(s.grants_of(u.id).await.expect("grants").is_empty());

    // disabling ends sessions and blocks login
    let secret = s.sign_in(&actor(), u.id).await.expect("session");
    assert!(s.find_session(&secret).await.expect("find").is_some());
    s.set_user_disabled(&actor(), u.id, true)
        .await
        .expect("disable");
    assert!(s.find_session(&secret).await.expect("find").is_none());
    assert!(
        s.verify_login("mette", "korrekt-hest-batteri")
            .await
            .expect("ok")
            .is_none()
    );
    s.set_user_disabled(&actor(), u.id, false)
        .await
        .expect("enable");
    s.set_password(
        &actor(),
        u.id,
        &NewPassword::parse("nyt-langt-kodeord").expect("pw"),
    )
    .await
    .expect("pw");
    assert!(
        s.verify_login("mette", "korrekt-hest-batteri")
            .await
            .expect("ok")
            .is_none()
    );
    assert!(
        s.verify_login("mette", "nyt-langt-kodeord")
            .await
            .expect("ok")
            .is_some()
    );

    let actions: Vec<String> = s
        .list_audit_events(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "user.created",
        "grant.created",
        "grant.revoked",
        "user.disabled",
        "user.enabled",
        "user.password_set",
    ] {
        assert!(actions.iter().any(|x| x == a), "missing {a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_user_and_their_first_role_are_created_together_or_not_at_all() {
    let db = TestDb::new().await;
    let s = &db.store;
    let root = s
        .create_municipality(&actor(), &uname("K"))
        .await
        .expect("root");
    let name = Username::parse("hanne").expect("u");
    let full = FullName::parse("Hanne Hansen").expect("n");
    let missing_unit = Some((Role::Leader, UnitId::new()));
    let err = s
        .create_user_with_role(&actor(), &name, &full, None, missing_unit)
        .await;
    assert!(err.is_err());
    assert!(
        matches!(s.find_user("hanne").await, Err(StoreError::NotFound)),
        "no user without the role"
    );
    let ok = s
        .create_user_with_role(&actor(), &name, &full, None, Some((Role::Leader, root.id)))
        .await
        .expect("both");
    assert_eq!(s.grants_of(ok.id).await.expect("grants").len(), 1);
}

#[tokio::test]
async fn sessions_tokens_and_throttling() {
    let db = TestDb::new().await;
    let s = &db.store;
    let u = user(s, "jens").await;
    let a = s.sign_in(&actor(), u.id).await.expect("a");
    let b = s.sign_in(&actor(), u.id).await.expect("b");
    assert_ne!(a, b, "each sign-in gets a new session id");
    let rec = s.find_session(&a).await.expect("find").expect("exists");
    assert_eq!(rec.user_id, u.id);
    s.delete_session(&a).await.expect("delete");
    assert!(s.find_session(&a).await.expect("find").is_none());
    assert!(s.find_session(&b).await.expect("find").is_some());
    assert!(
        s.find_session("not-a-session")
            .await
            .expect("find")
            .is_none()
    );
    let purged = s
        .purge_sessions(
            Utc::now() + Duration::minutes(1),
            Utc::now() - Duration::days(1),
        )
        .await
        .expect("purge");
    assert_eq!(purged, 1);

    let token = s
        .create_token(&actor(), u.id, "script")
        .await
        .expect("token");
    assert!(token.starts_with("tls_"));
    assert_eq!(s.token_owner(&token).await.expect("owner"), Some(u.id));
    assert_eq!(s.token_owner("tls_0000").await.expect("owner"), None);
    assert_eq!(s.token_owner(&token[4..]).await.expect("owner"), None);
    s.create_token(&actor(), u.id, "second")
        .await
        .expect("token");
    assert_eq!(s.revoke_tokens(&actor(), u.id).await.expect("revoke"), 2);
    assert_eq!(s.token_owner(&token).await.expect("owner"), None);

    let since = Utc::now() - Duration::minutes(15);
    for _ in 0..3 {
        s.record_login_failure("Jens", "10.0.0.1")
            .await
            .expect("fail");
    }
    s.record_login_failure("other", "10.0.0.1")
        .await
        .expect("fail");
    assert_eq!(
        s.login_failures_since("jens", "10.0.0.1", since)
            .await
            .expect("count"),
        (3, 4)
    );
    assert_eq!(
        s.login_failures_since("jens", "10.0.0.2", since)
            .await
            .expect("count"),
        (3, 0)
    );
    assert_eq!(
        s.login_failures_since("jens", "10.0.0.1", Utc::now() + Duration::seconds(1))
            .await
            .expect("count"),
        (0, 0)
    );
    s.clear_login_failures("JENS").await.expect("clear");
    assert_eq!(
        s.login_failures_since("jens", "10.0.0.1", since)
            .await
            .expect("count"),
        (0, 1)
    );
}

#[tokio::test]
async fn audit_log_filters_and_pages() {
    let db = TestDb::new().await;
    let s = &db.store;
    let t0 = Utc::now();
    for i in 0..5 {
        s.record_event(
            &Actor {
                username: Some(format!("u{}", i % 2)),
                ..Actor::default()
            },
            tilsyn_domain::audit::NewAuditEvent {
                action: if i % 2 == 0 {
                    AuditAction::LoginFailed
                } else {
                    AuditAction::LoginSucceeded
                },
                resource_kind: "session",
                resource_id: None,
                outcome: if i % 2 == 0 {
                    Outcome::Failure
                } else {
                    Outcome::Success
                },
                details: vec![("n", i.to_string())],
            },
        )
        .await
        .expect("record");
    }
    let all = s
        .list_audit_events(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("all");
    assert_eq!(all.len(), 5);
    assert_eq!(
        all[0].details.get("n").map(String::as_str),
        Some("4"),
        "newest first"
    );
    let failed = s
        .list_audit_events(&AuditFilter {
            outcome: Some(Outcome::Failure),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("failed");
    assert_eq!(failed.len(), 3);
    let by_actor = s
        .list_audit_events(&AuditFilter {
            actor_username: Some("u1".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("actor");
    assert_eq!(by_actor.len(), 2);
    let page = s
        .list_audit_events(&AuditFilter {
            before: Some(all[1].id),
            limit: 2,
            ..Default::default()
        })
        .await
        .expect("page");
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![all[2].id, all[3].id]
    );
    let none = s
        .list_audit_events(&AuditFilter {
            since: Some(Utc::now() + Duration::seconds(1)),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("future");
    assert!(none.is_empty());
    let from_start = s
        .list_audit_events(&AuditFilter {
            since: Some(t0),
            until: Some(Utc::now() + Duration::seconds(1)),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("window");
    assert_eq!(from_start.len(), 5);
}

#[tokio::test]
async fn demo_seed_is_idempotent() {
    let db = TestDb::new().await;
    let s = &db.store;
    tilsyn_store::demo::seed(s, &actor()).await.expect("seed");
    let units = s.list_units().await.expect("units").len();
    let users = s.list_users().await.expect("users").len();
    let grants = s.list_grants().await.expect("grants").len();
    tilsyn_store::demo::seed(s, &actor())
        .await
        .expect("seed again");
    assert_eq!(s.list_units().await.expect("units").len(), units);
    assert_eq!(s.list_users().await.expect("users").len(), users);
    assert_eq!(s.list_grants().await.expect("grants").len(), grants);
    assert_eq!(users, 7);
    for (name, ..) in tilsyn_store::demo::DEMO_USERS {
        assert!(
            s.verify_login(name, "demo").await.expect("login").is_some(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn sign_in_and_out_write_their_events_with_the_session() {
    let db = TestDb::new().await;
    let s = &db.store;
    let u = user(s, "lone").await;
    let secret = s.sign_in(&actor(), u.id).await.expect("sign in");
    assert!(s.find_session(&secret).await.expect("find").is_some());
    s.sign_out(&actor(), &secret).await.expect("sign out");
    s.sign_out(&actor(), &secret)
        .await
        .expect("twice is harmless");
    assert!(s.find_session(&secret).await.expect("find").is_none());
    let actions: Vec<String> = s
        .list_audit_events(&AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "logout").count(),
        1,
        "one sign-out, one event"
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "login.succeeded").count(),
        1
    );
}
