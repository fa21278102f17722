//! Two tilsynsrunder for Demo Kommune, seeded after the demo's case register: a finished
//! baseline round (all reviews submitted, level 2 differing from level 1 here and there, some
//! differences agreed, in analysis) and a thematic round under way. Everything goes through
//! the same store calls and domain rules the pages use (draw, attach, assign, save, submit),
//! with answers from a seeded generator, so the demo looks the same on every start. A round
//! that already exists (by name) is left alone.

use crate::CliError;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::CaseRecord;
use tilsyn_domain::org::User;
use tilsyn_domain::policy::case_scope;
use tilsyn_domain::review::{
    CountingRule, Entry, Progress, answer_values, case_facts, differences, submit_problems,
};
use tilsyn_domain::round::{
    Member, Milestone, MilestoneKind, ReviewRules, RoundKind, RoundPlan, RoundState,
};
use tilsyn_domain::sampling::{
    Allocation, SampleFrame, SampleSpec, Strata, StratumDimension, draw_levels,
};
use tilsyn_domain::template::{ScaleKind, TemplateContent};
use tilsyn_domain::{Role, UserId};
use tilsyn_store::Store;
use tilsyn_store::rounds::{AnswerChange, Review};
use tilsyn_store::samples::register_fingerprint;
use uuid::Uuid;

/// Last year's round on the same template: the baseline later rounds are compared with.
pub const BASELINE: &str = "Ledelsestilsyn forår 2025";
/// The finished round, in analysis.
pub const SPRING: &str = "Ledelsestilsyn forår 2026";
/// The thematic round under way.
pub const AUTUMN: &str = "Tematiseret tilsyn: inddragelse efterår 2026";
/// Level sizes of the two rounds.
pub const SPRING_LEVELS: [usize; 2] = [40, 20];
pub const AUTUMN_LEVELS: [usize; 2] = [30, 15];
/// Team Nord cases of the baseline round (the first, in case-key order) that were the demo
/// caseworker's: the made-up register names caseworkers by initials only, and her feedback,
/// consent and answer need cases of her own.
pub const BASELINE_OWN_CASES: usize = 3;
/// Level-1 reviews of the autumn round (in case-key order) that are submitted: the first
/// `AUTUMN_SUBMITTED`; of the rest, every third (index % 3 == 1) is partly answered.
pub const AUTUMN_SUBMITTED: usize = 4;
/// The teams of Demo Kommune the demo register has cases for (the made-up extract also names
/// teams the organisation does not have; those cases are outside every leader's scope).
const TEAMS: [&str; 2] = ["Team Nord", "Team Syd"];

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, CliError> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| CliError::Runtime(format!("bad demo date {y}-{m}-{d}")))
}

fn runtime(e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("demo rounds: {e}"))
}

/// SplitMix64: small, seeded and the same on every platform and release.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

pub(crate) fn as_user(u: &User) -> Actor {
    Actor {
        user_id: Some(u.id),
        username: Some(u.username.clone()),
        client_addr: Some("demo".into()),
        request_id: None,
    }
}

struct People {
    leder: User,
    koordinator: User,
    raadgiver: User,
    jurist: User,
}

impl People {
    async fn load(store: &Store) -> Result<People, CliError> {
        Ok(People {
            leder: store.find_user("leder").await?,
            koordinator: store.find_user("koordinator").await?,
            raadgiver: store.find_user("raadgiver").await?,
            jurist: store.find_user("jurist").await?,
        })
    }

    fn by_id(&self, id: UserId) -> &User {
        [&self.koordinator, &self.raadgiver, &self.jurist]
            .into_iter()
            .find(|u| u.id == id)
            .unwrap_or(&self.leder)
    }
}

/// Seeds whichever of the three rounds is missing.
pub async fn seed(store: &Store) -> Result<(), CliError> {
    let existing: BTreeSet<String> = store
        .list_rounds()
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    if [BASELINE, SPRING, AUTUMN]
        .iter()
        .all(|n| existing.contains(*n))
    {
        return Ok(());
    }
    let people = People::load(store).await?;
    if !existing.contains(BASELINE) {
        broad(store, &people, BASELINE, 2025, true, 20250303).await?;
    }
    if !existing.contains(SPRING) {
        broad(store, &people, SPRING, 2026, false, 20260302).await?;
    }
    if !existing.contains(AUTUMN) {
        autumn(store, &people).await?;
    }
    Ok(())
}

fn milestones(list: &[(MilestoneKind, NaiveDate)]) -> Vec<Milestone> {
    list.iter()
        .map(|(kind, date)| Milestone {
            kind: *kind,
            date: *date,
        })
        .collect()
}

/// A round created by the leader over her units, its sample drawn from the teams' cases and
/// attached. Returns the round id and its template.
async fn create_and_draw(
    store: &Store,
    people: &People,
    name: &str,
    template: &str,
    plan: &RoundPlan,
    seed: u64,
    own_cases: usize,
) -> Result<(Uuid, TemplateContent), CliError> {
    let leder = &people.leder;
    let actor = as_user(leder);
    let version = store
        .template(template)
        .await?
        .latest_published()
        .cloned()
        .ok_or_else(|| runtime(format!("no published version of {template}")))?;
    let content = store.template_version_by_id(version.id).await?.content;
    let (_, subject, tree) = store.subject(leder.id).await?;
    let scope = case_scope(&subject, &tree).names();
    let id = store
        .create_round(&actor, &leder.full_name, name, version.id, plan, &scope)
        .await?;
    let register = store.sample_cases(Some("DUBU")).await?;
    let mut frame = SampleFrame::new(plan.reference_date);
    frame.units = TEAMS.iter().map(|t| (*t).to_owned()).collect();
    let spec = SampleSpec {
        frame,
        strata: Strata::by([StratumDimension::CaseType, StratumDimension::Unit]),
        allocation: Allocation::Proportional,
        target: plan.level_sizes[0],
        coverage: false,
        caseworker_last_sampled: BTreeMap::new(),
        seed,
    };
    let nested = &plan.level_sizes[1..];
    let levels = draw_levels(&register, &spec, nested).map_err(runtime)?;
    let sample_id = store
        .save_sample(
            &actor,
            &leder.full_name,
            &spec,
            nested,
            &scope,
            &register_fingerprint(&register),
            &levels,
        )
        .await?;
    let keys = levels
        .first()
        .map(|l| l.selected.clone())
        .unwrap_or_default();
    let mut records = store.case_records(&keys).await?;
    for (_, r) in records
        .iter_mut()
        .filter(|(_, r)| r.unit.as_deref() == Some(TEAMS[0]))
        .take(own_cases)
    {
        r.caseworker = Some(people.raadgiver.username.clone());
    }
    let depths: Vec<u8> = records
        .iter()
        .map(|(k, _)| {
            1 + u8::try_from(
                levels
                    .iter()
                    .skip(1)
                    .filter(|l| l.selected.contains(k))
                    .count(),
            )
            .unwrap_or(0)
        })
        .collect();
    let cases = tilsyn_web::rounds::build_round_cases(
        &content,
        plan,
        records,
        &depths,
        plan.reference_date,
    );
    store.attach_sample(&actor, id, sample_id, &cases).await?;
    Ok((id, content))
}

/// Level 1 to `level1(i)` (i: the review's place in case-key order), level 2 and 3 to the
/// lawyer; the due date is the end of the review window.
async fn assign(
    store: &Store,
    people: &People,
    round: Uuid,
    plan: &RoundPlan,
    level1: impl Fn(usize) -> UserId,
) -> Result<Vec<Review>, CliError> {
    let reviews = store.round_reviews(round).await?;
    let mut rows = vec![];
    let mut i = 0;
    for r in &reviews {
        let reviewer = if r.level == 1 {
            i += 1;
            level1(i - 1)
        } else {
            people.jurist.id
        };
        rows.push((r.id, reviewer, vec![]));
    }
    store
        .assign_reviews(
            &as_user(&people.leder),
            round,
            &rows,
            plan.milestone(MilestoneKind::ReviewEnd),
        )
        .await?;
    Ok(store.round_reviews(round).await?)
}

const REMARKS_NO: [&str; 6] = [
    "Det fremgår ikke af journalen.",
    "Ikke dokumenteret i sagen.",
    "Fristen er ikke overholdt; der mangler en begrundelse.",
    "Kun delvist beskrevet; vurderingen mangler.",
    "Findes ikke i sagens akter.",
    "Der er ikke noteret en begrundelse for fravalget.",
];
const REMARKS_LOW: [&str; 4] = [
    "Beskrivelsen er kortfattet og uden barnets perspektiv.",
    "Kun i lav grad koblet til undersøgelsens konklusion.",
    "Målene er generelle og ikke konkrete.",
    "Svært at følge sagens forløb.",
];

/// Relative weights of answer codes: mostly "ja" and "i høj grad".
fn weight(code: &str) -> u64 {
    match code {
        "ja" => 82,
        "nej" => 13,
        "ikke_relevant" => 5,
        "hoej" => 45,
        "nogen" => 35,
        "lav" => 15,
        "slet_ikke" => 5,
        _ => 10,
    }
}

/// One answer for an item: a weighted pick on its scale, with a remark where the template asks
/// for one. `None` for free text (optional).
pub(crate) fn answer(
    content: &TemplateContent,
    item: &str,
    reference: NaiveDate,
    rng: &mut Rng,
) -> Option<Entry> {
    let it = content.item(item)?;
    let scale = content.scale(&it.scale)?;
    let value = match scale.kind {
        k if k.has_points() => {
            let total: u64 = scale.points.iter().map(|p| weight(&p.code)).sum();
            let mut roll = rng.below(total);
            let mut chosen = scale.points.first()?.code.clone();
            for p in &scale.points {
                let w = weight(&p.code);
                if roll < w {
                    chosen = p.code.clone();
                    break;
                }
                roll -= w;
            }
            chosen
        }
        ScaleKind::Number => (1 + rng.below(5)).to_string(),
        ScaleKind::Date => reference.to_string(),
        _ => return None,
    };
    Some(Entry {
        remark: remark_for(content, item, &value, rng),
        value,
        ..Entry::default()
    })
}

pub(crate) fn remark_for(
    content: &TemplateContent,
    item: &str,
    value: &str,
    rng: &mut Rng,
) -> String {
    let required = content
        .item(item)
        .is_some_and(|i| i.remark_required_on.iter().any(|c| c == value));
    if !required {
        return String::new();
    }
    let graded = content
        .item(item)
        .and_then(|i| content.scale(&i.scale))
        .is_some_and(|s| s.kind == ScaleKind::Ordinal);
    if graded {
        rng.pick(&REMARKS_LOW).to_owned()
    } else {
        rng.pick(&REMARKS_NO).to_owned()
    }
}

/// Another answer on the same scale (level 2 disagreeing): ja ↔ nej, or one step on a graded
/// scale.
pub(crate) fn other_value(content: &TemplateContent, item: &str, value: &str) -> Option<String> {
    let scale = content.scale(&content.item(item)?.scale)?;
    if !scale.kind.has_points() {
        return None;
    }
    match value {
        "ja" => return Some("nej".into()),
        "nej" => return Some("ja".into()),
        "ikke_relevant" => return None,
        _ => {}
    }
    let i = scale.points.iter().position(|p| p.code == value)?;
    let j = if i + 1 < scale.points.len() {
        i + 1
    } else {
        i.checked_sub(1)?
    };
    Some(scale.points[j].code.clone())
}

/// The answers of one review: the date rules' suggestions kept, then every applicable item in
/// document order (re-evaluating after each answer, as later questions may depend on earlier
/// ones), up to `limit` answers. `start` is where answering begins (level 1's answers for a
/// level 2 that re-measures).
fn fill(
    content: &TemplateContent,
    record: &CaseRecord,
    reference: NaiveDate,
    start: BTreeMap<String, Entry>,
    limit: usize,
    rng: &mut Rng,
) -> BTreeMap<String, Entry> {
    let facts = case_facts(record, reference);
    let mut entries = start;
    let mut skipped: BTreeSet<String> = BTreeSet::new();
    loop {
        let answered = entries.values().filter(|e| !e.value.is_empty()).count();
        if answered >= limit {
            break;
        }
        let eval = content.evaluate(&facts, &answer_values(&entries), &BTreeMap::new());
        let next = eval.items.iter().find(|(k, s)| {
            s.applies() && !skipped.contains(k) && entries.get(k).is_none_or(|e| e.value.is_empty())
        });
        let Some((key, _)) = next else { break };
        match answer(content, key, reference, rng) {
            Some(e) => {
                entries.insert(key.clone(), e);
            }
            None => {
                skipped.insert(key.clone());
            }
        }
    }
    entries
}

/// The review's stored suggestions, as entries.
fn prefilled(
    stored: &BTreeMap<String, tilsyn_store::rounds::StoredAnswer>,
) -> BTreeMap<String, Entry> {
    stored
        .iter()
        .map(|(k, a)| (k.clone(), a.entry.clone()))
        .collect()
}

/// One review to write: its answers, and whether to submit it.
struct Job {
    reviewer: User,
    review: Review,
    record: CaseRecord,
    entries: BTreeMap<String, Entry>,
    submit: bool,
}

/// Writes the reviews as their reviewers would: the answers saved (a suggestion kept as it is
/// is not saved again), then submitted if asked, after the same check the pages make. On
/// PostgreSQL several reviews are written at once (each review is its own transaction); the
/// embedded SQLite takes one writer at a time anyway.
async fn write(
    store: &Store,
    content: &TemplateContent,
    reference: NaiveDate,
    jobs: Vec<Job>,
) -> Result<(), CliError> {
    let parallel = if store.backend() == tilsyn_store::Backend::Postgres {
        8
    } else {
        1
    };
    let content = std::sync::Arc::new(content.clone());
    let mut running = tokio::task::JoinSet::new();
    for job in jobs {
        if running.len() >= parallel
            && let Some(done) = running.join_next().await
        {
            done.map_err(runtime)??;
        }
        let (store, content) = (store.clone(), content.clone());
        running.spawn(async move { write_one(&store, &content, reference, job).await });
    }
    while let Some(done) = running.join_next().await {
        done.map_err(runtime)??;
    }
    Ok(())
}

async fn write_one(
    store: &Store,
    content: &TemplateContent,
    reference: NaiveDate,
    job: Job,
) -> Result<(), CliError> {
    let Job {
        reviewer,
        review,
        record,
        entries,
        submit,
    } = job;
    let facts = case_facts(&record, reference);
    if submit {
        let eval = content.evaluate(&facts, &answer_values(&entries), &BTreeMap::new());
        if let Some(p) = submit_problems(content, &eval, &entries).first() {
            return Err(runtime(format!(
                "review of {} level {} cannot be submitted: {} {}",
                review.case_key,
                review.level,
                p.key(),
                p.item()
            )));
        }
    }
    let stored = store.answers(review.id).await?;
    let changes: Vec<AnswerChange> = entries
        .iter()
        .map(|(k, e)| AnswerChange {
            item: k.clone(),
            value: e.value.clone(),
            remark: e.remark.clone(),
            override_reason: e.override_reason.clone(),
            base_version: stored.get(k).map_or(0, |s| s.version),
        })
        .collect();
    let out = store
        .save_answers(
            &as_user(&reviewer),
            &reviewer.full_name,
            review.id,
            &changes,
            |saved| {
                let eval = content.evaluate(&facts, &answer_values(saved), &BTreeMap::new());
                Progress::of(&eval, saved)
            },
        )
        .await?;
    if !out.conflicts.is_empty() {
        return Err(runtime("an answer conflicted while seeding"));
    }
    if submit {
        store
            .submit_review(&as_user(&reviewer), review.id, out.review_version)
            .await?;
    }
    Ok(())
}

/// A broad round on BL-OVERORDNET in the spring of `year`, every review submitted, the
/// first difference of every other case agreed; left in analysis, or closed for a baseline.
async fn broad(
    store: &Store,
    people: &People,
    name: &str,
    year: i32,
    baseline: bool,
    seed: u64,
) -> Result<(), CliError> {
    let reference = day(year, 3, 2)?;
    let plan = RoundPlan {
        kind: RoundKind::Broad,
        level_sizes: SPRING_LEVELS.to_vec(),
        themes: vec![],
        theme_spots: vec![],
        working_group: vec![
            Member {
                user: people.leder.id,
                role: Role::Leader,
            },
            Member {
                user: people.koordinator.id,
                role: Role::Coordinator,
            },
            Member {
                user: people.raadgiver.id,
                role: Role::Caseworker,
            },
            Member {
                user: people.jurist.id,
                role: Role::Lawyer,
            },
        ],
        schedule: milestones(&[
            (MilestoneKind::InformationMeeting, day(year, 2, 16)?),
            (MilestoneKind::ReviewStart, day(year, 3, 2)?),
            (MilestoneKind::ReviewEnd, day(year, 4, 17)?),
            (MilestoneKind::StopOp, day(year, 4, 27)?),
            (MilestoneKind::FeedbackMeeting, day(year, 5, 18)?),
            (MilestoneKind::CommitteeReport, day(year, 6, 10)?),
        ]),
        baseline,
        rules: ReviewRules::default(),
        counting: CountingRule::Agreed,
        reference_date: reference,
        start_point: "Seneste underretning eller henvendelse i perioden".into(),
        look_back_months: 12,
    };
    let own = if baseline { BASELINE_OWN_CASES } else { 0 };
    let (id, content) =
        create_and_draw(store, people, name, "BL-OVERORDNET", &plan, seed, own).await?;
    let reviews = assign(store, people, id, &plan, |_| people.leder.id).await?;
    let leder = as_user(&people.leder);
    store
        .set_round_state(&leder, id, RoundState::Sampled, RoundState::Reviewing)
        .await?;
    let cases: BTreeMap<String, CaseRecord> = store
        .round_cases(id)
        .await?
        .into_iter()
        .map(|c| (c.key, c.record))
        .collect();
    let mut rng = Rng(seed);
    let mut level1: BTreeMap<String, BTreeMap<String, Entry>> = BTreeMap::new();
    let mut level2: BTreeMap<String, BTreeMap<String, Entry>> = BTreeMap::new();
    let mut jobs = vec![];
    // Reviews come in (case key, level) order: level 1 of a case before its level 2.
    for r in &reviews {
        let record = cases
            .get(&r.case_key)
            .ok_or_else(|| runtime("a review without its case"))?;
        let stored = prefilled(&store.answers(r.id).await?);
        let entries = if r.level == 1 {
            // A suggestion that needs a remark ("nej": the deadline was missed) gets one.
            let mut start = stored.clone();
            for (k, e) in start.iter_mut() {
                e.remark = remark_for(&content, k, &e.value, &mut rng);
            }
            fill(&content, record, reference, start, usize::MAX, &mut rng)
        } else {
            // Level 2 re-measures: mostly as level 1, now and then otherwise (never against
            // a date rule's suggestion, which would need a reason).
            let mut from = level1.get(&r.case_key).cloned().unwrap_or_default();
            for (k, e) in from.iter_mut() {
                if stored.contains_key(k) || rng.below(100) >= 12 {
                    continue;
                }
                if let Some(v) = other_value(&content, k, &e.value) {
                    e.remark = remark_for(&content, k, &v, &mut rng);
                    e.value = v;
                }
            }
            fill(&content, record, reference, from, usize::MAX, &mut rng)
        };
        jobs.push(Job {
            reviewer: people.by_id(r.reviewer.unwrap_or(people.leder.id)).clone(),
            review: r.clone(),
            record: record.clone(),
            entries: entries.clone(),
            submit: true,
        });
        if r.level == 1 {
            level1.insert(r.case_key.clone(), entries);
        } else {
            level2.insert(r.case_key.clone(), entries);
        }
    }
    write(store, &content, reference, jobs).await?;
    // Stop-op: every other case where the levels differ gets its first difference agreed.
    let mut n = 0;
    for (key, second) in &level2 {
        let Some(first) = level1.get(key) else {
            continue;
        };
        let diff = differences(&content, first, second);
        let Some(item) = diff.first() else { continue };
        n += 1;
        if n % 2 == 0 {
            continue;
        }
        let Some(value) = second
            .get(item)
            .map(|e| e.value.clone())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        store
            .record_agreed(
                &leder,
                &people.leder.full_name,
                id,
                key,
                item,
                &value,
                "Drøftet på stop-op-mødet: niveau 2's vurdering lægges til grund.",
            )
            .await?;
    }
    store
        .set_round_state(&leder, id, RoundState::Reviewing, RoundState::Analysing)
        .await?;
    if baseline {
        // Last year's round was reported and closed long ago.
        store
            .set_round_state(&leder, id, RoundState::Analysing, RoundState::Reporting)
            .await?;
        store
            .set_round_state(&leder, id, RoundState::Reporting, RoundState::Closed)
            .await?;
        follow_up(store, people, id, &content).await?;
        feedback(store, people, id).await?;
    }
    Ok(())
}

/// Last year's actions, in every status: done with evidence, one overdue, one dropped with a
/// reason, and one that asks for its questions to be reviewed again.
async fn follow_up(
    store: &Store,
    people: &People,
    round: Uuid,
    content: &TemplateContent,
) -> Result<(), CliError> {
    use tilsyn_domain::action::{ActionLinks, ActionStatus, NewAction, StatusChange};
    let leder = as_user(&people.leder);
    // The first section, and its first two questions, stand for "the child's conversation".
    let section = content.sections.first().map(|s| s.key.clone());
    let items: Vec<String> = content
        .items()
        .iter()
        .take(2)
        .map(|p| p.item.key.clone())
        .collect();
    let today = chrono::Utc::now().date_naive();
    let actions = [
        (
            "Tjekliste for samtalen med barnet bruges i alle teams",
            &people.koordinator,
            day(2025, 6, 30)?,
            Some((
                ActionStatus::Done,
                "",
                "Tjeklisten ligger i fagsystemet; stikprøve i juni viste brug i 9 af 10 sager",
            )),
            false,
        ),
        (
            "Frister for den børnefaglige undersøgelse vises i teamets opgaveliste",
            &people.leder,
            day(2025, 12, 1)?,
            Some((ActionStatus::InProgress, "", "")),
            false,
        ),
        (
            "Temadag om handleplaner for alle rådgivere",
            &people.leder,
            day(2025, 10, 1)?,
            Some((
                ActionStatus::Dropped,
                "Erstattet af sparring om handleplaner på teammøderne",
                "",
            )),
            false,
        ),
        (
            "Genmål børnesamtalen i næste runde",
            &people.koordinator,
            today
                .checked_add_days(chrono::Days::new(60))
                .unwrap_or(today),
            None,
            true,
        ),
    ];
    for (text, owner, due, change, reaudit) in actions {
        let links = if reaudit {
            ActionLinks {
                items: items.clone(),
                sections: section.iter().cloned().collect(),
                ..ActionLinks::default()
            }
        } else {
            ActionLinks::default()
        };
        let new = NewAction {
            description: text.into(),
            due,
            links,
            reaudit,
        };
        let by = &people.leder.full_name;
        let id = store
            .create_action(&leder, by, Some(round), owner.id, &new)
            .await?;
        if let Some((status, reason, evidence)) = change {
            let c = StatusChange {
                status,
                reason: reason.into(),
                evidence: evidence.into(),
            };
            store.change_action_status(&leder, by, id, 0, &c).await?;
        }
    }
    Ok(())
}

async fn autumn(store: &Store, people: &People) -> Result<(), CliError> {
    let reference = day(2026, 9, 14)?;
    let plan = RoundPlan {
        kind: RoundKind::Thematic,
        level_sizes: AUTUMN_LEVELS.to_vec(),
        themes: vec!["Inddragelse".into()],
        theme_spots: vec![],
        // No caseworker in the group: the plan check says so.
        working_group: vec![
            Member {
                user: people.leder.id,
                role: Role::Leader,
            },
            Member {
                user: people.koordinator.id,
                role: Role::Coordinator,
            },
            Member {
                user: people.jurist.id,
                role: Role::Lawyer,
            },
        ],
        schedule: milestones(&[
            (MilestoneKind::InformationMeeting, day(2026, 9, 1)?),
            (MilestoneKind::ReviewStart, day(2026, 9, 14)?),
            (MilestoneKind::ReviewEnd, day(2026, 12, 11)?),
            (MilestoneKind::StopOp, day(2026, 12, 16)?),
            (MilestoneKind::FeedbackMeeting, day(2027, 1, 13)?),
            (MilestoneKind::CommitteeReport, day(2027, 2, 3)?),
        ]),
        baseline: false,
        rules: ReviewRules::default(),
        counting: CountingRule::HighestLevel,
        reference_date: reference,
        start_point: "Seneste børnesamtale i perioden".into(),
        look_back_months: 12,
    };
    let (id, content) = create_and_draw(
        store,
        people,
        AUTUMN,
        "BL-TEMA-INDDRAGELSE",
        &plan,
        20260914,
        0,
    )
    .await?;
    let (leder, koordinator) = (people.leder.id, people.koordinator.id);
    let reviews = assign(store, people, id, &plan, |i| {
        if i % 2 == 0 { leder } else { koordinator }
    })
    .await?;
    store
        .set_round_state(
            &as_user(&people.leder),
            id,
            RoundState::Sampled,
            RoundState::Reviewing,
        )
        .await?;
    let cases: BTreeMap<String, CaseRecord> = store
        .round_cases(id)
        .await?
        .into_iter()
        .map(|c| (c.key, c.record))
        .collect();
    let mut rng = Rng(20260914);
    let mut jobs = vec![];
    for (i, r) in reviews.iter().filter(|r| r.level == 1).enumerate() {
        let submitted = i < AUTUMN_SUBMITTED;
        if !submitted && i % 3 != 1 {
            continue;
        }
        let record = cases
            .get(&r.case_key)
            .ok_or_else(|| runtime("a review without its case"))?;
        let mut start = prefilled(&store.answers(r.id).await?);
        for (k, e) in start.iter_mut() {
            e.remark = remark_for(&content, k, &e.value, &mut rng);
        }
        // Submitted: every question; partly answered: about half of them.
        let limit = if submitted {
            usize::MAX
        } else {
            let facts = case_facts(record, reference);
            content
                .evaluate(&facts, &Default::default(), &BTreeMap::new())
                .applicable_count()
                / 2
        };
        jobs.push(Job {
            reviewer: people.by_id(r.reviewer.unwrap_or(leder)).clone(),
            review: r.clone(),
            record: record.clone(),
            entries: fill(&content, record, reference, start, limit, &mut rng),
            submit: submitted,
        });
    }
    write(store, &content, reference, jobs).await?;
    stop_op(store, people, id).await
}

/// Records a meeting through the same parsing the form uses.
async fn meeting(
    store: &Store,
    by: &User,
    round: Uuid,
    kind: &str,
    held_on: &str,
    participants: &[&User],
    key_points: &str,
) -> Result<Uuid, CliError> {
    use tilsyn_domain::feedback::{MeetingInput, parse_meeting};
    let m = parse_meeting(&MeetingInput {
        kind: kind.into(),
        held_on: held_on.into(),
        participants: participants
            .iter()
            .map(|u| u.full_name.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        key_points: key_points.into(),
    })
    .map_err(runtime)?;
    Ok(store
        .create_meeting(&as_user(by), &by.full_name, round, &m)
        .await?)
}

/// Last year's department meetings, the demo caseworker's consent for her first case and
/// that case as an example at the results meeting, and written feedback to her that she has
/// not read yet (so a visitor can acknowledge and answer it).
async fn feedback(store: &Store, people: &People, round: Uuid) -> Result<(), CliError> {
    use tilsyn_domain::feedback::{Consent, MeetingKind, check_example, is_caseworker};
    let everyone = [
        &people.leder,
        &people.koordinator,
        &people.raadgiver,
        &people.jurist,
    ];
    meeting(
        store,
        &people.leder,
        round,
        "information",
        "2025-02-16",
        &everyone,
        "Formålet med ledelsestilsynet: læring, ikke kontrol.\n\
         40 sager fra Team Nord og Team Syd udtrækkes; 20 af dem måles også af juristen.\n\
         Gennemgangen løber fra 2. marts til 17. april; stop op-møde 27. april.",
    )
    .await?;
    let results = meeting(
        store,
        &people.leder,
        round,
        "results",
        "2025-05-18",
        &everyone,
        "Barnets perspektiv er beskrevet i de fleste sager, men børnesamtalen dokumenteres \
         for sjældent.\n\
         Fristen for den børnefaglige undersøgelse holdes oftest; handleplanernes mål er for \
         generelle.\n\
         Afdelingen beslutter fire tiltag (se Tiltag).",
    )
    .await?;
    let mine: Vec<String> = store
        .round_cases(round)
        .await?
        .into_iter()
        .filter(|c| is_caseworker(c.record.caseworker.as_deref(), &people.raadgiver.username))
        .map(|c| c.key)
        .collect();
    let Some(first) = mine.first() else {
        return Err(runtime(
            "the demo caseworker has no case in the baseline round",
        ));
    };
    let rikke = &people.raadgiver;
    store
        .set_consent(
            &as_user(rikke),
            &rikke.full_name,
            round,
            first,
            &rikke.username,
            Consent::Given,
        )
        .await?;
    let note = "Et godt eksempel på en børnesamtale, der er gengivet med barnets egne ord.";
    check_example(MeetingKind::Results, true, Some(Consent::Given), note).map_err(runtime)?;
    store
        .add_example(
            &as_user(&people.leder),
            &people.leder.full_name,
            results,
            first,
            note,
        )
        .await?;
    store
        .write_note(
            &as_user(&people.leder),
            &people.leder.full_name,
            round,
            &rikke.username,
            None,
            "Tak for dine sager i runden. Dine handleplaner har konkrete mål, og barnets \
             perspektiv står tydeligt.\n\
             Børnesamtalen er gennemført, men ikke altid dokumenteret i journalen; brug \
             tjeklisten, så det fremgår, hvad barnet sagde.",
        )
        .await?;
    Ok(())
}

/// The thematic round's stop-op meeting, held while reviewing is under way.
async fn stop_op(store: &Store, people: &People, round: Uuid) -> Result<(), CliError> {
    meeting(
        store,
        &people.koordinator,
        round,
        "stop_op",
        "2026-10-21",
        &[&people.leder, &people.koordinator, &people.jurist],
        "Niveau 1 og juristen læser spørgsmålet om barnets inddragelse forskelligt; \
         kriterierne præciseres.\n\
         Halvdelen af målingerne er i gang; fristen holdes.",
    )
    .await?;
    Ok(())
}
