//! Each source's health over the run journal: its latest outcome, its last success and since
//! when it has gone without one (`civicrawl status`).

use chrono::{DateTime, Utc};

use super::{Named, StateError, Store};
use crate::model::SourceStatus;

/// One declared source's health.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceHealth {
    pub source_id: String,
    /// Its latest run's outcome (`NeverRun` when it has none).
    pub status: SourceStatus,
    /// When the latest run in which it succeeded ended.
    pub last_success_at: Option<DateTime<Utc>>,
    /// When the first run after its last success (or its first run, when it never succeeded)
    /// started, if it has not succeeded since.
    pub failing_since: Option<DateTime<Utc>>,
    /// Records it holds in the store now.
    pub records: i64,
    /// Requests and 304 answers of its latest run.
    pub requests: i64,
    pub not_modified: i64,
}

impl Store {
    /// The health of every active source, by source id.
    pub fn source_health(&self) -> Result<Vec<SourceHealth>, StateError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.source_id, r.status, runs.started_at, runs.finished_at, r.requests,
                        r.not_modified
                 FROM sources s
                 LEFT JOIN source_runs r ON r.source_id = s.source_id
                 LEFT JOIN runs ON runs.run_id = r.run_id
                 WHERE s.active = 1
                 ORDER BY s.source_id, runs.started_at",
            )
            .map_err(|e| self.err(e))?;
        type Row = (
            String,
            Option<Named<SourceStatus>>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let mut out: Vec<SourceHealth> = Vec::new();
        for runs in rows.chunk_by(|a, b| a.0 == b.0) {
            let mut h = SourceHealth {
                source_id: runs[0].0.clone(),
                status: SourceStatus::NeverRun,
                last_success_at: None,
                failing_since: None,
                records: self.record_count(&runs[0].0)?,
                requests: 0,
                not_modified: 0,
            };
            // Oldest run first.
            for (_, status, started, finished, requests, not_modified) in runs {
                let Some(Named(status)) = status else {
                    continue;
                };
                h.status = *status;
                h.requests = requests.unwrap_or(0);
                h.not_modified = not_modified.unwrap_or(0);
                if *status == SourceStatus::Ok {
                    h.last_success_at = finished.or(*started);
                    h.failing_since = None;
                } else if h.failing_since.is_none() {
                    h.failing_since = *started;
                }
            }
            out.push(h);
        }
        Ok(out)
    }
}
