//! HTML: the `html` kind's `parse_listing` and `parse_detail` with fixed declarations, and the
//! `site` kind's `parse_page` (and `decode`), over arbitrary text and generated HTML: nested
//! and unclosed tags, `<base href>`, odd attributes and URLs, JSON-LD scripts.

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::select;
use url::Url;

use super::{URL_BITS, byte_soup, bytes, check_record, config, is_clean, json_value, soup};
use crate::kinds::html::HtmlSource;
use crate::kinds::html::extract::{Item, parse_detail, parse_listing};
use crate::kinds::site::extract::{decode, parse_page};
use crate::kinds::{self, Source};

fn source(decl: &str) -> HtmlSource {
    match kinds::build("html", toml::from_str(decl).unwrap()).unwrap() {
        Source::Html(s) => s,
        other => panic!("not an html source: {other:?}"),
    }
}

/// Fields read from each item, a next-page link.
static LISTING: LazyLock<HtmlSource> = LazyLock::new(|| {
    source(
        r#"
        start_urls = ["https://dir.test/tools/"]
        item = "li.tool, article"
        next_page = "a[rel=next]"
        [fields]
        record_id = "@data-id"
        name = "h1, a.name"
        homepage = "a.website@href"
        repository = "a[href*=git]@href"
        tags = "span.tag"
        logo = "img@src"
        description = "p"
        languages = "@lang"
        "#,
    )
});

/// Items that link to detail pages.
static DETAILS: LazyLock<HtmlSource> = LazyLock::new(|| {
    source(
        r#"
        start_urls = ["https://dir.test/tools/"]
        item = "li"
        next_page = "link[rel=next], a.next"
        detail = "a.details"
        [fields]
        name = "h1"
        homepage = "a.website@href"
        tags = ".tag"
        logo = "img@src"
        "#,
    )
});

fn sources() -> impl Strategy<Value = &'static HtmlSource> {
    prop_oneof![Just(&*LISTING), Just(&*DETAILS)]
}

/// Page URLs: a directory page with a query, loopback with a port, an IDN, a shared host.
fn page_url() -> impl Strategy<Value = Url> {
    select(
        &[
            "https://dir.test/tools/page/2?x=1",
            "http://127.0.0.1:8080/",
            "https://xn--exmple-cua.test/ä/",
            "https://user.github.io/proj/",
            "https://decidim.org/",
        ][..],
    )
    .prop_map(|u| Url::parse(u).unwrap())
}

const TAGS: &[&str] = &[
    "html",
    "head",
    "body",
    "base",
    "a",
    "li",
    "ul",
    "p",
    "span",
    "div",
    "img",
    "h1",
    "title",
    "meta",
    "link",
    "script",
    "style",
    "template",
    "table",
    "tr",
    "td",
    "form",
    "select",
    "option",
    "svg",
    "math",
    "iframe",
    "noscript",
    "textarea",
    "article",
    "frameset",
    "xmp",
    "plaintext",
    "nav",
    "br",
];

const ATTR_NAMES: &[&str] = &[
    "href",
    "src",
    "class",
    "rel",
    "name",
    "property",
    "content",
    "lang",
    "hreflang",
    "type",
    "charset",
    "data-id",
    "id",
    "HREF",
    "xmlns",
    "xlink:href",
    "",
];

const CLASS_BITS: &[&str] = &[
    "tool",
    "details",
    "website",
    "tag",
    "name",
    "next",
    "alternate",
    "og:title",
    "og:description",
    "og:image",
    "og:locale",
    "og:locale:alternate",
    "description",
    "application/ld+json",
    "fr",
    "en-GB",
    "x-default",
    "utf-8",
    "windows-1252",
];

/// An attribute value: a URL-ish value, a class-like word or noise.
fn attr_value() -> BoxedStrategy<String> {
    prop_oneof![
        select(URL_BITS).prop_map(str::to_owned),
        select(CLASS_BITS).prop_map(str::to_owned),
        soup(super::TEXT_BITS, 4),
    ]
    .boxed()
}

/// ` name="value"` in one of the quoting styles, or a bare name.
fn attribute() -> impl Strategy<Value = String> {
    (select(ATTR_NAMES), attr_value(), 0..5u8).prop_map(|(name, value, style)| match style {
        0 => format!(" {name}=\"{}\"", value.replace('"', "&quot;")),
        1 => format!(" {name}='{value}'"),
        2 => format!(" {name}={value}"),
        3 => format!(" {name}=\"{value}"),
        _ => format!(" {name}"),
    })
}

/// Text between tags: entities, stray `<` and `&`, Unicode.
fn text() -> BoxedStrategy<String> {
    soup(
        &[
            "Decidim",
            " ",
            "\n",
            "&amp;",
            "&lt;",
            "&#0;",
            "&#x110000;",
            "&nbsp;",
            "&",
            "<",
            "</",
            "-->",
            "]]>",
            "<!-- c -->",
            "é",
            "\u{0}",
            "\u{feff}",
            " | ",
            " - ",
        ],
        8,
    )
}

/// A JSON-LD script: a generated node, often typed as software.
fn json_ld() -> impl Strategy<Value = String> {
    (json_value(), json_value(), any::<bool>()).prop_map(|(a, b, graph)| {
        let node = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "SoftwareApplication",
            "name": a,
            "codeRepository": b,
            "license": "https://spdx.org/licenses/MIT.html",
        });
        let doc = if graph {
            serde_json::json!({ "@graph": [node, a] })
        } else {
            node
        };
        format!("<script type=\"application/ld+json\">{doc}</script>")
    })
}

/// A directory item as the declarations expect it, with generated parts: a name, links, tags,
/// a logo, a description, a detail link.
fn item() -> impl Strategy<Value = String> {
    (
        select(&["li", "article", "div"][..]),
        select(&["tool", "tool other", "Tool", ""][..]),
        prop::option::of(attr_value()),
        text(),
        prop::collection::vec(
            (
                select(&["website", "details", "name", ""][..]),
                attr_value(),
                text(),
            ),
            0..4,
        ),
        prop::collection::vec(text(), 0..3),
        prop::option::of(attr_value()),
    )
        .prop_map(|(tag, class, id, name, links, tags, logo)| {
            let quoted = |v: &str| v.replace('"', "&quot;");
            let id = id.map_or(String::new(), |v| format!(" data-id=\"{}\"", quoted(&v)));
            let links: String = links
                .iter()
                .map(|(c, h, t)| format!("<a class=\"{c}\" href=\"{}\">{t}</a>", quoted(h)))
                .collect();
            let tags: String = tags
                .iter()
                .map(|t| format!("<span class=\"tag\">{t}</span>"))
                .collect();
            let logo = logo.map_or(String::new(), |l| format!("<img src=\"{}\">", quoted(&l)));
            format!(
                "<{tag} class=\"{class}\"{id} lang=\"fr\"><h1>{name}</h1>{links}{tags}{logo}\
                 <p>{name}</p></{tag}>"
            )
        })
}

/// Openings that turn the rest of the page into a comment or text.
const UNCLOSED: &[&str] = &["<!--", "<![CDATA[", "<plaintext>", "<xmp>", "<textarea>"];

/// Nested elements, closed properly, not at all, wrongly or self-closed.
fn element() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        4 => text(),
        3 => item(),
        1 => json_ld(),
        1 => Just("<br>".to_owned()),
        1 => Just("<!DOCTYPE html>".to_owned()),
        1 => select(UNCLOSED).prop_map(str::to_owned),
        1 => select(URL_BITS).prop_map(|h| format!("<base href=\"{h}\">")),
        1 => select(URL_BITS).prop_map(|h| format!("<a class=next rel=next href=\"{h}\">n</a>")),
        1 => select(URL_BITS).prop_map(|h| format!("<a href=\"{h}\">{h}</a>")),
    ];
    leaf.prop_recursive(8, 96, 6, |inner| {
        (
            select(TAGS),
            prop::collection::vec(attribute(), 0..4),
            prop::collection::vec(inner, 0..6),
            0..5u8,
        )
            .prop_map(|(tag, attrs, children, close)| {
                let attrs = attrs.concat();
                let children = children.concat();
                match close {
                    0 | 1 => format!("<{tag}{attrs}>{children}</{tag}>"),
                    2 => format!("<{tag}{attrs}>{children}"),
                    3 => format!("<{tag}{attrs}>{children}</p></div>"),
                    _ => format!("<{tag}{attrs}/>{children}"),
                }
            })
    })
    .boxed()
}

/// A page: sometimes a head with a base, metas and a title, then generated elements.
fn page() -> impl Strategy<Value = String> {
    (
        prop::option::of(select(URL_BITS)),
        prop::collection::vec(
            (select(CLASS_BITS), soup(super::TEXT_BITS, 4))
                .prop_map(|(p, c)| format!("<meta property=\"{p}\" name=\"{p}\" content=\"{c}\">")),
            0..4,
        ),
        text(),
        prop::collection::vec(prop_oneof![item().boxed(), element()], 0..6),
    )
        .prop_map(|(base, metas, title, body)| {
            let base = base.map_or(String::new(), |h| format!("<base href=\"{h}\">"));
            format!(
                "<!DOCTYPE html><html lang=\"fr\"><head>{base}{}<title>{title}</title></head>\
                 <body>{}</body></html>",
                metas.concat(),
                body.concat()
            )
        })
}

/// Charset declarations and bytes that decode differently in each charset.
const CHARSET_BYTES: &[&[u8]] = &[
    b"<meta charset=\"",
    b"iso-8859-1",
    b"windows-1252",
    b"utf-8",
    b"\">",
    b"\xff",
    b"\xe9",
    b"\xEF\xBB\xBF",
    b"a",
];

const CONTENT_TYPE_BITS: &[&str] = &[
    "text/html",
    "; charset=",
    "ISO-8859-1",
    "latin1",
    "windows-1252",
    "utf-8",
    "\"",
    " ",
    "x-user-defined",
];

/// Runs both `html` entry points and the `site` extraction on one body, checking each.
fn check(src: &HtmlSource, url: &Url, body: &[u8]) {
    if let Ok(listing) = parse_listing(src, url, body) {
        for item in &listing.items {
            match item {
                Item::Record(r) => check_record(r, url),
                Item::Detail(link) => assert_eq!(link.fragment(), None, "{link}"),
            }
        }
        // Whether the next page is followed (same host) is the pagination engine's decision,
        // tested in `kinds::pages`.
        if let Some(next) = &listing.next {
            assert_eq!(next.fragment(), None, "{next}");
        }
    }
    let listed = Url::parse("https://dir.test/tools/listed").unwrap();
    let (record, _issues) = parse_detail(src, url, &listed, body);
    if let Some(r) = record {
        check_record(&r, url);
    }
    check_site(url, &String::from_utf8_lossy(body));
}

/// `site` extraction: values cleaned, unique per field, one value for scalar fields.
fn check_site(url: &Url, text: &str) {
    let facts = parse_page(url, text);
    for (field, values) in &facts.fields {
        assert!(!values.is_empty(), "field `{field}` without values");
        for (i, v) in values.iter().enumerate() {
            assert!(is_clean(v), "field `{field}`: unclean value {v:?}");
            assert!(!values[..i].contains(v), "field `{field}`: {v:?} twice");
        }
        if matches!(field.as_str(), "name" | "description" | "logo") {
            assert_eq!(values.len(), 1, "scalar field `{field}`: {values:?}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn html_extraction_never_panics_on_arbitrary_bytes(
        src in sources(),
        url in page_url(),
        body in bytes(2048),
    ) {
        check(src, &url, &body);
    }

    #[test]
    fn html_extraction_never_panics_on_tag_soup(
        src in sources(),
        url in page_url(),
        body in byte_soup(
            &[
                b"<", b">", b"</", b"/>", b"<a href=", b"<base href=", b"<li class=tool>",
                b"<article>", b"<a class=details href=", b"<a rel=next href=", b"\"", b"'",
                b"<script type=\"application/ld+json\">", b"</script>", b"{\"@type\":",
                b"<meta charset=", b"\xff", b"\xEF\xBB\xBF", b"&#", b"=",
            ],
            64,
        ),
    ) {
        check(src, &url, &body);
    }

    #[test]
    fn html_extraction_keeps_its_invariants_over_generated_pages(
        src in sources(),
        url in page_url(),
        body in page(),
    ) {
        check(src, &url, body.as_bytes());
    }

    #[test]
    fn site_decode_never_panics_and_keeps_text(
        body in byte_soup(CHARSET_BYTES, 48),
        content_type in prop::option::of(soup(CONTENT_TYPE_BITS, 5)),
    ) {
        let text = decode(&body, content_type.as_deref());
        // Every byte becomes at most one character (replacement or Latin-1).
        prop_assert!(text.chars().count() <= body.len());
    }
}
