//! Licences to SPDX expressions (rules and mapping table in docs/normalisation.md).
//!
//! A value is, in order: a marker of no licence (`NOASSERTION`, `other`, …: none); a valid
//! SPDX expression (kept, operators upper-cased); one licence written as an id in any case, a
//! deprecated id (`GPL-3.0` → `GPL-3.0-only`, `GPL-2.0+` → `GPL-2.0-or-later`), an SPDX full
//! name, a project alias (`Licence Ouverte 2.0` → `etalab-2.0`) or a common name read by
//! family and version (`Apache 2`, `GNU Affero General Public License v3.0`, `BSD 3-Clause`,
//! `CC BY-SA 4.0`); or an expression of such names joined by `/`, `or`, `and`, `,`. Anything
//! else maps to nothing (the raw value stays in `license_raw`). Every result parses as a strict
//! SPDX expression.

use std::collections::HashMap;
use std::sync::LazyLock;

use spdx::{Expression, LicenseId};

use self::family::{Family, family};
use self::words::{ALIASES, NO_ASSERTION};

mod family;
mod words;

/// True when `raw` is a marker of no licence (`NOASSERTION`, `other`, `unknown`, …).
pub fn is_no_assertion(raw: &str) -> bool {
    let k = raw.trim().trim_matches(['"', '\'']).to_lowercase();
    k.is_empty() || NO_ASSERTION.contains(&k.as_str())
}

/// Words one of which every statement of a licence holds (folded, lowercase, whole words or
/// leading letters of a word): a value with none (`Ministère de l'Intérieur`, `Sun
/// Microsystems`) is no licence at all.
const LICENCE_WORDS: &[&str] = &[
    "licen",
    "gpl",
    "lgpl",
    "agpl",
    "gnu",
    "mit",
    "bsd",
    "apache",
    "mpl",
    "mozilla",
    "eupl",
    "cecill",
    "cc",
    "creative",
    "public",
    "domain",
    "copyleft",
    "copyright",
    "open",
    "free",
    "libre",
    "isc",
    "zlib",
    "wtfpl",
    "unlicense",
    "epl",
    "eclipse",
    "artistic",
    "spdx",
    "x11",
    "afl",
    "osl",
    "postgresql",
    "python",
    "psf",
    "boost",
    "etalab",
    "ouverte",
    "odbl",
    "ofl",
];

/// What a licence value is, for the per-source counts in `report.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// An SPDX expression.
    Mapped(String),
    /// No licence: a no-assertion word (`N/A`, `proprietary`, `other`, `0`) or text without
    /// any word of a licence (an agency's name in the licence column).
    NotALicence,
    /// A licence statement civicrawl cannot map (`BSD` without a variant, `Licence libre`).
    Unmapped,
}

/// Reads one licence value: [`normalise`], else whether it is a licence at all.
pub fn read(raw: &str) -> Reading {
    if let Some(e) = normalise(raw) {
        return Reading::Mapped(e);
    }
    if is_no_assertion(raw) {
        return Reading::NotALicence;
    }
    let folded = crate::normalise::country::fold(raw);
    let licence_like = folded
        .split(' ')
        .any(|w| LICENCE_WORDS.iter().any(|l| w.starts_with(l)));
    if licence_like {
        Reading::Unmapped
    } else {
        Reading::NotALicence
    }
}

/// Every SPDX id, lowercase → id; every full name, lowercase → id (current ids win).
static BY_LOWER_ID: LazyLock<HashMap<String, LicenseId>> = LazyLock::new(|| {
    spdx::identifiers::LICENSES
        .iter()
        .filter_map(|l| spdx::license_id(l.name))
        .map(|id| (id.name.to_lowercase(), id))
        .collect()
});

static BY_FULL_NAME: LazyLock<HashMap<String, LicenseId>> = LazyLock::new(|| {
    let mut map: HashMap<String, LicenseId> = HashMap::new();
    for l in spdx::identifiers::LICENSES {
        let Some(id) = spdx::license_id(l.name) else {
            continue;
        };
        let key = collapse_lower(l.full_name);
        match map.get(&key) {
            Some(old) if !old.is_deprecated() => {}
            _ => {
                map.insert(key, id);
            }
        }
    }
    map
});

fn collapse_lower(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The SPDX expression of a licence value, or `None` when it names no licence or cannot be
/// understood.
pub fn normalise(raw: &str) -> Option<String> {
    let s = raw.trim().trim_matches(['"', '\'']).trim();
    // `GPL.v3`: a dot before the version is a space
    let s = &dot_before_version(s);
    // `Apache License, Version 2.0`: that comma is no operator
    let s = &drop_comma_before_version(s);
    if is_no_assertion(s) {
        return None;
    }
    if Expression::parse(s).is_ok() {
        let canon = Expression::canonicalize(s).ok().flatten();
        let out = canon.unwrap_or_else(|| s.to_string());
        return Expression::parse(&out).is_ok().then_some(out);
    }
    // `GNU Affero General Public License v3.0 (AGPL-3.0)`: the id in brackets decides
    if let Some((_, inner)) = s.strip_suffix(')').and_then(|x| x.rsplit_once('('))
        && let Some(id) = term(inner)
    {
        return Some(id);
    }
    term(s)
        .or_else(|| expression(s))
        .filter(|e| Expression::parse(e).is_ok())
}

/// `GPL.v3` → `GPL v3`: a dot followed by `v` or `V` and a digit separates a name from its
/// version.
fn dot_before_version(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        let versioned = c == '.'
            && matches!(b.get(i + 1), Some(b'v' | b'V'))
            && b.get(i + 2).is_some_and(u8::is_ascii_digit)
            && i > 0
            && b[i - 1].is_ascii_alphabetic();
        out.push(if versioned { ' ' } else { c });
    }
    out
}

/// True (OSI-approved or FSF free/libre), false (known but neither, or a `LicenseRef-`), or
/// `None` when `expr` is not a valid SPDX expression. `A OR B` is open when either is, `A AND
/// B` when both are; exceptions do not change the answer.
pub fn is_open(expr: &str) -> Option<bool> {
    let e = Expression::parse(expr).ok()?;
    Some(e.evaluate(|req| {
        req.license
            .id()
            .is_some_and(|id| id.is_osi_approved() || id.is_fsf_free_libre())
    }))
}

/// One licence named by id, full name, alias or family and version.
fn term(s: &str) -> Option<String> {
    let s = s.trim();
    // PyPI classifiers: `License :: OSI Approved :: MIT License`
    let s = s.rsplit("::").next().unwrap_or(s).trim();
    // `:: NOASSERTION` is no licence either (`NOASSERTION` is also an SPDX id)
    if is_no_assertion(s) {
        return None;
    }
    let lower = collapse_lower(s);
    if lower.is_empty() {
        return None;
    }
    let (base, plus) = match lower.strip_suffix('+') {
        Some(b) => (b.trim_end(), true),
        None => (lower.as_str(), false),
    };
    if let Some(id) = BY_LOWER_ID.get(base) {
        return Some(render(*id, plus));
    }
    if let Some(id) = BY_FULL_NAME.get(base) {
        return Some(render(*id, plus));
    }
    if let Some((_, id)) = ALIASES.iter().find(|(k, _)| *k == lower) {
        return Some(id.to_string());
    }
    if has_operator(s) {
        return None;
    }
    match family(&lower) {
        Family::Found(id) => return Some(id),
        Family::Ambiguous => return None,
        Family::None => {}
    }
    let compact = lower.replace(' ', "");
    spdx::imprecise_license_id(&compact)
        .filter(|(_, len)| *len == compact.len())
        .map(|(id, _)| render(id, false))
}

/// An id as a current SPDX id: deprecated GNU ids get `-only` (`-or-later` with `+`).
fn render(id: LicenseId, plus: bool) -> String {
    let name = id.name;
    if id.is_gnu() && !name.ends_with("-only") && !name.ends_with("-or-later") {
        let base = name.trim_end_matches('+');
        let or_later = plus || name.ends_with('+');
        if let Some(g) = spdx::gnu_license_id(base, or_later) {
            return g.name.to_string();
        }
    }
    if plus && !id.is_gnu() {
        return format!("{name}+");
    }
    name.to_string()
}

/// An expression of names joined by `/`, `or`, `ou`, `|` (OR) or `and`, `et`, `&`, `,`, `;`
/// (AND), with parentheses and `WITH`.
fn expression(s: &str) -> Option<String> {
    let mut text = s.to_string();
    for (from, to) in [
        ("and/or", " OR "),
        ("And/Or", " OR "),
        ("AND/OR", " OR "),
        ("(", " ( "),
        (")", " ) "),
        ("/", " / "),
        ("|", " | "),
        (",", " , "),
        (";", " ; "),
        ("&", " & "),
    ] {
        text = text.replace(from, to);
    }
    // `or later` belongs to the licence, not to the operator
    let protected = protect_or_later(&text);
    let mut out: Vec<String> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let mut after_with = false;
    let flush = |words: &mut Vec<&str>, out: &mut Vec<String>, after_with: bool| -> Option<()> {
        if words.is_empty() {
            return Some(());
        }
        let t = words.join(" ").replace('\u{1}', " or");
        words.clear();
        if after_with {
            out.push(spdx::exception_id(t.trim())?.name.to_string());
        } else {
            out.push(term(&t)?);
        }
        Some(())
    };
    for w in protected.split_whitespace() {
        let op = match w.to_lowercase().as_str() {
            "or" | "ou" | "/" | "|" => Some("OR"),
            "and" | "et" | "&" | "," | ";" => Some("AND"),
            "with" => Some("WITH"),
            "(" => Some("("),
            ")" => Some(")"),
            _ => None,
        };
        match op {
            Some(op) => {
                flush(&mut words, &mut out, after_with)?;
                after_with = op == "WITH";
                out.push(op.to_string());
            }
            None => words.push(w),
        }
    }
    flush(&mut words, &mut out, after_with)?;
    let joined = out.join(" ").replace("( ", "(").replace(" )", ")");
    (!joined.is_empty()).then_some(joined)
}

fn drop_comma_before_version(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    match lower.find(", version").or_else(|| lower.find(", v")) {
        Some(i) => format!("{}{}", &s[..i], &s[i + 1..]),
        None => s.to_string(),
    }
}

/// True when `s` holds an operator of [`expression`] outside ` or later`.
fn has_operator(s: &str) -> bool {
    let spaced = s
        .replace(['/', '|', ',', ';', '&', '(', ')'], " / ")
        .to_ascii_lowercase();
    protect_or_later(&spaced)
        .split_whitespace()
        .any(|w| matches!(w, "/" | "or" | "ou" | "and" | "et" | "with"))
}

/// Marks ` or later` / ` or any later version` so the splitter keeps them in the term.
fn protect_or_later(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &lower[i..];
        if rest.starts_with(" or later") || rest.starts_with(" or any later") {
            out.push('\u{1}');
            i += " or".len();
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests;
