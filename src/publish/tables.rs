//! A release table's files (CSV, JSON, JSONL, Parquet), as jobs for the pool, and their
//! entries in `datapackage.json`.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use super::atomic::{create_file, finish_file, write_file};
use super::checksums::FileDigest;
use super::datapackage::{self, Entry};
use super::jobs::Job;
use super::schema::Column;
use super::{PublishError, csv, json, parquet};

/// What has been written so far: digests by file name, package entries in order.
#[derive(Default)]
pub(super) struct Files {
    pub digests: BTreeMap<String, FileDigest>,
    pub entries: Vec<Entry>,
}

/// A release table's package metadata.
pub(super) struct Table<'a> {
    pub name: &'static str,
    pub description: &'static str,
    pub primary_key: &'a [&'a str],
    /// (field, resource, field) references.
    pub foreign_keys: &'a [(&'a str, &'a str, &'a str)],
}

pub(super) fn write_pretty_json(
    path: &Path,
    value: &serde_json::Value,
) -> Result<FileDigest, PublishError> {
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

/// The jobs writing one table's files: JSON and JSONL together (each row encoded once for
/// both), CSV, Parquet.
pub(super) fn table_jobs<'a, R: Sync>(
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
pub(super) fn table_entries<R>(table: &Table<'_>, columns: &[Column<R>], files: &mut Files) {
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
