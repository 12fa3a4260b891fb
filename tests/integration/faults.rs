//! Issue 2: politeness and faults through the whole binary: rate limits per host, retries
//! with `Retry-After`, failing sources that do not stop the others, bad bodies named by URL.

use std::time::Duration;

use crate::spine::{directory_decl, registry_and_directory, registry_decl};
use crate::support::{Reply, Server, Workdir, read_jsonl};

fn json_source(url: &str, rate: f64) -> String {
    format!(
        r#"kind = "json"
url = "{url}"
records = "$.items[*]"
next = "$.next"
rate = {{ per_second = {rate:.1}, burst = 1 }}
[fields]
record_id = "$.id"
name = "$.name"
homepage = "$.homepage"
"#
    )
}

/// A JSON feed of `pages` pages with one record each, ids prefixed by `tag`.
async fn paged_server(tag: &str, pages: usize) -> Server {
    let s = Server::start().await;
    s.always("/robots.txt", Reply::status(404));
    for p in 1..=pages {
        let next = if p < pages {
            format!("\"/feed?p={}\"", p + 1)
        } else {
            "null".to_string()
        };
        let body = format!(
            r#"{{"items": [{{"id": "{tag}-{p}", "name": "{tag} tool {p}", "homepage": "https://{tag}-{p}.example.org"}}], "next": {next}}}"#
        );
        let target = if p == 1 {
            "/feed".to_string()
        } else {
            format!("/feed?p={p}")
        };
        s.always(&target, Reply::json(body));
    }
    s
}

fn span(server: &Server) -> (std::time::Instant, std::time::Instant) {
    let log = server.log();
    (log.first().unwrap().at, log.last().unwrap().at)
}

#[tokio::test]
async fn rate_per_host_is_kept_while_hosts_run_in_parallel() {
    let a = paged_server("a", 11).await;
    let b = paged_server("b", 11).await;
    let w = Workdir::new();
    w.source("a", &json_source(&format!("{}/feed", a.base()), 5.0));
    w.source("b", &json_source(&format!("{}/feed", b.base()), 5.0));
    w.civicrawl(&["run"]).await.expect_code(0);
    assert_eq!(a.log().len(), 12, "robots.txt + 11 pages");
    let (a0, a1) = span(&a);
    let (b0, b1) = span(&b);
    // 11 page requests at 5/s, burst 1 (after robots.txt): at least 10 intervals of 200 ms.
    assert!(
        a1 - a0 >= Duration::from_millis(2000),
        "host a took {:?}",
        a1 - a0
    );
    assert!(
        b1 - b0 >= Duration::from_millis(2000),
        "host b took {:?}",
        b1 - b0
    );
    // In parallel: each host started before the other finished, and the whole took well under 2×.
    assert!(b0 < a1 && a0 < b1, "the two hosts overlap in time");
    let total = a1.max(b1) - a0.min(b0);
    assert!(
        total < Duration::from_millis(3600),
        "both hosts took {total:?}"
    );
    let tools = read_jsonl(&w.latest().join("tools.jsonl"));
    assert_eq!(tools.len(), 22);
}

#[tokio::test]
async fn retry_after_is_honoured_and_four_500s_fail_only_their_source() {
    let flaky = Server::start().await;
    flaky.always("/robots.txt", Reply::status(404));
    flaky.route(
        "/feed",
        vec![
            Reply::status(503).header("retry-after", "1"),
            Reply::json(r#"{"items": [{"id": "x", "name": "Flaky but fine", "homepage": "https://flaky.example.org"}], "next": null}"#),
        ],
    );
    let broken = Server::start().await;
    broken.always("/robots.txt", Reply::status(404));
    broken.always("/feed", Reply::status(500));
    let w = Workdir::new();
    w.source(
        "flaky",
        &json_source(&format!("{}/feed", flaky.base()), 10.0),
    );
    w.source(
        "broken",
        &json_source(&format!("{}/feed", broken.base()), 10.0),
    );
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(3);

    let feed: Vec<_> = flaky
        .log()
        .into_iter()
        .filter(|s| s.target == "/feed")
        .collect();
    assert_eq!(feed.len(), 2);
    assert!(
        feed[1].at - feed[0].at >= Duration::from_secs(1),
        "waited {:?}",
        feed[1].at - feed[0].at
    );
    assert_eq!(broken.hits("/feed"), 4, "bounded attempts (default 4)");

    let err = run.stderr();
    assert!(err.contains("broken"), "{err}");
    assert!(
        err.contains(&format!("{}/feed", broken.base())),
        "names the URL: {err}"
    );
    assert!(err.contains("500"), "{err}");
    let latest = w.latest();
    let tools = read_jsonl(&latest.join("tools.jsonl"));
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0]["name"], "Flaky but fine");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(latest.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["sources_failed"], serde_json::json!(["broken"]));
    let flaky_report = &report["sources"][1];
    assert_eq!(flaky_report["id"], "flaky");
    assert_eq!(flaky_report["retries"], 1);
}

#[tokio::test]
async fn bad_bodies_and_redirect_loops_are_named_by_url() {
    let s = Server::start().await;
    s.always("/robots.txt", Reply::status(404));
    s.always(
        "/malformed.json",
        Reply::json(r#"{"items": [{"id": "a", "name": "x"},]"#),
    );
    s.always(
        "/empty/",
        Reply::html("<html><body><p>No tools here yet.</p></body></html>"),
    );
    s.always("/huge.json", Reply::json(vec![b' '; 300 * 1024]));
    s.always("/loop-a", Reply::status(302).header("location", "/loop-b"));
    s.always("/loop-b", Reply::status(302).header("location", "/loop-a"));
    s.always(
        "/good.json",
        Reply::json(r#"{"items": [{"id": "g", "name": "Good tool", "homepage": "https://good.example.org"}], "next": null}"#),
    );
    let b = s.base();
    let w = Workdir::new();
    w.settings("max_body_bytes = 102400");
    w.source(
        "malformed",
        &json_source(&format!("{b}/malformed.json"), 50.0),
    );
    w.source("huge", &json_source(&format!("{b}/huge.json"), 50.0));
    w.source("loop", &json_source(&format!("{b}/loop-a"), 50.0));
    w.source("good", &json_source(&format!("{b}/good.json"), 50.0));
    w.source(
        "empty",
        &format!(
            "kind = \"html\"\nstart_urls = [\"{b}/empty/\"]\nitem = \"article.tool\"\nrate = {{ per_second = 50.0 }}\n[fields]\nname = \"h2\"\n"
        ),
    );
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(3);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.latest().join("report.json")).unwrap()).unwrap();
    let error_of = |id: &str| -> String {
        report["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has an error: {report:#}"))
            .to_string()
    };
    let malformed = error_of("malformed");
    assert!(
        malformed.contains(&format!("{b}/malformed.json")),
        "{malformed}"
    );
    let huge = error_of("huge");
    assert!(
        huge.contains(&format!("{b}/huge.json")) && huge.contains("102400"),
        "{huge}"
    );
    let looped = error_of("loop");
    assert!(
        looped.contains(&format!("{b}/loop-a")) && looped.contains("redirect"),
        "{looped}"
    );
    let empty = error_of("empty");
    assert!(
        empty.contains(&format!("{b}/empty/")) && empty.contains("article.tool"),
        "{empty}"
    );
    assert_eq!(
        report["sources_failed"],
        serde_json::json!(["empty", "huge", "loop", "malformed"])
    );
    let tools = read_jsonl(&w.latest().join("tools.jsonl"));
    assert_eq!(tools.len(), 1);
}

#[tokio::test]
async fn when_every_source_fails_nothing_is_published_and_latest_stays() {
    let (_reg, _dir, w) = registry_and_directory().await;
    w.civicrawl(&["run"]).await.expect_code(0);
    let first = w.latest();
    let before = std::fs::read(first.join("tools.csv")).unwrap();

    // Both hosts now unreachable: bind and drop listeners to get closed ports.
    let closed = |_: ()| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    w.source("registry", &registry_decl(&closed(())));
    w.source("directory", &directory_decl(&closed(())));
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(1);
    let err = run.stderr();
    assert!(err.contains("nothing was published"), "{err}");
    assert!(
        err.contains("registry:") && err.contains("directory:"),
        "{err}"
    );
    assert_eq!(w.latest(), first, "latest unchanged");
    assert_eq!(std::fs::read(first.join("tools.csv")).unwrap(), before);
    let releases = std::fs::read_dir(w.out().join("releases")).unwrap().count();
    assert_eq!(releases, 1, "no new release directory");
}

#[tokio::test]
async fn a_run_past_its_deadline_cuts_the_slow_source_and_publishes_the_others() {
    let s = Server::start().await;
    s.always("/robots.txt", Reply::status(404));
    s.always(
        "/fast",
        Reply::json(r#"{"items": [{"id": "a", "name": "Decidim"}], "next": null}"#),
    );
    s.always(
        "/slow",
        Reply::json(r#"{"items": [{"id": "b", "name": "Loomio"}], "next": null}"#)
            .delayed(Duration::from_secs(60)),
    );
    let w = Workdir::new();
    w.settings("max_run_s = 2");
    w.source("fast", &json_source(&format!("{}/fast", s.base()), 50.0));
    w.source("slow", &json_source(&format!("{}/slow", s.base()), 50.0));
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(3);
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.latest().join("report.json")).unwrap()).unwrap();
    let source = |id: &str| {
        report["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(source("fast")["status"], "ok");
    let slow = source("slow");
    assert!(
        slow["error"]
            .as_str()
            .unwrap()
            .contains("`[crawl] max_run_s` = 2 s"),
        "{slow}"
    );
    let tools = read_jsonl(&w.latest().join("tools.jsonl"));
    assert_eq!(tools.len(), 1);
}

#[tokio::test]
async fn a_release_that_loses_half_its_tools_or_a_first_one_with_none_is_not_published() {
    let s = Server::start().await;
    s.always("/robots.txt", Reply::status(404));
    let items = |tag: &str, n: usize| {
        let items: Vec<String> = (0..n)
            .map(|i| {
                let word = [
                    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                ][i];
                format!(r#"{{"id": "{tag}{i}", "name": "{tag} {word}"}}"#)
            })
            .collect();
        format!(r#"{{"items": [{}], "next": null}}"#, items.join(","))
    };
    s.always("/enrich", Reply::json(items("enrich", 3)));
    s.always("/big", Reply::json(items("big", 8)));
    s.always("/small", Reply::json(items("small", 2)));
    let w = Workdir::new();
    // A first run whose only source makes no tool (it only enriches): no release.
    w.source(
        "enrich",
        &format!(
            "role = \"enrich\"\n{}",
            json_source(&format!("{}/enrich", s.base()), 50.0)
        ),
    );
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(1);
    assert!(
        run.stderr()
            .contains("the first release would have no tool"),
        "{}",
        run.stderr()
    );
    assert!(!w.out().join("latest").exists());
    // Ten tools, then a declaration deleted by mistake: two would be left.
    std::fs::remove_file(w.path().join("sources/enrich.toml")).unwrap();
    w.source("big", &json_source(&format!("{}/big", s.base()), 50.0));
    w.source("small", &json_source(&format!("{}/small", s.base()), 50.0));
    w.civicrawl(&["run"]).await.expect_code(0);
    let first = w.latest();
    std::fs::remove_file(w.path().join("sources/big.toml")).unwrap();
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(1);
    assert!(
        run.stderr()
            .contains("2 tools, fewer than half of the previous release's 10"),
        "{}",
        run.stderr()
    );
    assert_eq!(w.latest(), first, "latest unchanged");
    let build = w.civicrawl(&["build"]).await;
    build.expect_code(1);
    // Meant: accepted.
    w.civicrawl(&["run", "--accept-drop"]).await.expect_code(0);
    assert_eq!(read_jsonl(&w.latest().join("tools.jsonl")).len(), 2);
}
