//! The year wheel (årshjul) page: each unit's rounds in a year with the two-a-year warning,
//! the milestones month by month, and the same milestones as an .ics download.

use super::{Chrome, render};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::state::AppState;
use crate::yearwheel as uc;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use tilsyn_domain::policy::Action as Can;
use tilsyn_domain::yearwheel::milestones;

#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// Years shown: a few around today, so a typo does not build a calendar for year 20260.
fn year_of(q: &YearQuery) -> i32 {
    let now = chrono::Utc::now().year();
    q.year
        .filter(|y| (now - 10..=now + 5).contains(y))
        .unwrap_or(now)
}

async fn allowed(ctx: &Ctx) -> AppResult<()> {
    if !ctx.can(&Can::PlanRounds) {
        ctx.authorize(&Can::ViewResults).await?;
    }
    Ok(())
}

pub struct UnitLine {
    pub unit: String,
    pub rounds: String,
    pub count: usize,
    pub below: bool,
}

pub struct MonthLine {
    pub month: String,
    pub items: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "yearwheel.html")]
struct YearWheelPage {
    c: Chrome,
    year: i32,
    units: Vec<UnitLine>,
    months: Vec<MonthLine>,
    below: usize,
}

pub async fn show_year_wheel(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    allowed(&ctx).await?;
    let tr = ctx.tr();
    let year = year_of(&q);
    let wheel = uc::load(&state.store, &ctx, year).await?;
    let name = |id| {
        wheel
            .rounds
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
    };
    let units: Vec<UnitLine> = wheel
        .units
        .iter()
        .map(|u| {
            // Rounds the person does not see are counted, not named.
            let mut names: Vec<String> = u.rounds.iter().filter_map(|id| name(*id)).collect();
            let others = u.rounds.len() - names.len();
            if others > 0 {
                names.push(tr.t1("yearwheel-others", "n", others));
            }
            UnitLine {
                unit: u.unit.clone(),
                rounds: names.join(", "),
                count: u.rounds.len(),
                below: u.below,
            }
        })
        .collect();
    let mut months: Vec<MonthLine> = (1..=12)
        .map(|m| MonthLine {
            month: tr.t(&format!("month-{m}")),
            items: vec![],
        })
        .collect();
    for (date, r, m) in milestones(&wheel.rounds, year) {
        if let Some(line) = months.get_mut(date.month0() as usize) {
            line.items.push((
                date.format("%d-%m-%Y").to_string(),
                r.name.clone(),
                tr.t(&m.kind.label_key()),
            ));
        }
    }
    Ok(render(&YearWheelPage {
        c: Chrome::new(&ctx, "yearwheel-title"),
        year,
        below: units.iter().filter(|u| u.below).count(),
        units,
        months,
    }))
}

pub async fn year_wheel_ics(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    allowed(&ctx).await?;
    let year = year_of(&q);
    let wheel = uc::load(&state.store, &ctx, year).await?;
    let body = uc::ics(ctx.tr(), &wheel, year, chrono::Utc::now());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"aarshjul-{year}.ics\""),
            ),
        ],
        body,
    )
        .into_response())
}
