use super::*;
use crate::model::NormRecord;

fn resolve_new(inputs: Vec<Input>) -> Resolved {
    resolve(inputs, &HashMap::new())
}

fn input(source: &str, id: &str, priority: i64, f: impl FnOnce(&mut NormRecord)) -> Input {
    let mut record = NormRecord {
        source_id: source.into(),
        record_id: id.into(),
        name: Some(format!("{source}-{id}")),
        ..NormRecord::default()
    };
    f(&mut record);
    Input {
        record,
        priority,
        create: true,
        stale: false,
        first_seen_at: None,
        last_seen_at: None,
    }
}

#[test]
fn records_sharing_a_repository_or_homepage_merge_transitively() {
    let out = resolve_new(vec![
        input("dpga", "1", 50, |r| {
            r.repositories = vec!["https://github.com/decidim/decidim".into()];
            r.repository_url = Some("https://github.com/decidim/decidim".into());
        }),
        input("gh", "decidim", 80, |r| {
            r.repositories = vec!["https://github.com/decidim/decidim".into()];
            r.homepage_url = Some("https://decidim.org".into());
            r.stars = Some(1500);
        }),
        input("dir", "x", 10, |r| {
            r.homepage_url = Some("https://decidim.org".into())
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
    assert_eq!(
        gh_row.provenance.get("name").map(String::as_str),
        Some("gh")
    );
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
fn registered_ids_survive_a_change_of_first_key() {
    let first = resolve_new(vec![input("dir", "x", 10, |r| {
        r.homepage_url = Some("https://decidim.org".into())
    })]);
    let id = first.tools[0].id.clone();
    let known: HashMap<String, String> = first.new_ids.into_iter().collect();
    assert_eq!(known["home:https://decidim.org"], id);
    assert_eq!(known["rec:dir/x"], id);
    // Next run a repository appears: the first key becomes `repo:…`, the id stays.
    let second = resolve(
        vec![
            input("dir", "x", 10, |r| {
                r.homepage_url = Some("https://decidim.org".into())
            }),
            input("gh", "d", 80, |r| {
                r.homepage_url = Some("https://decidim.org".into());
                r.repositories = vec!["https://github.com/decidim/decidim".into()];
            }),
        ],
        &known,
    );
    assert_eq!(second.tools.len(), 1);
    assert_eq!(second.tools[0].id, id);
    assert!(
        second
            .new_ids
            .contains(&("repo:https://github.com/decidim/decidim".to_string(), id))
    );
}
