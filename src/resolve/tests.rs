use chrono::TimeZone;

use super::*;
use crate::model::NormRecord;

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
fn registered_ids_survive_a_change_of_first_key() {
    let mut registry = Known::default();
    let first = run(
        &[input("dir", "x", 10, |r| {
            r.homepage_url = Some("https://decidim.org".into())
        })],
        &mut registry,
        1,
    );
    let id = first.tools[0].id.clone();
    assert_eq!(registry["home:decidim.org"].0, id);
    assert_eq!(registry["rec:dir/x"].0, id);
    // Next run a repository appears: the first key becomes `repo:…`, the id stays.
    let second = run(
        &[
            input("dir", "x", 10, |r| {
                r.homepage_url = Some("https://decidim.org".into())
            }),
            input("gh", "d", 80, |r| {
                r.homepage_url = Some("https://decidim.org".into());
                repo(r, "https://github.com/decidim/decidim");
            }),
        ],
        &mut registry,
        2,
    );
    assert_eq!(second.tools.len(), 1);
    assert_eq!(second.tools[0].id, id);
    assert!(
        second
            .new_ids
            .contains(&("repo:https://github.com/decidim/decidim".to_string(), id))
    );
}

/// Six records of four tools.
fn catalogue() -> Vec<Input> {
    vec![
        input("dpga", "1", 50, |r| {
            repo(r, "https://github.com/decidim/decidim")
        }),
        input("dir", "decidim", 10, |r| {
            r.homepage_url = Some("https://decidim.org".into())
        }),
        input("gh", "1", 80, |r| {
            repo(r, "https://github.com/decidim/decidim");
            r.homepage_url = Some("https://decidim.org".into());
        }),
        input("gh", "2", 80, |r| {
            repo(r, "https://github.com/mysociety/alaveteli")
        }),
        input("dir", "fms", 10, |r| {
            r.homepage_url = Some("https://fixmystreet.org".into())
        }),
        input("dir", "loomio", 10, |r| {
            r.homepage_url = Some("https://loomio.com".into())
        }),
    ]
}

fn ids_by_record(out: &Resolved) -> Vec<(String, String)> {
    out.rows
        .iter()
        .map(|r| {
            (
                format!("{}/{}", r.record.source_id, r.record.record_id),
                r.tool_id.clone(),
            )
        })
        .collect()
}

#[test]
fn a_rerun_gives_the_same_ids_and_registers_nothing_new() {
    let mut registry = Known::default();
    let first = run(&catalogue(), &mut registry, 1);
    let second = run(&catalogue(), &mut registry, 2);
    assert_eq!(ids_by_record(&first), ids_by_record(&second));
    assert_eq!(first.tools, second.tools);
    assert!(second.new_ids.is_empty() && second.moved_ids.is_empty());
    assert!(second.aliases.is_empty());
}

#[test]
fn ids_never_depend_on_input_order() {
    let mut inputs = catalogue();
    inputs.extend(vec![
        input("dir", "v1", 10, |r| r.name = Some("Vote".into())),
        input("dir", "v2", 10, |r| r.name = Some("Vote".into())),
    ]);
    // Name-only records, an ambiguous name, a hub URL, an extension and an id space.
    inputs.extend(vec![
        named("sill-2019", "a", "Ansible", |r| {
            r.license = Some("GPL-3.0-only".into())
        }),
        named("sill", "a", "Ansible", |r| {
            r.homepage_url = Some("https://ansible.com".into());
            r.license = Some("GPL-3.0-or-later".into());
        }),
        named("sill-2019", "c", "Consul", none),
        named("gh", "hc", "consul", |r| {
            repo(r, "https://github.com/hashicorp/consul")
        }),
        named("sill-2020", "j", "Jitsi", |r| {
            r.license = Some("Apache-2.0".into())
        }),
        named("sill", "j", "Jitsi Meet", |r| {
            r.homepage_url = Some("https://jitsi.org".into());
            r.license = Some("Apache-2.0".into());
        }),
    ]);
    for (i, name) in [
        "Grant Tracker",
        "Award Search",
        "Data Viz Kit",
        "Science Gateway",
    ]
    .iter()
    .enumerate()
    {
        inputs.push(named("nsf", &format!("{i}"), name, |r| {
            repo(r, "http://nsf.gov")
        }));
    }
    for (source, id) in [("sill-2021", "9"), ("sill-2022", "9")] {
        let mut i = named(source, id, "Thunderbird", none);
        i.id_space = Some(Arc::from("sill-csv"));
        inputs.push(i);
    }
    let base = resolve_new(inputs.clone());
    assert!(
        !base.non_identifying.is_empty(),
        "the hub URL is in the set"
    );
    // A fixed pseudo-random shuffle (no rng crate needed), several rounds.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20 {
        for i in (1..inputs.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            inputs.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let again = resolve_new(inputs.clone());
        assert_eq!(ids_by_record(&base), ids_by_record(&again));
        assert_eq!(base.tools, again.tools);
    }
}

#[test]
fn an_added_source_keeps_every_id() {
    let mut registry = Known::default();
    let first = run(&catalogue(), &mut registry, 1);
    let mut more = catalogue();
    more.push(input("codejson", "a", 40, |r| {
        repo(r, "https://github.com/mysociety/alaveteli");
        r.homepage_url = Some("https://alaveteli.org".into());
    }));
    more.push(input("codejson", "new", 40, |r| {
        repo(r, "https://github.com/openfisca/openfisca-core")
    }));
    let second = run(&more, &mut registry, 2);
    for (record, id) in ids_by_record(&first) {
        assert_eq!(
            ids_by_record(&second).iter().find(|(r, _)| *r == record),
            Some(&(record.clone(), id))
        );
    }
    assert_eq!(second.tools.len(), first.tools.len() + 1);
    assert_eq!(id_of(&second, "codejson", "a"), id_of(&first, "gh", "2"));
}

#[test]
fn merged_tools_keep_the_older_id_and_alias_the_other() {
    let mut registry = Known::default();
    let fms = || {
        input("dir", "fms", 10, |r| {
            r.homepage_url = Some("https://fixmystreet.org".into())
        })
    };
    let first = run(&[fms()], &mut registry, 1);
    let older = first.tools[0].id.clone();
    // A day later a GitHub record arrives with no homepage: a second tool.
    let gh = || {
        input("gh", "fms", 80, |r| {
            repo(r, "https://github.com/mysociety/fixmystreet")
        })
    };
    let second = run(&[fms(), gh()], &mut registry, 2);
    assert_eq!(second.tools.len(), 2);
    let younger = id_of(&second, "gh", "fms");
    assert_ne!(older, younger);
    // Then a record ties them together: one tool, the older id, the younger one an alias,
    // even though the merged tool's first key (the repository) derives the younger id.
    let bridge = || {
        input("codejson", "fms", 40, |r| {
            repo(r, "https://github.com/mysociety/fixmystreet");
            r.homepage_url = Some("https://www.fixmystreet.org/".into());
        })
    };
    let third = run(&[fms(), gh(), bridge()], &mut registry, 3);
    assert_eq!(third.tools.len(), 1);
    assert_eq!(third.tools[0].id, older);
    assert_eq!(third.aliases, [(younger.clone(), older.clone())]);
    // The registry now points the retired id's keys at the survivor: the alias is said once.
    assert_eq!(registry["rec:gh/fms"].0, older);
    let fourth = run(&[fms(), gh(), bridge()], &mut registry, 4);
    assert_eq!(fourth.tools[0].id, older);
    assert!(fourth.aliases.is_empty());
    // The result is the same whichever id is smaller or whichever key comes first.
    assert_eq!(
        tool_id("repo:https://github.com/mysociety/fixmystreet"),
        younger
    );
}

#[test]
fn a_split_keeps_the_id_on_the_larger_part() {
    let mut registry = Known::default();
    let rec = |source: &str, home: &str| {
        let home = home.to_string();
        input(source, "x", 10, move |r| r.homepage_url = Some(home))
    };
    let first = run(
        &[
            rec("a", "https://loomio.com"),
            rec("b", "https://loomio.com"),
            rec("c", "https://loomio.com"),
        ],
        &mut registry,
        1,
    );
    let id = first.tools[0].id.clone();
    // Source `a` now says its tool lives elsewhere: it leaves, alone.
    let second = run(
        &[
            rec("a", "https://loomio.org"),
            rec("b", "https://loomio.com"),
            rec("c", "https://loomio.com"),
        ],
        &mut registry,
        2,
    );
    assert_eq!(second.tools.len(), 2);
    assert_eq!(id_of(&second, "b", "x"), id);
    assert_eq!(id_of(&second, "c", "x"), id);
    let split = id_of(&second, "a", "x");
    assert_ne!(split, id);
    assert!(second.aliases.is_empty());
    // Even when the smaller part holds the key the id was derived from.
    let third = run(
        &[
            rec("a", "https://loomio.com"),
            rec("b", "https://loomio.net"),
            rec("c", "https://loomio.net"),
        ],
        &mut registry,
        3,
    );
    assert_eq!(id_of(&third, "b", "x"), id);
    assert_eq!(
        id_of(&third, "a", "x"),
        split,
        "the split-off part keeps its own id"
    );
    let fourth = run(
        &[
            rec("a", "https://loomio.com"),
            rec("b", "https://loomio.net"),
            rec("c", "https://loomio.net"),
        ],
        &mut registry,
        4,
    );
    assert_eq!(ids_by_record(&third), ids_by_record(&fourth));
}

#[test]
fn a_tool_keeps_its_id_while_any_record_persists() {
    let mut registry = Known::default();
    let first = run(&catalogue(), &mut registry, 1);
    let decidim = id_of(&first, "gh", "1");
    // Only the directory record is left, and its homepage moved: its own key keeps the id.
    let second = run(
        &[input("dir", "decidim", 10, |r| {
            r.homepage_url = Some("https://decidim.barcelona".into())
        })],
        &mut registry,
        2,
    );
    assert_eq!(second.tools[0].id, decidim);
}

#[test]
fn a_renamed_repository_is_a_known_alias() {
    let mut registry = Known::default();
    let old = "https://github.com/consul/consul";
    let new = "https://github.com/consuldemocracy/consuldemocracy";
    let first = run(
        &[
            input("gh", "123", 80, |r| repo(r, old)),
            input("dir", "consul", 10, |r| repo(r, old)),
        ],
        &mut registry,
        1,
    );
    let id = first.tools[0].id.clone();
    // GitHub answers the same repository id under its new name; the directory still links
    // the old URL. Two repositories on one host would conflict, but the registry knows the
    // record: a rename.
    let named = |name: &str, url: &str| {
        let (name, url) = (name.to_string(), url.to_string());
        move |r: &mut NormRecord| {
            r.name = Some(name);
            repo(r, &url)
        }
    };
    let inputs = [
        input("gh", "123", 80, named("consuldemocracy", new)),
        input("dir", "consul", 10, named("Consul", old)),
        input("dir", "other", 10, named("CONSUL Democracy", new)),
    ];
    let second = run(&inputs, &mut registry, 2);
    assert_eq!(second.tools.len(), 1, "{:#?}", second.tools);
    assert_eq!(second.tools[0].id, id);
    assert!(registry.contains_key(&format!("renamed:{old} {new}")));
    // The rename is remembered: the next run needs no detection.
    let third = run(&inputs, &mut registry, 3);
    assert_eq!(third.tools.len(), 1);
    assert_eq!(third.tools[0].id, id);
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
fn ids_are_ordered_like_their_text() {
    let ids: Vec<String> = ["ct_b", "ct_ab", "ct_a", "ct_", "ct_zz", "ct_a2"]
        .into_iter()
        .map(String::from)
        .collect();
    let mut expected: Vec<usize> = (0..ids.len()).collect();
    expected.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    assert_eq!(super::by_id(&ids), expected);
    // Longer than the packed form: compared as text.
    let mut long = ids.clone();
    long.push("ct_a-very-long-identifier".into());
    let mut expected: Vec<usize> = (0..long.len()).collect();
    expected.sort_by(|&a, &b| long[a].cmp(&long[b]));
    assert_eq!(super::by_id(&long), expected);
}

#[test]
fn text_sort_matches_a_plain_sort() {
    let texts = [
        "",
        "a",
        "a\0",
        "a\0b",
        "ab",
        "rec:github/decidim/decidim",
        "rec:github/decidim/decidim-app",
        "repo:https://github.com/decidim/decidim",
        "repo:https://github.com/decidim/decidin",
        "repo:https://github.com/decidim/decidim-0123456789",
        "repo:https://github.com/decidim/decidim-0123456780",
        "décidim",
        "zz",
        "ab",
    ];
    for (a, b) in texts.iter().flat_map(|a| texts.iter().map(move |b| (a, b))) {
        let (pa, pb) = (super::packed_prefix(a), super::packed_prefix(b));
        if pa != pb {
            assert_eq!(pa.cmp(&pb), a.cmp(b), "{a:?} {b:?}");
        }
    }
    // Ties (the two "ab") are broken by `tie`: here the position.
    let items: Vec<(usize, &str)> = texts.iter().copied().enumerate().rev().collect();
    let sorted = super::sort_by_text(items.clone(), |&(_, t)| t, |a, b| a.0.cmp(&b.0));
    let mut expected = items;
    expected.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
    assert_eq!(sorted, expected);
}

#[test]
fn a_record_given_twice_registers_its_key_once() {
    // The state store never hands over one record twice, but `resolve` is a pure function:
    // a duplicated `rec:` key is registered once, to the smallest id of the tools holding it.
    let twice = |home: &str| {
        let home = home.to_string();
        input("dir", "x", 10, move |r| r.homepage_url = Some(home))
    };
    let inputs = vec![
        twice("https://one.example.org"),
        twice("https://two.example.org"),
    ];
    let mut registry = Known::default();
    let out = run(&inputs, &mut registry, 1);
    assert_eq!(
        out.tools.len(),
        2,
        "different homepage hosts keep them apart"
    );
    let rec: Vec<&(String, String)> = out
        .new_ids
        .iter()
        .filter(|(k, _)| k == "rec:dir/x")
        .collect();
    assert_eq!(rec.len(), 1, "{:?}", out.new_ids);
    let least = out.tools.iter().map(|t| t.id.as_str()).min().unwrap();
    assert_eq!(rec[0].1, least);
    let again = run(&inputs, &mut registry, 2);
    assert!(
        again.new_ids.is_empty() && again.moved_ids.is_empty(),
        "{:?} {:?} first {:?} tools {:?}",
        again.new_ids,
        again.moved_ids,
        out.new_ids,
        again.tools.iter().map(|t| &t.id).collect::<Vec<_>>()
    );
    let ids = |r: &Resolved| r.tools.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&out));
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
fn a_distinctive_name_merges_records_that_share_no_url() {
    // A yearly spreadsheet gives names and licences only; the live list gives URLs.
    let out = resolve_new(vec![
        named("sill-2019", "a", "Ansible", |r| {
            r.license = Some("GPL-3.0-only".into())
        }),
        named("sill", "1", "Ansible", |r| {
            r.homepage_url = Some("https://www.ansible.com".into());
            r.wikidata_id = Some("Q2852503".into());
            r.license = Some("GPL-3.0-or-later".into());
        }),
        named("sill-2019", "m", "Moodle", none),
        named("dpga", "7", "Moodle LMS", |r| {
            repo(r, "https://github.com/moodle/moodle")
        }),
        named("sill-2019", "r", "Rocketchat", none),
        named("ctfg", "rc", "Rocket.Chat", |r| {
            r.homepage_url = Some("https://rocket.chat".into())
        }),
    ]);
    assert_eq!(tools_of(&out), 3, "{:#?}", out.tools);
    assert_eq!(id_of(&out, "sill-2019", "a"), id_of(&out, "sill", "1"));
    assert_eq!(id_of(&out, "sill-2019", "m"), id_of(&out, "dpga", "7"));
    assert_eq!(id_of(&out, "sill-2019", "r"), id_of(&out, "ctfg", "rc"));
}

#[test]
fn generic_names_need_an_organisation_or_a_homepage_in_common() {
    let out = resolve_new(vec![
        named("dir", "v", "Vote", none),
        named("codejson", "v", "VOTE", none),
        named("dpga", "v", "Vote", |r| {
            r.organizations = vec!["City of Foo".into()]
        }),
        named("ctfg", "v", "Vote App", |r| {
            r.organizations = vec!["City of Foo".into()]
        }),
        named("dir", "p", "Open Data Portal", none),
        named("sill", "p", "Portail open data", none),
        named("ctfg", "p", "Open Data Portal", none),
        named("dir", "b", "Budget participatif", none),
        named("ctfg", "b", "Budget Participatif", none),
    ]);
    assert_ne!(id_of(&out, "dir", "v"), id_of(&out, "codejson", "v"));
    assert_ne!(id_of(&out, "dir", "v"), id_of(&out, "dpga", "v"));
    assert_eq!(
        id_of(&out, "dpga", "v"),
        id_of(&out, "ctfg", "v"),
        "the same organisation"
    );
    assert_ne!(id_of(&out, "dir", "p"), id_of(&out, "ctfg", "p"));
    assert_ne!(id_of(&out, "dir", "b"), id_of(&out, "ctfg", "b"));
    assert_eq!(tools_of(&out), 8);
}

#[test]
fn a_name_two_conflicting_tools_carry_merges_nothing_on_its_own() {
    let out = resolve_new(vec![
        named("gh", "1", "Consul", |r| {
            repo(r, "https://github.com/consuldemocracy/consuldemocracy")
        }),
        named("gh", "2", "consul", |r| {
            repo(r, "https://github.com/hashicorp/consul")
        }),
        // HashiCorp's, in a spreadsheet that says nothing else: it could be either.
        named("sill-2019", "c", "CONSUL", none),
    ]);
    assert_eq!(tools_of(&out), 3, "{:#?}", out.tools);
}

#[test]
fn a_name_one_source_uses_for_several_tools_merges_nothing_on_its_own() {
    let mut inputs: Vec<Input> = (0..3)
        .map(|i| named("codejson", &format!("{i}"), "Atlas", none))
        .collect();
    inputs.push(named("dpga", "a", "Atlas", |r| {
        repo(r, "https://github.com/example/atlas")
    }));
    // Two clusters of one source whose homepages differ: two tools of that name.
    inputs.push(named("gh", "1", "Meridian", |r| {
        repo(r, "https://gitlab.com/a/meridian");
        r.homepage_url = Some("https://meridian.example".into());
    }));
    inputs.push(named("gh", "2", "Meridian", |r| {
        r.homepage_url = Some("https://meridian-maps.example".into())
    }));
    inputs.push(named("sill", "m", "Meridian", none));
    let out = resolve_new(inputs);
    assert_eq!(tools_of(&out), 7, "{:#?}", out.tools);
}

#[test]
fn short_names_need_some_evidence_besides_the_name() {
    let out = resolve_new(vec![
        named("sill-2019", "g", "Git", none),
        named("sill", "g", "Git", |r| {
            r.homepage_url = Some("https://git-scm.com".into())
        }),
        named("sill-2019", "v", "VLC", |r| {
            r.license = Some("GPL-2.0-or-later".into())
        }),
        named("sill", "v", "VLC", |r| {
            r.license = Some("GPL-2.0-only".into());
            r.homepage_url = Some("https://www.videolan.org/vlc".into());
        }),
        // Two characters never merge on the name alone.
        named("sill-2019", "h", "H2", |r| {
            r.license = Some("MPL-2.0".into())
        }),
        named("sill", "h", "H2", |r| r.license = Some("MPL-2.0".into())),
    ]);
    assert_ne!(id_of(&out, "sill-2019", "g"), id_of(&out, "sill", "g"));
    assert_eq!(id_of(&out, "sill-2019", "v"), id_of(&out, "sill", "v"));
    assert_ne!(id_of(&out, "sill-2019", "h"), id_of(&out, "sill", "h"));
}

#[test]
fn different_homepages_lower_a_name_match_and_disagreements_stop_it() {
    let out = resolve_new(vec![
        // The same software, a directory linking the company site.
        named("sill", "m", "Moodle", |r| {
            r.homepage_url = Some("https://moodle.org".into())
        }),
        named("dir", "m", "Moodle", |r| {
            r.homepage_url = Some("https://moodle.com".into())
        }),
        // Two different Helios: different homepages and licences.
        named("sill", "h", "Helios", |r| {
            r.homepage_url = Some("https://heliosvoting.org".into());
            r.license = Some("Apache-2.0".into());
        }),
        named("dir", "h", "Helios", |r| {
            r.homepage_url = Some("https://helios.example".into());
            r.license = Some("GPL-3.0-only".into());
        }),
        // Two Pencils by two organisations.
        named("sill", "p", "Pencil", |r| {
            r.organizations = vec!["Evolus".into()]
        }),
        named("dir", "p", "Pencil", |r| {
            r.organizations = vec!["Pencil2D Team".into()]
        }),
    ]);
    assert_eq!(id_of(&out, "sill", "m"), id_of(&out, "dir", "m"));
    assert_ne!(id_of(&out, "sill", "h"), id_of(&out, "dir", "h"));
    assert_ne!(id_of(&out, "sill", "p"), id_of(&out, "dir", "p"));
}

#[test]
fn a_url_many_records_of_one_source_give_is_no_key() {
    let mut inputs: Vec<Input> = [
        "Science Gateway",
        "Grant Tracker",
        "Award Search",
        "Data Viz Kit",
        "ORCID bridge",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| named("nsf", &format!("{i}"), name, |r| repo(r, "http://nsf.gov")))
    .collect();
    // Another source gives the same URL for a sixth tool.
    inputs.push(named("dpga", "x", "Antarctic Portal", |r| {
        repo(r, "http://nsf.gov")
    }));
    let out = resolve_new(inputs);
    assert_eq!(tools_of(&out), 6, "{:#?}", out.tools);
    let [hub] = out.non_identifying.as_slice() else {
        panic!("{:?}", out.non_identifying)
    };
    assert_eq!(hub.url, "http://nsf.gov");
    assert_eq!(hub.records, 6);
    assert_eq!(
        hub.sources,
        [("dpga".to_string(), 1), ("nsf".to_string(), 5)]
    );
    assert!(
        hub.reason.contains("5 records of source `nsf`"),
        "{}",
        hub.reason
    );
}

#[test]
fn a_url_one_source_gives_under_unrelated_names_is_no_key() {
    let out = resolve_new(vec![
        named("dpga", "1", "OpenHIM", |r| {
            r.homepage_url = Some("https://jembi.org".into())
        }),
        named("dpga", "2", "Blood Safety Information System", |r| {
            r.homepage_url = Some("https://www.jembi.org/".into())
        }),
        named("gh", "1", "openhim-core-js", |r| {
            r.homepage_url = Some("https://jembi.org".into())
        }),
        // One source listing one tool twice under related names keeps its URL as a key.
        named("codejson", "1", "FEC", |r| {
            repo(r, "https://github.com/fecgov/fec")
        }),
        named("codejson", "2", "FEC API", |r| {
            repo(r, "https://github.com/fecgov/fec")
        }),
    ]);
    assert_eq!(tools_of(&out), 4, "{:#?}", out.tools);
    assert_eq!(id_of(&out, "codejson", "1"), id_of(&out, "codejson", "2"));
    assert_eq!(out.non_identifying.len(), 1, "{:?}", out.non_identifying);
    assert_eq!(out.non_identifying[0].url, "https://jembi.org");
    assert!(out.non_identifying[0].reason.contains("different names"));
}

#[test]
fn a_forge_owner_page_given_as_repository_names_an_organisation() {
    let out = resolve_new(vec![
        named("codejson", "1", "jpo-ode", |r| {
            repo(r, "https://github.com/usdot-jpo-ode")
        }),
        named("codejson", "2", "jpo-cvdp", |r| {
            repo(r, "https://github.com/usdot-jpo-ode")
        }),
        named("gh", "1", "jpo-ode", |r| {
            repo(r, "https://github.com/usdot-jpo-ode/jpo-ode")
        }),
    ]);
    assert_eq!(tools_of(&out), 2, "{:#?}", out.tools);
    assert_eq!(id_of(&out, "codejson", "1"), id_of(&out, "gh", "1"));
}

#[test]
fn records_sharing_an_id_space_and_a_record_id_are_one_tool() {
    let spaced = |source: &str, id: &str, name: &str| {
        let mut i = named(source, id, name, none);
        i.id_space = Some(Arc::from("sill"));
        i
    };
    let out = resolve_new(vec![
        spaced("sill-2020", "42", "Firefox ESR"),
        spaced("sill-2021", "42", "Mozilla Firefox (ESR)"),
        spaced("sill-2021", "43", "Thunderbird"),
        // The same record id in a source outside the space is another record.
        named("dpga", "42", "Aam Digital", none),
    ]);
    assert_eq!(tools_of(&out), 3, "{:#?}", out.tools);
    assert_eq!(
        id_of(&out, "sill-2020", "42"),
        id_of(&out, "sill-2021", "42")
    );
    assert_ne!(id_of(&out, "sill-2021", "42"), id_of(&out, "dpga", "42"));
    assert!(
        out.new_ids.iter().any(|(k, _)| k == "space:sill/42"),
        "the space key is registered"
    );
}

#[test]
fn a_tool_that_now_merges_by_name_keeps_the_older_id() {
    // Earlier runs kept the two records apart, as two tools.
    let mut registry = Known::default();
    let old = |k: &str, id: &str, day| (k.to_string(), (id.to_string(), at(day)));
    registry.extend([
        old("rec:sill-2019/a", "ct_aaaaaaaaaaaa", 1),
        old("rec:sill/1", "ct_bbbbbbbbbbbb", 2),
        old("home:ansible.com", "ct_bbbbbbbbbbbb", 2),
    ]);
    let inputs = [
        named("sill-2019", "a", "Ansible", none),
        named("sill", "1", "Ansible", |r| {
            r.homepage_url = Some("https://www.ansible.com".into())
        }),
    ];
    let out = run(&inputs, &mut registry, 3);
    assert_eq!(tools_of(&out), 1);
    assert_eq!(out.tools[0].id, "ct_aaaaaaaaaaaa", "the older id survives");
    assert_eq!(
        out.aliases,
        [("ct_bbbbbbbbbbbb".to_string(), "ct_aaaaaaaaaaaa".to_string())]
    );
    // The registry entries survive; the merged tool's keys now point at its id.
    assert_eq!(registry["home:ansible.com"].0, "ct_aaaaaaaaaaaa");
    assert_eq!(registry["rec:sill-2019/a"].0, "ct_aaaaaaaaaaaa");
    let again = run(&inputs, &mut registry, 4);
    assert_eq!(again.tools[0].id, "ct_aaaaaaaaaaaa");
    assert!(again.aliases.is_empty(), "an alias is announced once");
}

#[test]
fn a_vendor_word_before_a_name_is_not_part_of_it() {
    let apache = |r: &mut NormRecord, home: &str| {
        r.homepage_url = Some(home.into());
        r.license = Some("Apache-2.0".into());
    };
    let out = resolve_new(vec![
        // `Apache` starts three tools' names: a vendor's word.
        named("sill", "t", "Apache Tomcat", |r| {
            apache(r, "https://tomcat.apache.org")
        }),
        named("sill", "j", "Apache JMeter", |r| {
            apache(r, "https://jmeter.apache.org")
        }),
        named("sill", "s", "Apache Solr", |r| {
            apache(r, "https://solr.apache.org")
        }),
        // A name that matches only without the vendor's word needs evidence as well.
        named("sill-2019", "t", "Tomcat", |r| {
            r.license = Some("Apache-2.0".into())
        }),
        named("sill-2019", "j", "Jmeter", |r| {
            r.license = Some("MIT".into())
        }),
        named("sill-2019", "s", "Solr", none),
        // One of the record's organisations.
        named("dir", "c", "HashiCorp Consul", |r| {
            r.organizations = vec!["HashiCorp".into()];
            r.homepage_url = Some("https://consul.io".into());
            r.license = Some("MPL-2.0".into());
        }),
        named("sill-2019", "c", "Consul", |r| {
            r.license = Some("MPL-2.0".into())
        }),
        // `Mozilla` starts two names only: not a vendor's word by itself.
        named("sill", "f", "Mozilla Firefox", |r| {
            r.license = Some("MPL-2.0".into())
        }),
        named("sill", "b", "Mozilla Thunderbird", none),
        named("sill-2019", "f", "Firefox", |r| {
            r.license = Some("MPL-2.0".into())
        }),
    ]);
    assert_eq!(id_of(&out, "sill", "t"), id_of(&out, "sill-2019", "t"));
    assert_ne!(
        id_of(&out, "sill", "j"),
        id_of(&out, "sill-2019", "j"),
        "a licence of another family is evidence against"
    );
    assert_ne!(id_of(&out, "sill", "s"), id_of(&out, "sill-2019", "s"));
    assert_eq!(id_of(&out, "dir", "c"), id_of(&out, "sill-2019", "c"));
    assert_ne!(id_of(&out, "sill", "f"), id_of(&out, "sill-2019", "f"));
}

#[test]
fn a_spreadsheet_name_joins_the_one_tool_it_begins_when_evidence_agrees() {
    let out = resolve_new(vec![
        named("sill", "j", "Jitsi Meet", |r| {
            r.homepage_url = Some("https://jitsi.org/jitsi-meet".into());
            r.license = Some("Apache-2.0".into());
        }),
        named("sill-2020", "j", "Jitsi", |r| {
            r.license = Some("Apache-2.0".into())
        }),
        // Without evidence, it stays apart.
        named("sill", "o", "Mattermost Team", |r| {
            r.homepage_url = Some("https://mattermost.com".into())
        }),
        named("sill-2020", "o", "Mattermost", none),
        // A variant is another product of the family.
        named("sill", "m", "Moodle Mobile", |r| {
            r.homepage_url = Some("https://download.moodle.org/mobile".into());
            r.license = Some("GPL-3.0-or-later".into());
        }),
        named("sill-2020", "m", "Moodle", |r| {
            r.license = Some("GPL-3.0-or-later".into())
        }),
        // Two tools begin with the name: either could be meant.
        named("sill", "s1", "Squash TM", |r| {
            r.homepage_url = Some("https://squashtest.com/tm".into());
            r.license = Some("LGPL-3.0-only".into());
        }),
        named("dir", "s2", "Squash AUTOM", |r| {
            r.homepage_url = Some("https://autom.squashtest.example".into());
            r.license = Some("LGPL-3.0-only".into());
        }),
        named("sill-2020", "s", "Squash", |r| {
            r.license = Some("LGPL-3.0-only".into())
        }),
    ]);
    assert_eq!(id_of(&out, "sill", "j"), id_of(&out, "sill-2020", "j"));
    assert_ne!(id_of(&out, "sill", "o"), id_of(&out, "sill-2020", "o"));
    assert_ne!(id_of(&out, "sill", "m"), id_of(&out, "sill-2020", "m"));
    assert_ne!(id_of(&out, "sill", "s1"), id_of(&out, "sill-2020", "s"));
    assert_ne!(id_of(&out, "dir", "s2"), id_of(&out, "sill-2020", "s"));
}

#[test]
fn evidence_picks_between_tools_of_one_name() {
    let out = resolve_new(vec![
        named("gh", "1", "Consul", |r| {
            repo(r, "https://github.com/consuldemocracy/consuldemocracy");
            r.license = Some("AGPL-3.0-only".into());
        }),
        named("gh", "2", "consul", |r| {
            repo(r, "https://github.com/hashicorp/consul");
            r.license = Some("MPL-2.0".into());
        }),
        named("sill-2020", "c", "Consul", |r| {
            r.license = Some("MPL-2.0".into())
        }),
        // No evidence: it could be either.
        named("sill-2019", "c", "CONSUL", none),
    ]);
    assert_eq!(tools_of(&out), 3, "{:#?}", out.tools);
    assert_eq!(id_of(&out, "gh", "2"), id_of(&out, "sill-2020", "c"));
}

#[test]
fn a_homepage_that_does_not_carry_the_name_weighs_against_it() {
    let out = resolve_new(vec![
        named("sill", "v", "Vault", |r| {
            repo(r, "https://github.com/hashicorp/vault");
            r.homepage_url = Some("https://vaultproject.io".into());
        }),
        // The Internet Archive's Vault: a page on another site.
        named("ctfg", "v", "Vault", |r| {
            r.homepage_url = Some("https://webservices.archive.org/pages/vault".into())
        }),
        // Two sites of one tool, each carrying its name.
        named("sill", "k", "Keycloak", |r| {
            r.homepage_url = Some("https://keycloak.org".into())
        }),
        named("ctfg", "k", "Keycloak", |r| {
            r.homepage_url = Some("https://keycloak.example-docs.io".into())
        }),
    ]);
    assert_ne!(id_of(&out, "sill", "v"), id_of(&out, "ctfg", "v"));
    assert_eq!(id_of(&out, "sill", "k"), id_of(&out, "ctfg", "k"));
}

#[test]
fn one_source_describing_two_entries_of_one_name_apart_keeps_them_apart() {
    let describe = |source: &str, id: &str, name: &str, text: &str| {
        let text = text.to_string();
        named(source, id, name, move |r| r.description = Some(text))
    };
    let out = resolve_new(vec![
        describe(
            "sill-2019",
            "g",
            "GLPI",
            "Gestion de parc et suivi d'incidents",
        ),
        describe(
            "sill-2019",
            "p",
            "/GLPI/",
            "Plugin GLPI-Survey (questionnaire)",
        ),
        // Short descriptions say too little to part two rows.
        describe("sill-2019", "j1", "Jitsi", "webconférence"),
        describe("sill-2019", "j2", "JITSI", "Outils VisoConférence"),
        // Across sources, descriptions differ in language and style: no evidence against.
        describe(
            "sill",
            "a",
            "Ansible",
            "Automatisation du déploiement et de la configuration",
        ),
        describe(
            "dpga",
            "a",
            "Ansible",
            "Radically simple IT automation platform",
        ),
    ]);
    assert_ne!(id_of(&out, "sill-2019", "g"), id_of(&out, "sill-2019", "p"));
    assert_eq!(
        id_of(&out, "sill-2019", "j1"),
        id_of(&out, "sill-2019", "j2")
    );
    assert_eq!(id_of(&out, "sill", "a"), id_of(&out, "dpga", "a"));
}

#[test]
fn tools_an_earlier_run_merged_through_a_hub_url_split_and_one_keeps_the_id() {
    // An earlier run merged five NSF releases through `http://nsf.gov` into one tool.
    let mut registry = Known::default();
    let old = "ct_nsfnsfnsfnsf".to_string();
    registry.insert("repo:http://nsf.gov".into(), (old.clone(), at(1)));
    for i in 0..5 {
        registry.insert(format!("rec:nsf/{i}"), (old.clone(), at(1)));
    }
    let inputs: Vec<Input> = [
        "Science Gateway",
        "Grant Tracker",
        "Award Search",
        "Data Viz Kit",
        "ORCID bridge",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| named("nsf", &format!("{i}"), name, |r| repo(r, "http://nsf.gov")))
    .collect();
    let out = run(&inputs, &mut registry, 2);
    assert_eq!(tools_of(&out), 5);
    let ids: std::collections::BTreeSet<&str> = out.tools.iter().map(|t| t.id.as_str()).collect();
    assert!(ids.contains(old.as_str()), "one part keeps the id: {ids:?}");
    assert!(out.aliases.is_empty());
    // The hub key stays registered where it was; the next run gives the same ids.
    assert_eq!(registry["repo:http://nsf.gov"].0, old);
    let again = run(&inputs, &mut registry, 3);
    assert_eq!(ids_by_record(&again), ids_by_record(&out));
}

#[test]
fn a_directory_listing_a_tool_twice_with_different_links_lists_one_tool() {
    let out = resolve_new(vec![
        named("ctfg", "decidim", "Decidim", |r| {
            r.homepage_url = Some("https://decidim.org".into())
        }),
        named("ctfg", "decidim-1", "decidim", |r| {
            repo(r, "https://github.com/decidim/decidim")
        }),
        named("sill", "1", "Decidim", none),
        // The same directory's two Consuls, on two sites, are two tools.
        named("ctfg", "consul", "Consul", |r| {
            r.homepage_url = Some("https://consuldemocracy.org".into())
        }),
        named("ctfg", "consul-1", "Consul", |r| {
            r.homepage_url = Some("https://consul.io".into())
        }),
    ]);
    assert_eq!(tools_of(&out), 3, "{:#?}", out.tools);
    assert_eq!(
        id_of(&out, "ctfg", "decidim"),
        id_of(&out, "ctfg", "decidim-1")
    );
    assert_eq!(id_of(&out, "ctfg", "decidim"), id_of(&out, "sill", "1"));
    assert_ne!(
        id_of(&out, "ctfg", "consul"),
        id_of(&out, "ctfg", "consul-1")
    );
}

#[test]
fn four_records_of_one_source_under_one_name_make_a_hub_three_do_not() {
    let give = |n: usize, source: &str| -> Vec<Input> {
        (0..n)
            .map(|i| {
                named(source, &format!("{i}"), "Data Portal", |r| {
                    r.homepage_url = Some("https://data.agency.example".into())
                })
            })
            .collect()
    };
    let three = resolve_new(give(3, "inventory"));
    assert_eq!(tools_of(&three), 1, "one tool listed three times");
    assert!(three.non_identifying.is_empty());
    let four = resolve_new(give(4, "inventory"));
    assert_eq!(tools_of(&four), 4, "a generic name and no key: four tools");
    assert_eq!(four.non_identifying.len(), 1);
    assert!(four.non_identifying[0].reason.contains("4 records"));
}

#[test]
fn a_hub_url_of_one_source_stays_a_key_for_the_others() {
    let consul = "https://github.com/consuldemocracy/consuldemocracy";
    let mut inputs: Vec<Input> = [
        "Decide Madrid",
        "Decidim Barcelona",
        "Participa Gijón",
        "Consulta Lima",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| named("deployments", &format!("{i}"), name, |r| repo(r, consul)))
    .collect();
    inputs.push(named("gh", "1", "consuldemocracy", |r| repo(r, consul)));
    inputs.push(named("dpga", "c", "CONSUL Democracy", |r| repo(r, consul)));
    inputs.push(named("gh", "2", "consul", |r| {
        repo(r, "https://github.com/hashicorp/consul")
    }));
    let out = resolve_new(inputs);
    assert_eq!(id_of(&out, "gh", "1"), id_of(&out, "dpga", "c"));
    assert_ne!(id_of(&out, "gh", "1"), id_of(&out, "gh", "2"));
    for i in 0..4 {
        assert_ne!(
            id_of(&out, "deployments", &i.to_string()),
            id_of(&out, "gh", "1")
        );
    }
    assert_eq!(
        out.non_identifying[0].sources.len(),
        3,
        "every source that gives it"
    );
    assert!(out.non_identifying[0].reason.contains("`deployments`"));
}

#[test]
fn an_id_space_is_one_catalogue_for_the_names_it_carries() {
    let spaced = |source: &str, id: &str, home: Option<&str>| {
        let home = home.map(str::to_string);
        let mut i = named(source, id, "Atlas", move |r| r.homepage_url = home);
        i.id_space = Some(Arc::from("sill-csv"));
        i
    };
    // One catalogue lists one software under two ids (SILL's Grammalecte, an extension of
    // two programs): one tool, as two rows of one source would be.
    let out = resolve_new(vec![
        spaced("sill-2020", "10", None),
        spaced("sill-2020", "11", None),
        spaced("sill-2021", "10", None),
        named("sill-2019", "a", "Atlas", none),
    ]);
    assert_eq!(tools_of(&out), 1, "{:#?}", out.tools);
    // Two ids on two sites are two tools, across the years of the catalogue: a row of
    // another source could be either.
    let out = resolve_new(vec![
        spaced("sill-2020", "10", Some("https://atlas.example")),
        spaced("sill-2021", "11", Some("https://atlas-maps.example")),
        named("sill-2019", "a", "Atlas", none),
    ]);
    assert_eq!(tools_of(&out), 3, "{:#?}", out.tools);
}

#[test]
fn homonyms_on_their_own_domains_need_other_evidence_to_stay_apart() {
    let out = resolve_new(vec![
        named("ctfg", "consul", "Consul", |r| {
            r.homepage_url = Some("https://consuldemocracy.org".into());
            r.license = Some("AGPL-3.0-only".into());
        }),
        named("dir", "consul", "Consul", |r| {
            r.homepage_url = Some("https://consul.io".into());
            r.license = Some("MPL-2.0".into());
        }),
    ]);
    assert_eq!(tools_of(&out), 2, "{:#?}", out.tools);
}

#[test]
fn one_source_listing_two_versions_lists_two_tools() {
    let out = resolve_new(vec![
        named("sill", "1", "KeePass 1", none),
        named("sill", "2", "KeePass 2", none),
        named("dir", "k", "KeePass", none),
        // Two sources: a version is no identity.
        named("ctfg", "a", "Etherpad 2", none),
        named("dir", "a", "Etherpad", none),
    ]);
    assert_ne!(id_of(&out, "sill", "1"), id_of(&out, "sill", "2"));
    assert_ne!(
        id_of(&out, "dir", "k"),
        id_of(&out, "sill", "2"),
        "either could be meant"
    );
    assert_eq!(id_of(&out, "ctfg", "a"), id_of(&out, "dir", "a"));
}
