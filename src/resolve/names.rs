//! Names for the scored match: normalised forms, blocking keys and the pair score.
//!
//! A name is folded to lowercase ASCII (Latin accents dropped), split on anything that is not
//! a letter or digit, and stripped of words that say nothing about identity (`app`,
//! `platform`, `the`…). Two records are compared only when they share a blocking key (the
//! first or the last four characters of the compact name), so the work grows with the
//! number of records, not with its square.

use strsim::jaro_winkler;

/// Words dropped from names before comparing them (when something else is left).
const NOISE: &[&str] = &[
    "the",
    "app",
    "apps",
    "application",
    "platform",
    "plateforme",
    "plataforma",
    "project",
    "software",
    "tool",
    "web",
    "online",
];

/// Lowest Jaro-Winkler similarity of two normalised names for a pair to be scored at all.
pub const MIN_SIMILARITY: f64 = 0.92;

/// `Decidim App` → `decidim`; `Budget participatif de Paris` → `budget participatif de paris`.
/// One pass: characters folded and lowercased, words (runs of ASCII letters and digits) kept
/// unless they are noise, or all kept when nothing else is left.
pub fn normalise_name(name: &str) -> String {
    fn push(out: &mut String, word: &str) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let (mut all, mut kept) = (String::new(), String::new());
    let mut word = String::new();
    let chars = name.chars().map(fold).flat_map(char::to_lowercase);
    for c in chars.chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else if !word.is_empty() {
            push(&mut all, &word);
            if !NOISE.contains(&word.as_str()) {
                push(&mut kept, &word);
            }
            word.clear();
        }
    }
    if kept.is_empty() { all } else { kept }
}

/// An organisation or forge owner reduced to lowercase letters and digits (`mySociety` →
/// `mysociety`, so a DPG organisation and a GitHub owner can agree), as a 64-bit hash of
/// that form, without building it; `None` when the form is empty. Organisations are only
/// compared for equality, and a hash is compared without following a pointer.
pub fn org_tag(s: &str) -> Option<u64> {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = foldhash::fast::FixedState::default().build_hasher();
    let mut empty = true;
    for c in s.chars().map(fold).filter(char::is_ascii_alphanumeric) {
        hasher.write_u8(c.to_ascii_lowercase() as u8);
        empty = false;
    }
    (!empty).then(|| hasher.finish())
}

/// The blocking keys of a normalised name: its compact form's first and last four bytes,
/// packed into integers (a tag for prefix or suffix, the length, the bytes). Normalised names
/// are ASCII, so four bytes are four characters.
pub fn blocking_keys(name: &str) -> [u64; 2] {
    let c: Vec<u8> = name.bytes().filter(|b| *b != b' ').collect();
    let n = c.len().min(4);
    let pack = |tag: u64, bytes: &[u8]| {
        let packed = bytes.iter().fold(0u64, |k, b| (k << 8) | u64::from(*b));
        (tag << 40) | ((bytes.len() as u64) << 32) | packed
    };
    [pack(1, &c[..n]), pack(2, &c[c.len() - n..])]
}

/// The evidence two records give about each other besides their names.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// An organisation or forge owner in common.
    pub org_agree: bool,
    /// Both name organisations, none in common.
    pub org_disagree: bool,
    /// The same homepage host (not a shared host), or the same homepage on a shared host.
    pub host_agree: bool,
    /// Homepages on two different hosts.
    pub host_disagree: bool,
    pub license_agree: bool,
    pub license_disagree: bool,
}

/// The score of a pair: the names' similarity, raised by agreement and lowered by
/// disagreement; `None` when the pair must not merge (no organisation or host agreement, or
/// names too far apart).
pub fn score(a: &str, b: &str, ev: Evidence) -> Option<f64> {
    if a.is_empty() || b.is_empty() || !(ev.org_agree || ev.host_agree) {
        return None;
    }
    if ev.org_disagree && !ev.org_agree || ev.host_disagree && !ev.host_agree {
        return None;
    }
    let sim = if a == b { 1.0 } else { jaro_winkler(a, b) };
    if sim < MIN_SIMILARITY || !tokens_covered(a, b) {
        return None;
    }
    let bonus = |yes: bool, w: f64| if yes { w } else { 0.0 };
    let s =
        sim + bonus(ev.org_agree, 0.1) + bonus(ev.host_agree, 0.1) + bonus(ev.license_agree, 0.03)
            - bonus(ev.license_disagree, 0.05);
    (s >= 1.0).then_some(s)
}

/// True when every word of the name with fewer words is in the other one (exactly, or
/// nearly for words of five letters or more): `lyon open data` and `lyon open budget` are
/// two tools even though their characters are close.
fn tokens_covered(a: &str, b: &str) -> bool {
    let (short, long) = if a.split(' ').count() <= b.split(' ').count() {
        (a, b)
    } else {
        (b, a)
    };
    short.split(' ').all(|t| {
        long.split(' ')
            .any(|u| t == u || t.len() >= 5 && u.len() >= 5 && jaro_winkler(t, u) >= 0.9)
    })
}

/// A Latin letter without its accent (`é` → `e`, `ñ` → `n`, `ç` → `c`); others unchanged.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_accents_and_noise_words() {
        assert_eq!(normalise_name("Decidim App"), "decidim");
        assert_eq!(normalise_name("decidim-app"), "decidim");
        assert_eq!(normalise_name("Démocratie  Ouverte!"), "democratie ouverte");
        assert_eq!(normalise_name("The App"), "the app");
        assert_eq!(org_tag("mySociety Ltd."), org_tag("MYSOCIETY-LTD"));
        assert_ne!(org_tag("mySociety"), org_tag("mySociety Ltd."));
        assert_eq!(org_tag("Société"), org_tag("societe"));
        assert_eq!(org_tag(" - "), None);
    }

    #[test]
    fn blocking_keys_take_both_ends() {
        let [p, s] = blocking_keys("decidim");
        assert_eq!(blocking_keys("deci mal")[0], p, "same first four letters");
        assert_eq!(blocking_keys("pro cidim")[1], s, "same last four letters");
        assert_eq!(blocking_keys("dec idim"), [p, s], "spaces do not count");
        assert_ne!(blocking_keys("decimal")[1], s);
        let [p2, s2] = blocking_keys("ab");
        assert_ne!(p2, s2, "prefix and suffix keys never meet");
        assert_ne!(blocking_keys("abc")[0], blocking_keys("abcd")[0]);
    }

    #[test]
    fn a_name_alone_never_merges() {
        let none = Evidence::default();
        assert_eq!(score("vote", "vote", none), None);
        let org = Evidence {
            org_agree: true,
            ..none
        };
        assert!(score("vote", "vote", org).is_some());
        assert!(score("decidim", "decidm", org).is_some());
        assert_eq!(score("lyon open data", "lyon open budget", org), None);
        assert!(score("participatory budgetting", "participatory budgeting", org).is_some());
        let against = Evidence {
            org_agree: true,
            host_disagree: true,
            ..none
        };
        assert_eq!(score("vote", "vote", against), None);
    }
}
