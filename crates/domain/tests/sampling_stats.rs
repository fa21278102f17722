//! Tests of `tilsyn_domain::sampling` through its public API: golden values, order
//! independence, statistics of inclusion, allocation, nesting, coverage, eligibility and
//! continuous sampling.
#![allow(clippy::unwrap_used)]

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tilsyn_domain::sampling::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn case(key: &str, case_type: &str, caseworker: &str, start: NaiveDate) -> SampleCase {
    SampleCase {
        key: key.into(),
        case_type: case_type.into(),
        caseworker: Some(caseworker.into()),
        start: Some(start),
        ..Default::default()
    }
}

fn spec(frame: SampleFrame, strata: Strata, allocation: Allocation, target: usize) -> SampleSpec {
    SampleSpec {
        frame,
        strata,
        allocation,
        target,
        coverage: false,
        caseworker_last_sampled: BTreeMap::new(),
        seed: 0,
    }
}

fn by_type() -> Strata {
    Strata::by([StratumDimension::CaseType])
}

/// Our own Fisher–Yates, so the test does not depend on rand's shuffle either.
fn shuffled<T: Clone>(v: &[T], seed: u64) -> Vec<T> {
    let mut v = v.to_vec();
    let mut rng = SampleRng::new(seed, 99);
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
    v
}

/// A fixed 1,000-case frame built by arithmetic only (no generator), so the golden test guards
/// the sampling algorithm and nothing else.
fn golden_frame() -> Vec<SampleCase> {
    const TYPES: [&str; 4] = ["§ 30", "§ 32", "§ 46", "§ 47"];
    const UNITS: [&str; 3] = ["Team A", "Team B", "Team C"];
    (0..1000usize)
        .map(|i| {
            let start = d(2023, 1, 1) + Days::new((i * 37 % 900) as u64);
            SampleCase {
                key: format!("DUBU/{:05}", (i * 7919) % 100_000),
                case_type: TYPES[i % 4].into(),
                unit: Some(UNITS[(i / 4) % 3].into()),
                area: Some(if i % 5 == 0 { "Handicap" } else { "Udsatte" }.into()),
                caseworker: Some(format!("cw{:02}", (i * 13) % 37)),
                start: Some(start),
                end: (i % 3 == 0).then(|| start + Days::new(200)),
                last_reviewed: (i % 11 == 0).then(|| start + Days::new(30)),
                attributes: BTreeMap::from([("age".to_owned(), format!("{}", i % 18))]),
            }
        })
        .collect()
}

fn golden_spec() -> SampleSpec {
    let mut frame = SampleFrame::new(d(2025, 6, 30));
    frame.look_back_months = BTreeMap::from([("§ 46".into(), 24), ("§ 47".into(), 24)]);
    frame.default_look_back_months = Some(12);
    frame.started_on_or_after = Some(d(2023, 3, 1));
    frame.exclude_reviewed_within_months = Some(12);
    SampleSpec {
        frame,
        strata: Strata::by([StratumDimension::CaseType, StratumDimension::Unit]),
        allocation: Allocation::Proportional,
        target: 60,
        coverage: true,
        caseworker_last_sampled: BTreeMap::from([
            ("cw00".into(), d(2025, 1, 1)),
            ("cw01".into(), d(2024, 1, 1)),
            ("cw02".into(), d(2025, 3, 1)),
        ]),
        seed: 42,
    }
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

#[test]
fn generator_first_values_are_recorded() {
    let mut rng = SampleRng::new(42, 1);
    let words: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
    let small: Vec<u64> = (0..10).map(|_| rng.below(10)).collect();
    let big: Vec<u64> = (0..3).map(|_| rng.below(1_000_003)).collect();
    assert_eq!(words, GOLDEN_WORDS);
    assert_eq!(small, GOLDEN_BELOW_10);
    assert_eq!(big, GOLDEN_BELOW_1M);
    // Another stream of the same seed is another sequence.
    assert_ne!(SampleRng::new(42, 2).next_u64(), GOLDEN_WORDS[0]);
}

const GOLDEN_WORDS: [u64; 3] = [
    629_220_857_678_633_262,
    1_525_128_642_534_362_311,
    16_235_084_340_552_130_026,
];
const GOLDEN_BELOW_10: [u64; 10] = [2, 3, 9, 8, 9, 5, 1, 3, 4, 3];
const GOLDEN_BELOW_1M: [u64; 3] = [891_486, 88_761, 398_034];

#[test]
fn below_one_consumes_nothing_and_results_are_in_range() {
    let mut a = SampleRng::new(7, 1);
    let mut b = SampleRng::new(7, 1);
    assert_eq!(a.below(1), 0);
    assert_eq!(a.below(0), 0);
    assert_eq!(a.next_u64(), b.next_u64());
    for n in [2u64, 3, 7, 10, 1000, u64::MAX] {
        for _ in 0..200 {
            assert!(a.below(n) < n);
        }
    }
}

/// With n ≈ ⅔·2⁶⁴, a plain `x % n` would put ⅔ of its results in the lower half of 0..n;
/// rejection sampling puts ½ there.
#[test]
fn below_rejects_the_biased_zone() {
    let n: u64 = 0xAAAA_AAAA_AAAA_AAAB;
    let mut rng = SampleRng::new(3, 1);
    let draws = 20_000;
    let low = (0..draws).filter(|_| rng.below(n) < n / 2).count();
    let share = low as f64 / draws as f64;
    // sd of a share at p = ½ is 0.0035; 5 sd is 0.018, far from ⅔.
    assert!((share - 0.5).abs() < 0.018, "share below n/2 = {share}");
}

// ---------------------------------------------------------------------------------------------
// Golden and order independence
// ---------------------------------------------------------------------------------------------

#[test]
fn golden_seed_42() {
    let cases = golden_frame();
    let s = draw(&cases, &golden_spec()).unwrap();
    assert_eq!(s.algorithm, "tilsyn-sample-v1");
    assert_eq!(s.selected, GOLDEN_SELECTED);
    assert_eq!(s.selected.len(), 60);
    let sub = subsample(
        &s,
        &cases,
        &s.stratified_by,
        &Allocation::Proportional,
        20,
        42,
        2,
    )
    .unwrap();
    assert_eq!(sub.selected, GOLDEN_SUB);
    let cont = draw_continuous(
        &cases,
        &ContinuousFilter::default(),
        Period::Month(2025, 3),
        42,
    )
    .unwrap();
    assert_eq!(cont.selected, GOLDEN_CONTINUOUS);
}

const GOLDEN_SELECTED: [&str; 60] = [
    "DUBU/01301",
    "DUBU/01680",
    "DUBU/03145",
    "DUBU/07557",
    "DUBU/08660",
    "DUBU/09418",
    "DUBU/11081",
    "DUBU/14390",
    "DUBU/14933",
    "DUBU/16217",
    "DUBU/17139",
    "DUBU/19362",
    "DUBU/22490",
    "DUBU/22852",
    "DUBU/25058",
    "DUBU/25239",
    "DUBU/25420",
    "DUBU/25601",
    "DUBU/25799",
    "DUBU/26902",
    "DUBU/27264",
    "DUBU/28005",
    "DUBU/30392",
    "DUBU/35183",
    "DUBU/35200",
    "DUBU/38147",
    "DUBU/39991",
    "DUBU/41258",
    "DUBU/44386",
    "DUBU/44765",
    "DUBU/45325",
    "DUBU/51021",
    "DUBU/53408",
    "DUBU/53968",
    "DUBU/54347",
    "DUBU/54890",
    "DUBU/57837",
    "DUBU/60241",
    "DUBU/61344",
    "DUBU/64291",
    "DUBU/66135",
    "DUBU/69263",
    "DUBU/72934",
    "DUBU/75898",
    "DUBU/77165",
    "DUBU/77725",
    "DUBU/77742",
    "DUBU/77923",
    "DUBU/78104",
    "DUBU/79009",
    "DUBU/79767",
    "DUBU/80508",
    "DUBU/81594",
    "DUBU/81973",
    "DUBU/85842",
    "DUBU/86747",
    "DUBU/89530",
    "DUBU/91555",
    "DUBU/91900",
    "DUBU/93580",
];
const GOLDEN_SUB: [&str; 20] = [
    "DUBU/03145",
    "DUBU/11081",
    "DUBU/14390",
    "DUBU/17139",
    "DUBU/19362",
    "DUBU/22490",
    "DUBU/25239",
    "DUBU/27264",
    "DUBU/30392",
    "DUBU/44765",
    "DUBU/51021",
    "DUBU/53408",
    "DUBU/64291",
    "DUBU/66135",
    "DUBU/77165",
    "DUBU/79767",
    "DUBU/80508",
    "DUBU/81594",
    "DUBU/85842",
    "DUBU/91900",
];
/// One case for each of the 37 caseworkers.
const GOLDEN_CONTINUOUS: [&str; 37] = [
    "DUBU/06635",
    "DUBU/09763",
    "DUBU/10866",
    "DUBU/14554",
    "DUBU/15312",
    "DUBU/16234",
    "DUBU/17337",
    "DUBU/19362",
    "DUBU/24136",
    "DUBU/24498",
    "DUBU/31891",
    "DUBU/32236",
    "DUBU/32253",
    "DUBU/35200",
    "DUBU/36105",
    "DUBU/36467",
    "DUBU/39595",
    "DUBU/41818",
    "DUBU/42740",
    "DUBU/44024",
    "DUBU/44041",
    "DUBU/44765",
    "DUBU/46049",
    "DUBU/49556",
    "DUBU/49918",
    "DUBU/50116",
    "DUBU/61723",
    "DUBU/68703",
    "DUBU/79388",
    "DUBU/84360",
    "DUBU/85463",
    "DUBU/85480",
    "DUBU/86928",
    "DUBU/89892",
    "DUBU/95950",
    "DUBU/97449",
    "DUBU/97630",
];

#[test]
fn input_order_does_not_matter() {
    let cases = golden_frame();
    let spec = golden_spec();
    let a = draw(&cases, &spec).unwrap();
    let sub_a = subsample(&a, &cases, &a.stratified_by, &Allocation::Equal, 25, 9, 2).unwrap();
    let cont_a = draw_continuous(
        &cases,
        &ContinuousFilter::default(),
        Period::Quarter(2025, 1),
        5,
    )
    .unwrap();
    for seed in 1..4 {
        let mixed = shuffled(&cases, seed);
        assert_ne!(mixed, cases);
        let b = draw(&mixed, &spec).unwrap();
        assert_eq!(a, b);
        let sub_b = subsample(&b, &mixed, &b.stratified_by, &Allocation::Equal, 25, 9, 2).unwrap();
        assert_eq!(sub_a, sub_b);
        let cont_b = draw_continuous(
            &mixed,
            &ContinuousFilter::default(),
            Period::Quarter(2025, 1),
            5,
        )
        .unwrap();
        assert_eq!(cont_a, cont_b);
    }
}

#[test]
fn duplicate_keys_are_refused() {
    let mut cases = golden_frame();
    cases[10].key = cases[20].key.clone();
    let err = draw(
        &cases,
        &spec(
            SampleFrame::new(d(2026, 1, 1)),
            by_type(),
            Allocation::Proportional,
            10,
        ),
    )
    .unwrap_err();
    assert_eq!(err, SampleError::DuplicateKey(cases[20].key.clone()));
    assert_eq!(err.key(), "sample-err-duplicate-key");
}

// ---------------------------------------------------------------------------------------------
// Statistics: equal inclusion probability within a stratum
// ---------------------------------------------------------------------------------------------

/// Upper critical value of χ² with `k` degrees of freedom at p = 0.001, by the Wilson–Hilferty
/// approximation χ²ₖ,₁₋α ≈ k·(1 − 2/(9k) + z·√(2/(9k)))³ with z = Φ⁻¹(0.999) = 3.090232.
fn chi2_critical_p001(k: f64) -> f64 {
    let z = 3.090_232_306;
    let c = 2.0 / (9.0 * k);
    k * (1.0 - c + z * c.sqrt()).powi(3)
}

/// Goodness of fit of per-case inclusion counts against D·n_h/N_h. One draw includes a case
/// with probability p = n_h/N_h and a fixed total n_h per stratum, so Var(O_i) = D·p(1−p) and
/// Cov(O_i, O_j) = −D·p(1−p)/(N_h−1); hence (N_h−1)/N_h · Σ (O_i − D·p)² / (D·p(1−p)) is
/// approximately χ² with N_h − 1 degrees of freedom (exactly so in the limit for simple random
/// sampling). Strata add up. Returns (statistic, degrees of freedom).
fn inclusion_chi2(
    strata: &[(Vec<String>, usize)],
    counts: &HashMap<String, u64>,
    draws: u64,
) -> (f64, f64) {
    let mut stat = 0.0;
    let mut df = 0.0;
    for (members, n) in strata {
        let big_n = members.len() as f64;
        let p = *n as f64 / big_n;
        let e = draws as f64 * p;
        let v = e * (1.0 - p);
        let sum: f64 = members
            .iter()
            .map(|k| {
                let o = counts.get(k).copied().unwrap_or(0) as f64;
                (o - e) * (o - e) / v
            })
            .sum();
        stat += sum * (big_n - 1.0) / big_n;
        df += big_n - 1.0;
    }
    (stat, df)
}

fn count_inclusions(
    cases: &[SampleCase],
    spec: &SampleSpec,
    draws: u64,
    check: impl Fn(&Sample),
) -> HashMap<String, u64> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut spec = spec.clone();
    for seed in 0..draws {
        spec.seed = seed;
        let s = draw(cases, &spec).unwrap();
        check(&s);
        for k in s.selected {
            *counts.entry(k).or_default() += 1;
        }
    }
    counts
}

fn members_by_type(cases: &[SampleCase]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in cases {
        m.entry(c.case_type.clone())
            .or_default()
            .push(c.key.clone());
    }
    m
}

#[test]
fn inclusion_is_equal_within_strata_without_coverage() {
    // Strata of 60, 30 and 10 cases; 20 cases proportionally = 12, 6, 2.
    let cases: Vec<SampleCase> = (0..100)
        .map(|i| {
            let t = if i < 60 {
                "A"
            } else if i < 90 {
                "B"
            } else {
                "C"
            };
            case(
                &format!("K{i:03}"),
                t,
                &format!("cw{}", i % 7),
                d(2024, 1, 1),
            )
        })
        .collect();
    let spec = spec(
        SampleFrame::new(d(2025, 1, 1)),
        by_type(),
        Allocation::Proportional,
        20,
    );
    let draws = 5000;
    let counts = count_inclusions(&cases, &spec, draws, |s| {
        let drawn: Vec<usize> = s.strata.iter().map(|r| r.drawn).collect();
        assert_eq!(drawn, [12, 6, 2]);
    });
    let m = members_by_type(&cases);
    let strata = vec![
        (m["A"].clone(), 12),
        (m["B"].clone(), 6),
        (m["C"].clone(), 2),
    ];
    let (stat, df) = inclusion_chi2(&strata, &counts, draws);
    let crit = chi2_critical_p001(df);
    println!("chi2 = {stat:.1} on {df} df, critical {crit:.1}");
    assert!(
        stat < crit,
        "chi2 = {stat:.1} on {df} df, critical {crit:.1}"
    );

    // The test has power: 10 % more inclusion for 10 cases of A (and 10 % less for 10 others)
    // is rejected.
    let mut biased = HashMap::new();
    for (members, n) in &strata {
        let e = draws as f64 * *n as f64 / members.len() as f64;
        for (j, k) in members.iter().enumerate() {
            let f = if n == &12 && j < 10 {
                1.1
            } else if n == &12 && j < 20 {
                0.9
            } else {
                1.0
            };
            biased.insert(k.clone(), (e * f).round() as u64);
        }
    }
    let (stat, _) = inclusion_chi2(&strata, &biased, draws);
    assert!(
        stat > crit,
        "biased chi2 = {stat:.1} should exceed {crit:.1}"
    );
}

#[test]
fn inclusion_is_equal_within_strata_with_coverage() {
    // Two case types; 10 caseworkers with 5 cases of each type (50 per stratum); 30 cases
    // proportionally = 15 per stratum, so coverage (10 picks) never runs out of room and every
    // case of a stratum is exchangeable with every other.
    let mut cases = Vec::new();
    for w in 0..10 {
        for t in ["A", "B"] {
            for j in 0..5 {
                cases.push(case(
                    &format!("{t}-{w}-{j}"),
                    t,
                    &format!("cw{w}"),
                    d(2024, 1, 1),
                ));
            }
        }
    }
    let mut spec = spec(
        SampleFrame::new(d(2025, 1, 1)),
        by_type(),
        Allocation::Proportional,
        30,
    );
    spec.coverage = true;
    let draws = 5000;
    let counts = count_inclusions(&cases, &spec, draws, |s| {
        assert_eq!(s.covered.len(), 10);
        assert!(s.uncovered.is_empty());
        assert_eq!(s.selected.len(), 30);
    });
    let m = members_by_type(&cases);
    let strata = vec![(m["A"].clone(), 15), (m["B"].clone(), 15)];
    let (stat, df) = inclusion_chi2(&strata, &counts, draws);
    let crit = chi2_critical_p001(df);
    println!("chi2 = {stat:.1} on {df} df, critical {crit:.1}");
    assert!(
        stat < crit,
        "chi2 = {stat:.1} on {df} df, critical {crit:.1}"
    );
}

#[test]
fn wilson_hilferty_matches_table_values() {
    // Table values of χ² at p = 0.001: df 10 → 29.588, df 100 → 149.449.
    // The approximation is within 1 % at df 10 and better at larger df.
    assert!((chi2_critical_p001(10.0) / 29.588 - 1.0).abs() < 0.01);
    assert!((chi2_critical_p001(100.0) / 149.449 - 1.0).abs() < 0.001);
}

// ---------------------------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------------------------

fn pops(v: &[(&str, usize)]) -> BTreeMap<StratumKey, usize> {
    v.iter().map(|(k, p)| (StratumKey::new([*k]), *p)).collect()
}

fn alloc_vec(a: &Allocation, target: usize, p: &[(&str, usize)]) -> Vec<usize> {
    allocate(a, target, &pops(p)).into_values().collect()
}

#[test]
fn proportional_matches_hand_computed_largest_remainder() {
    let p = Allocation::Proportional;
    // Quotas 5.5, 3.3, 2.2: floors 5+3+2 = 10, the one left goes to the largest remainder.
    assert_eq!(
        alloc_vec(&p, 11, &[("A", 50), ("B", 30), ("C", 20)]),
        [6, 3, 2]
    );
    // Quotas 1.67 each: two left, equal remainders, so key order decides.
    assert_eq!(
        alloc_vec(&p, 5, &[("A", 10), ("B", 10), ("C", 10)]),
        [2, 2, 1]
    );
    // Quotas 2.8, 0.8, 0.4: remainders .8 and .8 tie, A before B.
    assert_eq!(alloc_vec(&p, 4, &[("A", 7), ("B", 2), ("C", 1)]), [3, 1, 0]);
    // The reference model: 150 of 400/300/300.
    assert_eq!(
        alloc_vec(&p, 150, &[("A", 400), ("B", 300), ("C", 300)]),
        [60, 45, 45]
    );
    // Target above the population: everything.
    assert_eq!(
        alloc_vec(&p, 99, &[("A", 7), ("B", 2), ("C", 1)]),
        [7, 2, 1]
    );
}

#[test]
fn equal_allocation_caps_and_redistributes() {
    let e = Allocation::Equal;
    assert_eq!(
        alloc_vec(&e, 12, &[("A", 2), ("B", 10), ("C", 10)]),
        [2, 5, 5]
    );
    // One left after 2/5/5: the larger open strata tie, so key order.
    assert_eq!(
        alloc_vec(&e, 13, &[("A", 2), ("B", 10), ("C", 10)]),
        [2, 6, 5]
    );
    // 3/3/3 and one left: the largest stratum (B) gets it.
    assert_eq!(
        alloc_vec(&e, 10, &[("A", 3), ("B", 10), ("C", 7)]),
        [3, 4, 3]
    );
    assert_eq!(
        alloc_vec(&e, 100, &[("A", 3), ("B", 10), ("C", 7)]),
        [3, 10, 7]
    );
}

#[test]
fn explicit_allocation_is_capped_and_reported() {
    let cases: Vec<SampleCase> = (0..12)
        .map(|i| {
            let t = ["A", "B", "B", "C"][i % 4];
            case(&format!("K{i:02}"), t, "cw", d(2024, 1, 1))
        })
        .collect();
    let explicit = Allocation::Explicit(BTreeMap::from([
        (StratumKey::new(["A"]), 5),
        (StratumKey::new(["B"]), 2),
        (StratumKey::new(["D"]), 2),
    ]));
    let s = draw(
        &cases,
        &spec(
            SampleFrame::new(d(2025, 1, 1)),
            by_type(),
            explicit.clone(),
            1000,
        ),
    )
    .unwrap();
    assert_eq!(s.target, 9, "explicit: target is the sum of the numbers");
    let rows: Vec<(String, usize, usize, Option<StratumNote>)> = s
        .strata
        .iter()
        .map(|r| (r.key.to_string(), r.population, r.drawn, r.note))
        .collect();
    assert_eq!(
        rows,
        [
            ("A".into(), 3, 3, Some(StratumNote::Capped { requested: 5 })),
            ("B".into(), 6, 2, None),
            ("C".into(), 3, 0, None),
            (
                "D".into(),
                0,
                0,
                Some(StratumNote::NoCases { requested: 2 })
            ),
        ]
    );
    assert_eq!(s.selected.len(), 5);
    assert!(s.warnings.contains(&SampleWarning::EmptyStratum {
        stratum: StratumKey::new(["D"]),
        requested: 2
    }));
    assert!(
        !s.warnings
            .iter()
            .any(|w| matches!(w, SampleWarning::TargetExceedsPopulation { .. }))
    );
    // The public helper says the same.
    let a = allocate(&explicit, 0, &pops(&[("A", 3), ("B", 6), ("C", 3)]));
    assert_eq!(a.into_values().collect::<Vec<_>>(), [3, 2, 0, 0]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn allocations_sum_to_target_and_respect_populations(
        sizes in prop::collection::vec(0usize..60, 1..8),
        target in 0usize..300,
    ) {
        let p: BTreeMap<StratumKey, usize> = sizes
            .iter()
            .enumerate()
            .map(|(i, s)| (StratumKey::new([format!("S{i}")]), *s))
            .collect();
        let total: usize = sizes.iter().sum();
        for a in [Allocation::Proportional, Allocation::Equal] {
            let got = allocate(&a, target, &p);
            prop_assert_eq!(got.values().sum::<usize>(), target.min(total));
            for (k, n) in &got {
                prop_assert!(*n <= p[k]);
            }
            if matches!(a, Allocation::Proportional) && target < total {
                for (k, n) in &got {
                    let quota = target as f64 * p[k] as f64 / total as f64;
                    prop_assert!((*n as f64 - quota).abs() < 1.0);
                }
            }
            if matches!(a, Allocation::Equal) {
                // Equal up to one: no stratum gets more than one above a stratum that still
                // has cases left (those that have none left were capped by their population).
                let open_min = got.iter().filter(|(k, n)| **n < p[*k]).map(|(_, n)| *n).min();
                if let Some(lo) = open_min {
                    for n in got.values() {
                        prop_assert!(*n <= lo + 1);
                    }
                }
            }
        }
    }
}

#[test]
fn a_stratum_never_exceeds_its_population_in_a_draw() {
    let cases = golden_frame();
    for (target, alloc) in [
        (10_000, Allocation::Proportional),
        (10_000, Allocation::Equal),
        (300, Allocation::Equal),
        (77, Allocation::Proportional),
    ] {
        let mut sp = spec(
            SampleFrame::new(d(2025, 6, 30)),
            Strata::by([StratumDimension::CaseType, StratumDimension::Area]),
            alloc,
            target,
        );
        sp.coverage = true;
        let s = draw(&cases, &sp).unwrap();
        for r in &s.strata {
            assert!(r.drawn <= r.population);
            assert_eq!(r.drawn, r.target);
        }
        assert_eq!(s.selected.len(), target.min(s.eligible));
        if target > s.eligible {
            assert!(
                s.warnings
                    .contains(&SampleWarning::TargetExceedsPopulation {
                        target,
                        population: s.eligible
                    })
            );
            assert!(
                s.strata
                    .iter()
                    .all(|r| r.note == Some(StratumNote::TookAll))
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Nested subsamples
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn nested_subsamples_are_subsets(
        n in 1usize..400,
        t1 in 0usize..160,
        t2 in 0usize..90,
        t3 in 0usize..40,
        seed in any::<u64>(),
        equal in any::<bool>(),
    ) {
        let cases = synthetic_cases(n, seed ^ 0x5EED);
        let alloc = if equal { Allocation::Equal } else { Allocation::Proportional };
        let strata = Strata::by([StratumDimension::CaseType, StratumDimension::Unit]);
        let mut sp = spec(SampleFrame::new(d(2026, 1, 1)), strata.clone(), alloc.clone(), t1);
        sp.seed = seed;
        let l1 = draw(&cases, &sp).unwrap();
        let l2 = subsample(&l1, &cases, &strata, &alloc, t2, seed, 2).unwrap();
        let l3 = subsample(&l2, &cases, &strata, &alloc, t3, seed, 3).unwrap();
        let set1: BTreeSet<&String> = l1.selected.iter().collect();
        let set2: BTreeSet<&String> = l2.selected.iter().collect();
        prop_assert!(l2.selected.iter().all(|k| set1.contains(k)));
        prop_assert!(l3.selected.iter().all(|k| set2.contains(k)));
        prop_assert_eq!(l2.selected.len(), t2.min(l1.selected.len()));
        prop_assert_eq!(l3.selected.len(), t3.min(l2.selected.len()));
        prop_assert_eq!((l2.level, l3.level), (2, 3));
        // Level 2's strata are level 1's drawn cases, stratum by stratum.
        let drawn1: Vec<(StratumKey, usize)> = l1.strata.iter()
            .filter(|r| r.drawn > 0).map(|r| (r.key.clone(), r.drawn)).collect();
        let pop2: Vec<(StratumKey, usize)> =
            l2.strata.iter().map(|r| (r.key.clone(), r.population)).collect();
        prop_assert_eq!(drawn1, pop2);
    }
}

#[test]
fn level_two_follows_the_parent_strata() {
    // 400/300/300 cases → 150 proportionally = 60/45/45 → 75 = 30/22.5/22.5 → 30/23/22.
    let cases: Vec<SampleCase> = (0..1000)
        .map(|i| {
            let t = if i < 400 {
                "§ 30"
            } else if i < 700 {
                "§ 32"
            } else {
                "§ 46"
            };
            case(
                &format!("C{i:04}"),
                t,
                &format!("cw{}", i % 30),
                d(2024, 2, 1),
            )
        })
        .collect();
    let mut sp = spec(
        SampleFrame::new(d(2025, 1, 1)),
        by_type(),
        Allocation::Proportional,
        150,
    );
    sp.seed = 2025;
    let l1 = draw(&cases, &sp).unwrap();
    let l2 = subsample(
        &l1,
        &cases,
        &by_type(),
        &Allocation::Proportional,
        75,
        2025,
        2,
    )
    .unwrap();
    let fig = |s: &Sample| -> Vec<(usize, usize)> {
        s.strata.iter().map(|r| (r.population, r.drawn)).collect()
    };
    assert_eq!(fig(&l1), [(400, 60), (300, 45), (300, 45)]);
    assert_eq!(fig(&l2), [(60, 30), (45, 23), (45, 22)]);
    assert_eq!(l2.stream, 2);
    // Each level-2 case lies in the same stratum as at level 1.
    let type_of: HashMap<&str, &str> = cases
        .iter()
        .map(|c| (c.key.as_str(), c.case_type.as_str()))
        .collect();
    let count = |s: &Sample, t: &str| {
        s.selected
            .iter()
            .filter(|k| type_of[k.as_str()] == t)
            .count()
    };
    assert_eq!(count(&l2, "§ 32"), 23);
}

#[test]
fn subsample_errors() {
    let cases = golden_frame();
    let l1 = draw(&cases, &golden_spec()).unwrap();
    let e = subsample(&l1, &cases, &Strata::none(), &Allocation::Equal, 5, 1, 3).unwrap_err();
    assert_eq!(
        e,
        SampleError::InvalidLevel {
            parent: 1,
            level: 3
        }
    );
    let l2 = subsample(&l1, &cases, &Strata::none(), &Allocation::Equal, 5, 1, 2).unwrap();
    assert!(subsample(&l2, &cases, &Strata::none(), &Allocation::Equal, 5, 1, 2).is_err());
    let l3 = subsample(&l2, &cases, &Strata::none(), &Allocation::Equal, 2, 1, 3).unwrap();
    assert!(subsample(&l3, &cases, &Strata::none(), &Allocation::Equal, 1, 1, 4).is_err());
    let fewer: Vec<SampleCase> = cases
        .iter()
        .filter(|c| c.key != l1.selected[3])
        .cloned()
        .collect();
    let e = subsample(&l1, &fewer, &Strata::none(), &Allocation::Equal, 5, 1, 2).unwrap_err();
    assert_eq!(e, SampleError::MissingParentCase(l1.selected[3].clone()));
}

// ---------------------------------------------------------------------------------------------
// Caseworker coverage
// ---------------------------------------------------------------------------------------------

/// 12 caseworkers; caseworker k has 4 cases of type T(k mod 3) and 1 of type T(k+1 mod 3), so
/// each type has 20 cases and 4 caseworkers who work mainly with it.
fn mixed_caseworkers() -> Vec<SampleCase> {
    let types = ["A", "B", "C"];
    let mut cases = Vec::new();
    for k in 0..12 {
        for j in 0..4 {
            cases.push(case(
                &format!("{k:02}-main-{j}"),
                types[k % 3],
                &format!("cw{k:02}"),
                d(2024, 1, 1),
            ));
        }
        cases.push(case(
            &format!("{k:02}-side"),
            types[(k + 1) % 3],
            &format!("cw{k:02}"),
            d(2024, 1, 1),
        ));
    }
    cases
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn every_caseworker_is_covered_when_the_size_allows(
        target in 12usize..40,
        seed in any::<u64>(),
    ) {
        let cases = mixed_caseworkers();
        let mut sp = spec(SampleFrame::new(d(2025, 1, 1)), by_type(), Allocation::Proportional, target);
        sp.coverage = true;
        sp.seed = seed;
        let s = draw(&cases, &sp).unwrap();
        prop_assert!(s.uncovered.is_empty());
        prop_assert_eq!(s.covered.len(), 12);
        let cw_of: HashMap<&str, &str> = cases.iter()
            .map(|c| (c.key.as_str(), c.caseworker.as_deref().unwrap())).collect();
        let selected: BTreeSet<&str> = s.selected.iter().map(String::as_str).collect();
        let covered: BTreeSet<&str> =
            s.selected.iter().map(|k| cw_of[k.as_str()]).collect();
        prop_assert_eq!(covered.len(), 12);
        for p in &s.covered {
            prop_assert_eq!(cw_of[p.key.as_str()], p.caseworker.as_str());
            prop_assert!(selected.contains(p.key.as_str()));
        }
        // Coverage counts against the strata's allocations.
        prop_assert_eq!(s.selected.len(), target);
        for r in &s.strata {
            prop_assert_eq!(r.drawn, r.target);
            prop_assert!(r.coverage_picks <= r.target);
        }
        prop_assert_eq!(s.strata.iter().map(|r| r.coverage_picks).sum::<usize>(), 12);
    }
}

#[test]
fn least_recently_sampled_caseworkers_come_first() {
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let cases: Vec<SampleCase> = names
        .iter()
        .flat_map(|n| (0..3).map(move |j| case(&format!("{n}{j}"), "§ 32", n, d(2024, 1, 1))))
        .collect();
    let mut sp = spec(
        SampleFrame::new(d(2025, 1, 1)),
        Strata::none(),
        Allocation::Proportional,
        4,
    );
    sp.coverage = true;
    sp.caseworker_last_sampled = BTreeMap::from([
        ("a".into(), d(2024, 1, 1)),
        ("b".into(), d(2023, 6, 1)),
        ("c".into(), d(2024, 1, 1)),
        ("d".into(), d(2025, 1, 1)),
        ("e".into(), d(2024, 5, 1)),
        ("f".into(), d(2024, 9, 1)),
    ]);
    for seed in 0..20 {
        sp.seed = seed;
        let s = draw(&cases, &sp).unwrap();
        // Never sampled (g, h by name), then the oldest date (b), then a before c by name.
        let covered: Vec<&str> = s.covered.iter().map(|p| p.caseworker.as_str()).collect();
        assert_eq!(covered, ["g", "h", "b", "a"]);
        let uncovered: Vec<(&str, UncoveredReason)> = s
            .uncovered
            .iter()
            .map(|u| (u.caseworker.as_str(), u.reason))
            .collect();
        assert_eq!(
            uncovered,
            [
                ("c", UncoveredReason::SampleFull),
                ("e", UncoveredReason::SampleFull),
                ("f", UncoveredReason::SampleFull),
                ("d", UncoveredReason::SampleFull),
            ]
        );
        assert_eq!(s.uncovered[3].last_sampled, Some(d(2025, 1, 1)));
        assert!(
            s.warnings
                .contains(&SampleWarning::UncoveredCaseworkers { count: 4 })
        );
        let chosen: BTreeSet<char> = s
            .selected
            .iter()
            .map(|k| k.chars().next().unwrap())
            .collect();
        assert_eq!(chosen, BTreeSet::from(['a', 'b', 'g', 'h']));
    }
}

#[test]
fn caseworkers_whose_strata_are_full_are_reported() {
    // x and y only have A cases, A gets 1; z has B cases.
    let cases = vec![
        case("1", "A", "x", d(2024, 1, 1)),
        case("2", "A", "y", d(2024, 1, 1)),
        case("3", "B", "z", d(2024, 1, 1)),
        case("4", "B", "z", d(2024, 1, 1)),
        case("5", "B", "z", d(2024, 1, 1)),
    ];
    let mut sp = spec(
        SampleFrame::new(d(2025, 1, 1)),
        by_type(),
        Allocation::Explicit(BTreeMap::from([
            (StratumKey::new(["A"]), 1),
            (StratumKey::new(["B"]), 2),
        ])),
        0,
    );
    sp.coverage = true;
    let s = draw(&cases, &sp).unwrap();
    assert_eq!(
        s.covered
            .iter()
            .map(|p| p.caseworker.as_str())
            .collect::<Vec<_>>(),
        ["x", "z"]
    );
    assert_eq!(s.uncovered.len(), 1);
    assert_eq!(s.uncovered[0].caseworker, "y");
    assert_eq!(s.uncovered[0].reason, UncoveredReason::StrataFull);
    assert_eq!(s.uncovered[0].reason.key(), "sample-uncovered-strata-full");
    assert_eq!(s.selected.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Eligibility
// ---------------------------------------------------------------------------------------------

fn with(key: &str, t: &str, start: NaiveDate, end: Option<NaiveDate>) -> SampleCase {
    SampleCase {
        key: key.into(),
        case_type: t.into(),
        unit: Some("Team A".into()),
        start: Some(start),
        end,
        ..Default::default()
    }
}

#[test]
fn window_per_case_type() {
    let mut f = SampleFrame::new(d(2025, 6, 30));
    f.look_back_months = BTreeMap::from([("§ 32".into(), 12), ("§ 46".into(), 24)]);
    let ok = |c: &SampleCase| f.check(c);
    let out = Err(ExclusionReason::OutsideWindow);
    assert_eq!(
        ok(&with("1", "§ 32", d(2020, 1, 1), Some(d(2024, 6, 30)))),
        Ok(())
    );
    assert_eq!(
        ok(&with("2", "§ 32", d(2020, 1, 1), Some(d(2024, 6, 29)))),
        out
    );
    assert_eq!(
        ok(&with("3", "§ 46", d(2020, 1, 1), Some(d(2023, 6, 30)))),
        Ok(())
    );
    assert_eq!(
        ok(&with("4", "§ 46", d(2020, 1, 1), Some(d(2023, 6, 29)))),
        out
    );
    assert_eq!(ok(&with("5", "§ 32", d(2025, 6, 30), None)), Ok(()));
    assert_eq!(ok(&with("6", "§ 32", d(2025, 7, 1), None)), out);
    // No entry and no default: no lower limit.
    assert_eq!(
        ok(&with("7", "§ 30", d(2001, 1, 1), Some(d(2002, 1, 1)))),
        Ok(())
    );
    f.default_look_back_months = Some(6);
    assert_eq!(
        f.check(&with("8", "§ 30", d(2001, 1, 1), Some(d(2024, 12, 29)))),
        out
    );
    assert_eq!(
        f.check(&with("9", "§ 30", d(2001, 1, 1), Some(d(2024, 12, 30)))),
        Ok(())
    );
}

#[test]
fn month_end_clamping() {
    let mut f = SampleFrame::new(d(2024, 3, 31));
    f.look_back_months = BTreeMap::from([("§ 32".into(), 1)]);
    assert_eq!(f.window_start("§ 32"), Some(d(2024, 2, 29)));
    assert_eq!(
        f.check(&with("1", "§ 32", d(2020, 1, 1), Some(d(2024, 2, 29)))),
        Ok(())
    );
    assert_eq!(
        f.check(&with("2", "§ 32", d(2020, 1, 1), Some(d(2024, 2, 28)))),
        Err(ExclusionReason::OutsideWindow)
    );
    f.reference_date = d(2023, 3, 31);
    assert_eq!(f.window_start("§ 32"), Some(d(2023, 2, 28)));
    f.reference_date = d(2024, 5, 31);
    f.look_back_months.insert("§ 32".into(), 3);
    assert_eq!(f.window_start("§ 32"), Some(d(2024, 2, 29)));
}

#[test]
fn start_filter_unit_filter_reviews_and_counts() {
    let mut f = SampleFrame::new(d(2025, 6, 30));
    f.case_types = BTreeSet::from(["§ 32".into(), "§ 46".into()]);
    f.units = BTreeSet::from(["Team A".into()]);
    f.started_on_or_after = Some(d(2024, 1, 1));
    f.exclude_reviewed_within_months = Some(12);
    let base = || with("k", "§ 32", d(2024, 1, 1), None);
    let reviewed = |r: NaiveDate| SampleCase {
        last_reviewed: Some(r),
        ..base()
    };
    let cases = vec![
        SampleCase {
            key: "ok".into(),
            ..base()
        },
        SampleCase {
            key: "type".into(),
            case_type: "§ 30".into(),
            start: None,
            ..base()
        },
        SampleCase {
            key: "unit".into(),
            unit: Some("Team B".into()),
            ..base()
        },
        SampleCase {
            key: "nounit".into(),
            unit: None,
            ..base()
        },
        SampleCase {
            key: "nostart".into(),
            start: None,
            ..base()
        },
        SampleCase {
            key: "early".into(),
            start: Some(d(2023, 12, 31)),
            ..base()
        },
        SampleCase {
            key: "future".into(),
            start: Some(d(2025, 7, 1)),
            ..base()
        },
        SampleCase {
            key: "rev-in".into(),
            ..reviewed(d(2024, 6, 30))
        },
        SampleCase {
            key: "rev-old".into(),
            ..reviewed(d(2024, 6, 29))
        },
        SampleCase {
            key: "rev-later".into(),
            ..reviewed(d(2025, 7, 1))
        },
        SampleCase {
            key: "ok46".into(),
            case_type: "§ 46".into(),
            ..base()
        },
    ];
    let reasons: Vec<(&str, Result<(), ExclusionReason>)> =
        cases.iter().map(|c| (c.key.as_str(), f.check(c))).collect();
    use ExclusionReason::*;
    assert_eq!(
        reasons,
        [
            ("ok", Ok(())),
            ("type", Err(WrongCaseType)),
            ("unit", Err(OtherUnit)),
            ("nounit", Err(OtherUnit)),
            ("nostart", Err(NoStartDate)),
            ("early", Err(BeforeStartFilter)),
            ("future", Err(OutsideWindow)),
            ("rev-in", Err(ReviewedRecently)),
            ("rev-old", Ok(())),
            ("rev-later", Ok(())),
            ("ok46", Ok(())),
        ]
    );
    let s = draw(&cases, &spec(f, by_type(), Allocation::Proportional, 100)).unwrap();
    assert_eq!(
        s.excluded,
        ExclusionCounts {
            wrong_case_type: 1,
            other_unit: 2,
            no_start_date: 1,
            before_start_filter: 1,
            outside_window: 1,
            reviewed_recently: 1,
            no_caseworker: 0,
        }
    );
    assert_eq!(s.eligible, 4);
    assert_eq!(s.eligible + s.excluded.total(), cases.len());
    assert_eq!(s.selected, ["ok", "ok46", "rev-later", "rev-old"]);
}

// ---------------------------------------------------------------------------------------------
// Continuous sampling
// ---------------------------------------------------------------------------------------------

fn continuous_cases() -> Vec<SampleCase> {
    let mut cases = Vec::new();
    for w in 0..6 {
        for j in 0..5 {
            let mut c = case(
                &format!("w{w}-{j}"),
                "§ 32",
                &format!("cw{w}"),
                d(2024, 1, 1),
            );
            // Caseworker 5's cases all ended before March 2025.
            if w == 5 || j == 4 {
                c.end = Some(d(2025, 2, 15));
            }
            cases.push(c);
        }
    }
    let mut late = case("late", "§ 32", "cw0", d(2025, 4, 1));
    late.end = None;
    cases.push(late);
    cases.push(SampleCase {
        caseworker: None,
        ..case("orphan", "§ 32", "", d(2024, 1, 1))
    });
    cases
}

#[test]
fn continuous_one_case_per_caseworker_in_the_period() {
    let cases = continuous_cases();
    let by_key: HashMap<&str, &SampleCase> = cases.iter().map(|c| (c.key.as_str(), c)).collect();
    let period = Period::Month(2025, 3);
    for seed in 0..30 {
        let s = draw_continuous(&cases, &ContinuousFilter::default(), period, seed).unwrap();
        assert_eq!(s.selected.len(), 5, "cw5 has no active case in March");
        let cws: BTreeSet<&str> = s
            .selected
            .iter()
            .map(|k| by_key[k.as_str()].caseworker.as_deref().unwrap())
            .collect();
        assert_eq!(cws, BTreeSet::from(["cw0", "cw1", "cw2", "cw3", "cw4"]));
        for k in &s.selected {
            let c = by_key[k.as_str()];
            assert!(c.end.is_none() && c.start.unwrap() <= d(2025, 3, 31));
        }
        // 10 ended in February (all 5 of cw5, one each of the others) + 1 starting in April.
        assert_eq!(s.excluded.outside_window, 11);
        assert_eq!(s.excluded.no_caseworker, 1);
        assert_eq!(s.stream, period.stream());
        assert_eq!(s.period, Some(period));
        assert!(s.warnings.is_empty());
    }
    // The first quarter includes the cases that ended in February.
    let q = draw_continuous(
        &cases,
        &ContinuousFilter::default(),
        Period::Quarter(2025, 1),
        1,
    )
    .unwrap();
    assert_eq!(q.selected.len(), 6);
    assert!(
        draw_continuous(
            &cases,
            &ContinuousFilter::default(),
            Period::Month(2025, 13),
            1
        )
        .is_err()
    );
    assert!(
        draw_continuous(
            &cases,
            &ContinuousFilter::default(),
            Period::Quarter(2025, 0),
            1
        )
        .is_err()
    );
}

#[test]
fn continuous_review_exclusion_is_before_the_period() {
    let mut a = case("a", "§ 32", "cw", d(2024, 1, 1));
    a.last_reviewed = Some(d(2025, 2, 28));
    let mut b = case("b", "§ 32", "cw", d(2024, 1, 1));
    b.last_reviewed = Some(d(2025, 3, 1));
    let mut c = case("c", "§ 32", "cw", d(2024, 1, 1));
    c.last_reviewed = Some(d(2025, 1, 31));
    let filter = ContinuousFilter {
        exclude_reviewed_within_months: Some(1),
        ..Default::default()
    };
    let s = draw_continuous(&[a, b, c], &filter, Period::Month(2025, 3), 0).unwrap();
    assert_eq!(s.excluded.reviewed_recently, 1);
    assert_eq!(s.strata[0].population, 2);
}

#[test]
fn continuous_is_reproducible_and_periods_are_independent() {
    // 10 caseworkers with 8 cases each, all active throughout 2025.
    let cases: Vec<SampleCase> = (0..80)
        .map(|i| {
            case(
                &format!("c{i:02}"),
                "§ 32",
                &format!("cw{}", i % 10),
                d(2024, 1, 1),
            )
        })
        .collect();
    let f = ContinuousFilter::default();
    assert_eq!(
        draw_continuous(&cases, &f, Period::Month(2025, 1), 11).unwrap(),
        draw_continuous(&cases, &f, Period::Month(2025, 1), 11).unwrap()
    );
    let streams: BTreeSet<u64> = [
        Period::Month(2025, 1),
        Period::Month(2025, 2),
        Period::Month(2026, 1),
        Period::Quarter(2025, 1),
        Period::Month(-1, 1),
    ]
    .iter()
    .map(|p| p.stream())
    .chain([1, 2, 3])
    .collect();
    assert_eq!(streams.len(), 8);
    // Across seeds, January's and February's picks for one caseworker agree about 1/8 of the
    // time, as independent draws do (not always, as reused randomness would).
    let seeds = 500u64;
    let mut same = 0u64;
    for seed in 0..seeds {
        let jan = draw_continuous(&cases, &f, Period::Month(2025, 1), seed).unwrap();
        let feb = draw_continuous(&cases, &f, Period::Month(2025, 2), seed).unwrap();
        assert_eq!((jan.selected.len(), feb.selected.len()), (10, 10));
        // One case per caseworker, so a shared case is a caseworker whose picks agree.
        let feb: BTreeSet<&String> = feb.selected.iter().collect();
        same += jan.selected.iter().filter(|k| feb.contains(k)).count() as u64;
    }
    let n = (seeds * 10) as f64;
    let p = 1.0 / 8.0;
    let sd = (n * p * (1.0 - p)).sqrt();
    assert!(
        (same as f64 - n * p).abs() < 5.0 * sd,
        "agreement {same} of {n}, expected {:.0}",
        n * p
    );
}

// ---------------------------------------------------------------------------------------------
// Warnings, serialisation
// ---------------------------------------------------------------------------------------------

#[test]
fn warnings() {
    assert_eq!(
        size_warnings(RoundSize::Broad, 29),
        [SampleWarning::RoundTooSmall {
            kind: RoundSize::Broad,
            n: 29,
            recommended: 30
        }]
    );
    assert!(size_warnings(RoundSize::Broad, 30).is_empty());
    assert_eq!(size_warnings(RoundSize::Thematic, 19).len(), 1);
    assert!(size_warnings(RoundSize::Thematic, 20).is_empty());

    let cases: Vec<SampleCase> = (0..24)
        .map(|i| {
            case(
                &format!("k{i:02}"),
                if i < 20 { "A" } else { "B" },
                "cw",
                d(2024, 1, 1),
            )
        })
        .collect();
    let s = draw(
        &cases,
        &spec(
            SampleFrame::new(d(2025, 1, 1)),
            by_type(),
            Allocation::Proportional,
            12,
        ),
    )
    .unwrap();
    // A: 10 of 20; B: 2 of 4 → B is small.
    assert_eq!(
        s.warnings,
        [SampleWarning::SmallStratum {
            stratum: StratumKey::new(["B"]),
            population: 4,
            drawn: 2
        }]
    );
    let s = draw(
        &cases,
        &spec(
            SampleFrame::new(d(2020, 1, 1)),
            by_type(),
            Allocation::Proportional,
            12,
        ),
    )
    .unwrap();
    assert_eq!(s.warnings, [SampleWarning::NoEligibleCases]);
    let s = draw(
        &cases,
        &spec(
            SampleFrame::new(d(2020, 1, 1)),
            Strata::none(),
            Allocation::Proportional,
            12,
        ),
    )
    .unwrap();
    assert_eq!(s.warnings, [SampleWarning::NoEligibleCases]);
    assert!(s.strata.is_empty() && s.selected.is_empty());

    let all = [
        SampleWarning::NoEligibleCases,
        SampleWarning::TargetExceedsPopulation {
            target: 1,
            population: 0,
        },
        SampleWarning::SmallStratum {
            stratum: StratumKey::default(),
            population: 0,
            drawn: 0,
        },
        SampleWarning::EmptyStratum {
            stratum: StratumKey::default(),
            requested: 1,
        },
        SampleWarning::UncoveredCaseworkers { count: 1 },
        SampleWarning::RoundTooSmall {
            kind: RoundSize::Broad,
            n: 1,
            recommended: 30,
        },
    ];
    let keys: BTreeSet<&str> = all.iter().map(|w| w.key()).collect();
    assert_eq!(keys.len(), all.len());
    assert!(keys.iter().all(|k| k.starts_with("sample-warn-")));
    let reasons: BTreeSet<&str> = ExclusionReason::ALL.iter().map(|r| r.key()).collect();
    assert_eq!(reasons.len(), ExclusionReason::ALL.len());
}

#[test]
fn spec_and_sample_round_trip_through_json() {
    let mut sp = golden_spec();
    sp.allocation = Allocation::Explicit(BTreeMap::from([
        (StratumKey::new(["§ 32", "Team A"]), 4),
        (StratumKey(vec![Some("§ 46".into()), None]), 2),
    ]));
    let json = serde_json::to_string(&sp).unwrap();
    let back: SampleSpec = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sp);
    let s = draw(&golden_frame(), &sp).unwrap();
    let back: Sample = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

// ---------------------------------------------------------------------------------------------
// Timing (release): cargo test --release -p tilsyn-domain --test sampling_stats -- --ignored --nocapture
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "timing; run in release"]
fn timing_150_and_75_of_a_million() {
    use std::time::{Duration, Instant};
    let t = Instant::now();
    let cases = synthetic_cases(1_000_000, 1);
    println!("generate 1,000,000 cases: {:?}", t.elapsed());
    let mut frame = SampleFrame::new(d(2025, 6, 30));
    frame.look_back_months = BTreeMap::from([("§ 46".into(), 24), ("§ 47".into(), 24)]);
    frame.default_look_back_months = Some(12);
    frame.exclude_reviewed_within_months = Some(12);
    let strata = Strata::by([StratumDimension::CaseType, StratumDimension::Unit]);
    for coverage in [false, true] {
        let mut sp = spec(frame.clone(), strata.clone(), Allocation::Proportional, 150);
        sp.coverage = coverage;
        sp.seed = 42;
        // Best of three runs, as the machine may be busy with other work; on Linux the
        // thread's CPU time (10 ms ticks) is shown too.
        let mut best = (Duration::MAX, Duration::MAX, None);
        for _ in 0..3 {
            let cpu = thread_cpu_ticks();
            let t = Instant::now();
            let l1 = draw(&cases, &sp).unwrap();
            let t1 = t.elapsed();
            let l2 = subsample(&l1, &cases, &strata, &Allocation::Proportional, 75, 42, 2).unwrap();
            let total = t.elapsed();
            let cpu = thread_cpu_ticks().zip(cpu).map(|(b, a)| (b - a) * 10);
            assert_eq!((l1.selected.len(), l2.selected.len()), (150, 75));
            if total < best.1 {
                best = (t1, total, cpu);
            }
        }
        let (t1, total, cpu) = best;
        println!(
            "coverage={coverage}: draw 150 of 1,000,000: {t1:?}; + subsample 75: {:?}; total {total:?} (cpu {cpu:?} ms)",
            total - t1
        );
        if !cfg!(debug_assertions) {
            assert!(total.as_secs_f64() < 1.0);
        }
    }
}

/// User + system time of the current thread in clock ticks (Linux), for the timing test.
fn thread_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}
