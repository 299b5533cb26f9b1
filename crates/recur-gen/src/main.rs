//! recur-gen: writes a synthetic failure log as CSV (the generator is this crate's library,
//! `recur_gen`).
//!
//! `recur-gen --rows N [--seed S] [--tendencies T] [--noise F] [--scenario uniform|trends]
//! [--quarters Q] [--start YYYY-MM-DD] [-o FILE]` — stdout when `-o` is absent. With
//! `--scenario trends -o FILE` the designed trend of each tendency is written next to it as
//! `FILE.design.csv` (`truth,trend`), the truth a trend call is measured against.

use clap::{Parser, ValueEnum};
use recur_gen::{write_csv, Scenario, SynthParams, TRENDS_DESIGN};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ScenarioArg {
    /// Uneven tendency sizes, dates uniform over the range.
    Uniform,
    /// Steady, rising, fading, resolved (with stray rows) and new (last quarter only)
    /// tendencies over the quarters.
    Trends,
}

/// Generate a synthetic failure log with known recurring tendencies.
#[derive(Debug, Parser)]
#[command(name = "recur-gen", version, about)]
struct Args {
    /// Number of rows to generate.
    #[arg(long)]
    rows: usize,
    /// RNG seed; the same arguments always produce the same file.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of tendencies (uniform scenario only; trends always uses 5).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=10))]
    tendencies: u64,
    /// Share of rows that belong to no tendency, 0.0 to 1.0.
    #[arg(long, default_value_t = 0.0, value_parser = parse_share)]
    noise: f64,
    /// Shape of the data over time.
    #[arg(long, value_enum, default_value_t = ScenarioArg::Uniform)]
    scenario: ScenarioArg,
    /// Number of quarters covered by the dates.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=400))]
    quarters: u32,
    /// Chance that an optional, tendency-neutral fragment ("on the billing migration", "again")
    /// is written into a root cause: higher makes the tendencies harder to tell apart.
    #[arg(long, default_value_t = 0.5, value_parser = parse_share)]
    optional: f64,
    /// First date of the range.
    #[arg(long, default_value = "2024-01-01", value_parser = parse_date)]
    start: (i32, u32, u32),
    /// Output file (stdout when absent).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_share(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` is not between 0.0 and 1.0"))
    }
}

fn parse_date(s: &str) -> Result<(i32, u32, u32), String> {
    let bad = || format!("`{s}` is not a valid YYYY-MM-DD date");
    let mut parts = s.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    let d: u32 = d.parse().map_err(|_| bad())?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1..=9999).contains(&y) || d == 0 || d > len {
        return Err(bad());
    }
    Ok((y, m, d))
}

fn run(args: Args) -> io::Result<u64> {
    let params = SynthParams {
        rows: args.rows,
        seed: args.seed,
        tendencies: args.tendencies as usize,
        noise: args.noise,
        scenario: match args.scenario {
            ScenarioArg::Uniform => Scenario::Uniform,
            ScenarioArg::Trends => Scenario::Trends,
        },
        start: args.start,
        quarters: args.quarters,
        optional: args.optional,
    };
    match &args.output {
        Some(path) => {
            let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
            let n = write_csv(&params, &mut w)?;
            w.flush()?;
            if params.scenario == Scenario::Trends {
                let mut name = path.as_os_str().to_owned();
                name.push(".design.csv");
                let mut d = BufWriter::new(File::create(PathBuf::from(name))?);
                writeln!(d, "truth,trend")?;
                for (key, trend) in TRENDS_DESIGN {
                    writeln!(d, "{key},{trend}")?;
                }
                d.flush()?;
            }
            Ok(n)
        }
        None => {
            let mut w = BufWriter::with_capacity(1 << 20, io::stdout().lock());
            let n = write_csv(&params, &mut w)?;
            w.flush()?;
            Ok(n)
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let target = args
        .output
        .as_ref()
        .map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
    match run(args) {
        Ok(_) => ExitCode::SUCCESS,
        // A closed pipe (e.g. `recur-gen ... | head`) is not an error worth reporting.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("recur-gen: cannot write {target}: {e}");
            ExitCode::FAILURE
        }
    }
}
