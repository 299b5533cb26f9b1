//! Order-free samples of entries.
//!
//! In: the corpus, a sample size and a seed. Out: row indices, sorted by a seeded hash of each
//! entry's token content (ties by content), so the *same multiset of entries* gives the same
//! sample in the same order whatever order the rows came in. Large-log stages (dimension
//! reduction, choosing and fitting the clusters) learn from such samples.
//! Invariant: rows with identical tokens are interchangeable, so a tie between them cannot change
//! any result.

use crate::text::Corpus;
use rayon::prelude::*;

/// splitmix64 finalizer: a fast, well-mixed 64-bit hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of an entry's tokens under a seed.
pub fn content_hash(tokens: &[u32], seed: u64) -> u64 {
    let mut h = mix(seed ^ tokens.len() as u64);
    for &t in tokens {
        h = mix(h ^ u64::from(t));
    }
    h
}

/// Up to `size` rows chosen and ordered by content hash; all rows (so ordered) when `size`
/// is at least the row count.
pub fn sample(corpus: &Corpus, size: usize, seed: u64) -> Vec<usize> {
    let mut keyed: Vec<(u64, usize)> = (0..corpus.len())
        .into_par_iter()
        .map(|i| (content_hash(corpus.doc(i), seed), i))
        .collect();
    let by_content = |a: &(u64, usize), b: &(u64, usize)| {
        a.0.cmp(&b.0)
            .then_with(|| corpus.doc(a.1).cmp(corpus.doc(b.1)))
    };
    if size < keyed.len() {
        keyed.select_nth_unstable_by(size, by_content);
        keyed.truncate(size);
    }
    keyed.par_sort_unstable_by(by_content);
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(docs: &[Vec<u32>]) -> Corpus {
        Corpus {
            docs: std::sync::Arc::new(crate::text::Docs::from_lists(docs)),
            ..Default::default()
        }
    }

    #[test]
    fn sample_is_order_free() {
        let docs: Vec<Vec<u32>> = (0..500u32).map(|i| vec![i % 50, i % 7, i]).collect();
        let mut rev = docs.clone();
        rev.reverse();
        let (a, b) = (corpus(&docs), corpus(&rev));
        let sa: Vec<&[u32]> = sample(&a, 100, 7).iter().map(|&i| a.doc(i)).collect();
        let sb: Vec<&[u32]> = sample(&b, 100, 7).iter().map(|&i| b.doc(i)).collect();
        assert_eq!(sa, sb);
        assert_eq!(sa.len(), 100);
        assert_eq!(sample(&a, 1000, 7).len(), 500);
    }
}
