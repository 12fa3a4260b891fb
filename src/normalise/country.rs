//! Countries to ISO 3166-1 alpha-2 (rules in docs/normalisation.md).
//!
//! A value is read as, in order: an alpha-2 code (`fr`, plus `UK` → `GB` and `EL` → `GR`), an
//! alpha-3 code (`FRA`), an ISO English short name from `isocountry` (with or without its
//! bracketed part: `Bolivia`), or a name in the project's English, French and Spanish table
//! ([`NAMES`]). Case, accents, `the` and punctuation do not matter.

use std::collections::HashMap;
use std::sync::LazyLock;

use isocountry::CountryCode;

/// Names `isocountry` lacks: common English short forms, French and Spanish names
/// (accent-free, lowercase) → alpha-2.
pub const NAMES: &[(&str, &str)] = &[
    // English short and common forms
    ("usa", "US"),
    ("us", "US"),
    ("u s a", "US"),
    ("u s", "US"),
    ("united states", "US"),
    ("america", "US"),
    ("uk", "GB"),
    ("u k", "GB"),
    ("united kingdom", "GB"),
    ("great britain", "GB"),
    ("britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("russia", "RU"),
    ("south korea", "KR"),
    ("korea", "KR"),
    ("north korea", "KP"),
    ("iran", "IR"),
    ("syria", "SY"),
    ("vietnam", "VN"),
    ("laos", "LA"),
    ("bolivia", "BO"),
    ("venezuela", "VE"),
    ("tanzania", "TZ"),
    ("moldova", "MD"),
    ("taiwan", "TW"),
    ("czech republic", "CZ"),
    ("macedonia", "MK"),
    ("ivory coast", "CI"),
    ("cote d ivoire", "CI"),
    ("holland", "NL"),
    ("the netherlands", "NL"),
    ("palestine", "PS"),
    ("kosovo", "XK"),
    ("vatican", "VA"),
    ("brunei", "BN"),
    ("cape verde", "CV"),
    ("swaziland", "SZ"),
    ("burma", "MM"),
    ("turkey", "TR"),
    ("democratic republic of the congo", "CD"),
    ("dr congo", "CD"),
    ("drc", "CD"),
    ("republic of the congo", "CG"),
    ("micronesia", "FM"),
    // French
    ("allemagne", "DE"),
    ("autriche", "AT"),
    ("belgique", "BE"),
    ("bresil", "BR"),
    ("bulgarie", "BG"),
    ("cameroun", "CM"),
    ("chili", "CL"),
    ("chine", "CN"),
    ("chypre", "CY"),
    ("colombie", "CO"),
    ("coree du sud", "KR"),
    ("croatie", "HR"),
    ("danemark", "DK"),
    ("egypte", "EG"),
    ("equateur", "EC"),
    ("espagne", "ES"),
    ("estonie", "EE"),
    ("etats unis", "US"),
    ("etats unis d amerique", "US"),
    ("finlande", "FI"),
    ("grece", "GR"),
    ("hongrie", "HU"),
    ("inde", "IN"),
    ("indonesie", "ID"),
    ("irlande", "IE"),
    ("islande", "IS"),
    ("italie", "IT"),
    ("japon", "JP"),
    ("lettonie", "LV"),
    ("liban", "LB"),
    ("lituanie", "LT"),
    ("maroc", "MA"),
    ("mexique", "MX"),
    ("norvege", "NO"),
    ("nouvelle zelande", "NZ"),
    ("pays bas", "NL"),
    ("perou", "PE"),
    ("pologne", "PL"),
    ("roumanie", "RO"),
    ("royaume uni", "GB"),
    ("russie", "RU"),
    ("senegal", "SN"),
    ("slovaquie", "SK"),
    ("slovenie", "SI"),
    ("suede", "SE"),
    ("suisse", "CH"),
    ("tchequie", "CZ"),
    ("republique tcheque", "CZ"),
    ("tunisie", "TN"),
    ("turquie", "TR"),
    ("ukraine", "UA"),
    ("algerie", "DZ"),
    ("afrique du sud", "ZA"),
    ("australie", "AU"),
    ("argentine", "AR"),
    ("bolivie", "BO"),
    ("cote divoire", "CI"),
    ("haiti", "HT"),
    ("madagascar", "MG"),
    ("nigeria", "NG"),
    ("ouganda", "UG"),
    ("tanzanie", "TZ"),
    ("kenya", "KE"),
    ("ethiopie", "ET"),
    ("canada", "CA"),
    ("luxembourg", "LU"),
    ("malte", "MT"),
    ("portugal", "PT"),
    ("taiwan", "TW"),
    ("georgie", "GE"),
    ("armenie", "AM"),
    ("serbie", "RS"),
    ("albanie", "AL"),
    ("bosnie herzegovine", "BA"),
    ("macedoine du nord", "MK"),
    ("montenegro", "ME"),
    ("moldavie", "MD"),
    // Spanish
    ("alemania", "DE"),
    ("austria", "AT"),
    ("belgica", "BE"),
    ("brasil", "BR"),
    ("camerun", "CM"),
    ("canada", "CA"),
    ("china", "CN"),
    ("corea del sur", "KR"),
    ("dinamarca", "DK"),
    ("egipto", "EG"),
    ("espana", "ES"),
    ("estados unidos", "US"),
    ("estados unidos de america", "US"),
    ("eeuu", "US"),
    ("ee uu", "US"),
    ("filipinas", "PH"),
    ("finlandia", "FI"),
    ("francia", "FR"),
    ("grecia", "GR"),
    ("hungria", "HU"),
    ("irlanda", "IE"),
    ("islandia", "IS"),
    ("italia", "IT"),
    ("japon", "JP"),
    ("marruecos", "MA"),
    ("mexico", "MX"),
    ("noruega", "NO"),
    ("nueva zelanda", "NZ"),
    ("paises bajos", "NL"),
    ("peru", "PE"),
    ("polonia", "PL"),
    ("reino unido", "GB"),
    ("republica checa", "CZ"),
    ("republica dominicana", "DO"),
    ("rumania", "RO"),
    ("rusia", "RU"),
    ("sudafrica", "ZA"),
    ("suecia", "SE"),
    ("suiza", "CH"),
    ("turquia", "TR"),
    ("ucrania", "UA"),
    ("uruguay", "UY"),
    ("paraguay", "PY"),
    ("panama", "PA"),
    ("costa rica", "CR"),
    ("el salvador", "SV"),
    ("guatemala", "GT"),
    ("honduras", "HN"),
    ("nicaragua", "NI"),
    ("venezuela", "VE"),
    ("argentina", "AR"),
    ("chile", "CL"),
    ("colombia", "CO"),
    ("ecuador", "EC"),
    ("cuba", "CU"),
    ("puerto rico", "PR"),
    ("portugal", "PT"),
    ("india", "IN"),
    ("croacia", "HR"),
    ("eslovenia", "SI"),
    ("eslovaquia", "SK"),
    ("estonia", "EE"),
    ("letonia", "LV"),
    ("lituania", "LT"),
    ("luxemburgo", "LU"),
    ("chipre", "CY"),
];

/// Folded ISO English names (`bolivia plurinational state of`, `bolivia`) and the table.
static BY_NAME: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for c in CountryCode::iter() {
        let name = c.name();
        map.insert(fold(name), c.alpha2());
        if let Some((head, _)) = name.split_once(['(', ',']) {
            map.entry(fold(head)).or_insert(c.alpha2());
        }
    }
    for (name, code) in NAMES {
        map.insert(fold(name), *code);
    }
    map
});

/// Lowercase, accents removed, `the` dropped, punctuation to single spaces.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.push(c);
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let words = match words.first() {
        Some(&"the") if words.len() > 1 => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

/// The ISO 3166-1 alpha-2 code of a country code or name, or `None`.
pub fn normalise(s: &str) -> Option<String> {
    let t = s.trim();
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let up = t.to_ascii_uppercase();
        return match up.as_str() {
            "UK" => Some("GB".to_string()),
            "EL" => Some("GR".to_string()),
            _ => CountryCode::for_alpha2(&up)
                .ok()
                .map(|c| c.alpha2().to_string()),
        };
    }
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let up = t.to_ascii_uppercase();
        if let Ok(c) = CountryCode::for_alpha3(&up) {
            return Some(c.alpha2().to_string());
        }
    }
    BY_NAME.get(&fold(t)).map(|c| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_three_languages_map_to_alpha2() {
        for (raw, want) in [
            ("FR", "FR"),
            ("fr", "FR"),
            ("FRA", "FR"),
            ("deu", "DE"),
            ("UK", "GB"),
            ("GBR", "GB"),
            ("USA", "US"),
            ("France", "FR"),
            ("Germany", "DE"),
            ("Allemagne", "DE"),
            ("Alemania", "DE"),
            ("España", "ES"),
            ("Espagne", "ES"),
            ("Spain", "ES"),
            ("Royaume-Uni", "GB"),
            ("Reino Unido", "GB"),
            ("United Kingdom", "GB"),
            ("United States of America", "US"),
            ("États-Unis", "US"),
            ("Estados Unidos", "US"),
            ("Bolivia", "BO"),
            ("Bolivia (Plurinational State of)", "BO"),
            ("the Netherlands", "NL"),
            ("Pays-Bas", "NL"),
            ("Côte d'Ivoire", "CI"),
            ("Brasil", "BR"),
            ("México", "MX"),
            (" italy ", "IT"),
        ] {
            assert_eq!(normalise(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn unknown_values_give_nothing() {
        for raw in ["", "XX", "Europe", "Worldwide", "ZZZ", "Atlantis"] {
            assert_eq!(normalise(raw), None, "{raw}");
        }
    }

    #[test]
    fn normalise_is_a_fixed_point() {
        for c in CountryCode::iter() {
            let a2 = normalise(c.alpha2()).unwrap();
            assert_eq!(normalise(&a2).as_deref(), Some(a2.as_str()));
            assert_eq!(
                normalise(c.name()).as_deref(),
                Some(c.alpha2()),
                "{}",
                c.name()
            );
            assert_eq!(normalise(c.alpha3()).as_deref(), Some(c.alpha2()));
        }
    }
}
