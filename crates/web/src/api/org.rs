//! Units and users over the API, through the same use cases as the pages.

use super::{ApiJson, ProblemDetails};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::state::AppState;
use crate::usecases::{self, NewUnitInput, NewUserInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use tilsyn_domain::org::{Grant, OrgTree, Unit, User};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UnitResponse {
    pub id: String,
    pub parent_id: Option<String>,
    /// municipality | administration | department | unit | team
    pub kind: String,
    pub name: String,
}

impl From<&Unit> for UnitResponse {
    fn from(u: &Unit) -> Self {
        UnitResponse {
            id: u.id.to_string(),
            parent_id: u.parent_id.map(|p| p.to_string()),
            kind: u.kind.code().into(),
            name: u.name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserGrant {
    pub id: String,
    pub role: String,
    pub unit_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub disabled: bool,
    pub grants: Vec<UserGrant>,
}

fn user_response(u: &User, grants: &[Grant]) -> UserResponse {
    UserResponse {
        id: u.id.to_string(),
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        disabled: u.disabled,
        grants: grants
            .iter()
            .filter(|g| g.user_id == u.id)
            .map(|g| UserGrant {
                id: g.id.to_string(),
                role: g.role.code().into(),
                unit_id: g.unit_id.to_string(),
            })
            .collect(),
    }
}

fn units_in_order(tree: &OrgTree) -> Vec<UnitResponse> {
    tree.rows()
        .into_iter()
        .map(|r| UnitResponse::from(r.unit))
        .collect()
}

/// The unit tree, each unit after its parent.
#[utoipa::path(get, path = "/units", tag = "organisation",
    responses(
        (status = 200, body = Vec<UnitResponse>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_units(
    ctx: Ctx,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<UnitResponse>>> {
    let (tree, _, _) = usecases::organisation(&state.store, &ctx).await?;
    Ok(Json(units_in_order(&tree)))
}

/// Create a unit below a parent unit.
#[utoipa::path(post, path = "/units", tag = "organisation", request_body = NewUnitInput,
    responses(
        (status = 201, body = UnitResponse),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn create_unit(
    ctx: Ctx,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewUnitInput>,
) -> AppResult<(StatusCode, Json<UnitResponse>)> {
    let unit = usecases::create_unit(&state.store, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(UnitResponse::from(&unit))))
}

/// Every user with their grants.
#[utoipa::path(get, path = "/users", tag = "organisation",
    responses(
        (status = 200, body = Vec<UserResponse>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    ctx: Ctx,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<UserResponse>>> {
    let (_, users, grants) = usecases::organisation(&state.store, &ctx).await?;
    Ok(Json(
        users.iter().map(|u| user_response(u, &grants)).collect(),
    ))
}

/// Create a user (grant roles on the user's page or with `tilsyn user grant`).
#[utoipa::path(post, path = "/users", tag = "organisation", request_body = NewUserInput,
    responses(
        (status = 201, body = UserResponse),
        (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    ctx: Ctx,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewUserInput>,
) -> AppResult<(StatusCode, Json<UserResponse>)> {
    let user = usecases::create_user(&state.store, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(user_response(&user, &[]))))
}
