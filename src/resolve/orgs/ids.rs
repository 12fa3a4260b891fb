//! Organisation ids through the id registry (keys prefixed `org:`), as for tools: claims by
//! registered keys, the oldest id kept on a merge, new ids derived from a cluster's first key.
//!
//! A cluster's keys are written out as text ([`key_text`]) one cluster at a time, on every
//! core, looked up and dropped: what is kept per cluster is the ids its keys are registered
//! to and the keys the registry does not know yet (they are registered), not every key.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Mention, ResolvedOrgs, key_text};
use crate::resolve::Known;
use crate::resolve::order::parallel_map;

type FastSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;
use crate::resolve::ids::derived_id;

/// The keys a cluster is registered under: its mentions' keys, and one per mention (its
/// record, role and name or website), so an organisation keeps its id when its keys change;
/// sorted, each once. With them, the key a new id is derived from: the smallest strong
/// key, else the smallest website or name key, else the smallest key.
fn cluster_keys(members: &[u32], ms: &[Mention]) -> (Vec<String>, String) {
    let mut keys: Vec<String> = Vec::new();
    let (mut strong, mut soft): (Option<String>, Option<String>) = (None, None);
    let smaller = |min: &mut Option<String>, ks: &[String]| {
        if let Some(k) = ks.iter().min()
            && min.as_ref().is_none_or(|m| k < m)
        {
            *min = Some(k.clone());
        }
    };
    for &i in members {
        let m = &ms[i as usize];
        let k = key_text(m.org);
        smaller(&mut strong, &k.strong);
        smaller(&mut soft, &k.soft);
        let what = k
            .form
            .as_deref()
            .or(m.org.website.as_deref())
            .or(m.org.forge_account.as_deref())
            .unwrap_or_default();
        let rec = m.record;
        keys.push(format!(
            "org:rec:{}/{}/{}/{what}",
            rec.source_id,
            rec.record_id,
            m.org.role.as_str()
        ));
        keys.extend(k.strong);
        keys.extend(k.soft);
    }
    keys.sort_unstable();
    keys.dedup();
    let first = strong.or(soft).unwrap_or_else(|| keys[0].clone());
    (keys, first)
}

/// What the registry says of one cluster's keys.
struct Claims<'k> {
    /// The ids its keys are registered to, each with how many of its keys and the earliest
    /// registration among them, by id.
    ids: Vec<(&'k str, usize, DateTime<Utc>)>,
    /// Its keys the registry does not know, sorted.
    new: Vec<String>,
    /// The key a new id would be derived from.
    first: String,
}

fn claims<'k>(members: &[u32], ms: &[Mention], known: &'k Known) -> Claims<'k> {
    let (keys, first) = cluster_keys(members, ms);
    let mut ids: Vec<(&'k str, usize, DateTime<Utc>)> = Vec::new();
    let mut new = Vec::new();
    for k in keys {
        match known.get(k.as_str()) {
            Some((id, at)) => match ids.iter_mut().find(|(i, _, _)| *i == id) {
                Some((_, n, first_at)) => {
                    *n += 1;
                    *first_at = (*first_at).min(*at);
                }
                None => ids.push((id, 1, *at)),
            },
            None => new.push(k),
        }
    }
    ids.sort_unstable_by(|a, b| a.0.cmp(b.0));
    new.shrink_to_fit();
    Claims { ids, new, first }
}

/// Ids through the registry, as for tools: a cluster claims the `co_` ids its keys are
/// registered to; an id goes to the cluster with the most keys registered to it; a cluster
/// that wins several keeps the oldest (the others become aliases); one that wins none gets
/// `co_` + the hash of its first key (strong keys first), never an id seen before.
pub(super) fn assign_ids(
    clusters: &[&[u32]],
    ms: &[Mention],
    known: &Known,
    out: &mut ResolvedOrgs,
) -> Vec<String> {
    let all: Vec<Claims> = parallel_map(clusters, |c| claims(c, ms, known));
    // id → (cluster, keys registered to it), the best claim per id.
    let mut claimed: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (c, cl) in all.iter().enumerate() {
        for &(id, n, _) in &cl.ids {
            if id.starts_with("co_") {
                claimed.entry(id).or_default().push((c, n));
            }
        }
    }
    let mut won: Vec<Vec<&str>> = vec![Vec::new(); clusters.len()];
    for (id, mut cs) in claimed {
        cs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        won[cs[0].0].push(id);
    }
    // Ids seen before or given in this run: an id derived for a cluster must be new.
    let taken: FastSet<&str> = known
        .values()
        .map(|(id, _)| id.as_str())
        .filter(|id| id.starts_with("co_"))
        .collect();
    let mut derived: FastSet<String> = FastSet::default();
    let mut ids = Vec::with_capacity(clusters.len());
    out.new_ids
        .reserve_exact(all.iter().map(|cl| cl.new.len()).sum());
    for (c, (ids_won, cl)) in won.iter().zip(all).enumerate() {
        let registered_at = |id: &str| {
            cl.ids
                .binary_search_by(|(i, _, _)| (*i).cmp(id))
                .ok()
                .map(|at| cl.ids[at].2)
        };
        let id = match ids_won.iter().min_by_key(|id| (registered_at(id), **id)) {
            Some(&oldest) => {
                for &other in ids_won.iter().filter(|&&i| i != oldest) {
                    out.aliases.push((other.to_string(), oldest.to_string()));
                }
                oldest.to_string()
            }
            None => {
                let mut n = 1;
                loop {
                    let key = if n == 1 {
                        cl.first.clone()
                    } else {
                        format!("{}#{n}", cl.first)
                    };
                    let id = derived_id("co_", &key);
                    if !taken.contains(id.as_str()) && !derived.contains(&id) {
                        break id;
                    }
                    n += 1;
                }
            }
        };
        out.new_ids
            .extend(cl.new.into_iter().map(|k| (k, id.clone())));
        // Keys registered to another id: written out again (only for such a cluster).
        if cl.ids.iter().any(|(old, _, _)| *old != id) {
            for k in cluster_keys(clusters[c], ms).0 {
                if let Some((old, _)) = known.get(k.as_str())
                    && *old != id
                {
                    out.moved_ids.push((k, id.clone()));
                }
            }
        }
        if !taken.contains(id.as_str()) {
            derived.insert(id.clone());
        }
        ids.push(id);
    }
    out.aliases.sort();
    out.new_ids.sort_unstable();
    out.moved_ids.sort_unstable();
    ids
}
