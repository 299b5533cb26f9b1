//! The output folder's lock: one run at a time writes a folder.
//!
//! In: the output folder and how long to wait. Out: a `Lock` held until it is dropped (or the
//! process ends, however it ends: the kernel releases an `flock` with the last descriptor, so a
//! killed run never leaves a stale lock).
//! Invariants: the lock file `<out>/.recur.lock` is opened with `O_NOFOLLOW` (a planted symlink is
//! refused, never followed) and never written to; it is removed when the lock is released (a
//! run killed with SIGKILL leaves it, harmlessly); a lock counts only on the file the path
//! still names; a second run waits at most the given time, then fails with `OutputError::Busy`
//! naming the folder.

use super::error::{OutputError, Result};
use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::{Duration, Instant};

/// The lock file's name inside the output folder.
pub const LOCK_FILE: &str = ".recur.lock";

/// An exclusive lock on an output folder. Dropping it removes the lock file (while still
/// holding the lock) and releases it.
#[derive(Debug)]
pub struct Lock {
    path: std::path::PathBuf,
    // Held for its descriptor: closing it releases the lock.
    _file: File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Safe to remove while held: a run that opened this file before the removal finds, once
        // it has the lock, that the path no longer names the file it locked, and starts over.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes the lock on `out`, waiting up to `wait` for another run to finish; `on_wait` is called
/// once if the lock is busy at first.
pub fn acquire(out: &Path, wait: Duration, on_wait: impl FnOnce()) -> Result<Lock> {
    let path = out.join(LOCK_FILE);
    let open = || {
        open_nofollow(&path).map_err(|e| {
            if is_link_refused(&e) {
                OutputError::Link { path: path.clone() }
            } else {
                OutputError::io(&path, e)
            }
        })
    };
    let mut file = open()?;
    let start = Instant::now();
    let mut on_wait = Some(on_wait);
    loop {
        match try_lock(&file) {
            Ok(true) if still_named(&file, &path) => {
                return Ok(Lock { path, _file: file });
            }
            // The holder removed the file as it finished: lock the one the path names now.
            Ok(true) => {
                file = open()?;
                continue;
            }
            Ok(false) => {}
            Err(e) => return Err(OutputError::io(&path, e)),
        }
        if let Some(f) = on_wait.take() {
            f();
        }
        if start.elapsed() >= wait {
            return Err(OutputError::Busy {
                path: out.to_path_buf(),
                lock: LOCK_FILE,
                waited_s: wait.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether opening failed because the path is a symbolic link (`O_NOFOLLOW`).
#[cfg(unix)]
fn is_link_refused(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_link_refused(_: &std::io::Error) -> bool {
    false
}

/// Whether `path` still names the file `file` has open (same device and inode).
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_named(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(unix)]
fn open_nofollow(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

#[cfg(not(unix))]
fn open_nofollow(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// `Ok(true)` when the lock was taken, `Ok(false)` when another process holds it.
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor this `File` owns; no memory is passed.
    let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) => Ok(false),
        Some(libc::EINTR) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(unix))]
fn try_lock(file: &File) -> std::io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_waits_then_fails_and_succeeds_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), Duration::ZERO, || {}).unwrap();
        let mut waited = false;
        let err = acquire(dir.path(), Duration::from_millis(120), || waited = true).unwrap_err();
        assert!(waited);
        assert!(err.to_string().contains("another recur run"), "{err}");
        drop(first);
        assert!(
            !dir.path().join(LOCK_FILE).exists(),
            "released lock leaves no file"
        );
        acquire(dir.path(), Duration::ZERO, || {
            panic!("free lock must not wait")
        })
        .unwrap();
    }

    #[test]
    fn a_waiter_takes_the_lock_after_the_holder_removed_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), Duration::ZERO, || {}).unwrap();
        let out = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let l = acquire(&out, Duration::from_secs(10), || {}).unwrap();
            // The path names the file this lock holds, so a third run has to wait.
            let third = acquire(&out, Duration::ZERO, || {});
            drop(l);
            third.is_err()
        });
        std::thread::sleep(Duration::from_millis(200));
        drop(first);
        assert!(waiter.join().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_symlinked_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join(LOCK_FILE)).unwrap();
        let err = acquire(&out, Duration::ZERO, || {}).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    }
}
