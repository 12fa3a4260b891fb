//! `SHA256SUMS`: one `<sha256 hex>  <file name>` line per other file of the release directory,
//! sorted by name, as `sha256sum` prints them (check with `sha256sum -c SHA256SUMS`).
//!
//! Files are hashed while they are written ([`Hashing`]), so a release is never read back;
//! the same digests fill `datapackage.json` (`bytes`, `hash`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use sha2::{Digest, Sha256};

/// The file name of the checksum list.
pub const SHA256SUMS: &str = "SHA256SUMS";

/// Size and SHA-256 of one written file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileDigest {
    pub bytes: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// A writer that hashes and counts what passes through it.
pub(crate) struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub(crate) fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The inner writer and the digest of everything written.
    pub(crate) fn finish(self) -> (W, FileDigest) {
        let digest = FileDigest {
            bytes: self.bytes,
            sha256: hex(&self.hasher.finalize()),
        };
        (self.inner, digest)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The `SHA256SUMS` text for `files` (name → digest), sorted by name.
pub(crate) fn render(files: &BTreeMap<String, FileDigest>) -> String {
    files
        .iter()
        .filter(|(name, _)| name.as_str() != SHA256SUMS)
        .map(|(name, d)| format!("{}  {name}\n", d.sha256))
        .collect()
}

/// The digests of the regular files of `dir` other than `SHA256SUMS`, read from disk.
#[cfg(test)]
pub(crate) fn digests(dir: &std::path::Path) -> BTreeMap<String, FileDigest> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_file() && name != SHA256SUMS {
            let mut h = Hashing::new(io::sink());
            io::copy(&mut std::fs::File::open(entry.path()).unwrap(), &mut h).unwrap();
            out.insert(name, h.finish().1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_list_other_files_sorted_like_sha256sum() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.txt"), "abc").unwrap();
        std::fs::write(dir.path().join("a.txt"), "").unwrap();
        std::fs::write(dir.path().join(SHA256SUMS), "old").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let files = digests(dir.path());
        assert_eq!(files["b.txt"].bytes, 3);
        assert_eq!(
            render(&files),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.txt\n\
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  b.txt\n"
        );
    }
}
