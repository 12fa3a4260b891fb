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

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::crawl::Fetcher;
use crate::crawl::archive::Archive;
use crate::crawl::conditional::Cache;
use crate::declare::{self, DeclError, Declaration};
use crate::kinds::{self, Source};
use crate::model::SourceRow;
use crate::publish::PublishError;
use crate::settings::Settings;
use crate::state::lock::{LockError, RunLock};
use crate::state::{StateError, Store};

use self::ahead::{Ahead, Memo};
pub use self::harvest::SourceOutcome;
use self::harvest::{Deadline, StateValidators, crawl_all, declared_row, save_harvest};
use self::progress::Progress;
pub use self::release::release_id;
use self::release::{Resolution, ThisRun};

mod ahead;
mod harvest;
pub mod progress;
mod release;
mod report;
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
    /// Ask every page, none carried from the archive by the revisit policy (`--full`).
    pub full: bool,
    /// Bars on the terminal, or none.
    pub progress: Progress,
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
            .filter(|s| s.status == crate::model::Ended::RateLimited)
            .collect()
    }
}

/// Why a run published nothing.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{} of the source declarations in `{}` are invalid; nothing was fetched", .errors.len(), .dir.display())]
    Declarations {
        dir: PathBuf,
        errors: Vec<DeclError>,
    },
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
/// The `site` sources run last, on the home pages of this run's tools.
pub async fn run(opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let all = declare::load_dir(&opts.sources_dir).map_err(|errors| RunError::Declarations {
        dir: opts.sources_dir.clone(),
        errors,
    })?;
    let enabled: Vec<SourceRow> = all.iter().filter(|d| d.enabled).map(declared_row).collect();
    let decls = declare::select(all, &opts.only).map_err(RunError::Usage)?;
    if decls.is_empty() {
        return Err(RunError::Usage(format!(
            "no enabled source in `{}`",
            opts.sources_dir.display()
        )));
    }
    let _lock = take_lock(&opts.out_dir, opts.wait)?;
    let started = crate::clock::now();
    let deadline = Deadline::after(opts.settings.crawl.max_run_s);
    let run_id = format!("{}-{}", release_id(started), std::process::id());
    let mut store = Store::open(&state_path(&opts.out_dir))?;
    let interrupted = store.interrupted_runs()?;
    if !interrupted.is_empty() {
        tracing::warn!(runs = ?interrupted, "earlier runs were interrupted; their archived pages answer from validators");
        store.close_interrupted_runs()?;
    }
    store.begin_run(&run_id, started)?;
    store.set_sources(&enabled)?;
    let fetcher = Arc::new(fetcher(opts)?);
    let (sites, others): (Vec<Declaration>, Vec<Declaration>) = decls
        .into_iter()
        .partition(|d| matches!(d.source, Source::Site(_)));

    for d in &others {
        for url in kinds::start_urls(&d.source) {
            fetcher.register_host(&url, d.rate);
        }
    }
    // The records normalised while the crawl goes on, for the release.
    let ahead = Ahead::start();
    let harvests = crawl_all(
        others,
        Arc::clone(&fetcher),
        deadline,
        Arc::from([]),
        &opts.progress,
        Some(&ahead),
    )
    .await;
    crate::failpoint::hit("run-after-crawl");
    let mut outcomes = Vec::new();
    // Its connection to the state store closed now, unless the `site` sources need it.
    let fetcher = (!sites.is_empty()).then_some(fetcher);
    for h in harvests {
        outcomes.push(save_harvest(&mut store, &run_id, h, opts.accept_drop)?);
    }
    if !sites.is_empty() {
        // Planned from the records this run saved: a first run enriches its tools too.
        let plan = site::plan(&store, &Resolution::for_site_plan(&store)?)?;
        let fetcher = fetcher.expect("kept for the site sources");
        site::register_hosts(&fetcher, &sites, &plan.targets);
        let targets: Arc<[kinds::SiteTarget]> = Arc::from(plan.targets.as_slice());
        for mut h in crawl_all(sites, fetcher, deadline, targets, &opts.progress, None).await {
            if !h.outcome.failed() {
                store.save_homepage_checks(&h.checks)?;
                site::carry_over(&store, &h.outcome.id, &mut h.records, &plan)?;
            }
            outcomes.push(save_harvest(&mut store, &run_id, h, opts.accept_drop)?);
        }
        outcomes.sort_by(|a, b| a.id.cmp(&b.id));
    }
    // Publish when at least one source that had work to do answered (a source held back for
    // shrinking did); when none could be reached at all, or the only ones that "succeeded"
    // had nothing to do (a `site` source with no home page due), a new release would only
    // repeat the last one, or be empty.
    if !outcomes.iter().any(SourceOutcome::had_work_and_answered) {
        store.finish_run(&run_id, "failed", None)?;
        return Err(RunError::NothingSucceeded(outcomes));
    }
    crate::failpoint::hit("run-before-publish");
    // Resolved after the site visits: the release needs their records.
    let resolving = opts.progress.stage("resolving");
    let memo = ahead.finish();
    tracing::debug!(records = memo.len(), "records normalised during the crawl");
    let resolution = Resolution::of(&store, &memo)?;
    drop(memo);
    drop(resolving);
    let _publishing = opts.progress.stage("publishing");
    let this_run = ThisRun {
        outcomes: &outcomes,
        started,
    };
    let built = release::publish(
        &mut store,
        &opts.out_dir,
        resolution,
        Some(this_run),
        opts.accept_drop,
    )?;
    let t = std::time::Instant::now();
    store.finish_run(&run_id, "published", Some(&built.id))?;
    release::prune(&opts.out_dir, opts.settings.output.keep_releases);
    tracing::debug!(elapsed_ms = t.elapsed().as_millis(), "run finished");
    drop(store);
    tracing::debug!(elapsed_ms = t.elapsed().as_millis(), "state closed");
    Ok(RunOutcome {
        release_dir: built.dir,
        tools: built.tools,
        sources: outcomes,
        stale_sources: built.stale_sources,
    })
}

/// The run's fetcher: conditional requests through the state store, bodies in the archive.
fn fetcher(opts: &RunOptions) -> Result<Fetcher, RunError> {
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
        .with_cache(Cache::new(archive, Box::new(validators)));
    Ok(if opts.full {
        fetcher.asking_everything()
    } else {
        fetcher
    })
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
    let resolution = Resolution::of(&store, &Memo::default())?;
    let built = release::publish(&mut store, out_dir, resolution, None, accept_drop)?;
    release::prune(out_dir, keep_releases);
    Ok(RunOutcome {
        release_dir: built.dir,
        tools: built.tools,
        sources: Vec::new(),
        stale_sources: built.stale_sources,
    })
}
