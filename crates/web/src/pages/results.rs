//! A round's results as a page (charts with the same numbers as tables), report downloads
//! that are stored as frozen snapshots, and a caseworker's own feedback.

use super::templates::{Pairs, get};
use super::{Chrome, render};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::results::{self as uc, Making, Reach};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tilsyn_domain::numfmt;
use tilsyn_domain::report::{Audience, DEFAULT_THRESHOLD, Figure, Report};
use tilsyn_reports::render::{Format, render as render_file};
use uuid::Uuid;

/// A figure as the page prints it.
pub struct Cells {
    pub share: String,
    pub interval: String,
    pub n: String,
    pub hidden: bool,
}

fn cells(f: &Figure, en: bool, mark: &str) -> Cells {
    if f.hidden {
        return Cells {
            share: mark.to_owned(),
            interval: mark.to_owned(),
            n: mark.to_owned(),
            hidden: true,
        };
    }
    let share = match (f.share, f.mean) {
        (Some(s), _) => numfmt::percent(s, en),
        (None, Some(m)) => numfmt::decimal(m, 2, en),
        _ => "–".to_owned(),
    };
    let interval = match (f.low, f.high) {
        (Some(l), Some(h)) => format!("{}–{}", numfmt::percent(l, en), numfmt::percent(h, en)),
        _ => String::new(),
    };
    Cells {
        share,
        interval,
        n: f.n.map(|n| numfmt::integer(n, en)).unwrap_or_default(),
        hidden: false,
    }
}

pub struct Line {
    pub number: String,
    pub label: String,
    pub cells: Cells,
}

pub struct Table {
    pub title: String,
    pub groups: Vec<String>,
    pub rows: Vec<(String, bool, Vec<Cells>)>,
    pub totals: Vec<Cells>,
}

/// One pair of levels: title, plain agreement, kappa, and per question (label, n, agreement,
/// kappa, standard error).
pub struct AgreementView {
    pub title: String,
    pub percent: String,
    pub kappa: String,
    pub rows: Vec<(String, String, String, String, String)>,
}

pub struct ChartView {
    pub title: String,
    pub svg: String,
}

/// An earlier round's action: description, due date, status, note, overdue.
type FollowUpLine = (String, String, String, String, bool);

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    c: Chrome,
    round_id: Uuid,
    audience: String,
    audiences: Vec<(String, String, bool)>,
    runs: bool,
    counting: String,
    complete: usize,
    total_cases: usize,
    suppression: String,
    overall: Cells,
    charts: Vec<ChartView>,
    sections: Vec<Line>,
    bearings: Vec<Line>,
    items: Vec<Line>,
    breakdowns: Vec<Table>,
    agreement: Vec<AgreementView>,
    trends: Vec<(String, String, String, String)>,
    references: Vec<(String, String, String, String)>,
    /// The earlier round's actions: that round, and its actions.
    follow_up: Option<(String, Vec<FollowUpLine>)>,
    stored: Vec<(Uuid, String, String, String, String)>,
    caseworkers: Vec<String>,
    formats: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub struct ResultsQuery {
    pub audience: Option<String>,
}

fn audience_of(s: Option<&str>, reach: Reach) -> Option<Audience> {
    match s {
        None | Some("") => Some(uc::default_audience(reach)),
        Some(a) => Audience::parse(a),
    }
}

pub(super) async fn municipality(state: &AppState) -> AppResult<String> {
    let tree = state.store.org_tree().await?;
    Ok(tree
        .rows()
        .first()
        .map(|r| r.unit.name.clone())
        .unwrap_or_default())
}

async fn build(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    audience: Option<&str>,
) -> AppResult<(Report, Reach, uc::RoundData)> {
    let (round, reach) = uc::readable_round(&state.store, ctx, id).await?;
    let audience = audience_of(audience, reach).ok_or(AppError::NotFound)?;
    uc::check_audience(&state.store, ctx, reach, &audience).await?;
    let who = ctx.signed_in()?;
    let data = uc::load(
        &state.store,
        &state.contents,
        &state.results,
        &who.tree,
        round,
    )
    .await?;
    let report = uc::make_report(
        &state.store,
        &state.contents,
        &state.results,
        &who.tree,
        &data,
        Making {
            audience: audience.clone(),
            lang: ctx.tr().0,
            by: who.user.full_name.clone(),
            municipality: municipality(state).await?,
            threshold: DEFAULT_THRESHOLD,
        },
    )
    .await?;
    uc::log_read(&state.store, &ctx.actor(), id, &audience, "page").await;
    Ok((report, reach, data))
}

pub async fn show_results(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<ResultsQuery>,
) -> AppResult<Response> {
    let (report, reach, data) = build(&state, &ctx, id, q.audience.as_deref()).await?;
    let tr = ctx.tr();
    let en = report.english;
    let mark = report.text("report-hidden-mark").to_owned();
    let stored = state
        .store
        .round_reports(id)
        .await?
        .into_iter()
        .filter(|s| Audience::parse(&s.audience).is_some_and(|a| uc::allows(reach, &a)))
        .map(|s| {
            (
                s.id,
                audience_label(tr, &s.audience),
                crate::usecases::danish_time(s.created_at),
                s.created_by_name.unwrap_or_default(),
                s.fingerprint.chars().take(12).collect(),
            )
        })
        .collect();
    let mut caseworkers: Vec<String> = if reach == Reach::Runs {
        data.cases
            .iter()
            .filter_map(|c| c.record.caseworker.clone())
            .collect()
    } else {
        vec![]
    };
    caseworkers.sort();
    caseworkers.dedup();
    let page = ResultsPage {
        c: Chrome::new(&ctx, "results-title").with_title(tr.t1(
            "results-heading",
            "round",
            &report.round.name,
        )),
        round_id: id,
        audience: report.audience.code(),
        audiences: ["committee", "management", "analyst"]
            .into_iter()
            .filter(|a| Audience::parse(a).is_some_and(|x| uc::allows(reach, &x)))
            .map(|a| {
                (
                    a.to_owned(),
                    audience_label(tr, a),
                    a == report.audience.code(),
                )
            })
            .collect(),
        runs: reach == Reach::Runs,
        counting: report.text(&report.round.counting.label_key()).to_owned(),
        complete: data.complete,
        total_cases: data.cases.len(),
        suppression: match report.threshold {
            Some(_) => report.text("report-hidden-note").to_owned(),
            None => report.text("report-no-suppression").to_owned(),
        },
        overall: cells(&report.overall, en, &mark),
        charts: tilsyn_reports::svg::charts(&report)
            .into_iter()
            .map(|c| ChartView {
                title: c.title,
                svg: c.svg,
            })
            .collect(),
        sections: report
            .sections
            .iter()
            .map(|s| Line {
                number: s.number.clone(),
                label: s.label.clone(),
                cells: cells(&s.figure, en, &mark),
            })
            .collect(),
        bearings: report
            .bearings
            .iter()
            .map(|b| Line {
                number: String::new(),
                label: b.label.clone(),
                cells: cells(&b.figure, en, &mark),
            })
            .collect(),
        items: report
            .items
            .iter()
            .map(|i| Line {
                number: i.number.clone(),
                label: i.text.clone(),
                cells: cells(&i.figure, en, &mark),
            })
            .collect(),
        breakdowns: report
            .breakdowns
            .iter()
            .map(|b| Table {
                title: b.title.clone(),
                groups: b.groups.clone(),
                rows: b
                    .rows
                    .iter()
                    .map(|r| {
                        (
                            format!("{} {}", r.number, r.label),
                            r.section,
                            r.cells.iter().map(|f| cells(f, en, &mark)).collect(),
                        )
                    })
                    .collect(),
                totals: b.totals.iter().map(|f| cells(f, en, &mark)).collect(),
            })
            .collect(),
        agreement: report
            .agreement
            .iter()
            .map(|a| AgreementView {
                title: format!("{} {} – {}", report.text("report-level"), a.lower, a.upper),
                percent: a
                    .percent
                    .map(|p| numfmt::percent(p, en))
                    .unwrap_or_default(),
                kappa: a
                    .kappa
                    .map(|k| numfmt::decimal(k, 2, en))
                    .unwrap_or_default(),
                rows: a
                    .rows
                    .iter()
                    .map(|r| {
                        (
                            format!("{} {}", r.number, r.text),
                            r.n.map(|n| n.to_string()).unwrap_or_else(|| mark.clone()),
                            r.percent
                                .map(|p| numfmt::percent(p, en))
                                .unwrap_or_else(|| mark.clone()),
                            r.kappa
                                .map(|k| numfmt::decimal(k, 2, en))
                                .unwrap_or_else(|| "–".into()),
                            r.se.map(|k| numfmt::decimal(k, 2, en)).unwrap_or_default(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        trends: report
            .trends
            .iter()
            .flat_map(|t| {
                t.rows.iter().map(|r| {
                    let then = t
                        .baseline
                        .or(t.rounds.len().checked_sub(1))
                        .and_then(|i| r.history.get(i).cloned().flatten());
                    let change = r.vs_baseline.as_ref().or(r.vs_previous.as_ref());
                    (
                        format!("{} {}", r.number, r.text),
                        then.map(|f| cells(&f, en, &mark).share).unwrap_or_default(),
                        cells(&r.now, en, &mark).share,
                        change
                            .map(|c| {
                                let arrow = match (c.significant, c.diff > 0.0) {
                                    (true, true) => " ▲",
                                    (true, false) => " ▼",
                                    _ => "",
                                };
                                format!(
                                    "{}{arrow} (p = {})",
                                    numfmt::signed_points(c.diff, en),
                                    numfmt::p_value(c.p_value, en)
                                )
                            })
                            .unwrap_or_default(),
                    )
                })
            })
            .collect(),
        references: report
            .references
            .iter()
            .map(|r| {
                let own = report
                    .items
                    .iter()
                    .find(|i| i.key == r.item)
                    .map(|i| cells(&i.figure, en, &mark).share)
                    .unwrap_or_default();
                (
                    r.measure.clone(),
                    format!("{} ({})", numfmt::percent(r.share, en), r.period),
                    own,
                    r.source.clone(),
                )
            })
            .collect(),
        follow_up: report.follow_up.as_ref().map(|f| {
            (
                f.round.clone(),
                f.actions
                    .iter()
                    .map(|a| {
                        (
                            a.description.clone(),
                            a.due.format("%d-%m-%Y").to_string(),
                            report
                                .text(&format!("action-status-{}", a.status.code()))
                                .to_owned(),
                            a.note.clone(),
                            a.overdue,
                        )
                    })
                    .collect(),
            )
        }),
        stored,
        caseworkers,
        formats: vec![
            ("pdf", "PDF"),
            ("docx", "Word (DOCX)"),
            ("xlsx", "Excel (XLSX)"),
            ("csv", "CSV"),
            ("json", "JSON"),
        ],
    };
    Ok(render(&page))
}

fn audience_label(tr: Tr, code: &str) -> String {
    match code.split_once(':') {
        Some((_, user)) => format!("{} ({user})", tr.t("audience-caseworker")),
        None => tr.t(&format!("audience-{code}")),
    }
}

fn file_response(report: &Report, format: Format, bytes: Vec<u8>) -> Response {
    let name = format!(
        "tilsyn-{}-{}.{}",
        report.audience.code().replace(':', "-"),
        report.generated_at.format("%Y%m%d-%H%M"),
        format.extension()
    );
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// Makes a report from today's answers, stores it as a snapshot and sends the file.
pub async fn create_report(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    super::PageForm(p): super::PageForm<Pairs>,
) -> AppResult<Response> {
    let format = Format::parse(get(&p, "format")).ok_or(AppError::NotFound)?;
    let (report, _, _) = build(&state, &ctx, id, Some(get(&p, "audience"))).await?;
    let bytes = render_file(&report, format).map_err(|e| AppError::Internal(e.to_string()))?;
    state.store.save_report(&ctx.actor(), id, &report).await?;
    Ok(file_response(&report, format, bytes))
}

/// A stored report, rendered again from its snapshot.
pub async fn stored_report(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((id, format)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let format = Format::parse(&format).ok_or(AppError::NotFound)?;
    let stored = state.store.stored_report(id).await?;
    let (_, reach) = uc::readable_round(&state.store, &ctx, stored.summary.round_id).await?;
    uc::check_audience(&state.store, &ctx, reach, &stored.report.audience).await?;
    uc::log_read(
        &state.store,
        &ctx.actor(),
        stored.summary.round_id,
        &stored.report.audience,
        "snapshot",
    )
    .await;
    let bytes =
        render_file(&stored.report, format).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(file_response(&stored.report, format, bytes))
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    c: Chrome,
    round_id: Uuid,
    report: Report,
    caseworker: String,
    /// The caseworker reads their own feedback (else a leader reads someone's).
    own: bool,
    /// The written feedback, its answer and the consent to examples.
    panel: super::feedback::Panel,
}

#[derive(Deserialize)]
pub struct FeedbackQuery {
    pub caseworker: Option<String>,
    pub format: Option<String>,
    pub ok: Option<String>,
}

/// A caseworker's feedback: their own (any caseworker of the round's cases), or any
/// caseworker's for those who run the round.
pub async fn show_feedback(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<FeedbackQuery>,
) -> AppResult<Response> {
    let form = super::feedback::Form {
        ok: q.ok,
        ..Default::default()
    };
    feedback_page(&state, &ctx, id, q.caseworker, q.format, form).await
}

/// The feedback page, with what a refused post on it brings back (see `pages::feedback`).
pub(super) async fn feedback_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    caseworker: Option<String>,
    format: Option<String>,
    form: super::feedback::Form,
) -> AppResult<Response> {
    let who = ctx.signed_in()?;
    let me = who.user.username.clone();
    let target = caseworker.unwrap_or_else(|| me.clone());
    let round = state.store.round(id).await?;
    let runs = tilsyn_domain::policy::runs_round(&who.subject, &who.tree, &round.scope);
    if target.to_lowercase() != me.to_lowercase() && !runs {
        return Err(crate::rounds::deny(&state.store, ctx, "view_feedback").await);
    }
    let name = match state.store.find_user(&target).await {
        Ok(u) => u.full_name,
        Err(_) => target.clone(),
    };
    let audience = Audience::Caseworker {
        username: target.clone(),
        name,
    };
    let data = uc::load(
        &state.store,
        &state.contents,
        &state.results,
        &who.tree,
        round,
    )
    .await?;
    // Only someone with a case in the round (or its owners) gets a page at all.
    let has_case = data.cases.iter().any(|c| {
        c.record
            .caseworker
            .as_deref()
            .is_some_and(|cw| cw.trim().eq_ignore_ascii_case(&target))
    });
    if !has_case {
        return Err(crate::rounds::deny(&state.store, ctx, "view_feedback").await);
    }
    let report = uc::make_report(
        &state.store,
        &state.contents,
        &state.results,
        &who.tree,
        &data,
        Making {
            audience: audience.clone(),
            lang: ctx.tr().0,
            by: who.user.full_name.clone(),
            municipality: municipality(state).await?,
            threshold: DEFAULT_THRESHOLD,
        },
    )
    .await?;
    uc::log_read(&state.store, &ctx.actor(), id, &audience, "feedback").await;
    if format.as_deref() == Some("pdf") {
        state.store.save_report(&ctx.actor(), id, &report).await?;
        let bytes =
            render_file(&report, Format::Pdf).map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(file_response(&report, Format::Pdf, bytes));
    }
    let tr = ctx.tr();
    let own = target.eq_ignore_ascii_case(&me);
    let panel = super::feedback::panel(state, ctx, &data.round, &target, own, form).await?;
    let page = FeedbackPage {
        c: Chrome::new(ctx, "feedback-title").with_title(tr.t1(
            "feedback-heading",
            "round",
            &report.round.name,
        )),
        round_id: id,
        own,
        caseworker: target,
        report,
        panel,
    };
    Ok(render(&page))
}
