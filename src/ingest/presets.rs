//! Presets: where each incident tool's export keeps the root cause, the date, the team, the id
//! and people's names.
//!
//! In: a preset name (`--preset`). Out: a `Preset`, whose per-role header keys `columns` tries
//! before its own recognition, extra people columns for `--blameless`, and a date format hint.
//! Invariant: every key is a `columns::key` (lowercase letters and digits) and is matched against
//! a header's whole key or its key without container segments (`fields.`, `attributes.`...);
//! a key starting with `*` matches any header containing the rest. A preset only reorders
//! recognition: a role whose preset headers are absent falls back to the generic rules.
//! The field names follow each tool's public API or export documentation.

use crate::record::Role;

/// One tool's export layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    /// What it reads, for `--help` and the README.
    pub reads: &'static str,
    /// Header keys per role, best first.
    pub roles: &'static [(Role, &'static [&'static str])],
    /// Columns that hold people's names (beyond the generic ones).
    pub people: &'static [&'static str],
    /// Used when `--date-format` is not given (ISO is always read too).
    pub date_format: Option<&'static str>,
}

/// Root cause first, then the tool's resolution, description and title fields.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "jira",
        reads: "Jira CSV export (Filters → Export → CSV)",
        roles: &[
            (
                Role::RootCause,
                &["customfieldrootcause", "*rootcause", "description", "summary"],
            ),
            (Role::Context, &["summary"]),
            (Role::Date, &["created"]),
            (Role::Team, &["components", "customfieldteam", "team"]),
            (Role::Id, &["issuekey", "key"]),
        ],
        people: &["assignee", "reporter", "creator", "watchers", "comment"],
        date_format: Some("%d/%b/%y %I:%M %p"),
    },
    Preset {
        name: "jira-json",
        reads: "Jira REST search response ({\"issues\": [...]}, with expand=names for custom field names)",
        roles: &[
            (Role::RootCause, &["*rootcause", "description", "summary"]),
            (Role::Context, &["summary"]),
            (Role::Date, &["created"]),
            (Role::Team, &["componentsname", "team"]),
            (Role::Id, &["key"]),
        ],
        people: &["assignee", "reporter", "creator", "watches"],
        date_format: None,
    },
    Preset {
        name: "pagerduty",
        reads: "PagerDuty incidents API ({\"incidents\": [...]})",
        roles: &[
            (Role::RootCause, &["*rootcause", "description", "title"]),
            (Role::Context, &["title"]),
            (Role::Date, &["createdat"]),
            (Role::Team, &["teamssummary", "servicesummary"]),
            (Role::Id, &["incidentnumber", "id"]),
        ],
        people: &["assignments", "acknowledgements", "laststatuschangeby"],
        date_format: None,
    },
    Preset {
        name: "incident-io",
        reads: "incident.io API v2 incidents ({\"incidents\": [...]}, custom fields by name)",
        roles: &[
            (Role::RootCause, &["*rootcause", "summary", "name"]),
            (Role::Context, &["name"]),
            (Role::Date, &["createdat", "reportedat"]),
            (Role::Team, &["team", "teams", "affectedteam", "owningteam"]),
            (Role::Id, &["reference", "id"]),
        ],
        people: &["creator", "incidentroleassignments"],
        date_format: None,
    },
    Preset {
        name: "dispatch",
        reads: "Dispatch (Netflix) incidents API ({\"items\": [...]})",
        roles: &[
            (
                Role::RootCause,
                &["*rootcause", "resolution", "description", "title"],
            ),
            (Role::Context, &["title"]),
            (Role::Date, &["reportedat", "createdat"]),
            (
                Role::Team,
                &["participantsteam", "incidenttypename", "projectname"],
            ),
            (Role::Id, &["name", "id"]),
        ],
        people: &["commander", "reporter", "participants", "liaison", "scribe"],
        date_format: None,
    },
    Preset {
        name: "firehydrant",
        reads: "FireHydrant incidents API ({\"data\": [...]})",
        roles: &[
            (
                Role::RootCause,
                &["*rootcause", "summary", "description", "name"],
            ),
            (Role::Context, &["name"]),
            (Role::Date, &["startedat", "createdat"]),
            (Role::Team, &["teamsname", "servicesname", "impactsimpactname"]),
            (Role::Id, &["number", "id"]),
        ],
        people: &["createdby", "roleassignments"],
        date_format: None,
    },
    Preset {
        name: "rootly",
        reads: "Rootly incidents API (JSON:API, {\"data\": [{\"attributes\": ...}]})",
        roles: &[
            (
                Role::RootCause,
                &["*rootcause", "resolutionmessage", "summary", "title"],
            ),
            (Role::Context, &["title"]),
            (Role::Date, &["startedat", "createdat"]),
            (Role::Team, &["groupsname", "servicesname"]),
            (Role::Id, &["sequentialid", "id"]),
        ],
        people: &["user", "startedby", "mitigatedby", "resolvedby"],
        date_format: None,
    },
    Preset {
        name: "opsgenie",
        reads: "Opsgenie incidents API ({\"data\": [...]})",
        roles: &[
            (Role::RootCause, &["*rootcause", "description", "message"]),
            (Role::Context, &["message"]),
            (Role::Date, &["createdat"]),
            (Role::Team, &["ownerteam", "impactedservices"]),
            (Role::Id, &["tinyid", "id"]),
        ],
        people: &["owner", "responders"],
        date_format: None,
    },
    Preset {
        name: "servicenow",
        reads: "ServiceNow Table API ({\"result\": [...]}) or list CSV export of incident",
        roles: &[
            (
                Role::RootCause,
                &["urootcause", "*rootcause", "closenotes", "description", "shortdescription"],
            ),
            (Role::Context, &["shortdescription"]),
            (Role::Date, &["openedat", "syscreatedon", "opened"]),
            (Role::Team, &["assignmentgroup"]),
            (Role::Id, &["number"]),
        ],
        people: &[
            "callerid",
            "assignedto",
            "openedby",
            "resolvedby",
            "closedby",
            "syscreatedby",
            "sysupdatedby",
        ],
        date_format: None,
    },
    Preset {
        name: "github",
        reads: "GitHub issues API (a JSON array of issues)",
        roles: &[
            (Role::RootCause, &["*rootcause", "body", "title"]),
            (Role::Context, &["title"]),
            (Role::Date, &["createdat"]),
            (Role::Id, &["number", "htmlurl"]),
        ],
        people: &["user", "assignee", "assignees", "closedby"],
        date_format: None,
    },
    Preset {
        name: "google-sre",
        reads: "postmortems kept in the Google SRE book template, one row each (CSV)",
        roles: &[
            (Role::RootCause, &["rootcauses", "rootcause", "trigger", "summary"]),
            (Role::Context, &["summary", "title"]),
            (Role::Date, &["date"]),
            (Role::Lesson, &["lessonslearned", "whatwentwell"]),
            (Role::BehavioralChange, &["actionitems"]),
        ],
        people: &["authors"],
        date_format: None,
    },
];

/// The preset of that name (case-insensitive; `_` and `.` read as `-`).
pub fn find(name: &str) -> Option<&'static Preset> {
    let want = name.trim().to_ascii_lowercase().replace(['_', '.'], "-");
    let want = match want.as_str() {
        "incidentio" => "incident-io",
        "snow" | "service-now" => "servicenow",
        "sre" | "google" => "google-sre",
        "jira-csv" => "jira",
        "jira-rest" | "jira-api" => "jira-json",
        other => other,
    }
    .to_string();
    PRESETS.iter().find(|p| p.name == want)
}

/// Every preset's name, for messages.
pub fn names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_header_keys_and_names_resolve() {
        for p in PRESETS {
            assert_eq!(find(p.name), Some(p));
            assert!(
                p.roles.iter().any(|(r, _)| *r == Role::RootCause),
                "{}",
                p.name
            );
            for (_, keys) in p.roles {
                for k in *keys {
                    let k = k.trim_start_matches('*');
                    assert_eq!(super::super::columns::key(k), k, "{}", p.name);
                }
            }
            for k in p.people {
                assert_eq!(super::super::columns::key(k), *k);
            }
        }
        assert_eq!(find("Incident.io").map(|p| p.name), Some("incident-io"));
        assert!(find("nagios").is_none());
    }
}
