//! `csv` sources: whole-file inventories with a header row (SPEC section 4 `csv`), e.g. the
//! code.gouv.fr repositories dump or SILL exports.
//!
//! Each URL of `url`/`urls` is one CSV file. `fields` maps canonical fields to column names
//! (an exact match first, then case-insensitive); list fields are split on `list_separator`.
//! A UTF-8 BOM is stripped; invalid UTF-8 is replaced (an issue); a row that does not parse
//! is an issue naming its line, not a failure.

use std::collections::BTreeMap;

use toml::Table;
use url::Url;

use super::decl;
use super::mapping::{self, Collector, Fields};
use super::pages::{self, Pages};
use super::parts::{self, PartDecl, PartKind};
use super::{Harvest, SourceError};
use crate::model::{RawPart, RawRecord, is_list_field};
use crate::report::Issue;

/// Declaration keys of a `csv` source besides the common keys:
///
/// * `url` (string) or `urls` (array of strings): the CSV files;
/// * `fields` (table): canonical field = column name;
/// * `delimiter` (one ASCII character, default `","`; `"\t"` for TSV);
/// * `quote` (one ASCII character, default `"\""`): the quoting character;
/// * `list_separator` (string, default `";"`): splits the cells of list fields; `""` keeps
///   each cell whole;
/// * `organisations`, `use_cases` (arrays of tables, optional): the organisation and the
///   deployment a row names ([`super::parts`]; fields are column names, cells kept whole, no
///   `each`: one of each per table and row).
pub const KEYS: &[&str] = &[
    "url",
    "urls",
    "fields",
    "delimiter",
    "quote",
    "list_separator",
    "organisations",
    "use_cases",
];

/// A `csv` declaration, compiled.
#[derive(Debug)]
pub struct CsvSource {
    urls: Vec<Url>,
    /// Canonical field → column name, in canonical field order.
    fields: Vec<(String, String)>,
    delimiter: u8,
    quote: u8,
    list_separator: String,
    organisations: Vec<PartDecl<String>>,
    use_cases: Vec<PartDecl<String>>,
}

impl CsvSource {
    /// The CSV files.
    pub fn urls(&self) -> &[Url] {
        &self.urls
    }
}

/// Compiles a `csv` declaration; returns every problem.
pub fn build(mut table: Table) -> Result<CsvSource, Vec<String>> {
    let mut errs = Vec::new();
    let urls = decl::take_url_or_urls(&mut table, &mut errs);
    let fields = decl::take_fields(&mut table, &mut errs);
    let delimiter = take_byte(&mut table, "delimiter", b',', &mut errs);
    let quote = take_byte(&mut table, "quote", b'"', &mut errs);
    let list_separator =
        decl::take_str(&mut table, "list_separator", &mut errs).unwrap_or_else(|| ";".into());
    let column = |_: &str, text: &str, _: &mut Vec<String>| Some(text.to_owned());
    let organisations = parts::take_parts(
        &mut table,
        PartKind::Organisations,
        false,
        &mut errs,
        column,
    );
    let use_cases = parts::take_parts(&mut table, PartKind::UseCases, false, &mut errs, column);
    decl::reject_rest(table, "csv", &mut errs);
    decl::finish(
        CsvSource {
            urls,
            fields,
            delimiter,
            quote,
            list_separator,
            organisations,
            use_cases,
        },
        errs,
    )
}

fn take_byte(table: &mut Table, key: &str, default: u8, errs: &mut Vec<String>) -> u8 {
    let Some(text) = decl::take_str(table, key, errs) else {
        return default;
    };
    match text.as_bytes() {
        [b] if b.is_ascii() => *b,
        _ => {
            errs.push(format!(
                "`{key}`: expected one ASCII character such as `,`, `;` or `\\t`, found `{text}`"
            ));
            default
        }
    }
}

/// The records of one CSV file.
#[derive(Debug, Default)]
pub(crate) struct CsvDoc {
    pub records: Vec<RawRecord>,
    pub issues: Vec<Issue>,
}

/// Parses one CSV file fetched from `url`. Fails when there is no header row or a mapped
/// column is missing from it.
pub(crate) fn parse_csv(src: &CsvSource, url: &Url, body: &[u8]) -> Result<CsvDoc, SourceError> {
    let fail = |message: String| SourceError::Extract {
        url: url.to_string(),
        message,
    };
    let mut doc = CsvDoc::default();
    let text = mapping::decode_text(url, body, &mut doc.issues);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(src.delimiter)
        .quote(src.quote)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| fail(format!("unreadable header row: {e}")))?
        .clone();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(fail("no header row (the file is empty)".into()));
    }
    let columns = map_columns(&src.fields, "fields", &header).map_err(fail)?;
    let part_columns = |decls: &'_ [PartDecl<String>], kind: PartKind| {
        decls
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let label = format!("{}[{i}].fields", kind.key());
                let columns = map_columns(&d.fields, &label, &header)?;
                Ok((d.role.clone(), columns))
            })
            .collect::<Result<Vec<_>, String>>()
    };
    let organisations = part_columns(&src.organisations, PartKind::Organisations).map_err(fail)?;
    let use_cases = part_columns(&src.use_cases, PartKind::UseCases).map_err(fail)?;
    for row in reader.records() {
        match row {
            Ok(row) => {
                let fields = row_fields(src, &columns, &row, url);
                if let Some(mut r) =
                    mapping::finish_record(fields, url, None, vec![], &mut doc.issues)
                {
                    r.organisations = row_parts(&organisations, PartKind::Organisations, &row, url);
                    r.use_cases = row_parts(&use_cases, PartKind::UseCases, &row, url);
                    doc.records.push(r);
                }
            }
            Err(e) => doc.issues.push(row_issue(url, &text, &e)),
        }
    }
    Ok(doc)
}

/// A part table's role and its field → column index.
type PartColumns = (Option<String>, Vec<(String, usize)>);

/// The organisations or use cases one row names: one per table with a value in an
/// identifying column.
fn row_parts(
    decls: &[PartColumns],
    kind: PartKind,
    row: &::csv::StringRecord,
    url: &Url,
) -> Vec<RawPart> {
    let mut out = Vec::new();
    for (role, columns) in decls {
        let mut fields = BTreeMap::new();
        for (field, i) in columns {
            parts::add_value(&mut fields, field, row.get(*i).unwrap_or(""), url);
        }
        if let Some(part) = parts::finish(kind, role.as_deref(), fields) {
            parts::push_unique(&mut out, part);
        }
    }
    out
}

/// Field → column index for the mapping `fields` (labelled `label` in messages), or the
/// message naming the missing column and the header.
fn map_columns(
    fields: &[(String, String)],
    label: &str,
    header: &::csv::StringRecord,
) -> Result<Vec<(String, usize)>, String> {
    let mut columns = Vec::new();
    for (field, column) in fields {
        let exact = header.iter().position(|h| h == column);
        let loose = || {
            let want = column.trim().to_lowercase();
            header.iter().position(|h| h.trim().to_lowercase() == want)
        };
        match exact.or_else(loose) {
            Some(i) => columns.push((field.clone(), i)),
            None => {
                let names: Vec<String> = header.iter().map(|h| format!("`{h}`")).collect();
                return Err(format!(
                    "column `{column}` (mapped by `{label}.{field}`) is not in the header: {}",
                    names.join(", ")
                ));
            }
        }
    }
    Ok(columns)
}

/// The fields of one row: list fields split on the separator, scalar cells whole.
fn row_fields(
    src: &CsvSource,
    columns: &[(String, usize)],
    row: &::csv::StringRecord,
    url: &Url,
) -> Fields {
    let mut fields = Fields::new();
    for (field, i) in columns {
        let cell = row.get(*i).unwrap_or("");
        if is_list_field(field) && !src.list_separator.is_empty() {
            for part in cell.split(src.list_separator.as_str()) {
                mapping::add_value(&mut fields, field, part, url);
            }
        } else {
            mapping::add_value(&mut fields, field, cell, url);
        }
    }
    fields
}

/// The issue for a row that did not parse, naming its line in `text`.
fn row_issue(url: &Url, text: &str, err: &::csv::Error) -> Issue {
    let line = err.position().map(|p| line_at(text, p.byte()));
    let at = line.map_or(String::new(), |l| format!("line {l}: "));
    let message = match err.kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{at}row has {len} fields, the header has {expected_len}; row skipped"),
        _ => format!("{at}unreadable row ({err}); row skipped"),
    };
    Issue::new(url.as_str(), message)
}

/// The 1-based line of the record starting at byte `start`. The csv crate counts a record's
/// position before the `\n` of a preceding `\r\n`, so leading line ends are skipped first.
fn line_at(text: &str, start: u64) -> usize {
    let bytes = text.as_bytes();
    let mut i = usize::try_from(start)
        .unwrap_or(bytes.len())
        .min(bytes.len());
    while i < bytes.len() && matches!(bytes[i], b'\r' | b'\n') {
        i += 1;
    }
    1 + bytes[..i].iter().filter(|&&b| b == b'\n').count()
}

/// Fetches every CSV file and extracts the records.
pub(crate) async fn walk<P: Pages>(src: &CsvSource, pages: &P) -> Result<Harvest, SourceError> {
    let mut out = Collector::default();
    for url in &src.urls {
        let Some(page) = pages::get_or_skip(pages, url, &mut out).await? else {
            continue;
        };
        let doc = parse_csv(src, &page.url, &page.body)?;
        out.extend(doc.records, doc.issues);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests;
