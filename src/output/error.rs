//! Output errors: what stops a run from writing or publishing its files.
//!
//! In: failures of the output folder, its lock, the staging folder and atomic writes. Out:
//! `OutputError`, whose message names the path.

use std::io;
use std::path::PathBuf;

/// Why the outputs cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder cannot be created, written, moved or removed. The OS error is part of
    /// the message and deliberately not a `source`, so a cause-chain printer does not repeat it.
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: io::Error },
    /// `--out` names something that is not a folder.
    #[error("{path}: is not a folder (--out names the folder the reports are written into)")]
    NotAFolder { path: PathBuf },
    /// The lock file is a symbolic link, which recur does not follow.
    #[error(
        "{path}: is a symbolic link; recur does not follow links in its output folder (remove it)"
    )]
    Link { path: PathBuf },
    /// Another run held the folder for the whole wait.
    #[error("{path}: another recur run is writing to this folder (it holds {lock}); waited {waited_s} s — try again when it has finished, or use another --out")]
    Busy {
        path: PathBuf,
        lock: &'static str,
        waited_s: u64,
    },
    /// The manifest cannot be made or read back.
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
}

impl OutputError {
    pub fn io(path: impl Into<PathBuf>, cause: io::Error) -> Self {
        OutputError::Io {
            path: path.into(),
            cause,
        }
    }
}

pub type Result<T, E = OutputError> = std::result::Result<T, E>;
