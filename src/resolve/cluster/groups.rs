//! Names that merge on their own: identities shared across catalogues, their owners and
//! vendors, and whether a name is ambiguous in the corpus.

use super::*;

/// Most clusters that may carry one name for it to merge them on its own: a name carried
/// by more has several owners.
pub(super) const MAX_NAME_CLUSTERS: usize = 8;
/// A word starting the names of this many tools (identities) or more names their vendor
/// (`Apache` in `Apache Tomcat`, `Apache JMeter`, `Apache Solr`).
pub(super) const VENDOR_NAMES: usize = 3;
/// The shortest identity left once a vendor's word is dropped.
pub(super) const MIN_VENDORLESS_LEN: usize = 5;

/// The identities one record's name gives to the name-only match, as 64-bit hashes with
/// their length: its own (`names::identity`), and without its vendor's word when it starts
/// with one (`vendor_words`, or one of the record's organisations). Only distinctive ones:
/// not generic, at least `names::MIN_IDENTITY_LEN` characters.
pub(super) struct NameIds {
    own: Option<(u64, u32)>,
    vendorless: Option<(u64, u32)>,
    /// The record's homepage host carries one of its identities.
    pub(super) host_named: bool,
    /// Its homepage is the tool's page: its host carries one of its identities, or the
    /// first segment of its path is one or starts with one as a word (a vendor's product
    /// page, `bywatersolutions.com/koha`).
    pub(super) page_named: bool,
    /// Where the site in the homepage's host starts when the site carries the record's name
    /// (`meta.decidim.org` → `decidim.org`): the hosts of one project's site are one host
    /// to the name match; 0 otherwise.
    pub(super) site_from: u16,
}

impl NameIds {
    /// True when two records giving one homepage are one tool whatever repositories they
    /// link: they carry one distinctive identity, and their homepage's host carries it.
    pub(super) fn moved_repository(&self, other: &NameIds) -> bool {
        self.same_name(other) && self.host_named && other.host_named
    }

    /// True when both records carry one distinctive identity as their own name.
    pub(super) fn same_name(&self, other: &NameIds) -> bool {
        self.own.is_some() && self.own == other.own
    }

    /// The hash of the record's own distinctive identity.
    pub(super) fn own_hash(&self) -> Option<u64> {
        self.own.map(|(hash, _)| hash)
    }

    pub(super) fn of(f: &Features, vendors: &[u64]) -> NameIds {
        let own = names::identity(&f.name);
        let vendorless = names::without_vendor(&f.name, |w| {
            vendors.binary_search(&text_hash(w)).is_ok()
                || names::is_known_vendor(w)
                || names::org_tag(w).is_some_and(|t| f.orgs.contains(&t))
        })
        .filter(|id| id.text.len() >= MIN_VENDORLESS_LEN);
        let host_named = f.host.is_some_and(|h| {
            [&own, &vendorless]
                .into_iter()
                .flatten()
                .any(|id| names::host_carries(h, &id.text))
        });
        // A path segment that is the name, or starts with it as a word
        // (`bywatersolutions.com/koha`, `who.int/tools/accessmod-geographic-access…`).
        let page_named = host_named
            || f.home.as_deref().is_some_and(|home| {
                let segment = home.split(['/', '?']).nth(1).unwrap_or("");
                let letters = || {
                    segment
                        .bytes()
                        .filter(u8::is_ascii_alphanumeric)
                        .map(|b| b.to_ascii_lowercase())
                };
                let first = segment.split(['-', '_', '.']).next().unwrap_or("");
                [&own, &vendorless].into_iter().flatten().any(|id| {
                    id.text.len() >= names::MIN_IDENTITY_LEN
                        && (letters().eq(id.text.bytes()) || first.eq_ignore_ascii_case(&id.text))
                })
            });
        let site_from = f
            .host
            .and_then(|h| {
                let site = names::site_of(h);
                let named = [&own, &vendorless]
                    .into_iter()
                    .flatten()
                    .any(|id| names::host_carries(site, &id.text));
                (named && site.len() < h.len()).then(|| (h.len() - site.len()) as u16)
            })
            .unwrap_or(0);
        let distinct = |id: Option<names::Identity>| {
            id.filter(|id| !id.generic && id.text.len() >= names::MIN_IDENTITY_LEN)
                .map(|id| (text_hash(&id.text), id.text.len() as u32))
        };
        NameIds {
            own: distinct(own),
            vendorless: distinct(vendorless),
            host_named,
            page_named,
            site_from,
        }
    }
}

/// Hashes of the words that name a vendor: the first word of the identities of at least
/// [`VENDOR_NAMES`] names of two words or more, not generic, three letters or more, sorted.
pub(super) fn vendor_words(features: &[Features]) -> Vec<u64> {
    let firsts = crate::resolve::parallel_map(features, |f| {
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
pub(super) struct NameGroups {
    /// Records, group after group, each group in record order.
    records: Vec<u32>,
    /// Per entry of `records`: it is in the group by its name without the vendor's word.
    vendorless: Vec<bool>,
    /// (start in `records`, identity length) of each group, and the end.
    starts: Vec<(u32, u32)>,
    /// The identity hash of each group, ascending.
    pub(super) hashes: Vec<u64>,
    /// (identity hash, record, identity length) of the identities one record alone carries
    /// as its own name (no group), ascending.
    singles: Vec<(u64, u32, u32)>,
}

/// The two passes of the name-only match.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Pairs of clusters that both hold keys.
    Keyed,
    /// Pairs with a cluster without keys, once the others are settled.
    Unkeyed,
}

impl NameGroups {
    pub(super) fn of(ids: &[NameIds]) -> NameGroups {
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
            hashes: Vec::new(),
            singles: Vec::new(),
        };
        // A group needs a record carrying the identity as its own name: two names that are
        // the same only without their first words (`Denver Budget`, `Rennes Budget`) are not.
        for run in keyed.chunk_by(|a, b| a.0 == b.0) {
            if let [(hash, len, i, false)] = run {
                out.singles.push((*hash, *i, *len));
            }
            if run.len() < 2 || run.iter().all(|e| e.3) {
                continue;
            }
            out.starts.push((out.records.len() as u32, run[0].1));
            out.hashes.push(run[0].0);
            out.records.extend(run.iter().map(|&(_, _, i, _)| i));
            out.vendorless.extend(run.iter().map(|&(_, _, _, v)| v));
        }
        out.starts.push((out.records.len() as u32, 0));
        out
    }

    /// The records carrying the identity `hash` as their name, its length, and whether the
    /// name may merge clusters on its own ([`Clarity::Clear`]): its group's, or the one
    /// record carrying it (clear).
    pub(super) fn carriers(&self, hash: u64, clarity: &[Clarity]) -> Option<(&[u32], usize, bool)> {
        if let Ok(g) = self.hashes.binary_search(&hash) {
            let (members, len) = self.group(g);
            return Some((members, len, clarity[g] == Clarity::Clear));
        }
        let at = self.singles.partition_point(|e| e.0 < hash);
        let single = self.singles.get(at).filter(|e| e.0 == hash)?;
        Some((std::slice::from_ref(&single.1), single.2 as usize, true))
    }

    /// Group `g`'s members and its identity's length.
    pub(super) fn group(&self, g: usize) -> (&[u32], usize) {
        let ((from, len), to) = (self.starts[g], self.starts[g + 1].0);
        (&self.records[from as usize..to as usize], len as usize)
    }

    /// Each group with its identity's length.
    fn iter(&self) -> impl Iterator<Item = (&[u32], usize)> {
        self.iter_flagged().map(|(members, _, len)| (members, len))
    }

    /// Each group, whether each member is in it without its vendor's word, and its
    /// identity's length.
    pub(super) fn iter_flagged(&self) -> impl Iterator<Item = (&[u32], &[bool], usize)> {
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
    pub(super) fn clarity(&self, forest: &Forest, features: &[Features]) -> Vec<Clarity> {
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
                // A source carrying the name in three clusters, or a catalogue (a source,
                // or the id space its ids belong to: yearly exports are one catalogue) in two
                // it tells apart, names several tools by it.
                let several = |by_space: bool, most: usize| {
                    // (catalogue, cluster, record)
                    let mut entries: Vec<(&str, u32, u32)> = members
                        .iter()
                        .map(|&i| {
                            let c = if by_space {
                                catalogue(features, i)
                            } else {
                                source(features, i)
                            };
                            (c, forest.root(i), i)
                        })
                        .collect();
                    entries.sort_unstable();
                    entries.chunk_by(|a, b| a.0 == b.0).any(|entries| {
                        let mut clusters: Vec<u32> = entries.iter().map(|e| e.1).collect();
                        clusters.dedup();
                        clusters.len() >= most
                            || (clusters.len() == 2 && tells_apart(forest, features, entries))
                    })
                };
                let several = several(false, 3) || several(true, usize::MAX);
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
    pub(super) fn pairs(
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
pub(super) const REPRESENTATIVES: usize = 8;

/// True when a catalogue's records of one name in two clusters (`entries`: catalogue,
/// cluster, record) tell two tools apart: the clusters' homepages are on different hosts, or
/// one source lists the name in both with different version numbers (`KeePass 1` and
/// `KeePass 2` side by side). Versions in two sources do not: a city's inventory of one year
/// lists `Zabbix 5.0 LTS` and the next year's `Zabbix 6.0 LTS`, one tool upgraded.
/// Descriptions do not: a directory that lists one tool twice, or two years of one
/// catalogue, describe it in other words (two records of one source described with no word
/// in common only lose points, `names::name_only_points`). Two ids of one id space do not
/// either: SILL lists Grammalecte twice, as an extension of LibreOffice and of Firefox.
pub(super) fn tells_apart(
    forest: &Forest,
    features: &[Features],
    entries: &[(&str, u32, u32)],
) -> bool {
    let (a, b) = (entries[0].1, entries[entries.len() - 1].1);
    if forest.host_clash(a, b) {
        return true;
    }
    // (source, version) of the cluster's records whose names end in a version.
    let versions = |cluster: u32| -> Vec<(&str, &str)> {
        entries
            .iter()
            .filter(|e| e.1 == cluster)
            .filter_map(|e| {
                let v = names::trailing_version(&features[e.2 as usize].name)?;
                Some((source(features, e.2), v))
            })
            .collect()
    };
    let (va, vb) = (versions(a), versions(b));
    va.iter().any(|&(s, _)| {
        let in_b = vb.iter().filter(|e| e.0 == s);
        in_b.clone().next().is_some()
            && !va
                .iter()
                .any(|&(sa, v)| sa == s && in_b.clone().any(|e| e.1 == v))
    })
}

/// How far a name may merge clusters on its own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Clarity {
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
pub(super) fn indices(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}

/// The distinct cluster roots of `members`, sorted.
pub(super) fn roots(forest: &Forest, members: &[u32]) -> Vec<u32> {
    let mut roots: Vec<u32> = members.iter().map(|&i| forest.root(i)).collect();
    roots.sort_unstable();
    roots.dedup();
    roots
}

/// The source of record `i` (from its `rec:` key: source ids hold no `/`).
pub(super) fn source<'a>(features: &'a [Features], i: u32) -> &'a str {
    let rec = &features[i as usize].rec;
    let rest = rec.strip_prefix("rec:").unwrap_or(rec);
    rest.split_once('/').map_or(rest, |(s, _)| s)
}

/// The catalogue of record `i`: the id space its source declares, else its source.
pub(super) fn catalogue<'a>(features: &'a [Features], i: u32) -> &'a str {
    match features[i as usize].space.as_deref() {
        Some(key) => {
            let rest = key.strip_prefix("space:").unwrap_or(key);
            rest.split_once('/').map_or(rest, |(space, _)| space)
        }
        None => source(features, i),
    }
}

/// What two records sharing a name of `len` characters say about each other.
pub(super) fn name_only(features: &[Features], a: u32, b: u32, len: usize) -> names::NameOnly {
    let (fa, fb) = (&features[a as usize], &features[b as usize]);
    // An organisation named after the tool speaks for it: others do not disagree with it.
    let orgs = (!fa.orgs.is_empty() && !fb.orgs.is_empty())
        .then(|| fa.orgs.iter().any(|o| fb.orgs.contains(o)))
        .filter(|&agree| {
            // Neither speaks for the tool over the other's organisations, or the other is a
            // known company.
            let a_speaks = fa.org_named && !fb.vendor_org;
            let b_speaks = fb.org_named && !fa.vendor_org;
            agree || !(a_speaks || b_speaks)
        });
    // A package's namespace that the other names as its organisation is one in common.
    let orgs = if fa.names_namespace(fb) || fb.names_namespace(fa) {
        Some(true)
    } else {
        orgs
    };
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
