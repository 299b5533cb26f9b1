//! Stage timings, peak memory and progress, drawn by the binary from the library's
//! `Event::Stage`s.
//!
//! In: stage names and durations as the pipeline finishes them. Out: with `--timings`, one line
//! per stage on stderr (wall time) and the peak resident memory (Linux `VmHWM`); with
//! `progress`, a spinner on stderr, from the run's second second on, naming the stage under way
//! and how long it has run, redrawn ten times a second (only when stderr is a terminal; never
//! with `-q`).
//! Invariant: measuring never changes what the pipeline computes; stdout is never touched.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The pipeline's stages in order, to name the one under way on the spinner.
const PIPELINE: &[&str] = recur::event::STAGES;

/// Shows a spinner for a stage that takes longer than a second.
#[derive(Debug)]
struct Spinner {
    /// (index of the stage under way, when it started)
    current: Arc<Mutex<(usize, Instant)>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    fn start() -> Spinner {
        let current = Arc::new(Mutex::new((0usize, Instant::now())));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (Arc::clone(&current), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("{spinner} recur: {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            let mut shown = false;
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                // Every tick shows the stage under way now, with its own elapsed time, so a
                // short stage never leaves an earlier stage's name on screen.
                let (stage, since) = *c.lock().unwrap_or_else(|e| e.into_inner());
                if started.elapsed() > Duration::from_secs(1) {
                    if !shown {
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        shown = true;
                    }
                    bar.set_message(stage_message(stage, since.elapsed()));
                    bar.tick();
                }
            }
            bar.finish_and_clear();
        });
        Spinner {
            current,
            stop,
            thread: Some(thread),
        }
    }

    fn next_stage(&self) {
        let mut cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        *cur = (cur.0 + 1, Instant::now());
    }
}

/// "vectorize (3s)": the stage under way (index into `PIPELINE`) and how long it has run.
fn stage_message(stage: usize, running: Duration) -> String {
    format!(
        "{} ({}s)",
        PIPELINE.get(stage).copied().unwrap_or("finishing"),
        running.as_secs()
    )
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Collects (stage, duration) pairs.
#[derive(Debug)]
pub struct Timings {
    enabled: bool,
    stages: Vec<(&'static str, Duration)>,
    spinner: Option<Spinner>,
}

impl Timings {
    /// `enabled`: print the table at the end; `progress`: show a spinner for slow stages when
    /// stderr is a terminal.
    pub fn new(enabled: bool, progress: bool) -> Self {
        use std::io::IsTerminal;
        Timings {
            enabled,
            stages: Vec::new(),
            spinner: (progress && std::io::stderr().is_terminal()).then(Spinner::start),
        }
    }

    /// Records a finished stage.
    pub fn lap(&mut self, stage: &'static str, took: Duration) {
        self.stages.push((stage, took));
        if let Some(s) = &self.spinner {
            s.next_stage();
        }
    }

    /// Stops the spinner (before the final summary is printed).
    pub fn finish(&mut self) {
        self.spinner = None;
    }

    /// Prints the table to stderr when enabled.
    pub fn print(&mut self) {
        self.finish();
        if !self.enabled {
            return;
        }
        // A closed stderr is not an error (see `eprint_line`).
        use crate::eprint_line as line;
        line(format_args!("timings:"));
        for (name, d) in &self.stages {
            line(format_args!("  {name:<16} {:>9.3} s", d.as_secs_f64()));
        }
        line(format_args!(
            "  {:<16} {:>9.3} s",
            "total",
            self.stages
                .iter()
                .map(|s| s.1)
                .sum::<Duration>()
                .as_secs_f64()
        ));
        if let Some(kb) = peak_memory_kb() {
            line(format_args!(
                "  peak memory      {:>9.1} MB",
                kb as f64 / 1024.0
            ));
        }
    }
}

/// Peak resident set size in KiB (Linux).
pub fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_are_recorded_in_order() {
        let mut t = Timings::new(false, false);
        t.lap("read", Duration::ZERO);
        t.lap("cluster", Duration::ZERO);
        let names: Vec<_> = t.stages.iter().map(|s| s.0).collect();
        assert_eq!(names, vec!["read", "cluster"]);
    }

    #[test]
    fn spinner_names_the_stage_after_the_last_lap() {
        // After lap("read") the stage under way is the next one, whatever the earlier took.
        assert_eq!(
            stage_message(1, Duration::from_millis(300)),
            "normalize+stem (0s)"
        );
        assert_eq!(stage_message(2, Duration::from_secs(3)), "vectorize (3s)");
        assert_eq!(
            stage_message(PIPELINE.len(), Duration::ZERO),
            "finishing (0s)"
        );
        let s = Spinner::start();
        for _ in 0..3 {
            s.next_stage();
        }
        assert_eq!(s.current.lock().unwrap().0, 3);
        assert_eq!(PIPELINE[3], "reduce");
    }
}
