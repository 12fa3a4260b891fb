//! `json` sources: feeds and registries read with RFC 9535 JSONPath (SPEC section 4 `json`),
//! e.g. the DPG registry, code.json inventories, Developers Italia.
//!
//! Each URL of `url`/`urls` is a first page; `records` selects the record list on every page
//! (default `$[*]`; a single array node is taken element by element), `next` the next page
//! URL (relative URLs resolve against the page URL; absent, `null` or `""` ends the chain).
//! `fields` maps canonical fields to JSONPaths evaluated with `$` = the record.
//! `publiccode` points at a string holding a whole publiccode.yml (Developers Italia's
//! `publiccodeYml`): it is parsed with the `github` kind's mapper and fills the canonical
//! fields the mapping left empty (lists are united, the mapping's values first), and its
//! organisations are the record's when its `[[organisations]]` tables find none; text that
//! is not a valid publiccode.yml is an issue on the record, which is kept.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json_path::JsonPath;
use toml::Table;
use url::Url;

use super::decl::{self, lower_first};
use super::forge::publiccode;
use super::mapping::{self, Collector, Fields};
use super::pages::{self, Listing, Pager, Pages};
use super::parts::{self, PartDecl, PartKind};
use super::{Harvest, SourceError};
use crate::model::{RawPart, RawRecord, is_list_field};
use crate::report::Issue;

/// Declaration keys of a `json` source besides the common keys:
///
/// * `url` (string) or `urls` (array of strings): the first page of each feed;
/// * `records` (JSONPath, default `$[*]`): the record list on a page;
/// * `next` (JSONPath, optional): the next page URL on a page;
/// * `fields` (table): canonical field = JSONPath, `$` being the record;
/// * `offset` (table `{ param = "offset", step = 500 }`, optional): offset paging for APIs
///   without next links: the next page is the page URL with `param` raised by `step` (from
///   its value in the first URL, else 0), until a page holds no record;
/// * `publiccode` (JSONPath, optional): a string node holding a publiccode.yml file, whose
///   fields fill what `fields` left empty, and whose organisations are the record's when
///   the `organisations` tables find none;
/// * `organisations`, `use_cases` (arrays of tables, optional): the organisations and
///   deployments a record names ([`super::parts`]), `each` and field paths relative to the
///   record and to each node.
pub const KEYS: &[&str] = &[
    "url",
    "urls",
    "records",
    "next",
    "fields",
    "offset",
    "publiccode",
    "organisations",
    "use_cases",
];

/// Offset paging: the query parameter to raise and by how much.
#[derive(Debug)]
struct Offset {
    param: String,
    step: u64,
}

/// A compiled JSONPath and the text it came from (for messages).
#[derive(Debug)]
struct Path {
    text: String,
    path: JsonPath,
}

/// A `json` declaration, compiled.
#[derive(Debug)]
pub struct JsonSource {
    urls: Vec<Url>,
    records: Path,
    next: Option<Path>,
    offset: Option<Offset>,
    /// A string node holding publiccode.yml text.
    publiccode: Option<Path>,
    /// Canonical field → path, in canonical field order.
    fields: Vec<(String, Path)>,
    organisations: Vec<PartDecl<Path>>,
    use_cases: Vec<PartDecl<Path>>,
}

impl JsonSource {
    /// The first page of each feed.
    pub fn urls(&self) -> &[Url] {
        &self.urls
    }
}

/// Compiles a `json` declaration; returns every problem.
pub fn build(mut table: Table) -> Result<JsonSource, Vec<String>> {
    let mut errs = Vec::new();
    let urls = decl::take_url_or_urls(&mut table, &mut errs);
    let records_text =
        decl::take_str(&mut table, "records", &mut errs).unwrap_or_else(|| "$[*]".into());
    let records = compile("records", &records_text, &mut errs);
    let next = decl::take_str(&mut table, "next", &mut errs)
        .and_then(|text| compile("next", &text, &mut errs));
    let offset = take_offset(&mut table, &mut errs);
    let publiccode = decl::take_str(&mut table, "publiccode", &mut errs)
        .and_then(|text| compile("publiccode", &text, &mut errs));
    let mut fields = Vec::new();
    for (field, text) in decl::take_fields(&mut table, &mut errs) {
        if let Some(path) = compile(&format!("fields.{field}"), &text, &mut errs) {
            fields.push((field, path));
        }
    }
    let organisations = parts::take_parts(
        &mut table,
        PartKind::Organisations,
        true,
        &mut errs,
        compile,
    );
    let use_cases = parts::take_parts(&mut table, PartKind::UseCases, true, &mut errs, compile);
    decl::reject_rest(table, "json", &mut errs);
    match records {
        Some(records) if errs.is_empty() => Ok(JsonSource {
            urls,
            records,
            next,
            offset,
            publiccode,
            fields,
            organisations,
            use_cases,
        }),
        _ => Err(errs),
    }
}

fn take_offset(table: &mut Table, errs: &mut Vec<String>) -> Option<Offset> {
    let value = table.remove("offset")?;
    let help = "expected e.g. `offset = { param = \"offset\", step = 500 }`";
    let Some(t) = value.as_table() else {
        errs.push(format!("`offset`: {help}"));
        return None;
    };
    let param = t.get("param").and_then(|v| v.as_str()).map(str::to_string);
    let step = t
        .get("step")
        .and_then(|v| v.as_integer())
        .filter(|s| *s > 0);
    let unknown: Vec<&String> = t.keys().filter(|k| *k != "param" && *k != "step").collect();
    match (param, step) {
        (Some(param), Some(step)) if unknown.is_empty() && !param.is_empty() => Some(Offset {
            param,
            step: step as u64,
        }),
        _ => {
            errs.push(format!(
                "`offset`: needs a `param` name and a positive `step`, nothing else; {help}"
            ));
            None
        }
    }
}

/// `url` with its offset parameter raised by one step; `None` past the largest offset (a
/// hostile page URL cannot make paging wrap around and start over).
fn next_offset(offset: &Offset, url: &Url) -> Option<Url> {
    let current: u64 = url
        .query_pairs()
        .find(|(k, _)| k == offset.param.as_str())
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != offset.param.as_str())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let raised = current.checked_add(offset.step)?;
    let mut next = url.clone();
    next.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair(&offset.param, &raised.to_string());
    Some(next)
}

fn compile(label: &str, text: &str, errs: &mut Vec<String>) -> Option<Path> {
    match JsonPath::parse(text) {
        Ok(path) => Some(Path {
            text: text.to_owned(),
            path,
        }),
        Err(e) => {
            let reason = lower_first(&e.to_string());
            errs.push(format!(
                "`{label}`: invalid JSONPath `{text}`: {reason} (e.g. `$.name` or `$.repositories[*].url`)"
            ));
            None
        }
    }
}

/// What one JSON page holds.
#[derive(Debug, Default)]
pub(crate) struct JsonPage {
    pub records: Vec<RawRecord>,
    pub issues: Vec<Issue>,
    /// The next page, resolved against the page URL.
    pub next: Option<Url>,
}

/// Parses one page fetched from `url` (the URL after redirects). `first` is true for the
/// first page of a feed, where a `records` path that matches nothing fails the source.
pub(crate) fn parse_page(
    src: &JsonSource,
    url: &Url,
    body: &[u8],
    first: bool,
) -> Result<JsonPage, SourceError> {
    let fail = |message: String| SourceError::Extract {
        url: url.to_string(),
        message,
    };
    let doc: Value = serde_json::from_slice(mapping::strip_bom(body))
        .map_err(|e| fail(format!("invalid JSON: {e}")))?;
    let nodes = src.records.path.query(&doc).all();
    if first && nodes.is_empty() {
        return Err(fail(format!(
            "`records` path `{}` matches nothing on the first page",
            src.records.text
        )));
    }
    let records: Vec<&Value> = match nodes.as_slice() {
        [Value::Array(items)] => items.iter().collect(),
        _ => nodes,
    };
    let mut next = next_url(src, url, &doc).map_err(fail)?;
    if let Some(offset) = &src.offset
        && next.is_none()
        && !records.is_empty()
    {
        next = next_offset(offset, url);
    }
    let mut page = JsonPage {
        next,
        ..JsonPage::default()
    };
    for record in records {
        let (fields, pending, publiccode_orgs) = extract_record(src, url, record);
        if let Some(mut r) = mapping::finish_record(fields, url, None, pending, &mut page.issues) {
            r.organisations =
                extract_parts(&src.organisations, PartKind::Organisations, record, url);
            if r.organisations.is_empty() {
                r.organisations = publiccode_orgs;
            }
            r.use_cases = extract_parts(&src.use_cases, PartKind::UseCases, record, url);
            page.records.push(r);
        }
    }
    Ok(page)
}

/// The fields of one record node, the issues found on the way, and the organisations its
/// publiccode.yml names.
fn extract_record(
    src: &JsonSource,
    url: &Url,
    record: &Value,
) -> (Fields, Vec<Issue>, Vec<RawPart>) {
    let mut fields = Fields::new();
    let mut issues = Vec::new();
    let mut organisations = Vec::new();
    for (field, path) in &src.fields {
        for node in path.path.query(record) {
            match node {
                Value::Object(_) if !is_list_field(field) => issues.push(
                    Issue::new(
                        url.as_str(),
                        format!(
                            "`fields.{field}`: path `{}` matched an object, expected text; value ignored",
                            path.text
                        ),
                    )
                    .field(field.as_str()),
                ),
                node => add_node(&mut fields, field, node, url),
            }
        }
    }
    if let Some(path) = &src.publiccode {
        organisations = add_publiccode(&mut fields, &mut issues, path, record, url);
    }
    (fields, issues, organisations)
}

/// The organisations or use cases the tables `decls` find in one record node.
fn extract_parts(
    decls: &[PartDecl<Path>],
    kind: PartKind,
    record: &Value,
    url: &Url,
) -> Vec<RawPart> {
    let mut out = Vec::new();
    for d in decls {
        let nodes = match &d.each {
            Some(each) => each.path.query(record).all(),
            None => vec![record],
        };
        for node in nodes {
            let mut fields = BTreeMap::new();
            for (field, path) in &d.fields {
                for value in path.path.query(node) {
                    add_part_node(&mut fields, field, value, url);
                }
            }
            if let Some(part) = parts::finish(kind, d.role.as_deref(), fields) {
                parts::push_unique(&mut out, part);
            }
        }
    }
    out
}

/// Adds a matched node to a part: scalars as their text, arrays flattened.
fn add_part_node(fields: &mut BTreeMap<String, Vec<String>>, field: &str, node: &Value, url: &Url) {
    match node {
        Value::String(s) => parts::add_value(fields, field, s, url),
        Value::Number(n) => parts::add_value(fields, field, &n.to_string(), url),
        Value::Bool(b) => parts::add_value(fields, field, &b.to_string(), url),
        Value::Array(items) => items
            .iter()
            .for_each(|v| add_part_node(fields, field, v, url)),
        Value::Object(_) | Value::Null => {}
    }
}

/// Parses the publiccode.yml text `path` selects in `record` and fills the fields the
/// mapping left empty; lists are united (the mapping's values first). Returns the
/// organisations the file names. Bad text is an issue.
fn add_publiccode(
    fields: &mut Fields,
    issues: &mut Vec<Issue>,
    path: &Path,
    record: &Value,
    url: &Url,
) -> Vec<RawPart> {
    let text = match path.path.query(record).first() {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::String(s)) if s.trim().is_empty() => return Vec::new(),
        Some(Value::String(s)) => s,
        Some(other) => {
            let kind = match other {
                Value::Object(_) => "an object",
                Value::Array(_) => "an array",
                _ => "a scalar",
            };
            issues.push(Issue::new(
                url.as_str(),
                format!(
                    "`publiccode`: path `{}` matched {kind}, expected publiccode.yml text; ignored",
                    path.text
                ),
            ));
            return Vec::new();
        }
    };
    match publiccode::parse(text.as_bytes(), url) {
        Ok(pc) => {
            for (field, values) in pc.fields {
                let have = fields.entry(field.clone()).or_default();
                if have.is_empty() {
                    *have = values;
                } else if is_list_field(&field) {
                    for v in values {
                        if !have.contains(&v) {
                            have.push(v);
                        }
                    }
                }
            }
            pc.organisations
        }
        Err(reason) => {
            issues.push(Issue::new(
                url.as_str(),
                format!(
                    "`publiccode`: invalid publiccode.yml: {reason}; the record is kept without it"
                ),
            ));
            Vec::new()
        }
    }
}

/// Adds a matched node: scalars as their text, arrays flattened, objects and nulls skipped.
fn add_node(fields: &mut Fields, field: &str, node: &Value, url: &Url) {
    match node {
        Value::String(s) => mapping::add_value(fields, field, s, url),
        Value::Number(n) => mapping::add_value(fields, field, &n.to_string(), url),
        Value::Bool(b) => mapping::add_value(fields, field, &b.to_string(), url),
        Value::Array(items) => items.iter().for_each(|v| add_node(fields, field, v, url)),
        Value::Object(_) | Value::Null => {}
    }
}

/// The next page URL of `doc`, if any.
fn next_url(src: &JsonSource, url: &Url, doc: &Value) -> Result<Option<Url>, String> {
    let Some(next) = &src.next else {
        return Ok(None);
    };
    match next.path.query(doc).first() {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => url
            .join(s.trim())
            .map(Some)
            .map_err(|e| format!("`next` path `{}` gave `{s}`, not a URL: {e}", next.text)),
        Some(other) => Err(format!(
            "`next` path `{}` gave `{other}`, expected a URL string or null",
            next.text
        )),
    }
}

/// Fetches every page of every feed and extracts the records.
pub(crate) async fn walk<P: Pages>(
    src: &JsonSource,
    pages: &P,
    max_pages: usize,
) -> Result<Harvest, SourceError> {
    let mut out = Collector::default();
    let mut pager = Pager::new(max_pages);
    for start in &src.urls {
        let mut listing = Listing::new(start.clone());
        while let Some(url) = listing.next(&mut pager, &mut out)? {
            let Some(page) = pages::get_or_skip(pages, &url, &mut out).await? else {
                break;
            };
            let parsed = parse_page(src, &page.url, &page.body, listing.on_first_page())?;
            out.extend(parsed.records, parsed.issues);
            listing.advance(&mut pager, &mut out, &page.url, parsed.next);
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests;
