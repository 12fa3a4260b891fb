//! The organisations and use cases a record names ([`RawPart`]s) to [`NormOrg`]s and
//! [`NormUseCase`]s: plain text, canonical URLs, ISO countries, forge accounts, Wikidata ids
//! and official identifiers (rules in docs/normalisation.md, "Organisations and use cases").
//! A value that cannot be read is dropped and reported through `issue(field, message)`.

use super::{country, text, url, values};
use crate::model::{NormOrg, NormUseCase, OrgRole, RawPart};

/// The organisations of `parts`, each once (the same organisation in the same role from two
/// tables of one record is one).
pub fn organisations(parts: &[RawPart], issue: &mut impl FnMut(&str, String)) -> Vec<NormOrg> {
    let mut out: Vec<NormOrg> = Vec::new();
    for part in parts {
        let Some(role) = part.role.as_deref().and_then(OrgRole::parse) else {
            continue;
        };
        let org = NormOrg {
            role,
            name: plain(part.first("name")),
            website: link(part.first("website"), "organisations.website", issue),
            country: code(part.first("country"), "organisations.country", issue),
            kind: plain(part.first("kind")),
            forge_account: part.first("forge_account").and_then(|v| {
                let account = forge_account(v);
                if account.is_none() {
                    issue(
                        "organisations.forge_account",
                        format!(
                            "not a GitHub or GitLab account: `{v}` (expected e.g. \
                             `https://github.com/etalab` or `github:etalab`)"
                        ),
                    );
                }
                account
            }),
            wikidata_id: part.first("wikidata").and_then(|v| {
                let id = values::wikidata(v);
                if id.is_none() {
                    issue(
                        "organisations.wikidata",
                        format!("not a Wikidata item id: `{v}`"),
                    );
                }
                id
            }),
            siren: part.first("siren").and_then(|v| {
                let siren = siren(v);
                if siren.is_none() {
                    issue(
                        "organisations.siren",
                        format!("not a SIREN (9 digits): `{v}`"),
                    );
                }
                siren
            }),
            ipa: plain(part.first("ipa")),
            pso_id: plain(part.first("pso_id")),
        };
        if !out.contains(&org) {
            out.push(org);
        }
    }
    out
}

/// The use cases of `parts`, each once.
pub fn use_cases(parts: &[RawPart], issue: &mut impl FnMut(&str, String)) -> Vec<NormUseCase> {
    let mut out: Vec<NormUseCase> = Vec::new();
    for part in parts {
        let case = NormUseCase {
            title: plain(part.first("title")),
            url: link(part.first("url"), "use_cases.url", issue),
            organisation: plain(part.first("organisation")),
            country: code(part.first("country"), "use_cases.country", issue),
            audience: plain(part.first("audience")),
        };
        let identified = case.title.is_some() || case.url.is_some() || case.organisation.is_some();
        if identified && !out.contains(&case) {
            out.push(case);
        }
    }
    out
}

fn plain(value: Option<&str>) -> Option<String> {
    value.map(text::plain).filter(|s| !s.is_empty())
}

fn link(value: Option<&str>, field: &str, issue: &mut impl FnMut(&str, String)) -> Option<String> {
    let value = value?;
    match url::canonical(value) {
        Ok(u) => Some(u),
        Err(e) => {
            issue(field, format!("invalid URL `{value}`: {e}"));
            None
        }
    }
}

fn code(value: Option<&str>, field: &str, issue: &mut impl FnMut(&str, String)) -> Option<String> {
    let value = value?;
    let code = country::normalise(value);
    if code.is_none() {
        issue(field, format!("not an ISO 3166-1 country: `{value}`"));
    }
    code
}

/// A forge account: `github:<login>` for a GitHub owner page or `github:<login>`;
/// `gitlab:<host>/<group path>` for a GitLab group page (gitlab.com or a `gitlab.*` host) or
/// `gitlab:<host>/<path>`. Logins and paths are lowercased (both forges ignore case).
pub fn forge_account(value: &str) -> Option<String> {
    let value = value.trim();
    let valid = |s: &str| {
        !s.is_empty()
            && s.split('/').all(|seg| {
                !seg.is_empty()
                    && seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            })
    };
    if let Some(login) = value.strip_prefix("github:") {
        let login = login.to_ascii_lowercase();
        return (valid(&login) && !login.contains('/')).then(|| format!("github:{login}"));
    }
    if let Some(path) = value.strip_prefix("gitlab:") {
        let path = path.trim_end_matches('/').to_ascii_lowercase();
        return (valid(&path) && path.contains('/')).then(|| format!("gitlab:{path}"));
    }
    let canonical = url::canonical(value).ok()?;
    let rest = canonical.split_once("://")?.1;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    if host == "github.com" {
        return url::forge_owner(&canonical)
            .map(|login| format!("github:{}", login.to_ascii_lowercase()));
    }
    let gitlab = host == "gitlab.com" || host.starts_with("gitlab.");
    (gitlab && valid(&path) && !path.contains("/-")).then(|| format!("gitlab:{host}/{path}"))
}

/// A SIREN: 9 digits once spaces are dropped (a 14-digit SIRET gives its first 9).
pub fn siren(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match digits.len() {
        9 => Some(digits),
        14 => Some(digits[..9].to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn part(role: Option<&str>, fields: &[(&str, &str)]) -> RawPart {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in fields {
            map.entry(k.to_string()).or_default().push(v.to_string());
        }
        RawPart {
            role: role.map(str::to_string),
            fields: map,
        }
    }

    #[test]
    fn organisations_are_read_and_bad_values_reported() {
        let mut issues = Vec::new();
        let orgs = organisations(
            &[
                part(
                    Some("develops"),
                    &[
                        ("name", "  Open  Knowledge Foundation "),
                        ("website", "HTTPS://WWW.okfn.org/"),
                        ("country", "United Kingdom"),
                        ("forge_account", "https://github.com/OKFN"),
                        ("wikidata", "https://www.wikidata.org/wiki/Q1146025"),
                    ],
                ),
                part(
                    Some("uses"),
                    &[
                        ("name", "DINUM"),
                        ("country", "Atlantis"),
                        ("siren", "130 025 265 00013"),
                        ("forge_account", "https://example.org/dinum"),
                    ],
                ),
                // The same organisation twice: once.
                part(Some("uses"), &[("name", "DINUM"), ("siren", "130025265")]),
            ],
            &mut |field: &str, m: String| issues.push(format!("{field}: {m}")),
        );
        assert_eq!(orgs.len(), 2, "the same DINUM twice is one: {orgs:?}");
        let okfn = &orgs[0];
        assert_eq!(okfn.role, OrgRole::Develops);
        assert_eq!(okfn.name.as_deref(), Some("Open Knowledge Foundation"));
        assert_eq!(okfn.website.as_deref(), Some("https://okfn.org"));
        assert_eq!(okfn.country.as_deref(), Some("GB"));
        assert_eq!(okfn.forge_account.as_deref(), Some("github:okfn"));
        assert_eq!(okfn.wikidata_id.as_deref(), Some("Q1146025"));
        assert_eq!(orgs[1].siren.as_deref(), Some("130025265"));
        assert_eq!(orgs[1].country, None);
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert!(issues[0].contains("Atlantis"), "{issues:?}");
        assert!(issues[1].contains("example.org/dinum"), "{issues:?}");
    }

    #[test]
    fn forge_accounts_name_the_forge_and_the_account() {
        assert_eq!(
            forge_account("https://github.com/Etalab").as_deref(),
            Some("github:etalab")
        );
        assert_eq!(
            forge_account("github:decidim").as_deref(),
            Some("github:decidim")
        );
        assert_eq!(
            forge_account("https://gitlab.com/Open-Fisca/Country").as_deref(),
            Some("gitlab:gitlab.com/open-fisca/country")
        );
        assert_eq!(
            forge_account("https://gitlab.adullact.net/libriciel/").as_deref(),
            Some("gitlab:gitlab.adullact.net/libriciel")
        );
        assert_eq!(
            forge_account("https://github.com/etalab/sill"),
            None,
            "a repository"
        );
        assert_eq!(forge_account("etalab"), None);
        assert_eq!(forge_account("github:a/b"), None);
    }

    #[test]
    fn use_cases_need_a_title_a_url_or_an_organisation() {
        let mut issues = Vec::new();
        let cases = use_cases(
            &[
                part(
                    None,
                    &[
                        ("organisation", "Ville de Paris"),
                        ("url", "https://budgetparticipatif.paris.fr/"),
                        ("audience", "Citoyens"),
                    ],
                ),
                part(None, &[("audience", "Agents publics")]),
                part(None, &[("title", "Decide Madrid"), ("url", "not a url")]),
            ],
            &mut |field: &str, m: String| issues.push(format!("{field}: {m}")),
        );
        assert_eq!(cases.len(), 2);
        assert_eq!(
            cases[0].url.as_deref(),
            Some("https://budgetparticipatif.paris.fr")
        );
        assert_eq!(cases[1].title.as_deref(), Some("Decide Madrid"));
        assert_eq!(issues.len(), 1, "{issues:?}");
    }
}
