//! Pages for rounds and reviews: the list and plan of rounds, drawing and assigning, the
//! reviewer's task list, the review form (plain posts; autosave with script), reconciliation,
//! the caseworker's reply and escalations. Every step calls one use case in `crate::rounds`.

use super::templates::{Pairs, all, get};
use super::{
    Chrome, FieldMsg, OkQuery, PageForm, err_for, field_msgs, notice, render, render_status,
    see_other,
};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::rounds::{self as uc, PlanInput};
use crate::state::AppState;
use crate::templates::{FormView, form_view};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use tilsyn_domain::calendar::Deadline;
use tilsyn_domain::policy::{Action, CaseScope, case_scope};
use tilsyn_domain::review::{CountingRule, Progress, ReviewStatus, SubmitProblem, answer_values};
use tilsyn_domain::round::{
    Member, Milestone, MilestoneKind, PlanWarning, ReviewRules, RoundKind, RoundPlan, RoundState,
};
use tilsyn_domain::template::{ItemKind, VersionStatus};
use tilsyn_domain::{Problem, Role, UserId};
use tilsyn_store::rounds::{AnswerChange, SaveOutcome};
use uuid::Uuid;

pub(super) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

pub(super) fn dk(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn warning_text(tr: Tr, w: &PlanWarning) -> String {
    match w {
        PlanWarning::TooFewCases { cases, recommended } => tr.targs(
            w.key(),
            &[
                ("cases", cases.to_string()),
                ("recommended", recommended.to_string()),
            ],
        ),
        PlanWarning::TooManyThemes { themes, max } => tr.targs(
            w.key(),
            &[("themes", themes.to_string()), ("max", max.to_string())],
        ),
        PlanWarning::FewRoundsThisYear {
            rounds,
            recommended,
        } => tr.targs(
            w.key(),
            &[
                ("rounds", rounds.to_string()),
                ("recommended", recommended.to_string()),
            ],
        ),
        PlanWarning::WorkingGroupSize { members } => tr.t1(w.key(), "members", members.to_string()),
        PlanWarning::WorkingGroupLacks { role } => {
            tr.t1(w.key(), "role", tr.t(role.label_key()).to_lowercase())
        }
        PlanWarning::NoTheme => tr.t(w.key()),
    }
}

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "rounds.html")]
struct RoundsPage {
    c: Chrome,
    notice: Option<String>,
    rows: Vec<RoundLine>,
}

struct RoundLine {
    href: String,
    name: String,
    kind: String,
    state: String,
    cases: i64,
    progress: String,
    created: String,
}

pub async fn list_rounds(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    let rounds = uc::my_rounds(&state.store, &ctx).await?;
    let tr = ctx.tr();
    let rows = rounds
        .into_iter()
        .map(|r| RoundLine {
            href: format!("/rounds/{}", r.id),
            name: r.name,
            kind: tr.t(&r.kind.label_key()),
            state: tr.t(&r.state.label_key()),
            cases: r.cases,
            progress: tr.targs(
                "rounds-progress",
                &[
                    ("submitted", r.submitted.to_string()),
                    ("reviews", r.reviews.to_string()),
                ],
            ),
            created: crate::usecases::danish_time(r.created_at),
        })
        .collect();
    Ok(render(&RoundsPage {
        c: Chrome::new(&ctx, "rounds-title"),
        notice: notice(tr, q.ok.as_deref()),
        rows,
    }))
}

// ---------------------------------------------------------------- plan form

#[derive(Template)]
#[template(path = "round_new.html")]
struct PlanPage {
    c: Chrome,
    errors: Vec<FieldMsg>,
    action: String,
    editing: bool,
    f: PlanFields,
    kinds: Vec<Opt>,
    versions: Vec<Opt>,
    milestones: Vec<(String, String, String)>,
    people: Vec<PersonOpt>,
    spots: Vec<Opt>,
    countings: Vec<Opt>,
}

impl PlanPage {
    fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct PersonOpt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Default)]
struct PlanFields {
    name: String,
    sizes: [String; 3],
    themes: String,
    reference_date: String,
    look_back: String,
    start_point: String,
    peer_review: bool,
    other_unit: bool,
    baseline: bool,
}

async fn plan_page(
    state: &AppState,
    ctx: &Ctx,
    action: String,
    editing: bool,
    pairs: Option<&Pairs>,
    existing: Option<(&str, &RoundPlan, Uuid)>,
    errors: Vec<FieldMsg>,
) -> AppResult<PlanPage> {
    let tr = ctx.tr();
    let who = ctx.authorize(&Action::PlanRounds).await?;
    let templates = state.store.list_templates().await?;
    let chosen_version = pairs
        .map(|p| get(p, "template_version").to_owned())
        .or(existing.map(|e| e.2.to_string()))
        .unwrap_or_default();
    let mut versions = vec![];
    let mut spots = vec![];
    let chosen_spots: Vec<String> = pairs
        .map(|p| {
            all(p, "theme_spots")
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .or(existing.map(|e| e.1.theme_spots.clone()))
        .unwrap_or_default();
    for t in &templates {
        for v in t
            .versions
            .iter()
            .filter(|v| v.status == VersionStatus::Published)
        {
            versions.push(Opt {
                value: v.id.to_string(),
                label: format!("{} (v{})", t.title, v.number),
                selected: chosen_version == v.id.to_string(),
            });
        }
    }
    // Temanedslag questions of the published templates, to choose from.
    for t in &templates {
        if let Some(v) = t
            .versions
            .iter()
            .find(|v| v.status == VersionStatus::Published)
        {
            let content = state.contents.get(&state.store, v.id).await?;
            for p in content.items() {
                if p.item.kind == ItemKind::ThemeSpot {
                    spots.push(Opt {
                        value: p.item.key.clone(),
                        label: format!(
                            "{} – {}",
                            p.item.key,
                            p.item.text.get(tr.0 == crate::i18n::Lang::En)
                        ),
                        selected: chosen_spots.contains(&p.item.key),
                    });
                }
            }
        }
    }
    spots.sort_by(|a, b| a.value.cmp(&b.value));
    spots.dedup_by(|a, b| a.value == b.value);
    let kind = pairs
        .map(|p| get(p, "kind").to_owned())
        .or(existing.map(|e| e.1.kind.code().to_owned()))
        .unwrap_or_else(|| "broad".into());
    let kinds = RoundKind::ALL
        .iter()
        .map(|k| Opt {
            value: k.code().into(),
            label: tr.t(&k.label_key()),
            selected: kind == k.code(),
        })
        .collect();
    let counting = pairs
        .map(|p| get(p, "counting").to_owned())
        .or(existing.map(|e| e.1.counting.code().to_owned()))
        .unwrap_or_else(|| CountingRule::default().code().into());
    let countings = CountingRule::ALL
        .iter()
        .map(|k| Opt {
            value: k.code().into(),
            label: tr.t(&k.label_key()),
            selected: counting == k.code(),
        })
        .collect();
    let milestones = MilestoneKind::ALL
        .iter()
        .map(|m| {
            let name = format!("m.{}", m.code());
            let value = pairs
                .map(|p| get(p, &name).to_owned())
                .or(existing.and_then(|e| e.1.milestone(*m).map(|d| d.to_string())))
                .unwrap_or_default();
            (name, tr.t(&m.label_key()), value)
        })
        .collect();
    // The working group: leaders, coordinators and caseworkers the planner can see.
    let org = uc::Org::load(&state.store).await?;
    let scope = case_scope(&who.subject, &who.tree);
    let chosen_group: Vec<String> = pairs
        .map(|p| all(p, "group").into_iter().map(str::to_owned).collect())
        .or(existing.map(|e| {
            e.1.working_group
                .iter()
                .map(|m| format!("{}:{}", m.user.0, m.role.code()))
                .collect()
        }))
        .unwrap_or_default();
    let mut people = vec![];
    for role in [Role::Leader, Role::Coordinator, Role::Caseworker] {
        for u in org.with_role(role) {
            let visible = org.grants.iter().any(|g| {
                g.user_id == u.id
                    && g.role == role
                    && org
                        .tree
                        .get(g.unit_id)
                        .is_some_and(|unit| scope.allows(Some(&unit.name)))
            });
            if !visible {
                continue;
            }
            let value = format!("{}:{}", u.id.0, role.code());
            people.push(PersonOpt {
                checked: chosen_group.contains(&value),
                label: format!("{} – {}", u.full_name, tr.t(role.label_key())),
                value,
            });
        }
    }
    let f = match (pairs, existing) {
        (Some(p), _) => PlanFields {
            name: get(p, "name").into(),
            sizes: [
                get(p, "size1").into(),
                get(p, "size2").into(),
                get(p, "size3").into(),
            ],
            themes: get(p, "themes").into(),
            reference_date: get(p, "reference_date").into(),
            look_back: get(p, "look_back_months").into(),
            start_point: get(p, "start_point").into(),
            peer_review: !get(p, "peer_review").is_empty(),
            other_unit: !get(p, "level2_other_unit").is_empty(),
            baseline: !get(p, "baseline").is_empty(),
        },
        (None, Some((name, plan, _))) => PlanFields {
            name: name.into(),
            sizes: [0, 1, 2].map(|i| {
                plan.level_sizes
                    .get(i)
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            }),
            themes: plan.themes.join("\n"),
            reference_date: plan.reference_date.to_string(),
            look_back: plan.look_back_months.to_string(),
            start_point: plan.start_point.clone(),
            peer_review: plan.rules.peer_review,
            other_unit: plan.rules.level2_other_unit,
            baseline: plan.baseline,
        },
        (None, None) => PlanFields {
            sizes: ["150".into(), "75".into(), String::new()],
            reference_date: today().to_string(),
            look_back: "12".into(),
            start_point: tr.t("round-start-point-default"),
            ..PlanFields::default()
        },
    };
    Ok(PlanPage {
        c: Chrome::new(
            ctx,
            if editing {
                "round-edit-title"
            } else {
                "round-new-title"
            },
        ),
        errors,
        action,
        editing,
        f,
        kinds,
        versions,
        milestones,
        people,
        spots,
        countings,
    })
}

pub async fn show_new_round(ctx: Ctx, State(state): State<AppState>) -> AppResult<Response> {
    let page = plan_page(&state, &ctx, "/rounds".into(), false, None, None, vec![]).await?;
    Ok(render(&page))
}

/// Reads the plan form. Field errors for what cannot be read; the use case checks the rest.
fn plan_from(p: &Pairs) -> Result<PlanInput, Problem> {
    let mut problem = Problem::default();
    let mut sizes = vec![];
    for (i, f) in ["size1", "size2", "size3"].iter().enumerate() {
        let v = get(p, f);
        if v.is_empty() {
            if i == 0 {
                problem.push(tilsyn_domain::FieldError::new("size1", "round-err-size"));
            }
            continue;
        }
        match v.parse::<usize>() {
            Ok(n) => sizes.push(n),
            Err(_) => problem.push(tilsyn_domain::FieldError::new(f, "round-err-size")),
        }
    }
    let kind = RoundKind::parse(get(p, "kind"));
    if kind.is_none() {
        problem.push(tilsyn_domain::FieldError::new("kind", "round-err-kind"));
    }
    let template_version = Uuid::parse_str(get(p, "template_version")).ok();
    if template_version.is_none() {
        problem.push(tilsyn_domain::FieldError::new(
            "template_version",
            "round-err-template",
        ));
    }
    let reference_date = NaiveDate::parse_from_str(get(p, "reference_date"), "%Y-%m-%d").ok();
    if reference_date.is_none() {
        problem.push(tilsyn_domain::FieldError::new(
            "reference_date",
            "round-err-date",
        ));
    }
    let look_back_months = get(p, "look_back_months").parse::<u32>().unwrap_or(0);
    let mut schedule = vec![];
    for m in MilestoneKind::ALL {
        let v = get(p, &format!("m.{}", m.code()));
        if v.is_empty() {
            continue;
        }
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(date) => schedule.push(Milestone { kind: m, date }),
            Err(_) => problem.push(tilsyn_domain::FieldError::new("schedule", "round-err-date")),
        }
    }
    let mut working_group = vec![];
    for g in all(p, "group") {
        let parsed = g.split_once(':').and_then(|(u, r)| {
            Some(Member {
                user: UserId(Uuid::parse_str(u).ok()?),
                role: Role::parse(r).ok()?,
            })
        });
        match parsed {
            Some(m) => working_group.push(m),
            None => problem.push(tilsyn_domain::FieldError::new(
                "working_group",
                "round-err-group-twice",
            )),
        }
    }
    let counting = CountingRule::parse(get(p, "counting")).unwrap_or_default();
    problem.clone().into_result()?;
    let (Some(kind), Some(template_version), Some(reference_date)) =
        (kind, template_version, reference_date)
    else {
        return Err(problem);
    };
    Ok(PlanInput {
        name: get(p, "name").to_owned(),
        template_version,
        plan: RoundPlan {
            kind,
            level_sizes: sizes,
            themes: get(p, "themes")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            theme_spots: all(p, "theme_spots")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            working_group,
            schedule,
            baseline: !get(p, "baseline").is_empty(),
            rules: ReviewRules {
                peer_review: !get(p, "peer_review").is_empty(),
                level2_other_unit: !get(p, "level2_other_unit").is_empty(),
            },
            counting,
            reference_date,
            start_point: get(p, "start_point").to_owned(),
            look_back_months,
        },
    })
}

pub async fn create_round(
    ctx: Ctx,
    State(state): State<AppState>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let result = match plan_from(&p) {
        Ok(input) => uc::create_round(&state.store, &ctx, &input).await,
        Err(problem) => Err(problem.into()),
    };
    match result {
        Ok(id) => Ok(see_other(&format!("/rounds/{id}"), "round-created")),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            let page = plan_page(
                &state,
                &ctx,
                "/rounds".into(),
                false,
                Some(&p),
                None,
                errors,
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

pub async fn show_edit_round(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (round, _) = uc::owned_round(&state.store, &ctx, id).await?;
    let page = plan_page(
        &state,
        &ctx,
        format!("/rounds/{id}/plan"),
        true,
        None,
        Some((&round.name, &round.plan, round.template_version_id)),
        vec![],
    )
    .await?;
    Ok(render(&page))
}

pub async fn update_round(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let result = match plan_from(&p) {
        Ok(input) => uc::update_plan(&state.store, &ctx, id, &input).await,
        Err(problem) => Err(problem.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/rounds/{id}"), "round-saved")),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            let page = plan_page(
                &state,
                &ctx,
                format!("/rounds/{id}/plan"),
                true,
                Some(&p),
                None,
                errors,
            )
            .await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- one round

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
    has_results: bool,
    /// Earlier rounds' actions asking for questions to be reviewed again: (action, round,
    /// the questions and sections as numbered here).
    reaudits: Vec<(String, String, String)>,
    c: Chrome,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    id: Uuid,
    name: String,
    state: String,
    facts: Vec<(String, String)>,
    warnings: Vec<String>,
    next: Vec<(String, String)>,
    draft: bool,
    assignable: bool,
    samples: Vec<Opt>,
    levels: Vec<LevelLine>,
    lawyers: Vec<Opt>,
    reviewers: Vec<Opt>,
    cases: Vec<CaseLine>,
    escalations: Vec<EscalationLine>,
    can_edit_plan: bool,
}

impl RoundPage {
    fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

struct LevelLine {
    level: u8,
    cases: usize,
    assigned: usize,
    submitted: usize,
}

struct CaseLine {
    key: String,
    href: String,
    case_type: String,
    unit: String,
    reviews: Vec<ReviewCell>,
    complete: bool,
}

struct ReviewCell {
    id: Uuid,
    level: u8,
    reviewer: String,
    status: String,
    progress: String,
    submitted: bool,
    href: String,
}

pub struct EscalationLine {
    pub id: Uuid,
    pub case_key: String,
    pub round_name: String,
    pub reason: String,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    pub closed: Option<String>,
}

fn escalation_lines(tr: Tr, list: Vec<tilsyn_store::rounds::Escalation>) -> Vec<EscalationLine> {
    let today = today();
    list.into_iter()
        .map(|e| EscalationLine {
            id: e.id,
            case_key: e.case_key,
            round_name: e.round_name,
            reason: e.reason,
            owner: e.owner_name.unwrap_or_else(|| tr.t("round-nobody")),
            due: e.due.map(dk).unwrap_or_default(),
            overdue: e.closed_at.is_none() && e.due.is_some_and(|d| d < today),
            closed: e.closed_at.map(|t| {
                format!(
                    "{} – {}",
                    crate::usecases::danish_time(t),
                    e.closing_note.unwrap_or_default()
                )
            }),
        })
        .collect()
}

async fn round_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    notice_key: Option<&str>,
    errors: Vec<FieldMsg>,
) -> AppResult<RoundPage> {
    let (round, who) = uc::owned_round(&state.store, ctx, id).await?;
    let tr = ctx.tr();
    let store = &state.store;
    let warnings = uc::plan_warnings(store, &round)
        .await?
        .iter()
        .map(|w| warning_text(tr, w))
        .collect();
    let reviews = store.round_reviews(id).await?;
    let cases = store.round_cases(id).await?;
    let org = uc::Org::load(store).await?;
    let version = store
        .template_version_by_id(round.template_version_id)
        .await?;
    let plan = &round.plan;
    let sizes = plan
        .level_sizes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" → ");
    let mut facts = vec![
        (tr.t("round-fact-kind"), tr.t(&plan.kind.label_key())),
        (
            tr.t("round-fact-template"),
            format!(
                "{} (v{})",
                version.content.title.get(tr.0 == crate::i18n::Lang::En),
                version.meta.number
            ),
        ),
        (tr.t("round-fact-sizes"), sizes),
        (
            tr.t("round-fact-reference"),
            format!(
                "{} · {}",
                dk(plan.reference_date),
                tr.t1(
                    "round-look-back",
                    "date",
                    plan.look_back().map(dk).unwrap_or_default()
                )
            ),
        ),
        (tr.t("round-fact-start-point"), plan.start_point.clone()),
        (
            tr.t("round-fact-counting"),
            tr.t(&plan.counting.label_key()),
        ),
        (tr.t("round-fact-rules"), {
            let (a, b) = uc::rules_text(plan.rules);
            format!("{} · {}", tr.t(a), tr.t(b))
        }),
    ];
    if !plan.themes.is_empty() {
        facts.push((tr.t("round-fact-themes"), plan.themes.join(", ")));
    }
    if !plan.theme_spots.is_empty() {
        facts.push((tr.t("round-fact-theme-spots"), plan.theme_spots.join(", ")));
    }
    if plan.baseline {
        facts.push((tr.t("round-fact-baseline"), tr.t("yes")));
    }
    for m in &plan.schedule {
        facts.push((tr.t(&m.kind.label_key()), dk(m.date)));
    }
    if !plan.working_group.is_empty() {
        facts.push((
            tr.t("round-fact-group"),
            plan.working_group
                .iter()
                .map(|m| format!("{} ({})", org.name(m.user), tr.t(m.role.label_key())))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    let next = round
        .state
        .next()
        .iter()
        .filter(|s| **s != RoundState::Sampled)
        .map(|s| (s.code().to_owned(), tr.t(&format!("round-to-{}", s.code()))))
        .collect();
    let scope = case_scope(&who.subject, &who.tree);
    let samples = if round.state == RoundState::Draft {
        store
            .list_samples(50)
            .await?
            .into_iter()
            .filter(|s| scope.covers(&CaseScope::from_names(&s.scope)))
            .map(|s| Opt {
                value: s.id.to_string(),
                label: format!(
                    "{} · {} · {}",
                    crate::usecases::danish_time(s.created_at),
                    s.level_sizes,
                    s.created_by_name.unwrap_or_default()
                ),
                selected: false,
            })
            .collect()
    } else {
        vec![]
    };
    let levels = (1..=3u8)
        .map(|l| {
            let at: Vec<_> = reviews.iter().filter(|r| r.level == l).collect();
            LevelLine {
                level: l,
                cases: at.len(),
                assigned: at.iter().filter(|r| r.reviewer.is_some()).count(),
                submitted: at
                    .iter()
                    .filter(|r| r.status == ReviewStatus::Submitted)
                    .count(),
            }
        })
        .filter(|l| l.cases > 0)
        .collect();
    let opt = |u: &tilsyn_domain::org::User| Opt {
        value: u.id.0.to_string(),
        label: u.full_name.clone(),
        selected: false,
    };
    let lawyers = org.with_role(Role::Lawyer).into_iter().map(opt).collect();
    let mut reviewers: Vec<Opt> = org
        .with_role(Role::Leader)
        .into_iter()
        .chain(org.with_role(Role::Coordinator))
        .chain(org.with_role(Role::Lawyer))
        .chain(org.with_role(Role::Caseworker))
        .map(opt)
        .collect();
    reviewers.dedup_by(|a, b| a.value == b.value);
    let mut by_case: BTreeMap<&str, Vec<&tilsyn_store::rounds::Review>> = BTreeMap::new();
    for r in &reviews {
        by_case.entry(r.case_key.as_str()).or_default().push(r);
    }
    let case_lines = cases
        .iter()
        .map(|c| {
            let rs = by_case.get(c.key.as_str()).cloned().unwrap_or_default();
            CaseLine {
                key: c.key.clone(),
                href: format!("/rounds/{id}/case?key={}", urlencoding::encode(&c.key)),
                case_type: c.record.case_type.clone(),
                unit: c.record.unit.clone().unwrap_or_default(),
                complete: !rs.is_empty() && rs.iter().all(|r| r.status == ReviewStatus::Submitted),
                reviews: rs
                    .iter()
                    .map(|r| ReviewCell {
                        id: r.id,
                        level: r.level,
                        reviewer: r
                            .reviewer_name
                            .clone()
                            .unwrap_or_else(|| tr.t("round-unassigned")),
                        status: tr.t(&format!("review-status-{}", r.status.code())),
                        progress: progress_text(tr, r.progress),
                        submitted: r.status == ReviewStatus::Submitted,
                        href: format!("/reviews/{}", r.id),
                    })
                    .collect(),
            }
        })
        .collect();
    let escalations = escalation_lines(tr, store.escalations(Some(id), None).await?);
    let content = state.contents.get(store, round.template_version_id).await?;
    let numbers = content.numbering();
    let reaudits = crate::actions::reaudits_for(store, &round, &content)
        .await?
        .into_iter()
        .map(|a| {
            let keys = a.links.sections.iter().chain(&a.links.items);
            let labels: Vec<String> = keys
                .map(|k| match (numbers.get(k), content.item(k)) {
                    (Some(n), Some(i)) => {
                        format!("{n} {}", i.text.get(ctx.lang == crate::i18n::Lang::En))
                    }
                    (Some(n), None) => n.clone(),
                    _ => k.clone(),
                })
                .collect();
            (
                a.description,
                a.round_name.unwrap_or_default(),
                labels.join("; "),
            )
        })
        .collect();
    Ok(RoundPage {
        reaudits,
        // Results count complete cases only, so they exist as soon as one case is done.
        has_results: round.state != RoundState::Draft && round.state != RoundState::Sampled,
        c: Chrome::new(ctx, "round-title").with_title(round.name.clone()),
        notice: notice(tr, notice_key),
        errors,
        id,
        name: round.name.clone(),
        state: tr.t(&round.state.label_key()),
        facts,
        warnings,
        next,
        draft: round.state == RoundState::Draft,
        assignable: matches!(round.state, RoundState::Sampled | RoundState::Reviewing),
        samples,
        levels,
        lawyers,
        reviewers,
        cases: case_lines,
        escalations,
        can_edit_plan: matches!(round.state, RoundState::Draft | RoundState::Sampled),
    })
}

fn progress_text(tr: Tr, p: Progress) -> String {
    tr.targs(
        "review-progress",
        &[
            ("answered", p.answered.to_string()),
            ("applicable", p.applicable.to_string()),
        ],
    )
}

pub async fn show_round(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    let page = round_page(&state, &ctx, id, q.ok.as_deref(), vec![]).await?;
    Ok(render(&page))
}

/// Renders the round page again with the problem (a refused step changes nothing).
async fn round_problem(state: &AppState, ctx: &Ctx, id: Uuid, e: AppError) -> AppResult<Response> {
    let errors = match &e {
        AppError::Invalid(p) => field_msgs(ctx.tr(), p),
        AppError::Conflict(key) => vec![FieldMsg {
            field: "round-actions".into(),
            message: ctx.tr().t(key),
        }],
        _ => return Err(e),
    };
    let status = e.status();
    let page = round_page(state, ctx, id, None, errors).await?;
    Ok(render_status(status, &page))
}

pub async fn attach_sample(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let sample =
        Uuid::parse_str(get(&p, "sample")).map_err(|_| Problem::one("sample", "round-err-sample"));
    let result = match sample {
        Ok(s) => uc::attach_sample(&state.store, &ctx, &state.contents, id, s, today())
            .await
            .map(|_| ()),
        Err(p) => Err(p.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/rounds/{id}"), "round-sampled")),
        Err(e) => round_problem(&state, &ctx, id, e).await,
    }
}

pub async fn change_state(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let Some(to) = RoundState::parse(get(&p, "to")) else {
        return Err(AppError::BadRequest);
    };
    match uc::change_state(&state.store, &ctx, id, to).await {
        Ok(()) => Ok(see_other(
            &format!("/rounds/{id}"),
            "round-state-changed-msg",
        )),
        Err(e) => round_problem(&state, &ctx, id, e).await,
    }
}

pub async fn assign(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let level = get(&p, "level").parse::<u8>().unwrap_or(1).clamp(1, 3);
    let sparring = Uuid::parse_str(get(&p, "sparring")).ok().map(UserId);
    match uc::auto_assign(&state.store, &ctx, id, level, sparring).await {
        Ok(r) if r.unassigned.is_empty() => {
            Ok(see_other(&format!("/rounds/{id}"), "round-assigned"))
        }
        Ok(r) => {
            let tr = ctx.tr();
            let errors = vec![FieldMsg {
                field: "round-actions".into(),
                message: tr.targs(
                    "round-assign-some-left",
                    &[
                        ("assigned", r.assigned.to_string()),
                        ("left", r.unassigned.len().to_string()),
                        ("cases", r.unassigned.join(", ")),
                    ],
                ),
            }];
            let page = round_page(&state, &ctx, id, None, errors).await?;
            Ok(render_status(StatusCode::OK, &page))
        }
        Err(e) => round_problem(&state, &ctx, id, e).await,
    }
}

pub async fn reassign(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let reviews: Vec<Uuid> = all(&p, "review")
        .into_iter()
        .filter_map(|s| Uuid::parse_str(s).ok())
        .collect();
    let reviewer = Uuid::parse_str(get(&p, "reviewer")).ok().map(UserId);
    let result = match (reviews.is_empty(), reviewer) {
        (true, _) => Err(Problem::one("review", "round-err-pick-reviews").into()),
        (_, None) => Err(Problem::one("reviewer", "round-err-pick-reviewer").into()),
        (false, Some(r)) => uc::reassign(&state.store, &ctx, id, &reviews, r).await,
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/rounds/{id}"), "round-assigned")),
        Err(e) => round_problem(&state, &ctx, id, e).await,
    }
}

// ---------------------------------------------------------------- task list

#[derive(Template)]
#[template(path = "reviews.html")]
struct TasksPage {
    c: Chrome,
    notice: Option<String>,
    rows: Vec<TaskLine>,
    total: String,
    escalations: Vec<EscalationLine>,
}

pub struct TaskLine {
    pub href: String,
    pub round: String,
    pub case_key: String,
    pub level: u8,
    pub due: String,
    pub overdue: bool,
    pub status: String,
    pub progress: String,
    pub percent: u32,
    pub submitted: bool,
}

/// The signed-in person's reviews and the escalations they own (also on the dashboard).
pub async fn tasks(
    state: &AppState,
    ctx: &Ctx,
) -> AppResult<(Vec<TaskLine>, Progress, Vec<EscalationLine>)> {
    let who = ctx.signed_in()?;
    let tr = ctx.tr();
    let today = today();
    let mut total = Progress::default();
    let rows = state
        .store
        .tasks_of(who.user.id)
        .await?
        .into_iter()
        .map(|t| {
            let r = t.review;
            // The overall figure is the work under way: rounds still being reviewed.
            if t.round_state == RoundState::Reviewing {
                total = total + r.progress;
            }
            TaskLine {
                href: format!("/reviews/{}", r.id),
                round: t.round_name,
                case_key: r.case_key,
                level: r.level,
                due: r.due.map(dk).unwrap_or_default(),
                overdue: r.status == ReviewStatus::Open && r.due.is_some_and(|d| d < today),
                status: tr.t(&format!("review-status-{}", r.status.code())),
                progress: progress_text(tr, r.progress),
                percent: r.progress.percent(),
                submitted: r.status == ReviewStatus::Submitted,
            }
        })
        .collect();
    let escalations = escalation_lines(
        tr,
        state
            .store
            .escalations(None, Some(who.user.id))
            .await?
            .into_iter()
            .filter(|e| e.closed_at.is_none())
            .collect(),
    );
    Ok((rows, total, escalations))
}

pub async fn list_tasks(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Action::Review).await?;
    let tr = ctx.tr();
    let (rows, total, escalations) = tasks(&state, &ctx).await?;
    Ok(render(&TasksPage {
        c: Chrome::new(&ctx, "reviews-title"),
        notice: notice(tr, q.ok.as_deref()),
        rows,
        total: progress_text(tr, total),
        escalations,
    }))
}

// ---------------------------------------------------------------- the review form

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    id: Uuid,
    round_href: Option<String>,
    round_name: String,
    facts: Vec<(String, String)>,
    status: String,
    can_edit: bool,
    blinded: bool,
    version: i64,
    form: FormView,
    /// The same words the autosave answer uses, so the text does not change on save.
    progress: String,
    reviewer: String,
    can_reopen: bool,
    case_href: String,
    list_progress: String,
}

impl ReviewPage {
    fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

fn deadline_text(tr: Tr, d: Deadline) -> Option<String> {
    match d {
        Deadline::Met { due } => Some(tr.t1("deadline-met", "due", dk(due))),
        Deadline::Missed { due } => Some(tr.t1("deadline-missed", "due", dk(due))),
        Deadline::Open { due } => Some(tr.t1("deadline-open", "due", dk(due))),
        Deadline::Unknown => None,
    }
}

async fn review_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    notice_key: Option<&str>,
    errors: Vec<FieldMsg>,
    conflicts: &BTreeMap<String, String>,
    posted: Option<&Pairs>,
) -> AppResult<ReviewPage> {
    let v = uc::open_review(&state.store, ctx, &state.contents, id, "page").await?;
    let tr = ctx.tr();
    let en = tr.0 == crate::i18n::Lang::En;
    let mut entries = v.entries();
    // A refused post shows what the person typed, not what is stored.
    if let Some(p) = posted {
        for item in v.content.items() {
            let k = &item.item.key;
            if p.iter().any(|(name, _)| name == &format!("v.{k}")) {
                let e = entries.entry(k.clone()).or_default();
                e.value = get(p, &format!("a.{k}")).to_owned();
                e.remark = get(p, &format!("r.{k}")).to_owned();
                e.override_reason = get(p, &format!("o.{k}")).to_owned();
            }
        }
    }
    let values = answer_values(&entries);
    let mut form = form_view(tr, &v.content, &v.eval, &values);
    let deadlines: BTreeMap<&str, &tilsyn_domain::deadline::Prefill> =
        v.deadlines.iter().map(|p| (p.item.as_str(), p)).collect();
    for item in form.items_mut() {
        let stored = v.answers.get(&item.key);
        let entry = entries.get(&item.key);
        item.saved.stored = v.can_edit;
        item.saved.read_only = !v.can_edit;
        item.saved.version = stored.map(|s| s.version).unwrap_or(0);
        item.saved.remark = entry.map(|e| e.remark.clone()).unwrap_or_default();
        item.saved.override_reason = entry.map(|e| e.override_reason.clone()).unwrap_or_default();
        item.saved.prefill = entry.and_then(|e| e.prefill.as_ref()).map(|code| {
            let label = v
                .content
                .item(&item.key)
                .and_then(|i| v.content.scale(&i.scale))
                .and_then(|s| s.point(code))
                .map(|p| p.label.get(en).to_owned())
                .unwrap_or_else(|| code.clone());
            tr.t1("review-prefill-suggests", "answer", label)
        });
        item.saved.deadline = deadlines
            .get(item.key.as_str())
            .and_then(|p| deadline_text(tr, p.deadline));
        item.saved.conflict = conflicts.get(&item.key).cloned();
        item.saved.by = stored.and_then(|s| {
            s.updated_by_name.as_ref().map(|by| {
                tr.targs(
                    "review-saved-by",
                    &[
                        ("name", by.clone()),
                        ("at", crate::usecases::danish_time(s.updated_at)),
                    ],
                )
            })
        });
    }
    let case = &v.case.record;
    let mut facts = vec![
        (tr.t("col-case-type"), case.case_type.clone()),
        (tr.t("col-unit"), case.unit.clone().unwrap_or_default()),
        (
            tr.t("col-caseworker"),
            case.caseworker.clone().unwrap_or_default(),
        ),
    ];
    if let Some(d) = case.measure_start {
        facts.push((tr.t("case-field-measure-start"), dk(d)));
    }
    if let Some(d) = case.decision_date {
        facts.push((tr.t("case-field-decision-date"), dk(d)));
    }
    if let Some(d) = case.underretning_received {
        facts.push((tr.t("case-field-underretning-received"), dk(d)));
    }
    facts.push((
        tr.t("round-fact-start-point"),
        format!(
            "{} · {}",
            v.round.plan.start_point,
            tr.t1(
                "round-look-back",
                "date",
                v.round.plan.look_back().map(dk).unwrap_or_default()
            )
        ),
    ));
    let who = ctx.signed_in()?;
    let mine: Progress = state
        .store
        .tasks_of(who.user.id)
        .await?
        .iter()
        .filter(|t| t.round_state == RoundState::Reviewing)
        .fold(Progress::default(), |acc, t| acc + t.review.progress);
    if v.may_read {
        form.answered = v.progress().answered;
    }
    Ok(ReviewPage {
        c: Chrome::new(ctx, "review-title").with_title(tr.targs(
            "review-heading",
            &[
                ("case", v.case.key.clone()),
                ("level", v.review.level.to_string()),
            ],
        )),
        notice: notice(tr, notice_key),
        errors,
        id,
        round_href: v
            .standing
            .runs_round
            .then(|| format!("/rounds/{}", v.round.id)),
        round_name: v.round.name.clone(),
        facts,
        status: tr.t(&format!("review-status-{}", v.review.status.code())),
        can_edit: v.can_edit,
        blinded: !v.may_read,
        version: v.review.version,
        progress: progress_text(
            tr,
            Progress {
                answered: form.answered,
                applicable: form.applicable,
            },
        ),
        form,
        reviewer: v
            .review
            .reviewer_name
            .clone()
            .unwrap_or_else(|| tr.t("round-unassigned")),
        can_reopen: v.standing.runs_round
            && v.review.status == ReviewStatus::Submitted
            && v.round.state != RoundState::Closed,
        case_href: format!(
            "/rounds/{}/case?key={}",
            v.round.id,
            urlencoding::encode(&v.case.key)
        ),
        list_progress: progress_text(tr, mine),
    })
}

pub async fn show_review(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    let page = review_page(
        &state,
        &ctx,
        id,
        q.ok.as_deref(),
        vec![],
        &BTreeMap::new(),
        None,
    )
    .await?;
    Ok(render(&page))
}

/// The review page again with what was wrong (nothing was changed), as 422.
async fn review_refused(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    errors: Vec<FieldMsg>,
    posted: Option<&Pairs>,
) -> AppResult<Response> {
    let page = review_page(state, ctx, id, None, errors, &BTreeMap::new(), posted).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The changes a posted form (or an autosave) carries: one per item with a version field.
fn changes_from(p: &Pairs) -> Vec<AnswerChange> {
    p.iter()
        .filter_map(|(name, version)| {
            let item = name.strip_prefix("v.")?;
            Some(AnswerChange {
                item: item.to_owned(),
                value: get(p, &format!("a.{item}")).to_owned(),
                remark: get(p, &format!("r.{item}")).to_owned(),
                override_reason: get(p, &format!("o.{item}")).to_owned(),
                base_version: version.trim().parse().unwrap_or(-1),
            })
        })
        .collect()
}

/// The conflict message per item, naming the other answer by its label.
async fn conflict_texts(
    state: &AppState,
    tr: Tr,
    review: Uuid,
    out: &SaveOutcome,
) -> AppResult<BTreeMap<String, String>> {
    if out.conflicts.is_empty() {
        return Ok(BTreeMap::new());
    }
    let round = state
        .store
        .round(state.store.review(review).await?.round_id)
        .await?;
    let content = state
        .contents
        .get(&state.store, round.template_version_id)
        .await?;
    let en = tr.0 == crate::i18n::Lang::En;
    Ok(out
        .conflicts
        .iter()
        .map(|c| {
            let code = &c.theirs.entry.value;
            let label = content
                .item(&c.item)
                .and_then(|i| content.scale(&i.scale))
                .and_then(|s| s.point(code))
                .map(|p| p.label.get(en).to_owned())
                .unwrap_or_else(|| code.clone());
            (
                c.item.clone(),
                tr.targs(
                    "review-conflict",
                    &[
                        ("name", c.theirs.updated_by_name.clone().unwrap_or_default()),
                        ("at", crate::usecases::danish_time(c.theirs.updated_at)),
                        ("value", label),
                    ],
                ),
            )
        })
        .collect())
}

/// A plain form post: save, then either back to the form or on to submit.
pub async fn save_review(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let changes = changes_from(&p);
    match uc::save_answers(&state.store, &ctx, &state.contents, id, &changes).await? {
        Err(bad) => {
            let errors = vec![FieldMsg {
                field: "review-form".into(),
                message: format!("{}: {}", bad.item, tr.t(bad.problem.key())),
            }];
            review_refused(&state, &ctx, id, errors, Some(&p)).await
        }
        Ok(out) if !out.conflicts.is_empty() => {
            let conflicts = conflict_texts(&state, tr, id, &out).await?;
            let errors = vec![FieldMsg {
                field: "review-form".into(),
                message: tr.t1("review-conflicts", "count", out.conflicts.len()),
            }];
            // The page shows the other person's answers with a note; the person's own input
            // for those items is lost only if they choose to keep theirs by saving again.
            let page = review_page(&state, &ctx, id, None, errors, &conflicts, None).await?;
            Ok(render_status(StatusCode::CONFLICT, &page))
        }
        Ok(out) => {
            if get(&p, "then") == "submit" {
                return submit_now(&state, &ctx, id, out.review_version).await;
            }
            Ok(see_other(&format!("/reviews/{id}"), "review-saved"))
        }
    }
}

async fn submit_now(state: &AppState, ctx: &Ctx, id: Uuid, version: i64) -> AppResult<Response> {
    let tr = ctx.tr();
    match uc::submit_review(&state.store, ctx, &state.contents, id, version).await {
        Ok(problems) if problems.is_empty() => Ok(see_other("/reviews", "review-submitted")),
        Ok(problems) => {
            let v = state.store.review(id).await?;
            let round = state.store.round(v.round_id).await?;
            let content = state
                .contents
                .get(&state.store, round.template_version_id)
                .await?;
            let numbers = content.numbering();
            // The summary's links use `field` as the anchor: each goes to its question.
            let errors = problems
                .iter()
                .map(|p: &SubmitProblem| FieldMsg {
                    field: format!("item-{}", p.item()).into(),
                    message: format!(
                        "{} {}",
                        numbers.get(p.item()).cloned().unwrap_or_default(),
                        tr.t(p.key())
                    ),
                })
                .collect();
            review_refused(state, ctx, id, errors, None).await
        }
        Err(AppError::Conflict(key)) => {
            let errors = vec![FieldMsg {
                field: "review-form".into(),
                message: tr.t(key),
            }];
            let page = review_page(state, ctx, id, None, errors, &BTreeMap::new(), None).await?;
            Ok(render_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e),
    }
}

/// Autosave from the page's script: the changed items, answered with versions and progress.
pub async fn autosave(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let changes = changes_from(&p);
    match uc::save_answers(&state.store, &ctx, &state.contents, id, &changes).await? {
        Err(bad) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "item": bad.item,
                "message": tr.t(bad.problem.key()),
            })),
        )
            .into_response()),
        Ok(out) => {
            let conflicts = conflict_texts(&state, tr, id, &out).await?;
            let body = serde_json::json!({
                "saved": out.saved.iter().map(|(k, v)| (k.clone(), *v)).collect::<BTreeMap<_, _>>(),
                "conflicts": out.conflicts.iter().map(|c| serde_json::json!({
                    "item": c.item,
                    "message": conflicts.get(&c.item),
                    "value": c.theirs.entry.value,
                    "remark": c.theirs.entry.remark,
                    "version": c.theirs.version,
                })).collect::<Vec<_>>(),
                "progress": progress_text(tr, out.progress),
                "answered": out.progress.answered,
                "applicable": out.progress.applicable,
                "version": out.review_version,
                "saved_at": tr.t1("review-saved-at", "at", crate::usecases::danish_time(chrono::Utc::now())),
            });
            let status = if out.conflicts.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::CONFLICT
            };
            Ok((status, Json(body)).into_response())
        }
    }
}

pub async fn submit_review(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let version = get(&p, "version").parse::<i64>().unwrap_or(-1);
    submit_now(&state, &ctx, id, version).await
}

pub async fn mark_section(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    // The button sits in the review form: save what was typed first, so nothing is lost.
    let changes = changes_from(&p);
    if !changes.is_empty()
        && let Err(bad) =
            uc::save_answers(&state.store, &ctx, &state.contents, id, &changes).await?
    {
        let tr = ctx.tr();
        let errors = vec![FieldMsg {
            field: "review-form".into(),
            message: format!("{}: {}", bad.item, tr.t(bad.problem.key())),
        }];
        return review_refused(&state, &ctx, id, errors, Some(&p)).await;
    }
    let (section, reason) = match get(&p, "unmark") {
        "" => {
            let section = get(&p, "section").to_owned();
            let reason = get(&p, &format!("mark.{section}")).to_owned();
            if reason.is_empty() {
                let errors = vec![FieldMsg {
                    field: format!("mark-{section}").into(),
                    message: ctx.tr().t("review-err-mark-reason"),
                }];
                return review_refused(&state, &ctx, id, errors, None).await;
            }
            (section, reason)
        }
        unmark => (unmark.to_owned(), String::new()),
    };
    uc::mark_section(&state.store, &ctx, &state.contents, id, &section, &reason).await?;
    Ok(see_other(&format!("/reviews/{id}"), "review-saved"))
}

pub async fn reopen_review(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    match uc::reopen_review(&state.store, &ctx, id, get(&p, "reason")).await {
        Ok(round) => Ok(see_other(&format!("/rounds/{round}"), "review-reopened")),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            review_refused(&state, &ctx, id, errors, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn escalate(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let due = match get(&p, "due") {
        "" => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let errors = field_msgs(ctx.tr(), &Problem::one("due", "escalation-err-due"));
                return review_refused(&state, &ctx, id, errors, None).await;
            }
        },
    };
    match uc::escalate(&state.store, &ctx, id, get(&p, "reason"), due, today()).await {
        Ok(_) => Ok(see_other(&format!("/reviews/{id}"), "escalation-created")),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            review_refused(&state, &ctx, id, errors, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn close_escalation(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    match uc::close_escalation(&state.store, &ctx, id, get(&p, "note")).await {
        Ok(()) => Ok(see_other("/reviews", "escalation-closed-msg")),
        Err(AppError::Invalid(_)) => Ok(see_other("/reviews", "escalation-note-needed")),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- case: reconciliation, reply

#[derive(Template)]
#[template(path = "round_case.html")]
struct CasePage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    round_id: Uuid,
    round_href: Option<String>,
    key: String,
    complete: bool,
    levels: Vec<String>,
    reviews: Vec<(String, String, Option<String>)>,
    diffs: Vec<DiffLine>,
    can_decide: bool,
    counting: String,
    replies: Vec<(String, String, String)>,
    can_reply: bool,
}

impl CasePage {
    fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

struct DiffLine {
    item: String,
    number: String,
    text: String,
    cells: Vec<(String, String)>,
    agreed: Option<String>,
    choices: Vec<Opt>,
}

#[derive(Deserialize)]
pub struct CaseQuery {
    key: String,
    #[serde(default)]
    ok: Option<String>,
}

async fn case_page(
    state: &AppState,
    ctx: &Ctx,
    round_id: Uuid,
    key: &str,
    notice_key: Option<&str>,
    errors: Vec<FieldMsg>,
) -> AppResult<CasePage> {
    let r = uc::reconciliation(&state.store, ctx, &state.contents, round_id, key).await?;
    let tr = ctx.tr();
    let en = tr.0 == crate::i18n::Lang::En;
    let numbers = r.content.numbering();
    let label = |item: &str, code: &str| -> String {
        if code.is_empty() {
            return tr.t("reconcile-blank");
        }
        r.content
            .item(item)
            .and_then(|i| r.content.scale(&i.scale))
            .and_then(|s| s.point(code))
            .map(|p| p.label.get(en).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };
    let diffs = r
        .differences
        .iter()
        .map(|d| {
            let item = r.content.item(&d.item);
            let choices = item
                .and_then(|i| r.content.scale(&i.scale))
                .map(|s| {
                    s.points
                        .iter()
                        .map(|p| Opt {
                            value: p.code.clone(),
                            label: p.label.get(en).to_owned(),
                            selected: d.agreed.as_ref().is_some_and(|a| a.value == p.code),
                        })
                        .collect()
                })
                .unwrap_or_default();
            DiffLine {
                number: numbers.get(&d.item).cloned().unwrap_or_default(),
                text: item.map(|i| i.text.get(en).to_owned()).unwrap_or_default(),
                cells: d
                    .by_level
                    .iter()
                    .map(|a| match a {
                        Some(a) => (label(&d.item, &a.entry.value), a.entry.remark.clone()),
                        None => (tr.t("reconcile-blank"), String::new()),
                    })
                    .collect(),
                agreed: d.agreed.as_ref().map(|a| {
                    format!(
                        "{} – {} ({})",
                        label(&d.item, &a.value),
                        a.note,
                        a.decided_by_name.clone().unwrap_or_default()
                    )
                }),
                choices,
                item: d.item.clone(),
            }
        })
        .collect();
    let reviews = r
        .reviews
        .iter()
        .map(|rv| {
            (
                tr.t1("review-level", "level", rv.level),
                format!(
                    "{} · {}",
                    rv.reviewer_name
                        .clone()
                        .unwrap_or_else(|| tr.t("round-unassigned")),
                    tr.t(&format!("review-status-{}", rv.status.code()))
                ),
                // Links only for reviews the reader may open.
                (r.standing.runs_round
                    || r.standing.takes_part_at.contains(&rv.level)
                    || r.complete)
                    .then(|| format!("/reviews/{}", rv.id)),
            )
        })
        .collect();
    Ok(CasePage {
        c: Chrome::new(ctx, "case-review-title").with_title(tr.t1(
            "case-review-heading",
            "case",
            key,
        )),
        notice: notice(tr, notice_key),
        errors,
        round_id,
        round_href: r.standing.runs_round.then(|| format!("/rounds/{round_id}")),
        key: key.to_owned(),
        complete: r.complete,
        levels: r
            .reviews
            .iter()
            .map(|rv| tr.t1("review-level", "level", rv.level))
            .collect(),
        reviews,
        diffs,
        can_decide: r.standing.runs_round && r.complete && r.round.state != RoundState::Closed,
        counting: tr.t(&r.round.plan.counting.label_key()),
        replies: r
            .replies
            .iter()
            .map(|x| {
                (
                    x.author_name.clone().unwrap_or_default(),
                    crate::usecases::danish_time(x.created_at),
                    x.text.clone(),
                )
            })
            .collect(),
        can_reply: r.standing.is_caseworker && r.complete && r.round.state != RoundState::Closed,
    })
}

pub async fn show_case(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<CaseQuery>,
) -> AppResult<Response> {
    let page = case_page(&state, &ctx, id, &q.key, q.ok.as_deref(), vec![]).await?;
    Ok(render(&page))
}

pub async fn record_agreed(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let key = get(&p, "key").to_owned();
    let item = get(&p, "item").to_owned();
    let r = uc::record_agreed(
        &state.store,
        &ctx,
        id,
        &key,
        &item,
        get(&p, &format!("value.{item}")),
        get(&p, &format!("note.{item}")),
    )
    .await;
    let back = format!("/rounds/{id}/case?key={}", urlencoding::encode(&key));
    match r {
        Ok(()) => Ok(see_other(&back, "reconcile-saved")),
        Err(AppError::Invalid(problem)) => {
            let tr = ctx.tr();
            let errors = problem
                .0
                .iter()
                .map(|e| FieldMsg {
                    field: format!("{}.{item}", e.field).into(),
                    message: tr.t(e.key),
                })
                .collect();
            let page = case_page(&state, &ctx, id, &key, None, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

pub async fn add_reply(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let key = get(&p, "key").to_owned();
    let back = format!("/rounds/{id}/case?key={}", urlencoding::encode(&key));
    match uc::add_reply(&state.store, &ctx, id, &key, get(&p, "text")).await {
        Ok(()) => Ok(see_other(&back, "reply-saved")),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            let page = case_page(&state, &ctx, id, &key, None, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}
