//! Names that vary: vendor words, spreadsheet names, homonyms, versions, a source listing a
//! tool twice.

use super::ids::ids_by_record;
use super::*;

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
        // `Docker` starts two names only: not a vendor's word by itself.
        named("sill", "f", "Docker Swarm", |r| {
            r.license = Some("Apache-2.0".into())
        }),
        named("sill", "b", "Docker Compose", none),
        named("sill-2019", "f", "Swarm", |r| {
            r.license = Some("Apache-2.0".into())
        }),
        // `Mozilla` is a vendor known before the corpus is seen (`names::VENDORS`).
        named("sill", "m", "Mozilla Thunderbird", |r| {
            r.license = Some("MPL-2.0".into())
        }),
        named("sill-2019", "m", "Thunderbird", |r| {
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
    assert_eq!(id_of(&out, "sill", "m"), id_of(&out, "sill-2019", "m"));
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
