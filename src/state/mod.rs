//! state: the embedded SQLite store at `output/state.sqlite` (SPEC section 6). The only module
//! that runs SQL.
//!
//! It holds HTTP validators per URL and credential, per-source run history, the latest records
//! of every source (as extracted, so a rebuild re-normalises them), the tool id registry and a
//! run journal. WAL mode; every write that belongs together is one transaction, so a process
//! killed at any moment leaves either the old or the new state, never a mix.

mod checks;
mod health;
pub mod lock;
mod migrations;
mod registry;
mod runs;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

pub use self::health::SourceHealth;
pub use crate::model::Validators;
use crate::model::{RawRecord, Role, SourceRow, SourceStatus};

/// A state-store failure, naming the database file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct StateError {
    pub path: String,
    pub message: String,
}

/// One source record as stored: what the kind extracted, and when it was seen.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRecord {
    pub source_id: String,
    pub raw: RawRecord,
    pub fetched_at: DateTime<Utc>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Kept from an earlier run because the source failed this time.
    pub stale: bool,
}

/// One source's outcome in one run.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRun {
    pub run_id: String,
    pub source_id: String,
    pub status: SourceStatus,
    pub records: i64,
    pub requests: i64,
    pub not_modified: i64,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// The open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating and migrating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StateError> {
        let err = |e: rusqlite::Error| StateError {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StateError {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
        }
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        migrations::migrate(&mut conn).map_err(err)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, e: impl std::fmt::Display) -> StateError {
        StateError {
            path: self.path.display().to_string(),
            message: e.to_string(),
        }
    }

    /// The schema version the store is at.
    pub fn schema_version(&self) -> Result<i64, StateError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Validators of `url` fetched with credential hash `cred` (`""` when anonymous).
    pub fn validators(&self, url: &str, cred: &str) -> Result<Option<Validators>, StateError> {
        self.conn
            .query_row(
                "SELECT etag, last_modified, body_sha256, final_url, fetched_at, content_type,
                   unchanged, asked_at
                 FROM validators WHERE url = ?1 AND cred = ?2",
                params![url, cred],
                |r| {
                    Ok(Validators {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                        body_sha256: r.get(2)?,
                        final_url: r.get(3)?,
                        fetched_at: r.get(4)?,
                        content_type: r.get(5)?,
                        unchanged: r.get(6)?,
                        asked_at: r.get(7)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Stores the validators of a fetched URL (the body is archived first).
    pub fn put_validators(&self, url: &str, cred: &str, v: &Validators) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT INTO validators (url, cred, etag, last_modified, body_sha256, final_url,
                   fetched_at, content_type, unchanged, asked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (url, cred) DO UPDATE SET etag = excluded.etag,
                   last_modified = excluded.last_modified, body_sha256 = excluded.body_sha256,
                   final_url = excluded.final_url, fetched_at = excluded.fetched_at,
                   content_type = excluded.content_type, unchanged = excluded.unchanged,
                   asked_at = excluded.asked_at",
                params![
                    url,
                    cred,
                    v.etag,
                    v.last_modified,
                    v.body_sha256,
                    v.final_url,
                    v.fetched_at,
                    v.content_type,
                    v.unchanged,
                    v.asked_at
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records an ask of `url` under the revisit policy that did not bring a new body: a 304
    /// (`unchanged` runs in a row, `asked_at` now), or a failure (`0`, `None`: asked again
    /// next run). The validators stay; nothing happens when the URL has none.
    pub fn put_revisit(
        &self,
        url: &str,
        cred: &str,
        unchanged: u32,
        asked_at: Option<DateTime<Utc>>,
    ) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE validators SET unchanged = ?3, asked_at = ?4 WHERE url = ?1 AND cred = ?2",
                params![url, cred, unchanged, asked_at],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Stores the validators of many fetched URLs, `(url, cred, validators)`, in one
    /// transaction (their bodies are archived and synced first).
    pub fn put_validators_many(
        &mut self,
        batch: &[(String, String, Validators)],
    ) -> Result<(), StateError> {
        let path = self.path.display().to_string();
        let err = |e: rusqlite::Error| StateError {
            path: path.clone(),
            message: e.to_string(),
        };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO validators (url, cred, etag, last_modified, body_sha256, final_url,
                       fetched_at, content_type, unchanged, asked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (url, cred) DO UPDATE SET etag = excluded.etag,
                       last_modified = excluded.last_modified, body_sha256 = excluded.body_sha256,
                       final_url = excluded.final_url, fetched_at = excluded.fetched_at,
                       content_type = excluded.content_type, unchanged = excluded.unchanged,
                       asked_at = excluded.asked_at",
                )
                .map_err(err)?;
            for (url, cred, v) in batch {
                stmt.execute(params![
                    url,
                    cred,
                    v.etag,
                    v.last_modified,
                    v.body_sha256,
                    v.final_url,
                    v.fetched_at,
                    v.content_type,
                    v.unchanged,
                    v.asked_at
                ])
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// The stored records of one source, by record id.
    pub fn source_records(&self, source_id: &str) -> Result<Vec<StoredRecord>, StateError> {
        self.query_records("WHERE source_id = ?1", params![source_id])
    }

    /// Every stored record, by source then record id.
    pub fn all_records(&self) -> Result<Vec<StoredRecord>, StateError> {
        self.query_records("", params![])
    }

    fn query_records(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<StoredRecord>, StateError> {
        let sql = format!(
            "SELECT source_id, raw, fetched_at, first_seen_at, last_seen_at, stale FROM records {filter}
             ORDER BY source_id, record_id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(args, |r| {
                let raw: String = r.get(1)?;
                Ok((
                    r.get::<_, String>(0)?,
                    raw,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (source_id, raw, fetched_at, first_seen_at, last_seen_at, stale) =
                row.map_err(|e| self.err(e))?;
            let raw: RawRecord = serde_json::from_str(&raw)
                .map_err(|e| self.err(format!("record of `{source_id}` unreadable: {e}")))?;
            out.push(StoredRecord {
                source_id,
                raw,
                fetched_at,
                first_seen_at,
                last_seen_at,
                stale,
            });
        }
        Ok(out)
    }

    /// How many records a source has stored.
    pub fn record_count(&self, source_id: &str) -> Result<i64, StateError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM records WHERE source_id = ?1",
                params![source_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Replaces a source's records with this run's, keeping each record's `first_seen_at`,
    /// and logs the source run, in one transaction.
    pub fn save_source(
        &mut self,
        run: &SourceRun,
        records: &[RawRecord],
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let err = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(err)?;
        let first_seen: HashMap<String, DateTime<Utc>> = {
            let mut stmt = tx
                .prepare("SELECT record_id, first_seen_at FROM records WHERE source_id = ?1")
                .map_err(err)?;
            let rows = stmt
                .query_map(params![run.source_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)?
        };
        tx.execute(
            "DELETE FROM records WHERE source_id = ?1",
            params![run.source_id],
        )
        .map_err(err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO records (source_id, record_id, raw, fetched_at, first_seen_at, last_seen_at, stale)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?4, 0)",
                )
                .map_err(err)?;
            for rec in records {
                let raw = serde_json::to_string(rec).expect("records serialise");
                let first = first_seen
                    .get(&rec.record_id)
                    .copied()
                    .unwrap_or(fetched_at);
                insert
                    .execute(params![
                        run.source_id,
                        rec.record_id,
                        raw,
                        fetched_at,
                        first
                    ])
                    .map_err(err)?;
            }
        }
        crate::failpoint::hit("state-save-before-commit");
        insert_source_run(&tx, run).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Marks a failed source's stored records stale (they keep `last_seen_at`) and logs the run.
    pub fn keep_stale(&mut self, run: &SourceRun) -> Result<(), StateError> {
        let err = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "UPDATE records SET stale = 1 WHERE source_id = ?1",
            params![run.source_id],
        )
        .map_err(err)?;
        insert_source_run(&tx, run).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Drops the records of sources no longer declared.
    pub fn forget_sources_except(&mut self, declared: &[String]) -> Result<usize, StateError> {
        let stored: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT source_id FROM records")
                .map_err(|e| self.err(e))?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        let mut n = 0;
        for s in stored.iter().filter(|s| !declared.contains(s)) {
            n += self
                .conn
                .execute("DELETE FROM records WHERE source_id = ?1", params![s])
                .map_err(|e| self.err(e))?;
        }
        Ok(n)
    }

    /// Records what the declarations say of the sources of this run: the given ones become
    /// the active sources (their records go into releases), every other one inactive.
    pub fn set_sources(&mut self, sources: &[SourceRow]) -> Result<(), StateError> {
        let err = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute("UPDATE sources SET active = 0", [])
            .map_err(err)?;
        for s in sources {
            let urls = serde_json::to_string(&s.urls).expect("strings serialise");
            tx.execute(
                "INSERT INTO sources (source_id, name, kind, role, priority, license, urls, active,
                   id_space, country)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9)
                 ON CONFLICT (source_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                   role = excluded.role, priority = excluded.priority, license = excluded.license,
                   urls = excluded.urls, active = 1, id_space = excluded.id_space,
                   country = excluded.country",
                params![
                    s.id,
                    s.name,
                    s.kind,
                    s.role.as_str(),
                    s.priority,
                    s.license,
                    urls,
                    s.id_space,
                    s.country
                ],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// The active sources, with the status, count and error of their latest run.
    pub fn sources(&self) -> Result<Vec<SourceRow>, StateError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.source_id, s.name, s.kind, s.role, s.priority, s.license, s.urls,
                   (SELECT r.status FROM source_runs r JOIN runs USING (run_id)
                      WHERE r.source_id = s.source_id ORDER BY runs.started_at DESC LIMIT 1),
                   (SELECT r.error FROM source_runs r JOIN runs USING (run_id)
                      WHERE r.source_id = s.source_id ORDER BY runs.started_at DESC LIMIT 1),
                   (SELECT COUNT(*) FROM records c WHERE c.source_id = s.source_id),
                   s.id_space, s.country
                 FROM sources s WHERE active = 1 ORDER BY s.source_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let urls: String = r.get(6)?;
                Ok(SourceRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    role: r.get::<_, Named<Role>>(3)?.0,
                    priority: r.get(4)?,
                    license: r.get(5)?,
                    urls: serde_json::from_str(&urls).unwrap_or_default(),
                    status: r
                        .get::<_, Option<Named<SourceStatus>>>(7)?
                        .map_or(SourceStatus::NeverRun, |n| n.0),
                    error: r.get(8)?,
                    records: r.get(9)?,
                    id_space: r.get(10)?,
                    country: r.get(11)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

/// Maps a SQLite error to a [`StateError`] naming the database file.
pub(crate) fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StateError + Copy + '_ {
    move |e| StateError {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// A value stored by its name (`Role`, `SourceStatus`): read back, a name this build does not
/// know is an error naming it, not a silent default.
struct Named<T>(T);

macro_rules! stored_by_name {
    ($t:ty) => {
        impl rusqlite::types::FromSql for Named<$t> {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                <$t>::parse(text).map(Named).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(
                        format!("unknown {} `{text}` in the state store", stringify!($t)).into(),
                    )
                })
            }
        }
    };
}

stored_by_name!(Role);
stored_by_name!(SourceStatus);

fn insert_source_run(tx: &rusqlite::Transaction<'_>, run: &SourceRun) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO source_runs (run_id, source_id, status, records, requests, not_modified, error, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (run_id, source_id) DO UPDATE SET status = excluded.status,
           records = excluded.records, requests = excluded.requests,
           not_modified = excluded.not_modified, error = excluded.error,
           duration_ms = excluded.duration_ms",
        params![
            run.run_id,
            run.source_id,
            run.status.as_str(),
            run.records,
            run.requests,
            run.not_modified,
            run.error,
            run.duration_ms
        ],
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests;
