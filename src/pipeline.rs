//! pipeline: wires the stages for `run` (SPEC section 2). The only module that sees them all.
//!
//! declarations → one task per source (crawl + extract) → normalise → resolve → publish.
//! A source that fails does not stop the others; the run publishes what succeeded (exit 3).
//! When no source succeeds nothing is published and the previous release stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use crate::crawl::{FetchStats, Fetcher};
use crate::declare::{self, DeclError, Declaration, Role};
use crate::kinds::{self, Harvest, SourceCx};
use crate::model::{Release, SourceRow};
use crate::normalise;
use crate::publish::{self, PublishError};
use crate::report::Issue;
use crate::resolve::{self, Input};
use crate::settings::Settings;

/// What `civicrawl run` was asked to do.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub sources_dir: PathBuf,
    pub only: Vec<String>,
    pub out_dir: PathBuf,
    pub settings: Settings,
}

/// How one source did.
#[derive(Clone, Debug)]
pub struct SourceOutcome {
    pub id: String,
    /// `ok` or `failed`.
    pub status: &'static str,
    pub records: usize,
    pub error: Option<String>,
    pub requests: u64,
    pub retries: u64,
    pub not_modified: u64,
    pub robots_disallowed: u64,
    pub robots_skipped: Vec<String>,
    pub issues: Vec<Issue>,
    pub duration_ms: u128,
}

impl SourceOutcome {
    /// True when the source failed this run.
    pub fn failed(&self) -> bool {
        self.status != "ok"
    }
}

/// A run that published a release.
#[derive(Debug)]
pub struct RunOutcome {
    pub release_dir: PathBuf,
    pub tools: usize,
    pub sources: Vec<SourceOutcome>,
}

impl RunOutcome {
    /// The sources that failed.
    pub fn failed(&self) -> Vec<&SourceOutcome> {
        self.sources.iter().filter(|s| s.failed()).collect()
    }
}

/// Why a run published nothing.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{} of the source declarations are invalid; nothing was fetched", .0.len())]
    Declarations(Vec<DeclError>),
    #[error("{0}")]
    Usage(String),
    #[error("no source succeeded; nothing was published and the previous release stays")]
    NothingSucceeded(Vec<SourceOutcome>),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("{0}")]
    Other(String),
}

/// Loads and validates the declarations of `dir`.
pub fn check_sources(dir: &Path) -> Result<Vec<Declaration>, Vec<DeclError>> {
    declare::load_dir(dir)
}

/// `civicrawl run`: crawl every selected source and publish a release.
pub async fn run(opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let decls = declare::load_dir(&opts.sources_dir).map_err(RunError::Declarations)?;
    let decls = declare::select(decls, &opts.only).map_err(RunError::Usage)?;
    if decls.is_empty() {
        return Err(RunError::Usage(format!(
            "no enabled source in `{}`",
            opts.sources_dir.display()
        )));
    }
    let started = Utc::now();
    let fetcher = Arc::new(Fetcher::new(&opts.settings.crawl).map_err(|e| RunError::Other(e.to_string()))?);
    for d in &decls {
        for url in kinds::start_urls(&d.source) {
            fetcher.register_host(&url, d.rate);
        }
    }
    let harvests = crawl_all(decls, fetcher).await;
    let outcomes: Vec<SourceOutcome> = harvests.iter().map(|h| h.outcome.clone()).collect();
    if outcomes.iter().all(SourceOutcome::failed) {
        return Err(RunError::NothingSucceeded(outcomes));
    }
    let mut release = assemble(harvests, started);
    release.id = unique_release_id(&opts.out_dir, release.created_at);
    if let Some(obj) = release.report.as_object_mut() {
        obj.insert("release_id".into(), json!(release.id));
    }
    let tools = release.tools.len();
    let release_dir = publish::publish(&release, &opts.out_dir)?;
    Ok(RunOutcome {
        release_dir,
        tools,
        sources: outcomes,
    })
}

/// One source's records and outcome.
struct SourceHarvest {
    decl: Declaration,
    records: Vec<crate::model::RawRecord>,
    fetched_at: DateTime<Utc>,
    outcome: SourceOutcome,
}

async fn crawl_all(decls: Vec<Declaration>, fetcher: Arc<Fetcher>) -> Vec<SourceHarvest> {
    let mut set = tokio::task::JoinSet::new();
    for decl in decls {
        let fetcher = Arc::clone(&fetcher);
        set.spawn(async move {
            let stats = FetchStats::default();
            let started = Instant::now();
            let fetched_at = Utc::now();
            let result = {
                let cx = SourceCx {
                    source_id: &decl.id,
                    fetcher: &fetcher,
                    stats: &stats,
                };
                kinds::run(&decl.source, &cx).await
            };
            finish_source(decl, result, &stats, started, fetched_at)
        });
    }
    let mut out = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(h) => out.push(h),
            Err(e) => tracing::error!("a source task panicked: {e}"),
        }
    }
    out.sort_by(|a, b| a.decl.id.cmp(&b.decl.id));
    out
}

fn finish_source(
    decl: Declaration,
    result: Result<Harvest, kinds::SourceError>,
    stats: &FetchStats,
    started: Instant,
    fetched_at: DateTime<Utc>,
) -> SourceHarvest {
    let mut outcome = SourceOutcome {
        id: decl.id.clone(),
        status: "ok",
        records: 0,
        error: None,
        requests: FetchStats::get(&stats.requests),
        retries: FetchStats::get(&stats.retries),
        not_modified: FetchStats::get(&stats.not_modified),
        robots_disallowed: FetchStats::get(&stats.robots_disallowed),
        robots_skipped: Vec::new(),
        issues: Vec::new(),
        duration_ms: started.elapsed().as_millis(),
    };
    let records = match result {
        Ok(h) => {
            outcome.records = h.records.len();
            outcome.issues = h.issues;
            outcome.robots_skipped = h.robots_skipped;
            tracing::info!(source_id = %decl.id, records = outcome.records, "source done");
            h.records
        }
        Err(e) => {
            tracing::error!(source_id = %decl.id, "source failed: {e}");
            outcome.status = "failed";
            outcome.error = Some(e.to_string());
            Vec::new()
        }
    };
    SourceHarvest {
        decl,
        records,
        fetched_at,
        outcome,
    }
}

/// Normalises, resolves and describes the harvests as a release.
fn assemble(mut harvests: Vec<SourceHarvest>, started: DateTime<Utc>) -> Release {
    let mut inputs = Vec::new();
    for h in &mut harvests {
        for raw in &h.records {
            let (record, issues) = normalise::normalise(&h.decl.id, raw, Some(h.fetched_at));
            h.outcome.issues.extend(issues);
            inputs.push(Input {
                record,
                priority: h.decl.priority,
                create: h.decl.role == Role::Create,
                stale: false,
            });
        }
    }
    let resolved = resolve::resolve(inputs);
    let created_at = Utc::now();
    let sources: Vec<SourceRow> = harvests.iter().map(source_row).collect();
    let report = report_json(&harvests, started, created_at, resolved.tools.len(), resolved.unmatched_enrich);
    Release {
        id: String::new(),
        created_at,
        tools: resolved.tools,
        source_records: resolved.rows,
        sources,
        report,
    }
}

/// The release id for `at`, with `-2`, `-3`… when a release of that second exists already.
fn unique_release_id(out_dir: &Path, at: DateTime<Utc>) -> String {
    let base = release_id(at);
    let releases = out_dir.join("releases");
    let mut id = base.clone();
    let mut n = 1;
    while releases.join(&id).exists() {
        n += 1;
        id = format!("{base}-{n}");
    }
    id
}

/// The release id of a run that published at `at`: `2026-11-26T030000Z`.
pub fn release_id(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H%M%SZ").to_string()
}

fn source_row(h: &SourceHarvest) -> SourceRow {
    let d = &h.decl;
    SourceRow {
        id: d.id.clone(),
        name: d.name.clone(),
        kind: d.kind.clone(),
        role: d.role.as_str().to_string(),
        priority: d.priority,
        license: d.license.clone(),
        urls: kinds::start_urls(&d.source).iter().map(|u| u.to_string()).collect(),
        status: h.outcome.status.to_string(),
        records: h.outcome.records as i64,
        error: h.outcome.error.clone(),
    }
}

fn report_json(
    harvests: &[SourceHarvest],
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    tools: usize,
    unmatched_enrich: usize,
) -> serde_json::Value {
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let sources: Vec<serde_json::Value> = harvests
        .iter()
        .map(|h| {
            let o = &h.outcome;
            json!({
                "id": o.id,
                "kind": h.decl.kind,
                "status": o.status,
                "records": o.records,
                "error": o.error,
                "requests": o.requests,
                "not_modified": o.not_modified,
                "retries": o.retries,
                "robots_disallowed": o.robots_disallowed,
                "robots_skipped_urls": o.robots_skipped,
                "duration_ms": o.duration_ms as u64,
                "issues": o.issues,
            })
        })
        .collect();
    json!({
        "release_id": null,
        "started_at": ts(started),
        "finished_at": ts(finished),
        "generator": concat!("civicrawl ", env!("CARGO_PKG_VERSION")),
        "tools": tools,
        "unmatched_enrich_records": unmatched_enrich,
        "sources_failed": harvests.iter().filter(|h| h.outcome.failed()).map(|h| h.outcome.id.clone()).collect::<Vec<_>>(),
        "sources": sources,
    })
}
