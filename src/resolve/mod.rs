//! resolve: pure. Clusters normalised records that describe the same tool, merges each cluster
//! into one [`Tool`] with a stable id and per-field provenance (SPEC section 2). No I/O: the
//! id registry comes in as [`Known`] and the keys to register go out in [`Resolved`].
//!
//! * keys.rs: what a record says about its identity (repository, homepage, Wikidata, its own
//!   record key, repository renames learnt from the registry);
//! * cluster.rs: union-find over strong keys, then a scored name match over blocks, never
//!   across a conflict (two repositories on one host, two Wikidata items);
//! * ids.rs: ids through the registry (older id survives a merge, the larger part keeps it
//!   in a split, new ids derived from the first key);
//! * merge.rs: survivorship by source priority and provenance.
//!
//! The rules are documented in docs/normalisation.md ("Resolution").

mod cluster;
mod ids;
mod keys;
mod merge;
mod names;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::model::{NormRecord, SourceRecordRow, Tool};

pub use ids::tool_id;

/// The id registry: canonical key → (tool id, when the key was registered).
pub type Known = HashMap<String, (String, DateTime<Utc>)>;

/// One record entering resolution, with what its source declares.
#[derive(Clone, Debug)]
pub struct Input {
    pub record: NormRecord,
    /// The source's `priority`: higher wins when sources disagree.
    pub priority: i64,
    /// False for `role = "enrich"` sources: their records never create a tool.
    pub create: bool,
    /// Kept from an earlier run because the source failed this time.
    pub stale: bool,
    /// When civicrawl first saw this record.
    pub first_seen_at: Option<DateTime<Utc>>,
    /// When civicrawl last saw this record.
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// Tools and the rows of `source_records`, sorted by id and by (source, record).
#[derive(Debug, Default)]
pub struct Resolved {
    pub tools: Vec<Tool>,
    pub rows: Vec<SourceRecordRow>,
    /// Records of enrich sources that matched no tool.
    pub unmatched_enrich: usize,
    /// Keys seen for the first time, with the id their tool got: to add to the registry.
    pub new_ids: Vec<(String, String)>,
    /// Registered keys whose tool now has another id (a merge, a split): to update.
    pub moved_ids: Vec<(String, String)>,
    /// Ids retired by a merge: (old id, surviving id), sorted.
    pub aliases: Vec<(String, String)>,
}

/// Clusters and merges `inputs`; `known` is the id registry.
pub fn resolve(inputs: Vec<Input>, known: &Known) -> Resolved {
    let inputs = sorted(inputs);
    let renames = keys::Renames::learn(&inputs, known);
    let features: Vec<keys::Features> = parallel_map(&inputs, |i| keys::features(i, &renames));
    let mut out = Resolved::default();
    let clusters: Vec<Vec<usize>> = cluster::cluster(&features)
        .into_iter()
        .filter(|members| {
            let creates = members.iter().any(|&m| inputs[m].create);
            if !creates {
                out.unmatched_enrich += members.len();
            }
            creates
        })
        .collect();
    let claimants: Vec<ids::Claimant<'_>> = clusters
        .iter()
        .map(|members| claimant(members, &features))
        .collect();
    let assigned = ids::assign(&claimants, known);
    drop(claimants);
    register(&mut out, &clusters, &features, &assigned.ids, known);
    if !renames.found.is_empty() {
        // A rename is recorded under the id its record's tool has now.
        let mut cluster_of = vec![usize::MAX; inputs.len()];
        for (c, members) in clusters.iter().enumerate() {
            members.iter().for_each(|&m| cluster_of[m] = c);
        }
        for (key, record) in &renames.found {
            if let Some(id) = assigned.ids.get(cluster_of[*record]) {
                out.new_ids.push((key.clone(), id.clone()));
            }
        }
        out.new_ids.sort();
    }
    out.aliases = assigned.aliases;
    drop(features);
    let jobs: Vec<(&Vec<usize>, &String)> = clusters.iter().zip(&assigned.ids).collect();
    let merged = parallel_map(&jobs, |(members, id)| {
        let refs: Vec<&Input> = members.iter().map(|&i| &inputs[i]).collect();
        merge::merge(id, &refs)
    });
    // Rows go where their record was: `inputs` is sorted by (source, record).
    let mut rows: Vec<Option<(String, merge::Fields)>> = Vec::new();
    rows.resize_with(inputs.len(), || None);
    let mut tools = Vec::with_capacity(merged.len());
    for ((members, id), (tool, provenance)) in jobs.into_iter().zip(merged) {
        for (&m, provenance) in members.iter().zip(provenance) {
            rows[m] = Some((id.clone(), provenance));
        }
        tools.push(tool);
    }
    out.rows = inputs
        .into_iter()
        .zip(rows)
        .filter_map(|(input, row)| {
            let (tool_id, provenance) = row?;
            Some(SourceRecordRow {
                tool_id,
                record: input.record,
                stale: input.stale,
                provenance,
            })
        })
        .collect();
    tools.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    out.tools = tools;
    out
}

/// `inputs` sorted by (source, record): indices are sorted, records moved once.
fn sorted(inputs: Vec<Input>) -> Vec<Input> {
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (&inputs[a].record, &inputs[b].record);
        (&a.source_id, &a.record_id).cmp(&(&b.source_id, &b.record_id))
    });
    let mut slots: Vec<Option<Input>> = inputs.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// `f` over `items` on every core (scoped threads, contiguous chunks), results in order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 4096 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// What the id assignment needs of one cluster.
fn claimant<'a>(members: &[usize], features: &'a [keys::Features]) -> ids::Claimant<'a> {
    let fs: Vec<&keys::Features> = members.iter().map(|&i| &features[i]).collect();
    let min_rec = fs.iter().map(|f| f.rec.as_str()).min().unwrap_or_default();
    let smallest = |get: &dyn Fn(&keys::Features) -> Vec<&str>| {
        fs.iter().flat_map(|f| get(f)).min().map(str::to_string)
    };
    let first_key = smallest(&|f| f.repos.iter().map(|(k, _)| k.as_str()).collect())
        .or_else(|| smallest(&|f| f.home.iter().map(String::as_str).collect()))
        .or_else(|| smallest(&|f| f.wikidata.iter().map(String::as_str).collect()))
        .unwrap_or_else(|| min_rec.to_string());
    ids::Claimant {
        first_key,
        min_rec,
        members: fs
            .iter()
            .map(|f| (f.rec.as_str(), f.union_keys().collect()))
            .collect(),
    }
}

/// Fills `new_ids` and `moved_ids`: every key of a tool points at its id. A key several
/// tools hold (a homepage two conflicting clusters share) keeps its registered id, or, when
/// new, goes to the smallest of their ids.
fn register(
    out: &mut Resolved,
    clusters: &[Vec<usize>],
    features: &[keys::Features],
    ids: &[String],
    known: &Known,
) {
    let mut owner: HashMap<&str, Option<&str>> = HashMap::with_capacity(features.len() * 4);
    for (members, id) in clusters.iter().zip(ids) {
        for &m in members {
            for key in features[m].registry_keys() {
                owner
                    .entry(key)
                    .and_modify(|o| {
                        if *o != Some(id.as_str()) {
                            *o = None;
                        }
                    })
                    .or_insert(Some(id.as_str()));
            }
        }
    }
    let mut shared: BTreeMap<&str, &str> = BTreeMap::new();
    for (members, id) in clusters.iter().zip(ids) {
        for &m in members {
            for key in features[m].registry_keys() {
                if owner.get(key) == Some(&None) && !known.contains_key(key) {
                    let e = shared.entry(key).or_insert(id.as_str());
                    *e = (*e).min(id.as_str());
                }
            }
        }
    }
    for (key, id) in owner {
        let Some(id) = id else { continue };
        match known.get(key) {
            None => out.new_ids.push((key.to_string(), id.to_string())),
            Some((old, _)) if old != id => out.moved_ids.push((key.to_string(), id.to_string())),
            Some(_) => {}
        }
    }
    out.new_ids.extend(
        shared
            .into_iter()
            .map(|(k, id)| (k.to_string(), id.to_string())),
    );
    out.new_ids.sort();
    out.moved_ids.sort();
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod eval;
