//! `GithubSource`: the keys of a `github` declaration, checked and compiled (SPEC section 4),
//! and the declaration helpers the forge kinds share (`gitlab` uses them too).

use std::time::Duration;

use toml::{Table, Value};
use url::Url;

use crate::crawl::ApiLimits;
use crate::kinds::decl;

/// The default `api_url`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// The default `token_env`.
pub const DEFAULT_TOKEN_ENV: &str = "GITHUB_TOKEN";

/// A `github` declaration, compiled.
#[derive(Debug)]
pub struct GithubSource {
    /// The REST API root, without a trailing slash in its path.
    pub(crate) api_url: Url,
    pub(crate) token_env: String,
    pub(crate) orgs: Vec<String>,
    pub(crate) users: Vec<String>,
    pub(crate) topics: Vec<String>,
    /// `owner/name`.
    pub(crate) repos: Vec<String>,
    pub(crate) search: Vec<String>,
    pub(crate) include_forks: bool,
    pub(crate) include_archived: bool,
    pub(crate) detect_publiccode: bool,
    pub(crate) limits: ApiLimits,
}

impl GithubSource {
    /// The API root.
    pub fn api_url(&self) -> &Url {
        &self.api_url
    }

    /// The environment variable holding the token.
    pub fn token_env(&self) -> &str {
        &self.token_env
    }
}

/// Compiles a `github` declaration; returns every problem.
pub fn build(mut table: Table) -> Result<GithubSource, Vec<String>> {
    let mut errs = Vec::new();
    let api_url = take_api_url(&mut table, DEFAULT_API_URL, &mut errs);
    let token_env = take_token_env(&mut table, DEFAULT_TOKEN_ENV, &mut errs);
    let orgs = take_names(&mut table, "orgs", &mut errs);
    let users = take_names(&mut table, "users", &mut errs);
    let topics = take_names(&mut table, "topics", &mut errs);
    let repos = take_names(&mut table, "repos", &mut errs);
    let search = take_names(&mut table, "search", &mut errs);
    for (i, r) in repos.iter().enumerate() {
        if r.split('/').filter(|p| !p.is_empty()).count() != 2 {
            errs.push(format!(
                "`repos[{i}]`: `{r}` is not `owner/name` (e.g. `mysociety/alaveteli`)"
            ));
        }
    }
    if [&orgs, &users, &topics, &repos, &search]
        .iter()
        .all(|l| l.is_empty())
    {
        errs.push(
            "nothing to harvest: give at least one of `orgs`, `users`, `topics`, `repos`, `search` (e.g. `orgs = [\"decidim\"]`)"
                .into(),
        );
    }
    let src = GithubSource {
        api_url,
        token_env,
        orgs,
        users,
        topics,
        repos,
        search,
        include_forks: take_bool(&mut table, "include_forks", false, &mut errs),
        include_archived: take_bool(&mut table, "include_archived", true, &mut errs),
        detect_publiccode: take_bool(&mut table, "detect_publiccode", false, &mut errs),
        limits: take_limits(&mut table, &mut errs),
    };
    decl::reject_rest(table, "github", &mut errs);
    decl::finish(src, errs)
}

/// Takes `api_url` (default `default`); the path loses its trailing slash.
pub(crate) fn take_api_url(table: &mut Table, default: &str, errs: &mut Vec<String>) -> Url {
    let text = decl::take_str(table, "api_url", errs).unwrap_or_else(|| default.to_owned());
    match decl::parse_http_url("api_url", &text) {
        Ok(mut url) => {
            let path = url.path().trim_end_matches('/').to_owned();
            url.set_path(&path);
            url.set_query(None);
            url
        }
        Err(e) => {
            errs.push(e);
            Url::parse(default).expect("the default API URL parses")
        }
    }
}

/// Takes `token_env` (default `default`): an environment variable name.
pub(crate) fn take_token_env(table: &mut Table, default: &str, errs: &mut Vec<String>) -> String {
    let name = decl::take_str(table, "token_env", errs).unwrap_or_else(|| default.to_owned());
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        errs.push(format!(
            "`token_env`: `{name}` is not an environment variable name (e.g. `GITHUB_TOKEN`); put the name here, never the token"
        ));
    }
    name
}

/// Takes an optional array of non-empty strings.
pub(crate) fn take_names(table: &mut Table, key: &str, errs: &mut Vec<String>) -> Vec<String> {
    let Some(value) = table.remove(key) else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        errs.push(format!(
            "`{key}`: expected an array of strings, found {}",
            value.type_str()
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
            Value::String(_) => errs.push(format!("`{key}[{i}]`: empty string")),
            other => errs.push(format!(
                "`{key}[{i}]`: expected a string, found {}",
                other.type_str()
            )),
        }
    }
    out
}

/// Takes an optional boolean.
pub(crate) fn take_bool(
    table: &mut Table,
    key: &str,
    default: bool,
    errs: &mut Vec<String>,
) -> bool {
    match table.remove(key) {
        None => default,
        Some(Value::Boolean(b)) => b,
        Some(other) => {
            errs.push(format!(
                "`{key}`: expected `true` or `false`, found {}",
                other.type_str()
            ));
            default
        }
    }
}

/// Takes `max_wait`: seconds as an integer, or text such as `"90s"`, `"15m"`, `"1h"`.
pub(crate) fn take_limits(table: &mut Table, errs: &mut Vec<String>) -> ApiLimits {
    let mut limits = ApiLimits::default();
    let Some(value) = table.remove("max_wait") else {
        return limits;
    };
    match parse_duration(&value) {
        Some(wait) => limits.max_wait = wait,
        None => errs.push(format!(
            "`max_wait`: expected seconds or a duration such as `\"15m\"`, found `{value}`"
        )),
    }
    limits
}

fn parse_duration(value: &Value) -> Option<Duration> {
    match value {
        Value::Integer(s) if *s >= 0 => Some(Duration::from_secs(*s as u64)),
        Value::String(text) => {
            let text = text.trim();
            let (num, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
            let n: u64 = num.parse().ok()?;
            let secs = match unit.trim() {
                "s" => n,
                "m" | "min" => n * 60,
                "h" => n * 3600,
                _ => return None,
            };
            Some(Duration::from_secs(secs))
        }
        _ => None,
    }
}
