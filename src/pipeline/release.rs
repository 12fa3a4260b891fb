//! The build half of a run (and all of `civicrawl build`): the state store's records
//! normalised and resolved once ([`Resolution`]), then published as a release; release
//! naming, the tool-count guard and pruning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::ahead::Memo;
use super::harvest::SourceOutcome;
use super::{RunError, report, site};
use crate::declare::Role;
use crate::model::{Release, SourceRow, SourceStatus};
use crate::publish;
use crate::report::Issue;
use crate::resolve::{self, Input};
use crate::state::{StateError, Store};

/// Every stored record of the active sources, normalised and resolved as a release sees
/// them: [`of`](Self::of) for a release, [`for_site_plan`](Self::for_site_plan) when the
/// `site` sources are planned from it.
pub(super) struct Resolution {
    /// The active sources, with their status.
    pub sources: Vec<SourceRow>,
    pub resolved: resolve::Resolved,
    /// The organisations and use cases the resolved records name.
    pub orgs: resolve::ResolvedOrgs,
    /// How each source's licence values read.
    pub licences: HashMap<String, report::LicenceCounts>,
    /// Normalisation issues per source.
    pub issues: HashMap<String, Vec<Issue>>,
    /// (source, record id) → the home page as the record wrote it (not canonical); kept
    /// only for the site plan.
    pub homepages_given: HashMap<(String, String), String>,
}

impl Resolution {
    /// Normalises and resolves the store's records.
    /// `ahead` holds records normalised during the crawl (`pipeline::ahead`).
    pub(super) fn of(store: &Store, ahead: &Memo) -> Result<Self, StateError> {
        Self::read(store, false, ahead)
    }

    /// [`of`](Self::of), keeping the home pages as each record wrote them (the URL a site
    /// visit starts from).
    pub(super) fn for_site_plan(store: &Store) -> Result<Self, StateError> {
        Self::read(store, true, &Memo::default())
    }

    fn read(store: &Store, keep_homepages: bool, ahead: &Memo) -> Result<Self, StateError> {
        let sources = store.sources()?;
        let by_id: HashMap<&str, &SourceRow> = sources.iter().map(|s| (s.id.as_str(), s)).collect();
        let spaces = id_spaces(&sources);
        let mut inputs = Vec::new();
        let mut issues: HashMap<String, Vec<Issue>> = HashMap::new();
        let mut homepages_given = HashMap::new();
        let mut licences: HashMap<String, report::LicenceCounts> = HashMap::new();
        let t = std::time::Instant::now();
        // Records of sources no longer declared are left out before the work on them.
        let stored_records: Vec<_> = store
            .all_records()?
            .into_iter()
            .filter(|stored| by_id.contains_key(stored.source_id.as_str()))
            .collect();
        // Normalising is the heavy part (language detection, stemming): on every core.
        let normalised = resolve::parallel_map_from(&stored_records, 256, |stored| {
            ahead.normalise(&stored.source_id, &stored.raw, Some(stored.fetched_at))
        });
        tracing::debug!(
            records = stored_records.len(),
            read_and_normalised_ms = t.elapsed().as_millis(),
            "normalised"
        );
        for (stored, (mut record, mut found)) in stored_records.into_iter().zip(normalised) {
            let Some(src) = by_id.get(stored.source_id.as_str()) else {
                continue;
            };
            let counts = licences.entry(stored.source_id.clone()).or_default();
            stored.raw.all("license").iter().for_each(|v| counts.add(v));
            if keep_homepages && let Some(home) = stored.raw.first("homepage") {
                homepages_given.insert(
                    (stored.source_id.clone(), stored.raw.record_id.clone()),
                    home.to_string(),
                );
            }
            site::attach_check(&mut record, &stored.raw);
            // A national catalogue's country, unless the record names its own.
            if record.countries.is_empty()
                && let Some(country) = &src.country
            {
                record.countries.push(country.clone());
            }
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
        tracing::debug!(elapsed_ms = t.elapsed().as_millis(), "resolved tools");
        let countries: HashMap<String, String> = sources
            .iter()
            .filter_map(|s| Some((s.id.clone(), s.country.clone()?)))
            .collect();
        let mut orgs = resolve::resolve_orgs_with(&resolved, &known, &countries);
        site::attach_use_case_checks(store, &mut orgs.use_cases)?;
        tracing::debug!(
            elapsed_ms = t.elapsed().as_millis(),
            "resolved organisations"
        );
        Ok(Resolution {
            sources,
            resolved,
            orgs,
            licences,
            issues,
            homepages_given,
        })
    }
}

/// What this run did, for the release's report (`None` for `civicrawl build`).
#[derive(Clone, Copy)]
pub(super) struct ThisRun<'a> {
    pub outcomes: &'a [SourceOutcome],
    pub started: DateTime<Utc>,
}

/// A published release.
pub(super) struct Built {
    pub id: String,
    pub dir: PathBuf,
    pub tools: usize,
    /// Sources whose records in the release are stale.
    pub stale_sources: Vec<String>,
}

/// Publishes `resolution` as a release in `out_dir`, then registers the new tool ids.
pub(super) fn publish(
    store: &mut Store,
    out_dir: &Path,
    resolution: Resolution,
    this_run: Option<ThisRun>,
    accept_drop: bool,
) -> Result<Built, RunError> {
    let Resolution {
        sources,
        resolved,
        orgs,
        licences,
        mut issues,
        ..
    } = resolution;
    check_tool_count(out_dir, resolved.tools.len(), accept_drop)?;
    let created_at = crate::clock::now();
    let id = publish::next_release_id(out_dir, &release_id(created_at));
    let snapshot_id = match this_run {
        Some(_) => id.clone(),
        None => store.last_release_id()?.unwrap_or_else(|| id.clone()),
    };
    let stale_sources: Vec<String> = sources
        .iter()
        .filter(|s| s.status == SourceStatus::Stale)
        .map(|s| s.id.clone())
        .collect();
    let report = report::report_json(
        &id,
        &sources,
        this_run,
        created_at,
        report::Found {
            resolved: &resolved,
            orgs: &orgs,
            licences: &licences,
        },
        &mut issues,
    );
    let mut aliases = resolved.aliases;
    aliases.extend(orgs.aliases);
    aliases.sort();
    let release = Release {
        id: id.clone(),
        created_at,
        snapshot_id,
        tools: resolved.tools,
        source_records: resolved.rows,
        sources,
        report,
        aliases,
        organisations: orgs.organisations,
        tool_organisations: orgs.tool_organisations,
        use_cases: orgs.use_cases,
    };
    let t = std::time::Instant::now();
    let dir = publish::publish(&release, out_dir)?;
    tracing::debug!(elapsed_ms = t.elapsed().as_millis(), "release written");
    crate::failpoint::hit("run-after-publish");
    store.save_tool_ids(&resolved.new_ids, &resolved.moved_ids, created_at)?;
    store.save_tool_ids(&orgs.new_ids, &orgs.moved_ids, created_at)?;
    tracing::debug!(elapsed_ms = t.elapsed().as_millis(), "tool ids saved");
    Ok(Built {
        id,
        dir,
        tools: release.tools.len(),
        stale_sources,
    })
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
pub(super) fn prune(out_dir: &Path, keep: usize) {
    if let Err(e) = publish::prune(out_dir, keep) {
        tracing::warn!("the release is published, but old releases were not pruned: {e}");
    }
}
