//! Use cases for a round's results: who may read which report, loading a round's answers into
//! the analysis, trends over earlier rounds, and reports stored as frozen snapshots. Pages,
//! the API and the CLI all come through here.

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::rounds::ContentCache;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use tilsyn_domain::analysis::{self, Analysis, CaseInput, RoundPoint};
use tilsyn_domain::audit::{Actor, AuditAction, NewAuditEvent, Outcome};
use tilsyn_domain::org::{OrgTree, UnitKind};
use tilsyn_domain::policy::{Action, reads_results, runs_round};
use tilsyn_domain::report::{
    self, Audience, Feedback, FeedbackAnswer, FeedbackCase, RawAnswer, Report, ReportInput,
    RoundFacts,
};
use tilsyn_domain::review::ReviewStatus;
use tilsyn_domain::round::{RoundState, scopes_overlap};
use tilsyn_domain::template::{ScaleKind, TemplateContent};
use tilsyn_store::Store;
use tilsyn_store::reports::AnswerMaps;
use tilsyn_store::rounds::{Round, RoundCase};
use uuid::Uuid;

/// Earlier rounds compared in trends, at most.
pub const TREND_ROUNDS: usize = 10;

/// A round's analysis with what it was computed from.
pub struct RoundData {
    pub round: Round,
    pub content: Arc<TemplateContent>,
    computed: Arc<Computed>,
}

impl std::ops::Deref for RoundData {
    type Target = Computed;

    fn deref(&self) -> &Computed {
        &self.computed
    }
}

/// What a round's answers give, shared between requests while they stay the same.
pub struct Computed {
    pub template: String,
    pub cases: Vec<RoundCase>,
    pub inputs: Vec<CaseInput>,
    /// Cases whose every level has submitted (the only ones counted).
    pub complete: usize,
    pub analysis: Analysis,
}

/// Rounds' computed results by round, each with the stamp of the data it came from.
///
/// The results page, every report and the trends of each later round read a round's results
/// again and again, while its answers rarely change (an earlier round's hardly ever), and
/// computing them is most of a results page's time (some 13,000 answers for 150 cases at two
/// levels). The stamp is read on every use, so a change is seen at once.
#[derive(Default)]
pub struct ResultsCache(Mutex<HashMap<Uuid, (String, Arc<Computed>)>>);

/// Rounds kept; a municipality has a few a year, and an entry is a few megabytes at most.
const CACHED_ROUNDS: usize = 64;

impl ResultsCache {
    fn get(&self, round: Uuid, stamp: &str) -> Option<Arc<Computed>> {
        let m = self.0.lock().ok()?;
        m.get(&round)
            .filter(|(s, _)| s == stamp)
            .map(|(_, c)| c.clone())
    }

    fn put(&self, round: Uuid, stamp: String, computed: Arc<Computed>) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= CACHED_ROUNDS && !m.contains_key(&round) {
                m.clear();
            }
            m.insert(round, (stamp, computed));
        }
    }
}

/// Loads a round's submitted answers into the analysis. Only cases whose every level has
/// submitted count: until then, answers are blind to everyone outside the level.
pub async fn load(
    store: &Store,
    contents: &ContentCache,
    cache: &ResultsCache,
    tree: &OrgTree,
    round: Round,
) -> AppResult<RoundData> {
    let content = contents.get(store, round.template_version_id).await?;
    let teams = team_map(tree);
    let stamp = {
        // The organisation places cases in units and teams, so it is part of the stamp.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        teams.hash(&mut h);
        format!(
            "{}|{}|{:?}|{:x}",
            store.round_data_stamp(round.id).await?,
            round.template_version_id,
            round.plan.counting,
            h.finish()
        )
    };
    let computed = match cache.get(round.id, &stamp) {
        Some(c) => c,
        None => {
            let c = Arc::new(compute(store, &content, &teams, &round).await?);
            cache.put(round.id, stamp, c.clone());
            c
        }
    };
    Ok(RoundData {
        round,
        content,
        computed,
    })
}

async fn compute(
    store: &Store,
    content: &TemplateContent,
    teams: &BTreeMap<String, (String, Option<String>)>,
    round: &Round,
) -> AppResult<Computed> {
    // Read side by side: while the database works on the answers, the cases are decoded.
    let (meta, cases, maps, agreed) = tokio::try_join!(
        meta_of(store, round.template_version_id),
        async { Ok(store.round_cases(round.id).await?) },
        async { Ok(store.round_answer_maps(round.id).await?) },
        async { Ok::<_, crate::error::AppError>(store.round_agreed(round.id).await?) },
    )?;
    let AnswerMaps { mut by_case, open } = maps;
    let mut agreed_by: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for g in agreed {
        agreed_by
            .entry(g.case_key)
            .or_default()
            .insert(g.item, g.value);
    }
    let mut inputs = vec![];
    for c in &cases {
        if open.contains(c.key.as_str()) {
            continue;
        }
        let Some(levels) = by_case.remove(c.key.as_str()) else {
            continue;
        };
        let (unit, team) = match c.record.unit.as_deref() {
            Some(u) => match teams.get(&u.to_lowercase()) {
                Some((team, parent)) => (parent.clone(), Some(team.clone())),
                None => (Some(u.to_owned()), None),
            },
            None => (None, None),
        };
        inputs.push(CaseInput {
            key: c.key.clone(),
            unit,
            team,
            case_type: c.record.case_type.clone(),
            area: c.record.area,
            caseworker: c.record.caseworker.clone(),
            levels,
            agreed: agreed_by.remove(c.key.as_str()).unwrap_or_default(),
        });
    }
    let analysis = analysis::analyse(content, round.plan.counting, &inputs);
    Ok(Computed {
        template: format!("{} v{}", meta.template_key, meta.number),
        complete: inputs.len(),
        cases,
        inputs,
        analysis,
    })
}

async fn meta_of(store: &Store, version: Uuid) -> AppResult<tilsyn_store::templates::VersionMeta> {
    store
        .version_meta_by_id(version)
        .await?
        .ok_or(crate::error::AppError::NotFound)
}

/// Team name (lower case) → (its name, the unit above it).
fn team_map(tree: &OrgTree) -> BTreeMap<String, (String, Option<String>)> {
    tree.rows()
        .iter()
        .filter(|r| r.unit.kind == UnitKind::Team)
        .map(|r| {
            let parent = r
                .unit
                .parent_id
                .and_then(|p| tree.get(p))
                .map(|p| p.name.clone());
            (r.unit.name.to_lowercase(), (r.unit.name.clone(), parent))
        })
        .collect()
}

/// Earlier rounds with the same template family past reviewing, newest first, at most
/// [`TREND_ROUNDS`].
pub async fn earlier_rounds(store: &Store, data: &RoundData) -> AppResult<Vec<Round>> {
    let key = data.template.rsplit_once(" v").map(|x| x.0).unwrap_or("");
    let mut candidates = vec![];
    for s in store.list_rounds().await? {
        if s.id == data.round.id
            || !matches!(
                s.state,
                RoundState::Analysing | RoundState::Reporting | RoundState::Closed
            )
        {
            continue;
        }
        let r = store.round(s.id).await?;
        if r.plan.reference_date >= data.round.plan.reference_date {
            continue;
        }
        let meta = meta_of(store, r.template_version_id).await?;
        if meta.template_key != key {
            continue;
        }
        candidates.push(r);
    }
    candidates.sort_by_key(|r| std::cmp::Reverse(r.plan.reference_date));
    candidates.truncate(TREND_ROUNDS);
    Ok(candidates)
}

/// Earlier rounds with the same template family, analysed, newest [`TREND_ROUNDS`].
pub async fn earlier_points(
    store: &Store,
    contents: &ContentCache,
    cache: &ResultsCache,
    tree: &OrgTree,
    data: &RoundData,
) -> AppResult<Vec<RoundPoint>> {
    points(
        store,
        contents,
        cache,
        tree,
        earlier_rounds(store, data).await?,
    )
    .await
}

async fn points(
    store: &Store,
    contents: &ContentCache,
    cache: &ResultsCache,
    tree: &OrgTree,
    candidates: Vec<Round>,
) -> AppResult<Vec<RoundPoint>> {
    let mut out = vec![];
    for r in candidates {
        let d = load(store, contents, cache, tree, r).await?;
        out.push(RoundPoint {
            round: d.round.id,
            name: d.round.name.clone(),
            reference_date: d.round.plan.reference_date,
            baseline: d.round.plan.baseline,
            template: d.template.clone(),
            tallies: d.analysis.compliance_by_key(),
        });
    }
    Ok(out)
}

/// Rounds past reviewing whose results the caller may read, and the rounds where the caller
/// is the caseworker of a drawn case (their feedback), for the dashboard.
pub async fn result_links(
    store: &Store,
    ctx: &Ctx,
) -> AppResult<(Vec<(Uuid, String)>, Vec<(Uuid, String)>)> {
    let who = ctx.signed_in()?;
    let can_read = ctx.can(&Action::ViewResults);
    let (mut results, mut feedback) = (vec![], vec![]);
    for s in store.list_rounds().await? {
        if !matches!(
            s.state,
            RoundState::Analysing | RoundState::Reporting | RoundState::Closed
        ) {
            continue;
        }
        let r = store.round(s.id).await?;
        if can_read
            && (runs_round(&who.subject, &who.tree, &r.scope)
                || reads_results(&who.subject, &who.tree, &r.scope))
        {
            results.push((s.id, s.name.clone()));
        }
        let me = who.user.username.as_str();
        if store.round_cases(s.id).await?.iter().any(|c| {
            c.record
                .caseworker
                .as_deref()
                .is_some_and(|cw| cw.trim().eq_ignore_ascii_case(me))
        }) {
            feedback.push((s.id, s.name));
        }
    }
    Ok((results, feedback))
}

/// What the caller may read of a round's results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Runs the round: every audience, the raw answers and each caseworker's feedback.
    Runs,
    /// Aggregated reports with small cells hidden only.
    Aggregated,
}

/// The round and what the caller may read of its results, or `NotFound` (logged).
pub async fn readable_round(store: &Store, ctx: &Ctx, id: Uuid) -> AppResult<(Round, Reach)> {
    let who = ctx.authorize(&Action::ViewResults).await?;
    let round = store.round(id).await?;
    if runs_round(&who.subject, &who.tree, &round.scope) {
        return Ok((round, Reach::Runs));
    }
    if reads_results(&who.subject, &who.tree, &round.scope) {
        return Ok((round, Reach::Aggregated));
    }
    Err(crate::rounds::deny(store, ctx, "view_results").await)
}

/// Whether the reach allows the audience. A caseworker reads their own feedback through
/// [`own_feedback`], not here.
pub fn allows(reach: Reach, audience: &Audience) -> bool {
    match audience {
        Audience::Committee => true,
        // Management information breaks down by team and level: for those who run the round.
        Audience::Management | Audience::Analyst | Audience::Caseworker { .. } => {
            reach == Reach::Runs
        }
    }
}

/// Everything a report needs besides the round's data.
pub struct Making {
    pub audience: Audience,
    pub lang: Lang,
    pub by: String,
    pub municipality: String,
    pub threshold: u64,
}

/// Builds a report from live data.
pub async fn make_report(
    store: &Store,
    contents: &ContentCache,
    cache: &ResultsCache,
    tree: &OrgTree,
    data: &RoundData,
    m: Making,
) -> AppResult<Report> {
    let en = m.lang == Lang::En;
    let rounds = earlier_rounds(store, data).await?;
    let today = chrono::Utc::now().date_naive();
    // The actions of the newest earlier round over the same units (another unit's are not
    // this report's business).
    let previous = rounds
        .iter()
        .find(|r| scopes_overlap(&r.scope, &data.round.scope));
    let follow_up = crate::actions::follow_up(store, previous, today).await?;
    let earlier = points(store, contents, cache, tree, rounds).await?;
    let trends =
        (!earlier.is_empty()).then(|| analysis::trends(&data.analysis, &data.template, &earlier));
    let keys: BTreeSet<&str> = data.analysis.items.iter().map(|i| i.key.as_str()).collect();
    let mut references = vec![];
    let mut seen = BTreeSet::new();
    for r in store.reference_values(en).await? {
        // Newest year per question.
        if keys.contains(r.item.as_str()) && seen.insert(r.item.clone()) {
            references.push(r);
        }
    }
    let raw = if m.audience == Audience::Analyst {
        raw_answers(store, data).await?
    } else {
        vec![]
    };
    let feedback = match &m.audience {
        Audience::Caseworker { username, name } => {
            Some(feedback(store, data, username, name, en).await?)
        }
        _ => None,
    };
    let facts = facts(store, tree, data, &m).await?;
    Ok(report::build(ReportInput {
        audience: m.audience.clone(),
        english: en,
        generated_at: chrono::Utc::now(),
        generated_by: m.by,
        round: facts,
        threshold: m.threshold,
        analysis: &data.analysis,
        trends: trends.as_ref(),
        references,
        follow_up,
        raw,
        feedback,
        texts: texts(m.lang, m.threshold),
    }))
}

/// Every report text in the language, the threshold filled in.
pub fn texts(lang: Lang, threshold: u64) -> BTreeMap<String, String> {
    report::TEXT_KEYS
        .iter()
        .map(|k| {
            let v = if *k == "report-hidden-note" {
                Tr(lang).t1(k, "threshold", threshold)
            } else {
                Tr(lang).t(k)
            };
            ((*k).to_owned(), v)
        })
        .collect()
}

async fn facts(
    store: &Store,
    tree: &OrgTree,
    data: &RoundData,
    m: &Making,
) -> AppResult<RoundFacts> {
    let r = &data.round;
    let meta = meta_of(store, r.template_version_id).await?;
    let reviews = store.round_reviews(r.id).await?;
    let mut levels = vec![];
    for (i, planned) in r.plan.level_sizes.iter().enumerate() {
        let level = u8::try_from(i + 1).unwrap_or(1);
        let drawn = data.cases.iter().filter(|c| c.depth >= level).count() as u64;
        let submitted = reviews
            .iter()
            .filter(|x| x.level == level && x.status == ReviewStatus::Submitted)
            .count() as u64;
        levels.push((level, *planned as u64, drawn, submitted));
    }
    let sample = match r.sample_id {
        Some(id) => Some(store.sample(id).await?),
        None => None,
    };
    let frame = match &sample {
        Some(s) => {
            let f = &s.spec.frame;
            let types = if f.case_types.is_empty() {
                Tr(m.lang).t("report-frame-all-types")
            } else {
                f.case_types.iter().cloned().collect::<Vec<_>>().join(", ")
            };
            let units = if s.scope.is_empty() {
                Tr(m.lang).t("report-frame-all-units")
            } else {
                // Scopes are kept in lower case; print the units as the organisation names them.
                let names: BTreeMap<String, String> = tree
                    .rows()
                    .iter()
                    .map(|r| (r.unit.name.to_lowercase(), r.unit.name.clone()))
                    .collect();
                s.scope
                    .iter()
                    .map(|u| names.get(u).cloned().unwrap_or_else(|| u.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let eligible = s.levels.first().map(|l| l.eligible).unwrap_or(0);
            format!(
                "{types} · {units} · {}",
                Tr(m.lang).t1("report-frame-eligible", "n", eligible)
            )
        }
        None => String::new(),
    };
    let period = match (
        r.plan
            .milestone(tilsyn_domain::round::MilestoneKind::ReviewStart),
        r.plan
            .milestone(tilsyn_domain::round::MilestoneKind::ReviewEnd),
    ) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        (Some(a), None) => a.to_string(),
        (None, Some(b)) => b.to_string(),
        (None, None) => String::new(),
    };
    Ok(RoundFacts {
        id: r.id.to_string(),
        name: r.name.clone(),
        kind: Tr(m.lang).t(&r.plan.kind.label_key()),
        municipality: m.municipality.clone(),
        template: meta.title.clone(),
        template_version: meta.number.to_string(),
        levels,
        frame,
        period,
        reference_date: Some(r.plan.reference_date),
        look_back_months: r.plan.look_back_months,
        seed: sample.as_ref().map(|s| s.spec.seed.to_string()),
        fingerprint: sample
            .as_ref()
            .map(|s| s.register_sha256.chars().take(16).collect()),
        baseline: r.plan.baseline,
        themes: r.plan.themes.clone(),
        counting: r.plan.counting,
        cases: data.complete as u64,
    })
}

/// The answers of complete cases with pseudonyms ("Sag 1" …, in case key order) instead of
/// case numbers, and which value counts.
async fn raw_answers(store: &Store, data: &RoundData) -> AppResult<Vec<RawAnswer>> {
    let counted_levels: BTreeMap<&str, &CaseInput> =
        data.inputs.iter().map(|c| (c.key.as_str(), c)).collect();
    let numbers = data.content.numbering();
    let pseudonym: BTreeMap<&str, usize> = data
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), i + 1))
        .collect();
    let mut out = vec![];
    for a in store.round_answers(data.round.id).await? {
        let Some(c) = counted_levels.get(a.case_key.as_str()) else {
            continue;
        };
        // The value that counts: the agreed answer where the rule says so (it is not a
        // level's row), else the highest level that answered the question.
        let agreed_here = data.round.plan.counting == tilsyn_domain::review::CountingRule::Agreed
            && c.agreed.contains_key(&a.item);
        let top = c
            .levels
            .iter()
            .rev()
            .find(|(_, m)| m.contains_key(&a.item))
            .map(|(l, _)| *l);
        let counted = !agreed_here && top == Some(a.level);
        out.push(RawAnswer {
            case: format!(
                "{}",
                pseudonym.get(a.case_key.as_str()).copied().unwrap_or(0)
            ),
            case_type: c.case_type.clone(),
            unit: c
                .team
                .clone()
                .or_else(|| c.unit.clone())
                .unwrap_or_default(),
            level: a.level,
            number: numbers.get(&a.item).cloned().unwrap_or_default(),
            item: a.item,
            value: a.value,
            remark: a.remark,
            counted,
        });
    }
    Ok(out)
}

/// One caseworker's complete cases: each level's answers with remarks, the agreed answers.
async fn feedback(
    store: &Store,
    data: &RoundData,
    username: &str,
    name: &str,
    en: bool,
) -> AppResult<Feedback> {
    let numbers = data.content.numbering();
    let label = |item: &str, value: &str| -> String {
        data.content
            .item(item)
            .and_then(|i| data.content.scale(&i.scale))
            .and_then(|s| s.point(value))
            .map(|p| p.label.get(en).to_owned())
            .unwrap_or_else(|| value.to_owned())
    };
    let mine: Vec<&RoundCase> = data
        .cases
        .iter()
        .filter(|c| {
            c.record
                .caseworker
                .as_deref()
                .is_some_and(|cw| cw.trim().eq_ignore_ascii_case(username))
        })
        .collect();
    let complete: BTreeMap<&str, &CaseInput> =
        data.inputs.iter().map(|c| (c.key.as_str(), c)).collect();
    let metas: BTreeMap<&str, &analysis::ItemMeta> = data
        .analysis
        .items
        .iter()
        .map(|m| (m.key.as_str(), m))
        .collect();
    let mut cases = vec![];
    for c in mine {
        let Some(input) = complete.get(c.key.as_str()) else {
            continue;
        };
        let remarks: BTreeMap<(u8, String), String> = store
            .round_answers_of_case(data.round.id, &c.key)
            .await?
            .into_iter()
            .map(|a| ((a.level, a.item), a.remark))
            .collect();
        let agreed = store.agreed_answers(data.round.id, &c.key).await?;
        let mut answers = vec![];
        let (mut ok, mut assessed) = (0u64, 0u64);
        for p in data.content.items() {
            let key = &p.item.key;
            let levels: Vec<(u8, String, String)> = input
                .levels
                .iter()
                .filter_map(|(l, a)| {
                    a.get(key).map(|v| {
                        (
                            *l,
                            label(key, v),
                            remarks.get(&(*l, key.clone())).cloned().unwrap_or_default(),
                        )
                    })
                })
                .collect();
            if levels.is_empty() {
                continue;
            }
            let by_level: Vec<Option<&str>> = input
                .levels
                .values()
                .map(|a| a.get(key).map(String::as_str))
                .collect();
            let counted = data
                .round
                .plan
                .counting
                .counted(&by_level, input.agreed.get(key).map(String::as_str))
                .or_else(|| by_level.iter().rev().flatten().copied().next());
            let compliant = match (metas.get(key.as_str()), counted) {
                (Some(m), Some(v)) if m.kind == ScaleKind::Compliance => {
                    let ja = p.item.compliant.iter().any(|c| c == v);
                    let applicable = m.kind == ScaleKind::Compliance
                        && v != tilsyn_domain::template::CANNOT_ASSESS
                        && !data
                            .content
                            .scale(&p.item.scale)
                            .and_then(|s| s.point(v))
                            .is_some_and(|x| x.not_applicable);
                    applicable.then_some(ja)
                }
                _ => None,
            };
            if let Some(ja) = compliant {
                assessed += 1;
                if ja {
                    ok += 1;
                }
            }
            answers.push(FeedbackAnswer {
                counted: counted.map(|v| label(key, v)),
                number: numbers.get(key).cloned().unwrap_or_default(),
                text: p.item.text.get(en).to_owned(),
                levels,
                agreed: agreed
                    .get(key)
                    .map(|g| (label(key, &g.value), g.note.clone())),
                compliant,
            });
        }
        cases.push(FeedbackCase {
            case: c.record.external_id.clone(),
            case_type: c.record.case_type.clone(),
            compliant: ok,
            assessed,
            answers,
        });
    }
    Ok(Feedback {
        caseworker: if name.is_empty() {
            username.to_owned()
        } else {
            name.to_owned()
        },
        cases,
    })
}

/// Logs that someone read results: aggregated figures are not case data, but the analysts'
/// and the feedback reports are.
pub async fn log_read(store: &Store, actor: &Actor, round: Uuid, audience: &Audience, how: &str) {
    let ev = NewAuditEvent {
        action: AuditAction::ResultsViewed,
        resource_kind: "round",
        resource_id: Some(round.to_string()),
        outcome: Outcome::Success,
        details: vec![("audience", audience.code()), ("how", how.to_owned())],
    };
    if let Err(e) = store.record_event(actor, ev).await {
        tracing::error!(error = %e, "could not write results-viewed event");
    }
}

/// Refuses an audience the caller may not have (logged, answered as not found).
pub async fn check_audience(
    store: &Store,
    ctx: &Ctx,
    reach: Reach,
    audience: &Audience,
) -> AppResult<()> {
    if allows(reach, audience) {
        Ok(())
    } else {
        Err(crate::rounds::deny(store, ctx, "view_results").await)
    }
}

/// The audience a caller gets by default: round owners the analysts' view, others the
/// committee's.
pub fn default_audience(reach: Reach) -> Audience {
    match reach {
        Reach::Runs => Audience::Analyst,
        Reach::Aggregated => Audience::Committee,
    }
}
