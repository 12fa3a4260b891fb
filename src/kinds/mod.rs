//! extract: one module per source `kind` (SPEC section 4). A kind turns responses into
//! [`RawRecord`]s with fields as the source gave them; canonical forms are `normalise`'s job.

use url::Url;

use crate::crawl::{FetchError, FetchStats, Fetcher};
use crate::model::RawRecord;
use crate::report::Issue;

/// A source declaration's kind-specific part, compiled (JSONPaths and selectors parsed).
#[derive(Debug)]
pub enum Source {
    Placeholder,
}

/// What a source run hands to the pipeline.
#[derive(Debug, Default)]
pub struct Harvest {
    pub records: Vec<RawRecord>,
    /// Bad records and pages that did not fail the source.
    pub issues: Vec<Issue>,
    /// URLs not requested because robots.txt disallows them.
    pub robots_skipped: Vec<String>,
}

/// What a source kind needs from the run.
pub struct SourceCx<'a> {
    pub source_id: &'a str,
    pub fetcher: &'a Fetcher,
    pub stats: &'a FetchStats,
}

/// A whole source failed. Names the URL or the reason.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: {message}")]
    Extract { url: String, message: String },
}

/// The keys a declaration of `kind` may have beside the common keys; `None` for an unknown kind.
pub fn kind_keys(kind: &str) -> Option<&'static [&'static str]> {
    let _ = kind;
    None
}

/// Compiles the kind-specific keys of a declaration (common keys already removed).
/// Returns every problem found, each naming its key.
pub fn build(kind: &str, table: toml::Table) -> Result<Source, Vec<String>> {
    let _ = (kind, table);
    Err(vec!["not yet".into()])
}

/// The URLs a source starts from (for host registration and `sources list`).
pub fn start_urls(source: &Source) -> Vec<Url> {
    let _ = source;
    Vec::new()
}

/// Runs a source: fetch its pages and extract its records.
pub async fn run(source: &Source, cx: &SourceCx<'_>) -> Result<Harvest, SourceError> {
    let _ = (source, cx);
    Ok(Harvest::default())
}
