//! Organisations: the organisations the tools' records name (`NormRecord::organisations`),
//! resolved into one row each with a stable `co_` id, the role each plays for each tool, and
//! the tools' use cases (docs/normalisation.md, "Organisations").
//!
//! Pure, like the tool resolver: the resolved rows and the id registry come in; the tables
//! and the keys to register go out. Mentions are joined by strong keys (a forge account, a
//! Wikidata item, a SIREN, an IPA code: always; a website host that is not shared: unless
//! they conflict), then by their name's form (accents and case folded, legal forms dropped:
//! `Libriciel SCOP` = `Libriciel`) unless they conflict: two Wikidata items, two SIRENs, two
//! IPA codes or two countries that differ. An acronym and its expansion (`DINUM`, `Direction
//! interministérielle du numérique`) join only through a key.

mod kind;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::Known;
use super::keys::host_of;
use super::names::org_form;
use crate::model::{
    NormOrg, NormRecord, OrgRole, Organisation, SourceRecordRow, ToolOrganisation, UseCase,
};
use crate::normalise::url::is_shared_host;

/// The organisation tables of a release, and what to register.
#[derive(Debug, Default)]
pub struct ResolvedOrgs {
    /// Sorted by id.
    pub organisations: Vec<Organisation>,
    /// Sorted by (tool, organisation, role).
    pub tool_organisations: Vec<ToolOrganisation>,
    /// Sorted by id.
    pub use_cases: Vec<UseCase>,
    /// Keys seen for the first time, with their organisation's id.
    pub new_ids: Vec<(String, String)>,
    /// Registered keys whose organisation now has another id.
    pub moved_ids: Vec<(String, String)>,
    /// Organisation ids retired by a merge: (old id, surviving id), sorted.
    pub aliases: Vec<(String, String)>,
    /// Every mention and the organisation it went into, in record order.
    pub mentions: Vec<MentionRow>,
}

/// One organisation a record names, and the organisation it was resolved into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MentionRow {
    pub source_id: String,
    pub record_id: String,
    pub role: OrgRole,
    /// The name the record gives, else its website, else its forge account.
    pub name: String,
    pub organisation_id: String,
}

/// Tool id → (first seen, last seen).
type Seen<'a> = HashMap<&'a str, (Option<DateTime<Utc>>, Option<DateTime<Utc>>)>;

/// One organisation as one record names it.
struct Mention<'a> {
    record: &'a NormRecord,
    /// The tool its record went into; none for a record that matched no tool (an enrich
    /// source's organisations directory).
    tool: Option<&'a str>,
    stale: bool,
    org: &'a NormOrg,
    form: Option<String>,
    /// Strong keys: joined always.
    strong: Vec<String>,
    /// Keys joined unless the clusters conflict: the website host, the name's form.
    soft: Vec<String>,
}

/// What may not be in one organisation twice with different values.
#[derive(Clone, Default)]
struct Facts {
    wikidata: BTreeSet<String>,
    siren: BTreeSet<String>,
    ipa: BTreeSet<String>,
    countries: BTreeSet<String>,
}

impl Facts {
    fn of(org: &NormOrg) -> Facts {
        let one = |v: &Option<String>| v.iter().cloned().collect();
        Facts {
            wikidata: one(&org.wikidata_id),
            siren: one(&org.siren),
            ipa: one(&org.ipa),
            countries: one(&org.country),
        }
    }

    fn conflict(&self, other: &Facts) -> bool {
        let clash = |a: &BTreeSet<String>, b: &BTreeSet<String>| {
            !a.is_empty() && !b.is_empty() && a.is_disjoint(b)
        };
        clash(&self.wikidata, &other.wikidata)
            || clash(&self.siren, &other.siren)
            || clash(&self.ipa, &other.ipa)
            || clash(&self.countries, &other.countries)
    }

    fn absorb(&mut self, other: Facts) {
        self.wikidata.extend(other.wikidata);
        self.siren.extend(other.siren);
        self.ipa.extend(other.ipa);
        self.countries.extend(other.countries);
    }
}

fn mentions<'a>(rows: &'a [SourceRecordRow], unmatched: &'a [NormRecord]) -> Vec<Mention<'a>> {
    let mut out = Vec::new();
    let records = rows
        .iter()
        .map(|r| (&r.record, Some(r.tool_id.as_str()), r.stale))
        .chain(unmatched.iter().map(|r| (r, None, false)));
    for (record, tool, stale) in records {
        for org in &record.organisations {
            let form = org.name.as_deref().and_then(org_form);
            let mut strong = Vec::new();
            strong.extend(org.forge_account.iter().map(|a| format!("org:forge:{a}")));
            strong.extend(org.wikidata_id.iter().map(|q| format!("org:wd:{q}")));
            strong.extend(org.siren.iter().map(|s| format!("org:siren:{s}")));
            strong.extend(
                org.ipa
                    .iter()
                    .map(|c| format!("org:ipa:{}", c.to_lowercase())),
            );
            let mut soft = Vec::new();
            if let Some(site) = &org.website
                && !is_shared_host(site)
                && let Some(host) = host_of(site)
            {
                soft.push(format!("org:web:{}", host.trim_start_matches("www.")));
            }
            // The name's form run together (`Entr'ouvert` = `Entrouvert`), and an acronym
            // the name gives in brackets (`Deutsche Gesellschaft für Internationale
            // Zusammenarbeit (GIZ) GmbH`).
            soft.extend(
                form.iter()
                    .map(|f| f.replace(' ', ""))
                    .filter(|f| !GENERIC_UNITS.contains(&f.as_str()))
                    .map(|f| format!("org:name:{f}")),
            );
            soft.extend(
                org.name
                    .as_deref()
                    .map(bracketed_acronyms)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| format!("org:name:{a}")),
            );
            out.push(Mention {
                record,
                tool,
                stale,
                org,
                form,
                strong,
                soft,
            });
        }
    }
    out
}

struct Forest {
    parent: Vec<usize>,
    facts: Vec<Facts>,
}

impl Forest {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize, unless_conflict: bool) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b || unless_conflict && self.facts[a].conflict(&self.facts[b]) {
            return;
        }
        let (root, child) = (a.min(b), a.max(b));
        self.parent[child] = root;
        let moved = std::mem::take(&mut self.facts[child]);
        self.facts[root].absorb(moved);
    }
}

/// Joins mentions sharing a key of the kind `keys` gives, in mention order.
fn unite<'m>(
    forest: &mut Forest,
    ms: &'m [Mention<'m>],
    keys: impl Fn(&'m Mention<'m>) -> &'m [String],
    soft: bool,
) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, m) in ms.iter().enumerate() {
        for k in keys(m) {
            match first.get(k.as_str()) {
                Some(&f) => forest.union(f, i, soft),
                None => {
                    first.insert(k, i);
                }
            }
        }
    }
}

/// Names of units every administration has, run together as the name key writes them: two
/// organisations so named are the same only through a key (the `OCIO` of two agencies).
const GENERIC_UNITS: &[&str] = &[
    "cio",
    "cto",
    "dsi",
    "dsin",
    "dnum",
    "ocio",
    "octo",
    "officechiefinformationofficer",
    "officechieftechnologyofficer",
    "itdepartment",
    "departmentinformationtechnology",
    "informationtechnology",
    "digitalservice",
    "digitalservices",
    "directionsystemesinformation",
    "directionnumerique",
    "servicenumerique",
    "serviceinformatique",
    "servicesinformatiques",
    "directioninformatique",
];

/// The acronyms a name gives in brackets (`(GIZ)`), lowercased.
fn bracketed_acronyms(name: &str) -> Vec<String> {
    name.split(['(', '['])
        .skip(1)
        .filter_map(|rest| rest.split([')', ']']).next())
        .filter(|inside| acronym(inside.trim()).is_some())
        .map(|inside| inside.trim().to_lowercase())
        .collect()
}

/// `name` as an acronym, lowercased: one word of 2 to 8 letters and digits with at least
/// two capitals (`DGFiP`, `INSEE`, `CISA`).
fn acronym(name: &str) -> Option<String> {
    let n = name.trim();
    let ok = (2..=8).contains(&n.chars().count())
        && n.chars().all(|c| c.is_ascii_alphanumeric())
        && n.chars().filter(char::is_ascii_uppercase).count() >= 2;
    ok.then(|| n.to_ascii_lowercase())
}

/// Resolves the organisations and use cases of the tool resolver's output (`resolved`:
/// its rows, tools and the records that matched no tool) against the id registry `known`.
pub fn resolve_orgs(resolved: &super::Resolved, known: &Known) -> ResolvedOrgs {
    let (rows, tools) = (&resolved.rows, &resolved.tools);
    let ms = mentions(rows, &resolved.unmatched_parts);
    let mut forest = Forest {
        parent: (0..ms.len()).collect(),
        facts: ms.iter().map(|m| Facts::of(m.org)).collect(),
    };
    unite(&mut forest, &ms, |m| &m.strong, false);
    unite(&mut forest, &ms, |m| &m.soft, true);
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..ms.len() {
        let root = forest.find(i);
        clusters.entry(root).or_default().push(i);
    }
    let clusters: Vec<Vec<usize>> = clusters.into_values().collect();
    let mut out = ResolvedOrgs::default();
    let ids = assign_ids(&clusters, &ms, known, &mut out);
    let seen: Seen<'_> = tools
        .iter()
        .map(|t| (t.id.as_str(), (t.first_seen_at, t.last_seen_at)))
        .collect();
    let mut org_of_mention = vec![0usize; ms.len()];
    for (c, members) in clusters.iter().enumerate() {
        members.iter().for_each(|&m| org_of_mention[m] = c);
        out.organisations
            .push(organisation(&ids[c], members, &ms, &seen));
    }
    out.mentions = ms
        .iter()
        .enumerate()
        .map(|(i, m)| MentionRow {
            source_id: m.record.source_id.clone(),
            record_id: m.record.record_id.clone(),
            role: m.org.role,
            name: m
                .org
                .name
                .clone()
                .or_else(|| m.org.website.clone())
                .or_else(|| m.org.forge_account.clone())
                .unwrap_or_default(),
            organisation_id: ids[org_of_mention[i]].clone(),
        })
        .collect();
    out.organisations.sort_by(|a, b| a.id.cmp(&b.id));
    // Roles: (tool, organisation, role) → sources.
    let mut roles: BTreeMap<(&str, &str, OrgRole), BTreeSet<&str>> = BTreeMap::new();
    for (i, m) in ms.iter().enumerate() {
        if let Some(tool) = m.tool {
            roles
                .entry((tool, &ids[org_of_mention[i]], m.org.role))
                .or_default()
                .insert(&m.record.source_id);
        }
    }
    out.tool_organisations = roles
        .into_iter()
        .map(|((tool, org, role), sources)| ToolOrganisation {
            tool_id: tool.to_string(),
            organisation_id: org.to_string(),
            role,
            sources: sources.into_iter().map(str::to_string).collect(),
        })
        .collect();
    // A use case's organisation: the organisation of that name the same record names, else
    // the one organisation of that name.
    let mut by_form: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut by_record: HashMap<(&str, &str, &str), &str> = HashMap::new();
    for (i, m) in ms.iter().enumerate() {
        if let Some(form) = &m.form {
            let id = ids[org_of_mention[i]].as_str();
            by_form.entry(form).or_default().insert(id);
            let rec = m.record;
            by_record.insert((&rec.source_id, &rec.record_id, form), id);
        }
    }
    out.use_cases = use_cases(rows, &seen, |row, name| {
        let form = org_form(name)?;
        let rec = &row.record;
        if let Some(id) = by_record.get(&(
            rec.source_id.as_str(),
            rec.record_id.as_str(),
            form.as_str(),
        )) {
            return Some(id.to_string());
        }
        match by_form.get(form.as_str()) {
            Some(ids) if ids.len() == 1 => ids.first().map(|id| id.to_string()),
            _ => None,
        }
    });
    out
}

/// The organisation row of one cluster.
fn organisation(id: &str, members: &[usize], ms: &[Mention], seen: &Seen<'_>) -> Organisation {
    // Values are taken from the mentions in the order of their source and record, the
    // most frequent name first.
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut forge, mut identifiers, mut sources) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut o = Organisation {
        id: id.to_string(),
        stale: true,
        ..Organisation::default()
    };
    let mut countries: BTreeMap<&str, usize> = BTreeMap::new();
    // The first source giving each name and country; the source of the website and item.
    let mut given_by: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut provenance: Vec<String> = Vec::new();
    for &i in members {
        let (org, m) = (ms[i].org, &ms[i]);
        let source = m.record.source_id.as_str();
        if let Some(n) = &org.name {
            *names.entry(n).or_default() += 1;
            given_by.entry(("name", n)).or_insert(source);
        }
        if let Some(c) = &org.country {
            *countries.entry(c).or_default() += 1;
            given_by.entry(("country", c)).or_insert(source);
        }
        if o.website.is_none() && org.website.is_some() {
            o.website = org.website.clone();
            provenance.push(format!("website:{source}"));
        }
        if o.wikidata_id.is_none() && org.wikidata_id.is_some() {
            o.wikidata_id = org.wikidata_id.clone();
            provenance.push(format!("wikidata_id:{source}"));
        }
        forge.extend(org.forge_account.iter().cloned());
        identifiers.extend(org.siren.iter().map(|s| format!("siren:{s}")));
        identifiers.extend(org.ipa.iter().map(|c| format!("ipa:{c}")));
        sources.insert(m.record.source_id.clone());
        o.stale &= m.stale;
        let (first, last) = match m.tool.and_then(|t| seen.get(t)) {
            Some(&seen) => seen,
            None => (m.record.fetched_at, m.record.fetched_at),
        };
        o.first_seen_at = min_opt(o.first_seen_at, first);
        o.last_seen_at = o.last_seen_at.max(last);
    }
    let most = |counts: &BTreeMap<&str, usize>| {
        counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(v, _)| v.to_string())
    };
    o.name = most(&names);
    o.country = most(&countries);
    for (field, value) in [("name", &o.name), ("country", &o.country)] {
        if let Some(source) = value.as_deref().and_then(|v| given_by.get(&(field, v))) {
            provenance.push(format!("{field}:{source}"));
        }
    }
    provenance.sort();
    o.provenance = provenance;
    o.names = names.keys().map(|n| n.to_string()).collect();
    o.forge_accounts = forge.into_iter().collect();
    o.identifiers = identifiers.into_iter().collect();
    o.sources = sources.into_iter().collect();
    let kinds: Vec<&str> = members
        .iter()
        .filter_map(|&i| ms[i].org.kind.as_deref())
        .collect();
    (o.kind, o.kind_rule) = kind::classify(&o, &kinds);
    o
}

fn min_opt(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The use cases of `rows`: one per tool and deployment URL (else organisation and title),
/// its values from the first record that lists it, its sources united.
fn use_cases(
    rows: &[SourceRecordRow],
    seen: &Seen<'_>,
    org_of: impl Fn(&SourceRecordRow, &str) -> Option<String>,
) -> Vec<UseCase> {
    let mut out: BTreeMap<String, UseCase> = BTreeMap::new();
    for row in rows {
        for case in &row.record.use_cases {
            let what = match &case.url {
                Some(url) => format!("url:{url}"),
                None => format!(
                    "org:{}|title:{}",
                    case.organisation
                        .as_deref()
                        .and_then(org_form)
                        .unwrap_or_default(),
                    case.title.as_deref().and_then(org_form).unwrap_or_default()
                ),
            };
            let id = derived_id("cu_", &format!("uc:{}\n{what}", row.tool_id));
            let entry = out.entry(id.clone()).or_insert_with(|| {
                let (first, last) = seen.get(row.tool_id.as_str()).copied().unwrap_or_default();
                UseCase {
                    id,
                    tool_id: row.tool_id.clone(),
                    organisation_id: case.organisation.as_deref().and_then(|n| org_of(row, n)),
                    title: case.title.clone(),
                    url: case.url.clone(),
                    country: case.country.clone(),
                    audience: case.audience.clone(),
                    first_seen_at: first,
                    last_seen_at: last,
                    sources: Vec::new(),
                    liveness: None,
                    checked_at: None,
                }
            });
            if !entry.sources.contains(&row.record.source_id) {
                entry.sources.push(row.record.source_id.clone());
                entry.sources.sort();
            }
        }
    }
    out.into_values().collect()
}

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// `prefix` and 12 lowercase base32 characters of the SHA-256 of `key`.
pub(crate) fn derived_id(prefix: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let bits = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) >> 4;
    let mut id = String::with_capacity(prefix.len() + 12);
    id.push_str(prefix);
    for i in 0..12 {
        id.push(ALPHABET[((bits >> (55 - 5 * i)) & 31) as usize] as char);
    }
    id
}

/// The keys a cluster is registered under: its mentions' keys, and one per mention (its
/// record, role and name or website), so an organisation keeps its id when its keys change.
fn cluster_keys(members: &[usize], ms: &[Mention]) -> Vec<String> {
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for &i in members {
        let m = &ms[i];
        keys.extend(m.strong.iter().cloned());
        keys.extend(m.soft.iter().cloned());
        let what = m
            .form
            .clone()
            .or_else(|| m.org.website.clone())
            .or_else(|| m.org.forge_account.clone())
            .unwrap_or_default();
        let rec = m.record;
        keys.insert(format!(
            "org:rec:{}/{}/{}/{what}",
            rec.source_id,
            rec.record_id,
            m.org.role.as_str()
        ));
    }
    keys.into_iter().collect()
}

/// Ids through the registry, as for tools: a cluster claims the `co_` ids its keys are
/// registered to; an id goes to the cluster with the most keys registered to it; a cluster
/// that wins several keeps the oldest (the others become aliases); one that wins none gets
/// `co_` + the hash of its first key (strong keys first), never an id seen before.
fn assign_ids(
    clusters: &[Vec<usize>],
    ms: &[Mention],
    known: &Known,
    out: &mut ResolvedOrgs,
) -> Vec<String> {
    let keys: Vec<Vec<String>> = clusters.iter().map(|c| cluster_keys(c, ms)).collect();
    // id → (cluster, keys registered to it), the best claim per id.
    let mut claims: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (c, ks) in keys.iter().enumerate() {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for k in ks {
            if let Some((id, _)) = known.get(k)
                && id.starts_with("co_")
            {
                *counts.entry(id).or_default() += 1;
            }
        }
        for (id, n) in counts {
            claims.entry(id).or_default().push((c, n));
        }
    }
    let registered_at = |id: &str, ks: &[String]| {
        ks.iter()
            .filter_map(|k| known.get(k).filter(|(i, _)| i == id).map(|(_, t)| *t))
            .min()
    };
    let mut won: Vec<Vec<&str>> = vec![Vec::new(); clusters.len()];
    for (id, mut cs) in claims {
        cs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        won[cs[0].0].push(id);
    }
    let mut taken: BTreeSet<String> = known
        .values()
        .filter(|(id, _)| id.starts_with("co_"))
        .map(|(id, _)| id.clone())
        .collect();
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
                let first = first_key(&clusters[c], ms).unwrap_or_else(|| keys[c][0].clone());
                let mut n = 1;
                loop {
                    let key = if n == 1 {
                        first.clone()
                    } else {
                        format!("{first}#{n}")
                    };
                    let id = derived_id("co_", &key);
                    if !taken.contains(&id) {
                        break id;
                    }
                    n += 1;
                }
            }
        };
        taken.insert(id.clone());
        for k in &keys[c] {
            match known.get(k) {
                None => out.new_ids.push((k.clone(), id.clone())),
                Some((old, _)) if *old != id => out.moved_ids.push((k.clone(), id.clone())),
                Some(_) => {}
            }
        }
        ids.push(id);
    }
    out.aliases.sort();
    out.new_ids.sort();
    out.moved_ids.sort();
    ids
}

/// The smallest strong key of a cluster, else its smallest website or name key.
fn first_key(members: &[usize], ms: &[Mention]) -> Option<String> {
    let strong = members.iter().flat_map(|&i| ms[i].strong.iter()).min();
    strong
        .or_else(|| members.iter().flat_map(|&i| ms[i].soft.iter()).min())
        .cloned()
}

#[cfg(test)]
mod tests;
