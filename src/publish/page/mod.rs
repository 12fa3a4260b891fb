//! `index.html`: the release's download page, and `output/index.html` over every release kept
//! (issue 18). One static file, no network request (a Content-Security-Policy with the hashes
//! of its one inline style and one inline script allows nothing else), readable from
//! `file://` or any static host.
//!
//! The page says what the release is (id, date, rows per table, licence, how to cite it);
//! lists every file with its size, SHA-256 and a one-line way to read it; draws the tools per
//! category, country (top 20), licence family, source and first-seen month as inline SVG
//! ([`charts`], numbers from [`stats`]); shows each source's freshness and the changes since
//! the previous release; and holds a searchable, sortable table of the first
//! [`TABLE_ROWS`] tools by name (all of them are in `tools.csv`).
//!
//! It is written after every other file but `datapackage.json` and `SHA256SUMS` (which list
//! it, so it cannot give their size or hash). Its bytes depend on the release, `report.json`
//! and `changes.json` only: the same inputs give the same page (no clock is read; a small
//! script adds "N days ago" in the reader's browser). Every value from the data is escaped
//! ([`html::esc`]); only `http(s)` URLs become links.

mod charts;
mod html;
pub(crate) mod overview;
mod sections;
mod stats;
mod table;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::cell::format_time;
use super::checksums::FileDigest;
use super::datapackage::DATA_LICENSE;
use super::diff::Changes;
use super::schema::SCHEMA_VERSION;
use crate::model::{SourceRecordRow, SourceRow, Tool};
use charts::{Chart, bar_chart, column_chart};
use html::{csp_hash, esc, int, size};

pub(crate) use table::TABLE_ROWS;

/// The file name of the page, in a release and in the output directory.
pub const INDEX_HTML: &str = "index.html";

pub(crate) const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");
const DATA_LICENSE_URL: &str = "https://opendatacommons.org/licenses/odbl/1-0/";

/// The tables of a release, in the order the page lists them.
pub(crate) const TABLES: [&str; 6] = [
    "tools",
    "source_records",
    "sources",
    "organisations",
    "tool_organisations",
    "use_cases",
];

/// Everything the page is made from.
pub(crate) struct PageInput<'a> {
    /// The release id (its directory name).
    pub release_id: &'a str,
    pub created_at: &'a DateTime<Utc>,
    /// Sorted by id, as written.
    pub tools: &'a [&'a Tool],
    pub records: &'a [&'a SourceRecordRow],
    pub sources: &'a [&'a SourceRow],
    /// Rows of each of [`TABLES`], in that order.
    pub rows: [usize; 6],
    /// Every file written so far: name → size and SHA-256.
    pub files: &'a BTreeMap<String, FileDigest>,
    /// `report.json`.
    pub report: &'a Value,
    /// `changes.json`.
    pub changes: &'a Changes,
}

/// The text of the release's `index.html`.
pub(crate) fn release_page(p: &PageInput<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024 + p.tools.len().min(TABLE_ROWS) * 400);
    let date = format_time(p.created_at);
    let title = format!("civicrawl catalogue, release {}", p.release_id);
    head(&mut out, &title);
    let _ = writeln!(
        out,
        "<header><h1>{title}</h1>\
         <p class=\"lead\">An open catalogue of the digital tools used for open government and \
         civic participation (consultation, participatory budgeting, petitions, open-data \
         portals, transparency and FOI, voting and legislation, benefit simulators), crawled \
         from the sources listed below, normalised and deduplicated by civicrawl.</p>\
         <p>Published <time class=\"ago\" datetime=\"{date}\">{shown}</time>. \
         Schema version {SCHEMA_VERSION}. Licence: \
         <a href=\"{DATA_LICENSE_URL}\">{DATA_LICENSE}</a> (Open Data Commons Open Database \
         License); each source keeps its own licence.</p></header>",
        title = esc(&title),
        shown = esc(&date.replace('T', " ").replace('Z', " UTC")),
    );
    nav(&mut out);
    counts(&mut out, p);
    sections::freshness_summary(&mut out, p.sources);
    files(&mut out, p);
    read_it(&mut out);
    charts_section(&mut out, p.tools);
    sections::sources(&mut out, p.sources, p.records, p.report);
    sections::changes(&mut out, p.changes, p.tools, p.release_id);
    table::tools_table(&mut out, p.tools);
    cite(&mut out, p.release_id, &date);
    foot(&mut out);
    out
}

/// `<!doctype>` to `<body>`: the policy, the style, the title.
pub(super) fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         script-src {script}; style-src {style}; img-src 'none'; base-uri 'none'; \
         form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"civicrawl\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        script = csp_hash(SCRIPT),
        style = csp_hash(STYLE),
        title = esc(title),
    );
}

pub(super) fn foot(out: &mut String) {
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
}

fn nav(out: &mut String) {
    out.push_str(
        "<nav aria-label=\"On this page\"><ul>\
         <li><a href=\"#files\">Files</a></li><li><a href=\"#read\">Read it</a></li>\
         <li><a href=\"#charts\">Charts</a></li><li><a href=\"#sources\">Sources</a></li>\
         <li><a href=\"#changes\">Changes</a></li><li><a href=\"#tools-table\">Tools</a></li>\
         <li><a href=\"#cite\">Cite</a></li><li><a href=\"../../index.html\">All releases</a></li>\
         </ul></nav>\n",
    );
}

fn counts(out: &mut String, p: &PageInput<'_>) {
    out.push_str("<dl class=\"counts\" id=\"counts\">");
    for (table, n) in TABLES.iter().zip(p.rows) {
        let _ = write!(
            out,
            "<div data-table=\"{table}\" data-rows=\"{n}\"><dt>{}</dt><dd>{}</dd></div>",
            table.replace('_', " "),
            int(n as u64)
        );
    }
    out.push_str("</dl>\n");
}

/// What a file holds and a one-line way to read it.
fn describe(file: &str) -> (String, &'static str, String) {
    if let Some((table, ext)) = file.split_once('.')
        && TABLES.contains(&table)
    {
        let (format, read) = match ext {
            "csv" => ("CSV", format!("pandas.read_csv(\"{file}\")")),
            "json" => ("JSON", format!("pandas.read_json(\"{file}\")")),
            "jsonl" => ("JSON Lines", format!("polars.read_ndjson(\"{file}\")")),
            "parquet" => ("Parquet", format!("duckdb -c \"FROM '{file}'\"")),
            _ => (
                "CSV",
                "open in a spreadsheet: cells starting with = + - @ carry a leading '".into(),
            ),
        };
        let what = if ext == "spreadsheet.csv" {
            format!("{table}, spreadsheet-safe copy")
        } else {
            table.replace('_', " ")
        };
        return (what, format, read);
    }
    let (what, format, read) = match file {
        "README.md" => (
            "data dictionary: every column, its type and sources",
            "Markdown",
            "read it; it renders on any forge",
        ),
        "changes.json" => (
            "tools and rows added, removed and changed since the previous release",
            "JSON",
            "jq .counts changes.json",
        ),
        "report.json" => (
            "the run: each source's status, requests, 304s, errors",
            "JSON",
            "jq '.sources[] | {id, status}' report.json",
        ),
        "datapackage.json" => (
            "Frictionless Data Package v2: schemas, sizes and hashes of every file, this page too",
            "JSON",
            "frictionless validate datapackage.json",
        ),
        "SHA256SUMS" => (
            "the SHA-256 of every other file",
            "text",
            "sha256sum -c SHA256SUMS",
        ),
        _ => ("", "", ""),
    };
    (what.into(), format, read.into())
}

/// Every file of the release, tables first: its size and SHA-256 (`datapackage.json` and
/// `SHA256SUMS`, written after the page, have none here).
fn files(out: &mut String, p: &PageInput<'_>) {
    out.push_str(
        "<h2 id=\"files\">Files</h2>\
         <p>Every table comes in four formats holding the same rows in the same order. Check a \
         download with <code>sha256sum -c SHA256SUMS</code>.</p>\
         <div class=\"wide\"><table class=\"files\"><thead><tr><th scope=\"col\">File</th>\
         <th scope=\"col\">Holds</th><th scope=\"col\" class=\"num\">Size</th>\
         <th scope=\"col\">SHA-256, and a way to read it</th></tr></thead><tbody>",
    );
    let mut names: Vec<String> = Vec::new();
    for table in TABLES {
        for ext in ["csv", "json", "jsonl", "parquet", "spreadsheet.csv"] {
            names.push(format!("{table}.{ext}"));
        }
    }
    for other in [
        "README.md",
        "changes.json",
        "report.json",
        "datapackage.json",
        "SHA256SUMS",
    ] {
        names.push(other.into());
    }
    for name in names {
        let digest = p.files.get(&name);
        let late = matches!(name.as_str(), "datapackage.json" | "SHA256SUMS");
        if digest.is_none() && !late {
            continue;
        }
        let (what, format, read) = describe(&name);
        let (bytes, shown, hash) = match digest {
            Some(d) => (d.bytes.to_string(), size(d.bytes), d.sha256.clone()),
            None => (String::new(), "—".into(), "listed in SHA256SUMS".into()),
        };
        let _ = write!(
            out,
            "<tr data-file=\"{file}\" data-bytes=\"{bytes}\"><td><a href=\"{file}\" download>{file}</a></td>\
             <td>{what} <span class=\"muted\">({format})</span></td>\
             <td data-col=\"Size\" class=\"num\" title=\"{bytes} bytes\">{shown}</td>\
             <td><code class=\"hash\">{hash}</code><br><code class=\"read\">{read}</code></td></tr>",
            file = esc(&name),
            what = esc(&what),
            read = esc(&read),
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn read_it(out: &mut String) {
    out.push_str(
        "<h2 id=\"read\">Read it</h2>\
         <p>Parquet keeps the types (lists, timestamps in UTC); in CSV, list cells are joined \
         with <code>;</code> and an empty cell means unknown.</p>\
         <pre><code># DuckDB\nduckdb -c \"SELECT name, categories FROM 'tools.parquet' LIMIT 10\"\n\
         # pandas\nimport pandas as pd; tools = pd.read_parquet(\"tools.parquet\")\n\
         # polars\nimport polars as pl; tools = pl.read_parquet(\"tools.parquet\")\n\
         # R\ntools &lt;- arrow::read_parquet(\"tools.parquet\")</code></pre>\n",
    );
}

fn charts_section(out: &mut String, tools: &[&Tool]) {
    let s = stats::stats(tools);
    let _ = write!(
        out,
        "<h2 id=\"charts\">The catalogue in charts</h2>\
         <p>{} tools. A tool with several categories, countries or sources counts once in \
         each; tools that state none are counted as <i>none stated</i>. Each chart's numbers \
         are in the table under it.</p><div class=\"charts\">",
        int(s.tools)
    );
    let lists = "A tool counts once for each value it lists.";
    bar_chart(
        out,
        &Chart {
            key: "category",
            title: "Tools per category",
            description: lists,
            label_header: "category",
            rows: &s.categories,
        },
    );
    bar_chart(
        out,
        &Chart {
            key: "country",
            title: "Tools per country (top 20)",
            description: "ISO 3166-1 countries; the countries after the 20 largest are summed in one row.",
            label_header: "country",
            rows: &s.countries,
        },
    );
    out.push_str("<div>");
    bar_chart(
        out,
        &Chart {
            key: "licence",
            title: "Tools per licence family",
            description: "From each tool's SPDX licence: with OR the most permissive choice, with AND the most restrictive.",
            label_header: "licence family",
            rows: &s.families,
        },
    );
    licence_table(out, &s.licences);
    out.push_str("</div>");
    bar_chart(
        out,
        &Chart {
            key: "source",
            title: "Tools per source",
            description: "A tool merged from several sources counts once for each.",
            label_header: "source",
            rows: &s.sources,
        },
    );
    let title = format!("Tools first seen per {}", s.period);
    column_chart(
        out,
        &Chart {
            key: "first-seen",
            title: &title,
            description: "When civicrawl first saw each tool (first_seen_at, UTC).",
            label_header: s.period,
            rows: &s.first_seen,
        },
    );
    out.push_str("</div>\n");
}

/// Which licences make each family.
fn licence_table(out: &mut String, licences: &[(String, stats::Family, u64)]) {
    out.push_str(
        "<details id=\"licence-families\"><summary>Each licence and its family</summary>\
         <table class=\"numbers\"><thead><tr><th scope=\"col\">licence</th>\
         <th scope=\"col\">family</th><th scope=\"col\" class=\"num\">tools</th></tr></thead><tbody>",
    );
    for (licence, family, n) in licences {
        let _ = write!(
            out,
            "<tr data-licence=\"{l}\" data-family=\"{f}\" data-value=\"{n}\"><th scope=\"row\">{l}</th><td>{f}</td>\
             <td class=\"num\">{shown}</td></tr>",
            l = esc(licence),
            f = family.label(),
            shown = int(*n),
        );
    }
    out.push_str("</tbody></table></details>");
}

fn cite(out: &mut String, id: &str, date: &str) {
    let _ = writeln!(
        out,
        "<h2 id=\"cite\">Cite and reuse</h2>\
         <p>The catalogue is published under the <a href=\"{DATA_LICENSE_URL}\">Open Data Commons \
         Open Database License 1.0</a>: share and adapt it, credit it, and share a database \
         made from it alike. Each source's own licence is in <code>sources.csv</code>.</p>\
         <pre>civicrawl contributors ({year}). civicrawl catalogue of civic-tech and \
         open-government tools, release {id} ({day}). {DATA_LICENSE}.</pre>",
        year = esc(date.get(..4).unwrap_or(date)),
        id = esc(id),
        day = esc(date.get(..10).unwrap_or(date)),
    );
}
