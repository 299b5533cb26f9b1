//! Reduce: sparse TF-IDF rows → short dense vectors (latent semantic analysis).
//!
//! In: `Vectors`, a sample of row indices (see `sample`) and `CheckedReduceParams`
//! (`ReduceParams::check` refuses a bad value as one `ReduceParamError` variant).
//! Out: `Projection` — the top right singular vectors of the sampled TF-IDF matrix, found by
//! randomized truncated SVD (Halko, Martinsson & Tropp 2011) that only ever multiplies the sparse
//! matrix, never densifies it; `project` maps any row to an L2-normalized vector of `dims`.
//! How: the sample is copied once into a compact sparse matrix, by row (CSR) and by term (CSC,
//! for the transposed products, one in-order sum per term); products with it run in f32.
//! Tall dense products run in f32 on fixed row blocks, summed in f64 in block order (so the
//! result is the same in any number of threads); the small dense algebra is f64.
//! Invariants: cost is O(nnz · (dims + oversampling)) plus O(vocabulary · dims²); with a
//! vocabulary no larger than `dims`, the projection is the identity (nothing to reduce).

use crate::error::{Error, Result};
use crate::vectorize::Vectors;
use linfa_linalg::eigh::{EigSort, Eigh};
use linfa_linalg::{LinalgError, Order};
use ndarray::{s, Array2, Axis};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Validated settings: private fields, getters only (see `ReduceParams::check`).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedReduceParams {
    dims: usize,
    oversample: usize,
    power_iterations: usize,
    seed: u64,
}

/// Unchecked settings: `ReduceParams::new()` (the defaults), builder setters, then `check`
/// (linfa's `ParamGuard` layout: the unchecked type wraps the checked one).
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceParams(CheckedReduceParams);

/// Fewest and most dimensions (`--dimensions`).
pub const MIN_DIMS: usize = 2;
pub const MAX_DIMS: usize = 1000;
/// Most power iterations of the randomized SVD.
pub const MAX_POWER_ITERATIONS: usize = 10;

impl Default for ReduceParams {
    fn default() -> Self {
        ReduceParams(CheckedReduceParams {
            dims: 64,
            oversample: 16,
            // One power iteration: on the generated logs a second one cost a third of the stage
            // and scored no better (benches/QUALITY.md, "What was tried").
            power_iterations: 1,
            seed: 42,
        })
    }
}

impl ReduceParams {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Dimensions to keep, `MIN_DIMS..=MAX_DIMS`.
    pub fn dims(mut self, dims: usize) -> Self {
        self.0.dims = dims;
        self
    }

    /// Extra random directions the sketch carries beyond `dims` (any number; more is slower
    /// and more accurate).
    pub fn oversample(mut self, oversample: usize) -> Self {
        self.0.oversample = oversample;
        self
    }

    /// Power iterations, at most `MAX_POWER_ITERATIONS`.
    pub fn power_iterations(mut self, power_iterations: usize) -> Self {
        self.0.power_iterations = power_iterations;
        self
    }

    /// Seed of the random test matrix.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }

    /// Validates every value; the first rejected one is the error.
    pub fn check(self) -> Result<CheckedReduceParams, ReduceParamError> {
        self.check_ref()?;
        Ok(self.0)
    }

    /// As `check`, by reference.
    pub fn check_ref(&self) -> Result<&CheckedReduceParams, ReduceParamError> {
        let p = &self.0;
        if !(MIN_DIMS..=MAX_DIMS).contains(&p.dims) {
            return Err(ReduceParamError::DimsOutOfRange(p.dims));
        }
        if p.power_iterations > MAX_POWER_ITERATIONS {
            return Err(ReduceParamError::PowerIterations(p.power_iterations));
        }
        Ok(p)
    }
}

impl CheckedReduceParams {
    pub fn dims(&self) -> usize {
        self.dims
    }
    pub fn oversample(&self) -> usize {
        self.oversample
    }
    pub fn power_iterations(&self) -> usize {
        self.power_iterations
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// A reduce parameter `check` refuses: one variant per rejected value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReduceParamError {
    #[error("dimensions must be between {min} and {max}, got {0}", min = MIN_DIMS, max = MAX_DIMS)]
    DimsOutOfRange(usize),
    #[error("at most {max} power iterations, got {0}", max = MAX_POWER_ITERATIONS)]
    PowerIterations(usize),
}

/// Everything that stops the reduce stage; `crate::error::Error::Reduce` carries it (exit
/// code 2).
#[derive(Debug, thiserror::Error)]
pub enum ReduceError {
    /// A rejected parameter (its message inline, so `{}` alone says what was wrong).
    #[error("invalid parameter: {0}")]
    Params(ReduceParamError),
    /// linfa-linalg's eigendecomposition failed inside the SVD (its error is the cause).
    #[error("eigendecomposition failed")]
    Eigen(#[from] LinalgError),
}

impl From<ReduceParamError> for ReduceError {
    fn from(e: ReduceParamError) -> Self {
        ReduceError::Params(e)
    }
}

impl From<ReduceParamError> for Error {
    fn from(e: ReduceParamError) -> Self {
        Error::Reduce(e.into())
    }
}

/// A learned projection from term space to `dims` dimensions.
#[derive(Debug, Clone)]
pub struct Projection {
    /// n_terms × dims, or `None` for the identity.
    components: Option<Array2<f32>>,
    pub dims: usize,
    /// Singular values of the sampled matrix, largest first (empty for the identity).
    pub singular_values: Vec<f64>,
}

impl Projection {
    /// A projection from its parts (a saved model's): `components` n_terms × dims row-major.
    pub fn from_parts(components: Option<Array2<f32>>, dims: usize) -> Projection {
        Projection {
            components,
            dims,
            singular_values: Vec::new(),
        }
    }

    /// The n_terms × dims matrix, or `None` for the identity.
    pub fn components(&self) -> Option<&Array2<f32>> {
        self.components.as_ref()
    }

    /// Projects row `i` into `out` (length `dims`) and L2-normalizes it; returns the norm before
    /// normalizing (0 for an entry with no terms).
    pub fn project(&self, vectors: &Vectors, i: usize, out: &mut [f64]) -> f64 {
        ROW.with(|cell| {
            let (idx, data) = &mut *cell.borrow_mut();
            vectors.row(i, idx, data);
            self.project_row(idx, data, out)
        })
    }

    /// Projects a sparse row (see `Vectors::row`); like `project`.
    pub fn project_row(&self, idx: &[u32], data: &[f32], out: &mut [f64]) -> f64 {
        out.iter_mut().for_each(|x| *x = 0.0);
        match &self.components {
            None => {
                for (&c, &v) in idx.iter().zip(data) {
                    out[c as usize] = f64::from(v);
                }
            }
            Some(comp) => {
                // Plain f32 slices so the inner loop vectorizes; this runs once per entry.
                let flat = comp.as_slice().expect("standard layout");
                let d = self.dims;
                ACC.with(|cell| sparse_row_times(idx, data, flat, d, &mut cell.borrow_mut(), out));
            }
        }
        let norm = out.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 1e-12 {
            out.iter_mut().for_each(|x| *x /= norm);
        }
        norm
    }

    /// Projects many rows into a dense, row-normalized matrix.
    pub fn transform(&self, vectors: &Vectors, rows: &[usize]) -> Array2<f64> {
        self.transform_with_norms(vectors, rows).0
    }

    /// `transform`, plus each row's norm before normalizing (as `project` returns it).
    pub fn transform_with_norms(
        &self,
        vectors: &Vectors,
        rows: &[usize],
    ) -> (Array2<f64>, Vec<f64>) {
        let mut x = Array2::<f64>::zeros((rows.len(), self.dims));
        let mut norms = vec![0.0; rows.len()];
        x.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(rows.par_iter())
            .zip(norms.par_iter_mut())
            .for_each(|((mut out, &i), norm)| {
                *norm = self.project(vectors, i, out.as_slice_mut().expect("row-major"));
            });
        (x, norms)
    }
}

thread_local! {
    /// Scratch accumulator for one projected row, per thread.
    static ACC: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Scratch buffers for one sparse row, per thread.
    static ROW: std::cell::RefCell<(Vec<u32>, Vec<f32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// The sampled rows as one compact sparse matrix (CSR), computed once: the SVD multiplies by
/// it 2 · (power iterations + 1) times.
struct Csr {
    offsets: Vec<usize>,
    idx: Vec<u32>,
    val: Vec<f32>,
}

impl Csr {
    fn new(vectors: &Vectors, rows: &[usize]) -> Csr {
        // Per block of rows: row lengths, then the rows back to back.
        let parts: Vec<(Vec<usize>, Vec<u32>, Vec<f32>)> = rows
            .par_chunks(1024)
            .map(|chunk| {
                let (mut lens, mut idx, mut val) = (Vec::new(), Vec::new(), Vec::new());
                let (mut i, mut v) = (Vec::new(), Vec::new());
                for &r in chunk {
                    vectors.row(r, &mut i, &mut v);
                    lens.push(i.len());
                    idx.extend_from_slice(&i);
                    val.extend_from_slice(&v);
                }
                (lens, idx, val)
            })
            .collect();
        let mut csr = Csr {
            offsets: vec![0],
            idx: Vec::new(),
            val: Vec::new(),
        };
        for (lens, idx, val) in parts {
            for len in lens {
                let last = *csr.offsets.last().expect("starts with 0");
                csr.offsets.push(last + len);
            }
            csr.idx.extend(idx);
            csr.val.extend(val);
        }
        csr
    }

    fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[i]..self.offsets[i + 1];
        (&self.idx[r.clone()], &self.val[r])
    }
}

/// One sparse row times a row-major f32 matrix with `k` columns, summed in f32 in `acc`
/// (scratch) and written to `out` as f64: the inner loop of the projection and of `sparse_times`.
fn sparse_row_times(
    idx: &[u32],
    data: &[f32],
    m: &[f32],
    k: usize,
    acc: &mut Vec<f32>,
    out: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        unsafe {
            if k == 64 {
                row_times_fixed_avx::<64>(idx, data, m, out);
            } else {
                row_times_avx(idx, data, m, k, acc, out);
            }
        }
        return;
    }
    row_times(idx, data, m, k, acc, out);
}

/// `sparse_row_times`' sums: lane by lane, term by term in `idx` order, so a wider vector unit
/// gives the same bits (no fused multiply-add: Rust never contracts `a += v * w`).
#[inline(always)]
fn row_times(idx: &[u32], data: &[f32], m: &[f32], k: usize, acc: &mut Vec<f32>, out: &mut [f64]) {
    acc.clear();
    acc.resize(k, 0.0);
    for (&c, &v) in idx.iter().zip(data) {
        let row = &m[c as usize * k..(c as usize + 1) * k];
        for (a, &w) in acc.iter_mut().zip(row) {
            *a += v * w;
        }
    }
    for (o, &a) in out.iter_mut().zip(acc.iter()) {
        *o = f64::from(a);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn row_times_avx(
    idx: &[u32],
    data: &[f32],
    m: &[f32],
    k: usize,
    acc: &mut Vec<f32>,
    out: &mut [f64],
) {
    row_times(idx, data, m, k, acc, out);
}

/// `row_times` for a fixed width (the default 64 dimensions), the sums held in registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn row_times_fixed_avx<const K: usize>(
    idx: &[u32],
    data: &[f32],
    m: &[f32],
    out: &mut [f64],
) {
    let mut acc = [0.0f32; K];
    for (&c, &v) in idx.iter().zip(data) {
        let at = c as usize * K;
        let row: &[f32; K] = m[at..at + K].try_into().expect("K values");
        for d in 0..K {
            acc[d] += v * row[d];
        }
    }
    for (o, &a) in out.iter_mut().zip(acc.iter()) {
        *o = f64::from(a);
    }
}

/// A dense matrix as row-major f32 (the sparse products run in f32: twice the lanes, and their
/// sums of ~50 terms per row lose nothing that matters for the leading singular vectors).
fn to_f32(m: &Array2<f64>) -> Vec<f32> {
    m.iter().map(|&v| v as f32).collect()
}

/// sample rows × k dense: A_s · M.
fn sparse_times(a: &Csr, m: &Array2<f64>) -> Array2<f64> {
    let k = m.ncols();
    let m32 = to_f32(m);
    let mut y = Array2::<f64>::zeros((a.rows(), k));
    y.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each_init(Vec::new, |acc, (i, mut out)| {
            let (idx, data) = a.row(i);
            let out = out.as_slice_mut().expect("row-major");
            sparse_row_times(idx, data, &m32, k, acc, out);
        });
    y
}

/// The same sampled rows stored by term (CSC: for each term, the rows that use it, ascending),
/// so A_sᵀ · Q is one sum per term with no per-thread accumulators to merge.
struct Csc {
    offsets: Vec<usize>,
    rows: Vec<u32>,
    val: Vec<f32>,
}

impl Csc {
    fn of(a: &Csr, n_terms: usize) -> Csc {
        let mut offsets = vec![0usize; n_terms + 1];
        for &t in &a.idx {
            offsets[t as usize + 1] += 1;
        }
        for t in 0..n_terms {
            offsets[t + 1] += offsets[t];
        }
        let mut next = offsets.clone();
        let (mut rows, mut val) = (vec![0u32; a.idx.len()], vec![0.0f32; a.idx.len()]);
        for i in 0..a.rows() {
            let (idx, data) = a.row(i);
            for (&t, &v) in idx.iter().zip(data) {
                let slot = &mut next[t as usize];
                (rows[*slot], val[*slot]) = (i as u32, v);
                *slot += 1;
            }
        }
        Csc { offsets, rows, val }
    }
}

/// n_terms × k dense: A_sᵀ · Q, each term's row summed in row order (the same in any number of
/// threads).
fn sparse_t_times(a: &Csc, q: &Array2<f64>) -> Array2<f64> {
    let k = q.ncols();
    let q32 = to_f32(q);
    let n_terms = a.offsets.len() - 1;
    let mut z = Array2::<f64>::zeros((n_terms, k));
    // A term's column is a sparse row of Aᵀ: the same product as one row of `sparse_times`.
    z.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each_init(Vec::new, |acc, (t, mut out)| {
            let r = a.offsets[t]..a.offsets[t + 1];
            let out = out.as_slice_mut().expect("row-major");
            sparse_row_times(&a.rows[r.clone()], &a.val[r], &q32, k, acc, out);
        });
    z
}

/// Orthonormal basis of the column space of a tall `y`: eigendecomposition of the small Gram
/// matrix yᵀy (a fast, rank-revealing stand-in for QR on tall, thin matrices), done `passes`
/// times (two for an accurate basis; one is enough between power iterations, which only need
/// the columns kept apart). Directions with no weight are dropped.
fn orthonormalize(y: Array2<f64>, passes: usize) -> Result<Array2<f64>> {
    let mut q = y;
    for _ in 0..passes {
        let gram = gram_of(&q);
        let (vals, vecs) = gram
            .eigh()
            .map_err(ReduceError::Eigen)?
            .sort_eig(Order::Largest);
        let top = vals.get(0).copied().unwrap_or(0.0).max(0.0);
        let keep: Vec<usize> = (0..vals.len())
            .filter(|&j| vals[j] > top * 1e-12 && vals[j] > 0.0)
            .collect();
        let mut w = Array2::<f64>::zeros((vecs.nrows(), keep.len()));
        for (c, &j) in keep.iter().enumerate() {
            let scale = 1.0 / vals[j].sqrt();
            w.column_mut(c).assign(&(&vecs.column(j) * scale));
        }
        q = times_small(&q, &w);
    }
    Ok(q)
}

/// Rows per block in the tall-matrix products below: a fixed split, so sums happen in the same
/// order whatever the number of threads.
const TALL_BLOCK: usize = 2048;

/// yᵀy for a tall y, as a sum of per-block products computed in parallel. Each block's product
/// runs in f32 (twice the lanes; the basis it feeds is refined by a second pass), the blocks are
/// summed in f64.
fn gram_of(y: &Array2<f64>) -> Array2<f64> {
    let blocks: Vec<Array2<f32>> = y
        .axis_chunks_iter(Axis(0), TALL_BLOCK)
        .into_par_iter()
        .map(|b| {
            let b = b.mapv(|v| v as f32);
            b.t().dot(&b)
        })
        .collect();
    let mut g = Array2::<f64>::zeros((y.ncols(), y.ncols()));
    for b in blocks {
        g.zip_mut_with(&b, |a, &v| *a += f64::from(v));
    }
    g
}

/// y · w for a tall y and a small w, block by block in parallel, in f32.
fn times_small(y: &Array2<f64>, w: &Array2<f64>) -> Array2<f64> {
    let w = w.mapv(|v| v as f32);
    let mut out = Array2::<f64>::zeros((y.nrows(), w.ncols()));
    out.axis_chunks_iter_mut(Axis(0), TALL_BLOCK)
        .into_par_iter()
        .zip(y.axis_chunks_iter(Axis(0), TALL_BLOCK).into_par_iter())
        .for_each(|(mut o, b)| {
            let p = b.mapv(|v| v as f32).dot(&w);
            o.zip_mut_with(&p, |a, &v| *a = f64::from(v));
        });
    out
}

/// Fits the projection on the sampled rows.
pub fn fit(vectors: &Vectors, rows: &[usize], params: &CheckedReduceParams) -> Result<Projection> {
    let p = params;
    let n_terms = vectors.n_terms();
    if n_terms <= p.dims() || rows.len() <= 2 {
        return Ok(Projection {
            components: None,
            dims: n_terms.max(1),
            singular_values: Vec::new(),
        });
    }
    let dims = p.dims().min(rows.len() - 1);
    let l = (dims + p.oversample()).min(rows.len()).min(n_terms);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed());
    // Standard normal test matrix, one seeded generator per term (so it is the same whatever
    // the number of threads), two values per Box–Muller draw.
    let base: u64 = rand::Rng::gen(&mut rng);
    let mut omega = Array2::<f64>::zeros((n_terms, l));
    omega
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(t, mut row)| {
            let mut r = Xoshiro256PlusPlus::seed_from_u64(
                base ^ (t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            for pair in row.as_slice_mut().expect("row-major").chunks_mut(2) {
                let u1: f64 = rand::Rng::gen_range(&mut r, f64::EPSILON..1.0);
                let u2: f64 = rand::Rng::gen_range(&mut r, 0.0..1.0);
                let (radius, angle) = ((-2.0 * u1.ln()).sqrt(), 2.0 * std::f64::consts::PI * u2);
                pair[0] = radius * angle.cos();
                if let Some(second) = pair.get_mut(1) {
                    *second = radius * angle.sin();
                }
            }
        });
    let a = Csr::new(vectors, rows);
    let at = Csc::of(&a, n_terms);
    let first = if p.power_iterations() == 0 { 2 } else { 1 };
    let mut q = orthonormalize(sparse_times(&a, &omega), first)?;
    for it in 0..p.power_iterations() {
        let z = orthonormalize(sparse_t_times(&at, &q), 1)?;
        let passes = if it + 1 == p.power_iterations() { 2 } else { 1 };
        q = orthonormalize(sparse_times(&a, &z), passes)?;
    }
    // B = Qᵀ A_s = Zᵀ with Z = A_sᵀ Q (n_terms × l). B Bᵀ = Zᵀ Z (l × l).
    let z = sparse_t_times(&at, &q);
    let gram = gram_of(&z);
    let (vals, vecs) = gram
        .eigh()
        .map_err(ReduceError::Eigen)?
        .sort_eig(Order::Largest);
    // Orthonormalization may drop directions the sample does not span.
    let dims = dims.min(vals.len());
    let mut singular_values = Vec::with_capacity(dims);
    let mut comp = Array2::<f32>::zeros((n_terms, dims));
    // Right singular vectors: V = Z U Σ⁻¹.
    let zu = times_small(&z, &vecs.slice(s![.., ..dims]).to_owned());
    for j in 0..dims {
        let sigma = vals[j].max(0.0).sqrt();
        singular_values.push(sigma);
        if sigma > 1e-9 {
            // Fix each vector's sign (largest entry positive) so the basis is reproducible.
            let col = zu.column(j);
            let big = col
                .iter()
                .copied()
                .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            let sign = if big < 0.0 { -1.0 } else { 1.0 };
            for t in 0..n_terms {
                comp[[t, j]] = (sign * col[t] / sigma) as f32;
            }
        }
    }
    Ok(Projection {
        components: Some(comp),
        dims,
        singular_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Record, Role};
    use crate::text::{analyze, Language, TextParams};
    use crate::vectorize::{vectorize, VectorParams};

    fn vectors(texts: &[String]) -> Vectors {
        let records: Vec<Record> = texts
            .iter()
            .map(|t| Record {
                root_cause: t.as_str().into(),
                ..Default::default()
            })
            .collect();
        let c = analyze(
            &records,
            &TextParams {
                language: Language::new("english").unwrap(),
                roles: vec![Role::RootCause],
                matcher: None,
            },
        );
        vectorize(&c, &VectorParams::default().check().unwrap())
    }

    #[test]
    fn separates_two_topics_in_few_dimensions() {
        let mut texts = Vec::new();
        let extra = ["alpha", "beta", "gamma", "delta", "omega"];
        for i in 0..60 {
            texts.push(format!(
                "deadline estimate slipped timeline {}",
                extra[i % 5]
            ));
            texts.push(format!(
                "vendor outage supplier api down {}",
                extra[(i + 2) % 5]
            ));
        }
        let v = vectors(&texts);
        let rows: Vec<usize> = (0..texts.len()).collect();
        let p = fit(&v, &rows, &ReduceParams::new().dims(4).check().unwrap()).unwrap();
        assert_eq!(p.dims, 4);
        let x = p.transform(&v, &rows);
        let same = x.row(0).dot(&x.row(2));
        let diff = x.row(0).dot(&x.row(1));
        // The five filler words are shared by both topics, so even the exact 4-D projection
        // leaves some cross-topic similarity (0.15 here); same-topic entries stay far closer.
        assert!(same > 0.5 && same - diff > 0.4, "same {same} diff {diff}");
        assert!(p.singular_values.windows(2).all(|w| w[0] >= w[1] - 1e-9));
    }

    #[test]
    fn singular_values_match_the_exact_ones() {
        let texts: Vec<String> = (0..90)
            .map(|i| {
                let words = [
                    "deadline",
                    "estimate",
                    "vendor",
                    "outage",
                    "scope",
                    "change",
                    "review",
                    "test",
                    "meeting",
                    "budget",
                    "conversation",
                    "feedback",
                ];
                format!(
                    "{} {} {} {}",
                    words[i % 12],
                    words[(i * 7 + 3) % 12],
                    words[(i * 5 + 1) % 12],
                    words[(i / 3) % 12]
                )
            })
            .collect();
        let v = vectors(&texts);
        let rows: Vec<usize> = (0..texts.len()).collect();
        // Exact: eigenvalues of the dense AᵀA.
        let mut a = Array2::<f64>::zeros((rows.len(), v.n_terms()));
        let (mut idx, mut val) = (Vec::new(), Vec::new());
        for &i in &rows {
            v.row(i, &mut idx, &mut val);
            for (&t, &x) in idx.iter().zip(&val) {
                a[[i, t as usize]] = f64::from(x);
            }
        }
        let (vals, _) = a.t().dot(&a).eigh().unwrap().sort_eig(Order::Largest);
        let params = ReduceParams::new().dims(4).power_iterations(3);
        let p = fit(&v, &rows, &params.check().unwrap()).unwrap();
        for (j, &sigma) in p.singular_values.iter().enumerate() {
            let exact = vals[j].max(0.0).sqrt();
            assert!(
                (sigma - exact).abs() < 0.01 * exact,
                "σ{j}: {sigma} vs {exact}"
            );
        }
    }

    #[test]
    fn small_vocabulary_is_identity() {
        let texts: Vec<String> = (0..10)
            .map(|i| ["alpha beta", "gamma delta"][i % 2].to_string())
            .collect();
        let v = vectors(&texts);
        let p = fit(
            &v,
            &(0..10).collect::<Vec<_>>(),
            &ReduceParams::default().check().unwrap(),
        )
        .unwrap();
        assert!(p.singular_values.is_empty());
        assert_eq!(p.dims, v.n_terms());
        assert_eq!(p.dims, 6, "4 words and 2 phrases");
    }

    #[test]
    fn rejects_dims_out_of_range() {
        for dims in [0, 1, MAX_DIMS + 1] {
            let e = ReduceParams::new()
                .dims(dims)
                .check()
                .expect_err("rejected");
            assert_eq!(e, ReduceParamError::DimsOutOfRange(dims));
        }
        for dims in [MIN_DIMS, MAX_DIMS] {
            assert!(ReduceParams::new().dims(dims).check().is_ok());
        }
        let e = Error::from(ReduceParamError::DimsOutOfRange(1));
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            format!("{:#}", anyhow::Error::from(e)),
            "invalid parameter: dimensions must be between 2 and 1000, got 1"
        );
    }

    #[test]
    fn rejects_too_many_power_iterations() {
        let e = ReduceParams::new()
            .power_iterations(MAX_POWER_ITERATIONS + 1)
            .check()
            .expect_err("rejected");
        assert_eq!(e, ReduceParamError::PowerIterations(11));
    }

    #[test]
    fn an_eigendecomposition_failure_is_its_own_variant() {
        let e = Error::from(ReduceError::from(LinalgError::NotSquare {
            rows: 2,
            cols: 3,
        }));
        assert!(matches!(e, Error::Reduce(ReduceError::Eigen(_))), "{e:?}");
        assert_eq!(e.exit_code(), 2);
        let text = format!("{:#}", anyhow::Error::from(e));
        assert!(text.starts_with("eigendecomposition failed: "), "{text}");
    }
}
