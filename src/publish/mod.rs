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

mod changes;
mod checksums;
mod csv;
mod datapackage;
mod dictionary;
pub mod diff;
mod json;
mod jsonl;
mod parquet;
mod prune;
pub mod schema;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::model::{Release, SourceRecordRow, SourceRow, Tool};
use checksums::{FileDigest, Hashing};
use datapackage::Entry;
use schema::Column;

pub use changes::{DiffError, ReleaseTools, diff_releases, read_tools};
pub use checksums::SHA256SUMS;
pub use datapackage::{DATA_LICENSE, DATAPACKAGE_JSON};
pub use dictionary::README_MD;
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
/// of `tools.csv`, the data dictionary, and the [`RUN_FILES`].
pub const RELEASE_FILES: [&str; 18] = [
    README_MD,
    SHA256SUMS,
    CHANGES_JSON,
    DATAPACKAGE_JSON,
    REPORT_JSON,
    "source_records.csv",
    "source_records.json",
    "source_records.jsonl",
    "source_records.parquet",
    "sources.csv",
    "sources.json",
    "sources.jsonl",
    "sources.parquet",
    "tools.csv",
    "tools.json",
    "tools.jsonl",
    "tools.parquet",
    TOOLS_SPREADSHEET_CSV,
];

/// The files of a release whose bytes depend on more than its rows and id: the run
/// (`report.json`), the publishing time (`datapackage.json` `created`), the previous release
/// (`changes.json`), and `SHA256SUMS` over them all.
pub const RUN_FILES: [&str; 4] = [SHA256SUMS, CHANGES_JSON, DATAPACKAGE_JSON, REPORT_JSON];

/// The files of a release whose bytes depend only on its rows and its id: two releases of the
/// same data are identical in these.
pub fn data_files() -> impl Iterator<Item = &'static str> {
    RELEASE_FILES.into_iter().filter(|f| !RUN_FILES.contains(f))
}

const TMP_PREFIX: &str = ".tmp-";
const LATEST_TMP_PREFIX: &str = "latest.tmp-";

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

/// Writes `release` under `out_dir/releases/<id>` (temporary directory, fsync, rename) and
/// points `out_dir/latest` at it. Returns the release directory.
///
/// Fails without changing anything when `releases/<id>` exists already. Leftover temporary
/// directories of killed runs are removed first; runs never overlap (the run lock), so every
/// leftover is dead.
pub fn publish(release: &Release, out_dir: &Path) -> Result<PathBuf, PublishError> {
    let releases = out_dir.join(RELEASES_DIR);
    check_id(&release.id, &releases)?;
    fs::create_dir_all(&releases).map_err(io_error("create", &releases))?;
    remove_leftovers(out_dir, &releases)?;
    crate::failpoint::hit("publish-start");
    let dir = releases.join(&release.id);
    ensure_absent(&release.id, &dir)?;

    let tmp = releases.join(format!("{TMP_PREFIX}{}-{}", release.id, std::process::id()));
    let previous = latest_release(out_dir);
    let staged = write_release(release, &tmp, previous.as_deref())
        .and_then(|()| ensure_absent(&release.id, &dir))
        .inspect(|()| crate::failpoint::hit("publish-before-rename"))
        .and_then(|()| rename(&tmp, &dir));
    if let Err(e) = staged {
        if let Err(cleanup) = fs::remove_dir_all(&tmp)
            && cleanup.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(
                path = %tmp.display(),
                error = %cleanup,
                "cannot remove a temporary release directory"
            );
        }
        return Err(e);
    }
    sync_dir(&releases)?;
    crate::failpoint::hit("publish-after-rename");
    switch_latest(out_dir, &release.id)?;
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

/// The release directory `out_dir/latest` points at, if the link exists and resolves to a
/// directory.
pub fn latest_release(out_dir: &Path) -> Option<PathBuf> {
    let target = fs::read_link(out_dir.join(LATEST)).ok()?;
    let dir = out_dir.join(target);
    dir.is_dir().then_some(dir)
}

/// A release id is one plain path component: `[A-Za-z0-9._-]+`, not starting with `.`.
fn check_id(id: &str, releases: &Path) -> Result<(), PublishError> {
    let ok = !id.is_empty()
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(PublishError::InvalidId {
            id: id.to_string(),
            releases: releases.to_path_buf(),
        })
    }
}

fn ensure_absent(id: &str, dir: &Path) -> Result<(), PublishError> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("inspect", dir)(e)),
        Ok(_) => Err(PublishError::AlreadyExists {
            id: id.to_string(),
            path: dir.to_path_buf(),
        }),
    }
}

/// Removes `releases/.tmp-*` and `latest.tmp-*` left by runs that were killed.
fn remove_leftovers(out_dir: &Path, releases: &Path) -> Result<(), PublishError> {
    for (dir, prefix) in [(releases, TMP_PREFIX), (out_dir, LATEST_TMP_PREFIX)] {
        let entries = fs::read_dir(dir).map_err(io_error("list", dir))?;
        for entry in entries {
            let entry = entry.map_err(io_error("list", dir))?;
            if !entry.file_name().to_string_lossy().starts_with(prefix) {
                continue;
            }
            let path = entry.path();
            let is_dir = entry
                .file_type()
                .map_err(io_error("inspect", &path))?
                .is_dir();
            let removed = if is_dir {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(io_error("remove leftover", &path))?;
            tracing::warn!(path = %path.display(), "removed a leftover of an interrupted publish");
        }
    }
    Ok(())
}

/// Writes every file of the release into the new directory `dir`, then fsyncs it: the tables
/// in every format, `report.json`, `changes.json`, `README.md`, `datapackage.json` and, last,
/// `SHA256SUMS` over all of them.
fn write_release(
    release: &Release,
    dir: &Path,
    previous: Option<&Path>,
) -> Result<(), PublishError> {
    fs::create_dir(dir).map_err(io_error("create", dir))?;
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
    let (tools_ref, records_ref, sources_ref) = (&tools, &records, &sources);
    let aliases = &release.aliases;
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
        };
        let readme = dictionary::readme(id, &tables);
        let path = dir.join(README_MD);
        let digest = write_file(&path, |out| {
            io::Write::write_all(out, readme.as_bytes()).map_err(io_error("write", &path))
        })?;
        Ok(vec![(README_MD.to_string(), digest)])
    });
    let changes: Job<'_> = Box::new(move || {
        let changes = changes::changes(previous, tools_ref, aliases);
        let value = serde_json::to_value(&changes).unwrap_or_default();
        let digest = write_pretty_json(&dir.join(CHANGES_JSON), &value)?;
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

    let digest = write_pretty_json(&dir.join(REPORT_JSON), &release.report)?;
    files.digests.insert(REPORT_JSON.into(), digest);

    let package = datapackage::package(release, &files.entries);
    let digest = write_pretty_json(&dir.join(DATAPACKAGE_JSON), &package)?;
    files.digests.insert(DATAPACKAGE_JSON.into(), digest);

    crate::failpoint::hit("publish-before-sums");
    let sums = checksums::render(&files.digests);
    let path = dir.join(SHA256SUMS);
    write_file(&path, |out| {
        io::Write::write_all(out, sums.as_bytes()).map_err(io_error("write", &path))
    })?;
    sync_dir(dir)
}

/// What has been written so far: digests by file name, package entries in order.
#[derive(Default)]
struct Files {
    digests: BTreeMap<String, FileDigest>,
    entries: Vec<Entry>,
}

/// A release table's package metadata.
struct Table<'a> {
    name: &'static str,
    description: &'static str,
    primary_key: &'a [&'a str],
    /// (field, resource, field) references.
    foreign_keys: &'a [(&'a str, &'a str, &'a str)],
}

fn write_pretty_json(path: &Path, value: &serde_json::Value) -> Result<FileDigest, PublishError> {
    write_file(path, |out| {
        serde_json::to_writer_pretty(&mut *out, value)
            .and_then(|()| io::Write::write_all(out, b"\n").map_err(serde_json::Error::io))
            .map_err(|source| PublishError::Json {
                path: path.to_path_buf(),
                source,
            })
    })
}

/// A table file format; the file name is `<table>.<extension>`.
#[derive(Clone, Copy, Debug)]
enum Format {
    Csv,
    Json,
    Jsonl,
    Parquet,
}

impl Format {
    const ALL: &[Format] = &[Format::Csv, Format::Json, Format::Jsonl, Format::Parquet];

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }
}

/// One independent piece of a release: writes its files and returns their names and digests.
type Job<'a> = Box<dyn FnOnce() -> Result<Vec<(String, FileDigest)>, PublishError> + Send + 'a>;

/// Runs `jobs` on up to one thread per core, taking them in order. Returns every file's digest,
/// or the error of the first failed job (in job order); after a failure no new job starts.
fn run_jobs(jobs: Vec<Job<'_>>) -> Result<BTreeMap<String, FileDigest>, PublishError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, jobs.len().max(1));
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let failed = AtomicBool::new(false);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some((i, job)) = next else { break };
                    let result = job();
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    let mut digests = BTreeMap::new();
    for (_, result) in results {
        digests.extend(result?);
    }
    Ok(digests)
}

/// The jobs writing one table's files: JSON and JSONL together (each row encoded once for
/// both), CSV, Parquet.
fn table_jobs<'a, R: Sync>(
    dir: &'a Path,
    table: &Table<'a>,
    columns: &'a [Column<R>],
    rows: &'a [&'a R],
    release_id: &'a str,
) -> [Job<'a>; 3] {
    let name = table.name;
    let file = move |format: Format| format!("{name}.{}", format.extension());
    let json_pair: Job<'a> = Box::new(move || {
        let (json, jsonl) = (file(Format::Json), file(Format::Jsonl));
        let (json_path, jsonl_path) = (dir.join(&json), dir.join(&jsonl));
        let json_error = |path: &Path| {
            let path = path.to_path_buf();
            move |e: io::Error| PublishError::Json {
                path,
                source: serde_json::Error::io(e),
            }
        };
        let mut json_out = create_file(&json_path)?;
        let mut jsonl_out = create_file(&jsonl_path)?;
        json::write_json_and_jsonl(&mut json_out, &mut jsonl_out, columns, rows).map_err(
            // One pass writes both files; a failure names the JSON one.
            json_error(&json_path),
        )?;
        let json_digest = finish_file(json_out, &json_path)?;
        let jsonl_digest = finish_file(jsonl_out, &jsonl_path)?;
        Ok(vec![(json, json_digest), (jsonl, jsonl_digest)])
    });
    let csv: Job<'a> = Box::new(move || {
        let file = file(Format::Csv);
        let path = dir.join(&file);
        let digest = write_file(&path, |out| {
            csv::write_csv(out, columns, rows, csv::Flavour::Faithful).map_err(|source| {
                PublishError::Csv {
                    path: path.clone(),
                    source,
                }
            })
        })?;
        Ok(vec![(file, digest)])
    });
    let parquet: Job<'a> = Box::new(move || {
        let file = file(Format::Parquet);
        let path = dir.join(&file);
        let digest = write_file(&path, |out| {
            parquet::write_parquet(out, columns, rows, release_id).map_err(|source| {
                PublishError::Parquet {
                    path: path.clone(),
                    source,
                }
            })
        })?;
        Ok(vec![(file, digest)])
    });
    [json_pair, csv, parquet]
}

/// Records the package entries of one table's files (written already), formats in order.
fn table_entries<R>(table: &Table<'_>, columns: &[Column<R>], files: &mut Files) {
    for &format in Format::ALL {
        let file = format!("{}.{}", table.name, format.extension());
        let (name, schema) = match format {
            Format::Csv => (
                table.name.to_string(),
                Some(datapackage::table_schema(
                    columns,
                    table.primary_key,
                    table.foreign_keys,
                )),
            ),
            other => (format!("{}-{}", table.name, other.extension()), None),
        };
        let digest = files.digests[&file].clone();
        files.entries.push(Entry {
            name,
            path: file,
            format: format.extension(),
            description: format!("{}: {}", table.name, table.description),
            schema,
            digest,
        });
    }
}

/// Creates `path` (which must not exist), lets `write` fill it, then flushes and fsyncs it.
/// Returns the file's size and SHA-256, hashed on the way out.
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<Hashing<File>>) -> Result<(), PublishError>,
) -> Result<FileDigest, PublishError> {
    let mut out = create_file(path)?;
    write(&mut out)?;
    finish_file(out, path)
}

/// Creates `path`, which must not exist, behind a hashing buffer.
fn create_file(path: &Path) -> Result<BufWriter<Hashing<File>>, PublishError> {
    let file = File::create_new(path).map_err(io_error("create", path))?;
    Ok(BufWriter::with_capacity(1 << 20, Hashing::new(file)))
}

/// Flushes and fsyncs a file made by [`create_file`]; its size and SHA-256.
fn finish_file(out: BufWriter<Hashing<File>>, path: &Path) -> Result<FileDigest, PublishError> {
    let (file, digest) = out
        .into_inner()
        .map_err(|e| io_error("write", path)(e.into_error()))?
        .finish();
    file.sync_all().map_err(io_error("fsync", path))?;
    Ok(digest)
}

fn rename(from: &Path, to: &Path) -> Result<(), PublishError> {
    fs::rename(from, to).map_err(|source| PublishError::Rename {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        source,
    })
}

/// Makes a directory's entries (a new file, a rename) durable.
fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error("fsync", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Points `out_dir/latest` at `releases/<id>`: a new relative symlink renamed over the old.
fn switch_latest(out_dir: &Path, id: &str) -> Result<(), PublishError> {
    let link = out_dir.join(format!("{LATEST_TMP_PREFIX}{}", std::process::id()));
    let target = Path::new(RELEASES_DIR).join(id);
    symlink_dir(&target, &link).map_err(io_error("create symlink", &link))?;
    crate::failpoint::hit("publish-latest-link-staged");
    let latest = out_dir.join(LATEST);
    if let Err(e) = rename(&link, &latest) {
        let _ = fs::remove_file(&link);
        return Err(e);
    }
    sync_dir(out_dir)
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}
