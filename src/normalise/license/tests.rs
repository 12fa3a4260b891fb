//! Unit tests of `license`.

use super::*;

fn n(s: &str) -> Option<String> {
    normalise(s)
}

#[test]
fn deprecated_and_plus_ids_become_current_ids() {
    for (raw, want) in [
        ("GPL-3.0", "GPL-3.0-only"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("AGPL-3.0", "AGPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("LGPL-3.0", "LGPL-3.0-only"),
        ("GPL-3.0+", "GPL-3.0-or-later"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("AGPL-3.0+", "AGPL-3.0-or-later"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("gpl-3.0", "GPL-3.0-only"),
        ("mit", "MIT"),
        ("apache-2.0", "Apache-2.0"),
        ("CECILL-C", "CECILL-C"),
        ("cecill-2.1", "CECILL-2.1"),
        ("etalab-2.0", "etalab-2.0"),
    ] {
        assert_eq!(n(raw).as_deref(), Some(want), "{raw}");
    }
}

#[test]
fn valid_expressions_are_kept_with_upper_case_operators() {
    assert_eq!(n("MIT OR Apache-2.0").as_deref(), Some("MIT OR Apache-2.0"));
    assert_eq!(n("MIT or Apache-2.0").as_deref(), Some("MIT OR Apache-2.0"));
    assert_eq!(
        n("GPL-2.0-or-later WITH Classpath-exception-2.0").as_deref(),
        Some("GPL-2.0-or-later WITH Classpath-exception-2.0")
    );
    assert_eq!(
        n("(MIT AND BSD-3-Clause) OR GPL-3.0-only").as_deref(),
        Some("(MIT AND BSD-3-Clause) OR GPL-3.0-only")
    );
}

#[test]
fn common_names_map_to_spdx_ids() {
    for (raw, want) in [
        ("GNU Affero General Public License v3.0", "AGPL-3.0-only"),
        ("GNU General Public License v3.0", "GPL-3.0-only"),
        (
            "GNU General Public License v2.0 or later",
            "GPL-2.0-or-later",
        ),
        ("GNU GPL v2", "GPL-2.0-only"),
        ("GNU Lesser General Public License v2.1", "LGPL-2.1-only"),
        (
            "GNU Affero General Public License v3.0 (AGPL-3.0)",
            "AGPL-3.0-only",
        ),
        ("Apache 2", "Apache-2.0"),
        ("Apache License 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("apache V2.0", "Apache-2.0"),
        ("Apache", "Apache-2.0"),
        ("MIT License", "MIT"),
        ("The MIT License (MIT)", "MIT"),
        ("Licence MIT/X11", "MIT"),
        ("Expat", "MIT"),
        ("BSD 3-Clause", "BSD-3-Clause"),
        (
            "BSD 3-Clause \"New\" or \"Revised\" License",
            "BSD-3-Clause",
        ),
        ("BSD-2-Clause \"Simplified\" License", "BSD-2-Clause"),
        ("New BSD License", "BSD-3-Clause"),
        ("Mozilla Public License 2.0", "MPL-2.0"),
        ("MPL2", "MPL-2.0"),
        ("EUPL 1.2", "EUPL-1.2"),
        ("EUPL", "EUPL-1.2"),
        ("European Union Public Licence v. 1.2", "EUPL-1.2"),
        ("Licence Ouverte 2.0", "etalab-2.0"),
        ("Licence Ouverte / Open Licence 2.0", "etalab-2.0"),
        ("Etalab 2.0", "etalab-2.0"),
        ("CC BY 4.0", "CC-BY-4.0"),
        ("CC-BY-SA 4.0", "CC-BY-SA-4.0"),
        (
            "Creative Commons Attribution 4.0 International",
            "CC-BY-4.0",
        ),
        (
            "Creative Commons Attribution-ShareAlike 3.0",
            "CC-BY-SA-3.0",
        ),
        ("CC0", "CC0-1.0"),
        ("GPL2", "GPL-2.0-only"),
        ("GPL V2.0", "GPL-2.0-only"),
        ("GPLv3", "GPL-3.0-only"),
        ("GPLv2+", "GPL-2.0-or-later"),
        ("AGPLv3+", "AGPL-3.0-or-later"),
        ("AGPL3", "AGPL-3.0-only"),
        ("LGPL2.1", "LGPL-2.1-only"),
        ("LGPL-v2.1", "LGPL-2.1-only"),
        ("LGPL V2", "LGPL-2.0-only"),
        ("License :: OSI Approved :: MIT License", "MIT"),
        ("Open Database License", "ODbL-1.0"),
    ] {
        assert_eq!(n(raw).as_deref(), Some(want), "{raw}");
    }
}

#[test]
fn gnu_names_without_a_version_allow_any_version() {
    assert_eq!(n("GPL").as_deref(), Some("GPL-1.0-or-later"));
    assert_eq!(n("LGPL").as_deref(), Some("LGPL-2.0-or-later"));
    assert_eq!(n("AGPL").as_deref(), Some("AGPL-3.0-or-later"));
}

#[test]
fn lists_of_names_become_expressions() {
    assert_eq!(
        n("GPL2 / LGPL2").as_deref(),
        Some("GPL-2.0-only OR LGPL-2.0-only")
    );
    assert_eq!(
        n("LGPL/GPL/MPL").as_deref(),
        Some("LGPL-2.0-or-later OR GPL-1.0-or-later OR MPL-2.0")
    );
    assert_eq!(n("MIT and CC-BY-4.0").as_deref(), Some("MIT AND CC-BY-4.0"));
    assert_eq!(
        n("GNU GPL v3 or later, CC BY-SA 4.0").as_deref(),
        Some("GPL-3.0-or-later AND CC-BY-SA-4.0")
    );
}

#[test]
fn no_assertion_other_and_unparseable_give_nothing() {
    for raw in [
        "",
        " ",
        "NOASSERTION",
        "other",
        "Other",
        "NONE",
        "0",
        "unknown",
        "Creative Commons",
        "Ccbysa",
        "BSD",
        "CPA",
        "Proprietary",
        "see LICENSE.md",
        "Licence Ouverte 1.0",
        "commitment",
        "GPL-9.0",
        "MIT (",
    ] {
        assert_eq!(n(raw), None, "{raw}");
    }
}

#[test]
fn every_result_is_a_strict_spdx_expression_and_a_fixed_point() {
    let inputs = [
        "GPL-3.0",
        "AGPL-3.0+",
        "Apache 2",
        "MIT License",
        "GPL2 / LGPL2",
        "LGPL/GPL/MPL",
        "CC BY 4.0",
        "Licence Ouverte 2.0",
        "MIT OR Apache-2.0",
        "gplv3",
        "EUPL 1.1",
        "BSD 3-Clause",
        "GNU Affero General Public License v3.0",
        "CECILL-B",
        "mpl",
        "MIT, Apache-2.0",
        "Apache-2.0 WITH LLVM-exception",
        "GPL-2.0-or-later",
    ];
    for raw in inputs {
        let once = n(raw).unwrap_or_else(|| panic!("{raw} maps"));
        assert!(Expression::parse(&once).is_ok(), "{raw} → {once}");
        assert_eq!(n(&once).as_deref(), Some(once.as_str()), "{raw}");
    }
}

#[test]
fn open_source_follows_osi_and_fsf_flags() {
    assert_eq!(is_open("MIT"), Some(true));
    assert_eq!(is_open("AGPL-3.0-only"), Some(true));
    assert_eq!(is_open("CC-BY-4.0"), Some(true)); // FSF free
    assert_eq!(is_open("CC-BY-NC-4.0"), Some(false));
    assert_eq!(is_open("etalab-2.0"), Some(false)); // neither list
    assert_eq!(is_open("CC-BY-NC-4.0 OR MIT"), Some(true));
    assert_eq!(is_open("CC-BY-NC-4.0 AND MIT"), Some(false));
    assert_eq!(is_open("LicenseRef-x"), Some(false));
    assert_eq!(is_open("not a licence"), None);
}

#[test]
fn values_read_as_licences_non_licences_or_unmapped() {
    assert_eq!(read("GPL.v3"), Reading::Mapped("GPL-3.0-only".into()));
    assert_eq!(read("Apache 2"), Reading::Mapped("Apache-2.0".into()));
    assert_eq!(read("N/A"), Reading::NotALicence);
    assert_eq!(read("Propriétaire"), Reading::NotALicence);
    assert_eq!(
        read("Ministère de l'Intérieur"),
        Reading::NotALicence,
        "an agency"
    );
    assert_eq!(read("Sun Microsystems"), Reading::NotALicence);
    assert_eq!(read("BSD"), Reading::Unmapped, "which BSD?");
    assert_eq!(read("Licence libre"), Reading::Unmapped);
    // A dot inside a version or a name is kept.
    assert_eq!(normalise("LGPL-2.1"), Some("LGPL-2.1-only".into()));
}

#[test]
fn freebsd_port_licence_names_are_mapped() {
    for (raw, id) in [
        ("LGPL21", "LGPL-2.1-only"),
        ("LGPL21+", "LGPL-2.1-or-later"),
        ("APACHE20", "Apache-2.0"),
        ("BSD2CLAUSE", "BSD-2-Clause"),
        ("BSD3CLAUSE", "BSD-3-Clause"),
        ("MPL20", "MPL-2.0"),
        ("ART20", "Artistic-2.0"),
        ("ISCL", "ISC"),
        ("PSFL", "PSF-2.0"),
        ("GPLv3+", "GPL-3.0-or-later"),
    ] {
        assert_eq!(read(raw), Reading::Mapped(id.into()), "{raw}");
    }
}
