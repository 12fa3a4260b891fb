//! `output/index.html`: every release kept, newest first, with its rows per table and a link
//! to its page, and a link to `latest`. Rewritten after each publish and each prune, by
//! writing `index.html.tmp-<pid>` and renaming it over the old page, so a reader never sees
//! half a page. The counts come from each release's `report.json`.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

use super::html::{esc, int};
use super::{INDEX_HTML, foot, head};
use crate::publish::atomic::sync_dir;
use crate::publish::prune::release_ids;
use crate::publish::{LATEST, PublishError, RELEASES_DIR, REPORT_JSON, io_error};

/// The prefix of the temporary file the page is written to before its rename.
pub(crate) const TMP_PREFIX: &str = "index.html.tmp-";

/// The report fields the overview shows, in its column order.
const COLUMNS: [(&str, &str); 5] = [
    ("tools", "tools"),
    ("source_records", "source records"),
    ("organisations", "organisations"),
    ("use_cases", "use cases"),
    ("sources", "sources"),
];

/// One release as the overview lists it.
struct Listed {
    id: String,
    /// `report.json`, or `Null` when it cannot be read.
    report: Value,
    has_page: bool,
}

/// Writes `out_dir/index.html` over the releases now in `out_dir/releases` (atomically).
pub(crate) fn write_overview(out_dir: &Path) -> Result<(), PublishError> {
    let releases = out_dir.join(RELEASES_DIR);
    let mut ids = release_ids(&releases)?;
    ids.reverse();
    let listed: Vec<Listed> = ids
        .into_iter()
        .map(|id| {
            let dir = releases.join(&id);
            let report = fs::read(dir.join(REPORT_JSON))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or(Value::Null);
            let has_page = dir.join(INDEX_HTML).is_file();
            Listed {
                id,
                report,
                has_page,
            }
        })
        .collect();
    let latest = fs::read_link(out_dir.join(LATEST))
        .ok()
        .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()));
    let text = render(&listed, latest.as_deref());
    let tmp = out_dir.join(format!("{TMP_PREFIX}{}", std::process::id()));
    let path = out_dir.join(INDEX_HTML);
    let written = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .map_err(io_error("write", &tmp))
        .and_then(|()| {
            fs::rename(&tmp, &path).map_err(|source| PublishError::Rename {
                from: tmp.clone(),
                to: path.clone(),
                source,
            })
        });
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    sync_dir(out_dir)
}

/// A count from a report: a number, or the length of an array (`sources`).
fn count(report: &Value, key: &str) -> Option<u64> {
    let v = report.get(key)?;
    v.as_u64().or_else(|| v.as_array().map(|a| a.len() as u64))
}

fn render(listed: &[Listed], latest: Option<&str>) -> String {
    let mut out = String::new();
    head(&mut out, "civicrawl catalogue: every release");
    out.push_str(
        "<header><h1>civicrawl catalogue: every release</h1>\
         <p class=\"lead\">An open catalogue of the digital tools used for open government and \
         civic participation. Each release is a directory of the same tables in CSV, JSON, \
         JSON Lines and Parquet, with a page describing it.</p></header>\n",
    );
    match latest {
        Some(id) => {
            let _ = writeln!(
                out,
                "<p id=\"latest\">The latest release is <a href=\"{LATEST}/{INDEX_HTML}\">{id}</a>; \
                 <code>{LATEST}/</code> always points at the newest one.</p>",
                id = esc(id)
            );
        }
        None => out.push_str("<p id=\"latest\">No release is published yet.</p>\n"),
    }
    out.push_str(
        "<div class=\"wide\"><table id=\"releases\"><thead><tr><th scope=\"col\">Release</th>\
         <th scope=\"col\">Published</th>",
    );
    for (_, header) in COLUMNS {
        let _ = write!(out, "<th scope=\"col\" class=\"num\">{header}</th>");
    }
    out.push_str("<th scope=\"col\">Sources not ok</th></tr></thead><tbody>");
    for r in listed {
        let id = esc(&r.id);
        let target = if r.has_page {
            format!("{RELEASES_DIR}/{id}/{INDEX_HTML}")
        } else {
            format!("{RELEASES_DIR}/{id}/")
        };
        let mark = if latest == Some(r.id.as_str()) {
            " <span class=\"ok\">latest</span>"
        } else {
            ""
        };
        let time = r
            .report
            .get("finished_at")
            .and_then(Value::as_str)
            .unwrap_or("");
        let _ = write!(
            out,
            "<tr data-release=\"{id}\"><th scope=\"row\"><a href=\"{target}\">{id}</a>{mark}</th><td>{}</td>",
            esc(time)
        );
        for (key, _) in COLUMNS {
            let n = count(&r.report, key);
            let _ = write!(
                out,
                "<td class=\"num\" data-{key}=\"{}\">{}</td>",
                n.map(|n| n.to_string()).unwrap_or_default(),
                n.map(int).unwrap_or_else(|| "—".into())
            );
        }
        let not_ok: Vec<&str> = ["sources_failed", "sources_rate_limited", "sources_stale"]
            .iter()
            .filter_map(|k| r.report.get(*k)?.as_array())
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let _ = write!(out, "<td>{}</td></tr>", esc(&not_ok.join(", ")));
    }
    out.push_str("</tbody></table></div>\n");
    foot(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_releases_newest_first_with_counts_and_marks_latest() {
        let out = tempfile::tempdir().unwrap();
        let releases = out.path().join(RELEASES_DIR);
        for (id, tools) in [("2026-11-25T030000Z", 3), ("2026-11-26T030000Z", 4)] {
            fs::create_dir_all(releases.join(id)).unwrap();
            let report = serde_json::json!({"tools": tools, "sources": [{"id": "a"}], "sources_stale": ["<x>"]});
            fs::write(releases.join(id).join(REPORT_JSON), report.to_string()).unwrap();
        }
        fs::write(releases.join("2026-11-26T030000Z").join(INDEX_HTML), "").unwrap();
        fs::create_dir(releases.join(".tmp-x-1")).unwrap();
        std::os::unix::fs::symlink("releases/2026-11-26T030000Z", out.path().join(LATEST)).unwrap();
        write_overview(out.path()).unwrap();
        let page = fs::read_to_string(out.path().join(INDEX_HTML)).unwrap();
        let newest = page.find("data-release=\"2026-11-26T030000Z\"").unwrap();
        let older = page.find("data-release=\"2026-11-25T030000Z\"").unwrap();
        assert!(newest < older, "newest first");
        assert!(!page.contains(".tmp-x-1"));
        assert!(page.contains("<a href=\"releases/2026-11-26T030000Z/index.html\">"));
        assert!(
            page.contains("<a href=\"releases/2026-11-25T030000Z/\">"),
            "no page: the directory"
        );
        assert!(page.contains("href=\"latest/index.html\">2026-11-26T030000Z</a>"));
        assert!(
            page.contains("data-tools=\"4\">4</td>") && page.contains("data-sources=\"1\">1</td>")
        );
        assert!(page.contains("<td>&lt;x&gt;</td>") && !page.contains("<x>"));
        let leftovers: Vec<_> = fs::read_dir(out.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(TMP_PREFIX)
            })
            .collect();
        assert!(leftovers.is_empty());
    }
}
