//! Choice of k for the free entries: split-half stability, with the silhouette as a check.
//!
//! In: the projected rows a fit would use (in sample order) and checked `ClusterParams`.
//! Out: `KSelection` — the candidates' scores, the chosen k, and whether the log has any clear
//! structure at all.
//! How: for k in 2..=k_max, many small f32 fits from `quick` on two disjoint halves of at most
//! `eval_sample` entries, in the leading `SWEEP_DIMS` dimensions, must label the entries alike
//! (adjusted Rand index). k is the smallest one whose stability is within `TOLERANCE` of the
//! best; the mean silhouette of the first stability fit's labels is kept as a check that there
//! is any structure at all.
//! Invariants: the result depends on the rows' content and the seed, never on row order or
//! thread count (rounds run in parallel and are summed in round order); k ≥ 1.

use super::hyperparams::{CheckedClusterParams, KChoice};
use super::quick::{self, Points};
use crate::error::Result;
use ndarray::Array2;
use rayon::prelude::*;

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
    /// Where the tendency-guided grouping was set aside for the log's own words
    /// (`guided::one_tendency_takes_the_log`): the name of the tendency that would have held
    /// most of the log, and its share.
    pub set_aside: Option<(String, f64)>,
}

/// The number of patterns to fit on `usable` entries (projected as `x`): the fixed k, 1 when
/// there are too few entries to choose, or the choice of `choose_k` (1 when the log has no
/// clear structure). Not yet capped to the number of entries.
pub(super) fn k_for(
    x: &Array2<f64>,
    usable: usize,
    p: &CheckedClusterParams,
) -> Result<(usize, KSelection)> {
    Ok(match p.k() {
        KChoice::Fixed(k) => (
            k,
            KSelection {
                method: "fixed",
                chosen: k,
                scores: Vec::new(),
                structured: true,
                evaluated_on: 0,
                set_aside: None,
            },
        ),
        KChoice::Auto if usable < 6 => (
            1,
            KSelection {
                method: "stability",
                chosen: 1,
                scores: Vec::new(),
                structured: false,
                evaluated_on: usable,
                set_aside: None,
            },
        ),
        KChoice::Auto => {
            let sel = choose_k(x, p)?;
            let k = if sel.structured { sel.chosen } else { 1 };
            (k, sel)
        }
    })
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
    crate::sorting::unstable(&mut keyed[..]);
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
fn stability(n: usize, splits: &[Split], k: usize, p: &CheckedClusterParams) -> (f64, Vec<usize>) {
    // Fit on one half; the fit labels its own rows, the other half goes to the nearest centre.
    let fit = |round: u64, rows: &[usize], own: &Points, others: &[usize], xo: &Points| {
        let (centres, own) =
            quick::kmeans_labelled(own, k, HALF_RESTARTS, p.seed().wrapping_add(round));
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

pub(super) fn choose_k(x: &Array2<f64>, p: &CheckedClusterParams) -> Result<KSelection> {
    let n = x.nrows().min(p.eval_sample());
    // The leading SVD dimensions carry the between-pattern structure; the sweep ranks k on
    // them (renormalized), which keeps its many small fits cheap.
    let xe = Points::unit_rows(x, n, SWEEP_DIMS);
    // Each half needs a few entries per pattern.
    let k_max = p.k_max().min(n / 6).max(2).min(n.saturating_sub(1));
    let rounds = if n < 300 { 10 } else { 5 };
    let splits: Vec<Split> = (0..rounds).map(|r| Split::new(&xe, p.seed(), r)).collect();
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
        best.is_some_and(|(_, stab, sil)| stab >= p.min_stability() && sil >= p.min_silhouette());
    Ok(KSelection {
        method: "stability",
        chosen: best.map_or(1, |b| b.0),
        scores,
        structured,
        evaluated_on: n,
        set_aside: None,
    })
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
}
