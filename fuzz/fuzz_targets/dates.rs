#![no_main]
//! Arbitrary date cells and `--date-format` strings: `parse_date` never panics, and a date it
//! accepts without a format is the one written at the start of the cell.

use libfuzzer_sys::fuzz_target;
use recur::ingest::parse_date;

fuzz_target!(|input: (&str, &str)| {
    let (cell, format) = input;
    if let Ok(d) = parse_date(cell, None) {
        let t = cell.trim();
        assert!(
            t.starts_with(&d.format("%Y-%m-%d").to_string())
                || t.starts_with(&d.format("%Y/%m/%d").to_string()),
            "{cell:?} → {d}"
        );
    }
    let _ = parse_date(cell, Some(format));
});
