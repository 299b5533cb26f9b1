//! Publishing a run's output set: all of it or none of it, under a lock, inside `--out` only.
//!
//! In: the output folder. Out: `Staging`, a fresh private folder
//! `<out>/.recur-staging-<run>` (mode 0700, created with `mkdir`, which fails if the name
//! exists; the name holds the time, the process id and 32 random bits) that the run writes all
//! its files into; `Staging::publish` then moves the set into `<out>`.
//!
//! # How a set is published
//! 1. Under the folder's lock (`lock`, held from `begin` until the staging is dropped), the run
//!    writes every report, chart and CSV into its staging folder.
//! 2. It writes `recur-manifest.json` into the staging folder (to a temporary name, then
//!    renamed): the run id and every file with its size and FNV-1a 64 hash. A staging folder
//!    with a manifest is complete; this is the commit point.
//! 3. It removes `<out>/recur-manifest.json`, then every file of the earlier set (the files the
//!    old manifest names, and every name recur writes) that the new set does not have, then
//!    renames each new file into place (sorted by path), then renames the manifest into place,
//!    last. SIGINT, SIGTERM and SIGHUP are deferred during this step, so they end the run only
//!    once the new set is in place.
//! 4. The next run, under the lock, removes any staging folder without a manifest (a run killed
//!    while analysing or writing) and completes any staging folder with one (a run killed by
//!    SIGKILL or a power cut in step 3): every file still in it is moved into place, then its
//!    manifest. Temporary files of older recur versions (`.report.md.tmp-PID`) are removed too.
//!
//! # Invariants
//! - When `<out>/recur-manifest.json` exists, every file it names is in `<out>` with that size
//!   and hash, and no other recur output file is (readers check this; `verify` does). While it
//!   is missing, a publish is under way or was killed, and the next run completes it.
//! - Nothing is created outside `<out>`: staging is inside it, and a symbolic link planted in
//!   `<out>` (as a report, as `charts/`, as a staging folder) is removed or replaced by rename,
//!   never followed. Files are opened with `O_EXCL | O_NOFOLLOW`.
//! - Files in `<out>` that recur does not write are never touched.

use super::error::{OutputError, Result};
use super::lock::{self, Lock};
use crate::error::Error;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The manifest's name, in the output folder and in a staging folder.
pub const MANIFEST: &str = "recur-manifest.json";
/// Staging folders' name prefix.
pub const STAGING_PREFIX: &str = ".recur-staging-";

/// Every file name recur writes into an output folder (besides the manifest), so that files of
/// an earlier run without a manifest are removed too.
pub fn known_outputs() -> Vec<String> {
    let mut names: Vec<String> = [
        "report.md",
        "report.html",
        "patterns.json",
        "assignments.csv",
        "rejected.csv",
        // recur assign's
        "summary.json",
        "assignments.parquet",
    ]
    .map(String::from)
    .to_vec();
    for chart in crate::chart::CHART_NAMES {
        for ext in ["svg", "png"] {
            names.push(format!("charts/{chart}.{ext}"));
        }
    }
    names
}

/// A run's private staging folder, holding the output folder's lock.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    run: String,
    /// Set at the commit point (the manifest is in the staging folder): Drop keeps it then.
    published: bool,
    _lock: Lock,
}

/// What `publish` put into place.
#[derive(Debug, Clone)]
pub struct Published {
    pub run: String,
    /// Paths relative to the output folder, sorted (the manifest not included).
    pub files: Vec<String>,
}

impl Staging {
    /// Checks that `out` is (or can be made) a folder, takes its lock (waiting up to `wait`;
    /// `on_wait` is called once if another run holds it), cleans up after killed runs, and
    /// creates a fresh staging folder.
    pub fn begin(out: &Path, wait: Duration, on_wait: impl FnOnce()) -> Result<Staging> {
        check_out(out)?;
        let lock = lock::acquire(out, wait, on_wait)?;
        recover(out)?;
        let (run, dir) = create_private(out)?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            run,
            published: false,
            _lock: lock,
        })
    }

    /// The folder the run writes its files into (same layout as the output folder).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `e` with a path inside the staging folder shown as the path it will be published at,
    /// so a message names `out/charts/map.png`, not the staging folder's name.
    pub fn public_error(&self, e: impl Into<Error>) -> Error {
        match e.into() {
            Error::Output(OutputError::Io { path, cause }) => {
                let path = match path.strip_prefix(&self.dir) {
                    Ok(rel) => self.out.join(rel),
                    Err(_) => path,
                };
                Error::Output(OutputError::Io { path, cause })
            }
            other => other,
        }
    }

    /// This run's id, as the manifest names it.
    pub fn run(&self) -> &str {
        &self.run
    }

    /// Writes the manifest and moves the staged set into the output folder (see the module
    /// header).
    pub fn publish(mut self) -> Result<Published> {
        let files = list_files(&self.dir)?;
        let mut entries = Vec::with_capacity(files.len());
        for rel in &files {
            let path = self.dir.join(rel);
            let (bytes, hash) = hash_file(&path).map_err(|e| OutputError::io(&path, e))?;
            entries.push(json!({"path": rel, "bytes": bytes, "fnv1a64": format!("{hash:016x}")}));
        }
        let manifest = json!({
            "recur": env!("CARGO_PKG_VERSION"),
            "run": self.run,
            "files": entries,
        });
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| OutputError::Manifest {
            path: self.dir.join(MANIFEST),
            message: e.to_string(),
        })?;
        // From before the commit point: a SIGINT that finds the manifest written always finds
        // the publish going on to the end.
        let _defer = DeferSignals::new();
        super::write_atomic(&self.dir, MANIFEST, |w| {
            w.write_all(&text)?;
            w.write_all(b"\n")
        })?;
        // Committed: from here the staging folder is never deleted unpublished; if moving the
        // set fails half-way, the next run completes it.
        self.published = true;
        let files = finish(&self.out, &self.dir)?;
        Ok(Published {
            run: self.run.clone(),
            files,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            // A failed run leaves the earlier set as it was; its partial files go.
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// `out` must be a folder or not exist yet (then it is created).
fn check_out(out: &Path) -> Result<()> {
    match fs::metadata(out) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(OutputError::NotAFolder {
            path: out.to_path_buf(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(out).map_err(|e| OutputError::io(out, e))
        }
        Err(e) => Err(OutputError::io(out, e)),
    }
}

/// Creates `<out>/.recur-staging-<run>` with mode 0700; a name that exists is never reused.
fn create_private(out: &Path) -> Result<(String, PathBuf)> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut last = None;
    for _ in 0..8 {
        let run = format!(
            "{secs}-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        let dir = out.join(format!("{STAGING_PREFIX}{run}"));
        let mut b = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        match b.create(&dir) {
            Ok(()) => return Ok((run, dir)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((dir, e)),
            Err(e) => return Err(OutputError::io(&dir, e)),
        }
    }
    let (dir, e) = last.expect("loop ran");
    Err(OutputError::io(dir, e))
}

/// Cleans up after killed runs (the lock is held): staging folders without a manifest go,
/// ones with a manifest are published; old-style temporary files go.
fn recover(out: &Path) -> Result<()> {
    let mut staged = Vec::new();
    for entry in fs::read_dir(out).map_err(|e| OutputError::io(out, e))? {
        let entry = entry.map_err(|e| OutputError::io(out, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with(STAGING_PREFIX) {
            let meta = fs::symlink_metadata(&path).map_err(|e| OutputError::io(&path, e))?;
            if meta.is_dir() && path.join(MANIFEST).is_file() {
                staged.push(path);
            } else if meta.is_dir() {
                fs::remove_dir_all(&path).map_err(|e| OutputError::io(&path, e))?;
            } else {
                fs::remove_file(&path).map_err(|e| OutputError::io(&path, e))?;
            }
        }
    }
    staged.sort();
    for dir in staged {
        finish(out, &dir)?;
    }
    remove_old_temps(out)?;
    let charts = out.join("charts");
    if fs::symlink_metadata(&charts).is_ok_and(|m| m.is_dir()) {
        remove_old_temps(&charts)?;
    }
    Ok(())
}

/// Removes `.NAME.tmp-*` files that recur before 0.2 left behind when killed.
fn remove_old_temps(dir: &Path) -> Result<()> {
    let known: Vec<String> = known_outputs()
        .iter()
        .map(|n| n.rsplit('/').next().unwrap_or(n).to_string())
        .collect();
    for entry in fs::read_dir(dir).map_err(|e| OutputError::io(dir, e))? {
        let entry = entry.map_err(|e| OutputError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let old_temp = name.strip_prefix('.').and_then(|n| n.split_once(".tmp-"));
        if old_temp.is_some_and(|(base, _)| known.iter().any(|k| k == base)) {
            let path = entry.path();
            if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                fs::remove_file(&path).map_err(|e| OutputError::io(&path, e))?;
            }
        }
    }
    Ok(())
}

/// Moves a complete staging folder's set into `out` (module header, step 3). Works on a set
/// that an earlier, killed call had partly moved: files already moved are in place.
fn finish(out: &Path, staged: &Path) -> Result<Vec<String>> {
    let manifest_path = staged.join(MANIFEST);
    let new = read_manifest(&manifest_path)?.ok_or_else(|| OutputError::Manifest {
        path: manifest_path.clone(),
        message: "is not a recur manifest".into(),
    })?;
    let new_set: BTreeSet<&str> = new.iter().map(String::as_str).collect();
    let published = out.join(MANIFEST);
    let mut old: BTreeSet<String> = known_outputs().into_iter().collect();
    if let Ok(Some(files)) = read_manifest(&published) {
        old.extend(files);
    }
    remove_entry(&published)?;
    for name in &old {
        if !new_set.contains(name.as_str()) && safe_relative(name) {
            remove_entry(&out.join(name))?;
        }
    }
    for name in &new {
        let src = staged.join(name);
        if fs::symlink_metadata(&src).is_err() {
            continue; // moved by the earlier, interrupted publish
        }
        if let Some((sub, _)) = name.split_once('/') {
            ensure_subfolder(&out.join(sub))?;
        }
        let dst = out.join(name);
        fs::rename(&src, &dst).map_err(|e| OutputError::io(&dst, e))?;
    }
    fs::rename(&manifest_path, &published).map_err(|e| OutputError::io(&published, e))?;
    fs::remove_dir_all(staged).map_err(|e| OutputError::io(staged, e))?;
    if !new.iter().any(|n| n.starts_with("charts/")) {
        // Empty now that the earlier charts are gone; not empty if the user keeps files there.
        let _ = fs::remove_dir(out.join("charts"));
    }
    Ok(new)
}

/// A manifest's file list; `Ok(None)` when the file is missing or not a manifest.
fn read_manifest(path: &Path) -> Result<Option<Vec<String>>> {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(OutputError::io(path, e)),
    };
    let Ok(v) = serde_json::from_slice::<Value>(&text) else {
        return Ok(None);
    };
    let Some(files) = v.get("files").and_then(Value::as_array) else {
        return Ok(None);
    };
    Ok(Some(
        files
            .iter()
            .filter_map(|f| f.get("path").and_then(Value::as_str))
            .filter(|p| safe_relative(p))
            .map(String::from)
            .collect(),
    ))
}

/// A manifest path recur could have written: relative, at most one folder deep, no `..`.
fn safe_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && p.split('/').count() <= 2
        && p.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

/// Removes a file or symbolic link (never what a link points to); a missing one is fine.
fn remove_entry(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Ok(()), // a folder is not one of recur's files
        Ok(_) => fs::remove_file(path).map_err(|e| OutputError::io(path, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(OutputError::io(path, e)),
    }
}

/// Makes `path` a real folder: a symbolic link or file in its place is removed first, so a
/// rename into it never lands outside the output folder.
fn ensure_subfolder(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => fs::remove_file(path).map_err(|e| OutputError::io(path, e))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(OutputError::io(path, e)),
    }
    fs::create_dir(path).map_err(|e| OutputError::io(path, e))
}

/// Regular files under `dir` (one level of sub-folders), relative, sorted; the manifest and
/// temporary files are not part of the set.
fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| OutputError::io(dir, e))? {
        let entry = entry.map_err(|e| OutputError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ty = entry
            .file_type()
            .map_err(|e| OutputError::io(entry.path(), e))?;
        if ty.is_dir() {
            let sub = entry.path();
            for inner in fs::read_dir(&sub).map_err(|e| OutputError::io(&sub, e))? {
                let inner = inner.map_err(|e| OutputError::io(&sub, e))?;
                let inner_name = inner.file_name().to_string_lossy().into_owned();
                if inner.file_type().is_ok_and(|t| t.is_file()) && !inner_name.starts_with('.') {
                    files.push(format!("{name}/{inner_name}"));
                }
            }
        } else if ty.is_file() && name != MANIFEST && !name.starts_with('.') {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}

/// Size and FNV-1a 64 hash of a file's bytes.
pub fn hash_file(path: &Path) -> io::Result<(u64, u64)> {
    let mut f = fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut n, mut h) = (0u64, 0xcbf2_9ce4_8422_2325u64);
    loop {
        let got = f.read(&mut buf)?;
        if got == 0 {
            return Ok((n, h));
        }
        n += got as u64;
        for &b in &buf[..got] {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Checks an output folder against its manifest: `Ok(run id)` when the manifest exists and
/// every file it names has its size and hash and no other recur output file is present;
/// otherwise what is wrong.
pub fn verify(out: &Path) -> std::result::Result<String, String> {
    let path = out.join(MANIFEST);
    let text = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let run = v["run"].as_str().unwrap_or_default().to_string();
    let files = v["files"]
        .as_array()
        .ok_or_else(|| format!("{}: no file list", path.display()))?;
    let mut listed = BTreeSet::new();
    for f in files {
        let rel = f["path"].as_str().unwrap_or_default();
        listed.insert(rel.to_string());
        let (bytes, hash) =
            hash_file(&out.join(rel)).map_err(|e| format!("{rel}: {e} (run {run})"))?;
        if Some(bytes) != f["bytes"].as_u64()
            || Some(format!("{hash:016x}").as_str()) != f["fnv1a64"].as_str()
        {
            return Err(format!("{rel}: not the file run {run} wrote"));
        }
    }
    for name in known_outputs() {
        if !listed.contains(&name) && fs::symlink_metadata(out.join(&name)).is_ok() {
            return Err(format!("{name}: present but not in run {run}'s manifest"));
        }
    }
    Ok(run)
}

/// Defers SIGINT, SIGTERM and SIGHUP while alive; a signal that arrived is raised again (with
/// the earlier handling restored) when it is dropped.
struct DeferSignals {
    #[cfg(unix)]
    old: Vec<(libc::c_int, libc::sigaction)>,
}

#[cfg(unix)]
static PENDING: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

#[cfg(unix)]
extern "C" fn note_signal(sig: libc::c_int) {
    PENDING.store(sig, std::sync::atomic::Ordering::SeqCst);
}

impl DeferSignals {
    #[cfg(unix)]
    fn new() -> DeferSignals {
        let mut old = Vec::new();
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: sigaction with a zeroed, then filled struct; the handler only stores to
            // an atomic, which is async-signal-safe.
            unsafe {
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = note_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut new.sa_mask);
                let mut prev: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &new, &mut prev) == 0 {
                    old.push((sig, prev));
                }
            }
        }
        DeferSignals { old }
    }

    #[cfg(not(unix))]
    fn new() -> DeferSignals {
        DeferSignals {}
    }
}

impl Drop for DeferSignals {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            for (sig, prev) in &self.old {
                // SAFETY: restores the action saved in `new`.
                unsafe {
                    libc::sigaction(*sig, prev, std::ptr::null_mut());
                }
            }
            let sig = PENDING.swap(0, std::sync::atomic::Ordering::SeqCst);
            if sig != 0 {
                // SAFETY: raising a signal in this process with its original handling.
                unsafe {
                    libc::raise(sig);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn stage(out: &Path, files: &[(&str, &str)]) -> Published {
        let s = Staging::begin(out, Duration::ZERO, || {}).unwrap();
        for (name, text) in files {
            super::super::write_bytes(s.dir(), name, text.as_bytes()).unwrap();
        }
        s.publish().unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn publishes_the_set_and_removes_files_of_the_earlier_set() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        stage(
            &out,
            &[
                ("report.md", "a"),
                ("report.html", "a"),
                ("charts/map.svg", "a"),
            ],
        );
        fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(verify(&out).is_ok());
        let p = stage(&out, &[("report.md", "bb")]);
        assert_eq!(p.files, vec!["report.md"]);
        assert_eq!(names(&out), vec!["notes.txt", MANIFEST, "report.md"]);
        assert_eq!(verify(&out).unwrap(), p.run);
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn verify_notices_a_mixed_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        stage(out, &[("report.md", "new"), ("assignments.csv", "new")]);
        fs::write(out.join("assignments.csv"), "old").unwrap();
        assert!(verify(out).unwrap_err().contains("assignments.csv"));
        stage(out, &[("report.md", "new")]);
        fs::write(out.join("patterns.json"), "{}").unwrap();
        assert!(verify(out).unwrap_err().contains("patterns.json"));
    }

    #[test]
    fn a_dropped_staging_leaves_the_old_set() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        stage(out, &[("report.md", "old")]);
        {
            let s = Staging::begin(out, Duration::ZERO, || {}).unwrap();
            super::super::write_bytes(s.dir(), "report.md", b"half").unwrap();
        }
        assert_eq!(fs::read_to_string(out.join("report.md")).unwrap(), "old");
        assert!(verify(out).is_ok());
        assert!(!names(out).iter().any(|n| n.starts_with(STAGING_PREFIX)));
    }

    #[test]
    fn next_run_removes_incomplete_and_completes_committed_staging() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        stage(out, &[("report.md", "old"), ("patterns.json", "old")]);
        // A run killed while writing: no manifest.
        let killed = out.join(format!("{STAGING_PREFIX}1-1-deadbeef"));
        fs::create_dir(&killed).unwrap();
        fs::write(killed.join("report.md"), "partial").unwrap();
        // A run killed in the middle of publishing: manifest in staging, one file moved.
        let s = Staging::begin(out, Duration::ZERO, || {}).unwrap();
        super::super::write_bytes(s.dir(), "report.md", b"new").unwrap();
        super::super::write_bytes(s.dir(), "assignments.csv", b"new").unwrap();
        let committed = s.dir().to_path_buf();
        let files = list_files(&committed).unwrap();
        let mut entries = Vec::new();
        for rel in &files {
            let (bytes, hash) = hash_file(&committed.join(rel)).unwrap();
            entries.push(json!({"path": rel, "bytes": bytes, "fnv1a64": format!("{hash:016x}")}));
        }
        let mut m = fs::File::create(committed.join(MANIFEST)).unwrap();
        writeln!(m, "{}", json!({"run": "killed", "files": entries})).unwrap();
        fs::remove_file(out.join(MANIFEST)).unwrap();
        fs::rename(
            committed.join("assignments.csv"),
            out.join("assignments.csv"),
        )
        .unwrap();
        // Killed: the staging folder stays (no Drop cleanup), the kernel releases the lock.
        let mut s = s;
        s.published = true;
        drop(s);
        drop(Staging::begin(out, Duration::ZERO, || {}).unwrap());
        assert_eq!(verify(out).unwrap(), "killed");
        assert_eq!(fs::read_to_string(out.join("report.md")).unwrap(), "new");
        assert!(!out.join("patterns.json").exists());
        assert!(!names(out).iter().any(|n| n.starts_with(STAGING_PREFIX)));
    }

    #[cfg(unix)]
    #[test]
    fn planted_links_are_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        fs::write(&victim, "keep").unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join("report.md")).unwrap();
        std::os::unix::fs::symlink(&victim, out.join("patterns.json")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("charts")).unwrap();
        stage(&out, &[("report.md", "new"), ("charts/map.svg", "<svg/>")]);
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(names(&elsewhere).is_empty());
        assert!(!fs::symlink_metadata(out.join("report.md"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(fs::symlink_metadata(out.join("charts")).unwrap().is_dir());
        assert!(!out.join("patterns.json").exists());
        assert!(verify(&out).is_ok());
    }

    #[test]
    fn a_regular_file_as_out_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, "x").unwrap();
        let err = Staging::begin(&file, Duration::ZERO, || {}).unwrap_err();
        assert!(err.to_string().contains("is not a folder"), "{err}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    }

    #[test]
    fn manifest_paths_outside_the_folder_are_ignored() {
        assert!(safe_relative("charts/map.svg"));
        assert!(!safe_relative("../x"));
        assert!(!safe_relative("/etc/passwd"));
        assert!(!safe_relative("a/b/c"));
        assert!(!safe_relative("charts/.."));
    }
}
