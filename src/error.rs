//! Library errors.
//!
//! In: failures from every stage. Out: one `Error` enum whose messages name the file, the line or
//! record, and what was wrong, so a user can open the file at the place the message names.
//! Invariant: row-level problems are *not* errors (they become rejects, see `ingest`); an `Error`
//! means the run as a whole cannot go on (exit code 2), except `Strict` (exit code 1).

use std::path::PathBuf;

/// Everything that stops a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written. The OS error is part of the message and
    /// deliberately not a `source`, so a cause-chain printer (`{:#}`) does not repeat it.
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// The input as a whole cannot be used (bad header, unparseable JSON, no text column...).
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    /// A command-line value or parameter is out of range or malformed.
    #[error("invalid parameter: {0}")]
    Param(String),
    /// `--strict` and at least one row was rejected.
    #[error("{rejected} row(s) rejected and --strict is set (see {report})")]
    Strict { rejected: u64, report: String },
    /// Every row of the input was rejected: nothing could be analyzed (exit code 2).
    #[error("all {rows} rows were rejected, so nothing could be analyzed; first reasons: {reasons} (every reason in {report})")]
    AllRejected {
        rows: u64,
        reasons: String,
        report: String,
    },
    /// Writing a report or chart failed.
    #[error("cannot render {what}: {message}")]
    Render { what: String, message: String },
    /// A model file cannot be used (not a model, truncated, corrupt, another format version).
    #[error("{path}: {message}")]
    Model { path: String, message: String },
    /// The output folder cannot be used (not a folder, busy with another run, unsafe entry).
    #[error("{}: {message}", path.display())]
    Output { path: PathBuf, message: String },
    /// The vectorize stage: a rejected parameter.
    #[error(transparent)]
    Vectorize(#[from] crate::vectorize::VectorizeError),
    /// The reduce stage: a rejected parameter, or the eigendecomposition failed.
    #[error(transparent)]
    Reduce(#[from] crate::reduce::ReduceError),
    /// The cluster stage: a rejected parameter, or linfa's k-means failed.
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    /// The timeline stage: a rejected period, trend or `--review` value, or the group-by failed.
    #[error(transparent)]
    Timeline(#[from] crate::timeline::TimelineError),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause: source,
        }
    }

    pub fn input(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Exit code for this error: 1 for `--strict` failures, 2 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Strict { .. } => 1,
            _ => 2,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
