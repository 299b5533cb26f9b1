//! Tendencies: well-known failure tendencies, matched to the patterns recur found.
//!
//! In: the patterns (their distinctive terms as stems, with scores), a stemmer, and optionally a
//! user file (`--tendencies FILE`, TOML or JSON) that adds to or replaces the built-in list.
//! Out: `Pattern::tendency` set where a pattern's distinctive terms match one tendency's cue
//! terms strongly enough. Invariants: matching only names patterns, it never merges or splits
//! them (two patterns may carry the same tendency); the best match wins, ties by list order.

use crate::error::{Error, Result};
use crate::patterns::Pattern;
use crate::text::{for_each_word, Language};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

/// A tendency and its cue words (any surface form: they are stemmed like the log).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Tendency {
    pub name: String,
    pub cues: Vec<String>,
}

/// Built-in tendencies with cue words.
pub fn builtin() -> Vec<Tendency> {
    let t = |name: &str, cues: &[&str]| Tendency {
        name: name.to_string(),
        cues: cues.iter().map(|c| c.to_string()).collect(),
    };
    vec![
        t(
            "underestimated timelines",
            &[
                "estimate",
                "underestimated",
                "deadline",
                "timeline",
                "schedule",
                "buffer",
                "optimistic",
                "longer",
                "late",
                "overran",
                "slipped",
                "forecast",
            ],
        ),
        t(
            "scope change without change management",
            &[
                "scope",
                "creep",
                "change request",
                "requirement",
                "re-plan",
                "replan",
                "feature list",
                "added",
                "redesign",
                "freeze",
                "impact",
            ],
        ),
        t(
            "avoided or delayed difficult conversation",
            &[
                "conversation",
                "feedback",
                "avoided",
                "put off",
                "talk",
                "confront",
                "conflict",
                "honest",
                "uncomfortable",
                "disagreement",
                "hard talk",
            ],
        ),
        t(
            "overcommitment / not saying no",
            &[
                "overcommitted",
                "said yes",
                "too much",
                "capacity",
                "spread thin",
                "took on",
                "workstream",
                "overloaded",
                "say no",
                "agreed",
                "parallel",
            ],
        ),
        t(
            "insufficient preparation or testing",
            &[
                "prepared",
                "unprepared",
                "preparation",
                "rehearse",
                "rehearsal",
                "dry run",
                "test",
                "tested",
                "testing",
                "checklist",
                "run-through",
                "ready",
            ],
        ),
        t(
            "unclear requirements or expectations",
            &[
                "assumed",
                "assumption",
                "ambiguous",
                "acceptance criteria",
                "unclear",
                "clarify",
                "misread",
                "expectations",
                "requirements",
                "brief",
                "misunderstood",
            ],
        ),
        t(
            "late escalation / communication gap",
            &[
                "escalate",
                "escalated",
                "blocker",
                "flag",
                "raise",
                "status",
                "told",
                "manager",
                "surfaced",
                "risk",
                "green",
                "silence",
            ],
        ),
        t(
            "dependency or vendor failure",
            &[
                "vendor",
                "third-party",
                "supplier",
                "outage",
                "api",
                "upstream",
                "dependency",
                "contract",
                "delivered late",
                "external",
                "provider",
            ],
        ),
        t(
            "single point of failure / key person",
            &[
                "only person",
                "bus factor",
                "knowledge",
                "handover",
                "on leave",
                "single",
                "knew",
                "documented",
                "backup",
                "key person",
            ],
        ),
        t(
            "unreviewed change",
            &[
                "review",
                "reviewed",
                "unreviewed",
                "approval",
                "peer review",
                "config change",
                "pushed",
                "without review",
                "hotfix",
                "merged",
                "four eyes",
            ],
        ),
    ]
}

#[derive(Debug, Deserialize)]
struct TendencyFile {
    #[serde(default)]
    replace: bool,
    #[serde(default, alias = "tendency")]
    tendencies: Vec<Tendency>,
}

/// Reads `--tendencies FILE` (`.toml`, otherwise JSON) and merges it with the built-ins:
/// same name replaces, new names are added, `replace = true` drops the built-ins.
pub fn load(path: &Path) -> Result<Vec<Tendency>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    let file: TendencyFile = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        toml::from_str(&text).map_err(|e| Error::input(&name, format!("invalid TOML: {e}")))?
    } else {
        serde_json::from_str(&text).map_err(|e| {
            Error::input(
                &name,
                format!(
                    "invalid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?
    };
    for (i, t) in file.tendencies.iter().enumerate() {
        if t.name.trim().is_empty() || t.cues.is_empty() {
            return Err(Error::input(
                &name,
                format!("tendency {} needs a name and at least one cue", i + 1),
            ));
        }
    }
    let mut list = if file.replace { Vec::new() } else { builtin() };
    for t in file.tendencies {
        match list.iter_mut().find(|x| x.name == t.name) {
            Some(slot) => *slot = t,
            None => list.push(t),
        }
    }
    Ok(list)
}

/// Share of a pattern's distinctive weight that must hit one tendency's cues.
pub const MIN_MATCH: f64 = 0.2;

fn cue_stems(t: &Tendency, language: &Language) -> BTreeSet<String> {
    let stemmer = language.stemmer();
    let mut out = BTreeSet::new();
    for cue in &t.cues {
        let mut stems = Vec::new();
        for_each_word(cue, |w| {
            if !language.stopwords.contains(w) {
                stems.push(stemmer.stem(w).into_owned());
            }
        });
        // A phrase cue matches as a phrase term and each of its words as single terms.
        if stems.len() > 1 {
            out.insert(stems.join(" "));
        }
        out.extend(stems);
    }
    out
}

/// How much of a pattern's distinctive weight falls on a tendency's cue stems (0..=1).
pub fn match_score(pattern: &Pattern, cues: &BTreeSet<String>) -> f64 {
    let total: f64 = pattern.terms.iter().map(|(_, s)| s).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let hit: f64 = pattern
        .term_stems
        .iter()
        .zip(&pattern.terms)
        .filter(|(stems, _)| cues.contains(*stems) || stems.split(' ').any(|s| cues.contains(s)))
        .map(|(_, (_, s))| s)
        .sum();
    hit / total
}

/// Names each pattern with its best-matching tendency, if any matches well enough.
pub fn assign(patterns: &mut [Pattern], tendencies: &[Tendency], language: &Language) {
    let cues: Vec<BTreeSet<String>> = tendencies.iter().map(|t| cue_stems(t, language)).collect();
    for p in patterns.iter_mut() {
        let best = cues
            .iter()
            .enumerate()
            .map(|(i, c)| (i, match_score(p, c)))
            .fold(
                (usize::MAX, 0.0),
                |b, (i, s)| if s > b.1 + 1e-12 { (i, s) } else { b },
            );
        p.tendency =
            (best.0 != usize::MAX && best.1 >= MIN_MATCH).then(|| tendencies[best.0].name.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(terms: &[(&str, &str, f64)]) -> Pattern {
        Pattern {
            id: 1,
            label: String::new(),
            terms: terms.iter().map(|(t, _, s)| (t.to_string(), *s)).collect(),
            term_stems: terms.iter().map(|(_, st, _)| st.to_string()).collect(),
            size: 1,
            share: 1.0,
            examples: vec![],
            lessons: vec![],
            behavioral_changes: vec![],
            tendency: None,
            members: vec![],
        }
    }

    #[test]
    fn matches_by_stems_and_never_forces() {
        let lang = Language::new("english").unwrap();
        let mut ps = vec![
            pattern(&[
                ("deadline", "deadlin", 0.5),
                ("estimate", "estim", 0.3),
                ("coffee", "coffe", 0.2),
            ]),
            pattern(&[("deadlines", "deadlin", 0.4), ("timeline", "timelin", 0.4)]),
            pattern(&[("coffee", "coffe", 0.9), ("deadline", "deadlin", 0.1)]),
        ];
        assign(&mut ps, &builtin(), &lang);
        assert_eq!(ps[0].tendency.as_deref(), Some("underestimated timelines"));
        assert_eq!(
            ps[1].tendency.as_deref(),
            Some("underestimated timelines"),
            "two patterns may share a tendency"
        );
        assert_eq!(ps[2].tendency, None, "0.1 of the weight is not enough");
    }

    #[test]
    fn user_file_adds_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(
            &p,
            "[[tendency]]\nname = \"coffee shortage\"\ncues = [\"coffee\"]\n",
        )
        .unwrap();
        let list = load(&p).unwrap();
        assert_eq!(list.len(), builtin().len() + 1);
        let j = dir.path().join("t.json");
        std::fs::write(
            &j,
            r#"{"replace": true, "tendencies": [{"name": "x", "cues": ["y"]}]}"#,
        )
        .unwrap();
        assert_eq!(load(&j).unwrap().len(), 1);
        std::fs::write(&j, r#"{"tendencies": [{"name": "", "cues": []}]}"#).unwrap();
        assert!(load(&j).is_err());
        std::fs::write(&j, "{broken").unwrap();
        assert!(load(&j).unwrap_err().to_string().contains("line 1"));
    }
}
