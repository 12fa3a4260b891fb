//! Tool ids: `ct_` + 12 characters (lowercase base32) of the SHA-256 of a canonical key, kept
//! stable through the id registry (canonical key → tool id, registered at).
//!
//! Every cluster claims the ids its records' keys are registered to. An id goes to the
//! cluster with the most records whose own `rec:` key is registered to it (then the most
//! records with any key registered to it, then the smallest cluster key): a split keeps the
//! id on its larger part. A cluster that wins several ids keeps the oldest (the earliest
//! `registered_at` of the id's keys) and the others become aliases of it: two tools merged.
//! A cluster that wins none gets a new id derived from its first key, never one the registry
//! has seen (when two clusters have the same first key, the one whose first record sorts
//! first mints first). Claims are ranked by cluster keys and clusters come in the order of
//! their first record by (source, record), so ids never depend on the order records arrived in.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{FastMap, Known, fast_map};

type FastSet<T> = HashSet<T, foldhash::fast::FixedState>;

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The id derived from `key` (e.g. `repo:https://github.com/decidim/decidim`).
pub fn tool_id(key: &str) -> String {
    id_text(id_bits(key))
}

/// `prefix` and the id bits of `key` in 12 base32 characters: tools' `ct_` ids, and the
/// `co_`, `cu_` ids of organisations and use cases.
pub(crate) fn derived_id(prefix: &str, key: &str) -> String {
    prefixed_text(prefix, id_bits(key))
}

/// The 60 bits of the id derived from `key`: the first 60 bits of its SHA-256.
fn id_bits(key: &str) -> u64 {
    let digest = Sha256::digest(key.as_bytes());
    let first = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    first >> 4
}

/// `ct_` and the 60 bits in 12 base32 characters.
fn id_text(bits: u64) -> String {
    prefixed_text("ct_", bits)
}

/// `prefix` and the 60 bits in 12 base32 characters.
fn prefixed_text(prefix: &str, bits: u64) -> String {
    let mut id = String::with_capacity(prefix.len() + 12);
    id.push_str(prefix);
    for i in 0..12 {
        let idx = (bits >> (55 - 5 * i)) & 31;
        id.push(ALPHABET[idx as usize] as char);
    }
    id
}

/// The 60 bits of an id written by [`id_text`]; `None` for any other text (an id no new
/// one can ever equal).
fn id_value(id: &str) -> Option<u64> {
    let rest = id.strip_prefix("ct_").filter(|r| r.len() == 12)?;
    rest.bytes().try_fold(0u64, |bits, c| {
        let v = ALPHABET.iter().position(|&a| a == c)?;
        Some((bits << 5) | v as u64)
    })
}

/// What the id assignment needs of one cluster.
#[derive(Default)]
pub struct Claimant<'a> {
    /// The key its new id would derive from (see `first_key`).
    pub first_key: &'a str,
    /// Its smallest `rec:` key: with `first_key`, unique among clusters.
    pub min_rec: &'a str,
    /// The ids its records are registered to: (id, records whose own `rec:` key is
    /// registered to it, records with any key registered to it), built by [`weigh`].
    pub weights: Vec<(&'a str, usize, usize)>,
}

/// The outcome of the assignment.
#[derive(Debug, Default)]
pub struct Assigned {
    /// One id per claimant, in order.
    pub ids: Vec<String>,
    /// (retired id, the id it now points to), sorted.
    pub aliases: Vec<(String, String)>,
}

/// Assigns an id to every claimant.
pub fn assign(claimants: &[Claimant<'_>], known: &Known) -> Assigned {
    // Per id: best claim (rec weight, key weight, claimant) with the claimant's order key.
    let mut best: FastMap<&str, (usize, usize, usize)> = fast_map(claimants.len());
    for (c, claimant) in claimants.iter().enumerate() {
        for &(id, rw, kw) in &claimant.weights {
            let rank = |c: usize, rw: usize, kw: usize| {
                let cl = &claimants[c];
                (rw, kw, Reverse((cl.first_key, cl.min_rec)))
            };
            let better = best
                .get(id)
                .is_none_or(|&(brw, bkw, b)| rank(c, rw, kw) > rank(b, brw, bkw));
            if better {
                best.insert(id, (rw, kw, c));
            }
        }
    }
    // (claimant, id it won), grouped by claimant: most win one id, or none.
    let mut won: Vec<(usize, &str)> = best.iter().map(|(id, &(_, _, c))| (c, *id)).collect();
    drop(best);
    won.sort_unstable();
    let contested: HashSet<&str> = won
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|ids| ids.len() > 1)
        .flatten()
        .map(|&(_, id)| id)
        .collect();
    let age = ages(known, &contested);
    let mut out = Assigned {
        ids: vec![String::new(); claimants.len()],
        ..Assigned::default()
    };
    for ids in won.chunk_by_mut(|a, b| a.0 == b.0) {
        if ids.len() > 1 {
            ids.sort_unstable_by_key(|&(_, id)| (age[id], id));
        }
        let ((c, keep), rest) = ids.split_first().expect("chunks are not empty");
        out.ids[*c] = keep.to_string();
        out.aliases
            .extend(rest.iter().map(|(_, r)| (r.to_string(), keep.to_string())));
    }
    // Claimants needing a new id, in their order (of their first record): only clusters
    // with the same first key (two conflicting clusters sharing a homepage) mint in turn.
    let fresh: Vec<usize> = (0..claimants.len())
        .filter(|&c| out.ids[c].is_empty())
        .collect();
    // Every id the registry holds, when some cluster needs a new one: never reuse an id.
    // Ids are compared as their 60-bit values; a registry id of another form can never
    // equal a new one.
    let mut taken: FastSet<u64> = FastSet::default();
    if !fresh.is_empty() {
        taken.extend(known.values().filter_map(|(id, _)| id_value(id)));
    }
    // The hashes on every core; the minting in order, as a clash moves a later cluster on.
    let first_choice = super::parallel_map(&fresh, |&c| id_bits(claimants[c].first_key));
    taken.reserve(fresh.len());
    for (c, mut bits) in fresh.into_iter().zip(first_choice) {
        let key = claimants[c].first_key;
        let mut n = 1;
        while !taken.insert(bits) {
            n += 1;
            bits = id_bits(&format!("{key}#{n}"));
        }
        out.ids[c] = id_text(bits);
    }
    out.aliases.sort();
    out
}

/// Adds one record's claims to a claimant's `weights`: `ids` are the ids any of its keys
/// (the `rec:` key too) are registered to, each once; `rec_id` the one its own `rec:` key is.
/// A cluster claims few ids, so a list beats a map.
pub fn weigh<'a>(
    weights: &mut Vec<(&'a str, usize, usize)>,
    rec_id: Option<&'a str>,
    ids: &[&'a str],
) {
    for &id in ids {
        let at = match weights.iter().position(|w| w.0 == id) {
            Some(at) => at,
            None => {
                weights.push((id, 0, 0));
                weights.len() - 1
            }
        };
        weights[at].2 += 1;
        if Some(id) == rec_id {
            weights[at].1 += 1;
        }
    }
}

/// The age of each claimed id: the earliest `registered_at` of the keys registered to it.
fn ages<'a>(known: &'a Known, claimed: &HashSet<&str>) -> HashMap<&'a str, DateTime<Utc>> {
    let mut age: HashMap<&str, DateTime<Utc>> = HashMap::new();
    if claimed.is_empty() {
        return age;
    }
    for (id, at) in known.values() {
        if claimed.contains(id.as_str()) {
            let e = age.entry(id.as_str()).or_insert(*at);
            *e = (*e).min(*at);
        }
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_values_round_trip_and_reject_other_text() {
        for key in [
            "repo:https://github.com/decidim/decidim",
            "rec:a/1",
            "",
            "wd:Q1",
        ] {
            let bits = id_bits(key);
            assert!(bits < 1 << 60);
            assert_eq!(id_value(&tool_id(key)), Some(bits), "{key}");
        }
        assert_eq!(id_text(0), "ct_aaaaaaaaaaaa");
        assert_eq!(id_text((1 << 60) - 1), "ct_777777777777");
        for other in [
            "ct_",
            "ct_aaaaaaaaaaa",
            "ct_aaaaaaaaaaaaa",
            "ct_AAAAAAAAAAAA",
            "xx_aaaaaaaaaaaa",
            "ct_aaaaaaaaaaa1",
        ] {
            assert_eq!(id_value(other), None, "{other}");
        }
    }

    #[test]
    fn a_new_id_never_reuses_a_registered_one() {
        let key = "repo:https://github.com/decidim/decidim";
        let at = chrono::Utc::now();
        // The registry already gave the id this key would derive to another tool.
        let known: Known = [(
            "repo:https://elsewhere.org/x".to_string(),
            (tool_id(key), at),
        )]
        .into_iter()
        .collect();
        let claimant = |rec: &'static str| Claimant {
            first_key: key,
            min_rec: rec,
            weights: vec![],
        };
        // Two clusters with the same first key (conflicting clusters sharing a homepage).
        let out = assign(&[claimant("rec:a/1"), claimant("rec:b/1")], &known);
        assert_eq!(out.ids[0], tool_id(&format!("{key}#2")));
        assert_eq!(out.ids[1], tool_id(&format!("{key}#3")));
    }
}
