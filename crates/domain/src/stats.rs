//! Small-sample statistics for review rounds: Wilson intervals for shares, Cohen's kappa for the
//! agreement between two reviewers, and a test of whether a share changed between two rounds.

use serde::{Deserialize, Serialize};

/// The 0.975 quantile of the standard normal distribution.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Default significance level for flagging a change.
pub const ALPHA: f64 = 0.05;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Wilson score interval for a proportion, 95 %. None when n == 0 (or successes > n).
pub fn wilson(successes: u64, n: u64) -> Option<Interval> {
    wilson_z(successes, n, Z95)
}

/// Wilson score interval with the normal quantile `z`. None when n == 0, successes > n, or `z` is
/// negative or not finite.
pub fn wilson_z(successes: u64, n: u64, z: f64) -> Option<Interval> {
    if n == 0 || successes > n || !z.is_finite() || z < 0.0 {
        return None;
    }
    let x = successes as f64;
    let n_f = n as f64;
    let z2 = z * z;
    let denominator = n_f + z2;
    let centre = (x + z2 / 2.0) / denominator;
    let half = z / denominator * (x * (n_f - x) / n_f + z2 / 4.0).sqrt();
    // At 0 and n the bounds are exactly 0 and 1; the subtraction would leave ±1e-17 behind.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some(Interval { low, high })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weights {
    Unweighted,
    Linear,
    Quadratic,
}

impl Weights {
    /// Disagreement weight 1 − w_ij for categories `i`, `j` of `k`. Computed directly (rather than
    /// as 1 − w) so that it is exactly 0 on the diagonal and strictly positive elsewhere, which is
    /// what decides whether kappa is defined.
    fn disagreement(self, i: usize, j: usize, k: usize) -> f64 {
        if i == j {
            return 0.0;
        }
        // With one category there is no off-diagonal cell; k ≥ 2 below.
        let d = i.abs_diff(j) as f64;
        let span = k.saturating_sub(1).max(1) as f64;
        match self {
            Weights::Unweighted => 1.0,
            Weights::Linear => d / span,
            Weights::Quadratic => (d * d) / (span * span),
        }
    }

    fn agreement(self, i: usize, j: usize, k: usize) -> f64 {
        1.0 - self.disagreement(i, j, k)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kappa {
    /// Number of rated pairs.
    pub n: u64,
    /// (Weighted) observed agreement p_o.
    pub observed: f64,
    /// (Weighted) chance agreement p_e.
    pub expected: f64,
    /// None when p_e == 1 (every pair in one category on both sides: kappa is 0/0).
    pub kappa: Option<f64>,
    /// Large-sample standard error, not assuming kappa = 0 (Fleiss, Cohen & Everitt 1969).
    /// None when kappa is undefined.
    pub se: Option<f64>,
}

/// Checks squareness and sums the table; None when it is not square, is empty or overflows.
fn square_total(table: &[Vec<u64>]) -> Option<u64> {
    let k = table.len();
    if table.iter().any(|row| row.len() != k) {
        return None;
    }
    let total = table
        .iter()
        .flatten()
        .try_fold(0u64, |acc, &v| acc.checked_add(v))?;
    (total > 0).then_some(total)
}

/// Cohen's kappa for a square k×k table of counts (rows: rater A's category, columns: rater B's,
/// same order; for ordinal scales the order is the scale order). None when not square or the
/// total is 0.
///
/// Weights are agreement weights: unweighted is the identity, linear is 1 − |i−j|/(k−1),
/// quadratic is 1 − (i−j)²/(k−1)². The standard error is the square root of the asymptotic
/// variance of Fleiss, Cohen & Everitt (1969):
/// `[Σ p_ij (w_ij − (w̄_i· + w̄_·j)(1−κ))² − (κ − p_e(1−κ))²] / (n (1−p_e)²)` with
/// `w̄_i· = Σ_j p_·j w_ij` and `w̄_·j = Σ_i p_i· w_ij`.
pub fn kappa(table: &[Vec<u64>], weights: Weights) -> Option<Kappa> {
    let total = square_total(table)?;
    let k = table.len();
    let n = total as f64;
    let p: Vec<Vec<f64>> = table
        .iter()
        .map(|row| row.iter().map(|&v| v as f64 / n).collect())
        .collect();
    // Margins from the integer counts, so that they add up to exactly what was counted.
    let rows: Vec<f64> = table
        .iter()
        .map(|row| row.iter().map(|&v| v as f64).sum::<f64>() / n)
        .collect();
    let cols: Vec<f64> = (0..k)
        .map(|j| table.iter().map(|row| row[j] as f64).sum::<f64>() / n)
        .collect();

    let mut observed = 0.0;
    let mut observed_dis = 0.0;
    let mut expected = 0.0;
    let mut expected_dis = 0.0;
    for i in 0..k {
        for j in 0..k {
            let w = weights.agreement(i, j, k);
            let v = weights.disagreement(i, j, k);
            observed += w * p[i][j];
            observed_dis += v * p[i][j];
            expected += w * rows[i] * cols[j];
            expected_dis += v * rows[i] * cols[j];
        }
    }
    // Chance disagreement is a sum of non-negative terms: it is exactly 0 when, and only when,
    // both raters put everything in the same single category.
    if expected_dis <= 0.0 {
        return Some(Kappa {
            n: total,
            observed,
            expected,
            kappa: None,
            se: None,
        });
    }
    let kappa = 1.0 - observed_dis / expected_dis;

    let row_mean_w: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| cols[j] * weights.agreement(i, j, k)).sum())
        .collect();
    let col_mean_w: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| rows[i] * weights.agreement(i, j, k)).sum())
        .collect();
    let mut spread = 0.0;
    for i in 0..k {
        for j in 0..k {
            let dev = weights.agreement(i, j, k) - (row_mean_w[i] + col_mean_w[j]) * (1.0 - kappa);
            spread += p[i][j] * dev * dev;
        }
    }
    let shift = kappa - expected * (1.0 - kappa);
    let variance = (spread - shift * shift) / (n * expected_dis * expected_dis);
    // Perfect agreement gives a variance of 0 that rounding can push just below it.
    let se = variance.max(0.0).sqrt();
    Some(Kappa {
        n: total,
        observed,
        expected,
        kappa: Some(kappa),
        se: Some(se),
    })
}

/// Share of pairs on the diagonal (plain percent agreement, as a fraction). None when the table
/// is not square or the total is 0.
pub fn percent_agreement(table: &[Vec<u64>]) -> Option<f64> {
    let total = square_total(table)?;
    let diagonal: u64 = table.iter().enumerate().map(|(i, row)| row[i]).sum();
    Some(diagonal as f64 / total as f64)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestMethod {
    ZTest,
    FisherExact,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoProportions {
    /// p1 − p2.
    pub diff: f64,
    pub p_value: f64,
    pub method: TestMethod,
}

/// Smallest expected cell count for which the z-test's normal approximation is trusted.
const MIN_EXPECTED: u128 = 5;

/// Fisher's test counts a table as "as extreme" when its probability is within this relative
/// margin of the observed one, so that mirror-image tables are not lost to rounding.
const FISHER_REL_TOLERANCE: f64 = 1e-7;

/// Two-sided test that two proportions x1/n1 and x2/n2 differ. Pooled two-proportion z-test, but
/// Fisher's exact test (two-sided, summing tables with probability <= the observed one, with a
/// small relative tolerance) when any expected cell count is below 5 — typical here: rounds have
/// 20–40 cases. None when n1 or n2 is 0 (or x1 > n1, x2 > n2).
pub fn two_proportions(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<TwoProportions> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let diff = x1 as f64 / n1 as f64 - x2 as f64 / n2 as f64;
    let (x1w, n1w, x2w, n2w) = (
        u128::from(x1),
        u128::from(n1),
        u128::from(x2),
        u128::from(n2),
    );
    let successes = x1w + x2w;
    let total = n1w + n2w;
    let failures = total - successes;
    // Expected count n_g·m/N < 5 is decided in integers, so a count of exactly 5 is not
    // tipped either way by rounding.
    let small = [n1w, n2w].iter().any(|&group| {
        [successes, failures]
            .iter()
            .any(|&outcome| group.saturating_mul(outcome) < MIN_EXPECTED * total)
    });
    if small {
        return Some(TwoProportions {
            diff,
            p_value: fisher_two_sided(x1, n1, x2, n2),
            method: TestMethod::FisherExact,
        });
    }
    let pooled = successes as f64 / total as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    let z = diff / se;
    Some(TwoProportions {
        diff,
        p_value: two_sided_normal_p(z),
        method: TestMethod::ZTest,
    })
}

/// P(|Z| ≥ |z|) for a standard normal Z.
fn two_sided_normal_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Fisher's exact test for the 2×2 table [[x1, n1−x1], [x2, n2−x2]] with all margins fixed:
/// the count in the first cell is hypergeometric.
fn fisher_two_sided(x1: u64, n1: u64, x2: u64, n2: u64) -> f64 {
    // u128 so that no sum of two u64 counts can overflow.
    let (x1, n1, n2) = (u128::from(x1), u128::from(n1), u128::from(n2));
    let m = x1 + u128::from(x2);
    let lo = m.saturating_sub(n2);
    let hi = n1.min(m);
    // Log-probabilities up to a constant, by the ratio of neighbouring terms:
    // P(k+1)/P(k) = (n1−k)(m−k) / ((k+1)(n2−m+k+1)). No factorials, so no overflow.
    let mut log_w = Vec::new();
    let mut current = 0.0;
    let mut k = lo;
    loop {
        log_w.push(current);
        if k >= hi {
            break;
        }
        let up = ((n1 - k) as f64).ln() + ((m - k) as f64).ln();
        let down = ((k + 1) as f64).ln() + ((n2 + k + 1 - m) as f64).ln();
        current += up - down;
        k += 1;
    }
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = log_w.iter().map(|l| (l - max).exp()).collect();
    let all: f64 = weights.iter().sum();
    let observed = weights[(x1 - lo) as usize];
    let limit = observed * (1.0 + FISHER_REL_TOLERANCE);
    let extreme: f64 = weights.iter().filter(|&&w| w <= limit).sum();
    (extreme / all).clamp(0.0, 1.0)
}

/// Complementary error function to about 1e-13 relative error. Below 2: the everywhere-positive
/// series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), which has no cancellation.
/// From 2 on: Laplace's continued fraction
/// erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail.
fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    let two_over_sqrt_pi = std::f64::consts::FRAC_2_SQRT_PI;
    if x < 2.0 {
        let x2 = x * x;
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term > sum * 1e-17 {
            n += 1.0;
            term *= 2.0 * x2 / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - two_over_sqrt_pi * (-x2).exp() * sum;
    }
    // 80 levels are far more than enough from x = 2 on (checked against tabled values in tests).
    let mut tail = x;
    for level in (1..=80).rev() {
        tail = x + (f64::from(level) / 2.0) / tail;
    }
    two_over_sqrt_pi / 2.0 * (-x * x).exp() / tail
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    /// Published values rounded to 4 decimals: half a unit in the last place.
    const D4: f64 = 0.5e-4 + 1e-12;

    // --- normal distribution ---

    #[test]
    fn erfc_matches_tabled_values() {
        // Abramowitz & Stegun, Handbook of Mathematical Functions, Table 7.1 (erf to 15 places):
        // erf(0.5) = 0.520499877813047, erf(1) = 0.842700792949715, erf(2) = 0.995322265018953.
        close(1.0 - erfc(0.5), 0.520_499_877_813_047, 1e-14);
        close(erfc(1.0), 1.0 - 0.842_700_792_949_715, 1e-14);
        close(erfc(2.0), 1.0 - 0.995_322_265_018_953, 1e-14);
        // Beyond that table: erfc(3) = 2.209049699858544e-5, erfc(5) = 1.537459794428035e-12
        // (the correctly rounded double values, as C99 erfc gives them); checked relative, since
        // the values are tiny.
        close(erfc(3.0) / 2.209_049_699_858_544e-5, 1.0, 1e-12);
        close(erfc(5.0) / 1.537_459_794_428_035e-12, 1.0, 1e-12);
        close(erfc(-1.0), 1.0 + 0.842_700_792_949_715, 1e-14);
        assert_eq!(erfc(0.0), 1.0);
        assert_eq!(erfc(40.0), 0.0);
    }

    #[test]
    fn z95_is_the_two_sided_five_percent_point() {
        close(two_sided_normal_p(Z95), 0.05, 1e-12);
        // Φ(2) = 0.977249868051821 (A&S Table 26.1), so P(|Z| ≥ 2) = 0.045500263896358.
        close(two_sided_normal_p(2.0), 0.045_500_263_896_358, 1e-13);
        close(two_sided_normal_p(-2.0), 0.045_500_263_896_358, 1e-13);
        assert_eq!(two_sided_normal_p(0.0), 1.0);
    }

    // --- Wilson ---

    #[test]
    fn wilson_matches_newcombe_1998_table_1() {
        // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison
        // of seven methods", Stat Med 17:857–872, Table I, method 3 (Wilson score, no continuity
        // correction): 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0.0000–0.1611;
        // 1/29 → 0.0061–0.1718.
        let cases = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ];
        for (x, n, low, high) in cases {
            let i = wilson(x, n).unwrap();
            close(i.low, low, D4);
            close(i.high, high, D4);
        }
    }

    #[test]
    fn wilson_edges_are_exact() {
        // 0/10: low = 0; high = z²/(n + z²) = 3.841459/13.841459 = 0.277533.
        let zero = wilson(0, 10).unwrap();
        assert_eq!(zero.low, 0.0);
        close(zero.high, 0.277_533, 1e-6);
        // 10/10 mirrors it: low = n/(n + z²) = 10/13.841459 = 0.722467, high = 1.
        let all = wilson(10, 10).unwrap();
        close(all.low, 0.722_467, 1e-6);
        assert_eq!(all.high, 1.0);
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }

    #[test]
    fn wilson_hand_computed_with_z_2() {
        // 5/10, z = 2: centre = (5 + 2)/(10 + 4) = 0.5; half-width = 2/14 · √(5·5/10 + 1)
        // = (1/7)·√3.5 = 0.2672612; interval 0.2327388–0.7672612.
        let i = wilson_z(5, 10, 2.0).unwrap();
        close(i.low, 0.5 - 3.5f64.sqrt() / 7.0, 1e-15);
        close(i.high, 0.5 + 3.5f64.sqrt() / 7.0, 1e-15);
        close(i.low, 0.232_738_8, 1e-7);
        assert_eq!(wilson_z(5, 10, -1.0), None);
        assert_eq!(wilson_z(5, 10, f64::NAN), None);
    }

    // --- kappa ---

    #[test]
    fn kappa_wikipedia_two_by_two() {
        // Wikipedia, "Cohen's kappa", worked example: 50 applications, Yes/Yes 20, Yes/No 5,
        // No/Yes 10, No/No 15 → p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.4.
        let k = kappa(&[vec![20, 5], vec![10, 15]], Weights::Unweighted).unwrap();
        assert_eq!(k.n, 50);
        close(k.observed, 0.7, 1e-12);
        close(k.expected, 0.5, 1e-12);
        close(k.kappa.unwrap(), 0.4, 1e-12);
        close(
            percent_agreement(&[vec![20, 5], vec![10, 15]]).unwrap(),
            0.7,
            1e-12,
        );
    }

    #[test]
    fn kappa_fleiss_psychiatric_diagnoses() {
        // Fleiss (1981) Statistical Methods for Rates and Proportions, 2nd ed., Table 13.1 (also
        // Fleiss, Levin & Paik 2003, Table 18.1): 100 patients, two raters, categories
        // psychological / neurological / organic, proportions
        // .75 .01 .04 / .05 .04 .01 / .00 .00 .10 → p_o = .89, p_e = .66, κ = .23/.34 = .68.
        let table = [vec![75, 1, 4], vec![5, 4, 1], vec![0, 0, 10]];
        let k = kappa(&table, Weights::Unweighted).unwrap();
        close(k.observed, 0.89, 1e-12);
        close(k.expected, 0.66, 1e-12);
        close(k.kappa.unwrap(), 0.23 / 0.34, 1e-12);
        close(k.kappa.unwrap(), 0.68, 0.005);
    }

    #[test]
    fn kappa_and_standard_error_match_spss_output() {
        // Bland, "Exercise: observer agreement about sex" (University of York, MSc clinical
        // measurement course, week 4): 183 students, 118 female/female, 1 female/male,
        // 1 male/female, 63 male/male. SPSS 16 prints Kappa 0.976 with asymptotic standard
        // error 0.017 "not assuming the null hypothesis"; Stata prints 98.91 % agreement and
        // 54.52 % expected.
        let k = kappa(&[vec![118, 1], vec![1, 63]], Weights::Unweighted).unwrap();
        close(k.observed, 0.9891, D4);
        close(k.expected, 0.5452, D4);
        close(k.kappa.unwrap(), 0.976, 0.5e-3);
        close(k.se.unwrap(), 0.017, 0.5e-3);
    }

    #[test]
    fn kappa_and_weighted_kappa_match_sas_output() {
        // SAS/STAT PROC FREQ with AGREE on the 3×3 table 0 4 1 / 0 8 0 / 0 1 5 (the printout
        // kept in statsmodels' inter-rater tests as the reference): Simple Kappa 0.4842,
        // ASE 0.1380; Weighted Kappa (Cicchetti–Allison weights, i.e. linear) 0.4701,
        // ASE 0.1457.
        let table = [vec![0, 4, 1], vec![0, 8, 0], vec![0, 1, 5]];
        let simple = kappa(&table, Weights::Unweighted).unwrap();
        close(simple.kappa.unwrap(), 0.4842, D4);
        close(simple.se.unwrap(), 0.1380, D4);
        let linear = kappa(&table, Weights::Linear).unwrap();
        close(linear.kappa.unwrap(), 0.4701, D4);
        close(linear.se.unwrap(), 0.1457, D4);
    }

    #[test]
    fn kappa_skin_condition_sas_getting_started() {
        // SAS/STAT User's Guide, PROC FREQ, Getting Started "Agreement Study" (skin condition,
        // two dermatologists, terrible/poor/marginal/clear, n = 88). Printed: Simple Kappa
        // 0.3449, ASE 0.0724; Weighted Kappa (Cicchetti–Allison) 0.5082, ASE 0.0655.
        let table = [
            vec![10, 4, 1, 0],
            vec![5, 10, 12, 2],
            vec![2, 4, 12, 5],
            vec![0, 2, 6, 13],
        ];
        let simple = kappa(&table, Weights::Unweighted).unwrap();
        assert_eq!(simple.n, 88);
        close(simple.kappa.unwrap(), 0.3449, D4);
        close(simple.se.unwrap(), 0.0724, D4);
        let linear = kappa(&table, Weights::Linear).unwrap();
        close(linear.kappa.unwrap(), 0.5082, D4);
        close(linear.se.unwrap(), 0.0655, D4);
    }

    #[test]
    fn kappa_sexual_fun_vcd() {
        // Agresti (1990) Categorical Data Analysis: husbands' (rows) and wives' (columns) answers
        // to "sex is fun for me and my partner", never-or-occasionally / fairly often / very
        // often / almost always. R package vcd, Kappa(SexualFun) (equal-spacing = linear
        // weights) prints Unweighted 0.1293 ASE 0.06860, Weighted 0.2374 ASE 0.07832.
        let table = [
            vec![7, 7, 2, 3],
            vec![2, 8, 3, 7],
            vec![1, 5, 4, 9],
            vec![2, 8, 9, 14],
        ];
        let simple = kappa(&table, Weights::Unweighted).unwrap();
        close(simple.kappa.unwrap(), 0.1293, D4);
        close(simple.se.unwrap(), 0.06860, 0.5e-5);
        let linear = kappa(&table, Weights::Linear).unwrap();
        close(linear.kappa.unwrap(), 0.2374, D4);
        close(linear.se.unwrap(), 0.07832, 0.5e-5);
    }

    #[test]
    fn weighted_kappa_hand_computed_three_by_three() {
        // 4 1 0 / 1 2 1 / 0 1 2, n = 12; rows and columns both 5, 4, 3.
        // Unweighted: p_o = 8/12, p_e = (25+16+9)/144 = 50/144, κ = (48−25)/(72−25) = 23/47.
        // Linear (w = 1, ½, 0): four cells one step off the diagonal hold 1 each, so
        // p_o = (8 + ½·4)/12 = 10/12; one-step margin products 20+20+12+12 = 64, so
        // p_e = (50 + ½·64)/144 = 82/144 and κ = (120−82)/(144−82) = 38/62 = 19/31.
        // Quadratic (w = 1, ¾, 0): p_o = (8 + ¾·4)/12 = 11/12, p_e = (50 + ¾·64)/144 = 98/144,
        // κ = (132−98)/(144−98) = 34/46 = 17/23.
        let table = [vec![4, 1, 0], vec![1, 2, 1], vec![0, 1, 2]];
        let u = kappa(&table, Weights::Unweighted).unwrap();
        close(u.observed, 8.0 / 12.0, 1e-15);
        close(u.expected, 50.0 / 144.0, 1e-15);
        close(u.kappa.unwrap(), 23.0 / 47.0, 1e-14);
        let l = kappa(&table, Weights::Linear).unwrap();
        close(l.observed, 10.0 / 12.0, 1e-15);
        close(l.expected, 82.0 / 144.0, 1e-15);
        close(l.kappa.unwrap(), 19.0 / 31.0, 1e-14);
        let q = kappa(&table, Weights::Quadratic).unwrap();
        close(q.observed, 11.0 / 12.0, 1e-15);
        close(q.expected, 98.0 / 144.0, 1e-15);
        close(q.kappa.unwrap(), 17.0 / 23.0, 1e-14);
    }

    /// Lin's concordance correlation of the category indices, from raw moments:
    /// 2·s_xy / (s_x² + s_y² + (x̄ − ȳ)²) with 1/n (population) moments.
    fn concordance(table: &[Vec<u64>]) -> f64 {
        let mut n = 0.0;
        let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (i, row) in table.iter().enumerate() {
            for (j, &count) in row.iter().enumerate() {
                let (x, y, c) = (i as f64, j as f64, count as f64);
                n += c;
                sx += c * x;
                sy += c * y;
                sxx += c * x * x;
                syy += c * y * y;
                sxy += c * x * y;
            }
        }
        let (mx, my) = (sx / n, sy / n);
        let (vx, vy, cxy) = (sxx / n - mx * mx, syy / n - my * my, sxy / n - mx * my);
        2.0 * cxy / (vx + vy + (mx - my) * (mx - my))
    }

    #[test]
    fn quadratic_kappa_equals_concordance_correlation() {
        // Fleiss & Cohen (1973): quadratically weighted kappa equals the concordance
        // correlation of the category scores (1/n moments). Hand check on 4 1 0 / 1 2 1 / 0 1 2:
        // x̄ = ȳ = 10/12, s² = 16/12 − 100/144 = 92/144, s_xy = 14/12 − 100/144 = 68/144,
        // 2·68/(2·92) = 17/23 as above. Then on asymmetric tables with unequal margins.
        close(
            concordance(&[vec![4, 1, 0], vec![1, 2, 1], vec![0, 1, 2]]),
            17.0 / 23.0,
            1e-14,
        );
        let tables = [
            vec![vec![4, 1, 0], vec![1, 2, 1], vec![0, 1, 2]],
            vec![
                vec![10, 4, 1, 0],
                vec![5, 10, 12, 2],
                vec![2, 4, 12, 5],
                vec![0, 2, 6, 13],
            ],
            vec![vec![0, 4, 1], vec![0, 8, 0], vec![0, 1, 5]],
            vec![
                vec![3, 9, 0, 1],
                vec![0, 2, 7, 0],
                vec![1, 0, 0, 6],
                vec![0, 5, 0, 2],
            ],
        ];
        for t in &tables {
            let q = kappa(t, Weights::Quadratic).unwrap().kappa.unwrap();
            close(q, concordance(t), 1e-12);
        }
    }

    #[test]
    fn two_categories_make_all_weights_the_same() {
        // With k = 2 both weighted forms give w_01 = 1 − 1/1 = 0: the identity.
        let table = [vec![20, 5], vec![10, 15]];
        let u = kappa(&table, Weights::Unweighted).unwrap();
        assert_eq!(kappa(&table, Weights::Linear).unwrap(), u);
        assert_eq!(kappa(&table, Weights::Quadratic).unwrap(), u);
        // Its standard error by hand: p = .4 .1 / .2 .3, rows .5 .5, columns .6 .4, κ = .4.
        // With identity weights w̄_i· is column i's share (.6, .4) and w̄_·j row j's (.5, .5),
        // so (w̄_i· + w̄_·j)(1 − κ) is .66 in row 0 and .54 in row 1. Σ p_ij (w_ij − that)²
        // = .4·.34² + .1·.66² + .2·.54² + .3·.46² = .04624 + .04356 + .05832 + .06348 = .2116;
        // (κ − p_e(1 − κ))² = (.4 − .3)² = .01; var = .2016/(50·.5²) = .016128, se = .126996.
        close(u.se.unwrap(), 0.016_128f64.sqrt(), 1e-12);
    }

    #[test]
    fn perfect_and_chance_agreement() {
        // Perfect agreement: κ = 1 exactly, no spread: Σ p_ii·1² − 1² = 0.
        let k = kappa(&[vec![5, 0], vec![0, 7]], Weights::Quadratic).unwrap();
        close(k.kappa.unwrap(), 1.0, 1e-15);
        close(k.se.unwrap(), 0.0, 1e-7);
        // All pairs in one off-diagonal cell: p_o = 0, p_e = 1·0 + 0·1 = 0, κ = 0.
        let k = kappa(&[vec![0, 6], vec![0, 0]], Weights::Unweighted).unwrap();
        close(k.kappa.unwrap(), 0.0, 1e-15);
        // Systematic disagreement is negative: 0 5 / 5 0 → p_o = 0, p_e = .5, κ = −1.
        let k = kappa(&[vec![0, 5], vec![5, 0]], Weights::Unweighted).unwrap();
        close(k.kappa.unwrap(), -1.0, 1e-15);
    }

    #[test]
    fn undefined_kappa() {
        // Everything in one diagonal cell: p_o = p_e = 1, kappa is 0/0.
        for w in [Weights::Unweighted, Weights::Linear, Weights::Quadratic] {
            let k = kappa(&[vec![0, 0, 0], vec![0, 9, 0], vec![0, 0, 0]], w).unwrap();
            assert_eq!(k.kappa, None);
            assert_eq!(k.se, None);
            assert_eq!(k.n, 9);
            close(k.observed, 1.0, 1e-15);
            close(k.expected, 1.0, 1e-15);
            let one = kappa(&[vec![4]], w).unwrap();
            assert_eq!(one.kappa, None);
        }
        assert_eq!(kappa(&[], Weights::Unweighted), None);
        assert_eq!(kappa(&[vec![0, 0], vec![0, 0]], Weights::Linear), None);
        assert_eq!(
            kappa(&[vec![1, 2, 3], vec![4, 5, 6]], Weights::Unweighted),
            None
        );
        assert_eq!(kappa(&[vec![1, 2], vec![3]], Weights::Unweighted), None);
        assert_eq!(kappa(&[vec![u64::MAX], vec![1]], Weights::Unweighted), None);
        assert_eq!(percent_agreement(&[]), None);
        assert_eq!(percent_agreement(&[vec![0, 0], vec![0, 0]]), None);
        assert_eq!(percent_agreement(&[vec![1, 2]]), None);
        close(percent_agreement(&[vec![9]]).unwrap(), 1.0, 0.0);
    }

    // --- two proportions ---

    #[test]
    fn z_test_hand_computed() {
        // 30/50 vs 20/50: diff = .6 − .4 = .2; pooled p = 50/100 = .5;
        // se = √(.5·.5·(1/50 + 1/50)) = √(.25·.04) = .1; z = 2; two-sided p = 2(1 − Φ(2))
        // = 0.0455003 (Φ(2) = 0.9772499, A&S Table 26.1). Expected counts are all 25.
        let t = two_proportions(30, 50, 20, 50).unwrap();
        assert_eq!(t.method, TestMethod::ZTest);
        close(t.diff, 0.2, 1e-15);
        close(t.p_value, 0.045_500_263_9, 1e-9);
        // Swapping the groups flips the sign of diff, not the p-value.
        let s = two_proportions(20, 50, 30, 50).unwrap();
        close(s.diff, -0.2, 1e-15);
        close(s.p_value, t.p_value, 1e-15);
        // Equal shares: z = 0, p = 1.
        let e = two_proportions(10, 20, 15, 30).unwrap();
        assert_eq!(e.method, TestMethod::ZTest);
        close(e.p_value, 1.0, 1e-15);
    }

    #[test]
    fn fisher_lady_tasting_tea() {
        // Fisher (1935) The Design of Experiments, §2: 8 cups, 4 milk-first; the lady picks 3 of
        // them right. R's fisher.test(TeaTasting) prints p-value = 0.4857 two-sided (0.2429
        // with alternative = "greater"). By hand: P(k right) = C(4,k)C(4,4−k)/C(8,4)
        // = 1, 16, 36, 16, 1 (/70); tables no more likely than 16/70: (1+16+16+1)/70 = 34/70.
        let t = two_proportions(3, 4, 1, 4).unwrap();
        assert_eq!(t.method, TestMethod::FisherExact);
        close(t.diff, 0.5, 1e-15);
        close(t.p_value, 34.0 / 70.0, 1e-12);
        close(t.p_value, 0.4857, D4);
    }

    #[test]
    fn fisher_hand_computed_and_convictions() {
        // 0/3 vs 3/3: N = 6, 3 successes; P(k) = C(3,k)C(3,3−k)/C(6,3) = 1, 9, 9, 1 (/20);
        // observed k = 0 with 1/20; two-sided p = (1 + 1)/20 = 0.1.
        let t = two_proportions(0, 3, 3, 3).unwrap();
        assert_eq!(t.method, TestMethod::FisherExact);
        close(t.p_value, 0.1, 1e-12);
        // Fisher (1962) via R's documented Convictions data (like-sex twins of criminals):
        // dizygotic 2 of 17 convicted, monozygotic 10 of 13. R: fisher.test(Convictions)
        // p-value = 0.0005367. (Expected counts are all ≥ 5 here, so two_proportions itself
        // would use the z-test; this checks the exact test directly.)
        close(fisher_two_sided(2, 17, 10, 13), 0.000_536_7, 0.5e-7);
        // A round-sized case: 1/20 vs 8/20 (9 successes of 40, expected 4.5 < 5).
        // P(k) = C(20,k)C(20,9−k)/C(40,9) with C(40,9) = 273,438,880; the observed k = 1 has
        // C(20,1)C(20,8) = 20·125,970 = 2,519,400; the tables at least as unlikely are k = 0,
        // 1, 8, 9 with 167,960 + 2,519,400 + 2,519,400 + 167,960 = 5,374,720, so
        // p = 5,374,720/273,438,880 = 8/407 = 0.0196560.
        let r = two_proportions(1, 20, 8, 20).unwrap();
        assert_eq!(r.method, TestMethod::FisherExact);
        close(r.p_value, 8.0 / 407.0, 1e-12);
        close(r.diff, -0.35, 1e-15);
    }

    #[test]
    fn fisher_is_used_exactly_when_an_expected_count_is_below_five() {
        // 5/10 vs 5/10: 10 successes of 20, every expected count 10·10/20 = 5 → z-test.
        assert_eq!(
            two_proportions(5, 10, 5, 10).unwrap().method,
            TestMethod::ZTest
        );
        // 4/10 vs 5/10: 9 successes of 20, expected successes 10·9/20 = 4.5 → Fisher.
        assert_eq!(
            two_proportions(4, 10, 5, 10).unwrap().method,
            TestMethod::FisherExact
        );
        // Expected failures can be the small ones too: 36/40 vs 38/40 → failures 6 of 80,
        // expected 40·6/80 = 3.
        assert_eq!(
            two_proportions(36, 40, 38, 40).unwrap().method,
            TestMethod::FisherExact
        );
        // No variation at all: every expected failure is 0 → Fisher, p = 1.
        let same = two_proportions(20, 20, 30, 30).unwrap();
        assert_eq!(same.method, TestMethod::FisherExact);
        close(same.p_value, 1.0, 1e-15);
        // Counts near u64::MAX neither overflow nor panic: [[2⁶⁴−1, 0], [0, 1]] has two
        // possible tables, the observed one with probability 1/2⁶⁴.
        let huge = two_proportions(u64::MAX, u64::MAX, 0, 1).unwrap();
        assert_eq!(huge.method, TestMethod::FisherExact);
        assert!(huge.p_value > 0.0 && huge.p_value < 1e-18);
        assert_eq!(two_proportions(0, 0, 1, 2), None);
        assert_eq!(two_proportions(1, 2, 0, 0), None);
        assert_eq!(two_proportions(3, 2, 1, 2), None);
    }

    #[test]
    fn serde_names_are_snake_case() {
        assert_eq!(
            serde_json::to_string(&TestMethod::FisherExact).unwrap(),
            "\"fisher_exact\""
        );
        assert_eq!(
            serde_json::to_string(&Weights::Quadratic).unwrap(),
            "\"quadratic\""
        );
        let k = kappa(&[vec![20, 5], vec![10, 15]], Weights::Unweighted).unwrap();
        let back: Kappa = serde_json::from_str(&serde_json::to_string(&k).unwrap()).unwrap();
        assert_eq!(back, k);
    }
}
