//! `report.json`: what a run or build did, per source and in total (README, "Output").

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::harvest::SourceOutcome;
use super::release::ThisRun;
use crate::model::{Ended, Liveness, SourceRecordRow, SourceRow, SourceStatus};
use crate::report::Issue;
use crate::resolve;

/// The report of release `release_id`.
/// How one source's licence values read (`normalise::license::read`), for `report.json`.
#[derive(Debug, Default)]
pub(super) struct LicenceCounts {
    pub mapped: u64,
    pub not_a_licence: u64,
    pub unmapped: u64,
    /// Unmapped value → how many times it was given.
    pub unmapped_values: HashMap<String, u64>,
}

impl LicenceCounts {
    /// Counts one value.
    pub(super) fn add(&mut self, value: &str) {
        use crate::normalise::license::{Reading, read};
        match read(value) {
            Reading::Mapped(_) => self.mapped += 1,
            Reading::NotALicence => self.not_a_licence += 1,
            Reading::Unmapped => {
                self.unmapped += 1;
                *self
                    .unmapped_values
                    .entry(value.trim().to_string())
                    .or_default() += 1;
            }
        }
    }

    /// The counts, the share of licence values mapped, and the ten unmapped values given most.
    fn json(&self) -> Value {
        let mut top: Vec<(&String, &u64)> = self.unmapped_values.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let licences = self.mapped + self.unmapped;
        json!({
            "mapped": self.mapped,
            "not_a_licence": self.not_a_licence,
            "unmapped": self.unmapped,
            "mapped_share": (licences > 0).then(|| self.mapped as f64 / licences as f64),
            "top_unmapped": top.iter().take(10).map(|(v, n)| json!({"value": v, "times": n})).collect::<Vec<_>>(),
        })
    }
}

/// What the release's resolution found, for its report.
#[derive(Clone, Copy)]
pub(super) struct Found<'a> {
    pub resolved: &'a resolve::Resolved,
    pub orgs: &'a resolve::ResolvedOrgs,
    pub licences: &'a HashMap<String, LicenceCounts>,
}

pub(super) fn report_json(
    release_id: &str,
    sources: &[SourceRow],
    this_run: Option<ThisRun>,
    finished: DateTime<Utc>,
    found: Found<'_>,
    issues: &mut HashMap<String, Vec<Issue>>,
) -> Value {
    let Found {
        resolved,
        orgs,
        licences,
    } = found;
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let outcomes: HashMap<&str, &SourceOutcome> = this_run
        .map(|r| r.outcomes.iter().map(|s| (s.id.as_str(), s)).collect())
        .unwrap_or_default();
    let coverage = CategoryCoverage::of(&resolved.rows);
    let rows: Vec<Value> = sources
        .iter()
        .map(|s| {
            let mut v = json!({
                "id": s.id,
                "kind": s.kind,
                "status": s.status.as_str(),
                "stale": s.status == SourceStatus::Stale,
                "records": s.records,
                "error": s.error,
            });
            let mut record_issues = issues.remove(&s.id).unwrap_or_default();
            if let Some(o) = outcomes.get(s.id.as_str()) {
                record_issues.splice(0..0, o.issues.iter().cloned());
                let extra = json!({
                    "ran": true,
                    "records_fetched": o.records,
                    "requests": o.requests,
                    "not_modified": o.not_modified,
                    "pages_asked": o.pages_asked,
                    "pages_carried": o.pages_carried,
                    "retries": o.retries,
                    "rate_limit_waits": o.rate_limit_waits,
                    "robots_disallowed": o.robots_disallowed,
                    "robots_skipped_urls": o.robots_skipped,
                    "duration_ms": o.duration_ms as u64,
                });
                merge_into(&mut v, extra);
            } else {
                merge_into(&mut v, json!({ "ran": false }));
            }
            if let Some(l) = licences.get(&s.id) {
                merge_into(&mut v, json!({ "licences": l.json() }));
            }
            if let Some(c) = coverage.per_source.get(s.id.as_str()) {
                merge_into(&mut v, json!({ "categories": c.json() }));
            }
            merge_into(&mut v, json!({ "issues": record_issues }));
            v
        })
        .collect();
    let requests: u64 = outcomes.values().map(|o| o.requests).sum();
    let not_modified: u64 = outcomes.values().map(|o| o.not_modified).sum();
    let pages_asked: u64 = outcomes.values().map(|o| o.pages_asked).sum();
    let pages_carried: u64 = outcomes.values().map(|o| o.pages_carried).sum();
    json!({
        "release_id": release_id,
        "mode": if this_run.is_some() { "run" } else { "build" },
        "started_at": this_run.map(|r| ts(r.started)),
        "finished_at": ts(finished),
        "generator": concat!("civicrawl ", env!("CARGO_PKG_VERSION")),
        "tools": resolved.tools.len(),
        "source_records": resolved.rows.len(),
        "unmatched_enrich_records": resolved.unmatched_enrich,
        "organisations": orgs.organisations.len(),
        "tool_organisations": orgs.tool_organisations.len(),
        "use_cases": orgs.use_cases.len(),
        "non_identifying_urls": resolved.non_identifying.iter().map(|n| json!({
            "url": n.url,
            "records": n.records,
            "sources": n.sources.iter().map(|(s, c)| json!({"source": s, "records": c})).collect::<Vec<_>>(),
            "reason": n.reason,
        })).collect::<Vec<_>>(),
        "categories": coverage.all.json(),
        "homepages": homepages(&resolved.rows),
        "requests": requests,
        "not_modified": not_modified,
        "pages_asked": pages_asked,
        "pages_carried": pages_carried,
        "sources_failed": outcomes.values().filter(|o| o.failed()).map(|o| o.id.clone()).collect::<BTreeSet<_>>(),
        "sources_rate_limited": outcomes.values().filter(|o| o.status == Ended::RateLimited).map(|o| o.id.clone()).collect::<BTreeSet<_>>(),
        "sources_stale": sources.iter().filter(|s| s.status == SourceStatus::Stale).map(|s| s.id.clone()).collect::<Vec<_>>(),
        "sources": rows,
    })
}

/// How many tools have a functional category, and how many of those only inferred ones.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Coverage {
    tools: usize,
    with_category: usize,
    inferred_only: usize,
}

impl Coverage {
    fn add(&mut self, t: ToolCategories) {
        self.tools += 1;
        self.with_category += usize::from(t.declared || t.inferred);
        self.inferred_only += usize::from(t.inferred && !t.declared);
    }

    fn json(&self) -> Value {
        json!({
            "tools": self.tools,
            "with_category": self.with_category,
            "inferred_only": self.inferred_only,
            "share": (self.tools > 0).then(|| self.with_category as f64 / self.tools as f64),
        })
    }
}

/// Where one tool's categories came from.
#[derive(Clone, Copy, Debug, Default)]
struct ToolCategories {
    declared: bool,
    inferred: bool,
}

/// `report.json` → `categories` (every tool) and `sources[].categories` (the tools a source
/// contributed a record to), read from the records' provenance.
struct CategoryCoverage<'a> {
    all: Coverage,
    per_source: HashMap<&'a str, Coverage>,
}

impl<'a> CategoryCoverage<'a> {
    fn of(rows: &'a [SourceRecordRow]) -> Self {
        let mut tools: HashMap<&str, ToolCategories> = HashMap::new();
        let mut sources: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for r in rows {
            let t = tools.entry(r.tool_id.as_str()).or_default();
            t.declared |= r.provenance.contains("categories");
            t.inferred |= r.provenance.contains("categories (inferred)");
            sources
                .entry(r.record.source_id.as_str())
                .or_default()
                .insert(r.tool_id.as_str());
        }
        let mut all = Coverage::default();
        tools.values().for_each(|t| all.add(*t));
        let per_source = sources
            .into_iter()
            .map(|(source, ids)| {
                let mut c = Coverage::default();
                ids.iter().for_each(|id| c.add(tools[id]));
                (source, c)
            })
            .collect();
        CategoryCoverage { all, per_source }
    }
}

fn merge_into(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}

/// `report.json` → `homepages`: counts by liveness, and the moved and dead home pages with
/// their tool.
fn homepages(rows: &[SourceRecordRow]) -> Value {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let listed = |l: Liveness| {
        rows.iter()
            .filter(|r| r.record.liveness == Some(l))
            .map(|r| {
                json!({
                    "tool_id": r.tool_id,
                    "homepage_url": r.record.homepage_url,
                    "final_url": r.record.homepage_final_url,
                    "status": r.record.homepage_status,
                    "checked_at": r.record.homepage_checked_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                })
            })
            .collect::<Vec<_>>()
    };
    let moved = listed(Liveness::Moved);
    let dead = listed(Liveness::Dead);
    for r in rows {
        if let Some(l) = r.record.liveness {
            *counts.entry(l.as_str()).or_default() += 1;
        }
    }
    json!({
        "checked": counts.values().sum::<usize>(),
        "alive": counts.get("alive").copied().unwrap_or(0),
        "moved": moved,
        "dead": dead,
        "unknown": counts.get("unknown").copied().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_coverage_counts_tools_once_and_inferred_only_apart() {
        use crate::model::NormRecord;
        let row = |tool: &str, source: &str, field: Option<&str>| {
            let mut r = SourceRecordRow {
                tool_id: tool.into(),
                record: NormRecord {
                    source_id: source.into(),
                    ..NormRecord::default()
                },
                ..SourceRecordRow::default()
            };
            if let Some(f) = field {
                r.provenance.insert(f);
            }
            r
        };
        let rows = [
            row("ct_a", "sill", Some("categories")),
            row("ct_a", "dpga", Some("categories (inferred)")),
            row("ct_b", "dpga", Some("categories (inferred)")),
            row("ct_c", "dpga", None),
        ];
        let c = CategoryCoverage::of(&rows);
        let want = |tools, with_category, inferred_only| Coverage {
            tools,
            with_category,
            inferred_only,
        };
        assert_eq!(c.all, want(3, 2, 1));
        assert_eq!(c.per_source["dpga"], want(3, 2, 1));
        assert_eq!(c.per_source["sill"], want(1, 1, 0));
        assert_eq!(c.all.json()["share"], json!(2.0 / 3.0));
    }

    #[test]
    fn licence_counts_split_values_and_list_the_unmapped_given_most() {
        let mut c = LicenceCounts::default();
        for v in [
            "MIT",
            "GPL.v3",
            "N/A",
            "Ministère de l'Intérieur",
            "BSD",
            "BSD",
            "Licence libre",
        ] {
            c.add(v);
        }
        let j = c.json();
        assert_eq!(j["mapped"], 2);
        assert_eq!(j["not_a_licence"], 2);
        assert_eq!(j["unmapped"], 3);
        assert_eq!(j["mapped_share"], 0.4);
        assert_eq!(
            j["top_unmapped"],
            json!([{"value": "BSD", "times": 2}, {"value": "Licence libre", "times": 1}])
        );
    }
}
