//! `site` sources: what the tools' own home pages say about them (SPEC section 4 `site`,
//! section 7). Role `enrich`: a site record only adds fields to a tool that exists.
//!
//! The pipeline hands over the run's [`SiteTarget`]s (computed from the state store: the
//! home pages of tools that no forge or registry covers fully, least recently checked
//! first; kinds run no SQL) with [`SiteSource::set_targets`]. The walk visits at most
//! `max_sites` of them, starting none after `time_budget`, through
//! [`Fetcher::visit`](crate::crawl::Fetcher::visit) (guarded, polite, hop by hop) and reads
//! each page synchronously (`scraper::Html` is not `Send`) in a blocking task:
//!
//! * decl.rs: `max_sites`, `time_budget`;
//! * extract.rs: `<title>`, meta description, OpenGraph, JSON-LD
//!   `SoftwareApplication`/`WebApplication`/`SoftwareSourceCode`, `<html lang>`, `hreflang`
//!   alternates, links to code forges → fields (pure, tested on fixtures);
//! * liveness.rs: the visit and the URL's check history → `alive`/`moved`/`dead`/`unknown`;
//! * walk.rs: the only file here that awaits.
//!
//! Each visit gives one record whose id is the canonical home page, whose `homepage` is the
//! URL visited (so it joins its tool by the `home:` key, and by `repo:` when the page links
//! its code), plus the check under [`CHECK_KEYS`](crate::model::CHECK_KEYS), and one
//! [`HomepageCheck`](crate::model::HomepageCheck) in [`Harvest::checks`](super::Harvest).

mod decl;
pub(crate) mod extract;
mod liveness;
mod walk;

#[cfg(test)]
mod tests;

pub use decl::{KEYS, SiteSource, build};
pub(crate) use walk::run;

use url::Url;

use crate::model::HomepageCheck;

/// One home page to visit in this run.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteTarget {
    /// The canonical home page: the record id, and the key of its check history.
    pub key: String,
    /// The home page as its source gave it (what is fetched).
    pub url: Url,
    /// The newest checks of `key`, newest first.
    pub history: Vec<HomepageCheck>,
}
