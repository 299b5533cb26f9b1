//! Evaluate: patterns against a human label column (`--truth`).
//!
//! In: predicted pattern ids and the truth labels (entries with an empty truth are skipped).
//! Out: `Evaluation` — adjusted Rand index, normalized mutual information (arithmetic mean) and
//! V-measure, all from one contingency table. Invariants: scores are symmetric where the
//! definitions are, 1.0 for identical partitions (up to renaming), and finite for every input.

use rustc_hash::FxHashMap;
use std::hash::Hash;

/// Agreement between two partitions.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub entries: usize,
    pub truth_classes: usize,
    pub adjusted_rand_index: f64,
    pub normalized_mutual_information: f64,
    pub homogeneity: f64,
    pub completeness: f64,
    pub v_measure: f64,
}

fn comb2(x: f64) -> f64 {
    x * (x - 1.0) / 2.0
}

fn entropy(counts: &[f64], n: f64) -> f64 {
    counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| -(c / n) * (c / n).ln())
        .sum()
}

/// Compares two labelings of the same entries.
pub fn evaluate<A: Hash + Eq + Clone, B: Hash + Eq + Clone>(
    truth: &[A],
    predicted: &[B],
) -> Evaluation {
    assert_eq!(truth.len(), predicted.len(), "one label per entry");
    // Labels are numbered in order of first appearance; the cells of the contingency table are
    // then summed in (truth, predicted) order, so the scores do not depend on hashing.
    let mut t_ids: FxHashMap<A, usize> = FxHashMap::default();
    let mut p_ids: FxHashMap<B, usize> = FxHashMap::default();
    let mut cells: FxHashMap<(usize, usize), u64> = FxHashMap::default();
    for (t, p) in truth.iter().zip(predicted) {
        let nt = t_ids.len();
        let ti = *t_ids.entry(t.clone()).or_insert(nt);
        let np = p_ids.len();
        let pi = *p_ids.entry(p.clone()).or_insert(np);
        *cells.entry((ti, pi)).or_insert(0) += 1;
    }
    let mut table: Vec<((usize, usize), f64)> =
        cells.into_iter().map(|(ij, c)| (ij, c as f64)).collect();
    table.sort_unstable_by_key(|&(ij, _)| ij);
    let n = truth.len() as f64;
    let mut a = vec![0.0; t_ids.len()];
    let mut b = vec![0.0; p_ids.len()];
    for &((i, j), c) in &table {
        a[i] += c;
        b[j] += c;
    }
    let sum_comb: f64 = table.iter().map(|&(_, c)| comb2(c)).sum();
    let sum_a: f64 = a.iter().map(|&x| comb2(x)).sum();
    let sum_b: f64 = b.iter().map(|&x| comb2(x)).sum();
    let expected = if n > 1.0 {
        sum_a * sum_b / comb2(n)
    } else {
        0.0
    };
    let max_index = (sum_a + sum_b) / 2.0;
    let ari = if (max_index - expected).abs() < 1e-12 {
        1.0
    } else {
        (sum_comb - expected) / (max_index - expected)
    };
    let (ha, hb) = (entropy(&a, n), entropy(&b, n));
    let mi: f64 = table
        .iter()
        .map(|&((i, j), c)| (c / n) * ((c * n) / (a[i] * b[j])).ln())
        .sum::<f64>()
        .max(0.0);
    let nmi = if ha + hb > 0.0 {
        2.0 * mi / (ha + hb)
    } else {
        1.0
    };
    let homogeneity = if ha > 0.0 { mi / ha } else { 1.0 };
    let completeness = if hb > 0.0 { mi / hb } else { 1.0 };
    let v = if homogeneity + completeness > 0.0 {
        2.0 * homogeneity * completeness / (homogeneity + completeness)
    } else {
        0.0
    };
    Evaluation {
        entries: truth.len(),
        truth_classes: t_ids.len(),
        adjusted_rand_index: ari,
        normalized_mutual_information: nmi,
        homogeneity,
        completeness,
        v_measure: v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_score_one() {
        let e = evaluate(&["a", "a", "b", "b", "c"], &[2, 2, 0, 0, 7]);
        assert!((e.adjusted_rand_index - 1.0).abs() < 1e-12);
        assert!((e.normalized_mutual_information - 1.0).abs() < 1e-12);
        assert!((e.v_measure - 1.0).abs() < 1e-12);
    }

    #[test]
    fn known_values() {
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715
        let e = evaluate(&[0, 0, 1, 1], &[0, 0, 1, 2]);
        assert!((e.adjusted_rand_index - 0.571_428_571_428_571_5).abs() < 1e-12);
        // normalized_mutual_info_score(...) = 0.8 (arithmetic); v_measure_score = 0.8
        assert!((e.normalized_mutual_information - 0.8).abs() < 1e-12);
        assert!((e.v_measure - 0.8).abs() < 1e-12);
        // All in one cluster against two classes: ARI 0.
        let e = evaluate(&[0, 0, 1, 1], &[5, 5, 5, 5]);
        assert!(e.adjusted_rand_index.abs() < 1e-12);
    }
}
