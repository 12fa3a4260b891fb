//! Issue 8: the shipped catalogue. Every declaration of `sources/` runs as shipped against
//! loopback stand-ins of its real hosts, serving the fixtures of
//! `tests/fixtures/catalogue/<source-id>/` (written in each source's real format). A copied
//! declaration differs from the shipped one in two ways only: each real origin (and the
//! GitHub `api_url`) becomes a loopback origin, and `rate` is raised so the test does not
//! take minutes. The release must show the tools the OGP Toolbox launch showcased, with their
//! repository and home page, and each source must extract the records its fixture holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::support::{Reply, Server, Workdir, read_jsonl};

/// The real origins the shipped declarations use.
const ORIGINS: &[&str] = &[
    "https://api.digitalpublicgoods.net",
    "https://code.gouv.fr",
    "https://api.developers.italia.it",
    "https://raw.githubusercontent.com",
    "https://civictech.guide",
    "https://api.github.com",
];

/// Declarations owned by other work (site enrichment) and exercised by its own tests.
const NOT_IN_THIS_TEST: &[&str] = &["site"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/catalogue")
}

fn read(rel: &str) -> Vec<u8> {
    let path = fixtures().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The ids of the shipped declarations this test runs.
fn shipped_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("sources"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "toml").then(|| p.file_stem().unwrap().to_str().unwrap().to_owned())
        })
        .filter(|id| !NOT_IN_THIS_TEST.contains(&id.as_str()))
        .collect();
    ids.sort();
    ids
}

fn shipped(id: &str) -> String {
    std::fs::read_to_string(root().join("sources").join(format!("{id}.toml"))).unwrap()
}

/// A GitHub answer: JSON with the rate-limit headers GitHub sends on every response.
fn gh(body: Vec<u8>) -> Reply {
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    Reply::ok("application/json; charset=utf-8", body)
        .header("x-ratelimit-limit", "5000")
        .header("x-ratelimit-remaining", "4990")
        .header("x-ratelimit-reset", &reset.to_string())
        .header("x-ratelimit-resource", "core")
}

/// Routes a path-and-query as the client may send it: brackets raw or percent-encoded.
fn route_query(s: &Server, target: &str, reply: Reply) {
    s.always(target, reply.clone());
    let encoded = target.replace('[', "%5B").replace(']', "%5D");
    if encoded != target {
        s.always(&encoded, reply);
    }
}

/// Every `*.json` / `*.yml` file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_str().unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

/// Loopback stand-ins of the real hosts, one server per origin.
struct World {
    servers: Vec<(&'static str, Server)>,
}

impl World {
    async fn start() -> World {
        let mut servers = Vec::new();
        for origin in ORIGINS {
            let s = Server::start().await;
            s.always("/robots.txt", Reply::text("User-agent: *\nAllow: /\n"));
            servers.push((*origin, s));
        }
        let w = World { servers };
        w.json_sources();
        w.github();
        w
    }

    fn server(&self, origin: &str) -> &Server {
        &self.servers.iter().find(|(o, _)| *o == origin).unwrap().1
    }

    fn json_sources(&self) {
        let dpga = self.server("https://api.digitalpublicgoods.net");
        dpga.always("/dpgs", Reply::json(read("dpga/dpgs.json")));
        let cg = self.server("https://code.gouv.fr");
        cg.always("/sill/api/sill.json", Reply::json(read("sill/sill.json")));
        cg.always(
            "/data/codegouvfr-repositories.json",
            Reply::json(read("code-gouv-fr/codegouvfr-repositories.json")),
        );
        let di = self.server("https://api.developers.italia.it");
        route_query(
            di,
            "/v1/software?page[size]=100",
            Reply::json(read("developers-italia/software-page-1.json")),
        );
        route_query(
            di,
            "/v1/software?page[after]=WyIyMDIxLTA1LTAxVDEwOjAwOjAwWiIsIjBhMWIyYzNkIl0%3D&page[size]=100",
            Reply::json(read("developers-italia/software-page-2.json")),
        );
        let raw = self.server("https://raw.githubusercontent.com");
        for file in files_under(&fixtures().join("us-code-json")) {
            raw.always(
                &format!("/DSACMS/code-gov/main/agency-indexes/{file}"),
                Reply::ok(
                    "text/plain; charset=utf-8",
                    read(&format!("us-code-json/{file}")),
                ),
            );
        }
        let ctfg = self.server("https://civictech.guide");
        for offset in [0, 500] {
            ctfg.always(
                &format!("/api/v1/projects/export?limit=500&offset={offset}"),
                Reply::json(read(&format!(
                    "civic-tech-field-guide/export-offset-{offset}.json"
                ))),
            );
        }
    }

    /// The GitHub REST API over the `github-*` fixtures: organisations (mySociety on two
    /// pages with `Link` headers), single repositories with their root listing and
    /// publiccode.yml, a renamed repository answered with a 301, topic searches.
    fn github(&self) {
        let s = self.server("https://api.github.com");
        let base = s.base();
        let orgs = fixtures().join("github-orgs/orgs");
        for file in files_under(&orgs) {
            let body = read(&format!("github-orgs/orgs/{file}"));
            if let Some(login) = file.strip_suffix("/repos.json") {
                let first = format!("/orgs/{login}/repos?type=all&per_page=100");
                let mut reply = gh(body);
                if login == "mysociety" {
                    reply = reply.header(
                        "link",
                        &format!(
                            "<{base}{first}&page=2>; rel=\"next\", <{base}{first}&page=2>; rel=\"last\""
                        ),
                    );
                }
                s.always(&first, reply);
            } else if let Some(login) = file.strip_suffix("/repos-page-2.json") {
                let first = format!("/orgs/{login}/repos?type=all&per_page=100");
                s.always(
                    &format!("{first}&page=2"),
                    gh(body).header(
                        "link",
                        &format!(
                            "<{base}{first}&page=1>; rel=\"prev\", <{base}{first}&page=1>; rel=\"first\""
                        ),
                    ),
                );
            } else if let Some(login) = file.strip_suffix(".json") {
                s.always(&format!("/orgs/{login}"), gh(body));
            }
        }
        // Declared organisations without repositories in the fixtures: an organisation and
        // an empty first page, as GitHub answers for an organisation with no public repos.
        for login in declared("github-orgs", "orgs") {
            if !orgs.join(format!("{login}.json")).exists() {
                let org = json!({"login": login, "id": 1, "type": "Organization", "name": null,
                    "html_url": format!("https://github.com/{login}"), "public_repos": 0});
                s.always(&format!("/orgs/{login}"), gh(org.to_string().into_bytes()));
                s.always(
                    &format!("/orgs/{login}/repos?type=all&per_page=100"),
                    gh(b"[]".to_vec()),
                );
            }
        }
        for file in files_under(&fixtures().join("github-repos/repos")) {
            let full = file.strip_suffix(".json").unwrap();
            let body = read(&format!("github-repos/repos/{file}"));
            let repo: Value = serde_json::from_slice(&body).unwrap();
            s.always(&format!("/repos/{full}"), gh(body));
            s.always(
                &format!("/repositories/{}", repo["id"]),
                gh(read(&format!("github-repos/repos/{file}"))),
            );
            let pc = fixtures().join("github-repos/publiccode").join(full);
            let (listing, name) = if pc.with_extension("yml").exists() {
                ("contents-publiccode.json", "publiccode.yml")
            } else if pc.with_extension("yaml").exists() {
                ("contents-publiccode-yaml.json", "publiccode.yaml")
            } else {
                ("contents.json", "")
            };
            s.always(
                &format!("/repos/{full}/contents"),
                gh(read(&format!("github-repos/{listing}"))),
            );
            if !name.is_empty() {
                let ext = name.rsplit('.').next().unwrap();
                s.always(
                    &format!("/repos/{full}/contents/{name}"),
                    Reply::text(read(&format!("github-repos/publiccode/{full}.{ext}"))),
                );
            }
        }
        // CONSUL's first home: GitHub answers a renamed repository with a 301 to its id.
        s.always(
            "/repos/AyuntamientoMadrid/consul",
            Reply::status(301).header("location", &format!("{base}/repositories/33330001")),
        );
        for id in ["github-topics", "github-topic-open-data"] {
            for file in files_under(&fixtures().join(id).join("search")) {
                let topic = file.strip_suffix(".json").unwrap();
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &format!("topic:{topic} archived:false"))
                    .append_pair("per_page", "100")
                    .finish();
                s.always(
                    &format!("/search/repositories?{query}"),
                    gh(read(&format!("{id}/search/{file}"))),
                );
            }
        }
    }

    /// The shipped declaration with its origins on loopback and a fast `rate`.
    fn rewrite(&self, text: &str) -> String {
        let bases: Vec<(&str, String)> = self.servers.iter().map(|(o, s)| (*o, s.base())).collect();
        rewrite(text, &bases)
    }

    fn workdir(&self) -> Workdir {
        let w = Workdir::new();
        for id in shipped_ids() {
            w.source(&id, &self.rewrite(&shipped(&id)));
        }
        w
    }
}

/// `text` with each real origin replaced by its stand-in and `rate` raised.
fn rewrite(text: &str, bases: &[(&str, String)]) -> String {
    let mut text = text.to_owned();
    for (origin, base) in bases {
        text = text.replace(origin, base);
    }
    text.lines()
        .map(|l| {
            if l.split('=').next().is_some_and(|k| k.trim() == "rate") {
                "rate = { per_second = 500.0, burst = 50 }".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The strings of array `key` in the shipped declaration `id`.
fn declared(id: &str, key: &str) -> Vec<String> {
    let t: toml::Table = toml::from_str(&shipped(id)).unwrap();
    t[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// An expected source record: name, repository, licence, countries (space-separated).
type Row = (&'static str, &'static str, &'static str, &'static str);

/// `source_records` of one source, by name.
fn records_of<'a>(rows: &'a [Value], source: &str) -> BTreeMap<String, &'a Value> {
    rows.iter()
        .filter(|r| r["source_id"] == source)
        .map(|r| (text(r, "name"), r))
        .collect()
}

#[test]
fn every_shipped_declaration_has_its_fixture_directory() {
    let ids = shipped_ids();
    assert!(ids.len() >= 10, "{ids:?}");
    for id in &ids {
        assert!(
            fixtures().join(id).is_dir(),
            "sources/{id}.toml has no fixture in tests/fixtures/catalogue/{id}/"
        );
    }
    let dirs: BTreeSet<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().to_owned())
        .collect();
    let ids: BTreeSet<String> = ids.into_iter().collect();
    assert_eq!(dirs, ids, "a fixture directory without a declaration");
}

#[tokio::test]
async fn the_shipped_catalogue_reaches_the_ogp_toolbox_showcase_and_every_source_extracts_its_fixture()
 {
    let world = World::start().await;
    let w = world.workdir();
    let run = w.civicrawl(&["run"]).await;
    run.expect_code(0);
    let latest = w.latest();
    let report: Value =
        serde_json::from_slice(&std::fs::read(latest.join("report.json")).unwrap()).unwrap();

    // Record counts per source, and the issues their fixtures provoke on purpose.
    let expected: BTreeMap<&str, usize> = [
        ("civic-tech-field-guide", 3),
        ("ctfg-organisations", 1),
        ("code-gouv-fr", 5),
        ("developers-italia", 4),
        ("dpga", 4),
        ("github-orgs", 26),
        ("github-repos", 24),
        ("github-topic-open-data", 3),
        ("github-topics", 7),
        ("sill", 4),
        ("us-code-json", 13),
    ]
    .into();
    let mut fetched = BTreeMap::new();
    for s in report["sources"].as_array().unwrap() {
        assert_eq!(s["status"], "ok", "{s}");
        let id = s["id"].as_str().unwrap();
        fetched.insert(id, s["records_fetched"].as_u64().unwrap() as usize);
        let messages: Vec<&str> = s["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["message"].as_str().unwrap())
            .collect();
        eprintln!("{id}: {} records, issues {messages:#?}", fetched[id]);
    }
    assert_eq!(fetched, expected);
    // Per source, how its licence values read (issue 21): code.gouv.fr's `other` and
    // code.json's `NOASSERTION` are no licence, every other value is mapped.
    let licences = |id: &str| -> Value {
        let s = report["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap();
        s["licences"].clone()
    };
    assert_eq!(licences("code-gouv-fr")["mapped"], 2);
    assert_eq!(licences("code-gouv-fr")["not_a_licence"], 1);
    assert_eq!(licences("us-code-json")["mapped_share"], 1.0);
    assert_eq!(licences("dpga")["top_unmapped"], json!([]));
    // Category coverage (issue 21): over every tool, and per source.
    let cats = &report["categories"];
    println!("release from the shipped fixtures: categories {cats}");
    for s in report["sources"].as_array().unwrap() {
        println!("  {}: {}", s["id"], s["categories"]);
    }
    assert_eq!(cats["tools"], report["tools"]);
    let with = cats["with_category"].as_u64().unwrap();
    assert!(with * 100 >= cats["tools"].as_u64().unwrap() * 80, "{cats}");
    assert!(cats["inferred_only"].as_u64().unwrap() > 0, "{cats}");
    // The organisations and deployments the shipped declarations map travel with their
    // records into the state store (`[[organisations]]`, `[[use_cases]]`).
    let db = rusqlite::Connection::open_with_flags(
        w.out().join("state.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let raw = |source: &str, id: &str| -> Value {
        let text: String = db
            .query_row(
                "SELECT raw FROM records WHERE source_id = ?1 AND record_id = ?2",
                [source, id],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{source}/{id}: {e}"));
        serde_json::from_str(&text).unwrap()
    };
    let sill_decidim = raw("sill", "101");
    let roles: Vec<(String, String)> = sill_decidim["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                text(o, "role"),
                o["fields"]["name"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("develops".into(), "Decidim".into()),
            ("uses".into(), "DINUM".into())
        ]
    );
    assert_eq!(
        sill_decidim["use_cases"][0]["fields"]["organisation"][0],
        "DINUM"
    );
    let dpga_decidim = raw("dpga", "10012");
    assert_eq!(dpga_decidim["organisations"][0]["role"], "develops");
    assert_eq!(
        dpga_decidim["organisations"][0]["fields"]["website"][0],
        "https://decidim.org"
    );
    // NSF's inventory gives the agency's home page as two releases' repository: no key.
    let hubs = report["non_identifying_urls"].as_array().unwrap();
    let nsf = hubs
        .iter()
        .find(|h| h["url"] == "http://nsf.gov")
        .unwrap_or_else(|| panic!("nsf.gov not reported: {hubs:#?}"));
    assert_eq!(nsf["records"], 2, "{nsf}");
    assert_eq!(nsf["sources"][0]["source"], "us-code-json");
    assert!(
        nsf["reason"].as_str().unwrap().contains("different names"),
        "{nsf}"
    );

    let rows = read_jsonl(&latest.join("source_records.jsonl"));
    let organisations = read_jsonl(&latest.join("organisations.jsonl"));
    let roles = read_jsonl(&latest.join("tool_organisations.jsonl"));
    let use_cases = read_jsonl(&latest.join("use_cases.jsonl"));

    let tools = read_jsonl(&latest.join("tools.jsonl"));
    let tool_by_repo = |repo: &str| -> &Value {
        tools
            .iter()
            .find(|t| t["repository_url"] == repo)
            .unwrap_or_else(|| panic!("no tool with repository {repo}"))
    };

    // Who develops the canonical tools, and where one is used (issue 15).
    let org_name = |id: &Value| -> String {
        let o = organisations
            .iter()
            .find(|o| &o["id"] == id)
            .unwrap_or_else(|| panic!("role points at no organisation {id}"));
        text(o, "name")
    };
    let developers = |repo: &str| -> Vec<String> {
        let tool = tool_by_repo(repo)["id"].clone();
        roles
            .iter()
            .filter(|r| r["tool_id"] == tool && r["role"] == "develops")
            .map(|r| org_name(&r["organisation_id"]))
            .collect()
    };
    // Developers Italia's entry is Milan's publiccode.yml for Decidim, whose repoOwner is
    // the city: both are stated as developers by a source.
    assert_eq!(
        developers("https://github.com/decidim/decidim"),
        ["Decidim", "Comune di Milano"]
    );
    assert_eq!(
        developers("https://github.com/consuldemocracy/consuldemocracy"),
        ["CONSUL DEMOCRACY"]
    );
    assert_eq!(
        developers("https://github.com/openfisca/openfisca-core"),
        ["OpenFisca"]
    );
    let decidim = tool_by_repo("https://github.com/decidim/decidim")["id"].clone();
    let case = use_cases
        .iter()
        .find(|u| u["tool_id"] == decidim)
        .expect("Decidim's SILL instance is a use case");
    assert_eq!(org_name(&case["organisation_id"]), "DINUM");
    assert_eq!(case["audience"], "Agents publics");
    assert_eq!(
        report["organisations"],
        organisations.len(),
        "report.json counts them"
    );
    assert_eq!(report["use_cases"], use_cases.len());
    // The Field Guide's organisation records are organisations, not tools.
    assert!(
        tools.iter().all(|t| t["name"] != "mySociety"),
        "mySociety is no tool"
    );
    let my_society = organisations
        .iter()
        .find(|o| {
            o["sources"]
                .as_array()
                .unwrap()
                .contains(&json!("ctfg-organisations"))
        })
        .expect("the Field Guide's mySociety record is an organisation");
    assert_eq!(my_society["name"], "mySociety", "{my_society}");
    assert_eq!(my_society["kind_rule"], "source-kind", "{my_society}");
    // code.gouv.fr's repository owners are organisations by their forge account.
    let etalab = organisations
        .iter()
        .find(|o| {
            o["forge_accounts"]
                .as_array()
                .unwrap()
                .contains(&json!("github:etalab"))
        })
        .expect("etalab's account is an organisation");
    assert!(
        etalab["sources"]
            .as_array()
            .unwrap()
            .contains(&json!("code-gouv-fr")),
        "{etalab}"
    );
    // An organisation found by several sources is one row, with every source.
    let decidim_org = organisations
        .iter()
        .find(|o| o["name"] == "Decidim")
        .unwrap();
    assert!(
        decidim_org["sources"].as_array().unwrap().len() >= 3,
        "{decidim_org}"
    );

    // The tools the OGP Toolbox launch showcased (2016) and the canonical tools of the field:
    // each one tool, with its repository and home page.
    let showcase = [
        (
            "https://github.com/openfisca/openfisca-core",
            "https://openfisca.org",
        ),
        (
            "https://github.com/betagouv/aides-jeunes",
            "https://mes-aides.1jeune1solution.beta.gouv.fr",
        ),
        (
            "https://github.com/consuldemocracy/consuldemocracy",
            "https://consuldemocracy.org",
        ),
        (
            "https://github.com/lutece-secteur-public/particip-site-participatorybudget",
            "https://budgetparticipatif.paris.fr",
        ),
        (
            "https://github.com/cap-collectif/cap-collectif",
            "https://cap-collectif.com",
        ),
        ("https://github.com/voxe/voxe-web", "https://voxe.org"),
        (
            "https://github.com/democratech/laprimaire",
            "https://laprimaire.org",
        ),
        ("https://github.com/decidim/decidim", "https://decidim.org"),
        (
            "https://github.com/mysociety/alaveteli",
            "https://alaveteli.org",
        ),
        (
            "https://github.com/mysociety/fixmystreet",
            "https://fixmystreet.org",
        ),
        ("https://github.com/loomio/loomio", "https://loomio.com"),
        ("https://github.com/compdemocracy/polis", "https://pol.is"),
        ("https://github.com/ckan/ckan", "https://ckan.org"),
        (
            "https://github.com/opendatateam/udata",
            "https://udata.readthedocs.io",
        ),
    ];
    for (repo, home) in showcase {
        let t = tool_by_repo(repo);
        assert_eq!(text(t, "homepage_url"), home, "{t}");
        assert!(text(t, "id").starts_with("ct_"), "{t}");
    }
    let shown: Vec<String> = showcase
        .iter()
        .map(|(repo, _)| text(tool_by_repo(repo), "name"))
        .collect();
    assert_eq!(
        shown,
        [
            "OpenFisca",
            "aides-jeunes",
            "CONSUL DEMOCRACY",
            "Budget Participatif de Paris",
            "cap-collectif",
            "Voxe.org",
            "LaPrimaire",
            "Decidim",
            "alaveteli",
            "fixmystreet",
            "loomio",
            "Pol.is",
            "ckan",
            "udata"
        ]
    );
    // CONSUL's first home (a 301 on GitHub) and Decide Madrid are keys of the same tool.
    let consul = tool_by_repo("https://github.com/consuldemocracy/consuldemocracy");
    let consul_rows: BTreeSet<String> = rows
        .iter()
        .filter(|r| r["tool_id"] == consul["id"])
        .map(|r| text(r, "source_id"))
        .collect();
    assert_eq!(
        consul_rows.into_iter().collect::<Vec<_>>(),
        [
            "civic-tech-field-guide",
            "dpga",
            "github-orgs",
            "github-repos",
            "github-topics"
        ]
    );

    // What each JSON source extracts from its fixture: (name, repository, licence, countries).
    // Enrich sources show only the records that matched a tool.
    let json_rows: &[(&str, &[Row])] = &[
        (
            "dpga",
            &[
                (
                    "CONSUL DEMOCRACY",
                    "https://github.com/consuldemocracy/consuldemocracy",
                    "AGPL-3.0-only",
                    "AR ES UY",
                ),
                (
                    "DHIS2",
                    "https://github.com/dhis2/dhis2-core",
                    "BSD-3-Clause",
                    "KE LK NO",
                ),
                (
                    "Decidim",
                    "https://github.com/decidim/decidim",
                    "AGPL-3.0-only",
                    "ES FR MX",
                ),
                // One answer holding two repositories and prose: the first URL is the key.
                (
                    "OpenCRVS",
                    "https://github.com/opencrvs/opencrvs-core",
                    "MPL-2.0",
                    "BD",
                ),
            ],
        ),
        (
            "sill",
            &[
                (
                    "Decidim",
                    "https://github.com/decidim/decidim",
                    "AGPL-3.0-or-later",
                    "FR",
                ),
                (
                    "Lutece",
                    "https://github.com/lutece-platform/lutece-core",
                    "BSD-3-Clause",
                    "FR",
                ),
                (
                    "OpenFisca",
                    "https://github.com/openfisca/openfisca-core",
                    "AGPL-3.0-only",
                    "FR",
                ),
                // The 2025 schema drift: `websiteUrl` / `sourceUrl`.
                (
                    "udata",
                    "https://github.com/opendatateam/udata",
                    "AGPL-3.0-only",
                    "FR",
                ),
            ],
        ),
        (
            "code-gouv-fr",
            &[
                (
                    "aides-jeunes",
                    "https://github.com/betagouv/aides-jeunes",
                    "",
                    "FR",
                ),
                (
                    "openfisca-france",
                    "https://github.com/openfisca/openfisca-france",
                    "",
                    "FR",
                ),
                (
                    "udata",
                    "https://github.com/opendatateam/udata",
                    "AGPL-3.0-only",
                    "FR",
                ),
            ],
        ),
        (
            "developers-italia",
            &[
                // Invalid publiccodeYml: kept with its URL, reported.
                ("", "https://github.com/comune-abc/albo-pretorio", "", "IT"),
                (
                    "Decidim",
                    "https://github.com/decidim/decidim",
                    "AGPL-3.0-only",
                    "ES IT",
                ),
                (
                    "IO - The public services app",
                    "https://github.com/pagopa/io-app",
                    "BSD-3-Clause",
                    "IT",
                ),
                (
                    "Segnalazioni",
                    "https://gitlab.com/comune-di-bitonto/segnalazioni",
                    "AGPL-3.0-only",
                    "IT",
                ),
            ],
        ),
        (
            "us-code-json",
            &[(
                "NAL Ag Data Commons",
                "https://github.com/ckan/ckan",
                "AGPL-3.0-only",
                "US",
            )],
        ),
        (
            "civic-tech-field-guide",
            &[
                (
                    "Decide Madrid",
                    "https://github.com/consuldemocracy/consuldemocracy",
                    "",
                    "ES",
                ),
                // No `url`: `socials.website` is the home page.
                ("Pol.is", "https://github.com/compdemocracy/polis", "", "US"),
                ("Voxe.org", "https://github.com/voxe/voxe-web", "", "FR"),
                // mySociety's record is an organisation: `ctfg-organisations`.
            ],
        ),
    ];
    for (source, want) in json_rows {
        let got: Vec<(String, String, String, String)> = records_of(&rows, source)
            .values()
            .map(|r| {
                let countries: Vec<&str> = r["countries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect();
                (
                    text(r, "name"),
                    text(r, "repository_url"),
                    text(r, "license"),
                    countries.join(" "),
                )
            })
            .collect();
        let want: Vec<(String, String, String, String)> = want
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect();
        assert_eq!(got, want, "{source}");
    }
    let ctfg = records_of(&rows, "civic-tech-field-guide");
    assert_eq!(text(ctfg["Pol.is"], "homepage_url"), "https://pol.is");
    assert_eq!(
        text(ctfg["Decide Madrid"], "homepage_url"),
        "https://decide.madrid.es"
    );

    // GitHub: forks left out, archived kept (orgs) or not asked (topics), publiccode.yml read.
    let orgs = records_of(&rows, "github-orgs");
    assert!(!orgs.contains_key("rails"), "forks are left out");
    assert!(
        orgs.contains_key("simulateur") && orgs.contains_key("theyworkforyou"),
        "archived kept; Link page 2 read"
    );
    let repos = records_of(&rows, "github-repos");
    let paris = repos["Budget Participatif de Paris"];
    assert_eq!(
        text(paris, "license"),
        "BSD-3-Clause",
        "from publiccode.yaml"
    );
    let udata = repos["udata"];
    assert_eq!(
        text(udata, "license"),
        "AGPL-3.0-or-later",
        "from publiccode.yml"
    );
    assert_eq!(udata["languages"], json!(["en", "es", "fr"]));
    let topics: Vec<String> = records_of(&rows, "github-topics").into_keys().collect();
    assert_eq!(
        topics,
        [
            "consuldemocracy",
            "decidim",
            "decidim-cfj",
            "hackathon-civic-app",
            "maple",
            "particip-site-participatorybudget",
            "polis"
        ],
        "a repository found under several topics is one record"
    );
    let open_data: Vec<String> = records_of(&rows, "github-topic-open-data")
        .into_keys()
        .collect();
    assert_eq!(
        open_data,
        ["ckan", "udata"],
        "enrich: the data-scripts repository adds no tool"
    );
    assert!(!tools.iter().any(|t| t["name"] == "open-data-scripts"));
}

#[tokio::test]
async fn offline_the_shipped_catalogue_fails_cleanly_on_one_screen_and_latest_stays() {
    let world = World::start().await;
    let w = world.workdir();
    w.civicrawl(&["run"]).await.expect_code(0);
    let first = w.latest();
    let before = std::fs::read(first.join("tools.csv")).unwrap();

    // No network: every origin, GitHub's API included, is a closed port.
    let closed: Vec<(&str, String)> = ORIGINS
        .iter()
        .map(|o| {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            (*o, format!("http://{}", l.local_addr().unwrap()))
        })
        .collect();
    for id in shipped_ids() {
        w.source(&id, &rewrite(&shipped(&id), &closed));
    }
    let run = w.civicrawl(&["-q", "run"]).await;
    run.expect_code(1);
    let err = run.stderr();
    let summary: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("error: no source that had work to do succeeded"))
        .collect();
    assert!(
        summary[0].contains("nothing was published and the previous release stays"),
        "{err}"
    );
    let ids = shipped_ids();
    assert_eq!(summary.len(), ids.len() + 2, "one line per source: {err}");
    for (line, id) in summary[1..=ids.len()].iter().zip(&ids) {
        assert!(
            line.starts_with(&format!("  {id}: could not connect to 127.0.0.1:"))
                && line.ends_with("(connection refused, 4 attempts)"),
            "{line}"
        );
        assert!(line.chars().count() <= 100, "{line}");
    }
    assert!(
        summary
            .last()
            .unwrap()
            .starts_with("help: no source could be reached"),
        "{err}"
    );
    assert_eq!(w.latest(), first, "latest unchanged");
    assert_eq!(std::fs::read(first.join("tools.csv")).unwrap(), before);
    let releases = std::fs::read_dir(w.out().join("releases")).unwrap().count();
    assert_eq!(releases, 1, "no new release directory");
}

#[tokio::test]
async fn offline_from_an_empty_output_directory_nothing_is_published() {
    // A new user's first run with no network: every origin a closed port, and `site`, which
    // has no home page to visit yet, succeeds at doing nothing. That is no release.
    let closed: Vec<(&str, String)> = ORIGINS
        .iter()
        .map(|o| {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            (*o, format!("http://{}", l.local_addr().unwrap()))
        })
        .collect();
    let w = Workdir::new();
    for id in shipped_ids() {
        w.source(&id, &rewrite(&shipped(&id), &closed));
    }
    w.source("site", &shipped("site"));
    let run = w.civicrawl(&["-q", "run"]).await;
    run.expect_code(1);
    let err = run.stderr();
    assert!(
        err.contains("error: no source that had work to do succeeded"),
        "{err}"
    );
    assert!(
        err.contains("  site: had nothing to do (no request made)"),
        "{err}"
    );
    assert!(err.contains("help: no source could be reached"), "{err}");
    assert!(!w.out().join("latest").exists(), "no release, no `latest`");
    let releases = w.out().join("releases");
    assert!(
        !releases.exists() || std::fs::read_dir(&releases).unwrap().next().is_none(),
        "no release directory"
    );
}
