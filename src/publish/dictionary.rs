//! The release's `README.md`: what the files are, how to verify and load them, and a data
//! dictionary of every column (type, meaning, an example from the data, the sources that fill
//! it). Computed from the rows only, so it is byte-identical for the same data.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::cell::{self, Cell};
use super::csv::text;
use super::datapackage::DATA_LICENSE;
use super::schema::{self, Column, ColumnType, SCHEMA_VERSION};
use crate::model::{Organisation, SourceRecordRow, SourceRow, Tool, ToolOrganisation, UseCase};

/// The file name of the data dictionary.
pub const README_MD: &str = "README.md";

const EXAMPLE_CHARS: usize = 60;

/// Tools columns computed by civicrawl rather than taken from a source.
const COMPUTED: &[(&str, &str)] = &[
    ("id", "civicrawl (id registry)"),
    ("open_source", "civicrawl (from `license`)"),
    ("first_seen_at", "civicrawl (crawl times)"),
    ("last_seen_at", "civicrawl (crawl times)"),
    ("sources", "civicrawl (merge)"),
    ("stale", "civicrawl (run status)"),
    ("tool_id", "civicrawl (merge)"),
    ("source_id", "civicrawl"),
    ("record_id", "civicrawl (from the source)"),
    ("source_url", "civicrawl (crawl)"),
    ("fetched_at", "civicrawl (crawl)"),
    ("provenance", "civicrawl (merge)"),
];

/// The rows of one release, sorted as written.
pub(crate) struct Tables<'a> {
    pub tools: &'a [&'a Tool],
    pub records: &'a [&'a SourceRecordRow],
    pub sources: &'a [&'a SourceRow],
    pub organisations: &'a [&'a Organisation],
    pub tool_organisations: &'a [&'a ToolOrganisation],
    pub use_cases: &'a [&'a UseCase],
}

/// The `README.md` text of a release.
pub(crate) fn readme(release_id: &str, t: &Tables<'_>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "# civicrawl release {release_id}\n\n\
         An open catalogue of civic-tech and open-government tools, crawled from the sources \
         listed in `sources.csv`, normalised and deduplicated by civicrawl.\n\n\
         * Schema version: {SCHEMA_VERSION} (also in `datapackage.json` and the Parquet \
         metadata).\n\
         * Licence of this catalogue: {DATA_LICENSE} (Open Data Commons Open Database \
         License); each source's own licence is in `sources.csv` and under `sources` in \
         `datapackage.json`.\n\n\
         ## Files\n\n\
         | table | rows | files |\n|---|---|---|\n\
         | tools | {} | `tools.csv` `tools.json` `tools.jsonl` `tools.parquet` `tools.spreadsheet.csv` |\n\
         | source_records | {} | `source_records.csv` `source_records.json` `source_records.jsonl` `source_records.parquet` |\n\
         | sources | {} | `sources.csv` `sources.json` `sources.jsonl` `sources.parquet` |\n\
         | organisations | {} | `organisations.csv` `organisations.json` `organisations.jsonl` `organisations.parquet` |\n\
         | tool_organisations | {} | `tool_organisations.csv` `tool_organisations.json` `tool_organisations.jsonl` `tool_organisations.parquet` |\n\
         | use_cases | {} | `use_cases.csv` `use_cases.json` `use_cases.jsonl` `use_cases.parquet` |\n\n\
         Every format holds the same rows in the same order (sorted by id). CSV is RFC 4180 \
         with CRLF, UTF-8 without BOM; list cells are joined with `;`; empty means unknown. \
         `tools.spreadsheet.csv` is a copy for spreadsheets: text cells starting with `=`, `+`, \
         `-`, `@`, tab or CR carry a leading `'`. JSON is an array of objects, JSONL one object \
         per line (lists as arrays, `null` for unknown). Parquet: zstd, `list<utf8>` lists, \
         timestamps in microseconds UTC.\n\n\
         `changes.json` lists the tools added, removed and changed since the previous release; \
         `report.json` describes the run; `datapackage.json` is a Frictionless Data Package v2; \
         `index.html` is a page describing the release, with charts and a table of the tools.\n\n\
         ## Verify and load\n\n\
         ```sh\n\
         sha256sum -c SHA256SUMS\n\
         frictionless validate datapackage.json\n\
         duckdb -c \"SELECT count(*) FROM 'tools.parquet'\"\n\
         python -c \"import pandas; print(pandas.read_parquet('tools.parquet').shape)\"\n\
         python -c \"import polars; print(polars.read_parquet('tools.parquet').shape)\"\n\
         ```\n",
        t.tools.len(),
        t.records.len(),
        t.sources.len(),
        t.organisations.len(),
        t.tool_organisations.len(),
        t.use_cases.len(),
    );
    let fill = fillers(t.records);
    section(&mut out, "tools", schema::TOOLS, t.tools, |name| {
        tools_filler(name, &fill)
    });
    section(
        &mut out,
        "source_records",
        schema::SOURCE_RECORDS,
        t.records,
        |name| record_filler(name, &fill),
    );
    section(&mut out, "sources", schema::SOURCES, t.sources, |_| {
        "the source declarations and this run".to_string()
    });
    let resolved =
        |_: &str| "civicrawl (organisation resolution, from `[[organisations]]`)".to_string();
    section(
        &mut out,
        "organisations",
        schema::ORGANISATIONS,
        t.organisations,
        resolved,
    );
    section(
        &mut out,
        "tool_organisations",
        schema::TOOL_ORGANISATIONS,
        t.tool_organisations,
        resolved,
    );
    section(
        &mut out,
        "use_cases",
        schema::USE_CASES,
        t.use_cases,
        |_| "civicrawl (from `[[use_cases]]`)".to_string(),
    );
    out
}

fn section<R>(
    out: &mut String,
    table: &str,
    columns: &[Column<R>],
    rows: &[&R],
    filled_by: impl Fn(&str) -> String,
) {
    let _ = write!(
        out,
        "\n## {table}\n\n| column | type | meaning | example | filled by |\n|---|---|---|---|---|\n"
    );
    for c in columns {
        let example = rows
            .iter()
            .map(|r| cell::cell(c, *r))
            .find(|cell| !is_empty(cell))
            .map(|cell| code(&text(&cell)))
            .unwrap_or_default();
        let mut meaning = escape(c.description);
        if !c.values.is_empty() {
            let values: Vec<String> = c.values.iter().map(|v| format!("`{v}`")).collect();
            let _ = write!(meaning, ". One of: {}", values.join(", "));
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            c.name,
            type_name(c.kind),
            meaning,
            example,
            filled_by(c.name)
        );
    }
}

fn type_name(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::String => "string",
        ColumnType::Boolean => "boolean",
        ColumnType::Integer => "integer",
        ColumnType::Datetime => "datetime (UTC)",
        ColumnType::List => "list of strings",
        ColumnType::Object => "object (JSON)",
    }
}

fn is_empty(cell: &Cell<'_>) -> bool {
    match cell {
        Cell::Str(v) => v.is_none_or(str::is_empty),
        Cell::Bool(v) => v.is_none(),
        Cell::Int(v) => v.is_none(),
        Cell::Time(v) => v.is_none(),
        Cell::List(items) => items.is_empty(),
        Cell::Object(fields, _) => fields.is_empty(),
    }
}

/// Markdown table cell text: `|` escaped, line breaks as spaces.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// An example value as inline code, cut to [`EXAMPLE_CHARS`] characters.
fn code(value: &str) -> String {
    let mut cut: String = value.chars().take(EXAMPLE_CHARS).collect();
    if cut.len() < value.len() {
        cut.push('…');
    }
    let cut = escape(&cut);
    if cut.contains('`') {
        format!("`` {cut} ``")
    } else {
        format!("`{cut}`")
    }
}

/// Which sources fill each column: `provenance` fields (the value the tool kept) and the
/// source_records columns a source gave a value in.
struct Fillers<'a> {
    provenance: BTreeMap<&'a str, BTreeSet<&'a str>>,
    records: BTreeMap<&'static str, BTreeSet<&'a str>>,
}

fn fillers<'a>(records: &[&'a SourceRecordRow]) -> Fillers<'a> {
    let mut f = Fillers {
        provenance: BTreeMap::new(),
        records: BTreeMap::new(),
    };
    for r in records {
        for field in r.provenance.fields() {
            f.provenance
                .entry(field)
                .or_default()
                .insert(r.record.source_id.as_str());
        }
        for c in schema::SOURCE_RECORDS {
            if !is_empty(&cell::cell(c, *r)) {
                let set = f.records.entry(c.name).or_default();
                if !set.contains(r.record.source_id.as_str()) {
                    set.insert(r.record.source_id.as_str());
                }
            }
        }
    }
    f
}

fn list(sources: Option<&BTreeSet<&str>>) -> String {
    match sources {
        Some(s) if !s.is_empty() => s
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", "),
        _ => "no source in this release".to_string(),
    }
}

fn computed(name: &str) -> Option<String> {
    COMPUTED
        .iter()
        .find(|(c, _)| *c == name)
        .map(|(_, by)| by.to_string())
}

fn tools_filler(name: &str, f: &Fillers<'_>) -> String {
    if let Some(by) = computed(name) {
        return by;
    }
    if name == "last_activity_at" {
        return list(f.records.get("updated_at"));
    }
    let is_list = schema::TOOLS
        .iter()
        .any(|c| c.name == name && c.kind == ColumnType::List);
    if is_list {
        list(f.records.get(name))
    } else {
        list(f.provenance.get(name))
    }
}

fn record_filler(name: &str, f: &Fillers<'_>) -> String {
    computed(name).unwrap_or_else(|| list(f.records.get(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_cut_escaped_and_quoted() {
        assert_eq!(code("a|b\nc"), "`a\\|b c`");
        assert_eq!(code("x`y"), "`` x`y ``");
        let long = "é".repeat(70);
        assert_eq!(code(&long), format!("`{}…`", "é".repeat(60)));
    }
}
