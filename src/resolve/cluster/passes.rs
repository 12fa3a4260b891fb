//! Three name passes besides the name-only pairs: the exports of one catalogue (records of
//! one id space carrying a name once each), applications named by what they do, joined to
//! the product their vendor names, and names that state a former name (`Matomo (ex-Piwik)`).

use super::groups::{Clarity, NameGroups, NameIds, catalogue, name_only, source, tells_apart};
use super::*;

impl NameGroups {
    /// Pairs of a record named by what it does and the tool its organisation names: a
    /// record without keys whose own name no other cluster carries (`Sondages en ligne`,
    /// `Messagerie`), with an organisation naming a product (`LimeSurvey GmbH`, `Synacor
    /// (Zimbra)`, [`names::org_products`]) whose name group is [`Clarity::Clear`] and holds
    /// exactly one other cluster with keys (or, with none, exactly one other cluster), joins
    /// it unless their licences disagree. Scored as a name-only pair of the product's name
    /// (the organisation is what matched, so organisations are not weighed).
    pub(super) fn vendor_pairs(
        &self,
        forest: &Forest,
        features: &[Features],
        ids: &[NameIds],
        clarity: &[Clarity],
    ) -> Vec<Pair> {
        let mut out = Vec::new();
        let group = |hash: u64| self.hashes.binary_search(&hash).ok();
        for (i, f) in features.iter().enumerate() {
            let (i, me) = (i as u32, forest.root(i as u32));
            if f.org_products.is_empty() || forest.keyed(me) {
                continue;
            }
            let carried = ids[i as usize].own_hash().and_then(group).is_some_and(|g| {
                let (members, _) = self.group(g);
                members.iter().any(|&m| forest.root(m) != me)
            });
            if carried {
                continue;
            }
            // The hashes of the name's leading words run together: a name that already
            // names the product (`Docker Swarm` by Docker Inc.) is another of its products.
            let words = names::identity_words(&f.name);
            let leading: Vec<u64> = (1..=words.len())
                .map(|k| text_hash(&words[..k].concat()))
                .collect();
            for &product in &f.org_products {
                if leading.contains(&product) {
                    continue;
                }
                // The product's records: its name group, or the one record carrying it.
                let Some((members, len, clear)) = self.carriers(product, clarity) else {
                    continue;
                };
                if !clear {
                    continue;
                }
                let others: Vec<(u32, u32)> = members
                    .iter()
                    .map(|&m| (forest.root(m), m))
                    .filter(|&(r, _)| r != me)
                    .collect();
                let mut all = others;
                all.sort_unstable();
                all.dedup_by_key(|e| e.0);
                let keyed: Vec<(u32, u32)> = all
                    .iter()
                    .copied()
                    .filter(|&(r, _)| forest.keyed(r))
                    .collect();
                let target = match (keyed.as_slice(), all.as_slice()) {
                    ([one], _) => *one,
                    ([], [one]) => *one,
                    _ => continue,
                };
                let mut e = name_only(features, i, target.1, len);
                if e.license == Some(false) {
                    continue;
                }
                e.orgs = None;
                let points = names::name_only_points(e);
                out.push((1.0 + points, i.min(target.1), i.max(target.1), true));
            }
        }
        out
    }

    /// Pairs of one catalogue's exports: records of two sources of one id space (yearly
    /// exports of one catalogue, whether their ids are stable or not) carrying one
    /// distinctive identity are one tool when each of those sources carries it in one
    /// cluster only: a catalogue lists a name once a year. Taken before the other name
    /// pairs, in every group but [`Clarity::Common`] ones, so a spreadsheet row without
    /// a licence rides with the next year's row that has one.
    pub(super) fn catalogue_pairs(
        &self,
        forest: &Forest,
        features: &[Features],
        clarity: &[Clarity],
    ) -> Vec<Pair> {
        let mut out = Vec::new();
        for ((members, _, len), &clarity) in self.iter_flagged().zip(clarity) {
            if clarity == Clarity::Common {
                continue;
            }
            // (catalogue, source, cluster, record) of the records of an id space.
            let mut entries: Vec<(&str, &str, u32, u32)> = members
                .iter()
                .filter(|&&i| features[i as usize].space.is_some())
                .map(|&i| {
                    let (c, s) = (catalogue(features, i), source(features, i));
                    (c, s, forest.root(i), i)
                })
                .collect();
            entries.sort_unstable();
            entries.dedup_by_key(|e| (e.0, e.1, e.2));
            for exports in entries.chunk_by(|a, b| a.0 == b.0) {
                let sources: Vec<&[(&str, &str, u32, u32)]> =
                    exports.chunk_by(|a, b| a.1 == b.1).collect();
                if sources.len() < 2 || sources.iter().any(|s| s.len() > 1) {
                    continue;
                }
                // Homepages on different hosts, or other versions, tell them apart.
                let told: Vec<(&str, u32, u32)> = exports.iter().map(|e| (e.0, e.2, e.3)).collect();
                if told
                    .windows(2)
                    .any(|w| w[0].1 != w[1].1 && tells_apart(forest, features, w))
                {
                    continue;
                }
                let first = sources[0][0].3;
                for other in &sources[1..] {
                    let b = other[0].3;
                    let points = names::name_only_points(name_only(features, first, b, len));
                    out.push((1.0 + points, first.min(b), first.max(b), true));
                }
            }
        }
        out
    }
}

impl NameGroups {
    /// A record whose name states a former name (`Matomo (ex-Piwik)`, `names::former_names`)
    /// joins the one tool carrying that name (`Piwik`, a clear name group with exactly one
    /// cluster with keys other than its own, or exactly one cluster), even across two
    /// repositories on one forge: a rebrand moves the repository (`piwik/piwik` →
    /// `matomo-org/matomo`). Never across Wikidata items that differ.
    pub(super) fn unite_former_names(
        &self,
        forest: &mut Forest,
        features: &[Features],
        clarity: &[Clarity],
    ) {
        if features.iter().all(|f| f.former.is_empty()) {
            return;
        }
        for (i, f) in features.iter().enumerate() {
            for &former in f.former.iter() {
                let Some((members, _, true)) = self.carriers(former, clarity) else {
                    continue;
                };
                let me = forest.find(i as u32);
                let mut others: Vec<u32> = members
                    .iter()
                    .map(|&m| forest.root(m))
                    .filter(|&r| r != me)
                    .collect();
                others.sort_unstable();
                others.dedup();
                let keyed: Vec<u32> = others
                    .iter()
                    .copied()
                    .filter(|&r| forest.keyed(r))
                    .collect();
                let target = match (keyed.as_slice(), others.as_slice()) {
                    ([one], _) => *one,
                    ([], [one]) => *one,
                    _ => continue,
                };
                if !forest.wikidata_clash(me, target) {
                    forest.union(me, target);
                }
            }
        }
    }
}
