//! Column roles: which header of a file holds the date, the root cause, the lesson...
//!
//! In: a file's headers (CSV names or flattened JSON paths), the user's `--column ROLE=HEADER`
//! overrides and `--preset`. Out: `ColumnMap`, the index of the header chosen for each role and
//! why, the group-by, truth and people columns, and the other indices of a repeated header.
//! Recognition is root-cause first: a root-cause column (`Root cause`, `Custom field (Root
//! Cause)`, `u_root_cause`, a custom field named so...) beats resolution notes, which beat the
//! description, which beats the title. A dotted path is also matched without its container
//! segments (`fields.summary` as `summary`, not `service.summary`).
//! Invariant: a header serves at most one role; an override always wins, then the preset, then
//! recognition; the root-cause role is always mapped or `map_columns` fails with the headers it
//! saw. All of this happens once per file, never per row.

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
            ROOT_CAUSE_ANYWHERE,
            // Incident exports with no cause field: how it was resolved, then the description,
            // are the best text there is.
            "resolutionmessage",
            "resolutionnotes",
            "closenotes",
            "description",
            "body",
            "summary",
            "shortdescription",
            "title",
            "message",
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
            "syscreatedon",
            "createdon",
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
            "components",
            "componentsname",
            "department",
            "area",
            "assignmentgroup",
            "teamname",
            "teamsname",
            "teamssummary",
            "participantsteam",
            "ownerteam",
            "owningteam",
            "affectedteam",
            "affectedteams",
            "servicesummary",
            "servicename",
            "servicesname",
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
            "incidentnumber",
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
    "authors",
    "creator",
    "comment",
    "comments",
    "commenter",
    "callerid",
    "caller",
    "openedby",
    "resolvedby",
    "closedby",
    "assignedto",
    "participants",
    "assignees",
    "watchers",
    "login",
    "displayname",
];

/// The synonym that stands for any header containing "rootcause" (`Custom field (Root Cause)`,
/// `u_root_cause`, `extraProperties.Root Cause`).
const ROOT_CAUSE_ANYWHERE: &str = "*rootcause";

/// Leading path segments that only hold the record (`fields.summary` is the summary).
const CONTAINERS: &[&str] = &[
    "fields",
    "attributes",
    "data",
    "incident",
    "issue",
    "record",
    "properties",
];

/// A header's keys: its whole key, and the key of its dotted path without container segments.
fn keys_of(header: &str) -> (String, String) {
    let full = key(header);
    let mut rest = header.trim();
    while let Some((first, tail)) = rest.split_once('.') {
        if CONTAINERS.iter().any(|c| first.eq_ignore_ascii_case(c)) && !tail.is_empty() {
            rest = tail;
        } else {
            break;
        }
    }
    (full, key(rest))
}

/// Whether a header (its keys) answers to synonym `syn`.
fn answers(keys: &(String, String), syn: &str) -> bool {
    match syn.strip_prefix('*') {
        Some(part) => keys.0.contains(part),
        None => keys.0 == syn || keys.1 == syn,
    }
}

/// Whether a header names people: its key, or its first path segment's, is a people word.
fn is_people(header: &str, keys: &(String, String), extra: &[&str]) -> bool {
    let first = {
        let (_, stripped) = (0, header.trim());
        let mut rest = stripped;
        while let Some((f, tail)) = rest.split_once('.') {
            if CONTAINERS.iter().any(|c| f.eq_ignore_ascii_case(c)) && !tail.is_empty() {
                rest = tail;
            } else {
                break;
            }
        }
        key(rest.split('.').next().unwrap_or(""))
    };
    [keys.0.as_str(), keys.1.as_str(), first.as_str()]
        .iter()
        .any(|k| PEOPLE.contains(k) || extra.contains(k))
}

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
    /// Why each role's column was chosen.
    pub reasons: BTreeMap<Role, String>,
    pub group: Option<usize>,
    pub truth: Option<usize>,
    pub people: Vec<usize>,
    /// A chosen header that occurs more than once (Jira repeats `Labels`, `Component/s`): its
    /// other indices, whose values are joined to the chosen one's.
    pub repeats: BTreeMap<usize, Vec<usize>>,
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
    /// `--preset`: the tool whose export layout is tried first.
    pub preset: Option<&'static super::presets::Preset>,
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
        map.reasons.insert(*role, "--column".to_string());
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
    let keys: Vec<(String, String)> = headers.iter().map(|h| keys_of(h)).collect();
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
    let pick = |syns: &'static [&'static str], used: &[bool]| {
        syns.iter().enumerate().find_map(|(rank, syn)| {
            (0..headers.len())
                .find(|&i| !used[i] && answers(&keys[i], syn))
                .map(|i| (i, rank))
        })
    };
    if let Some(preset) = opts.preset {
        for role in order {
            let Some((_, syns)) = preset.roles.iter().find(|(r, _)| *r == role) else {
                continue;
            };
            if map.roles.contains_key(&role) {
                continue;
            }
            if let Some((i, _)) = pick(syns, &used) {
                map.roles.insert(role, i);
                map.reasons
                    .insert(role, format!("--preset {}", preset.name));
                used[i] = true;
            }
        }
    }
    for role in order {
        if map.roles.contains_key(&role) {
            continue;
        }
        if let Some((i, rank)) = pick(synonyms(role), &used) {
            map.roles.insert(role, i);
            used[i] = true;
            let why = if role != Role::RootCause {
                format!("header recognised as {}", role.name())
            } else if rank
                <= synonyms(role)
                    .iter()
                    .position(|s| *s == ROOT_CAUSE_ANYWHERE)
                    .unwrap_or(0)
            {
                "recognised as a root-cause column".to_string()
            } else {
                format!(
                    "no root-cause column; \"{}\" is the next best text",
                    headers[i]
                )
            };
            map.reasons.insert(role, why);
        }
    }
    if map.group.is_none() {
        map.group = map.get(Role::Team);
    }
    let extra = opts.preset.map_or(&[][..], |p| p.people);
    map.people = (0..headers.len())
        .filter(|&i| is_people(&headers[i], &keys[i], extra))
        .collect();
    let chosen: Vec<usize> = map
        .roles
        .values()
        .copied()
        .chain(map.group)
        .chain(map.truth)
        .collect();
    for i in chosen {
        let others: Vec<usize> = (0..headers.len())
            .filter(|&j| j != i && headers[j] == headers[i])
            .collect();
        if !others.is_empty() {
            map.repeats.insert(i, others);
        }
    }
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
