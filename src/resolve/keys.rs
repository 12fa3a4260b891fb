//! What one record says about its identity: strong keys (repository, homepage, Wikidata, its
//! own record key) and the weaker facts the scored name match weighs.
//!
//! Key forms (they are also the id registry's keys):
//! * `repo:<canonical url>`: a repository on a forge (`https://github.com/owner/repo`) or any
//!   other repository URL; a homepage that is a forge project counts as a repository. A
//!   renamed repository is written under its newest name (see [`Renames`]).
//! * `home:<host><path>`: a homepage on a host that is not shared, without scheme, `www.`, a
//!   leading language segment (`/en`, `/fr-FR`) or `index.html`.
//! * `wd:<Q…>`: a Wikidata item.
//! * `space:<id space>/<record id>`: a record of a source that declares `id_space`; records
//!   of sources sharing the space and the record id are one tool, always.
//! * `rec:<source>/<record id>`: the record itself; never shared, so never a union key, but
//!   registered so a record keeps its tool's id when its URLs change.
//! * `renamed:<old url> <new url>`: a repository rename learnt from the registry.

use std::collections::{HashMap, HashSet};

use super::names::{self, normalise_name, org_products, org_tag};
use super::{Input, Known};
use crate::model::OrgRole;
use crate::normalise::url::{forge_owner, is_forge_project, is_shared_host, owner_names_publisher};

/// Repository renames: old canonical URL → new canonical URL.
#[derive(Debug, Default)]
pub struct Renames {
    map: HashMap<String, String>,
    /// Renames found in this run: (registry key, index of the input that showed it).
    pub found: Vec<(String, usize)>,
}

impl Renames {
    /// The renames the registry knows, plus those this run shows: a record whose own key is
    /// registered to a tool with exactly one repository now names a single different,
    /// unregistered repository on the same host.
    pub fn learn(inputs: &[Input], known: &Known) -> Renames {
        let mut out = Renames::default();
        for key in known.keys() {
            if let Some(rest) = key.strip_prefix("renamed:")
                && let Some((old, new)) = rest.split_once(' ')
            {
                out.map.insert(old.to_string(), new.to_string());
            }
        }
        // Records known to the registry that name one repository it has never seen.
        if known.is_empty() {
            return out;
        }
        // The registry lookups, on every core: a large registry is mostly cache misses.
        let found = super::parallel_map(inputs, |input| {
            let [new] = input.record.repositories.as_slice() else {
                return None;
            };
            if known.contains_key(format!("repo:{new}").as_str()) || out.map.contains_key(new) {
                return None;
            }
            let (id, _) = known.get(&*rec_key(input))?;
            Some((id.as_str(), new.as_str()))
        });
        let candidates: Vec<(usize, &str, &str)> = found
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|(id, new)| (i, id, new)))
            .collect();
        if candidates.is_empty() {
            return out;
        }
        let wanted: HashSet<&str> = candidates.iter().map(|(_, id, _)| *id).collect();
        let mut repos_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for (key, (id, _)) in known {
            if let Some(url) = key.strip_prefix("repo:")
                && wanted.contains(id.as_str())
            {
                repos_of.entry(id.as_str()).or_default().push(url);
            }
        }
        for (i, id, new) in candidates {
            if let Some([old]) = repos_of.get(id).map(Vec::as_slice)
                && *old != new
                && host_of(old) == host_of(new)
                && is_forge_project(new)
                && !out.map.contains_key(*old)
                && !out.map.contains_key(new)
            {
                out.map.insert(old.to_string(), new.to_string());
                out.found.push((format!("renamed:{old} {new}"), i));
            }
        }
        out.found.sort();
        out
    }

    /// The newest name of `url` (renames followed, at most eight steps).
    pub fn newest<'a>(&'a self, mut url: &'a str) -> &'a str {
        for _ in 0..8 {
            match self.map.get(url) {
                Some(next) if next != url => url = next,
                _ => break,
            }
        }
        url
    }
}

/// One record's identity facts; text it does not rewrite is borrowed from the record. Kept
/// a million times over for the whole resolution, so boxed (no capacity field, no spare
/// capacity): 216 bytes a record instead of 280.
#[derive(Clone, Debug, Default)]
pub struct Features<'a> {
    /// `repo:` keys, sorted, with the host of each (conflict check).
    pub repos: Box<[(Box<str>, &'a str)]>,
    /// `space:` key of a record of a source that declares an id space.
    pub space: Option<Box<str>>,
    /// `home:` key of a homepage on a host that is not shared.
    pub home: Option<Box<str>>,
    /// `wd:` key.
    pub wikidata: Option<Box<str>>,
    /// `rec:` key.
    pub rec: Box<str>,
    /// Normalised name (empty when the record has none).
    pub name: Box<str>,
    /// Organisation names and forge owners, as [`org_tag`]s, sorted.
    pub orgs: Box<[u64]>,
    /// The identities of the former names its name states (`Matomo (ex-Piwik)`: `piwik`), as
    /// hashes.
    pub former: Box<[u64]>,
    /// The products its stated organisations name ([`super::names::org_products`]), as
    /// hashes of their identities, sorted.
    pub org_products: Box<[u64]>,
    /// Homepage host when it is not shared.
    pub host: Option<&'a str>,
    /// The whole homepage when it is on a shared host below its root (`x.github.io/tool`).
    pub shared_home: Option<&'a str>,
    pub license: Option<&'a str>,
    pub description: Option<&'a str>,
    /// One of its organisations is named after it, whole words spelling its distinctive
    /// name (`OpenStreetMap France` for OpenStreetMap, `Decidim Association` for Decidim,
    /// not `Pencil2D Team` for Pencil): it speaks for the tool, so other organisations on
    /// another record do not tell the two apart.
    pub org_named: bool,
    /// The high half of the [`org_tag`] of its package name's namespace (`apache` of
    /// `apache/airflow`; [`Features::names_namespace`]), 0 when it has none: an organisation
    /// in common when the other record names it, never a disagreement (packagers publish
    /// others' software: `bitnami/redis`). Half a tag fits beside the flags, where a whole
    /// one would grow every record by 8 bytes.
    pub namespace: u32,
    /// One of its organisations is a known company (`Microsoft`, `names::is_company`): a project
    /// named after the tool does not speak over it (Microsoft's `Copilot` is not NASA's).
    pub vendor_org: bool,
}

impl Features<'_> {
    /// The strong keys that unite records: repositories, id-space key, homepage, Wikidata
    /// item.
    pub fn union_keys(&self) -> impl Iterator<Item = &str> {
        self.always_keys()
            .chain(self.home.as_deref())
            .chain(self.wikidata.as_deref())
    }

    /// True when one of its organisations is `other`'s package namespace (a false match
    /// needs 32 bits of two hashes to agree).
    pub fn names_namespace(&self, other: &Features) -> bool {
        other.namespace != 0
            && self
                .orgs
                .iter()
                .any(|&t| (t >> 32) as u32 == other.namespace)
    }

    /// The keys that unite records unconditionally: repositories, then the id-space key.
    pub fn always_keys(&self) -> impl Iterator<Item = &str> {
        self.repos
            .iter()
            .map(|(k, _)| &**k)
            .chain(self.space.as_deref())
    }

    /// The keys the id registry may hold for this record: its union keys, then its `rec:` key.
    pub fn registry_keys(&self) -> impl Iterator<Item = &str> {
        self.union_keys().chain(std::iter::once(&*self.rec))
    }
}

/// True when consecutive whole words of `form` run together spell `identity`
/// (`openstreetmap france` holds `openstreetmap`; `pencil2d team` does not hold `pencil`).
fn names_run(form: &str, identity: &str) -> bool {
    let words: Vec<&str> = form.split(' ').collect();
    (0..words.len()).any(|from| {
        let mut run = String::new();
        words[from..].iter().any(|w| {
            run.push_str(w);
            run == identity
        })
    })
}

/// The `rec:` key of a record.
pub fn rec_key(input: &Input) -> Box<str> {
    let (source, record) = (&input.record.source_id, &input.record.record_id);
    concat(&["rec:", source, "/", record])
}

/// `parts` in one string of exactly their length (keys are kept for the whole resolution,
/// a million times over: no spare capacity).
fn concat(parts: &[&str]) -> Box<str> {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| out.push_str(p));
    out.into_boxed_str()
}

/// The identity facts of `input`.
pub fn features<'a>(input: &'a Input, renames: &'a Renames) -> Features<'a> {
    let r = &input.record;
    let mut f = Features {
        rec: rec_key(input),
        name: r
            .name
            .as_deref()
            .map(normalise_name)
            .unwrap_or_default()
            .into_boxed_str(),
        license: r.license.as_deref(),
        description: r.description.as_deref(),
        wikidata: r.wikidata_id.as_ref().map(|q| concat(&["wd:", q])),
        space: input
            .id_space
            .as_deref()
            .map(|s| concat(&["space:", s, "/", &r.record_id])),
        ..Features::default()
    };
    let mut urls: Vec<&str> = r.repositories.iter().map(String::as_str).collect();
    if let Some(u) = &r.repository_url {
        urls.push(u);
    }
    if let Some(h) = &r.homepage_url {
        if is_forge_project(h) {
            urls.push(h);
        } else if is_shared_host(h) {
            f.shared_home = below_root(h).then_some(h.as_str());
        } else if let Some((host, key)) = home_key(h) {
            f.host = Some(host);
            f.home = Some(key);
        }
    }
    let mut orgs: Vec<u64> = Vec::new();
    // Teams of a forge's own organisation (`education` in `invent.kde.org/education/kstars`):
    // a source naming one as the organisation names a section, not a publisher.
    let mut teams: Vec<u64> = Vec::new();
    let mut repos: Vec<(Box<str>, &str)> = Vec::with_capacity(urls.len());
    for url in urls {
        let url = renames.newest(url);
        // A forge owner page given as the repository names the publisher, not the tool
        // (on a forge of independent publishers; elsewhere a team of the forge's owner).
        if let Some(owner) = forge_owner(url) {
            if host_of(url).is_some_and(owner_names_publisher) {
                orgs.extend(org_tag(owner));
            } else {
                teams.extend(org_tag(owner));
            }
            continue;
        }
        let Some(host) = host_of(url) else { continue };
        if is_forge_project(url)
            && let Some(owner) = repo_owner(url)
        {
            if owner_names_publisher(host) {
                orgs.extend(org_tag(owner));
            } else {
                teams.extend(org_tag(owner));
            }
        }
        repos.push((concat(&["repo:", url]), host));
    }
    repos.sort();
    repos.dedup();
    f.repos = repos.into_boxed_slice();
    // The organisations it names, and those a source gives as building or maintaining it
    // (not its users or funders: who runs a tool says nothing about which tool it is).
    let builders = r
        .organisations
        .iter()
        .filter(|o| matches!(o.role, OrgRole::Develops | OrgRole::Maintains));
    // `Banco Nacional de Bélgica / Eurostat` names two organisations.
    let named: Vec<&str> = r
        .organizations
        .iter()
        .map(String::as_str)
        .chain(builders.clone().filter_map(|o| o.name.as_deref()))
        .flat_map(|o| o.split(" / "))
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .collect();
    // `NI (Emerson)` is also `NI`.
    let outside = named
        .iter()
        .filter_map(|o| o.split_once('(').map(|(head, _)| head.trim()))
        .filter(|head| !head.is_empty());
    orgs.extend(
        named
            .iter()
            .copied()
            .chain(outside)
            .filter_map(org_tag)
            .filter(|t| !teams.contains(t)),
    );
    // `Apache Software Foundation` is also `apache`, the owner of its repositories.
    let vendors: Vec<String> = named.iter().filter_map(|o| names::org_vendor(o)).collect();
    f.vendor_org = vendors.iter().any(|v| names::is_company(v));
    orgs.extend(vendors.iter().filter_map(|v| org_tag(v)));
    orgs.extend(
        builders
            .filter_map(|o| o.forge_account.as_deref())
            .filter_map(|a| a.split_once(':'))
            // `github:login`, `gitlab:host/group/subgroup`: the owner's last name.
            .filter_map(|(_, path)| path.rsplit('/').next())
            .filter_map(org_tag),
    );
    // The project's own forge account (`thonny/thonny`, `gcompris/gcompris-qt`) speaks for it
    // as an organisation named after it does.
    let owners = f
        .repos
        .iter()
        .filter(|(_, host)| owner_names_publisher(host))
        .filter_map(|(key, _)| repo_owner(key))
        .map(|owner| owner.replace(['-', '_', '.'], " "));
    f.org_named = names::identity(&f.name).is_some_and(|id| {
        !id.generic
            && id.text.len() >= names::LONG_IDENTITY_LEN
            && named
                .iter()
                .filter_map(|o| names::org_form(o))
                .chain(owners)
                .any(|form| names_run(&form, &id.text))
    });
    let mut products: Vec<u64> = named
        .iter()
        .flat_map(|o| org_products(o))
        .map(|p| super::cluster::text_hash(&p))
        .collect();
    products.sort_unstable();
    products.dedup();
    f.org_products = products.into_boxed_slice();
    f.namespace = r
        .name
        .as_deref()
        .and_then(names::package_namespace)
        .and_then(org_tag)
        .map_or(0, |t| (t >> 32) as u32);
    f.former = r
        .name
        .as_deref()
        .map(super::names::former_names)
        .unwrap_or_default()
        .iter()
        .map(|n| super::cluster::text_hash(n))
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    f.orgs = orgs.into_boxed_slice();
    f
}

/// `(host, home:<host><path>)` of a canonical homepage.
fn home_key(url: &str) -> Option<(&str, Box<str>)> {
    let (host, path, query) = split(url)?;
    let host = host.trim_start_matches("www.");
    let mut segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if segments.first().is_some_and(|s| is_language_segment(s)) {
        segments.remove(0);
    }
    if segments
        .last()
        .is_some_and(|s| matches!(*s, "index.html" | "index.htm" | "index.php"))
    {
        segments.pop();
    }
    let mut parts = vec!["home:", host];
    for s in segments {
        parts.extend(["/", s]);
    }
    if let Some(q) = query {
        parts.extend(["?", q]);
    }
    Some((host, concat(&parts)))
}

/// (host with port, path, query) of a canonical URL, without parsing it again.
fn split(url: &str) -> Option<(&str, &str, Option<&str>)> {
    let rest = url.split_once("://")?.1;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    (!host.is_empty()).then_some((host, path, query))
}

/// `en`, `fr`, `pt-br`, `es_ES`: a path segment that only picks a language.
fn is_language_segment(s: &str) -> bool {
    let b = s.as_bytes();
    let two = |x: &[u8]| x.len() == 2 && x.iter().all(u8::is_ascii_alphabetic);
    two(b) || (b.len() == 5 && two(&b[..2]) && matches!(b[2], b'-' | b'_') && two(&b[3..]))
}

/// True when a URL on a shared host names more than the host's root page.
fn below_root(url: &str) -> bool {
    split(url).is_some_and(|(_, path, _)| path.contains(|c| c != '/'))
}

/// The owner in a forge URL or `repo:` key (`https://github.com/owner/name` → `owner`): its
/// path's first segment.
pub fn repo_owner(url_or_key: &str) -> Option<&str> {
    url_or_key.split('/').nth(3).filter(|o| !o.is_empty())
}

/// The host of a canonical URL.
pub fn host_of(url: &str) -> Option<&str> {
    split(url).map(|(host, _, _)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homepage_keys_ignore_scheme_language_and_index() {
        let k = |u: &str| home_key(u).map(|(_, k)| k);
        assert_eq!(
            k("https://decidim.org").as_deref(),
            Some("home:decidim.org")
        );
        assert_eq!(
            k("http://decidim.org/en").as_deref(),
            Some("home:decidim.org")
        );
        assert_eq!(
            k("https://budgetparticipatif.paris.fr/fr-FR/index.php").as_deref(),
            Some("home:budgetparticipatif.paris.fr")
        );
        assert_eq!(
            k("https://mysociety.org/alaveteli?x=1").as_deref(),
            Some("home:mysociety.org/alaveteli?x=1")
        );
    }

    #[test]
    fn features_stay_small() {
        // A million of them live through the whole resolution.
        assert!(std::mem::size_of::<Features>() <= 216);
    }

    #[test]
    fn shared_host_roots_are_not_specific() {
        assert!(!below_root("https://alice.github.io"));
        assert!(below_root("https://alice.github.io/tool"));
    }
}
