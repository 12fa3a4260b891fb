//! The page's sections about the run: each source's freshness (from the `sources` table,
//! the records' fetch times and `report.json`) and the changes since the previous release
//! (`changes.json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::html::{esc, href, int, truncate};
use crate::model::{SourceRecordRow, SourceRow, SourceStatus, Tool};
use crate::publish::diff::Changes;

/// How many ids of each kind of change the page lists; `changes.json` has them all.
const CHANGES_LISTED: usize = 100;

/// One sentence above the files: are all sources fresh?
pub(super) fn freshness_summary(out: &mut String, sources: &[&SourceRow]) {
    let not_ok: Vec<&str> = sources
        .iter()
        .filter(|s| s.status != SourceStatus::Ok)
        .map(|s| s.id.as_str())
        .collect();
    let text = if sources.is_empty() {
        "<p id=\"freshness\">No source is declared.</p>".to_string()
    } else if not_ok.is_empty() {
        format!(
            "<p id=\"freshness\"><span class=\"ok\">All {} sources ok</span>: every source was crawled for this release.</p>",
            sources.len()
        )
    } else {
        format!(
            "<p id=\"freshness\"><span class=\"bad\">{} of {} sources not ok</span> ({}): \
             their earlier records are kept, marked stale. See <a href=\"#sources\">Sources</a>.</p>",
            not_ok.len(),
            sources.len(),
            esc(&not_ok.join(", ")),
        )
    };
    out.push_str(&text);
    out.push('\n');
}

/// The newest fetch time of each source's records: when its data was last fetched.
fn last_fetched<'a>(records: &'a [&'a SourceRecordRow]) -> BTreeMap<&'a str, DateTime<Utc>> {
    let mut last: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    for r in records {
        if let Some(at) = r.record.fetched_at {
            let e = last.entry(r.record.source_id.as_str()).or_insert(at);
            *e = (*e).max(at);
        }
    }
    last
}

/// `report.json`'s entry for each source (an array of objects with `id`).
fn report_sources(report: &Value) -> BTreeMap<&str, &Value> {
    report
        .get("sources")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| Some((s.get("id")?.as_str()?, s)))
                .collect()
        })
        .unwrap_or_default()
}

/// The sources table: status, records, when last fetched, this run's requests and 304s.
pub(super) fn sources(
    out: &mut String,
    sources: &[&SourceRow],
    records: &[&SourceRecordRow],
    report: &Value,
) {
    let last = last_fetched(records);
    let runs = report_sources(report);
    out.push_str(
        "<h2 id=\"sources\">Sources and their freshness</h2>\
         <p>A source that failed in this run keeps its earlier records, marked <i>stale</i>; \
         <i>records last fetched</i> says since when its data is that old.</p>\
         <div class=\"wide\"><table class=\"sources\"><thead><tr><th scope=\"col\">Source</th>\
         <th scope=\"col\">Status</th><th scope=\"col\">Records last fetched</th>\
         <th scope=\"col\" class=\"num\">Records</th><th scope=\"col\" class=\"num\">Requests</th>\
         <th scope=\"col\" class=\"num\">Not modified (304)</th><th scope=\"col\">Licence</th>\
         </tr></thead><tbody>",
    );
    for s in sources {
        let name = match s.urls.first().and_then(|u| href(u)) {
            Some(url) => format!("<a href=\"{url}\">{}</a>", esc(&s.name)),
            None => esc(&s.name),
        };
        let status = s.status.as_str();
        let class = if s.status == SourceStatus::Ok {
            "ok"
        } else {
            "bad"
        };
        let error = s
            .error
            .as_deref()
            .map(|e| format!("<span class=\"desc\">{}</span>", esc(&truncate(e, 200))))
            .unwrap_or_default();
        let fetched = last
            .get(s.id.as_str())
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "never".into());
        let run = runs.get(s.id.as_str());
        let number = |key: &str| {
            run.and_then(|r| r.get(key)?.as_u64())
                .map(int)
                .unwrap_or_else(|| "—".into())
        };
        let _ = write!(
            out,
            "<tr data-source=\"{id}\" data-status=\"{status}\"><td>{name} <code class=\"id\">{id}</code></td>\
             <td><span class=\"{class}\">{status}</span>{error}</td><td class=\"nowrap\">{fetched}</td>\
             <td class=\"num\">{records}</td><td class=\"num\">{requests}</td>\
             <td class=\"num\">{not_modified}</td><td>{licence}</td></tr>",
            id = esc(&s.id),
            records = int(s.records.max(0) as u64),
            requests = number("requests"),
            not_modified = number("not_modified"),
            licence = esc(s.license.as_deref().unwrap_or("not stated")),
        );
    }
    out.push_str("</tbody></table></div>\n");
}

/// The name of the tool with `id` (tools sorted by id).
fn name_of<'a>(tools: &[&'a Tool], id: &str) -> Option<&'a str> {
    let i = tools.binary_search_by(|t| t.id.as_str().cmp(id)).ok()?;
    tools[i].name.as_deref()
}

/// What changed since the previous release: counts per table, then the tools' ids.
pub(super) fn changes(out: &mut String, c: &Changes, tools: &[&Tool], release_id: &str) {
    out.push_str("<h2 id=\"changes\">Changes since the previous release</h2>");
    let Some(previous) = &c.previous_release else {
        let _ = writeln!(
            out,
            "<p id=\"changes-summary\" data-added=\"{}\">This is the first release: all {} tools are new.</p>",
            c.counts.added,
            int(c.counts.added as u64)
        );
        return;
    };
    let _ = write!(
        out,
        "<p id=\"changes-summary\" data-added=\"{a}\" data-removed=\"{r}\" data-changed=\"{ch}\">\
         Against <a href=\"../{prev}/index.html\">{prev}</a> (release {id} replaces it): \
         {an} tools added, {rn} removed, {chn} changed, {al} ids merged into others. \
         Every id is in <a href=\"changes.json\">changes.json</a>.</p>",
        a = c.counts.added,
        r = c.counts.removed,
        ch = c.counts.changed,
        prev = esc(previous),
        id = esc(release_id),
        an = int(c.counts.added as u64),
        rn = int(c.counts.removed as u64),
        chn = int(c.counts.changed as u64),
        al = int(c.aliases.len() as u64),
    );
    if !c.tables.is_empty() {
        out.push_str(
            "<table class=\"numbers\"><thead><tr><th scope=\"col\">table</th>\
             <th scope=\"col\" class=\"num\">added</th><th scope=\"col\" class=\"num\">removed</th>\
             <th scope=\"col\" class=\"num\">changed</th></tr></thead><tbody>",
        );
        for (table, t) in &c.tables {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                esc(&table.replace('_', " ")),
                int(t.counts.added as u64),
                int(t.counts.removed as u64),
                int(t.counts.changed as u64),
            );
        }
        out.push_str("</tbody></table>");
    }
    let line = |id: &str, extra: &str| {
        let name = name_of(tools, id).map(esc).unwrap_or_default();
        format!(
            "<li>{name} <code class=\"id\">{}</code>{extra}</li>",
            esc(id)
        )
    };
    let added: Vec<String> = c
        .added
        .iter()
        .take(CHANGES_LISTED)
        .map(|id| line(id, ""))
        .collect();
    let changed: Vec<String> = c
        .changed
        .iter()
        .take(CHANGES_LISTED)
        .map(|ch| line(&ch.id, &format!(": {}", esc(&ch.fields.join(", ")))))
        .collect();
    let removed: Vec<String> = c
        .removed
        .iter()
        .take(CHANGES_LISTED)
        .map(|id| format!("<li><code class=\"id\">{}</code></li>", esc(id)))
        .collect();
    let kinds = [
        ("added", c.added.len(), added),
        ("changed", c.changed.len(), changed),
        ("removed", c.removed.len(), removed),
    ];
    for (what, total, items) in kinds {
        if total == 0 {
            continue;
        }
        let _ = write!(
            out,
            "<details><summary>Tools {what} ({})</summary><ul>",
            int(total as u64)
        );
        for item in &items {
            out.push_str(item);
        }
        if total > items.len() {
            let _ = write!(
                out,
                "<li>… and {} more in changes.json</li>",
                int((total - items.len()) as u64)
            );
        }
        out.push_str("</ul></details>");
    }
    out.push('\n');
}
