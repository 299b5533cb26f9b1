//! Helpers shared by the integration tests: run the real `recur` binary in a temporary output
//! folder and read back what it wrote, and write generated logs (`recur_gen`).

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The package root (where `data/` is).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/data`, where the fixtures live.
pub fn data_dir() -> PathBuf {
    root().join("tests/data")
}

/// The sample log, `data/failure-log.csv`, by its absolute path.
pub fn sample_log() -> PathBuf {
    root().join("data/failure-log.csv")
}

/// The `recur` binary, run from `tests/data` so fixtures are named by their file name (and
/// reports show that name, not a machine-specific path).
pub fn recur() -> Command {
    let mut cmd = Command::cargo_bin("recur").expect("recur binary");
    cmd.current_dir(data_dir());
    cmd
}

/// The `recur` binary run from the package root, so inputs are named by their repository path.
pub fn recur_from_root() -> Command {
    let mut cmd = Command::cargo_bin("recur").expect("recur binary");
    cmd.current_dir(root());
    cmd
}

/// The `recur` binary as a plain process, for tests that spawn it, signal it or wire its
/// standard streams themselves.
pub fn recur_process() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_recur"))
}

/// `recur analyze INPUT -q -o OUT EXTRA...` run from the package root, so inputs are named by
/// their repository path; returns the assertion for the caller to check.
pub fn analyze_from_root(input: &str, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    recur_from_root()
        .args(["analyze", input, "-q", "-o"])
        .arg(out)
        .args(extra)
        .assert()
}

/// `recur analyze INPUT -q -o OUT EXTRA...` from the package root, which must succeed; returns
/// its `patterns.json`.
pub fn analyze_json(input: &Path, out: &Path, extra: &[&str]) -> Value {
    analyze_from_root(input.to_str().expect("UTF-8 path"), out, extra).success();
    patterns_json(out)
}

/// Runs `recur ARGS` as a plain process and waits for it.
pub fn run(args: &[&str]) -> std::process::Output {
    recur_process().args(args).output().expect("recur runs")
}

/// Output bytes as text (lossy).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Exit code, failing the test on a death by signal or a panic (101).
#[track_caller]
pub fn code(o: &std::process::Output) -> i32 {
    let c = o
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {:?}", o.status));
    assert_ne!(c, 101, "panicked: {}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("panicked"), "{}", text(&o.stderr));
    c
}

/// Writes the generated log of `params` to `path`: the file `recur-gen` writes with the same
/// arguments (`SynthParams::default()` is its defaults).
pub fn generate_log(path: &Path, params: &recur_gen::SynthParams) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    recur_gen::write_csv(params, std::io::BufWriter::new(file)).expect("write the generated log");
}

/// `patterns.json` of an output folder.
pub fn patterns_json(out: &Path) -> Value {
    let p = out.join("patterns.json");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).expect("patterns.json is JSON")
}

/// One finished run: its output folder (kept alive with the temp dir) and process output.
pub struct Run {
    pub tmp: tempfile::TempDir,
    pub out: PathBuf,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn read(&self, name: &str) -> String {
        let p = self.out.join(name);
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", p.display(), self.stderr))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.out.join(name).exists()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.read("patterns.json")).expect("patterns.json is JSON")
    }

    /// A CSV output as (header, rows).
    pub fn csv(&self, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
        parse_csv(&self.read(name))
    }

    /// assignments.csv rows as maps from column name to value.
    pub fn assignments(&self) -> Vec<std::collections::BTreeMap<String, String>> {
        let (h, rows) = self.csv("assignments.csv");
        rows.into_iter()
            .map(|r| h.iter().cloned().zip(r).collect())
            .collect()
    }

    /// Asserts exit 0 and hands the run back, for chaining (`analyze(...).success().json()`).
    #[track_caller]
    pub fn success(self) -> Self {
        self.assert_code(0);
        self
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

pub fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.expect("well-formed CSV")
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    (header, rows)
}

/// Runs `recur analyze ARGS -o <tmp>/out` from `tests/data`.
pub fn analyze(args: &[&str]) -> Run {
    analyze_with(args, |_| {})
}

/// Like `analyze`, with a hook to adjust the command (stdin, working folder...).
pub fn analyze_with(args: &[&str], adjust: impl FnOnce(&mut Command)) -> Run {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let mut cmd = recur();
    cmd.arg("analyze").args(args).arg("-o").arg(&out);
    adjust(&mut cmd);
    let o = cmd.output().expect("run recur");
    Run {
        tmp,
        out,
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// `patterns.json` → `input` counters (read, analyzed, rejected, out of range).
pub fn counts(json: &Value) -> (u64, u64, u64, u64) {
    let i = &json["input"];
    let n = |k: &str| {
        i[k].as_u64()
            .unwrap_or_else(|| panic!("input.{k} missing: {i}"))
    };
    (
        n("rows_read"),
        n("rows_analyzed"),
        n("rows_rejected"),
        n("rows_out_of_range"),
    )
}

/// Number of patterns (k) in `patterns.json`.
pub fn k_of(json: &Value) -> usize {
    json["patterns"].as_array().expect("patterns array").len()
}
