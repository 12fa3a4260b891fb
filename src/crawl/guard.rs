//! The address guard of every request (SPEC section 7): a start URL, a `next` link, a detail
//! page, a redirect target, a home page: any of them may come from third-party data, so a
//! hostile catalogue entry (or a redirect, or a DNS answer that changes between two lookups)
//! must not make the crawler reach into the operator's network.
//!
//! Refused unless `allow_private_networks = true`: loopback, private (RFC 1918, unique local
//! `fc00::/7`), shared (`100.64/10`, CGNAT), link-local (`169.254/16`, `fe80::/10`),
//! multicast, broadcast, unspecified, "this network" (`0/8`), IETF protocol assignments
//! (`192.0.0.0/24`), documentation (`192.0.2/24`, `198.51.100/24`, `203.0.113/24`,
//! `2001:db8::/32`), benchmarking (`198.18/15`), discard (`100::/64`), Teredo (`2001::/32`),
//! local-use NAT64 (`64:ff9b:1::/48`) and reserved (`240/4`) addresses, IPv4 and IPv6 alike,
//! IPv4 inside IPv6 too (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64
//! `64:ff9b::/96`, 6to4 `2002::/16`). Only `http` and `https` are fetched.
//!
//! Two checks, both here: [`Guard::check_url`] resolves the host of every hop before it is
//! requested (a clear refusal, and the DNS failure liveness needs), and [`GuardedResolver`]
//! is the reqwest client's resolver, which drops forbidden addresses again at connect time,
//! so a name that answers a public address to the first lookup and `127.0.0.1` to the second
//! (DNS rebinding) still cannot be reached. An IP literal never goes through a resolver: the
//! per-hop check covers it, and the guarded client's own redirects (robots.txt) check each
//! target in its redirect policy.
//!
//! Must not send requests: it only resolves names and judges addresses.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use url::{Host, Url};

/// Why an address may not be reached, or `None` when it is public.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (carrier-grade NAT) address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if ip.is_broadcast() {
        Some("the broadcast address")
    } else if ip.is_unspecified() || a == 0 {
        Some("an unspecified (this-network) address")
    } else if a == 192 && b == 0 && ip.octets()[2] == 0 {
        Some("an IETF protocol assignment address (192.0.0.0/24)")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("a benchmarking address (198.18.0.0/15)")
    } else if matches!(
        ip.octets()[..3],
        [192, 0, 2] | [198, 51, 100] | [203, 0, 113]
    ) {
        Some("a documentation address")
    } else if a >= 240 {
        Some("a reserved address")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = embedded_v4(ip) {
        return forbidden_v4(v4);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("a link-local address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private (unique local) address")
    } else if ip.segments()[..2] == [0x2001, 0] {
        Some("a Teredo address (2001::/32)")
    } else if ip.segments()[..2] == [0x2001, 0xdb8] {
        Some("a documentation address (2001:db8::/32)")
    } else if ip.segments()[..3] == [0x64, 0xff9b, 1] {
        Some("a local-use NAT64 address (64:ff9b:1::/48)")
    } else if ip.segments()[..4] == [0x100, 0, 0, 0] {
        Some("a discard-only address (100::/64)")
    } else {
        None
    }
}

/// The IPv4 address an IPv6 address carries: mapped, compatible, NAT64 or 6to4.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(tail(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(tail(s[1], s[2]));
    }
    None
}

/// Why the guard stopped a URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("the host name `{host}` does not resolve: {message}")]
    Unresolved { host: String, message: String },
}

/// The guard of one run: whether private networks are allowed, and the pinned names.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    allow_private: bool,
    /// Names answered from this table instead of DNS; their addresses count as public.
    pinned: HashMap<String, Vec<IpAddr>>,
    /// Names the operator declared (the `[crawl] proxy`): resolved, never judged.
    trusted: Vec<String>,
}

impl Guard {
    /// A guard that refuses non-public addresses unless `allow_private`.
    pub fn new(allow_private: bool) -> Guard {
        Guard {
            allow_private,
            pinned: HashMap::new(),
            trusted: Vec::new(),
        }
    }

    /// Test seam: answers `name` with `ip` and treats that answer as public, the way a
    /// loopback test stands in for a public web site. Every other name and every IP literal
    /// is judged as usual, so a redirect from `name` to `127.0.0.1` is still refused.
    pub fn pretend_public(mut self, name: &str, ip: IpAddr) -> Guard {
        self.pinned
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(ip);
        self
    }

    /// Trusts the host of the operator's declared proxy: the clients connect to it whatever
    /// its address (a proxy on the operator's own network is the usual case); every target
    /// is still judged before it is asked of the proxy.
    pub fn trust(mut self, name: &str) -> Guard {
        self.trusted
            .push(name.trim_end_matches('.').to_ascii_lowercase());
        self
    }

    /// True when non-public addresses may be reached.
    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// Checks the scheme of `url` and resolves its host: refused when it is not `http(s)` or
    /// when no address left after the guard is public; `Unresolved` when the name does not
    /// resolve at all (liveness counts it like a 404).
    pub async fn check_url(&self, url: &Url) -> Result<(), GuardError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(GuardError::Refused(format!(
                "`{url}`: only http and https URLs are fetched"
            )));
        }
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(name)) => {
                return self.resolve(name).await.map(|_| ());
            }
            None => return Err(GuardError::Refused(format!("`{url}` has no host"))),
        };
        self.judge(url.as_str(), ip)
    }

    /// Refuses `ip` (named `what` in the message) when the guard forbids it.
    fn judge(&self, what: &str, ip: IpAddr) -> Result<(), GuardError> {
        match forbidden(ip) {
            Some(reason) if !self.allow_private => Err(GuardError::Refused(format!(
                "`{what}` is {reason} ({ip}); set `allow_private_networks = true` in the `[crawl]` settings to allow it"
            ))),
            _ => Ok(()),
        }
    }

    /// The addresses of `name` that may be reached: pinned, else DNS filtered by the guard.
    pub async fn resolve(&self, name: &str) -> Result<Vec<SocketAddr>, GuardError> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(ips) = self.pinned.get(&name) {
            return Ok(ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect());
        }
        let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
            .await
            .map_err(|e| GuardError::Unresolved {
                host: name.clone(),
                message: e.to_string(),
            })?
            .collect();
        if found.is_empty() {
            return Err(GuardError::Unresolved {
                host: name,
                message: "no address".into(),
            });
        }
        if self.trusted.contains(&name) {
            return Ok(found);
        }
        let mut refused = None;
        let allowed: Vec<SocketAddr> = found
            .into_iter()
            .filter(|a| match self.judge(&name, a.ip()) {
                Ok(()) => true,
                Err(e) => {
                    refused = Some(e);
                    false
                }
            })
            .collect();
        match (allowed.is_empty(), refused) {
            (true, Some(e)) => Err(e),
            _ => Ok(allowed),
        }
    }

    /// The guard as a reqwest resolver.
    pub(crate) fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver(self.clone()))
    }

    /// Whether a redirect target of the guarded client may be followed: http(s), and an IP
    /// literal must be allowed (names are judged by the resolver at connect time).
    pub(crate) fn allows_redirect_to(&self, url: &Url) -> Result<(), GuardError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(GuardError::Refused(format!(
                "redirect to `{url}`: only http and https URLs are fetched"
            )));
        }
        match url.host() {
            Some(Host::Ipv4(v4)) => self.judge(url.as_str(), IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => self.judge(url.as_str(), IpAddr::V6(v6)),
            _ => Ok(()),
        }
    }
}

/// The reqwest resolver of guarded clients: [`Guard::resolve`] at connect time.
pub(crate) struct GuardedResolver(Guard);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.0.clone();
        let name = name.as_str().to_string();
        Box::pin(async move {
            match guard.resolve(&name).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                Err(e) => Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

/// Test builds only (the `testing` feature): the names `CIVICRAWL_TEST_PUBLIC_HOSTS` lists
/// (`name=ip,name=ip`) are answered with those addresses and treated as public, so the
/// integration tests can run the guard against loopback servers standing in for public
/// sites. A release binary ignores the variable.
#[cfg(feature = "testing")]
pub(crate) fn test_public_hosts(mut guard: Guard) -> Guard {
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
pub(crate) fn test_public_hosts(guard: Guard) -> Guard {
    guard
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn non_public_addresses_are_forbidden_in_both_families() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "192.0.0.8",
            "198.18.0.1",
            "198.19.255.255",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "64:ff9b:1::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(forbidden(ip(bad)).is_some(), "{bad} must be refused");
        }
        for good in [
            "93.184.216.34",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
            "2002:5db8:d822::1",
            "192.0.1.1",
            "198.20.0.1",
            "2001:4860::8888",
        ] {
            assert_eq!(forbidden(ip(good)), None, "{good} is public");
        }
    }

    #[tokio::test]
    async fn ip_literals_and_schemes_are_checked_before_any_request() {
        let guard = Guard::new(false);
        let url = |u: &str| Url::parse(u).unwrap();
        let err = guard
            .check_url(&url("http://127.0.0.1:8080/"))
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("is a loopback address (127.0.0.1)"),
            "{err}"
        );
        let err = guard
            .check_url(&url("http://[::ffff:7f00:1]/"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
        let err = guard
            .check_url(&url("ftp://example.org/"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("only http and https"), "{err}");
        assert!(
            Guard::new(true)
                .check_url(&url("http://127.0.0.1:8080/"))
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn localhost_resolves_to_loopback_and_is_refused() {
        let err = Guard::new(false).resolve("localhost").await.unwrap_err();
        assert!(matches!(err, GuardError::Refused(_)), "{err}");
        assert!(
            !Guard::new(true)
                .resolve("localhost")
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_pinned_name_is_public_but_only_that_name() {
        let guard = Guard::new(false).pretend_public("tool.example", ip("127.0.0.1"));
        let addrs = guard.resolve("Tool.Example.").await.unwrap();
        assert_eq!(addrs[0].ip(), ip("127.0.0.1"));
        let url = Url::parse("http://127.0.0.1/").unwrap();
        assert!(guard.allows_redirect_to(&url).is_err());
        assert!(guard.resolve("localhost").await.is_err());
    }
}
