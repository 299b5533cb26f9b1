//! CSV / semicolon / tab-separated files → raw rows with exact line numbers.
//!
//! In: a file's bytes (UTF-8, with or without BOM, LF or CRLF, quoted fields with newlines).
//! Out: the header row and each data row as `RawRow` (line where the row starts, fields or the
//! reason it cannot be read). Invariant: every data record in the file yields exactly one
//! `RawRow`, so nothing read is lost.

use super::RawRow;

/// Picks the delimiter that occurs most often in the header line (outside quotes).
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// 1-based line of a byte offset; offsets must not decrease between calls.
#[derive(Default)]
struct LineCounter {
    byte: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], byte: u64) -> u64 {
        let mut to = (byte as usize).min(bytes.len());
        // After a CRLF, rust-csv reports the record as starting at the '\n'.
        while to < bytes.len() && (bytes[to] == b'\n' || bytes[to] == b'\r') {
            to += 1;
        }
        if to > self.byte {
            // rust-csv ends a record at a lone CR too (old Mac files), and editors show it as a
            // line break: count LF, and CR not followed by LF.
            let span = &bytes[self.byte..to];
            self.newlines += span
                .iter()
                .enumerate()
                .filter(|&(i, &b)| {
                    b == b'\n' || (b == b'\r' && bytes.get(self.byte + i + 1) != Some(&b'\n'))
                })
                .count() as u64;
            self.byte = to;
        }
        self.newlines + 1
    }
}

/// The data rows of a delimited file, parsed as they are read (so a large file never holds
/// all its rows as strings at once).
pub struct Rows<'a> {
    records: ::csv::ByteRecordsIntoIter<&'a [u8]>,
    bytes: &'a [u8],
    lines: LineCounter,
}

impl Iterator for Rows<'_> {
    type Item = RawRow;

    fn next(&mut self) -> Option<RawRow> {
        loop {
            let rec = self.records.next()?;
            let rec = match rec {
                Ok(rec) => rec,
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(0, |p| self.lines.line_at(self.bytes, p.byte()));
                    return Some(RawRow::new(
                        line,
                        Vec::new(),
                        Some(format!("unreadable record: {e}")),
                    ));
                }
            };
            // A blank line is not a row.
            if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                continue;
            }
            let line = rec
                .position()
                .map_or(0, |p| self.lines.line_at(self.bytes, p.byte()));
            return Some(RawRow {
                line,
                fields: Vec::new(),
                problem: None,
                record: Some(rec),
            });
        }
    }
}

/// Reads the header row and returns it with an iterator over the data rows. `Err` only when
/// there is no header row at all.
pub fn parse(bytes: &[u8]) -> Result<(Vec<String>, Rows<'_>), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = sniff_delimiter(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = ::csv::ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(false) => return Err("empty file: no header row".to_string()),
        Err(e) => return Err(format!("cannot read the header row: {e}")),
        Ok(true) => {}
    }
    let headers: Vec<String> = header
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err("the header row is empty".to_string());
    }
    // rust-csv miscounts lines after CRLF terminators, so lines are counted here from each
    // record's byte offset (newlines before it, counted incrementally).
    let rows = Rows {
        records: reader.into_byte_records(),
        bytes,
        lines: LineCounter::default(),
    };
    Ok((headers, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x;y\",b\n"), b',');
    }

    #[test]
    fn bom_crlf_and_multiline_fields_keep_line_numbers() {
        let text = "\u{feff}date,cause\r\n2025-01-01,\"one\r\ntwo\"\r\n2025-01-02,three\r\n";
        let (headers, rows) = parse(text.as_bytes()).unwrap();
        let rows: Vec<RawRow> = rows
            .map(|mut r| {
                r.decode(&headers);
                r
            })
            .collect();
        assert_eq!(headers, vec!["date", "cause"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].fields[1], "one\r\ntwo");
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn short_rows_and_bad_utf8_are_problems_not_losses() {
        let mut text = b"date,cause\n2025-01-01\n2025-01-02,ok\n2025-01-03,".to_vec();
        text.extend_from_slice(b"\xff\xfe\n");
        let (headers, rows) = parse(&text).unwrap();
        let rows: Vec<RawRow> = rows
            .map(|mut r| {
                r.decode(&headers);
                r
            })
            .collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("expected 2 fields"));
        assert!(rows[1].problem.is_none());
        assert!(rows[2].problem.as_deref().unwrap().contains("UTF-8"));
        assert_eq!(rows[2].line, 4);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(parse(b"").is_err());
        assert!(parse(b"\xEF\xBB\xBF").is_err());
    }
}
