//! What to expect next period: per recurring pattern, an expected count for the period after
//! the last one looked at, with an interval, from its recent rate and the expected volume.
//!
//! In: a pattern's entries per period, all entries per period (oldest first, ending with the
//! last period looked at) and its trend. Out: a `Forecast` — the expected count (an estimate),
//! the interval at `LEVEL`, and how it was made.
//! Method: the expected volume is the mean of all entries over the last `WINDOW` periods; the
//! pattern's rate is its share of the recent part (the trend rule's last `recent` periods); for
//! a new pattern, its share of the latest period (the recent part holds periods before it
//! began); for a rising pattern, the weighted straight line through its shares over the last
//! `WINDOW` periods carried one period on. The count's variance adds the Poisson variance, the rate's
//! sampling variance (binomial, on the entries the rate was read from; the line's prediction
//! variance for a rising pattern) and the volume's variance; the interval is the negative
//! binomial with that mean and variance (Poisson when no wider).
//! Invariants: `low ≤ round(expected) ≤ high` up to the discrete quantiles; a pattern with no
//! entries in its window expects 0 with the interval `0–0`; the cost is a few operations per
//! period, whatever the log's size. Backtested in `tests/it/forecast.rs` (benches/QUALITY.md).

use super::stats::count_quantile;
use super::trend::Trend;

/// Interval coverage the forecast states.
pub const LEVEL: f64 = 0.90;
/// Periods the volume and a rising pattern's line are read from.
pub const WINDOW: usize = 4;

/// How the rate was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The share of the recent part.
    RecentShare,
    /// A straight line through the shares of the last `WINDOW` periods (rising patterns).
    TrendLine,
    /// The share of the latest period alone (new patterns: the recent part also holds the
    /// period before they began).
    Latest,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::RecentShare => "recent share",
            Method::TrendLine => "trend line",
            Method::Latest => "latest share",
        }
    }
}

/// The expected count of a pattern in the next period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    /// Expected entries (an estimate).
    pub expected: f64,
    /// The interval at `LEVEL`: the 5 % and 95 % quantiles.
    pub low: u64,
    pub high: u64,
    /// The share of entries it expects, and the volume (all entries) it expects.
    pub share: f64,
    pub volume: f64,
    pub method: Method,
}

/// The forecast for the period after `counts`/`totals`; `None` when the periods hold no
/// entries.
pub fn forecast(
    counts: &[u64],
    totals: &[u64],
    recent: usize,
    trend: Option<Trend>,
) -> Option<Forecast> {
    let n = counts.len().min(totals.len());
    let (counts, totals) = (&counts[..n], &totals[..n]);
    let w = WINDOW.min(n);
    let window = &totals[n - w..];
    let volume = window.iter().sum::<u64>() as f64 / w.max(1) as f64;
    if volume <= 0.0 {
        return None;
    }
    let volume_var = if w > 1 {
        window
            .iter()
            .map(|&t| (t as f64 - volume).powi(2))
            .sum::<f64>()
            / (w - 1) as f64
            / w as f64
    } else {
        0.0
    };
    let line = (trend == Some(Trend::Rising) && w >= 3)
        .then(|| line_share(&counts[n - w..], &totals[n - w..]))
        .flatten();
    let (share, share_var, method) = match line {
        Some((s, v)) => (s, v, Method::TrendLine),
        None => {
            let new = trend == Some(Trend::New);
            let r = if new { 1 } else { recent.clamp(1, n) };
            let c: u64 = counts[n - r..].iter().sum();
            let t: u64 = totals[n - r..].iter().sum();
            if t == 0 {
                return None;
            }
            let s = c as f64 / t as f64;
            let method = if new {
                Method::Latest
            } else {
                Method::RecentShare
            };
            (s, s * (1.0 - s) / t as f64, method)
        }
    };
    let expected = share * volume;
    let var = expected + volume * volume * share_var + share * share * volume_var;
    let tail = (1.0 - LEVEL) / 2.0;
    Some(Forecast {
        expected,
        low: count_quantile(expected, var, tail),
        high: count_quantile(expected, var, 1.0 - tail),
        share,
        volume,
        method,
    })
}

/// The weighted least-squares line through the shares (weights: entries per period), at the
/// next period, clamped to `[0, 1]`, with its prediction variance; `None` without entries.
fn line_share(counts: &[u64], totals: &[u64]) -> Option<(f64, f64)> {
    let sw: f64 = totals.iter().map(|&t| t as f64).sum();
    if sw <= 0.0 {
        return None;
    }
    let xs: Vec<f64> = (0..counts.len()).map(|i| i as f64).collect();
    let xbar = xs
        .iter()
        .zip(totals)
        .map(|(x, &t)| x * t as f64)
        .sum::<f64>()
        / sw;
    let pbar = counts.iter().sum::<u64>() as f64 / sw;
    let sxx: f64 = xs
        .iter()
        .zip(totals)
        .map(|(x, &t)| t as f64 * (x - xbar).powi(2))
        .sum();
    let sxy: f64 = xs
        .iter()
        .zip(counts.iter().zip(totals))
        .filter(|(_, (_, &t))| t > 0)
        .map(|(x, (&c, &t))| t as f64 * (x - xbar) * (c as f64 / t as f64 - pbar))
        .sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let x0 = counts.len() as f64;
    let share = (pbar + slope * (x0 - xbar)).clamp(0.0, 1.0);
    let p = pbar.clamp(0.0, 1.0);
    let lever = if sxx > 0.0 {
        (x0 - xbar).powi(2) / sxx
    } else {
        0.0
    };
    Some((share, p * (1.0 - p) * (1.0 / sw + lever)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_pattern_expects_its_recent_share_of_the_volume() {
        let f = forecast(
            &[10, 10, 10, 10],
            &[100, 100, 100, 100],
            2,
            Some(Trend::Steady),
        )
        .unwrap();
        assert_eq!(f.method, Method::RecentShare);
        assert!((f.expected - 10.0).abs() < 1e-9 && (f.volume - 100.0).abs() < 1e-9);
        // Poisson(10) alone gives 5–15; the rate's own uncertainty widens it a little.
        assert!(f.low <= 5 && f.high >= 15 && f.high <= 18, "{f:?}");
    }

    #[test]
    fn rising_pattern_follows_its_line() {
        let f = forecast(&[10, 20, 30, 40], &[100; 4], 2, Some(Trend::Rising)).unwrap();
        assert_eq!(f.method, Method::TrendLine);
        assert!((f.expected - 50.0).abs() < 1e-9, "{f:?}");
        assert!(f.low < 50 && f.high > 50);
        // The same counts called steady: the recent share, 35 %.
        let g = forecast(&[10, 20, 30, 40], &[100; 4], 2, Some(Trend::Steady)).unwrap();
        assert!((g.expected - 35.0).abs() < 1e-9);
    }

    #[test]
    fn new_pattern_expects_its_latest_share() {
        let f = forecast(&[0, 0, 0, 25], &[500; 4], 2, Some(Trend::New)).unwrap();
        assert_eq!(f.method, Method::Latest);
        assert!((f.expected - 25.0).abs() < 1e-9, "{f:?}");
        assert!(f.low <= 25 && 25 <= f.high, "{f:?}");
        // Called steady, the same counts read the recent part: 12.5.
        let g = forecast(&[0, 0, 0, 25], &[500; 4], 2, Some(Trend::Steady)).unwrap();
        assert!((g.expected - 12.5).abs() < 1e-9, "{g:?}");
    }

    #[test]
    fn nothing_recent_expects_nothing_and_empty_logs_expect_no_forecast() {
        let f = forecast(&[9, 9, 0, 0], &[50; 4], 2, Some(Trend::Resolved)).unwrap();
        assert_eq!((f.expected, f.low, f.high), (0.0, 0, 0));
        assert_eq!(forecast(&[0, 0], &[0, 0], 2, None), None);
        assert_eq!(forecast(&[], &[], 2, None), None);
    }

    #[test]
    fn more_entries_narrow_the_interval_relative_to_the_count() {
        let small = forecast(&[2, 2, 2, 2], &[20; 4], 2, None).unwrap();
        let large = forecast(&[200, 200, 200, 200], &[2000; 4], 2, None).unwrap();
        let rel = |f: &Forecast| (f.high - f.low) as f64 / f.expected;
        assert!(rel(&large) < rel(&small) / 5.0, "{small:?} {large:?}");
    }
}
