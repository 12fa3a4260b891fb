//! normalise: pure functions from a [`RawRecord`] (fields as the source gave them) to a
//! [`NormRecord`] (canonical URLs, plain text, codes, typed numbers and dates). No I/O.
//!
//! A value that cannot be understood is dropped from the typed field and reported as an
//! [`Issue`]; it never fails the record or the source (SPEC section 7).

pub mod category;
pub mod country;
pub mod language;
pub mod license;
pub mod parts;
pub mod tags;
pub mod text;
pub mod url;
pub mod values;

#[cfg(test)]
mod shared_data;

use chrono::{DateTime, Utc};

use crate::model::{NormRecord, RawRecord};
use crate::report::Issue;

/// Normalises one record of source `source_id` fetched at `fetched_at`.
pub fn normalise(
    source_id: &str,
    raw: &RawRecord,
    fetched_at: Option<DateTime<Utc>>,
) -> (NormRecord, Vec<Issue>) {
    let mut issues = Vec::new();
    let mut issue = |field: &str, message: String| {
        issues.push(
            Issue::new(&raw.source_url, message)
                .record(&raw.record_id)
                .field(field),
        );
    };
    let mut rec = NormRecord {
        source_id: source_id.to_string(),
        record_id: raw.record_id.clone(),
        source_url: raw.source_url.clone(),
        fetched_at,
        name: raw.first("name").map(text::plain).filter(|s| !s.is_empty()),
        description: raw
            .first("description")
            .map(text::plain)
            .filter(|s| !s.is_empty()),
        ..NormRecord::default()
    };
    if rec.name.is_none() {
        issue("name", "record has no name".to_string());
    }
    for value in raw.all("homepage") {
        match url::canonical(value) {
            Ok(u) => {
                rec.homepage_url = Some(u);
                break;
            }
            Err(e) => issue("homepage", format!("invalid homepage URL `{value}`: {e}")),
        }
    }
    for value in raw.all("repository") {
        // One answer may hold several URLs with prose around them (DPG registry).
        for candidate in url::find_urls(value) {
            match url::canonical(&candidate) {
                Ok(u) if !rec.repositories.contains(&u) => rec.repositories.push(u),
                Ok(_) => {}
                Err(e) => issue(
                    "repository",
                    format!("invalid repository URL `{candidate}`: {e}"),
                ),
            }
        }
    }
    rec.repository_url = rec
        .repositories
        .iter()
        .find(|u| url::is_forge_project(u))
        .or(rec.repositories.first())
        .cloned();
    if let Some(value) = raw.first("logo") {
        rec.logo_url = url::canonical(value).ok();
    }
    let licenses = raw.all("license");
    if !licenses.is_empty() {
        // Several values (DPG: one per part of the work) all apply: joined with AND.
        rec.license_raw = Some(licenses.join("; "));
        let mut parts: Vec<String> = Vec::new();
        for value in licenses {
            match license::normalise(value) {
                Some(e) if !parts.contains(&e) => parts.push(e),
                Some(_) => {}
                None if license::is_no_assertion(value) => issue(
                    "license",
                    format!("no licence asserted: `{value}`; kept in license_raw"),
                ),
                None => issue(
                    "license",
                    format!(
                        "licence `{value}` is not an SPDX expression or a known licence name; \
                         kept in license_raw"
                    ),
                ),
            }
        }
        rec.license = match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(
                parts
                    .iter()
                    .map(|p| {
                        if p.contains(" OR ") {
                            format!("({p})")
                        } else {
                            p.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" AND "),
            ),
        };
    }
    if let Some(value) = raw.first("wikidata") {
        rec.wikidata_id = values::wikidata(value);
        if rec.wikidata_id.is_none() {
            issue("wikidata", format!("not a Wikidata item id: `{value}`"));
        }
    }
    rec.tags = values::list(raw.all("tags"), tags::normalise);
    let source_categories: Vec<String> = raw
        .all("categories")
        .iter()
        .map(|c| text::plain(c))
        .collect();
    let assigned = category::assign(
        &source_categories,
        rec.name.as_deref(),
        rec.description.as_deref(),
        &rec.tags,
    );
    rec.categories = assigned.categories;
    rec.categories_inferred = assigned.inferred;
    rec.category_scores = assigned.scores;
    // A source category outside the vocabulary is kept as a tag.
    if !assigned.unmatched.is_empty() {
        rec.tags
            .extend(assigned.unmatched.iter().map(|c| tags::normalise(c)));
        rec.tags.retain(|t| !t.is_empty());
        rec.tags.sort();
        rec.tags.dedup();
    }
    for (field, slot, f, what) in [
        (
            "countries",
            &mut rec.countries,
            country::normalise as fn(&str) -> Option<String>,
            "an ISO 3166-1 country",
        ),
        (
            "languages",
            &mut rec.languages,
            language::normalise,
            "an ISO 639-1 language",
        ),
    ] {
        for value in raw.all(field) {
            match f(value) {
                Some(code) => slot.push(code),
                None => issue(field, format!("not {what}: `{value}`")),
            }
        }
        slot.sort();
        slot.dedup();
    }
    // No language stated: the description's, detected, marked as inferred.
    if rec.languages.is_empty()
        && let Some(code) = rec.description.as_deref().and_then(language::detect)
    {
        rec.languages.push(code);
        rec.languages_inferred = true;
    }
    rec.programming_languages = values::list(raw.all("programming_languages"), text::plain);
    rec.organizations = values::list(raw.all("organizations"), text::plain);
    rec.organisations = parts::organisations(&raw.organisations, &mut issue);
    rec.use_cases = parts::use_cases(&raw.use_cases, &mut issue);
    for (field, slot) in [("stars", &mut rec.stars), ("forks", &mut rec.forks)] {
        if let Some(value) = raw.first(field) {
            *slot = values::integer(value);
            if slot.is_none() {
                issue(field, format!("not a whole number: `{value}`"));
            }
        }
    }
    if let Some(value) = raw.first("archived") {
        rec.archived = values::boolean(value);
        if rec.archived.is_none() {
            issue("archived", format!("not a boolean: `{value}`"));
        }
    }
    for (field, slot) in [
        ("created_at", &mut rec.created_at),
        ("updated_at", &mut rec.updated_at),
    ] {
        if let Some(value) = raw.first(field) {
            *slot = values::datetime(value);
            if slot.is_none() {
                issue(field, format!("not a date or time: `{value}`"));
            }
        }
    }
    (rec, issues)
}
