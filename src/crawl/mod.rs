//! Polite HTTP for every source kind (SPEC section 2, `crawl`). The only module that sends
//! requests: kinds hand it URLs and get bytes back, never a reqwest type.
//!
//! Per request: robots.txt (once per host per run) → host limiter (governor, strictest `rate`
//! of the sources on that host, slowed by `Crawl-delay`) → global permit (`concurrency`) →
//! send → body under the cap → retry policy (`retry.rs`).

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use url::Url;

use crate::model::{Rate, Secret};
use crate::settings::CrawlSettings;

/// One request to send.
#[derive(Clone, Debug)]
pub struct Request {
    pub url: Url,
    /// Extra request headers (e.g. `Accept`). Never logged.
    pub headers: Vec<(String, String)>,
    /// A bearer token, sent as `Authorization: Bearer …`. Never logged.
    pub bearer: Option<Secret>,
}

impl Request {
    /// A plain GET of `url`.
    pub fn get(url: Url) -> Self {
        Request {
            url,
            headers: Vec::new(),
            bearer: None,
        }
    }
}

/// A successful (2xx) response with its whole body.
#[derive(Clone, Debug)]
pub struct Response {
    /// The URL asked for.
    pub url: Url,
    /// The URL after redirects.
    pub final_url: Url,
    pub status: u16,
    /// Response headers, names lowercase.
    pub headers: Vec<(String, String)>,
    /// The body after decompression (at most `max_body_bytes`).
    pub body: Vec<u8>,
    pub fetched_at: DateTime<Utc>,
}

impl Response {
    /// The first header named `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Counters of one source's requests, shared with the report.
#[derive(Debug, Default)]
pub struct FetchStats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub not_modified: AtomicU64,
    pub robots_disallowed: AtomicU64,
    pub bytes: AtomicU64,
}

impl FetchStats {
    pub(crate) fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Why a fetch failed. Every variant names the URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("GET {url}: disallowed by robots.txt")]
    Disallowed { url: String },
    #[error("GET {url}: host skipped this run: {reason}")]
    HostSkipped { url: String, reason: String },
    #[error("GET {url}: HTTP {status} after {attempts} attempt(s) in {elapsed_ms} ms{}", snippet_suffix(.body))]
    Status {
        url: String,
        status: u16,
        attempts: u32,
        elapsed_ms: u128,
        body: String,
    },
    #[error("GET {url}: {message} after {attempts} attempt(s)")]
    Network {
        url: String,
        message: String,
        attempts: u32,
    },
    #[error("GET {url}: body larger than the cap of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("GET {url}: too many redirects (more than 5, or a redirect loop)")]
    TooManyRedirects { url: String },
    #[error("GET {url}: {message}")]
    Refused { url: String, message: String },
}

fn snippet_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

impl FetchError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The one HTTP client of a run (shared in an `Arc`).
pub struct Fetcher {
    _private: (),
}

impl Fetcher {
    /// Builds the client from the `[crawl]` settings (User-Agent, timeouts, caps).
    pub fn new(settings: &CrawlSettings) -> Result<Fetcher, FetchError> {
        let _ = settings;
        unimplemented!("crawl: Fetcher::new")
    }

    /// Declares that a source with `rate` uses the origin (scheme, host, port) of `url`; the
    /// origin keeps the strictest rate of its sources. Call before the first request to it.
    pub fn register_host(&self, url: &Url, rate: Rate) {
        let _ = (url, rate);
        unimplemented!("crawl: register_host")
    }

    /// Sends `req` politely (robots, limiter, retries) and returns a 2xx response.
    pub async fn fetch(&self, req: &Request, stats: &FetchStats) -> Result<Response, FetchError> {
        let _ = (req, stats);
        unimplemented!("crawl: fetch")
    }
}
