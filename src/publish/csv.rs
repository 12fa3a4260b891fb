//! CSV writer: RFC 4180, CRLF line ends, UTF-8 without BOM, header from the schema
//! (SPEC section 6). Cells are written faithfully: no spreadsheet escaping here.

use std::borrow::Cow;
use std::io::Write;

use super::schema::{self, Cell, Column, LIST_DELIMITER};

/// Writes the header and one line per row; fields are quoted only when needed.
pub(crate) fn write_csv<R, W: Write>(
    out: W,
    columns: &[Column<R>],
    rows: &[&R],
) -> Result<(), csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    writer.write_record(columns.iter().map(|c| c.name))?;
    let mut record: Vec<Cow<'_, str>> = Vec::with_capacity(columns.len());
    for row in rows {
        record.clear();
        record.extend(columns.iter().map(|c| text(&schema::cell(c, *row))));
        writer.write_record(record.iter().map(|s| s.as_bytes()))?;
    }
    writer.flush()?;
    Ok(())
}

/// The CSV text of one cell: empty for null, `true`/`false`, lists joined with `;`.
fn text<'a>(cell: &Cell<'a>) -> Cow<'a, str> {
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
            .map_or(Cow::Borrowed(""), |t| Cow::Owned(schema::format_time(t))),
        Cell::List(items) => Cow::Owned(items.join(LIST_DELIMITER)),
        Cell::Object(map) => Cow::Owned(schema::object_text(map)),
    }
}
