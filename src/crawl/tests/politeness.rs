//! Host rates, crawl delays and the global permits.

use super::*;

#[tokio::test]
async fn crawl_delay_slows_a_faster_rate() {
    let server = Server::scripted(|path, _| match path {
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
        Server::scripted(plain_site).await,
        Server::scripted(plain_site).await,
    );
    let rate = Rate {
        per_second: 5.0,
        burst: 1,
    };
    let fetcher = Arc::new(Fetcher::new(&settings()).unwrap());
    fetcher.register_host(&a.url("/"), rate);
    fetcher.register_host(&b.url("/"), rate);
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
        let log = server.log();
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
    let server = Server::scripted(plain_site).await;
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
    let (a, b) = (Server::scripted(slow).await, Server::scripted(slow).await);
    let one_at_a_time = CrawlSettings {
        concurrency: 1,
        ..settings()
    };
    let fetcher = Fetcher::new(&one_at_a_time).unwrap();
    fetcher.register_host(&a.url("/"), FAST);
    fetcher.register_host(&b.url("/"), FAST);
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
