//! "Mine opgaver": the first page after sign-in. Lists the person's roles now; later issues
//! add review tasks, deadlines and follow-up actions.

use super::{Chrome, render};
use crate::ctx::Ctx;
use crate::error::AppResult;
use askama::Template;
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
}

pub async fn show_dashboard(ctx: Ctx) -> AppResult<Response> {
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
    let page = DashboardPage {
        c: Chrome::new(&ctx, "dashboard-title"),
        greeting: tr.t1("dashboard-greeting", "name", &me.user.full_name),
        roles,
        is_admin: ctx.can(&Action::ViewOrganisation),
    };
    Ok(render(&page))
}
