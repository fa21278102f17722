//! The audit log over the API.

use super::ProblemDetails;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::state::AppState;
use crate::usecases::{self, AuditQuery};
use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct AuditEventResponse {
    pub id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor_username: Option<String>,
    pub action: String,
    pub resource_kind: String,
    pub resource_id: Option<String>,
    pub outcome: String,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub details: BTreeMap<String, String>,
}

/// Audit events, newest first, 500 at a time; page with `before`.
#[utoipa::path(get, path = "/audit-events", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, body = Vec<AuditEventResponse>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_audit_events(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Vec<AuditEventResponse>>> {
    let events = usecases::audit_events(&state.store, &ctx, &q, 500).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| AuditEventResponse {
                id: e.id.to_string(),
                at: e.at.to_rfc3339(),
                actor_username: e.actor_username,
                action: e.action,
                resource_kind: e.resource_kind,
                resource_id: e.resource_id,
                outcome: e.outcome,
                client_addr: e.client_addr,
                request_id: e.request_id,
                details: e.details,
            })
            .collect(),
    ))
}
