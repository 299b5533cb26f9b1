//! What a run tells its caller. The library never prints: it hands `Event`s to an `Observer`
//! its caller chooses (the `recur` binary writes them to stderr and draws its spinner from
//! them; a test collects them; `|_| {}` drops them), and returns the same `Message`s in its
//! outcome.
//!
//! In: events as the pipeline meets them (a busy output folder, a finished stage, what ingest
//! found). Out: whatever the observer does with them.
//! Invariant: observing never changes what the pipeline computes or writes.

use crate::ingest::Ingested;
use crate::record::{Position, Role};
use crate::sanitize::{shorten, LABEL_MAX, WARNING_MAX};
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// Something that happened during a run.
#[derive(Debug)]
pub enum Event<'a> {
    /// Another run is writing the output folder; this one waits up to `limit` for it.
    Waiting { out: &'a Path, limit: Duration },
    /// A stage of the pipeline finished, `elapsed` after the previous one.
    Stage {
        name: &'static str,
        elapsed: Duration,
    },
    /// Something the user should hear about.
    Message(&'a Message),
}

/// Receives a run's events as they happen.
pub trait Observer {
    fn event(&mut self, event: Event<'_>);
}

impl<F: FnMut(Event<'_>)> Observer for F {
    fn event(&mut self, event: Event<'_>) {
        self(event)
    }
}

/// The stages `recur analyze` reports, in order (the names of `Event::Stage`).
pub const STAGES: &[&str] = &[
    "read",
    "normalize+stem",
    "vectorize",
    "reduce",
    "cluster",
    "label",
    "aggregate",
    "charts",
    "render",
];

/// Rejected rows described one by one; the rest are counted.
pub const REJECTS_SHOWN: usize = 20;

/// What ingest found that the user should know. `Display` gives the text without a prefix;
/// `is_warning` says whether it is a warning or a plain note.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Which header serves each role, in a file where some role is served by a header other
    /// than the role's own name (a note, not a warning).
    Columns { file: String, choices: Vec<String> },
    /// One rejected row.
    Rejected {
        file: String,
        position: Position,
        reason: String,
    },
    /// Rejected rows beyond the first `REJECTS_SHOWN`.
    MoreRejected(usize),
    /// How many rows were rejected in all, and that `rejected.csv` holds them.
    RejectedCount { rejected: usize, read: u64 },
    /// Nothing is left to analyze, and why.
    NoEntries(String),
    /// What ingest decided or repaired (day/month order, encoding, duplicate ids...).
    Ingest(String),
    /// Entries without a usable date: analyzed, but left out of the timeline.
    Undated {
        count: u64,
        /// The first few: (file, place, reason).
        examples: Vec<(String, Position, String)>,
    },
}

impl Message {
    /// Warnings say something went wrong with the input; the rest are plain notes.
    pub fn is_warning(&self) -> bool {
        !matches!(self, Message::Columns { .. })
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Columns { file, choices } => write!(f, "{file}: {}", choices.join("; ")),
            Message::Rejected {
                file,
                position,
                reason,
            } => write!(
                f,
                "{}: {position}: {}",
                shorten(file, LABEL_MAX),
                shorten(reason, WARNING_MAX)
            ),
            Message::MoreRejected(n) => write!(f, "… and {n} more rejected rows"),
            Message::RejectedCount { rejected, read } => write!(
                f,
                "{rejected} of {read} rows rejected (written to rejected.csv with their reasons)"
            ),
            Message::NoEntries(why) | Message::Ingest(why) => f.write_str(why),
            Message::Undated { count, examples } => {
                let shown: Vec<String> = examples
                    .iter()
                    .map(|(file, place, reason)| format!("{file} {place}: {reason}"))
                    .collect();
                write!(
                    f,
                    "{count} entr{} without a usable date: analyzed, but left out of the timeline ({}{})",
                    if *count == 1 { "y" } else { "ies" },
                    shown.join("; "),
                    if *count as usize > shown.len() { "; …" } else { "" }
                )
            }
        }
    }
}

/// A file's name by its index in `ingested.files`.
fn file_name(ingested: &Ingested, file: u32) -> &str {
    ingested
        .files
        .get(file as usize)
        .map_or("?", |f| f.name.as_str())
}

/// The messages about an ingested input, in the order a reader wants them: the columns chosen
/// (with `columns`), the first rejected rows and their count, "nothing to analyze" (unless the
/// input was streamed, where the records are not kept), ingest's own notes, undated entries.
pub fn ingest_messages(ingested: &Ingested, columns: bool, streamed: bool) -> Vec<Message> {
    let mut out = Vec::new();
    if columns {
        out.extend(column_messages(ingested));
    }
    for r in ingested.rejects.iter().take(REJECTS_SHOWN) {
        out.push(Message::Rejected {
            file: file_name(ingested, r.file).to_string(),
            position: r.position,
            reason: r.reason.clone(),
        });
    }
    if ingested.rejects.len() > REJECTS_SHOWN {
        out.push(Message::MoreRejected(
            ingested.rejects.len() - REJECTS_SHOWN,
        ));
    }
    if !ingested.rejects.is_empty() {
        out.push(Message::RejectedCount {
            rejected: ingested.rejects.len(),
            read: ingested.rows_read,
        });
    }
    if ingested.records.is_empty() && !streamed {
        out.push(Message::NoEntries(crate::no_entries_note(ingested)));
    }
    out.extend(ingested.warnings.iter().cloned().map(Message::Ingest));
    if ingested.rows_undated > 0 {
        out.push(Message::Undated {
            count: ingested.rows_undated,
            examples: ingested
                .undated_examples
                .iter()
                .map(|(f, place, reason)| {
                    (file_name(ingested, *f).to_string(), *place, reason.clone())
                })
                .collect(),
        });
    }
    out
}

/// Which column serves each role, and why, for files where some role is served by a header
/// other than the role's own name (a log written with recur's own headers needs no
/// explanation; `patterns.json` has every file's `column_reasons`).
fn column_messages(ingested: &Ingested) -> Vec<Message> {
    let mut out = Vec::new();
    for f in &ingested.files {
        let mut plain = Vec::new();
        let mut chosen = Vec::new();
        for (role, header) in &f.columns {
            let why = f
                .column_reasons
                .iter()
                .find(|(r, _)| r == role)
                .map_or("", |(_, w)| w.as_str());
            if header.eq_ignore_ascii_case(role.name()) {
                plain.push(role.name().to_string());
            } else {
                chosen.push(format!("{} = \"{header}\" ({why})", role.name()));
            }
        }
        if chosen.is_empty() {
            continue;
        }
        let mut choices = Vec::new();
        if !plain.is_empty() {
            choices.push(format!("columns {}", plain.join(", ")));
        }
        choices.extend(chosen);
        out.push(Message::Columns {
            file: f.name.clone(),
            choices,
        });
    }
    out
}

/// The first three rejects as `file line N: reason` (for the message of a run whose every row
/// was rejected).
pub fn first_reasons(ingested: &Ingested) -> String {
    ingested
        .rejects
        .iter()
        .take(3)
        .map(|r| {
            format!(
                "{} {}: {}",
                file_name(ingested, r.file),
                r.position,
                r.reason
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether the files hold a control column (a chart and a report table need one).
pub fn has_control(ingested: &Ingested) -> bool {
    ingested
        .files
        .iter()
        .any(|f| f.columns.iter().any(|(r, _)| *r == Role::Control))
}

/// Times the stages of a run and tells the observer as each ends.
#[derive(Debug)]
pub struct Stopwatch {
    last: std::time::Instant,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch {
            last: std::time::Instant::now(),
        }
    }

    /// Ends the stage `name` (one of `STAGES`).
    pub fn lap(&mut self, name: &'static str, observer: &mut dyn Observer) {
        let now = std::time::Instant::now();
        observer.event(Event::Stage {
            name,
            elapsed: now - self.last,
        });
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_before() {
        let m = Message::Rejected {
            file: "log.json".into(),
            position: Position::Record(4),
            reason: "no root cause".into(),
        };
        assert_eq!(m.to_string(), "log.json: record 4: no root cause");
        assert!(m.is_warning());
        let c = Message::Columns {
            file: "jira.csv".into(),
            choices: vec!["columns date".into(), "root_cause = \"Summary\" (x)".into()],
        };
        assert_eq!(
            c.to_string(),
            "jira.csv: columns date; root_cause = \"Summary\" (x)"
        );
        assert!(!c.is_warning());
        let u = Message::Undated {
            count: 3,
            examples: vec![("a.csv".into(), Position::Line(2), "bad".into())],
        };
        assert_eq!(
            u.to_string(),
            "3 entries without a usable date: analyzed, but left out of the timeline (a.csv line 2: bad; …)"
        );
    }

    #[test]
    fn a_closure_observes() {
        let mut seen = Vec::new();
        let mut obs = |e: Event<'_>| {
            if let Event::Stage { name, .. } = e {
                seen.push(name)
            }
        };
        obs.event(Event::Stage {
            name: "read",
            elapsed: Duration::ZERO,
        });
        assert_eq!(seen, ["read"]);
    }
}
