//! The time a run stamps on what it fetches and publishes.
//!
//! Test builds only (the `testing` feature): `CIVICRAWL_TEST_NOW` (RFC 3339) pins it, so a test
//! can check that the same inputs give the same release, byte for byte, and so that
//! `scripts/release_fingerprint.sh` can compare the releases two revisions publish. A release
//! binary ignores the variable. Waits and deadlines use the real clock either way.

use chrono::{DateTime, Utc};

/// Now, or the pinned time in test builds.
#[cfg(not(feature = "testing"))]
#[inline(always)]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Now, or the pinned time in test builds.
#[cfg(feature = "testing")]
pub fn now() -> DateTime<Utc> {
    use std::sync::OnceLock;
    static PINNED: OnceLock<Option<DateTime<Utc>>> = OnceLock::new();
    PINNED
        .get_or_init(|| {
            let text = std::env::var("CIVICRAWL_TEST_NOW").ok()?;
            DateTime::parse_from_rfc3339(&text).ok().map(|t| t.to_utc())
        })
        .unwrap_or_else(Utc::now)
}
