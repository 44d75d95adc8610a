//! Statistics for the runner: medians with a distribution-free 95 %
//! confidence interval, and Welch's unequal-variance t-test.
//!
//! Why these: process start-up times are skewed (a long right tail from
//! page-cache misses, scheduler hiccups), so the median describes a scenario
//! better than the mean, and its confidence interval from order statistics
//! (binomial) needs no distributional assumption and no random resampling,
//! so a table regenerates identically from the same samples. The Welch test
//! compares means without assuming equal variances, as the prior-art
//! harness does (prior-art §3); it answers "is S_k different from S0 at
//! all", the median interval answers "by how much, robustly".

/// The median of `values` (any order); NaN for an empty slice.
pub fn median(values: &[f64]) -> f64 {
    let sorted = sorted(values);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// A confidence interval and the coverage it actually has.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    /// Exact coverage of the order-statistic interval (≥ 0.95 when enough samples).
    pub coverage: f64,
}

/// `P(X <= k)` for `X ~ Binomial(n, 1/2)`.
fn binomial_half_cdf(n: usize, k: usize) -> f64 {
    // Terms C(n, i) / 2^n built incrementally in f64; exact enough for n < 1000.
    let mut term = 0.5f64.powi(n as i32);
    let mut sum = 0.0;
    for i in 0..=k.min(n) {
        if i > 0 {
            term *= (n - i + 1) as f64 / i as f64;
        }
        sum += term;
    }
    sum
}

/// The 95 % confidence interval of the median from order statistics:
/// `[x_(l), x_(n-l+1)]` with the largest `l` such that
/// `P(Binomial(n, 1/2) <= l - 1) <= 0.025`. With fewer than 6 samples no
/// such `l` exists; the interval is then `[min, max]` with its (lower)
/// coverage reported.
pub fn median_ci95(values: &[f64]) -> Interval {
    let sorted = sorted(values);
    let n = sorted.len();
    if n == 0 {
        return Interval {
            low: f64::NAN,
            high: f64::NAN,
            coverage: 0.0,
        };
    }
    let mut l = 1; // 1-based rank of the lower bound
    while l < n / 2 + 1 && binomial_half_cdf(n, l) <= 0.025 {
        l += 1;
    }
    let coverage = 1.0
        - 2.0
            * if l > 1 {
                binomial_half_cdf(n, l - 1)
            } else {
                0.5f64.powi(n as i32)
            };
    Interval {
        low: sorted[l - 1],
        high: sorted[n - l],
        coverage,
    }
}

pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample variance (n − 1 denominator).
pub fn variance(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() as f64 - 1.0)
}

/// Welch's t-test of `a` against `b`.
#[derive(Clone, Copy, Debug)]
pub struct Welch {
    /// mean(a) − mean(b)
    pub difference: f64,
    /// 95 % confidence interval of the difference of means.
    pub low: f64,
    pub high: f64,
    pub t: f64,
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// `None` when either side has fewer than two samples.
pub fn welch(a: &[f64], b: &[f64]) -> Option<Welch> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (va, vb) = (variance(a) / na, variance(b) / nb);
    let difference = mean(a) - mean(b);
    let se = (va + vb).sqrt();
    if se == 0.0 {
        let p = if difference == 0.0 { 1.0 } else { 0.0 };
        return Some(Welch {
            difference,
            low: difference,
            high: difference,
            t: f64::INFINITY,
            df: f64::INFINITY,
            p,
        });
    }
    let t = difference / se;
    let df = (va + vb).powi(2) / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    let p = student_two_sided_p(t, df);
    let q = student_quantile_975(df);
    Some(Welch {
        difference,
        low: difference - q * se,
        high: difference + q * se,
        t,
        df,
        p,
    })
}

/// Two-sided p-value of Student's t with `df` degrees of freedom:
/// `I_{df/(df+t²)}(df/2, 1/2)`.
pub fn student_two_sided_p(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    regularized_incomplete_beta(x, df / 2.0, 0.5).clamp(0.0, 1.0)
}

/// The 97.5 % quantile of Student's t (bisection on the p-value).
pub fn student_quantile_975(df: f64) -> f64 {
    let (mut low, mut high) = (0.0f64, 1000.0f64);
    for _ in 0..200 {
        let mid = (low + high) / 2.0;
        if student_two_sided_p(mid, df) > 0.05 {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// I_x(a, b), by the continued fraction (modified Lentz), using the
/// symmetry relation where it converges faster.
fn regularized_incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = m as f64;
        for numerator in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + numerator * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + numerator / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Self-checks run by `cargo test --bench perf` (the bench has no libtest
/// harness, so `main` calls this when cargo does not pass `--bench`).
pub fn self_check() {
    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }
    assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    assert!(median(&[]).is_nan());

    // n = 20: the interval is [x(6), x(15)], coverage 1 − 2·P(X ≤ 5) = 0.9586.
    let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
    let ci = median_ci95(&twenty);
    assert_eq!((ci.low, ci.high), (6.0, 15.0), "{ci:?}");
    assert!(close(ci.coverage, 0.958_610_5, 1e-6), "{ci:?}");
    // n = 3: no 95 % interval exists; [min, max] with coverage 0.75.
    let ci = median_ci95(&[5.0, 1.0, 3.0]);
    assert_eq!((ci.low, ci.high), (1.0, 5.0));
    assert!(close(ci.coverage, 0.75, 1e-12));

    // Student's t: known two-sided p-values and quantiles.
    assert!(close(student_two_sided_p(2.228_138_85, 10.0), 0.05, 1e-6));
    assert!(close(student_two_sided_p(1.959_964, 1e7), 0.05, 1e-5));
    assert!(close(student_two_sided_p(0.0, 5.0), 1.0, 1e-12));
    assert!(close(student_quantile_975(10.0), 2.228_138_85, 1e-6));
    assert!(close(student_quantile_975(30.0), 2.042_272_46, 1e-6));

    // Welch by hand: equal variances 2.5, se = 1, t = −1, df = 8,
    // p = P(|T_8| > 1) = 0.3466, CI −1 ± 2.306 = [−3.306, 1.306].
    let a = [1.0, 2.0, 3.0, 4.0, 5.0];
    let b = [2.0, 4.0, 5.0, 6.0, 3.0];
    let w = welch(&a, &b).expect("enough samples");
    assert!(close(w.difference, -1.0, 1e-12), "{w:?}");
    assert!(close(w.t, -1.0, 1e-12), "{w:?}");
    assert!(close(w.df, 8.0, 1e-9), "{w:?}");
    assert!(close(w.p, 0.346_593_5, 1e-6), "{w:?}");
    assert!(close(w.high, 1.306_004, 1e-5), "{w:?}");
    assert!(welch(&[1.0], &b).is_none());
}
