//! The run lock: two runs on one output directory never overlap (SPEC section 5). An advisory
//! `flock` on `output/.lock`, held for the life of the process: the kernel drops it when the
//! holder dies, even by SIGKILL, so a lock left by a killed run is taken over by the next one.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A held run lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    pub path: PathBuf,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another civicrawl run holds `{}`{}", .path.display(), holder_suffix(.holder))]
    Held { path: PathBuf, holder: String },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn holder_suffix(holder: &str) -> String {
    if holder.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", holder.trim())
    }
}

impl RunLock {
    /// Takes the lock of `out_dir`; with `wait`, blocks until the other run ends.
    pub fn acquire(out_dir: &Path, wait: bool) -> Result<RunLock, LockError> {
        std::fs::create_dir_all(out_dir).map_err(|source| LockError::Io {
            path: out_dir.to_path_buf(),
            source,
        })?;
        let path = out_dir.join(".lock");
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) if wait => {
                tracing::info!(path = %path.display(), "waiting for the other run to finish");
                file.lock().map_err(io)?;
            }
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                return Err(LockError::Held { path, holder });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        let _ = write!(
            file,
            "pid {} since {}",
            std::process::id(),
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        Ok(RunLock { _file: file, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path(), false).unwrap();
        let err = RunLock::acquire(dir.path(), false).unwrap_err();
        assert!(matches!(err, LockError::Held { .. }));
        assert!(
            err.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        RunLock::acquire(dir.path(), false).unwrap();
    }
}
