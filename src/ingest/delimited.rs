//! CSV / semicolon / tab-separated text: the delimiter, the reader options, the header row and
//! the checks on one record.
//!
//! In: the first bytes of a file (UTF-8, with or without BOM, LF, CRLF or lone CR, quoted fields
//! with newlines) and, per record, its `csv::ByteRecord`. Out: the delimiter, one
//! `csv::ReaderBuilder` configuration shared by every reader of the file, the trimmed header
//! row, and for each data record either its text or the reason it cannot be read (a field that
//! is not UTF-8, then a field count unlike the header's).
//! Invariant: every reader of a file (the header's, each parallel chunk's in `chunked`, the
//! sequential reference in the tests) parses with exactly the same options, so they agree
//! record for record.

use csv::ByteRecord;

/// Picks the delimiter that occurs most often in the header line (outside quotes). Also tells
/// whether that line ended (an unquoted '\n' was seen): if not, more bytes may change the pick.
pub fn sniff(bytes: &[u8]) -> (u8, bool) {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut ended = false;
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                ended = true;
                break;
            }
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    ([b',', b';', b'\t'][best], ended)
}

/// The delimiter of a whole file (see `sniff`).
#[cfg(test)]
pub fn sniff_delimiter(bytes: &[u8]) -> u8 {
    sniff(bytes).0
}

/// The one reader configuration: sniffed delimiter, rows of any length, no header handling (the
/// header is read as the first record).
pub fn reader(delimiter: u8, bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// A blank line (or one of only spaces) is not a row.
pub fn is_blank(rec: &ByteRecord) -> bool {
    rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii().is_empty())
}

/// The header row's names: lossy UTF-8, trimmed. `Err` when every name is empty.
pub fn header_names(rec: &ByteRecord) -> Result<Vec<String>, String> {
    let headers: Vec<String> = rec
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err("the header row is empty".to_string());
    }
    Ok(headers)
}

/// A data record's fields, all of them, as text (`from_utf8_lossy` for a field that is not
/// UTF-8): what a rejected row keeps.
pub fn lossy_fields(rec: &ByteRecord) -> Vec<String> {
    rec.iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// A data record's fields as one text (the fields back to back: `ByteRecord::range` gives each
/// one's place), when every field is UTF-8 and there are as many fields as headers. Otherwise
/// the reason: the first field that is not UTF-8, else the field count.
pub fn check_record<'r>(rec: &'r ByteRecord, headers: &[String]) -> Result<&'r str, String> {
    // One validation of the whole record; fields are valid when, in addition, each starts and
    // ends on a character boundary.
    let whole = std::str::from_utf8(rec.as_slice()).ok().filter(|s| {
        (0..rec.len()).all(|i| {
            rec.range(i)
                .is_some_and(|r| s.is_char_boundary(r.start) && s.is_char_boundary(r.end))
        })
    });
    let Some(text) = whole else {
        let i = rec
            .iter()
            .position(|f| std::str::from_utf8(f).is_err())
            .unwrap_or(0);
        let name = headers.get(i).map_or("?", String::as_str);
        return Err(format!("field {} (\"{name}\") is not valid UTF-8", i + 1));
    };
    if rec.len() != headers.len() {
        return Err(format!(
            "expected {} fields (as in the header), found {}",
            headers.len(),
            rec.len()
        ));
    }
    Ok(text)
}

/// The sequential reference reader: one `csv::Reader` over the whole input, as recur read files
/// before `chunked` (kept to check `chunked` against, record for record).
#[cfg(test)]
pub mod sequential {
    use super::*;

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
                // rust-csv ends a record at a lone CR too (old Mac files), and editors show it
                // as a line break: count LF, and CR not followed by LF.
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

    /// One data row: line, fields (lossy), problem.
    pub type Row = (u64, Vec<String>, Option<String>);

    /// What recur's `RawRow::decode` made of a record: every field, the first non-UTF-8 field
    /// or else a field count unlike the header's.
    pub fn decode(line: u64, rec: &ByteRecord, headers: &[String]) -> Row {
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
        let problem = if let Some(i) = bad_utf8 {
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
        (line, fields, problem)
    }

    /// The header row and every data row of `bytes`. `Err` only when there is no header row.
    pub fn parse(bytes: &[u8]) -> Result<(Vec<String>, Vec<Row>), String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = reader(sniff_delimiter(bytes), bytes);
        let mut header = ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(false) => return Err("empty file: no header row".to_string()),
            Err(e) => return Err(format!("cannot read the header row: {e}")),
            Ok(true) => {}
        }
        let headers = header_names(&header)?;
        let mut lines = LineCounter::default();
        let mut rows = Vec::new();
        for rec in reader.into_byte_records() {
            match rec {
                Ok(rec) => {
                    if is_blank(&rec) {
                        continue;
                    }
                    let line = rec.position().map_or(0, |p| lines.line_at(bytes, p.byte()));
                    rows.push(decode(line, &rec, &headers));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| lines.line_at(bytes, p.byte()));
                    rows.push((line, Vec::new(), Some(format!("unreadable record: {e}"))));
                }
            }
        }
        Ok((headers, rows))
    }
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
        assert_eq!(sniff(b"a;b"), (b';', false));
        assert_eq!(sniff(b"\"a\nb\";c\n"), (b';', true));
    }

    #[test]
    fn bom_crlf_and_multiline_fields_keep_line_numbers() {
        let text = "\u{feff}date,cause\r\n2025-01-01,\"one\r\ntwo\"\r\n2025-01-02,three\r\n";
        let (headers, rows) = sequential::parse(text.as_bytes()).unwrap();
        assert_eq!(headers, vec!["date", "cause"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1[1], "one\r\ntwo");
        assert_eq!(rows[1].0, 4);
    }

    #[test]
    fn short_rows_and_bad_utf8_are_problems_not_losses() {
        let mut text = b"date,cause\n2025-01-01\n2025-01-02,ok\n2025-01-03,".to_vec();
        text.extend_from_slice(b"\xff\xfe\n");
        let (_, rows) = sequential::parse(&text).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows[0].2.as_deref().unwrap().contains("expected 2 fields"));
        assert!(rows[1].2.is_none());
        assert!(rows[2].2.as_deref().unwrap().contains("UTF-8"));
        assert_eq!(rows[2].0, 4);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(sequential::parse(b"").is_err());
        assert!(sequential::parse(b"\xEF\xBB\xBF").is_err());
    }

    #[test]
    fn check_record_agrees_with_field_by_field_decoding() {
        let headers: Vec<String> = vec!["a".into(), "b".into()];
        let cases: &[&[&[u8]]] = &[
            &[b"x", b"y"],
            &[b"x"],
            &[b"x", b"y", b"z"],
            &[b"\xc3", b"\xa9"],
            &[b"caf\xc3\xa9", b""],
            &[b"", b"\xff"],
            &[b"\xe2\x82", b"\xac", b"q"],
        ];
        for fields in cases {
            let rec = ByteRecord::from(fields.to_vec());
            let (_, want_fields, want) = sequential::decode(0, &rec, &headers);
            let got = check_record(&rec, &headers);
            assert_eq!(got.as_ref().err(), want.as_ref(), "{fields:?}");
            assert_eq!(lossy_fields(&rec), want_fields);
            if let Ok(text) = got {
                for (i, f) in want_fields.iter().enumerate() {
                    assert_eq!(&text[rec.range(i).unwrap()], f);
                }
            }
        }
    }
}
