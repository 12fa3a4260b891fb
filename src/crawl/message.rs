//! What goes in and out of the [`Fetcher`](super::Fetcher): the request, the response, the
//! per-source counters and the errors, each naming its URL.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use url::Url;

use super::client::{self, AttemptError, BodyCap};
use super::ratelimit::ApiLimits;
use super::retry::Failure;
use super::revisit::Revisit;
use crate::model::Secret;

/// One request to send. Its `Debug` shows header names only, never values or the token.
#[derive(Clone)]
pub struct Request {
    pub url: Url,
    /// Extra request headers (e.g. `Accept`). Never logged.
    pub headers: Vec<(String, String)>,
    /// A bearer token, sent as `Authorization: Bearer …`. Never logged.
    pub bearer: Option<Secret>,
    /// Set for calls to a rate-limited API: see [`ApiLimits`] and the module docs.
    pub api: Option<ApiLimits>,
    /// Set for detail and home pages: the page may be answered from the archive while it is
    /// not due under this policy (`revisit.rs`).
    pub revisit: Option<Revisit>,
}

impl Request {
    /// A plain GET of `url`.
    pub fn get(url: Url) -> Self {
        Request {
            url,
            headers: Vec::new(),
            bearer: None,
            api: None,
            revisit: None,
        }
    }

    /// `self`, answered from the archive while it is not due under `policy`.
    pub fn revisit(mut self, policy: Revisit) -> Self {
        self.revisit = Some(policy);
        self
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Request")
            .field("url", &self.url.as_str())
            .field("headers", &names)
            .field("bearer", &self.bearer)
            .field("api", &self.api)
            .field("revisit", &self.revisit)
            .finish()
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
    /// Answered 304: `body` is the archived body of the last fetch.
    pub not_modified: bool,
    /// Not asked: a page not due under its revisit policy, answered from the archive (its
    /// `body` is the archived body, `headers` hold only its `content-type`).
    pub carried: bool,
    /// SHA-256 of the body in the archive, when a cache is set.
    pub body_sha256: Option<String>,
}

impl Response {
    /// The first header named `name` (compared ignoring ASCII case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Counters of one source's requests, shared with the report.
#[derive(Debug, Default)]
pub struct FetchStats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub not_modified: AtomicU64,
    /// Pages asked of their server (each page once, whatever its attempts; robots.txt not
    /// counted).
    pub pages_asked: AtomicU64,
    /// Pages answered from the archive without a request: not due under their revisit
    /// policy.
    pub pages_carried: AtomicU64,
    pub robots_disallowed: AtomicU64,
    pub bytes: AtomicU64,
    /// Pauses and waits for an API's rate limit (each also counted in `retries` when it
    /// retried a rate-limited answer).
    pub rate_limit_waits: AtomicU64,
    /// Home pages a `site` source has visited.
    pub visits: AtomicU64,
    /// The rate-limit wait under way, in milliseconds (0 when none): what a progress line
    /// shows as a wait rather than as a stall.
    pub waiting_ms: AtomicU64,
}

impl FetchStats {
    pub(crate) fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    pub(crate) fn set(counter: &AtomicU64, to: u64) {
        counter.store(to, Ordering::Relaxed);
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
    /// An API's rate limit would keep the request waiting past its `max_wait`.
    #[error("GET {url}: rate limited: {reason}")]
    RateLimited { url: String, reason: String },
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

impl Response {
    pub(super) fn from_answer(req: &Request, answer: client::Answer) -> Response {
        Response {
            url: req.url.clone(),
            final_url: answer.final_url,
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            fetched_at: crate::clock::now(),
            not_modified: false,
            carried: false,
            body_sha256: None,
        }
    }
}

/// A non-2xx answer as a retry input and as the error to report if we give up.
pub(super) fn status_failure(
    url: &str,
    answer: client::Answer,
    attempt: u32,
    started: Instant,
) -> (Failure, FetchError) {
    let retry_after = answer
        .headers
        .iter()
        .find(|(k, _)| k == "retry-after")
        .map(|(_, v)| v.clone());
    let failure = Failure::Status {
        status: answer.status,
        retry_after,
    };
    let error = FetchError::Status {
        url: url.to_string(),
        status: answer.status,
        attempts: attempt,
        elapsed_ms: started.elapsed().as_millis(),
        body: client::snippet(&answer.body),
    };
    (failure, error)
}

/// The errors no retry can fix.
pub(super) fn fatal(url: &str, err: AttemptError, cap: BodyCap, attempts: u32) -> FetchError {
    let url = url.to_string();
    match err {
        AttemptError::TooLarge => FetchError::TooLarge {
            url,
            limit: cap.max,
        },
        AttemptError::TooManyRedirects => FetchError::TooManyRedirects { url },
        AttemptError::Invalid(message) | AttemptError::Refused(message) => {
            FetchError::Refused { url, message }
        }
        AttemptError::Transport { message, .. } => FetchError::Network {
            url,
            message,
            attempts,
        },
    }
}
