//! Stage timings and peak memory, for `--timings`.
//!
//! In: stage names as the pipeline passes them. Out: one line per stage on stderr (wall time),
//! then the peak resident memory of the process (Linux `VmHWM`; omitted where unavailable).
//! Invariant: measuring never changes what the pipeline computes.

use std::time::{Duration, Instant};

/// Collects (stage, duration) pairs.
#[derive(Debug)]
pub struct Timings {
    enabled: bool,
    last: Instant,
    start: Instant,
    stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    pub fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Timings {
            enabled,
            last: now,
            start: now,
            stages: Vec::new(),
        }
    }

    /// Ends the current stage.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push((stage, now - self.last));
        self.last = now;
    }

    /// Prints the table to stderr when enabled.
    pub fn print(&self) {
        if !self.enabled {
            return;
        }
        eprintln!("timings:");
        for (name, d) in &self.stages {
            eprintln!("  {name:<16} {:>9.3} s", d.as_secs_f64());
        }
        eprintln!(
            "  {:<16} {:>9.3} s",
            "total",
            (self.last - self.start).as_secs_f64()
        );
        if let Some(kb) = peak_memory_kb() {
            eprintln!("  peak memory      {:>9.1} MB", kb as f64 / 1024.0);
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
        let mut t = Timings::new(false);
        t.lap("read");
        t.lap("cluster");
        let names: Vec<_> = t.stages.iter().map(|s| s.0).collect();
        assert_eq!(names, vec!["read", "cluster"]);
    }
}
