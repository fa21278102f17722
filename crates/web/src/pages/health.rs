//! Liveness and readiness for load balancers and orchestrators.

use crate::ctx::Ctx;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up. Never touches the database.
pub async fn healthz(ctx: Ctx) -> &'static str {
    ctx.public();
    "ok"
}

/// The database answers.
pub async fn readyz(ctx: Ctx, State(state): State<AppState>) -> (StatusCode, &'static str) {
    ctx.public();
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
