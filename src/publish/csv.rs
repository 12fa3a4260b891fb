//! CSV writer: RFC 4180, CRLF line ends, UTF-8 without BOM, header from the schema (never from
//! the first record) (SPEC section 6). Cells are written faithfully; the spreadsheet-safe copy
//! (`tools.spreadsheet.csv`, SPEC section 7) escapes formula triggers in text cells only.

use std::borrow::Cow;
use std::io::Write;

use super::cell::{self, Cell};
use super::schema::{Column, ColumnType, LIST_DELIMITER};

/// How cells are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// Every value exactly as it is.
    Faithful,
    /// Text cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'`, so a
    /// spreadsheet shows them instead of evaluating them. Numbers are untouched.
    Spreadsheet,
}

/// Writes the header and one line per row; fields are quoted only when needed.
///
/// The cells of a row are written into one reused buffer (no allocation per cell) and handed
/// to the CSV writer as borrowed fields; their text is [`text`]'s.
pub(crate) fn write_csv<R, W: Write>(
    out: W,
    columns: &[Column<R>],
    rows: &[&R],
    flavour: Flavour,
) -> Result<(), csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .buffer_capacity(1 << 16)
        .from_writer(out);
    writer.write_record(columns.iter().map(|c| c.name))?;
    let mut cells: Vec<u8> = Vec::with_capacity(4096);
    let mut ends: Vec<usize> = Vec::with_capacity(columns.len());
    for row in rows {
        cells.clear();
        ends.clear();
        for c in columns {
            let start = cells.len();
            push_text(&mut cells, &cell::cell(c, *row));
            if flavour == Flavour::Spreadsheet
                && is_text(c.kind)
                && matches!(
                    cells.get(start).copied(),
                    Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
                )
            {
                cells.insert(start, b'\'');
            }
            ends.push(cells.len());
        }
        let mut start = 0;
        writer.write_record(ends.iter().map(|&end| {
            let field = &cells[start..end];
            start = end;
            field
        }))?;
    }
    writer.flush()?;
    Ok(())
}

/// Appends [`text`] of `cell` to `out`.
fn push_text(out: &mut Vec<u8>, cell: &Cell<'_>) {
    match cell {
        Cell::Str(v) => out.extend_from_slice(v.unwrap_or("").as_bytes()),
        Cell::Bool(v) => out.extend_from_slice(match v {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"",
        }),
        Cell::Int(v) => {
            if let Some(n) = v {
                // Writing into a `Vec` cannot fail.
                let _ = write!(out, "{n}");
            }
        }
        Cell::Time(v) => {
            if let Some(t) = v {
                cell::push_time(out, t);
            }
        }
        Cell::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(LIST_DELIMITER.as_bytes());
                }
                out.extend_from_slice(item.as_bytes());
            }
        }
        Cell::Object(fields, source) => cell::push_object_text(out, *fields, source),
    }
}

fn is_text(kind: ColumnType) -> bool {
    matches!(
        kind,
        ColumnType::String | ColumnType::List | ColumnType::Object
    )
}

/// A text cell a spreadsheet would read as a formula, with `'` put before it (the reference
/// the buffered writer is checked against).
#[cfg(test)]
fn spreadsheet_safe(cell: Cow<'_, str>) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        cell
    }
}

/// The CSV text of one cell: empty for null, `true`/`false`, lists joined with `;`.
pub(crate) fn text<'a>(cell: &Cell<'a>) -> Cow<'a, str> {
    match cell {
        Cell::Str(v) => Cow::Borrowed(v.unwrap_or("")),
        Cell::Bool(v) => Cow::Borrowed(match v {
            Some(true) => "true",
            Some(false) => "false",
            None => "",
        }),
        Cell::Int(v) => v.map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string())),
        Cell::Time(v) => v
            .as_ref()
            .map_or(Cow::Borrowed(""), |t| Cow::Owned(cell::format_time(t))),
        Cell::List(items) => match items {
            [] => Cow::Borrowed(""),
            [one] => Cow::Borrowed(one.as_str()),
            _ => Cow::Owned(items.join(LIST_DELIMITER)),
        },
        Cell::Object(fields, source) => Cow::Owned(cell::object_text(*fields, source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tool;
    use crate::publish::schema;

    fn line(tool: &Tool, flavour: Flavour) -> String {
        let mut out = Vec::new();
        write_csv(&mut out, schema::TOOLS, &[tool], flavour).unwrap();
        let text = String::from_utf8(out).unwrap();
        text.split_once("\r\n").unwrap().1.to_string()
    }

    #[test]
    fn spreadsheet_copy_escapes_formula_triggers_in_text_only() {
        let tool = Tool {
            id: "ct_x".into(),
            name: Some("=HYPERLINK(\"http://evil\")".into()),
            description: Some("-2+3".into()),
            homepage_url: Some("@SUM(A1)".into()),
            repository_url: Some("+1".into()),
            wikidata_id: Some("\tQ1".into()),
            license: Some("\rMIT".into()),
            tags: vec!["-tag".into(), "ok".into()],
            organizations: vec!["plain".into()],
            stars: Some(-5),
            ..Tool::default()
        };
        let safe = line(&tool, Flavour::Spreadsheet);
        assert!(
            safe.starts_with(
                "ct_x,\"'=HYPERLINK(\"\"http://evil\"\")\",'-2+3,'@SUM(A1),'+1,'\tQ1,\"'\rMIT\","
            ),
            "{safe:?}"
        );
        assert!(safe.contains(",'-tag;ok,"), "{safe}");
        assert!(
            safe.contains(",plain,-5,"),
            "a negative number stays a number: {safe}"
        );
        let faithful = line(&tool, Flavour::Faithful);
        assert!(faithful.starts_with("ct_x,\"=HYPERLINK("), "{faithful}");
        assert!(!faithful.contains('\''), "{faithful}");
    }

    /// The rows as the cell-by-cell reference writes them: [`text`] per cell, owned.
    fn reference(tools: &[&Tool], flavour: Flavour) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(Vec::new());
        writer
            .write_record(schema::TOOLS.iter().map(|c| c.name))
            .unwrap();
        for tool in tools {
            let record: Vec<Cow<'_, str>> = schema::TOOLS
                .iter()
                .map(|c| {
                    let cell = text(&cell::cell(c, *tool));
                    match flavour {
                        Flavour::Spreadsheet if is_text(c.kind) => spreadsheet_safe(cell),
                        _ => cell,
                    }
                })
                .collect();
            writer
                .write_record(record.iter().map(|s| s.as_bytes()))
                .unwrap();
        }
        writer.into_inner().unwrap()
    }

    #[test]
    fn buffered_cells_equal_the_reference() {
        use chrono::TimeZone;
        let odd = Tool {
            id: "ct_y".into(),
            name: Some("a,\"b\"\r\nc".into()),
            description: Some(String::new()),
            license: Some("=1".into()),
            tags: vec!["x".into(), "\ty".into(), String::new()],
            categories: vec!["-a".into()],
            stars: Some(i64::MIN),
            forks: Some(0),
            open_source: Some(true),
            archived: Some(false),
            created_at: Some(chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()),
            last_seen_at: Some(chrono::Utc.with_ymd_and_hms(10_001, 1, 1, 0, 0, 0).unwrap()),
            sources: vec!["s".into()],
            stale: true,
            ..Tool::default()
        };
        let blank = Tool::default();
        let tools = [&odd, &blank, &odd];
        for flavour in [Flavour::Faithful, Flavour::Spreadsheet] {
            let mut out = Vec::new();
            write_csv(&mut out, schema::TOOLS, &tools, flavour).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(reference(&tools, flavour)).unwrap(),
                "{flavour:?}"
            );
        }
    }
}
