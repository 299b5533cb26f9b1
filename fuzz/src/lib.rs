//! Shared by the fuzz targets: feeds bytes to `recur::ingest::ingest` (the parsers' public
//! entry) through a per-process temporary file and checks ingest's accounting invariant.

use recur::ingest::{ingest, Format, IngestConfig, Source};
use recur::record::Role;
use std::path::PathBuf;
use std::sync::OnceLock;

fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| std::env::temp_dir().join(format!("recur-fuzz-{}", std::process::id())))
}

/// Ingests `data` as `format`; panics if ingest panics or loses a row.
pub fn ingest_bytes(data: &[u8], format: Format) {
    let path = scratch();
    std::fs::write(path, data).expect("write scratch file");
    let cfg = IngestConfig {
        sources: vec![Source::Path(path.clone())],
        format: Some(format),
        text_roles: vec![Role::RootCause],
        ..Default::default()
    };
    let Ok(got) = ingest(&cfg) else { return };
    assert_eq!(
        got.rows_read,
        (got.records.len() + got.rejects.len()) as u64 + got.rows_out_of_range
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
}
