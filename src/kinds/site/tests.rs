//! Extraction over fixture pages (tests/fixtures/site/) and liveness rules; no server.

use std::time::Duration;

use chrono::Utc;
use url::Url;

use super::extract::{decode, forge_project, parse_page};
use super::liveness::{self, DEAD_AFTER};
use crate::crawl::Redirect;
use crate::model::{HomepageCheck, Liveness};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/site/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .replace("{{base}}", "https://agora.example")
}

fn url(u: &str) -> Url {
    Url::parse(u).unwrap()
}

fn values<'a>(facts: &'a super::extract::PageFacts, field: &str) -> Vec<&'a str> {
    facts
        .fields
        .get(field)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn json_ld_wins_over_opengraph_and_meta() {
    let f = parse_page(
        &url("https://agora.example/"),
        &fixture("jsonld-opengraph.html"),
    );
    assert_eq!(values(&f, "name"), ["Agora"]);
    assert_eq!(
        values(&f, "description"),
        ["Open-source participatory budgeting: citizens propose, vote and follow projects."]
    );
    assert_eq!(values(&f, "license"), ["AGPL-3.0-or-later"]);
    assert_eq!(values(&f, "programming_languages"), ["Ruby", "JavaScript"]);
    assert_eq!(
        values(&f, "organizations"),
        ["Agora Collective", "City of Example"]
    );
    assert_eq!(values(&f, "languages"), ["en", "Catalan", "en_GB", "es_ES"]);
    assert_eq!(
        values(&f, "logo"),
        ["https://agora.example/static/logo.svg"]
    );
    // codeRepository is declared: the dependency linked in the body is not taken.
    assert_eq!(
        values(&f, "repository"),
        ["https://github.com/agora-civic/agora"]
    );
    assert!(f.issues.is_empty(), "{:?}", f.issues);
}

#[test]
fn html_lang_hreflang_title_and_the_one_forge_project() {
    let f = parse_page(
        &url("https://petitions.example/"),
        &fixture("french-hreflang.html"),
    );
    assert_eq!(values(&f, "name"), ["Pétitions Citoyennes"]);
    assert_eq!(
        values(&f, "description"),
        ["Une plateforme libre de pétitions en ligne pour les collectivités."]
    );
    assert_eq!(values(&f, "languages"), ["fr", "en", "de-DE"]);
    assert_eq!(
        values(&f, "repository"),
        ["https://github.com/petitions-citoyennes/petitions-citoyennes"]
    );
    assert!(values(&f, "logo").is_empty());
}

#[test]
fn a_page_linking_many_projects_gives_no_repository_and_says_why() {
    let f = parse_page(
        &url("https://awesome.example/"),
        &fixture("many-forge-links.html"),
    );
    assert!(values(&f, "repository").is_empty());
    assert_eq!(f.issues.len(), 1);
    assert!(
        f.issues[0].contains("links to 3 code-forge projects"),
        "{:?}",
        f.issues
    );
    // One of several, named like the host: taken.
    let f = parse_page(
        &url("https://www.decidim.org/"),
        &fixture("many-forge-links.html"),
    );
    assert_eq!(
        values(&f, "repository"),
        ["https://github.com/decidim/decidim"]
    );
}

#[test]
fn forge_projects_are_owner_and_name_only() {
    let p = |u: &str| forge_project(&url(u));
    assert_eq!(
        p("https://www.github.com/a/b.git").as_deref(),
        Some("https://github.com/a/b")
    );
    assert_eq!(
        p("https://gitlab.com/group/sub/proj/-/issues").as_deref(),
        Some("https://gitlab.com/group/sub/proj")
    );
    assert_eq!(
        p("https://git.sr.ht/~user/repo/tree").as_deref(),
        Some("https://git.sr.ht/~user/repo")
    );
    for none in [
        "https://github.com/owner",
        "https://github.com/features/actions",
        "https://example.org/a/b",
        "mailto:x@github.com",
    ] {
        assert_eq!(p(none), None, "{none}");
    }
}

#[test]
fn malformed_json_ld_is_an_issue_not_a_failure() {
    let html = r#"<html><head><title>X</title><script type="application/ld+json">{nope</script></head></html>"#;
    let f = parse_page(&url("https://x.example/"), html);
    assert_eq!(values(&f, "name"), ["X"]);
    assert!(f.issues[0].starts_with("JSON-LD script that is not JSON"));
}

#[test]
fn latin1_pages_are_decoded_by_their_charset() {
    let body = b"<html><head><title>P\xe9titions</title></head></html>";
    assert_eq!(
        decode(body, Some("text/html; charset=ISO-8859-1")),
        "<html><head><title>Pétitions</title></head></html>"
    );
    assert!(decode(body, None).contains('\u{fffd}'));
}

fn check(outcome: &str) -> HomepageCheck {
    HomepageCheck {
        url: "https://t.example".into(),
        checked_at: Utc::now(),
        status: None,
        final_url: None,
        outcome: outcome.into(),
        liveness: Liveness::Unknown,
    }
}

fn hop(from: &str, status: u16, to: &str) -> Redirect {
    Redirect {
        from: url(from),
        status,
        to: url(to),
    }
}

#[test]
fn liveness_follows_the_rules() {
    let asked = url("http://tool.example/");
    let judge =
        |r: &[Redirect], outcome: &str, h: &[HomepageCheck]| liveness::judge(&asked, r, outcome, h);
    assert_eq!(judge(&[], "ok", &[]), Liveness::Alive);
    // Same site: http → https, www. added: alive.
    let same = [hop(
        "http://tool.example/",
        301,
        "https://www.tool.example/",
    )];
    assert_eq!(judge(&same, "ok", &[]), Liveness::Alive);
    let away = [hop(
        "http://tool.example/",
        301,
        "https://new-tool.example/",
    )];
    assert_eq!(judge(&away, "ok", &[]), Liveness::Moved);
    assert_eq!(judge(&away, "status", &[]), Liveness::Moved);
    let temporary = [hop("http://tool.example/", 302, "https://login.example/")];
    assert_eq!(judge(&temporary, "ok", &[]), Liveness::Alive);
    // Three consecutive gone checks (DNS counts) are dead; anything between breaks it.
    let gone2 = [check("gone"), check("unresolved")];
    assert_eq!(DEAD_AFTER, 3);
    assert_eq!(judge(&[], "gone", &gone2[..1]), Liveness::Unknown);
    assert_eq!(judge(&[], "gone", &gone2), Liveness::Dead);
    assert_eq!(judge(&[], "unresolved", &gone2), Liveness::Dead);
    let broken = [check("gone"), check("status"), check("gone")];
    assert_eq!(judge(&[], "gone", &broken), Liveness::Unknown);
    // 403/429/5xx, refusals and robots are unknown, whatever came before.
    for outcome in ["status", "failed", "refused", "robots"] {
        assert_eq!(judge(&[], outcome, &gone2), Liveness::Unknown, "{outcome}");
    }
}

#[test]
fn declaration_keys_and_their_errors() {
    let table = |t: &str| -> toml::Table { toml::from_str(t).unwrap() };
    let s = super::build(table("max_sites = 25\ntime_budget = \"15m\"")).unwrap();
    assert_eq!(s.max_sites, 25);
    assert_eq!(s.time_budget, Duration::from_secs(900));
    let s = super::build(table("time_budget = 90")).unwrap();
    assert_eq!(s.time_budget, Duration::from_secs(90));
    let errs = super::build(table("max_sites = 0\ntime_budget = \"soon\"")).unwrap_err();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].starts_with("`max_sites`: expected a whole number"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("`time_budget`: expected seconds"),
        "{errs:?}"
    );
}
