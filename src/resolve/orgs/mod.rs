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

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use self::aliases::Aliases;
use self::ids::assign_ids;
use self::use_cases::use_cases;
use super::cluster::text_hash;
use super::keys::host_of;
use super::names::{bracketed, org_form};
use super::order::{parallel_map, parallel_parts};
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

type FastSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;

/// Tool id → (first seen, last seen).
pub(super) type Seen<'a> = HashMap<&'a str, (Option<DateTime<Utc>>, Option<DateTime<Utc>>)>;

/// One organisation as one record names it. Its keys are not kept here: [`mentions`] gives
/// their hashes beside ([`MentionKeys`]), for as long as the clusters are built, and the
/// registry's text is written again from `org` ([`key_text`]) for the keys registered.
pub(super) struct Mention<'a> {
    pub(super) record: &'a NormRecord,
    /// The tool its record went into; none for a record that matched no tool (an enrich
    /// source's organisations directory).
    pub(super) tool: Option<&'a str>,
    pub(super) stale: bool,
    pub(super) org: &'a NormOrg,
}

/// The keys of one organisation as a record gives it, as text: the registry's keys.
pub(super) struct KeyText {
    /// The name's form ([`org_form`]).
    pub(super) form: Option<String>,
    /// Strong keys: joined always.
    pub(super) strong: Vec<String>,
    /// Keys joined unless the clusters conflict: the website host, the name's form.
    pub(super) soft: Vec<String>,
    /// The name's form run together, and with its words folded further
    /// ([`canonical_form`]) when that differs: forms the alias list is looked up by.
    run_together: Option<String>,
    canonical: Option<String>,
    /// The acronyms the name gives in brackets.
    acronyms: Vec<String>,
}

/// The keys of `org` (see [`KeyText`]).
pub(super) fn key_text(org: &NormOrg) -> KeyText {
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
    if let Some(key) = org.website.as_deref().and_then(web_key) {
        soft.push(key);
    }
    // The name's form run together (`Entr'ouvert` = `Entrouvert`), and an acronym the name
    // gives in brackets (`Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)
    // GmbH`).
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
    // Abbreviations, plurals and the council's name in Spain's languages folded (`Sandia
    // National Labs` = `Sandia National Laboratories`, `Ajuntament de Sabadell` =
    // `Ayuntamiento de Sabadell`): another name key, the first one kept so registry keys
    // stay as they were.
    let canonical = form
        .as_deref()
        .map(canonical_form)
        .filter(|c| Some(c) != run_together.as_ref() && !GENERIC_UNITS.contains(&c.as_str()));
    soft.extend(canonical.iter().map(|c| format!("org:name:{c}")));
    // The names of one body the name writes side by side (`Canadian Space Agency | Agence
    // spatiale canadienne`, `FBK - Fondazione Bruno Kessler`, `Maanmittauslaitos (National
    // Land Survey of Finland)`: [`other_names`]): another name key each, after the others.
    if let Some(name) = org.name.as_deref() {
        for part in other_names(name) {
            let Some(f) = org_form(part).map(|f| f.replace(' ', "")) else {
                continue;
            };
            let key = format!("org:name:{f}");
            if !GENERIC_UNITS.contains(&f.as_str()) && !soft.contains(&key) {
                soft.push(key);
            }
        }
    }
    KeyText {
        form,
        strong,
        soft,
        run_together,
        canonical,
        acronyms,
    }
}

/// The keys mentions are joined by, as 64-bit hashes of their text ([`text_hash`]: two
/// keys are the same when their hashes are; a false match needs a collision of 64-bit
/// hashes, as in the tool resolver), for as long as the clusters are built: per mention a
/// few integers, not strings.
#[derive(Default)]
struct MentionKeys {
    /// Each mention's strong keys, then its soft keys, in the order [`key_text`] gives them.
    hashes: Vec<u64>,
    /// Per mention: where its hashes start, where its soft ones start, where they end.
    spans: Vec<[u32; 3]>,
    /// Per mention: the alias key of the body of the alias list the name is a form of, if
    /// any: joined like a soft key, after them; neither registered nor used to derive an id.
    alias: Vec<Option<&'static str>>,
}

impl MentionKeys {
    fn push(&mut self, k: &KeyText, alias: Option<&'static str>) {
        let at = |n: usize| u32::try_from(n).expect("fewer than 2^32 keys");
        let start = at(self.hashes.len());
        self.hashes.extend(k.strong.iter().map(|s| text_hash(s)));
        let mid = at(self.hashes.len());
        self.hashes.extend(k.soft.iter().map(|s| text_hash(s)));
        self.spans.push([start, mid, at(self.hashes.len())]);
        self.alias.push(alias);
    }

    fn strong(&self, i: usize) -> &[u64] {
        let [start, mid, _] = self.spans[i];
        &self.hashes[start as usize..mid as usize]
    }

    fn soft(&self, i: usize) -> &[u64] {
        let [_, mid, end] = self.spans[i];
        &self.hashes[mid as usize..end as usize]
    }

    /// `other`'s keys after these.
    fn append(&mut self, other: MentionKeys) {
        let offset = u32::try_from(self.hashes.len()).expect("fewer than 2^32 keys");
        self.hashes.extend(other.hashes);
        self.spans
            .extend(other.spans.into_iter().map(|s| s.map(|at| at + offset)));
        self.alias.extend(other.alias);
    }
}

/// What may not be in one organisation twice with different values: the Wikidata items,
/// SIRENs, IPA codes, `pso_id`s and countries its mentions give, as hashes of 61 bits
/// with the top three replaced by the kind, sorted (so grouped by kind), each once. Most
/// organisations have none or one; an empty vector holds no memory.
type Facts = Vec<u64>;

/// Bits of a fact that hold its kind.
const KIND_SHIFT: u32 = 61;

/// The facts of one mention.
fn facts_of(org: &NormOrg) -> Facts {
    let mut out: Facts = [
        &org.wikidata_id,
        &org.siren,
        &org.ipa,
        &org.pso_id,
        &org.country,
    ]
    .into_iter()
    .zip(0u64..)
    .filter_map(|(v, kind)| {
        Some((kind << KIND_SHIFT) | (text_hash(v.as_deref()?) >> (64 - KIND_SHIFT)))
    })
    .collect();
    out.sort_unstable();
    out
}

/// The end of the facts of the kind of `facts[from]`.
fn kind_end(facts: &[u64], from: usize) -> usize {
    let kind = facts[from] >> KIND_SHIFT;
    from + facts[from..]
        .iter()
        .take_while(|&&f| f >> KIND_SHIFT == kind)
        .count()
}

/// True when `a` and `b` both give values of one kind and none in common.
fn conflict(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (ka, kb) = (a[i] >> KIND_SHIFT, b[j] >> KIND_SHIFT);
        if ka < kb {
            i = kind_end(a, i);
        } else if kb < ka {
            j = kind_end(b, j);
        } else {
            let (ea, eb) = (kind_end(a, i), kind_end(b, j));
            if !a[i..ea].iter().any(|v| b[j..eb].contains(v)) {
                return true;
            }
            (i, j) = (ea, eb);
        }
    }
    false
}

/// The records that name organisations, in the order of their mentions: each with the
/// tool it went into (none for a record that matched no tool) and whether it is stale.
fn naming<'a>(
    rows: &'a [SourceRecordRow],
    unmatched: &'a [NormRecord],
) -> impl Iterator<Item = (&'a NormRecord, Option<&'a str>, bool)> {
    rows.iter()
        .map(|r| (&r.record, Some(r.tool_id.as_str()), r.stale))
        .chain(unmatched.iter().map(|r| (r, None, false)))
        .filter(|(r, _, _)| !r.organisations.is_empty())
}

/// The mentions of the records, in record order, and their keys.
fn mentions<'a>(
    rows: &'a [SourceRecordRow],
    unmatched: &'a [NormRecord],
    source_countries: &HashMap<String, String>,
) -> (Vec<Mention<'a>>, MentionKeys) {
    let list = Aliases::get();
    let records: Vec<(&NormRecord, Option<&str>, bool)> = naming(rows, unmatched).collect();
    // One part of the records per core, in record order.
    let parts = parallel_parts(&records, |part| {
        let mut ms = Vec::new();
        let mut keys = MentionKeys::default();
        for &(record, tool, stale) in part {
            for org in &record.organisations {
                let k = key_text(org);
                // The alias list: the name's form, the name without its brackets
                // (`Direction interministérielle du numérique (DINUM)`), its acronyms.
                let unbracketed = org
                    .name
                    .as_deref()
                    .filter(|n| n.contains(['(', '[']))
                    .and_then(|n| aliases::fold(&outside_brackets(n)));
                // A mention stating no country is looked up as such, then, when that finds
                // no one body (an acronym too short, or of bodies of several countries), in
                // its source's declared country (a national catalogue's bodies).
                let forms = || {
                    k.run_together
                        .iter()
                        .chain(&k.canonical)
                        .chain(&unbracketed)
                        .chain(&k.acronyms)
                        .map(String::as_str)
                };
                let alias = list.key(forms(), org.country.as_deref()).or_else(|| {
                    let hint = source_countries.get(&record.source_id);
                    (org.country.is_none())
                        .then_some(hint)
                        .flatten()
                        .and_then(|c| list.key(forms(), Some(c)))
                });
                keys.push(&k, alias);
                ms.push(Mention {
                    record,
                    tool,
                    stale,
                    org,
                });
            }
        }
        (ms, keys)
    });
    let total = parts.iter().map(|(ms, _)| ms.len()).sum();
    let mut ms = Vec::with_capacity(total);
    let mut keys = MentionKeys::default();
    keys.spans.reserve_exact(total);
    keys.alias.reserve_exact(total);
    keys.hashes
        .reserve_exact(parts.iter().map(|(_, k)| k.hashes.len()).sum());
    for (part, part_keys) in parts {
        ms.extend(part);
        keys.append(part_keys);
    }
    (ms, keys)
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

    /// Joins the trees of `a` and `b` (the smaller index is the root: a root is its
    /// cluster's first mention), unless `unless_conflict` and their facts conflict.
    fn union(&mut self, a: usize, b: usize, unless_conflict: bool) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b || unless_conflict && conflict(&self.facts[a], &self.facts[b]) {
            return;
        }
        let (root, child) = (a.min(b), a.max(b));
        self.parent[child] = root;
        let moved = std::mem::take(&mut self.facts[child]);
        if !moved.is_empty() {
            let facts = &mut self.facts[root];
            facts.extend(moved);
            facts.sort_unstable();
            facts.dedup();
        }
    }
}

/// Joins the mentions (`0..n`) sharing a key of the kind `keys` gives, in mention order.
fn unite<K: std::hash::Hash + Eq, I: IntoIterator<Item = K>>(
    forest: &mut Forest,
    n: usize,
    keys: impl Fn(usize) -> I,
    soft: bool,
) {
    let mut first: FastMap<K, usize> = FastMap::default();
    for i in 0..n {
        for k in keys(i) {
            match first.entry(k) {
                Entry::Occupied(f) => forest.union(*f.get(), i, soft),
                Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
    }
}

/// Government portals whose bodies each have a page under one host
/// (`rijksoverheid.nl/ministeries/…`, `gov.uk/government/organisations/…`,
/// `ec.europa.eu/…`): a website there is keyed by its host and first two path segments, and
/// the portal alone is no key.
const PORTAL_HOSTS: &[&str] = &[
    "admin.ch",
    "argentina.gob.ar",
    "canada.ca",
    "ec.europa.eu",
    "gov.br",
    "gov.ie",
    "gov.pl",
    "gov.uk",
    "government.nl",
    "government.se",
    "regeringen.se",
    "regjeringen.no",
    "rijksoverheid.nl",
];

/// The website key of a website ([`key_text`]): `org:web:<host>` (`www.` dropped) when the
/// host is not shared; on a government portal ([`PORTAL_HOSTS`]), `org:web:<host>/<first two
/// path segments>`, none for the portal's own pages.
fn web_key(site: &str) -> Option<String> {
    if is_shared_host(site) {
        return None;
    }
    let host = host_of(site)?.trim_start_matches("www.");
    let portal = PORTAL_HOSTS
        .iter()
        .any(|p| host == *p || host.ends_with(&format!(".{p}")));
    if !portal {
        return Some(format!("org:web:{host}"));
    }
    let path = site
        .split_once("://")
        .map_or(site, |(_, rest)| rest)
        .split_once('/')
        .map_or("", |(_, path)| path);
    let segments: Vec<&str> = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .split('/')
        .filter(|seg| !seg.is_empty())
        .take(2)
        .collect();
    (!segments.is_empty()).then(|| format!("org:web:{host}/{}", segments.join("/").to_lowercase()))
}

fn source_hash(m: &Mention) -> u64 {
    text_hash(&m.record.source_id)
}

/// Names no two of which are related that one source gives one website for, for the
/// website to be a parent body's: two are often one body's names in two languages
/// (`Ayuntamiento de Bilbao`, `Bilboko Udala`) or its brand and its legal name (`Health Data
/// Hub`, `Plateforme des données de santé`).
const MIN_SHARING_BODIES: usize = 3;

/// (source, website key) pairs where the website names a parent body, not an
/// organisation: one source gives it for mentions of [`MIN_SHARING_BODIES`] names or more
/// that are not even related (the
/// Spanish social security's `seg-social.es` for its treasury `TGSS`, its institute `INSS`
/// and its IT department `GISS`). Such a website joins none of that source's mentions;
/// other sources keep it as a key. A mention whose name is its tool's (a registry copying
/// the solution's name into its organisation) is not compared. Sorted.
fn shared_websites(ms: &[Mention]) -> Vec<(u64, u64)> {
    // (source, website key, name form's hash, mention), grouped by sorting.
    let mut given: Vec<(u64, u64, u64, u32)> = ms
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let web = text_hash(&web_key(m.org.website.as_deref()?)?);
            let form = org_form(m.org.name.as_deref()?)?;
            // A name copying the tool's (the DPG registry's `U-Report` for UNICEF) says
            // nothing of the body.
            if m.record.name.as_deref().and_then(org_form).as_ref() == Some(&form) {
                return None;
            }
            Some((source_hash(m), web, text_hash(&form), i as u32))
        })
        .collect();
    given.sort_unstable();
    given.dedup_by_key(|g| (g.0, g.1, g.2));
    let mut out: Vec<(u64, u64)> = given
        .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .filter(|run| run.len() > 1)
        .filter(|run| {
            let forms: Vec<String> = run
                .iter()
                .filter_map(|g| org_form(ms[g.3 as usize].org.name.as_deref()?))
                .collect();
            // Bodies it names: names related to none before them.
            let mut bodies: Vec<&String> = Vec::new();
            for f in &forms {
                if !bodies.iter().any(|b| related_bodies(b, f)) {
                    bodies.push(f);
                }
            }
            bodies.len() >= MIN_SHARING_BODIES
        })
        .map(|run| (run[0].0, run[0].1))
        .collect();
    out.sort_unstable();
    out
}

/// Joins, within one source, a mention named by an acronym (`ECB`, `WFP`: one word of 2–8
/// capitals and digits, not a unit every administration has; or a name with an acronym among
/// its words, `Ministerie van VWS`, `UN OCHA`: [`acronym_form`]) to the one body the source
/// names in full with those initials (the first letters of its capitalised words: `European
/// Central Bank`, `World Food Programme`), unless they conflict. One source
/// writing both names one body; across sources an acronym names bodies of many countries,
/// and joins only through a key or the alias list.
fn unite_source_acronyms(forest: &mut Forest, ms: &[Mention]) {
    // (source, acronym) → the mentions named by it.
    let mut acronyms: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, m) in ms.iter().enumerate() {
        if let Some(a) = m.org.name.as_deref().and_then(acronym_form) {
            acronyms
                .entry((m.record.source_id.as_str(), a))
                .or_default()
                .push(i);
        }
    }
    if acronyms.is_empty() {
        return;
    }
    let sources: BTreeSet<&str> = acronyms.keys().map(|(source, _)| *source).collect();
    // (source, initials) → the name forms spelled so, and a mention of each.
    let mut spelled: HashMap<(&str, String), BTreeMap<String, usize>> = HashMap::new();
    for (i, m) in ms.iter().enumerate() {
        let source = m.record.source_id.as_str();
        let Some(name) = m.org.name.as_deref().filter(|_| sources.contains(source)) else {
            continue;
        };
        let Some(initials) = capital_initials(name).filter(|_| !has_acronym_word(name)) else {
            continue;
        };
        if !acronyms.contains_key(&(source, initials.clone())) {
            continue;
        }
        if let Some(form) = org_form(name) {
            spelled
                .entry((source, initials))
                .or_default()
                .entry(form)
                .or_insert(i);
        }
    }
    let mut keys: Vec<&(&str, String)> = spelled.keys().collect();
    keys.sort();
    for key in keys {
        let forms = &spelled[key];
        // One body spelled so: its forms all in one organisation already.
        let mut roots: Vec<usize> = forms.values().map(|&i| forest.find(i)).collect();
        roots.sort_unstable();
        roots.dedup();
        if let [root] = roots[..] {
            for &a in &acronyms[key] {
                forest.union(root, a, true);
            }
        }
    }
}

/// The initials a name written with an acronym spells: the acronym alone ([`acronym_of`]),
/// or, for a name with an acronym among its words, the acronym's letters in place of the
/// word and the first letter of each capitalised word (`Ministerie van VWS` → `MVWS`, as
/// `Ministerie van Volksgezondheid, Welzijn en Sport` spells; `UN OCHA` → `UNOCHA`, as
/// `United Nations Office for the Coordination of Humanitarian Affairs` does).
fn acronym_form(name: &str) -> Option<String> {
    if let Some(a) = acronym_of(name) {
        return Some(a);
    }
    if !has_acronym_word(name) {
        return None;
    }
    let form: String = words_of(name)
        .filter_map(|w| {
            if is_acronym_word(w) {
                Some(w.to_string())
            } else {
                w.chars()
                    .next()
                    .filter(|c| c.is_uppercase())
                    .map(String::from)
            }
        })
        .collect();
    (form.chars().count() >= 3).then_some(form)
}

/// The words of a name, split at spaces, dashes and commas.
fn words_of(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| c.is_whitespace() || c == '-' || c == ',')
        .filter(|w| !w.is_empty())
}

/// A word of 2–8 capitals and digits with two capitals or more (`VWS`, `OCHA`).
fn is_acronym_word(w: &str) -> bool {
    (2..=8).contains(&w.chars().count())
        && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
        && w.chars().filter(|c| c.is_uppercase()).count() >= 2
}

/// True when a name of two words or more has an acronym among them.
fn has_acronym_word(name: &str) -> bool {
    words_of(name).count() >= 2 && words_of(name).any(is_acronym_word)
}

/// The acronym a name is, alone: one word of 2–8 capitals and digits with two capitals or
/// more, not a unit every administration has (`DSI`, `OCIO`).
fn acronym_of(name: &str) -> Option<String> {
    let n = name.trim();
    let ok = is_acronym_word(n) && !GENERIC_UNITS.contains(&n.to_lowercase().as_str());
    ok.then(|| n.to_string())
}

/// The first letters of a name's capitalised words, when it has two such words or more
/// (`European Central Bank` → `ECB`, `Joint Research Centre` → `JRC`).
fn capital_initials(name: &str) -> Option<String> {
    let initials: String = words_of(name)
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    (initials.chars().count() >= 2).then_some(initials)
}

/// True when two organisation name forms ([`org_form`]) may name one body: the words of one
/// are all in the other (`Loomio`, `Loomio Cooperative`), one is the other's initials
/// (`IGAE`, `Intervención General de la Administración del Estado`), or their canonical
/// forms agree.
fn related_bodies(a: &str, b: &str) -> bool {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let within = |x: &[&str], y: &[&str]| x.iter().all(|w| y.contains(w));
    let initials = |x: &[&str]| {
        x.iter()
            .filter_map(|w| w.chars().next())
            .collect::<String>()
    };
    within(&wa, &wb)
        || within(&wb, &wa)
        || (wa.len() == 1 && initials(&wb) == wa[0])
        || (wb.len() == 1 && initials(&wa) == wb[0])
        || canonical_form(a) == canonical_form(b)
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

/// Words that start the name of a unit of a body (`DG Transformation digitale`, `Direction
/// …`, `Department of …`): a name written `Body - Unit` names the unit, not the body twice.
const UNIT_WORDS: &[&str] = &[
    "abteilung",
    "area",
    "bureau",
    "department",
    "dept",
    "dg",
    "direccio",
    "direccion",
    "direction",
    "directorate",
    "direzione",
    "division",
    "office",
    "referat",
    "secretaria",
    "service",
    "servicio",
    "servizio",
    "subdireccion",
    "team",
    "unit",
    "unite",
];

/// The names of one body a name writes side by side, in two languages or as an acronym and
/// its expansion: the parts around ` | `; around ` / ` when no part starts with a unit's
/// word ([`UNIT_WORDS`]: `Ministry / Department of …` names the unit); around a spaced dash
/// (` - `, ` – `) when one part is the other's capital initials; a bracket of three words or
/// more (`Maanmittauslaitos (National Land Survey of Finland)`); and the name before an
/// acronym in brackets (`… du Québec (BAnQ)`). Nothing for a name without them.
fn other_names(name: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let outside = name.split(['(', '[']).next().unwrap_or(name);
    for seps in [&[" | ", " / "][..], &[" - ", " – ", " — "][..]] {
        let Some(sep) = seps.iter().find(|s| outside.contains(**s)) else {
            continue;
        };
        let parts: Vec<&str> = outside
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let unit = |p: &str| {
            let first = p.split_whitespace().next().unwrap_or("");
            let folded = crate::normalise::country::fold(first).to_lowercase();
            UNIT_WORDS.contains(&folded.trim_end_matches('.'))
        };
        // A spaced dash also writes a parent before its unit (`Xunta de Galicia - AMTEGA`,
        // `European Commission - Eurostat`): only an acronym and its expansion are one body
        // there (`FBK - Fondazione Bruno Kessler`).
        let spelled = |a: &str, b: &str| {
            acronym_of(a).is_some_and(|x| capital_initials(b).is_some_and(|i| i == x))
        };
        let one_body = match (*sep, parts.as_slice()) {
            (" | ", _) => true,
            (" / ", _) => !parts.iter().any(|p| unit(p)),
            (_, [a, b]) => spelled(a, b) || spelled(b, a),
            _ => false,
        };
        if parts.len() >= 2 && one_body {
            out.extend(parts);
        }
        break;
    }
    out.extend(
        bracketed(name)
            .map(str::trim)
            .filter(|inside| inside.split_whitespace().count() >= 3),
    );
    // The name without the acronym it gives in brackets (`Bibliothèque et Archives nationales
    // du Québec (BAnQ)`).
    let bare = outside.trim();
    if !bare.is_empty()
        && bare != name.trim()
        && bracketed(name).any(|b| acronym(b.trim()).is_some())
    {
        out.push(bare);
    }
    out
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
    let (ms, keys) = mentions(rows, &resolved.unmatched_parts, source_countries);
    let n = ms.len();
    let mut forest = Forest {
        parent: (0..n).collect(),
        facts: ms.iter().map(|m| facts_of(m.org)).collect(),
    };
    unite(&mut forest, n, |i| keys.strong(i).iter().copied(), false);
    let shared = shared_websites(&ms);
    // A parent body's website is one of the soft keys its source's mentions give.
    let shared = &shared;
    let kept = |i: usize| {
        let source = (!shared.is_empty()).then(|| source_hash(&ms[i]));
        keys.soft(i)
            .iter()
            .copied()
            .filter(move |&k| source.is_none_or(|s| shared.binary_search(&(s, k)).is_err()))
    };
    unite(&mut forest, n, kept, true);
    unite_source_acronyms(&mut forest, &ms);
    unite(&mut forest, n, |i| keys.alias[i], true);
    drop(keys);
    // Clusters in the order of their first mention (a root is its cluster's first, so it
    // is numbered before the mentions it holds), each cluster's mentions in order.
    let mut cluster_of = vec![0u32; n];
    let mut sizes: Vec<u32> = Vec::new();
    for i in 0..n {
        let root = forest.find(i);
        let c = if root == i {
            sizes.push(0);
            u32::try_from(sizes.len() - 1).expect("fewer than 2^32 organisations")
        } else {
            cluster_of[root]
        };
        cluster_of[i] = c;
        sizes[c as usize] += 1;
    }
    drop(forest);
    let mut starts: Vec<usize> = Vec::with_capacity(sizes.len() + 1);
    starts.push(0);
    for &s in &sizes {
        starts.push(starts[starts.len() - 1] + s as usize);
    }
    drop(sizes);
    let mut order = vec![0u32; n];
    let mut next = starts.clone();
    for (i, &c) in cluster_of.iter().enumerate() {
        order[next[c as usize]] = u32::try_from(i).expect("fewer than 2^32 mentions");
        next[c as usize] += 1;
    }
    drop(next);
    let clusters: Vec<&[u32]> = starts.windows(2).map(|w| &order[w[0]..w[1]]).collect();
    let mut out = ResolvedOrgs::default();
    let ids = assign_ids(&clusters, &ms, known, &mut out);
    let seen: Seen<'_> = tools
        .iter()
        .map(|t| (t.id.as_str(), (t.first_seen_at, t.last_seen_at)))
        .collect();
    out.tool_organisations = tool_organisations(&ms, &cluster_of, &ids);
    out.use_cases = use_cases_of(rows, &ms, &cluster_of, &ids, &seen);
    let numbered: Vec<(usize, &[u32])> = clusters.iter().copied().enumerate().collect();
    out.organisations = parallel_map(&numbered, |&(c, members)| {
        organisation(&ids[c], members, &ms, &seen)
    });
    drop((numbered, clusters));
    drop((order, ms, seen));
    // Ids are unique: an unstable sort orders them as a stable one.
    out.organisations.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    // Last, from the records again, when nothing else of the clusters is held.
    out.mentions = Vec::with_capacity(cluster_of.len());
    let named = naming(rows, &resolved.unmatched_parts)
        .flat_map(|(record, _, _)| record.organisations.iter().map(move |org| (record, org)));
    out.mentions
        .extend(named.zip(&cluster_of).map(|((record, org), &c)| {
            MentionRow {
                source_id: record.source_id.clone(),
                record_id: record.record_id.clone(),
                role: org.role,
                name: org
                    .name
                    .clone()
                    .or_else(|| org.website.clone())
                    .or_else(|| org.forge_account.clone())
                    .unwrap_or_default(),
                organisation_id: ids[c as usize].clone(),
            }
        }));
    out
}

/// Roles: (tool, organisation, role) → sources, sorted.
fn tool_organisations(ms: &[Mention], cluster_of: &[u32], ids: &[String]) -> Vec<ToolOrganisation> {
    let mut roles: Vec<(&str, u32, OrgRole, &str)> = ms
        .iter()
        .zip(cluster_of)
        .filter_map(|(m, &c)| Some((m.tool?, c, m.org.role, m.record.source_id.as_str())))
        .collect();
    let id = |c: u32| ids[c as usize].as_str();
    roles.sort_unstable_by(|a, b| (a.0, id(a.1), a.2, a.3).cmp(&(b.0, id(b.1), b.2, b.3)));
    roles.dedup_by(|a, b| (a.0, id(a.1), a.2, a.3) == (b.0, id(b.1), b.2, b.3));
    let same_row = |a: &(&str, u32, OrgRole, &str), b: &(&str, u32, OrgRole, &str)| {
        (a.0, id(a.1), a.2) == (b.0, id(b.1), b.2)
    };
    let rows = 1 + roles.windows(2).filter(|w| !same_row(&w[0], &w[1])).count();
    let mut out: Vec<ToolOrganisation> = Vec::with_capacity(rows.min(roles.len()));
    for (i, &(tool, c, role, source)) in roles.iter().enumerate() {
        if i > 0 && same_row(&roles[i - 1], &roles[i]) {
            let last = out.last_mut().expect("a row before");
            last.sources.push(source.to_string());
        } else {
            out.push(ToolOrganisation {
                tool_id: tool.to_string(),
                organisation_id: id(c).to_string(),
                role,
                sources: vec![source.to_string()],
            });
        }
    }
    out
}

/// The use cases of `rows`. A use case's organisation: the organisation of that name the
/// same record names, else the one organisation of that name. Only the names use cases give
/// are looked up, so only mentions of those names are indexed.
fn use_cases_of(
    rows: &[SourceRecordRow],
    ms: &[Mention],
    cluster_of: &[u32],
    ids: &[String],
    seen: &Seen<'_>,
) -> Vec<UseCase> {
    let wanted: FastSet<String> = rows
        .iter()
        .flat_map(|r| &r.record.use_cases)
        .filter_map(|case| org_form(case.organisation.as_deref()?))
        .collect();
    // Form → its one organisation, or none when several carry it.
    let mut by_form: FastMap<String, Option<&str>> = FastMap::default();
    let mut by_record: FastMap<(&str, &str, String), &str> = FastMap::default();
    if !wanted.is_empty() {
        for (m, &c) in ms.iter().zip(cluster_of) {
            let Some(form) = m.org.name.as_deref().and_then(org_form) else {
                continue;
            };
            if !wanted.contains(&form) {
                continue;
            }
            let id = ids[c as usize].as_str();
            by_form
                .entry(form.clone())
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
    use_cases(rows, seen, |row, name| {
        let form = org_form(name)?;
        let rec = &row.record;
        if let Some(id) =
            by_record.get(&(rec.source_id.as_str(), rec.record_id.as_str(), form.clone()))
        {
            return Some(id.to_string());
        }
        by_form.get(&form).copied().flatten().map(str::to_string)
    })
}

/// The organisation row of one cluster.
fn organisation(id: &str, members: &[u32], ms: &[Mention], seen: &Seen<'_>) -> Organisation {
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
        let m = &ms[i as usize];
        let org = m.org;
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
    provenance.shrink_to_fit();
    o.provenance = provenance;
    o.names = names.keys().map(|n| n.to_string()).collect();
    o.forge_accounts = forge.into_iter().collect();
    o.identifiers = identifiers.into_iter().collect();
    o.sources = sources.into_iter().collect();
    let kinds: Vec<&str> = members
        .iter()
        .filter_map(|&i| ms[i as usize].org.kind.as_deref())
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
