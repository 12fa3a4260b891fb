//! `site` visits (SPEC section 4 `site`, section 7): a tool's home page fetched hop by hop,
//! so that liveness can see every redirect and the final status, and every hop is guarded.
//!
//! Per hop: the guard resolves the host and refuses non-public addresses (`guard.rs`) → the
//! polite path of every request (robots.txt of that host, its limiter, the global permit,
//! conditional request, retries on 429/5xx) through a guarded client that follows no
//! redirect → a 3xx with a `Location` becomes the next hop (at most 5, loop-safe). The page
//! body is cut at `max_body_bytes` rather than refused. Non-2xx answers and failures are
//! outcomes here, not errors: a dead home page is a fact to report.

use chrono::{DateTime, Utc};
use tracing::{Instrument, debug_span};
use url::Url;

use super::client::{self, MAX_REDIRECTS};
use super::guard::GuardError;
use super::{FetchError, FetchStats, Fetcher, Request, Response, Revisit, Via};

/// One redirect followed during a visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub from: Url,
    pub status: u16,
    pub to: Url,
}

/// How a visit ended.
#[derive(Debug)]
pub enum VisitEnd {
    /// A 2xx answer (a 304 answers with the archived page); the body may be cut at the cap.
    Page(Box<Response>),
    /// A final non-2xx status (after retries for 429 and 5xx).
    Status(u16),
    /// The host name of a hop does not resolve.
    Unresolved(String),
    /// Refused before any request: a non-public address, a scheme, too many redirects.
    Refused(String),
    /// robots.txt disallows the URL of a hop.
    Disallowed,
    /// No answer: connection, timeout, TLS, a host skipped for its robots.txt.
    Failed(String),
}

/// One home page visit.
#[derive(Debug)]
pub struct Visit {
    pub asked: Url,
    /// The redirects followed, in order.
    pub redirects: Vec<Redirect>,
    /// The URL of the last hop.
    pub final_url: Url,
    pub end: VisitEnd,
    /// When the visit started.
    pub checked_at: DateTime<Utc>,
}

/// A redirect status with a `Location` to follow.
pub(super) fn is_redirect(answer: &client::Answer) -> bool {
    matches!(answer.status, 301 | 302 | 303 | 307 | 308)
        && answer.headers.iter().any(|(k, _)| k == "location")
}

impl Fetcher {
    /// Visits the home page `url`: every hop guarded and polite, redirects followed here.
    /// Under `revisit`, a home page that answered directly (no redirect) last time and is
    /// not due is answered from the archive (`revisit.rs`); later hops are always asked.
    pub async fn visit(&self, url: &Url, stats: &FetchStats, revisit: Option<Revisit>) -> Visit {
        let checked_at = crate::clock::now();
        let mut redirects: Vec<Redirect> = Vec::new();
        let mut current = url.clone();
        let end = loop {
            if let Err(e) = self.clients.guard.check_url(&current).await {
                tracing::info!(url = %current, "site visit stopped: {e}");
                break match e {
                    GuardError::Unresolved { .. } => VisitEnd::Unresolved(e.to_string()),
                    GuardError::Refused(message) => VisitEnd::Refused(message),
                };
            }
            let span = debug_span!("fetch", url = %current);
            let mut req = Request::get(current.clone());
            if redirects.is_empty() {
                req.revisit = revisit;
            }
            match self
                .fetch_polite(&req, stats, Via::Page)
                .instrument(span)
                .await
            {
                Ok(resp) if (300..400).contains(&resp.status) => {
                    let to = resp.header("location").and_then(|l| current.join(l).ok());
                    let Some(to) = to else {
                        break VisitEnd::Failed(format!(
                            "`{current}`: HTTP {} without a usable Location",
                            resp.status
                        ));
                    };
                    if redirects.len() >= MAX_REDIRECTS
                        || to == *url
                        || redirects.iter().any(|r| r.to == to)
                    {
                        break VisitEnd::Refused(format!(
                            "`{url}`: too many redirects (more than {MAX_REDIRECTS}, or a redirect loop)"
                        ));
                    }
                    redirects.push(Redirect {
                        from: current.clone(),
                        status: resp.status,
                        to: to.clone(),
                    });
                    current = to;
                }
                Ok(resp) => break VisitEnd::Page(Box::new(resp)),
                Err(FetchError::Status { status, .. }) => break VisitEnd::Status(status),
                Err(FetchError::Disallowed { .. }) => break VisitEnd::Disallowed,
                Err(e) => break VisitEnd::Failed(e.to_string()),
            }
        };
        Visit {
            asked: url.clone(),
            redirects,
            final_url: current,
            end,
            checked_at,
        }
    }
}
