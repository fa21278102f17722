//! Use cases for follow-up actions (tiltag): who may create, read and change them, the lists
//! behind the pages, the API and the CLI, and what a later round's report and plan show of
//! them. Actions hold no case data; a round's actions are read by those who read its results.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::rounds::{ContentCache, Org, deny};
use chrono::NaiveDate;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tilsyn_domain::action::{self, NewAction, StatusChange, is_overdue};
use tilsyn_domain::policy::{Action as Can, runs_round};
use tilsyn_domain::report::{FollowUp, FollowUpAction};
use tilsyn_domain::role::Role;
use tilsyn_domain::round::scopes_overlap;
use tilsyn_domain::template::TemplateContent;
use tilsyn_domain::{Problem, UserId};
use tilsyn_store::Store;
use tilsyn_store::actions::{Action, ActionFilter};
use tilsyn_store::rounds::Round;
use uuid::Uuid;

/// The roles an action can be given to: the people who run and take part in rounds.
const OWNER_ROLES: [Role; 4] = [
    Role::Leader,
    Role::Coordinator,
    Role::Lawyer,
    Role::Caseworker,
];

/// People an action can be given to, by name.
pub async fn owner_choices(store: &Store) -> AppResult<Vec<(UserId, String)>> {
    let org = Org::load(store).await?;
    let mut seen = BTreeSet::new();
    let mut out: Vec<(UserId, String)> = OWNER_ROLES
        .iter()
        .flat_map(|r| org.with_role(*r))
        .filter(|u| seen.insert(u.id))
        .map(|u| (u.id, u.full_name.clone()))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Whether the caller runs the round (and so creates its actions and changes any of them).
pub fn manages(ctx: &Ctx, round: &Round) -> bool {
    ctx.signed_in()
        .is_ok_and(|w| runs_round(&w.subject, &w.tree, &round.scope))
}

/// A round's actions, for who runs it. They name people (owners), so readers of the
/// aggregated results (the committee, lawyers) see them only as the next round's report
/// prints them, without owners.
pub async fn of_round(store: &Store, ctx: &Ctx, round: &Round) -> AppResult<Vec<Action>> {
    if !manages(ctx, round) {
        return Err(deny(store, ctx, "view_actions").await);
    }
    Ok(store
        .actions(ActionFilter {
            round: Some(round.id),
            owner: None,
            ..Default::default()
        })
        .await?)
}

/// The caller's own actions and those of the rounds they run, each once; overdue ones first.
pub async fn visible(store: &Store, ctx: &Ctx, today: NaiveDate) -> AppResult<Vec<Action>> {
    let who = ctx.signed_in()?;
    let all = store.actions(ActionFilter::default()).await?;
    // Only the rounds of others' actions are read (the dashboard calls this on every visit).
    let others: BTreeSet<Uuid> = all
        .iter()
        .filter(|a| a.owner != who.user.id)
        .filter_map(|a| a.round_id)
        .collect();
    let mut run: BTreeSet<Uuid> = BTreeSet::new();
    for id in others {
        if runs_round(&who.subject, &who.tree, &store.round(id).await?.scope) {
            run.insert(id);
        }
    }
    let mut out: Vec<Action> = all
        .into_iter()
        .filter(|a| a.owner == who.user.id || a.round_id.is_some_and(|r| run.contains(&r)))
        .collect();
    out.sort_by_key(|a| {
        (
            !is_overdue(a.status, a.due, today),
            !a.status.is_open(),
            a.due,
        )
    });
    Ok(out)
}

/// One action, for its owner or who runs its round (both may change it).
pub async fn readable(store: &Store, ctx: &Ctx, id: Uuid) -> AppResult<Action> {
    let who = ctx.signed_in()?;
    let a = store.action(id).await?;
    let manager = match (&a.learning_audit, a.round_id) {
        (Some(l), _) => crate::learning_audits::manages_plan(store, ctx, &l.code).await?,
        (None, Some(r)) => manages(ctx, &store.round(r).await?),
        (None, None) => false,
    };
    if a.owner != who.user.id && !manager {
        return Err(deny(store, ctx, "view_action").await);
    }
    Ok(a)
}

/// What a form or an API call gives for a new action.
pub struct ActionInput {
    pub description: String,
    pub owner: String,
    pub due: String,
    pub items: Vec<String>,
    pub sections: Vec<String>,
    pub units: Vec<String>,
    pub recommendation: String,
    pub reaudit: bool,
}

/// Creates an action for a round; refused whole, with every field's problem, when anything
/// is wrong.
pub async fn create(
    store: &Store,
    contents: &ContentCache,
    ctx: &Ctx,
    round: &Round,
    input: ActionInput,
    today: NaiveDate,
) -> AppResult<Uuid> {
    ctx.authorize(&Can::PlanRounds).await?;
    if !manages(ctx, round) {
        return Err(deny(store, ctx, "create_action").await);
    }
    let mut problem = Problem::default();
    let owner = Uuid::parse_str(input.owner.trim()).ok().map(UserId);
    let owners = owner_choices(store).await?;
    if !owner.is_some_and(|o| owners.iter().any(|(id, _)| *id == o)) {
        problem.push(tilsyn_domain::FieldError::new(
            "owner",
            "action-owner-unknown",
        ));
    }
    let due = NaiveDate::parse_from_str(input.due.trim(), "%Y-%m-%d").ok();
    if due.is_none() {
        problem.push(tilsyn_domain::FieldError::new("due", "action-due-invalid"));
    }
    let content = contents.get(store, round.template_version_id).await?;
    let items: Vec<String> = content.items().iter().map(|p| p.item.key.clone()).collect();
    let sections: Vec<String> = content.sections.iter().map(|s| s.key.clone()).collect();
    let units: BTreeSet<String> = ctx
        .signed_in()?
        .tree
        .rows()
        .iter()
        .map(|r| r.unit.name.clone())
        .collect();
    if input.units.iter().any(|u| !units.contains(u)) {
        problem.push(tilsyn_domain::FieldError::new(
            "units",
            "action-unknown-unit",
        ));
    }
    let new = NewAction {
        description: input.description,
        // A due date that did not parse has its own message; today keeps the other checks.
        due: due.unwrap_or(today),
        links: action::ActionLinks {
            items: input.items,
            sections: input.sections,
            units: input.units,
            recommendation: input.recommendation.trim().to_owned(),
            escalation: None,
        },
        reaudit: input.reaudit,
    };
    let item_refs: Vec<&str> = items.iter().map(String::as_str).collect();
    let section_refs: Vec<&str> = sections.iter().map(String::as_str).collect();
    if let Err(p) = action::check_new(&new, today, &item_refs, &section_refs) {
        for e in p.0 {
            problem.push(e);
        }
    }
    // In the order of the form, so the summary reads top to bottom.
    const ORDER: [&str; 7] = [
        "description",
        "owner",
        "due",
        "sections",
        "items",
        "units",
        "reaudit",
    ];
    problem
        .0
        .sort_by_key(|e| ORDER.iter().position(|f| *f == e.field));
    match owner {
        Some(owner) if problem.is_empty() => Ok(store
            .create_action(
                &ctx.actor(),
                &ctx.signed_in()?.user.full_name,
                Some(round.id),
                owner,
                &new,
            )
            .await?),
        _ => Err(AppError::Invalid(problem)),
    }
}

/// Changes an action's status: its owner or who runs its round.
pub async fn change_status(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    version: i64,
    status: &str,
    reason: &str,
    evidence: &str,
) -> AppResult<()> {
    let a = readable(store, ctx, id).await?;
    // Checked against the status the person saw: a newer one is someone else's change.
    if a.version != version {
        return Err(AppError::Conflict("action-changed"));
    }
    let Some(status) = action::ActionStatus::parse(status) else {
        return Err(Problem::one("status", "action-status-unknown").into());
    };
    let change = StatusChange {
        status,
        reason: reason.to_owned(),
        evidence: evidence.to_owned(),
    };
    action::check_change(a.status, &change)?;
    Ok(store
        .change_action_status(
            &ctx.actor(),
            &ctx.signed_in()?.user.full_name,
            id,
            version,
            &change,
        )
        .await?)
}

/// The status of an earlier round's actions, for the next round's report.
pub async fn follow_up(
    store: &Store,
    earlier: Option<&Round>,
    today: NaiveDate,
) -> AppResult<Option<FollowUp>> {
    let Some(round) = earlier else {
        return Ok(None);
    };
    let actions = store
        .actions(ActionFilter {
            round: Some(round.id),
            owner: None,
            ..Default::default()
        })
        .await?;
    if actions.is_empty() {
        return Ok(None);
    }
    Ok(Some(FollowUp {
        round: round.name.clone(),
        counts: action::StatusCounts::of(actions.iter().map(|a| (a.status, a.due)), today),
        actions: actions
            .into_iter()
            .map(|a| FollowUpAction {
                overdue: is_overdue(a.status, a.due, today),
                note: match a.status {
                    action::ActionStatus::Done => a.evidence,
                    _ => a.status_reason,
                },
                description: a.description,
                due: a.due,
                status: a.status,
                owner: Some(a.owner_name),
            })
            .collect(),
    }))
}

/// How the pages name what an action concerns: sections and questions by their numbers in
/// the round's template ("1 Underretning", "1.2"), units and the recommendation as written.
pub async fn link_labels(
    store: &Store,
    contents: &ContentCache,
    actions: &[Action],
    english: bool,
) -> AppResult<HashMap<Uuid, String>> {
    // Each round's numbering and template, read once.
    type Numbered = (BTreeMap<String, String>, Arc<TemplateContent>);
    let mut numbering: HashMap<Uuid, Numbered> = HashMap::new();
    let mut out = HashMap::new();
    for a in actions {
        let mut parts: Vec<String> = vec![];
        if let Some(r) = a.round_id
            && (!a.links.sections.is_empty() || !a.links.items.is_empty())
        {
            if let Entry::Vacant(slot) = numbering.entry(r) {
                let round = store.round(r).await?;
                let content = contents.get(store, round.template_version_id).await?;
                slot.insert((content.numbering(), content));
            }
            if let Some((numbers, content)) = numbering.get(&r) {
                for s in &a.links.sections {
                    let title = content
                        .sections
                        .iter()
                        .find(|x| x.key == *s)
                        .map(|x| x.title.get(english).to_owned())
                        .unwrap_or_default();
                    parts.push(
                        format!("{} {title}", numbers.get(s).map_or("", String::as_str))
                            .trim()
                            .to_owned(),
                    );
                }
                for i in &a.links.items {
                    parts.push(numbers.get(i).cloned().unwrap_or_else(|| i.clone()));
                }
            }
        }
        parts.extend(a.links.units.iter().cloned());
        if !a.links.recommendation.is_empty() {
            parts.push(a.links.recommendation.clone());
        }
        out.insert(a.id, parts.join(", "));
    }
    Ok(out)
}

/// Actions of earlier rounds over the same units that asked for questions of this round's
/// template to be reviewed again, still standing: what a later round's plan shows. Only the
/// questions and sections this template has are kept.
pub async fn reaudits_for(
    store: &Store,
    round: &Round,
    content: &TemplateContent,
) -> AppResult<Vec<Action>> {
    let numbers = content.numbering();
    let mut out = vec![];
    for mut a in store.actions(ActionFilter::default()).await? {
        if !a.reaudit || a.status == action::ActionStatus::Dropped {
            continue;
        }
        let Some(from) = a.round_id.filter(|r| *r != round.id) else {
            continue;
        };
        let earlier = store.round(from).await?;
        if earlier.plan.reference_date >= round.plan.reference_date
            || !scopes_overlap(&earlier.scope, &round.scope)
        {
            continue;
        }
        a.links.items.retain(|k| numbers.contains_key(k));
        a.links.sections.retain(|k| numbers.contains_key(k));
        if !a.links.items.is_empty() || !a.links.sections.is_empty() {
            out.push(a);
        }
    }
    Ok(out)
}
