//! Timeline: patterns × dates → counts per period, and each pattern's trend.
//!
//! In: the records (their dates), each entry's pattern id, `PeriodParams` (month, quarter or
//! year; the month a fiscal year starts) and, for trends, `CheckedTrendParams` and the
//! `--review` period. Out: `Timeline` — every period from the first dated entry to the last
//! (empty periods included, so a gap shows as a zero), and per pattern id (0..=k) the number of
//! its entries in each period, plus all entries per period — and `Trends`: per pattern its
//! trend (`trend::TREND_RULE`), whether it recurs, when it was first and last seen, and for
//! fading and resolved patterns the behavioural changes written before they faded.
//! The pattern × period counts are a polars group-by.
//! Invariants: for every pattern, the sum over periods equals its number of dated entries; the
//! sum over patterns of a period equals that period's total. With a review period, trends read
//! only the periods up to and including it; the counts always cover every period.

mod errors;
mod forecast;
mod period;
pub(crate) mod stats;
mod trend;

pub use errors::{TimelineError, TimelineParamError};
pub use forecast::{
    forecast, Forecast, Method, LEVEL as FORECAST_LEVEL, WINDOW as FORECAST_WINDOW,
};
pub use period::{parse_month, PeriodKind, PeriodParams, MONTH_NAMES};
pub use stats::{binom_cdf, binom_sf, count_quantile};
pub use trend::{
    call, classify, Call, CheckedTrendParams, Evidence, Quiet, Trend, TrendParams, FADE_RATIO,
    MIN_ENTRIES, RECENT_MONTHS, RECENT_QUARTERS, RECENT_YEARS, RECURRING_PERIODS, RISE_RATIO,
    SIGNIFICANCE, STRAY_LEVEL, TREND_RULE,
};

use crate::error::{Error, Result};
use crate::record::Record;
use crate::text::normalize;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::HashMap;

/// The timeline stage's output.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub params: PeriodParams,
    /// Index of the first period (see `PeriodParams::index`).
    pub first: i64,
    /// Labels of every period from first to last, in order.
    pub periods: Vec<String>,
    /// `counts[pattern id][period]`, pattern ids 0..=k.
    pub counts: Vec<Vec<u64>>,
    /// All analyzed entries per period.
    pub totals: Vec<u64>,
    /// Entries with no date (logs without a date column).
    pub undated: u64,
    /// Each pattern's trend, once `with_trends` has run.
    pub trends: Option<Trends>,
    /// Groups of the latest period looked at that fit no earlier pattern (`crate::emerging`).
    pub emerging: Vec<crate::emerging::Emerging>,
}

fn polars_err(e: PolarsError) -> Error {
    TimelineError::Aggregation(e).into()
}

/// Counts entries per pattern and period; `None` when no entry has a date. Trends are added by
/// `Timeline::with_trends`.
pub fn build(
    records: &[Record],
    labels: &[u32],
    k: usize,
    params: &PeriodParams,
) -> Result<Option<Timeline>> {
    let mut pattern: Vec<u32> = Vec::with_capacity(records.len());
    let mut period: Vec<i64> = Vec::with_capacity(records.len());
    for (r, &l) in records.iter().zip(labels) {
        if let Some(d) = r.date {
            pattern.push(l);
            period.push(params.index(d));
        }
    }
    let undated = (records.len() - pattern.len()) as u64;
    let (Some(&first), Some(&last)) = (period.iter().min(), period.iter().max()) else {
        return Ok(None);
    };
    let n_periods = (last - first + 1) as usize;
    let df = df!("pattern" => pattern, "period" => period).map_err(polars_err)?;
    let grouped = df
        .group_by(["pattern", "period"])
        .and_then(|g| g.select(["pattern"]).count())
        .map_err(polars_err)?;
    let mut counts = vec![vec![0u64; n_periods]; k + 1];
    let p = grouped
        .column("pattern")
        .and_then(|c| c.u32().cloned())
        .map_err(polars_err)?;
    let q = grouped
        .column("period")
        .and_then(|c| c.i64().cloned())
        .map_err(polars_err)?;
    let c = grouped
        .column("pattern_count")
        .and_then(|c| c.cast(&DataType::UInt64))
        .and_then(|c| c.u64().cloned())
        .map_err(polars_err)?;
    for ((p, q), c) in p.into_iter().zip(&q).zip(&c) {
        if let (Some(p), Some(q), Some(c)) = (p, q, c) {
            if let Some(row) = counts.get_mut(p as usize) {
                row[(q - first) as usize] += c;
            }
        }
    }
    let totals = (0..n_periods)
        .map(|j| counts.iter().map(|row| row[j]).sum())
        .collect();
    Ok(Some(Timeline {
        params: *params,
        first,
        periods: (first..=last).map(|i| params.label(i)).collect(),
        counts,
        totals,
        undated,
        trends: None,
        emerging: Vec::new(),
    }))
}

impl Timeline {
    /// Adds each pattern's trend (see `trends`).
    pub fn with_trends(
        mut self,
        records: &[Record],
        labels: &[u32],
        params: &CheckedTrendParams,
        review: Option<i64>,
    ) -> Result<Timeline> {
        self.trends = Some(trends(&self, records, labels, params, review)?);
        Ok(self)
    }
}

/// Behavioural changes shown per fading or resolved pattern at most.
const MAX_CHANGES: usize = 5;

/// A behavioural change written for a pattern, with how often and from which period on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenChange {
    pub text: String,
    pub count: usize,
    /// Period (index into `Timeline::periods`) it was first written in.
    pub first: usize,
}

/// One pattern's course over the periods looked at.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternTrend {
    /// `None` for pattern 0 (no clear pattern), for a pattern with no entries up to the review
    /// period, and when the periods allow no trend (`Trends::unavailable`).
    pub trend: Option<Trend>,
    /// The call with its tests, when a trend was called.
    pub call: Option<Call>,
    /// For a recurring pattern with a trend: what to expect in the period after the last one
    /// looked at (`Trends::next`).
    pub forecast: Option<Forecast>,
    /// Seen in at least `recurring_periods` periods.
    pub recurring: bool,
    /// What the rule read; `first` and `last` are the first and last period seen.
    pub evidence: Evidence,
    /// For fading and resolved patterns: the behavioural changes written for it before its
    /// recent part, most often written first.
    pub changes_before: Vec<WrittenChange>,
}

/// One pattern in the review period, against the periods before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewRow {
    pub id: u32,
    /// Entries in the review period and their share of it.
    pub entries: u64,
    pub share: Option<f64>,
    /// Entries before the review period and their share of all entries then.
    pub before: u64,
    pub share_before: Option<f64>,
}

impl ReviewRow {
    /// First seen in the review period.
    pub fn is_new(&self) -> bool {
        self.entries > 0 && self.before == 0
    }
}

/// The trend view of a timeline.
#[derive(Debug, Clone)]
pub struct Trends {
    pub params: CheckedTrendParams,
    /// Periods looked at: `0..end`, indices into `Timeline::periods`.
    pub end: usize,
    /// First period of the recent part (`end − recent`, at least 0).
    pub recent_start: usize,
    /// The review period (then `end − 1`).
    pub review: Option<usize>,
    /// Per pattern id 0..=k.
    pub patterns: Vec<PatternTrend>,
    /// Per pattern id 0..=k, when there is a review period.
    pub review_rows: Vec<ReviewRow>,
    /// Why no trend was called, when none was.
    pub unavailable: Option<String>,
    /// Label of the period the forecasts are for (the one after the last looked at).
    pub next: String,
}

impl Trends {
    /// The trend of pattern `id`, if one was called.
    pub fn trend(&self, id: u32) -> Option<Trend> {
        self.patterns.get(id as usize).and_then(|p| p.trend)
    }

    /// How many patterns 1..=k got each trend, in `Trend::ALL` order.
    pub fn tally(&self) -> Vec<(Trend, usize)> {
        Trend::ALL
            .iter()
            .map(|&t| {
                let n = self
                    .patterns
                    .iter()
                    .skip(1)
                    .filter(|p| p.trend == Some(t))
                    .count();
                (t, n)
            })
            .collect()
    }
}

/// Checks that `review` (a period index, see `PeriodParams::index`) holds dated entries'
/// periods around it; run before the analysis, so a wrong `--review` fails fast (exit 2).
pub fn check_review(records: &[Record], params: &PeriodParams, review: i64) -> Result<()> {
    let mut span = records
        .iter()
        .filter_map(|r| r.date)
        .map(|d| params.index(d));
    let Some(first) = span.next() else {
        return Err(TimelineParamError::ReviewUndated {
            review: params.label(review),
        }
        .into());
    };
    let (lo, hi) = span.fold((first, first), |(lo, hi), i| (lo.min(i), hi.max(i)));
    if !(lo..=hi).contains(&review) {
        return Err(TimelineParamError::ReviewOutside {
            review: params.label(review),
            first: params.label(lo),
            last: params.label(hi),
        }
        .into());
    }
    Ok(())
}

/// Calls each pattern's trend over the timeline's periods up to `review` (a period index, see
/// `PeriodParams::index`; the last period when `None`).
pub fn trends(
    t: &Timeline,
    records: &[Record],
    labels: &[u32],
    params: &CheckedTrendParams,
    review: Option<i64>,
) -> Result<Trends> {
    let n = t.periods.len();
    let review = match review {
        None => None,
        Some(r) if (t.first..t.first + n as i64).contains(&r) => Some((r - t.first) as usize),
        Some(r) => {
            return Err(TimelineParamError::ReviewOutside {
                review: t.params.label(r),
                first: t.periods.first().map_or("?", String::as_str).into(),
                last: t.periods.last().map_or("?", String::as_str).into(),
            }
            .into())
        }
    };
    let end = review.map_or(n, |r| r + 1);
    let totals = &t.totals[..end];
    let recent_start = end.saturating_sub(params.recent());
    let unavailable = {
        let e = Evidence::new(totals, totals, params.recent());
        let kind = t.params.kind.name();
        let upto = review.map_or(String::new(), |r| format!(" up to {}", t.periods[r]));
        if recent_start == 0 {
            Some(format!(
                "Trends need at least {} {kind}s{upto}; the log has {end}.",
                params.recent() + 1
            ))
        } else if !e.comparable() {
            Some(format!(
                "No trends: the earlier or the recent {kind}s{upto} hold no entries."
            ))
        } else {
            None
        }
    };
    let mut patterns: Vec<PatternTrend> = t
        .counts
        .iter()
        .enumerate()
        .map(|(id, row)| {
            let evidence = Evidence::new(&row[..end], totals, params.recent());
            let call = if id == 0 || unavailable.is_some() {
                None
            } else {
                call(&row[..end], totals, params)
            };
            let trend = call.map(|c| c.trend);
            let forecast = if trend.is_some() && evidence.recurring(params) {
                forecast::forecast(&row[..end], totals, params.recent(), trend)
            } else {
                None
            };
            PatternTrend {
                trend,
                call,
                forecast,
                recurring: evidence.recurring(params),
                evidence,
                changes_before: Vec::new(),
            }
        })
        .collect();
    add_changes_before(t, records, labels, recent_start, &mut patterns);
    let review_rows = match review {
        None => Vec::new(),
        Some(r) => {
            let before_total: u64 = t.totals[..r].iter().sum();
            let share = |c: u64, total: u64| (total > 0).then(|| c as f64 / total as f64);
            t.counts
                .iter()
                .enumerate()
                .map(|(id, row)| {
                    let before = row[..r].iter().sum();
                    ReviewRow {
                        id: id as u32,
                        entries: row[r],
                        share: share(row[r], t.totals[r]),
                        before,
                        share_before: share(before, before_total),
                    }
                })
                .collect()
        }
    };
    Ok(Trends {
        params: *params,
        end,
        recent_start,
        review,
        patterns,
        review_rows,
        unavailable,
        next: t.params.label(t.first + end as i64),
    })
}

/// Fills `changes_before` of the fading and resolved patterns from their entries before the
/// recent part.
fn add_changes_before(
    t: &Timeline,
    records: &[Record],
    labels: &[u32],
    recent_start: usize,
    patterns: &mut [PatternTrend],
) {
    // Per growth pattern: normalized text → (count, first period, spellings with counts).
    type Seen<'a> = HashMap<String, (usize, usize, HashMap<&'a str, usize>)>;
    let mut seen: HashMap<u32, Seen> = patterns
        .iter()
        .enumerate()
        .filter(|(_, p)| p.trend.is_some_and(Trend::is_growth))
        .map(|(id, _)| (id as u32, Seen::new()))
        .collect();
    if seen.is_empty() {
        return;
    }
    let growth: Vec<u32> = seen.keys().copied().collect();
    // Blocks of entries in parallel (normalizing the text is the cost), merged in block order:
    // counts add up and first periods take the minimum, so the result is order-free.
    const BLOCK: usize = 1 << 16;
    let n = records.len().min(labels.len());
    let blocks: Vec<HashMap<u32, Seen>> = (0..n)
        .step_by(BLOCK)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|start| {
            let mut local: HashMap<u32, Seen> = HashMap::new();
            for i in start..(start + BLOCK).min(n) {
                let (r, l) = (&records[i], labels[i]);
                let Some(d) = r.date else { continue };
                if !growth.contains(&l) {
                    continue;
                }
                let period = (t.params.index(d) - t.first) as usize;
                let text = r.behavioral_change.trim();
                if period >= recent_start || text.is_empty() {
                    continue;
                }
                let e = local
                    .entry(l)
                    .or_default()
                    .entry(normalize(text))
                    .or_insert((0, period, HashMap::new()));
                e.0 += 1;
                e.1 = e.1.min(period);
                *e.2.entry(text).or_insert(0) += 1;
            }
            local
        })
        .collect();
    for block in blocks {
        for (l, per_block) in block {
            let per = seen.get_mut(&l).expect("a growth pattern");
            for (key, (count, first, forms)) in per_block {
                let e = per.entry(key).or_insert((0, first, HashMap::new()));
                e.0 += count;
                e.1 = e.1.min(first);
                for (text, c) in forms {
                    *e.2.entry(text).or_insert(0) += c;
                }
            }
        }
    }
    for (id, per) in seen {
        let mut changes: Vec<(String, WrittenChange)> = per
            .into_iter()
            .map(|(key, (count, first, forms))| {
                // The most common spelling, ties by text, so the output does not depend on order.
                let text = forms
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(s, _)| s.to_string())
                    .unwrap_or_default();
                (key, WrittenChange { text, count, first })
            })
            .collect();
        changes.sort_by(|a, b| {
            b.1.count
                .cmp(&a.1.count)
                .then_with(|| b.1.first.cmp(&a.1.first))
                .then_with(|| a.0.cmp(&b.0))
        });
        patterns[id as usize].changes_before = changes
            .into_iter()
            .take(MAX_CHANGES)
            .map(|(_, c)| c)
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn counts_add_up_and_gaps_are_zero() {
        let dates = [d(2025, 1, 5), d(2025, 2, 1), d(2025, 8, 1), d(2025, 8, 2)];
        let records: Vec<Record> = dates
            .iter()
            .map(|&dt| Record {
                date: Some(dt),
                ..Default::default()
            })
            .collect();
        let t = build(&records, &[1, 2, 1, 0], 2, &PeriodParams::default())
            .unwrap()
            .unwrap();
        assert_eq!(t.periods, vec!["2025-Q1", "2025-Q2", "2025-Q3"]);
        assert_eq!(t.counts[1], vec![1, 0, 1]);
        assert_eq!(t.counts[2], vec![1, 0, 0]);
        assert_eq!(t.counts[0], vec![0, 0, 1]);
        assert_eq!(t.totals, vec![2, 0, 2]);
    }

    /// One record per (quarter offset from 2024-Q1, pattern, behavioural change).
    fn log(entries: &[(u32, u32, &str)]) -> (Vec<Record>, Vec<u32>) {
        entries
            .iter()
            .map(|&(q, l, change)| {
                let rec = Record {
                    date: Some(d(2024 + (q / 4) as i32, (q % 4) * 3 + 1, 15)),
                    behavioral_change: change.into(),
                    ..Default::default()
                };
                (rec, l)
            })
            .unzip()
    }

    fn quarterly() -> CheckedTrendParams {
        TrendParams::new(PeriodKind::Quarter).check().unwrap()
    }

    #[test]
    fn review_cuts_the_view_and_compares_with_before() {
        // Pattern 1 in every quarter, pattern 2 only from quarter 2, 10 filler entries a quarter.
        let mut entries = Vec::new();
        for q in 0..5 {
            entries.extend(std::iter::repeat_n((q, 1, ""), 3));
            entries.extend(std::iter::repeat_n((q, 0, ""), 10));
            if q >= 2 {
                entries.extend(std::iter::repeat_n((q, 2, ""), 5));
            }
        }
        let (records, labels) = log(&entries);
        let t = build(&records, &labels, 2, &PeriodParams::default())
            .unwrap()
            .unwrap();
        let review = PeriodParams::default().parse_label("2024-Q3");
        let t = t
            .with_trends(&records, &labels, &quarterly(), review)
            .unwrap();
        let tr = t.trends.as_ref().unwrap();
        assert_eq!((tr.end, tr.recent_start, tr.review), (3, 1, Some(2)));
        assert_eq!(tr.trend(1), Some(Trend::Steady));
        // As of 2024-Q3, pattern 2 was first seen in the recent part.
        assert_eq!(tr.trend(2), Some(Trend::New));
        assert_eq!(tr.trend(0), None);
        let row = tr.review_rows[2];
        assert_eq!((row.entries, row.before), (5, 0));
        assert!(row.is_new());
        assert_eq!(tr.review_rows[1].share_before, Some(6.0 / 26.0));
        // Last seen as of the review period, though the log goes on.
        assert_eq!(tr.patterns[1].evidence.last, Some(2));
        assert_eq!(t.periods.len(), 5);
    }

    /// The timeline parameter error a result carries, if any.
    fn param_error<T: std::fmt::Debug>(r: Result<T>) -> TimelineParamError {
        match r {
            Err(Error::Timeline(TimelineError::Params(e))) => e,
            other => panic!("not a timeline parameter error: {other:?}"),
        }
    }

    #[test]
    fn rejects_a_review_outside_the_log() {
        let (records, labels) = log(&[(1, 1, ""), (3, 1, "")]);
        let p = PeriodParams::default();
        let inside = p.parse_label("2024-Q3").unwrap();
        let outside = p.parse_label("2025-Q1").unwrap();
        assert!(check_review(&records, &p, inside).is_ok());
        let e = param_error(check_review(&records, &p, outside));
        let want = TimelineParamError::ReviewOutside {
            review: "2025-Q1".into(),
            first: "2024-Q2".into(),
            last: "2024-Q4".into(),
        };
        assert_eq!(e, want);
        let shown = format!("{:#}", anyhow::Error::from(Error::from(e)));
        assert_eq!(
            shown,
            "invalid parameter: --review 2025-Q1: outside the log, whose entries run from \
             2024-Q2 to 2024-Q4"
        );
        let t = build(&records, &labels, 1, &p).unwrap().unwrap();
        let e = param_error(t.with_trends(&records, &labels, &quarterly(), Some(outside)));
        assert_eq!(e, want);
    }

    #[test]
    fn rejects_a_review_of_an_undated_log() {
        let p = PeriodParams::default();
        let review = p.parse_label("2024-Q3").unwrap();
        let e = param_error(check_review(&[], &p, review));
        assert_eq!(
            e,
            TimelineParamError::ReviewUndated {
                review: "2024-Q3".into()
            }
        );
    }

    #[test]
    fn changes_before_a_fade_come_from_the_earlier_part_most_written_first() {
        let mut entries = Vec::new();
        for q in 0..4 {
            entries.extend(std::iter::repeat_n((q, 0, ""), 10));
            entries.push((q, 1, "Raise it in the 1:1"));
        }
        // A new change from quarter 2 on, after which the pattern stops.
        entries.extend(std::iter::repeat_n((3, 1, "raise it in the 1:1 "), 1));
        entries.extend(std::iter::repeat_n(
            (3, 1, "Hold hard talks within 48 hours"),
            5,
        ));
        entries.push((2, 1, "Hold hard talks within 48 hours"));
        for q in 4..6 {
            entries.extend(std::iter::repeat_n((q, 0, ""), 10));
        }
        let (records, labels) = log(&entries);
        let t = build(&records, &labels, 1, &PeriodParams::default())
            .unwrap()
            .unwrap()
            .with_trends(&records, &labels, &quarterly(), None)
            .unwrap();
        let tr = t.trends.as_ref().unwrap();
        // None of 11 in the last two quarters (p = 0.03): a significant drop, but too little
        // evidence that it stopped (the stop test divides the level by √4 starts tried).
        assert_eq!(tr.trend(1), Some(Trend::Fading));
        let changes = &tr.patterns[1].changes_before;
        let got: Vec<(&str, usize, usize)> = changes
            .iter()
            .map(|c| (c.text.as_str(), c.count, c.first))
            .collect();
        // 5 + 1 against 4 + 1 (spellings that differ only in case and spacing count together).
        assert_eq!(
            got,
            vec![
                ("Hold hard talks within 48 hours", 6, 2),
                ("Raise it in the 1:1", 5, 0)
            ]
        );
    }
}
