//! Cluster parameters: how many patterns to look for, and the settings of every fit.
//!
//! In: the values the CLI resolved (`ClusterParams`, unchecked, with defaults). Out:
//! `CheckedClusterParams`, which `check` returns only when every value is usable.
//! Invariant: fitting (`cluster`, `guided::cluster`) takes checked parameters only.

use crate::error::{Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

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
