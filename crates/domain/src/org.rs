//! The organisation: one municipality at the root, units below it (forvaltning, afdeling,
//! enhed, team), and the people who work there.

use crate::error::FieldError;
use crate::ids::{UnitId, UserId};
use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// kommune: the single root of the tree.
    Municipality,
    /// forvaltning
    Administration,
    /// afdeling
    Department,
    /// enhed
    Unit,
    /// team
    Team,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        UnitKind::Municipality,
        UnitKind::Administration,
        UnitKind::Department,
        UnitKind::Unit,
        UnitKind::Team,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Municipality => "municipality",
            UnitKind::Administration => "administration",
            UnitKind::Department => "department",
            UnitKind::Unit => "unit",
            UnitKind::Team => "team",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            UnitKind::Municipality => "unit-kind-municipality",
            UnitKind::Administration => "unit-kind-administration",
            UnitKind::Department => "unit-kind-department",
            UnitKind::Unit => "unit-kind-unit",
            UnitKind::Team => "unit-kind-team",
        }
    }

    fn depth(self) -> u8 {
        match self {
            UnitKind::Municipality => 0,
            UnitKind::Administration => 1,
            UnitKind::Department => 2,
            UnitKind::Unit => 3,
            UnitKind::Team => 4,
        }
    }

    pub fn parse(s: &str) -> Result<UnitKind, FieldError> {
        let s = s.trim().to_ascii_lowercase();
        UnitKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or(FieldError::new("kind", "err-unit-kind-unknown"))
    }

    /// A unit sits below a unit of a higher kind; levels may be skipped (a team directly under
    /// an afdeling is common), but never reversed.
    pub fn may_sit_below(self, parent: UnitKind) -> bool {
        self != UnitKind::Municipality && self.depth() > parent.depth()
    }
}

fn clean_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitName(String);

impl UnitName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = clean_text(s);
        if s.is_empty() {
            return Err(FieldError::new("name", "err-unit-name-required"));
        }
        if s.chars().count() > 120 || has_control(&s) {
            return Err(FieldError::new("name", "err-unit-name-invalid"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Login name: lower-case letters, digits, `.`, `_`, `-`; 2–64 characters. Stored lower-case so
/// "Leder" and "leder" are the same account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_lowercase();
        if s.is_empty() {
            return Err(FieldError::new("username", "err-username-required"));
        }
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !(2..=64).contains(&s.len()) || !ok_chars {
            return Err(FieldError::new("username", "err-username-invalid"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FullName(String);

impl FullName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = clean_text(s);
        if s.is_empty() {
            return Err(FieldError::new("full_name", "err-full-name-required"));
        }
        if s.chars().count() > 200 || has_control(&s) {
            return Err(FieldError::new("full_name", "err-full-name-invalid"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password as typed. Never logged, never serialised.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let n = s.chars().count();
        if n < Self::MIN_CHARS {
            return Err(FieldError::new("password", "err-password-short"));
        }
        if n > 1024 {
            return Err(FieldError::new("password", "err-password-long"));
        }
        Ok(Self(s.to_owned()))
    }

    /// Skips the length rule. Only the demo seeding uses it, for the documented password `demo`.
    pub fn demo(s: &str) -> Self {
        Self(s.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub kind: UnitKind,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub id: crate::ids::GrantId,
    pub user_id: UserId,
    pub role: Role,
    pub unit_id: UnitId,
}

/// A unit and the chain of units above it (nearest first), which is what the policy needs to
/// decide whether a grant higher up covers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitPath {
    pub id: UnitId,
    pub ancestors: Vec<UnitId>,
}

impl UnitPath {
    pub fn is_covered_by(&self, grant_unit: UnitId) -> bool {
        self.id == grant_unit || self.ancestors.contains(&grant_unit)
    }
}

/// The unit tree in memory, for listing in tree order and for paths.
#[derive(Clone, Debug, Default)]
pub struct OrgTree {
    units: Vec<Unit>,
    index: HashMap<UnitId, usize>,
}

/// A unit with its depth in the tree, in display order (each unit after its parent, siblings
/// by name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow<'a> {
    pub unit: &'a Unit,
    pub depth: usize,
}

impl OrgTree {
    pub fn new(units: Vec<Unit>) -> Self {
        let index = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        Self { units, index }
    }

    pub fn get(&self, id: UnitId) -> Option<&Unit> {
        self.index.get(&id).map(|&i| &self.units[i])
    }

    pub fn root(&self) -> Option<&Unit> {
        self.units.iter().find(|u| u.parent_id.is_none())
    }

    pub fn path(&self, id: UnitId) -> Option<UnitPath> {
        let mut ancestors = Vec::new();
        let mut cur = self.get(id)?;
        while let Some(p) = cur.parent_id {
            if ancestors.contains(&p) || p == id {
                break; // a cycle cannot be created through the store, but never loop forever
            }
            ancestors.push(p);
            cur = self.get(p)?;
        }
        Some(UnitPath { id, ancestors })
    }

    pub fn rows(&self) -> Vec<TreeRow<'_>> {
        let mut out = Vec::with_capacity(self.units.len());
        let mut roots: Vec<&Unit> = self
            .units
            .iter()
            .filter(|u| u.parent_id.is_none())
            .collect();
        roots.sort_by(|a, b| a.name.cmp(&b.name));
        let mut stack: Vec<(&Unit, usize)> = roots.into_iter().rev().map(|u| (u, 0)).collect();
        while let Some((u, depth)) = stack.pop() {
            out.push(TreeRow { unit: u, depth });
            let mut kids: Vec<&Unit> = self
                .units
                .iter()
                .filter(|c| c.parent_id == Some(u.id))
                .collect();
            kids.sort_by(|a, b| b.name.cmp(&a.name));
            stack.extend(kids.into_iter().map(|k| (k, depth + 1)));
        }
        out
    }

    /// Display label with the path, e.g. "Demo Kommune › Børn og Familie › Team Nord".
    pub fn label(&self, id: UnitId) -> String {
        let Some(path) = self.path(id) else {
            return String::new();
        };
        let mut names: Vec<&str> = path
            .ancestors
            .iter()
            .rev()
            .filter_map(|a| self.get(*a).map(|u| u.name.as_str()))
            .collect();
        if let Some(u) = self.get(id) {
            names.push(&u.name);
        }
        names.join(" › ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, kind: UnitKind, parent: Option<UnitId>) -> Unit {
        Unit {
            id: UnitId::new(),
            parent_id: parent,
            kind,
            name: name.into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(Username::parse("  Leder ").map(|u| u.0), Ok("leder".into()));
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("with space").is_err());
        assert!(Username::parse("æble").is_err());
        assert_eq!(
            Username::parse("").expect_err("empty").key,
            "err-username-required"
        );
    }

    #[test]
    fn names_collapse_whitespace_and_reject_control_characters() {
        assert_eq!(
            FullName::parse(" Anne   Hansen ").map(|n| n.0),
            Ok("Anne Hansen".into())
        );
        assert!(FullName::parse("Anne\u{0}").is_err());
        assert!(UnitName::parse(&"x".repeat(121)).is_err());
        assert!(UnitName::parse("Team Øst").is_ok());
    }

    #[test]
    fn passwords_have_a_minimum_length() {
        assert!(NewPassword::parse("kort").is_err());
        assert!(NewPassword::parse("langt-nok-kodeord").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("hemmeligt-ord").ok()),
            "Some(NewPassword(***))"
        );
    }

    #[test]
    fn unit_kinds_only_nest_downwards() {
        assert!(UnitKind::Team.may_sit_below(UnitKind::Department));
        assert!(UnitKind::Department.may_sit_below(UnitKind::Municipality));
        assert!(!UnitKind::Department.may_sit_below(UnitKind::Team));
        assert!(!UnitKind::Team.may_sit_below(UnitKind::Team));
        assert!(!UnitKind::Municipality.may_sit_below(UnitKind::Municipality));
    }

    #[test]
    fn tree_orders_children_after_parents_and_builds_paths() {
        let root = unit("Kommune", UnitKind::Municipality, None);
        let dep = unit("Børn", UnitKind::Department, Some(root.id));
        let t2 = unit("Team Syd", UnitKind::Team, Some(dep.id));
        let t1 = unit("Team Nord", UnitKind::Team, Some(dep.id));
        let other = unit("Handicap", UnitKind::Department, Some(root.id));
        let tree = OrgTree::new(vec![
            t2.clone(),
            other.clone(),
            t1.clone(),
            dep.clone(),
            root.clone(),
        ]);
        let names: Vec<(&str, usize)> = tree
            .rows()
            .iter()
            .map(|r| (r.unit.name.as_str(), r.depth))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Kommune", 0),
                ("Børn", 1),
                ("Team Nord", 2),
                ("Team Syd", 2),
                ("Handicap", 1)
            ]
        );
        let path = tree.path(t1.id).expect("path");
        assert_eq!(path.ancestors, vec![dep.id, root.id]);
        assert!(path.is_covered_by(root.id));
        assert!(path.is_covered_by(t1.id));
        assert!(!path.is_covered_by(other.id));
        assert!(!path.is_covered_by(t2.id));
        assert_eq!(tree.label(t1.id), "Kommune › Børn › Team Nord");
    }
}
