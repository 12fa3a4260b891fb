//! What two records say besides their names: licence families, descriptions.

use super::words::DESCRIPTION_NOISE;
use super::{fold, is_in};

/// How two licence expressions (SPDX) relate: `Some(true)` when they share a licence family
/// (`GPL-2.0-only` and `GPL-3.0-or-later` are both GPL: catalogues disagree on versions far
/// more often than on licences), `Some(false)` when they share none, `None` when either is
/// missing.
pub fn license_agreement(a: Option<&str>, b: Option<&str>) -> Option<bool> {
    let (a, b) = (a?, b?);
    let fa = license_families(a);
    let fb = license_families(b);
    if fa.is_empty() || fb.is_empty() {
        return None;
    }
    Some(fa.iter().any(|f| fb.contains(f)))
}

/// The licence families of an SPDX expression: each licence id up to its version
/// (`GPL-3.0-or-later` → `gpl`, `BSD-3-Clause` → `bsd`, `CECILL-B` → `cecill-b`), operators and
/// exceptions left out.
fn license_families(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut after_with = false;
    for token in expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        match token {
            "" => continue,
            "AND" | "OR" => {
                after_with = false;
                continue;
            }
            "WITH" => {
                after_with = true;
                continue;
            }
            _ if after_with => continue,
            _ => {}
        }
        let id = token.trim_end_matches('+').to_ascii_lowercase();
        let family = match id.find(|c: char| c.is_ascii_digit()) {
            Some(0) | None => id.as_str(),
            Some(at) => id[..at].trim_end_matches(['-', '.', 'v']),
        };
        if !family.is_empty() && !out.iter().any(|f| f == family) {
            out.push(family.to_string());
        }
    }
    out
}

/// How two descriptions compare, over their words of four letters or more (accents and case
/// folded, common words left out): `Some(true)` when they share at least three, and those
/// are at least 30% of the shorter one's; `Some(false)` when each has three or more and
/// they share none; `None` otherwise (too short to tell).
pub fn descriptions_agree(a: &str, b: &str) -> Option<bool> {
    let (wa, wb) = (description_words(a), description_words(b));
    let shared = wa.iter().filter(|w| wb.binary_search(w).is_ok()).count();
    if shared >= 3 && shared * 10 >= 3 * wa.len().min(wb.len()) {
        Some(true)
    } else if shared == 0 && wa.len() >= 3 && wb.len() >= 3 {
        Some(false)
    } else {
        None
    }
}

/// True when two descriptions share a word of four letters or more that is not a common one
/// (`molecular` in `Compute molecular dynamics` and `Versatile package for molecular dynamics
/// calculations`).
pub fn descriptions_share_a_word(a: &str, b: &str) -> bool {
    let (wa, wb) = (description_words(a), description_words(b));
    wa.iter().any(|w| wb.binary_search(w).is_ok())
}

/// The words of four letters or more of a description, accents and case folded, common
/// words left out, sorted, each once.
fn description_words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .map(|w| {
            w.chars()
                .map(fold)
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| w.len() >= 4 && !is_in(DESCRIPTION_NOISE, w))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
