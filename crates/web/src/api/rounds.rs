//! Rounds and reviews over the API: the same use cases as the pages (`crate::rounds`), so the
//! same rules: only whoever runs a round plans and steers it, only a review's own people answer
//! it, and blinding decides whose answers a reader sees.
//!
//! A case key holds a slash ("DUBU/S-0000012"). In a path it travels percent-encoded, as one
//! segment: `/rounds/{id}/cases/DUBU%2FS-0000012/reconciliation`. The router matches on the
//! encoded path and the handler receives the decoded key.

use super::{ApiJson, ProblemDetails, problem_details, problem_json};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::rounds::{self as uc, PlanInput};
use crate::state::AppState;
use crate::templates::exclusion_text;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tilsyn_domain::UserId;
use tilsyn_domain::calendar::Deadline;
use tilsyn_domain::policy::Action;
use tilsyn_domain::review::{Progress, ReviewStatus, prefill_due};
use tilsyn_domain::round::{PlanWarning, RoundPlan, RoundState};
use tilsyn_domain::template::{Exclusion, ItemStatus};
use tilsyn_store::rounds::{AnswerChange, Review, RoundSummary, StoredAnswer};
use utoipa::ToSchema;
use uuid::Uuid;

/// Today in Denmark: escalation deadlines and sample pre-fills count in Danish days.
fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .date_naive()
}

#[derive(Serialize, ToSchema)]
pub struct RoundSummaryResponse {
    pub id: Uuid,
    pub name: String,
    /// broad | thematic | continuous
    pub kind: String,
    /// draft | sampled | reviewing | analysing | reporting | closed
    pub state: String,
    pub cases: i64,
    pub reviews: i64,
    pub submitted: i64,
    pub created_at: DateTime<Utc>,
}

impl From<&RoundSummary> for RoundSummaryResponse {
    fn from(r: &RoundSummary) -> Self {
        RoundSummaryResponse {
            id: r.id,
            name: r.name.clone(),
            kind: r.kind.code().into(),
            state: r.state.code().into(),
            cases: r.cases,
            reviews: r.reviews,
            submitted: r.submitted,
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedResponse {
    pub id: Uuid,
}

/// The rounds the caller runs, newest first.
#[utoipa::path(get, path = "/rounds", tag = "rounds",
    responses((status = 200, body = Vec<RoundSummaryResponse>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn list_rounds(
    ctx: Ctx,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<RoundSummaryResponse>>> {
    let rounds = uc::my_rounds(&state.store, &ctx).await?;
    Ok(Json(
        rounds.iter().map(RoundSummaryResponse::from).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateRoundRequest {
    pub name: String,
    /// Id of a published template version.
    pub template_version: Uuid,
    /// The round plan: kind, level_sizes, themes, theme_spots, working_group, schedule,
    /// baseline, rules, counting, reference_date, start_point, look_back_months.
    #[schema(value_type = Object)]
    pub plan: RoundPlan,
}

/// Plan a new round (in draft) over the caller's units.
#[utoipa::path(post, path = "/rounds", tag = "rounds", request_body = CreateRoundRequest,
    responses((status = 201, body = CreatedResponse),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn create_round(
    ctx: Ctx,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateRoundRequest>,
) -> AppResult<(StatusCode, Json<CreatedResponse>)> {
    let input = PlanInput {
        name: req.name,
        template_version: req.template_version,
        plan: req.plan,
    };
    let id = uc::create_round(&state.store, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id })))
}

#[derive(Serialize, ToSchema)]
pub struct PlanWarningResponse {
    /// Catalogue key, e.g. plan-warn-too-few-cases.
    pub key: String,
    /// The numbers (or role) the warning is about, e.g. {"cases": 12, "recommended": 40}.
    #[schema(value_type = Object)]
    pub params: serde_json::Map<String, serde_json::Value>,
    pub detail: String,
}

fn warning_response(tr: Tr, w: &PlanWarning) -> PlanWarningResponse {
    let mut params = match serde_json::to_value(w) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    params.remove("warning");
    let args: Vec<(&'static str, String)> = match w {
        PlanWarning::TooFewCases { cases, recommended } => {
            vec![
                ("cases", cases.to_string()),
                ("recommended", recommended.to_string()),
            ]
        }
        PlanWarning::TooManyThemes { themes, max } => {
            vec![("themes", themes.to_string()), ("max", max.to_string())]
        }
        PlanWarning::NoTheme => vec![],
        PlanWarning::FewRoundsThisYear {
            rounds,
            recommended,
        } => vec![
            ("rounds", rounds.to_string()),
            ("recommended", recommended.to_string()),
        ],
        PlanWarning::WorkingGroupSize { members } => vec![("members", members.to_string())],
        PlanWarning::WorkingGroupLacks { role } => {
            vec![("role", tr.t(role.label_key()).to_lowercase())]
        }
    };
    PlanWarningResponse {
        key: w.key().into(),
        params,
        detail: tr.targs(w.key(), &args),
    }
}

#[derive(Serialize, ToSchema)]
pub struct LevelCounts {
    pub level: u8,
    /// Cases (one review each) at this level.
    pub cases: usize,
    pub assigned: usize,
    pub submitted: usize,
}

#[derive(Serialize, ToSchema)]
pub struct RoundResponse {
    pub id: Uuid,
    pub name: String,
    /// draft | sampled | reviewing | analysing | reporting | closed
    pub state: String,
    /// The states the round may move to now.
    pub next_states: Vec<String>,
    pub template_version: Uuid,
    pub sample_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub plan: RoundPlan,
    /// Unit names the round covers; empty: the whole register.
    pub scope: Vec<String>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The plan checks (warnings, never blocks): with the drawn sizes once sampled.
    pub warnings: Vec<PlanWarningResponse>,
    /// Level 1 first.
    pub levels: Vec<LevelCounts>,
}

/// A round the caller runs: its plan, the plan warnings and the counts per level.
#[utoipa::path(get, path = "/rounds/{id}", tag = "rounds",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, body = RoundResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_round(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> AppResult<Json<RoundResponse>> {
    let (round, _) = uc::owned_round(&state.store, &ctx, id).await?;
    let warnings = uc::plan_warnings(&state.store, &round).await?;
    let reviews = state.store.round_reviews(id).await?;
    let tr = ctx.tr();
    let deepest = reviews.iter().map(|r| r.level).max().unwrap_or(0);
    let levels = (1..=deepest)
        .map(|level| {
            let at: Vec<&Review> = reviews.iter().filter(|r| r.level == level).collect();
            LevelCounts {
                level,
                cases: at.len(),
                assigned: at.iter().filter(|r| r.reviewer.is_some()).count(),
                submitted: at
                    .iter()
                    .filter(|r| r.status == ReviewStatus::Submitted)
                    .count(),
            }
        })
        .collect();
    Ok(Json(RoundResponse {
        id: round.id,
        name: round.name,
        state: round.state.code().into(),
        next_states: round
            .state
            .next()
            .iter()
            .map(|s| s.code().to_owned())
            .collect(),
        template_version: round.template_version_id,
        sample_id: round.sample_id,
        plan: round.plan,
        scope: round.scope,
        created_by_name: round.created_by_name,
        created_at: round.created_at,
        warnings: warnings.iter().map(|w| warning_response(tr, w)).collect(),
        levels,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdatePlanRequest {
    pub name: String,
    #[schema(value_type = Object)]
    pub plan: RoundPlan,
}

/// Replace the plan of a round that has not started reviewing. The template stays.
#[utoipa::path(put, path = "/rounds/{id}/plan", tag = "rounds",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = UpdatePlanRequest,
    responses((status = 204),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn update_plan(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<UpdatePlanRequest>,
) -> AppResult<StatusCode> {
    let input = PlanInput {
        name: req.name,
        // A round keeps its template: `update_plan` reads it from the round, never from here.
        template_version: Uuid::nil(),
        plan: req.plan,
    };
    uc::update_plan(&state.store, &ctx, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AttachSampleRequest {
    pub sample_id: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct AttachSampleResponse {
    /// Cases drawn into the round.
    pub cases: usize,
}

/// Attach a drawn sample to a draft round: its cases, one review per case and level, answers
/// pre-filled from the dates.
#[utoipa::path(post, path = "/rounds/{id}/sample", tag = "rounds",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = AttachSampleRequest,
    responses((status = 200, body = AttachSampleResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn attach_sample(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<AttachSampleRequest>,
) -> AppResult<Json<AttachSampleResponse>> {
    let cases = uc::attach_sample(
        &state.store,
        &ctx,
        &state.contents,
        id,
        req.sample_id,
        today(),
    )
    .await?;
    Ok(Json(AttachSampleResponse { cases }))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeStateRequest {
    /// draft | sampled | reviewing | analysing | reporting | closed
    #[schema(value_type = String, example = "reviewing")]
    pub to: RoundState,
}

/// Move a round to another state (one step forward, or back from sampled to draft).
#[utoipa::path(post, path = "/rounds/{id}/state", tag = "rounds",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = ChangeStateRequest,
    responses((status = 204),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn change_state(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<ChangeStateRequest>,
) -> AppResult<StatusCode> {
    uc::change_state(&state.store, &ctx, id, req.to).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AssignRequest {
    /// 1, 2 or 3.
    pub level: u8,
    /// A lawyer taking part in the level-1 reviews as sparring partner.
    #[serde(default)]
    pub sparring: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct AssignResponse {
    pub assigned: usize,
    /// Case keys no eligible reviewer could take.
    pub unassigned: Vec<String>,
}

/// Assign the open, unassigned reviews of a level automatically, within the independence rules.
#[utoipa::path(post, path = "/rounds/{id}/assign", tag = "rounds",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = AssignRequest,
    responses((status = 200, body = AssignResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn assign(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> AppResult<Json<AssignResponse>> {
    let r = uc::auto_assign(&state.store, &ctx, id, req.level, req.sparring.map(UserId)).await?;
    Ok(Json(AssignResponse {
        assigned: r.assigned,
        unassigned: r.unassigned,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReassignRequest {
    /// Ids of open reviews of this round.
    pub reviews: Vec<Uuid>,
    /// The user who takes them all.
    pub reviewer: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct ReassignResponse {
    pub reassigned: usize,
}

/// Give open reviews to one reviewer, if the rules allow it for every one of them; otherwise
/// nothing changes (409 naming the rule).
#[utoipa::path(post, path = "/rounds/{id}/reassign", tag = "rounds",
    params(("id" = Uuid, Path, description = "Round id")),
    request_body = ReassignRequest,
    responses((status = 200, body = ReassignResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn reassign(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<ReassignRequest>,
) -> AppResult<Json<ReassignResponse>> {
    let n = uc::reassign(&state.store, &ctx, id, &req.reviews, UserId(req.reviewer)).await?;
    Ok(Json(ReassignResponse { reassigned: n }))
}

#[derive(Serialize, ToSchema)]
pub struct ProgressResponse {
    /// Applicable items answered.
    pub answered: usize,
    /// Items that apply to the case (items the rules exclude count in neither).
    pub applicable: usize,
    pub percent: u32,
}

impl From<Progress> for ProgressResponse {
    fn from(p: Progress) -> Self {
        ProgressResponse {
            answered: p.answered,
            applicable: p.applicable,
            percent: p.percent(),
        }
    }
}

/// A review without its answers.
#[derive(Serialize, ToSchema)]
pub struct ReviewSummaryResponse {
    pub id: Uuid,
    pub case_key: String,
    pub level: u8,
    /// open | submitted
    pub status: String,
    pub reviewer: Option<Uuid>,
    pub reviewer_name: Option<String>,
    /// Others taking part (the caseworker, a sparring lawyer).
    pub participants: Vec<Uuid>,
    pub due: Option<NaiveDate>,
    pub progress: ProgressResponse,
    /// Changes with every save: a submit names the version it saw.
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl From<&Review> for ReviewSummaryResponse {
    fn from(r: &Review) -> Self {
        ReviewSummaryResponse {
            id: r.id,
            case_key: r.case_key.clone(),
            level: r.level,
            status: r.status.code().into(),
            reviewer: r.reviewer.map(|u| u.0),
            reviewer_name: r.reviewer_name.clone(),
            participants: r.participants.iter().map(|u| u.0).collect(),
            due: r.due,
            progress: r.progress.into(),
            version: r.version,
            submitted_at: r.submitted_at,
        }
    }
}

/// The reviews of a round the caller runs: who, which level, how far. Never the answers.
#[utoipa::path(get, path = "/rounds/{id}/reviews", tag = "rounds",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, body = Vec<ReviewSummaryResponse>),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn list_reviews(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<ReviewSummaryResponse>>> {
    let (round, _) = uc::owned_round(&state.store, &ctx, id).await?;
    let reviews = state.store.round_reviews(round.id).await?;
    Ok(Json(
        reviews.iter().map(ReviewSummaryResponse::from).collect(),
    ))
}

/// A saved answer with its version (the `base_version` of the next change to it).
#[derive(Serialize, ToSchema)]
pub struct AnswerResponse {
    pub item: String,
    pub value: String,
    pub remark: String,
    /// The answer the case's dates suggested, if any.
    pub prefill: Option<String>,
    pub override_reason: String,
    pub version: i64,
    /// Who saved it last.
    pub updated_by_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

fn answer_response(item: &str, a: &StoredAnswer) -> AnswerResponse {
    AnswerResponse {
        item: item.to_owned(),
        value: a.entry.value.clone(),
        remark: a.entry.remark.clone(),
        prefill: a.entry.prefill.clone(),
        override_reason: a.entry.override_reason.clone(),
        version: a.version,
        updated_by_name: a.updated_by_name.clone(),
        updated_at: a.updated_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ExclusionResponse {
    /// marked (the reviewer marked the section not relevant) | section_rule | item_rule
    pub reason: String,
    pub section: Option<String>,
    /// Why, in the reader's language.
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct ItemStateResponse {
    pub item: String,
    pub applies: bool,
    /// Applies only because a fact the rule needs is unknown: the reviewer decides.
    pub unknown_fact: bool,
    pub excluded: Option<ExclusionResponse>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineResponse {
    pub item: String,
    /// met | missed | open
    pub outcome: String,
    pub due: Option<NaiveDate>,
    /// The answer the dates suggest, when the case has the date the step was done.
    pub suggested: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewResponse {
    #[serde(flatten)]
    pub review: ReviewSummaryResponse,
    pub round_id: Uuid,
    pub round_name: String,
    pub round_state: String,
    /// Whether the caller may read this review's answers (blinding: until every level of the
    /// case has submitted, only the people of this level may). When false, `answers`,
    /// `items` and `marks` are empty.
    pub may_read: bool,
    /// Whether the caller may change answers now.
    pub can_edit: bool,
    /// Every level of the case has submitted.
    pub complete: bool,
    /// Saved answers, by item key. An item without one has version 0.
    pub answers: Vec<AnswerResponse>,
    /// Every item of the template in document order, with whether it applies to the case.
    pub items: Vec<ItemStateResponse>,
    /// Sections marked "ikke relevant", with the reason.
    pub marks: std::collections::BTreeMap<String, String>,
    /// What the case's dates say for the items with a date rule (also those the rules hide
    /// now: an answer may bring them in).
    pub deadlines: Vec<DeadlineResponse>,
}

/// A review: its answers only if blinding allows the caller to read them. Every opening is in
/// the audit log.
#[utoipa::path(get, path = "/reviews/{id}", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    responses((status = 200, body = ReviewResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_review(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> AppResult<Json<ReviewResponse>> {
    let v = uc::open_review(&state.store, &ctx, &state.contents, id, "api").await?;
    let tr = ctx.tr();
    // The evaluation reflects the review's section marks (with the reviewer's reasons), so it
    // is shown only to those who may read the review itself.
    let readable = v.may_read;
    let items = if readable {
        v.eval
            .items
            .iter()
            .map(|(key, s)| ItemStateResponse {
                item: key.clone(),
                applies: s.applies(),
                unknown_fact: *s == ItemStatus::AppliesUnknown,
                excluded: match s {
                    ItemStatus::Excluded(e) => Some(ExclusionResponse {
                        reason: match e {
                            Exclusion::Marked { .. } => "marked",
                            Exclusion::SectionRule { .. } => "section_rule",
                            Exclusion::ItemRule { .. } => "item_rule",
                        }
                        .into(),
                        section: match e {
                            Exclusion::Marked { section, .. }
                            | Exclusion::SectionRule { section, .. } => Some(section.clone()),
                            Exclusion::ItemRule { .. } => None,
                        },
                        detail: exclusion_text(tr, &v.content, e),
                    }),
                    _ => None,
                },
            })
            .collect()
    } else {
        vec![]
    };
    // Deadlines come from the case's dates alone, the same for every level.
    let deadlines = v
        .deadlines
        .iter()
        .map(|p| DeadlineResponse {
            item: p.item.clone(),
            outcome: match p.deadline {
                Deadline::Met { .. } => "met",
                Deadline::Missed { .. } => "missed",
                Deadline::Open { .. } => "open",
                Deadline::Unknown => "unknown",
            }
            .into(),
            due: prefill_due(p),
            suggested: p.value.clone(),
        })
        .collect();
    Ok(Json(ReviewResponse {
        review: ReviewSummaryResponse::from(&v.review),
        round_id: v.round.id,
        round_name: v.round.name.clone(),
        round_state: v.round.state.code().into(),
        may_read: v.may_read,
        can_edit: v.can_edit,
        complete: v.complete,
        answers: if readable {
            v.answers
                .iter()
                .map(|(k, a)| answer_response(k, a))
                .collect()
        } else {
            vec![]
        },
        items,
        marks: if readable {
            v.review.marks.clone()
        } else {
            Default::default()
        },
        deadlines,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerChangeRequest {
    pub item: String,
    /// An answer code of the item's scale (a number, a yyyy-mm-dd date, free text); empty
    /// clears the answer.
    pub value: String,
    #[serde(default)]
    pub remark: String,
    /// Why the answer differs from the one the dates suggested.
    #[serde(default)]
    pub override_reason: String,
    /// The item's version as the client last saw it (0: it saw no answer).
    pub base_version: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct SaveAnswersRequest {
    pub answers: Vec<AnswerChangeRequest>,
}

#[derive(Serialize, ToSchema)]
pub struct SavedAnswer {
    pub item: String,
    /// The item's new version.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SaveAnswersResponse {
    pub saved: Vec<SavedAnswer>,
    pub progress: ProgressResponse,
    pub review_version: i64,
}

/// 409: someone else saved some of the items after the client loaded them. The other changes
/// were saved all the same (`saved`).
#[derive(Serialize, ToSchema)]
pub struct SaveConflictProblem {
    #[serde(flatten)]
    pub problem: ProblemDetails,
    /// Their answers as stored now, with version, who and when.
    pub conflicts: Vec<AnswerResponse>,
    /// The changes that were saved.
    pub saved: Vec<SavedAnswer>,
    pub progress: ProgressResponse,
    pub review_version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ItemProblem {
    pub item: String,
    /// Catalogue key, e.g. answer-not-a-choice or submit-missing-answer.
    pub key: String,
    pub detail: String,
}

/// 422 for a review: what is wrong, per item.
#[derive(Serialize, ToSchema)]
pub struct ItemProblems {
    #[serde(flatten)]
    pub problem: ProblemDetails,
    pub problems: Vec<ItemProblem>,
}

fn item_problems(ctx: &Ctx, key: &str, problems: Vec<(String, &'static str)>) -> Response {
    let tr = ctx.tr();
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let body = ItemProblems {
        problem: problem_details(ctx, status, key),
        problems: problems
            .into_iter()
            .map(|(item, key)| ItemProblem {
                item,
                key: key.into(),
                detail: tr.t(key),
            })
            .collect(),
    };
    problem_json(status, &body)
}

/// Save answers, each based on the version of it the client last saw. A change based on an old
/// version is never written over someone else's: it comes back as a conflict (409) while the
/// other changes are saved. One invalid answer refuses the whole request (422).
#[utoipa::path(put, path = "/reviews/{id}/answers", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = SaveAnswersRequest,
    responses((status = 200, body = SaveAnswersResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Conflicts (the rest was saved), or the review is not open",
            body = SaveConflictProblem, content_type = "application/problem+json"),
        (status = 422, body = ItemProblems, content_type = "application/problem+json")))]
pub async fn save_answers(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<SaveAnswersRequest>,
) -> AppResult<Response> {
    let changes: Vec<AnswerChange> = req
        .answers
        .into_iter()
        .map(|a| AnswerChange {
            item: a.item,
            value: a.value,
            remark: a.remark,
            override_reason: a.override_reason,
            base_version: a.base_version,
        })
        .collect();
    let out = match uc::save_answers(&state.store, &ctx, &state.contents, id, &changes).await? {
        Ok(out) => out,
        Err(bad) => {
            return Ok(item_problems(
                &ctx,
                "api-answer-invalid",
                vec![(bad.item, bad.problem.key())],
            ));
        }
    };
    let saved = out
        .saved
        .into_iter()
        .map(|(item, version)| SavedAnswer { item, version })
        .collect();
    if out.conflicts.is_empty() {
        return Ok(Json(SaveAnswersResponse {
            saved,
            progress: out.progress.into(),
            review_version: out.review_version,
        })
        .into_response());
    }
    let status = StatusCode::CONFLICT;
    let body = SaveConflictProblem {
        problem: problem_details(&ctx, status, "api-answers-conflict"),
        conflicts: out
            .conflicts
            .iter()
            .map(|c| answer_response(&c.item, &c.theirs))
            .collect(),
        saved,
        progress: out.progress.into(),
        review_version: out.review_version,
    };
    Ok(problem_json(status, &body))
}

#[derive(Deserialize, ToSchema)]
pub struct MarkSectionRequest {
    /// Why the section is not relevant for this case; empty clears the mark.
    #[serde(default)]
    pub reason: String,
}

/// Mark a section "ikke relevant" for this case (or clear the mark with an empty reason).
#[utoipa::path(put, path = "/reviews/{id}/sections/{key}", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id"), ("key" = String, Path, description = "Section key")),
    request_body = MarkSectionRequest,
    responses((status = 200, body = ProgressResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn mark_section(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((id, key)): Path<(Uuid, String)>,
    ApiJson(req): ApiJson<MarkSectionRequest>,
) -> AppResult<Json<ProgressResponse>> {
    let p = uc::mark_section(&state.store, &ctx, &state.contents, id, &key, &req.reason).await?;
    Ok(Json(p.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// The review version the submitter saw; a save since then makes the submit a conflict.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SubmitResponse {
    pub id: Uuid,
    /// submitted
    pub status: String,
}

/// Submit a review whose answers are complete; otherwise 422 lists what is missing, per item.
#[utoipa::path(post, path = "/reviews/{id}/submit", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = SubmitRequest,
    responses((status = 200, body = SubmitResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ItemProblems, content_type = "application/problem+json")))]
pub async fn submit_review(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> AppResult<Response> {
    let problems = uc::submit_review(&state.store, &ctx, &state.contents, id, req.version).await?;
    if problems.is_empty() {
        return Ok(Json(SubmitResponse {
            id,
            status: ReviewStatus::Submitted.code().into(),
        })
        .into_response());
    }
    Ok(item_problems(
        &ctx,
        "api-submit-incomplete",
        problems
            .iter()
            .map(|p| (p.item().to_owned(), p.key()))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReopenRequest {
    pub reason: String,
}

/// Open a submitted review again (whoever runs the round, with a reason).
#[utoipa::path(post, path = "/reviews/{id}/reopen", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = ReopenRequest,
    responses((status = 204),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn reopen_review(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<ReopenRequest>,
) -> AppResult<StatusCode> {
    // `reopen_review` reads the review before it asks the policy; asking first keeps
    // anonymous callers and other roles from learning which review ids exist.
    ctx.authorize(&Action::PlanRounds).await?;
    uc::reopen_review(&state.store, &ctx, id, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct EscalateRequest {
    pub reason: String,
    /// Default: five working days from today.
    #[serde(default)]
    pub due: Option<NaiveDate>,
}

/// Flag that the case needs action now: an escalation owned by the leader over the case's unit.
#[utoipa::path(post, path = "/reviews/{id}/escalations", tag = "reviews",
    params(("id" = Uuid, Path, description = "Review id")),
    request_body = EscalateRequest,
    responses((status = 201, body = CreatedResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn escalate(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<EscalateRequest>,
) -> AppResult<(StatusCode, Json<CreatedResponse>)> {
    let e = uc::escalate(&state.store, &ctx, id, &req.reason, req.due, today()).await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: e })))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseEscalationRequest {
    pub note: String,
}

/// Close an escalation with a note (its owner, or whoever runs the round).
#[utoipa::path(post, path = "/escalations/{id}/close", tag = "reviews",
    params(("id" = Uuid, Path, description = "Escalation id")),
    request_body = CloseEscalationRequest,
    responses((status = 204),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn close_escalation(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(req): ApiJson<CloseEscalationRequest>,
) -> AppResult<StatusCode> {
    uc::close_escalation(&state.store, &ctx, id, &req.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct LevelAnswer {
    pub level: u8,
    /// None: this level left the item blank.
    pub answer: Option<AnswerResponse>,
}

#[derive(Serialize, ToSchema)]
pub struct AgreedResponse {
    pub value: String,
    pub note: String,
    pub decided_by_name: Option<String>,
    pub decided_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct DifferenceResponse {
    pub item: String,
    pub by_level: Vec<LevelAnswer>,
    pub agreed: Option<AgreedResponse>,
}

#[derive(Serialize, ToSchema)]
pub struct ReplyResponse {
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReconciliationResponse {
    pub round_id: Uuid,
    pub case_key: String,
    /// Every level has submitted; until then `differences` and `replies` are empty.
    pub complete: bool,
    /// The case's reviews, level order, without answers.
    pub reviews: Vec<ReviewSummaryResponse>,
    /// Items where the levels answered differently, in document order.
    pub differences: Vec<DifferenceResponse>,
    /// The caseworker's replies.
    pub replies: Vec<ReplyResponse>,
}

/// Where the levels of one case differ, once every level has submitted (whoever runs the round
/// or takes part in the case, and its caseworker).
#[utoipa::path(get, path = "/rounds/{id}/cases/{case_key}/reconciliation", tag = "reviews",
    params(("id" = Uuid, Path, description = "Round id"),
        ("case_key" = String, Path, description = "Case key with its slash percent-encoded: DUBU%2FS-0000012")),
    responses((status = 200, body = ReconciliationResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn reconciliation(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((id, case_key)): Path<(Uuid, String)>,
) -> AppResult<Json<ReconciliationResponse>> {
    let r = uc::reconciliation(&state.store, &ctx, &state.contents, id, &case_key).await?;
    let levels: Vec<u8> = r.reviews.iter().map(|v| v.level).collect();
    Ok(Json(ReconciliationResponse {
        round_id: r.round.id,
        case_key: r.case.key.clone(),
        complete: r.complete,
        reviews: r.reviews.iter().map(ReviewSummaryResponse::from).collect(),
        differences: r
            .differences
            .iter()
            .map(|d| DifferenceResponse {
                item: d.item.clone(),
                by_level: d
                    .by_level
                    .iter()
                    .zip(&levels)
                    .map(|(a, level)| LevelAnswer {
                        level: *level,
                        answer: a.as_ref().map(|a| answer_response(&d.item, a)),
                    })
                    .collect(),
                agreed: d.agreed.as_ref().map(|a| AgreedResponse {
                    value: a.value.clone(),
                    note: a.note.clone(),
                    decided_by_name: a.decided_by_name.clone(),
                    decided_at: a.decided_at,
                }),
            })
            .collect(),
        replies: r
            .replies
            .iter()
            .map(|x| ReplyResponse {
                author_name: x.author_name.clone(),
                text: x.text.clone(),
                created_at: x.created_at,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AgreedRequest {
    pub item: String,
    pub value: String,
    /// What the levels agreed and why.
    pub note: String,
}

/// Record the agreed answer for an item where the levels differ (whoever runs the round).
#[utoipa::path(post, path = "/rounds/{id}/cases/{case_key}/agreed", tag = "reviews",
    params(("id" = Uuid, Path, description = "Round id"),
        ("case_key" = String, Path, description = "Case key with its slash percent-encoded: DUBU%2FS-0000012")),
    request_body = AgreedRequest,
    responses((status = 204),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn record_agreed(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((id, case_key)): Path<(Uuid, String)>,
    ApiJson(req): ApiJson<AgreedRequest>,
) -> AppResult<StatusCode> {
    uc::record_agreed(
        &state.store,
        &ctx,
        id,
        &case_key,
        &req.item,
        &req.value,
        &req.note,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyRequest {
    pub text: String,
}

/// The caseworker's reply to the review of their own case, once every level has submitted.
#[utoipa::path(post, path = "/rounds/{id}/cases/{case_key}/replies", tag = "reviews",
    params(("id" = Uuid, Path, description = "Round id"),
        ("case_key" = String, Path, description = "Case key with its slash percent-encoded: DUBU%2FS-0000012")),
    request_body = ReplyRequest,
    responses((status = 201),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn add_reply(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((id, case_key)): Path<(Uuid, String)>,
    ApiJson(req): ApiJson<ReplyRequest>,
) -> AppResult<StatusCode> {
    uc::add_reply(&state.store, &ctx, id, &case_key, &req.text).await?;
    Ok(StatusCode::CREATED)
}
