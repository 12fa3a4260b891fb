//! Drives the fetches of an `html` source: listing pages (paginated through `pages::Listing`)
//! and detail pages, all counted against the source's page cap. The only file of `html/`
//! that awaits.
//!
//! The items of the listing pages read are queued in page order; up to `Pages::in_flight`
//! of them are under way at once, across listing pages (the fetcher's per-host limiter and
//! global permits pace the requests), and the next listing page is asked for as soon as the
//! last one is read, beside them, so a directory is crawled as fast as its host allows
//! rather than one page after another. Items
//! come out in the order they were queued, so records and issues do too, and a release stays
//! byte-identical.
//!
//! Listing pages are always asked (they reveal new and removed items); detail pages follow
//! the source's revisit policy (`Pages::get_revisited`, `crawl::revisit`): one not due is
//! read from the archive, and its record is the same as if it had been asked.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use url::Url;

use super::decl::HtmlSource;
use super::extract::{self, Item};
use crate::crawl::FetchError;
use crate::kinds::mapping::Collector;
use crate::kinds::pages::{Admit, Listing, Page, Pager, Pages};
use crate::kinds::{Harvest, SourceError};
use crate::model::RawRecord;
use crate::report::Issue;

/// Fetches every listing page from each start URL, and each item's detail page.
pub(crate) async fn walk<P: Pages>(
    src: &HtmlSource,
    pages: &P,
    max_pages: usize,
) -> Result<Harvest, SourceError> {
    // Every request the fetcher allows goes to detail pages, and the listing page is asked
    // for beside them: it waits for the first permit a detail page gives back (the permits
    // are handed out in turn), while the items read ahead keep the detail pages busy. Keeping
    // a permit for the listing instead left one in sixteen idle.
    let limit = pages.in_flight().max(1);
    let mut out = Collector::default();
    let mut side = Side {
        starts: src.start_urls.iter().cloned().collect(),
        listing: None,
        pager: Pager::new(max_pages),
        queued: VecDeque::new(),
    };
    // Detail pages being fetched, each with its place in page order; the pages fetched wait
    // in `fetched` to be read, and what they gave waits in `finished` until every item before
    // it is out, so records and issues come out in the order they were queued. Only pages
    // being fetched count against `limit`, and a page is read only once the requests that
    // replace it are sent: reading (about a millisecond of CPU) never holds a request slot.
    let mut fetching = FuturesUnordered::new();
    // Detail pages being read, on the blocking pool: the walk's task, which polls every
    // fetch under way, never stops to parse a page (about a millisecond of CPU each), so an
    // answer is taken and its request slot given back as soon as it arrives.
    let mut reading_pages = FuturesUnordered::new();
    let shared = Arc::new(src.clone());
    let mut finished: BTreeMap<u64, Done> = BTreeMap::new();
    let (mut queued_seq, mut next_out) = (0u64, 0u64);
    // The listing page being fetched, with the pages its archived copy led to last time.
    let mut reading = None;
    // Listing pages fetched ahead, waiting for the walk to reach them.
    let mut ahead: HashMap<Url, Result<Page, FetchError>> = HashMap::new();
    loop {
        // The next listing page as soon as the last one is read (items queued up to a bound).
        if reading.is_none()
            && side.queued.len() < MAX_QUEUED.max(limit)
            && let Some(url) = side.next_listing_page()?
        {
            if let Some(answer) = ahead.remove(&url) {
                side.read_listing_page(src, url, answer)?;
                continue;
            }
            let chain = chain_ahead(src, pages, url, limit, &ahead);
            reading = Some(Box::pin(get_all(pages, chain)));
        }
        while fetching.len() < limit
            && finished.len() + reading_pages.len() < MAX_WAITING.max(limit)
        {
            let Some(item) = side.queued.pop_front() else {
                break;
            };
            let seq = queued_seq;
            queued_seq += 1;
            match item {
                Queued::Ready(done) => {
                    finished.insert(seq, done);
                }
                Queued::Detail(link) => fetching.push(async move {
                    let answer = pages.get_revisited(&link, src.revisit).await;
                    (seq, link, answer)
                }),
            }
        }
        while let Some(done) = finished.remove(&next_out) {
            done.into(&mut out);
            next_out += 1;
        }
        // Nothing being fetched or read and no listing page being read: the queue is empty
        // too (it just filled `fetching`), and no listing page is left.
        if fetching.is_empty() && reading_pages.is_empty() && reading.is_none() {
            break;
        }
        tokio::select! {
            // The listing page first: polled before the detail pages just queued, it asks for
            // the next global permit ahead of them, so the items it brings are never waited
            // for (at the start, the first listing's items would otherwise take every permit
            // and leave the next listing a round behind).
            biased;
            answers = async { reading.as_mut().expect("reading").await }, if reading.is_some() => {
                reading = None;
                let mut answers = answers.into_iter();
                let (url, answer) = answers.next().expect("the page asked for");
                ahead.extend(answers);
                side.read_listing_page(src, url, answer)?;
            }
            Some((seq, link, answer)) = fetching.next(), if !fetching.is_empty() => {
                let src = Arc::clone(&shared);
                reading_pages.push(
                    tokio::task::spawn_blocking(move || (seq, read_detail(&src, link, answer)))
                );
            }
            Some(read) = reading_pages.next(), if !reading_pages.is_empty() => {
                // A panic while reading a page is the walk's, as before.
                let (seq, done) = match read {
                    Ok(read) => read,
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(e) => return Err(SourceError::Panicked(e.to_string())),
                };
                finished.insert(seq, done);
            }
        }
    }
    debug_assert!(finished.is_empty(), "every item is out in order");
    if !ahead.is_empty() {
        // The listing changed since its pages were archived: these were not reached.
        let urls: Vec<&str> = ahead.keys().map(Url::as_str).collect();
        tracing::debug!(?urls, "listing pages fetched ahead and not reached");
    }
    Ok(out.finish())
}

/// Most items of listing pages read ahead of the detail pages under way.
const MAX_QUEUED: usize = 1_000;
/// Most items done and waiting for an earlier one to come out: past it no detail page is
/// started until the earliest one is done (a page stuck in retries holds back at most this
/// many parsed records).
const MAX_WAITING: usize = 1_000;

/// GETs every URL of `urls` at once (the fetcher's limits pace them), giving each back with
/// its answer, in order.
async fn get_all<P: Pages>(pages: &P, urls: Vec<Url>) -> Vec<(Url, Result<Page, FetchError>)> {
    futures::future::join_all(urls.into_iter().map(|url| async move {
        let answer = pages.get(&url).await;
        (url, answer)
    }))
    .await
}

/// The listing page `url` and, on a rerun, the listing pages its archived copy led to, one
/// after another (at most `most` in all, same origin, none already fetched ahead, no loop):
/// asked for together, an unchanged directory's listing pages take one round trip instead of
/// one each. A page not reached because the listing changed is one request spent; the first
/// run, with nothing archived, asks for `url` alone.
fn chain_ahead<P: Pages>(
    src: &HtmlSource,
    pages: &P,
    url: Url,
    most: usize,
    ahead: &HashMap<Url, Result<Page, FetchError>>,
) -> Vec<Url> {
    let mut chain = vec![url];
    while chain.len() < most {
        let last = chain.last().expect("never empty");
        let Some(page) = pages.archived(last) else {
            break;
        };
        let Ok(listing) = extract::parse_listing(src, &page.url, &page.body) else {
            break;
        };
        match listing.next {
            Some(next)
                if next.origin() == chain[0].origin()
                    && !chain.contains(&next)
                    && !ahead.contains_key(&next) =>
            {
                chain.push(next)
            }
            _ => break,
        }
    }
    chain
}

/// An item of a listing page waiting its turn, in page order.
enum Queued {
    Ready(Done),
    /// Fetch and read this detail page.
    Detail(Url),
}

/// What an item gave.
enum Done {
    Record(RawRecord),
    Issue(Issue),
    RobotsSkipped(Url),
    Read(Option<RawRecord>, Vec<Issue>),
    /// A detail page that could not be fetched: the item is skipped with an issue.
    Failed(Url, FetchError),
}

impl Done {
    fn into(self, out: &mut Collector) {
        match self {
            Done::Record(record) => out.push(record),
            Done::Issue(issue) => out.issue(issue),
            Done::RobotsSkipped(url) => out.robots_skipped(&url),
            Done::Read(record, issues) => out.extend(record.into_iter().collect(), issues),
            Done::Failed(link, e) => out.issue(Issue::new(
                link.as_str(),
                format!("detail page not fetched: {e}; item skipped"),
            )),
        }
    }
}

/// The listing side of the walk: the listings still to follow, the pager, and the items read
/// and not yet under way.
struct Side {
    starts: VecDeque<Url>,
    listing: Option<Listing>,
    pager: Pager,
    queued: VecDeque<Queued>,
}

impl Side {
    /// The next listing page to read (counted against the cap), from the listing under way or
    /// the next start URL; `None` when every listing has ended.
    fn next_listing_page(&mut self) -> Result<Option<Url>, SourceError> {
        loop {
            let listing = match &mut self.listing {
                Some(listing) => listing,
                None => match self.starts.pop_front() {
                    Some(start) => self.listing.insert(Listing::new(start)),
                    None => return Ok(None),
                },
            };
            let mut notes = Collector::default();
            let next = listing.next(&mut self.pager, &mut notes);
            self.queue_notes(notes);
            match next? {
                Some(url) => return Ok(Some(url)),
                None => self.listing = None,
            }
        }
    }

    /// Queues the items of the listing page `url` answered with.
    fn read_listing_page(
        &mut self,
        src: &HtmlSource,
        url: Url,
        answer: Result<Page, FetchError>,
    ) -> Result<(), SourceError> {
        let page = match answer {
            Ok(page) => page,
            Err(FetchError::Disallowed { .. }) => {
                self.queued
                    .push_back(Queued::Ready(Done::RobotsSkipped(url)));
                self.listing = None;
                return Ok(());
            }
            Err(e) => return Err(SourceError::Fetch(e)),
        };
        let parsed = extract::parse_listing(src, &page.url, &page.body)?;
        for issue in parsed.issues {
            self.queued.push_back(Queued::Ready(Done::Issue(issue)));
        }
        let mut notes = Collector::default();
        if let Some(listing) = &mut self.listing {
            listing.advance(&mut self.pager, &mut notes, &page.url, parsed.next);
        }
        self.queue_notes(notes);
        for item in parsed.items {
            let queued = match item {
                Item::Record(record) => Queued::Ready(Done::Record(record)),
                Item::Detail(link) => match self.pager.admit(&link)? {
                    Admit::Seen => {
                        let message = format!("detail page `{link}` listed again; read once");
                        Queued::Ready(Done::Issue(Issue::new(page.url.as_str(), message)))
                    }
                    Admit::Fetch => Queued::Detail(link),
                },
            };
            self.queued.push_back(queued);
        }
        Ok(())
    }

    /// Queues the issues the listing cursor noted (a pagination loop, a next page elsewhere).
    fn queue_notes(&mut self, notes: Collector) {
        for issue in notes.finish().issues {
            self.queued.push_back(Queued::Ready(Done::Issue(issue)));
        }
    }
}

/// Reads one detail page fetched (from the archive while it was not due for a revisit).
fn read_detail(src: &HtmlSource, link: Url, answer: Result<Page, FetchError>) -> Done {
    match answer {
        Ok(page) => {
            tracing::debug!(url = %link, bytes = page.body.len(), "page fetched");
            let (record, issues) = extract::parse_detail(src, &page.url, &link, &page.body);
            Done::Read(record, issues)
        }
        Err(FetchError::Disallowed { .. }) => Done::RobotsSkipped(link),
        Err(e) => Done::Failed(link, e),
    }
}
