//! CSV writer: RFC 4180, CRLF line ends, UTF-8 without BOM, header from the schema (never from
//! the first record) (SPEC section 6). Cells are written faithfully; the spreadsheet-safe copy
//! (`tools.spreadsheet.csv`, SPEC section 7) escapes formula triggers in text cells only.

use std::borrow::Cow;
use std::io::Write;

use super::schema::{self, Cell, Column, ColumnType, LIST_DELIMITER};

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
pub(crate) fn write_csv<R, W: Write>(
    out: W,
    columns: &[Column<R>],
    rows: &[&R],
    flavour: Flavour,
) -> Result<(), csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    writer.write_record(columns.iter().map(|c| c.name))?;
    let mut record: Vec<Cow<'_, str>> = Vec::with_capacity(columns.len());
    for row in rows {
        record.clear();
        record.extend(columns.iter().map(|c| {
            let cell = text(&schema::cell(c, *row));
            match flavour {
                Flavour::Spreadsheet if is_text(c.kind) => spreadsheet_safe(cell),
                _ => cell,
            }
        }));
        writer.write_record(record.iter().map(|s| s.as_bytes()))?;
    }
    writer.flush()?;
    Ok(())
}

fn is_text(kind: ColumnType) -> bool {
    matches!(
        kind,
        ColumnType::String | ColumnType::List | ColumnType::Object
    )
}

/// A text cell a spreadsheet would read as a formula, with `'` put before it.
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
            .map_or(Cow::Borrowed(""), |t| Cow::Owned(schema::format_time(t))),
        Cell::List(items) => match items {
            [] => Cow::Borrowed(""),
            [one] => Cow::Borrowed(one.as_str()),
            _ => Cow::Owned(items.join(LIST_DELIMITER)),
        },
        Cell::Object(map) => Cow::Owned(schema::object_text(map)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tool;

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
}
