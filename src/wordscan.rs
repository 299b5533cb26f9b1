//! Wordscan: the words of folded ASCII text found with per-byte bit masks, 16 bytes at a time.
//!
//! In: folded (lowercased) ASCII text. Out: `Masks::words` calls back with each word and whether
//! it has a digit, exactly as `text::ascii_words` segments (letters, digits and `_` form words;
//! `'` and `.` join two letters or two digits, `:` two letters, `,` and `;` two digits; a word
//! of `_` alone is no word); or it reports that the text may hold a URL or an e-mail address
//! ("www.", "://" or '@'), which the caller reads the careful way.
//! How: each byte class is a bit mask over the text (bit p = byte p), built with SSE2 compares
//! on x86_64 (a table elsewhere); joiners are kept where their neighbours' masks say so, and the
//! words are the runs of set bits, found with trailing-zero counts instead of a branch per byte.
//! Invariant: a property test checks `words` against the byte-by-byte segmentation.

/// Per-class bit masks of one text (one `u64` per 64 bytes, plus a zero word at the end).
#[derive(Debug, Default)]
pub struct Masks {
    /// Bytes that are part of a word (word characters and joiners that join).
    word: Vec<u64>,
    /// Letters and digits.
    alnum: Vec<u64>,
    digit: Vec<u64>,
    /// Some byte starts "www.", "://" or is '@'.
    special: bool,
}

/// Raw classes of 64 bytes.
#[derive(Clone, Copy, Default)]
struct Block {
    alpha: u64,
    digit: u64,
    under: u64,
    apos_dot: u64,
    colon: u64,
    comma_semi: u64,
    at: u64,
    slash: u64,
    w: u64,
    dot: u64,
}

#[cfg(target_arch = "x86_64")]
fn classify(bytes: &[u8; 64]) -> Block {
    use std::arch::x86_64::*;
    let mut b = Block::default();
    for q in 0..4 {
        // SAFETY: SSE2 is part of x86_64; the load reads 16 bytes inside `bytes`.
        unsafe {
            let v = _mm_loadu_si128(bytes.as_ptr().add(16 * q) as *const __m128i);
            let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
            let between = |lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)),
                )
            };
            let bits = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16) << (16 * q);
            b.alpha |= bits(between(b'a', b'z'));
            b.digit |= bits(between(b'0', b'9'));
            b.under |= bits(eq(b'_'));
            let dot = eq(b'.');
            b.dot |= bits(dot);
            b.apos_dot |= bits(_mm_or_si128(eq(b'\''), dot));
            b.colon |= bits(eq(b':'));
            b.comma_semi |= bits(_mm_or_si128(eq(b','), eq(b';')));
            b.at |= bits(eq(b'@'));
            b.slash |= bits(eq(b'/'));
            b.w |= bits(eq(b'w'));
        }
    }
    b
}

#[cfg(not(target_arch = "x86_64"))]
fn classify(bytes: &[u8; 64]) -> Block {
    classify_bytes(bytes)
}

/// `classify` one byte at a time (other architectures, and the tests' reference).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify_bytes(bytes: &[u8; 64]) -> Block {
    let mut b = Block::default();
    for (p, &c) in bytes.iter().enumerate() {
        let bit = 1u64 << p;
        let set = |m: &mut u64, yes: bool| {
            if yes {
                *m |= bit;
            }
        };
        set(&mut b.alpha, c.is_ascii_lowercase());
        set(&mut b.digit, c.is_ascii_digit());
        set(&mut b.under, c == b'_');
        set(&mut b.dot, c == b'.');
        set(&mut b.apos_dot, c == b'\'' || c == b'.');
        set(&mut b.colon, c == b':');
        set(&mut b.comma_semi, c == b',' || c == b';');
        set(&mut b.at, c == b'@');
        set(&mut b.slash, c == b'/');
        set(&mut b.w, c == b'w');
    }
    b
}

/// Bit p set where bit p + s of the mask sequence `m` (at word `k`) is set.
#[inline]
fn ahead(m: &[Block], k: usize, s: u32, f: impl Fn(&Block) -> u64) -> u64 {
    let here = f(&m[k]) >> s;
    match m.get(k + 1) {
        Some(n) if s > 0 => here | (f(n) << (64 - s)),
        _ => here,
    }
}

/// Bit p set where bit p − 1 is set.
#[inline]
fn behind(m: &[Block], k: usize, f: impl Fn(&Block) -> u64) -> u64 {
    let here = f(&m[k]) << 1;
    if k > 0 {
        here | (f(&m[k - 1]) >> 63)
    } else {
        here
    }
}

thread_local! {
    static BLOCKS: std::cell::Cell<Vec<Block>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Masks {
    /// The masks of `text` (folded, lowercase ASCII: uppercase letters would not count as
    /// letters).
    pub fn build(&mut self, text: &[u8]) {
        let mut blocks = BLOCKS.with(|c| c.take());
        blocks.clear();
        for chunk in text.chunks(64) {
            let mut buf = [0u8; 64];
            buf[..chunk.len()].copy_from_slice(chunk);
            blocks.push(classify(&buf));
        }
        self.word.clear();
        self.alnum.clear();
        self.digit.clear();
        let mut special = 0u64;
        for k in 0..blocks.len() {
            let b = blocks[k];
            let letters = behind(&blocks, k, |b| b.alpha) & ahead(&blocks, k, 1, |b| b.alpha);
            let digits = behind(&blocks, k, |b| b.digit) & ahead(&blocks, k, 1, |b| b.digit);
            let joins =
                (b.apos_dot & (letters | digits)) | (b.colon & letters) | (b.comma_semi & digits);
            let alnum = b.alpha | b.digit;
            self.word.push(alnum | b.under | joins);
            self.alnum.push(alnum);
            self.digit.push(b.digit);
            special |= b.at
                | (b.colon & ahead(&blocks, k, 1, |b| b.slash) & ahead(&blocks, k, 2, |b| b.slash))
                | (b.w
                    & ahead(&blocks, k, 1, |b| b.w)
                    & ahead(&blocks, k, 2, |b| b.w)
                    & ahead(&blocks, k, 3, |b| b.dot));
        }
        self.word.push(0);
        self.alnum.push(0);
        self.digit.push(0);
        self.special = special != 0;
        BLOCKS.with(|c| c.set(blocks));
    }

    /// Whether the text may hold a URL or an e-mail address ("www.", "://", '@').
    pub fn special(&self) -> bool {
        self.special
    }

    /// Calls `f` with each word of `text` (the text the masks were built from) and whether it
    /// has a digit.
    #[inline]
    pub fn words<'a>(&self, text: &'a str, mut f: impl FnMut(&'a str, bool)) {
        let m = &self.word;
        let mut pos = 0usize;
        loop {
            // The next set bit: a word starts.
            let mut k = pos / 64;
            if k >= m.len() {
                return;
            }
            let mut w = m[k] & (!0u64 << (pos % 64));
            while w == 0 {
                k += 1;
                if k >= m.len() {
                    return;
                }
                w = m[k];
            }
            let start = k * 64 + w.trailing_zeros() as usize;
            // The next clear bit: it ends (the last mask word is 0, so there is one).
            let mut rest = !m[k] & (!0u64 << (start % 64));
            while rest == 0 {
                k += 1;
                rest = !m[k];
            }
            let end = k * 64 + rest.trailing_zeros() as usize;
            if any(&self.alnum, start, end) {
                f(&text[start..end], any(&self.digit, start, end));
            }
            pos = end;
        }
    }
}

/// Whether any bit in `start..end` of `m` is set.
#[inline]
fn any(m: &[u64], start: usize, end: usize) -> bool {
    let (ks, ke) = (start / 64, (end - 1) / 64);
    let lo = !0u64 << (start % 64);
    let hi = !0u64 >> (63 - (end - 1) % 64);
    if ks == ke {
        return m[ks] & lo & hi != 0;
    }
    m[ks] & lo != 0 || m[ks + 1..ke].iter().any(|&x| x != 0) || m[ke] & hi != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `text::ascii_words`' rules, byte by byte.
    fn reference(s: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        crate::text::ascii_words_for_tests(s, |w, d| out.push((w.to_string(), d)));
        out
    }

    fn fast(s: &str) -> Option<Vec<(String, bool)>> {
        let mut m = Masks::default();
        m.build(s.as_bytes());
        if m.special() {
            return None;
        }
        let mut out = Vec::new();
        m.words(s, |w, d| out.push((w.to_string(), d)));
        Some(out)
    }

    #[test]
    fn words_across_block_edges() {
        let long = "a".repeat(63) + " " + &"b".repeat(70) + " c'd 1,5 x:y _ __a ";
        assert_eq!(fast(&long).unwrap(), reference(&long));
        assert_eq!(fast("").unwrap(), vec![]);
        assert_eq!(fast(&"x".repeat(128)).unwrap(), reference(&"x".repeat(128)));
        assert!(fast("see www.x.io").is_none());
        assert!(fast("http://x").is_none());
        assert!(fast("a@b").is_none());
        assert!(
            fast(&(" ".repeat(62) + "ww" + "w.")).is_none(),
            "www. across blocks"
        );
    }

    #[test]
    fn classes_agree_with_the_table() {
        let mut bytes = [0u8; 64];
        for start in (0..256).step_by(64) {
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = ((start + i) % 128) as u8;
            }
            let (a, b) = (classify(&bytes), classify_bytes(&bytes));
            assert_eq!(
                (
                    a.alpha,
                    a.digit,
                    a.under,
                    a.apos_dot,
                    a.colon,
                    a.comma_semi,
                    a.at,
                    a.slash,
                    a.w,
                    a.dot
                ),
                (
                    b.alpha,
                    b.digit,
                    b.under,
                    b.apos_dot,
                    b.colon,
                    b.comma_semi,
                    b.at,
                    b.slash,
                    b.w,
                    b.dot
                )
            );
        }
    }

    proptest! {
        #[test]
        fn words_are_those_of_the_byte_by_byte_segmentation(
            s in "[a-z0-9_.,;:'\"!?()/ \t-]{0,200}|([a-z]{1,70}|[0-9]{1,3}|[.,;:'_ ]){0,40}"
        ) {
            if let Some(words) = fast(&s) {
                prop_assert_eq!(words, reference(&s));
            } else {
                prop_assert!(s.contains('@') || s.contains("://") || s.contains("www."));
            }
        }
    }
}
