//! `changes.json`: tool ids added, removed and changed against the previous release (the one
//! `latest` pointed at), with the fields that changed. Fields that move on every run
//! (`last_seen_at`) are not counted as changes.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::json::object;
use super::schema;
use crate::model::Tool;

/// Columns whose change alone does not make a tool "changed".
const VOLATILE: &[&str] = &["last_seen_at"];

/// The changes from the release in `previous` (if any) to `tools`.
pub(crate) fn changes(
    previous: Option<&Path>,
    tools: &[&Tool],
    aliases: &[(String, String)],
) -> Value {
    let old: BTreeMap<String, Value> = previous
        .and_then(|dir| std::fs::read_to_string(dir.join("tools.jsonl")).ok())
        .map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter_map(|v| Some((v.get("id")?.as_str()?.to_string(), v)))
                .collect()
        })
        .unwrap_or_default();
    let new: BTreeMap<String, Value> = tools
        .iter()
        .map(|t| (t.id.clone(), object(schema::TOOLS, *t)))
        .collect();
    let added: Vec<&String> = new.keys().filter(|id| !old.contains_key(*id)).collect();
    let removed: Vec<&String> = old.keys().filter(|id| !new.contains_key(*id)).collect();
    let mut changed = Vec::new();
    for (id, now) in &new {
        let Some(before) = old.get(id) else { continue };
        let fields: Vec<&str> = schema::names(schema::TOOLS)
            .into_iter()
            .filter(|f| !VOLATILE.contains(f) && before.get(*f) != now.get(*f))
            .collect();
        if !fields.is_empty() {
            changed.push(json!({ "id": id, "fields": fields }));
        }
    }
    let previous_id = previous
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    json!({
        "previous_release": previous_id,
        "added": added,
        "removed": removed,
        "changed": changed,
        "aliases": aliases
            .iter()
            .map(|(old, new)| json!({ "id": old, "now": new }))
            .collect::<Vec<_>>(),
        "counts": { "added": added.len(), "removed": removed.len(), "changed": changed.len() },
    })
}
