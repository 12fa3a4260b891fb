//! The last step of the name stage: a cluster without keys joins the one cluster with keys
//! whose name its name begins (`Jitsi` and `Jitsi Meet`), when evidence agrees.

use super::*;

/// The shortest identity a cluster without keys may extend from.
pub(super) const MIN_EXTENDED_LEN: usize = 4;

/// A cluster without keys whose name no cluster with keys carries, but whose name's words
/// begin exactly one such cluster's name, followed by one or two words that do not make a
/// variant ([`VARIANT_WORDS`]): `Jitsi` in a spreadsheet and `Jitsi Meet` in a registry. It
/// joins that cluster when their evidence agrees (a licence family, similar descriptions,
/// an organisation) and nothing disagrees.
pub(super) fn extension_pairs(forest: &Forest, features: &[Features]) -> Vec<Pair> {
    let keyed = |i: u32| forest.keyed(forest.root(i));
    // (hash of the first k identity words, record) of records with keys, where 1 or 2 words
    // follow and none makes a variant; and the identities records with keys carry.
    let mut starts: Vec<(u64, u32)> = Vec::new();
    let mut carried: Vec<u64> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let i = i as u32;
        if f.name.is_empty() || !keyed(i) {
            continue;
        }
        let words = names::identity_words(&f.name);
        carried.push(text_hash(&words.concat()));
        for k in words.len().saturating_sub(2).max(1)..words.len() {
            if words[k..].iter().all(|w| !names::is_variant_word(w)) {
                starts.push((text_hash(&words[..k].concat()), i));
            }
        }
    }
    starts.sort_unstable();
    carried.sort_unstable();
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let i = i as u32;
        if f.name.is_empty() || keyed(i) {
            continue;
        }
        let Some(id) = names::identity(&f.name) else {
            continue;
        };
        let hash = text_hash(&id.text);
        if id.generic || id.text.len() < MIN_EXTENDED_LEN || carried.binary_search(&hash).is_ok() {
            continue;
        }
        let from = starts.partition_point(|s| s.0 < hash);
        let to = starts.partition_point(|s| s.0 <= hash);
        let candidates = &starts[from..to];
        let mut targets: Vec<u32> = candidates.iter().map(|&(_, j)| forest.root(j)).collect();
        targets.sort_unstable();
        targets.dedup();
        if targets.len() != 1 {
            continue;
        }
        // The best-supported record of that cluster.
        let best = candidates
            .iter()
            .map(|&(_, j)| {
                let e = name_only(features, i, j, id.text.len());
                let against = e.license == Some(false)
                    || e.orgs == Some(false)
                    || e.descriptions == Some(false);
                let name_points = names::name_only_points(names::NameOnly {
                    len: e.len,
                    ..names::NameOnly::default()
                });
                let evidence = names::name_only_points(e) - name_points;
                (!against && evidence > 1e-9).then_some((evidence, j))
            })
            .max_by(|a, b| {
                let (a, b) = (a.unwrap_or((0.0, 0)), b.unwrap_or((0.0, 0)));
                a.0.total_cmp(&b.0).then(b.1.cmp(&a.1))
            })
            .flatten();
        if let Some((evidence, j)) = best {
            // Scored so that the evidence alone carries it (the cluster without keys has no
            // homepage to cost anything at `apply`).
            out.push((
                1.0 + names::NAME_ONLY_MIN + evidence,
                i.min(j),
                i.max(j),
                true,
            ));
        }
    }
    out
}
