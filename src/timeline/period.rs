//! Periods: dates → sortable period indices and their labels (`2026-Q3`, `FY2026-Q1`,
//! `2026-07`, `2026`), and back.
//!
//! In: a `PeriodParams` (month, quarter or year; the month a fiscal year starts). Out: a period
//! index per date and a label per index.
//! Invariants: `parse_label(label(i)) == Some(i)`; consecutive periods have consecutive
//! indices, so a span of periods is a range of integers.

use super::errors::TimelineParamError;
use chrono::{Datelike, NaiveDate};

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
    /// Validates `fiscal_year_start` (a month, 1..=12); the kind is always valid.
    pub fn check(self) -> Result<Self, TimelineParamError> {
        if !(1..=12).contains(&self.fiscal_year_start) {
            return Err(TimelineParamError::FiscalYearStart(self.fiscal_year_start));
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
        let fy = if self.fiscal_year_start == 1 {
            ""
        } else {
            "FY"
        };
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
            s.strip_prefix("FY")
                .or_else(|| s.strip_prefix("fy"))
                .unwrap_or(s)
        } else {
            s
        };
        match self.kind {
            PeriodKind::Year => body.parse::<i64>().ok(),
            PeriodKind::Quarter => {
                let (y, q) = body.split_once(['-', ' '])?;
                let q = q.trim_start_matches(['Q', 'q']).parse::<i64>().ok()?;
                (1..=4)
                    .contains(&q)
                    .then(|| Some(y.parse::<i64>().ok()? * 4 + q - 1))?
            }
            PeriodKind::Month => {
                let (y, m) = s.split_once('-')?;
                let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
                NaiveDate::from_ymd_opt(y, m, 1).map(|d| self.index(d))
            }
        }
    }
}

impl PeriodParams {
    /// A label of this kind, for messages: `2026-Q3`, `FY2026-Q3`, `2026-07`, `2026`.
    pub fn example(&self) -> &'static str {
        let fiscal = self.fiscal_year_start != 1;
        match (self.kind, fiscal) {
            (PeriodKind::Quarter, false) => "2026-Q3",
            (PeriodKind::Quarter, true) => "FY2026-Q3",
            (PeriodKind::Year, false) => "2026",
            (PeriodKind::Year, true) => "FY2026",
            (PeriodKind::Month, _) => "2026-07",
        }
    }
}

/// Month names, January first (read by `parse_month` and by ingest's date words).
pub const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month as 1..=12 from `4`, `04`, `april`, `Apr` or `apr.`; `None` for anything else.
pub fn parse_month(s: &str) -> Option<u32> {
    let s = s.trim().trim_end_matches('.').to_lowercase();
    if let Ok(n) = s.parse::<u32>() {
        return (1..=12).contains(&n).then_some(n);
    }
    if s.len() < 3 {
        return None;
    }
    // "sept" is a common abbreviation that is not a prefix of three letters only.
    MONTH_NAMES
        .iter()
        .position(|m| m.starts_with(s.as_str()))
        .map(|i| i as u32 + 1)
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
        assert_eq!(
            month.parse_label("2027-02"),
            Some(month.index(d(2027, 2, 3)))
        );
        let year = PeriodParams {
            kind: PeriodKind::Year,
            fiscal_year_start: 1,
        };
        assert_eq!(year.label(year.index(d(2025, 12, 31))), "2025");
    }

    #[test]
    fn rejects_a_fiscal_year_start_that_is_not_a_month() {
        let cal = PeriodParams::default();
        assert_eq!(cal.check(), Ok(cal));
        for month in [0, 13] {
            let e = PeriodParams {
                fiscal_year_start: month,
                ..cal
            }
            .check()
            .expect_err("rejected");
            assert_eq!(e, TimelineParamError::FiscalYearStart(month));
        }
    }

    #[test]
    fn labels_round_trip_for_every_kind_and_fiscal_start() {
        for kind in [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year] {
            for fiscal_year_start in 1..=12 {
                let p = PeriodParams {
                    kind,
                    fiscal_year_start,
                };
                for i in p.index(d(2023, 11, 5))..p.index(d(2027, 2, 1)) {
                    assert_eq!(p.parse_label(&p.label(i)), Some(i), "{p:?} {i}");
                }
            }
        }
    }

    #[test]
    fn bad_review_labels_do_not_parse() {
        let q = PeriodParams::default();
        for bad in ["2026-Q5", "2026-Q0", "2026", "Q3-2026", "", "next quarter"] {
            assert_eq!(q.parse_label(bad), None, "{bad}");
        }
        assert_eq!(q.parse_label("2026-q3"), q.parse_label("2026-Q3"));
    }

    #[test]
    fn months_by_number_and_name() {
        assert_eq!(parse_month("4"), Some(4));
        assert_eq!(parse_month("04"), Some(4));
        assert_eq!(parse_month("April"), Some(4));
        assert_eq!(parse_month("apr"), Some(4));
        assert_eq!(parse_month("Sept."), Some(9));
        assert_eq!(parse_month("dec"), Some(12));
        for bad in ["0", "13", "ju", "", "octo ber", "-1"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }
}
