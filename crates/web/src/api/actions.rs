//! Follow-up actions as JSON: the caller's own and their rounds' actions, e.g. for a reminder
//! job or a management dashboard. The same rules as the pages.

use super::ProblemDetails;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tilsyn_domain::action::{ActionStatus, is_overdue};
use tilsyn_domain::policy::Action as Can;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
pub struct ActionsParams {
    /// `true`: only open actions past their due date.
    pub overdue: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionResponse {
    pub id: Uuid,
    pub round_id: Option<Uuid>,
    pub round: Option<String>,
    pub description: String,
    pub owner: String,
    pub due: NaiveDate,
    /// planned, in_progress, done or dropped
    pub status: String,
    pub overdue: bool,
    /// Why it was dropped or reopened, or what shows it was done.
    pub note: String,
    /// Question keys the action concerns.
    pub items: Vec<String>,
    /// Section keys the action concerns.
    pub sections: Vec<String>,
    /// Review the linked questions again in a later round.
    pub reaudit: bool,
}

#[utoipa::path(get, path = "/actions", tag = "actions",
    params(ActionsParams),
    responses((status = 200, body = Vec<ActionResponse>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn list_actions(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<ActionsParams>,
) -> AppResult<Json<Vec<ActionResponse>>> {
    ctx.authorize(&Can::ViewOwn).await?;
    let today = chrono::Utc::now().date_naive();
    let only_overdue = q.overdue.unwrap_or(false);
    Ok(Json(
        crate::actions::visible(&state.store, &ctx, today)
            .await?
            .into_iter()
            .map(|a| ActionResponse {
                overdue: is_overdue(a.status, a.due, today),
                note: if a.status == ActionStatus::Done {
                    a.evidence
                } else {
                    a.status_reason
                },
                id: a.id,
                round_id: a.round_id,
                round: a.round_name,
                description: a.description,
                owner: a.owner_name,
                due: a.due,
                status: a.status.code().to_owned(),
                items: a.links.items,
                sections: a.links.sections,
                reaudit: a.reaudit,
            })
            .filter(|a| !only_overdue || a.overdue)
            .collect(),
    ))
}
