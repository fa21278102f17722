//! "Demo Kommune": a small organisation with one user per role, all with password `demo`.
//! Idempotent: running it again adds only what is missing.

use crate::Store;
use crate::error::StoreError;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::org::{FullName, NewPassword, UnitKind, UnitName, Username};
use tilsyn_domain::{Problem, Role, UnitId};

pub const DEMO_PASSWORD: &str = "demo";
pub const MUNICIPALITY: &str = "Demo Kommune";

/// (username, full name, role, unit name)
pub const DEMO_USERS: [(&str, &str, Role, &str); 7] = [
    ("admin", "Anders Admin", Role::Admin, MUNICIPALITY),
    ("leder", "Lise Holm", Role::Leader, "Myndighed Børn og Unge"),
    (
        "koordinator",
        "Karsten Berg",
        Role::Coordinator,
        "Myndighed Børn og Unge",
    ),
    ("raadgiver", "Rikke Dam", Role::Caseworker, "Team Nord"),
    (
        "jurist",
        "Jonas Juul",
        Role::Lawyer,
        "Børne- og Familieforvaltningen",
    ),
    ("udvalg", "Ulla Vang", Role::Viewer, MUNICIPALITY),
    ("panel", "Peter Lund", Role::Panelist, MUNICIPALITY),
];

/// (name, kind, parent name)
const DEMO_UNITS: [(&str, UnitKind, &str); 6] = [
    (
        "Børne- og Familieforvaltningen",
        UnitKind::Administration,
        MUNICIPALITY,
    ),
    (
        "Myndighed Børn og Unge",
        UnitKind::Department,
        "Børne- og Familieforvaltningen",
    ),
    ("Team Nord", UnitKind::Team, "Myndighed Børn og Unge"),
    ("Team Syd", UnitKind::Team, "Myndighed Børn og Unge"),
    (
        "Børnehandicap",
        UnitKind::Department,
        "Børne- og Familieforvaltningen",
    ),
    ("Team Handicap", UnitKind::Team, "Børnehandicap"),
];

fn name(s: &str) -> Result<UnitName, StoreError> {
    UnitName::parse(s).map_err(|e| StoreError::Invalid(Problem(vec![e])))
}

pub async fn seed(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    let mut tree = store.org_tree().await?;
    let find = |tree: &tilsyn_domain::org::OrgTree, n: &str| -> Option<UnitId> {
        tree.rows()
            .iter()
            .find(|r| r.unit.name == n)
            .map(|r| r.unit.id)
    };
    if tree.root().is_none() {
        store
            .create_municipality(actor, &name(MUNICIPALITY)?)
            .await?;
        tree = store.org_tree().await?;
    }
    for (unit, kind, parent) in DEMO_UNITS {
        if find(&tree, unit).is_none() {
            let p = find(&tree, parent).ok_or(StoreError::NotFound)?;
            store.create_unit(actor, p, kind, &name(unit)?).await?;
            tree = store.org_tree().await?;
        }
    }
    for (username, full, role, unit) in DEMO_USERS {
        let user = match store.find_user(username).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => {
                let un =
                    Username::parse(username).map_err(|e| StoreError::Invalid(Problem(vec![e])))?;
                let fnm =
                    FullName::parse(full).map_err(|e| StoreError::Invalid(Problem(vec![e])))?;
                store
                    .create_user(actor, &un, &fnm, Some(&NewPassword::demo(DEMO_PASSWORD)))
                    .await?
            }
            Err(e) => return Err(e),
        };
        let unit_id = find(&tree, unit).ok_or(StoreError::NotFound)?;
        let has = store
            .grants_of(user.id)
            .await?
            .iter()
            .any(|g| g.role == role && g.unit_id == unit_id);
        if !has {
            store.grant_role(actor, user.id, role, unit_id).await?;
        }
    }
    Ok(())
}
