//! The reqwest client and one attempt with it (SPEC section 2, `crawl`).
//!
//! User-Agent `civicrawl/<version> (+<contact>)`, per-request timeout, gzip and brotli, at most
//! 5 redirects, and a body cap applied after decompression: the body is read chunk by chunk
//! and reading stops as soon as the cap is passed. Politeness and retries are not done here.
//!
//! Every client is guarded (`guard.rs`): its resolver refuses non-public addresses at connect
//! time and its redirect policy checks each target.
//!
//! Request headers and the bearer token are sent, never logged nor put in an error.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, HeaderName, HeaderValue};
use reqwest::redirect;

use super::guard::Guard;
use super::{FetchError, Request};
use crate::settings::CrawlSettings;

/// Redirects followed before giving up.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// Body bytes kept from a non-2xx answer, for the error message.
pub(crate) const ERROR_SNIPPET_BYTES: usize = 512;

/// The User-Agent of every request.
pub fn user_agent(contact: &str) -> String {
    format!("civicrawl/{} (+{contact})", env!("CARGO_PKG_VERSION"))
}

/// Installs ring as the process-wide rustls crypto provider; calling it again is harmless.
pub fn install_crypto_provider() {
    // Err means a provider is already installed, which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// How a client follows redirects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Redirects {
    /// At most [`MAX_REDIRECTS`], each target allowed by the guard first.
    Follow,
    /// The same, and only within the origin of the first URL: requests that carry a token
    /// (a redirect elsewhere fails, so the token is never sent there).
    SameOrigin,
    /// None: 3xx answers come back (home pages, whose hops the `Fetcher` follows and checks
    /// one by one).
    None,
}

/// Builds a client: the guard's resolver (unless private networks are allowed) checks every
/// address at connect time, each redirect target is checked by `redirects`, and no proxy is
/// used but the one `settings.proxy` names (never `HTTP_PROXY` and friends from the
/// environment).
pub(crate) fn build(
    settings: &CrawlSettings,
    guard: &Guard,
    redirects: Redirects,
) -> Result<reqwest::Client, FetchError> {
    let mut builder = base(settings)?;
    if !guard.allows_private() {
        builder = builder.dns_resolver(guard.resolver());
    }
    let policy = match redirects {
        Redirects::None => redirect::Policy::none(),
        Redirects::Follow | Redirects::SameOrigin => {
            let guard = guard.clone();
            redirect::Policy::custom(move |attempt| {
                let first = attempt.previous().first().map(|u| u.origin());
                if attempt.previous().len() > MAX_REDIRECTS {
                    attempt.error(TOO_MANY_REDIRECTS)
                } else if redirects == Redirects::SameOrigin
                    && first.is_some_and(|o| o != attempt.url().origin())
                {
                    let to = attempt.url().origin().ascii_serialization();
                    attempt.error(format!(
                        "refused: redirect to another origin ({to}) of a request carrying a token; the token is only sent to its API's origin"
                    ))
                } else if let Err(e) = guard.allows_redirect_to(attempt.url()) {
                    attempt.error(e)
                } else {
                    attempt.follow()
                }
            })
        }
    };
    finish(builder.redirect(policy))
}

/// The message of the redirect policy's "too many redirects" error.
const TOO_MANY_REDIRECTS: &str = "too many redirects";

fn base(settings: &CrawlSettings) -> Result<reqwest::ClientBuilder, FetchError> {
    install_crypto_provider();
    let timeout = Duration::from_secs(settings.timeout_s.max(1));
    let builder = reqwest::Client::builder()
        .user_agent(user_agent(&settings.contact))
        .timeout(timeout)
        .connect_timeout(timeout)
        .gzip(true)
        .brotli(true);
    Ok(match &settings.proxy {
        None => builder.no_proxy(),
        Some(proxy) => {
            let proxy = reqwest::Proxy::all(proxy).map_err(|e| FetchError::Refused {
                url: String::from("(client)"),
                message: format!("`[crawl] proxy`: {}", error_chain(&e)),
            })?;
            builder.proxy(proxy)
        }
    })
}

fn finish(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, FetchError> {
    builder.build().map_err(|e| FetchError::Refused {
        url: String::from("(client)"),
        message: format!("cannot build the HTTP client: {}", error_chain(&e)),
    })
}

/// How much body to read, and what to do past it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyCap {
    pub max: u64,
    /// Keep the first `max` bytes instead of failing (robots.txt).
    pub truncate: bool,
}

/// One answer, body read (capped).
#[derive(Debug)]
pub(crate) struct Answer {
    pub final_url: url::Url,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The whole body for 2xx, at most [`ERROR_SNIPPET_BYTES`] otherwise.
    pub body: Vec<u8>,
}

/// Why an attempt brought no answer.
#[derive(Debug)]
pub(crate) enum AttemptError {
    /// Connection, timeout, cut-off body, bad encoding…; `retryable` per the retry policy.
    Transport {
        message: String,
        retryable: bool,
    },
    TooLarge,
    TooManyRedirects,
    /// The guard or the token's origin stopped a redirect.
    Refused(String),
    /// The request could not be built (e.g. a header that is not valid HTTP).
    Invalid(String),
}

/// Sends `req` once and reads the body under `cap` (only a snippet for non-2xx answers).
pub(crate) async fn attempt(
    client: &reqwest::Client,
    req: &Request,
    cap: BodyCap,
) -> Result<Answer, AttemptError> {
    let mut builder = client.get(req.url.clone());
    for (name, value) in &req.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| AttemptError::Invalid(format!("invalid request header name `{name}`")))?;
        // The value may be a credential: never echo it.
        let value = HeaderValue::from_str(value).map_err(|_| {
            AttemptError::Invalid(format!("invalid value for request header `{name}`"))
        })?;
        builder = builder.header(name, value);
    }
    if let Some(token) = &req.bearer {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| AttemptError::Invalid("invalid bearer token".to_string()))?;
        value.set_sensitive(true);
        builder = builder.header(AUTHORIZATION, value);
    }
    let mut resp = builder.send().await.map_err(classify)?;
    let status = resp.status().as_u16();
    let final_url = resp.url().clone();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.as_str().to_ascii_lowercase(), value)
        })
        .collect();
    let body = if resp.status().is_success() {
        check_content_length(&resp, cap)?;
        read_capped(&mut resp, cap).await?
    } else {
        let snippet = BodyCap {
            max: ERROR_SNIPPET_BYTES as u64,
            truncate: true,
        };
        // A broken error body still leaves us the status.
        read_capped(&mut resp, snippet).await.unwrap_or_default()
    };
    Ok(Answer {
        final_url,
        status,
        headers,
        body,
    })
}

/// Rejects a body announced larger than the cap, when that length is what we will read
/// (not compressed; reqwest drops `Content-Encoding` from bodies it decompresses).
fn check_content_length(resp: &reqwest::Response, cap: BodyCap) -> Result<(), AttemptError> {
    let encoded = resp.headers().contains_key(CONTENT_ENCODING);
    match resp.content_length() {
        Some(len) if len > cap.max && !encoded && !cap.truncate => Err(AttemptError::TooLarge),
        _ => Ok(()),
    }
}

/// Reads the (decompressed) body chunk by chunk, never holding more than `cap.max` bytes.
async fn read_capped(resp: &mut reqwest::Response, cap: BodyCap) -> Result<Vec<u8>, AttemptError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(classify)? {
        let room = (cap.max as usize).saturating_sub(body.len());
        if chunk.len() > room {
            if cap.truncate {
                body.extend_from_slice(&chunk[..room]);
                return Ok(body);
            }
            return Err(AttemptError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Sorts a reqwest error: redirects, retryable transport failures, the rest.
fn classify(err: reqwest::Error) -> AttemptError {
    if err.is_redirect() {
        let chain = error_chain(&err.without_url());
        if chain.contains(TOO_MANY_REDIRECTS) {
            return AttemptError::TooManyRedirects;
        }
        let reason = chain
            .split_once("refused: ")
            .map_or(chain.as_str(), |(_, r)| r);
        return AttemptError::Refused(format!("refused: {reason}"));
    }
    // A body cut by a reset or by the timeout comes back from the decoder as a decode
    // error: it is a transport failure all the same. A body that is not valid in its
    // encoding (a truncated gzip stream the server closed cleanly) is final.
    let cut = err.is_decode() && cut_in_transit(&err);
    let retryable = cut
        || (!err.is_decode()
            && !err.is_builder()
            && (err.is_timeout() || err.is_connect() || err.is_request() || err.is_body()));
    AttemptError::Transport {
        message: error_chain(&err.without_url()),
        retryable,
    }
}

/// True when one of `err`'s causes is the connection failing (reset, aborted, a broken pipe)
/// or a timeout, rather than the bytes themselves.
fn cut_in_transit(err: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut next = err.source();
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
                    | ErrorKind::TimedOut
                    | ErrorKind::NotConnected
            )
        {
            return true;
        }
        if e.to_string().contains("timed out") {
            return true;
        }
        next = e.source();
    }
    false
}

/// An error and its causes, `: `-separated, repeated messages dropped.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// A non-2xx body for an error message: lossy UTF-8, whitespace collapsed, at most 512 bytes.
pub(crate) fn snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(ERROR_SNIPPET_BYTES)];
    String::from_utf8_lossy(cut)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    /// Redirects followed by the client, each target checked.
    Default,
    /// A `site` page hop: no automatic redirect (3xx answers come back, `visit.rs` follows
    /// and checks them), cut at the body cap.
    Page,
}

/// The guarded clients of a run, rebuilt when the guard changes.
pub(crate) struct Clients {
    pub settings: CrawlSettings,
    pub guard: Guard,
    /// Redirects followed, each target checked.
    default: reqwest::Client,
    /// Requests with a token: redirects only within the origin.
    token: reqwest::Client,
    /// Home page hops: no automatic redirect.
    pages: reqwest::Client,
    /// Per host name, the guard's verdict: allowed, or refused with the reason.
    pub verdicts: std::sync::Mutex<std::collections::HashMap<String, Result<(), Option<String>>>>,
}

impl Clients {
    pub(crate) fn new(settings: &CrawlSettings, guard: Guard) -> Result<Clients, FetchError> {
        Ok(Clients {
            default: build(settings, &guard, Redirects::Follow)?,
            token: build(settings, &guard, Redirects::SameOrigin)?,
            pages: build(settings, &guard, Redirects::None)?,
            settings: settings.clone(),
            guard,
            verdicts: Default::default(),
        })
    }
}

impl Clients {
    /// The client for `req` sent `via`: a home page hop's, a token's, or the default.
    pub(crate) fn pick(&self, via: Via, req: &Request) -> &reqwest::Client {
        match via {
            Via::Page => &self.pages,
            Via::Default if req.bearer.is_some() => &self.token,
            Via::Default => &self.default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_project_version_and_contact() {
        assert_eq!(
            user_agent("https://x.test/about"),
            format!(
                "civicrawl/{} (+https://x.test/about)",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn snippet_collapses_whitespace_and_is_bounded() {
        assert_eq!(
            snippet(b"  <h1>Bad\n\n  gateway</h1>\t"),
            "<h1>Bad gateway</h1>"
        );
        let long = vec![b'x'; 2000];
        assert_eq!(snippet(&long).len(), 512);
        assert_eq!(snippet(&[0xff, b' ', b'a']), "\u{fffd} a");
    }

    #[test]
    fn the_process_wide_crypto_provider_is_ring() {
        install_crypto_provider();
        install_crypto_provider();
        // Whichever test installed it first, it must be ring's (the faster build, and the
        // one the TLS features of `Cargo.toml` promise): same cipher suites, same order.
        let installed = rustls::crypto::CryptoProvider::get_default().expect("installed");
        let suites = |p: &rustls::crypto::CryptoProvider| -> Vec<String> {
            p.cipher_suites
                .iter()
                .map(|s| format!("{:?}", s.suite()))
                .collect()
        };
        let ring = rustls::crypto::ring::default_provider();
        assert_eq!(suites(installed), suites(&ring));
        assert!(!suites(&ring).is_empty());
    }
}
