//! The documented alias list of organisations (`aliases.toml`, docs/normalisation.md,
//! "Organisations"): public bodies with their official names, acronyms and former names,
//! so that `DINUM` and `Direction interministérielle du numérique` are one organisation
//! without a shared key.
//!
//! A mention's name gives an alias key (`org:alias:<country>:<name form>`) when its form,
//! folded as the name key folds it, is a form of exactly one body of the list that the
//! mention's country allows; the key joins like a soft key (never across conflicting
//! strong keys or countries). An acronym (a `short` form) of fewer than four characters
//! needs the mention to state the body's country.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::GENERIC_UNITS;
use crate::resolve::names::org_form;

/// The list, as shipped.
const LIST: &str = include_str!("aliases.toml");

/// Member states of the European Union: the countries a mention of an `EU` body may state.
const EU_MEMBERS: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Shortest acronym that joins a mention stating no country: three letters name too many
/// things (`VA`, `DGE`, `MIT`, `CMS`).
const MIN_BARE_ACRONYM: usize = 4;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    body: Vec<Body>,
}

/// One body of the list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Body {
    /// ISO 3166-1 alpha-2, or `EU`.
    pub(super) country: String,
    /// The official full name.
    pub(super) name: String,
    /// Official acronyms and short forms, current and former.
    #[serde(default)]
    pub(super) short: Vec<String>,
    /// Former official names, official names in other languages.
    #[serde(default)]
    pub(super) other: Vec<String>,
    /// Where the names come from.
    #[serde(rename = "ref")]
    pub(super) reference: String,
}

/// The list and its forms.
pub(super) struct Aliases {
    pub(super) bodies: Vec<Body>,
    /// Folded form → the bodies it is a form of, each with whether it is only a short form
    /// of it.
    forms: HashMap<String, Vec<(usize, bool)>>,
    /// Per body, the key its mentions get.
    keys: Vec<String>,
}

/// A name folded as the name key folds it: [`org_form`] run together.
pub(super) fn fold(name: &str) -> Option<String> {
    org_form(name).map(|f| f.replace(' ', ""))
}

impl Aliases {
    /// The shipped list.
    pub(super) fn get() -> &'static Aliases {
        static ALIASES: OnceLock<Aliases> = OnceLock::new();
        ALIASES.get_or_init(|| Aliases::parse(LIST).expect("aliases.toml is checked by a test"))
    }

    /// Parses and checks a list: countries, forms that fold to something, no unit name
    /// every administration has.
    pub(super) fn parse(text: &str) -> Result<Aliases, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut forms: HashMap<String, Vec<(usize, bool)>> = HashMap::new();
        let mut keys = Vec::with_capacity(file.body.len());
        for (i, b) in file.body.iter().enumerate() {
            let country_ok = b.country == "EU"
                || b.country.len() == 2
                    && b.country.bytes().all(|c| c.is_ascii_uppercase())
                    && isocountry::CountryCode::for_alpha2(&b.country).is_ok();
            if !country_ok {
                return Err(format!(
                    "{}: not an ISO 3166-1 alpha-2: {}",
                    b.name, b.country
                ));
            }
            if b.reference.trim().is_empty() {
                return Err(format!("{}: no ref", b.name));
            }
            let full = std::iter::once(&b.name).chain(&b.other).map(|n| (n, false));
            let short = b.short.iter().map(|n| (n, true));
            let mut own: HashMap<String, bool> = HashMap::new();
            for (n, is_short) in full.chain(short) {
                let f = fold(n).ok_or_else(|| format!("{}: `{n}` folds to nothing", b.name))?;
                if GENERIC_UNITS.contains(&f.as_str()) {
                    return Err(format!(
                        "{}: `{n}` names a unit of every administration",
                        b.name
                    ));
                }
                let mut variants = vec![f.clone()];
                // Its abbreviations and plurals folded, as mentions' second name key is.
                if let Some(c) = org_form(n).map(|form| super::canonical_form(&form))
                    && c != f
                {
                    variants.push(c);
                }
                // `U.S. Department of Labor` folds to `departmentlabor`; `US …` and `United
                // States …` keep the prefix.
                if b.country == "US" && !is_short {
                    for prefix in ["us", "unitedstates"] {
                        if !f.starts_with(prefix) {
                            variants.push(format!("{prefix}{f}"));
                        }
                    }
                }
                for v in variants {
                    let e = own.entry(v).or_insert(is_short);
                    *e &= is_short;
                }
            }
            for (f, is_short) in own {
                forms.entry(f).or_default().push((i, is_short));
            }
            let name = fold(&b.name).unwrap_or_default();
            keys.push(format!("org:alias:{}:{name}", b.country.to_lowercase()));
        }
        Ok(Aliases {
            bodies: file.body,
            forms,
            keys,
        })
    }

    /// The alias key of a mention whose name has the folded forms `forms` (its name key,
    /// the name without its brackets, an acronym in brackets) and whose country is
    /// `country`: the key of the one body they are forms of, among the bodies `country`
    /// allows (all when none is stated); none when they name several bodies or none, or
    /// when the only match is an acronym shorter than [`MIN_BARE_ACRONYM`] and no country
    /// is stated.
    pub(super) fn key<'a>(
        &self,
        forms: impl IntoIterator<Item = &'a str>,
        country: Option<&str>,
    ) -> Option<&str> {
        let mut found: Option<usize> = None;
        for form in forms {
            let Some(bodies) = self.forms.get(form) else {
                continue;
            };
            let allowed: Vec<(usize, bool)> = bodies
                .iter()
                .copied()
                .filter(|&(b, _)| self.allows(b, country))
                .collect();
            match allowed.as_slice() {
                [] => {}
                [(b, is_short)] => {
                    if *is_short && country.is_none() && form.len() < MIN_BARE_ACRONYM {
                        continue;
                    }
                    match found {
                        Some(f) if f != *b => return None,
                        _ => found = Some(*b),
                    }
                }
                _ => return None,
            }
        }
        found.map(|b| self.keys[b].as_str())
    }

    /// True when a mention stating `country` may be body `b`.
    fn allows(&self, b: usize, country: Option<&str>) -> bool {
        let own = self.bodies[b].country.as_str();
        match country {
            None => true,
            Some(c) => c == own || own == "EU" && EU_MEMBERS.contains(&c),
        }
    }
}
