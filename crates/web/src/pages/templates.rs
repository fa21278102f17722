//! Question frameworks: list and search, a version, the preview of the review form, and the
//! editor for drafts. Every change goes through the store's draft checks; nothing here edits a
//! published version.

use super::{Chrome, OkQuery, PageForm, render, render_status, see_other};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use crate::templates::{FormView, answers_from, form_view, rule_text};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use tilsyn_domain::policy::Action;
use tilsyn_domain::template::edit::Edit;
use tilsyn_domain::template::{
    Bearing, CaseFacts, Condition, ContentError, Item, ItemChange, ItemKind, LegalRef, Scale,
    ScaleKind, ScalePoint, SectionKind, TemplateContent, Text, VersionStatus,
};
use tilsyn_store::templates::{ItemHit, ItemQuery, TemplateSummary, TemplateVersion, VersionMeta};

pub type Pairs = Vec<(String, String)>;

pub(super) fn get<'a>(p: &'a Pairs, k: &str) -> &'a str {
    p.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

pub(super) fn all<'a>(p: &'a Pairs, k: &str) -> Vec<&'a str> {
    p.iter()
        .filter(|(key, v)| key == k && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
        .collect()
}

fn opt_text(da: &str, en: &str) -> Option<Text> {
    (!da.is_empty()).then(|| Text::new(da, en))
}

fn en(tr: Tr) -> bool {
    tr.0 == Lang::En
}

fn version_path(key: &str, n: i32) -> String {
    format!("/templates/{}/v/{n}", urlencoding::encode(key))
}

// ---------------------------------------------------------------- list and search

pub struct TemplateRow {
    pub key: String,
    pub href: String,
    pub title: String,
    pub kind: String,
    pub locked: bool,
    pub latest: String,
    pub draft: bool,
    pub copied_from: Option<String>,
}

#[derive(Template)]
#[template(path = "templates.html")]
struct TemplatesPage {
    c: Chrome,
    notice: Option<String>,
    rows: Vec<TemplateRow>,
    q: String,
    hits: Option<Vec<ItemHit>>,
    can_manage: bool,
    errors: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    ok: Option<String>,
}

async fn templates_page(
    state: &AppState,
    ctx: &Ctx,
    q: &str,
    errors: Vec<String>,
    ok: Option<&str>,
) -> AppResult<TemplatesPage> {
    let tr = ctx.tr();
    let list = state.store.list_templates().await?;
    let rows = list.iter().map(|t| template_row(tr, t)).collect();
    let hits = if q.trim().is_empty() {
        None
    } else {
        // "§ 20" or "§20" searches the legal references; anything else the texts.
        let query = match q.trim().strip_prefix('§') {
            Some(p) => ItemQuery {
                paragraph: Some(p.trim().to_owned()),
                ..Default::default()
            },
            None => ItemQuery {
                text: Some(q.to_owned()),
                ..Default::default()
            },
        };
        Some(state.store.search_items(&query).await?)
    };
    Ok(TemplatesPage {
        c: Chrome::new(ctx, "templates-title"),
        notice: super::notice(tr, ok),
        rows,
        q: q.to_owned(),
        hits,
        can_manage: ctx.can(&Action::ManageTemplates),
        errors,
    })
}

fn template_row(tr: Tr, t: &TemplateSummary) -> TemplateRow {
    let latest = t
        .latest_published()
        .map(|v| tr.t1("template-version-n", "n", v.number))
        .unwrap_or_else(|| tr.t("template-none-published"));
    TemplateRow {
        key: t.key.clone(),
        href: format!("/templates/{}", urlencoding::encode(&t.key)),
        title: t.title.clone(),
        kind: tr.t(&t.kind.label_key()),
        locked: t.locked,
        latest,
        draft: t.draft().is_some(),
        copied_from: t
            .copied_from
            .as_ref()
            .map(|v| format!("{} v{}", v.template_key, v.number)),
    }
}

pub async fn list_templates(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewTemplates).await?;
    Ok(render(
        &templates_page(&state, &ctx, &q.q, vec![], q.ok.as_deref()).await?,
    ))
}

/// Import of a template file (multipart upload, or pasted text).
pub async fn import_template(
    ctx: Ctx,
    State(state): State<AppState>,
    mut form: Multipart,
) -> AppResult<Response> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let tr = ctx.tr();
    let mut text = String::new();
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
        match name.as_str() {
            "file" | "text" if !bytes.is_empty() => match String::from_utf8(bytes.to_vec()) {
                Ok(s) => text = s,
                Err(_) => {
                    let msg = tr.t("err-tpl-file-encoding");
                    let page = templates_page(&state, &ctx, "", vec![msg], None).await?;
                    return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
                }
            },
            _ => {}
        }
    }
    let result = match tilsyn_store::templates::parse_file(&text) {
        Ok(content) => state
            .store
            .import_template(&ctx.actor(), &content)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::Content(errs)),
    };
    match result {
        Ok(meta) => Ok(see_other(
            &version_path(&meta.template_key, meta.number),
            "template-imported",
        )),
        Err(AppError::Content(errs)) => {
            let msgs = errs.iter().map(|e| tr.content_error(e)).collect();
            let page = templates_page(&state, &ctx, "", msgs, None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(AppError::Conflict(key)) => {
            let page = templates_page(&state, &ctx, "", vec![tr.t(key)], None).await?;
            Ok(render_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e),
    }
}

/// A new, empty open template: its first version is a draft with the standard scales.
pub async fn create_template(
    ctx: Ctx,
    State(state): State<AppState>,
    PageForm(form): PageForm<Pairs>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let tr = ctx.tr();
    let kind = tilsyn_domain::template::TemplateKind::parse(get(&form, "kind"))
        .unwrap_or(tilsyn_domain::template::TemplateKind::Compliance);
    let content = TemplateContent {
        key: get(&form, "key").to_owned(),
        title: Text::new(get(&form, "title"), ""),
        description: None,
        kind,
        source: None,
        law_version: None,
        cannot_assess: false,
        attributes: vec![],
        scales: Scale::library(),
        sections: vec![],
    };
    // A new template needs a new key; an existing one gets new versions from its own page.
    let result = match state.store.template(&content.key).await {
        Ok(_) => Err(AppError::Content(vec![ContentError::new(
            &content.key,
            "key",
            "err-tpl-key-taken",
            &content.key,
        )])),
        Err(_) => state
            .store
            .import_template(&ctx.actor(), &content)
            .await
            .map_err(AppError::from),
    };
    match result {
        Ok(meta) => Ok(see_other(
            &format!("{}/edit", version_path(&meta.template_key, meta.number)),
            "template-draft-created",
        )),
        Err(AppError::Content(errs)) => {
            let msgs = errs.iter().map(|e| tr.content_error(e)).collect();
            let page = templates_page(&state, &ctx, "", msgs, None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- one template

pub struct VersionRow {
    pub number: i32,
    pub href: String,
    pub status: String,
    pub status_code: &'static str,
    pub title: String,
    pub parent: Option<String>,
    pub published_at: Option<String>,
}

#[derive(Template)]
#[template(path = "template.html")]
struct TemplatePage {
    c: Chrome,
    notice: Option<String>,
    key: String,
    locked: bool,
    kind: String,
    copied_from: Option<(String, String)>,
    versions: Vec<VersionRow>,
    can_new_draft: bool,
    errors: Vec<String>,
}

fn version_row(tr: Tr, v: &VersionMeta) -> VersionRow {
    VersionRow {
        number: v.number,
        href: version_path(&v.template_key, v.number),
        status: tr.t(&v.status.label_key()),
        status_code: v.status.code(),
        title: v.title.clone(),
        parent: v
            .parent
            .as_ref()
            .map(|p| format!("{} v{}", p.template_key, p.number)),
        published_at: v.published_at.map(crate::usecases::danish_time),
    }
}

async fn template_page(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    errors: Vec<String>,
    ok: Option<&str>,
) -> AppResult<TemplatePage> {
    let tr = ctx.tr();
    let t = state.store.template(key).await?;
    Ok(TemplatePage {
        c: Chrome::new(ctx, "templates-title").with_title(t.title.clone()),
        notice: super::notice(tr, ok),
        key: t.key.clone(),
        locked: t.locked,
        kind: tr.t(&t.kind.label_key()),
        copied_from: t.copied_from.as_ref().map(|v| {
            (
                format!("{} v{}", v.template_key, v.number),
                version_path(&v.template_key, v.number),
            )
        }),
        versions: t.versions.iter().map(|v| version_row(tr, v)).collect(),
        can_new_draft: !t.locked && t.draft().is_none() && ctx.can(&Action::ManageTemplates),
        errors,
    })
}

pub async fn show_template(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewTemplates).await?;
    Ok(render(
        &template_page(&state, &ctx, &key, vec![], q.ok.as_deref()).await?,
    ))
}

pub async fn create_draft(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(key): Path<String>,
    PageForm(_): PageForm<Pairs>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ManageTemplates).await?;
    match state.store.new_draft(&ctx.actor(), &key).await {
        Ok(m) => Ok(see_other(
            &format!("{}/edit", version_path(&key, m.number)),
            "template-draft-created",
        )),
        Err(tilsyn_store::StoreError::Conflict(k)) => {
            let page = template_page(&state, &ctx, &key, vec![ctx.tr().t(k)], None).await?;
            Ok(render_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- one version

pub struct ItemView {
    pub key: String,
    pub number: String,
    pub text: String,
    pub criteria: Option<String>,
    pub help: Option<String>,
    pub refs: Vec<String>,
    pub scale: String,
    pub compliant: String,
    pub remark_on: String,
    pub bearing: Option<String>,
    pub theme_spot: bool,
    pub rule: Option<String>,
    pub change: Option<String>,
    pub source: Option<String>,
    /// Heading level: 3 under a section, 4 under a subsection.
    pub heading: u8,
}

pub struct SectionView {
    pub key: String,
    pub number: String,
    pub title: String,
    pub kind: String,
    pub intro: Option<String>,
    pub rule: Option<String>,
    pub items: Vec<ItemView>,
    pub subsections: Vec<SectionView>,
}

#[derive(Template)]
#[template(path = "template_version.html")]
struct VersionPage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<String>,
    meta: VersionMeta,
    status: String,
    kind: String,
    description: Option<String>,
    source: Option<String>,
    law_version: Option<String>,
    cannot_assess: bool,
    base: String,
    sections: Vec<SectionView>,
    scales: Vec<(String, String, String)>,
    item_count: usize,
    can_manage: bool,
    removed: Vec<String>,
    copy_key: String,
    copy_title: String,
}

fn scale_label(tr: Tr, content: &TemplateContent, key: &str) -> String {
    content
        .scale(key)
        .map(|s| s.label.get(en(tr)).to_owned())
        .unwrap_or_else(|| key.to_owned())
}

fn answer_labels(tr: Tr, content: &TemplateContent, scale: &str, codes: &[String]) -> String {
    let s = content.scale(scale);
    codes
        .iter()
        .map(|c| {
            s.and_then(|s| s.point(c))
                .map(|p| p.label.get(en(tr)).to_owned())
                .unwrap_or_else(|| {
                    if c == tilsyn_domain::template::CANNOT_ASSESS {
                        tr.t("answer-cannot-assess")
                    } else {
                        c.clone()
                    }
                })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn section_views(
    tr: Tr,
    content: &TemplateContent,
    changes: &BTreeMap<String, ItemChange>,
) -> Vec<SectionView> {
    let item_view = |i: &Item, number: String, heading: u8| ItemView {
        heading,
        key: i.key.clone(),
        number,
        text: i.text.get(en(tr)).to_owned(),
        criteria: i.criteria.as_ref().map(|t| t.get(en(tr)).to_owned()),
        help: i.help.as_ref().map(|t| t.get(en(tr)).to_owned()),
        refs: i
            .legal_refs
            .iter()
            .map(|r| match &r.law_version {
                Some(v) => format!("{} ({v})", r.display()),
                None => r.display(),
            })
            .collect(),
        scale: scale_label(tr, content, &i.scale),
        compliant: answer_labels(tr, content, &i.scale, &i.compliant),
        remark_on: answer_labels(tr, content, &i.scale, &i.remark_required_on),
        bearing: i.bearing.map(|b| tr.t(&b.label_key())),
        theme_spot: i.kind == ItemKind::ThemeSpot,
        rule: i.rule.as_ref().map(|r| rule_text(tr, content, r)),
        change: changes.get(&i.key).map(|c| tr.t(c.label_key())),
        source: i.source.clone(),
    };
    let numbers = content.numbering();
    let number_of = |key: &str| numbers.get(key).cloned().unwrap_or_default();
    let section_view = |s: &tilsyn_domain::template::Section, depth: u8| SectionView {
        key: s.key.clone(),
        number: number_of(&s.key),
        title: s.title.get(en(tr)).to_owned(),
        kind: tr.t(&s.kind.label_key()),
        intro: s.intro.as_ref().map(|t| t.get(en(tr)).to_owned()),
        rule: s.rule.as_ref().map(|r| rule_text(tr, content, r)),
        items: s
            .items
            .iter()
            .map(|i| item_view(i, number_of(&i.key), depth + 1))
            .collect(),
        subsections: vec![],
    };
    content
        .sections
        .iter()
        .map(|s| {
            let mut v = section_view(s, 2);
            v.subsections = s.sections.iter().map(|sub| section_view(sub, 3)).collect();
            v
        })
        .collect()
}

async fn version_page(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    n: i32,
    errors: Vec<String>,
    ok: Option<&str>,
) -> AppResult<VersionPage> {
    let tr = ctx.tr();
    let v = state.store.template_version(key, Some(n)).await?;
    let (changes, removed) = match &v.meta.parent {
        Some(p) => {
            let parent = state.store.template_version_by_id(p.id).await?;
            let changes = v.content.changes_from(&parent.content);
            let removed = changes
                .iter()
                .filter(|(_, c)| **c == ItemChange::Removed)
                .map(|(k, _)| k.clone())
                .collect();
            (changes, removed)
        }
        None => (BTreeMap::new(), vec![]),
    };
    let c = &v.content;
    Ok(VersionPage {
        c: Chrome::new(ctx, "templates-title").with_title(format!(
            "{} · {}",
            c.title.get(en(tr)),
            tr.t1("template-version-n", "n", n)
        )),
        notice: super::notice(tr, ok),
        errors,
        status: tr.t(&v.meta.status.label_key()),
        kind: tr.t(&c.kind.label_key()),
        description: c.description.as_ref().map(|t| t.get(en(tr)).to_owned()),
        source: c.source.clone(),
        law_version: c.law_version.clone(),
        cannot_assess: c.cannot_assess,
        base: version_path(key, n),
        sections: section_views(tr, c, &changes),
        scales: c
            .scales
            .iter()
            .map(|s| {
                (
                    s.label.get(en(tr)).to_owned(),
                    tr.t(&s.kind.label_key()),
                    s.points
                        .iter()
                        .map(|p| p.label.get(en(tr)).to_owned())
                        .collect::<Vec<_>>()
                        .join(" / "),
                )
            })
            .collect(),
        item_count: c.items().len(),
        can_manage: ctx.can(&Action::ManageTemplates),
        removed,
        copy_key: format!("{}-EGEN", v.meta.template_key),
        copy_title: format!("{} ({})", c.title.da, tr.t("template-copy-suffix")),
        meta: v.meta,
    })
}

pub async fn show_version(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewTemplates).await?;
    Ok(render(
        &version_page(&state, &ctx, &key, n, vec![], q.ok.as_deref()).await?,
    ))
}

/// Publish, retire, discard or copy: each a small form on the version page.
pub async fn version_action(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n, action)): Path<(String, i32, String)>,
    PageForm(form): PageForm<Pairs>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let actor = ctx.actor();
    let store = &state.store;
    let result = match action.as_str() {
        "publish" => store
            .publish_version(&actor, &key, n)
            .await
            .map(|m| see_other(&version_path(&key, m.number), "template-published")),
        "retire" => store
            .retire_version(&actor, &key, n)
            .await
            .map(|m| see_other(&version_path(&key, m.number), "template-retired")),
        "discard" => store.discard_draft(&actor, &key, n).await.map(|_| {
            if n == 1 {
                see_other("/templates", "template-discarded")
            } else {
                see_other(
                    &format!("/templates/{}", urlencoding::encode(&key)),
                    "template-discarded",
                )
            }
        }),
        "copy" => store
            .copy_template(&actor, &key, n, get(&form, "key"), get(&form, "title"))
            .await
            .map(|m| {
                see_other(
                    &format!("{}/edit", version_path(&m.template_key, m.number)),
                    "template-copied",
                )
            }),
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(r) => Ok(r),
        Err(e) => {
            let tr = ctx.tr();
            let (status, msgs) = match AppError::from(e) {
                AppError::Content(errs) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errs.iter().map(|e| tr.content_error(e)).collect(),
                ),
                AppError::Conflict(k) => (StatusCode::CONFLICT, vec![tr.t(k)]),
                other => return Err(other),
            };
            let page = version_page(&state, &ctx, &key, n, msgs, None).await?;
            Ok(render_status(status, &page))
        }
    }
}

pub async fn export_json(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let v = state.store.template_version(&key, Some(n)).await?;
    let body = tilsyn_store::templates::to_file_json(&v.content);
    let name = format!("{}-v{}.json", v.meta.template_key, n);
    Ok(download(
        body.into_bytes(),
        "application/json; charset=utf-8",
        &name,
    ))
}

pub async fn export_xlsx(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let v = state.store.template_version(&key, Some(n)).await?;
    let bytes = tilsyn_reports::template_xlsx::item_list(&v.content, n, v.meta.status.code())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}-v{}.xlsx", v.meta.template_key, n);
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
    ))
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    // Keys are [A-Za-z0-9._-], so the file name needs no escaping.
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------- preview

#[derive(Template)]
#[template(path = "template_preview.html")]
struct PreviewPage {
    c: Chrome,
    base: String,
    case_types: Vec<(String, bool)>,
    age: String,
    area: String,
    start: String,
    attributes: Vec<(String, String, String)>,
    form: FormView,
    hidden_count: usize,
    facts_summary: String,
}

/// The case types offered in the preview; a template may name others in its rules.
const PREVIEW_CASE_TYPES: [&str; 8] = [
    "§ 30", "§ 32", "§ 46", "§ 47", "§ 52", "§ 86", "§ 87", "§ 114",
];

pub async fn preview(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let tr = ctx.tr();
    let v: TemplateVersion = state.store.template_version(&key, Some(n)).await?;
    let g = |k: &str| q.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let case_type = g("case_type");
    let mut facts = CaseFacts {
        case_type: (!case_type.is_empty()).then(|| case_type.clone()),
        area: Some(g("area")).filter(|a| a == "udsatte" || a == "handicap"),
        age: g("age").parse().ok().filter(|a: &u32| *a < 120),
        start: NaiveDate::parse_from_str(&g("start"), "%Y-%m-%d").ok(),
        ..Default::default()
    };
    for a in &v.content.attributes {
        let val = g(&format!("attr.{}", a.name));
        if !val.is_empty() {
            facts.attributes.insert(a.name.clone(), val);
        }
    }
    let answers = answers_from(&q);
    let eval = v.content.evaluate(&facts, &answers, &BTreeMap::new());
    let form = form_view(tr, &v.content, &eval, &answers);
    let hidden_count = form.hidden().len();
    let mut types: Vec<(String, bool)> = PREVIEW_CASE_TYPES
        .iter()
        .map(|t| (t.to_string(), *t == case_type))
        .collect();
    if !case_type.is_empty() && !PREVIEW_CASE_TYPES.contains(&case_type.as_str()) {
        types.push((case_type.clone(), true));
    }
    let facts_summary = tr.targs(
        "preview-facts",
        &[
            (
                "case_type",
                facts
                    .case_type
                    .clone()
                    .unwrap_or_else(|| tr.t("preview-unknown")),
            ),
            (
                "age",
                facts
                    .age
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| tr.t("preview-unknown")),
            ),
        ],
    );
    let page = PreviewPage {
        c: Chrome::new(&ctx, "preview-title").with_title(format!(
            "{} · {}",
            tr.t("preview-title"),
            v.content.title.get(en(tr))
        )),
        base: version_path(&key, n),
        case_types: types,
        age: g("age"),
        area: g("area"),
        start: g("start"),
        attributes: v
            .content
            .attributes
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.label.get(en(tr)).to_owned(),
                    g(&format!("attr.{}", a.name)),
                )
            })
            .collect(),
        form,
        hidden_count,
        facts_summary,
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- the draft editor

#[derive(Template)]
#[template(path = "template_edit.html")]
struct EditPage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<String>,
    base: String,
    meta: VersionMeta,
    title_da: String,
    title_en: String,
    description: String,
    cannot_assess: bool,
    sections: Vec<SectionView>,
    scales: Vec<(String, String, String, bool)>,
    /// Standard scales not yet in the template.
    library: Vec<(String, String)>,
}

async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    n: i32,
    errors: Vec<String>,
    ok: Option<&str>,
) -> AppResult<EditPage> {
    let tr = ctx.tr();
    let v = state.store.template_version(key, Some(n)).await?;
    if !v.meta.editable() {
        return Err(AppError::Conflict(if v.meta.locked {
            "err-tpl-locked"
        } else {
            "err-tpl-not-draft"
        }));
    }
    let c = &v.content;
    let used: Vec<&str> = c.items().iter().map(|p| p.item.scale.as_str()).collect();
    Ok(EditPage {
        c: Chrome::new(ctx, "templates-title").with_title(format!(
            "{} · {}",
            tr.t("template-edit-title"),
            c.title.get(en(tr))
        )),
        notice: super::notice(tr, ok),
        errors,
        base: version_path(key, n),
        title_da: c.title.da.clone(),
        title_en: c.title.en.clone(),
        description: c
            .description
            .as_ref()
            .map(|d| d.da.clone())
            .unwrap_or_default(),
        cannot_assess: c.cannot_assess,
        sections: section_views(tr, c, &BTreeMap::new()),
        scales: c
            .scales
            .iter()
            .map(|s| {
                (
                    s.key.clone(),
                    s.label.get(en(tr)).to_owned(),
                    tr.t(&s.kind.label_key()),
                    used.contains(&s.key.as_str()),
                )
            })
            .collect(),
        library: Scale::library()
            .into_iter()
            .filter(|s| c.scale(&s.key).is_none())
            .map(|s| (s.key, s.label.get(en(tr)).to_owned()))
            .collect(),
        meta: v.meta,
    })
}

pub async fn show_edit(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n)): Path<(String, i32)>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ManageTemplates).await?;
    Ok(render(
        &edit_page(&state, &ctx, &key, n, vec![], q.ok.as_deref()).await?,
    ))
}

/// The simple rule fields every section and item form has: a conjunction of the common
/// conditions. A rule that needs more (or/not) is written as JSON in the advanced field.
pub fn rule_from_form(p: &Pairs) -> Result<Option<Condition>, &'static str> {
    let json = get(p, "rule_json");
    if !json.is_empty() {
        return serde_json::from_str::<Condition>(json)
            .map(Some)
            .map_err(|_| "err-tpl-rule-json");
    }
    let mut parts = vec![];
    let types: Vec<String> = all(p, "rule_case_type")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !types.is_empty() {
        parts.push(Condition::CaseTypeIn(types));
    }
    let area = get(p, "rule_area");
    if !area.is_empty() {
        parts.push(Condition::AreaIs(area.to_owned()));
    }
    for (field, make) in [
        (
            "rule_age_min",
            Condition::AgeAtLeast as fn(u32) -> Condition,
        ),
        ("rule_age_below", Condition::AgeBelow),
    ] {
        let v = get(p, field);
        if !v.is_empty() {
            let n: u32 = v.parse().map_err(|_| "err-tpl-rule-age")?;
            if n > 30 {
                return Err("err-tpl-rule-age");
            }
            parts.push(make(n));
        }
    }
    let from = get(p, "rule_started_from");
    if !from.is_empty() {
        let d = NaiveDate::parse_from_str(from, "%Y-%m-%d").map_err(|_| "err-tpl-rule-date")?;
        parts.push(Condition::StartedOnOrAfter(d));
    }
    let item = get(p, "rule_answer_item");
    if !item.is_empty() {
        let values: Vec<String> = get(p, "rule_answer_values")
            .split(',')
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        parts.push(Condition::AnswerIn {
            item: item.to_owned(),
            values,
        });
    }
    Ok(match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Condition::All(parts)),
    })
}

/// The simple fields for an existing rule, or None when it needs the JSON field.
#[derive(Default)]
pub struct SimpleRule {
    pub case_types: Vec<String>,
    pub area: String,
    pub age_min: String,
    pub age_below: String,
    pub started_from: String,
    pub answer_item: String,
    pub answer_values: String,
}

pub fn simple_rule(c: Option<&Condition>) -> Option<SimpleRule> {
    let mut s = SimpleRule::default();
    let Some(c) = c else { return Some(s) };
    let leaves: Vec<&Condition> = match c {
        Condition::All(v) => v.iter().collect(),
        other => vec![other],
    };
    for l in leaves {
        match l {
            Condition::CaseTypeIn(v) if s.case_types.is_empty() => s.case_types = v.clone(),
            Condition::AreaIs(a) if s.area.is_empty() => s.area = a.clone(),
            Condition::AgeAtLeast(n) if s.age_min.is_empty() => s.age_min = n.to_string(),
            Condition::AgeBelow(n) if s.age_below.is_empty() => s.age_below = n.to_string(),
            Condition::StartedOnOrAfter(d) if s.started_from.is_empty() => {
                s.started_from = d.format("%Y-%m-%d").to_string()
            }
            Condition::AnswerIn { item, values } if s.answer_item.is_empty() => {
                s.answer_item = item.clone();
                s.answer_values = values.join(", ");
            }
            _ => return None,
        }
    }
    Some(s)
}

/// One edit from a form post: meta, sections, items, scales.
pub async fn post_edit(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n, op)): Path<(String, i32, String)>,
    PageForm(form): PageForm<Pairs>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let tr = ctx.tr();
    let v = state.store.template_version(&key, Some(n)).await?;
    let edit = match edit_from_form(&op, &form, &v.content) {
        Ok(e) => e,
        Err(errs) => return form_failure(&state, &ctx, &key, n, &op, &form, errs).await,
    };
    match state.store.edit_draft(&ctx.actor(), &key, n, &edit).await {
        Ok(_) => {
            let back = format!("{}/edit", version_path(&key, n));
            let anchor = match &edit {
                Edit::AddItem { item, .. } | Edit::UpdateItem { item, .. } => {
                    format!("#item-{}", item.key)
                }
                Edit::MoveItem { key, .. } => format!("#item-{key}"),
                Edit::AddSection { key, .. }
                | Edit::UpdateSection { key, .. }
                | Edit::MoveSection { key, .. } => {
                    format!("#section-{key}")
                }
                _ => String::new(),
            };
            let _ = tr;
            Ok(see_other(&back, "template-saved").map_anchor(&anchor))
        }
        Err(tilsyn_store::StoreError::Content(errs)) => {
            form_failure(&state, &ctx, &key, n, &op, &form, errs).await
        }
        Err(e) => Err(e.into()),
    }
}

trait MapAnchor {
    fn map_anchor(self, anchor: &str) -> Response;
}

impl MapAnchor for Response {
    /// Adds `#anchor` to a redirect so the person lands where they were working.
    fn map_anchor(mut self, anchor: &str) -> Response {
        if anchor.is_empty() {
            return self;
        }
        if let Some(loc) = self
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
        {
            let with = format!("{loc}{}", urlencoding::encode(anchor).replace("%23", "#"));
            if let Ok(v) = header::HeaderValue::from_str(&with) {
                self.headers_mut().insert(header::LOCATION, v);
            }
        }
        self
    }
}

async fn form_failure(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    n: i32,
    op: &str,
    form: &Pairs,
    errs: Vec<ContentError>,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let msgs: Vec<String> = errs.iter().map(|e| tr.content_error(e)).collect();
    // Item and section forms come back with what the person typed, each error linked to its field.
    match op {
        "item" | "section" => {
            let mut page = item_or_section_page(state, ctx, key, n, op, form, msgs).await?;
            page.invalid = errs.iter().map(|e| input_for(op, e.field)).collect();
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        _ => {
            let page = edit_page(state, ctx, key, n, msgs, None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// The form input that shows a content error's field.
fn input_for(op: &str, field: &str) -> &'static str {
    match (op, field) {
        ("item", "text") => "text_da",
        ("section", "title" | "text") => "title_da",
        (_, "legal_refs") => "legal_refs",
        ("item", "scale" | "compliant") => "scale",
        (_, "rule") => "rule",
        (_, "kind") => "kind",
        _ => "key",
    }
}

fn one(at: &str, field: &'static str, key: &'static str) -> Vec<ContentError> {
    vec![ContentError::new(at, field, key, "")]
}

fn edit_from_form(
    op: &str,
    p: &Pairs,
    content: &TemplateContent,
) -> Result<Edit, Vec<ContentError>> {
    let up = get(p, "direction") == "up";
    Ok(match op {
        "meta" => Edit::SetMeta {
            title: Text::new(get(p, "title_da"), get(p, "title_en")),
            description: opt_text(get(p, "description"), ""),
            cannot_assess: get(p, "cannot_assess") == "on",
        },
        "section" => {
            let rule = rule_from_form(p).map_err(|k| one(get(p, "key"), "rule", k))?;
            let kind = SectionKind::parse(get(p, "kind"))
                .ok_or_else(|| one(get(p, "key"), "kind", "err-tpl-kind"))?;
            let title = Text::new(get(p, "title_da"), get(p, "title_en"));
            let intro = opt_text(get(p, "intro_da"), get(p, "intro_en"));
            let original = get(p, "original");
            if original.is_empty() {
                Edit::AddSection {
                    parent: Some(get(p, "parent").to_owned()).filter(|s| !s.is_empty()),
                    key: get(p, "key").to_owned(),
                    kind,
                    title,
                    intro,
                    rule,
                }
            } else {
                if get(p, "key") != original {
                    return Err(one(original, "key", "err-tpl-section-key-fixed"));
                }
                Edit::UpdateSection {
                    key: original.to_owned(),
                    kind,
                    title,
                    intro,
                    rule,
                }
            }
        }
        "section-move" => Edit::MoveSection {
            key: get(p, "key").to_owned(),
            up,
        },
        "section-remove" => Edit::RemoveSection {
            key: get(p, "key").to_owned(),
        },
        "item" => {
            let item = item_from_form(p, content)?;
            let original = get(p, "original");
            if original.is_empty() {
                Edit::AddItem {
                    section: get(p, "section").to_owned(),
                    item,
                }
            } else {
                Edit::UpdateItem {
                    key: original.to_owned(),
                    item,
                }
            }
        }
        "item-move" => Edit::MoveItem {
            key: get(p, "key").to_owned(),
            up,
        },
        "item-remove" => Edit::RemoveItem {
            key: get(p, "key").to_owned(),
        },
        "scale" => {
            let kind = ScaleKind::parse(get(p, "kind"))
                .ok_or_else(|| one(get(p, "key"), "kind", "err-tpl-kind"))?;
            let mut points = vec![];
            for line in get(p, "points").lines().filter(|l| !l.trim().is_empty()) {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let code = cells.first().copied().unwrap_or("");
                points.push(ScalePoint {
                    code: code.to_owned(),
                    label: Text::new(
                        cells.get(1).copied().unwrap_or(""),
                        cells.get(2).copied().unwrap_or(""),
                    ),
                    not_applicable: cells.get(3).is_some_and(|c| c.eq_ignore_ascii_case("na")),
                    value: if kind == ScaleKind::Score {
                        code.parse().ok()
                    } else {
                        None
                    },
                });
            }
            Edit::AddScale {
                scale: Scale {
                    key: get(p, "key").to_owned(),
                    kind,
                    label: Text::new(get(p, "label_da"), get(p, "label_en")),
                    points,
                },
            }
        }
        "scale-library" => {
            let key = get(p, "key");
            let scale = Scale::library()
                .into_iter()
                .find(|s| s.key == key)
                .ok_or_else(|| one(key, "key", "err-tpl-not-found"))?;
            Edit::AddScale { scale }
        }
        "scale-remove" => Edit::RemoveScale {
            key: get(p, "key").to_owned(),
        },
        _ => return Err(one("", "op", "err-tpl-not-found")),
    })
}

fn item_from_form(p: &Pairs, content: &TemplateContent) -> Result<Item, Vec<ContentError>> {
    let key = get(p, "key");
    let mut refs = vec![];
    for line in get(p, "legal_refs")
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        refs.push(LegalRef::parse(line).ok_or_else(|| {
            vec![ContentError::new(
                key,
                "legal_refs",
                "err-tpl-legal-ref",
                line.trim(),
            )]
        })?);
    }
    let rule = rule_from_form(p).map_err(|k| one(key, "rule", k))?;
    Ok(Item {
        key: key.to_owned(),
        text: Text::new(get(p, "text_da"), get(p, "text_en")),
        help: opt_text(get(p, "help_da"), get(p, "help_en")),
        criteria: opt_text(get(p, "criteria_da"), get(p, "criteria_en")),
        legal_refs: refs,
        scale: get(p, "scale").to_owned(),
        compliant: all(p, "compliant").into_iter().map(str::to_owned).collect(),
        remark_required_on: all(p, "remark_on").into_iter().map(str::to_owned).collect(),
        bearing: Bearing::parse(get(p, "bearing")),
        kind: ItemKind::parse(get(p, "kind")).unwrap_or_default(),
        rule,
        source: Some(get(p, "source").to_owned()).filter(|s| !s.is_empty()),
        // The form does not edit date rules (they come with the template file); keep the one
        // the item has.
        deadline: content.item(key).and_then(|i| i.deadline.clone()),
    })
}

// ---------------------------------------------------------------- item and section forms

pub struct PointOpt {
    pub code: String,
    pub label: String,
    pub compliant: bool,
    pub remark: bool,
}

#[derive(Template)]
#[template(path = "template_item_form.html")]
struct ItemFormPage {
    c: Chrome,
    errors: Vec<String>,
    base: String,
    /// "item" or "section".
    op: String,
    original: String,
    /// For a new item: its section; for a new section: its parent.
    container: String,
    f: BTreeMap<String, String>,
    scales: Vec<(String, String, bool)>,
    points: Vec<PointOpt>,
    bearings: Vec<(String, String, bool)>,
    section_kinds: Vec<(String, String, bool)>,
    case_types: Vec<(String, bool)>,
    earlier_items: Vec<(String, bool)>,
    rule_json: String,
    theme_spot: bool,
    /// The input each error belongs to, in the order of `errors`.
    invalid: Vec<&'static str>,
}

impl TemplatesPage {
    fn status_label(&self, s: &VersionStatus) -> String {
        self.c.tr.t(&s.label_key())
    }
}

impl ItemFormPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }

    fn bad(&self, input: &str) -> bool {
        self.invalid.contains(&input)
    }

    fn anchor(&self, i: &usize) -> &str {
        self.invalid.get(*i).copied().unwrap_or("key")
    }
}

#[derive(serde::Deserialize, Default)]
pub struct FormQuery {
    section: Option<String>,
    item: Option<String>,
    parent: Option<String>,
    key: Option<String>,
}

pub async fn show_item_form(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((key, n, op)): Path<(String, i32, String)>,
    Query(q): Query<FormQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::ManageTemplates).await?;
    let v = state.store.template_version(&key, Some(n)).await?;
    let mut f: Pairs = vec![];
    match op.as_str() {
        "item" => {
            if let Some(i) = q.item.as_deref().and_then(|k| v.content.item(k)) {
                f = item_pairs(i);
                f.push(("original".into(), i.key.clone()));
            } else {
                f.push(("section".into(), q.section.unwrap_or_default()));
                f.push((
                    "scale".into(),
                    v.content
                        .scales
                        .first()
                        .map(|s| s.key.clone())
                        .unwrap_or_default(),
                ));
            }
        }
        "section" => {
            if let Some(s) = q
                .key
                .as_deref()
                .and_then(|k| v.content.all_sections().into_iter().find(|s| s.key == k))
            {
                f = section_pairs(s);
                f.push(("original".into(), s.key.clone()));
            } else {
                f.push(("parent".into(), q.parent.unwrap_or_default()));
                f.push(("kind".into(), "case_step".into()));
            }
        }
        _ => return Err(AppError::NotFound),
    }
    Ok(render(
        &item_or_section_page(&state, &ctx, &key, n, &op, &f, vec![]).await?,
    ))
}

fn rule_pairs(rule: Option<&Condition>, f: &mut Pairs) {
    match simple_rule(rule) {
        Some(s) => {
            for t in s.case_types {
                f.push(("rule_case_type".into(), t));
            }
            f.push(("rule_area".into(), s.area));
            f.push(("rule_age_min".into(), s.age_min));
            f.push(("rule_age_below".into(), s.age_below));
            f.push(("rule_started_from".into(), s.started_from));
            f.push(("rule_answer_item".into(), s.answer_item));
            f.push(("rule_answer_values".into(), s.answer_values));
        }
        None => {
            let json = rule
                .and_then(|r| serde_json::to_string(r).ok())
                .unwrap_or_default();
            f.push(("rule_json".into(), json));
        }
    }
}

fn item_pairs(i: &Item) -> Pairs {
    let t = |x: &Option<Text>, en: bool| {
        x.as_ref()
            .map(|t| if en { t.en.clone() } else { t.da.clone() })
            .unwrap_or_default()
    };
    let mut f: Pairs = vec![
        ("key".into(), i.key.clone()),
        ("text_da".into(), i.text.da.clone()),
        ("text_en".into(), i.text.en.clone()),
        ("help_da".into(), t(&i.help, false)),
        ("help_en".into(), t(&i.help, true)),
        ("criteria_da".into(), t(&i.criteria, false)),
        ("criteria_en".into(), t(&i.criteria, true)),
        ("scale".into(), i.scale.clone()),
        (
            "bearing".into(),
            i.bearing.map(|b| b.code().to_owned()).unwrap_or_default(),
        ),
        ("kind".into(), i.kind.code().into()),
        ("source".into(), i.source.clone().unwrap_or_default()),
        (
            "legal_refs".into(),
            i.legal_refs
                .iter()
                .map(|r| match &r.law_version {
                    Some(v) => format!("{} ({v})", r.display()),
                    None => r.display(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ];
    for c in &i.compliant {
        f.push(("compliant".into(), c.clone()));
    }
    for c in &i.remark_required_on {
        f.push(("remark_on".into(), c.clone()));
    }
    rule_pairs(i.rule.as_ref(), &mut f);
    f
}

fn section_pairs(s: &tilsyn_domain::template::Section) -> Pairs {
    let mut f: Pairs = vec![
        ("key".into(), s.key.clone()),
        ("kind".into(), s.kind.code().into()),
        ("title_da".into(), s.title.da.clone()),
        ("title_en".into(), s.title.en.clone()),
        (
            "intro_da".into(),
            s.intro.as_ref().map(|t| t.da.clone()).unwrap_or_default(),
        ),
        (
            "intro_en".into(),
            s.intro.as_ref().map(|t| t.en.clone()).unwrap_or_default(),
        ),
    ];
    rule_pairs(s.rule.as_ref(), &mut f);
    f
}

async fn item_or_section_page(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    n: i32,
    op: &str,
    form: &Pairs,
    errors: Vec<String>,
) -> AppResult<ItemFormPage> {
    let tr = ctx.tr();
    let v = state.store.template_version(key, Some(n)).await?;
    if !v.meta.editable() {
        return Err(AppError::Conflict(if v.meta.locked {
            "err-tpl-locked"
        } else {
            "err-tpl-not-draft"
        }));
    }
    let c = &v.content;
    let f: BTreeMap<String, String> = form
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "compliant" | "remark_on" | "rule_case_type"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let scale_key = get(form, "scale");
    let compliant = all(form, "compliant");
    let remark = all(form, "remark_on");
    let points = c
        .scale(scale_key)
        .map(|s| {
            s.points
                .iter()
                .map(|p| PointOpt {
                    code: p.code.clone(),
                    label: p.label.get(en(tr)).to_owned(),
                    compliant: compliant.contains(&p.code.as_str()),
                    remark: remark.contains(&p.code.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let chosen_types = all(form, "rule_case_type");
    let mut case_types: Vec<(String, bool)> = PREVIEW_CASE_TYPES
        .iter()
        .map(|t| (t.to_string(), chosen_types.contains(t)))
        .collect();
    for t in &chosen_types {
        if !PREVIEW_CASE_TYPES.contains(t) {
            case_types.push((t.to_string(), true));
        }
    }
    // Only items before this one may be read by its rule.
    let this = get(form, "original");
    let answer_item = get(form, "rule_answer_item");
    let earlier_items = c
        .items()
        .iter()
        .take_while(|p| this.is_empty() || p.item.key != this)
        .filter(|p| c.scale(&p.item.scale).is_some_and(|s| s.kind.has_points()))
        .map(|p| (p.item.key.clone(), p.item.key == answer_item))
        .collect();
    let title_key = match (op, this.is_empty()) {
        ("item", true) => "template-item-new",
        ("item", false) => "template-item-edit",
        (_, true) => "template-section-new",
        _ => "template-section-edit",
    };
    Ok(ItemFormPage {
        c: Chrome::new(ctx, title_key),
        errors,
        base: version_path(key, n),
        op: op.to_owned(),
        original: this.to_owned(),
        container: if op == "item" {
            get(form, "section").to_owned()
        } else {
            get(form, "parent").to_owned()
        },
        scales: c
            .scales
            .iter()
            .map(|s| {
                (
                    s.key.clone(),
                    s.label.get(en(tr)).to_owned(),
                    s.key == scale_key,
                )
            })
            .collect(),
        points,
        bearings: Bearing::ALL
            .iter()
            .map(|b| {
                (
                    b.code().to_owned(),
                    tr.t(&b.label_key()),
                    get(form, "bearing") == b.code(),
                )
            })
            .collect(),
        section_kinds: SectionKind::ALL
            .iter()
            .map(|k| {
                (
                    k.code().to_owned(),
                    tr.t(&k.label_key()),
                    get(form, "kind") == k.code(),
                )
            })
            .collect(),
        case_types,
        earlier_items,
        rule_json: get(form, "rule_json").to_owned(),
        theme_spot: get(form, "kind") == "theme_spot",
        invalid: vec![],
        f,
    })
}

/// Theme spots (temanedslag) across published templates, for choosing a round's rotation.
#[derive(Template)]
#[template(path = "theme_spots.html")]
struct ThemeSpotsPage {
    c: Chrome,
    hits: Vec<ItemHit>,
}

pub async fn list_theme_spots(ctx: Ctx, State(state): State<AppState>) -> AppResult<Response> {
    ctx.authorize(&Action::ViewTemplates).await?;
    let hits = state
        .store
        .search_items(&ItemQuery {
            theme_spots_only: true,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|h| h.status == VersionStatus::Published)
        .collect();
    Ok(render(&ThemeSpotsPage {
        c: Chrome::new(&ctx, "theme-spots-title"),
        hits,
    }))
}
