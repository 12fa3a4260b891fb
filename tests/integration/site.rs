//! Issue 7: `site` enrichment from the tools' home pages, served on loopback. The test
//! settings allow private networks (every server here is on 127.0.0.1), except where a test
//! shows the guard refusing loopback.
//!
//! "A public name" cannot exist offline: `a_redirect_from_a_public_name_to_loopback_is_refused`
//! drives the `Fetcher` directly with a guard that answers `tool.example` with 127.0.0.1 and
//! counts that one answer as public (`Guard::pretend_public`), standing in for a public web
//! site. The redirect target goes through the unchanged guard and is refused.

use std::net::{IpAddr, Ipv4Addr};

use civicrawl::crawl::guard::Guard;
use civicrawl::crawl::{FetchStats, Fetcher, VisitEnd};
use civicrawl::settings::CrawlSettings;
use serde_json::{Value, json};

use crate::support::{Reply, Server, Workdir, fixture, read_jsonl};

/// A directory (role create) listing tools with a name and a home page only.
fn directory_decl(base: &str) -> String {
    format!(
        r#"name = "Test directory"
kind = "json"
priority = 40
url = "{base}/tools.json"
records = "$.tools[*]"
rate = {{ per_second = 50.0, burst = 10 }}
[fields]
record_id = "$.id"
name = "$.name"
homepage = "$.homepage"
"#
    )
}

/// A GitHub-like registry (role create): repositories with descriptions, no home page.
fn forge_decl(base: &str) -> String {
    format!(
        r#"name = "Test forge"
kind = "json"
priority = 60
url = "{base}/repos.json"
records = "$[*]"
rate = {{ per_second = 50.0, burst = 10 }}
[fields]
record_id = "$.id"
name = "$.name"
description = "$.description"
repository = "$.html_url"
license = "$.license"
programming_languages = "$.language"
stars = "$.stargazers_count"
"#
    )
}

fn site_decl(extra: &str) -> String {
    format!(
        "name = \"Project sites\"\nkind = \"site\"\nrole = \"enrich\"\npriority = 20\nrate = {{ per_second = 50.0, burst = 10 }}\n{extra}\n"
    )
}

/// A world: a registry server (directory + forge) and a server for the home pages.
struct World {
    registry: Server,
    sites: Server,
    w: Workdir,
}

async fn world(sites: Server, tools: Value, allow_private: bool, site_extra: &str) -> World {
    let registry = Server::start().await;
    registry.always("/tools.json", Reply::json(tools.to_string()));
    registry.always(
        "/repos.json",
        Reply::json(
            json!([{
                "id": 901, "name": "agora", "html_url": "https://github.com/agora-civic/agora",
                "description": "Participatory budgeting platform", "license": "AGPL-3.0",
                "language": "Ruby", "stargazers_count": 42
            }])
            .to_string(),
        ),
    );
    let w = Workdir::new();
    w.settings(&format!("allow_private_networks = {allow_private}"));
    w.source("directory", &directory_decl(&registry.base()));
    w.source("forge", &forge_decl(&registry.base()));
    w.source("sites", &site_decl(site_extra));
    World { registry, sites, w }
}

impl World {
    fn home(&self, path: &str) -> String {
        format!("{}{path}", self.sites.base())
    }

    async fn run(&self) {
        self.w.civicrawl(&["run"]).await.expect_code(0);
    }

    fn tools(&self) -> Vec<Value> {
        read_jsonl(&self.w.latest().join("tools.jsonl"))
    }

    fn site_rows(&self) -> Vec<Value> {
        read_jsonl(&self.w.latest().join("source_records.jsonl"))
            .into_iter()
            .filter(|r| r["source_id"] == "sites")
            .collect()
    }

    fn report(&self) -> Value {
        let text = std::fs::read_to_string(self.w.latest().join("report.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

fn tool<'a>(tools: &'a [Value], name: &str) -> &'a Value {
    tools
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tool {name} in {tools:#?}"))
}

#[tokio::test]
async fn json_ld_and_opengraph_enrich_a_tool_and_its_forge_link_merges_it_with_the_forge_record() {
    let sites = Server::start().await;
    // A name the forge record does not share: only the home page can join them.
    let tools = json!({"tools": [
        {"id": "t1", "name": "Agora Civic Budget", "homepage": format!("{}/agora/", sites.base())}
    ]});
    let wd = world(sites, tools, true, "").await;
    wd.sites.always(
        "/agora/",
        Reply::html(fixture("site/jsonld-opengraph.html", &wd.sites.base())),
    );
    // Run 1, from an empty output directory: the directory and the forge are saved first,
    // then the home page of this run's tool is visited; its codeRepository is the forge
    // record's key, so the release already has one tool.
    assert!(!wd.w.out().join("state.sqlite").exists());
    wd.run().await;
    assert_eq!(wd.sites.hits("/agora/"), 1);
    let after = wd.tools();
    assert_eq!(
        after.len(),
        1,
        "directory entry and forge record merged in the first run: {after:#?}"
    );
    let t = &after[0];
    assert_eq!(t["repository_url"], "https://github.com/agora-civic/agora");
    assert_eq!(t["homepage_url"], wd.home("/agora"));
    assert_eq!(
        t["description"], "Participatory budgeting platform",
        "the forge has priority"
    );
    assert_eq!(t["license"], "AGPL-3.0-only", "the forge has priority");
    assert_eq!(t["languages"], json!(["ca", "en", "es"]));
    assert_eq!(t["programming_languages"], json!(["JavaScript", "Ruby"]));
    assert_eq!(
        t["organizations"],
        json!(["Agora Collective", "City of Example"])
    );
    assert_eq!(t["sources"], json!(["directory", "forge", "sites"]));
    let rows = wd.site_rows();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["tool_id"], t["id"]);
    assert_eq!(r["liveness"], "alive");
    assert_eq!(r["homepage_status"], 200);
    assert_eq!(r["homepage_final_url"], wd.home("/agora/"));
    assert!(r["homepage_checked_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        r["description"],
        "Open-source participatory budgeting: citizens propose, vote and follow projects."
    );
    assert_eq!(r["license"], "AGPL-3.0-or-later");
    assert_eq!(wd.report()["homepages"]["alive"], 1);
    // Run 2: the home page is not due for a revisit yet (docs/sources.md, "Revisiting
    // pages"): its archived body is read again, nothing is asked, the record is the same.
    wd.run().await;
    assert_eq!(wd.sites.hits("/agora/"), 1);
    let again = &wd.site_rows()[0];
    for key in [
        "description",
        "license",
        "liveness",
        "homepage_status",
        "tool_id",
    ] {
        assert_eq!(again[key], r[key], "{key}");
    }
    let sites = wd.report()["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "sites")
        .unwrap()
        .clone();
    assert_eq!(
        (&sites["pages_asked"], &sites["pages_carried"]),
        (&json!(0), &json!(1))
    );
    assert_eq!(sites["stale"], false);
    // Run 3, `--full`: the same page answers 304 through the state store's validators.
    wd.w.civicrawl(&["run", "--full"]).await.expect_code(0);
    assert_eq!(wd.sites.hits("/agora/"), 2);
    let seen = wd.sites.log();
    let last = seen.iter().rev().find(|s| s.target == "/agora/").unwrap();
    assert!(last.headers.contains_key("if-none-match"));
    assert_eq!(wd.site_rows()[0]["liveness"], "alive");
}

#[tokio::test]
async fn html_lang_and_hreflang_alternates_give_languages() {
    let sites = Server::start().await;
    let tools = json!({"tools": [
        {"id": "p", "name": "Pétitions Citoyennes", "homepage": format!("{}/petitions/", sites.base())}
    ]});
    let wd = world(sites, tools, true, "").await;
    wd.sites.always(
        "/petitions/",
        Reply::html(fixture("site/french-hreflang.html", &wd.sites.base())),
    );
    wd.run().await; // one run from an empty directory enriches

    let tools = wd.tools();
    let t = tool(&tools, "Pétitions Citoyennes");
    assert_eq!(t["languages"], json!(["de", "en", "fr"]));
    assert_eq!(
        t["repository_url"],
        "https://github.com/petitions-citoyennes/petitions-citoyennes"
    );
    assert_eq!(
        t["description"],
        "Une plateforme libre de pétitions en ligne pour les collectivités."
    );
}

#[tokio::test]
async fn a_permanent_redirect_to_another_host_is_reported_as_moved() {
    let sites = Server::start().await;
    let elsewhere = Server::start().await;
    let new_home = format!("http://localhost:{}/new/", elsewhere.addr.port());
    sites.always("/old/", Reply::status(301).header("location", &new_home));
    elsewhere.always(
        "/new/",
        Reply::html("<html lang=\"en\"><title>Renamed</title></html>"),
    );
    let tools = json!({"tools": [
        {"id": "m", "name": "Mover", "homepage": format!("{}/old/", sites.base())}
    ]});
    let wd = world(sites, tools, true, "").await;
    wd.run().await;
    assert_eq!(elsewhere.hits("/new/"), 1);
    let rows = wd.site_rows();
    assert_eq!(rows[0]["liveness"], "moved");
    assert_eq!(rows[0]["homepage_status"], 200);
    assert_eq!(rows[0]["homepage_final_url"], new_home);
    let tools = wd.tools();
    let t = tool(&tools, "Mover");
    assert_eq!(
        t["homepage_url"],
        wd.home("/old"),
        "the tool keeps its home page"
    );
    let moved = &wd.report()["homepages"]["moved"];
    assert_eq!(moved[0]["tool_id"], t["id"]);
    assert_eq!(moved[0]["final_url"], new_home);
}

#[tokio::test]
async fn three_runs_of_404_mark_a_home_page_dead_and_the_tool_stays() {
    let sites = Server::start().await;
    let tools = json!({"tools": [
        {"id": "d", "name": "Gone Tool", "homepage": format!("{}/gone/", sites.base())},
        {"id": "u", "name": "Flaky Tool", "homepage": format!("{}/flaky/", sites.base())}
    ]});
    let wd = world(sites, tools, true, "").await;
    wd.sites.always("/gone/", Reply::status(404));
    wd.sites.always("/flaky/", Reply::status(503));
    for expected in ["unknown", "unknown", "dead"] {
        wd.run().await;
        let rows = wd.site_rows();
        let gone = rows
            .iter()
            .find(|r| r["record_id"] == wd.home("/gone"))
            .unwrap();
        assert_eq!(gone["liveness"], expected);
        assert_eq!(gone["homepage_status"], 404);
        let flaky = rows
            .iter()
            .find(|r| r["record_id"] == wd.home("/flaky"))
            .unwrap();
        assert_eq!(flaky["liveness"], "unknown", "5xx is never dead");
    }
    assert_eq!(wd.sites.hits("/gone/"), 3);
    let tools = wd.tools();
    let t = tool(&tools, "Gone Tool");
    let dead = &wd.report()["homepages"]["dead"];
    assert_eq!(dead.as_array().unwrap().len(), 1);
    assert_eq!(dead[0]["tool_id"], t["id"]);
    assert_eq!(dead[0]["status"], 404);
    assert_eq!(tools.len(), 3, "no tool is removed for a dead home page");
}

#[tokio::test]
async fn max_sites_visits_the_least_recently_checked_first() {
    let sites = Server::start().await;
    let tools = json!({"tools": [
        {"id": "a", "name": "Alpha", "homepage": format!("{}/a/", sites.base())},
        {"id": "b", "name": "Beta", "homepage": format!("{}/b/", sites.base())}
    ]});
    // Every page asked every run (no revisit policy), so each run makes one visit.
    let wd = world(
        sites,
        tools,
        true,
        "max_sites = 1\ntime_budget = \"5m\"\nrevisit_max_days = 0",
    )
    .await;
    wd.sites.always("/a/", Reply::html("<title>Alpha</title>"));
    wd.sites.always("/b/", Reply::html("<title>Beta</title>"));
    wd.run().await;
    assert_eq!((wd.sites.hits("/a/"), wd.sites.hits("/b/")), (1, 0));
    wd.run().await;
    assert_eq!((wd.sites.hits("/a/"), wd.sites.hits("/b/")), (1, 1));
    // Both records are kept, though each run visited one page.
    assert_eq!(wd.site_rows().len(), 2);
    wd.run().await;
    assert_eq!((wd.sites.hits("/a/"), wd.sites.hits("/b/")), (2, 1));
}

#[tokio::test]
async fn loopback_home_pages_are_refused_when_private_networks_are_not_allowed() {
    let sites = Server::start().await;
    let tools = json!({"tools": [
        {"id": "t1", "name": "Agora", "homepage": format!("{}/agora/", sites.base())},
        {"id": "t2", "name": "Local", "homepage": format!("http://localhost:{}/agora/", sites.addr.port())}
    ]});
    let wd = world(sites, tools, false, "").await;
    wd.sites
        .always("/agora/", Reply::html("<title>secret admin</title>"));
    // The registry stands in for a public site under a name the test build pins to
    // loopback; the home pages it lists are on loopback itself.
    let public = format!("http://registry.test:{}", wd.registry.addr.port());
    wd.w.source("directory", &directory_decl(&public));
    wd.w.source("forge", &forge_decl(&public));
    let pinned = [("CIVICRAWL_TEST_PUBLIC_HOSTS", "registry.test=127.0.0.1")];
    for _ in 0..2 {
        wd.w.civicrawl_env(&["run"], &pinned).await.expect_code(0);
    }
    assert!(
        wd.sites.log().is_empty(),
        "no request reached the loopback site, robots.txt included: {:?}",
        wd.sites.log()
    );
    let rows = wd.site_rows();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["liveness"] == "unknown" && r["name"].is_null())
    );
    let report = wd.report();
    let issues = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "sites")
        .unwrap()["issues"]
        .to_string();
    assert!(
        issues.contains("is a loopback address (127.0.0.1)"),
        "{issues}"
    );
    assert!(issues.contains("allow_private_networks = true"), "{issues}");
    assert_eq!(
        wd.registry.hits("/tools.json"),
        2,
        "the registry, a public name, was read"
    );
}

/// Two sources pointed at addresses the guard refuses: loopback (`port` on 127.0.0.1) and the
/// cloud metadata endpoint.
fn private_targets(w: &Workdir, port: u16) {
    w.source(
        "loopback",
        &format!(
            r#"kind = "json"
url = "http://127.0.0.1:{port}/page2.json"
records = "$.data[*]"
[fields]
name = "$.name"
"#
        ),
    );
    w.source(
        "metadata",
        r#"kind = "json"
url = "http://169.254.169.254/latest/meta-data/"
records = "$[*]"
[fields]
name = "$.name"
"#,
    );
}

#[tokio::test]
async fn every_kind_refuses_a_private_address_it_is_pointed_at() {
    // A registry (a public name pinned to loopback) whose `next` link, and a directory
    // whose start URL, point at loopback and at the cloud metadata address: refused before
    // any request, reported with the reason and no body, the run publishes what it could.
    let registry = Server::start().await;
    let port = registry.addr.port();
    registry.always(
        "/page1.json",
        Reply::json(
            json!({"data": [{"id": "a", "name": "Decidim"}],
                   "next": format!("http://127.0.0.1:{port}/page2.json")})
            .to_string(),
        ),
    );
    registry.always("/page2.json", Reply::json(r#"{"data": [], "next": null}"#));
    registry.always(
        "/healthy.json",
        Reply::json(r#"{"data": [{"id": "l", "name": "Loomio"}], "next": null}"#),
    );
    let w = Workdir::new();
    w.settings("allow_private_networks = false");
    w.source(
        "healthy",
        &format!(
            r#"kind = "json"
url = "http://registry.test:{port}/healthy.json"
records = "$.data[*]"
rate = {{ per_second = 50.0, burst = 10 }}
[fields]
record_id = "$.id"
name = "$.name"
"#
        ),
    );
    w.source(
        "registry",
        &format!(
            r#"kind = "json"
url = "http://registry.test:{port}/page1.json"
records = "$.data[*]"
next = "$.next"
rate = {{ per_second = 50.0, burst = 10 }}
[fields]
record_id = "$.id"
name = "$.name"
"#
        ),
    );
    private_targets(&w, port);
    let run = w
        .civicrawl_env(
            &["run"],
            &[("CIVICRAWL_TEST_PUBLIC_HOSTS", "registry.test=127.0.0.1")],
        )
        .await;
    run.expect_code(3);
    assert_eq!(
        registry.hits("/page2.json"),
        0,
        "neither the next page on another host nor the loopback start URL was requested"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(w.latest().join("report.json")).unwrap()).unwrap();
    let source = |id: &str| {
        report["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    // A next page on another host is not followed (the pagination engine), and the records
    // read so far are published.
    let registry = source("registry");
    assert_eq!(registry["status"], "ok", "{registry}");
    assert!(
        registry["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["message"]
                .as_str()
                .unwrap()
                .contains("is on another site")),
        "{registry}"
    );
    let loopback_error = source("loopback")["error"].to_string();
    assert!(
        loopback_error.contains("is a loopback address (127.0.0.1)"),
        "{loopback_error}"
    );
    let metadata_error = source("metadata")["error"].to_string();
    assert!(
        metadata_error.contains("is a link-local address (169.254.169.254)"),
        "{metadata_error}"
    );
}

#[tokio::test]
async fn a_redirect_from_a_public_name_to_loopback_is_refused() {
    let site = Server::start().await;
    let port = site.addr.port();
    site.always(
        "/",
        Reply::status(302).header("location", &format!("http://127.0.0.1:{port}/admin")),
    );
    site.always(
        "/via-name",
        Reply::status(301).header("location", &format!("http://localhost:{port}/admin")),
    );
    site.always("/admin", Reply::html("<title>router admin</title>"));
    let settings = CrawlSettings {
        allow_private_networks: false,
        max_attempts: 1,
        ..CrawlSettings::default()
    };
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let fetcher = Fetcher::new(&settings)
        .unwrap()
        .with_guard(Guard::new(false).pretend_public("tool.example", loopback))
        .unwrap();
    let stats = FetchStats::default();
    for path in ["/", "/via-name"] {
        let url = url::Url::parse(&format!("http://tool.example:{port}{path}")).unwrap();
        let visit = fetcher.visit(&url, &stats, None).await;
        assert_eq!(visit.redirects.len(), 1, "{visit:?}");
        let VisitEnd::Refused(message) = &visit.end else {
            panic!("{path}: expected a refusal, got {visit:?}");
        };
        assert!(message.contains("is a loopback address"), "{message}");
    }
    assert_eq!(site.hits("/"), 1, "the public name was visited");
    assert_eq!(site.hits("/via-name"), 1);
    assert_eq!(site.hits("/admin"), 0, "the loopback target never was");
}

#[tokio::test]
async fn environment_proxies_are_ignored_and_a_declared_proxy_sees_only_allowed_targets() {
    let registry = Server::start().await;
    registry.always(
        "/tools.json",
        Reply::json(json!({"tools": [{"id": "t1", "name": "Decidim"}]}).to_string()),
    );
    // A "proxy" that records what it is asked and answers like the registry would.
    let proxy = Server::start().await;
    proxy.always(
        "/tools.json",
        Reply::json(json!({"tools": [{"id": "t1", "name": "Decidim"}]}).to_string()),
    );
    let w = Workdir::new();
    w.source("directory", &directory_decl(&registry.base()));
    let env_proxy = proxy.base();
    w.civicrawl_env(
        &["run"],
        &[
            ("HTTP_PROXY", env_proxy.as_str()),
            ("http_proxy", env_proxy.as_str()),
            ("ALL_PROXY", env_proxy.as_str()),
        ],
    )
    .await
    .expect_code(0);
    assert!(
        proxy.log().is_empty(),
        "the environment's proxy was not used"
    );
    assert_eq!(registry.hits("/tools.json"), 1);

    // Declared (on the operator's own network: `localhost`): requests go through it, but
    // the guard judges the target first.
    let w = Workdir::new();
    w.settings(&format!(
        "allow_private_networks = false\nproxy = \"http://localhost:{}\"",
        proxy.addr.port()
    ));
    let port = registry.addr.port();
    w.source(
        "directory",
        &directory_decl(&format!("http://registry.test:{port}")),
    );
    private_targets(&w, port);
    let run = w
        .civicrawl_env(
            &["run"],
            &[("CIVICRAWL_TEST_PUBLIC_HOSTS", "registry.test=127.0.0.1")],
        )
        .await;
    run.expect_code(3);
    let asked: Vec<String> = proxy.log().iter().map(|s| s.target.clone()).collect();
    assert!(
        asked.iter().any(|t| t.ends_with("/tools.json")),
        "the allowed target went through the proxy: {asked:?}"
    );
    assert!(
        !asked.iter().any(|t| t.contains("meta-data")),
        "the refused target never reached the proxy: {asked:?}"
    );
    assert_eq!(registry.hits("/tools.json"), 1, "not reached directly");
}

/// Issue 15: the deployments the use cases list are visited like home pages; each use case
/// says whether its deployment answered.
#[tokio::test]
async fn deployments_listed_as_use_cases_are_visited_and_their_liveness_published() {
    let registry = Server::start().await;
    let sites = Server::start().await;
    sites.always(
        "/participa",
        Reply::ok(
            "text/html",
            "<html lang=\"es\"><head><title>Decide</title></head><body>ok</body></html>",
        ),
    );
    sites.always("/gone", Reply::status(404));
    let deployments = json!({"tools": [{
        "id": "consul", "name": "CONSUL", "homepage": null,
        "instances": [
            {"city": "Madrid", "url": format!("{}/participa", sites.base()), "country": "ES"},
            {"city": "Atlantis", "url": format!("{}/gone", sites.base())}
        ]
    }]});
    registry.always("/tools.json", Reply::json(deployments.to_string()));
    let w = Workdir::new();
    w.settings("allow_private_networks = true");
    w.source(
        "installations",
        &format!(
            r#"name = "Installations"
kind = "json"
url = "{}/tools.json"
records = "$.tools[*]"
[fields]
record_id = "$.id"
name = "$.name"
[[use_cases]]
each = "$.instances[*]"
fields = {{ title = "$.city", url = "$.url", country = "$.country", organisation = "$.city" }}
"#,
            registry.base()
        ),
    );
    w.source("sites", &site_decl(""));
    w.civicrawl(&["run"]).await.expect_code(0);
    assert_eq!(
        sites.hits("/participa"),
        1,
        "the live deployment was visited"
    );
    assert_eq!(sites.hits("/gone"), 1, "so was the dead one");
    let cases = read_jsonl(&w.latest().join("use_cases.jsonl"));
    assert_eq!(cases.len(), 2, "{cases:#?}");
    let madrid = cases.iter().find(|c| c["title"] == "Madrid").unwrap();
    assert_eq!(madrid["liveness"], "alive", "{madrid}");
    assert!(madrid["checked_at"].is_string());
    assert_eq!(madrid["country"], "ES");
    let atlantis = cases.iter().find(|c| c["title"] == "Atlantis").unwrap();
    assert_ne!(atlantis["liveness"], "alive", "{atlantis}");
    assert!(atlantis["checked_at"].is_string());
}
