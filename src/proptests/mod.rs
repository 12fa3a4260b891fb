//! Property tests of the parsers that read untrusted input (issue 16, deliverable 4): fetched
//! bodies, response headers and the values sources give. Each file drives one parser through
//! the crate's own entry points with arbitrary bytes or text and with generated input shaped
//! like the real thing, and asserts that it never panics and keeps the invariants it
//! documents (clean values, idempotent canonical forms, fragment-free next pages, …).
//!
//! * `cargo test` runs every property with [`DEFAULT_CASES`] cases (a fixed budget, a few
//!   seconds in all); `CIVICRAWL_FUZZ_CASES=N` overrides it, and `scripts/fuzz.sh` runs the
//!   module with a large budget in release mode.
//! * A failing input is shrunk and its seed saved under `proptest-regressions/proptests/`
//!   (kept in git: proptest replays those seeds first). Every input that ever failed is also
//!   an explicit `#[test]` in the file of its target; one that panics in code owned
//!   elsewhere is `#[ignore]`d with the reason, and the property skips that input class
//!   (a `known_panic` helper next to it) until the code is fixed.

mod csv;
mod headers;
mod html;
mod json;
mod license;
mod publiccode;
mod robots;
mod url;
mod values;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

/// Cases per property when `CIVICRAWL_FUZZ_CASES` is not set.
pub(crate) const DEFAULT_CASES: u32 = 256;

/// The environment variable that sets the number of cases per property.
pub(crate) const CASES_ENV: &str = "CIVICRAWL_FUZZ_CASES";

/// The runner configuration of every property: the case budget from [`CASES_ENV`], else
/// [`DEFAULT_CASES`]; failures persisted beside the source (`proptest-regressions/`).
pub(crate) fn config() -> ProptestConfig {
    let cases = std::env::var(CASES_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Text made of `fragments` (picked often), arbitrary characters and printable ASCII runs:
/// input near the syntax a parser expects, with noise in between.
pub(crate) fn soup(fragments: &'static [&'static str], max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(
        prop_oneof![
            4 => select(fragments).prop_map(str::to_owned),
            1 => any::<char>().prop_map(String::from),
            1 => "[ -~]{0,6}",
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
    .boxed()
}

/// Bytes made of `fragments` (which may be invalid UTF-8) and arbitrary bytes.
pub(crate) fn byte_soup(fragments: &'static [&'static [u8]], max: usize) -> BoxedStrategy<Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => select(fragments).prop_map(<[u8]>::to_vec),
            1 => prop::collection::vec(any::<u8>(), 0..4),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
    .boxed()
}

/// Arbitrary bytes, up to `max`.
pub(crate) fn bytes(max: usize) -> BoxedStrategy<Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max).boxed()
}

/// Text that stresses whitespace handling, escapes and Unicode, for string leaves.
pub(crate) const TEXT_BITS: &[&str] = &[
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{feff}",
    "\u{200b}",
    "\u{0}",
    "\u{7f}",
    "é",
    "ß",
    "İ",
    "ﬁ",
    "日本",
    "🦀",
    "\u{301}",
    "\u{202e}",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "<b>",
    "\"",
    "'",
    "\\",
    "%",
    "%00",
    "%zz",
    "Decidim",
    "CONSUL",
    "MIT",
    "GPL-3.0",
    "2024-01-31",
    "1",
    "-1",
    "1e309",
];

/// URL-ish values: absolute, relative, protocol-relative, odd schemes, private addresses,
/// out-of-range ports, broken escapes.
pub(crate) const URL_BITS: &[&str] = &[
    "",
    " ",
    "#",
    "#frag",
    "?",
    "?page=2",
    "/",
    "//",
    "///",
    "/tools/2",
    "./x",
    "../",
    "../../../../etc/passwd",
    "//other.test/p",
    "https://registry.test/v1/tools?page=2",
    "https://github.com/decidim/decidim",
    "https://github.com/decidim/decidim.git",
    "https://gitlab.com/group/sub/project/-/tree/main",
    "https://codeberg.org/x/y",
    "https://user.github.io/proj/",
    "https://www.www.example.org/",
    "http://[::1]:8080/",
    "http://[fe80::1%25eth0]/",
    "http://127.0.0.1/",
    "http://0x7f.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://a b/",
    "https://exämple.test/ü?ä=ö#ß",
    "https://dir.test:99999/",
    "https://dir.test:0/",
    "https://u:p@dir.test/",
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "mailto:a@b.test",
    "file:///etc/passwd",
    "http:",
    "https:/x",
    "\\\\evil.test\\x",
    "%2e%2e/",
    "%zz",
    "\u{0}",
    "\t/x\n",
];

/// Keys that real JSON records and JSON-LD nodes use.
pub(crate) const JSON_KEYS: &[&str] = &[
    "data",
    "links",
    "next",
    "items",
    "id",
    "name",
    "title",
    "description",
    "website",
    "url",
    "repositories",
    "license",
    "spdx",
    "tags",
    "sectors",
    "logo",
    "stats",
    "stars",
    "organizations",
    "publiccode",
    "@type",
    "@graph",
    "@context",
    "codeRepository",
    "programmingLanguage",
    "author",
    "publisher",
    "inLanguage",
    "",
];

/// A string leaf: text, a URL-ish value or a number-like value.
pub(crate) fn json_string() -> BoxedStrategy<String> {
    prop_oneof![
        soup(TEXT_BITS, 6),
        select(URL_BITS).prop_map(str::to_owned),
        select(JSON_KEYS).prop_map(str::to_owned),
        Just("SoftwareApplication".to_owned()),
        any::<String>(),
    ]
    .boxed()
}

/// Arbitrary JSON values whose keys are mostly the ones parsers look for.
pub(crate) fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(u64::MAX), Just(0), Just(1)].prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        json_string().prop_map(Value::String),
    ];
    let key = prop_oneof![
        4 => select(JSON_KEYS).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    leaf.prop_recursive(6, 96, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// True when `value` is what `mapping::clean_text` leaves: not empty, trimmed, every run of
/// whitespace one space.
pub(crate) fn is_clean(value: &str) -> bool {
    !value.is_empty() && value.split_whitespace().collect::<Vec<_>>().join(" ") == value
}

/// Asserts the invariants every kind's records keep (`kinds::mapping`): values cleaned and
/// never empty, the record id set and not among the fields, the page URL as source.
pub(crate) fn check_record(record: &crate::model::RawRecord, page: &::url::Url) {
    assert!(!record.record_id.is_empty(), "empty record id: {record:?}");
    assert_eq!(record.source_url, page.as_str());
    assert!(
        !record.fields.is_empty(),
        "record without fields: {record:?}"
    );
    assert!(!record.fields.contains_key("record_id"), "{record:?}");
    for (field, values) in &record.fields {
        assert!(!values.is_empty(), "field `{field}` without values");
        for v in values {
            assert!(is_clean(v), "field `{field}`: unclean value {v:?}");
        }
    }
}
