//! Async: drives the GitHub REST API through the [`Api`] seam: organisations, users, single
//! repositories, topics and searches (sliced by `created:` when over the 1,000-result cap),
//! then publiccode.yml detection. The only file of `github` that awaits.
//!
//! A rate limit that would outlast `max_wait` stops the walk: the repositories found so far
//! become records and the harvest says `rate_limited`.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use serde_json::Value;
use url::Url;

use super::decl::GithubSource;
use super::extract::{self, Repo};
use crate::crawl::FetchError;
use crate::kinds::forge::api::{self, Api, ApiPage, api_path, with_query};
use crate::kinds::forge::publiccode::{self, Publiccode};
use crate::kinds::forge::stop_reason;
use crate::kinds::mapping::Collector;
use crate::kinds::pages::{self, Listing, MAX_PAGES, Pager};
use crate::kinds::parts;
use crate::kinds::{Harvest, SourceError};
use crate::report::Issue;

/// GitHub's media types: JSON, and a file's raw bytes.
pub(crate) const ACCEPT_JSON: &str = "application/vnd.github+json";
pub(crate) const ACCEPT_RAW: &str = "application/vnd.github.raw+json";
/// The API version every request asks for.
pub(crate) const API_VERSION: &str = "2022-11-28";

/// GitHub search returns at most this many results per query.
pub(crate) const SEARCH_CAP: u64 = 1000;
/// The first day a GitHub repository was created (slices start here).
pub(crate) fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2007, 10, 1).expect("a valid date")
}

/// Lists and harvests every repository the declaration names. `today` ends the last
/// `created:` slice.
pub(crate) async fn walk<A: Api>(
    src: &GithubSource,
    api: &A,
    today: NaiveDate,
) -> Result<Harvest, SourceError> {
    walk_capped(src, api, today, MAX_PAGES).await
}

/// [`walk`] with the page cap given.
pub(crate) async fn walk_capped<A: Api>(
    src: &GithubSource,
    api: &A,
    today: NaiveDate,
    max_pages: usize,
) -> Result<Harvest, SourceError> {
    let mut w = Walk {
        src,
        api,
        today,
        out: Collector::default(),
        ids: HashSet::new(),
        repos: Vec::new(),
        org_names: HashMap::new(),
        aliases: HashMap::new(),
        publiccode: HashMap::new(),
        pager: Pager::new(max_pages),
    };
    let mut stopped = stop_reason(w.list_all().await)?;
    if stopped.is_none() && src.detect_publiccode {
        stopped = stop_reason(w.detect_all().await)?;
    }
    w.emit();
    let mut harvest = w.out.finish();
    if let Some(reason) = &stopped {
        tracing::warn!(%reason, records = harvest.records.len(), "stopped by the rate limit; keeping the records found so far");
    }
    harvest.rate_limited = stopped;
    Ok(harvest)
}

struct Walk<'s, A> {
    src: &'s GithubSource,
    api: &'s A,
    today: NaiveDate,
    out: Collector,
    /// Ids of the repositories kept: a repository found twice is harvested once.
    ids: HashSet<u64>,
    /// Kept repositories and the URL of the page each was read from, in order found.
    repos: Vec<(Repo, Url)>,
    /// Lowercase login → display name, for the declared organisations.
    org_names: HashMap<String, String>,
    /// Repository id → former URLs (renamed or transferred).
    aliases: HashMap<u64, Vec<String>>,
    /// Repository id → what its publiccode.yml gives.
    publiccode: HashMap<u64, Publiccode>,
    /// Every request of the walk counts against its page cap.
    pager: Pager,
}

impl<A: Api> Walk<'_, A> {
    /// One request outside a listing, counted against the page cap.
    async fn get(
        &mut self,
        url: &Url,
        accept: &str,
    ) -> Result<Result<ApiPage, FetchError>, SourceError> {
        self.pager.count(url)?;
        Ok(self.api.get(url, accept).await)
    }

    fn fail(url: &Url, message: impl Into<String>) -> SourceError {
        SourceError::Extract {
            url: url.to_string(),
            message: message.into(),
        }
    }

    async fn list_all(&mut self) -> Result<(), SourceError> {
        let src = self.src;
        for org in &src.orgs {
            self.list_org(org).await?;
        }
        for user in &src.users {
            let url = api_path(&src.api_url, &["users", user, "repos"]);
            let url = with_query(url, &[("type", "owner"), ("per_page", "100")]);
            self.list_pages(url, &format!("user `{user}`")).await?;
        }
        for full in &src.repos {
            self.one_repo(full).await?;
        }
        for topic in &src.topics {
            self.search(&format!("topic:{topic}")).await?;
        }
        for q in &src.search {
            self.search(q).await?;
        }
        Ok(())
    }

    /// `/orgs/{org}` once (display name), then its repositories; a login that is a user
    /// (404) is listed through `/users/{login}/repos`.
    async fn list_org(&mut self, org: &str) -> Result<(), SourceError> {
        let base = &self.src.api_url;
        let org_url = api_path(base, &["orgs", org]);
        match self.get(&org_url, ACCEPT_JSON).await? {
            Ok(page) => {
                if let Some(name) = extract::org_display_name(&page.body) {
                    self.org_names.insert(org.to_ascii_lowercase(), name);
                }
                let url = api_path(base, &["orgs", org, "repos"]);
                let url = with_query(url, &[("type", "all"), ("per_page", "100")]);
                self.list_pages(url, &format!("organisation `{org}`")).await
            }
            Err(e) if api::is_not_found(&e) => {
                let url = api_path(base, &["users", org, "repos"]);
                let url = with_query(url, &[("type", "owner"), ("per_page", "100")]);
                self.list_pages(url, &format!("organisation `{org}`")).await
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Follows `Link: rel="next"` from `first`; a 404 on the first page is an issue.
    async fn list_pages(&mut self, first: Url, what: &str) -> Result<(), SourceError> {
        let mut listing = Listing::new(first);
        while let Some(url) = listing.next(&mut self.pager, &mut self.out)? {
            let page = match self.api.get(&url, ACCEPT_JSON).await {
                Ok(p) => p,
                Err(e) if api::is_not_found(&e) && listing.on_first_page() => {
                    self.out.issue(pages::not_found(&url, what));
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            };
            let items =
                extract::parse_list(&page.url, &page.body).map_err(|m| Self::fail(&page.url, m))?;
            for item in &items {
                self.take(&page.url, item);
            }
            let next =
                api::next_page(&page, &self.src.api_url).map_err(|m| Self::fail(&page.url, m))?;
            listing.advance(&mut self.pager, &mut self.out, &page.url, next);
        }
        Ok(())
    }

    /// Keeps a listed repository unless filtered out or already kept.
    fn take(&mut self, url: &Url, item: &Value) -> Option<u64> {
        let repo = match extract::parse_repo(url, item) {
            Ok(r) => r,
            Err(issue) => {
                self.out.issue(issue);
                return None;
            }
        };
        if (repo.fork && !self.src.include_forks) || (repo.archived && !self.src.include_archived) {
            return None;
        }
        let id = repo.id;
        if self.ids.insert(id) {
            self.repos.push((repo, url.clone()));
        }
        Some(id)
    }

    /// `/repos/{owner}/{name}`: a rename or transfer (a 301 followed, or another
    /// `full_name`) keeps the asked URL as an alias.
    async fn one_repo(&mut self, full: &str) -> Result<(), SourceError> {
        let segments: Vec<&str> = full.split('/').filter(|s| !s.is_empty()).collect();
        let mut path = vec!["repos"];
        path.extend(&segments);
        let url = api_path(&self.src.api_url, &path);
        let page = match self.get(&url, ACCEPT_JSON).await? {
            Ok(p) => p,
            Err(e) if api::is_not_found(&e) => {
                self.out
                    .issue(pages::not_found(&url, &format!("repository `{full}`")));
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let item: Value = serde_json::from_slice(&page.body)
            .map_err(|e| Self::fail(&page.url, format!("invalid JSON: {e}")))?;
        let Some(id) = self.take(&page.url, &item) else {
            return Ok(());
        };
        let full_name = item
            .get("full_name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let html = item
            .get("html_url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if (!full_name.eq_ignore_ascii_case(full) || page.url != url)
            && let Ok(mut old) = Url::parse(html)
        {
            old.set_path(full);
            tracing::info!(
                asked = full,
                now = full_name,
                "repository renamed or transferred; old URL kept as an alias"
            );
            self.aliases.entry(id).or_default().push(old.to_string());
        }
        Ok(())
    }

    fn search_url(&self, q: &str) -> Url {
        let url = api_path(&self.src.api_url, &["search", "repositories"]);
        with_query(url, &[("q", q), ("per_page", "100")])
    }

    /// The query sent for `q`: GitHub search hides forks unless asked, and can drop
    /// archived repositories itself.
    fn qualified(&self, q: &str) -> String {
        let mut q = q.trim().to_owned();
        if self.src.include_forks && !q.contains("fork:") {
            q.push_str(" fork:true");
        }
        if !self.src.include_archived && !q.contains("archived:") {
            q.push_str(" archived:false");
        }
        q
    }

    /// A search, sliced by `created:` date ranges while a slice exceeds the cap.
    async fn search(&mut self, q: &str) -> Result<(), SourceError> {
        let q = self.qualified(q);
        let url = self.search_url(&q);
        self.pager.count(&url)?;
        let (page, first) = self.search_page(&url).await?;
        if first.total_count <= SEARCH_CAP {
            return self.search_pages(page, first).await;
        }
        tracing::info!(query = %q, total = first.total_count, "over the search cap; slicing by creation date");
        let mut ranges = vec![(first_day(), self.today)];
        while let Some((from, to)) = ranges.pop() {
            let sliced = format!("{q} created:{from}..{to}");
            let url = self.search_url(&sliced);
            self.pager.count(&url)?;
            let (page, found) = self.search_page(&url).await?;
            if found.total_count > SEARCH_CAP && from < to {
                let mid = from + Days::new(((to - from).num_days() / 2) as u64);
                ranges.push((mid + Days::new(1), to));
                ranges.push((from, mid));
                continue;
            }
            if found.total_count > SEARCH_CAP {
                self.out.issue(Issue::new(
                    url.as_str(),
                    format!(
                        "{} results created on {from}, over GitHub's cap of {SEARCH_CAP}: only the first {SEARCH_CAP} collected",
                        found.total_count
                    ),
                ));
            }
            self.search_pages(page, found).await?;
        }
        Ok(())
    }

    /// One search page (already counted against the page cap).
    async fn search_page(
        &mut self,
        url: &Url,
    ) -> Result<(ApiPage, extract::SearchPage), SourceError> {
        let page = self.api.get(url, ACCEPT_JSON).await?;
        let parsed = extract::parse_search(&page.body).map_err(|m| Self::fail(&page.url, m))?;
        if parsed.incomplete {
            self.out.issue(Issue::new(
                page.url.as_str(),
                "GitHub answered `incomplete_results: true` (search timed out): some results may be missing",
            ));
        }
        Ok((page, parsed))
    }

    /// Takes the items of a first search page and of the pages its `Link` leads to.
    async fn search_pages(
        &mut self,
        mut page: ApiPage,
        mut parsed: extract::SearchPage,
    ) -> Result<(), SourceError> {
        let mut listing = Listing::fetched();
        loop {
            for item in &parsed.items {
                self.take(&page.url, item);
            }
            let next =
                api::next_page(&page, &self.src.api_url).map_err(|m| Self::fail(&page.url, m))?;
            listing.advance(&mut self.pager, &mut self.out, &page.url, next);
            let Some(url) = listing.next(&mut self.pager, &mut self.out)? else {
                return Ok(());
            };
            (page, parsed) = self.search_page(&url).await?;
        }
    }

    /// Looks for publiccode.yml at the root of each repository's default branch.
    async fn detect_all(&mut self) -> Result<(), SourceError> {
        for i in 0..self.repos.len() {
            let repo = self.repos[i].0.clone();
            match self.detect(&repo).await {
                Ok(Ok(())) => {}
                // Detection only enriches: at the page cap the repositories found are kept.
                Err(cap) => {
                    self.out.issue(Issue::new(
                        repo.html_url.as_str(),
                        format!(
                            "publiccode.yml not checked in the {} repositories left: {cap}",
                            self.repos.len() - i
                        ),
                    ));
                    return Ok(());
                }
                Ok(Err(e @ FetchError::RateLimited { .. })) => return Err(e.into()),
                Ok(Err(e)) => self.out.issue(
                    Issue::new(
                        repo.html_url.as_str(),
                        format!("publiccode.yml not checked: {e}"),
                    )
                    .record(repo.id.to_string()),
                ),
            }
        }
        Ok(())
    }

    /// One repository: the root listing (one request, cacheable), then the file if present.
    /// The outer error is the page cap reached.
    async fn detect(&mut self, repo: &Repo) -> Result<Result<(), FetchError>, SourceError> {
        let branch = repo.default_branch.clone().unwrap_or_else(|| "HEAD".into());
        let mut path = vec!["repos"];
        path.extend(repo.full_name.split('/'));
        path.push("contents");
        let root = with_query(api_path(&self.src.api_url, &path), &[("ref", &branch)]);
        let listing = match self.get(&root, ACCEPT_JSON).await? {
            Ok(p) => p,
            Err(e) if api::is_not_found(&e) => return Ok(Ok(())),
            Err(e) => return Ok(Err(e)),
        };
        let names: Vec<String> = match serde_json::from_slice::<Value>(&listing.body) {
            Ok(Value::Array(entries)) => entries
                .iter()
                .filter_map(|e| e.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let Some(file) = publiccode::FILE_NAMES
            .iter()
            .find(|f| names.iter().any(|n| n == *f))
        else {
            return Ok(Ok(()));
        };
        path.push(file);
        let url = with_query(api_path(&self.src.api_url, &path), &[("ref", &branch)]);
        let page = match self.get(&url, ACCEPT_RAW).await? {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let base = Url::parse(&repo.html_url).unwrap_or(url.clone());
        match publiccode::parse(&page.body, &base) {
            Ok(pc) => {
                self.publiccode.insert(repo.id, pc);
            }
            Err(reason) => self.out.issue(
                Issue::new(
                    url.as_str(),
                    format!("invalid {file}: {reason}; the repository is kept without it"),
                )
                .record(repo.id.to_string()),
            ),
        }
        Ok(Ok(()))
    }

    /// Turns the kept repositories into records, with the organisation that owns each, then
    /// those its publiccode.yml names.
    fn emit(&mut self) {
        let repos = std::mem::take(&mut self.repos);
        for (repo, url) in repos {
            let mut fields = extract::repo_fields(&repo, &self.org_names);
            if let Some(old) = self.aliases.remove(&repo.id) {
                fields.entry("repository".into()).or_default().extend(old);
            }
            let mut organisations: Vec<_> = extract::owner_organisation(&repo, &self.org_names)
                .into_iter()
                .collect();
            if let Some(pc) = self.publiccode.remove(&repo.id) {
                publiccode::overlay(&mut fields, pc.fields);
                for org in pc.organisations {
                    parts::push_unique(&mut organisations, org);
                }
            }
            let mut issues = Vec::new();
            let record = extract::record(fields, &url, &mut issues);
            for issue in issues {
                self.out.issue(issue);
            }
            if let Some(mut r) = record {
                r.organisations = organisations;
                self.out.push(r);
            }
        }
    }
}
