//! publish: writes one immutable release directory and switches `latest` (SPEC section 6).

use std::path::{Path, PathBuf};

use crate::model::Release;

/// Why a release could not be written. Names the path.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// Writes `release` under `out_dir/releases/<id>` (temporary directory, fsync, rename) and
/// points `out_dir/latest` at it. Returns the release directory.
pub fn publish(release: &Release, out_dir: &Path) -> Result<PathBuf, PublishError> {
    let _ = (release, out_dir);
    unimplemented!("publish")
}
