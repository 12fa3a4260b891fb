//! robots.txt: what it allows, when it is fetched, what its failures do.

use super::*;

#[tokio::test]
async fn a_path_disallowed_by_robots_is_never_requested() {
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(plain_site).await;
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
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(|path, _| match path {
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
    let server = Server::scripted(|path, _| match path {
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
