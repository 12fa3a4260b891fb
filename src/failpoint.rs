//! Named pause points for crash-safety tests. When `CIVICRAWL_FAILPOINT` names a point, the
//! process prints `failpoint <name> reached` on stderr and stops there until it is killed, so a
//! test can SIGKILL it at exactly that moment. Only in test builds (the `testing` feature,
//! which `cargo test` enables): a release binary has no fail points, so the variable can never
//! hang a production run.

#[cfg(feature = "testing")]
use std::sync::OnceLock;
#[cfg(feature = "testing")]
use std::time::Duration;

#[cfg(feature = "testing")]
fn armed() -> Option<&'static str> {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            std::env::var("CIVICRAWL_FAILPOINT")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .as_deref()
}

/// Does nothing: fail points exist only in test builds.
#[cfg(not(feature = "testing"))]
#[inline(always)]
pub fn hit(_name: &str) {}

/// Stops here forever when this point is armed.
#[cfg(feature = "testing")]
pub fn hit(name: &str) {
    if armed() == Some(name) {
        eprintln!("failpoint {name} reached");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}
