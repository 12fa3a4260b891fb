//! Home page checks of `site` sources: the per-URL history liveness is judged from (a home
//! page is dead after 404/410 on consecutive runs), and the order of the next visits (least
//! recently checked first). The newest [`KEEP_PER_URL`] checks of each URL are kept.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{StateError, Store, sql_err};
use crate::model::{HomepageCheck, Liveness};

/// Checks kept per URL; older ones are deleted when new ones are saved.
pub const KEEP_PER_URL: usize = 10;

impl Store {
    /// Saves the checks of one run in one transaction, keeping the newest
    /// [`KEEP_PER_URL`] of each URL.
    pub fn save_homepage_checks(&mut self, checks: &[HomepageCheck]) -> Result<(), StateError> {
        let err = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR REPLACE INTO homepage_checks
                       (url, checked_at, status, final_url, outcome, liveness)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            let mut prune = tx
                .prepare(
                    "DELETE FROM homepage_checks WHERE url = ?1 AND checked_at NOT IN
                       (SELECT checked_at FROM homepage_checks WHERE url = ?1
                        ORDER BY checked_at DESC LIMIT ?2)",
                )
                .map_err(err)?;
            for c in checks {
                insert
                    .execute(params![
                        c.url,
                        c.checked_at,
                        c.status,
                        c.final_url,
                        c.outcome,
                        c.liveness.as_str()
                    ])
                    .map_err(err)?;
                prune
                    .execute(params![c.url, KEEP_PER_URL as i64])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// The newest `per_url` checks of every checked URL, newest first.
    pub fn homepage_history(
        &self,
        per_url: usize,
    ) -> Result<HashMap<String, Vec<HomepageCheck>>, StateError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT url, checked_at, status, final_url, outcome, liveness FROM
                   (SELECT *, ROW_NUMBER() OVER (PARTITION BY url ORDER BY checked_at DESC) AS n
                    FROM homepage_checks)
                 WHERE n <= ?1 ORDER BY url, checked_at DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![per_url as i64], |r| {
                let liveness: String = r.get(5)?;
                Ok(HomepageCheck {
                    url: r.get(0)?,
                    checked_at: r.get::<_, DateTime<Utc>>(1)?,
                    status: r.get(2)?,
                    final_url: r.get(3)?,
                    outcome: r.get(4)?,
                    liveness: Liveness::parse(&liveness).unwrap_or(Liveness::Unknown),
                })
            })
            .map_err(|e| self.err(e))?;
        let mut out: HashMap<String, Vec<HomepageCheck>> = HashMap::new();
        for row in rows {
            let check = row.map_err(|e| self.err(e))?;
            out.entry(check.url.clone()).or_default().push(check);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, minute: u32, status: Option<u16>) -> HomepageCheck {
        HomepageCheck {
            url: url.into(),
            checked_at: DateTime::parse_from_rfc3339(&format!("2026-11-26T03:{minute:02}:00Z"))
                .unwrap()
                .to_utc(),
            status,
            final_url: None,
            outcome: "gone".into(),
            liveness: Liveness::Unknown,
        }
    }

    #[test]
    fn history_is_newest_first_per_url_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        let many: Vec<HomepageCheck> = (0..12)
            .map(|m| check("https://a.test", m, Some(404)))
            .collect();
        store.save_homepage_checks(&many).unwrap();
        store
            .save_homepage_checks(&[check("https://b.test", 5, None)])
            .unwrap();
        let history = store.homepage_history(3).unwrap();
        let a = &history["https://a.test"];
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].checked_at, many[11].checked_at);
        assert_eq!(a[2].checked_at, many[9].checked_at);
        assert_eq!(history["https://b.test"][0].status, None);
        let all = store.homepage_history(100).unwrap();
        assert_eq!(all["https://a.test"].len(), KEEP_PER_URL);
    }
}
