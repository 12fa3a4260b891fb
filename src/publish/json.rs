//! JSON writer: one array of objects, keys in column order, one object per line so diffs stay
//! readable (SPEC section 6). Lists are arrays, unknown values `null`.
//!
//! Rows are encoded straight from the borrowed cells ([`encode_row`]) into one reused buffer,
//! with no intermediate `serde_json::Value` and no allocation per cell, and the bytes of a row
//! are written to both `<table>.json` and `<table>.jsonl`.

use std::io::{self, Write};

#[cfg(test)]
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use super::cell::{self, Cell};
use super::schema::Column;

/// Writes the rows both as a JSON array (`json_out`: `[`, one object per line separated by
/// `,`, `]`; `[]` when empty) and as JSON Lines (`jsonl_out`, the same objects each followed by
/// `\n`; an empty table is an empty file). Each row is encoded once ([`encode_row`]) and its
/// bytes go to both files.
pub(crate) fn write_json_and_jsonl<R, J: Write, L: Write>(
    mut json_out: J,
    mut jsonl_out: L,
    columns: &[Column<R>],
    rows: &[&R],
) -> io::Result<()> {
    json_out.write_all(b"[")?;
    let mut line = Vec::with_capacity(4096);
    for (i, row) in rows.iter().enumerate() {
        line.clear();
        encode_row(&mut line, columns, *row);
        let sep: &[u8] = if i == 0 { b"\n" } else { b",\n" };
        json_out.write_all(sep)?;
        json_out.write_all(&line)?;
        super::jsonl::write_line(&mut jsonl_out, &line)?;
    }
    let end: &[u8] = if rows.is_empty() { b"]\n" } else { b"\n]\n" };
    json_out.write_all(end)?;
    json_out.flush()?;
    jsonl_out.flush()
}

/// Appends one row as compact JSON, keys in column order: the bytes `serde_json` writes for
/// [`Row`], without going through its serializer.
pub(crate) fn encode_row<R>(out: &mut Vec<u8>, columns: &[Column<R>], row: &R) {
    out.push(b'{');
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        cell::push_json_str(out, c.name);
        out.push(b':');
        match cell::cell(c, row) {
            Cell::Str(Some(v)) => cell::push_json_str(out, v),
            Cell::Bool(Some(v)) => out.extend_from_slice(if v { b"true" } else { b"false" }),
            Cell::Int(Some(n)) => {
                // Writing into a `Vec` cannot fail; `Display` of an integer is what serde_json
                // (itoa) writes.
                let _ = write!(out, "{n}");
            }
            Cell::Time(Some(t)) => {
                out.push(b'"');
                cell::push_time(out, &t);
                out.push(b'"');
            }
            Cell::Str(None) | Cell::Bool(None) | Cell::Int(None) | Cell::Time(None) => {
                out.extend_from_slice(b"null");
            }
            Cell::List(items) => {
                out.push(b'[');
                for (j, item) in items.iter().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    cell::push_json_str(out, item);
                }
                out.push(b']');
            }
            Cell::Object(fields, source) => cell::push_object_text(out, fields, source),
        }
    }
    out.push(b'}');
}

/// One row serialised as a JSON object through serde, keys in column order: the reference
/// [`encode_row`] is checked against.
#[cfg(test)]
pub(crate) struct Row<'a, R> {
    pub columns: &'a [Column<R>],
    pub row: &'a R,
}

#[cfg(test)]
impl<R> Serialize for Row<'_, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.columns.len()))?;
        for c in self.columns {
            map.serialize_entry(c.name, &CellRef(cell::cell(c, self.row)))?;
        }
        map.end()
    }
}

#[cfg(test)]
struct CellRef<'a>(Cell<'a>);

#[cfg(test)]
impl Serialize for CellRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Cell::Str(v) => v.serialize(s),
            Cell::Bool(v) => v.serialize(s),
            Cell::Int(v) => v.serialize(s),
            Cell::Time(v) => match v {
                Some(t) => s.serialize_str(&cell::format_time(t)),
                None => s.serialize_none(),
            },
            Cell::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in *items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Cell::Object(fields, source) => {
                let mut map = s.serialize_map(None)?;
                for field in fields.fields() {
                    map.serialize_entry(field, source)?;
                }
                map.end()
            }
        }
    }
}

/// One row as a JSON value, keys in column order (for comparisons: `changes.json`).
pub(crate) fn object<R>(columns: &[Column<R>], row: &R) -> Value {
    let map: Map<String, Value> = columns
        .iter()
        .map(|c| (c.name.to_string(), value(cell::cell(c, row))))
        .collect();
    Value::Object(map)
}

fn value(cell: Cell<'_>) -> Value {
    match cell {
        Cell::Str(v) => v.map_or(Value::Null, Value::from),
        Cell::Bool(v) => v.map_or(Value::Null, Value::from),
        Cell::Int(v) => v.map_or(Value::Null, Value::from),
        Cell::Time(v) => v.map_or(Value::Null, |t| Value::from(cell::format_time(&t))),
        Cell::List(items) => Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect()),
        Cell::Object(fields, source) => Value::Object(
            fields
                .fields()
                .map(|f| (f.to_string(), Value::from(source)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tool;
    use crate::publish::schema;

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

    #[test]
    fn encoded_rows_equal_serde_json() {
        use chrono::TimeZone;
        let odd = "q\"b\\s/\u{0}\u{1f}\u{7f}\t\r\n\u{8}\u{c} é ✓ 𝄞 \u{2028}";
        let tools = [
            Tool::default(),
            Tool {
                id: "ct_x".into(),
                name: Some(odd.into()),
                description: Some(String::new()),
                tags: vec![odd.into(), String::new(), "b".into()],
                categories: vec!["one".into()],
                stars: Some(i64::MIN),
                forks: Some(i64::MAX),
                open_source: Some(false),
                archived: Some(true),
                created_at: Some(chrono::Utc.with_ymd_and_hms(1, 2, 3, 4, 5, 6).unwrap()),
                last_activity_at: Some(
                    chrono::Utc
                        .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
                        .unwrap()
                        + chrono::Duration::milliseconds(999),
                ),
                first_seen_at: Some(chrono::Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap()),
                last_seen_at: Some(chrono::Utc.with_ymd_and_hms(12345, 1, 1, 0, 0, 0).unwrap()),
                stale: true,
                ..Tool::default()
            },
        ];
        for tool in &tools {
            let mut encoded = Vec::new();
            encode_row(&mut encoded, schema::TOOLS, tool);
            let streamed = serde_json::to_vec(&Row {
                columns: schema::TOOLS,
                row: tool,
            })
            .unwrap();
            assert_eq!(
                String::from_utf8(encoded).unwrap(),
                String::from_utf8(streamed).unwrap()
            );
        }
        let record = crate::model::SourceRecordRow {
            record: crate::model::NormRecord {
                source_id: format!("s\"1{odd}"),
                ..Default::default()
            },
            provenance: ["name", "archived", "wikidata_id"].into_iter().collect(),
            ..Default::default()
        };
        for row in [&record, &crate::model::SourceRecordRow::default()] {
            let mut encoded = Vec::new();
            encode_row(&mut encoded, schema::SOURCE_RECORDS, row);
            let streamed = serde_json::to_vec(&Row {
                columns: schema::SOURCE_RECORDS,
                row,
            })
            .unwrap();
            assert_eq!(
                String::from_utf8(encoded).unwrap(),
                String::from_utf8(streamed).unwrap()
            );
        }
    }
}
