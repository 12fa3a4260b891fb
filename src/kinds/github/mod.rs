//! `github` sources: repositories from the GitHub REST API v3 (SPEC section 4 `github`,
//! issue 6): organisations, users, single repositories, topics and searches.
//!
//! Few requests, no ban, nothing missed: `per_page=100`, pagination only through `Link`
//! headers, `/orgs/{org}` once per organisation (its display name), searches over the
//! 1,000-result cap sliced by `created:` ranges, every request an API call for `crawl`
//! (conditional through the state store, one in flight per token, rate-limit headers obeyed;
//! see `crawl::ApiLimits`). A repository's record id is its numeric `id`, stable across
//! renames and transfers, so its tool keeps its id; a renamed `repos` entry keeps the old URL
//! as a second `repository` value (an alias). Forks and archived repositories are filtered as
//! declared. With `detect_publiccode`, a publiccode.yml at the root of the default branch
//! overrides the descriptive fields; an invalid one is an issue, the repository stays. A
//! repository owned by an organisation account (not a user) names it as the organisation
//! that develops it, before the organisations its publiccode.yml names.
//!
//! The token is read from the variable `token_env` names by the run (`SourceCx::secret`),
//! sent as a bearer token, and never logged nor stored. Without it the source runs
//! anonymously (60 requests an hour on github.com).

mod decl;
mod extract;
#[cfg(test)]
mod tests;
mod walk;

pub use decl::GithubSource;
pub(crate) use decl::build;

use super::forge::api;
use super::{Harvest, SourceCx, SourceError};

/// Declaration keys of a `github` source besides the common keys:
///
/// * `api_url` (default `https://api.github.com`): the REST root (GitHub Enterprise, tests);
/// * `token_env` (default `GITHUB_TOKEN`): the environment variable holding the token;
/// * `orgs`, `users`, `topics`, `repos` (`owner/name`), `search` (queries): what to list;
/// * `include_forks` (default false), `include_archived` (default true);
/// * `detect_publiccode` (default false): read publiccode.yml of each repository;
/// * `max_wait` (seconds or `"15m"`, default 15 minutes): the longest wait for a rate limit.
pub const KEYS: &[&str] = &[
    "api_url",
    "token_env",
    "orgs",
    "users",
    "topics",
    "repos",
    "search",
    "include_forks",
    "include_archived",
    "detect_publiccode",
    "max_wait",
];

/// Runs a `github` source over the run's fetcher.
pub(crate) async fn run(src: &GithubSource, cx: &SourceCx<'_>) -> Result<Harvest, SourceError> {
    let bearer = (cx.secret)(&src.token_env);
    if bearer.is_none() {
        tracing::info!(token_env = %src.token_env, "no token set; running within the anonymous rate limit");
    }
    let api = api::FetcherApi {
        cx,
        api_url: &src.api_url,
        bearer,
        limits: src.limits,
        headers: vec![("x-github-api-version".into(), walk::API_VERSION.into())],
    };
    walk::walk(src, &api, crate::clock::now().date_naive()).await
}
