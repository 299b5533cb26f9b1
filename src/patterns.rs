//! Patterns: assignments → named patterns with terms, examples, lessons and changes.
//!
//! In: the records, the corpus, the vectors and the clustering. Out: one `Pattern` per id
//! 1..=k (largest first) plus pattern 0 ("no clear pattern") when any entry is unassigned.
//! Terms are ranked by class-based TF-IDF (a term's share of the pattern's words × log(1 + average
//! words per pattern / the term's frequency in all patterns)), so a label says what sets a
//! pattern apart, not what every entry says. Terms are shown as surface words; a two-word phrase
//! is shown as people wrote it ("change without review").
//! Invariants: labels are unique across patterns and hold no stop word at either end; examples
//! are the entries nearest the pattern's centre (ties by text), so they do not depend on row order.

use crate::cluster::Clustering;
use crate::record::{Record, Role};
use crate::text::{normalize, Corpus, EMAIL, NUM, URL};
use crate::vectorize::Vectors;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// How much of each pattern to describe.
#[derive(Debug, Clone)]
pub struct PatternParams {
    pub n_terms: usize,
    pub n_examples: usize,
    pub n_lessons: usize,
    /// Roles whose text is analyzed (the example text is taken from the first non-empty one).
    pub text_roles: Vec<Role>,
}

impl Default for PatternParams {
    fn default() -> Self {
        PatternParams {
            n_terms: 10,
            n_examples: 3,
            n_lessons: 5,
            text_roles: vec![Role::RootCause],
        }
    }
}

/// A representative entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Index into the records.
    pub index: usize,
    pub text: String,
    pub similarity: f32,
    /// The cues of the pattern's tendency found in the entry ("said yes", "took on"), or, when
    /// `read`, the words that made the learned reader read that tendency in it.
    pub matched: Vec<String>,
    /// The learned reader placed the entry and `matched` holds its words, not cues.
    pub read: bool,
}

impl Example {
    /// What the report writes before `matched`: "matched" for cues, "the reader read" for the
    /// learned reader's words.
    pub fn why(&self) -> &'static str {
        if self.read {
            "the reader read"
        } else {
            "matched"
        }
    }
}

/// A lesson or behavioural change with how often it was written for the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub text: String,
    pub count: usize,
}

/// One recurring pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// 1..=k by size, largest first; 0 = no clear pattern.
    pub id: u32,
    pub label: String,
    /// Most distinctive terms with their class-based TF-IDF score.
    pub terms: Vec<(String, f64)>,
    /// Stemmed form of each term in `terms` (space-separated stems), for tendency matching.
    pub term_stems: Vec<String>,
    pub size: usize,
    pub share: f64,
    pub examples: Vec<Example>,
    pub lessons: Vec<Counted>,
    pub behavioral_changes: Vec<Counted>,
    /// Matching well-known tendency (its name), filled in by `tendency::name`.
    pub tendency: Option<String>,
    /// That tendency's id and index in the run's list.
    pub tendency_id: Option<String>,
    pub tendency_index: Option<usize>,
    /// True when the tendency's cues seeded the pattern (false: found from the words).
    pub seeded: bool,
    /// True when the learned reader made the pattern (its entries read as the tendency; no
    /// cue seeded it).
    pub read: bool,
    /// In how many resamples of the log the pattern was found again.
    pub support: Option<crate::cluster::Support>,
    /// Member entries (indices into the records), in input order.
    pub members: Vec<usize>,
}

/// The patterns stage's output.
#[derive(Debug, Clone)]
pub struct Patterns {
    pub patterns: Vec<Pattern>,
    /// Pattern 0, when any entry fits no pattern.
    pub unassigned: Option<Pattern>,
}

pub fn analysis_text<'a>(rec: &'a Record, roles: &[Role]) -> &'a str {
    roles
        .iter()
        .map(|&r| rec.field(r))
        .find(|t| !t.is_empty())
        .unwrap_or("")
}

/// Builds the patterns; see the module header.
pub fn describe(
    records: &[Record],
    corpus: &Corpus,
    vectors: &Vectors,
    clustering: &Clustering,
    params: &PatternParams,
) -> Patterns {
    let k = clustering.k;
    let n = records.len();
    let n_terms = vectors.n_terms();
    // Term counts per class (0 = unassigned), integer so the sums are exact in any order.
    let counts: Vec<Vec<u32>> = (0..n)
        .into_par_iter()
        .fold(
            || vec![vec![0u32; n_terms]; k + 1],
            |mut acc, i| {
                let c = clustering.labels[i] as usize;
                vectors.for_each_term(corpus.doc(i), |t| acc[c][t as usize] += 1);
                acc
            },
        )
        .reduce(
            || vec![vec![0u32; n_terms]; k + 1],
            |mut a, b| {
                for (ra, rb) in a.iter_mut().zip(b) {
                    for (x, y) in ra.iter_mut().zip(rb) {
                        *x += y;
                    }
                }
                a
            },
        );
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k + 1];
    for (i, &l) in clustering.labels.iter().enumerate() {
        members[l as usize].push(i);
    }
    let class_words: Vec<f64> = counts
        .iter()
        .map(|c| c.iter().map(|&x| f64::from(x)).sum())
        .collect();
    let avg_words = class_words[1..].iter().sum::<f64>() / k.max(1) as f64;
    let term_freq: Vec<f64> = (0..n_terms)
        .map(|t| (1..=k).map(|c| f64::from(counts[c][t])).sum())
        .collect();

    let mut patterns: Vec<Pattern> = (0..=k)
        .into_par_iter()
        .map(|c| {
            let mut scored: Vec<(usize, f64)> = (0..n_terms)
                .filter(|&t| counts[c][t] > 0)
                .map(|t| {
                    let tf = f64::from(counts[c][t]) / class_words[c].max(1.0);
                    let idf = (1.0 + avg_words / term_freq[t].max(1.0)).ln();
                    (t, tf * idf)
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.truncate(params.n_terms * 2);
            let ordered = by_centrality(records, &members[c], clustering, params);
            let phrases = phrase_surfaces(records, corpus, vectors, &ordered, &scored, params);
            let mut terms = Vec::new();
            let mut term_stems = Vec::new();
            for (t, score) in scored {
                let term = vectors.terms[t];
                let stems = match term.second {
                    None => corpus.stems[term.first as usize].clone(),
                    Some(b) => format!(
                        "{} {}",
                        corpus.stems[term.first as usize], corpus.stems[b as usize]
                    ),
                };
                let text = phrases
                    .get(&t)
                    .cloned()
                    .unwrap_or_else(|| match term.second {
                        None => corpus.surface[term.first as usize].clone(),
                        Some(b) => format!(
                            "{} {}",
                            corpus.surface[term.first as usize], corpus.surface[b as usize]
                        ),
                    });
                if terms.iter().any(|(x, _): &(String, f64)| *x == text) {
                    continue;
                }
                terms.push((text, score));
                term_stems.push(stems);
                if terms.len() == params.n_terms {
                    break;
                }
            }
            let examples = ordered
                .iter()
                .take(params.n_examples)
                .map(|&i| Example {
                    index: i,
                    text: analysis_text(&records[i], &params.text_roles).to_string(),
                    similarity: clustering.similarity[i],
                    matched: Vec::new(),
                    read: false,
                })
                .collect();
            let size = members[c].len();
            Pattern {
                id: c as u32,
                label: String::new(),
                lessons: top_texts(
                    records,
                    &members[c],
                    &ordered,
                    |r| &r.lesson,
                    params.n_lessons,
                ),
                behavioral_changes: top_texts(
                    records,
                    &members[c],
                    &ordered,
                    |r| &r.behavioral_change,
                    params.n_lessons,
                ),
                terms,
                term_stems,
                size,
                share: if n == 0 { 0.0 } else { size as f64 / n as f64 },
                examples,
                tendency: None,
                tendency_id: None,
                tendency_index: None,
                seeded: false,
                read: false,
                support: match c {
                    0 => None,
                    c => clustering.support.get(c - 1).copied().flatten(),
                },
                members: members[c].clone(),
            }
        })
        .collect();
    let unassigned = {
        let mut p0 = patterns.remove(0);
        p0.label = "no clear pattern".to_string();
        (p0.size > 0).then_some(p0)
    };
    label_patterns(&mut patterns);
    Patterns {
        patterns,
        unassigned,
    }
}

/// How many entries nearest each centre are ranked.
const CENTRAL: usize = 2000;

/// The `CENTRAL` members nearest the centre, nearest first; ties by text, then position.
fn by_centrality(
    records: &[Record],
    members: &[usize],
    clustering: &Clustering,
    params: &PatternParams,
) -> Vec<usize> {
    let mut m = members.to_vec();
    let order = |&a: &usize, &b: &usize| {
        clustering.similarity[b]
            .total_cmp(&clustering.similarity[a])
            .then_with(|| {
                analysis_text(&records[a], &params.text_roles)
                    .cmp(analysis_text(&records[b], &params.text_roles))
            })
            .then(a.cmp(&b))
    };
    // Only the nearest entries are ever read (examples, phrase spellings).
    if m.len() > CENTRAL {
        m.select_nth_unstable_by(CENTRAL, order);
        m.truncate(CENTRAL);
    }
    m.sort_by(order);
    m
}

/// How people wrote each top two-word phrase: the most common span from the first word to the
/// second, stop words between them included ("change without review"), read from the entries
/// nearest the centre.
fn phrase_surfaces(
    records: &[Record],
    corpus: &Corpus,
    vectors: &Vectors,
    ordered: &[usize],
    scored: &[(usize, f64)],
    params: &PatternParams,
) -> FxHashMap<usize, String> {
    let wanted: FxHashMap<(u32, u32), usize> = scored
        .iter()
        .filter_map(|&(t, _)| {
            let term = vectors.terms[t];
            term.second.map(|b| ((term.first, b), t))
        })
        .collect();
    let mut seen: FxHashMap<usize, FxHashMap<String, usize>> = FxHashMap::default();
    if wanted.is_empty() {
        return FxHashMap::default();
    }
    // One text's words back to back in `text`, with their spans and stem ids (no allocation
    // per word).
    let mut text = String::new();
    let mut words: Vec<(std::ops::Range<usize>, Option<u32>)> = Vec::new();
    let mut phrase = String::new();
    for &i in ordered.iter().take(2000) {
        for &role in &params.text_roles {
            text.clear();
            words.clear();
            corpus.read_each(records[i].field(role), |w, stem| {
                let start = text.len();
                text.push_str(w);
                words.push((start..text.len(), stem));
            });
            let mut prev: Option<(usize, u32)> = None;
            for (j, (_, stem)) in words.iter().enumerate() {
                let Some(b) = *stem else { continue };
                if let Some((pj, a)) = prev {
                    if let Some(&t) = wanted.get(&(a, b)) {
                        let gap = &words[pj + 1..j];
                        let masked = gap
                            .iter()
                            .any(|(w, _)| [NUM, URL, EMAIL].contains(&&text[w.clone()]));
                        if gap.len() <= 2 && !masked {
                            phrase.clear();
                            for (n, (w, _)) in words[pj..=j].iter().enumerate() {
                                if n > 0 {
                                    phrase.push(' ');
                                }
                                phrase.push_str(&text[w.clone()]);
                            }
                            let forms = seen.entry(t).or_default();
                            match forms.get_mut(phrase.as_str()) {
                                Some(count) => *count += 1,
                                None => {
                                    forms.insert(phrase.clone(), 1);
                                }
                            }
                        }
                    }
                }
                prev = Some((j, b));
            }
        }
    }
    seen.into_iter()
        .map(|(t, forms)| {
            let best = forms
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(s, _)| s)
                .unwrap_or_default();
            (t, best)
        })
        .collect()
}

/// The texts written most often among `members` (grouped by normalized form), most frequent
/// first; ties (as when every text is written once) go to the text of the entry nearest the
/// centre (`ordered`, nearest first), then by normalized text. The shown form is the most
/// common original spelling.
fn top_texts(
    records: &[Record],
    members: &[usize],
    ordered: &[usize],
    field: impl Fn(&Record) -> &str + Sync,
    n: usize,
) -> Vec<Counted> {
    let mut rank: FxHashMap<&str, usize> = FxHashMap::default();
    for (r, &i) in ordered.iter().enumerate() {
        rank.entry(field(&records[i]).trim()).or_insert(r);
    }
    // Count each distinct spelling first (cheap), normalize each spelling once.
    let mut spellings: FxHashMap<&str, usize> = FxHashMap::default();
    for &i in members {
        let raw = field(&records[i]).trim();
        if !raw.is_empty() {
            *spellings.entry(raw).or_insert(0) += 1;
        }
    }
    let mut groups: HashMap<String, (usize, HashMap<&str, usize>, usize)> = HashMap::new();
    for (raw, count) in spellings {
        let g = groups
            .entry(normalize(raw))
            .or_insert((0, HashMap::new(), usize::MAX));
        g.0 += count;
        *g.1.entry(raw).or_insert(0) += count;
        g.2 = g.2.min(rank.get(raw).copied().unwrap_or(usize::MAX));
    }
    let mut out: Vec<((usize, String), Counted)> = groups
        .into_iter()
        .map(|(key, (count, forms, rank))| {
            let text = forms
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(s, _)| s.to_string())
                .unwrap_or_default();
            ((rank, key), Counted { text, count })
        })
        .collect();
    out.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
    out.into_iter().take(n).map(|(_, c)| c).collect()
}

/// Label = a short phrase from the pattern's entries: its most distinctive two-word phrase as
/// people wrote it ("estimated from the happy path" reads "happy path" → "the happy path"),
/// else its most distinctive word. A label already taken by a larger pattern goes to the next
/// candidate; when none is left, the pattern number is added. Patterns that match a well-known
/// tendency are relabelled with its name later (`tendency::name`).
fn label_patterns(patterns: &mut [Pattern]) {
    let mut taken: Vec<String> = Vec::new();
    for p in patterns.iter_mut() {
        let phrases = p.terms.iter().filter(|(t, _)| t.contains(' '));
        let words = p.terms.iter().filter(|(t, _)| !t.contains(' '));
        let label = phrases
            .chain(words)
            .map(|(t, _)| t.clone())
            .find(|t| !taken.contains(t))
            .unwrap_or_else(|| {
                let first = p.terms.first().map_or("unnamed", |(t, _)| t.as_str());
                format!("{first} (pattern {})", p.id)
            });
        taken.push(label.clone());
        p.label = label;
    }
}
