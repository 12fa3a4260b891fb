//! `SHA256SUMS`: one `<sha256 hex>  <file name>` line per other file of the release directory,
//! sorted by name, as `sha256sum` prints them (check with `sha256sum -c SHA256SUMS`).

use std::fs::File;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The file name of the checksum list.
pub const SHA256SUMS: &str = "SHA256SUMS";

/// The lowercase hex SHA-256 of the file at `path`.
pub(crate) fn sha256_file(path: &Path) -> io::Result<String> {
    let mut hasher = Sha256::new();
    io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `SHA256SUMS` text for the regular files of `dir` other than `SHA256SUMS` itself.
///
/// Errors name the file that could not be read.
pub(crate) fn sums(dir: &Path) -> Result<String, (std::path::PathBuf, io::Error)> {
    let entries = std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let is_file = entry.file_type().map_err(|e| (entry.path(), e))?.is_file();
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_file && name != SHA256SUMS {
            names.push(name);
        }
    }
    names.sort();
    let mut text = String::new();
    for name in names {
        let path = dir.join(&name);
        let sum = sha256_file(&path).map_err(|e| (path, e))?;
        text.push_str(&format!("{sum}  {name}\n"));
    }
    Ok(text)
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
        assert_eq!(
            sums(dir.path()).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.txt\n\
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  b.txt\n"
        );
    }
}
