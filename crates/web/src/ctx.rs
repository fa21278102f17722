//! Per-request context: who is asking (session cookie for pages, bearer token for the API),
//! in which language, from where, with which request id; the CSRF check for every
//! state-changing form; and the guard that fails any route which made no policy decision.

use crate::error::{AppError, ErrorMarker};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::org::{OrgTree, User};
use tilsyn_domain::policy::{Action, Decision, Subject, decide};
use tilsyn_store::{Store, StoreError};

pub const SESSION_COOKIE: &str = "tilsyn_session";
pub const CSRF_COOKIE: &str = "tilsyn_csrf";
pub const LANG_COOKIE: &str = "tilsyn_lang";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
const MAX_FORM_BYTES: usize = 1024 * 1024;

pub struct SignedIn {
    pub user: User,
    pub subject: Subject,
    /// The unit tree as read for this request; handlers use it instead of reading it again.
    pub tree: OrgTree,
}

pub struct RequestCtx {
    pub request_id: String,
    pub client_addr: String,
    pub lang: Lang,
    pub csrf: String,
    pub secure: bool,
    pub path: String,
    pub is_api: bool,
    pub user: Option<SignedIn>,
    pub session_secret: Option<String>,
    /// A session cookie came in but its session had timed out.
    pub session_ended: bool,
    decided: AtomicBool,
    store: Store,
}

/// Handlers take `Ctx` to learn who asks and to ask the policy.
#[derive(Clone)]
pub struct Ctx(pub Arc<RequestCtx>);

impl std::ops::Deref for Ctx {
    type Target = RequestCtx;
    fn deref(&self) -> &RequestCtx {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

impl RequestCtx {
    pub fn tr(&self) -> Tr {
        Tr(self.lang)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.as_ref().map(|u| u.user.id),
            username: self.user.as_ref().map(|u| u.user.username.clone()),
            client_addr: Some(self.client_addr.clone()),
            request_id: Some(self.request_id.clone()),
        }
    }

    /// This route is open to everyone (sign-in page, health checks, assets).
    pub fn public(&self) {
        self.decided.store(true, Ordering::Relaxed);
    }

    /// The signed-in person, or `Unauthenticated` (itself a decision: nobody gets in).
    pub fn signed_in(&self) -> Result<&SignedIn, AppError> {
        self.decided.store(true, Ordering::Relaxed);
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// Asks the policy. A denial is written to the audit log and becomes `Forbidden`.
    pub async fn authorize(&self, action: &Action<'_>) -> Result<&SignedIn, AppError> {
        let who = self.signed_in()?;
        match decide(&who.subject, action) {
            Decision::Allow => Ok(who),
            Decision::Deny(reason) => {
                let ev = NewAuditEvent {
                    action: AuditAction::AccessDenied,
                    resource_kind: "route",
                    resource_id: Some(self.path.clone()),
                    outcome: Outcome::Denied,
                    details: vec![
                        ("action", action.code().into()),
                        ("reason", format!("{reason:?}")),
                    ],
                };
                if let Err(e) = self.store.record_event(&self.actor(), ev).await {
                    tracing::error!(error = %e, "could not write access-denied event");
                }
                Err(AppError::Forbidden)
            }
        }
    }

    /// Whether the policy would allow `action`, for showing or hiding links. Not a route decision.
    pub fn can(&self, action: &Action<'_>) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| decide(&u.subject, action).is_allowed())
    }

    pub fn was_decided(&self) -> bool {
        self.decided.load(Ordering::Relaxed)
    }

    /// A `Set-Cookie` value with our attributes.
    pub fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(s) = max_age {
            c.push_str(&format!("; Max-Age={s}"));
        }
        if self.secure {
            c.push_str("; Secure");
        }
        HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| {
            cookie::Cookie::split_parse(v.to_owned())
                .filter_map(Result::ok)
                .collect::<Vec<_>>()
        })
        .map(|c| (c.name().to_owned(), c.value().to_owned()))
        .collect()
}

fn cookie_value(all: &[(String, String)], name: &str) -> Option<String> {
    all.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// The client's address. Behind a trusted proxy, the right-most X-Forwarded-For entry: the one
/// our proxy appended. Entries further left are whatever the client sent, so never trusted.
fn client_addr(parts: &Parts, trust_proxy: bool) -> String {
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|s| s.trim().parse::<std::net::IpAddr>().ok());
    if let (true, Some(ip)) = (trust_proxy, forwarded) {
        return ip.to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn new_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Compares without an early exit, so timing does not reveal how much of a token matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn load_user(
    state: &AppState,
    parts: &Parts,
    all: &[(String, String)],
    is_api: bool,
) -> Result<(Option<SignedIn>, Option<String>, bool), StoreError> {
    let store = &state.store;
    let user_id = if is_api {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").map(str::trim));
        match bearer {
            Some(t) => store.token_owner(t).await?,
            None => None,
        }
    } else {
        None
    };
    let (user_id, secret, ended) = match (user_id, is_api, cookie_value(all, SESSION_COOKIE)) {
        (Some(u), _, _) => (Some(u), None, false),
        (None, false, Some(secret)) => match store.find_session(&secret).await? {
            Some(s)
                if state
                    .settings
                    .session
                    .is_alive(s.created_at, s.last_seen_at, Utc::now()) =>
            {
                if state
                    .settings
                    .session
                    .needs_touch(s.last_seen_at, Utc::now())
                {
                    store.touch_session(&secret).await?;
                }
                (Some(s.user_id), Some(secret), false)
            }
            Some(_) => {
                store.delete_session(&secret).await?;
                (None, None, true)
            }
            None => (None, None, false),
        },
        _ => (None, None, false),
    };
    let Some(id) = user_id else {
        return Ok((None, None, ended));
    };
    match store.subject(id).await {
        Ok((user, subject, tree)) if !user.disabled => Ok((
            Some(SignedIn {
                user,
                subject,
                tree,
            }),
            secret,
            false,
        )),
        Ok(_) | Err(StoreError::NotFound) => Ok((None, None, false)),
        Err(e) => Err(e),
    }
}

/// Same-origin check from the browser's own headers, then the synchroniser token: the
/// `csrf_token` form field (or `X-CSRF-Token` header) must equal the `tilsyn_csrf` cookie.
async fn check_csrf(parts: &Parts, body: Body, expected: Option<&str>) -> Result<Body, AppError> {
    let site = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) {
        return Err(AppError::Csrf);
    }
    if let (Some(origin), Some(host)) = (
        parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok()),
        parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != host {
            return Err(AppError::Csrf);
        }
    }
    let Some(expected) = expected else {
        return Err(AppError::Csrf);
    };
    if let Some(h) = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if same(h, expected) {
            Ok(body)
        } else {
            Err(AppError::Csrf)
        };
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A file upload cannot be read here without buffering it, so its form carries the token
    // in its action URL instead (the origin checks above still apply).
    if content_type.starts_with("multipart/form-data") {
        let query = parts.uri.query().unwrap_or("");
        let fields: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        return if fields
            .iter()
            .any(|(k, v)| k == CSRF_FIELD && same(v, expected))
        {
            Ok(body)
        } else {
            Err(AppError::Csrf)
        };
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return Err(AppError::Csrf);
    }
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::BadRequest)?;
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest)?;
    let ok = fields
        .iter()
        .any(|(k, v)| k == CSRF_FIELD && same(v, expected));
    if ok {
        Ok(Body::from(bytes))
    } else {
        Err(AppError::Csrf)
    }
}

fn security_headers(res: &mut Response, is_api: bool) {
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        ),
    );
    // Pages and API answers carry personal data; keep them out of shared and browser caches.
    if is_api || !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

pub async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let all = cookies(&parts.headers);
    let path = parts.uri.path().to_owned();
    let is_api = path.starts_with("/api/");
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let lang = cookie_value(&all, LANG_COOKIE)
        .and_then(|v| Lang::parse(&v))
        .or_else(|| {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let existing_csrf = cookie_value(&all, CSRF_COOKIE);
    let secure = state.settings.secure_cookies
        || (state.settings.trust_proxy
            && parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https"));
    let loaded = load_user(&state, &parts, &all, is_api).await;
    let (user, session_secret, session_ended, load_error) = match loaded {
        Ok((u, s, e)) => (u, s, e, None),
        Err(e) => (None, None, false, Some(AppError::from(e))),
    };
    let ctx = Ctx(Arc::new(RequestCtx {
        request_id,
        client_addr: client_addr(&parts, state.settings.trust_proxy),
        lang,
        csrf: existing_csrf.clone().unwrap_or_else(new_token),
        secure,
        path: path.clone(),
        is_api,
        user,
        session_secret,
        session_ended,
        decided: AtomicBool::new(false),
        store: state.store.clone(),
    }));

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let early: Option<AppError> = match load_error {
        Some(e) => Some(e),
        None if unsafe_method && !is_api => {
            match check_csrf(&parts, body, existing_csrf.as_deref()).await {
                Ok(b) => {
                    parts.extensions.insert(ctx.clone());
                    return finish(
                        &state,
                        &ctx,
                        next.run(Request::from_parts(parts, b)).await,
                        existing_csrf.is_none(),
                    );
                }
                Err(e) => Some(e),
            }
        }
        None => {
            parts.extensions.insert(ctx.clone());
            return finish(
                &state,
                &ctx,
                next.run(Request::from_parts(parts, body)).await,
                existing_csrf.is_none(),
            );
        }
    };
    ctx.public();
    let res = early
        .map(IntoResponse::into_response)
        .unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    finish(&state, &ctx, res, existing_csrf.is_none())
}

fn finish(state: &AppState, ctx: &Ctx, mut res: Response, new_csrf: bool) -> Response {
    // A request refused before its handler ran (a malformed body, query or path that an
    // extractor rejected) reveals nothing; any other answer that never asked the policy is
    // denied by default.
    let refused = res.status().is_client_error();
    if !ctx.was_decided() && refused && res.extensions().get::<ErrorMarker>().is_none() {
        // The body limit answers 413 before any handler; say so rather than "not understood".
        res = if res.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge.into_response()
        } else {
            AppError::BadRequest.into_response()
        };
    }
    if !ctx.was_decided() && !refused {
        tracing::error!(path = %ctx.path, "route answered without a policy decision");
        res = AppError::Internal(format!("no policy decision on {}", ctx.path)).into_response();
    }
    if let Some(marker) = res.extensions().get::<ErrorMarker>().cloned() {
        res = if ctx.is_api {
            crate::api::problem(ctx, &marker.0)
        } else {
            crate::pages::error_page(state, ctx, &marker.0)
        };
    }
    if new_csrf && !ctx.is_api {
        res.headers_mut()
            .append(header::SET_COOKIE, ctx.cookie(CSRF_COOKIE, &ctx.csrf, None));
    }
    security_headers(&mut res, ctx.is_api);
    res
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn token_comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
