//! Learning audits as pages: the list and a new audit, an audit's overview with its setup
//! (organisations, panel, material), a participant's preparation, the meeting (tally,
//! reflections, minutes, attention points), the follow-up plan and the report.

use super::actions::{ActionLine, line};
use super::rounds::{dk, today};
use super::templates::{Pairs, get};
use super::{Chrome, FieldMsg, OkQuery, PageForm, notice, render, see_other};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::learning_audits::{self as uc, AuditInput, MaterialInput, MeetingData, PlanInput};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use tilsyn_domain::learning_audit::{
    self as la, AuditAccess, DEFAULT_QUESTIONS_DA, IndicatorMinutes, MaterialKind, Nomination,
    PanelRole,
};
use tilsyn_domain::policy::Action as Can;
use tilsyn_store::learning_audits::LearningAudit;
use uuid::Uuid;

/// What a refused form gave, so the page shows it again in the form it came from.
#[derive(Default)]
pub struct Entered {
    pub form: String,
    pub values: Pairs,
}

impl Entered {
    fn of(form: &str, values: &Pairs) -> Entered {
        Entered {
            form: form.to_owned(),
            values: values.clone(),
        }
    }

    /// The value typed into `field` of form `form`, or `default` for any other form.
    pub fn v<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        if self.form == form {
            get(&self.values, field)
        } else {
            default
        }
    }

    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }
}

/// Messages that name their field ("Titel: Udfyld feltet."), linked to the field's id:
/// (field, label key, id) for each field of the form.
fn labelled(
    tr: Tr,
    p: &tilsyn_domain::Problem,
    fields: &[(&str, &str, &'static str)],
) -> Vec<FieldMsg> {
    p.0.iter()
        .map(|e| match fields.iter().find(|(f, _, _)| *f == e.field) {
            Some((_, label, id)) => FieldMsg {
                field: (*id).into(),
                message: format!("{}: {}", tr.t(label), tr.t(e.key)),
            },
            None => FieldMsg {
                field: e.field.into(),
                message: tr.t(e.key),
            },
        })
        .collect()
}

const NEW_AUDIT_FIELDS: [(&str, &str, &str); 7] = [
    ("code", "la-code", "code"),
    ("title", "la-audit-title", "title"),
    ("theme", "la-theme", "theme"),
    ("purpose", "la-purpose", "purpose"),
    ("indicators", "la-indicators", "indicators"),
    ("reasons", "la-indicators", "reasons"),
    ("questions", "la-questions", "questions"),
];
const ORG_FIELDS: [(&str, &str, &str); 1] = [("name", "la-organisation-new", "name")];
const MEMBER_FIELDS: [(&str, &str, &str); 3] = [
    ("user", "la-member-username", "user"),
    ("organisation", "la-organisation", "organisation"),
    ("role", "la-role", "role"),
];
/// The material form's ids differ from the member form's on the same page.
const MATERIAL_FIELDS: [(&str, &str, &str); 6] = [
    ("organisation", "la-organisation", "m-organisation"),
    ("title", "la-material-title", "m-title"),
    ("kind", "la-kind", "m-kind"),
    ("file", "la-material-file", "file"),
    ("reference", "la-material-reference", "reference"),
    ("only_indicator", "la-material-only", "only_indicator"),
];
const PLAN_FIELDS: [(&str, &str, &str); 4] = [
    ("description", "action-description", "description"),
    ("owner", "action-owner", "owner"),
    ("due", "action-due", "due"),
    ("indicator", "la-plan-indicator", "indicator"),
];

fn lang_of(ctx: &Ctx) -> Lang {
    ctx.lang
}

fn indicator_text(code: &str, en: bool) -> String {
    la::QUALITY_MODEL
        .indicator(code)
        .map_or(String::new(), |i| if en { i.en } else { i.da }.to_owned())
}

fn theme_name(n: u8, en: bool) -> String {
    la::QUALITY_MODEL.theme(n).map_or(n.to_string(), |t| {
        format!("{}. {}", t.number, if en { t.en } else { t.da })
    })
}

/// The tabs every audit page shows.
pub struct AuditNav {
    pub code: String,
    pub current: &'static str,
    pub access: AuditAccess,
}

impl AuditNav {
    fn new(a: &LearningAudit, access: AuditAccess, current: &'static str) -> AuditNav {
        AuditNav {
            code: a.code.clone(),
            current,
            access,
        }
    }
}

// ---------------------------------------------------------------- list and new

pub struct AuditRow {
    pub code: String,
    pub title: String,
    pub theme: String,
    pub members: i64,
    pub created: String,
}

#[derive(Template)]
#[template(path = "learning_audits.html")]
struct ListPage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    audits: Vec<AuditRow>,
    can_create: bool,
    /// (code, text, included, reason)
    indicators: Vec<(String, String, bool, String)>,
    themes: Vec<(u8, String)>,
    e: Entered,
    questions: String,
}

impl ListPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

pub async fn list_audits(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    list_page(&state, &ctx, q.ok.as_deref(), vec![], Entered::default()).await
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    e: Entered,
) -> AppResult<Response> {
    let en = lang_of(ctx) == Lang::En;
    let audits = uc::list(&state.store, ctx).await?;
    let can_create = ctx.can(&Can::LeadLearningAudits);
    let theme: u8 = e.v("new", "theme", "5").parse().unwrap_or(5);
    let indicators = la::QUALITY_MODEL
        .theme(theme)
        .or(la::QUALITY_MODEL.theme(5))
        .map(|t| {
            t.indicators
                .iter()
                .map(|i| {
                    let included = if e.is("new") {
                        e.values.iter().any(|(k, v)| k == "included" && v == i.code)
                    } else {
                        true
                    };
                    let reason = e.v("new", &format!("reason-{}", i.code), "").to_owned();
                    (
                        i.code.to_owned(),
                        if en { i.en } else { i.da }.to_owned(),
                        included,
                        reason,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let default_questions = DEFAULT_QUESTIONS_DA.join("\n");
    let questions = e.v("new", "questions", &default_questions).to_owned();
    Ok(render(&ListPage {
        c: Chrome::new(ctx, "la-title"),
        notice: notice(ctx.tr(), ok),
        errors,
        audits: audits
            .into_iter()
            .map(|a| AuditRow {
                theme: theme_name(a.theme, en),
                code: a.code,
                title: a.title,
                members: a.members,
                created: dk(a.created_at.date_naive()),
            })
            .collect(),
        can_create,
        indicators,
        themes: la::QUALITY_MODEL
            .themes
            .iter()
            .filter(|t| !t.indicators.is_empty())
            .map(|t| (t.number, theme_name(t.number, en)))
            .collect(),
        e,
        questions,
    }))
}

pub async fn create_audit(
    ctx: Ctx,
    State(state): State<AppState>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let input = AuditInput {
        code: get(&p, "code").to_owned(),
        title: get(&p, "title").to_owned(),
        theme: get(&p, "theme").to_owned(),
        purpose: get(&p, "purpose").to_owned(),
        included: p
            .iter()
            .filter(|(k, _)| k == "included")
            .map(|(_, v)| v.clone())
            .collect(),
        reasons: p
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("reason-")?.to_owned(), v.clone())))
            .collect::<BTreeMap<_, _>>(),
        questions: get(&p, "questions").to_owned(),
    };
    match uc::create(&state.store, &ctx, input).await {
        Ok(code) => Ok(see_other(
            &format!("/learning-audits/{}", urlencoding::encode(&code)),
            "la-audit-created",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = labelled(ctx.tr(), &problem, &NEW_AUDIT_FIELDS);
            list_page(&state, &ctx, None, errors, Entered::of("new", &p)).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- overview and setup

pub struct MemberLine {
    pub name: String,
    pub role: String,
}

pub struct OrgBlock {
    pub name: String,
    pub members: Vec<MemberLine>,
}

pub struct MaterialLine {
    pub id: Uuid,
    pub title: String,
    pub organisation: String,
    pub kind: String,
    pub only: String,
    pub file: Option<String>,
    pub size: String,
    pub reference: String,
}

pub struct IndicatorLine {
    pub code: String,
    pub text: String,
    pub included: bool,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "learning_audit.html")]
struct OverviewPage {
    c: Chrome,
    nav: AuditNav,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    theme: String,
    framework: String,
    purpose: String,
    questions: Vec<String>,
    indicators: Vec<IndicatorLine>,
    panel: Vec<OrgBlock>,
    materials: Vec<MaterialLine>,
    organisations: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    included: Vec<String>,
    max_mb: usize,
    e: Entered,
}

impl OverviewPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

fn size_text(bytes: Option<i64>) -> String {
    match bytes {
        Some(b) if b >= 1024 * 1024 => {
            format!("{:.1} MB", b as f64 / 1_048_576.0).replace('.', ",")
        }
        Some(b) => format!("{} kB", (b + 1023) / 1024),
        None => String::new(),
    }
}

fn panel_blocks(a: &LearningAudit, tr: Tr) -> Vec<OrgBlock> {
    let role = |r: PanelRole| tr.t(&format!("la-role-{}", r.code()));
    let mut out = vec![];
    let outside: Vec<MemberLine> = a
        .members
        .iter()
        .filter(|m| m.organisation.is_none())
        .map(|m| MemberLine {
            name: m.name.clone(),
            role: role(m.role),
        })
        .collect();
    if !outside.is_empty() {
        out.push(OrgBlock {
            name: tr.t("la-panel-leading"),
            members: outside,
        });
    }
    for o in &a.organisations {
        out.push(OrgBlock {
            name: o.name.clone(),
            members: a
                .members
                .iter()
                .filter(|m| m.organisation == Some(o.id))
                .map(|m| MemberLine {
                    name: m.name.clone(),
                    role: role(m.role),
                })
                .collect(),
        });
    }
    out
}

fn material_lines(a: &LearningAudit, tr: Tr) -> Vec<MaterialLine> {
    a.materials
        .iter()
        .map(|m| MaterialLine {
            id: m.id,
            title: m.title.clone(),
            organisation: a.organisation_name(Some(m.organisation)).to_owned(),
            kind: tr.t(&format!("la-kind-{}", m.kind.code())),
            only: m
                .only_indicator
                .as_deref()
                .map(|o| tr.t1("la-only-indicator", "indicator", o))
                .unwrap_or_default(),
            file: m.file_name.clone(),
            size: size_text(m.size),
            reference: m.reference.clone(),
        })
        .collect()
}

pub async fn show_audit(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    overview(
        &state,
        &ctx,
        &code,
        q.ok.as_deref(),
        vec![],
        Entered::default(),
    )
    .await
}

async fn overview(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    e: Entered,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let en = lang_of(ctx) == Lang::En;
    let (a, access) = uc::open(&state.store, ctx, code).await?;
    Ok(render(&OverviewPage {
        c: Chrome::new(ctx, "la-title").with_title(format!("{} {}", a.code, a.title)),
        notice: notice(tr, ok),
        errors,
        theme: theme_name(a.theme, en),
        framework: la::framework(&a.framework).map_or(a.framework.clone(), |f| f.name.to_owned()),
        purpose: a.purpose.clone(),
        questions: a.questions.clone(),
        indicators: a
            .indicators
            .iter()
            .map(|i| IndicatorLine {
                code: i.code.clone(),
                text: indicator_text(&i.code, en),
                included: i.included,
                reason: i.reason.clone(),
            })
            .collect(),
        panel: panel_blocks(&a, tr),
        materials: material_lines(&a, tr),
        organisations: a
            .organisations
            .iter()
            .map(|o| (o.id.to_string(), o.name.clone()))
            .collect(),
        roles: PanelRole::ALL
            .iter()
            .map(|r| (r.code().to_owned(), tr.t(&format!("la-role-{}", r.code()))))
            .collect(),
        kinds: MaterialKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), tr.t(&format!("la-kind-{}", k.code()))))
            .collect(),
        included: a.included().iter().map(|s| (*s).to_owned()).collect(),
        max_mb: la::MAX_MATERIAL_BYTES / (1024 * 1024),
        nav: AuditNav::new(&a, access, "overview"),
        e,
    }))
}

pub async fn add_organisation(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    match uc::add_organisation(&state.store, &ctx, &code, get(&p, "name")).await {
        Ok(()) => Ok(see_other(
            &audit_path(&code, "#setup"),
            "la-organisation-added",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = labelled(ctx.tr(), &problem, &ORG_FIELDS);
            overview(&state, &ctx, &code, None, errors, Entered::of("org", &p)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn set_member(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let r = uc::set_member(
        &state.store,
        &ctx,
        &code,
        get(&p, "user"),
        get(&p, "organisation"),
        get(&p, "role"),
    )
    .await;
    match r {
        Ok(()) => Ok(see_other(&audit_path(&code, "#setup"), "la-member-saved")),
        Err(AppError::Invalid(problem)) => {
            let errors = labelled(ctx.tr(), &problem, &MEMBER_FIELDS);
            overview(&state, &ctx, &code, None, errors, Entered::of("member", &p)).await
        }
        Err(e) => Err(e),
    }
}

/// Receives a material (multipart: the fields and an optional file).
pub async fn add_material(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    mut form: Multipart,
) -> AppResult<Response> {
    // Who may add material is checked before a byte of the file is read.
    uc::may_add_material(&state.store, &ctx, &code).await?;
    let mut p: Pairs = vec![];
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                too_large = true;
                break;
            }
            Err(_) => return Err(AppError::BadRequest),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let mut field = field;
            let mut bytes: Vec<u8> = Vec::new();
            // Read in chunks and stop just past the limit: nothing larger is held in memory.
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        bytes.extend_from_slice(&c);
                        if bytes.len() > la::MAX_MATERIAL_BYTES {
                            too_large = true;
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        too_large = true;
                        break;
                    }
                    Err(_) => return Err(AppError::BadRequest),
                }
            }
            if too_large {
                break;
            }
            if !file_name.is_empty() && !bytes.is_empty() {
                file = Some((file_name, bytes));
            }
        } else if let Ok(v) = field.text().await {
            p.push((name, v));
        }
    }
    if too_large {
        let errors = labelled(
            ctx.tr(),
            &tilsyn_domain::Problem::one("file", "la-file-large"),
            &MATERIAL_FIELDS,
        );
        return overview(
            &state,
            &ctx,
            &code,
            None,
            errors,
            Entered::of("material", &p),
        )
        .await;
    }
    let input = MaterialInput {
        organisation: get(&p, "organisation").to_owned(),
        title: get(&p, "title").to_owned(),
        kind: get(&p, "kind").to_owned(),
        reference: get(&p, "reference").to_owned(),
        only_indicator: get(&p, "only_indicator").to_owned(),
        file,
    };
    match uc::add_material(&state.store, &ctx, &code, input).await {
        Ok(_) => Ok(see_other(
            &audit_path(&code, "#material"),
            "la-material-added",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = labelled(ctx.tr(), &problem, &MATERIAL_FIELDS);
            overview(
                &state,
                &ctx,
                &code,
                None,
                errors,
                Entered::of("material", &p),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn download_material(
    ctx: Ctx,
    State(state): State<AppState>,
    Path((code, id)): Path<(String, Uuid)>,
) -> AppResult<Response> {
    let f = uc::material_file(&state.store, &ctx, &code, id).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        f.file_name
            .replace(|c: char| !c.is_ascii_graphic() && c != ' ', "_"),
        urlencoding::encode(&f.file_name)
    );
    let mut res = f.bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&f.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

fn audit_path(code: &str, rest: &str) -> String {
    format!("/learning-audits/{}{rest}", urlencoding::encode(code))
}

// ---------------------------------------------------------------- preparation

pub struct NominationForm {
    pub indicator: String,
    pub text: String,
    /// (id, label)
    pub materials: Vec<(String, String)>,
    pub material: String,
    pub excerpt: String,
    /// (field, question, answer)
    pub answers: Vec<(&'static str, String, String)>,
    pub saved: bool,
}

#[derive(Template)]
#[template(path = "learning_audit_preparation.html")]
struct PreparationPage {
    c: Chrome,
    nav: AuditNav,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    /// The indicator whose form was refused (its errors show there).
    failed: String,
    forms: Vec<NominationForm>,
    done: usize,
}

impl PreparationPage {
    fn err(&self, indicator: &str, field: &str) -> Option<&str> {
        if self.failed == indicator {
            super::err_for(&self.errors, field)
        } else {
            None
        }
    }
}

pub async fn show_preparation(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    preparation(
        &state,
        &ctx,
        &code,
        q.ok.as_deref(),
        vec![],
        Entered::default(),
    )
    .await
}

async fn preparation(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    e: Entered,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let en = lang_of(ctx) == Lang::En;
    let (a, access) = uc::open(&state.store, ctx, code).await?;
    if !access.nominate {
        return Err(crate::rounds::deny(&state.store, ctx, "nominate").await);
    }
    let me = ctx.signed_in()?.user.id;
    let mine: Vec<Nomination> = state
        .store
        .audit_nominations(a.id)
        .await?
        .into_iter()
        .filter(|n| n.user == me)
        .map(|n| n.nomination)
        .collect();
    let forms: Vec<NominationForm> = a
        .included()
        .into_iter()
        .map(|ind| {
            let saved = mine.iter().find(|n| n.indicator == ind);
            let form = format!("nom-{ind}");
            let typed = e.is(&form);
            let pick = |field: &str, stored: String| {
                if typed {
                    e.v(&form, field, "").to_owned()
                } else {
                    stored
                }
            };
            NominationForm {
                indicator: ind.to_owned(),
                text: indicator_text(ind, en),
                materials: uc::materials_for(&a, ind)
                    .into_iter()
                    .map(|m| {
                        (
                            m.id.to_string(),
                            format!(
                                "{} ({})",
                                m.title,
                                a.organisation_name(Some(m.organisation))
                            ),
                        )
                    })
                    .collect(),
                material: pick(
                    "material",
                    saved
                        .and_then(|n| n.material)
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                ),
                excerpt: pick(
                    "excerpt",
                    saved.map(|n| n.excerpt.clone()).unwrap_or_default(),
                ),
                answers: a
                    .questions
                    .iter()
                    .enumerate()
                    .take(la::MAX_QUESTIONS)
                    .map(|(i, q)| {
                        let field = la::ANSWER_FIELDS[i];
                        (
                            field,
                            q.clone(),
                            pick(
                                field,
                                saved
                                    .and_then(|n| n.answers.get(i).cloned())
                                    .unwrap_or_default(),
                            ),
                        )
                    })
                    .collect(),
                saved: saved.is_some(),
            }
        })
        .collect();
    let failed = e.form.strip_prefix("nom-").unwrap_or("").to_owned();
    Ok(render(&PreparationPage {
        c: Chrome::new(ctx, "la-preparation").with_title(format!(
            "{}: {} {}",
            tr.t("la-preparation"),
            a.code,
            a.title
        )),
        nav: AuditNav::new(&a, access, "preparation"),
        notice: notice(tr, ok),
        errors,
        failed,
        done: forms.iter().filter(|f| f.saved).count(),
        forms,
    }))
}

pub async fn save_nomination(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let indicator = get(&p, "indicator").to_owned();
    let n = Nomination {
        indicator: indicator.clone(),
        material: Uuid::parse_str(get(&p, "material")).ok(),
        excerpt: get(&p, "excerpt").to_owned(),
        answers: la::ANSWER_FIELDS
            .iter()
            .map(|f| get(&p, f).to_owned())
            .collect(),
    };
    match uc::save_nomination(&state.store, &ctx, &code, n).await {
        Ok(()) => Ok(see_other(
            &audit_path(&code, &format!("/preparation#ind-{indicator}")),
            "la-nomination-saved",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = prefixed(ctx.tr(), &problem, &indicator);
            let form = format!("nom-{indicator}");
            preparation(&state, &ctx, &code, None, errors, Entered::of(&form, &p)).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- meeting

/// One participant's reflections on a nominated example.
pub struct Reflection {
    pub who: String,
    pub excerpt: String,
    /// (question, answer)
    pub answers: Vec<(String, String)>,
}

pub struct ExampleBlock {
    pub title: String,
    pub organisation: String,
    pub count: usize,
    pub reflections: Vec<Reflection>,
}

pub struct HeadingBlock {
    pub heading: String,
    pub points: Vec<String>,
}

pub struct IndicatorBlock {
    pub code: String,
    pub text: String,
    pub nominations: usize,
    pub examples: Vec<ExampleBlock>,
    pub notes: String,
    pub recommendation: String,
    pub version: i64,
    pub updated_by: String,
    pub points: Vec<HeadingBlock>,
}

#[derive(Template)]
#[template(path = "learning_audit_meeting.html")]
struct MeetingPage {
    c: Chrome,
    nav: AuditNav,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    failed: String,
    blocks: Vec<IndicatorBlock>,
    nominators: usize,
    expected: usize,
    headings: Vec<String>,
    e: Entered,
}

impl MeetingPage {
    fn err(&self, indicator: &str, field: &str) -> Option<&str> {
        if self.failed == indicator {
            super::err_for(&self.errors, field)
        } else {
            None
        }
    }

    fn typed<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        self.e.v(form, field, default)
    }
}

pub async fn show_meeting(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    meeting(
        &state,
        &ctx,
        &code,
        q.ok.as_deref(),
        vec![],
        Entered::default(),
    )
    .await
}

async fn meeting(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    e: Entered,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let en = lang_of(ctx) == Lang::En;
    let (a, access) = uc::open(&state.store, ctx, code).await?;
    let MeetingData {
        nominations,
        tally,
        points,
    } = uc::meeting_data(&state.store, &a).await?;
    let blocks = a
        .indicators
        .iter()
        .filter(|i| i.included)
        .map(|i| {
            let rows = tally.get(&i.code).cloned().unwrap_or_default();
            let examples = rows
                .iter()
                .filter_map(|r| {
                    let m = a.materials.iter().find(|m| m.id == r.material)?;
                    Some(ExampleBlock {
                        title: m.title.clone(),
                        organisation: a.organisation_name(Some(m.organisation)).to_owned(),
                        count: r.count,
                        reflections: nominations
                            .iter()
                            .filter(|n| {
                                n.nomination.indicator == i.code
                                    && n.nomination.material == Some(m.id)
                            })
                            .map(|n| Reflection {
                                who: n.user_name.clone(),
                                excerpt: n.nomination.excerpt.clone(),
                                answers: a
                                    .questions
                                    .iter()
                                    .cloned()
                                    .zip(n.nomination.answers.iter().cloned())
                                    .collect(),
                            })
                            .collect(),
                    })
                })
                .collect();
            let mine: Vec<(String, String)> = points
                .iter()
                .filter(|p| p.indicator == i.code)
                .map(|p| (p.heading.clone(), p.point.clone()))
                .collect();
            IndicatorBlock {
                code: i.code.clone(),
                text: indicator_text(&i.code, en),
                nominations: rows.iter().map(|r| r.count).sum(),
                examples,
                notes: i.notes.clone(),
                recommendation: i.recommendation.clone(),
                version: i.version,
                updated_by: i.updated_by_name.clone().unwrap_or_default(),
                points: la::group_points(&mine)
                    .into_iter()
                    .map(|(heading, points)| HeadingBlock { heading, points })
                    .collect(),
            }
        })
        .collect();
    let mut nominators: Vec<_> = nominations.iter().map(|n| n.user).collect();
    nominators.sort();
    nominators.dedup();
    let mut headings: Vec<String> = points.iter().map(|p| p.heading.clone()).collect();
    headings.sort();
    headings.dedup();
    let failed = e
        .form
        .strip_prefix("min-")
        .or_else(|| e.form.strip_prefix("pt-"))
        .unwrap_or("")
        .to_owned();
    Ok(render(&MeetingPage {
        c: Chrome::new(ctx, "la-meeting").with_title(format!(
            "{}: {} {}",
            tr.t("la-meeting"),
            a.code,
            a.title
        )),
        nav: AuditNav::new(&a, access, "meeting"),
        notice: notice(tr, ok),
        errors,
        failed,
        blocks,
        nominators: nominators.len(),
        expected: a.members.iter().filter(|m| m.role.nominates()).count(),
        headings,
        e,
    }))
}

/// A form's messages for one indicator's form: the field ids carry the indicator, and each
/// message says which indicator and field it is about ("8.a, spørgsmål 2: Udfyld feltet."),
/// since the page has one such form per indicator.
fn prefixed(tr: Tr, problem: &tilsyn_domain::Problem, indicator: &str) -> Vec<FieldMsg> {
    problem
        .0
        .iter()
        .map(|e| {
            let label = match e.field {
                "material" => tr.t("la-best-example"),
                "excerpt" => tr.t("la-excerpt"),
                "notes" => tr.t("la-notes"),
                "recommendation" => tr.t("la-recommendation"),
                "heading" => tr.t("la-attention-heading"),
                "point" => tr.t("la-attention-point"),
                f => match f.strip_prefix("answer") {
                    Some(n) => tr.t1("la-question-n", "n", n),
                    None => String::new(),
                },
            };
            let place = if label.is_empty() {
                indicator.to_owned()
            } else {
                format!("{indicator}, {}", label.to_lowercase())
            };
            FieldMsg {
                field: format!("{}-{indicator}", e.field).into(),
                message: format!("{place}: {}", tr.t(e.key)),
            }
        })
        .collect()
}

pub async fn save_minutes(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let indicator = get(&p, "indicator").to_owned();
    let version = get(&p, "version").parse::<i64>().unwrap_or(-1);
    let m = IndicatorMinutes {
        notes: get(&p, "notes").to_owned(),
        recommendation: get(&p, "recommendation").to_owned(),
    };
    let form = format!("min-{indicator}");
    match uc::save_minutes(&state.store, &ctx, &code, &indicator, version, m).await {
        Ok(()) => Ok(see_other(
            &audit_path(&code, &format!("/meeting#ind-{indicator}")),
            "la-minutes-saved",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = prefixed(ctx.tr(), &problem, &indicator);
            meeting(&state, &ctx, &code, None, errors, Entered::of(&form, &p)).await
        }
        Err(AppError::Conflict(key)) => {
            let errors = vec![FieldMsg {
                field: format!("notes-{indicator}").into(),
                message: ctx.tr().t(key),
            }];
            meeting(&state, &ctx, &code, None, errors, Entered::of(&form, &p)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_point(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let indicator = get(&p, "indicator").to_owned();
    let r = uc::add_point(
        &state.store,
        &ctx,
        &code,
        &indicator,
        get(&p, "heading"),
        get(&p, "point"),
    )
    .await;
    match r {
        Ok(()) => Ok(see_other(
            &audit_path(&code, &format!("/meeting#ind-{indicator}")),
            "la-point-added",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = prefixed(ctx.tr(), &problem, &indicator);
            let form = format!("pt-{indicator}");
            meeting(&state, &ctx, &code, None, errors, Entered::of(&form, &p)).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- follow-up plan and report

#[derive(Template)]
#[template(path = "learning_audit_plan.html")]
struct PlanPage {
    c: Chrome,
    nav: AuditNav,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    action_rows: Vec<ActionLine>,
    owners: Vec<(String, String)>,
    indicators: Vec<(String, String)>,
    e: Entered,
}

impl PlanPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

pub async fn show_plan(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    plan(
        &state,
        &ctx,
        &code,
        q.ok.as_deref(),
        vec![],
        Entered::default(),
    )
    .await
}

async fn plan(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    e: Entered,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let en = lang_of(ctx) == Lang::En;
    let (a, access) = uc::open(&state.store, ctx, code).await?;
    let today = today();
    let actions = uc::follow_up(&state.store, &a).await?;
    let action_rows = actions
        .iter()
        .map(|x| {
            let links = if x.links.recommendation.is_empty() {
                String::new()
            } else {
                tr.t1(
                    "la-plan-recommendation-of",
                    "indicator",
                    &x.links.recommendation,
                )
            };
            line(tr, x, links, today)
        })
        .collect();
    let mut owners: Vec<(String, String)> = a
        .members
        .iter()
        .map(|m| (m.user.0.to_string(), m.name.clone()))
        .collect();
    owners.sort_by(|x, y| x.1.cmp(&y.1));
    Ok(render(&PlanPage {
        c: Chrome::new(ctx, "la-plan").with_title(format!(
            "{}: {} {}",
            tr.t("la-plan"),
            a.code,
            a.title
        )),
        nav: AuditNav::new(&a, access, "plan"),
        notice: notice(tr, ok),
        errors,
        action_rows,
        owners,
        indicators: a
            .included()
            .iter()
            .map(|c| ((*c).to_owned(), format!("{c} {}", indicator_text(c, en))))
            .collect(),
        e,
    }))
}

pub async fn add_plan_action(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let input = PlanInput {
        description: get(&p, "description").to_owned(),
        owner: get(&p, "owner").to_owned(),
        due: get(&p, "due").to_owned(),
        indicator: get(&p, "indicator").to_owned(),
    };
    match uc::add_plan_action(&state.store, &ctx, &code, input, today()).await {
        Ok(_) => Ok(see_other(
            &audit_path(&code, "/follow-up"),
            "action-created",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = labelled(ctx.tr(), &problem, &PLAN_FIELDS);
            plan(&state, &ctx, &code, None, errors, Entered::of("plan", &p)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn report_pdf(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let (a, _) = uc::open(&state.store, &ctx, &code).await?;
    let who = ctx.signed_in()?;
    let issuer = super::results::municipality(&state).await?;
    let report = uc::report(
        &state.store,
        &a,
        lang_of(&ctx),
        &who.user.full_name,
        &issuer,
        today(),
    )
    .await?;
    let bytes =
        tilsyn_reports::pdf::audit_pdf(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    state.store.log_audit_report(&ctx.actor(), a.id).await?;
    let name = format!("laerende-audit-{}.pdf", a.code);
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
