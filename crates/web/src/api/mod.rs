//! The JSON API under /api/v1: bearer tokens only (no cookies, so no CSRF), the same use
//! cases as the pages, errors as RFC 9457 problem+json, and an OpenAPI 3 document generated
//! from the handlers themselves.

mod actions;
mod audit;
mod feedback;
mod learning_audits;
mod me;
mod org;
mod results;
mod rounds;
mod templates;

use crate::ctx::Ctx;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tilsyn API",
        version = "1",
        description = "JSON API for tilsyn (ledelsestilsyn and lærende audit). Authenticate with \
            `Authorization: Bearer <token>` (create one with `tilsyn token create USERNAME`). \
            Errors are application/problem+json (RFC 9457) with a Danish or English `detail` \
            chosen by Accept-Language.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(ProblemDetails, ProblemField))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(me::get_me))
        .routes(routes!(org::list_units, org::create_unit))
        .routes(routes!(org::list_users, org::create_user))
        .routes(routes!(audit::list_audit_events))
        .routes(routes!(
            templates::list_templates,
            templates::import_template
        ))
        .routes(routes!(templates::get_template))
        .routes(routes!(templates::create_draft))
        .routes(routes!(
            templates::get_version,
            templates::replace_version,
            templates::discard_version
        ))
        .routes(routes!(templates::edit_version))
        .routes(routes!(templates::preview))
        .routes(routes!(templates::version_action))
        .routes(routes!(templates::search_items))
        .routes(routes!(rounds::list_rounds, rounds::create_round))
        .routes(routes!(rounds::get_round))
        .routes(routes!(rounds::update_plan))
        .routes(routes!(rounds::attach_sample))
        .routes(routes!(rounds::change_state))
        .routes(routes!(rounds::assign))
        .routes(routes!(rounds::reassign))
        .routes(routes!(rounds::list_reviews))
        .routes(routes!(rounds::get_review))
        .routes(routes!(rounds::save_answers))
        .routes(routes!(rounds::mark_section))
        .routes(routes!(rounds::submit_review))
        .routes(routes!(rounds::reopen_review))
        .routes(routes!(rounds::escalate))
        .routes(routes!(rounds::close_escalation))
        .routes(routes!(rounds::reconciliation))
        .routes(routes!(rounds::record_agreed))
        .routes(routes!(rounds::add_reply))
        .routes(routes!(results::get_results))
        .routes(routes!(actions::list_actions))
        .routes(routes!(feedback::list_meetings))
        .routes(routes!(learning_audits::list_learning_audits))
        .routes(routes!(learning_audits::get_learning_audit));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .route("/api/v1/openapi.json", get(openapi_json))
}

async fn openapi_json(ctx: Ctx, State(state): State<AppState>) -> Response {
    ctx.public();
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json.as_str().to_owned(),
    )
        .into_response()
}

/// An RFC 9457 problem.
#[derive(Serialize, ToSchema)]
pub struct ProblemDetails {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Danish or English, by Accept-Language.
    pub detail: String,
    pub instance: String,
    pub request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field.
#[derive(Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub detail: String,
}

/// The standard members of a problem whose `detail` is the catalogue text of `key`, for
/// answers that carry extension members as well (RFC 9457, section 3.2).
pub fn problem_details(ctx: &Ctx, status: StatusCode, key: &str) -> ProblemDetails {
    ProblemDetails {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: ctx.tr().t(key),
        instance: ctx.path.clone(),
        request_id: ctx.request_id.clone(),
        errors: vec![],
    }
}

/// A problem body (standard members and extensions) as application/problem+json.
pub fn problem_json(status: StatusCode, body: &impl Serialize) -> Response {
    let json = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}

pub fn problem(ctx: &Ctx, err: &AppError) -> Response {
    let tr = ctx.tr();
    let status = err.status();
    let errors = match err {
        AppError::Invalid(p) => {
            p.0.iter()
                .map(|e| ProblemField {
                    field: e.field.to_owned(),
                    detail: tr.t(e.key),
                })
                .collect()
        }
        AppError::Content(errs) => errs
            .iter()
            .map(|e| ProblemField {
                field: if e.at.is_empty() {
                    e.field.to_owned()
                } else {
                    format!("{}.{}", e.at, e.field)
                },
                detail: tr.content_error(e),
            })
            .collect(),
        AppError::BadJson { field, detail, .. } => vec![ProblemField {
            field: field.clone().unwrap_or_default(),
            detail: format!("{} ({detail})", tr.t("err-json-field")),
        }],
        _ => vec![],
    };
    let body = ProblemDetails {
        errors,
        ..problem_details(ctx, status, err.problem_key())
    };
    let mut res = problem_json(status, &body);
    if matches!(err, AppError::Unauthenticated) {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"tilsyn\""),
        );
    }
    res
}

/// A JSON body; syntax and type errors become problems that name the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::BadJson {
                field: None,
                detail: "Content-Type must be application/json".into(),
                syntax: true,
            });
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest)?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                AppError::BadJson {
                    field: Some(path).filter(|p| p != "."),
                    detail: inner.to_string(),
                    syntax: inner.is_syntax() || inner.is_eof(),
                }
            })
    }
}
