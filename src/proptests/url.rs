//! URL canonicalisation: `normalise::url::canonical` (never panics, gives an absolute http(s)
//! URL without fragment, and is idempotent) and `normalise::url::find_urls` (gives pieces of
//! its input), plus the predicates that read canonical URLs.

use proptest::prelude::*;
use proptest::sample::select;

use super::{URL_BITS, config, soup};
use crate::normalise::url::{canonical, find_urls, forge_owner, is_forge_project, is_shared_host};

/// URLs assembled from parts that each rule of `canonical` looks at.
fn url_like() -> impl Strategy<Value = String> {
    let scheme = select(
        &[
            "https://",
            "http://",
            "HTTPS://",
            "HtTp://",
            "//",
            "",
            "ftp://",
            "javascript:",
            "https:",
            "https:///",
            " https://",
        ][..],
    );
    let userinfo = select(&["", "user@", "u:p@", ":@", "@", "a%40b@"][..]);
    let label = select(
        &[
            "www",
            "WWW",
            "github",
            "gitlab",
            "gitea",
            "forgejo",
            "codeberg",
            "com",
            "org",
            "io",
            "github.io",
            "blogspot",
            "sites.google",
            "example",
            "decidim",
            "xn--bcher-kva",
            "bücher",
            "例え",
            "127.0.0.1",
            "0x7f",
            "1",
            "",
            "-",
            "a-",
            "xn--",
            "ß",
        ][..],
    );
    let host = prop_oneof![
        prop::collection::vec(label, 1..5).prop_map(|l| l.join(".")),
        select(
            &[
                "[::1]",
                "[fe80::1]",
                "[::ffff:127.0.0.1]",
                "localhost",
                "a..b",
                "."
            ][..]
        )
        .prop_map(str::to_owned),
    ];
    let trailing = select(&["", ".", ".."][..]);
    let port = select(
        &[
            "",
            ":",
            ":0",
            ":80",
            ":443",
            ":8080",
            ":65535",
            ":65536",
            ":99999999999",
        ][..],
    );
    let segment = select(
        &[
            "",
            ".",
            "..",
            "%2e",
            "%2E%2e",
            ".%2e",
            "-",
            "tree",
            "blob",
            "main",
            "a.git",
            ".git",
            "..git",
            "...git",
            "%2e.git",
            "%2E%2E.git",
            "~user",
            "orgs",
            "users",
            "topics",
            "A",
            "Decidim",
            "é",
            "%C3%A9",
            "%20",
            " ",
            "x;y",
            "%2F",
            "a%2fb",
            "index.html",
            "?",
        ][..],
    );
    let path = prop::collection::vec(segment, 0..6).prop_map(|s| {
        if s.is_empty() {
            String::new()
        } else {
            format!("/{}", s.join("/"))
        }
    });
    let query = prop::option::of(
        prop::collection::vec(
            (
                select(
                    &[
                        "utm_source",
                        "UTM_MEDIUM",
                        "pk_campaign",
                        "fbclid",
                        "gclid",
                        "id",
                        "page",
                        "",
                        "a",
                    ][..],
                ),
                select(&["", "=", "=1", "=x=y", "=%26"][..]),
            )
                .prop_map(|(k, v)| format!("{k}{v}")),
            0..4,
        )
        .prop_map(|pairs| pairs.join("&")),
    );
    let fragment = prop::option::of(select(&["", "top", "/path", "#"][..]));
    (
        scheme,
        userinfo,
        host,
        trailing,
        port,
        path,
        any::<bool>(),
        query,
        fragment,
    )
        .prop_map(
            |(scheme, userinfo, host, trailing, port, path, slash, query, fragment)| {
                let mut out = format!("{scheme}{userinfo}{host}{trailing}{port}{path}");
                if slash {
                    out.push('/');
                }
                if let Some(q) = query {
                    out.push('?');
                    out.push_str(&q);
                }
                if let Some(f) = fragment {
                    out.push('#');
                    out.push_str(f);
                }
                out
            },
        )
}

/// Free text around URLs: separators, the characters trimmed from a URL's end.
const PROSE_BITS: &[&str] = &[
    "http://", "https://", "HTTP://", " ", ",", ";", ".", ")", "]", ">", "\"", "'", "(", "\n",
    "\u{a0}", "é", "x.org", "/p",
];

fn any_url() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => url_like(),
        1 => select(URL_BITS).prop_map(str::to_owned),
        1 => soup(URL_BITS, 4),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn canonical_is_idempotent_and_absolute(input in any_url()) {
        let _ = is_shared_host(&input);
        if let Ok(once) = canonical(&input) {
            prop_assert!(
                once.starts_with("https://") || once.starts_with("http://"),
                "{} from {:?}", once, input
            );
            prop_assert!(!once.contains('#'), "fragment kept: {}", once);
            prop_assert!(::url::Url::parse(&once).is_ok(), "{} does not parse", once);
            let twice = canonical(&once);
            prop_assert_eq!(twice.as_ref(), Ok(&once), "not idempotent from {:?}", input);
            let _ = is_forge_project(&once);
            let _ = forge_owner(&once);
            let _ = is_shared_host(&once);
        }
    }

    #[test]
    fn find_urls_gives_pieces_of_its_input(
        text in prop_oneof![
            soup(PROSE_BITS, 16),
            prop::collection::vec(any_url(), 0..4).prop_map(|u| u.join(" ")),
            any::<String>(),
        ],
    ) {
        let found = find_urls(&text);
        prop_assert_eq!(found.is_empty(), text.trim().is_empty());
        for u in &found {
            prop_assert!(!u.is_empty());
            prop_assert!(text.contains(u.as_str()), "{:?} is not in {:?}", u, text);
        }
    }
}

/// Found by `canonical_is_idempotent_and_absolute`: trimming the dots of `github.127.0.0.1..`
/// (a domain) left `github.127.0.0.1`, which no URL parser accepts (it ends like an IPv4
/// address but is none). Now refused.
#[test]
fn trailing_dots_do_not_leave_a_malformed_ipv4_host() {
    assert!(canonical("https://github.127.0.0.1..").is_err());
}

/// Found by `canonical_is_idempotent_and_absolute`: `0x7f..` is a domain, `0x7f` the IPv4
/// address 0.0.0.127; the output used to be `https://0x7f`, canonicalised again to
/// `https://0.0.0.127`.
#[test]
fn trailing_dots_give_the_host_as_it_reads_without_them() {
    assert_eq!(canonical("https://0x7f..").unwrap(), "https://0.0.0.127");
    assert_eq!(canonical("https://0.0.0.127").unwrap(), "https://0.0.0.127");
    assert_eq!(
        canonical("https://Example.ORG../a/").unwrap(),
        "https://example.org/a"
    );
}

/// Found by `canonical_is_idempotent_and_absolute`: only one `www.` was dropped, so
/// `www.www.example.org` gave `www.example.org`, then `example.org`.
#[test]
fn every_leading_www_is_dropped() {
    assert_eq!(
        canonical("https://www.www.example.org/").unwrap(),
        "https://example.org"
    );
    assert_eq!(canonical("https://www.www./").unwrap(), "https://www");
}

/// Found by `canonical_is_idempotent_and_absolute`: `..git` lost `.git` and left a `.`
/// segment in a forge path (`/-/` makes any host GitLab), which the URL parser then dropped:
/// `https://www/tree/.`, then `https://www/tree`.
#[test]
fn forge_paths_keep_no_dot_segments() {
    let once = canonical("https://www/tree/..git/-").unwrap();
    assert_eq!(once, "https://www/tree");
    assert_eq!(canonical(&once).unwrap(), once);
    assert_eq!(
        canonical("https://github.com/decidim/%2E.git").unwrap(),
        "https://github.com/decidim"
    );
}
