//! What kind of body an organisation is: the first rule that applies, named in
//! `organisations.kind_rule` (docs/normalisation.md, "Organisations"):
//!
//! 1. `source-kind`: what a source calls it (`Government / public sector`, `Company`, …);
//! 2. `ipa-code`: an Italian IPA code (only public administrations have one);
//! 3. `website`: a government or academic domain (`.gouv.fr`, `.gov`, `.gov.uk`, `.gob.es`,
//!    `.admin.ch`, `.europa.eu`, …; `.edu`, `.ac.uk`, …);
//! 4. `name`: words of its name (`Ministère`, `City of`, `Ayuntamiento`, `Comune di`;
//!    `GmbH`, `Ltd`, `SAS`, `SCOP`; `Foundation`, `Association`; `University`; `Code for`);
//! 5. `none`: unknown.

use std::sync::OnceLock;

use crate::model::{OrgKind, Organisation};
use crate::normalise::country::fold;

/// Words of a source's kind text, per kind (folded, lowercase), tried in this order.
const SOURCE_KINDS: &[(OrgKind, &[&str])] = &[
    (
        OrgKind::PublicBody,
        &[
            "government",
            "public sector",
            "public body",
            "public administration",
            "administration",
            "ministry",
            "municipal",
            "local authority",
            "agency",
        ],
    ),
    (OrgKind::Academic, &["academic", "university", "research"]),
    (
        OrgKind::NonProfit,
        &[
            "non-profit",
            "nonprofit",
            "non profit",
            "ngo",
            "foundation",
            "association",
            "charity",
            "multilateral",
        ],
    ),
    (
        OrgKind::Company,
        &[
            "company",
            "private sector",
            "business",
            "commercial",
            "vendor",
        ],
    ),
    (
        OrgKind::Community,
        &["community", "volunteer", "civic tech group", "collective"],
    ),
];

/// Host suffixes of public bodies and of academic institutions.
const PUBLIC_HOSTS: &[&str] = &[
    ".gouv.fr",
    ".gov",
    ".gov.uk",
    ".gob.es",
    ".gob.mx",
    ".gob.ar",
    ".gov.br",
    ".gov.it",
    ".gov.au",
    ".govt.nz",
    ".gc.ca",
    ".admin.ch",
    ".bund.de",
    ".europa.eu",
    ".gv.at",
    ".overheid.nl",
    ".belgium.be",
    ".gov.pt",
    ".gov.pl",
    ".gov.in",
];
const ACADEMIC_HOSTS: &[&str] = &[".edu", ".ac.uk", ".ac.jp", ".ac.in", ".edu.au"];

/// Name words per kind (folded, lowercase, whole words or leading phrases), tried in this
/// order: a `Foundation` of a city is a non-profit only when no public word is there.
const NAME_WORDS: &[(OrgKind, &[&str])] = &[
    (
        OrgKind::PublicBody,
        &[
            "ministere",
            "ministry",
            "ministerio",
            "ministero",
            "ministerium",
            "ville de",
            "city of",
            "mairie",
            "commune",
            "comune",
            "ayuntamiento",
            "ajuntament",
            "prefeitura",
            "gobierno",
            "government",
            "governo",
            "gouvernement",
            "region",
            "regione",
            "departement",
            "department of",
            "county",
            "council",
            "municipality",
            "municipalidad",
            "metropole",
            "agence",
            "agency",
            "direction",
            "secretariat",
            "prefecture",
            "etat",
            "state of",
            "federal",
            "bundesamt",
            "senat",
            "assemblee",
            "parliament",
            "parlement",
            "generalitat",
            "diputacion",
            "consejeria",
        ],
    ),
    (
        OrgKind::Academic,
        &[
            "university",
            "universite",
            "universidad",
            "universita",
            "universitat",
            "universiteit",
            "college",
            "institute of technology",
            "ecole",
            "school",
        ],
    ),
    (
        OrgKind::Company,
        &[
            "gmbh",
            "ltd",
            "limited",
            "inc",
            "llc",
            "sas",
            "sasu",
            "sarl",
            "scop",
            "scic",
            "sa",
            "sl",
            "srl",
            "spa",
            "bv",
            "ag",
            "oy",
            "ab",
            "plc",
            "pty",
            "corp",
            "corporation",
            "company",
            "eurl",
        ],
    ),
    (
        OrgKind::NonProfit,
        &[
            "foundation",
            "fondation",
            "fundacion",
            "fundacio",
            "fondazione",
            "stiftung",
            "association",
            "asociacion",
            "associazione",
            "associacao",
            "verein",
            "ev",
            "ngo",
            "trust",
            "society",
            "asbl",
            "institute",
        ],
    ),
    (
        OrgKind::Community,
        &[
            "code for",
            "community",
            "collective",
            "collectif",
            "hackers",
            "g0v",
            "brigade",
        ],
    ),
];

/// [`NAME_WORDS`], each word between spaces (` city of `), made once.
fn padded_name_words() -> &'static [(OrgKind, Vec<String>)] {
    static PADDED: OnceLock<Vec<(OrgKind, Vec<String>)>> = OnceLock::new();
    PADDED.get_or_init(|| {
        NAME_WORDS
            .iter()
            .map(|(kind, words)| (*kind, words.iter().map(|w| format!(" {w} ")).collect()))
            .collect()
    })
}

/// The kind of `o` and the rule that decided it; `source_kinds` are what the sources call it.
pub(super) fn classify(o: &Organisation, source_kinds: &[&str]) -> (OrgKind, String) {
    for text in source_kinds {
        let folded = fold(text);
        for (kind, words) in SOURCE_KINDS {
            if words.iter().any(|w| folded.contains(w)) {
                return (*kind, "source-kind".into());
            }
        }
    }
    if o.identifiers.iter().any(|i| i.starts_with("ipa:")) {
        return (OrgKind::PublicBody, "ipa-code".into());
    }
    if let Some(host) = o
        .website
        .as_deref()
        .and_then(|w| w.split_once("://"))
        .map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or(""))
    {
        let host = format!(".{host}");
        if PUBLIC_HOSTS.iter().any(|s| host.ends_with(s)) {
            return (OrgKind::PublicBody, "website".into());
        }
        if ACADEMIC_HOSTS.iter().any(|s| host.ends_with(s)) {
            return (OrgKind::Academic, "website".into());
        }
    }
    let names: Vec<String> = o.names.iter().map(|n| format!(" {} ", fold(n))).collect();
    for (kind, words) in padded_name_words() {
        if names
            .iter()
            .any(|n| words.iter().any(|w| n.contains(w.as_str())))
        {
            return (*kind, "name".into());
        }
    }
    (OrgKind::Unknown, "none".into())
}
