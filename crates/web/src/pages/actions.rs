//! Follow-up actions as pages: one's own and one's rounds' actions, a round's actions with the
//! form for a new one, and one action with its status form.

use super::rounds::{dk, today};
use super::templates::{Pairs, get};
use super::{Chrome, FieldMsg, OkQuery, PageForm, err_for, field_msgs, notice, render, see_other};
use crate::actions::{self as uc, ActionInput};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use tilsyn_domain::action::{ActionStatus, is_overdue};
use tilsyn_domain::policy::Action as Can;
use tilsyn_store::actions::Action;
use uuid::Uuid;

/// One action as the lists print it.
pub struct ActionLine {
    pub id: Uuid,
    pub description: String,
    pub round: String,
    pub round_id: Option<Uuid>,
    /// Where the round's or learning audit's actions are listed.
    pub href: Option<String>,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub overdue: bool,
    pub links: String,
    pub reaudit: bool,
    pub note: String,
}

/// `links`: what the action concerns, as [`uc::link_labels`] names it.
pub fn line(tr: Tr, a: &Action, links: String, today: NaiveDate) -> ActionLine {
    ActionLine {
        id: a.id,
        description: a.description.clone(),
        round: match &a.learning_audit {
            Some(l) => format!("{} {}", l.code, l.title),
            None => a.round_name.clone().unwrap_or_default(),
        },
        round_id: a.round_id,
        href: match (&a.learning_audit, a.round_id) {
            (Some(l), _) => Some(format!(
                "/learning-audits/{}/follow-up",
                urlencoding::encode(&l.code)
            )),
            (None, Some(r)) => Some(format!("/rounds/{r}/actions")),
            (None, None) => None,
        },
        owner: a.owner_name.clone(),
        due: dk(a.due),
        status: tr.t(&format!("action-status-{}", a.status.code())),
        overdue: is_overdue(a.status, a.due, today),
        links,
        reaudit: a.reaudit,
        note: match a.status {
            ActionStatus::Done => a.evidence.clone(),
            _ => a.status_reason.clone(),
        },
    }
}

/// Actions as the lists print them, with what each concerns named.
pub async fn lines(
    state: &AppState,
    ctx: &Ctx,
    actions: &[Action],
    today: NaiveDate,
) -> AppResult<Vec<ActionLine>> {
    let en = ctx.lang == crate::i18n::Lang::En;
    let mut labels = uc::link_labels(&state.store, &state.contents, actions, en).await?;
    Ok(actions
        .iter()
        .map(|a| line(ctx.tr(), a, labels.remove(&a.id).unwrap_or_default(), today))
        .collect())
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    c: Chrome,
    notice: Option<String>,
    action_rows: Vec<ActionLine>,
    overdue_only: bool,
    overdue: usize,
}

#[derive(Deserialize)]
pub struct ListQuery {
    pub overdue: Option<String>,
    pub ok: Option<String>,
}

pub async fn list_actions(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    ctx.authorize(&Can::ViewOwn).await?;
    let tr = ctx.tr();
    let today = today();
    let actions = uc::visible(&state.store, &ctx, today).await?;
    let lines = lines(&state, &ctx, &actions, today).await?;
    let all: Vec<ActionLine> = lines;
    let overdue = all.iter().filter(|a| a.overdue).count();
    let overdue_only = q.overdue.as_deref().is_some_and(|v| !v.is_empty());
    let action_rows = all
        .into_iter()
        .filter(|a| !overdue_only || a.overdue)
        .collect();
    Ok(render(&ActionsPage {
        c: Chrome::new(&ctx, "actions-title"),
        notice: notice(tr, q.ok.as_deref()),
        action_rows,
        overdue_only,
        overdue,
    }))
}

/// What the new-action form shows again after a refusal, so nothing typed is lost.
#[derive(Default)]
struct Entered {
    description: String,
    owner: String,
    due: String,
    items: Vec<String>,
    sections: Vec<String>,
    units: Vec<String>,
    recommendation: String,
    reaudit: bool,
}

#[derive(Template)]
#[template(path = "round_actions.html")]
struct RoundActionsPage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    round_id: Uuid,
    round_name: String,
    action_rows: Vec<ActionLine>,
    can_create: bool,
    owners: Vec<(String, String)>,
    items: Vec<(String, String)>,
    sections: Vec<(String, String)>,
    units: Vec<String>,
    e: Entered,
}

impl RoundActionsPage {
    fn picked(&self, list: &[String], v: &str) -> bool {
        list.iter().any(|x| x == v)
    }

    fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

pub async fn show_round_actions(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    round_page(
        &state,
        &ctx,
        id,
        q.ok.as_deref(),
        vec![],
        Entered::default(),
    )
    .await
}

async fn round_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    e: Entered,
) -> AppResult<Response> {
    ctx.authorize(&Can::ViewOwn).await?;
    let tr = ctx.tr();
    let en = ctx.lang == crate::i18n::Lang::En;
    let today = today();
    let round = state.store.round(id).await?;
    let actions = uc::of_round(&state.store, ctx, &round).await?;
    let action_rows = lines(state, ctx, &actions, today).await?;
    let can_create = uc::manages(ctx, &round) && ctx.can(&Can::PlanRounds);
    let (mut owners, mut items, mut sections, mut units) = (vec![], vec![], vec![], vec![]);
    if can_create {
        owners = uc::owner_choices(&state.store)
            .await?
            .into_iter()
            .map(|(id, name)| (id.0.to_string(), name))
            .collect();
        let content = state
            .contents
            .get(&state.store, round.template_version_id)
            .await?;
        let numbers = content.numbering();
        let num = |k: &str| numbers.get(k).cloned().unwrap_or_default();
        items = content
            .items()
            .iter()
            .map(|p| {
                let k = &p.item.key;
                (k.clone(), format!("{} {}", num(k), p.item.text.get(en)))
            })
            .collect();
        sections = content
            .sections
            .iter()
            .map(|s| {
                (
                    s.key.clone(),
                    format!("{} {}", num(&s.key), s.title.get(en)),
                )
            })
            .collect();
        units = ctx
            .signed_in()?
            .tree
            .rows()
            .iter()
            .map(|r| r.unit.name.clone())
            .collect();
    }
    Ok(render(&RoundActionsPage {
        c: Chrome::new(ctx, "round-actions"),
        notice: notice(tr, ok),
        errors,
        round_id: round.id,
        round_name: round.name,
        action_rows,
        can_create,
        owners,
        items,
        sections,
        units,
        e,
    }))
}

fn all(p: &Pairs, key: &str) -> Vec<String> {
    p.iter()
        .filter(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

pub async fn create_action(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let round = state.store.round(id).await?;
    let e = Entered {
        description: get(&p, "description").to_owned(),
        owner: get(&p, "owner").to_owned(),
        due: get(&p, "due").to_owned(),
        items: all(&p, "items"),
        sections: all(&p, "sections"),
        units: all(&p, "units"),
        recommendation: get(&p, "recommendation").to_owned(),
        reaudit: !get(&p, "reaudit").is_empty(),
    };
    let input = ActionInput {
        description: e.description.clone(),
        owner: e.owner.clone(),
        due: e.due.clone(),
        items: e.items.clone(),
        sections: e.sections.clone(),
        units: e.units.clone(),
        recommendation: e.recommendation.clone(),
        reaudit: e.reaudit,
    };
    match uc::create(&state.store, &state.contents, &ctx, &round, input, today()).await {
        Ok(_) => Ok(see_other(
            &format!("/rounds/{id}/actions"),
            "action-created",
        )),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            round_page(&state, &ctx, id, None, errors, e).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "action.html")]
struct ActionPage {
    c: Chrome,
    notice: Option<String>,
    errors: Vec<FieldMsg>,
    a: ActionLine,
    version: i64,
    current: String,
    statuses: Vec<(String, String)>,
    history: String,
    reason: String,
    evidence: String,
}

impl ActionPage {
    fn err(&self, field: &str) -> Option<&str> {
        err_for(&self.errors, field)
    }
}

pub async fn show_action(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    action_page(&state, &ctx, id, q.ok.as_deref(), vec![], None).await
}

async fn action_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    ok: Option<&str>,
    errors: Vec<FieldMsg>,
    entered: Option<(String, String, String)>,
) -> AppResult<Response> {
    ctx.authorize(&Can::ViewOwn).await?;
    let tr = ctx.tr();
    let a = uc::readable(&state.store, ctx, id).await?;
    let (current, reason, evidence) =
        entered.unwrap_or_else(|| (a.status.code().to_owned(), String::new(), String::new()));
    let history = tr.targs(
        "action-history",
        &[
            ("created", dk(a.created_at.date_naive())),
            ("by", a.created_by_name.clone().unwrap_or_default()),
            ("updated", dk(a.updated_at.date_naive())),
        ],
    );
    Ok(render(&ActionPage {
        c: Chrome::new(ctx, "actions-title"),
        notice: notice(tr, ok),
        errors,
        a: lines(state, ctx, std::slice::from_ref(&a), today())
            .await?
            .pop()
            .ok_or(AppError::NotFound)?,
        version: a.version,
        current,
        statuses: ActionStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.code().to_owned(),
                    tr.t(&format!("action-status-{}", s.code())),
                )
            })
            .collect(),
        history,
        reason,
        evidence,
    }))
}

pub async fn change_status(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    PageForm(p): PageForm<Pairs>,
) -> AppResult<Response> {
    let version = get(&p, "version").parse::<i64>().unwrap_or(-1);
    let (status, reason, evidence) = (get(&p, "status"), get(&p, "reason"), get(&p, "evidence"));
    let entered = || Some((status.to_owned(), reason.to_owned(), evidence.to_owned()));
    match uc::change_status(&state.store, &ctx, id, version, status, reason, evidence).await {
        Ok(()) => Ok(see_other(&format!("/actions/{id}"), "action-status-saved")),
        Err(AppError::Invalid(problem)) => {
            let errors = field_msgs(ctx.tr(), &problem);
            action_page(&state, &ctx, id, None, errors, entered()).await
        }
        Err(AppError::Conflict(_)) => {
            let errors = vec![FieldMsg {
                field: "status".into(),
                message: ctx.tr().t("action-changed"),
            }];
            action_page(&state, &ctx, id, None, errors, entered()).await
        }
        Err(e) => Err(e),
    }
}
