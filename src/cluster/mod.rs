//! Cluster: dense entry vectors → patterns (k-means with linfa).
//!
//! In: `Vectors`, the fitted `Projection`, an order-free sample of rows and checked
//! `ClusterParams`. Out: `Clustering` — for every entry a pattern id (1..=k numbered by size,
//! largest first; 0 = "no clear pattern") and its cosine similarity to its pattern's centre.
//! How: rows are projected and L2-normalized, so Euclidean k-means behaves like cosine
//! (spherical) k-means. With `auto`, k is the smallest one whose split-half stability is within
//! `TOLERANCE` of the best over 2..=k_max (many small f32 fits from `quick`, on at most
//! `eval_sample` entries and the leading `SWEEP_DIMS` dimensions); the mean silhouette of the
//! first stability fit's labels is kept as a check that there is any structure at all. Then
//! linfa's k-means, started from the best of `n_runs` quick fits, is fitted on at most
//! `fit_sample` entries and every entry is assigned to its nearest centre.
//! Invariants: labels ≤ k; results depend on the sample's content, never on row order or thread
//! count; entries with no usable terms are never used for fitting.
//!
//! The files, as linfa lays out its k-means:
//! - `hyperparams.rs`: `KChoice`, the unchecked `ClusterParams` and the checked ones.
//! - `errors.rs`: `ClusterParamError` (one variant per rejected value) and `ClusterError`.
//! - `select.rs`: the choice of k (split-half stability, silhouette) and its `KSelection`.
//! - `fit.rs`: the final fit (linfa's k-means from quick fits), `cluster` and `Clustering`.
//! - `assign.rs`: every entry to its centre (or to no clear pattern), and numbering by size.
//! - `quick.rs`: the fast f32 k-means kernel the others call (private to this module).
//! - `guided.rs`, `prior.rs`, `rule.rs`: the tendency-guided mode, the small-log prior, and the
//!   rule that places one entry (what a saved model keeps).
//!
//! This file only declares the modules and re-exports their public items.

mod assign;
mod errors;
mod fit;
pub mod guided;
mod hyperparams;
pub mod prior;
mod quick;
pub mod rule;
mod select;

pub use errors::{ClusterError, ClusterParamError};
pub use fit::{cluster, Clustering, Origin, Support};
pub use hyperparams::{CheckedClusterParams, ClusterParams, KChoice, MAX_PATTERNS, MIN_SAMPLE};
pub use rule::{AssignRule, ReaderUse};
pub use select::KSelection;
