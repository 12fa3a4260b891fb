//! Issue 2: declared sources (JSON registry over 3 pages, CSV feed, HTML directory with
//! pagination and detail pages) end up in one release.

use std::path::Path;

use crate::support::{Reply, Server, Workdir, fixture, read_jsonl};

const ROBOTS: &str = "User-agent: *\nDisallow: /private/\n";

pub const TOOLS_HEADER: &str = "id,name,description,homepage_url,repository_url,wikidata_id,license,open_source,categories,tags,countries,languages,programming_languages,organizations,stars,forks,archived,created_at,last_activity_at,first_seen_at,last_seen_at,sources,stale";

/// Serves the registry and the CSV feed.
pub async fn registry_server() -> Server {
    let s = Server::start().await;
    let b = s.base();
    s.always("/robots.txt", Reply::text(ROBOTS));
    s.always(
        "/api/v1/software",
        Reply::json(fixture("spine/registry-page-1.json", &b)),
    );
    s.always(
        "/api/v1/software?page%5Bafter%5D=b2",
        Reply::json(fixture("spine/registry-page-2.json", &b)),
    );
    s.always(
        "/api/v1/software?page%5Bafter%5D=c3",
        Reply::json(fixture("spine/registry-page-3.json", &b)),
    );
    s.always(
        "/data/codegouvfr-repositories.csv",
        Reply::ok("text/csv", fixture("spine/repositories.csv", &b)),
    );
    s
}

/// Serves the HTML directory.
pub async fn directory_server() -> Server {
    let s = Server::start().await;
    let b = s.base();
    s.always("/robots.txt", Reply::text(ROBOTS));
    s.always(
        "/directory/",
        Reply::html(fixture("spine/directory-1.html", &b)),
    );
    s.always(
        "/directory/?page=2",
        Reply::html(fixture("spine/directory-2.html", &b)),
    );
    for t in ["decidim", "loomio", "polis"] {
        s.always(
            &format!("/tools/{t}"),
            Reply::html(fixture(&format!("spine/tool-{t}.html"), &b)),
        );
    }
    s.always("/private/internal-tool", Reply::html("<h1>secret</h1>"));
    s
}

/// The registry and directory servers, and a work dir declaring one source on each.
pub async fn registry_and_directory() -> (Server, Server, Workdir) {
    let reg = registry_server().await;
    let dir = directory_server().await;
    let w = Workdir::new();
    w.source("registry", &registry_decl(&reg.base()));
    w.source("directory", &directory_decl(&dir.base()));
    (reg, dir, w)
}

pub fn registry_decl(base: &str) -> String {
    format!(
        r#"name = "Test registry (Developers Italia-style paging, DPG-style records)"
kind = "json"
license = "CC0-1.0"
priority = 60
url = "{base}/api/v1/software"
records = "$.data[*]"
next = "$.links.next"
rate = {{ per_second = 20.0, burst = 5 }}
[fields]
record_id = "$.id"
name = "$.name"
description = "$.description"
homepage = "$.website"
repository = "$.repositories[*].url"
license = "$.license[*].spdx"
organizations = "$.organizations[*].name"
[[organisations]]
role = "develops"
each = "$.organizations[?@.org_type == 'owner']"
fields = {{ name = "$.name", website = "$.website" }}
"#
    )
}

pub fn feed_decl(base: &str) -> String {
    format!(
        r#"name = "Test feed (code.gouv.fr-style CSV)"
kind = "csv"
license = "etalab-2.0"
url = "{base}/data/codegouvfr-repositories.csv"
rate = {{ per_second = 20.0, burst = 5 }}
[fields]
record_id = "repertoire_url"
name = "nom"
description = "description"
repository = "repertoire_url"
homepage = "page_accueil"
organizations = "organisation_nom"
license = "licence"
programming_languages = "langage"
tags = "topics"
stars = "nombre_stars"
forks = "nombre_forks"
archived = "est_archive"
created_at = "date_creation"
updated_at = "derniere_mise_a_jour"
"#
    )
}

pub fn directory_decl(base: &str) -> String {
    format!(
        r#"name = "Test directory"
kind = "html"
priority = 20
start_urls = ["{base}/directory/"]
item = "article.tool"
next_page = "a[rel=next]"
detail = "a.details"
rate = {{ per_second = 20.0, burst = 5 }}
[fields]
name = "h1"
description = "div.description"
homepage = "a.website@href"
repository = "a.code@href"
tags = "ul.tags li"
"#
    )
}

fn find<'a>(tools: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    tools
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tool named {name} in {tools:#?}"))
}

#[tokio::test]
async fn three_kinds_of_source_end_up_in_one_release() {
    let reg = registry_server().await;
    let dir = directory_server().await;
    let w = Workdir::new();
    w.source("registry", &registry_decl(&reg.base()));
    w.source("feed", &feed_decl(&reg.base()));
    w.source("directory", &directory_decl(&dir.base()));

    w.civicrawl(&["run"]).await.expect_code(0);

    let latest = w.latest();
    let link = std::fs::read_link(w.out().join("latest")).unwrap();
    assert!(link.is_relative(), "latest is a relative symlink: {link:?}");
    for f in ["tools.csv", "tools.json", "tools.jsonl", "tools.parquet"] {
        assert!(latest.join(f).is_file(), "{f} in the release");
    }
    let tools = read_jsonl(&latest.join("tools.jsonl"));
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Alaveteli",
            "CONSUL Democracy",
            "Decidim",
            "FixMyStreet Platform",
            "Loomio",
            "OpenFisca",
            "Pol.is",
            "mes-aides-ui"
        ]
    );

    // One Decidim from three sources: repository (registry = feed) and homepage (registry = directory).
    let decidim = find(&tools, "Decidim");
    assert_eq!(
        decidim["sources"],
        serde_json::json!(["directory", "feed", "registry"])
    );
    assert_eq!(
        decidim["repository_url"],
        "https://github.com/decidim/decidim"
    );
    assert_eq!(decidim["homepage_url"], "https://decidim.org");
    assert_eq!(
        decidim["description"],
        "Free Open-Source participatory democracy for cities & organizations."
    );
    assert_eq!(decidim["license"], "AGPL-3.0-only");
    assert_eq!(decidim["stars"], 1520);
    assert_eq!(
        decidim["tags"],
        serde_json::json!(["democracy", "participation", "participatory-budgeting"])
    );
    let id = decidim["id"].as_str().unwrap();
    assert!(id.starts_with("ct_") && id.len() == 15, "{id}");

    let openfisca = find(&tools, "OpenFisca");
    assert_eq!(
        openfisca["sources"],
        serde_json::json!(["feed", "registry"])
    );
    assert_eq!(openfisca["homepage_url"], "https://openfisca.org");
    let fms = find(&tools, "FixMyStreet Platform");
    assert_eq!(
        fms["repository_url"],
        "https://github.com/mysociety/fixmystreet"
    );
    assert_eq!(find(&tools, "Loomio")["homepage_url"], "https://loomio.com");
    assert_eq!(
        find(&tools, "Loomio")["repository_url"],
        "https://github.com/loomio/loomio"
    );
    assert_eq!(find(&tools, "Pol.is")["homepage_url"], "http://pol.is/home");
    assert_eq!(find(&tools, "mes-aides-ui")["archived"], true);

    // Politeness as the servers saw it.
    assert!(
        !dir.saw_prefix("/private/"),
        "robots.txt disallows /private/"
    );
    assert_eq!(
        dir.hits("/directory/"),
        1,
        "a pagination loop back to page 1 is not refetched"
    );
    assert_eq!(dir.hits("/robots.txt"), 1);
    assert_eq!(
        reg.hits("/robots.txt"),
        1,
        "robots.txt once per host per run"
    );
    let ua = format!(
        "civicrawl/{} (+https://civicrawl.test/contact)",
        env!("CARGO_PKG_VERSION")
    );
    for seen in reg.log().iter().chain(dir.log().iter()) {
        assert_eq!(seen.headers["user-agent"], ua.as_str(), "{}", seen.target);
    }

    // The report counts the URL robots.txt kept us from.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(latest.join("report.json")).unwrap()).unwrap();
    let directory = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "directory")
        .unwrap();
    assert_eq!(directory["robots_disallowed"], 1, "{directory:#}");
    assert_eq!(directory["records"], 3);

    check_formats_agree(&latest, tools.len());
}

/// tools.csv, tools.json and tools.parquet hold the same rows, in schema order.
fn check_formats_agree(release: &Path, rows: usize) {
    let csv_text = std::fs::read_to_string(release.join("tools.csv")).unwrap();
    assert!(
        csv_text.starts_with(&format!("{TOOLS_HEADER}\r\n")),
        "header from the schema"
    );
    let mut rdr = csv::Reader::from_path(release.join("tools.csv")).unwrap();
    let csv_ids: Vec<String> = rdr.records().map(|r| r.unwrap()[0].to_string()).collect();
    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(release.join("tools.json")).unwrap()).unwrap();
    let json_ids: Vec<String> = json
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(csv_ids.len(), rows);
    assert_eq!(csv_ids, json_ids);
    let mut sorted = csv_ids.clone();
    sorted.sort();
    assert_eq!(csv_ids, sorted, "rows sorted by id");

    let file = std::fs::File::open(release.join("tools.parquet")).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut n = 0;
    let mut names = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        n += batch.num_rows();
        names = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
    }
    assert_eq!(n, rows);
    assert_eq!(names.join(","), TOOLS_HEADER);
}

#[tokio::test]
async fn sources_list_and_check_need_no_network() {
    let w = Workdir::new();
    // Port 9 on loopback: nothing listens; no request may be made anyway.
    w.source("registry", &registry_decl("http://127.0.0.1:9"));
    w.source("directory", &directory_decl("http://127.0.0.1:9"));
    let run = w.civicrawl(&["sources", "check"]).await;
    run.expect_code(0);
    assert!(
        run.stdout().contains("2 source declaration(s)"),
        "{}",
        run.stdout()
    );
    let run = w.civicrawl(&["sources", "list"]).await;
    run.expect_code(0);
    let out = run.stdout();
    assert!(out.contains("registry") && out.contains("json"), "{out}");
    assert!(out.contains("directory") && out.contains("html"), "{out}");
}

#[tokio::test]
async fn a_declaration_error_exits_2_before_any_request() {
    let reg = registry_server().await;
    let w = Workdir::new();
    w.source("registry", &registry_decl(&reg.base()));
    w.source(
        "broken",
        &directory_decl(&reg.base()).replace("item = ", "itme = \"x\"\nitem = "),
    );
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(2);
    let err = run.stderr();
    assert!(err.contains("unknown key `itme`"), "{err}");
    assert!(err.contains("broken.toml:5:1"), "{err}");
    assert!(err.contains("did you mean `item`?"), "{err}");
    assert!(reg.log().is_empty(), "nothing fetched: {:?}", reg.log());
    assert!(!w.out().join("latest").exists());
    let run = w.civicrawl(&["sources", "check"]).await;
    run.expect_code(2);
    assert!(run.stderr().contains("unknown key `itme`"));
}

/// Issue 19: a directory's detail pages are asked for together, not one after the other,
/// within the host's rate (the order records are read in: `kinds::html` tests).
#[tokio::test]
async fn detail_pages_are_fetched_together_and_read_in_listing_order() {
    let s = Server::start().await;
    let b = s.base();
    s.always("/robots.txt", Reply::text("User-agent: *\nAllow: /\n"));
    const N: usize = 8;
    let items: String = (0..N)
        .rev()
        .map(|i| format!("<article class=\"tool\"><a class=\"details\" href=\"/tools/t{i}\">T{i}</a></article>"))
        .collect();
    s.always(
        "/directory/",
        Reply::html(format!("<html><body>{items}</body></html>")),
    );
    // Each detail page answers after 400 ms, the later ones sooner: fetched one after the
    // other they would arrive 400 ms apart, and finish in another order than asked.
    for i in 0..N {
        let delay = std::time::Duration::from_millis(400 - 30 * i as u64);
        s.always(
            &format!("/tools/t{i}"),
            Reply::html(format!("<html><body><h1>Tool {i}</h1></body></html>")).delayed(delay),
        );
    }
    let w = Workdir::new();
    w.source(
        "dir",
        &format!(
            "kind = \"html\"\nstart_urls = [\"{b}/directory/\"]\nitem = \"article.tool\"\ndetail = \"a.details\"\nrate = {{ per_second = 100.0, burst = 20 }}\n[fields]\nname = \"h1\"\n"
        ),
    );
    w.civicrawl(&["run"]).await.expect_code(0);
    let arrivals: Vec<std::time::Instant> = (0..N)
        .map(|i| s.times(&format!("/tools/t{i}"))[0])
        .collect();
    let first = *arrivals.iter().min().unwrap();
    let last = *arrivals.iter().max().unwrap();
    assert!(
        last - first < std::time::Duration::from_millis(400),
        "every detail page was asked before the first answered: {:?}",
        arrivals.iter().map(|t| *t - first).collect::<Vec<_>>()
    );
    for i in 0..N {
        assert_eq!(s.times(&format!("/tools/t{i}")).len(), 1, "t{i} asked once");
    }
    let records = read_jsonl(&w.latest().join("source_records.jsonl"));
    let mut names: Vec<&str> = records.iter().filter_map(|r| r["name"].as_str()).collect();
    names.sort_unstable();
    let want: Vec<String> = (0..N).map(|i| format!("Tool {i}")).collect();
    assert_eq!(names, want, "every detail page read");
}
