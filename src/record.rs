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

    /// Reads the spellings people use: "fully within my control", "partly", "external", "no"...
    pub fn parse(raw: &str) -> Control {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Control::Unknown;
        }
        let has = |w: &str| s.contains(w);
        if has("partial") || has("partly") || has("some") || has("mixed") || has("shared") {
            Control::Partial
        } else if has("outside")
            || has("external")
            || has("beyond")
            || has("not in")
            || has("not within")
            || has("out of")
            || has("uncontrol")
            || matches!(s.as_str(), "no" | "n" | "false" | "0" | "none")
        {
            Control::Outside
        } else if has("within")
            || has("internal")
            || has("in my control")
            || has("in control")
            || has("fully")
            || has("controllable")
            || matches!(s.as_str(), "yes" | "y" | "true" | "1" | "mine" | "me")
        {
            Control::Within
        } else {
            Control::Unknown
        }
    }
}

/// One analyzed log entry.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Index into the run's list of input files.
    pub file: u32,
    /// 1-based data row within its file (header not counted).
    pub row: u64,
    /// Line (CSV, JSON Lines) or record number (JSON array) where the entry starts.
    pub line: u64,
    pub id: String,
    pub date: Option<NaiveDate>,
    pub context: String,
    pub root_cause: String,
    pub lesson: String,
    pub behavioral_change: String,
    pub control: Control,
    /// Value of the `--group-by` column (or the team column), empty when absent.
    pub group: String,
    /// Value of the `--truth` column, empty when absent.
    pub truth: String,
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

/// A row that could not be analyzed; it goes to `rejected.csv`, never silently away.
#[derive(Debug, Clone)]
pub struct Reject {
    pub file: u32,
    /// Line (CSV, JSON Lines) or record number (JSON array).
    pub line: u64,
    pub reason: String,
    /// The row's original fields as (header, value).
    pub fields: Vec<(String, String)>,
}
