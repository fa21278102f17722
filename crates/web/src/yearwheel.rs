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
    pub rounds: Vec<WheelRound>,
    pub units: Vec<UnitYear>,
}

/// Every round the caller runs or reads the results of (drafts included: a planned round is
/// what the wheel is for), and the units their grants cover.
pub async fn load(store: &Store, ctx: &Ctx, year: i32) -> AppResult<Wheel> {
    let who = ctx.signed_in()?;
    let reader = ctx.can(&Can::ViewResults);
    let mut rounds = vec![];
    for s in store.list_rounds().await? {
        let r = store.round(s.id).await?;
        let mine = runs_round(&who.subject, &who.tree, &r.scope)
            || (reader
                && s.state != RoundState::Draft
                && reads_results(&who.subject, &who.tree, &r.scope));
        if mine {
            rounds.push(WheelRound {
                id: r.id,
                name: r.name,
                kind: r.plan.kind,
                scope: r.scope,
                reference_date: r.plan.reference_date,
                schedule: r.plan.schedule,
            });
        }
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
                            .any(|(_, g)| p.is_covered_by(g.id) || g.is_covered_by(row.unit.id))
                    })
            })
        })
        .collect();
    let units = unit_years(&who.tree, &units, &rounds, year);
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
