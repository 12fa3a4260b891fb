//! The `site` part of a run (SPEC section 4 `site`): which home pages to visit, what to keep
//! of earlier visits, and the liveness columns and report.
//!
//! * Targets, computed from the state store before the crawl (kinds run no SQL): every
//!   stored record of an active source is normalised and resolved as `build` would; a tool
//!   is a target when it has a home page that is not itself a forge project and the
//!   records of its other sources (forges, registries, directories: anything but `site`)
//!   do not **cover it fully**, i.e. do not give all of a description, a licence, a
//!   repository and interface languages. Least recently checked first (never checked
//!   first), then by URL; the kind takes the first `max_sites`. A tool first seen in a run
//!   is visited from the next run on.
//! * The URL visited is the home page as the record that gave the tool's home page wrote
//!   it (canonical forms drop `www.`, which not every site answers without).
//! * A run visits some of the home pages only: the site source's earlier records whose home
//!   page is still a tool's are kept until their page is visited again; a record of a home
//!   page no tool has any more is dropped.
//! * Liveness: the check fields the site records carry (`model::CHECK_KEYS`) fill the
//!   `homepage_*` and `liveness` columns of `source_records`; `report.json` gets a
//!   `homepages` summary naming moved and dead home pages. No tool is ever removed for it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::json;
use url::Url;

use crate::crawl::Fetcher;
use crate::declare::{Declaration, Role};
use crate::kinds::{SiteTarget, Source};
use crate::model::{CHECK_KEYS, Liveness, NormRecord, RawRecord, SourceRecordRow};
use crate::normalise;
use crate::resolve::{self, Input};
use crate::state::{StateError, Store};

/// Earlier checks handed to the kind per home page (liveness needs the last two).
const HISTORY: usize = 3;

/// What the run's site sources were given.
#[derive(Debug, Default)]
pub(super) struct SitePlan {
    /// The ids of the site sources that run.
    pub sources: HashSet<String>,
    /// The canonical home page of every tool (visited or not).
    pub homepages: HashSet<String>,
}

/// Computes the targets of the site sources among `decls` and hands them over; `None`
/// when no site source runs.
pub(super) fn plan(
    store: &Store,
    decls: &mut [Declaration],
) -> Result<Option<SitePlan>, StateError> {
    let sources: HashSet<String> = decls
        .iter()
        .filter(|d| matches!(d.source, Source::Site(_)))
        .map(|d| d.id.clone())
        .collect();
    if sources.is_empty() {
        return Ok(None);
    }
    let active = store.sources()?;
    let site_ids: HashSet<&str> = active
        .iter()
        .filter(|s| s.kind == "site")
        .map(|s| s.id.as_str())
        .collect();
    let spaces = super::id_spaces(&active);
    let mut given: HashMap<(String, String), String> = HashMap::new();
    let mut inputs = Vec::new();
    for stored in store.all_records()? {
        let Some(src) = active.iter().find(|s| s.id == stored.source_id) else {
            continue;
        };
        if let Some(home) = stored.raw.first("homepage") {
            given.insert(
                (stored.source_id.clone(), stored.raw.record_id.clone()),
                home.to_string(),
            );
        }
        let (record, _) = normalise::normalise(&stored.source_id, &stored.raw, None);
        inputs.push(Input {
            record,
            priority: src.priority,
            create: src.role == Role::Create,
            stale: stored.stale,
            first_seen_at: None,
            last_seen_at: None,
            id_space: spaces.get(stored.source_id.as_str()).cloned(),
        });
    }
    let known: resolve::Known = store.id_registry()?;
    let resolved = resolve::resolve(inputs, &known);
    let mut rows_of: HashMap<&str, Vec<&NormRecord>> = HashMap::new();
    for row in &resolved.rows {
        if !site_ids.contains(row.record.source_id.as_str()) {
            rows_of
                .entry(row.tool_id.as_str())
                .or_default()
                .push(&row.record);
        }
    }
    let mut out = SitePlan {
        sources,
        homepages: HashSet::new(),
    };
    let history = store.homepage_history(HISTORY)?;
    let mut targets: Vec<SiteTarget> = Vec::new();
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
        if targets.iter().any(|t| &t.key == home) {
            continue;
        }
        let as_given = rows
            .iter()
            .filter(|r| r.homepage_url.as_ref() == Some(home))
            .find_map(|r| given.get(&(r.source_id.clone(), r.record_id.clone())));
        let url = as_given
            .and_then(|u| Url::parse(u.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .or_else(|| Url::parse(home).ok());
        if let Some(url) = url {
            targets.push(SiteTarget {
                key: home.clone(),
                url,
                history: history.get(home).cloned().unwrap_or_default(),
            });
        }
    }
    order(&mut targets);
    tracing::info!(due = targets.len(), "site: home pages due for a visit");
    for d in decls.iter_mut() {
        if let Source::Site(s) = &mut d.source {
            s.set_targets(targets.clone());
        }
    }
    Ok(Some(out))
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

/// Registers each target's origin with its site source's `rate`.
pub(super) fn register_hosts(fetcher: &Fetcher, decls: &[Declaration]) {
    for d in decls {
        if let Source::Site(s) = &d.source {
            for t in s.targets().iter().take(s.max_sites()) {
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

/// `report.json` → `homepages`: counts by liveness, and the moved and dead home pages with
/// their tool.
pub(super) fn report(rows: &[SourceRecordRow]) -> serde_json::Value {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    let listed = |l: Liveness| {
        rows.iter()
            .filter(|r| r.record.liveness == Some(l))
            .map(|r| {
                json!({
                    "tool_id": r.tool_id,
                    "homepage_url": r.record.homepage_url,
                    "final_url": r.record.homepage_final_url,
                    "status": r.record.homepage_status,
                    "checked_at": r.record.homepage_checked_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                })
            })
            .collect::<Vec<_>>()
    };
    let moved = listed(Liveness::Moved);
    let dead = listed(Liveness::Dead);
    for r in rows {
        if let Some(l) = r.record.liveness {
            *counts.entry(l.as_str()).or_default() += 1;
        }
    }
    json!({
        "checked": counts.values().sum::<usize>(),
        "alive": counts.get("alive").copied().unwrap_or(0),
        "moved": moved,
        "dead": dead,
        "unknown": counts.get("unknown").copied().unwrap_or(0),
    })
}
