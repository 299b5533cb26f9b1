//! Date cells → calendar dates.
//!
//! In: a cell's text and an optional user format (`--date-format`, chrono strftime syntax).
//! Out: the calendar date as written (a date-time keeps its own local date; no time-zone
//! conversion, so an entry logged late on 31 March stays in Q1).
//! Invariant: never panics; an unreadable date is an `Err` with a reason for the rejects file.

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
        }
    }
}
