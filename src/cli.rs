//! Command line: clap arguments, resolved into a validated `Config`.
//!
//! In: `std::env::args`. Out: `Config`, which no stage below sees a clap type of.
//! Invariant: every value is checked here or by a stage's `check()`; a bad value is an
//! `Error::Param` (exit code 2) naming the flag.

use crate::cluster::{ClusterParams, KChoice};
use crate::config::{Config, ReportFormats};
use crate::error::{Error, Result};
use crate::ingest::{ColumnOptions, Format, IngestConfig, Precision, Source};
use crate::record::Role;
use crate::reduce::ReduceParams;
use crate::text::Language;
use crate::timeline::{parse_month, PeriodKind, PeriodParams, TrendParams};
use crate::vectorize::VectorParams;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "recur",
    version,
    about = "Finds the recurring patterns in failure logs",
    long_about = "Finds the tendencies that keep producing failures in a failure log: reads CSV, JSON or JSON Lines, stems and vectorizes the root-cause text, clusters it, names each pattern and writes a Markdown, HTML and JSON report plus a per-entry assignment file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyze one or more failure logs and write the pattern report.
    Analyze(Box<AnalyzeArgs>),
    /// Place new entries into the patterns of a saved model (`analyze --save-model`), without a
    /// refit.
    Assign(AssignArgs),
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The model file written by `recur analyze --save-model`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Input files (.csv, .json, .jsonl/.ndjson); `-` reads standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Output folder, or `-` for the assignment lines on standard output.
    #[arg(short, long, default_value = "recur-assign", value_name = "DIR|-")]
    pub out: String,
    /// Leave out the CSV header line (for shards whose outputs are concatenated).
    #[arg(long = "no-header")]
    pub no_header: bool,
    /// Also write assignments.parquet into the output folder.
    #[arg(long)]
    pub parquet: bool,
    /// Use HEADER for ROLE; repeatable (as in analyze).
    #[arg(long = "column", value_name = "ROLE=HEADER")]
    pub column: Vec<String>,
    /// Read an incident tool's export by its layout (as in analyze).
    #[arg(long, value_name = "TOOL")]
    pub preset: Option<String>,
    /// Format of the inputs (needed only when the extension or content does not tell).
    #[arg(long = "input-format", value_name = "csv|json|jsonl|parquet")]
    pub input_format: Option<String>,
    /// Date format for dates that are not ISO 8601 / RFC 3339 / YYYY/MM/DD.
    #[arg(long = "date-format", value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Leave names of people out of rejected.csv.
    #[arg(long)]
    pub blameless: bool,
    /// Treat rejected rows as a failure (exit code 1).
    #[arg(long)]
    pub strict: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

impl AssignArgs {
    /// Resolves the arguments into a validated configuration.
    pub fn resolve(self) -> Result<crate::assign::AssignConfig> {
        #[derive(Parser)]
        struct Wrap {
            #[command(flatten)]
            a: AnalyzeArgs,
        }
        let analyze = Wrap::try_parse_from(
            ["recur", "-"]
                .into_iter()
                .map(String::from)
                .chain(
                    self.column
                        .iter()
                        .flat_map(|c| ["--column".to_string(), c.clone()]),
                )
                .chain(
                    self.preset
                        .iter()
                        .flat_map(|p| ["--preset".to_string(), p.clone()]),
                )
                .chain(
                    self.input_format
                        .iter()
                        .flat_map(|p| ["--input-format".to_string(), p.clone()]),
                )
                .chain(
                    self.date_format
                        .iter()
                        .flat_map(|p| ["--date-format".to_string(), p.clone()]),
                ),
        )
        .map_err(|e| Error::Param(e.to_string()))?
        .a;
        if self.parquet && !cfg!(feature = "parquet") {
            return Err(Error::Param(format!(
                "--parquet: {}",
                crate::ingest::parquet::NOT_BUILT
            )));
        }
        if self.parquet && self.out == "-" {
            return Err(Error::Param(
                "--parquet writes assignments.parquet into an output folder; -o - writes CSV lines"
                    .into(),
            ));
        }
        let mut ingest = analyze.resolve()?.ingest;
        ingest.sources = sources(&self.inputs)?;
        ingest.blameless = self.blameless;
        Ok(crate::assign::AssignConfig {
            model: self.model,
            ingest,
            out: if self.out == "-" {
                crate::assign::Destination::Stdout
            } else {
                crate::assign::Destination::Folder(PathBuf::from(self.out))
            },
            header: !self.no_header,
            parquet: self.parquet,
        })
    }
}

fn sources(inputs: &[String]) -> Result<Vec<Source>> {
    let sources: Vec<Source> = inputs
        .iter()
        .map(|s| {
            if s == "-" {
                Source::Stdin
            } else {
                Source::Path(PathBuf::from(s))
            }
        })
        .collect();
    if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
        return Err(Error::Param(
            "standard input (-) can be read only once".into(),
        ));
    }
    Ok(sources)
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Input files (.csv, .json, .jsonl/.ndjson); `-` reads standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Output folder.
    #[arg(short, long, default_value = "recur-report", value_name = "DIR")]
    pub out: PathBuf,
    /// Number of patterns, or `auto`.
    #[arg(
        short = 'k',
        long = "patterns",
        default_value = "auto",
        value_name = "N|auto",
        // `-k -1` reaches parse_k and gets its message, not clap's `-- -1` tip (which would
        // make -1 an input file).
        allow_negative_numbers = true
    )]
    pub patterns: String,
    /// Random seed (k-means initialization, SVD test matrix, sampling).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Stemming and stop-word language (any rust-stemmers language).
    #[arg(long = "lang", default_value = "english", value_name = "LANGUAGE")]
    pub lang: String,
    /// Use HEADER for ROLE (date, context, root_cause, lesson, behavioral_change, control, team, id); repeatable.
    /// In JSON, HEADER is a dotted path such as fields.customfield_10050.
    #[arg(long = "column", value_name = "ROLE=HEADER")]
    pub column: Vec<String>,
    /// Read an incident tool's export by its layout: jira, jira-json, pagerduty, incident-io,
    /// dispatch, firehydrant, rootly, opsgenie, servicenow, github, google-sre.
    #[arg(long, value_name = "TOOL")]
    pub preset: Option<String>,
    /// Keep every row even when several share an id (by default the last one counts).
    #[arg(long = "keep-duplicates")]
    pub keep_duplicates: bool,
    /// Treat rejected rows as a failure (exit code 1).
    #[arg(long)]
    pub strict: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Format of the inputs (needed only when the extension or content does not tell).
    #[arg(long = "input-format", value_name = "csv|json|jsonl")]
    pub input_format: Option<String>,
    /// Date format for dates that are not ISO 8601 / RFC 3339 / YYYY/MM/DD (strftime syntax, e.g. %d.%m.%Y).
    #[arg(long = "date-format", value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Extra stop words, one per line.
    #[arg(long, value_name = "FILE")]
    pub stopwords: Option<PathBuf>,
    /// Columns whose text is analyzed, by role; the first must be non-empty in every row.
    /// Lessons and behavioural changes name the tendency in the author's own words.
    #[arg(
        long,
        default_value = "root_cause,lesson,behavioral_change",
        value_name = "ROLES"
    )]
    pub text: String,
    /// A human label column to compare the patterns with (never used for clustering).
    #[arg(long, value_name = "COLUMN")]
    pub truth: Option<String>,
    /// Assign every entry to its nearest pattern (no "no clear pattern" group).
    #[arg(long = "no-outliers")]
    pub no_outliers: bool,
    /// Only entries on or after this date.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only entries on or before this date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Leave names of people (author, reporter, assignee... columns) out of every output.
    #[arg(long)]
    pub blameless: bool,
    /// Count entries per month, quarter or year.
    #[arg(long, default_value = "quarter", value_name = "month|quarter|year")]
    pub period: String,
    /// First month of the fiscal year (1-12 or a name such as april); shifts quarters and years.
    #[arg(long = "fiscal-year-start", default_value = "1", value_name = "MONTH")]
    pub fiscal_year_start: String,
    /// Lead the report with this period (e.g. 2026-Q3) against the periods before it; trends
    /// then ignore later periods.
    #[arg(long, value_name = "PERIOD")]
    pub review: Option<String>,
    /// Count each pattern's entries per value of this column (e.g. team, service).
    #[arg(long = "group-by", value_name = "COLUMN")]
    pub group_by: Option<String>,
    /// Reports to write, comma-separated: md, html, json.
    #[arg(
        long = "format",
        default_value = "md,html,json",
        value_name = "md,html,json"
    )]
    pub format: String,
    /// Chart files to write into <DIR>/charts: svg, png, svg,png or none (report.html always has its charts inline).
    #[arg(
        long = "charts",
        default_value = "svg,png",
        value_name = "svg,png|none"
    )]
    pub charts: String,
    /// Extra or replacement well-known tendencies (TOML or JSON: name + cue words).
    #[arg(long, value_name = "FILE")]
    pub tendencies: Option<PathBuf>,
    /// Group by the words alone: no well-known tendency seeds a pattern (tendencies still name
    /// the patterns found).
    #[arg(long = "no-lexicon")]
    pub no_lexicon: bool,
    /// Leave out the learned tendency reader: only cues and word similarity place entries.
    #[arg(long = "no-reader")]
    pub no_reader: bool,
    /// Use this reader instead of the built-in one: a file in the format of assets/reader.tsv,
    /// as scripts/train_reader.py writes it from your own tagged logs.
    #[arg(long = "reader", value_name = "FILE", conflicts_with = "no_reader")]
    pub reader: Option<PathBuf>,
    /// Print per-stage wall times and peak memory to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Save the fitted model (vocabulary, projection, pattern centres, names) to FILE, for
    /// `recur assign` and `--previous`.
    #[arg(long = "save-model", value_name = "FILE")]
    pub save_model: Option<PathBuf>,
    /// A model saved by an earlier run: patterns that continue keep its ids and names, new ones
    /// get new ids, and the report lists continued, new and no longer seen patterns.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// Dimensions kept by the SVD (advanced).
    #[arg(long, default_value_t = 64, hide_short_help = true)]
    pub dims: usize,
}

fn parse_k(s: &str) -> Result<KChoice> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(KChoice::Auto);
    }
    s.parse::<usize>()
        .map(KChoice::Fixed)
        .map_err(|_| Error::Param(format!("--patterns takes a number or `auto`, got \"{s}\"")))
}

fn parse_roles(s: &str, flag: &str) -> Result<Vec<Role>> {
    let mut roles = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let role = Role::parse(part)
            .ok_or_else(|| Error::Param(format!("{flag}: unknown role \"{part}\"")))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(Error::Param(format!("{flag} needs at least one role")));
    }
    Ok(roles)
}

/// The coarsest date the timeline's periods can hold: a quarter date fits a calendar or
/// fiscal quarter that starts with a calendar quarter, a year-only date only a calendar year.
fn coarsest_date(period: &PeriodParams) -> Precision {
    let aligned = (period.fiscal_year_start - 1) % 3 == 0;
    match period.kind {
        PeriodKind::Month => Precision::Month,
        PeriodKind::Quarter if aligned => Precision::Quarter,
        PeriodKind::Year if period.fiscal_year_start == 1 => Precision::Year,
        PeriodKind::Year if aligned => Precision::Quarter,
        _ => Precision::Month,
    }
}

fn parse_day(s: &str, flag: &str) -> Result<chrono::NaiveDate> {
    crate::ingest::parse_date(s, None).map_err(|e| Error::Param(format!("{flag}: {e}")))
}

impl AnalyzeArgs {
    /// Resolves the arguments into a validated configuration.
    pub fn resolve(self) -> Result<Config> {
        let input_format = match &self.input_format {
            None => None,
            Some(f) => Some(Format::parse(f).ok_or_else(|| {
                Error::Param(format!(
                    "--input-format takes csv, json, jsonl or parquet, got \"{f}\""
                ))
            })?),
        };
        let sources = sources(&self.inputs)?;
        let mut overrides = Vec::new();
        for c in &self.column {
            let (role, header) = c
                .split_once('=')
                .ok_or_else(|| Error::Param(format!("--column takes ROLE=HEADER, got \"{c}\"")))?;
            let role = Role::parse(role)
                .ok_or_else(|| Error::Param(format!("--column: unknown role \"{role}\" (roles: date, context, root_cause, lesson, behavioral_change, control, team, id)")))?;
            overrides.push((role, header.trim().to_string()));
        }
        let preset = match &self.preset {
            None => None,
            Some(name) => Some(crate::ingest::find_preset(name).ok_or_else(|| {
                Error::Param(format!(
                    "--preset: unknown tool \"{name}\" (presets: {})",
                    crate::ingest::preset_names()
                ))
            })?),
        };
        if let Some(f) = &self.date_format {
            crate::ingest::check_date_format(f).map_err(Error::Param)?;
        }
        let text_roles = parse_roles(&self.text, "--text")?;
        if text_roles.contains(&Role::Date) || text_roles.contains(&Role::Control) {
            return Err(Error::Param(
                "--text takes text roles (root_cause, context, lesson, behavioral_change)".into(),
            ));
        }
        let mut language = Language::new(&self.lang)?;
        if let Some(path) = &self.stopwords {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            language.add_stopwords(&text);
        }
        let since = self
            .since
            .as_deref()
            .map(|s| parse_day(s, "--since"))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|s| parse_day(s, "--until"))
            .transpose()?;
        if let (Some(a), Some(b)) = (since, until) {
            if a > b {
                return Err(Error::Param(format!("--since {a} is after --until {b}")));
            }
        }
        let formats = ReportFormats::parse(&self.format)?;
        let kind = PeriodKind::parse(&self.period).ok_or_else(|| {
            Error::Param(format!(
                "--period takes month, quarter or year, got \"{}\"",
                self.period
            ))
        })?;
        let fiscal_year_start = parse_month(&self.fiscal_year_start).ok_or_else(|| {
            Error::Param(format!(
                "--fiscal-year-start takes a month (1-12 or a name such as april), got \"{}\"",
                self.fiscal_year_start
            ))
        })?;
        let period = PeriodParams {
            kind,
            fiscal_year_start,
        }
        .check()?;
        let review = match &self.review {
            None => None,
            Some(r) => Some(period.parse_label(r).ok_or_else(|| {
                Error::Param(format!(
                    "--review \"{r}\": not a {} label such as {}",
                    kind.name(),
                    period.example()
                ))
            })?),
        };
        let charts = crate::chart::ChartFormats::parse(&self.charts)?;
        let cluster = ClusterParams::new()
            .k(parse_k(&self.patterns)?)
            .seed(self.seed)
            .outliers(!self.no_outliers)
            .check()?;
        let reduce = ReduceParams::new()
            .dims(self.dims)
            .seed(self.seed)
            .check()?;
        let vectorize = VectorParams::default().check()?;
        Ok(Config {
            ingest: IngestConfig {
                sources,
                format: input_format,
                columns: ColumnOptions {
                    overrides,
                    group_by: self.group_by.clone(),
                    truth: self.truth.clone(),
                    preset,
                },
                date_format: self
                    .date_format
                    .clone()
                    .or_else(|| preset.and_then(|p| p.date_format.map(String::from))),
                keep_duplicates: self.keep_duplicates,
                since,
                until,
                text_roles: text_roles.clone(),
                blameless: self.blameless,
                coarsest_date: coarsest_date(&period),
                latest_date: None,
            },
            out: self.out,
            language,
            tendencies: match &self.tendencies {
                Some(p) => crate::tendency::load(p)?,
                None => crate::tendency::builtin(),
            },
            lexicon: !self.no_lexicon,
            reader: !self.no_lexicon && !self.no_reader,
            reader_file: match &self.reader {
                Some(p) => Some(crate::tendency::reader::Reader::load(p)?),
                None => None,
            },
            text_roles,
            vectorize,
            reduce,
            cluster,
            formats,
            charts,
            period,
            trend: TrendParams::new(kind).check()?,
            review,
            seed: self.seed,
            blameless: self.blameless,
            save_model: self.save_model,
            previous: self.previous,
        })
    }
}
