//! Ingest errors: what stops a file from being read at all. A bad row is not an error: it
//! becomes a `Reject` with its place and reason, and the run goes on.
//!
//! In: failures of opening, reading and parsing input files. Out: `IngestError`, whose message
//! names the file, and the place in it where there is one (`Position`: line, or record), so a
//! user can open the file there.

use crate::record::Position;
use std::io;
use std::path::PathBuf;

/// Why an input file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file cannot be opened or read. The OS error is part of the message and deliberately
    /// not a `source`, so a cause-chain printer (`{:#}`) does not repeat it.
    #[error("{path}: {cause}")]
    Read { path: PathBuf, cause: io::Error },
    /// A JSON document that does not parse, and where.
    #[error("{file}: invalid JSON at {position} column {column}: {message}")]
    Syntax {
        file: String,
        position: Position,
        column: usize,
        message: String,
    },
    /// The file cannot be read as a log: no header row, no text column, not a list of records.
    #[error("{file}: {message}")]
    Unusable { file: String, message: String },
    /// `--group-by` names a column of people's names, which `--blameless` leaves out.
    #[error("invalid parameter: --group-by \"{header}\" ({file}) holds people's names, which --blameless leaves out of every output; group by a team or service column instead")]
    GroupByPeople { header: String, file: String },
    /// A streamed run's sink (`recur assign`'s assignments.csv) could not be written.
    #[error("assignments.csv: cannot be written: {0}")]
    Sink(io::Error),
}

impl IngestError {
    pub fn read(path: impl Into<PathBuf>, cause: io::Error) -> Self {
        IngestError::Read {
            path: path.into(),
            cause,
        }
    }

    pub fn unusable(file: impl Into<String>, message: impl Into<String>) -> Self {
        IngestError::Unusable {
            file: file.into(),
            message: message.into(),
        }
    }
}

/// Why a JSON or Parquet input cannot be read as records (made an `IngestError` with the
/// file's name by the caller).
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// The document does not parse: at `line`, `column`.
    Syntax {
        line: u64,
        column: usize,
        message: String,
    },
    /// It parses, but holds no list of records.
    Shape(String),
}

impl From<String> for ParseError {
    fn from(m: String) -> Self {
        ParseError::Shape(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_place() {
        let e = IngestError::Syntax {
            file: "log.json".into(),
            position: Position::Line(7),
            column: 3,
            message: "EOF while parsing".into(),
        };
        assert_eq!(
            e.to_string(),
            "log.json: invalid JSON at line 7 column 3: EOF while parsing"
        );
        let e = IngestError::read("missing.csv", io::Error::from(io::ErrorKind::NotFound));
        assert!(e.to_string().starts_with("missing.csv: "), "{e}");
    }
}
