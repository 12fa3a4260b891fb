//! The content-addressed raw archive (SPEC section 6, `output/archive/`): every response body
//! used, zstd-compressed, found by the SHA-256 of the uncompressed body.
//!
//! Bodies are appended to a pack (`archive/packs/<name>.zst`), one per batch: [`Archive::put`]
//! appends to a temporary pack (`packs/.<name>.tmp`), and [`Archive::sync`] fsyncs it once and
//! renames it into place, so a batch of bodies costs one file and one fsync instead of one
//! each. A body is durable only once its batch is synced: whoever commits state that refers
//! to a body (the validators of conditional requests, [`super::conditional::Cache::flush`])
//! syncs first. A killed process leaves at most a temporary pack, which no state refers to and
//! [`Archive::remove_leftovers`] deletes.
//!
//! A pack is a plain zstd stream (`zstdcat` reads it): each body is a skippable frame naming it
//! (magic, SHA-256, compressed length) followed by the body's own zstd frame. Bodies archived
//! before packs existed, one file each (`archive/ab/abcdef….zst`), stay readable. A body
//! already archived, in either layout, is not written again.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

/// The zstd level of archived bodies.
const LEVEL: i32 = 1;
/// The directory of packs, under the archive's.
const PACKS: &str = "packs";
/// The zstd skippable frame magic that opens a pack entry (`0x184D2A50` + 14).
const ENTRY_MAGIC: u32 = 0x184D_2A5E;
/// The entry frame's payload: the body's SHA-256 and its compressed length (u64, LE).
const ENTRY_PAYLOAD: usize = 32 + 8;
/// The entry frame: magic, payload size, payload.
const ENTRY_HEAD: usize = 8 + ENTRY_PAYLOAD;

/// The archive directory.
#[derive(Clone, Debug)]
pub struct Archive {
    dir: PathBuf,
    packs: Arc<Mutex<Packs>>,
    /// Held through a whole [`Archive::sync`]: a sync that finds nothing open waits for one
    /// under way, so "synced" always means "durable".
    syncing: Arc<Mutex<()>>,
}

/// Where each packed body is, loaded on first use, and the pack being written.
#[derive(Debug, Default)]
struct Packs {
    /// Packed bodies by SHA-256 hex (sealed, and the open pack's).
    index: Option<HashMap<String, Entry>>,
    /// Pack files, by the number an [`Entry`] names.
    files: Vec<PackFile>,
    /// The pack being written: its number.
    open: Option<usize>,
}

#[derive(Debug)]
struct PackFile {
    path: PathBuf,
    /// Kept open for the pack written in this process (its name changes when it is sealed).
    handle: Option<Arc<File>>,
    /// Bytes written so far (the open pack).
    len: u64,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    pack: usize,
    /// Offset of the body's zstd frame.
    offset: u64,
    len: u64,
}

impl Archive {
    /// An archive rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Archive {
        Archive {
            dir: dir.into(),
            packs: Arc::default(),
            syncing: Arc::default(),
        }
    }

    /// SHA-256 hex of `body`.
    pub fn hash(body: &[u8]) -> String {
        let digest = Sha256::digest(body);
        hex(&digest)
    }

    /// Where the one-file-per-body layout kept `sha` (still read).
    fn path_of(&self, sha: &str) -> PathBuf {
        let prefix = sha.get(..2).unwrap_or("00");
        self.dir.join(prefix).join(format!("{sha}.zst"))
    }

    fn packs_dir(&self) -> PathBuf {
        self.dir.join(PACKS)
    }

    /// The pack state, with the index of the sealed packs loaded.
    fn packs(&self) -> MutexGuard<'_, Packs> {
        let mut packs = self.packs.lock().unwrap_or_else(|p| p.into_inner());
        if packs.index.is_none() {
            let mut index = HashMap::new();
            let mut files = Vec::new();
            let mut names: Vec<PathBuf> = std::fs::read_dir(self.packs_dir())
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| is_pack(p))
                .collect();
            names.sort();
            for path in names {
                let n = files.len();
                for (sha, offset, len) in read_entries(&path) {
                    index.entry(sha).or_insert(Entry {
                        pack: n,
                        offset,
                        len,
                    });
                }
                files.push(PackFile {
                    path,
                    handle: None,
                    len: 0,
                });
            }
            packs.index = Some(index);
            packs.files = files;
        }
        packs
    }

    /// True when the body `sha` is archived (its batch may not be synced yet).
    pub fn contains(&self, sha: &str) -> bool {
        let packed = self
            .packs()
            .index
            .as_ref()
            .is_some_and(|i| i.contains_key(sha));
        packed || self.path_of(sha).is_file()
    }

    /// Archives `body` in the open pack (durable after [`Archive::sync`]); returns its
    /// SHA-256.
    pub fn put(&self, body: &[u8]) -> std::io::Result<String> {
        let digest = Sha256::digest(body);
        let sha = hex(&digest);
        if self.contains(&sha) {
            return Ok(sha);
        }
        let compressed = compress(body)?;
        let mut packs = self.packs();
        let packs = &mut *packs;
        let index = packs.index.get_or_insert_default();
        // Another task may have archived the same body meanwhile.
        if index.contains_key(&sha) {
            return Ok(sha);
        }
        let n = match packs.open {
            Some(n) => n,
            None => {
                let dir = self.packs_dir();
                std::fs::create_dir_all(&dir)?;
                // Unique per pack: several processes never write at once (the run lock), but
                // a name must not come back after a crash either.
                static NEXT: AtomicU64 = AtomicU64::new(0);
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_micros())
                    .unwrap_or_default();
                let name = format!(
                    "{stamp:020}-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                let path = dir.join(format!(".{name}.tmp"));
                let file = File::options()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&path)?;
                packs.files.push(PackFile {
                    path,
                    handle: Some(Arc::new(file)),
                    len: 0,
                });
                let n = packs.files.len() - 1;
                packs.open = Some(n);
                n
            }
        };
        let pack = &mut packs.files[n];
        let mut entry = Vec::with_capacity(ENTRY_HEAD + compressed.len());
        entry.extend_from_slice(&ENTRY_MAGIC.to_le_bytes());
        entry.extend_from_slice(&(ENTRY_PAYLOAD as u32).to_le_bytes());
        entry.extend_from_slice(&digest);
        entry.extend_from_slice(&(compressed.len() as u64).to_le_bytes());
        entry.extend_from_slice(&compressed);
        let handle = pack.handle.as_ref().expect("the open pack has a handle");
        // On failure, what was written of the entry lies past the pack's length: overwritten
        // by the next entry, or cut when the pack is synced.
        handle.write_all_at(&entry, pack.len)?;
        index.insert(
            sha.clone(),
            Entry {
                pack: n,
                offset: pack.len + ENTRY_HEAD as u64,
                len: compressed.len() as u64,
            },
        );
        pack.len += entry.len() as u64;
        Ok(sha)
    }

    /// Makes every body put so far durable: the open pack is fsynced and renamed into place
    /// (and its directory synced); the next [`Archive::put`] starts a new pack. Nothing to do
    /// when no body was put since the last sync.
    pub fn sync(&self) -> std::io::Result<()> {
        let _syncing = self.syncing.lock().unwrap_or_else(|p| p.into_inner());
        // Taken out under the lock, synced without it: other tasks keep archiving meanwhile.
        let (n, handle, tmp) = {
            let mut packs = self.packs();
            let Some(n) = packs.open.take() else {
                return Ok(());
            };
            let pack = &packs.files[n];
            let handle = Arc::clone(pack.handle.as_ref().expect("the open pack has a handle"));
            // The pack's true length: a failed write may have left bytes past it.
            handle.set_len(pack.len)?;
            (n, handle, pack.path.clone())
        };
        handle.sync_all()?;
        crate::failpoint::hit("archive-before-rename");
        let name = tmp
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix('.'))
            .and_then(|n| n.strip_suffix(".tmp"))
            .expect("temporary pack names are .<name>.tmp");
        let path = tmp.with_file_name(format!("{name}.zst"));
        std::fs::rename(&tmp, &path)?;
        sync_dir(&self.packs_dir())?;
        self.packs().files[n].path = path;
        Ok(())
    }

    /// Removes temporary files left by a killed run (call with the run lock held): packs
    /// never synced, and bodies of the one-file layout never renamed. Returns how many were
    /// removed.
    pub fn remove_leftovers(&self) -> usize {
        let Ok(subdirs) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for sub in subdirs.flatten() {
            let Ok(files) = std::fs::read_dir(sub.path()) else {
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
        let body = match self.read_packed(sha) {
            Some(body) => Some(body),
            None => {
                let compressed = std::fs::read(self.path_of(sha)).ok()?;
                decompress(&compressed)
            }
        }?;
        (Self::hash(&body) == sha).then_some(body)
    }

    /// The body `sha` from its pack, not checked.
    fn read_packed(&self, sha: &str) -> Option<Vec<u8>> {
        let (entry, handle, path) = {
            let packs = self.packs();
            let entry = *packs.index.as_ref()?.get(sha)?;
            let pack = &packs.files[entry.pack];
            (entry, pack.handle.clone(), pack.path.clone())
        };
        let mut compressed = vec![0; usize::try_from(entry.len).ok()?];
        match handle {
            Some(h) => h.read_exact_at(&mut compressed, entry.offset).ok()?,
            None => File::open(path)
                .ok()?
                .read_exact_at(&mut compressed, entry.offset)
                .ok()?,
        }
        decompress(&compressed)
    }
}

/// One zstd frame decompressed, by a decompressor kept per thread into a buffer of the size
/// its header gives (a context made per body, and a buffer grown as it streams, cost more than
/// decompressing a small page); a frame that does not give its size is streamed.
fn decompress(frame: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    /// Sizes above this are streamed rather than trusted to size a buffer.
    const MOST: u64 = 64 << 20;
    let size = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(size)) if size <= MOST => usize::try_from(size).ok(),
        _ => None,
    };
    let bulk = size.and_then(|size| {
        DECOMPRESSOR.with_borrow_mut(|d| {
            let d = match d {
                Some(d) => d,
                None => d.insert(zstd::bulk::Decompressor::new().ok()?),
            };
            d.decompress(frame, size).ok()
        })
    });
    bulk.or_else(|| zstd::decode_all(frame).ok())
}

/// `body` as one zstd frame at level 1, by a compressor kept per thread: a context made per
/// body cost more than the compression of a small page, and level 3 compressed the bench's
/// directory pages 1.75 times slower for an archive 4% smaller.
fn compress(body: &[u8]) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    COMPRESSOR.with_borrow_mut(|c| {
        let c = match c {
            Some(c) => c,
            None => c.insert(zstd::bulk::Compressor::new(LEVEL)?),
        };
        c.compress(body)
    })
}

/// A sealed pack's file name (`<name>.zst`, not hidden).
fn is_pack(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| !n.starts_with('.') && n.ends_with(".zst"))
}

/// The entries of a pack: (SHA-256 hex, offset, length) of each body's frame, up to the first
/// that is not whole (a pack cut short is read up to there).
fn read_entries(path: &Path) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    let Ok(file) = File::open(path) else {
        return out;
    };
    let Ok(size) = file.metadata().map(|m| m.len()) else {
        return out;
    };
    let mut r = BufReader::new(file);
    let mut at = 0u64;
    let mut head = [0u8; ENTRY_HEAD];
    while at + ENTRY_HEAD as u64 <= size {
        if r.read_exact(&mut head).is_err() {
            break;
        }
        let magic = u32::from_le_bytes(head[0..4].try_into().expect("4 bytes"));
        let payload = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes"));
        if magic != ENTRY_MAGIC || payload as usize != ENTRY_PAYLOAD {
            break;
        }
        let len = u64::from_le_bytes(head[40..48].try_into().expect("8 bytes"));
        let offset = at + ENTRY_HEAD as u64;
        if offset.checked_add(len).is_none_or(|end| end > size) {
            break;
        }
        out.push((hex(&head[8..40]), offset, len));
        let Ok(skip) = i64::try_from(len) else { break };
        if r.seek_relative(skip).is_err() {
            break;
        }
        at = offset + len;
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests;
