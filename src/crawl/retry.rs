//! The retry policy: which failures are retried and how long to wait first (SPEC section 2).
//!
//! Pure: the clock (`now`) and the random source are passed in, so every decision is testable
//! without sleeping. The caller sleeps.
//!
//! Policy:
//! * connection errors, timeouts, HTTP 429 and 5xx are retried; every other 4xx (and 3xx) is not;
//! * at most `max_attempts` attempts in all, the first one included;
//! * the wait before retry `n` (1-based) is `base * 2^(n-1)`, capped at `max_wait`, with jitter
//!   (half fixed, half random);
//! * a `Retry-After` (seconds or HTTP-date) is a lower bound of the wait; one longer than
//!   `max_wait` gives up at once.

use std::time::{Duration, SystemTime};

use rand::Rng;

use crate::settings::CrawlSettings;

/// What went wrong with one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The server answered with a non-2xx status.
    Status {
        status: u16,
        /// The raw `Retry-After` header, if any.
        retry_after: Option<String>,
    },
    /// No usable answer: `retryable` for connection errors, timeouts and cut-off bodies.
    Transport { retryable: bool },
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryDecision {
    /// Wait this long, then send again.
    Retry(Duration),
    /// Report the failure.
    GiveUp,
}

/// Attempts, back-off base and the longest wait, from the `[crawl]` settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub max_wait: Duration,
}

impl RetryPolicy {
    pub(crate) fn from_settings(settings: &CrawlSettings) -> Self {
        RetryPolicy {
            max_attempts: settings.max_attempts.max(1),
            base: Duration::from_millis(settings.retry_base_ms),
            max_wait: Duration::from_secs(settings.max_retry_wait_s),
        }
    }

    /// Decides after attempt number `attempts_made` (1 for the first) failed with `failure`.
    pub(crate) fn decide(
        &self,
        attempts_made: u32,
        failure: &Failure,
        now: SystemTime,
        rng: &mut impl Rng,
    ) -> RetryDecision {
        if !is_retryable(failure) || attempts_made >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        let backoff = self.backoff(attempts_made, rng);
        let retry_after = match failure {
            Failure::Status {
                retry_after: Some(value),
                ..
            } => parse_retry_after(value, now),
            _ => None,
        };
        match retry_after {
            Some(wait) if wait > self.max_wait => RetryDecision::GiveUp,
            Some(wait) => RetryDecision::Retry(wait.max(backoff)),
            None => RetryDecision::Retry(backoff),
        }
    }

    /// The jittered wait before retry number `retry` (1-based): `base * 2^(retry-1)`, capped,
    /// then between half of it and all of it.
    fn backoff(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(20);
        let full = self.base.saturating_mul(factor).min(self.max_wait);
        let half = full / 2;
        let spread = (full - half).as_millis() as u64;
        half + Duration::from_millis(rng.random_range(0..=spread))
    }
}

/// 429, 5xx and transport errors marked retryable.
fn is_retryable(failure: &Failure) -> bool {
    match failure {
        Failure::Status { status, .. } => *status == 429 || (500..600).contains(status),
        Failure::Transport { retryable } => *retryable,
    }
}

/// A `Retry-After` value as a wait from `now`: delay-seconds or an HTTP-date (a date in the
/// past is no wait). `None` when it is neither.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(1000),
            max_wait: Duration::from_secs(300),
        }
    }

    fn status(status: u16, retry_after: Option<&str>) -> Failure {
        Failure::Status {
            status,
            retry_after: retry_after.map(str::to_string),
        }
    }

    fn now() -> SystemTime {
        httpdate::parse_http_date("Wed, 25 Nov 2026 03:00:00 GMT").unwrap()
    }

    fn wait(decision: RetryDecision) -> Duration {
        match decision {
            RetryDecision::Retry(d) => d,
            RetryDecision::GiveUp => panic!("expected a retry"),
        }
    }

    #[test]
    fn server_errors_and_429_are_retried_other_4xx_are_not() {
        let mut rng = StdRng::seed_from_u64(1);
        for code in [429, 500, 502, 503, 504] {
            let d = policy().decide(1, &status(code, None), now(), &mut rng);
            assert!(matches!(d, RetryDecision::Retry(_)), "{code}: {d:?}");
        }
        for code in [301, 304, 400, 401, 403, 404, 410] {
            let d = policy().decide(1, &status(code, None), now(), &mut rng);
            assert_eq!(d, RetryDecision::GiveUp, "{code}");
        }
    }

    #[test]
    fn transport_errors_are_retried_only_when_marked_retryable() {
        let mut rng = StdRng::seed_from_u64(2);
        let retry = Failure::Transport { retryable: true };
        let fatal = Failure::Transport { retryable: false };
        assert!(matches!(
            policy().decide(1, &retry, now(), &mut rng),
            RetryDecision::Retry(_)
        ));
        assert_eq!(
            policy().decide(1, &fatal, now(), &mut rng),
            RetryDecision::GiveUp
        );
    }

    #[test]
    fn gives_up_after_max_attempts_counting_the_first() {
        let mut rng = StdRng::seed_from_u64(3);
        let failure = status(500, None);
        for attempt in 1..4 {
            let d = policy().decide(attempt, &failure, now(), &mut rng);
            assert!(matches!(d, RetryDecision::Retry(_)), "attempt {attempt}");
        }
        assert_eq!(
            policy().decide(4, &failure, now(), &mut rng),
            RetryDecision::GiveUp
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let mut rng = StdRng::seed_from_u64(4);
        let p = RetryPolicy {
            max_attempts: 20,
            ..policy()
        };
        for (retry, full_ms) in [(1u32, 1000u64), (2, 2000), (3, 4000), (4, 8000)] {
            for _ in 0..50 {
                let d = wait(p.decide(retry, &status(503, None), now(), &mut rng));
                let ms = d.as_millis() as u64;
                assert!(ms >= full_ms / 2 && ms <= full_ms, "retry {retry}: {ms} ms");
            }
        }
        let d = wait(p.decide(15, &status(503, None), now(), &mut rng));
        assert!(d <= Duration::from_secs(300), "{d:?}");
        assert!(d >= Duration::from_secs(150), "{d:?}");
    }

    #[test]
    fn retry_after_seconds_is_a_lower_bound() {
        let mut rng = StdRng::seed_from_u64(5);
        let d = wait(policy().decide(1, &status(503, Some("7")), now(), &mut rng));
        assert!(d >= Duration::from_secs(7), "{d:?}");
        let d = wait(policy().decide(1, &status(429, Some(" 2 ")), now(), &mut rng));
        assert!(d >= Duration::from_secs(2), "{d:?}");
    }

    #[test]
    fn retry_after_http_date_is_measured_from_the_injected_now() {
        let mut rng = StdRng::seed_from_u64(6);
        let failure = status(503, Some("Wed, 25 Nov 2026 03:00:42 GMT"));
        let d = wait(policy().decide(1, &failure, now(), &mut rng));
        assert!(d >= Duration::from_secs(42), "{d:?}");
        assert!(d < Duration::from_secs(43), "{d:?}");
        assert_eq!(
            parse_retry_after("Wed, 25 Nov 2026 02:59:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now()), None);
    }

    #[test]
    fn retry_after_longer_than_max_wait_gives_up_at_once() {
        let mut rng = StdRng::seed_from_u64(7);
        let p = RetryPolicy {
            max_wait: Duration::from_secs(10),
            ..policy()
        };
        assert_eq!(
            p.decide(1, &status(429, Some("11")), now(), &mut rng),
            RetryDecision::GiveUp
        );
        let date = status(503, Some("Wed, 25 Nov 2026 04:00:00 GMT"));
        assert_eq!(p.decide(1, &date, now(), &mut rng), RetryDecision::GiveUp);
        assert!(matches!(
            p.decide(1, &status(429, Some("10")), now(), &mut rng),
            RetryDecision::Retry(_)
        ));
    }
}
