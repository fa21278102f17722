//! Use cases for learning audits: who sees and does what in an audit (one rule,
//! `learning_audit::access`), setting one up, the participants' preparation, the meeting, the
//! follow-up plan and the report. Pages, the API and the CLI all come through here.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::rounds::deny;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use tilsyn_domain::action::{self, ActionLinks, NewAction, is_overdue};
use tilsyn_domain::learning_audit::{
    self as la, AuditAccess, AuditReport, FileType, IndicatorChoice, IndicatorMinutes, LeftOut,
    MaterialKind, MaterialRef, NewAudit, Nomination, PanelRole, ReportAction, ReportExample,
    ReportIndicator, ReportMaterial, ReportOrganisation, TallyRow,
};
use tilsyn_domain::policy::Action as Can;
use tilsyn_domain::{FieldError, Problem, UserId};
use tilsyn_store::Store;
use tilsyn_store::actions::{Action, ActionFilter};
use tilsyn_store::learning_audits::{
    AttentionPoint, AuditSummary, LearningAudit, MaterialFile, NewMaterial, StoredNomination,
};
use uuid::Uuid;

/// What `user` may do in `audit`: the policy says whether they lead audits, the panel their role.
fn access_in(ctx: &Ctx, audit: &LearningAudit, user: UserId) -> AuditAccess {
    la::access(
        ctx.can(&Can::LeadLearningAudits),
        audit.member(user).map(|m| m.role),
    )
}

/// The audits a person may open: all for audit leads, else those they are on the panel of.
pub async fn list(store: &Store, ctx: &Ctx) -> AppResult<Vec<AuditSummary>> {
    let who = ctx.authorize(&Can::ViewLearningAudits).await?;
    let member = (!ctx.can(&Can::LeadLearningAudits)).then_some(who.user.id);
    Ok(store.learning_audits(member).await?)
}

/// One audit with what the caller may do in it; someone not on its panel gets 404 (logged),
/// so the list of audits does not leak through guessed codes.
pub async fn open(store: &Store, ctx: &Ctx, code: &str) -> AppResult<(LearningAudit, AuditAccess)> {
    let who = ctx.authorize(&Can::ViewLearningAudits).await?;
    let audit = match store.learning_audit(code).await {
        Ok(a) => a,
        Err(tilsyn_store::StoreError::NotFound) => {
            return Err(deny(store, ctx, "view_learning_audit").await);
        }
        Err(e) => return Err(e.into()),
    };
    let access = access_in(ctx, &audit, who.user.id);
    if !access.view {
        return Err(deny(store, ctx, "view_learning_audit").await);
    }
    Ok((audit, access))
}

/// Checks, before a large upload is read, that the caller may add material to the audit.
pub async fn may_add_material(store: &Store, ctx: &Ctx, code: &str) -> AppResult<()> {
    open_for(store, ctx, code, |a| a.manage, "manage_learning_audit")
        .await
        .map(|_| ())
}

async fn open_for(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    may: fn(&AuditAccess) -> bool,
    what: &str,
) -> AppResult<LearningAudit> {
    let (audit, access) = open(store, ctx, code).await?;
    if !may(&access) {
        return Err(deny(store, ctx, what).await);
    }
    Ok(audit)
}

/// An audit on the person's dashboard: their role and, for those who nominate, how far their
/// preparation has come.
pub struct MyAudit {
    pub code: String,
    pub title: String,
    pub role: PanelRole,
    /// (indicators with a saved nomination, included indicators)
    pub prepared: Option<(usize, usize)>,
}

/// The audits the person is on the panel of.
pub async fn mine(store: &Store, user: UserId) -> AppResult<Vec<MyAudit>> {
    let mut out = vec![];
    for s in store.learning_audits(Some(user)).await? {
        let a = store.learning_audit(&s.code).await?;
        let Some(role) = a.member(user).map(|m| m.role) else {
            continue;
        };
        let prepared = if role.nominates() {
            let done = store
                .audit_nominations(a.id)
                .await?
                .iter()
                .filter(|n| n.user == user)
                .count();
            Some((done, a.included().len()))
        } else {
            None
        };
        out.push(MyAudit {
            code: a.code,
            title: a.title,
            role,
            prepared,
        });
    }
    Ok(out)
}

/// A new audit as a form or the API gives it.
pub struct AuditInput {
    pub code: String,
    pub title: String,
    pub theme: String,
    pub purpose: String,
    /// Codes of the included indicators.
    pub included: Vec<String>,
    /// Reasons by indicator code, for those left out.
    pub reasons: BTreeMap<String, String>,
    /// One question per line.
    pub questions: String,
}

/// Every indicator of the theme, in framework order, as the input chooses it.
pub fn choices(
    theme: u8,
    input_included: &[String],
    reasons: &BTreeMap<String, String>,
) -> Vec<IndicatorChoice> {
    la::QUALITY_MODEL
        .theme(theme)
        .map(|t| {
            t.indicators
                .iter()
                .map(|i| IndicatorChoice {
                    code: i.code.to_owned(),
                    included: input_included.iter().any(|c| c == i.code),
                    reason: reasons.get(i.code).cloned().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub async fn create(store: &Store, ctx: &Ctx, input: AuditInput) -> AppResult<String> {
    let who = ctx.authorize(&Can::LeadLearningAudits).await?;
    let theme = input.theme.trim().parse::<u8>().unwrap_or(0);
    let new = NewAudit {
        code: input.code.trim().to_owned(),
        title: input.title.trim().to_owned(),
        framework: la::QUALITY_MODEL.key.to_owned(),
        theme,
        purpose: input.purpose,
        indicators: choices(theme, &input.included, &input.reasons),
        questions: input.questions.lines().map(str::to_owned).collect(),
    };
    la::check_new(&new)?;
    store
        .create_learning_audit(&ctx.actor(), &who.user.full_name, &new)
        .await?;
    Ok(new.code)
}

pub async fn add_organisation(store: &Store, ctx: &Ctx, code: &str, name: &str) -> AppResult<()> {
    let audit = open_for(store, ctx, code, |a| a.panel, "choose_panel").await?;
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 120 {
        return Err(Problem::one("name", "la-organisation-name").into());
    }
    store
        .add_audit_organisation(&ctx.actor(), audit.id, n)
        .await?;
    Ok(())
}

/// Puts someone on the panel by username; a participant or panel member belongs to one of the
/// audit's organisations, a facilitator or referent may stand outside them.
pub async fn set_member(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    username: &str,
    organisation: &str,
    role: &str,
) -> AppResult<()> {
    let audit = open_for(store, ctx, code, |a| a.panel, "choose_panel").await?;
    let mut p = Problem::default();
    let user = match store.find_user(username.trim()).await {
        Ok(u) if !u.disabled => Some(u),
        _ => {
            p.push(FieldError::new("user", "la-member-unknown"));
            None
        }
    };
    let org = Uuid::parse_str(organisation.trim())
        .ok()
        .filter(|o| audit.organisations.iter().any(|x| x.id == *o));
    if !organisation.trim().is_empty() && org.is_none() {
        p.push(FieldError::new("organisation", "la-organisation-unknown"));
    }
    let role = PanelRole::parse(role);
    match role {
        None => p.push(FieldError::new("role", "la-role-unknown")),
        Some(r) if r.nominates() && org.is_none() && organisation.trim().is_empty() => p.push(
            FieldError::new("organisation", "la-member-needs-organisation"),
        ),
        _ => {}
    }
    match (user, role) {
        (Some(u), Some(r)) if p.is_empty() => {
            store
                .set_audit_member(&ctx.actor(), audit.id, u.id, org, r)
                .await?;
            Ok(())
        }
        _ => Err(p.into()),
    }
}

/// A material as a form gives it; `file` is (uploaded name, bytes) when one was chosen.
pub struct MaterialInput {
    pub organisation: String,
    pub title: String,
    pub kind: String,
    pub reference: String,
    pub only_indicator: String,
    pub file: Option<(String, Vec<u8>)>,
}

/// What the content of a file is, by its bytes.
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    infer::get(bytes).and_then(|t| FileType::from_content_type(t.mime_type()))
}

pub async fn add_material(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    m: MaterialInput,
) -> AppResult<Uuid> {
    let audit = open_for(store, ctx, code, |a| a.manage, "manage_learning_audit").await?;
    let mut p = Problem::default();
    let org = Uuid::parse_str(m.organisation.trim())
        .ok()
        .filter(|o| audit.organisations.iter().any(|x| x.id == *o));
    if org.is_none() {
        p.push(FieldError::new("organisation", "la-organisation-unknown"));
    }
    let title = m.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        p.push(FieldError::new("title", "la-material-title-needed"));
    }
    let kind = MaterialKind::parse(&m.kind);
    if kind.is_none() {
        p.push(FieldError::new("kind", "la-material-kind"));
    }
    let only = m.only_indicator.trim();
    if !only.is_empty() && !audit.included().contains(&only) {
        p.push(FieldError::new(
            "only_indicator",
            "la-indicator-not-in-audit",
        ));
    }
    if m.reference.chars().count() > 500 {
        p.push(FieldError::new("reference", "la-text-long"));
    }
    let file = match m.file {
        Some((name, bytes)) => match la::check_file(&name, &bytes, sniff(&bytes)) {
            Ok(t) => Some((safe_file_name(&name, t), t, bytes)),
            Err(e) => {
                p.push(e);
                None
            }
        },
        None => None,
    };
    if file.is_none() && m.reference.trim().is_empty() && !p.0.iter().any(|e| e.field == "file") {
        p.push(FieldError::new("file", "la-material-file-or-reference"));
    }
    match (org, kind) {
        (Some(organisation), Some(kind)) if p.is_empty() => Ok(store
            .add_audit_material(
                &ctx.actor(),
                &ctx.signed_in()?.user.full_name,
                audit.id,
                &NewMaterial {
                    organisation,
                    title: title.to_owned(),
                    kind,
                    reference: m.reference.trim().to_owned(),
                    file,
                    only_indicator: (!only.is_empty()).then(|| only.to_owned()),
                },
            )
            .await?),
        _ => Err(p.into()),
    }
}

/// The base name only, without anything a header or a path could misread, CPR numbers masked.
fn safe_file_name(name: &str, t: FileType) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    // The stem is shortened, never the extension, so the download opens as what it is.
    let clean: String = tilsyn_intake::cpr::safe_text(stem)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(100)
        .collect();
    let stem = if clean.trim().is_empty() {
        "materiale"
    } else {
        clean.trim()
    };
    format!("{stem}.{}", t.extension())
}

pub async fn material_file(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    id: Uuid,
) -> AppResult<MaterialFile> {
    let (audit, _) = open(store, ctx, code).await?;
    Ok(store
        .learning_audit_file(&ctx.actor(), audit.id, id)
        .await?)
}

/// The materials a nomination for `indicator` may use.
pub fn materials_for<'a>(
    audit: &'a LearningAudit,
    indicator: &str,
) -> Vec<&'a tilsyn_store::learning_audits::AuditMaterial> {
    audit
        .materials
        .iter()
        .filter(|m| m.only_indicator.as_deref().is_none_or(|o| o == indicator))
        .collect()
}

pub async fn save_nomination(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    mut n: Nomination,
) -> AppResult<()> {
    let audit = open_for(store, ctx, code, |a| a.nominate, "nominate").await?;
    // Only the audit's questions are answered; anything beyond them is not kept.
    n.answers.truncate(audit.questions.len());
    let refs: Vec<MaterialRef> = audit
        .materials
        .iter()
        .map(|m| MaterialRef {
            id: m.id,
            only_indicator: m.only_indicator.clone(),
        })
        .collect();
    la::check_nomination(&n, &audit.included(), &refs, audit.questions.len())?;
    let me = ctx.signed_in()?.user.id;
    store
        .save_nomination(&ctx.actor(), audit.id, me, &n)
        .await?;
    Ok(())
}

/// What the meeting works from: every nomination, the tally per indicator, the points.
pub struct MeetingData {
    pub nominations: Vec<StoredNomination>,
    pub tally: BTreeMap<String, Vec<TallyRow>>,
    pub points: Vec<AttentionPoint>,
}

pub async fn meeting_data(store: &Store, audit: &LearningAudit) -> AppResult<MeetingData> {
    let (nominations, points) = tokio::try_join!(
        store.audit_nominations(audit.id),
        store.attention_points(audit.id)
    )?;
    let tally = la::tally(
        nominations
            .iter()
            .filter_map(|n| Some((n.nomination.indicator.as_str(), n.nomination.material?))),
    );
    Ok(MeetingData {
        nominations,
        tally,
        points,
    })
}

pub async fn save_minutes(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    indicator: &str,
    version: i64,
    m: IndicatorMinutes,
) -> AppResult<()> {
    let audit = open_for(store, ctx, code, |a| a.minutes, "keep_minutes").await?;
    la::check_minutes(&m)?;
    store
        .save_minutes(
            &ctx.actor(),
            &ctx.signed_in()?.user.full_name,
            audit.id,
            indicator,
            version,
            &m,
        )
        .await?;
    Ok(())
}

pub async fn add_point(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    indicator: &str,
    heading: &str,
    point: &str,
) -> AppResult<()> {
    let audit = open_for(store, ctx, code, |a| a.minutes, "keep_minutes").await?;
    la::check_attention_point(heading, point)?;
    store
        .add_attention_point(
            &ctx.actor(),
            &ctx.signed_in()?.user.full_name,
            audit.id,
            indicator,
            heading,
            point,
        )
        .await?;
    Ok(())
}

/// The audit's follow-up plan.
pub async fn follow_up(store: &Store, audit: &LearningAudit) -> AppResult<Vec<Action>> {
    Ok(store
        .actions(ActionFilter {
            learning_audit: Some(audit.id),
            ..Default::default()
        })
        .await?)
}

/// A new action of the follow-up plan as a form or the API gives it.
pub struct PlanInput {
    pub description: String,
    pub owner: String,
    pub due: String,
    /// The indicator whose recommendation the action carries out, if any.
    pub indicator: String,
}

/// Adds an action to the plan; its owner is someone on the panel.
pub async fn add_plan_action(
    store: &Store,
    ctx: &Ctx,
    code: &str,
    input: PlanInput,
    today: NaiveDate,
) -> AppResult<Uuid> {
    let audit = open_for(store, ctx, code, |a| a.manage, "manage_learning_audit").await?;
    let mut p = Problem::default();
    let owner = Uuid::parse_str(input.owner.trim())
        .ok()
        .map(UserId)
        .filter(|o| audit.member(*o).is_some());
    if owner.is_none() {
        p.push(FieldError::new("owner", "action-owner-unknown"));
    }
    let due = NaiveDate::parse_from_str(input.due.trim(), "%Y-%m-%d").ok();
    if due.is_none() {
        p.push(FieldError::new("due", "action-due-invalid"));
    }
    let ind = input.indicator.trim();
    if !ind.is_empty() && !audit.included().contains(&ind) {
        p.push(FieldError::new("indicator", "la-indicator-not-in-audit"));
    }
    let new = NewAction {
        description: input.description,
        due: due.unwrap_or(today),
        links: ActionLinks {
            recommendation: ind.to_owned(),
            ..Default::default()
        },
        reaudit: false,
    };
    if let Err(e) = action::check_new(&new, today, &[], &[]) {
        p.0.extend(e.0);
    }
    const ORDER: [&str; 4] = ["description", "owner", "due", "indicator"];
    p.0.sort_by_key(|e| ORDER.iter().position(|f| *f == e.field));
    match owner {
        Some(owner) if p.is_empty() => Ok(store
            .create_audit_action(
                &ctx.actor(),
                &ctx.signed_in()?.user.full_name,
                audit.id,
                owner,
                &new,
            )
            .await?),
        _ => Err(p.into()),
    }
}

/// The person may change an audit action's status: whoever keeps the audit's plan.
pub async fn manages_plan(store: &Store, ctx: &Ctx, code: &str) -> AppResult<bool> {
    let who = ctx.signed_in()?;
    let audit = store.learning_audit(code).await?;
    Ok(access_in(ctx, &audit, who.user.id).manage)
}

/// Every report text in the language.
pub fn texts(lang: Lang) -> BTreeMap<String, String> {
    la::AUDIT_TEXT_KEYS
        .iter()
        .map(|k| ((*k).to_owned(), Tr(lang).t(k)))
        .collect()
}

/// How many of the most chosen examples per indicator the report names.
pub const REPORT_EXAMPLES: usize = 3;

/// The audit report from everything the audit holds; `by` names who made it.
pub async fn report(
    store: &Store,
    audit: &LearningAudit,
    lang: Lang,
    by: &str,
    issuer: &str,
    today: NaiveDate,
) -> AppResult<AuditReport> {
    let tr = Tr(lang);
    let en = lang == Lang::En;
    let data = meeting_data(store, audit).await?;
    let plan = follow_up(store, audit).await?;
    let theme = la::QUALITY_MODEL
        .theme(audit.theme)
        .ok_or_else(|| AppError::Internal(format!("unknown theme {}", audit.theme)))?;
    let text_of = |code: &str| {
        la::QUALITY_MODEL
            .indicator(code)
            .map_or(String::new(), |i| if en { i.en } else { i.da }.to_owned())
    };
    let materials: HashMap<Uuid, &tilsyn_store::learning_audits::AuditMaterial> =
        audit.materials.iter().map(|m| (m.id, m)).collect();
    let points: Vec<(String, (String, String))> = data
        .points
        .iter()
        .map(|p| (p.indicator.clone(), (p.heading.clone(), p.point.clone())))
        .collect();
    let indicators = audit
        .indicators
        .iter()
        .filter(|i| i.included)
        .map(|i| {
            let mine: Vec<(String, String)> = points
                .iter()
                .filter(|(ind, _)| *ind == i.code)
                .map(|(_, hp)| (hp.0.clone(), hp.1.clone()))
                .collect();
            let rows = data.tally.get(&i.code).cloned().unwrap_or_default();
            ReportIndicator {
                code: i.code.clone(),
                text: text_of(&i.code),
                nominations: rows.iter().map(|r| r.count).sum(),
                examples: rows
                    .iter()
                    .take(REPORT_EXAMPLES)
                    .filter_map(|r| {
                        let m = materials.get(&r.material)?;
                        Some(ReportExample {
                            material: m.title.clone(),
                            organisation: audit.organisation_name(Some(m.organisation)).to_owned(),
                            count: r.count,
                        })
                    })
                    .collect(),
                notes: i.notes.clone(),
                attention: la::group_points(&mine),
                recommendation: i.recommendation.clone(),
            }
        })
        .collect();
    let mut panel: Vec<ReportOrganisation> = vec![];
    let outside: Vec<(String, String)> = audit
        .members
        .iter()
        .filter(|m| m.organisation.is_none())
        .map(|m| (m.name.clone(), tr.t(&format!("la-role-{}", m.role.code()))))
        .collect();
    if !outside.is_empty() {
        panel.push(ReportOrganisation {
            name: String::new(),
            members: outside,
        });
    }
    for o in &audit.organisations {
        panel.push(ReportOrganisation {
            name: o.name.clone(),
            members: audit
                .members
                .iter()
                .filter(|m| m.organisation == Some(o.id))
                .map(|m| (m.name.clone(), tr.t(&format!("la-role-{}", m.role.code()))))
                .collect(),
        });
    }
    Ok(AuditReport {
        english: en,
        generated_at: chrono::Utc::now(),
        generated_by: by.to_owned(),
        issuer: issuer.to_owned(),
        code: audit.code.clone(),
        title: audit.title.clone(),
        framework: la::framework(&audit.framework)
            .map_or(audit.framework.clone(), |f| f.name.to_owned()),
        theme: format!("{}. {}", theme.number, if en { theme.en } else { theme.da }),
        purpose: audit.purpose.clone(),
        questions: audit.questions.clone(),
        indicators,
        left_out: audit
            .indicators
            .iter()
            .filter(|i| !i.included)
            .map(|i| LeftOut {
                code: i.code.clone(),
                text: text_of(&i.code),
                reason: i.reason.clone(),
            })
            .collect(),
        panel,
        materials: audit
            .materials
            .iter()
            .map(|m| ReportMaterial {
                title: m.title.clone(),
                organisation: audit.organisation_name(Some(m.organisation)).to_owned(),
                kind: tr.t(&format!("la-kind-{}", m.kind.code())),
                only: m
                    .only_indicator
                    .as_deref()
                    .map(|o| tr.t1("la-only-indicator", "indicator", o))
                    .unwrap_or_default(),
                source: m.file_name.clone().unwrap_or_else(|| m.reference.clone()),
            })
            .collect(),
        follow_up: plan
            .iter()
            .map(|a| ReportAction {
                description: a.description.clone(),
                owner: a.owner_name.clone(),
                due: a.due,
                status: tr.t(&format!("action-status-{}", a.status.code())),
                overdue: is_overdue(a.status, a.due, today),
                note: match a.status {
                    action::ActionStatus::Done => a.evidence.clone(),
                    _ => a.status_reason.clone(),
                },
            })
            .collect(),
        texts: texts(lang),
    })
}
