//! "Mine opgaver": the first page after sign-in: open reviews with due dates and progress
//! (overdue ones first in line), escalations waiting for the person, open follow-up actions,
//! and their roles.

use super::actions::{ActionLine, lines};
use super::rounds::{EscalationLine, TaskLine, tasks};
use super::{Chrome, render};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tilsyn_domain::policy::Action;

pub struct RoleLine {
    pub role: String,
    pub unit: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    greeting: String,
    roles: Vec<RoleLine>,
    is_admin: bool,
    rows: Vec<TaskLine>,
    overdue: usize,
    more: usize,
    escalations: Vec<EscalationLine>,
    results: Vec<(uuid::Uuid, String)>,
    feedback: Vec<(uuid::Uuid, String)>,
    /// Open actions the person owns or whose round they run, overdue ones first.
    action_rows: Vec<ActionLine>,
    actions_overdue: usize,
    actions_more: usize,
    /// (code, "code title", role, preparation progress or "")
    audits: Vec<(String, String, String, String)>,
}

/// Open reviews shown on the dashboard; the rest are on /reviews.
const DASHBOARD_TASKS: usize = 8;

pub async fn show_dashboard(ctx: Ctx, State(state): State<AppState>) -> AppResult<Response> {
    let me = ctx.authorize(&Action::ViewOwn).await?;
    let tr = ctx.tr();
    let tree = &me.tree;
    let roles = me
        .subject
        .grants
        .iter()
        .map(|(role, path)| RoleLine {
            role: tr.t(role.label_key()),
            unit: tree.label(path.id),
        })
        .collect();
    let (mut rows, escalations) = if ctx.can(&Action::Review) {
        let (rows, _, esc) = tasks(&state, &ctx).await?;
        (rows, esc)
    } else {
        (vec![], vec![])
    };
    rows.retain(|t| !t.submitted);
    rows.sort_by_key(|t| !t.overdue);
    let overdue = rows.iter().filter(|t| t.overdue).count();
    let more = rows.len().saturating_sub(DASHBOARD_TASKS);
    rows.truncate(DASHBOARD_TASKS);
    let (results, feedback) = crate::results::result_links(&state.store, &ctx).await?;
    let today = chrono::Utc::now().date_naive();
    let open: Vec<_> = crate::actions::visible(&state.store, &ctx, today)
        .await?
        .into_iter()
        .filter(|a| a.status.is_open())
        .collect();
    let mut action_rows: Vec<ActionLine> = lines(&state, &ctx, &open, today).await?;
    let actions_overdue = action_rows.iter().filter(|a| a.overdue).count();
    let actions_more = action_rows.len().saturating_sub(DASHBOARD_TASKS);
    action_rows.truncate(DASHBOARD_TASKS);
    let audits = crate::learning_audits::mine(&state.store, me.user.id)
        .await?
        .into_iter()
        .map(|a| {
            (
                a.code.clone(),
                format!("{} {}", a.code, a.title),
                tr.t(&format!("la-role-{}", a.role.code())),
                a.prepared
                    .map(|(done, total)| {
                        tr.targs(
                            "la-preparation-done",
                            &[("done", done.to_string()), ("total", total.to_string())],
                        )
                    })
                    .unwrap_or_default(),
            )
        })
        .collect();
    let page = DashboardPage {
        c: Chrome::new(&ctx, "dashboard-title"),
        greeting: tr.t1("dashboard-greeting", "name", &me.user.full_name),
        roles,
        is_admin: ctx.can(&Action::ViewOrganisation),
        rows,
        overdue,
        more,
        escalations,
        results,
        feedback,
        action_rows,
        actions_overdue,
        actions_more,
        audits,
    };
    Ok(render(&page))
}
