//! Survivorship: each scalar field from the highest-priority member that has it (ties: source
//! id, then record id; the name from a `create` source when one has it), lists united and
//! sorted, `open_source` from the surviving licence (OSI or FSF), and per member the tool
//! fields it supplied (`source_records.provenance`).

use super::Input;
use crate::model::{Provenance, Tool};
use crate::normalise::license::is_open;

/// Merges one cluster into a tool with id `id`.
/// Also returns, per member (in the order given), the fields it supplied.
pub fn merge(id: &str, members: &[&Input]) -> (Tool, Vec<Provenance>) {
    let mut ranked: Vec<usize> = (0..members.len()).collect();
    ranked.sort_by(|&a, &b| {
        let (a, b) = (members[a], members[b]);
        b.priority
            .cmp(&a.priority)
            .then_with(|| a.record.source_id.cmp(&b.record.source_id))
            .then_with(|| a.record.record_id.cmp(&b.record.record_id))
    });
    let mut prov = vec![Provenance::default(); members.len()];
    let mut note = |field: &str, m: usize| prov[m].insert(field);
    macro_rules! pick {
        ($field:literal, $order:expr, $get:expr) => {{
            let found = $order.find_map(|m: usize| $get(members[m]).map(|v| (m, v)));
            found.map(|(m, v)| {
                note($field, m);
                v
            })
        }};
    }
    let by_rank = || ranked.iter().copied();
    let creators_first = || {
        by_rank()
            .filter(|&m| members[m].create)
            .chain(by_rank().filter(|&m| !members[m].create))
    };
    let name = pick!("name", creators_first(), |m: &Input| m.record.name.clone());
    let description = pick!("description", by_rank(), |m: &Input| m
        .record
        .description
        .clone());
    let homepage_url = pick!("homepage_url", by_rank(), |m: &Input| m
        .record
        .homepage_url
        .clone());
    let repository_url = pick!("repository_url", by_rank(), |m: &Input| m
        .record
        .repository_url
        .clone());
    let wikidata_id = pick!("wikidata_id", by_rank(), |m: &Input| m
        .record
        .wikidata_id
        .clone());
    let license = pick!("license", by_rank(), |m: &Input| m.record.license.clone());
    let stars = pick!("stars", by_rank(), |m: &Input| m.record.stars);
    let forks = pick!("forks", by_rank(), |m: &Input| m.record.forks);
    let archived = pick!("archived", by_rank(), |m: &Input| m.record.archived);
    let created_at = pick!("created_at", by_rank(), |m: &Input| m.record.created_at);
    let newest = (0..members.len())
        .filter_map(|m| members[m].record.updated_at.map(|t| (t, m)))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    if let Some((_, m)) = newest {
        note("last_activity_at", m);
    }
    let mut union = |field: &str, get: &dyn Fn(&Input) -> &Vec<String>| {
        let mut all: Vec<String> = Vec::new();
        for (m, member) in members.iter().enumerate() {
            let values = get(member);
            if !values.is_empty() {
                note(field, m);
                all.extend(values.iter().cloned());
            }
        }
        all.sort();
        all.dedup();
        all
    };
    static NONE: Vec<String> = Vec::new();
    // Categories a source declares win over those inferred from what records say: the
    // inferred ones count only when no record declares any.
    let declared = members
        .iter()
        .any(|m| !m.record.categories_inferred && !m.record.categories.is_empty());
    let categories = if declared {
        union("categories", &|m| {
            if m.record.categories_inferred {
                &NONE
            } else {
                &m.record.categories
            }
        })
    } else {
        union("categories (inferred)", &|m| &m.record.categories)
    };
    let tags = union("tags", &|m| &m.record.tags);
    let countries = union("countries", &|m| &m.record.countries);
    // Languages a source states win over those detected from descriptions: the detected
    // ones count only when no record states any.
    let stated = members
        .iter()
        .any(|m| !m.record.languages_inferred && !m.record.languages.is_empty());
    let languages = if stated {
        union("languages", &|m| {
            if m.record.languages_inferred {
                &NONE
            } else {
                &m.record.languages
            }
        })
    } else {
        union("languages (inferred)", &|m| &m.record.languages)
    };
    let programming_languages = union("programming_languages", &|m| {
        &m.record.programming_languages
    });
    let organizations = union("organizations", &|m| &m.record.organizations);
    let mut sources: Vec<String> = members.iter().map(|m| m.record.source_id.clone()).collect();
    sources.sort();
    sources.dedup();
    let tool = Tool {
        id: id.to_string(),
        name,
        description,
        homepage_url,
        repository_url,
        wikidata_id,
        license: license.clone(),
        open_source: license.as_deref().and_then(is_open),
        categories,
        tags,
        countries,
        languages,
        programming_languages,
        organizations,
        stars,
        forks,
        archived,
        created_at,
        last_activity_at: newest.map(|(t, _)| t),
        first_seen_at: members.iter().filter_map(|m| m.first_seen_at).min(),
        last_seen_at: members.iter().filter_map(|m| m.last_seen_at).max(),
        sources,
        stale: members.iter().all(|m| m.stale),
    };
    (tool, prov)
}
