//! The `recur` binary: parse arguments, run, report errors with their cause chain and a
//! deliberate exit code (0 ok, 1 `--strict` with rejected rows, 2 unusable input or arguments).

use clap::Parser;
use recur::cli::{Cli, Command};
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
                        println!(
                            "recur: {} rows read, {} analyzed, {} rejected → {} pattern{} ({} with no clear pattern); report in {}",
                            o.rows_read,
                            o.rows_analyzed,
                            o.rows_rejected,
                            o.patterns,
                            if o.patterns == 1 { "" } else { "s" },
                            o.unassigned,
                            out.display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    let code = e.exit_code();
                    eprintln!("error: {:#}", anyhow::Error::from(e));
                    ExitCode::from(code)
                }
            }
        }
    }
}
