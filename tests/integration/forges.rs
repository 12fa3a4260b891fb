//! `github` and `gitlab` sources (issue 6) against GitHub- and GitLab-compatible servers on
//! loopback. The fakes answer like the real APIs: the JSON of `tests/fixtures/github/` and
//! `tests/fixtures/gitlab/` (repositories generated from one fixture where many are needed),
//! `Link` pagination, `x-ratelimit-*` / `ratelimit-*` headers on every answer, ETags and
//! 304s, the 1,000-result search cap, 301s for renamed repositories. Each test asserts on
//! what the server saw: request counts, query parameters, waits, the token.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::support::{Asked, Reply, Server, Workdir, fixture, read_jsonl};

const TOKEN: &str = "fake-TESTTOKEN0123456789abcdefSECRET";

/// A scripted misbehaviour, served once to the first request whose target starts with a
/// prefix.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// 403 "secondary rate limit" with `retry-after: 1`.
    Secondary,
    /// 403 with `x-ratelimit-remaining: 0` and a reset `secs` ahead.
    Primary { secs: u64 },
    /// A normal 200 answer that spends the budget: remaining 0, reset 2 s ahead.
    SpendBudget,
}

/// One request the fake saw.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    auth: Option<String>,
    at: Instant,
}

#[derive(Default)]
struct Forge {
    base: String,
    /// GitHub: login → (org JSON, repositories).
    orgs: HashMap<String, (Value, Vec<Value>)>,
    /// GitHub: repositories by id (every repo served).
    by_id: HashMap<u64, Value>,
    /// GitHub: lowercase full name asked → id answered with a 301.
    moved: HashMap<String, u64>,
    /// GitHub: the search corpus.
    corpus: Vec<Value>,
    /// GitHub: full name → (file name, bytes) at the root of the default branch.
    files: HashMap<String, (String, Vec<u8>)>,
    /// GitLab: projects with their namespace full path.
    projects: Vec<(String, Value)>,
    faults: Vec<(String, Fault)>,
}

/// A GitHub and GitLab API on the tests' loopback [`Server`], which logs every request and
/// answers 304 to a known ETag.
#[derive(Clone)]
pub(crate) struct Fake {
    server: Server,
    inner: Arc<Mutex<Forge>>,
}

impl Fake {
    pub(crate) async fn start() -> Fake {
        let server = Server::start().await;
        let inner = Arc::new(Mutex::new(Forge {
            base: server.base(),
            ..Forge::default()
        }));
        let forge = Arc::clone(&inner);
        server.answer_with(move |asked| Some(handle(&forge, asked)));
        Fake { server, inner }
    }

    pub(crate) fn base(&self) -> String {
        self.inner.lock().unwrap().base.clone()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Forge) -> R) -> R {
        f(&mut self.inner.lock().unwrap())
    }

    fn log(&self) -> Vec<Seen> {
        self.server
            .log()
            .into_iter()
            .map(|s| Seen {
                auth: s
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                target: s.target,
                at: s.at,
            })
            .collect()
    }

    fn fault(&self, prefix: &str, fault: Fault) {
        self.with(|f| f.faults.push((prefix.to_string(), fault)));
    }

    pub(crate) fn add_org(&self, login: &str, display: &str, repos: Vec<Value>) {
        let mut org: Value = serde_json::from_slice(&fixture("github/org.json", "")).unwrap();
        org["login"] = json!(login);
        org["name"] = json!(display);
        self.with(|f| {
            for r in &repos {
                f.by_id.insert(r["id"].as_u64().unwrap(), r.clone());
            }
            f.orgs.insert(login.to_lowercase(), (org, repos));
        });
    }
}

/// A GitHub repository built from `tests/fixtures/github/repo.json`.
fn gh_repo(id: u64, owner: &str, name: &str, created: &str) -> Value {
    let mut r: Value = serde_json::from_slice(&fixture("github/repo.json", "")).unwrap();
    r["id"] = json!(id);
    r["name"] = json!(name);
    r["full_name"] = json!(format!("{owner}/{name}"));
    r["owner"]["login"] = json!(owner);
    r["html_url"] = json!(format!("https://github.com/{owner}/{name}"));
    r["url"] = json!(format!("https://api.github.com/repos/{owner}/{name}"));
    r["homepage"] = json!(format!("https://{name}.{owner}.example"));
    r["description"] = json!(format!("{name}, a civic tool"));
    r["created_at"] = json!(created);
    r["default_branch"] = json!("main");
    r
}

pub(crate) fn org_repos(owner: &str, n: u64, first_id: u64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            gh_repo(
                first_id + i,
                owner,
                &format!("tool-{i:03}"),
                "2019-05-01T10:00:00Z",
            )
        })
        .collect()
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(v: &Value) -> Answer {
        Answer {
            status: 200,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: serde_json::to_vec(v).unwrap(),
        }
    }
    fn status(status: u16, message: &str) -> Answer {
        let mut a = Answer::json(
            &json!({ "message": message, "documentation_url": "https://docs.github.com/rest" }),
        );
        a.status = status;
        a
    }
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// One page of `items` and its `Link` header (first/prev/next/last like GitHub and GitLab).
fn paged(
    base: &str,
    path: &str,
    pairs: &[(String, String)],
    items: &[Value],
    max_items: usize,
) -> (Value, Option<String>, usize, usize) {
    let per_page: usize = param(pairs, "per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30);
    let page: usize = param(pairs, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let visible = items.len().min(max_items);
    let pages = visible.div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .take(visible.saturating_sub((page - 1) * per_page))
        .cloned()
        .collect();
    let link_to = |n: usize| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| k != "page") {
            ser.append_pair(k, v);
        }
        ser.append_pair("page", &n.to_string());
        format!("<{base}{path}?{}>", ser.finish())
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link_to(page - 1)));
    }
    if page < pages {
        links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
        links.push(format!("{}; rel=\"last\"", link_to(pages)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", link_to(1)));
    }
    let link = (!links.is_empty()).then(|| links.join(", "));
    (Value::Array(slice), link, page, pages)
}

/// `created:A..B` and `topic:` filters of a GitHub search query.
fn search(forge: &Forge, q: &str) -> Vec<Value> {
    let mut out: Vec<Value> = forge.corpus.clone();
    for token in q.split_whitespace() {
        if let Some(topic) = token.strip_prefix("topic:") {
            out.retain(|r| r["topics"].as_array().unwrap().iter().any(|t| t == topic));
        } else if let Some(range) = token.strip_prefix("created:") {
            let (a, b) = range.split_once("..").unwrap();
            out.retain(|r| {
                let day = &r["created_at"].as_str().unwrap()[..10];
                day >= a && day <= b
            });
        } else if token == "archived:false" {
            out.retain(|r| r["archived"] == false);
        }
    }
    if !q.contains("fork:true") {
        out.retain(|r| r["fork"] == false);
    }
    out
}

fn github(forge: &mut Forge, path: &str, query: &str, accept: &str) -> Answer {
    let pairs = query_pairs(query);
    let base = forge.base.clone();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["orgs", org] => match forge.orgs.get(&org.to_lowercase()) {
            Some((o, _)) => Answer::json(o),
            None => Answer::status(404, "Not Found"),
        },
        ["orgs", org, "repos"] | ["users", org, "repos"] => {
            let Some((_, repos)) = forge.orgs.get(&org.to_lowercase()) else {
                return Answer::status(404, "Not Found");
            };
            let (items, link, _, _) = paged(&base, path, &pairs, repos, usize::MAX);
            let mut a = Answer::json(&items);
            a.headers.extend(link.map(|l| ("link".to_string(), l)));
            a
        }
        ["repos", owner, name] => {
            let full = format!("{owner}/{name}").to_lowercase();
            if let Some(id) = forge.moved.get(&full) {
                return Answer {
                    status: 301,
                    headers: vec![("location".into(), format!("{base}/repositories/{id}"))],
                    body: br#"{"message":"Moved Permanently"}"#.to_vec(),
                };
            }
            match forge
                .by_id
                .values()
                .find(|r| r["full_name"].as_str().unwrap().to_lowercase() == full)
            {
                Some(r) => Answer::json(r),
                None => Answer::status(404, "Not Found"),
            }
        }
        ["repositories", id] => match forge.by_id.get(&id.parse().unwrap_or(0)) {
            Some(r) => Answer::json(r),
            None => Answer::status(404, "Not Found"),
        },
        ["repos", owner, name, "contents"] => {
            let names: Vec<Value> = ["README.md", "Gemfile"]
                .iter()
                .map(|n| n.to_string())
                .chain(
                    forge
                        .files
                        .get(&format!("{owner}/{name}"))
                        .map(|(n, _)| n.clone()),
                )
                .map(|n| json!({"name": n, "path": n, "type": "file", "size": 10}))
                .collect();
            Answer::json(&Value::Array(names))
        }
        ["repos", owner, name, "contents", file] => {
            assert_eq!(
                accept, "application/vnd.github.raw+json",
                "publiccode fetched raw"
            );
            match forge.files.get(&format!("{owner}/{name}")) {
                Some((n, bytes)) if n == file => Answer {
                    status: 200,
                    headers: vec![(
                        "content-type".into(),
                        "application/vnd.github.raw+json; charset=utf-8".into(),
                    )],
                    body: bytes.clone(),
                },
                _ => Answer::status(404, "Not Found"),
            }
        }
        ["search", "repositories"] => {
            let q = param(&pairs, "q").unwrap_or_default().to_string();
            let found = search(forge, &q);
            let page: usize = param(&pairs, "page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            if page > 10 {
                return Answer::status(422, "Only the first 1000 search results are available");
            }
            let (items, link, _, _) = paged(&base, path, &pairs, &found, 1000);
            let mut a = Answer::json(
                &json!({"total_count": found.len(), "incomplete_results": false, "items": items}),
            );
            a.headers.extend(link.map(|l| ("link".to_string(), l)));
            a
        }
        _ => Answer::status(404, "Not Found"),
    }
}

fn gitlab(forge: &Forge, path: &str, query: &str) -> Answer {
    let pairs = query_pairs(query);
    let rest = path.strip_prefix("/api/v4/").unwrap_or("");
    let decoded = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned()
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let mut a = match parts.as_slice() {
        ["groups", group, "projects"] => {
            let group = decoded(group);
            assert_eq!(param(&pairs, "include_subgroups"), Some("true"));
            let mut items: Vec<Value> = forge
                .projects
                .iter()
                .filter(|(ns, _)| *ns == group || ns.starts_with(&format!("{group}/")))
                .map(|(_, p)| p.clone())
                .collect();
            if items.is_empty() {
                return Answer::status(404, "404 Group Not Found");
            }
            items.sort_by_key(|p| p["id"].as_u64());
            let (items, link, page, pages) = paged(&forge.base, path, &pairs, &items, usize::MAX);
            let mut a = Answer::json(&items);
            a.headers.extend(link.map(|l| ("link".to_string(), l)));
            let next = if page < pages {
                (page + 1).to_string()
            } else {
                String::new()
            };
            a.headers.push(("x-next-page".into(), next));
            a.headers.push(("x-page".into(), page.to_string()));
            a.headers.push((
                "x-per-page".into(),
                param(&pairs, "per_page").unwrap_or("20").into(),
            ));
            a.headers.push(("x-total-pages".into(), pages.to_string()));
            a
        }
        ["projects", project] => {
            let full = decoded(project);
            match forge
                .projects
                .iter()
                .find(|(_, p)| p["path_with_namespace"] == full.as_str())
            {
                Some((_, p)) => Answer::json(p),
                None => Answer::status(404, "404 Project Not Found"),
            }
        }
        _ => Answer::status(404, "404 Not Found"),
    };
    let reset = now_s() + 60;
    a.headers.push(("ratelimit-limit".into(), "2000".into()));
    a.headers
        .push(("ratelimit-remaining".into(), "1990".into()));
    a.headers
        .push(("ratelimit-reset".into(), reset.to_string()));
    a
}

/// The fake's answer to one request.
fn handle(inner: &Mutex<Forge>, asked: &Asked) -> Reply {
    let (path, query) = (asked.path.to_string(), asked.query.to_string());
    let target = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    let header = |name: &str| {
        asked
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let accept = header("accept").unwrap_or_default();
    let mut forge = inner.lock().unwrap();
    let fault = forge
        .faults
        .iter()
        .position(|(p, _)| target.starts_with(p.as_str()));
    let fault = fault.map(|i| forge.faults.remove(i).1);
    let reset = now_s() + 3600;
    let mut remaining = "4990".to_string();
    let mut reset_at = reset.to_string();
    let mut answer = match fault {
        Some(Fault::Secondary) => {
            let mut a = Answer::status(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            );
            a.headers.push(("retry-after".into(), "1".into()));
            a
        }
        Some(Fault::Primary { secs }) => {
            remaining = "0".into();
            reset_at = (now_s() + secs).to_string();
            Answer::status(403, "API rate limit exceeded for user ID 1.")
        }
        other => {
            if matches!(other, Some(Fault::SpendBudget)) {
                remaining = "0".into();
                reset_at = (now_s() + 2).to_string();
            }
            if path.starts_with("/api/v4/") {
                gitlab(&forge, &path, &query)
            } else {
                github(&mut forge, &path, &query, &accept)
            }
        }
    };
    if !path.starts_with("/api/v4/") {
        answer
            .headers
            .push(("x-ratelimit-limit".into(), "5000".into()));
        answer
            .headers
            .push(("x-ratelimit-remaining".into(), remaining));
        answer.headers.push(("x-ratelimit-reset".into(), reset_at));
        let resource = if path.starts_with("/search") {
            "search"
        } else {
            "core"
        };
        answer
            .headers
            .push(("x-ratelimit-resource".into(), resource.into()));
    }
    Reply {
        status: answer.status,
        headers: answer.headers,
        body: answer.body,
        delay: None,
    }
}

pub(crate) const FAST: &str = "rate = { per_second = 200.0, burst = 50 }";

pub(crate) fn github_source(fake: &Fake, extra: &str) -> String {
    format!(
        "kind = \"github\"\napi_url = \"{}\"\n{FAST}\n{extra}\n",
        fake.base()
    )
}

fn records_of(w: &Workdir, source: &str) -> Vec<Value> {
    read_jsonl(&w.latest().join("source_records.jsonl"))
        .into_iter()
        .filter(|r| r["source_id"] == source)
        .collect()
}

fn report(w: &Workdir) -> Value {
    serde_json::from_slice(&std::fs::read(w.latest().join("report.json")).unwrap()).unwrap()
}

fn source_report(w: &Workdir, id: &str) -> Value {
    report(w)["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn an_org_of_250_repositories_is_listed_over_3_pages_then_answered_by_304s() {
    let fake = Fake::start().await;
    fake.add_org("decidim", "Decidim", org_repos("decidim", 250, 1000));
    let w = Workdir::new();
    w.source("gh", &github_source(&fake, "orgs = [\"decidim\"]"));
    w.civicrawl(&["run"]).await.expect_code(0);

    let seen: Vec<String> = fake.log().into_iter().map(|s| s.target).collect();
    assert_eq!(
        seen,
        [
            "/orgs/decidim",
            "/orgs/decidim/repos?type=all&per_page=100",
            "/orgs/decidim/repos?type=all&per_page=100&page=2",
            "/orgs/decidim/repos?type=all&per_page=100&page=3",
        ],
        "one request for the org, one per 100 repositories, no robots.txt"
    );
    let records = records_of(&w, "gh");
    assert_eq!(records.len(), 250);
    let ids: BTreeSet<&str> = records
        .iter()
        .map(|r| r["record_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);
    assert!(
        ids.contains("1000") && ids.contains("1249"),
        "record ids are repository ids"
    );
    let r = records.iter().find(|r| r["record_id"] == "1000").unwrap();
    assert_eq!(r["name"], "tool-000");
    assert_eq!(r["repository_url"], "https://github.com/decidim/tool-000");
    assert_eq!(
        r["license"], "AGPL-3.0-only",
        "normalised from GitHub's `AGPL-3.0`"
    );
    assert_eq!(r["stars"], 1503);
    assert_eq!(r["forks"], 409);
    assert_eq!(r["archived"], false);
    assert_eq!(
        r["organizations"],
        json!(["Decidim"]),
        "the org's display name"
    );
    assert_eq!(r["programming_languages"], json!(["Ruby"]));
    assert!(
        r["tags"].as_array().unwrap().contains(&json!("civic-tech")),
        "{r}"
    );
    let rep = source_report(&w, "gh");
    assert_eq!(rep["requests"], 4, "{rep}");

    // Second run: every request conditional, every answer a free 304.
    w.civicrawl(&["run"]).await.expect_code(0);
    assert_eq!(fake.log().len(), 8);
    assert_eq!(fake.server.not_modified(), 4);
    assert_eq!(source_report(&w, "gh")["not_modified"], 4);
    assert_eq!(records_of(&w, "gh").len(), 250);
}

#[tokio::test]
async fn a_topic_search_of_2300_results_is_sliced_under_the_cap_and_collected_once() {
    let fake = Fake::start().await;
    let corpus: Vec<Value> = (0..2300u64)
        .map(|i| {
            let year = 2010 + (i % 15);
            let month = 1 + (i / 15) % 12;
            let day = 1 + (i / 180) % 28;
            let mut r = gh_repo(
                50_000 + i,
                &format!("owner{}", i % 37),
                &format!("civic-{i}"),
                &format!("{year}-{month:02}-{day:02}T12:00:00Z"),
            );
            r["topics"] = json!(["civic-tech"]);
            r
        })
        .collect();
    fake.with(|f| {
        for r in &corpus {
            f.by_id.insert(r["id"].as_u64().unwrap(), r.clone());
        }
        f.corpus = corpus;
    });
    let w = Workdir::new();
    w.source("gh", &github_source(&fake, "topics = [\"civic-tech\"]"));
    w.civicrawl(&["run"]).await.expect_code(0);

    let records = records_of(&w, "gh");
    let ids: BTreeSet<&str> = records
        .iter()
        .map(|r| r["record_id"].as_str().unwrap())
        .collect();
    assert_eq!(records.len(), 2300);
    assert_eq!(ids.len(), 2300, "every result exactly once");
    let log = fake.log();
    for s in &log {
        assert!(
            s.target
                .starts_with("/search/repositories?q=topic%3Acivic-tech"),
            "{}",
            s.target
        );
    }
    let sliced = log
        .iter()
        .filter(|s| s.target.contains("created%3A"))
        .count();
    assert!(sliced >= 3, "sliced by created: ranges");
    let issues = source_report(&w, "gh")["issues"].as_array().unwrap().len();
    assert_eq!(issues, 0);
    // 23 pages of results at least, plus the probes of the slices.
    assert!(log.len() <= 23 + 12, "{} requests", log.len());
    eprintln!("search of 2300: {} requests", log.len());
}

#[tokio::test]
async fn a_secondary_rate_limit_is_waited_out() {
    let fake = Fake::start().await;
    fake.add_org("consul", "CONSUL Democracy", org_repos("consul", 150, 1));
    fake.fault(
        "/orgs/consul/repos?type=all&per_page=100&page=2",
        Fault::Secondary,
    );
    let w = Workdir::new();
    w.source("gh", &github_source(&fake, "orgs = [\"consul\"]"));
    w.civicrawl(&["run"]).await.expect_code(0);

    let log = fake.log();
    let page2: Vec<&Seen> = log
        .iter()
        .filter(|s| s.target.ends_with("page=2"))
        .collect();
    assert_eq!(page2.len(), 2, "retried once");
    assert!(
        page2[1].at - page2[0].at >= Duration::from_secs(1),
        "waited for retry-after"
    );
    assert_eq!(records_of(&w, "gh").len(), 150);
    let rep = source_report(&w, "gh");
    assert_eq!(rep["retries"], 1);
    assert_eq!(rep["rate_limit_waits"], 1);
}

#[tokio::test]
async fn a_spent_budget_pauses_until_reset_and_a_primary_limit_is_survived() {
    let fake = Fake::start().await;
    fake.add_org("mysociety", "mySociety", org_repos("mysociety", 250, 1));
    // Page 1 spends the budget (reset 2 s ahead); page 3 meets a primary limit (reset 2 s ahead).
    fake.fault(
        "/orgs/mysociety/repos?type=all&per_page=100",
        Fault::SpendBudget,
    );
    fake.fault(
        "/orgs/mysociety/repos?type=all&per_page=100&page=3",
        Fault::Primary { secs: 2 },
    );
    let w = Workdir::new();
    w.source("gh", &github_source(&fake, "orgs = [\"mysociety\"]"));
    w.civicrawl(&["run"]).await.expect_code(0);

    let log = fake.log();
    let at = |suffix: &str| -> Vec<Instant> {
        log.iter()
            .filter(|s| s.target.ends_with(suffix))
            .map(|s| s.at)
            .collect()
    };
    let p1 = at("per_page=100")[0];
    let p2 = at("page=2")[0];
    assert!(
        p2 - p1 >= Duration::from_millis(1500),
        "paused before running dry: {:?}",
        p2 - p1
    );
    let p3 = at("page=3");
    assert_eq!(p3.len(), 2, "the limited page is asked again");
    assert!(
        p3[1] - p3[0] >= Duration::from_millis(1500),
        "waited for the reset: {:?}",
        p3[1] - p3[0]
    );
    assert_eq!(records_of(&w, "gh").len(), 250);
}

#[tokio::test]
async fn a_limit_longer_than_max_wait_stops_the_source_and_keeps_its_records() {
    let fake = Fake::start().await;
    fake.add_org("g0v", "g0v", org_repos("g0v", 150, 1));
    fake.fault(
        "/orgs/g0v/repos?type=all&per_page=100&page=2",
        Fault::Primary { secs: 3600 },
    );
    let w = Workdir::new();
    w.source(
        "gh",
        &github_source(&fake, "orgs = [\"g0v\"]\nmax_wait = 5"),
    );
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(3);
    assert!(run.elapsed < Duration::from_secs(30));
    let rep = source_report(&w, "gh");
    assert_eq!(rep["status"], "rate-limited", "{rep}");
    assert!(rep["error"].as_str().unwrap().contains("max_wait"), "{rep}");
    assert_eq!(
        records_of(&w, "gh").len(),
        100,
        "the first page's records are kept"
    );
    assert!(run.stderr().contains("rate limit"), "{}", run.stderr());
}

#[tokio::test]
async fn forks_and_archived_repositories_are_filtered_as_declared() {
    let fake = Fake::start().await;
    let mut repos = org_repos("ckan", 5, 1);
    repos[1]["fork"] = json!(true);
    repos[2]["archived"] = json!(true);
    fake.add_org("ckan", "CKAN", repos);
    let w = Workdir::new();
    w.source("defaults", &github_source(&fake, "orgs = [\"ckan\"]"));
    w.source("flipped", &github_source(&fake, "orgs = [\"ckan\"]\ninclude_forks = true\ninclude_archived = false\ntopics = [\"civic-tech\"]"));
    w.civicrawl(&["run"]).await.expect_code(0);
    let ids = |src: &str| -> BTreeSet<String> {
        records_of(&w, src)
            .iter()
            .map(|r| r["record_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids("defaults"),
        BTreeSet::from(["1", "3", "4", "5"].map(String::from))
    );
    assert_eq!(
        ids("flipped"),
        BTreeSet::from(["1", "2", "4", "5"].map(String::from))
    );
    let search = fake
        .log()
        .into_iter()
        .find(|s| s.target.starts_with("/search"))
        .unwrap();
    assert!(
        search.target.contains("fork%3Atrue") && search.target.contains("archived%3Afalse"),
        "{}",
        search.target
    );
}

#[tokio::test]
async fn a_renamed_repository_keeps_its_tool_id_and_its_old_url_as_an_alias() {
    let fake = Fake::start().await;
    let alaveteli = gh_repo(42, "mysociety", "alaveteli", "2010-01-01T00:00:00Z");
    let fixmystreet = gh_repo(43, "mysociety", "fixmystreet", "2010-01-01T00:00:00Z");
    fake.add_org("mysociety", "mySociety", vec![fixmystreet]);
    fake.with(|f| {
        f.by_id.insert(42, alaveteli);
    });
    let w = Workdir::new();
    w.source(
        "gh",
        &github_source(
            &fake,
            "orgs = [\"mysociety\"]\nrepos = [\"mysociety/alaveteli\"]",
        ),
    );
    w.civicrawl(&["run"]).await.expect_code(0);
    let tool_of = |w: &Workdir, rec: &str| -> String {
        records_of(w, "gh")
            .iter()
            .find(|r| r["record_id"] == rec)
            .unwrap()["tool_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (before_42, before_43) = (tool_of(&w, "42"), tool_of(&w, "43"));

    // Both renamed: one answers the old name with a 301, the other is listed under its new name.
    fake.with(|f| {
        let r = f.by_id.get_mut(&42).unwrap();
        r["name"] = json!("alaveteli-ng");
        r["full_name"] = json!("mysociety/alaveteli-ng");
        r["html_url"] = json!("https://github.com/mysociety/alaveteli-ng");
        f.moved.insert("mysociety/alaveteli".into(), 42);
        let org = f.orgs.get_mut("mysociety").unwrap();
        org.1[0]["name"] = json!("fms");
        org.1[0]["full_name"] = json!("mysociety/fms");
        org.1[0]["html_url"] = json!("https://github.com/mysociety/fms");
    });
    w.civicrawl(&["run"]).await.expect_code(0);
    assert_eq!(tool_of(&w, "42"), before_42);
    assert_eq!(tool_of(&w, "43"), before_43);
    let tools = read_jsonl(&w.latest().join("tools.jsonl"));
    let t42 = tools
        .iter()
        .find(|t| t["id"] == before_42.as_str())
        .unwrap();
    assert_eq!(
        t42["repository_url"],
        "https://github.com/mysociety/alaveteli-ng"
    );
    let rec = records_of(&w, "gh")
        .into_iter()
        .find(|r| r["record_id"] == "42")
        .unwrap();
    assert!(
        fake.log().iter().any(|s| s.target == "/repositories/42"),
        "the 301 was followed"
    );
    let t43 = tools
        .iter()
        .find(|t| t["id"] == before_43.as_str())
        .unwrap();
    assert_eq!(t43["repository_url"], "https://github.com/mysociety/fms");
    assert_eq!(rec["name"], "alaveteli-ng");
}

#[tokio::test]
async fn publiccode_yml_is_mapped_over_the_repository_and_an_invalid_one_is_reported() {
    let fake = Fake::start().await;
    let repos = vec![
        gh_repo(1, "decidim", "decidim", "2016-06-21T09:27:53Z"),
        gh_repo(2, "decidim", "broken", "2017-01-01T00:00:00Z"),
        gh_repo(3, "decidim", "plain", "2018-01-01T00:00:00Z"),
    ];
    fake.add_org("decidim", "Decidim", repos);
    fake.with(|f| {
        f.files.insert(
            "decidim/decidim".into(),
            (
                "publiccode.yml".into(),
                fixture("github/publiccode.yml", ""),
            ),
        );
        f.files.insert(
            "decidim/broken".into(),
            (
                "publiccode.yaml".into(),
                fixture("github/publiccode-invalid.yml", ""),
            ),
        );
    });
    let w = Workdir::new();
    w.source(
        "gh",
        &github_source(&fake, "orgs = [\"decidim\"]\ndetect_publiccode = true"),
    );
    w.civicrawl(&["run"]).await.expect_code(0);

    let records = records_of(&w, "gh");
    assert_eq!(
        records.len(),
        3,
        "the invalid file never drops its repository"
    );
    let r = records.iter().find(|r| r["record_id"] == "1").unwrap();
    assert_eq!(
        r["name"],
        "Decidim, free open-source participatory democracy"
    );
    assert_eq!(
        r["description"],
        "Free open-source participatory democracy for cities and organizations"
    );
    assert_eq!(r["homepage_url"], "https://decidim.org");
    assert_eq!(r["license"], "AGPL-3.0-or-later");
    // publiccode.yml's categories `e-participation` and `voting` are declared: the
    // vocabulary's `consultation` and `voting-and-elections` (docs/normalisation.md).
    assert_eq!(
        r["categories"],
        serde_json::json!(["consultation", "voting-and-elections"])
    );
    let text = r.to_string().to_lowercase();
    for want in ["ajuntament de barcelona", "\"es\"", "\"fr\"", "\"ca\""] {
        assert!(text.contains(want), "{want} in {r}");
    }
    let rep = source_report(&w, "gh");
    let issues = rep["issues"].as_array().unwrap();
    let bad: Vec<&Value> = issues.iter().filter(|i| i["record_id"] == "2").collect();
    assert_eq!(bad.len(), 1, "{issues:?}");
    assert!(
        bad[0]["message"]
            .as_str()
            .unwrap()
            .contains("invalid publiccode.yaml"),
        "{bad:?}"
    );
    // 1 org + 1 page + 3 root listings + 2 files.
    assert_eq!(rep["requests"], 7, "{rep}");
}

/// Serves `n` GitLab projects spread over the group `adullact` and two nested subgroups
/// (the 8th a fork), and one project `elsewhere/tool` outside it.
pub(crate) fn add_gitlab_group(fake: &Fake, n: u64) {
    let template: Value = serde_json::from_slice(&fixture("gitlab/project.json", "")).unwrap();
    let spaces = ["adullact", "adullact/sub", "adullact/sub/deeper"];
    let projects: Vec<(String, Value)> = (0..n)
        .map(|i| {
            let ns = spaces[(i % 3) as usize];
            let mut p = template.clone();
            p["id"] = json!(100 + i);
            p["name"] = json!(format!("Projet {i}"));
            p["path"] = json!(format!("projet-{i}"));
            p["path_with_namespace"] = json!(format!("{ns}/projet-{i}"));
            p["web_url"] = json!(format!("https://gitlab.adullact.net/{ns}/projet-{i}"));
            p["namespace"]["full_path"] = json!(ns);
            p["namespace"]["name"] = json!(ns.rsplit('/').next().unwrap());
            if i == 7 {
                p["forked_from_project"] = json!({"id": 1, "path_with_namespace": "other/x"});
            }
            (ns.to_string(), p)
        })
        .collect();
    let mut other = template.clone();
    other["id"] = json!(9999);
    other["path_with_namespace"] = json!("elsewhere/tool");
    other["web_url"] = json!("https://gitlab.adullact.net/elsewhere/tool");
    fake.with(|f| {
        f.projects = projects;
        f.projects.push(("elsewhere".into(), other));
    });
}

#[tokio::test]
async fn a_gitlab_group_with_nested_subgroups_is_listed_over_2_pages() {
    let fake = Fake::start().await;
    add_gitlab_group(&fake, 130);
    let w = Workdir::new();
    w.source(
        "gl",
        &format!("kind = \"gitlab\"\napi_url = \"{}/api/v4\"\n{FAST}\ngroups = [\"adullact\"]\nprojects = [\"elsewhere/tool\"]\n", fake.base()),
    );
    w.civicrawl(&["run"]).await.expect_code(0);
    let log: Vec<String> = fake.log().into_iter().map(|s| s.target).collect();
    assert_eq!(
        log,
        [
            "/api/v4/groups/adullact/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc",
            "/api/v4/groups/adullact/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc&page=2",
            "/api/v4/projects/elsewhere%2Ftool",
        ]
    );
    let records = records_of(&w, "gl");
    assert_eq!(
        records.len(),
        130,
        "129 group projects (one fork filtered) and one project"
    );
    assert!(
        !records.iter().any(|r| r["record_id"] == "107"),
        "the fork is filtered"
    );
    let deep = records.iter().find(|r| r["record_id"] == "102").unwrap();
    assert_eq!(
        deep["repository_url"],
        "https://gitlab.adullact.net/adullact/sub/deeper/projet-2"
    );
    assert_eq!(deep["organizations"], json!(["deeper"]));
}

#[tokio::test]
async fn the_token_is_sent_as_a_bearer_and_appears_in_no_log_or_output() {
    let fake = Fake::start().await;
    fake.add_org("openfisca", "OpenFisca", org_repos("openfisca", 120, 1));
    fake.fault(
        "/orgs/openfisca/repos?type=all&per_page=100&page=2",
        Fault::Secondary,
    );
    let w = Workdir::new();
    w.source(
        "gh",
        &github_source(&fake, "orgs = [\"openfisca\"]\ndetect_publiccode = false"),
    );
    let run = w
        .civicrawl_env(
            &["-v", "-v", "run"],
            &[("GITHUB_TOKEN", TOKEN), ("CIVICRAWL_LOG", "trace")],
        )
        .await;
    run.expect_code(0);
    let log = fake.log();
    assert!(
        log.iter()
            .all(|s| s.auth.as_deref() == Some(&format!("Bearer {TOKEN}"))),
        "every request carries the token"
    );
    assert!(!run.stderr().contains(TOKEN) && !run.stdout().contains(TOKEN));
    assert!(!run.stderr().contains("TESTTOKEN"));
    let mut files = vec![w.out()];
    let mut scanned = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(bytes) = std::fs::read(&p) {
            scanned += 1;
            assert!(
                !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
                "token in {}",
                p.display()
            );
            assert!(
                !bytes.windows(9).any(|w| w == b"TESTTOKEN"),
                "token in {}",
                p.display()
            );
        }
    }
    assert!(scanned > 10, "the release, archive and state were scanned");

    // Without a token the source still runs, anonymously.
    w.civicrawl(&["run"]).await.expect_code(0);
    assert!(fake.log().iter().skip(log.len()).all(|s| s.auth.is_none()));
}

#[tokio::test]
async fn a_token_never_leaves_its_api_origin() {
    use crate::support::{Reply, Server};
    let api = Server::start().await;
    let elsewhere = Server::start().await;
    let away = elsewhere.base();
    // GitHub: an organisation whose repository listing links its next page to another
    // origin, and a repository that redirects there.
    api.always(
        "/orgs/decidim",
        Reply::json(r#"{"login": "decidim", "name": "Decidim"}"#),
    );
    api.always(
        "/orgs/decidim/repos?type=all&per_page=100",
        Reply::json("[]").header(
            "link",
            &format!("<{away}/orgs/decidim/repos?type=all&per_page=100&page=2>; rel=\"next\""),
        ),
    );
    api.always(
        "/repos/decidim/decidim",
        Reply::status(301).header("location", &format!("{away}/repos/decidim/decidim")),
    );
    // GitLab: a group listing whose `x-next-page` and `Link` point away, and one that
    // redirects away (the old fallback rebuilt the next page from the redirected address).
    api.always(
        "/api/v4/groups/civic/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc",
        Reply::json("[]").header("x-next-page", "2").header(
            "link",
            &format!("<{away}/api/v4/groups/civic/projects?page=2>; rel=\"next\""),
        ),
    );
    api.always(
        "/api/v4/groups/moved/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc",
        Reply::status(302).header(
            "location",
            &format!("{away}/api/v4/groups/moved/projects?include_subgroups=true"),
        ),
    );
    let w = Workdir::new();
    let github = |extra: &str| {
        format!(
            "kind = \"github\"\napi_url = \"{}\"\n{FAST}\n{extra}\n",
            api.base()
        )
    };
    let gitlab = |group: &str| {
        format!(
            "kind = \"gitlab\"\napi_url = \"{}/api/v4\"\n{FAST}\ngroups = [\"{group}\"]\ninclude_archived = true\n",
            api.base()
        )
    };
    w.source("gh-link", &github("orgs = [\"decidim\"]"));
    w.source(
        "gh-redirect",
        &github("repos = [\"decidim/decidim\"]\ndetect_publiccode = false"),
    );
    w.source("gl-link", &gitlab("civic"));
    w.source("gl-redirect", &gitlab("moved"));
    let run = w
        .civicrawl_env(
            &["run"],
            &[("GITHUB_TOKEN", TOKEN), ("GITLAB_TOKEN", TOKEN)],
        )
        .await;
    assert!(
        elsewhere.log().is_empty(),
        "nothing reached the other origin: {:?}",
        elsewhere
            .log()
            .iter()
            .map(|s| &s.target)
            .collect::<Vec<_>>()
    );
    let targets: Vec<String> = api.log().iter().map(|s| s.target.clone()).collect();
    assert!(
        api.log()
            .iter()
            .all(|s| s.headers.get("authorization").is_some()),
        "the API origin got the token: {targets:?}"
    );
    let stderr = run.stderr();
    for (source, reason) in [
        ("gh-link", "leaves the API at"),
        ("gh-redirect", "redirect to another origin"),
        ("gl-link", "leaves the API at"),
        ("gl-redirect", "redirect to another origin"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.ends_with(&format!("source_id={source}")) && l.contains(reason)),
            "{source}: {reason}\n{stderr}"
        );
    }
    assert!(!stderr.contains(TOKEN));
}
