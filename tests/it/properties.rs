//! Properties over random failure logs: every row read is analyzed (a bad date only leaves it
//! undated), rejected (with a reason and the line it starts on) or outside the date window; the binary always finishes with
//! consistent counts and labels no larger than k.

use crate::util::{analyze, counts, k_of};
use chrono::Datelike;
use proptest::prelude::*;
use recur::ingest::{ingest, IngestConfig, Source};
use recur::record::Role;

/// One generated data row and what ingest must make of it.
#[derive(Debug, Clone)]
enum Row {
    Good {
        date: String,
        text: String,
        lesson: String,
    },
    BadDate {
        date: String,
        text: String,
    },
    EmptyText {
        date: String,
        blank: String,
    },
    Short {
        date: String,
    },
}

impl Row {
    fn fields(&self) -> Vec<String> {
        match self {
            Row::Good { date, text, lesson } => vec![date.clone(), text.clone(), lesson.clone()],
            Row::BadDate { date, text } => vec![date.clone(), text.clone(), "x".into()],
            Row::EmptyText { date, blank } => vec![date.clone(), blank.clone(), "nothing".into()],
            Row::Short { date } => vec![date.clone()],
        }
    }

    /// Whether ingest must analyze the row: a bad date costs no entry.
    fn good(&self) -> bool {
        matches!(self, Row::Good { .. } | Row::BadDate { .. })
    }
}

const WORDS: &[&str] = &[
    "estimate",
    "late",
    "staging",
    "client",
    "told",
    "deadline",
    "migration",
    "happy",
    "path",
    "test",
    "skipped",
    "manager",
    "risk",
    "dry",
    "run",
    "production",
    "Überraschung",
    "délai",
    "見積もり",
    "😬",
    "\"quoted\"",
    "comma,inside",
    "semi;colon",
    "tab\there",
    "line\nbreak",
    "crlf\r\nbreak",
    "=SUM(A1)",
    "<b>",
    "",
    " ",
];

fn date() -> impl Strategy<Value = String> {
    (2000i32..2030, 1u32..=12, 1u32..=28, any::<bool>()).prop_map(|(y, m, d, time)| {
        if time {
            format!("{y:04}-{m:02}-{d:02}T10:30:00Z")
        } else {
            format!("{y:04}-{m:02}-{d:02}")
        }
    })
}

fn bad_date() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("2025-02-30".to_string()),
        Just("31/03/2025".to_string()),
        Just("2025-13-01".to_string()),
        Just("yesterday".to_string()),
        Just("2025-01-01T25:00".to_string()),
        "[0-9/.-]{1,12}".prop_filter("not an ISO date", |s| s.len() != 10),
    ]
}

/// Free text that is never blank: a known word, then random words and random Unicode.
fn text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&WORDS[..16]),
        prop::collection::vec(prop::sample::select(WORDS), 0..8),
        "\\PC{0,12}",
    )
        .prop_map(|(first, rest, noise)| {
            let mut s = first.to_string();
            for w in rest {
                s.push(' ');
                s.push_str(w);
            }
            s.push(' ');
            s.push_str(&noise);
            s
        })
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        6 => (date(), text(), text()).prop_map(|(date, text, lesson)| Row::Good { date, text, lesson }),
        1 => (bad_date(), text()).prop_map(|(date, text)| Row::BadDate { date, text }),
        1 => (date(), prop::sample::select(vec!["", " ", "\t", "  \u{3000}"]))
            .prop_map(|(date, blank)| Row::EmptyText { date, blank: blank.to_string() }),
        1 => date().prop_map(|date| Row::Short { date }),
    ]
}

/// Writes the rows as CSV (with `crlf` line ends when asked) and returns the bytes and the
/// 1-based line each data row starts on.
fn write_csv(rows: &[Row], delimiter: u8, crlf: bool) -> (Vec<u8>, Vec<u64>) {
    let terminator = if crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .terminator(terminator)
        .from_writer(Vec::new());
    w.write_record(["date", "root_cause", "lesson"]).unwrap();
    let mut lines = Vec::new();
    for r in rows {
        w.flush().unwrap();
        let newlines = w.get_ref().iter().filter(|&&b| b == b'\n').count() as u64;
        lines.push(newlines + 1);
        w.write_record(r.fields()).unwrap();
    }
    (w.into_inner().unwrap(), lines)
}

fn log() -> impl Strategy<Value = (Vec<Row>, u8, bool)> {
    (
        prop::collection::vec(row(), 1..40),
        prop::sample::select(vec![b',', b';', b'\t']),
        any::<bool>(),
    )
}

/// Ingests `bytes` as a CSV file on disk (the streamed path), root cause as the text, from
/// `since` on.
fn ingest_file(bytes: &[u8], since: Option<chrono::NaiveDate>) -> recur::ingest::Ingested {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    std::fs::write(&path, bytes).unwrap();
    ingest(&IngestConfig {
        sources: vec![Source::Path(path)],
        text_roles: vec![Role::RootCause],
        since,
        // The generated dates run to 2029: none is implausible here.
        latest_date: chrono::NaiveDate::from_ymd_opt(2100, 1, 1),
        ..Default::default()
    })
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Nothing read is lost, every reject says why and where, and lines are exact.
    #[test]
    fn every_row_is_analyzed_or_rejected((rows, delimiter, crlf) in log()) {
        let (bytes, lines) = write_csv(&rows, delimiter, crlf);
        let got = ingest_file(&bytes, None);

        prop_assert_eq!(
            got.rows_read,
            got.records.len() as u64
                + got.rejects.len() as u64
                + got.rows_out_of_range
                + got.rows_duplicate
        );
        prop_assert_eq!(got.rows_read, rows.len() as u64);
        prop_assert_eq!(got.records.len(), rows.iter().filter(|r| r.good()).count());
        for r in &got.rejects {
            prop_assert!(!r.reason.trim().is_empty());
            prop_assert!(matches!(r.position, recur::record::Position::Line(n) if n >= 2), "{}", r.position);
        }
        let bad_lines: Vec<u64> = rows.iter().zip(&lines).filter(|(r, _)| !r.good()).map(|(_, &l)| l).collect();
        let reject_lines: Vec<u64> = got.rejects.iter().map(|r| r.position.number()).collect();
        prop_assert_eq!(reject_lines, bad_lines);
        let good: Vec<(u64, u64)> = rows
            .iter()
            .zip(&lines)
            .enumerate()
            .filter(|(_, (r, _))| r.good())
            .map(|(i, (_, &l))| (i as u64 + 1, l))
            .collect();
        let records: Vec<(u64, u64)> = got.records.iter().map(|r| (r.row, r.line)).collect();
        prop_assert_eq!(records, good);
        for (rec, row) in got.records.iter().zip(rows.iter().filter(|r| r.good())) {
            match row {
                Row::Good { text, .. } => {
                    // Markup in the random text is removed before analysis (issue 13).
                    prop_assert_eq!(&*rec.root_cause, &*recur::ingest::strip_markup(text.trim()));
                    prop_assert!(rec.date.is_some());
                }
                Row::BadDate { text, .. } => {
                    prop_assert_eq!(&*rec.root_cause, &*recur::ingest::strip_markup(text.trim()))
                }
                _ => {}
            }
        }
    }

    /// A date window only moves rows from analyzed to out of range.
    #[test]
    fn date_window_keeps_the_count((rows, delimiter, crlf) in log(), since in 2000i32..2030) {
        let (bytes, _) = write_csv(&rows, delimiter, crlf);
        let got = ingest_file(&bytes, chrono::NaiveDate::from_ymd_opt(since, 1, 1));
        prop_assert_eq!(
            got.rows_read,
            got.records.len() as u64
                + got.rejects.len() as u64
                + got.rows_out_of_range
                + got.rows_duplicate
        );
        prop_assert_eq!(got.rejects.len(), rows.iter().filter(|r| !r.good()).count());
        prop_assert!(got.records.iter().all(|r| r.date.is_none_or(|d| d.year() >= since)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// The whole binary on random logs: exit 0, counts that add up, labels ≤ k.
    #[test]
    fn binary_on_random_logs((rows, delimiter, crlf) in log(), extra in prop::collection::vec((date(), text()), 3..10)) {
        // At least a few analyzable rows, so the run has something to cluster.
        let mut rows = rows;
        rows.extend(extra.into_iter().map(|(date, text)| Row::Good { date, text, lesson: String::new() }));
        let (bytes, _) = write_csv(&rows, delimiter, crlf);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        std::fs::write(&path, &bytes).unwrap();
        let run = analyze(&[path.to_str().unwrap(), "-q"]);
        prop_assert_eq!(run.code, Some(0), "{}", run.stderr);
        let json = run.json();
        let (read, analyzed, rejected, out) = counts(&json);
        prop_assert_eq!(read, analyzed + rejected + out);
        prop_assert_eq!(read, rows.len() as u64);
        prop_assert_eq!(analyzed as usize, rows.iter().filter(|r| r.good()).count());
        let k = k_of(&json);
        let assignments = run.assignments();
        prop_assert_eq!(assignments.len() as u64, analyzed);
        for a in &assignments {
            let p: usize = a["pattern"].parse().unwrap();
            prop_assert!(p <= k, "pattern {} > k {}", p, k);
        }
        prop_assert_eq!(run.exists("rejected.csv"), rejected > 0);
        if rejected > 0 {
            let (_, rejects) = run.csv("rejected.csv");
            prop_assert_eq!(rejects.len() as u64, rejected);
        }
    }
}
