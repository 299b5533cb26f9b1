//! `assignments.csv` (one line per analyzed entry, input order) and `rejected.csv` (one line per
//! rejected row with its reason and original fields). Every cell goes through `safe_cell`.

use super::Report;
use crate::ingest::Ingested;
use crate::output::safe_cell;
use std::io::{self, Write};

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// `file,row,id,date,pattern,label`.
pub fn write_assignments(report: &Report, labels: &[u32], w: &mut dyn Write) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["file", "row", "id", "date", "pattern", "label"])
        .map_err(csv_err)?;
    let mut names: Vec<&str> = vec!["no clear pattern"];
    names.extend(report.patterns.patterns.iter().map(|p| p.label.as_str()));
    for (rec, &l) in report.records.iter().zip(labels) {
        let date = rec.date.map(|d| d.to_string()).unwrap_or_default();
        out.write_record([
            safe_cell(report.file_name(rec.file)).as_ref(),
            &rec.row.to_string(),
            safe_cell(&rec.id).as_ref(),
            &date,
            &l.to_string(),
            safe_cell(names.get(l as usize).copied().unwrap_or("")).as_ref(),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
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
            r.line.to_string(),
            safe_cell(&r.reason).into_owned(),
        ];
        for h in &ingested.reject_headers {
            let v = r
                .fields
                .iter()
                .find(|(k, _)| k == h)
                .map_or("", |(_, v)| v.as_str());
            row.push(safe_cell(v).into_owned());
        }
        out.write_record(&row).map_err(csv_err)?;
    }
    out.flush()
}
