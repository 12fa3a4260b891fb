//! Sync and pure: a `publiccode.yml` file → record fields, and how they override the fields
//! of its repository (issue 6; standard v0.2–0.4, legacy keys read leniently).
//!
//! Mapped: `name` (or the localised `description.<lang>.localisedName`, English first),
//! `description.<lang>.shortDescription` (else `longDescription`), `categories`,
//! `intendedAudience.countries`, `localisation.availableLanguages`, `legal.license`,
//! `organisation.name` (else `legal.repoOwner`, `legal.mainCopyrightOwner`), `landingURL`.
//! A file that is not YAML, not a mapping, or lacks `publiccodeYmlVersion` or `name` is
//! invalid: the caller reports it and keeps the repository.

use serde_json::Value;
use url::Url;

use crate::kinds::mapping::{self, Fields};
use crate::model::is_list_field;

/// The file names looked for at the root of the default branch, in order.
pub(crate) const FILE_NAMES: &[&str] = &["publiccode.yml", "publiccode.yaml"];

/// Parses a publiccode.yml file into record fields; `Err` names what is wrong.
pub(crate) fn parse(bytes: &[u8], base: &Url) -> Result<Fields, String> {
    let doc: Value = serde_yaml_ng::from_slice(mapping::strip_bom(bytes))
        .map_err(|e| format!("not valid YAML: {e}"))?;
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
