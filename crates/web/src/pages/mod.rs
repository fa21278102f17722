//! Server-rendered pages: one handler file per page family, one template struct per page.
//! Every page works with plain form posts; the small script only adds convenience.

mod actions;
mod assets;
mod audit;
mod cases;
mod dashboard;
mod feedback;
mod health;
mod learning_audits;
mod login;
mod results;
mod rounds;
mod templates;
mod units;
mod users;
mod yearwheel;

use crate::ctx::{Ctx, LANG_COOKIE};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use tilsyn_domain::Problem;
use tilsyn_domain::policy::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show_dashboard))
        .route("/login", get(login::show_login).post(login::submit_login))
        .route("/logout", post(login::submit_logout))
        .route("/language", post(set_language))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{file}", get(assets::static_file))
        .route(
            "/admin/units",
            get(units::list_units).post(units::create_unit),
        )
        .route(
            "/admin/users",
            get(users::list_users).post(users::create_user),
        )
        .route("/admin/users/{id}", get(users::show_user))
        .route("/admin/users/{id}/grants", post(users::create_grant))
        .route(
            "/admin/users/{id}/grants/{grant}/revoke",
            post(users::revoke_grant),
        )
        .route("/admin/users/{id}/status", post(users::set_status))
        .route("/admin/audit", get(audit::list_audit))
        .route("/cases", get(cases::show_register))
        .route("/cases/import", get(cases::show_upload))
        .route("/cases/import/{token}", get(cases::show_mapping))
        .route("/cases/import/{token}/check", post(cases::check))
        .route("/cases/import/{token}/confirm", post(cases::confirm))
        .route(
            "/samples",
            get(cases::list_samples).post(cases::draw_sample),
        )
        .route("/samples/new", get(cases::show_new_sample))
        .route("/samples/{id}", get(cases::show_sample))
        .route(
            "/rounds",
            get(rounds::list_rounds).post(rounds::create_round),
        )
        .route("/rounds/new", get(rounds::show_new_round))
        .route("/rounds/{id}", get(rounds::show_round))
        .route(
            "/rounds/{id}/plan",
            get(rounds::show_edit_round).post(rounds::update_round),
        )
        .route("/rounds/{id}/sample", post(rounds::attach_sample))
        .route("/rounds/{id}/state", post(rounds::change_state))
        .route("/rounds/{id}/assign", post(rounds::assign))
        .route("/rounds/{id}/reassign", post(rounds::reassign))
        .route("/rounds/{id}/case", get(rounds::show_case))
        .route("/rounds/{id}/results", get(results::show_results))
        .route("/rounds/{id}/reports", post(results::create_report))
        .route("/rounds/{id}/feedback", get(results::show_feedback))
        .route("/reports/{id}/{format}", get(results::stored_report))
        .route("/rounds/{id}/agreed", post(rounds::record_agreed))
        .route("/rounds/{id}/replies", post(rounds::add_reply))
        .route("/reviews", get(rounds::list_tasks))
        .route(
            "/reviews/{id}",
            get(rounds::show_review).post(rounds::save_review),
        )
        .route("/reviews/{id}/autosave", post(rounds::autosave))
        .route("/reviews/{id}/submit", post(rounds::submit_review))
        .route("/reviews/{id}/sections", post(rounds::mark_section))
        .route("/reviews/{id}/reopen", post(rounds::reopen_review))
        .route("/reviews/{id}/escalate", post(rounds::escalate))
        .route("/escalations/{id}/close", post(rounds::close_escalation))
        .route("/actions", get(actions::list_actions))
        .route("/year-wheel", get(yearwheel::show_year_wheel))
        .route("/year-wheel.ics", get(yearwheel::year_wheel_ics))
        .route("/actions/{id}", get(actions::show_action))
        .route("/actions/{id}/status", post(actions::change_status))
        .route(
            "/rounds/{id}/actions",
            get(actions::show_round_actions).post(actions::create_action),
        )
        .route(
            "/rounds/{id}/meetings",
            get(feedback::show_meetings).post(feedback::create_meeting),
        )
        .route(
            "/rounds/{id}/meetings/{meeting}/examples",
            post(feedback::add_example),
        )
        .route("/rounds/{id}/feedback/note", post(feedback::write_note))
        .route(
            "/rounds/{id}/feedback/acknowledge",
            post(feedback::acknowledge_note),
        )
        .route("/rounds/{id}/feedback/answer", post(feedback::answer_note))
        .route("/rounds/{id}/feedback/consent", post(feedback::set_consent))
        .route(
            "/learning-audits",
            get(learning_audits::list_audits).post(learning_audits::create_audit),
        )
        .route("/learning-audits/{code}", get(learning_audits::show_audit))
        .route(
            "/learning-audits/{code}/organisations",
            post(learning_audits::add_organisation),
        )
        .route(
            "/learning-audits/{code}/members",
            post(learning_audits::set_member),
        )
        .route(
            "/learning-audits/{code}/materials/{id}",
            get(learning_audits::download_material),
        )
        .route(
            "/learning-audits/{code}/preparation",
            get(learning_audits::show_preparation),
        )
        .route(
            "/learning-audits/{code}/nominations",
            post(learning_audits::save_nomination),
        )
        .route(
            "/learning-audits/{code}/meeting",
            get(learning_audits::show_meeting),
        )
        .route(
            "/learning-audits/{code}/minutes",
            post(learning_audits::save_minutes),
        )
        .route(
            "/learning-audits/{code}/points",
            post(learning_audits::add_point),
        )
        .route(
            "/learning-audits/{code}/follow-up",
            get(learning_audits::show_plan).post(learning_audits::add_plan_action),
        )
        .route(
            "/learning-audits/{code}/report.pdf",
            get(learning_audits::report_pdf),
        )
        .route("/templates", get(templates::list_templates))
        .route("/templates/import", post(templates::import_template))
        .route("/templates/new", post(templates::create_template))
        .route("/templates/theme-spots", get(templates::list_theme_spots))
        .route("/templates/{key}", get(templates::show_template))
        .route("/templates/{key}/drafts", post(templates::create_draft))
        .route("/templates/{key}/v/{n}", get(templates::show_version))
        .route("/templates/{key}/v/{n}/preview", get(templates::preview))
        .route(
            "/templates/{key}/v/{n}/export.json",
            get(templates::export_json),
        )
        .route(
            "/templates/{key}/v/{n}/export.xlsx",
            get(templates::export_xlsx),
        )
        .route("/templates/{key}/v/{n}/edit", get(templates::show_edit))
        .route(
            "/templates/{key}/v/{n}/edit/{op}",
            post(templates::post_edit),
        )
        .route(
            "/templates/{key}/v/{n}/form/{op}",
            get(templates::show_item_form),
        )
        .route(
            "/templates/{key}/v/{n}/{action}",
            post(templates::version_action),
        )
}

/// Routes that take large request bodies (case extracts); kept apart so only they get a
/// large body limit.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/cases/upload", post(cases::upload))
        .route(
            "/learning-audits/{code}/materials",
            post(learning_audits::add_material),
        )
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What the shared layout needs: language, the signed-in person, navigation, CSRF token.
pub struct Chrome {
    pub tr: Tr,
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub csrf: String,
    pub user_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub path: String,
    pub title: String,
}

impl Chrome {
    pub fn new(ctx: &Ctx, title_key: &str) -> Chrome {
        let tr = ctx.tr();
        let mut nav = Vec::new();
        if ctx.user.is_some() {
            let mut items = vec![("/", "nav-dashboard")];
            if ctx.can(&Action::ViewCases) {
                items.push(("/cases", "nav-cases"));
            }
            if ctx.can(&Action::DrawSample) {
                items.push(("/samples", "nav-samples"));
            }
            if ctx.can(&Action::PlanRounds) {
                items.push(("/rounds", "nav-rounds"));
            }
            if ctx.can(&Action::Review) {
                items.push(("/reviews", "nav-reviews"));
            }
            if ctx.can(&Action::Review) || ctx.can(&Action::PlanRounds) {
                items.push(("/actions", "nav-actions"));
            }
            if ctx.can(&Action::PlanRounds) || ctx.can(&Action::ViewResults) {
                items.push(("/year-wheel", "nav-yearwheel"));
            }
            if ctx.can(&Action::LeadLearningAudits)
                || ctx.user.as_ref().is_some_and(|u| {
                    u.subject
                        .grants
                        .iter()
                        .any(|g| g.0 == tilsyn_domain::Role::Panelist)
                })
            {
                items.push(("/learning-audits", "nav-learning-audits"));
            }
            if ctx.can(&Action::ViewTemplates) {
                items.push(("/templates", "nav-templates"));
            }
            if ctx.can(&Action::ViewOrganisation) {
                items.push(("/admin/units", "nav-units"));
                items.push(("/admin/users", "nav-users"));
            }
            if ctx.can(&Action::ViewAuditLog) {
                items.push(("/admin/audit", "nav-audit"));
            }
            nav = items
                .into_iter()
                .map(|(href, key)| NavItem {
                    href,
                    label: tr.t(key),
                    current: ctx.path == href || (href != "/" && ctx.path.starts_with(href)),
                })
                .collect();
        }
        Chrome {
            tr,
            lang: ctx.lang.code(),
            other_lang: ctx.lang.other().code(),
            csrf: ctx.csrf.clone(),
            user_name: ctx.user.as_ref().map(|u| u.user.full_name.clone()),
            nav,
            path: ctx.path.clone(),
            title: tr.t(title_key),
        }
    }

    pub fn with_title(mut self, title: String) -> Chrome {
        self.title = title;
        self
    }
}

/// One message in a form's error summary, linked to its field.
#[derive(Debug)]
pub struct FieldMsg {
    /// The anchor the summary links to: a field's id, or an item's.
    pub field: std::borrow::Cow<'static, str>,
    pub message: String,
}

pub fn field_msgs(tr: Tr, p: &Problem) -> Vec<FieldMsg> {
    p.0.iter()
        .map(|e| FieldMsg {
            field: e.field.into(),
            message: tr.t(e.key),
        })
        .collect()
}

pub fn err_for<'a>(errors: &'a [FieldMsg], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

pub fn render<T: Template>(page: &T) -> Response {
    render_status(StatusCode::OK, page)
}

pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

/// After a successful post: back to a page, with a notice key from the catalogue.
pub fn see_other(path: &str, notice: &str) -> Response {
    // The notice goes in the query, before a fragment that scrolls to what was saved.
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (path, String::new()),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={notice}{fragment}")).into_response()
}

/// `?ok=key`: the notice a page shows after a successful post ([`see_other`]).
#[derive(serde::Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    pub ok: Option<String>,
}

/// The notice for `?ok=key`, only for keys meant as notices (so the URL cannot inject text).
pub fn notice(tr: Tr, key: Option<&str>) -> Option<String> {
    const NOTICES: &[&str] = &[
        "action-created",
        "action-status-saved",
        "round-created",
        "round-saved",
        "round-sampled",
        "round-state-changed-msg",
        "round-assigned",
        "review-saved",
        "review-submitted",
        "review-reopened",
        "escalation-created",
        "escalation-closed-msg",
        "escalation-note-needed",
        "reconcile-saved",
        "reply-saved",
        "answers-imported",
        "cases-imported",
        "sample-drawn",
        "template-imported",
        "template-draft-created",
        "template-published",
        "template-retired",
        "template-discarded",
        "template-copied",
        "template-saved",
        "template-scale-added",
        "session-ended",
        "units-created",
        "user-created",
        "grant-created",
        "grant-revoked",
        "user-disabled-msg",
        "user-enabled-msg",
        "signed-out",
        "la-audit-created",
        "la-organisation-added",
        "la-member-saved",
        "la-material-added",
        "la-nomination-saved",
        "la-minutes-saved",
        "la-point-added",
    ];
    key.filter(|k| NOTICES.contains(k)).map(|k| tr.t(k))
}

/// A urlencoded form body; a body that is not one is a bad request, never a crash.
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| PageForm(f.0))
            .map_err(|_| AppError::BadRequest)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    text: String,
    request_id: String,
}

/// The error page for `err`, in the layout, in the reader's language.
pub fn error_page(_state: &AppState, ctx: &Ctx, err: &AppError) -> Response {
    if matches!(err, AppError::Unauthenticated) {
        let next = urlencoding::encode(&ctx.path).into_owned();
        let why = if ctx.session_ended {
            "&ok=session-ended"
        } else {
            ""
        };
        return Redirect::to(&format!("/login?next={next}{why}")).into_response();
    }
    let (title, text) = err.page_keys();
    let tr = ctx.tr();
    let page = ErrorPage {
        c: Chrome::new(ctx, title),
        text: tr.t(text),
        request_id: tr.t1("error-request-id", "id", &ctx.request_id),
    };
    render_status(err.status(), &page)
}

/// A known path with a method it does not take: a refusal, decided here so it is not
/// mistaken for a route that forgot to ask the policy.
pub async fn method_not_allowed(ctx: Ctx) -> StatusCode {
    ctx.public();
    StatusCode::METHOD_NOT_ALLOWED
}

pub async fn not_found(ctx: Ctx) -> AppError {
    ctx.public();
    AppError::NotFound
}

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// Only a local path is a safe place to return to: printable ASCII only (browsers drop tabs
/// and newlines, which would turn `/<tab>/host` into `//host`), starting with exactly one `/`.
pub fn local_path(p: &str) -> &str {
    let printable = p.bytes().all(|b| (0x21..=0x7e).contains(&b));
    let second = p.as_bytes().get(1).copied();
    if printable && p.starts_with('/') && second != Some(b'/') && second != Some(b'\\') {
        p
    } else {
        "/"
    }
}

async fn set_language(ctx: Ctx, PageForm(form): PageForm<LanguageForm>) -> Response {
    ctx.public();
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    let mut res = Redirect::to(local_path(&form.back)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        ctx.cookie(LANG_COOKIE, lang.code(), Some(60 * 60 * 24 * 365)),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/admin/users"), "/admin/users");
        assert_eq!(local_path("//evil.example/x"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path(""), "/");
        assert_eq!(local_path("/	/evil.example"), "/");
        assert_eq!(
            local_path(
                "/x
"
            ),
            "/"
        );
        assert_eq!(local_path("/admin users"), "/");
        assert_eq!(local_path("/admin/users?ok=1"), "/admin/users?ok=1");
    }
}
