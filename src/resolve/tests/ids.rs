//! Tool ids: stable across runs, input orders, merges and splits.

use super::*;

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

pub(super) fn ids_by_record(out: &Resolved) -> Vec<(String, String)> {
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
