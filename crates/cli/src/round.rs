//! `tilsyn round list` and `tilsyn round show ROUND`: the rounds, their plans, progress per
//! level and the plan checks, as text (Danish first) or JSON.

use crate::CliError;
use crate::admin::tr;
use crate::config::DbArgs;
use clap::Subcommand;
use serde::Serialize;
use std::collections::BTreeMap;
use tilsyn_domain::UserId;
use tilsyn_domain::review::ReviewStatus;
use tilsyn_domain::round::{PlanWarning, RoundPlan, check_plan};
use tilsyn_store::Store;
use tilsyn_store::rounds::Round;
use tilsyn_web::i18n::Tr;
use uuid::Uuid;

#[derive(Subcommand)]
pub enum RoundCommand {
    /// List the rounds, newest first, with their progress.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Show one round (by id, or by its name when no other round has it): plan, progress per
    /// level and the plan checks.
    Show {
        round: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(cmd: RoundCommand) -> Result<(), CliError> {
    match cmd {
        RoundCommand::List { json, db } => {
            let store = db.open().await?;
            let res = list(&store, json).await;
            store.close().await;
            res
        }
        RoundCommand::Show { round, json, db } => {
            let store = db.open().await?;
            let res = show(&store, &round, json).await;
            store.close().await;
            res
        }
    }
}

/// A round by id, or by name (case-insensitive) when only one round has it. Not found, or a
/// name several rounds share, is exit 1 with a message saying what to write instead.
pub async fn find_round(store: &Store, s: &str) -> Result<Round, CliError> {
    let tr = tr();
    if let Ok(id) = s.trim().parse::<Uuid>() {
        match store.round(id).await {
            Ok(r) => return Ok(r),
            Err(tilsyn_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let want = s.trim().to_lowercase();
    let hits: Vec<_> = store
        .list_rounds()
        .await?
        .into_iter()
        .filter(|r| r.name.trim().to_lowercase() == want)
        .collect();
    match hits.as_slice() {
        [one] => Ok(store.round(one.id).await?),
        [] => Err(CliError::Runtime(tr.t1("round-cli-not-found", "round", s))),
        many => Err(CliError::Runtime(
            tr.targs(
                "round-cli-ambiguous",
                &[
                    ("round", s.to_owned()),
                    (
                        "ids",
                        many.iter()
                            .map(|r| r.id.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ],
            ),
        )),
    }
}

/// One line of `round list --json`.
#[derive(Serialize)]
struct ListRow {
    id: Uuid,
    name: String,
    kind: &'static str,
    state: &'static str,
    cases: i64,
    reviews: i64,
    submitted: i64,
    created_at: chrono::DateTime<chrono::Utc>,
}

async fn list(store: &Store, json: bool) -> Result<(), CliError> {
    let rounds = store.list_rounds().await?;
    if json {
        let rows: Vec<ListRow> = rounds
            .iter()
            .map(|r| ListRow {
                id: r.id,
                name: r.name.clone(),
                kind: r.kind.code(),
                state: r.state.code(),
                cases: r.cases,
                reviews: r.reviews,
                submitted: r.submitted,
                created_at: r.created_at,
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(());
    }
    let tr = tr();
    if rounds.is_empty() {
        println!("{}", tr.t("round-cli-none"));
        return Ok(());
    }
    println!("{}", tr.t1("round-cli-list-title", "count", rounds.len()));
    for r in &rounds {
        println!("  {}  {}", r.id, r.name);
        println!(
            "      {}",
            tr.targs(
                "round-cli-list-line",
                &[
                    ("kind", kind_label(tr, r.kind)),
                    ("state", state_label(tr, r.state)),
                    ("cases", r.cases.to_string()),
                    ("reviews", r.reviews.to_string()),
                    ("submitted", r.submitted.to_string()),
                    ("created", r.created_at.format("%Y-%m-%d").to_string()),
                ]
            )
        );
    }
    Ok(())
}

// The words the round pages use (the domain's label keys), so the console and the pages
// name kinds, states, milestones and counting rules alike.
fn kind_label(tr: Tr, k: tilsyn_domain::round::RoundKind) -> String {
    tr.t(&k.label_key())
}

pub fn state_label(tr: Tr, s: tilsyn_domain::round::RoundState) -> String {
    tr.t(&s.label_key())
}

fn milestone_label(tr: Tr, m: tilsyn_domain::round::MilestoneKind) -> String {
    tr.t(&m.label_key())
}

fn counting_label(tr: Tr, c: tilsyn_domain::review::CountingRule) -> String {
    tr.t(&c.label_key())
}

/// One level of a round: planned and drawn sizes, and how far the reviews are.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct LevelProgress {
    pub level: u8,
    /// Cases the plan asked for (None: the plan has no such level).
    pub planned: Option<usize>,
    /// Cases drawn into the round at this level.
    pub drawn: usize,
    pub reviews: usize,
    pub assigned: usize,
    pub submitted: usize,
    /// Answered and applicable items, summed over the level's reviews.
    pub answered: usize,
    pub applicable: usize,
}

#[derive(Serialize)]
struct TemplateRef {
    version_id: Uuid,
    key: String,
    number: i32,
    title: String,
}

#[derive(Serialize)]
struct MemberOut {
    user: UserId,
    username: Option<String>,
    name: Option<String>,
    role: &'static str,
}

#[derive(Serialize)]
struct WarningOut {
    key: &'static str,
    message: String,
    #[serde(flatten)]
    warning: PlanWarning,
}

/// `round show --json`.
#[derive(Serialize)]
struct RoundOut {
    id: Uuid,
    name: String,
    kind: &'static str,
    state: &'static str,
    template: TemplateRef,
    sample_id: Option<Uuid>,
    scope: Vec<String>,
    created_by_name: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    plan: RoundPlan,
    working_group: Vec<MemberOut>,
    levels: Vec<LevelProgress>,
    /// Cases drawn into the round (level 1).
    cases: usize,
    /// Other rounds of the same units this year, as the plan check counts them.
    other_rounds_this_year: usize,
    /// Drawn sizes when a sample is attached, else the planned ones.
    checked_sizes: Vec<usize>,
    warnings: Vec<WarningOut>,
    /// Set when the plan cannot be drawn as it stands (e.g. a level larger than the one above).
    plan_error: Option<String>,
}

/// Progress per level from the round's cases and reviews (levels 1 to the deepest planned or
/// drawn one).
pub fn level_progress(
    plan: &RoundPlan,
    cases: &[tilsyn_store::rounds::RoundCase],
    reviews: &[tilsyn_store::rounds::Review],
) -> Vec<LevelProgress> {
    let deepest_case = cases.iter().map(|c| c.depth).max().unwrap_or(0);
    let planned = u8::try_from(plan.level_sizes.len()).unwrap_or(3);
    (1..=planned.max(deepest_case).min(3))
        .map(|level| {
            let mut p = LevelProgress {
                level,
                planned: plan.level_sizes.get(usize::from(level) - 1).copied(),
                drawn: cases.iter().filter(|c| c.depth >= level).count(),
                ..LevelProgress::default()
            };
            for r in reviews.iter().filter(|r| r.level == level) {
                p.reviews += 1;
                p.assigned += usize::from(r.reviewer.is_some());
                p.submitted += usize::from(r.status == ReviewStatus::Submitted);
                p.answered += r.progress.answered;
                p.applicable += r.progress.applicable;
            }
            p
        })
        .collect()
}

fn warning_message(tr: Tr, w: &PlanWarning) -> String {
    let args: Vec<(&'static str, String)> = match w {
        PlanWarning::TooFewCases { cases, recommended } => vec![
            ("cases", cases.to_string()),
            ("recommended", recommended.to_string()),
        ],
        PlanWarning::TooManyThemes { themes, max } => {
            vec![("themes", themes.to_string()), ("max", max.to_string())]
        }
        PlanWarning::NoTheme => vec![],
        PlanWarning::FewRoundsThisYear {
            rounds,
            recommended,
        } => vec![
            ("rounds", rounds.to_string()),
            ("recommended", recommended.to_string()),
        ],
        PlanWarning::WorkingGroupSize { members } => vec![("members", members.to_string())],
        PlanWarning::WorkingGroupLacks { role } => {
            vec![("role", tr.t(role.label_key()).to_lowercase())]
        }
    };
    tr.targs(w.key(), &args)
}

async fn show(store: &Store, name: &str, json: bool) -> Result<(), CliError> {
    let tr = tr();
    let round = find_round(store, name).await?;
    let version = store
        .template_version_by_id(round.template_version_id)
        .await?;
    let cases = store.round_cases(round.id).await?;
    let reviews = store.round_reviews(round.id).await?;
    let users: BTreeMap<UserId, (String, String)> = store
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, (u.username, u.full_name)))
        .collect();
    let levels = level_progress(&round.plan, &cases, &reviews);
    // The plan checks look at the drawn sample once there is one (as the round page does).
    let checked_sizes: Vec<usize> = if round.sample_id.is_some() && !cases.is_empty() {
        levels
            .iter()
            .map(|l| l.drawn)
            .take_while(|n| *n > 0)
            .collect()
    } else {
        round.plan.level_sizes.clone()
    };
    let year = chrono::Datelike::year(&round.plan.reference_date);
    let others = store.rounds_in_year(year, &round.scope, round.id).await?;
    let (warnings, plan_error) = match check_plan(&round.plan.checked(&checked_sizes, others)) {
        Ok(w) => (w, None),
        Err(e) => (vec![], Some(e)),
    };
    let working_group: Vec<MemberOut> = round
        .plan
        .working_group
        .iter()
        .map(|m| MemberOut {
            user: m.user,
            username: users.get(&m.user).map(|u| u.0.clone()),
            name: users.get(&m.user).map(|u| u.1.clone()),
            role: m.role.code(),
        })
        .collect();
    if json {
        let out = RoundOut {
            id: round.id,
            name: round.name.clone(),
            kind: round.plan.kind.code(),
            state: round.state.code(),
            template: TemplateRef {
                version_id: version.meta.id,
                key: version.meta.template_key.clone(),
                number: version.meta.number,
                title: version.meta.title.clone(),
            },
            sample_id: round.sample_id,
            scope: round.scope.clone(),
            created_by_name: round.created_by_name.clone(),
            created_at: round.created_at,
            plan: round.plan.clone(),
            working_group,
            cases: cases.len(),
            levels,
            other_rounds_this_year: others,
            checked_sizes,
            warnings: warnings
                .iter()
                .map(|w| WarningOut {
                    key: w.key(),
                    message: warning_message(tr, w),
                    warning: w.clone(),
                })
                .collect(),
            plan_error: plan_error.map(|e| tr.t(e.key())),
        };
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    let plan = &round.plan;
    let yes_no = |b: bool| tr.t(if b { "round-cli-yes" } else { "round-cli-no" });
    let field = |key: &str, value: String| println!("  {:<22} {value}", tr.t(key));
    println!(
        "{}",
        tr.targs(
            "round-cli-title",
            &[("name", round.name.clone()), ("id", round.id.to_string())]
        )
    );
    field("round-cli-f-state", state_label(tr, round.state));
    field("round-cli-f-kind", kind_label(tr, plan.kind));
    field(
        "round-cli-f-template",
        tr.targs(
            "round-cli-template",
            &[
                ("key", version.meta.template_key.clone()),
                ("number", version.meta.number.to_string()),
                ("title", version.meta.title.clone()),
            ],
        ),
    );
    field(
        "round-cli-f-themes",
        if plan.themes.is_empty() {
            tr.t("round-cli-none-given")
        } else {
            plan.themes.join(", ")
        },
    );
    if !plan.theme_spots.is_empty() {
        field("round-cli-f-theme-spots", plan.theme_spots.join(", "));
    }
    field(
        "round-cli-f-reference",
        tr.targs(
            "round-cli-reference",
            &[
                ("date", plan.reference_date.to_string()),
                ("months", plan.look_back_months.to_string()),
            ],
        ),
    );
    if !plan.start_point.trim().is_empty() {
        field("round-cli-f-start-point", plan.start_point.clone());
    }
    field("round-cli-f-counting", counting_label(tr, plan.counting));
    field(
        "round-cli-f-rules",
        tr.targs(
            "round-cli-rules",
            &[
                ("peer", yes_no(plan.rules.peer_review)),
                ("other_unit", yes_no(plan.rules.level2_other_unit)),
            ],
        ),
    );
    field("round-cli-f-baseline", yes_no(plan.baseline));
    field(
        "round-cli-f-scope",
        if round.scope.is_empty() {
            tr.t("round-cli-whole-register")
        } else {
            round.scope.join(", ")
        },
    );
    field(
        "round-cli-f-created",
        tr.targs(
            "round-cli-created",
            &[
                ("date", round.created_at.format("%Y-%m-%d").to_string()),
                ("by", round.created_by_name.clone().unwrap_or_default()),
            ],
        ),
    );
    println!();
    println!("{}", tr.t("round-cli-levels"));
    for l in &levels {
        println!(
            "  {}",
            tr.targs(
                "round-cli-level",
                &[
                    ("level", l.level.to_string()),
                    (
                        "planned",
                        l.planned
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| "–".into())
                    ),
                    ("drawn", l.drawn.to_string()),
                    ("reviews", l.reviews.to_string()),
                    ("assigned", l.assigned.to_string()),
                    ("submitted", l.submitted.to_string()),
                    ("answered", l.answered.to_string()),
                    ("applicable", l.applicable.to_string()),
                    (
                        "percent",
                        tilsyn_domain::review::Progress {
                            answered: l.answered,
                            applicable: l.applicable,
                        }
                        .percent()
                        .to_string()
                    ),
                ]
            )
        );
    }
    println!();
    println!("{}", tr.t("round-cli-schedule"));
    if plan.schedule.is_empty() {
        println!("  {}", tr.t("round-cli-none-given"));
    }
    let mut schedule = plan.schedule.clone();
    schedule.sort_by_key(|m| (m.date, m.kind));
    for m in &schedule {
        println!("  {}  {}", m.date, milestone_label(tr, m.kind));
    }
    println!();
    println!("{}", tr.t("round-cli-group"));
    if working_group.is_empty() {
        println!("  {}", tr.t("round-cli-none-given"));
    }
    for m in &working_group {
        let role = plan
            .working_group
            .iter()
            .find(|x| x.user == m.user)
            .map(|x| tr.t(x.role.label_key()))
            .unwrap_or_default();
        println!(
            "  {} ({}): {role}",
            m.name.clone().unwrap_or_else(|| m.user.0.to_string()),
            m.username.clone().unwrap_or_default()
        );
    }
    println!();
    println!("{}", tr.t("round-cli-warnings"));
    if let Some(e) = plan_error {
        println!("  ! {}", tr.t(e.key()));
    } else if warnings.is_empty() {
        println!("  {}", tr.t("round-cli-no-warnings"));
    }
    for w in &warnings {
        println!("  ! {}", warning_message(tr, w));
    }
    Ok(())
}
