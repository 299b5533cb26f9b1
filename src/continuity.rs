//! Continuity: a refit's patterns matched to a saved model's, so ids and names persist.
//!
//! In: the previous run's model (`--previous FILE`), this run's records, corpus, vectors,
//! projection and clustering (labels 1..=k by size). Out: `Matching` — per label, the stable id
//! it keeps (a matched previous pattern's id, or a new one from the model's `next_id`), and which
//! previous patterns continued, which patterns are new and which are no longer seen.
//! How: two measures per (new pattern, previous pattern) pair. Shared members: every entry of
//! this run is placed with the previous model (`model::Placer`), and the Jaccard index of a new
//! pattern's members and the entries the previous model puts in a previous pattern is taken.
//! Centre similarity: both centres are mapped back to term space (projection × centre) and
//! compared by cosine over the terms they share by name. A pair's score is their mean; pairs
//! are matched one-to-one, best score first (ties by label, then previous id), from
//! `MIN_SCORE` on.
//! Invariants: the matching is one-to-one; ids are never reused (a new pattern gets an id no
//! earlier run gave); the result depends on the entries' content, never on row order.

use crate::cluster::Clustering;
use crate::model::Placer;
use crate::record::Record;
use crate::reduce::Projection;
use crate::text::Corpus;
use crate::vectorize::Vectors;
use ndarray::{Array2, Axis};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// A pair is matched from this score on (the mean of shared members and centre similarity).
pub const MIN_SCORE: f64 = 0.4;

/// The outcome of matching a refit to a previous model.
#[derive(Debug, Clone, Default)]
pub struct Matching {
    /// Per label 1..=k (index label - 1), its stable id.
    pub ids: Vec<u32>,
    /// Per label, the previous pattern's label when it continues one.
    pub previous_label: Vec<Option<String>>,
    /// The id the next new pattern gets.
    pub next_id: u32,
    /// (stable id, score) of each continued pattern.
    pub continued: Vec<(u32, f64)>,
    /// Stable ids of the new patterns.
    pub new: Vec<u32>,
    /// (id, label) of the previous patterns no longer seen.
    pub gone: Vec<(u32, String)>,
}

/// A term's name: its stem, or its two stems joined by a space.
fn term_names(stems: &[String], terms: impl Iterator<Item = (u32, Option<u32>)>) -> Vec<String> {
    terms
        .map(|(a, b)| match b {
            None => stems[a as usize].clone(),
            Some(b) => format!("{} {}", stems[a as usize], stems[b as usize]),
        })
        .collect()
}

/// A centre in term space: projection (terms × dims, or identity) times the centre.
fn to_terms(components: Option<&Array2<f32>>, n_terms: usize, centre: &[f64]) -> Vec<f64> {
    match components {
        None => (0..n_terms)
            .map(|t| centre.get(t).copied().unwrap_or(0.0))
            .collect(),
        Some(c) => c
            .axis_iter(Axis(0))
            .map(|row| {
                row.iter()
                    .zip(centre)
                    .map(|(&a, &b)| f64::from(a) * b)
                    .sum()
            })
            .collect(),
    }
}

fn cosine(a: &FxHashMap<&str, f64>, b: &FxHashMap<&str, f64>) -> f64 {
    let dot: f64 = a.iter().filter_map(|(k, v)| b.get(k).map(|w| v * w)).sum();
    let na = a.values().map(|v| v * v).sum::<f64>().sqrt();
    let nb = b.values().map(|v| v * v).sum::<f64>().sqrt();
    if na <= 1e-12 || nb <= 1e-12 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// Matches this run's patterns to the previous model's; see the module header.
pub fn match_previous(
    previous: &Placer,
    records: &[Record],
    corpus: &Corpus,
    vectors: &Vectors,
    projection: &Projection,
    clustering: &Clustering,
) -> Matching {
    let k = clustering.k;
    let old = &previous.model;
    let n_old = old.patterns.len();
    let old_index: FxHashMap<u32, usize> = old
        .patterns
        .iter()
        .enumerate()
        .map(|(j, p)| (p.id, j))
        .collect();
    // Shared members: where the previous model puts each entry.
    let placed: Vec<u32> = records
        .par_iter()
        .map_init(
            || previous.scratch(),
            |s, rec| previous.place(rec, s).pattern,
        )
        .collect();
    let mut both = vec![vec![0u64; n_old]; k + 1];
    let mut old_size = vec![0u64; n_old];
    let mut new_size = vec![0u64; k + 1];
    for (&l, &o) in clustering.labels.iter().zip(&placed) {
        new_size[l as usize] += 1;
        if let Some(&j) = old_index.get(&o) {
            old_size[j] += 1;
            both[l as usize][j] += 1;
        }
    }
    // Centres in term space, by term name.
    let new_names = term_names(
        &corpus.stems,
        vectors.terms.iter().map(|t| (t.first, t.second)),
    );
    let new_centres: Vec<FxHashMap<&str, f64>> = (0..k)
        .map(|l| {
            let c = clustering.centres.row(l).to_vec();
            let v = to_terms(projection.components(), new_names.len(), &c);
            new_names.iter().map(String::as_str).zip(v).collect()
        })
        .collect();
    let old_names = term_names(
        &old.stems,
        old.terms
            .iter()
            .map(|&(a, b)| (a, (b != u32::MAX).then_some(b))),
    );
    let old_comp = old
        .components
        .as_ref()
        .and_then(|c| Array2::from_shape_vec((old.terms.len(), old.dims as usize), c.clone()).ok());
    let rule = &old.rule;
    let old_centres: Vec<FxHashMap<&str, f64>> = old
        .patterns
        .iter()
        .map(|p| {
            let q = (0..rule.kc()).find(|&q| rule.ids.get(q) == Some(&p.id));
            let c = match q {
                Some(q) => rule.centres[q * rule.dims..(q + 1) * rule.dims].to_vec(),
                None => vec![0.0; rule.dims],
            };
            let v = to_terms(old_comp.as_ref(), old_names.len(), &c);
            old_names.iter().map(String::as_str).zip(v).collect()
        })
        .collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for l in 1..=k {
        for j in 0..n_old {
            let c = both[l][j];
            let union = new_size[l] + old_size[j] - c;
            let jaccard = if union == 0 {
                0.0
            } else {
                c as f64 / union as f64
            };
            let cos = cosine(&new_centres[l - 1], &old_centres[j]).max(0.0);
            let score = 0.5 * (jaccard + cos);
            if score >= MIN_SCORE {
                pairs.push((score, l, j));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(old.patterns[a.2].id.cmp(&old.patterns[b.2].id))
    });
    let mut ids = vec![0u32; k];
    let mut previous_label = vec![None; k];
    let mut taken = vec![false; n_old];
    let mut continued = Vec::new();
    for (score, l, j) in pairs {
        if ids[l - 1] != 0 || taken[j] {
            continue;
        }
        ids[l - 1] = old.patterns[j].id;
        previous_label[l - 1] = Some(old.patterns[j].label.clone());
        taken[j] = true;
        continued.push((old.patterns[j].id, score));
    }
    let used_max = old.patterns.iter().map(|p| p.id).max().unwrap_or(0);
    let mut next_id = old.next_id.max(used_max + 1);
    let mut new = Vec::new();
    for id in ids.iter_mut() {
        if *id == 0 {
            *id = next_id;
            new.push(next_id);
            next_id += 1;
        }
    }
    continued.sort_by_key(|c| c.0);
    let gone = old
        .patterns
        .iter()
        .zip(&taken)
        .filter(|(_, &t)| !t)
        .map(|(p, _)| (p.id, p.label.clone()))
        .collect();
    Matching {
        ids,
        previous_label,
        next_id,
        continued,
        new,
        gone,
    }
}

/// Renumbers a clustering by stable ids: label l becomes `ids[l - 1]`; ids no pattern of this
/// run has are empty rows (zero centre, no entry), which `patterns::describe` turns into empty
/// patterns the caller drops.
pub fn relabel(clustering: &mut Clustering, ids: &[u32]) {
    let k = ids.iter().copied().max().unwrap_or(0) as usize;
    let dims = clustering.centres.ncols();
    let mut centres = Array2::<f64>::zeros((k, dims));
    let mut origins = vec![crate::cluster::Origin::Free; k];
    let mut support = vec![None; k];
    for (l, &id) in ids.iter().enumerate() {
        let to = id as usize - 1;
        centres.row_mut(to).assign(&clustering.centres.row(l));
        origins[to] = clustering.origins[l];
        support[to] = clustering.support[l];
    }
    let map = |l: u32| if l == 0 { 0 } else { ids[l as usize - 1] };
    clustering.labels.iter_mut().for_each(|l| *l = map(*l));
    clustering.rule.ids.iter_mut().for_each(|l| *l = map(*l));
    clustering.centres = centres;
    clustering.origins = origins;
    clustering.support = support;
    clustering.k = k;
}
