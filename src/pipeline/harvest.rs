//! The crawl half of a run: every source in its own task, each source's outcome, and what is
//! saved of it in the state store (its records, or its earlier ones kept stale). Also the
//! state store's side of the crawl: the validators of conditional requests, and the rows the
//! declarations give the `sources` table.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::crawl::conditional::ValidatorStore;
use crate::crawl::{FetchStats, Fetcher};
use crate::declare::Declaration;
use crate::kinds::{self, Harvest, SiteTarget, SourceCx};
use crate::model::{Ended, HomepageCheck, RawRecord, Secret, SourceRow, Validators};
use crate::report::Issue;
use crate::state::{SourceRun, StateError, Store};

use super::ahead::Ahead;
use super::progress::Progress;

/// How one source did in this run.
#[derive(Clone, Debug)]
pub struct SourceOutcome {
    pub id: String,
    pub status: Ended,
    pub records: usize,
    pub error: Option<String>,
    pub requests: u64,
    pub retries: u64,
    pub not_modified: u64,
    /// Pages asked of their servers (robots.txt not counted, retries counted once).
    pub pages_asked: u64,
    /// Pages read from the archive without a request (not due for a revisit).
    pub pages_carried: u64,
    pub robots_disallowed: u64,
    pub robots_skipped: Vec<String>,
    pub issues: Vec<Issue>,
    pub duration_ms: u128,
    /// Pauses and waits for API rate limits.
    pub rate_limit_waits: u64,
}

impl SourceOutcome {
    /// Its end, for a progress line: `412 records`, `stopped by a rate limit: 80 records`,
    /// `failed`.
    pub fn summary(&self) -> String {
        match self.status {
            Ended::Ok => format!("{} records", self.records),
            Ended::RateLimited => format!("stopped by a rate limit: {} records", self.records),
            _ => "failed (earlier records kept)".to_string(),
        }
    }

    /// True when the source failed this run (its earlier records are kept stale).
    pub fn failed(&self) -> bool {
        self.status.kept_stale()
    }

    /// True when the source answered this run and had work to do: it sent requests or
    /// brought records (a `site` source with no home page due sends none).
    pub(super) fn had_work_and_answered(&self) -> bool {
        self.status != Ended::Failed && (self.requests > 0 || self.records > 0)
    }
}

/// One source's records and outcome.
pub(super) struct SourceHarvest {
    pub records: Vec<RawRecord>,
    /// `site` sources: this run's home page checks.
    pub checks: Vec<HomepageCheck>,
    fetched_at: DateTime<Utc>,
    pub outcome: SourceOutcome,
}

/// When a run started and when its sources are cut (`[crawl] max_run_s`).
#[derive(Clone, Copy)]
pub(super) struct Deadline {
    pub at: Option<Instant>,
    pub max_run_s: u64,
}

impl Deadline {
    pub(super) fn after(max_run_s: u64) -> Self {
        // A deadline too far for the clock is none.
        Deadline {
            at: Instant::now().checked_add(std::time::Duration::from_secs(max_run_s)),
            max_run_s,
        }
    }
}

/// Runs every source in its own task; `site_targets` are the home pages a `site` source
/// visits. A source still running at the deadline is cut (its outcome says so); a task that
/// panics still gives its source an outcome. Outcomes come back sorted by source id.
pub(super) async fn crawl_all(
    decls: Vec<Declaration>,
    fetcher: Arc<Fetcher>,
    deadline: Deadline,
    site_targets: Arc<[SiteTarget]>,
    progress: &Progress,
    ahead: Option<&Ahead>,
) -> Vec<SourceHarvest> {
    let Deadline {
        at: deadline,
        max_run_s,
    } = deadline;
    let mut set = tokio::task::JoinSet::new();
    let mut ids = HashMap::new();
    for decl in decls {
        let fetcher = Arc::clone(&fetcher);
        let site_targets = Arc::clone(&site_targets);
        let id = decl.id.clone();
        let progress = progress.clone();
        let tap = ahead.and_then(|a| a.tap(&decl.id));
        // A `site` source visits at most `max_sites` of the home pages planned.
        let site_visits = match &decl.source {
            kinds::Source::Site(s) => Some(site_targets.len().min(s.max_sites) as u64),
            _ => None,
        };
        let handle = set.spawn(async move {
            let stats = Arc::new(FetchStats::default());
            progress.source(&decl.id, &stats, site_visits);
            let started = Instant::now();
            let fetched_at = crate::clock::now();
            let cx = SourceCx {
                source_id: &decl.id,
                fetcher: &fetcher,
                stats: &stats,
                secret: env_secret,
                site_targets: &site_targets,
            };
            let work = async {
                match tap {
                    Some(tap) => kinds::with_tap(tap, kinds::run(&decl.source, &cx)).await,
                    None => kinds::run(&decl.source, &cx).await,
                }
            };
            let result = match deadline {
                Some(d) => tokio::time::timeout_at(d.into(), work)
                    .await
                    .unwrap_or(Err(kinds::SourceError::Deadline { max_run_s })),
                None => work.await,
            };
            // The bodies this source fetched made durable, their validators committed,
            // before its records are saved.
            let flushing = Arc::clone(&fetcher);
            let _ = tokio::task::spawn_blocking(move || flushing.flush_cache()).await;
            let harvest = finish_source(&decl.id, result, &stats, started, fetched_at);
            progress.source_done(&stats, &harvest.outcome.summary());
            harvest
        });
        ids.insert(handle.id(), id);
    }
    let mut out = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(h) => out.push(h),
            Err(e) => {
                let id = ids.get(&e.id()).cloned().unwrap_or_default();
                tracing::error!(source_id = %id, "a source task panicked: {e}");
                let stats = FetchStats::default();
                let message = if e.is_panic() {
                    "a panic (a bug: please report it)".to_string()
                } else {
                    e.to_string()
                };
                let result = Err(kinds::SourceError::Panicked(message));
                out.push(finish_source(
                    &id,
                    result,
                    &stats,
                    Instant::now(),
                    crate::clock::now(),
                ));
            }
        }
    }
    // What a source cut short or a panicked task left waiting.
    let _ = tokio::task::spawn_blocking(move || fetcher.flush_cache()).await;
    out.sort_by(|a, b| a.outcome.id.cmp(&b.outcome.id));
    out
}

/// The credential in the environment variable `name`, if set and not empty.
fn env_secret(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| Secret::new(v.trim()))
}

fn finish_source(
    id: &str,
    result: Result<Harvest, kinds::SourceError>,
    stats: &FetchStats,
    started: Instant,
    fetched_at: DateTime<Utc>,
) -> SourceHarvest {
    let mut outcome = SourceOutcome {
        id: id.to_string(),
        status: Ended::Ok,
        records: 0,
        error: None,
        requests: FetchStats::get(&stats.requests),
        retries: FetchStats::get(&stats.retries),
        not_modified: FetchStats::get(&stats.not_modified),
        pages_asked: FetchStats::get(&stats.pages_asked),
        pages_carried: FetchStats::get(&stats.pages_carried),
        robots_disallowed: FetchStats::get(&stats.robots_disallowed),
        robots_skipped: Vec::new(),
        issues: Vec::new(),
        duration_ms: started.elapsed().as_millis(),
        rate_limit_waits: FetchStats::get(&stats.rate_limit_waits),
    };
    let mut checks = Vec::new();
    let records = match result {
        Ok(h) => {
            checks = h.checks;
            if let Some(reason) = h.rate_limited {
                tracing::error!(source_id = %id, records = h.records.len(), "source stopped by a rate limit: {reason}");
                outcome.status = Ended::RateLimited;
                outcome.error = Some(crate::report::published_text(&format!(
                    "stopped by the API rate limit after {} records (kept): {reason}",
                    h.records.len()
                )));
            }
            outcome.records = h.records.len();
            outcome.issues = h.issues;
            outcome.robots_skipped = h.robots_skipped;
            tracing::info!(source_id = %id, records = outcome.records, requests = outcome.requests, not_modified = outcome.not_modified, pages_asked = outcome.pages_asked, pages_carried = outcome.pages_carried, "source done");
            h.records
        }
        Err(e) => {
            tracing::error!(source_id = %id, "source failed: {e}");
            outcome.status = Ended::Failed;
            outcome.error = Some(crate::report::published_text(&e.to_string()));
            Vec::new()
        }
    };
    SourceHarvest {
        records,
        checks,
        fetched_at,
        outcome,
    }
}

/// Saves a source's records, or keeps its earlier ones stale when it failed or its record
/// count fell by more than half (unless `accept_drop`).
pub(super) fn save_harvest(
    store: &mut Store,
    run_id: &str,
    mut h: SourceHarvest,
    accept_drop: bool,
) -> Result<SourceOutcome, StateError> {
    let o = &mut h.outcome;
    if o.status == Ended::RateLimited {
        let found: HashSet<String> = h.records.iter().map(|r| r.record_id.clone()).collect();
        for old in store.source_records(&o.id)? {
            if !found.contains(&old.raw.record_id) {
                h.records.push(old.raw);
            }
        }
    } else if !o.failed() {
        let before = store.record_count(&o.id)?;
        let now = h.records.len() as i64;
        if !accept_drop && before > 0 && now * 2 < before {
            o.status = Ended::Held;
            o.error = Some(format!(
                "record count fell from {before} to {now} (more than half): the earlier records are kept, flagged stale; if the drop is real, run again with --accept-drop"
            ));
            tracing::error!(source_id = %o.id, "{}", o.error.as_deref().unwrap_or_default());
        }
    }
    let run = SourceRun {
        run_id: run_id.to_string(),
        source_id: o.id.clone(),
        status: o.status.status(),
        records: o.records as i64,
        requests: o.requests as i64,
        not_modified: o.not_modified as i64,
        error: o.error.clone(),
        duration_ms: o.duration_ms as i64,
    };
    if o.failed() {
        store.keep_stale(&run)?;
    } else {
        store.save_source(&run, &h.records, h.fetched_at)?;
    }
    Ok(h.outcome)
}

/// Validators in the state store, through their own connection.
pub(super) struct StateValidators(pub Mutex<Store>);

impl ValidatorStore for StateValidators {
    fn get(&self, url: &str, cred: &str) -> Option<Validators> {
        let store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        store.validators(url, cred).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            None
        })
    }

    fn put(&self, url: &str, cred: &str, v: &Validators) {
        let store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = store.put_validators(url, cred, v) {
            tracing::warn!("{e}");
        }
    }

    fn put_revisit(&self, url: &str, cred: &str, unchanged: u32, asked_at: Option<DateTime<Utc>>) {
        let store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = store.put_revisit(url, cred, unchanged, asked_at) {
            tracing::warn!("{e}");
        }
    }

    fn put_many(&self, batch: &[(String, String, Validators)]) {
        let mut store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = store.put_validators_many(batch) {
            tracing::warn!("{e}");
        }
    }
}

/// What a declaration says of its source (status filled from the state store later).
pub(super) fn declared_row(d: &Declaration) -> SourceRow {
    SourceRow {
        id: d.id.clone(),
        name: d.name.clone(),
        kind: d.kind.clone(),
        role: d.role,
        priority: d.priority,
        license: d.license.clone(),
        id_space: d.id_space.clone(),
        country: d.country.clone(),
        urls: kinds::start_urls(&d.source)
            .iter()
            .map(|u| u.to_string())
            .collect(),
        ..SourceRow::default()
    }
}
