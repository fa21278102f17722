//! A round (tilsynsrunde) as planned: its kind, levels, themes and working group, the plan
//! checks from the national recommendations (warnings, never blocks), its states, and who may
//! review a case at which level.

use crate::ids::UserId;
use crate::role::Role;
use crate::sampling::{BROAD_MIN_CASES, THEMATIC_MIN_CASES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Overordnet, uddybende/tematiseret or løbende.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    Broad,
    Thematic,
    Continuous,
}

/// At most this many themes in a thematic round.
pub const MAX_THEMES: usize = 2;
/// Whether two rounds' scopes (unit names; empty = the whole municipality) share a unit.
pub fn scopes_overlap(a: &[String], b: &[String]) -> bool {
    a.is_empty()
        || b.is_empty()
        || a.iter()
            .any(|x| b.iter().any(|y| x.eq_ignore_ascii_case(y)))
}

/// Recommended rounds per unit and year.
pub const MIN_ROUNDS_PER_YEAR: usize = 2;
/// Recommended size of the working group.
pub const WORKING_GROUP: std::ops::RangeInclusive<usize> = 3..=5;

/// A member of the working group and the role they have in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user: UserId,
    pub role: Role,
}

/// What the plan checks look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub kind: RoundKind,
    /// Cases per level, level 1 first.
    pub level_sizes: Vec<usize>,
    pub themes: Vec<String>,
    pub working_group: Vec<Member>,
    /// Other rounds of the same unit in the same calendar year (not this one).
    pub other_rounds_this_year: usize,
}

/// A reason to look at the plan again. None of these stops a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "warning")]
pub enum PlanWarning {
    TooFewCases { cases: usize, recommended: usize },
    TooManyThemes { themes: usize, max: usize },
    NoTheme,
    FewRoundsThisYear { rounds: usize, recommended: usize },
    WorkingGroupSize { members: usize },
    WorkingGroupLacks { role: Role },
}

impl PlanWarning {
    /// Every key [`PlanWarning::key`] and [`PlanError::key`] can return.
    pub const KEYS: [&'static str; 9] = [
        "plan-warn-too-few-cases",
        "plan-warn-too-many-themes",
        "plan-warn-no-theme",
        "plan-warn-few-rounds",
        "plan-warn-group-size",
        "plan-warn-group-lacks",
        "plan-err-levels",
        "plan-err-empty-level",
        "plan-err-level-larger",
    ];

    pub fn key(&self) -> &'static str {
        match self {
            PlanWarning::TooFewCases { .. } => "plan-warn-too-few-cases",
            PlanWarning::TooManyThemes { .. } => "plan-warn-too-many-themes",
            PlanWarning::NoTheme => "plan-warn-no-theme",
            PlanWarning::FewRoundsThisYear { .. } => "plan-warn-few-rounds",
            PlanWarning::WorkingGroupSize { .. } => "plan-warn-group-size",
            PlanWarning::WorkingGroupLacks { .. } => "plan-warn-group-lacks",
        }
    }
}

/// A plan that cannot be drawn: these are errors, not warnings.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("a round has 1 to 3 levels")]
    Levels,
    #[error("level {level} must have at least one case")]
    EmptyLevel { level: usize },
    #[error("level {level} is a subset of level {}: it cannot be larger", level - 1)]
    LevelLargerThanParent { level: usize },
}

impl PlanError {
    pub fn key(&self) -> &'static str {
        match self {
            PlanError::Levels => "plan-err-levels",
            PlanError::EmptyLevel { .. } => "plan-err-empty-level",
            PlanError::LevelLargerThanParent { .. } => "plan-err-level-larger",
        }
    }
}

/// Checks a plan: `Err` for what cannot be drawn, else the warnings, in a fixed order.
pub fn check_plan(plan: &Plan) -> Result<Vec<PlanWarning>, PlanError> {
    if !(1..=3).contains(&plan.level_sizes.len()) {
        return Err(PlanError::Levels);
    }
    for (i, &n) in plan.level_sizes.iter().enumerate() {
        if n == 0 {
            return Err(PlanError::EmptyLevel { level: i + 1 });
        }
        if i > 0 && n > plan.level_sizes[i - 1] {
            return Err(PlanError::LevelLargerThanParent { level: i + 1 });
        }
    }
    let mut w = Vec::new();
    let cases = plan.level_sizes[0];
    let recommended = match plan.kind {
        RoundKind::Broad => Some(BROAD_MIN_CASES),
        RoundKind::Thematic => Some(THEMATIC_MIN_CASES),
        // One case per caseworker per period: the size follows the caseworkers.
        RoundKind::Continuous => None,
    };
    if let Some(r) = recommended
        && cases < r
    {
        w.push(PlanWarning::TooFewCases {
            cases,
            recommended: r,
        });
    }
    if plan.kind == RoundKind::Thematic {
        let themes = plan.themes.iter().collect::<BTreeSet<_>>().len();
        if themes == 0 {
            w.push(PlanWarning::NoTheme);
        } else if themes > MAX_THEMES {
            w.push(PlanWarning::TooManyThemes {
                themes,
                max: MAX_THEMES,
            });
        }
    }
    let rounds = plan.other_rounds_this_year + 1;
    if plan.kind != RoundKind::Continuous && rounds < MIN_ROUNDS_PER_YEAR {
        w.push(PlanWarning::FewRoundsThisYear {
            rounds,
            recommended: MIN_ROUNDS_PER_YEAR,
        });
    }
    let members = plan
        .working_group
        .iter()
        .map(|m| m.user)
        .collect::<BTreeSet<_>>()
        .len();
    if !WORKING_GROUP.contains(&members) {
        w.push(PlanWarning::WorkingGroupSize { members });
    }
    for role in [Role::Leader, Role::Coordinator, Role::Caseworker] {
        if !plan.working_group.iter().any(|m| m.role == role) {
            w.push(PlanWarning::WorkingGroupLacks { role });
        }
    }
    Ok(w)
}

/// A dated step of the round's schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// Caseworkers are told of the frame and timetable (department meeting).
    InformationMeeting,
    ReviewStart,
    /// The review window closes: the due date of every review.
    ReviewEnd,
    StopOp,
    FeedbackMeeting,
    CommitteeReport,
}

impl MilestoneKind {
    pub const ALL: [MilestoneKind; 6] = [
        MilestoneKind::InformationMeeting,
        MilestoneKind::ReviewStart,
        MilestoneKind::ReviewEnd,
        MilestoneKind::StopOp,
        MilestoneKind::FeedbackMeeting,
        MilestoneKind::CommitteeReport,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MilestoneKind::InformationMeeting => "information_meeting",
            MilestoneKind::ReviewStart => "review_start",
            MilestoneKind::ReviewEnd => "review_end",
            MilestoneKind::StopOp => "stop_op",
            MilestoneKind::FeedbackMeeting => "feedback_meeting",
            MilestoneKind::CommitteeReport => "committee_report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("milestone-{}", self.code().replace('_', "-"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub kind: MilestoneKind,
    pub date: chrono::NaiveDate,
}

/// Everything a round's plan says, stored with the round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundPlan {
    pub kind: RoundKind,
    /// Planned cases per level, level 1 first (the drawn sample may differ).
    pub level_sizes: Vec<usize>,
    /// At most two for a thematic round.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Item keys of the rotating temanedslag questions included in this round.
    #[serde(default)]
    pub theme_spots: Vec<String>,
    #[serde(default)]
    pub working_group: Vec<Member>,
    #[serde(default)]
    pub schedule: Vec<Milestone>,
    /// The first measurement, that later rounds are compared with.
    #[serde(default)]
    pub baseline: bool,
    #[serde(default)]
    pub rules: ReviewRules,
    #[serde(default)]
    pub counting: crate::review::CountingRule,
    /// The date ages and open deadlines are counted at.
    pub reference_date: chrono::NaiveDate,
    /// Where the review of each case starts (e.g. "the latest underretning in the window").
    #[serde(default)]
    pub start_point: String,
    /// How far back the review looks, in months (about a year by default).
    pub look_back_months: u32,
}

impl RoundPlan {
    pub fn milestone(&self, kind: MilestoneKind) -> Option<chrono::NaiveDate> {
        self.schedule
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.date)
            .min()
    }

    /// The look-back date: how far back in the case the review reads.
    pub fn look_back(&self) -> Option<chrono::NaiveDate> {
        self.reference_date
            .checked_sub_months(chrono::Months::new(self.look_back_months))
    }

    /// What the plan checks look at, with `sizes` (the drawn sample's, or the planned ones).
    pub fn checked(&self, sizes: &[usize], other_rounds_this_year: usize) -> Plan {
        Plan {
            kind: self.kind,
            level_sizes: sizes.to_vec(),
            themes: self.themes.clone(),
            working_group: self.working_group.clone(),
            other_rounds_this_year,
        }
    }
}

impl RoundKind {
    pub const ALL: [RoundKind; 3] = [RoundKind::Broad, RoundKind::Thematic, RoundKind::Continuous];

    pub fn code(self) -> &'static str {
        match self {
            RoundKind::Broad => "broad",
            RoundKind::Thematic => "thematic",
            RoundKind::Continuous => "continuous",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("round-kind-{}", self.code())
    }
}

/// Where a round is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundState {
    Draft,
    Sampled,
    Reviewing,
    Analysing,
    Reporting,
    Closed,
}

impl RoundState {
    /// The states a round may move to from this one: forward one step, or back from sampled
    /// to draft (to draw again before anyone has reviewed).
    pub fn next(self) -> &'static [RoundState] {
        use RoundState::*;
        match self {
            Draft => &[Sampled],
            Sampled => &[Draft, Reviewing],
            Reviewing => &[Analysing],
            Analysing => &[Reporting],
            Reporting => &[Closed],
            Closed => &[],
        }
    }

    pub fn may_become(self, to: RoundState) -> bool {
        self.next().contains(&to)
    }

    pub const ALL: [RoundState; 6] = [
        RoundState::Draft,
        RoundState::Sampled,
        RoundState::Reviewing,
        RoundState::Analysing,
        RoundState::Reporting,
        RoundState::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RoundState::Draft => "draft",
            RoundState::Sampled => "sampled",
            RoundState::Reviewing => "reviewing",
            RoundState::Analysing => "analysing",
            RoundState::Reporting => "reporting",
            RoundState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("round-state-{}", self.code())
    }

    /// Reviews may be answered (and the caseworker may reply) in this state.
    pub fn is_open_for_review(self) -> bool {
        matches!(self, RoundState::Reviewing)
    }
}

/// Per round: who reviews how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRules {
    /// Caseworkers may review other caseworkers' cases (peer review).
    pub peer_review: bool,
    /// Level 2 must come from another unit than level 1's reviewers.
    pub level2_other_unit: bool,
}

/// Why someone may not review a case at a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotIndependent {
    /// They took part in level 1 of this case.
    TookPartAtLevel1,
    /// They are in the same unit as a level-1 participant, and the round asks for another.
    SameUnitAsLevel1,
    /// A caseworker on another caseworker's case, without peer review.
    NotPeerReview,
    /// A case's own caseworker at level 2 or 3.
    OwnCaseAboveLevel1,
}

/// The facts about one candidate reviewer for one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub user: UserId,
    /// Whether they hold the caseworker role and no leading role in the round.
    pub is_caseworker: bool,
    /// Whether they are the case's own caseworker.
    pub owns_case: bool,
    /// Whether they share a unit with any level-1 participant of the case.
    pub shares_unit_with_level1: bool,
    pub level1_participants: &'a [UserId],
}

/// May `c` review the case at `level` (1–3) under `rules`? The one place the independence
/// rules live; pages, API and assignment all ask here.
pub fn may_review(c: &Candidate<'_>, level: u8, rules: ReviewRules) -> Result<(), NotIndependent> {
    if level >= 2 {
        if c.owns_case {
            return Err(NotIndependent::OwnCaseAboveLevel1);
        }
        if c.level1_participants.contains(&c.user) {
            return Err(NotIndependent::TookPartAtLevel1);
        }
        if rules.level2_other_unit && c.shares_unit_with_level1 {
            return Err(NotIndependent::SameUnitAsLevel1);
        }
    }
    // At level 1 the case's own caseworker sits beside the leader (the reference model);
    // another caseworker only in a peer review round.
    if c.is_caseworker && !c.owns_case && !rules.peer_review {
        return Err(NotIndependent::NotPeerReview);
    }
    Ok(())
}

/// One case to assign at a level, with every reviewer who could take it, as facts relative
/// to this case.
#[derive(Clone, Debug)]
pub struct CaseToAssign<'a> {
    pub key: &'a str,
    pub candidates: Vec<Candidate<'a>>,
}

/// The result of [`assign`]: who reviews which case, and the cases no one may review.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    /// (case key, reviewer), in case key order.
    pub assigned: Vec<(String, UserId)>,
    /// Cases without an eligible reviewer, with why each candidate was refused.
    pub unassigned: Vec<(String, Vec<(UserId, NotIndependent)>)>,
}

/// Assigns each case to an eligible reviewer (by [`may_review`]) with balanced workloads:
/// the cases with the fewest eligible reviewers go first (ties by key), and each goes to the
/// eligible reviewer with the fewest cases so far (ties by their starting load, then id).
/// `load` is what each reviewer already has in the round. Deterministic: the same cases
/// give the same assignment whatever their order.
pub fn assign(
    cases: &[CaseToAssign<'_>],
    level: u8,
    rules: ReviewRules,
    load: &std::collections::BTreeMap<UserId, usize>,
) -> Assignment {
    let mut current = load.clone();
    let mut order: Vec<(usize, &CaseToAssign<'_>, Vec<UserId>)> = cases
        .iter()
        .map(|c| {
            let mut eligible: Vec<UserId> = c
                .candidates
                .iter()
                .filter(|cand| may_review(cand, level, rules).is_ok())
                .map(|cand| cand.user)
                .collect();
            eligible.sort();
            eligible.dedup();
            (eligible.len(), c, eligible)
        })
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.key.cmp(b.1.key)));
    let mut out = Assignment::default();
    for (_, case, eligible) in order {
        let pick = eligible.iter().min_by_key(|u| {
            (
                current.get(*u).copied().unwrap_or(0),
                load.get(*u).copied().unwrap_or(0),
                **u,
            )
        });
        match pick {
            Some(&u) => {
                *current.entry(u).or_insert(0) += 1;
                out.assigned.push((case.key.to_owned(), u));
            }
            None => {
                let why = case
                    .candidates
                    .iter()
                    .filter_map(|cand| may_review(cand, level, rules).err().map(|e| (cand.user, e)))
                    .collect();
                out.unassigned.push((case.key.to_owned(), why));
            }
        }
    }
    out.assigned.sort();
    out.unassigned.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(roles: &[Role]) -> Vec<Member> {
        roles
            .iter()
            .map(|r| Member {
                user: UserId::new(),
                role: *r,
            })
            .collect()
    }

    fn plan(kind: RoundKind, sizes: &[usize]) -> Plan {
        Plan {
            kind,
            level_sizes: sizes.to_vec(),
            themes: vec!["Inddragelse".into()],
            working_group: group(&[Role::Leader, Role::Coordinator, Role::Caseworker]),
            other_rounds_this_year: 1,
        }
    }

    #[test]
    fn a_plan_by_the_recommendations_has_no_warnings() {
        assert_eq!(check_plan(&plan(RoundKind::Broad, &[150, 75])), Ok(vec![]));
        assert_eq!(check_plan(&plan(RoundKind::Thematic, &[20])), Ok(vec![]));
        assert_eq!(
            check_plan(&plan(RoundKind::Broad, &[100, 50, 25])),
            Ok(vec![])
        );
    }

    #[test]
    fn each_departure_from_the_recommendations_is_a_warning_with_its_reason() {
        let mut p = plan(RoundKind::Thematic, &[19]);
        p.themes = vec!["A".into(), "B".into(), "C".into(), "A".into()];
        p.other_rounds_this_year = 0;
        p.working_group = group(&[Role::Leader, Role::Lawyer]);
        assert_eq!(
            check_plan(&p),
            Ok(vec![
                PlanWarning::TooFewCases {
                    cases: 19,
                    recommended: 20
                },
                PlanWarning::TooManyThemes { themes: 3, max: 2 },
                PlanWarning::FewRoundsThisYear {
                    rounds: 1,
                    recommended: 2
                },
                PlanWarning::WorkingGroupSize { members: 2 },
                PlanWarning::WorkingGroupLacks {
                    role: Role::Coordinator
                },
                PlanWarning::WorkingGroupLacks {
                    role: Role::Caseworker
                },
            ])
        );
        let mut broad = plan(RoundKind::Broad, &[29]);
        broad.working_group = group(&[
            Role::Leader,
            Role::Coordinator,
            Role::Caseworker,
            Role::Caseworker,
            Role::Caseworker,
            Role::Lawyer,
        ]);
        assert_eq!(
            check_plan(&broad),
            Ok(vec![
                PlanWarning::TooFewCases {
                    cases: 29,
                    recommended: 30
                },
                PlanWarning::WorkingGroupSize { members: 6 },
            ])
        );
        let mut none = plan(RoundKind::Thematic, &[25]);
        none.themes.clear();
        assert_eq!(check_plan(&none), Ok(vec![PlanWarning::NoTheme]));
        // A continuous round's size follows its caseworkers, and it runs all year.
        let mut cont = plan(RoundKind::Continuous, &[6]);
        cont.other_rounds_this_year = 0;
        assert_eq!(check_plan(&cont), Ok(vec![]));
    }

    #[test]
    fn every_key_is_listed() {
        let warnings = [
            PlanWarning::TooFewCases {
                cases: 1,
                recommended: 2,
            },
            PlanWarning::TooManyThemes { themes: 3, max: 2 },
            PlanWarning::NoTheme,
            PlanWarning::FewRoundsThisYear {
                rounds: 1,
                recommended: 2,
            },
            PlanWarning::WorkingGroupSize { members: 1 },
            PlanWarning::WorkingGroupLacks { role: Role::Leader },
        ];
        let errors = [
            PlanError::Levels,
            PlanError::EmptyLevel { level: 1 },
            PlanError::LevelLargerThanParent { level: 2 },
        ];
        let keys: Vec<&str> = warnings
            .iter()
            .map(PlanWarning::key)
            .chain(errors.iter().map(PlanError::key))
            .collect();
        assert_eq!(keys, PlanWarning::KEYS);
    }

    #[test]
    fn levels_must_nest() {
        assert_eq!(
            check_plan(&plan(RoundKind::Broad, &[])),
            Err(PlanError::Levels)
        );
        assert_eq!(
            check_plan(&plan(RoundKind::Broad, &[40, 20, 10, 5])),
            Err(PlanError::Levels)
        );
        assert_eq!(
            check_plan(&plan(RoundKind::Broad, &[40, 41])),
            Err(PlanError::LevelLargerThanParent { level: 2 })
        );
        assert_eq!(
            check_plan(&plan(RoundKind::Broad, &[40, 0])),
            Err(PlanError::EmptyLevel { level: 2 })
        );
    }

    #[test]
    fn rounds_move_forward_one_state_at_a_time() {
        use RoundState::*;
        let all = [Draft, Sampled, Reviewing, Analysing, Reporting, Closed];
        for from in all {
            for to in all {
                let allowed = from.may_become(to);
                let forward = to as usize == from as usize + 1;
                let redraw = from == Sampled && to == Draft;
                assert_eq!(allowed, forward || redraw, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn independence_rules() {
        let leader = UserId::new();
        let own = UserId::new();
        let lawyer = UserId::new();
        let other_cw = UserId::new();
        let level1 = [leader, own];
        let cand = |user, is_caseworker, owns_case, shares| Candidate {
            user,
            is_caseworker,
            owns_case,
            shares_unit_with_level1: shares,
            level1_participants: &level1,
        };
        let rules = ReviewRules::default();
        // Level 1: the leader with the case's own caseworker; another caseworker only in peer review.
        assert_eq!(
            may_review(&cand(leader, false, false, true), 1, rules),
            Ok(())
        );
        assert_eq!(may_review(&cand(own, true, true, true), 1, rules), Ok(()));
        assert_eq!(
            may_review(&cand(other_cw, true, false, true), 1, rules),
            Err(NotIndependent::NotPeerReview)
        );
        let peer = ReviewRules {
            peer_review: true,
            ..rules
        };
        assert_eq!(
            may_review(&cand(other_cw, true, false, true), 1, peer),
            Ok(())
        );
        // Level 2: never someone from level 1, never the case's own caseworker.
        assert_eq!(
            may_review(&cand(leader, false, false, true), 2, rules),
            Err(NotIndependent::TookPartAtLevel1)
        );
        assert_eq!(
            may_review(&cand(own, true, true, true), 2, peer),
            Err(NotIndependent::OwnCaseAboveLevel1)
        );
        assert_eq!(
            may_review(&cand(lawyer, false, false, true), 2, rules),
            Ok(())
        );
        let other_unit = ReviewRules {
            level2_other_unit: true,
            ..rules
        };
        assert_eq!(
            may_review(&cand(lawyer, false, false, true), 2, other_unit),
            Err(NotIndependent::SameUnitAsLevel1)
        );
        assert_eq!(
            may_review(&cand(lawyer, false, false, false), 3, other_unit),
            Ok(())
        );
    }

    #[test]
    fn level_two_is_assigned_evenly_and_never_to_level_one_participants() {
        let lawyers: Vec<UserId> = (0..3).map(|_| UserId::new()).collect();
        let leader = UserId::new();
        // Lawyer 0 gave sparring at level 1 on cases 0-4: they may not take those at level 2.
        let level1: Vec<Vec<UserId>> = (0..30)
            .map(|i| {
                if i < 5 {
                    vec![leader, lawyers[0]]
                } else {
                    vec![leader]
                }
            })
            .collect();
        let keys: Vec<String> = (0..30).map(|i| format!("DUBU/{i:03}")).collect();
        let cases: Vec<CaseToAssign<'_>> = (0..30)
            .map(|i| CaseToAssign {
                key: &keys[i],
                candidates: lawyers
                    .iter()
                    .map(|&user| Candidate {
                        user,
                        is_caseworker: false,
                        owns_case: false,
                        shares_unit_with_level1: false,
                        level1_participants: &level1[i],
                    })
                    .collect(),
            })
            .collect();
        let a = assign(&cases, 2, ReviewRules::default(), &Default::default());
        assert!(a.unassigned.is_empty());
        assert_eq!(a.assigned.len(), 30);
        for (key, u) in &a.assigned {
            let i: usize = key[5..].parse().expect("index");
            assert!(
                !(i < 5 && *u == lawyers[0]),
                "{key} went to a level-1 participant"
            );
        }
        let mut per: std::collections::BTreeMap<UserId, usize> = Default::default();
        for (_, u) in &a.assigned {
            *per.entry(*u).or_insert(0) += 1;
        }
        assert_eq!(per.values().copied().collect::<Vec<_>>(), vec![10, 10, 10]);
        // The same cases in another order give the same assignment.
        let mut reversed = cases.clone();
        reversed.reverse();
        assert_eq!(
            assign(&reversed, 2, ReviewRules::default(), &Default::default()),
            a
        );
        // Existing load counts: a lawyer who already has 10 cases gets none of 10 more.
        let busy: std::collections::BTreeMap<UserId, usize> = [(lawyers[2], 10)].into();
        let b = assign(&cases[5..15], 2, ReviewRules::default(), &busy);
        assert!(b.assigned.iter().all(|(_, u)| *u != lawyers[2]));
        assert_eq!(b.assigned.len(), 10);
    }

    #[test]
    fn a_case_no_one_may_review_is_reported_with_the_reasons() {
        let only = UserId::new();
        let level1 = [only];
        let cases = [CaseToAssign {
            key: "DUBU/1",
            candidates: vec![Candidate {
                user: only,
                is_caseworker: false,
                owns_case: false,
                shares_unit_with_level1: true,
                level1_participants: &level1,
            }],
        }];
        let a = assign(&cases, 2, ReviewRules::default(), &Default::default());
        assert!(a.assigned.is_empty());
        assert_eq!(
            a.unassigned,
            vec![(
                "DUBU/1".to_owned(),
                vec![(only, NotIndependent::TookPartAtLevel1)]
            )]
        );
    }
}
