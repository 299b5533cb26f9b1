//! Output files: atomic writes, spreadsheet-safe CSV cells, and (in `staging` and `lock`) how a
//! run's whole output set is published into `--out`.
//!
//! In: a folder (a run's private staging folder, see `staging`), a file name chosen by recur
//! (never by input data) and a writer callback. Out: the file, complete or not at all: written
//! to a temporary file in the same folder, created with `O_EXCL | O_NOFOLLOW` under an
//! unpredictable name, flushed, then renamed over the target (a rename replaces a symbolic link
//! at the target, it never follows it).
//! Invariant: a failed or interrupted run never leaves a half-written report behind.

mod error;
pub mod lock;
pub mod staging;

pub use error::OutputError;
use error::Result;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `dir/name` atomically; `name` may contain one sub-folder (`charts/x.svg`).
pub fn write_atomic(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<PathBuf> {
    debug_assert!(!name.contains("..") && !name.starts_with('/'));
    let target = dir.join(name);
    let parent = target.parent().unwrap_or(dir).to_path_buf();
    fs::create_dir_all(&parent).map_err(|e| OutputError::io(&parent, e))?;
    let file_name = target
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, file) = create_temp(&parent, &file_name).map_err(|e| OutputError::io(&target, e))?;
    let result = (|| -> std::io::Result<()> {
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        w.flush()?;
        // No fsync: the rename makes the file appear whole or not at all to readers; forcing it
        // to disk costs about a second per 100 MB and is the caller's choice (sync).
        drop(w.into_inner().map_err(|e| e.into_error())?);
        fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(OutputError::io(&target, e));
    }
    Ok(target)
}

/// Creates `dir/.NAME.tmp-<random>` exclusively, refusing to follow a symbolic link.
fn create_temp(dir: &Path, file_name: &str) -> std::io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..8 {
        let tmp = dir.join(format!(".{file_name}.tmp-{:016x}", rand::random::<u64>()));
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
        }
        match o.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary name")))
}

/// Writes bytes atomically.
pub fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    write_atomic(dir, name, |w| w.write_all(bytes))
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
/// leading apostrophe, so it shows as text.
pub fn safe_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralizes_formulas_only() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+1"), "'+1");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("-2+3"), "'-2+3");
        assert_eq!(safe_cell("plain = text"), "plain = text");
        assert_eq!(safe_cell(""), "");
    }

    #[test]
    fn atomic_write_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(dir.path(), "charts/a.txt", |w| w.write_all(b"hi")).unwrap();
        assert_eq!(fs::read(dir.path().join("charts/a.txt")).unwrap(), b"hi");
        let err = write_atomic(dir.path(), "b.txt", |_| Err(std::io::Error::other("boom")));
        assert!(err.is_err());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
