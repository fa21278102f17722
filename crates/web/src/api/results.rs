//! A round's key figures (nøgletal) as JSON for management information systems: the same
//! figures, audience rules and suppression as the results page and the reports.

use super::ProblemDetails;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::results::{self as uc, Making};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tilsyn_domain::report::{Audience, DEFAULT_THRESHOLD};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
pub struct ResultsParams {
    /// `committee` (default for readers), `management` or `analyst` (default for the round's
    /// owners).
    pub audience: Option<String>,
}

/// One figure: the round, a section, a pejlemærke or a question.
#[derive(Serialize, ToSchema)]
pub struct KeyFigureResponse {
    /// overall, section, bearing or item
    pub level: String,
    pub key: String,
    pub number: String,
    pub label: String,
    /// Hidden for confidentiality: no numbers are given.
    pub hidden: bool,
    pub n: Option<u64>,
    /// ja / (ja + nej), 0–1
    pub share: Option<f64>,
    /// 95 % Wilson interval
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Mean of a 1–5 score question
    pub mean: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct KeyFiguresResponse {
    pub round_id: Uuid,
    pub round: String,
    pub audience: String,
    pub generated_at: DateTime<Utc>,
    /// highest_level, agreed or each_level
    pub counting: String,
    pub counting_text: String,
    /// Cells below this many cases are hidden (None: nothing is hidden).
    pub threshold: Option<u64>,
    /// Cases whose every level has submitted.
    pub cases: u64,
    pub figures: Vec<KeyFigureResponse>,
}

#[utoipa::path(get, path = "/rounds/{id}/results", tag = "results",
    params(("id" = Uuid, Path, description = "Round id"), ResultsParams),
    responses((status = 200, body = KeyFiguresResponse),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_results(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<ResultsParams>,
) -> AppResult<Json<KeyFiguresResponse>> {
    let (round, reach) = uc::readable_round(&state.store, &ctx, id).await?;
    let audience = match q.audience.as_deref() {
        None | Some("") => uc::default_audience(reach),
        Some(a) => Audience::parse(a).ok_or(AppError::NotFound)?,
    };
    uc::check_audience(&state.store, &ctx, reach, &audience).await?;
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
            municipality: String::new(),
            threshold: DEFAULT_THRESHOLD,
        },
    )
    .await?;
    uc::log_read(&state.store, &ctx.actor(), id, &audience, "api").await;
    let counting_key = report.round.counting.label_key();
    Ok(Json(KeyFiguresResponse {
        round_id: id,
        round: report.round.name.clone(),
        audience: audience.code(),
        generated_at: report.generated_at,
        counting: report.round.counting.code().to_owned(),
        counting_text: report.text(&counting_key).to_owned(),
        threshold: report.threshold,
        cases: report.round.cases,
        figures: tilsyn_reports::figures::key_figures(&report)
            .into_iter()
            .map(|f| KeyFigureResponse {
                level: f.level.to_owned(),
                key: f.key,
                number: f.number,
                label: f.label,
                hidden: f.hidden,
                n: f.n,
                share: f.share,
                low: f.low,
                high: f.high,
                mean: f.mean,
            })
            .collect(),
    }))
}
