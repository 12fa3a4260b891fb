//! robots.txt: `crawl::robots::Robots::parse`, `allows` and `crawl_delay` over arbitrary
//! bytes and generated robots.txt files, asked about arbitrary URLs and paths.

use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;

use super::{URL_BITS, byte_soup, bytes, config, soup};
use crate::crawl::robots::Robots;

const URL: &str = "https://dir.test/robots.txt";

/// Rule patterns: wildcards, end anchors, escapes, Unicode, very long runs.
const PATTERN_BITS: &[&str] = &[
    "/",
    "*",
    "$",
    "/*",
    "*$",
    "/private",
    "/tools/",
    "?",
    "=",
    "&",
    "%2F",
    "%2f",
    "%",
    "%zz",
    "%C3%A9",
    "é",
    ".",
    "..",
    "\\",
    "(",
    ")",
    "[",
    "]",
    "{2}",
    "+",
    "^",
    "|",
    "#",
    " ",
    "\u{0}",
    "**********",
];

/// A robots.txt line: a directive (in any case, with or without spaces), a value, a comment.
fn line() -> impl Strategy<Value = String> {
    (
        select(
            &[
                "User-agent:",
                "user-agent :",
                "USER-AGENT:",
                "Useragent:",
                "Disallow:",
                "disallow :",
                "Allow:",
                "Crawl-delay:",
                "crawl-delay:",
                "Sitemap:",
                "Host:",
                "Request-rate:",
                "",
                "#",
            ][..],
        ),
        prop_oneof![
            select(
                &[
                    "*",
                    "civicrawl",
                    "CiviCrawl/1.0",
                    "civicrawl-bot",
                    "other",
                    ""
                ][..]
            )
            .prop_map(str::to_owned),
            soup(PATTERN_BITS, 6),
            select(
                &[
                    "1",
                    "1.5",
                    "0",
                    "-1",
                    "NaN",
                    "inf",
                    "-inf",
                    "1e39",
                    "1e-50",
                    "99999999999",
                    "3.4028236e38",
                    "0x10",
                    " 2 ",
                ][..],
            )
            .prop_map(str::to_owned),
        ],
        prop::option::of(soup(&["#", " ", "comment"], 3)),
        select(&["\n", "\r\n", "\r", "\u{0}"][..]),
    )
        .prop_map(|(directive, value, comment, end)| {
            let comment = comment.map_or(String::new(), |c| format!(" #{c}"));
            format!("{directive} {value}{comment}{end}")
        })
}

fn robots_txt() -> impl Strategy<Value = Vec<u8>> {
    (any::<bool>(), prop::collection::vec(line(), 0..24)).prop_map(|(bom, lines)| {
        let mut out = if bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        out.extend(lines.concat().into_bytes());
        out
    })
}

/// URLs and paths to ask about.
fn target() -> impl Strategy<Value = String> {
    prop_oneof![
        select(URL_BITS).prop_map(str::to_owned),
        soup(PATTERN_BITS, 8),
        soup(PATTERN_BITS, 8).prop_map(|p| format!("https://dir.test{p}")),
        any::<String>(),
    ]
}

fn check(body: &[u8], targets: &[String]) {
    let robots = Robots::parse(URL, body);
    for t in targets {
        let _ = robots.allows(t);
    }
    // robots.txt itself is always allowed (else a crawler could never read new rules).
    assert!(robots.allows(URL));
    if let Some(delay) = robots.crawl_delay() {
        assert!(delay > Duration::ZERO, "{delay:?}");
    }
    if let Robots::AllowAll = robots {
        assert!(targets.iter().all(|t| robots.allows(t)));
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn robots_never_panic_on_arbitrary_bytes(
        body in bytes(2048),
        targets in prop::collection::vec(target(), 0..4),
    ) {
        check(&body, &targets);
    }

    #[test]
    fn robots_never_panic_on_generated_files(
        body in robots_txt(),
        targets in prop::collection::vec(target(), 0..8),
    ) {
        check(&body, &targets);
    }

    #[test]
    fn robots_never_panic_on_directive_soup(
        body in byte_soup(
            &[b"User-agent: ", b"civicrawl", b"*", b"Disallow: ", b"Allow: ", b"Crawl-delay: ",
              b"/", b"$", b"\n", b"\r", b"\x00", b"\xff", b"#", b":", b" ", b"1e40"],
            48,
        ),
        targets in prop::collection::vec(target(), 0..4),
    ) {
        check(&body, &targets);
    }
}

#[test]
fn a_huge_pattern_does_not_blow_up() {
    let mut body = b"User-agent: *\nDisallow: /".to_vec();
    body.extend("*a".repeat(100_000).into_bytes());
    body.push(b'\n');
    check(&body, &["https://dir.test/aaaa".to_owned()]);
}
