//! `report.html`: self-contained (nothing loads from anywhere), hostile text shows as text,
//! long lists are cut, and the page keeps its structure (snapshots).

use recur::cluster::KSelection;
use recur::ingest::{FileSummary, Format, Ingested};
use recur::patterns::{Counted, Example, Pattern, Patterns};
use recur::record::{Control, Record, Role};
use recur::report::{ChartFile, ChartFiles, Html, Renderer, Report};
use std::fs;
use std::path::Path;

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/chart-small.csv");
const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/html-hostile.csv");

mod common;

fn analyze(input: &str, out: &Path, extra: &[&str]) -> String {
    common::analyze_from_root(input, out, extra).success();
    fs::read_to_string(out.join("report.html")).unwrap()
}

/// Everything in the page that could make a browser fetch or run something.
fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for needle in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "<link",
        "@import",
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "src=\"//",
        "href=\"//",
    ] {
        if lower.contains(needle) {
            found.push(needle.to_string());
        }
    }
    // url(...) is only fine for inline data.
    for (at, _) in lower.match_indices("url(") {
        let arg = lower[at + 4..].trim_start_matches(['\'', '"', ' ']);
        if !arg.starts_with("data:") {
            found.push(lower[at..(at + 40).min(lower.len())].to_string());
        }
    }
    found
}

#[test]
fn report_html_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let html = analyze(SMALL, dir.path(), &["--patterns", "3"]);
    assert_eq!(external_references(&html), Vec::<String>::new());
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    // The charts are inline, not linked.
    assert_eq!(html.matches("<figure id=\"chart-").count(), 5);
    assert!(
        html.matches("<svg").count() >= 5 + 3,
        "charts and per-pattern trends inline"
    );
    assert!(!html.contains("<img"));
}

#[test]
fn hostile_text_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let html = analyze(HOSTILE, dir.path(), &["--patterns", "2"]);
    assert_eq!(external_references(&html), Vec::<String>::new());
    for raw in [
        "<script",
        "<img",
        "<b>",
        "<style>body",
        "</td></tr></table><script",
    ] {
        assert!(!html.contains(raw), "unescaped {raw}");
    }
    // Visible as text where the entries are listed.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; I estimated"));
    assert!(
        html.contains("&lt;script&gt;alert(3)&lt;/script&gt;"),
        "the id"
    );
    assert!(html.contains("&lt;script&gt;alert(4)&lt;/script&gt;"));
    // `<b>` is formatting markup, removed before analysis (issue 13); quotes and `&` are still
    // escaped.
    assert!(html.contains("Add a &quot;buffer&quot; &amp; bold"));
    // The page still parses as one document: one body, one closing html tag.
    assert_eq!(html.matches("<body>").count(), 1);
    assert!(html.trim_end().ends_with("</html>"));
}

/// The page's outline — ids and headings, not the words clustering picks — so the snapshot
/// holds across clustering tweaks.
fn skeleton(html: &str) -> String {
    let mut out = Vec::new();
    for line in html.lines() {
        let t = line.trim();
        if let Some(at) = t.find(" id=\"") {
            let tag = t[1..].split([' ', '>']).next().unwrap_or("");
            let id = t[at + 5..].split('"').next().unwrap_or("");
            out.push(format!("{tag}#{id}"));
        }
        if let Some(rest) = t.strip_prefix("<h3>") {
            let text = rest.split('<').next().unwrap_or("");
            if !text.is_empty() {
                out.push(format!("  h3 {text}"));
            }
        }
        if t.starts_with("<details>") {
            out.push("  details".into());
        }
    }
    out.join("\n")
}

#[test]
fn page_outline_of_a_two_pattern_run() {
    let dir = tempfile::tempdir().unwrap();
    let html = analyze(SMALL, dir.path(), &["--patterns", "2", "--no-outliers"]);
    insta::assert_snapshot!("outline_two_patterns", skeleton(&html));
}

// ---- the renderer on a hand-built report ----

fn record(i: usize, text: &str, control: Control) -> Record {
    Record {
        file: 0,
        row: i as u64 + 1,
        line: i as u64 + 2,
        id: format!("E-{:03}", i + 1).into(),
        date: chrono::NaiveDate::from_ymd_opt(2025, 1 + (i % 12) as u32, 1),
        root_cause: text.into(),
        lesson: "Say it early.".into(),
        control,
        ..Default::default()
    }
}

fn pattern(id: u32, label: &str, members: Vec<usize>, n: usize) -> Pattern {
    Pattern {
        id,
        label: label.into(),
        terms: vec![("estimate".into(), 0.5), ("happy path".into(), 0.4)],
        term_stems: vec!["estim".into(), "happi path".into()],
        size: members.len(),
        share: members.len() as f64 / n as f64,
        examples: vec![Example {
            index: members[0],
            text: "Estimated <the> happy path".into(),
            similarity: 0.9,
            matched: vec![],
        }],
        lessons: vec![Counted {
            text: "Estimate the whole job".into(),
            count: 2,
        }],
        behavioral_changes: Vec::new(),
        tendency: None,
        tendency_id: None,
        tendency_index: None,
        seeded: false,
        support: None,
        members,
    }
}

fn hand_built(n1: usize) -> (Ingested, Patterns) {
    let mut records: Vec<Record> = (0..n1)
        .map(|i| {
            record(
                i,
                "Estimated the happy path & forgot the backfill",
                Control::Within,
            )
        })
        .collect();
    records.push(record(
        n1,
        "Told nobody <b>until</b> the day before",
        Control::Outside,
    ));
    records.push(record(n1 + 1, "", Control::Unknown));
    let n = records.len();
    let ingested = Ingested {
        files: vec![FileSummary {
            name: "log <1>.csv".into(),
            format: Format::Csv,
            rows_read: n as u64,
            rows_rejected: 0,
            rows_out_of_range: 0,
            columns: vec![
                (Role::RootCause, "root_cause".into()),
                (Role::Control, "control".into()),
            ],
            has_dates: true,
            group_column: None,
            ..Default::default()
        }],
        records,
        rows_read: n as u64,
        ..Default::default()
    };
    let patterns = Patterns {
        patterns: vec![
            pattern(1, "estimate / happy path", (0..n1).collect(), n),
            pattern(2, "told <nobody>", vec![n1], n),
        ],
        unassigned: Some(pattern(0, "no clear pattern", vec![n1 + 1], n)),
    };
    (ingested, patterns)
}

fn render(ingested: &Ingested, patterns: &Patterns, charts: Option<&ChartFiles>) -> String {
    let selection = KSelection {
        method: "fixed",
        scores: Vec::new(),
        chosen: 2,
        structured: true,
        evaluated_on: 0,
    };
    let report = Report {
        ingested,
        records: &ingested.records,
        patterns,
        selection: &selection,
        evaluation: None,
        timeline: None,
        charts,
        parameters: serde_json::json!({}),
        notes: vec!["A note with <angle> brackets.".into()],
        blameless: false,
        cues: None,
        breakdown: Default::default(),
    };
    let mut out = Vec::new();
    Html.render(&report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn renderer_on_a_hand_built_report() {
    let (ingested, patterns) = hand_built(3);
    let charts = ChartFiles {
        charts: vec![ChartFile {
            name: "patterns",
            title: "Patterns by size".into(),
            description: "Entries per pattern.".into(),
            svg: "<svg width=\"1600\" height=\"600\" viewBox=\"0 0 1600 600\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>\n".into(),
            files: vec!["charts/patterns.svg".into()],
        }],
        pattern_trends: vec![(1, "<svg width=\"560\" height=\"220\" viewBox=\"0 0 560 220\">\n</svg>\n".into())],
        notes: vec!["The log has no dates, so the quarterly chart and the trend charts are skipped.".into()],
    };
    let html = render(&ingested, &patterns, Some(&charts));
    assert_eq!(external_references(&html), Vec::<String>::new());
    // The CSS is long and is not what this snapshot guards; the document around it is.
    let body = &html[html.find("</head>").unwrap()..];
    let head: String = html[..html.find("<style>").unwrap()].to_string();
    insta::assert_snapshot!("hand_built_head", head);
    insta::assert_snapshot!("hand_built_body", body);
}

#[test]
fn long_entry_lists_are_cut_with_a_count_of_the_rest() {
    let (ingested, patterns) = hand_built(120);
    let html = render(&ingested, &patterns, None);
    assert!(html.contains("The first 50 of its 120 entries"));
    assert!(html.contains("… and 70 more"));
    assert_eq!(html.matches("<td class=\"id\">E-").count(), 50 + 1 + 1);
    assert!(html.contains("No charts were drawn"));
}
