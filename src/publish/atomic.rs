//! The release directory's life on disk: a new directory written beside the others, made
//! durable, renamed into place (never over a release), then `latest` switched, so a reader
//! or a crash sees the previous release or the new one, whole. Also the file primitives
//! every writer uses (create new, hash on the way out, fsync).

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use super::checksums::{FileDigest, Hashing};
use super::{LATEST, PublishError, RELEASES_DIR, io_error};

pub(super) const TMP_PREFIX: &str = ".tmp-";
const LATEST_TMP_PREFIX: &str = "latest.tmp-";

/// Makes `out_dir/releases/<id>` from what `write` puts in a temporary directory beside it,
/// then points `out_dir/latest` at it. Returns the release directory.
pub(super) fn stage(
    out_dir: &Path,
    id: &str,
    write: impl FnOnce(&Path) -> Result<(), PublishError>,
) -> Result<PathBuf, PublishError> {
    let releases = out_dir.join(RELEASES_DIR);
    check_id(id, &releases)?;
    fs::create_dir_all(&releases).map_err(io_error("create", &releases))?;
    remove_leftovers(out_dir, &releases)?;
    crate::failpoint::hit("publish-start");
    let dir = releases.join(id);
    ensure_absent(id, &dir)?;

    let tmp = releases.join(format!("{TMP_PREFIX}{id}-{}", std::process::id()));
    let staged = fs::create_dir(&tmp)
        .map_err(io_error("create", &tmp))
        .and_then(|()| write(&tmp))
        .and_then(|()| sync_dir(&tmp))
        .and_then(|()| ensure_absent(id, &dir))
        .inspect(|()| crate::failpoint::hit("publish-before-rename"))
        .and_then(|()| rename(&tmp, &dir));
    if let Err(e) = staged {
        if let Err(cleanup) = fs::remove_dir_all(&tmp)
            && cleanup.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(
                path = %tmp.display(),
                error = %cleanup,
                "cannot remove a temporary release directory"
            );
        }
        return Err(e);
    }
    sync_dir(&releases)?;
    crate::failpoint::hit("publish-after-rename");
    switch_latest(out_dir, id)?;
    Ok(dir)
}

/// The release directory `out_dir/latest` points at, if the link exists and resolves to a
/// directory.
pub fn latest_release(out_dir: &Path) -> Option<PathBuf> {
    let target = fs::read_link(out_dir.join(LATEST)).ok()?;
    let dir = out_dir.join(target);
    dir.is_dir().then_some(dir)
}

/// A release id is one plain path component: `[A-Za-z0-9._-]+`, not starting with `.`.
fn check_id(id: &str, releases: &Path) -> Result<(), PublishError> {
    let ok = !id.is_empty()
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(PublishError::InvalidId {
            id: id.to_string(),
            releases: releases.to_path_buf(),
        })
    }
}

fn ensure_absent(id: &str, dir: &Path) -> Result<(), PublishError> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("inspect", dir)(e)),
        Ok(_) => Err(PublishError::AlreadyExists {
            id: id.to_string(),
            path: dir.to_path_buf(),
        }),
    }
}

/// Removes `releases/.tmp-*`, `latest.tmp-*` and `index.html.tmp-*` left by runs that were
/// killed.
fn remove_leftovers(out_dir: &Path, releases: &Path) -> Result<(), PublishError> {
    let overview = super::page::overview::TMP_PREFIX;
    for (dir, prefix) in [
        (releases, TMP_PREFIX),
        (out_dir, LATEST_TMP_PREFIX),
        (out_dir, overview),
    ] {
        let entries = fs::read_dir(dir).map_err(io_error("list", dir))?;
        for entry in entries {
            let entry = entry.map_err(io_error("list", dir))?;
            if !entry.file_name().to_string_lossy().starts_with(prefix) {
                continue;
            }
            let path = entry.path();
            let is_dir = entry
                .file_type()
                .map_err(io_error("inspect", &path))?
                .is_dir();
            let removed = if is_dir {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(io_error("remove leftover", &path))?;
            tracing::warn!(path = %path.display(), "removed a leftover of an interrupted publish");
        }
    }
    Ok(())
}

/// Creates `path` (which must not exist), lets `write` fill it, then flushes and fsyncs it.
/// Returns the file's size and SHA-256, hashed on the way out.
pub(super) fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<Hashing<File>>) -> Result<(), PublishError>,
) -> Result<FileDigest, PublishError> {
    let mut out = create_file(path)?;
    write(&mut out)?;
    finish_file(out, path)
}

/// Creates `path`, which must not exist, behind a hashing buffer.
pub(super) fn create_file(path: &Path) -> Result<BufWriter<Hashing<File>>, PublishError> {
    let file = File::create_new(path).map_err(io_error("create", path))?;
    Ok(BufWriter::with_capacity(1 << 20, Hashing::new(file)))
}

/// Flushes and fsyncs a file made by [`create_file`]; its size and SHA-256.
pub(super) fn finish_file(
    out: BufWriter<Hashing<File>>,
    path: &Path,
) -> Result<FileDigest, PublishError> {
    let (file, digest) = out
        .into_inner()
        .map_err(|e| io_error("write", path)(e.into_error()))?
        .finish();
    file.sync_all().map_err(io_error("fsync", path))?;
    Ok(digest)
}

fn rename(from: &Path, to: &Path) -> Result<(), PublishError> {
    fs::rename(from, to).map_err(|source| PublishError::Rename {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        source,
    })
}

/// Makes a directory's entries (a new file, a rename) durable.
pub(super) fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error("fsync", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Points `out_dir/latest` at `releases/<id>`: a new relative symlink renamed over the old.
fn switch_latest(out_dir: &Path, id: &str) -> Result<(), PublishError> {
    let link = out_dir.join(format!("{LATEST_TMP_PREFIX}{}", std::process::id()));
    let target = Path::new(RELEASES_DIR).join(id);
    symlink_dir(&target, &link).map_err(io_error("create symlink", &link))?;
    crate::failpoint::hit("publish-latest-link-staged");
    let latest = out_dir.join(LATEST);
    if let Err(e) = rename(&link, &latest) {
        let _ = fs::remove_file(&link);
        return Err(e);
    }
    sync_dir(out_dir)
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}
