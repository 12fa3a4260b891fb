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

use self::extension::extension_pairs;
use self::groups::*;

use super::keys::{Features, repo_owner};
use super::names::{self, Evidence};

mod extension;
mod groups;
mod passes;

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
/// A distinctive identity a record of the cluster carries (`NameIds`).
const NAME: u64 = 4;
/// The registrable site of a homepage host below it (`tenders.gov.au` for
/// `api.tenders.gov.au`, `names::site_of`), hashed as a `HOST`: a cluster whose homepage is
/// that very site does not clash with it.
const PARENT: u64 = 5;

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

/// True when some fact of the sorted `a` is, whatever its kind, in the sorted `b`.
fn within_any(a: &[u64], b: &[u64]) -> bool {
    let low = |f: &u64| f & ((1 << KIND_SHIFT) - 1);
    a.iter().any(|f| b.iter().any(|g| low(f) == low(g)))
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
        meet(facts(sa, REPO_HOST), facts(sb, REPO_HOST)) || self.wikidata_clash(a, b)
    }

    /// True when every record of both clusters that carries a distinctive name carries the
    /// same one, and some do.
    fn one_name(&self, a: u32, b: u32) -> bool {
        let (sa, sb) = (&self.summary[a as usize], &self.summary[b as usize]);
        let (na, nb) = (facts(sa, NAME), facts(sb, NAME));
        na.len() == 1 && na == nb
    }

    /// Both clusters hold Wikidata items, none in common.
    fn wikidata_clash(&self, a: u32, b: u32) -> bool {
        let (sa, sb) = (&self.summary[a as usize], &self.summary[b as usize]);
        disagree(facts(sa, WIKIDATA), facts(sb, WIKIDATA))
    }

    /// Both clusters name homepage hosts, none in common, and neither's is the site the
    /// other's is under (`tenders.gov.au` and `api.tenders.gov.au`; two subdomains of one
    /// site still clash).
    fn host_clash(&self, a: u32, b: u32) -> bool {
        let (sa, sb) = (&self.summary[a as usize], &self.summary[b as usize]);
        let (ha, hb) = (facts(sa, HOST), facts(sb, HOST));
        disagree(ha, hb) && !within_any(facts(sa, PARENT), hb) && !within_any(facts(sb, PARENT), ha)
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
            // A project's hosts (`meta.decidim.org`, `decidim.org`) are its site's.
            let site = f.host.map(|h| &h[id.site_from as usize..]);
            let hosts = site.iter().map(|h| fact(HOST, h));
            let parent = site
                .map(names::site_of)
                .filter(|p| Some(*p) != site)
                .map(|p| hashed_fact(PARENT, text_hash(p)));
            let named = site
                .iter()
                .filter(|_| id.page_named)
                .map(|h| fact(HOST_NAMED, h));
            let name = id.own_hash().map(|h| hashed_fact(NAME, h));
            let mut summary: Summary = repo_hosts
                .chain(wikidata)
                .chain(hosts)
                .chain(named)
                .chain(name)
                .chain(parent)
                .collect();
            summary.sort_unstable();
            summary.dedup();
            summary
        }),
    };
    unite_repositories(&mut forest, features);
    unite_conditional(
        &mut forest,
        features,
        |f| f.wikidata.as_deref(),
        |_, _| false,
    );
    // Two records giving the very same homepage, on a host that carries the name both give
    // (or with repositories under one owner), are one tool even when they link different
    // repositories on one forge: a catalogue still linking a moved repository
    // (`pol-is/polisserver` for `compdemocracy/polis`, `citizensfoundation/your-priorities`
    // for `…/your-priorities-app` under citizens.is), unless one is a fork: a repository of
    // the same name under another owner that the listing source keeps other repositories of
    // (GSA's inventory lists `gsa/ckan` under ckan.org beside `gsa/ckanext-datagovtheme`). A
    // third-party catalogue's single link under another owner is the old address
    // (`xwiki-labs/cryptpad` for `cryptpad/cryptpad`, both under cryptpad.fr).
    let inventories = inventoried(features);
    let moved = |a: u32, b: u32| {
        let (fa, fb) = (&features[a as usize], &features[b as usize]);
        let (ia, ib) = (&ids[a as usize], &ids[b as usize]);
        let inventory = inventories[a as usize] || inventories[b as usize];
        !(versions_apart(fa, fb) || inventory && forks(fa, fb))
            && (ia.moved_repository(ib) || ia.same_name(ib) && one_owner(fa, fb))
    };
    unite_conditional(&mut forest, features, |f| f.home.as_deref(), moved);
    unite_source_duplicates(&mut forest, features, &ids);
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

/// Joins the records one source lists twice under one distinctive name with licences of one
/// family (Repology's packages of one project, `gromacs` and `science/gromacs` under LGPL),
/// unless their clusters conflict or name homepages on different hosts: a source that names
/// two tools alike tells them apart by their licences or descriptions that share no word
/// (SILL's `OCS Inventory NG serveur` and its GLPI plugin `/OCS Inventory ng/`), or gives
/// none.
fn unite_source_duplicates(forest: &mut Forest, features: &[Features], ids: &[NameIds]) {
    // (source, identity, record) of records with a licence and a distinctive name.
    let mut listed: Vec<(&str, u64, u32)> = features
        .iter()
        .enumerate()
        .filter(|(_, f)| f.license.is_some() || f.description.is_some())
        .filter_map(|(i, _)| {
            let own = ids[i].own_hash()?;
            Some((groups::source(features, i as u32), own, i as u32))
        })
        .collect();
    listed.sort_unstable();
    for run in listed.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        for (x, &(_, _, a)) in run.iter().enumerate() {
            for &(_, _, b) in &run[x + 1..] {
                let e = groups::name_only(features, a, b, 0);
                let (fa, fb) = (&features[a as usize], &features[b as usize]);
                // Two names one source writes apart are two entries (`Dancer` and `Dancer2` on
                // MetaCPAN, a city's `ArcGIS Pro` and `ArcGIS Enterprise`), whatever their
                // identities share; spaces aside (`open-babel`, `openbabel`).
                if !compact(fa).eq(compact(fb)) {
                    continue;
                }
                let agree = match e.license {
                    Some(same) => same,
                    // Without a licence on one side, descriptions that share a word speak
                    // (Debian's and Homebrew's `gromacs`: "molecular dynamics").
                    None => fa
                        .description
                        .zip(fb.description)
                        .is_some_and(|(x, y)| names::descriptions_share_a_word(x, y)),
                };
                if !agree || e.descriptions == Some(false) {
                    continue;
                }
                let (ra, rb) = (forest.find(a), forest.find(b));
                if ra != rb && !forest.conflict(ra, rb) && !forest.host_clash(ra, rb) {
                    forest.union(ra, rb);
                }
            }
        }
    }
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
/// most (organisation, then name). Two records that `moved` says are one tool join across
/// repositories on one host (never across Wikidata items that differ).
fn unite_conditional<'a>(
    forest: &mut Forest,
    features: &'a [Features],
    key_of: impl Fn(&'a Features) -> Option<&'a str>,
    moved: impl Fn(u32, u32) -> bool,
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
                // One site's page for `Port@firmas` and for `Port@firmas móvil`: two products.
                let variant =
                    names::adds_variant(&features[i as usize].name, &features[o as usize].name);
                if together
                    || variant
                    || forest.conflict(root, me)
                        && (forest.wikidata_clash(root, me)
                            || !forest.one_name(root, me)
                            || !moved(i, o))
                {
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

/// Per record: its source lists another repository under the owner of one of its
/// repositories (an inventory of that owner's code: its copies of others' repositories are
/// forks, not old addresses).
fn inventoried(features: &[Features]) -> Vec<bool> {
    // (source, host, owner, repository)
    let mut listed: Vec<(&str, &str, &str, &str)> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let s = groups::source(features, i as u32);
        listed.extend(
            f.repos
                .iter()
                .filter_map(|(k, host)| Some((s, *host, repo_owner(k)?, &**k))),
        );
    }
    listed.sort_unstable();
    listed.dedup();
    let mut held: Vec<(&str, &str)> = listed
        .chunk_by(|a, b| (a.0, a.1, a.2) == (b.0, b.1, b.2))
        .filter(|run| run.len() > 1)
        .flat_map(|run| run.iter().map(|e| (e.0, e.3)))
        .collect();
    held.sort_unstable();
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let s = groups::source(features, i as u32);
            f.repos
                .iter()
                .any(|(k, _)| held.binary_search(&(s, &**k)).is_ok())
        })
        .collect()
}

/// True when a repository of `a` and one of `b` on one host have the same name (the last
/// segment of their paths) under different owners: one is a fork of the other.
fn forks(a: &Features, b: &Features) -> bool {
    let name = |key: &str| {
        key.trim_end_matches('/')
            .rsplit('/')
            .next()
            .map(str::to_string)
    };
    a.repos.iter().any(|(ka, ha)| {
        b.repos
            .iter()
            .any(|(kb, hb)| ha == hb && ka != kb && name(ka) == name(kb))
    })
}

/// A record's normalised name without its spaces.
fn compact<'a>(f: &'a Features) -> impl Iterator<Item = u8> + 'a {
    f.name.bytes().filter(|&c| c != b' ')
}

/// Two names that differ, one ending in a digit: a successor that a major version names
/// (`Dancer` and `Dancer2`, one site and one owner's two repositories), not a move.
fn versions_apart(a: &Features, b: &Features) -> bool {
    let digit = |f: &Features| f.name.bytes().last().is_some_and(|c| c.is_ascii_digit());
    (digit(a) || digit(b)) && !compact(a).eq(compact(b))
}

/// True when a repository of `a` and one of `b` are on one host under one owner (a
/// repository renamed by its owner: `citizensfoundation/your-priorities` and
/// `citizensfoundation/your-priorities-app`).
fn one_owner(a: &Features, b: &Features) -> bool {
    let owner = |key: &str| repo_owner(key).map(str::to_ascii_lowercase);
    a.repos.iter().any(|(ka, ha)| {
        b.repos
            .iter()
            .any(|(kb, hb)| ha == hb && owner(ka).is_some() && owner(ka) == owner(kb))
    })
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
    let exports = groups.catalogue_pairs(forest, features, &clarity);
    apply(forest, exports);
    pairs.extend(groups.pairs(forest, features, &clarity, Phase::Keyed));
    apply(forest, pairs);
    let pairs = groups.pairs(forest, features, &clarity, Phase::Unkeyed);
    apply(forest, pairs);
    let pairs = groups.vendor_pairs(forest, features, ids, &clarity);
    apply(forest, pairs);
    groups.unite_former_names(forest, features, &clarity);
    let pairs = extension_pairs(forest, features);
    apply(forest, pairs);
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
