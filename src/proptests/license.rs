//! SPDX normalisation: `normalise::license::normalise` never panics, and what it gives is a
//! strict SPDX expression that normalises to itself and that `is_open` can judge.

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::select;

use super::{config, soup};
use crate::normalise::license::{is_no_assertion, is_open, normalise};

/// Every SPDX licence and exception id.
static IDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.name)
        .chain(spdx::identifiers::EXCEPTIONS.iter().map(|e| e.name))
        .collect()
});

/// Every SPDX licence full name.
static FULL_NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.full_name)
        .collect()
});

/// Words of common licence names, operators, brackets, quotes and markers.
const BITS: &[&str] = &[
    "MIT",
    "mit",
    "Apache",
    "apache 2",
    "Apache License, Version 2.0",
    "GPL",
    "gpl",
    "GNU",
    "General Public License",
    "Affero",
    "Lesser",
    "AGPLv3+",
    "LGPL-2.1-or-later",
    "GPL-2.0+",
    "GPL-3.0",
    "v3",
    "v2.1",
    "2",
    "2.0",
    "3.0",
    "version",
    "only",
    "or later",
    "or-later",
    "ou ultérieure",
    "o posterior",
    "+",
    " OR ",
    " or ",
    " AND ",
    " and ",
    " WITH ",
    " with ",
    "/",
    ",",
    "(",
    ")",
    "\"",
    "'",
    " ",
    "-",
    "::",
    "License :: OSI Approved :: ",
    "LicenseRef-x",
    "DocumentRef-a:LicenseRef-b",
    "Classpath-exception-2.0",
    "CC BY-SA 4.0",
    "CC-BY",
    "Creative Commons",
    "BSD",
    "BSD 3-Clause",
    "Licence Ouverte 2.0",
    "licence",
    "etalab",
    "EUPL 1.2",
    "MPL2",
    "NOASSERTION",
    "NONE",
    "none",
    "other",
    "0",
    "é",
    "\u{0}",
];

fn raw() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        3 => select(BITS).prop_map(str::to_owned),
        2 => select(IDS.clone()).prop_map(str::to_owned),
        1 => select(FULL_NAMES.clone()).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        prop::collection::vec(word, 1..6).prop_map(|w| w.concat()),
        (
            select(IDS.clone()),
            select(&[" OR ", " AND ", " WITH ", " or ", "/", ", ", "+"][..]),
            select(IDS.clone())
        )
            .prop_map(|(a, op, b)| format!("{a}{op}{b}")),
        soup(BITS, 8),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn normalise_never_panics_and_is_a_fixed_point(s in raw()) {
        let _ = is_no_assertion(&s);
        let _ = is_open(&s);
        if let Some(out) = normalise(&s) {
            prop_assert!(
                spdx::Expression::parse(&out).is_ok(),
                "{:?} from {:?} is not strict SPDX", out, s
            );
            prop_assert!(is_open(&out).is_some(), "{:?} from {:?}", out, s);
            prop_assert_eq!(normalise(&out), Some(out.clone()), "not a fixed point from {:?}", s);
        }
    }
}

/// Found by `normalise_never_panics_and_is_a_fixed_point`: a classifier ending in a marker of
/// no licence gave `NOASSERTION` (an SPDX id too), which normalises to nothing.
#[test]
fn a_classifier_naming_no_licence_is_none() {
    assert_eq!(normalise("::NOASSERTION"), None);
    assert_eq!(
        normalise("License :: Other/Proprietary License :: none"),
        None
    );
    assert_eq!(
        normalise("License :: OSI Approved :: MIT License"),
        Some("MIT".into())
    );
}
