//! The tool id registry: every canonical key a tool was known by, the id it gave, and when
//! (SPEC section 6: ids survive reruns, merges and splits).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{StateError, Store, sql_err};

impl Store {
    /// The id registry: canonical key → tool id.
    pub fn tool_ids(&self) -> Result<HashMap<String, String>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, tool_id FROM tool_ids")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The id registry with registration times: key → (tool id, registered at), collected
    /// into whichever map the caller uses (`resolve::Known`).
    pub fn id_registry<M>(&self) -> Result<M, StateError>
    where
        M: FromIterator<(String, (String, DateTime<Utc>))>,
    {
        let mut stmt = self
            .conn
            .prepare("SELECT key, tool_id, registered_at FROM tool_ids")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Saves what a resolution learnt, in one transaction: `new` keys are added (a key
    /// already there keeps its id) and `moved` keys point at their tool's new id from `at`
    /// (a merge retired their id, or a split gave their part a new one).
    pub fn save_tool_ids(
        &mut self,
        new: &[(String, String)],
        moved: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let err = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO tool_ids (key, tool_id, registered_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (key) DO NOTHING",
                )
                .map_err(err)?;
            for (key, id) in new {
                insert.execute(params![key, id, at]).map_err(err)?;
            }
            let mut update = tx
                .prepare(
                    "UPDATE tool_ids SET tool_id = ?2, registered_at = ?3
                     WHERE key = ?1 AND tool_id <> ?2",
                )
                .map_err(err)?;
            for (key, id) in moved {
                update.execute(params![key, id, at]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}
