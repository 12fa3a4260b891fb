//! Issue 19 part 4: detail pages that do not change are asked less often (the adaptive
//! revisit policy, docs/sources.md "Revisiting pages that do not change"); listing pages
//! always; `--full` and `revisit_max_days = 0` ask everything; an archived body that is gone
//! is asked for. The clock is moved with `CIVICRAWL_TEST_NOW`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::support::{Reply, Server, Workdir, read_jsonl};

/// Detail pages per directory (three per listing page).
const TOOLS: usize = 6;

/// A directory on loopback: two listing pages of three items, one detail page per tool
/// whose `p.v` says `values[i]` (changed by the tests). ETags and 304s as most servers.
struct Directory {
    server: Server,
    values: Arc<Mutex<HashMap<usize, String>>>,
}

impl Directory {
    async fn start() -> Directory {
        let server = Server::start().await;
        server.always("/robots.txt", Reply::text("User-agent: *\nAllow: /\n"));
        let values: Arc<Mutex<HashMap<usize, String>>> = Arc::new(Mutex::new(
            (0..TOOLS)
                .map(|i| (i, format!("version 1 of tool {i}")))
                .collect(),
        ));
        let shown = Arc::clone(&values);
        server.answer_with(move |asked| {
            let item = |i: usize| {
                format!("<article class=\"tool\"><a class=\"details\" href=\"/tools/t{i}\">T{i}</a></article>")
            };
            match (asked.path, asked.query) {
                ("/dir/", "") => Some(Reply::html(format!(
                    "<html><body>{}<a rel=\"next\" href=\"/dir/?page=2\">next</a></body></html>",
                    (0..3).map(item).collect::<String>()
                ))),
                ("/dir/", "page=2") => Some(Reply::html(format!(
                    "<html><body>{}</body></html>",
                    (3..TOOLS).map(item).collect::<String>()
                ))),
                (path, "") => {
                    let i: usize = path.strip_prefix("/tools/t")?.parse().ok()?;
                    let value = shown.lock().unwrap().get(&i)?.clone();
                    Some(Reply::html(format!(
                        "<html><body><h1>Tool {i}</h1><p class=\"v\">{value}</p></body></html>"
                    )))
                }
                _ => None,
            }
        });
        Directory { server, values }
    }

    fn decl(&self, extra: &str) -> String {
        format!(
            "kind = \"html\"\nstart_urls = [\"{}/dir/\"]\nitem = \"article.tool\"\nnext_page = \"a[rel=next]\"\ndetail = \"a.details\"\nrate = {{ per_second = 100.0, burst = 20 }}\n{extra}\n[fields]\nname = \"h1\"\ndescription = \"p.v\"\n",
            self.server.base()
        )
    }

    /// Requests for the listing pages, and for each detail page.
    fn hits(&self) -> (usize, Vec<usize>) {
        let listing = self.server.hits("/dir/") + self.server.hits("/dir/?page=2");
        let details = (0..TOOLS)
            .map(|i| self.server.hits(&format!("/tools/t{i}")))
            .collect();
        (listing, details)
    }

    fn set(&self, i: usize, value: &str) {
        self.values.lock().unwrap().insert(i, value.to_string());
    }
}

/// A work dir with one source, `dir`, on `d`.
fn workdir(d: &Directory, extra: &str) -> Workdir {
    let w = Workdir::new();
    w.source("dir", &d.decl(extra));
    w
}

/// `run` with the clock at `at` and `args` added; exit 0.
async fn run_at(w: &Workdir, at: &str, args: &[&str]) {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    w.civicrawl_env(&all, &[("CIVICRAWL_TEST_NOW", at)])
        .await
        .expect_code(0);
}

/// The report's row of source `dir` in `release`.
fn dir_report(release: &Path) -> Value {
    let report: Value =
        serde_json::from_slice(&std::fs::read(release.join("report.json")).unwrap()).unwrap();
    report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "dir")
        .unwrap()
        .clone()
}

/// `description` of each tool in the release, by name.
fn descriptions(release: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = read_jsonl(&release.join("tools.jsonl"))
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["description"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn none_stale(release: &Path) {
    for r in read_jsonl(&release.join("source_records.jsonl")) {
        assert_eq!(r["stale"], false, "{r}");
    }
    for t in read_jsonl(&release.join("tools.jsonl")) {
        assert_eq!(t["stale"], false, "{t}");
    }
    let report: Value =
        serde_json::from_slice(&std::fs::read(release.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["sources_stale"], serde_json::json!([]));
}

/// Copies a directory tree, symlinks as symlinks (`output/latest`).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let kind = e.file_type().unwrap();
        let target = to.join(e.file_name());
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).unwrap(), &target).unwrap();
        } else if kind.is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

const DAY0: &str = "2026-06-01T03:00:00Z";
const DAY0_LATER: &str = "2026-06-01T04:00:00Z";

#[tokio::test]
async fn an_unchanged_rerun_asks_the_listing_pages_only_and_publishes_the_same_bytes_as_asking_all()
{
    let d = Directory::start().await;
    let w = workdir(&d, "");
    run_at(&w, DAY0, &[]).await;
    assert_eq!(d.hits(), (2, vec![1; TOOLS]));
    let first = dir_report(&w.latest());
    assert_eq!(
        (&first["pages_asked"], &first["pages_carried"]),
        (&serde_json::json!(2 + TOOLS), &serde_json::json!(0))
    );
    // The same state and archive, for a run that asks everything.
    let full_out = w.path().join("output-full");
    copy_tree(&w.out(), &full_out);

    // An hour later: the listing pages are asked, the detail pages read from the archive.
    run_at(&w, DAY0_LATER, &[]).await;
    assert_eq!(d.hits(), (4, vec![1; TOOLS]), "no detail page asked");
    let carried = w.latest();
    let r = dir_report(&carried);
    assert_eq!(r["status"], "ok");
    assert_eq!(r["records"], TOOLS);
    assert_eq!(r["pages_asked"], 2, "{r:#}");
    assert_eq!(r["pages_carried"], TOOLS);
    assert_eq!(r["requests"], 3, "robots.txt and the two listing pages");
    none_stale(&carried);
    let tools = read_jsonl(&carried.join("tools.jsonl"));
    assert_eq!(tools.len(), TOOLS);
    assert!(
        tools
            .iter()
            .all(|t| t["last_seen_at"] == "2026-06-01T04:00:00Z"),
        "a carried record is seen this run"
    );

    // The same run with `--full` on the copy: every page asked (304s), the same data.
    let full_out_arg = full_out.to_str().unwrap();
    run_at(&w, DAY0_LATER, &["--full", "--out", full_out_arg]).await;
    assert_eq!(
        d.hits(),
        (6, vec![2; TOOLS]),
        "--full asks every detail page"
    );
    let asked = std::fs::canonicalize(full_out.join("latest")).unwrap();
    let r = dir_report(&asked);
    assert_eq!(
        (&r["pages_asked"], &r["pages_carried"]),
        (&serde_json::json!(2 + TOOLS), &serde_json::json!(0))
    );
    assert_eq!(r["not_modified"], 3 + TOOLS, "robots.txt too");
    assert_eq!(
        carried.file_name(),
        asked.file_name(),
        "the same release id"
    );
    for name in civicrawl::publish::data_files() {
        let [a, b] = [&carried, &asked].map(|r| std::fs::read(r.join(name)).unwrap());
        assert!(a == b, "{name} differs between carrying and asking");
    }
}

#[tokio::test]
async fn a_detail_page_that_changes_is_seen_within_revisit_max_days() {
    let d = Directory::start().await;
    let w = workdir(&d, "");
    // Unchanged answers lengthen the interval: asked on days 0, 1 (1 day after a new
    // body), 3 (2 days after one unchanged answer), 7 (4 days after two), then every 7 days
    // (the default cap, where 2^3 would give 8), each less an hour.
    let days = [
        ("2026-06-01T03:00:00Z", 1),
        ("2026-06-01T20:00:00Z", 1),
        ("2026-06-02T03:00:00Z", 2),
        ("2026-06-03T03:00:00Z", 2),
        ("2026-06-04T03:00:00Z", 3),
        ("2026-06-07T03:00:00Z", 3),
        ("2026-06-08T03:00:00Z", 4),
    ];
    for (at, asked) in days {
        run_at(&w, at, &[]).await;
        assert_eq!(d.hits().1, vec![asked; TOOLS], "at {at}");
    }
    // Tool 1 changes. Six days later it is still read from the archive (and published as
    // it was, not stale); on day 7 after its last ask it is asked, and the change published.
    d.set(1, "version 2 of tool 1");
    run_at(&w, "2026-06-14T03:00:00Z", &[]).await;
    assert_eq!(d.hits().1, vec![4; TOOLS]);
    let old = descriptions(&w.latest());
    assert_eq!(old[1], ("Tool 1".into(), "version 1 of tool 1".into()));
    none_stale(&w.latest());
    run_at(&w, "2026-06-15T02:30:00Z", &[]).await;
    assert_eq!(
        d.hits().1,
        vec![5; TOOLS],
        "7 days (less an hour) after the last ask"
    );
    let new = descriptions(&w.latest());
    assert_eq!(new[1], ("Tool 1".into(), "version 2 of tool 1".into()));
    assert_eq!(new[0], old[0]);
    let r = dir_report(&w.latest());
    assert_eq!(
        (&r["pages_asked"], &r["pages_carried"]),
        (&serde_json::json!(2 + TOOLS), &serde_json::json!(0))
    );
    // The changed page starts again at one day; the others stay at seven.
    run_at(&w, "2026-06-16T03:00:00Z", &[]).await;
    let (_, details) = d.hits();
    assert_eq!(details[1], 6);
    assert_eq!(details[0], 5);
}

#[tokio::test]
async fn revisit_max_days_0_asks_every_detail_page_every_run() {
    let d = Directory::start().await;
    let w = workdir(&d, "revisit_max_days = 0");
    run_at(&w, DAY0, &[]).await;
    run_at(&w, DAY0_LATER, &[]).await;
    assert_eq!(d.hits(), (4, vec![2; TOOLS]));
    let r = dir_report(&w.latest());
    assert_eq!(
        (&r["pages_asked"], &r["pages_carried"]),
        (&serde_json::json!(2 + TOOLS), &serde_json::json!(0))
    );
    assert_eq!(r["not_modified"], 3 + TOOLS, "robots.txt too");
}

#[tokio::test]
async fn a_detail_page_whose_archived_body_is_gone_is_asked_not_dropped() {
    let d = Directory::start().await;
    let w = workdir(&d, "");
    run_at(&w, DAY0, &[]).await;
    let before = descriptions(&w.latest());
    // The archive pruned whole: no body to read, none carried.
    std::fs::remove_dir_all(w.out().join("archive")).unwrap();
    run_at(&w, DAY0_LATER, &[]).await;
    assert_eq!(d.hits(), (4, vec![2; TOOLS]), "every page asked again");
    assert_eq!(descriptions(&w.latest()), before);
    none_stale(&w.latest());
    let r = dir_report(&w.latest());
    assert_eq!(r["records"], TOOLS);
    assert_eq!(r["pages_carried"], 0);
}

#[tokio::test]
async fn a_bad_revisit_max_days_is_a_declaration_error() {
    let d = Directory::start().await;
    let w = workdir(&d, "revisit_max_days = -1");
    let run = w.civicrawl(&["sources", "check"]).await;
    run.expect_code(2);
    assert!(
        run.stderr().contains("`revisit_max_days`"),
        "{}",
        run.stderr()
    );
    assert!(d.server.log().is_empty());
}
