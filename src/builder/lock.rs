//! One build at a time per builder: an exclusive `flock` on
//! `<state>/locks/NAME.lock`, held by a [`LockGuard`].
//!
//! The kernel drops the lock when the holder's file descriptor closes, which
//! includes every way a process can die (`kill -9` too): there is no stale
//! lock to clean up. The holder writes its pid and start time into the file so
//! that waiters can say who they wait for. Lock files are never deleted
//! (deleting a lock file while someone waits on it would let two processes
//! "hold" it at once).

use super::{Error, Result};
use fs4::FileExt;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What to do when another process holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Block until the lock is free (after telling `on_wait` once).
    Wait,
    /// Fail at once with [`Error::Locked`] (`--no-wait`).
    NoWait,
}

/// A held builder lock; released when dropped.
#[derive(Debug)]
pub struct LockGuard {
    file: File,
    path: PathBuf,
    name: String,
}

impl LockGuard {
    /// The builder name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Clear the holder record, then release (closing would release too).
        let _ = self.file.set_len(0);
        let _ = FileExt::unlock(&self.file);
    }
}

fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.into(), e))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::Io(path.into(), e))
}

/// Who holds the lock at `path`, as written by the holder.
fn holder(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (field("pid"), field("started")) {
        (Some(pid), Some(started)) => format!("pid {pid}, started {started}"),
        (Some(pid), None) => format!("pid {pid}"),
        _ => "holder unknown".into(),
    }
}

/// Take the lock file at `path` for builder `name`.
pub(crate) fn acquire(
    path: &Path,
    name: &str,
    mode: Wait,
    on_wait: impl Fn(&str),
) -> Result<LockGuard> {
    let file = open(path)?;
    match FileExt::try_lock(&file) {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            let holder = holder(path);
            if mode == Wait::NoWait {
                return Err(Error::Locked {
                    name: name.into(),
                    holder,
                });
            }
            on_wait(&format!(
                "waiting for builder {name}: another build holds it ({holder})"
            ));
            FileExt::lock(&file).map_err(|e| Error::Io(path.into(), e))?;
        }
        Err(fs4::TryLockError::Error(e)) => return Err(Error::Io(path.into(), e)),
    }
    let mut guard = LockGuard {
        file,
        path: path.into(),
        name: name.into(),
    };
    let record = format!(
        "pid={}\nstarted={}\n",
        std::process::id(),
        humantime::format_rfc3339_seconds(std::time::SystemTime::now())
    );
    let write = |f: &mut File| -> std::io::Result<()> {
        f.set_len(0)?;
        f.seek(SeekFrom::Start(0))?;
        f.write_all(record.as_bytes())?;
        f.flush()
    };
    write(&mut guard.file).map_err(|e| Error::Io(path.into(), e))?;
    Ok(guard)
}

/// Whether some process holds the lock at `path` (without waiting). Takes a
/// shared lock for an instant, so a concurrent `NoWait` taker may lose a race
/// against it; use it for display only.
pub(crate) fn is_locked(path: &Path) -> Result<bool> {
    if !path.exists() {
        return Ok(false);
    }
    let file = File::open(path).map_err(|e| Error::Io(path.into(), e))?;
    match FileExt::try_lock_shared(&file) {
        Ok(()) => {
            let _ = FileExt::unlock(&file);
            Ok(false)
        }
        Err(fs4::TryLockError::WouldBlock) => Ok(true),
        Err(fs4::TryLockError::Error(e)) => Err(Error::Io(path.into(), e)),
    }
}

/// The holder description for a locked builder ("pid N, started …").
pub(crate) fn describe_holder(path: &Path) -> String {
    holder(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn exclusive_within_a_process_and_released_on_drop() {
        let dir = std::env::temp_dir().join(format!("matrix-lock-{}", std::process::id()));
        let path = dir.join("locks/b.lock");
        let first = acquire(&path, "b", Wait::NoWait, |_| panic!("no wait")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(&format!("pid={}\nstarted=", std::process::id())),
            "{text}"
        );
        assert!(is_locked(&path).unwrap());
        // A second open file description conflicts even within one process.
        match acquire(&path, "b", Wait::NoWait, |_| {}) {
            Err(Error::Locked { name, holder }) => {
                assert_eq!(name, "b");
                assert!(
                    holder.contains(&format!("pid {}", std::process::id())),
                    "{holder}"
                );
                let msg = Error::Locked { name, holder }.to_string();
                assert!(msg.contains("builder b is busy"), "{msg}");
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        assert!(!is_locked(&path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        let waited = Cell::new(0);
        let again = acquire(&path, "b", Wait::Wait, |_| waited.set(waited.get() + 1)).unwrap();
        assert_eq!(waited.get(), 0);
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
