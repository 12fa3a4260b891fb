//! Polite HTTP for every source kind (SPEC section 2, `crawl`). The only module that sends
//! requests: kinds hand it URLs and get bytes back, never a reqwest type.
//!
//! Per request: robots.txt (once per host per run, `robots.rs`) → host limiter (governor,
//! strictest `rate` of the sources on that origin, slowed by `Crawl-delay`, `politeness.rs`) →
//! global permit (`concurrency`, held until the body is read) → send → body under the cap
//! (`client.rs`) → retry policy (`retry.rs`). Every attempt, retries and the robots.txt fetch
//! included, waits on the host limiter and is counted in [`FetchStats::requests`].
//!
//! A request marked with [`ApiLimits`] is a call to a rate-limited API (GitHub, GitLab): it
//! skips robots.txt (which governs crawlers of web pages, not documented APIs with their own
//! limits), runs at most one at a time per origin and credential, pauses when the announced
//! budget is spent and waits out rate-limited answers (403/429) instead of failing, up to its
//! `max_wait` (`ratelimit.rs`). Those waits do not use up `max_attempts`.
//!
//! Request headers and bearer tokens are never logged nor put in errors.

pub mod archive;
mod client;
pub mod conditional;
pub mod guard;
mod politeness;
pub(crate) mod ratelimit;
pub(crate) mod retry;
pub(crate) mod robots;
#[cfg(test)]
mod tests;
mod visit;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tracing::{Instrument, debug, debug_span, info, warn};
use url::Url;

use crate::model::{Rate, Secret};
use crate::settings::CrawlSettings;

pub use client::{install_crypto_provider, user_agent};
pub use ratelimit::ApiLimits;
pub use visit::{Redirect, Visit, VisitEnd};

use client::{AttemptError, BodyCap};
use conditional::{Cache, conditional_request, credential_hash};
use guard::Guard;
use politeness::{Host, Hosts};
use ratelimit::{Lane, Lanes};
use retry::{Failure, RetryDecision, RetryPolicy};
use robots::Robots;

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
}

impl Request {
    /// A plain GET of `url`.
    pub fn get(url: Url) -> Self {
        Request {
            url,
            headers: Vec::new(),
            bearer: None,
            api: None,
        }
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
    pub robots_disallowed: AtomicU64,
    pub bytes: AtomicU64,
    /// Pauses and waits for an API's rate limit (each also counted in `retries` when it
    /// retried a rate-limited answer).
    pub rate_limit_waits: AtomicU64,
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

/// The one HTTP client of a run (shared in an `Arc`): guarded reqwest clients, global
/// permits, the hosts with their limiters and robots.txt verdicts, and the retry policy.
pub struct Fetcher {
    /// The guarded clients and their guard (`guard.rs`; `visit.rs` for home pages).
    clients: Clients,
    permits: Semaphore,
    hosts: Hosts,
    policy: RetryPolicy,
    max_body_bytes: u64,
    cache: Option<Cache>,
    lanes: Lanes,
}

impl Fetcher {
    /// Builds the client from the `[crawl]` settings (User-Agent, timeouts, caps).
    pub fn new(settings: &CrawlSettings) -> Result<Fetcher, FetchError> {
        let mut guard = test_public_hosts(Guard::new(settings.allow_private_networks));
        if let Some(host) = settings
            .proxy
            .as_deref()
            .and_then(|p| Url::parse(p).ok())
            .and_then(|u| u.host_str().map(str::to_string))
        {
            guard = guard.trust(&host);
        }
        Ok(Fetcher {
            clients: Clients::new(settings, guard)?,
            permits: Semaphore::new(settings.concurrency.max(1)),
            hosts: Hosts::default(),
            policy: RetryPolicy::from_settings(settings),
            max_body_bytes: settings.max_body_bytes,
            cache: None,
            lanes: Lanes::default(),
        })
    }

    /// Archives every body fetched from now on and sends conditional requests with the
    /// validators `cache` keeps; a 304 is answered with the archived body.
    pub fn with_cache(mut self, cache: Cache) -> Fetcher {
        self.cache = Some(cache);
        self
    }

    /// Declares that a source with `rate` uses the origin (scheme, host, port) of `url`; the
    /// origin keeps the strictest rate of its sources. Call before the first request to it.
    pub fn register_host(&self, url: &Url, rate: Rate) {
        if let Some(origin) = politeness::origin_of(url) {
            self.hosts.get(&origin).register(rate);
        }
    }

    /// Sends `req` politely (robots, limiter, retries) and returns a 2xx response.
    pub async fn fetch(&self, req: &Request, stats: &FetchStats) -> Result<Response, FetchError> {
        let span = debug_span!("fetch", url = %req.url);
        self.fetch_polite(req, stats, Via::Default)
            .instrument(span)
            .await
    }

    /// Replaces the guard (the settings give the default one); tests use it to stand a
    /// loopback server in for a public site (see [`guard::Guard::pretend_public`]).
    pub fn with_guard(mut self, guard: Guard) -> Result<Fetcher, FetchError> {
        self.clients = Clients::new(&self.clients.settings, guard)?;
        Ok(self)
    }

    /// Refuses a URL the guard forbids, before any request: its scheme, an IP literal, or a
    /// name that resolves to no public address. A name's verdict is kept for the run (the
    /// clients' resolver judges every connection again, so a DNS answer that changes is
    /// still caught); only the reason is reported, never a body.
    async fn check(&self, url: &Url) -> Result<(), FetchError> {
        let refused = |message: String| FetchError::Refused {
            url: url.to_string(),
            message,
        };
        if self.clients.guard.allows_private() {
            return Ok(());
        }
        let name = match url.host() {
            Some(url::Host::Domain(name)) => name.to_ascii_lowercase(),
            _ => {
                return match self.clients.guard.check_url(url).await {
                    Ok(()) => Ok(()),
                    Err(e) => Err(refused(e.to_string())),
                };
            }
        };
        let known = self
            .clients
            .verdicts
            .lock()
            .expect("no panic holds it")
            .get(&name)
            .cloned();
        let verdict = match known {
            Some(v) => v,
            None => {
                let v = match self.clients.guard.check_url(url).await {
                    Ok(()) => Ok(()),
                    Err(guard::GuardError::Refused(m)) => Err(Some(m)),
                    // A name that does not resolve now may later: not remembered.
                    Err(guard::GuardError::Unresolved { .. }) => Err(None),
                };
                if v != Err(None) {
                    let mut verdicts = self.clients.verdicts.lock().expect("no panic holds it");
                    verdicts.insert(name, v.clone());
                }
                v
            }
        };
        match verdict {
            Ok(()) | Err(None) => Ok(()),
            Err(Some(message)) => Err(refused(message)),
        }
    }

    async fn fetch_polite(
        &self,
        req: &Request,
        stats: &FetchStats,
        via: Via,
    ) -> Result<Response, FetchError> {
        let host = self.host_of(&req.url)?;
        let cap = BodyCap {
            max: self.max_body_bytes,
            // A home page over the cap is cut and what was read is parsed.
            truncate: via == Via::Page,
        };
        if req.api.is_some() {
            let lane = self.lanes.get(&host.origin, &credential_hash(req));
            let _turn = lane.turn.lock().await;
            return self.fetch_cached(&host, req, cap, stats, via).await;
        }
        let robots = host
            .robots
            .get_or_init(|| self.fetch_robots(&host, stats))
            .await;
        let url = req.url.as_str();
        match robots {
            Robots::Skip(reason) => {
                return Err(FetchError::HostSkipped {
                    url: url.to_string(),
                    reason: reason.clone(),
                });
            }
            robots if !robots.allows(url) => {
                FetchStats::bump(&stats.robots_disallowed, 1);
                info!(url, "disallowed by robots.txt; not fetched");
                return Err(FetchError::Disallowed {
                    url: url.to_string(),
                });
            }
            _ => {}
        }
        self.fetch_cached(&host, req, cap, stats, via).await
    }

    /// Sends `req`, conditionally when the cache holds validators for it: a 304 is answered
    /// with the archived body; a fresh body is archived and its validators kept.
    async fn fetch_cached(
        &self,
        host: &Host,
        req: &Request,
        cap: BodyCap,
        stats: &FetchStats,
        via: Via,
    ) -> Result<Response, FetchError> {
        let url = req.url.as_str();
        let Some(cache) = &self.cache else {
            return self.send(host, req, cap, stats, via).await;
        };
        if let Some(v) = cache.usable(req) {
            let resp = self
                .send(host, &conditional_request(req, &v), cap, stats, via)
                .await?;
            if resp.status != 304 {
                return Ok(self.remember(cache, req, resp));
            }
            if let Some(body) = cache.archive.get(&v.body_sha256) {
                FetchStats::bump(&stats.not_modified, 1);
                debug!(url, "304 not modified: archived body reused");
                return Ok(Response {
                    status: 200,
                    final_url: Url::parse(&v.final_url).unwrap_or_else(|_| req.url.clone()),
                    body,
                    not_modified: true,
                    body_sha256: Some(v.body_sha256),
                    ..resp
                });
            }
            warn!(url, "304 but the archived body is gone; fetching it again");
        }
        let resp = self.send(host, req, cap, stats, via).await?;
        if resp.status == 304 {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: 304,
                attempts: 1,
                elapsed_ms: 0,
                body: "304 to an unconditional request".to_string(),
            });
        }
        Ok(self.remember(cache, req, resp))
    }

    /// Archives a fresh body and stores its validators; an archive failure is logged and the
    /// response used anyway (the next run then refetches it in full).
    fn remember(&self, cache: &Cache, req: &Request, mut resp: Response) -> Response {
        if (300..400).contains(&resp.status) {
            // A redirect a `site` fetch follows itself: nothing to archive.
            return resp;
        }
        match cache.archive.put(&resp.body) {
            Ok(sha) => {
                let v = crate::model::Validators {
                    etag: resp.header("etag").map(str::to_string),
                    last_modified: resp.header("last-modified").map(str::to_string),
                    body_sha256: sha.clone(),
                    final_url: resp.final_url.to_string(),
                    fetched_at: resp.fetched_at,
                };
                cache.store.put(req.url.as_str(), &credential_hash(req), &v);
                resp.body_sha256 = Some(sha);
                crate::failpoint::hit("crawl-after-archive");
            }
            Err(e) => warn!(url = %req.url, "cannot archive the body: {e}"),
        }
        resp
    }

    /// The host of an http(s) URL; other schemes are refused.
    fn host_of(&self, url: &Url) -> Result<Arc<Host>, FetchError> {
        let origin = match url.scheme() {
            "http" | "https" => politeness::origin_of(url),
            _ => None,
        };
        let origin = origin.ok_or_else(|| FetchError::Refused {
            url: url.to_string(),
            message: "only http and https URLs with a host are fetched".to_string(),
        })?;
        Ok(self.hosts.get(&origin))
    }

    /// Fetches and judges the host's robots.txt; applies its `Crawl-delay`.
    async fn fetch_robots(&self, host: &Host, stats: &FetchStats) -> Robots {
        let robots_url = format!("{}/robots.txt", host.origin);
        let Ok(url) = Url::parse(&robots_url) else {
            return Robots::AllowAll;
        };
        let cap = BodyCap {
            max: robots::MAX_ROBOTS_BYTES,
            truncate: true,
        };
        let outcome = self
            .fetch_cached(host, &Request::get(url), cap, stats, Via::Default)
            .await;
        let body = outcome.as_ref().map(|r| r.body.as_slice());
        let robots = Robots::from_outcome(&robots_url, body);
        if let Some(delay) = robots.crawl_delay() {
            host.set_crawl_delay(delay);
            info!(url = %robots_url, crawl_delay_s = delay.as_secs_f64(), "obeying Crawl-delay");
        }
        if let Robots::Skip(reason) = &robots {
            warn!(url = %robots_url, %reason, "skipping this host for the run");
        }
        robots
    }

    /// Sends with retries: every attempt waits on the host limiter, then holds a global
    /// permit until its body is read.
    async fn send(
        &self,
        host: &Host,
        req: &Request,
        cap: BodyCap,
        stats: &FetchStats,
        via: Via,
    ) -> Result<Response, FetchError> {
        let started = Instant::now();
        let url = req.url.as_str();
        if via != Via::Page {
            // Home page hops are checked by `visit` (which reports a name that does not
            // resolve as such).
            self.check(&req.url).await?;
        }
        let mut limiting = req.api.map(|limits| Limiting {
            limits,
            lane: self.lanes.get(&host.origin, &credential_hash(req)),
            waited: Duration::ZERO,
            hits: 0,
        });
        let mut attempt = 0u32;
        loop {
            if let Some(l) = &mut limiting {
                l.pause_if_spent(url, stats).await?;
            }
            attempt += 1;
            host.until_ready().await;
            let permit = self
                .permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            FetchStats::bump(&stats.requests, 1);
            debug!(url, attempt, "sending GET");
            let result = client::attempt(self.client_for(via, req), req, cap).await;
            drop(permit);
            if let (Some(l), Ok(answer)) = (&mut limiting, &result) {
                l.lane.observe(&answer.headers);
                let now = SystemTime::now();
                if let Some(signal) =
                    ratelimit::detect(answer.status, &answer.headers, &answer.body, now)
                {
                    // A rate-limited answer does not use up an attempt.
                    attempt -= 1;
                    l.after_limited(url, answer.status, signal, stats).await?;
                    continue;
                }
            }
            let (failure, error) = match result {
                Ok(answer)
                    if (200..300).contains(&answer.status)
                        || answer.status == 304
                        || (via == Via::Page && visit::is_redirect(&answer)) =>
                {
                    debug!(
                        url,
                        status = answer.status,
                        attempt,
                        bytes = answer.body.len(),
                        "fetched"
                    );
                    FetchStats::bump(&stats.bytes, answer.body.len() as u64);
                    return Ok(Response::from_answer(req, answer));
                }
                Ok(answer) => status_failure(url, answer, attempt, started),
                Err(AttemptError::Transport { message, retryable }) => (
                    Failure::Transport { retryable },
                    FetchError::Network {
                        url: url.to_string(),
                        message,
                        attempts: attempt,
                    },
                ),
                Err(other) => return Err(fatal(url, other, cap, attempt)),
            };
            let decision =
                self.policy
                    .decide(attempt, &failure, SystemTime::now(), &mut rand::rng());
            match decision {
                RetryDecision::Retry(wait) => {
                    FetchStats::bump(&stats.retries, 1);
                    let status = error.status();
                    warn!(url, ?status, attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying");
                    tokio::time::sleep(wait).await;
                }
                RetryDecision::GiveUp => {
                    debug!(url, status = error.status(), attempt, "giving up");
                    return Err(error);
                }
            }
        }
    }
}

/// Test builds only (the `testing` feature): the names `CIVICRAWL_TEST_PUBLIC_HOSTS` lists
/// (`name=ip,name=ip`) are answered with those addresses and treated as public, so the
/// integration tests can run the guard against loopback servers standing in for public
/// sites. A release binary ignores the variable.
#[cfg(feature = "testing")]
fn test_public_hosts(mut guard: Guard) -> Guard {
    let Ok(list) = std::env::var("CIVICRAWL_TEST_PUBLIC_HOSTS") else {
        return guard;
    };
    for (name, ip) in list.split(',').filter_map(|pair| pair.split_once('=')) {
        if let Ok(ip) = ip.trim().parse() {
            guard = guard.pretend_public(name.trim(), ip);
        }
    }
    guard
}

#[cfg(not(feature = "testing"))]
fn test_public_hosts(guard: Guard) -> Guard {
    guard
}

/// How a request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// Redirects followed by the client, each target checked.
    Default,
    /// A `site` page hop: no automatic redirect (3xx answers come back, `visit.rs` follows
    /// and checks them), cut at the body cap.
    Page,
}

/// The guarded clients of a run, rebuilt when the guard changes.
struct Clients {
    settings: CrawlSettings,
    guard: Guard,
    /// Redirects followed, each target checked.
    default: reqwest::Client,
    /// Requests with a token: redirects only within the origin.
    token: reqwest::Client,
    /// Home page hops: no automatic redirect.
    pages: reqwest::Client,
    /// Per host name, the guard's verdict: allowed, or refused with the reason.
    verdicts: std::sync::Mutex<std::collections::HashMap<String, Result<(), Option<String>>>>,
}

impl Clients {
    fn new(settings: &CrawlSettings, guard: Guard) -> Result<Clients, FetchError> {
        Ok(Clients {
            default: client::build(settings, &guard, client::Redirects::Follow)?,
            token: client::build(settings, &guard, client::Redirects::SameOrigin)?,
            pages: client::build(settings, &guard, client::Redirects::None)?,
            settings: settings.clone(),
            guard,
            verdicts: Default::default(),
        })
    }
}

impl Fetcher {
    fn client_for(&self, via: Via, req: &Request) -> &reqwest::Client {
        match via {
            Via::Page => &self.clients.pages,
            Via::Default if req.bearer.is_some() => &self.clients.token,
            Via::Default => &self.clients.default,
        }
    }
}

/// One API request's rate-limit bookkeeping: its lane and the time it waited so far.
struct Limiting {
    limits: ApiLimits,
    lane: Arc<Lane>,
    waited: Duration,
    hits: u32,
}

impl Limiting {
    /// Pauses until the reset when the last answer on this lane spent the budget.
    async fn pause_if_spent(&mut self, url: &str, stats: &FetchStats) -> Result<(), FetchError> {
        match self.lane.take_pause(SystemTime::now()) {
            Some(pause) => {
                self.sleep(
                    url,
                    pause,
                    stats,
                    "rate-limit budget spent; pausing until it resets",
                )
                .await
            }
            None => Ok(()),
        }
    }

    /// Waits out a rate-limited answer (then the caller sends again).
    async fn after_limited(
        &mut self,
        url: &str,
        status: u16,
        signal: Option<Duration>,
        stats: &FetchStats,
    ) -> Result<(), FetchError> {
        self.hits += 1;
        if self.hits > ratelimit::MAX_LIMITED_RETRIES {
            return Err(FetchError::RateLimited {
                url: url.to_string(),
                reason: format!(
                    "still limited (HTTP {status}) after {} waits",
                    self.hits - 1
                ),
            });
        }
        let wait = ratelimit::limit_wait(&self.limits, signal, self.hits);
        FetchStats::bump(&stats.retries, 1);
        self.sleep(url, wait, stats, "rate limited; waiting before retrying")
            .await
    }

    async fn sleep(
        &mut self,
        url: &str,
        wait: Duration,
        stats: &FetchStats,
        what: &str,
    ) -> Result<(), FetchError> {
        if self.waited.saturating_add(wait) > self.limits.max_wait {
            return Err(FetchError::RateLimited {
                url: url.to_string(),
                reason: format!(
                    "the limit lifts in {} s, which would pass `max_wait` ({} s)",
                    wait.as_secs(),
                    self.limits.max_wait.as_secs()
                ),
            });
        }
        FetchStats::bump(&stats.rate_limit_waits, 1);
        warn!(url, wait_ms = wait.as_millis() as u64, "{what}");
        tokio::time::sleep(wait).await;
        self.waited = self.waited.saturating_add(wait);
        Ok(())
    }
}

impl Response {
    fn from_answer(req: &Request, answer: client::Answer) -> Response {
        Response {
            url: req.url.clone(),
            final_url: answer.final_url,
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            fetched_at: crate::clock::now(),
            not_modified: false,
            body_sha256: None,
        }
    }
}

/// A non-2xx answer as a retry input and as the error to report if we give up.
fn status_failure(
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
fn fatal(url: &str, err: AttemptError, cap: BodyCap, attempts: u32) -> FetchError {
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
