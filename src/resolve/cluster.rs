//! Clusters: union-find over strong keys, then the scored name match, never across a conflict.
//!
//! 1. Records sharing a repository key are one tool, always.
//! 2. Records sharing a Wikidata item or a homepage key join, unless their clusters conflict:
//!    two different repositories on one host, or two different Wikidata items. When a key is
//!    shared by clusters that conflict, a record joins the one whose name is closest.
//! 3. Records whose names match (see `names`) with agreement on organisation or host join,
//!    unless their clusters conflict or name different homepage hosts. Pairs come from
//!    blocks of records sharing a blocking key; a large block is compared in a sliding window
//!    over its sorted names, so the work stays close to linear.
//!
//! Records are processed in their sorted order and candidate pairs in score order, so the
//! clusters never depend on the order the records arrived in.

use strsim::jaro_winkler;

use super::keys::Features;
use super::names::{self, Evidence};

/// Blocks up to this size are compared pair by pair; larger ones in a sliding window.
const FULL_BLOCK: usize = 48;
/// Neighbours each record of a large block is compared with.
const WINDOW: usize = 8;
/// Distinct clusters remembered per conditional key.
const MAX_OWNERS: usize = 8;

/// What a cluster holds that another cluster may conflict with: hashes of its repository
/// hosts, Wikidata items and homepage hosts (not shared), 64 bits with the top two replaced
/// by the fact's kind, sorted (so grouped by kind), each once. Two facts of a kind are
/// the same when their hashes are: a false match needs a collision of 62-bit hashes (about
/// one in 5 × 10^18 per pair). One vector of integers per record, not three lists of text.
type Summary = Vec<u64>;

const REPO_HOST: u64 = 0;
const WIKIDATA: u64 = 1;
const HOST: u64 = 2;

/// The fact `s` of kind `kind` in a [`Summary`] (foldhash, fixed seed: the same in every run).
fn fact(kind: u64, s: &str) -> u64 {
    (kind << 62) | (text_hash(s) >> 2)
}

/// A 64-bit hash of `s` (foldhash, fixed seed: the same in every run).
pub(super) fn text_hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(s)
}

/// The facts of kind `kind` in `summary`.
fn facts(summary: &[u64], kind: u64) -> &[u64] {
    let from = summary.partition_point(|&f| f >> 62 < kind);
    let to = summary.partition_point(|&f| f >> 62 <= kind);
    &summary[from..to]
}

/// True when the sorted lists `a` and `b` have an element in common.
fn meet(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Both name facts of a kind, none in common.
fn disagree(a: &[u64], b: &[u64]) -> bool {
    !a.is_empty() && !b.is_empty() && !meet(a, b)
}

/// Union-find with a conflict summary per root.
struct Forest {
    parent: Vec<u32>,
    summary: Vec<Summary>,
}

impl Forest {
    fn find(&mut self, mut i: u32) -> u32 {
        while self.parent[i as usize] != i {
            let p = self.parent[i as usize];
            self.parent[i as usize] = self.parent[p as usize];
            i = p;
        }
        i
    }

    /// The root of `i`, without compressing paths (the forest can be shared).
    fn root(&self, mut i: u32) -> u32 {
        while self.parent[i as usize] != i {
            i = self.parent[i as usize];
        }
        i
    }

    fn conflict(&self, a: u32, b: u32) -> bool {
        let (sa, sb) = (&self.summary[a as usize], &self.summary[b as usize]);
        // Distinct clusters share no repository (step 1), so one host in common is a clash.
        meet(facts(sa, REPO_HOST), facts(sb, REPO_HOST))
            || disagree(facts(sa, WIKIDATA), facts(sb, WIKIDATA))
    }

    fn host_clash(&self, a: u32, b: u32) -> bool {
        let (sa, sb) = (&self.summary[a as usize], &self.summary[b as usize]);
        disagree(facts(sa, HOST), facts(sb, HOST))
    }

    /// Joins the clusters of `a` and `b` (the smaller index becomes the root).
    fn union(&mut self, a: u32, b: u32) -> u32 {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        let (root, child) = (a.min(b), a.max(b));
        self.parent[child as usize] = root;
        let moved = std::mem::take(&mut self.summary[child as usize]);
        let s = &mut self.summary[root as usize];
        s.extend(moved);
        s.sort_unstable();
        s.dedup();
        root
    }
}

/// Indices of `features` grouped into clusters, each sorted, in order of first member.
pub fn cluster(features: &[Features]) -> Vec<Vec<usize>> {
    let mut forest = Forest {
        parent: (0..features.len() as u32).collect(),
        summary: super::parallel_map(features, |f| {
            let repo_hosts = f.repos.iter().map(|(_, h)| fact(REPO_HOST, h));
            let wikidata = f.wikidata.iter().map(|w| fact(WIKIDATA, w));
            let hosts = f.host.iter().map(|h| fact(HOST, h));
            let mut summary: Summary = repo_hosts.chain(wikidata).chain(hosts).collect();
            summary.sort_unstable();
            summary.dedup();
            summary
        }),
    };
    unite_repositories(&mut forest, features);
    unite_conditional(&mut forest, features, |f| f.wikidata.as_deref());
    unite_conditional(&mut forest, features, |f| f.home.as_deref());
    unite_names(&mut forest, features);
    // A root is its cluster's smallest index, so groups come out in order of first member.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot: Vec<u32> = vec![u32::MAX; features.len()];
    for i in 0..features.len() {
        let root = forest.find(i as u32) as usize;
        if slot[root] == u32::MAX {
            slot[root] = groups.len() as u32;
            groups.push(Vec::new());
        }
        groups[slot[root] as usize].push(i);
    }
    groups
}

fn unite_repositories(forest: &mut Forest, features: &[Features]) {
    for (first, other) in shared(features, Features::always_keys) {
        forest.union(other, first);
    }
}

/// (first record, other record) for every key `keys_of` gives several records, sorted.
/// Keys are grouped by sorting their hashes (a million keys in a hash map is mostly cache
/// misses); records whose hashes agree are compared by their keys.
fn shared<'a, K: IntoIterator<Item = &'a str>>(
    features: &'a [Features<'a>],
    keys_of: impl Fn(&'a Features<'a>) -> K,
) -> Vec<(u32, u32)> {
    let mut hashed: Vec<(u64, u32, &str)> = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        hashed.extend(keys_of(f).into_iter().map(|k| (text_hash(k), i as u32, k)));
    }
    hashed.sort_unstable_by_key(|&(h, i, _)| (h, i));
    let mut pairs = Vec::new();
    for run in hashed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        for (at, &(_, i, key)) in run.iter().enumerate() {
            // The first record of this run with the same key (usually the run's first).
            if let Some(&(_, first, _)) = run[..at].iter().find(|&&(_, _, k)| k == key)
                && first != i
            {
                pairs.push((first, i));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Joins records sharing the key `key_of` gives, unless their clusters conflict. Keys are
/// visited in order of their first record; records with a repository or a Wikidata item go
/// first; a record that several conflicting clusters could join picks the one it resembles
/// most (organisation, then name).
fn unite_conditional<'a>(
    forest: &mut Forest,
    features: &'a [Features],
    key_of: impl Fn(&'a Features) -> Option<&'a str>,
) {
    // (first record, other record) for keys held by several, sorted.
    let others = shared(features, key_of);
    for group in others.chunk_by(|a, b| a.0 == b.0) {
        let mut members: Vec<u32> = std::iter::once(group[0].0)
            .chain(group.iter().map(|&(_, i)| i))
            .collect();
        members.sort_by_key(|&i| {
            let f = &features[i as usize];
            (f.repos.is_empty() && f.wikidata.is_none(), i)
        });
        let mut owners: Vec<u32> = Vec::new();
        for i in members {
            let me = forest.find(i);
            let mut best: Option<(f64, u32)> = None;
            let mut together = false;
            for &o in &owners {
                let root = forest.find(o);
                together |= root == me;
                if together || forest.conflict(root, me) {
                    continue;
                }
                let a = affinity(&features[i as usize], &features[o as usize]);
                if best.is_none_or(|(s, _)| a > s) {
                    best = Some((a, root));
                }
            }
            match best {
                _ if together => {}
                Some((_, root)) => {
                    forest.union(root, i);
                }
                None if owners.len() < MAX_OWNERS => owners.push(i),
                None => {}
            }
        }
    }
}

/// How much two records resemble each other: organisation in common, then names.
fn affinity(a: &Features, b: &Features) -> f64 {
    let org = a.orgs.iter().any(|o| b.orgs.contains(o));
    let name = if a.name.is_empty() || b.name.is_empty() {
        0.0
    } else {
        jaro_winkler(&a.name, &b.name)
    };
    name + if org { 1.0 } else { 0.0 }
}

/// A candidate pair of the name stage: (score, record, record, name only). Corroborated
/// pairs score their similarity plus bonuses (at least 1.0); name-only pairs 1.0 plus their
/// points (see `names::name_only_points`).
type Pair = (f64, u32, u32, bool);

/// The name stage: scored pairs with an organisation or homepage in common (blocks), and
/// pairs that share a distinctive name (see [`name_only_pairs`]), applied best first.
fn unite_names(forest: &mut Forest, features: &[Features]) {
    // (blocking key, record), grouped by key: the order blocks are visited in does not
    // matter, their pairs are sorted by score below.
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(features.len() * 2);
    for (i, f) in features.iter().enumerate() {
        if !f.name.is_empty() {
            keyed.extend(names::blocking_keys(&f.name).map(|k| (k, i as u32)));
        }
    }
    keyed.sort_unstable();
    // Candidate pairs, block by block on every core (the forest is only read here).
    let blocks: Vec<&[(u64, u32)]> = keyed.chunk_by(|a, b| a.0 == b.0).collect();
    let shared: &Forest = forest;
    let found = super::parallel_map(&blocks, |block| block_pairs(block, shared, features));
    drop(blocks);
    drop(keyed);
    let mut pairs: Vec<Pair> = found.into_iter().flatten().collect();
    pairs.extend(name_only_pairs(shared, features));
    pairs.sort_unstable_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    pairs.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
    for (score, a, b, only) in pairs {
        let (ra, rb) = (forest.find(a), forest.find(b));
        if ra == rb || forest.conflict(ra, rb) {
            continue;
        }
        let clash = forest.host_clash(ra, rb);
        let joins = if only {
            let penalty = if clash {
                names::HOST_CLASH_PENALTY
            } else {
                0.0
            };
            // A small margin keeps a sum of decimal points from missing the line.
            score - 1.0 - penalty >= names::NAME_ONLY_MIN - 1e-9
        } else {
            !clash
        };
        if joins {
            forest.union(ra, rb);
        }
    }
}

/// Most clusters that may carry one name for it to merge them on its own: a name carried
/// by more has several owners.
const MAX_NAME_CLUSTERS: usize = 8;

/// Pairs of records in different clusters whose names have the same distinctive identity
/// (`names::identity`: not generic, at least `names::MIN_IDENTITY_LEN` characters), scored by
/// `names::name_only_points`. A name is left alone (it needs corroboration, as in the
/// blocks) when it is ambiguous:
/// * carried by more than [`MAX_NAME_CLUSTERS`] clusters;
/// * carried by clusters that conflict (two repositories on one host, two Wikidata items:
///   HashiCorp Consul and CONSUL Democracy);
/// * carried by three clusters of one source, or by two clusters of one source that both
///   hold keys (the source uses it for several things).
///
/// One pair per two clusters: the best-scored of their records.
fn name_only_pairs(forest: &Forest, features: &[Features]) -> Vec<Pair> {
    let identities = super::parallel_map(features, |f| {
        names::identity(&f.name)
            .filter(|id| !id.generic && id.text.len() >= names::MIN_IDENTITY_LEN)
            .map(|id| text_hash(&id.text))
    });
    let mut keyed: Vec<(u64, u32)> = identities
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.map(|h| (h, i as u32)))
        .collect();
    drop(identities);
    keyed.sort_unstable();
    let source = |i: u32| {
        let rec = &features[i as usize].rec;
        rec.split_once('/').map_or(&**rec, |(s, _)| s)
    };
    let mut out: Vec<Pair> = Vec::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        // Records whose hashes agree, told apart by their identity (a collision is rare).
        let mut by_text: Vec<(String, u32)> = run
            .iter()
            .filter_map(|&(_, i)| {
                let id = names::identity(&features[i as usize].name)?;
                Some((id.text, i))
            })
            .collect();
        by_text.sort_unstable();
        for group in by_text.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
            let members: Vec<(u32, u32)> =
                group.iter().map(|&(_, i)| (forest.root(i), i)).collect();
            out.extend(group_pairs(
                forest,
                features,
                &members,
                group[0].0.len(),
                source,
            ));
        }
    }
    out
}

/// The name-only pairs of one group of records sharing an identity of `len` characters:
/// `members` are (cluster root, record), in record order.
fn group_pairs<'a>(
    forest: &Forest,
    features: &'a [Features],
    members: &[(u32, u32)],
    len: usize,
    source: impl Fn(u32) -> &'a str,
) -> Vec<Pair> {
    let mut roots: Vec<u32> = members.iter().map(|&(r, _)| r).collect();
    roots.sort_unstable();
    roots.dedup();
    if roots.len() < 2 || roots.len() > MAX_NAME_CLUSTERS {
        return Vec::new();
    }
    for (x, &a) in roots.iter().enumerate() {
        if roots[x + 1..].iter().any(|&b| forest.conflict(a, b)) {
            return Vec::new();
        }
    }
    // Clusters per source, in record order (a source's records are together).
    let mut by_source: Vec<(&str, u32)> = members.iter().map(|&(r, i)| (source(i), r)).collect();
    by_source.sort_unstable();
    by_source.dedup();
    for clusters in by_source.chunk_by(|a, b| a.0 == b.0) {
        let keyed = clusters
            .iter()
            .filter(|&&(_, r)| !forest.summary[r as usize].is_empty())
            .count();
        if clusters.len() >= 3 || (clusters.len() == 2 && keyed == 2) {
            return Vec::new();
        }
    }
    // The best pair of records for each two clusters.
    let mut best: Vec<(u32, u32, f64, u32, u32)> = Vec::new();
    for (x, &(ra, a)) in members.iter().enumerate() {
        for &(rb, b) in &members[x + 1..] {
            if ra == rb {
                continue;
            }
            let points = names::name_only_points(name_only(
                &features[a as usize],
                &features[b as usize],
                len,
            ));
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            match best.iter_mut().find(|p| p.0 == lo && p.1 == hi) {
                Some(p) if points > p.2 => *p = (lo, hi, points, a, b),
                Some(_) => {}
                None => best.push((lo, hi, points, a, b)),
            }
        }
    }
    best.into_iter()
        .map(|(_, _, points, a, b)| (1.0 + points, a.min(b), a.max(b), true))
        .collect()
}

/// What two records sharing a name of `len` characters say about each other.
fn name_only(a: &Features, b: &Features, len: usize) -> names::NameOnly {
    let orgs = (!a.orgs.is_empty() && !b.orgs.is_empty())
        .then(|| a.orgs.iter().any(|o| b.orgs.contains(o)));
    let similar_descriptions = match (a.description, b.description) {
        (Some(x), Some(y)) => names::similar_descriptions(x, y),
        _ => false,
    };
    names::NameOnly {
        len,
        license: names::license_agreement(a.license, b.license),
        similar_descriptions,
        orgs,
    }
}

/// The scored pairs of one block of records sharing a blocking key: every pair of a small
/// block, neighbours in name order in a large one.
fn block_pairs(block: &[(u64, u32)], forest: &Forest, features: &[Features]) -> Vec<Pair> {
    let mut pairs = Vec::new();
    let mut consider = |a: u32, b: u32| {
        let (fa, fb) = (&features[a as usize], &features[b as usize]);
        if forest.root(a) == forest.root(b) {
            return;
        }
        if let Some(s) = names::score(&fa.name, &fb.name, evidence(fa, fb)) {
            pairs.push((s, a.min(b), a.max(b), false));
        }
    };
    let mut members: Vec<u32> = block.iter().map(|&(_, i)| i).collect();
    if members.len() <= FULL_BLOCK {
        for x in 0..members.len() {
            for y in x + 1..members.len() {
                consider(members[x], members[y]);
            }
        }
    } else {
        members = super::sort_by_text(members, |&i| &*features[i as usize].name, |a, b| a.cmp(b));
        for x in 0..members.len() {
            for y in x + 1..members.len().min(x + 1 + WINDOW) {
                consider(members[x], members[y]);
            }
        }
    }
    pairs
}

/// What `a` and `b` say about each other besides their names.
fn evidence(a: &Features, b: &Features) -> Evidence {
    let both = |x: bool, y: bool| x && y;
    let orgs = both(!a.orgs.is_empty(), !b.orgs.is_empty());
    let org_agree = a.orgs.iter().any(|o| b.orgs.contains(o));
    let hosts = both(a.host.is_some(), b.host.is_some());
    let shared_agree = a.shared_home.is_some() && a.shared_home == b.shared_home;
    let licenses = names::license_agreement(a.license, b.license);
    Evidence {
        org_agree,
        org_disagree: orgs && !org_agree,
        host_agree: (hosts && a.host == b.host) || shared_agree,
        host_disagree: hosts && a.host != b.host,
        license_agree: licenses == Some(true),
        license_disagree: licenses == Some(false),
    }
}
