//! Duplicates: the same incident in several (monthly, overlapping) exports, or twice in one.
//!
//! In: every file's records, in input order (files in command-line order). Out: the records
//! with each id kept once — its last version, where that version stands — the per-file and
//! total counts of rows dropped, and a warning naming a few.
//! Invariant: records with an empty id (or from files without an id column) are never dropped;
//! rows read = analyzed + rejected + out of range + duplicates; the kept records keep their
//! input order. One hash lookup per record, no copy of the ids.

use super::Ingested;
use rustc_hash::FxHashMap;

/// Duplicates named in the warning.
const SHOWN: usize = 3;

/// Keeps the last record of each id; returns how many were dropped.
pub fn drop_duplicates(out: &mut Ingested) -> u64 {
    let mut last: FxHashMap<&str, usize> = FxHashMap::default();
    last.reserve(out.records.len());
    let mut dropped = 0u64;
    for (i, r) in out.records.iter().enumerate() {
        if !r.id.is_empty() && last.insert(&r.id, i).is_some() {
            dropped += 1;
        }
    }
    if dropped == 0 {
        return 0;
    }
    let keep: Vec<bool> = out
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| r.id.is_empty() || last.get(&*r.id) == Some(&i))
        .collect();
    drop(last);
    let mut examples = Vec::new();
    for (r, &k) in out.records.iter().zip(&keep) {
        if !k {
            if let Some(f) = out.files.get_mut(r.file as usize) {
                f.rows_duplicate += 1;
            }
            if examples.len() < SHOWN {
                let name = out
                    .files
                    .get(r.file as usize)
                    .map_or("?", |f| f.name.as_str());
                let place = out
                    .files
                    .get(r.file as usize)
                    .map_or(super::Format::Csv, |f| f.format)
                    .position(r.line);
                examples.push(format!("id \"{}\" at {name} {place}", r.id));
            }
        }
    }
    let mut i = 0;
    out.records.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    out.rows_duplicate += dropped;
    out.warnings.push(format!(
        "{dropped} row{} repeat the id of a later row and were counted once, the last version kept ({}{}); --keep-duplicates counts every row",
        if dropped == 1 { "" } else { "s" },
        examples.join(", "),
        if dropped as usize > examples.len() { ", …" } else { "" }
    ));
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::FileSummary;
    use crate::record::Record;

    fn rec(file: u32, line: u64, id: &str, text: &str) -> Record {
        Record {
            file,
            line,
            id: id.into(),
            root_cause: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn last_version_wins_across_files_and_empty_ids_stay() {
        let mut out = Ingested {
            files: vec![FileSummary::default(), FileSummary::default()],
            records: vec![
                rec(0, 2, "INC1", "old"),
                rec(0, 3, "", "a"),
                rec(0, 4, "INC2", "x"),
                rec(1, 2, "INC1", "new"),
                rec(1, 3, "", "a"),
                rec(1, 4, "INC1", "newest"),
            ],
            ..Default::default()
        };
        assert_eq!(drop_duplicates(&mut out), 2);
        let texts: Vec<&str> = out.records.iter().map(|r| &*r.root_cause).collect();
        assert_eq!(texts, vec!["a", "x", "a", "newest"]);
        assert_eq!(out.rows_duplicate, 2);
        assert_eq!(out.files[0].rows_duplicate, 1);
        assert_eq!(out.files[1].rows_duplicate, 1);
        assert!(out.warnings[0].contains("INC1"), "{:?}", out.warnings);
    }

    #[test]
    fn unique_ids_change_nothing() {
        let mut out = Ingested {
            files: vec![FileSummary::default()],
            records: vec![rec(0, 2, "1", "a"), rec(0, 3, "2", "b")],
            ..Default::default()
        };
        assert_eq!(drop_duplicates(&mut out), 0);
        assert_eq!(out.records.len(), 2);
        assert!(out.warnings.is_empty());
    }
}
