//! Matcher: the tendency list compiled for scoring entries by the phrases they contain.
//!
//! In: the tendencies (cues and hints, any surface form) and the run's language. Out: a
//! `Matcher` that maps each normalized word to a cue token, finds the cues in an entry's token
//! stream and scores the entry per tendency (`EntryMatch`).
//! How: cues are read like the log (normalized, stemmed, stop words kept, "n't" and "cannot" read
//! as "not", the auxiliary before "not" dropped, so "didn't test", "did not test" and "never
//! tested" are told apart from "tested"). A cue matches when its tokens occur in order within one
//! field with at most `MAX_GAP` other words between neighbours ("took on" matches "took it on").
//! A cue counts 1, a hint `HINT_WEIGHT`, each once per entry and times its field's weight.
//! Invariants: an entry's score depends only on its own text; cue ids are list order, so the
//! same list gives the same ids.

use super::Tendency;
use crate::text::{for_each_word, Language, EMAIL, NUM, URL};
use rust_stemmers::Stemmer;
use rustc_hash::FxHashMap;

/// Per thread: the current entry's number, per cue the entry it was last found in, and room
/// for the cues found from one pair of words.
type Seen = (u32, Vec<u32>, Vec<u32>);

thread_local! {
    static SEEN: std::cell::RefCell<Seen> = const { std::cell::RefCell::new((0, Vec::new(), Vec::new())) };
}

/// A word that is part of no cue.
pub const NONE: u32 = u32::MAX;
/// The boundary between two fields of one entry (cues never match across it).
pub const SEP: u32 = u32::MAX - 1;
/// Words allowed between two neighbouring words of a cue.
pub const MAX_GAP: usize = 2;
/// What a hint counts for against a cue's 1.
pub const HINT_WEIGHT: f32 = 0.35;
/// A one-word cue whose word appears in the cues of this many tendencies counts as a hint.
pub const SHARED_WORD: usize = 3;
/// No tendency.
pub const NO_TENDENCY: u16 = u16::MAX;

/// Auxiliaries read as nothing before "not" ("did not" = "didn't" = "not").
const AUX: &[&str] = &[
    "do", "does", "did", "could", "would", "should", "can", "was", "were", "is", "are", "am",
    "have", "has", "had", "will", "might", "must", "need", "dare", "ca", "wo", "sha",
];

/// One compiled cue or hint.
#[derive(Debug, Clone)]
pub struct Cue {
    pub tendency: u16,
    pub tokens: Box<[u32]>,
    pub weight: f32,
    /// As written in the list, for "matched: ..." explanations.
    pub text: String,
}

/// A cue's tendency, length in words and weight.
#[derive(Debug, Clone, Copy)]
struct Brief {
    tendency: u16,
    len: u32,
    weight: f32,
}

/// An entry's tendency scores, summarized.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryMatch {
    /// Best-scoring tendency, or `NO_TENDENCY` when no cue or hint matched.
    pub best: u16,
    pub score: f32,
    /// Score of the runner-up tendency (0 when none).
    pub second: f32,
}

impl Default for EntryMatch {
    fn default() -> Self {
        EntryMatch {
            best: NO_TENDENCY,
            score: 0.0,
            second: 0.0,
        }
    }
}

/// The minimum an entry's best score must reach to be placed by its words alone.
pub const MIN_SCORE: f32 = 1.0;
/// ... and how far it must lead the runner-up (best ≥ ratio × second).
pub const MIN_LEAD: f32 = 1.5;

impl EntryMatch {
    /// The tendency the entry's words clearly say, if any.
    pub fn confident(&self) -> Option<usize> {
        (self.best != NO_TENDENCY
            && self.score >= MIN_SCORE
            && self.score >= MIN_LEAD * self.second)
            .then_some(self.best as usize)
    }
}

/// What the same words give when shuffled across the entries (`Matcher::shuffled_null`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Null {
    /// Per tendency, the mean number of seeds...
    pub seeds: Vec<f64>,
    /// ... and of strong seeds.
    pub strong: Vec<f64>,
    /// The mean cue-mass concentration (`Mass::concentration`).
    pub concentration: f64,
    /// The mean number of entries with a phrase (`Matcher::has_phrase`).
    pub phrases: f64,
}

/// How concentrated a log's cue scores are: Σ score² / Σ score over every entry and tendency,
/// the score-weighted mean score. Cues that say one tendency together in one entry raise it;
/// the same cues scattered one per entry (as in shuffled words) do not.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Mass {
    sum: f64,
    squares: f64,
}

impl Mass {
    /// Adds one entry's per-tendency scores.
    pub fn add(&mut self, scores: &[f32]) {
        for &s in scores {
            let s = f64::from(s);
            self.sum += s;
            self.squares += s * s;
        }
    }

    /// Σ score² / Σ score (0 with no cue at all).
    pub fn concentration(&self) -> f64 {
        if self.sum > 0.0 {
            self.squares / self.sum
        } else {
            0.0
        }
    }
}

/// The compiled list.
#[derive(Debug, Clone)]
pub struct Matcher {
    vocab: FxHashMap<String, u32>,
    pub cues: Vec<Cue>,
    /// Per token, its one-word cues and its trie node.
    info: Vec<TokenInfo>,
    /// The tokens that are the second word of a longer cue, as a bit set.
    second_words: Vec<u64>,
    single_ids: Vec<u32>,
    /// Per cue, what scoring and explaining read (kept apart from the texts, small and dense).
    brief: Vec<Brief>,
    /// The longer cues as a trie of tokens (`Trie`).
    trie: Trie,
    pub n_tendencies: usize,
    algorithm: rust_stemmers::Algorithm,
}

/// No trie node.
const NO_NODE: u32 = u32::MAX;

/// The cues of two or more words as a trie of tokens: the cues that share a beginning
/// ("more time than expected", "more time than planned") are followed together, one word at a
/// time. `first[t]` is the node of the one-word prefix `t`.
#[derive(Debug, Clone, Default)]
struct Trie {
    first: Vec<u32>,
    /// Per node: a 64-bit filter of its children's tokens (bit t % 64, 0 for a leaf), where its
    /// child table starts in `slots` and its size − 1 (a power of two, or 0 with no child).
    nodes: Vec<Node>,
    /// Per node, its own small open-addressing table of (token, child): a node's children sit
    /// together, so the few nodes most words go through stay in cache.
    slots: Vec<(u32, u32)>,
    /// Per node, the cues that end there, ascending: `ends[end_at[n]..end_at[n + 1]]`.
    end_at: Vec<u32>,
    ends: Vec<u32>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Node {
    filter: u64,
    at: u32,
    mask: u32,
}

#[inline]
fn slot_of(token: u32, mask: u32) -> u32 {
    (token.wrapping_mul(0x9E37_79B1) >> 7) & mask
}

impl Trie {
    /// Builds from the cues of two or more tokens, given in ascending id order.
    fn build(vocab: usize, cues: &[(u32, &[u32])]) -> Trie {
        let mut child: FxHashMap<u64, u32> = FxHashMap::default();
        let mut first = vec![NO_NODE; vocab];
        let mut ends: Vec<Vec<u32>> = vec![Vec::new()];
        for &(ci, tokens) in cues {
            let mut node = 0u32;
            for (d, &t) in tokens.iter().enumerate() {
                let next = ends.len() as u32;
                let n = if d == 0 {
                    let f = &mut first[t as usize];
                    if *f == NO_NODE {
                        *f = next;
                    }
                    *f
                } else {
                    *child.entry(pair(node, t)).or_insert(next)
                };
                if n == next {
                    ends.push(Vec::new());
                }
                node = n;
            }
            ends[node as usize].push(ci);
        }
        let mut kids: Vec<Vec<(u32, u32)>> = vec![Vec::new(); ends.len()];
        for (&key, &c) in &child {
            kids[(key >> 32) as usize].push((key as u32, c));
        }
        // Nodes renumbered breadth first (first words in token order, then each node's
        // children by token), so the first levels, which every word visits, sit together.
        let mut order: Vec<u32> = first.iter().copied().filter(|&n| n != NO_NODE).collect();
        let mut at = 0;
        while at < order.len() {
            let k = &mut kids[order[at] as usize];
            crate::sorting::unstable(&mut k[..]);
            order.extend(k.iter().map(|&(_, c)| c));
            at += 1;
        }
        let mut new_id = vec![NO_NODE; ends.len()];
        for (i, &n) in order.iter().enumerate() {
            new_id[n as usize] = i as u32;
        }
        for f in first.iter_mut().filter(|f| **f != NO_NODE) {
            *f = new_id[*f as usize];
        }
        let kids: Vec<Vec<(u32, u32)>> = order
            .iter()
            .map(|&n| {
                kids[n as usize]
                    .iter()
                    .map(|&(t, c)| (t, new_id[c as usize]))
                    .collect()
            })
            .collect();
        let ends: Vec<Vec<u32>> = order
            .iter()
            .map(|&n| std::mem::take(&mut ends[n as usize]))
            .collect();
        let mut nodes = Vec::with_capacity(kids.len());
        let mut slots = Vec::new();
        for mut k in kids {
            crate::sorting::unstable(&mut k[..]);
            let mut node = Node {
                at: slots.len() as u32,
                ..Node::default()
            };
            if !k.is_empty() {
                let size = (k.len() * 2).next_power_of_two() as u32;
                node.mask = size - 1;
                let at = slots.len();
                slots.resize(at + size as usize, (NONE, NO_NODE));
                for (t, c) in k {
                    node.filter |= 1 << (t % 64);
                    let mut i = slot_of(t, node.mask);
                    while slots[at + i as usize].0 != NONE {
                        i = (i + 1) & node.mask;
                    }
                    slots[at + i as usize] = (t, c);
                }
            }
            nodes.push(node);
        }
        let mut end_at = Vec::with_capacity(ends.len() + 1);
        let mut flat = Vec::new();
        for e in &ends {
            end_at.push(flat.len() as u32);
            flat.extend(e);
        }
        end_at.push(flat.len() as u32);
        Trie {
            first,
            nodes,
            slots,
            end_at,
            ends: flat,
        }
    }

    #[inline]
    fn child(&self, node: Node, token: u32) -> Option<u32> {
        let mut i = slot_of(token, node.mask);
        loop {
            let (t, c) = self.slots[(node.at + i) as usize];
            if t == token {
                return Some(c);
            }
            if t == NONE {
                return None;
            }
            i = (i + 1) & node.mask;
        }
    }

    /// Follows `node`, found at `pos`, through `tokens[..end]`: each child at the first place
    /// its word occurs in reach (at most `MAX_GAP` words after `pos`), adding to `out` the cues
    /// that end at every node reached.
    fn follow(&self, node: u32, pos: usize, tokens: &[u32], end: usize, out: &mut Vec<u32>) {
        let n = node as usize;
        out.extend_from_slice(&self.ends[self.end_at[n] as usize..self.end_at[n + 1] as usize]);
        let nd = self.nodes[n];
        if nd.filter == 0 {
            return;
        }
        let reach = (pos + 2 + MAX_GAP).min(end);
        for k in pos + 1..reach {
            let u = tokens[k];
            if u >= SEP || nd.filter & (1 << (u % 64)) == 0 || seen_before(tokens, pos + 1, k, u) {
                continue;
            }
            if let Some(c) = self.child(nd, u) {
                self.follow(c, k, tokens, end, out);
            }
        }
    }
}

/// Where `scan` puts the cues it finds: each once per entry, with its field.
struct Found<'a> {
    out: &'a mut Vec<u32>,
    seen: &'a mut [u32],
    epoch: u32,
    /// The current field, shifted into place.
    code: u32,
}

impl Found<'_> {
    #[inline]
    fn push(&mut self, ci: u32) {
        if self.seen[ci as usize] != self.epoch {
            self.seen[ci as usize] = self.epoch;
            self.out.push(ci | self.code);
        }
    }

    /// The cues reached from a first and second word (`second` found at `pos`), in id order.
    #[inline(never)]
    fn follow(
        &mut self,
        trie: &Trie,
        second: u32,
        pos: usize,
        tokens: &[u32],
        end: usize,
        found: &mut Vec<u32>,
    ) {
        found.clear();
        trie.follow(second, pos, tokens, end, found);
        // Usually one or two cues: an insertion sort (the general sort for many).
        if found.len() > 16 {
            crate::sorting::unstable(&mut found[..]);
        }
        for i in 1..found.len() {
            let x = found[i];
            let mut j = i;
            while j > 0 && found[j - 1] > x {
                found[j] = found[j - 1];
                j -= 1;
            }
            found[j] = x;
        }
        for &ci in found.iter() {
            self.push(ci);
        }
    }
}

/// Per cue token: its one-word cues (`single_ids[single_at..single_at + singles]`) and its
/// trie node as a first word (`NO_NODE`: none), read with one load per word.
#[derive(Debug, Clone, Copy)]
struct TokenInfo {
    single_at: u32,
    singles: u32,
    node: u32,
    /// A copy of `trie.nodes[node]` (saves a load per word).
    first: Node,
}

/// Whether `u` occurs in `tokens[from..to]` (a window of at most `MAX_GAP` words: a plain loop
/// beats a vectorized search here).
#[inline]
fn seen_before(tokens: &[u32], from: usize, to: usize, u: u32) -> bool {
    let mut k = from;
    while k < to {
        if tokens[k] == u {
            return true;
        }
        k += 1;
    }
    false
}

/// Refills `stream` with `s`'s shape (its fields and their lengths), each word drawn from the
/// pool of its field (the last pool for later fields; one pool serves every field).
fn refill(stream: &mut Vec<u32>, s: &[u32], pools: &mut [std::vec::IntoIter<u32>]) {
    stream.clear();
    let mut f = 0;
    let last = pools.len().saturating_sub(1);
    stream.extend(s.iter().map(|&t| {
        match t {
            SEP => {
                f += 1;
                SEP
            }
            _ => pools
                .get_mut(f.min(last))
                .and_then(Iterator::next)
                .unwrap_or(NONE),
        }
    }));
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The token form of a normalized word: "n't" words and "cannot" are "not", other
/// contractions lose their ending ("we've" → "we"), then the word is stemmed.
fn word_form<'a>(w: &'a str, stemmer: &Stemmer) -> std::borrow::Cow<'a, str> {
    if w == "cannot" || w.ends_with("n't") || w.ends_with("n’t") {
        return "not".into();
    }
    let w = w.split(['\'', '’']).next().unwrap_or(w);
    match stemmer.stem(w) {
        std::borrow::Cow::Borrowed(s) if s.len() == w.len() => w.into(),
        s => s.into_owned().into(),
    }
}

impl Matcher {
    pub fn new(tendencies: &[Tendency], language: &Language) -> Matcher {
        let stemmer = language.stemmer();
        let mut m = Matcher {
            vocab: FxHashMap::default(),
            cues: Vec::new(),
            info: Vec::new(),
            second_words: Vec::new(),
            single_ids: Vec::new(),
            brief: Vec::new(),
            trie: Trie::default(),
            n_tendencies: tendencies.len(),
            algorithm: language.algorithm,
        };
        let mut seen: FxHashMap<(u16, Box<[u32]>), usize> = FxHashMap::default();
        for (ti, t) in tendencies.iter().enumerate() {
            let ti = ti.min(NO_TENDENCY as usize - 1) as u16;
            let all = t
                .cues
                .iter()
                .map(|c| (c, 1.0))
                .chain(t.hints.iter().map(|h| (h, HINT_WEIGHT)));
            for (text, weight) in all {
                let mut words: Vec<String> = Vec::new();
                // Numbers, URLs and addresses stay as their placeholders ("at 80%" matches
                // "at 90%").
                for_each_word(text, |w| words.push(word_form(w, &stemmer).into_owned()));
                // "did not" → "not", as "didn't" reads.
                let mut kept: Vec<String> = Vec::new();
                for w in words {
                    if w == "not" {
                        while kept.last().is_some_and(|p| AUX.contains(&p.as_str())) {
                            kept.pop();
                        }
                    }
                    kept.push(w);
                }
                // A cue of stop words and placeholders alone ("on it", "at 80%", "x509" read
                // as a number) says nothing.
                if kept.iter().all(|w| {
                    language.stopwords.contains(w.as_str())
                        || [NUM, URL, EMAIL].contains(&w.as_str())
                }) {
                    continue;
                }
                let tokens: Box<[u32]> = kept
                    .into_iter()
                    .map(|w| {
                        let next = m.vocab.len() as u32;
                        *m.vocab.entry(w).or_insert(next)
                    })
                    .collect();
                // The same cue twice in one tendency counts once; a cue in two tendencies
                // counts for both.
                match seen.get(&(ti, tokens.clone())) {
                    Some(&at) => {
                        let c = &mut m.cues[at];
                        c.weight = c.weight.max(weight);
                    }
                    None => {
                        seen.insert((ti, tokens.clone()), m.cues.len());
                        m.cues.push(Cue {
                            tendency: ti,
                            tokens,
                            weight,
                            text: text.trim().to_string(),
                        });
                    }
                }
            }
        }
        // A lone word that several tendencies' cues use is no evidence for one of them: it
        // counts as a hint.
        let mut users: Vec<Vec<u16>> = vec![Vec::new(); m.vocab.len()];
        for c in &m.cues {
            for &t in c.tokens.iter() {
                let u = &mut users[t as usize];
                if !u.contains(&c.tendency) {
                    u.push(c.tendency);
                }
            }
        }
        for c in &mut m.cues {
            if c.tokens.len() == 1 && users[c.tokens[0] as usize].len() >= SHARED_WORD {
                c.weight = c.weight.min(HINT_WEIGHT);
            }
        }
        let mut singles: Vec<Vec<u32>> = vec![Vec::new(); m.vocab.len()];
        let mut longer: Vec<(u32, &[u32])> = Vec::new();
        for (ci, c) in m.cues.iter().enumerate() {
            match c.tokens[..] {
                [t] => singles[t as usize].push(ci as u32),
                [_, _, ..] => longer.push((ci as u32, &c.tokens[..])),
                [] => {}
            }
        }
        let trie = Trie::build(m.vocab.len(), &longer);
        m.info = singles
            .iter()
            .zip(&trie.first)
            .map(|(s, &node)| {
                let at = m.single_ids.len() as u32;
                m.single_ids.extend(s);
                TokenInfo {
                    single_at: at,
                    singles: s.len() as u32,
                    node,
                    first: match node {
                        NO_NODE => Node::default(),
                        n => trie.nodes[n as usize],
                    },
                }
            })
            .collect();
        m.second_words = vec![0; m.vocab.len().div_ceil(64)];
        for nd in m.info.iter().map(|i| i.first).filter(|nd| nd.filter != 0) {
            for &(t, _) in &trie.slots[nd.at as usize..(nd.at + nd.mask + 1) as usize] {
                if t != NONE {
                    m.second_words[t as usize / 64] |= 1 << (t % 64);
                }
            }
        }
        m.trie = trie;
        m.brief = m
            .cues
            .iter()
            .map(|c| Brief {
                tendency: c.tendency,
                len: c.tokens.len().min(u32::MAX as usize) as u32,
                weight: c.weight,
            })
            .collect();
        m
    }

    /// Whether the list has any cue at all.
    pub fn is_empty(&self) -> bool {
        self.cues.is_empty()
    }

    /// A stemmer for `token` (one per thread: rust-stemmers' is not shared).
    pub fn stemmer(&self) -> Stemmer {
        Stemmer::create(self.algorithm)
    }

    /// The cue token of a normalized word, or `NONE`.
    pub fn token(&self, word: &str, stemmer: &Stemmer) -> u32 {
        self.vocab
            .get(word_form(word, stemmer).as_ref())
            .copied()
            .unwrap_or(NONE)
    }

    /// Appends to `out` every cue found in `tokens` (cue id in the low 24 bits, field index
    /// above), each cue once, with the field it was first found in.
    pub fn scan(&self, tokens: &[u32], out: &mut Vec<u32>) {
        SEEN.with(|cell| {
            let (epoch, seen, found) = &mut *cell.borrow_mut();
            if seen.len() < self.cues.len() {
                seen.resize(self.cues.len(), 0);
            }
            *epoch = epoch.wrapping_add(1);
            if *epoch == 0 {
                seen.iter_mut().for_each(|s| *s = 0);
                *epoch = 1;
            }
            self.scan_with(tokens, out, *epoch, seen, found);
        });
    }

    /// `scan` with a per-thread table of the cues already found for this entry (`seen[cue] ==
    /// epoch`), so a cue is kept once without searching the entry's list. Per first word, the
    /// cues are added in the order of the place their second word was found, then by id.
    fn scan_with(
        &self,
        tokens: &[u32],
        out: &mut Vec<u32>,
        epoch: u32,
        seen: &mut [u32],
        found: &mut Vec<u32>,
    ) {
        let next_sep = |from: usize| {
            tokens[from..]
                .iter()
                .position(|&x| x == SEP)
                .map_or(tokens.len(), |p| from + p)
        };
        let mut field = 0u32;
        let mut field_end = next_sep(0);
        let trie = &self.trie;
        let mut found_in = Found {
            out,
            seen,
            epoch,
            code: 0,
        };
        for i in 0..tokens.len() {
            let t = tokens[i];
            if t >= SEP {
                if t == SEP {
                    field += 1;
                    found_in.code = field.min(255) << 24;
                    field_end = next_sep(i + 1);
                }
                continue;
            }
            let info = self.info[t as usize];
            if info.singles != 0 {
                let at = info.single_at as usize;
                for &ci in &self.single_ids[at..at + info.singles as usize] {
                    found_in.push(ci);
                }
            }
            if info.node == NO_NODE {
                continue;
            }
            let nd = info.first;
            // Each later word in reach, at its first place there (as a left-to-right search
            // for the cue's second word finds it).
            let reach = (i + 2 + MAX_GAP).min(field_end);
            for j in i + 1..reach {
                let u = tokens[j];
                if u >= SEP
                    || nd.filter & (1 << (u % 64)) == 0
                    || self.second_words[u as usize / 64] & (1 << (u % 64)) == 0
                    || seen_before(tokens, i + 1, j, u)
                {
                    continue;
                }
                if let Some(second) = trie.child(nd, u) {
                    found_in.follow(trie, second, j, tokens, field_end, found);
                }
            }
        }
    }

    /// Whether an entry's found cues (from `scan`) include a phrase: a cue of two or more words.
    /// Words in random order seldom keep one, so a log whose entries hold many more phrases than
    /// its shuffled words do is written in sentences that say tendencies.
    pub fn has_phrase(&self, found: &[u32]) -> bool {
        found
            .iter()
            .any(|&x| self.cues[(x & 0x00FF_FFFF) as usize].tokens.len() >= 2)
    }

    /// Scores one entry's found cues (from `scan`) with per-field weights.
    pub fn score(&self, found: &[u32], field_weights: &[f32], scores: &mut Vec<f32>) -> EntryMatch {
        scores.clear();
        scores.resize(self.n_tendencies, 0.0);
        for &x in found {
            let cue = self.brief[(x & 0x00FF_FFFF) as usize];
            let field = (x >> 24) as usize;
            let fw = field_weights
                .get(field)
                .or(field_weights.last())
                .copied()
                .unwrap_or(1.0);
            scores[cue.tendency as usize] += cue.weight * fw;
        }
        let mut m = EntryMatch::default();
        for (t, &s) in scores.iter().enumerate() {
            if s <= 0.0 {
                continue;
            }
            if s > m.score {
                m.second = m.score;
                m.score = s;
                m.best = t as u16;
            } else if s > m.second {
                m.second = s;
            }
        }
        m
    }

    /// What these entries' words give when shuffled across them (each entry keeps its length
    /// and fields): the mean over `rounds` shuffles. Streams are ordered by content first, so
    /// the result does not depend on row order.
    /// Seeds and strong seeds (score ≥ `strong`) per tendency come from shuffles of all the
    /// words together; with `by_field`, the cue concentration and the entries with a phrase
    /// come from shuffles within each field (root-cause words among root causes, lesson words
    /// among lessons), as a log of shuffled sentences would read (otherwise they are 0).
    pub fn shuffled_null(
        &self,
        streams: &[Vec<u32>],
        rounds: u32,
        seed: u64,
        strong: f32,
        by_field: bool,
    ) -> Null {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let mut sorted: Vec<&Vec<u32>> = streams.iter().collect();
        crate::sorting::unstable(&mut sorted[..]);
        let pool: Vec<u32> = sorted
            .iter()
            .flat_map(|s| s.iter().copied().filter(|&t| t != SEP))
            .collect();
        // One pool of words per field.
        let mut fields: Vec<Vec<u32>> = Vec::new();
        if by_field {
            for s in &sorted {
                for (f, part) in s.split(|&t| t == SEP).enumerate() {
                    if fields.len() <= f {
                        fields.resize(f + 1, Vec::new());
                    }
                    fields[f].extend_from_slice(part);
                }
            }
        }
        let mut total = vec![0u64; self.n_tendencies];
        let mut total_strong = vec![0u64; self.n_tendencies];
        let (mut found, mut scores, mut stream) = (Vec::new(), Vec::new(), Vec::new());
        let mut concentration = 0.0f64;
        let mut phrases = 0u64;
        // Each pool shuffled, drawn from in turn by the fields that use it.
        let shuffled = |pools: &[Vec<u32>], rng: &mut rand_xoshiro::Xoshiro256PlusPlus| {
            pools
                .iter()
                .map(|p| {
                    let mut words = p.clone();
                    words.shuffle(rng);
                    words.into_iter()
                })
                .collect::<Vec<_>>()
        };
        let pooled = [pool];
        for r in 0..rounds {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed ^ u64::from(r));
            let mut next = shuffled(&pooled, &mut rng);
            for s in &sorted {
                refill(&mut stream, s, &mut next);
                found.clear();
                self.scan(&stream, &mut found);
                let m = self.score(&found, &crate::text::FIELD_WEIGHTS, &mut scores);
                if let Some(t) = m.confident() {
                    total[t] += 1;
                    total_strong[t] += u64::from(m.score >= strong);
                }
            }
            if !by_field {
                continue;
            }
            let mut mass = Mass::default();
            let mut next = shuffled(&fields, &mut rng);
            for s in &sorted {
                refill(&mut stream, s, &mut next);
                found.clear();
                self.scan(&stream, &mut found);
                phrases += u64::from(self.has_phrase(&found));
                self.score(&found, &crate::text::FIELD_WEIGHTS, &mut scores);
                mass.add(&scores);
            }
            concentration += mass.concentration();
        }
        let mean = |v: Vec<u64>| -> Vec<f64> {
            v.into_iter()
                .map(|c| c as f64 / f64::from(rounds.max(1)))
                .collect()
        };
        Null {
            seeds: mean(total),
            strong: mean(total_strong),
            concentration: concentration / f64::from(rounds.max(1)),
            phrases: phrases as f64 / f64::from(rounds.max(1)),
        }
    }

    /// Scans and scores a plain text (one field), for tests and explanations.
    pub fn match_text(&self, text: &str) -> (EntryMatch, Vec<u32>) {
        let stemmer = self.stemmer();
        let mut tokens = Vec::new();
        for_each_word(text, |w| tokens.push(self.token(w, &stemmer)));
        let mut found = Vec::new();
        self.scan(&tokens, &mut found);
        let m = self.score(&found, &[1.0], &mut Vec::new());
        (m, found)
    }

    /// The cues of `tendency` among `found`, strongest first (then longest, then first found),
    /// at most `n` (≤ 8), chosen without allocating: shared by `explain` and `explain_into`.
    fn strongest(&self, found: &[u32], tendency: u16, n: usize) -> [Option<&Cue>; 8] {
        let mut best: [Option<u32>; 8] = [None; 8];
        let n = n.min(best.len());
        let ahead =
            |c: Brief, b: Brief| c.weight > b.weight || (c.weight == b.weight && c.len > b.len);
        for &x in found {
            let ci = x & 0x00FF_FFFF;
            let c = self.brief[ci as usize];
            if c.tendency != tendency {
                continue;
            }
            let at = best[..n]
                .iter()
                .position(|b| b.is_none_or(|b| ahead(c, self.brief[b as usize])));
            if let Some(at) = at {
                best[at..n].rotate_right(1);
                best[at] = Some(ci);
            }
        }
        best.map(|b| b.map(|ci| &self.cues[ci as usize]))
    }

    /// `explain`'s texts written into `out`, joined by `sep`, with no allocation per entry (for
    /// the million lines of assignments.csv).
    pub fn explain_into(
        &self,
        found: &[u32],
        tendency: u16,
        n: usize,
        sep: &str,
        out: &mut String,
    ) {
        for (i, c) in self
            .strongest(found, tendency, n)
            .iter()
            .flatten()
            .enumerate()
        {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(&c.text);
        }
    }

    /// The texts of the cues of `tendency` among `found`, strongest first, at most `n` (≤ 8).
    /// (A text is one cue of a tendency: `new` merges a tendency's cues with the same words.)
    pub fn explain(&self, found: &[u32], tendency: u16, n: usize) -> Vec<&str> {
        self.strongest(found, tendency, n)
            .into_iter()
            .flatten()
            .map(|c| c.text.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vec<Tendency> {
        vec![
            Tendency {
                id: "overcommit".into(),
                name: "Overcommitment".into(),
                cues: vec![
                    "said yes".into(),
                    "took on".into(),
                    "could not say no".into(),
                ],
                hints: vec!["busy".into()],
            },
            Tendency {
                id: "prep".into(),
                name: "Preparation".into(),
                cues: vec!["did not test".into(), "never tested".into()],
                hints: vec![],
            },
        ]
    }

    fn matcher() -> Matcher {
        Matcher::new(&list(), &Language::new("english").unwrap())
    }

    /// The scan as it was before the trie: per first word, singles, then each second word at
    /// its first place in reach, then every cue with those two words in id order, checked word
    /// by word (each at its first place in reach of the previous one).
    fn scan_reference(m: &Matcher, tokens: &[u32]) -> Vec<u32> {
        let mut out = Vec::new();
        let mut seen = vec![false; m.cues.len()];
        let mut field = 0u32;
        for i in 0..tokens.len() {
            let t = tokens[i];
            if t == SEP {
                field += 1;
                continue;
            }
            if t == NONE {
                continue;
            }
            let end = tokens[i..]
                .iter()
                .position(|&x| x == SEP)
                .map_or(tokens.len(), |p| i + p);
            let mut push = |ci: usize, out: &mut Vec<u32>| {
                if !seen[ci] {
                    seen[ci] = true;
                    out.push(ci as u32 | (field.min(255) << 24));
                }
            };
            for (ci, c) in m.cues.iter().enumerate() {
                if c.tokens[..] == [t] {
                    push(ci, &mut out);
                }
            }
            for j in i + 1..(i + 2 + MAX_GAP).min(end) {
                let u = tokens[j];
                if u >= SEP || tokens[i + 1..j].contains(&u) {
                    continue;
                }
                for (ci, c) in m.cues.iter().enumerate() {
                    if c.tokens.len() < 2 || c.tokens[0] != t || c.tokens[1] != u {
                        continue;
                    }
                    let mut pos = j;
                    let ok = c.tokens[2..].iter().all(|&want| {
                        let limit = (pos + 2 + MAX_GAP).min(end);
                        match (pos + 1..limit).find(|&k| tokens[k] == want) {
                            Some(k) => {
                                pos = k;
                                true
                            }
                            None => false,
                        }
                    });
                    if ok {
                        push(ci, &mut out);
                    }
                }
            }
        }
        out
    }

    fn builtin_matcher() -> &'static Matcher {
        static M: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
        M.get_or_init(|| {
            Matcher::new(
                &crate::tendency::builtin(),
                &Language::new("english").unwrap(),
            )
        })
    }

    proptest::proptest! {
        #[test]
        fn trie_scan_finds_what_the_cue_by_cue_scan_found(
            picks in proptest::collection::vec((0usize..100_000, 0usize..4, 0u32..3000, 0u8..12), 0..24)
        ) {
            // Streams built from cue words with other words and field breaks between them, so
            // that cues match, nearly match and overlap.
            let m = builtin_matcher();
            let vocab = m.vocab.len() as u32;
            let mut tokens = Vec::new();
            for (cue, gap, other, what) in picks {
                let c = &m.cues[cue % m.cues.len()];
                for (k, &t) in c.tokens.iter().enumerate() {
                    if k > 0 && what % 3 == 0 {
                        for g in 0..gap {
                            tokens.push(if g % 2 == 0 { other % vocab } else { NONE });
                        }
                    }
                    tokens.push(t);
                }
                match what {
                    10 => tokens.push(SEP),
                    11 => tokens.push(other % vocab),
                    _ => {}
                }
            }
            let mut found = Vec::new();
            m.scan(&tokens, &mut found);
            proptest::prop_assert_eq!(found, scan_reference(m, &tokens));
        }
    }

    #[test]
    fn cues_match_in_order_with_small_gaps() {
        let m = matcher();
        assert_eq!(m.match_text("I said yes again").0.best, 0);
        assert_eq!(
            m.match_text("I took it on anyway").0.best,
            0,
            "one word between"
        );
        assert_eq!(
            m.match_text("took the whole thing on").0.best,
            NO_TENDENCY,
            "three words between is too far"
        );
        assert_eq!(
            m.match_text("yes, I said").0.best,
            NO_TENDENCY,
            "order matters"
        );
    }

    #[test]
    fn negations_read_alike_and_differ_from_the_plain_verb() {
        let m = matcher();
        for t in [
            "I didn't test it",
            "we did not test it",
            "I never tested it",
        ] {
            assert_eq!(m.match_text(t).0.best, 1, "{t}");
        }
        assert_eq!(m.match_text("I tested it").0.best, NO_TENDENCY);
        assert_eq!(m.match_text("I couldn't say no").0.best, 0);
        assert_eq!(m.match_text("I cannot say no").0.best, 0);
    }

    #[test]
    fn fields_bound_cues_and_weigh_them() {
        let m = matcher();
        let s = m.stemmer();
        let mut toks: Vec<u32> = ["i", "said"].iter().map(|w| m.token(w, &s)).collect();
        toks.push(SEP);
        toks.push(m.token("yes", &s));
        let mut found = Vec::new();
        m.scan(&toks, &mut found);
        assert!(found.is_empty(), "a cue never spans two fields");
        let toks: Vec<u32> = [
            m.token("busy", &s),
            SEP,
            m.token("said", &s),
            m.token("yes", &s),
        ]
        .to_vec();
        m.scan(&toks, &mut found);
        let r = m.score(&found, &[1.0, 0.5], &mut Vec::new());
        assert!((r.score - (HINT_WEIGHT + 0.5)).abs() < 1e-6, "{r:?}");
    }

    #[test]
    fn confidence_needs_a_cue_and_a_lead() {
        let m = matcher();
        assert_eq!(
            m.match_text("I was busy").0.confident(),
            None,
            "a hint alone"
        );
        assert_eq!(m.match_text("I said yes").0.confident(), Some(0));
        let (both, found) = m.match_text("I said yes and never tested it");
        assert_eq!(both.confident(), None, "two tendencies tie");
        assert_eq!(m.explain(&found, 0, 3), vec!["said yes"]);
        let (_, found) = m.match_text("I said yes, busy as I was, and could not say no");
        let mut s = String::new();
        m.explain_into(&found, 0, 2, "; ", &mut s);
        assert_eq!(s, m.explain(&found, 0, 2).join("; "));
        assert_eq!(
            s, "could not say no; said yes",
            "strongest and longest first"
        );
    }
}
