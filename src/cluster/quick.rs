//! Quick spherical k-means in f32, for the many small fits of the k sweep and for seeding the
//! final linfa fit.
//!
//! In: unit-length rows (`Points`, row-major f32), k, restarts and a seed. Out: k unit-length
//! centres (`Points`), the best of the restarts by total cosine similarity.
//! How: k-means++ seeding on cosine distance, then Lloyd steps (assign each row to the centre
//! with the largest dot product, re-centre, renormalize) until no label changes.
//! Invariants: deterministic for the same rows, k and seed, in any number of threads (restarts
//! run in parallel, each with its own seeded generator and a fixed summation order); cost per
//! Lloyd step is rows × dims × k; centres with no rows keep their last value.

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
#[inline]
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
        Centres { k: c.n, d: c.d, t }
    }

    /// Index of the centre with the largest dot product with `x`, and that dot product.
    #[inline]
    pub fn nearest(&self, x: &[f32]) -> (usize, f32) {
        let mut best = (0, f32::NEG_INFINITY);
        for (b, block) in self.t.chunks_exact(self.d * 8).enumerate() {
            // Four independent running sums (dimensions taken four at a time), so the adds do
            // not wait on each other; combined in a fixed order at the end.
            let mut acc = [[0.0f32; 8]; 4];
            let d = x.len();
            let col = |dim: usize| -> &[f32; 8] {
                block[dim * 8..dim * 8 + 8].try_into().expect("8 lanes")
            };
            let mut dim = 0;
            while dim + 4 <= d {
                for (j, a) in acc.iter_mut().enumerate() {
                    let (v, c) = (x[dim + j], col(dim + j));
                    for l in 0..8 {
                        a[l] += v * c[l];
                    }
                }
                dim += 4;
            }
            while dim < d {
                let (v, c) = (x[dim], col(dim));
                for l in 0..8 {
                    acc[0][l] += v * c[l];
                }
                dim += 1;
            }
            let mut sum = [0.0f32; 8];
            for l in 0..8 {
                sum[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
            }
            let acc = sum;
            let lanes = (self.k - b * 8).min(8);
            for (l, &s) in acc[..lanes].iter().enumerate() {
                if s > best.1 {
                    best = (b * 8 + l, s);
                }
            }
        }
        best
    }
}

/// Each row's nearest centre.
pub fn assign(x: &Points, centres: &Points) -> Vec<usize> {
    let c = Centres::new(centres);
    (0..x.n).map(|i| c.nearest(x.row(i)).0).collect()
}

/// k-means++ seeding on cosine distance.
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
    // Restarts run in parallel, each with its own generator; the best score wins, ties to the
    // earliest restart, so the result does not depend on the number of threads.
    let fits: Vec<(f64, Points)> = (0..runs.max(1))
        .into_par_iter()
        .map(|run| {
            let mut rng = Xoshiro256Plus::seed_from_u64(
                seed ^ ((k as u64) << 32) ^ (run as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            lloyd(x, seed_centres(x, k, &mut rng))
        })
        .collect();
    fits.into_iter()
        .reduce(|best, fit| if fit.0 > best.0 { fit } else { best })
        .map(|(_, c)| c)
        .expect("at least one run")
}

/// Lloyd steps from the given centres until no label changes (at most 50); returns the total
/// similarity of the last assignment and the centres.
fn lloyd(x: &Points, mut centres: Points) -> (f64, Points) {
    let k = centres.n;
    let mut sums = vec![0.0f64; k * x.d];
    let mut labels = vec![usize::MAX; x.n];
    let mut score = 0.0;
    for _ in 0..50 {
        let mut changed = false;
        score = 0.0;
        sums.iter_mut().for_each(|s| *s = 0.0);
        let scorer = Centres::new(&centres);
        for (i, label) in labels.iter_mut().enumerate() {
            let row = x.row(i);
            let (j, s) = scorer.nearest(row);
            score += f64::from(s);
            if *label != j {
                *label = j;
                changed = true;
            }
            for (acc, &v) in sums[j * x.d..(j + 1) * x.d].iter_mut().zip(row) {
                *acc += f64::from(v);
            }
        }
        if !changed {
            break;
        }
        for j in 0..k {
            let s = &sums[j * x.d..(j + 1) * x.d];
            let norm = s.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 1e-12 {
                for (c, &v) in centres.row_mut(j).iter_mut().zip(s) {
                    *c = (v / norm) as f32;
                }
            }
        }
    }
    (score, centres)
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
