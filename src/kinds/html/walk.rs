//! Drives the fetches of an `html` source: listing pages (paginated through `pages::Listing`)
//! and detail pages, all counted against the source's page cap. The only file of `html/`
//! that awaits.

use url::Url;

use super::decl::HtmlSource;
use super::extract::{self, Item};
use crate::kinds::mapping::Collector;
use crate::kinds::pages::{self, Admit, Listing, Pager, Pages};
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
        while let Some(url) = listing.next(&mut pager, &mut out)? {
            let Some(page) = pages::get_or_skip(pages, &url, &mut out).await? else {
                break;
            };
            let parsed = extract::parse_listing(src, &page.url, &page.body)?;
            out.extend(Vec::new(), parsed.issues);
            listing.advance(&mut pager, &mut out, &page.url, parsed.next);
            for item in parsed.items {
                match item {
                    Item::Record(record) => out.push(record),
                    Item::Detail(link) => match pager.admit(&link)? {
                        Admit::Seen => {
                            let message = format!("detail page `{link}` listed again; read once");
                            out.issue(Issue::new(page.url.as_str(), message));
                        }
                        Admit::Fetch => fetch_detail(src, pages, &link, &mut out).await,
                    },
                }
            }
        }
    }
    Ok(out.finish())
}

/// Fetches and reads one detail page; a failure skips the item with an issue.
async fn fetch_detail<P: Pages>(src: &HtmlSource, pages: &P, link: &Url, out: &mut Collector) {
    match pages::get_or_skip(pages, link, out).await {
        Ok(Some(page)) => {
            let (record, issues) = extract::parse_detail(src, &page.url, link, &page.body);
            out.extend(record.into_iter().collect(), issues);
        }
        Ok(None) => {}
        Err(e) => out.issue(Issue::new(
            link.as_str(),
            format!("detail page not fetched: {e}; item skipped"),
        )),
    }
}
