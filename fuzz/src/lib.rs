//! Shared by the fuzz targets: feeds bytes to `recur::ingest::ingest_bytes` (the parsers'
//! public entry for in-memory input), checks ingest's accounting invariant, and checks that
//! reading in tiny blocks and chunks gives the same result as the default sizes.

use recur::ingest::{ingest_bytes, Format, IngestConfig, ReadSizes};
use recur::record::Role;

/// Ingests `data` as `format`; panics if ingest panics, loses a row, or depends on read sizes.
pub fn ingest_bytes_checked(data: &[u8], format: Format) {
    let cfg = IngestConfig {
        format: Some(format),
        text_roles: vec![Role::RootCause],
        ..Default::default()
    };
    let Ok(got) = ingest_bytes(&cfg, "input", data, ReadSizes::default()) else {
        return;
    };
    assert_eq!(
        got.rows_read,
        (got.records.len() + got.rejects.len()) as u64 + got.rows_out_of_range + got.rows_duplicate,
        "rows read = analyzed + rejected + out of range + duplicates"
    );
    let min_line = if format == Format::Csv { 2 } else { 1 };
    for r in &got.rejects {
        assert!(!r.reason.is_empty());
        assert!(r.line >= min_line, "reject at line {}", r.line);
    }
    for r in &got.records {
        assert!(r.line >= min_line, "record at line {}", r.line);
        assert!(!r.root_cause.trim().is_empty());
    }
    let small = ReadSizes { block: 5, chunk: 3 };
    let again = ingest_bytes(&cfg, "input", data, small).expect("same input, same verdict");
    assert_eq!(format!("{again:?}"), format!("{got:?}"));
}
