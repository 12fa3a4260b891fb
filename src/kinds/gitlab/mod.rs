//! `gitlab` sources: projects from the GitLab v4 API, gitlab.com or self-hosted (SPEC
//! section 4 `gitlab`, issue 6): `groups` with their subgroups (`include_subgroups=true`)
//! and single `projects`.
//!
//! `per_page=100`, `order_by=id&sort=asc` for stable paging, pagination by `Link`
//! `rel="next"`, else `x-next-page` (GitLab omits totals above 10,000 rows, so totals are never
//! trusted); every request is an API call for `crawl` (rate-limit headers `ratelimit-*` and
//! `Retry-After` obeyed, one in flight per token, conditional through the state store). The
//! record id is the project's numeric `id`. Forks (`forked_from_project`) and archived
//! projects are filtered as declared (archived ones server-side with `archived=false`). List
//! answers carry no licence; none is fetched per project. A project in a group namespace
//! names the group as the organisation that develops it. The token (variable `token_env`,
//! default `GITLAB_TOKEN`) is optional and sent as a bearer token.

mod extract;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde_json::Value;
use toml::Table;
use url::Url;

use super::decl::{take_bool, take_names};
use super::forge::api::{self, Api, ApiPage, api_path, with_query};
use super::forge::decl::{take_api_url, take_limits, take_token_env};
use super::forge::stop_reason;
use super::mapping::Collector;
use super::pages::{self, Listing, MAX_PAGES, Pager};
use super::{Harvest, SourceCx, SourceError, decl};
use crate::crawl::ApiLimits;

/// Declaration keys of a `gitlab` source besides the common keys:
///
/// * `api_url` (default `https://gitlab.com/api/v4`): the v4 API root;
/// * `token_env` (default `GITLAB_TOKEN`): the environment variable holding the token;
/// * `groups` (full paths, subgroups included), `projects` (full paths): what to list;
/// * `include_forks` (default false), `include_archived` (default true);
/// * `max_wait` (seconds or `"15m"`, default 15 minutes): the longest wait for a rate limit.
pub const KEYS: &[&str] = &[
    "api_url",
    "token_env",
    "groups",
    "projects",
    "include_forks",
    "include_archived",
    "max_wait",
];

/// A `gitlab` declaration, compiled.
#[derive(Debug)]
pub struct GitlabSource {
    api_url: Url,
    token_env: String,
    groups: Vec<String>,
    projects: Vec<String>,
    include_forks: bool,
    include_archived: bool,
    limits: ApiLimits,
}

impl GitlabSource {
    /// The API root.
    pub fn api_url(&self) -> &Url {
        &self.api_url
    }
}

/// Compiles a `gitlab` declaration; returns every problem.
pub fn build(mut table: Table) -> Result<GitlabSource, Vec<String>> {
    let mut errs = Vec::new();
    let src = GitlabSource {
        api_url: take_api_url(&mut table, "https://gitlab.com/api/v4", &mut errs),
        token_env: take_token_env(&mut table, "GITLAB_TOKEN", &mut errs),
        groups: take_names(&mut table, "groups", &mut errs),
        projects: take_names(&mut table, "projects", &mut errs),
        include_forks: take_bool(&mut table, "include_forks", false, &mut errs),
        include_archived: take_bool(&mut table, "include_archived", true, &mut errs),
        limits: take_limits(&mut table, &mut errs),
    };
    if src.groups.is_empty() && src.projects.is_empty() {
        errs.push(
            "nothing to harvest: give `groups` or `projects` (e.g. `groups = [\"adullact\"]`)"
                .into(),
        );
    }
    decl::reject_rest(table, "gitlab", &mut errs);
    decl::finish(src, errs)
}

/// Runs a `gitlab` source over the run's fetcher.
pub(crate) async fn run(src: &GitlabSource, cx: &SourceCx<'_>) -> Result<Harvest, SourceError> {
    let api = api::FetcherApi {
        cx,
        api_url: &src.api_url,
        bearer: (cx.secret)(&src.token_env),
        limits: src.limits,
        headers: Vec::new(),
    };
    walk(src, &api).await
}

const ACCEPT: &str = "application/json";

/// Lists every group's projects and every single project.
pub(crate) async fn walk<A: Api>(src: &GitlabSource, api: &A) -> Result<Harvest, SourceError> {
    let mut w = Walk {
        src,
        api,
        out: Collector::default(),
        ids: HashSet::new(),
        pager: Pager::new(MAX_PAGES),
    };
    let stopped = stop_reason(w.list_all().await)?;
    let mut harvest = w.out.finish();
    harvest.rate_limited = stopped;
    Ok(harvest)
}

struct Walk<'s, A> {
    src: &'s GitlabSource,
    api: &'s A,
    out: Collector,
    ids: HashSet<u64>,
    /// Every request of the walk counts against its page cap.
    pager: Pager,
}

impl<A: Api> Walk<'_, A> {
    async fn list_all(&mut self) -> Result<(), SourceError> {
        let src = self.src;
        for group in &src.groups {
            let url = api_path(&src.api_url, &["groups", group, "projects"]);
            let mut pairs = vec![
                ("include_subgroups", "true"),
                ("per_page", "100"),
                ("order_by", "id"),
                ("sort", "asc"),
            ];
            if !src.include_archived {
                pairs.push(("archived", "false"));
            }
            self.list_pages(with_query(url, &pairs), group).await?;
        }
        for project in &src.projects {
            let url = api_path(&src.api_url, &["projects", project]);
            self.pager.count(&url)?;
            match self.api.get(&url, ACCEPT).await {
                Ok(page) => {
                    let item: Value =
                        serde_json::from_slice(&page.body).map_err(|e| SourceError::Extract {
                            url: page.url.to_string(),
                            message: format!("invalid JSON: {e}"),
                        })?;
                    self.take(&page.url, &item);
                }
                Err(e) if api::is_not_found(&e) => self
                    .out
                    .issue(pages::not_found(&url, &format!("project `{project}`"))),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Follows `Link: rel="next"` (else `x-next-page`) from `first`; a 404 on the first page
    /// is an issue.
    async fn list_pages(&mut self, first: Url, group: &str) -> Result<(), SourceError> {
        let mut listing = Listing::new(first);
        while let Some(url) = listing.next(&mut self.pager, &mut self.out)? {
            let page: ApiPage = match self.api.get(&url, ACCEPT).await {
                Ok(p) => p,
                Err(e) if api::is_not_found(&e) && listing.on_first_page() => {
                    self.out
                        .issue(pages::not_found(&url, &format!("group `{group}`")));
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            };
            let fail = |message: String| SourceError::Extract {
                url: page.url.to_string(),
                message,
            };
            let items = match serde_json::from_slice::<Value>(&page.body) {
                Ok(Value::Array(items)) => items,
                Ok(_) => return Err(fail("expected a JSON array of projects".into())),
                Err(e) => return Err(fail(format!("invalid JSON: {e}"))),
            };
            for item in &items {
                self.take(&page.url, item);
            }
            let next = extract::next_page(&page, &self.src.api_url).map_err(fail)?;
            listing.advance(&mut self.pager, &mut self.out, &page.url, next);
        }
        Ok(())
    }

    fn take(&mut self, url: &Url, item: &Value) {
        let project = match extract::parse_project(url, item) {
            Ok(p) => p,
            Err(issue) => return self.out.issue(issue),
        };
        if (project.is_fork() && !self.src.include_forks)
            || (project.archived && !self.src.include_archived)
        {
            return;
        }
        if !self.ids.insert(project.id) {
            return;
        }
        let mut issues = Vec::new();
        let record = extract::record(&project, url, &mut issues);
        for issue in issues {
            self.out.issue(issue);
        }
        if let Some(r) = record {
            self.out.push(r);
        }
    }
}
