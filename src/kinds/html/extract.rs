//! Pure, synchronous extraction from one HTML page: bytes in, owned data out.
//!
//! `scraper::Html` is not `Send`, so nothing here is held across an `.await`: the walk calls
//! these functions between fetches and keeps only what they return.
//!
//! A record's scope is its item element, or its detail page's `<html>`: `fields` and the
//! `[[organisations]]` / `[[use_cases]]` tables are read there.

use std::collections::BTreeMap;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::decl::{HtmlSource, Sel, ValueSel};
use crate::kinds::SourceError;
use crate::kinds::mapping::{self, Fields};
use crate::kinds::parts::{self, PartDecl, PartKind};
use crate::model::{RawPart, RawRecord};
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
                listing
                    .items
                    .extend(record.map(|r| Item::Record(with_parts(src, r, item, &base))));
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
    let root = doc.root_element();
    let (fields, pending) = read_fields(src, root, &base, url);
    let record = mapping::finish_record(fields, url, Some(listed.as_str()), pending, &mut issues);
    (record.map(|r| with_parts(src, r, root, &base)), issues)
}

/// Reads every mapped field under `root` (the item element, or a detail page's `<html>`).
fn read_fields(src: &HtmlSource, root: ElementRef, base: &Url, url: &Url) -> (Fields, Vec<Issue>) {
    let mut fields = Fields::new();
    let mut issues = Vec::new();
    for f in &src.fields {
        for el in elements(&f.value, root) {
            let Some(raw) = raw_value(&f.value, el) else {
                continue;
            };
            let value = if is_link(&f.value) {
                resolve_href(&raw, base, url, &f.field, &mut issues)
            } else {
                raw
            };
            mapping::add_value(&mut fields, &f.field, &value, base);
        }
    }
    (fields, issues)
}

/// The record with the organisations and use cases its tables find in `scope`.
fn with_parts(src: &HtmlSource, mut record: RawRecord, scope: ElementRef, base: &Url) -> RawRecord {
    record.organisations = read_parts(&src.organisations, PartKind::Organisations, scope, base);
    record.use_cases = read_parts(&src.use_cases, PartKind::UseCases, scope, base);
    record
}

/// The organisations or use cases the tables `decls` find in a record's scope: one per
/// element `each` matches inside it, else the scope itself.
fn read_parts(
    decls: &[PartDecl<ValueSel>],
    kind: PartKind,
    scope: ElementRef,
    base: &Url,
) -> Vec<RawPart> {
    let mut out = Vec::new();
    for d in decls {
        // `build` refuses an `each` without a selector.
        let nodes: Vec<ElementRef> = match d.each.as_ref().and_then(|e| e.selector.as_ref()) {
            Some(each) => scope.select(&each.selector).collect(),
            None => vec![scope],
        };
        for node in nodes {
            let mut fields = BTreeMap::new();
            for (field, v) in &d.fields {
                for value in part_values(v, node, base) {
                    parts::add_value(&mut fields, field, &value, base);
                }
            }
            if let Some(part) = parts::finish(kind, d.role.as_deref(), fields) {
                parts::push_unique(&mut out, part);
            }
        }
    }
    out
}

/// The values `v` reads inside one part's element, links (`href`, `src`) resolved against
/// the page; one that cannot be is kept as given (`normalise` reports it).
fn part_values(v: &ValueSel, node: ElementRef, base: &Url) -> Vec<String> {
    let resolve = |raw: String| {
        let raw = raw.trim();
        if is_link(v) && !raw.is_empty() {
            base.join(raw).map_or_else(|_| raw.to_owned(), String::from)
        } else {
            raw.to_owned()
        }
    };
    elements(v, node)
        .into_iter()
        .filter_map(|el| raw_value(v, el))
        .map(resolve)
        .collect()
}

/// The elements `v` reads inside `scope`: those its selector matches, else `scope` itself.
fn elements<'a>(v: &ValueSel, scope: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    match &v.selector {
        Some(sel) => scope.select(&sel.selector).collect(),
        None => vec![scope],
    }
}

/// What `v` reads from `el`: its text, or its attribute (`None` when absent).
fn raw_value(v: &ValueSel, el: ElementRef) -> Option<String> {
    match v.attr.as_deref() {
        None => Some(el.text().collect()),
        Some(attr) => el.value().attr(attr).map(str::to_owned),
    }
}

/// True when `v` reads a link attribute (`href`, `src`), resolved against the page.
fn is_link(v: &ValueSel) -> bool {
    matches!(v.attr.as_deref(), Some("href" | "src"))
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
