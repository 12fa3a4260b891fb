//! JSON Lines writer: one object per line, the same objects as the JSON array (SPEC section 6).

use std::io::Write;

use super::json::Row;
use super::schema::Column;

/// Writes each row as one JSON object followed by `\n`; an empty table is an empty file.
pub(crate) fn write_jsonl<R, W: Write>(
    mut out: W,
    columns: &[Column<R>],
    rows: &[&R],
) -> Result<(), serde_json::Error> {
    for row in rows {
        serde_json::to_writer(&mut out, &Row { columns, row })?;
        out.write_all(b"\n").map_err(serde_json::Error::io)?;
    }
    out.flush().map_err(serde_json::Error::io)
}
