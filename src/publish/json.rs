//! JSON writer: one array of objects, keys in column order, one object per line so diffs stay
//! readable (SPEC section 6). Lists are arrays, unknown values `null`.

use std::io::Write;

use serde_json::{Map, Value};

use super::schema::{self, Cell, Column};

/// Writes `[`, the rows one object per line separated by `,`, and `]`; `[]` when empty.
pub(crate) fn write_json<R, W: Write>(
    mut out: W,
    columns: &[Column<R>],
    rows: &[&R],
) -> Result<(), serde_json::Error> {
    out.write_all(b"[").map_err(serde_json::Error::io)?;
    for (i, row) in rows.iter().enumerate() {
        let sep: &[u8] = if i == 0 { b"\n" } else { b",\n" };
        out.write_all(sep).map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut out, &object(columns, *row))?;
    }
    let end: &[u8] = if rows.is_empty() { b"]\n" } else { b"\n]\n" };
    out.write_all(end).map_err(serde_json::Error::io)?;
    out.flush().map_err(serde_json::Error::io)
}

/// One row as a JSON object, keys in column order (shared with JSONL).
pub(crate) fn object<R>(columns: &[Column<R>], row: &R) -> Value {
    let map: Map<String, Value> = columns
        .iter()
        .map(|c| (c.name.to_string(), value(schema::cell(c, row))))
        .collect();
    Value::Object(map)
}

fn value(cell: Cell<'_>) -> Value {
    match cell {
        Cell::Str(v) => v.map_or(Value::Null, Value::from),
        Cell::Bool(v) => v.map_or(Value::Null, Value::from),
        Cell::Int(v) => v.map_or(Value::Null, Value::from),
        Cell::Time(v) => v.map_or(Value::Null, |t| Value::from(schema::format_time(&t))),
        Cell::List(items) => Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect()),
        Cell::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        ),
    }
}
