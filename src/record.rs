//! The entry types every stage shares.
//!
//! In: nothing (plain data). Out: `Record` (one analyzed log entry), `Reject` (one row that could
//! not be analyzed, with its reason and original fields), `Role` (what a column means) and
//! `Control` (how far the failure was within the author's control).
//! Invariant: a `Record` always has non-empty analysis text and, when its file has a date column,
//! a date.

use chrono::NaiveDate;
use serde::Serialize;

/// What a column means to recur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Date,
    Context,
    RootCause,
    Lesson,
    BehavioralChange,
    Control,
    Team,
    Id,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Date,
        Role::Context,
        Role::RootCause,
        Role::Lesson,
        Role::BehavioralChange,
        Role::Control,
        Role::Team,
        Role::Id,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Date => "date",
            Role::Context => "context",
            Role::RootCause => "root_cause",
            Role::Lesson => "lesson",
            Role::BehavioralChange => "behavioral_change",
            Role::Control => "control",
            Role::Team => "team",
            Role::Id => "id",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        let key: String = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "date" => Role::Date,
            "context" => Role::Context,
            "rootcause" | "text" => Role::RootCause,
            "lesson" => Role::Lesson,
            "behavioralchange" | "behaviouralchange" => Role::BehavioralChange,
            "control" => Role::Control,
            "team" => Role::Team,
            "id" => Role::Id,
            _ => return None,
        })
    }
}

/// How far a failure was within its author's control, from the control column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Within,
    Partial,
    Outside,
    #[default]
    Unknown,
}

impl Control {
    pub const ALL: [Control; 4] = [
        Control::Within,
        Control::Partial,
        Control::Outside,
        Control::Unknown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Control::Within => "within",
            Control::Partial => "partial",
            Control::Outside => "outside",
            Control::Unknown => "unknown",
        }
    }

    /// Reads the spellings people use: "fully within my control", "partly", "external", "no",
    /// "not in my control", "yes"... Anything else (including "n/a" and blanks) is `Unknown`.
    pub fn parse(raw: &str) -> Control {
        let s = raw.trim().to_lowercase();
        let words: Vec<&str> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
        if words.is_empty() || matches!(s.as_str(), "n/a" | "na" | "unknown" | "unsure" | "?") {
            return Control::Unknown;
        }
        let negated = has(&["no", "not", "never", "nope", "none", "nothing"])
            || s.starts_with("non")
            || matches!(s.as_str(), "n" | "false" | "0");
        let whole = has(&[
            "fully",
            "full",
            "completely",
            "entirely",
            "totally",
            "wholly",
        ]);
        let partial = has(&[
            "partial",
            "partially",
            "partly",
            "part",
            "some",
            "somewhat",
            "mixed",
            "shared",
            "half",
            "semi",
            "moderately",
            "limited",
        ]);
        let outside = has(&[
            "outside",
            "external",
            "externally",
            "beyond",
            "uncontrollable",
            "vendor",
            "others",
        ]) || s.contains("out of");
        let within = has(&[
            "within",
            "internal",
            "inside",
            "controllable",
            "mine",
            "me",
            "yes",
            "y",
            "true",
            "1",
            "my",
            "own",
            "in",
        ]) || whole;
        // "Not fully within" is partial; "not within" and "no" are outside.
        if partial || (negated && whole) {
            Control::Partial
        } else if outside || negated {
            Control::Outside
        } else if within {
            Control::Within
        } else {
            Control::Unknown
        }
    }
}

/// One analyzed log entry.
#[derive(Debug, Clone, Default)]
pub struct Record {
    // Text fields are `Box<str>` (16 bytes, no spare capacity) rather than `String` (24): at ten
    // million entries that is over half a gigabyte.
    /// Index into the run's list of input files.
    pub file: u32,
    /// 1-based data row within its file (header not counted).
    pub row: u64,
    /// Line (CSV, JSON Lines) or record number (JSON array) where the entry starts.
    pub line: u64,
    pub id: Box<str>,
    pub date: Option<NaiveDate>,
    pub context: Box<str>,
    pub root_cause: Box<str>,
    pub lesson: Box<str>,
    pub behavioral_change: Box<str>,
    pub control: Control,
    /// Value of the `--group-by` column (or the team column), empty when absent.
    pub group: Box<str>,
    /// Value of the `--truth` column, empty when absent.
    pub truth: Box<str>,
}

impl Record {
    /// The text of one role, for roles that carry free text.
    pub fn field(&self, role: Role) -> &str {
        match role {
            Role::Context => &self.context,
            Role::RootCause => &self.root_cause,
            Role::Lesson => &self.lesson,
            Role::BehavioralChange => &self.behavioral_change,
            Role::Team => &self.group,
            Role::Id => &self.id,
            Role::Date | Role::Control => "",
        }
    }
}

/// Where a row sits in its file, as a user would look for it: a line (CSV, JSON Lines,
/// Parquet rows) or, in a JSON array, the record's number (a record may span many lines).
/// Displays itself as "line 12" or "record 12".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Position {
    Line(u64),
    Record(u64),
}

impl Position {
    /// The line or record number (1-based).
    pub fn number(self) -> u64 {
        match self {
            Position::Line(n) | Position::Record(n) => n,
        }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// A row that could not be analyzed; it goes to `rejected.csv`, never silently away.
#[derive(Debug, Clone)]
pub struct Reject {
    pub file: u32,
    pub position: Position,
    pub reason: String,
    /// The row's original fields as (header, value).
    pub fields: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::{Control, Position};

    #[test]
    fn positions_name_their_kind() {
        assert_eq!(Position::Line(12).to_string(), "line 12");
        assert_eq!(Position::Record(3).to_string(), "record 3");
        assert_eq!(Position::Record(3).number(), 3);
    }

    #[test]
    fn control_spellings() {
        let cases = [
            ("within", Control::Within),
            ("Within my control", Control::Within),
            ("fully within my control", Control::Within),
            ("Yes", Control::Within),
            ("y", Control::Within),
            ("internal", Control::Within),
            ("mostly mine", Control::Within),
            ("partly", Control::Partial),
            ("partially", Control::Partial),
            ("Partially within my control", Control::Partial),
            ("somewhat", Control::Partial),
            ("shared", Control::Partial),
            ("yes, partly", Control::Partial),
            ("not fully", Control::Partial),
            ("not fully within my control", Control::Partial),
            ("outside", Control::Outside),
            ("external", Control::Outside),
            ("Outside my control", Control::Outside),
            ("out of my control", Control::Outside),
            ("beyond my control", Control::Outside),
            ("no", Control::Outside),
            ("N", Control::Outside),
            ("false", Control::Outside),
            ("not in my control", Control::Outside),
            ("not within my control", Control::Outside),
            ("not controllable", Control::Outside),
            ("uncontrollable", Control::Outside),
            ("", Control::Unknown),
            ("  ", Control::Unknown),
            ("n/a", Control::Unknown),
            ("unknown", Control::Unknown),
            ("?", Control::Unknown),
            ("banana", Control::Unknown),
        ];
        for (raw, want) in cases {
            assert_eq!(Control::parse(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn parsing_a_name_gives_it_back() {
        for c in Control::ALL {
            assert_eq!(Control::parse(c.name()), c);
        }
    }
}
