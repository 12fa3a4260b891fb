//! The `Fetcher` against loopback axum servers started in each test (no internet). Each
//! server logs the paths and headers it saw; tests assert on that log. Timing tests assert
//! lower bounds, and loose upper bounds only to show parallelism.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio::sync::oneshot;

use crate::model::Secret;
use tokio::task::JoinHandle;

use super::*;

mod cache;
mod failures;
mod politeness;
mod robots;

type Reply = axum::response::Response;
type Script = dyn Fn(&str, usize) -> Reply + Send + Sync;

/// One request as the server saw it.
struct Seen {
    path: String,
    headers: HeaderMap,
    at: Instant,
}

#[derive(Clone)]
struct ServerState {
    script: Arc<Script>,
    log: Arc<Mutex<Vec<Seen>>>,
}

/// A loopback server answering by `script(path, n)`, `n` the count of earlier hits on `path`.
struct Server {
    base: Url,
    log: Arc<Mutex<Vec<Seen>>>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(script: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = ServerState {
            script: Arc::new(script),
            log: log.clone(),
        };
        let app = axum::Router::new().fallback(handle).with_state(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Server {
            base: Url::parse(&format!("http://{addr}/")).unwrap(),
            log,
            stop: Some(stop),
            task,
        }
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).unwrap()
    }

    fn hits(&self, path: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .count()
    }

    fn paths(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.path.clone())
            .collect()
    }

    fn headers(&self, path: &str) -> HeaderMap {
        let log = self.log.lock().unwrap();
        log.iter().find(|s| s.path == path).unwrap().headers.clone()
    }

    fn times(&self, path: &str) -> Vec<Instant> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|s| s.path == path)
            .map(|s| s.at)
            .collect()
    }

    /// Stops accepting and waits until the port is closed.
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap();
    }
}

async fn handle(State(state): State<ServerState>, req: axum::extract::Request) -> Reply {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let n = {
        let mut log = state.log.lock().unwrap();
        let n = log.iter().filter(|s| s.path == path).count();
        log.push(Seen {
            path: path.clone(),
            headers: req.headers().clone(),
            at: Instant::now(),
        });
        n
    };
    (state.script)(&path, n)
}

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
    fetcher.register_host(&server.base, rate);
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
