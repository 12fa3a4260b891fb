//! Common licence names read by family and version (`GNU GPL v3 or later`, `Apache 2`,
//! `CC BY-SA 4.0`).

pub(super) enum Family {
    Found(String),
    /// A known family whose version or variant cannot be told (`BSD`, `Creative Commons`).
    Ambiguous,
    None,
}

/// Reads a common name as family + version: `GNU GPL v3 or later`, `AGPLv3+`, `Apache 2`,
/// `MPL2`, `BSD 3-Clause`, `CC BY-SA 4.0`, `EUPL 1.2`, `Licence Ouverte 2.0`.
pub(super) fn family(lower: &str) -> Family {
    let mut text = lower
        .replace("licence", "license")
        .replace("licencia", "license")
        .replace("licenza", "license");
    let mut or_later = text.ends_with('+');
    for phrase in [
        "or any later version",
        "or later version",
        "or-later",
        "or later",
        "ou toute version ultérieure",
        "ou ultérieure",
        "ou ultérieur",
        "o cualquier versión posterior",
        "o posterior",
    ] {
        if text.contains(phrase) {
            or_later = true;
            text = text.replace(phrase, " ");
        }
    }
    let only = text.contains("only");
    // words and versions: `gplv3+` → `gpl`, `3`; `cc-by-sa-4.0` → `cc by sa 4.0`
    let mut words: Vec<String> = Vec::new();
    let mut version: Option<String> = None;
    for token in text
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '_' | '"' | '(' | ')' | ',' | ':'))
    {
        let token = token.trim_end_matches('+');
        if token.is_empty() {
            continue;
        }
        let split = token
            .char_indices()
            .find(|(i, c)| {
                c.is_ascii_digit()
                    || (*c == 'v' && token[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
            })
            .map(|(i, _)| i)
            .unwrap_or(token.len());
        let (word, rest) = token.split_at(split);
        if !word.is_empty() && word != "v" && word != "version" {
            words.push(word.to_string());
        }
        let rest = rest.trim_start_matches('v').trim_end_matches('.');
        if !rest.is_empty()
            && version.is_none()
            && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            version = Some(rest.to_string());
        }
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let v = |default: Option<&str>| -> Option<String> {
        match version.as_deref() {
            Some(v) if v.contains('.') => Some(v.to_string()),
            Some(v) => Some(format!("{v}.0")),
            None => default.map(str::to_string),
        }
    };
    let exact = |id: String| -> Family {
        match spdx::license_id(&id) {
            Some(l) if !l.is_deprecated() => Family::Found(l.name.to_string()),
            _ => Family::Ambiguous,
        }
    };
    let gnu = |base: &str, earliest: &str| -> Family {
        let (ver, later) = match v(None) {
            Some(ver) => (ver, or_later && !only),
            // no version: any version may be chosen (GPL-2.0 §9, GPL-3.0 §14)
            None => (earliest.to_string(), true),
        };
        let suffix = if later { "or-later" } else { "only" };
        exact(format!("{base}-{ver}-{suffix}"))
    };
    let general_public = has("general") && has("public");
    if has("agpl") || has("affero") {
        return gnu("AGPL", "3.0");
    }
    if has("lgpl") || (general_public && (has("lesser") || has("library"))) {
        return gnu("LGPL", "2.0");
    }
    if has("gpl") || (general_public && has("gnu")) || (general_public && words.len() <= 4) {
        return gnu("GPL", "1.0");
    }
    if has("apache") || has("asl") {
        return exact(format!("Apache-{}", v(Some("2.0")).unwrap_or_default()));
    }
    if has("mpl") || has("mozilla") {
        return exact(format!("MPL-{}", v(Some("2.0")).unwrap_or_default()));
    }
    if has("eupl") || (has("european") && has("union")) {
        return exact(format!("EUPL-{}", v(Some("1.2")).unwrap_or_default()));
    }
    if has("epl") || has("eclipse") {
        return match v(None) {
            Some(ver) => exact(format!("EPL-{ver}")),
            None => Family::Ambiguous,
        };
    }
    if has("etalab") || has("ouverte") {
        return match version.as_deref() {
            None | Some("2" | "2.0") => Family::Found("etalab-2.0".to_string()),
            _ => Family::Ambiguous,
        };
    }
    if has("cecill") {
        let variant = if has("b") {
            "B".to_string()
        } else if has("c") {
            "C".to_string()
        } else if let Some(ver) = v(None) {
            ver
        } else {
            return Family::Ambiguous;
        };
        return exact(format!("CECILL-{variant}"));
    }
    if let Some(cc) = creative_commons(&words) {
        return match cc {
            None => Family::Ambiguous,
            Some(cc) if cc == "CC0" => Family::Found("CC0-1.0".to_string()),
            Some(cc) => match v(None) {
                Some(ver) => exact(format!("{cc}-{ver}")),
                None => Family::Ambiguous,
            },
        };
    }
    if has("bsd") {
        let clauses = if has("new") || has("modified") || has("revised") {
            Some("3")
        } else if has("simplified") || has("freebsd") {
            Some("2")
        } else {
            version.as_deref().and_then(|v| v.split('.').next())
        };
        return match clauses {
            Some(n @ ("2" | "3" | "4")) => Family::Found(format!("BSD-{n}-Clause")),
            _ => Family::Ambiguous,
        };
    }
    if has("mit") || has("expat") {
        return Family::Found("MIT".to_string());
    }
    if has("odbl") || (has("open") && has("database")) {
        return Family::Found("ODbL-1.0".to_string());
    }
    for (word, id) in [
        ("isc", "ISC"),
        ("unlicense", "Unlicense"),
        ("wtfpl", "WTFPL"),
        ("zlib", "Zlib"),
        ("pddl", "PDDL-1.0"),
        ("boost", "BSL-1.0"),
    ] {
        if has(word) {
            return Family::Found(id.to_string());
        }
    }
    Family::None
}

/// `Some(Some("CC-BY-SA"))`, `Some(Some("CC0"))`, `Some(None)` for Creative Commons without a
/// licence element, `None` when the words are not Creative Commons.
fn creative_commons(words: &[String]) -> Option<Option<String>> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let mut parts: Vec<&str> = Vec::new();
    let joined = words.concat();
    let cc = has("cc") || (has("creative") && has("commons")) || joined.starts_with("ccby");
    if !cc {
        return None;
    }
    if has("cc0") || has("zero") || joined.starts_with("cc0") {
        return Some(Some("CC0".to_string()));
    }
    let glued = words
        .iter()
        .find(|w| w.starts_with("ccby"))
        .map(|w| w.trim_start_matches("cc").to_string())
        .unwrap_or_default();
    let flag = |short: &str, long: &[&str]| {
        has(short) || long.iter().any(|l| has(l)) || glued.contains(short)
    };
    if flag("by", &["attribution"]) {
        parts.push("BY");
    } else {
        return Some(None);
    }
    if flag("nc", &["noncommercial"]) || (has("non") && has("commercial")) {
        parts.push("NC");
    }
    if flag("nd", &["noderivatives", "noderivs"]) || (has("no") && has("derivatives")) {
        parts.push("ND");
    }
    if flag("sa", &["sharealike"]) || (has("share") && has("alike")) {
        parts.push("SA");
    }
    Some(Some(format!("CC-{}", parts.join("-"))))
}
