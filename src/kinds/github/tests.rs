//! Unit tests of the `github` kind: declarations, the repository mapping, publiccode.yml and
//! the search slicing over an in-memory API. Fixtures from `tests/fixtures/github/`.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::{Value, json};
use url::Url;

use super::*;
use crate::crawl::FetchError;
use crate::kinds::forge::api::{Api, ApiPage};
use crate::kinds::forge::publiccode;
use crate::kinds::testutil::{block_on, fixture, fixture_bytes};

fn table(text: &str) -> toml::Table {
    toml::from_str(text).unwrap()
}

#[test]
fn declaration_defaults_and_problems() {
    let src = build(table("orgs = [\"decidim\"]")).unwrap();
    assert_eq!(src.api_url.as_str(), "https://api.github.com/");
    assert_eq!(src.token_env, "GITHUB_TOKEN");
    assert!(!src.include_forks && src.include_archived && !src.detect_publiccode);
    assert_eq!(src.limits.max_wait.as_secs(), 900);
    let src = build(table(
        "api_url = \"http://127.0.0.1:8080/api/v3/\"\nrepos = [\"a/b\"]\nmax_wait = \"2m\"",
    ))
    .unwrap();
    assert_eq!(src.api_url.as_str(), "http://127.0.0.1:8080/api/v3");
    assert_eq!(src.limits.max_wait.as_secs(), 120);
    let errs = build(table("repos = [\"justone\"]\ntoken_env = \"ghp_abc-def\"\ninclude_forks = \"yes\"\nmax_wait = \"soon\"")).unwrap_err();
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(errs[0].starts_with("`token_env`"), "{errs:?}");
    let errs = build(table("include_forks = true")).unwrap_err();
    assert!(errs[0].starts_with("nothing to harvest"), "{errs:?}");
}

#[test]
fn a_repository_maps_to_canonical_fields() {
    let item: Value = serde_json::from_str(&fixture("github", "repo.json")).unwrap();
    let url = Url::parse("https://api.github.com/orgs/decidim/repos").unwrap();
    let repo = extract::parse_repo(&url, &item).unwrap();
    let names = HashMap::from([("decidim".to_string(), "Decidim".to_string())]);
    let f = extract::repo_fields(&repo, &names);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    assert_eq!(get("record_id"), ["1296269"]);
    assert_eq!(get("name"), ["decidim"]);
    assert_eq!(get("repository"), ["https://github.com/decidim/decidim"]);
    assert_eq!(get("homepage"), ["https://decidim.org"]);
    assert_eq!(get("license"), ["AGPL-3.0"]);
    assert_eq!(
        get("tags"),
        ["civic-tech", "participation", "ruby-on-rails"]
    );
    assert_eq!(get("programming_languages"), ["Ruby"]);
    assert_eq!(get("organizations"), ["Decidim"]);
    assert_eq!(get("stars"), ["1503"]);
    assert_eq!(get("forks"), ["409"]);
    assert_eq!(get("archived"), ["false"]);
    assert_eq!(get("created_at"), ["2016-06-21T09:27:53Z"]);
    assert_eq!(get("updated_at"), ["2026-11-19T16:44:00Z"]);
}

#[test]
fn an_organisation_owner_develops_the_repository_and_a_user_owner_is_no_organisation() {
    let item: Value = serde_json::from_str(&fixture("github", "repo.json")).unwrap();
    let url = Url::parse("https://api.github.com/orgs/decidim/repos").unwrap();
    let repo = extract::parse_repo(&url, &item).unwrap();
    let names = HashMap::from([("decidim".to_string(), "Decidim".to_string())]);
    let org = extract::owner_organisation(&repo, &names).unwrap();
    assert_eq!(org.role.as_deref(), Some("develops"));
    assert_eq!(org.first("name"), Some("Decidim"), "the display name");
    assert_eq!(
        org.first("forge_account"),
        Some("https://github.com/decidim")
    );
    let org = extract::owner_organisation(&repo, &HashMap::new()).unwrap();
    assert_eq!(org.first("name"), Some("decidim"), "the login");
    // A topic search mixes organisation and user accounts.
    let search = fixture("catalogue/github-topics/search", "civic-tech.json");
    let page = extract::parse_search(search.as_bytes()).unwrap();
    let mut seen = (0, 0);
    for item in &page.items {
        let repo = extract::parse_repo(&url, item).unwrap();
        let org = extract::owner_organisation(&repo, &HashMap::new());
        match item["owner"]["type"].as_str() {
            Some("User") => {
                assert!(org.is_none(), "{}", repo.full_name);
                seen.1 += 1;
            }
            _ => {
                let org = org.unwrap();
                let page = format!("https://github.com/{}", repo.owner.login);
                assert_eq!(org.first("forge_account"), Some(page.as_str()));
                seen.0 += 1;
            }
        }
    }
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
    // GitHub Enterprise: the owner's page is not on github.com.
    let mut ghe = item.clone();
    ghe["owner"]["html_url"] = json!("https://github.example.org/decidim");
    let repo = extract::parse_repo(&url, &ghe).unwrap();
    let org = extract::owner_organisation(&repo, &HashMap::new()).unwrap();
    assert_eq!(org.first("forge_account"), None);
}

#[test]
fn noassertion_licences_and_empty_homepages_are_dropped() {
    let mut item: Value = serde_json::from_str(&fixture("github", "repo.json")).unwrap();
    item["license"] =
        json!({"key": "other", "name": "Other", "spdx_id": "NOASSERTION", "url": null});
    item["homepage"] = json!("");
    item["description"] = Value::Null;
    let url = Url::parse("https://api.github.com/x").unwrap();
    let f = extract::repo_fields(&extract::parse_repo(&url, &item).unwrap(), &HashMap::new());
    assert!(
        !f.contains_key("license") && !f.contains_key("homepage") && !f.contains_key("description")
    );
    assert_eq!(
        f["organizations"],
        ["decidim"],
        "owner login without a display name"
    );
}

#[test]
fn publiccode_fields_take_precedence_and_invalid_files_are_named() {
    let base = Url::parse("https://github.com/decidim/decidim").unwrap();
    let pc = publiccode::parse(fixture("github", "publiccode.yml").as_bytes(), &base)
        .unwrap()
        .fields;
    assert_eq!(
        pc["name"],
        ["Decidim, free open-source participatory democracy"]
    );
    assert_eq!(pc["countries"], ["es", "fr"]);
    assert_eq!(pc["languages"], ["en", "es", "ca"]);
    assert_eq!(pc["organizations"], ["Ajuntament de Barcelona"]);
    let item: Value = serde_json::from_str(&fixture("github", "repo.json")).unwrap();
    let repo = extract::parse_repo(&base, &item).unwrap();
    let mut f = extract::repo_fields(&repo, &HashMap::new());
    publiccode::overlay(&mut f, pc);
    assert_eq!(
        f["name"],
        ["Decidim, free open-source participatory democracy"]
    );
    assert_eq!(f["license"], ["AGPL-3.0-or-later"]);
    assert_eq!(f["organizations"], ["Ajuntament de Barcelona", "decidim"]);
    assert_eq!(f["stars"], ["1503"], "forge fields stay");
    let bad =
        publiccode::parse(&fixture_bytes("github", "publiccode-invalid.yml"), &base).unwrap_err();
    assert!(bad.starts_with("not valid YAML"), "{bad}");
    assert_eq!(
        publiccode::parse(b"name: x\n", &base).unwrap_err(),
        "missing `publiccodeYmlVersion`"
    );
    assert!(
        publiccode::parse(b"- a\n", &base)
            .unwrap_err()
            .contains("mapping")
    );
}

/// An in-memory search API: `n` results spread over days, with GitHub's cap and paging.
struct FakeSearch {
    created: Vec<NaiveDate>,
    log: RefCell<Vec<String>>,
}

impl Api for FakeSearch {
    async fn get(&self, url: &Url, _accept: &str) -> Result<ApiPage, FetchError> {
        self.log.borrow_mut().push(url.to_string());
        let q = url
            .query_pairs()
            .find(|(k, _)| k == "q")
            .unwrap()
            .1
            .into_owned();
        let page: usize = url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(1);
        let range = q
            .split_whitespace()
            .find_map(|t| t.strip_prefix("created:"))
            .map(|r| {
                let (a, b) = r.split_once("..").unwrap();
                (
                    a.parse::<NaiveDate>().unwrap(),
                    b.parse::<NaiveDate>().unwrap(),
                )
            });
        let found: Vec<usize> = (0..self.created.len())
            .filter(|&i| range.is_none_or(|(a, b)| self.created[i] >= a && self.created[i] <= b))
            .collect();
        let visible = found.len().min(1000);
        let items: Vec<Value> = found.iter().take(visible).skip((page - 1) * 100).take(100)
            .map(|&i| json!({"id": i, "name": format!("r{i}"), "full_name": format!("o/r{i}"), "html_url": format!("https://github.com/o/r{i}"), "owner": {"login": "o"}, "fork": false, "archived": false}))
            .collect();
        let mut headers = Vec::new();
        if page * 100 < visible {
            let mut next = url.clone();
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| k != "page")
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            next.query_pairs_mut()
                .clear()
                .extend_pairs(pairs)
                .append_pair("page", &(page + 1).to_string());
            headers.push(("link".to_string(), format!("<{next}>; rel=\"next\"")));
        }
        let body = serde_json::to_vec(
            &json!({"total_count": found.len(), "incomplete_results": false, "items": items}),
        )
        .unwrap();
        Ok(ApiPage {
            url: url.clone(),
            headers,
            body,
        })
    }
}

#[test]
fn a_search_over_the_cap_is_sliced_by_creation_date_and_collected_once() {
    let start = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap();
    let created: Vec<NaiveDate> = (0..3500u64)
        .map(|i| start + chrono::Days::new(i % 3000))
        .collect();
    let api = FakeSearch {
        created,
        log: RefCell::new(Vec::new()),
    };
    let src = build(table("search = [\"participatory budgeting\"]")).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let h = block_on(walk::walk(&src, &api, today)).unwrap();
    assert_eq!(h.records.len(), 3500);
    assert!(h.issues.is_empty(), "{:?}", h.issues);
    let log = api.log.borrow();
    assert!(
        log.iter().any(|u| u.contains("created%3A2007-10-01..")),
        "slices start at GitHub's first day"
    );
    assert!(log.len() < 3500 / 100 + 16, "{} requests", log.len());
}

#[test]
fn one_day_over_the_cap_is_collected_up_to_it_and_reported() {
    let day = NaiveDate::from_ymd_opt(2020, 2, 2).unwrap();
    let api = FakeSearch {
        created: vec![day; 1200],
        log: RefCell::new(Vec::new()),
    };
    let src = build(table("topics = [\"x\"]")).unwrap();
    let h = block_on(walk::walk(
        &src,
        &api,
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    ))
    .unwrap();
    assert_eq!(h.records.len(), 1000);
    assert_eq!(h.issues.len(), 1);
    assert!(
        h.issues[0].message.contains("created on 2020-02-02"),
        "{:?}",
        h.issues
    );
}

/// An organisation of three repositories, none with a publiccode.yml.
struct ThreeRepos;

impl Api for ThreeRepos {
    async fn get(&self, url: &Url, _accept: &str) -> Result<ApiPage, FetchError> {
        let body = match url.path() {
            "/orgs/o" => json!({"login": "o", "name": "O"}),
            "/orgs/o/repos" => json!((1..=3).map(|i| json!({"id": i, "name": format!("r{i}"), "full_name": format!("o/r{i}"), "html_url": format!("https://github.com/o/r{i}"), "owner": {"login": "o"}, "fork": false, "archived": false, "default_branch": "main"})).collect::<Vec<_>>()),
            _ => json!([{"name": "README.md"}]),
        };
        Ok(ApiPage {
            url: url.clone(),
            headers: Vec::new(),
            body: serde_json::to_vec(&body).unwrap(),
        })
    }
}

#[test]
fn publiccode_detection_at_the_page_cap_stops_with_one_issue_and_keeps_the_repositories() {
    let src = build(table("orgs = [\"o\"]\ndetect_publiccode = true")).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    // The organisation, its list, and two of the three root listings.
    let h = block_on(walk::walk_capped(&src, &ThreeRepos, today, 4)).unwrap();
    assert_eq!(h.records.len(), 3);
    assert_eq!(h.issues.len(), 1, "{:?}", h.issues);
    let issue = &h.issues[0];
    assert_eq!(issue.url, "https://github.com/o/r3");
    assert!(
        issue
            .message
            .starts_with("publiccode.yml not checked in the 1 repositories left: "),
        "{}",
        issue.message
    );
    assert!(
        issue.message.contains("page cap of 4 requests"),
        "{}",
        issue.message
    );
    // With room for every request, no issue.
    let h = block_on(walk::walk_capped(&src, &ThreeRepos, today, 5)).unwrap();
    assert_eq!((h.records.len(), h.issues.len()), (3, 0), "{:?}", h.issues);
}

/// One repository of an organisation, with a publiccode.yml, from the catalogue fixtures.
struct Udata;

impl Api for Udata {
    async fn get(&self, url: &Url, _accept: &str) -> Result<ApiPage, FetchError> {
        let dir = "catalogue/github-repos";
        let body = match url.path() {
            "/repos/opendatateam/udata" => fixture_bytes(dir, "repos/opendatateam/udata.json"),
            "/repos/opendatateam/udata/contents" => fixture_bytes(dir, "contents-publiccode.json"),
            "/repos/opendatateam/udata/contents/publiccode.yml" => {
                fixture_bytes(dir, "publiccode/opendatateam/udata.yml")
            }
            other => panic!("unexpected request {other}"),
        };
        Ok(ApiPage {
            url: url.clone(),
            headers: Vec::new(),
            body,
        })
    }
}

#[test]
fn a_record_names_its_owner_then_the_organisations_of_its_publiccode() {
    let src = build(table(
        "repos = [\"opendatateam/udata\"]\ndetect_publiccode = true",
    ))
    .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let h = block_on(walk::walk(&src, &Udata, today)).unwrap();
    assert_eq!(h.records.len(), 1, "{:?}", h.issues);
    let orgs: Vec<(&str, &str, Option<&str>)> = h.records[0]
        .organisations
        .iter()
        .map(|o| {
            (
                o.role.as_deref().unwrap(),
                o.first("name").unwrap(),
                o.first("forge_account"),
            )
        })
        .collect();
    assert_eq!(
        orgs,
        [
            (
                "develops",
                "opendatateam",
                Some("https://github.com/opendatateam")
            ),
            ("develops", "Open Data Team", None),
        ],
        "the owner account, then the file's `legal.repoOwner` (its copyright owner plays no role)"
    );
}
