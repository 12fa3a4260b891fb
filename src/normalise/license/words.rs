//! The licence names the project reads itself (data tables).

/// Values that say "no licence known": none, without an issue of their own kind.
pub(super) const NO_ASSERTION: &[&str] = &[
    "noassertion",
    "none",
    "other",
    "others",
    "unknown",
    "n/a",
    "na",
    "-",
    "0",
    "autre",
    "otra",
    "proprietary",
    "propriétaire",
    "propietaria",
    "see license",
    "see license file",
];

/// Names the project maps itself (lowercase, spaces collapsed) → SPDX id.
pub(super) const ALIASES: &[(&str, &str)] = &[
    ("licence ouverte", "etalab-2.0"),
    ("licence ouverte 2.0", "etalab-2.0"),
    ("licence ouverte v2.0", "etalab-2.0"),
    ("licence ouverte / open licence", "etalab-2.0"),
    ("licence ouverte / open licence 2.0", "etalab-2.0"),
    ("licence ouverte / open licence version 2.0", "etalab-2.0"),
    ("open licence 2.0", "etalab-2.0"),
    ("open license 2.0", "etalab-2.0"),
    ("etalab", "etalab-2.0"),
    ("etalab 2.0", "etalab-2.0"),
    ("etalab-2", "etalab-2.0"),
    ("licence etalab", "etalab-2.0"),
    ("mit/x11", "MIT"),
    ("licence mit/x11", "MIT"),
    ("mit/expat", "MIT"),
    ("expat", "MIT"),
    ("x11", "X11"),
    ("cc0", "CC0-1.0"),
    ("cc0 1.0", "CC0-1.0"),
    ("cc-0", "CC0-1.0"),
    ("cc zero", "CC0-1.0"),
    ("creative commons zero", "CC0-1.0"),
];
