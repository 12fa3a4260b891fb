//! Pure, synchronous extraction from one HTML page: bytes in, owned data out.
//!
//! `scraper::Html` is not `Send`, so nothing here is held across an `.await`: the walk calls
//! these functions between fetches and keeps only what they return.

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::decl::{HtmlSource, Sel};
use crate::kinds::SourceError;
use crate::kinds::mapping::{self, Fields};
use crate::model::RawRecord;
use crate::report::Issue;

/// One item of a listing page.
#[derive(Debug)]
pub(crate) enum Item {
    /// Fields read from the item element itself (no `detail`).
    Record(RawRecord),
    /// The item's detail page, where the fields are read.
    Detail(Url),
}

/// What one listing page holds.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub items: Vec<Item>,
    /// The next listing page.
    pub next: Option<Url>,
    pub issues: Vec<Issue>,
}

/// Parses a listing page fetched from `url` (after redirects). Fails when `item` matches
/// nothing: a broken selector must not look like an empty directory.
pub(crate) fn parse_listing(
    src: &HtmlSource,
    url: &Url,
    body: &[u8],
) -> Result<Listing, SourceError> {
    let mut listing = Listing::default();
    let text = mapping::decode_text(url, body, &mut listing.issues);
    let doc = Html::parse_document(&text);
    let base = base_url(&doc, url);
    let items: Vec<ElementRef> = doc.select(&src.item.selector).collect();
    if items.is_empty() {
        return Err(SourceError::Extract {
            url: url.to_string(),
            message: format!(
                "`item` selector `{}` matches nothing on this listing page",
                src.item.text
            ),
        });
    }
    for (i, item) in items.into_iter().enumerate() {
        match &src.detail {
            Some(detail) => match link(item, detail, &base) {
                Some(link) => listing.items.push(Item::Detail(link)),
                None => listing.issues.push(Issue::new(
                    url.as_str(),
                    format!(
                        "item {}: `detail` selector `{}` found no link with an `href`; item skipped",
                        i + 1,
                        detail.text
                    ),
                )),
            },
            None => {
                let (fields, pending) = read_fields(src, item, &base, url);
                let record = mapping::finish_record(fields, url, None, pending, &mut listing.issues);
                listing.items.extend(record.map(Item::Record));
            }
        }
    }
    listing.next = next_page(src, &doc, &base);
    Ok(listing)
}

/// Parses a detail page fetched from `url` (after redirects) and listed as `listed`, which is
/// the record id unless `fields.record_id` gives one.
pub(crate) fn parse_detail(
    src: &HtmlSource,
    url: &Url,
    listed: &Url,
    body: &[u8],
) -> (Option<RawRecord>, Vec<Issue>) {
    let mut issues = Vec::new();
    let text = mapping::decode_text(url, body, &mut issues);
    let doc = Html::parse_document(&text);
    let base = base_url(&doc, url);
    let (fields, pending) = read_fields(src, doc.root_element(), &base, url);
    let record = mapping::finish_record(fields, url, Some(listed.as_str()), pending, &mut issues);
    (record, issues)
}

/// Reads every mapped field under `root` (the item element, or a detail page's `<html>`).
fn read_fields(src: &HtmlSource, root: ElementRef, base: &Url, url: &Url) -> (Fields, Vec<Issue>) {
    let mut fields = Fields::new();
    let mut issues = Vec::new();
    for f in &src.fields {
        let elements: Vec<ElementRef> = match &f.selector {
            Some(sel) => root.select(&sel.selector).collect(),
            None => vec![root],
        };
        for el in elements {
            let value = match f.attr.as_deref() {
                None => el.text().collect::<String>(),
                Some(attr @ ("href" | "src")) => match el.value().attr(attr) {
                    Some(v) => resolve_href(v, base, url, &f.field, &mut issues),
                    None => continue,
                },
                Some(attr) => match el.value().attr(attr) {
                    Some(v) => v.to_owned(),
                    None => continue,
                },
            };
            mapping::add_value(&mut fields, &f.field, &value, base);
        }
    }
    (fields, issues)
}

/// An `href`/`src` value resolved against the page; kept as given (with an issue) when it
/// cannot be.
fn resolve_href(
    value: &str,
    base: &Url,
    url: &Url,
    field: &str,
    issues: &mut Vec<Issue>,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    match base.join(value) {
        Ok(link) => link.to_string(),
        Err(e) => {
            let message =
                format!("`fields.{field}`: link `{value}` does not resolve: {e}; kept as given");
            issues.push(Issue::new(url.as_str(), message).field(field));
            value.to_owned()
        }
    }
}

/// The first `href` of an element matching `sel` inside `scope`, resolved, without fragment.
fn link(scope: ElementRef, sel: &Sel, base: &Url) -> Option<Url> {
    scope
        .select(&sel.selector)
        .filter_map(|el| el.value().attr("href"))
        .find_map(|href| base.join(href.trim()).ok())
        .map(|mut u| {
            u.set_fragment(None);
            u
        })
}

/// The next listing page, if `next_page` is set and matches (the walk's pagination engine
/// decides whether to follow it).
fn next_page(src: &HtmlSource, doc: &Html, base: &Url) -> Option<Url> {
    let sel = src.next_page.as_ref()?;
    link(doc.root_element(), sel, base)
}

/// The page's `<base href>` resolved against its URL, else the URL itself.
fn base_url(doc: &Html, url: &Url) -> Url {
    let sel = Selector::parse("base[href]").expect("a valid selector");
    doc.select(&sel)
        .next()
        .and_then(|el| el.value().attr("href"))
        .and_then(|href| url.join(href.trim()).ok())
        .unwrap_or_else(|| url.clone())
}
