//! The validated configuration of one run (built by `cli`, read by `run`).
//!
//! Invariant: every parameter in here has passed its stage's `check()`.

use crate::cluster::CheckedClusterParams;
use crate::error::{Error, Result};
use crate::ingest::IngestConfig;
use crate::record::Role;
use crate::reduce::CheckedReduceParams;
use crate::text::Language;
use crate::timeline::{CheckedTrendParams, PeriodParams};
use crate::vectorize::CheckedVectorParams;
use std::path::PathBuf;

/// Which reports to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportFormats {
    pub markdown: bool,
    pub html: bool,
    pub json: bool,
}

impl ReportFormats {
    pub fn parse(s: &str) -> Result<ReportFormats> {
        let mut f = ReportFormats {
            markdown: false,
            html: false,
            json: false,
        };
        for part in s.split(',').map(|p| p.trim().to_ascii_lowercase()) {
            match part.as_str() {
                "md" | "markdown" => f.markdown = true,
                "html" => f.html = true,
                "json" => f.json = true,
                "" => {}
                "csv" | "jsonl" | "ndjson" => {
                    return Err(Error::Param(format!(
                        "--format chooses the reports (md, html, json); for the input format use --input-format {part}"
                    )))
                }
                other => {
                    return Err(Error::Param(format!(
                        "--format: unknown report format \"{other}\" (md, html, json)"
                    )))
                }
            }
        }
        Ok(f)
    }
}

/// One run's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub ingest: IngestConfig,
    pub out: PathBuf,
    pub language: Language,
    /// Well-known tendencies patterns are matched against.
    pub tendencies: Vec<crate::tendency::Tendency>,
    /// Let the tendencies' cues seed patterns (off with `--no-lexicon`).
    pub lexicon: bool,
    /// Let the learned reader (`tendency::reader`) move entries with no cue of their pattern's
    /// tendency (English, with the lexicon; off with `--no-reader`).
    pub reader: bool,
    /// The reader given with `--reader FILE`, used instead of the built-in one.
    pub reader_file: Option<crate::tendency::reader::Reader>,
    pub text_roles: Vec<Role>,
    pub vectorize: CheckedVectorParams,
    pub reduce: CheckedReduceParams,
    pub cluster: CheckedClusterParams,
    pub formats: ReportFormats,
    /// Chart files to write (`--charts`).
    pub charts: crate::chart::ChartFormats,
    pub period: PeriodParams,
    pub trend: CheckedTrendParams,
    /// The `--review` period as a period index (see `PeriodParams::index`).
    pub review: Option<i64>,
    pub seed: u64,
    pub blameless: bool,
    /// Where to save the fitted model (`--save-model`).
    pub save_model: Option<PathBuf>,
    /// A model from an earlier run whose pattern ids carry over (`--previous`).
    pub previous: Option<PathBuf>,
}
