//! `html` kind over the fixtures in `tests/fixtures/html/` (no server needed).

use super::decl::build;
use super::extract::{Item, parse_detail, parse_listing};
use super::*;
use crate::kinds::SourceError;
use crate::kinds::testutil::{BASE, FakePages, Reply, block_on, fixture, fixture_bytes, url};

mod parts;

/// Fields read from listing items (no `detail`).
const LISTING: &str = r#"
    start_urls = ["https://registry.test/directory/"]
    item = "article.tool"
    next_page = "a[rel=next]"
    [fields]
    record_id = "@data-tool-id"
    name = "h2"
    description = "p.summary"
    homepage = "a.website@href"
    tags = "ul.tags li"
"#;

/// Fields read from detail pages.
const DETAIL: &str = r#"
    start_urls = ["https://registry.test/directory/"]
    item = "article.tool"
    next_page = "a[rel=next]"
    detail = "a.details"
    [fields]
    name = "h1.name"
    description = "div.description"
    homepage = "a.website@href"
    repository = "a.repo@href"
    license = ".license"
    countries = ".country"
    tags = "ul.tags li"
    logo = "img.logo@src"
"#;

fn source(toml_text: &str) -> HtmlSource {
    build(toml::from_str(toml_text).unwrap()).unwrap()
}

fn build_errors(toml_text: &str) -> Vec<String> {
    build(toml::from_str(toml_text).unwrap()).unwrap_err()
}

fn site() -> FakePages {
    let mut pages = FakePages::default()
        .body(
            &format!("{BASE}/directory/"),
            fixture_bytes("html", "directory-list-1.html"),
        )
        .body(
            &format!("{BASE}/directory/page/2/"),
            fixture_bytes("html", "directory-list-2.html"),
        );
    for slug in ["decidim", "consul-democracy", "fixmystreet", "alaveteli"] {
        let body = fixture_bytes("html", &format!("tool-{slug}.html"));
        pages = pages.body(&format!("{BASE}/tools/{slug}"), body);
    }
    pages
}

fn records(listing: super::extract::Listing) -> Vec<crate::model::RawRecord> {
    listing
        .items
        .into_iter()
        .map(|item| match item {
            Item::Record(r) => r,
            Item::Detail(u) => panic!("unexpected detail link {u}"),
        })
        .collect()
}

#[test]
fn listing_items_give_text_lists_and_resolved_links() {
    let page_url = url("/directory/");
    let body = fixture_bytes("html", "directory-list-1.html");
    let listing = parse_listing(&source(LISTING), &page_url, &body).unwrap();
    assert!(listing.issues.is_empty(), "{:?}", listing.issues);
    assert_eq!(
        listing.next,
        Some(url("/directory/page/2/")),
        "relative `page/2/`"
    );
    let recs = records(listing);
    assert_eq!(recs.len(), 3);
    let decidim = &recs[0];
    assert_eq!(decidim.record_id, "decidim");
    assert_eq!(decidim.source_url, page_url.as_str());
    assert_eq!(decidim.all("name"), ["Decidim"]);
    assert_eq!(
        decidim.all("description"),
        ["Participatory democracy platform for cities and organisations."]
    );
    assert_eq!(decidim.all("homepage"), ["https://decidim.org/"]);
    assert_eq!(
        decidim.all("tags"),
        ["participation", "participatory budgeting"]
    );
    let consul = &recs[1];
    assert_eq!(consul.all("homepage"), [format!("{BASE}/visit/consul")]);
    assert_eq!(
        consul.all("tags"),
        ["petitions"],
        "one match is a one-element list"
    );
    assert!(!recs[2].fields.contains_key("homepage"));
}

#[test]
fn listing_with_detail_gives_resolved_detail_links() {
    let body = fixture_bytes("html", "directory-list-1.html");
    let listing = parse_listing(&source(DETAIL), &url("/directory/"), &body).unwrap();
    let links: Vec<String> = listing
        .items
        .iter()
        .map(|item| match item {
            Item::Detail(u) => u.to_string(),
            Item::Record(r) => panic!("unexpected record {r:?}"),
        })
        .collect();
    assert_eq!(
        links,
        [
            format!("{BASE}/tools/decidim"),
            format!("{BASE}/tools/consul-democracy"),
            format!("{BASE}/tools/fixmystreet")
        ]
    );
}

#[test]
fn detail_page_fields_and_id_from_the_listed_url() {
    let listed = url("/tools/decidim");
    let body = fixture_bytes("html", "tool-decidim.html");
    let (record, issues) = parse_detail(&source(DETAIL), &listed, &listed, &body);
    assert!(issues.is_empty(), "{issues:?}");
    let r = record.unwrap();
    assert_eq!(r.record_id, listed.as_str());
    assert_eq!(r.all("name"), ["Decidim"]);
    assert_eq!(
        r.all("description"),
        [
            "Decidim is a participatory democracy framework, written in Ruby on Rails. It helps citizens, organisations and public institutions self-organise democratically at every scale."
        ]
    );
    assert_eq!(r.all("homepage"), ["https://decidim.org/"]);
    assert_eq!(
        r.all("repository"),
        [
            "https://github.com/decidim/decidim",
            "https://git.example.org/mirrors/decidim"
        ]
    );
    assert_eq!(r.all("license"), ["AGPL-3.0"]);
    assert_eq!(r.all("countries"), ["Spain", "France"]);
    assert_eq!(
        r.all("tags"),
        ["participation", "participatory budgeting", "consultation"]
    );
    assert_eq!(r.all("logo"), [format!("{BASE}/media/logos/decidim.png")]);
}

#[test]
fn detail_links_resolve_against_base_href() {
    let listed = url("/tools/fixmystreet");
    let body = fixture_bytes("html", "tool-fixmystreet.html");
    let (record, _) = parse_detail(&source(DETAIL), &listed, &listed, &body);
    let r = record.unwrap();
    assert_eq!(
        r.all("logo"),
        [format!("{BASE}/tools/fixmystreet/logo.svg")]
    );
    assert_eq!(
        r.all("homepage"),
        [format!("{BASE}/go/fixmystreet?utm_source=directory")]
    );
}

/// The ids of a harvest's records, in order.
fn ids(harvest: &crate::kinds::Harvest) -> Vec<&str> {
    harvest
        .records
        .iter()
        .map(|r| r.record_id.as_str())
        .collect()
}

/// The detail pages `site()` lists, in the listing's order (their URLs are the records' ids).
fn listed_in_order() -> Vec<String> {
    ["decidim", "consul-democracy", "fixmystreet", "alaveteli"]
        .map(|slug| format!("{BASE}/tools/{slug}"))
        .to_vec()
}

#[test]
fn walk_follows_pages_and_details_once_each() {
    let pages = site();
    let harvest = block_on(walk(&source(DETAIL), &pages, 100)).unwrap();
    let tools = |slug: &str| format!("{BASE}/tools/{slug}");
    // The next listing page is asked first: its items must not wait on the detail pages.
    assert_eq!(
        pages.requests(),
        [
            format!("{BASE}/directory/"),
            format!("{BASE}/directory/page/2/"),
            tools("decidim"),
            tools("consul-democracy"),
            tools("fixmystreet"),
            tools("alaveteli"),
        ]
    );
    assert_eq!(ids(&harvest), listed_in_order());
    assert_eq!(harvest.records[1].all("tags"), ["petitions"]);
    let messages: Vec<&str> = harvest.issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].starts_with("item 3: `detail` selector `a.details` found no link"));
    assert_eq!(
        messages[1],
        format!("detail page `{BASE}/tools/decidim` listed again; read once")
    );
}

#[test]
fn listing_mode_walk_reports_duplicate_ids() {
    let harvest = block_on(walk(&source(LISTING), &site(), 100)).unwrap();
    let ids: Vec<&str> = harvest
        .records
        .iter()
        .map(|r| r.record_id.as_str())
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(&ids[..4], ["decidim", "consul", "fixmystreet", "alaveteli"]);
    assert_eq!(
        ids[4].len(),
        16,
        "the sponsored item has no id: content hash"
    );
    assert_eq!(harvest.issues.len(), 1, "{:?}", harvest.issues);
    assert_eq!(harvest.issues[0].record_id.as_deref(), Some("decidim"));
    assert!(
        harvest.issues[0]
            .message
            .contains("duplicate record id `decidim`")
    );
}

#[test]
fn failed_or_disallowed_detail_pages_skip_the_item_only() {
    let pages = site()
        .with(&format!("{BASE}/tools/alaveteli"), Reply::Status(500))
        .with(&format!("{BASE}/tools/consul-democracy"), Reply::Disallowed);
    let harvest = block_on(walk(&source(DETAIL), &pages, 100)).unwrap();
    assert_eq!(harvest.records.len(), 2);
    assert_eq!(
        harvest.robots_skipped,
        [format!("{BASE}/tools/consul-democracy")]
    );
    let failed: Vec<_> = harvest
        .issues
        .iter()
        .filter(|i| i.url == format!("{BASE}/tools/alaveteli"))
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].message.contains("HTTP 500"), "{:?}", failed[0]);
}

#[test]
fn a_failed_listing_page_fails_the_source() {
    let pages = site().with(&format!("{BASE}/directory/page/2/"), Reply::Status(502));
    let err = block_on(walk(&source(DETAIL), &pages, 100)).unwrap_err();
    assert!(matches!(err, SourceError::Fetch(_)), "{err}");
}

#[test]
fn a_listing_page_without_items_fails_naming_url_and_selector() {
    let body = fixture_bytes("html", "directory-empty.html");
    let err = parse_listing(&source(DETAIL), &url("/directory/?q=none"), &body).unwrap_err();
    assert_eq!(
        err.to_string(),
        "https://registry.test/directory/?q=none: `item` selector `article.tool` matches nothing on this listing page"
    );
}

#[test]
fn next_page_on_another_host_is_not_followed() {
    let src = source(&DETAIL.replace("/directory/", "/partners/"));
    let pages = site().body(
        &format!("{BASE}/partners/"),
        fixture_bytes("html", "directory-offsite-next.html"),
    );
    let harvest = block_on(walk(&src, &pages, 100)).unwrap();
    assert_eq!(
        pages.requests(),
        [format!("{BASE}/partners/"), format!("{BASE}/tools/decidim")]
    );
    assert_eq!(harvest.records.len(), 1);
    assert_eq!(harvest.issues.len(), 1);
    assert!(
        harvest.issues[0].message.starts_with(
            "next page `https://partner.example/directory/page/2/` is on another site"
        )
    );
}

#[test]
fn a_next_page_loop_stops_without_refetching() {
    let looping = fixture("html", "directory-list-2.html").replace("rel=\"prev\"", "rel=\"next\"");
    let pages = site().body(&format!("{BASE}/directory/page/2/"), looping);
    let harvest = block_on(walk(&source(LISTING), &pages, 100)).unwrap();
    assert_eq!(
        pages.requests(),
        [
            format!("{BASE}/directory/"),
            format!("{BASE}/directory/page/2/")
        ]
    );
    assert!(
        harvest
            .issues
            .iter()
            .any(|i| i.message.starts_with("pagination loop"))
    );
}

#[test]
fn the_page_cap_fails_the_source() {
    let err = block_on(walk(&source(LISTING), &site(), 1)).unwrap_err();
    assert!(err.to_string().contains("page cap of 1 requests"), "{err}");
}

#[test]
fn detail_pages_count_against_the_page_cap() {
    // Two listing pages and four detail pages: six pages in all.
    assert!(block_on(walk(&source(DETAIL), &site(), 6)).is_ok());
    let err = block_on(walk(&source(DETAIL), &site(), 5)).unwrap_err();
    assert!(err.to_string().contains("page cap of 5 requests"), "{err}");
}

#[test]
fn build_reports_every_problem_naming_its_key() {
    let errs = build_errors(
        r#"
        start_urls = ["https://ok.test/", "/relative/"]
        item = "article..tool"
        next_page = "nav >> a"
        [fields]
        name = "h2"
        homepage = "a..website@href"
        colour = ".colour"
        "#,
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");
    assert!(
        errs[0].starts_with("`start_urls[1]`: invalid URL `/relative/`: "),
        "{errs:#?}"
    );
    assert!(
        errs[1].starts_with("`item`: invalid CSS selector `article..tool`: "),
        "{errs:#?}"
    );
    assert!(
        errs[2].starts_with("`next_page`: invalid CSS selector `nav >> a`: "),
        "{errs:#?}"
    );
    assert!(
        errs[1].ends_with(": class needs ident at Delim('.')"),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("`fields.colour`: unknown canonical field"))
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("`fields.homepage`: invalid CSS selector `a..website`: "))
    );

    let errs = build_errors("[fields]\nname = \"h2\"");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(errs[0].starts_with("`start_urls` is required"));
    assert!(errs[1].starts_with("`item` is required"));
}

#[test]
fn detail_pages_and_the_next_listing_page_are_asked_together_and_read_in_listing_order() {
    // The first detail page answers last: asked one after the other, none would overlap.
    let tools = |slug: &str| format!("{BASE}/tools/{slug}");
    let mut pages = site()
        .lagging(&tools("decidim"), 6)
        .lagging(&tools("consul-democracy"), 3)
        .lagging(&tools("fixmystreet"), 2);
    pages.in_flight = 8;
    let harvest = block_on(walk(&source(DETAIL), &pages, 100)).unwrap();
    assert_eq!(
        pages.peak.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "the first listing page's three detail pages and the second listing page under way at once"
    );
    assert_eq!(
        ids(&harvest),
        listed_in_order(),
        "records in the listing's order, whatever order the pages answered in"
    );
}

#[test]
fn on_a_rerun_the_listing_pages_the_archive_chains_are_asked_together() {
    let list = |n: usize| format!("{BASE}/directory/page/{n}/");
    let listing = |n: usize, next: Option<usize>| {
        let next = next.map_or(String::new(), |m| {
            format!(r#"<a rel="next" href="/directory/page/{m}/">next</a>"#)
        });
        format!(r#"<article class="tool" data-tool-id="t{n}"><h2>Tool {n}</h2></article>{next}"#)
    };
    let src = source(&LISTING.replace("/directory/\"]", "/directory/page/1/\"]"));
    // Four pages, each linking to the next, archived the same by the last run.
    let mut pages = FakePages::default();
    for n in 1..=4 {
        let next = (n < 4).then_some(n + 1);
        pages = pages
            .body(&list(n), listing(n, next))
            .archived_as(&list(n), listing(n, next))
            .lagging(&list(n), 2);
    }
    pages.in_flight = 8;
    let harvest = block_on(walk(&src, &pages, 100)).unwrap();
    assert_eq!(ids(&harvest), ["t1", "t2", "t3", "t4"]);
    assert_eq!(pages.requests(), (1..=4).map(list).collect::<Vec<_>>());
    assert_eq!(
        pages.peak.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "the four listing pages under way at once"
    );
    // At most `in_flight` pages in one go: the rest follow from the last one read.
    pages.in_flight = 2;
    pages.log.lock().unwrap().clear();
    pages.peak.store(0, std::sync::atomic::Ordering::SeqCst);
    let harvest = block_on(walk(&src, &pages, 100)).unwrap();
    assert_eq!(ids(&harvest), ["t1", "t2", "t3", "t4"]);
    assert_eq!(pages.requests().len(), 4, "each page asked once");
    assert_eq!(pages.peak.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn a_listing_changed_since_the_archive_is_walked_as_it_is_now() {
    let list = |n: usize| format!("{BASE}/directory/page/{n}/");
    let listing = |n: usize, next: Option<usize>| {
        let next = next.map_or(String::new(), |m| {
            format!(r#"<a rel="next" href="/directory/page/{m}/">next</a>"#)
        });
        format!(r#"<article class="tool" data-tool-id="t{n}"><h2>Tool {n}</h2></article>{next}"#)
    };
    let src = source(&LISTING.replace("/directory/\"]", "/directory/page/1/\"]"));
    // Last run: 1 → 9 → 4. Now: 1 → 2 → 4; page 9 is gone.
    let mut pages = FakePages::default()
        .archived_as(&list(1), listing(1, Some(9)))
        .archived_as(&list(9), listing(9, Some(4)))
        .body(&list(1), listing(1, Some(2)))
        .body(&list(2), listing(2, Some(4)))
        .body(&list(4), listing(4, None));
    pages.in_flight = 8;
    let harvest = block_on(walk(&src, &pages, 100)).unwrap();
    assert_eq!(ids(&harvest), ["t1", "t2", "t4"]);
    assert!(harvest.issues.is_empty(), "{:?}", harvest.issues);
    let asked = pages.requests();
    assert_eq!(
        asked,
        [list(1), list(9), list(4), list(2)],
        "the archive's chain asked ahead (page 9's 404 never read), then page 2; page 4 once"
    );
}
