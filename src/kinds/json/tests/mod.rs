//! `json` kind over the fixtures in `tests/fixtures/json/` (no server needed).

use super::*;
use crate::kinds::testutil::{BASE, FakePages, Reply, block_on, fixture, fixture_bytes, url};

mod decl;
mod parts;
mod publiccode;

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

/// A page cap well above what the fixtures need.
const MAX_PAGES_FOR_TESTS: usize = 100;

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
        text.starts_with(&format!("{BASE}{PAGE_3}: page cap of 2 requests")),
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
fn offset_paging_raises_the_parameter_until_a_page_is_empty() {
    let src = source(
        r#"
        url = "https://guide.test/api/v1/projects/export?limit=2&offset=0"
        records = "$.data"
        offset = { param = "offset", step = 2 }
        [fields]
        name = "$.title"
    "#,
    );
    let first = Url::parse("https://guide.test/api/v1/projects/export?limit=2&offset=0").unwrap();
    let page = parse_page(
        &src,
        &first,
        br#"{"data": [{"title": "A"}, {"title": "B"}]}"#,
        true,
    )
    .unwrap();
    assert_eq!(page.records.len(), 2);
    assert_eq!(
        page.next.unwrap().as_str(),
        "https://guide.test/api/v1/projects/export?limit=2&offset=2"
    );
    let last = Url::parse("https://guide.test/api/v1/projects/export?limit=2&offset=4").unwrap();
    let page = parse_page(&src, &last, br#"{"data": []}"#, false).unwrap();
    assert!(page.next.is_none(), "an empty page ends the feed");
}
