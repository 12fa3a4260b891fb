//! Response headers: the `Link` parser (`kinds::forge::api::link_next`), the `Retry-After`
//! parser (`crawl::retry::parse_retry_after`) and the rate-limit headers
//! (`crawl::ratelimit::detect`, `read_budget`, `pause_before`, `limit_wait`, a `Lane`), with
//! huge and negative numbers and HTTP dates far in the past and the future.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use proptest::sample::select;

use super::{config, soup};
use crate::crawl::ApiLimits;
use crate::crawl::ratelimit::{Lane, detect, limit_wait, pause_before, read_budget};
use crate::crawl::retry::parse_retry_after;
use crate::kinds::forge::api::link_next;

/// The last second `httpdate` can write (9999-12-31T23:59:59Z).
const MAX_HTTP_DATE_SECS: u64 = 253_402_300_799;

/// A clock reading: around now, at the epoch, or far before and after it.
fn now() -> impl Strategy<Value = SystemTime> {
    prop_oneof![
        (0..=MAX_HTTP_DATE_SECS).prop_map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        (1_700_000_000..1_900_000_000u64).prop_map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        (0..=(1u64 << 40)).prop_map(|s| UNIX_EPOCH - Duration::from_secs(s)),
        Just(UNIX_EPOCH),
    ]
}

/// Numbers as header values: exact, huge, negative, fractional, padded, signed.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        prop_oneof![
            Just(u64::MAX),
            Just(i64::MAX as u64),
            Just(i64::MAX as u64 + 1),
            0..120u64,
            (i64::MAX as u64 - 10)..=(i64::MAX as u64 + 10),
        ]
        .prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9]{19,40}",
        "-[0-9]{1,25}",
        "[+ ]?[0-9]{1,3}(\\.[0-9]{1,3})? ?",
        Just("0x10".to_owned()),
        Just("1e3".to_owned()),
        Just("".to_owned()),
    ]
}

/// `Retry-After` values: numbers, HTTP dates in the three formats, far dates, noise.
fn retry_after() -> impl Strategy<Value = String> {
    prop_oneof![
        number(),
        (0..=MAX_HTTP_DATE_SECS)
            .prop_map(|s| httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(s))),
        Just("Sun, 06 Nov 1994 08:49:37 GMT".to_owned()),
        Just("Sunday, 06-Nov-94 08:49:37 GMT".to_owned()),
        Just("Sun Nov  6 08:49:37 1994".to_owned()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
        Just("Mon, 01 Jan 0001 00:00:00 GMT".to_owned()),
        Just("Sat, 29 Feb 2025 00:00:00 GMT".to_owned()),
        Just("Wed, 25 Nov 2026 03:00:60 GMT".to_owned()),
        soup(
            &[
                "Mon, ", "Sun, ", "01 ", "31 ", "Jan ", "Feb ", "1970 ", "9999 ", "10000 ",
                "00:00:00", "23:59:60", " GMT", " UTC", "-", ",", " "
            ],
            8,
        ),
        any::<String>(),
    ]
}

/// Rate-limit and other headers, names in any case.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = select(
        &[
            "x-ratelimit-remaining",
            "X-RateLimit-Remaining",
            "x-ratelimit-reset",
            "X-RATELIMIT-RESET",
            "ratelimit-remaining",
            "ratelimit-reset",
            "RateLimit-Reset",
            "retry-after",
            "Retry-After",
            "x-ratelimit-limit",
            "x-ratelimit-used",
            "link",
        ][..],
    );
    let value = prop_oneof![3 => number(), 1 => retry_after()];
    prop::collection::vec((name.prop_map(str::to_owned), value), 0..6)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn link_next_never_panics_and_returns_a_bracketed_target(
        link in soup(
            &["<", ">", ";", ",", " ", "rel=\"next\"", "rel=next", "REL=\"NEXT\"", "rel=\"prev\"",
              "rel=\"next last\"", "https://api.github.com/x?page=2", "\"", "=", "é", "\u{0}"],
            16,
        ),
    ) {
        if let Some(target) = link_next(&link) {
            prop_assert!(link.contains(&format!("<{target}>")), "{target:?} from {link:?}");
        }
    }

    #[test]
    fn link_next_finds_the_first_next_of_a_well_formed_header(
        links in prop::collection::vec(
            (
                "[a-z0-9/?=&:.%_-]{0,24}",
                select(&["next", "prev", "last", "first", "NEXT"][..]),
                any::<bool>(),
            ),
            0..6,
        ),
    ) {
        let header = links
            .iter()
            .map(|(url, rel, quoted)| {
                let rel = if *quoted { format!("\"{rel}\"") } else { (*rel).to_owned() };
                format!("<{url}>; rel={rel}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let want = links
            .iter()
            .find(|(_, rel, _)| rel.eq_ignore_ascii_case("next"))
            .map(|(url, _, _)| url.clone());
        prop_assert_eq!(link_next(&header), want, "{}", header);
    }

    #[test]
    fn retry_after_never_panics_and_means_what_it_says(value in retry_after(), now in now()) {
        let wait = parse_retry_after(&value, now);
        if let Ok(secs) = value.trim().parse::<u64>() {
            prop_assert_eq!(wait, Some(Duration::from_secs(secs)));
        } else if let Ok(at) = httpdate::parse_http_date(value.trim()) {
            prop_assert_eq!(wait, Some(at.duration_since(now).unwrap_or(Duration::ZERO)));
        } else {
            prop_assert_eq!(wait, None);
        }
    }

    #[test]
    fn rate_limit_headers_never_panic(
        status in prop_oneof![
            select(&[200u16, 403, 429, 304, 503][..]),
            any::<u16>(),
        ],
        headers in headers(),
        body in prop_oneof![
            Just(Vec::new()),
            Just(b"API rate limit exceeded".to_vec()),
            Just(br#"{"errors": [{"type": "RATE_LIMITED"}]}"#.to_vec()),
            super::bytes(128),
        ],
        now in now(),
        n in any::<u32>(),
    ) {
        let signal = detect(status, &headers, &body, now);
        match status {
            429 => prop_assert!(signal.is_some()),
            200..=299 | 403 => {}
            _ => prop_assert!(signal.is_none()),
        }
        let limits = ApiLimits::default();
        let wait = limit_wait(&limits, signal.flatten(), n);
        prop_assert!(wait >= limits.backoff_floor.min(limits.default_wait));
        let _ = pause_before(&read_budget(&headers), now);
        let lane = Lane::default();
        lane.observe(&headers);
        let _ = lane.take_pause(now);
    }
}

/// Found by `rate_limit_headers_never_panic` (and named in issue 16; shrunk: status 200,
/// `x-ratelimit-reset: 9223372036854775808`, empty body, `now` = the epoch): a reset above
/// `i64::MAX` seconds made `read_budget` compute `UNIX_EPOCH + Duration::from_secs(s)`,
/// which panicked ("overflow when adding duration to instant"), in release builds too.
/// Fixed in f68e2ee (the reset saturates).
#[test]
fn reset_above_i64_max_does_not_panic() {
    let headers = vec![(
        "x-ratelimit-reset".to_owned(),
        "9223372036854775808".to_owned(),
    )];
    assert_eq!(detect(200, &headers, b"", UNIX_EPOCH), None);
    let lane = Lane::default();
    lane.observe(&headers);
}
