//! The timeline stage's errors.
//!
//! In: a rejected period or trend parameter (`PeriodParams::check`, `TrendParams::check`), a
//! `--review` period the log does not cover (`check_review`, `trends`), or a failure of polars'
//! group-by inside `build`. Out: `TimelineParamError`, one variant per rejected value, and
//! `TimelineError`, the stage's error, which `crate::error::Error::Timeline` carries (exit code
//! 2).
//! Invariant: the messages are what the CLI shows after `error: `, so a parameter's message
//! names the flag or the threshold and the value given; with its cause chain printed (`{:#}`) a
//! parameter reads as `invalid parameter: <message>`, as every other rejected flag does.

use crate::error::Error;
use polars::prelude::PolarsError;

/// A period or trend parameter the timeline refuses: one variant per rejected value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimelineParamError {
    #[error("--fiscal-year-start must be a month 1..=12, got {0}")]
    FiscalYearStart(u32),
    #[error("trend: the recent part must hold at least one period")]
    NoRecentPeriods,
    #[error("trend: the minimum number of entries must be at least 1")]
    NoMinEntries,
    #[error("trend: a recurring pattern must span at least 1 period")]
    NoRecurringPeriods,
    #[error("trend: the rise ratio must be above 1, got {0}")]
    RiseRatio(f64),
    #[error("trend: the fade ratio must be between 0 and 1, got {0}")]
    FadeRatio(f64),
    #[error("trend: the significance level must be between 0 and 0.5, got {0}")]
    Significance(f64),
    #[error("trend: the stray level must be above 0 and below the fade ratio, got {0}")]
    StrayLevel(f64),
    /// `--review` on a log (or a `--since`/`--until` window) with no dated entries.
    #[error("--review {review}: the log has no dated entries (in the --since/--until window)")]
    ReviewUndated { review: String },
    /// `--review` before the first or after the last period of the log.
    #[error("--review {review}: outside the log, whose entries run from {first} to {last}")]
    ReviewOutside {
        review: String,
        first: String,
        last: String,
    },
}

/// Everything that stops the timeline stage.
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    /// A rejected parameter (its message inline, so `{}` alone says what was wrong).
    #[error("invalid parameter: {0}")]
    Params(TimelineParamError),
    /// polars' group-by failed while counting entries per pattern and period (its error is
    /// the cause).
    #[error("aggregation failed")]
    Aggregation(#[from] PolarsError),
}

impl From<TimelineParamError> for TimelineError {
    fn from(e: TimelineParamError) -> Self {
        TimelineError::Params(e)
    }
}

impl From<TimelineParamError> for Error {
    fn from(e: TimelineParamError) -> Self {
        Error::Timeline(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(e: Error) -> String {
        format!("{:#}", anyhow::Error::from(e))
    }

    #[test]
    fn a_parameter_reads_as_before_and_exits_2() {
        let e = Error::from(TimelineParamError::FiscalYearStart(13));
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            shown(e),
            "invalid parameter: --fiscal-year-start must be a month 1..=12, got 13"
        );
    }

    #[test]
    fn a_polars_failure_is_its_own_variant_with_polars_as_cause() {
        let polars = PolarsError::ComputeError("boom".into());
        let e = Error::from(TimelineError::from(polars));
        assert!(
            matches!(e, Error::Timeline(TimelineError::Aggregation(_))),
            "{e:?}"
        );
        assert_eq!(e.exit_code(), 2);
        let text = shown(e);
        assert!(text.starts_with("aggregation failed: "), "{text}");
        assert!(text.contains("boom"), "{text}");
    }
}
