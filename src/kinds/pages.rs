//! "Fetch a URL, get its bytes": the one thing a kind's walk needs from `crawl`, as a small
//! trait so pagination is testable without the real [`Fetcher`](crate::crawl::Fetcher), and
//! the bookkeeping every paginated walk shares (seen-set, page cap).

use std::collections::HashSet;

use url::Url;

use super::mapping::Collector;
use super::{SourceCx, SourceError};
use crate::crawl::{FetchError, Request};
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
}

/// [`Pages`] over the run's real `Fetcher`.
pub(crate) struct FetcherPages<'a, 'b> {
    pub cx: &'a SourceCx<'b>,
}

impl Pages for FetcherPages<'_, '_> {
    async fn get(&self, url: &Url) -> Result<Page, FetchError> {
        let response = self
            .cx
            .fetcher
            .fetch(&Request::get(url.clone()), self.cx.stats)
            .await?;
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

/// Pagination bookkeeping for one source run: the URLs fetched and the page cap.
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

    /// Decides whether to fetch `url`; fails the source when the page cap is reached.
    pub(crate) fn admit(&mut self, url: &Url) -> Result<Admit, SourceError> {
        if self.seen.contains(url) {
            return Ok(Admit::Seen);
        }
        if self.fetched >= self.max_pages {
            return Err(SourceError::Extract {
                url: url.to_string(),
                message: format!(
                    "page cap of {} pages reached; pagination stopped (a paginator that never ends?)",
                    self.max_pages
                ),
            });
        }
        self.seen.insert(url.clone());
        self.fetched += 1;
        Ok(Admit::Fetch)
    }

    /// True when `url` was already fetched in this run.
    pub(crate) fn is_seen(&self, url: &Url) -> bool {
        self.seen.contains(url)
    }

    /// Marks the URL a redirect led to as fetched too.
    pub(crate) fn also_seen(&mut self, url: &Url) {
        self.seen.insert(url.clone());
    }
}

/// The issue for a next-page link that points back to a page already fetched.
pub(crate) fn loop_issue(from: &Url, to: &Url) -> Issue {
    Issue::new(
        from.as_str(),
        format!("pagination loop: next page `{to}` was already fetched; stopped following"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_refuses_seen_urls_and_fails_at_the_cap() {
        let mut p = Pager::new(2);
        let a = Url::parse("https://a.test/1").unwrap();
        let b = Url::parse("https://a.test/2").unwrap();
        let c = Url::parse("https://a.test/3").unwrap();
        assert_eq!(p.admit(&a).unwrap(), Admit::Fetch);
        assert_eq!(p.admit(&a).unwrap(), Admit::Seen);
        assert_eq!(p.admit(&b).unwrap(), Admit::Fetch);
        let err = p.admit(&c).unwrap_err().to_string();
        assert!(
            err.starts_with("https://a.test/3: page cap of 2 pages"),
            "{err}"
        );
    }
}
