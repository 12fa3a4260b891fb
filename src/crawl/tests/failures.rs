//! Retries, caps, redirects, connection failures, headers and the errors' text.

use super::*;

#[tokio::test]
async fn retry_after_in_seconds_is_honoured_then_the_retry_succeeds() {
    let server = Server::scripted(|path, n| match (path, n) {
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
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(|_, _| reply(404, "not here")).await;
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
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(move |path, _| match path {
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
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(plain_site).await;
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
    let server = Server::scripted(plain_site).await;
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
    let server = Server::scripted(|path, _| match path {
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
