//! Feedback around a round as pages: its meetings with the form for a new one, example cases
//! of a results meeting and who has had written feedback; and, on a caseworker's feedback
//! page, the written feedback, its acknowledgement and answer, and consent to examples.

use super::rounds::dk;
use super::templates::{Pairs, get};
use super::{Chrome, FieldMsg, OkQuery, PageForm, err_for, field_msgs, render};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::feedback as uc;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use tilsyn_domain::Problem;
use tilsyn_domain::feedback::{Consent, MeetingInput, MeetingKind, NoteStatus};
use tilsyn_domain::policy::Action as Can;
use tilsyn_store::rounds::Round;
use uuid::Uuid;

/// Notices this module's pages show after a successful post (`?ok=key`), and only these, so
/// the URL cannot put other text on the page.
const NOTICES: [&str; 7] = [
    "meeting-recorded",
    "example-added",
    "note-saved",
    "note-acknowledged-msg",
    "note-answered",
    "consent-given-msg",
    "consent-withdrawn-msg",
];

fn notice(tr: Tr, key: Option<&str>) -> Option<String> {
    key.filter(|k| NOTICES.contains(k)).map(|k| tr.t(k))
}

/// After a successful post: back to a page with a notice from [`NOTICES`].
fn back(path: &str, key: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={key}")).into_response()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One meeting as the page prints it.
pub struct MeetingLine {
    pub id: Uuid,
    pub kind: String,
    pub results: bool,
    pub held_on: String,
    pub participants: Vec<String>,
    /// The key points paragraph by paragraph (line breaks as typed).
    pub key_points: Vec<String>,
    pub by: String,
    /// (case key, note) of the examples whose consent stands.
    pub examples: Vec<(String, String)>,
    pub withdrawn: usize,
    /// The example form's problems and typed values, when it was this meeting's that failed.
    pub ex_errors: Vec<FieldMsg>,
    pub ex_case: String,
    pub ex_note: String,
}

impl MeetingLine {
    pub fn ex_err(&self, field: &str) -> Option<&str> {
        err_for(&self.ex_errors, field)
    }
}

/// One caseworker in the owners' overview.
pub struct CaseworkerRow {
    pub caseworker: String,
    pub name: String,
    pub cases: usize,
    pub status: String,
    pub missing: bool,
    pub when: String,
}

/// What the new-meeting form shows again after a refusal, so nothing typed is lost.
#[derive(Default)]
struct Entered {
    kind: String,
    held_on: String,
    participants: String,
    key_points: String,
}

/// The example form that was refused: for which meeting, and what was typed.
#[derive(Default)]
struct ExampleEntered {
    meeting: Option<Uuid>,
    errors: Vec<FieldMsg>,
    case: String,
    note: String,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    round_id: Uuid,
    round_name: String,
    meetings: Vec<MeetingLine>,
    can_record: bool,
    kinds: Vec<(String, String)>,
    /// (case key, label) of the round's cases for the example form.
    cases: Vec<(String, String)>,
    caseworkers: Vec<CaseworkerRow>,
    missing: usize,
    e: Entered,
}

impl MeetingsPage {
    fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

pub async fn show_meetings(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    meetings_page(
        &state,
        &ctx,
        round,
        q.ok.as_deref(),
        vec![],
        Entered::default(),
        ExampleEntered::default(),
    )
    .await
}

async fn meetings_page(
    state: &AppState,
    ctx: &Ctx,
    round: Round,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    e: Entered,
    mut ex: ExampleEntered,
) -> AppResult<Response> {
    ctx.authorize(&Can::ViewOwn).await?;
    let tr = ctx.tr();
    let store = &state.store;
    let shared = uc::meetings(store, ctx, &round).await?;
    let overview = uc::overview(store, ctx, &round).await?;
    let can_record = uc::records(ctx, &round);
    let meetings = shared
        .into_iter()
        .map(|s| {
            let m = s.meeting;
            let mine = ex.meeting == Some(m.id);
            MeetingLine {
                id: m.id,
                kind: tr.t(&m.kind.label_key()),
                results: m.kind == MeetingKind::Results,
                held_on: dk(m.held_on),
                participants: m.participants,
                key_points: lines(&m.key_points),
                by: m.created_by_name.unwrap_or_default(),
                examples: m
                    .examples
                    .into_iter()
                    .map(|x| (x.case_key, x.note))
                    .collect(),
                withdrawn: s.withdrawn,
                ex_errors: if mine {
                    std::mem::take(&mut ex.errors)
                } else {
                    vec![]
                },
                ex_case: if mine { ex.case.clone() } else { String::new() },
                ex_note: if mine { ex.note.clone() } else { String::new() },
            }
        })
        .collect();
    let mut cases = vec![];
    if can_record {
        let consent: std::collections::BTreeMap<String, Consent> = store
            .consents(round.id)
            .await?
            .into_iter()
            .map(|c| (c.case_key, c.consent))
            .collect();
        for c in store.round_cases(round.id).await? {
            let label = if consent.get(&c.key) == Some(&Consent::Given) {
                format!("{} ({})", c.key, tr.t("example-has-consent"))
            } else {
                c.key.clone()
            };
            cases.push((c.key, label));
        }
    }
    let missing = overview
        .iter()
        .filter(|l| l.status == NoteStatus::Missing)
        .count();
    let caseworkers = overview
        .into_iter()
        .map(|l| {
            let when = l
                .note
                .as_ref()
                .map(|n| match l.status {
                    NoteStatus::Answered => n.answered_at,
                    NoteStatus::Acknowledged => n.acknowledged_at,
                    _ => Some(n.written_at),
                })
                .and_then(|t| t.map(|t| dk(t.date_naive())))
                .unwrap_or_default();
            CaseworkerRow {
                status: tr.t(&format!("note-status-{}", l.status.code())),
                missing: l.status == NoteStatus::Missing,
                caseworker: l.caseworker,
                name: l.name,
                cases: l.cases,
                when,
            }
        })
        .collect();
    Ok(render(&MeetingsPage {
        c: Chrome::new(ctx, "meetings-title").with_title(tr.t1(
            "meetings-heading",
            "round",
            &round.name,
        )),
        notice: notice(tr, ok),
        errors,
        round_id: round.id,
        round_name: round.name,
        meetings,
        can_record,
        kinds: MeetingKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), tr.t(&k.label_key())))
            .collect(),
        cases,
        caseworkers,
        missing,
        e,
    }))
}

pub async fn create_meeting(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    let input = MeetingInput {
        kind: get(&p, "kind").to_owned(),
        held_on: get(&p, "held_on").to_owned(),
        // Kept as typed (line by line), not trimmed as a whole.
        participants: p
            .iter()
            .find(|(k, _)| k == "participants")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        key_points: p
            .iter()
            .find(|(k, _)| k == "key_points")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    };
    match uc::record_meeting(&state.store, &ctx, &round, &input).await {
        Ok(_) => Ok(back(&format!("/rounds/{id}/meetings"), "meeting-recorded")),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            let e = Entered {
                kind: input.kind,
                held_on: input.held_on,
                participants: input.participants,
                key_points: input.key_points,
            };
            meetings_page(
                &state,
                &ctx,
                round,
                None,
                errors,
                e,
                ExampleEntered::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_example(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((id, meeting)): Path<(Uuid, Uuid)>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    let (case, note) = (get(&p, "case"), get(&p, "note"));
    match uc::add_example(&state.store, &ctx, &round, meeting, case, note).await {
        Ok(_) => Ok(back(&format!("/rounds/{id}/meetings"), "example-added")),
        Err(AppError::Invalid(problem)) => {
            let ex = ExampleEntered {
                meeting: Some(meeting),
                errors: field_msgs(ctx.tr(), &problem),
                case: case.to_owned(),
                note: note.to_owned(),
            };
            // The page's summary lists the same messages, linked to this meeting's fields.
            let errors = example_msgs(ctx.tr(), &problem, meeting);
            meetings_page(&state, &ctx, round, None, errors, Entered::default(), ex).await
        }
        Err(e) => Err(e),
    }
}

/// The example form's messages, each linked to the field of this meeting's form.
fn example_msgs(tr: Tr, p: &Problem, meeting: Uuid) -> Vec<FieldMsg> {
    p.0.iter()
        .map(|e| FieldMsg {
            field: match e.field {
                "note" => format!("note-{meeting}").into(),
                "case" => format!("case-{meeting}").into(),
                _ => format!("example-{meeting}").into(),
            },
            message: tr.t(e.key),
        })
        .collect()
}

/// The written-feedback part of a caseworker's feedback page.
pub struct Panel {
    pub notice: Option<String>,
    pub errors: Vec<FieldMsg>,
    /// The caseworker reads their own (else who runs the round reads someone's).
    pub own: bool,
    pub writes: bool,
    pub written: bool,
    /// The feedback and the answer paragraph by paragraph.
    pub body: Vec<String>,
    pub by: String,
    pub written_on: String,
    pub acknowledged_on: String,
    pub answer: Vec<String>,
    pub answered_on: String,
    pub version: String,
    /// The leader's form text and the caseworker's answer as typed (or stored).
    pub draft: String,
    pub answer_draft: String,
    /// (case key, case type, consent given, consent withdrawn).
    pub cases: Vec<(String, String, bool, bool)>,
}

impl Panel {
    pub fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

/// What a refused post on the feedback page brings back to it.
#[derive(Default)]
pub struct Form {
    pub ok: Option<String>,
    pub errors: Vec<FieldMsg>,
    pub draft: Option<String>,
    pub answer: Option<String>,
}

/// Builds the panel for `caseworker`'s feedback page in `round`.
pub async fn panel(
    state: &AppState,
    ctx: &Ctx,
    round: &Round,
    caseworker: &str,
    own: bool,
    form: Form,
) -> AppResult<Panel> {
    let tr = ctx.tr();
    let p = uc::panel(&state.store, ctx, round, caseworker).await?;
    let n = p.note.as_ref();
    let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| dk(t.date_naive())).unwrap_or_default()
    };
    Ok(Panel {
        notice: notice(tr, form.ok.as_deref()),
        errors: form.errors,
        own,
        writes: p.writes,
        written: n.is_some(),
        body: n.map(|n| lines(&n.body)).unwrap_or_default(),
        by: n
            .and_then(|n| n.written_by_name.clone())
            .unwrap_or_default(),
        written_on: day(n.map(|n| n.written_at)),
        acknowledged_on: day(n.and_then(|n| n.acknowledged_at)),
        answer: n.map(|n| lines(&n.answer)).unwrap_or_default(),
        answered_on: day(n.and_then(|n| n.answered_at)),
        version: n.map(|n| n.version.to_string()).unwrap_or_default(),
        draft: form
            .draft
            .unwrap_or_else(|| n.map(|n| n.body.clone()).unwrap_or_default()),
        answer_draft: form
            .answer
            .unwrap_or_else(|| n.map(|n| n.answer.clone()).unwrap_or_default()),
        cases: p
            .cases
            .into_iter()
            .map(|c| {
                (
                    c.key,
                    c.case_type,
                    c.consent == Some(Consent::Given),
                    c.consent == Some(Consent::Withdrawn),
                )
            })
            .collect(),
    })
}

/// The feedback page again, with the problem of a refused post and what was typed.
async fn again(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    caseworker: Option<String>,
    e: AppError,
    field: &'static str,
    form: Form,
) -> AppResult<Response> {
    let errors = match &e {
        AppError::Invalid(p) => field_msgs(ctx.tr(), p),
        AppError::Conflict(key) => vec![FieldMsg {
            field: field.into(),
            message: ctx.tr().t(key),
        }],
        _ => return Err(e),
    };
    super::results::feedback_page(state, ctx, id, caseworker, None, Form { errors, ..form }).await
}

fn version(p: &Pairs) -> Option<i64> {
    get(p, "version").parse::<i64>().ok()
}

/// The leader writes (or rewrites) a caseworker's feedback.
pub async fn write_note(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    let caseworker = get(&p, "caseworker").to_owned();
    let body = p
        .iter()
        .find(|(k, _)| k == "body")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let page = format!(
        "/rounds/{id}/feedback?caseworker={}",
        urlencoding::encode(&caseworker)
    );
    match uc::write_note(&state.store, &ctx, &round, &caseworker, version(&p), &body).await {
        Ok(()) => Ok(back(&page, "note-saved")),
        Err(e) => {
            let form = Form {
                draft: Some(body),
                ..Form::default()
            };
            again(&state, &ctx, id, Some(caseworker), e, "body", form).await
        }
    }
}

/// The caseworker confirms having read their feedback.
pub async fn acknowledge_note(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    let v = version(&p).unwrap_or(-1);
    match uc::acknowledge(&state.store, &ctx, &round, v).await {
        Ok(()) => Ok(back(
            &format!("/rounds/{id}/feedback"),
            "note-acknowledged-msg",
        )),
        Err(e) => again(&state, &ctx, id, None, e, "acknowledge", Form::default()).await,
    }
}

/// The caseworker answers their feedback.
pub async fn answer_note(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    let v = version(&p).unwrap_or(-1);
    let text = p
        .iter()
        .find(|(k, _)| k == "answer")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match uc::answer(&state.store, &ctx, &round, v, &text).await {
        Ok(()) => Ok(back(&format!("/rounds/{id}/feedback"), "note-answered")),
        Err(e) => {
            let form = Form {
                answer: Some(text),
                ..Form::default()
            };
            again(&state, &ctx, id, None, e, "answer", form).await
        }
    }
}

/// The caseworker gives or withdraws consent to a case being used as an example.
pub async fn set_consent(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    match uc::set_consent(
        &state.store,
        &ctx,
        &round,
        get(&p, "case"),
        get(&p, "consent"),
    )
    .await
    {
        Ok(c) => Ok(back(
            &format!("/rounds/{id}/feedback"),
            match c {
                Consent::Given => "consent-given-msg",
                Consent::Withdrawn => "consent-withdrawn-msg",
            },
        )),
        Err(e) => again(&state, &ctx, id, None, e, "consent", Form::default()).await,
    }
}
