//! Quarterly review (issue 4): periods, trends, the review period, control and groups, run
//! through the real binary on generated logs (`recur_gen`, `Scenario::Trends`) and on the
//! `trends-*` fixtures.

use crate::util::{analyze, data_dir, generate_log, sample_log, Run};
use recur::record::Record;
use recur::timeline::{self, PeriodParams, Trend, TrendParams};
use recur_gen::{Scenario, SynthParams, FADING_COMMITMENT, TRENDS_DESIGN, TRENDS_KEYS};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The trend each `Scenario::Trends` tendency is built to show.
fn expected_trend(truth: &str) -> Option<&'static str> {
    TRENDS_DESIGN
        .iter()
        .find(|(k, _)| *k == truth)
        .map(|(_, t)| *t)
}

fn trends_params(rows: usize) -> SynthParams {
    SynthParams {
        rows,
        seed: 7,
        scenario: Scenario::Trends,
        quarters: 8,
        ..SynthParams::default()
    }
}

/// Writes a generated log into `dir`; returns its path.
fn generate(dir: &Path, params: &SynthParams) -> PathBuf {
    let path = dir.join("trends-log.csv");
    generate_log(&path, params);
    path
}

/// `recur analyze INPUT ARGS --format md,json -q`, into a fresh output folder.
fn run(input: &Path, args: &[&str]) -> Run {
    let mut all = vec![input.to_str().expect("UTF-8 path")];
    all.extend_from_slice(args);
    all.extend(["--format", "md,json", "-q"]);
    analyze(&all)
}

/// The generated rows' truth and date, in file order.
fn truth_and_dates(params: &SynthParams) -> Vec<(String, String)> {
    recur_gen::generate(params)
        .map(|r| (r.truth, r.date))
        .collect()
}

/// Pattern id per row (assignments.csv, input order).
fn assignments(run: &Run) -> Vec<u32> {
    let text = run.read("assignments.csv");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "pattern").unwrap();
    rdr.records()
        .map(|r| r.unwrap()[col].parse().unwrap())
        .collect()
}

/// Every pattern object, `no_pattern` included.
fn all_patterns(json: &Value) -> Vec<&Value> {
    let mut v: Vec<&Value> = json["patterns"].as_array().unwrap().iter().collect();
    if !json["no_pattern"].is_null() {
        v.push(&json["no_pattern"]);
    }
    v
}

fn pattern(json: &Value, id: u32) -> &Value {
    all_patterns(json)
        .into_iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no pattern {id}"))
}

/// For each tendency, the pattern whose majority truth it is (the largest such pattern).
fn majority_patterns(labels: &[u32], truth: &[(String, String)]) -> BTreeMap<String, (u32, f64)> {
    let mut per: HashMap<u32, HashMap<&str, usize>> = HashMap::new();
    for (&l, (t, _)) in labels.iter().zip(truth) {
        *per.entry(l).or_default().entry(t.as_str()).or_default() += 1;
    }
    let mut best: BTreeMap<String, (u32, usize, f64)> = BTreeMap::new();
    for (id, counts) in per {
        let size: usize = counts.values().sum();
        let (t, n) = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .unwrap();
        let purity = *n as f64 / size as f64;
        let e = best.entry(t.to_string()).or_insert((id, 0, 0.0));
        if size > e.1 {
            *e = (id, size, purity);
        }
    }
    best.into_iter()
        .map(|(t, (id, _, p))| (t, (id, p)))
        .collect()
}

#[test]
fn generated_log_rises_fades_stops_and_holds() {
    let dir = tempfile::tempdir().unwrap();
    let params = trends_params(4000);
    let log = generate(dir.path(), &params);
    // recur's own default grouping.
    let run = run(&log, &["--truth", "truth"]).success();
    let json = run.json();
    let truth = truth_and_dates(&params);
    let labels = assignments(&run);
    assert_eq!(labels.len(), truth.len());
    let majority = majority_patterns(&labels, &truth);
    let ari = json["evaluation"]["adjusted_rand_index"].as_f64().unwrap();
    // Every designed trend, from recur's own grouping: the stopped tendency's stray rows and the
    // generator's one-off mishaps placed beside it still read as resolved, and the tendency of
    // the last quarter alone is new.
    for &key in &TRENDS_KEYS {
        let (id, purity) = *majority.get(key).unwrap_or_else(|| {
            panic!("no pattern is mostly {key} (ARI {ari}); majorities: {majority:?}")
        });
        let p = pattern(&json, id);
        assert_eq!(
            p["trend"],
            expected_trend(key).unwrap(),
            "{key}: pattern {id} (purity {purity:.2}, ARI {ari}) periods {}",
            p["periods"]
        );
        // A tendency of the last quarter alone has not recurred yet.
        if key != "single-point-of-failure" {
            assert_eq!(p["recurring"], true, "{key}");
        }
    }
    // The fading tendency shows the change written before it faded, the resolved one its last
    // quarter (the quarter before the generator stops it).
    let fading = pattern(&json, majority["avoided-conversation"].0);
    assert_eq!(fading["changes_before_fade"][0]["text"], FADING_COMMITMENT);
    assert_eq!(fading["changes_before_fade"][0]["first_written"], "2024-Q4");
    let md = run.read("report.md");
    assert!(md.contains("## Trends") && md.contains(timeline::TREND_RULE));
    assert!(md.contains("## Growth") && md.contains(FADING_COMMITMENT));
    // The tendency new in the last quarter is the one emerging group: the generator's one-off
    // mishaps, which recur in every quarter outside any pattern, are not new.
    let emerging = json["timeline"]["emerging"].as_array().unwrap();
    assert_eq!(emerging.len(), 1, "{emerging:#?}");
    for ex in emerging[0]["examples"].as_array().unwrap() {
        let row = ex["row"].as_u64().unwrap() as usize;
        assert_eq!(truth[row - 1].0, "single-point-of-failure", "{ex}");
    }
}

#[test]
fn period_counts_add_up_to_sizes_and_match_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let params = SynthParams {
        seed: 11,
        ..trends_params(1500)
    };
    let log = generate(dir.path(), &params);
    let run = run(&log, &["--patterns", "5"]).success();
    let json = run.json();
    let labels = assignments(&run);
    // Independently: quarter label from the date string, counted per pattern id.
    let mut expected: BTreeMap<u32, BTreeMap<String, u64>> = BTreeMap::new();
    for (&l, (_, date)) in labels.iter().zip(truth_and_dates(&params)) {
        let (y, m) = (&date[..4], date[5..7].parse::<u32>().unwrap());
        let q = format!("{y}-Q{}", (m - 1) / 3 + 1);
        *expected.entry(l).or_default().entry(q).or_default() += 1;
    }
    let periods: Vec<String> = json["timeline"]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(periods.len(), 8);
    assert_eq!(periods.first().unwrap(), "2024-Q1");
    let mut totals = vec![0u64; periods.len()];
    for p in all_patterns(&json) {
        let id = p["id"].as_u64().unwrap() as u32;
        let map = p["periods"].as_object().unwrap();
        // Every period, zeros included, in order.
        let keys: Vec<&String> = map.keys().collect();
        assert_eq!(keys, periods.iter().collect::<Vec<_>>());
        let sum: u64 = map.values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(sum, p["size"].as_u64().unwrap(), "pattern {id}");
        for (j, (label, n)) in map.iter().enumerate() {
            let want = expected.get(&id).and_then(|m| m.get(label)).copied();
            assert_eq!(
                n.as_u64().unwrap(),
                want.unwrap_or(0),
                "pattern {id} {label}"
            );
            totals[j] += n.as_u64().unwrap();
        }
        let control_sum: u64 = p["control"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(control_sum, p["size"].as_u64().unwrap());
    }
    let json_totals: Vec<u64> = json["timeline"]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(json_totals, totals);
    assert_eq!(totals.iter().sum::<u64>(), 1500);
}

/// The rule on the generator's own labels, without clustering: every designed class (steady,
/// rising, fading, resolved with stray entries left, new in the last quarter only), at several
/// sizes and lengths, against the design the generator states (`TRENDS_DESIGN`).
#[test]
fn truth_labels_get_the_built_in_trends() {
    for (rows, quarters) in [(4000, 8), (1200, 6), (2000, 12), (800, 4), (11_000, 12)] {
        let params = SynthParams {
            quarters,
            ..trends_params(rows)
        };
        let mut records = Vec::new();
        let mut labels = Vec::new();
        for row in recur_gen::generate(&params) {
            let date = chrono::NaiveDate::parse_from_str(&row.date, "%Y-%m-%d").unwrap();
            labels.push(
                TRENDS_KEYS
                    .iter()
                    .position(|k| *k == row.truth)
                    .map_or(0, |i| i as u32 + 1),
            );
            records.push(Record {
                date: Some(date),
                root_cause: row.root_cause.into(),
                behavioral_change: row.behavioral_change.into(),
                ..Record::default()
            });
        }
        let period = PeriodParams::default();
        let t = timeline::build(&records, &labels, 5, &period)
            .unwrap()
            .unwrap();
        let p = TrendParams::new(period.kind).check().unwrap();
        let tr = timeline::trends(&t, &records, &labels, &p, None).unwrap();
        let got: Vec<&str> = (1..=5)
            .map(|id| tr.trend(id).map_or("none", Trend::name))
            .collect();
        let want: Vec<&str> = TRENDS_DESIGN.iter().map(|(_, t)| *t).collect();
        assert_eq!(got, want, "{rows} rows, {quarters} quarters");
        assert_eq!(tr.trend(0), None, "no clear pattern gets no trend");
    }
}

/// The rule on the sample log's own tendency tags (`data/failure-log-labelled.csv`), whose story
/// is told in `data/README.md`: avoided conversations stop after a change adopted in
/// February 2025, unmanaged scope changes stop after October 2025, overcommitment rises in 2026,
/// underestimated timelines stay.
#[test]
fn sample_log_tags_follow_its_story() {
    use recur::ingest::{ingest, ColumnOptions, IngestConfig, Source};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/failure-log-labelled.csv");
    let got = ingest(&IngestConfig {
        sources: vec![Source::Path(path)],
        columns: ColumnOptions {
            truth: Some("tendency".into()),
            ..ColumnOptions::default()
        },
        ..IngestConfig::default()
    })
    .unwrap();
    let mut tags: Vec<&str> = got.records.iter().map(|r| &*r.truth).collect();
    tags.sort();
    tags.dedup();
    let labels: Vec<u32> = got
        .records
        .iter()
        .map(|r| tags.iter().position(|t| *t == &*r.truth).unwrap() as u32 + 1)
        .collect();
    let period = PeriodParams::default();
    let p = TrendParams::new(period.kind).check().unwrap();
    let id = |tag: &str| tags.iter().position(|t| *t == tag).unwrap() as u32 + 1;
    for review in [None, period.parse_label("2026-Q2")] {
        let t = timeline::build(&got.records, &labels, tags.len(), &period)
            .unwrap()
            .unwrap()
            .with_trends(&got.records, &labels, &p, review)
            .unwrap();
        let tr = t.trends.as_ref().unwrap();
        assert_eq!(tr.trend(id("estimate")), Some(Trend::Steady), "{review:?}");
        assert_eq!(
            tr.trend(id("overcommit")),
            Some(Trend::Rising),
            "{review:?}"
        );
        assert_eq!(
            tr.trend(id("conversation")),
            Some(Trend::Resolved),
            "{review:?}"
        );
        assert_eq!(tr.trend(id("scope")), Some(Trend::Resolved), "{review:?}");
        let conversation = &tr.patterns[id("conversation") as usize];
        assert_eq!(t.periods[conversation.evidence.last.unwrap()], "2025-Q2");
        assert!(conversation
            .changes_before
            .iter()
            .any(|c| c.text == "Schedule hard conversations within 48 hours"));
    }
}

#[test]
fn review_period_leads_and_trends_stop_there() {
    let dir = tempfile::tempdir().unwrap();
    let params = trends_params(4000);
    let log = generate(dir.path(), &params);
    let run = run(
        &log,
        &["--patterns", "5", "--truth", "truth", "--review", "2025-Q2"],
    )
    .success();
    let json = run.json();
    let tl = &json["timeline"];
    assert_eq!(tl["review"]["period"], "2025-Q2");
    assert_eq!(tl["review"]["periods_before"], 5);
    assert_eq!(tl["recent"], serde_json::json!(["2025-Q1", "2025-Q2"]));
    // All periods are still counted.
    assert_eq!(tl["periods"].as_array().unwrap().len(), 8);
    let md = run.read("report.md");
    let review = md.find("## Review of 2025-Q2").expect("review section");
    let table = md
        .find("| # | Pattern | Entries | Share |")
        .expect("pattern table");
    assert!(review < table, "the review leads the report");
    // As of 2025-Q2 the first four shapes are already visible (the new tendency appears in
    // the last quarter only).
    let truth = truth_and_dates(&params);
    let majority = majority_patterns(&assignments(&run), &truth);
    for &key in &TRENDS_KEYS[..4] {
        let p = pattern(&json, majority[key].0);
        assert_eq!(p["trend"], expected_trend(key).unwrap(), "{key}");
        // Last seen is as of the review period.
        let last = p["last_seen"].as_str().unwrap();
        assert!(last <= "2025-Q2", "{key}: {last}");
    }
}

#[test]
fn bad_review_periods_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(dir.path(), &trends_params(300));
    let r = run(&log, &["--review", "2030-Q1"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("--review 2030-Q1") && r.stderr.contains("2024-Q1 to 2025-Q4"),
        "{}",
        r.stderr
    );
    let r = run(&log, &["--review", "2025-Q5"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("not a quarter label such as 2026-Q3"),
        "{}",
        r.stderr
    );
    let r = run(&log, &["--period", "month", "--review", "2025-Q1"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("2026-07"), "{}", r.stderr);
    // Inside the log, but outside the --since window.
    let r = run(&log, &["--since", "2025-01-01", "--review", "2024-Q3"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("2025-Q1 to 2025-Q4"), "{}", r.stderr);
}

#[test]
fn period_and_fiscal_year_flags() {
    let dir = tempfile::tempdir().unwrap();
    let log = generate(dir.path(), &trends_params(600));
    let periods = |args: &[&str]| -> Vec<String> {
        let json = run(&log, args).success().json();
        assert_eq!(
            json["timeline"]["period"],
            args.get(1).copied().unwrap_or("quarter")
        );
        json["timeline"]["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let months = periods(&["--period", "month"]);
    assert_eq!(months.len(), 24);
    assert_eq!(
        (months[0].as_str(), months[23].as_str()),
        ("2024-01", "2025-12")
    );
    assert_eq!(periods(&["--period", "year"]), vec!["2024", "2025"]);
    // April starts the fiscal year: January–March 2024 is the last quarter of FY2023.
    let fy = periods(&["--period", "quarter", "--fiscal-year-start", "april"]);
    assert_eq!(fy.first().unwrap(), "FY2023-Q4");
    assert_eq!(fy.last().unwrap(), "FY2025-Q3");
    let by_number = periods(&["--period", "quarter", "--fiscal-year-start", "4"]);
    assert_eq!(fy, by_number);
    let json = run(&log, &["--fiscal-year-start", "Apr"]).success().json();
    assert_eq!(json["timeline"]["fiscal_year_start"], 4);
    for bad in [
        &["--fiscal-year-start", "13"][..],
        &["--fiscal-year-start", "smarch"],
        &["--period", "week"],
    ] {
        let r = run(&log, bad);
        assert_eq!(r.code, Some(2), "{bad:?}");
        assert!(r.stderr.contains(bad[0]), "{}", r.stderr);
    }
}

#[test]
fn since_and_until_count_rows_outside_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let params = trends_params(800);
    let log = generate(dir.path(), &params);
    let inside = truth_and_dates(&params)
        .iter()
        .filter(|(_, d)| d.as_str() >= "2024-07-01" && d.as_str() <= "2025-06-30")
        .count() as u64;
    let json = run(&log, &["--since", "2024-07-01", "--until", "2025-06-30"])
        .success()
        .json();
    let input = &json["input"];
    assert_eq!(input["rows_read"], 800);
    assert_eq!(input["rows_analyzed"], inside);
    assert_eq!(input["rows_out_of_range"], 800 - inside);
    assert_eq!(input["rows_rejected"], 0);
    assert_eq!(
        json["timeline"]["periods"],
        serde_json::json!(["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"])
    );
}

#[test]
fn control_and_groups_per_pattern() {
    let run = run(
        &data_dir().join("trends-teams.csv"),
        &["--patterns", "2", "--group-by", "team"],
    )
    .success();
    let json = run.json();
    assert_eq!(json["group_by"], "team");
    // Spellings normalized: "fully within my control", "Yes", "external", "no", "partially",
    // "not in my control", "beyond my control", "n/a"...
    assert_eq!(
        json["control"],
        serde_json::json!({"within": 4, "partial": 2, "outside": 5, "unknown": 1})
    );
    let mut teams: BTreeMap<String, u64> = BTreeMap::new();
    for p in all_patterns(&json) {
        let size = p["size"].as_u64().unwrap();
        let groups = p["groups"].as_object().unwrap();
        assert_eq!(
            groups.values().map(|v| v.as_u64().unwrap()).sum::<u64>(),
            size
        );
        for (g, n) in groups {
            *teams.entry(g.clone()).or_default() += n.as_u64().unwrap();
        }
    }
    assert_eq!(
        teams,
        BTreeMap::from([
            ("data".to_string(), 4),
            ("mobile".to_string(), 4),
            ("platform".to_string(), 4)
        ])
    );
    let md = run.read("report.md");
    assert!(md.contains("## By team"), "{md}");
    assert!(md.contains("## Within or outside your control"));
    // The vendor pattern is mostly outside, the estimate pattern mostly within.
    assert!(md.contains("Mostly outside your control"), "{md}");
    assert!(md.contains("Mostly within your control"), "{md}");
}

#[test]
fn blameless_keeps_names_out_and_refuses_to_group_by_people() {
    let log = data_dir().join("trends-teams.csv");
    let r = run(&log, &["--blameless", "--group-by", "author"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("--group-by \"author\"") && r.stderr.contains("--blameless"),
        "{}",
        r.stderr
    );
    // Without --blameless, grouping by people is the user's choice.
    let named = run(&log, &["--group-by", "author", "--patterns", "2"]).success();
    assert!(named.read("patterns.json").contains("Alice Zephyrine"));
    // With --blameless, no output names anyone.
    let blameless = run(
        &log,
        &["--blameless", "--group-by", "team", "--patterns", "2"],
    )
    .success();
    for entry in std::fs::read_dir(&blameless.out).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for name in ["Zephyrine", "Quillfeather", "Underhill"] {
                assert!(!text.contains(name), "{} names {name}", path.display());
            }
        }
    }
}

#[test]
fn short_logs_get_no_trends_but_still_count() {
    let dir = tempfile::tempdir().unwrap();
    let params = SynthParams {
        quarters: 2,
        ..trends_params(400)
    };
    let log = generate(dir.path(), &params);
    let json = run(&log, &["--patterns", "4"]).success().json();
    assert!(json["timeline"]["trends_unavailable"]
        .as_str()
        .unwrap()
        .contains("at least 3 quarters"));
    for p in all_patterns(&json) {
        assert!(p["trend"].is_null());
        let sum: u64 = p["periods"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(sum, p["size"].as_u64().unwrap());
    }
}

/// The sample log's designed movements, called from recur's own default grouping
/// (`recur analyze data/failure-log.csv`): avoided conversations stop after 2025-Q2 (one entry
/// placed there later is a stray), unmanaged scope changes rise and stop, overcommitment rises
/// in 2026, underestimated timelines stay.
#[test]
fn sample_log_default_grouping_follows_its_story() {
    let log = sample_log();
    let run = run(&log, &[]).success();
    let json = run.json();
    let trend_of = |label: &str| -> String {
        json["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["label"] == label)
            .unwrap_or_else(|| panic!("no pattern {label}"))["trend"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(trend_of("Avoided difficult conversations"), "resolved");
    assert_eq!(trend_of("Scope change without change control"), "resolved");
    assert_eq!(trend_of("Overcommitment / not saying no"), "rising");
    assert_eq!(trend_of("Underestimated timelines"), "steady");
    // The evidence is stated: the stretch since it stopped, and the test.
    let md = run.read("report.md");
    assert!(md.contains("| Evidence |"), "evidence column");
    let conv = json["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["label"] == "Avoided difficult conversations")
        .unwrap();
    // The author's last such entry is in 2025-Q2: the quiet stretch starts there or right after,
    // depending on whether the grouping also holds a neighbouring entry of that quarter.
    let quiet = &conv["trend_evidence"]["quiet"];
    assert!(
        quiet["from"] == "2025-Q2" || quiet["from"] == "2025-Q3",
        "{quiet}"
    );
    assert!(quiet["p_value"].as_f64().unwrap() < 0.05);
}

/// Emerging patterns (issue 14): in a 12-quarter, 11,000-entry log where a small tendency
/// (single-point-of-failure, about 46 entries, 0.4 % of the log) appears only in the last
/// quarter, the entries that fit no earlier pattern but resemble each other are reported as one
/// new group, with examples of that tendency; a log without a new tendency reports none.
#[test]
fn a_small_tendency_new_in_the_last_quarter_is_reported_as_emerging() {
    let dir = tempfile::tempdir().unwrap();
    let params = SynthParams {
        quarters: 12,
        seed: 3,
        ..trends_params(11_000)
    };
    let log = generate(dir.path(), &params);
    let run = run(&log, &[]).success();
    let json = run.json();
    let truth = truth_and_dates(&params);
    let new_in_last = truth
        .iter()
        .filter(|(t, d)| t == "single-point-of-failure" && d.as_str() >= "2026-10-01")
        .count();
    assert!((40..=50).contains(&new_in_last), "{new_in_last}");
    assert_eq!(
        truth
            .iter()
            .filter(|(t, _)| t == "single-point-of-failure")
            .count(),
        new_in_last,
        "the tendency is new in the last quarter"
    );
    let emerging = json["timeline"]["emerging"].as_array().unwrap();
    assert!(!emerging.is_empty(), "no emerging group");
    let g = &emerging[0];
    assert_eq!(g["period"], "2026-Q4");
    let n = g["entries"].as_u64().unwrap() as usize;
    assert!(
        n * 10 >= new_in_last * 8 && n <= new_in_last + 5,
        "{n} entries for {new_in_last}"
    );
    // Its examples are entries of the new tendency (row = 1-based data row).
    for ex in g["examples"].as_array().unwrap() {
        let row = ex["row"].as_u64().unwrap() as usize;
        assert_eq!(truth[row - 1].0, "single-point-of-failure", "{ex}");
    }
    let md = run.read("report.md");
    assert!(md.contains("## Emerging in 2026-Q4") && md.contains("### New 1:"));

    // A log of the uniform scenario has no new tendency: none reported.
    let uniform = SynthParams {
        rows: 5000,
        seed: 3,
        ..SynthParams::default()
    };
    let log = generate(dir.path(), &uniform);
    // `self::run`: the helper, which `run` above shadows.
    let run2 = self::run(&log, &[]).success().json();
    assert_eq!(run2["timeline"]["emerging"], serde_json::json!([]));
}
