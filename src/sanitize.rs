//! Text as the reports show it: no invisible characters, no unbounded length.
//!
//! In: strings that come from the input (entries, labels built from their words, ids, file
//! names, reject reasons). Out: the same text with control, format and bidirectional-override
//! characters removed (`clean`), shortened to a readable length with "…" and the full length
//! noted (`shorten`), or capped for the CSV files (`cap_cell`).
//! Invariants: the functions never panic, cut only at character boundaries, are idempotent
//! (`clean(clean(s)) == clean(s)`, `shorten` of a shortened text returns it unchanged) and
//! borrow when nothing changes, so the common case costs one scan and no allocation.

use std::borrow::Cow;

/// Characters of an example, lesson or entry a report shows at most.
pub const REPORT_TEXT_MAX: usize = 600;
/// Characters of a pattern label, term, id or file name a report shows at most.
pub const LABEL_MAX: usize = 120;
/// Characters a cell of assignments.csv or rejected.csv keeps at most (below the 32,767 a
/// spreadsheet cell holds, so the marker fits too).
pub const CSV_CELL_MAX: usize = 32_000;
/// Characters of a reject reason printed as a warning at most.
pub const WARNING_MAX: usize = 300;

/// Whether `c` is invisible or reorders text: C0/C1 controls other than tab and newline, and
/// the format characters (Unicode category Cf: bidi embeddings, overrides and isolates, zero-
/// width spaces and joiners, the byte-order mark, soft hyphen, invisible operators, tags...).
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}'
        | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{890}'..='\u{891}'
        | '\u{8e2}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// Line and paragraph separators other than `\n`, shown as a space.
fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// `s` without hidden characters (`is_hidden`); CR and Unicode line separators become spaces.
pub fn clean(s: &str) -> Cow<'_, str> {
    // ASCII printable text, newline and tab (nearly every cell) needs no change.
    let plain = s
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t');
    if plain || !s.chars().any(|c| is_hidden(c) || is_break(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter(|&c| !is_hidden(c))
            .map(|c| if is_break(c) { ' ' } else { c })
            .collect(),
    )
}

/// `s` cleaned and, when longer than `max` characters, cut at a word boundary near `max` with
/// "… (N characters in all)" after it.
pub fn shorten(s: &str, max: usize) -> Cow<'_, str> {
    let cleaned = clean(s);
    let Some((cut, _)) = cleaned.char_indices().nth(max) else {
        return cleaned;
    };
    // A text shortened before (to this limit) is left as it is.
    if is_shortened(&cleaned, max) {
        return cleaned;
    }
    let total = cleaned.chars().count();
    let head = &cleaned[..cut];
    // Prefer a cut at a space in the last fifth, so a word is not split.
    let head = match head.rfind(char::is_whitespace) {
        Some(at) if at >= cut * 4 / 5 => &head[..at],
        _ => head,
    };
    Cow::Owned(format!(
        "{}… ({} characters in all)",
        head.trim_end(),
        crate::chart::thousands(total as u64)
    ))
}

/// Whether `s` is what `shorten(_, max)` returns for a longer text: at most `max` characters,
/// then "… (N characters in all)". (A long text merely ending in such a marker is not.)
fn is_shortened(s: &str, max: usize) -> bool {
    let Some(at) = s.rfind("… (") else {
        return false;
    };
    let Some(n) = s[at + "… (".len()..].strip_suffix(" characters in all)") else {
        return false;
    };
    !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit() || c == ',')
        && s[..at].chars().count() <= max
}

/// A CSV cell: the text unchanged up to `CSV_CELL_MAX` characters, otherwise its first
/// `CSV_CELL_MAX` characters and "… [cut: N characters in all]". Hidden characters are kept
/// (the CSV files carry the data; `safe_cell` still neutralizes formulas).
pub fn cap_cell(s: &str) -> Cow<'_, str> {
    if s.len() <= CSV_CELL_MAX {
        return Cow::Borrowed(s);
    }
    match s.char_indices().nth(CSV_CELL_MAX) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!(
            "{}… [cut: {} characters in all]",
            &s[..cut],
            s.chars().count()
        )),
    }
}

/// Cleans and shortens, in place, every text of the found patterns that the reports and charts
/// show: labels, tendency names and terms (`LABEL_MAX`), examples, lessons and behavioural
/// changes (`REPORT_TEXT_MAX`).
pub fn patterns(found: &mut crate::patterns::Patterns) {
    fn fix(s: &mut String, max: usize) {
        if let Cow::Owned(o) = shorten(s, max) {
            *s = o;
        }
    }
    for p in found.patterns.iter_mut().chain(found.unassigned.iter_mut()) {
        fix(&mut p.label, LABEL_MAX);
        if let Some(t) = &mut p.tendency {
            fix(t, LABEL_MAX);
        }
        for (t, _) in &mut p.terms {
            fix(t, LABEL_MAX);
        }
        for e in &mut p.examples {
            fix(&mut e.text, REPORT_TEXT_MAX);
            for m in &mut e.matched {
                fix(m, LABEL_MAX);
            }
        }
        for c in p.lessons.iter_mut().chain(p.behavioral_changes.iter_mut()) {
            fix(&mut c.text, REPORT_TEXT_MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_bidi_zero_width_and_controls() {
        assert_eq!(clean("abc\u{202e}fed\u{202c}"), "abcfed");
        assert_eq!(clean("a\u{200b}b\u{200d}c\u{feff}"), "abc");
        assert_eq!(clean("x\u{7}y\u{0}z\u{9b}"), "xyz");
        assert_eq!(clean("line\u{2028}two\r\nthree"), "line two\nthree");
        assert_eq!(clean("tab\tand\nnewline stay"), "tab\tand\nnewline stay");
        assert_eq!(clean("日本語 ünïcödé"), "日本語 ünïcödé");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn shortens_with_marker_and_length() {
        let long = "word ".repeat(1000);
        let s = shorten(&long, 100);
        assert!(s.chars().count() < 140, "{s}");
        assert!(s.ends_with("… (5,000 characters in all)"), "{s}");
        assert_eq!(shorten(&s, 100), s, "shortening twice changes nothing");
        assert_eq!(shorten("short", 100), "short");
        // A long text that merely ends like a shortened one is still shortened.
        let sly = format!("{}… (3 characters in all)", "x".repeat(500));
        assert!(shorten(&sly, 100).chars().count() < 140);
        // No space to cut at: cut inside the word, at a character boundary.
        let cjk = "漢".repeat(500);
        let s = shorten(&cjk, 10);
        assert_eq!(s, format!("{}… (500 characters in all)", "漢".repeat(10)));
    }

    #[test]
    fn caps_csv_cells_only_above_the_cap() {
        let at_cap = "é".repeat(CSV_CELL_MAX);
        assert_eq!(cap_cell(&at_cap), at_cap.as_str());
        let over = "é".repeat(CSV_CELL_MAX + 5);
        let c = cap_cell(&over);
        assert!(c.starts_with(&at_cap));
        assert!(c.ends_with(&format!("… [cut: {} characters in all]", CSV_CELL_MAX + 5)));
        assert!(c.chars().count() < 32_767);
    }

    #[test]
    fn hidden_covers_the_bidi_controls() {
        for c in ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}'] {
            assert!(is_hidden(c));
        }
        for c in [
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}',
        ] {
            assert!(is_hidden(c));
        }
        for c in ['a', ' ', '\n', '\t', 'é', '…', '—'] {
            assert!(!is_hidden(c));
        }
    }
}
