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
        let stemmer = Stemmer::create(Algorithm::English);
        let mut out = Vec::new();
        let mut word = String::new();
        let mut push = |word: &mut String| {
            let chars = word.chars().count();
            let keep = chars >= 2
                && !word.chars().all(|c| c.is_numeric())
                && !self.stop.iter().any(|s| s == word);
            if keep {
                out.push(stemmer.stem(word).into_owned());
            }
            word.clear();
        };
        for field in fields {
            for c in field.chars() {
                if c.is_alphanumeric() || c == '_' {
                    word.extend(c.to_lowercase());
                } else {
                    push(&mut word);
                }
            }
            push(&mut word);
        }
        out
    }

    /// Reads one entry's text fields: the most likely class and its probability, or `None`
    /// when no word of the entry is a feature.
    pub fn read(&self, fields: &[&str]) -> Option<Reading> {
        let stems = self.stems(fields);
        let mut tf: Vec<(u32, u32)> = Vec::new();
        let mut pair = String::new();
        for (i, s) in stems.iter().enumerate() {
            if let Some(&f) = self.index.get(s.as_str()) {
                tf.push((f, 1));
            }
            if let Some(next) = stems.get(i + 1) {
                pair.clear();
                pair.push_str(s);
                pair.push(' ');
                pair.push_str(next);
                if let Some(&f) = self.index.get(pair.as_str()) {
                    tf.push((f, 1));
                }
            }
        }
        if tf.is_empty() {
            return None;
        }
        tf.sort_unstable();
        tf.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 += b.1;
            }
            same
        });
        let k = self.classes.len();
        let vals: Vec<f64> = tf
            .iter()
            .map(|&(f, n)| (1.0 + f64::from(n).ln()) * f64::from(self.idf[f as usize]))
            .collect();
        let norm = vals.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut logits: Vec<f64> = self.bias.iter().map(|&b| f64::from(b)).collect();
        for (&(f, _), v) in tf.iter().zip(&vals) {
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
        Some(Reading {
            class: class as u16,
            p: ((best - max).exp() / sum) as f32,
        })
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
    /// The tendency (index into the run's list) the reader reads in `rec`'s `roles` fields,
    /// and its probability; `None` when it reads nothing or a tendency the list lacks.
    pub fn read_record(
        &self,
        rec: &crate::record::Record,
        roles: &[crate::record::Role],
    ) -> Option<(usize, f32)> {
        let fields: Vec<&str> = roles.iter().map(|&r| rec.field(r)).collect();
        let x = self.reader.read(&fields)?;
        self.to_run
            .get(x.class as usize)
            .copied()
            .flatten()
            .map(|t| (t, x.p))
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
