//! Non-identifying URLs: a repository or homepage URL that identifies an organisation, not a
//! tool. Government inventories name the agency's home page (`http://www.nsf.gov`) as the
//! repository of every service they list; registries give the owner's site as the website
//! of each of its tools. Such a URL stops being a key for the records of the source that
//! gives it so, which stay apart unless other evidence joins them, and it is listed in
//! `report.json`. Other sources keep it as a key: a directory listing four deployments under
//! CONSUL's repository takes nothing from CONSUL's own records.
//!
//! A URL is non-identifying in a source when that source gives it by
//! * more than [`MAX_RECORDS`] records, or
//! * two records or more whose names are not even related (see [`names::related`]: `Consul`
//!   and `HashiCorp Consul` are related, `Tool A` and `Tool B` are not).
//!
//! A source that lists one tool twice under one name (two yearly rows, two views) keeps the
//! URL as a key.

use std::collections::BTreeMap;

use super::keys::Features;
use super::names;
use super::{Input, cluster::text_hash};

/// The most records of one source that may give one URL and still be one tool.
pub const MAX_RECORDS: usize = 3;

/// A URL that stopped being a key, for `report.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonIdentifying {
    /// The URL as canonicalised (a homepage: as the first record that gives it wrote it).
    pub url: String,
    /// How many records give it, over all sources.
    pub records: usize,
    /// The sources that give it and how many records each, sorted by source.
    pub sources: Vec<(String, usize)>,
    /// Why: the sources whose records no longer key on it, and what each did.
    pub reason: String,
}

/// Where a key sits in a record's features.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Repo(u32),
    Home,
}

/// Finds the non-identifying URLs among the repository and homepage keys of `features`
/// (records sorted by source, as [`Input`]s are), removes them from the records of the
/// sources that give them so (with the homepage's host, so it is no evidence either) and
/// returns them, sorted by URL.
pub fn strip(features: &mut [Features<'_>], inputs: &[Input]) -> Vec<NonIdentifying> {
    // (hash of the key, record, where the key is): keys grouped by sorting their hashes.
    let mut entries: Vec<(u64, u32, Slot)> = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        for (j, (key, _)) in f.repos.iter().enumerate() {
            entries.push((text_hash(key), i as u32, Slot::Repo(j as u32)));
        }
        if let Some(home) = &f.home {
            entries.push((text_hash(home), i as u32, Slot::Home));
        }
    }
    entries.sort_unstable();
    let key_of = |(_, i, slot): &(u64, u32, Slot)| -> &str {
        let f = &features[*i as usize];
        match slot {
            Slot::Repo(j) => &f.repos[*j as usize].0,
            Slot::Home => f.home.as_deref().unwrap_or_default(),
        }
    };
    let mut found: Vec<(Vec<(u32, Slot)>, NonIdentifying)> = Vec::new();
    for run in entries.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        // Keys whose hashes agree, told apart by their text (records stay in order); almost
        // always one key.
        let mut by_key: BTreeMap<&str, Vec<(u32, Slot)>> = BTreeMap::new();
        let first = key_of(&run[0]);
        if run.iter().all(|e| key_of(e) == first) {
            by_key.insert(first, run.iter().map(|e| (e.1, e.2)).collect());
        } else {
            for e in run {
                by_key.entry(key_of(e)).or_default().push((e.1, e.2));
            }
        }
        for (key, holders) in by_key.into_iter().filter(|(_, h)| h.len() > 1) {
            if let Some((hub, offending)) = judge(key, &holders, features, inputs) {
                let source = |i: u32| inputs[i as usize].record.source_id.as_str();
                let dropped: Vec<(u32, Slot)> = holders
                    .into_iter()
                    .filter(|&(i, _)| offending.contains(&source(i)))
                    .collect();
                found.push((dropped, hub));
            }
        }
    }
    // Every (record, slot) to drop, by record: a record may give several such URLs.
    let mut dropped: Vec<(u32, Slot)> = found.iter().flat_map(|(h, _)| h.iter().copied()).collect();
    dropped.sort_unstable();
    dropped.dedup();
    for slots in dropped.chunk_by(|a, b| a.0 == b.0) {
        let f = &mut features[slots[0].0 as usize];
        let gone = |j: usize| slots.iter().any(|&(_, s)| s == Slot::Repo(j as u32));
        if slots.iter().any(|&(_, s)| matches!(s, Slot::Repo(_))) {
            let (kept, dropped): (Vec<_>, Vec<_>) = f
                .repos
                .iter()
                .cloned()
                .enumerate()
                .partition(|&(j, _)| !gone(j));
            // The owner of a hub repository (a packaging organisation's bucket,
            // `scoopinstaller/extras`) is no organisation of the tool either, unless a
            // repository it keeps has that owner too.
            let owner = |key: &str| super::keys::repo_owner(key).and_then(names::org_tag);
            let kept_owners: Vec<u64> = kept.iter().filter_map(|(_, (k, _))| owner(k)).collect();
            let gone_owners: Vec<u64> = dropped
                .iter()
                .filter_map(|(_, (k, _))| owner(k))
                .filter(|t| !kept_owners.contains(t))
                .collect();
            if !gone_owners.is_empty() {
                f.orgs = f
                    .orgs
                    .iter()
                    .copied()
                    .filter(|t| !gone_owners.contains(t))
                    .collect();
            }
            f.repos = kept.into_iter().map(|(_, r)| r).collect();
        }
        if slots.iter().any(|&(_, s)| s == Slot::Home) {
            f.home = None;
            f.host = None;
        }
    }
    let mut out: Vec<NonIdentifying> = found.into_iter().map(|(_, hub)| hub).collect();
    out.sort_by(|a, b| a.url.cmp(&b.url));
    out
}

/// The report entry of `key` when it is non-identifying, and the sources that make it so:
/// each gives it by too many records, or by records whose names are not even related.
/// `holders` are in record order, so each source's records are together.
fn judge<'i>(
    key: &str,
    holders: &[(u32, Slot)],
    features: &[Features<'_>],
    inputs: &'i [Input],
) -> Option<(NonIdentifying, Vec<&'i str>)> {
    let source = |i: u32| inputs[i as usize].record.source_id.as_str();
    let mut reasons = Vec::new();
    let mut offending = Vec::new();
    for run in holders.chunk_by(|a, b| source(a.0) == source(b.0)) {
        let n = run.len();
        let id = source(run[0].0);
        if n > MAX_RECORDS {
            reasons.push(format!(
                "given by {n} records of source `{id}` (more than {MAX_RECORDS})"
            ));
            offending.push(id);
            continue;
        }
        let named: Vec<&str> = run
            .iter()
            .map(|&(i, _)| &*features[i as usize].name)
            .filter(|name| !name.is_empty())
            .collect();
        let disagree = named
            .iter()
            .enumerate()
            .any(|(x, a)| named[x + 1..].iter().any(|b| !names::related(a, b)));
        if disagree {
            let mut shown: Vec<String> = run
                .iter()
                .filter_map(|&(i, _)| inputs[i as usize].record.name.as_deref())
                .take(4)
                .map(|n| format!("{n:?}"))
                .collect();
            if run.len() > 4 {
                shown.push("…".to_string());
            }
            reasons.push(format!(
                "given by records of source `{id}` with different names: {}",
                shown.join(", ")
            ));
            offending.push(id);
        }
    }
    if offending.is_empty() {
        return None;
    }
    let url = match key.strip_prefix("repo:") {
        Some(url) => url.to_string(),
        None => inputs[holders[0].0 as usize]
            .record
            .homepage_url
            .clone()
            .unwrap_or_else(|| key.trim_start_matches("home:").to_string()),
    };
    let mut sources: Vec<(String, usize)> = Vec::new();
    for run in holders.chunk_by(|a, b| source(a.0) == source(b.0)) {
        sources.push((source(run[0].0).to_string(), run.len()));
    }
    let hub = NonIdentifying {
        url,
        records: holders.len(),
        sources,
        reason: reasons.join("; "),
    };
    Some((hub, offending))
}
