//! JSON documents and JSON Lines → raw rows, as APIs and export buttons write them.
//!
//! In: a file's bytes: a JSON array of records, an API envelope holding one (`issues`,
//! `incidents`, `items`, `data`, `result`, ... — see `ENVELOPES`), JSON:API resources
//! (`data[].attributes`), or JSON Lines; compact or pretty-printed alike.
//! Out: headers (every flattened path seen, in first-seen order) and one `RawRow` per record,
//! fields aligned to the headers (missing paths are empty). `RawRow::line` is the record number
//! (1-based) for documents and the line number for JSON Lines.
//! Flattening (see `flatten`): nested objects become dotted paths (`fields.summary`,
//! `service.summary`); lists of scalars are joined with "; "; lists of name/value objects
//! (custom fields) become fields named by each entry's name; other lists of objects are joined
//! per path (`labels.name` = "bug; p1"); `{display_value, value, link}` reference objects
//! collapse to their display value; Atlassian document format (ADF) collapses to its text; a
//! Jira `names` map adds each custom field once more under its display name.
//! Invariant: no value, however nested, rejects a record; a JSON Lines line that is not valid
//! JSON becomes a problem row, never a lost one; a document that is not valid JSON is an error
//! for the whole file, with line and column; flattening never panics and never recurses deeper
//! than `MAX_DEPTH`.

use super::error::ParseError;
use super::RawRow;
use serde_json::{Map, Value};

/// Top-level keys that hold the records, in order of preference.
const ENVELOPES: &[&str] = &[
    "issues",
    "incidents",
    "items",
    "data",
    "result",
    "results",
    "records",
    "values",
    "alerts",
    "entries",
    "rows",
    "objects",
    "nodes",
];

/// Nesting beyond this is kept as JSON text rather than flattened further.
const MAX_DEPTH: usize = 16;

/// The text of a scalar (`null` is empty).
fn scalar(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    })
}

/// Atlassian document format (Jira Cloud API v3 rich text) → its text, paragraphs on lines.
fn adf_text(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(o) => {
            if let Some(Value::String(t)) = o.get("text") {
                out.push_str(t);
            }
            if let Some(Value::Array(items)) = o.get("content") {
                for item in items {
                    adf_text(item, out, depth + 1);
                }
            }
            if matches!(
                o.get("type").and_then(Value::as_str),
                Some("paragraph" | "heading" | "listItem" | "codeBlock" | "hardBreak")
            ) && !out.ends_with('\n')
            {
                out.push('\n');
            }
        }
        Value::Array(items) => {
            for item in items {
                adf_text(item, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn join_path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Adds `value` under `path`, joining with "; " when the path is already there.
fn push(out: &mut Vec<(String, String)>, path: String, value: String) {
    if let Some((_, v)) = out.iter_mut().find(|(p, _)| *p == path) {
        if !value.is_empty() {
            if !v.is_empty() {
                v.push_str("; ");
            }
            v.push_str(&value);
        }
    } else {
        out.push((path, value));
    }
}

/// The name of a name/value entry (a custom field) and its value, when `pairs` (one list
/// element, flattened) is one.
fn name_value(pairs: &[(String, String)]) -> Option<(String, String)> {
    let name = [
        "custom_field.name",
        "field.name",
        "name",
        "label",
        "key",
        "title",
    ]
    .iter()
    .find_map(|k| pairs.iter().find(|(p, v)| p == k && !v.trim().is_empty()))?;
    let mut values = Vec::new();
    let mut any = false;
    for (p, v) in pairs {
        let first = p.split('.').next().unwrap_or("");
        let last = p.rsplit('.').next().unwrap_or("");
        if first.starts_with("value")
            && last != "id"
            && !last.ends_with("_id")
            && last != "sort_key"
        {
            any = true;
            if !v.is_empty() {
                values.push(v.as_str());
            }
        }
    }
    any.then(|| (name.1.trim().to_string(), values.join("; ")))
}

/// One value flattened into (path, text) pairs; see the module header.
pub fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>, depth: usize) {
    if let Some(s) = scalar(v) {
        return push(out, prefix.to_string(), s);
    }
    if depth >= MAX_DEPTH {
        return push(out, prefix.to_string(), v.to_string());
    }
    match v {
        Value::Object(o) => {
            if o.get("type").and_then(Value::as_str) == Some("doc") && o.contains_key("content") {
                let mut text = String::new();
                adf_text(v, &mut text, depth);
                return push(out, prefix.to_string(), text.trim_end().to_string());
            }
            // ServiceNow reference fields ({display_value, value, link}).
            if !o.is_empty()
                && o.keys()
                    .all(|k| matches!(k.as_str(), "display_value" | "value" | "link"))
                && (o.contains_key("display_value") || o.contains_key("value"))
            {
                let shown = o
                    .get("display_value")
                    .and_then(scalar)
                    .filter(|s| !s.is_empty())
                    .or_else(|| o.get("value").and_then(scalar));
                if let Some(s) = shown {
                    return push(out, prefix.to_string(), s);
                }
            }
            if o.is_empty() {
                return push(out, prefix.to_string(), String::new());
            }
            for (k, item) in o {
                flatten(&join_path(prefix, k), item, out, depth + 1);
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                return push(out, prefix.to_string(), String::new());
            }
            for item in items {
                match item {
                    Value::Object(_) => {
                        let mut pairs = Vec::new();
                        flatten("", item, &mut pairs, depth + 1);
                        if let Some((name, value)) = name_value(&pairs) {
                            push(out, name, value);
                        } else {
                            for (p, val) in pairs {
                                push(out, join_path(prefix, &p), val);
                            }
                        }
                    }
                    Value::Array(_) => flatten(prefix, item, out, depth + 1),
                    other => push(out, prefix.to_string(), scalar(other).unwrap_or_default()),
                }
            }
        }
        _ => {}
    }
}

/// A record object as (path, text) pairs: JSON:API resources are read from their `attributes`
/// (with their `id`), everything else as it is.
fn record_pairs(obj: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(obj.len());
    if let (Some(Value::Object(attrs)), true) = (
        obj.get("attributes"),
        obj.contains_key("type") || obj.contains_key("id"),
    ) {
        if let Some(id) = obj.get("id").and_then(scalar) {
            out.push(("id".to_string(), id));
        }
        for (k, v) in attrs {
            flatten(k, v, &mut out, 1);
        }
        for (k, v) in obj {
            if !matches!(k.as_str(), "id" | "attributes") {
                flatten(k, v, &mut out, 1);
            }
        }
        return out;
    }
    for (k, v) in obj {
        flatten(k, v, &mut out, 1);
    }
    out
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

    fn object(&mut self, line: u64, obj: &Map<String, Value>, names: Option<&Map<String, Value>>) {
        let mut pairs = record_pairs(obj);
        if let Some(names) = names {
            // Jira `expand=names`: `fields.customfield_10050` is also "Root Cause".
            let mut extra = Vec::new();
            for (p, v) in &pairs {
                let Some(rest) = p.strip_prefix("fields.") else {
                    continue;
                };
                let (id, tail) = rest.split_once('.').map_or((rest, ""), |(a, b)| (a, b));
                if let Some(Value::String(name)) =
                    names.get(id).filter(|_| id.starts_with("customfield_"))
                {
                    let path = if tail.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}.{tail}")
                    };
                    if !pairs.iter().any(|(q, _)| *q == path) {
                        extra.push((path, v.clone()));
                    }
                }
            }
            for (p, v) in extra {
                push(&mut pairs, p, v);
            }
        }
        let fields = pairs.into_iter().map(|(k, v)| (self.slot(&k), v)).collect();
        self.pending.push((line, Ok(fields)));
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

/// Where a document keeps its records: the array itself, or the envelope key holding them
/// (one level down too, as in `{"data": {"incidents": [...]}}`).
fn records_of(value: &Value) -> Result<&Vec<Value>, String> {
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(o) => {
            let holds = |v: &Value| match v {
                Value::Array(items) => items.is_empty() || items.iter().any(Value::is_object),
                _ => false,
            };
            if let Some(k) = ENVELOPES.iter().find(|k| o.get(**k).is_some_and(holds)) {
                return Ok(o[*k].as_array().expect("checked by holds"));
            }
            // The one key holding a list of objects.
            let arrays: Vec<&String> = o.iter().filter(|(_, v)| holds(v)).map(|(k, _)| k).collect();
            if let [k] = arrays.as_slice() {
                return Ok(o[k.as_str()].as_array().expect("checked by holds"));
            }
            for k in ENVELOPES {
                if let Some(inner @ Value::Object(_)) = o.get(*k) {
                    if let Ok(items) = records_of(inner) {
                        return Ok(items);
                    }
                }
            }
            let keys: Vec<String> = o.keys().take(12).map(|k| format!("\"{k}\"")).collect();
            Err(format!(
                "expected a JSON array of records, or an object holding one under a key such as \"issues\", \"incidents\", \"items\", \"data\" or \"result\" (top-level keys seen: {})",
                keys.join(", ")
            ))
        }
        _ => Err("expected a JSON array of records or an object holding one".to_string()),
    }
}

/// A JSON document: an array of records or an envelope holding one.
pub fn parse_array(bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>), ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ParseError::Syntax {
        line: e.line() as u64,
        column: e.column(),
        message: e.to_string(),
    })?;
    Ok(document(&value)?)
}

/// The rows of a parsed document.
fn document(value: &Value) -> Result<(Vec<String>, Vec<RawRow>), String> {
    let items = records_of(value)?;
    let names = match value {
        Value::Object(o) => o.get("names").and_then(Value::as_object),
        _ => None,
    };
    let mut c = Collector::new();
    for (i, item) in items.iter().enumerate() {
        let record = i as u64 + 1;
        match item {
            Value::Object(obj) => c.object(record, obj, names),
            other => c.problem(
                record,
                format!("record {record} is not an object"),
                other.to_string(),
            ),
        }
    }
    Ok(c.finish())
}

/// Input that starts with `{`: one (pretty-printed) envelope object, or JSON Lines. `true` in
/// the answer when it was a document.
pub fn parse_object_or_lines(bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>, bool), ParseError> {
    let trimmed = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(value @ Value::Object(_)) = serde_json::from_slice::<Value>(trimmed) {
        // One line holding one object is a JSON Lines record unless a known envelope key
        // holds the records; more lines make it a pretty-printed document.
        let one_line = trimmed.trim_ascii().iter().all(|&b| b != b'\n');
        let enveloped = value.as_object().is_some_and(is_envelope);
        if (enveloped || !one_line) && records_of(&value).is_ok() {
            let (h, rows) = document(&value)?;
            return Ok((h, rows, true));
        }
    }
    parse_lines(bytes).map(|(h, rows)| (h, rows, false))
}

/// Whether an object is a document's envelope: a known envelope key holds a list.
pub fn is_envelope(o: &Map<String, Value>) -> bool {
    ENVELOPES
        .iter()
        .any(|k| o.get(*k).is_some_and(Value::is_array))
}

/// JSON Lines: one object per line; blank lines are skipped.
pub fn parse_lines(bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>), ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (blocks, rows) = LineBlocks::first(bytes);
    Ok((blocks.headers, rows))
}

/// A value as `scalar` gives it, for the values that need no `Value` to say so.
struct Flat(String);

impl<'de> serde::Deserialize<'de> for Flat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Flat, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Flat;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, integer, boolean or null")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Flat, E> {
                Ok(Flat(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Flat, E> {
                Ok(Flat(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Flat, E> {
                Ok(Flat(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Flat, E> {
                Ok(Flat(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Flat, E> {
                Ok(Flat(v.to_string()))
            }
            // A float's text is left to `Value`'s formatting.
            fn visit_unit<E: serde::de::Error>(self) -> Result<Flat, E> {
                Ok(Flat(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A flat record line, read without building a `Value` tree: its (key, text) pairs in the
/// line's order, exactly as `record_pairs` gives them. `None` when the line needs the general
/// path: a nested or fractional value (JSON:API `attributes` is an object), a repeated key, or
/// anything that is not one JSON object.
fn flat_pairs(raw: &[u8]) -> Option<Vec<(String, String)>> {
    use serde::de::{Deserializer, Error, MapAccess, Visitor};
    use std::fmt;

    struct Pairs(Vec<(String, String)>);

    impl<'de> serde::Deserialize<'de> for Pairs {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Pairs;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a flat JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                    let mut out: Vec<(String, String)> = Vec::with_capacity(16);
                    while let Some(key) = map.next_key::<String>()? {
                        // `Value`'s map keeps a repeated key once, with its last value.
                        if out.iter().any(|(k, _)| *k == key) {
                            return Err(A::Error::custom("general path"));
                        }
                        let Flat(value) = map.next_value()?;
                        out.push((key, value));
                    }
                    Ok(Pairs(out))
                }
            }
            d.deserialize_map(V)
        }
    }

    serde_json::from_slice::<Pairs>(raw).ok().map(|p| p.0)
}

/// `flat_pairs` for a block whose columns are fixed: the line's values straight into their
/// columns (a key is looked up, not kept), and the keys that are not columns, as the general
/// path and the column lookup give them. `None` for a nested or fractional value, or anything
/// that is not one JSON object.
fn flat_fields(
    raw: &[u8],
    index: &std::collections::HashMap<String, usize>,
    n: usize,
) -> Option<(Vec<String>, Vec<String>)> {
    use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, Visitor};
    use std::fmt;

    /// A key: a column's index, or a key that is not a column.
    enum Key {
        Column(usize),
        Other(String),
    }

    struct KeySeed<'a>(&'a std::collections::HashMap<String, usize>);

    impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
        type Value = Key;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
            struct V<'a>(&'a std::collections::HashMap<String, usize>);
            impl Visitor<'_> for V<'_> {
                type Value = Key;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a key")
                }
                fn visit_str<E: Error>(self, v: &str) -> Result<Key, E> {
                    Ok(match self.0.get(v) {
                        Some(&i) => Key::Column(i),
                        None => Key::Other(v.to_string()),
                    })
                }
            }
            d.deserialize_str(V(self.0))
        }
    }

    struct Row<'a>(&'a std::collections::HashMap<String, usize>, usize);

    impl<'de> DeserializeSeed<'de> for Row<'_> {
        type Value = (Vec<String>, Vec<String>);
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            struct V<'a>(&'a std::collections::HashMap<String, usize>, usize);
            impl<'de> Visitor<'de> for V<'_> {
                type Value = (Vec<String>, Vec<String>);
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a flat JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    // A repeated key keeps its last value, as `Value`'s map does; a scalar
                    // `attributes` is a plain field there too.
                    let mut fields = vec![String::new(); self.1];
                    let mut others: Vec<String> = Vec::new();
                    while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
                        let Flat(value) = map.next_value()?;
                        match key {
                            Key::Column(i) => fields[i] = value,
                            Key::Other(k) if !others.contains(&k) => others.push(k),
                            Key::Other(_) => {}
                        }
                    }
                    Ok((fields, others))
                }
            }
            d.deserialize_map(V(self.0, self.1))
        }
    }

    let mut de = serde_json::Deserializer::from_slice(raw);
    let row = Row(index, n).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(row)
}

/// Lines parsed together before their fields are put in column order.
const SLICE: usize = 1 << 15;

/// One JSON Lines line: its (path, text) pairs, or (reason, raw text) when unusable.
type ParsedLine = Result<Vec<(String, String)>, (String, String)>;

/// Keys first seen after the columns were fixed that `LineBlocks` names (the rest are counted).
const LATE_NAMED: usize = 8;

/// JSON Lines read a block of whole lines at a time (`recur assign`'s streaming read, and
/// `parse_lines` as one block). The columns are the keys of the first block's records, in
/// first-seen order; a key first seen in a later block is not read, and is listed in `late`.
/// Lines are parsed in parallel; rows come back in input order.
pub struct LineBlocks {
    headers: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    /// Lines before the next block.
    lines: u64,
    /// Keys first seen after the first block (the first `LATE_NAMED` of them).
    pub late: Vec<String>,
    late_keys: std::collections::HashSet<String>,
}

impl LineBlocks {
    /// Reads the first block (no byte-order mark) and fixes the columns.
    pub fn first(block: &[u8]) -> (LineBlocks, Vec<RawRow>) {
        let mut b = LineBlocks {
            headers: Vec::new(),
            index: Default::default(),
            lines: 0,
            late: Vec::new(),
            late_keys: Default::default(),
        };
        let rows = b.read(block, true);
        (b, rows)
    }

    /// The columns (every key of the first block).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Lines read so far (blank ones included).
    pub fn lines_read(&self) -> u64 {
        self.lines
    }

    /// Reads the next block: whole lines (the last block may end without a newline).
    pub fn next(&mut self, block: &[u8]) -> Vec<RawRow> {
        self.read(block, false)
    }

    fn read(&mut self, block: &[u8], grow: bool) -> Vec<RawRow> {
        let before = self.lines;
        let lines: Vec<(u64, &[u8])> = block
            .split(|&b| b == b'\n')
            .enumerate()
            .map(|(i, raw)| {
                (
                    before + i as u64 + 1,
                    raw.strip_suffix(b"\r").unwrap_or(raw),
                )
            })
            .filter(|(_, raw)| !raw.trim_ascii().is_empty())
            .collect();
        self.lines += block.iter().filter(|&&b| b == b'\n').count() as u64;
        // A slice of lines at a time, so that a whole file read as one block (`parse_lines`)
        // never holds every line's parsed pairs at once.
        let mut rows = Vec::with_capacity(lines.len());
        for slice in lines.chunks(SLICE) {
            self.read_slice(slice, grow, &mut rows);
        }
        rows
    }

    fn read_slice(&mut self, lines: &[(u64, &[u8])], grow: bool, rows: &mut Vec<RawRow>) {
        use rayon::prelude::*;
        /// A line read straight into the fixed columns, or as (path, text) pairs.
        enum Parsed {
            Fields(Vec<String>, Vec<String>),
            Pairs(ParsedLine),
        }
        let (n, index) = (self.headers.len(), &self.index);
        let parsed: Vec<(u64, Parsed)> = lines
            .par_iter()
            .with_min_len(256)
            .map(|&(line, raw)| {
                if !grow {
                    if let Some((fields, late)) = flat_fields(raw, index, n) {
                        return (line, Parsed::Fields(fields, late));
                    }
                }
                if let Some(pairs) = flat_pairs(raw) {
                    return (line, Parsed::Pairs(Ok(pairs)));
                }
                let text = || String::from_utf8_lossy(raw).into_owned();
                let r = match serde_json::from_slice::<Value>(raw) {
                    Ok(Value::Object(obj)) => Ok(record_pairs(&obj)),
                    Ok(_) => Err(("line is not a JSON object".to_string(), text())),
                    Err(e) => Err((
                        format!("invalid JSON at column {}: {e}", e.column()),
                        text(),
                    )),
                };
                (line, Parsed::Pairs(r))
            })
            .collect();
        if grow {
            for (_, p) in &parsed {
                if let Parsed::Pairs(Ok(pairs)) = p {
                    for (k, _) in pairs {
                        if !self.index.contains_key(k) {
                            self.index.insert(k.clone(), self.headers.len());
                            self.headers.push(k.clone());
                        }
                    }
                }
            }
        }
        // Each row's fields in column order, in parallel (the columns are fixed by now); keys
        // not among them are gathered for the warning.
        let (n, index) = (self.headers.len(), &self.index);
        let placed: Vec<(RawRow, Vec<String>)> = parsed
            .into_par_iter()
            .with_min_len(256)
            .map(|(line, p)| match p {
                Parsed::Fields(fields, late) => (RawRow::new(line, fields, None), late),
                Parsed::Pairs(Ok(pairs)) => {
                    let mut fields = vec![String::new(); n];
                    let mut late = Vec::new();
                    for (k, v) in pairs {
                        match index.get(&k) {
                            Some(&i) => fields[i] = v,
                            None => late.push(k),
                        }
                    }
                    (RawRow::new(line, fields, None), late)
                }
                Parsed::Pairs(Err((reason, raw))) => {
                    (RawRow::new(line, vec![raw], Some(reason)), Vec::new())
                }
            })
            .collect();
        for (row, late) in placed {
            for k in late {
                self.note_late(k);
            }
            rows.push(row);
        }
    }

    fn note_late(&mut self, key: String) {
        if self.late.len() < LATE_NAMED && !self.late.contains(&key) {
            self.late.push(key.clone());
        }
        self.late_keys.insert(key);
    }

    /// How many keys were first seen after the first block.
    pub fn late_count(&self) -> usize {
        self.late_keys.len()
    }
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
        assert!(
            matches!(
                err,
                ParseError::Syntax {
                    line: 3,
                    column: 6,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn jsonl_bad_line_is_a_problem_row_and_nesting_is_not() {
        let (h, rows) =
            parse_lines(b"{\"cause\":\"x\"}\n\n{broken\n{\"cause\":{\"deep\":1}}\r\n").unwrap();
        assert_eq!(h, vec!["cause", "cause.deep"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].line, 3);
        assert!(rows[1].problem.as_deref().unwrap().contains("invalid JSON"));
        assert!(rows[2].problem.is_none());
        assert_eq!(rows[2].fields, vec!["", "1"]);
    }

    fn field<'a>(h: &[String], row: &'a RawRow, name: &str) -> &'a str {
        let i = h
            .iter()
            .position(|x| x == name)
            .unwrap_or_else(|| panic!("{name} not in {h:?}"));
        &row.fields[i]
    }

    #[test]
    fn envelopes_are_found() {
        for key in [
            "issues",
            "incidents",
            "items",
            "data",
            "result",
            "records",
            "values",
        ] {
            let doc = format!(r#"{{"total": 1, "{key}": [{{"cause": "late"}}], "more": false}}"#);
            let (h, rows) = parse_array(doc.as_bytes()).unwrap();
            assert_eq!(h, vec!["cause"], "{key}");
            assert_eq!(rows.len(), 1);
        }
        let (h, rows) =
            parse_array(br#"{"meta": {}, "data": {"incidents": [{"a": 1}, {"a": 2}]}}"#).unwrap();
        assert_eq!((h.len(), rows.len()), (1, 2));
        let (_, rows) = parse_array(br#"{"whatever": [{"a": 1}], "count": 1}"#).unwrap();
        assert_eq!(rows.len(), 1);
        let err = parse_array(br#"{"a": 1, "b": "x"}"#).unwrap_err();
        assert!(
            matches!(&err, ParseError::Shape(m) if m.contains("\"a\", \"b\"")),
            "{err:?}"
        );
    }

    #[test]
    fn nested_values_become_paths_and_custom_fields_become_fields() {
        let doc = br#"{"incidents": [{
            "id": "01H", "name": "Checkout down",
            "severity": {"id": "s1", "name": "Major"},
            "service": {"summary": "checkout-api", "type": "service_reference"},
            "labels": [{"name": "bug"}, {"name": "p1"}],
            "tags": ["db", "pool"],
            "custom_field_entries": [
                {"custom_field": {"id": "c1", "name": "Root cause", "field_type": "text"},
                 "values": [{"value_text": "Pool exhausted"}]},
                {"custom_field": {"id": "c2", "name": "Area", "field_type": "single_select"},
                 "values": [{"value_option": {"id": "o1", "value": "Payments", "sort_key": 10}}]}
            ],
            "assignment_group": {"display_value": "Network", "link": "https://x", "value": "abc"},
            "body": {"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Line one"}]},
                {"type": "paragraph", "content": [{"type": "text", "text": "Line two"}]}]}
        }]}"#;
        let (h, rows) = parse_array(doc).unwrap();
        let r = &rows[0];
        assert!(r.problem.is_none());
        assert_eq!(field(&h, r, "severity.name"), "Major");
        assert_eq!(field(&h, r, "service.summary"), "checkout-api");
        assert_eq!(field(&h, r, "labels.name"), "bug; p1");
        assert_eq!(field(&h, r, "tags"), "db; pool");
        assert_eq!(field(&h, r, "Root cause"), "Pool exhausted");
        assert_eq!(field(&h, r, "Area"), "Payments");
        assert_eq!(field(&h, r, "assignment_group"), "Network");
        assert_eq!(field(&h, r, "body"), "Line one\nLine two");
    }

    #[test]
    fn json_api_attributes_and_jira_names() {
        let doc = br#"{"data": [{"id": "7", "type": "incidents",
            "attributes": {"title": "DNS", "summary": "TTL too long", "severity": {"data": {"attributes": {"name": "SEV1"}}}},
            "relationships": {}}]}"#;
        let (h, rows) = parse_array(doc).unwrap();
        assert_eq!(field(&h, &rows[0], "id"), "7");
        assert_eq!(field(&h, &rows[0], "summary"), "TTL too long");
        assert_eq!(field(&h, &rows[0], "severity.data.attributes.name"), "SEV1");
        let jira = br#"{"names": {"customfield_10050": "Root Cause"}, "issues": [
            {"key": "OPS-1", "fields": {"summary": "s", "customfield_10050": "Pool sizing"}}]}"#;
        let (h, rows) = parse_array(jira).unwrap();
        assert_eq!(
            field(&h, &rows[0], "fields.customfield_10050"),
            "Pool sizing"
        );
        assert_eq!(field(&h, &rows[0], "Root Cause"), "Pool sizing");
    }

    #[test]
    fn pretty_printed_envelopes_are_documents_and_lines_stay_lines() {
        let (_, rows, doc) =
            parse_object_or_lines(b"{\n  \"items\": [\n    {\"a\": 1},\n    {\"a\": 2}\n  ]\n}\n")
                .unwrap();
        assert!(doc);
        assert_eq!(rows.len(), 2);
        let (_, rows, doc) =
            parse_object_or_lines(b"{\"a\": 1, \"tags\": [{\"n\": 1}]}\n{\"a\": 2}\n").unwrap();
        assert!(!doc);
        assert_eq!(rows.len(), 2);
        let (_, rows, doc) = parse_object_or_lines(b"{\"a\": 1, \"tags\": [{\"n\": 1}]}").unwrap();
        assert!(!doc);
        assert_eq!(rows.len(), 1);
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-z_ .]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z_]{1,6}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A JSON Lines line written by hand: keys and values as given (keys may repeat), values
    /// as raw JSON text.
    fn arb_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = prop_oneof![
            "[a-z_]{1,4}".boxed(),
            Just("attributes".to_string()).boxed(),
            Just("type".to_string()).boxed(),
            Just("id".to_string()).boxed(),
            "[a-z\\\\\"\u{e9}\u{1F600} ]{0,6}"
                .prop_map(|k| serde_json::to_string(&k).unwrap()[1..]
                    .trim_end_matches('"')
                    .to_string())
                .boxed(),
        ];
        let value = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| f.to_string()),
            Just("1e3".to_string()),
            Just("-0".to_string()),
            Just("123456789012345678901234567890".to_string()),
            "[a-z \\\\\"\n\t\u{e9}\u{1F600}]{0,10}"
                .prop_map(|t| serde_json::to_string(&t).unwrap()),
            Just("\"\\u00e9\\ud83d\\ude00\"".to_string()),
            arb_json().prop_map(|v| v.to_string()),
        ];
        proptest::collection::vec((key, value), 0..6).prop_map(|pairs| {
            let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            format!("{{{}}}", body.join(", "))
        })
    }

    proptest::proptest! {
        /// The fast path for flat lines gives exactly what the general path gives, or stands
        /// aside.
        #[test]
        fn a_flat_line_is_read_as_the_general_path_reads_it(line in arb_line()) {
            let general = match serde_json::from_slice::<Value>(line.as_bytes()) {
                Ok(Value::Object(obj)) => Some(record_pairs(&obj)),
                _ => None,
            };
            if let Some(fast) = flat_pairs(line.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast), general, "{}", line);
            }
        }

        /// Read straight into fixed columns, a flat line gives what the general path and the
        /// column lookup give, or stands aside.
        #[test]
        fn a_flat_line_goes_into_its_columns_as_the_general_path_puts_it(line in arb_line()) {
            let columns = ["a", "b", "c", "id", "type", "attributes", "ab"];
            let index: std::collections::HashMap<String, usize> = columns
                .iter()
                .enumerate()
                .map(|(i, k)| (k.to_string(), i))
                .collect();
            if let Some(direct) = flat_fields(line.as_bytes(), &index, columns.len()) {
                let general = match serde_json::from_slice::<Value>(line.as_bytes()) {
                    Ok(Value::Object(obj)) => record_pairs(&obj),
                    other => return Err(proptest::test_runner::TestCaseError::fail(format!("{line}: {other:?}"))),
                };
                let mut fields = vec![String::new(); columns.len()];
                let mut late = Vec::new();
                for (k, v) in general {
                    match index.get(&k) {
                        Some(&i) => fields[i] = v,
                        None => late.push(k),
                    }
                }
                proptest::prop_assert_eq!(direct, (fields, late), "{}", line);
            }
        }

        #[test]
        fn flattening_never_panics_and_every_record_is_a_row(items in proptest::collection::vec(arb_json(), 0..6)) {
            let doc = Value::Array(items.clone());
            let (h, rows) = document(&doc).unwrap();
            proptest::prop_assert_eq!(rows.len(), items.len());
            for (row, item) in rows.iter().zip(&items) {
                if item.is_object() {
                    proptest::prop_assert!(row.problem.is_none());
                    proptest::prop_assert_eq!(row.fields.len(), h.len());
                }
            }
        }
    }
}
