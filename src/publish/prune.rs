//! Retention: after a successful publish, the oldest release directories beyond
//! `keep_releases` are removed (SPEC section 3 `[output]`). The release `latest` points at is
//! never removed, nor is anything that is not a release directory (`.tmp-*`, files). After a
//! removal `output/index.html` is rewritten.

use std::fs;
use std::path::{Path, PathBuf};

use super::atomic::TMP_PREFIX;
use super::{LATEST, PublishError, RELEASES_DIR, io_error};

/// Removes the oldest releases of `out_dir/releases` so that at most `keep` remain (at least
/// the one `latest` points at). Release ids sort by time (`2026-11-26T030000Z`, then `-2`…),
/// so the oldest are the first by name. Returns the removed directories, oldest first.
pub fn prune(out_dir: &Path, keep: usize) -> Result<Vec<PathBuf>, PublishError> {
    let releases = out_dir.join(RELEASES_DIR);
    let latest = fs::read_link(out_dir.join(LATEST))
        .ok()
        .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()));
    let ids = release_ids(&releases)?;
    let keep = keep.max(1);
    let excess = ids.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for id in ids.into_iter().take(excess) {
        if latest.as_deref() == Some(id.as_str()) {
            continue;
        }
        let dir = releases.join(&id);
        fs::remove_dir_all(&dir).map_err(io_error("remove old release", &dir))?;
        tracing::info!(release_id = %id, "pruned an old release (keep_releases)");
        removed.push(dir);
    }
    if !removed.is_empty() {
        super::atomic::sync_dir(&releases)?;
        super::page::overview::write_overview(out_dir)?;
    }
    Ok(removed)
}

/// The release directories in `releases` (not `.tmp-*` nor other dot names), oldest first;
/// none when `releases` does not exist.
pub(super) fn release_ids(releases: &Path) -> Result<Vec<String>, PublishError> {
    let mut ids = Vec::new();
    let entries = match fs::read_dir(releases) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("list", releases)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_error("list", releases))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry
            .file_type()
            .map_err(io_error("inspect", &entry.path()))?
            .is_dir();
        if is_dir && !name.starts_with('.') && !name.starts_with(TMP_PREFIX) {
            ids.push(name);
        }
    }
    ids.sort_by(|a, b| order(a).cmp(&order(b)));
    Ok(ids)
}

/// A release id for `base` (e.g. `2026-11-26T030000Z`) that sorts after every release in
/// `out_dir`: `base` itself, or, when a release of that second (or, the clock having been set
/// back, a later one) exists, the newest one's time with the next suffix (`…Z-2`, `…Z-3`…).
/// Pruning may have removed `base` already; its suffix never goes back.
pub fn next_release_id(out_dir: &Path, base: &str) -> String {
    let names: Vec<String> = fs::read_dir(out_dir.join(RELEASES_DIR))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    match names.iter().max_by(|a, b| order(a).cmp(&order(b))) {
        Some(newest) if order(newest).0 >= base => {
            let (time, n) = order(newest);
            format!("{time}-{}", n + 1)
        }
        _ => base.to_string(),
    }
}

/// Sort key of a release id: `<time>-<n>` after `<time>` and `<time>-9` before `<time>-10`.
fn order(id: &str) -> (&str, u64) {
    match id.rsplit_once('-') {
        Some((base, n)) if base.ends_with('Z') && n.bytes().all(|b| b.is_ascii_digit()) => {
            (base, n.parse().unwrap_or(u64::MAX))
        }
        _ => (id, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_release_id_sorts_after_every_release_even_after_pruning() {
        let out = tempfile::tempdir().unwrap();
        let base = "2026-11-27T055947Z";
        assert_eq!(next_release_id(out.path(), base), base);
        let releases = out.path().join(RELEASES_DIR);
        fs::create_dir_all(releases.join(base)).unwrap();
        assert_eq!(next_release_id(out.path(), base), format!("{base}-2"));
        // `…Z` pruned, `…Z-2` and `…Z-3` left: the next is `…Z-4`, never `…Z` again.
        fs::remove_dir(releases.join(base)).unwrap();
        fs::create_dir(releases.join(format!("{base}-2"))).unwrap();
        fs::create_dir(releases.join(format!("{base}-3"))).unwrap();
        assert_eq!(next_release_id(out.path(), base), format!("{base}-4"));
        // A later second starts afresh; a clock set back continues the newest.
        assert_eq!(
            next_release_id(out.path(), "2026-11-27T060000Z"),
            "2026-11-27T060000Z"
        );
        assert_eq!(
            next_release_id(out.path(), "2026-11-27T050000Z"),
            format!("{base}-4")
        );
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    fn setup(ids: &[&str], latest: &str) -> tempfile::TempDir {
        let out = tempfile::tempdir().unwrap();
        for id in ids {
            fs::create_dir_all(out.path().join(RELEASES_DIR).join(id)).unwrap();
        }
        std::os::unix::fs::symlink(
            Path::new(RELEASES_DIR).join(latest),
            out.path().join(LATEST),
        )
        .unwrap();
        out
    }

    #[test]
    fn keeps_the_newest_and_removes_the_oldest() {
        let out = setup(
            &[
                "2026-11-24T030000Z",
                "2026-11-25T030000Z",
                "2026-11-26T030000Z",
                "2026-11-26T030000Z-2",
            ],
            "2026-11-26T030000Z-2",
        );
        fs::create_dir(out.path().join("releases/.tmp-x-1")).unwrap();
        let removed = prune(out.path(), 2).unwrap();
        assert_eq!(removed.len(), 2);
        assert_eq!(
            names(&out.path().join(RELEASES_DIR)),
            [".tmp-x-1", "2026-11-26T030000Z", "2026-11-26T030000Z-2"]
        );
        assert!(prune(out.path(), 2).unwrap().is_empty(), "idempotent");
    }

    #[test]
    fn never_removes_latest_even_when_it_is_the_oldest() {
        let out = setup(&["r1", "r2", "r3"], "r1");
        prune(out.path(), 1).unwrap();
        assert_eq!(names(&out.path().join(RELEASES_DIR)), ["r1", "r3"]);
        let out = setup(&["r1", "r2"], "r2");
        prune(out.path(), 0).unwrap();
        assert_eq!(
            names(&out.path().join(RELEASES_DIR)),
            ["r2"],
            "0 keeps latest"
        );
    }

    #[test]
    fn a_tenth_release_of_one_second_is_newer_than_the_ninth() {
        let out = setup(
            &["2026-11-26T030000Z-9", "2026-11-26T030000Z-10"],
            "2026-11-26T030000Z-10",
        );
        prune(out.path(), 1).unwrap();
        assert_eq!(
            names(&out.path().join(RELEASES_DIR)),
            ["2026-11-26T030000Z-10"]
        );
    }

    #[test]
    fn no_releases_directory_is_nothing_to_do() {
        let out = tempfile::tempdir().unwrap();
        assert!(prune(out.path(), 3).unwrap().is_empty());
    }
}
