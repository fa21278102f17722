//! Learning audits as JSON: the audits a person may open, and one audit with its indicators,
//! panel, material (without files), tally, minutes, attention points and follow-up plan.

use super::ProblemDetails;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::learning_audits as uc;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::Serialize;
use tilsyn_domain::action::is_overdue;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct AuditListItem {
    pub code: String,
    pub title: String,
    pub framework: String,
    pub theme: u8,
    pub members: i64,
}

#[utoipa::path(get, path = "/learning-audits", tag = "learning-audits",
    responses((status = 200, body = Vec<AuditListItem>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn list_learning_audits(
    ctx: Ctx,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<AuditListItem>>> {
    Ok(Json(
        uc::list(&state.store, &ctx)
            .await?
            .into_iter()
            .map(|a| AuditListItem {
                code: a.code,
                title: a.title,
                framework: a.framework,
                theme: a.theme,
                members: a.members,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorJson {
    pub code: String,
    pub included: bool,
    /// Why it was left out.
    pub reason: String,
    pub notes: String,
    pub recommendation: String,
    /// Materials by id with how many nominated them, the most chosen first.
    pub tally: Vec<TallyJson>,
    pub attention: Vec<AttentionJson>,
}

#[derive(Serialize, ToSchema)]
pub struct TallyJson {
    pub material: uuid::Uuid,
    pub title: String,
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct AttentionJson {
    pub heading: String,
    pub point: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberJson {
    pub name: String,
    pub organisation: String,
    /// facilitator, referent, member or participant
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct MaterialJson {
    pub id: uuid::Uuid,
    pub title: String,
    pub organisation: String,
    /// report, practice or other
    pub kind: String,
    pub file_name: Option<String>,
    pub reference: String,
    pub only_indicator: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanActionJson {
    pub id: uuid::Uuid,
    pub description: String,
    pub owner: String,
    pub due: NaiveDate,
    pub status: String,
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AuditJson {
    pub code: String,
    pub title: String,
    pub framework: String,
    pub theme: u8,
    pub purpose: String,
    pub questions: Vec<String>,
    pub indicators: Vec<IndicatorJson>,
    pub organisations: Vec<String>,
    pub panel: Vec<MemberJson>,
    pub materials: Vec<MaterialJson>,
    pub follow_up: Vec<PlanActionJson>,
}

#[utoipa::path(get, path = "/learning-audits/{code}", tag = "learning-audits",
    params(("code" = String, Path, description = "The audit's code, e.g. 19.1")),
    responses((status = 200, body = AuditJson),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_learning_audit(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<AuditJson>> {
    let (a, _) = uc::open(&state.store, &ctx, &code).await?;
    let data = uc::meeting_data(&state.store, &a).await?;
    let plan = uc::follow_up(&state.store, &a).await?;
    let today = chrono::Utc::now().date_naive();
    let title_of = |id: uuid::Uuid| {
        a.materials
            .iter()
            .find(|m| m.id == id)
            .map_or(String::new(), |m| m.title.clone())
    };
    Ok(Json(AuditJson {
        indicators: a
            .indicators
            .iter()
            .map(|i| IndicatorJson {
                code: i.code.clone(),
                included: i.included,
                reason: i.reason.clone(),
                notes: i.notes.clone(),
                recommendation: i.recommendation.clone(),
                tally: data
                    .tally
                    .get(&i.code)
                    .map(|rows| {
                        rows.iter()
                            .map(|r| TallyJson {
                                material: r.material,
                                title: title_of(r.material),
                                count: r.count,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                attention: data
                    .points
                    .iter()
                    .filter(|p| p.indicator == i.code)
                    .map(|p| AttentionJson {
                        heading: p.heading.clone(),
                        point: p.point.clone(),
                    })
                    .collect(),
            })
            .collect(),
        organisations: a.organisations.iter().map(|o| o.name.clone()).collect(),
        panel: a
            .members
            .iter()
            .map(|m| MemberJson {
                name: m.name.clone(),
                organisation: a.organisation_name(m.organisation).to_owned(),
                role: m.role.code().to_owned(),
            })
            .collect(),
        materials: a
            .materials
            .iter()
            .map(|m| MaterialJson {
                id: m.id,
                title: m.title.clone(),
                organisation: a.organisation_name(Some(m.organisation)).to_owned(),
                kind: m.kind.code().to_owned(),
                file_name: m.file_name.clone(),
                reference: m.reference.clone(),
                only_indicator: m.only_indicator.clone(),
            })
            .collect(),
        follow_up: plan
            .into_iter()
            .map(|x| PlanActionJson {
                overdue: is_overdue(x.status, x.due, today),
                id: x.id,
                description: x.description,
                owner: x.owner_name,
                due: x.due,
                status: x.status.code().to_owned(),
            })
            .collect(),
        code: a.code,
        title: a.title,
        framework: a.framework,
        theme: a.theme,
        purpose: a.purpose,
        questions: a.questions,
    }))
}
