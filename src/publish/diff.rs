//! The difference between two releases' tools: ids added, removed and changed (with the
//! fields that changed) and the id aliases of merges (SPEC sections 3 and 6).
//!
//! Pure: rows in, [`Changes`] out. `changes.json` (written by `publish`) and `civicrawl diff`
//! both use it, so they always agree. Reading release directories lives in `changes.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Columns whose change alone does not make a tool "changed": they move on every run.
pub const VOLATILE: &[&str] = &["last_seen_at"];

/// One tool present in both releases whose values differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    pub id: String,
    /// The columns that differ, in schema order.
    pub fields: Vec<String>,
}

/// An id retired by a merge and the id it now points to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub id: String,
    pub now: String,
}

/// How many tools were added, removed and changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

/// The content of `changes.json`, and of `civicrawl diff --json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// The release compared against (its directory name), `null` for the first release.
    pub previous_release: Option<String>,
    /// Tool ids only in the new release, sorted.
    pub added: Vec<String>,
    /// Tool ids only in the old release, sorted.
    pub removed: Vec<String>,
    /// Tools in both whose values differ, sorted by id.
    pub changed: Vec<Changed>,
    /// Ids retired by merges since the previous release (tools' `ct_` and organisations'
    /// `co_` ids).
    pub aliases: Vec<Alias>,
    pub counts: Counts,
    /// The other tables' rows added, removed and changed, by table name (`organisations`,
    /// `tool_organisations`, `use_cases`); rows are named by their primary key
    /// (`tool_organisations`: `<tool_id>/<organisation_id>/<role>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, TableChanges>,
}

/// Rows of one table added, removed and changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<Changed>,
    pub counts: Counts,
}

impl From<Changes> for TableChanges {
    fn from(c: Changes) -> TableChanges {
        TableChanges {
            added: c.added,
            removed: c.removed,
            changed: c.changed,
            counts: c.counts,
        }
    }
}

/// Compares the old release's tools (id → JSON object) with the new one's.
///
/// `new_ids` are the new release's ids; `new_value` gives the JSON object of one of them and
/// is only called for ids present in both releases. `fields` are the columns compared (the
/// schema order); [`VOLATILE`] ones are skipped.
pub fn diff<'a>(
    old: &BTreeMap<String, Value>,
    new_ids: impl IntoIterator<Item = &'a str>,
    mut new_value: impl FnMut(&str) -> Value,
    fields: &[&str],
    aliases: &[(String, String)],
) -> Changes {
    let mut added = Vec::new();
    let mut seen = BTreeSet::new();
    let mut changed = Vec::new();
    for id in new_ids {
        let Some(before) = old.get(id) else {
            added.push(id.to_string());
            continue;
        };
        seen.insert(id);
        let now = new_value(id);
        let differ: Vec<String> = fields
            .iter()
            .filter(|f| !VOLATILE.contains(f) && before.get(**f) != now.get(**f))
            .map(|f| f.to_string())
            .collect();
        if !differ.is_empty() {
            changed.push(Changed {
                id: id.to_string(),
                fields: differ,
            });
        }
    }
    added.sort();
    changed.sort_by(|a, b| a.id.cmp(&b.id));
    let removed: Vec<String> = old
        .keys()
        .filter(|id| !seen.contains(id.as_str()))
        .cloned()
        .collect();
    let mut aliases: Vec<Alias> = aliases
        .iter()
        .map(|(id, now)| Alias {
            id: id.clone(),
            now: now.clone(),
        })
        .collect();
    aliases.sort_by(|a, b| (&a.id, &a.now).cmp(&(&b.id, &b.now)));
    aliases.dedup();
    Changes {
        previous_release: None,
        counts: Counts {
            added: added.len(),
            removed: removed.len(),
            changed: changed.len(),
        },
        added,
        removed,
        changed,
        aliases,
        tables: BTreeMap::new(),
    }
}

/// A readable summary of `changes` from `old` to `new` (release names); `names` gives a
/// tool's display name when one is known.
pub fn summary(
    changes: &Changes,
    old: &str,
    new: &str,
    names: impl Fn(&str) -> Option<String>,
) -> String {
    let c = &changes.counts;
    let mut out = format!(
        "{old} → {new}: {} added, {} removed, {} changed, {} aliases\n",
        c.added,
        c.removed,
        c.changed,
        changes.aliases.len()
    );
    let label = |id: &str| match names(id) {
        Some(name) => format!("{id}  {name}"),
        None => id.to_string(),
    };
    if !changes.added.is_empty() {
        let _ = writeln!(out, "\nadded ({}):", c.added);
        for id in &changes.added {
            let _ = writeln!(out, "  + {}", label(id));
        }
    }
    if !changes.removed.is_empty() {
        let _ = writeln!(out, "\nremoved ({}):", c.removed);
        for id in &changes.removed {
            let _ = writeln!(out, "  - {}", label(id));
        }
    }
    if !changes.changed.is_empty() {
        let _ = writeln!(out, "\nchanged ({}):", c.changed);
        for ch in &changes.changed {
            let _ = writeln!(out, "  ~ {}: {}", label(&ch.id), ch.fields.join(", "));
        }
    }
    if !changes.aliases.is_empty() {
        let _ = writeln!(out, "\naliases ({}):", changes.aliases.len());
        for a in &changes.aliases {
            let _ = writeln!(out, "  {} → {}", a.id, a.now);
        }
    }
    if !changes.tables.is_empty() {
        out.push('\n');
        for (table, t) in &changes.tables {
            let c = &t.counts;
            let _ = writeln!(
                out,
                "{table}: {} added, {} removed, {} changed",
                c.added, c.removed, c.changed
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(rows: &[Value]) -> BTreeMap<String, Value> {
        rows.iter()
            .map(|v| (v["id"].as_str().unwrap().to_string(), v.clone()))
            .collect()
    }

    const FIELDS: &[&str] = &["id", "name", "tags", "last_seen_at"];

    fn run(old: &[Value], new: &[Value], aliases: &[(String, String)]) -> Changes {
        let new = map(new);
        diff(
            &map(old),
            new.keys().map(String::as_str),
            |id| new[id].clone(),
            FIELDS,
            aliases,
        )
    }

    #[test]
    fn added_removed_and_changed_with_fields_in_schema_order() {
        let old = [
            json!({"id": "a", "name": "A", "tags": ["x"], "last_seen_at": "1"}),
            json!({"id": "b", "name": "B", "tags": [], "last_seen_at": "1"}),
            json!({"id": "c", "name": "C", "tags": [], "last_seen_at": "1"}),
        ];
        let new = [
            json!({"id": "a", "name": "A2", "tags": ["x", "y"], "last_seen_at": "2"}),
            json!({"id": "c", "name": "C", "tags": [], "last_seen_at": "2"}),
            json!({"id": "d", "name": "D", "tags": [], "last_seen_at": "2"}),
        ];
        let aliases = [("b".to_string(), "a".to_string())];
        let c = run(&old, &new, &aliases);
        assert_eq!(c.added, ["d"]);
        assert_eq!(c.removed, ["b"]);
        assert_eq!(
            c.changed,
            [Changed {
                id: "a".into(),
                fields: vec!["name".into(), "tags".into()]
            }]
        );
        assert_eq!(
            c.aliases,
            [Alias {
                id: "b".into(),
                now: "a".into()
            }]
        );
        assert_eq!(
            c.counts,
            Counts {
                added: 1,
                removed: 1,
                changed: 1
            }
        );
    }

    #[test]
    fn only_volatile_changes_are_no_change_and_json_shape_is_stable() {
        let old = [json!({"id": "a", "name": "A", "tags": [], "last_seen_at": "1"})];
        let new = [json!({"id": "a", "name": "A", "tags": [], "last_seen_at": "2"})];
        let c = run(&old, &new, &[]);
        assert_eq!(c, Changes::default());
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"previous_release": null, "added": [], "removed": [], "changed": [],
                   "aliases": [], "counts": {"added": 0, "removed": 0, "changed": 0}})
        );
    }

    #[test]
    fn summary_names_every_tool_and_field() {
        let old = [json!({"id": "a", "name": "A", "tags": []})];
        let new = [
            json!({"id": "a", "name": "A", "tags": ["t"]}),
            json!({"id": "b", "name": "Bee", "tags": []}),
        ];
        let c = run(&old, &new, &[("z".into(), "a".into())]);
        let text = summary(&c, "r1", "r2", |id| (id == "b").then(|| "Bee".to_string()));
        assert_eq!(
            text,
            "r1 → r2: 1 added, 0 removed, 1 changed, 1 aliases\n\
             \nadded (1):\n  + b  Bee\n\
             \nchanged (1):\n  ~ a: tags\n\
             \naliases (1):\n  z → a\n"
        );
    }
}
