//! Templates over the API: the same store operations and checks as the pages. Template content
//! travels in the file format (`content/template.schema.json`).

use super::{ApiJson, ProblemDetails};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::exclusion_text;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tilsyn_domain::policy::Action;
use tilsyn_domain::template::edit::Edit;
use tilsyn_domain::template::{CaseFacts, ItemStatus};
use tilsyn_store::templates::{ItemQuery, TemplateSummary, VersionMeta, parse_file, to_file_json};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct VersionMetaResponse {
    pub template_key: String,
    pub number: i32,
    /// draft | published | retired
    pub status: String,
    pub locked: bool,
    /// compliance | thematic | quality_model | theme_spots
    pub kind: String,
    pub title: String,
    pub content_sha256: String,
    /// The version this one derives from, as "KEY vN".
    pub parent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl From<&VersionMeta> for VersionMetaResponse {
    fn from(m: &VersionMeta) -> Self {
        VersionMetaResponse {
            template_key: m.template_key.clone(),
            number: m.number,
            status: m.status.code().into(),
            locked: m.locked,
            kind: m.kind.code().into(),
            title: m.title.clone(),
            content_sha256: m.content_sha256.clone(),
            parent: m
                .parent
                .as_ref()
                .map(|p| format!("{} v{}", p.template_key, p.number)),
            created_at: m.created_at,
            published_at: m.published_at,
            retired_at: m.retired_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateResponse {
    pub key: String,
    pub kind: String,
    pub locked: bool,
    pub title: String,
    pub copied_from: Option<String>,
    /// Newest first.
    pub versions: Vec<VersionMetaResponse>,
}

impl From<&TemplateSummary> for TemplateResponse {
    fn from(t: &TemplateSummary) -> Self {
        TemplateResponse {
            key: t.key.clone(),
            kind: t.kind.code().into(),
            locked: t.locked,
            title: t.title.clone(),
            copied_from: t
                .copied_from
                .as_ref()
                .map(|v| format!("{} v{}", v.template_key, v.number)),
            versions: t.versions.iter().map(VersionMetaResponse::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionResponse {
    pub meta: VersionMetaResponse,
    /// The template file (`{"schema": "tilsyn-template/1", "template": {…}}`).
    #[schema(value_type = Object)]
    pub file: serde_json::Value,
}

fn version_response(v: &tilsyn_store::templates::TemplateVersion) -> VersionResponse {
    VersionResponse {
        meta: VersionMetaResponse::from(&v.meta),
        file: file_value(&v.content),
    }
}

fn file_value(content: &tilsyn_domain::template::TemplateContent) -> serde_json::Value {
    serde_json::from_str(&to_file_json(content)).unwrap_or(serde_json::Value::Null)
}

/// All templates with their versions.
#[utoipa::path(get, path = "/templates", tag = "templates",
    responses((status = 200, body = Vec<TemplateResponse>),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn list_templates(
    ctx: Ctx,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<TemplateResponse>>> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let list = state.store.list_templates().await?;
    Ok(Json(list.iter().map(TemplateResponse::from).collect()))
}

/// Import a template file: a new open template, or a new draft version of an existing one.
#[utoipa::path(post, path = "/templates", tag = "templates", request_body(content = Object, description = "A template file"),
    responses((status = 201, body = VersionMetaResponse),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn import_template(
    ctx: Ctx,
    State(state): State<AppState>,
    ApiJson(file): ApiJson<serde_json::Value>,
) -> AppResult<(StatusCode, Json<VersionMetaResponse>)> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let content = parse_file(&file.to_string()).map_err(AppError::Content)?;
    let meta = state.store.import_template(&ctx.actor(), &content).await?;
    Ok((StatusCode::CREATED, Json(VersionMetaResponse::from(&meta))))
}

/// One template with its versions.
#[utoipa::path(get, path = "/templates/{key}", tag = "templates",
    params(("key" = String, Path, description = "Template key")),
    responses((status = 200, body = TemplateResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_template(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> AppResult<Json<TemplateResponse>> {
    ctx.authorize(&Action::ViewTemplates).await?;
    Ok(Json(TemplateResponse::from(
        &state.store.template(&key).await?,
    )))
}

/// Start the next version of an open template as a draft.
#[utoipa::path(post, path = "/templates/{key}/drafts", tag = "templates",
    params(("key" = String, Path, description = "Template key")),
    responses((status = 201, body = VersionMetaResponse),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn create_draft(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> AppResult<(StatusCode, Json<VersionMetaResponse>)> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let meta = state.store.new_draft(&ctx.actor(), &key).await?;
    Ok((StatusCode::CREATED, Json(VersionMetaResponse::from(&meta))))
}

/// One version with its content as a template file.
#[utoipa::path(get, path = "/templates/{key}/versions/{n}", tag = "templates",
    params(("key" = String, Path, description = "Template key"), ("n" = i32, Path, description = "Version number")),
    responses((status = 200, body = VersionResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn get_version(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
) -> AppResult<Json<VersionResponse>> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let v = state.store.template_version(&key, Some(n)).await?;
    Ok(Json(version_response(&v)))
}

/// Replace a draft's whole content with a template file. A published version is refused (409).
#[utoipa::path(put, path = "/templates/{key}/versions/{n}", tag = "templates",
    params(("key" = String, Path, description = "Template key"), ("n" = i32, Path, description = "Version number")),
    request_body(content = Object, description = "A template file"),
    responses((status = 200, body = VersionResponse),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn replace_version(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
    ApiJson(file): ApiJson<serde_json::Value>,
) -> AppResult<Json<VersionResponse>> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let content = parse_file(&file.to_string()).map_err(AppError::Content)?;
    let v = state
        .store
        .replace_draft(&ctx.actor(), &key, n, &content)
        .await?;
    Ok(Json(version_response(&v)))
}

/// Delete a draft. A published version can never be deleted (409).
#[utoipa::path(delete, path = "/templates/{key}/versions/{n}", tag = "templates",
    params(("key" = String, Path, description = "Template key"), ("n" = i32, Path, description = "Version number")),
    responses((status = 204),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn discard_version(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
) -> AppResult<StatusCode> {
    ctx.authorize(&Action::ManageTemplates).await?;
    state.store.discard_draft(&ctx.actor(), &key, n).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Apply one edit to a draft (add, update, move or remove a section, item or scale; set the
/// name). The body is `{"op": "...", ...}`; see the `Edit` variants in the template schema.
#[utoipa::path(post, path = "/templates/{key}/versions/{n}/edits", tag = "templates",
    params(("key" = String, Path, description = "Template key"), ("n" = i32, Path, description = "Version number")),
    request_body(content = Object, description = "One edit, e.g. {\"op\": \"move_item\", \"key\": \"BL.BFU.FRIST_4M\", \"up\": true}"),
    responses((status = 200, body = VersionResponse),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn edit_version(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
    ApiJson(edit): ApiJson<Edit>,
) -> AppResult<Json<VersionResponse>> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let v = state.store.edit_draft(&ctx.actor(), &key, n, &edit).await?;
    Ok(Json(version_response(&v)))
}

#[derive(Deserialize, ToSchema)]
pub struct CopyRequest {
    /// Key of the new template.
    pub key: String,
    #[serde(default)]
    pub title: String,
}

/// Publish a draft, retire a published version, or copy a version to a new open template.
#[utoipa::path(post, path = "/templates/{key}/versions/{n}/{action}", tag = "templates",
    params(("key" = String, Path, description = "Template key"), ("n" = i32, Path, description = "Version number"),
        ("action" = String, Path, description = "publish | retire | copy")),
    request_body(content = Option<CopyRequest>, description = "For copy: the new key and title"),
    responses((status = 200, body = VersionMetaResponse),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn version_action(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n, action)): Path<(String, i32, String)>,
    body: axum::body::Bytes,
) -> AppResult<Json<VersionMetaResponse>> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let actor = ctx.actor();
    let meta = match action.as_str() {
        "publish" => state.store.publish_version(&actor, &key, n).await?,
        "retire" => state.store.retire_version(&actor, &key, n).await?,
        "copy" => {
            let req: CopyRequest =
                serde_json::from_slice(&body).map_err(|e| AppError::BadJson {
                    field: None,
                    detail: e.to_string(),
                    syntax: e.is_syntax() || e.is_eof(),
                })?;
            state
                .store
                .copy_template(&actor, &key, n, &req.key, &req.title)
                .await?
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(Json(VersionMetaResponse::from(&meta)))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PreviewFacts {
    pub case_type: Option<String>,
    /// udsatte | handicap
    pub area: Option<String>,
    pub age: Option<u32>,
    pub start: Option<NaiveDate>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PreviewRequest {
    #[serde(default)]
    pub facts: PreviewFacts,
    /// Item key → answer code.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    /// Section key → the reviewer's reason for "ikke relevant".
    #[serde(default)]
    pub not_relevant: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewItem {
    pub key: String,
    pub applies: bool,
    /// Applies only because a fact the rule needs is unknown.
    pub unknown_fact: bool,
    /// Why it does not apply, in the reader's language.
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewResponse {
    pub applicable: usize,
    pub items: Vec<PreviewItem>,
}

/// Which items apply to a described case, and why the others do not.
#[utoipa::path(post, path = "/templates/{key}/versions/{n}/preview", tag = "templates",
    params(("key" = String, Path, description = "Template key"), ("n" = i32, Path, description = "Version number")),
    request_body = PreviewRequest,
    responses((status = 200, body = PreviewResponse),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
pub async fn preview(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> AppResult<Json<PreviewResponse>> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let v = state.store.template_version(&key, Some(n)).await?;
    let facts = CaseFacts {
        case_type: req.facts.case_type,
        area: req.facts.area,
        age: req.facts.age,
        start: req.facts.start,
        attributes: req.facts.attributes,
    };
    let eval = v.content.evaluate(&facts, &req.answers, &req.not_relevant);
    let tr = ctx.tr();
    let items = eval
        .items
        .iter()
        .map(|(k, s)| PreviewItem {
            key: k.clone(),
            applies: s.applies(),
            unknown_fact: *s == ItemStatus::AppliesUnknown,
            reason: match s {
                ItemStatus::Excluded(e) => Some(exclusion_text(tr, &v.content, e)),
                _ => None,
            },
        })
        .collect();
    Ok(Json(PreviewResponse {
        applicable: eval.applicable_count(),
        items,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct ItemSearch {
    /// Words in the key, question, help or criteria.
    pub q: Option<String>,
    /// A paragraph cited, e.g. "20" or "§ 20".
    pub paragraph: Option<String>,
    #[serde(default)]
    pub include_retired: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ItemHitResponse {
    pub template_key: String,
    pub version: i32,
    pub status: String,
    pub item_key: String,
    pub text_da: String,
    pub section_key: String,
    pub scale_kind: String,
    pub theme_spot: bool,
}

/// Search items across templates ("which items cite § 20?").
#[utoipa::path(get, path = "/template-items", tag = "templates", params(ItemSearch),
    responses((status = 200, body = Vec<ItemHitResponse>)))]
pub async fn search_items(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<ItemSearch>,
) -> AppResult<Json<Vec<ItemHitResponse>>> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let hits = state
        .store
        .search_items(&ItemQuery {
            text: q.q,
            paragraph: q.paragraph,
            theme_spots_only: false,
            include_retired: q.include_retired,
        })
        .await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| ItemHitResponse {
                template_key: h.template_key,
                version: h.version,
                status: h.status.code().into(),
                item_key: h.item_key,
                text_da: h.text_da,
                section_key: h.section_key,
                scale_kind: h.scale_kind,
                theme_spot: h.theme_spot,
            })
            .collect(),
    ))
}
