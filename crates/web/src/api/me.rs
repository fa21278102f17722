//! The caller's own identity.

use crate::ctx::Ctx;
use crate::error::AppResult;
use axum::Json;
use serde::Serialize;
use tilsyn_domain::policy::Action;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GrantResponse {
    /// admin | leader | coordinator | caseworker | lawyer | viewer | panelist
    pub role: String,
    pub unit_id: String,
    pub unit_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub grants: Vec<GrantResponse>,
}

/// Who am I, and which roles do I hold where?
#[utoipa::path(get, path = "/me", tag = "identity",
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        (status = 401, description = "No valid token", body = super::ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_me(ctx: Ctx) -> AppResult<Json<MeResponse>> {
    let me = ctx.authorize(&Action::ViewOwn).await?;
    let tree = &me.tree;
    Ok(Json(MeResponse {
        id: me.user.id.to_string(),
        username: me.user.username.clone(),
        full_name: me.user.full_name.clone(),
        grants: me
            .subject
            .grants
            .iter()
            .map(|(role, path)| GrantResponse {
                role: role.code().into(),
                unit_id: path.id.to_string(),
                unit_name: tree
                    .get(path.id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }))
}
