//! Issue 3: the state store's memory: conditional requests on the second run, stale
//! retention, shrinking sources held back, `build` reproducing a release, the run lock.

use std::path::Path;
use std::time::Duration;

use crate::spine::registry_and_directory;
use crate::support::{Reply, Server, Workdir, read_jsonl};

fn report(release: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(release.join("report.json")).unwrap()).unwrap()
}

fn source<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {report:#}"))
}

#[tokio::test]
async fn a_second_run_over_unchanged_sources_is_answered_by_304s() {
    let (reg, dir, w) = registry_and_directory().await;
    w.civicrawl(&["run"]).await.expect_code(0);
    let first = w.latest();
    let (reg_before, dir_before) = (reg.log().len(), dir.log().len());
    let seen_before = reg_before + dir_before;
    let not_modified_before = reg.not_modified() + dir.not_modified();
    assert_eq!(not_modified_before, 0);

    // `--full`: the detail pages too are asked (without it they are read from the archive,
    // not being due for a revisit: tests/integration/revisit.rs).
    let second_run = w
        .civicrawl_env(&["run", "--full"], &[("CIVICRAWL_LOG", "civicrawl=debug")])
        .await;
    second_run.expect_code(0);
    let second = w.latest();
    assert_ne!(first, second);
    let requests = reg.log().len() + dir.log().len() - seen_before;
    let not_modified = reg.not_modified() + dir.not_modified();
    assert!(requests >= 10, "{requests}");
    let unconditional: Vec<String> = reg.log()[reg_before..]
        .iter()
        .chain(dir.log()[dir_before..].iter())
        .filter(|s| !s.headers.contains_key("if-none-match"))
        .map(|s| s.target.clone())
        .collect();
    assert!(
        not_modified * 100 >= requests * 95,
        "{not_modified} of {requests} requests answered 304; sent without validators: {unconditional:?}; {}",
        second_run.stderr()
    );
    // The client's own counts agree with the servers'.
    let r = report(&second);
    assert_eq!(r["requests"], requests);
    assert_eq!(r["not_modified"], not_modified);
    let changes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("changes.json")).unwrap()).unwrap();
    assert_eq!(
        changes["counts"],
        serde_json::json!({"added": 0, "removed": 0, "changed": 0})
    );
    // Same tools, ids and values; only `last_seen_at` moves (a 304 is a sighting too).
    let strip = |dir: &std::path::Path| -> Vec<serde_json::Value> {
        read_jsonl(&dir.join("tools.jsonl"))
            .into_iter()
            .map(|mut t| {
                t.as_object_mut().unwrap().remove("last_seen_at");
                t
            })
            .collect()
    };
    assert_eq!(strip(&first), strip(&second));
}

#[tokio::test]
async fn a_source_failing_later_keeps_its_records_flagged_stale() {
    let (reg, _dir, w) = registry_and_directory().await;
    w.civicrawl(&["run"]).await.expect_code(0);
    let before = read_jsonl(&w.latest().join("tools.jsonl"));
    let alaveteli_before = before
        .iter()
        .find(|t| t["name"] == "Alaveteli")
        .unwrap()
        .clone();

    // The registry breaks: every page answers 500.
    reg.always("/api/v1/software", Reply::status(500));
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(3);
    assert!(
        run.stderr().contains("source `registry` failed"),
        "{}",
        run.stderr()
    );
    let latest = w.latest();
    let tools = read_jsonl(&latest.join("tools.jsonl"));
    assert_eq!(tools.len(), before.len(), "nothing lost");
    let alaveteli = tools.iter().find(|t| t["name"] == "Alaveteli").unwrap();
    assert_eq!(alaveteli["stale"], true);
    assert_eq!(alaveteli["last_seen_at"], alaveteli_before["last_seen_at"]);
    assert_eq!(alaveteli["id"], alaveteli_before["id"]);
    // A tool that the directory still vouches for is not stale.
    let decidim = tools.iter().find(|t| t["name"] == "Decidim").unwrap();
    assert_eq!(decidim["stale"], false);
    let r = report(&latest);
    assert_eq!(r["sources_stale"], serde_json::json!(["registry"]));
    let registry = source(&r, "registry");
    assert_eq!(registry["status"], "stale");
    assert!(
        registry["error"].as_str().unwrap().contains("HTTP 500"),
        "{registry}"
    );
    let records = read_jsonl(&latest.join("source_records.jsonl"));
    assert!(
        records
            .iter()
            .filter(|r| r["source_id"] == "registry")
            .all(|r| r["stale"] == true)
    );
}

fn feed(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"id": "t{i}", "name": "Tool {i}", "homepage": "https://tool-{i}.example.org"}}"#))
        .collect();
    format!(r#"{{"items": [{}]}}"#, items.join(","))
}

#[tokio::test]
async fn a_listing_shrinking_from_40_to_10_is_held_back_unless_accepted() {
    let s = Server::start().await;
    s.always("/robots.txt", Reply::status(404));
    s.always("/feed.json", Reply::json(feed(40)));
    let w = Workdir::new();
    w.source(
        "feed",
        &format!(
            "kind = \"json\"\nurl = \"{}/feed.json\"\nrecords = \"$.items[*]\"\nrate = {{ per_second = 50.0 }}\n[fields]\nrecord_id = \"$.id\"\nname = \"$.name\"\nhomepage = \"$.homepage\"\n",
            s.base()
        ),
    );
    w.civicrawl(&["run"]).await.expect_code(0);
    assert_eq!(read_jsonl(&w.latest().join("tools.jsonl")).len(), 40);

    s.always("/feed.json", Reply::json(feed(10)));
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(3);
    assert!(
        run.stderr().contains("fell from 40 to 10"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("--accept-drop"), "{}", run.stderr());
    let tools = read_jsonl(&w.latest().join("tools.jsonl"));
    assert_eq!(tools.len(), 40, "held back: the earlier records stay");
    assert!(tools.iter().all(|t| t["stale"] == true));

    let run = w.civicrawl(&["run", "--accept-drop"]).await;
    run.expect_code(0);
    let tools = read_jsonl(&w.latest().join("tools.jsonl"));
    assert_eq!(tools.len(), 10);
    assert!(tools.iter().all(|t| t["stale"] == false));
}

#[tokio::test]
async fn build_reproduces_the_release_byte_for_byte_without_network() {
    let (reg, dir, w) = registry_and_directory().await;
    w.civicrawl(&["run"]).await.expect_code(0);
    let fetched = w.latest();
    let requests = reg.log().len() + dir.log().len();

    w.civicrawl(&["build"]).await.expect_code(0);
    let rebuilt = w.latest();
    assert_ne!(fetched, rebuilt, "a new release directory");
    assert_eq!(reg.log().len() + dir.log().len(), requests, "no request");
    for f in civicrawl::publish::data_files() {
        assert_eq!(
            std::fs::read(fetched.join(f)).unwrap(),
            std::fs::read(rebuilt.join(f)).unwrap(),
            "{f} differs between run and build"
        );
    }
    assert_eq!(report(&rebuilt)["mode"], "build");
}

#[tokio::test]
async fn two_runs_never_overlap_the_second_exits_4_or_waits() {
    // A slow source: 6 pages at 2 requests/s keeps the first run busy for ~3 s.
    let s = Server::start().await;
    s.always("/robots.txt", Reply::status(404));
    for p in 1..=6 {
        let next = if p < 6 {
            format!("\"/feed?p={}\"", p + 1)
        } else {
            "null".into()
        };
        let target = if p == 1 {
            "/feed".to_string()
        } else {
            format!("/feed?p={p}")
        };
        s.always(
            &target,
            Reply::json(format!(
                r#"{{"items": [{{"id": "{p}", "name": "Tool {p}", "homepage": "https://t{p}.example.org"}}], "next": {next}}}"#
            )),
        );
    }
    let w = Workdir::new();
    w.source(
        "slow",
        &format!(
            "kind = \"json\"\nurl = \"{}/feed\"\nrecords = \"$.items[*]\"\nnext = \"$.next\"\nrate = {{ per_second = 2.0 }}\n[fields]\nrecord_id = \"$.id\"\nname = \"$.name\"\nhomepage = \"$.homepage\"\n",
            s.base()
        ),
    );
    let mut first = w
        .command(&["run"], &[])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first run is crawling (it holds the lock by then).
    let started = std::time::Instant::now();
    while s.hits("/feed") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "first run never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let second = w.civicrawl(&["run"]).await;
    second.expect_code(4);
    assert!(
        second.stderr().contains("another civicrawl run holds"),
        "{}",
        second.stderr()
    );
    assert!(
        second.elapsed < Duration::from_secs(2),
        "exits at once: {:?}",
        second.elapsed
    );
    let waiting = w.civicrawl(&["run", "--wait"]).await;
    waiting.expect_code(0);
    assert!(first.wait().unwrap().success());
    let releases = std::fs::read_dir(w.out().join("releases")).unwrap().count();
    assert_eq!(releases, 2, "both runs published, one after the other");
}
