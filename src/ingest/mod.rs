//! Ingest: input files → records and rejects.
//!
//! In: `IngestConfig` (paths or standard input, column overrides, date format, date window).
//! Out: `Ingested` — every analyzable row as a `Record` in input order, every other row as a
//! `Reject` with file, line (or record) and reason, plus per-file summaries.
//! Invariant: for every file, rows read = records + rejects + rows outside the date window.
//! Whole-file problems (unreadable file, no header, no root-cause column, invalid JSON array)
//! are errors; row problems never are.

mod columns;
mod dates;
mod delimited;
mod json;

pub use columns::{key as header_key, map_columns, ColumnMap, ColumnOptions};
pub use dates::parse_date;

use crate::error::{Error, Result};
use crate::record::{Control, Record, Reject, Role};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Input file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Jsonl,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }

    /// Guesses from the first non-blank byte: `[` is a JSON array, `{` JSON Lines, else CSV.
    fn sniff(bytes: &[u8]) -> Format {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Format::Json,
            Some(b'{') => Format::Jsonl,
            _ => Format::Csv,
        }
    }
}

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Stdin,
}

impl Source {
    pub fn display(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "<stdin>".to_string(),
        }
    }
}

/// Everything ingest needs to know.
#[derive(Debug, Clone, Default)]
pub struct IngestConfig {
    pub sources: Vec<Source>,
    /// Forces the format of every input (otherwise by extension, then by content).
    pub format: Option<Format>,
    pub columns: ColumnOptions,
    pub date_format: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Roles whose text is analyzed; a row whose first one is empty is rejected.
    pub text_roles: Vec<Role>,
    /// Leave people columns out of the rejects' fields.
    pub blameless: bool,
}

/// One parsed row before it becomes a record.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub line: u64,
    pub fields: Vec<String>,
    pub problem: Option<String>,
    /// A CSV record not yet split into strings: `decode` does that, in parallel, so the
    /// sequential reader only finds record boundaries.
    pub record: Option<::csv::ByteRecord>,
}

impl RawRow {
    /// A row whose fields are known.
    pub fn new(line: u64, fields: Vec<String>, problem: Option<String>) -> RawRow {
        RawRow {
            line,
            fields,
            problem,
            record: None,
        }
    }

    /// Turns a pending CSV record into fields, checking UTF-8 and the field count.
    pub fn decode(&mut self, headers: &[String]) {
        let Some(rec) = self.record.take() else {
            return;
        };
        let mut fields = Vec::with_capacity(rec.len());
        let mut bad_utf8 = None;
        for (i, f) in rec.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    bad_utf8.get_or_insert(i);
                    fields.push(String::from_utf8_lossy(f).into_owned());
                }
            }
        }
        self.problem = if let Some(i) = bad_utf8 {
            let name = headers.get(i).map_or("?", String::as_str);
            Some(format!("field {} (\"{name}\") is not valid UTF-8", i + 1))
        } else if fields.len() != headers.len() {
            Some(format!(
                "expected {} fields (as in the header), found {}",
                headers.len(),
                fields.len()
            ))
        } else {
            None
        };
        self.fields = fields;
    }
}

/// What ingest learned about one file.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub name: String,
    pub format: Format,
    pub rows_read: u64,
    pub rows_rejected: u64,
    pub rows_out_of_range: u64,
    /// (role, header) for each role found.
    pub columns: Vec<(Role, String)>,
    pub has_dates: bool,
    pub group_column: Option<String>,
}

/// Ingest's output.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub files: Vec<FileSummary>,
    pub records: Vec<Record>,
    pub rejects: Vec<Reject>,
    pub rows_read: u64,
    pub rows_out_of_range: u64,
    /// Headers of the rejected rows' fields, union over files in first-seen order.
    pub reject_headers: Vec<String>,
}

impl Ingested {
    pub fn has_dates(&self) -> bool {
        self.records.iter().any(|r| r.date.is_some())
    }
}

fn read_source(source: &Source) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match source {
        Source::Path(p) => {
            bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
        }
        Source::Stdin => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io("<stdin>", e))?;
        }
    }
    Ok(bytes)
}

fn boxed<'a>(rows: Vec<RawRow>) -> Box<dyn Iterator<Item = RawRow> + 'a> {
    Box::new(rows.into_iter())
}

/// Rows converted at a time: parallel work, bounded memory.
const BATCH: usize = 1 << 16;

fn format_of(source: &Source, forced: Option<Format>, bytes: &[u8]) -> Format {
    if let Some(f) = forced {
        return f;
    }
    if let Source::Path(p) = source {
        if let Some(f) = Path::new(p)
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::parse)
        {
            return f;
        }
    }
    Format::sniff(bytes)
}

/// Reads every input; see the module header for the contract.
pub fn ingest(cfg: &IngestConfig) -> Result<Ingested> {
    let mut out = Ingested::default();
    for (file_index, source) in cfg.sources.iter().enumerate() {
        let name = source.display();
        let bytes = read_source(source)?;
        let format = format_of(source, cfg.format, &bytes);
        let (headers, rows): (Vec<String>, Box<dyn Iterator<Item = RawRow> + '_>) = match format {
            Format::Csv => delimited::parse(&bytes)
                .map(|(h, rows)| (h, Box::new(rows) as Box<dyn Iterator<Item = RawRow>>)),
            Format::Json => json::parse_array(&bytes).map(|(h, v)| (h, boxed(v))),
            Format::Jsonl => json::parse_lines(&bytes).map(|(h, v)| (h, boxed(v))),
        }
        .map_err(|m| Error::input(&name, m))?;
        let map = map_columns(&headers, &cfg.columns).map_err(|m| Error::input(&name, m))?;
        if let Some(g) = map
            .group
            .filter(|g| cfg.blameless && map.people.contains(g))
        {
            return Err(Error::Param(format!(
                "--group-by \"{}\" ({name}) holds people's names, which --blameless leaves out of every output; group by a team or service column instead",
                headers[g]
            )));
        }
        let summary = convert_file(
            cfg,
            file_index as u32,
            name,
            format,
            &headers,
            &map,
            rows,
            &mut out,
        );
        drop(bytes);
        out.files.push(summary);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn convert_file(
    cfg: &IngestConfig,
    file: u32,
    name: String,
    format: Format,
    headers: &[String],
    map: &ColumnMap,
    mut rows: impl Iterator<Item = RawRow>,
    out: &mut Ingested,
) -> FileSummary {
    let keep_header: Vec<bool> = (0..headers.len())
        .map(|i| !(cfg.blameless && map.people.contains(&i)))
        .collect();
    // Rows are independent: convert each batch in parallel, keep input order.
    let (mut rows_read, mut rejected, mut out_of_range) = (0u64, 0u64, 0u64);
    loop {
        let batch: Vec<RawRow> = rows.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        let first_row = rows_read + 1;
        rows_read += batch.len() as u64;
        let converted: Vec<Outcome> = batch
            .into_par_iter()
            .enumerate()
            .map(|(i, mut raw)| {
                raw.decode(headers);
                convert_row(cfg, file, first_row + i as u64, map, raw)
            })
            .collect();
        for outcome in converted {
            match outcome {
                Outcome::Record(r) => out.records.push(*r),
                Outcome::OutOfRange => out_of_range += 1,
                Outcome::Reject {
                    line,
                    reason,
                    fields,
                } => {
                    rejected += 1;
                    let fields = if fields.len() == headers.len() {
                        fields
                            .into_iter()
                            .enumerate()
                            .filter(|(i, _)| keep_header[*i])
                            .map(|(i, v)| (headers[i].clone(), v))
                            .collect()
                    } else {
                        // Unaligned (short row, broken JSON line): keep the raw text in one column.
                        vec![("raw".to_string(), fields.join(","))]
                    };
                    for (h, _) in &fields {
                        if !out.reject_headers.contains(h) {
                            out.reject_headers.push(h.clone());
                        }
                    }
                    out.rejects.push(Reject {
                        file,
                        line,
                        reason,
                        fields,
                    });
                }
            }
        }
    }
    out.rows_read += rows_read;
    out.rows_out_of_range += out_of_range;
    let columns = map
        .roles
        .iter()
        .map(|(role, &i)| (*role, headers[i].clone()))
        .collect();
    FileSummary {
        name,
        format,
        rows_read,
        rows_rejected: rejected,
        rows_out_of_range: out_of_range,
        columns,
        has_dates: map.get(Role::Date).is_some(),
        group_column: map.group.map(|i| headers[i].clone()),
    }
}

enum Outcome {
    Record(Box<Record>),
    OutOfRange,
    Reject {
        line: u64,
        reason: String,
        fields: Vec<String>,
    },
}

fn convert_row(cfg: &IngestConfig, file: u32, row: u64, map: &ColumnMap, raw: RawRow) -> Outcome {
    let RawRow {
        line,
        fields,
        problem,
        ..
    } = raw;
    if let Some(reason) = problem {
        return Outcome::Reject {
            line,
            reason,
            fields,
        };
    }
    let get = |role: Role| -> String {
        map.get(role)
            .and_then(|i| fields.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut rec = Record {
        file,
        row,
        line,
        id: get(Role::Id),
        date: None,
        context: get(Role::Context),
        root_cause: get(Role::RootCause),
        lesson: get(Role::Lesson),
        behavioral_change: get(Role::BehavioralChange),
        control: Control::parse(&get(Role::Control)),
        group: map
            .group
            .and_then(|i| fields.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        truth: map
            .truth
            .and_then(|i| fields.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    };
    let text_roles: &[Role] = if cfg.text_roles.is_empty() {
        &[Role::RootCause]
    } else {
        &cfg.text_roles
    };
    // The first text role (the root cause by default) is what an entry is about.
    if rec.field(text_roles[0]).is_empty() {
        return Outcome::Reject {
            line,
            reason: format!("empty text ({})", text_roles[0].name()),
            fields,
        };
    }
    if let Some(i) = map.get(Role::Date) {
        match parse_date(&fields[i], cfg.date_format.as_deref()) {
            Ok(d) => rec.date = Some(d),
            Err(reason) => {
                return Outcome::Reject {
                    line,
                    reason,
                    fields,
                }
            }
        }
        let d = rec.date.expect("set above");
        if cfg.since.is_some_and(|s| d < s) || cfg.until.is_some_and(|u| d > u) {
            return Outcome::OutOfRange;
        }
    }
    Outcome::Record(Box::new(rec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> Source {
        let p = dir.path().join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        Source::Path(p)
    }

    #[test]
    fn every_row_is_accounted_for() {
        let dir = tempfile::tempdir().unwrap();
        let src = write(
            &dir,
            "log.csv",
            "Date;Root cause;Lesson\n2025-01-02;Estimate too low;Buffer\n2025-13-01;Bad date;x\n2025-01-03;;empty\n2024-01-01;old;x\n",
        );
        let cfg = IngestConfig {
            sources: vec![src],
            since: NaiveDate::from_ymd_opt(2024, 6, 1),
            ..Default::default()
        };
        let got = ingest(&cfg).unwrap();
        assert_eq!(got.rows_read, 4);
        assert_eq!(got.records.len(), 1);
        assert_eq!(got.rejects.len(), 2);
        assert_eq!(got.rows_out_of_range, 1);
        assert_eq!(got.rejects[0].line, 3);
        assert!(got.rejects[0].reason.contains("unreadable date"));
        assert!(got.rejects[1].reason.contains("empty text"));
        assert_eq!(got.records[0].row, 1);
        assert_eq!(got.records[0].lesson, "Buffer");
    }

    #[test]
    fn missing_text_column_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = write(&dir, "x.csv", "when,notes\n2025-01-01,hi\n");
        let err = ingest(&IngestConfig {
            sources: vec![src],
            ..Default::default()
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x.csv") && msg.contains("\"notes\""), "{msg}");
    }

    #[test]
    fn blameless_drops_people_from_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let src = write(&dir, "x.csv", "cause,assignee\n,Alice\n");
        let got = ingest(&IngestConfig {
            sources: vec![src],
            blameless: true,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(got.rejects.len(), 1);
        assert!(got.rejects[0]
            .fields
            .iter()
            .all(|(h, v)| h != "assignee" && v != "Alice"));
    }
}
