//! Pattern quality guards (issue: pattern quality): a small personal log's tendencies are
//! found, a reordered log gives the same grouping and labels, and the generator's tendencies are
//! recovered. These run the real binary. Logs that once lost their tendencies are guarded in
//! `regression.rs`.

use crate::util::{analyze_json, generate_log};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (id column value → pattern label) from assignments.csv.
fn grouping(out: &Path) -> BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(out.join("assignments.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[2].to_string(), rec[5].to_string())
        })
        .collect()
}

#[test]
fn personal_log_with_three_tendencies_gives_three_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let json = analyze_json(
        Path::new("tests/data/personal-25.csv"),
        dir.path(),
        &["--truth", "tendency"],
    );
    let patterns = json["patterns"].as_array().unwrap();
    assert_eq!(patterns.len(), 3, "{:#}", json["selection"]);
    let ari = json["evaluation"]["adjusted_rand_index"].as_f64().unwrap();
    assert!(ari >= 0.9, "adjusted Rand index {ari}");
    let mut ids: Vec<&str> = patterns
        .iter()
        .map(|p| p["tendency_id"].as_str().unwrap())
        .collect();
    ids.sort(); // (sort_unstable is kept out by clippy.toml)
    assert_eq!(ids, ["conversation", "estimate", "overcommit"]);
    for p in patterns {
        assert_eq!(p["found_by"], "tendency");
        assert_eq!(p["label"], p["tendency"], "named by its tendency");
        for e in p["examples"].as_array().unwrap() {
            assert!(!e["matched"].as_array().unwrap().is_empty(), "{e}");
        }
    }
}

/// The sample log with its author's tags: the development check of the default mode
/// (benches/QUALITY.md), guarded so that it cannot quietly fall back.
#[test]
fn sample_log_default_mode_finds_the_authors_tendencies() {
    let dir = tempfile::tempdir().unwrap();
    let json = analyze_json(
        Path::new("data/failure-log-labelled.csv"),
        dir.path(),
        &["--truth", "tendency"],
    );
    let k = json["patterns"].as_array().unwrap().len();
    assert!((7..=11).contains(&k), "{k} patterns");
    let ari = json["evaluation"]["adjusted_rand_index"].as_f64().unwrap();
    assert!(ari >= 0.6, "adjusted Rand index {ari}");
    let none = json["no_pattern"]["size"].as_u64().unwrap_or(0);
    assert!(none * 5 <= 177, "{none} entries with no clear pattern");
}

/// The sample log's words shuffled across its entries (benches/quality/shuffle_words.py): the
/// vocabulary is there, the tendencies are not.
#[test]
fn shuffled_words_have_no_clear_structure() {
    let dir = tempfile::tempdir().unwrap();
    let json = analyze_json(Path::new("tests/data/shuffled-words.csv"), dir.path(), &[]);
    assert_eq!(
        json["patterns"].as_array().unwrap().len(),
        0,
        "{:#}",
        json["patterns"]
    );
    assert!(json["notes"].to_string().contains("No clear structure"));
}

/// The learned reader (`tendency::reader`) places entries that hold no cue of a tendency: on
/// a fresh-voice log it did not learn from (holdout10, written after the reader was trained),
/// its tendencies are found with far fewer entries left over than with cues alone.
#[test]
fn the_reader_places_what_no_cue_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let log = Path::new("tests/data/voices/holdout10/pharmacist_owner.csv");
    let with = analyze_json(log, &dir.path().join("a"), &["--truth", "tendency"]);
    let without = analyze_json(
        log,
        &dir.path().join("b"),
        &["--truth", "tendency", "--no-reader"],
    );
    let ari = |j: &Value| j["evaluation"]["adjusted_rand_index"].as_f64().unwrap();
    let none = |j: &Value| j["no_pattern"]["size"].as_u64().unwrap_or(0);
    assert!(
        ari(&with) >= ari(&without) + 0.15,
        "{} against {}",
        ari(&with),
        ari(&without)
    );
    assert!(
        none(&with) < none(&without),
        "{} against {}",
        none(&with),
        none(&without)
    );
    for p in with["patterns"].as_array().unwrap() {
        assert_eq!(p["label"], p["tendency"], "named by its tendency: {p}");
    }
    // One tendency no cue made a pattern of is the reader's own, and the report says so.
    let own: Vec<&Value> = with["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["found_by"] == "reader")
        .collect();
    assert!(!own.is_empty(), "{:#}", with["patterns"]);
    // Each says how often it forms again in resamples of the log, as the others do.
    for p in &own {
        assert_eq!(p["confidence"]["resamples"], 10, "{p:#}");
        assert!(p["confidence"]["held"].as_u64().unwrap() <= 10, "{p:#}");
    }
    let md = std::fs::read_to_string(dir.path().join("a/report.md")).unwrap();
    assert!(md.contains("the learned reader found"), "{md}");
    assert!(md.contains("| the learned reader, 10/10 |"), "{md}");
    // Some entries sit in a tendency's pattern with none of its cues: the reader put them there,
    // and `matched` gives the passages of their own text it read ("read: a; b").
    let mut input = csv::Reader::from_path(log).unwrap();
    let texts: Vec<String> = input
        .records()
        .map(|x| {
            let x = x.unwrap();
            let t = [&x[2], &x[3], &x[4]].join(" ").to_lowercase();
            t.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect();
    let mut r = csv::Reader::from_path(dir.path().join("a/assignments.csv")).unwrap();
    let mut by_reader = 0;
    for x in r.records().map(|x| x.unwrap()) {
        let Some(read) = x[6].strip_prefix("read: ") else {
            continue;
        };
        by_reader += 1;
        assert_ne!(&x[4], "0", "{x:?}");
        let text = &texts[x[1].parse::<usize>().unwrap() - 1];
        for passage in read.split("; ") {
            assert!(
                !passage.is_empty() && text.contains(passage),
                "{passage:?} in {text:?}"
            );
        }
    }
    assert!(by_reader > 0);
}

/// `--reader FILE` reads with the given reader instead of the built-in one: a copy of the
/// built-in reader gives the same outputs; a reader with no features reads nothing, so the run
/// is the one `--no-reader` gives; a malformed file stops the run with its name and line.
#[test]
fn a_reader_file_replaces_the_built_in_reader() {
    let dir = tempfile::tempdir().unwrap();
    let log = Path::new("tests/data/voices/holdout10/pharmacist_owner.csv");
    let builtin = std::fs::read_to_string("assets/reader.tsv").unwrap();
    let copy = dir.path().join("copy.tsv");
    std::fs::write(&copy, &builtin).unwrap();
    let bare = dir.path().join("bare.tsv");
    let header: String = builtin
        .lines()
        .filter(|l| !l.starts_with("f\t"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&bare, header).unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        analyze_json(log, &out, extra);
        std::fs::read_to_string(out.join("assignments.csv")).unwrap()
    };
    let default = run("default", &[]);
    let off = run("off", &["--no-reader"]);
    assert_ne!(default, off, "the reader changes this log's grouping");
    assert_eq!(run("copy", &["--reader", copy.to_str().unwrap()]), default);
    assert_eq!(run("bare", &["--reader", bare.to_str().unwrap()]), off);
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "classes\ta\tb\nbias\t0.1\nf\tword\t1.0\t0.5\n").unwrap();
    let o = crate::util::run(&[
        "analyze",
        log.to_str().unwrap(),
        "-o",
        dir.path().join("bad").to_str().unwrap(),
        "--reader",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(crate::util::code(&o), 2);
    let err = crate::util::text(&o.stderr);
    assert!(err.contains("bad.tsv") && err.contains("line 3"), "{err}");
}

/// A handful of unrelated entries: too few to see a pattern, and the report says so.
#[test]
fn a_tiny_log_is_called_too_small() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tiny.csv");
    std::fs::write(
        &log,
        "date,root_cause\n2026-01-05,The printer jammed before the board meeting.\n2026-01-19,I said yes to the offsite on top of everything else.\n2026-02-02,Rain flooded the basement archive.\n2026-02-16,We lost the van keys at the depot.\n2026-03-02,The venue double-charged the deposit.\n",
    )
    .unwrap();
    let json = analyze_json(&log, &dir.path().join("o"), &[]);
    assert_eq!(json["patterns"].as_array().unwrap().len(), 0);
    assert_eq!(json["no_pattern"]["size"], 5);
    assert!(
        json["notes"]
            .to_string()
            .contains("Too few entries to see a pattern (need ~30)"),
        "{}",
        json["notes"]
    );
}

fn shuffled_copy(src: &Path, dst: &Path, seed: u64) {
    let mut r = csv::Reader::from_path(src).unwrap();
    let header = r.headers().unwrap().clone();
    let mut rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    // Deterministic shuffle (Fisher–Yates with an LCG), no extra dependency.
    let mut state = seed;
    for i in (1..rows.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % (i + 1);
        rows.swap(i, j);
    }
    let mut w = csv::Writer::from_path(dst).unwrap();
    w.write_record(&header).unwrap();
    for row in rows {
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn reordered_log_gives_the_same_grouping_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    generate_log(
        &log,
        &recur_gen::SynthParams {
            rows: 1500,
            seed: 11,
            ..Default::default()
        },
    );
    let shuffled = dir.path().join("shuffled.csv");
    shuffled_copy(&log, &shuffled, 3);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let ja = analyze_json(&log, &a, &[]);
    let jb = analyze_json(&shuffled, &b, &[]);
    let labels = |j: &Value| -> BTreeSet<String> {
        j["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(labels(&ja), labels(&jb));
    assert_eq!(grouping(&a), grouping(&b), "every entry keeps its pattern");
    let summary = |j: &Value| -> Vec<(String, u64, Value)> {
        j["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["label"].as_str().unwrap().to_string(),
                    p["size"].as_u64().unwrap(),
                    p["terms"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(summary(&ja), summary(&jb), "same patterns, sizes and terms");
}

#[test]
fn generated_tendencies_are_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    generate_log(
        &log,
        &recur_gen::SynthParams {
            rows: 2000,
            seed: 5,
            ..Default::default()
        },
    );
    // The default text (root cause, lesson, behavioural change). Root-cause text alone is
    // harder for the tendency seeding (cues of one tendency appear in another's frames):
    // benches/QUALITY.md has its figures.
    let json = analyze_json(&log, &dir.path().join("o"), &["--truth", "truth"]);
    let k = json["patterns"].as_array().unwrap().len();
    assert!((7..=10).contains(&k), "auto chose {k} for 8 tendencies");
    let ari = json["evaluation"]["adjusted_rand_index"].as_f64().unwrap();
    assert!(ari >= 0.85, "adjusted Rand index {ari}");
    // Every pattern is named by a tendency and says how often it held.
    for p in json["patterns"].as_array().unwrap() {
        assert!(p["tendency"].is_string(), "{p}");
        assert!(p["confidence"]["held"].as_u64().unwrap() >= 6, "{p}");
    }
}
