//! The one loopback HTTP server of the tests: scripted replies per path (with ETags and 304s
//! like most servers), computed answers (`answer_with`), or a raw script of whole responses
//! (`scripted`, for the `Fetcher`'s own unit tests, which include this file by path); a log
//! of what it saw; a graceful stop.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

/// One scripted reply.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Waited before answering.
    pub delay: Option<std::time::Duration>,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: None,
        }
    }
    pub fn json(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("application/json", body)
    }
    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("text/html; charset=utf-8", body)
    }
    pub fn text(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("text/plain", body)
    }
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Answers only after `delay`.
    pub fn delayed(mut self, delay: std::time::Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

/// A request the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Path and query, e.g. `/api/tools?page=2`.
    pub target: String,
    pub headers: HeaderMap,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    /// Path-and-query (or path) → replies in order; the last one repeats.
    routes: HashMap<String, Vec<Reply>>,
    served: HashMap<String, usize>,
    log: Vec<Seen>,
    /// Requests answered 304.
    not_modified: usize,
    /// Answers what no scripted route does: (path, query) → reply.
    fallback: Option<Fallback>,
    /// Answers every request, whole (no route, no ETag): see [`Server::scripted`].
    script: Option<Script>,
}

type Fallback = Arc<dyn Fn(&Asked) -> Option<Reply> + Send + Sync>;
type Script = Arc<dyn Fn(&str, usize) -> Response + Send + Sync>;
/// The signal that stops a server, and its task.
type Stop = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
);

/// A request, as [`Server::answer_with`] sees it.
pub struct Asked<'a> {
    pub path: &'a str,
    /// The query without its `?` (empty when there is none).
    pub query: &'a str,
    pub headers: &'a HeaderMap,
}

/// One loopback server.
#[derive(Clone)]
pub struct Server {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    /// Stops the server: the signal, and the task to wait for.
    stop: Arc<Mutex<Option<Stop>>>,
}

/// A loopback listener on a free port, or, when `CIVICRAWL_TEST_PORT_BASE` is set, on that
/// port plus the number of listeners opened before (so the URLs in a release are the same
/// from one process to the next: `scripts/release_fingerprint.sh`).
pub async fn listener() -> tokio::net::TcpListener {
    static OPENED: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let port = match std::env::var("CIVICRAWL_TEST_PORT_BASE") {
        Ok(base) => {
            let base: u16 = base.parse().expect("CIVICRAWL_TEST_PORT_BASE: a port");
            base + OPENED.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        }
        Err(_) => 0,
    };
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("cannot listen on 127.0.0.1:{port}: {e}"))
}

impl Server {
    /// Starts a server on 127.0.0.1 answering 404 to anything not scripted.
    pub async fn start() -> Server {
        Server::with(Inner::default()).await
    }

    /// Starts a server answering every request with `script(path_and_query, n)`, `n` the
    /// number of earlier requests for the same path and query: whole responses, streamed
    /// bodies included, nothing added.
    pub async fn scripted(
        script: impl Fn(&str, usize) -> Response + Send + Sync + 'static,
    ) -> Server {
        Server::with(Inner {
            script: Some(Arc::new(script)),
            ..Inner::default()
        })
        .await
    }

    async fn with(inner: Inner) -> Server {
        let inner = Arc::new(Mutex::new(inner));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&inner));
        let listener = listener().await;
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Server {
            addr,
            inner,
            stop: Arc::new(Mutex::new(Some((stop, task)))),
        }
    }

    /// Stops accepting and waits until the port is closed.
    pub async fn stop(&self) {
        let taken = self.stop.lock().unwrap().take();
        if let Some((stop, task)) = taken {
            let _ = stop.send(());
            task.await.unwrap();
        }
    }

    /// The URL of `path` (a path and query) on this server.
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&self.base()).unwrap().join(path).unwrap()
    }

    /// The path and query of every request, in order.
    pub fn paths(&self) -> Vec<String> {
        self.log().into_iter().map(|s| s.target).collect()
    }

    /// The headers of the first request for this path and query.
    pub fn headers(&self, target: &str) -> HeaderMap {
        let log = self.log();
        log.into_iter()
            .find(|s| s.target == target)
            .unwrap()
            .headers
    }

    /// When each request for this path and query arrived.
    pub fn times(&self, target: &str) -> Vec<Instant> {
        self.log()
            .into_iter()
            .filter(|s| s.target == target)
            .map(|s| s.at)
            .collect()
    }

    /// `http://127.0.0.1:PORT`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Scripts `replies` (in order, the last repeating) for a path, or path with query.
    pub fn route(&self, target: &str, replies: Vec<Reply>) -> &Server {
        self.inner
            .lock()
            .unwrap()
            .routes
            .insert(target.to_string(), replies);
        self
    }

    /// Scripts one reply that always answers.
    pub fn always(&self, target: &str, reply: Reply) -> &Server {
        self.route(target, vec![reply])
    }

    /// Answers the requests no scripted route matches with `answer` (404 when it gives
    /// `None`): for servers that compute their pages (a directory of files, a fake API). The
    /// server still logs the request and adds its ETag and 304 to a 200 without one.
    pub fn answer_with(
        &self,
        answer: impl Fn(&Asked) -> Option<Reply> + Send + Sync + 'static,
    ) -> &Server {
        self.inner.lock().unwrap().fallback = Some(Arc::new(answer));
        self
    }

    /// Every request seen so far.
    pub fn log(&self) -> Vec<Seen> {
        self.inner.lock().unwrap().log.clone()
    }

    /// How many requests had exactly this path-and-query.
    pub fn hits(&self, target: &str) -> usize {
        self.log().iter().filter(|s| s.target == target).count()
    }

    /// How many requests were answered 304 Not Modified.
    pub fn not_modified(&self) -> usize {
        self.inner.lock().unwrap().not_modified
    }

    /// True when any request's path starts with `prefix`.
    pub fn saw_prefix(&self, prefix: &str) -> bool {
        self.log().iter().any(|s| s.target.starts_with(prefix))
    }
}

async fn handle(State(inner): State<Arc<Mutex<Inner>>>, req: Request) -> Response {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let (reply, fallback) = {
        let mut inner = inner.lock().unwrap();
        let earlier = inner.log.iter().filter(|s| s.target == target).count();
        inner.log.push(Seen {
            target: target.clone(),
            headers: req.headers().clone(),
            at: Instant::now(),
        });
        if let Some(script) = inner.script.clone() {
            drop(inner);
            return script(&target, earlier);
        }
        let key = if inner.routes.contains_key(&target) {
            Some(target.clone())
        } else if inner.routes.contains_key(&path) {
            Some(path.clone())
        } else {
            None
        };
        let reply = key.map(|key| {
            let n = *inner.served.get(&key).unwrap_or(&0);
            inner.served.insert(key.clone(), n + 1);
            let replies = &inner.routes[&key];
            replies[n.min(replies.len() - 1)].clone()
        });
        (reply, inner.fallback.clone())
    };
    let mut reply = reply
        .or_else(|| {
            fallback.and_then(|answer| {
                answer(&Asked {
                    path: &path,
                    query: &query,
                    headers: req.headers(),
                })
            })
        })
        .unwrap_or_else(|| Reply::status(404));
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    // Like most servers: a strong ETag on every 200, and 304 when the client already has it.
    if reply.status == 200 && !reply.headers.iter().any(|(k, _)| k == "etag") {
        let etag = format!("\"{:016x}\"", fxhash(&reply.body));
        let matches = req
            .headers()
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
            == Some(etag.as_str());
        reply.headers.push(("etag".into(), etag));
        if matches {
            reply.status = 304;
            reply.body.clear();
            inner.lock().unwrap().not_modified += 1;
        }
    }
    let mut resp = Response::new(Body::from(reply.body));
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (k, v) in reply.headers {
        resp.headers_mut().append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    resp
}

/// FNV-1a: a stable body hash for ETags.
fn fxhash(body: &[u8]) -> u64 {
    body.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}
