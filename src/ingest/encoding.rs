//! Text encodings other than UTF-8: what Excel's "Unicode text" and older Windows tools save.
//!
//! In: a file's first bytes (to recognise UTF-16), a whole UTF-16 file, or one field that is
//! not UTF-8. Out: UTF-8 text: UTF-16 LE/BE (with a BOM, or without one when every other byte
//! of the start is NUL) decoded, and Windows-1252 (a superset of Latin-1's printable range)
//! bytes mapped to their characters.
//! Invariants: never panics and never fails — an unpaired UTF-16 surrogate becomes U+FFFD, and
//! every byte has a Windows-1252 reading (the five unassigned ones read as Latin-1 controls);
//! ASCII comes back unchanged.

/// UTF-16 byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf16 {
    Le,
    Be,
}

impl Utf16 {
    pub fn name(self) -> &'static str {
        match self {
            Utf16::Le => "UTF-16 LE",
            Utf16::Be => "UTF-16 BE",
        }
    }
}

/// Whether a file starting with `start` is UTF-16, and in which order.
pub fn sniff_utf16(start: &[u8]) -> Option<Utf16> {
    match start {
        [0xFF, 0xFE, ..] => return Some(Utf16::Le),
        [0xFE, 0xFF, ..] => return Some(Utf16::Be),
        _ => {}
    }
    // No BOM: ASCII text in UTF-16 has a NUL in every other byte.
    let n = start.len().min(64) & !1;
    if n < 8 {
        return None;
    }
    let (even, odd) = start[..n].chunks_exact(2).fold((0, 0), |(e, o), p| {
        (e + usize::from(p[0] == 0), o + usize::from(p[1] == 0))
    });
    let pairs = n / 2;
    if odd == pairs && even == 0 {
        Some(Utf16::Le)
    } else if even == pairs && odd == 0 {
        Some(Utf16::Be)
    } else {
        None
    }
}

/// A whole UTF-16 file as UTF-8 (its BOM dropped; an odd last byte ignored).
pub fn decode_utf16(bytes: &[u8], order: Utf16) -> Vec<u8> {
    let units = bytes.chunks_exact(2).map(|p| match order {
        Utf16::Le => u16::from_le_bytes([p[0], p[1]]),
        Utf16::Be => u16::from_be_bytes([p[0], p[1]]),
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.as_bytes().to_vec()
}

/// Windows-1252 characters for bytes 0x80-0x9F (the rest of the upper half is Latin-1).
const HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Bytes read as Windows-1252.
pub fn cp1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, order: Utf16, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = std::iter::once(0xFEFF)
            .filter(|_| bom)
            .chain(text.encode_utf16());
        for u in units {
            out.extend(match order {
                Utf16::Le => u.to_le_bytes(),
                Utf16::Be => u.to_be_bytes(),
            });
        }
        out
    }

    #[test]
    fn utf16_both_orders_with_and_without_bom() {
        let text = "date,cause\n2024-01-01,Pool exhausted – café\n";
        for order in [Utf16::Le, Utf16::Be] {
            for bom in [true, false] {
                let bytes = utf16(text, order, bom);
                assert_eq!(sniff_utf16(&bytes), Some(order), "{order:?} {bom}");
                assert_eq!(decode_utf16(&bytes, order), text.as_bytes());
            }
        }
        assert_eq!(sniff_utf16(b"date,cause\n2024"), None);
        assert_eq!(sniff_utf16(b"\xEF\xBB\xBFdate,cause"), None);
    }

    #[test]
    fn windows_1252() {
        assert_eq!(
            cp1252(b"caf\xe9 \x93quoted\x94 \x80 5"),
            "café “quoted” € 5"
        );
        assert_eq!(cp1252(b"plain"), "plain");
    }

    proptest::proptest! {
        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = decode_utf16(&bytes, Utf16::Le);
            let _ = decode_utf16(&bytes, Utf16::Be);
            let _ = sniff_utf16(&bytes);
            proptest::prop_assert_eq!(cp1252(&bytes).chars().count(), bytes.len());
        }
    }
}
