//! Assignment: fitted centres → every entry's pattern, numbered by size.
//!
//! In: the centres of a fit (free mode: k-means; guided mode: tendencies and free groups), the
//! checked parameters (outliers on or off, and their similarity threshold) and every entry's
//! projected vector. Out: per entry the index of its centre (`rule::NONE` for no clear pattern)
//! and its cosine similarity to it; then `renumber` turns those into a `Clustering`.
//! Invariants: every entry is placed by `AssignRule::place` (what a saved model replays), in
//! parallel but per row, so the result is independent of row order and thread count; pattern
//! ids are 1..=k by size, largest first (ties by centre order), and 0 is "no clear pattern";
//! a centre nobody was assigned to is dropped.

use super::fit::{Clustering, Origin, Support};
use super::hyperparams::CheckedClusterParams;
use super::select::KSelection;
use super::AssignRule;
use crate::reduce::Projection;
use crate::vectorize::Vectors;
use ndarray::Array2;
use rayon::prelude::*;

/// The free mode's rule: the nearest of `centres` (lengths `norms`), or no clear pattern when
/// outliers are on and the entry is far from every centre.
pub(super) fn free_rule(
    dims: usize,
    centres: &Array2<f64>,
    norms: &[f64],
    p: &CheckedClusterParams,
) -> AssignRule {
    AssignRule {
        dims,
        centres: centres.iter().copied().collect(),
        norms: norms.to_vec(),
        n_tend: 0,
        tendency_norms: Vec::new(),
        near: Vec::new(),
        slot: Vec::new(),
        strict: false,
        prior: None,
        guided: false,
        outliers: p.outliers(),
        outlier_similarity: p.outlier_similarity(),
        ids: Vec::new(),
        reader: None,
    }
}

/// Places every entry by `rule` (parallel, per row: independent of order and thread count).
/// Entries already projected for the fit (`usable`, projected as the rows of `x` with lengths
/// `fit_norms`) are not projected again.
pub(super) fn place_all(
    vectors: &Vectors,
    projection: &Projection,
    usable: &[usize],
    x: &Array2<f64>,
    fit_norms: &[f64],
    rule: &AssignRule,
) -> Vec<(u32, f32)> {
    let n = vectors.n_rows();
    let mut fitted = vec![u32::MAX; n];
    for (at, &i) in usable.iter().enumerate() {
        fitted[i] = at as u32;
    }
    (0..n)
        .into_par_iter()
        .map_init(
            || vec![0.0f64; projection.dims],
            |buf, i| {
                let norm = match fitted[i] {
                    u32::MAX => projection.project(vectors, i, buf),
                    at => {
                        let at = at as usize;
                        buf.copy_from_slice(x.row(at).as_slice().expect("row-major"));
                        fit_norms[at]
                    }
                };
                rule.place(buf, norm, None, None)
            },
        )
        .collect()
}

/// Numbers patterns by size, largest first (ties by centre order), drops centres nobody was
/// assigned to, and turns `u32::MAX` (no clear pattern) into 0.
pub(super) fn renumber(
    raw: Vec<(u32, f32)>,
    centres: &Array2<f64>,
    norms: &[f64],
    (origins, support): (Vec<Origin>, Vec<Option<Support>>),
    selection: KSelection,
    dims: usize,
) -> Clustering {
    let kc = centres.nrows();
    let mut size = vec![0usize; kc];
    for &(l, _) in &raw {
        if l != u32::MAX {
            size[l as usize] += 1;
        }
    }
    let mut order: Vec<usize> = (0..kc).filter(|&j| size[j] > 0).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(a.cmp(&b)));
    let mut new_id = vec![0u32; kc];
    for (rank, &j) in order.iter().enumerate() {
        new_id[j] = rank as u32 + 1;
    }
    let mut unit = Array2::<f64>::zeros((order.len(), dims));
    for (rank, &j) in order.iter().enumerate() {
        if norms[j] > 1e-12 {
            unit.row_mut(rank).assign(&(&centres.row(j) / norms[j]));
        }
    }
    let (labels, similarity) = raw
        .into_iter()
        .map(|(l, s)| (if l == u32::MAX { 0 } else { new_id[l as usize] }, s))
        .unzip();
    Clustering {
        k: order.len(),
        labels,
        similarity,
        centres: unit,
        origins: order.iter().map(|&j| origins[j]).collect(),
        support: order.iter().map(|&j| support[j]).collect(),
        selection,
        rule: AssignRule {
            dims,
            centres: Vec::new(),
            norms: Vec::new(),
            n_tend: 0,
            tendency_norms: Vec::new(),
            near: Vec::new(),
            slot: Vec::new(),
            strict: false,
            prior: None,
            guided: false,
            outliers: true,
            outlier_similarity: 0.0,
            ids: new_id,
            reader: None,
        },
        read: Vec::new(),
        reader_clarity: None,
    }
}
