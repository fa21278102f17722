//! Users: the list, one person with their roles, and the forms to create, grant, revoke,
//! disable and re-enable.

use super::OkQuery;
use super::units::{Opt, unit_options};
use super::{Chrome, FieldMsg, PageForm, field_msgs, notice, render, render_status, see_other};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::usecases::{self, NewGrantInput, NewUserInput};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tilsyn_domain::policy::Action;
use tilsyn_domain::{GrantId, Role, UserId};

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<String>,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    notice: Option<String>,
    rows: Vec<UserRow>,
    errors: Vec<FieldMsg>,
    username: String,
    full_name: String,
}

impl UsersPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    input: &NewUserInput,
    errors: Vec<FieldMsg>,
    ok: Option<&str>,
) -> AppResult<UsersPage> {
    let (tree, users, grants) = usecases::organisation(&state.store, ctx).await?;
    let tr = ctx.tr();
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id.to_string(),
            roles: grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .map(|g| {
                    format!(
                        "{} – {}",
                        tr.t(g.role.label_key()),
                        tree.get(g.unit_id).map(|x| x.name.as_str()).unwrap_or("?")
                    )
                })
                .collect(),
            username: u.username,
            full_name: u.full_name,
            disabled: u.disabled,
        })
        .collect();
    Ok(UsersPage {
        c: Chrome::new(ctx, "users-title"),
        notice: notice(tr, ok),
        rows,
        errors,
        username: input.username.clone(),
        full_name: input.full_name.clone(),
    })
}

pub async fn list_users(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    Ok(render(
        &users_page(
            &state,
            &ctx,
            &NewUserInput::default(),
            vec![],
            q.ok.as_deref(),
        )
        .await?,
    ))
}

pub async fn create_user(
    ctx: Ctx,
    State(state): State<AppState>,
    PageForm(input): PageForm<NewUserInput>,
) -> AppResult<Response> {
    match usecases::create_user(&state.store, &ctx, &input).await {
        Ok(u) => Ok(see_other(&format!("/admin/users/{}", u.id), "user-created")),
        Err(AppError::Invalid(p)) => {
            let page = users_page(&state, &ctx, &input, field_msgs(ctx.tr(), &p), None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

pub struct GrantRow {
    pub id: String,
    pub role: String,
    pub unit: String,
    pub can_revoke: bool,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    c: Chrome,
    notice: Option<String>,
    id: String,
    username: String,
    disabled: bool,
    can_change_status: bool,
    grants: Vec<GrantRow>,
    errors: Vec<FieldMsg>,
    roles: Vec<Opt>,
    units: Vec<Opt>,
}

impl UserPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

fn parse_user(id: &str) -> Result<UserId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

async fn user_page(
    state: &AppState,
    ctx: &Ctx,
    id: UserId,
    input: &NewGrantInput,
    errors: Vec<FieldMsg>,
    ok: Option<&str>,
) -> AppResult<UserPage> {
    let (tree, _, _) = usecases::organisation(&state.store, ctx).await?;
    let user = state.store.get_user(id).await?;
    let grants = state.store.grants_of(id).await?;
    let tr = ctx.tr();
    let paths: Vec<_> = grants.iter().filter_map(|g| tree.path(g.unit_id)).collect();
    let rows = grants
        .iter()
        .map(|g| GrantRow {
            id: g.id.to_string(),
            role: tr.t(g.role.label_key()),
            unit: tree.label(g.unit_id),
            can_revoke: tree
                .path(g.unit_id)
                .is_some_and(|p| ctx.can(&Action::ChangeGrant { unit: &p })),
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| Opt {
            value: r.code().into(),
            label: tr.t(r.label_key()),
            selected: r.code() == input.role,
        })
        .collect();
    Ok(UserPage {
        c: Chrome::new(ctx, "users-title").with_title(tr.t1("user-title", "name", &user.full_name)),
        notice: notice(tr, ok),
        id: id.to_string(),
        username: user.username,
        disabled: user.disabled,
        can_change_status: ctx.can(&Action::ChangeUserStatus {
            target: id,
            target_units: &paths,
        }),
        grants: rows,
        errors,
        roles,
        units: unit_options(ctx, &tree, &input.unit_id, |c, p| {
            c.can(&Action::ChangeGrant { unit: p })
        }),
    })
}

pub async fn show_user(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewOrganisation).await?;
    let id = parse_user(&id)?;
    Ok(render(
        &user_page(
            &state,
            &ctx,
            id,
            &NewGrantInput::default(),
            vec![],
            q.ok.as_deref(),
        )
        .await?,
    ))
}

pub async fn create_grant(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm(input): PageForm<NewGrantInput>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewOrganisation).await?;
    let id = parse_user(&id)?;
    match usecases::grant_role(&state.store, &ctx, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/admin/users/{id}"), "grant-created")),
        Err(AppError::Invalid(p)) => {
            let page = user_page(&state, &ctx, id, &input, field_msgs(ctx.tr(), &p), None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke_grant(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((id, grant)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewOrganisation).await?;
    let id = parse_user(&id)?;
    let grant: GrantId = grant.parse().map_err(|_| AppError::NotFound)?;
    usecases::revoke_grant(&state.store, &ctx, id, grant).await?;
    Ok(see_other(&format!("/admin/users/{id}"), "grant-revoked"))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    disabled: String,
}

pub async fn set_status(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm(form): PageForm<StatusForm>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewOrganisation).await?;
    let id = parse_user(&id)?;
    let disabled = match form.disabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest),
    };
    usecases::set_user_disabled(&state.store, &ctx, id, disabled).await?;
    Ok(see_other(
        &format!("/admin/users/{id}"),
        if disabled {
            "user-disabled-msg"
        } else {
            "user-enabled-msg"
        },
    ))
}
