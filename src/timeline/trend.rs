//! The trend rule: one pattern's counts per period → `new`, `rising`, `steady`, `fading`,
//! `resolved` or `one-off`.
//!
//! In: the pattern's entries per period, all entries per period (same periods, oldest first,
//! ending with the period the trend is judged at) and `CheckedTrendParams`. Out: `Evidence`
//! (the counts the rule reads) and a `Call`: the `Trend` with the test it rests on (one-sided
//! p-values of the exact conditional binomial test of two rates, and for a resolved pattern the
//! quiet stretch that shows it).
//! Invariants: the rule reads shares of each period's entries, never raw counts, so the same
//! shares give the same call up to the tests' evidence (more entries, smaller p-values); a trend
//! needs at least one earlier and one recent period with entries, otherwise there is none.
//! `TREND_RULE` states the rule in words with the default numbers, and a test keeps the two in
//! step. The rule reads aggregated counts only: its cost does not grow with the log.

use super::errors::TimelineParamError;
use super::period::PeriodKind;
use super::stats::{binom_cdf, binom_sf};

/// Fewer entries than this in a pattern make it a one-off.
pub const MIN_ENTRIES: u64 = 5;
/// A pattern seen in at least this many periods is recurring.
pub const RECURRING_PERIODS: usize = 3;
/// Recent share at least this many times the earlier share: rising.
pub const RISE_RATIO: f64 = 1.5;
/// Recent share at most this fraction of the earlier share: fading.
pub const FADE_RATIO: f64 = 0.5;
/// A rise, fade or stop must be significant: one-sided p-value below this.
pub const SIGNIFICANCE: f64 = 0.05;
/// A stopped pattern may keep stray entries: up to this fraction of what its earlier share
/// would give (and a new one may have had that many before it appeared).
pub const STRAY_LEVEL: f64 = 0.05;
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
one-off. Otherwise it is new if first seen in the recent part, or if the recent part holds \
significantly more than its earlier share gives and its earlier entries are no more than strays \
(as few as 5 % of its recent share would give); it is a one-off if all its entries fall in one \
earlier period. It is rising when its recent share is at least 1.5 times its earlier share and \
the rise is significant. It is resolved when, from some period on (the recent part at least), it \
holds significantly fewer entries than its share before that period gives (every start is \
tried, so the level is divided by the square root of the number of starts) and no more than strays: a count that \
5 % of that expectation could give, so a few stray entries do not keep a stopped pattern alive. It is fading when its recent share is at most half of its earlier share \
and the drop is significant. Significant means a one-sided exact test of the two shares (the \
recent count given the pattern's entries in both parts, binomial) gives p below 0.05, so a \
handful of entries never makes a trend in a small log, while the same shares in a large log do. \
Any other pattern is steady if it shows up in at least 3 periods (recurring) and a one-off if \
not. Trends need at least three quarters of log.";

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
    significance: f64,
    stray_level: f64,
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
            significance: SIGNIFICANCE,
            stray_level: STRAY_LEVEL,
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

    pub fn significance(mut self, p: f64) -> Self {
        self.significance = p;
        self
    }

    pub fn stray_level(mut self, r: f64) -> Self {
        self.stray_level = r;
        self
    }

    /// Validates every threshold; the first rejected one is the error.
    pub fn check(self) -> Result<CheckedTrendParams, TimelineParamError> {
        use TimelineParamError as E;
        if self.recent == 0 {
            return Err(E::NoRecentPeriods);
        }
        if self.min_entries == 0 {
            return Err(E::NoMinEntries);
        }
        if self.recurring_periods == 0 {
            return Err(E::NoRecurringPeriods);
        }
        if !(self.rise_ratio.is_finite() && self.rise_ratio > 1.0) {
            return Err(E::RiseRatio(self.rise_ratio));
        }
        if !(self.fade_ratio > 0.0 && self.fade_ratio < 1.0) {
            return Err(E::FadeRatio(self.fade_ratio));
        }
        if !(self.significance > 0.0 && self.significance < 0.5) {
            return Err(E::Significance(self.significance));
        }
        if !(self.stray_level > 0.0 && self.stray_level < self.fade_ratio) {
            return Err(E::StrayLevel(self.stray_level));
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
    pub fn significance(&self) -> f64 {
        self.0.significance
    }
    pub fn stray_level(&self) -> f64 {
        self.0.stray_level
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

    /// The ratio of the recent share to the earlier share (`None` without earlier entries).
    pub fn ratio(&self) -> Option<f64> {
        match (self.earlier_share(), self.recent_share()) {
            (Some(e), Some(r)) if e > 0.0 => Some(r / e),
            _ => None,
        }
    }

    /// One-sided p-values `(more, fewer)` of the recent count against the earlier share: the
    /// exact conditional test of two rates (given the pattern's entries in both parts, its recent
    /// count is binomial with the recent part's share of all entries looked at).
    pub fn p_values(&self) -> (f64, f64) {
        let n = self.earlier + self.recent;
        let all = (self.earlier_total + self.recent_total) as f64;
        if n == 0 || all <= 0.0 {
            return (1.0, 1.0);
        }
        let pi = self.recent_total as f64 / all;
        (binom_sf(self.recent, n, pi), binom_cdf(self.recent, n, pi))
    }
}

/// The quiet stretch that makes a pattern resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quiet {
    /// First period of the stretch (it runs to the last period looked at).
    pub from: usize,
    /// The pattern's entries in the stretch, and what its share before would have given.
    pub entries: u64,
    pub expected: f64,
    /// One-sided p-value of so few entries at the share before.
    pub p_value: f64,
}

/// A trend with the evidence it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    pub trend: Trend,
    /// Recent share ÷ earlier share.
    pub ratio: Option<f64>,
    /// One-sided p-values of more and of fewer recent entries than the earlier share gives.
    pub p_more: f64,
    pub p_fewer: f64,
    /// For a resolved pattern: the stretch with (almost) no entries.
    pub quiet: Option<Quiet>,
}

impl Call {
    /// The p-value the call rests on: the rise test for new and rising, the drop test for
    /// fading and resolved (of the quiet stretch), `None` for steady and one-off.
    pub fn p_value(&self) -> Option<f64> {
        match self.trend {
            Trend::New | Trend::Rising => Some(self.p_more),
            Trend::Fading => Some(self.p_fewer),
            Trend::Resolved => Some(self.quiet.map_or(self.p_fewer, |q| q.p_value)),
            Trend::Steady | Trend::OneOff => None,
        }
    }
}

/// Whether `later` entries over `later_total`, against `earlier` over `earlier_total`, are at
/// most strays: a count the stray level of the earlier share could give (not significantly
/// above it).
fn at_most_strays(
    earlier: u64,
    earlier_total: u64,
    later: u64,
    later_total: u64,
    p: &CheckedTrendParams,
) -> bool {
    let n = earlier + later;
    let s = p.stray_level() * later_total as f64;
    let pi = s / (earlier_total as f64 + s);
    binom_sf(later, n, pi) > p.significance()
}

/// The quiet stretch with the strongest evidence that the pattern stopped: a start `s` at or
/// before the recent part, with entries before it, after which the pattern holds significantly
/// fewer entries than its share before `s` gives (at the significance level divided by the
/// square root of the number of starts tried), and no more than strays.
fn quiet_stretch(
    counts: &[u64],
    totals: &[u64],
    recent_start: usize,
    p: &CheckedTrendParams,
) -> Option<Quiet> {
    let mut best: Option<Quiet> = None;
    // Every start is a test, but they overlap (each stretch holds the next): the level is
    // divided by the square root of the number of starts, between no correction and Bonferroni.
    let threshold = p.significance() / (recent_start.max(1) as f64).sqrt();
    for s in 1..=recent_start {
        let (e, et): (u64, u64) = (counts[..s].iter().sum(), totals[..s].iter().sum());
        let (l, lt): (u64, u64) = (counts[s..].iter().sum(), totals[s..].iter().sum());
        if e == 0 || et == 0 || lt == 0 {
            continue;
        }
        let pi = lt as f64 / (et + lt) as f64;
        let p_fewer = binom_cdf(l, e + l, pi);
        if p_fewer > threshold || !at_most_strays(e, et, l, lt, p) {
            continue;
        }
        if best.is_none_or(|b| p_fewer < b.p_value) {
            best = Some(Quiet {
                from: s,
                entries: l,
                expected: e as f64 / et as f64 * lt as f64,
                p_value: p_fewer,
            });
        }
    }
    best
}

/// The rule (see `TREND_RULE`) on one pattern's counts and all entries per period; `None` when
/// the pattern has no entries or the periods are not `comparable`.
pub fn call(counts: &[u64], totals: &[u64], p: &CheckedTrendParams) -> Option<Call> {
    let n = counts.len().min(totals.len());
    let (counts, totals) = (&counts[..n], &totals[..n]);
    let e = Evidence::new(counts, totals, p.recent());
    if e.entries == 0 || !e.comparable() {
        return None;
    }
    let (p_more, p_fewer) = e.p_values();
    let ratio = e.ratio();
    let done = |trend: Trend, quiet: Option<Quiet>| {
        Some(Call {
            trend,
            ratio,
            p_more,
            p_fewer,
            quiet,
        })
    };
    if e.entries < p.min_entries() {
        return done(Trend::OneOff, None);
    }
    if e.earlier == 0 {
        return done(Trend::New, None);
    }
    if e.periods == 1 {
        return done(Trend::OneOff, None);
    }
    let significant = |x: f64| x <= p.significance();
    // Compared as products, not quotients, so boundaries such as exactly 1.5× hold exactly.
    let (r, rt) = (e.recent as f64, e.recent_total as f64);
    let (ea, et) = (e.earlier as f64, e.earlier_total as f64);
    if significant(p_more) && r * et >= p.rise_ratio() * ea * rt {
        // The earlier entries are strays against the recent share: new, not rising.
        if at_most_strays(e.recent, e.recent_total, e.earlier, e.earlier_total, p) {
            return done(Trend::New, None);
        }
        return done(Trend::Rising, None);
    }
    if let Some(q) = quiet_stretch(counts, totals, e.recent_start, p) {
        return done(Trend::Resolved, Some(q));
    }
    if significant(p_fewer) && r * et <= p.fade_ratio() * ea * rt {
        return done(Trend::Fading, None);
    }
    done(
        if e.recurring(p) {
            Trend::Steady
        } else {
            Trend::OneOff
        },
        None,
    )
}

/// The trend of one pattern from its counts and all entries per period (the pure rule).
pub fn classify(counts: &[u64], totals: &[u64], p: &CheckedTrendParams) -> Option<Trend> {
    call(counts, totals, p).map(|c| c.trend)
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
        // (p = 0.13 for none of 5 at a third): steady, since it spans at least 3 periods.
        assert_eq!(t(&[1, 1, 1, 2, 0, 0]), Some(Trend::Steady));
    }

    #[test]
    fn first_entry_in_recent_part_is_new_and_earlier_strays_do_not_change_that() {
        assert_eq!(t(&[0, 0, 0, 0, 2, 3]), Some(Trend::New));
        assert_eq!(t(&[0, 0, 0, 0, 0, 5]), Some(Trend::New));
        // One stray entry before, 8 in the recent part: new (the stray is as many as 5 % of
        // the recent share could give the earlier part).
        assert_eq!(t(&[0, 0, 0, 1, 4, 4]), Some(Trend::New));
        // Steadily there before, and four times the share now: rising, not new.
        assert_eq!(t(&[2, 2, 2, 2, 16, 16]), Some(Trend::Rising));
    }

    #[test]
    fn all_in_one_earlier_period_is_one_off() {
        assert_eq!(t(&[0, 9, 0, 0, 0, 0]), Some(Trend::OneOff));
        // Two periods and gone: none of 9 in the second half (p = 0.002): resolved.
        assert_eq!(t(&[0, 5, 4, 0, 0, 0]), Some(Trend::Resolved));
    }

    #[test]
    fn rising_needs_one_and_a_half_times_and_significance() {
        // 1.5× on 8 earlier and 6 recent entries: p = 0.35, steady.
        assert_eq!(t(&[2, 2, 2, 2, 3, 3]), Some(Trend::Steady));
        // Same shares, 15 times the entries: rising.
        assert_eq!(t(&[30, 30, 30, 30, 45, 45]), Some(Trend::Rising));
        // Just under 1.5× (89/60 ≈ 1.48), however significant: steady.
        assert_eq!(t(&[30, 30, 30, 30, 45, 44]), Some(Trend::Steady));
        let c = call(&[30, 30, 30, 30, 45, 45], &flat(6), &quarterly()).unwrap();
        assert!(c.p_more < 0.01 && c.p_value() == Some(c.p_more), "{c:?}");
        assert_eq!(c.ratio, Some(1.5));
    }

    #[test]
    fn fading_needs_half_and_significance() {
        // Earlier 10 %, recent exactly 5 %: fading (p ≈ 0.03).
        assert_eq!(t(&[10, 10, 10, 10, 5, 5]), Some(Trend::Fading));
        // Just above half: steady.
        assert_eq!(t(&[10, 10, 10, 10, 5, 6]), Some(Trend::Steady));
        // Half on a handful of entries is no evidence: steady; the same shares ×20: fading.
        assert_eq!(t(&[2, 2, 2, 2, 1, 0]), Some(Trend::Steady));
        assert_eq!(t(&[40, 40, 40, 40, 20, 0]), Some(Trend::Fading));
        // A third of the level is fading, not resolved: 18 entries are far above strays.
        assert_eq!(t(&[30, 30, 30, 30, 9, 9]), Some(Trend::Fading));
    }

    #[test]
    fn resolved_tolerates_stray_entries() {
        // The case: 828 entries over 8 quarters of 900, none in three quarters, 3 in
        // the last (183 expected there at the earlier share): resolved, not fading.
        let mut counts = vec![104u64, 103, 104, 103, 104, 103, 104, 103];
        counts.extend([0, 0, 0, 3]);
        assert_eq!(counts[..8].iter().sum::<u64>(), 828);
        let totals = vec![900u64; 12];
        let c = call(&counts, &totals, &quarterly()).unwrap();
        assert_eq!(c.trend, Trend::Resolved);
        let q = c.quiet.unwrap();
        assert_eq!((q.from, q.entries), (8, 3));
        assert!(
            (q.expected - 414.0).abs() < 1e-9 && q.p_value < 1e-9,
            "{q:?}"
        );
        // recur's own grouping of the sample log: avoided conversations stop after 2025-Q2,
        // one entry placed there later. Against the last two quarters alone that is no
        // evidence (1 of 4 expected, p = 0.10); over the stretch since it stopped it is.
        let counts = [7, 7, 4, 3, 2, 0, 0, 0, 1, 0];
        let totals = [20, 22, 19, 22, 21, 17, 14, 15, 13, 14];
        let c = call(&counts, &totals, &quarterly()).unwrap();
        assert_eq!(c.trend, Trend::Resolved, "{c:?}");
        // From 2025-Q2 on: 3 entries where its share before gave 24.
        assert_eq!(c.quiet.unwrap().from, 4);
        assert!(c.p_fewer > 0.05);
        // Stopped with nothing left: resolved from the first quiet period with evidence.
        let c = call(&[4, 0, 4, 0, 0, 0], &flat(6), &quarterly()).unwrap();
        assert_eq!((c.trend, c.quiet.unwrap().from), (Trend::Resolved, 3));
        // Every start is tried, so the level is divided by the square root of the starts tried
        // (here 4: 0.025). None of 5 from period 3 (p = 0.03) is not enough, and neither is a
        // busy first period followed by a thin log: 3, then 2 of 15 expected (p = 0.035).
        assert_eq!(t(&[3, 0, 2, 0, 0, 0]), Some(Trend::OneOff));
        assert_eq!(t(&[3, 0, 0, 0, 2, 0]), Some(Trend::OneOff));
        // Absence worth 2.5 entries is not evidence: steady.
        assert_eq!(t(&[2, 1, 1, 1, 0, 0]), Some(Trend::Steady));
    }

    #[test]
    fn recurring_needs_three_periods() {
        let p = quarterly();
        let e = Evidence::new(&[3, 0, 3, 0, 0, 0], &flat(6), p.recent());
        assert!(!e.recurring(&p));
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

    fn rejected(p: TrendParams) -> TimelineParamError {
        p.check().expect_err("rejected")
    }

    fn quarter() -> TrendParams {
        TrendParams::new(PeriodKind::Quarter)
    }

    #[test]
    fn rejects_no_recent_periods() {
        let e = rejected(quarter().recent(0));
        assert_eq!(e, TimelineParamError::NoRecentPeriods);
    }

    #[test]
    fn rejects_no_min_entries() {
        let e = rejected(quarter().min_entries(0));
        assert_eq!(e, TimelineParamError::NoMinEntries);
    }

    #[test]
    fn rejects_no_recurring_periods() {
        let e = rejected(quarter().recurring_periods(0));
        assert_eq!(e, TimelineParamError::NoRecurringPeriods);
    }

    #[test]
    fn rejects_a_rise_ratio_not_above_1() {
        for r in [1.0, 0.5, f64::NAN, f64::INFINITY] {
            let e = rejected(quarter().rise_ratio(r));
            assert!(matches!(e, TimelineParamError::RiseRatio(_)), "{r}: {e:?}");
        }
    }

    #[test]
    fn rejects_a_fade_ratio_outside_0_1() {
        for r in [1.0, 0.0, f64::NAN] {
            let e = rejected(quarter().fade_ratio(r));
            assert!(matches!(e, TimelineParamError::FadeRatio(_)), "{r}: {e:?}");
        }
    }

    #[test]
    fn rejects_a_significance_outside_0_half() {
        for p in [0.0, 0.5, f64::NAN] {
            let e = rejected(quarter().significance(p));
            assert!(
                matches!(e, TimelineParamError::Significance(_)),
                "{p}: {e:?}"
            );
        }
    }

    #[test]
    fn rejects_a_stray_level_not_below_the_fade_ratio() {
        for r in [0.0, 0.5, f64::NAN] {
            let e = rejected(quarter().stray_level(r));
            assert!(matches!(e, TimelineParamError::StrayLevel(_)), "{r}: {e:?}");
        }
    }

    #[test]
    fn defaults_pass_with_the_recent_part_of_each_kind() {
        assert!(quarter().check().is_ok());
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
        assert!(TREND_RULE.contains("p below 0.05"));
        assert!(TREND_RULE.contains("as few as 5 %") && TREND_RULE.contains("5 % of that"));
        assert!(TREND_RULE.contains("at least 3 periods"));
        assert!(TREND_RULE.contains("last two quarters"));
        assert_eq!(
            (
                RISE_RATIO,
                FADE_RATIO,
                SIGNIFICANCE,
                STRAY_LEVEL,
                RECURRING_PERIODS,
                RECENT_QUARTERS
            ),
            (1.5, 0.5, 0.05, 0.05, 3, 2)
        );
        for trend in Trend::ALL {
            assert!(TREND_RULE.contains(trend.name()), "{}", trend.name());
        }
    }
}
