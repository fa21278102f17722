//! A round's meetings as JSON (e.g. for minutes filed in the case-handling system): the same
//! rules as the page, so examples whose caseworker withdrew consent are left out.

use super::ProblemDetails;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::Serialize;
use tilsyn_domain::policy::Action as Can;
use utoipa::ToSchema;
use uuid::Uuid;

/// A case presented as an example (only while its caseworker's consent stands).
#[derive(Serialize, ToSchema)]
pub struct ExampleResponse {
    /// The case's reference as the round shows it.
    pub case_key: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingResponse {
    pub id: Uuid,
    /// information, stop_op or results
    pub kind: String,
    pub held_on: NaiveDate,
    pub participants: Vec<String>,
    pub key_points: String,
    pub recorded_by: Option<String>,
    pub examples: Vec<ExampleResponse>,
}

#[utoipa::path(get, path = "/rounds/{id}/meetings", tag = "feedback",
    params(("id" = Uuid, Path, description = "The round")),
    responses((status = 200, body = Vec<MeetingResponse>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn list_meetings(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<MeetingResponse>>> {
    // Meetings are read by who runs the round, and they plan rounds.
    ctx.authorize(&Can::PlanRounds).await?;
    let round = state.store.round(id).await?;
    Ok(Json(
        crate::feedback::meetings(&state.store, &ctx, &round)
            .await?
            .into_iter()
            .map(|s| {
                let m = s.meeting;
                MeetingResponse {
                    id: m.id,
                    kind: m.kind.code().to_owned(),
                    held_on: m.held_on,
                    participants: m.participants,
                    key_points: m.key_points,
                    recorded_by: m.created_by_name,
                    examples: m
                        .examples
                        .into_iter()
                        .map(|e| ExampleResponse {
                            case_key: e.case_key,
                            note: e.note,
                        })
                        .collect(),
                }
            })
            .collect(),
    ))
}
