//! Vectorize: token streams → sparse TF-IDF rows.
//!
//! In: the `Corpus` and `CheckedVectorParams` (document-frequency bounds, two-word phrases;
//! `VectorParams::check` refuses a bad value as one `VectorParamError` variant).
//! Out: `Vectors` — the kept terms (a stem, or two consecutive stems), their document
//! frequencies and idf weights, and `row(i)`: entry i as a sparse f32 row (sublinear tf × smooth
//! idf, L2-normalized), computed on demand from the shared token streams. No matrix is stored:
//! at a million entries a CSR copy would cost more memory than everything else together.
//! Invariants: never a dense rows × vocabulary matrix; every weight is finite; a row whose terms
//! were all filtered out is empty, never NaN; term ids are assigned in sorted order so rows do not
//! depend on row order or thread count.

use crate::error::Error;
use crate::text::{Corpus, Docs};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Validated vectorizer settings: private fields, getters only (see `VectorParams::check`).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedVectorParams {
    min_df: Option<usize>,
    max_df: f64,
    bigrams: bool,
}

/// Unchecked vectorizer settings: `VectorParams::new()` (the defaults), builder setters, then
/// `check` (linfa's `ParamGuard` layout: the unchecked type wraps the checked one).
#[derive(Debug, Clone, PartialEq)]
pub struct VectorParams(CheckedVectorParams);

impl Default for VectorParams {
    fn default() -> Self {
        VectorParams(CheckedVectorParams {
            min_df: None,
            max_df: 0.5,
            bigrams: true,
        })
    }
}

impl VectorParams {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Minimum number of entries a term must appear in (at least 1); `None` picks one from the
    /// row count.
    pub fn min_df(mut self, min_df: Option<usize>) -> Self {
        self.0.min_df = min_df;
        self
    }

    /// Maximum share of entries a term may appear in, in (0, 1].
    pub fn max_df(mut self, max_df: f64) -> Self {
        self.0.max_df = max_df;
        self
    }

    /// Also use two-word phrases (consecutive stems once stop words are gone).
    pub fn bigrams(mut self, bigrams: bool) -> Self {
        self.0.bigrams = bigrams;
        self
    }

    /// Validates every value; the first rejected one is the error.
    pub fn check(self) -> Result<CheckedVectorParams, VectorParamError> {
        self.check_ref()?;
        Ok(self.0)
    }

    /// As `check`, by reference.
    pub fn check_ref(&self) -> Result<&CheckedVectorParams, VectorParamError> {
        let p = &self.0;
        if !(p.max_df > 0.0 && p.max_df <= 1.0) {
            return Err(VectorParamError::MaxDf(p.max_df));
        }
        if p.min_df == Some(0) {
            return Err(VectorParamError::MinDfZero);
        }
        Ok(p)
    }
}

impl CheckedVectorParams {
    /// The document-frequency floor for `n` entries: 2 (a term seen once cannot link two
    /// entries), rising slowly on large logs so the vocabulary stays bounded.
    pub fn min_df(&self, n: usize) -> usize {
        self.min_df.unwrap_or_else(|| (n / 20_000).max(2))
    }
    pub fn max_df(&self) -> f64 {
        self.max_df
    }
    pub fn bigrams(&self) -> bool {
        self.bigrams
    }
}

/// A vectorizer parameter `check` refuses: one variant per rejected value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VectorParamError {
    #[error("max_df must be in (0, 1], got {0}")]
    MaxDf(f64),
    #[error("min_df must be at least 1")]
    MinDfZero,
}

/// Everything that stops the vectorize stage: only a rejected parameter (once its parameters
/// are checked, vectorizing cannot fail). `crate::error::Error::Vectorize` carries it (exit
/// code 2).
#[derive(Debug, thiserror::Error)]
pub enum VectorizeError {
    /// A rejected parameter (its message inline, so `{}` alone says what was wrong).
    #[error("invalid parameter: {0}")]
    Params(VectorParamError),
}

impl From<VectorParamError> for VectorizeError {
    fn from(e: VectorParamError) -> Self {
        VectorizeError::Params(e)
    }
}

impl From<VectorParamError> for Error {
    fn from(e: VectorParamError) -> Self {
        Error::Vectorize(e.into())
    }
}

/// A vocabulary entry: one stem, or two consecutive stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    pub first: u32,
    pub second: Option<u32>,
}

/// The vectorize stage's output.
#[derive(Debug, Clone, Default)]
pub struct Vectors {
    docs: Arc<Docs>,
    pub terms: Vec<Term>,
    pub df: Vec<u32>,
    pub idf: Vec<f32>,
    unigram: Vec<Option<u32>>,
    bigram: FxHashMap<u64, u32>,
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl Vectors {
    /// Calls `f` with the term id of every unigram and phrase occurrence in a token stream.
    pub fn for_each_term(&self, tokens: &[u32], mut f: impl FnMut(u32)) {
        for (i, &t) in tokens.iter().enumerate() {
            if let Some(id) = self.unigram.get(t as usize).copied().flatten() {
                f(id);
            }
            if let Some(&next) = tokens.get(i + 1) {
                if next != t {
                    if let Some(&id) = self.bigram.get(&pair(t, next)) {
                        f(id);
                    }
                }
            }
        }
    }

    /// Number of terms.
    pub fn n_terms(&self) -> usize {
        self.terms.len()
    }

    /// Number of entries.
    pub fn n_rows(&self) -> usize {
        self.docs.len()
    }

    /// Entry i as a sparse row: term ids ascending in `idx`, weights in `val` (both cleared
    /// first). Sublinear tf × idf, L2-normalized; empty when no term survived the bounds.
    pub fn row(&self, i: usize, idx: &mut Vec<u32>, val: &mut Vec<f32>) {
        idx.clear();
        val.clear();
        self.for_each_term(self.docs.doc(i), |t| idx.push(t));
        weigh(idx, val, &self.idf);
    }

    /// Whether entry i has no term at all.
    pub fn is_empty_row(&self, i: usize) -> bool {
        let mut any = false;
        self.for_each_term(self.docs.doc(i), |_| any = true);
        !any
    }
}

/// Sorts ascending: an insertion sort for the few dozen ids of one entry (cheaper there than
/// the general sort), the general sort beyond.
fn sort_small(v: &mut [u32]) {
    if v.len() > 32 {
        crate::sorting::unstable(&mut v[..]);
        return;
    }
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// 1 + ln(count): the sublinear term frequency.
fn log_tf(count: usize) -> f32 {
    1.0 + (count as f32).ln()
}

/// `log_tf` of the counts most terms have in one entry, computed once (the same bits).
static LOG_TF: std::sync::LazyLock<[f32; 64]> =
    std::sync::LazyLock::new(|| std::array::from_fn(log_tf));

/// Turns the term ids of one entry's occurrences (`idx`, any order) into its sparse row: ids
/// ascending, sublinear tf × idf, L2-normalized (`val` cleared first). Shared by `Vectors::row`
/// and a saved model's vectorizer, so both weigh alike.
pub fn weigh(idx: &mut Vec<u32>, val: &mut Vec<f32>, idf: &[f32]) {
    val.clear();
    sort_small(idx);
    let mut w = 0;
    let mut r = 0;
    while r < idx.len() {
        let t = idx[r];
        let mut e = r;
        while e < idx.len() && idx[e] == t {
            e += 1;
        }
        idx[w] = t;
        val.push(tf_of(e - r) * idf[t as usize]);
        w += 1;
        r = e;
    }
    idx.truncate(w);
    normalize(val);
}

fn tf_of(count: usize) -> f32 {
    LOG_TF.get(count).copied().unwrap_or_else(|| log_tf(count))
}

fn normalize(val: &mut [f32]) {
    let norm = val.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        val.iter_mut().for_each(|v| *v /= norm);
    }
}

/// `weigh` without sorting, for one thread placing many entries (`model::Placer`): the ids are
/// set in a bit set over the vocabulary (with a summary bit per 64-bit word) and counted in a
/// table, then read back in ascending order, clearing as they go. Gives exactly `weigh`'s rows;
/// vocabularies over `TermSet::MAX` terms (or absurdly long entries) use `weigh` itself.
#[derive(Debug, Clone, Default)]
pub struct TermSet {
    bits: Vec<u64>,
    summary: Vec<u64>,
    counts: Vec<u16>,
}

impl TermSet {
    /// Largest vocabulary the set is used for (its three tables stay under 150 KB).
    pub const MAX: usize = 1 << 16;

    pub fn new(n_terms: usize) -> TermSet {
        if n_terms > Self::MAX {
            return TermSet::default();
        }
        let words = n_terms.div_ceil(64);
        TermSet {
            bits: vec![0; words],
            summary: vec![0; words.div_ceil(64)],
            counts: vec![0; n_terms],
        }
    }

    /// `weigh(idx, val, idf)`.
    pub fn weigh(&mut self, idx: &mut Vec<u32>, val: &mut Vec<f32>, idf: &[f32]) {
        if self.counts.len() != idf.len() || idx.len() >= u16::MAX as usize {
            return weigh(idx, val, idf);
        }
        val.clear();
        for &t in idx.iter() {
            let w = t as usize / 64;
            self.summary[w / 64] |= 1 << (w % 64);
            self.bits[w] |= 1 << (t % 64);
            self.counts[t as usize] += 1;
        }
        idx.clear();
        for (si, s) in self.summary.iter_mut().enumerate() {
            let mut words = std::mem::take(s);
            while words != 0 {
                let w = si * 64 + words.trailing_zeros() as usize;
                words &= words - 1;
                let mut b = std::mem::take(&mut self.bits[w]);
                while b != 0 {
                    let t = w * 64 + b.trailing_zeros() as usize;
                    b &= b - 1;
                    let c = std::mem::take(&mut self.counts[t]);
                    idx.push(t as u32);
                    val.push(tf_of(c as usize) * idf[t]);
                }
            }
        }
        normalize(val);
    }
}

const CHUNK: usize = 4096;

/// Builds the TF-IDF matrix; see the module header.
pub fn vectorize(corpus: &Corpus, params: &CheckedVectorParams) -> Vectors {
    let n = corpus.len();
    let n_stems = corpus.stems.len();
    let docs: Vec<usize> = (0..n).collect();

    // Document frequencies of stems and phrases, counted once per entry.
    let (uni_df, bi_df) = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut uni = vec![0u32; n_stems];
            let mut bi: FxHashMap<u64, u32> = FxHashMap::default();
            let mut seen: Vec<u64> = Vec::new();
            for &d in chunk {
                let toks = corpus.doc(d);
                seen.clear();
                seen.extend(toks.iter().map(|&t| u64::from(t) | (1 << 63)));
                if params.bigrams() {
                    seen.extend(
                        toks.windows(2)
                            .filter(|w| w[0] != w[1])
                            .map(|w| pair(w[0], w[1])),
                    );
                }
                crate::sorting::unstable(&mut seen[..]);
                seen.dedup();
                for &k in &seen {
                    if k & (1 << 63) != 0 {
                        uni[(k & 0xffff_ffff) as usize] += 1;
                    } else {
                        *bi.entry(k).or_insert(0) += 1;
                    }
                }
            }
            (uni, bi)
        })
        .reduce(
            || (vec![0u32; n_stems], FxHashMap::default()),
            |(mut ua, ba), (ub, bb)| {
                for (a, b) in ua.iter_mut().zip(ub) {
                    *a += b;
                }
                if ba.len() < bb.len() {
                    return (ua, merge(bb, ba));
                }
                (ua, merge(ba, bb))
            },
        );

    let min_df = params.min_df(n) as u32;
    let max_df = ((params.max_df() * n as f64).floor() as u32).max(min_df);
    let keep = |df: u32| df >= min_df && df <= max_df;
    let mut terms = Vec::new();
    let mut df = Vec::new();
    let mut unigram = vec![None; n_stems];
    for (s, &d) in uni_df.iter().enumerate() {
        if keep(d) {
            unigram[s] = Some(terms.len() as u32);
            terms.push(Term {
                first: s as u32,
                second: None,
            });
            df.push(d);
        }
    }
    let mut pairs: Vec<(u64, u32)> = bi_df.into_iter().filter(|&(_, d)| keep(d)).collect();
    crate::sorting::unstable(&mut pairs[..]);
    let mut bigram = FxHashMap::default();
    for (k, d) in pairs {
        bigram.insert(k, terms.len() as u32);
        terms.push(Term {
            first: (k >> 32) as u32,
            second: Some((k & 0xffff_ffff) as u32),
        });
        df.push(d);
    }
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| (((1 + n) as f64 / (1 + d as usize) as f64).ln() + 1.0) as f32)
        .collect();
    Vectors {
        docs: Arc::clone(&corpus.docs),
        terms,
        df,
        idf,
        unigram,
        bigram,
    }
}

fn merge(mut big: FxHashMap<u64, u32>, small: FxHashMap<u64, u32>) -> FxHashMap<u64, u32> {
    for (k, v) in small {
        *big.entry(k).or_insert(0) += v;
    }
    big
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_term_set_weighs_as_weigh(
            rows in proptest::collection::vec(proptest::collection::vec(0u32..300, 0..80), 1..6)
        ) {
            let idf: Vec<f32> = (0..300).map(|i| 1.0 + (i % 7) as f32 * 0.37).collect();
            let mut set = TermSet::new(idf.len());
            for row in rows {
                let (mut a, mut va) = (row.clone(), Vec::new());
                let (mut b, mut vb) = (row, Vec::new());
                weigh(&mut a, &mut va, &idf);
                set.weigh(&mut b, &mut vb, &idf);
                proptest::prop_assert_eq!(a, b);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                proptest::prop_assert_eq!(bits(&va), bits(&vb));
            }
        }

        #[test]
        fn small_sort_sorts(mut v in proptest::collection::vec(0u32..50, 0..70)) {
            let mut want = v.clone();
            crate::sorting::unstable(&mut want[..]);
            sort_small(&mut v);
            proptest::prop_assert_eq!(v, want);
        }
    }
    use crate::record::{Record, Role};
    use crate::text::{analyze, Language, TextParams};
    use proptest::prelude::*;

    fn corpus(texts: &[&str]) -> Corpus {
        let records: Vec<Record> = texts
            .iter()
            .map(|t| Record {
                root_cause: (*t).into(),
                ..Default::default()
            })
            .collect();
        analyze(
            &records,
            &TextParams {
                language: Language::new("english").unwrap(),
                roles: vec![Role::RootCause],
                matcher: None,
            },
        )
    }

    #[test]
    fn df_bounds_and_phrases() {
        let c = corpus(&[
            "missed deadline estimate",
            "missed deadline again",
            "vendor outage",
            "vendor outage api",
            "unique words here",
        ]);
        let v = vectorize(&c, &VectorParams::default().check().unwrap());
        let names: Vec<String> = v
            .terms
            .iter()
            .map(|t| match t.second {
                None => c.surface[t.first as usize].clone(),
                Some(s) => format!("{} {}", c.surface[t.first as usize], c.surface[s as usize]),
            })
            .collect();
        assert!(names.contains(&"missed deadline".to_string()), "{names:?}");
        assert!(names.contains(&"vendor outage".to_string()));
        assert!(!names.contains(&"unique".to_string()), "df 1 is dropped");
        assert!(v.is_empty_row(4));
        let (mut idx, mut val) = (Vec::new(), Vec::new());
        v.row(4, &mut idx, &mut val);
        assert!(idx.is_empty() && val.is_empty());
    }

    #[test]
    fn rejects_max_df_outside_0_1() {
        for max_df in [0.0, 1.5, -0.5, f64::NAN] {
            let e = VectorParams::new()
                .max_df(max_df)
                .check()
                .expect_err("rejected");
            assert!(matches!(e, VectorParamError::MaxDf(_)), "{max_df}: {e:?}");
        }
        assert!(VectorParams::new().max_df(1.0).check().is_ok());
    }

    #[test]
    fn rejects_min_df_zero() {
        let e = VectorParams::new()
            .min_df(Some(0))
            .check()
            .expect_err("rejected");
        assert_eq!(e, VectorParamError::MinDfZero);
        let e = Error::from(e);
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            format!("{:#}", anyhow::Error::from(e)),
            "invalid parameter: min_df must be at least 1"
        );
    }

    proptest! {
        #[test]
        fn rows_are_unit_or_empty_and_finite(texts in proptest::collection::vec("[a-e ]{0,30}", 1..40)) {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let c = corpus(&refs);
            let v = vectorize(&c, &VectorParams::new().min_df(Some(1)).max_df(1.0).bigrams(true).check().unwrap());
            prop_assert_eq!(v.n_rows(), texts.len());
            let (mut idx, mut data) = (Vec::new(), Vec::new());
            for i in 0..v.n_rows() {
                v.row(i, &mut idx, &mut data);
                prop_assert!(data.iter().all(|x| x.is_finite()));
                prop_assert!(idx.windows(2).all(|w| w[0] < w[1]));
                let norm: f32 = data.iter().map(|x| x * x).sum();
                prop_assert!(data.is_empty() || (norm - 1.0).abs() < 1e-4);
            }
        }
    }
}
