//! robots.txt: fetched once per host per run, obeyed for the product token `civicrawl`
//! (SPEC section 4: disallowed URLs are skipped and counted, they do not fail the source).
//!
//! * 2xx: parsed with `texting_robots`; a file that does not parse allows all (with a warning);
//!   `Crawl-delay` slows the host;
//! * 4xx: no rules, allow all;
//! * 5xx or unreachable after the normal retries: the host is skipped for this run.
//!
//! The fetch itself (through limiter, permit and retries) is in `mod.rs`; this file only turns
//! its outcome into a [`Robots`] verdict.

use std::time::Duration;

use texting_robots::Robot;
use tracing::warn;

use super::FetchError;

/// The product token matched against `User-agent:` lines.
pub(crate) const AGENT: &str = "civicrawl";

/// The most of a robots.txt we read; the rest is ignored (as Google does at 500 KiB).
pub(crate) const MAX_ROBOTS_BYTES: u64 = 500 * 1024;

/// What robots.txt says about one host.
pub(crate) enum Robots {
    /// No usable rules: everything is allowed.
    AllowAll,
    /// The parsed rules for our agent.
    Rules(Box<Robot>),
    /// Do not touch this host this run; the reason names the robots.txt URL.
    Skip(String),
}

impl Robots {
    /// The verdict from the answer to `GET /robots.txt`: the 2xx body, or the final error.
    pub(crate) fn from_outcome(robots_url: &str, outcome: Result<&[u8], &FetchError>) -> Robots {
        match outcome {
            Ok(body) => Robots::parse(robots_url, body),
            Err(FetchError::Status { status, .. })
                if (400..500).contains(status) && *status != 429 =>
            {
                Robots::AllowAll
            }
            // Google treats a robots.txt behind too many redirects as missing.
            Err(FetchError::TooManyRedirects { .. }) => Robots::AllowAll,
            Err(err) => Robots::Skip(format!("robots.txt unavailable: {err}")),
        }
    }

    /// Parses a robots.txt body; one that does not parse allows all.
    pub(crate) fn parse(robots_url: &str, body: &[u8]) -> Robots {
        match Robot::new(AGENT, body) {
            Ok(robot) => Robots::Rules(Box::new(robot)),
            Err(err) => {
                warn!(url = robots_url, error = %err, "robots.txt does not parse; allowing all");
                Robots::AllowAll
            }
        }
    }

    /// Whether `url` may be fetched.
    pub(crate) fn allows(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::Rules(robot) => robot.allowed(url),
            Robots::Skip(_) => false,
        }
    }

    /// The `Crawl-delay` for our agent, if any (negative or absurd values ignored).
    pub(crate) fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Robots::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .and_then(|d| Duration::try_from_secs_f32(d).ok()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://h/robots.txt";

    #[test]
    fn rules_for_our_agent_win_over_the_wildcard() {
        let txt = b"User-agent: *\nDisallow: /\n\nUser-agent: civicrawl\nDisallow: /private\n";
        let robots = Robots::parse(URL, txt);
        assert!(robots.allows("http://h/public"));
        assert!(!robots.allows("http://h/private/x"));
        assert!(robots.allows("http://h/robots.txt"));
    }

    #[test]
    fn crawl_delay_is_read() {
        let robots = Robots::parse(URL, b"User-agent: *\nCrawl-delay: 1.5\n");
        assert_eq!(robots.crawl_delay(), Some(Duration::from_millis(1500)));
        assert_eq!(Robots::parse(URL, b"").crawl_delay(), None);
    }

    #[test]
    fn client_errors_allow_all_server_errors_skip() {
        let status = |status| FetchError::Status {
            url: URL.into(),
            status,
            attempts: 1,
            elapsed_ms: 0,
            body: String::new(),
        };
        assert!(matches!(
            Robots::from_outcome(URL, Err(&status(404))),
            Robots::AllowAll
        ));
        assert!(matches!(
            Robots::from_outcome(URL, Err(&status(403))),
            Robots::AllowAll
        ));
        for code in [429, 500, 503] {
            match Robots::from_outcome(URL, Err(&status(code))) {
                Robots::Skip(reason) => {
                    assert!(reason.contains(URL), "{reason}");
                    assert!(reason.contains(&code.to_string()), "{reason}");
                }
                _ => panic!("{code} should skip the host"),
            }
        }
    }
}
