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

#[tokio::test]
async fn a_path_disallowed_by_robots_is_never_requested() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(200, "User-agent: *\nDisallow: /private\n"),
        _ => reply(200, "ok"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();

    let err = get(&fetcher, server.url("/private/tool?id=1"), &stats)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Disallowed { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(server.url("/private/tool?id=1").as_str()),
        "{err}"
    );
    let ok = get(&fetcher, server.url("/public"), &stats).await.unwrap();
    assert_eq!(ok.body, b"ok");

    assert_eq!(server.paths(), ["/robots.txt", "/public"]);
    assert_eq!(FetchStats::get(&stats.robots_disallowed), 1);
    assert_eq!(FetchStats::get(&stats.requests), 2);
}

#[tokio::test]
async fn robots_rules_for_civicrawl_apply_to_us() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(
            200,
            "User-agent: otherbot\nDisallow: /\n\nUser-agent: civicrawl\nDisallow: /admin\n",
        ),
        _ => reply(200, "ok"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    assert!(get(&fetcher, server.url("/tools"), &stats).await.is_ok());
    let err = get(&fetcher, server.url("/admin"), &stats)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Disallowed { .. }), "{err}");
    assert_eq!(server.hits("/admin"), 0);
}

#[tokio::test]
async fn robots_404_allows_all() {
    let server = Server::start(plain_site).await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    let resp = get(&fetcher, server.url("/anything"), &stats)
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"page /anything");
    assert_eq!(server.paths(), ["/robots.txt", "/anything"]);
}

#[tokio::test]
async fn robots_that_do_not_parse_allow_all() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(200, vec![0xff, 0xfe, b'\n', 0x00, 0xc3]),
        _ => reply(200, "ok"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    assert!(
        get(&fetcher, server.url("/a"), &FetchStats::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn robots_503_skips_the_host_and_its_pages_are_never_requested() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(503, "down for maintenance"),
        _ => reply(200, "ok"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();

    for path in ["/a", "/b"] {
        let err = get(&fetcher, server.url(path), &stats).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, FetchError::HostSkipped { .. }), "{text}");
        assert!(text.contains(server.url(path).as_str()), "{text}");
        assert!(text.contains(server.url("/robots.txt").as_str()), "{text}");
        assert!(text.contains("HTTP 503 after 4 attempt(s)"), "{text}");
    }
    // robots.txt retried as any request (4 attempts), then never again; no page requested.
    assert_eq!(server.paths(), vec!["/robots.txt"; 4]);
    assert_eq!(FetchStats::get(&stats.requests), 4);
    assert_eq!(FetchStats::get(&stats.retries), 3);
}

#[tokio::test]
async fn unreachable_robots_skips_the_host_with_the_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let fetcher = Fetcher::new(&settings()).unwrap();
    let url = Url::parse(&format!("http://{addr}/page")).unwrap();
    fetcher.register_host(&url, FAST);
    let stats = FetchStats::default();
    let err = get(&fetcher, url.clone(), &stats).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, FetchError::HostSkipped { .. }), "{text}");
    assert!(text.contains(url.as_str()), "{text}");
    assert!(text.contains("robots.txt"), "{text}");
    assert!(text.to_lowercase().contains("connect"), "{text}");
    assert_eq!(FetchStats::get(&stats.requests), 4);
}

#[tokio::test]
async fn robots_txt_is_fetched_once_for_many_concurrent_fetches() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(200, "User-agent: *\nAllow: /\n"),
        _ => reply(200, "ok"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = Arc::new(FetchStats::default());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (fetcher, stats, url) = (
            fetcher.clone(),
            stats.clone(),
            server.url(&format!("/p{i}")),
        );
        tasks.spawn(async move {
            fetcher
                .fetch(&Request::get(url), &stats)
                .await
                .map(|r| r.status)
        });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    for i in 0..3 {
        get(&fetcher, server.url(&format!("/q{i}")), &stats)
            .await
            .unwrap();
    }
    assert_eq!(server.hits("/robots.txt"), 1);
    assert_eq!(FetchStats::get(&stats.requests), 16);
}

#[tokio::test]
async fn crawl_delay_slows_a_faster_rate() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(200, "User-agent: *\nCrawl-delay: 1\n"),
        _ => reply(200, "ok"),
    })
    .await;
    let rate = Rate {
        per_second: 10.0,
        burst: 1,
    };
    let fetcher = fetcher_for(&server, rate, &settings());
    let stats = FetchStats::default();
    let started = Instant::now();
    for path in ["/1", "/2", "/3"] {
        get(&fetcher, server.url(path), &stats).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let (t1, t3) = (server.times("/1")[0], server.times("/3")[0]);
    assert!(t3 - t1 >= Duration::from_millis(1950), "{:?}", t3 - t1);
}

/// Fetches `n` pages of `server` all at once and returns when all are done.
async fn burst_of(fetcher: Arc<Fetcher>, server: &Server, n: usize, stats: Arc<FetchStats>) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let (fetcher, stats, url) = (
            fetcher.clone(),
            stats.clone(),
            server.url(&format!("/r{i}")),
        );
        tasks.spawn(async move { fetcher.fetch(&Request::get(url), &stats).await.map(|_| ()) });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
}

#[tokio::test]
async fn host_rate_is_never_exceeded_and_hosts_run_in_parallel() {
    let (a, b) = (
        Server::start(plain_site).await,
        Server::start(plain_site).await,
    );
    let rate = Rate {
        per_second: 5.0,
        burst: 1,
    };
    let fetcher = Arc::new(Fetcher::new(&settings()).unwrap());
    fetcher.register_host(&a.base, rate);
    fetcher.register_host(&b.base, rate);
    let stats = Arc::new(FetchStats::default());

    let started = Instant::now();
    tokio::join!(
        burst_of(fetcher.clone(), &a, 11, stats.clone()),
        burst_of(fetcher.clone(), &b, 11, stats.clone()),
    );
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(3500), "{elapsed:?}");

    for server in [&a, &b] {
        // robots.txt + 11 pages, sent at least 200 ms apart. The server sees them arrive with
        // some scheduling delay each (up to tens of ms on a loaded 2-core machine), so a
        // single gap can look shorter; over any run of requests the pace still holds: k
        // gaps take at least k × 200 ms, less one delay.
        let log = server.log.lock().unwrap();
        assert_eq!(log.len(), 12);
        let jitter = Duration::from_millis(100);
        for i in 0..log.len() {
            for j in i + 1..log.len() {
                let span = log[j].at - log[i].at;
                let paced = Duration::from_millis(200) * (j - i) as u32;
                assert!(span + jitter >= paced, "requests {i}..{j}: {span:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_shared_host_keeps_the_strictest_rate_of_its_sources() {
    let server = Server::start(plain_site).await;
    let fetcher = Fetcher::new(&settings()).unwrap();
    fetcher.register_host(&server.url("/feed.json"), FAST);
    fetcher.register_host(
        &server.url("/other"),
        Rate {
            per_second: 5.0,
            burst: 1,
        },
    );
    let stats = Arc::new(FetchStats::default());
    let started = Instant::now();
    burst_of(Arc::new(fetcher), &server, 5, stats).await;
    // robots.txt + 5 pages at 5/s: at least 1 s, not the 25 ms FAST would allow
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// A 200 whose headers come at once and whose body ends after `delay`.
fn slow_body(delay: Duration) -> Reply {
    let chunks = futures::stream::unfold(0, move |i| async move {
        match i {
            0 => Some((Ok::<_, std::io::Error>(b"first ".to_vec()), 1)),
            1 => {
                tokio::time::sleep(delay).await;
                Some((Ok(b"last".to_vec()), 2))
            }
            _ => None,
        }
    });
    reply(200, Body::from_stream(chunks))
}

#[tokio::test]
async fn the_global_permit_is_held_until_the_body_is_read() {
    let slow = |path: &str, _| match path {
        "/robots.txt" => reply(404, ""),
        _ => slow_body(Duration::from_millis(400)),
    };
    let (a, b) = (Server::start(slow).await, Server::start(slow).await);
    let one_at_a_time = CrawlSettings {
        concurrency: 1,
        ..settings()
    };
    let fetcher = Fetcher::new(&one_at_a_time).unwrap();
    fetcher.register_host(&a.base, FAST);
    fetcher.register_host(&b.base, FAST);
    let stats = FetchStats::default();
    let started = Instant::now();
    let (ra, rb) = tokio::join!(
        get(&fetcher, a.url("/slow"), &stats),
        get(&fetcher, b.url("/slow"), &stats),
    );
    assert_eq!(ra.unwrap().body, b"first last");
    assert_eq!(rb.unwrap().body, b"first last");
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured_then_the_retry_succeeds() {
    let server = Server::start(|path, n| match (path, n) {
        ("/robots.txt", _) => reply(404, ""),
        ("/flaky", 0) => reply_with(503, &[("retry-after", "1")], "busy"),
        _ => reply(200, "finally"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    let resp = get(&fetcher, server.url("/flaky"), &stats).await.unwrap();
    assert_eq!(resp.body, b"finally");
    let times = server.times("/flaky");
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - times[0] >= Duration::from_secs(1),
        "{:?}",
        times[1] - times[0]
    );
    assert_eq!(FetchStats::get(&stats.retries), 1);
    assert_eq!(FetchStats::get(&stats.requests), 3);
}

#[tokio::test]
async fn retry_after_beyond_the_max_wait_fails_at_once() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(404, ""),
        _ => reply_with(429, &[("retry-after", "3600")], "slow down"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    let err = get(&fetcher, server.url("/api"), &stats).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Status {
                status: 429,
                attempts: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.hits("/api"), 1);
    assert_eq!(FetchStats::get(&stats.retries), 0);
}

#[tokio::test]
async fn four_500s_give_a_status_error_after_four_attempts() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(404, ""),
        _ => reply(500, "  <h1>Internal\n\n   error</h1>  "),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    let url = server.url("/boom");
    let err = get(&fetcher, url.clone(), &stats).await.unwrap_err();
    match &err {
        FetchError::Status {
            status,
            attempts,
            body,
            ..
        } => {
            assert_eq!((*status, *attempts), (500, 4));
            assert_eq!(body, "<h1>Internal error</h1>");
        }
        other => panic!("{other}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("GET {url}: HTTP 500 after 4 attempt(s) in ")),
        "{text}"
    );
    assert!(text.ends_with("ms: <h1>Internal error</h1>"), "{text}");
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.hits("/boom"), 4);
    assert_eq!(FetchStats::get(&stats.retries), 3);
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let server = Server::start(|_, _| reply(404, "not here")).await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    let err = get(&fetcher, server.url("/gone"), &stats)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Status {
                status: 404,
                attempts: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.hits("/gone"), 1);
    assert_eq!(FetchStats::get(&stats.retries), 0);
}

fn small_cap() -> CrawlSettings {
    CrawlSettings {
        max_body_bytes: 1000,
        ..settings()
    }
}

#[tokio::test]
async fn a_body_over_the_cap_is_too_large() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(404, ""),
        "/big" => reply(200, vec![b'x'; 5000]),
        "/streamed" => {
            let chunks = (0..50).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 100]));
            reply(200, Body::from_stream(futures::stream::iter(chunks)))
        }
        _ => reply(200, vec![b'z'; 1000]),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &small_cap());
    let stats = FetchStats::default();
    for path in ["/big", "/streamed"] {
        let url = server.url(path);
        let err = get(&fetcher, url.clone(), &stats).await.unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge { limit: 1000, .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            format!("GET {url}: body larger than the cap of 1000 bytes")
        );
        assert_eq!(server.hits(path), 1, "not retried");
    }
    let at_cap = get(&fetcher, server.url("/exact"), &stats).await.unwrap();
    assert_eq!(at_cap.body.len(), 1000);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        w.write_all(data).unwrap();
    }
    out
}

#[tokio::test]
async fn the_cap_applies_after_decompression() {
    let bomb = gzip(&vec![0u8; 200_000]);
    assert!(bomb.len() < 1000);
    let server = Server::start(move |path, _| match path {
        "/robots.txt" => reply(404, ""),
        "/bomb.json" => reply_with(200, &[("content-encoding", "gzip")], bomb.clone()),
        "/small.json" => reply_with(200, &[("content-encoding", "gzip")], gzip(b"[1,2,3]")),
        _ => reply_with(
            200,
            &[("content-encoding", "br")],
            brotli(b"{\"brotli\":true}"),
        ),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &small_cap());
    let stats = FetchStats::default();
    let url = server.url("/bomb.json");
    let err = get(&fetcher, url.clone(), &stats).await.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains(url.as_str()), "{err}");

    let small = get(&fetcher, server.url("/small.json"), &stats)
        .await
        .unwrap();
    assert_eq!(small.body, b"[1,2,3]");
    let br = get(&fetcher, server.url("/br.json"), &stats).await.unwrap();
    assert_eq!(br.body, b"{\"brotli\":true}");
    let accept = server.headers("/small.json");
    let accept = accept["accept-encoding"].to_str().unwrap();
    assert!(accept.contains("gzip") && accept.contains("br"), "{accept}");
}

#[tokio::test]
async fn a_redirect_loop_is_too_many_redirects_naming_the_first_url() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(404, ""),
        "/loop-a" => reply_with(302, &[("location", "/loop-b")], ""),
        "/loop-b" => reply_with(302, &[("location", "/loop-a")], ""),
        "/hop1" => reply_with(301, &[("location", "/hop2")], ""),
        "/hop2" => reply_with(302, &[("location", "/landing")], ""),
        _ => reply(200, "landed"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    let url = server.url("/loop-a");
    let err = get(&fetcher, url.clone(), &stats).await.unwrap_err();
    assert!(matches!(err, FetchError::TooManyRedirects { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("GET {url}: too many redirects")),
        "{err}"
    );
    assert!(server.hits("/loop-a") + server.hits("/loop-b") <= 6);

    let resp = get(&fetcher, server.url("/hop1"), &stats).await.unwrap();
    assert_eq!(resp.url, server.url("/hop1"));
    assert_eq!(resp.final_url, server.url("/landing"));
    assert_eq!(resp.body, b"landed");
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_naming_the_url() {
    let server = Server::start(plain_site).await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let stats = FetchStats::default();
    get(&fetcher, server.url("/up"), &stats).await.unwrap();
    let url = server.url("/down");
    server.stop().await; // robots.txt is known; the port now refuses connections

    let err = get(&fetcher, url.clone(), &stats).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, FetchError::Network { attempts: 4, .. }),
        "{text}"
    );
    assert!(text.starts_with(&format!("GET {url}: ")), "{text}");
    assert!(text.ends_with("after 4 attempt(s)"), "{text}");
}

#[tokio::test]
async fn user_agent_headers_and_bearer_token_are_sent() {
    let server = Server::start(plain_site).await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let mut req = Request::get(server.url("/api/repos"));
    req.headers
        .push(("Accept".into(), "application/vnd.github+json".into()));
    req.bearer = Some(Secret::new("ghp_s3cr3t-token"));
    let resp = fetcher.fetch(&req, &FetchStats::default()).await.unwrap();
    assert_eq!(
        resp.header("x-served-by"),
        Some("loopback"),
        "names lowercase"
    );

    let expected_ua = format!("civicrawl/{} (+{CONTACT})", env!("CARGO_PKG_VERSION"));
    let seen = server.headers("/api/repos");
    assert_eq!(seen["user-agent"], expected_ua.as_str());
    assert_eq!(seen["authorization"], "Bearer ghp_s3cr3t-token");
    assert_eq!(seen["accept"], "application/vnd.github+json");
    let robots = server.headers("/robots.txt");
    assert_eq!(robots["user-agent"], expected_ua.as_str());
    assert!(
        robots.get("authorization").is_none(),
        "token sent only where asked"
    );

    let debug = format!("{req:?}");
    assert!(!debug.contains("s3cr3t"), "{debug}");
    assert!(!debug.contains("vnd.github"), "{debug}");
    assert!(
        debug.contains("REDACTED") && debug.contains("Accept"),
        "{debug}"
    );
}

#[tokio::test]
async fn errors_never_carry_the_token() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => reply(404, ""),
        _ => reply(401, "bad credentials"),
    })
    .await;
    let fetcher = fetcher_for(&server, FAST, &settings());
    let mut req = Request::get(server.url("/private"));
    req.bearer = Some(Secret::new("ghp_s3cr3t-token"));
    let err = fetcher
        .fetch(&req, &FetchStats::default())
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    assert!(!format!("{err:?}").contains("s3cr3t"), "{err:?}");
}

#[tokio::test]
async fn non_http_urls_are_refused_before_any_request() {
    let fetcher = Fetcher::new(&settings()).unwrap();
    let url = Url::parse("file:///etc/passwd").unwrap();
    let stats = FetchStats::default();
    let err = get(&fetcher, url, &stats).await.unwrap_err();
    assert!(matches!(err, FetchError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("file:///etc/passwd"), "{err}");
    assert_eq!(FetchStats::get(&stats.requests), 0);
}

#[test]
fn every_error_message_names_the_url() {
    let url = "https://example.org/tools.json".to_string();
    let errors = [
        FetchError::Disallowed { url: url.clone() },
        FetchError::HostSkipped {
            url: url.clone(),
            reason: "robots.txt unavailable".into(),
        },
        FetchError::Status {
            url: url.clone(),
            status: 502,
            attempts: 4,
            elapsed_ms: 1234,
            body: String::new(),
        },
        FetchError::Network {
            url: url.clone(),
            message: "connection refused".into(),
            attempts: 4,
        },
        FetchError::TooLarge {
            url: url.clone(),
            limit: 10,
        },
        FetchError::TooManyRedirects { url: url.clone() },
        FetchError::Refused {
            url: url.clone(),
            message: "nope".into(),
        },
    ];
    for err in &errors {
        assert!(
            err.to_string().starts_with(&format!("GET {url}: ")),
            "{err}"
        );
    }
    assert_eq!(
        errors[2].to_string(),
        "GET https://example.org/tools.json: HTTP 502 after 4 attempt(s) in 1234 ms"
    );
}

/// Validators kept in memory, as the state store keeps them on disk.
#[derive(Default)]
struct MemValidators(Mutex<std::collections::HashMap<(String, String), crate::model::Validators>>);

impl conditional::ValidatorStore for Arc<MemValidators> {
    fn get(&self, url: &str, cred: &str) -> Option<crate::model::Validators> {
        self.0
            .lock()
            .unwrap()
            .get(&(url.to_string(), cred.to_string()))
            .cloned()
    }
    fn put(&self, url: &str, cred: &str, v: &crate::model::Validators) {
        self.0
            .lock()
            .unwrap()
            .insert((url.to_string(), cred.to_string()), v.clone());
    }
}

/// Answers with an ETag and honours `If-None-Match`.
fn etag_site(path: &str, headers: &HeaderMap) -> Reply {
    if path == "/robots.txt" {
        return reply(404, "");
    }
    let etag = format!("\"v1-{}\"", path.len());
    if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return reply(304, "");
    }
    reply_with(200, &[("etag", etag.as_str())], format!("body of {path}"))
}

#[tokio::test]
async fn a_second_fetch_is_conditional_and_a_304_reuses_the_archived_body() {
    let log: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let seen = log.clone();
    // The script sees only the path; keep headers through a side log written by a wrapper.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let seen = seen.clone();
        async move {
            let path = req.uri().path().to_string();
            seen.lock().unwrap().push(req.headers().clone());
            etag_site(&path, req.headers())
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = Url::parse(&format!("http://{addr}/")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemValidators::default());
    let make = || {
        let f = Fetcher::new(&settings()).unwrap().with_cache(Cache {
            archive: archive::Archive::new(dir.path()),
            store: Box::new(store.clone()),
        });
        f.register_host(&base, FAST);
        f
    };
    let url = base.join("/tools.json").unwrap();
    let first = make();
    let stats = FetchStats::default();
    let a = get(&first, url.clone(), &stats).await.unwrap();
    assert!(!a.not_modified);
    assert_eq!(a.body, b"body of /tools.json");
    // A new run: new fetcher, same store and archive.
    let second = make();
    let stats2 = FetchStats::default();
    let b = get(&second, url.clone(), &stats2).await.unwrap();
    assert!(b.not_modified);
    assert_eq!(b.status, 200);
    assert_eq!(b.body, a.body);
    assert_eq!(FetchStats::get(&stats2.not_modified), 1);
    let sent = log.lock().unwrap();
    let conditional: Vec<_> = sent
        .iter()
        .filter(|h| h.contains_key("if-none-match"))
        .collect();
    assert_eq!(
        conditional.len(),
        1,
        "only the second page fetch is conditional"
    );
    assert_eq!(conditional[0]["if-none-match"], "\"v1-11\"");
}

#[tokio::test]
async fn validators_are_kept_per_credential() {
    let url = Url::parse("https://api.test/x").unwrap();
    let anon = Request::get(url.clone());
    let mut with_token = Request::get(url);
    with_token.bearer = Some(Secret::new("token-one"));
    let h = conditional::credential_hash(&with_token);
    assert_eq!(conditional::credential_hash(&anon), "");
    assert_eq!(h.len(), 16);
    assert!(!h.contains("token"));
    with_token.bearer = Some(Secret::new("token-two"));
    assert_ne!(conditional::credential_hash(&with_token), h);
}
