//! Languages to ISO 639-1 (rules in docs/normalisation.md).
//!
//! A value is read as, in order: a locale tag reduced to its language (`fr-FR`, `pt_BR`,
//! `ca@valencia`, `de_DE.UTF-8` → `fr`, `pt`, `ca`, `de`); a 639-1 code; a 639-3 (= 639-2/T)
//! or 639-2/B code (`fra`, `fre`); an English name (`French`); an autonym (`français`,
//! `español`, `Deutsch`); or a French or Spanish name from [`NAMES`]. A language with no
//! 639-1 code gives nothing. [`detect`] reads the language a description is written in, for
//! records that state none.

use isolang::Language;

use super::country::fold;

/// ISO 639-2/B codes that differ from the 639-2/T (= 639-3) code.
const B_CODES: &[(&str, &str)] = &[
    ("alb", "sqi"),
    ("arm", "hye"),
    ("baq", "eus"),
    ("bur", "mya"),
    ("chi", "zho"),
    ("cze", "ces"),
    ("dut", "nld"),
    ("fre", "fra"),
    ("geo", "kat"),
    ("ger", "deu"),
    ("gre", "ell"),
    ("ice", "isl"),
    ("mac", "mkd"),
    ("mao", "mri"),
    ("may", "msa"),
    ("per", "fas"),
    ("rum", "ron"),
    ("slo", "slk"),
    ("tib", "bod"),
    ("wel", "cym"),
];

/// French and Spanish names (and English ones `isolang` spells otherwise), folded → 639-1.
pub const NAMES: &[(&str, &str)] = &[
    ("anglais", "en"),
    ("ingles", "en"),
    ("francais", "fr"),
    ("frances", "fr"),
    ("espagnol", "es"),
    ("espanol", "es"),
    ("castellano", "es"),
    ("castilian", "es"),
    ("allemand", "de"),
    ("aleman", "de"),
    ("italien", "it"),
    ("italiano", "it"),
    ("portugais", "pt"),
    ("portugues", "pt"),
    ("catalan", "ca"),
    ("catala", "ca"),
    ("valencien", "ca"),
    ("valenciano", "ca"),
    ("valencian", "ca"),
    ("basque", "eu"),
    ("euskera", "eu"),
    ("vasco", "eu"),
    ("galicien", "gl"),
    ("gallego", "gl"),
    ("galician", "gl"),
    ("neerlandais", "nl"),
    ("neerlandes", "nl"),
    ("holandes", "nl"),
    ("flemish", "nl"),
    ("arabe", "ar"),
    ("chinois", "zh"),
    ("chino", "zh"),
    ("mandarin", "zh"),
    ("japonais", "ja"),
    ("japones", "ja"),
    ("russe", "ru"),
    ("ruso", "ru"),
    ("polonais", "pl"),
    ("polaco", "pl"),
    ("grec", "el"),
    ("griego", "el"),
    ("greek", "el"),
    ("suedois", "sv"),
    ("sueco", "sv"),
    ("danois", "da"),
    ("danes", "da"),
    ("norvegien", "no"),
    ("noruego", "no"),
    ("finnois", "fi"),
    ("finlandes", "fi"),
    ("roumain", "ro"),
    ("rumano", "ro"),
    ("turc", "tr"),
    ("turco", "tr"),
    ("ukrainien", "uk"),
    ("ucraniano", "uk"),
    ("hongrois", "hu"),
    ("hungaro", "hu"),
    ("tcheque", "cs"),
    ("checo", "cs"),
    ("breton", "br"),
    ("occitan", "oc"),
    ("corse", "co"),
    ("corso", "co"),
    ("swahili", "sw"),
    ("persian", "fa"),
    ("farsi", "fa"),
    ("malay", "ms"),
    ("nepali", "ne"),
    ("latvian", "lv"),
    ("estonian", "et"),
    ("norwegian", "no"),
    ("azerbaijani", "az"),
    ("uzbek", "uz"),
    ("albanian", "sq"),
    ("quechua", "qu"),
    ("guarani", "gn"),
    ("aymara", "ay"),
];

/// The ISO 639-1 code of a language code, locale tag or name, or `None`.
pub fn normalise(s: &str) -> Option<String> {
    let t = s.trim();
    let head = t.split(['-', '_', '@', '.']).next().unwrap_or("");
    let lang = if (2..=3).contains(&head.len()) && head.chars().all(|c| c.is_ascii_alphabetic()) {
        code(&head.to_ascii_lowercase())
    } else {
        None
    };
    lang.or_else(|| name(t))
        .and_then(|l| l.to_639_1())
        .map(str::to_string)
}

fn code(c: &str) -> Option<Language> {
    match c.len() {
        2 => Language::from_639_1(c),
        _ => {
            let t = B_CODES
                .iter()
                .find(|(b, _)| *b == c)
                .map(|(_, t)| *t)
                .unwrap_or(c);
            Language::from_639_3(t)
        }
    }
}

fn name(t: &str) -> Option<Language> {
    let folded = fold(t);
    if let Some((_, c)) = NAMES.iter().find(|(n, _)| *n == folded) {
        return Language::from_639_1(c);
    }
    let lower = t.to_lowercase();
    Language::from_name_lowercase(&lower)
        .or_else(|| Language::from_autonym(t))
        .or_else(|| Language::match_autonyms(move |a| a.to_lowercase() == lower).next())
}

/// The shortest description (characters) whose language is detected.
pub const MIN_DETECT_CHARS: usize = 40;

/// The most of a description read to detect its language (bytes, cut at a word): a few
/// sentences tell it as well as a page, and detection costs in proportion to the text.
pub const MAX_DETECT_BYTES: usize = 400;

/// The language a description is written in (ISO 639-1), when `whatlang` is confident: a text
/// of [`MIN_DETECT_CHARS`] characters or more, detection flagged reliable, its first
/// [`MAX_DETECT_BYTES`] read. `None` otherwise.
pub fn detect(text: &str) -> Option<String> {
    if text.chars().count() < MIN_DETECT_CHARS {
        return None;
    }
    let text = if text.len() > MAX_DETECT_BYTES {
        let mut end = MAX_DETECT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // At the last space before the cut, unless that leaves too little.
        match text[..end].rfind(char::is_whitespace) {
            Some(space) if space >= MAX_DETECT_BYTES / 2 => &text[..space],
            _ => &text[..end],
        }
    } else {
        text
    };
    let info = whatlang::detect(text).filter(whatlang::Info::is_reliable)?;
    Language::from_639_3(info.lang().code())
        .and_then(|l| l.to_639_1())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {

    #[test]
    fn descriptions_long_enough_give_their_language() {
        let fr =
            "Plateforme de démocratie participative pour les collectivités et les associations";
        assert_eq!(detect(fr).as_deref(), Some("fr"));
        let en =
            "An open source platform for participatory democracy used by cities and organisations";
        assert_eq!(detect(en).as_deref(), Some("en"));
        let es = "Plataforma de participación ciudadana para gobiernos abiertos y transparentes";
        assert_eq!(detect(es).as_deref(), Some("es"));
        assert_eq!(detect("Civic tech tool"), None, "too short to tell");
    }

    #[test]
    fn a_record_without_languages_gets_its_description_s_marked_inferred() {
        use crate::model::RawRecord;
        let raw = |fields: &[(&str, &str)]| RawRecord {
            record_id: "1".into(),
            source_url: "https://x.test".into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
                .collect(),
            ..RawRecord::default()
        };
        let text = "Outil libre de gestion des demandes citoyennes pour les mairies de France";
        let (rec, _) =
            crate::normalise::normalise("s", &raw(&[("name", "X"), ("description", text)]), None);
        assert_eq!(rec.languages, ["fr"]);
        assert!(rec.languages_inferred);
        let (rec, _) = crate::normalise::normalise(
            "s",
            &raw(&[("name", "X"), ("description", text), ("languages", "en")]),
            None,
        );
        assert_eq!(rec.languages, ["en"], "a stated language wins");
        assert!(!rec.languages_inferred);
    }
    use super::*;

    #[test]
    fn codes_locales_names_and_autonyms_map_to_639_1() {
        for (raw, want) in [
            ("fr", "fr"),
            ("FR", "fr"),
            ("fra", "fr"),
            ("fre", "fr"),
            ("ger", "de"),
            ("deu", "de"),
            ("fr-FR", "fr"),
            ("pt_BR", "pt"),
            ("ca@valencia", "ca"),
            ("de_DE.UTF-8", "de"),
            ("zh-Hant-TW", "zh"),
            ("French", "fr"),
            ("english", "en"),
            ("Spanish", "es"),
            ("français", "fr"),
            ("Français", "fr"),
            ("español", "es"),
            ("Deutsch", "de"),
            ("italiano", "it"),
            ("Anglais", "en"),
            ("Inglés", "en"),
            ("Allemand", "de"),
            ("Catalan", "ca"),
            ("euskera", "eu"),
        ] {
            assert_eq!(normalise(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn unknown_languages_and_ones_without_639_1_give_nothing() {
        for raw in ["", "xx", "Klingonese", "multilingual", "ast"] {
            assert_eq!(normalise(raw), None, "{raw}");
        }
    }

    #[test]
    fn normalise_is_a_fixed_point() {
        for a in b'a'..=b'z' {
            for b in b'a'..=b'z' {
                let two = String::from_utf8(vec![a, b]).unwrap();
                let Some(l) = Language::from_639_1(&two) else {
                    continue;
                };
                let c = l.to_639_1().unwrap();
                assert_eq!(normalise(c).as_deref(), Some(c));
                assert_eq!(normalise(l.to_639_3()).as_deref(), Some(c));
            }
        }
    }
}
