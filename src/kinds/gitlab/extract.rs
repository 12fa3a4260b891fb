//! Sync and pure: GitLab v4 project objects → record fields and the group that owns each,
//! and the next page of a list.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::kinds::forge::api::{self, ApiPage};
use crate::kinds::mapping::{self, Fields};
use crate::kinds::parts::{self, PartKind};
use crate::model::{RawPart, RawRecord};
use crate::report::Issue;

/// The fields of a project a harvester maps.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Project {
    pub id: u64,
    pub name: String,
    pub web_url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub topics: Option<Vec<String>>,
    #[serde(default)]
    pub tag_list: Option<Vec<String>>,
    #[serde(default)]
    pub star_count: Option<u64>,
    #[serde(default)]
    pub forks_count: Option<u64>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub last_activity_at: Option<String>,
    #[serde(default)]
    pub namespace: Option<Namespace>,
    #[serde(default)]
    pub forked_from_project: Option<Value>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Namespace {
    #[serde(default)]
    pub name: Option<String>,
    /// `group` or `user`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The path with its parent groups', `parent/child`.
    #[serde(default)]
    pub full_path: Option<String>,
}

impl Project {
    /// True for a fork of another project.
    pub(crate) fn is_fork(&self) -> bool {
        self.forked_from_project
            .as_ref()
            .is_some_and(|v| !v.is_null())
    }
}

/// Reads one project; a malformed one is an issue.
pub(crate) fn parse_project(url: &Url, item: &Value) -> Result<Project, Issue> {
    Project::deserialize(item).map_err(|e| {
        let issue = Issue::new(url.as_str(), format!("project skipped: {e}"));
        match item.get("id") {
            Some(id) => issue.record(id.to_string()),
            None => issue,
        }
    })
}

/// The record of a project read from `url`.
pub(crate) fn record(p: &Project, url: &Url, issues: &mut Vec<Issue>) -> Option<RawRecord> {
    let base = Url::parse(&p.web_url).unwrap_or_else(|_| url.clone());
    let mut f = Fields::new();
    let mut add = |field: &str, value: &str| mapping::add_value(&mut f, field, value, &base);
    add("record_id", &p.id.to_string());
    add("name", &p.name);
    add("description", p.description.as_deref().unwrap_or(""));
    add("repository", &p.web_url);
    for t in p
        .topics
        .as_ref()
        .or(p.tag_list.as_ref())
        .into_iter()
        .flatten()
    {
        add("tags", t);
    }
    if let Some(ns) = &p.namespace
        && ns.kind.as_deref() != Some("user")
    {
        add("organizations", ns.name.as_deref().unwrap_or(""));
    }
    if let Some(n) = p.star_count {
        add("stars", &n.to_string());
    }
    if let Some(n) = p.forks_count {
        add("forks", &n.to_string());
    }
    add("archived", if p.archived { "true" } else { "false" });
    add("created_at", p.created_at.as_deref().unwrap_or(""));
    add("updated_at", p.last_activity_at.as_deref().unwrap_or(""));
    let mut record = mapping::finish_record(f, url, None, Vec::new(), issues)?;
    record.organisations = group_organisation(p, &base).into_iter().collect();
    Some(record)
}

/// The group that owns a project, which develops it: only a `group` namespace (a user's
/// namespace is no organisation). Its name is the namespace's; its forge account
/// `gitlab:<host>/<full_path>`, the form `normalise` reads on any host (a self-hosted
/// instance need not be called `gitlab.*`).
fn group_organisation(p: &Project, base: &Url) -> Option<RawPart> {
    let ns = p.namespace.as_ref()?;
    if ns.kind.as_deref() != Some("group") {
        return None;
    }
    let mut fields = BTreeMap::new();
    parts::add_value(&mut fields, "name", ns.name.as_deref().unwrap_or(""), base);
    let path = ns.full_path.as_deref().map(|p| p.trim_matches('/'));
    if let (Some(host), Some(path)) = (base.host_str(), path.filter(|p| !p.is_empty())) {
        let account = format!("gitlab:{host}/{path}");
        parts::add_value(&mut fields, "forge_account", &account, base);
    }
    parts::finish(PartKind::Organisations, Some("develops"), fields)
}

/// The next page: `Link` `rel="next"`, else `x-next-page` (empty on the last page) set as
/// `page` on the current URL.
pub(crate) fn next_page(page: &ApiPage, api_url: &Url) -> Result<Option<Url>, String> {
    if let Some(next) = api::next_page(page, api_url)? {
        return Ok(Some(next));
    }
    let Some(n) = page
        .header("x-next-page")
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Ok(None);
    };
    if n.parse::<u64>().is_err() {
        return Err(format!("`x-next-page` is `{n}`, expected a page number"));
    }
    let mut url = page.url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair("page", n);
    Ok(Some(url))
}
