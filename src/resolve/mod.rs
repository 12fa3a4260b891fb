//! resolve: pure. Clusters normalised records that describe the same tool, merges each cluster
//! into one [`Tool`] with a stable id and per-field provenance (SPEC section 2). No I/O: the
//! id registry comes in as [`Known`] and the keys to register go out in [`Resolved`].
//!
//! * keys.rs: what a record says about its identity (repository, homepage, Wikidata, a
//!   declared id space, its own record key, repository renames learnt from the registry);
//! * hubs.rs: URLs that identify an organisation, not a tool (many records of one source,
//!   or records of one source with different names, give them): no key for anyone;
//! * cluster.rs: union-find over strong keys, then a scored name match (over blocks, with an
//!   organisation or homepage in common; or on a distinctive name alone), never across a
//!   conflict (two repositories on one host, two Wikidata items);
//! * ids.rs: ids through the registry (older id survives a merge, the larger part keeps it
//!   in a split, new ids derived from the first key);
//! * merge.rs: survivorship by source priority and provenance.
//!
//! The rules are documented in docs/normalisation.md ("Resolution").

mod cluster;
mod hubs;
mod ids;
mod keys;
mod merge;
mod names;
mod order;
mod orgs;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{NormRecord, Provenance, SourceRecordRow, Tool};

pub use hubs::NonIdentifying;
pub use ids::tool_id;
pub(crate) use order::parallel_map_from;
use order::{Keyed, packed_prefix, parallel_map, sort_by_text, sort_keyed};
pub use orgs::{MentionRow, ResolvedOrgs, resolve_orgs, resolve_orgs_with};

/// The hash map of the registry and the resolver's working tables: keys come from our own
/// state, so a fast hasher (foldhash, fixed seed) instead of SipHash; nothing depends on its
/// iteration order.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(capacity, foldhash::fast::FixedState::default())
}

/// The id registry: canonical key → (tool id, when the key was registered).
pub type Known = FastMap<String, (String, DateTime<Utc>)>;

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
    /// The source's `id_space`: records of sources sharing one and the same record id are
    /// the same tool.
    pub id_space: Option<Arc<str>>,
}

/// Tools and the rows of `source_records`, sorted by id and by (source, record).
#[derive(Debug, Default)]
pub struct Resolved {
    pub tools: Vec<Tool>,
    pub rows: Vec<SourceRecordRow>,
    /// Records of enrich sources that matched no tool.
    pub unmatched_enrich: usize,
    /// Those records with organisations or use cases, sorted by (source, record): an
    /// organisations directory (code.gouv.fr's accounts) names organisations, not tools.
    pub unmatched_parts: Vec<NormRecord>,
    /// Keys seen for the first time, with the id their tool got: to add to the registry.
    pub new_ids: Vec<(String, String)>,
    /// Registered keys whose tool now has another id (a merge, a split): to update.
    pub moved_ids: Vec<(String, String)>,
    /// Ids retired by a merge: (old id, surviving id), sorted.
    pub aliases: Vec<(String, String)>,
    /// URLs that identify an organisation rather than a tool (no key for any record).
    pub non_identifying: Vec<NonIdentifying>,
}

/// The identity a tool name is compared by (folded words without descriptors such as
/// `LMS` or `server`, qualifiers and trailing versions; docs/normalisation.md), or `None`
/// when nothing is left: `Moodle LMS` and `moodle` give the same.
pub fn name_identity(name: &str) -> Option<String> {
    names::identity(&names::normalise_name(name)).map(|i| i.text)
}

/// Clusters and merges `inputs`; `known` is the id registry.
pub fn resolve(inputs: Vec<Input>, known: &Known) -> Resolved {
    let inputs = sorted(inputs);
    let renames = keys::Renames::learn(&inputs, known);
    let mut features: Vec<keys::Features> = parallel_map(&inputs, |i| keys::features(i, &renames));
    let mut out = Resolved {
        non_identifying: hubs::strip(&mut features, &inputs),
        ..Resolved::default()
    };
    let mut unmatched: Vec<usize> = Vec::new();
    let clusters: Vec<Vec<usize>> = cluster::cluster(&features)
        .into_iter()
        .filter(|members| {
            let creates = members.iter().any(|&m| inputs[m].create);
            if !creates {
                out.unmatched_enrich += members.len();
                unmatched.extend(members.iter().copied().filter(|&m| {
                    let r = &inputs[m].record;
                    !r.organisations.is_empty() || !r.use_cases.is_empty()
                }));
            }
            creates
        })
        .collect();
    unmatched.sort_unstable();
    let registered = Registered::look_up(&features, known);
    let claimants: Vec<ids::Claimant<'_>> = parallel_map(&clusters, |members| {
        claimant(members, &features, &registered)
    });
    let assigned = ids::assign(&claimants, known);
    drop(claimants);
    register(&mut out, &clusters, &features, &registered, &assigned.ids);
    drop(registered);
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
    // Merged in id order, so the tools come out sorted.
    let jobs: Vec<(&Vec<usize>, &String)> = by_id(&assigned.ids)
        .into_iter()
        .map(|c| (&clusters[c], &assigned.ids[c]))
        .collect();
    let mut merged = parallel_map(&jobs, |(members, id)| {
        let refs: Vec<&Input> = members.iter().map(|&i| &inputs[i]).collect();
        merge::merge(id, &refs)
    });
    // Rows go where their record was: `inputs` is sorted by (source, record).
    let mut rows: Vec<Option<(String, Provenance)>> = Vec::new();
    rows.resize_with(inputs.len(), || None);
    for ((members, id), (_, provenance)) in jobs.into_iter().zip(&mut merged) {
        for (&m, provenance) in members.iter().zip(std::mem::take(provenance)) {
            rows[m] = Some((id.clone(), provenance));
        }
    }
    // Both collects reuse the memory of the vector they consume (no second copy of a
    // million records).
    let tools: Vec<Tool> = merged.into_iter().map(|(tool, _)| tool).collect();
    let mut unmatched = unmatched.into_iter().peekable();
    let unmatched_parts = &mut out.unmatched_parts;
    out.rows = inputs
        .into_iter()
        .enumerate()
        .filter_map(|(i, input)| {
            if unmatched.next_if_eq(&i).is_some() {
                unmatched_parts.push(input.record);
                return None;
            }
            let (tool_id, provenance) = rows[i].take()?;
            Some(SourceRecordRow {
                tool_id,
                record: input.record,
                stale: input.stale,
                provenance,
            })
        })
        .collect();
    out.tools = tools;
    out
}

/// `inputs` sorted by (source, record): indices are sorted, records moved once. The state
/// store hands them over in that order already, which a single pass confirms.
fn sorted(inputs: Vec<Input>) -> Vec<Input> {
    fn key(i: &Input) -> (&str, &str) {
        (&i.record.source_id, &i.record.record_id)
    }
    if inputs.is_sorted_by(|a, b| key(a) <= key(b)) {
        return inputs;
    }
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_unstable_by(|&a, &b| key(&inputs[a]).cmp(&key(&inputs[b])));
    let mut slots: Vec<Option<Input>> = inputs.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Indices of `ids` in id order.
fn by_id(ids: &[String]) -> Vec<usize> {
    sort_by_text(
        (0..ids.len()).collect(),
        |&i| ids[i].as_str(),
        |a, b| a.cmp(b),
    )
}

/// The id each registry key of each record is registered to: every key looked up once, on
/// every core (a large registry is mostly cache misses), for the claims and `register`.
struct Registered<'a> {
    /// Per record, in [`keys::Features::registry_keys`] order; empty when the registry is
    /// (a first run: every key is new).
    ids: Vec<Option<&'a str>>,
    /// Where each record's ids start in `ids`, and the end.
    start: Vec<u32>,
    /// As many `None`s as the most keys one record has: what a first run's records get.
    none: Vec<Option<&'a str>>,
}

impl<'a> Registered<'a> {
    fn look_up(features: &[keys::Features<'_>], known: &'a Known) -> Registered<'a> {
        let mut start = Vec::with_capacity(features.len() + 1);
        let (mut total, mut most) = (0, 0);
        for f in features {
            start.push(total as u32);
            let n = f.registry_keys().count();
            total += n;
            most = most.max(n);
        }
        start.push(total as u32);
        let ids = if known.is_empty() {
            Vec::new()
        } else {
            let keys: Vec<&str> = features.iter().flat_map(|f| f.registry_keys()).collect();
            parallel_map(&keys, |k| known.get(*k).map(|(id, _)| id.as_str()))
        };
        Registered {
            ids,
            start,
            none: vec![None; most],
        }
    }

    /// How many registry keys are not registered (at most: a key can repeat).
    fn unregistered(&self) -> usize {
        if self.ids.is_empty() {
            self.start.last().map_or(0, |&n| n as usize)
        } else {
            self.ids.iter().filter(|id| id.is_none()).count()
        }
    }

    /// The registered ids of record `m`'s union keys (in [`keys::Features::union_keys`]
    /// order) and of its `rec:` key, which comes last.
    fn of(&self, m: usize) -> (&[Option<&'a str>], Option<&'a str>) {
        let (from, to) = (self.start[m] as usize, self.start[m + 1] as usize);
        let ids = if self.ids.is_empty() {
            &self.none[..to - from]
        } else {
            &self.ids[from..to]
        };
        let (keys, rec) = ids.split_at(ids.len() - 1);
        (keys, rec[0])
    }
}

/// True when record `m` came more than once (adjacent: inputs are sorted). The state store
/// never hands over a record twice; if it did, the record's `rec:` key would be held by
/// every cluster a copy landed in, so it claims no id and goes to the smallest of theirs.
fn given_twice(features: &[keys::Features], m: usize) -> bool {
    (m > 0 && features[m - 1].rec == features[m].rec)
        || features
            .get(m + 1)
            .is_some_and(|next| next.rec == features[m].rec)
}

/// What the id assignment needs of one cluster.
fn claimant<'a>(
    members: &[usize],
    features: &'a [keys::Features<'_>],
    registered: &Registered<'a>,
) -> ids::Claimant<'a> {
    let fs = || members.iter().map(|&i| &features[i]);
    let min_rec = fs().map(|f| &*f.rec).min().unwrap_or_default();
    let first_key = fs()
        .flat_map(|f| f.repos.iter().map(|(k, _)| &**k))
        .min()
        .or_else(|| fs().filter_map(|f| f.space.as_deref()).min())
        .or_else(|| fs().filter_map(|f| f.home.as_deref()).min())
        .or_else(|| fs().filter_map(|f| f.wikidata.as_deref()).min())
        .unwrap_or(min_rec);
    // Weighed record by record in one buffer (nothing is allocated for a cluster none of
    // whose keys is registered, as on a first run).
    let (mut weights, mut ids) = (Vec::new(), Vec::new());
    for &m in members {
        // A record given twice claims nothing through its `rec:` key.
        let (keys, rec_id) = registered.of(m);
        let rec_id = rec_id.filter(|_| !given_twice(features, m));
        ids.clear();
        ids.extend(keys.iter().flatten().copied().chain(rec_id));
        ids.sort_unstable();
        ids.dedup();
        ids::weigh(&mut weights, rec_id, &ids);
    }
    ids::Claimant {
        first_key,
        min_rec,
        weights,
    }
}

/// Fills `new_ids` and `moved_ids`: every key of a tool points at its id. A key several
/// tools hold (a homepage two conflicting clusters share) keeps its registered id, or, when
/// new, goes to the smallest of their ids.
fn register(
    out: &mut Resolved,
    clusters: &[Vec<usize>],
    features: &[keys::Features],
    registered: &Registered<'_>,
    ids: &[String],
) {
    // (key, id) to add and to move, as borrowed text with their packed prefixes: sorted
    // before the strings are copied.
    let mut new: Vec<Keyed<(&str, &str)>> = Vec::with_capacity(registered.unregistered());
    let mut moved: Vec<Keyed<(&str, &str)>> = Vec::new();
    let mut note = |key, id, registered: Option<&str>| match registered {
        None => new.push((packed_prefix(key), (key, id))),
        Some(old) if old != id => moved.push((packed_prefix(key), (key, id))),
        Some(_) => {}
    };
    // A repository or id-space key is held by one cluster (records sharing one are always
    // united) and a `rec:` key by one record, unless a record came twice: noted cluster by cluster.
    // (key, the id the key is registered to).
    let mut single: Vec<(&str, Option<&str>)> = Vec::new();
    // Keys several clusters may hold (homepages, Wikidata items, the `rec:` key of a record
    // given twice), grouped afterwards by sorting their hashes (a map of a million keys is
    // mostly cache misses): (hash, key, cluster, the id the key is registered to).
    let mut maybe: Vec<(u64, &str, u32, Option<&str>)> = Vec::new();
    for (c, members) in clusters.iter().enumerate() {
        single.clear();
        for &m in members {
            let f = &features[m];
            // Union keys in order: repositories and the id-space key (each held by one
            // cluster), homepage, Wikidata.
            let (union_ids, rec_id) = registered.of(m);
            let (always_ids, rest) = union_ids.split_at(f.repos.len() + f.space.is_some() as usize);
            single.extend(f.always_keys().zip(always_ids.iter().copied()));
            let rec = (!given_twice(features, m)).then_some(&*f.rec);
            single.extend(rec.map(|k| (k, rec_id)));
            let other = f.home.iter().chain(&f.wikidata).map(|k| &**k);
            let other = other.zip(rest.iter().copied());
            for (key, r) in other.chain(rec.is_none().then_some((&*f.rec, rec_id))) {
                maybe.push((cluster::text_hash(key), key, c as u32, r));
            }
        }
        // Members of one cluster often name the same repository.
        single.sort_unstable();
        single.dedup();
        for &(key, registered) in &single {
            note(key, &ids[c], registered);
        }
    }
    maybe.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    for holders in maybe.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        // One key: the same registered id on every entry; clusters in order.
        let (_, key, first, registered) = holders[0];
        let last = holders[holders.len() - 1].2;
        if first == last {
            note(key, &ids[first as usize], registered);
        } else if registered.is_none() {
            // A registered key stays where it is; a new one goes to the smallest id.
            let least = holders.iter().map(|h| ids[h.2 as usize].as_str()).min();
            note(key, least.expect("a key has holders"), None);
        }
    }
    drop(maybe);
    // Keys are unique in each list. The strings are copied on every core.
    let owned = |mut pairs: Vec<Keyed<(&str, &str)>>| -> Vec<(String, String)> {
        sort_keyed(
            &mut pairs,
            |&(key, _)| key,
            |_, _| std::cmp::Ordering::Equal,
        );
        parallel_map(&pairs, |(_, (key, id))| (key.to_string(), id.to_string()))
    };
    out.new_ids = owned(new);
    out.moved_ids = owned(moved);
}

#[cfg(test)]
mod tests;
