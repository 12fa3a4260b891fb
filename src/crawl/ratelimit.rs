//! Rate limits of HTTP APIs (GitHub REST, GitLab v4): what their answers say about the
//! remaining budget, which answers mean "rate limited", and how long to wait (SPEC section 2).
//!
//! A request marked with [`ApiLimits`] is an API call. The `Fetcher` then keeps one *lane* per
//! origin and credential: at most one such request in flight at a time (GitHub's secondary
//! limits), the budget read from every answer's headers (`x-ratelimit-remaining` /
//! `x-ratelimit-reset`, or GitLab's `ratelimit-remaining` / `ratelimit-reset`), and a pause
//! before the next request when the budget is spent.
//!
//! A rate-limited answer is a 429, a 403 that says so (remaining 0, a `Retry-After`, or a body
//! naming a rate limit such as GitHub's "secondary rate limit"), or a 2xx GraphQL-style body
//! `{"errors": [{"type": "RATE_LIMITED", …}]}`. The wait is `Retry-After`, else until the
//! reset (plus one second, as octokit does), else `default_wait` (60 s), growing exponentially
//! when the limit answers again. A wait that would take the request's total past `max_wait`
//! fails the fetch with `FetchError::RateLimited` instead of sleeping.
//!
//! Pure apart from the lane's locks: the clock (`now`) is passed in. Must not send requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::retry::parse_retry_after;
use super::{FetchError, FetchStats};

/// Marks a request as a call to a rate-limited API, and how long it may wait for limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiLimits {
    /// The longest one request may wait for rate limits in total (pauses and retries); a
    /// longer wait fails the fetch with `FetchError::RateLimited`.
    pub max_wait: Duration,
    /// The wait when a rate-limited answer names no time (GitHub: "at least one minute").
    pub default_wait: Duration,
    /// The smallest wait between two rate-limited answers, doubled each time.
    pub backoff_floor: Duration,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            max_wait: Duration::from_secs(15 * 60),
            default_wait: Duration::from_secs(60),
            backoff_floor: Duration::from_secs(1),
        }
    }
}

/// Rate-limited answers retried for one request at most, whatever the waits.
pub(crate) const MAX_LIMITED_RETRIES: u32 = 12;

/// Added to a wait until a reset time given in whole seconds (clock skew, rounding).
const RESET_MARGIN: Duration = Duration::from_secs(1);

/// A reset time is held at most this far from the epoch (about 35,000 years): enough for any
/// real header, and far from where `SystemTime` arithmetic overflows.
const FAR_FUTURE_S: u64 = 1 << 40;

/// The budget an answer announced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Budget {
    pub remaining: Option<u64>,
    pub reset: Option<SystemTime>,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// Reads `x-ratelimit-*` (GitHub) or `ratelimit-*` (GitLab) remaining and reset (epoch s).
pub(crate) fn read_budget(headers: &[(String, String)]) -> Budget {
    let get = |suffix: &str| {
        header(headers, &format!("x-ratelimit-{suffix}"))
            .or_else(|| header(headers, &format!("ratelimit-{suffix}")))
    };
    Budget {
        remaining: get("remaining").and_then(|v| v.parse().ok()),
        // Any number parses; one past what a clock can hold is held at the far future
        // (waiting for it then passes `max_wait`, which stops the source cleanly).
        reset: get("reset")
            .and_then(|v| v.parse::<u64>().ok())
            .map(|s| UNIX_EPOCH + Duration::from_secs(s.min(FAR_FUTURE_S))),
    }
}

/// How long to pause before the next request when `budget` is spent: until its reset.
pub(crate) fn pause_before(budget: &Budget, now: SystemTime) -> Option<Duration> {
    match (budget.remaining, budget.reset) {
        (Some(0), Some(reset)) => reset
            .duration_since(now)
            .ok()
            .map(|until| until.saturating_add(RESET_MARGIN)),
        _ => None,
    }
}

/// `Some(signal)` when an answer means "rate limited", `signal` being the wait it names
/// (`Retry-After`, else the reset when the budget is spent), if any.
pub(crate) fn detect(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    now: SystemTime,
) -> Option<Option<Duration>> {
    let budget = read_budget(headers);
    let retry_after = header(headers, "retry-after").and_then(|v| parse_retry_after(v, now));
    let limited = match status {
        429 => true,
        403 => budget.remaining == Some(0) || retry_after.is_some() || names_rate_limit(body),
        200..=299 => graphql_rate_limited(body),
        _ => false,
    };
    limited.then(|| retry_after.or_else(|| pause_before(&budget, now)))
}

/// A 403 body such as "You have exceeded a secondary rate limit" or "API rate limit exceeded".
fn names_rate_limit(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    text.contains("rate limit") || text.contains("abuse detection")
}

/// A GraphQL-style answer: `{"errors": [{"type": "RATE_LIMITED", …}]}`, status 200.
fn graphql_rate_limited(body: &[u8]) -> bool {
    if body.len() > 64 * 1024 || !body.windows(12).any(|w| w == b"RATE_LIMITED") {
        return false;
    }
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    doc.get("errors")
        .and_then(|e| e.as_array())
        .is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e.get("type").and_then(|t| t.as_str()) == Some("RATE_LIMITED"))
        })
}

/// The wait after the `n`-th rate-limited answer (1-based) of one request: the `signal`, at
/// least `backoff_floor * 2^(n-1)`; without a signal, `default_wait * 2^(n-1)`.
pub(crate) fn limit_wait(limits: &ApiLimits, signal: Option<Duration>, n: u32) -> Duration {
    let factor = 1u32 << n.saturating_sub(1).min(16);
    match signal {
        Some(wait) => wait.max(limits.backoff_floor.saturating_mul(factor)),
        None => limits.default_wait.saturating_mul(factor),
    }
}

/// One origin and credential: one request in flight, and the last budget seen.
#[derive(Default)]
pub(crate) struct Lane {
    /// Held for the whole of a fetch (retries and waits included).
    pub turn: tokio::sync::Mutex<()>,
    budget: Mutex<Budget>,
}

impl Lane {
    /// Notes the budget an answer announced (answers without the headers change nothing).
    pub(crate) fn observe(&self, headers: &[(String, String)]) {
        let seen = read_budget(headers);
        let mut budget = self.budget.lock().unwrap_or_else(|e| e.into_inner());
        if seen.remaining.is_some() {
            budget.remaining = seen.remaining;
        }
        if seen.reset.is_some() {
            budget.reset = seen.reset;
        }
    }

    /// The pause owed before the next request; the budget is then taken as renewed.
    pub(crate) fn take_pause(&self, now: SystemTime) -> Option<Duration> {
        let mut budget = self.budget.lock().unwrap_or_else(|e| e.into_inner());
        let pause = pause_before(&budget, now);
        if pause.is_some() {
            budget.remaining = None;
        }
        pause
    }
}

/// The lanes of a run, by origin and credential hash.
#[derive(Default)]
pub(crate) struct Lanes {
    map: Mutex<HashMap<String, Arc<Lane>>>,
}

impl Lanes {
    pub(crate) fn get(&self, origin: &str, credential: &str) -> Arc<Lane> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(format!("{origin}#{credential}"))
            .or_default()
            .clone()
    }
}

/// One API request's rate-limit bookkeeping: its lane and the time it waited so far.
pub(crate) struct Limiting {
    pub limits: ApiLimits,
    pub lane: Arc<Lane>,
    pub waited: Duration,
    pub hits: u32,
}

impl Limiting {
    /// Pauses until the reset when the last answer on this lane spent the budget.
    pub(crate) async fn pause_if_spent(
        &mut self,
        url: &str,
        stats: &FetchStats,
    ) -> Result<(), FetchError> {
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
    pub(crate) async fn after_limited(
        &mut self,
        url: &str,
        status: u16,
        signal: Option<Duration>,
        stats: &FetchStats,
    ) -> Result<(), FetchError> {
        self.hits += 1;
        if self.hits > MAX_LIMITED_RETRIES {
            return Err(FetchError::RateLimited {
                url: url.to_string(),
                reason: format!(
                    "still limited (HTTP {status}) after {} waits",
                    self.hits - 1
                ),
            });
        }
        let wait = limit_wait(&self.limits, signal, self.hits);
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
        tracing::warn!(url, wait_ms = wait.as_millis() as u64, "{what}");
        FetchStats::set(&stats.waiting_ms, wait.as_millis() as u64);
        tokio::time::sleep(wait).await;
        FetchStats::set(&stats.waiting_ms, 0);
        self.waited = self.waited.saturating_add(wait);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_reset_headers_do_not_panic() {
        for reset in [
            "18446744073709551615",
            "9223372036854775808",
            "99999999999999999999",
        ] {
            let headers = vec![
                ("x-ratelimit-remaining".to_string(), "0".to_string()),
                ("x-ratelimit-reset".to_string(), reset.to_string()),
            ];
            let budget = read_budget(&headers);
            let pause = pause_before(&budget, UNIX_EPOCH + Duration::from_secs(1_800_000_000));
            if reset.len() <= 20 && reset.parse::<u64>().is_ok() {
                assert!(pause.unwrap() > Duration::from_secs(1 << 39), "{reset}");
            }
            let _ = detect(403, &headers, b"", SystemTime::now());
        }
    }

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn budget_reads_github_and_gitlab_headers() {
        let gh = read_budget(&h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1800000002"),
        ]));
        assert_eq!(gh.remaining, Some(0));
        assert_eq!(pause_before(&gh, now()), Some(Duration::from_secs(3)));
        let gl = read_budget(&h(&[
            ("RateLimit-Remaining", "5"),
            ("RateLimit-Reset", "1800000060"),
        ]));
        assert_eq!(gl.remaining, Some(5));
        assert_eq!(pause_before(&gl, now()), None);
        assert_eq!(read_budget(&[]), Budget::default());
    }

    #[test]
    fn a_spent_budget_whose_reset_has_passed_needs_no_pause() {
        let b = read_budget(&h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1799999990"),
        ]));
        assert_eq!(pause_before(&b, now()), None);
    }

    #[test]
    fn rate_limited_answers_are_recognised() {
        let primary = h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1800000010"),
        ]);
        assert_eq!(
            detect(403, &primary, b"{}", now()),
            Some(Some(Duration::from_secs(11)))
        );
        let secondary = h(&[("retry-after", "1")]);
        assert_eq!(
            detect(403, &secondary, b"", now()),
            Some(Some(Duration::from_secs(1)))
        );
        let message = br#"{"message":"You have exceeded a secondary rate limit."}"#;
        assert_eq!(detect(403, &[], message, now()), Some(None));
        assert_eq!(detect(429, &[], b"", now()), Some(None));
        let graphql =
            br#"{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded"}]}"#;
        assert_eq!(detect(200, &[], graphql, now()), Some(None));
        assert_eq!(detect(200, &[], b"[]", now()), None);
        assert_eq!(
            detect(403, &[], br#"{"message":"Resource not accessible"}"#, now()),
            None
        );
        assert_eq!(detect(404, &secondary, b"", now()), None);
    }

    #[test]
    fn waits_follow_the_signal_then_grow_exponentially() {
        let limits = ApiLimits::default();
        let one = Some(Duration::from_secs(1));
        assert_eq!(limit_wait(&limits, one, 1), Duration::from_secs(1));
        assert_eq!(limit_wait(&limits, one, 3), Duration::from_secs(4));
        let long = Some(Duration::from_secs(30));
        assert_eq!(limit_wait(&limits, long, 2), Duration::from_secs(30));
        assert_eq!(limit_wait(&limits, None, 1), Duration::from_secs(60));
        assert_eq!(limit_wait(&limits, None, 2), Duration::from_secs(120));
        assert_eq!(limit_wait(&limits, None, 3), Duration::from_secs(240));
    }

    #[test]
    fn a_lane_pauses_once_per_spent_budget() {
        let lane = Lane::default();
        lane.observe(&h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1800000002"),
        ]));
        assert_eq!(lane.take_pause(now()), Some(Duration::from_secs(3)));
        assert_eq!(lane.take_pause(now()), None);
        lane.observe(&h(&[("content-type", "application/json")]));
        assert_eq!(lane.take_pause(now()), None);
    }
}
