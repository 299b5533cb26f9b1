//! The trend rule: one pattern's counts per period → `new`, `rising`, `steady`, `fading`,
//! `resolved` or `one-off`.
//!
//! In: the pattern's entries per period, all entries per period (same periods, oldest first,
//! ending with the period the trend is judged at) and `CheckedTrendParams`. Out: `Evidence`
//! (the numbers the rule reads) and a `Trend`.
//! Invariants: the rule reads shares of each period's entries, never raw counts, so scaling
//! every period's entries by the same factor changes nothing; a trend needs at least one earlier
//! and one recent period with entries, otherwise there is none. `TREND_RULE` states the rule in
//! words with the default numbers, and a test keeps the two in step.

use super::period::PeriodKind;
use crate::error::{Error, Result};

/// Fewer entries than this in a pattern make it a one-off.
pub const MIN_ENTRIES: u64 = 5;
/// A pattern seen in at least this many periods is recurring.
pub const RECURRING_PERIODS: usize = 3;
/// Recent share at least this many times the earlier share: rising.
pub const RISE_RATIO: f64 = 1.5;
/// Recent share at most this fraction of the earlier share: fading.
pub const FADE_RATIO: f64 = 0.5;
/// A rise or fade must amount to at least this many entries more or fewer than the earlier
/// share would give the recent periods.
pub const MIN_CHANGE: f64 = 3.0;
/// Length of the recent part, per period kind.
pub const RECENT_QUARTERS: usize = 2;
pub const RECENT_MONTHS: usize = 3;
pub const RECENT_YEARS: usize = 1;

/// The rule in words, for the report and the README. Numbers are the defaults above.
pub const TREND_RULE: &str = "How trends are called: recur compares each pattern's share of \
all entries in a period, not its raw count, so a busy quarter does not look like a rise. The \
last two quarters are the recent part (the last three months with --period month, the last year \
with --period year; with --review, the ones ending at the review period, and later periods are \
ignored); everything before them is the earlier part. A pattern with fewer than 5 entries is a \
one-off. Otherwise it is new if first seen in the recent part, and a one-off if all its entries \
fall in one earlier period. Beyond that, it is rising when its recent share is at least 1.5 \
times its earlier share, fading \
when it is at most half of it, and resolved when it has no recent entries at all, but only when \
the difference is worth at least 3 entries: the recent part must hold at least 3 entries more \
(or fewer) than the earlier share would have given it, so a handful of entries never makes a \
trend. Any other pattern is steady if it shows up in at least 3 periods (recurring) and a \
one-off if not. Trends need at least three quarters of log.";

/// A pattern's course over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Trend {
    New,
    Rising,
    Steady,
    Fading,
    Resolved,
    OneOff,
}

impl Trend {
    pub const ALL: [Trend; 6] = [
        Trend::New,
        Trend::Rising,
        Trend::Steady,
        Trend::Fading,
        Trend::Resolved,
        Trend::OneOff,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Trend::New => "new",
            Trend::Rising => "rising",
            Trend::Steady => "steady",
            Trend::Fading => "fading",
            Trend::Resolved => "resolved",
            Trend::OneOff => "one-off",
        }
    }

    /// Fading and resolved patterns are the growth the log records.
    pub fn is_growth(self) -> bool {
        matches!(self, Trend::Fading | Trend::Resolved)
    }
}

/// Unchecked trend thresholds; `check()` turns them into `CheckedTrendParams`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendParams {
    recent: usize,
    min_entries: u64,
    recurring_periods: usize,
    rise_ratio: f64,
    fade_ratio: f64,
    min_change: f64,
}

impl TrendParams {
    /// The defaults for a period kind (the recent part is half a year, or one year for years).
    pub fn new(kind: PeriodKind) -> Self {
        TrendParams {
            recent: match kind {
                PeriodKind::Month => RECENT_MONTHS,
                PeriodKind::Quarter => RECENT_QUARTERS,
                PeriodKind::Year => RECENT_YEARS,
            },
            min_entries: MIN_ENTRIES,
            recurring_periods: RECURRING_PERIODS,
            rise_ratio: RISE_RATIO,
            fade_ratio: FADE_RATIO,
            min_change: MIN_CHANGE,
        }
    }

    pub fn recent(mut self, periods: usize) -> Self {
        self.recent = periods;
        self
    }

    pub fn min_entries(mut self, n: u64) -> Self {
        self.min_entries = n;
        self
    }

    pub fn recurring_periods(mut self, n: usize) -> Self {
        self.recurring_periods = n;
        self
    }

    pub fn rise_ratio(mut self, r: f64) -> Self {
        self.rise_ratio = r;
        self
    }

    pub fn fade_ratio(mut self, r: f64) -> Self {
        self.fade_ratio = r;
        self
    }

    pub fn min_change(mut self, n: f64) -> Self {
        self.min_change = n;
        self
    }

    pub fn check(self) -> Result<CheckedTrendParams> {
        let bad = |m: String| Err(Error::Param(m));
        if self.recent == 0 {
            return bad("trend: the recent part must hold at least one period".into());
        }
        if self.min_entries == 0 {
            return bad("trend: the minimum number of entries must be at least 1".into());
        }
        if self.recurring_periods == 0 {
            return bad("trend: a recurring pattern must span at least 1 period".into());
        }
        if !(self.rise_ratio.is_finite() && self.rise_ratio > 1.0) {
            return bad(format!(
                "trend: the rise ratio must be above 1, got {}",
                self.rise_ratio
            ));
        }
        if !(self.fade_ratio > 0.0 && self.fade_ratio < 1.0) {
            return bad(format!(
                "trend: the fade ratio must be between 0 and 1, got {}",
                self.fade_ratio
            ));
        }
        if !(self.min_change.is_finite() && self.min_change >= 0.0) {
            return bad(format!(
                "trend: the minimum change must be a number of entries ≥ 0, got {}",
                self.min_change
            ));
        }
        Ok(CheckedTrendParams(self))
    }
}

/// Valid trend thresholds (see `TrendParams::check`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedTrendParams(TrendParams);

impl CheckedTrendParams {
    /// Periods in the recent part.
    pub fn recent(&self) -> usize {
        self.0.recent
    }
    pub fn min_entries(&self) -> u64 {
        self.0.min_entries
    }
    pub fn recurring_periods(&self) -> usize {
        self.0.recurring_periods
    }
    pub fn rise_ratio(&self) -> f64 {
        self.0.rise_ratio
    }
    pub fn fade_ratio(&self) -> f64 {
        self.0.fade_ratio
    }
    pub fn min_change(&self) -> f64 {
        self.0.min_change
    }
}

/// The numbers the rule reads for one pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Evidence {
    /// The pattern's entries in all periods looked at.
    pub entries: u64,
    /// Periods with at least one of its entries.
    pub periods: usize,
    /// First and last period with an entry (indices into the counts), `None` without entries.
    pub first: Option<usize>,
    pub last: Option<usize>,
    /// Index of the first recent period; `0` when there is no earlier part.
    pub recent_start: usize,
    /// The pattern's entries and all entries in the earlier part.
    pub earlier: u64,
    pub earlier_total: u64,
    /// The pattern's entries and all entries in the recent part.
    pub recent: u64,
    pub recent_total: u64,
}

impl Evidence {
    /// Reads `counts` (the pattern's entries per period) against `totals` (all entries per
    /// period); the last `recent` periods are the recent part.
    pub fn new(counts: &[u64], totals: &[u64], recent: usize) -> Evidence {
        let n = counts.len().min(totals.len());
        let (counts, totals) = (&counts[..n], &totals[..n]);
        let recent_start = n.saturating_sub(recent);
        let first = counts.iter().position(|&c| c > 0);
        let last = counts.iter().rposition(|&c| c > 0);
        Evidence {
            entries: counts.iter().sum(),
            periods: counts.iter().filter(|&&c| c > 0).count(),
            first,
            last,
            recent_start,
            earlier: counts[..recent_start].iter().sum(),
            earlier_total: totals[..recent_start].iter().sum(),
            recent: counts[recent_start..].iter().sum(),
            recent_total: totals[recent_start..].iter().sum(),
        }
    }

    /// Whether the periods allow a trend: an earlier and a recent part, both with entries.
    pub fn comparable(&self) -> bool {
        self.recent_start > 0 && self.earlier_total > 0 && self.recent_total > 0
    }

    /// The pattern's share of all earlier entries.
    pub fn earlier_share(&self) -> Option<f64> {
        (self.earlier_total > 0).then(|| self.earlier as f64 / self.earlier_total as f64)
    }

    /// The pattern's share of all recent entries.
    pub fn recent_share(&self) -> Option<f64> {
        (self.recent_total > 0).then(|| self.recent as f64 / self.recent_total as f64)
    }

    /// Entries the recent part would hold at the earlier share.
    pub fn expected_recent(&self) -> Option<f64> {
        self.earlier_share().map(|s| s * self.recent_total as f64)
    }

    pub fn recurring(&self, p: &CheckedTrendParams) -> bool {
        self.periods >= p.recurring_periods()
    }

    /// The rule (see `TREND_RULE`); `None` when the pattern has no entries or the periods are
    /// not `comparable`.
    pub fn classify(&self, p: &CheckedTrendParams) -> Option<Trend> {
        if self.entries == 0 || !self.comparable() {
            return None;
        }
        if self.entries < p.min_entries() {
            return Some(Trend::OneOff);
        }
        if self.earlier == 0 {
            return Some(Trend::New);
        }
        if self.periods == 1 {
            return Some(Trend::OneOff);
        }
        // Compared as products, not quotients, so boundaries such as exactly 1.5× hold exactly.
        let (r, rt) = (self.recent as f64, self.recent_total as f64);
        let (e, et) = (self.earlier as f64, self.earlier_total as f64);
        // (recent − expected) in entries, times the earlier total.
        let change = r * et - e * rt;
        let enough = change.abs() >= p.min_change() * et;
        if enough && r * et >= p.rise_ratio() * e * rt {
            return Some(Trend::Rising);
        }
        if enough && r * et <= p.fade_ratio() * e * rt {
            return Some(if self.recent == 0 {
                Trend::Resolved
            } else {
                Trend::Fading
            });
        }
        Some(if self.recurring(p) {
            Trend::Steady
        } else {
            Trend::OneOff
        })
    }
}

/// The trend of one pattern from its counts and all entries per period (the pure rule).
pub fn classify(counts: &[u64], totals: &[u64], p: &CheckedTrendParams) -> Option<Trend> {
    Evidence::new(counts, totals, p.recent()).classify(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarterly() -> CheckedTrendParams {
        TrendParams::new(PeriodKind::Quarter).check().unwrap()
    }

    /// Every period holds 100 entries.
    fn flat(n: usize) -> Vec<u64> {
        vec![100; n]
    }

    fn t(counts: &[u64]) -> Option<Trend> {
        classify(counts, &flat(counts.len()), &quarterly())
    }

    #[test]
    fn fewer_than_min_entries_is_one_off() {
        assert_eq!(t(&[1, 1, 1, 1, 0, 0]), Some(Trend::OneOff));
        // One more entry: the absence in the last two quarters is still too little evidence
        // (2.5 expected, fewer than 3): steady, since it spans at least 3 periods.
        assert_eq!(t(&[1, 1, 1, 2, 0, 0]), Some(Trend::Steady));
    }

    #[test]
    fn first_entry_in_recent_part_is_new() {
        assert_eq!(t(&[0, 0, 0, 0, 2, 3]), Some(Trend::New));
        assert_eq!(t(&[0, 0, 0, 0, 0, 5]), Some(Trend::New));
        // First entry just before the recent part: not new (and 1 → 4 is a rise).
        assert_eq!(t(&[0, 0, 0, 1, 4, 4]), Some(Trend::Rising));
    }

    #[test]
    fn all_in_one_earlier_period_is_one_off() {
        assert_eq!(t(&[0, 9, 0, 0, 0, 0]), Some(Trend::OneOff));
        // Two periods and gone: 9 × 200 / 400 = 4.5 recent entries expected, none seen.
        assert_eq!(t(&[0, 5, 4, 0, 0, 0]), Some(Trend::Resolved));
    }

    #[test]
    fn rising_boundary_at_one_and_a_half_times() {
        // Earlier 4 periods × 100 with 8 entries = 2 %; recent 200 entries.
        // Exactly 1.5×: 3 % of 200 = 6 recent, 6 − 4 = 2 entries more: too little evidence.
        assert_eq!(t(&[2, 2, 2, 2, 3, 3]), Some(Trend::Steady));
        // Bigger numbers, same shares: 1.5× and 6 entries more → rising.
        assert_eq!(t(&[6, 6, 6, 6, 9, 9]), Some(Trend::Rising));
        // Just under 1.5× (17/12 ≈ 1.42): steady.
        assert_eq!(t(&[6, 6, 6, 6, 9, 8]), Some(Trend::Steady));
    }

    #[test]
    fn fading_boundary_at_half() {
        // Earlier 10 % ; recent exactly 5 %: fading (10 fewer than the expected 20).
        assert_eq!(t(&[10, 10, 10, 10, 5, 5]), Some(Trend::Fading));
        // Just above half: steady.
        assert_eq!(t(&[10, 10, 10, 10, 5, 6]), Some(Trend::Steady));
    }

    #[test]
    fn minimum_change_boundary_is_three_entries() {
        // Earlier 3 % → 6 expected in the recent 200 entries.
        // 9 recent: exactly 1.5× and exactly 3 more → rising.
        assert_eq!(t(&[3, 3, 3, 3, 5, 4]), Some(Trend::Rising));
        // 3 recent: exactly half and exactly 3 fewer → fading.
        assert_eq!(t(&[3, 3, 3, 3, 2, 1]), Some(Trend::Fading));
        // Earlier 2 % → 4 expected. 2 recent is exactly half but only 2 fewer → steady;
        // 1 recent is 3 fewer → fading.
        assert_eq!(t(&[2, 2, 2, 2, 1, 1]), Some(Trend::Steady));
        assert_eq!(t(&[2, 2, 2, 2, 1, 0]), Some(Trend::Fading));
        let e = Evidence::new(&[2, 2, 2, 2, 1, 1], &flat(6), 2);
        assert_eq!(e.expected_recent(), Some(4.0));
        assert_eq!((e.earlier, e.recent, e.recent_start), (8, 2, 4));
    }

    #[test]
    fn resolved_needs_an_expected_three_entries() {
        // Earlier 1.5 % → expected 3 in the last two quarters, none seen: resolved.
        assert_eq!(t(&[2, 1, 2, 1, 0, 0]), Some(Trend::Resolved));
        // Earlier 1.25 % → expected 2.5: absence is not evidence; steady (4 periods).
        assert_eq!(t(&[2, 1, 1, 1, 0, 0]), Some(Trend::Steady));
    }

    #[test]
    fn recurring_needs_three_periods() {
        let p = quarterly();
        let e = Evidence::new(&[3, 0, 3, 0, 0, 0], &flat(6), p.recent());
        assert!(!e.recurring(&p));
        assert_eq!(e.classify(&p), Some(Trend::Resolved));
        // Two periods with no evidence of change: one-off; three periods: steady.
        assert_eq!(t(&[3, 0, 0, 0, 2, 0]), Some(Trend::OneOff));
        assert_eq!(t(&[2, 0, 2, 0, 2, 0]), Some(Trend::Steady));
        assert!(Evidence::new(&[2, 0, 2, 0, 2, 0], &flat(6), 2).recurring(&p));
    }

    #[test]
    fn shares_not_counts_decide() {
        // Twice the entries in the recent quarters, but twice the log too: steady.
        let totals = [100, 100, 100, 100, 200, 200];
        let p = quarterly();
        assert_eq!(
            classify(&[10, 10, 10, 10, 20, 20], &totals, &p),
            Some(Trend::Steady)
        );
        // Same counts over a flat log: rising.
        assert_eq!(t(&[10, 10, 10, 10, 20, 20]), Some(Trend::Rising));
        // Same count in a log that doubled: the share halved: fading.
        assert_eq!(
            classify(&[10, 10, 10, 10, 10, 10], &totals, &p),
            Some(Trend::Fading)
        );
    }

    #[test]
    fn no_trend_without_an_earlier_and_a_recent_part() {
        let p = quarterly();
        assert_eq!(classify(&[5, 5], &[10, 10], &p), None);
        assert_eq!(classify(&[5, 5, 5], &[10, 10, 10], &p), Some(Trend::Steady));
        assert_eq!(classify(&[0, 5, 5], &[0, 10, 10], &p), None);
        assert_eq!(classify(&[5, 0, 0], &[10, 0, 0], &p), None);
        assert_eq!(classify(&[0, 0, 0], &[10, 10, 10], &p), None);
    }

    #[test]
    fn one_rejected_value_each() {
        let q = TrendParams::new(PeriodKind::Quarter);
        assert!(q.check().is_ok());
        assert!(q.recent(0).check().is_err());
        assert!(q.min_entries(0).check().is_err());
        assert!(q.recurring_periods(0).check().is_err());
        assert!(q.rise_ratio(1.0).check().is_err());
        assert!(q.rise_ratio(f64::NAN).check().is_err());
        assert!(q.fade_ratio(1.0).check().is_err());
        assert!(q.fade_ratio(0.0).check().is_err());
        assert!(q.min_change(-1.0).check().is_err());
        assert!(q.min_change(f64::INFINITY).check().is_err());
        assert_eq!(
            TrendParams::new(PeriodKind::Month)
                .check()
                .unwrap()
                .recent(),
            3
        );
        assert_eq!(
            TrendParams::new(PeriodKind::Year).check().unwrap().recent(),
            1
        );
    }

    #[test]
    fn rule_text_states_the_default_numbers() {
        let p = quarterly();
        assert_eq!(p.min_entries(), 5);
        assert!(TREND_RULE.contains("fewer than 5 entries"));
        assert!(TREND_RULE.contains("at least 1.5 times"));
        assert!(TREND_RULE.contains("at most half"));
        assert!(TREND_RULE.contains("at least 3 entries"));
        assert!(TREND_RULE.contains("at least 3 periods"));
        assert!(TREND_RULE.contains("last two quarters"));
        assert_eq!(
            (
                RISE_RATIO,
                FADE_RATIO,
                MIN_CHANGE,
                RECURRING_PERIODS,
                RECENT_QUARTERS
            ),
            (1.5, 0.5, 3.0, 3, 2)
        );
        for trend in Trend::ALL {
            assert!(TREND_RULE.contains(trend.name()), "{}", trend.name());
        }
    }
}
