//! The writers' thread pool: independent jobs (one per release file or file pair) run on up
//! to one thread per core, longest first; the result does not depend on which thread ran what.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use super::PublishError;
use super::checksums::FileDigest;

/// One independent piece of a release: writes its files and returns their names and digests.
pub(super) type Job<'a> =
    Box<dyn FnOnce() -> Result<Vec<(String, FileDigest)>, PublishError> + Send + 'a>;

/// Runs `jobs` on up to one thread per core, taking them in order. Returns every file's digest,
/// or the error of the first failed job (in job order); after a failure no new job starts.
pub(super) fn run_jobs(jobs: Vec<Job<'_>>) -> Result<BTreeMap<String, FileDigest>, PublishError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, jobs.len().max(1));
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let failed = AtomicBool::new(false);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some((i, job)) = next else { break };
                    let result = job();
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    let mut digests = BTreeMap::new();
    for (_, result) in results {
        digests.extend(result?);
    }
    Ok(digests)
}
