//! JSON writer: one array of objects, keys in column order, one object per line so diffs stay
//! readable (SPEC section 6). Lists are arrays, unknown values `null`.
//!
//! Rows are serialised straight from the borrowed cells ([`Row`]), with no intermediate
//! `serde_json::Value`: a million tools cost no extra copy.

use std::io::Write;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
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
        serde_json::to_writer(&mut out, &Row { columns, row })?;
    }
    let end: &[u8] = if rows.is_empty() { b"]\n" } else { b"\n]\n" };
    out.write_all(end).map_err(serde_json::Error::io)?;
    out.flush().map_err(serde_json::Error::io)
}

/// One row serialised as a JSON object, keys in column order (shared with JSONL).
pub(crate) struct Row<'a, R> {
    pub columns: &'a [Column<R>],
    pub row: &'a R,
}

impl<R> Serialize for Row<'_, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.columns.len()))?;
        for c in self.columns {
            map.serialize_entry(c.name, &CellRef(schema::cell(c, self.row)))?;
        }
        map.end()
    }
}

struct CellRef<'a>(Cell<'a>);

impl Serialize for CellRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Cell::Str(v) => v.serialize(s),
            Cell::Bool(v) => v.serialize(s),
            Cell::Int(v) => v.serialize(s),
            Cell::Time(v) => match v {
                Some(t) => s.serialize_str(&schema::format_time(t)),
                None => s.serialize_none(),
            },
            Cell::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in *items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Cell::Object(map) => map.serialize(s),
        }
    }
}

/// One row as a JSON value, keys in column order (for comparisons: `changes.json`).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tool;

    #[test]
    fn streamed_rows_equal_their_values() {
        let tool = Tool {
            id: "ct_x".into(),
            name: Some("N \"q\"".into()),
            tags: vec!["a".into(), "b".into()],
            stars: Some(-3),
            ..Tool::default()
        };
        let streamed = serde_json::to_string(&Row {
            columns: schema::TOOLS,
            row: &tool,
        })
        .unwrap();
        let via_value = serde_json::to_string(&object(schema::TOOLS, &tool)).unwrap();
        assert_eq!(streamed, via_value);
    }
}
