//! `assignments.csv` (one line per analyzed entry, input order) and `rejected.csv` (one line per
//! rejected row with its reason and original fields). Every cell goes through `safe_cell`, and
//! text cells keep at most `sanitize::CSV_CELL_MAX` characters (then "… [cut: N characters in
//! all]").

use super::Report;
use crate::ingest::Ingested;
use crate::output::safe_cell;
use crate::sanitize::cap_cell;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::{self, Write};

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// Rows formatted per parallel task, and tasks per round (so at most this many rows' text is
/// held at once before it is written).
const ROWS_PER_TASK: usize = 1 << 15;
const TASKS_PER_ROUND: usize = 16;

/// `file,row,id,date,pattern,label`. Blocks of rows are formatted in parallel and written in
/// input order; each record is quoted on its own, so the bytes match a sequential writer's.
pub fn write_assignments(report: &Report, labels: &[u32], w: &mut dyn Write) -> io::Result<()> {
    let mut head = csv::Writer::from_writer(&mut *w);
    head.write_record(["file", "row", "id", "date", "pattern", "label", "matched"])
        .map_err(csv_err)?;
    head.flush()?;
    drop(head);
    // Indexed by pattern id (ids are 1..=k by size, or stable ids with gaps after --previous).
    let top = report
        .patterns
        .patterns
        .iter()
        .map(|p| p.id as usize)
        .max()
        .unwrap_or(0);
    let mut names: Vec<String> = vec![String::new(); top + 1];
    names[0] = "no clear pattern".to_string();
    for p in &report.patterns.patterns {
        names[p.id as usize] = safe_cell(&p.label).into_owned();
    }
    let files: Vec<String> = (0..report.ingested.files.len())
        .map(|f| safe_cell(report.file_name(f as u32)).into_owned())
        .collect();
    // Per pattern id, the tendency whose cues explain its entries.
    let mut tendency_of: Vec<Option<u16>> = vec![None; top + 1];
    for p in &report.patterns.patterns {
        tendency_of[p.id as usize] = p.tendency_index.map(|t| t as u16);
    }
    let (records, cues, readings) = (report.records, report.cues, report.readings);
    let n = records.len().min(labels.len());
    let starts: Vec<usize> = (0..n).step_by(ROWS_PER_TASK).collect();
    for round in starts.chunks(TASKS_PER_ROUND) {
        let blocks: Vec<io::Result<Vec<u8>>> = round
            .par_iter()
            .map(|&start| {
                let mut out = csv::Writer::from_writer(Vec::new());
                let (mut row, mut date, mut label) = (String::new(), String::new(), String::new());
                let mut matched = String::new();
                let end = (start + ROWS_PER_TASK).min(n);
                for (at, (rec, &l)) in records[start..end]
                    .iter()
                    .zip(&labels[start..end])
                    .enumerate()
                {
                    matched.clear();
                    if let (Some(cues), Some(Some(t))) = (cues, tendency_of.get(l as usize)) {
                        cues.matcher.explain_into(
                            cues.found.doc(start + at),
                            *t,
                            3,
                            "; ",
                            &mut matched,
                        );
                    }
                    // An entry the reader placed and no cue explains: the words it read.
                    if let (true, Some(r), Some(Some(t))) =
                        (matched.is_empty(), &readings, tendency_of.get(l as usize))
                    {
                        let words = r.evidence(start + at, usize::from(*t));
                        crate::tendency::reader::evidence_cell(&words, &mut matched);
                    }
                    row.clear();
                    date.clear();
                    label.clear();
                    let _ = write!(row, "{}", rec.row);
                    if let Some(d) = rec.date {
                        let _ = write!(date, "{d}");
                    }
                    let _ = write!(label, "{l}");
                    let file = files.get(rec.file as usize).map_or("?", String::as_str);
                    out.write_record([
                        file,
                        &row,
                        safe_cell(&cap_cell(&rec.id)).as_ref(),
                        &date,
                        &label,
                        names.get(l as usize).map_or("", String::as_str),
                        safe_cell(&matched).as_ref(),
                    ])
                    .map_err(csv_err)?;
                }
                out.into_inner()
                    .map_err(|e| io::Error::other(e.to_string()))
            })
            .collect();
        for block in blocks {
            w.write_all(&block?)?;
        }
    }
    w.flush()
}

/// `file,line,reason,<original headers...>`.
pub fn write_rejected(ingested: &Ingested, w: &mut dyn Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let mut header = vec!["file".to_string(), "line".into(), "reason".into()];
    header.extend(ingested.reject_headers.iter().cloned());
    out.write_record(header.iter().map(|h| safe_cell(h).into_owned()))
        .map_err(csv_err)?;
    for r in &ingested.rejects {
        let file = ingested
            .files
            .get(r.file as usize)
            .map_or("?", |f| f.name.as_str());
        let mut row = vec![
            safe_cell(file).into_owned(),
            r.position.number().to_string(),
            safe_cell(&cap_cell(&r.reason)).into_owned(),
        ];
        for h in &ingested.reject_headers {
            let v = r
                .fields
                .iter()
                .find(|(k, _)| k == h)
                .map_or("", |(_, v)| v.as_str());
            row.push(safe_cell(&cap_cell(v)).into_owned());
        }
        out.write_record(&row).map_err(csv_err)?;
    }
    out.flush()
}
