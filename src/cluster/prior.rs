//! Log prior: which tendencies a small log holds, read from all its entries' cues at once.
//!
//! In: every entry's cue scores per tendency (`Matcher::score`, the same numbers that make an
//! entry a seed), the rows to read (an order-free sample) and the log's size. Out: `Prior` —
//! the tendencies the log holds (each with its expected number of entries) and, for any entry,
//! the tendency its cues place it in under that prior (`Prior::place`).
//! Why: one person's log holds three to six tendencies, not eighteen. An entry's single best cue
//! is the right tendency only about half the time on logs written by other people
//! (benches/QUALITY.md), and its mistakes scatter over tendencies the log does not have. Reading
//! the log as a whole — a mixture whose weights say how common each tendency is in this log —
//! moves such an entry to the tendency of this log that its cues point to, as a reader who knows
//! the author's habits would.
//! How: expectation–maximisation over the mixture: an entry's weight on tendency t is
//! proportional to `prior[t] · exp(BETA · score[t])`, with a "no tendency" part worth
//! `exp(BETA · FLOOR)`; the prior is the tendencies' share of the weights. After `PRUNE_AFTER`
//! rounds the weakest tendency expected in fewer than `min_support` entries is dropped, one per
//! round, so the prior concentrates on the log's own tendencies. An entry is then placed in the
//! kept tendency with the highest `ln prior + BETA · score`, when its score there is at least
//! `FLOOR`.
//! Whether the log has tendencies at all is `has_structure`: many more entries holding a phrase
//! (a cue of two or more words) than the same words give shuffled within each field, with cue
//! scores somewhat more concentrated in entries than the shuffled words'; or cue scores clearly
//! more concentrated. A kept tendency holds at least `min_support` placed entries.
//! Invariants: the result depends only on the scores of `rows` taken in the given (order-free)
//! order, never on thread count; no randomness.

use crate::tendency::matcher::Mass;
use crate::text::Cues;
use crate::text::FIELD_WEIGHTS;

/// Logs up to this size are read with a prior: a person's or a small team's log, where word
/// statistics are thin. Larger logs keep the per-tendency seed rule (their own words have the
/// numbers to place entries, and a generated 2,000–11,000-entry trend log placed the one-off
/// mishaps worse with the prior).
pub const MAX_ENTRIES: usize = 1_000;
/// How sharply a cue's score decides (the mixture's inverse temperature).
pub const BETA: f64 = 2.0;
/// A score below this says nothing (the "no tendency" part's score). One hint in the lesson or
/// the behavioural change (0.35 × 0.7) is just above it: under the prior an entry chooses among
/// the log's own few tendencies, so a weak cue is enough (large logs, read without a prior, need
/// more than a lone hint: `guided::LEAN_MIN`). Was 0.3; 0.2 placed more entries rightly on the
/// seen hand-written logs (benches/QUALITY.md, stop 22).
pub const FLOOR: f64 = 0.2;
/// EM rounds.
const ROUNDS: usize = 30;
/// Rounds before tendencies start to be dropped (let the prior settle first).
const PRUNE_AFTER: usize = 5;
/// Score of a strong seed.
const STRONG: f64 = super::guided::STRONG_SCORE as f64;

/// The tendencies a log holds, and how common each is in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    /// Per tendency (list order), ln of its share; `None` when the log does not hold it.
    log_share: Vec<Option<f64>>,
}

/// Every entry's score per tendency, row-major (`n × t`).
pub struct Scores {
    pub t: usize,
    pub values: Vec<f32>,
}

impl Scores {
    /// The cue scores of every entry of `cues`.
    pub fn of(cues: &Cues) -> Scores {
        let t = cues.matcher.n_tendencies;
        let n = cues.matches.len();
        let mut values = Vec::with_capacity(n * t);
        let mut buf = Vec::new();
        for i in 0..n {
            cues.matcher
                .score(cues.found.doc(i), &FIELD_WEIGHTS, &mut buf);
            values.extend_from_slice(&buf);
        }
        Scores { t, values }
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.t..(i + 1) * self.t]
    }
}

/// The concentration of the log's cue scores (`matcher::Mass`) over the shuffled words' (1 when
/// no null was computed).
pub fn concentration_ratio(cues: &Cues, scores: &Scores) -> f64 {
    if cues.null_concentration <= 0.0 {
        return 1.0;
    }
    let mut mass = Mass::default();
    for i in 0..cues.matches.len() {
        mass.add(scores.row(i));
    }
    mass.concentration() / cues.null_concentration
}

/// Concentration ratio from which a log's cues are not chance (`has_structure`). On 224
/// shuffled-word copies of 22 hand-written logs the ratio reached at most 1.61 (a 20-entry log);
/// the development logs have 2.02–3.31 (benches/QUALITY.md).
pub const CONCENTRATION_RATIO: f64 = 1.8;
/// Concentration ratio a log with many phrases needs as well (`has_structure`): cue scores
/// somewhat more concentrated than the shuffled words'. Chosen with `PHRASE_SIGMAS` on 46
/// hand-written logs (all pass both: lowest ratio 1.31, lowest phrase excess 3.9 σ) and 225
/// shuffled-word copies of 22 of them (none passes both; the closest had 3.7 σ with ratio 1.21,
/// or ratio 1.25 with 2.1 σ).
pub const CONCENTRATION_FLOOR: f64 = 1.25;
/// Standard deviations (of a Poisson count) by which a log's entries with a phrase must exceed
/// the shuffled words' (`has_structure`).
pub const PHRASE_SIGMAS: f64 = 3.0;

/// Whether the cues of `rows` say any tendency more than chance: the entries with a phrase
/// exceed the shuffled words' (`null_phrases`, scaled to the rows read) by `PHRASE_SIGMAS`
/// standard deviations of a Poisson count and the cue scores are at least `CONCENTRATION_FLOOR`
/// times as concentrated as the shuffled words'; or they are at least `CONCENTRATION_RATIO`
/// times as concentrated (cues of one tendency keep company in the same entries).
pub fn has_structure(cues: &Cues, rows: &[usize], scores: &Scores) -> bool {
    let ratio = concentration_ratio(cues, scores);
    (phrase_excess(cues, rows) && ratio >= CONCENTRATION_FLOOR) || ratio >= CONCENTRATION_RATIO
}

/// Whether more entries of `rows` hold a phrase than the same words give shuffled
/// (`null_phrases`, scaled to the rows read), by two standard deviations of a Poisson count.
fn phrase_excess(cues: &Cues, rows: &[usize]) -> bool {
    let phrases = phrase_entries(cues, rows) as f64;
    let null = cues.null_phrases * rows.len() as f64 / cues.matches.len().max(1) as f64;
    phrases >= null + PHRASE_SIGMAS * null.max(1.0).sqrt()
}

/// Entries among `rows` with a phrase (a cue of two or more words, `Matcher::has_phrase`).
pub fn phrase_entries(cues: &Cues, rows: &[usize]) -> usize {
    rows.iter()
        .filter(|&&i| cues.matcher.has_phrase(cues.found.doc(i)))
        .count()
}

/// Strong seeds (of any tendency) among `rows`.
pub fn strong_seeds(cues: &Cues, rows: &[usize]) -> usize {
    rows.iter()
        .filter(|&&i| {
            let m = &cues.matches[i];
            m.confident().is_some() && f64::from(m.score) >= STRONG
        })
        .count()
}

impl Prior {
    /// Fits the prior on `rows` (see the module header). `min_support`: entries a tendency
    /// needs to be kept.
    pub fn fit(scores: &Scores, rows: &[usize], min_support: usize) -> Prior {
        let t = scores.t;
        let rows: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| scores.row(i).iter().any(|&s| s > 0.0))
            .collect();
        let mut active = vec![true; t];
        let mut share = vec![1.0 / t.max(1) as f64; t];
        let none = BETA * FLOOR - (t.max(1) as f64).ln();
        let mut logp = vec![0.0f64; t];
        for round in 0..ROUNDS {
            let mut count = vec![0.0f64; t];
            for &i in &rows {
                let s = scores.row(i);
                let mut top = none;
                for k in 0..t {
                    logp[k] = if active[k] {
                        share[k].max(1e-12).ln() + BETA * f64::from(s[k])
                    } else {
                        f64::NEG_INFINITY
                    };
                    top = top.max(logp[k]);
                }
                let mut total = (none - top).exp();
                for v in logp.iter_mut() {
                    *v = (*v - top).exp();
                    total += *v;
                }
                for k in 0..t {
                    count[k] += logp[k] / total;
                }
            }
            let sum: f64 = count.iter().sum();
            for k in 0..t {
                share[k] = if sum > 0.0 { count[k] / sum } else { 0.0 };
            }
            if round >= PRUNE_AFTER {
                // Entries each tendency would hold now (soft weights always fall a little short
                // of whole entries, so support is counted in entries placed).
                let now = Prior::of(&active, &share);
                let mut placed = vec![0usize; t];
                for &i in &rows {
                    if let Some(k) = now.place(scores.row(i)) {
                        placed[k] += 1;
                    }
                }
                let weakest = (0..t)
                    .filter(|&k| active[k] && placed[k] < min_support)
                    .min_by(|&a, &b| count[a].total_cmp(&count[b]).then(a.cmp(&b)));
                if let Some(k) = weakest {
                    active[k] = false;
                    share[k] = 0.0;
                }
            }
        }
        let mut prior = Prior::of(&active, &share);
        // A tendency is kept only when enough entries are placed in it.
        let mut placed = vec![0usize; t];
        for &i in &rows {
            if let Some(k) = prior.place(scores.row(i)) {
                placed[k] += 1;
            }
        }
        for (share, &n) in prior.log_share.iter_mut().zip(&placed) {
            if n < min_support {
                *share = None;
            }
        }
        prior
    }

    /// The prior of the active tendencies with these shares.
    fn of(active: &[bool], share: &[f64]) -> Prior {
        Prior {
            log_share: active
                .iter()
                .zip(share)
                .map(|(&a, &s)| (a && s > 0.0).then(|| s.ln()))
                .collect(),
        }
    }

    /// The pattern slot (`slot`: per tendency, `usize::MAX` for none) an entry with these
    /// scores goes to, if its cues place it in a kept tendency that has one.
    pub fn place_in(&self, s: &[f32], slot: &[usize]) -> Option<usize> {
        self.place(s)
            .and_then(|t| slot.get(t).copied())
            .filter(|&s| s != usize::MAX)
    }

    /// Per tendency (list order), ln of its share in the log, `None` when the log does not hold
    /// it: everything `place` reads (a saved model keeps it).
    pub fn log_shares(&self) -> &[Option<f64>] {
        &self.log_share
    }

    /// The prior with these shares (as `log_shares` gave them).
    pub fn from_log_shares(log_share: Vec<Option<f64>>) -> Prior {
        Prior { log_share }
    }

    /// The tendencies the log holds, in list order.
    pub fn tendencies(&self) -> impl Iterator<Item = usize> + '_ {
        self.log_share
            .iter()
            .enumerate()
            .filter_map(|(k, s)| s.map(|_| k))
    }

    /// The kept tendency an entry with these scores belongs to, if its cues say one.
    pub fn place(&self, s: &[f32]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        let score = |k: usize| f64::from(s.get(k).copied().unwrap_or(0.0));
        for (k, ls) in self.log_share.iter().enumerate() {
            let Some(ls) = ls else { continue };
            let v = ls + BETA * score(k);
            if best.is_none_or(|b| v > b.1) {
                best = Some((k, v));
            }
        }
        best.filter(|&(k, _)| score(k) >= FLOOR).map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(rows: &[[f32; 3]]) -> Scores {
        Scores {
            t: 3,
            values: rows.iter().flatten().copied().collect(),
        }
    }

    #[test]
    fn a_stray_best_cue_moves_to_the_logs_own_tendency() {
        // Tendency 0 is clearly this log's; the last entry's best cue is tendency 2 (which the
        // log does not hold) but it also says tendency 0.
        let s = scores(&[
            [2.0, 0.0, 0.0],
            [2.3, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.7, 0.0, 0.0],
            [0.0, 2.0, 0.0],
            [0.0, 2.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.7, 0.0, 1.0],
        ]);
        let rows: Vec<usize> = (0..8).collect();
        let p = Prior::fit(&s, &rows, 3);
        assert_eq!(p.tendencies().collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(p.place(s.row(7)), Some(0));
        assert_eq!(p.place(&[0.0, 0.0, 0.0]), None, "no cue, no tendency");
    }

    #[test]
    fn a_tendency_needs_support() {
        let s = scores(&[
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 2.0, 0.0],
            [0.0, 1.0, 0.0],
        ]);
        let rows: Vec<usize> = (0..5).collect();
        let p = Prior::fit(&s, &rows, 3);
        // Tendency 0 has three entries (one cue each), tendency 1 only two.
        assert_eq!(p.tendencies().collect::<Vec<_>>(), vec![0]);
        assert_eq!(p.place(s.row(4)), None, "a dropped tendency places nothing");
    }

    proptest::proptest! {
        /// Whatever the scores: every kept tendency holds at least `min_support` placed rows,
        /// and an entry is only ever placed in a kept tendency on a score
        /// of at least `FLOOR`.
        #[test]
        fn kept_tendencies_are_supported_and_placements_are_kept(
            values in proptest::collection::vec(
                proptest::prop_oneof![3 => proptest::strategy::Just(0.0f32), 1 => 0.0f32..4.0],
                4 * 3..4 * 60,
            ),
            min_support in 1usize..6,
        ) {
            let n = values.len() / 4;
            let s = Scores { t: 4, values: values[..n * 4].to_vec() };
            let rows: Vec<usize> = (0..n).collect();
            let p = Prior::fit(&s, &rows, min_support);
            let kept: Vec<usize> = p.tendencies().collect();
            for &k in &kept {
                let placed: Vec<usize> = rows.iter().copied()
                    .filter(|&i| p.place(s.row(i)) == Some(k)).collect();
                proptest::prop_assert!(placed.len() >= min_support);
            }
            for &i in &rows {
                if let Some(k) = p.place(s.row(i)) {
                    proptest::prop_assert!(kept.contains(&k));
                    proptest::prop_assert!(f64::from(s.row(i)[k]) >= FLOOR);
                }
            }
        }
    }

    #[test]
    fn no_cues_no_tendencies() {
        let s = scores(&[[0.0; 3]; 6]);
        let rows: Vec<usize> = (0..6).collect();
        assert_eq!(Prior::fit(&s, &rows, 3).tendencies().count(), 0);
    }
}
