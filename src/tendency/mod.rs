//! Tendencies: the well-known failure tendencies, and the names they give the patterns.
//!
//! In: the built-in list (`assets/tendencies.toml`, compiled in) and optionally a user file
//! (`--tendencies FILE`, TOML or JSON) that adds to or replaces it; after clustering, the
//! patterns, their origins and each entry's cue matches (`matcher`, run in the text stage).
//! Out: the list (`builtin`, `load`); `name` sets `Pattern::tendency` (and its id, index and the
//! examples' matched cues): a seeded pattern is named by its tendency, a free one by the
//! tendency at least half its members clearly say; without cue matches, `assign` matches a
//! pattern's distinctive terms against the cues. Invariants: naming never merges or splits
//! patterns; ties go to list order.

use crate::cluster::{Clustering, Origin};
use crate::patterns::Pattern;
use crate::text::Cues;
use crate::text::{for_each_word, Language};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

pub mod matcher;
pub mod reader;
pub use matcher::{EntryMatch, Matcher};
pub use reader::{Reader, Reading, Readings, RunReader, RunReading};

/// A tendency: its id, its display name, its cues (phrases that on their own say it) and hints
/// (words that lean towards it but are not enough alone). Any surface form: they are read like
/// the log (see `matcher`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Tendency {
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub cues: Vec<String>,
    #[serde(default)]
    pub hints: Vec<String>,
}

/// The built-in list, compiled in from `assets/tendencies.toml`.
const BUILTIN: &str = include_str!("../../assets/tendencies.toml");

/// Built-in tendencies with their cues and hints.
pub fn builtin() -> Vec<Tendency> {
    let file: TendencyFile = toml::from_str(BUILTIN).expect("assets/tendencies.toml is valid");
    file.tendencies.into_iter().map(with_id).collect()
}

/// A tendency without an id gets one from its name ("Late escalation" → "late-escalation").
fn with_id(mut t: Tendency) -> Tendency {
    if t.id.trim().is_empty() {
        let mut id = String::new();
        for c in t.name.chars() {
            if c.is_alphanumeric() {
                id.extend(c.to_lowercase());
            } else if !id.is_empty() && !id.ends_with('-') {
                id.push('-');
            }
        }
        t.id = id.trim_end_matches('-').to_string();
    }
    t
}

#[derive(Debug, Deserialize)]
struct TendencyFile {
    #[serde(default)]
    replace: bool,
    #[serde(default, alias = "tendency")]
    tendencies: Vec<Tendency>,
}

/// Why a `--tendencies FILE` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    /// The file cannot be read (the OS error is part of the message, not a `source`).
    #[error("{path}: {cause}")]
    Read {
        path: std::path::PathBuf,
        cause: std::io::Error,
    },
    #[error("{file}: invalid TOML: {message}")]
    Toml { file: String, message: String },
    #[error("{file}: invalid JSON at {position} column {column}: {message}")]
    Json {
        file: String,
        position: crate::record::Position,
        column: usize,
        message: String,
    },
    /// The `tendency`-th entry (1-based) has no name or no cue.
    #[error("{file}: tendency {tendency} needs a name and at least one cue")]
    Incomplete { file: String, tendency: usize },
}

/// Reads `--tendencies FILE` (`.toml`, otherwise JSON) and merges it with the built-ins:
/// same name replaces, new names are added, `replace = true` drops the built-ins.
pub fn load(path: &Path) -> Result<Vec<Tendency>, LexiconError> {
    let text = std::fs::read_to_string(path).map_err(|cause| LexiconError::Read {
        path: path.to_path_buf(),
        cause,
    })?;
    let file = path.display().to_string();
    let parsed: TendencyFile = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        toml::from_str(&text).map_err(|e| LexiconError::Toml {
            file: file.clone(),
            message: e.to_string(),
        })?
    } else {
        serde_json::from_str(&text).map_err(|e| LexiconError::Json {
            file: file.clone(),
            position: crate::record::Position::Line(e.line() as u64),
            column: e.column(),
            message: e.to_string(),
        })?
    };
    for (i, t) in parsed.tendencies.iter().enumerate() {
        if t.name.trim().is_empty() || t.cues.is_empty() {
            return Err(LexiconError::Incomplete {
                file,
                tendency: i + 1,
            });
        }
    }
    let file = parsed;
    let mut list = if file.replace { Vec::new() } else { builtin() };
    for t in file.tendencies.into_iter().map(with_id) {
        match list.iter_mut().find(|x| x.name == t.name || x.id == t.id) {
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

/// Share of a free pattern's members whose cues must clearly say one tendency for the pattern
/// to carry its name.
pub const MIN_VOTE: f64 = 0.5;

/// Names each pattern by its tendency: the one that seeded it; for a pattern found freely, the
/// one at least `MIN_VOTE` of its members' cues clearly say (never a tendency set aside as the
/// log's subject, `KSelection::set_aside`). Without cue matches (no matcher),
/// by its distinctive terms (`assign`). A pattern named by a tendency is labelled with it; a
/// second pattern of the same tendency keeps its own label after the name. An example the
/// learned reader placed and no cue explains shows the words it read (`readings`).
pub fn name(
    patterns: &mut [Pattern],
    clustering: &Clustering,
    cues: Option<&Cues>,
    tendencies: &[Tendency],
    language: &Language,
    readings: Option<&Readings>,
) {
    let Some(cues) = cues else {
        assign(patterns, tendencies, language);
        return;
    };
    // A tendency set aside as the log's subject (`KSelection::set_aside`) names no word group.
    let set_aside = clustering
        .selection
        .set_aside
        .as_ref()
        .and_then(|(name, _)| tendencies.iter().position(|t| &t.name == name));
    let mut used: Vec<usize> = Vec::new();
    for p in patterns.iter_mut() {
        let origin = clustering
            .origins
            .get(p.id as usize - 1)
            .copied()
            .unwrap_or(Origin::Free);
        let t = match origin {
            Origin::Tendency(t) | Origin::Read(t) => Some(t),
            Origin::Free => {
                let mut votes = vec![0usize; tendencies.len()];
                for &i in &p.members {
                    if let Some(t) = cues.matches[i]
                        .confident()
                        .filter(|&t| Some(t) != set_aside)
                    {
                        votes[t] += 1;
                    }
                }
                let (t, v) =
                    votes
                        .iter()
                        .enumerate()
                        .fold((0, 0), |b, (t, &v)| if v > b.1 { (t, v) } else { b });
                (v >= crate::cluster::guided::MIN_SUPPORT && v as f64 >= MIN_VOTE * p.size as f64)
                    .then_some(t)
            }
        };
        p.tendency = t.map(|t| tendencies[t].name.clone());
        p.tendency_id = t.map(|t| tendencies[t].id.clone());
        p.tendency_index = t;
        p.seeded = matches!(origin, Origin::Tendency(_) | Origin::Read(_));
        p.read = matches!(origin, Origin::Read(_));
        if let Some(t) = t {
            for e in &mut p.examples {
                e.matched = cues
                    .matcher
                    .explain(cues.found.doc(e.index), t as u16, 4)
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                // An entry the reader placed and no cue explains: the words it read.
                if let (true, Some(r)) = (e.matched.is_empty(), readings) {
                    e.matched = r.evidence(e.index, t);
                    e.read = !e.matched.is_empty();
                }
            }
            p.label = if used.contains(&t) {
                format!("{}: {}", tendencies[t].name, p.label)
            } else {
                tendencies[t].name.clone()
            };
            used.push(t);
        }
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
            tendency_id: None,
            tendency_index: None,
            seeded: false,
            read: false,
            support: None,
            members: vec![],
        }
    }

    #[test]
    fn no_builtin_cue_reads_as_two_tendencies() {
        // The lexicon's invariant (assets/tendencies.toml): after normalizing and stemming, a
        // cue or hint belongs to one tendency only, so a phrase never votes for two.
        let lang = Language::new("english").unwrap();
        let m = Matcher::new(&builtin(), &lang);
        let mut owner: std::collections::HashMap<&[u32], (u16, &str)> = Default::default();
        let mut clashes = Vec::new();
        for c in &m.cues {
            match owner.get(&*c.tokens) {
                Some(&(t, text)) if t != c.tendency => {
                    clashes.push(format!("{text:?} / {:?}", c.text))
                }
                Some(_) => {}
                None => {
                    owner.insert(&c.tokens, (c.tendency, &c.text));
                }
            }
        }
        assert!(
            clashes.is_empty(),
            "{} clashes: {clashes:#?}",
            clashes.len()
        );
        assert!(owner.len() > 5_000, "{} distinct cues", owner.len());
    }

    #[test]
    fn matches_by_stems_and_never_forces() {
        let lang = Language::new("english").unwrap();
        let mut ps = vec![
            pattern(&[
                ("deadline", "deadlin", 0.5),
                ("estimate", "estim", 0.3),
                ("xylophone", "xylophon", 0.2),
            ]),
            pattern(&[("deadlines", "deadlin", 0.4), ("timeline", "timelin", 0.4)]),
            pattern(&[("xylophone", "xylophon", 0.9), ("deadline", "deadlin", 0.1)]),
        ];
        assign(&mut ps, &builtin(), &lang);
        assert_eq!(ps[0].tendency.as_deref(), Some("Underestimated timelines"));
        assert_eq!(
            ps[1].tendency.as_deref(),
            Some("Underestimated timelines"),
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
