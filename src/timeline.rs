//! Timeline: patterns × dates → counts per period.
//!
//! In: the records (their dates), each entry's pattern id and `PeriodParams` (month, quarter or
//! year; the month a fiscal year starts). Out: `Timeline` — every period from the first dated
//! entry to the last (empty periods included, so a gap shows as a zero), and per pattern id
//! (0..=k) the number of its entries in each period, plus all entries per period.
//! The pattern × period counts are a polars group-by.
//! Invariants: for every pattern, the sum over periods equals its number of dated entries; the
//! sum over patterns of a period equals that period's total.

use crate::error::{Error, Result};
use crate::record::Record;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

/// Period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn parse(s: &str) -> Option<PeriodKind> {
        match s.to_ascii_lowercase().as_str() {
            "month" | "monthly" => Some(PeriodKind::Month),
            "quarter" | "quarterly" => Some(PeriodKind::Quarter),
            "year" | "yearly" | "annual" => Some(PeriodKind::Year),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }
}

/// How dates map to periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodParams {
    pub kind: PeriodKind,
    /// 1 = January (calendar years). With another month, years and quarters are fiscal and
    /// labelled `FY<year it starts in>`.
    pub fiscal_year_start: u32,
}

impl Default for PeriodParams {
    fn default() -> Self {
        PeriodParams {
            kind: PeriodKind::Quarter,
            fiscal_year_start: 1,
        }
    }
}

impl PeriodParams {
    pub fn check(self) -> Result<Self> {
        if !(1..=12).contains(&self.fiscal_year_start) {
            return Err(Error::Param(format!(
                "--fiscal-year-start must be a month 1..=12, got {}",
                self.fiscal_year_start
            )));
        }
        Ok(self)
    }

    /// A period as a sortable index: months since year 0 of the (fiscal) calendar, divided by
    /// the period length.
    pub fn index(&self, d: NaiveDate) -> i64 {
        let shifted = (d.month() as i64 - self.fiscal_year_start as i64).rem_euclid(12);
        let year = if d.month() >= self.fiscal_year_start {
            d.year() as i64
        } else {
            d.year() as i64 - 1
        };
        let months = year * 12 + shifted;
        match self.kind {
            PeriodKind::Month => months,
            PeriodKind::Quarter => months.div_euclid(3),
            PeriodKind::Year => months.div_euclid(12),
        }
    }

    /// The label of a period index: `2026-Q3`, `2026-07`, `2026`, or `FY2026-Q1` / `FY2026`
    /// for fiscal years (months stay calendar months).
    pub fn label(&self, index: i64) -> String {
        let fy = if self.fiscal_year_start == 1 { "" } else { "FY" };
        match self.kind {
            PeriodKind::Quarter => {
                format!("{fy}{}-Q{}", index.div_euclid(4), index.rem_euclid(4) + 1)
            }
            PeriodKind::Year => format!("{fy}{index}"),
            PeriodKind::Month => {
                let months = index + i64::from(self.fiscal_year_start) - 1;
                format!("{}-{:02}", months.div_euclid(12), months.rem_euclid(12) + 1)
            }
        }
    }

    /// Parses a period label back to its index (`--review 2026-Q3`).
    pub fn parse_label(&self, s: &str) -> Option<i64> {
        let s = s.trim();
        let fiscal = self.fiscal_year_start != 1;
        let body = if fiscal {
            s.strip_prefix("FY").or_else(|| s.strip_prefix("fy")).unwrap_or(s)
        } else {
            s
        };
        match self.kind {
            PeriodKind::Year => body.parse::<i64>().ok(),
            PeriodKind::Quarter => {
                let (y, q) = body.split_once(['-', ' '])?;
                let q = q.trim_start_matches(['Q', 'q']).parse::<i64>().ok()?;
                (1..=4).contains(&q).then(|| Some(y.parse::<i64>().ok()? * 4 + q - 1))?
            }
            PeriodKind::Month => {
                let (y, m) = s.split_once('-')?;
                let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
                NaiveDate::from_ymd_opt(y, m, 1).map(|d| self.index(d))
            }
        }
    }
}

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
}

fn polars_err(e: PolarsError) -> Error {
    Error::Param(format!("aggregation failed: {e}"))
}

/// Counts entries per pattern and period; `None` when no entry has a date.
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
    let p = grouped.column("pattern").and_then(|c| c.u32().cloned()).map_err(polars_err)?;
    let q = grouped.column("period").and_then(|c| c.i64().cloned()).map_err(polars_err)?;
    let c = grouped
        .column("pattern_count")
        .and_then(|c| c.cast(&DataType::UInt64))
        .and_then(|c| c.u64().cloned())
        .map_err(polars_err)?;
    for ((p, q), c) in p.into_iter().zip(q.into_iter()).zip(c.into_iter()) {
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
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn calendar_and_fiscal_quarters() {
        let cal = PeriodParams::default();
        assert_eq!(cal.label(cal.index(d(2026, 7, 1))), "2026-Q3");
        assert_eq!(cal.label(cal.index(d(2026, 3, 31))), "2026-Q1");
        let fy = PeriodParams {
            fiscal_year_start: 4,
            ..cal
        };
        assert_eq!(fy.label(fy.index(d(2026, 4, 1))), "FY2026-Q1");
        assert_eq!(fy.label(fy.index(d(2026, 6, 30))), "FY2026-Q1");
        assert_eq!(fy.label(fy.index(d(2027, 3, 31))), "FY2026-Q4");
        assert_eq!(fy.parse_label("FY2026-Q4"), Some(fy.index(d(2027, 1, 5))));
        let month = PeriodParams {
            kind: PeriodKind::Month,
            fiscal_year_start: 4,
        };
        assert_eq!(month.label(month.index(d(2027, 2, 3))), "2027-02");
        assert_eq!(month.parse_label("2027-02"), Some(month.index(d(2027, 2, 3))));
        let year = PeriodParams {
            kind: PeriodKind::Year,
            fiscal_year_start: 1,
        };
        assert_eq!(year.label(year.index(d(2025, 12, 31))), "2025");
        assert!(PeriodParams { fiscal_year_start: 13, ..cal }.check().is_err());
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
}
