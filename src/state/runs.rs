//! The run journal: when each run started and ended, what it published, and each source's
//! part in it; runs a killed process left open are found and closed.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Named, SourceRun, StateError, Store};
use crate::model::SourceStatus;

impl Store {
    /// Journal: a run started.
    pub fn begin_run(&self, run_id: &str, started_at: DateTime<Utc>) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT INTO runs (run_id, started_at, status) VALUES (?1, ?2, 'running')",
                params![run_id, started_at],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Journal: a run ended (`published`, `failed`…), with its release id if any.
    pub fn finish_run(
        &self,
        run_id: &str,
        status: &str,
        release_id: Option<&str>,
    ) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE runs SET status = ?2, release_id = ?3, finished_at = ?4 WHERE run_id = ?1",
                params![run_id, status, release_id, crate::clock::now()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The release id of the newest run that published one.
    pub fn last_release_id(&self) -> Result<Option<String>, StateError> {
        self.conn
            .query_row(
                "SELECT release_id FROM runs WHERE status = 'published' AND release_id IS NOT NULL
                 ORDER BY started_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Runs that started and never finished (killed), oldest first.
    pub fn interrupted_runs(&self) -> Result<Vec<String>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT run_id FROM runs WHERE status = 'running' ORDER BY started_at")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Marks runs left `running` by a killed process as `interrupted`.
    pub fn close_interrupted_runs(&self) -> Result<usize, StateError> {
        self.conn
            .execute(
                "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
                [],
            )
            .map_err(|e| self.err(e))
    }

    /// The source runs of one run.
    pub fn source_runs(&self, run_id: &str) -> Result<Vec<SourceRun>, StateError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, source_id, status, records, requests, not_modified, error, duration_ms
                 FROM source_runs WHERE run_id = ?1 ORDER BY source_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run_id], |r| {
                Ok(SourceRun {
                    run_id: r.get(0)?,
                    source_id: r.get(1)?,
                    status: r.get::<_, Named<SourceStatus>>(2)?.0,
                    records: r.get(3)?,
                    requests: r.get(4)?,
                    not_modified: r.get(5)?,
                    error: r.get(6)?,
                    duration_ms: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}
