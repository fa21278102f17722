//! The use cases of rounds and reviews, shared by pages and API: who may do what to which
//! round or review (asking the domain policy), and the steps of a round from plan to close.

use crate::ctx::{Ctx, SignedIn};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use tilsyn_domain::audit::{AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::calendar::add_working_days;
use tilsyn_domain::deadline::Prefill;
use tilsyn_domain::org::{Grant, OrgTree, User};
use tilsyn_domain::policy::{Action, CaseScope, case_scope, runs_round};
use tilsyn_domain::review::{
    AnswerProblem, Entry, Progress, ReviewStatus, Standing, SubmitProblem, answer_values,
    case_facts, check_answer, differences, may_read_answers, prefills, submit_problems,
};
use tilsyn_domain::round::{
    Candidate, CaseToAssign, PlanWarning, ReviewRules, RoundPlan, RoundState, assign, check_plan,
    may_review,
};
use tilsyn_domain::template::{Evaluation, TemplateContent, VersionStatus};
use tilsyn_domain::{FieldError, Problem, Role, UserId};
use tilsyn_store::Store;
use tilsyn_store::rounds::{
    AnswerChange, NewRoundCase, Review, Round, RoundCase, SaveOutcome, StoredAnswer,
};
use uuid::Uuid;

/// Working days an escalation gets when the reviewer sets no deadline.
pub const ESCALATION_WORKING_DAYS: u32 = 5;

/// Published template versions never change, so their parsed content is kept.
#[derive(Default)]
pub struct ContentCache(Mutex<HashMap<Uuid, Arc<TemplateContent>>>);

impl ContentCache {
    pub async fn get(&self, store: &Store, version: Uuid) -> AppResult<Arc<TemplateContent>> {
        if let Some(c) = self.0.lock().ok().and_then(|m| m.get(&version).cloned()) {
            return Ok(c);
        }
        let v = store.template_version_by_id(version).await?;
        let c = Arc::new(v.content);
        if v.meta.status != VersionStatus::Draft
            && let Ok(mut m) = self.0.lock()
        {
            m.insert(version, c.clone());
        }
        Ok(c)
    }
}

fn me(ctx: &Ctx) -> AppResult<&SignedIn> {
    ctx.signed_in()
}

/// A denial after the route's own check (the round or review is someone else's): logged like
/// every denial, and answered as if the thing did not exist.
pub(crate) async fn deny(store: &Store, ctx: &Ctx, what: &str) -> AppError {
    let ev = NewAuditEvent {
        action: AuditAction::AccessDenied,
        resource_kind: "route",
        resource_id: Some(ctx.path.clone()),
        outcome: Outcome::Denied,
        details: vec![
            ("action", what.to_owned()),
            ("reason", "OutsideScope".into()),
        ],
    };
    if let Err(e) = store.record_event(&ctx.actor(), ev).await {
        tracing::error!(error = %e, "could not write access-denied event");
    }
    AppError::NotFound
}

/// A round its caller runs, or `NotFound` (logged) for someone else's.
pub async fn owned_round<'c>(
    store: &Store,
    ctx: &'c Ctx,
    id: Uuid,
) -> AppResult<(Round, &'c SignedIn)> {
    let who = ctx.authorize(&Action::PlanRounds).await?;
    let round = store.round(id).await?;
    if !runs_round(&who.subject, &who.tree, &round.scope) {
        return Err(deny(store, ctx, "run_round").await);
    }
    Ok((round, who))
}

/// Rounds the caller runs.
pub async fn my_rounds(
    store: &Store,
    ctx: &Ctx,
) -> AppResult<Vec<tilsyn_store::rounds::RoundSummary>> {
    let who = ctx.authorize(&Action::PlanRounds).await?;
    let all = store.list_rounds().await?;
    let mut out = vec![];
    for r in all {
        let round = store.round(r.id).await?;
        if runs_round(&who.subject, &who.tree, &round.scope) {
            out.push(r);
        }
    }
    Ok(out)
}

/// What a plan form gives.
#[derive(Clone, Debug)]
pub struct PlanInput {
    pub name: String,
    pub template_version: Uuid,
    pub plan: RoundPlan,
}

fn plan_problems(input: &PlanInput, content: Option<&TemplateContent>) -> Problem {
    let mut p = Problem::default();
    if input.name.trim().is_empty() {
        p.push(FieldError::new("name", "round-err-name"));
    }
    if let Err(e) = check_plan(&input.plan.checked(&input.plan.level_sizes, 0)) {
        p.push(FieldError::new("level_sizes", e.key()));
    }
    if input.plan.look_back_months == 0 || input.plan.look_back_months > 36 {
        p.push(FieldError::new("look_back_months", "round-err-look-back"));
    }
    if let Some(c) = content {
        for spot in &input.plan.theme_spots {
            if c.item(spot).is_none() {
                p.push(FieldError::new("theme_spots", "round-err-theme-spot"));
                break;
            }
        }
    }
    let mut seen = BTreeSet::new();
    for m in &input.plan.working_group {
        if !seen.insert(m.user) {
            p.push(FieldError::new("working_group", "round-err-group-twice"));
            break;
        }
    }
    p
}

/// Creates a round in draft, over the caller's units.
pub async fn create_round(store: &Store, ctx: &Ctx, input: &PlanInput) -> AppResult<Uuid> {
    let who = ctx.authorize(&Action::PlanRounds).await?;
    let version = match store.template_version_by_id(input.template_version).await {
        Ok(v) if v.meta.status == VersionStatus::Published => Some(v),
        Ok(_) | Err(tilsyn_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let mut p = plan_problems(input, version.as_ref().map(|v| &v.content));
    if version.is_none() {
        p.push(FieldError::new("template_version", "round-err-template"));
    }
    p.into_result()?;
    let scope = case_scope(&who.subject, &who.tree).names();
    Ok(store
        .create_round(
            &ctx.actor(),
            &who.user.full_name,
            input.name.trim(),
            input.template_version,
            &input.plan,
            &scope,
        )
        .await?)
}

pub async fn update_plan(store: &Store, ctx: &Ctx, id: Uuid, input: &PlanInput) -> AppResult<()> {
    let (round, _) = owned_round(store, ctx, id).await?;
    let content = store
        .template_version_by_id(round.template_version_id)
        .await?
        .content;
    plan_problems(input, Some(&content)).into_result()?;
    Ok(store
        .update_round_plan(&ctx.actor(), id, input.name.trim(), &input.plan)
        .await?)
}

/// The plan checks for a round: with the drawn sizes once a sample is attached.
pub async fn plan_warnings(store: &Store, round: &Round) -> AppResult<Vec<PlanWarning>> {
    let sizes = if round.sample_id.is_some() {
        let cases = store.round_cases(round.id).await?;
        (1..=3u8)
            .map(|l| cases.iter().filter(|c| c.depth >= l).count())
            .take_while(|n| *n > 0)
            .collect()
    } else {
        round.plan.level_sizes.clone()
    };
    let year = chrono::Datelike::year(&round.plan.reference_date);
    let others = store.rounds_in_year(year, &round.scope, round.id).await?;
    Ok(check_plan(&round.plan.checked(&sizes, others)).unwrap_or_default())
}

/// Attaches a drawn sample to a draft round: its cases as registered now, one review per case
/// and level, answers pre-filled from the dates.
pub async fn attach_sample(
    store: &Store,
    ctx: &Ctx,
    cache: &ContentCache,
    id: Uuid,
    sample_id: Uuid,
    today: NaiveDate,
) -> AppResult<usize> {
    let (round, who) = owned_round(store, ctx, id).await?;
    let sample = match store.sample(sample_id).await {
        Ok(s) => s,
        Err(tilsyn_store::StoreError::NotFound) => {
            return Err(Problem::one("sample", "round-err-sample").into());
        }
        Err(e) => return Err(e.into()),
    };
    let mine = case_scope(&who.subject, &who.tree);
    if !mine.covers(&CaseScope::from_names(&sample.scope)) {
        return Err(Problem::one("sample", "round-err-sample").into());
    }
    let content = cache.get(store, round.template_version_id).await?;
    let level1: Vec<String> = sample
        .levels
        .first()
        .map(|l| l.selected.clone())
        .unwrap_or_default();
    let depth_of = |key: &String| -> u8 {
        let deeper = sample
            .levels
            .iter()
            .skip(1)
            .take(2)
            .filter(|l| l.selected.binary_search(key).is_ok() || l.selected.contains(key))
            .count();
        1 + u8::try_from(deeper).unwrap_or(0)
    };
    let records = store.case_records(&level1).await?;
    let depths: Vec<u8> = records.iter().map(|(k, _)| depth_of(k)).collect();
    let cases = build_round_cases(&content, &round.plan, records, &depths, today);
    if cases.is_empty() {
        return Err(Problem::one("sample", "round-err-sample-empty").into());
    }
    store
        .attach_sample(&ctx.actor(), id, sample_id, &cases)
        .await?;
    Ok(cases.len())
}

/// The cases of a round as stored: for each case its depth, facts and the answers its dates
/// suggest (for every level). `depths[i]` belongs to `records[i]`.
pub fn build_round_cases(
    content: &TemplateContent,
    plan: &RoundPlan,
    records: Vec<(String, tilsyn_domain::cases::CaseRecord)>,
    depths: &[u8],
    today: NaiveDate,
) -> Vec<NewRoundCase> {
    let mut cases = Vec::with_capacity(records.len());
    for ((key, record), depth) in records.into_iter().zip(depths.iter().copied()) {
        let facts = case_facts(&record, plan.reference_date);
        let mut eval = content.evaluate(&facts, &Default::default(), &BTreeMap::new());
        let filled: BTreeMap<String, String> = prefills(content, &record, today)
            .into_iter()
            .filter_map(|p| p.value.map(|v| (p.item, v)))
            .collect();
        if !filled.is_empty() {
            // Earlier answers can switch later questions on or off.
            eval = content.evaluate(&facts, &filled, &BTreeMap::new());
        }
        let entries: BTreeMap<String, Entry> = filled
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Entry {
                        value: v.clone(),
                        prefill: Some(v.clone()),
                        ..Entry::default()
                    },
                )
            })
            .collect();
        cases.push(NewRoundCase {
            progress: Progress::of(&eval, &entries),
            key,
            depth,
            record,
            prefills: filled,
        });
    }
    cases
}

/// Moves a round to another state, if the domain allows the step.
pub async fn change_state(store: &Store, ctx: &Ctx, id: Uuid, to: RoundState) -> AppResult<()> {
    let (round, _) = owned_round(store, ctx, id).await?;
    if !round.state.may_become(to) {
        return Err(AppError::Conflict("round-state-step"));
    }
    // A round gets its cases by attaching a sample, never by a bare state change.
    if to == RoundState::Sampled {
        return Err(AppError::Conflict("round-attach-first"));
    }
    if to == RoundState::Reviewing {
        let reviews = store.round_reviews(id).await?;
        if reviews.is_empty() {
            return Err(AppError::Conflict("round-attach-first"));
        }
        if reviews.iter().any(|r| r.reviewer.is_none()) {
            return Err(AppError::Conflict("round-unassigned-left"));
        }
    }
    if to == RoundState::Analysing {
        let open = store
            .round_reviews(id)
            .await?
            .iter()
            .filter(|r| r.status == ReviewStatus::Open)
            .count();
        if open > 0 {
            return Err(AppError::Conflict("round-reviews-open"));
        }
    }
    Ok(store
        .set_round_state(&ctx.actor(), id, round.state, to)
        .await?)
}

/// The people and grants assignment chooses from.
pub struct Org {
    pub users: Vec<User>,
    pub grants: Vec<Grant>,
    pub tree: OrgTree,
}

impl Org {
    pub async fn load(store: &Store) -> AppResult<Org> {
        Ok(Org {
            users: store.list_users().await?,
            grants: store.list_grants().await?,
            tree: store.org_tree().await?,
        })
    }

    fn roles_of(&self, u: UserId) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(move |g| g.user_id == u)
    }

    fn has_role(&self, u: UserId, role: Role) -> bool {
        self.roles_of(u).any(|g| g.role == role)
    }

    /// The active users holding `role` somewhere.
    pub fn with_role(&self, role: Role) -> Vec<&User> {
        self.users
            .iter()
            .filter(|u| !u.disabled && self.has_role(u.id, role))
            .collect()
    }

    /// Whether a grant of `u` with `role` covers the unit the case names.
    fn covers_case_unit(&self, u: UserId, role: Role, unit: Option<&str>) -> bool {
        let Some(unit) = unit.map(str::to_lowercase) else {
            return false;
        };
        self.tree.rows().iter().any(|row| {
            row.unit.name.to_lowercase() == unit
                && self.tree.path(row.unit.id).is_some_and(|p| {
                    self.roles_of(u)
                        .any(|g| g.role == role && p.is_covered_by(g.unit_id))
                })
        })
    }

    fn units_of(&self, u: UserId) -> BTreeSet<Uuid> {
        self.roles_of(u).map(|g| g.unit_id.0).collect()
    }

    /// The tilsyn user whose username is the case's caseworker initials.
    pub fn caseworker_of(&self, case: &RoundCase) -> Option<UserId> {
        let cw = case.record.caseworker.as_deref()?.trim().to_lowercase();
        self.users
            .iter()
            .find(|u| !u.disabled && u.username.to_lowercase() == cw)
            .map(|u| u.id)
    }

    /// The leader over the case's unit (an escalation's owner).
    pub fn leader_of(&self, case: &RoundCase) -> Option<UserId> {
        self.users
            .iter()
            .filter(|u| !u.disabled)
            .find(|u| self.covers_case_unit(u.id, Role::Leader, case.record.unit.as_deref()))
            .map(|u| u.id)
    }

    pub fn name(&self, u: UserId) -> String {
        self.users
            .iter()
            .find(|x| x.id == u)
            .map(|x| x.full_name.clone())
            .unwrap_or_default()
    }
}

/// What assignment did.
#[derive(Debug, Default)]
pub struct AssignResult {
    pub assigned: usize,
    /// Case keys no eligible reviewer could take.
    pub unassigned: Vec<String>,
}

/// Assigns the open, unassigned reviews of a level automatically: level 1 to the leaders and
/// coordinators over each case's unit (with the case's caseworker and, if chosen, a lawyer's
/// sparring as participants), level 2 and 3 to lawyers, balanced and within the rules.
pub async fn auto_assign(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    level: u8,
    sparring: Option<UserId>,
) -> AppResult<AssignResult> {
    let (round, _) = owned_round(store, ctx, id).await?;
    if !matches!(round.state, RoundState::Sampled | RoundState::Reviewing) {
        return Err(AppError::Conflict("round-not-assignable"));
    }
    let org = Org::load(store).await?;
    let cases: BTreeMap<String, RoundCase> = store
        .round_cases(id)
        .await?
        .into_iter()
        .map(|c| (c.key.clone(), c))
        .collect();
    let reviews = store.round_reviews(id).await?;
    let rules = round.plan.rules;
    // Everyone already taking part below this level, per case.
    let mut below: BTreeMap<&str, Vec<UserId>> = BTreeMap::new();
    let mut load: BTreeMap<UserId, usize> = BTreeMap::new();
    for r in &reviews {
        if r.level < level {
            let e = below.entry(r.case_key.as_str()).or_default();
            e.extend(r.reviewer);
            e.extend(r.participants.iter().copied());
        }
        if r.level == level
            && let Some(u) = r.reviewer
        {
            *load.entry(u).or_insert(0) += 1;
        }
    }
    let pool: Vec<UserId> = if level == 1 {
        let mut v: Vec<UserId> = org
            .with_role(Role::Leader)
            .into_iter()
            .chain(org.with_role(Role::Coordinator))
            .map(|u| u.id)
            .collect();
        if rules.peer_review {
            v.extend(org.with_role(Role::Caseworker).into_iter().map(|u| u.id));
        }
        v
    } else {
        org.with_role(Role::Lawyer)
            .into_iter()
            .map(|u| u.id)
            .collect()
    };
    let todo: Vec<&Review> = reviews
        .iter()
        .filter(|r| r.level == level && r.reviewer.is_none() && r.status == ReviewStatus::Open)
        .collect();
    let empty = vec![];
    let mut to_assign = vec![];
    for r in &todo {
        let Some(case) = cases.get(&r.case_key) else {
            continue;
        };
        let lower = below.get(r.case_key.as_str()).unwrap_or(&empty);
        let lower_units: BTreeSet<Uuid> = lower.iter().flat_map(|u| org.units_of(*u)).collect();
        let caseworker = org.caseworker_of(case);
        let candidates = pool
            .iter()
            .filter(|u| {
                // Level 1 is led by someone over the case's unit; caseworkers (peer review)
                // come from anywhere but their own case.
                level > 1
                    || org.covers_case_unit(**u, Role::Leader, case.record.unit.as_deref())
                    || org.covers_case_unit(**u, Role::Coordinator, case.record.unit.as_deref())
                    || (rules.peer_review && org.has_role(**u, Role::Caseworker))
            })
            .map(|u| Candidate {
                user: *u,
                is_caseworker: org.has_role(*u, Role::Caseworker)
                    && !org.has_role(*u, Role::Leader)
                    && !org.has_role(*u, Role::Coordinator),
                owns_case: caseworker == Some(*u),
                shares_unit_with_level1: !org.units_of(*u).is_disjoint(&lower_units),
                level1_participants: lower.as_slice(),
            })
            .collect();
        to_assign.push(CaseToAssign {
            key: r.case_key.as_str(),
            candidates,
        });
    }
    let result = assign(&to_assign, level, rules, &load);
    let by_case: BTreeMap<&str, &Review> = todo.iter().map(|r| (r.case_key.as_str(), *r)).collect();
    let mut rows = vec![];
    for (key, reviewer) in &result.assigned {
        let Some(r) = by_case.get(key.as_str()) else {
            continue;
        };
        let mut participants = vec![];
        if level == 1 {
            if let Some(cw) = cases.get(key).and_then(|c| org.caseworker_of(c))
                && cw != *reviewer
            {
                participants.push(cw);
            }
            if let Some(l) = sparring
                && l != *reviewer
            {
                participants.push(l);
            }
        }
        rows.push((r.id, *reviewer, participants));
    }
    let due = round
        .plan
        .milestone(tilsyn_domain::round::MilestoneKind::ReviewEnd);
    if !rows.is_empty() {
        store.assign_reviews(&ctx.actor(), id, &rows, due).await?;
    }
    Ok(AssignResult {
        assigned: rows.len(),
        unassigned: result.unassigned.into_iter().map(|(k, _)| k).collect(),
    })
}

/// Gives the chosen open reviews to one reviewer (bulk reassign), if the rules allow it for
/// every one of them; otherwise nothing changes.
pub async fn reassign(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    review_ids: &[Uuid],
    reviewer: UserId,
) -> AppResult<usize> {
    let (round, _) = owned_round(store, ctx, id).await?;
    let org = Org::load(store).await?;
    let reviews = store.round_reviews(id).await?;
    let cases: BTreeMap<String, RoundCase> = store
        .round_cases(id)
        .await?
        .into_iter()
        .map(|c| (c.key.clone(), c))
        .collect();
    let mut rows = vec![];
    for rid in review_ids {
        let Some(r) = reviews.iter().find(|r| r.id == *rid) else {
            return Err(AppError::NotFound);
        };
        if r.status != ReviewStatus::Open {
            return Err(AppError::Conflict("review-not-open"));
        }
        let lower: Vec<UserId> = reviews
            .iter()
            .filter(|o| o.case_key == r.case_key && o.level < r.level)
            .flat_map(|o| o.reviewer.into_iter().chain(o.participants.iter().copied()))
            .collect();
        let lower_units: BTreeSet<Uuid> = lower.iter().flat_map(|u| org.units_of(*u)).collect();
        let case = cases.get(&r.case_key);
        let cand = Candidate {
            user: reviewer,
            is_caseworker: org.has_role(reviewer, Role::Caseworker)
                && !org.has_role(reviewer, Role::Leader)
                && !org.has_role(reviewer, Role::Coordinator),
            owns_case: case.and_then(|c| org.caseworker_of(c)) == Some(reviewer),
            shares_unit_with_level1: !org.units_of(reviewer).is_disjoint(&lower_units),
            level1_participants: &lower,
        };
        if let Err(e) = may_review(&cand, r.level, round.plan.rules) {
            return Err(AppError::Conflict(not_independent_key(e)));
        }
        let participants = r
            .participants
            .iter()
            .copied()
            .filter(|p| *p != reviewer)
            .collect();
        rows.push((r.id, reviewer, participants));
    }
    let due = round
        .plan
        .milestone(tilsyn_domain::round::MilestoneKind::ReviewEnd);
    store.assign_reviews(&ctx.actor(), id, &rows, due).await?;
    Ok(rows.len())
}

pub fn not_independent_key(e: tilsyn_domain::round::NotIndependent) -> &'static str {
    use tilsyn_domain::round::NotIndependent::*;
    match e {
        TookPartAtLevel1 => "independence-took-part",
        SameUnitAsLevel1 => "independence-same-unit",
        NotPeerReview => "independence-not-peer",
        OwnCaseAboveLevel1 => "independence-own-case",
    }
}

/// One review as its reader may see it.
pub struct ReviewView {
    pub round: Round,
    pub review: Review,
    pub case: RoundCase,
    pub content: Arc<TemplateContent>,
    pub standing: Standing,
    /// Empty when blinding hides them from this reader.
    pub answers: BTreeMap<String, StoredAnswer>,
    pub may_read: bool,
    pub eval: Evaluation,
    /// Date rules' due dates (and suggestions) for this case.
    pub deadlines: Vec<Prefill>,
    /// Every level of the case has submitted.
    pub complete: bool,
    /// The reader may change answers now.
    pub can_edit: bool,
}

impl ReviewView {
    pub fn entries(&self) -> BTreeMap<String, Entry> {
        self.answers
            .iter()
            .map(|(k, a)| (k.clone(), a.entry.clone()))
            .collect()
    }

    pub fn progress(&self) -> Progress {
        Progress::of(&self.eval, &self.entries())
    }
}

/// How the signed-in person stands to one case of a round.
pub fn standing(
    who: &SignedIn,
    round: &Round,
    case_reviews: &[Review],
    case: &RoundCase,
) -> Standing {
    let me = who.user.id;
    Standing {
        takes_part_at: case_reviews
            .iter()
            .filter(|r| r.reviewer == Some(me) || r.participants.contains(&me))
            .map(|r| r.level)
            .collect(),
        runs_round: runs_round(&who.subject, &who.tree, &round.scope),
        is_caseworker: case
            .record
            .caseworker
            .as_deref()
            .is_some_and(|c| c.trim().eq_ignore_ascii_case(&who.user.username)),
    }
}

/// Opens a review for reading (and, for its reviewers, answering). Anyone who neither takes
/// part in the case nor runs the round nor is its caseworker gets `NotFound`; blinding decides
/// whether the answers are shown. Every opening is in the audit log.
pub async fn open_review(
    store: &Store,
    ctx: &Ctx,
    cache: &ContentCache,
    id: Uuid,
    how: &str,
) -> AppResult<ReviewView> {
    let who = ctx.authorize(&Action::Review).await?;
    let review = store.review(id).await?;
    let round = store.round(review.round_id).await?;
    let case = store.round_case(round.id, &review.case_key).await?;
    let case_reviews = store.case_reviews(round.id, &review.case_key).await?;
    let st = standing(who, &round, &case_reviews, &case);
    if st.takes_part_at.is_empty() && !st.runs_round && !st.is_caseworker {
        return Err(deny(store, ctx, "read_review").await);
    }
    let complete = case_reviews
        .iter()
        .all(|r| r.status == ReviewStatus::Submitted);
    let may_read = may_read_answers(&st, review.level, complete);
    let answers = if may_read {
        store.answers(id).await?
    } else {
        BTreeMap::new()
    };
    store.record_review_read(&ctx.actor(), id, how).await?;
    let content = cache.get(store, round.template_version_id).await?;
    let facts = case_facts(&case.record, round.plan.reference_date);
    let values = answer_values(
        &answers
            .iter()
            .map(|(k, a)| (k.clone(), a.entry.clone()))
            .collect(),
    );
    let eval = content.evaluate(&facts, &values, &review.marks);
    let deadlines = prefills(&content, &case.record, round.plan.reference_date);
    let can_edit = review.status == ReviewStatus::Open
        && round.state.is_open_for_review()
        && review.reviewer == Some(who.user.id);
    Ok(ReviewView {
        round,
        review,
        case,
        content,
        standing: st,
        answers,
        may_read,
        eval,
        deadlines,
        complete,
        can_edit,
    })
}

/// The reviewer of an open review in a round under review.
async fn editable(
    store: &Store,
    ctx: &Ctx,
    cache: &ContentCache,
    id: Uuid,
) -> AppResult<(Review, Round, RoundCase, Arc<TemplateContent>)> {
    let who = ctx.authorize(&Action::Review).await?;
    let review = store.review(id).await?;
    // Participants (the caseworker, a lawyer's sparring) read along; the reviewer answers.
    if review.reviewer != Some(who.user.id) {
        return Err(deny(store, ctx, "edit_review").await);
    }
    let round = store.round(review.round_id).await?;
    if !round.state.is_open_for_review() {
        return Err(AppError::Conflict("round-not-reviewing"));
    }
    if review.status != ReviewStatus::Open {
        return Err(AppError::Conflict("review-submitted"));
    }
    let case = store.round_case(round.id, &review.case_key).await?;
    let content = cache.get(store, round.template_version_id).await?;
    Ok((review, round, case, content))
}

/// A bad answer: which item and why.
#[derive(Debug)]
pub struct BadAnswer {
    pub item: String,
    pub problem: AnswerProblem,
}

/// Saves answers (autosave or a plain form post). Answers are checked against their scales
/// first: one bad answer refuses the whole save.
pub async fn save_answers(
    store: &Store,
    ctx: &Ctx,
    cache: &ContentCache,
    id: Uuid,
    changes: &[AnswerChange],
) -> AppResult<Result<SaveOutcome, BadAnswer>> {
    let (review, round, case, content) = editable(store, ctx, cache, id).await?;
    for c in changes {
        if let Err(problem) = check_answer(&content, &c.item, &c.value, &c.remark) {
            return Ok(Err(BadAnswer {
                item: c.item.clone(),
                problem,
            }));
        }
        if c.override_reason.chars().count() > tilsyn_domain::review::MAX_TEXT {
            return Ok(Err(BadAnswer {
                item: c.item.clone(),
                problem: AnswerProblem::TooLong,
            }));
        }
    }
    let trimmed: Vec<AnswerChange> = changes
        .iter()
        .map(|c| AnswerChange {
            value: c.value.trim().to_owned(),
            ..c.clone()
        })
        .collect();
    let facts = case_facts(&case.record, round.plan.reference_date);
    let marks = review.marks.clone();
    let name = me(ctx)?.user.full_name.clone();
    let out = store
        .save_answers(&ctx.actor(), &name, id, &trimmed, |entries| {
            let eval = content.evaluate(&facts, &answer_values(entries), &marks);
            Progress::of(&eval, entries)
        })
        .await?;
    Ok(Ok(out))
}

/// Marks a section "ikke relevant" (or clears the mark with an empty reason).
pub async fn mark_section(
    store: &Store,
    ctx: &Ctx,
    cache: &ContentCache,
    id: Uuid,
    section: &str,
    reason: &str,
) -> AppResult<Progress> {
    let (_, round, case, content) = editable(store, ctx, cache, id).await?;
    if !content.all_sections().iter().any(|s| s.key == section) {
        return Err(Problem::one("section", "review-err-section").into());
    }
    if reason.chars().count() > tilsyn_domain::review::MAX_TEXT {
        return Err(Problem::one("reason", "answer-too-long").into());
    }
    let facts = case_facts(&case.record, round.plan.reference_date);
    Ok(store
        .mark_section(&ctx.actor(), id, section, reason, |entries, marks| {
            let eval = content.evaluate(&facts, &answer_values(entries), marks);
            Progress::of(&eval, entries)
        })
        .await?)
}

/// Submits a review whose answers are complete. `version` is the review version the
/// submitter saw: a save in between (another tab) makes the submit a conflict.
pub async fn submit_review(
    store: &Store,
    ctx: &Ctx,
    cache: &ContentCache,
    id: Uuid,
    version: i64,
) -> AppResult<Vec<SubmitProblem>> {
    let (review, round, case, content) = editable(store, ctx, cache, id).await?;
    if review.version != version {
        return Err(AppError::Conflict("review-changed"));
    }
    let entries: BTreeMap<String, Entry> = store
        .answers(id)
        .await?
        .into_iter()
        .map(|(k, a)| (k, a.entry))
        .collect();
    let facts = case_facts(&case.record, round.plan.reference_date);
    let eval = content.evaluate(&facts, &answer_values(&entries), &review.marks);
    let problems = submit_problems(&content, &eval, &entries);
    if problems.is_empty() {
        store.submit_review(&ctx.actor(), id, version).await?;
    }
    Ok(problems)
}

/// Opens a submitted review again: the round's owner, with a reason.
pub async fn reopen_review(store: &Store, ctx: &Ctx, id: Uuid, reason: &str) -> AppResult<Uuid> {
    // Ask before reading, so an unknown id tells an outsider nothing.
    ctx.authorize(&Action::PlanRounds).await?;
    let review = store.review(id).await?;
    let (round, _) = owned_round(store, ctx, review.round_id).await?;
    if reason.trim().is_empty() {
        return Err(Problem::one("reason", "review-err-reopen-reason").into());
    }
    if round.state == RoundState::Closed {
        return Err(AppError::Conflict("round-closed"));
    }
    store.reopen_review(&ctx.actor(), id, reason.trim()).await?;
    Ok(round.id)
}

/// Flags that the case needs action now: an escalation owned by the leader over the case's
/// unit (or the round's creator), due in `due` or five working days.
pub async fn escalate(
    store: &Store,
    ctx: &Ctx,
    id: Uuid,
    reason: &str,
    due: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<Uuid> {
    let who = ctx.authorize(&Action::Review).await?;
    let review = store.review(id).await?;
    let me = who.user.id;
    if review.reviewer != Some(me) && !review.participants.contains(&me) {
        return Err(deny(store, ctx, "escalate").await);
    }
    if reason.trim().is_empty() {
        return Err(Problem::one("reason", "escalation-err-reason").into());
    }
    let due = match due {
        Some(d) if d < today => return Err(Problem::one("due", "escalation-err-due").into()),
        Some(d) => d,
        None => add_working_days(today, ESCALATION_WORKING_DAYS).unwrap_or(today),
    };
    let round = store.round(review.round_id).await?;
    let case = store.round_case(round.id, &review.case_key).await?;
    let org = Org::load(store).await?;
    let owner = org.leader_of(&case).or(round.created_by);
    Ok(store
        .create_escalation(
            &ctx.actor(),
            &who.user.full_name,
            round.id,
            &review.case_key,
            Some(id),
            reason.trim(),
            owner,
            due,
        )
        .await?)
}

/// Closes an escalation: its owner or whoever runs the round.
pub async fn close_escalation(store: &Store, ctx: &Ctx, id: Uuid, note: &str) -> AppResult<()> {
    let who = ctx.authorize(&Action::Review).await?;
    let e = store.escalation(id).await?;
    let round = store.round(e.round_id).await?;
    if e.owner != Some(who.user.id) && !runs_round(&who.subject, &who.tree, &round.scope) {
        return Err(deny(store, ctx, "close_escalation").await);
    }
    if note.trim().is_empty() {
        return Err(Problem::one("note", "escalation-err-note").into());
    }
    Ok(store
        .close_escalation(&ctx.actor(), &who.user.full_name, id, note.trim())
        .await?)
}

/// One item where the levels differ, side by side.
pub struct Difference {
    pub item: String,
    /// Per level, in order: the answer given (if any).
    pub by_level: Vec<Option<StoredAnswer>>,
    pub agreed: Option<tilsyn_store::rounds::AgreedAnswer>,
}

/// The reconciliation of one case: open to whoever runs the round or takes part in the case,
/// once every level has submitted.
pub struct Reconciliation {
    pub round: Round,
    pub case: RoundCase,
    pub reviews: Vec<Review>,
    pub content: Arc<TemplateContent>,
    pub differences: Vec<Difference>,
    pub replies: Vec<tilsyn_store::rounds::Reply>,
    pub standing: Standing,
    pub complete: bool,
}

pub async fn reconciliation(
    store: &Store,
    ctx: &Ctx,
    cache: &ContentCache,
    round_id: Uuid,
    key: &str,
) -> AppResult<Reconciliation> {
    let who = ctx.authorize(&Action::Review).await?;
    let round = store.round(round_id).await?;
    let case = match store.round_case(round_id, key).await {
        Ok(c) => c,
        Err(tilsyn_store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let reviews = store.case_reviews(round_id, key).await?;
    let st = standing(who, &round, &reviews, &case);
    if st.takes_part_at.is_empty() && !st.runs_round && !st.is_caseworker {
        return Err(deny(store, ctx, "read_case").await);
    }
    let complete = reviews.iter().all(|r| r.status == ReviewStatus::Submitted);
    let content = cache.get(store, round.template_version_id).await?;
    let mut differences_out = vec![];
    if complete && reviews.len() > 1 {
        let mut per_level = vec![];
        for r in &reviews {
            if !may_read_answers(&st, r.level, complete) {
                return Err(deny(store, ctx, "read_case").await);
            }
            store
                .record_review_read(&ctx.actor(), r.id, "reconciliation")
                .await?;
            per_level.push(store.answers(r.id).await?);
        }
        let entries = |m: &BTreeMap<String, StoredAnswer>| -> BTreeMap<String, Entry> {
            m.iter()
                .map(|(k, a)| (k.clone(), a.entry.clone()))
                .collect()
        };
        let mut items: Vec<String> = vec![];
        for pair in per_level.windows(2) {
            for k in differences(&content, &entries(&pair[0]), &entries(&pair[1])) {
                if !items.contains(&k) {
                    items.push(k);
                }
            }
        }
        let order: BTreeMap<String, usize> = content
            .items()
            .iter()
            .enumerate()
            .map(|(i, p)| (p.item.key.clone(), i))
            .collect();
        items.sort_by_key(|k| order.get(k).copied().unwrap_or(usize::MAX));
        let agreed = store.agreed_answers(round_id, key).await?;
        for item in items {
            differences_out.push(Difference {
                by_level: per_level.iter().map(|m| m.get(&item).cloned()).collect(),
                agreed: agreed.get(&item).cloned(),
                item,
            });
        }
    }
    let replies = if complete {
        store.replies(round_id, key).await?
    } else {
        vec![]
    };
    Ok(Reconciliation {
        round,
        case,
        reviews,
        content,
        differences: differences_out,
        replies,
        standing: st,
        complete,
    })
}

/// Records the agreed answer for an item where the levels differ.
pub async fn record_agreed(
    store: &Store,
    ctx: &Ctx,
    round_id: Uuid,
    key: &str,
    item: &str,
    value: &str,
    note: &str,
) -> AppResult<()> {
    let (round, who) = owned_round(store, ctx, round_id).await?;
    let reviews = store.case_reviews(round_id, key).await?;
    if reviews.is_empty() {
        return Err(AppError::NotFound);
    }
    if !reviews.iter().all(|r| r.status == ReviewStatus::Submitted) {
        return Err(AppError::Conflict("reconcile-not-complete"));
    }
    if round.state == RoundState::Closed {
        return Err(AppError::Conflict("round-closed"));
    }
    let content = store
        .template_version_by_id(round.template_version_id)
        .await?
        .content;
    if let Err(p) = check_answer(&content, item, value, note) {
        return Err(Problem::one("value", p.key()).into());
    }
    if value.trim().is_empty() {
        return Err(Problem::one("value", "reconcile-err-value").into());
    }
    if note.trim().is_empty() {
        return Err(Problem::one("note", "reconcile-err-note").into());
    }
    Ok(store
        .record_agreed(
            &ctx.actor(),
            &who.user.full_name,
            round_id,
            key,
            item,
            value.trim(),
            note.trim(),
        )
        .await?)
}

/// The caseworker's reply to the review of their own case, before the round closes.
pub async fn add_reply(
    store: &Store,
    ctx: &Ctx,
    round_id: Uuid,
    key: &str,
    text: &str,
) -> AppResult<()> {
    let who = ctx.authorize(&Action::Review).await?;
    let round = store.round(round_id).await?;
    let case = store.round_case(round_id, key).await?;
    let reviews = store.case_reviews(round_id, key).await?;
    let st = standing(who, &round, &reviews, &case);
    if !st.is_caseworker {
        return Err(deny(store, ctx, "reply").await);
    }
    if round.state == RoundState::Closed {
        return Err(AppError::Conflict("round-closed"));
    }
    if !reviews.iter().all(|r| r.status == ReviewStatus::Submitted) {
        return Err(AppError::Conflict("reconcile-not-complete"));
    }
    if text.trim().is_empty() {
        return Err(Problem::one("text", "reply-err-empty").into());
    }
    if text.chars().count() > tilsyn_domain::review::MAX_TEXT {
        return Err(Problem::one("text", "answer-too-long").into());
    }
    Ok(store
        .add_reply(
            &ctx.actor(),
            &who.user.full_name,
            round_id,
            key,
            text.trim(),
        )
        .await?)
}

/// The catalogue keys that describe a round's independence rules, for the round page.
pub fn rules_text(rules: ReviewRules) -> (&'static str, &'static str) {
    (
        if rules.peer_review {
            "round-rule-peer-yes"
        } else {
            "round-rule-peer-no"
        },
        if rules.level2_other_unit {
            "round-rule-other-unit-yes"
        } else {
            "round-rule-other-unit-no"
        },
    )
}
