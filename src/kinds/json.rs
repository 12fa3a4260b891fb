//! `json` sources: feeds and registries read with RFC 9535 JSONPath (SPEC section 4 `json`),
//! e.g. the DPG registry, code.json inventories, Developers Italia.
//!
//! Each URL of `url`/`urls` is a first page; `records` selects the record list on every page
//! (default `$[*]`; a single array node is taken element by element), `next` the next page
//! URL (relative URLs resolve against the page URL; absent, `null` or `""` ends the chain).
//! `fields` maps canonical fields to JSONPaths evaluated with `$` = the record.

use serde_json::Value;
use serde_json_path::JsonPath;
use toml::Table;
use url::Url;

use super::decl::{self, lower_first};
use super::mapping::{self, Collector, Fields};
use super::pages::{self, Admit, Pager, Pages};
use super::{Harvest, SourceError};
use crate::model::{RawRecord, is_list_field};
use crate::report::Issue;

/// Declaration keys of a `json` source besides the common keys:
///
/// * `url` (string) or `urls` (array of strings): the first page of each feed;
/// * `records` (JSONPath, default `$[*]`): the record list on a page;
/// * `next` (JSONPath, optional): the next page URL on a page;
/// * `fields` (table): canonical field = JSONPath, `$` being the record.
pub const KEYS: &[&str] = &["url", "urls", "records", "next", "fields"];

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
    /// Canonical field → path, in canonical field order.
    fields: Vec<(String, Path)>,
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
    let mut fields = Vec::new();
    for (field, text) in decl::take_fields(&mut table, &mut errs) {
        if let Some(path) = compile(&format!("fields.{field}"), &text, &mut errs) {
            fields.push((field, path));
        }
    }
    decl::reject_rest(table, "json", &mut errs);
    match records {
        Some(records) if errs.is_empty() => Ok(JsonSource {
            urls,
            records,
            next,
            fields,
        }),
        _ => Err(errs),
    }
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
    let mut page = JsonPage {
        next: next_url(src, url, &doc).map_err(fail)?,
        ..JsonPage::default()
    };
    for record in records {
        let (fields, pending) = extract_record(src, url, record);
        if let Some(r) = mapping::finish_record(fields, url, None, pending, &mut page.issues) {
            page.records.push(r);
        }
    }
    Ok(page)
}

/// The fields of one record node, and the issues found on the way.
fn extract_record(src: &JsonSource, url: &Url, record: &Value) -> (Fields, Vec<Issue>) {
    let mut fields = Fields::new();
    let mut issues = Vec::new();
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
    (fields, issues)
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
        let mut current = start.clone();
        let mut first = true;
        loop {
            if pager.admit(&current)? == Admit::Seen {
                break;
            }
            let Some(page) = pages::get_or_skip(pages, &current, &mut out).await? else {
                break;
            };
            pager.also_seen(&page.url);
            let parsed = parse_page(src, &page.url, &page.body, first)?;
            first = false;
            out.extend(parsed.records, parsed.issues);
            match parsed.next {
                Some(next) if pager.is_seen(&next) => {
                    out.issue(pages::loop_issue(&page.url, &next));
                    break;
                }
                Some(next) => current = next,
                None => break,
            }
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::{BASE, FakePages, Reply, block_on, fixture, fixture_bytes, url};

    const DPG: &str = r#"
        url = "https://registry.test/v1/dpgs"
        records = "$.data"
        next = "$.links.next"
        [fields]
        record_id = "$.id"
        name = "$.name"
        description = "$.description"
        homepage = "$.website"
        repository = "$.repositories[*].url"
        license = "$.license[*].spdx"
        organizations = "$.organizations[*].name"
        categories = "$.sectors"
        tags = "$.aliases[*]"
    "#;

    const PAGE_2: &str = "/v1/dpgs?page[after]=WyIyMDIzLTAxLTAxIiwiYmxvb2QiXQ%3D%3D&page[size]=2";
    const PAGE_3: &str = "/v1/dpgs?page[after]=WyIyMDIzLTAxLTAzIiwiZGVjaWRpbSJd&page[size]=2";

    fn source(toml_text: &str) -> JsonSource {
        build(toml::from_str(toml_text).unwrap()).unwrap()
    }

    fn build_errors(toml_text: &str) -> Vec<String> {
        build(toml::from_str(toml_text).unwrap()).unwrap_err()
    }

    fn dpg_pages() -> FakePages {
        FakePages::default()
            .body(
                &format!("{BASE}/v1/dpgs"),
                fixture_bytes("json", "dpg-page-1.json"),
            )
            .body(
                &format!("{BASE}{PAGE_2}"),
                fixture_bytes("json", "dpg-page-2.json"),
            )
            .body(
                &format!("{BASE}{PAGE_3}"),
                fixture_bytes("json", "dpg-page-3.json"),
            )
    }

    #[test]
    fn dpg_page_gives_scalars_lists_and_drops_empty_values() {
        let src = source(DPG);
        let page_url = url("/v1/dpgs");
        let page = parse_page(
            &src,
            &page_url,
            fixture("json", "dpg-page-1.json").as_bytes(),
            true,
        )
        .unwrap();
        assert_eq!(page.records.len(), 2);
        assert!(page.issues.is_empty(), "{:?}", page.issues);
        let aam = &page.records[0];
        assert_eq!(aam.record_id, "aam-digital");
        assert_eq!(aam.source_url, page_url.as_str());
        assert!(!aam.fields.contains_key("record_id"));
        assert_eq!(aam.all("name"), ["Aam Digital"]);
        assert_eq!(
            aam.first("description"),
            Some(
                "Case management software for social organisations. Keeps track of participants, activities and progress."
            )
        );
        assert_eq!(aam.all("homepage"), ["https://www.aam-digital.com"]);
        assert_eq!(aam.all("license"), ["GPL-3.0"]);
        assert_eq!(
            aam.all("repository"),
            ["https://github.com/Aam-Digital/ndb-core"]
        );
        assert_eq!(
            aam.all("organizations"),
            ["Aam Digital GmbH", "Help Foundation"]
        );
        assert_eq!(
            aam.all("categories"),
            ["Gender and Minority Groups", "Education"]
        );
        assert!(
            !aam.fields.contains_key("tags"),
            "aliases [\"\"] gives no value"
        );

        let bsis = &page.records[1];
        assert_eq!(bsis.record_id, "blood-safety-information-system");
        assert!(!bsis.fields.contains_key("homepage"), "no `website`");
        assert!(
            !bsis.fields.contains_key("repository"),
            "`url: \"\"` is no value"
        );
        assert!(!bsis.fields.contains_key("categories"), "`sectors: []`");
        assert_eq!(bsis.all("tags"), ["BSIS", "Blood Safety"]);

        let next = page.next.unwrap();
        assert_eq!(
            next.as_str(),
            format!("{BASE}{PAGE_2}"),
            "relative query string resolved"
        );
    }

    #[test]
    fn numbers_and_booleans_become_their_json_text() {
        let src = source(
            r#"
            url = "https://registry.test/repos.json"
            [fields]
            name = "$.full_name"
            stars = "$.stargazers_count"
            forks = "$.forks_count"
            archived = "$.archived"
            updated_at = "$.pushed_at"
            tags = "$.topics"
            languages = "$.langs[*]"
            "#,
        );
        let body = br#"[{"full_name": "etalab/transport-site", "stargazers_count": 102,
            "forks_count": 3.5, "archived": false, "pushed_at": null,
            "topics": ["gtfs", ["nested", {"skip": 1}], 7, true], "langs": [{"code": "fr"}]}]"#;
        let page = parse_page(&src, &url("/repos.json"), body, true).unwrap();
        let r = &page.records[0];
        assert_eq!(r.all("stars"), ["102"]);
        assert_eq!(r.all("forks"), ["3.5"]);
        assert_eq!(r.all("archived"), ["false"]);
        assert!(!r.fields.contains_key("updated_at"), "null is no value");
        assert_eq!(r.all("tags"), ["gtfs", "nested", "7", "true"]);
        assert!(
            !r.fields.contains_key("languages"),
            "objects in a list field are skipped"
        );
        assert!(page.issues.is_empty(), "{:?}", page.issues);
    }

    #[test]
    fn an_object_for_a_scalar_field_is_an_issue_not_an_error() {
        let src = source(DPG);
        let body = fixture_bytes("json", "dpg-page-3.json");
        let page = parse_page(&src, &url(PAGE_3), &body, false).unwrap();
        let consul = &page.records[0];
        assert_eq!(consul.record_id, "consul-democracy");
        assert!(!consul.fields.contains_key("name"));
        assert_eq!(consul.all("homepage"), ["https://consuldemocracy.org"]);
        assert_eq!(page.issues.len(), 1);
        let issue = &page.issues[0];
        assert_eq!(issue.record_id.as_deref(), Some("consul-democracy"));
        assert_eq!(issue.field.as_deref(), Some("name"));
        assert!(
            issue
                .message
                .contains("`fields.name`: path `$.name` matched an object")
        );
        assert!(page.next.is_none(), "`next: null` ends the chain");
    }

    #[test]
    fn walk_follows_three_pages_and_reports_the_duplicate_id() {
        let pages = dpg_pages();
        let harvest = block_on(walk(&source(DPG), &pages, MAX_PAGES_FOR_TESTS)).unwrap();
        assert_eq!(
            pages.requests(),
            [
                format!("{BASE}/v1/dpgs"),
                format!("{BASE}{PAGE_2}"),
                format!("{BASE}{PAGE_3}")
            ]
        );
        let ids: Vec<&str> = harvest
            .records
            .iter()
            .map(|r| r.record_id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "aam-digital",
                "blood-safety-information-system",
                "10003",
                "decidim",
                "consul-democracy"
            ]
        );
        assert_eq!(
            harvest.records[0].first("name"),
            Some("Aam Digital"),
            "the first is kept"
        );
        assert_eq!(
            harvest.records[2].all("repository"),
            [
                "https://github.com/fxi/AccessMod_shiny",
                "https://github.com/fxi/AccessMod_doc"
            ]
        );
        let dup: Vec<_> = harvest
            .issues
            .iter()
            .filter(|i| i.message.contains("duplicate record id `aam-digital`"))
            .collect();
        assert_eq!(dup.len(), 1);
        assert_eq!(dup[0].url, format!("{BASE}{PAGE_3}"));
        assert!(harvest.robots_skipped.is_empty());
    }

    const MAX_PAGES_FOR_TESTS: usize = 100;

    #[test]
    fn a_next_loop_stops_without_refetching() {
        let src = source(
            r#"
            url = "https://registry.test/loop/a.json"
            records = "$.data[*]"
            next = "$.links.next"
            [fields]
            record_id = "$.id"
            name = "$.name"
            "#,
        );
        let pages = FakePages::default()
            .body(
                &format!("{BASE}/loop/a.json"),
                fixture_bytes("json", "dpg-loop-a.json"),
            )
            .body(
                &format!("{BASE}/loop/b.json"),
                fixture_bytes("json", "dpg-loop-b.json"),
            );
        let harvest = block_on(walk(&src, &pages, MAX_PAGES_FOR_TESTS)).unwrap();
        assert_eq!(
            pages.requests(),
            [format!("{BASE}/loop/a.json"), format!("{BASE}/loop/b.json")]
        );
        assert_eq!(harvest.records.len(), 2);
        assert_eq!(harvest.issues.len(), 1);
        assert!(harvest.issues[0].message.starts_with("pagination loop"));
    }

    #[test]
    fn the_page_cap_fails_the_source() {
        let err = block_on(walk(&source(DPG), &dpg_pages(), 2)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("{BASE}{PAGE_3}: page cap of 2 pages")),
            "{text}"
        );
    }

    #[test]
    fn malformed_json_names_the_url_line_and_column() {
        let src = source(
            r#"
            url = "https://registry.test/code.json"
            records = "$.releases[*]"
            [fields]
            name = "$.name"
            "#,
        );
        let body = fixture_bytes("json", "codejson-truncated.json");
        let err = parse_page(&src, &url("/code.json"), &body, true).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("https://registry.test/code.json: invalid JSON: "),
            "{text}"
        );
        assert!(text.contains("line 10 column 0"), "{text}");

        let empty = fixture_bytes("json", "codejson-empty.json");
        let err = parse_page(&src, &url("/code.json"), &empty, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "https://registry.test/code.json: `records` path `$.releases[*]` matches nothing on the first page"
        );
        let later = parse_page(&src, &url("/code.json"), &empty, false).unwrap();
        assert!(later.records.is_empty(), "a later page may be empty");
    }

    #[test]
    fn bare_array_uses_the_default_records_path_and_hashes_ids() {
        let src = source(
            r#"
            url = "https://registry.test/nominees/"
            [fields]
            record_id = "$.id"
            name = "$.name"
            homepage = "$.website"
            "#,
        );
        let body = fixture_bytes("json", "dpg-nominees.json");
        let page = parse_page(&src, &url("/nominees/"), &body, true).unwrap();
        assert_eq!(page.records.len(), 2);
        assert_eq!(page.records[0].record_id, "aajeevika");
        let nameless = &page.records[1];
        assert_eq!(nameless.record_id, mapping::content_hash(&nameless.fields));
        assert_eq!(nameless.record_id.len(), 16);
    }

    #[test]
    fn robots_refusal_is_skipped_and_other_errors_fail_the_source() {
        let src = source(DPG);
        let pages = FakePages::default().with(&format!("{BASE}/v1/dpgs"), Reply::Disallowed);
        let harvest = block_on(walk(&src, &pages, MAX_PAGES_FOR_TESTS)).unwrap();
        assert_eq!(harvest.robots_skipped, [format!("{BASE}/v1/dpgs")]);
        assert!(harvest.records.is_empty());

        let pages = FakePages::default()
            .body(
                &format!("{BASE}/v1/dpgs"),
                fixture_bytes("json", "dpg-page-1.json"),
            )
            .with(&format!("{BASE}{PAGE_2}"), Reply::Status(503));
        let err = block_on(walk(&src, &pages, MAX_PAGES_FOR_TESTS)).unwrap_err();
        assert!(matches!(err, SourceError::Fetch(_)));
        assert!(err.to_string().contains("HTTP 503"), "{err}");
    }

    #[test]
    fn a_next_value_that_is_not_a_string_fails_the_page() {
        let src = source(DPG);
        let body = br#"{"data": [{"id": "x", "name": "X"}], "links": {"next": 2}}"#;
        let err = parse_page(&src, &url("/v1/dpgs"), body, true).unwrap_err();
        assert!(
            err.to_string()
                .contains("`next` path `$.links.next` gave `2`"),
            "{err}"
        );
    }

    #[test]
    fn build_reports_every_problem_naming_its_key() {
        let errs = build_errors(
            r#"
            records = "$.data["
            next = "links.next"
            [fields]
            name = "$.na[me"
            colour = "$.colour"
            stars = 3
            "#,
        );
        assert_eq!(errs.len(), 6, "{errs:#?}");
        assert!(
            errs[0].starts_with("`url` or `urls` is required"),
            "{errs:#?}"
        );
        assert!(
            errs[1].starts_with("`records`: invalid JSONPath `$.data[`: "),
            "{errs:#?}"
        );
        assert!(
            errs[2].starts_with("`next`: invalid JSONPath `links.next`: "),
            "{errs:#?}"
        );
        let rest = &errs[3..];
        assert!(rest.iter().any(|e| e.starts_with(
            "`fields.colour`: unknown canonical field (expected one of record_id, name, description,"
        )));
        assert!(
            rest.iter()
                .any(|e| e == "`fields.stars`: expected a string, found integer")
        );
        assert!(
            rest.iter()
                .any(|e| e.starts_with("`fields.name`: invalid JSONPath `$.na[me`: "))
        );
    }

    #[test]
    fn build_checks_urls() {
        let errs = build_errors(
            r#"
            urls = ["https://ok.test/a.json", "not a url", "ftp://files.test/x.json"]
            [fields]
            name = "$.name"
            "#,
        );
        assert_eq!(errs.len(), 2, "{errs:#?}");
        assert!(
            errs[0].starts_with("`urls[1]`: invalid URL `not a url`: "),
            "{errs:#?}"
        );
        assert!(errs[1].starts_with("`urls[2]`: invalid URL `ftp://files.test/x.json`: "));
        let errs = build_errors(
            r#"
            url = "https://a.test/"
            urls = ["https://b.test/"]
            [fields]
            name = "$.name"
            "#,
        );
        assert_eq!(
            errs,
            ["`url` and `urls` cannot both be given; put every URL in `urls`"]
        );
        assert_eq!(
            build_errors("url = \"https://a.test/\""),
            [
                "`fields` is required: a table mapping canonical fields, e.g. `[fields]` with `name = ...`"
            ]
        );
    }
}
