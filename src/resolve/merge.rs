//! Survivorship: each scalar field from the highest-priority member that has it (ties: source
//! id, then record id), lists united and sorted, provenance kept per field.

use std::collections::BTreeMap;

use super::Input;
use crate::model::Tool;

/// Field → (source id, record id) of the member whose value the tool carries.
pub type Provenance = BTreeMap<&'static str, (String, String)>;

/// Merges one cluster into a tool with id `id`.
pub fn merge(id: &str, members: &[&Input]) -> (Tool, Provenance) {
    let mut ranked: Vec<&Input> = members.to_vec();
    ranked.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then_with(|| a.record.source_id.cmp(&b.record.source_id))
            .then_with(|| a.record.record_id.cmp(&b.record.record_id))
    });
    let mut prov = Provenance::new();
    macro_rules! pick {
        ($field:literal, $get:expr) => {{
            let mut value = None;
            for m in &ranked {
                if let Some(v) = $get(*m) {
                    prov.insert(
                        $field,
                        (m.record.source_id.clone(), m.record.record_id.clone()),
                    );
                    value = Some(v);
                    break;
                }
            }
            value
        }};
    }
    let creators: Vec<&Input> = ranked.iter().copied().filter(|m| m.create).collect();
    let name = {
        // A tool's display name comes from a source allowed to create it, when one has it.
        let mut value = None;
        for m in creators.iter().chain(ranked.iter()) {
            if let Some(v) = m.record.name.clone() {
                prov.insert(
                    "name",
                    (m.record.source_id.clone(), m.record.record_id.clone()),
                );
                value = Some(v);
                break;
            }
        }
        value
    };
    let union = |get: &dyn Fn(&Input) -> &Vec<String>| {
        let mut all: Vec<String> = members
            .iter()
            .flat_map(|m| get(m).iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let mut sources: Vec<String> = members.iter().map(|m| m.record.source_id.clone()).collect();
    sources.sort();
    sources.dedup();
    let tool = Tool {
        id: id.to_string(),
        name,
        description: pick!("description", |m: &Input| m.record.description.clone()),
        homepage_url: pick!("homepage_url", |m: &Input| m.record.homepage_url.clone()),
        repository_url: pick!("repository_url", |m: &Input| m
            .record
            .repository_url
            .clone()),
        wikidata_id: pick!("wikidata_id", |m: &Input| m.record.wikidata_id.clone()),
        license: pick!("license", |m: &Input| m.record.license.clone()),
        open_source: None,
        categories: union(&|m| &m.record.categories),
        tags: union(&|m| &m.record.tags),
        countries: union(&|m| &m.record.countries),
        languages: union(&|m| &m.record.languages),
        programming_languages: union(&|m| &m.record.programming_languages),
        organizations: union(&|m| &m.record.organizations),
        stars: pick!("stars", |m: &Input| m.record.stars),
        forks: pick!("forks", |m: &Input| m.record.forks),
        archived: pick!("archived", |m: &Input| m.record.archived),
        created_at: pick!("created_at", |m: &Input| m.record.created_at),
        last_activity_at: members.iter().filter_map(|m| m.record.updated_at).max(),
        first_seen_at: members.iter().filter_map(|m| m.first_seen_at).min(),
        last_seen_at: members.iter().filter_map(|m| m.last_seen_at).max(),
        sources,
        stale: members.iter().all(|m| m.stale),
    };
    (tool, prov)
}
