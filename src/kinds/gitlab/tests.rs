//! Unit tests of the `gitlab` kind: declarations, the project mapping, `x-next-page`.

use serde_json::{Value, json};
use url::Url;

use super::*;
use crate::kinds::testutil::fixture;

#[test]
fn declaration_defaults_and_problems() {
    let src = build(toml::from_str("groups = [\"adullact\"]").unwrap()).unwrap();
    assert_eq!(src.api_url.as_str(), "https://gitlab.com/api/v4");
    assert_eq!(src.token_env, "GITLAB_TOKEN");
    let errs = build(toml::from_str("include_forks = true\norgs = [\"x\"]").unwrap()).unwrap_err();
    assert!(
        errs.iter().any(|e| e.starts_with("nothing to harvest")),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.contains("`orgs`: unknown key")),
        "{errs:?}"
    );
}

#[test]
fn a_project_maps_to_canonical_fields() {
    let item: Value = serde_json::from_str(&fixture("gitlab", "project.json")).unwrap();
    let url = Url::parse("https://gitlab.example.com/api/v4/groups/diaspora/projects").unwrap();
    let p = extract::parse_project(&url, &item).unwrap();
    assert!(!p.is_fork());
    let mut issues = Vec::new();
    let r = extract::record(&p, &url, &mut issues).unwrap();
    assert_eq!(r.record_id, "4");
    assert_eq!(
        r.all("repository"),
        ["https://gitlab.example.com/diaspora/diaspora-client"]
    );
    assert_eq!(r.all("tags"), ["example", "disapora client"]);
    assert_eq!(r.all("organizations"), ["Diaspora"]);
    assert_eq!(r.first("updated_at"), Some("2026-09-30T13:46:02Z"));
    assert_eq!(r.first("stars"), Some("0"));
    let mut fork = item.clone();
    fork["forked_from_project"] = json!({"id": 1});
    assert!(extract::parse_project(&url, &fork).unwrap().is_fork());
}

#[test]
fn a_group_namespace_develops_the_project_and_a_user_namespace_is_no_organisation() {
    let item: Value = serde_json::from_str(&fixture("gitlab", "project.json")).unwrap();
    let url = Url::parse("https://gitlab.example.com/api/v4/groups/diaspora/projects").unwrap();
    let read = |item: &Value| {
        let p = extract::parse_project(&url, item).unwrap();
        extract::record(&p, &url, &mut Vec::new()).unwrap()
    };
    let r = read(&item);
    assert_eq!(r.organisations.len(), 1);
    let org = &r.organisations[0];
    assert_eq!(org.role.as_deref(), Some("develops"));
    assert_eq!(org.first("name"), Some("Diaspora"));
    assert_eq!(
        org.first("forge_account"),
        Some("gitlab:gitlab.example.com/diaspora")
    );
    let mut subgroup = item.clone();
    subgroup["namespace"]["name"] = json!("Clients");
    subgroup["namespace"]["full_path"] = json!("diaspora/clients");
    let r = read(&subgroup);
    assert_eq!(
        r.organisations[0].first("forge_account"),
        Some("gitlab:gitlab.example.com/diaspora/clients")
    );
    // Any host: `normalise` reads the `gitlab:` form on an instance not called `gitlab.*`.
    let mut framagit = item.clone();
    framagit["web_url"] = json!("https://framagit.org/diaspora/diaspora-client");
    let account = read(&framagit).organisations[0].fields["forge_account"][0].clone();
    assert_eq!(account, "gitlab:framagit.org/diaspora");
    assert_eq!(
        crate::normalise::parts::forge_account(&account).as_deref(),
        Some("gitlab:framagit.org/diaspora")
    );
    let mut user = item.clone();
    user["namespace"] = json!({"id": 7, "name": "Jane Doe", "path": "jdoe", "kind": "user",
        "full_path": "jdoe", "parent_id": null, "web_url": "https://gitlab.example.com/jdoe"});
    let r = read(&user);
    assert!(r.organisations.is_empty(), "{:?}", r.organisations);
    assert!(r.all("organizations").is_empty());
}

#[test]
fn x_next_page_is_followed_when_there_is_no_link() {
    let api = Url::parse("https://gitlab.example.com/api/v4").unwrap();
    let page = |next: &str| api::ApiPage {
        url: Url::parse("https://gitlab.example.com/api/v4/groups/g/projects?per_page=100&page=1")
            .unwrap(),
        headers: vec![("x-next-page".into(), next.into())],
        body: vec![],
    };
    let next = extract::next_page(&page("2"), &api).unwrap().unwrap();
    assert_eq!(
        next.as_str(),
        "https://gitlab.example.com/api/v4/groups/g/projects?per_page=100&page=2"
    );
    assert_eq!(extract::next_page(&page(""), &api).unwrap(), None);
    assert!(extract::next_page(&page("x"), &api).is_err());
}
