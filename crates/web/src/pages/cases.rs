//! The case register: upload an extract, confirm its column mapping, see the check report and
//! confirm the import; browse the cases one may see; draw a sample and read why each stratum
//! got what it got. Every page that shows case-level data writes a read to the audit log.

use super::templates::{Pairs, all, get};
use super::{Chrome, FieldMsg, OkQuery, PageForm, notice, render, render_status, see_other};
use crate::case_import::{ImportError, ImportRequest, import_cases};
use crate::ctx::{Ctx, SignedIn};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use tilsyn_domain::audit::{AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::cases::{CaseField, CaseTypeCatalog};
use tilsyn_domain::policy::{Action, CaseScope, case_scope};
use tilsyn_domain::sampling::{
    Allocation, RoundSize, Sample, SampleFrame, SampleSpec, Strata, StratumDimension, draw_levels,
    size_warnings,
};
use tilsyn_intake::{IntakeError, Mapping, Options, Source, TextEncoding, suggest_mapping};
use tilsyn_store::cases::{CaseQuery, ImportCounts};
use tilsyn_store::samples::register_fingerprint;
use uuid::Uuid;

const PER_PAGE: u32 = 50;
const SOURCE_SYSTEMS: [&str; 4] = ["DUBU", "Nexus", "DXC", "SBSYS"];

fn scope_of(me: &SignedIn) -> CaseScope {
    case_scope(&me.subject, &me.tree)
}

fn scope_units(scope: &CaseScope) -> Option<Vec<String>> {
    (!scope.everything).then(|| scope.units.iter().cloned().collect())
}

async fn log_read(
    state: &AppState,
    ctx: &Ctx,
    action: AuditAction,
    id: Option<String>,
    details: Vec<(&'static str, String)>,
) -> AppResult<()> {
    state
        .store
        .record_event(
            &ctx.actor(),
            NewAuditEvent {
                action,
                resource_kind: if action == AuditAction::SampleViewed {
                    "sample"
                } else {
                    "case"
                },
                resource_id: id,
                outcome: Outcome::Success,
                details,
            },
        )
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The register
// ---------------------------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
pub struct RegisterQuery {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    case_type: String,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    ok: Option<String>,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct RegisterPage {
    c: Chrome,
    notice: Option<String>,
    q: String,
    types: Vec<Opt>,
    rows: Vec<tilsyn_store::cases::RegisterRow>,
    showing: String,
    prev: Option<String>,
    next: Option<String>,
    scope_note: String,
    imports: Vec<ImportLine>,
    can_import: bool,
    can_sample: bool,
}

pub struct ImportLine {
    pub when: String,
    pub text: String,
}

/// A search as the audit log may keep it: people type CPR numbers into search boxes, and the
/// log can never be changed, so CPR-shaped text (also with spaces) never reaches it.
fn searched_for(q: &str) -> String {
    let safe = tilsyn_intake::cpr::safe_text(q);
    if safe.chars().filter(char::is_ascii_digit).count() >= 10 {
        safe.chars()
            .map(|c| if c.is_ascii_digit() { 'x' } else { c })
            .collect()
    } else {
        safe
    }
}

fn page_link(q: &str, case_type: &str, page: u32) -> String {
    format!(
        "/cases?q={}&type={}&page={page}",
        urlencoding::encode(q),
        urlencoding::encode(case_type)
    )
}

pub async fn show_register(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(rq): Query<RegisterQuery>,
) -> AppResult<Response> {
    let me = ctx.authorize(&Action::ViewCases).await?;
    let tr = ctx.tr();
    let scope = scope_of(me);
    let page_no = rq.page.unwrap_or(1).max(1);
    let query = CaseQuery {
        units: scope_units(&scope),
        search: Some(rq.q.clone()).filter(|s| !s.trim().is_empty()),
        case_type: Some(rq.case_type.clone()).filter(|s| !s.is_empty()),
        page: page_no,
        per_page: PER_PAGE,
    };
    let page = state.store.list_cases(&query).await?;
    let shown: Vec<String> = page
        .rows
        .iter()
        .map(|r| format!("{}/{}", r.source, r.external_id))
        .collect();
    log_read(
        &state,
        &ctx,
        AuditAction::CasesViewed,
        None,
        vec![
            ("search", searched_for(&rq.q)),
            ("case_type", rq.case_type.clone()),
            ("page", page_no.to_string()),
            ("shown", page.rows.len().to_string()),
            // Which cases were on the screen: "who saw case X" must be answerable later.
            ("cases", shown.join(" ")),
        ],
    )
    .await?;
    let first = (i64::from(page_no) - 1) * i64::from(PER_PAGE);
    let last = first + page.rows.len() as i64;
    let mut types = vec![Opt {
        value: String::new(),
        label: tr.t("cases-all-types"),
        selected: rq.case_type.is_empty(),
    }];
    types.extend(page.case_types.iter().map(|(t, n)| Opt {
        value: t.clone(),
        label: format!("{t} ({n})"),
        selected: *t == rq.case_type,
    }));
    // An import's counts cover every unit in the file: only for those who see them all.
    let recent = if scope.everything {
        state.store.recent_imports(5).await?
    } else {
        Vec::new()
    };
    let imports = recent
        .into_iter()
        .map(|i| ImportLine {
            when: crate::usecases::danish_time(i.at),
            text: tr.targs(
                "cases-import-line",
                &[
                    ("file", i.file_name.clone()),
                    ("source", i.source.clone()),
                    ("rows", i.rows.to_string()),
                    ("new", i.new.to_string()),
                    ("changed", i.changed.to_string()),
                    ("gone", i.gone.to_string()),
                ],
            ),
        })
        .collect();
    let scope_note = if scope.everything {
        tr.t("cases-scope-all")
    } else {
        tr.t1(
            "cases-scope-units",
            "units",
            scope_display(me, &scope).join(", "),
        )
    };
    let view = RegisterPage {
        c: Chrome::new(&ctx, "cases-title"),
        notice: notice(tr, rq.ok.as_deref()),
        q: rq.q.clone(),
        types,
        showing: if page.total == 0 {
            String::new()
        } else {
            tr.targs(
                "cases-showing",
                &[
                    ("first", (first + 1).to_string()),
                    ("last", last.to_string()),
                    ("total", page.total.to_string()),
                ],
            )
        },
        prev: (page_no > 1).then(|| page_link(&rq.q, &rq.case_type, page_no - 1)),
        next: (last < page.total).then(|| page_link(&rq.q, &rq.case_type, page_no + 1)),
        rows: page.rows,
        scope_note,
        imports,
        can_import: ctx.can(&Action::ImportCases),
        can_sample: ctx.can(&Action::DrawSample),
    };
    Ok(render(&view))
}

/// The names of the units in scope as the tree spells them.
fn scope_display(me: &SignedIn, scope: &CaseScope) -> Vec<String> {
    let mut names: Vec<String> = me
        .tree
        .rows()
        .iter()
        .map(|r| r.unit.name.clone())
        .filter(|n| scope.units.contains(&n.to_lowercase()))
        .collect();
    let mut seen = BTreeSet::new();
    names.retain(|n| seen.insert(n.to_lowercase()));
    names
}

// ---------------------------------------------------------------------------------------------
// Import: upload → mapping → check → confirm
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "case_import.html")]
struct UploadPage {
    c: Chrome,
    errors: Vec<FieldMsg>,
    sources: Vec<Opt>,
    profiles: Vec<Opt>,
    encodings: Vec<Opt>,
    sheet: String,
}

async fn upload_page(
    state: &AppState,
    ctx: &Ctx,
    errors: Vec<FieldMsg>,
    source: &str,
) -> AppResult<UploadPage> {
    let tr = ctx.tr();
    let mut profiles = vec![Opt {
        value: String::new(),
        label: tr.t("import-profile-none"),
        selected: true,
    }];
    profiles.extend(
        state
            .store
            .mapping_profiles()
            .await?
            .into_iter()
            .map(|(name, src)| Opt {
                label: format!("{name} ({src})"),
                value: name,
                selected: false,
            }),
    );
    let encodings = [
        ("", "import-encoding-auto"),
        ("utf-8", "import-encoding-utf8"),
        ("windows-1252", "import-encoding-1252"),
        ("iso-8859-1", "import-encoding-latin1"),
    ]
    .into_iter()
    .map(|(v, k)| Opt {
        value: v.into(),
        label: tr.t(k),
        selected: v.is_empty(),
    })
    .collect();
    Ok(UploadPage {
        c: Chrome::new(ctx, "import-title"),
        errors,
        sources: SOURCE_SYSTEMS
            .iter()
            .map(|s| Opt {
                value: (*s).into(),
                label: (*s).into(),
                selected: *s == source,
            })
            .collect(),
        profiles,
        encodings,
        sheet: String::new(),
    })
}

pub async fn show_upload(ctx: Ctx, State(state): State<AppState>) -> AppResult<Response> {
    ctx.authorize(&Action::ImportCases).await?;
    let page = upload_page(&state, &ctx, vec![], "DUBU").await?;
    Ok(render(&page))
}

fn open_source(
    bytes: axum::body::Bytes,
    file_name: &str,
    sheet: Option<&str>,
    encoding: Option<&str>,
) -> Result<Source, IntakeError> {
    let opts = Options {
        format: Some(tilsyn_intake::Format::from_path(std::path::Path::new(
            file_name,
        ))),
        encoding: encoding.and_then(TextEncoding::from_label),
        sheet: sheet.map(str::to_owned),
        ..Options::default()
    };
    // Bytes clones share one buffer: the upload is never copied.
    let cursor = std::io::Cursor::new(bytes);
    match opts.format {
        Some(tilsyn_intake::Format::Xlsx) => Source::open_xlsx(cursor, &opts),
        _ => Source::open_csv(cursor, &opts),
    }
}

/// Receives the file, checks that it can be read at all, and holds it for the next steps.
pub async fn upload(
    ctx: Ctx,
    State(state): State<AppState>,
    mut form: Multipart,
) -> AppResult<Response> {
    let me = ctx.authorize(&Action::ImportCases).await?;
    let tr = ctx.tr();
    let (mut bytes, mut file_name) = (axum::body::Bytes::new(), String::new());
    let (mut source, mut profile, mut sheet, mut encoding) = (
        String::from("DUBU"),
        String::new(),
        String::new(),
        String::new(),
    );
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            // Only the base name, CPR-masked and short: it is stored and shown.
            let raw = field.file_name().unwrap_or("");
            let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
            file_name = tilsyn_intake::cpr::safe_text(base);
            bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    let max_mb = (tilsyn_intake::DEFAULT_MAX_SIZE / (1024 * 1024)).to_string();
                    let msg = tr.t1("intake-too-large", "max_mb", max_mb);
                    let errors = vec![FieldMsg {
                        field: "file".into(),
                        message: msg,
                    }];
                    let page = upload_page(&state, &ctx, errors, "DUBU").await?;
                    return Ok(render_status(StatusCode::PAYLOAD_TOO_LARGE, &page));
                }
                Err(_) => return Err(AppError::BadRequest),
            };
            continue;
        }
        let text = field.text().await.map_err(|_| AppError::BadRequest)?;
        match name.as_str() {
            "source" => source = text.trim().to_owned(),
            "profile" => profile = text.trim().to_owned(),
            "sheet" => sheet = text.trim().to_owned(),
            "encoding" => encoding = text.trim().to_owned(),
            _ => {}
        }
    }
    let refuse = |msg: String, source: &str| {
        let errors = vec![FieldMsg {
            field: "file".into(),
            message: msg,
        }];
        (errors, source.to_owned())
    };
    let failure = if file_name.is_empty() && bytes.is_empty() {
        Some(refuse(tr.t("import-no-file"), &source))
    } else if !SOURCE_SYSTEMS.contains(&source.as_str()) {
        Some(refuse(tr.t("import-bad-source"), "DUBU"))
    } else {
        let sheet_opt = Some(sheet.as_str()).filter(|s| !s.is_empty());
        let enc_opt = Some(encoding.as_str()).filter(|s| !s.is_empty());
        let bytes_ref = bytes.clone();
        let name = file_name.clone();
        let sheet_owned = sheet_opt.map(str::to_owned);
        let enc_owned = enc_opt.map(str::to_owned);
        let opened = tokio::task::spawn_blocking(move || {
            open_source(
                bytes_ref,
                &name,
                sheet_owned.as_deref(),
                enc_owned.as_deref(),
            )
            .map(|_| ())
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        opened
            .err()
            .map(|e| refuse(crate::case_import::intake_message(tr, &e), &source))
    };
    if let Some((errors, src)) = failure {
        let page = upload_page(&state, &ctx, errors, &src).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let token = state.uploads.put(
        me.user.id,
        file_name,
        bytes,
        source,
        Some(sheet).filter(|s| !s.is_empty()),
        Some(encoding).filter(|s| !s.is_empty()),
    );
    let q = if profile.is_empty() {
        String::new()
    } else {
        format!("?profile={}", urlencoding::encode(&profile))
    };
    Ok(Redirect::to(&format!("/cases/import/{token}{q}")).into_response())
}

pub struct FieldRow {
    pub code: &'static str,
    pub label: String,
    pub mandatory: bool,
    pub options: Vec<Opt>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "case_mapping.html")]
struct MappingPage {
    c: Chrome,
    errors: Vec<FieldMsg>,
    token: Uuid,
    file_line: String,
    fields: Vec<FieldRow>,
    extra: Vec<String>,
    profile_name: String,
}

#[derive(serde::Deserialize, Default)]
pub struct ProfileQuery {
    #[serde(default)]
    profile: String,
}

fn field_rows(
    tr: Tr,
    headers: &[String],
    mapping: &Mapping,
    problems: &[CaseField],
) -> Vec<FieldRow> {
    CaseField::ALL
        .iter()
        .map(|&f| {
            let chosen = mapping.get(f);
            let mut options = vec![Opt {
                value: String::new(),
                label: tr.t("import-column-none"),
                selected: chosen.is_none(),
            }];
            options.extend(headers.iter().map(|h| Opt {
                value: h.clone(),
                label: h.clone(),
                selected: chosen == Some(h.as_str()),
            }));
            FieldRow {
                code: f.code(),
                label: tr.t(f.label_key()),
                mandatory: f.is_mandatory(),
                options,
                error: problems.contains(&f).then(|| tr.t("import-field-required")),
            }
        })
        .collect()
}

fn file_line(tr: Tr, up: &crate::staging::Upload, source: &Source) -> String {
    let info = source.info();
    tr.targs(
        "import-file-line",
        &[
            ("file", up.file_name.clone()),
            ("source", up.source_system.clone()),
            ("size", file_size(info.file_size)),
            (
                "encoding",
                info.encoding
                    .map(|e| e.label().to_owned())
                    .or_else(|| info.sheet.clone())
                    .unwrap_or_default(),
            ),
            ("columns", source.headers().len().to_string()),
        ],
    )
}

fn file_size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} kB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    }
}

fn staged(state: &AppState, me: &SignedIn, token: Uuid) -> AppResult<crate::staging::Upload> {
    state
        .uploads
        .get(token, me.user.id)
        .ok_or(AppError::Conflict("import-upload-expired"))
}

async fn open_staged(up: &crate::staging::Upload) -> AppResult<Result<Source, IntakeError>> {
    let up = up.clone();
    tokio::task::spawn_blocking(move || {
        open_source(
            up.bytes.clone(),
            &up.file_name,
            up.sheet.as_deref(),
            up.encoding.as_deref(),
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

pub async fn show_mapping(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(token): Path<Uuid>,
    Query(pq): Query<ProfileQuery>,
) -> AppResult<Response> {
    let me = ctx.authorize(&Action::ImportCases).await?;
    let tr = ctx.tr();
    let up = staged(&state, me, token)?;
    let source = open_staged(&up)
        .await?
        .map_err(|_| AppError::Conflict("import-upload-expired"))?;
    let headers = source.headers().to_vec();
    let suggestion = suggest_mapping(&headers);
    let mapping = if pq.profile.is_empty() {
        suggestion.mapping.clone()
    } else {
        match state.store.mapping_profile(&pq.profile).await {
            Ok((_, json)) => serde_json::from_str(&json).unwrap_or(suggestion.mapping.clone()),
            Err(_) => suggestion.mapping.clone(),
        }
    };
    let page = mapping_page(
        &ctx,
        tr,
        token,
        &up,
        &source,
        &mapping,
        vec![],
        &[],
        &pq.profile,
    );
    Ok(render(&page))
}

#[allow(clippy::too_many_arguments)]
fn mapping_page(
    ctx: &Ctx,
    tr: Tr,
    token: Uuid,
    up: &crate::staging::Upload,
    source: &Source,
    mapping: &Mapping,
    errors: Vec<FieldMsg>,
    problems: &[CaseField],
    profile_name: &str,
) -> MappingPage {
    let headers = source.headers().to_vec();
    let used: BTreeSet<&str> = mapping.iter().map(|(_, h)| h).collect();
    MappingPage {
        c: Chrome::new(ctx, "import-mapping-title"),
        errors,
        token,
        file_line: file_line(tr, up, source),
        fields: field_rows(tr, &headers, mapping, problems),
        extra: headers
            .iter()
            .filter(|h| !used.contains(h.as_str()))
            .cloned()
            .collect(),
        profile_name: profile_name.to_owned(),
    }
}

/// The mapping as the form sent it: one select per field code.
fn mapping_from(form: &Pairs) -> Mapping {
    let mut m = Mapping::new();
    for f in CaseField::ALL {
        let h = get(form, &format!("map_{}", f.code()));
        if !h.is_empty() {
            m.set(f, h);
        }
    }
    m
}

#[derive(Template)]
#[template(path = "case_report.html")]
struct ReportPage {
    c: Chrome,
    token: Uuid,
    file_line: String,
    clean: bool,
    summary: String,
    counts: ImportCounts,
    /// Set when most of the register would leave: probably a partial extract.
    gone_warning: Option<String>,
    issues: Vec<IssueLine>,
    more: Option<String>,
    hidden: Vec<(String, String)>,
    profile_name: String,
}

pub struct IssueLine {
    pub line: u64,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// Reads the whole file with the confirmed mapping and shows what an import would do; writes
/// nothing.
pub async fn check(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(token): Path<Uuid>,
    PageForm(form): PageForm<Pairs>,
) -> AppResult<Response> {
    let me = ctx.authorize(&Action::ImportCases).await?;
    let tr = ctx.tr();
    let up = staged(&state, me, token)?;
    let mapping = mapping_from(&form);
    let profile_name = get(&form, "profile_name").to_owned();
    let source = match open_staged(&up).await? {
        Ok(s) => s,
        Err(_) => return Err(AppError::Conflict("import-upload-expired")),
    };
    let missing = mapping.missing_mandatory();
    if !missing.is_empty() {
        let errors = missing
            .iter()
            .map(|f| FieldMsg {
                field: f.code().into(),
                message: tr.t1("import-field-missing", "field", tr.t(f.label_key())),
            })
            .collect();
        let page = mapping_page(
            &ctx,
            tr,
            token,
            &up,
            &source,
            &mapping,
            errors,
            &missing,
            &profile_name,
        );
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    run_import(
        &state,
        &ctx,
        token,
        &up,
        source,
        mapping,
        true,
        &profile_name,
    )
    .await
}

/// Runs the import (or its dry run) and renders the report, or the mapping page again when
/// the file is refused as a whole because of the mapping.
#[allow(clippy::too_many_arguments)]
async fn run_import(
    state: &AppState,
    ctx: &Ctx,
    token: Uuid,
    up: &crate::staging::Upload,
    source: Source,
    mapping: Mapping,
    dry_run: bool,
    profile_name: &str,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let scope = scope_of(ctx.signed_in()?);
    let line = file_line(tr, up, &source);
    let req = ImportRequest {
        source_system: up.source_system.clone(),
        file_name: up.file_name.clone(),
        mapping: mapping.clone(),
        secret: state.settings.person_key_secret.0.clone(),
        today: chrono::Utc::now().date_naive(),
        dry_run,
        units: (!scope.everything).then(|| scope.units.clone()),
    };
    let outcome = match import_cases(&state.store, source, req, &ctx.actor(), None).await {
        Ok(o) => o,
        Err(ImportError::Intake(e)) => {
            // Refused whole (a mapping that names an absent column, CPR outside the person key …).
            let source = open_staged(up)
                .await?
                .map_err(|_| AppError::Conflict("import-upload-expired"))?;
            let errors = vec![FieldMsg {
                field: "mapping".into(),
                message: crate::case_import::intake_message(tr, &e),
            }];
            let page = mapping_page(
                ctx,
                tr,
                token,
                up,
                &source,
                &mapping,
                errors,
                &[],
                profile_name,
            );
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(ImportError::Store(e)) => return Err(e.into()),
        Err(ImportError::Stopped) => return Err(AppError::Internal("import stopped".into())),
    };
    if outcome.written {
        state.uploads.remove(token);
        if !profile_name.is_empty() {
            let json =
                serde_json::to_string(&mapping).map_err(|e| AppError::Internal(e.to_string()))?;
            state
                .store
                .save_mapping_profile(profile_name, &up.source_system, &json)
                .await?;
        }
        return Ok(see_other("/cases", "cases-imported"));
    }
    let report = &outcome.report;
    let clean = report.is_clean();
    let issues = report
        .errors
        .iter()
        .map(|e| IssueLine {
            line: e.line,
            column: e.column.clone().unwrap_or_default(),
            value: e.value.clone().unwrap_or_default(),
            message: tr.targs(e.key, &e.args()),
        })
        .collect();
    let more = (report.error_count > report.errors.len() as u64).then(|| {
        tr.t1(
            "import-cli-more-errors",
            "count",
            report.error_count - report.errors.len() as u64,
        )
    });
    let c = &outcome.counts;
    let summary = if clean {
        tr.targs(
            "import-check-clean",
            &[
                ("rows", report.rows.to_string()),
                ("new", c.new.to_string()),
                ("changed", c.changed.to_string()),
                ("unchanged", c.unchanged.to_string()),
                ("gone", c.gone.to_string()),
            ],
        )
    } else {
        tr.targs(
            "import-check-errors",
            &[
                ("rows", report.rows.to_string()),
                ("errors", report.error_count.to_string()),
            ],
        )
    };
    let hidden = mapping
        .iter()
        .map(|(f, h)| (format!("map_{}", f.code()), h.to_owned()))
        .collect();
    let page = ReportPage {
        c: Chrome::new(ctx, "import-report-title"),
        token,
        file_line: line,
        clean,
        summary,
        gone_warning: (c.gone > 0 && c.gone >= c.new + c.changed + c.unchanged).then(|| {
            tr.targs(
                "import-gone-warning",
                &[
                    ("gone", c.gone.to_string()),
                    ("source", up.source_system.clone()),
                ],
            )
        }),
        counts: outcome.counts.clone(),
        issues,
        more,
        hidden,
        profile_name: profile_name.to_owned(),
    };
    let status = if clean {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(status, &page))
}

pub async fn confirm(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(token): Path<Uuid>,
    PageForm(form): PageForm<Pairs>,
) -> AppResult<Response> {
    let me = ctx.authorize(&Action::ImportCases).await?;
    let up = staged(&state, me, token)?;
    let mapping = mapping_from(&form);
    let profile_name = get(&form, "profile_name").to_owned();
    let source = open_staged(&up)
        .await?
        .map_err(|_| AppError::Conflict("import-upload-expired"))?;
    run_import(
        &state,
        &ctx,
        token,
        &up,
        source,
        mapping,
        false,
        &profile_name,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "samples.html")]
struct SamplesPage {
    c: Chrome,
    rows: Vec<SampleLine>,
}

pub struct SampleLine {
    pub href: String,
    pub when: String,
    pub sizes: String,
    pub eligible: i64,
    pub by: String,
    pub scope: String,
}

pub async fn list_samples(ctx: Ctx, State(state): State<AppState>) -> AppResult<Response> {
    let me = ctx.authorize(&Action::DrawSample).await?;
    let tr = ctx.tr();
    let scope = scope_of(me);
    let rows = state
        .store
        .list_samples(200)
        .await?
        .into_iter()
        .filter(|s| scope.covers(&CaseScope::from_names(&s.scope)))
        .map(|s| SampleLine {
            href: format!("/samples/{}", s.id),
            when: crate::usecases::danish_time(s.created_at),
            sizes: s.level_sizes.clone(),
            eligible: s.eligible,
            by: s.created_by_name.clone().unwrap_or_default(),
            scope: if s.scope.is_empty() {
                tr.t("cases-scope-all")
            } else {
                s.scope.join(", ")
            },
        })
        .collect();
    Ok(render(&SamplesPage {
        c: Chrome::new(&ctx, "samples-title"),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "sample_new.html")]
struct NewSamplePage {
    c: Chrome,
    errors: Vec<FieldMsg>,
    f: SampleForm,
    sizes: Vec<InputField>,
    dates: Vec<InputField>,
    dims: Vec<Opt>,
    types: Vec<TypeRow>,
    eligible_note: String,
}

pub struct InputField {
    pub id: &'static str,
    pub label: String,
    pub value: String,
}

impl NewSamplePage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

pub struct TypeRow {
    pub code: String,
    pub id: String,
    pub count: i64,
    pub checked: bool,
    pub look_back: String,
}

/// The form's values as typed, so a refused form comes back as the person left it.
#[derive(Clone, Debug)]
pub struct SampleForm {
    pub size: String,
    pub level2: String,
    pub level3: String,
    pub seed: String,
    pub strata: BTreeSet<String>,
    pub allocation: String,
    pub kind: String,
    pub started_from: String,
    pub reference_date: String,
    pub default_look_back: String,
    pub coverage: bool,
}

impl SampleForm {
    fn defaults() -> Self {
        Self {
            size: "30".into(),
            level2: String::new(),
            level3: String::new(),
            seed: rand::random::<u32>().to_string(),
            strata: ["case_type".to_owned(), "unit".to_owned()].into(),
            allocation: "proportional".into(),
            kind: "broad".into(),
            started_from: String::new(),
            reference_date: chrono::Utc::now().date_naive().to_string(),
            default_look_back: "12".into(),
            coverage: true,
        }
    }

    fn from_pairs(p: &Pairs) -> Self {
        Self {
            size: get(p, "size").into(),
            level2: get(p, "level2").into(),
            level3: get(p, "level3").into(),
            seed: get(p, "seed").into(),
            strata: all(p, "strata").into_iter().map(str::to_owned).collect(),
            allocation: get(p, "allocation").into(),
            kind: get(p, "kind").into(),
            started_from: get(p, "started_from").into(),
            reference_date: get(p, "reference_date").into(),
            default_look_back: get(p, "default_look_back").into(),
            coverage: get(p, "coverage") == "on",
        }
    }

    pub fn has(&self, s: &str) -> bool {
        self.strata.contains(s)
    }
}

fn type_id(code: &str) -> String {
    code.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

async fn new_sample_page(
    state: &AppState,
    ctx: &Ctx,
    me: &SignedIn,
    f: SampleForm,
    pairs: Option<&Pairs>,
    errors: Vec<FieldMsg>,
) -> AppResult<NewSamplePage> {
    let tr = ctx.tr();
    let scope = scope_of(me);
    let page = state
        .store
        .list_cases(&CaseQuery {
            units: scope_units(&scope),
            page: 1,
            per_page: 1,
            ..CaseQuery::default()
        })
        .await?;
    let types = page
        .case_types
        .iter()
        .map(|(code, count)| {
            let id = type_id(code);
            TypeRow {
                checked: pairs.is_some_and(|p| all(p, "case_type").contains(&code.as_str())),
                look_back: pairs
                    .map(|p| get(p, &format!("look_back_{id}")).to_owned())
                    .unwrap_or_default(),
                code: code.clone(),
                id,
                count: *count,
            }
        })
        .collect();
    let input = |id: &'static str, key: &str, value: &str| InputField {
        id,
        label: tr.t(key),
        value: value.to_owned(),
    };
    let sizes = vec![
        input("size", "sample-size", &f.size),
        input("level2", "sample-level2", &f.level2),
        input("level3", "sample-level3", &f.level3),
    ];
    let dates = vec![
        input("started_from", "sample-started-from", &f.started_from),
        input("reference_date", "sample-reference-date", &f.reference_date),
    ];
    let dims = [
        ("case_type", "sample-dim-case-type"),
        ("unit", "sample-dim-unit"),
        ("area", "sample-dim-area"),
        ("caseworker", "sample-dim-caseworker"),
    ]
    .into_iter()
    .map(|(v, k)| Opt {
        value: v.into(),
        label: tr.t(k),
        selected: f.has(v),
    })
    .collect();
    Ok(NewSamplePage {
        c: Chrome::new(ctx, "sample-new-title"),
        errors,
        f,
        sizes,
        dates,
        dims,
        types,
        eligible_note: tr.t1("sample-register-size", "count", page.total),
    })
}

pub async fn show_new_sample(ctx: Ctx, State(state): State<AppState>) -> AppResult<Response> {
    let me = ctx.authorize(&Action::DrawSample).await?;
    let page = new_sample_page(&state, &ctx, me, SampleForm::defaults(), None, vec![]).await?;
    Ok(render(&page))
}

/// The form → what to draw, or the field errors.
fn parse_sample(
    tr: Tr,
    p: &Pairs,
    case_types: &[String],
) -> Result<(SampleSpec, Vec<usize>, RoundSize), Vec<FieldMsg>> {
    let mut errors = Vec::new();
    let mut err = |field: &'static str, key: &str| {
        errors.push(FieldMsg {
            field: field.into(),
            message: tr.t(key),
        })
    };
    let size = get(p, "size")
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=100_000).contains(n));
    if size.is_none() {
        err("size", "sample-err-size");
    }
    let mut nested = Vec::new();
    let l2 = get(p, "level2");
    let l3 = get(p, "level3");
    if !l2.is_empty() {
        match l2
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1 && size.is_none_or(|s| *n <= s))
        {
            Some(n) => nested.push(n),
            None => err("level2", "sample-err-level2"),
        }
    }
    if !l3.is_empty() {
        match l3
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1 && nested.first().is_some_and(|l| n <= l))
        {
            Some(n) => nested.push(n),
            None => err("level3", "sample-err-level3"),
        }
    }
    let seed = get(p, "seed").parse::<u64>().ok();
    if seed.is_none() {
        err("seed", "sample-err-seed");
    }
    let reference = NaiveDate::parse_from_str(get(p, "reference_date"), "%Y-%m-%d").ok();
    if reference.is_none() {
        err("reference_date", "sample-err-date");
    }
    let started = get(p, "started_from");
    let started_from = if started.is_empty() {
        None
    } else {
        let d = NaiveDate::parse_from_str(started, "%Y-%m-%d").ok();
        if d.is_none() {
            err("started_from", "sample-err-date");
        }
        d
    };
    let months = |s: &str| -> Result<Option<u32>, ()> {
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<u32>()
                .ok()
                .filter(|m| (1..=240).contains(m))
                .map(Some)
                .ok_or(())
        }
    };
    let default_look_back = months(get(p, "default_look_back")).unwrap_or_else(|_| {
        err("default_look_back", "sample-err-months");
        None
    });
    let mut look_back = BTreeMap::new();
    for t in case_types {
        match months(get(p, &format!("look_back_{}", type_id(t)))) {
            Ok(Some(m)) => {
                look_back.insert(t.clone(), m);
            }
            Ok(None) => {}
            Err(()) => err("default_look_back", "sample-err-months"),
        }
    }
    let mut dims = Vec::new();
    for s in all(p, "strata") {
        match s {
            "case_type" => dims.push(StratumDimension::CaseType),
            "unit" => dims.push(StratumDimension::Unit),
            "area" => dims.push(StratumDimension::Area),
            "caseworker" => dims.push(StratumDimension::Caseworker),
            _ => {}
        }
    }
    let allocation = match get(p, "allocation") {
        "equal" => Allocation::Equal,
        _ => Allocation::Proportional,
    };
    let kind = match get(p, "kind") {
        "thematic" => RoundSize::Thematic,
        _ => RoundSize::Broad,
    };
    let catalog = CaseTypeCatalog::standard();
    let chosen: BTreeSet<String> = all(p, "case_type")
        .into_iter()
        .filter_map(|t| {
            catalog
                .normalise(t)
                .or_else(|| case_types.iter().find(|c| *c == t).cloned())
        })
        .collect();
    // The summary lists problems in the order of the form.
    const ORDER: [&str; 7] = [
        "size",
        "level2",
        "level3",
        "default_look_back",
        "started_from",
        "reference_date",
        "seed",
    ];
    errors.sort_by_key(|e| ORDER.iter().position(|f| *f == e.field));
    match (size, seed, reference) {
        (Some(size), Some(seed), Some(reference)) if errors.is_empty() => {
            let mut frame = SampleFrame::new(reference);
            frame.case_types = chosen;
            frame.look_back_months = look_back;
            frame.default_look_back_months = default_look_back;
            frame.started_on_or_after = started_from;
            Ok((
                SampleSpec {
                    frame,
                    strata: Strata::by(dims),
                    allocation,
                    target: size,
                    coverage: get(p, "coverage") == "on",
                    caseworker_last_sampled: BTreeMap::new(),
                    seed,
                },
                nested,
                kind,
            ))
        }
        _ => Err(errors),
    }
}

pub async fn draw_sample(
    ctx: Ctx,
    State(state): State<AppState>,
    PageForm(form): PageForm<Pairs>,
) -> AppResult<Response> {
    let me = ctx.authorize(&Action::DrawSample).await?;
    let tr = ctx.tr();
    let scope = scope_of(me);
    let cases: Vec<_> = state
        .store
        .sample_cases(None)
        .await?
        .into_iter()
        .filter(|c| scope.allows(c.unit.as_deref()))
        .collect();
    let case_types: Vec<String> = cases
        .iter()
        .map(|c| c.case_type.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // The form again, as it was sent, with what is wrong.
    let refuse = async |errors: Vec<FieldMsg>| -> AppResult<Response> {
        let f = SampleForm::from_pairs(&form);
        let page = new_sample_page(&state, &ctx, me, f, Some(&form), errors).await?;
        Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    let (spec, nested, kind) = match parse_sample(tr, &form, &case_types) {
        Ok(x) => x,
        Err(errors) => return refuse(errors).await,
    };
    // The register moves into the blocking task (no copy); its fingerprint comes back.
    let (drawn, sha) = {
        let spec = spec.clone();
        let nested = nested.clone();
        tokio::task::spawn_blocking(move || {
            (
                draw_levels(&cases, &spec, &nested),
                register_fingerprint(&cases),
            )
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let mut levels = match drawn {
        Ok(l) => l,
        Err(e) => {
            let errors = vec![FieldMsg {
                field: "size".into(),
                message: tr.t(e.key()),
            }];
            return refuse(errors).await;
        }
    };
    if let Some(first) = levels.first_mut() {
        let n = first.selected.len();
        first.warnings.extend(size_warnings(kind, n));
    }
    let id = state
        .store
        .save_sample(
            &ctx.actor(),
            &me.user.full_name,
            &spec,
            &nested,
            &scope_display(me, &scope),
            &sha,
            &levels,
        )
        .await?;
    Ok(see_other(&format!("/samples/{id}"), "sample-drawn"))
}

#[derive(Template)]
#[template(path = "sample.html")]
struct SamplePage {
    c: Chrome,
    notice: Option<String>,
    facts: Vec<(String, String)>,
    levels: Vec<LevelView>,
}

pub struct LevelView {
    pub heading: String,
    pub summary: String,
    pub strata_caption: String,
    pub strata: Vec<StratumLine>,
    pub excluded: Vec<(String, usize)>,
    pub warnings: Vec<String>,
    pub covered: usize,
    pub uncovered: Vec<String>,
    pub cases: Vec<SampledCase>,
}

pub struct StratumLine {
    pub name: String,
    pub population: usize,
    pub target: usize,
    pub drawn: usize,
    pub note: String,
}

pub struct SampledCase {
    pub source: String,
    pub id: String,
    pub case_type: String,
    pub unit: String,
    pub caseworker: String,
    pub covered: bool,
}

fn level_view(
    tr: Tr,
    s: &Sample,
    facts: &BTreeMap<&str, &tilsyn_domain::sampling::SampleCase>,
) -> LevelView {
    let strata = s
        .strata
        .iter()
        .map(|st| StratumLine {
            name: {
                let t = st.key.to_string();
                if t.is_empty() {
                    tr.t("sample-stratum-all")
                } else {
                    t
                }
            },
            population: st.population,
            target: st.target,
            drawn: st.drawn,
            note: st.note.map(|n| tr.t(n.key())).unwrap_or_default(),
        })
        .collect();
    let excluded = tilsyn_domain::sampling::ExclusionReason::ALL
        .iter()
        .map(|r| (tr.t(r.key()), s.excluded.get(*r)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut warnings: Vec<String> = Vec::new();
    for w in &s.warnings {
        let t = tr.t(w.key());
        if !warnings.contains(&t) {
            warnings.push(t);
        }
    }
    let covered: BTreeSet<&str> = s.covered.iter().map(|c| c.key.as_str()).collect();
    let cases = s
        .selected
        .iter()
        .map(|k| {
            let c = facts.get(k.as_str());
            let (source, id) = k.split_once('/').unwrap_or(("", k.as_str()));
            SampledCase {
                source: source.to_owned(),
                id: id.to_owned(),
                case_type: c.map(|c| c.case_type.clone()).unwrap_or_default(),
                unit: c.and_then(|c| c.unit.clone()).unwrap_or_default(),
                caseworker: c.and_then(|c| c.caseworker.clone()).unwrap_or_default(),
                covered: covered.contains(k.as_str()),
            }
        })
        .collect();
    LevelView {
        heading: tr.t1("sample-level", "level", s.level),
        summary: tr.targs(
            "sample-level-summary",
            &[
                ("drawn", s.selected.len().to_string()),
                ("eligible", s.eligible.to_string()),
                ("target", s.target.to_string()),
            ],
        ),
        strata_caption: tr.t1("sample-strata-caption", "level", s.level),
        strata,
        excluded,
        warnings,
        covered: s.covered.len(),
        uncovered: s
            .uncovered
            .iter()
            .map(|u| format!("{}: {}", u.caseworker, tr.t(u.reason.key())))
            .collect(),
        cases,
    }
}

pub async fn show_sample(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(oq): Query<OkQuery>,
) -> AppResult<Response> {
    let me = ctx.authorize(&Action::DrawSample).await?;
    let tr = ctx.tr();
    let scope = scope_of(me);
    let sample = state.store.sample(id).await?;
    if !scope.covers(&CaseScope::from_names(&sample.scope)) {
        // Someone else's cases: as if it did not exist.
        return Err(AppError::NotFound);
    }
    log_read(
        &state,
        &ctx,
        AuditAction::SampleViewed,
        Some(id.to_string()),
        vec![(
            "cases",
            sample
                .levels
                .first()
                .map(|l| l.selected.len())
                .unwrap_or(0)
                .to_string(),
        )],
    )
    .await?;
    let keys: Vec<String> = sample
        .levels
        .first()
        .map(|l| l.selected.clone())
        .unwrap_or_default();
    let all_cases = state.store.cases_by_keys(&keys).await?;
    let facts: BTreeMap<&str, &tilsyn_domain::sampling::SampleCase> =
        all_cases.iter().map(|c| (c.key.as_str(), c)).collect();
    let spec = &sample.spec;
    let strata: Vec<String> = spec
        .strata
        .0
        .iter()
        .map(|d| tr.t(&format!("sample-dim-{}", dim_code(d))))
        .collect();
    let mut facts_list = vec![
        (
            tr.t("sample-fact-drawn"),
            format!(
                "{} · {}",
                crate::usecases::danish_time(sample.created_at),
                sample.created_by_name.clone().unwrap_or_default()
            ),
        ),
        (tr.t("sample-fact-seed"), spec.seed.to_string()),
        (
            tr.t("sample-fact-reference-date"),
            spec.frame.reference_date.to_string(),
        ),
        (
            tr.t("sample-fact-strata"),
            if strata.is_empty() {
                tr.t("sample-stratum-all")
            } else {
                strata.join(" × ")
            },
        ),
        (
            tr.t("sample-fact-allocation"),
            tr.t(match spec.allocation {
                Allocation::Equal => "sample-allocation-equal",
                _ => "sample-allocation-proportional",
            }),
        ),
        (
            tr.t("sample-fact-coverage"),
            tr.t(if spec.coverage { "yes" } else { "no" }),
        ),
        (
            tr.t("sample-fact-case-types"),
            if spec.frame.case_types.is_empty() {
                tr.t("cases-all-types")
            } else {
                spec.frame
                    .case_types
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
    ];
    let mut windows: Vec<String> = spec
        .frame
        .look_back_months
        .iter()
        .map(|(t, m)| {
            tr.targs(
                "sample-window-type",
                &[("type", t.clone()), ("months", m.to_string())],
            )
        })
        .collect();
    if let Some(m) = spec.frame.default_look_back_months {
        windows.push(tr.t1("sample-window-default", "months", m));
    }
    facts_list.push((
        tr.t("sample-fact-window"),
        if windows.is_empty() {
            tr.t("sample-window-none")
        } else {
            windows.join("; ")
        },
    ));
    if let Some(d) = spec.frame.started_on_or_after {
        facts_list.push((
            tr.t("sample-fact-started-from"),
            d.format("%d-%m-%Y").to_string(),
        ));
    }
    facts_list.push((
        tr.t("sample-fact-scope"),
        if sample.scope.is_empty() {
            tr.t("cases-scope-all")
        } else {
            sample.scope.join(", ")
        },
    ));
    facts_list.push((
        tr.t("sample-fact-algorithm"),
        sample
            .levels
            .first()
            .map(|l| l.algorithm.clone())
            .unwrap_or_default(),
    ));
    facts_list.push((
        tr.t("sample-fact-fingerprint"),
        sample.register_sha256.clone(),
    ));
    let levels = sample
        .levels
        .iter()
        .map(|l| level_view(tr, l, &facts))
        .collect();
    Ok(render(&SamplePage {
        c: Chrome::new(&ctx, "sample-title"),
        notice: notice(tr, oq.ok.as_deref()),
        facts: facts_list,
        levels,
    }))
}

fn dim_code(d: &StratumDimension) -> &'static str {
    match d {
        StratumDimension::CaseType => "case-type",
        StratumDimension::Unit => "unit",
        StratumDimension::Area => "area",
        StratumDimension::Caseworker => "caseworker",
        StratumDimension::Attribute(_) => "attribute",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_form_becomes_a_spec_or_names_each_wrong_field() {
        let tr = Tr(crate::i18n::Lang::Da);
        let p: Pairs = [
            ("size", "40"),
            ("level2", "20"),
            ("seed", "18446744073709551615"),
            ("reference_date", "2026-11-01"),
            ("default_look_back", "12"),
            ("look_back___46", "24"),
            ("strata", "case_type"),
            ("strata", "unit"),
            ("allocation", "equal"),
            ("kind", "thematic"),
            ("coverage", "on"),
            ("case_type", "§ 46"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let (spec, nested, kind) =
            parse_sample(tr, &p, &["§ 46".into(), "§ 32".into()]).expect("valid");
        assert_eq!(spec.target, 40);
        assert_eq!(nested, vec![20]);
        assert_eq!(kind, RoundSize::Thematic);
        assert_eq!(spec.seed, u64::MAX);
        assert_eq!(spec.allocation, Allocation::Equal);
        assert!(spec.coverage);
        assert_eq!(spec.frame.look_back_months.get("§ 46"), Some(&24));
        assert_eq!(spec.frame.default_look_back_months, Some(12));
        assert!(spec.frame.case_types.contains("§ 46"));
        assert_eq!(
            spec.strata.0,
            vec![StratumDimension::CaseType, StratumDimension::Unit]
        );

        let bad: Pairs = [
            ("size", "0"),
            ("level2", "50"),
            ("seed", "-1"),
            ("reference_date", "31-12-2026"),
            ("default_look_back", "x"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let errs = parse_sample(tr, &bad, &[]).expect_err("invalid");
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            vec!["size", "default_look_back", "reference_date", "seed"]
        );
        // A level 2 larger than level 1 is wrong too.
        let mut p2 = p.clone();
        p2.retain(|(k, _)| k != "level2");
        p2.push(("level2".into(), "41".into()));
        let errs = parse_sample(tr, &p2, &["§ 46".into()]).expect_err("invalid");
        assert_eq!(errs[0].field, "level2");
    }
}
