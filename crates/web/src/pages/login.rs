//! Signing in and out. The same message for an unknown user and a wrong password; failures
//! are throttled per username and per client address; a new session id at every sign-in.

use super::{Chrome, FieldMsg, PageForm, local_path, notice, render_status};
use crate::ctx::{CSRF_COOKIE, Ctx, SESSION_COOKIE};
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    errors: Vec<FieldMsg>,
    username: String,
    next: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    ok: Option<String>,
}

pub async fn show_login(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    ctx.public();
    if ctx.user.is_some() {
        return Redirect::to(local_path(q.next.as_deref().unwrap_or("/"))).into_response();
    }
    let tr = ctx.tr();
    let notice = if ctx.session_ended {
        Some(tr.t("session-ended"))
    } else {
        notice(tr, q.ok.as_deref())
    };
    let page = LoginPage {
        c: Chrome::new(&ctx, "login-title"),
        errors: vec![],
        username: String::new(),
        next: q.next.unwrap_or_default(),
        notice,
    };
    render_status(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn failed(ctx: &Ctx, form: &LoginForm, key: &str, status: StatusCode) -> Response {
    let page = LoginPage {
        c: Chrome::new(ctx, "login-title"),
        errors: vec![FieldMsg {
            field: "username".into(),
            message: ctx.tr().t(key),
        }],
        username: form.username.clone(),
        next: form.next.clone(),
        notice: None,
    };
    render_status(status, &page)
}

pub async fn submit_login(
    ctx: Ctx,
    State(state): State<AppState>,
    PageForm(form): PageForm<LoginForm>,
) -> AppResult<Response> {
    ctx.public();
    let store = &state.store;
    let throttle = state.settings.throttle;
    // Whatever was typed, the log and the throttle see a short, clean key.
    let attempted = tilsyn_store::login_key(&form.username);
    let event = |action, outcome| NewAuditEvent {
        action,
        resource_kind: "session",
        resource_id: None,
        outcome,
        details: vec![("username", attempted.clone())],
    };
    // Count this attempt first, so attempts sent in parallel see each other.
    let attempt = store
        .record_login_failure(&attempted, &ctx.client_addr)
        .await?;
    let (by_account, by_addr) = store
        .login_failures_since(
            &attempted,
            &ctx.client_addr,
            throttle.window_start(Utc::now()),
        )
        .await?;
    if throttle.is_throttled(by_account.saturating_sub(1), by_addr.saturating_sub(1)) {
        store.forget_login_failure(attempt).await?;
        store
            .record_event(
                &ctx.actor(),
                event(AuditAction::LoginThrottled, Outcome::Denied),
            )
            .await?;
        return Ok(failed(
            &ctx,
            &form,
            "login-throttled",
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let Some(user) = store.verify_login(&form.username, &form.password).await? else {
        store
            .record_event(
                &ctx.actor(),
                event(AuditAction::LoginFailed, Outcome::Failure),
            )
            .await?;
        return Ok(failed(
            &ctx,
            &form,
            "login-failed",
            StatusCode::UNAUTHORIZED,
        ));
    };
    store.clear_login_failures(&attempted).await?;
    if let Some(old) = &ctx.session_secret {
        store.delete_session(old).await?;
    }
    let actor = Actor {
        user_id: Some(user.id),
        username: Some(user.username.clone()),
        client_addr: Some(ctx.client_addr.clone()),
        request_id: Some(ctx.request_id.clone()),
    };
    let secret = store.sign_in(&actor, user.id).await?;
    let next = if form.next.is_empty() {
        "/"
    } else {
        &form.next
    };
    let mut res = Redirect::to(local_path(next)).into_response();
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        ctx.cookie(SESSION_COOKIE, &secret, None),
    );
    // A fresh CSRF token with the fresh session.
    h.append(
        header::SET_COOKIE,
        ctx.cookie(CSRF_COOKIE, &crate::ctx::new_token(), None),
    );
    Ok(res)
}

pub async fn submit_logout(ctx: Ctx, State(state): State<AppState>) -> AppResult<Response> {
    ctx.public();
    if let (Some(secret), Some(_)) = (&ctx.session_secret, &ctx.user) {
        state.store.sign_out(&ctx.actor(), secret).await?;
    }
    let mut res = Redirect::to("/login?ok=signed-out").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, ctx.cookie(SESSION_COOKIE, "", Some(0)));
    Ok(res)
}
