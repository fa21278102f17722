//! Reproducible stratified sampling of cases (udtræk, stikprøve).
//!
//! Everything here is a pure function of its inputs: the case list, the frame (with "today" as
//! [`SampleFrame::reference_date`]), the strata, the allocation, the target and a `u64` seed.
//! No clock, no IO, no global random state. Whoever stores the inputs and [`ALGORITHM`] can draw
//! the same cases again, on any machine, in any later version that still implements the same
//! algorithm name.
//!
//! # Algorithm `tilsyn-sample-v1`
//!
//! Anything that would change a result for the same inputs (a different generator, stream
//! number, order, tie rule, rounding or eligibility rule) requires a new [`ALGORITHM`] name.
//!
//! **Generator.** ChaCha20 (`rand_chacha::ChaCha20Rng`, value-stable) keyed with
//! `SeedableRng::seed_from_u64(seed)` (rand_core's documented PCG32 expansion of the `u64` into
//! the 32-byte key), then `set_stream(stream)` before any output. Only `next_u64` is used;
//! rand's `shuffle`/`sample`/`gen_range` are not (their algorithms may change between releases).
//! Streams: a draw of level 1 uses stream 1, a subsample of level L uses stream L
//! ([`level_stream`]); a continuous draw uses [`Period::stream`] (tag `1 << 40` for a month,
//! `2 << 40` for a quarter, the year as a 32-bit two's complement value in bits 8..40, the month
//! or quarter in bits 0..8). Different streams of one key are independent.
//!
//! **Bounded integers** ([`SampleRng::below`]): for `n ≤ 1` the answer is 0 and nothing is
//! consumed. Otherwise let `t = 2^64 mod n`; take words `x = next_u64()` until `x ≥ t` and
//! answer `x mod n`. The accepted range holds a whole number of copies of `0..n`, so the result
//! is exactly uniform.
//!
//! **Steps of [`draw`].**
//! 1. *Eligibility*: every case is checked by [`SampleFrame::check`]; a case that fails is counted
//!    once, under the first failing rule in this order: wrong case type, other unit, no start
//!    date, before the start filter, outside the window, reviewed recently.
//! 2. *Stable order*: eligible cases are sorted by `key` (byte-wise `str` order). A key that
//!    occurs twice among eligible cases is an error. From here on the input order plays no role.
//! 3. *Strata*: each eligible case gets the tuple of its values for the chosen dimensions
//!    ([`StratumKey`], a missing value is `None`); strata are ordered by that tuple (`None`
//!    first, then byte-wise). Within a stratum cases keep key order.
//! 4. *Allocation* per stratum by [`allocate`] (see [`Allocation`] for the exact rules). A
//!    stratum never gets more than its population; a target above the population takes all.
//! 5. *Caseworker coverage* (if asked for), before the random fill and counted against the
//!    strata's allocations:
//!    - caseworkers with at least one eligible case (cases without a caseworker do not take
//!      part) in priority order: never sampled first, then the oldest last-sampled date, then
//!      name;
//!    - *who is covered*: in priority order, a caseworker is kept if the kept caseworkers and
//!      this one can each be given one slot in a stratum where they have a case, no stratum
//!      giving more slots than its allocation (checked with an augmenting path, so the kept set
//!      is the best possible in priority order). Otherwise the caseworker is uncovered:
//!      [`UncoveredReason::SampleFull`] once as many are kept as the total allocation, else
//!      [`UncoveredReason::StrataFull`];
//!    - *which case*: in priority order, each kept caseworker's candidates are their cases (in
//!      stratum order, then key order) in strata where giving them a slot still leaves a slot for
//!      every later kept caseworker; one candidate is chosen with `below(candidates)`.
//! 6. *Fill*: stratum by stratum in stratum order, the cases not picked by coverage (in key
//!    order) form a pool and the remaining `m = allocation − coverage picks` are drawn by a
//!    partial Fisher–Yates shuffle: for `i in 0..m`, `j = i + below(pool_len − i)`, swap `i`
//!    and `j`; the first `m` are taken. A stratum whose remaining target is 0 or its whole pool
//!    consumes no random numbers.
//! 7. *Output*: `selected` holds the keys sorted byte-wise; `strata` in stratum order;
//!    `covered` in priority order.
//!
//! Without coverage every case of a stratum has the same inclusion probability
//! `allocation / population`. Coverage trades some of that for reaching every caseworker: a
//! case of a caseworker with few cases is more likely to be drawn. Inclusion stays equal within
//! a stratum when every caseworker has equally many cases in it and no allocation runs out
//! during coverage.
//!
//! Cost: one pass over the cases (eligibility, stratum and caseworker ids, a 16-byte key
//! prefix), one sort of compact rows, then work proportional to the strata's sizes; no string is
//! cloned per case.
//!
//! **[`subsample`]** (level 2 or 3) takes the parent's selected cases as its population (no
//! eligibility rules again), groups them by the given strata and follows steps 2–4 and 6 on
//! stream `level`; it is therefore always a subset of the parent.
//!
//! **[`draw_continuous`]** takes cases active in the period (start ≤ last day and no end or
//! end ≥ first day), applies the filter's case type, unit and start-date rules, excludes cases
//! reviewed in the N months before the period's first day (`[first day − N months, first day)`,
//! so reviews made because of this very draw do not change a redraw) and cases without a
//! caseworker, then takes one case per caseworker: caseworkers in name order, each
//! `below(their case count)` over their cases in key order, on stream [`Period::stream`]
//! (that is step 6 with one stratum per caseworker and an allocation of 1 each).

use chrono::{Months, NaiveDate};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// Name of the sampling algorithm; stored with every sample. Bump on any change of results.
pub const ALGORITHM: &str = "tilsyn-sample-v1";
/// Below this many cases (population or drawn) a stratum says nothing on its own.
pub const SMALL_STRATUM: usize = 5;
/// Recommended minimum for an overordnet (broad) round (SBST/Ankestyrelsen).
pub const BROAD_MIN_CASES: usize = 30;
/// Recommended minimum for an uddybende/tematiseret round (SBST/Ankestyrelsen).
pub const THEMATIC_MIN_CASES: usize = 20;
/// Deepest review level (level 1 is the draw, 2 and 3 nested subsamples).
pub const MAX_LEVEL: u8 = 3;

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/// One case as the sampler sees it; adapters map the case register into this.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleCase {
    /// Stable unique id, e.g. `"DUBU/12345"`.
    pub key: String,
    /// E.g. `"§ 32"`.
    pub case_type: String,
    pub unit: Option<String>,
    pub area: Option<String>,
    pub caseworker: Option<String>,
    /// Start of the measure (foranstaltning).
    pub start: Option<NaiveDate>,
    /// End of the measure; `None` = still active.
    pub end: Option<NaiveDate>,
    /// When the case was last reviewed in a tilsyn.
    pub last_reviewed: Option<NaiveDate>,
    pub attributes: BTreeMap<String, String>,
}

/// Which cases may be drawn.
///
/// A case is eligible when all of these hold (checked in this order; the first failure is the
/// counted reason, see [`ExclusionReason`]):
/// 1. `case_types` is empty or contains its case type;
/// 2. `units` is empty or contains its unit (a case without a unit fails a non-empty filter);
/// 3. it has a start date;
/// 4. `started_on_or_after` is unset or `start ≥ started_on_or_after`;
/// 5. it was active at some point in its look-back window `[window start, reference_date]`:
///    `start ≤ reference_date` and (`end` is `None` or `end ≥ window start`). The window start
///    is `reference_date − months` in calendar months with end-of-month clamping (chrono
///    `checked_sub_months`: 31 March − 1 month = 28/29 February), where `months` is the case
///    type's entry in `look_back_months`, else `default_look_back_months`. With neither, the
///    window has no start (any case started on or before the reference date is in it);
/// 6. `exclude_reviewed_within_months` is unset, or `last_reviewed` is not in
///    `[reference_date − N months, reference_date]` (a review dated after the reference date is
///    ignored, so later reviews do not change a redraw).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleFrame {
    /// "Today" of the draw.
    pub reference_date: NaiveDate,
    /// Empty = all case types.
    pub case_types: BTreeSet<String>,
    /// Look-back in months per case type, e.g. 12 for § 32, 24 for § 46/§ 47.
    pub look_back_months: BTreeMap<String, u32>,
    /// Look-back for case types without an entry; `None` = no limit.
    pub default_look_back_months: Option<u32>,
    pub started_on_or_after: Option<NaiveDate>,
    /// Empty = all units.
    pub units: BTreeSet<String>,
    pub exclude_reviewed_within_months: Option<u32>,
}

impl SampleFrame {
    /// A frame that lets every case with a start date on or before `reference_date` through.
    pub fn new(reference_date: NaiveDate) -> Self {
        Self {
            reference_date,
            case_types: BTreeSet::new(),
            look_back_months: BTreeMap::new(),
            default_look_back_months: None,
            started_on_or_after: None,
            units: BTreeSet::new(),
            exclude_reviewed_within_months: None,
        }
    }

    /// First day of the look-back window for a case type; `None` = no limit.
    pub fn window_start(&self, case_type: &str) -> Option<NaiveDate> {
        self.look_back_months
            .get(case_type)
            .copied()
            .or(self.default_look_back_months)
            .map(|m| months_before(self.reference_date, m))
    }

    /// Whether one case is eligible, and if not the first rule it fails.
    pub fn check(&self, case: &SampleCase) -> Result<(), ExclusionReason> {
        Rules::from_frame(self).check(case)
    }
}

/// One dimension of stratification.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StratumDimension {
    CaseType,
    Unit,
    Area,
    Caseworker,
    /// A named entry of [`SampleCase::attributes`].
    Attribute(String),
}

impl StratumDimension {
    fn value<'a>(&self, case: &'a SampleCase) -> Option<&'a str> {
        match self {
            StratumDimension::CaseType => Some(case.case_type.as_str()),
            StratumDimension::Unit => case.unit.as_deref(),
            StratumDimension::Area => case.area.as_deref(),
            StratumDimension::Caseworker => case.caseworker.as_deref(),
            StratumDimension::Attribute(name) => case.attributes.get(name).map(String::as_str),
        }
    }
}

/// The dimensions that form strata, in order; empty = one stratum of all cases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Strata(pub Vec<StratumDimension>);

impl Strata {
    pub fn none() -> Self {
        Self(Vec::new())
    }

    pub fn by(dimensions: impl IntoIterator<Item = StratumDimension>) -> Self {
        Self(dimensions.into_iter().collect())
    }

    /// The stratum a case falls in.
    pub fn key_of(&self, case: &SampleCase) -> StratumKey {
        StratumKey(
            self.0
                .iter()
                .map(|d| d.value(case).map(str::to_owned))
                .collect(),
        )
    }
}

/// The values of one stratum, one per dimension of [`Strata`] (`None` = value missing).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StratumKey(pub Vec<Option<String>>);

impl StratumKey {
    /// A key where every value is present.
    pub fn new<S: Into<String>>(parts: impl IntoIterator<Item = S>) -> Self {
        Self(parts.into_iter().map(|p| Some(p.into())).collect())
    }
}

impl fmt::Display for StratumKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" × ")?;
            }
            f.write_str(part.as_deref().unwrap_or("–"))?;
        }
        Ok(())
    }
}

/// How the target is split over strata. In every case a stratum gets at most its population.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Largest remainder (Hamilton): stratum h of N_h among N gets `⌊target·N_h/N⌋`, and the
    /// cases left over go one each to the strata with the largest remainders
    /// `(target·N_h) mod N` (exact integers), ties to the earlier stratum in key order. A
    /// target ≥ N takes all.
    Proportional,
    /// The same number per stratum: repeatedly give every stratum that still has cases left
    /// `⌊left / open strata⌋` (capped by what it has left); when that is 0, the last few cases
    /// go one each to the open strata with the largest population, ties in key order.
    Equal,
    /// Fixed numbers per stratum, each capped by the stratum's population; strata not named get
    /// 0. The `target` argument is ignored; the sample's target is the sum of the numbers.
    Explicit(#[serde(with = "explicit_pairs")] BTreeMap<StratumKey, usize>),
}

/// JSON maps need string keys; an explicit allocation is stored as a list of pairs.
mod explicit_pairs {
    use super::StratumKey;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<StratumKey, usize>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<StratumKey, usize>, D::Error> {
        let pairs: Vec<(StratumKey, usize)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

/// Everything a draw depends on besides the cases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleSpec {
    pub frame: SampleFrame,
    pub strata: Strata,
    pub allocation: Allocation,
    pub target: usize,
    /// Give every caseworker with eligible cases at least one case when the size allows.
    pub coverage: bool,
    /// Caseworker → the date they were last sampled; absent = never (goes first).
    pub caseworker_last_sampled: BTreeMap<String, NaiveDate>,
    pub seed: u64,
}

/// A month or a quarter, for continuous sampling (løbende tilsyn).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Year and month 1–12.
    Month(i32, u32),
    /// Year and quarter 1–4.
    Quarter(i32, u32),
}

impl Period {
    pub fn first_day(self) -> Option<NaiveDate> {
        match self {
            Period::Month(y, m) if (1..=12).contains(&m) => NaiveDate::from_ymd_opt(y, m, 1),
            Period::Quarter(y, q) if (1..=4).contains(&q) => {
                NaiveDate::from_ymd_opt(y, 3 * (q - 1) + 1, 1)
            }
            _ => None,
        }
    }

    pub fn last_day(self) -> Option<NaiveDate> {
        let months = match self {
            Period::Month(..) => 1,
            Period::Quarter(..) => 3,
        };
        self.first_day()?
            .checked_add_months(Months::new(months))?
            .pred_opt()
    }

    /// The ChaCha stream of this period (see the module documentation).
    pub fn stream(self) -> u64 {
        let (tag, year, part) = match self {
            Period::Month(y, m) => (1u64, y, m),
            Period::Quarter(y, q) => (2u64, y, q),
        };
        (tag << 40) | (u64::from(year as u32) << 8) | u64::from(part & 0xFF)
    }
}

/// Filter for continuous sampling: like [`SampleFrame`] but the window is the period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContinuousFilter {
    /// Empty = all case types.
    pub case_types: BTreeSet<String>,
    /// Empty = all units.
    pub units: BTreeSet<String>,
    pub started_on_or_after: Option<NaiveDate>,
    /// Exclude cases reviewed in `[first day − N months, first day)` of the period.
    pub exclude_reviewed_within_months: Option<u32>,
}

/// Recommended minimum sizes by kind of round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundSize {
    /// Overordnet: at least [`BROAD_MIN_CASES`].
    Broad,
    /// Uddybende / tematiseret: at least [`THEMATIC_MIN_CASES`].
    Thematic,
}

impl RoundSize {
    pub fn minimum(self) -> usize {
        match self {
            RoundSize::Broad => BROAD_MIN_CASES,
            RoundSize::Thematic => THEMATIC_MIN_CASES,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/// Why a case was not eligible. Each excluded case counts under exactly one reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    WrongCaseType,
    OtherUnit,
    NoStartDate,
    BeforeStartFilter,
    OutsideWindow,
    ReviewedRecently,
    /// Continuous sampling only: a case without a caseworker cannot stand for one.
    NoCaseworker,
}

impl ExclusionReason {
    pub const ALL: [ExclusionReason; 7] = [
        ExclusionReason::WrongCaseType,
        ExclusionReason::OtherUnit,
        ExclusionReason::NoStartDate,
        ExclusionReason::BeforeStartFilter,
        ExclusionReason::OutsideWindow,
        ExclusionReason::ReviewedRecently,
        ExclusionReason::NoCaseworker,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ExclusionReason::WrongCaseType => "sample-excluded-wrong-case-type",
            ExclusionReason::OtherUnit => "sample-excluded-other-unit",
            ExclusionReason::NoStartDate => "sample-excluded-no-start-date",
            ExclusionReason::BeforeStartFilter => "sample-excluded-before-start-filter",
            ExclusionReason::OutsideWindow => "sample-excluded-outside-window",
            ExclusionReason::ReviewedRecently => "sample-excluded-reviewed-recently",
            ExclusionReason::NoCaseworker => "sample-excluded-no-caseworker",
        }
    }
}

/// Number of excluded cases per reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionCounts {
    pub wrong_case_type: usize,
    pub other_unit: usize,
    pub no_start_date: usize,
    pub before_start_filter: usize,
    pub outside_window: usize,
    pub reviewed_recently: usize,
    pub no_caseworker: usize,
}

impl ExclusionCounts {
    fn slot(&mut self, reason: ExclusionReason) -> &mut usize {
        match reason {
            ExclusionReason::WrongCaseType => &mut self.wrong_case_type,
            ExclusionReason::OtherUnit => &mut self.other_unit,
            ExclusionReason::NoStartDate => &mut self.no_start_date,
            ExclusionReason::BeforeStartFilter => &mut self.before_start_filter,
            ExclusionReason::OutsideWindow => &mut self.outside_window,
            ExclusionReason::ReviewedRecently => &mut self.reviewed_recently,
            ExclusionReason::NoCaseworker => &mut self.no_caseworker,
        }
    }

    pub fn add(&mut self, reason: ExclusionReason) {
        *self.slot(reason) += 1;
    }

    pub fn get(&self, reason: ExclusionReason) -> usize {
        match reason {
            ExclusionReason::WrongCaseType => self.wrong_case_type,
            ExclusionReason::OtherUnit => self.other_unit,
            ExclusionReason::NoStartDate => self.no_start_date,
            ExclusionReason::BeforeStartFilter => self.before_start_filter,
            ExclusionReason::OutsideWindow => self.outside_window,
            ExclusionReason::ReviewedRecently => self.reviewed_recently,
            ExclusionReason::NoCaseworker => self.no_caseworker,
        }
    }

    pub fn total(&self) -> usize {
        ExclusionReason::ALL.iter().map(|r| self.get(*r)).sum()
    }
}

/// Something to know about one stratum's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StratumNote {
    /// The target equals the population: every case is in the sample.
    TookAll,
    /// An explicit allocation asked for more than the population; all were taken.
    Capped { requested: usize },
    /// An explicit allocation named a stratum without eligible cases.
    NoCases { requested: usize },
}

impl StratumNote {
    pub fn key(self) -> &'static str {
        match self {
            StratumNote::TookAll => "sample-stratum-took-all",
            StratumNote::Capped { .. } => "sample-stratum-capped",
            StratumNote::NoCases { .. } => "sample-stratum-no-cases",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumReport {
    pub key: StratumKey,
    /// Eligible cases in the stratum (for a subsample: the parent's cases in it).
    pub population: usize,
    /// Allocated number of cases.
    pub target: usize,
    /// Cases in the sample (always equal to `target`).
    pub drawn: usize,
    /// Of `drawn`, how many were caseworker-coverage picks.
    pub coverage_picks: usize,
    pub note: Option<StratumNote>,
}

/// A caseworker covered by coverage, and the case that covers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoveragePick {
    pub caseworker: String,
    pub key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UncoveredReason {
    /// More caseworkers than the sample size: the ones sampled more recently had to wait.
    SampleFull,
    /// Their strata's allocations are used by caseworkers with higher priority.
    StrataFull,
}

impl UncoveredReason {
    pub fn key(self) -> &'static str {
        match self {
            UncoveredReason::SampleFull => "sample-uncovered-sample-full",
            UncoveredReason::StrataFull => "sample-uncovered-strata-full",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncoveredCaseworker {
    pub caseworker: String,
    pub last_sampled: Option<NaiveDate>,
    pub reason: UncoveredReason,
}

/// Advice on a sample; never a block. Adapters render the text from [`SampleWarning::key`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "warning")]
pub enum SampleWarning {
    /// No case passed the frame.
    NoEligibleCases,
    /// The target is larger than the eligible population; everything was taken.
    TargetExceedsPopulation { target: usize, population: usize },
    /// Fewer than [`SMALL_STRATUM`] cases in the stratum or in its sample: too few to say
    /// anything about the stratum on its own.
    SmallStratum {
        stratum: StratumKey,
        population: usize,
        drawn: usize,
    },
    /// An explicit allocation asked for cases from a stratum that has none.
    EmptyStratum {
        stratum: StratumKey,
        requested: usize,
    },
    /// Some caseworkers could not be covered; see [`Sample::uncovered`].
    UncoveredCaseworkers { count: usize },
    /// Fewer cases than recommended for this kind of round.
    RoundTooSmall {
        kind: RoundSize,
        n: usize,
        recommended: usize,
    },
}

impl SampleWarning {
    pub fn key(&self) -> &'static str {
        match self {
            SampleWarning::NoEligibleCases => "sample-warn-no-eligible-cases",
            SampleWarning::TargetExceedsPopulation { .. } => {
                "sample-warn-target-exceeds-population"
            }
            SampleWarning::SmallStratum { .. } => "sample-warn-small-stratum",
            SampleWarning::EmptyStratum { .. } => "sample-warn-empty-stratum",
            SampleWarning::UncoveredCaseworkers { .. } => "sample-warn-uncovered-caseworkers",
            SampleWarning::RoundTooSmall { .. } => "sample-warn-round-too-small",
        }
    }
}

/// Warnings for a round of `n` cases against the national recommendations
/// (≥ 30 cases overordnet, ≥ 20 cases uddybende).
pub fn size_warnings(kind: RoundSize, n: usize) -> Vec<SampleWarning> {
    let recommended = kind.minimum();
    if n < recommended {
        vec![SampleWarning::RoundTooSmall {
            kind,
            n,
            recommended,
        }]
    } else {
        Vec::new()
    }
}

/// A drawn sample with everything needed to explain and repeat it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// [`ALGORITHM`] at the time of drawing.
    pub algorithm: String,
    pub seed: u64,
    /// 1 for a draw or a continuous draw, 2 or 3 for a subsample.
    pub level: u8,
    /// The ChaCha stream used.
    pub stream: u64,
    /// For a continuous draw.
    pub period: Option<Period>,
    pub stratified_by: Strata,
    /// The total asked for (for an explicit allocation: the sum of its numbers).
    pub target: usize,
    /// Cases that passed the frame (for a subsample: the parent's size).
    pub eligible: usize,
    /// Keys of the selected cases, sorted byte-wise.
    pub selected: Vec<String>,
    /// In stratum order.
    pub strata: Vec<StratumReport>,
    pub excluded: ExclusionCounts,
    /// In priority order.
    pub covered: Vec<CoveragePick>,
    /// In priority order.
    pub uncovered: Vec<UncoveredCaseworker>,
    pub warnings: Vec<SampleWarning>,
}

/// Inputs that cannot be sampled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("case key {0:?} occurs more than once")]
    DuplicateKey(String),
    #[error("a subsample of level {level} cannot be drawn from a sample of level {parent}")]
    InvalidLevel { parent: u8, level: u8 },
    #[error("case {0:?} of the parent sample is not among the cases")]
    MissingParentCase(String),
    #[error("invalid period {0:?}")]
    InvalidPeriod(Period),
}

impl SampleError {
    pub fn key(&self) -> &'static str {
        match self {
            SampleError::DuplicateKey(_) => "sample-err-duplicate-key",
            SampleError::InvalidLevel { .. } => "sample-err-invalid-level",
            SampleError::MissingParentCase(_) => "sample-err-missing-parent-case",
            SampleError::InvalidPeriod(_) => "sample-err-invalid-period",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

/// The random source of every draw: ChaCha20 on a given stream, with our own bounded integers.
#[derive(Clone, Debug)]
pub struct SampleRng(ChaCha20Rng);

impl SampleRng {
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self(rng)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` by rejection (see the module documentation); 0 without consuming
    /// anything when `n ≤ 1`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let x = self.next_u64();
            if x >= threshold {
                return x % n;
            }
        }
    }

    fn below_usize(&mut self, n: usize) -> usize {
        // usize fits in u64 on every supported target, and the result is < n.
        self.below(n as u64) as usize
    }
}

/// Stream of a draw (level 1) or subsample (level 2, 3).
pub fn level_stream(level: u8) -> u64 {
    u64::from(level)
}

// ---------------------------------------------------------------------------------------------
// Eligibility
// ---------------------------------------------------------------------------------------------

fn months_before(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// The frame resolved once, so checking a million cases does no date arithmetic.
struct Rules<'a> {
    case_types: &'a BTreeSet<String>,
    units: &'a BTreeSet<String>,
    started_on_or_after: Option<NaiveDate>,
    window_end: NaiveDate,
    window_start_by_type: BTreeMap<&'a str, NaiveDate>,
    default_window_start: Option<NaiveDate>,
    /// Inclusive range of review dates that exclude a case.
    reviewed_between: Option<(NaiveDate, NaiveDate)>,
    require_caseworker: bool,
}

impl<'a> Rules<'a> {
    fn from_frame(frame: &'a SampleFrame) -> Self {
        let r = frame.reference_date;
        Self {
            case_types: &frame.case_types,
            units: &frame.units,
            started_on_or_after: frame.started_on_or_after,
            window_end: r,
            window_start_by_type: frame
                .look_back_months
                .iter()
                .map(|(t, m)| (t.as_str(), months_before(r, *m)))
                .collect(),
            default_window_start: frame.default_look_back_months.map(|m| months_before(r, m)),
            reviewed_between: frame
                .exclude_reviewed_within_months
                .map(|m| (months_before(r, m), r)),
            require_caseworker: false,
        }
    }

    fn check(&self, case: &SampleCase) -> Result<(), ExclusionReason> {
        if !self.case_types.is_empty() && !self.case_types.contains(case.case_type.as_str()) {
            return Err(ExclusionReason::WrongCaseType);
        }
        if !self.units.is_empty() && !case.unit.as_deref().is_some_and(|u| self.units.contains(u)) {
            return Err(ExclusionReason::OtherUnit);
        }
        let Some(start) = case.start else {
            return Err(ExclusionReason::NoStartDate);
        };
        if let Some(first) = self.started_on_or_after
            && start < first
        {
            return Err(ExclusionReason::BeforeStartFilter);
        }
        let window_start = if self.window_start_by_type.is_empty() {
            self.default_window_start
        } else {
            self.window_start_by_type
                .get(case.case_type.as_str())
                .copied()
                .or(self.default_window_start)
        };
        if start > self.window_end {
            return Err(ExclusionReason::OutsideWindow);
        }
        if let (Some(ws), Some(end)) = (window_start, case.end)
            && end < ws
        {
            return Err(ExclusionReason::OutsideWindow);
        }
        if let (Some((from, to)), Some(reviewed)) = (self.reviewed_between, case.last_reviewed)
            && from <= reviewed
            && reviewed <= to
        {
            return Err(ExclusionReason::ReviewedRecently);
        }
        if self.require_caseworker && case.caseworker.is_none() {
            return Err(ExclusionReason::NoCaseworker);
        }
        Ok(())
    }

    /// Step 1, fused with steps 2 and 3 so each case is read once while it is in cache.
    fn population<'c>(
        &self,
        cases: &'c [SampleCase],
        strata: &Strata,
        with_caseworkers: bool,
    ) -> Result<(Population<'c>, ExclusionCounts), SampleError> {
        let mut counts = ExclusionCounts::default();
        let eligible = cases
            .iter()
            .enumerate()
            .filter_map(|(i, case)| match self.check(case) {
                Ok(()) => Some(i),
                Err(reason) => {
                    counts.add(reason);
                    None
                }
            });
        let population = prepare(cases, eligible, strata, with_caseworkers)?;
        Ok((population, counts))
    }
}

fn key_prefix(key: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = key.len().min(16);
    bytes[..n].copy_from_slice(&key.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// FxHash-style hasher (rotate, xor, multiply per 8 bytes, then the murmur3 finaliser so the
/// low bits depend on every byte) for interning values. It is only used to look things up,
/// never to order them, so it cannot affect a result.
#[derive(Clone, Copy, Default)]
struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

// ---------------------------------------------------------------------------------------------
// Strata and allocation
// ---------------------------------------------------------------------------------------------

/// No caseworker (in [`Row::cw`] and [`Member::cw`]).
const NO_CW: u32 = u32::MAX;

/// An eligible case as selection sees it. Rows are built in one pass over the cases in input
/// order, so sorting and grouping never go back to the case list (except to compare two keys
/// that share their first 16 bytes). Ids are interned per value; a case list cannot hold
/// anywhere near 2³² distinct values.
#[derive(Clone, Copy)]
struct Row {
    prefix: u128,
    case: usize,
    stratum: u32,
    cw: u32,
}

/// One case of a stratum, with its caseworker id (or [`NO_CW`]).
#[derive(Clone, Copy)]
struct Member {
    case: usize,
    cw: u32,
}

type Groups = Vec<(StratumKey, Vec<Member>)>;

/// Steps 2 and 3 done: strata in key order, each with its cases in key order.
struct Population<'a> {
    groups: Groups,
    /// Caseworker id → name (filled only when asked for).
    caseworkers: Vec<&'a str>,
    size: usize,
}

/// Gives small dense ids to values: a linear search while there are few distinct values (case
/// types, units), a hash map after.
struct Interner<K> {
    keys: Vec<K>,
    map: FastMap<K, u32>,
}

impl<K: Copy + Eq + std::hash::Hash> Interner<K> {
    const LINEAR: usize = 16;

    fn new() -> Self {
        Self {
            keys: Vec::new(),
            map: FastMap::default(),
        }
    }

    fn id(&mut self, key: K) -> u32 {
        if self.keys.len() <= Self::LINEAR {
            if let Some(pos) = self.keys.iter().position(|k| *k == key) {
                return pos as u32;
            }
        } else if let Some(&id) = self.map.get(&key) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key);
        if self.keys.len() > Self::LINEAR {
            if self.map.is_empty() {
                self.map
                    .extend(self.keys.iter().enumerate().map(|(i, k)| (*k, i as u32)));
            } else {
                self.map.insert(key, id);
            }
        }
        id
    }
}

/// Gives dense ids to caseworker names. The map owns compact copies of the names, so a lookup
/// compares against memory that stays in cache rather than against a string somewhere in the
/// case list.
struct NameInterner<'a> {
    names: Vec<&'a str>,
    map: FastMap<Box<str>, u32>,
}

impl<'a> NameInterner<'a> {
    fn id(&mut self, name: &'a str) -> u32 {
        if let Some(&id) = self.map.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name);
        self.map.insert(name.into(), id);
        id
    }
}

/// Steps 2 and 3: sorts `eligible` by key (byte-wise; a key twice is an error) and groups the
/// cases into strata ordered by [`StratumKey`], each keeping key order.
fn prepare<'a>(
    cases: &'a [SampleCase],
    eligible: impl IntoIterator<Item = usize>,
    strata: &Strata,
    with_caseworkers: bool,
) -> Result<Population<'a>, SampleError> {
    let dims = &strata.0;
    // Level d interns (id of the values of dimensions 0..d, value of dimension d).
    let mut levels: Vec<Interner<(u32, Option<&'a str>)>> =
        dims.iter().map(|_| Interner::new()).collect();
    let mut caseworkers = NameInterner {
        names: Vec::new(),
        map: FastMap::default(),
    };
    let mut rows = Vec::new();
    for i in eligible {
        let c = &cases[i];
        let mut stratum = 0;
        for (level, dim) in levels.iter_mut().zip(dims) {
            stratum = level.id((stratum, dim.value(c)));
        }
        let cw = match c.caseworker.as_deref() {
            Some(name) if with_caseworkers => caseworkers.id(name),
            _ => NO_CW,
        };
        rows.push(Row {
            prefix: key_prefix(&c.key),
            case: i,
            stratum,
            cw,
        });
    }
    rows.sort_unstable_by(|a, b| {
        a.prefix
            .cmp(&b.prefix)
            .then_with(|| cases[a.case].key.cmp(&cases[b.case].key))
    });
    if let Some(w) = rows
        .windows(2)
        .find(|w| w[0].prefix == w[1].prefix && cases[w[0].case].key == cases[w[1].case].key)
    {
        return Err(SampleError::DuplicateKey(cases[w[0].case].key.clone()));
    }
    // No dimensions: one stratum (if there is any case at all).
    let count = match levels.last() {
        Some(level) => level.keys.len(),
        None => usize::from(!rows.is_empty()),
    };
    let keys: Vec<StratumKey> = (0..count)
        .map(|id| {
            let mut parts = vec![None; dims.len()];
            let mut cur = id;
            for (d, level) in levels.iter().enumerate().rev() {
                let (prev, v) = level.keys[cur];
                parts[d] = v.map(str::to_owned);
                cur = prev as usize;
            }
            StratumKey(parts)
        })
        .collect();
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut rank = vec![0; count];
    for (r, &id) in order.iter().enumerate() {
        rank[id] = r;
    }
    let mut members: Vec<Vec<Member>> = vec![Vec::new(); count];
    for r in &rows {
        members[rank[r.stratum as usize]].push(Member {
            case: r.case,
            cw: r.cw,
        });
    }
    let mut keys: Vec<Option<StratumKey>> = keys.into_iter().map(Some).collect();
    let groups = order
        .iter()
        .zip(members)
        .map(|(&id, m)| (keys[id].take().unwrap_or_default(), m))
        .collect();
    Ok(Population {
        groups,
        caseworkers: caseworkers.names,
        size: rows.len(),
    })
}

/// Adds the strata an explicit allocation names but that have no eligible cases.
fn add_explicit_strata(groups: &mut Groups, allocation: &Allocation) {
    if let Allocation::Explicit(map) = allocation {
        let known: BTreeSet<&StratumKey> = groups.iter().map(|(k, _)| k).collect();
        let missing: Vec<StratumKey> = map.keys().filter(|k| !known.contains(k)).cloned().collect();
        if !missing.is_empty() {
            groups.extend(missing.into_iter().map(|k| (k, Vec::new())));
            groups.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }
}

/// Step 4 on strata in key order.
fn allocate_slice(
    allocation: &Allocation,
    target: usize,
    keys: &[&StratumKey],
    pops: &[usize],
) -> Vec<usize> {
    let total: usize = pops.iter().sum();
    match allocation {
        Allocation::Explicit(map) => keys
            .iter()
            .zip(pops)
            .map(|(k, &p)| map.get(*k).copied().unwrap_or(0).min(p))
            .collect(),
        _ if target >= total => pops.to_vec(),
        Allocation::Proportional => {
            let t = target as u128;
            let n = total as u128;
            let mut alloc: Vec<usize> =
                pops.iter().map(|&p| (t * p as u128 / n) as usize).collect();
            let left = target - alloc.iter().sum::<usize>();
            let mut by_remainder: Vec<(u128, usize)> = pops
                .iter()
                .enumerate()
                .map(|(h, &p)| (t * p as u128 % n, h))
                .collect();
            // Largest remainder first; equal remainders in stratum order.
            by_remainder.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, h) in by_remainder.iter().take(left) {
                alloc[h] += 1;
            }
            alloc
        }
        Allocation::Equal => {
            let mut alloc = vec![0; pops.len()];
            let mut left = target;
            loop {
                let open: Vec<usize> = (0..pops.len()).filter(|&h| alloc[h] < pops[h]).collect();
                if left == 0 || open.is_empty() {
                    break;
                }
                let share = left / open.len();
                if share == 0 {
                    let mut open = open;
                    open.sort_by(|&a, &b| pops[b].cmp(&pops[a]).then(a.cmp(&b)));
                    for &h in open.iter().take(left) {
                        alloc[h] += 1;
                    }
                    break;
                }
                for h in open {
                    let give = share.min(pops[h] - alloc[h]);
                    alloc[h] += give;
                    left -= give;
                }
            }
            alloc
        }
    }
}

/// How many cases each stratum gets, for strata with the given populations (the rules are on
/// [`Allocation`]). For an explicit allocation, named strata missing from `populations` appear
/// with 0.
pub fn allocate(
    allocation: &Allocation,
    target: usize,
    populations: &BTreeMap<StratumKey, usize>,
) -> BTreeMap<StratumKey, usize> {
    let mut all: BTreeMap<&StratumKey, usize> = populations.iter().map(|(k, &p)| (k, p)).collect();
    if let Allocation::Explicit(map) = allocation {
        for k in map.keys() {
            all.entry(k).or_insert(0);
        }
    }
    let keys: Vec<&StratumKey> = all.keys().copied().collect();
    let pops: Vec<usize> = all.values().copied().collect();
    let alloc = allocate_slice(allocation, target, &keys, &pops);
    keys.into_iter().cloned().zip(alloc).collect()
}

// ---------------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------------

/// Breadth-first search for room: a stratum among `roots` with slack, or a chain of moves
/// (agent → another of its strata) that frees a slot in one of `roots`. Returns the root and the
/// moves, last move first. Strata are explored in order, agents in index order.
fn find_room(
    roots: &[usize],
    slack: &[usize],
    assign: &[Option<usize>],
    options: &[Vec<usize>],
) -> Option<(usize, Vec<(usize, usize)>)> {
    let mut seen = vec![false; slack.len()];
    let mut parent: Vec<Option<(usize, usize)>> = vec![None; slack.len()];
    let mut queue = VecDeque::new();
    for &r in roots {
        if !seen[r] {
            seen[r] = true;
            queue.push_back(r);
        }
    }
    while let Some(g) = queue.pop_front() {
        if slack[g] > 0 {
            let mut moves = Vec::new();
            let mut cur = g;
            while let Some((prev, agent)) = parent[cur] {
                moves.push((agent, cur));
                cur = prev;
            }
            return Some((cur, moves));
        }
        for (agent, at) in assign.iter().enumerate() {
            if *at != Some(g) {
                continue;
            }
            for &next in &options[agent] {
                if !seen[next] {
                    seen[next] = true;
                    parent[next] = Some((g, agent));
                    queue.push_back(next);
                }
            }
        }
    }
    None
}

struct Coverage {
    covered: Vec<CoveragePick>,
    uncovered: Vec<UncoveredCaseworker>,
    /// Coverage picks (case indices) per stratum.
    picks: Vec<Vec<usize>>,
}

/// Step 5.
fn cover(
    cases: &[SampleCase],
    groups: &Groups,
    names: &[&str],
    alloc: &[usize],
    last_sampled: &BTreeMap<String, NaiveDate>,
    rng: &mut SampleRng,
) -> Coverage {
    let h_count = groups.len();
    // Each caseworker's cases by a counting sort, which keeps them in stratum order, then key
    // order.
    let mut start = vec![0usize; names.len() + 1];
    for m in groups.iter().flat_map(|(_, members)| members) {
        if m.cw != NO_CW {
            start[m.cw as usize + 1] += 1;
        }
    }
    for c in 0..names.len() {
        start[c + 1] += start[c];
    }
    let mut fill = start.clone();
    let mut own_cases = vec![(0usize, 0usize); start[names.len()]];
    for (h, (_, members)) in groups.iter().enumerate() {
        for m in members {
            if m.cw != NO_CW {
                let c = m.cw as usize;
                own_cases[fill[c]] = (h, m.case);
                fill[c] += 1;
            }
        }
    }
    let priority: Vec<(Option<NaiveDate>, &str)> = names
        .iter()
        .map(|n| (last_sampled.get(*n).copied(), *n))
        .collect();
    let mut order_ids: Vec<usize> = (0..names.len()).collect();
    order_ids.sort_by(|&a, &b| priority[a].cmp(&priority[b]));
    let order: Vec<(&str, &[(usize, usize)])> = order_ids
        .iter()
        .map(|&c| (names[c], &own_cases[start[c]..start[c + 1]]))
        .collect();

    let total: usize = alloc.iter().sum();
    let mut uncovered = Vec::new();
    // Kept caseworkers: (index into order, strata they can take).
    let mut kept: Vec<usize> = Vec::new();
    let mut options: Vec<Vec<usize>> = Vec::new();
    let mut assign: Vec<Option<usize>> = Vec::new();
    let mut load = vec![0usize; h_count];
    for (o, (cw, own)) in order.iter().enumerate() {
        let reason = if kept.len() == total {
            Some(UncoveredReason::SampleFull)
        } else {
            let mut opts: Vec<usize> = own.iter().map(|&(h, _)| h).collect();
            opts.dedup();
            opts.retain(|&h| alloc[h] > 0);
            let slack: Vec<usize> = (0..h_count)
                .map(|g| alloc[g].saturating_sub(load[g]))
                .collect();
            match find_room(&opts, &slack, &assign, &options) {
                Some((root, moves)) => {
                    apply_moves(&moves, &mut assign, &mut load);
                    load[root] += 1;
                    kept.push(o);
                    options.push(opts);
                    assign.push(Some(root));
                    None
                }
                None => Some(UncoveredReason::StrataFull),
            }
        };
        if let Some(reason) = reason {
            uncovered.push(UncoveredCaseworker {
                caseworker: (*cw).to_owned(),
                last_sampled: last_sampled.get(*cw).copied(),
                reason,
            });
        }
    }

    let mut used = vec![0usize; h_count];
    let mut picks: Vec<Vec<usize>> = vec![Vec::new(); h_count];
    let mut covered = Vec::with_capacity(kept.len());
    for (agent, &o) in kept.iter().enumerate() {
        if let Some(at) = assign[agent].take() {
            load[at] -= 1;
        }
        let slack: Vec<usize> = (0..h_count)
            .map(|g| alloc[g].saturating_sub(used[g] + load[g]))
            .collect();
        let mut room: Vec<Option<Vec<(usize, usize)>>> = vec![None; h_count];
        for &h in &options[agent] {
            room[h] = find_room(&[h], &slack, &assign, &options).map(|(_, moves)| moves);
        }
        let (cw, own) = order[o];
        let candidates: Vec<(usize, usize)> = own
            .iter()
            .copied()
            .filter(|&(h, _)| room[h].is_some())
            .collect();
        // Never empty: the stratum the caseworker held in the assignment is always free.
        if candidates.is_empty() {
            continue;
        }
        let (h, i) = candidates[rng.below_usize(candidates.len())];
        if let Some(moves) = &room[h] {
            apply_moves(moves, &mut assign, &mut load);
        }
        used[h] += 1;
        picks[h].push(i);
        covered.push(CoveragePick {
            caseworker: cw.to_owned(),
            key: cases[i].key.clone(),
        });
    }
    Coverage {
        covered,
        uncovered,
        picks,
    }
}

fn apply_moves(moves: &[(usize, usize)], assign: &mut [Option<usize>], load: &mut [usize]) {
    for &(agent, to) in moves {
        if let Some(from) = assign[agent] {
            load[from] -= 1;
        }
        assign[agent] = Some(to);
        load[to] += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------------------------

struct Drawn {
    selected: Vec<String>,
    strata: Vec<StratumReport>,
    covered: Vec<CoveragePick>,
    uncovered: Vec<UncoveredCaseworker>,
}

/// Steps 5–7 on grouped strata with their allocations.
fn select(
    cases: &[SampleCase],
    population: &Population,
    alloc: &[usize],
    requested: &dyn Fn(&StratumKey) -> Option<usize>,
    coverage: Option<&BTreeMap<String, NaiveDate>>,
    rng: &mut SampleRng,
) -> Drawn {
    let groups = &population.groups;
    let Coverage {
        covered,
        uncovered,
        mut picks,
    } = match coverage {
        Some(last) => cover(cases, groups, &population.caseworkers, alloc, last, rng),
        None => Coverage {
            covered: Vec::new(),
            uncovered: Vec::new(),
            picks: vec![Vec::new(); groups.len()],
        },
    };
    let mut selected: Vec<&str> = Vec::new();
    let mut strata = Vec::with_capacity(groups.len());
    for (h, (key, members)) in groups.iter().enumerate() {
        let own = &mut picks[h];
        own.sort_unstable();
        let m = alloc[h].saturating_sub(own.len());
        let mut pool: Vec<usize> = if own.is_empty() {
            members.iter().map(|m| m.case).collect()
        } else {
            members
                .iter()
                .map(|m| m.case)
                .filter(|i| own.binary_search(i).is_err())
                .collect()
        };
        if m < pool.len() {
            for k in 0..m {
                let j = k + rng.below_usize(pool.len() - k);
                pool.swap(k, j);
            }
        }
        pool.truncate(m);
        selected.extend(own.iter().chain(&pool).map(|&i| cases[i].key.as_str()));
        let population = members.len();
        let note = match requested(key) {
            Some(r) if population == 0 && r > 0 => Some(StratumNote::NoCases { requested: r }),
            Some(r) if r > population => Some(StratumNote::Capped { requested: r }),
            _ if population > 0 && alloc[h] == population => Some(StratumNote::TookAll),
            _ => None,
        };
        strata.push(StratumReport {
            key: key.clone(),
            population,
            target: alloc[h],
            drawn: own.len() + pool.len(),
            coverage_picks: own.len(),
            note,
        });
    }
    selected.sort_unstable();
    Drawn {
        selected: selected.into_iter().map(str::to_owned).collect(),
        strata,
        covered,
        uncovered,
    }
}

fn stratum_warnings(strata: &[StratumReport], warnings: &mut Vec<SampleWarning>) {
    for s in strata {
        match s.note {
            Some(StratumNote::NoCases { requested }) => {
                warnings.push(SampleWarning::EmptyStratum {
                    stratum: s.key.clone(),
                    requested,
                });
            }
            _ if s.population < SMALL_STRATUM || s.drawn < SMALL_STRATUM => {
                warnings.push(SampleWarning::SmallStratum {
                    stratum: s.key.clone(),
                    population: s.population,
                    drawn: s.drawn,
                });
            }
            _ => {}
        }
    }
}

/// Draws a stratified sample (level 1). See the module documentation for the algorithm.
pub fn draw(cases: &[SampleCase], spec: &SampleSpec) -> Result<Sample, SampleError> {
    let (mut population, excluded) =
        Rules::from_frame(&spec.frame).population(cases, &spec.strata, spec.coverage)?;
    let eligible = population.size;
    add_explicit_strata(&mut population.groups, &spec.allocation);
    let stream = level_stream(1);
    let mut rng = SampleRng::new(spec.seed, stream);
    let keys: Vec<&StratumKey> = population.groups.iter().map(|(k, _)| k).collect();
    let pops: Vec<usize> = population.groups.iter().map(|(_, m)| m.len()).collect();
    let alloc = allocate_slice(&spec.allocation, spec.target, &keys, &pops);
    let target = match &spec.allocation {
        Allocation::Explicit(map) => map.values().sum(),
        _ => spec.target,
    };
    let requested = |k: &StratumKey| match &spec.allocation {
        Allocation::Explicit(map) => Some(map.get(k).copied().unwrap_or(0)),
        _ => None,
    };
    let drawn = select(
        cases,
        &population,
        &alloc,
        &requested,
        spec.coverage.then_some(&spec.caseworker_last_sampled),
        &mut rng,
    );
    let mut warnings = Vec::new();
    if eligible == 0 {
        warnings.push(SampleWarning::NoEligibleCases);
    } else if target > eligible {
        warnings.push(SampleWarning::TargetExceedsPopulation {
            target,
            population: eligible,
        });
    }
    stratum_warnings(&drawn.strata, &mut warnings);
    if !drawn.uncovered.is_empty() {
        warnings.push(SampleWarning::UncoveredCaseworkers {
            count: drawn.uncovered.len(),
        });
    }
    Ok(Sample {
        algorithm: ALGORITHM.to_owned(),
        seed: spec.seed,
        level: 1,
        stream,
        period: None,
        stratified_by: spec.strata.clone(),
        target,
        eligible,
        selected: drawn.selected,
        strata: drawn.strata,
        excluded,
        covered: drawn.covered,
        uncovered: drawn.uncovered,
        warnings,
    })
}

/// Draws the nested subsample of `level` (2 or 3) from `parent` (of level `level − 1`),
/// stratified by `strata`, on stream `level` of `seed`. `cases` must contain the parent's cases
/// (other cases are ignored). The result is always a subset of the parent.
pub fn subsample(
    parent: &Sample,
    cases: &[SampleCase],
    strata: &Strata,
    allocation: &Allocation,
    target: usize,
    seed: u64,
    level: u8,
) -> Result<Sample, SampleError> {
    if !(2..=MAX_LEVEL).contains(&level) || parent.level.checked_add(1) != Some(level) {
        return Err(SampleError::InvalidLevel {
            parent: parent.level,
            level,
        });
    }
    let mut wanted: Vec<&str> = parent.selected.iter().map(String::as_str).collect();
    wanted.sort_unstable();
    if let Some(w) = wanted.windows(2).find(|w| w[0] == w[1]) {
        return Err(SampleError::DuplicateKey(w[0].to_owned()));
    }
    let lookup: FastSet<&str> = wanted.iter().copied().collect();
    let members: Vec<usize> = cases
        .iter()
        .enumerate()
        .filter(|(_, c)| lookup.contains(c.key.as_str()))
        .map(|(i, _)| i)
        .collect();
    let mut population = prepare(cases, members.iter().copied(), strata, false)?;
    if population.size < wanted.len() {
        let found: BTreeSet<&str> = members.iter().map(|&i| cases[i].key.as_str()).collect();
        let missing = wanted
            .iter()
            .find(|k| !found.contains(*k))
            .copied()
            .unwrap_or_default();
        return Err(SampleError::MissingParentCase(missing.to_owned()));
    }
    let stream = level_stream(level);
    let mut rng = SampleRng::new(seed, stream);
    add_explicit_strata(&mut population.groups, allocation);
    let keys: Vec<&StratumKey> = population.groups.iter().map(|(k, _)| k).collect();
    let pops: Vec<usize> = population.groups.iter().map(|(_, m)| m.len()).collect();
    let alloc = allocate_slice(allocation, target, &keys, &pops);
    let target = match allocation {
        Allocation::Explicit(map) => map.values().sum(),
        _ => target,
    };
    let requested = |k: &StratumKey| match allocation {
        Allocation::Explicit(map) => Some(map.get(k).copied().unwrap_or(0)),
        _ => None,
    };
    let drawn = select(cases, &population, &alloc, &requested, None, &mut rng);
    let mut warnings = Vec::new();
    if members.is_empty() {
        warnings.push(SampleWarning::NoEligibleCases);
    } else if target > members.len() {
        warnings.push(SampleWarning::TargetExceedsPopulation {
            target,
            population: members.len(),
        });
    }
    stratum_warnings(&drawn.strata, &mut warnings);
    Ok(Sample {
        algorithm: ALGORITHM.to_owned(),
        seed,
        level,
        stream,
        period: None,
        stratified_by: strata.clone(),
        target,
        eligible: members.len(),
        selected: drawn.selected,
        strata: drawn.strata,
        excluded: ExclusionCounts::default(),
        covered: Vec::new(),
        uncovered: Vec::new(),
        warnings,
    })
}

/// A draw of level 1 by `spec` and, for each of `nested` (level 2, then 3), a subsample of the
/// level above with the same strata, allocation and seed: the whole sample of a round.
pub fn draw_levels(
    cases: &[SampleCase],
    spec: &SampleSpec,
    nested: &[usize],
) -> Result<Vec<Sample>, SampleError> {
    let mut levels = vec![draw(cases, spec)?];
    for (i, &size) in nested.iter().enumerate() {
        let level = u8::try_from(i + 2).unwrap_or(u8::MAX);
        let parent = &levels[levels.len() - 1];
        let next = subsample(
            parent,
            cases,
            &spec.strata,
            &spec.allocation,
            size,
            spec.seed,
            level,
        )?;
        levels.push(next);
    }
    Ok(levels)
}

/// Continuous sampling (løbende tilsyn): one case per caseworker among the cases active in
/// `period`, on the period's own stream of `seed`, so every period is independent and
/// reproducible. Strata are the caseworkers (no small-stratum warnings: one case each is the
/// design).
pub fn draw_continuous(
    cases: &[SampleCase],
    filter: &ContinuousFilter,
    period: Period,
    seed: u64,
) -> Result<Sample, SampleError> {
    let (Some(first), Some(last)) = (period.first_day(), period.last_day()) else {
        return Err(SampleError::InvalidPeriod(period));
    };
    let rules = Rules {
        case_types: &filter.case_types,
        units: &filter.units,
        started_on_or_after: filter.started_on_or_after,
        window_end: last,
        window_start_by_type: BTreeMap::new(),
        default_window_start: Some(first),
        reviewed_between: filter
            .exclude_reviewed_within_months
            .and_then(|m| Some((months_before(first, m), first.pred_opt()?))),
        require_caseworker: true,
    };
    let strata = Strata::by([StratumDimension::Caseworker]);
    let (population, excluded) = rules.population(cases, &strata, false)?;
    let caseworkers = population.groups.len();
    let alloc = vec![1; caseworkers];
    let stream = period.stream();
    let mut rng = SampleRng::new(seed, stream);
    let drawn = select(cases, &population, &alloc, &|_| None, None, &mut rng);
    let mut warnings = Vec::new();
    if population.size == 0 {
        warnings.push(SampleWarning::NoEligibleCases);
    }
    Ok(Sample {
        algorithm: ALGORITHM.to_owned(),
        seed,
        level: 1,
        stream,
        period: Some(period),
        stratified_by: strata,
        target: caseworkers,
        eligible: population.size,
        selected: drawn.selected,
        strata: drawn.strata,
        excluded,
        covered: Vec::new(),
        uncovered: Vec::new(),
        warnings,
    })
}

/// A synthetic case register for benchmarks and tests: `n` cases, keys `SYN/0000000…` in a
/// scrambled order (as in a real extract, key order is not input order), four case types, six
/// units in two areas, one caseworker per ~40 cases, starts 2020–2025. Not part of the
/// algorithm; may change freely.
#[doc(hidden)]
pub fn synthetic_cases(n: usize, seed: u64) -> Vec<SampleCase> {
    const TYPES: [&str; 4] = ["§ 30", "§ 32", "§ 46", "§ 47"];
    const UNITS: [(&str, &str); 6] = [
        ("Team Nord", "Udsatte børn"),
        ("Team Syd", "Udsatte børn"),
        ("Team Øst", "Udsatte børn"),
        ("Team Vest", "Udsatte børn"),
        ("Handicap 1", "Børnehandicap"),
        ("Handicap 2", "Børnehandicap"),
    ];
    const AGES: [&str; 3] = ["0-6", "7-12", "13-17"];
    let Some(base) = NaiveDate::from_ymd_opt(2020, 1, 1) else {
        return Vec::new();
    };
    // i ↦ i·step mod n is a permutation of 0..n when step and n are coprime.
    let gcd = |mut a: u128, mut b: u128| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let big_n = n.max(1) as u128;
    let mut step = (big_n * 5 / 8) | 1;
    while gcd(step, big_n) != 1 {
        step += 2;
    }
    let caseworkers = (n / 40).max(1) as u64;
    let mut rng = SampleRng::new(seed, 0);
    (0..n)
        .map(|i| {
            let (unit, area) = UNITS[rng.below_usize(UNITS.len())];
            let start = base + chrono::Days::new(rng.below(6 * 365));
            let end = (rng.below(2) == 0).then(|| start + chrono::Days::new(rng.below(900)));
            let last_reviewed =
                (rng.below(10) == 0).then(|| start + chrono::Days::new(rng.below(400)));
            let mut attributes = BTreeMap::new();
            attributes.insert("age".to_owned(), AGES[rng.below_usize(3)].to_owned());
            SampleCase {
                key: format!("SYN/{:07}", i as u128 * step % big_n),
                case_type: TYPES[rng.below_usize(TYPES.len())].to_owned(),
                unit: Some(unit.to_owned()),
                area: Some(area.to_owned()),
                caseworker: Some(format!("rådgiver-{:05}", rng.below(caseworkers))),
                start: Some(start),
                end,
                last_reviewed,
                attributes,
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn find_room_moves_an_agent_to_make_space() {
        // Stratum 0 has 1 slot held by agent 0, who could also sit in stratum 1 (1 slot free).
        let assign = vec![Some(0)];
        let options = vec![vec![0, 1]];
        let (root, moves) = find_room(&[0], &[0, 1], &assign, &options).unwrap();
        assert_eq!(root, 0);
        assert_eq!(moves, vec![(0, 1)]);
        // No free slot anywhere: no room.
        assert!(find_room(&[0], &[0, 0], &assign, &options).is_none());
    }

    #[test]
    fn coverage_rearranges_instead_of_leaving_someone_out() {
        // Two strata with one slot each. "a" (first) has cases in both; "b" only in stratum A.
        // A greedy random pick would leave "b" out half the time; the rule never does.
        let mk = |key: &str, t: &str, cw: &str| SampleCase {
            key: key.into(),
            case_type: t.into(),
            caseworker: Some(cw.into()),
            start: Some(d(2024, 1, 1)),
            ..Default::default()
        };
        let cases = vec![
            mk("1", "A", "a"),
            mk("2", "B", "a"),
            mk("3", "A", "b"),
            mk("4", "A", "b"),
            mk("5", "B", "c"),
            mk("6", "B", "c"),
        ];
        for seed in 0..50 {
            let spec = SampleSpec {
                frame: SampleFrame::new(d(2025, 1, 1)),
                strata: Strata::by([StratumDimension::CaseType]),
                allocation: Allocation::Explicit(BTreeMap::from([
                    (StratumKey::new(["A"]), 1),
                    (StratumKey::new(["B"]), 1),
                ])),
                target: 0,
                coverage: true,
                caseworker_last_sampled: BTreeMap::new(),
                seed,
            };
            let s = draw(&cases, &spec).unwrap();
            // a and b are kept (a must take B); c cannot be: the sample is full.
            assert_eq!(s.covered.len(), 2);
            assert_eq!(s.covered[0].key, "2");
            assert_eq!(s.covered[1].caseworker, "b");
            assert_eq!(s.uncovered.len(), 1);
            assert_eq!(s.uncovered[0].reason, UncoveredReason::SampleFull);
        }
    }

    #[test]
    fn window_start_clamps_to_month_end() {
        let mut f = SampleFrame::new(d(2024, 3, 31));
        f.look_back_months.insert("§ 32".into(), 1);
        f.default_look_back_months = Some(13);
        assert_eq!(f.window_start("§ 32"), Some(d(2024, 2, 29)));
        assert_eq!(f.window_start("§ 46"), Some(d(2023, 2, 28)));
    }
}
