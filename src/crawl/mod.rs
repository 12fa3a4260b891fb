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
//!
//! Files: `message.rs` (request, response, counters, errors), `client.rs` (the guarded
//! reqwest clients and which one a request uses: default, token, home page hop), `guard.rs`
//! (which addresses may be reached), `politeness.rs` (hosts and their limiters), `robots.rs`,
//! `retry.rs`, `ratelimit.rs` (API budgets, lanes and one request's waits), `conditional.rs`
//! and `archive.rs` (validators and bodies kept between runs), `visit.rs` (a home page's
//! redirects followed hop by hop); this file: the [`Fetcher`] tying them together.

pub mod archive;
mod client;
pub mod conditional;
pub mod guard;
mod message;
mod politeness;
pub(crate) mod ratelimit;
pub(crate) mod retry;
pub mod revisit;
pub(crate) mod robots;
#[cfg(test)]
mod tests;
mod visit;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::Semaphore;
use tracing::{Instrument, debug, debug_span, info, warn};
use url::Url;

use crate::model::{Rate, Validators};
use crate::settings::CrawlSettings;

pub use client::{install_crypto_provider, user_agent};
pub use message::{FetchError, FetchStats, Request, Response};
pub use ratelimit::ApiLimits;
pub use revisit::Revisit;
pub use visit::{Redirect, Visit, VisitEnd};

use client::{AttemptError, BodyCap, Clients, Via};
use conditional::{Cache, conditional_request, credential_hash};
use guard::{Guard, test_public_hosts};
use message::{fatal, status_failure};
use politeness::{Host, Hosts};
use ratelimit::{Lanes, Limiting};
use retry::{Failure, RetryDecision, RetryPolicy};
use robots::Robots;

/// The one HTTP client of a run (shared in an `Arc`): guarded reqwest clients, global
/// permits, the hosts with their limiters and robots.txt verdicts, and the retry policy.
pub struct Fetcher {
    /// The guarded clients and their guard (`guard.rs`; `visit.rs` for home pages).
    clients: Clients,
    /// Requests in flight over all hosts at most (`[crawl] concurrency`).
    concurrency: usize,
    permits: Semaphore,
    hosts: Hosts,
    policy: RetryPolicy,
    max_body_bytes: u64,
    cache: Option<Cache>,
    lanes: Lanes,
    /// Ask every page, whatever its revisit policy (`run --full`).
    ask_all: bool,
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
            concurrency: settings.concurrency.max(1),
            hosts: Hosts::default(),
            policy: RetryPolicy::from_settings(settings),
            max_body_bytes: settings.max_body_bytes,
            cache: None,
            lanes: Lanes::default(),
            ask_all: false,
        })
    }

    /// Requests in flight over all hosts at most (`[crawl] concurrency`): how many requests a
    /// walk may hand the fetcher at once, the per-host limiter deciding when each is sent.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// Archives every body fetched from now on and sends conditional requests with the
    /// validators `cache` keeps; a 304 is answered with the archived body.
    pub fn with_cache(mut self, cache: Cache) -> Fetcher {
        self.cache = Some(cache);
        self
    }

    /// Asks every page, none answered from the archive for its revisit policy
    /// (`civicrawl run --full`).
    pub fn asking_everything(mut self) -> Fetcher {
        self.ask_all = true;
        self
    }

    /// Declares that a source with `rate` uses the origin (scheme, host, port) of `url`; the
    /// origin keeps the strictest rate of its sources. Call before the first request to it.
    pub fn register_host(&self, url: &Url, rate: Rate) {
        if let Some(origin) = politeness::origin_of(url) {
            self.hosts.get(&origin).register(rate);
        }
    }

    /// The body archived at the last fetch of `req` and the URL it came from, read without a
    /// request (none without a cache, validators or archived body): a walk reads in it the
    /// pages it will ask for next.
    pub fn archived(&self, req: &Request) -> Option<(Url, Vec<u8>)> {
        let cache = self.cache.as_ref()?;
        let v = cache.known(req)?;
        let body = cache.archive().get(&v.body_sha256)?;
        let url = Url::parse(&v.final_url).unwrap_or_else(|_| req.url.clone());
        Some((url, body))
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
            return self.fetch_page(&host, req, cap, stats, via).await;
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
        self.fetch_page(&host, req, cap, stats, via).await
    }

    /// [`fetch_cached`](Self::fetch_cached), counting the page as asked unless it was
    /// carried from the archive or refused before any request.
    async fn fetch_page(
        &self,
        host: &Host,
        req: &Request,
        cap: BodyCap,
        stats: &FetchStats,
        via: Via,
    ) -> Result<Response, FetchError> {
        let result = self.fetch_cached(host, req, cap, stats, via).await;
        match &result {
            Ok(resp) if resp.carried => {}
            Err(FetchError::Refused { .. }) => {}
            _ => FetchStats::bump(&stats.pages_asked, 1),
        }
        result
    }

    /// Sends `req`, conditionally when the cache holds validators for it: a 304 is answered
    /// with the archived body; a fresh body is archived and its validators kept. A request
    /// under a revisit policy that is not due is not sent: its archived body answers
    /// (`revisit.rs`), unless the body is gone from the archive or damaged.
    async fn fetch_cached(
        &self,
        host: &Host,
        req: &Request,
        cap: BodyCap,
        stats: &FetchStats,
        via: Via,
    ) -> Result<Response, FetchError> {
        let Some(cache) = &self.cache else {
            return self.send(host, req, cap, stats, via).await;
        };
        let cred = credential_hash(req);
        let known = cache.known(req);
        if let (Some(policy), Some(v), false) = (req.revisit, &known, self.ask_all)
            && let Some(carried) = carry(cache, req, policy, v, stats)
        {
            return Ok(carried);
        }
        let result = self
            .ask(cache, host, req, known.as_ref(), cap, stats, via)
            .await;
        if req.revisit.is_some() {
            // A new body was remembered with its streak; otherwise a 304 lengthens the
            // streak, and a failure or a redirect makes the page due next run.
            let url = req.url.as_str();
            match (&result, &known) {
                (Ok(resp), Some(v)) if resp.not_modified => cache.put_revisit(
                    url,
                    &cred,
                    v.unchanged.saturating_add(1),
                    Some(crate::clock::now()),
                ),
                (Ok(resp), Some(_)) if (300..400).contains(&resp.status) => {
                    cache.put_revisit(url, &cred, 0, None)
                }
                (Err(_), Some(_)) => cache.put_revisit(url, &cred, 0, None),
                _ => {}
            }
        }
        result
    }

    /// Asks for `req`: conditionally when `known` validators are usable.
    #[allow(clippy::too_many_arguments)]
    async fn ask(
        &self,
        cache: &Cache,
        host: &Host,
        req: &Request,
        known: Option<&Validators>,
        cap: BodyCap,
        stats: &FetchStats,
        via: Via,
    ) -> Result<Response, FetchError> {
        let url = req.url.as_str();
        if let Some(v) = known.filter(|v| cache.conditional(v)) {
            let resp = self
                .send(host, &conditional_request(req, v), cap, stats, via)
                .await?;
            if resp.status != 304 {
                return Ok(self.remember(cache, req, resp, known));
            }
            if let Some(body) = cache.archive().get(&v.body_sha256) {
                FetchStats::bump(&stats.not_modified, 1);
                debug!(url, "304 not modified: archived body reused");
                let mut headers = resp.headers;
                if let Some(ct) = &v.content_type
                    && !headers.iter().any(|(k, _)| k == "content-type")
                {
                    headers.push(("content-type".into(), ct.clone()));
                }
                return Ok(Response {
                    status: 200,
                    final_url: Url::parse(&v.final_url).unwrap_or_else(|_| req.url.clone()),
                    headers,
                    body,
                    not_modified: true,
                    body_sha256: Some(v.body_sha256.clone()),
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
        Ok(self.remember(cache, req, resp, known))
    }

    /// Archives a fresh body and stores its validators (with the revisit streak: one more
    /// when the body is the one `known` names, else none); an archive failure is logged and
    /// the response used anyway (the next run then refetches it in full).
    fn remember(
        &self,
        cache: &Cache,
        req: &Request,
        mut resp: Response,
        known: Option<&Validators>,
    ) -> Response {
        if (300..400).contains(&resp.status) {
            // A redirect a `site` fetch follows itself: nothing to archive.
            return resp;
        }
        let revisited = req.revisit.is_some();
        let validators = |sha: String| {
            let unchanged = match known {
                Some(k) if revisited && k.body_sha256 == sha => k.unchanged.saturating_add(1),
                _ => 0,
            };
            Validators {
                etag: resp.header("etag").map(str::to_string),
                last_modified: resp.header("last-modified").map(str::to_string),
                body_sha256: sha,
                final_url: resp.final_url.to_string(),
                fetched_at: resp.fetched_at,
                content_type: resp.header("content-type").map(str::to_string),
                unchanged,
                asked_at: revisited.then_some(resp.fetched_at),
            }
        };
        match cache.remember(req, &resp.body, validators) {
            Ok(sha) => resp.body_sha256 = Some(sha),
            Err(e) => warn!(url = %req.url, "cannot archive the body: {e}"),
        }
        resp
    }

    /// Makes the bodies archived so far durable and commits their validators (see
    /// [`Cache::flush`]); call when a source's crawl ends, before its records are saved. A
    /// failure is logged: the validators are lost and the next run fetches those pages in
    /// full.
    pub fn flush_cache(&self) {
        if let Some(cache) = &self.cache
            && let Err(e) = cache.flush()
        {
            warn!("cannot sync the archive: {e}; its pages will be fetched in full next run");
        }
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
            let result = client::attempt(self.clients.pick(via, req), req, cap).await;
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

/// The archived body of `req` when the page is not due under `policy` (it is then not
/// asked); `None` when it is due, or its body is gone from the archive or damaged.
fn carry(
    cache: &Cache,
    req: &Request,
    policy: Revisit,
    v: &Validators,
    stats: &FetchStats,
) -> Option<Response> {
    let now = crate::clock::now();
    if policy.due(v.unchanged, v.asked_at, now) {
        return None;
    }
    let url = req.url.as_str();
    let Some(body) = cache.archive().get(&v.body_sha256) else {
        warn!(
            url,
            "not due for a revisit, but its archived body is gone or damaged; asking for it"
        );
        return None;
    };
    FetchStats::bump(&stats.pages_carried, 1);
    debug!(
        url,
        unchanged = v.unchanged,
        "not due for a revisit: archived body used"
    );
    Some(Response {
        url: req.url.clone(),
        final_url: Url::parse(&v.final_url).unwrap_or_else(|_| req.url.clone()),
        status: 200,
        headers: v
            .content_type
            .iter()
            .map(|ct| ("content-type".to_string(), ct.clone()))
            .collect(),
        body,
        fetched_at: now,
        not_modified: false,
        carried: true,
        body_sha256: Some(v.body_sha256.clone()),
    })
}
