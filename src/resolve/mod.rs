//! resolve: pure. Clusters normalised records that describe the same tool, merges each cluster
//! into one [`Tool`] with a stable id and per-field provenance (SPEC section 2).
//!
//! This first step merges records whose canonical repository URL or canonical homepage are
//! equal (keys.rs); survivorship takes each scalar field from the highest-priority source
//! that has it and unions lists (merge.rs); the id is `ct_` + 12 characters of the SHA-256 of
//! the cluster's first canonical key (ids.rs).

mod ids;
mod keys;
mod merge;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::{NormRecord, SourceRecordRow, Tool};

pub use ids::tool_id;

/// One record entering resolution, with what its source declares.
#[derive(Clone, Debug)]
pub struct Input {
    pub record: NormRecord,
    /// The source's `priority`: higher wins when sources disagree.
    pub priority: i64,
    /// False for `role = "enrich"` sources: their records never create a tool.
    pub create: bool,
    /// Kept from an earlier run because the source failed this time.
    pub stale: bool,
    /// When civicrawl first saw this record.
    pub first_seen_at: Option<DateTime<Utc>>,
    /// When civicrawl last saw this record.
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// Tools and the rows of `source_records`, sorted by id and by (source, record).
#[derive(Debug, Default)]
pub struct Resolved {
    pub tools: Vec<Tool>,
    pub rows: Vec<SourceRecordRow>,
    /// Records of enrich sources that matched no tool.
    pub unmatched_enrich: usize,
    /// Keys seen for the first time, with the id their tool got: for the id registry.
    pub new_ids: Vec<(String, String)>,
}

/// Clusters and merges `inputs`. `known` is the id registry (canonical key → tool id): a
/// cluster keeps the id registered for its first key, else the smallest id registered for any
/// of its keys, else gets a new id derived from its first key.
pub fn resolve(mut inputs: Vec<Input>, known: &HashMap<String, String>) -> Resolved {
    inputs.sort_by(|a, b| {
        (&a.record.source_id, &a.record.record_id).cmp(&(&b.record.source_id, &b.record.record_id))
    });
    let clusters = keys::cluster(&inputs);
    let mut out = Resolved::default();
    let mut used: HashSet<String> = HashSet::new();
    for members in clusters {
        let members: Vec<&Input> = members.iter().map(|&i| &inputs[i]).collect();
        if !members.iter().any(|m| m.create) {
            out.unmatched_enrich += members.len();
            continue;
        }
        let first_key = keys::first_key(&members);
        let mut all_keys: Vec<String> = members
            .iter()
            .flat_map(|m| keys::registry_keys(m))
            .collect();
        all_keys.sort();
        all_keys.dedup();
        let registered = known
            .get(&first_key)
            .or_else(|| all_keys.iter().filter_map(|k| known.get(k)).min())
            .filter(|id| !used.contains(*id));
        let id = match registered {
            Some(id) => id.clone(),
            None => {
                let mut id = tool_id(&first_key);
                let mut n = 1;
                while used.contains(&id) {
                    n += 1;
                    id = tool_id(&format!("{first_key}#{n}"));
                }
                id
            }
        };
        used.insert(id.clone());
        out.new_ids.extend(
            all_keys
                .into_iter()
                .filter(|k| !known.contains_key(k))
                .map(|k| (k, id.clone())),
        );
        let (tool, provenance) = merge::merge(&id, &members);
        for m in &members {
            let prov: BTreeMap<String, String> = provenance
                .iter()
                .filter(|(_, (src, rec))| *src == m.record.source_id && *rec == m.record.record_id)
                .map(|(field, (src, _))| (field.to_string(), src.clone()))
                .collect();
            out.rows.push(SourceRecordRow {
                tool_id: id.clone(),
                record: m.record.clone(),
                stale: m.stale,
                provenance: prov,
            });
        }
        out.tools.push(tool);
    }
    out.tools.sort_by(|a, b| a.id.cmp(&b.id));
    out.rows.sort_by(|a, b| {
        (&a.record.source_id, &a.record.record_id).cmp(&(&b.record.source_id, &b.record.record_id))
    });
    out
}

#[cfg(test)]
mod tests;
