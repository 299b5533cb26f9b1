//! Small exact distributions for the trend tests and the next-period expectation: the binomial
//! tails (through the regularized incomplete beta function) and negative-binomial quantiles.
//!
//! In: counts and probabilities. Out: probabilities in `[0, 1]` and quantiles.
//! Invariants: no panics and no NaN for any input: probabilities are clamped to `[0, 1]`,
//! degenerate cases (`n = 0`, `p` at 0 or 1) return their exact values.

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, 9 terms; relative error below 1e-13).
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
        // Reflection.
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

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=500 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function `I_x(a, b)`, `a, b > 0`.
fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    let v = if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    };
    v.clamp(0.0, 1.0)
}

/// `P(X ≤ k)` for `X ~ Binomial(n, p)`.
pub fn binom_cdf(k: u64, n: u64, p: f64) -> f64 {
    let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    if k >= n {
        return 1.0;
    }
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    // P(X ≤ k) = I_{1−p}(n − k, k + 1).
    beta_inc((n - k) as f64, k as f64 + 1.0, 1.0 - p)
}

/// `P(X ≥ k)` for `X ~ Binomial(n, p)`.
pub fn binom_sf(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    // P(X ≥ k) = I_p(k, n − k + 1).
    beta_inc(k as f64, (n - k) as f64 + 1.0, p)
}

/// The `q`-quantile (smallest `x` with `P(X ≤ x) ≥ q`) of a count with mean `mean` and variance
/// `var`: negative binomial when `var > mean`, Poisson otherwise.
pub fn count_quantile(mean: f64, var: f64, q: f64) -> u64 {
    let mean = if mean.is_finite() { mean.max(0.0) } else { 0.0 };
    let q = if q.is_nan() {
        0.5
    } else {
        q.clamp(0.0, 1.0 - 1e-12)
    };
    if mean <= 0.0 {
        return 0;
    }
    let var = if var.is_finite() { var.max(mean) } else { mean };
    // Mass more than 12 standard deviations below the mean is negligible: start there, with the
    // exact log pmf, and walk up adding the pmf (ratio of successive terms) until `q`.
    let sd = var.sqrt();
    let x0 = (mean - 12.0 * sd).max(0.0).floor();
    let nb = var > mean * (1.0 + 1e-9);
    let (size, p) = if nb {
        let size = mean * mean / (var - mean);
        (size, size / (size + mean))
    } else {
        (0.0, 0.0)
    };
    let mut ln_pmf = if nb {
        ln_gamma(x0 + size) - ln_gamma(size) - ln_gamma(x0 + 1.0)
            + size * p.ln()
            + x0 * (1.0 - p).ln()
    } else {
        x0 * mean.ln() - mean - ln_gamma(x0 + 1.0)
    };
    let limit = mean + 50.0 * sd + 100.0;
    let mut x = x0;
    let mut cdf = 0.0f64;
    loop {
        cdf += ln_pmf.exp();
        if cdf >= q || x >= limit {
            return x as u64;
        }
        ln_pmf += if nb {
            ((x + size) / (x + 1.0) * (1.0 - p)).ln()
        } else {
            (mean / (x + 1.0)).ln()
        };
        x += 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn binomial_tails_match_direct_sums() {
        for &(n, p) in &[
            (10u64, 0.3f64),
            (24, 0.1525),
            (1, 0.5),
            (60, 0.02),
            (200, 0.7),
        ] {
            let pmf: Vec<f64> = (0..=n)
                .map(|i| {
                    (ln_gamma(n as f64 + 1.0)
                        - ln_gamma(i as f64 + 1.0)
                        - ln_gamma((n - i) as f64 + 1.0)
                        + i as f64 * p.ln()
                        + (n - i) as f64 * (1.0 - p).ln())
                    .exp()
                })
                .collect();
            for k in 0..=n {
                let cdf: f64 = pmf[..=k as usize].iter().sum();
                let sf: f64 = pmf[k as usize..].iter().sum();
                assert!(close(binom_cdf(k, n, p), cdf, 1e-9), "cdf {k} {n} {p}");
                assert!(close(binom_sf(k, n, p), sf, 1e-9), "sf {k} {n} {p}");
            }
        }
        // Known value: P(X ≤ 1 | n = 24, p = 0.1525) ≈ 0.0999.
        assert!(close(binom_cdf(1, 24, 0.1525), 0.0999, 5e-4));
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert_eq!(binom_cdf(0, 0, 0.5), 1.0);
        assert_eq!(binom_sf(0, 0, 0.5), 1.0);
        assert_eq!(binom_sf(1, 0, 0.5), 0.0);
        assert_eq!(binom_cdf(0, 5, 0.0), 1.0);
        assert_eq!(binom_cdf(0, 5, 1.0), 0.0);
        assert_eq!(binom_sf(3, 5, f64::NAN), 0.0);
        assert_eq!(count_quantile(0.0, 0.0, 0.95), 0);
        assert_eq!(count_quantile(f64::NAN, 1.0, 0.95), 0);
        assert_eq!(
            count_quantile(5.0, f64::INFINITY, 0.95),
            count_quantile(5.0, 5.0, 0.95)
        );
    }

    #[test]
    fn count_quantiles_are_poisson_and_widen_with_variance() {
        // Poisson(4): P(X ≤ 0) = 0.018, P(X ≤ 1) = 0.092, P(X ≤ 7) = 0.949, P(X ≤ 8) = 0.979.
        assert_eq!(count_quantile(4.0, 4.0, 0.05), 1);
        assert_eq!(count_quantile(4.0, 4.0, 0.95), 8);
        assert!(count_quantile(4.0, 16.0, 0.95) > 8);
        assert!(count_quantile(4.0, 16.0, 0.05) <= 1);
        // Large means stay near the normal quantile.
        let hi = count_quantile(10_000.0, 10_000.0, 0.95);
        assert!((10_160..=10_168).contains(&hi), "{hi}");
    }
}
