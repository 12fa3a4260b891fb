//! Clusters: union-find over strong keys, then the scored name match, never across a conflict.
//!
//! 1. Records sharing a repository key or an id-space key are one tool, always.
//! 2. Records sharing a Wikidata item or a homepage key join, unless their clusters conflict:
//!    two different repositories on one host, or two different Wikidata items. When a key is
//!    shared by clusters that conflict, a record joins the one whose name is closest.
//! 3. The name stage, never across a conflict. Records whose names match (see `names`)
//!    with agreement on organisation or host join, unless their clusters name different
//!    homepage hosts; pairs come from blocks of records sharing a blocking key, a large block
//!    compared in a sliding window over its sorted names, so the work stays close to linear.
//!    Records sharing a distinctive name (`names::identity`, not generic, not ambiguous in
//!    the corpus) join on it, weighed by `names::name_only_points`: first clusters with
//!    keys, then clusters without keys join the one tool that carries their name. Last, a
//!    cluster without keys joins the one cluster with keys whose name its name begins, when
//!    evidence agrees (`Jitsi` and `Jitsi Meet`).
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

/// What a cluster holds that another cluster may conflict or clash with: hashes of its
/// repository hosts, Wikidata items and homepage hosts (not shared, marked again when they
/// carry the record's name), 64 bits
/// with the top three replaced by the fact's kind, sorted (so grouped by kind, and within a
/// kind by hash), each once. Two facts of a kind are the same when their hashes are: a false
/// match needs a collision of 61-bit hashes (about one in 2 × 10^18 per pair). One vector of
/// integers per record, not lists of text.
type Summary = Vec<u64>;

/// Bits of a fact that hold its kind.
const KIND_SHIFT: u32 = 61;
const REPO_HOST: u64 = 0;
const WIKIDATA: u64 = 1;
const HOST: u64 = 2;
/// A homepage host that carries its record's name (`moodle.org` for Moodle): the tool's own
/// site, rather than its publisher's or a directory's.
const HOST_NAMED: u64 = 3;

/// The fact `s` of kind `kind` in a [`Summary`] (foldhash, fixed seed: the same in every run).
fn fact(kind: u64, s: &str) -> u64 {
    hashed_fact(kind, text_hash(s))
}

/// The fact of kind `kind` whose 64-bit hash is `hash`.
fn hashed_fact(kind: u64, hash: u64) -> u64 {
    (kind << KIND_SHIFT) | (hash >> (64 - KIND_SHIFT))
}

/// A 64-bit hash of `s` (foldhash, fixed seed: the same in every run).
pub(super) fn text_hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(s)
}

/// The facts of kind `kind` in `summary`.
fn facts(summary: &[u64], kind: u64) -> &[u64] {
    let from = summary.partition_point(|&f| f >> KIND_SHIFT < kind);
    let to = summary.partition_point(|&f| f >> KIND_SHIFT <= kind);
    &summary[from..to]
}

/// True when every fact of the sorted `a` is, whatever its kind, in the sorted `b`.
fn within(a: &[u64], b: &[u64]) -> bool {
    let low = |f: &u64| f & ((1 << KIND_SHIFT) - 1);
    let mut rest = b.iter().map(low).peekable();
    a.iter().map(low).all(|f| {
        while rest.next_if(|&g| g < f).is_some() {}
        rest.next_if_eq(&f).is_some()
    })
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

    /// What homepages on different hosts cost a name-only pair: nothing when they agree or
    /// one side has none; `names::HOST_CLASH_PENALTY` when every host carries its record's
    /// name (`moodle.org` and `moodle.com`); twice that when one does not (a directory's or
    /// a publisher's page, or another tool's).
    fn host_penalty(&self, a: u32, b: u32) -> f64 {
        if !self.host_clash(a, b) {
            return 0.0;
        }
        let named = |s: &Summary| within(facts(s, HOST), facts(s, HOST_NAMED));
        let (sa, sb) = (&self.summary[a as usize], &self.summary[b as usize]);
        if named(sa) && named(sb) {
            names::HOST_CLASH_PENALTY
        } else {
            2.0 * names::HOST_CLASH_PENALTY
        }
    }

    /// True when the cluster of root `r` holds a key another cluster could conflict or
    /// clash with (a repository, a Wikidata item, a homepage on a host that is not shared).
    fn keyed(&self, r: u32) -> bool {
        self.summary[r as usize]
            .first()
            .is_some_and(|&f| f >> KIND_SHIFT <= HOST)
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
    let vendors = vendor_words(features);
    let ids = super::parallel_map(features, |f| NameIds::of(f, &vendors));
    drop(vendors);
    let mut forest = Forest {
        parent: (0..features.len() as u32).collect(),
        summary: super::parallel_map(&indices(features.len()), |&i| {
            let (f, id) = (&features[i as usize], &ids[i as usize]);
            let repo_hosts = f.repos.iter().map(|(_, h)| fact(REPO_HOST, h));
            let wikidata = f.wikidata.iter().map(|w| fact(WIKIDATA, w));
            let hosts = f.host.iter().map(|h| fact(HOST, h));
            let named = f
                .host
                .iter()
                .filter(|_| id.host_named)
                .map(|h| fact(HOST_NAMED, h));
            let mut summary: Summary = repo_hosts
                .chain(wikidata)
                .chain(hosts)
                .chain(named)
                .collect();
            summary.sort_unstable();
            summary.dedup();
            summary
        }),
    };
    unite_repositories(&mut forest, features);
    unite_conditional(&mut forest, features, |f| f.wikidata.as_deref());
    unite_conditional(&mut forest, features, |f| f.home.as_deref());
    unite_names(&mut forest, features, &ids);
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

/// The name stage. First the pairs that need no cluster without keys: scored pairs with an
/// organisation or homepage in common (blocks), and distinctive names shared by clusters
/// that hold keys; then the clusters without keys (name-only records: a spreadsheet's row)
/// join the one cluster with keys that carries their name, if there is exactly one, or each
/// other when there is none.
fn unite_names(forest: &mut Forest, features: &[Features], ids: &[NameIds]) {
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
    let groups = NameGroups::of(ids);
    let clarity = groups.clarity(forest, features);
    pairs.extend(groups.pairs(forest, features, &clarity, Phase::Keyed));
    apply(forest, pairs);
    let pairs = groups.pairs(forest, features, &clarity, Phase::Unkeyed);
    apply(forest, pairs);
    let pairs = extension_pairs(forest, features);
    apply(forest, pairs);
}

/// Words that, added to a name, make another product of the same family, not another name
/// for the same one (`LibreOffice Online`, `Moodle Mobile`, `Selenium IDE`), sorted.
const VARIANT_WORDS: &[&str] = &[
    "addon",
    "agent",
    "android",
    "api",
    "cli",
    "client",
    "cloud",
    "desktop",
    "enterprise",
    "express",
    "extension",
    "ide",
    "ios",
    "lite",
    "mobile",
    "module",
    "online",
    "plugin",
    "portable",
    "pro",
    "sdk",
    "viewer",
];

/// The shortest identity a cluster without keys may extend from.
const MIN_EXTENDED_LEN: usize = 4;

/// A cluster without keys whose name no cluster with keys carries, but whose name's words
/// begin exactly one such cluster's name, followed by one or two words that do not make a
/// variant ([`VARIANT_WORDS`]): `Jitsi` in a spreadsheet and `Jitsi Meet` in a registry. It
/// joins that cluster when their evidence agrees (a licence family, similar descriptions,
/// an organisation) and nothing disagrees.
fn extension_pairs(forest: &Forest, features: &[Features]) -> Vec<Pair> {
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
            if words[k..]
                .iter()
                .all(|w| VARIANT_WORDS.binary_search(w).is_err())
            {
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

/// Unites the pairs best score first, never across a conflict; a corroborated pair never
/// across homepages on different hosts, a name-only pair when its points, less the cost of
/// such homepages (`Forest::host_penalty`), reach `names::NAME_ONLY_MIN`.
fn apply(forest: &mut Forest, mut pairs: Vec<Pair>) {
    pairs.sort_unstable_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    for (score, a, b, only) in pairs {
        let (ra, rb) = (forest.find(a), forest.find(b));
        if ra == rb || forest.conflict(ra, rb) {
            continue;
        }
        let joins = if only {
            // A small margin keeps a sum of decimal points from missing the line.
            score - 1.0 - forest.host_penalty(ra, rb) >= names::NAME_ONLY_MIN - 1e-9
        } else {
            !forest.host_clash(ra, rb)
        };
        if joins {
            forest.union(ra, rb);
        }
    }
}

/// Most clusters that may carry one name for it to merge them on its own: a name carried
/// by more has several owners.
const MAX_NAME_CLUSTERS: usize = 8;
/// A word starting the names of this many tools (identities) or more names their vendor
/// (`Apache` in `Apache Tomcat`, `Apache JMeter`, `Apache Solr`).
const VENDOR_NAMES: usize = 3;
/// The shortest identity left once a vendor's word is dropped.
const MIN_VENDORLESS_LEN: usize = 5;

/// The identities one record's name gives to the name-only match, as 64-bit hashes with
/// their length: its own (`names::identity`), and without its vendor's word when it starts
/// with one (`vendor_words`, or one of the record's organisations). Only distinctive ones:
/// not generic, at least `names::MIN_IDENTITY_LEN` characters.
struct NameIds {
    own: Option<(u64, u32)>,
    vendorless: Option<(u64, u32)>,
    /// The record's homepage host carries one of its identities.
    host_named: bool,
}

impl NameIds {
    fn of(f: &Features, vendors: &[u64]) -> NameIds {
        let own = names::identity(&f.name);
        let vendorless = names::without_vendor(&f.name, |w| {
            vendors.binary_search(&text_hash(w)).is_ok()
                || names::org_tag(w).is_some_and(|t| f.orgs.contains(&t))
        })
        .filter(|id| id.text.len() >= MIN_VENDORLESS_LEN);
        let host_named = f.host.is_some_and(|h| {
            [&own, &vendorless]
                .into_iter()
                .flatten()
                .any(|id| names::host_carries(h, &id.text))
        });
        let distinct = |id: Option<names::Identity>| {
            id.filter(|id| !id.generic && id.text.len() >= names::MIN_IDENTITY_LEN)
                .map(|id| (text_hash(&id.text), id.text.len() as u32))
        };
        NameIds {
            own: distinct(own),
            vendorless: distinct(vendorless),
            host_named,
        }
    }
}

/// Hashes of the words that name a vendor: the first word of the identities of at least
/// [`VENDOR_NAMES`] names of two words or more, not generic, three letters or more, sorted.
fn vendor_words(features: &[Features]) -> Vec<u64> {
    let firsts = super::parallel_map(features, |f| {
        let words = names::identity_words(&f.name);
        match words.as_slice() {
            [first, _, ..] if first.len() >= 3 && !names::is_generic_word(first) => {
                Some((text_hash(first), text_hash(&words.concat())))
            }
            _ => None,
        }
    });
    let mut firsts: Vec<(u64, u64)> = firsts.into_iter().flatten().collect();
    firsts.sort_unstable();
    firsts.dedup();
    firsts
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|names| names.len() >= VENDOR_NAMES)
        .map(|names| names[0].0)
        .collect()
}

/// Records grouped by a distinctive identity they share (a record may be in two groups: its
/// own identity's and its vendorless one's). Identities are compared by 64-bit hash: a false
/// group needs a collision, about one in 10^19 per pair of names.
struct NameGroups {
    /// Records, group after group, each group in record order.
    records: Vec<u32>,
    /// Per entry of `records`: it is in the group by its name without the vendor's word.
    vendorless: Vec<bool>,
    /// (start in `records`, identity length) of each group, and the end.
    starts: Vec<(u32, u32)>,
}

/// The two passes of the name-only match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Pairs of clusters that both hold keys.
    Keyed,
    /// Pairs with a cluster without keys, once the others are settled.
    Unkeyed,
}

impl NameGroups {
    fn of(ids: &[NameIds]) -> NameGroups {
        // (hash, length, record, vendorless)
        let mut keyed: Vec<(u64, u32, u32, bool)> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            keyed.extend(id.own.map(|(hash, len)| (hash, len, i as u32, false)));
            keyed.extend(id.vendorless.map(|(hash, len)| (hash, len, i as u32, true)));
        }
        keyed.sort_unstable_by_key(|&(hash, _, i, v)| (hash, i, v));
        keyed.dedup_by_key(|&mut (hash, _, i, _)| (hash, i));
        let mut out = NameGroups {
            records: Vec::new(),
            vendorless: Vec::new(),
            starts: Vec::new(),
        };
        // A group needs a record carrying the identity as its own name: two names that are
        // the same only without their first words (`Denver Budget`, `Rennes Budget`) are not.
        for run in keyed
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|r| r.len() > 1 && r.iter().any(|e| !e.3))
        {
            out.starts.push((out.records.len() as u32, run[0].1));
            out.records.extend(run.iter().map(|&(_, _, i, _)| i));
            out.vendorless.extend(run.iter().map(|&(_, _, _, v)| v));
        }
        out.starts.push((out.records.len() as u32, 0));
        out
    }

    /// Each group with its identity's length.
    fn iter(&self) -> impl Iterator<Item = (&[u32], usize)> {
        self.iter_flagged().map(|(members, _, len)| (members, len))
    }

    /// Each group, whether each member is in it without its vendor's word, and its
    /// identity's length.
    fn iter_flagged(&self) -> impl Iterator<Item = (&[u32], &[bool], usize)> {
        self.starts.windows(2).map(|w| {
            let ((from, len), to) = (w[0], w[1].0 as usize);
            let from = from as usize;
            (
                &self.records[from..to],
                &self.vendorless[from..to],
                len as usize,
            )
        })
    }

    /// Per group, how far its name may merge clusters on its own, judged on the clusters of
    /// the strong keys ([`Clarity`]).
    fn clarity(&self, forest: &Forest, features: &[Features]) -> Vec<Clarity> {
        self.iter()
            .map(|(members, _)| {
                let roots = roots(forest, members);
                if roots.len() > MAX_NAME_CLUSTERS {
                    return Clarity::Common;
                }
                for (x, &a) in roots.iter().enumerate() {
                    if roots[x + 1..].iter().any(|&b| forest.conflict(a, b)) {
                        return Clarity::Ambiguous;
                    }
                }
                // (catalogue, cluster, record): a source, or the id space its ids belong
                // to (two yearly exports are one catalogue).
                let mut by_catalogue: Vec<(&str, u32, u32)> = members
                    .iter()
                    .map(|&i| (catalogue(features, i), forest.root(i), i))
                    .collect();
                by_catalogue.sort_unstable();
                let several = by_catalogue.chunk_by(|a, b| a.0 == b.0).any(|entries| {
                    let mut clusters: Vec<u32> = entries.iter().map(|e| e.1).collect();
                    clusters.dedup();
                    clusters.len() >= 3
                        || (clusters.len() == 2 && tells_apart(forest, features, entries))
                });
                if several {
                    Clarity::Ambiguous
                } else {
                    Clarity::Clear
                }
            })
            .collect()
    }

    /// The name-only pairs of `phase`: one pair per two clusters, the best-scored of their
    /// records (at most [`REPRESENTATIVES`] records of each cluster, the first ones).
    ///
    /// * [`Phase::Keyed`]: clusters that both hold keys, in [`Clarity::Clear`] groups.
    /// * [`Phase::Unkeyed`], in a clear group: when no cluster with keys carries the name
    ///   now, the clusters without keys with each other; when one does, each of them with
    ///   that one. When several do (they did not merge, or they conflict:
    ///   [`Clarity::Ambiguous`]), a cluster without keys joins one of them only when its
    ///   evidence picks that one out: points besides the name's (a licence family,
    ///   descriptions, an organisation in common) above zero with it and with none of the
    ///   others (a spreadsheet's `Consul` under MPL-2.0 is HashiCorp's, not CONSUL
    ///   Democracy's, AGPL).
    ///
    /// A pair that only matches without a vendor's word needs such evidence too.
    fn pairs(
        &self,
        forest: &Forest,
        features: &[Features],
        clarity: &[Clarity],
        phase: Phase,
    ) -> Vec<Pair> {
        let mut out = Vec::new();
        for ((members, vendorless, len), &clarity) in self.iter_flagged().zip(clarity) {
            let roots = roots(forest, members);
            let keyed = roots.iter().filter(|&&r| forest.keyed(r)).count();
            let discriminate = match (phase, clarity) {
                (_, Clarity::Common) => continue,
                (Phase::Keyed, Clarity::Ambiguous) => continue,
                (Phase::Keyed, Clarity::Clear) => false,
                (Phase::Unkeyed, Clarity::Clear) => keyed > 1,
                (Phase::Unkeyed, Clarity::Ambiguous) => true,
            };
            if roots.len() < 2 {
                continue;
            }
            let name_points = names::name_only_points(names::NameOnly {
                len,
                ..names::NameOnly::default()
            });
            // (record, cluster, by its vendorless name), at most REPRESENTATIVES a cluster.
            let mut chosen: Vec<(u32, u32, bool)> = Vec::with_capacity(members.len());
            let mut per_root: Vec<(u32, usize)> = Vec::new();
            for (&m, &v) in members.iter().zip(vendorless) {
                let r = forest.root(m);
                match per_root.iter_mut().find(|(root, _)| *root == r) {
                    Some((_, n)) if *n >= REPRESENTATIVES => continue,
                    Some((_, n)) => *n += 1,
                    None => per_root.push((r, 1)),
                }
                chosen.push((m, r, v));
            }
            // (cluster, cluster, points, record, record), the best pair of each two clusters.
            let mut best: Vec<(u32, u32, f64, u32, u32)> = Vec::new();
            for (x, &(a, ra, va)) in chosen.iter().enumerate() {
                for &(b, rb, vb) in &chosen[x + 1..] {
                    let (ka, kb) = (forest.keyed(ra), forest.keyed(rb));
                    let wanted = match phase {
                        Phase::Keyed => ka && kb,
                        Phase::Unkeyed if discriminate => ka != kb,
                        Phase::Unkeyed => !(ka && kb),
                    };
                    if ra == rb || !wanted || (va && vb) {
                        continue;
                    }
                    let points = names::name_only_points(name_only(features, a, b, len));
                    if (va || vb) && points - name_points <= 1e-9 {
                        continue;
                    }
                    let (lo, hi) = (ra.min(rb), ra.max(rb));
                    match best.iter_mut().find(|p| p.0 == lo && p.1 == hi) {
                        Some(p) if points > p.2 => *p = (lo, hi, points, a, b),
                        Some(_) => {}
                        None => best.push((lo, hi, points, a, b)),
                    }
                }
            }
            if discriminate {
                // Per cluster without keys, its pairs with the clusters with keys.
                let unkeyed_of = |p: &(u32, u32, f64, u32, u32)| {
                    if forest.keyed(p.0) { p.1 } else { p.0 }
                };
                let evidence = |p: &(u32, u32, f64, u32, u32)| p.2 - name_points;
                best.sort_by_key(|p| (unkeyed_of(p), p.0, p.1));
                let mut picked = Vec::new();
                for candidates in best.chunk_by(|a, b| unkeyed_of(a) == unkeyed_of(b)) {
                    let positive: Vec<_> =
                        candidates.iter().filter(|p| evidence(p) > 1e-9).collect();
                    if let [one] = positive.as_slice() {
                        picked.push(**one);
                    }
                }
                best = picked;
            }
            out.extend(
                best.into_iter()
                    .map(|(_, _, points, a, b)| (1.0 + points, a.min(b), a.max(b), true)),
            );
        }
        out
    }
}

/// Records of one cluster weighed against another's in a name group: the first ones.
const REPRESENTATIVES: usize = 8;

/// True when a catalogue's records of one name in two clusters (`entries`: catalogue,
/// cluster, record) tell two tools apart: the clusters' homepages are on different hosts, or
/// their names end in different version numbers (`KeePass 1` and `KeePass 2` listed side by
/// side). Descriptions do not: a directory that lists one tool twice, or two years of one
/// catalogue, describe it in other words (two records of one source described with no word
/// in common only lose points, `names::name_only_points`). Two ids of one id space do not
/// either: SILL lists Grammalecte twice, as an extension of LibreOffice and of Firefox.
fn tells_apart(forest: &Forest, features: &[Features], entries: &[(&str, u32, u32)]) -> bool {
    let (a, b) = (entries[0].1, entries[entries.len() - 1].1);
    if forest.host_clash(a, b) {
        return true;
    }
    let versions = |cluster: u32| -> Vec<&str> {
        entries
            .iter()
            .filter(|e| e.1 == cluster)
            .filter_map(|e| names::trailing_version(&features[e.2 as usize].name))
            .collect()
    };
    let (va, vb) = (versions(a), versions(b));
    !va.is_empty() && !vb.is_empty() && !va.iter().any(|v| vb.contains(v))
}

/// How far a name may merge clusters on its own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clarity {
    /// Clusters with keys may merge on it, and those without join them.
    Clear,
    /// Carried by clusters that conflict, by three clusters of one catalogue (a source, or
    /// the sources of one id space), or by two whose homepages are on different hosts: a
    /// cluster without keys joins one of them only when its evidence picks that one out.
    Ambiguous,
    /// Carried by more than [`MAX_NAME_CLUSTERS`] clusters: it merges nothing on its own.
    Common,
}

/// `0..n` as record indices.
fn indices(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}

/// The distinct cluster roots of `members`, sorted.
fn roots(forest: &Forest, members: &[u32]) -> Vec<u32> {
    let mut roots: Vec<u32> = members.iter().map(|&i| forest.root(i)).collect();
    roots.sort_unstable();
    roots.dedup();
    roots
}

/// The source of record `i` (from its `rec:` key: source ids hold no `/`).
fn source<'a>(features: &'a [Features], i: u32) -> &'a str {
    let rec = &features[i as usize].rec;
    let rest = rec.strip_prefix("rec:").unwrap_or(rec);
    rest.split_once('/').map_or(rest, |(s, _)| s)
}

/// The catalogue of record `i`: the id space its source declares, else its source.
fn catalogue<'a>(features: &'a [Features], i: u32) -> &'a str {
    match features[i as usize].space.as_deref() {
        Some(key) => {
            let rest = key.strip_prefix("space:").unwrap_or(key);
            rest.split_once('/').map_or(rest, |(space, _)| space)
        }
        None => source(features, i),
    }
}

/// What two records sharing a name of `len` characters say about each other.
fn name_only(features: &[Features], a: u32, b: u32, len: usize) -> names::NameOnly {
    let (fa, fb) = (&features[a as usize], &features[b as usize]);
    let orgs = (!fa.orgs.is_empty() && !fb.orgs.is_empty())
        .then(|| fa.orgs.iter().any(|o| fb.orgs.contains(o)));
    let descriptions = match (fa.description, fb.description) {
        (Some(x), Some(y)) => names::descriptions_agree(x, y),
        _ => None,
    };
    names::NameOnly {
        len,
        license: names::license_agreement(fa.license, fb.license),
        descriptions,
        orgs,
        same_source: source(features, a) == source(features, b),
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
