//! JSON arrays of flat objects and JSON Lines → raw rows.
//!
//! In: a file's bytes. Out: headers (every key seen, in first-seen order) and one `RawRow` per
//! array element or non-blank line, fields aligned to the headers (missing keys are empty).
//! `RawRow::line` is the record number (1-based) for arrays and the line number for JSON Lines.
//! Invariant: a JSON Lines line that is not valid JSON becomes a problem row, never a lost one;
//! an array that is not valid JSON is an error for the whole file, with line and column.

use super::RawRow;
use serde_json::{Map, Value};

/// A scalar becomes its text; a list of scalars is joined with "; " (incident exports keep
/// contributing factors as lists); `null` is empty; a nested object is a problem.
fn cell(key: &str, v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Array(_) | Value::Object(_) => {
                        return Err(format!("field \"{key}\" holds nested lists or objects"))
                    }
                    other => parts.push(cell(key, other)?),
                }
            }
            parts.join("; ")
        }
        Value::Object(_) => return Err(format!("field \"{key}\" holds a nested object")),
    })
}

/// A parsed object: (header index, cell) pairs, or (reason, raw text) when unusable.
type Pending = Result<Vec<(usize, String)>, (String, String)>;

struct Collector {
    headers: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    pending: Vec<(u64, Pending)>,
}

impl Collector {
    fn new() -> Self {
        Collector {
            headers: Vec::new(),
            index: Default::default(),
            pending: Vec::new(),
        }
    }

    fn slot(&mut self, key: &str) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        self.headers.push(key.to_string());
        self.index.insert(key.to_string(), self.headers.len() - 1);
        self.headers.len() - 1
    }

    fn object(&mut self, line: u64, obj: &Map<String, Value>) {
        let mut fields = Vec::with_capacity(obj.len());
        let mut problem = None;
        for (k, v) in obj {
            let i = self.slot(k);
            match cell(k, v) {
                Ok(s) => fields.push((i, s)),
                Err(e) => {
                    problem.get_or_insert(e);
                    fields.push((i, v.to_string()));
                }
            }
        }
        match problem {
            None => self.pending.push((line, Ok(fields))),
            Some(p) => {
                let raw = Value::Object(obj.clone()).to_string();
                self.pending.push((line, Err((p, raw))));
            }
        }
    }

    fn problem(&mut self, line: u64, reason: String, raw: String) {
        self.pending.push((line, Err((reason, raw))));
    }

    fn finish(self) -> (Vec<String>, Vec<RawRow>) {
        let n = self.headers.len();
        let rows = self
            .pending
            .into_iter()
            .map(|(line, r)| match r {
                Ok(pairs) => {
                    let mut fields = vec![String::new(); n];
                    for (i, s) in pairs {
                        fields[i] = s;
                    }
                    RawRow::new(line, fields, None)
                }
                Err((reason, raw)) => RawRow::new(line, vec![raw], Some(reason)),
            })
            .collect();
        (self.headers, rows)
    }
}

/// A JSON array of objects.
pub fn parse_array(bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "invalid JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let Value::Array(items) = value else {
        return Err("expected a JSON array of objects (or use a .jsonl file)".to_string());
    };
    let mut c = Collector::new();
    for (i, item) in items.iter().enumerate() {
        let record = i as u64 + 1;
        match item {
            Value::Object(obj) => c.object(record, obj),
            other => c.problem(
                record,
                format!("record {record} is not an object"),
                other.to_string(),
            ),
        }
    }
    Ok(c.finish())
}

/// JSON Lines: one object per line; blank lines are skipped.
pub fn parse_lines(bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut c = Collector::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.trim_ascii().is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(raw).into_owned();
        match serde_json::from_slice::<Value>(raw) {
            Ok(Value::Object(obj)) => c.object(line, &obj),
            Ok(_) => c.problem(line, "line is not a JSON object".to_string(), text),
            Err(e) => c.problem(
                line,
                format!("invalid JSON at column {}: {e}", e.column()),
                text,
            ),
        }
    }
    Ok(c.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_union_of_keys_and_scalars() {
        let (h, rows) = parse_array(
            br#"[{"date":"2025-01-01","cause":"late"},{"cause":["a","b"],"n":3,"x":null},7]"#,
        )
        .unwrap();
        assert_eq!(h, vec!["date", "cause", "n", "x"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].fields, vec!["", "a; b", "3", ""]);
        assert_eq!(rows[2].line, 3);
        assert!(rows[2]
            .problem
            .as_deref()
            .unwrap()
            .contains("not an object"));
    }

    #[test]
    fn broken_array_names_line_and_column() {
        let err = parse_array(b"[\n{\"a\": 1},\n{\"a\" 2}\n]").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn jsonl_bad_line_is_a_problem_row() {
        let (h, rows) =
            parse_lines(b"{\"cause\":\"x\"}\n\n{broken\n{\"cause\":{\"deep\":1}}\r\n").unwrap();
        assert_eq!(h, vec!["cause"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].line, 3);
        assert!(rows[1].problem.as_deref().unwrap().contains("invalid JSON"));
        assert!(rows[2]
            .problem
            .as_deref()
            .unwrap()
            .contains("nested object"));
    }
}
