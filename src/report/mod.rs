//! Report: the analysis → files a person or a script reads.
//!
//! In: `Report`, a read-only view of everything the pipeline produced. Out: `report.md`,
//! `report.html`, `patterns.json` (each a `Renderer` writing to any `Write`, so each is tested
//! without touching disk), plus the per-entry `assignments.csv` and `rejected.csv`.
//! Invariants: renderers only read; output order is fixed (patterns by id, entries in input
//! order), so the same analysis renders to the same bytes.

mod doc;
mod html;
mod json;
mod markdown;
mod review;
mod tables;

pub use html::{esc, Html, MAX_ENTRIES};
pub use json::Json;
pub use markdown::{md, Markdown};
pub use tables::{write_assignments, write_rejected};

use crate::cluster::KSelection;
use crate::evaluate::Evaluation;
use crate::ingest::Ingested;
use crate::patterns::Patterns;
use crate::record::Record;
use crate::timeline::Timeline;
use chrono::NaiveDate;
use std::io::{self, Write};

/// The chart stage's output (see `chart::render`): every chart drawn, in report order.
#[derive(Debug, Clone, Default)]
pub struct ChartFiles {
    pub charts: Vec<ChartFile>,
    /// Per pattern id (0 = no clear pattern), an inline SVG of its share per period.
    pub pattern_trends: Vec<(u32, String)>,
    /// Charts that were skipped, and why.
    pub notes: Vec<String>,
}

/// One chart.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File stem, e.g. "quarterly".
    pub name: &'static str,
    pub title: String,
    /// How to read it (caption and alt text).
    pub description: String,
    /// SVG markup, always drawn (the HTML report inlines it).
    pub svg: String,
    /// Files written, relative to the output folder (`charts/quarterly.svg`...).
    pub files: Vec<String>,
}

/// Everything a renderer may show.
pub struct Report<'a> {
    pub ingested: &'a Ingested,
    pub records: &'a [Record],
    pub patterns: &'a Patterns,
    pub selection: &'a KSelection,
    pub evaluation: Option<Evaluation>,
    pub timeline: Option<&'a Timeline>,
    pub charts: Option<&'a ChartFiles>,
    /// Parameters as shown in the JSON (ordered).
    pub parameters: serde_json::Value,
    /// Short notes for the reader (no clear structure, no dates...).
    pub notes: Vec<String>,
    /// Leave people's names out.
    pub blameless: bool,
    /// Each entry's tendency cues, to say why it belongs to its pattern.
    pub cues: Option<&'a crate::text::Cues>,
    /// The learned reader and the entries it placed, to say why those belong.
    pub readings: Option<crate::tendency::Readings<'a>>,
    /// Control and group counts, computed once on first use (`Report::breakdown`).
    pub breakdown: std::cell::OnceCell<crate::breakdown::Breakdown>,
}

/// How a reader's pattern of `support` entries may also be made in a log of fewer than
/// `READER_OWN_WEAK_MIN` entries (`cluster::guided::Completion`), after `lead`; empty in a
/// larger log.
fn completed_clause(lead: &str, entries: usize, support: usize) -> String {
    if entries >= crate::cluster::rule::READER_OWN_WEAK_MIN {
        return String::new();
    }
    format!(
        "{lead} {} when a third entry, whose likeliest tendency has no pattern, finds it the likeliest of those that do",
        support - 1
    )
}

/// "holds in 9 of 10 resamples", when the pattern's support was measured.
pub fn confidence_text(p: &crate::patterns::Pattern) -> Option<String> {
    p.support
        .map(|s| format!("holds in {} of {} resamples", s.held, s.rounds))
}

/// The summary table's "Found by" cell: how the pattern was found and how often it held, with
/// its tendency when the label is not already that tendency's name ("shared words, 7/10").
pub fn found_cell(p: &crate::patterns::Pattern) -> String {
    if p.id == 0 {
        return String::new();
    }
    let mut s = found_by(p).to_string();
    if let Some(c) = p.support {
        s.push_str(&format!(", {}/{}", c.held, c.rounds));
    }
    match &p.tendency {
        Some(t) if *t != p.label => format!("{t} ({s})"),
        _ => s,
    }
}

/// How a pattern was found, for readers: by its tendency's phrases or by shared words.
pub fn found_by(p: &crate::patterns::Pattern) -> &'static str {
    if p.read {
        "the learned reader"
    } else if p.seeded {
        "tendency phrases"
    } else {
        "shared words"
    }
}

/// The heading of a lessons list: "written most often" only when some text repeats.
pub fn counted_title(what: &str, items: &[crate::patterns::Counted]) -> String {
    if items.iter().any(|c| c.count > 1) {
        format!("{what} written most often")
    } else {
        format!("{what} from the entries nearest the pattern's centre")
    }
}

impl Report<'_> {
    /// Control and group counts per pattern; every renderer shares one computation.
    pub fn breakdown(&self) -> &crate::breakdown::Breakdown {
        self.breakdown
            .get_or_init(|| crate::breakdown::build(self.ingested, self.records, self.patterns))
    }

    pub fn rows_analyzed(&self) -> usize {
        self.records.len()
    }

    pub fn file_name(&self, index: u32) -> &str {
        self.ingested
            .files
            .get(index as usize)
            .map_or("?", |f| f.name.as_str())
    }

    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let mut it = self.records.iter().filter_map(|r| r.date);
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d))))
    }

    /// Why there is no date range: no date column at all, or no dated entry was analyzed.
    pub fn no_dates_reason(&self) -> &'static str {
        if self.ingested.files.iter().any(|f| f.has_dates) {
            "no dated entry was analyzed"
        } else {
            "the log has no date column"
        }
    }

    /// How the learned reader placed the entries of a small log (`ReaderUse::decides`), or, where
    /// the log has groupings of its own (`alone` false), why it did not: it read the log's
    /// entries only weakly. Empty where the reader was not used.
    fn decides_text(&self, alone: bool) -> String {
        use crate::cluster::rule::{READER_DECIDES_CLARITY, READER_DECIDES_MAX};
        let Some(r) = self.readings else {
            return String::new();
        };
        let Some(clarity) = r.clarity else {
            return String::new();
        };
        if r.decides {
            format!(
                ". The learned reader reads this log clearly (on average {clarity:.2} for each entry's likeliest tendency; it decides in a log of up to {READER_DECIDES_MAX} entries read at {READER_DECIDES_CLARITY:.2} or more), so it then places each entry outside the word groups: in the pattern of the tendency it finds most probable, or in no clear pattern when it gives none of them {} or more; a pattern left with fewer than {} entries is dropped",
                crate::cluster::rule::READER_UNPLACED,
                crate::cluster::guided::MIN_SUPPORT,
            )
        } else if !alone && self.records.len() <= READER_DECIDES_MAX {
            format!(
                ". The learned reader reads this log only weakly (on average {clarity:.2} for each entry's likeliest tendency, under the {READER_DECIDES_CLARITY:.2} at which it decides), so it moves only the entries it reads firmly and the log's own groupings stand"
            )
        } else {
            String::new()
        }
    }

    /// One line on how the number of patterns was chosen.
    pub fn selection_text(&self) -> String {
        let s = self.selection;
        let n = self.patterns.patterns.len();
        let at = s.scores.iter().find(|c| c.0 == s.chosen);
        let read = self.patterns.patterns.iter().filter(|p| p.read).count();
        let seeded = self.patterns.patterns.iter().filter(|p| p.seeded).count() - read;
        let entries = self.records.len();
        match (s.method, at) {
            ("fixed", _) if n == s.chosen => format!("{n} (set with --patterns)"),
            ("fixed", _) => format!(
                "{n} (--patterns asked for {}; the entries fall into only {n} distinct groups)",
                s.chosen
            ),
            (_, None) if entries >= SMALL_LOG && self.parameters["terms"].as_u64() == Some(0) => format!(
                "{n} — no terms survive to compare the entries (every word is a stop word, or in too many or too few entries)"
            ),
            ("tendencies" | "log prior", _) if n == 0 && entries < SMALL_LOG => format!(
                "0 — too few entries to see a pattern (need ~{SMALL_LOG}): no tendency recurs in {} or more of the {entries} entries more clearly than in the same words shuffled at random",
                crate::cluster::guided::MIN_SUPPORT
            ),
            ("tendencies" | "log prior", _) if n == 0 => "0 — no clear structure: no well-known tendency recurs more often than the same words shuffled at random would give, and the other entries do not fall into groups that hold up when the log is resampled".to_string(),
            ("tendencies" | "log prior", _) if seeded == 0 && read == n => {
                let mut s = format!(
                "{n}, found by the learned reader alone: no tendency's phrases recur here, but the reader reads this log's entries more clearly than the same words shuffled at random (by {zs} standard deviations, or by {zc} where it also reads {r}× as many entries firmly, with probability {p} or more); {} is read in at least {m} entries (probability {u} or more), firmly in at least {f}",
                if n == 1 { "this tendency" } else { "each of these tendencies" },
                p = crate::cluster::rule::READER_ALONE_P,
                zs = crate::cluster::rule::READER_ALONE_Z,
                zc = crate::cluster::rule::READER_ALONE_Z_COUNTED,
                r = crate::cluster::rule::READER_ALONE_RATIO,
                u = crate::cluster::rule::READER_UNPLACED,
                f = crate::cluster::rule::READER_ALONE_FIRM,
                m = crate::cluster::guided::MIN_SUPPORT,
                );
                s.push_str(&completed_clause(
                    ", or read in",
                    entries,
                    crate::cluster::guided::MIN_SUPPORT,
                ));
                s.push_str(&self.decides_text(true));
                s
            }
            (method @ ("tendencies" | "log prior"), _) => {
                let mut s = if method == "log prior" {
                    format!(
                        "{n}: {seeded} well-known {} this log holds (read from all its entries' cues together: the log says tendencies more often than the same words shuffled at random would, and each one holds at least {} entries)",
                        if seeded == 1 { "tendency" } else { "tendencies" },
                        crate::cluster::guided::MIN_SUPPORT,
                    )
                } else {
                    format!(
                        "{n}: {seeded} well-known {} recurring (each said clearly in at least {} entries, more often than the same words shuffled at random give)",
                        if seeded == 1 { "tendency" } else { "tendencies" },
                        crate::cluster::guided::MIN_SUPPORT,
                    )
                };
                if read > 0 {
                    s.push_str(&format!(
                        ", {read} more that the learned reader found in entries with no cue of {} (each read so in at least {} entries{})",
                        if read == 1 { "it" } else { "them" },
                        crate::cluster::guided::reader_support(entries),
                        completed_clause(
                            ", or in",
                            entries,
                            crate::cluster::guided::reader_support(entries),
                        ),
                    ));
                }
                let free = n - seeded - read;
                if free > 0 {
                    s.push_str(&format!(
                        " and {free} {} found in the words of the other entries ({} in at least {} of {} resamples)",
                        if free == 1 { "group" } else { "groups" },
                        if free == 1 { "it holds" } else { "each holds" },
                        crate::cluster::guided::MIN_HELD,
                        crate::cluster::guided::ROUNDS,
                    ));
                }
                if n > free {
                    s.push_str(&self.decides_text(false));
                }
                s
            }
            (_, Some(&(k, stab, sil))) if !s.structured => format!(
                "{n} — no clear structure: the most stable split ({k} groups) had stability {stab:.2} and mean silhouette {sil:.2}, too low to call patterns, so the log is shown as one group"
            ),
            (_, Some(&(_, stab, sil))) => {
                let lo = s.scores.first().map_or(2, |x| x.0);
                let hi = s.scores.last().map_or(2, |x| x.0);
                let mut text = format!(
                    "{n} (chosen automatically: the most stable number among {lo}–{hi}, stability {stab:.2}, mean silhouette {sil:.2}, on {} entries)",
                    s.evaluated_on
                );
                if let Some((name, share)) = &s.set_aside {
                    text.push_str(&format!(
                        ", grouped by the entries' own words: by its phrases, \"{name}\" would have held {:.0} % of the entries, which says what this log is about rather than a tendency that recurs in it (a tendency pattern may hold at most {:.0} % of a log of {} or more entries unless the learned reader reads the log clearly)",
                        share * 100.0,
                        crate::cluster::guided::ONE_TENDENCY_SHARE * 100.0,
                        crate::cluster::guided::ONE_TENDENCY_MIN_ENTRIES,
                    ));
                }
                text
            }
            _ => format!("{n} (too few entries to compare numbers of patterns)"),
        }
    }
}

/// Logs smaller than this that show no pattern are called too small rather than unstructured.
pub const SMALL_LOG: usize = 30;

/// A report format.
pub trait Renderer {
    /// File name inside the output folder.
    fn file_name(&self) -> &'static str;
    fn render(&self, report: &Report, w: &mut dyn Write) -> io::Result<()>;
}

/// Percent with one decimal.
pub fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}
