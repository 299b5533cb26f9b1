//! Date cells → calendar dates.
//!
//! In: a cell's text and an optional user format (`--date-format`, chrono strftime syntax).
//! Out: `parse_date` (strict: ISO 8601 / RFC 3339 / `YYYY/MM/DD`, or the user format; used for
//! `--since` and `--until`) and `read_date`, the reader for log cells: ISO first (the fast path
//! every ISO log takes), then the user format, then the spellings exports use — year-only,
//! month-only and quarter dates with their precision, Jira's `09/Jan/24 8:14 AM`, numeric
//! `a/b/yyyy` dates (reported as `Ambiguous` when both orders are valid, so the caller decides
//! the day/month order once per column), RFC 2822, Unix epoch seconds and milliseconds.
//! A date-time keeps its own local date (no time-zone conversion, so an entry logged late on
//! 31 March stays in Q1).
//! Invariant: never panics; an unreadable date is a reason, never a lost entry.
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses ISO 8601 dates and date-times, RFC 3339 and `YYYY/MM/DD`, or `format` when given.
pub fn parse_date(cell: &str, format: Option<&str>) -> Result<NaiveDate, String> {
    let s = cell.trim();
    if s.is_empty() {
        return Err("empty date".to_string());
    }
    if let Some(fmt) = format {
        return NaiveDate::parse_from_str(s, fmt)
            .or_else(|_| NaiveDateTime::parse_from_str(s, fmt).map(|d| d.date()))
            .or_else(|_| DateTime::parse_from_str(s, fmt).map(|d| d.date_naive()))
            .map_err(|e| {
                format!(
                    "date \"{}\" does not match --date-format \"{fmt}\": {e}",
                    clip(s)
                )
            });
    }
    if let Some(d) = iso_prefix(s) {
        return Ok(d);
    }
    Err(format!(
        "unreadable date \"{}\" (expected YYYY-MM-DD, an ISO 8601 / RFC 3339 date-time or YYYY/MM/DD; use --date-format for others)",
        clip(s)
    ))
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by a time part (`T` or space, then a
/// time, fraction and offset). The time part is validated loosely but must look like a time.
fn iso_prefix(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let sep = b[4];
    if !(sep == b'-' || sep == b'/') || b[7] != sep {
        return None;
    }
    // Byte-wise, so a multi-byte character can never split a slice.
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    match b.get(10) {
        None => Some(date),
        Some(b'T' | b' ') => valid_time(&b[11..]).then_some(date),
        Some(_) => None,
    }
}

/// `HH:MM[:SS[.fff]][Z|±HH[:MM]]`.
fn valid_time(b: &[u8]) -> bool {
    if b.len() < 5 || b[2] != b':' {
        return false;
    }
    let two = |i: usize| -> Option<u8> {
        (b.len() >= i + 2 && b[i].is_ascii_digit() && b[i + 1].is_ascii_digit())
            .then(|| (b[i] - b'0') * 10 + (b[i + 1] - b'0'))
    };
    match (two(0), two(3)) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 => {}
        _ => return false,
    }
    let mut i = 5;
    if i < b.len() && b[i] == b':' {
        if !matches!(two(i + 1), Some(sec) if sec <= 60) {
            return false;
        }
        i += 3;
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
    }
    let zone = b[i..].trim_ascii();
    if zone.is_empty() || zone.eq_ignore_ascii_case(b"z") || zone.eq_ignore_ascii_case(b"utc") {
        return true;
    }
    (zone[0] == b'+' || zone[0] == b'-')
        && zone[1..].iter().all(|c| c.is_ascii_digit() || *c == b':')
        && (3..=6).contains(&zone.len())
}

/// How finely a cell placed its entry in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Precision {
    Day,
    Month,
    #[default]
    Quarter,
    Year,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Quarter => "quarter",
            Precision::Year => "year",
        }
    }
}

/// What `read_date` made of a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateCell {
    /// A date and how precise it is (the first day of its month, quarter or year when coarser
    /// than a day).
    Date(NaiveDate, Precision),
    /// A numeric `a/b/y` date where both `a` and `b` are 12 or less: day-first and month-first
    /// readings (either may be invalid, e.g. 02/30).
    Ambiguous {
        day_first: Option<NaiveDate>,
        month_first: Option<NaiveDate>,
    },
    Empty,
    /// The reason the cell is not a date.
    Unreadable(String),
}

/// Which order a numeric `a/b/y` cell proves, when it proves one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    DayFirst,
    MonthFirst,
}

/// Reads a log's date cell: ISO (fast path), then `format`, then the spellings in the module
/// header. The second value tells which day/month order a numeric date proved, if any.
pub fn read_date(cell: &str, format: Option<&str>) -> (DateCell, Option<Order>) {
    let s = cell.trim();
    if s.is_empty() {
        return (DateCell::Empty, None);
    }
    if let Some(d) = iso_prefix(s) {
        return (DateCell::Date(d, Precision::Day), None);
    }
    if let Some(fmt) = format {
        if let Ok(d) = parse_date(s, Some(fmt)) {
            return (DateCell::Date(d, Precision::Day), None);
        }
    }
    loose(s).unwrap_or_else(|| {
        let hint = if format.is_some() {
            " (it matches neither --date-format nor ISO 8601)"
        } else {
            ""
        };
        (
            DateCell::Unreadable(format!("unreadable date \"{}\"{hint}", clip(s))),
            None,
        )
    })
}

/// One token of a date cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// Value and number of digits.
    Num(u64, u8),
    Month(u32),
    Quarter(u32),
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Words a date cell may hold that say nothing about the day.
const FILLER: &[&str] = &[
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "am",
    "pm",
    "utc",
    "gmt",
    "z",
    "t",
    "at",
    "of",
    "the",
    "st",
    "nd",
    "rd",
    "th",
    "on",
];

fn word(w: &str) -> Option<Option<Tok>> {
    let w = w.to_ascii_lowercase();
    if FILLER.contains(&w.as_str()) {
        return Some(None);
    }
    if w.len() == 2 && w.starts_with('q') {
        let q = u32::from(w.as_bytes()[1].wrapping_sub(b'0'));
        return (1..=4).contains(&q).then_some(Some(Tok::Quarter(q)));
    }
    if w.len() >= 3 {
        let m = MONTHS.iter().position(|m| w.starts_with(m))?;
        let full = crate::timeline::MONTH_NAMES[m];
        // "Jan", "Sept", "January" — not "Janitor".
        return (full.starts_with(&w) || w == "sept").then_some(Some(Tok::Month(m as u32 + 1)));
    }
    None
}

/// The date part of a cell as tokens; stops at the time (a number followed by ':').
/// `None` for anything that is not a date spelling.
fn tokens(s: &str) -> Option<(Vec<Tok>, bool)> {
    if s.len() > 64 {
        return None;
    }
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut dots = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if b.get(i) == Some(&b':') {
                break;
            }
            let digits = &s[start..i];
            if digits.len() > 13 {
                return None;
            }
            out.push(Tok::Num(digits.parse().ok()?, digits.len() as u8));
            if b.get(i) == Some(&b'.') {
                dots = true;
            }
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if let Some(t) = word(&s[start..i])? {
                out.push(t);
            }
        } else if matches!(c, b'/' | b'-' | b'.' | b',' | b' ' | b'\t') {
            i += 1;
        } else if c == b'+' && !out.is_empty() {
            break;
        } else {
            return None;
        }
        if out.len() > 4 {
            return None;
        }
    }
    Some((out, dots))
}

fn year_of(v: u64, digits: u8) -> Option<i32> {
    match digits {
        4 => Some(v as i32),
        // Two-digit years: 70-99 are 19xx, the rest 20xx (as most spreadsheets read them).
        2 => Some(if v >= 70 {
            1900 + v as i32
        } else {
            2000 + v as i32
        }),
        _ => None,
    }
}

fn ymd(y: i32, m: u64, d: u64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

/// Every spelling past ISO and the user format.
fn loose(s: &str) -> Option<(DateCell, Option<Order>)> {
    let day = |d: Option<NaiveDate>| d.map(|d| (DateCell::Date(d, Precision::Day), None));
    if let Some(d) = epoch(s) {
        return day(Some(d));
    }
    let (toks, dots) = tokens(s)?;
    use Tok::*;
    match toks.as_slice() {
        [Num(y, 4)] => Some((DateCell::Date(ymd(*y as i32, 1, 1)?, Precision::Year), None)),
        [Num(y, 4), Quarter(q)] | [Quarter(q), Num(y, 4)] => Some((
            DateCell::Date(ymd(*y as i32, u64::from(q * 3 - 2), 1)?, Precision::Quarter),
            None,
        )),
        [Num(y, 4), Month(m)] | [Month(m), Num(y, 4)] => Some((
            DateCell::Date(ymd(*y as i32, u64::from(*m), 1)?, Precision::Month),
            None,
        )),
        [Num(y, 4), Num(m, 1 | 2)] | [Num(m, 1 | 2), Num(y, 4)] => Some((
            DateCell::Date(ymd(*y as i32, *m, 1)?, Precision::Month),
            None,
        )),
        [Num(y, 4), Num(m, 1 | 2), Num(d, 1 | 2)] => day(ymd(*y as i32, *m, *d)),
        [Num(y, 4), Month(m), Num(d, 1 | 2)] => day(ymd(*y as i32, u64::from(*m), *d)),
        [Num(d, 1 | 2), Month(m), Num(y, yd @ (2 | 4))]
        | [Month(m), Num(d, 1 | 2), Num(y, yd @ (2 | 4))] => {
            day(ymd(year_of(*y, *yd)?, u64::from(*m), *d))
        }
        [Num(a, 1 | 2), Num(b, 1 | 2), Num(y, yd @ (2 | 4))] => {
            let y = year_of(*y, *yd)?;
            let (a, b) = (*a, *b);
            match (a > 12, b > 12) {
                (true, true) => None,
                (true, false) => day(ymd(y, b, a)).map(|(c, _)| (c, Some(Order::DayFirst))),
                (false, true) => day(ymd(y, a, b)).map(|(c, _)| (c, Some(Order::MonthFirst))),
                // "31.03.2025" is European wherever it is written; dots decide.
                (false, false) if dots => day(ymd(y, b, a)),
                (false, false) if a == b => day(ymd(y, a, b)),
                (false, false) => Some((
                    DateCell::Ambiguous {
                        day_first: ymd(y, b, a),
                        month_first: ymd(y, a, b),
                    },
                    None,
                )),
            }
        }
        _ => None,
    }
}

/// Unix epoch seconds (9-10 digits) or milliseconds (12-13 digits), optionally with a fraction.
fn epoch(s: &str) -> Option<NaiveDate> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if !int.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = int.parse().ok()?;
    let secs = match int.len() {
        9 | 10 => v,
        12 | 13 => v / 1000,
        _ => return None,
    };
    DateTime::from_timestamp(secs, 0).map(|d| d.date_naive())
}

/// The checks a date passes before it places an entry in the timeline.
#[derive(Debug, Clone)]
pub struct Dating {
    earliest: NaiveDate,
    latest: NaiveDate,
    coarsest: Precision,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

impl Dating {
    pub fn new(cfg: &super::IngestConfig) -> Dating {
        let latest = cfg.latest_date.unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            DateTime::from_timestamp(now, 0)
                .map_or(NaiveDate::MAX, |d| d.date_naive())
                .checked_add_days(chrono::Days::new(366))
                .unwrap_or(NaiveDate::MAX)
        });
        Dating {
            earliest: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN),
            latest,
            coarsest: cfg.coarsest_date,
            since: cfg.since,
            until: cfg.until,
        }
    }

    /// The date, or why it cannot place its entry: too coarse for the timeline's periods, or
    /// implausible (before 1900, or more than a year after the run).
    pub fn place(&self, d: NaiveDate, p: Precision, cell: &str) -> Result<NaiveDate, String> {
        if p > self.coarsest {
            return Err(format!(
                "{}-only date \"{}\" is coarser than the timeline's periods",
                p.name(),
                clip(cell.trim())
            ));
        }
        if d < self.earliest {
            return Err(format!("implausible date {d} (before 1900)"));
        }
        if d > self.latest {
            return Err(format!(
                "implausible date {d} (more than a year after today)"
            ));
        }
        Ok(d)
    }

    /// Whether a date is inside `--since` / `--until`.
    pub fn in_window(&self, d: NaiveDate) -> bool {
        !(self.since.is_some_and(|s| d < s) || self.until.is_some_and(|u| d > u))
    }
}

/// Numeric dates that proved their day/month order: counts and the first line of each.
#[derive(Debug, Clone, Copy, Default)]
pub struct Votes {
    pub day_first: u64,
    pub month_first: u64,
    pub first_day_first: Option<u64>,
    pub first_month_first: Option<u64>,
}

impl Votes {
    pub fn add(&mut self, order: Order, line: u64) {
        match order {
            Order::DayFirst => {
                self.day_first += 1;
                self.first_day_first.get_or_insert(line);
            }
            Order::MonthFirst => {
                self.month_first += 1;
                self.first_month_first.get_or_insert(line);
            }
        }
    }

    /// Adds a later part's votes (first lines stay the earliest).
    pub fn merge(&mut self, later: &Votes) {
        self.day_first += later.day_first;
        self.month_first += later.month_first;
        self.first_day_first = self.first_day_first.or(later.first_day_first);
        self.first_month_first = self.first_month_first.or(later.first_month_first);
    }

    /// The column's order and a sentence saying why.
    pub fn decide(&self) -> (Order, String) {
        match (self.day_first, self.month_first) {
            (0, 0) => (
                Order::MonthFirst,
                "read as month/day/year: no value has a day above 12 to decide the order \
                 (use --date-format %d/%m/%Y for day-first dates)"
                    .to_string(),
            ),
            (d, m) if d >= m => (
                Order::DayFirst,
                format!(
                    "read as day/month/year: {d} value(s) can only be day-first (first on line {}){}",
                    self.first_day_first.unwrap_or(0),
                    if m > 0 { format!(", {m} only month-first") } else { String::new() }
                ),
            ),
            (d, m) => (
                Order::MonthFirst,
                format!(
                    "read as month/day/year: {m} value(s) can only be month-first (first on line {}){}",
                    self.first_month_first.unwrap_or(0),
                    if d > 0 { format!(", {d} only day-first") } else { String::new() }
                ),
            ),
        }
    }
}

/// Whether `fmt` is a usable `--date-format`: it must parse as a strftime string and name at
/// least a year. The reason otherwise.
pub fn check_format(fmt: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    // Bounded: chrono can yield `Item::Error` for ever on some strings.
    let mut bad = false;
    for item in StrftimeItems::new(fmt).take(fmt.len() + 1) {
        if matches!(item, Item::Error) {
            bad = true;
            break;
        }
    }
    if bad {
        return Err(format!(
            "--date-format \"{fmt}\" is not a valid strftime format (e.g. %d.%m.%Y, %m/%d/%Y %H:%M)"
        ));
    }
    if !fmt.contains("%Y")
        && !fmt.contains("%y")
        && !fmt.contains("%G")
        && !fmt.contains("%s")
        && !fmt.contains("%F")
        && !fmt.contains("%D")
        && !fmt.contains("%C")
    {
        return Err(format!(
            "--date-format \"{fmt}\" names no year (%Y or %y), so no date can be read with it"
        ));
    }
    Ok(())
}

fn clip(s: &str) -> String {
    if s.chars().count() > 40 {
        let head: String = s.chars().take(40).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn accepts_iso_rfc3339_and_slashes() {
        assert_eq!(parse_date("2025-03-31", None), Ok(d(2025, 3, 31)));
        assert_eq!(parse_date("2025/03/31", None), Ok(d(2025, 3, 31)));
        assert_eq!(parse_date("2025-03-31T23:30:00Z", None), Ok(d(2025, 3, 31)));
        assert_eq!(
            parse_date("2025-03-31T23:30:00.123+02:00", None),
            Ok(d(2025, 3, 31))
        );
        assert_eq!(parse_date("2025-03-31 08:15", None), Ok(d(2025, 3, 31)));
        assert_eq!(parse_date(" 2024-02-29 ", None), Ok(d(2024, 2, 29)));
    }

    #[test]
    fn rejects_impossible_and_foreign_dates() {
        for bad in [
            "2025-02-30",
            "31/03/2025",
            "yesterday",
            "",
            "2025-13-01",
            "2025-01-01Tnope",
            "2025-01-01T25:00",
        ] {
            assert!(parse_date(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_format() {
        assert_eq!(
            parse_date("31.03.2025", Some("%d.%m.%Y")),
            Ok(d(2025, 3, 31))
        );
        assert_eq!(
            parse_date("03/31/2025 10:00", Some("%m/%d/%Y %H:%M")),
            Ok(d(2025, 3, 31))
        );
        assert!(parse_date("2025-03-31", Some("%d.%m.%Y")).is_err());
    }

    fn day(y: i32, m: u32, dd: u32) -> (DateCell, Option<Order>) {
        (DateCell::Date(d(y, m, dd), Precision::Day), None)
    }

    #[test]
    fn reads_export_spellings() {
        assert_eq!(read_date("09/Jan/24 8:14 AM", None), day(2024, 1, 9));
        assert_eq!(read_date("09/Jan/2024 20:14", None), day(2024, 1, 9));
        assert_eq!(
            read_date("Tue, 09 Jan 2024 08:14:00 +0000", None),
            day(2024, 1, 9)
        );
        assert_eq!(read_date("January 9, 2024", None), day(2024, 1, 9));
        assert_eq!(read_date("9-Sept-2024", None), day(2024, 9, 9));
        assert_eq!(read_date("1704787200", None), day(2024, 1, 9));
        assert_eq!(read_date("1704787200123", None), day(2024, 1, 9));
        assert_eq!(read_date("1704787200.5", None), day(2024, 1, 9));
        assert_eq!(
            read_date("31.03.2025", None),
            (
                DateCell::Date(d(2025, 3, 31), Precision::Day),
                Some(Order::DayFirst)
            )
        );
        assert_eq!(read_date("01.03.2025", None), day(2025, 3, 1));
        assert_eq!(read_date("2024-1-9", None), day(2024, 1, 9));
        assert_eq!(
            read_date("2024", None).0,
            DateCell::Date(d(2024, 1, 1), Precision::Year)
        );
        assert_eq!(
            read_date("2024-Q3", None).0,
            DateCell::Date(d(2024, 7, 1), Precision::Quarter)
        );
        assert_eq!(
            read_date("Q4 2023", None).0,
            DateCell::Date(d(2023, 10, 1), Precision::Quarter)
        );
        assert_eq!(
            read_date("2024-03", None).0,
            DateCell::Date(d(2024, 3, 1), Precision::Month)
        );
        assert_eq!(
            read_date("March 2024", None).0,
            DateCell::Date(d(2024, 3, 1), Precision::Month)
        );
    }

    #[test]
    fn numeric_dates_prove_their_order_or_stay_ambiguous() {
        assert_eq!(
            read_date("31/01/2024", None),
            (
                DateCell::Date(d(2024, 1, 31), Precision::Day),
                Some(Order::DayFirst)
            )
        );
        assert_eq!(
            read_date("01/31/2024 10:00", None),
            (
                DateCell::Date(d(2024, 1, 31), Precision::Day),
                Some(Order::MonthFirst)
            )
        );
        assert_eq!(
            read_date("02/03/2024", None).0,
            DateCell::Ambiguous {
                day_first: Some(d(2024, 3, 2)),
                month_first: Some(d(2024, 2, 3))
            }
        );
        assert!(matches!(
            read_date("13/13/2024", None).0,
            DateCell::Unreadable(_)
        ));
    }

    #[test]
    fn unknown_and_empty_are_not_dates() {
        assert_eq!(read_date("  ", None).0, DateCell::Empty);
        for bad in [
            "Unknown",
            "n/a",
            "TBD",
            "Janitor 2024",
            "2025-02-30",
            "12345",
            "Q5 2024",
        ] {
            assert!(
                matches!(read_date(bad, None).0, DateCell::Unreadable(_)),
                "{bad}"
            );
        }
    }

    #[test]
    fn iso_is_read_next_to_a_user_format() {
        assert_eq!(read_date("2025-03-31", Some("%d.%m.%Y")), day(2025, 3, 31));
        assert_eq!(read_date("31.03.2025", Some("%d.%m.%Y")), day(2025, 3, 31));
        assert_eq!(read_date("03-31-2025", Some("%m-%d-%Y")), day(2025, 3, 31));
    }

    #[test]
    fn formats_are_checked() {
        assert!(check_format("%d.%m.%Y").is_ok());
        assert!(check_format("%d/%b/%y %I:%M %p").is_ok());
        assert!(check_format("%Q").is_err());
        assert!(check_format("%").is_err());
        assert!(check_format("%d.%m").is_err());
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for s in [
            "2025-0é-01",
            "2025-01-01T1é:00",
            "2025-01-01T10:00:0",
            "９９９９-01-01",
            "2025-01-0é",
            "2025-01-01Té",
        ] {
            let _ = parse_date(s, None);
            let _ = read_date(s, None);
        }
    }
}
