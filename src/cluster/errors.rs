//! The cluster stage's errors.
//!
//! In: a rejected parameter (`ClusterParams::check`) or a failure of linfa's k-means inside the
//! final fit. Out: `ClusterParamError`, one variant per rejected value, and `ClusterError`, the
//! stage's error, which `crate::error::Error::Cluster` carries (exit code 2).
//! Invariant: the messages are what the CLI shows after `error: `, so a parameter's message
//! names the flag or the setting and the value given; with its cause chain printed (`{:#}`) a
//! parameter reads as `invalid parameter: <message>`, as every other rejected flag does.

use crate::error::Error;
use linfa_clustering::KMeansError;

/// A cluster parameter `check` refuses: one variant per rejected value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClusterParamError {
    #[error("--patterns must be between 1 and {max}, got {k}", max = super::hyperparams::MAX_PATTERNS)]
    PatternsOutOfRange { k: usize },
    #[error("n_runs must be at least 1")]
    NoRuns,
    #[error("max_iterations must be at least 1")]
    NoIterations,
    #[error("the fit sample must hold at least {min} entries, got {0}", min = super::hyperparams::MIN_SAMPLE)]
    FitSample(usize),
    #[error("the evaluation sample must hold at least {min} entries, got {0}", min = super::hyperparams::MIN_SAMPLE)]
    EvalSample(usize),
    #[error("k_max must be at least 2, got {0}")]
    KMax(usize),
    #[error("outlier similarity must be in [0, 1), got {0}")]
    OutlierSimilarity(f64),
    #[error("min_silhouette must be between -1 and 1, got {0}")]
    MinSilhouette(f64),
    #[error("min_stability must be between 0 and 1, got {0}")]
    MinStability(f64),
}

/// Everything that stops the cluster stage.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A rejected parameter (its message inline, so `{}` alone says what was wrong).
    #[error("invalid parameter: {0}")]
    Params(ClusterParamError),
    /// linfa's k-means failed inside the final fit (its error is the cause).
    #[error("k-means failed")]
    KMeans(#[from] KMeansError),
}

impl From<ClusterParamError> for ClusterError {
    fn from(e: ClusterParamError) -> Self {
        ClusterError::Params(e)
    }
}

impl From<ClusterParamError> for Error {
    fn from(e: ClusterParamError) -> Self {
        Error::Cluster(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `recur` prints after `error: ` (main prints the cause chain with `{:#}`).
    fn shown(e: Error) -> String {
        format!("{:#}", anyhow::Error::from(e))
    }

    #[test]
    fn a_parameter_reads_as_before_and_exits_2() {
        let e = Error::from(ClusterParamError::PatternsOutOfRange { k: 0 });
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            shown(e),
            "invalid parameter: --patterns must be between 1 and 1000, got 0"
        );
    }

    #[test]
    fn a_linfa_failure_is_its_own_variant_with_linfa_as_cause() {
        let e = Error::from(ClusterError::from(KMeansError::InertiaError));
        assert!(
            matches!(
                e,
                Error::Cluster(ClusterError::KMeans(KMeansError::InertiaError))
            ),
            "{e:?}"
        );
        assert_eq!(e.exit_code(), 2);
        let text = shown(e);
        assert!(text.starts_with("k-means failed: "), "{text}");
        assert!(text.contains("inertia"), "{text}");
    }
}
