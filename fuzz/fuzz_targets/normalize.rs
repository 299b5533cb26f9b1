#![no_main]
//! Arbitrary text: `normalize` never panics, is idempotent and leaves no stray spaces.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let once = recur::text::normalize(text);
    assert_eq!(recur::text::normalize(&once), once);
    assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
});
