//! Drives the fetches of an `html` source: listing pages (paginated through `pages::Listing`)
//! and detail pages, all counted against the source's page cap. The only file of `html/`
//! that awaits.

use futures::StreamExt;
use url::Url;

use super::decl::HtmlSource;
use super::extract::{self, Item};
use crate::crawl::FetchError;
use crate::kinds::mapping::Collector;
use crate::kinds::pages::{Admit, Listing, Page, Pager, Pages};
use crate::kinds::{Harvest, SourceError};
use crate::report::Issue;

/// Fetches every listing page from each start URL, and each item's detail page.
pub(crate) async fn walk<P: Pages>(
    src: &HtmlSource,
    pages: &P,
    max_pages: usize,
) -> Result<Harvest, SourceError> {
    let mut out = Collector::default();
    let mut pager = Pager::new(max_pages);
    for start in &src.start_urls {
        let mut listing = Listing::new(start.clone());
        let mut next = listing.next(&mut pager, &mut out)?;
        // The next listing page, asked while the current page's detail pages were.
        let mut asked: Option<Result<Page, FetchError>> = None;
        while let Some(url) = next.take() {
            let answer = match asked.take() {
                Some(answer) => answer,
                None => pages.get(&url).await,
            };
            let page = match answer {
                Ok(page) => page,
                Err(FetchError::Disallowed { .. }) => {
                    out.robots_skipped(&url);
                    break;
                }
                Err(e) => return Err(SourceError::Fetch(e)),
            };
            let parsed = extract::parse_listing(src, &page.url, &page.body)?;
            out.extend(Vec::new(), parsed.issues);
            listing.advance(&mut pager, &mut out, &page.url, parsed.next);
            // The items in page order; detail pages fetched together (as many in flight as
            // the fetcher allows: its per-host limiter and global permits pace them), read in
            // page order so a release stays byte-identical.
            let mut slots: Vec<Slot> = Vec::with_capacity(parsed.items.len());
            let mut links: Vec<Url> = Vec::new();
            for item in parsed.items {
                match item {
                    Item::Record(record) => slots.push(Slot::Record(record)),
                    Item::Detail(link) => match pager.admit(&link)? {
                        Admit::Seen => {
                            let message = format!("detail page `{link}` listed again; read once");
                            out.issue(Issue::new(page.url.as_str(), message));
                        }
                        Admit::Fetch => {
                            slots.push(Slot::Detail);
                            links.push(link);
                        }
                    },
                }
            }
            // The next listing page is asked for beside them: a listing is read as fast as
            // its host allows, not one round trip behind its detail pages.
            next = listing.next(&mut pager, &mut out)?;
            let (details, answer) = futures::join!(fetch_details(src, pages, links), async {
                match &next {
                    Some(url) => Some(pages.get(url).await),
                    None => None,
                }
            });
            asked = answer;
            let mut details = details.into_iter();
            for slot in slots {
                match slot {
                    Slot::Record(record) => out.push(record),
                    Slot::Detail => {
                        if let Some(detail) = details.next() {
                            detail.into(&mut out);
                        }
                    }
                }
            }
        }
    }
    Ok(out.finish())
}

/// An item of a listing page, in page order.
enum Slot {
    Record(crate::model::RawRecord),
    /// The next detail page fetched.
    Detail,
}

/// What one detail page gave.
enum Detail {
    Read(Option<crate::model::RawRecord>, Vec<Issue>),
    Disallowed(Url),
    Failed(Url, FetchError),
}

impl Detail {
    fn into(self, out: &mut Collector) {
        match self {
            Detail::Read(record, issues) => out.extend(record.into_iter().collect(), issues),
            Detail::Disallowed(link) => out.robots_skipped(&link),
            // A failure skips the item with an issue.
            Detail::Failed(link, e) => out.issue(Issue::new(
                link.as_str(),
                format!("detail page not fetched: {e}; item skipped"),
            )),
        }
    }
}

/// Fetches and reads the detail pages `links`, up to `pages.in_flight()` at once, in order.
async fn fetch_details<P: Pages>(src: &HtmlSource, pages: &P, links: Vec<Url>) -> Vec<Detail> {
    futures::stream::iter(links)
        .map(|link| async move {
            match pages.get(&link).await {
                Ok(page) => {
                    tracing::debug!(url = %link, bytes = page.body.len(), "page fetched");
                    let (record, issues) = extract::parse_detail(src, &page.url, &link, &page.body);
                    Detail::Read(record, issues)
                }
                Err(FetchError::Disallowed { .. }) => Detail::Disallowed(link),
                Err(e) => Detail::Failed(link, e),
            }
        })
        .buffered(pages.in_flight().max(1))
        .collect()
        .await
}
