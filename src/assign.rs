//! Assign: new entries → the patterns of a saved model, without a refit.
//!
//! In: `AssignConfig` (a model file, inputs read by the same ingest as analyze, an output folder
//! or standard output). Out: `assignments.csv` (`file,row,id,pattern,label,similarity,matched`,
//! one line per entry in input order; pattern 0 = fits no pattern), and in a folder also
//! `report.md` and `summary.json` (how the new entries spread over the known patterns against the
//! model's own shares, and examples of entries that fit none), `rejected.csv`, and with
//! `--parquet` `assignments.parquet` (the same rows, typed columns).
//! How: records stream through in batches (`ingest::ingest_streaming`); each batch is placed in
//! parallel (`model::Placer`, the same rule analyze used) and written in input order, so memory
//! does not grow with the input. A folder is published as one set (`output::staging`).
//! Invariant: an entry's placement depends only on the model and the entry, so any split of the
//! input into shards gives the same lines as one run.

use crate::error::{Error, Result};
use crate::event::{Event, Message, Observer};
use crate::ingest::{IngestConfig, ReadSizes};
use crate::model::{Placed, Placer, Scratch};
use crate::output::safe_cell;
use crate::record::Record;
use crate::sanitize::{cap_cell, shorten};
use crate::tendency::reader::EVIDENCE_WORDS;
use rayon::prelude::*;
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

/// Where the assignments go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A folder: assignments.csv, report.md, summary.json (and rejected.csv).
    Folder(PathBuf),
    /// Standard output: the assignment lines only.
    Stdout,
}

/// One assign run's settings.
#[derive(Debug, Clone)]
pub struct AssignConfig {
    pub model: PathBuf,
    pub ingest: IngestConfig,
    pub out: Destination,
    /// Write the CSV header line (off for shards that are concatenated).
    pub header: bool,
    /// Also write assignments.parquet (folder output only).
    pub parquet: bool,
}

/// What an assign run tells its caller: the counts, what it told the observer, and where the
/// rejected rows went. Whether rejected rows make the run a failure (`--strict`, or every row
/// rejected) is the caller's decision.
#[derive(Debug, Clone)]
pub struct AssignOutcome {
    pub rows_read: u64,
    pub placed: u64,
    pub rejected: u64,
    pub unplaced: u64,
    /// Every message the observer was given, in order.
    pub messages: Vec<crate::event::Message>,
    /// Where the rejected rows went: `rejected.csv` in the folder, or (with `-o -`) only the
    /// messages.
    pub rejected_file: Option<PathBuf>,
    /// The first three rejects as `file line N: reason`.
    pub first_reasons: String,
}

impl AssignOutcome {
    /// Every row read was rejected (a header-only input is not).
    pub fn all_rejected(&self) -> bool {
        self.rows_read > 0 && self.rejected == self.rows_read
    }
}

/// Entries placed per parallel task: 64 tasks a batch, so that the last task of a batch leaves
/// the other core idle for about 2 ms, not 8 (2,048 before; 1M rows, median wall over three
/// rounds of 5–6 runs each, in turn: 1–7 % less, CPU the same).
const TASK: usize = 512;
/// Examples of entries that fit no pattern, kept for the report.
const EXAMPLES: usize = 10;

/// Per-pattern counts and examples gathered while streaming.
#[derive(Default)]
struct Tally {
    /// By pattern id (index 0: no clear pattern).
    counts: Vec<u64>,
    placed: u64,
    /// (file, row, text, similarity) of the first entries that fit no pattern.
    examples: Vec<(u32, u64, String, f32)>,
    sim_sum: f64,
}

impl Tally {
    fn add(&mut self, p: &Placed) {
        let id = p.pattern as usize;
        if self.counts.len() <= id {
            self.counts.resize(id + 1, 0);
        }
        self.counts[id] += 1;
        self.placed += 1;
        if p.pattern != 0 {
            self.sim_sum += f64::from(p.similarity);
        }
    }

    fn merge(&mut self, other: Tally) {
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.placed += other.placed;
        self.sim_sum += other.sim_sum;
        let room = EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
    }

    fn count(&self, id: u32) -> u64 {
        self.counts.get(id as usize).copied().unwrap_or(0)
    }
}

/// The CSV header line.
pub const HEADER: [&str; 7] = [
    "file",
    "row",
    "id",
    "pattern",
    "label",
    "similarity",
    "matched",
];

/// Working memory kept across batches, so each thread's word cache stays warm (rayon calls a
/// `map_init` initializer once per split of the work, many times per batch).
struct Pool<'a> {
    placer: &'a Placer,
    free: std::sync::Mutex<Vec<Scratch>>,
}

/// A scratch taken from the pool, given back when dropped.
struct Lease<'p, 'a> {
    pool: &'p Pool<'a>,
    scratch: Option<Scratch>,
}

impl<'a> Pool<'a> {
    fn take(&self) -> Lease<'_, 'a> {
        let got = self.free.lock().ok().and_then(|mut f| f.pop());
        Lease {
            pool: self,
            scratch: Some(got.unwrap_or_else(|| self.placer.scratch())),
        }
    }
}

impl Drop for Lease<'_, '_> {
    fn drop(&mut self) {
        if let (Some(s), Ok(mut free)) = (self.scratch.take(), self.pool.free.lock()) {
            free.push(s);
        }
    }
}

impl std::ops::Deref for Lease<'_, '_> {
    type Target = Scratch;
    fn deref(&self) -> &Scratch {
        self.scratch.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Lease<'_, '_> {
    fn deref_mut(&mut self) -> &mut Scratch {
        self.scratch.as_mut().expect("held until dropped")
    }
}

/// Places a batch in parallel and writes its lines in input order.
fn place_batch(
    pool: &Pool,
    files: &[String],
    labels: &[(u32, String, Option<u16>)],
    records: &[Record],
    w: &mut dyn Write,
    tally: &mut Tally,
) -> std::io::Result<()> {
    let label_of = |id: u32| {
        labels
            .iter()
            .find(|l| l.0 == id)
            .map_or((NO_LABEL, None), |l| (l.1.as_bytes(), l.2))
    };
    let placer = pool.placer;
    let blocks: Vec<(Vec<u8>, Tally)> = records
        .par_chunks(TASK)
        .map_init(
            || pool.take(),
            |s, chunk| {
                let s = &mut **s;
                let mut out = Vec::with_capacity(chunk.len() * 96);
                let mut t = Tally::default();
                let (mut sim, mut matched) = (String::new(), String::new());
                for rec in chunk {
                    let p = placer.place(rec, s);
                    t.add(&p);
                    let (label, tendency) = label_of(p.pattern);
                    matched.clear();
                    if let (Some(m), Some(tend)) = (placer.matcher(), tendency) {
                        m.explain_into(&s.found, tend, 3, "; ", &mut matched);
                    }
                    // An entry the reader placed and no cue explains: the words it read.
                    if let (true, true, Some(r), Some(tend)) =
                        (matched.is_empty(), p.read, placer.reader(), tendency)
                    {
                        let roles = &placer.model.text_roles;
                        let words =
                            r.evidence_record(rec, roles, usize::from(tend), EVIDENCE_WORDS);
                        crate::tendency::reader::evidence_cell(&words, &mut matched);
                    }
                    if p.pattern == 0 && t.examples.len() < EXAMPLES {
                        let text = crate::patterns::analysis_text(rec, &placer.model.text_roles);
                        t.examples.push((
                            rec.file,
                            rec.row,
                            shorten(text, crate::sanitize::REPORT_TEXT_MAX).into_owned(),
                            p.similarity,
                        ));
                    }
                    sim.clear();
                    write_similarity(&mut sim, p.similarity);
                    let file = files.get(rec.file as usize).map_or("?", String::as_str);
                    push_cell(&mut out, file.as_bytes());
                    out.push(b',');
                    push_u64(&mut out, rec.row);
                    out.push(b',');
                    push_cell(&mut out, safe_cell(&cap_cell(&rec.id)).as_bytes());
                    out.push(b',');
                    push_u64(&mut out, u64::from(p.pattern));
                    out.push(b',');
                    push_cell(&mut out, label);
                    out.push(b',');
                    out.extend_from_slice(sim.as_bytes());
                    out.push(b',');
                    push_cell(&mut out, safe_cell(&matched).as_bytes());
                    out.push(b'\n');
                }
                (out, t)
            },
        )
        .collect();
    for (bytes, t) in blocks {
        w.write_all(&bytes)?;
        tally.merge(t);
    }
    Ok(())
}

/// The label of pattern 0.
const NO_LABEL: &[u8] = b"no clear pattern";

/// Appends one CSV cell as `csv::Writer` writes it (quote style "necessary"): quoted, with
/// quotes doubled, only when it holds a comma, a quote or a line break.
fn push_cell(out: &mut Vec<u8>, cell: &[u8]) {
    if !cell
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(cell);
        return;
    }
    out.push(b'"');
    for &b in cell {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends `v` in decimal.
fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// `x` with four decimals ("0.4828", "-0.0100"), as `{:.4}` writes it for |x| ≤ 1, without
/// the general float formatter (a noticeable share of the time at a million lines).
fn write_similarity(out: &mut String, x: f32) {
    let scaled = (f64::from(x) * 10_000.0).round();
    if !scaled.is_finite() || scaled.abs() >= 100_000.0 {
        let _ = write!(out, "{x:.4}");
        return;
    }
    let v = scaled as i64;
    if v < 0 {
        out.push('-');
    }
    let v = v.unsigned_abs();
    let _ = write!(out, "{}.{:04}", v / 10_000, v % 10_000);
}

/// Read sizes for streaming: smaller blocks than analyze's, so two blocks in flight stay small.
const STREAM_READ: ReadSizes = ReadSizes {
    block: 8 << 20,
    chunk: 1 << 20,
};

/// A writer that drops everything once its reader has gone (a broken pipe), so `recur assign
/// -o - | head` ends normally.
struct Lenient<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Write for Lenient<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            r => r,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            r => r,
        }
    }
}

/// Runs `recur assign`; see the module header.
pub fn run(cfg: &AssignConfig, observer: &mut dyn Observer) -> Result<AssignOutcome> {
    let model = crate::model::load(&cfg.model)?;
    let mut ingest_cfg = cfg.ingest.clone();
    ingest_cfg.text_roles = model.text_roles.clone();
    let placer = Placer::new(model);
    // Labels as a spreadsheet shows them, with each pattern's tendency for `matched`.
    let labels: Vec<(u32, String, Option<u16>)> = placer
        .model
        .patterns
        .iter()
        .map(|p| {
            (
                p.id,
                safe_cell(&p.label).into_owned(),
                p.tendency_index.map(|t| t as u16),
            )
        })
        .collect();
    let files: Vec<String> = ingest_cfg
        .sources
        .iter()
        .map(|s| safe_cell(&s.display()).into_owned())
        .collect();
    let mut tally = Tally::default();
    let mut messages = Vec::new();
    let stream_into = |w: &mut dyn Write, tally: &mut Tally| -> Result<crate::ingest::Ingested> {
        if cfg.header {
            let mut head = csv::Writer::from_writer(&mut *w);
            head.write_record(HEADER)
                .map_err(|e| Error::io("assignments.csv", std::io::Error::other(e)))?;
            head.flush().map_err(|e| Error::io("assignments.csv", e))?;
        }
        let pool = Pool {
            placer: &placer,
            free: std::sync::Mutex::new(Vec::new()),
        };
        let mut sink = |records: &[Record]| place_batch(&pool, &files, &labels, records, w, tally);
        Ok(crate::ingest::ingest_streaming(
            &ingest_cfg,
            STREAM_READ,
            &mut sink,
        )?)
    };
    let ingested = match &cfg.out {
        Destination::Stdout => {
            // A closed stdout (`| head`) is not an error: the rest of the lines are dropped.
            let stdout = Lenient {
                inner: std::io::stdout().lock(),
                closed: false,
            };
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout);
            let ingested = stream_into(&mut w, &mut tally)?;
            let _ = w.flush();
            ingested
        }
        Destination::Folder(out) => {
            let staging = crate::output::staging::Staging::begin(out, crate::LOCK_WAIT, || {
                observer.event(Event::Waiting {
                    out,
                    limit: crate::LOCK_WAIT,
                })
            })?;
            let dir = staging.dir().to_path_buf();
            let mut result = None;
            crate::output::write_atomic(&dir, "assignments.csv", |w| {
                match stream_into(w, &mut tally) {
                    Ok(i) => {
                        result = Some(Ok(i));
                        Ok(())
                    }
                    Err(e) => {
                        let m = e.to_string();
                        result = Some(Err(e));
                        Err(std::io::Error::other(m))
                    }
                }
            })
            .map_err(|e| match result.take() {
                Some(Err(inner)) => inner,
                _ => staging.public_error(e),
            })?;
            let ingested = match result {
                Some(Ok(i)) => i,
                Some(Err(e)) => return Err(e),
                None => return Err(Error::Param("assignments were not written".into())),
            };
            tell(&ingested, &mut messages, observer);
            if cfg.parquet {
                let csv_path = dir.join("assignments.csv");
                crate::output::write_atomic(&dir, "assignments.parquet", |w| {
                    crate::ingest::parquet::assignments_to_parquet(&csv_path, w)
                })
                .map_err(|e| staging.public_error(e))?;
            }
            let model_name = cfg.model.display().to_string();
            crate::output::write_atomic(&dir, "report.md", |w| {
                write_report(w, &placer, &model_name, &ingested, &tally)
            })
            .map_err(|e| staging.public_error(e))?;
            crate::output::write_atomic(&dir, "summary.json", |w| {
                let v = summary(&placer, &model_name, &ingested, &tally);
                serde_json::to_writer_pretty(&mut *w, &v)?;
                w.write_all(b"\n")
            })
            .map_err(|e| staging.public_error(e))?;
            if !ingested.rejects.is_empty() {
                crate::output::write_atomic(&dir, "rejected.csv", |w| {
                    crate::report::write_rejected(&ingested, w)
                })
                .map_err(|e| staging.public_error(e))?;
            }
            staging.publish()?;
            ingested
        }
    };
    if matches!(cfg.out, Destination::Stdout) {
        tell(&ingested, &mut messages, observer);
    }
    Ok(AssignOutcome {
        rows_read: ingested.rows_read,
        placed: tally.placed,
        rejected: ingested.rejects.len() as u64,
        unplaced: tally.count(0),
        messages,
        rejected_file: match &cfg.out {
            Destination::Folder(p) => Some(p.join("rejected.csv")),
            Destination::Stdout => None,
        },
        first_reasons: crate::event::first_reasons(&ingested),
    })
}

/// Hands the messages about the input to the observer (after the assignments are written, as
/// the input is streamed) and keeps them for the outcome.
fn tell(ingested: &crate::ingest::Ingested, kept: &mut Vec<Message>, observer: &mut dyn Observer) {
    *kept = crate::event::ingest_messages(ingested, false, true);
    for m in kept.iter() {
        observer.event(Event::Message(m));
    }
}

/// Per known pattern (and 0): id, label, tendency, model share, new count, new share.
fn rows(placer: &Placer, tally: &Tally) -> Vec<(u32, String, String, f64, u64, f64)> {
    let n = tally.placed.max(1) as f64;
    let m = &placer.model;
    let mut out: Vec<_> = m
        .patterns
        .iter()
        .map(|p| {
            let c = tally.count(p.id);
            (
                p.id,
                p.label.clone(),
                p.tendency.clone().unwrap_or_default(),
                m.share_of(p.id),
                c,
                c as f64 / n,
            )
        })
        .collect();
    let c = tally.count(0);
    out.push((
        0,
        "no clear pattern".into(),
        String::new(),
        m.share_of(0),
        c,
        c as f64 / n,
    ));
    out
}

fn summary(
    placer: &Placer,
    model_name: &str,
    ingested: &crate::ingest::Ingested,
    tally: &Tally,
) -> serde_json::Value {
    let m = &placer.model;
    json!({
        "model": {
            "file": model_name,
            "recur_version": m.recur_version,
            "entries": m.entries,
            "patterns": m.patterns.len(),
            "language": m.language,
            "seed": m.seed,
        },
        "input": {
            "files": ingested.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
            "rows_read": ingested.rows_read,
            "rows_placed": tally.placed,
            "rows_rejected": ingested.rejects.len(),
            "warnings": ingested.warnings,
        },
        "patterns": rows(placer, tally).into_iter().map(|(id, label, tendency, model_share, count, share)| json!({
            "id": id,
            "label": label,
            "tendency": if tendency.is_empty() { serde_json::Value::Null } else { json!(tendency) },
            "model_share": round4(model_share),
            "entries": count,
            "share": round4(share),
        })).collect::<Vec<_>>(),
        "no_pattern_examples": tally.examples.iter().map(|(f, row, text, sim)| json!({
            "file": ingested.files.get(*f as usize).map_or("?", |x| x.name.as_str()),
            "row": row,
            "text": text,
            "similarity": round4(f64::from(*sim)),
        })).collect::<Vec<_>>(),
    })
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn write_report(
    w: &mut dyn Write,
    placer: &Placer,
    model_name: &str,
    ingested: &crate::ingest::Ingested,
    tally: &Tally,
) -> std::io::Result<()> {
    use crate::report::md;
    let m = &placer.model;
    writeln!(w, "# New entries placed into known patterns\n")?;
    writeln!(
        w,
        "Model: {} (recur {}, fitted on {} entries, {} patterns). Input: {} rows read, {} placed, {} rejected.\n",
        md(&shorten(model_name, crate::sanitize::LABEL_MAX)),
        md(&m.recur_version),
        m.entries,
        m.patterns.len(),
        ingested.rows_read,
        tally.placed,
        ingested.rejects.len()
    )?;
    // What ingest decided or could not read (an encoding, JSON Lines keys first seen late).
    for warning in &ingested.warnings {
        writeln!(w, "- Note: {}", md(warning))?;
    }
    if !ingested.warnings.is_empty() {
        writeln!(w)?;
    }
    writeln!(
        w,
        "| id | pattern | model share | new entries | new share | change |\n|---:|---|---:|---:|---:|---:|"
    )?;
    for (id, label, _, ms, c, s) in rows(placer, tally) {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {:+.1} pts |",
            if id == 0 {
                "–".to_string()
            } else {
                id.to_string()
            },
            md(&shorten(&label, crate::sanitize::LABEL_MAX)),
            pct(ms),
            c,
            pct(s),
            (s - ms) * 100.0
        )?;
    }
    let none = tally.count(0);
    writeln!(w, "\n## Entries that fit no pattern\n")?;
    if none == 0 {
        writeln!(w, "Every entry fits a known pattern.")?;
        return Ok(());
    }
    writeln!(
        w,
        "{none} entr{} ({}) fit no known pattern (candidates for a new one; a refit with `recur analyze --previous` would show whether they form one). The first ones:\n",
        if none == 1 { "y" } else { "ies" },
        pct(none as f64 / tally.placed.max(1) as f64)
    )?;
    for (f, row, text, sim) in &tally.examples {
        let file = ingested
            .files
            .get(*f as usize)
            .map_or("?", |x| x.name.as_str());
        writeln!(
            w,
            "- {} row {row} (similarity {sim:.2}): {}",
            md(&shorten(file, crate::sanitize::LABEL_MAX)),
            md(text)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cells_are_written_as_the_csv_writer_writes_them(
            cells in proptest::collection::vec("[a-z ,\"\r\n;'=é]{0,12}", 1..8),
            n in any::<u64>(),
        ) {
            let mut ours = Vec::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    ours.push(b',');
                }
                push_cell(&mut ours, c.as_bytes());
            }
            ours.push(b',');
            push_u64(&mut ours, n);
            ours.push(b'\n');
            let mut theirs = csv::Writer::from_writer(Vec::new());
            let mut record: Vec<String> = cells.clone();
            record.push(n.to_string());
            theirs.write_record(&record).unwrap();
            prop_assert_eq!(ours, theirs.into_inner().unwrap());
        }
    }

    #[test]
    fn similarity_is_written_as_with_four_decimals() {
        for x in [
            0.0f32, 0.48284, -0.01, 1.0, 0.99995, 0.123_45, -0.999_99, 0.000_04,
        ] {
            let mut s = String::new();
            write_similarity(&mut s, x);
            let want = format!("{:.4}", f64::from(x));
            // Ties may round either way; the value must agree to the last digit shown.
            let (a, b): (f64, f64) = (s.parse().unwrap(), want.parse().unwrap());
            assert!((a - b).abs() <= 1e-4 + 1e-9, "{x}: {s} vs {want}");
        }
    }
}
