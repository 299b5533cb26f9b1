//! Streaming reads of JSON Lines and Parquet, for `ingest_streaming` (`recur assign`).
//!
//! In: one input already known to be JSON Lines (an `Input` over any reader) or a Parquet file
//! on disk. Out: its rows converted and handed to the stream a batch at a time, and the file's
//! `FileSummary`, as the whole-file read gives them.
//! How: JSON Lines is read a block of whole lines at a time (`json::LineBlocks`; the columns are
//! the first block's keys, and a key first seen later is not read but named in a warning);
//! Parquet a window of rows at a time (`parquet::Windows`). Each batch of rows is converted in
//! parallel and absorbed in input order, so memory holds a block, not the file.
//! Invariant: every row read is a record or a reject, with its line (JSON Lines) or row number
//! (Parquet), exactly as the whole-file read numbers it.

use super::chunked::Input;
use super::{
    absorb_rows, columns_for, encoding, json, parquet, Convert, FileAcc, FileSummary, Format,
    IngestConfig, IngestError, Ingested, ReadSizes, Result, Stream, BOM,
};
use std::io::Read;
use std::path::Path;

/// The next block of whole lines: at least `block` bytes (or the rest of the input), cut after
/// its last newline; what follows the cut stays in `input.buf`.
fn next_lines<R: Read>(input: &mut Input<R>, block: usize) -> std::io::Result<Vec<u8>> {
    input.fill(block)?;
    loop {
        if input.eof {
            return Ok(std::mem::take(&mut input.buf));
        }
        if let Some(nl) = memchr::memrchr(b'\n', &input.buf) {
            let rest = input.buf.split_off(nl + 1);
            return Ok(std::mem::replace(&mut input.buf, rest));
        }
        // One line longer than a block: read on to its end.
        let len = input.buf.len();
        input.fill(len * 2)?;
    }
}

/// Whether a sniffed input (it starts with `{`) is JSON Lines that can be streamed: its first
/// line is a whole JSON object and not an envelope holding the records (a one-line document).
/// Anything else is read whole, as `ingest` reads it.
pub(super) fn streams_as_lines(first_block: &[u8]) -> bool {
    let bytes = first_block.strip_prefix(BOM).unwrap_or(first_block);
    let Some(line) = bytes
        .split(|&b| b == b'\n')
        .find(|l| !l.trim_ascii().is_empty())
    else {
        return false;
    };
    match serde_json::from_slice::<serde_json::Value>(line) {
        Ok(serde_json::Value::Object(o)) => !json::is_envelope(&o),
        _ => false,
    }
}

/// JSON Lines into the stream, a block at a time.
#[allow(clippy::too_many_arguments)]
pub(super) fn json_lines<R: Read>(
    cfg: &IngestConfig,
    file: u32,
    name: &str,
    io_path: &Path,
    mut input: Input<R>,
    sizes: ReadSizes,
    out: &mut Ingested,
    stream: &mut Stream,
) -> Result<FileSummary> {
    let io = |e| IngestError::read(io_path, e);
    let block = sizes.block.max(1);
    let mut bytes = next_lines(&mut input, block).map_err(io)?;
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    // The first block decides the encoding for the file, as the whole file does when read whole.
    let cp1252 = std::str::from_utf8(&bytes).is_err();
    if cp1252 {
        out.warnings.push(format!(
            "{name}: not UTF-8; read as Windows-1252 (Latin-1) text — save it as UTF-8 to be sure of every character"
        ));
    }
    let decode = |b: Vec<u8>| {
        if cp1252 {
            encoding::cp1252(&b).into_bytes()
        } else {
            b
        }
    };
    let (mut blocks, rows) = json::LineBlocks::first(&decode(bytes));
    let headers = blocks.headers().to_vec();
    let map = columns_for(cfg, name, &headers)?;
    let convert = Convert::new(cfg, file, &headers, &map).text_only(true);
    let mut acc = FileAcc::new(cfg, file, Format::Jsonl, &headers, &map, out.records.len());
    absorb_rows(&convert, &mut acc, rows, out, Some(&mut *stream));
    let fixed_after = blocks.lines_read();
    loop {
        let bytes = next_lines(&mut input, block).map_err(io)?;
        if bytes.is_empty() {
            break;
        }
        let rows = blocks.next(&decode(bytes));
        absorb_rows(&convert, &mut acc, rows, out, Some(&mut *stream));
    }
    if blocks.late_count() > 0 {
        let more = blocks.late_count() - blocks.late.len();
        out.warnings.push(format!(
            "{name}: {} key(s) first seen after line {fixed_after} were not read ({}{}): `recur assign` takes a JSON Lines file's columns from its first {} MB",
            blocks.late_count(),
            blocks.late.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() },
            (block >> 20).max(1),
        ));
    }
    Ok(acc.finish(cfg, name, Format::Jsonl, out))
}

/// Rows of a Parquet file decoded per window (as many as a streamed batch: 137 MB peak for 10M rows,
/// against 192 MB with twice as many).
const WINDOW: usize = 1 << 15;

/// A Parquet file on disk into the stream, a window of rows at a time.
pub(super) fn parquet_file(
    cfg: &IngestConfig,
    file: u32,
    name: &str,
    path: &Path,
    out: &mut Ingested,
    stream: &mut Stream,
) -> Result<FileSummary> {
    let mut windows = parquet::Windows::open(path).map_err(|m| IngestError::unusable(name, m))?;
    let headers = windows.headers().to_vec();
    let map = columns_for(cfg, name, &headers)?;
    let convert = Convert::new(cfg, file, &headers, &map).text_only(true);
    let mut acc = FileAcc::new(
        cfg,
        file,
        Format::Parquet,
        &headers,
        &map,
        out.records.len(),
    );
    while let Some(rows) = windows
        .next_rows(WINDOW)
        .map_err(|m| IngestError::unusable(name, m))?
    {
        absorb_rows(&convert, &mut acc, rows, out, Some(&mut *stream));
    }
    Ok(acc.finish(cfg, name, Format::Parquet, out))
}

#[cfg(test)]
mod tests {
    use super::super::{ingest, ingest_streaming, jsonl_streams, Source};
    use super::*;
    use crate::record::{Record, Role};

    /// What a streamed read hands on: (line, id, root cause, lesson) per record, (position,
    /// reason) per reject, and the warnings.
    type Seen = (Vec<(u64, String, String, String)>, Vec<String>, Vec<String>);

    fn seen<'a>(records: impl Iterator<Item = &'a Record>, out: &super::super::Ingested) -> Seen {
        let got = records
            .map(|r| {
                (
                    r.line,
                    r.id.to_string(),
                    r.root_cause.to_string(),
                    r.lesson.to_string(),
                )
            })
            .collect();
        let rejects = out
            .rejects
            .iter()
            .map(|r| format!("{:?}: {}", r.position, r.reason))
            .collect();
        (got, rejects, out.warnings.clone())
    }

    fn streamed(cfg: &IngestConfig, block: usize) -> Seen {
        let mut got = Vec::new();
        let mut sink = |records: &[Record]| {
            got.extend(records.iter().cloned());
            Ok(())
        };
        let sizes = ReadSizes {
            block,
            chunk: block,
        };
        let out = ingest_streaming(cfg, sizes, &mut sink).unwrap();
        assert_eq!(out.rows_read, (got.len() + out.rejects.len()) as u64);
        seen(got.iter(), &out)
    }

    fn whole(cfg: &IngestConfig) -> Seen {
        let cfg = IngestConfig {
            keep_duplicates: true,
            ..cfg.clone()
        };
        let out = ingest(&cfg).unwrap();
        seen(out.records.iter(), &out)
    }

    fn config(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> IngestConfig {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        IngestConfig {
            sources: vec![Source::Path(p)],
            text_roles: vec![Role::RootCause, Role::Lesson],
            ..Default::default()
        }
    }

    /// JSON Lines with a byte-order mark, CRLF and blank lines, a line that is not JSON, one
    /// that is not an object, an empty cause and a line longer than any block below.
    fn awkward_lines() -> Vec<u8> {
        let mut text = b"\xEF\xBB\xBF".to_vec();
        for i in 1..=40 {
            let line = match i {
                7 => "{\"id\": \"7\", \"root_cause\": \"broken".to_string(),
                9 => "[1, 2]".to_string(),
                12 => String::new(),
                15 => format!(
                    "{{\"id\": \"15\", \"root_cause\": \"{}\", \"lesson\": \"long\"}}",
                    "said yes again ".repeat(40)
                ),
                20 => "{\"id\": \"20\", \"root_cause\": \"  \"}".to_string(),
                _ => format!(
                    "{{\"id\": \"{i}\", \"root_cause\": \"cause {i} \\u00e9t\\u00e9\", \"lesson\": \"lesson {i}\"}}"
                ),
            };
            text.extend_from_slice(line.as_bytes());
            text.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
        }
        text
    }

    #[test]
    fn json_lines_read_in_blocks_give_what_the_whole_read_gives() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(&dir, "log.jsonl", &awkward_lines());
        let want = whole(&cfg);
        assert_eq!(want.0.len(), 36, "{want:?}");
        assert_eq!(want.1.len(), 3, "{want:?}");
        for block in [1, 7, 64, 200, 1 << 20] {
            assert_eq!(streamed(&cfg, block), want, "block {block}");
        }
        // Without a final newline too.
        let mut text = awkward_lines();
        text.truncate(text.len() - 1);
        let cfg = config(&dir, "cut.jsonl", &text);
        let want = whole(&cfg);
        for block in [1, 64, 1 << 20] {
            assert_eq!(streamed(&cfg, block), want, "block {block}");
        }
    }

    #[test]
    fn a_key_first_seen_after_the_first_block_is_named_not_silently_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 1..=30 {
            if i < 20 {
                text.push_str(&format!(
                    "{{\"id\": \"{i}\", \"root_cause\": \"late again\"}}\n"
                ));
            } else {
                text.push_str(&format!(
                    "{{\"id\": \"{i}\", \"root_cause\": \"late again\", \"lesson\": \"ask early\", \"owner\": \"x\"}}\n"
                ));
            }
        }
        let cfg = config(&dir, "log.jsonl", text.as_bytes());
        let (records, rejects, warnings) = streamed(&cfg, 64);
        assert_eq!(records.len(), 30);
        assert!(rejects.is_empty());
        let w = warnings.join("\n");
        assert!(w.contains("2 key(s) first seen after line"), "{w}");
        assert!(w.contains("lesson, owner"), "{w}");
        // Read in one block, the keys are columns and nothing is said.
        let (records, _, warnings) = streamed(&cfg, 1 << 20);
        assert_eq!(records[25].3, "ask early");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn windows_1252_json_lines_are_decoded_block_by_block() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = Vec::new();
        for i in 1..=20 {
            text.extend_from_slice(format!("{{\"id\": \"{i}\", \"root_cause\": \"caf").as_bytes());
            text.push(0xE9);
            text.extend_from_slice(b" closed\"}\n");
        }
        let cfg = config(&dir, "log.jsonl", &text);
        let want = whole(&cfg);
        assert_eq!(want.0[19].2, "café closed");
        assert_eq!(streamed(&cfg, 50), want);
    }

    #[test]
    fn only_a_first_line_that_is_a_whole_record_makes_sniffed_input_stream() {
        let decide = |text: &str| {
            let mut input = Input::new(std::io::Cursor::new(text.as_bytes().to_vec()));
            input.fill(2).unwrap();
            jsonl_streams(None, &mut input).unwrap()
        };
        let lines = "{\"id\": 1, \"root_cause\": \"x\"}\n".repeat(40);
        assert!(decide(&lines));
        // A pretty-printed document, a one-line envelope, an input already read whole.
        assert!(!decide(
            &"{\n  \"incidents\": [\n    {\"id\": 1}\n  ]\n}\n".repeat(3)
        ));
        assert!(!decide(&format!(
            "{{\"incidents\": [{{\"id\": 1}}]}}\n{}",
            " ".repeat(100)
        )));
        assert!(!decide("{\"id\": 1}\n"));
        // Named JSON Lines always streams.
        let mut input = Input::new(std::io::Cursor::new(b"{\n".to_vec()));
        assert!(jsonl_streams(Some(Format::Jsonl), &mut input).unwrap());
    }
}
