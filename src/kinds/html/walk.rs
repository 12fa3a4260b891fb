//! Drives the fetches of an `html` source: listing pages (same-origin pagination, loop-safe)
//! and detail pages, all counted against the source's page cap. The only file of `html/`
//! that awaits.

use url::Url;

use super::decl::HtmlSource;
use super::extract::{self, Item};
use crate::kinds::mapping::Collector;
use crate::kinds::pages::{self, Admit, Pager, Pages};
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
        let mut current = start.clone();
        loop {
            if pager.admit(&current)? == Admit::Seen {
                break;
            }
            let Some(page) = pages::get_or_skip(pages, &current, &mut out).await? else {
                break;
            };
            pager.also_seen(&page.url);
            let listing = extract::parse_listing(src, &page.url, &page.body)?;
            out.extend(Vec::new(), listing.issues);
            for item in listing.items {
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
            match listing.next {
                Some(next) if pager.is_seen(&next) => {
                    out.issue(pages::loop_issue(&page.url, &next));
                    break;
                }
                Some(next) => current = next,
                None => break,
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
