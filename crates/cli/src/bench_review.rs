//! `tilsyn bench review`: how fast reviewers open the review form and autosave answers, over
//! HTTP on loopback against the real server started in this process (port 0), on a fresh
//! temporary SQLite database (or `--database-url`).
//!
//! Set up through the store, as the demo does: Demo Kommune's units and people, a made-up case
//! register, a generated template of `--generated-items` ja/nej questions (30 per section, about
//! a third with rules) imported and published, and three rounds in review:
//! 1. one case on the standard BL-OVERORDNET for one reviewer (signed in through `/login`);
//! 2. one case on the generated template for the same reviewer;
//! 3. one case per reviewer on BL-OVERORDNET for `--reviewers` people, each with their own
//!    session (opened through the store: argon2 is not what this measures).
//!
//! Then, timed from sending a request to the last byte of its answer:
//! (a) one client saving one answer at a time (`POST /reviews/{id}/autosave`, a different
//!     value each time so every save writes, based on the version the previous save returned),
//!     and opening the form (`GET /reviews/{id}`), on rounds 1 and 2;
//! (b) every reviewer at once, each on its own connection, looping "open the form, save one
//!     answer" for `--seconds` or `--max-iterations` loops in all, whichever comes first.

use crate::CliError;
use crate::bench::percentile;
use chrono::NaiveDate;
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tilsyn_domain::Role;
use tilsyn_domain::audit::Actor;
use tilsyn_domain::cases::{Area, CaseRecord};
use tilsyn_domain::org::{FullName, User, Username};
use tilsyn_domain::policy::case_scope;
use tilsyn_domain::review::{CountingRule, Entry, answer_values, case_facts};
use tilsyn_domain::round::{
    Member, Milestone, MilestoneKind, ReviewRules, RoundKind, RoundPlan, RoundState,
};
use tilsyn_domain::sampling::{
    Allocation, SampleCase, SampleFrame, SampleSpec, Strata, draw_levels,
};
use tilsyn_domain::template::{
    Bearing, Condition, Item, ItemKind, LegalRef, Scale, Section, SectionKind, TemplateContent,
    TemplateKind, Text,
};
use tilsyn_store::cases::ImportFile;
use tilsyn_store::samples::register_fingerprint;
use tilsyn_store::{Store, demo};
use uuid::Uuid;

#[derive(Args, Clone, Debug)]
pub struct BenchReviewArgs {
    /// Concurrent reviewers in (b), each with their own session, connection and review.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=500))]
    pub reviewers: u64,
    /// Seconds of (b).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub seconds: u64,
    /// In a second run of (b), each reviewer pauses this long (± 50 %, at random) before each
    /// request, as people do between clicks; 0 leaves that run out. The first run of (b) never
    /// pauses: it finds the most the server does, and every reviewer waits for the others.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub think_ms: u64,
    /// Upper bound on "open, save" loops in each run of (b), all reviewers together.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_iterations: u64,
    /// Timed saves per template in (a), after 20 untimed ones.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub saves: u64,
    /// Timed form openings per template in (a), after 3 untimed ones.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub opens: u64,
    /// Questions in the generated template (30 per section).
    #[arg(long, default_value_t = 1200, value_parser = clap::value_parser!(u64).range(30..=6000))]
    pub generated_items: u64,
    /// Database to bench on; default a fresh SQLite file in the temp directory.
    #[arg(long, env = "TILSYN_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The figures of one scenario. Latencies in milliseconds, nearest-rank percentiles.
#[derive(Serialize, Debug, Clone)]
pub struct ReviewScenario {
    pub name: String,
    pub template: String,
    pub items: usize,
    pub clients: u64,
    /// Mean pause of each client before a request (0: none).
    pub think_ms: u64,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Mean size of an answer's body in bytes.
    pub mean_body_bytes: u64,
    /// CPU time of this whole process (server and client) per request, where Linux says it:
    /// steadier than latency on a busy machine. Not given for the concurrent runs, which mix
    /// both kinds of request (see [`CrowdRun::cpu_ms_per_loop`]).
    pub cpu_ms_per_request: Option<f64>,
}

/// A figure against its limit (`tilsyn bench report` reports the same way).
#[derive(Serialize, Debug)]
pub struct Target {
    pub what: String,
    pub limit_ms: f64,
    pub measured_ms: f64,
    pub met: bool,
}

#[derive(Serialize, Debug)]
pub struct ReviewBenchReport {
    pub backend: String,
    pub build: &'static str,
    /// The 1-minute load average (Linux) before and after: other work on the machine counts in
    /// every figure here.
    pub load_average: (Option<f64>, Option<f64>),
    pub scenarios: Vec<ReviewScenario>,
    pub concurrent: Vec<CrowdRun>,
    pub targets: Vec<Target>,
}

/// One run of (b) as a whole.
#[derive(Serialize, Debug)]
pub struct CrowdRun {
    pub reviewers: u64,
    pub think_ms: u64,
    /// "Open form, save answer" loops done.
    pub loops: u64,
    pub seconds: f64,
    /// Requests per second, opening and saving together.
    pub requests_per_second: f64,
    /// CPU time of this whole process per loop (one opening and one save), where Linux says it.
    pub cpu_ms_per_loop: Option<f64>,
}

fn rt(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("bench review: {what}: {e}"))
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The reference date of every round here.
fn reference() -> NaiveDate {
    day(2026, 3, 2)
}

// ---------------------------------------------------------------------------------------------
// The generated template.

/// A compliance template of `items` ja/nej questions, 30 to a section. In each section the
/// first question opens the next seven ("Blev skridtet gennemført?" → details when ja), the
/// ninth asks for a reason when it was not; three more depend on the case type or age; every
/// eighth section applies to placements only. That is about the share of rules of the
/// standard BL-OVERORDNET, over 25 times the questions.
pub fn generated_template(key: &str, items: usize) -> TemplateContent {
    const PER_SECTION: usize = 30;
    let ja_nej = Scale::library()
        .into_iter()
        .find(|s| s.key == "ja_nej")
        .unwrap_or_else(|| Scale {
            key: "ja_nej".into(),
            kind: tilsyn_domain::template::ScaleKind::Compliance,
            label: Text::new("Ja / nej", "Yes / no"),
            points: vec![],
        });
    let placements = || Condition::CaseTypeIn(vec!["§ 46".into(), "§ 47".into()]);
    let sections_n = items.div_ceil(PER_SECTION);
    let mut sections = Vec::with_capacity(sections_n);
    for s in 1..=sections_n {
        let skey = format!("{key}.S{s:02}");
        let gate = format!("{skey}.Q01");
        let n = PER_SECTION.min(items - (s - 1) * PER_SECTION);
        let list = (1..=n)
            .map(|q| {
                let rule = match q {
                    2..=8 => Some(Condition::AnswerIn {
                        item: gate.clone(),
                        values: vec!["ja".into()],
                    }),
                    9 => Some(Condition::AnswerIn {
                        item: gate.clone(),
                        values: vec!["nej".into()],
                    }),
                    10 => Some(placements()),
                    11 => Some(Condition::AgeAtLeast(12)),
                    12 => Some(Condition::All(vec![
                        Condition::CaseTypeIn(vec!["§ 32".into(), "§ 46".into()]),
                        Condition::AgeAtLeast(15),
                    ])),
                    _ => None,
                };
                Item {
                    key: format!("{skey}.Q{q:02}"),
                    text: Text::new(
                        &format!(
                            "Spørgsmål {s}.{q}: Fremgår det af sagen, at skridtet er gennemført \
                             og dokumenteret inden for fristen, med barnets perspektiv beskrevet?"
                        ),
                        &format!(
                            "Question {s}.{q}: Does the file show that the step was taken and \
                             documented in time, with the child's view described?"
                        ),
                    ),
                    help: None,
                    criteria: Some(Text::new(
                        "Ja, når journalen viser handlingen, datoen og begrundelsen.",
                        "Yes when the file shows the action, its date and the reasons.",
                    )),
                    legal_refs: vec![LegalRef {
                        law: "barnets lov".into(),
                        law_version: None,
                        paragraph: "20".into(),
                        stk: Some("3".into()),
                    }],
                    scale: "ja_nej".into(),
                    compliant: vec!["ja".into()],
                    remark_required_on: vec!["nej".into()],
                    bearing: Some(Bearing::ALL[q % Bearing::ALL.len()]),
                    kind: ItemKind::Core,
                    rule,
                    source: None,
                    deadline: None,
                }
            })
            .collect();
        sections.push(Section {
            key: skey,
            kind: SectionKind::CaseStep,
            title: Text::new(&format!("Sagsskridt {s}"), &format!("Case step {s}")),
            intro: None,
            rule: (s % 8 == 0).then(placements),
            items: list,
            sections: vec![],
        });
    }
    TemplateContent {
        key: key.to_owned(),
        title: Text::new(
            &format!("Benchmark: {items} spørgsmål"),
            &format!("Benchmark: {items} questions"),
        ),
        description: None,
        kind: TemplateKind::Compliance,
        source: Some("tilsyn bench review (generated)".into()),
        law_version: None,
        cannot_assess: false,
        attributes: vec![],
        scales: vec![ja_nej],
        sections,
    }
}

// ---------------------------------------------------------------------------------------------
// Setting up.

/// A made-up case of the register: types, ages and dates vary with `i`; measures start in 2025.
fn bench_case(source: &str, i: usize) -> CaseRecord {
    bench_case_in(source, i, 2025)
}

/// [`bench_case`] with the measure starting in `year` (and the other dates moved with it), for
/// rounds whose reference dates lie years back.
pub(crate) fn bench_case_in(source: &str, i: usize, year: i32) -> CaseRecord {
    const TYPES: [&str; 4] = ["§ 32", "§ 46", "§ 47", "§ 32"];
    let start = day(year, 1 + (i % 12) as u32, 1 + (i % 27) as u32);
    CaseRecord {
        source: source.to_owned(),
        external_id: format!("{}", 10_000 + i),
        caseworker: Some(format!("sb{}", i % 7)),
        unit: Some(
            if i.is_multiple_of(2) {
                "Team Nord"
            } else {
                "Team Syd"
            }
            .into(),
        ),
        area: Some(Area::VulnerableChildren),
        case_type: TYPES[i % TYPES.len()].into(),
        measure_start: Some(start),
        decision_date: start.checked_sub_days(chrono::Days::new(10)),
        underretning_received: start.checked_sub_days(chrono::Days::new(120)),
        bfu_start: start.checked_sub_days(chrono::Days::new(100)),
        bfu_end: start.checked_sub_days(chrono::Days::new(20 + (i % 5) as u64 * 30)),
        plan_date: start.checked_add_days(chrono::Days::new(30 + (i % 4) as u64 * 40)),
        birth_date: Some(day(year - 17 + (i % 15) as i32, 1 + (i % 12) as u32, 15)),
        ..CaseRecord::default()
    }
}

/// One reviewer's review, as the benchmark drives it.
struct Reviewer {
    review: Uuid,
    csrf: String,
    session: String,
    /// (item, two answer codes to alternate between), in document order.
    items: Vec<(String, [String; 2])>,
    /// The stored value and version per item.
    state: BTreeMap<String, (String, i64)>,
    next: usize,
}

impl Reviewer {
    /// The next save: an item, a value other than the stored one, and the stored version.
    fn next_change(&mut self) -> (String, String, i64) {
        let (item, codes) = &self.items[self.next % self.items.len()];
        self.next += 1;
        let (value, version) = self.state.get(item).cloned().unwrap_or((String::new(), 0));
        let to = if value == codes[0] {
            codes[1].clone()
        } else {
            codes[0].clone()
        };
        (item.clone(), to, version)
    }

    fn saved(&mut self, item: &str, value: String, version: i64) {
        self.state.insert(item.to_owned(), (value, version));
    }
}

struct Setup {
    addr: SocketAddr,
    standard_single: Reviewer,
    generated_single: Reviewer,
    standard_items: usize,
    generated_items: usize,
    generated_key: String,
    crowd: Vec<Reviewer>,
}

pub(crate) fn as_user(u: &User) -> Actor {
    Actor {
        user_id: Some(u.id),
        username: Some(u.username.clone()),
        client_addr: Some("bench".into()),
        request_id: None,
    }
}

/// A broad round on [`reference`] with `people` as coordinators and one level of `levels`
/// cases; callers change what else they need.
pub(crate) fn plan(people: &[&User], levels: usize) -> RoundPlan {
    let r = reference();
    RoundPlan {
        kind: RoundKind::Broad,
        level_sizes: vec![levels],
        themes: vec![],
        theme_spots: vec![],
        working_group: people
            .iter()
            .map(|u| Member {
                user: u.id,
                role: Role::Coordinator,
            })
            .collect(),
        schedule: vec![
            Milestone {
                kind: MilestoneKind::ReviewStart,
                date: r,
            },
            Milestone {
                kind: MilestoneKind::ReviewEnd,
                date: day(2026, 4, 17),
            },
        ],
        baseline: false,
        rules: ReviewRules::default(),
        counting: CountingRule::default(),
        reference_date: r,
        start_point: "Seneste afgørelse i perioden".into(),
        look_back_months: 24,
    }
}

/// Creates a round on `version` under `plan` as `leder` over her units, draws its levels
/// (`plan.level_sizes`, nested) from `register` without strata and attaches them: the round is
/// then sampled, with an open review per case and level. Returns the round and the template.
pub(crate) async fn create_and_attach(
    store: &Store,
    leder: &User,
    name: &str,
    version: Uuid,
    plan: &RoundPlan,
    register: &[SampleCase],
    seed: u64,
) -> Result<(Uuid, TemplateContent), CliError> {
    let actor = as_user(leder);
    let content = store.template_version_by_id(version).await?.content;
    let (_, subject, tree) = store.subject(leder.id).await?;
    let scope = case_scope(&subject, &tree).names();
    let id = store
        .create_round(&actor, &leder.full_name, name, version, plan, &scope)
        .await?;
    let spec = SampleSpec {
        frame: SampleFrame::new(plan.reference_date),
        strata: Strata::none(),
        allocation: Allocation::Proportional,
        target: plan.level_sizes.first().copied().unwrap_or(0),
        coverage: false,
        caseworker_last_sampled: BTreeMap::new(),
        seed,
    };
    let nested = plan.level_sizes.get(1..).unwrap_or(&[]);
    let levels = draw_levels(register, &spec, nested)
        .map_err(|e| CliError::Runtime(format!("drawing the sample of {name}: {e}")))?;
    let sample = store
        .save_sample(
            &actor,
            &leder.full_name,
            &spec,
            &[],
            &scope,
            &register_fingerprint(register),
            &levels,
        )
        .await?;
    let keys = levels
        .first()
        .map(|l| l.selected.clone())
        .unwrap_or_default();
    let records = store.case_records(&keys).await?;
    // A case is reviewed at every level whose draw has it.
    let depths: Vec<u8> = records
        .iter()
        .map(|(k, _)| {
            let deeper = levels.iter().skip(1).filter(|l| l.selected.contains(k));
            1 + u8::try_from(deeper.count()).unwrap_or(0)
        })
        .collect();
    let cases = tilsyn_web::rounds::build_round_cases(
        &content,
        plan,
        records,
        &depths,
        plan.reference_date,
    );
    store.attach_sample(&actor, id, sample, &cases).await?;
    Ok((id, content))
}

/// Creates a round on `version` with `reviewers.len()` cases drawn from `register` (level 1
/// only), gives review i to reviewer i and starts reviewing. Returns the review ids in the
/// reviewers' order, and the template.
async fn round_for(
    store: &Store,
    leder: &User,
    name: &str,
    version: Uuid,
    register: &[SampleCase],
    reviewers: &[&User],
    seed: u64,
) -> Result<(Vec<(Uuid, String)>, TemplateContent), CliError> {
    let actor = as_user(leder);
    let plan = plan(reviewers, reviewers.len());
    let (id, content) =
        create_and_attach(store, leder, name, version, &plan, register, seed).await?;
    let reviews = store.round_reviews(id).await?;
    if reviews.len() != reviewers.len() {
        return Err(rt(
            "setting up",
            format!(
                "{} reviews for {} reviewers in {name}",
                reviews.len(),
                reviewers.len()
            ),
        ));
    }
    let rows: Vec<_> = reviews
        .iter()
        .zip(reviewers)
        .map(|(r, u)| (r.id, u.id, vec![]))
        .collect();
    store
        .assign_reviews(&actor, id, &rows, plan.milestone(MilestoneKind::ReviewEnd))
        .await?;
    store
        .set_round_state(&actor, id, RoundState::Sampled, RoundState::Reviewing)
        .await?;
    Ok((
        reviews.into_iter().map(|r| (r.id, r.case_key)).collect(),
        content,
    ))
}

/// The items a reviewer's saves go round: those that apply to the case at the start and
/// are answered by choosing, each with two of its scale's codes.
async fn reviewer_for(
    store: &Store,
    review: Uuid,
    round_case: &CaseRecord,
    content: &TemplateContent,
    csrf: String,
    session: String,
) -> Result<Reviewer, CliError> {
    let stored = store.answers(review).await?;
    let entries: BTreeMap<String, Entry> = stored
        .iter()
        .map(|(k, a)| (k.clone(), a.entry.clone()))
        .collect();
    let facts = case_facts(round_case, reference());
    let eval = content.evaluate(&facts, &answer_values(&entries), &BTreeMap::new());
    let mut items = vec![];
    for (key, status) in &eval.items {
        if !status.applies() {
            continue;
        }
        let Some(scale) = content.item(key).and_then(|i| content.scale(&i.scale)) else {
            continue;
        };
        if scale.kind.has_points() && scale.points.len() >= 2 {
            items.push((
                key.clone(),
                [scale.points[0].code.clone(), scale.points[1].code.clone()],
            ));
        }
    }
    if items.is_empty() {
        return Err(rt("setting up", "a review with no question to answer"));
    }
    Ok(Reviewer {
        review,
        csrf,
        session,
        items,
        state: stored
            .into_iter()
            .map(|(k, a)| (k, (a.entry.value, a.version)))
            .collect(),
        next: 0,
    })
}

/// Imports `records` (all of one `source`) into the case register as an extract would be, and
/// returns that source's register as sampling reads it.
pub(crate) async fn import_register(
    store: &Store,
    actor: &Actor,
    source: &str,
    records: &[CaseRecord],
    file_name: &str,
) -> Result<Vec<SampleCase>, CliError> {
    let mut import = store.begin_case_import(source).await?;
    import.add(records).await?;
    import
        .finish(
            actor,
            &ImportFile {
                source: source.to_owned(),
                file_name: file_name.into(),
                file_sha256: "0".repeat(64),
                encoding: "UTF-8".into(),
                rows: records.len() as u64,
            },
            true,
        )
        .await?;
    Ok(store.sample_cases(Some(source)).await?)
}

fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

async fn set_up(
    store: &Store,
    addr: SocketAddr,
    args: &BenchReviewArgs,
) -> Result<Setup, CliError> {
    let cli = Actor::cli(Some("bench".into()));
    demo::seed(store, &cli).await?;
    // Unique per run, so a PostgreSQL database can be benched on more than once.
    let run = Uuid::now_v7().simple().to_string();
    let tag = &run[run.len() - 6..];
    let leder = store.find_user("leder").await?;
    let koordinator = store.find_user("koordinator").await?;

    // The reviewers of (b): coordinators over the teams, signed in through the store.
    let tree = store.org_tree().await?;
    let unit = tree
        .rows()
        .iter()
        .find(|r| r.unit.name == "Myndighed Børn og Unge")
        .map(|r| r.unit.id)
        .ok_or_else(|| rt("setting up", "the demo unit is missing"))?;
    let n = usize::try_from(args.reviewers).unwrap_or(1);
    let mut people = Vec::with_capacity(n);
    for i in 1..=n {
        let username = Username::parse(&format!("bench-{tag}-{i:03}"))
            .map_err(|e| rt("user", format!("{e:?}")))?;
        let full = FullName::parse(&format!("Bench Reviewer {i}"))
            .map_err(|e| rt("user", format!("{e:?}")))?;
        let u = store.create_user(&cli, &username, &full, None).await?;
        store
            .grant_role(&cli, u.id, Role::Coordinator, unit)
            .await?;
        let session = store.sign_in(&as_user(&u), u.id).await?;
        people.push((u, session));
    }

    // The register: a case per reviewer and two more, imported as an extract would be.
    let source = format!("BENCH{tag}").to_uppercase();
    let records: Vec<CaseRecord> = (0..n + 2).map(|i| bench_case(&source, i)).collect();
    let register = import_register(store, &cli, &source, &records, "bench-review.csv").await?;
    let by_key: BTreeMap<String, CaseRecord> = records
        .into_iter()
        .map(|r| (format!("{}/{}", r.source, r.external_id), r))
        .collect();

    // The generated template, imported and published like an uploaded file.
    let generated_key = format!("BENCH-{}-{tag}", args.generated_items).to_uppercase();
    let generated = generated_template(
        &generated_key,
        usize::try_from(args.generated_items).unwrap_or(1200),
    );
    store
        .import_template(&cli, &generated)
        .await
        .map_err(|e| rt("importing the generated template", e))?;
    let generated_version = store.publish_version(&cli, &generated_key, 1).await?.id;
    let standard_version = store
        .template("BL-OVERORDNET")
        .await?
        .latest_published()
        .map(|v| v.id)
        .ok_or_else(|| rt("setting up", "no published BL-OVERORDNET"))?;

    // The single client signs in through the form, as a person would.
    let (csrf, session) = crate::bench::sign_in(addr, "koordinator").await?;
    let mut singles = vec![];
    for (name, version, seed) in [
        ("standard", standard_version, 11),
        ("generated", generated_version, 12),
    ] {
        let (reviews, content) = round_for(
            store,
            &leder,
            &format!("Bench {tag}: {name}, one reviewer"),
            version,
            &register,
            &[&koordinator],
            seed,
        )
        .await?;
        let (review, key) = &reviews[0];
        let case = by_key
            .get(key)
            .ok_or_else(|| rt("setting up", "a review without its case"))?;
        let r = reviewer_for(
            store,
            *review,
            case,
            &content,
            csrf.clone(),
            session.clone(),
        )
        .await?;
        singles.push((r, content.items().len()));
    }

    // (b): one round, a review each.
    let users: Vec<&User> = people.iter().map(|(u, _)| u).collect();
    let (reviews, content) = round_for(
        store,
        &leder,
        &format!("Bench {tag}: {n} reviewers"),
        standard_version,
        &register,
        &users,
        13,
    )
    .await?;
    let mut crowd = Vec::with_capacity(n);
    for ((review, key), (_, session)) in reviews.iter().zip(&people) {
        let case = by_key
            .get(key)
            .ok_or_else(|| rt("setting up", "a review without its case"))?;
        let mut r = reviewer_for(
            store,
            *review,
            case,
            &content,
            random_token(),
            session.clone(),
        )
        .await?;
        // Spread the reviewers over the form.
        r.next = crowd.len() % r.items.len();
        crowd.push(r);
    }
    let (generated_single, generated_items) = singles.pop().ok_or_else(|| rt("setting up", "?"))?;
    let (standard_single, standard_items) = singles.pop().ok_or_else(|| rt("setting up", "?"))?;
    Ok(Setup {
        addr,
        standard_single,
        generated_single,
        standard_items,
        generated_items,
        generated_key,
        crowd,
    })
}

// ---------------------------------------------------------------------------------------------
// The client.

struct Conn {
    addr: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

struct Answer {
    status: StatusCode,
    body: Bytes,
    took: Duration,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Conn, CliError> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| rt("connecting", e))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| rt("connecting", e))?;
        tokio::spawn(conn);
        Ok(Conn { addr, sender })
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<Answer, CliError> {
        self.sender.ready().await.map_err(|e| rt("connection", e))?;
        let t = Instant::now();
        let res = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| rt("request", e))?;
        let status = res.status();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(|e| rt("reading an answer", e))?
            .to_bytes();
        Ok(Answer {
            status,
            body,
            took: t.elapsed(),
        })
    }

    /// GET /reviews/{id}.
    async fn open_form(&mut self, r: &Reviewer) -> Result<Answer, CliError> {
        let req = Request::get(format!("/reviews/{}", r.review))
            .header(hyper::header::HOST, self.addr.to_string())
            .header(
                hyper::header::COOKIE,
                format!("tilsyn_csrf={}; tilsyn_session={}", r.csrf, r.session),
            )
            .body(Full::new(Bytes::new()))
            .map_err(|e| rt("request", e))?;
        self.send(req).await
    }

    /// POST /reviews/{id}/autosave of the reviewer's next change; true when it was saved with
    /// the version expected (and the reviewer's state follows the answer either way).
    async fn save_one(&mut self, r: &mut Reviewer) -> Result<(Answer, bool), CliError> {
        let (item, value, version) = r.next_change();
        let remark = if value == "nej" {
            "bench+bem%C3%A6rkning"
        } else {
            ""
        };
        let body = format!(
            "csrf_token={csrf}&a.{item}={value}&r.{item}={remark}&o.{item}=&v.{item}={version}",
            csrf = r.csrf
        );
        let req = Request::post(format!("/reviews/{}/autosave", r.review))
            .header(hyper::header::HOST, self.addr.to_string())
            .header(
                hyper::header::COOKIE,
                format!("tilsyn_csrf={}; tilsyn_session={}", r.csrf, r.session),
            )
            .header("x-csrf-token", r.csrf.as_str())
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| rt("request", e))?;
        let answer = self.send(req).await?;
        let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        let saved = json
            .get("saved")
            .and_then(|s| s.get(&item))
            .and_then(serde_json::Value::as_i64);
        let ok = answer.status == StatusCode::OK && saved == Some(version + 1);
        match saved {
            Some(v) => r.saved(&item, value, v),
            None => {
                // A conflict carries the stored answer; take it and go on.
                let theirs = json
                    .get("conflicts")
                    .and_then(|c| c.as_array())
                    .and_then(|c| {
                        c.iter()
                            .find(|x| x.get("item") == Some(&item.clone().into()))
                    });
                if let Some(t) = theirs {
                    let v = t.get("version").and_then(serde_json::Value::as_i64);
                    let val = t.get("value").and_then(|x| x.as_str()).unwrap_or("");
                    if let Some(v) = v {
                        r.saved(&item, val.to_owned(), v);
                    }
                }
            }
        }
        Ok((answer, ok))
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring.

#[derive(Default)]
struct Samples {
    lat: Vec<Duration>,
    errors: u64,
    bytes: u64,
}

impl Samples {
    fn push(&mut self, a: &Answer, ok: bool) {
        self.lat.push(a.took);
        self.bytes += a.body.len() as u64;
        if !ok {
            self.errors += 1;
        }
    }

    fn extend(&mut self, other: Samples) {
        self.lat.extend(other.lat);
        self.errors += other.errors;
        self.bytes += other.bytes;
    }

    fn scenario(
        mut self,
        name: &str,
        template: &str,
        items: usize,
        clients: u64,
        think_ms: u64,
        seconds: f64,
    ) -> ReviewScenario {
        self.lat.sort();
        let n = self.lat.len() as u64;
        ReviewScenario {
            name: name.to_owned(),
            template: template.to_owned(),
            items,
            clients,
            think_ms,
            requests: n,
            errors: self.errors,
            seconds,
            requests_per_second: n as f64 / seconds.max(1e-9),
            median_ms: percentile(&self.lat, 0.50),
            p95_ms: percentile(&self.lat, 0.95),
            p99_ms: percentile(&self.lat, 0.99),
            max_ms: self.lat.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            mean_body_bytes: self.bytes.checked_div(n).unwrap_or(0),
            cpu_ms_per_request: None,
        }
    }
}

const WARM_SAVES: u64 = 20;
const WARM_OPENS: u64 = 3;

/// (a) for one template: saves, then form openings, one after the other on one connection.
async fn single_client(
    addr: SocketAddr,
    r: &mut Reviewer,
    template: &str,
    items: usize,
    args: &BenchReviewArgs,
) -> Result<Vec<ReviewScenario>, CliError> {
    let mut conn = Conn::open(addr).await?;
    let mut saves = Samples::default();
    let mut timed_from = Instant::now();
    let mut cpu_from = process_cpu();
    for i in 0..WARM_SAVES + args.saves {
        if i == WARM_SAVES {
            saves = Samples::default();
            timed_from = Instant::now();
            cpu_from = process_cpu();
        }
        let (a, ok) = conn.save_one(r).await?;
        if i == 0 && !ok {
            return Err(rt(
                "the first save failed",
                format!("{} {}", a.status, String::from_utf8_lossy(&a.body)),
            ));
        }
        saves.push(&a, ok);
    }
    let save_secs = timed_from.elapsed().as_secs_f64();
    let save_cpu = cpu_per(cpu_from, process_cpu(), saves.lat.len());
    let mut opens = Samples::default();
    let mut timed_from = Instant::now();
    let mut cpu_from = process_cpu();
    for i in 0..WARM_OPENS + args.opens {
        if i == WARM_OPENS {
            opens = Samples::default();
            timed_from = Instant::now();
            cpu_from = process_cpu();
        }
        let a = conn.open_form(r).await?;
        if i == 0 && a.status != StatusCode::OK {
            return Err(rt("the form did not open", a.status));
        }
        let ok = a.status == StatusCode::OK;
        opens.push(&a, ok);
    }
    let open_secs = timed_from.elapsed().as_secs_f64();
    let open_cpu = cpu_per(cpu_from, process_cpu(), opens.lat.len());
    let mut save = saves.scenario("save answer", template, items, 1, 0, save_secs);
    save.cpu_ms_per_request = save_cpu;
    let mut open = opens.scenario("open form", template, items, 1, 0, open_secs);
    open.cpu_ms_per_request = open_cpu;
    Ok(vec![save, open])
}

/// A pause of `mean_ms` ± 50 %, at random.
async fn think(mean_ms: u64) {
    if mean_ms == 0 {
        return;
    }
    let ms = {
        use rand::Rng;
        rand::rng().random_range(mean_ms / 2..=mean_ms + mean_ms / 2)
    };
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

struct Crowd {
    reviewers: Vec<Reviewer>,
    opens: Samples,
    saves: Samples,
    seconds: f64,
    loops: u64,
    cpu: Option<Duration>,
}

/// (b): every reviewer on its own connection, "open, save" loops (with a pause of `think_ms`
/// before each request) until the time or the loop budget is up. Each reviewer does one
/// untimed loop first; timing starts when all have.
async fn crowd(
    addr: SocketAddr,
    reviewers: Vec<Reviewer>,
    args: &BenchReviewArgs,
    think_ms: u64,
) -> Result<Crowd, CliError> {
    let n = reviewers.len();
    let barrier = Arc::new(tokio::sync::Barrier::new(n + 1));
    let budget = Arc::new(AtomicU64::new(args.max_iterations));
    let loops = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(n);
    for mut r in reviewers {
        let barrier = barrier.clone();
        let budget = budget.clone();
        let loops = loops.clone();
        tasks.push(tokio::spawn(async move {
            let warm = async {
                let mut conn = Conn::open(addr).await?;
                let a = conn.open_form(&r).await?;
                if a.status != StatusCode::OK {
                    return Err(rt("a reviewer's form did not open", a.status));
                }
                let (a, ok) = conn.save_one(&mut r).await?;
                if !ok {
                    return Err(rt(
                        "a reviewer's first save failed",
                        format!("{} {}", a.status, String::from_utf8_lossy(&a.body)),
                    ));
                }
                Ok(conn)
            }
            .await;
            // Everyone reaches the barrier, so a failure cannot leave the others waiting.
            barrier.wait().await;
            let mut conn = warm?;
            let mut opens = Samples::default();
            let mut saves = Samples::default();
            // The budget runs out after `max_iterations` loops, or when time is up.
            while budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
                .is_ok()
            {
                think(think_ms).await;
                let a = conn.open_form(&r).await?;
                let ok = a.status == StatusCode::OK;
                opens.push(&a, ok);
                think(think_ms).await;
                let (a, ok) = conn.save_one(&mut r).await?;
                saves.push(&a, ok);
                loops.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, CliError>((r, opens, saves))
        }));
    }
    barrier.wait().await;
    let start = Instant::now();
    let cpu_from = process_cpu();
    let stopper = {
        let budget = budget.clone();
        let seconds = args.seconds;
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            budget.store(0, Ordering::Relaxed);
        })
    };
    let mut opens = Samples::default();
    let mut saves = Samples::default();
    let mut back = Vec::with_capacity(n);
    let mut first_error = None;
    for t in tasks {
        match t.await {
            Ok(Ok((r, o, s))) => {
                back.push(r);
                opens.extend(o);
                saves.extend(s);
            }
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(rt("a reviewer's task", e));
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = process_cpu().and_then(|c| c.checked_sub(cpu_from?));
    stopper.abort();
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(Crowd {
        reviewers: back,
        opens,
        saves,
        seconds: secs,
        loops: loops.load(Ordering::Relaxed),
        cpu,
    })
}

/// CPU time (user and system) of this process so far, all threads, where Linux says it.
pub(crate) fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which ends at the last ')': state is field 3, utime 14
    // and stime 15, in clock ticks (USER_HZ, 100 on Linux).
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// CPU milliseconds per unit of work between two readings of [`process_cpu`].
fn cpu_per(before: Option<Duration>, after: Option<Duration>, n: usize) -> Option<f64> {
    let spent = after?.checked_sub(before?)?;
    (n > 0).then(|| spent.as_secs_f64() * 1000.0 / n as f64)
}

/// The 1-minute load average, where Linux says it.
pub(crate) fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

pub async fn measure(store: Store, args: &BenchReviewArgs) -> Result<ReviewBenchReport, CliError> {
    let load_before = load_average();
    let mut settings = tilsyn_web::Settings::default();
    settings.throttle.per_address = u32::MAX;
    settings.throttle.per_account = u32::MAX;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| rt("listening", e))?;
    let addr = listener.local_addr().map_err(|e| rt("listening", e))?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = tilsyn_web::app(store.clone(), settings);
    let server = tokio::spawn(tilsyn_web::serve(listener, app, async {
        let _ = stop_rx.await;
    }));
    let result = async {
        let mut s = set_up(&store, addr, args).await?;
        let mut scenarios = single_client(
            s.addr,
            &mut s.standard_single,
            "BL-OVERORDNET",
            s.standard_items,
            args,
        )
        .await?;
        scenarios.extend(
            single_client(
                s.addr,
                &mut s.generated_single,
                &s.generated_key,
                s.generated_items,
                args,
            )
            .await?,
        );
        let clients = s.crowd.len() as u64;
        let mut runs = vec![];
        let mut reviewers = s.crowd;
        let pauses = if args.think_ms > 0 {
            vec![0, args.think_ms]
        } else {
            vec![0]
        };
        for think_ms in pauses {
            let c = crowd(s.addr, reviewers, args, think_ms).await?;
            reviewers = c.reviewers;
            let total = (c.opens.lat.len() + c.saves.lat.len()) as f64;
            runs.push(CrowdRun {
                reviewers: clients,
                think_ms,
                loops: c.loops,
                seconds: c.seconds,
                requests_per_second: total / c.seconds.max(1e-9),
                cpu_ms_per_loop: c
                    .cpu
                    .filter(|_| c.loops > 0)
                    .map(|d| d.as_secs_f64() * 1000.0 / c.loops as f64),
            });
            for (name, samples) in [("open form", c.opens), ("save answer", c.saves)] {
                scenarios.push(samples.scenario(
                    name,
                    "BL-OVERORDNET",
                    s.standard_items,
                    clients,
                    think_ms,
                    c.seconds,
                ));
            }
        }
        Ok::<_, CliError>((scenarios, runs))
    }
    .await;
    let _ = stop_tx.send(());
    let _ = server.await;
    let (scenarios, concurrent) = result?;
    let targets = targets(&scenarios);
    Ok(ReviewBenchReport {
        backend: store.backend().name().to_owned(),
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        load_average: (load_before, load_average()),
        scenarios,
        concurrent,
        targets,
    })
}

fn targets(scenarios: &[ReviewScenario]) -> Vec<Target> {
    let mut out = vec![];
    for s in scenarios {
        let (what, limit, measured) = match (s.name.as_str(), s.clients) {
            ("save answer", 1) => (
                format!("save answer, 1 client, {}: median", s.template),
                5.0,
                s.median_ms,
            ),
            (name, c) if c > 1 => (
                format!(
                    "{name}, {c} reviewers, {}: p99",
                    if s.think_ms == 0 {
                        "no pauses".to_owned()
                    } else {
                        format!("{} ms pauses", s.think_ms)
                    }
                ),
                25.0,
                s.p99_ms,
            ),
            _ => continue,
        };
        out.push(Target {
            what,
            limit_ms: limit,
            measured_ms: measured,
            met: measured < limit,
        });
    }
    out
}

fn print_report(r: &ReviewBenchReport) {
    println!(
        "{:<12} {:<22} {:>5} {:>7} {:>6} {:>8} {:>6} {:>9} {:>9} {:>8} {:>8} {:>8} {:>9} {:>7}",
        "scenario",
        "template",
        "items",
        "clients",
        "pause",
        "requests",
        "errors",
        "req/s",
        "median ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "body B",
        "cpu ms"
    );
    for s in &r.scenarios {
        println!(
            "{:<12} {:<22} {:>5} {:>7} {:>6} {:>8} {:>6} {:>9.1} {:>9.2} {:>8.2} {:>8.2} {:>8.2} {:>9} {:>7}",
            s.name,
            s.template,
            s.items,
            s.clients,
            s.think_ms,
            s.requests,
            s.errors,
            s.requests_per_second,
            s.median_ms,
            s.p95_ms,
            s.p99_ms,
            s.max_ms,
            s.mean_body_bytes,
            s.cpu_ms_per_request
                .map_or("-".to_owned(), |c| format!("{c:.2}"))
        );
    }
    for c in &r.concurrent {
        println!(
            "{} reviewers at once, pause {} ms: {} loops (open form + save answer) in {:.1} s, \
             {:.1} requests/s in all, {} CPU ms per loop",
            c.reviewers,
            c.think_ms,
            c.loops,
            c.seconds,
            c.requests_per_second,
            c.cpu_ms_per_loop
                .map_or("?".to_owned(), |c| format!("{c:.2}"))
        );
    }
    println!(
        "pause: mean ms (± 50 %) a client waits before each request; body B: mean answer size; \
         cpu ms: CPU time of server and client together per request"
    );
    for t in &r.targets {
        println!(
            "target {:<52} < {:>5.1} ms: {:>8.2} ms  {}",
            t.what,
            t.limit_ms,
            t.measured_ms,
            if t.met { "met" } else { "NOT MET" }
        );
    }
    let opt = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.2}"));
    println!(
        "load average (1 min) before / after: {} / {} (other work on the machine counts here)",
        opt(r.load_average.0),
        opt(r.load_average.1)
    );
    println!(
        "backend: {}; build: {}",
        r.backend,
        if r.build == "debug" {
            "debug (use --release for real figures)"
        } else {
            "release"
        }
    );
}

pub async fn run(args: BenchReviewArgs) -> Result<(), CliError> {
    let tmp = std::env::temp_dir().join(format!(
        "tilsyn-bench-review-{}.db",
        Uuid::now_v7().simple()
    ));
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", tmp.display()));
    let store = crate::config::DbArgs { database_url: url }.open().await?;
    let report = measure(store.clone(), &args).await;
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    let report = report?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| rt("JSON", e))?
        );
    } else {
        print_report(&report);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_template_is_publishable() {
        let c = generated_template("BENCH-60", 60);
        assert_eq!(c.items().len(), 60);
        assert_eq!(c.sections.len(), 2);
        assert!(
            c.check_for_publish().is_empty(),
            "{:?}",
            c.check_for_publish()
        );
        let rules = c.items().iter().filter(|p| p.item.rule.is_some()).count();
        assert_eq!(rules, 2 * 11);
    }

    #[test]
    fn saves_alternate_so_every_save_writes() {
        let mut r = Reviewer {
            review: Uuid::nil(),
            csrf: String::new(),
            session: String::new(),
            items: vec![("A".into(), ["ja".into(), "nej".into()])],
            state: BTreeMap::new(),
            next: 0,
        };
        assert_eq!(r.next_change(), ("A".into(), "ja".into(), 0));
        r.saved("A", "ja".into(), 1);
        assert_eq!(r.next_change(), ("A".into(), "nej".into(), 1));
        r.saved("A", "nej".into(), 2);
        assert_eq!(r.next_change(), ("A".into(), "ja".into(), 2));
    }

    /// A short real run with tiny sizes: every scenario answers, with no errors.
    #[tokio::test]
    async fn bench_review_runs_against_a_real_server() {
        let db = tilsyn_store::testing::TestDb::new().await;
        db.store
            .ensure_standard_templates(&tilsyn_store::standard::templates().expect("standard"))
            .await
            .expect("standard templates");
        let args = BenchReviewArgs {
            reviewers: 3,
            seconds: 1,
            max_iterations: 6,
            saves: 4,
            opens: 2,
            generated_items: 60,
            think_ms: 1,
            database_url: None,
            json: true,
        };
        let report = measure(db.store.clone(), &args).await.expect("bench");
        let names: Vec<_> = report
            .scenarios
            .iter()
            .map(|s| (s.name.as_str(), s.clients))
            .collect();
        assert_eq!(
            names,
            [
                ("save answer", 1),
                ("open form", 1),
                ("save answer", 1),
                ("open form", 1),
                ("open form", 3),
                ("save answer", 3),
                ("open form", 3),
                ("save answer", 3),
            ]
        );
        for s in &report.scenarios {
            assert!(s.requests > 0, "{s:?}");
            assert_eq!(s.errors, 0, "{s:?}");
        }
        assert_eq!(report.scenarios[2].items, 60);
        assert_eq!(report.concurrent.len(), 2);
        assert!(report.concurrent.iter().all(|c| c.loops <= 6));
        assert_eq!(report.targets.len(), 6);
    }
}
