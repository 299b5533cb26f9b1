//! Reader: a learned tendency classifier, shipped with the build, for the entries that cues and
//! centres leave with no clear pattern.
//!
//! In: the model in `assets/reader.tsv` (compiled in; made by `scripts/train_reader.py` from the
//! tagged fresh-voice logs of `tests/data/voices/`, a multinomial logistic regression), or the
//! same fields read back from a model file; an entry's text fields (the run's text roles, in
//! order). Out: `Reading`, the tendency the reader finds most likely (by its id in the reader's
//! list) and its probability.
//! How: the trainer's analyzer, exactly: the fields are joined by a line break and lowercased;
//! words are runs of letters, digits and `_` of at least two characters, not all digits and not a
//! stop word; each is Snowball (Porter2) stemmed; every stem and every pair of neighbouring stems
//! is a feature. A feature's weight is (1 + ln tf) · idf, the vector is L2-normalised, and the
//! probabilities are the softmax of bias + weights · vector.
//! Invariants: the same text gives the same reading on every run and platform (features are
//! summed in feature order, in f64); any text, however odd, gives a reading or `None`, never a
//! panic; a decoded reader is checked for consistent sizes.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;

/// Logs the reader reads, at most (entries). It learned from logs of 15–60 entries; in logs of
/// thousands the words' own statistics separate the patterns (benches/QUALITY.md), and its
/// misreadings of one repeated phrasing would only make patterns that come and go between
/// refits.
pub const READER_MAX_ENTRIES: usize = 5_000;

/// The reader's model as shipped.
const BUILTIN: &str = include_str!("../../assets/reader.tsv");

/// A reading of one entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Index into `Reader::classes`.
    pub class: u16,
    /// Its probability (softmax over all classes).
    pub p: f32,
}

/// The learned classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Reader {
    /// Tendency ids, in the reader's order.
    pub classes: Vec<String>,
    /// Words dropped before stemming.
    pub stop: Vec<String>,
    /// Feature texts (a stem, or two stems separated by a space), in the reader's order.
    pub features: Vec<String>,
    pub idf: Vec<f32>,
    /// features × classes, row-major.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    index: FxHashMap<String, u32>,
}

/// Why reader fields cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderError {
    #[error("reader line {line}: {what}")]
    Line { line: usize, what: String },
    #[error("reader sizes disagree: {0}")]
    Sizes(String),
}

impl Reader {
    /// The reader compiled into this build.
    pub fn builtin() -> Reader {
        Reader::parse(BUILTIN).expect("assets/reader.tsv is valid")
    }

    /// A reader from a file in the format of `assets/reader.tsv` (`--reader FILE`).
    pub fn load(path: &std::path::Path) -> Result<Reader, crate::Error> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
        Reader::parse(&text).map_err(|cause| crate::Error::Reader {
            path: path.display().to_string(),
            cause,
        })
    }

    /// Reads the text format of `assets/reader.tsv`.
    pub fn parse(text: &str) -> Result<Reader, ReaderError> {
        let (mut classes, mut stop, mut bias) = (Vec::new(), Vec::new(), Vec::new());
        let (mut features, mut idf, mut weights) = (Vec::new(), Vec::new(), Vec::new());
        for (n, line) in text.lines().enumerate() {
            let bad = |what: &str| ReaderError::Line {
                line: n + 1,
                what: what.to_string(),
            };
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cells = line.split('\t');
            let num = |s: &str| {
                s.parse::<f32>()
                    .map_err(|_| bad(&format!("not a number: {s}")))
            };
            match cells.next() {
                Some("classes") => classes = cells.map(str::to_string).collect(),
                Some("stop") => stop = cells.map(str::to_string).collect(),
                Some("bias") => bias = cells.map(num).collect::<Result<_, _>>()?,
                Some("f") => {
                    let f = cells.next().ok_or_else(|| bad("feature without text"))?;
                    features.push(f.to_string());
                    idf.push(num(cells
                        .next()
                        .ok_or_else(|| bad("feature without idf"))?)?);
                    let before = weights.len();
                    for c in cells {
                        weights.push(num(c)?);
                    }
                    if weights.len() - before != classes.len() {
                        return Err(bad("one weight per class expected"));
                    }
                }
                Some(other) => return Err(bad(&format!("unknown line kind {other:?}"))),
                None => {}
            }
        }
        Reader::new(classes, stop, features, idf, weights, bias)
    }

    /// A reader from its parts, checked.
    pub fn new(
        classes: Vec<String>,
        stop: Vec<String>,
        features: Vec<String>,
        idf: Vec<f32>,
        weights: Vec<f32>,
        bias: Vec<f32>,
    ) -> Result<Reader, ReaderError> {
        let k = classes.len();
        if k == 0 || k > usize::from(u16::MAX) {
            return Err(ReaderError::Sizes(format!("{k} classes")));
        }
        if bias.len() != k {
            return Err(ReaderError::Sizes(format!(
                "{} biases for {k} classes",
                bias.len()
            )));
        }
        if idf.len() != features.len() || weights.len() != features.len() * k {
            return Err(ReaderError::Sizes(format!(
                "{} features, {} idf, {} weights for {k} classes",
                features.len(),
                idf.len(),
                weights.len()
            )));
        }
        let all = idf.iter().chain(&weights).chain(&bias);
        if all.clone().any(|v| !v.is_finite()) {
            return Err(ReaderError::Sizes("a weight is not a finite number".into()));
        }
        let index = features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i as u32))
            .collect::<FxHashMap<_, _>>();
        if index.len() != features.len() {
            return Err(ReaderError::Sizes("a feature is listed twice".into()));
        }
        Ok(Reader {
            classes,
            stop,
            features,
            idf,
            weights,
            bias,
            index,
        })
    }

    /// The stems of `fields` joined by line breaks, as the trainer's analyzer makes them.
    pub fn stems(&self, fields: &[&str]) -> Vec<String> {
        self.words(fields).into_iter().map(|w| w.stem).collect()
    }

    /// The analyzer's words, each with its stem and where it stands in `fields`.
    fn words(&self, fields: &[&str]) -> Vec<Word> {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut out = Vec::new();
        let mut word = String::new();
        for (f, field) in fields.iter().enumerate() {
            let mut start = 0;
            let mut push = |word: &mut String, span: (usize, usize)| {
                let keep = word.chars().nth(1).is_some()
                    && !word.chars().all(|c| c.is_numeric())
                    && !self.stop.iter().any(|s| s == word);
                if keep {
                    out.push(Word {
                        stem: stemmer.stem(word).into_owned(),
                        field: f,
                        span,
                    });
                }
                word.clear();
            };
            for (at, c) in field.char_indices() {
                if c.is_alphanumeric() || c == '_' {
                    if word.is_empty() {
                        start = at;
                    }
                    word.extend(c.to_lowercase());
                } else if !word.is_empty() {
                    push(&mut word, (start, at));
                }
            }
            if !word.is_empty() {
                push(&mut word, (start, field.len()));
            }
        }
        out
    }

    /// Reads one entry's text fields: the most likely class and its probability, or `None`
    /// when no word of the entry is a feature.
    pub fn read(&self, fields: &[&str]) -> Option<Reading> {
        self.read_all(fields).map(|(r, _)| r)
    }

    /// `read`, with the probability of every class.
    pub fn read_all(&self, fields: &[&str]) -> Option<(Reading, Vec<f64>)> {
        let (x, norm) = self.vector(&self.words(fields));
        if x.is_empty() {
            return None;
        }
        let k = self.classes.len();
        let mut logits: Vec<f64> = self.bias.iter().map(|&b| f64::from(b)).collect();
        for &(f, v, _) in &x {
            let w = &self.weights[f as usize * k..(f as usize + 1) * k];
            for (l, &wc) in logits.iter_mut().zip(w) {
                *l += f64::from(wc) * v / norm;
            }
        }
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logits.iter().map(|l| (l - max).exp()).sum();
        let (class, best) = logits
            .iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |b, (i, &l)| if l > b.1 { (i, l) } else { b },
            );
        let reading = Reading {
            class: class as u16,
            p: ((best - max).exp() / sum) as f32,
        };
        Some((
            reading,
            logits.iter().map(|l| (l - max).exp() / sum).collect(),
        ))
    }

    /// Why the reader reads `class` in `fields`: at most `n` short passages of the entry (up to
    /// `EVIDENCE_SPAN` neighbouring words, as written, lowercased) whose words and word pairs
    /// say that class most, beyond what they say for the average class; best first, none that
    /// says it less than half as strongly as the best, and none that says nothing for it.
    pub fn evidence(&self, fields: &[&str], class: usize, n: usize) -> Vec<String> {
        let k = self.classes.len();
        let words = self.words(fields);
        if class >= k || words.is_empty() {
            return Vec::new();
        }
        let (x, norm) = self.vector(&words);
        // Per word: the gain of its features for `class`, a pair's split between its words.
        let mut gain = vec![0.0f64; words.len()];
        let mut value = FxHashMap::default();
        for &(f, v, _) in &x {
            let w = &self.weights[f as usize * k..(f as usize + 1) * k];
            let mean = w.iter().map(|&c| f64::from(c)).sum::<f64>() / k as f64;
            value.insert(f, (f64::from(w[class]) - mean) * v / norm);
        }
        for (f, i, pair) in self.occurrences(&words) {
            let Some(&g) = value.get(&f) else { continue };
            if pair {
                gain[i] += g / 2.0;
                gain[i + 1] += g / 2.0;
            } else {
                gain[i] += g;
            }
        }
        // Windows of neighbouring words in one field, trimmed to the words that gain.
        let mut windows: Vec<(f64, usize, usize)> = Vec::new();
        for start in 0..words.len() {
            let mut end = start;
            while end + 1 < words.len()
                && end + 1 - start < EVIDENCE_SPAN
                && words[end + 1].field == words[start].field
                && !fields[words[end].field][words[end].span.1..words[end + 1].span.0]
                    .contains(['.', ';', '!', '?', '\n'])
            {
                end += 1;
            }
            let (mut a, mut b) = (start, end);
            while a < b && gain[a] <= 0.0 {
                a += 1;
            }
            while b > a && gain[b] <= 0.0 {
                b -= 1;
            }
            let score: f64 = gain[a..=b].iter().sum();
            if score > 0.0 {
                windows.push((score, a, b));
            }
        }
        windows.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)).then(p.2.cmp(&q.2)));
        let best = windows.first().map_or(0.0, |w| w.0);
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut out = Vec::new();
        for (score, a, b) in windows {
            if out.len() == n || score < best / 2.0 {
                break;
            }
            if taken.iter().any(|&(x, y)| a <= y && x <= b) {
                continue;
            }
            taken.push((a, b));
            let text = &fields[words[a].field][words[a].span.0..words[b].span.1];
            out.push(
                text.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase(),
            );
        }
        out
    }

    /// Every feature occurrence in `words`, in word order: (feature, index of its first word,
    /// whether it is a pair of neighbouring words).
    fn occurrences(&self, words: &[Word]) -> Vec<(u32, usize, bool)> {
        let mut out = Vec::new();
        let mut pair = String::new();
        for (i, w) in words.iter().enumerate() {
            if let Some(&f) = self.index.get(w.stem.as_str()) {
                out.push((f, i, false));
            }
            if let Some(next) = words.get(i + 1) {
                pair.clear();
                pair.push_str(&w.stem);
                pair.push(' ');
                pair.push_str(&next.stem);
                if let Some(&f) = self.index.get(pair.as_str()) {
                    out.push((f, i, true));
                }
            }
        }
        out
    }

    /// The entry's features with their (1 + ln tf) · idf values and the index of the word where
    /// each first occurs, in feature order; and the values' L2 norm.
    fn vector(&self, words: &[Word]) -> (Vec<(u32, f64, usize)>, f64) {
        let mut tf: Vec<(u32, u32, usize)> = self
            .occurrences(words)
            .into_iter()
            .map(|(f, i, _)| (f, 1, i))
            .collect();
        crate::sorting::unstable(&mut tf[..]);
        tf.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 += b.1;
            }
            same
        });
        let vals: Vec<f64> = tf
            .iter()
            .map(|&(f, n, _)| (1.0 + f64::from(n).ln()) * f64::from(self.idf[f as usize]))
            .collect();
        let norm = vals.iter().map(|v| v * v).sum::<f64>().sqrt();
        let x = tf
            .iter()
            .zip(vals)
            .map(|(&(f, _, at), v)| (f, v, at))
            .collect();
        (x, norm)
    }
}

/// A word as the analyzer keeps it: its stem, and its field and byte range in that field.
struct Word {
    stem: String,
    field: usize,
    span: (usize, usize),
}

/// Words of evidence `Reader::evidence` gives for one entry's `matched` cell or example.
pub const EVIDENCE_WORDS: usize = 2;
/// Words of the entry (after stop words) one passage of evidence spans, at most.
pub const EVIDENCE_SPAN: usize = 4;

/// `matched` for an entry the reader placed: "read: took on extra; said yes".
pub fn evidence_cell(words: &[String], out: &mut String) {
    if !words.is_empty() {
        out.push_str("read: ");
        out.push_str(&words.join("; "));
    }
}

/// The reader of a run with the entries it placed: says why each of those belongs.
#[derive(Clone, Copy)]
pub struct Readings<'a> {
    pub reader: &'a RunReader,
    /// Entries the reader placed, ascending (`Clustering::read`).
    pub read: &'a [u32],
    pub records: &'a [crate::record::Record],
    pub roles: &'a [crate::record::Role],
    /// Whether the reader decided where every entry outside a free pattern goes
    /// (`ReaderUse::decides`).
    pub decides: bool,
    /// How clearly it read the log, where it was used (`guided::reader_clarity`).
    pub clarity: Option<f64>,
}

impl Readings<'_> {
    /// The words that made the reader read `tendency` in entry `i`, when the reader placed it
    /// (empty otherwise).
    pub fn evidence(&self, i: usize, tendency: usize) -> Vec<String> {
        let placed = u32::try_from(i).is_ok_and(|i| self.read.binary_search(&i).is_ok());
        match self.records.get(i) {
            Some(rec) if placed => {
                self.reader
                    .evidence_record(rec, self.roles, tendency, EVIDENCE_WORDS)
            }
            _ => Vec::new(),
        }
    }
}

/// A reading in a run's terms: the likeliest tendency (index into the run's list), its
/// probability, and the probability of every tendency of the list (0 for those the reader lacks).
#[derive(Debug, Clone, PartialEq)]
pub struct RunReading {
    pub tendency: usize,
    pub p: f32,
    pub probs: Vec<f32>,
}

impl RunReader {
    /// What the reader reads when the log's words are shuffled across its entries (each field's
    /// words drawn at random from that field's words in all entries, each entry keeping its
    /// number of words per field), over `rounds` shuffles (`Shuffled`). `entries` are the
    /// entries' fields; their order does not change the result.
    pub fn shuffled(&self, entries: &[Vec<&str>], min_p: f32, rounds: u32, seed: u64) -> Shuffled {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        use rayon::prelude::*;
        let mut sorted: Vec<&Vec<&str>> = entries.iter().collect();
        crate::sorting::unstable(&mut sorted[..]);
        let n_fields = sorted.iter().map(|e| e.len()).max().unwrap_or(0);
        let pools: Vec<Vec<&str>> = (0..n_fields)
            .map(|f| {
                sorted
                    .iter()
                    .flat_map(|e| e.get(f).map_or("", |s| s).split_whitespace())
                    .collect()
            })
            .collect();
        let n = sorted.len().max(1) as f64;
        let own = Spread::of(sorted.iter().map(|e| self.reader.read_all(e)), min_p);
        // Each round is seeded by its number, so the rounds run in parallel and are collected in
        // round order: the result does not depend on the threads.
        let per_round: Vec<Spread> = (0..rounds)
            .into_par_iter()
            .map(|r| {
                let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed ^ u64::from(r));
                let mut drawn: Vec<std::vec::IntoIter<&str>> = pools
                    .iter()
                    .map(|p| {
                        let mut words = p.clone();
                        words.shuffle(&mut rng);
                        words.into_iter()
                    })
                    .collect();
                let readings = sorted.iter().map(|e| {
                    let fields: Vec<String> = (0..n_fields)
                        .map(|f| {
                            let k = e.get(f).map_or(0, |s| s.split_whitespace().count());
                            drawn[f].by_ref().take(k).collect::<Vec<_>>().join(" ")
                        })
                        .collect();
                    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
                    self.reader.read_all(&refs)
                });
                Spread::of(readings, min_p)
            })
            .collect();
        let firm: usize = per_round.iter().map(|s| s.firm).sum();
        let means: Vec<f64> = per_round.iter().map(|s| s.top / n).collect();
        let infos: Vec<f64> = per_round.iter().map(|s| s.information).collect();
        Shuffled {
            firm: firm as f64 / f64::from(rounds.max(1)),
            z: standard_score(own.top / n, &means),
            z_information: standard_score(own.information, &infos),
        }
    }
}

/// What the reader reads in a set of entries: the entries read with p ≥ a minimum, the sum of
/// the top probabilities (0 for an entry it reads nothing in), and the information the entries
/// carry about the reader's classes.
struct Spread {
    firm: usize,
    top: f64,
    /// H(mean reading) − mean H(reading), in nats, over the entries the reader reads: the mutual
    /// information between an entry and its class. Entries that each say a different tendency
    /// carry much; entries that all read alike (words shuffled across them, or a trade's words
    /// that lean every entry towards one class) carry little.
    information: f64,
}

impl Spread {
    fn of(readings: impl Iterator<Item = Option<(Reading, Vec<f64>)>>, min_p: f32) -> Spread {
        let (mut firm, mut top, mut read) = (0, 0.0, 0usize);
        let (mut mean, mut own_entropy): (Vec<f64>, f64) = (Vec::new(), 0.0);
        for (reading, probs) in readings.flatten() {
            firm += usize::from(reading.p >= min_p);
            top += f64::from(reading.p);
            read += 1;
            if mean.len() < probs.len() {
                mean.resize(probs.len(), 0.0);
            }
            for (m, p) in mean.iter_mut().zip(&probs) {
                *m += p;
            }
            own_entropy += entropy(probs.iter().copied());
        }
        let information = if read == 0 {
            0.0
        } else {
            let r = read as f64;
            (entropy(mean.iter().map(|m| m / r)) - own_entropy / r).max(0.0)
        };
        Spread {
            firm,
            top,
            information,
        }
    }
}

/// Shannon entropy in nats of a distribution.
fn entropy(p: impl Iterator<Item = f64>) -> f64 {
    -p.filter(|&x| x > 0.0).map(|x| x * x.ln()).sum::<f64>()
}

/// How many sample standard deviations of `sample` `x` lies above its mean (0 for fewer than
/// two values or no spread).
fn standard_score(x: f64, sample: &[f64]) -> f64 {
    if sample.len() < 2 {
        return 0.0;
    }
    let m = sample.iter().sum::<f64>() / sample.len() as f64;
    let var = sample.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (sample.len() - 1) as f64;
    if var > 0.0 {
        (x - m) / var.sqrt()
    } else {
        0.0
    }
}

/// What the reader reads in a log's words shuffled across its entries (`RunReader::shuffled`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shuffled {
    /// The entries read with p ≥ the asked minimum (as any tendency), averaged over the shuffles.
    pub firm: f64,
    /// The log's own mean top probability (an entry's most probable tendency's probability, 0
    /// for an entry the reader reads nothing in) minus the shuffles' mean of it, in standard
    /// deviations of the shuffles (0 with fewer than two shuffles or no spread). An entry that
    /// says one tendency reads clearer than a mix of words from several.
    pub z: f64,
    /// The information the log's entries carry about the reader's classes (`Spread`) minus the
    /// shuffles' mean of it, in their standard deviations. Where a trade's own words lean every
    /// entry, shuffled or not, towards one tendency, the entries still differ from one another
    /// only when they say different tendencies.
    pub z_information: f64,
}

impl RunReading {
    /// The probability the reader gives tendency `t` of the run's list.
    pub fn p_of(&self, t: usize) -> f32 {
        self.probs.get(t).copied().unwrap_or(0.0)
    }
}

/// A reader tied to a run's tendency list: its readings are tendencies of the list.
#[derive(Debug, Clone)]
pub struct RunReader {
    pub reader: Reader,
    /// Per reader class, the index of the tendency with that id in the run's list.
    to_run: Vec<Option<usize>>,
}

impl Reader {
    /// This reader for a run whose tendencies are `list` (classes the list lacks read as
    /// nothing).
    pub fn for_run(self, list: &[super::Tendency]) -> RunReader {
        let to_run = self
            .classes
            .iter()
            .map(|c| list.iter().position(|t| &t.id == c))
            .collect();
        RunReader {
            reader: self,
            to_run,
        }
    }
}

impl RunReader {
    /// What the reader reads in `rec`'s `roles` fields; `None` when it reads nothing or its
    /// likeliest class is a tendency the list lacks.
    pub fn read_record(
        &self,
        rec: &crate::record::Record,
        roles: &[crate::record::Role],
    ) -> Option<RunReading> {
        let fields: Vec<&str> = roles.iter().map(|&r| rec.field(r)).collect();
        let (x, all) = self.reader.read_all(&fields)?;
        let tendency = self.to_run.get(x.class as usize).copied().flatten()?;
        let mut probs = vec![0.0f32; self.to_run.iter().flatten().max().map_or(0, |&t| t + 1)];
        for (c, t) in self.to_run.iter().enumerate() {
            if let Some(t) = *t {
                probs[t] = all[c] as f32;
            }
        }
        Some(RunReading {
            tendency,
            p: x.p,
            probs,
        })
    }

    /// Why the reader reads `tendency` (index into the run's list) in `rec`'s `roles` fields:
    /// `Reader::evidence`, empty for a tendency the reader does not know.
    pub fn evidence_record(
        &self,
        rec: &crate::record::Record,
        roles: &[crate::record::Role],
        tendency: usize,
        n: usize,
    ) -> Vec<String> {
        let Some(class) = self.to_run.iter().position(|&t| t == Some(tendency)) else {
            return Vec::new();
        };
        let fields: Vec<&str> = roles.iter().map(|&r| rec.field(r)).collect();
        self.reader.evidence(&fields, class, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_reader_loads_and_knows_the_failure_log_tendencies() {
        let r = Reader::builtin();
        for id in [
            "estimate",
            "conversation",
            "overcommit",
            "scope",
            "escalation",
        ] {
            assert!(r.classes.iter().any(|c| c == id), "{id}");
        }
        assert!(r.features.len() > 1000);
    }

    #[test]
    fn the_analyzer_matches_the_trainers() {
        let r = Reader::builtin();
        // Python: analyzer("I said YES to the 2 extra projects_x, didn't I?") minus pairs.
        assert_eq!(
            r.stems(&["I said YES to the 2 extra projects_x,", "didn't I?"]),
            ["said", "yes", "extra", "projects_x", "didn"]
        );
        assert!(r.stems(&["", "  ", "42 7"]).is_empty());
    }

    #[test]
    fn readings_are_probabilities_and_say_the_obvious() {
        let r = Reader::builtin();
        let read = |t: &str| {
            let x = r.read(&[t]).unwrap();
            (r.classes[x.class as usize].as_str(), x.p)
        };
        let (c, p) = read("I said yes to every request and took on far too much again");
        assert_eq!(c, "overcommit");
        assert!(p > 0.3 && p <= 1.0, "{p}");
        let (c, _) = read("The certificate expired over the weekend and nobody renewed it");
        assert_eq!(c, "expiry");
        assert_eq!(r.read(&["zzzqx qqqvv"]), None);
    }

    #[test]
    fn evidence_is_passages_of_the_entry_that_say_the_class() {
        let r = Reader::builtin();
        let class = |id: &str| r.classes.iter().position(|c| c == id).unwrap();
        let text =
            "Weather was fine. I said YES to  the extra\nreview and took on far too much again.";
        let ev = r.evidence(&[text, ""], class("overcommit"), 2);
        assert!(!ev.is_empty() && ev.len() <= 2, "{ev:?}");
        let flat = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        for e in &ev {
            assert!(flat.contains(e.as_str()), "{e:?}");
            assert!(!e.contains('.') && e.split(' ').count() <= 8, "{e:?}");
        }
        assert!(
            ev.iter().any(|e| e.contains("yes") || e.contains("took")),
            "{ev:?}"
        );
        // Nothing about the weather: it says nothing of overcommitment.
        assert!(ev.iter().all(|e| !e.contains("weather")), "{ev:?}");
        // No class, no words, or words that say nothing: no evidence, and no panic.
        assert!(r.evidence(&[text], r.classes.len(), 2).is_empty());
        assert!(r.evidence(&["", "  "], class("overcommit"), 2).is_empty());
        assert!(r
            .evidence(&["zzzqx qqqvv"], class("overcommit"), 2)
            .is_empty());
        assert!(r.evidence(&["ünïcödé — ½ 🎉 x"], 0, 3).len() <= 3);
    }

    #[test]
    fn shuffled_readings_are_order_free_and_bounded() {
        let list = crate::tendency::builtin();
        let r = Reader::builtin().for_run(&list);
        let entries: Vec<Vec<&str>> = vec![
            vec!["I said yes to every request and took on too much", "Say no"],
            vec!["The certificate expired over the weekend", ""],
            vec!["We shipped the config change without review", "Review it"],
            vec!["I never told the client the date had slipped", ""],
        ];
        let s = r.shuffled(&entries, 0.4, 8, 7);
        let mut rev = entries.clone();
        rev.reverse();
        assert_eq!(s, r.shuffled(&rev, 0.4, 8, 7));
        assert!((0.0..=4.0).contains(&s.firm));
        // Every entry reads at p >= 0: the whole log, each round.
        assert_eq!(r.shuffled(&entries, 0.0, 8, 7).firm, 4.0);
        assert_eq!(r.shuffled(&entries, 0.4, 1, 7).z, 0.0);
        assert_eq!(r.shuffled(&[], 0.4, 8, 7), Shuffled::default());
    }

    /// `Shuffled::z`: entries that each say one tendency read clearer than their words shuffled
    /// across them; entries that are already such a mix do not.
    #[test]
    fn shuffled_z_tells_entries_from_their_words_mixed() {
        let r = Reader::builtin().for_run(&crate::tendency::builtin());
        let clear = [
            "I said yes to every request and took on far too much again",
            "The TLS certificate expired over the weekend and nobody had renewed it",
            "I never told the client the date had slipped until the week before",
            "We estimated two weeks and it took six, planned for the best case",
            "Agreed to cover the extra shifts on top of my own caseload",
            "The insurance policy lapsed because the renewal letter went to the old address",
            "Put off telling him his work was not good enough until the review",
            "The migration took three times longer than the plan said",
            "Took on the school fair as well as the accounts and had no evenings left",
            "The vendor's API went down and we had no second supplier to switch to",
            "Kept quiet about the overspend until the board meeting found it",
            "The domain registration ran out and the website went dark for a day",
        ];
        let clear_entries: Vec<Vec<&str>> = clear.iter().map(|t| vec![*t]).collect();
        let clear_null = r.shuffled(&clear_entries, 0.4, 32, 3);
        // The same words dealt round-robin: every entry gets words of every tendency.
        let words: Vec<&str> = clear.iter().flat_map(|t| t.split_whitespace()).collect();
        let mut mixed = vec![String::new(); clear.len()];
        for (i, w) in words.iter().enumerate() {
            let m = &mut mixed[i % clear.len()];
            if !m.is_empty() {
                m.push(' ');
            }
            m.push_str(w);
        }
        let entries: Vec<Vec<&str>> = mixed.iter().map(|t| vec![t.as_str()]).collect();
        let mixed_null = r.shuffled(&entries, 0.4, 32, 3);
        let (clear, mixed) = (clear_null, mixed_null);
        assert!(clear.z >= crate::cluster::rule::READER_ALONE_Z, "{clear:?}");
        assert!(mixed.z < 2.0, "{mixed:?}");
        assert!(
            clear.z_information >= crate::cluster::rule::READER_ALONE_Z_INFORMATION,
            "{clear:?}"
        );
        assert!(mixed.z_information < 2.0, "{mixed:?}");
    }

    /// `tests/data/reader/expected.tsv` (scripts/reader_fixture.py): what the trainer's own
    /// analyzer and arithmetic read in 63 texts with the shipped file.
    #[test]
    fn reads_exactly_as_the_trainer() {
        let r = Reader::builtin();
        let expected = include_str!("../../tests/data/reader/expected.tsv");
        let mut n = 0;
        for line in expected.lines() {
            let c: Vec<&str> = line.split('\t').collect();
            let got = r.read(&c[..3]);
            match (c[3], got) {
                ("-", None) => {}
                (class, Some(x)) => {
                    assert_eq!(r.classes[x.class as usize], class, "{line}");
                    let p: f32 = c[4].parse().unwrap();
                    assert!((x.p - p).abs() < 1e-4, "{line}: {} against {p}", x.p);
                }
                (class, None) => panic!("{line}: nothing read, the trainer read {class}"),
            }
            n += 1;
        }
        assert_eq!(n, 63);
    }

    #[test]
    fn bad_reader_text_is_an_error_not_a_panic() {
        assert!(Reader::parse("").is_err());
        assert!(Reader::parse("classes\ta\tb\nbias\t0\n").is_err());
        assert!(Reader::parse("classes\ta\nbias\t0\nf\tx\t1\t0\t0\n").is_err());
        assert!(Reader::parse("classes\ta\nbias\tNaN\n").is_err());
        assert!(Reader::parse("classes\ta\nbias\t0\nf\tx\t1\tpi\n").is_err());
        assert!(Reader::parse("classes\ta\nbias\t0\nf\tx\t1\t0.5\n").is_ok());
    }
}
