//! Date parsing used by normalisation (`normalise::values::datetime`: RFC 3339, `YYYY-MM-DD`,
//! `YYYY-MM-DD HH:MM:SS`, epoch seconds or milliseconds), and the other scalar parsers of
//! `normalise::values` (numbers, booleans, Wikidata ids, tags), over arbitrary text and
//! generated dates with extreme years, offsets, leap seconds and huge epoch numbers.

use chrono::{Datelike, SecondsFormat, Timelike};
use proptest::prelude::*;
use proptest::sample::select;

use super::{config, soup};
use crate::normalise::values::{boolean, datetime, integer, tag, wikidata};

/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` and RFC 3339 shapes with out-of-range parts.
fn date_like() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            0..=9999i32,
            -300_000..300_000i32,
            Just(i32::MAX),
            Just(i32::MIN)
        ],
        0..14u32,
        0..33u32,
        prop::option::of((
            0..26u32,
            0..62u32,
            0..62u32,
            prop::option::of("[0-9]{1,30}"),
        )),
        select(&["T", "t", " ", "_"][..]),
        select(
            &[
                "", "Z", "z", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "+99:99", "+0100",
                "+01",
            ][..],
        ),
    )
        .prop_map(|(y, mo, d, time, sep, offset)| {
            let date = if (0..=9999).contains(&y) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:+}-{mo:02}-{d:02}")
            };
            match time {
                None => date,
                Some((h, mi, s, frac)) => {
                    let frac = frac.map_or(String::new(), |f| format!(".{f}"));
                    format!("{date}{sep}{h:02}:{mi:02}:{s:02}{frac}{offset}")
                }
            }
        })
}

/// Epoch numbers: seconds, milliseconds, the extremes of `i64`, signed, padded.
fn epoch_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(i64::MIN + 1),
            Just(-100_000_000_000),
            Just(99_999_999_999),
            Just(100_000_000_000),
            -10_000_000_000_000i64..10_000_000_000_000,
        ]
        .prop_map(|n| n.to_string()),
        "[+-]?0*[0-9]{1,20}",
        " *-?[0-9]{11,13} *",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        date_like(),
        epoch_like(),
        soup(
            &[
                "2024",
                "-",
                "01",
                "31",
                "T",
                ":",
                "00",
                "60",
                "Z",
                "+",
                ".",
                " ",
                "1e3",
                "Q",
                "42",
                "/",
                "https://www.wikidata.org/entity/",
                ",",
                "_",
                "0x",
                "true",
                "Oui",
                "é",
                "\u{0}"
            ],
            12,
        ),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn datetime_never_panics_and_round_trips(s in text()) {
        if let Some(d) = datetime(&s) {
            prop_assert_eq!(d.nanosecond(), 0, "not truncated to seconds: {}", d);
            // Its RFC 3339 form (4-digit years) reads back as the same instant.
            if (0..=9999).contains(&d.year()) {
                let again = d.to_rfc3339_opts(SecondsFormat::Secs, true);
                prop_assert_eq!(datetime(&again), Some(d), "{}", again);
            }
        }
    }

    #[test]
    fn scalar_parsers_never_panic(s in text()) {
        let _ = integer(&s);
        let _ = boolean(&s);
        if let Some(q) = wikidata(&s) {
            prop_assert!(q.starts_with('Q') && q[1..].bytes().all(|b| b.is_ascii_digit()), "{}", q);
            prop_assert_eq!(wikidata(&q), Some(q.clone()));
        }
        let t = tag(&s);
        prop_assert_eq!(tag(&t), t.clone(), "tag not idempotent");
        prop_assert!(!t.starts_with('-') && !t.ends_with('-') && !t.contains("--"), "{}", t);
    }
}

/// Found by `datetime_never_panics_and_round_trips`: `i64::MIN` as epoch seconds overflowed
/// `n.abs()` (a panic in debug builds).
#[test]
fn the_smallest_epoch_number_is_no_date() {
    assert_eq!(datetime("-9223372036854775808"), None);
    assert_eq!(datetime("9223372036854775807"), None);
    assert_eq!(
        datetime("-100000000000").map(|d| d.timestamp()),
        Some(-100_000_000)
    );
}
