//! The year wheel (årshjul) for the signed-in person: the rounds they run or read, the units
//! their grants cover, each unit's rounds in the year with the two-a-year warning, and the
//! milestones as a calendar file.

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use tilsyn_domain::policy::{Action as Can, reads_results, runs_round};
use tilsyn_domain::round::RoundState;
use tilsyn_domain::yearwheel::{UnitYear, WheelRound, milestones, unit_years, wheel_units};
use tilsyn_reports::ics::{CalendarEvent, calendar};
use tilsyn_store::Store;

pub struct Wheel {
    /// The rounds the caller runs or reads: named on the page and exported.
    pub rounds: Vec<WheelRound>,
    /// Each unit's year, counted over every round (a round the caller does not see still
    /// counts towards the recommendation).
    pub units: Vec<UnitYear>,
}

/// The caller's rounds (drafts included: a planned round is what the wheel is for) and the
/// units their grants cover, each with every round of the year counted.
pub async fn load(store: &Store, ctx: &Ctx, year: i32) -> AppResult<Wheel> {
    let who = ctx.signed_in()?;
    let reader = ctx.can(&Can::ViewResults);
    let (mut all, mut rounds) = (vec![], vec![]);
    for s in store.list_rounds().await? {
        let r = store.round(s.id).await?;
        let mine = runs_round(&who.subject, &who.tree, &r.scope)
            || (reader
                && s.state != RoundState::Draft
                && reads_results(&who.subject, &who.tree, &r.scope));
        let w = WheelRound {
            id: r.id,
            name: r.name,
            kind: r.plan.kind,
            scope: r.scope,
            reference_date: r.plan.reference_date,
            schedule: r.plan.schedule,
        };
        if mine {
            rounds.push(w.clone());
        }
        all.push(w);
    }
    let units: Vec<String> = wheel_units(&who.tree)
        .into_iter()
        .filter(|name| {
            who.tree.rows().iter().any(|row| {
                row.unit.name == *name
                    && who.tree.path(row.unit.id).is_some_and(|p| {
                        who.subject
                            .grants
                            .iter()
                            .any(|(_, g)| p.is_covered_by(g.id))
                    })
            })
        })
        .collect();
    let units = unit_years(&who.tree, &units, &all, year);
    Ok(Wheel { rounds, units })
}

/// The year's milestones as an iCalendar file.
pub fn ics(tr: Tr, wheel: &Wheel, year: i32, stamp: chrono::DateTime<chrono::Utc>) -> String {
    let events: Vec<CalendarEvent> = milestones(&wheel.rounds, year)
        .into_iter()
        .map(|(date, r, m)| CalendarEvent {
            uid: format!("{}-{}@tilsyn", r.id, m.kind.code()),
            date,
            summary: format!("{}: {}", r.name, tr.t(&m.kind.label_key())),
            description: if r.scope.is_empty() {
                tr.t("yearwheel-whole")
            } else {
                r.scope.join(", ")
            },
        })
        .collect();
    calendar(
        &tr.targs("yearwheel-title-year", &[("year", year.to_string())]),
        &events,
        stamp,
    )
}
