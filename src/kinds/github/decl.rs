//! `GithubSource`: the keys of a `github` declaration, checked and compiled (SPEC section 4).

use toml::Table;
use url::Url;

use crate::crawl::ApiLimits;
use crate::kinds::decl::{self, take_bool, take_names};
use crate::kinds::forge::decl::{take_api_url, take_limits, take_token_env};

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
