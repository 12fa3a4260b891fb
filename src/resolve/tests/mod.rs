//! Unit tests of `resolve`: keys and merges here; ids, names and name variants beside.

use chrono::TimeZone;

use super::*;
use crate::model::NormRecord;

mod ids;
mod names;
mod variants;

fn resolve_new(inputs: Vec<Input>) -> Resolved {
    resolve(inputs, &Known::default())
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, 3, 0, 0).unwrap()
}

/// Resolves like a pipeline run would: then saves what it learnt in `registry` at `day`.
fn run(inputs: &[Input], registry: &mut Known, day: u32) -> Resolved {
    let out = resolve(inputs.to_vec(), registry);
    for (k, id) in &out.new_ids {
        registry.entry(k.clone()).or_insert((id.clone(), at(day)));
    }
    for (k, id) in &out.moved_ids {
        registry.insert(k.clone(), (id.clone(), at(day)));
    }
    out
}

fn input(source: &str, id: &str, priority: i64, f: impl FnOnce(&mut NormRecord)) -> Input {
    let mut record = NormRecord {
        source_id: source.into(),
        record_id: id.into(),
        name: Some(format!("{source}-{id}")),
        ..NormRecord::default()
    };
    f(&mut record);
    if record.repository_url.is_none() {
        record.repository_url = record.repositories.first().cloned();
    }
    Input {
        record,
        priority,
        create: true,
        stale: false,
        first_seen_at: None,
        last_seen_at: None,
        id_space: None,
    }
}

fn repo(r: &mut NormRecord, url: &str) {
    r.repositories = vec![url.to_string()];
    r.repository_url = Some(url.to_string());
}

/// The id of the tool holding record `source/id`.
fn id_of(out: &Resolved, source: &str, id: &str) -> String {
    out.rows
        .iter()
        .find(|r| r.record.source_id == source && r.record.record_id == id)
        .map(|r| r.tool_id.clone())
        .unwrap_or_else(|| panic!("no row {source}/{id}"))
}

#[test]
fn records_sharing_a_repository_or_homepage_merge_transitively() {
    let out = resolve_new(vec![
        input("dpga", "1", 50, |r| {
            repo(r, "https://github.com/decidim/decidim")
        }),
        input("gh", "decidim", 80, |r| {
            repo(r, "https://github.com/decidim/decidim");
            r.homepage_url = Some("https://decidim.org".into());
            r.stars = Some(1500);
        }),
        input("dir", "x", 10, |r| {
            r.homepage_url = Some("http://decidim.org/en".into())
        }),
        input("dir", "y", 10, |r| {
            r.homepage_url = Some("https://consuldemocracy.org".into())
        }),
    ]);
    assert_eq!(out.tools.len(), 2);
    let decidim = out.tools.iter().find(|t| t.sources.len() == 3).unwrap();
    assert_eq!(decidim.sources, ["dir", "dpga", "gh"]);
    assert_eq!(
        decidim.name.as_deref(),
        Some("gh-decidim"),
        "highest priority wins"
    );
    assert_eq!(decidim.stars, Some(1500));
    assert_eq!(
        decidim.id,
        tool_id("repo:https://github.com/decidim/decidim")
    );
    assert_eq!(out.rows.len(), 4);
    let gh_row = out
        .rows
        .iter()
        .find(|r| r.record.source_id == "gh")
        .unwrap();
    assert!(gh_row.provenance.contains("name"));
    assert_eq!(gh_row.tool_id, decidim.id);
}

#[test]
fn ids_are_stable_and_shaped() {
    let a = tool_id("repo:https://github.com/decidim/decidim");
    assert_eq!(a, tool_id("repo:https://github.com/decidim/decidim"));
    assert_ne!(a, tool_id("repo:https://github.com/consul/consul"));
    assert_eq!(a.len(), 15);
    assert!(a.starts_with("ct_"));
    assert!(
        a[3..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
    );
    // Known keys give known ids, in every process and every version: published ids are
    // promises. The values were computed apart from this code (SHA-256 of the key, first 60
    // bits, RFC 4648 base32 in lower case, most significant first).
    for (key, id) in [
        ("repo:https://github.com/decidim/decidim", "ct_ui4z5jc5vp5u"),
        ("home:https://consulproject.org", "ct_rvde22676s2s"),
        ("wd:Q28919379", "ct_p7picq43bd3u"),
        ("space:github/1", "ct_4yvncu73fhej"),
    ] {
        assert_eq!(tool_id(key), id, "{key}");
    }
}

#[test]
fn records_without_keys_stay_apart_and_enrich_only_clusters_are_dropped() {
    let mut enrich = input("site", "e", 10, |r| {
        r.homepage_url = Some("https://nowhere.test".into())
    });
    enrich.create = false;
    let out = resolve_new(vec![
        input("a", "1", 50, |_| {}),
        input("a", "2", 50, |_| {}),
        enrich,
    ]);
    assert_eq!(out.tools.len(), 2);
    assert_eq!(out.unmatched_enrich, 1);
    assert!(
        out.tools.windows(2).all(|w| w[0].id < w[1].id),
        "sorted by id"
    );
}

#[test]
fn consul_democracy_and_hashicorp_consul_stay_two_tools() {
    let out = resolve_new(vec![
        input("gh", "1", 80, |r| {
            repo(r, "https://github.com/consuldemocracy/consuldemocracy");
            r.name = Some("consuldemocracy".into());
            r.wikidata_id = Some("Q55621829".into());
        }),
        input("gh", "2", 80, |r| {
            repo(r, "https://github.com/hashicorp/consul");
            r.name = Some("consul".into());
            r.homepage_url = Some("https://consul.io".into());
        }),
        // A directory calls CONSUL Democracy just "Consul", and gives the Wikidata item the
        // HashiCorp one lacks, and the homepage HashiCorp's record has: the repositories
        // conflict, so nothing joins across them.
        input("dir", "consul", 10, |r| {
            r.name = Some("Consul".into());
            repo(r, "https://github.com/consuldemocracy/consuldemocracy");
            r.homepage_url = Some("https://consul.io".into());
        }),
        input("dir", "hc", 10, |r| {
            r.name = Some("HashiCorp Consul".into());
            r.organizations = vec!["HashiCorp".into()];
            r.homepage_url = Some("https://www.consul.io/".into());
        }),
    ]);
    assert_eq!(out.tools.len(), 2, "{:#?}", out.tools);
    assert_eq!(id_of(&out, "gh", "1"), id_of(&out, "dir", "consul"));
    assert_eq!(id_of(&out, "gh", "2"), id_of(&out, "dir", "hc"));
    assert_ne!(id_of(&out, "gh", "1"), id_of(&out, "gh", "2"));
}

#[test]
fn names_merge_only_with_agreement_and_never_across_conflicts() {
    let out = resolve_new(vec![
        input("dpga", "d", 50, |r| {
            r.name = Some("Decidim".into());
            repo(r, "https://github.com/decidim/decidim");
        }),
        // No URL: the name and the organisation (the repository's owner) agree.
        input("dir", "d", 10, |r| {
            r.name = Some("Decidim App".into());
            r.organizations = vec!["Decidim".into()];
        }),
        // Two "Vote" apps by different organisations, one with no organisation at all.
        input("dir", "v1", 10, |r| {
            r.name = Some("Vote".into());
            r.organizations = vec!["Civic Lab".into()];
            r.homepage_url = Some("https://vote.civiclab.test".into());
        }),
        input("dir", "v2", 10, |r| {
            r.name = Some("Vote".into());
            r.organizations = vec!["City of Sample".into()];
        }),
        input("dir", "v3", 10, |r| r.name = Some("Vote!".into())),
        input("gh", "v1", 80, |r| {
            r.name = Some("vote".into());
            repo(r, "https://github.com/civiclab/vote");
            r.homepage_url = Some("https://vote.civiclab.test/about".into());
        }),
    ]);
    assert_eq!(id_of(&out, "dpga", "d"), id_of(&out, "dir", "d"));
    assert_eq!(
        id_of(&out, "dir", "v1"),
        id_of(&out, "gh", "v1"),
        "same host"
    );
    assert_ne!(id_of(&out, "dir", "v1"), id_of(&out, "dir", "v2"));
    assert_ne!(id_of(&out, "dir", "v2"), id_of(&out, "dir", "v3"));
    assert_ne!(id_of(&out, "dir", "v1"), id_of(&out, "dir", "v3"));
    assert_eq!(out.tools.len(), 4);
}

#[test]
fn tools_on_a_shared_host_stay_apart() {
    let out = resolve_new(vec![
        input("dir", "a", 10, |r| {
            r.name = Some("Budget Tracker".into());
            r.homepage_url = Some("https://sites.google.com/view/budget-tracker".into());
        }),
        input("dir", "b", 10, |r| {
            r.name = Some("Budget Tracking".into());
            r.homepage_url = Some("https://sites.google.com/view/budget-tracking".into());
        }),
        input("dir", "c", 10, |r| {
            r.name = Some("Petitions".into());
            r.homepage_url = Some("https://civicfoo.github.io".into());
        }),
        input("dir", "d", 10, |r| {
            r.name = Some("Open Spending".into());
            r.homepage_url = Some("https://civicfoo.github.io".into());
        }),
    ]);
    assert_eq!(out.tools.len(), 4);
}

#[test]
fn provenance_names_the_source_of_each_field() {
    let out = resolve_new(vec![
        input("gh", "1", 80, |r| {
            repo(r, "https://github.com/decidim/decidim");
            r.tags = vec!["civic-tech".into()];
        }),
        input("dpga", "1", 50, |r| {
            repo(r, "https://github.com/decidim/decidim");
            r.description = Some("Participatory democracy".into());
            r.tags = vec!["democracy".into()];
        }),
    ]);
    let gh = out
        .rows
        .iter()
        .find(|r| r.record.source_id == "gh")
        .unwrap();
    let dpga = out
        .rows
        .iter()
        .find(|r| r.record.source_id == "dpga")
        .unwrap();
    assert_eq!(
        gh.provenance.fields().collect::<Vec<_>>(),
        ["name", "repository_url", "tags"]
    );
    assert_eq!(
        dpga.provenance.fields().collect::<Vec<_>>(),
        ["description", "tags"]
    );
    assert_eq!(out.tools[0].tags, ["civic-tech", "democracy"]);
}

#[test]
fn parallel_map_gives_every_result_in_order_on_the_threaded_path() {
    // Above the threshold of the threaded path, with a length that does not split evenly.
    let items: Vec<usize> = (0..10_007).collect();
    let out = super::parallel_map(&items, |i| format!("item {i}"));
    let serial: Vec<String> = items.iter().map(|i| format!("item {i}")).collect();
    assert_eq!(out, serial);
}

#[test]
fn parallel_map_passes_a_panic_on() {
    let items: Vec<usize> = (0..10_000).collect();
    let result = std::panic::catch_unwind(|| {
        super::parallel_map(&items, |&i| {
            assert!(i != 9_000, "item {i} fails");
            i.to_string()
        })
    });
    assert!(result.is_err());
}

/// A record named `name` with `f` applied.
fn named(source: &str, id: &str, name: &str, f: impl FnOnce(&mut NormRecord)) -> Input {
    input(source, id, 50, |r| {
        r.name = Some(name.to_string());
        f(r)
    })
}

fn none(_: &mut NormRecord) {}

fn tools_of(out: &Resolved) -> usize {
    out.tools.len()
}

#[test]
fn languages_a_source_states_win_over_detected_ones_and_detected_ones_are_marked() {
    let both = resolve_new(vec![
        input("gh", "1", 80, |r| {
            repo(r, "https://github.com/decidim/decidim");
            r.languages = vec!["en".into()];
            r.languages_inferred = true;
        }),
        input("dpga", "1", 50, |r| {
            repo(r, "https://github.com/decidim/decidim");
            r.languages = vec!["ca".into(), "es".into()];
        }),
    ]);
    assert_eq!(
        both.tools[0].languages,
        ["ca", "es"],
        "the detected `en` is dropped"
    );
    let only = resolve_new(vec![input("gh", "1", 80, |r| {
        repo(r, "https://github.com/consul/consul");
        r.languages = vec!["es".into()];
        r.languages_inferred = true;
    })]);
    assert_eq!(only.tools[0].languages, ["es"]);
    assert!(
        only.rows[0].provenance.contains("languages (inferred)")
            && !only.rows[0].provenance.contains("languages")
    );
}
