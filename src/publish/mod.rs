//! publish: writes one immutable release directory and switches `latest` (SPEC section 6).
//!
//! ```text
//! out/releases/.tmp-<id>-<pid>/   every file written and fsynced, then the directory
//!   ─ rename ─► out/releases/<id>/  (never over an existing release), fsync `releases/`
//! out/latest.tmp-<pid> -> releases/<id>   ─ rename ─► out/latest, fsync `out/`
//! ```
//!
//! A failure (or a kill) before the rename leaves the previous release and `latest` as they
//! were; the next publish removes the `.tmp-*` leftovers. The data files depend on the
//! [`Release`] only: the same release gives byte-identical files. Tables are written by one
//! writer per format, all driven by the column lists in [`schema`].
//!
//! This module writes files only: no network, no SQL, no wall-clock time.
//!
//! Files: this one (the release's layout: which files, in which order), `atomic.rs` (the
//! directory swap and the file primitives), `jobs.rs` (the writers' thread pool), `tables.rs`
//! (one table's files and package entries), `schema.rs` (the column catalogue), `cell.rs`
//! (a cell and its bytes), one writer per format (`csv.rs`, `json.rs`, `jsonl.rs`,
//! `parquet.rs`), `dictionary.rs` (README.md), `datapackage.rs`, `checksums.rs`,
//! `changes.rs` and `diff.rs` (what changed since a release), `prune.rs` (retention),
//! `page/` (the download page `index.html`, and `output/index.html` over every release).

mod cell;
mod changes;
mod checksums;
mod csv;
mod datapackage;
mod dictionary;
pub mod diff;
mod json;
mod jsonl;
mod page;
mod parquet;
mod prune;
pub mod schema;

mod atomic;
mod jobs;
mod tables;
#[cfg(test)]
mod tests;

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{
    Organisation, Release, SourceRecordRow, SourceRow, Tool, ToolOrganisation, UseCase,
};
use atomic::write_file;
use datapackage::Entry;
use jobs::{Job, run_jobs};
use tables::{Files, Table, table_entries, table_jobs, write_pretty_json};

pub use atomic::latest_release;
pub use changes::{DiffError, ReleaseTools, diff_releases, read_tools};
pub use checksums::SHA256SUMS;
pub use datapackage::{DATA_LICENSE, DATAPACKAGE_JSON};
pub use dictionary::README_MD;
pub use page::INDEX_HTML;
pub use prune::{next_release_id, prune};

/// The folder of `out_dir` that holds one directory per release.
pub const RELEASES_DIR: &str = "releases";
/// The symlink in `out_dir` that points at the newest release (`releases/<id>`).
pub const LATEST: &str = "latest";
/// The run report inside a release directory.
pub const REPORT_JSON: &str = "report.json";
/// The changes against the previous release.
pub const CHANGES_JSON: &str = "changes.json";
/// The spreadsheet-safe copy of `tools.csv` (SPEC section 7).
pub const TOOLS_SPREADSHEET_CSV: &str = "tools.spreadsheet.csv";

/// Every file of a release, in name order: each table in each format, the spreadsheet copy
/// of `tools.csv`, the data dictionary, and the [`RUN_FILES`] (the download page among them).
pub const RELEASE_FILES: [&str; 31] = [
    README_MD,
    SHA256SUMS,
    CHANGES_JSON,
    DATAPACKAGE_JSON,
    INDEX_HTML,
    "organisations.csv",
    "organisations.json",
    "organisations.jsonl",
    "organisations.parquet",
    REPORT_JSON,
    "source_records.csv",
    "source_records.json",
    "source_records.jsonl",
    "source_records.parquet",
    "sources.csv",
    "sources.json",
    "sources.jsonl",
    "sources.parquet",
    "tool_organisations.csv",
    "tool_organisations.json",
    "tool_organisations.jsonl",
    "tool_organisations.parquet",
    "tools.csv",
    "tools.json",
    "tools.jsonl",
    "tools.parquet",
    TOOLS_SPREADSHEET_CSV,
    "use_cases.csv",
    "use_cases.json",
    "use_cases.jsonl",
    "use_cases.parquet",
];

/// The files of a release whose bytes depend on more than its rows and id: the run
/// (`report.json`), the publishing time (`datapackage.json` `created`), the previous release
/// (`changes.json`), the download page (`index.html`, which shows all three) and `SHA256SUMS`
/// over them all.
pub const RUN_FILES: [&str; 5] = [
    SHA256SUMS,
    CHANGES_JSON,
    DATAPACKAGE_JSON,
    INDEX_HTML,
    REPORT_JSON,
];

/// The files of a release whose bytes depend only on its rows and its id: two releases of the
/// same data are identical in these.
pub fn data_files() -> impl Iterator<Item = &'static str> {
    RELEASE_FILES.into_iter().filter(|f| !RUN_FILES.contains(f))
}

/// Why a release could not be written. Every variant names the path.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The release id cannot be used as a directory name.
    #[error(
        "release id `{id}` cannot name a directory in `{}`: use ASCII letters, digits, `-`, `_` \
         and `.`, not first (e.g. `2026-11-26T030000Z`)",
        .releases.display()
    )]
    InvalidId { id: String, releases: PathBuf },
    /// A release with this id was published before; releases are immutable.
    #[error(
        "release `{id}` already exists at `{}`; nothing was changed \
         (help: releases are immutable, publish under a new id)",
        .path.display()
    )]
    AlreadyExists { id: String, path: PathBuf },
    /// A file-system operation failed.
    #[error("cannot {action} `{}`: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// Renaming the finished directory or the new `latest` link failed.
    #[error("cannot rename `{}` to `{}`: {source}", .from.display(), .to.display())]
    Rename {
        from: PathBuf,
        to: PathBuf,
        source: io::Error,
    },
    /// Writing a CSV table failed.
    #[error("cannot write `{}`: {source}", .path.display())]
    Csv { path: PathBuf, source: ::csv::Error },
    /// Writing a JSON or JSONL table (or `report.json`) failed.
    #[error("cannot write `{}`: {source}", .path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// Writing a Parquet table failed.
    #[error("cannot write `{}`: {source}", .path.display())]
    Parquet {
        path: PathBuf,
        source: ::parquet::errors::ParquetError,
    },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> PublishError {
    let path = path.to_path_buf();
    move |source| PublishError::Io {
        action,
        path,
        source,
    }
}

/// Writes `release` under `out_dir/releases/<id>` (temporary directory, fsync, r/// Writes `release` under `out_dir/releases/<id>` (temporary directory, fsync, rename) and
/// points `out_dir/latest` at it. Returns the release directory.
///
/// Fails without changing anything when `releases/<id>` exists already. Leftover temporary
/// directories of killed runs are removed first; runs never overlap (the run lock), so every
/// leftover is dead.
pub fn publish(release: &Release, out_dir: &Path) -> Result<PathBuf, PublishError> {
    let previous = latest_release(out_dir);
    let dir = atomic::stage(out_dir, &release.id, |tmp| {
        write_release(release, tmp, previous.as_deref())
    })?;
    // The release is whole and `latest` points at it: a failure here leaves only the overview
    // page out of date (the next publish or prune rewrites it).
    if let Err(e) = page::overview::write_overview(out_dir) {
        tracing::warn!(error = %e, "cannot rewrite the overview of releases");
    }
    tracing::info!(
        release_id = %release.id,
        tools = release.tools.len(),
        source_records = release.source_records.len(),
        sources = release.sources.len(),
        dir = %dir.display(),
        "release published"
    );
    Ok(dir)
}

/// Writes every file of the release into the new, empty directory `dir`: the tables
/// in every format, `report.json`, `changes.json`, `README.md`, then `index.html` (which lists
/// them with sizes and hashes), `datapackage.json` (which lists it) and, last, `SHA256SUMS`
/// over all of them.
fn write_release(
    release: &Release,
    dir: &Path,
    previous: Option<&Path>,
) -> Result<(), PublishError> {
    let id = if release.snapshot_id.is_empty() {
        release.id.as_str()
    } else {
        release.snapshot_id.as_str()
    };
    let mut tools: Vec<&Tool> = release.tools.iter().collect();
    tools.sort_by(|a, b| a.id.cmp(&b.id));
    let mut records: Vec<&SourceRecordRow> = release.source_records.iter().collect();
    records.sort_by(|a, b| {
        (&a.record.source_id, &a.record.record_id).cmp(&(&b.record.source_id, &b.record.record_id))
    });
    let mut sources: Vec<&SourceRow> = release.sources.iter().collect();
    sources.sort_by(|a, b| a.id.cmp(&b.id));
    let mut organisations: Vec<&Organisation> = release.organisations.iter().collect();
    organisations.sort_by(|a, b| a.id.cmp(&b.id));
    let mut roles: Vec<&ToolOrganisation> = release.tool_organisations.iter().collect();
    roles.sort_by(|a, b| {
        (&a.tool_id, &a.organisation_id, a.role).cmp(&(&b.tool_id, &b.organisation_id, b.role))
    });
    let mut use_cases: Vec<&UseCase> = release.use_cases.iter().collect();
    use_cases.sort_by(|a, b| a.id.cmp(&b.id));
    let tools_table = Table {
        name: "tools",
        description: "one row per tool, merged from every source",
        primary_key: &["id"],
        foreign_keys: &[],
    };
    let records_table = Table {
        name: "source_records",
        description: "every normalised source record, the tool it went into and its provenance",
        primary_key: &["source_id", "record_id"],
        foreign_keys: &[("tool_id", "tools", "id")],
    };
    let sources_table = Table {
        name: "sources",
        description: "every declared source, its licence and how it did in this run",
        primary_key: &["id"],
        foreign_keys: &[],
    };
    let organisations_table = Table {
        name: "organisations",
        description: "the organisations the sources name, resolved: who builds, maintains, funds or uses the tools",
        primary_key: &["id"],
        foreign_keys: &[],
    };
    let roles_table = Table {
        name: "tool_organisations",
        description: "what each organisation does for each tool, as a source field states it",
        primary_key: &["tool_id", "organisation_id", "role"],
        foreign_keys: &[
            ("tool_id", "tools", "id"),
            ("organisation_id", "organisations", "id"),
        ],
    };
    let use_cases_table = Table {
        name: "use_cases",
        description: "deployments of the tools: who runs one, where",
        primary_key: &["id"],
        foreign_keys: &[
            ("tool_id", "tools", "id"),
            ("organisation_id", "organisations", "id"),
        ],
    };

    // Every table file, changes.json and README.md (which need the rows only) are independent
    // of each other: they are written on all cores, longest first (Parquet, then JSON + JSONL,
    // then CSV). Each file's bytes depend on the release only, never on which thread wrote it
    // or when.
    let [records_json, records_csv, records_parquet] =
        table_jobs(dir, &records_table, schema::SOURCE_RECORDS, &records, id);
    let [tools_json, tools_csv, tools_parquet] =
        table_jobs(dir, &tools_table, schema::TOOLS, &tools, id);
    let [sources_json, sources_csv, sources_parquet] =
        table_jobs(dir, &sources_table, schema::SOURCES, &sources, id);
    let [orgs_json, orgs_csv, orgs_parquet] = table_jobs(
        dir,
        &organisations_table,
        schema::ORGANISATIONS,
        &organisations,
        id,
    );
    let [roles_json, roles_csv, roles_parquet] =
        table_jobs(dir, &roles_table, schema::TOOL_ORGANISATIONS, &roles, id);
    let [cases_json, cases_csv, cases_parquet] =
        table_jobs(dir, &use_cases_table, schema::USE_CASES, &use_cases, id);
    let (tools_ref, records_ref, sources_ref) = (&tools, &records, &sources);
    let (orgs_ref, roles_ref, cases_ref) = (&organisations, &roles, &use_cases);
    let aliases = &release.aliases;
    let changes_done = std::sync::OnceLock::new();
    let changes_ref = &changes_done;
    let spreadsheet: Job<'_> = Box::new(move || {
        let path = dir.join(TOOLS_SPREADSHEET_CSV);
        let digest = write_file(&path, |out| {
            csv::write_csv(out, schema::TOOLS, tools_ref, csv::Flavour::Spreadsheet).map_err(
                |source| PublishError::Csv {
                    path: path.clone(),
                    source,
                },
            )
        })?;
        Ok(vec![(TOOLS_SPREADSHEET_CSV.to_string(), digest)])
    });
    let readme: Job<'_> = Box::new(move || {
        let tables = dictionary::Tables {
            tools: tools_ref,
            records: records_ref,
            sources: sources_ref,
            organisations: orgs_ref,
            tool_organisations: roles_ref,
            use_cases: cases_ref,
        };
        let readme = dictionary::readme(id, &tables);
        let path = dir.join(README_MD);
        let digest = write_file(&path, |out| {
            io::Write::write_all(out, readme.as_bytes()).map_err(io_error("write", &path))
        })?;
        Ok(vec![(README_MD.to_string(), digest)])
    });
    let changes: Job<'_> = Box::new(move || {
        let others = changes::OtherRows {
            organisations: orgs_ref,
            tool_organisations: roles_ref,
            use_cases: cases_ref,
        };
        let changes = changes::changes(previous, tools_ref, &others, aliases);
        let value = serde_json::to_value(&changes).unwrap_or_default();
        let digest = write_pretty_json(&dir.join(CHANGES_JSON), &value)?;
        let _ = changes_ref.set(changes);
        Ok(vec![(CHANGES_JSON.to_string(), digest)])
    });
    let jobs = vec![
        tools_parquet,
        tools_json,
        records_parquet,
        records_json,
        tools_csv,
        spreadsheet,
        records_csv,
        readme,
        changes,
        sources_parquet,
        sources_json,
        sources_csv,
        orgs_parquet,
        orgs_json,
        orgs_csv,
        roles_parquet,
        roles_json,
        roles_csv,
        cases_parquet,
        cases_json,
        cases_csv,
    ];
    let mut files = Files {
        digests: run_jobs(jobs)?,
        entries: Vec::new(),
    };
    crate::failpoint::hit("publish-after-tools");

    // Package entries in their fixed order, from the digests.
    table_entries(&tools_table, schema::TOOLS, &mut files);
    let digest = files.digests[TOOLS_SPREADSHEET_CSV].clone();
    files.entries.push(Entry {
        name: "tools-spreadsheet".into(),
        path: TOOLS_SPREADSHEET_CSV.into(),
        format: "csv",
        description: "tools.csv for spreadsheets: text cells starting with `=`, `+`, `-`, `@`, \
                      tab or CR are prefixed with `'`"
            .into(),
        schema: Some(datapackage::table_schema(schema::TOOLS, &["id"], &[])),
        digest,
    });
    table_entries(&records_table, schema::SOURCE_RECORDS, &mut files);
    table_entries(&sources_table, schema::SOURCES, &mut files);
    table_entries(&organisations_table, schema::ORGANISATIONS, &mut files);
    table_entries(&roles_table, schema::TOOL_ORGANISATIONS, &mut files);
    table_entries(&use_cases_table, schema::USE_CASES, &mut files);

    let digest = write_pretty_json(&dir.join(REPORT_JSON), &release.report)?;
    files.digests.insert(REPORT_JSON.into(), digest);

    let changes = changes_done.into_inner().unwrap_or_default();
    let page = page::release_page(&page::PageInput {
        release_id: &release.id,
        created_at: &release.created_at,
        tools: &tools,
        records: &records,
        sources: &sources,
        rows: [
            tools.len(),
            records.len(),
            sources.len(),
            organisations.len(),
            roles.len(),
            use_cases.len(),
        ],
        files: &files.digests,
        report: &release.report,
        changes: &changes,
    });
    let path = dir.join(INDEX_HTML);
    let digest = write_file(&path, |out| {
        io::Write::write_all(out, page.as_bytes()).map_err(io_error("write", &path))
    })?;
    files.digests.insert(INDEX_HTML.into(), digest.clone());
    files.entries.push(Entry {
        name: "index".into(),
        path: INDEX_HTML.into(),
        format: "html",
        description: "the release's download page: what it holds, every file with its size \
                      and SHA-256, charts, source freshness, changes and a table of the tools"
            .into(),
        schema: None,
        digest,
    });

    let package = datapackage::package(release, &files.entries);
    let digest = write_pretty_json(&dir.join(DATAPACKAGE_JSON), &package)?;
    files.digests.insert(DATAPACKAGE_JSON.into(), digest);

    crate::failpoint::hit("publish-before-sums");
    let sums = checksums::render(&files.digests);
    let path = dir.join(SHA256SUMS);
    write_file(&path, |out| {
        io::Write::write_all(out, sums.as_bytes()).map_err(io_error("write", &path))
    })?;
    Ok(())
}
