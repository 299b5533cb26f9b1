//! Library errors.
//!
//! In: failures from every stage. Out: one `Error` enum whose messages name the file, the line or
//! record, and what was wrong, so a user can open the file at the place the message names.
//! Invariant: row-level problems are *not* errors (they become rejects, see `ingest`); an `Error`
//! means the run as a whole cannot go on (exit code 2).

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
    /// An input file cannot be read (see `ingest::IngestError`).
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    /// The tendency lexicon (`--tendencies FILE`) cannot be used.
    #[error(transparent)]
    Lexicon(#[from] crate::tendency::LexiconError),
    /// A command-line value or parameter is out of range or malformed.
    #[error("invalid parameter: {0}")]
    Param(String),
    /// Writing a report or chart failed.
    #[error("cannot render {what}: {message}")]
    Render { what: String, message: String },
    /// A model file cannot be used (not a model, truncated, corrupt, another format version).
    #[error("{path}: {cause}")]
    Model {
        path: String,
        cause: crate::model::ModelError,
    },
    /// A reader file (`--reader`) cannot be used.
    #[error("{path}: {cause}")]
    Reader {
        path: String,
        cause: crate::tendency::reader::ReaderError,
    },
    /// The outputs cannot be written (see `output::OutputError`).
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
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

    /// Exit code for this error: every error stops the run, so 2 (`--strict` with rejected
    /// rows, exit code 1, is not an error of the library: the binary decides it from the
    /// outcome).
    pub fn exit_code(&self) -> u8 {
        2
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
