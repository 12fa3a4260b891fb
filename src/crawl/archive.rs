//! The content-addressed raw archive (SPEC section 6, `output/archive/`): every response body
//! used, zstd-compressed, named by the SHA-256 of the uncompressed body
//! (`archive/ab/abcdef….zst`). Written to a temporary file, fsynced, then renamed, so a killed
//! process leaves whole files or none; a body already archived is not written again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// The archive directory.
#[derive(Clone, Debug)]
pub struct Archive {
    dir: PathBuf,
}

impl Archive {
    /// An archive rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Archive {
        Archive { dir: dir.into() }
    }

    /// SHA-256 hex of `body`.
    pub fn hash(body: &[u8]) -> String {
        let digest = Sha256::digest(body);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn path_of(&self, sha: &str) -> PathBuf {
        let prefix = sha.get(..2).unwrap_or("00");
        self.dir.join(prefix).join(format!("{sha}.zst"))
    }

    /// True when the body `sha` is archived.
    pub fn contains(&self, sha: &str) -> bool {
        self.path_of(sha).is_file()
    }

    /// Archives `body`; returns its SHA-256.
    pub fn put(&self, body: &[u8]) -> std::io::Result<String> {
        let sha = Self::hash(body);
        let path = self.path_of(&sha);
        if path.is_file() {
            return Ok(sha);
        }
        let dir = path.parent().expect("archive paths have a parent");
        std::fs::create_dir_all(dir)?;
        // Unique per call: two tasks may archive the same body at once.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{sha}.{}.{n}.tmp", std::process::id()));
        let compressed = zstd::encode_all(body, 3)?;
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&compressed)?;
            f.sync_all()?;
        }
        crate::failpoint::hit("archive-before-rename");
        std::fs::rename(&tmp, &path)?;
        sync_dir(dir);
        Ok(sha)
    }

    /// Removes temporary files left by a killed run (call with the run lock held). Returns
    /// how many were removed.
    pub fn remove_leftovers(&self) -> usize {
        let Ok(prefixes) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for prefix in prefixes.flatten() {
            let Ok(files) = std::fs::read_dir(prefix.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.')
                    && name.ends_with(".tmp")
                    && std::fs::remove_file(f.path()).is_ok()
                {
                    removed += 1;
                }
            }
        }
        removed
    }

    /// The body `sha`, if archived and intact (its hash is checked).
    pub fn get(&self, sha: &str) -> Option<Vec<u8>> {
        let compressed = std::fs::read(self.path_of(sha)).ok()?;
        let body = zstd::decode_all(compressed.as_slice()).ok()?;
        (Self::hash(&body) == sha).then_some(body)
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_by_hash_and_are_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let sha = a.put(b"hello archive").unwrap();
        assert_eq!(sha, Archive::hash(b"hello archive"));
        assert!(a.contains(&sha));
        assert_eq!(a.get(&sha).unwrap(), b"hello archive");
        assert_eq!(a.put(b"hello archive").unwrap(), sha);
        let files: Vec<_> = walk(dir.path());
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].ends_with(format!("{sha}.zst")));
    }

    #[test]
    fn the_same_body_archived_from_many_threads_at_once_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let shas: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| a.put(b"User-agent: *").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(shas.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(walk(dir.path()).len(), 1, "no temporary file left");
    }

    #[test]
    fn leftover_temporary_files_are_removed_and_bodies_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let sha = a.put(b"kept").unwrap();
        let stray = dir.path().join(&sha[..2]).join(format!(".{sha}.1.0.tmp"));
        std::fs::write(&stray, b"half").unwrap();
        assert_eq!(a.remove_leftovers(), 1);
        assert!(!stray.exists());
        assert_eq!(a.get(&sha).unwrap(), b"kept");
    }

    #[test]
    fn a_corrupt_file_is_not_returned() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let sha = a.put(b"original").unwrap();
        std::fs::write(
            a.path_of(&sha),
            zstd::encode_all(&b"tampered"[..], 3).unwrap(),
        )
        .unwrap();
        assert_eq!(a.get(&sha), None);
        assert_eq!(a.get("00deadbeef"), None);
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
