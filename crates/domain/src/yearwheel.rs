//! The year wheel (årshjul): which rounds each unit has in a calendar year, with their
//! milestones, and a warning where a unit has fewer than the recommended two rounds a year
//! (domain.md § 1.1). A round belongs to the year of its reference date, as the plan check
//! counts it.

use crate::org::{OrgTree, UnitKind};
use crate::round::{MIN_ROUNDS_PER_YEAR, Milestone, RoundKind};
use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// A round as the wheel sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WheelRound {
    pub id: Uuid,
    pub name: String,
    pub kind: RoundKind,
    /// Unit names the round covers; empty = the whole municipality.
    pub scope: Vec<String>,
    pub reference_date: NaiveDate,
    pub schedule: Vec<Milestone>,
}

impl WheelRound {
    pub fn year(&self) -> i32 {
        self.reference_date.year()
    }
}

/// One unit's year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitYear {
    pub unit: String,
    /// The rounds touching the unit that year, by reference date.
    pub rounds: Vec<Uuid>,
    /// Fewer rounds than recommended (continuous rounds run all year and count as enough).
    pub below: bool,
}

/// The units a year wheel is kept for: departments and units (enheder), the level whose
/// leaders run rounds; teams are counted with the unit above them.
pub fn wheel_units(tree: &OrgTree) -> Vec<String> {
    tree.rows()
        .iter()
        .filter(|r| matches!(r.unit.kind, UnitKind::Department | UnitKind::Unit))
        .map(|r| r.unit.name.clone())
        .collect()
}

/// Whether a round touches a unit: it covers the whole municipality, the unit itself, a unit
/// above it, or a unit (team) below it.
pub fn touches(tree: &OrgTree, scope: &[String], unit: &str) -> bool {
    if scope.is_empty() {
        return true;
    }
    let rows = tree.rows();
    let Some(target) = rows.iter().find(|r| r.unit.name.eq_ignore_ascii_case(unit)) else {
        return false;
    };
    let Some(target_path) = tree.path(target.unit.id) else {
        return false;
    };
    scope.iter().any(|name| {
        rows.iter()
            .filter(|r| r.unit.name.eq_ignore_ascii_case(name))
            .any(|r| {
                // The scope's unit is the unit or above it …
                target_path.is_covered_by(r.unit.id)
                    // … or below it.
                    || tree.path(r.unit.id).is_some_and(|p| p.is_covered_by(target.unit.id))
            })
    })
}

/// Each unit's rounds in `year` and whether it is below the recommended number.
pub fn unit_years(
    tree: &OrgTree,
    units: &[String],
    rounds: &[WheelRound],
    year: i32,
) -> Vec<UnitYear> {
    let mut in_year: Vec<&WheelRound> = rounds.iter().filter(|r| r.year() == year).collect();
    in_year.sort_by_key(|r| r.reference_date);
    units
        .iter()
        .map(|u| {
            let mine: Vec<&WheelRound> = in_year
                .iter()
                .copied()
                .filter(|r| touches(tree, &r.scope, u))
                .collect();
            let continuous = mine.iter().any(|r| r.kind == RoundKind::Continuous);
            UnitYear {
                unit: u.clone(),
                rounds: mine.iter().map(|r| r.id).collect(),
                below: !continuous && mine.len() < MIN_ROUNDS_PER_YEAR,
            }
        })
        .collect()
}

/// Every milestone of the rounds in `year` (dated that year), by date: what the calendar
/// shows and the iCalendar file exports.
pub fn milestones(rounds: &[WheelRound], year: i32) -> Vec<(NaiveDate, &WheelRound, Milestone)> {
    let mut out: Vec<(NaiveDate, &WheelRound, Milestone)> = rounds
        .iter()
        .flat_map(|r| r.schedule.iter().map(move |m| (m.date, r, *m)))
        .filter(|(d, _, _)| d.year() == year)
        .collect();
    out.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;
    use crate::org::Unit;
    use crate::round::MilestoneKind;

    fn unit(id: u128, name: &str, kind: UnitKind, parent: Option<u128>) -> Unit {
        Unit {
            id: UnitId(Uuid::from_u128(id)),
            name: name.into(),
            kind,
            parent_id: parent.map(|p| UnitId(Uuid::from_u128(p))),
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn tree() -> OrgTree {
        OrgTree::new(vec![
            unit(1, "Kommune", UnitKind::Municipality, None),
            unit(2, "Børn og Familie", UnitKind::Administration, Some(1)),
            unit(3, "Myndighed", UnitKind::Department, Some(2)),
            unit(4, "Team Nord", UnitKind::Team, Some(3)),
            unit(5, "Handicap", UnitKind::Department, Some(2)),
        ])
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn round(id: u128, scope: &[&str], reference: NaiveDate, kind: RoundKind) -> WheelRound {
        WheelRound {
            id: Uuid::from_u128(id),
            name: format!("R{id}"),
            kind,
            scope: scope.iter().map(|s| (*s).to_owned()).collect(),
            reference_date: reference,
            schedule: vec![
                Milestone {
                    kind: MilestoneKind::ReviewStart,
                    date: reference,
                },
                Milestone {
                    kind: MilestoneKind::CommitteeReport,
                    date: d(reference.year() + 1, 1, 10),
                },
            ],
        }
    }

    #[test]
    fn a_round_touches_its_units_those_above_and_below() {
        let t = tree();
        assert!(touches(&t, &[], "Handicap"), "the whole municipality");
        assert!(
            touches(&t, &["Team Nord".into()], "Myndighed"),
            "a team below"
        );
        assert!(
            touches(&t, &["Børn og Familie".into()], "Myndighed"),
            "a unit above"
        );
        assert!(
            touches(&t, &["myndighed".into()], "Myndighed"),
            "case does not matter"
        );
        assert!(!touches(&t, &["Team Nord".into()], "Handicap"));
        assert!(!touches(&t, &["Ukendt".into()], "Myndighed"));
    }

    #[test]
    fn a_unit_with_one_round_in_the_year_is_below_the_recommendation() {
        let t = tree();
        let units = wheel_units(&t);
        assert_eq!(units, ["Handicap", "Myndighed"]);
        let rounds = vec![
            round(1, &["Team Nord"], d(2026, 3, 2), RoundKind::Broad),
            round(2, &["Myndighed"], d(2026, 9, 14), RoundKind::Thematic),
            round(3, &["Handicap"], d(2026, 4, 1), RoundKind::Broad),
            // Last year's round does not count for this year.
            round(4, &["Handicap"], d(2025, 4, 1), RoundKind::Broad),
        ];
        let y = unit_years(&t, &units, &rounds, 2026);
        assert_eq!(y[1].unit, "Myndighed");
        assert_eq!(y[1].rounds, [Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert!(!y[1].below);
        assert_eq!(y[0].rounds, [Uuid::from_u128(3)]);
        assert!(y[0].below, "one round in 2026");
        // A continuous round runs all year: enough on its own.
        let cont = vec![round(
            5,
            &["Handicap"],
            d(2026, 1, 5),
            RoundKind::Continuous,
        )];
        assert!(!unit_years(&t, &units, &cont, 2026)[0].below);
        assert!(unit_years(&t, &units, &[], 2026).iter().all(|u| u.below));
    }

    #[test]
    fn milestones_of_the_year_in_date_order() {
        let rounds = vec![
            round(1, &[], d(2026, 9, 14), RoundKind::Broad),
            round(2, &[], d(2025, 3, 2), RoundKind::Broad),
        ];
        let m = milestones(&rounds, 2026);
        let got: Vec<(NaiveDate, &str)> = m.iter().map(|(d, r, _)| (*d, r.name.as_str())).collect();
        // R2's committee report falls in January 2026; R1's own in 2027 is left out.
        assert_eq!(got, [(d(2026, 1, 10), "R2"), (d(2026, 9, 14), "R1")]);
    }
}
