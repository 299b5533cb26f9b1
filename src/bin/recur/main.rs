//! The `recur` binary: parse arguments, run, and speak. The library never prints; this is the
//! one place that turns its events and outcomes into lines on stderr and stdout, and into a
//! deliberate exit code:
//!
//! - 0: every report written;
//! - 1: `--strict` and some rows were rejected (the reports are still written);
//! - 2: unusable input (every row rejected), arguments, model file or output folder, or a report
//!   that could not be written.
//!
//! A closed or full stdout or stderr (`| head -n 1`, `| true`, `> /dev/full`) is not an error:
//! messages that cannot be printed are dropped, the reports are still written and the exit code
//! says whether they were.

mod timings;

use clap::Parser;
use recur::cli::{Cli, Command};
use recur::event::{Event, Observer};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => {
            let (quiet, strict) = (args.quiet, args.strict);
            let mut terminal = Terminal::new(quiet, args.timings);
            let result = args.resolve().and_then(|config| {
                let out = config.out.clone();
                recur::run(&config, &mut terminal).map(|o| (o, out))
            });
            terminal.timings.print();
            let (o, out) = match result {
                Ok(done) => done,
                Err(e) => return fail(Failure::Run(e)),
            };
            if !quiet {
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(
                    stdout,
                    "recur: {} rows read, {} analyzed, {} rejected → {} pattern{} ({} with no clear pattern); report in {}",
                    o.rows_read,
                    o.rows_analyzed,
                    o.rows_rejected,
                    o.patterns,
                    if o.patterns == 1 { "" } else { "s" },
                    o.unassigned,
                    out.display()
                )
                .and_then(|()| stdout.flush());
            }
            let report = o.rejected_file.display().to_string();
            judge(
                strict,
                o.rows_read,
                o.rows_rejected as u64,
                &o.first_reasons,
                report,
            )
        }
        Command::Assign(args) => {
            let (quiet, strict) = (args.quiet, args.strict);
            let mut terminal = Terminal::new(quiet, false);
            let result = args.resolve().and_then(|c| {
                let out = c.out.clone();
                recur::assign::run(&c, &mut terminal).map(|o| (o, out))
            });
            let (o, out) = match result {
                Ok(done) => done,
                Err(e) => return fail(Failure::Run(e)),
            };
            if !quiet {
                let place = match &out {
                    recur::assign::Destination::Folder(p) => {
                        format!("; report in {}", p.display())
                    }
                    recur::assign::Destination::Stdout => String::new(),
                };
                eprint_line(format_args!(
                    "recur: {} rows read, {} placed, {} rejected; {} fit no pattern{place}",
                    o.rows_read, o.placed, o.rejected, o.unplaced
                ));
            }
            let report = o
                .rejected_file
                .as_ref()
                .map_or("the warnings above".to_string(), |p| {
                    p.display().to_string()
                });
            judge(strict, o.rows_read, o.rejected, &o.first_reasons, report)
        }
    }
}

/// Prints a run's events on stderr (none with `-q`) and keeps its stage timings.
struct Terminal {
    quiet: bool,
    timings: timings::Timings,
}

impl Terminal {
    fn new(quiet: bool, timings: bool) -> Terminal {
        Terminal {
            quiet,
            timings: timings::Timings::new(timings, !quiet),
        }
    }
}

impl Observer for Terminal {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Stage { name, elapsed } => self.timings.lap(name, elapsed),
            _ if self.quiet => {}
            Event::Waiting { out, limit } => eprint_line(format_args!(
                "recur: waiting for another run writing to {} (up to {} s)…",
                out.display(),
                limit.as_secs()
            )),
            Event::Message(m) if m.is_warning() => eprint_line(format_args!("warning: {m}")),
            Event::Message(m) => eprint_line(format_args!("recur: {m}")),
        }
    }
}

/// Why `recur` exits with a failure code.
enum Failure {
    /// The library stopped the run.
    Run(recur::error::Error),
    /// Every row was rejected: nothing could be analyzed.
    AllRejected {
        rows: u64,
        reasons: String,
        report: String,
    },
    /// `--strict` and at least one row was rejected.
    Strict { rejected: u64, report: String },
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Strict { .. } => 1,
            Failure::Run(e) => e.exit_code(),
            Failure::AllRejected { .. } => 2,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Run(e) => e.fmt(f),
            Failure::AllRejected {
                rows,
                reasons,
                report,
            } => write!(
                f,
                "all {rows} rows were rejected, so nothing could be analyzed; first reasons: {reasons} (every reason in {report})"
            ),
            Failure::Strict { rejected, report } => write!(
                f,
                "{rejected} row(s) rejected and --strict is set (see {report})"
            ),
        }
    }
}

/// The exit code of a run that wrote its reports: every row rejected is unusable input (2),
/// rejected rows with `--strict` a failure (1), anything else success.
fn judge(strict: bool, rows: u64, rejected: u64, reasons: &str, report: String) -> ExitCode {
    if rows > 0 && rejected == rows {
        fail(Failure::AllRejected {
            rows,
            reasons: reasons.to_string(),
            report,
        })
    } else if strict && rejected > 0 {
        fail(Failure::Strict { rejected, report })
    } else {
        ExitCode::SUCCESS
    }
}

fn fail(failure: Failure) -> ExitCode {
    let code = failure.exit_code();
    match failure {
        // With its cause chain.
        Failure::Run(e) => eprint_line(format_args!("error: {:#}", anyhow::Error::from(e))),
        other => eprint_line(format_args!("error: {other}")),
    }
    ExitCode::from(code)
}

/// Writes one line to stderr; a closed or full stderr is not an error (the run goes on and its
/// reports are still written), so this never panics the way `eprintln!` does.
fn eprint_line(args: std::fmt::Arguments) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_fmt(args).and_then(|()| e.write_all(b"\n"));
}
