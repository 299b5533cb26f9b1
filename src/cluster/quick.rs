//! Quick spherical k-means in f32, for the many small fits of the k sweep and for seeding the
//! final linfa fit.
//!
//! In: unit-length rows (`Points`, row-major f32), k, restarts and a seed. Out: k unit-length
//! centres (`Points`), the best of the restarts by total cosine similarity, and with
//! `kmeans_labelled` each row's centre.
//! How: k-means++ seeding on cosine distance, then Lloyd steps (assign each row to the centre
//! with the largest dot product, re-centre, renormalize) until no label changes. Hamerly's
//! distance bounds skip the rows that cannot change pattern, and the hot loop is compiled for
//! AVX when the CPU has it (chosen at run time; the same operations, so the same results).
//! Invariants: deterministic for the same rows, k and seed, in any number of threads (restarts
//! run in parallel, each with its own seeded generator and a fixed summation order); cost per
//! Lloyd step is rows × dims × k; centres with no rows keep their last value.
//!
//! This is the fast kernel of the cluster stage, and private on purpose (`mod quick`, not
//! `pub mod`): its f32 arithmetic, fixed summation order and run-time AVX choice are what keep
//! the k sweep cheap and every result identical across machines and thread counts, so only the
//! stage's own files (`select`, `fit`, `guided`) call it, with rows they have already made unit
//! length. Nothing outside `cluster` may depend on its signatures or its numbers; what it
//! guarantees to them is the invariants above: the same rows, k, restarts and seed give the
//! same centres and labels, bit for bit.

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;
use rayon::prelude::*;

/// Dense rows in f32, row-major.
#[derive(Debug, Clone)]
pub struct Points {
    pub n: usize,
    pub d: usize,
    pub data: Vec<f32>,
}

impl Points {
    /// The first `rows` rows and `cols` columns of `x`, each row rescaled to unit length.
    pub fn unit_rows(x: &Array2<f64>, rows: usize, cols: usize) -> Points {
        let (n, d) = (rows.min(x.nrows()), cols.min(x.ncols()));
        let mut data = Vec::with_capacity(n * d);
        for r in 0..n {
            let row = x.row(r);
            let norm = row
                .iter()
                .take(d)
                .map(|v| v * v)
                .sum::<f64>()
                .sqrt()
                .max(1e-12);
            data.extend(row.iter().take(d).map(|v| (v / norm) as f32));
        }
        Points { n, d, data }
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.d..(i + 1) * self.d]
    }

    fn row_mut(&mut self, i: usize) -> &mut [f32] {
        &mut self.data[i * self.d..(i + 1) * self.d]
    }

    /// The given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> Points {
        let mut data = Vec::with_capacity(rows.len() * self.d);
        for &r in rows {
            data.extend_from_slice(self.row(r));
        }
        Points {
            n: rows.len(),
            d: self.d,
            data,
        }
    }

    pub fn to_array(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.n, self.d), |(i, j)| {
            f64::from(self.data[i * self.d + j])
        })
    }
}

/// Dot product with eight independent partial sums, so it vectorizes (f32 addition is not
/// associative, so a plain fold would not).
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Centres laid out for scoring: in blocks of 8 centres, each block stored dimension by
/// dimension (`t[(block * dims + dim) * 8 + lane]`), so one row's dot products with 8 centres
/// are 8 running sums kept in registers, with no horizontal sums.
pub struct Centres {
    k: usize,
    d: usize,
    t: Vec<f32>,
    /// Per block, added to its 8 dot products: 0 for a centre, −∞ for a lane past the last
    /// one (an add in registers; writing −∞ into the lanes one by one cost a store-forwarding
    /// stall on every scored row).
    pad: Vec<[f32; 8]>,
}

impl Centres {
    pub fn new(c: &Points) -> Centres {
        let blocks = c.n.div_ceil(8);
        let mut t = vec![0.0f32; blocks * c.d * 8];
        for j in 0..c.n {
            let (b, lane) = (j / 8, j % 8);
            for (dim, &v) in c.row(j).iter().enumerate() {
                t[(b * c.d + dim) * 8 + lane] = v;
            }
        }
        let pad = (0..blocks)
            .map(|b| {
                std::array::from_fn(|l| {
                    if b * 8 + l < c.n {
                        0.0
                    } else {
                        f32::NEG_INFINITY
                    }
                })
            })
            .collect();
        Centres {
            k: c.n,
            d: c.d,
            t,
            pad,
        }
    }

    /// Dot products of `x` with the 8 centres of `block` (lanes past the last centre hold −∞).
    #[inline(always)]
    fn block_dots(&self, b: usize, x: &[f32]) -> [f32; 8] {
        let block = &self.t[b * self.d * 8..(b + 1) * self.d * 8];
        // Dimensions four at a time, then the rest one at a time.
        let (x4, x1) = x.split_at(x.len() - x.len() % 4);
        let (c4, c1) = block.split_at(x4.len() * 8);
        // Four independent running sums (one per dimension of each group of four), so the adds
        // do not wait on each other; combined in a fixed order at the end.
        let mut acc = [[0.0f32; 8]; 4];
        for (xs, cs) in x4.chunks_exact(4).zip(c4.chunks_exact(32)) {
            let xs: &[f32; 4] = xs.try_into().expect("4 dimensions");
            let cs: &[f32; 32] = cs.try_into().expect("4 × 8 lanes");
            for (j, a) in acc.iter_mut().enumerate() {
                for l in 0..8 {
                    a[l] += xs[j] * cs[j * 8 + l];
                }
            }
        }
        for (&v, cs) in x1.iter().zip(c1.chunks_exact(8)) {
            for l in 0..8 {
                acc[0][l] += v * cs[l];
            }
        }
        let pad = &self.pad[b];
        let mut sum = [0.0f32; 8];
        for l in 0..8 {
            sum[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]) + pad[l];
        }
        sum
    }

    /// Index of the centre with the largest dot product with `x`, and that dot product (ties go
    /// to the lower index).
    #[inline(always)]
    pub fn nearest(&self, x: &[f32]) -> (usize, f32) {
        let mut best = (0, f32::NEG_INFINITY);
        for b in 0..self.k.div_ceil(8) {
            let dots = self.block_dots(b, x);
            let m = max8(&dots);
            if m > best.1 {
                best = (b * 8 + first_lane(&dots, m), m);
            }
        }
        best
    }

    /// Like `nearest`, plus the second largest dot product (−∞ with one centre).
    #[inline(always)]
    fn nearest2(&self, x: &[f32]) -> (usize, f32, f32) {
        let (mut best, mut second) = ((0, f32::NEG_INFINITY), f32::NEG_INFINITY);
        for b in 0..self.k.div_ceil(8) {
            let mut dots = self.block_dots(b, x);
            let m = max8(&dots);
            let lane = first_lane(&dots, m);
            dots[lane] = f32::NEG_INFINITY;
            let m2 = max8(&dots);
            if m > best.1 {
                second = best.1.max(m2);
                best = (b * 8 + lane, m);
            } else {
                second = second.max(m);
            }
        }
        (best.0, best.1, second)
    }
}

/// The largest of 8 values, by a tree of maxima (no chain of compare-and-branch).
#[inline(always)]
fn max8(v: &[f32; 8]) -> f32 {
    let h: [f32; 4] = std::array::from_fn(|l| v[l].max(v[l + 4]));
    (h[0].max(h[2])).max(h[1].max(h[3]))
}

/// The first lane holding `m` (0 if none does, e.g. all NaN).
#[inline(always)]
fn first_lane(v: &[f32; 8], m: f32) -> usize {
    v.iter().position(|&s| s == m).unwrap_or(0)
}

/// k-means++ seeding on cosine distance.
#[inline(always)]
fn seed_centres(x: &Points, k: usize, rng: &mut Xoshiro256Plus) -> Points {
    let n = x.n;
    let mut centres = Points {
        n: k,
        d: x.d,
        data: vec![0.0; k * x.d],
    };
    centres
        .row_mut(0)
        .copy_from_slice(x.row(rng.gen_range(0..n)));
    let mut d2 = vec![f64::INFINITY; n];
    for c in 1..k {
        let mut total = 0.0;
        for (i, slot) in d2.iter_mut().enumerate() {
            let d = f64::from((1.0 - dot(x.row(i), centres.row(c - 1))).max(0.0));
            *slot = slot.min(d * d);
            total += *slot;
        }
        let mut target = rng.gen_range(0.0..total.max(1e-300));
        let mut pick = n - 1;
        for (i, &d) in d2.iter().enumerate() {
            if target < d {
                pick = i;
                break;
            }
            target -= d;
        }
        let row = x.row(pick).to_vec();
        centres.row_mut(c).copy_from_slice(&row);
    }
    centres
}

/// Spherical k-means, best of `runs` restarts; see the module header.
pub fn kmeans(x: &Points, k: usize, runs: usize, seed: u64) -> Points {
    kmeans_labelled(x, k, runs, seed).0
}

/// `kmeans`, plus each row's centre (the nearest one).
pub fn kmeans_labelled(x: &Points, k: usize, runs: usize, seed: u64) -> (Points, Vec<usize>) {
    // Restarts run in parallel, each with its own generator; the best score wins, ties to the
    // earliest restart, so the result does not depend on the number of threads.
    let fits: Vec<Fit> = (0..runs.max(1))
        .into_par_iter()
        .map(|run| {
            let mut rng = Xoshiro256Plus::seed_from_u64(
                seed ^ ((k as u64) << 32) ^ (run as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            fit(x, k, &mut rng)
        })
        .collect();
    fits.into_iter()
        .reduce(|best, fit| if fit.score > best.score { fit } else { best })
        .map(|f| (f.centres, f.labels))
        .expect("at least one run")
}

/// One k-means fit: its total similarity, its centres, and each row's centre.
struct Fit {
    score: f64,
    centres: Points,
    labels: Vec<usize>,
}

/// One restart: k-means++ seeding, then Lloyd steps until no label changes (at most 50);
/// returns the total similarity of the last assignment and the centres.
fn fit(x: &Points, k: usize, rng: &mut Xoshiro256Plus) -> Fit {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        return unsafe { fit_avx(x, k, rng) };
    }
    lloyd_any(x, seed_centres(x, k, rng))
}

/// `fit` compiled for AVX: the same operations in the same order, in 8-wide registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn fit_avx(x: &Points, k: usize, rng: &mut Xoshiro256Plus) -> Fit {
    lloyd_any(x, seed_centres(x, k, rng))
}

/// Each row's nearest centre.
pub fn assign(x: &Points, centres: &Points) -> Vec<usize> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        return unsafe { assign_avx(x, centres) };
    }
    assign_any(x, centres)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn assign_avx(x: &Points, centres: &Points) -> Vec<usize> {
    assign_any(x, centres)
}

#[inline(always)]
fn assign_any(x: &Points, centres: &Points) -> Vec<usize> {
    let c = Centres::new(centres);
    (0..x.n).map(|i| c.nearest(x.row(i)).0).collect()
}

/// Distance between unit vectors with dot product `s`.
#[inline(always)]
fn dist(s: f32) -> f32 {
    (2.0 - 2.0 * s).max(0.0).sqrt()
}

/// Slack on the distance bounds for f32 rounding: a row is rescanned unless its bounds are
/// clearly apart.
const BOUND_SLACK: f32 = 1e-4;

/// Lloyd's algorithm with Hamerly's bounds: each row keeps an upper bound on its distance to
/// its own centre and a lower bound on its distance to every other one. When the centres move,
/// the bounds move by how far the centres did; a row whose bounds stay apart cannot change
/// pattern and is not rescored. Same labels as plain Lloyd (up to ties within `BOUND_SLACK`).
#[inline(always)]
fn lloyd_any(x: &Points, mut centres: Points) -> Fit {
    let (k, d) = (centres.n, x.d);
    let mut sums = vec![0.0f64; k * d];
    let mut size = vec![0usize; k];
    let mut labels = vec![0usize; x.n];
    let mut upper = vec![0.0f32; x.n];
    let mut lower = vec![0.0f32; x.n];
    let add = |sums: &mut [f64], j: usize, row: &[f32], sign: f64| {
        for (acc, &v) in sums[j * d..(j + 1) * d].iter_mut().zip(row) {
            *acc += sign * f64::from(v);
        }
    };
    // First assignment: every row against every centre.
    let scorer = Centres::new(&centres);
    for i in 0..x.n {
        let row = x.row(i);
        let (j, s1, s2) = scorer.nearest2(row);
        (labels[i], upper[i], lower[i]) = (j, dist(s1), dist(s2));
        size[j] += 1;
        add(&mut sums, j, row, 1.0);
    }
    let mut drift = vec![0.0f32; k];
    for _ in 1..50 {
        // Move each centre to its rows' normalized sum and record how far it moved.
        let old = centres.clone();
        recentre(&mut centres, &sums, &size);
        for (j, m) in drift.iter_mut().enumerate() {
            let moved: f32 = old
                .row(j)
                .iter()
                .zip(centres.row(j))
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            *m = moved.sqrt();
        }
        // The largest drift, and the largest among the other centres for that one's rows.
        let far = (0..k).fold(0, |f, j| if drift[j] > drift[f] { j } else { f });
        let far2 = (0..k)
            .filter(|&j| j != far)
            .map(|j| drift[j])
            .fold(0.0f32, f32::max);
        let scorer = Centres::new(&centres);
        let mut changed = false;
        for i in 0..x.n {
            let a = labels[i];
            upper[i] += drift[a];
            lower[i] -= if a == far { far2 } else { drift[far] };
            if upper[i] + BOUND_SLACK < lower[i] {
                continue;
            }
            let row = x.row(i);
            upper[i] = dist(dot(row, centres.row(a)));
            if upper[i] + BOUND_SLACK < lower[i] {
                continue;
            }
            let (j, s1, s2) = scorer.nearest2(row);
            (upper[i], lower[i]) = (dist(s1), dist(s2));
            if j != a {
                labels[i] = j;
                size[a] -= 1;
                size[j] += 1;
                add(&mut sums, a, row, -1.0);
                add(&mut sums, j, row, 1.0);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // Total similarity of the rows to their centres: Σ_j c_j · (sum of pattern j's rows).
    let score = (0..k)
        .map(|j| {
            centres
                .row(j)
                .iter()
                .zip(&sums[j * d..(j + 1) * d])
                .map(|(&c, &s)| f64::from(c) * s)
                .sum::<f64>()
        })
        .sum();
    Fit {
        score,
        centres,
        labels,
    }
}

/// Each centre with rows becomes the unit-length mean direction of its rows; the others keep
/// their place.
fn recentre(centres: &mut Points, sums: &[f64], size: &[usize]) {
    let d = centres.d;
    for (j, &count) in size.iter().enumerate() {
        let s = &sums[j * d..(j + 1) * d];
        let norm = s.iter().map(|v| v * v).sum::<f64>().sqrt();
        if count > 0 && norm > 1e-12 {
            for (c, &v) in centres.row_mut(j).iter_mut().zip(s) {
                *c = (v / norm) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(rows: &[[f32; 3]]) -> Points {
        Points {
            n: rows.len(),
            d: 3,
            data: rows.iter().flatten().copied().collect(),
        }
    }

    #[test]
    fn dot_matches_the_plain_sum() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..37).map(|i| 1.0 - i as f32 * 0.01).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-3 * plain.abs());
    }

    /// Rows around `k_true` random directions, unit length.
    fn noisy_directions(n: usize, d: usize, k_true: usize, seed: u64) -> Points {
        let mut rng = Xoshiro256Plus::seed_from_u64(seed);
        let dirs: Vec<Vec<f32>> = (0..k_true)
            .map(|_| (0..d).map(|_| rng.gen_range(-1.0..1.0f32)).collect())
            .collect();
        let mut data = Vec::with_capacity(n * d);
        for i in 0..n {
            let row: Vec<f32> = dirs[i % k_true]
                .iter()
                .map(|v| v + rng.gen_range(-1.0..1.0f32))
                .collect();
            let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
            data.extend(row.iter().map(|v| v / norm));
        }
        Points { n, d, data }
    }

    #[test]
    fn converged_fit_is_a_fixed_point_of_plain_lloyd() {
        // With the bounds skipping rows, the result must still be what plain Lloyd converges
        // to: every centre is the normalized mean of the rows nearest to it, and the score is
        // the rows' total similarity to their nearest centre.
        for (k, d, seed) in [(3, 5, 1), (8, 32, 2), (13, 32, 3), (20, 37, 4)] {
            let x = noisy_directions(600, d, 6, seed);
            let mut rng = Xoshiro256Plus::seed_from_u64(seed);
            let Fit {
                score, centres: c, ..
            } = fit(&x, k, &mut rng);
            let labels = assign(&x, &c);
            let mut want = 0.0f64;
            for j in 0..k {
                let mut sum = vec![0.0f64; d];
                for (i, _) in labels.iter().enumerate().filter(|(_, &l)| l == j) {
                    for (s, &v) in sum.iter_mut().zip(x.row(i)) {
                        *s += f64::from(v);
                    }
                }
                let norm = sum.iter().map(|v| v * v).sum::<f64>().sqrt();
                if norm > 0.0 {
                    for (s, &v) in sum.iter().zip(c.row(j)) {
                        assert!((s / norm - f64::from(v)).abs() < 1e-5, "k {k}: centre {j}");
                    }
                }
                want += norm;
            }
            assert!(
                (score - want).abs() < 1e-3 * want,
                "k {k}: {score} vs {want}"
            );
        }
    }

    #[test]
    fn nearest2_gives_the_two_largest_dot_products() {
        let x = noisy_directions(50, 11, 4, 9);
        let c = noisy_directions(19, 11, 19, 10);
        let scorer = Centres::new(&c);
        for i in 0..x.n {
            let mut dots: Vec<(f32, usize)> =
                (0..c.n).map(|j| (dot(x.row(i), c.row(j)), j)).collect();
            dots.sort_by(|a, b| b.0.total_cmp(&a.0));
            let (j, s1, s2) = scorer.nearest2(x.row(i));
            assert_eq!(j, dots[0].1);
            assert!((s1 - dots[0].0).abs() < 1e-5 && (s2 - dots[1].0).abs() < 1e-5);
            assert_eq!(scorer.nearest(x.row(i)).0, j);
        }
    }

    #[test]
    fn finds_two_separated_directions() {
        let x = points(&[
            [1.0, 0.0, 0.0],
            [0.99, 0.14, 0.0],
            [0.98, 0.0, 0.2],
            [0.0, 1.0, 0.0],
            [0.1, 0.99, 0.0],
            [0.0, 0.98, 0.2],
        ]);
        let c = kmeans(&x, 2, 3, 1);
        let labels = assign(&x, &c);
        assert_eq!(labels[0], labels[1]);
        assert_eq!(labels[1], labels[2]);
        assert_eq!(labels[3], labels[4]);
        assert_ne!(labels[0], labels[3]);
        for j in 0..2 {
            assert!((dot(c.row(j), c.row(j)) - 1.0).abs() < 1e-4);
        }
        // Same input and seed, same centres.
        assert_eq!(kmeans(&x, 2, 3, 1).data, c.data);
    }
}
