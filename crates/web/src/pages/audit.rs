//! The audit log, filtered and paged, newest first.

use super::units::Opt;
use super::{Chrome, FieldMsg, field_msgs, render_status};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::usecases::{self, AuditQuery, danish_time};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use tilsyn_domain::audit::{AuditAction, Outcome};
use tilsyn_domain::policy::Action;

const PAGE_SIZE: u32 = 100;

pub struct EventRow {
    pub at: String,
    pub resource_full: String,
    pub request_full: String,
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub client: String,
    pub request: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    errors: Vec<FieldMsg>,
    q: AuditQuery,
    actions: Vec<Opt>,
    outcomes: Vec<Opt>,
    rows: Vec<EventRow>,
    count: String,
    older: Option<String>,
}

impl AuditPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

/// A long id cut to its first eight characters (a path like /admin/x stays whole).
fn short(id: &str) -> String {
    if id.len() > 12 && !id.starts_with('/') {
        format!("{}…", &id[..8])
    } else {
        id.to_owned()
    }
}

fn older_link(q: &AuditQuery, before: &str) -> String {
    let enc = |s: &str| urlencoding::encode(s).into_owned();
    format!(
        "/admin/audit?action={}&actor={}&outcome={}&since={}&until={}&before={}",
        enc(&q.action),
        enc(&q.actor),
        enc(&q.outcome),
        enc(&q.since),
        enc(&q.until),
        enc(before)
    )
}

pub async fn list_audit(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewAuditLog).await?;
    let tr = ctx.tr();
    let (events, errors, status) = match usecases::audit_events(&state.store, &ctx, &q, PAGE_SIZE)
        .await
    {
        Ok(ev) => (ev, vec![], StatusCode::OK),
        Err(AppError::Invalid(p)) => (vec![], field_msgs(tr, &p), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e),
    };
    let older = (events.len() == PAGE_SIZE as usize)
        .then(|| events.last().map(|e| older_link(&q, &e.id.to_string())))
        .flatten();
    let rows: Vec<EventRow> = events
        .iter()
        .map(|e| EventRow {
            at: danish_time(e.at),
            actor: e.actor_username.clone().unwrap_or_else(|| "–".into()),
            action: AuditAction::parse(&e.action)
                .map(|a| tr.t(&a.label_key()))
                .unwrap_or_else(|| e.action.clone()),
            // Ids are long; the table shows their start and the full value on hover.
            resource: match &e.resource_id {
                Some(id) => format!("{} {}", e.resource_kind, short(id)),
                None => e.resource_kind.clone(),
            },
            resource_full: match &e.resource_id {
                Some(id) => format!("{} {}", e.resource_kind, id),
                None => e.resource_kind.clone(),
            },
            request_full: e.request_id.clone().unwrap_or_default(),
            outcome: tr.t(&format!("outcome-{}", e.outcome)),
            outcome_class: match e.outcome.as_str() {
                "success" => "ok",
                "denied" => "denied",
                _ => "failed",
            },
            client: e.client_addr.clone().unwrap_or_default(),
            request: e.request_id.as_deref().map(short).unwrap_or_default(),
            // Ids stay in the export and the API; people read the names.
            details: e
                .details
                .iter()
                .filter(|(k, _)| !k.ends_with("_id"))
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let actions = AuditAction::ALL
        .into_iter()
        .map(|a| Opt {
            value: a.code().into(),
            label: tr.t(&a.label_key()),
            selected: a.code() == q.action,
        })
        .collect();
    let outcomes = [Outcome::Success, Outcome::Failure, Outcome::Denied]
        .into_iter()
        .map(|o| Opt {
            value: o.code().into(),
            label: tr.t(&format!("outcome-{}", o.code())),
            selected: o.code() == q.outcome,
        })
        .collect();
    let page = AuditPage {
        c: Chrome::new(&ctx, "audit-title"),
        errors,
        count: tr.t1("audit-count", "count", rows.len()),
        q,
        actions,
        outcomes,
        rows,
        older,
    };
    Ok(render_status(status, &page))
}
