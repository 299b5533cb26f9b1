//! Text: records → stemmed token streams.
//!
//! In: the records and the roles whose text is analyzed, a language and extra stop words.
//! Out: `Corpus` — per entry the sequence of stem ids (stop words, numbers, URLs and e-mail
//! addresses removed), the stem table, and per stem the surface word seen most often, so that
//! labels read "underestimated timeline", not "underestim timelin". With a tendency `Matcher`,
//! also `Cues`: the cues found in each entry's full word stream (stop words included, fields
//! kept apart), its tendency scores, and for logs up to `NULL_MAX` entries what the same words
//! give when shuffled across the entries.
//! Invariants: `normalize` is idempotent; stem ids are assigned in sorted stem order and surface
//! words by (count, word), so the corpus does not depend on row order or thread count.

use crate::error::{Error, Result};
use crate::record::{Record, Role};
use crate::tendency::matcher::{self, EntryMatch, Matcher};
use rayon::prelude::*;
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Placeholders that stand for masked spans; they normalize to themselves and are never terms.
pub const NUM: &str = "xnumx";
pub const URL: &str = "xurlx";
pub const EMAIL: &str = "xemailx";

/// The languages rust-stemmers knows, with the stop-word list code for each.
pub const LANGUAGES: &[(&str, Algorithm, &str)] = &[
    ("arabic", Algorithm::Arabic, "ar"),
    ("danish", Algorithm::Danish, "da"),
    ("dutch", Algorithm::Dutch, "nl"),
    ("english", Algorithm::English, "en"),
    ("finnish", Algorithm::Finnish, "fi"),
    ("french", Algorithm::French, "fr"),
    ("german", Algorithm::German, "de"),
    ("greek", Algorithm::Greek, "el"),
    ("hungarian", Algorithm::Hungarian, "hu"),
    ("italian", Algorithm::Italian, "it"),
    ("norwegian", Algorithm::Norwegian, "no"),
    ("portuguese", Algorithm::Portuguese, "pt"),
    ("romanian", Algorithm::Romanian, "ro"),
    ("russian", Algorithm::Russian, "ru"),
    ("spanish", Algorithm::Spanish, "es"),
    ("swedish", Algorithm::Swedish, "sv"),
    ("tamil", Algorithm::Tamil, "ta"),
    ("turkish", Algorithm::Turkish, "tr"),
];

/// Words too common in failure logs to tell tendencies apart, on top of NLTK's English list.
const ENGLISH_EXTRA: &[&str] = &[
    "also", "would", "could", "us", "got", "get", "gets", "getting", "one", "even", "really",
    "much", "many", "still", "yet", "though", "etc", "via", "ie", "eg", "e.g", "i.e", "i'm",
    "i've", "i'd", "i'll", "we're", "we've", "we'd", "let", "lot", "lots", "thing", "things",
    "way", "made", "make", "bit", "quite", "maybe", "might", "must", "shall", "per", "within",
];

/// A language: its stemmer and its stop words.
#[derive(Debug, Clone)]
pub struct Language {
    pub name: &'static str,
    pub algorithm: Algorithm,
    pub stopwords: FxHashSet<String>,
}

impl Language {
    /// Looks a language up by name (case-insensitive) and loads its built-in stop words.
    pub fn new(name: &str) -> Result<Language> {
        let lower = name.trim().to_lowercase();
        let (name, algorithm, code) = LANGUAGES
            .iter()
            .find(|(n, _, code)| *n == lower || *code == lower)
            .copied()
            .ok_or_else(|| {
                let names: Vec<&str> = LANGUAGES.iter().map(|l| l.0).collect();
                Error::Param(format!(
                    "unknown language \"{name}\" (known: {})",
                    names.join(", ")
                ))
            })?;
        let mut stopwords: FxHashSet<String> = stop_words::lookup(code)
            .unwrap_or(&[])
            .iter()
            .map(|w| normalize(w))
            .collect();
        if algorithm == Algorithm::English {
            stopwords.extend(ENGLISH_EXTRA.iter().map(|w| w.to_string()));
        }
        Ok(Language {
            name,
            algorithm,
            stopwords,
        })
    }

    /// Adds stop words, one per line (`#` starts a comment).
    pub fn add_stopwords(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            for w in line.split([',', ' ', '\t']) {
                let w = normalize(w);
                if !w.is_empty() {
                    self.stopwords.insert(w);
                }
            }
        }
    }

    pub fn stemmer(&self) -> Stemmer {
        Stemmer::create(self.algorithm)
    }
}

fn is_url(chunk: &str) -> bool {
    let t = chunk.trim_matches(|c: char| !c.is_alphanumeric());
    t.contains("://") || t.starts_with("www.")
}

fn is_email(chunk: &str) -> bool {
    let t = chunk.trim_matches(|c: char| !c.is_alphanumeric());
    match t.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host
                    .split_once('.')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        }
        None => false,
    }
}

/// Lowercased NFKC text with typographic apostrophes made plain, written into `out`
/// (cleared first; a reused buffer, so ASCII text costs no allocation). Returns whether the
/// text was ASCII (then so is `out`).
fn fold_into(text: &str, out: &mut String) -> bool {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return true;
    }
    let lower = text.nfkc().collect::<String>().to_lowercase();
    // Lowercasing can leave text that is not NFKC again (e.g. 'İ'); one more pass settles it.
    out.extend(lower.nfkc().map(|c| {
        if c == '\u{2019}' || c == '\u{2018}' {
            '\''
        } else {
            c
        }
    }));
    false
}

thread_local! {
    /// Each thread's folding buffer (taken while in use, so nested calls stay safe).
    static FOLDED: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    /// ... and its word masks (`wordscan`).
    static MASKS: std::cell::Cell<crate::wordscan::Masks> = std::cell::Cell::new(crate::wordscan::Masks::default());
}

/// Byte classes for the ASCII paths (`CLASS[b]` is a set of these bits).
const WS: u8 = 1;
const WORD: u8 = 2;
const DIGIT: u8 = 4;
const ALPHA: u8 = 8;
/// '.', ':' and '@': a chunk with one of them may be a URL or an e-mail address.
const MARK: u8 = 16;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        // `char::is_whitespace` on ASCII: tab, line feed, vertical tab, form feed, CR, space.
        if matches!(c, 9..=13 | b' ') {
            t[b] |= WS;
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            t[b] |= WORD;
        }
        if c.is_ascii_digit() {
            t[b] |= DIGIT;
        }
        if c.is_ascii_alphabetic() {
            t[b] |= ALPHA;
        }
        if matches!(c, b'.' | b':' | b'@') {
            t[b] |= MARK;
        }
        b += 1;
    }
    t
};

/// Unicode word segmentation (UAX #29, as `unicode_words`) for ASCII text, without the general
/// state machine: letters, digits and `_` form words; `'`, `.` and `:` join two letters; `'`,
/// `.`, `,` and `;` join two digits. A property test checks it against `unicode_words`.
#[cfg(test)]
fn ascii_words<'a>(chunk: &'a str, mut f: impl FnMut(&'a str)) {
    ascii_words_digits(chunk, |w, _| f(w));
}

/// `ascii_words_digits` for `wordscan`'s tests.
#[cfg(test)]
pub(crate) fn ascii_words_for_tests<'a>(chunk: &'a str, f: impl FnMut(&'a str, bool)) {
    ascii_words_digits(chunk, f);
}

/// `ascii_words`, telling with each word whether it has a digit.
#[inline]
fn ascii_words_digits<'a>(chunk: &'a str, mut f: impl FnMut(&'a str, bool)) {
    let b = chunk.as_bytes();
    let class = |c: u8| CLASS[c as usize];
    let mut i = 0;
    while i < b.len() {
        if class(b[i]) & WORD == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut alnum = false;
        let mut digit = false;
        while i < b.len() {
            let c = b[i];
            let k = class(c);
            if k & WORD != 0 {
                alnum |= c != b'_';
                digit |= k & DIGIT != 0;
                i += 1;
                continue;
            }
            let (prev, next) = (class(b[i - 1]), b.get(i + 1).map_or(0, |&n| class(n)));
            let letters = prev & next & ALPHA != 0;
            let digits = prev & next & DIGIT != 0;
            let joins = match c {
                b'\'' | b'.' => letters || digits,
                b':' => letters,
                b',' | b';' => digits,
                _ => false,
            };
            if joins {
                i += 1;
            } else {
                break;
            }
        }
        if alnum {
            f(&chunk[start..i], digit);
        }
    }
}

/// `for_each_word`'s work on one whitespace-free chunk of folded text (the general path).
fn chunk_words(chunk: &str, f: &mut impl FnMut(&str)) {
    // Cheap byte tests first: trimming only removes characters at the ends, so a URL's chunk
    // contains "://" or "www." and an e-mail address's chunk contains '@'. Most chunks have
    // no '.', ':' or '@' at all, and memchr rules that out faster than a substring search.
    let bytes = chunk.as_bytes();
    let www = memchr::memchr(b'.', bytes).is_some() && chunk.contains("www.");
    let scheme = !www && memchr::memchr(b':', bytes).is_some() && chunk.contains("://");
    if (www || scheme) && is_url(chunk) {
        f(URL);
        return;
    }
    if memchr::memchr(b'@', bytes).is_some() && is_email(chunk) {
        f(EMAIL);
        return;
    }
    let mut word = |w: &str| {
        // Trimmed as a chunk is, so "_www.x" is a URL on the first pass, as it would be
        // on the second (normalize stays idempotent).
        if www && w.contains("www.") && is_url(w) {
            f(URL);
        } else if w.bytes().any(|b| b.is_ascii_digit())
            || (!w.is_ascii() && w.chars().any(char::is_numeric))
        {
            f(NUM);
        } else {
            f(w);
        }
    };
    if chunk.is_ascii() {
        ascii_words_digits(chunk, |w, _| word(w));
    } else {
        chunk.unicode_words().for_each(&mut word);
    }
}

/// `for_each_word` on folded ASCII text: one pass over the bytes finds the chunks (split at
/// ASCII whitespace, as `split_whitespace` splits ASCII text) and whether they hold '.', ':'
/// or '@'; only those go through `chunk_words`' URL and address tests.
fn ascii_text_words(text: &str, f: &mut impl FnMut(&str)) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && CLASS[b[i] as usize] & WS != 0 {
            i += 1;
        }
        let start = i;
        let mut marks = 0;
        while i < b.len() {
            let k = CLASS[b[i] as usize];
            if k & WS != 0 {
                break;
            }
            marks |= k;
            i += 1;
        }
        if start == i {
            break;
        }
        let chunk = &text[start..i];
        if marks & MARK != 0 {
            chunk_words(chunk, f);
        } else {
            ascii_words_digits(chunk, |w, digit| f(if digit { NUM } else { w }));
        }
    }
}

/// Calls `f` with each normalized word of `text`: NFKC, lowercase, Unicode word segmentation,
/// and URLs, e-mail addresses and numbers replaced by `URL`, `EMAIL`, `NUM`.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut folded = FOLDED.with(|c| c.take());
    if fold_into(text, &mut folded) {
        let mut masks = MASKS.with(|c| c.take());
        masks.build(folded.as_bytes());
        if masks.special() {
            ascii_text_words(&folded, &mut f);
        } else {
            masks.words(&folded, |w, digit| f(if digit { NUM } else { w }));
        }
        MASKS.with(|c| c.set(masks));
    } else {
        for chunk in folded.split_whitespace() {
            chunk_words(chunk, &mut f);
        }
    }
    FOLDED.with(|c| c.set(folded));
}

/// The normalized form of a text: its words (see `for_each_word`) joined by single spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for_each_word(text, |w| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    });
    out
}

/// Parameters of the text stage.
#[derive(Debug, Clone)]
pub struct TextParams {
    pub language: Language,
    /// Roles whose text is concatenated into each entry's document.
    pub roles: Vec<Role>,
    /// Tendency cues to find in each entry (stop words included), if any.
    pub matcher: Option<std::sync::Arc<Matcher>>,
}

/// What a cue counts for in the first analyzed field (the root cause) and in the others (the
/// lesson and the behavioural change say the tendency too, less directly).
pub const FIELD_WEIGHTS: [f32; 2] = [1.0, 0.7];

/// Every entry's stem ids (shared with `Vectors`, which computes TF-IDF rows from them on
/// demand instead of storing a matrix), kept in the blocks of `CHUNK` entries they were
/// tokenized in: no copy into one long stream, so building them never holds two copies.
#[derive(Debug, Clone, Default)]
pub struct Docs {
    parts: Vec<DocPart>,
    len: usize,
}

/// Up to `CHUNK` consecutive entries: `offsets[j]..offsets[j + 1]` are entry j's tokens.
#[derive(Debug, Clone, Default)]
struct DocPart {
    offsets: Vec<u32>,
    tokens: Vec<u32>,
}

impl Docs {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn doc(&self, i: usize) -> &[u32] {
        let part = &self.parts[i / CHUNK];
        let j = i % CHUNK;
        &part.tokens[part.offsets[j] as usize..part.offsets[j + 1] as usize]
    }

    /// Builds from per-entry token lists (tests, tools).
    pub fn from_lists(lists: &[Vec<u32>]) -> Docs {
        let parts = lists
            .chunks(CHUNK)
            .map(|block| {
                let mut p = DocPart {
                    offsets: vec![0],
                    tokens: Vec::new(),
                };
                for l in block {
                    p.tokens.extend(l);
                    p.offsets.push(p.tokens.len() as u32);
                }
                p
            })
            .collect();
        Docs {
            parts,
            len: lists.len(),
        }
    }
}

/// The text stage's output. Token ids index `stems` and `surface`.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub docs: std::sync::Arc<Docs>,
    /// Stem strings, sorted.
    pub stems: Vec<String>,
    /// Per stem, the surface word seen most often.
    pub surface: Vec<String>,
    /// Normalized word → stem id, for every non-stop word seen (used to re-read text for phrases).
    pub lexicon: FxHashMap<String, u32>,
    /// Normalized stop words (and placeholders) seen, kept so phrases can skip them.
    pub stopwords: FxHashSet<String>,
    /// Tendency cues found in each entry, when a matcher was given.
    pub cues: Option<Cues>,
}

/// Per entry, the tendency cues found in its text and its scores (see `tendency::matcher`).
#[derive(Debug, Clone)]
pub struct Cues {
    pub matcher: std::sync::Arc<Matcher>,
    /// Per entry, the cue codes `Matcher::scan` found.
    pub found: Docs,
    pub matches: Vec<EntryMatch>,
    /// Per tendency, the seeds expected from the same words in random order
    /// (`Matcher::shuffled_null`; all 0 for logs over `NULL_MAX` entries, whose counts dwarf it).
    pub null: Vec<f64>,
    /// ... and the strong seeds (score ≥ `cluster::guided::STRONG_SCORE`) they give.
    pub null_strong: Vec<f64>,
    /// ... and the concentration of their cue scores (`matcher::Mass`; 0 without the null).
    pub null_concentration: f64,
    /// ... and the entries with a phrase they give (`Matcher::has_phrase`; 0 without the null).
    pub null_phrases: f64,
}

/// Logs up to this size get the shuffled-words null (larger ones need no such check).
pub const NULL_MAX: usize = 20_000;
/// Shuffles averaged for the null.
const NULL_ROUNDS: u32 = 8;

impl Corpus {
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn doc(&self, i: usize) -> &[u32] {
        self.docs.doc(i)
    }

    /// Re-reads a text: calls `f` with its words in order, each with its stem id, or `None` for a
    /// stop word or a word never seen when the corpus was built.
    pub fn read_each(&self, text: &str, mut f: impl FnMut(&str, Option<u32>)) {
        for_each_word(text, |w| f(w, self.lexicon.get(w).copied()));
    }
}

const CHUNK: usize = 2048;

/// One chunk's local vocabulary and its entries' token streams (local word ids until `analyze`
/// remaps them to stem ids in place).
struct Local {
    words: Vec<String>,
    counts: Vec<u64>,
    part: DocPart,
}

fn tokenize_chunk(records: &[Record], roles: &[Role]) -> Local {
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    let mut local = Local {
        words: Vec::new(),
        counts: Vec::new(),
        part: DocPart {
            offsets: Vec::with_capacity(records.len() + 1),
            tokens: Vec::new(),
        },
    };
    local.part.offsets.push(0);
    for rec in records {
        for (r, &role) in roles.iter().enumerate() {
            if r > 0 {
                local.part.tokens.push(matcher::SEP);
            }
            for_each_word(rec.field(role), |w| {
                let id = match index.get(w) {
                    Some(&id) => id,
                    None => {
                        let id = local.words.len() as u32;
                        index.insert(w.to_string(), id);
                        local.words.push(w.to_string());
                        local.counts.push(0);
                        id
                    }
                };
                local.counts[id as usize] += 1;
                local.part.tokens.push(id);
            });
        }
        local.part.offsets.push(local.part.tokens.len() as u32);
    }
    local
}

/// Builds the corpus; see the module header.
pub fn analyze(records: &[Record], params: &TextParams) -> Corpus {
    let roles: &[Role] = if params.roles.is_empty() {
        &[Role::RootCause]
    } else {
        &params.roles
    };
    let locals: Vec<Local> = records
        .par_chunks(CHUNK)
        .map(|chunk| tokenize_chunk(chunk, roles))
        .collect();

    // Global word table: every distinct word with its total count.
    let mut totals: FxHashMap<&str, u64> = FxHashMap::default();
    for l in &locals {
        for (w, &c) in l.words.iter().zip(&l.counts) {
            *totals.entry(w.as_str()).or_insert(0) += c;
        }
    }
    // Cue tokens of every distinct word, stop words included.
    let cue_token: FxHashMap<String, u32> = match &params.matcher {
        Some(m) => {
            let all: Vec<&str> = totals.keys().copied().collect();
            all.par_chunks(4096)
                .flat_map_iter(|ws| {
                    let stemmer = m.stemmer();
                    ws.iter()
                        .map(|&w| (w, m.token(w, &stemmer)))
                        .filter(|&(_, t)| t != matcher::NONE)
                        .map(|(w, t)| (w.to_string(), t))
                        .collect::<Vec<_>>()
                })
                .collect()
        }
        None => FxHashMap::default(),
    };
    let stop = &params.language.stopwords;
    let is_stop =
        |w: &str| w == NUM || w == URL || w == EMAIL || w.chars().count() < 2 || stop.contains(w);
    let mut words: Vec<(&str, u64)> = totals.into_iter().filter(|(w, _)| !is_stop(w)).collect();
    crate::sorting::unstable(&mut words[..]);
    let stemmer = params.language.stemmer();
    let stemmed: Vec<String> = words
        .par_iter()
        .map(|(w, _)| stemmer.stem(w).into_owned())
        .collect();
    let mut stems: Vec<String> = stemmed.clone();
    crate::sorting::unstable(&mut stems[..]);
    stems.dedup();
    let stem_id: FxHashMap<&str, u32> = stems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    // Surface word per stem: most frequent, ties to the alphabetically first.
    let mut best: Vec<Option<(u64, &str)>> = vec![None; stems.len()];
    let mut lexicon: FxHashMap<String, u32> = FxHashMap::default();
    for ((w, c), s) in words.iter().zip(&stemmed) {
        let id = stem_id[s.as_str()];
        lexicon.insert(w.to_string(), id);
        let slot = &mut best[id as usize];
        if slot.is_none_or(|(bc, bw)| *c > bc || (*c == bc && *w < bw)) {
            *slot = Some((*c, w));
        }
    }
    let surface: Vec<String> = best
        .into_iter()
        .map(|b| b.map(|(_, w)| w.to_string()).unwrap_or_default())
        .collect();

    // Remap each chunk's local ids to stem ids in place, dropping stop words, and give the
    // unused capacity back (the streams shrink by about half; at a million entries that is
    // a few hundred MB less at the stage's peak).
    // Cues are found here, on the full word stream, before the stop words go.
    let mut locals = locals;
    let keep_streams = params.matcher.is_some() && records.len() <= NULL_MAX;
    let found: Vec<(DocPart, Vec<EntryMatch>, Vec<Vec<u32>>)> = locals
        .par_iter_mut()
        .map(|l| {
            let map: Vec<Option<u32>> = l
                .words
                .iter()
                .map(|w| lexicon.get(w.as_str()).copied())
                .collect();
            let cue_map: Vec<u32> = match params.matcher {
                Some(_) => l
                    .words
                    .iter()
                    .map(|w| cue_token.get(w.as_str()).copied().unwrap_or(matcher::NONE))
                    .collect(),
                None => Vec::new(),
            };
            let mut cues = DocPart {
                offsets: vec![0],
                tokens: Vec::new(),
            };
            let mut matches = Vec::new();
            let mut streams = Vec::new();
            let (mut stream, mut scores) = (Vec::new(), Vec::new());
            let p = &mut l.part;
            let mut kept = 0;
            for d in 0..p.offsets.len() - 1 {
                let (from, to) = (p.offsets[d] as usize, p.offsets[d + 1] as usize);
                if let Some(m) = &params.matcher {
                    stream.clear();
                    stream.extend(p.tokens[from..to].iter().map(|&t| match t {
                        matcher::SEP => matcher::SEP,
                        t => cue_map[t as usize],
                    }));
                    let at = cues.tokens.len();
                    m.scan(&stream, &mut cues.tokens);
                    matches.push(m.score(&cues.tokens[at..], &FIELD_WEIGHTS, &mut scores));
                    cues.offsets.push(cues.tokens.len() as u32);
                    if keep_streams {
                        streams.push(stream.clone());
                    }
                }
                p.offsets[d] = kept as u32;
                for r in from..to {
                    let t = p.tokens[r];
                    if t == matcher::SEP {
                        continue;
                    }
                    if let Some(id) = map[t as usize] {
                        p.tokens[kept] = id;
                        kept += 1;
                    }
                }
            }
            *p.offsets.last_mut().expect("starts with 0") = kept as u32;
            p.tokens.truncate(kept);
            p.tokens.shrink_to_fit();
            (cues, matches, streams)
        })
        .collect();
    let cues = params.matcher.as_ref().map(|m| {
        let mut parts = Vec::with_capacity(found.len());
        let mut matches = Vec::with_capacity(records.len());
        let mut streams = Vec::new();
        for (part, ms, ss) in found {
            parts.push(part);
            matches.extend(ms);
            streams.extend(ss);
        }
        let shuffled = if keep_streams {
            m.shuffled_null(
                &streams,
                NULL_ROUNDS,
                0x5eed,
                crate::cluster::guided::STRONG_SCORE,
                records.len() <= crate::cluster::prior::MAX_ENTRIES,
            )
        } else {
            matcher::Null {
                seeds: vec![0.0; m.n_tendencies],
                strong: vec![0.0; m.n_tendencies],
                concentration: 0.0,
                phrases: 0.0,
            }
        };
        let (null, null_strong, null_concentration, null_phrases) = (
            shuffled.seeds,
            shuffled.strong,
            shuffled.concentration,
            shuffled.phrases,
        );
        Cues {
            matcher: m.clone(),
            found: Docs {
                parts,
                len: records.len(),
            },
            matches,
            null,
            null_strong,
            null_concentration,
            null_phrases,
        }
    });
    let mut stopwords: FxHashSet<String> = FxHashSet::default();
    for l in &locals {
        for w in &l.words {
            if !lexicon.contains_key(w.as_str()) {
                stopwords.insert(w.clone());
            }
        }
    }
    let parts: Vec<DocPart> = locals.into_iter().map(|l| l.part).collect();
    Corpus {
        docs: std::sync::Arc::new(Docs {
            parts,
            len: records.len(),
        }),
        stems,
        surface,
        lexicon,
        stopwords,
        cues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rec(text: &str) -> Record {
        Record {
            root_cause: text.into(),
            ..Default::default()
        }
    }

    fn english() -> TextParams {
        TextParams {
            language: Language::new("english").unwrap(),
            roles: vec![Role::RootCause],
            matcher: None,
        }
    }

    #[test]
    fn masks_numbers_urls_and_emails() {
        assert_eq!(
            normalize("See https://x.io/a?b=1 or mail Bob@Example.com: took 3 weeks, 40% late!"),
            "see xurlx or mail xemailx took xnumx weeks xnumx late"
        );
        assert_eq!(
            normalize("Ｆｕｌｌwidth ÉTÉ didn’t"),
            "fullwidth été didn't"
        );
    }

    #[test]
    fn stems_drop_stop_words_and_keep_surface_words() {
        let records = vec![
            rec("I underestimated the timeline"),
            rec("Underestimated timelines again!"),
            rec("the estimate was too optimistic"),
        ];
        let c = analyze(&records, &english());
        assert_eq!(c.len(), 3);
        let words = |i: usize| -> Vec<&str> {
            c.doc(i)
                .iter()
                .map(|&t| c.surface[t as usize].as_str())
                .collect()
        };
        assert_eq!(words(0), vec!["underestimated", "timeline"]);
        assert_eq!(
            words(1),
            vec!["underestimated", "timeline"],
            "\"again\" is a stop word"
        );
        assert_eq!(
            c.doc(0)[1],
            c.doc(1)[1],
            "timeline and timelines share a stem"
        );
        assert!(!c.stems.iter().any(|s| s == "the"));
    }

    #[test]
    fn corpus_does_not_depend_on_row_order() {
        let a: Vec<Record> = (0..5000)
            .map(|i| rec(&format!("word{} shared text number {}", i % 37, i % 11)))
            .collect();
        let mut b = a.clone();
        b.reverse();
        let (ca, cb) = (analyze(&a, &english()), analyze(&b, &english()));
        assert_eq!(ca.stems, cb.stems);
        assert_eq!(ca.surface, cb.surface);
        assert_eq!(ca.doc(0), cb.doc(4999));
    }

    #[test]
    fn unknown_language_is_a_param_error() {
        assert!(Language::new("klingon").is_err());
        for (name, _, _) in LANGUAGES {
            let l = Language::new(name).unwrap();
            assert!(!l.stopwords.is_empty(), "{name} has stop words");
        }
    }

    /// `for_each_word` as it was before the one-pass ASCII path: every chunk through
    /// `split_whitespace` and `chunk_words`.
    fn reference_words(text: &str) -> Vec<String> {
        let mut folded = String::new();
        fold_into(text, &mut folded);
        let mut out = Vec::new();
        for chunk in folded.split_whitespace() {
            chunk_words(chunk, &mut |w: &str| out.push(w.to_string()));
        }
        out
    }

    proptest! {
        #[test]
        fn one_pass_ascii_words_match_the_general_path(
            s in "[a-zA-Z0-9_.,;:'\"!?()@/ \t\n\r\x0b\x0c-]{0,60}|(www\\.|https?://|[a-z]{1,4}@|[A-Z0-9]{1,4}|[.:,;' \t\x0b]){0,12}"
        ) {
            let mut fast = Vec::new();
            for_each_word(&s, |w| fast.push(w.to_string()));
            prop_assert_eq!(fast, reference_words(&s));
        }

        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,60}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }

        #[test]
        fn ascii_fast_path_segments_like_unicode_words(s in "[a-zA-Z0-9_.,;:'\"!?() -]{0,40}") {
            let mut fast = Vec::new();
            ascii_words(&s, |w| fast.push(w));
            let slow: Vec<&str> = s.unicode_words().collect();
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn normalize_is_idempotent_on_wordy_text(s in "([A-Za-zÀ-ÿİı0-9@.:/'’ -]{1,12} ){0,8}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }
    }
}
