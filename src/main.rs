//! The `recur` binary: parse arguments, run, report errors with their cause chain and a
//! deliberate exit code (0 every report written, 1 `--strict` with rejected rows, 2 unusable
//! input, arguments or output folder, or a report that could not be written).
//!
//! A closed or full stdout or stderr (`| head -n 1`, `| true`, `> /dev/full`) is not an error:
//! messages that cannot be printed are dropped, the reports are still written and the exit code
//! says whether they were.

use clap::Parser;
use recur::cli::{Cli, Command};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => {
            let quiet = args.quiet;
            let result = args.resolve().and_then(|config| {
                let out = config.out.clone();
                recur::run(&config).map(|o| (o, out))
            });
            match result {
                Ok((o, out)) => {
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
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Assign(args) => {
            let quiet = args.quiet;
            match args
                .resolve()
                .and_then(|c| recur::assign::run(&c).map(|o| (o, c)))
            {
                Ok((o, c)) => {
                    if !quiet {
                        let place = match &c.out {
                            recur::assign::Destination::Folder(p) => {
                                format!("; report in {}", p.display())
                            }
                            recur::assign::Destination::Stdout => String::new(),
                        };
                        recur::output::eprint_line(format_args!(
                            "recur: {} rows read, {} placed, {} rejected; {} fit no pattern{place}",
                            o.rows_read, o.placed, o.rejected, o.unplaced
                        ));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

fn fail(e: recur::error::Error) -> ExitCode {
    let code = e.exit_code();
    recur::output::eprint_line(format_args!("error: {:#}", anyhow::Error::from(e)));
    ExitCode::from(code)
}
