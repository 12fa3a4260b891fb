//! Schema migrations, versioned in code: `PRAGMA user_version` is the number of migrations
//! applied. Append new migrations; never edit an applied one.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: validators, records, runs, source runs, id registry.
    "CREATE TABLE validators (
        url TEXT NOT NULL,
        cred TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        body_sha256 TEXT NOT NULL,
        final_url TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (url, cred)
    );
    CREATE TABLE records (
        source_id TEXT NOT NULL,
        record_id TEXT NOT NULL,
        raw TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        stale INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (source_id, record_id)
    );
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        release_id TEXT
    );
    CREATE TABLE source_runs (
        run_id TEXT NOT NULL,
        source_id TEXT NOT NULL,
        status TEXT NOT NULL,
        records INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        not_modified INTEGER NOT NULL,
        error TEXT,
        duration_ms INTEGER NOT NULL,
        PRIMARY KEY (run_id, source_id)
    );
    CREATE TABLE tool_ids (
        key TEXT PRIMARY KEY,
        tool_id TEXT NOT NULL,
        registered_at TEXT NOT NULL
    );
    CREATE INDEX tool_ids_by_id ON tool_ids (tool_id);
    CREATE TABLE sources (
        source_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        role TEXT NOT NULL,
        priority INTEGER NOT NULL,
        license TEXT,
        urls TEXT NOT NULL,
        active INTEGER NOT NULL
    );",
    // 2: home page checks of `site` sources (liveness history).
    "CREATE TABLE homepage_checks (
        url TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        status INTEGER,
        final_url TEXT,
        outcome TEXT NOT NULL,
        liveness TEXT NOT NULL,
        PRIMARY KEY (url, checked_at)
    );",
    // 3: the id space a source's record ids belong to (`id_space`).
    "ALTER TABLE sources ADD COLUMN id_space TEXT;",
    // 4: the country of a national catalogue (`country`).
    "ALTER TABLE sources ADD COLUMN country TEXT;",
    // 5: the revisit policy of detail and home pages (issue 19): the body's content type,
    // the unchanged answers in a row and when the page was last asked under the policy.
    "ALTER TABLE validators ADD COLUMN content_type TEXT;
    ALTER TABLE validators ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE validators ADD COLUMN asked_at TEXT;",
];

/// Applies every migration not yet applied, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// The schema version this build writes.
#[cfg(test)]
pub const VERSION: usize = MIGRATIONS.len();
