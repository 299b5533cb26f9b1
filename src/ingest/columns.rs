//! Column roles: which header of a file holds the date, the root cause, the lesson...
//!
//! In: a file's headers and the user's `--column ROLE=HEADER` overrides. Out: `ColumnMap`, the
//! index of the header chosen for each role (plus the group-by, truth and people columns).
//! Invariant: a header serves at most one role; an override always wins over detection; the
//! root-cause role is always mapped or `map_columns` fails with the headers it saw.

use crate::record::Role;
use std::collections::BTreeMap;

/// Header spellings per role, compared after `key()` (lowercase, letters and digits only), in
/// order of preference.
fn synonyms(role: Role) -> &'static [&'static str] {
    match role {
        Role::RootCause => &[
            "rootcause",
            "rootcauses",
            "cause",
            "causes",
            "contributingfactors",
            "contributingfactor",
            "whythegap",
            "why",
            "whydidithappen",
            "whatwentwrong",
            "failurereason",
            "reason",
            "rootcauseanalysis",
            "rca",
            // Incident exports with no cause field: their description is the best text there is.
            "description",
            "summary",
            "title",
            "whathappened",
        ],
        Role::Date => &[
            "date",
            "when",
            "day",
            "createdat",
            "created",
            "createddate",
            "reportedat",
            "reported",
            "occurredat",
            "occurred",
            "incidentdate",
            "startedat",
            "declaredat",
            "openedat",
            "opened",
            "timestamp",
            "datetime",
            "time",
        ],
        Role::Context => &[
            "context",
            "situation",
            "whathappened",
            "background",
            "description",
            "summary",
            "title",
            "name",
            "intendedoutcome",
            "project",
        ],
        Role::Lesson => &[
            "lesson",
            "lessons",
            "lessonlearned",
            "lessonslearned",
            "learning",
            "learnings",
            "takeaway",
            "takeaways",
            "insight",
            "insights",
        ],
        Role::BehavioralChange => &[
            "behavioralchange",
            "behaviouralchange",
            "behaviorchange",
            "behaviourchange",
            "behavioralchanges",
            "behaviouralchanges",
            "change",
            "nexttime",
            "whattodonext",
            "whatwillidodifferently",
            "dodifferently",
            "action",
            "actions",
            "actionitem",
            "actionitems",
            "followup",
            "followups",
            "remediation",
            "commitment",
            "preventivemeasure",
        ],
        Role::Control => &[
            "control",
            "incontrol",
            "withinmycontrol",
            "withincontrol",
            "controllable",
            "locusofcontrol",
            "wasitinmycontrol",
            "inmycontrol",
        ],
        Role::Team => &[
            "team",
            "teams",
            "service",
            "services",
            "squad",
            "group",
            "component",
            "department",
            "area",
        ],
        Role::Id => &[
            "id",
            "key",
            "issuekey",
            "incidentid",
            "ref",
            "reference",
            "ticket",
            "number",
            "entryid",
        ],
    }
}

/// Headers that name people; `--blameless` leaves them out of every output.
const PEOPLE: &[&str] = &[
    "author",
    "reporter",
    "assignee",
    "owner",
    "createdby",
    "reportedby",
    "assignedto",
    "incidentcommander",
    "commander",
    "responder",
    "responders",
    "lead",
    "person",
    "user",
    "username",
    "email",
    "submitter",
];

/// Header comparison key: letters and digits only, lowercase.
pub fn key(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which header index serves each role in one file.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    pub roles: BTreeMap<Role, usize>,
    pub group: Option<usize>,
    pub truth: Option<usize>,
    pub people: Vec<usize>,
}

impl ColumnMap {
    pub fn get(&self, role: Role) -> Option<usize> {
        self.roles.get(&role).copied()
    }
}

/// Options that decide the mapping.
#[derive(Debug, Clone, Default)]
pub struct ColumnOptions {
    pub overrides: Vec<(Role, String)>,
    pub group_by: Option<String>,
    pub truth: Option<String>,
}

fn find(headers: &[String], wanted: &str) -> Option<usize> {
    headers.iter().position(|h| h == wanted).or_else(|| {
        let k = key(wanted);
        headers.iter().position(|h| key(h) == k)
    })
}

/// Maps headers to roles. Errors (as a message) when an override or group/truth column names a
/// header that is not there, or when no root-cause column can be found.
pub fn map_columns(headers: &[String], opts: &ColumnOptions) -> Result<ColumnMap, String> {
    let seen = || {
        headers
            .iter()
            .map(|h| format!("\"{h}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut map = ColumnMap::default();
    let mut used = vec![false; headers.len()];
    for (role, header) in &opts.overrides {
        let i = find(headers, header).ok_or_else(|| {
            format!(
                "--column {}=\"{header}\": no such column (columns seen: {})",
                role.name(),
                seen()
            )
        })?;
        map.roles.insert(*role, i);
        used[i] = true;
    }
    for (name, slot) in [("--truth", &opts.truth), ("--group-by", &opts.group_by)] {
        if let Some(h) = slot {
            let i = find(headers, h).ok_or_else(|| {
                format!("{name} \"{h}\": no such column (columns seen: {})", seen())
            })?;
            if name == "--truth" {
                map.truth = Some(i);
                // The truth column must never feed the analysis.
                used[i] = true;
            } else {
                map.group = Some(i);
            }
        }
    }
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    // Root cause first: it is the one role that must be found, and its fallbacks
    // (description, summary) would otherwise be claimed as context.
    let order = [
        Role::RootCause,
        Role::Date,
        Role::Lesson,
        Role::BehavioralChange,
        Role::Control,
        Role::Team,
        Role::Id,
        Role::Context,
    ];
    for role in order {
        if map.roles.contains_key(&role) {
            continue;
        }
        let hit = synonyms(role)
            .iter()
            .find_map(|syn| (0..headers.len()).find(|&i| !used[i] && keys[i] == *syn));
        if let Some(i) = hit {
            map.roles.insert(role, i);
            used[i] = true;
        }
    }
    if map.group.is_none() {
        map.group = map.get(Role::Team);
    }
    map.people = (0..headers.len())
        .filter(|&i| PEOPLE.contains(&keys[i].as_str()))
        .collect();
    if !map.roles.contains_key(&Role::RootCause) {
        return Err(format!(
            "no root-cause text column found (columns seen: {}); name one with --column root_cause=\"HEADER\"",
            seen()
        ));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn detects_common_spellings() {
        let headers = h(&[
            "Date",
            "Context",
            "Root cause",
            "Lessons learned",
            "Behaviour change",
            "Control",
        ]);
        let m = map_columns(&headers, &ColumnOptions::default()).unwrap();
        assert_eq!(m.get(Role::Date), Some(0));
        assert_eq!(m.get(Role::Context), Some(1));
        assert_eq!(m.get(Role::RootCause), Some(2));
        assert_eq!(m.get(Role::Lesson), Some(3));
        assert_eq!(m.get(Role::BehavioralChange), Some(4));
        assert_eq!(m.get(Role::Control), Some(5));
    }

    #[test]
    fn after_action_review_headers() {
        let headers = h(&[
            "When",
            "Intended outcome",
            "What happened",
            "Why the gap?",
            "What to do next",
        ]);
        let m = map_columns(&headers, &ColumnOptions::default()).unwrap();
        assert_eq!(m.get(Role::RootCause), Some(3));
        assert_eq!(m.get(Role::Context), Some(2));
        assert_eq!(m.get(Role::BehavioralChange), Some(4));
        assert_eq!(m.get(Role::Date), Some(0));
    }

    #[test]
    fn incident_export_falls_back_to_description() {
        let headers = h(&["Key", "Summary", "Description", "Created", "Assignee"]);
        let m = map_columns(&headers, &ColumnOptions::default()).unwrap();
        assert_eq!(m.get(Role::RootCause), Some(2));
        assert_eq!(m.get(Role::Context), Some(1));
        assert_eq!(m.get(Role::Id), Some(0));
        assert_eq!(m.people, vec![4]);
    }

    #[test]
    fn override_wins_and_missing_text_lists_headers() {
        let headers = h(&["when", "What went badly", "notes"]);
        let err = map_columns(&headers, &ColumnOptions::default()).unwrap_err();
        assert!(err.contains("\"What went badly\""), "{err}");
        let opts = ColumnOptions {
            overrides: vec![(Role::RootCause, "what went badly".into())],
            ..Default::default()
        };
        let m = map_columns(&headers, &opts).unwrap();
        assert_eq!(m.get(Role::RootCause), Some(1));
    }

    #[test]
    fn truth_column_never_used_as_text() {
        let headers = h(&["cause", "label"]);
        let opts = ColumnOptions {
            truth: Some("label".into()),
            ..Default::default()
        };
        let m = map_columns(&headers, &opts).unwrap();
        assert_eq!(m.truth, Some(1));
        assert_eq!(m.get(Role::RootCause), Some(0));
        let bad = ColumnOptions {
            truth: Some("nope".into()),
            ..Default::default()
        };
        assert!(map_columns(&headers, &bad).is_err());
    }
}
