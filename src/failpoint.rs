//! Named pause points for crash-safety tests. When `CIVICRAWL_FAILPOINT` names a point, the
//! process prints `failpoint <name> reached` on stderr and stops there until it is killed, so a
//! test can SIGKILL it at exactly that moment. Unset (always, outside tests), a point costs one
//! load of a cached value.

use std::sync::OnceLock;
use std::time::Duration;

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

/// Stops here forever when this point is armed.
pub fn hit(name: &str) {
    if armed() == Some(name) {
        eprintln!("failpoint {name} reached");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}
