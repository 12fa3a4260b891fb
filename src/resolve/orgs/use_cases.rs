//! Use cases: one row per tool and deployment, with the organisation that runs it when the
//! records say which.

use std::collections::BTreeMap;

use super::Seen;
use crate::model::{SourceRecordRow, UseCase};
use crate::resolve::ids::derived_id;
use crate::resolve::names::org_form;

/// The use cases of `rows`: one per tool and deployment URL (else organisation and title),
/// its values from the first record that lists it, its sources united.
pub(super) fn use_cases(
    rows: &[SourceRecordRow],
    seen: &Seen<'_>,
    org_of: impl Fn(&SourceRecordRow, &str) -> Option<String>,
) -> Vec<UseCase> {
    let mut out: BTreeMap<String, UseCase> = BTreeMap::new();
    for row in rows {
        for case in &row.record.use_cases {
            let what = match &case.url {
                Some(url) => format!("url:{url}"),
                None => format!(
                    "org:{}|title:{}",
                    case.organisation
                        .as_deref()
                        .and_then(org_form)
                        .unwrap_or_default(),
                    case.title.as_deref().and_then(org_form).unwrap_or_default()
                ),
            };
            let id = derived_id("cu_", &format!("uc:{}\n{what}", row.tool_id));
            let entry = out.entry(id.clone()).or_insert_with(|| {
                let (first, last) = seen.get(row.tool_id.as_str()).copied().unwrap_or_default();
                UseCase {
                    id,
                    tool_id: row.tool_id.clone(),
                    organisation_id: case.organisation.as_deref().and_then(|n| org_of(row, n)),
                    title: case.title.clone(),
                    url: case.url.clone(),
                    country: case.country.clone(),
                    audience: case.audience.clone(),
                    first_seen_at: first,
                    last_seen_at: last,
                    sources: Vec::new(),
                    liveness: None,
                    checked_at: None,
                }
            });
            if !entry.sources.contains(&row.record.source_id) {
                entry.sources.push(row.record.source_id.clone());
                entry.sources.sort();
            }
        }
    }
    out.into_values().collect()
}
