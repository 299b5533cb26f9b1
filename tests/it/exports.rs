//! What teams actually export (issue 13): every file in `tests/data/exports` (one per
//! `--preset`, laid out as the tool documents it) is analyzed whole, from its root-cause field,
//! with no markup left in the report; odd dates, overlapping exports, UTF-16 and Latin-1 files
//! cost no entry. Each test runs the real binary.

use crate::util::{analyze, analyze_with, counts, data_dir};
use serde_json::Value;

/// Rows in every example export.
const ROWS: u64 = 21;

/// Text a report example or label must not contain once markup is removed.
const MARKUP: &[&str] = &[
    "<", ">", "{", "}", "**", "](", "|", "&amp;", "&nbsp;", "&#", "```", "h2.", "*", "[", "]",
];

/// Every pattern's label, terms and example texts.
fn shown_texts(json: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let patterns = json["patterns"].as_array().unwrap().iter();
    for p in patterns.chain(json["no_pattern"].as_object().map(|_| &json["no_pattern"])) {
        if let Some(l) = p["label"].as_str() {
            out.push(l.to_string());
        }
        for t in p["terms"].as_array().into_iter().flatten() {
            out.push(t.as_str().unwrap_or("").to_string());
        }
        for e in p["examples"].as_array().into_iter().flatten() {
            out.push(e["text"].as_str().unwrap().to_string());
        }
    }
    out
}

/// Runs one export (with `--preset` when given) and checks: exit 0, every row analyzed, the
/// column chosen for each role, and no markup in what the report shows.
#[track_caller]
fn export_ok(file: &str, preset: Option<&str>, columns: &[(&str, &str)]) -> (Value, String) {
    let path = format!("exports/{file}");
    let mut args = vec![path.as_str(), "--charts", "none"];
    if let Some(p) = preset {
        args.extend(["--preset", p]);
    }
    let run = analyze(&args);
    run.assert_code(0);
    let json = run.json();
    assert_eq!(counts(&json), (ROWS, ROWS, 0, 0), "{file}: counts");
    assert_eq!(json["input"]["rows_undated"], 0, "{file}: every date read");
    assert_eq!(json["input"]["rows_duplicate"], 0, "{file}");
    let f = &json["input"]["per_file"][0];
    for (role, header) in columns {
        assert_eq!(f["columns"][role], *header, "{file}: {role}: {f}");
    }
    if let Some(p) = preset {
        assert_eq!(
            f["column_reasons"]["root_cause"],
            format!("--preset {p}"),
            "{file}"
        );
    }
    let texts = shown_texts(&json);
    assert!(!texts.is_empty(), "{file}: nothing shown");
    for t in &texts {
        for m in MARKUP {
            assert!(!t.contains(m), "{file}: markup {m:?} left in {t:?}");
        }
    }
    let md = run.read("report.md");
    for m in [
        "{noformat}",
        "{quote}",
        "<strong>",
        "<br",
        "](https://wiki",
        "&nbsp;",
    ] {
        assert!(!md.contains(m), "{file}: report.md shows {m}");
    }
    // The run says which column it used for each role, and why.
    assert!(
        run.stderr.contains(&format!("recur: {path}: ")),
        "{}",
        run.stderr
    );
    (json, run.stderr)
}

/// The example root causes are about pools, certificates, config pushes, indexes, disks, DNS
/// and memory: the patterns' terms must come from there, not from titles or markup.
#[track_caller]
fn terms_from_root_causes(json: &Value) {
    let terms: Vec<&str> = json["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["terms"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    let causes = [
        "pool", "connect", "certif", "config", "index", "disk", "log", "dns", "memory", "leak",
        "ttl", "rotat", "oom", "queri", "query", "stag",
    ];
    assert!(
        terms.iter().any(|t| causes.iter().any(|c| t.contains(c))),
        "{terms:?}"
    );
    assert!(!json["patterns"].as_array().unwrap().is_empty());
}

#[test]
fn jira_csv_without_flags() {
    let (json, stderr) = export_ok(
        "jira.csv",
        None,
        &[
            ("root_cause", "Custom field (Root Cause)"),
            ("date", "Created"),
            ("team", "Component/s"),
            ("id", "Issue key"),
        ],
    );
    terms_from_root_causes(&json);
    assert!(
        stderr.contains("recognised as a root-cause column"),
        "{stderr}"
    );
    // Jira's `05/Jan/24 8:14 PM` dates: 21 incidents, two a month from January 2024.
    assert_eq!(json["timeline"]["totals"], serde_json::json!([6, 6, 6, 3]));
    // Repeated `Component/s` headers: both values kept.
    let groups = json["patterns"][0]["groups"].as_object().unwrap();
    assert!(
        groups.keys().any(|k| k.ends_with("; backend")),
        "{groups:?}"
    );
}

#[test]
fn jira_csv_with_preset() {
    export_ok(
        "jira.csv",
        Some("jira"),
        &[
            ("root_cause", "Custom field (Root Cause)"),
            ("context", "Summary"),
        ],
    );
}

#[test]
fn jira_rest_search_response() {
    let (json, _) = export_ok(
        "jira-search.json",
        Some("jira-json"),
        &[
            ("root_cause", "Root Cause"),
            ("date", "fields.created"),
            ("team", "fields.components.name"),
            ("id", "key"),
        ],
    );
    terms_from_root_causes(&json);
    // Without flags the custom field is found by its name (from `names`) too.
    export_ok("jira-search.json", None, &[("root_cause", "Root Cause")]);
}

#[test]
fn nested_fields_can_be_named_by_dotted_path() {
    let run = analyze(&[
        "exports/jira-search.json",
        "--charts",
        "none",
        "--column",
        "root_cause=fields.customfield_10050",
        "--column",
        "team=fields.priority.name",
    ]);
    run.assert_code(0);
    let json = run.json();
    let f = &json["input"]["per_file"][0];
    assert_eq!(f["columns"]["root_cause"], "fields.customfield_10050");
    assert_eq!(f["columns"]["team"], "fields.priority.name");
    assert_eq!(f["column_reasons"]["root_cause"], "--column");
    assert_eq!(counts(&json).1, ROWS);
}

#[test]
fn pagerduty_incidents() {
    let (json, _) = export_ok(
        "pagerduty-incidents.json",
        Some("pagerduty"),
        &[
            ("root_cause", "description"),
            ("date", "created_at"),
            ("team", "teams.summary"),
            ("id", "incident_number"),
        ],
    );
    terms_from_root_causes(&json);
    export_ok(
        "pagerduty-incidents.json",
        None,
        &[("root_cause", "description")],
    );
}

#[test]
fn incident_io_incidents() {
    let (json, _) = export_ok(
        "incident-io-incidents.json",
        Some("incident-io"),
        &[
            ("root_cause", "Root cause"),
            ("team", "Affected team"),
            ("id", "reference"),
            ("date", "created_at"),
        ],
    );
    terms_from_root_causes(&json);
    // The custom field named "Root cause" is found without a preset.
    export_ok(
        "incident-io-incidents.json",
        None,
        &[("root_cause", "Root cause"), ("team", "Affected team")],
    );
}

#[test]
fn dispatch_incidents() {
    let (json, _) = export_ok(
        "dispatch-incidents.json",
        Some("dispatch"),
        &[
            ("root_cause", "resolution"),
            ("team", "participants_team"),
            ("date", "reported_at"),
        ],
    );
    terms_from_root_causes(&json);
    export_ok(
        "dispatch-incidents.json",
        None,
        &[("team", "participants_team")],
    );
}

#[test]
fn firehydrant_incidents() {
    let (json, _) = export_ok(
        "firehydrant-incidents.json",
        Some("firehydrant"),
        &[
            ("root_cause", "summary"),
            ("team", "teams.name"),
            ("id", "number"),
        ],
    );
    terms_from_root_causes(&json);
    export_ok("firehydrant-incidents.json", None, &[]);
}

#[test]
fn rootly_json_api_incidents() {
    let (json, _) = export_ok(
        "rootly-incidents.json",
        Some("rootly"),
        &[
            ("root_cause", "resolution_message"),
            ("team", "groups.name"),
            ("id", "sequential_id"),
            ("date", "started_at"),
        ],
    );
    terms_from_root_causes(&json);
    // Without a preset, resolution notes still beat the summary and the title.
    let (_, stderr) = export_ok(
        "rootly-incidents.json",
        None,
        &[("root_cause", "resolution_message")],
    );
    assert!(stderr.contains("no root-cause column"), "{stderr}");
}

#[test]
fn opsgenie_incidents() {
    let (json, _) = export_ok(
        "opsgenie-incidents.json",
        Some("opsgenie"),
        &[
            ("root_cause", "description"),
            ("team", "ownerTeam"),
            ("id", "tinyId"),
            ("date", "createdAt"),
        ],
    );
    terms_from_root_causes(&json);
    export_ok("opsgenie-incidents.json", None, &[("team", "ownerTeam")]);
}

#[test]
fn servicenow_table_api() {
    let (json, _) = export_ok(
        "servicenow-incident.json",
        Some("servicenow"),
        &[
            ("root_cause", "u_root_cause"),
            ("team", "assignment_group"),
            ("id", "number"),
            ("date", "opened_at"),
        ],
    );
    terms_from_root_causes(&json);
    export_ok(
        "servicenow-incident.json",
        None,
        &[("root_cause", "u_root_cause"), ("team", "assignment_group")],
    );
}

#[test]
fn github_issues() {
    let (json, _) = export_ok(
        "github-issues.json",
        Some("github"),
        &[
            ("root_cause", "body"),
            ("id", "number"),
            ("date", "created_at"),
        ],
    );
    terms_from_root_causes(&json);
    export_ok("github-issues.json", None, &[("root_cause", "body")]);
}

#[test]
fn google_sre_postmortems() {
    let (json, _) = export_ok(
        "google-sre-postmortems.csv",
        Some("google-sre"),
        &[
            ("root_cause", "Root Causes"),
            ("lesson", "Lessons Learned"),
            ("behavioral_change", "Action Items"),
        ],
    );
    terms_from_root_causes(&json);
    export_ok(
        "google-sre-postmortems.csv",
        None,
        &[("root_cause", "Root Causes")],
    );
}

#[test]
fn every_export_has_a_test_and_reads_with_no_flags() {
    let mut names: Vec<String> = std::fs::read_dir(data_dir().join("exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let source = include_str!("exports.rs");
    for n in &names {
        assert!(
            source.contains(&format!("\"{n}\"")),
            "{n} has no test of its own"
        );
    }
    assert_eq!(names.len(), 11, "{names:?}");
}

#[test]
fn unknown_preset_is_an_argument_error() {
    let run = analyze(&["exports/jira.csv", "--preset", "nagios"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("nagios") && run.stderr.contains("servicenow"),
        "{}",
        run.stderr
    );
}

// ------------------------------------------------------------------ dates

#[test]
fn odd_dates_cost_no_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("odd-dates.csv");
    std::fs::write(
        &p,
        "id,date,root_cause\n\
         1,2024-01-10,Connection pool exhausted under load\n\
         2,Unknown,Connection pool exhausted again after the deploy\n\
         3,,The connection pool was too small for the batch job\n\
         4,2024,Certificate expired on the load balancer\n\
         5,0001-01-01,Certificate rotation failed silently\n\
         6,9999-12-31,The certificate expired over the weekend\n\
         7,0024-03-01,Config pushed without a staging test\n\
         8,2024-Q2,Config change skipped staging\n\
         9,2024-05,Config change went straight to production\n\
         10,1715000000,Disk full because logs were not rotated\n",
    )
    .unwrap();
    let run = analyze(&[p.to_str().unwrap(), "--charts", "none"]);
    run.assert_code(0);
    let json = run.json();
    assert_eq!(counts(&json), (10, 10, 0, 0), "every entry analyzed");
    // Unknown, empty, year-only (coarser than a quarter), 0001, 9999 and 0024 are undated;
    // the quarter, the month and the epoch seconds are placed.
    assert_eq!(json["input"]["rows_undated"], 6, "{}", json["input"]);
    assert_eq!(json["timeline"]["undated"], 6);
    let totals: u64 = json["timeline"]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(totals, 4, "dated entries in the timeline");
    for needle in [
        "line 3: unreadable date \"Unknown\"",
        "line 4: empty date",
        "line 5: year-only date",
        "line 6: implausible date 0001-01-01",
    ] {
        assert!(run.stderr.contains(needle), "{needle} in {}", run.stderr);
    }
    // Every entry, dated or not, is in assignments.csv.
    assert_eq!(run.assignments().len(), 10);
    // With --period year the year-only date has a place.
    let run = analyze(&[p.to_str().unwrap(), "--charts", "none", "--period", "year"]);
    assert_eq!(run.json()["input"]["rows_undated"], 5);
}

#[test]
fn day_month_order_is_decided_per_column_and_said() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("eu.csv");
    std::fs::write(
        &p,
        "date,cause\n02/03/2024,Pool exhausted\n25/03/2024,Pool exhausted again\n04/05/2024,Pool too small\n",
    )
    .unwrap();
    let run = analyze(&[p.to_str().unwrap(), "--charts", "none"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("read as day/month/year") && run.stderr.contains("line 3"),
        "{}",
        run.stderr
    );
    let dates: Vec<String> = run
        .assignments()
        .iter()
        .map(|a| a["date"].clone())
        .collect();
    assert_eq!(dates, ["2024-03-02", "2024-03-25", "2024-05-04"]);
}

#[test]
fn date_format_keeps_iso_and_invalid_formats_are_argument_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("mixed.csv");
    std::fs::write(
        &p,
        "date,cause\n31.03.2025,Pool exhausted\n2025-04-01,Pool exhausted again\n",
    )
    .unwrap();
    let run = analyze(&[
        p.to_str().unwrap(),
        "--date-format",
        "%d.%m.%Y",
        "--charts",
        "none",
    ]);
    run.assert_code(0);
    assert_eq!(run.json()["input"]["rows_undated"], 0);
    for bad in ["%Q", "%d.%m"] {
        let run = analyze(&[p.to_str().unwrap(), "--date-format", bad]);
        run.assert_code(2);
        assert!(run.stderr.contains("--date-format"), "{}", run.stderr);
    }
}

// ------------------------------------------------------------------ duplicates

/// Three monthly ServiceNow list exports that overlap: 16 rows, 12 incidents.
fn monthly_exports(dir: &std::path::Path) -> Vec<String> {
    let causes = [
        "Connection pool exhausted",
        "Certificate expired",
        "Config pushed without staging",
    ];
    let mut paths = Vec::new();
    // Incidents 1-6 in January's file, 3-10 in February's (3-6 updated), 11-12 in March's.
    for (month, range) in [(1, 1..=6), (2, 3..=10), (3, 11..=12)] {
        let mut text = String::from("number,opened_at,short_description,close_notes\n");
        for n in range {
            let opened = if n <= 6 { 1 } else { 2 };
            text.push_str(&format!(
                "INC{n:07},2024-{opened:02}-{:02} 09:00:00,Incident {n},{} (as of month {month})\n",
                n + 1,
                causes[n % 3]
            ));
        }
        let p = dir.join(format!("incidents-2024-{month:02}.csv"));
        std::fs::write(&p, text).unwrap();
        paths.push(p.to_string_lossy().into_owned());
    }
    paths
}

#[test]
fn overlapping_monthly_exports_count_each_incident_once() {
    let tmp = tempfile::tempdir().unwrap();
    let paths = monthly_exports(tmp.path());
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    args.extend(["--charts", "none"]);
    let run = analyze(&args);
    run.assert_code(0);
    let json = run.json();
    let input = &json["input"];
    assert_eq!(input["rows_read"], 16);
    assert_eq!(input["rows_analyzed"], 12);
    assert_eq!(input["rows_duplicate"], 4);
    // read = analyzed + rejected + out of range + duplicates
    assert_eq!(counts(&json), (16, 12, 0, 0));
    assert!(
        run.stderr.contains("4 rows repeat the id of a later row"),
        "{}",
        run.stderr
    );
    // The last version wins: incidents 3-6 come from February's file.
    let a = run.assignments();
    let inc3 = a.iter().find(|r| r["id"] == "INC0000003").unwrap();
    assert!(inc3["file"].ends_with("incidents-2024-02.csv"), "{inc3:?}");
    let ids: std::collections::BTreeSet<&str> = a.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), 12);
    // Quarter totals: 12 incidents, not 16.
    assert_eq!(json["timeline"]["totals"], serde_json::json!([12]));
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    args.extend(["--charts", "none", "--keep-duplicates"]);
    let run = analyze(&args);
    assert_eq!(run.json()["input"]["rows_analyzed"], 16);
}

// ------------------------------------------------------------------ encodings

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for u in std::iter::once(0xFEFF).chain(text.encode_utf16()) {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_files_are_decoded() {
    let text = "date\troot cause\tteam\r\n2024-01-01\tConnection pool exhausted – café\tpayments\r\n2024-02-01\tPool exhausted again\tpayments\r\n";
    for (name, be) in [("le.txt", false), ("be.txt", true)] {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join(name);
        std::fs::write(&p, utf16(text, be)).unwrap();
        let run = analyze(&[p.to_str().unwrap(), "--charts", "none"]);
        run.assert_code(0);
        let json = run.json();
        assert_eq!(counts(&json), (2, 2, 0, 0), "{name}");
        assert_eq!(json["input"]["rows_undated"], 0, "{name}");
        assert!(run.stderr.contains("UTF-16"), "{}", run.stderr);
    }
}

#[test]
fn latin1_files_are_read_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("latin1.csv");
    std::fs::write(
        &p,
        b"date;cause\n2024-01-01;Caf\xe9 pool exhausted\n2024-02-01;D\xe9ploiement sans test\n",
    )
    .unwrap();
    let run = analyze(&[p.to_str().unwrap(), "--charts", "none"]);
    run.assert_code(0);
    assert_eq!(counts(&run.json()), (2, 2, 0, 0));
    assert!(run.stderr.contains("Windows-1252"), "{}", run.stderr);
    let json = run.json();
    let texts = shown_texts(&json);
    assert!(texts.iter().any(|t| t.contains("Café")), "{texts:?}");
}

// ------------------------------------------------------------------ exit codes, blameless

#[test]
fn all_rejected_is_exit_2_and_header_only_is_a_valid_empty_log() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.csv");
    std::fs::write(&p, "date,cause,extra\n2024-01-01,,x\n2024-01-02\n").unwrap();
    let run = analyze(&[p.to_str().unwrap()]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("bad.csv line 2: empty text")
            && run.stderr.contains("bad.csv line 3: expected 3 fields"),
        "{}",
        run.stderr
    );
    assert!(run.exists("rejected.csv"));
    let h = tmp.path().join("header.csv");
    std::fs::write(&h, "date,cause\n").unwrap();
    let run = analyze(&[h.to_str().unwrap()]);
    run.assert_code(0);
    assert!(run.stderr.contains("header but no rows"), "{}", run.stderr);
}

#[test]
fn blameless_covers_rejected_csv_and_every_people_column() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("people.csv");
    std::fs::write(
        &p,
        "id,date,cause,Authors,Creator,Comment,caller_id\n\
         1,2024-01-01,Pool exhausted,Zoe Quinn,Yan Ortiz,05/Jan/24;xavier.west;checked,Wanda Vale\n\
         2,2024-01-02,,Zoe Quinn,Yan Ortiz,05/Jan/24;xavier.west;checked,Wanda Vale\n\
         3,2024-01-03,Pool exhausted again,Zoe Quinn,Yan Ortiz,none,Wanda Vale,extra\n",
    )
    .unwrap();
    let run = analyze(&[p.to_str().unwrap(), "--blameless", "--charts", "none"]);
    run.assert_code(0);
    let all: String = [
        "report.md",
        "report.html",
        "patterns.json",
        "assignments.csv",
        "rejected.csv",
    ]
    .iter()
    .map(|f| run.read(f))
    .collect();
    for name in ["Zoe", "Yan", "xavier", "Wanda"] {
        assert!(!all.contains(name), "{name} in an output");
    }
    let (h, rows) = run.csv("rejected.csv");
    assert_eq!(rows.len(), 2);
    for col in ["Authors", "Creator", "Comment", "caller_id"] {
        assert!(!h.iter().any(|c| c == col), "{col} in {h:?}");
    }
}

#[test]
fn stdin_takes_a_pretty_printed_envelope() {
    let doc = std::fs::read(data_dir().join("exports/servicenow-incident.json")).unwrap();
    let run = analyze_with(&["-", "--charts", "none"], |c| {
        c.write_stdin(doc);
    });
    run.assert_code(0);
    let json = run.json();
    assert_eq!(counts(&json), (ROWS, ROWS, 0, 0));
    assert_eq!(json["input"]["per_file"][0]["format"], "json");
}
