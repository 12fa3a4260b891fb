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

use std::collections::BTreeMap;

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
}

/// Tools and the rows of `source_records`, sorted by id and by (source, record).
#[derive(Debug, Default)]
pub struct Resolved {
    pub tools: Vec<Tool>,
    pub rows: Vec<SourceRecordRow>,
    /// Records of enrich sources that matched no tool.
    pub unmatched_enrich: usize,
}

/// Clusters and merges `inputs`.
pub fn resolve(mut inputs: Vec<Input>) -> Resolved {
    inputs.sort_by(|a, b| {
        (&a.record.source_id, &a.record.record_id).cmp(&(&b.record.source_id, &b.record.record_id))
    });
    let clusters = keys::cluster(&inputs);
    let mut out = Resolved::default();
    for members in clusters {
        let members: Vec<&Input> = members.iter().map(|&i| &inputs[i]).collect();
        if !members.iter().any(|m| m.create) {
            out.unmatched_enrich += members.len();
            continue;
        }
        let first_key = keys::first_key(&members);
        let id = tool_id(&first_key);
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
