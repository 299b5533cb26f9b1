//! Parquet input: a Parquet file's bytes → headers and rows (as JSON rows are), via polars.
//!
//! In: the whole file held in memory (`read`: analyze, standard input), or a file on disk read
//! a window of rows at a time (`Windows`: `recur assign`, so memory does not grow with the file).
//! Out: the column names and, per row, every column's value as text (`RawRow`, `line` = the
//! 1-based row number); nulls are empty. Nested and binary columns are refused by name.
//! Invariant: never panics on a malformed file; a file polars cannot read is one error.

//! Built only with the `parquet` feature; without it every entry point says how to get it.

#[cfg(not(feature = "parquet"))]
pub use off::*;
#[cfg(feature = "parquet")]
pub use on::*;

/// What a build without the feature says.
pub const NOT_BUILT: &str =
    "this recur was built without Parquet support (build it with `cargo build --release --features parquet`)";

#[cfg(not(feature = "parquet"))]
mod off {
    use super::super::RawRow;
    use super::NOT_BUILT;

    pub fn read(_bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>), String> {
        Err(NOT_BUILT.to_string())
    }

    /// See the feature's `Windows`.
    pub struct Windows;

    impl Windows {
        pub fn open(_path: &std::path::Path) -> Result<Windows, String> {
            Err(NOT_BUILT.to_string())
        }

        pub fn headers(&self) -> &[String] {
            &[]
        }

        pub fn next_rows(&mut self, _max: usize) -> Result<Option<Vec<RawRow>>, String> {
            Err(NOT_BUILT.to_string())
        }
    }

    pub fn write_strings(
        _columns: &[(&str, Vec<String>)],
        _w: impl std::io::Write,
    ) -> Result<(), String> {
        Err(NOT_BUILT.to_string())
    }

    pub fn assignments_to_parquet(
        _csv_path: &std::path::Path,
        _w: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        Err(std::io::Error::other(NOT_BUILT))
    }
}

#[cfg(feature = "parquet")]
mod on {
    use super::super::RawRow;
    use polars::prelude::*;
    use polars_io::parquet::metadata::FileMetadataRef;
    use polars_io::prelude::{ParquetReader, ParquetWriter, SerReader};

    /// Reads a Parquet file held in memory.
    pub fn read(bytes: &[u8]) -> Result<(Vec<String>, Vec<RawRow>), String> {
        let cursor = std::io::Cursor::new(bytes);
        let df = std::panic::catch_unwind(|| ParquetReader::new(cursor).finish())
            .map_err(|_| "not a readable Parquet file".to_string())?
            .map_err(|e| format!("not a readable Parquet file: {e}"))?;
        let headers = names(&df);
        Ok((headers, rows_of(&df, 0)?))
    }

    fn names(df: &DataFrame) -> Vec<String> {
        df.get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// A frame's rows, every value as text (nulls empty), numbered from `before + 1`.
    fn rows_of(df: &DataFrame, before: u64) -> Result<Vec<RawRow>, String> {
        let mut texts: Vec<Vec<Option<String>>> = Vec::with_capacity(df.width());
        for col in df.columns() {
            let s = col
                .cast(&DataType::String)
                .map_err(|e| format!("column \"{}\" cannot be read as text: {e}", col.name()))?;
            let ca = s
                .str()
                .map_err(|e| format!("column \"{}\" cannot be read as text: {e}", col.name()))?;
            texts.push(ca.into_iter().map(|v| v.map(str::to_string)).collect());
        }
        Ok((0..df.height())
            .map(|i| {
                let fields = texts
                    .iter_mut()
                    .map(|c| c.get_mut(i).and_then(Option::take).unwrap_or_default())
                    .collect();
                RawRow::new(before + i as u64 + 1, fields, None)
            })
            .collect())
    }

    /// A Parquet file read a window of rows at a time (`recur assign`'s streaming read). The
    /// file is memory-mapped for each window and unmapped after it, and polars decodes only the
    /// row groups (and pages) a window covers, so memory holds one window, not the file.
    pub struct Windows {
        file: std::fs::File,
        metadata: FileMetadataRef,
        headers: Vec<String>,
        total: usize,
        next: usize,
    }

    impl Windows {
        /// Opens a file and reads its footer (the columns and the row count).
        pub fn open(path: &std::path::Path) -> Result<Windows, String> {
            let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
            let mut reader = ParquetReader::new(file.try_clone().map_err(|e| e.to_string())?);
            let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let metadata = reader.get_metadata()?.clone();
                let schema = reader.schema()?;
                Ok::<_, PolarsError>((metadata, schema))
            }))
            .map_err(|_| "not a readable Parquet file".to_string())?
            .map_err(|e| format!("not a readable Parquet file: {e}"))?;
            let (metadata, schema) = found;
            Ok(Windows {
                file,
                total: metadata.num_rows,
                metadata,
                headers: schema.iter_names().map(|n| n.to_string()).collect(),
                next: 0,
            })
        }

        /// The column names.
        pub fn headers(&self) -> &[String] {
            &self.headers
        }

        /// The next at most `max` rows (`line` = the 1-based row number), or `None` at the end.
        pub fn next_rows(&mut self, max: usize) -> Result<Option<Vec<RawRow>>, String> {
            if self.next >= self.total {
                return Ok(None);
            }
            let len = max.max(1).min(self.total - self.next);
            let file = self.file.try_clone().map_err(|e| e.to_string())?;
            let metadata = self.metadata.clone();
            let start = self.next;
            let df = std::panic::catch_unwind(move || {
                let mut reader = ParquetReader::new(file).with_slice(Some((start, len)));
                reader.set_metadata(metadata);
                reader.finish()
            })
            .map_err(|_| "not a readable Parquet file".to_string())?
            .map_err(|e| format!("not a readable Parquet file: {e}"))?;
            if df.height() != len {
                return Err(format!(
                    "not a readable Parquet file: rows {}-{} gave {} rows",
                    start + 1,
                    start + len,
                    df.height()
                ));
            }
            self.next += len;
            rows_of(&df, start as u64).map(Some)
        }
    }

    /// Writes string columns as one Parquet file (tests and tools).
    pub fn write_strings(
        columns: &[(&str, Vec<String>)],
        w: impl std::io::Write,
    ) -> Result<(), String> {
        let cols: Vec<Column> = columns
            .iter()
            .map(|(name, values)| Column::new((*name).into(), values.as_slice()))
            .collect();
        let mut df = DataFrame::new_infer_height(cols).map_err(|e| e.to_string())?;
        ParquetWriter::new(w)
            .finish(&mut df)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Rows per Parquet row group when converting a CSV output.
    const GROUP: usize = 1 << 16;

    /// Converts an assignments CSV (`assign::HEADER` columns) into Parquet, a row group at a time
    /// (memory stays at one group): `row` as UInt64, `pattern` as UInt32, `similarity` as Float32,
    /// the rest as text.
    pub fn assignments_to_parquet(
        csv_path: &std::path::Path,
        w: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let other = |e: String| std::io::Error::other(e);
        let mut rd = csv::Reader::from_path(csv_path).map_err(|e| other(e.to_string()))?;
        let schema = Schema::from_iter([
            Field::new("file".into(), DataType::String),
            Field::new("row".into(), DataType::UInt64),
            Field::new("id".into(), DataType::String),
            Field::new("pattern".into(), DataType::UInt32),
            Field::new("label".into(), DataType::String),
            Field::new("similarity".into(), DataType::Float32),
            Field::new("matched".into(), DataType::String),
        ]);
        let mut writer = ParquetWriter::new(w)
            .batched(&schema)
            .map_err(|e| other(e.to_string()))?;
        let mut rec = csv::StringRecord::new();
        let mut more = true;
        while more {
            let (mut file, mut row, mut id, mut pattern) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut label, mut sim, mut matched) = (Vec::new(), Vec::new(), Vec::new());
            while file.len() < GROUP {
                if !rd.read_record(&mut rec).map_err(|e| other(e.to_string()))? {
                    more = false;
                    break;
                }
                let get = |i: usize| rec.get(i).unwrap_or("").to_string();
                file.push(get(0));
                row.push(rec.get(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0));
                id.push(get(2));
                pattern.push(rec.get(3).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0));
                label.push(get(4));
                sim.push(
                    rec.get(5)
                        .and_then(|v| v.parse::<f32>().ok())
                        .unwrap_or(0.0),
                );
                matched.push(get(6));
            }
            if file.is_empty() && !more {
                break;
            }
            let df = DataFrame::new_infer_height(vec![
                Column::new("file".into(), file),
                Column::new("row".into(), row),
                Column::new("id".into(), id),
                Column::new("pattern".into(), pattern),
                Column::new("label".into(), label),
                Column::new("similarity".into(), sim),
                Column::new("matched".into(), matched),
            ])
            .map_err(|e| other(e.to_string()))?;
            writer.write_batch(&df).map_err(|e| other(e.to_string()))?;
        }
        writer.finish().map_err(|e| other(e.to_string()))?;
        Ok(())
    }
}
