//! Model: a fitted run saved to a file, and read back to place new entries without a refit.
//!
//! In: a finished analysis (language and stop words, text roles, the tendency list, the kept
//! terms with their idf weights, the projection, the assignment rule and the named patterns), or
//! a model file's bytes. Out: `Model` (`from_run`, `decode`), its bytes (`encode`), and
//! `Placer`, which places one record exactly as analyze placed it.
//! Format: docs/model-format.md (magic `RECURMDL`, format version, little-endian fields, an
//! FNV-1a 64 checksum over everything before it).
//! Invariants: the same run gives the same bytes (every list in a fixed order); decoding never
//! panics and never allocates more than the file's size says is there: any bad, truncated,
//! foreign or newer file is a `ModelError` naming the byte offset and what was wrong.

use crate::cluster::AssignRule;
use crate::record::{Record, Role};
use crate::reduce::Projection;
use crate::tendency::{EntryMatch, Matcher, RunReader, Tendency};
use crate::text::{for_each_word, Language, EMAIL, NUM, URL};
use ndarray::Array2;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"RECURMDL";
/// The format this recur writes and reads.
pub const FORMAT_VERSION: u32 = 4;
/// Pattern ids a model may hold, at most (ids grow by one per new pattern and refit).
pub const MAX_ID: u32 = 1_000_000;

/// Why a model file cannot be used (the caller adds the file's name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("not a recur model file (it does not start with RECURMDL)")]
    NotAModel,
    #[error("truncated model file: {bytes} bytes, the header alone takes 20")]
    NoHeader { bytes: usize },
    #[error("model format version {found}, but this recur ({}) reads only version {FORMAT_VERSION}; refit with `recur analyze --save-model` using this recur", env!("CARGO_PKG_VERSION"))]
    Version { found: u32 },
    #[error("truncated model file: {bytes} bytes, its header says {expected}")]
    Truncated { bytes: usize, expected: u128 },
    #[error("model file has {extra} bytes after its end (at byte {end})")]
    Trailing { extra: u128, end: u128 },
    #[error("model file is corrupt: checksum {stored:016x} stored, {computed:016x} computed")]
    Checksum { stored: u64, computed: u64 },
    #[error("model body ends at byte {at}, {missing} bytes early")]
    EndsEarly { at: usize, missing: usize },
    /// A field of the body cannot be read (the message names the field and its byte).
    #[error("{0}")]
    Body(String),
    /// The fields read but do not agree with each other.
    #[error("inconsistent model: {0}")]
    Inconsistent(String),
}

/// One saved pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPattern {
    pub id: u32,
    pub label: String,
    pub tendency: Option<String>,
    pub tendency_id: Option<String>,
    pub tendency_index: Option<u32>,
    pub seeded: bool,
    pub size: u64,
    pub share: f64,
    pub terms: Vec<String>,
}

/// Everything needed to place new entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub recur_version: String,
    pub language: String,
    /// Every stop word of the run (built-in and `--stopwords`), sorted.
    pub stopwords: Vec<String>,
    pub text_roles: Vec<Role>,
    pub seed: u64,
    /// `auto` or the fixed number of patterns.
    pub k_choice: String,
    pub lexicon: bool,
    pub min_df: u32,
    pub max_df: f64,
    pub bigrams: bool,
    pub tendencies: Vec<Tendency>,
    /// The stems the kept terms are made of, sorted.
    pub stems: Vec<String>,
    /// Per term: its first stem and its second (`u32::MAX` for a single stem), and its idf.
    pub terms: Vec<(u32, u32)>,
    pub idf: Vec<f32>,
    pub dims: u32,
    /// n_terms × dims row-major, or `None` for the identity.
    pub components: Option<Vec<f32>>,
    pub rule: AssignRule,
    pub entries: u64,
    pub unassigned: u64,
    /// The id the next new pattern gets (ids are never reused across refits).
    pub next_id: u32,
    pub patterns: Vec<SavedPattern>,
    /// The learned reader the run used (when `rule.reader` is set).
    pub reader: Option<crate::tendency::Reader>,
}

/// FNV-1a 64 of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What a finished analysis hands to `Model::from_run`.
pub struct RunParts<'a> {
    pub config: &'a crate::config::Config,
    pub records: &'a [Record],
    pub corpus: &'a crate::text::Corpus,
    pub vectors: &'a crate::vectorize::Vectors,
    pub projection: &'a Projection,
    pub clustering: &'a crate::cluster::Clustering,
    pub patterns: &'a crate::patterns::Patterns,
    /// Each pattern's id as shown (stable ids with `--previous`), by internal label - 1.
    pub shown_ids: &'a [u32],
    pub next_id: u32,
    /// The learned reader the run used, if any.
    pub reader: Option<&'a crate::tendency::Reader>,
}

impl Model {
    /// The model of a finished analysis.
    pub fn from_run(r: RunParts) -> Model {
        let c = r.config;
        let n = r.records.len();
        // The stems the kept terms use, renumbered compactly (sorted, as the corpus's are).
        let mut used: Vec<u32> = r
            .vectors
            .terms
            .iter()
            .flat_map(|t| std::iter::once(t.first).chain(t.second))
            .collect();
        crate::sorting::unstable(&mut used[..]);
        used.dedup();
        let compact: FxHashMap<u32, u32> = used
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, i as u32))
            .collect();
        let stems = used
            .iter()
            .map(|&s| r.corpus.stems[s as usize].clone())
            .collect();
        let terms = r
            .vectors
            .terms
            .iter()
            .map(|t| {
                (
                    compact[&t.first],
                    t.second.map_or(u32::MAX, |s| compact[&s]),
                )
            })
            .collect();
        let mut stopwords: Vec<String> = c.language.stopwords.iter().cloned().collect();
        crate::sorting::unstable(&mut stopwords[..]);
        let mut rule = r.clustering.rule.clone();
        rule.ids.resize(rule.kc(), 0);
        for id in rule.ids.iter_mut() {
            if *id != 0 {
                *id = r.shown_ids.get(*id as usize - 1).copied().unwrap_or(*id);
            }
        }
        let patterns = r
            .patterns
            .patterns
            .iter()
            .map(|p| SavedPattern {
                id: r.shown_ids.get(p.id as usize - 1).copied().unwrap_or(p.id),
                label: p.label.clone(),
                tendency: p.tendency.clone(),
                tendency_id: p.tendency_id.clone(),
                tendency_index: p.tendency_index.map(|t| t as u32),
                seeded: p.seeded,
                size: p.size as u64,
                share: p.share,
                terms: p.terms.iter().map(|t| t.0.clone()).collect(),
            })
            .collect();
        let cp = &c.cluster;
        Model {
            recur_version: env!("CARGO_PKG_VERSION").to_string(),
            language: c.language.name.to_string(),
            stopwords,
            text_roles: c.text_roles.clone(),
            seed: c.seed,
            k_choice: match cp.k() {
                crate::cluster::KChoice::Auto => "auto".into(),
                crate::cluster::KChoice::Fixed(k) => k.to_string(),
            },
            lexicon: c.lexicon,
            min_df: c.vectorize.min_df(n) as u32,
            max_df: c.vectorize.max_df(),
            bigrams: c.vectorize.bigrams(),
            tendencies: c.tendencies.clone(),
            stems,
            terms,
            idf: r.vectors.idf.clone(),
            dims: r.projection.dims as u32,
            components: r
                .projection
                .components()
                .map(|m| m.iter().copied().collect()),
            rule,
            entries: n as u64,
            unassigned: r.patterns.unassigned.as_ref().map_or(0, |p| p.size as u64),
            next_id: r.next_id,
            patterns,
            reader: r
                .reader
                .filter(|_| r.clustering.rule.reader.is_some())
                .cloned(),
        }
    }

    /// The model file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Body(Vec::new());
        b.str(&self.recur_version);
        b.str(&self.language);
        b.strs(&self.stopwords);
        b.u32(self.text_roles.len() as u32);
        for r in &self.text_roles {
            b.str(r.name());
        }
        b.u64(self.seed);
        b.str(&self.k_choice);
        b.u8(u8::from(self.lexicon));
        b.u32(self.min_df);
        b.f64(self.max_df);
        b.u8(u8::from(self.bigrams));
        b.u32(self.tendencies.len() as u32);
        for t in &self.tendencies {
            b.str(&t.id);
            b.str(&t.name);
            b.strs(&t.cues);
            b.strs(&t.hints);
        }
        b.strs(&self.stems);
        b.u32(self.terms.len() as u32);
        for (&(first, second), &idf) in self.terms.iter().zip(&self.idf) {
            b.u32(first);
            b.u32(second);
            b.f32(idf);
        }
        b.u32(self.dims);
        match &self.components {
            None => b.u8(0),
            Some(c) => {
                b.u8(1);
                c.iter().for_each(|&v| b.f32(v));
            }
        }
        let r = &self.rule;
        b.u8(u8::from(r.guided));
        b.u8(u8::from(r.strict));
        b.u8(u8::from(r.outliers));
        b.f64(r.outlier_similarity);
        b.u32(r.kc() as u32);
        r.centres.iter().for_each(|&v| b.f64(v));
        r.norms.iter().for_each(|&v| b.f64(v));
        for j in 0..r.kc() {
            b.u32(r.ids.get(j).copied().unwrap_or(0));
        }
        b.u32(r.n_tend as u32);
        r.tendency_norms.iter().for_each(|&v| b.f64(v));
        r.near.iter().for_each(|&v| b.f64(v));
        b.slots(&r.slot);
        // A small log's prior: a flag, then per tendency slot a flag and ln of its share.
        match &r.prior {
            None => b.u8(0),
            Some(prior) => {
                b.u8(1);
                for share in prior.log_shares() {
                    match share {
                        None => b.u8(0),
                        Some(v) => {
                            b.u8(1);
                            b.f64(*v);
                        }
                    }
                }
            }
        }
        b.u64(self.entries);
        b.u64(self.unassigned);
        b.u32(self.next_id);
        b.u32(self.patterns.len() as u32);
        for p in &self.patterns {
            b.u32(p.id);
            b.str(&p.label);
            b.str(p.tendency.as_deref().unwrap_or(""));
            b.str(p.tendency_id.as_deref().unwrap_or(""));
            b.u32(p.tendency_index.unwrap_or(u32::MAX));
            b.u8(u8::from(p.seeded));
            b.u64(p.size);
            b.f64(p.share);
            b.strs(&p.terms);
        }
        // Format 2: the reader, how it moves entries, and its model.
        match (&self.rule.reader, &self.reader) {
            (Some(u), Some(rd)) => {
                b.u8(1);
                b.f32(u.over);
                b.f32(u.unplaced);
                b.f32(u.cued);
                b.u8(u8::from(u.decides));
                b.u32(u.own as u32);
                b.slots(&u.slot);
                b.strs(&rd.classes);
                b.strs(&rd.stop);
                b.strs(&rd.features);
                rd.idf.iter().for_each(|&v| b.f32(v));
                rd.weights.iter().for_each(|&v| b.f32(v));
                rd.bias.iter().for_each(|&v| b.f32(v));
            }
            _ => b.u8(0),
        }
        let mut out = Vec::with_capacity(b.0.len() + 28);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(b.0.len() as u64).to_le_bytes());
        out.extend_from_slice(&b.0);
        let sum = fnv1a64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads a model file's bytes; see the module header.
    pub fn decode(bytes: &[u8]) -> Result<Model, ModelError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(ModelError::NotAModel);
        }
        if bytes.len() < 20 {
            return Err(ModelError::NoHeader { bytes: bytes.len() });
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(ModelError::Version { found: version });
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let want = (len as u128) + 28;
        if (bytes.len() as u128) < want {
            return Err(ModelError::Truncated {
                bytes: bytes.len(),
                expected: want,
            });
        }
        if (bytes.len() as u128) > want {
            return Err(ModelError::Trailing {
                extra: bytes.len() as u128 - want,
                end: want,
            });
        }
        let end = 20 + len as usize;
        let stored = u64::from_le_bytes(bytes[end..end + 8].try_into().expect("8 bytes"));
        let sum = fnv1a64(&bytes[..end]);
        if stored != sum {
            return Err(ModelError::Checksum {
                stored,
                computed: sum,
            });
        }
        let mut r = Reader {
            b: &bytes[..end],
            at: 20,
        };
        let m = read_body(&mut r)?;
        if r.at != end {
            return Err(ModelError::EndsEarly {
                at: r.at,
                missing: end - r.at,
            });
        }
        m.check()?;
        Ok(m)
    }

    /// Cross-checks the decoded fields (sizes and indices agree, numbers are finite).
    fn check(&self) -> Result<(), ModelError> {
        let bad = |m: &str| Err(ModelError::Inconsistent(m.to_string()));
        let ns = self.stems.len() as u32;
        if self
            .terms
            .iter()
            .any(|&(a, b)| a >= ns || (b != u32::MAX && b >= ns))
        {
            return bad("a term names a stem that is not in the stem table");
        }
        if self.idf.iter().any(|v| !v.is_finite()) {
            return bad("an idf weight is not finite");
        }
        let dims = self.dims as usize;
        if dims == 0 {
            return bad("zero dimensions");
        }
        if let Some(c) = &self.components {
            if c.len() != self.terms.len() * dims || c.iter().any(|v| !v.is_finite()) {
                return bad("the projection does not match the vocabulary");
            }
        } else if dims < self.terms.len() {
            return bad("an identity projection with fewer dimensions than terms");
        }
        let r = &self.rule;
        if r.dims != dims || r.centres.len() != r.kc() * dims {
            return bad("the centres do not match the projection");
        }
        if r.centres.iter().chain(&r.norms).any(|v| !v.is_finite()) {
            return bad("a centre is not finite");
        }
        if r.n_tend > r.kc() || r.slot.iter().any(|&s| s != usize::MAX && s >= r.n_tend) {
            return bad("a tendency names a centre that does not exist");
        }
        if r.guided && r.slot.len() != self.tendencies.len() {
            return bad("the tendency slots do not match the tendency list");
        }
        if r.prior.is_some() && !r.guided {
            return bad("a log prior without the tendency list");
        }
        if let Some(u) = &r.reader {
            if !r.guided || u.slot.len() != self.tendencies.len() || self.reader.is_none() {
                return bad("the reader's slots do not match the tendency list");
            }
            if u.own > r.kc().saturating_sub(r.n_tend)
                || u.slot.iter().any(|&s| s != usize::MAX && s >= r.kc())
            {
                return bad("the reader names a centre that does not exist");
            }
        }
        if r.prior
            .as_ref()
            .is_some_and(|p| p.log_shares().iter().flatten().any(|v| !v.is_finite()))
        {
            return bad("a log prior share is not a number");
        }
        if !(0.0..1.0).contains(&r.outlier_similarity) {
            return bad("the outlier similarity is outside [0, 1)");
        }
        if Language::new(&self.language).is_err() {
            return bad("unknown language");
        }
        let mut ids: Vec<u32> = self.patterns.iter().map(|p| p.id).collect();
        crate::sorting::unstable(&mut ids[..]);
        if ids.first() == Some(&0) || ids.windows(2).any(|w| w[0] == w[1]) {
            return bad("pattern ids must be distinct and at least 1");
        }
        if ids
            .iter()
            .chain(&r.ids)
            .chain([&self.next_id])
            .any(|&id| id > MAX_ID)
        {
            return bad("a pattern id is implausibly large");
        }
        if self.text_roles.is_empty() {
            return bad("no text role");
        }
        Ok(())
    }

    /// The model's language with its saved stop words.
    pub fn language(&self) -> Language {
        let mut l = Language::new(&self.language).expect("checked on decode");
        l.stopwords = self.stopwords.iter().cloned().collect();
        l
    }

    /// Share of the fitted entries in pattern `id` (0: no clear pattern).
    pub fn share_of(&self, id: u32) -> f64 {
        let n = self.entries.max(1) as f64;
        if id == 0 {
            return self.unassigned as f64 / n;
        }
        self.patterns
            .iter()
            .find(|p| p.id == id)
            .map_or(0.0, |p| p.size as f64 / n)
    }
}

struct Body(Vec<u8>);

impl Body {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    /// Centre indices (`usize::MAX`: none, as `u32::MAX`), after their count.
    fn slots(&mut self, slots: &[usize]) {
        self.u32(slots.len() as u32);
        for &s in slots {
            self.u32(if s == usize::MAX { u32::MAX } else { s as u32 });
        }
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn strs(&mut self, v: &[String]) {
        self.u32(v.len() as u32);
        v.iter().for_each(|s| self.str(s));
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ModelError> {
        if self.b.len() - self.at < n {
            return Err(ModelError::Body(format!(
                "model body ends inside {what} (at byte {}, {n} bytes needed, {} left)",
                self.at,
                self.b.len() - self.at
            )));
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8, ModelError> {
        Ok(self.take(1, what)?[0])
    }
    fn flag(&mut self, what: &str) -> Result<bool, ModelError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(ModelError::Body(format!(
                "{what} at byte {} is {v}, not 0 or 1",
                self.at - 1
            ))),
        }
    }
    fn u32(&mut self, what: &str) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self, what: &str) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }
    fn f32(&mut self, what: &str) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }
    fn f64(&mut self, what: &str) -> Result<f64, ModelError> {
        Ok(f64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }
    /// A count of items of at least `min` bytes each, checked against the bytes left, so a
    /// corrupt count cannot make the reader allocate more than the file holds.
    fn count(&mut self, min: usize, what: &str) -> Result<usize, ModelError> {
        let at = self.at;
        let n = self.u32(what)? as usize;
        if n.saturating_mul(min.max(1)) > self.b.len() - self.at {
            return Err(ModelError::Body(format!(
                "{what} at byte {at} counts {n} items, more than the file holds"
            )));
        }
        Ok(n)
    }
    fn str(&mut self, what: &str) -> Result<String, ModelError> {
        let n = self.count(1, what)?;
        let at = self.at;
        let s = self.take(n, what)?;
        String::from_utf8(s.to_vec())
            .map_err(|_| ModelError::Body(format!("{what} at byte {at} is not UTF-8")))
    }
    fn strs(&mut self, what: &str) -> Result<Vec<String>, ModelError> {
        let n = self.count(4, what)?;
        (0..n).map(|_| self.str(what)).collect()
    }
    fn f64s(&mut self, n: usize, what: &str) -> Result<Vec<f64>, ModelError> {
        if n.saturating_mul(8) > self.b.len() - self.at {
            return Err(ModelError::Body(format!(
                "model body ends inside {what} (at byte {})",
                self.at
            )));
        }
        (0..n).map(|_| self.f64(what)).collect()
    }
    /// `n` centre indices (`u32::MAX`: none, as `usize::MAX`).
    fn slots(&mut self, n: usize, what: &str) -> Result<Vec<usize>, ModelError> {
        (0..n)
            .map(|_| {
                self.u32(what).map(|s| {
                    if s == u32::MAX {
                        usize::MAX
                    } else {
                        s as usize
                    }
                })
            })
            .collect()
    }
}

fn read_body(r: &mut Reader) -> Result<Model, ModelError> {
    let recur_version = r.str("recur version")?;
    let language = r.str("language")?;
    let stopwords = r.strs("stop words")?;
    let n_roles = r.count(4, "text roles")?;
    let mut text_roles = Vec::with_capacity(n_roles);
    for _ in 0..n_roles {
        let name = r.str("text role")?;
        let role = Role::parse(&name).ok_or_else(|| {
            ModelError::Body(format!("unknown text role \"{name}\" in the model"))
        })?;
        text_roles.push(role);
    }
    let seed = r.u64("seed")?;
    let k_choice = r.str("pattern count")?;
    let lexicon = r.flag("lexicon flag")?;
    let min_df = r.u32("min_df")?;
    let max_df = r.f64("max_df")?;
    let bigrams = r.flag("phrases flag")?;
    let n_tend = r.count(16, "tendencies")?;
    let mut tendencies = Vec::with_capacity(n_tend);
    for _ in 0..n_tend {
        tendencies.push(Tendency {
            id: r.str("tendency id")?,
            name: r.str("tendency name")?,
            cues: r.strs("tendency cues")?,
            hints: r.strs("tendency hints")?,
        });
    }
    let stems = r.strs("stems")?;
    let n_terms = r.count(12, "terms")?;
    let mut terms = Vec::with_capacity(n_terms);
    let mut idf = Vec::with_capacity(n_terms);
    for _ in 0..n_terms {
        terms.push((r.u32("term")?, r.u32("term")?));
        idf.push(r.f32("idf")?);
    }
    let dims = r.u32("dimensions")?;
    let components = if r.flag("projection flag")? {
        let n = n_terms.saturating_mul(dims as usize);
        if n.saturating_mul(4) > r.b.len() - r.at {
            return Err(ModelError::Body(format!(
                "model body ends inside the projection (at byte {})",
                r.at
            )));
        }
        Some(
            (0..n)
                .map(|_| r.f32("projection"))
                .collect::<Result<_, _>>()?,
        )
    } else {
        None
    };
    let guided = r.flag("guided flag")?;
    let strict = r.flag("strict flag")?;
    let outliers = r.flag("outliers flag")?;
    let outlier_similarity = r.f64("outlier similarity")?;
    let kc = r.count(8, "centres")?;
    let centres = r.f64s(kc.saturating_mul(dims as usize), "centres")?;
    let norms = r.f64s(kc, "centre norms")?;
    let ids = (0..kc)
        .map(|_| r.u32("pattern ids"))
        .collect::<Result<Vec<_>, _>>()?;
    let n_tc = r.count(16, "tendency centres")?;
    let tendency_norms = r.f64s(n_tc, "tendency norms")?;
    let near = r.f64s(n_tc, "tendency thresholds")?;
    let n_slot = r.count(4, "tendency slots")?;
    let slot = r.slots(n_slot, "tendency slot")?;
    let prior = if r.flag("prior flag")? {
        let shares = (0..n_slot)
            .map(|_| {
                Ok(if r.flag("prior share flag")? {
                    Some(r.f64("prior share")?)
                } else {
                    None
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Some(crate::cluster::prior::Prior::from_log_shares(shares))
    } else {
        None
    };
    let entries = r.u64("entries")?;
    let unassigned = r.u64("unassigned")?;
    let next_id = r.u32("next id")?;
    let n_pat = r.count(37, "patterns")?;
    let mut patterns = Vec::with_capacity(n_pat);
    for _ in 0..n_pat {
        let id = r.u32("pattern id")?;
        let label = r.str("pattern label")?;
        let tendency = Some(r.str("pattern tendency")?).filter(|s| !s.is_empty());
        let tendency_id = Some(r.str("pattern tendency id")?).filter(|s| !s.is_empty());
        let tendency_index = Some(r.u32("pattern tendency index")?).filter(|&t| t != u32::MAX);
        let seeded = r.flag("pattern seeded flag")?;
        let size = r.u64("pattern size")?;
        let share = r.f64("pattern share")?;
        let terms = r.strs("pattern terms")?;
        patterns.push(SavedPattern {
            id,
            label,
            tendency,
            tendency_id,
            tendency_index,
            seeded,
            size,
            share,
            terms,
        });
    }
    let (reader_use, reader) = if r.flag("reader flag")? {
        let over = r.f32("reader threshold")?;
        let unplaced = r.f32("reader threshold")?;
        let cued = r.f32("reader threshold")?;
        if [over, unplaced, cued]
            .iter()
            .any(|t| !(0.0..=1.0).contains(t))
        {
            return Err(ModelError::Inconsistent(format!(
                "reader thresholds {over}, {unplaced} and {cued} are not probabilities"
            )));
        }
        let decides = r.flag("reader decides flag")?;
        let own = r.u32("reader centres")? as usize;
        let n = r.count(4, "reader slots")?;
        let slot = r.slots(n, "reader slot")?;
        let classes = r.strs("reader classes")?;
        let stop = r.strs("reader stop words")?;
        let features = r.strs("reader features")?;
        let nf = features.len();
        let nw = nf.saturating_mul(classes.len());
        if nf.saturating_add(nw).saturating_mul(4) > r.b.len() - r.at {
            return Err(ModelError::Body(format!(
                "model body ends inside the reader's weights (at byte {})",
                r.at
            )));
        }
        let floats = |r: &mut Reader, n: usize, what: &str| {
            (0..n).map(|_| r.f32(what)).collect::<Result<Vec<_>, _>>()
        };
        let idf = floats(r, nf, "reader idf")?;
        let weights = floats(r, nw, "reader weights")?;
        let bias = floats(r, classes.len(), "reader bias")?;
        let rd = crate::tendency::Reader::new(classes, stop, features, idf, weights, bias)
            .map_err(|e| ModelError::Inconsistent(e.to_string()))?;
        (
            Some(crate::cluster::ReaderUse {
                over,
                unplaced,
                cued,
                slot,
                own,
                decides,
            }),
            Some(rd),
        )
    } else {
        (None, None)
    };
    Ok(Model {
        recur_version,
        language,
        stopwords,
        text_roles,
        seed,
        k_choice,
        lexicon,
        min_df,
        max_df,
        bigrams,
        tendencies,
        stems,
        terms,
        idf,
        dims,
        components,
        rule: AssignRule {
            dims: dims as usize,
            centres,
            norms,
            n_tend: n_tc,
            tendency_norms,
            near,
            slot,
            strict,
            prior,
            guided,
            outliers,
            outlier_similarity,
            ids,
            reader: reader_use,
        },
        entries,
        unassigned,
        next_id,
        patterns,
        reader,
    })
}

/// Reads and decodes a model file; every failure names the file.
pub fn load(path: &std::path::Path) -> crate::error::Result<Model> {
    let bytes = std::fs::read(path).map_err(|e| crate::error::Error::io(path, e))?;
    Model::decode(&bytes).map_err(|cause| crate::error::Error::Model {
        path: path.display().to_string(),
        cause,
    })
}

/// Where one entry went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Pattern id (0: no clear pattern).
    pub pattern: u32,
    /// Cosine similarity to the pattern's centre (to the nearest centre for 0).
    pub similarity: f32,
    pub cues: EntryMatch,
    /// The learned reader placed it (`AssignRule::reread`).
    pub read: bool,
}

/// A word that is a stop word (not a term token).
const STOP: u32 = u32::MAX - 1;
/// A word whose stem is in no kept term.
const UNKNOWN: u32 = u32::MAX;
/// No one-word term.
const NO_TERM: u32 = u32::MAX;
/// Words remembered per scratch before the cache starts over (bounds its memory).
const CACHE_MAX: usize = 1 << 18;

/// A model compiled for placing records: what analyze's text, vectorize, reduce and cluster
/// stages do to one entry, in that order, with the fitted vocabulary and centres.
pub struct Placer {
    pub model: Model,
    language: Language,
    matcher: Option<Arc<Matcher>>,
    stem_id: FxHashMap<String, u32>,
    /// Per stem: its one-word term (`NO_TERM`: none) and whether a two-word term starts with it.
    unigram: Vec<(u32, bool)>,
    bigram: PairMap,
    projection: Projection,
    reader: Option<RunReader>,
}

/// (first stem, second stem) → two-word term: open addressing over `u64` keys, at most half
/// full, so a lookup is a multiply and usually one compare.
struct PairMap {
    keys: Vec<u64>,
    values: Vec<u32>,
    mask: usize,
}

impl PairMap {
    const EMPTY: u64 = u64::MAX;

    fn new(pairs: &[(u64, u32)]) -> PairMap {
        let size = (pairs.len() * 2).next_power_of_two().max(8);
        let mut m = PairMap {
            keys: vec![Self::EMPTY; size],
            values: vec![0; size],
            mask: size - 1,
        };
        for &(k, v) in pairs {
            let mut i = m.slot(k);
            while m.keys[i] != Self::EMPTY && m.keys[i] != k {
                i = (i + 1) & m.mask;
            }
            m.keys[i] = k;
            m.values[i] = v;
        }
        m
    }

    #[inline]
    fn slot(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & self.mask
    }

    #[inline]
    fn get(&self, k: u64) -> Option<u32> {
        let mut i = self.slot(k);
        loop {
            let at = self.keys[i];
            if at == k {
                return Some(self.values[i]);
            }
            if at == Self::EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// Per-thread working memory of a `Placer`.
pub struct Scratch {
    stemmer: rust_stemmers::Stemmer,
    cue_stemmer: Option<rust_stemmers::Stemmer>,
    /// Normalized word → term stem token (or `STOP`/`UNKNOWN`) in the high half, cue token in
    /// the low half.
    cache: crate::wordmap::WordMap,
    tokens: Vec<u32>,
    stream: Vec<u32>,
    pub found: Vec<u32>,
    scores: Vec<f32>,
    idx: Vec<u32>,
    val: Vec<f32>,
    buf: Vec<f64>,
    terms: crate::vectorize::TermSet,
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl Placer {
    pub fn new(model: Model) -> Placer {
        let language = model.language();
        let matcher = (!model.tendencies.is_empty())
            .then(|| Arc::new(Matcher::new(&model.tendencies, &language)));
        let stem_id = model
            .stems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let mut unigram = vec![(NO_TERM, false); model.stems.len()];
        let mut bigram = Vec::new();
        for (t, &(a, b)) in model.terms.iter().enumerate() {
            if b == u32::MAX {
                unigram[a as usize].0 = t as u32;
            } else {
                unigram[a as usize].1 = true;
                bigram.push((pair(a, b), t as u32));
            }
        }
        let dims = model.dims as usize;
        let projection = Projection::from_parts(
            model.components.as_ref().map(|c| {
                Array2::from_shape_vec((model.terms.len(), dims), c.clone())
                    .expect("checked on decode")
            }),
            dims,
        );
        let reader = model
            .reader
            .clone()
            .filter(|_| model.rule.reader.is_some())
            .map(|r| r.for_run(&model.tendencies));
        Placer {
            reader,
            language,
            matcher,
            stem_id,
            unigram,
            bigram: PairMap::new(&bigram),
            projection,
            model,
        }
    }

    pub fn matcher(&self) -> Option<&Matcher> {
        self.matcher.as_deref()
    }

    /// The learned reader the model carries, tied to its tendency list.
    pub fn reader(&self) -> Option<&RunReader> {
        self.reader.as_ref()
    }

    pub fn scratch(&self) -> Scratch {
        Scratch {
            stemmer: self.language.stemmer(),
            cue_stemmer: self.matcher.as_ref().map(|m| m.stemmer()),
            cache: crate::wordmap::WordMap::with_capacity(256),
            tokens: Vec::new(),
            stream: Vec::new(),
            found: Vec::new(),
            scores: Vec::new(),
            idx: Vec::new(),
            val: Vec::new(),
            buf: vec![0.0; self.model.dims as usize],
            terms: crate::vectorize::TermSet::new(self.model.idf.len()),
        }
    }

    /// A word's stem token (or `STOP` / `UNKNOWN`) in the high half and its cue token in the
    /// low half: what the per-word cache remembers (out of line: each word is learnt once).
    #[cold]
    #[inline(never)]
    fn learn(
        &self,
        w: &str,
        stemmer: &rust_stemmers::Stemmer,
        cue_stemmer: Option<&rust_stemmers::Stemmer>,
    ) -> u64 {
        let stop = &self.language.stopwords;
        let is_stop =
            w == NUM || w == URL || w == EMAIL || w.chars().count() < 2 || stop.contains(w);
        let term = if is_stop {
            STOP
        } else {
            self.stem_id
                .get(stemmer.stem(w).as_ref())
                .copied()
                .unwrap_or(UNKNOWN)
        };
        let cue = match (&self.matcher, cue_stemmer) {
            (Some(m), Some(cs)) => m.token(w, cs),
            _ => crate::tendency::matcher::NONE,
        };
        (u64::from(term) << 32) | u64::from(cue)
    }

    /// Places one record as analyze placed it (see `cluster::rule`); `s.found` holds its cues.
    pub fn place(&self, rec: &Record, s: &mut Scratch) -> Placed {
        if s.cache.len() > CACHE_MAX {
            s.cache.clear();
        }
        s.tokens.clear();
        s.stream.clear();
        for (ri, &role) in self.model.text_roles.iter().enumerate() {
            if ri > 0 {
                s.stream.push(crate::tendency::matcher::SEP);
            }
            let Scratch {
                stemmer,
                cue_stemmer,
                cache,
                tokens,
                stream,
                ..
            } = s;
            for_each_word(rec.field(role), |w| {
                let v = match cache.get(w) {
                    Some(v) => v,
                    None => {
                        let v = self.learn(w, stemmer, cue_stemmer.as_ref());
                        cache.insert(w, v);
                        v
                    }
                };
                let term = (v >> 32) as u32;
                if term != STOP {
                    tokens.push(term);
                }
                stream.push(v as u32);
            });
        }
        // Cues, as the text stage finds them.
        s.found.clear();
        let cues = match &self.matcher {
            Some(m) => {
                m.scan(&s.stream, &mut s.found);
                m.score(&s.found, &crate::text::FIELD_WEIGHTS, &mut s.scores)
            }
            None => EntryMatch::default(),
        };
        // Terms, as `Vectors::for_each_term` finds them.
        s.idx.clear();
        for (i, &t) in s.tokens.iter().enumerate() {
            if t == UNKNOWN {
                continue;
            }
            let (unigram, starts_bigram) = self.unigram[t as usize];
            if unigram != NO_TERM {
                s.idx.push(unigram);
            }
            if !starts_bigram {
                continue;
            }
            if let Some(&next) = s.tokens.get(i + 1) {
                if next != t && next != UNKNOWN {
                    if let Some(id) = self.bigram.get(pair(t, next)) {
                        s.idx.push(id);
                    }
                }
            }
        }
        s.terms.weigh(&mut s.idx, &mut s.val, &self.model.idf);
        let norm = self.projection.project_row(&s.idx, &s.val, &mut s.buf);
        let rule = &self.model.rule;
        let (mut centre, mut similarity) = rule.place(&s.buf, norm, Some(&cues), Some(&s.scores));
        let mut read = false;
        // The reader, for an entry that holds no cue of its centre's tendency (any entry outside
        // a free pattern where the reader decides or may overrule a cue).
        if let Some(reader) = &self.reader {
            let holds = rule
                .tendency_of(centre)
                .is_some_and(|t| s.scores.get(t).is_some_and(|&v| v > 0.0));
            let unplaced = rule.label(centre) == 0;
            let reads_cued = rule
                .reader
                .as_ref()
                .is_some_and(|u| u.cued > 0.0 || u.decides);
            if (!holds || reads_cued) && (unplaced || rule.tendency_of(centre).is_some()) {
                let reading = reader.read_record(rec, &self.model.text_roles);
                let at = (centre, unplaced, holds);
                if let Some(moved) = rule.reread(&s.buf, norm, at, reading.as_ref()) {
                    (centre, similarity) = moved;
                    read = moved.0 != crate::cluster::rule::NONE;
                }
            }
        }
        Placed {
            pattern: rule.label(centre),
            similarity,
            cues,
            read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tiny() -> Model {
        Model {
            recur_version: "0.1.0".into(),
            language: "english".into(),
            stopwords: vec!["the".into(), "a".into()],
            text_roles: vec![Role::RootCause, Role::Lesson],
            seed: 42,
            k_choice: "auto".into(),
            lexicon: true,
            min_df: 2,
            max_df: 0.5,
            bigrams: true,
            tendencies: vec![Tendency {
                id: "overcommit".into(),
                name: "Overcommitment".into(),
                cues: vec!["said yes".into()],
                hints: vec!["busy".into()],
            }],
            stems: vec!["deadlin".into(), "miss".into(), "vendor".into()],
            terms: vec![(0, u32::MAX), (1, u32::MAX), (2, u32::MAX), (1, 0)],
            idf: vec![1.5, 1.2, 2.0, 2.5],
            dims: 2,
            components: Some(vec![0.5, 0.1, 0.4, 0.2, -0.1, 0.9, 0.6, 0.0]),
            rule: AssignRule {
                dims: 2,
                centres: vec![1.0, 0.0, 0.0, 1.0],
                norms: vec![1.0, 1.0],
                n_tend: 1,
                tendency_norms: vec![1.0],
                near: vec![0.3],
                slot: vec![0],
                strict: false,
                prior: None,
                guided: true,
                outliers: true,
                outlier_similarity: 0.2,
                ids: vec![1, 2],
                reader: Some(crate::cluster::ReaderUse {
                    over: 0.25,
                    unplaced: 0.15,
                    cued: 0.2,
                    slot: vec![0],
                    own: 0,
                    decides: false,
                }),
            },
            reader: Some(
                crate::tendency::Reader::new(
                    vec!["overcommit".into()],
                    vec!["the".into()],
                    vec!["said yes".into(), "yes".into()],
                    vec![1.0, 2.0],
                    vec![0.5, 0.25],
                    vec![0.0],
                )
                .unwrap(),
            ),
            entries: 10,
            unassigned: 1,
            next_id: 3,
            patterns: vec![SavedPattern {
                id: 1,
                label: "Overcommitment".into(),
                tendency: Some("Overcommitment".into()),
                tendency_id: Some("overcommit".into()),
                tendency_index: Some(0),
                seeded: true,
                size: 6,
                share: 0.6,
                terms: vec!["missed deadline".into()],
            }],
        }
    }

    #[test]
    fn encodes_and_decodes_to_the_same_model() {
        let m = tiny();
        let bytes = m.encode();
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(Model::decode(&bytes).unwrap(), m);
        assert_eq!(bytes, Model::decode(&bytes).unwrap().encode());
    }

    #[test]
    fn inconsistent_fields_are_refused() {
        let mut m = tiny();
        m.terms[0] = (9, u32::MAX);
        let e = Model::decode(&m.encode()).unwrap_err();
        assert!(
            matches!(&e, ModelError::Inconsistent(m) if m.contains("stem table")),
            "{e}"
        );
        let mut m = tiny();
        m.rule.slot = vec![5];
        assert!(Model::decode(&m.encode()).is_err());
        let mut m = tiny();
        m.language = "klingon".into();
        assert!(Model::decode(&m.encode()).is_err());
    }

    #[test]
    fn places_by_cues_and_words() {
        let p = Placer::new(tiny());
        let mut s = p.scratch();
        let rec = Record {
            root_cause: "I said yes to it all".into(),
            ..Default::default()
        };
        let placed = p.place(&rec, &mut s);
        assert_eq!(placed.pattern, 1, "{placed:?}");
        let none = Record {
            root_cause: "printer".into(),
            ..Default::default()
        };
        assert_eq!(p.place(&none, &mut s).pattern, 0);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Model::decode(&bytes);
            let mut framed = MAGIC.to_vec();
            framed.extend_from_slice(&bytes);
            prop_assert!(Model::decode(&framed).is_err());
        }

        #[test]
        fn every_truncation_and_corruption_is_an_error(cut in 0usize..1000, at in 0usize..1000, bit in 0u8..8) {
            let bytes = tiny().encode();
            let cut = cut % bytes.len();
            prop_assert!(Model::decode(&bytes[..cut]).is_err());
            let mut bad = bytes.clone();
            bad[at % bytes.len()] ^= 1 << bit;
            prop_assert!(Model::decode(&bad).is_err());
        }

        #[test]
        fn a_valid_checksum_over_a_garbled_body_is_still_refused_without_panic(
            body in proptest::collection::vec(any::<u8>(), 0..600)
        ) {
            let mut out = MAGIC.to_vec();
            out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            out.extend_from_slice(&(body.len() as u64).to_le_bytes());
            out.extend_from_slice(&body);
            let sum = fnv1a64(&out);
            out.extend_from_slice(&sum.to_le_bytes());
            let _ = Model::decode(&out);
        }

        #[test]
        fn a_checksummed_body_with_corrupted_counts_does_not_panic(at in 0usize..2000, v in any::<u32>()) {
            let bytes = tiny().encode();
            let end = bytes.len() - 8;
            let mut b = bytes[..end].to_vec();
            let at = 20 + at % (end - 24);
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
            let sum = fnv1a64(&b);
            b.extend_from_slice(&sum.to_le_bytes());
            let _ = Model::decode(&b);
        }
    }
}
