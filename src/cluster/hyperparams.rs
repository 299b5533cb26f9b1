//! Cluster parameters: how many patterns to look for, and the settings of every fit.
//!
//! In: the values the CLI resolved, set on `ClusterParams` (unchecked, with defaults) by its
//! builder setters. Out: `CheckedClusterParams`, which `check` returns only when every value is
//! usable, and which has getters only; a rejected value is one `ClusterParamError` variant.
//! Invariant: fitting (`cluster`, `guided::cluster`) takes checked parameters only, so no fit
//! ever sees a value `check` would refuse. The layout is linfa's `ParamGuard`: the unchecked
//! type wraps the checked one, so the two cannot drift apart.

use super::errors::ClusterParamError;

/// How many patterns to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KChoice {
    Auto,
    Fixed(usize),
}

/// Most patterns `--patterns` may ask for.
pub const MAX_PATTERNS: usize = 1000;
/// Fewest entries the fit and the choice of k may be limited to.
pub const MIN_SAMPLE: usize = 10;

/// Validated settings: private fields, getters only (see `ClusterParams::check`).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedClusterParams {
    k: KChoice,
    seed: u64,
    n_runs: usize,
    max_iterations: u64,
    fit_sample: usize,
    eval_sample: usize,
    k_max: usize,
    outliers: bool,
    outlier_similarity: f64,
    min_silhouette: f64,
    min_stability: f64,
}

/// Unchecked settings: `ClusterParams::new()` (the defaults), builder setters, then `check`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterParams(CheckedClusterParams);

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams(CheckedClusterParams {
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
        })
    }
}

impl ClusterParams {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many patterns to look for: `Auto` or `Fixed(1..=MAX_PATTERNS)`.
    pub fn k(mut self, k: KChoice) -> Self {
        self.0.k = k;
        self
    }

    /// Seed of every random choice (quick fits, linfa's generator, the stability splits).
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }

    /// Quick fits the final fit starts from the best of (at least 1).
    pub fn n_runs(mut self, n_runs: usize) -> Self {
        self.0.n_runs = n_runs;
        self
    }

    /// Most iterations of linfa's k-means (at least 1).
    pub fn max_iterations(mut self, max_iterations: u64) -> Self {
        self.0.max_iterations = max_iterations;
        self
    }

    /// Most entries the final fit runs on (at least `MIN_SAMPLE`).
    pub fn fit_sample(mut self, fit_sample: usize) -> Self {
        self.0.fit_sample = fit_sample;
        self
    }

    /// Most entries the choice of k runs on (at least `MIN_SAMPLE`).
    pub fn eval_sample(mut self, eval_sample: usize) -> Self {
        self.0.eval_sample = eval_sample;
        self
    }

    /// Largest k the choice of k tries (at least 2).
    pub fn k_max(mut self, k_max: usize) -> Self {
        self.0.k_max = k_max;
        self
    }

    /// Send entries far from every centre to pattern 0.
    pub fn outliers(mut self, outliers: bool) -> Self {
        self.0.outliers = outliers;
        self
    }

    /// Below this cosine similarity to its centre an entry has no clear pattern (in [0, 1)).
    pub fn outlier_similarity(mut self, outlier_similarity: f64) -> Self {
        self.0.outlier_similarity = outlier_similarity;
        self
    }

    /// Below this mean silhouette (at the chosen k) the log has no clear structure (in
    /// [-1, 1], the silhouette's range).
    pub fn min_silhouette(mut self, min_silhouette: f64) -> Self {
        self.0.min_silhouette = min_silhouette;
        self
    }

    /// Below this stability (at the chosen k) the log has no clear structure (in [0, 1]: 0 is
    /// the agreement of chance, 1 the same labels in every resample).
    pub fn min_stability(mut self, min_stability: f64) -> Self {
        self.0.min_stability = min_stability;
        self
    }

    /// Validates every value; the first rejected one is the error.
    pub fn check(self) -> Result<CheckedClusterParams, ClusterParamError> {
        self.check_ref()?;
        Ok(self.0)
    }

    /// As `check`, by reference.
    pub fn check_ref(&self) -> Result<&CheckedClusterParams, ClusterParamError> {
        let p = &self.0;
        if let KChoice::Fixed(k) = p.k {
            if !(1..=MAX_PATTERNS).contains(&k) {
                return Err(ClusterParamError::PatternsOutOfRange { k });
            }
        }
        if p.n_runs == 0 {
            return Err(ClusterParamError::NoRuns);
        }
        if p.max_iterations == 0 {
            return Err(ClusterParamError::NoIterations);
        }
        if p.fit_sample < MIN_SAMPLE {
            return Err(ClusterParamError::FitSample(p.fit_sample));
        }
        if p.eval_sample < MIN_SAMPLE {
            return Err(ClusterParamError::EvalSample(p.eval_sample));
        }
        if p.k_max < 2 {
            return Err(ClusterParamError::KMax(p.k_max));
        }
        if !(0.0..1.0).contains(&p.outlier_similarity) {
            return Err(ClusterParamError::OutlierSimilarity(p.outlier_similarity));
        }
        if !(-1.0..=1.0).contains(&p.min_silhouette) {
            return Err(ClusterParamError::MinSilhouette(p.min_silhouette));
        }
        if !(0.0..=1.0).contains(&p.min_stability) {
            return Err(ClusterParamError::MinStability(p.min_stability));
        }
        Ok(p)
    }
}

impl CheckedClusterParams {
    pub fn k(&self) -> KChoice {
        self.k
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn n_runs(&self) -> usize {
        self.n_runs
    }
    pub fn max_iterations(&self) -> u64 {
        self.max_iterations
    }
    pub fn fit_sample(&self) -> usize {
        self.fit_sample
    }
    pub fn eval_sample(&self) -> usize {
        self.eval_sample
    }
    pub fn k_max(&self) -> usize {
        self.k_max
    }
    pub fn outliers(&self) -> bool {
        self.outliers
    }
    pub fn outlier_similarity(&self) -> f64 {
        self.outlier_similarity
    }
    pub fn min_silhouette(&self) -> f64 {
        self.min_silhouette
    }
    pub fn min_stability(&self) -> f64 {
        self.min_stability
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(p: ClusterParams) -> ClusterParamError {
        p.check().expect_err("rejected")
    }

    #[test]
    fn defaults_pass() {
        let p = ClusterParams::new().check().unwrap();
        assert_eq!(p.k(), KChoice::Auto);
        assert_eq!((p.seed(), p.n_runs(), p.k_max()), (42, 10, 20));
        let fixed = ClusterParams::new().k(KChoice::Fixed(MAX_PATTERNS)).seed(7);
        assert_eq!(fixed.check_ref().unwrap().seed(), 7);
        assert_eq!(fixed.check().unwrap().k(), KChoice::Fixed(MAX_PATTERNS));
    }

    #[test]
    fn rejects_patterns_out_of_range() {
        for k in [0, MAX_PATTERNS + 1] {
            let e = rejected(ClusterParams::new().k(KChoice::Fixed(k)));
            assert!(
                matches!(e, ClusterParamError::PatternsOutOfRange { k: got } if got == k),
                "{e:?}"
            );
        }
        assert_eq!(
            rejected(ClusterParams::new().k(KChoice::Fixed(0))).to_string(),
            "--patterns must be between 1 and 1000, got 0"
        );
    }

    #[test]
    fn rejects_no_runs() {
        let e = rejected(ClusterParams::new().n_runs(0));
        assert!(matches!(e, ClusterParamError::NoRuns), "{e:?}");
    }

    #[test]
    fn rejects_no_iterations() {
        let e = rejected(ClusterParams::new().max_iterations(0));
        assert!(matches!(e, ClusterParamError::NoIterations), "{e:?}");
    }

    #[test]
    fn rejects_a_small_fit_sample() {
        let e = rejected(ClusterParams::new().fit_sample(MIN_SAMPLE - 1));
        assert!(matches!(e, ClusterParamError::FitSample(9)), "{e:?}");
    }

    #[test]
    fn rejects_a_small_eval_sample() {
        let e = rejected(ClusterParams::new().eval_sample(0));
        assert!(matches!(e, ClusterParamError::EvalSample(0)), "{e:?}");
    }

    #[test]
    fn rejects_k_max_below_two() {
        let e = rejected(ClusterParams::new().k_max(1));
        assert!(matches!(e, ClusterParamError::KMax(1)), "{e:?}");
    }

    #[test]
    fn rejects_outlier_similarity_outside_0_1() {
        for s in [1.0, -0.1, f64::NAN] {
            let e = rejected(ClusterParams::new().outlier_similarity(s));
            assert!(
                matches!(e, ClusterParamError::OutlierSimilarity(_)),
                "{s}: {e:?}"
            );
        }
    }

    #[test]
    fn rejects_min_silhouette_outside_its_range() {
        for s in [1.5, -1.01, f64::NAN] {
            let e = rejected(ClusterParams::new().min_silhouette(s));
            assert!(
                matches!(e, ClusterParamError::MinSilhouette(_)),
                "{s}: {e:?}"
            );
        }
    }

    #[test]
    fn rejects_min_stability_outside_0_1() {
        for s in [1.01, -0.5, f64::NAN] {
            let e = rejected(ClusterParams::new().min_stability(s));
            assert!(
                matches!(e, ClusterParamError::MinStability(_)),
                "{s}: {e:?}"
            );
        }
    }
}
