//! One error type for every handler. It does not render itself: it leaves a marker on the
//! response, and the context middleware renders it as a Danish/English error page or as
//! RFC 9457 problem+json, because only there are the language and the signed-in person known.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tilsyn_domain::Problem;
use tilsyn_store::StoreError;

#[derive(Clone, Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Invalid(Problem),
    /// A body that is not valid JSON or does not fit the schema; `field` when serde named one.
    #[error("bad JSON: {detail}")]
    BadJson {
        field: Option<String>,
        detail: String,
        syntax: bool,
    },
    #[error("bad request")]
    BadRequest,
    /// A body above the limit of its route (a case extract over the reader's size limit).
    #[error("request body too large")]
    TooLarge,
    /// Template content that breaks a rule; each error names the item and field.
    #[error("invalid template content")]
    Content(Vec<tilsyn_domain::template::ContentError>),
    /// Valid, but the state forbids it (e.g. a published version); the key says why.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("CSRF check failed")]
    Csrf,
    #[error("database unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) | AppError::Content(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadJson { syntax: false, .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadJson { .. } | AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Catalogue keys (title, text) for the HTML error page.
    pub fn page_keys(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Unauthenticated | AppError::Forbidden => {
                ("error-forbidden-title", "error-forbidden-text")
            }
            AppError::NotFound => ("error-notfound-title", "error-notfound-text"),
            AppError::Csrf => ("error-csrf-title", "error-csrf-text"),
            AppError::Invalid(_)
            | AppError::Content(_)
            | AppError::BadJson { .. }
            | AppError::BadRequest => ("error-bad-request-title", "error-bad-request-text"),
            AppError::Conflict(key) => ("error-conflict-title", key),
            AppError::TooLarge => ("error-too-large-title", "error-too-large-text"),
            AppError::Unavailable => ("error-unavailable-title", "error-unavailable-text"),
            AppError::Internal(_) => ("error-internal-title", "error-internal-text"),
        }
    }

    /// Catalogue key of the problem+json `detail`.
    pub fn problem_key(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "problem-unauthenticated",
            AppError::Forbidden | AppError::Csrf => "problem-forbidden",
            AppError::NotFound => "problem-not-found",
            AppError::Invalid(_) | AppError::Content(_) => "problem-invalid",
            AppError::Conflict(key) => key,
            AppError::BadJson { .. } | AppError::BadRequest => "problem-bad-json",
            AppError::TooLarge => "error-too-large-text",
            AppError::Unavailable => "problem-unavailable",
            AppError::Internal(_) => "problem-internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Invalid(p) => AppError::Invalid(p),
            StoreError::Content(errs) => AppError::Content(errs),
            StoreError::Conflict(key) => AppError::Conflict(key),
            StoreError::Unavailable(_) => AppError::Unavailable,
            StoreError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed,
            ) => AppError::Unavailable,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<Problem> for AppError {
    fn from(p: Problem) -> Self {
        AppError::Invalid(p)
    }
}

/// Left on a response for the middleware to render.
#[derive(Clone, Debug)]
pub struct ErrorMarker(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut res = status.into_response();
        res.extensions_mut().insert(ErrorMarker(Arc::new(self)));
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
