//! Backtest of "What to expect next" (issue 14): on generated trend logs (`recur-gen --scenario
//! trends`, several seeds and sizes), the last quarter is held out with `--review` set to the
//! quarter before it, and each pattern's forecast interval is checked against the count the
//! held-out quarter actually has. The interval states 90 %; it must cover at least 80 %.

use crate::util::{analyze_from_root, generate_log, patterns_json};
use recur_gen::{Scenario, SynthParams};

/// (covered, forecasts) over one generated log, and the misses for the message.
fn backtest(rows: usize, quarters: u32, seed: u64) -> (usize, usize, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    let params = SynthParams {
        rows,
        seed,
        quarters,
        scenario: Scenario::Trends,
        ..SynthParams::default()
    };
    generate_log(&log, &params);
    // Quarters from 2024-Q1: the one before the last is the review (the last one looked at).
    let review = quarters - 2;
    let label = format!("{}-Q{}", 2024 + review / 4, review % 4 + 1);
    let held_out = format!("{}-Q{}", 2024 + (review + 1) / 4, (review + 1) % 4 + 1);
    let out = dir.path().join("out");
    analyze_from_root(
        log.to_str().unwrap(),
        &out,
        &["--review", &label, "--format", "json", "--charts", "none"],
    )
    .success();
    let json = patterns_json(&out);
    assert_eq!(json["timeline"]["next_period"], held_out.as_str());
    let (mut covered, mut total, mut misses) = (0, 0, Vec::new());
    for p in json["patterns"].as_array().unwrap() {
        let f = &p["forecast"];
        if f.is_null() {
            continue;
        }
        assert_eq!(f["estimate"], true);
        assert_eq!(f["level"], 0.9);
        let actual = p["periods"][held_out.as_str()].as_u64().unwrap();
        let (lo, hi) = (f["low"].as_u64().unwrap(), f["high"].as_u64().unwrap());
        total += 1;
        if (lo..=hi).contains(&actual) {
            covered += 1;
        } else {
            misses.push(format!(
                "{rows}×{quarters} seed {seed}: {} ({}) expected {} [{lo}, {hi}], got {actual}",
                p["label"], p["trend"], f["expected"]
            ));
        }
    }
    (covered, total, misses)
}

#[test]
fn next_quarter_interval_covers_the_held_out_count() {
    let (mut covered, mut total, mut misses) = (0, 0, Vec::new());
    for (rows, quarters) in [(2000, 8), (4000, 8), (11_000, 12)] {
        for seed in [1, 2, 3, 4] {
            let (c, t, m) = backtest(rows, quarters, seed);
            covered += c;
            total += t;
            misses.extend(m);
        }
    }
    let rate = covered as f64 / total as f64;
    eprintln!(
        "forecast backtest: {covered} of {total} intervals cover the held-out count ({rate:.3})"
    );
    for m in &misses {
        eprintln!("  miss: {m}");
    }
    assert!(total >= 48, "too few forecasts: {total}");
    assert!(
        rate >= 0.8,
        "coverage {rate:.3} below 0.8; misses:\n{}",
        misses.join("\n")
    );
}
