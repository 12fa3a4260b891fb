//! JSON Lines writer: one object per line, the same objects as the JSON array (SPEC section 6).
//! The rows are encoded once for both files ([`super::json::write_json_and_jsonl`]).

use std::io::{self, Write};

/// Writes one encoded row followed by `\n`.
pub(crate) fn write_line<W: Write>(mut out: W, row: &[u8]) -> io::Result<()> {
    out.write_all(row)?;
    out.write_all(b"\n")
}
