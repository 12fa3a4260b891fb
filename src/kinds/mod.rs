//! extract: one module per source `kind` (SPEC section 4). A kind turns responses into
//! [`RawRecord`]s with fields as the source gave them; canonical forms are `normalise`'s job.
//!
//! * [`json`](JsonSource): feeds and registries, JSONPath mappings, `next` pagination;
//! * [`csv`](CsvSource): whole-file inventories, column mappings;
//! * [`html`](HtmlSource): directory sites, CSS selectors, `next_page` and detail pages;
//! * [`github`](GithubSource) and [`gitlab`](GitlabSource): forge APIs, `Link` pagination,
//!   search slicing, rate limits, publiccode.yml (they fetch through `forge::api`, a seam
//!   that keeps response headers, instead of `Pages`; the code both share is in `forge`).
//!
//! Every kind that pages (`json`, `html`, `github`, `gitlab`) follows its listings through
//! one engine, `pages::Pager` and `pages::Listing`: the page cap, loop detection, the
//! same-origin rule and their wording.
//!
//! Every kind fetches through `crawl` only (the `Fetcher`, behind the small `Pages` trait so
//! walks are testable offline). A URL disallowed by robots.txt is skipped and listed in
//! [`Harvest::robots_skipped`]; a bad record or detail page is an [`Issue`]; an `Err` means
//! the whole source failed (a listing or feed page not fetched, an unparseable body, an
//! `item`/`records` selection that finds nothing, the page cap reached).
//!
//! Shared rules (`mapping`): values are trimmed with whitespace runs collapsed, empty values
//! dropped, every match kept (scalar fields too: `normalise` takes the first); plainly
//! relative links in `homepage`, `repository` and `logo` resolve against the page URL; the
//! record id is the `record_id` mapping, else the detail page URL (html), else a content
//! hash; a repeated id keeps the first record and reports the others.
//!
//! * [`site`](SiteSource): enrichment from the tools' home pages (`Fetcher::visit`), over the
//!   targets the pipeline computed from the state store.
//!
//! A forge source stopped by a rate limit that would outlast its `max_wait` returns the
//! records found so far with [`Harvest::rate_limited`] set; the pipeline saves them and
//! marks the source `rate-limited`.

pub(crate) mod csv;
mod decl;
pub(crate) mod forge;
pub(crate) mod github;
mod gitlab;
pub(crate) mod html;
pub(crate) mod json;
mod mapping;
mod pages;
pub(crate) mod parts;
pub mod site;

#[cfg(test)]
mod testutil;

use tracing::Instrument;
use url::Url;

pub use self::csv::CsvSource;
pub use self::github::GithubSource;
pub use self::gitlab::GitlabSource;
pub use self::html::HtmlSource;
pub use self::json::JsonSource;
use self::pages::{FetcherPages, MAX_PAGES, Pages};
pub use self::site::{SiteSource, SiteTarget};
use crate::crawl::{FetchError, FetchStats, Fetcher};
use crate::model::{HomepageCheck, RawRecord, Secret};
use crate::report::Issue;

/// A source declaration's kind-specific part, compiled (JSONPaths and selectors parsed).
#[derive(Debug)]
pub enum Source {
    Json(JsonSource),
    Csv(CsvSource),
    Html(HtmlSource),
    Github(GithubSource),
    Gitlab(GitlabSource),
    Site(SiteSource),
}

/// What a source run hands to the pipeline.
#[derive(Debug, Default)]
pub struct Harvest {
    pub records: Vec<RawRecord>,
    /// Bad records and pages that did not fail the source.
    pub issues: Vec<Issue>,
    /// URLs not requested because robots.txt disallows them.
    pub robots_skipped: Vec<String>,
    /// Set when an API's rate limit stopped the source early: why. `records` hold what was
    /// found before.
    pub rate_limited: Option<String>,
    /// `site` sources: one home page check per visit, for the state store's history.
    pub checks: Vec<HomepageCheck>,
}

/// What a source kind needs from the run.
pub struct SourceCx<'a> {
    pub source_id: &'a str,
    pub fetcher: &'a Fetcher,
    pub stats: &'a FetchStats,
    /// Looks up a credential by environment variable name (`token_env`); the run supplies
    /// it, so kinds read no environment themselves.
    pub secret: fn(&str) -> Option<Secret>,
    /// The home pages a `site` source visits this run, in visiting order (empty for other
    /// kinds): the pipeline plans them from the run's resolved tools.
    pub site_targets: &'a [SiteTarget],
}

/// A whole source failed. Names the URL or the reason.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: {message}")]
    Extract { url: String, message: String },
    /// The run's deadline (`[crawl] max_run_s`) passed before the source finished.
    #[error(
        "cut by the run's deadline (`[crawl] max_run_s` = {max_run_s} s); its earlier records are kept"
    )]
    Deadline { max_run_s: u64 },
    /// The source's task panicked (a bug): its earlier records are kept.
    #[error("the source stopped on an internal error: {0}")]
    Panicked(String),
}

/// Every source kind SPEC section 4 names, in its order.
pub const KINDS: [&str; 6] = ["json", "csv", "html", "github", "gitlab", "site"];

/// The keys a declaration of `kind` may have beside the common keys; `None` for an unknown kind.
///
/// See [`json::KEYS`], [`csv::KEYS`] and [`html::KEYS`] for what each key means.
pub fn kind_keys(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "json" => Some(json::KEYS),
        "csv" => Some(self::csv::KEYS),
        "html" => Some(html::KEYS),
        "github" => Some(github::KEYS),
        "gitlab" => Some(gitlab::KEYS),
        "site" => Some(site::KEYS),
        _ => None,
    }
}

/// Compiles the kind-specific keys of a declaration (common keys already removed).
/// Returns every problem found, each naming its key.
pub fn build(kind: &str, table: toml::Table) -> Result<Source, Vec<String>> {
    match kind {
        "json" => json::build(table).map(Source::Json),
        "csv" => self::csv::build(table).map(Source::Csv),
        "html" => html::build(table).map(Source::Html),
        "github" => github::build(table).map(Source::Github),
        "gitlab" => gitlab::build(table).map(Source::Gitlab),
        "site" => site::build(table).map(Source::Site),
        other => Err(vec![format!(
            "`kind`: unknown kind `{other}` (expected one of {})",
            KINDS.join(", ")
        )]),
    }
}

/// The URLs a source starts from (for host registration and `sources list`).
pub fn start_urls(source: &Source) -> Vec<Url> {
    match source {
        Source::Json(s) => s.urls().to_vec(),
        Source::Csv(s) => s.urls().to_vec(),
        Source::Html(s) => s.urls().to_vec(),
        Source::Github(s) => vec![s.api_url().clone()],
        Source::Gitlab(s) => vec![s.api_url().clone()],
        // Its URLs are the tools' home pages, known when the run starts.
        Source::Site(_) => Vec::new(),
    }
}

/// Sees each record a source keeps, as it is kept (the run normalises them while the crawl
/// goes on: `pipeline::ahead`). Set for a source's task by [`with_tap`].
pub type RecordTap = std::sync::Arc<dyn Fn(&RawRecord) + Send + Sync>;

tokio::task_local! {
    static TAP: RecordTap;
}

/// Runs `work` (a source's run) with `tap` seeing each record it keeps.
pub async fn with_tap<F: std::future::Future>(tap: RecordTap, work: F) -> F::Output {
    TAP.scope(tap, work).await
}

/// Hands `record` to the task's tap, if it has one.
pub(crate) fn tap(record: &RawRecord) {
    let _ = TAP.try_with(|tap| tap(record));
}

/// Runs a source: fetch its pages and extract its records.
pub async fn run(source: &Source, cx: &SourceCx<'_>) -> Result<Harvest, SourceError> {
    let span = tracing::info_span!("source", id = cx.source_id);
    let harvest = match source {
        Source::Github(s) => github::run(s, cx).instrument(span).await?,
        Source::Gitlab(s) => gitlab::run(s, cx).instrument(span).await?,
        Source::Site(s) => site::run(s, cx).instrument(span).await?,
        _ => {
            run_with(source, &FetcherPages { cx }, MAX_PAGES)
                .instrument(span)
                .await?
        }
    };
    tracing::info!(
        source_id = cx.source_id,
        records = harvest.records.len(),
        issues = harvest.issues.len(),
        robots_skipped = harvest.robots_skipped.len(),
        "source extracted"
    );
    Ok(harvest)
}

/// [`run`] over any [`Pages`], with the page cap given.
pub(crate) async fn run_with<P: Pages>(
    source: &Source,
    pages: &P,
    max_pages: usize,
) -> Result<Harvest, SourceError> {
    match source {
        Source::Json(s) => json::walk(s, pages, max_pages).await,
        Source::Csv(s) => self::csv::walk(s, pages).await,
        Source::Html(s) => html::walk(s, pages, max_pages).await,
        Source::Github(_) | Source::Gitlab(_) => Err(SourceError::Extract {
            url: start_urls(source)[0].to_string(),
            message: "forge kinds run through their API seam, not `Pages`".into(),
        }),
        Source::Site(_) => Err(SourceError::Extract {
            url: String::from("(site)"),
            message: "site sources run through `Fetcher::visit`, not `Pages`".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn kind_keys_cover_the_six_kinds_only() {
        assert!(kind_keys("json").unwrap().contains(&"records"));
        assert!(kind_keys("csv").unwrap().contains(&"list_separator"));
        assert!(kind_keys("html").unwrap().contains(&"start_urls"));
        assert!(kind_keys("github").unwrap().contains(&"detect_publiccode"));
        assert!(kind_keys("gitlab").unwrap().contains(&"groups"));
        assert_eq!(
            kind_keys("site"),
            Some(&["max_sites", "time_budget", "revisit_max_days"][..])
        );
        assert_eq!(kind_keys("xml"), None);
    }

    #[test]
    fn build_dispatches_and_start_urls_lists_the_first_pages() {
        let json = build(
            "json",
            table("urls = [\"https://a.test/1.json\", \"https://b.test/2.json\"]\n[fields]\nname = \"$.name\""),
        )
        .unwrap();
        let urls: Vec<String> = start_urls(&json).iter().map(Url::to_string).collect();
        assert_eq!(urls, ["https://a.test/1.json", "https://b.test/2.json"]);
        let csv = build(
            "csv",
            table("url = \"https://c.test/x.csv\"\n[fields]\nname = \"nom\""),
        )
        .unwrap();
        assert_eq!(start_urls(&csv)[0].as_str(), "https://c.test/x.csv");
        let html = build(
            "html",
            table("start_urls = [\"https://d.test/dir/\"]\nitem = \"li\"\n[fields]\nname = \"a\""),
        )
        .unwrap();
        assert_eq!(start_urls(&html)[0].as_str(), "https://d.test/dir/");
        assert_eq!(
            build("xml", toml::Table::new()).unwrap_err(),
            ["`kind`: unknown kind `xml` (expected one of json, csv, html, github, gitlab, site)"]
        );
    }

    /// The pipeline runs sources as tokio tasks: `run` must stay `Send`.
    #[allow(dead_code)]
    fn run_is_send(source: &Source, cx: &SourceCx<'_>) {
        fn is_send<T: Send>(_: T) {}
        is_send(run(source, cx));
    }
}
