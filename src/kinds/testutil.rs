//! Test support: fixtures from `tests/fixtures/<kind>/` and an in-memory [`Pages`].

use std::collections::HashMap;
use std::sync::Mutex;

use url::Url;

use super::pages::{Page, Pages};
use crate::crawl::FetchError;

/// The base URL substituted for `{{base}}` in fixtures.
pub(crate) const BASE: &str = "https://registry.test";

/// A fixture's text with `{{base}}` replaced by [`BASE`].
pub(crate) fn fixture(kind: &str, name: &str) -> String {
    String::from_utf8(fixture_bytes(kind, name)).expect("fixture is UTF-8")
}

/// A fixture's bytes with `{{base}}` replaced by [`BASE`] (bytes outside it untouched).
pub(crate) fn fixture_bytes(kind: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/{kind}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    replace_bytes(&bytes, b"{{base}}", BASE.as_bytes())
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// `BASE` + `path`, parsed.
pub(crate) fn url(path: &str) -> Url {
    Url::parse(&format!("{BASE}{path}")).unwrap()
}

/// What a [`FakePages`] answers for one URL.
pub(crate) enum Reply {
    Body(Vec<u8>),
    Disallowed,
    Status(u16),
}

/// In-memory pages keyed by URL; unknown URLs answer 404. Logs every request.
#[derive(Default)]
pub(crate) struct FakePages {
    replies: HashMap<String, Reply>,
    pub log: Mutex<Vec<String>>,
    /// What `in_flight` says (1 when 0).
    pub in_flight: usize,
    /// Per URL, how many times its answer yields to other requests before it comes.
    lags: HashMap<String, usize>,
    /// What `archived` answers: bodies of an earlier run, by URL.
    archive: HashMap<String, Vec<u8>>,
    /// Requests under way now, and the most at once.
    active: std::sync::atomic::AtomicUsize,
    pub peak: std::sync::atomic::AtomicUsize,
}

impl FakePages {
    pub(crate) fn with(mut self, url: &str, reply: Reply) -> Self {
        self.replies.insert(url.to_owned(), reply);
        self
    }

    pub(crate) fn body(self, url: &str, body: impl Into<Vec<u8>>) -> Self {
        self.with(url, Reply::Body(body.into()))
    }

    /// `url` was archived with `body` by an earlier run.
    pub(crate) fn archived_as(mut self, url: &str, body: impl Into<Vec<u8>>) -> Self {
        self.archive.insert(url.to_owned(), body.into());
        self
    }

    /// `url` answers after yielding `n` times to the other requests under way.
    pub(crate) fn lagging(mut self, url: &str, n: usize) -> Self {
        self.lags.insert(url.to_owned(), n);
        self
    }

    pub(crate) fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Pages for FakePages {
    fn in_flight(&self) -> usize {
        self.in_flight.max(1)
    }

    fn archived(&self, url: &Url) -> Option<Page> {
        let body = self.archive.get(url.as_str())?.clone();
        Some(Page {
            url: url.clone(),
            body,
        })
    }

    async fn get(&self, url: &Url) -> Result<Page, FetchError> {
        use std::sync::atomic::Ordering::SeqCst;
        self.log.lock().unwrap().push(url.to_string());
        let now = self.active.fetch_add(1, SeqCst) + 1;
        self.peak.fetch_max(now, SeqCst);
        for _ in 0..self.lags.get(url.as_str()).copied().unwrap_or(0) {
            tokio::task::yield_now().await;
        }
        self.active.fetch_sub(1, SeqCst);
        let status = |status| FetchError::Status {
            url: url.to_string(),
            status,
            attempts: 1,
            elapsed_ms: 0,
            body: String::new(),
        };
        match self.replies.get(url.as_str()) {
            Some(Reply::Body(body)) => Ok(Page {
                url: url.clone(),
                body: body.clone(),
            }),
            Some(Reply::Disallowed) => Err(FetchError::Disallowed {
                url: url.to_string(),
            }),
            Some(Reply::Status(code)) => Err(status(*code)),
            None => Err(status(404)),
        }
    }
}

/// Runs a future to completion on a fresh current-thread runtime.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}
