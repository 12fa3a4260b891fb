//! How fast we may talk to each host (SPEC section 2, `crawl`).
//!
//! A host is an origin (scheme, host, port). Each has one governor limiter built from the
//! strictest `rate` of the sources that registered it (default 1 request/s, burst 1), slowed
//! by robots.txt `Crawl-delay` (capped at 60 s). Every attempt waits on it: retries and the
//! robots.txt fetch too. The global `concurrency` semaphore lives in the `Fetcher`.
//!
//! Must not send requests or read robots.txt itself: `robots.rs` and `mod.rs` do.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use url::Url;

use crate::model::Rate;

use super::robots::Robots;

/// The longest `Crawl-delay` we obey; a longer one is cut to this.
pub(crate) const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// The key of a host: `scheme://host:port` (default ports omitted), or `None` for URLs
/// without a network origin.
pub(crate) fn origin_of(url: &Url) -> Option<String> {
    match url.origin() {
        origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

/// Every host seen in this run.
#[derive(Default)]
pub(crate) struct Hosts {
    map: Mutex<HashMap<String, Arc<Host>>>,
}

impl Hosts {
    /// The host of `origin`, created with the default rate when first seen.
    pub(crate) fn get(&self, origin: &str) -> Arc<Host> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(origin.to_string())
            .or_insert_with(|| Arc::new(Host::new(origin)))
            .clone()
    }
}

/// One origin: its robots.txt verdict (fetched once) and its pace.
pub(crate) struct Host {
    pub(crate) origin: String,
    pub(crate) robots: tokio::sync::OnceCell<Robots>,
    pace: Mutex<Pace>,
}

struct Pace {
    /// The strictest registered rate; `None` until a source registers the host.
    rate: Option<Rate>,
    crawl_delay: Option<Duration>,
    /// Built on first use, rebuilt (drained) when the quota tightens.
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
}

impl Host {
    fn new(origin: &str) -> Self {
        Host {
            origin: origin.to_string(),
            robots: tokio::sync::OnceCell::new(),
            pace: Mutex::new(Pace {
                rate: None,
                crawl_delay: None,
                limiter: None,
            }),
        }
    }

    /// Keeps the strictest of the registered rates (min per_second, min burst).
    pub(crate) fn register(&self, rate: Rate) {
        self.update(|pace| {
            pace.rate = Some(match pace.rate {
                None => rate,
                Some(old) => Rate {
                    per_second: old.per_second.min(rate.per_second),
                    burst: old.burst.min(rate.burst),
                },
            });
        });
    }

    /// Slows the host down to one request per `delay` (capped at [`MAX_CRAWL_DELAY`]).
    pub(crate) fn set_crawl_delay(&self, delay: Duration) {
        self.update(|pace| pace.crawl_delay = Some(delay.min(MAX_CRAWL_DELAY)));
    }

    /// Waits until the host's limiter lets one more request through.
    pub(crate) async fn until_ready(&self) {
        let limiter = {
            let mut pace = self.pace.lock().unwrap_or_else(|e| e.into_inner());
            let quota = pace.quota();
            pace.limiter
                .get_or_insert_with(|| Arc::new(RateLimiter::direct(quota)))
                .clone()
        };
        limiter.until_ready().await;
    }

    /// The quota now in force.
    #[cfg(test)]
    pub(crate) fn quota(&self) -> Quota {
        self.pace.lock().unwrap_or_else(|e| e.into_inner()).quota()
    }

    /// Applies `change`; when the quota changed and a limiter already exists, replaces it with
    /// a drained one, so the next request still waits a full interval (never a fresh burst).
    fn update(&self, change: impl FnOnce(&mut Pace)) {
        let mut pace = self.pace.lock().unwrap_or_else(|e| e.into_inner());
        let before = pace.quota();
        change(&mut pace);
        let after = pace.quota();
        if before != after && pace.limiter.is_some() {
            let limiter = RateLimiter::direct(after);
            for _ in 0..after.burst_size().get() {
                let _ = limiter.check();
            }
            pace.limiter = Some(Arc::new(limiter));
        }
    }
}

impl Pace {
    /// Interval `max(1/per_second, crawl_delay)`; burst from the rate unless the crawl delay
    /// governs, then 1.
    fn quota(&self) -> Quota {
        let rate = self.rate.unwrap_or_default();
        let default_interval = Duration::from_secs(1);
        let interval = if rate.per_second.is_finite() && rate.per_second > 0.0 {
            Duration::try_from_secs_f64(1.0 / rate.per_second).unwrap_or(default_interval)
        } else {
            default_interval
        };
        let interval = interval.max(Duration::from_micros(1));
        let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
        let (interval, burst) = match self.crawl_delay {
            Some(delay) if delay > interval => (delay, NonZeroU32::MIN),
            _ => (interval, burst),
        };
        Quota::with_period(interval)
            .expect("interval is positive")
            .allow_burst(burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(per_second: f64, burst: u32) -> Rate {
        Rate { per_second, burst }
    }

    #[test]
    fn origin_keeps_scheme_host_and_port() {
        let a = Url::parse("http://127.0.0.1:8080/a?b").unwrap();
        let b = Url::parse("http://127.0.0.1:8081/a").unwrap();
        let c = Url::parse("https://example.org/x").unwrap();
        assert_eq!(origin_of(&a).unwrap(), "http://127.0.0.1:8080");
        assert_ne!(origin_of(&a), origin_of(&b));
        assert_eq!(origin_of(&c).unwrap(), "https://example.org");
        assert_eq!(origin_of(&Url::parse("data:text/plain,x").unwrap()), None);
    }

    #[test]
    fn unregistered_host_gets_one_per_second() {
        let host = Host::new("http://a");
        assert_eq!(host.quota().replenish_interval(), Duration::from_secs(1));
        assert_eq!(host.quota().burst_size().get(), 1);
    }

    #[test]
    fn host_keeps_the_strictest_rate_of_its_sources() {
        let host = Host::new("http://a");
        host.register(rate(10.0, 1));
        host.register(rate(2.0, 5));
        host.register(rate(4.0, 3));
        assert_eq!(
            host.quota().replenish_interval(),
            Duration::from_millis(500)
        );
        assert_eq!(host.quota().burst_size().get(), 1);
    }

    #[test]
    fn crawl_delay_slows_a_faster_rate_and_is_capped() {
        let host = Host::new("http://a");
        host.register(rate(10.0, 4));
        host.set_crawl_delay(Duration::from_secs(2));
        assert_eq!(host.quota().replenish_interval(), Duration::from_secs(2));
        assert_eq!(host.quota().burst_size().get(), 1);
        host.set_crawl_delay(Duration::from_secs(3600));
        assert_eq!(host.quota().replenish_interval(), MAX_CRAWL_DELAY);
    }

    #[test]
    fn crawl_delay_shorter_than_the_rate_changes_nothing() {
        let host = Host::new("http://a");
        host.register(rate(0.5, 2));
        host.set_crawl_delay(Duration::from_millis(100));
        assert_eq!(host.quota().replenish_interval(), Duration::from_secs(2));
        assert_eq!(host.quota().burst_size().get(), 2);
    }

    #[test]
    fn nonsense_rates_fall_back_to_safe_values() {
        let host = Host::new("http://a");
        host.register(rate(0.0, 0));
        assert_eq!(host.quota().replenish_interval(), Duration::from_secs(1));
        assert_eq!(host.quota().burst_size().get(), 1);
    }
}
