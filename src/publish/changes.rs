//! `changes.json`: tool ids added, removed and changed against the previous release (the one
//! `latest` pointed at), and `civicrawl diff` between two release directories. Both read a
//! release's `tools.jsonl` here and compare with the pure [`super::diff`].

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::diff::{self, Changes, TableChanges};
use super::json::object;
use super::schema;
use crate::model::{Organisation, Tool, ToolOrganisation, UseCase};

/// How a row of a table is named: its primary key as text.
type RowKey = fn(&Value) -> Option<String>;

/// The tables besides `tools` whose rows `changes.json` and `civicrawl diff` compare, with
/// the key naming a row.
const OTHER_TABLES: [(&str, RowKey); 3] = [
    ("organisations", id_key),
    ("tool_organisations", role_key),
    ("use_cases", id_key),
];

fn id_key(row: &Value) -> Option<String> {
    row.get("id").and_then(Value::as_str).map(str::to_string)
}

fn role_key(row: &Value) -> Option<String> {
    let part = |k: &str| row.get(k).and_then(Value::as_str);
    Some(format!(
        "{}/{}/{}",
        part("tool_id")?,
        part("organisation_id")?,
        part("role")?
    ))
}

/// The rows of the other tables of the release being written, sorted as written.
pub(crate) struct OtherRows<'a> {
    pub organisations: &'a [&'a Organisation],
    pub tool_organisations: &'a [&'a ToolOrganisation],
    pub use_cases: &'a [&'a UseCase],
}

impl OtherRows<'_> {
    /// The key of each row of `table`, in row order: no row is turned into JSON here.
    fn keys(&self, table: &str) -> Vec<String> {
        match table {
            "organisations" => self.organisations.iter().map(|o| o.id.clone()).collect(),
            "tool_organisations" => self
                .tool_organisations
                .iter()
                .map(|r| format!("{}/{}/{}", r.tool_id, r.organisation_id, r.role.as_str()))
                .collect(),
            _ => self.use_cases.iter().map(|u| u.id.clone()).collect(),
        }
    }

    /// Row `i` of `table` as `<table>.jsonl` holds it.
    fn object(&self, table: &str, i: usize) -> Value {
        match table {
            "organisations" => object(schema::ORGANISATIONS, self.organisations[i]),
            "tool_organisations" => object(schema::TOOL_ORGANISATIONS, self.tool_organisations[i]),
            _ => object(schema::USE_CASES, self.use_cases[i]),
        }
    }
}

/// The column names of one of [`OTHER_TABLES`].
fn columns(table: &str) -> Vec<&'static str> {
    match table {
        "organisations" => schema::names(schema::ORGANISATIONS),
        "tool_organisations" => schema::names(schema::TOOL_ORGANISATIONS),
        _ => schema::names(schema::USE_CASES),
    }
}

/// The rows of `<table>.jsonl` in `dir` by key; none when the file is missing (a release
/// published before the table existed).
fn read_rows(dir: &Path, table: &str, key: RowKey) -> Result<BTreeMap<String, Value>, DiffError> {
    let path = dir.join(format!("{table}.jsonl"));
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_rows(&path, &text, key),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(source) => Err(DiffError::Read { path, source }),
    }
}

/// The changes of one other table between `old` and `new` rows.
fn table_changes(
    table: &str,
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
) -> TableChanges {
    diff::diff(
        old,
        new.keys().map(String::as_str),
        |k| new[k].clone(),
        &columns(table),
        &[],
    )
    .into()
}

/// Why two releases could not be compared; names the file.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("cannot read `{}`: {source} (help: give release directories, e.g. `output/releases/2026-11-26T030000Z`)", .path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("`{}` line {line}: {source}", .path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
}

/// The tools of the release in `dir`: id → JSON object, from `tools.jsonl`.
pub fn read_tools(dir: &Path) -> Result<ReleaseTools, DiffError> {
    let path = dir.join("tools.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|source| DiffError::Read {
        path: path.clone(),
        source,
    })?;
    parse_rows(&path, &text, id_key)
}

/// The rows of a JSONL table by the key `key` gives them (rows without one are skipped).
fn parse_rows(path: &Path, text: &str, key: RowKey) -> Result<BTreeMap<String, Value>, DiffError> {
    let mut rows = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        let value: Value = serde_json::from_str(line).map_err(|source| DiffError::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            source,
        })?;
        if let Some(k) = key(&value) {
            rows.insert(k, value);
        }
    }
    Ok(rows)
}

fn release_name(dir: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    dir.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// The changes from the release in `previous` (if any) to `tools` (sorted by id). An
/// unreadable previous release counts as none, with a warning: it must not stop a publish.
pub(crate) fn changes(
    previous: Option<&Path>,
    tools: &[&Tool],
    others: &OtherRows<'_>,
    aliases: &[(String, String)],
) -> Changes {
    let old = match previous.map(read_tools) {
        Some(Ok(old)) => old,
        Some(Err(e)) => {
            tracing::warn!("changes.json compares against no release: {e}");
            BTreeMap::new()
        }
        None => BTreeMap::new(),
    };
    let by_id: BTreeMap<&str, &Tool> = if old.is_empty() {
        BTreeMap::new()
    } else {
        tools.iter().map(|t| (t.id.as_str(), *t)).collect()
    };
    let mut changes = diff::diff(
        &old,
        tools.iter().map(|t| t.id.as_str()),
        |id| object(schema::TOOLS, by_id[id]),
        &schema::names(schema::TOOLS),
        aliases,
    );
    for (table, key) in OTHER_TABLES {
        let old = match previous.map(|dir| read_rows(dir, table, key)) {
            Some(Ok(rows)) => rows,
            Some(Err(e)) => {
                tracing::warn!("changes.json compares {table} against no release: {e}");
                BTreeMap::new()
            }
            None => BTreeMap::new(),
        };
        // Rows become JSON only when the previous release has their key (a first release,
        // or a million new rows, costs no JSON tree).
        let keys = others.keys(table);
        let index: HashMap<&str, usize> = if old.is_empty() {
            HashMap::new()
        } else {
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.as_str(), i))
                .collect()
        };
        let changed: TableChanges = diff::diff(
            &old,
            keys.iter().map(String::as_str),
            |k| others.object(table, index[k]),
            &columns(table),
            &[],
        )
        .into();
        changes.tables.insert(table.to_string(), changed);
    }
    changes.previous_release = previous.and_then(release_name);
    changes
}

/// A release's tools: id → JSON object (as in `tools.jsonl`).
pub type ReleaseTools = BTreeMap<String, Value>;

/// The changes from release directory `old` to `new` (`civicrawl diff`). Aliases come from
/// `new/changes.json`: those whose retired id was still in `old`.
pub fn diff_releases(
    old: &Path,
    new: &Path,
) -> Result<(Changes, ReleaseTools, ReleaseTools), DiffError> {
    let before = read_tools(old)?;
    let after = read_tools(new)?;
    let aliases: Vec<(String, String)> = std::fs::read(new.join("changes.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Changes>(&bytes).ok())
        .map(|c| c.aliases)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| before.contains_key(&a.id) && !after.contains_key(&a.id))
        .map(|a| (a.id, a.now))
        .collect();
    let mut changes = diff::diff(
        &before,
        after.keys().map(String::as_str),
        |id| after[id].clone(),
        &schema::names(schema::TOOLS),
        &aliases,
    );
    for (table, key) in OTHER_TABLES {
        let (old_rows, new_rows) = (read_rows(old, table, key)?, read_rows(new, table, key)?);
        if new_rows.is_empty() && !new.join(format!("{table}.jsonl")).exists() {
            continue;
        }
        changes.tables.insert(
            table.to_string(),
            table_changes(table, &old_rows, &new_rows),
        );
    }
    changes.previous_release = release_name(old);
    Ok((changes, before, after))
}
