//! The real `recur` binary on the fixtures in `tests/data`: formats, standard input, several
//! files, rejects with exact line numbers, exit codes, output files and their invariants.

use crate::util::{
    analyze, analyze_from_root, analyze_with, counts, data_dir, generate_log, k_of, parse_csv,
    patterns_json, recur, sample_log, Run,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Runs one fixture and checks what every good run must give: exit 0, the three outputs, the
/// expected counts, the detected columns (role → header) and one assignment per analyzed row.
#[track_caller]
fn fixture_ok(
    name: &str,
    read: u64,
    analyzed: u64,
    rejected: u64,
    columns: &[(&str, &str)],
) -> Run {
    let run = analyze(&[name]);
    run.assert_code(0);
    for f in ["report.md", "patterns.json", "assignments.csv"] {
        assert!(run.exists(f), "{name}: {f} not written");
    }
    assert_eq!(
        run.exists("rejected.csv"),
        rejected > 0,
        "{name}: rejected.csv"
    );
    let json = run.json();
    assert_eq!(
        counts(&json),
        (read, analyzed, rejected, 0),
        "{name}: counts"
    );
    let file = &json["input"]["per_file"][0];
    assert_eq!(file["file"], name);
    for (role, header) in columns {
        assert_eq!(
            file["columns"][role], *header,
            "{name}: column for {role}: {file}"
        );
    }
    assert_eq!(
        run.assignments().len() as u64,
        analyzed,
        "{name}: assignments"
    );
    let md = run.read("report.md");
    assert!(md.starts_with("# Recurring patterns"), "{name}: {md}");
    // Markdown escapes the underscores in file names.
    assert!(
        md.contains(&name.replace('_', "\\_")),
        "{name}: report names the file"
    );
    // Every analyzed entry is in a pattern or in "no clear pattern"; a log with no pattern
    // says why.
    let in_patterns: u64 = json["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["size"].as_u64().unwrap())
        .sum();
    let unassigned = json["no_pattern"]["size"].as_u64().unwrap_or(0);
    assert_eq!(
        in_patterns + unassigned,
        analyzed,
        "{name}: entries accounted"
    );
    if k_of(&json) == 0 && analyzed > 0 {
        let notes = json["notes"].to_string();
        assert!(
            notes.contains("Too few entries") || notes.contains("No clear structure"),
            "{name}: no pattern and no reason: {notes}"
        );
    }
    run
}

// ---------------------------------------------------------------- formats

#[test]
fn comma_csv() {
    let run = fixture_ok(
        "comma.csv",
        15,
        15,
        0,
        &[
            ("id", "id"),
            ("date", "date"),
            ("root_cause", "root_cause"),
            ("lesson", "lesson"),
        ],
    );
    assert_eq!(run.json()["input"]["per_file"][0]["format"], "csv");
}

#[test]
fn semicolon_csv_keeps_commas_in_text() {
    fixture_ok(
        "semicolon.csv",
        9,
        9,
        0,
        &[("date", "Date"), ("root_cause", "Root cause")],
    );
}

#[test]
fn tab_separated() {
    fixture_ok(
        "tab.tsv",
        8,
        8,
        0,
        &[
            ("date", "date"),
            ("root_cause", "root cause"),
            ("team", "team"),
        ],
    );
}

#[test]
fn bom_crlf_and_multiline_field() {
    let run = fixture_ok(
        "bom_crlf.csv",
        8,
        7,
        1,
        &[("date", "date"), ("root_cause", "root_cause")],
    );
    // The quoted field spans lines 2-3; the rows after it keep their true line numbers.
    let (h, rows) = run.csv("rejected.csv");
    assert_eq!(
        h,
        ["file", "line", "reason", "date", "root_cause", "lesson"]
    );
    let lines: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(lines, ["7"]);
    assert!(rows[0][2].contains("empty text"), "{:?}", rows[0]);
    assert_eq!(rows[0][5], "Nothing written");
    // Line 5's impossible date (2025-06-31) leaves the entry analyzed, undated.
    assert_eq!(run.json()["input"]["rows_undated"], 1);
    let data_rows: Vec<String> = run.assignments().iter().map(|a| a["row"].clone()).collect();
    assert_eq!(data_rows, ["1", "2", "3", "4", "6", "7", "8"]);
    assert!(
        run.stderr.contains("bom_crlf.csv line 5: unreadable date"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("bom_crlf.csv: line 7:"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_array() {
    let run = fixture_ok(
        "log.json",
        9,
        9,
        0,
        &[("id", "id"), ("date", "date"), ("root_cause", "root_cause")],
    );
    let ids: Vec<String> = run.assignments().iter().map(|a| a["id"].clone()).collect();
    assert_eq!(ids, (1..=9).map(|i| format!("J-{i}")).collect::<Vec<_>>());
}

#[test]
fn json_lines_with_a_broken_line() {
    let run = fixture_ok(
        "log.jsonl",
        9,
        8,
        1,
        &[("id", "id"), ("root_cause", "cause")],
    );
    let (_, rows) = run.csv("rejected.csv");
    assert_eq!(rows.len(), 1);
    // Line 4 is blank; the broken object is on line 6.
    assert_eq!(rows[0][1], "6");
    assert!(rows[0][2].contains("invalid JSON"), "{:?}", rows[0]);
    assert!(
        rows[0].iter().any(|f| f.contains("L-5")),
        "original text kept: {:?}",
        rows[0]
    );
    assert!(run.stderr.contains("log.jsonl: line 6:"), "{}", run.stderr);
}

#[test]
fn after_action_review_headers() {
    fixture_ok(
        "aar.csv",
        9,
        9,
        0,
        &[
            ("date", "Date"),
            ("root_cause", "Why the gap"),
            ("context", "What happened"),
            ("behavioral_change", "What to do next"),
        ],
    );
}

#[test]
fn jira_like_incident_export() {
    let run = fixture_ok(
        "jira.csv",
        9,
        9,
        0,
        &[
            ("id", "Issue key"),
            ("date", "Created"),
            ("root_cause", "Description"),
            ("context", "Summary"),
        ],
    );
    let first = &run.assignments()[0];
    assert_eq!(first["id"], "OPS-101");
    assert_eq!(first["date"], "2025-01-14");
}

// ---------------------------------------------------------------- standard input

#[test]
fn stdin_content_is_sniffed() {
    for (fixture, n, format) in [
        ("comma.csv", 15, "csv"),
        ("log.jsonl", 8, "jsonl"),
        ("log.json", 9, "json"),
    ] {
        let input = std::fs::read(data_dir().join(fixture)).unwrap();
        let run = analyze_with(&["-"], |c| {
            c.write_stdin(input);
        });
        run.assert_code(0);
        let json = run.json();
        assert_eq!(counts(&json).1, n, "{fixture}");
        assert_eq!(json["input"]["per_file"][0]["format"], format, "{fixture}");
        assert_eq!(json["input"]["files"][0], "<stdin>");
        assert!(run.assignments().iter().all(|a| a["file"] == "<stdin>"));
    }
}

#[test]
fn stdin_with_input_format() {
    // A bracketed first header looks like JSON to the sniffer; --input-format settles it.
    let input = "[Date],Root cause\n2025-01-02,Estimate too low\n2025-01-03,Told the client late\n";
    let sniffed = analyze_with(&["-"], |c| {
        c.write_stdin(input);
    });
    sniffed.assert_code(2);
    assert!(sniffed.stderr.contains("<stdin>"), "{}", sniffed.stderr);
    let run = analyze_with(&["-", "--input-format", "csv"], |c| {
        c.write_stdin(input);
    });
    run.assert_code(0);
    let json = run.json();
    assert_eq!(counts(&json), (2, 2, 0, 0));
    assert_eq!(json["input"]["per_file"][0]["columns"]["date"], "[Date]");
}

#[test]
fn stdin_only_once() {
    analyze(&["-", "-"]).assert_code(2);
}

#[test]
fn unknown_input_format_is_a_usage_error() {
    let run = analyze(&["comma.csv", "--input-format", "xlsx"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--input-format"), "{}", run.stderr);
}

// ---------------------------------------------------------------- several files

#[test]
fn several_files_together() {
    let run = analyze(&["comma.csv", "log.jsonl", "bad_dates.csv"]);
    run.assert_code(0);
    let json = run.json();
    assert_eq!(counts(&json), (15 + 9 + 9, 15 + 8 + 9, 1, 0));
    let per_file: Vec<(String, u64)> = json["input"]["per_file"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["rows_read"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_file,
        [
            ("comma.csv".to_string(), 15),
            ("log.jsonl".to_string(), 9),
            ("bad_dates.csv".to_string(), 9)
        ]
    );
    let a = run.assignments();
    let files: Vec<(&str, &str)> = a
        .iter()
        .map(|r| (r["file"].as_str(), r["row"].as_str()))
        .collect();
    let mut expected: Vec<(&str, String)> = Vec::new();
    expected.extend((1..=15).map(|r| ("comma.csv", r.to_string())));
    // log.jsonl: data rows are non-blank lines; the 5th (line 6) is the broken one.
    expected.extend([1, 2, 3, 4, 6, 7, 8, 9].map(|r| ("log.jsonl", r.to_string())));
    // bad_dates.csv: rows 2 and 4 have odd dates, which cost no entry.
    expected.extend((1..=9).map(|r| ("bad_dates.csv", r.to_string())));
    let expected: Vec<(&str, &str)> = expected.iter().map(|(f, r)| (*f, r.as_str())).collect();
    assert_eq!(files, expected);
    assert_eq!(a[15]["id"], "L-1");
    let (_, rejected) = run.csv("rejected.csv");
    let places: Vec<(&str, &str)> = rejected
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(places, [("log.jsonl", "6")]);
}

// ---------------------------------------------------------------- whole-file errors

#[test]
fn missing_text_column_lists_headers_and_file() {
    let run = analyze(&["no_text_column.csv"]);
    run.assert_code(2);
    for needle in ["no_text_column.csv", "\"when\"", "\"notes\"", "--column"] {
        assert!(run.stderr.contains(needle), "{needle} in {}", run.stderr);
    }
    assert!(!run.exists("report.md"));
}

#[test]
fn column_override_names_the_text_column() {
    let run = analyze(&["no_text_column.csv", "--column", "root_cause=notes"]);
    run.assert_code(0);
    let json = run.json();
    assert_eq!(counts(&json), (2, 2, 0, 0));
    assert_eq!(
        json["input"]["per_file"][0]["columns"]["root_cause"],
        "notes"
    );
    assert_eq!(json["input"]["per_file"][0]["columns"]["date"], "when");
}

#[test]
fn column_override_is_matched_loosely_and_wins() {
    // "Lesson" would not be chosen as root cause on its own.
    let run = analyze(&["comma.csv", "--column", "root_cause=LESSON"]);
    run.assert_code(0);
    assert_eq!(
        run.json()["input"]["per_file"][0]["columns"]["root_cause"],
        "lesson"
    );
}

#[test]
fn column_override_for_a_missing_header_fails() {
    let run = analyze(&["comma.csv", "--column", "root_cause=nope"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("nope") && run.stderr.contains("comma.csv"),
        "{}",
        run.stderr
    );
    analyze(&["comma.csv", "--column", "root_cause"]).assert_code(2);
    analyze(&["comma.csv", "--column", "colour=lesson"]).assert_code(2);
}

#[test]
fn nonexistent_file() {
    let run = analyze(&["comma.csv", "no-such-file.csv"]);
    run.assert_code(2);
    assert!(run.stderr.contains("no-such-file.csv"), "{}", run.stderr);
    assert!(!run.exists("report.md"));
}

#[test]
fn directory_as_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs-dir");
    std::fs::create_dir(&dir).unwrap();
    let run = analyze(&[dir.to_str().unwrap()]);
    run.assert_code(2);
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);
    assert!(run.stderr.contains("logs-dir"), "{}", run.stderr);
    assert!(!run.exists("report.md"));
}

#[test]
fn empty_files() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["empty.csv", "empty.json", "empty.jsonl", "blank.csv"] {
        let p = tmp.path().join(name);
        std::fs::write(&p, if name == "blank.csv" { "\n\n \r\n" } else { "" }).unwrap();
        let run = analyze(&[p.to_str().unwrap()]);
        run.assert_code(2);
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
    }
    let run = analyze_with(&["-"], |c| {
        c.write_stdin("");
    });
    run.assert_code(2);
    assert!(run.stderr.contains("<stdin>"), "{}", run.stderr);
}

#[test]
fn json_records_that_are_not_flat_objects_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("mixed.json");
    std::fs::write(
        &p,
        r#"[{"cause": "Estimate too low"}, 7, {"cause": {"nested": true}}, {"cause": "Told the client late"}]"#,
    )
    .unwrap();
    let run = analyze(&[p.to_str().unwrap()]);
    run.assert_code(0);
    assert_eq!(counts(&run.json()), (4, 2, 2, 0));
    // JSON arrays are placed by record number, not line.
    assert!(
        run.stderr.contains("mixed.json: record 2:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("mixed.json: record 3:"),
        "{}",
        run.stderr
    );
    let (_, rows) = run.csv("rejected.csv");
    let places: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(places, ["2", "3"]);
    assert_eq!(run.assignments()[1]["row"], "4");
}

/// Nothing to analyze is not an error: an empty report with zero patterns that says why.
#[test]
fn header_only_file() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("header.csv");
    std::fs::write(&p, "date,root_cause\n").unwrap();
    let run = analyze(&[p.to_str().unwrap()]);
    run.assert_code(0);
    let json = run.json();
    assert_eq!(counts(&json), (0, 0, 0, 0));
    assert_eq!(k_of(&json), 0);
    assert!(run.assignments().is_empty());
    // Said plainly, on stderr and in the report, without notes that only make sense for entries.
    assert!(
        run.stderr
            .contains("warning: No entries to analyze: the input has a header but no rows."),
        "{}",
        run.stderr
    );
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        ["No entries to analyze: the input has a header but no rows."]
    );
}

#[test]
fn every_row_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("all-bad.csv");
    std::fs::write(&p, "date,root_cause\n2025-02-03,  \n2025-01-01,\n").unwrap();
    let run = analyze(&[p.to_str().unwrap()]);
    // Unusable input: exit 2 with the first reasons, after rejected.csv is written.
    run.assert_code(2);
    assert!(
        run.stderr.contains("all 2 rows were rejected")
            && run.stderr.contains("all-bad.csv line 2: empty text"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("all-bad.csv: line 2:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("all-bad.csv: line 3:"),
        "{}",
        run.stderr
    );
    let json = run.json();
    assert_eq!(counts(&json), (2, 0, 2, 0));
    assert_eq!(k_of(&json), 0);
    assert_eq!(run.csv("rejected.csv").1.len(), 2);
    assert_eq!(
        json["notes"][0],
        "No entries to analyze: all 2 rows were rejected (reasons in rejected.csv)."
    );
    analyze(&[p.to_str().unwrap(), "--strict"]).assert_code(2);
}

// ---------------------------------------------------------------- rejected rows

#[test]
fn bad_dates_cost_no_entry_and_are_named_with_line_numbers() {
    let run = fixture_ok("bad_dates.csv", 9, 9, 0, &[("date", "date")]);
    // 2025-02-30 (line 3) has no reading: analyzed, undated, named; 31/03/2025 (line 5) is read
    // day-first, and the run says so.
    assert!(
        run.stderr
            .contains("bad_dates.csv line 3: unreadable date \"2025-02-30\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("read as day/month/year"),
        "{}",
        run.stderr
    );
    let json = run.json();
    assert_eq!(json["input"]["rows_undated"], 1);
    assert_eq!(json["timeline"]["undated"], 1, "{}", json["timeline"]);
}

#[test]
fn empty_text_is_rejected_with_line_numbers() {
    let run = fixture_ok("empty_cause.csv", 8, 6, 2, &[("root_cause", "root_cause")]);
    let (_, rows) = run.csv("rejected.csv");
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(got, [("3", ""), ("5", "   ")]);
    assert!(rows.iter().all(|r| r[2].contains("empty text")), "{rows:?}");
    assert!(
        run.stderr.contains("empty_cause.csv: line 3:"),
        "{}",
        run.stderr
    );
}

#[test]
fn short_row_is_rejected_not_lost() {
    let run = fixture_ok("short_row.csv", 7, 6, 1, &[]);
    let (h, rows) = run.csv("rejected.csv");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "4");
    assert!(rows[0][2].contains("expected 3 fields"), "{:?}", rows[0]);
    let raw = h.iter().position(|c| c == "raw").expect("raw column");
    assert_eq!(rows[0][raw], "2025-04-07");
}

#[test]
fn strict_fails_with_rejects_but_writes_outputs() {
    let run = analyze(&["empty_cause.csv", "--strict"]);
    run.assert_code(1);
    assert!(run.stderr.contains("--strict"), "{}", run.stderr);
    for f in [
        "report.md",
        "patterns.json",
        "assignments.csv",
        "rejected.csv",
    ] {
        assert!(run.exists(f), "{f}");
    }
    analyze(&["comma.csv", "--strict"]).assert_code(0);
}

#[test]
fn stale_rejected_csv_is_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    recur()
        .args(["analyze", "empty_cause.csv", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("rejected.csv").exists());
    recur()
        .args(["analyze", "comma.csv", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(
        !out.join("rejected.csv").exists(),
        "rejected.csv of the earlier run left behind"
    );
}

#[test]
fn date_window_counts_rows_out_of_range() {
    let run = analyze(&[
        "comma.csv",
        "--since",
        "2025-02-01",
        "--until",
        "2025-03-10",
    ]);
    run.assert_code(0);
    // Rows dated 2025-02-03 .. 2025-03-10: F-06 .. F-11.
    assert_eq!(counts(&run.json()), (15, 6, 0, 9));
    let ids: Vec<String> = run.assignments().iter().map(|a| a["id"].clone()).collect();
    assert_eq!(ids, ["F-06", "F-07", "F-08", "F-09", "F-10", "F-11"]);
    analyze(&[
        "comma.csv",
        "--since",
        "2025-03-01",
        "--until",
        "2025-02-01",
    ])
    .assert_code(2);
    analyze(&["comma.csv", "--since", "2025-02-30"]).assert_code(2);
}

// ---------------------------------------------------------------- parameters

#[test]
fn unknown_language() {
    let run = analyze(&["comma.csv", "--lang", "klingon"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("klingon") && run.stderr.contains("german"),
        "{}",
        run.stderr
    );
}

#[test]
fn german_log() {
    let run = analyze(&[
        "german.csv",
        "--lang",
        "german",
        "--column",
        "root_cause=Ursache",
        "--column",
        "date=Datum",
    ]);
    run.assert_code(0);
    let json = run.json();
    assert_eq!(json["parameters"]["language"], "german");
    assert_eq!(counts(&json), (9, 9, 0, 0));
    // German stop words are gone from the labels.
    for p in json["patterns"].as_array().unwrap() {
        let label = p["label"].as_str().unwrap().to_lowercase();
        for stop in label.split_whitespace() {
            assert!(
                !["der", "die", "das", "und", "nicht", "ich"].contains(&stop),
                "{label}"
            );
        }
    }
}

#[test]
fn patterns_must_be_a_positive_number() {
    for bad in ["0", "x", "-1", "2.5", "", "1001"] {
        let arg = format!("--patterns={bad}");
        let run = analyze(&["comma.csv", &arg]);
        run.assert_code(2);
        assert!(run.stderr.contains("--patterns"), "{bad}: {}", run.stderr);
    }
}

#[test]
fn fixed_number_of_patterns() {
    let run = analyze(&["comma.csv", "--patterns", "3"]);
    run.assert_code(0);
    let json = run.json();
    assert!((1..=3).contains(&k_of(&json)), "{}", k_of(&json));
    assert_eq!(json["parameters"]["patterns"], 3);
}

#[test]
fn quiet_prints_nothing() {
    let run = analyze(&["bad_dates.csv", "-q"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
}

// ---------------------------------------------------------------- output invariants

#[test]
fn assignments_follow_input_order() {
    let run = analyze(&["comma.csv"]);
    run.assert_code(0);
    let (h, rows) = run.csv("assignments.csv");
    assert_eq!(
        h,
        ["file", "row", "id", "date", "pattern", "label", "matched"]
    );
    assert_eq!(rows.len(), 15);
    let source = parse_csv(&std::fs::read_to_string(data_dir().join("comma.csv")).unwrap()).1;
    for (i, (row, src)) in rows.iter().zip(&source).enumerate() {
        assert_eq!(row[0], "comma.csv");
        assert_eq!(row[1], (i + 1).to_string());
        assert_eq!(row[2], src[0], "id");
        assert_eq!(row[3], src[1], "date");
    }
    check_labels(&run);
}

/// Every `pattern` is 0..=k, and its label is that pattern's label in patterns.json.
#[track_caller]
fn check_labels(run: &Run) {
    let json = run.json();
    let k = k_of(&json);
    let labels: BTreeMap<u64, String> = json["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_u64().unwrap(),
                p["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for a in run.assignments() {
        let p: u64 = a["pattern"].parse().expect("pattern is a number");
        assert!(p as usize <= k, "pattern {p} > k = {k}");
        if p == 0 {
            assert_eq!(a["label"], "no clear pattern");
        } else {
            assert_eq!(a["label"], labels[&p]);
        }
    }
}

#[test]
fn labels_are_at_most_k_on_every_fixture() {
    for f in ["semicolon.csv", "log.json", "jira.csv", "aar.csv"] {
        let run = analyze(&[f]);
        run.assert_code(0);
        check_labels(&run);
    }
}

#[test]
fn formula_cells_are_neutralized() {
    let run = analyze(&["formulas.csv"]);
    run.assert_code(0);
    let ids: Vec<String> = run.assignments().iter().map(|a| a["id"].clone()).collect();
    assert_eq!(
        ids[..4],
        ["'=HYPERLINK(\"http://x\")", "'+cmd", "'@SUM(A1)", "F-4"]
    );
    let (_, rows) = run.csv("rejected.csv");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "11");
    assert_eq!(rows[0][3..], ["'=2+2", "2025-02-03", ""]);
    assert_eq!(
        ids[8], "'-2+3",
        "an undated entry is analyzed, its id neutralized"
    );
    for f in ["assignments.csv", "rejected.csv"] {
        let (header, rows) = run.csv(f);
        for cell in header.iter().chain(rows.iter().flatten()) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{f}: live formula {cell:?}"
            );
        }
    }
    // The report shows the script as text, never as markup.
    let md = run.read("report.md");
    assert!(!md.contains("<script>"), "{md}");
}

#[test]
fn input_counts_add_up() {
    for args in [
        &["comma.csv"][..],
        &["bom_crlf.csv", "log.jsonl"],
        &["short_row.csv", "empty_cause.csv", "--since", "2025-03-10"],
    ] {
        let run = analyze(args);
        run.assert_code(0);
        let json = run.json();
        let (read, analyzed, rejected, out) = counts(&json);
        assert_eq!(read, analyzed + rejected + out, "{args:?}");
        assert_eq!(analyzed as usize, run.assignments().len(), "{args:?}");
        let (mut r, mut j) = (0, 0);
        for f in json["input"]["per_file"].as_array().unwrap() {
            r += f["rows_read"].as_u64().unwrap();
            j += f["rows_rejected"].as_u64().unwrap();
        }
        assert_eq!((r, j), (read, rejected), "{args:?}");
    }
}

#[test]
fn pattern_ids_are_numbered_by_size() {
    for f in ["comma.csv", "aar.csv", "log.json"] {
        let run = analyze(&[f, "--patterns", "3"]);
        run.assert_code(0);
        let json = run.json();
        let patterns = json["patterns"].as_array().unwrap();
        let ids: Vec<u64> = patterns.iter().map(|p| p["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, (1..=patterns.len() as u64).collect::<Vec<_>>(), "{f}");
        let sizes: Vec<u64> = patterns
            .iter()
            .map(|p| p["size"].as_u64().unwrap())
            .collect();
        assert!(
            sizes.windows(2).all(|w| w[0] >= w[1]),
            "{f}: sizes {sizes:?}"
        );
        assert!(sizes.iter().all(|&s| s > 0), "{f}: empty pattern {sizes:?}");
        // Sizes agree with the assignments.
        let mut per_id: BTreeMap<u64, u64> = BTreeMap::new();
        for a in run.assignments() {
            *per_id.entry(a["pattern"].parse().unwrap()).or_default() += 1;
        }
        for (i, s) in ids.iter().zip(&sizes) {
            assert_eq!(per_id.get(i).copied().unwrap_or(0), *s, "{f}: pattern {i}");
        }
        let unassigned = json["no_pattern"]["size"].as_u64().unwrap_or(0);
        assert_eq!(per_id.get(&0).copied().unwrap_or(0), unassigned, "{f}");
    }
}

/// Same input, same bytes: also with another thread count (rayon splits work differently).
#[test]
fn two_runs_give_identical_bytes() {
    let a = analyze(&["comma.csv", "log.jsonl"]);
    let b = analyze_with(&["comma.csv", "log.jsonl"], |c| {
        c.env("RAYON_NUM_THREADS", "1");
    });
    let c = analyze_with(&["comma.csv", "log.jsonl"], |c| {
        c.env("RAYON_NUM_THREADS", "3");
    });
    a.assert_code(0);
    b.assert_code(0);
    c.assert_code(0);
    assert_eq!(a.read("report.md"), c.read("report.md"), "3 threads");
    for f in [
        "report.md",
        "patterns.json",
        "assignments.csv",
        "rejected.csv",
    ] {
        assert_eq!(a.read(f), b.read(f), "{f} differs between runs");
    }
}

/// Pattern membership by entry id, as a set of groups, plus each id's label.
fn grouping(run: &Run) -> (BTreeSet<BTreeSet<String>>, BTreeMap<String, String>) {
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut labels = BTreeMap::new();
    for a in run.assignments() {
        groups
            .entry(a["pattern"].clone())
            .or_default()
            .insert(a["id"].clone());
        labels.insert(a["id"].clone(), a["label"].clone());
    }
    (groups.into_values().collect(), labels)
}

/// A copy of `path` with its data rows in a seeded random order.
fn shuffled_copy(path: &Path, dir: &Path, seed: u64) -> std::path::PathBuf {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let text = std::fs::read_to_string(path).unwrap();
    let (header, mut rows) = parse_csv(&text);
    let original = rows.clone();
    rows.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    assert_ne!(rows, original, "the shuffle must move rows");
    let copy = dir.join(path.file_name().unwrap());
    let mut w = csv::Writer::from_path(&copy).unwrap();
    w.write_record(&header).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    copy
}

#[test]
fn row_order_does_not_change_the_grouping() {
    for (path, seed) in [(data_dir().join("comma.csv"), 1), (sample_log(), 2)] {
        let tmp = tempfile::tempdir().unwrap();
        let copy = shuffled_copy(&path, tmp.path(), seed);
        let original = analyze(&[path.to_str().unwrap()]);
        let reordered = analyze(&[copy.to_str().unwrap()]);
        original.assert_code(0);
        reordered.assert_code(0);
        let (groups, labels) = grouping(&original);
        assert_eq!(labels.len(), original.assignments().len(), "ids are unique");
        assert_eq!((groups, labels), grouping(&reordered), "{}", path.display());
        let k = |r: &Run| k_of(&r.json());
        assert_eq!(k(&original), k(&reordered));
    }
}

#[test]
fn outputs_stay_inside_the_output_folder() {
    let work = tempfile::tempdir().unwrap();
    std::fs::copy(
        data_dir().join("empty_cause.csv"),
        work.path().join("log.csv"),
    )
    .unwrap();
    let out = work.path().join("nested/out");
    recur()
        .current_dir(work.path())
        .args(["analyze", "log.csv", "-q", "-o", "nested/out"])
        .assert()
        .success();
    let mut found = Vec::new();
    walk(work.path(), work.path(), &mut found);
    found.sort();
    let outside: Vec<&String> = found
        .iter()
        .filter(|p| {
            *p != "log.csv" && *p != "nested" && *p != "nested/out" && !p.starts_with("nested/out/")
        })
        .collect();
    assert!(outside.is_empty(), "files outside -o: {outside:?}");
    for f in [
        "report.md",
        "patterns.json",
        "assignments.csv",
        "rejected.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing: {found:?}");
    }
    let temp: Vec<&String> = found
        .iter()
        .filter(|p| {
            let name = Path::new(p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            name.starts_with('.') || name.contains(".tmp") || name.ends_with('~')
        })
        .collect();
    assert!(temp.is_empty(), "temporary files left: {temp:?}");
    // Nothing was written next to the fixtures either.
    let mut data = Vec::new();
    walk(&data_dir(), &data_dir(), &mut data);
    assert!(
        data.iter()
            .all(|p| !p.contains(".tmp") && !p.starts_with("recur-report")),
        "{data:?}"
    );
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        found.push(
            p.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
        );
        if p.is_dir() {
            walk(root, &p, found);
        }
    }
}

#[test]
fn patterns_json_is_complete() {
    let run = analyze(&["comma.csv"]);
    run.assert_code(0);
    let json = run.json();
    for key in ["input", "parameters", "selection", "patterns"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    for p in json["patterns"].as_array().unwrap() {
        assert!(!p["label"].as_str().unwrap().is_empty());
        let share = p["share"].as_f64().unwrap();
        assert!(share > 0.0 && share <= 1.0, "{share}");
        assert!(p["examples"].as_array().is_some_and(|e| !e.is_empty()));
        for e in p["examples"].as_array().unwrap() {
            assert_eq!(e["file"], "comma.csv");
            assert!(matches!(e["row"].as_u64(), Some(1..=15)));
        }
    }
    let shares: f64 = json["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json.get("no_pattern").filter(|v| !v.is_null()))
        .map(|p| p["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-3, "shares sum to {shares}");
    assert!(
        json["selection"]["method"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        json["selection"]
    );
}

/// The tendencies in comma.csv are planted: estimates, telling people late, skipping staging.
/// With k fixed at 3, each planted group must land in one pattern (a loose quality floor). Only
/// the root cause is analyzed: the lesson columns name the group outright.
#[test]
fn planted_tendencies_are_found() {
    let run = analyze(&[
        "comma.csv",
        "--patterns",
        "3",
        "--no-outliers",
        "--text",
        "root_cause",
    ]);
    run.assert_code(0);
    let by_id: BTreeMap<String, String> = run
        .assignments()
        .into_iter()
        .map(|a| (a["id"].clone(), a["pattern"].clone()))
        .collect();
    let planted = [
        ["F-01", "F-04", "F-07", "F-10", "F-13"],
        ["F-02", "F-05", "F-08", "F-11", "F-14"],
        ["F-03", "F-06", "F-09", "F-12", "F-15"],
    ];
    let mut majority = Vec::new();
    for group in planted {
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for id in group {
            *votes.entry(by_id[id].as_str()).or_default() += 1;
        }
        let (p, n) = votes.into_iter().max_by_key(|(_, n)| *n).unwrap();
        assert!(n >= 4, "{group:?} split across patterns: {by_id:?}");
        majority.push(p.to_string());
    }
    majority.sort();
    majority.dedup();
    assert_eq!(majority.len(), 3, "two tendencies merged: {by_id:?}");
}

// ---------------------------------------------------------------- snapshot

#[test]
fn report_md_snapshot() {
    let run = analyze(&["aar.csv", "--patterns", "3"]);
    run.assert_code(0);
    insta::assert_snapshot!("report_md_aar", run.read("report.md"));
}

/// A log large enough that `assignments.csv` is formatted in several parallel blocks and the
/// control/group counts in several parallel parts: every entry still appears once, in input
/// order, and the counts add up per pattern and overall.
#[test]
fn large_log_keeps_every_entry_in_order() {
    const ROWS: usize = 70_000;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("big.csv");
    generate_log(
        &log,
        &recur_gen::SynthParams {
            rows: ROWS,
            seed: 5,
            ..Default::default()
        },
    );
    let out = dir.path().join("out");
    analyze_from_root(
        log.to_str().unwrap(),
        &out,
        &["--patterns", "4", "--charts", "none"],
    )
    .success();
    let (header, rows) = parse_csv(&std::fs::read_to_string(out.join("assignments.csv")).unwrap());
    assert_eq!(
        header,
        ["file", "row", "id", "date", "pattern", "label", "matched"]
    );
    assert_eq!(rows.len(), ROWS);
    let (_, source) = parse_csv(&std::fs::read_to_string(&log).unwrap());
    for (i, (row, src)) in rows.iter().zip(&source).enumerate() {
        assert_eq!(row[1], (i + 1).to_string(), "row {i}");
        assert_eq!(row[2], src[0], "id of row {i}");
    }
    let json = patterns_json(&out);
    let sum = |v: &Value| -> u64 {
        v.as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum()
    };
    assert_eq!(sum(&json["control"]), ROWS as u64);
    for p in json["patterns"].as_array().unwrap() {
        assert_eq!(sum(&p["control"]), p["size"].as_u64().unwrap());
        assert_eq!(sum(&p["groups"]), p["size"].as_u64().unwrap());
    }
}
