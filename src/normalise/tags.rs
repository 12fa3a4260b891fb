//! Tags: lower-kebab-case, then the project's synonym table ([`SYNONYMS`]), documented in
//! docs/normalisation.md.

use super::values;

/// Tag (already lower-kebab-case) → the project's spelling. A tag not listed stays as it is.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("civictech", "civic-tech"),
    ("civic-technology", "civic-tech"),
    ("civic-technologies", "civic-tech"),
    ("tech-civique", "civic-tech"),
    ("tecnologia-civica", "civic-tech"),
    ("govtech", "gov-tech"),
    ("opengov", "open-government"),
    ("open-gov", "open-government"),
    ("opengovernment", "open-government"),
    ("gouvernement-ouvert", "open-government"),
    ("gobierno-abierto", "open-government"),
    ("e-participation", "e-participation"),
    ("eparticipation", "e-participation"),
    ("e-participacion", "e-participation"),
    ("edemocracy", "e-democracy"),
    ("e-democratie", "e-democracy"),
    ("digital-democracy", "e-democracy"),
    ("opendata", "open-data"),
    ("donnees-ouvertes", "open-data"),
    ("open-donnees", "open-data"),
    ("datos-abiertos", "open-data"),
    ("participatory-budget", "participatory-budgeting"),
    ("participatorybudgeting", "participatory-budgeting"),
    ("pb", "participatory-budgeting"),
    ("budget-participatif", "participatory-budgeting"),
    ("presupuestos-participativos", "participatory-budgeting"),
    ("presupuesto-participativo", "participatory-budgeting"),
    ("foi", "freedom-of-information"),
    ("foia", "freedom-of-information"),
    ("access-to-information", "freedom-of-information"),
    ("acces-a-l-information", "freedom-of-information"),
    ("acceso-a-la-informacion", "freedom-of-information"),
    ("petition", "petitions"),
    ("petitions-online", "petitions"),
    ("election", "elections"),
    ("e-voting", "online-voting"),
    ("evoting", "online-voting"),
    ("vote-en-ligne", "online-voting"),
    ("open-source", "open-source"),
    ("opensource", "open-source"),
    ("logiciel-libre", "free-software"),
    ("software-libre", "free-software"),
    ("foss", "free-software"),
    ("floss", "free-software"),
    ("open311", "open-311"),
    ("311", "open-311"),
    ("open-spending", "public-spending"),
    ("openspending", "public-spending"),
    ("open-budget", "public-spending"),
    ("open-budgets", "public-spending"),
    ("openbudget", "public-spending"),
    ("opencontracting", "open-contracting"),
    ("civic-participation", "participation"),
    ("citizen-participation", "participation"),
    ("participation-citoyenne", "participation"),
    ("participacion-ciudadana", "participation"),
    ("democratie", "democracy"),
    ("democracia", "democracy"),
    ("transparence", "transparency"),
    ("transparencia", "transparency"),
    ("gis", "maps"),
    ("map", "maps"),
    ("mapping", "maps"),
    ("cartographie", "maps"),
    ("covid19", "covid-19"),
    ("covid", "covid-19"),
];

/// A tag in lower-kebab-case through the synonym table (`CivicTech` → `civic-tech`,
/// `Budget participatif` → `participatory-budgeting`). Accents are removed before the table
/// is looked up, and kept when the tag is not in it.
pub fn normalise(s: &str) -> String {
    let kebab = values::tag(s);
    let folded = values::tag(&super::country::fold(s));
    SYNONYMS
        .iter()
        .find(|(from, _)| *from == kebab || *from == folded)
        .map(|(_, to)| to.to_string())
        .unwrap_or(kebab)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_map_to_the_project_spelling() {
        for (raw, want) in [
            ("CivicTech", "civic-tech"),
            ("civictech", "civic-tech"),
            ("Civic Tech", "civic-tech"),
            ("open-gov", "open-government"),
            ("OpenGov", "open-government"),
            ("eparticipation", "e-participation"),
            ("E-Participation", "e-participation"),
            ("opendata", "open-data"),
            ("Open Data", "open-data"),
            ("Données ouvertes", "open-data"),
            ("participatory-budget", "participatory-budgeting"),
            ("Budget participatif", "participatory-budgeting"),
            ("Presupuestos participativos", "participatory-budgeting"),
            ("FOIA", "freedom-of-information"),
            ("démocratie", "democracy"),
        ] {
            assert_eq!(normalise(raw), want, "{raw}");
        }
    }

    #[test]
    fn other_tags_stay_kebab_case_and_normalise_is_a_fixed_point() {
        assert_eq!(normalise("participation"), "participation");
        assert_eq!(normalise("Démocratie Liquide"), "démocratie-liquide");
        for (from, to) in SYNONYMS {
            assert_eq!(normalise(from), *to);
            assert_eq!(normalise(to), *to, "{to} is a fixed point");
        }
        for raw in [
            "Civic Tech",
            "x_y",
            "Données ouvertes",
            "a--b",
            "Ünïcode tag",
        ] {
            let once = normalise(raw);
            assert_eq!(normalise(&once), once, "{raw}");
        }
    }
}
