//! Sync and pure: a `publiccode.yml` file → record fields, and how they override the fields
//! of its repository (issue 6; standard v0.2–0.4, legacy keys read leniently).
//!
//! Mapped: `name` (or the localised `description.<lang>.localisedName`, English first),
//! `description.<lang>.shortDescription` (else `longDescription`), `categories`,
//! `intendedAudience.countries`, `localisation.availableLanguages`, `legal.license`,
//! `organisation.name` (else `legal.repoOwner`, `legal.mainCopyrightOwner`), `landingURL`.
//!
//! Organisations, each with the role its key states (never read from text): `organisation`
//! (`name`, `uri`) and `legal.repoOwner` develop (one organisation when they name the same),
//! with the Italian `IT.riuso.codiceIPA` (or the older lowercase `it:` section) as the
//! owner's IPA code; `maintenance.contractors` (`name`, `website`) maintain; `fundedBy`
//! (`name`, `uri`, standard 0.5) fund; `usedBy` names use. `legal.mainCopyrightOwner` plays
//! no role and is not read as one. An `organisation.uri` (or the top-level `organizationUri`
//! of a later draft) of the form `urn:x-italian-pa:<code>` gives the IPA code, a Wikidata
//! address the Wikidata item, another http(s) address the website.
//!
//! A file that is not YAML, not a mapping, or lacks `publiccodeYmlVersion` or `name` is
//! invalid: the caller reports it and keeps the repository. So is a file past the budget
//! ([`MAX_BYTES`], [`MAX_NODES`] counted with every alias expanded, [`MAX_DEPTH`]): a
//! "billion laughs" anchor bomb in one repository must not exhaust the run's memory.

use std::collections::BTreeMap;

use serde_json::Value;
use url::Url;

use crate::kinds::mapping::{self, Fields};
use crate::kinds::parts::{self, PartKind};
use crate::model::{RawPart, is_list_field};

/// Checks a YAML text against the budget before it is parsed into values: its size, and,
/// from its events (nothing is built), its nodes with every alias counted as the node it
/// names, and its nesting. A text the event reader cannot read is let through only when it
/// has no anchor (no alias can expand then); the parser proper reports what is wrong with it.
pub(crate) fn within_budget(bytes: &[u8]) -> Result<(), String> {
    use yaml_rust2::Event;
    use yaml_rust2::parser::Parser;
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "{} bytes, more than the {MAX_BYTES} read from a publiccode.yml",
            bytes.len()
        ));
    }
    let text = String::from_utf8_lossy(bytes);
    let mut parser = Parser::new_from_str(&text);
    // Expanded size of each anchored node; open collections with their size so far.
    let mut sizes: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut total: u64 = 0;
    loop {
        let event = match parser.next_token() {
            Ok((event, _)) => event,
            Err(_) if !text.contains('&') => return Ok(()),
            Err(e) => return Err(format!("not valid YAML: {e}")),
        };
        let done = match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(_, _, anchor, _) => Some((anchor, 1)),
            Event::Alias(id) => Some((0, sizes.get(&id).copied().unwrap_or(1))),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, 1));
                if open.len() > MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                None
            }
            Event::SequenceEnd | Event::MappingEnd => open.pop(),
            _ => None,
        };
        if let Some((anchor, n)) = done {
            if anchor != 0 {
                sizes.insert(anchor, n);
            }
            match open.last_mut() {
                Some((_, parent)) => *parent = parent.saturating_add(n),
                None => total = total.saturating_add(n),
            }
        }
        let pending: u64 = open
            .iter()
            .fold(total, |sum, (_, n)| sum.saturating_add(*n));
        if pending > MAX_NODES {
            return Err(format!(
                "more than {MAX_NODES} YAML nodes once its aliases are expanded (an anchor bomb?)"
            ));
        }
    }
}

/// The file names looked for at the root of the default branch, in order.
pub(crate) const FILE_NAMES: &[&str] = &["publiccode.yml", "publiccode.yaml"];

/// The largest publiccode.yml read (real ones are a few kilobytes).
pub(crate) const MAX_BYTES: usize = 1024 * 1024;
/// The most YAML nodes a file may hold once every alias is expanded.
pub(crate) const MAX_NODES: u64 = 100_000;
/// The deepest nesting of sequences and mappings.
pub(crate) const MAX_DEPTH: usize = 128;

/// What a publiccode.yml gives a record.
#[derive(Debug, Default)]
pub(crate) struct Publiccode {
    /// Canonical record fields.
    pub fields: Fields,
    /// The organisations it names, with their roles.
    pub organisations: Vec<RawPart>,
}

/// Parses a publiccode.yml file into record fields and organisations; `Err` names what is
/// wrong.
pub(crate) fn parse(bytes: &[u8], base: &Url) -> Result<Publiccode, String> {
    let bytes = mapping::strip_bom(bytes);
    within_budget(bytes)?;
    let doc: Value =
        serde_yaml_ng::from_slice(bytes).map_err(|e| format!("not valid YAML: {e}"))?;
    let Value::Object(_) = &doc else {
        return Err("expected a YAML mapping at the top level".into());
    };
    if doc.get("publiccodeYmlVersion").is_none() {
        return Err("missing `publiccodeYmlVersion`".into());
    }
    let name = text(&doc, &["name"]).ok_or("missing `name`")?;
    let mut f = Fields::new();
    let mut add = |field: &str, value: &str| mapping::add_value(&mut f, field, value, base);
    let localised = localised_description(&doc);
    let localised_name = localised.and_then(|d| text(d, &["localisedName"]));
    add("name", localised_name.as_deref().unwrap_or(&name));
    if let Some(d) = localised {
        let desc = text(d, &["shortDescription"]).or_else(|| text(d, &["longDescription"]));
        add("description", desc.as_deref().unwrap_or(""));
    }
    for c in texts(&doc, &["categories"]) {
        add("categories", &c);
    }
    for c in texts(&doc, &["intendedAudience", "countries"]) {
        add("countries", &c);
    }
    for l in texts(&doc, &["localisation", "availableLanguages"]) {
        add("languages", &l);
    }
    add(
        "license",
        &text(&doc, &["legal", "license"]).unwrap_or_default(),
    );
    let org = text(&doc, &["organisation", "name"])
        .or_else(|| text(&doc, &["legal", "repoOwner"]))
        .or_else(|| text(&doc, &["legal", "mainCopyrightOwner"]));
    add("organizations", org.as_deref().unwrap_or(""));
    add("homepage", &text(&doc, &["landingURL"]).unwrap_or_default());
    Ok(Publiccode {
        fields: f,
        organisations: organisations(&doc, base),
    })
}

/// The organisations the file names, in the order of the module docs.
fn organisations(doc: &Value, base: &Url) -> Vec<RawPart> {
    let mut out = Vec::new();
    let mut push = |role: &str, values: &[(&str, Option<String>)]| {
        let mut fields = BTreeMap::new();
        for (field, value) in values {
            if let Some(v) = value {
                add_org_value(&mut fields, field, v, base);
            }
        }
        if let Some(part) = parts::finish(PartKind::Organisations, Some(role), fields) {
            parts::push_unique(&mut out, part);
        }
    };
    let owner = text(doc, &["legal", "repoOwner"]);
    let declared = text(doc, &["organisation", "name"]);
    let uri = text(doc, &["organisation", "uri"]).or_else(|| text(doc, &["organizationUri"]));
    let ipa = codice_ipa(doc);
    match (&declared, &owner) {
        // Two names: `organisation` with its URI, the repository owner with its IPA code.
        (Some(d), Some(o)) if !same_name(d, o) => {
            push("develops", &[("name", declared.clone()), ("uri", uri)]);
            push("develops", &[("name", owner.clone()), ("ipa", ipa)]);
        }
        _ => push(
            "develops",
            &[("name", declared.or(owner)), ("uri", uri), ("ipa", ipa)],
        ),
    }
    for c in objects(doc, &["maintenance", "contractors"]) {
        push(
            "maintains",
            &[
                ("name", text(c, &["name"])),
                ("website", text(c, &["website"])),
            ],
        );
    }
    for f in objects(doc, &["fundedBy"]) {
        push(
            "funds",
            &[("name", text(f, &["name"])), ("uri", text(f, &["uri"]))],
        );
    }
    for name in texts(doc, &["usedBy"]) {
        push("uses", &[("name", Some(name))]);
    }
    out
}

/// Adds one value to an organisation; `uri` is read by its form: an Italian IPA URN gives the
/// IPA code, a Wikidata address the item, another http(s) address the website, anything
/// else nothing.
fn add_org_value(fields: &mut BTreeMap<String, Vec<String>>, field: &str, value: &str, base: &Url) {
    if field != "uri" {
        return parts::add_value(fields, field, value, base);
    }
    const IPA_URN: &str = "urn:x-italian-pa:";
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    if lower.starts_with(IPA_URN) {
        parts::add_value(fields, "ipa", &value[IPA_URN.len()..], base);
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        let host = Url::parse(value)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        let field = match host.as_deref() {
            Some("www.wikidata.org" | "wikidata.org") => "wikidata",
            _ => "website",
        };
        parts::add_value(fields, field, value, base);
    }
}

/// The Italian IPA code of the repository owner: `riuso.codiceIPA` of the `IT` section, else
/// of the lowercase `it` section older files use.
fn codice_ipa(doc: &Value) -> Option<String> {
    ["IT", "it"]
        .into_iter()
        .find_map(|section| text(doc, &[section, "riuso", "codiceIPA"]))
}

/// Names equal but for case and spacing.
fn same_name(a: &str, b: &str) -> bool {
    mapping::clean_text(a).to_lowercase() == mapping::clean_text(b).to_lowercase()
}

/// The mappings of a list at `path` (one mapping alone is read as a list of one).
fn objects<'a>(doc: &'a Value, path: &[&str]) -> Vec<&'a Value> {
    match lookup(doc, path) {
        Some(Value::Array(items)) => items.iter().filter(|v| v.is_object()).collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

/// The `description` block to use: English when present, else the first language.
fn localised_description(doc: &Value) -> Option<&Value> {
    let Value::Object(langs) = doc.get("description")? else {
        return None;
    };
    langs
        .iter()
        .find(|(k, _)| k.as_str() == "en" || k.starts_with("en-"))
        .or_else(|| langs.iter().next())
        .map(|(_, v)| v)
}

fn lookup<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |v, key| v.get(key))
}

fn text(doc: &Value, path: &[&str]) -> Option<String> {
    match lookup(doc, path)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn texts(doc: &Value, path: &[&str]) -> Vec<String> {
    match lookup(doc, path) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Lays publiccode fields over a repository's: a scalar the file gives replaces the
/// repository's; a list puts the file's values first, then the repository's not repeated.
pub(crate) fn overlay(repo: &mut Fields, publiccode: Fields) {
    for (field, values) in publiccode {
        if is_list_field(&field) {
            let old = repo.remove(&field).unwrap_or_default();
            let mut merged = values;
            for v in old {
                if !merged.contains(&v) {
                    merged.push(v);
                }
            }
            repo.insert(field, merged);
        } else {
            repo.insert(field, values);
        }
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn an_anchor_bomb_is_refused_before_it_expands() {
        let mut bomb = String::from(
            "publiccodeYmlVersion: '0.2'\nname: x\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let mut prev = 'a';
        for level in 'b'..='i' {
            let refs: Vec<String> = (0..9).map(|_| format!("*{prev}")).collect();
            bomb.push_str(&format!("{level}: &{level} [{}]\n", refs.join(",")));
            prev = level;
        }
        let started = std::time::Instant::now();
        let err = within_budget(bomb.as_bytes()).unwrap_err();
        assert!(err.contains("anchor bomb"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let base = Url::parse("https://example.org/").unwrap();
        assert!(
            parse(bomb.as_bytes(), &base)
                .unwrap_err()
                .contains("anchor bomb")
        );
    }

    #[test]
    fn ordinary_files_and_small_aliases_pass() {
        let ok =
            "publiccodeYmlVersion: '0.2'\nname: x\ndefaults: &d {a: 1, b: 2}\none: *d\ntwo: *d\n";
        assert!(within_budget(ok.as_bytes()).is_ok());
        assert!(
            within_budget(&vec![b'x'; MAX_BYTES + 1])
                .unwrap_err()
                .contains("bytes")
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(
            within_budget(deep.as_bytes())
                .unwrap_err()
                .contains("deeper")
        );
    }
}

#[cfg(test)]
mod organisation_tests {
    use super::*;
    use crate::kinds::testutil::fixture;

    fn orgs_of(text: &str) -> Vec<RawPart> {
        let base = Url::parse("https://github.com/example/repo").unwrap();
        parse(text.as_bytes(), &base).unwrap().organisations
    }

    /// (role, name) of each organisation.
    fn roles(orgs: &[RawPart]) -> Vec<(&str, &str)> {
        orgs.iter()
            .map(|o| (o.role.as_deref().unwrap(), o.first("name").unwrap_or("")))
            .collect()
    }

    #[test]
    fn a_0_2_file_gives_its_owner_with_the_ipa_code_contractors_and_users() {
        let orgs = orgs_of(&fixture("github", "publiccode-v0.2-it.yml"));
        assert_eq!(
            roles(&orgs),
            [
                ("develops", "Comune di Bologna"),
                ("maintains", "Lepida S.c.p.A."),
                ("maintains", "Cooperativa Informatica Emiliana"),
                ("uses", "Comune di Bologna"),
                ("uses", "Comune di Ferrara"),
                ("uses", "Città metropolitana di Bologna"),
            ],
            "the copyright owner plays no role; a user named twice is one"
        );
        assert_eq!(orgs[0].first("ipa"), Some("c_a944"), "lowercase `it:`");
        assert_eq!(orgs[1].first("website"), Some("https://www.lepida.net"));
        assert_eq!(orgs[2].first("website"), None);
        assert_eq!(orgs[3].first("ipa"), None, "the IPA code is the owner's");
    }

    #[test]
    fn a_0_4_organisation_and_the_same_repo_owner_are_one_developer() {
        let orgs = orgs_of(&fixture("github", "publiccode-v0.4-organisation.yml"));
        assert_eq!(
            roles(&orgs),
            [("develops", "Roma Capitale"), ("uses", "Roma Capitale")]
        );
        assert_eq!(
            orgs[0].fields["ipa"],
            ["c_h501"],
            "the URN and `IT.riuso.codiceIPA` agree"
        );
        let barcelona = orgs_of(&fixture("github", "publiccode.yml"));
        assert_eq!(roles(&barcelona), [("develops", "Ajuntament de Barcelona")]);
    }

    #[test]
    fn an_organisation_and_another_repo_owner_are_two_developers_and_uris_are_read_by_form() {
        let text = "publiccodeYmlVersion: '0.5'\nname: Atti\n\
            organisation:\n  name: Regione Toscana\n  uri: https://www.regione.toscana.it\n\
            legal:\n  license: EUPL-1.2\n  repoOwner: Comune di Prato\n  mainCopyrightOwner: Someone Else\n\
            IT:\n  riuso:\n    codiceIPA: c_g999\n\
            fundedBy:\n  - name: European Union\n    uri: https://www.wikidata.org/wiki/Q458\n  - name: PON Metro\n    uri: urn:x-italian-pa:pon_metro\n\
            maintenance:\n  type: contract\n  contractors:\n    - name: ''\n      until: '2030-01-01'\n";
        let orgs = orgs_of(text);
        assert_eq!(
            roles(&orgs),
            [
                ("develops", "Regione Toscana"),
                ("develops", "Comune di Prato"),
                ("funds", "European Union"),
                ("funds", "PON Metro"),
            ],
            "a contractor without a name is left out"
        );
        assert_eq!(
            orgs[0].first("website"),
            Some("https://www.regione.toscana.it")
        );
        assert_eq!(orgs[0].first("ipa"), None);
        assert_eq!(orgs[1].first("ipa"), Some("c_g999"));
        assert_eq!(
            orgs[2].first("wikidata"),
            Some("https://www.wikidata.org/wiki/Q458")
        );
        assert_eq!(orgs[3].first("ipa"), Some("pon_metro"));
    }

    #[test]
    fn a_file_without_organisation_keys_names_none() {
        let text =
            "publiccodeYmlVersion: '0.2'\nname: x\nlegal:\n  mainCopyrightOwner: City of Chicago\n";
        assert!(orgs_of(text).is_empty());
    }
}
