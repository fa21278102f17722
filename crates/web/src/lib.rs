//! The HTTP face of tilsyn: server-rendered pages that work without JavaScript, the JSON API
//! under /api/v1 with its OpenAPI document, sign-in, sessions and CSRF protection.

pub mod actions;
pub mod api;
pub mod case_import;
pub mod ctx;
pub mod error;
pub mod feedback;
pub mod i18n;
pub mod learning_audits;
pub mod pages;
pub mod results;
pub mod rounds;
pub mod staging;
pub mod state;
pub mod templates;
pub mod usecases;
pub mod yearwheel;

use axum::Router;
use axum::http::{HeaderName, Request};
use axum::middleware::from_fn_with_state;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tilsyn_store::Store;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use state::{AppState, PersonKeySecret, Settings};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as a router, ready for `serve` or for in-process tests.
pub fn app(store: Store, settings: Settings) -> Router {
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi_json = serde_json::to_string_pretty(&openapi).unwrap_or_else(|_| "{}".into());
    let timeout = settings.request_timeout;
    let state = AppState {
        store,
        settings: Arc::new(settings),
        openapi_json: Arc::new(openapi_json),
        uploads: Arc::new(staging::Uploads::default()),
        contents: Arc::new(rounds::ContentCache::default()),
        results: Arc::new(results::ResultsCache::default()),
    };
    // Case extracts may be large; every other request body is small.
    let small = RequestBodyLimitLayer::new(4 * 1024 * 1024);
    let upload = staging::MAX_UPLOAD as usize;
    layered(
        Router::new()
            .merge(pages::router().merge(api_router).layer(small))
            .merge(
                pages::upload_router()
                    .layer(RequestBodyLimitLayer::new(upload))
                    .layer(axum::extract::DefaultBodyLimit::max(upload)),
            ),
        state,
        timeout,
    )
}

/// The middleware stack around a set of routes (split out so tests can wrap extra routes).
fn layered(routes: Router<AppState>, state: AppState, timeout: std::time::Duration) -> Router {
    routes
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), ctx::context))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // The path only: query strings may carry what people typed.
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                // One line per answered request at the default level, with status and latency.
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        // Our own request ids only: a client-chosen one would end up in the audit log.
        .layer(axum::middleware::map_request(strip_request_id))
        .with_state(state)
}

async fn strip_request_id<B>(mut req: Request<B>) -> Request<B> {
    req.headers_mut().remove(&REQUEST_ID);
    req
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A route that never asks the policy must not answer, even if its handler "succeeds".
    #[tokio::test]
    async fn a_route_without_a_policy_decision_fails() {
        let db = tilsyn_store::testing::TestDb::new().await;
        let state = AppState {
            store: db.store.clone(),
            settings: Arc::new(Settings::default()),
            openapi_json: Arc::new(String::new()),
            uploads: Arc::new(staging::Uploads::default()),
            contents: Arc::new(rounds::ContentCache::default()),
            results: Arc::new(results::ResultsCache::default()),
        };
        let routes = Router::new()
            .route("/forgot-to-ask", get(|| async { "secret" }))
            .route(
                "/asked",
                get(|c: ctx::Ctx| async move {
                    c.public();
                    "fine"
                }),
            );
        let app = layered(routes, state, std::time::Duration::from_secs(5));
        let res = app
            .clone()
            .oneshot(
                Request::get("/forgot-to-ask")
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
            .expect("res");
        assert_eq!(res.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .expect("body");
        assert!(!String::from_utf8_lossy(&body).contains("secret"));
        let ok = app
            .oneshot(Request::get("/asked").body(Body::empty()).expect("req"))
            .await
            .expect("res");
        assert_eq!(ok.status(), axum::http::StatusCode::OK);
    }
}
