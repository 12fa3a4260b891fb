//! `datapackage.json`: a Frictionless Data Package v2 describing the release (SPEC section 6).
//!
//! Every table file is a resource with `path`, `format`, `mediatype`, `encoding`, `bytes` and
//! `hash` (`sha256:<hex>`). The CSV files are the Tabular Data Resources: they carry the Table
//! Schema (built from [`super::schema`]), the CSV dialect, `primaryKey` and `foreignKeys`, and
//! are what `frictionless validate datapackage.json` checks row by row. JSON, JSONL and Parquet
//! hold the same rows; they are `"type": "file"` resources with size and hash, so every download
//! can be verified without frictionless guessing a second schema for them.
//!
//! Only `created` (the release time) depends on the clock: two publishes of one [`Release`]
//! give the same file, a rebuild of the same data differs in `created` only.

use serde_json::{Value, json};

use super::cell::format_time;
use super::checksums::FileDigest;
use super::schema::{Column, ColumnType, LIST_DELIMITER, SCHEMA_VERSION};
use crate::model::Release;

/// The file name of the package descriptor.
pub const DATAPACKAGE_JSON: &str = "datapackage.json";
/// The Data Package v2 profile.
pub const PROFILE: &str = "https://datapackage.org/profiles/2.0/datapackage.json";
/// The package name, the same for every release.
pub const PACKAGE_NAME: &str = "civicrawl-catalogue";

/// The catalogue's own data licence: the merged database is published under the Open Data
/// Commons Open Database License. Each source keeps its own licence (`sources` in the package,
/// `sources.csv`).
pub const DATA_LICENSE: &str = "ODbL-1.0";
const DATA_LICENSE_PATH: &str = "https://opendatacommons.org/licenses/odbl/1-0/";
const DATA_LICENSE_TITLE: &str = "Open Data Commons Open Database License v1.0";

/// One file of the package, as written.
pub(crate) struct Entry {
    /// Resource name: `tools`, `tools-json`, …
    pub name: String,
    /// File name in the release directory.
    pub path: String,
    /// `csv`, `json`, `jsonl`, `parquet` or `html` (the download page).
    pub format: &'static str,
    pub description: String,
    /// The Table Schema, for the tabular (CSV) resources.
    pub schema: Option<Value>,
    pub digest: FileDigest,
}

/// The media type of a format.
pub(crate) fn mediatype(format: &str) -> &'static str {
    match format {
        "csv" => "text/csv",
        "json" => "application/json",
        "jsonl" => "application/jsonl",
        "parquet" => "application/vnd.apache.parquet",
        "html" => "text/html",
        _ => "application/octet-stream",
    }
}

/// The Table Schema field of one column (types as written in the CSV).
fn field<R>(column: &Column<R>, key: bool) -> Value {
    let mut f = json!({ "name": column.name, "description": column.description });
    let extra = match column.kind {
        ColumnType::String => json!({ "type": "string" }),
        ColumnType::Boolean => {
            json!({ "type": "boolean", "trueValues": ["true"], "falseValues": ["false"] })
        }
        ColumnType::Integer => json!({ "type": "integer" }),
        ColumnType::Datetime => json!({ "type": "datetime", "format": "default" }),
        ColumnType::List => {
            json!({ "type": "list", "delimiter": LIST_DELIMITER, "itemType": "string" })
        }
        ColumnType::Object => json!({ "type": "object" }),
    };
    merge(&mut f, extra);
    // An empty list is an empty cell, which Table Schema reads as missing: lists are never
    // `required`; nor is text that may be empty. Keys and always-typed values are.
    let always = column.required && !matches!(column.kind, ColumnType::List | ColumnType::String);
    let mut constraints = serde_json::Map::new();
    if key || always {
        constraints.insert("required".into(), Value::Bool(true));
    }
    if !column.values.is_empty() {
        constraints.insert("enum".into(), json!(column.values));
    }
    if !constraints.is_empty() {
        merge(&mut f, json!({ "constraints": constraints }));
    }
    f
}

fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}

/// The Table Schema of a table: its fields in column order, the primary key and foreign keys
/// (`[(field, resource, field)]`).
pub(crate) fn table_schema<R>(
    columns: &[Column<R>],
    primary_key: &[&str],
    foreign_keys: &[(&str, &str, &str)],
) -> Value {
    let keys: Vec<&str> = primary_key
        .iter()
        .copied()
        .chain(foreign_keys.iter().map(|k| k.0))
        .collect();
    let fields: Vec<Value> = columns
        .iter()
        .map(|c| field(c, keys.contains(&c.name)))
        .collect();
    let mut schema = json!({
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": fields,
        "missingValues": [""],
        "primaryKey": primary_key,
    });
    if !foreign_keys.is_empty() {
        let fks: Vec<Value> = foreign_keys
            .iter()
            .map(|(field, resource, target)| {
                json!({ "fields": [field], "reference": { "resource": resource, "fields": [target] } })
            })
            .collect();
        merge(&mut schema, json!({ "foreignKeys": fks }));
    }
    schema
}

fn resource(entry: &Entry) -> Value {
    let mut r = json!({
        "name": entry.name,
        "path": entry.path,
        "description": entry.description,
        "format": entry.format,
        "mediatype": mediatype(entry.format),
        "encoding": "utf-8",
        "bytes": entry.digest.bytes,
        "hash": format!("sha256:{}", entry.digest.sha256),
    });
    if entry.format == "parquet"
        && let Some(r) = r.as_object_mut()
    {
        r.remove("encoding");
    }
    let Some(schema) = &entry.schema else {
        // Not validated row by row (frictionless would guess a schema): size and hash only.
        merge(&mut r, json!({ "type": "file" }));
        return r;
    };
    merge(
        &mut r,
        json!({
            "type": "table",
            "dialect": {
                "$schema": "https://datapackage.org/profiles/2.0/tabledialect.json",
                "header": true,
                "delimiter": ",",
                "lineTerminator": "\r\n",
                "quoteChar": "\"",
                "doubleQuote": true,
            },
            "schema": schema,
        }),
    );
    r
}

/// The package descriptor of `release` whose files are `entries`.
pub(crate) fn package(release: &Release, entries: &[Entry]) -> Value {
    let mut sources: Vec<_> = release.sources.iter().collect();
    sources.sort_by(|a, b| a.id.cmp(&b.id));
    let sources: Vec<Value> = sources
        .iter()
        .map(|s| {
            let mut v = json!({ "title": s.name, "name": s.id });
            if let Some(url) = s.urls.first() {
                merge(&mut v, json!({ "path": url }));
            }
            if let Some(license) = &s.license {
                merge(&mut v, json!({ "licenses": [{ "name": license }] }));
            }
            v
        })
        .collect();
    json!({
        "$schema": PROFILE,
        "name": PACKAGE_NAME,
        "title": "civicrawl catalogue of civic-tech and open-government tools",
        "description": "Tools for open government and civic participation, crawled from the declared \
            sources, normalised and deduplicated by civicrawl. See README.md for the data dictionary.",
        "version": SCHEMA_VERSION,
        "created": format_time(&release.created_at),
        "keywords": ["civic-tech", "open-government", "participation", "open-source", "catalogue"],
        "licenses": [{
            "name": DATA_LICENSE,
            "path": DATA_LICENSE_PATH,
            "title": DATA_LICENSE_TITLE,
        }],
        "sources": sources,
        "resources": entries.iter().map(resource).collect::<Vec<_>>(),
    })
}
