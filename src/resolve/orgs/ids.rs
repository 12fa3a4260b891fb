//! Organisation ids through the id registry (keys prefixed `org:`), as for tools: claims by
//! registered keys, the oldest id kept on a merge, new ids derived from a cluster's first key.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Mention, ResolvedOrgs};
use crate::resolve::Known;
use crate::resolve::order::parallel_map;

type FastSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;
use crate::resolve::ids::derived_id;

/// The keys a cluster is registered under: its mentions' keys, and one per mention (its
/// record, role and name or website), so an organisation keeps its id when its keys change;
/// sorted, each once.
fn cluster_keys<'m>(members: &[usize], ms: &'m [Mention]) -> Vec<Cow<'m, str>> {
    let mut keys: Vec<Cow<'m, str>> = Vec::new();
    for &i in members {
        let m = &ms[i];
        keys.extend(m.strong.iter().map(|k| Cow::Borrowed(k.as_str())));
        keys.extend(m.soft.iter().map(|k| Cow::Borrowed(k.as_str())));
        let what = m
            .form
            .as_deref()
            .or(m.org.website.as_deref())
            .or(m.org.forge_account.as_deref())
            .unwrap_or_default();
        let rec = m.record;
        keys.push(Cow::Owned(format!(
            "org:rec:{}/{}/{}/{what}",
            rec.source_id,
            rec.record_id,
            m.org.role.as_str()
        )));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Ids through the registry, as for tools: a cluster claims the `co_` ids its keys are
/// registered to; an id goes to the cluster with the most keys registered to it; a cluster
/// that wins several keeps the oldest (the others become aliases); one that wins none gets
/// `co_` + the hash of its first key (strong keys first), never an id seen before.
pub(super) fn assign_ids(
    clusters: &[Vec<usize>],
    ms: &[Mention],
    known: &Known,
    out: &mut ResolvedOrgs,
) -> Vec<String> {
    let keys: Vec<Vec<Cow<str>>> = parallel_map(clusters, |c| cluster_keys(c, ms));
    // id → (cluster, keys registered to it), the best claim per id.
    let mut claims: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (c, ks) in keys.iter().enumerate() {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for k in ks {
            if let Some((id, _)) = known.get(k.as_ref())
                && id.starts_with("co_")
            {
                *counts.entry(id).or_default() += 1;
            }
        }
        for (id, n) in counts {
            claims.entry(id).or_default().push((c, n));
        }
    }
    let registered_at = |id: &str, ks: &[Cow<str>]| {
        ks.iter()
            .filter_map(|k| {
                known
                    .get(k.as_ref())
                    .filter(|(i, _)| i == id)
                    .map(|(_, t)| *t)
            })
            .min()
    };
    let mut won: Vec<Vec<&str>> = vec![Vec::new(); clusters.len()];
    for (id, mut cs) in claims {
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
    for (c, ids_won) in won.iter().enumerate() {
        let id = match ids_won
            .iter()
            .min_by_key(|id| (registered_at(id, &keys[c]), **id))
        {
            Some(&oldest) => {
                for &other in ids_won.iter().filter(|&&i| i != oldest) {
                    out.aliases.push((other.to_string(), oldest.to_string()));
                }
                oldest.to_string()
            }
            None => {
                let first = first_key(&clusters[c], ms).unwrap_or_else(|| keys[c][0].to_string());
                let mut n = 1;
                loop {
                    let key = if n == 1 {
                        first.clone()
                    } else {
                        format!("{first}#{n}")
                    };
                    let id = derived_id("co_", &key);
                    if !taken.contains(id.as_str()) && !derived.contains(&id) {
                        break id;
                    }
                    n += 1;
                }
            }
        };
        for k in &keys[c] {
            match known.get(k.as_ref()) {
                None => out.new_ids.push((k.to_string(), id.clone())),
                Some((old, _)) if *old != id => out.moved_ids.push((k.to_string(), id.clone())),
                Some(_) => {}
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

/// The smallest strong key of a cluster, else its smallest website or name key.
fn first_key(members: &[usize], ms: &[Mention]) -> Option<String> {
    let strong = members.iter().flat_map(|&i| ms[i].strong.iter()).min();
    strong
        .or_else(|| members.iter().flat_map(|&i| ms[i].soft.iter()).min())
        .cloned()
}
