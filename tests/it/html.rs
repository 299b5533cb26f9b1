//! `report.html`: self-contained (nothing loads from anywhere), hostile text shows as text,
//! long lists are cut, and the page keeps its structure (snapshots).

use crate::util::analyze_from_root;
use recur::cluster::KSelection;
use recur::ingest::{FileSummary, Format, Ingested};
use recur::patterns::{Counted, Example, Pattern, Patterns};
use recur::record::{Control, Record, Role};
use recur::report::{ChartFile, ChartFiles, Html, Renderer, Report};
use std::fs;
use std::path::Path;

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/chart-small.csv");
const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/html-hostile.csv");

fn analyze(input: &str, out: &Path, extra: &[&str]) -> String {
    analyze_from_root(input, out, extra).success();
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
    assert_eq!(html.matches("<figure id=\"chart-").count(), 6);
    assert!(
        html.matches("<svg").count() >= 6 + 3,
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
            // What the learned reader read, escaped like the rest.
            matched: vec!["took <on> & more".into()],
            read: true,
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
        read: false,
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
        set_aside: None,
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
        readings: None,
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
    assert!(body.contains(" · the reader read: took &lt;on&gt; &amp; more</p>"));
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

// ---- the complete report: every part of report.md is in report.html ----

const SAMPLE: &str = "data/failure-log.csv";
const LABELLED: &str = "data/failure-log-labelled.csv";
const TEAMS: &str = "tests/data/trends-teams.csv";

/// Runs the binary and returns (report.md, report.html).
fn both(input: &str, out: &Path, extra: &[&str]) -> (String, String) {
    analyze_from_root(input, out, extra).success();
    (
        fs::read_to_string(out.join("report.md")).unwrap(),
        fs::read_to_string(out.join("report.html")).unwrap(),
    )
}

/// Markdown escapes undone (`\|`, `\*`, `&lt;`...), so a heading reads as its text.
fn md_text(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if n.is_ascii_punctuation() {
                    continue;
                }
            }
        }
        out.push(c);
    }
    unescape_html(&out)
}

fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<hN>` element of the page, tags stripped and entities undone.
fn html_headings(html: &str, level: u8) -> Vec<String> {
    let (open, close) = (format!("<h{level}>"), format!("</h{level}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let body = &rest[at + open.len()..];
        let end = body.find(&close).expect("heading closes");
        let mut text = String::new();
        let mut in_tag = false;
        for c in body[..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        found.push(unescape_html(&text));
        rest = &body[end..];
    }
    found
}

/// Every `## ` and `### ` heading of report.md has an `<h2>` / `<h3>` with the same text in
/// report.html (a pattern's heading may leave out the " — N entries (x%)" it shows below it),
/// and every summary line of report.md (`- **Key:**`) is a `<dt>Key</dt>` of the page.
fn assert_html_has_every_md_section(md: &str, html: &str) {
    for (prefix, level) in [("## ", 2), ("### ", 3)] {
        let have = html_headings(html, level);
        for line in md.lines().filter_map(|l| l.strip_prefix(prefix)) {
            let want = md_text(line);
            let short = want.rsplit_once(" — ").map_or(want.as_str(), |(a, _)| a);
            assert!(
                have.iter().any(|h| *h == want || h == short),
                "report.md has `{prefix}{line}` but report.html has no <h{level}> for it; it has {have:?}"
            );
        }
    }
    // The summary list is the block after the title.
    let summary = md.split("\n\n").nth(1).expect("a summary list");
    for line in summary.lines() {
        let Some(rest) = line.strip_prefix("- **") else {
            continue;
        };
        let key = rest.split("**").next().unwrap().trim_end_matches(':');
        assert!(
            html.contains(&format!("<dt>{}</dt>", recur::report::esc(&md_text(key)))),
            "summary line `{line}` of report.md is not in report.html"
        );
    }
}

#[test]
fn every_section_of_report_md_is_in_report_html() {
    let dir = tempfile::tempdir().unwrap();
    let runs: [(&str, &[&str]); 4] = [
        (SAMPLE, &["--review", "2026-Q3"]),
        (LABELLED, &["--review", "2026-Q3", "--truth", "tendency"]),
        (LABELLED, &["--truth", "tendency", "--patterns", "8"]),
        (TEAMS, &["--group-by", "team"]),
    ];
    for (i, (input, extra)) in runs.iter().enumerate() {
        let (md, html) = both(input, &dir.path().join(i.to_string()), extra);
        assert!(md.contains("\n## Trends"), "{input}: the run has trends");
        assert_html_has_every_md_section(&md, &html);
    }
}

#[test]
fn report_html_has_the_trends_growth_control_groups_and_review() {
    let dir = tempfile::tempdir().unwrap();
    let (md, html) = both(
        LABELLED,
        &dir.path().join("r"),
        &["--review", "2026-Q3", "--truth", "tendency"],
    );
    // Trends: the table and the rule that calls them.
    assert!(html.contains("<section id=\"trends\">"));
    assert!(html.contains(&recur::report::esc(recur::timeline::TREND_RULE)));
    assert!(html.contains("<th>Share earlier → recent</th>"));
    assert!(html.contains("<h3>Entries per quarter</h3>"));
    assert!(html.contains("2026-Q3 (review)"));
    // Growth: the fading pattern and the changes written before it faded.
    assert!(html.contains("<h2>Growth</h2>"));
    assert!(html.contains("<strong>Behavioural changes written before it faded:</strong>"));
    // Avoided conversations stopped after 2025-Q2 (one stray entry later): resolved.
    assert!(md.contains("Avoided difficult conversations — resolved, last seen"));
    assert!(html.contains("Avoided difficult conversations — resolved, last seen"));
    // The evidence each call rests on, and what to expect next, marked as an estimate.
    assert!(html.contains("<th>Evidence</th>"));
    assert!(html.contains("<section id=\"expectation\">"));
    assert!(html.contains("<h2>What to expect in 2026-Q4 (estimate)</h2>"));
    assert!(html.contains("<th class=\"num\">90 % interval</th>"));
    // Control, with what it calls for.
    assert!(html.contains("<h2>Within or outside your control</h2>"));
    assert!(html.contains("<th>What it calls for</th>"));
    for lean in [
        recur::breakdown::Lean::Within,
        recur::breakdown::Lean::Outside,
    ] {
        if md.contains(lean.advice()) {
            assert!(html.contains(&recur::report::esc(lean.advice())));
        }
    }
    assert!(html.contains(&recur::report::esc(recur::breakdown::Lean::Within.advice())));
    // The group-by table.
    assert!(html.contains("<section id=\"groups\">\n<h2>By team</h2>"));
    assert!(html.contains("<th class=\"num\">platform</th>"));
    // The review section and the "this quarter" summary at the top.
    assert!(html.contains("<section id=\"review\">\n<h2>Review of 2026-Q3</h2>"));
    assert!(html.contains("<th class=\"num\">Entries in 2026-Q3</th>"));
    let top = html
        .find("<h2>This quarter: 2026-Q3</h2>")
        .expect("this quarter");
    assert!(top < html.find("<h2>Summary</h2>").unwrap());
    assert!(html.contains("Written before it faded: “"));
    // The evaluation against the truth column.
    assert!(html.contains("<dt>Agreement with the truth column</dt>"));
    assert_eq!(external_references(&html), Vec::<String>::new());
}

#[test]
fn review_period_changes_the_page_and_the_page_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let plain = analyze(SAMPLE, &dir.path().join("a"), &[]);
    let again = analyze(SAMPLE, &dir.path().join("b"), &[]);
    assert_eq!(plain, again, "same input and seed, same bytes");
    let reviewed = analyze(SAMPLE, &dir.path().join("c"), &["--review", "2025-Q3"]);
    assert!(!plain.contains("Review of"));
    assert!(reviewed.contains("<h2>Review of 2025-Q3</h2>"));
    assert!(reviewed.contains("<h2>This quarter: 2025-Q3</h2>"));
    assert_ne!(plain, reviewed);
}

#[test]
fn hostile_team_names_and_changes_are_text_in_the_review_tables() {
    let dir = tempfile::tempdir().unwrap();
    let log = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TEAMS)).unwrap();
    let log = log
        .replace(",platform,", ",<script>alert(7)</script>,")
        .replace(",data,", ",\"a|b & \"\"c\"\"\",");
    let path = dir.path().join("hostile-teams.csv");
    fs::write(&path, log).unwrap();
    let (md, html) = both(
        path.to_str().unwrap(),
        &dir.path().join("o"),
        &["--group-by", "team"],
    );
    assert!(!html.contains("<script"), "unescaped team name");
    assert!(html.contains("<th class=\"num\">&lt;script&gt;alert(7)&lt;/script&gt;</th>"));
    assert!(html.contains("a|b &amp; &quot;c&quot;"));
    assert!(md.contains("a\\|b &amp; \"c\""));
    assert_eq!(external_references(&html), Vec::<String>::new());
    assert_html_has_every_md_section(&md, &html);
}

/// The "Rejected rows" section: each shown rejected row names its file, its place as the file
/// counts it (records in a JSON array, lines elsewhere) and its reason, in both reports.
#[test]
fn rejected_rows_are_listed_with_their_place() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("log.json");
    let mut records: Vec<String> = (0..12)
        .map(|i| {
            format!(
                r#"{{"date": "2025-0{}-1{}", "root_cause": "we skipped the review of change {i} <b>again</b>"}}"#,
                i % 9 + 1,
                i % 9
            )
        })
        .collect();
    records.insert(
        3,
        r#"{"date": "2025-01-01", "root_cause": "   "}"#.to_string(),
    );
    records.push(r#""not an object""#.to_string());
    fs::write(&input, format!("[\n{}\n]\n", records.join(",\n"))).unwrap();
    let out = tmp.path().join("out");
    let html = analyze(input.to_str().unwrap(), &out, &[]);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Rejected rows"), "{md}");
    assert!(md.contains("2 of 14 rows could not be analyzed"), "{md}");
    assert!(md.contains("log.json | record 4 |"), "{md}");
    assert!(md.contains("log.json | record 14 |"), "{md}");
    assert!(html.contains("id=\"rejected\""), "no section anchor");
    assert!(html.contains("record 14"));
    // Every row analyzed: no such section.
    let clean = tmp.path().join("clean");
    let html = analyze(SMALL, &clean, &[]);
    assert!(!html.contains("Rejected rows"));
}
