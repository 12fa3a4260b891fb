//! Sync and pure: GitHub REST answers → repositories → record fields and the organisation
//! that owns each (SPEC section 4 `github`). Fields are kept as GitHub gives them;
//! `normalise` canonicalises.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::kinds::mapping::{self, Fields};
use crate::kinds::parts::{self, PartKind};
use crate::model::{RawPart, RawRecord};
use crate::report::Issue;

/// The fields of a repository a harvester maps (GitHub REST "repository" object).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Repo {
    pub id: u64,
    pub full_name: String,
    pub name: String,
    pub html_url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub homepage: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub license: Option<License>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub stargazers_count: Option<u64>,
    #[serde(default)]
    pub forks_count: Option<u64>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub fork: bool,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub pushed_at: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
    pub owner: Owner,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct License {
    #[serde(default)]
    pub spdx_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Owner {
    pub login: String,
    /// `Organization` or `User`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The account's page, `https://github.com/<login>`.
    #[serde(default)]
    pub html_url: Option<String>,
}

/// One search answer: `{"total_count", "incomplete_results", "items"}`.
#[derive(Debug)]
pub(crate) struct SearchPage {
    pub total_count: u64,
    pub incomplete: bool,
    pub items: Vec<Value>,
}

/// Parses a list answer (`/orgs/{org}/repos`, `/users/{u}/repos`): a JSON array.
pub(crate) fn parse_list(url: &Url, body: &[u8]) -> Result<Vec<Value>, String> {
    match serde_json::from_slice::<Value>(mapping::strip_bom(body)) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(other) => Err(format!(
            "expected a JSON array of repositories at `{url}`, found {}",
            kind_of(&other)
        )),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

/// Parses a search answer.
pub(crate) fn parse_search(body: &[u8]) -> Result<SearchPage, String> {
    let doc: Value = serde_json::from_slice(mapping::strip_bom(body))
        .map_err(|e| format!("invalid JSON: {e}"))?;
    let total_count = doc
        .get("total_count")
        .and_then(Value::as_u64)
        .ok_or("search answer without `total_count`")?;
    let items = match doc.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => return Err("search answer without an `items` array".into()),
    };
    Ok(SearchPage {
        total_count,
        incomplete: doc
            .get("incomplete_results")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        items,
    })
}

/// The display name of an organisation (`/orgs/{org}`): `name`, else `login`.
pub(crate) fn org_display_name(body: &[u8]) -> Option<String> {
    let doc: Value = serde_json::from_slice(body).ok()?;
    let pick = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    pick("name").or_else(|| pick("login"))
}

/// Reads one repository of a list; a malformed one is an issue.
pub(crate) fn parse_repo(url: &Url, item: &Value) -> Result<Repo, Issue> {
    Repo::deserialize(item).map_err(|e| {
        let id = item.get("id").map(|v| v.to_string());
        let issue = Issue::new(url.as_str(), format!("repository skipped: {e}"));
        match id {
            Some(id) => issue.record(id),
            None => issue,
        }
    })
}

/// The record fields of a repository. `org_names` maps an owner login to its display name.
pub(crate) fn repo_fields(repo: &Repo, org_names: &HashMap<String, String>) -> Fields {
    let base =
        Url::parse(&repo.html_url).unwrap_or_else(|_| Url::parse("https://github.com").unwrap());
    let mut f = Fields::new();
    let mut add = |field: &str, value: &str| mapping::add_value(&mut f, field, value, &base);
    add("record_id", &repo.id.to_string());
    add("name", &repo.name);
    add("description", repo.description.as_deref().unwrap_or(""));
    add("homepage", repo.homepage.as_deref().unwrap_or(""));
    add("repository", &repo.html_url);
    for topic in &repo.topics {
        add("tags", topic);
    }
    if let Some(spdx) = repo.license.as_ref().and_then(|l| l.spdx_id.as_deref())
        && spdx != "NOASSERTION"
    {
        add("license", spdx);
    }
    add(
        "programming_languages",
        repo.language.as_deref().unwrap_or(""),
    );
    let owner = org_names
        .get(&repo.owner.login.to_ascii_lowercase())
        .unwrap_or(&repo.owner.login);
    add("organizations", owner);
    if let Some(n) = repo.stargazers_count {
        add("stars", &n.to_string());
    }
    if let Some(n) = repo.forks_count {
        add("forks", &n.to_string());
    }
    add("archived", if repo.archived { "true" } else { "false" });
    add("created_at", repo.created_at.as_deref().unwrap_or(""));
    add("updated_at", repo.pushed_at.as_deref().unwrap_or(""));
    f
}

/// The organisation that owns a repository, which develops it: only an organisation account
/// (`owner.type` `Organization`; a user is no organisation). Its name is the declared
/// organisation's display name, else the login; its forge account the owner's page on
/// github.com (none on GitHub Enterprise, whose accounts `github:` does not name).
pub(crate) fn owner_organisation(
    repo: &Repo,
    org_names: &HashMap<String, String>,
) -> Option<RawPart> {
    let owner = &repo.owner;
    if owner.kind.as_deref() != Some("Organization") {
        return None;
    }
    let base =
        Url::parse(&repo.html_url).unwrap_or_else(|_| Url::parse("https://github.com").unwrap());
    let name = org_names
        .get(&owner.login.to_ascii_lowercase())
        .unwrap_or(&owner.login);
    let mut fields = BTreeMap::new();
    parts::add_value(&mut fields, "name", name, &base);
    let on_github =
        |page: &&str| Url::parse(page).is_ok_and(|u| u.host_str() == Some("github.com"));
    if let Some(page) = owner.html_url.as_deref().filter(on_github) {
        parts::add_value(&mut fields, "forge_account", page, &base);
    }
    parts::finish(PartKind::Organisations, Some("develops"), fields)
}

/// Turns fields into a record read from `url`.
pub(crate) fn record(fields: Fields, url: &Url, issues: &mut Vec<Issue>) -> Option<RawRecord> {
    mapping::finish_record(fields, url, None, Vec::new(), issues)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
