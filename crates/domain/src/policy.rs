//! The one access policy: "may this person do this action on this resource?". Deny by default:
//! an action is allowed only by a rule below that names it. Pages, API and CLI all ask here.

use crate::ids::UserId;
use crate::org::{OrgTree, UnitPath};
use crate::role::Role;
use std::collections::BTreeSet;

/// A signed-in person as the policy sees them: their grants, each with the path of its unit.
#[derive(Clone, Debug)]
pub struct Subject {
    pub user_id: UserId,
    pub disabled: bool,
    pub grants: Vec<(Role, UnitPath)>,
}

impl Subject {
    fn has_role_covering(&self, role: Role, unit: &UnitPath) -> bool {
        self.grants
            .iter()
            .any(|(r, g)| *r == role && unit.is_covered_by(g.id))
    }

    fn has_role_anywhere(&self, role: Role) -> bool {
        self.grants.iter().any(|(r, _)| *r == role)
    }

    /// Admin granted on the municipality itself (the root of the tree).
    fn is_municipality_admin(&self) -> bool {
        self.grants
            .iter()
            .any(|(r, g)| *r == Role::Admin && g.ancestors.is_empty())
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut v: Vec<Role> = self.grants.iter().map(|(r, _)| *r).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// What someone wants to do, with the resource it touches.
#[derive(Clone, Debug)]
pub enum Action<'a> {
    /// Own dashboard, own profile, own API identity, signing out.
    ViewOwn,
    /// The unit tree and the user list (administration pages).
    ViewOrganisation,
    CreateUnit {
        parent: &'a UnitPath,
    },
    CreateUser,
    /// Grant or revoke a role on a unit.
    ChangeGrant {
        unit: &'a UnitPath,
    },
    /// Disable or re-enable an account; `target_units` are the units of the target's grants.
    ChangeUserStatus {
        target: UserId,
        target_units: &'a [UnitPath],
    },
    /// The audit log covers the whole municipality, so only its administrators read it.
    ViewAuditLog,
    /// Question frameworks hold no case data: everyone with a role may read them.
    ViewTemplates,
    /// Create, edit, publish and retire the municipality's own templates.
    ManageTemplates,
    /// Upload a case extract into the case register.
    ImportCases,
    /// Read the case register; which cases, [`case_scope`] says.
    ViewCases,
    /// Draw (and read) samples from the cases in one's [`case_scope`].
    DrawSample,
    /// Plan and run rounds over the cases in one's [`case_scope`]; which rounds,
    /// [`runs_round`] says.
    PlanRounds,
    /// Take part in reviews (the task list, the review form); which reviews, the round's
    /// assignment and [`crate::review::may_read_answers`] say.
    Review,
    /// Read rounds' results and reports; which rounds and how much, [`reads_results`] and
    /// [`runs_round`] say.
    ViewResults,
    /// Open the learning-audit module; which audits, the panel says
    /// ([`crate::learning_audit::access`]).
    ViewLearningAudits,
    /// Lead learning audits: create them, choose the panel, add material, keep the plan.
    LeadLearningAudits,
}

impl Action<'_> {
    /// Stable name, written to the audit log when an action is denied.
    pub fn code(&self) -> &'static str {
        match self {
            Action::ViewOwn => "view_own",
            Action::ViewOrganisation => "view_organisation",
            Action::CreateUnit { .. } => "create_unit",
            Action::CreateUser => "create_user",
            Action::ChangeGrant { .. } => "change_grant",
            Action::ChangeUserStatus { .. } => "change_user_status",
            Action::ViewAuditLog => "view_audit_log",
            Action::ViewTemplates => "view_templates",
            Action::ManageTemplates => "manage_templates",
            Action::ImportCases => "import_cases",
            Action::ViewCases => "view_cases",
            Action::DrawSample => "draw_sample",
            Action::PlanRounds => "plan_rounds",
            Action::Review => "review",
            Action::ViewResults => "view_results",
            Action::ViewLearningAudits => "view_learning_audits",
            Action::LeadLearningAudits => "lead_learning_audits",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    AccountDisabled,
    MissingRole,
    OutsideScope,
    OwnAccount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(Denial),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Roles that work with the case register.
const CASE_ROLES: [Role; 2] = [Role::Leader, Role::Coordinator];
const REVIEW_ROLES: [Role; 4] = [
    Role::Leader,
    Role::Coordinator,
    Role::Caseworker,
    Role::Lawyer,
];

/// Whether a person runs a round over the units `round_scope` names (empty: the whole
/// register): a leader or coordinator whose case scope covers all of them.
pub fn runs_round(subject: &Subject, tree: &OrgTree, round_scope: &[String]) -> bool {
    let mine = case_scope(subject, tree);
    !mine.is_empty() && mine.covers(&CaseScope::from_names(round_scope))
}

/// Which cases of the register a person may see. Cases carry their unit as the case system
/// names it; a case belongs to the tilsyn unit of that name (compared without case). A grant
/// covers its unit and the units below; a case whose unit tilsyn does not know (or that has
/// none) is seen only by those with a grant on the municipality itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseScope {
    /// A case-role grant on the municipality: every case.
    pub everything: bool,
    /// Lower-cased names of the units covered.
    pub units: BTreeSet<String>,
}

impl CaseScope {
    pub fn allows(&self, unit: Option<&str>) -> bool {
        self.everything || unit.is_some_and(|u| self.units.contains(&u.to_lowercase()))
    }

    /// Nothing at all (no case role).
    pub fn is_empty(&self) -> bool {
        !self.everything && self.units.is_empty()
    }

    /// The unit names as a list for storage (empty = everything).
    pub fn names(&self) -> Vec<String> {
        if self.everything {
            Vec::new()
        } else {
            self.units.iter().cloned().collect()
        }
    }

    /// Whether this scope sees at least everything `other` sees.
    pub fn covers(&self, other: &CaseScope) -> bool {
        self.everything || (!other.everything && other.units.is_subset(&self.units))
    }

    /// The scope a stored list of names stands for (see [`CaseScope::names`]).
    pub fn from_names(names: &[String]) -> CaseScope {
        CaseScope {
            everything: names.is_empty(),
            units: names.iter().map(|n| n.to_lowercase()).collect(),
        }
    }
}

/// The case scope of `subject` in `tree`.
pub fn case_scope(subject: &Subject, tree: &OrgTree) -> CaseScope {
    scope_of_roles(subject, tree, &CASE_ROLES)
}

/// The roles that read a round's aggregated results: the people who run rounds, lawyers (they
/// review) and the committee and management's read-only role.
const RESULT_ROLES: [Role; 4] = [Role::Leader, Role::Coordinator, Role::Lawyer, Role::Viewer];

/// Whether a person may read a round's aggregated results (small cells hidden, unless they
/// also run the round): a leader, coordinator, lawyer or viewer whose grants cover the round.
pub fn reads_results(subject: &Subject, tree: &OrgTree, round_scope: &[String]) -> bool {
    let mine = scope_of_roles(subject, tree, &RESULT_ROLES);
    !mine.is_empty() && mine.covers(&CaseScope::from_names(round_scope))
}

fn scope_of_roles(subject: &Subject, tree: &OrgTree, roles: &[Role]) -> CaseScope {
    let mut scope = CaseScope::default();
    if subject.disabled {
        return scope;
    }
    let grants: Vec<&UnitPath> = subject
        .grants
        .iter()
        .filter(|(r, _)| roles.contains(r))
        .map(|(_, u)| u)
        .collect();
    if grants.iter().any(|g| g.ancestors.is_empty()) {
        scope.everything = true;
        return scope;
    }
    let mut outside = BTreeSet::new();
    for row in tree.rows() {
        let name = row.unit.name.to_lowercase();
        match tree.path(row.unit.id) {
            Some(path) if grants.iter().any(|g| path.is_covered_by(g.id)) => {
                scope.units.insert(name);
            }
            _ => {
                outside.insert(name);
            }
        }
    }
    // Unit names are unique only among siblings. A name also used outside one's units cannot
    // say whose a case is, so it grants nothing (fail closed; rename one of the units).
    scope.units.retain(|n| !outside.contains(n));
    scope
}

fn scoped(subject: &Subject, role: Role, unit: &UnitPath) -> Decision {
    if subject.has_role_covering(role, unit) {
        Decision::Allow
    } else if subject.has_role_anywhere(role) {
        Decision::Deny(Denial::OutsideScope)
    } else {
        Decision::Deny(Denial::MissingRole)
    }
}

fn anywhere(subject: &Subject, role: Role) -> Decision {
    if subject.has_role_anywhere(role) {
        Decision::Allow
    } else {
        Decision::Deny(Denial::MissingRole)
    }
}

pub fn decide(subject: &Subject, action: &Action<'_>) -> Decision {
    if subject.disabled {
        return Decision::Deny(Denial::AccountDisabled);
    }
    match action {
        Action::ViewOwn => Decision::Allow,
        Action::ViewOrganisation | Action::CreateUser => anywhere(subject, Role::Admin),
        Action::CreateUnit { parent } => scoped(subject, Role::Admin, parent),
        Action::ChangeGrant { unit } => scoped(subject, Role::Admin, unit),
        Action::ChangeUserStatus {
            target,
            target_units,
        } => {
            if *target == subject.user_id {
                // An administrator who disables themselves locks the door from inside.
                return Decision::Deny(Denial::OwnAccount);
            }
            if subject.is_municipality_admin() {
                return Decision::Allow;
            }
            if !subject.has_role_anywhere(Role::Admin) {
                return Decision::Deny(Denial::MissingRole);
            }
            // A unit administrator may act only on people who work entirely inside their units;
            // someone with no grants belongs to no unit, so only the municipality's admins.
            if target_units.is_empty() {
                return Decision::Deny(Denial::OutsideScope);
            }
            if target_units
                .iter()
                .all(|u| subject.has_role_covering(Role::Admin, u))
            {
                Decision::Allow
            } else {
                Decision::Deny(Denial::OutsideScope)
            }
        }
        Action::ViewTemplates => {
            if subject.grants.is_empty() {
                Decision::Deny(Denial::MissingRole)
            } else {
                Decision::Allow
            }
        }
        // Templates serve the whole municipality; the people who plan rounds look after them.
        // Audit leads are the people who look after frameworks (templates): learning audits
        // work on a framework (the quality model) and hold no case data.
        Action::ManageTemplates | Action::LeadLearningAudits => {
            if subject.has_role_anywhere(Role::Admin)
                || subject.has_role_anywhere(Role::Coordinator)
            {
                Decision::Allow
            } else {
                Decision::Deny(Denial::MissingRole)
            }
        }
        // Case data: the people who plan rounds (leaders and coordinators), within their units.
        // An administrator runs the system, not the cases, and sees none of them.
        Action::ImportCases | Action::ViewCases | Action::DrawSample | Action::PlanRounds => {
            if CASE_ROLES.iter().any(|r| subject.has_role_anywhere(*r)) {
                Decision::Allow
            } else {
                Decision::Deny(Denial::MissingRole)
            }
        }
        // Reviewers: the people who plan rounds, caseworkers (own cases, peer review) and
        // lawyers. Administrators and the committee read no case.
        Action::Review => {
            if REVIEW_ROLES.iter().any(|r| subject.has_role_anywhere(*r)) {
                Decision::Allow
            } else {
                Decision::Deny(Denial::MissingRole)
            }
        }
        Action::ViewResults => {
            if RESULT_ROLES.iter().any(|r| subject.has_role_anywhere(*r)) {
                Decision::Allow
            } else {
                Decision::Deny(Denial::MissingRole)
            }
        }
        Action::ViewLearningAudits => {
            if subject.grants.is_empty() {
                Decision::Deny(Denial::MissingRole)
            } else {
                Decision::Allow
            }
        }

        Action::ViewAuditLog => {
            if subject.is_municipality_admin() {
                Decision::Allow
            } else if subject.has_role_anywhere(Role::Admin) {
                Decision::Deny(Denial::OutsideScope)
            } else {
                Decision::Deny(Denial::MissingRole)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;

    struct Org {
        root: UnitPath,
        dept: UnitPath,
        team: UnitPath,
        other: UnitPath,
    }

    fn org() -> Org {
        let root = UnitId::new();
        let dept = UnitId::new();
        let team = UnitId::new();
        let other = UnitId::new();
        Org {
            root: UnitPath {
                id: root,
                ancestors: vec![],
            },
            dept: UnitPath {
                id: dept,
                ancestors: vec![root],
            },
            team: UnitPath {
                id: team,
                ancestors: vec![dept, root],
            },
            other: UnitPath {
                id: other,
                ancestors: vec![root],
            },
        }
    }

    fn subject(grants: Vec<(Role, UnitPath)>) -> Subject {
        Subject {
            user_id: UserId::new(),
            disabled: false,
            grants,
        }
    }

    #[test]
    fn nothing_is_allowed_without_a_rule_except_own_pages() {
        let o = org();
        let nobody = subject(vec![]);
        assert_eq!(decide(&nobody, &Action::ViewOwn), Decision::Allow);
        for a in [
            Action::ViewOrganisation,
            Action::CreateUser,
            Action::CreateUnit { parent: &o.root },
            Action::ChangeGrant { unit: &o.team },
            Action::ViewAuditLog,
        ] {
            assert_eq!(
                decide(&nobody, &a),
                Decision::Deny(Denial::MissingRole),
                "{a:?}"
            );
        }
    }

    #[test]
    fn non_admin_roles_never_administer() {
        let o = org();
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
            let s = subject(vec![(role, o.root.clone())]);
            assert!(
                !decide(&s, &Action::ViewOrganisation).is_allowed(),
                "{role}"
            );
            assert!(
                !decide(&s, &Action::CreateUnit { parent: &o.team }).is_allowed(),
                "{role}"
            );
            assert!(!decide(&s, &Action::ViewAuditLog).is_allowed(), "{role}");
            assert!(decide(&s, &Action::ViewOwn).is_allowed(), "{role}");
        }
    }

    #[test]
    fn admin_grants_cover_the_units_below_and_nothing_beside() {
        let o = org();
        let dept_admin = subject(vec![(Role::Admin, o.dept.clone())]);
        assert!(decide(&dept_admin, &Action::CreateUnit { parent: &o.dept }).is_allowed());
        assert!(decide(&dept_admin, &Action::ChangeGrant { unit: &o.team }).is_allowed());
        assert_eq!(
            decide(&dept_admin, &Action::ChangeGrant { unit: &o.other }),
            Decision::Deny(Denial::OutsideScope)
        );
        assert_eq!(
            decide(&dept_admin, &Action::CreateUnit { parent: &o.root }),
            Decision::Deny(Denial::OutsideScope)
        );
        assert_eq!(
            decide(&dept_admin, &Action::ViewAuditLog),
            Decision::Deny(Denial::OutsideScope)
        );
        let root_admin = subject(vec![(Role::Admin, o.root.clone())]);
        assert!(decide(&root_admin, &Action::ViewAuditLog).is_allowed());
    }

    fn tree(o: &Org) -> OrgTree {
        use crate::org::{Unit, UnitKind};
        let unit = |p: &UnitPath, parent: Option<crate::ids::UnitId>, kind, name: &str| Unit {
            id: p.id,
            parent_id: parent,
            kind,
            name: name.into(),
            created_at: chrono::Utc::now(),
        };
        OrgTree::new(vec![
            unit(&o.root, None, UnitKind::Municipality, "Kommunen"),
            unit(&o.dept, Some(o.root.id), UnitKind::Department, "Myndighed"),
            unit(&o.team, Some(o.dept.id), UnitKind::Team, "Team Nord"),
            unit(&o.other, Some(o.root.id), UnitKind::Department, "Handicap"),
        ])
    }

    #[test]
    fn case_data_is_for_leaders_and_coordinators_within_their_units() {
        let o = org();
        let t = tree(&o);
        for role in Role::ALL {
            let s = subject(vec![(role, o.dept.clone())]);
            let may = matches!(role, Role::Leader | Role::Coordinator);
            for a in [Action::ViewCases, Action::ImportCases, Action::DrawSample] {
                assert_eq!(decide(&s, &a).is_allowed(), may, "{role} {a:?}");
            }
            let scope = case_scope(&s, &t);
            assert_eq!(scope.is_empty(), !may, "{role}");
        }
        let lead = subject(vec![(Role::Leader, o.dept.clone())]);
        let scope = case_scope(&lead, &t);
        assert!(!scope.everything);
        // The unit and the units below, by name and without regard to case.
        assert!(scope.allows(Some("Myndighed")) && scope.allows(Some("team nord")));
        assert!(!scope.allows(Some("Handicap")));
        assert!(!scope.allows(Some("Ukendt")) && !scope.allows(None));
        let top = subject(vec![(Role::Coordinator, o.root.clone())]);
        let all = case_scope(&top, &t);
        assert!(all.everything && all.allows(None) && all.allows(Some("Ukendt")));
        assert!(all.covers(&scope) && !scope.covers(&all));
        assert_eq!(CaseScope::from_names(&scope.names()), scope);
        assert_eq!(CaseScope::from_names(&all.names()), all);
        // A name also used outside the grant's units grants nothing: a case of "Team Nord"
        // could be either team's.
        let mut t2 = tree(&o);
        let twin = crate::org::Unit {
            id: crate::ids::UnitId::new(),
            parent_id: Some(o.other.id),
            kind: crate::org::UnitKind::Team,
            name: "Team Nord".into(),
            created_at: chrono::Utc::now(),
        };
        let mut units: Vec<crate::org::Unit> = t2.rows().iter().map(|r| r.unit.clone()).collect();
        units.push(twin);
        t2 = OrgTree::new(units);
        let scope = case_scope(&lead, &t2);
        assert!(!scope.allows(Some("Team Nord")) && scope.allows(Some("Myndighed")));
        // A disabled account sees nothing, whatever its grants.
        let mut off = top.clone();
        off.disabled = true;
        assert!(case_scope(&off, &t).is_empty());
    }

    #[test]
    fn disabling_people_respects_scope_and_never_self() {
        let o = org();
        let dept_admin = subject(vec![(Role::Admin, o.dept.clone())]);
        let inside = [o.team.clone()];
        let partly_outside = [o.team.clone(), o.other.clone()];
        let target = UserId::new();
        assert!(
            decide(
                &dept_admin,
                &Action::ChangeUserStatus {
                    target,
                    target_units: &inside
                }
            )
            .is_allowed()
        );
        assert_eq!(
            decide(
                &dept_admin,
                &Action::ChangeUserStatus {
                    target,
                    target_units: &partly_outside
                }
            ),
            Decision::Deny(Denial::OutsideScope)
        );
        let nothing: [UnitPath; 0] = [];
        assert_eq!(
            decide(
                &dept_admin,
                &Action::ChangeUserStatus {
                    target,
                    target_units: &nothing
                }
            ),
            Decision::Deny(Denial::OutsideScope),
            "a person without grants is outside every unit"
        );
        let root_admin = subject(vec![(Role::Admin, o.root.clone())]);
        assert!(
            decide(
                &root_admin,
                &Action::ChangeUserStatus {
                    target,
                    target_units: &nothing
                }
            )
            .is_allowed()
        );
        assert!(
            decide(
                &root_admin,
                &Action::ChangeUserStatus {
                    target,
                    target_units: &partly_outside
                }
            )
            .is_allowed()
        );
        assert_eq!(
            decide(
                &root_admin,
                &Action::ChangeUserStatus {
                    target: root_admin.user_id,
                    target_units: &[]
                }
            ),
            Decision::Deny(Denial::OwnAccount)
        );
    }

    #[test]
    fn a_disabled_account_may_do_nothing() {
        let o = org();
        let mut s = subject(vec![(Role::Admin, o.root.clone())]);
        s.disabled = true;
        assert_eq!(
            decide(&s, &Action::ViewOwn),
            Decision::Deny(Denial::AccountDisabled)
        );
        assert_eq!(
            decide(&s, &Action::ViewAuditLog),
            Decision::Deny(Denial::AccountDisabled)
        );
    }

    #[test]
    fn templates_are_read_by_every_role_and_kept_by_admins_and_coordinators() {
        let o = org();
        for role in Role::ALL {
            let s = subject(vec![(role, o.team.clone())]);
            assert!(decide(&s, &Action::ViewTemplates).is_allowed(), "{role:?}");
            let manage = decide(&s, &Action::ManageTemplates).is_allowed();
            assert_eq!(
                manage,
                matches!(role, Role::Admin | Role::Coordinator),
                "{role:?}"
            );
        }
        let nobody = subject(vec![]);
        assert!(!decide(&nobody, &Action::ViewTemplates).is_allowed());
        let mut disabled = subject(vec![(Role::Admin, o.root.clone())]);
        disabled.disabled = true;
        assert!(!decide(&disabled, &Action::ManageTemplates).is_allowed());
    }
}
