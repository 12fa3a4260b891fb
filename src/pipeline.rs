//! pipeline: wires the stages for `run` and `build` (SPEC section 2). The only module that
//! sees them all.
//!
//! `run`: lock → declarations → one task per source (crawl + extract, conditional requests
//! and the raw archive through the state store) → each source's records saved (or its old
//! ones kept stale) → `build`. `build`: the state store's records → normalise → resolve →
//! publish, with no network, so a rebuild from the same state gives the same data files.
//!
//! A forge source stopped by an API rate limit (`Harvest::rate_limited`) is `rate-limited`:
//! the records it found are saved together with its earlier records not found this time
//! (so a partial harvest never shrinks the catalogue), and the report names the reason; the
//! next run starts again, its already-fetched pages answered 304 through the state store.
//!
//! Tokens: the environment variable a source names in `token_env` is read here, when the
//! source runs (`env_secret`), and handed to the kind as a `Secret`; nothing else reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use crate::crawl::archive::Archive;
use crate::crawl::conditional::{Cache, ValidatorStore};
use crate::crawl::{FetchStats, Fetcher};
use crate::declare::{self, DeclError, Declaration, Role};
use crate::kinds::{self, Harvest, SourceCx};
use crate::model::{Ended, RawRecord, Release, SourceRow, SourceStatus, Validators};
use crate::normalise;
use crate::publish::{self, PublishError};
use crate::report::Issue;
use crate::resolve::{self, Input};
use crate::settings::Settings;
use crate::state::lock::{LockError, RunLock};
use crate::state::{SourceRun, StateError, Store};

mod site;

/// What `civicrawl run` was asked to do.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub sources_dir: PathBuf,
    pub only: Vec<String>,
    pub out_dir: PathBuf,
    pub settings: Settings,
    /// Accept a source whose record count fell by more than half.
    pub accept_drop: bool,
    /// Wait for another run's lock instead of exiting 4.
    pub wait: bool,
}

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
    pub robots_disallowed: u64,
    pub robots_skipped: Vec<String>,
    pub issues: Vec<Issue>,
    pub duration_ms: u128,
    /// Pauses and waits for API rate limits.
    pub rate_limit_waits: u64,
}

impl SourceOutcome {
    /// True when the source failed this run (its earlier records are kept stale).
    pub fn failed(&self) -> bool {
        self.status.kept_stale()
    }
}

/// A run or build that published a release.
#[derive(Debug)]
pub struct RunOutcome {
    pub release_dir: PathBuf,
    pub tools: usize,
    pub sources: Vec<SourceOutcome>,
    /// Sources whose records in the release are stale.
    pub stale_sources: Vec<String>,
}

impl RunOutcome {
    /// The sources that failed.
    pub fn failed(&self) -> Vec<&SourceOutcome> {
        self.sources.iter().filter(|s| s.failed()).collect()
    }

    /// The sources an API rate limit stopped (what they found is saved).
    pub fn rate_limited(&self) -> Vec<&SourceOutcome> {
        self.sources
            .iter()
            .filter(|s| s.status == Ended::RateLimited)
            .collect()
    }
}

/// Why a run published nothing.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{} of the source declarations are invalid; nothing was fetched", .0.len())]
    Declarations(Vec<DeclError>),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Locked(LockError),
    #[error(
        "no source that had work to do succeeded; nothing was published and the previous release stays"
    )]
    NothingSucceeded(Vec<SourceOutcome>),
    /// The release would have fewer than half the tools of the previous one.
    #[error(
        "the release would have {now} tools, fewer than half of the previous release's {before}: nothing was published and the previous release stays; if the drop is real, run again with --accept-drop"
    )]
    ToolsDropped { before: usize, now: usize },
    /// A first release would have no tool.
    #[error(
        "the first release would have no tool: nothing was published (every source failed, or returned nothing a tool could be made of)"
    )]
    EmptyFirstRelease,
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{0}")]
    Other(String),
}

/// Loads and validates the declarations of `dir`.
pub fn check_sources(dir: &Path) -> Result<Vec<Declaration>, Vec<DeclError>> {
    declare::load_dir(dir)
}

fn state_path(out_dir: &Path) -> PathBuf {
    out_dir.join("state.sqlite")
}

fn take_lock(out_dir: &Path, wait: bool) -> Result<RunLock, RunError> {
    RunLock::acquire(out_dir, wait).map_err(|e| match e {
        LockError::Held { .. } => RunError::Locked(e),
        LockError::Io { .. } => RunError::Other(e.to_string()),
    })
}

/// `civicrawl run`: crawl every selected source, save what it found, publish a release.
pub async fn run(opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let all = declare::load_dir(&opts.sources_dir).map_err(RunError::Declarations)?;
    let enabled: Vec<SourceRow> = all.iter().filter(|d| d.enabled).map(declared_row).collect();
    let mut decls = declare::select(all, &opts.only).map_err(RunError::Usage)?;
    if decls.is_empty() {
        return Err(RunError::Usage(format!(
            "no enabled source in `{}`",
            opts.sources_dir.display()
        )));
    }
    let _lock = take_lock(&opts.out_dir, opts.wait)?;
    let started = crate::clock::now();
    let run_id = format!("{}-{}", release_id(started), std::process::id());
    let mut store = Store::open(&state_path(&opts.out_dir))?;
    let interrupted = store.interrupted_runs()?;
    if !interrupted.is_empty() {
        tracing::warn!(runs = ?interrupted, "earlier runs were interrupted; their archived pages answer from validators");
        store.close_interrupted_runs()?;
    }
    store.begin_run(&run_id, started)?;
    store.set_sources(&enabled)?;
    let site_plan = site::plan(&store, &mut decls)?;

    let validators = StateValidators(Mutex::new(Store::open(&state_path(&opts.out_dir))?));
    let archive = Archive::new(opts.out_dir.join("archive"));
    let leftovers = archive.remove_leftovers();
    if leftovers > 0 {
        tracing::info!(
            files = leftovers,
            "removed temporary archive files of an interrupted run"
        );
    }
    let fetcher = Fetcher::new(&opts.settings.crawl)
        .map_err(|e| RunError::Other(e.to_string()))?
        .with_cache(Cache {
            archive,
            store: Box::new(validators),
        });
    for d in &decls {
        for url in kinds::start_urls(&d.source) {
            fetcher.register_host(&url, d.rate);
        }
    }
    site::register_hosts(&fetcher, &decls);
    let harvests = crawl_all(decls, Arc::new(fetcher), opts.settings.crawl.max_run_s).await;
    crate::failpoint::hit("run-after-crawl");
    let mut outcomes = Vec::new();
    for mut h in harvests {
        if let Some(plan) = site_plan
            .as_ref()
            .filter(|p| p.sources.contains(&h.outcome.id))
            && !h.outcome.failed()
        {
            store.save_homepage_checks(&h.checks)?;
            site::carry_over(&store, &h.outcome.id, &mut h.records, plan)?;
        }
        outcomes.push(save_harvest(&mut store, &run_id, h, opts.accept_drop)?);
    }
    // Publish when at least one source that had work to do answered (a source held back for
    // shrinking did); when none could be reached at all, or the only ones that "succeeded"
    // had nothing to do (a `site` source with no home page due), a new release would only
    // repeat the last one, or be empty.
    if !outcomes.iter().any(had_work_and_answered) {
        store.finish_run(&run_id, "failed", None)?;
        return Err(RunError::NothingSucceeded(outcomes));
    }
    crate::failpoint::hit("run-before-publish");
    let built = build_release(
        &mut store,
        &opts.out_dir,
        Some((&outcomes, started)),
        opts.accept_drop,
    )?;
    store.finish_run(&run_id, "published", Some(&built.0))?;
    prune(&opts.out_dir, opts.settings.output.keep_releases);
    Ok(RunOutcome {
        release_dir: built.1,
        tools: built.2,
        sources: outcomes,
        stale_sources: built.3,
    })
}

/// True when a source answered this run and had work to do: it sent requests or brought
/// records (a `site` source with no home page due sends none).
fn had_work_and_answered(o: &SourceOutcome) -> bool {
    o.status != Ended::Failed && (o.requests > 0 || o.records > 0)
}

/// Refuses a release that loses more than half of the previous release's tools (unless
/// `accept_drop`), and a first release with no tool at all.
fn check_tool_count(out_dir: &Path, now: usize, accept_drop: bool) -> Result<(), RunError> {
    match previous_tools(out_dir) {
        None if now == 0 => Err(RunError::EmptyFirstRelease),
        Some(before) if !accept_drop && now * 2 < before => {
            Err(RunError::ToolsDropped { before, now })
        }
        _ => Ok(()),
    }
}

/// The tools of the release `latest` points at, from its `report.json`.
fn previous_tools(out_dir: &Path) -> Option<usize> {
    let report = std::fs::read(out_dir.join("latest").join("report.json")).ok()?;
    let report: serde_json::Value = serde_json::from_slice(&report).ok()?;
    report["tools"].as_u64().map(|n| n as usize)
}

/// Removes releases beyond `keep` after a successful publish; a failure only warns.
fn prune(out_dir: &Path, keep: usize) {
    if let Err(e) = publish::prune(out_dir, keep) {
        tracing::warn!("the release is published, but old releases were not pruned: {e}");
    }
}

/// `civicrawl build`: a release from the state store alone, no network; then releases beyond
/// `keep_releases` are pruned as after a run.
pub fn build(
    out_dir: &Path,
    wait: bool,
    keep_releases: usize,
    accept_drop: bool,
) -> Result<RunOutcome, RunError> {
    let _lock = take_lock(out_dir, wait)?;
    let path = state_path(out_dir);
    if !path.exists() {
        return Err(RunError::Usage(format!(
            "`{}` does not exist: run `civicrawl run` first",
            path.display()
        )));
    }
    let mut store = Store::open(&path)?;
    let (_, release_dir, tools, stale_sources) =
        build_release(&mut store, out_dir, None, accept_drop)?;
    prune(out_dir, keep_releases);
    Ok(RunOutcome {
        release_dir,
        tools,
        sources: Vec::new(),
        stale_sources,
    })
}

/// Validators in the state store, through their own connection.
struct StateValidators(Mutex<Store>);

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
}

/// What a declaration says of its source (status filled from the state store later).
fn declared_row(d: &Declaration) -> SourceRow {
    SourceRow {
        id: d.id.clone(),
        name: d.name.clone(),
        kind: d.kind.clone(),
        role: d.role,
        priority: d.priority,
        license: d.license.clone(),
        id_space: d.id_space.clone(),
        urls: kinds::start_urls(&d.source)
            .iter()
            .map(|u| u.to_string())
            .collect(),
        ..SourceRow::default()
    }
}

/// One source's records and outcome.
struct SourceHarvest {
    records: Vec<RawRecord>,
    /// `site` sources: this run's home page checks.
    checks: Vec<crate::model::HomepageCheck>,
    fetched_at: DateTime<Utc>,
    outcome: SourceOutcome,
}

/// Runs every source in its own task. A source still running `max_run_s` after the start is
/// cut (its outcome says so); a task that panics still gives its source an outcome.
async fn crawl_all(
    decls: Vec<Declaration>,
    fetcher: Arc<Fetcher>,
    max_run_s: u64,
) -> Vec<SourceHarvest> {
    // A deadline too far for the clock is none.
    let deadline = Instant::now().checked_add(std::time::Duration::from_secs(max_run_s));
    let mut set = tokio::task::JoinSet::new();
    let mut ids = HashMap::new();
    for decl in decls {
        let fetcher = Arc::clone(&fetcher);
        let id = decl.id.clone();
        let handle = set.spawn(async move {
            let stats = FetchStats::default();
            let started = Instant::now();
            let fetched_at = crate::clock::now();
            let cx = SourceCx {
                source_id: &decl.id,
                fetcher: &fetcher,
                stats: &stats,
                secret: env_secret,
            };
            let work = kinds::run(&decl.source, &cx);
            let result = match deadline {
                Some(d) => tokio::time::timeout_at(d.into(), work)
                    .await
                    .unwrap_or(Err(kinds::SourceError::Deadline { max_run_s })),
                None => work.await,
            };
            finish_source(&decl.id, result, &stats, started, fetched_at)
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
    out.sort_by(|a, b| a.outcome.id.cmp(&b.outcome.id));
    out
}

/// The credential in the environment variable `name`, if set and not empty.
fn env_secret(name: &str) -> Option<crate::model::Secret> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| crate::model::Secret::new(v.trim()))
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
            tracing::info!(source_id = %id, records = outcome.records, requests = outcome.requests, not_modified = outcome.not_modified, "source done");
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
fn save_harvest(
    store: &mut Store,
    run_id: &str,
    mut h: SourceHarvest,
    accept_drop: bool,
) -> Result<SourceOutcome, StateError> {
    let o = &mut h.outcome;
    if o.status == Ended::RateLimited {
        let found: std::collections::HashSet<String> =
            h.records.iter().map(|r| r.record_id.clone()).collect();
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

/// Builds and publishes a release from the state store. Returns (release id, release dir,
/// tools, stale sources).
fn build_release(
    store: &mut Store,
    out_dir: &Path,
    this_run: Option<(&[SourceOutcome], DateTime<Utc>)>,
    accept_drop: bool,
) -> Result<(String, PathBuf, usize, Vec<String>), RunError> {
    let sources = store.sources()?;
    let by_id: HashMap<&str, &SourceRow> = sources.iter().map(|s| (s.id.as_str(), s)).collect();
    let spaces = id_spaces(&sources);
    let mut inputs = Vec::new();
    let mut issues: HashMap<String, Vec<Issue>> = HashMap::new();
    for stored in store.all_records()? {
        let Some(src) = by_id.get(stored.source_id.as_str()) else {
            continue;
        };
        let (mut record, mut found) =
            normalise::normalise(&stored.source_id, &stored.raw, Some(stored.fetched_at));
        site::attach_check(&mut record, &stored.raw);
        issues
            .entry(stored.source_id.clone())
            .or_default()
            .append(&mut found);
        inputs.push(Input {
            record,
            priority: src.priority,
            create: src.role == Role::Create,
            stale: stored.stale,
            first_seen_at: Some(stored.first_seen_at),
            last_seen_at: Some(stored.last_seen_at),
            id_space: spaces.get(stored.source_id.as_str()).cloned(),
        });
    }
    let known: resolve::Known = store.id_registry()?;
    let resolved = resolve::resolve(inputs, &known);
    check_tool_count(out_dir, resolved.tools.len(), accept_drop)?;
    let created_at = crate::clock::now();
    let id = unique_release_id(out_dir, created_at);
    let snapshot_id = match this_run {
        Some(_) => id.clone(),
        None => store.last_release_id()?.unwrap_or_else(|| id.clone()),
    };
    let stale_sources: Vec<String> = sources
        .iter()
        .filter(|s| s.status == SourceStatus::Stale)
        .map(|s| s.id.clone())
        .collect();
    let report = report_json(&id, &sources, this_run, created_at, &resolved, &mut issues);
    let release = Release {
        id: id.clone(),
        created_at,
        snapshot_id,
        tools: resolved.tools,
        source_records: resolved.rows,
        sources,
        report,
        aliases: resolved.aliases,
    };
    let dir = publish::publish(&release, out_dir)?;
    crate::failpoint::hit("run-after-publish");
    store.save_tool_ids(&resolved.new_ids, &resolved.moved_ids, created_at)?;
    Ok((id, dir, release.tools.len(), stale_sources))
}

/// Source id → its `id_space`, one shared string per space (handed to every record).
pub(crate) fn id_spaces(sources: &[SourceRow]) -> HashMap<&str, Arc<str>> {
    let mut out = HashMap::new();
    let mut shared: HashMap<&str, Arc<str>> = HashMap::new();
    for s in sources {
        if let Some(space) = &s.id_space {
            let arc = shared
                .entry(space.as_str())
                .or_insert_with(|| Arc::from(space.as_str()));
            out.insert(s.id.as_str(), arc.clone());
        }
    }
    out
}

/// The release id of a release published at `at`: `2026-11-26T030000Z`.
pub fn release_id(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H%M%SZ").to_string()
}

/// The release id for `at`: its second, or a suffix that sorts after every release there.
fn unique_release_id(out_dir: &Path, at: DateTime<Utc>) -> String {
    publish::next_release_id(out_dir, &release_id(at))
}

fn report_json(
    release_id: &str,
    sources: &[SourceRow],
    this_run: Option<(&[SourceOutcome], DateTime<Utc>)>,
    finished: DateTime<Utc>,
    resolved: &resolve::Resolved,
    issues: &mut HashMap<String, Vec<Issue>>,
) -> serde_json::Value {
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let outcomes: HashMap<&str, &SourceOutcome> = this_run
        .map(|(o, _)| o.iter().map(|s| (s.id.as_str(), s)).collect())
        .unwrap_or_default();
    let rows: Vec<serde_json::Value> = sources
        .iter()
        .map(|s| {
            let mut v = json!({
                "id": s.id,
                "kind": s.kind,
                "status": s.status.as_str(),
                "stale": s.status == SourceStatus::Stale,
                "records": s.records,
                "error": s.error,
            });
            let mut record_issues = issues.remove(&s.id).unwrap_or_default();
            if let Some(o) = outcomes.get(s.id.as_str()) {
                record_issues.splice(0..0, o.issues.iter().cloned());
                let extra = json!({
                    "ran": true,
                    "records_fetched": o.records,
                    "requests": o.requests,
                    "not_modified": o.not_modified,
                    "retries": o.retries,
                    "rate_limit_waits": o.rate_limit_waits,
                    "robots_disallowed": o.robots_disallowed,
                    "robots_skipped_urls": o.robots_skipped,
                    "duration_ms": o.duration_ms as u64,
                });
                merge_into(&mut v, extra);
            } else {
                merge_into(&mut v, json!({ "ran": false }));
            }
            merge_into(&mut v, json!({ "issues": record_issues }));
            v
        })
        .collect();
    let requests: u64 = outcomes.values().map(|o| o.requests).sum();
    let not_modified: u64 = outcomes.values().map(|o| o.not_modified).sum();
    json!({
        "release_id": release_id,
        "mode": if this_run.is_some() { "run" } else { "build" },
        "started_at": this_run.map(|(_, t)| ts(t)),
        "finished_at": ts(finished),
        "generator": concat!("civicrawl ", env!("CARGO_PKG_VERSION")),
        "tools": resolved.tools.len(),
        "source_records": resolved.rows.len(),
        "unmatched_enrich_records": resolved.unmatched_enrich,
        "non_identifying_urls": resolved.non_identifying.iter().map(|n| json!({
            "url": n.url,
            "records": n.records,
            "sources": n.sources.iter().map(|(s, c)| json!({"source": s, "records": c})).collect::<Vec<_>>(),
            "reason": n.reason,
        })).collect::<Vec<_>>(),
        "homepages": site::report(&resolved.rows),
        "requests": requests,
        "not_modified": not_modified,
        "sources_failed": outcomes.values().filter(|o| o.failed()).map(|o| o.id.clone()).collect::<std::collections::BTreeSet<_>>(),
        "sources_rate_limited": outcomes.values().filter(|o| o.status == Ended::RateLimited).map(|o| o.id.clone()).collect::<std::collections::BTreeSet<_>>(),
        "sources_stale": sources.iter().filter(|s| s.status == SourceStatus::Stale).map(|s| s.id.clone()).collect::<Vec<_>>(),
        "sources": rows,
    })
}

fn merge_into(target: &mut serde_json::Value, extra: serde_json::Value) {
    if let (Some(t), serde_json::Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}
