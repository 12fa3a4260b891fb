//! A loopback HTTP world for tests: scripted replies per path, a log of what the server saw,
//! and helpers to run the `civicrawl` binary in a temporary directory.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
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
}

type Fallback = Arc<dyn Fn(&Asked) -> Option<Reply> + Send + Sync>;

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
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&inner));
        let listener = listener().await;
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { addr, inner }
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
        inner.log.push(Seen {
            target: target.clone(),
            headers: req.headers().clone(),
            at: Instant::now(),
        });
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

/// A temporary working directory with `sources/`, `civicrawl.toml` and `output/`.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    /// A work dir whose settings allow fast retries in tests.
    pub fn new() -> Workdir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sources")).unwrap();
        let w = Workdir { dir };
        w.settings("");
        w
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `civicrawl.toml` with test defaults plus `extra` lines in `[crawl]`. The test
    /// servers listen on loopback, so private networks are allowed unless `extra` says.
    pub fn settings(&self, extra: &str) {
        let private = if extra.contains("allow_private_networks") {
            ""
        } else {
            "allow_private_networks = true\n"
        };
        let text = format!(
            "[crawl]\ncontact = \"https://civicrawl.test/contact\"\nretry_base_ms = 50\ntimeout_s = 10\n{private}{extra}\n"
        );
        std::fs::write(self.path().join("civicrawl.toml"), text).unwrap();
    }

    /// Writes `sources/<id>.toml`.
    pub fn source(&self, id: &str, text: &str) {
        std::fs::write(self.path().join("sources").join(format!("{id}.toml")), text).unwrap();
    }

    pub fn out(&self) -> PathBuf {
        self.path().join("output")
    }

    /// The directory `output/latest` points at.
    pub fn latest(&self) -> PathBuf {
        std::fs::canonicalize(self.out().join("latest")).expect("output/latest exists")
    }

    /// The binary as a command to run in this directory.
    pub fn command(&self, args: &[&str], envs: &[(&str, &str)]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_civicrawl"));
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("GITHUB_TOKEN")
            .env_remove("CIVICRAWL_FAILPOINT")
            .env_remove("CIVICRAWL_TEST_PUBLIC_HOSTS")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("ALL_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("all_proxy")
            .env("NO_COLOR", "1");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the binary with `args` in this directory (off the async runtime's threads).
    pub async fn civicrawl(&self, args: &[&str]) -> Run {
        self.civicrawl_env(args, &[]).await
    }

    /// Runs the binary with `args` and extra environment variables.
    pub async fn civicrawl_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args, envs);
        let started = Instant::now();
        let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run {
            output,
            elapsed: started.elapsed(),
        }
    }
}

/// A finished run of the binary.
pub struct Run {
    pub output: Output,
    pub elapsed: std::time::Duration,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    /// Panics with the output when the exit code differs.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "exit code; stderr:\n{}\nstdout:\n{}",
            self.stderr(),
            self.stdout()
        );
        assert!(!self.stderr().contains("panicked"), "{}", self.stderr());
        self
    }
}

/// Reads a JSONL file into values.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The fixture file `tests/fixtures/<rel>` with `{{base}}` replaced.
pub fn fixture(rel: &str, base: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .replace("{{base}}", base)
        .into_bytes()
}
