//! The assignment rule: how one entry is placed once the patterns are fitted.
//!
//! In: an entry's projected, L2-normalized vector (with its norm before normalizing) and, in the
//! guided mode, its tendency cue match and per-tendency cue scores (read under a small log's
//! prior). Out: the index of the centre it goes to (`NONE` for no
//! clear pattern) and its cosine similarity to that centre; `label` turns the index into the
//! run's pattern id (`ids`).
//! With the reader (`tendency::reader`), `reread` then moves an entry that holds no cue of its
//! centre's tendency to the tendency the reader reads in it (`ReaderUse`).
//! Invariant: `cluster` and `cluster::guided` place every entry through `place` (and `reread`), and a saved
//! model (`model`) holds every field of this struct, so `recur assign` on the rows a model was
//! fitted on gives exactly analyze's labels and similarities.

use crate::tendency::matcher::EntryMatch;
use crate::tendency::RunReading;

/// No centre: the entry has no clear pattern.
pub const NONE: u32 = u32::MAX;

/// Everything that decides where an entry goes.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignRule {
    pub dims: usize,
    /// kc × dims, row-major: the first `n_tend` rows are the tendencies' centres (not unit).
    pub centres: Vec<f64>,
    /// Per centre, its length (as the fit computed it).
    pub norms: Vec<f64>,
    /// Centres that are a well-known tendency's (the first ones).
    pub n_tend: usize,
    /// Per tendency centre, its length summed in order (as `near` was measured with).
    pub tendency_norms: Vec<f64>,
    /// Per tendency centre, the similarity from which an entry reads like its seeds.
    pub near: Vec<f64>,
    /// Per tendency of the run's list, its centre (`usize::MAX`: not a pattern).
    pub slot: Vec<usize>,
    /// The words decide: they place every entry (cues only keep strong seeds out of the free
    /// clustering).
    pub strict: bool,
    /// A small log's prior: cues place an entry in the log's own tendencies (`cluster::prior`).
    pub prior: Option<super::prior::Prior>,
    /// Cues take part (the default, lexicon-guided mode).
    pub guided: bool,
    pub outliers: bool,
    pub outlier_similarity: f64,
    /// Per centre, the pattern id it became (0: dissolved or empty, so no clear pattern).
    pub ids: Vec<u32>,
    /// The reader takes part (guided mode, English): `None` for off.
    pub reader: Option<ReaderUse>,
}

/// How the reader's reading moves an entry (`AssignRule::reread`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderUse {
    /// A reading this probable moves an entry that holds no cue of its centre's tendency.
    pub over: f32,
    /// ... and this probable, an entry with no clear pattern.
    pub unplaced: f32,
    /// An entry that holds a cue of its centre's tendency moves only when the reading reaches
    /// `over` and gives the centre's tendency less than this (0: never).
    pub cued: f32,
    /// Per tendency of the run's list, the centre its readings go to (`usize::MAX`: none).
    pub slot: Vec<usize>,
    /// The last this many centres are the reader's own (tendencies the cues did not make a
    /// pattern of): only a reading reaches them, never the nearest-centre rule.
    pub own: usize,
    /// The reader decides (a log of up to `READER_DECIDES_MAX` entries that it reads with a
    /// clarity of at least `READER_DECIDES_CLARITY`): an entry outside a free
    /// pattern goes to the pattern of the tendency the reader finds most probable among those
    /// with a slot, when it gives that tendency at least `unplaced`, and to no clear pattern
    /// otherwise (`AssignRule::reread`); `over` and `cued` are not used.
    pub decides: bool,
}

impl ReaderUse {
    /// Whether `reading` moves an entry placed at a centre of tendency `at` (`None`: no
    /// tendency) that is `unplaced` (no clear pattern) and `holds_cue` (holds a cue or hint of
    /// `at`).
    pub fn moves(
        &self,
        reading: &RunReading,
        at: Option<usize>,
        unplaced: bool,
        holds_cue: bool,
    ) -> bool {
        let p = reading.p;
        if holds_cue {
            return at.is_some_and(|a| {
                a != reading.tendency && p >= self.over && reading.p_of(a) < self.cued
            });
        }
        p >= self.over || (unplaced && p >= self.unplaced)
    }

    /// Where the reader puts an entry when it decides: the centre of the slotted tendency it
    /// finds most probable (ties to the earlier tendency), if that probability reaches
    /// `unplaced`; `NONE` otherwise. `kc`: the centres there are.
    pub fn decide(&self, reading: &RunReading, kc: usize) -> u32 {
        let mut best: Option<(f32, usize)> = None;
        for (t, &s) in self.slot.iter().enumerate() {
            if s == usize::MAX || s >= kc {
                continue;
            }
            let p = reading.p_of(t);
            if best.is_none_or(|(b, _)| p > b) {
                best = Some((p, s));
            }
        }
        match best {
            Some((p, s)) if p >= self.unplaced => s as u32,
            _ => NONE,
        }
    }
}

/// The reader's thresholds (leave-one-set-out on the held-out logs holdout7–9, benches/QUALITY.md).
pub const READER_OVER: f32 = 0.25;
pub const READER_UNPLACED: f32 = 0.15;
/// ... and for an entry whose cue the reading contradicts (`ReaderUse::cued`), in logs of up to
/// `READER_CUED_MAX` entries (end-to-end leave-one-set-out on holdout7–10, benches/QUALITY.md).
pub const READER_CUED: f32 = 0.2;
/// In larger logs a cue and its centre stand on the log's own word statistics and the reader
/// does not overrule them (generated 1k logs lose up to 0.02 ARI otherwise).
pub const READER_CUED_MAX: usize = 500;
/// In a log of up to this many entries with some structure (the cues', or the reader's alone),
/// the reader decides where every entry outside a free pattern goes (`ReaderUse::decides`).
pub const READER_DECIDES_MAX: usize = 500;
/// ... and only when the reader reads the log clearly: the mean over its entries of the
/// probability of each entry's likeliest tendency (0 for an entry it cannot read) reaches this
/// (`guided::reader_clarity`). It moves with the reader: 0.45 for stop 30's, when every fresh
/// log read by a reader that had not seen it read at 0.44 or more and the public post-mortem
/// collections, labelled by technical cause, at 0.31–0.40. The reader of stop 32 (C = 10, more
/// text) reads more sharply: holdout37–55, each read by the cross-validation reader that had not
/// seen it, at 0.51 or more (then 0.58), holdout58–59 at 0.55 or more, the public collections at
/// 0.37–0.45. There the log's own word groups are kept (benches/QUALITY.md).
pub const READER_DECIDES_CLARITY: f64 = 0.50;
/// In a log whose cues show no structure (up to `READER_ALONE_MAX` entries), the reader's
/// readings of at least this probability are its confident ones (`guided::alone_tendencies`).
pub const READER_ALONE_P: f32 = 0.4;
/// The log's entries must read clearer than its words shuffled across them: their mean top
/// probability this many standard deviations (of 32 shuffles) above the shuffles'. On 524
/// shuffled-word copies of hand-written logs it reaches 3.9 at most (benches/QUALITY.md) ...
pub const READER_ALONE_Z: f64 = 4.0;
/// ... or this many, when the log's confident readings also number at least
/// `READER_ALONE_RATIO` times as many as in the same words shuffled ...
pub const READER_ALONE_Z_COUNTED: f64 = 3.0;
pub const READER_ALONE_RATIO: f64 = 2.0;
/// ... or, in a log of fewer than `READER_OWN_WEAK_MIN` entries, when the information its
/// entries carry about the tendencies is this many standard deviations above the shuffles'
/// (`Shuffled::z_information`): a trade's own words can lean every entry towards one tendency,
/// shuffled or not, so the top probabilities hardly differ, while entries that say different
/// tendencies still differ from one another. On 668 shuffled-word copies of hand-written logs it
/// reaches 4.94 once (a copy the top-probability test already passes) and 4.38 next; on the 128
/// logs of holdout37–52, which the reader had not seen, 3.5 at least, and the two logs it newly
/// passes (a sound and light technician, a pest controller: top-probability z 3.4) stand at 8.0
/// and 4.7.
/// Not in larger logs: a public set of 169 drone incident reports passed it and got six
/// patterns that matched its categories no better than chance (benches/QUALITY.md).
pub const READER_ALONE_Z_INFORMATION: f64 = 4.5;
/// ... and more than chance gives at this level (binomial, each entry read confidently at the
/// shuffled words' rate). The copies the count test passes stand at z 1.9–2.2; the real logs
/// it passes, at 3.4 and above.
pub const READER_ALONE_LEVEL: f64 = 0.01;
/// ... and a tendency needs this many of the firm readings (and `min_support` entries that would
/// join it, read as it with p ≥ `READER_UNPLACED`).
pub const READER_ALONE_FIRM: usize = 2;
pub const READER_ALONE_MAX: usize = 500;
/// In a log of at least this many entries that the reader reads only weakly (under
/// `READER_DECIDES_CLARITY`), the reader makes no pattern of its own: such a collection (public
/// post-mortems, CI failures, accident reports) is about technical causes, and its own words
/// can group it. A smaller log has no word statistics, and the readings are what it has (a
/// fresh 17-entry beekeeper's log read at 0.44 kept one pattern out of four without them).
/// The same size as `guided::ONE_TENDENCY_MIN_ENTRIES`, for the same reason.
pub const READER_OWN_WEAK_MIN: usize = 100;
/// A pattern of the reader's own (a tendency the cues made none of) needs at least this share of
/// the log's entries besides `guided::min_support` (so 3 entries up to a log of 100): in the
/// sample's 177 entries, misreadings of one-offs made patterns of 3–4 entries.
pub const READER_SHARE: f64 = 0.03;

impl AssignRule {
    /// Number of centres.
    pub fn kc(&self) -> usize {
        self.norms.len()
    }

    fn row(&self, j: usize) -> &[f64] {
        &self.centres[j * self.dims..(j + 1) * self.dims]
    }

    /// The pattern an entry's cues put it in: its seed tendency, or the tendency it leans to.
    /// With `strict`, only a strong seed is placed by its cues.
    pub fn cue_pattern(&self, m: &EntryMatch) -> Option<usize> {
        super::guided::cue_pattern(m, &self.slot, self.strict)
    }

    /// The tendency an entry's words put it near (projected unit vector `x`), if any.
    pub fn near_to(&self, x: &[f64]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for s in 0..self.n_tend {
            if self.tendency_norms[s] <= 1e-12 {
                continue;
            }
            let c = self.row(s);
            let cos = c.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() / self.tendency_norms[s];
            if cos >= self.near[s] && best.is_none_or(|b| cos > b.1) {
                best = Some((s, cos));
            }
        }
        best.map(|b| b.0)
    }

    /// Centres the nearest-centre rule may choose (all but the reader's own).
    fn fitted(&self) -> usize {
        self.kc() - self.reader.as_ref().map_or(0, |r| r.own.min(self.kc()))
    }

    /// Index of the nearest centre (Euclidean, x unit length) and the cosine to it.
    fn nearest(&self, x: &[f64]) -> (usize, f64) {
        let mut best = (0, f64::INFINITY, 0.0);
        for j in 0..self.fitted() {
            let n = self.norms[j];
            let dot: f64 = self.row(j).iter().zip(x).map(|(a, b)| a * b).sum();
            let d = n * n - 2.0 * dot;
            if d < best.1 {
                let cos = if n > 1e-12 { dot / n } else { 0.0 };
                best = (j, d, cos);
            }
        }
        (best.0, best.2)
    }

    /// Places one entry: `x` its projected unit vector, `norm` its length before normalizing
    /// (0: no usable term), `m` its cue match (guided mode). Returns the centre (`NONE`: no clear
    /// pattern) and the cosine similarity to it (to the nearest centre for `NONE`).
    pub fn place(
        &self,
        x: &[f64],
        norm: f64,
        m: Option<&EntryMatch>,
        scores: Option<&[f32]>,
    ) -> (u32, f32) {
        let kc = self.fitted();
        if kc == 0 {
            return (NONE, 0.0);
        }
        let cos_to = |j: usize| self.cos_to(x, norm, j);
        if self.guided {
            // With a prior, the entry's cue scores under it; when the words decide (`strict`),
            // no cue places an entry (a cue phrase in another tendency's sentence would pin it
            // to the wrong one); otherwise its cues, one entry at a time.
            let by_cues = match (&self.prior, scores) {
                (Some(prior), Some(s)) => prior.place_in(s, &self.slot),
                _ if self.strict => None,
                _ => m.and_then(|m| self.cue_pattern(m)),
            };
            if let Some(s) = by_cues {
                return (s as u32, cos_to(s) as f32);
            }
            if norm > 1e-12 && !self.strict {
                if let Some(s) = self.near_to(x) {
                    return (s as u32, cos_to(s) as f32);
                }
            }
        }
        let (j, cos) = self.nearest(x);
        let cos = if norm <= 1e-12 { 0.0 } else { cos };
        let outlier = self.outliers && (norm <= 1e-12 || cos < self.outlier_similarity);
        (if outlier { NONE } else { j as u32 }, cos as f32)
    }

    /// Cosine of `x` (projected unit vector, `norm` its length before) to centre `j`.
    fn cos_to(&self, x: &[f64], norm: f64, j: usize) -> f64 {
        if norm <= 1e-12 || self.norms[j] <= 1e-12 {
            0.0
        } else {
            self.row(j).iter().zip(x).map(|(a, b)| a * b).sum::<f64>() / self.norms[j]
        }
    }

    /// The tendency (index into the run's list) whose pattern centre `centre` is, if any.
    pub fn tendency_of(&self, centre: u32) -> Option<usize> {
        let r = self.reader.as_ref()?;
        (centre != NONE)
            .then(|| r.slot.iter().position(|&c| c == centre as usize))
            .flatten()
    }

    /// Where the reader moves an entry the rule placed at `centre`: `unplaced` tells whether
    /// that is no clear pattern (`NONE`, or a centre with no pattern id), `holds_cue` whether
    /// the entry holds a cue or hint of the centre's tendency, `reading` what the reader reads
    /// in it (`ReaderUse::decide` says where it goes when the reader decides, `ReaderUse::moves`
    /// whether it moves otherwise). `None`: it stays, as does every member of a free pattern (a
    /// group of the log's own words that held up).
    pub fn reread(
        &self,
        x: &[f64],
        norm: f64,
        (centre, unplaced, holds_cue): (u32, bool, bool),
        reading: Option<&RunReading>,
    ) -> Option<(u32, f32)> {
        let r = self.reader.as_ref()?;
        let at = self.tendency_of(centre);
        if !unplaced && at.is_none() {
            return None;
        }
        let reading = reading?;
        if r.decides {
            // An entry with no clear pattern that the reader leaves so does not move.
            let to = r.decide(reading, self.kc());
            return (to != centre && !(to == NONE && unplaced)).then(|| {
                let cos = if to == NONE {
                    0.0
                } else {
                    self.cos_to(x, norm, to as usize) as f32
                };
                (to, cos)
            });
        }
        let to = *r.slot.get(reading.tendency)?;
        if to == usize::MAX || to >= self.kc() {
            return None;
        }
        r.moves(reading, at, unplaced, holds_cue)
            .then(|| (to as u32, self.cos_to(x, norm, to) as f32))
    }

    /// The pattern id of a placement (0: no clear pattern).
    pub fn label(&self, centre: u32) -> u32 {
        match centre {
            NONE => 0,
            j => self.ids.get(j as usize).copied().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(tendency: usize, probs: &[f32]) -> RunReading {
        RunReading {
            tendency,
            p: probs[tendency],
            probs: probs.to_vec(),
        }
    }

    #[test]
    fn the_reader_moves_uncued_entries_and_overrules_a_cue_only_when_it_contradicts_it() {
        let u = ReaderUse {
            over: READER_OVER,
            unplaced: READER_UNPLACED,
            cued: READER_CUED,
            slot: vec![0, 1, 2],
            own: 0,
            decides: false,
        };
        let firm = reading(1, &[0.1, 0.6, 0.3]);
        let faint = reading(1, &[0.4, 0.2, 0.4]);
        // No cue of the centre's tendency: the reading's probability decides.
        assert!(u.moves(&firm, Some(0), false, false));
        assert!(!u.moves(&reading(1, &[0.39, 0.22, 0.39]), Some(0), false, false));
        assert!(
            u.moves(&faint, None, true, false),
            "unplaced: 0.15 is enough"
        );
        // A cue of tendency 0: only a firm reading that gives 0 under `cued` moves it.
        assert!(u.moves(&firm, Some(0), false, true));
        assert!(!u.moves(&reading(1, &[0.3, 0.6, 0.1]), Some(0), false, true));
        assert!(!u.moves(&faint, Some(0), false, true));
        assert!(!u.moves(&firm, Some(1), false, true), "it already is there");
        // `cued` 0 (a larger log, or a format-2 habit): a cue is never overruled.
        let never = ReaderUse { cued: 0.0, ..u };
        assert!(!never.moves(&reading(1, &[0.0, 1.0, 0.0]), Some(0), false, true));
    }

    #[test]
    fn where_the_reader_decides_the_likeliest_tendency_with_a_pattern_wins() {
        // Tendencies 0 and 2 have patterns (centres 1 and 0); 1 has none; 3 has a slot past
        // the centres there are.
        let u = ReaderUse {
            over: READER_OVER,
            unplaced: READER_UNPLACED,
            cued: READER_CUED,
            slot: vec![1, usize::MAX, 0, 5],
            own: 0,
            decides: true,
        };
        // Tendency 1 is likeliest but has no pattern: the likeliest with one, 2, wins.
        assert_eq!(u.decide(&reading(1, &[0.1, 0.5, 0.3, 0.1]), 2), 0);
        assert_eq!(u.decide(&reading(0, &[0.6, 0.1, 0.2, 0.1]), 2), 1);
        // Below `unplaced` for every tendency with a pattern: no clear pattern.
        assert_eq!(u.decide(&reading(1, &[0.1, 0.7, 0.1, 0.1]), 2), NONE);
        // Ties go to the earlier tendency; a slot past the centres is no pattern.
        assert_eq!(u.decide(&reading(0, &[0.2, 0.0, 0.2, 0.6]), 2), 1);
        assert_eq!(u.decide(&reading(0, &[0.2, 0.0, 0.2, 0.6]), 6), 5);
    }
}
