#![no_main]
//! Arbitrary text and lengths: `sanitize::clean` and `shorten` never panic, leave no hidden
//! character, are idempotent, and `shorten` stays within its limit plus the length marker.

use libfuzzer_sys::fuzz_target;
use recur::sanitize::{cap_cell, clean, is_hidden, shorten};

fuzz_target!(|input: (&str, u16)| {
    let (text, max) = input;
    let max = usize::from(max % 2048);
    let c = clean(text);
    assert!(!c.chars().any(is_hidden), "{c:?}");
    assert_eq!(clean(&c), c);
    let s = shorten(text, max);
    assert!(!s.chars().any(is_hidden));
    assert_eq!(shorten(&s, max), s);
    if c.chars().count() > max {
        // The head is at most `max` characters; the marker adds under 40.
        assert!(s.chars().count() <= max + 40, "{s:?}");
    }
    let cell = cap_cell(text);
    assert!(cell.chars().count() <= recur::sanitize::CSV_CELL_MAX + 40);
});
