//! "Fetch a URL, get its bytes": the one thing a kind's walk needs from `crawl`, as a small
//! trait so pagination is testable without the real [`Fetcher`](crate::crawl::Fetcher), and
//! the one pagination engine every paginated walk uses ([`Pager`], [`Listing`]).

use std::collections::HashSet;

use url::Url;

use super::mapping::Collector;
use super::{SourceCx, SourceError};
use crate::crawl::{FetchError, Request, Revisit};
use crate::report::Issue;

/// Most pages one source run follows before it fails: a runaway paginator must not crawl forever.
pub(crate) const MAX_PAGES: usize = 10_000;

/// One fetched page.
pub(crate) struct Page {
    /// The URL after redirects: relative links resolve against it.
    pub url: Url,
    pub body: Vec<u8>,
}

/// Fetches pages for a kind's walk.
pub(crate) trait Pages {
    /// GETs `url`.
    async fn get(&self, url: &Url) -> Result<Page, FetchError>;

    /// GETs `url`, a page under the revisit policy `revisit` (a detail page): while it is not
    /// due, its archived body answers and nothing is sent (`crawl::revisit`).
    async fn get_revisited(&self, url: &Url, revisit: Revisit) -> Result<Page, FetchError> {
        let _ = revisit;
        self.get(url).await
    }

    /// How many pages a walk may ask for at once (the fetcher's limits decide when each is
    /// sent).
    fn in_flight(&self) -> usize {
        1
    }

    /// `url` as the archive holds it from its last fetch, without a request (`None` when it
    /// was never fetched).
    fn archived(&self, url: &Url) -> Option<Page> {
        let _ = url;
        None
    }
}

/// [`Pages`] over the run's real `Fetcher`.
pub(crate) struct FetcherPages<'a, 'b> {
    pub cx: &'a SourceCx<'b>,
}

impl Pages for FetcherPages<'_, '_> {
    fn in_flight(&self) -> usize {
        self.cx.fetcher.concurrency()
    }

    async fn get(&self, url: &Url) -> Result<Page, FetchError> {
        self.send(Request::get(url.clone())).await
    }

    async fn get_revisited(&self, url: &Url, revisit: Revisit) -> Result<Page, FetchError> {
        self.send(Request::get(url.clone()).revisit(revisit)).await
    }

    fn archived(&self, url: &Url) -> Option<Page> {
        let (url, body) = self.cx.fetcher.archived(&Request::get(url.clone()))?;
        Some(Page { url, body })
    }
}

impl FetcherPages<'_, '_> {
    async fn send(&self, req: Request) -> Result<Page, FetchError> {
        let response = self.cx.fetcher.fetch(&req, self.cx.stats).await?;
        Ok(Page {
            url: response.final_url,
            body: response.body,
        })
    }
}

/// Fetches `url`; a robots.txt refusal is noted in `out` and gives `Ok(None)`, any other
/// failure fails the source.
pub(crate) async fn get_or_skip<P: Pages>(
    pages: &P,
    url: &Url,
    out: &mut Collector,
) -> Result<Option<Page>, SourceError> {
    match pages.get(url).await {
        Ok(page) => {
            tracing::debug!(url = %url, bytes = page.body.len(), "page fetched");
            Ok(Some(page))
        }
        Err(FetchError::Disallowed { .. }) => {
            out.robots_skipped(url);
            Ok(None)
        }
        Err(e) => Err(SourceError::Fetch(e)),
    }
}

/// What a walk should do with a page URL.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Not seen yet: fetch it.
    Fetch,
    /// Already fetched in this run: do not fetch it again.
    Seen,
}

/// The one pagination engine of every kind that pages (`json`, `html`, `github`, `gitlab`):
/// the URLs fetched in this source run and the page cap. Every request a source sends counts
/// against the cap: listing pages, detail pages, API calls. Each listing is followed through
/// a [`Listing`] cursor, which applies the rules every kind shares:
///
/// * a listing whose first URL was already fetched in this run is not fetched again;
/// * a next link back to a page already fetched is a loop: an issue, and the listing ends;
/// * a next link to another host than the page it was found on is not followed: an issue,
///   and the listing ends (a forge's API client also refuses to leave its API origin, which
///   fails the source: its token must stay there);
/// * reaching the cap fails the source (a paginator that never ends).
pub(crate) struct Pager {
    seen: HashSet<Url>,
    fetched: usize,
    max_pages: usize,
}

impl Pager {
    pub(crate) fn new(max_pages: usize) -> Self {
        Pager {
            seen: HashSet::new(),
            fetched: 0,
            max_pages,
        }
    }

    /// Counts one request to `url` against the cap; fails the source when the cap is reached.
    pub(crate) fn count(&mut self, url: &Url) -> Result<(), SourceError> {
        if self.fetched >= self.max_pages {
            return Err(SourceError::Extract {
                url: url.to_string(),
                message: format!(
                    "page cap of {} requests reached; stopped (a paginator that never ends?)",
                    self.max_pages
                ),
            });
        }
        self.fetched += 1;
        Ok(())
    }

    /// Decides whether to fetch `url` (counting it when it is new); fails the source when
    /// the page cap is reached.
    pub(crate) fn admit(&mut self, url: &Url) -> Result<Admit, SourceError> {
        if self.seen.contains(url) {
            return Ok(Admit::Seen);
        }
        self.count(url)?;
        self.seen.insert(url.clone());
        Ok(Admit::Fetch)
    }
}

/// One paginated listing, followed page by page:
///
/// ```text
/// let mut listing = Listing::new(first);
/// while let Some(url) = listing.next(&mut pager, &mut out)? {
///     let page = /* fetch url */;
///     let next = /* read the page, find its next link */;
///     listing.advance(&mut pager, &mut out, &page.url, next);
/// }
/// ```
pub(crate) struct Listing {
    next: Option<Url>,
    /// The last page fetched (its URL after redirects).
    last: Option<Url>,
}

impl Listing {
    /// A listing starting at `first`.
    pub(crate) fn new(first: Url) -> Self {
        Listing {
            next: Some(first),
            last: None,
        }
    }

    /// A listing whose first page was fetched already (counted through [`Pager::count`]);
    /// [`advance`](Self::advance) it with that page and its next link first.
    pub(crate) fn fetched() -> Self {
        Listing {
            next: None,
            last: None,
        }
    }

    /// The next page to fetch, counted against the cap; `None` when the listing has ended: no
    /// next link, a first URL already fetched in this run, or a loop (an issue in `out`).
    pub(crate) fn next(
        &mut self,
        pager: &mut Pager,
        out: &mut Collector,
    ) -> Result<Option<Url>, SourceError> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        match pager.admit(&url)? {
            Admit::Fetch => Ok(Some(url)),
            Admit::Seen => {
                if let Some(from) = &self.last {
                    out.issue(Issue::new(
                        from.as_str(),
                        format!(
                            "pagination loop: next page `{url}` was already fetched; stopped following"
                        ),
                    ));
                }
                Ok(None)
            }
        }
    }

    /// True until a page of the listing was fetched: a 404 then means the listing itself does
    /// not exist.
    pub(crate) fn on_first_page(&self) -> bool {
        self.last.is_none()
    }

    /// Records that `page` (the URL a fetch ended at) was read and that it links to `next`.
    /// A `next` on another host is not followed: an issue, and the listing ends there.
    pub(crate) fn advance(
        &mut self,
        pager: &mut Pager,
        out: &mut Collector,
        page: &Url,
        next: Option<Url>,
    ) {
        pager.seen.insert(page.clone());
        self.last = Some(page.clone());
        self.next = match next {
            Some(next) if next.host_str() != page.host_str() => {
                out.issue(Issue::new(
                    page.as_str(),
                    format!(
                        "next page `{next}` is on another site; not followed (pagination stays on the site of the page that links it)"
                    ),
                ));
                None
            }
            next => next,
        };
    }
}

/// The issue for a listing that does not exist (404 on its first page).
pub(crate) fn not_found(url: &Url, what: &str) -> Issue {
    Issue::new(url.as_str(), format!("{what} not found (404); skipped"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse(&format!("https://a.test/{path}")).unwrap()
    }

    #[test]
    fn pager_refuses_seen_urls_and_fails_at_the_cap() {
        let mut p = Pager::new(2);
        assert_eq!(p.admit(&url("1")).unwrap(), Admit::Fetch);
        assert_eq!(p.admit(&url("1")).unwrap(), Admit::Seen);
        assert_eq!(p.admit(&url("2")).unwrap(), Admit::Fetch);
        let err = p.admit(&url("3")).unwrap_err().to_string();
        assert!(
            err.starts_with("https://a.test/3: page cap of 2 requests"),
            "{err}"
        );
    }

    /// Follows a listing over `links` (page → its next link), as a walk does.
    fn follow(
        pager: &mut Pager,
        first: &str,
        links: &[(&str, &str)],
    ) -> (Vec<String>, Collector, Result<(), SourceError>) {
        let mut out = Collector::default();
        let mut listing = Listing::new(url(first));
        let mut fetched = Vec::new();
        let result = (|| {
            while let Some(u) = listing.next(pager, &mut out)? {
                fetched.push(u.path().to_string());
                let next = links
                    .iter()
                    .find(|(from, _)| format!("/{from}") == u.path())
                    .map(|(_, to)| Url::parse(to).unwrap_or_else(|_| url(to)));
                listing.advance(pager, &mut out, &u, next);
            }
            Ok(())
        })();
        (fetched, out, result)
    }

    #[test]
    fn a_listing_ends_at_a_loop_with_an_issue_and_a_repeated_listing_is_not_refetched() {
        let mut pager = Pager::new(100);
        let (fetched, out, result) = follow(&mut pager, "1", &[("1", "2"), ("2", "1")]);
        result.unwrap();
        assert_eq!(fetched, ["/1", "/2"]);
        let issues = out.finish().issues;
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].url, "https://a.test/2");
        assert!(
            issues[0]
                .message
                .starts_with("pagination loop: next page `https://a.test/1`")
        );
        // The same listing again in this run: nothing fetched, no issue.
        let (fetched, out, result) = follow(&mut pager, "1", &[]);
        result.unwrap();
        assert!(fetched.is_empty());
        assert!(out.finish().issues.is_empty());
    }

    #[test]
    fn a_next_link_to_another_host_ends_the_listing_with_an_issue() {
        let mut pager = Pager::new(100);
        let (fetched, out, result) = follow(
            &mut pager,
            "1",
            &[("1", "http://a.test/2"), ("2", "https://b.test/3")],
        );
        result.unwrap();
        // Another scheme on the same host is followed; another host is not.
        assert_eq!(fetched, ["/1", "/2"]);
        let issues = out.finish().issues;
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].url, "http://a.test/2");
        assert!(
            issues[0]
                .message
                .starts_with("next page `https://b.test/3` is on another site"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn the_cap_counts_pages_of_every_listing() {
        let mut pager = Pager::new(3);
        let (fetched, _, result) = follow(&mut pager, "1", &[("1", "2")]);
        result.unwrap();
        assert_eq!(fetched.len(), 2);
        pager.count(&url("api")).unwrap();
        let (_, _, result) = follow(&mut pager, "x", &[]);
        assert!(
            result
                .unwrap_err()
                .to_string()
                .contains("page cap of 3 requests")
        );
    }

    #[test]
    fn on_first_page_until_a_page_was_read() {
        let mut pager = Pager::new(10);
        let mut out = Collector::default();
        let mut listing = Listing::new(url("1"));
        let first = listing.next(&mut pager, &mut out).unwrap().unwrap();
        assert!(listing.on_first_page());
        listing.advance(&mut pager, &mut out, &first, Some(url("2")));
        assert!(!listing.on_first_page());
    }
}
