//! The final fit: linfa's k-means, started from quick fits, and the free mode's `cluster`.
//!
//! In: `Vectors`, the fitted `Projection`, an order-free sample of rows and checked
//! `ClusterParams`. Out: `Clustering` — the cluster stage's output type (also the guided
//! mode's), with `Origin` and `Support` per pattern.
//! How: the sample's entries with terms (at most `fit_sample`) are projected; k is fixed or
//! chosen (`select`); linfa's k-means, started from the best of `n_runs` quick fits, is fitted on
//! them; every entry then goes to its nearest centre (`assign`).
//! Invariants: entries with no usable terms are never used for fitting; the result depends on
//! the sample's content and the seed, never on row order or thread count.

use super::assign::{free_rule, place_all, renumber};
use super::errors::ClusterError;
use super::hyperparams::CheckedClusterParams;
use super::quick::{self, Points};
use super::select::{k_for, KSelection};
use super::AssignRule;
use crate::error::Result;
use crate::reduce::Projection;
use crate::vectorize::Vectors;
use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

/// How often a pattern was found again in resamples of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    pub held: u32,
    pub rounds: u32,
}

/// Where a pattern came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Seeded by a well-known tendency (index into the run's tendency list).
    Tendency(usize),
    /// Found by clustering the entries' words.
    Free,
    /// Made by the learned reader for a tendency the cues did not make a pattern of (index
    /// into the run's tendency list; `guided::Reread`).
    Read(usize),
}

/// The cluster stage's output.
#[derive(Debug, Clone)]
pub struct Clustering {
    pub k: usize,
    /// Per entry: 0 = no clear pattern, else 1..=k (1 = largest).
    pub labels: Vec<u32>,
    /// Per entry: cosine similarity to its pattern's centre (to the nearest centre for 0).
    pub similarity: Vec<f32>,
    /// Row j = unit-length centre of pattern j + 1.
    pub centres: Array2<f64>,
    /// Per pattern (row j = pattern j + 1), where it came from.
    pub origins: Vec<Origin>,
    /// Per pattern, in how many resamples of the log it was found again (`None`: not measured,
    /// as with a fixed number of patterns).
    pub support: Vec<Option<Support>>,
    pub selection: KSelection,
    /// How an entry is placed (what a saved model keeps); `ids` maps its centres to `labels`.
    pub rule: AssignRule,
    /// The entries the learned reader moved (`guided::Reread`), in ascending order.
    pub read: Vec<u32>,
    /// How clearly the learned reader read the log, where it was used (`guided::reader_clarity`).
    pub reader_clarity: Option<f64>,
}

impl Clustering {
    /// Whether the learned reader placed entry `i`.
    pub fn was_read(&self, i: usize) -> bool {
        u32::try_from(i).is_ok_and(|i| self.read.binary_search(&i).is_ok())
    }
}

/// Rows the restarts of the final fit's seeding run on (at least `SEED_PER_K` per pattern).
const SEED_SAMPLE: usize = 2_000;
const SEED_PER_K: usize = 50;

/// The final fit: linfa's k-means on every row of `x`, started from the best of `runs` quick
/// spherical k-means fits on the first `SEED_SAMPLE` rows (an order-free random subset, since
/// `x` is in sample order), refined to convergence by linfa.
pub(super) fn kmeans(
    x: &Array2<f64>,
    k: usize,
    runs: usize,
    p: &CheckedClusterParams,
) -> Result<Array2<f64>> {
    let seed_rows = SEED_SAMPLE.max(SEED_PER_K * k);
    let init = quick::kmeans(
        &Points::unit_rows(x, seed_rows, x.ncols()),
        k,
        runs,
        p.seed(),
    )
    .to_array();
    let ds = DatasetBase::from(x.clone());
    let model = KMeans::params_with_rng(k, Xoshiro256Plus::seed_from_u64(p.seed()))
        .init_method(KMeansInit::Precomputed(init))
        .n_runs(1)
        .max_n_iterations(p.max_iterations())
        .tolerance(1e-4)
        .fit(&ds)
        .map_err(ClusterError::KMeans)?;
    Ok(model.centroids().clone())
}

/// Clusters every entry; see the module header.
pub fn cluster(
    vectors: &Vectors,
    projection: &Projection,
    sample: &[usize],
    p: &CheckedClusterParams,
) -> Result<Clustering> {
    // Fit only on entries that have terms.
    let usable: Vec<usize> = sample
        .iter()
        .copied()
        .filter(|&i| !vectors.is_empty_row(i))
        .take(p.fit_sample())
        .collect();
    let (x, fit_norms) = projection.transform_with_norms(vectors, &usable);
    let (k, selection) = k_for(&x, usable.len(), p)?;
    let k = k.min(usable.len().max(1));
    let centres = if usable.is_empty() {
        Array2::<f64>::zeros((1, projection.dims))
    } else if k == 1 {
        x.mean_axis(Axis(0))
            .expect("non-empty")
            .insert_axis(Axis(0))
    } else {
        kmeans(&x, k, p.n_runs(), p)?
    };
    let norms: Vec<f64> = centres
        .axis_iter(Axis(0))
        .map(|c| c.dot(&c).sqrt())
        .collect();

    // Assign every entry. Entries already projected for the fit are not projected again.
    let rule = free_rule(projection.dims, &centres, &norms, p);
    let raw = place_all(vectors, projection, &usable, &x, &fit_norms, &rule);

    let origins = vec![Origin::Free; centres.nrows()];
    let support = vec![None; centres.nrows()];
    let mut out = renumber(
        raw,
        &centres,
        &norms,
        (origins, support),
        selection,
        projection.dims,
    );
    out.rule = AssignRule {
        ids: std::mem::take(&mut out.rule.ids),
        ..rule
    };
    Ok(out)
}
