//! Ingest: input files → records and rejects.
//!
//! In: `IngestConfig` (paths or standard input, column overrides, date format, date window).
//! Out: `Ingested` — every analyzable row as a `Record` in input order, every other row as a
//! `Reject` with file, line (or record) and reason, plus per-file summaries.
//! Invariant: rows read = records + rejects + rows outside the date window + duplicates (rows
//! whose id a later row repeats, see `dedup`; per file without them). An entry's date never
//! rejects it: an empty, unreadable, implausible or too coarse date leaves it undated
//! (`rows_undated`). Whole-file problems (unreadable file, no header, no root-cause column,
//! invalid JSON) are errors; row problems never are. The output does not depend on `ReadSizes` nor on the
//! number of threads.
//!
//! How: CSV is streamed (`chunked`: read a block at a time, record boundaries found and rows
//! converted in parallel chunks, so the file is never held whole and no row is kept as an
//! intermediate record); a row becomes a `Record` holding only the columns recur uses, each
//! trimmed and allocated once, and only a rejected row keeps all its fields. JSON documents and
//! JSON Lines are read whole, then converted in parallel batches; a streaming read
//! (`ingest_streaming`, for `recur assign`) takes JSON Lines a block of lines at a time and a
//! Parquet file on disk a window of rows at a time instead (`streamed`).

mod chunked;
mod columns;
mod dates;
mod dedup;
mod delimited;
mod encoding;
mod error;
mod json;
mod markup;
pub mod parquet;
mod presets;
mod streamed;

pub use chunked::ReadSizes;
pub use columns::{key as header_key, map_columns, ColumnMap, ColumnOptions};
pub use dates::{check_format as check_date_format, parse_date, read_date, DateCell, Precision};
pub use markup::strip as strip_markup;
pub use presets::{find as find_preset, names as preset_names, Preset, PRESETS};

use crate::record::{Control, Position, Record, Reject, Role};
use chrono::NaiveDate;
use chunked::{Input, OpenError};
pub use error::IngestError;
use error::ParseError;

type Result<T, E = IngestError> = std::result::Result<T, E>;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Input file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Csv,
    Json,
    Jsonl,
    Parquet,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The place of the `n`th row of a file in this format: records are counted in a JSON
    /// array, lines everywhere else.
    pub fn position(self, n: u64) -> Position {
        match self {
            Format::Json => Position::Record(n),
            Format::Csv | Format::Jsonl | Format::Parquet => Position::Line(n),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }

    /// Guesses from the first non-blank byte: `[` is a JSON array, `{` JSON Lines, else CSV.
    fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PAR1") {
            return Format::Parquet;
        }
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Format::Json,
            Some(b'{') => Format::Jsonl,
            _ => Format::Csv,
        }
    }

    /// Whether `bytes`, the start of an input, are enough for `sniff`: more cannot change it.
    fn decided(bytes: &[u8]) -> bool {
        bytes.len() >= BOM.len()
            && bytes
                .strip_prefix(BOM)
                .unwrap_or(bytes)
                .iter()
                .any(|b| !b.is_ascii_whitespace())
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
    /// The coarsest date the timeline can place (a year-only date cannot go in a quarter): a
    /// coarser date leaves its entry undated.
    pub coarsest_date: Precision,
    /// Count every row even when ids repeat (`--keep-duplicates`).
    pub keep_duplicates: bool,
    /// Dates after this are implausible (the entry is kept, undated); `None`: a year after today.
    pub latest_date: Option<NaiveDate>,
}

/// One parsed JSON row before it becomes a record.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub line: u64,
    pub fields: Vec<String>,
    pub problem: Option<String>,
}

impl RawRow {
    pub fn new(line: u64, fields: Vec<String>, problem: Option<String>) -> RawRow {
        RawRow {
            line,
            fields,
            problem,
        }
    }
}

/// What ingest learned about one file.
#[derive(Debug, Clone, Default)]
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
    /// Entries analyzed without a place in the timeline (empty, unreadable or implausible date).
    pub rows_undated: u64,
    /// Rows dropped because a later row (here or in a later file) has the same id.
    pub rows_duplicate: u64,
    /// Why each role's column was chosen, in `columns` order.
    pub column_reasons: Vec<(Role, String)>,
}

/// Ingest's output.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub files: Vec<FileSummary>,
    pub records: Vec<Record>,
    pub rejects: Vec<Reject>,
    pub rows_read: u64,
    pub rows_out_of_range: u64,
    /// Rows dropped because a later row has the same id (see `dedup`).
    pub rows_duplicate: u64,
    /// Entries analyzed but left out of the timeline (see `FileSummary::rows_undated`).
    pub rows_undated: u64,
    /// The first few undated entries: (file, line or record, reason).
    pub undated_examples: Vec<(u32, Position, String)>,
    /// What ingest decided or repaired that the user should hear about (date order, encoding).
    pub warnings: Vec<String>,
    /// Headers of the rejected rows' fields, union over files in first-seen order.
    pub reject_headers: Vec<String>,
}

impl Ingested {
    pub fn has_dates(&self) -> bool {
        self.records.iter().any(|r| r.date.is_some())
    }
}

/// Rows of a JSON input converted per parallel task.
const BATCH: usize = 1 << 16;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The format a file name's extension names.
fn format_by_name(name: &Path) -> Option<Format> {
    name.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::parse)
}

/// Reads every input; see the module header for the contract.
pub fn ingest(cfg: &IngestConfig) -> Result<Ingested> {
    ingest_with(cfg, ReadSizes::default())
}

/// `ingest` reading and parsing `sizes` bytes at a time (the output does not depend on them).
pub fn ingest_with(cfg: &IngestConfig, sizes: ReadSizes) -> Result<Ingested> {
    let mut out = Ingested::default();
    for (file_index, source) in cfg.sources.iter().enumerate() {
        let name = source.display();
        let file = file_index as u32;
        match source {
            Source::Path(p) => {
                let src = std::fs::File::open(p).map_err(|e| IngestError::read(p, e))?;
                let by_name = format_by_name(p);
                ingest_one(cfg, file, &name, p, by_name, src, sizes, &mut out, None)?;
            }
            Source::Stdin => {
                let src = std::io::stdin();
                let path = Path::new("<stdin>");
                ingest_one(cfg, file, &name, path, None, src, sizes, &mut out, None)?;
            }
        }
    }
    finish(cfg, &mut out);
    Ok(out)
}

/// Records handed to a streaming sink at a time (at least; the last batch of a file may be
/// smaller).
pub const STREAM_BATCH: usize = 1 << 15;

/// A streaming consumer of records: called with batches of records in input order; it takes
/// what it needs and the batch is dropped.
pub type Sink<'a> = &'a mut dyn FnMut(&[Record]) -> std::io::Result<()>;

/// Reads every input like `ingest`, but hands the records to `sink` in batches as they are
/// read instead of keeping them, so memory does not grow with the input (`recur assign`).
/// The returned `Ingested` has no records. Differences, since no record is kept: every row is
/// kept even when ids repeat (as `--keep-duplicates`), and a numeric `a/b/yyyy` date whose
/// day/month order only the whole column decides is left undated. The records hold only what
/// assign reads: the id, the text roles, the date and control (other text fields are empty).
/// CSV and JSON Lines are read a block at a time (a JSON Lines file's columns are its first
/// block's keys: a key first seen later is not read, and a warning names it), a Parquet file on
/// disk a window of rows at a time; JSON documents and Parquet on standard input are read whole.
pub fn ingest_streaming(cfg: &IngestConfig, sizes: ReadSizes, sink: Sink) -> Result<Ingested> {
    let mut out = Ingested::default();
    let mut stream = Stream {
        sink,
        error: None,
        file: None,
    };
    for (file_index, source) in cfg.sources.iter().enumerate() {
        let name = source.display();
        let file = file_index as u32;
        let result = match source {
            Source::Path(p) => {
                let src = std::fs::File::open(p).map_err(|e| IngestError::read(p, e))?;
                let by_name = format_by_name(p);
                stream.file = Some(p.clone());
                ingest_one(
                    cfg,
                    file,
                    &name,
                    p,
                    by_name,
                    src,
                    sizes,
                    &mut out,
                    Some(&mut stream),
                )
            }
            Source::Stdin => {
                let src = std::io::stdin();
                let path = Path::new("<stdin>");
                stream.file = None;
                ingest_one(
                    cfg,
                    file,
                    &name,
                    path,
                    None,
                    src,
                    sizes,
                    &mut out,
                    Some(&mut stream),
                )
            }
        };
        result?;
        stream.flush(&mut out);
        if let Some(e) = stream.error.take() {
            return Err(IngestError::Sink(e));
        }
    }
    Ok(out)
}

/// A sink and the first error it returned (after which records are dropped unread).
struct Stream<'a> {
    sink: Sink<'a>,
    error: Option<std::io::Error>,
    /// The file being read, when it is one on disk (a Parquet file is then read in windows).
    file: Option<PathBuf>,
}

impl Stream<'_> {
    fn flush(&mut self, out: &mut Ingested) {
        if self.error.is_none() && !out.records.is_empty() {
            if let Err(e) = (self.sink)(&out.records) {
                self.error = Some(e);
            }
        }
        // Freed in parallel: a batch's thousands of strings were allocated on the threads that
        // parsed them, and freeing them all on this one thread left the others idle.
        out.records.par_drain(..).for_each(drop);
    }

    fn maybe_flush(&mut self, out: &mut Ingested) {
        if out.records.len() >= STREAM_BATCH {
            self.flush(out);
        }
    }
}

/// What is decided over all files: duplicates.
fn finish(cfg: &IngestConfig, out: &mut Ingested) {
    if !cfg.keep_duplicates {
        dedup::drop_duplicates(out);
    }
}

/// Ingests bytes held in memory as the only input, named `name` (whose extension, as a file's,
/// can tell the format); `cfg.sources` is not read. The fuzz targets' and tests' entry point.
pub fn ingest_bytes(
    cfg: &IngestConfig,
    name: &str,
    bytes: &[u8],
    sizes: ReadSizes,
) -> Result<Ingested> {
    let mut out = Ingested::default();
    let path = Path::new(name);
    ingest_one(
        cfg,
        0,
        name,
        path,
        format_by_name(path),
        bytes,
        sizes,
        &mut out,
        None,
    )?;
    finish(cfg, &mut out);
    Ok(out)
}

/// Reads one input to its end and adds its records, rejects and summary to `out`.
#[allow(clippy::too_many_arguments)]
fn ingest_one<R: Read + Send>(
    cfg: &IngestConfig,
    file: u32,
    name: &str,
    io_path: &Path,
    by_name: Option<Format>,
    src: R,
    sizes: ReadSizes,
    out: &mut Ingested,
    stream: Option<&mut Stream>,
) -> Result<()> {
    let io = |e| IngestError::read(io_path, e);
    let mut input = Input::new(src);
    input.fill(64).map_err(io)?;
    if let Some(order) = encoding::sniff_utf16(&input.buf) {
        // Excel's "Unicode text": decoded whole, then read as any UTF-8 input.
        let bytes = input.into_bytes().map_err(io)?;
        let utf8 = encoding::decode_utf16(&bytes, order);
        drop(bytes);
        out.warnings
            .push(format!("{name}: read as {} text", order.name()));
        let input = Input::new(std::io::Cursor::new(utf8));
        return ingest_input(cfg, file, name, io_path, by_name, input, sizes, out, stream);
    }
    ingest_input(cfg, file, name, io_path, by_name, input, sizes, out, stream)
}

/// `ingest_one` once the input is known to be UTF-8 (or single-byte) text.
#[allow(clippy::too_many_arguments)]
fn ingest_input<R: Read + Send>(
    cfg: &IngestConfig,
    file: u32,
    name: &str,
    io_path: &Path,
    by_name: Option<Format>,
    mut input: Input<R>,
    sizes: ReadSizes,
    out: &mut Ingested,
    mut stream: Option<&mut Stream>,
) -> Result<()> {
    let io = |e| IngestError::read(io_path, e);
    let format = match cfg.format.or(by_name) {
        Some(f) => f,
        None => {
            // Enough bytes to see the first one that is not blank.
            input.fill(64).map_err(io)?;
            while !input.eof && !Format::decided(&input.buf) {
                input.fill(input.buf.len() * 2).map_err(io)?;
            }
            Format::sniff(&input.buf)
        }
    };
    let summary = match format {
        Format::Csv => {
            let (headers, records) = chunked::open(input, sizes).map_err(|e| match e {
                OpenError::Io(e) => io(e),
                OpenError::Input(m) => IngestError::unusable(name, m),
            })?;
            let map = columns_for(cfg, name, &headers)?;
            let convert = Convert::new(cfg, file, &headers, &map).text_only(stream.is_some());
            let mut acc = FileAcc::new(cfg, file, format, &headers, &map, out.records.len());
            records
                .for_each_part(
                    |part: &mut Part, line, item| convert.csv_row(part, line, item),
                    |mut part| match stream.as_deref_mut() {
                        None => acc.absorb(part, out),
                        Some(s) => {
                            part.ambiguous.clear();
                            acc.absorb(part, out);
                            s.maybe_flush(out);
                        }
                    },
                )
                .map_err(io)?;
            acc.finish(cfg, name, format, out)
        }
        // A streaming read (`recur assign`) takes a Parquet file a window of rows at a time and
        // JSON Lines a block at a time; standard input's Parquet and JSON documents are read whole.
        Format::Parquet if stream.as_ref().is_some_and(|s| s.file.is_some()) => {
            let s = stream.as_deref_mut().expect("checked");
            let path = s.file.clone().expect("checked");
            streamed::parquet_file(cfg, file, name, &path, out, s)?
        }
        Format::Jsonl
            if stream.is_some()
                && jsonl_streams(cfg.format.or(by_name), &mut input).map_err(io)? =>
        {
            let s = stream.as_deref_mut().expect("checked");
            streamed::json_lines(cfg, file, name, io_path, input, sizes, out, s)?
        }
        Format::Json | Format::Jsonl | Format::Parquet => {
            let mut bytes = input.into_bytes().map_err(io)?;
            if format != Format::Parquet && std::str::from_utf8(&bytes).is_err() {
                bytes = encoding::cp1252(&bytes).into_bytes();
                out.warnings.push(format!(
                    "{name}: not UTF-8; read as Windows-1252 (Latin-1) text — save it as UTF-8 to be sure of every character"
                ));
            }
            let parsed = match (format, cfg.format.or(by_name)) {
                (Format::Parquet, _) => parquet::read(&bytes)
                    .map(|(h, r)| (h, r, false))
                    .map_err(ParseError::Shape),
                (Format::Json, _) => json::parse_array(&bytes).map(|(h, r)| (h, r, true)),
                (Format::Jsonl, Some(Format::Jsonl)) => {
                    json::parse_lines(&bytes).map(|(h, r)| (h, r, false))
                }
                // Sniffed from a leading `{`: a pretty-printed envelope or JSON Lines.
                _ => json::parse_object_or_lines(&bytes),
            };
            drop(bytes);
            let (headers, rows, document) = parsed.map_err(|e| match e {
                ParseError::Syntax {
                    line,
                    column,
                    message,
                } => IngestError::Syntax {
                    file: name.to_string(),
                    position: Position::Line(line),
                    column,
                    message,
                },
                ParseError::Shape(m) => IngestError::unusable(name, m),
            })?;
            let format = if document { Format::Json } else { format };
            let map = columns_for(cfg, name, &headers)?;
            let convert = Convert::new(cfg, file, &headers, &map).text_only(stream.is_some());
            let mut acc = FileAcc::new(cfg, file, format, &headers, &map, out.records.len());
            absorb_rows(&convert, &mut acc, rows, out, stream);
            acc.finish(cfg, name, format, out)
        }
    };
    out.files.push(summary);
    Ok(())
}

/// Converts parsed rows (JSON, JSON Lines, Parquet) in parallel batches — rows are independent
/// — and absorbs them in input order, handing them on when streaming.
fn absorb_rows(
    convert: &Convert,
    acc: &mut FileAcc,
    rows: Vec<RawRow>,
    out: &mut Ingested,
    mut stream: Option<&mut Stream>,
) {
    let parts: Vec<Part> = rows
        .into_par_iter()
        .fold_chunks(BATCH, Part::default, |mut part, raw| {
            convert.raw_row(&mut part, raw);
            part
        })
        .collect();
    for mut part in parts {
        match stream.as_deref_mut() {
            None => acc.absorb(part, out),
            Some(s) => {
                part.ambiguous.clear();
                acc.absorb(part, out);
                s.maybe_flush(out);
            }
        }
    }
}

/// Whether a JSON Lines input is read a block at a time: when it is named or declared JSON
/// Lines, or sniffed from a leading `{` and its first line is a whole record (see
/// `streamed::streams_as_lines`) with more input after it. Reads on to the end of that line.
fn jsonl_streams<R: Read>(decided: Option<Format>, input: &mut Input<R>) -> std::io::Result<bool> {
    if decided == Some(Format::Jsonl) {
        return Ok(true);
    }
    loop {
        let bytes = input.buf.strip_prefix(BOM).unwrap_or(&input.buf);
        let line_ended = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .is_some_and(|start| memchr::memchr(b'\n', &bytes[start..]).is_some());
        if line_ended || input.eof {
            break;
        }
        let len = input.buf.len();
        input.fill(len * 2 + 64)?;
    }
    // All of it is already in memory: read it as `ingest` does.
    Ok(!input.eof && streamed::streams_as_lines(&input.buf))
}

/// The column map of a file, checked against the options.
fn columns_for(cfg: &IngestConfig, name: &str, headers: &[String]) -> Result<ColumnMap> {
    let map = map_columns(headers, &cfg.columns).map_err(|m| IngestError::unusable(name, m))?;
    if let Some(g) = map
        .group
        .filter(|g| cfg.blameless && map.people.contains(g))
    {
        return Err(IngestError::GroupByPeople {
            header: headers[g].clone(),
            file: name.to_string(),
        });
    }
    Ok(map)
}

/// The rows of one chunk (CSV) or batch (JSON), converted: filled in parallel, merged in order.
#[derive(Default)]
struct Part {
    /// `Record::row` counts from 1 within the part until `FileAcc::absorb` offsets it.
    records: Vec<Record>,
    rejects: Vec<Draft>,
    rows: u64,
    out_of_range: u64,
    /// Control cells seen in this part, trimmed, and what they mean: a column of a few
    /// spellings is parsed a few times, not once per row.
    controls: Vec<(String, Control)>,
    /// Records (by index in `records`) whose date has no day/month order of its own yet.
    ambiguous: Vec<Pending>,
    /// Rows whose numeric date proved day-first / month-first, and the first such line of each.
    votes: dates::Votes,
    undated: u64,
    undated_examples: Vec<(u64, String)>,
    /// Rows read as Windows-1252 because they are not UTF-8.
    transcoded: Tally,
}

/// A count and the first line counted.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    count: u64,
    first: Option<u64>,
}

impl Tally {
    fn add(&mut self, line: u64) {
        self.count += 1;
        self.first.get_or_insert(line);
    }

    fn merge(&mut self, later: Tally) {
        self.count += later.count;
        self.first = self.first.or(later.first);
    }
}

/// A record whose `a/b/y` date waits for its column's day/month order.
#[derive(Debug, Clone)]
struct Pending {
    index: usize,
    line: u64,
    day_first: Option<NaiveDate>,
    month_first: Option<NaiveDate>,
    cell: Box<str>,
}

/// Undated entries named in the warning.
const UNDATED_SHOWN: usize = 5;

impl chunked::Part for Part {
    fn for_bytes(bytes: usize) -> Part {
        Part {
            // Room for rows of 256 bytes: most logs need no second allocation.
            records: Vec::with_capacity(bytes / 256),
            ..Part::default()
        }
    }
}

/// Distinct control cells remembered per part.
const CONTROL_CACHE: usize = 16;

/// A rejected row before its fields are paired with headers.
struct Draft {
    line: u64,
    reason: String,
    fields: Vec<String>,
}

impl Part {
    fn undated(&mut self, line: u64, reason: String) {
        self.undated += 1;
        if self.undated_examples.len() < UNDATED_SHOWN {
            self.undated_examples.push((line, reason));
        }
    }

    fn vote(&mut self, order: dates::Order, line: u64) {
        self.votes.add(order, line);
    }

    /// `Control::parse`, remembered.
    fn control(&mut self, cell: &str) -> Control {
        let cell = cell.trim();
        if let Some((_, c)) = self.controls.iter().find(|(s, _)| s == cell) {
            return *c;
        }
        let c = Control::parse(cell);
        if self.controls.len() < CONTROL_CACHE {
            self.controls.push((cell.to_string(), c));
        }
        c
    }

    /// Files a row's verdict; `fields` (every field of the row) is only built for a reject.
    fn take(
        &mut self,
        line: u64,
        verdict: std::result::Result<Option<Record>, String>,
        fields: impl FnOnce() -> Vec<String>,
    ) {
        self.rows += 1;
        match verdict {
            Ok(Some(mut rec)) => {
                rec.row = self.rows;
                self.records.push(rec);
            }
            Ok(None) => self.out_of_range += 1,
            Err(reason) => self.rejects.push(Draft {
                line,
                reason,
                fields: fields(),
            }),
        }
    }
}

/// What turning a row into a record needs.
struct Convert<'a> {
    cfg: &'a IngestConfig,
    file: u32,
    headers: &'a [String],
    map: &'a ColumnMap,
    /// The first text role (the root cause by default): what an entry is about.
    text_role: Role,
    dating: dates::Dating,
    /// Streaming for `recur assign`: fill only the fields it reads (the id and the text roles);
    /// the other text fields stay empty (no allocation, no markup removal).
    text_only: bool,
}

impl<'a> Convert<'a> {
    fn new(
        cfg: &'a IngestConfig,
        file: u32,
        headers: &'a [String],
        map: &'a ColumnMap,
    ) -> Convert<'a> {
        Convert {
            cfg,
            file,
            headers,
            map,
            text_role: cfg.text_roles.first().copied().unwrap_or(Role::RootCause),
            dating: dates::Dating::new(cfg),
            text_only: false,
        }
    }

    /// See `text_only`.
    fn text_only(mut self, yes: bool) -> Self {
        self.text_only = yes;
        self
    }

    /// A CSV record, read straight from the parser's buffer: only the kept fields become strings
    /// (trimmed, one allocation each), unless the row is rejected.
    fn csv_row(&self, part: &mut Part, line: u64, item: chunked::Item<'_>) {
        let rec = match item {
            Ok(rec) => rec,
            Err(e) => {
                return part.take(line, Err(format!("unreadable record: {e}")), Vec::new);
            }
        };
        let verdict = match delimited::check_record(rec, self.headers) {
            Ok(text) => self.judge(part, line, |i| rec.range(i).and_then(|r| text.get(r))),
            Err(_)
                if rec.len() == self.headers.len()
                    && std::str::from_utf8(rec.as_slice()).is_err() =>
            {
                // Not UTF-8: a Windows-1252 / Latin-1 file (every byte has a reading there).
                let fields: Vec<String> = rec.iter().map(encoding::cp1252).collect();
                part.transcoded.add(line);
                let verdict = self.judge(part, line, |i| fields.get(i).map(String::as_str));
                return part.take(line, verdict, || fields);
            }
            Err(reason) => Err(reason),
        };
        part.take(line, verdict, || delimited::lossy_fields(rec));
    }

    /// A JSON row.
    fn raw_row(&self, part: &mut Part, raw: RawRow) {
        let RawRow {
            line,
            fields,
            problem,
        } = raw;
        let verdict = match problem {
            Some(reason) => Err(reason),
            None => self.judge(part, line, |i| fields.get(i).map(String::as_str)),
        };
        part.take(line, verdict, || fields);
    }

    /// A readable row (`field(i)`: the text under header `i`) → its record, `None` when its
    /// date is outside the window, or the reason to reject it.
    fn judge<'f>(
        &self,
        part: &mut Part,
        line: u64,
        field: impl Fn(usize) -> Option<&'f str>,
    ) -> std::result::Result<Option<Record>, String> {
        let (cfg, map) = (self.cfg, self.map);
        let get = |i: Option<usize>| -> Box<str> {
            let Some(i) = i else {
                return Box::default();
            };
            let one = field(i).map_or("", str::trim);
            match map.repeats.get(&i) {
                None => Box::from(one),
                // A repeated header: every value, joined.
                Some(others) => std::iter::once(one)
                    .chain(others.iter().map(|&j| field(j).map_or("", str::trim)))
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ")
                    .into(),
            }
        };
        // Markup is removed before analysis: the words, not `<br>` or `{noformat}`.
        let text = |role: Role| -> Box<str> {
            if self.text_only && !cfg.text_roles.contains(&role) {
                return Box::default();
            }
            markup::clean(get(map.get(role)))
        };
        let other = |i: Option<usize>| -> Box<str> {
            if self.text_only {
                return Box::default();
            }
            get(i)
        };
        let mut rec = Record {
            file: self.file,
            row: 0,
            line,
            id: get(map.get(Role::Id)),
            date: None,
            context: text(Role::Context),
            root_cause: text(Role::RootCause),
            lesson: text(Role::Lesson),
            behavioral_change: text(Role::BehavioralChange),
            control: part.control(map.get(Role::Control).and_then(&field).unwrap_or("")),
            group: other(map.group),
            truth: other(map.truth),
        };
        if rec.field(self.text_role).is_empty() {
            return Err(format!("empty text ({})", self.text_role.name()));
        }
        if let Some(i) = map.get(Role::Date) {
            let cell = field(i).unwrap_or("");
            let (read, order) = read_date(cell, cfg.date_format.as_deref());
            if let Some(o) = order {
                part.vote(o, line);
            }
            match read {
                DateCell::Date(d, p) => match self.dating.place(d, p, cell) {
                    Ok(d) => {
                        if !self.dating.in_window(d) {
                            return Ok(None);
                        }
                        rec.date = Some(d);
                    }
                    Err(reason) => part.undated(line, reason),
                },
                DateCell::Ambiguous {
                    day_first,
                    month_first,
                } => part.ambiguous.push(Pending {
                    index: part.records.len(),
                    line,
                    day_first,
                    month_first,
                    cell: cell.trim().into(),
                }),
                DateCell::Empty => part.undated(line, "empty date".to_string()),
                DateCell::Unreadable(reason) => part.undated(line, reason),
            }
        }
        Ok(Some(rec))
    }
}

/// One file's running totals while its parts arrive in order.
struct FileAcc<'a> {
    file: u32,
    format: Format,
    headers: &'a [String],
    map: &'a ColumnMap,
    /// Headers whose values a reject keeps (`--blameless` drops people's).
    keep: Vec<bool>,
    rows_read: u64,
    rejected: u64,
    out_of_range: u64,
    /// Index in `Ingested::records` of this file's first record.
    start: usize,
    /// Pending `a/b/y` dates, `index` now counted in `Ingested::records`.
    ambiguous: Vec<Pending>,
    votes: dates::Votes,
    undated: u64,
    undated_examples: Vec<(u64, String)>,
    transcoded: Tally,
    /// `--blameless`: a reject whose fields cannot be matched to headers keeps no raw text.
    blameless: bool,
}

impl<'a> FileAcc<'a> {
    fn new(
        cfg: &IngestConfig,
        file: u32,
        format: Format,
        headers: &'a [String],
        map: &'a ColumnMap,
        start: usize,
    ) -> FileAcc<'a> {
        FileAcc {
            file,
            format,
            headers,
            map,
            keep: (0..headers.len())
                .map(|i| !(cfg.blameless && map.people.contains(&i)))
                .collect(),
            rows_read: 0,
            rejected: 0,
            out_of_range: 0,
            start,
            ambiguous: Vec::new(),
            votes: dates::Votes::default(),
            undated: 0,
            undated_examples: Vec::new(),
            transcoded: Tally::default(),
            blameless: cfg.blameless,
        }
    }

    fn absorb(&mut self, part: Part, out: &mut Ingested) {
        let base = self.rows_read;
        let first = out.records.len();
        self.ambiguous
            .extend(part.ambiguous.into_iter().map(|mut p| {
                p.index += first;
                p
            }));
        self.votes.merge(&part.votes);
        self.transcoded.merge(part.transcoded);
        self.undated += part.undated;
        let room = UNDATED_SHOWN.saturating_sub(self.undated_examples.len());
        self.undated_examples
            .extend(part.undated_examples.into_iter().take(room));
        out.records.extend(part.records.into_iter().map(|mut r| {
            r.row += base;
            r
        }));
        let headers = self.headers;
        for Draft {
            line,
            reason,
            fields,
        } in part.rejects
        {
            self.rejected += 1;
            let fields = if fields.len() == headers.len() {
                fields
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| self.keep[*i])
                    .map(|(i, v)| (headers[i].clone(), v))
                    .collect()
            } else if self.blameless {
                // Unaligned raw text may hold names that no header marks as people's.
                vec![("raw".to_string(), "(withheld by --blameless)".to_string())]
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
                file: self.file,
                position: self.format.position(line),
                reason,
                fields,
            });
        }
        self.rows_read += part.rows;
        self.out_of_range += part.out_of_range;
    }

    /// Settles the column's day/month order for the dates that needed it, then adds the file's
    /// totals to `out`.
    fn finish(
        mut self,
        cfg: &IngestConfig,
        name: &str,
        format: Format,
        out: &mut Ingested,
    ) -> FileSummary {
        let headers = self.headers;
        let date_header = self.map.get(Role::Date).map_or("", |i| headers[i].as_str());
        if !self.ambiguous.is_empty() || self.votes.day_first + self.votes.month_first > 0 {
            let (order, why) = self.votes.decide();
            out.warnings
                .push(format!("{name}: dates in \"{date_header}\" {why}"));
            let dating = dates::Dating::new(cfg);
            let mut outside = vec![false; 0];
            for p in std::mem::take(&mut self.ambiguous) {
                let chosen = match order {
                    dates::Order::DayFirst => p.day_first,
                    dates::Order::MonthFirst => p.month_first,
                };
                let placed = chosen
                    .ok_or_else(|| format!("unreadable date \"{}\" in this column's order", p.cell))
                    .and_then(|d| dating.place(d, Precision::Day, &p.cell));
                match placed {
                    Ok(d) if dating.in_window(d) => out.records[p.index].date = Some(d),
                    Ok(_) => {
                        if outside.is_empty() {
                            outside = vec![false; out.records.len() - self.start];
                        }
                        outside[p.index - self.start] = true;
                    }
                    Err(reason) => {
                        self.undated += 1;
                        if self.undated_examples.len() < UNDATED_SHOWN {
                            self.undated_examples.push((p.line, reason));
                        }
                    }
                }
            }
            if !outside.is_empty() {
                let gone = outside.iter().filter(|&&o| o).count() as u64;
                let mut i = 0;
                let tail: Vec<Record> = out.records.drain(self.start..).collect();
                out.records.extend(tail.into_iter().filter(|_| {
                    i += 1;
                    !outside[i - 1]
                }));
                self.out_of_range += gone;
            }
        }
        if let Some(first) = self.transcoded.first {
            out.warnings.push(format!(
                "{name}: {} row{} not UTF-8 and read as Windows-1252 (Latin-1) text, the first on line {first}; save the file as UTF-8 to be sure of every character",
                self.transcoded.count,
                if self.transcoded.count == 1 { " is" } else { "s are" }
            ));
        }
        self.undated_examples.sort_by_key(|(line, _)| *line);
        self.undated_examples.truncate(UNDATED_SHOWN);
        for (line, reason) in &self.undated_examples {
            if out.undated_examples.len() < UNDATED_SHOWN {
                out.undated_examples
                    .push((self.file, self.format.position(*line), reason.clone()));
            }
        }
        out.rows_undated += self.undated;
        out.rows_read += self.rows_read;
        out.rows_out_of_range += self.out_of_range;
        FileSummary {
            name: name.to_string(),
            format,
            rows_read: self.rows_read,
            rows_rejected: self.rejected,
            rows_out_of_range: self.out_of_range,
            columns: self
                .map
                .roles
                .iter()
                .map(|(role, &i)| (*role, headers[i].clone()))
                .collect(),
            column_reasons: self
                .map
                .reasons
                .iter()
                .map(|(role, why)| (*role, why.clone()))
                .collect(),
            has_dates: self.map.get(Role::Date).is_some(),
            group_column: self.map.group.map(|i| headers[i].clone()),
            rows_undated: self.undated,
            rows_duplicate: 0,
        }
    }
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
        assert_eq!(got.records.len(), 2);
        assert_eq!(got.rejects.len(), 1);
        assert_eq!(got.rows_out_of_range, 1);
        assert_eq!(got.rows_undated, 1);
        // An unreadable date costs the entry its place in the timeline, not its analysis.
        assert_eq!(got.records[1].date, None);
        assert_eq!(&*got.records[1].root_cause, "Bad date");
        assert_eq!(got.undated_examples[0].1, Position::Line(3));
        assert!(got.undated_examples[0].2.contains("unreadable date"));
        assert!(got.rejects[0].reason.contains("empty text"));
        assert_eq!(got.records[0].row, 1);
        assert_eq!(&*got.records[0].lesson, "Buffer");
    }

    #[test]
    fn read_sizes_change_nothing() {
        let mut text = b"\xEF\xBB\xBFid;Date;Root cause;Control;Team\r\n".to_vec();
        text.extend_from_slice(
            b"1;2025-01-02; Estimate too low ;yes;core\r\n\r\n2;2025-13-01;Bad date;no;x\n\
              3;2025-01-03;\"multi\nline; \"\"quoted\"\"\";partly;core\r4;2025-01-04\n\
              5;2025-01-05;\xff;no;x\n6;2024-01-01;old;no;x\n7;2025-01-06;  ;n/a;core\n\
              8;2025-01-07;un\"quoted;within;core",
        );
        let cfg = IngestConfig {
            since: NaiveDate::from_ymd_opt(2024, 6, 1),
            ..Default::default()
        };
        let want = ingest_bytes(&cfg, "log.csv", &text, ReadSizes::default()).unwrap();
        assert_eq!(want.rows_read, 8);
        assert_eq!(want.rows_out_of_range, 1);
        let lines = |v: &Ingested| {
            (
                v.records
                    .iter()
                    .map(|r| (r.row, r.line))
                    .collect::<Vec<_>>(),
                v.rejects
                    .iter()
                    .map(|r| r.position.number())
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            lines(&want),
            (vec![(1, 2), (2, 4), (3, 5), (5, 8), (8, 11)], vec![7, 10])
        );
        assert_eq!(&*want.records[0].root_cause, "Estimate too low");
        assert_eq!(&*want.records[2].root_cause, "multi\nline; \"quoted\"");
        assert_eq!(want.records[2].control, Control::Partial);
        // Line 8's byte 0xFF is not UTF-8: read as Windows-1252, not rejected.
        assert_eq!(&*want.records[3].root_cause, "ÿ");
        assert_eq!(&*want.records[4].root_cause, "un\"quoted");
        for block in [0, 1, 2, 3, 7, 16, 64, usize::MAX] {
            for chunk in [0, 1, 2, 5, 13, 40, usize::MAX] {
                let got = ingest_bytes(&cfg, "log.csv", &text, ReadSizes { block, chunk }).unwrap();
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{block} {chunk}");
            }
        }
    }

    #[test]
    fn format_is_sniffed_past_a_bom_and_blank_lines() {
        let cfg = IngestConfig::default();
        let mut text = b"\xEF\xBB\xBF".to_vec();
        text.extend(std::iter::repeat_n(b'\n', 300));
        text.extend_from_slice(br#"[{"cause": "late"}]"#);
        let got = ingest_bytes(&cfg, "input", &text, ReadSizes::default()).unwrap();
        assert_eq!(got.files[0].format, Format::Json);
        assert_eq!(&*got.records[0].root_cause, "late");
        let got = ingest_bytes(
            &cfg,
            "input",
            b"  {\"cause\": \"x\"}\n",
            ReadSizes::default(),
        );
        assert_eq!(got.unwrap().files[0].format, Format::Jsonl);
        let got = ingest_bytes(&cfg, "input", b"cause\nx\n", ReadSizes::default());
        assert_eq!(got.unwrap().files[0].format, Format::Csv);
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
