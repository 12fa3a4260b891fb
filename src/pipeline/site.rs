//! The `site` part of a run (SPEC section 4 `site`): which home pages to visit, what to keep
//! of earlier visits, and the liveness columns and report.
//!
//! * Targets, computed once every other source of the run is saved (kinds run no SQL), from
//!   the run's [`Resolution`] of the store: a tool is a target when it has a home page that
//!   is not itself a forge project and the records of its other sources (forges,
//!   registries, directories: anything but `site`) do not **cover it fully**, i.e. do not
//!   give all of a description, a licence, a repository and interface languages. Least
//!   recently checked first (never checked first), then by URL; the kind takes the first
//!   `max_sites`. A tool first seen in a run is visited in that run, the first one included.
//!   The targets reach the kind through its `SourceCx`.
//! * The URL visited is the home page as the record that gave the tool's home page wrote
//!   it (canonical forms drop `www.`, which not every site answers without).
//! * A run visits some of the home pages only: the site source's earlier records whose home
//!   page is still a tool's are kept until their page is visited again; a record of a home
//!   page no tool has any more is dropped.
//! * The deployments the use cases list (`use_cases.url`) are targets too, after the same
//!   order; the last visit of each gives the use case its `liveness` and `checked_at`.
//! * Liveness: the check fields the site records carry (`model::CHECK_KEYS`) fill the
//!   `homepage_*` and `liveness` columns of `source_records`; `report.json` gets a
//!   `homepages` summary naming moved and dead home pages. No tool is ever removed for it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use url::Url;

use super::release::Resolution;
use crate::crawl::Fetcher;
use crate::declare::Declaration;
use crate::kinds::{SiteTarget, Source};
use crate::model::{CHECK_KEYS, Liveness, NormRecord, RawRecord, UseCase};
use crate::normalise;
use crate::state::{StateError, Store};

/// Earlier checks handed to the kind per home page (liveness needs the last two).
const HISTORY: usize = 3;

/// What the run's site sources are given.
#[derive(Debug, Default)]
pub(super) struct SitePlan {
    /// The home pages due, in visiting order.
    pub targets: Vec<SiteTarget>,
    /// The canonical home page of every tool (visited or not).
    pub homepages: HashSet<String>,
}

/// The home pages due for a visit, from the tools of `resolution`.
pub(super) fn plan(store: &Store, resolution: &Resolution) -> Result<SitePlan, StateError> {
    let site_ids: HashSet<&str> = resolution
        .sources
        .iter()
        .filter(|s| s.kind == "site")
        .map(|s| s.id.as_str())
        .collect();
    let resolved = &resolution.resolved;
    let mut rows_of: HashMap<&str, Vec<&NormRecord>> = HashMap::new();
    for row in &resolved.rows {
        if !site_ids.contains(row.record.source_id.as_str()) {
            rows_of
                .entry(row.tool_id.as_str())
                .or_default()
                .push(&row.record);
        }
    }
    let mut out = SitePlan::default();
    let mut due: HashSet<&str> = HashSet::new();
    let history = store.homepage_history(HISTORY)?;
    for tool in &resolved.tools {
        let Some(home) = &tool.homepage_url else {
            continue;
        };
        out.homepages.insert(home.clone());
        let rows = rows_of
            .get(tool.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if covered(rows) || normalise::url::is_forge_project(home) {
            continue;
        }
        if due.contains(home.as_str()) {
            continue;
        }
        let as_given = rows
            .iter()
            .filter(|r| r.homepage_url.as_ref() == Some(home))
            .find_map(|r| {
                resolution
                    .homepages_given
                    .get(&(r.source_id.clone(), r.record_id.clone()))
            });
        let url = as_given
            .and_then(|u| Url::parse(u.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .or_else(|| Url::parse(home).ok());
        if let Some(url) = url {
            due.insert(home.as_str());
            out.targets.push(SiteTarget {
                key: home.clone(),
                url,
                history: history.get(home).cloned().unwrap_or_default(),
            });
        }
    }
    // The deployments the use cases list: their liveness goes to `use_cases`.
    for case in &resolution.orgs.use_cases {
        let Some(url) = &case.url else { continue };
        out.homepages.insert(url.clone());
        if due.contains(url.as_str()) || normalise::url::is_forge_project(url) {
            continue;
        }
        if let Ok(parsed) = Url::parse(url) {
            due.insert(url.as_str());
            out.targets.push(SiteTarget {
                key: url.clone(),
                url: parsed,
                history: history.get(url).cloned().unwrap_or_default(),
            });
        }
    }
    order(&mut out.targets);
    tracing::info!(
        due = out.targets.len(),
        "site: home pages and deployments due for a visit"
    );
    Ok(out)
}

/// Fills each use case's liveness and time of check from the last visit of its URL.
pub(super) fn attach_use_case_checks(
    store: &Store,
    use_cases: &mut [UseCase],
) -> Result<(), StateError> {
    if use_cases.iter().all(|u| u.url.is_none()) {
        return Ok(());
    }
    let history = store.homepage_history(1)?;
    for case in use_cases {
        if let Some(last) = case.url.as_ref().and_then(|u| history.get(u)?.first()) {
            case.liveness = Some(last.liveness);
            case.checked_at = Some(last.checked_at);
        }
    }
    Ok(())
}

/// True when the records give a description, a licence, a repository and languages.
fn covered(rows: &[&NormRecord]) -> bool {
    rows.iter().any(|r| r.description.is_some())
        && rows.iter().any(|r| r.license.is_some())
        && rows.iter().any(|r| r.repository_url.is_some())
        && rows.iter().any(|r| !r.languages.is_empty())
}

/// Never checked first, then least recently checked, then by home page.
fn order(targets: &mut [SiteTarget]) {
    let last =
        |t: &SiteTarget| -> Option<DateTime<Utc>> { t.history.first().map(|c| c.checked_at) };
    targets.sort_by(|a, b| last(a).cmp(&last(b)).then_with(|| a.key.cmp(&b.key)));
}

/// Registers the origin of each target a site source of `decls` visits with its `rate`.
pub(super) fn register_hosts(fetcher: &Fetcher, decls: &[Declaration], targets: &[SiteTarget]) {
    for d in decls {
        if let Source::Site(s) = &d.source {
            for t in targets.iter().take(s.max_sites()) {
                fetcher.register_host(&t.url, d.rate);
            }
        }
    }
}

/// Adds the site source's earlier records not visited this run whose home page is still a
/// tool's.
pub(super) fn carry_over(
    store: &Store,
    source_id: &str,
    records: &mut Vec<RawRecord>,
    plan: &SitePlan,
) -> Result<(), StateError> {
    let visited: HashSet<String> = records.iter().map(|r| r.record_id.clone()).collect();
    for old in store.source_records(source_id)? {
        if !visited.contains(&old.raw.record_id) && plan.homepages.contains(&old.raw.record_id) {
            records.push(old.raw);
        }
    }
    Ok(())
}

/// Copies the check a site record carries into its normalised record.
pub(super) fn attach_check(record: &mut NormRecord, raw: &RawRecord) {
    let [status, final_url, checked_at, liveness] = CHECK_KEYS.map(|k| raw.first(k));
    record.homepage_status = status.and_then(|s| s.parse().ok());
    record.homepage_final_url = final_url.map(str::to_string);
    record.homepage_checked_at = checked_at
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.to_utc());
    record.liveness = liveness.and_then(Liveness::parse);
}
