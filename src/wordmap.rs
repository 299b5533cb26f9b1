//! WordMap: a hash map from words (short byte strings) to a `u64`, for per-word caches on the
//! hot path of `recur assign`.
//!
//! In: words as `&str`, values as `u64`. Out: `get` / `insert`, and `len` / `clear` so a
//! caller can bound it.
//! How: open addressing with linear probing over a power-of-two table. A word of up to 16
//! bytes is held in the slot itself as two little-endian `u64`s (zero-padded) with its length,
//! so a lookup is two loads, one multiply and, on a hit, three compares: no allocation, no
//! `memcmp` call. Longer words (rare in text) go to a plain `FxHashMap`.
//! Invariants: `get(w)` returns the value last inserted for exactly the bytes of `w`; the table
//! is never more than half full.

use rustc_hash::FxHashMap;

/// Words up to this many bytes are kept inline.
const INLINE: usize = 16;

#[derive(Clone, Copy, Default)]
struct Slot {
    k0: u64,
    k1: u64,
    /// Length + 1; 0 marks an empty slot.
    len: u64,
    value: u64,
}

/// See the module header.
#[derive(Clone)]
pub struct WordMap {
    slots: Vec<Slot>,
    mask: usize,
    inline: usize,
    long: FxHashMap<Box<[u8]>, u64>,
}

impl Default for WordMap {
    fn default() -> Self {
        WordMap::with_capacity(1024)
    }
}

/// Reads a word of at most 16 bytes as two zero-padded little-endian words.
#[inline]
fn key(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    debug_assert!(n <= INLINE);
    let u32_at = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    match n {
        0 => (0, 0),
        1..=3 => {
            let (a, m, z) = (b[0], b[n / 2], b[n - 1]);
            (
                u64::from(a) | (u64::from(m) << (8 * (n / 2))) | (u64::from(z) << (8 * (n - 1))),
                0,
            )
        }
        4..=7 => (u32_at(0) | (u32_at(n - 4) << (8 * (n - 4))), 0),
        8 => (u64_at(0), 0),
        // Bytes 8..n: the last 8 bytes shifted down past the ones that belong to k0.
        _ => (u64_at(0), u64_at(n - 8) >> (8 * (16 - n))),
    }
}

#[inline]
fn hash(k0: u64, k1: u64, n: usize) -> u64 {
    let h =
        (k0 ^ k1.rotate_left(29) ^ (n as u64).rotate_left(58)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

impl WordMap {
    /// A map with room for about `n` words before it grows.
    pub fn with_capacity(n: usize) -> WordMap {
        let size = (n.max(8) * 2).next_power_of_two();
        WordMap {
            slots: vec![Slot::default(); size],
            mask: size - 1,
            inline: 0,
            long: FxHashMap::default(),
        }
    }

    /// Number of words held.
    pub fn len(&self) -> usize {
        self.inline + self.long.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every word (keeps the table's size).
    pub fn clear(&mut self) {
        if self.inline > 0 {
            self.slots.iter_mut().for_each(|s| *s = Slot::default());
            self.inline = 0;
        }
        self.long.clear();
    }

    /// The value of `word`, if it was inserted.
    #[inline]
    pub fn get(&self, word: &str) -> Option<u64> {
        let b = word.as_bytes();
        if b.len() > INLINE {
            return self.long.get(b).copied();
        }
        let (k0, k1) = key(b);
        let len = b.len() as u64 + 1;
        let mut i = hash(k0, k1, b.len()) as usize & self.mask;
        loop {
            let s = &self.slots[i];
            if s.len == len && s.k0 == k0 && s.k1 == k1 {
                return Some(s.value);
            }
            if s.len == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Sets the value of `word` (out of line: callers look up far more often than they insert).
    #[inline(never)]
    pub fn insert(&mut self, word: &str, value: u64) {
        let b = word.as_bytes();
        if b.len() > INLINE {
            self.long.insert(b.into(), value);
            return;
        }
        if (self.inline + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let (k0, k1) = key(b);
        let len = b.len() as u64 + 1;
        let mut i = hash(k0, k1, b.len()) as usize & self.mask;
        loop {
            let s = &mut self.slots[i];
            if s.len == 0 {
                *s = Slot { k0, k1, len, value };
                self.inline += 1;
                return;
            }
            if s.len == len && s.k0 == k0 && s.k1 == k1 {
                s.value = value;
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        self.mask = size - 1;
        for s in old.into_iter().filter(|s| s.len != 0) {
            let mut i = hash(s.k0, s.k1, (s.len - 1) as usize) as usize & self.mask;
            while self.slots[i].len != 0 {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_tell_every_length_and_byte_apart() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "b",
            "ba",
            "aab",
            "aba",
        ];
        let mut m = WordMap::with_capacity(1);
        for (i, w) in words.iter().enumerate() {
            m.insert(w, i as u64);
        }
        assert_eq!(m.len(), words.len());
        for (i, w) in words.iter().enumerate() {
            assert_eq!(m.get(w), Some(i as u64), "{w}");
        }
        assert_eq!(m.get("abcdefghijklmno"), None);
        m.clear();
        assert!(m.is_empty());
        assert_eq!(m.get("abc"), None);
    }

    proptest! {
        #[test]
        fn behaves_like_a_hash_map(words in proptest::collection::vec("[a-c\u{e9}]{0,20}", 0..300)) {
            let mut m = WordMap::with_capacity(4);
            let mut reference = std::collections::HashMap::new();
            for (i, w) in words.iter().enumerate() {
                if i % 3 == 0 {
                    prop_assert_eq!(m.get(w), reference.get(w.as_str()).copied());
                }
                m.insert(w, i as u64);
                reference.insert(w.as_str(), i as u64);
            }
            prop_assert_eq!(m.len(), reference.len());
            for (w, v) in &reference {
                prop_assert_eq!(m.get(w), Some(*v));
            }
        }
    }
}
