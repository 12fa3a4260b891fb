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
//! interministérielle du numérique`) join only through a key or the documented alias list
//! (`aliases.toml`, see [`aliases`]), last and on the same terms as a soft key.

mod aliases;
mod ids;
mod kind;
mod use_cases;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use self::aliases::Aliases;
use self::ids::assign_ids;
use self::use_cases::use_cases;
use super::keys::host_of;
use super::names::{bracketed, org_form};
use super::order::parallel_map;
use super::{FastMap, Known};
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
pub(super) type Seen<'a> = HashMap<&'a str, (Option<DateTime<Utc>>, Option<DateTime<Utc>>)>;

/// One organisation as one record names it.
pub(super) struct Mention<'a> {
    pub(super) record: &'a NormRecord,
    /// The tool its record went into; none for a record that matched no tool (an enrich
    /// source's organisations directory).
    pub(super) tool: Option<&'a str>,
    pub(super) stale: bool,
    pub(super) org: &'a NormOrg,
    pub(super) form: Option<String>,
    /// Strong keys: joined always.
    pub(super) strong: Vec<String>,
    /// Keys joined unless the clusters conflict: the website host, the name's form.
    pub(super) soft: Vec<String>,
    /// The alias key of the body of the alias list the name is a form of, if any: joined
    /// like a soft key, after them; neither registered nor used to derive an id.
    pub(super) alias: Vec<String>,
}

/// What may not be in one organisation twice with different values: per kind, the values
/// its mentions give, sorted, each once (most organisations have none or one).
#[derive(Clone, Default)]
struct Facts<'a> {
    wikidata: Vec<&'a str>,
    siren: Vec<&'a str>,
    ipa: Vec<&'a str>,
    pso: Vec<&'a str>,
    countries: Vec<&'a str>,
}

impl<'a> Facts<'a> {
    fn of(org: &'a NormOrg) -> Facts<'a> {
        let one = |v: &'a Option<String>| v.as_deref().into_iter().collect();
        Facts {
            wikidata: one(&org.wikidata_id),
            siren: one(&org.siren),
            ipa: one(&org.ipa),
            pso: one(&org.pso_id),
            countries: one(&org.country),
        }
    }

    fn conflict(&self, other: &Facts) -> bool {
        let clash = |a: &[&str], b: &[&str]| {
            !a.is_empty() && !b.is_empty() && !a.iter().any(|v| b.contains(v))
        };
        clash(&self.wikidata, &other.wikidata)
            || clash(&self.siren, &other.siren)
            || clash(&self.ipa, &other.ipa)
            || clash(&self.pso, &other.pso)
            || clash(&self.countries, &other.countries)
    }

    fn absorb(&mut self, other: Facts<'a>) {
        let join = |a: &mut Vec<&'a str>, b: Vec<&'a str>| {
            if !b.is_empty() {
                a.extend(b);
                a.sort_unstable();
                a.dedup();
            }
        };
        join(&mut self.wikidata, other.wikidata);
        join(&mut self.siren, other.siren);
        join(&mut self.ipa, other.ipa);
        join(&mut self.pso, other.pso);
        join(&mut self.countries, other.countries);
    }
}

fn mentions<'a>(
    rows: &'a [SourceRecordRow],
    unmatched: &'a [NormRecord],
    source_countries: &HashMap<String, String>,
) -> Vec<Mention<'a>> {
    let list = Aliases::get();
    let records: Vec<(&NormRecord, Option<&str>, bool)> = rows
        .iter()
        .map(|r| (&r.record, Some(r.tool_id.as_str()), r.stale))
        .chain(unmatched.iter().map(|r| (r, None, false)))
        .filter(|(r, _, _)| !r.organisations.is_empty())
        .collect();
    // Each record's mentions on its own (on every core), in record order.
    let per_record = parallel_map(&records, |&(record, tool, stale)| {
        let mut out = Vec::with_capacity(record.organisations.len());
        for org in &record.organisations {
            let form = org.name.as_deref().and_then(org_form);
            let mut strong = Vec::new();
            strong.extend(org.forge_account.iter().map(|a| format!("org:forge:{a}")));
            strong.extend(org.wikidata_id.iter().map(|q| format!("org:wd:{q}")));
            strong.extend(org.siren.iter().map(|s| format!("org:siren:{s}")));
            strong.extend(org.pso_id.iter().map(|p| format!("org:pso:{p}")));
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
            let run_together = form.as_deref().map(|f| f.replace(' ', ""));
            let acronyms = org
                .name
                .as_deref()
                .map(bracketed_acronyms)
                .unwrap_or_default();
            soft.extend(
                run_together
                    .iter()
                    .filter(|f| !GENERIC_UNITS.contains(&f.as_str()))
                    .map(|f| format!("org:name:{f}")),
            );
            soft.extend(acronyms.iter().map(|a| format!("org:name:{a}")));
            // Abbreviations, plurals and the council's name in Spain's languages folded
            // (`Sandia National Labs` = `Sandia National Laboratories`, `Ajuntament de
            // Sabadell` = `Ayuntamiento de Sabadell`): another name key, the first one kept
            // so registry keys stay as they were.
            let canonical = form.as_deref().map(canonical_form).filter(|c| {
                Some(c) != run_together.as_ref() && !GENERIC_UNITS.contains(&c.as_str())
            });
            soft.extend(canonical.iter().map(|c| format!("org:name:{c}")));
            // The alias list: the name's form, the name without its brackets
            // (`Direction interministérielle du numérique (DINUM)`), its acronyms.
            let unbracketed = org
                .name
                .as_deref()
                .filter(|n| n.contains(['(', '[']))
                .and_then(|n| aliases::fold(&outside_brackets(n)));
            // A mention stating no country is looked up as such, then, when that finds no
            // one body (an acronym too short, or of bodies of several countries), in its
            // source's declared country (a national catalogue's bodies).
            let forms = || {
                run_together
                    .iter()
                    .chain(&canonical)
                    .chain(&unbracketed)
                    .chain(&acronyms)
                    .map(String::as_str)
            };
            let alias = list
                .key(forms(), org.country.as_deref())
                .or_else(|| {
                    let hint = source_countries.get(&record.source_id);
                    (org.country.is_none())
                        .then_some(hint)
                        .flatten()
                        .and_then(|c| list.key(forms(), Some(c)))
                })
                .map(str::to_string)
                .into_iter()
                .collect();
            out.push(Mention {
                record,
                tool,
                stale,
                org,
                form,
                strong,
                soft,
                alias,
            });
        }
        out
    });
    per_record.into_iter().flatten().collect()
}

struct Forest<'a> {
    parent: Vec<usize>,
    facts: Vec<Facts<'a>>,
}

impl Forest<'_> {
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
    let mut first: FastMap<&str, usize> = FastMap::default();
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

/// An organisation's name form ([`org_form`]) with its words folded further, run
/// together: common abbreviations written out (`labs` → `laboratories`, `dept` →
/// `department`, `univ` → `university`), English and Romance plurals made singular
/// (`ventures` → `venture`, `laboratories` → `laboratory`), and the municipal council's name
/// in Catalan, Galician and Basque written in Spanish (`ajuntament`, `concello`, `udala` →
/// `ayuntamiento`: one word in four languages, not another body).
fn canonical_form(form: &str) -> String {
    const ABBREVIATIONS: &[(&str, &str)] = &[
        ("ajuntament", "ayuntamiento"),
        ("centre", "center"),
        ("concello", "ayuntamiento"),
        ("ctr", "center"),
        ("dept", "department"),
        ("govt", "government"),
        ("inst", "institute"),
        ("intl", "international"),
        ("lab", "laboratory"),
        ("labs", "laboratory"),
        ("natl", "national"),
        ("udala", "ayuntamiento"),
        ("univ", "university"),
    ];
    form.split(' ')
        .map(|w| {
            if let Ok(at) = ABBREVIATIONS.binary_search_by(|(k, _)| k.cmp(&w)) {
                return ABBREVIATIONS[at].1.to_string();
            }
            singular(w)
        })
        .collect()
}

/// A word of five letters or more made singular: `-ies` → `-y`, a final `-s` dropped (not
/// `-ss`, `-us`, `-is`).
fn singular(w: &str) -> String {
    if w.len() < 5 {
        return w.to_string();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        return format!("{stem}y");
    }
    match w.strip_suffix('s') {
        Some(stem) if !stem.ends_with(['s', 'u', 'i']) => stem.to_string(),
        _ => w.to_string(),
    }
}

/// The acronyms a name gives in brackets (`(GIZ)`), lowercased.
fn bracketed_acronyms(name: &str) -> Vec<String> {
    bracketed(name)
        .filter(|inside| acronym(inside.trim()).is_some())
        .map(|inside| inside.trim().to_lowercase())
        .collect()
}

/// `name` without the text in its brackets (`(…)`, `[…]`).
fn outside_brackets(name: &str) -> String {
    let mut depth = 0usize;
    name.chars()
        .filter(|&c| match c {
            '(' | '[' => {
                depth += 1;
                false
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
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
    resolve_orgs_with(resolved, known, &HashMap::new())
}

/// [`resolve_orgs`], knowing the country each source declares (`source_countries`: source
/// id → ISO 3166-1 alpha-2, a national catalogue's `country`), which the alias list uses
/// for a mention that states none.
pub fn resolve_orgs_with(
    resolved: &super::Resolved,
    known: &Known,
    source_countries: &HashMap<String, String>,
) -> ResolvedOrgs {
    let (rows, tools) = (&resolved.rows, &resolved.tools);
    let ms = mentions(rows, &resolved.unmatched_parts, source_countries);
    let mut forest = Forest {
        parent: (0..ms.len()).collect(),
        facts: ms.iter().map(|m| Facts::of(m.org)).collect(),
    };
    unite(&mut forest, &ms, |m| &m.strong, false);
    unite(&mut forest, &ms, |m| &m.soft, true);
    unite(&mut forest, &ms, |m| &m.alias, true);
    // Clusters in the order of their first mention (a root is its cluster's first).
    let mut cluster_of_root: FastMap<usize, usize> = FastMap::default();
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for i in 0..ms.len() {
        let root = forest.find(i);
        let c = *cluster_of_root.entry(root).or_insert_with(|| {
            clusters.push(Vec::new());
            clusters.len() - 1
        });
        clusters[c].push(i);
    }
    let mut out = ResolvedOrgs::default();
    let ids = assign_ids(&clusters, &ms, known, &mut out);
    let seen: Seen<'_> = tools
        .iter()
        .map(|t| (t.id.as_str(), (t.first_seen_at, t.last_seen_at)))
        .collect();
    let mut org_of_mention = vec![0usize; ms.len()];
    for (c, members) in clusters.iter().enumerate() {
        members.iter().for_each(|&m| org_of_mention[m] = c);
    }
    let numbered: Vec<(usize, &Vec<usize>)> = clusters.iter().enumerate().collect();
    out.organisations = parallel_map(&numbered, |&(c, members)| {
        organisation(&ids[c], members, &ms, &seen)
    });
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
    // Roles: (tool, organisation, role) → sources, sorted.
    let mut roles: Vec<(&str, &str, OrgRole, &str)> = ms
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let org = ids[org_of_mention[i]].as_str();
            Some((m.tool?, org, m.org.role, m.record.source_id.as_str()))
        })
        .collect();
    roles.sort_unstable();
    roles.dedup();
    for (tool, org, role, source) in roles {
        match out.tool_organisations.last_mut() {
            Some(last)
                if last.tool_id == tool && last.organisation_id == org && last.role == role =>
            {
                last.sources.push(source.to_string());
            }
            _ => out.tool_organisations.push(ToolOrganisation {
                tool_id: tool.to_string(),
                organisation_id: org.to_string(),
                role,
                sources: vec![source.to_string()],
            }),
        }
    }
    // A use case's organisation: the organisation of that name the same record names, else
    // the one organisation of that name.
    // Form → its one organisation, or none when several carry it.
    let mut by_form: FastMap<&str, Option<&str>> = FastMap::default();
    let mut by_record: FastMap<(&str, &str, &str), &str> = FastMap::default();
    for (i, m) in ms.iter().enumerate() {
        if let Some(form) = &m.form {
            let id = ids[org_of_mention[i]].as_str();
            by_form
                .entry(form)
                .and_modify(|one| {
                    if *one != Some(id) {
                        *one = None;
                    }
                })
                .or_insert(Some(id));
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
        by_form
            .get(form.as_str())
            .copied()
            .flatten()
            .map(str::to_string)
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
        identifiers.extend(org.pso_id.iter().map(|p| format!("pso:{p}")));
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

#[cfg(test)]
mod tests;
