//! `tilsyn sample`: a reproducible stratified draw from the case register, with level 2 (and 3)
//! as nested subsamples. Until rounds exist, the frame is given on the command line; the draw
//! is written to the audit log with its seed, algorithm and counts.

use crate::CliError;
use crate::admin::{actor, tr};
use crate::config::DbArgs;
use chrono::NaiveDate;
use clap::Args;
use std::collections::BTreeMap;
use tilsyn_domain::sampling::{
    Allocation, ContinuousFilter, Period, Sample, SampleFrame, SampleSpec, Strata,
    StratumDimension, draw_continuous, draw_levels,
};
use tilsyn_store::samples::register_fingerprint;

#[derive(Args)]
pub struct SampleArgs {
    /// Cases to draw at level 1 (not with --period).
    #[arg(long, required_unless_present = "period")]
    size: Option<usize>,
    /// Continuous sampling (løbende tilsyn): one case per caseworker among the cases active
    /// in this month (2026-11) or quarter (2026-Q4), on the period's own random stream.
    #[arg(long, conflicts_with_all = ["levels", "coverage", "look_back", "default_look_back"])]
    period: Option<String>,
    /// Nested subsample sizes for level 2 (and 3), e.g. --level 75 or --level 50 --level 25.
    #[arg(long = "level")]
    levels: Vec<usize>,
    /// The seed. Same register, frame and seed → the same cases, on any engine, in a year.
    #[arg(long)]
    seed: u64,
    /// Only this source system's cases.
    #[arg(long)]
    source: Option<String>,
    /// Strata, comma-separated: case_type, unit, area, caseworker or attr:NAME.
    #[arg(long, default_value = "case_type,unit")]
    strata: String,
    /// proportional or equal.
    #[arg(long, default_value = "proportional")]
    allocation: String,
    /// Only these case types (repeat), e.g. --case-type "§ 32".
    #[arg(long = "case-type")]
    case_types: Vec<String>,
    /// Look-back per case type in months, e.g. --look-back "§ 46=24" (repeat).
    #[arg(long = "look-back")]
    look_back: Vec<String>,
    /// Look-back for other case types, in months.
    #[arg(long)]
    default_look_back: Option<u32>,
    /// Only measures started on or after this date (YYYY-MM-DD).
    #[arg(long)]
    started_from: Option<NaiveDate>,
    /// "Today" of the draw (YYYY-MM-DD); stored with it so it can be redrawn. Default: today.
    #[arg(long)]
    reference_date: Option<NaiveDate>,
    /// Give every caseworker with eligible cases at least one case when the size allows.
    #[arg(long)]
    coverage: bool,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

/// "2026-11" is a month, "2026-Q4" (or "2026-K4") a quarter.
fn parse_period(s: &str) -> Result<Period, CliError> {
    let bad = || {
        usage(format!(
            "--period {s:?}: write a month as 2026-11 or a quarter as 2026-Q4"
        ))
    };
    let (y, rest) = s.trim().split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let period = match rest.strip_prefix(['Q', 'q', 'K', 'k']) {
        Some(q) => Period::Quarter(year, q.parse().map_err(|_| bad())?),
        None => Period::Month(year, rest.parse().map_err(|_| bad())?),
    };
    period.first_day().ok_or_else(bad)?;
    Ok(period)
}

fn parse_strata(s: &str) -> Result<Strata, CliError> {
    let mut dims = vec![];
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        dims.push(match part {
            "case_type" => StratumDimension::CaseType,
            "unit" => StratumDimension::Unit,
            "area" => StratumDimension::Area,
            "caseworker" => StratumDimension::Caseworker,
            other => match other.strip_prefix("attr:") {
                Some(name) if !name.is_empty() => StratumDimension::Attribute(name.to_owned()),
                _ => return Err(usage(format!("unknown stratum {other:?}; use case_type, unit, area, caseworker or attr:NAME"))),
            },
        });
    }
    Ok(Strata::by(dims))
}

pub async fn run(a: SampleArgs) -> Result<(), CliError> {
    let strata = parse_strata(&a.strata)?;
    let allocation = match a.allocation.as_str() {
        "proportional" => Allocation::Proportional,
        "equal" => Allocation::Equal,
        other => {
            return Err(usage(format!(
                "unknown allocation {other:?}; use proportional or equal"
            )));
        }
    };
    let mut frame = SampleFrame::new(
        a.reference_date
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
    );
    let catalog = tilsyn_domain::cases::CaseTypeCatalog::standard();
    for t in &a.case_types {
        let code = catalog
            .normalise(t)
            .ok_or_else(|| usage(format!("unknown case type {t:?}")))?;
        frame.case_types.insert(code);
    }
    for lb in &a.look_back {
        let (t, m) = lb
            .split_once('=')
            .ok_or_else(|| usage(format!("--look-back {lb:?}: write \"§ 46=24\"")))?;
        let code = catalog
            .normalise(t)
            .ok_or_else(|| usage(format!("unknown case type {t:?}")))?;
        let months: u32 = m
            .trim()
            .parse()
            .map_err(|_| usage(format!("--look-back {lb:?}: months must be a number")))?;
        frame.look_back_months.insert(code, months);
    }
    frame.default_look_back_months = a.default_look_back;
    frame.started_on_or_after = a.started_from;
    let store = a.db.open().await?;
    let cases = store.sample_cases(a.source.as_deref()).await?;
    if let Some(p) = &a.period {
        let period = parse_period(p)?;
        let filter = ContinuousFilter {
            case_types: frame.case_types.clone(),
            started_on_or_after: frame.started_on_or_after,
            ..ContinuousFilter::default()
        };
        let sample =
            draw_continuous(&cases, &filter, period, a.seed).map_err(|e| usage(e.to_string()))?;
        // Stored with the frame it used; the period is in the result, which marks the sample
        // as continuous.
        let spec = SampleSpec {
            frame,
            strata: Strata::by([StratumDimension::Caseworker]),
            allocation: Allocation::Equal,
            target: sample.target,
            coverage: false,
            caseworker_last_sampled: BTreeMap::new(),
            seed: a.seed,
        };
        let samples = vec![sample];
        return finish(&a, &store, &cases, &spec, &samples).await;
    }
    let size = a
        .size
        .ok_or_else(|| usage("--size is needed (or --period)"))?;
    let spec = SampleSpec {
        frame,
        strata: strata.clone(),
        allocation: allocation.clone(),
        target: size,
        coverage: a.coverage,
        caseworker_last_sampled: BTreeMap::new(),
        seed: a.seed,
    };
    let samples = draw_levels(&cases, &spec, &a.levels).map_err(|e| usage(e.to_string()))?;
    finish(&a, &store, &cases, &spec, &samples).await
}

/// Stores the sample with its audit event and prints it.
async fn finish(
    a: &SampleArgs,
    store: &tilsyn_store::Store,
    cases: &[tilsyn_domain::sampling::SampleCase],
    spec: &SampleSpec,
    samples: &[Sample],
) -> Result<(), CliError> {
    let register_sha = register_fingerprint(cases);
    let id = store
        .save_sample(
            &actor(),
            &actor().username.unwrap_or_default(),
            spec,
            &a.levels,
            &[],
            &register_sha,
            samples,
        )
        .await?;
    store.close().await;
    if a.json {
        let out = serde_json::json!({"id": id, "register_sha256": register_sha, "frame": spec.frame, "levels": samples});
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!(
            "{}",
            tr().targs(
                "sample-cli-saved",
                &[
                    ("id", id.to_string()),
                    ("sha", register_sha.chars().take(12).collect())
                ]
            )
        );
        print_samples(samples);
    }
    Ok(())
}

fn print_samples(samples: &[Sample]) {
    let tr = tr();
    for s in samples {
        println!(
            "{}",
            tr.targs(
                "sample-cli-level",
                &[
                    ("level", s.level.to_string()),
                    ("drawn", s.selected.len().to_string()),
                    ("eligible", s.eligible.to_string()),
                    ("seed", s.seed.to_string()),
                    ("algorithm", s.algorithm.clone()),
                ],
            )
        );
        if let Some(p) = s.period {
            let (first, last) = (p.first_day(), p.last_day());
            if let (Some(f), Some(l)) = (first, last) {
                println!(
                    "{}",
                    tr.targs(
                        "sample-cli-period",
                        &[("first", f.to_string()), ("last", l.to_string())]
                    )
                );
            }
        }
        for st in &s.strata {
            println!(
                "  {:<40} {:>6} → {:>4}",
                st.key.to_string(),
                st.population,
                st.drawn
            );
        }
        let mut said: Vec<&str> = vec![];
        for w in &s.warnings {
            if !said.contains(&w.key()) {
                said.push(w.key());
                println!("  ! {}", tr.t(w.key()));
            }
        }
        for k in &s.selected {
            println!("    {k}");
        }
    }
}
