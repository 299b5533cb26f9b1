//! Cluster: dense entry vectors → patterns (k-means with linfa).
//!
//! In: `Vectors`, the fitted `Projection`, an order-free sample of rows and checked
//! `ClusterParams`. Out: `Clustering` — for every entry a pattern id (1..=k numbered by size,
//! largest first; 0 = "no clear pattern") and its cosine similarity to its pattern's centre.
//! How: rows are projected and L2-normalized, so Euclidean k-means behaves like cosine
//! (spherical) k-means. With `auto`, k is the smallest one whose split-half stability is within
//! `TOLERANCE` of the best over 2..=k_max (many small f32 fits from `quick`, on at most
//! `eval_sample` entries and the leading `SWEEP_DIMS` dimensions); the mean silhouette of the
//! first stability fit's labels is kept as a check that there is any structure at all. Then
//! linfa's k-means, started from the best of `n_runs` quick fits, is fitted on at most
//! `fit_sample` entries and every entry is assigned to its nearest centre.
//! Invariants: labels ≤ k; results depend on the sample's content, never on row order or thread
//! count; entries with no usable terms are never used for fitting.

use crate::error::{Error, Result};
use crate::reduce::Projection;
use crate::vectorize::Vectors;
use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::{Array2, Axis};
use quick::Points;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;

pub mod guided;
pub mod prior;
mod quick;
pub mod rule;

pub use rule::AssignRule;

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
}

/// How many patterns to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KChoice {
    Auto,
    Fixed(usize),
}

/// Unchecked settings; `check` validates them.
#[derive(Debug, Clone)]
pub struct ClusterParams {
    pub k: KChoice,
    pub seed: u64,
    pub n_runs: usize,
    pub max_iterations: u64,
    pub fit_sample: usize,
    pub eval_sample: usize,
    pub k_max: usize,
    /// Send entries far from every centre to pattern 0.
    pub outliers: bool,
    /// Below this cosine similarity to its centre an entry has no clear pattern.
    pub outlier_similarity: f64,
    /// Below this mean silhouette (at the chosen k) the log has no clear structure.
    pub min_silhouette: f64,
    /// Below this stability (at the chosen k) the log has no clear structure.
    pub min_stability: f64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            k: KChoice::Auto,
            seed: 42,
            n_runs: 10,
            max_iterations: 100,
            fit_sample: 10_000,
            eval_sample: 2_000,
            k_max: 20,
            outliers: true,
            outlier_similarity: 0.2,
            min_silhouette: 0.05,
            min_stability: 0.5,
        }
    }
}

/// Validated settings (only getters).
#[derive(Debug, Clone)]
pub struct CheckedClusterParams(ClusterParams);

impl ClusterParams {
    pub fn check(self) -> Result<CheckedClusterParams> {
        let bad = |m: String| Err(Error::Param(m));
        if let KChoice::Fixed(k) = self.k {
            if !(1..=1000).contains(&k) {
                return bad(format!("--patterns must be between 1 and 1000, got {k}"));
            }
        }
        if self.n_runs == 0 {
            return bad("n_runs must be at least 1".into());
        }
        if self.max_iterations == 0 {
            return bad("max_iterations must be at least 1".into());
        }
        if self.fit_sample < 10 || self.eval_sample < 10 {
            return bad("samples must hold at least 10 entries".into());
        }
        if self.k_max < 2 {
            return bad("k_max must be at least 2".into());
        }
        if !(0.0..1.0).contains(&self.outlier_similarity) {
            return bad(format!(
                "outlier similarity must be in [0, 1), got {}",
                self.outlier_similarity
            ));
        }
        Ok(CheckedClusterParams(self))
    }
}

impl CheckedClusterParams {
    pub fn get(&self) -> &ClusterParams {
        &self.0
    }
}

/// How k was chosen.
#[derive(Debug, Clone)]
pub struct KSelection {
    /// "fixed" or "stability".
    pub method: &'static str,
    /// (k, stability, mean silhouette) for each candidate, when evaluated.
    pub scores: Vec<(usize, f64, f64)>,
    /// The best-scoring candidate (before the structure check).
    pub chosen: usize,
    /// False when no candidate reached `min_silhouette`: the log has no clear structure.
    pub structured: bool,
    /// Entries the choice was evaluated on.
    pub evaluated_on: usize,
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
}

/// Rows the restarts of the final fit's seeding run on (at least `SEED_PER_K` per pattern).
const SEED_SAMPLE: usize = 2_000;
const SEED_PER_K: usize = 50;

/// The final fit: linfa's k-means on every row of `x`, started from the best of `runs` quick
/// spherical k-means fits on the first `SEED_SAMPLE` rows (an order-free random subset, since
/// `x` is in sample order), refined to convergence by linfa.
fn kmeans(x: &Array2<f64>, k: usize, runs: usize, p: &ClusterParams) -> Result<Array2<f64>> {
    let seed_rows = SEED_SAMPLE.max(SEED_PER_K * k);
    let init =
        quick::kmeans(&Points::unit_rows(x, seed_rows, x.ncols()), k, runs, p.seed).to_array();
    let ds = DatasetBase::from(x.clone());
    let model = KMeans::params_with_rng(k, Xoshiro256Plus::seed_from_u64(p.seed))
        .init_method(KMeansInit::Precomputed(init))
        .n_runs(1)
        .max_n_iterations(p.max_iterations)
        .tolerance(1e-4)
        .fit(&ds)
        .map_err(|e| Error::Param(format!("k-means with k = {k} failed: {e}")))?;
    Ok(model.centroids().clone())
}

/// Mean silhouette with cosine distance, for unit rows. The mean distance from a row to a
/// pattern's members is 1 − x · (their sum) / size, so one sum per pattern replaces the n × n
/// distance matrix: O(n · k · d), summed in row order (the same in any thread count).
fn silhouette(x: &Points, labels: &[usize], k: usize) -> f64 {
    let n = labels.len().min(x.n);
    if n == 0 {
        return 0.0;
    }
    let mut size = vec![0usize; k];
    let mut sums = vec![0.0f64; k * x.d];
    for (i, &l) in labels.iter().enumerate().take(n) {
        size[l] += 1;
        for (s, &v) in sums[l * x.d..(l + 1) * x.d].iter_mut().zip(x.row(i)) {
            *s += f64::from(v);
        }
    }
    let mut total = 0.0;
    for (i, &li) in labels.iter().enumerate().take(n) {
        if size[li] <= 1 {
            continue;
        }
        let row = x.row(i);
        let dot = |c: usize| -> f64 {
            row.iter()
                .zip(&sums[c * x.d..(c + 1) * x.d])
                .map(|(&a, &b)| f64::from(a) * b)
                .sum()
        };
        let own: f64 = row.iter().map(|&a| f64::from(a) * f64::from(a)).sum();
        // Own pattern without the row itself.
        let a = ((size[li] - 1) as f64 - (dot(li) - own)) / (size[li] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != li && size[c] > 0)
            .map(|c| (size[c] as f64 - dot(c)) / size[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if !b.is_finite() {
            continue;
        }
        let m = a.max(b);
        if m > 0.0 {
            total += (b - a) / m;
        }
    }
    total / n as f64
}

/// Deterministic split of `0..n` into two halves for stability round `round`.
fn halves(n: usize, seed: u64, round: u64) -> (Vec<usize>, Vec<usize>) {
    let mut keyed: Vec<(u64, usize)> = (0..n)
        .map(|i| {
            (
                crate::sample::content_hash(&[i as u32, round as u32], seed),
                i,
            )
        })
        .collect();
    keyed.sort_unstable();
    let (a, b): (Vec<_>, Vec<_>) = keyed.iter().enumerate().partition(|(j, _)| j % 2 == 0);
    (
        a.into_iter().map(|(_, (_, i))| *i).collect(),
        b.into_iter().map(|(_, (_, i))| *i).collect(),
    )
}

/// One round's split of the sweep's entries into two halves, with each half's rows copied out
/// once for all values of k.
struct Split {
    a: Vec<usize>,
    b: Vec<usize>,
    xa: Points,
    xb: Points,
}

impl Split {
    fn new(x: &Points, seed: u64, round: u64) -> Split {
        let (a, b) = halves(x.n, seed, round);
        let (xa, xb) = (x.select(&a), x.select(&b));
        Split { a, b, xa, xb }
    }
}

/// Stability of k: k-means fitted on two disjoint halves of the entries should label all of
/// them the same way (adjusted Rand index between the two labelings, averaged over rounds).
/// The true number of tendencies splits stably; splitting a tendency by its phrasing does not.
/// Also returns the first fit's labels for every entry (for the silhouette). Rounds run in
/// parallel and are summed in round order, so the result is the same in any number of threads.
fn stability(n: usize, splits: &[Split], k: usize, p: &ClusterParams) -> (f64, Vec<usize>) {
    // Fit on one half; the fit labels its own rows, the other half goes to the nearest centre.
    let fit = |round: u64, rows: &[usize], own: &Points, others: &[usize], xo: &Points| {
        let (centres, own) =
            quick::kmeans_labelled(own, k, HALF_RESTARTS, p.seed.wrapping_add(round));
        let rest = quick::assign(xo, &centres);
        let mut labels = vec![0; n];
        for (&i, l) in rows.iter().zip(own).chain(others.iter().zip(rest)) {
            labels[i] = l;
        }
        labels
    };
    let rounds: Vec<(f64, Vec<usize>)> = splits
        .par_iter()
        .enumerate()
        .map(|(round, s)| {
            let round = round as u64;
            let (la, lb) = rayon::join(
                || fit(round, &s.a, &s.xa, &s.b, &s.xb),
                || fit(round, &s.b, &s.xb, &s.a, &s.xa),
            );
            (crate::evaluate::evaluate(&la, &lb).adjusted_rand_index, la)
        })
        .collect();
    let total: f64 = rounds.iter().map(|r| r.0).sum();
    let first = rounds.into_iter().next().map(|r| r.1).unwrap_or_default();
    (total / splits.len().max(1) as f64, first)
}

/// Restarts of each half's fit in the stability check. Fewer (or fewer rounds) made the chosen k
/// depend more on the seed (benches/QUALITY.md, "What was tried").
const HALF_RESTARTS: usize = 4;
/// Dimensions the k sweep works in.
const SWEEP_DIMS: usize = 32;
/// Values of k past the most stable one, all clearly less stable, that end the sweep.
const PATIENCE: usize = 3;
/// Stabilities this close to the best count as a tie, won by the smaller k.
const TOLERANCE: f64 = 0.02;

fn choose_k(x: &Array2<f64>, p: &ClusterParams) -> Result<KSelection> {
    let n = x.nrows().min(p.eval_sample);
    // The leading SVD dimensions carry the between-pattern structure; the sweep ranks k on
    // them (renormalized), which keeps its many small fits cheap.
    let xe = Points::unit_rows(x, n, SWEEP_DIMS);
    // Each half needs a few entries per pattern.
    let k_max = p.k_max.min(n / 6).max(2).min(n.saturating_sub(1));
    let rounds = if n < 300 { 10 } else { 5 };
    let splits: Vec<Split> = (0..rounds).map(|r| Split::new(&xe, p.seed, r)).collect();
    // Candidates are scored in turn, each with its rounds in parallel; the sweep stops once
    // stability has stayed clearly below its best for `PATIENCE` values of k past the best.
    let mut scores: Vec<(usize, f64, f64)> = Vec::new();
    for k in 2..=k_max {
        let (stab, labels) = stability(xe.n, &splits, k, p);
        scores.push((k, stab, silhouette(&xe, &labels, k)));
        let best = scores.iter().map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
        let best_k = scores.iter().find(|c| c.1 == best).map_or(2, |c| c.0);
        let tail_low = scores
            .iter()
            .filter(|c| c.0 > best_k)
            .filter(|c| c.1 < best - 0.05)
            .count();
        if tail_low >= PATIENCE {
            break;
        }
    }
    // Parsimony: the smallest k whose stability is within `TOLERANCE` of the best.
    let top = scores.iter().map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
    let best = scores.iter().copied().find(|c| c.1 >= top - TOLERANCE);
    let structured =
        best.is_some_and(|(_, stab, sil)| stab >= p.min_stability && sil >= p.min_silhouette);
    Ok(KSelection {
        method: "stability",
        chosen: best.map_or(1, |b| b.0),
        scores,
        structured,
        evaluated_on: n,
    })
}

/// Clusters every entry; see the module header.
pub fn cluster(
    vectors: &Vectors,
    projection: &Projection,
    sample: &[usize],
    params: &CheckedClusterParams,
) -> Result<Clustering> {
    let p = &params.0;
    let n = vectors.n_rows();
    // Fit only on entries that have terms.
    let usable: Vec<usize> = sample
        .iter()
        .copied()
        .filter(|&i| !vectors.is_empty_row(i))
        .take(p.fit_sample)
        .collect();
    let (x, fit_norms) = projection.transform_with_norms(vectors, &usable);
    let (k, selection) = match p.k {
        KChoice::Fixed(k) => (
            k,
            KSelection {
                method: "fixed",
                chosen: k,
                scores: Vec::new(),
                structured: true,
                evaluated_on: 0,
            },
        ),
        KChoice::Auto if usable.len() < 6 => (
            1,
            KSelection {
                method: "stability",
                chosen: 1,
                scores: Vec::new(),
                structured: false,
                evaluated_on: usable.len(),
            },
        ),
        KChoice::Auto => {
            let sel = choose_k(&x, p)?;
            let k = if sel.structured { sel.chosen } else { 1 };
            (k, sel)
        }
    };
    let k = k.min(usable.len().max(1));
    let centres = if usable.is_empty() {
        Array2::<f64>::zeros((1, projection.dims))
    } else if k == 1 {
        x.mean_axis(Axis(0))
            .expect("non-empty")
            .insert_axis(Axis(0))
    } else {
        kmeans(&x, k, p.n_runs, p)?
    };
    let norms: Vec<f64> = centres
        .axis_iter(Axis(0))
        .map(|c| c.dot(&c).sqrt())
        .collect();

    // Assign every entry (parallel, per row: independent of order and thread count). Entries
    // already projected for the fit are not projected again.
    let mut fitted = vec![u32::MAX; n];
    for (at, &i) in usable.iter().enumerate() {
        fitted[i] = at as u32;
    }
    let rule = AssignRule {
        dims: projection.dims,
        centres: centres.iter().copied().collect(),
        norms: norms.clone(),
        n_tend: 0,
        tendency_norms: Vec::new(),
        near: Vec::new(),
        slot: Vec::new(),
        strict: false,
        prior: None,
        guided: false,
        outliers: p.outliers,
        outlier_similarity: p.outlier_similarity,
        ids: Vec::new(),
    };
    let raw: Vec<(u32, f32)> = (0..n)
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
        .collect();

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

/// Numbers patterns by size, largest first (ties by centre order), drops centres nobody was
/// assigned to, and turns `u32::MAX` (no clear pattern) into 0.
fn renumber(
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
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn silhouette_prefers_the_true_split() {
        let x = Points::unit_rows(
            &array![[1.0, 0.0], [0.99, 0.141], [0.0, 1.0], [0.141, 0.99]],
            4,
            2,
        );
        let good = silhouette(&x, &[0, 0, 1, 1], 2);
        let bad = silhouette(&x, &[0, 1, 0, 1], 2);
        assert!(good > 0.8 && bad < 0.0, "{good} {bad}");
    }

    #[test]
    fn silhouette_matches_the_pairwise_definition() {
        let raw = array![
            [1.0, 0.2, 0.0],
            [0.9, 0.1, 0.3],
            [0.0, 1.0, 0.1],
            [0.2, 0.8, 0.0],
            [0.1, 0.1, 1.0],
            [0.0, 0.3, 0.9],
            [0.5, 0.5, 0.5]
        ];
        let x = Points::unit_rows(&raw, 7, 3);
        let labels = [0, 0, 1, 1, 2, 2, 0];
        let d = |i: usize, j: usize| 1.0 - f64::from(quick::dot(x.row(i), x.row(j)));
        let mut want = 0.0;
        for i in 0..7 {
            let mean = |c: usize| {
                let js: Vec<usize> = (0..7).filter(|&j| j != i && labels[j] == c).collect();
                js.iter().map(|&j| d(i, j)).sum::<f64>() / js.len() as f64
            };
            let a = mean(labels[i]);
            let b = (0..3)
                .filter(|&c| c != labels[i])
                .map(mean)
                .fold(f64::INFINITY, f64::min);
            want += (b - a) / a.max(b);
        }
        want /= 7.0;
        let got = silhouette(&x, &labels, 3);
        assert!((got - want).abs() < 1e-5, "{got} vs {want}");
    }

    #[test]
    fn params_are_checked() {
        let base = ClusterParams::default();
        assert!(ClusterParams {
            k: KChoice::Fixed(0),
            ..base.clone()
        }
        .check()
        .is_err());
        assert!(ClusterParams {
            n_runs: 0,
            ..base.clone()
        }
        .check()
        .is_err());
        assert!(ClusterParams {
            outlier_similarity: 1.0,
            ..base.clone()
        }
        .check()
        .is_err());
        assert!(ClusterParams {
            k_max: 1,
            ..base.clone()
        }
        .check()
        .is_err());
        assert!(base.check().is_ok());
    }
}
