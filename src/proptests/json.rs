//! `json` kind: `kinds::json::parse_page` with fixed declarations, over arbitrary bytes,
//! JSON-ish byte soup and structured arbitrary JSON documents, on arbitrary page URLs.

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};
use url::Url;

use super::{byte_soup, bytes, check_record, config, json_value};
use crate::kinds::json::{JsonSource, parse_page};
use crate::kinds::{self, Source};

/// `next` links, a publiccode.yml text node, list and link fields, a recursive descent.
const NEXT_DECL: &str = r#"
    url = "https://registry.test/v1/tools"
    records = "$.data"
    next = "$.links.next"
    publiccode = "$.publiccode"
    [fields]
    record_id = "$.id"
    name = "$.name"
    description = "$.description"
    homepage = "$.website"
    repository = "$.repositories[*].url"
    license = "$.license[*].spdx"
    tags = "$..tags[*]"
    categories = "$.sectors"
    logo = "$.logo"
    stars = "$.stats.stars"
"#;

/// Offset paging, a filter, a union and a recursive descent.
const OFFSET_DECL: &str = r#"
    url = "https://registry.test/v1/tools"
    records = "$[*]"
    offset = { param = "offset", step = 500 }
    [fields]
    record_id = "$.id"
    name = "$['name','title']"
    homepage = "$..url"
    organizations = "$.organizations[?@.name].name"
    description = "$.items[-1:]"
"#;

fn source(decl: &str) -> JsonSource {
    match kinds::build("json", toml::from_str(decl).unwrap()).unwrap() {
        Source::Json(s) => s,
        other => panic!("not a json source: {other:?}"),
    }
}

/// Page URLs as a server may redirect to them, offsets near `u64::MAX` included.
fn page_url() -> impl Strategy<Value = Url> {
    let offset = prop_oneof![
        any::<u64>(),
        Just(u64::MAX),
        (u64::MAX - 1000)..=u64::MAX,
        0..10_000u64
    ];
    prop_oneof![
        Just("https://registry.test/v1/tools".to_owned()),
        Just("https://registry.test/v1/tools?page[size]=2&x".to_owned()),
        Just("http://127.0.0.1:8080/a/b/".to_owned()),
        offset.prop_map(|n| format!("https://registry.test/v1/tools?offset={n}")),
        "-?[0-9]{1,25}".prop_map(|n| format!("https://registry.test/v1/tools?offset={n}")),
    ]
    .prop_map(|u| Url::parse(&u).unwrap())
}

static NEXT_SOURCE: LazyLock<JsonSource> = LazyLock::new(|| source(NEXT_DECL));
static OFFSET_SOURCE: LazyLock<JsonSource> = LazyLock::new(|| source(OFFSET_DECL));

fn sources() -> impl Strategy<Value = &'static JsonSource> {
    prop_oneof![Just(&*NEXT_SOURCE), Just(&*OFFSET_SOURCE)]
}

/// The keys the declarations read in a record.
const RECORD_KEYS: &[&str] = &[
    "id",
    "name",
    "title",
    "description",
    "website",
    "repositories",
    "license",
    "tags",
    "sectors",
    "logo",
    "stats",
    "url",
    "organizations",
    "items",
    "publiccode",
];

/// A record object with the keys the declarations read, each with an arbitrary value.
fn record() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (
            select(RECORD_KEYS),
            prop_oneof![
                2 => super::json_string().prop_map(Value::from),
                1 => json_value(),
                1 => prop::collection::vec(
                    prop_oneof![
                        super::json_string()
                            .prop_map(|s| json!({ "url": s, "spdx": s, "name": s })),
                        json_value(),
                    ],
                    0..3,
                ).prop_map(Value::Array),
            ],
        ),
        0..8,
    )
    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

/// Runs `parse_page` and checks what it returns.
fn check(src: &JsonSource, url: &Url, body: &[u8], first: bool) {
    if let Ok(page) = parse_page(src, url, body, first) {
        for record in &page.records {
            check_record(record, url);
        }
        for issue in &page.issues {
            assert_eq!(issue.url, url.as_str());
        }
    }
}

/// JSON syntax, escapes that are invalid in UTF-8 or JSON, BOMs and deep nesting.
const JSON_BITS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"\"",
    b"\"data\"",
    b"\"links\"",
    b"\"next\"",
    b"\"name\"",
    b"\"id\"",
    b"\"tags\"",
    b"\"publiccode\"",
    b"\"https://registry.test/p2\"",
    b"null",
    b"true",
    b"-0",
    b"1e999999",
    b"18446744073709551616",
    b"\\u0000",
    b"\\ud800",
    b"\\udc00\\ud800",
    b"\\",
    b"\xEF\xBB\xBF",
    b"\xff",
    b"\xc3",
    b" ",
    b"\n",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_page_never_panics_on_arbitrary_bytes(
        src in sources(),
        url in page_url(),
        body in bytes(2048),
        first in any::<bool>(),
    ) {
        check(src, &url, &body, first);
    }

    #[test]
    fn parse_page_never_panics_on_json_soup(
        src in sources(),
        url in page_url(),
        body in byte_soup(JSON_BITS, 64),
        first in any::<bool>(),
    ) {
        check(src, &url, &body, first);
    }

    #[test]
    fn parse_page_keeps_clean_records_over_arbitrary_documents(
        src in sources(),
        url in page_url(),
        doc in json_value(),
        records in prop::collection::vec(prop_oneof![3 => record(), 1 => json_value()], 0..4),
        next in prop_oneof![json_value(), select(super::URL_BITS).prop_map(Value::from)],
        bom in any::<bool>(),
        first in any::<bool>(),
    ) {
        // Both the document as generated and one shaped like a registry page.
        let shaped = json!({ "data": records.clone(), "links": { "next": next } });
        for doc in [doc, shaped, Value::Array(records)] {
            let mut body = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            body.extend(serde_json::to_vec(&doc).unwrap());
            check(src, &url, &body, first);
        }
    }

    #[test]
    fn parse_page_reads_publiccode_text_nodes(
        url in page_url(),
        yaml in super::publiccode::yamlish(),
        name in super::json_string(),
    ) {
        let doc = json!({ "data": [{ "id": 1, "name": name, "publiccode": yaml }] });
        check(&NEXT_SOURCE, &url, &serde_json::to_vec(&doc).unwrap(), true);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [127, 128, 129, 10_000, 200_000] {
        let mut body = "[".repeat(depth).into_bytes();
        body.extend("]".repeat(depth).into_bytes());
        let url = Url::parse("https://registry.test/v1/tools").unwrap();
        check(&NEXT_SOURCE, &url, &body, true);
        check(&OFFSET_SOURCE, &url, &body, true);
    }
}

/// Found by `parse_page_keeps_clean_records_over_arbitrary_documents` (shrunk: the offset
/// declaration, page URL `?offset=18446744073709551615`, body
/// `{"data":[],"links":{"next":null}}`, `first = false`): `records = "$[*]"` matches the two
/// values of the object, so the page has records and `next_offset` computes `current + step`,
/// which overflows (a panic in debug builds; in release builds a wrap to offset 499, i.e.
/// paging starts over).
#[test]
fn offset_near_u64_max_does_not_overflow() {
    let url = Url::parse("https://registry.test/v1/tools?offset=18446744073709551615").unwrap();
    let body = br#"{"data":[],"links":{"next":null}}"#;
    let page = parse_page(&OFFSET_SOURCE, &url, body, false).unwrap();
    assert_eq!(page.next, None, "paging ends instead of wrapping around");
}
