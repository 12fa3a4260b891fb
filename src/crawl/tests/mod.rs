//! The `Fetcher` against the tests' loopback server (`tests/integration/support/server.rs`,
//! one started per test; no internet). Each server logs the paths and headers it saw; tests
//! assert on that log. Timing tests assert
//! lower bounds, and loose upper bounds only to show parallelism.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};

use crate::model::Secret;

use super::*;

/// The tests' one loopback server, shared with the integration tests.
#[path = "../../../tests/integration/support/server.rs"]
mod server;

use self::server::Server;

mod cache;
mod failures;
mod politeness;
mod robots;

type Reply = axum::response::Response;

fn reply(status: u16, body: impl Into<Body>) -> Reply {
    reply_with(status, &[], body)
}

fn reply_with(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Reply {
    let mut builder =
        axum::response::Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(body.into()).unwrap()
}

/// Robots allow all (404), every page answers 200 with its path.
fn plain_site(path: &str, _n: usize) -> Reply {
    match path {
        "/robots.txt" => reply(404, "no robots here"),
        _ => reply_with(200, &[("X-Served-By", "loopback")], format!("page {path}")),
    }
}

const CONTACT: &str = "https://civicrawl.test/about";

/// Settings for tests against loopback servers (private networks allowed).
fn settings() -> CrawlSettings {
    CrawlSettings {
        contact: CONTACT.to_string(),
        timeout_s: 5,
        retry_base_ms: 10,
        max_retry_wait_s: 5,
        allow_private_networks: true,
        ..CrawlSettings::default()
    }
}

const FAST: Rate = Rate {
    per_second: 200.0,
    burst: 20,
};

/// A fetcher with `server`'s origin registered at `rate`.
fn fetcher_for(server: &Server, rate: Rate, settings: &CrawlSettings) -> Arc<Fetcher> {
    let fetcher = Fetcher::new(settings).unwrap();
    fetcher.register_host(&server.url("/"), rate);
    Arc::new(fetcher)
}

async fn get(fetcher: &Fetcher, url: Url, stats: &FetchStats) -> Result<Response, FetchError> {
    fetcher.fetch(&Request::get(url), stats).await
}

#[test]
fn fetcher_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Fetcher>();
    assert_send_sync::<FetchStats>();
}
