//! Sync and pure: a `publiccode.yml` file → record fields, and how they override the fields
//! of its repository (issue 6; standard v0.2–0.4, legacy keys read leniently).
//!
//! Mapped: `name` (or the localised `description.<lang>.localisedName`, English first),
//! `description.<lang>.shortDescription` (else `longDescription`), `categories`,
//! `intendedAudience.countries`, `localisation.availableLanguages`, `legal.license`,
//! `organisation.name` (else `legal.repoOwner`, `legal.mainCopyrightOwner`), `landingURL`.
//! A file that is not YAML, not a mapping, or lacks `publiccodeYmlVersion` or `name` is
//! invalid: the caller reports it and keeps the repository. So is a file past the budget
//! ([`MAX_BYTES`], [`MAX_NODES`] counted with every alias expanded, [`MAX_DEPTH`]): a
//! "billion laughs" anchor bomb in one repository must not exhaust the run's memory.

use serde_json::Value;
use url::Url;

use crate::kinds::mapping::{self, Fields};

use crate::model::is_list_field;

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

/// Parses a publiccode.yml file into record fields; `Err` names what is wrong.
pub(crate) fn parse(bytes: &[u8], base: &Url) -> Result<Fields, String> {
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
    Ok(f)
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
