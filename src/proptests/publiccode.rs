//! publiccode.yml: `kinds::forge::publiccode::parse` over arbitrary bytes and YAML-ish text
//! (indentation, flow collections, tags, anchors and aliases, merge keys, documents).
//!
//! Alias expansion is kept small here on purpose (few lines, short scalars): an anchor bomb
//! exhausts memory rather than panicking, and bounding it is deliverable 3 of issue 16.

use proptest::prelude::*;
use proptest::sample::select;
use url::Url;

use serde_json::{Value, json};

use super::{byte_soup, bytes, config, is_clean, json_string, json_value, soup};
use crate::kinds::forge::publiccode::parse;

const KEYS: &[&str] = &[
    "publiccodeYmlVersion",
    "name",
    "description",
    "en",
    "en-GB",
    "it",
    "localisedName",
    "shortDescription",
    "longDescription",
    "categories",
    "intendedAudience",
    "countries",
    "localisation",
    "availableLanguages",
    "legal",
    "license",
    "repoOwner",
    "mainCopyrightOwner",
    "organisation",
    "landingURL",
    "usedBy",
    "maintenance",
    "contractors",
    "fundedBy",
    "uri",
    "riuso",
    "codiceIPA",
    "<<",
    "? complex",
    "\"quoted key\"",
    "",
];

const SCALARS: &[&str] = &[
    "\"0.2\"",
    "0.4",
    "Decidim",
    "'It''s'",
    "\"\\u0000\\ud800\"",
    "\"unterminated",
    "'unterminated",
    "~",
    "null",
    "true",
    "0x1F",
    "1e400",
    ".nan",
    "-.inf",
    "18446744073709551616",
    "!!binary aGVsbG8=",
    "!!str 12",
    "!!int x",
    "!!map {}",
    "!custom x",
    "[a, b, c]",
    "[gov, \"transportation\", 3]",
    "{a: 1, b: [x]}",
    "[",
    "{",
    "|",
    ">-",
    "- item",
    "AGPL-3.0-or-later",
    "https://decidim.org",
    "/relative",
    "IT",
    "fr",
    "\u{feff}",
    "é",
    "#comment",
    "@reserved",
    "`reserved",
    "%",
    "",
];

/// Aliases, in flow collections and merge keys too (at most two per line: no anchor bomb).
const ALIASES: &[&str] = &["*a", "*b", "*c", "[*a, *b]", "{<<: *a}", "*undefined"];

/// One YAML-ish line: indentation, a key or a list item, anchors, aliases, a scalar.
fn yaml_line() -> impl Strategy<Value = String> {
    (
        0..4usize,
        prop_oneof![
            4 => select(KEYS).prop_map(|k| format!("{k}:")),
            1 => Just("-".to_owned()),
            1 => Just("---".to_owned()),
            1 => Just("...".to_owned()),
            1 => Just("%YAML 1.2".to_owned()),
            1 => Just("%TAG ! tag:x,2000:".to_owned()),
        ],
        prop::option::of(select(&["&a", "&b", "&c"][..])),
        prop_oneof![
            4 => select(SCALARS).prop_map(str::to_owned),
            1 => select(ALIASES).prop_map(str::to_owned),
            1 => soup(super::TEXT_BITS, 3),
        ],
    )
        .prop_map(|(indent, head, anchor, value)| {
            let anchor = anchor.map_or(String::new(), |a| format!(" {a}"));
            format!("{}{head}{anchor} {value}", "  ".repeat(indent))
        })
}

/// A YAML-ish document: often a valid header, then generated lines.
pub(super) fn yamlish() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(yaml_line(), 0..16),
        select(&["\n", "\r\n", "\r"][..]),
    )
        .prop_map(|(header, lines, end)| {
            let mut out = String::new();
            if header {
                out.push_str("publiccodeYmlVersion: \"0.4\"\nname: Decidim\n");
            }
            out.push_str(&lines.join(end));
            out
        })
}

/// A file shaped like the standard, every value generated (any JSON type where text is
/// expected), written out by the YAML serialiser.
fn structured() -> impl Strategy<Value = String> {
    let v = || prop_oneof![3 => json_string().prop_map(Value::from), 1 => json_value()];
    (
        (v(), v(), v(), v()),
        (v(), v(), v(), v()),
        (select(&["en", "en-GB", "it", "fr", ""][..]), v(), v()),
    )
        .prop_map(|(a, b, c)| {
            let (version, name, short, long) = a;
            let (license, owner, categories, landing) = b;
            let (lang, countries, languages) = c;
            let doc = json!({
                "publiccodeYmlVersion": version,
                "name": name,
                "description": {
                    lang: {
                        "localisedName": short,
                        "shortDescription": short,
                        "longDescription": long,
                    }
                },
                "legal": { "license": license, "repoOwner": owner, "mainCopyrightOwner": owner },
                "organisation": { "name": owner, "uri": landing },
                "maintenance": { "contractors": [{ "name": owner, "website": landing }] },
                "IT": { "riuso": { "codiceIPA": version } },
                "usedBy": categories,
                "categories": categories,
                "intendedAudience": { "countries": countries },
                "localisation": { "availableLanguages": languages },
                "landingURL": landing,
            });
            serde_yaml_ng::to_string(&doc).unwrap_or_default()
        })
}

/// A valid file whose values are shared through anchors and aliases (and a merge key).
fn with_aliases() -> impl Strategy<Value = String> {
    let lang = select(&["en", "it"][..]);
    (json_string(), json_string(), json_string(), lang)
        .prop_map(|(name, desc, license, lang)| aliased(&name, &desc, &license, lang))
}

/// A publiccode.yml that names `name` once and refers to it by alias three times.
fn aliased(name: &str, desc: &str, license: &str, lang: &str) -> String {
    // JSON strings are YAML double-quoted scalars.
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let (name, desc, license) = (q(name), q(desc), q(license));
    [
        "publiccodeYmlVersion: \"0.4\"".to_owned(),
        format!("name: &n {name}"),
        "legal: &legal".to_owned(),
        format!("  license: &l {license}"),
        "  repoOwner: *n".to_owned(),
        "legal2:".to_owned(),
        "  <<: *legal".to_owned(),
        "description:".to_owned(),
        format!("  {lang}: &d"),
        "    localisedName: *n".to_owned(),
        format!("    shortDescription: {desc}"),
        "    longDescription: *l".to_owned(),
        "  other: *d".to_owned(),
        "categories: [*n, *l, *n]".to_owned(),
        "organisation: {name: *n}".to_owned(),
    ]
    .join("\n")
}

/// The canonical fields a publiccode.yml may fill.
const FIELDS: &[&str] = &[
    "name",
    "description",
    "categories",
    "countries",
    "languages",
    "license",
    "organizations",
    "homepage",
];

fn check(bytes: &[u8]) {
    let base = Url::parse("https://github.com/decidim/decidim").unwrap();
    let Ok(pc) = parse(bytes, &base) else {
        return;
    };
    let fields = pc.fields;
    for org in &pc.organisations {
        assert!(org.role.is_some(), "{org:?}");
        for v in org.fields.values().flatten() {
            assert!(is_clean(v), "organisation: unclean value {v:?}");
        }
    }
    // A file without a name is invalid, so a parsed one has exactly one.
    assert_eq!(fields.get("name").map(Vec::len), Some(1), "{fields:?}");
    for (field, values) in &fields {
        assert!(
            FIELDS.contains(&field.as_str()),
            "unexpected field `{field}`"
        );
        for v in values {
            assert!(is_clean(v), "field `{field}`: unclean value {v:?}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn publiccode_parse_never_panics_on_arbitrary_bytes(body in bytes(1024)) {
        check(&body);
    }

    #[test]
    fn publiccode_parse_never_panics_on_yaml_soup(
        body in byte_soup(
            &[b": ", b"- ", b"\n", b"  ", b"&a ", b"*a", b"<<: ", b"[", b"]", b"{", b"}", b",",
              b"\"", b"'", b"!!", b"---\n", b"? ", b"|\n", b"#", b"\t", b"\xEF\xBB\xBF", b"\xff",
              b"publiccodeYmlVersion", b"name", b"description", b"en"],
            64,
        ),
    ) {
        check(&body);
    }

    #[test]
    fn publiccode_parse_keeps_its_invariants_over_yamlish_text(text in yamlish()) {
        check(text.as_bytes());
    }

    #[test]
    fn publiccode_parse_keeps_its_invariants_over_structured_files(
        text in prop_oneof![structured(), with_aliases()],
    ) {
        check(text.as_bytes());
    }
}

#[test]
fn aliases_and_merge_keys_are_read() {
    let text = aliased(
        "Decidim",
        "Participatory democracy",
        "AGPL-3.0-or-later",
        "it",
    );
    let base = Url::parse("https://github.com/decidim/decidim").unwrap();
    let fields = parse(text.as_bytes(), &base).unwrap().fields;
    assert_eq!(fields["name"], ["Decidim"]);
    assert_eq!(fields["description"], ["Participatory democracy"]);
    assert_eq!(fields["license"], ["AGPL-3.0-or-later"]);
    assert_eq!(fields["organizations"], ["Decidim"]);
    assert_eq!(
        fields["categories"],
        ["Decidim", "AGPL-3.0-or-later", "Decidim"]
    );
}
