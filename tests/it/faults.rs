//! Fault suite (issue 15): the real `recur` binary under closed pipes, full devices, failed
//! writes, signals at several points of a 1M-row run, concurrent runs into one folder, planted
//! symbolic links, a 50 MB field, hostile characters and the misleading-message cases.
//!
//! Each test names the numbered case of the issue it guards (case 5's huge `--group-by` value,
//! a bug found after the suite, is in `regression.rs`). After every fault the output
//! folder is checked with `recur::output::staging::verify`: the manifest exists and every file
//! it names has its size and hash, and no other recur output file is present.
#![cfg(unix)]

use crate::util::{code, generate_log, patterns_json, recur_process, run, text};
use recur::output::staging::{verify, MANIFEST, STAGING_PREFIX};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/failure-log.csv");

fn rows_read(out: &Path) -> u64 {
    patterns_json(out)["input"]["rows_read"].as_u64().unwrap()
}

/// Staging folders left in `out`.
fn staging_left(out: &Path) -> Vec<String> {
    fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(STAGING_PREFIX))
        .collect()
}

/// A CSV with rows of the wrong length (each one a warning on stderr).
fn ragged(dir: &Path) -> PathBuf {
    let mut s = fs::read_to_string(SAMPLE).unwrap();
    for i in 0..40 {
        s.push_str(&format!("short-{i},2024-01-0{}\n", i % 9 + 1));
    }
    let p = dir.join("ragged.csv");
    fs::write(&p, s).unwrap();
    p
}

/// The write end of a pipe whose read end is already closed: every write gets EPIPE.
fn closed_pipe() -> Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe fills two descriptors we then own; the read end is closed at once.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::close(fds[0]);
        Stdio::from(std::os::fd::OwnedFd::from_raw_fd(fds[1]))
    }
}

/// Case 1: `recur analyze x.csv | true` — stdout closed before the summary line.
#[test]
fn closed_stdout_ends_the_run_cleanly_with_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = recur_process()
        .args(["analyze", SAMPLE, "-o"])
        .arg(&out)
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    verify(&out).unwrap();
    assert_eq!(rows_read(&out), 177);
}

/// Case 1: `recur analyze ragged.csv 2>&1 | head -n 1` — stderr (and stdout) closed while
/// the warnings are printed, before any report is written.
#[test]
fn closed_stderr_while_warning_ends_the_run_cleanly_with_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = ragged(dir.path());
    let out = dir.path().join("out");
    let o = recur_process()
        .arg("analyze")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    verify(&out).unwrap();
    assert!(out.join("rejected.csv").is_file());
}

/// Case 1, as the issue ran it: five times through a real `| head -n 1` pipeline.
#[test]
fn head_n_1_pipeline_never_loses_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = ragged(dir.path());
    for i in 0..5 {
        let out = dir.path().join(format!("out{i}"));
        let script = format!(
            "'{}' analyze '{}' -o '{}' 2>&1 | head -n 1; exit ${{PIPESTATUS[0]}}",
            env!("CARGO_BIN_EXE_recur"),
            input.display(),
            out.display()
        );
        let o = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "try {i}: {o:?}");
        assert!(text(&o.stdout).starts_with("warning: "), "{o:?}");
        verify(&out).unwrap();
    }
}

/// Case 1: `> /dev/full` for stdout and stderr.
#[test]
fn full_stdout_and_stderr_end_the_run_cleanly_with_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = ragged(dir.path());
    let out = dir.path().join("out");
    let full = || {
        Stdio::from(
            fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
    };
    let o = recur_process()
        .arg("analyze")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .stdout(full())
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    verify(&out).unwrap();
}

/// Case 1 and 2: a report that cannot be written (the file-size limit stands in for a full
/// disk) ends the run with exit 2 and one line naming the file, and the earlier set stays.
#[test]
fn failed_report_write_exits_2_with_one_line_and_keeps_the_old_set() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(
        code(&run(&["analyze", SAMPLE, "-o", out.to_str().unwrap()])),
        0
    );
    let old = verify(&out).unwrap();
    let mut cmd = recur_process();
    cmd.args(["analyze", SAMPLE, "--seed", "7", "-o"]).arg(&out);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 100_000,
                rlim_max: 100_000,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    assert_eq!(code(&o), 2);
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("File too large"),
        "{err}"
    );
    // Named where the file was to be published, not by the staging folder's name.
    assert!(
        err.contains("out/charts/") || err.contains("out/report"),
        "{err}"
    );
    assert!(!err.contains(STAGING_PREFIX), "{err}");
    assert_eq!(verify(&out).unwrap(), old);
    assert!(staging_left(&out).is_empty());
}

/// When to send the signal.
#[derive(Debug, Clone, Copy)]
enum At {
    /// This long after the start (reading and stemming).
    After(Duration),
    /// As soon as the staging folder holds any file (charts and reports being written).
    StagingHasFiles,
    /// As soon as the staging folder holds its manifest (the set is being published).
    StagingCommitted,
}

fn staging_state(out: &Path) -> (bool, bool) {
    let (mut files, mut committed) = (false, false);
    for name in staging_left(out) {
        let dir = out.join(&name);
        if dir.join(MANIFEST).exists() {
            committed = true;
        }
        if fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
            files = true;
        }
    }
    (files, committed)
}

/// What a signal met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Met {
    /// The run had already ended (on a loaded machine the poll can see the moment late).
    Finished,
    /// The run, frozen while its folder was read, had not reached the commit point.
    Running,
    /// ... had committed its set (written the manifest): the publish goes on to the end.
    Committed,
}

/// Waits for the moment and sends the signal. The run is stopped (SIGSTOP) while its staging
/// folder is read, so what the signal meets is known exactly, not guessed from an earlier poll.
fn signal_at(child: &mut Child, out: &Path, at: At, sig: i32) -> Met {
    let start = Instant::now();
    let pid = child.id() as i32;
    loop {
        if child.try_wait().unwrap().is_some() {
            return Met::Finished;
        }
        let now = match at {
            At::After(d) => start.elapsed() >= d,
            At::StagingHasFiles => staging_state(out).0,
            At::StagingCommitted => staging_state(out).1,
        };
        if now {
            // SAFETY: signals and waits for a child process this test started and has not
            // reaped; WNOWAIT leaves it waitable for `Child::wait`.
            unsafe {
                libc::kill(pid, libc::SIGSTOP);
                let mut info: libc::siginfo_t = std::mem::zeroed();
                let r = libc::waitid(
                    libc::P_PID,
                    pid as libc::id_t,
                    &mut info,
                    libc::WSTOPPED | libc::WEXITED | libc::WNOWAIT,
                );
                assert_eq!(r, 0, "waitid: {}", std::io::Error::last_os_error());
                if info.si_code != libc::CLD_STOPPED {
                    return Met::Finished;
                }
                let met = if staging_state(out).1 {
                    Met::Committed
                } else {
                    Met::Running
                };
                libc::kill(pid, sig);
                libc::kill(pid, libc::SIGCONT);
                return met;
            }
        }
        match at {
            At::StagingCommitted => std::thread::yield_now(),
            _ => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// A run that does nothing but the next run's clean-up (its input does not exist).
fn cleanup_run(out: &Path) {
    let o = run(&[
        "analyze",
        "/nonexistent/input.csv",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
}

/// Case 2: SIGINT and SIGKILL at four points of a 1M-row run into a folder holding a 20-row
/// set: the folder holds the complete old set or the complete new set (a publish cut by
/// SIGKILL is completed by the next run), and killed runs' staging folders are removed by the
/// next run.
#[test]
fn signals_during_a_large_run_leave_the_old_set_or_the_new_set() {
    const ROWS: usize = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    // The file `recur-gen --rows 1000000 --seed 15 -o big.csv` writes.
    let params = recur_gen::SynthParams {
        rows: ROWS,
        seed: 15,
        ..Default::default()
    };
    generate_log(&big, &params);
    let small = dir.path().join("small.csv");
    let big_text = fs::read(&big).unwrap();
    let cut = big_text
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(20)
        .map(|(i, _)| i + 1)
        .unwrap();
    fs::write(&small, &big_text[..cut]).unwrap();
    drop(big_text);

    let out = dir.path().join("out");
    let o = run(&[
        "analyze",
        small.to_str().unwrap(),
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    verify(&out).unwrap();
    assert_eq!(rows_read(&out), 20);

    let points = [
        (libc::SIGKILL, At::After(Duration::from_millis(1500)), false),
        (libc::SIGINT, At::StagingHasFiles, false),
        (libc::SIGKILL, At::StagingCommitted, true),
        (libc::SIGINT, At::StagingCommitted, true),
    ];
    for (sig, at, new_expected) in points {
        // Each point starts from the old set.
        if rows_read(&out) != 20 {
            let o = run(&[
                "analyze",
                small.to_str().unwrap(),
                "-q",
                "-o",
                out.to_str().unwrap(),
            ]);
            assert_eq!(code(&o), 0);
        }
        let old = verify(&out).unwrap();
        let mut cmd = recur_process();
        // SIGINT and SIGTERM as a terminal gives them: a shell that starts a job in the
        // background without job control (`cmd &` in a script, as CI may run) makes the job
        // ignore SIGINT, and the run would rightly go on ignoring it.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGTERM, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = cmd
            .args([
                "analyze",
                big.to_str().unwrap(),
                "-q",
                "-o",
                out.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let met = signal_at(&mut child, &out, at, sig);
        let status = child.wait().unwrap();
        // The publish takes about a millisecond; on a loaded machine the poll can see the
        // moment late, and the run has then committed or even finished (checked below like
        // the other outcomes). A run the signal did not meet must have ended normally.
        if met == Met::Finished {
            eprintln!("signal {sig} at {at:?}: the run finished before the signal");
            assert!(status.success(), "{at:?}: {status:?}");
        }
        let new_expected = new_expected || met != Met::Running;
        let state = verify(&out);
        eprintln!("signal {sig} at {at:?}: {status:?}, folder: {state:?}");
        match state {
            Ok(run_id) if !new_expected => {
                assert_eq!(run_id, old, "{at:?}: the old set must stay");
                assert_eq!(rows_read(&out), 20);
            }
            Ok(run_id) if run_id == old => {
                // SIGKILL after the commit point but before the old manifest was removed: the
                // old set is still whole, and the committed set waits for the next run.
                assert_eq!(
                    sig,
                    libc::SIGKILL,
                    "{at:?}: SIGINT must let the publish finish"
                );
                assert!(staging_state(&out).1, "{at:?}: the committed set is gone");
                assert_eq!(rows_read(&out), 20);
            }
            Ok(_) => assert_eq!(rows_read(&out), ROWS as u64),
            Err(why) => {
                // Only SIGKILL in the middle of a publish may leave no manifest, and then the
                // committed staging folder is there for the next run to complete.
                assert_eq!(sig, libc::SIGKILL, "{at:?}: {why}");
                assert!(new_expected && staging_state(&out).1, "{at:?}: {why}");
            }
        }
        cleanup_run(&out);
        assert!(staging_left(&out).is_empty(), "{:?}", staging_left(&out));
        let after = verify(&out).unwrap();
        assert_eq!(
            rows_read(&out),
            if new_expected { ROWS as u64 } else { 20 },
            "{at:?}: after the next run"
        );
        if !new_expected {
            assert_eq!(after, old);
        }
    }
}

/// Case 2: two runs into one folder at once, ten tries: each exits 0 or 2, and afterwards the
/// folder is one run's complete set.
#[test]
fn concurrent_runs_leave_one_runs_complete_set() {
    let dir = tempfile::tempdir().unwrap();
    let second = dir.path().join("second.csv");
    let sample = fs::read_to_string(SAMPLE).unwrap();
    let lines: Vec<&str> = sample.lines().take(61).collect();
    fs::write(&second, lines.join("\n") + "\n").unwrap();
    for attempt in 0..10 {
        let out = dir.path().join(format!("out{attempt}"));
        let spawn = |input: &str| {
            recur_process()
                .args(["analyze", input, "-o", out.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn(SAMPLE);
        let b = spawn(second.to_str().unwrap());
        for child in [a, b] {
            let o = child.wait_with_output().unwrap();
            let c = code(&o);
            assert!(
                c == 0 || c == 2,
                "attempt {attempt}: exit {c}: {}",
                text(&o.stderr)
            );
            if c == 2 {
                assert!(text(&o.stderr).contains("another recur run"), "{o:?}");
            }
        }
        verify(&out).unwrap_or_else(|e| panic!("attempt {attempt}: {e}"));
        assert!([177, 60].contains(&rows_read(&out)));
        let md = fs::read_to_string(out.join("report.md")).unwrap();
        let rows = rows_read(&out);
        assert!(
            md.contains(&format!("**Rows:** {rows} read")),
            "report.md from the other run"
        );
        assert!(staging_left(&out).is_empty());
    }
}

/// Case 4: symbolic links planted where recur writes (its reports, `charts/`, a staging
/// folder, old-style temporary names for the next process ids, the lock) never redirect a
/// write: their targets are unchanged and the reports are regular files.
#[test]
fn planted_symlinks_never_redirect_a_write() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "do not touch").unwrap();
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    for name in [
        "report.md",
        "report.html",
        "patterns.json",
        "assignments.csv",
    ] {
        symlink(&victim, out.join(name)).unwrap();
    }
    symlink(&outside, out.join("charts")).unwrap();
    symlink(&outside, out.join(format!("{STAGING_PREFIX}0-0-00000000"))).unwrap();
    symlink(&victim, out.join(MANIFEST)).unwrap();
    let pid = std::process::id();
    for p in pid..pid + 50 {
        symlink(&victim, out.join(format!(".report.md.tmp-{p}"))).unwrap();
    }
    let o = run(&["analyze", SAMPLE, "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "do not touch");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    for name in [
        "report.md",
        "report.html",
        "patterns.json",
        "assignments.csv",
        MANIFEST,
    ] {
        let m = fs::symlink_metadata(out.join(name)).unwrap();
        assert!(m.file_type().is_file(), "{name} is not a regular file");
    }
    assert!(fs::symlink_metadata(out.join("charts")).unwrap().is_dir());
    verify(&out).unwrap();
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.starts_with(STAGING_PREFIX))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // A planted lock link is refused, not followed.
    symlink(&victim, out.join(".recur.lock")).unwrap();
    let o = run(&["analyze", SAMPLE, "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("symbolic link"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "do not touch");
}

/// Case 5: a 50 MB root cause and a 1 MB id: every report stays under 1 MB, the shortened text
/// says how long it was, and the CSV keeps the documented cap.
#[test]
fn a_50_mb_field_gives_reports_under_1_mb() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows: Vec<Vec<String>> = csv::Reader::from_path(SAMPLE)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let words = [
        "disk", "full", "timeout", "retry", "config", "deploy", "cache", "expired",
    ];
    let mut big = String::with_capacity(50_000_100);
    let mut i = 0;
    while big.len() < 50_000_000 {
        big.push_str(words[i % words.len()]);
        big.push_str(&(i % 97).to_string());
        big.push(' ');
        i += 1;
    }
    rows[4][3] = big;
    rows[6][0] = format!("ID-{}", "x".repeat(1_000_000));
    let input = dir.path().join("huge.csv");
    let mut w = csv::Writer::from_path(&input).unwrap();
    w.write_record(
        csv::Reader::from_path(SAMPLE)
            .unwrap()
            .headers()
            .unwrap()
            .iter(),
    )
    .unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    drop(rows);
    let out = dir.path().join("out");
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    verify(&out).unwrap();
    let mut marked = 0;
    for name in ["report.md", "report.html", "patterns.json"] {
        let len = fs::metadata(out.join(name)).unwrap().len();
        assert!(len < 1_000_000, "{name}: {len} bytes");
        marked += fs::read_to_string(out.join(name))
            .unwrap()
            .matches(" characters in all)")
            .count();
    }
    assert!(marked > 0, "no shortened text says its length");
    let assignments = fs::read_to_string(out.join("assignments.csv")).unwrap();
    assert!(assignments.len() < 1_000_000);
    assert!(
        assignments.contains("… [cut: 1000003 characters in all]"),
        "assignments.csv keeps the id up to the cap and says how long it was"
    );
}

/// Case 3: a later run with fewer formats removes the earlier run's other reports and charts.
#[test]
fn stale_reports_of_an_earlier_run_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["analyze", SAMPLE, "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    assert!(out.join("report.html").exists() && out.join("charts/trends.png").exists());
    fs::write(out.join("my-notes.txt"), "mine").unwrap();
    let ragged_input = ragged(dir.path());
    let o = run(&[
        "analyze",
        ragged_input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "md",
        "--charts",
        "none",
    ]);
    assert_eq!(code(&o), 0);
    verify(&out).unwrap();
    for gone in ["report.html", "patterns.json", "charts"] {
        assert!(!out.join(gone).exists(), "{gone} survived");
    }
    assert!(out.join("rejected.csv").exists());
    let o = run(&[
        "analyze",
        SAMPLE,
        "-o",
        out.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert_eq!(code(&o), 0);
    assert!(!out.join("rejected.csv").exists(), "stale rejected.csv");
    assert_eq!(
        fs::read_to_string(out.join("my-notes.txt")).unwrap(),
        "mine"
    );
    verify(&out).unwrap();
}

/// Case 2: what killed runs of this and older versions left (a staging folder, a
/// `.assignments.csv.tmp-PID`) is removed by the next run.
#[test]
fn leftovers_of_killed_runs_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(out.join(format!("{STAGING_PREFIX}1-2-3/charts"))).unwrap();
    fs::write(out.join(format!("{STAGING_PREFIX}1-2-3/report.md")), "half").unwrap();
    fs::write(out.join(".assignments.csv.tmp-4242"), "half").unwrap();
    fs::create_dir(out.join("charts")).unwrap();
    fs::write(out.join("charts/.trends.png.tmp-77"), "half").unwrap();
    let o = run(&["analyze", SAMPLE, "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    assert!(staging_left(&out).is_empty());
    assert!(!out.join(".assignments.csv.tmp-4242").exists());
    assert!(!out.join("charts/.trends.png.tmp-77").exists());
    verify(&out).unwrap();
}

/// Case 6: rows outside `--since` are not called rejected.
#[test]
fn rows_outside_the_window_are_not_called_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "analyze",
        SAMPLE,
        "--since",
        "2090-01-01",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    let err = text(&o.stderr);
    assert!(!err.contains("rejected"), "{err}");
    assert!(
        err.contains("all 177 rows are dated outside the --since/--until window"),
        "{err}"
    );
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("were rejected"), "{md}");
}

fn no_terms_case(name: &str, texts: &[&str], lang: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    let mut s = String::from("date,root_cause\n");
    for i in 0..200 {
        s.push_str(&format!(
            "2024-0{}-01,{}\n",
            i % 9 + 1,
            texts[i % texts.len()]
        ));
    }
    fs::write(&input, s).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--lang",
        lang,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("No terms survive"), "{name}: {md}");
    assert!(!md.contains("too few entries to compare"), "{name}: {md}");
    let json = fs::read_to_string(out.join("patterns.json")).unwrap();
    assert!(json.contains("No terms survive"), "{name}");
}

/// Case 6: 200 identical rows say that no terms survive.
#[test]
fn identical_rows_say_no_terms_survive() {
    no_terms_case(
        "same.csv",
        &["The deploy script skipped the database migration check"],
        "english",
    );
}

/// Case 6: Chinese text with `--lang english` says that no terms survive.
#[test]
fn chinese_text_with_english_says_no_terms_survive() {
    no_terms_case(
        "zh.csv",
        &[
            "部署脚本跳过了数据库迁移检查",
            "配置文件错误导致服务中断",
            "测试环境与生产环境不一致",
        ],
        "english",
    );
}

/// Case 6: the OS cause of an I/O error is printed once.
#[test]
fn os_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    fs::write(&file, "x").unwrap();
    let o = run(&["analyze", SAMPLE, "-o", file.join("sub").to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let err = text(&o.stderr);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    assert!(err.contains("plain-file/sub"), "{err}");
}

/// Case 6: `--patterns 50` on 10 rows records what was chosen, and says it was asked for 50.
#[test]
fn patterns_larger_than_the_log_records_what_was_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ten.csv");
    let texts = [
        "disk full on build server",
        "disk full on log server",
        "timeout calling payment api",
        "timeout calling auth api",
        "config typo in deploy yaml",
        "config typo in helm chart",
        "missed code review",
        "missed review of migration",
        "cert expired on gateway",
        "cert expired on api",
    ];
    let mut s = String::from("date,root_cause\n");
    for (i, t) in texts.iter().enumerate() {
        s.push_str(&format!("2024-0{}-01,{t}\n", i % 9 + 1));
    }
    fs::write(&input, s).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--patterns",
        "50",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    let v = patterns_json(&out);
    let found = v["patterns"].as_array().unwrap().len();
    assert!(found < 50);
    assert_eq!(v["selection"]["chosen"].as_u64(), Some(found as u64));
    assert_eq!(v["selection"]["requested"].as_u64(), Some(50));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains(&format!("{found} (--patterns asked for 50")),
        "{md}"
    );
}

/// Case 6: `--patterns -1` gets recur's message, not clap's `-- -1` tip.
#[test]
fn negative_patterns_is_refused_without_a_dash_dash_tip() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for args in [["--patterns", "-1"], ["-k", "-1"]] {
        let o = run(&[
            "analyze",
            SAMPLE,
            args[0],
            args[1],
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 2);
        let err = text(&o.stderr);
        assert!(!err.contains("-- -1"), "{err}");
        assert!(
            err.contains("--patterns takes a number or `auto`, got \"-1\""),
            "{err}"
        );
    }
    assert!(!out.exists(), "a refused argument wrote nothing");
}

/// Case 7: `-o` naming a regular file fails first: before the input is read (here the input
/// does not even exist), with exit 2, and the file is untouched.
#[test]
fn out_naming_a_file_fails_before_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.txt");
    fs::write(&file, "mine").unwrap();
    let o = run(&[
        "analyze",
        "/nonexistent/input.csv",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    let err = text(&o.stderr);
    assert!(err.contains("report.txt: is not a folder"), "{err}");
    assert!(!err.contains("nonexistent"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
}

/// Case 8: bidi overrides, zero-width and control characters never reach labels or reports.
#[test]
fn bidi_and_zero_width_characters_never_reach_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bidi.csv");
    let mut s = String::from("id,date,root_cause\n");
    let texts = [
        "disk\u{202e}full on the build\u{200b}server",
        "disk\u{202e}full on the log\u{200b}server again",
        "deploy\u{2066}script skipped the\u{feff}migration",
        "deploy\u{2066}script skipped the\u{feff}migration check",
    ];
    for i in 0..120 {
        s.push_str(&format!(
            "ID\u{202e}{i},2024-0{}-01,{}\n",
            i % 9 + 1,
            texts[i % texts.len()]
        ));
    }
    fs::write(&input, s).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let hidden = ['\u{202e}', '\u{200b}', '\u{2066}', '\u{feff}'];
    for name in [
        "report.md",
        "report.html",
        "patterns.json",
        "charts/patterns.svg",
    ] {
        let t = fs::read_to_string(out.join(name)).unwrap();
        assert!(!t.contains(hidden), "{name} has a hidden character");
    }
    let v = patterns_json(&out);
    for p in v["patterns"].as_array().unwrap() {
        let label = p["label"].as_str().unwrap();
        assert!(!label.contains(hidden), "{label:?}");
    }
    // patterns.json must not escape them either (serde writes them raw; check the escapes too).
    let raw = fs::read_to_string(out.join("patterns.json")).unwrap();
    assert!(!raw.to_lowercase().contains("\\u202e"));
}
