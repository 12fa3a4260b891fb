//! Records that share no URL: distinctive names, generic names, hub URLs, id spaces.

use super::*;

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
fn a_catalogue_still_linking_a_moved_repository_under_the_tools_site_lists_the_tool() {
    let out = resolve_new(vec![
        named("codejson", "p", "polis", |r| {
            r.homepage_url = Some("https://pol.is".into());
            repo(r, "https://github.com/compdemocracy/polis");
        }),
        // The repository before it moved, under the very same homepage.
        named("ctfg", "p", "Pol.is", |r| {
            r.homepage_url = Some("https://pol.is".into());
            repo(r, "https://github.com/pol-is/polisserver");
        }),
        named("codejson", "c", "ckan", |r| {
            r.homepage_url = Some("https://ckan.org".into());
            repo(r, "https://github.com/ckan/ckan");
        }),
        // A fork: the same repository name under another owner, in an inventory of that
        // owner's code (it lists another repository of the owner's).
        named("us-codejson", "c", "ckan", |r| {
            r.homepage_url = Some("https://ckan.org".into());
            repo(r, "https://github.com/gsa/ckan");
        }),
        named("us-codejson", "t", "ckanext-datagovtheme", |r| {
            repo(r, "https://github.com/gsa/ckanext-datagovtheme");
        }),
        // A third-party catalogue's one link under another owner: the old address.
        named("awesome", "cp", "CryptPad", |r| {
            r.homepage_url = Some("https://cryptpad.fr".into());
            repo(r, "https://github.com/cryptpad/cryptpad");
        }),
        named("comptoir", "cp", "CryptPad", |r| {
            r.homepage_url = Some("https://cryptpad.fr".into());
            repo(r, "https://github.com/xwiki-labs/cryptpad");
        }),
        named("dir", "x", "Polis", |r| {
            // A homepage that does not carry the name: a publisher's page.
            r.homepage_url = Some("https://publisher.example".into());
            repo(r, "https://github.com/acme/polis-app");
        }),
        named("sill", "x", "Polis", |r| {
            r.homepage_url = Some("https://publisher.example".into());
            repo(r, "https://github.com/other/polis");
        }),
    ]);
    assert_eq!(id_of(&out, "codejson", "p"), id_of(&out, "ctfg", "p"));
    assert_ne!(
        id_of(&out, "codejson", "c"),
        id_of(&out, "us-codejson", "c")
    );
    assert_eq!(id_of(&out, "awesome", "cp"), id_of(&out, "comptoir", "cp"));
    assert_ne!(id_of(&out, "dir", "x"), id_of(&out, "sill", "x"));
}

#[test]
fn one_source_listing_a_name_twice_with_other_users_lists_one_tool() {
    let out = resolve_new(vec![
        named("ogptoolbox", "1055", "Loomio", |r| {
            r.homepage_url = Some("https://loomio.org".into());
            r.organizations = vec!["Enspiral".into()];
        }),
        // Merged from another base: no link, another user.
        named("ogptoolbox", "1233", "Loomio", |r| {
            r.organizations = vec!["Wellington City Council".into()];
        }),
        // Across sources, organisations that differ still count against a bare name.
        named("ogptoolbox", "1121", "Helios", |r| {
            r.homepage_url = Some("https://heliosvoting.org".into());
            r.organizations = vec!["IACR".into()];
        }),
        named("inventory", "3", "Helios", |r| {
            r.organizations = vec!["DGFiP".into()];
        }),
    ]);
    assert_eq!(
        id_of(&out, "ogptoolbox", "1055"),
        id_of(&out, "ogptoolbox", "1233")
    );
    assert_ne!(
        id_of(&out, "ogptoolbox", "1121"),
        id_of(&out, "inventory", "3")
    );
}

#[test]
fn yearly_exports_of_one_catalogue_list_a_name_once() {
    let spaced = |source: &str, id: &str, name: &str, f: fn(&mut NormRecord)| {
        let mut i = named(source, id, name, f);
        i.id_space = Some(Arc::from("sill-csv"));
        i
    };
    let out = resolve_new(vec![
        // The 2019 export has no stable ids (content hashes) and no licence here.
        spaced("sill-2019", "3f2a", "CONSUL", none),
        spaced("sill-2020", "26", "Consul", |r| {
            r.license = Some("MPL-2.0".into())
        }),
        named("sill", "317", "Consul", |r| {
            r.homepage_url = Some("https://consul.io".into());
            repo(r, "https://github.com/hashicorp/consul");
            r.license = Some("MPL-2.0".into());
        }),
        named("dpga", "consul", "CONSUL", |r| {
            r.homepage_url = Some("https://consuldemocracy.org".into());
            repo(r, "https://github.com/consuldemocracy/consuldemocracy");
            r.license = Some("AGPL-3.0-only".into());
        }),
        // Another source without an id space: no year of the catalogue.
        named("sheet", "c", "Consul", none),
    ]);
    assert_eq!(id_of(&out, "sill-2019", "3f2a"), id_of(&out, "sill", "317"));
    assert_eq!(id_of(&out, "sill-2020", "26"), id_of(&out, "sill", "317"));
    assert_ne!(id_of(&out, "sheet", "c"), id_of(&out, "sill", "317"));
    assert_ne!(id_of(&out, "sheet", "c"), id_of(&out, "dpga", "consul"));
}

#[test]
fn an_application_named_by_what_it_does_joins_the_product_its_vendor_names() {
    let out = resolve_new(vec![
        named("comptoir", "53", "LimeSurvey", |r| {
            r.homepage_url = Some("https://limesurvey.org".into());
            repo(r, "https://github.com/limesurvey/limesurvey");
            r.license = Some("GPL-2.0-only".into());
        }),
        named("inventory", "82", "Sondages en ligne", |r| {
            r.organizations = vec!["LimeSurvey GmbH".into()];
            r.license = Some("GPL-2.0-only".into());
        }),
        named("comptoir", "64", "Zimbra", |r| {
            r.homepage_url = Some("https://zimbra.com".into())
        }),
        named("inventory", "40", "Messagerie", |r| {
            r.organizations = vec!["Synacor (Zimbra)".into()]
        }),
        named("sill", "34", "Docker", |r| {
            r.homepage_url = Some("https://docker.com".into())
        }),
        // Its name already names a product of the vendor: another product.
        named("inventory", "24", "Docker Swarm", |r| {
            r.organizations = vec!["Docker Inc.".into()]
        }),
        // Licences that disagree.
        named("inventory", "90", "Enquêtes", |r| {
            r.organizations = vec!["LimeSurvey GmbH".into()];
            r.license = Some("MIT".into());
        }),
    ]);
    assert_eq!(
        id_of(&out, "inventory", "82"),
        id_of(&out, "comptoir", "53")
    );
    assert_eq!(
        id_of(&out, "inventory", "40"),
        id_of(&out, "comptoir", "64")
    );
    assert_ne!(id_of(&out, "inventory", "24"), id_of(&out, "sill", "34"));
    assert_ne!(
        id_of(&out, "inventory", "90"),
        id_of(&out, "comptoir", "53")
    );
}

#[test]
fn a_name_stating_its_former_name_joins_the_tool_of_that_name() {
    let out = resolve_new(vec![
        named("sill", "358", "Matomo", |r| {
            r.homepage_url = Some("https://matomo.org".into());
            repo(r, "https://github.com/matomo-org/matomo");
        }),
        named("inventory", "45", "Matomo (ex-Piwik)", |r| {
            r.license = Some("GPL-3.0-only".into())
        }),
        // The rebrand moved the repository: two repositories on one forge.
        named("comptoir", "27", "Piwik", |r| {
            r.homepage_url = Some("https://piwik.org".into());
            repo(r, "https://github.com/piwik/piwik");
        }),
        // Two tools carry the former name: it picks neither.
        named("dir", "a", "Nova (formerly Atlas)", none),
        named("dir", "b", "Atlas", |r| {
            repo(r, "https://github.com/a/atlas")
        }),
        named("sill", "b", "Atlas", |r| {
            repo(r, "https://github.com/b/atlas")
        }),
    ]);
    assert_eq!(id_of(&out, "comptoir", "27"), id_of(&out, "sill", "358"));
    assert_eq!(id_of(&out, "inventory", "45"), id_of(&out, "sill", "358"));
    assert_ne!(id_of(&out, "dir", "a"), id_of(&out, "dir", "b"));
    assert_ne!(id_of(&out, "dir", "a"), id_of(&out, "sill", "b"));
}

#[test]
fn only_builders_weigh_as_organisations_and_one_named_after_the_tool_speaks_for_it() {
    use crate::model::{NormOrg, OrgRole};
    let org = NormOrg::named;
    let out = resolve_new(vec![
        // A directory names who uses it; an inventory names who makes it.
        named("comptoir", "70", "Pastell", |r| {
            r.license = Some("AGPL-3.0-only".into());
            r.organisations = vec![org(OrgRole::Uses, "ADULLACT")];
        }),
        named("city", "APP-11", "Pastell", |r| {
            r.license = Some("AGPL-3.0-only".into());
            r.organizations = vec!["Libriciel SCOP".into()];
        }),
        // The same two names, the directory naming another developer: apart.
        named("comptoir", "71", "Webgate", |r| {
            r.license = Some("AGPL-3.0-only".into());
            r.organisations = vec![org(OrgRole::Develops, "Acme Software")];
        }),
        named("city", "APP-12", "Webgate", |r| {
            r.license = Some("AGPL-3.0-only".into());
            r.organizations = vec!["Libriciel SCOP".into()];
        }),
        // The association named after the tool speaks for it.
        named("ogptoolbox", "1151", "Open Street Map", |r| {
            r.homepage_url = Some("https://www.openstreetmap.fr".into());
            r.organizations = vec!["OpenStreetMap France".into()];
        }),
        named("ctfg", "osm", "OpenStreetMap", |r| {
            r.homepage_url = Some("https://www.openstreetmap.org".into());
            repo(r, "https://github.com/openstreetmap/openstreetmap-website");
        }),
    ]);
    assert_eq!(id_of(&out, "comptoir", "70"), id_of(&out, "city", "APP-11"));
    assert_ne!(id_of(&out, "comptoir", "71"), id_of(&out, "city", "APP-12"));
    assert_eq!(
        id_of(&out, "ogptoolbox", "1151"),
        id_of(&out, "ctfg", "osm")
    );
    assert_eq!(tools_of(&out), 4, "{:#?}", out.tools);
}

#[test]
fn a_projects_hosts_are_one_site_and_a_repository_renamed_by_its_owner_is_one_tool() {
    let out = resolve_new(vec![
        // One directory lists Decidim twice: its site and its community's hub on a subdomain.
        named("ctfg", "decidim", "Decidim", |r| {
            r.homepage_url = Some("https://decidim.org".into())
        }),
        named("ctfg", "decidim-1", "decidim", |r| {
            r.homepage_url = Some("https://meta.decidim.org".into())
        }),
        // Two Budgets on two cities' subdomains of one registered site stay apart.
        named("dir", "b1", "Budget Participatif", |r| {
            r.homepage_url = Some("https://budget.lyon.fr".into())
        }),
        named("dir", "b2", "Budget Participatif", |r| {
            r.homepage_url = Some("https://budget.paris.fr".into())
        }),
        // One owner renamed its repository; the catalogues give one homepage.
        named("ctfg", "yp", "Your Priorities", |r| {
            r.homepage_url = Some("https://citizens.is".into());
            repo(r, "https://github.com/citizensfoundation/your-priorities");
        }),
        named("dpga", "yp", "Your Priorities", |r| {
            r.homepage_url = Some("https://citizens.is".into());
            repo(
                r,
                "https://github.com/citizensfoundation/your-priorities-app",
            );
        }),
        // Two tools of one owner under its site stay two.
        named("gh", "ac", "Active Citizen", |r| {
            r.homepage_url = Some("https://citizens.is".into());
            repo(r, "https://github.com/citizensfoundation/active-citizen");
        }),
        named("sill", "d", "Docker Engine", |r| {
            r.license = Some("Apache-2.0".into())
        }),
        named("sill-2019", "d", "Docker", |r| {
            r.license = Some("Apache-2.0".into())
        }),
    ]);
    assert_eq!(
        id_of(&out, "ctfg", "decidim"),
        id_of(&out, "ctfg", "decidim-1")
    );
    assert_ne!(id_of(&out, "dir", "b1"), id_of(&out, "dir", "b2"));
    assert_eq!(id_of(&out, "ctfg", "yp"), id_of(&out, "dpga", "yp"));
    assert_ne!(id_of(&out, "gh", "ac"), id_of(&out, "dpga", "yp"));
    assert_eq!(id_of(&out, "sill", "d"), id_of(&out, "sill-2019", "d"));
    assert_eq!(tools_of(&out), 6, "{:#?}", out.tools);
}

#[test]
fn a_vendors_product_page_names_the_tool_and_an_upgrade_is_one_tool() {
    let out = resolve_new(vec![
        // The community's site, and a city inventory naming its support vendor's page.
        named("awesome", "k", "Koha", |r| {
            r.homepage_url = Some("https://koha-community.org".into());
            r.license = Some("GPL-3.0-only".into());
        }),
        named("city-2023", "A-1", "Koha", |r| {
            r.homepage_url = Some("https://bywatersolutions.com/koha".into());
            r.license = Some("GPL-3.0-only".into());
            r.organizations = vec!["ByWater Solutions".into()];
        }),
        // A vendor's page that does not name the product stays a publisher's page.
        named("awesome", "e", "Evergreen", |r| {
            r.homepage_url = Some("https://evergreen-ils.org".into());
            r.license = Some("GPL-2.0-only".into());
        }),
        named("city-2023", "A-2", "Evergreen", |r| {
            r.homepage_url = Some("https://equinoxoli.org/services".into());
            r.license = Some("GPL-2.0-only".into());
            r.organizations = vec!["Equinox".into()];
        }),
        // Two years of one inventory: an upgrade under a new id.
        named("awesome", "z", "Zabbix", |r| {
            r.homepage_url = Some("https://zabbix.com".into());
            repo(r, "https://git.zabbix.com/projects/ZBX/repos/zabbix");
        }),
        named("city-2023", "A-3", "Zabbix 5.0 LTS", |r| {
            r.homepage_url = Some("https://zabbix.com".into());
            r.organizations = vec!["Zabbix LLC".into()];
        }),
        named("city-2024", "A-4", "Zabbix 6.0 LTS", |r| {
            r.homepage_url = Some("https://zabbix.com/documentation/current".into());
            r.organizations = vec!["Zabbix LLC".into()];
        }),
        // One source listing two versions side by side lists two tools.
        named("sill-2019", "k1", "KeePass 1", none),
        named("sill-2019", "k2", "KeePass 2", none),
    ]);
    assert_eq!(id_of(&out, "awesome", "k"), id_of(&out, "city-2023", "A-1"));
    assert_ne!(id_of(&out, "awesome", "e"), id_of(&out, "city-2023", "A-2"));
    assert_eq!(id_of(&out, "awesome", "z"), id_of(&out, "city-2023", "A-3"));
    assert_eq!(id_of(&out, "awesome", "z"), id_of(&out, "city-2024", "A-4"));
    assert_ne!(
        id_of(&out, "sill-2019", "k1"),
        id_of(&out, "sill-2019", "k2")
    );
}

#[test]
fn a_known_vendors_word_before_a_name_is_its_vendor() {
    let out = resolve_new(vec![
        named("awesome", "m", "Mailman", |r| {
            repo(r, "https://gitlab.com/mailman/mailman");
            r.license = Some("GPL-3.0-only".into());
        }),
        named("comptoir", "m", "GNU Mailman", |r| {
            r.license = Some("GPL-3.0-only".into())
        }),
        named("awesome", "s", "Apache Superset", |r| {
            repo(r, "https://github.com/apache/superset");
            r.license = Some("Apache-2.0".into());
        }),
        // The foundation's name is the owner of its repositories, not another organisation.
        named("city", "s", "Superset", |r| {
            r.license = Some("Apache-2.0".into());
            r.organizations = vec!["Apache Software Foundation".into()];
        }),
        // A vendorless name still needs evidence: licences of other families keep apart.
        named("awesome", "w", "Wave", |r| {
            repo(r, "https://github.com/wave/wave");
            r.license = Some("MIT".into());
        }),
        named("city", "w", "Google Wave", |r| {
            r.license = Some("Apache-2.0".into())
        }),
    ]);
    assert_eq!(id_of(&out, "awesome", "m"), id_of(&out, "comptoir", "m"));
    assert_eq!(id_of(&out, "awesome", "s"), id_of(&out, "city", "s"));
    assert_ne!(id_of(&out, "awesome", "w"), id_of(&out, "city", "w"));
}

#[test]
fn catalogues_naming_teams_users_and_vendors_as_organisations_still_find_one_tool() {
    let kde = |r: &mut NormRecord| {
        r.license = Some("GPL-2.0-only".into());
        r.organizations = vec!["KDE".into()];
    };
    let out = resolve_new(vec![
        // A team of the forge's own organisation, named as the organisation.
        named("kde-invent", "1", "KStars", |r| {
            repo(r, "https://invent.kde.org/education/kstars");
            r.organizations = vec!["Education".into()];
        }),
        named("wikidata", "Q1", "KStars", |r| {
            r.homepage_url = Some("https://kstars.kde.org".into());
            repo(r, "https://invent.kde.org/education/kstars");
            r.license = Some("GPL-2.0-or-later".into());
        }),
        named("schools-2023", "k", "KStars", kde),
        // A user named as the organisation: a long name and a licence in common win.
        named("wikidata", "Q2", "Thonny", |r| {
            r.homepage_url = Some("https://thonny.org".into());
            repo(r, "https://github.com/thonny/thonny");
            r.license = Some("MIT".into());
        }),
        named("schools-2023", "t", "Thonny", |r| {
            r.license = Some("MIT".into());
            r.organizations = vec!["University of Tartu".into()];
        }),
        // Two organisations in one field, one of them the other record's.
        named("joinup", "j", "JDemetra+", |r| {
            repo(r, "https://github.com/jdemetra/jdemetra-app");
            r.organizations = vec!["Eurostat".into()];
        }),
        named("inventario", "j", "JDemetra+", |r| {
            r.organizations = vec!["Banco Nacional de Bélgica / Eurostat".into()];
        }),
        // `@` before a letter is an `a`.
        named("ctt", "p", "Port@firmas", |r| {
            r.homepage_url = Some("https://administracionelectronica.gob.es".into());
            r.license = Some("EUPL-1.1".into());
        }),
        named("inventario", "p", "Portafirmas", |r| {
            r.license = Some("EUPL-1.2".into())
        }),
        // The mobile client on the same agency page is another product.
        named("inv-2024", "pm", "Port@firmas móvil", |r| {
            r.homepage_url = Some("https://administracionelectronica.gob.es".into());
            r.license = Some("EUPL-1.2".into());
        }),
        // Without a licence in common, organisations that differ still keep a name apart.
        named("city", "g", "Ghost", |r| {
            r.homepage_url = Some("https://ghost.org".into());
            repo(r, "https://github.com/tryghost/ghost");
        }),
        named("inventory", "g", "Ghost", |r| {
            r.organizations = vec!["Symantec".into()]
        }),
    ]);
    assert_eq!(
        id_of(&out, "kde-invent", "1"),
        id_of(&out, "schools-2023", "k")
    );
    assert_eq!(
        id_of(&out, "wikidata", "Q2"),
        id_of(&out, "schools-2023", "t")
    );
    assert_eq!(id_of(&out, "joinup", "j"), id_of(&out, "inventario", "j"));
    assert_eq!(id_of(&out, "ctt", "p"), id_of(&out, "inventario", "p"));
    assert_ne!(id_of(&out, "ctt", "p"), id_of(&out, "inv-2024", "pm"));
    assert_ne!(id_of(&out, "city", "g"), id_of(&out, "inventory", "g"));
}

#[test]
fn release_words_acquirers_and_products_built_on_another_read_as_they_mean() {
    let out = resolve_new(vec![
        // A quarter release is a version; the acquirer in brackets keeps the vendor's name.
        named("uni-2023", "l", "LabVIEW 2023 Q3", |r| {
            r.organizations = vec!["NI".into()]
        }),
        named("uni-2024", "l", "LabVIEW 2024 Q3", |r| {
            r.organizations = vec!["NI (Emerson)".into()]
        }),
        // Built on a product is not made by its vendor: no join to it.
        named("council", "j", "Jadu CXM", |r| {
            r.homepage_url = Some("https://jadu.net".into());
            r.organizations = vec!["Jadu".into()];
        }),
        named("council", "m", "My Account", |r| {
            r.organizations = vec!["In-house (on Jadu CXM)".into()]
        }),
        // One vendor's `Civica Pay` is not its `Civica APP`.
        named("council", "c1", "Civica APP", |r| {
            r.organizations = vec!["Civica UK Ltd".into()]
        }),
        named("council", "c2", "Civica Pay", |r| {
            r.organizations = vec!["Civica UK Ltd".into()]
        }),
        // Licences of two families outweigh a name alone.
        named("flathub", "t", "Tangram", |r| {
            r.license = Some("GPL-3.0-only".into())
        }),
        named("osm-wiki", "t", "Tangram", |r| {
            repo(r, "https://github.com/tangrams/tangram");
            r.license = Some("MIT".into());
        }),
    ]);
    assert_eq!(id_of(&out, "uni-2023", "l"), id_of(&out, "uni-2024", "l"));
    assert_ne!(id_of(&out, "council", "j"), id_of(&out, "council", "m"));
    assert_ne!(id_of(&out, "council", "c1"), id_of(&out, "council", "c2"));
    assert_ne!(id_of(&out, "flathub", "t"), id_of(&out, "osm-wiki", "t"));
}

#[test]
fn a_companys_product_is_not_a_projects_namesake_and_a_vendor_alone_is_no_name() {
    let out = resolve_new(vec![
        named("nasa", "c", "Copilot", |r| {
            r.homepage_url = Some("https://copilot-language.github.io".into());
            repo(r, "https://github.com/copilot-language/copilot");
            r.license = Some("BSD-3-Clause".into());
        }),
        named("hospital", "c", "Copilot", |r| {
            r.organizations = vec!["Microsoft".into()]
        }),
        // A community that hosts the project does not disagree with its own account.
        named("wikidata", "g", "GCompris", |r| {
            repo(r, "https://github.com/gcompris/gcompris-qt");
            r.license = Some("GPL-3.0-or-later".into());
        }),
        named("schools", "g", "GCompris", |r| {
            r.license = Some("GPL-3.0-only".into());
            r.organizations = vec!["KDE".into()];
        }),
        // Noise and a number are kept when a known vendor alone would be left.
        named("assets", "p", "Microsoft Project", none),
        named("hospital", "m", "Microsoft 365", none),
    ]);
    assert_ne!(id_of(&out, "nasa", "c"), id_of(&out, "hospital", "c"));
    assert_eq!(id_of(&out, "wikidata", "g"), id_of(&out, "schools", "g"));
    assert_ne!(id_of(&out, "assets", "p"), id_of(&out, "hospital", "m"));
}

#[test]
fn a_packagers_bucket_is_no_organisation_and_a_suite_is_its_tool() {
    let bucket = "https://github.com/scoopinstaller/extras";
    let out = resolve_new(vec![
        // Every package of the source gives the bucket as its repository: a hub.
        named("scoop", "r", "rufus", |r| {
            r.homepage_url = Some("https://rufus.ie".into());
            repo(r, bucket);
        }),
        named("scoop", "h", "heidisql", |r| {
            r.homepage_url = Some("https://heidisql.com".into());
            repo(r, bucket);
        }),
        named("scoop", "w", "winscp", |r| {
            r.homepage_url = Some("https://winscp.net".into());
            repo(r, bucket);
        }),
        named("scoop", "s", "sysinternals", |r| {
            r.homepage_url = Some("https://learn.microsoft.com/sysinternals".into());
            repo(r, bucket);
        }),
        named("ministry", "r", "Rufus", |r| {
            r.organizations = vec!["Akeo Consulting".into()]
        }),
        named("ministry", "s", "Sysinternals Suite", none),
    ]);
    assert_eq!(id_of(&out, "scoop", "r"), id_of(&out, "ministry", "r"));
    assert_eq!(id_of(&out, "scoop", "s"), id_of(&out, "ministry", "s"));
    assert_ne!(id_of(&out, "scoop", "r"), id_of(&out, "scoop", "h"));
}

#[test]
fn names_in_other_scripts_and_namespaced_packages_have_identities() {
    let out = resolve_new(vec![
        named("city-2024", "h", "秀丸エディタ", |r| {
            r.organizations = vec!["斉藤秀夫".into()]
        }),
        named("city-2025", "h", "秀丸エディタ", |r| {
            r.organizations = vec!["斉藤秀夫".into()]
        }),
        named("city-2025", "s", "サクラエディタ", none),
        named("docker", "m", "minio/minio", |r| {
            r.homepage_url = Some("https://min.io".into())
        }),
        named("arch", "m", "minio", |r| {
            repo(r, "https://github.com/minio/minio");
            r.license = Some("AGPL-3.0-or-later".into());
        }),
        named("maven", "t", "camel-core", |r| {
            repo(r, "https://github.com/apache/camel");
            r.license = Some("Apache-2.0".into());
        }),
        named("awesome", "t", "Apache Camel", |r| {
            r.homepage_url = Some("https://camel.apache.org".into());
            r.license = Some("Apache-2.0".into());
        }),
    ]);
    assert_eq!(id_of(&out, "city-2024", "h"), id_of(&out, "city-2025", "h"));
    assert_ne!(id_of(&out, "city-2025", "h"), id_of(&out, "city-2025", "s"));
    assert_eq!(id_of(&out, "docker", "m"), id_of(&out, "arch", "m"));
    assert_eq!(id_of(&out, "maven", "t"), id_of(&out, "awesome", "t"));
    assert_eq!(
        crate::resolve::names::normalise_name("minio/minio"),
        "minio"
    );
    assert_eq!(
        crate::resolve::names::normalise_name("GDAL/OGR"),
        "gdal ogr",
        "a name, not a package"
    );
}

#[test]
fn licence_tiers_are_one_tool_and_a_package_namespace_can_agree_on_an_organisation() {
    let out = resolve_new(vec![
        named("state", "c", "Checkmk Enterprise", none),
        named("awesome", "c", "Checkmk", |r| {
            r.homepage_url = Some("https://checkmk.com".into())
        }),
        named("city", "p", "Portainer Business Edition", none),
        named("awesome", "p", "Portainer", |r| {
            r.homepage_url = Some("https://www.portainer.io".into())
        }),
        named("ministry", "w", "WhatsApp Business", none),
        named("cask", "w", "WhatsApp", none),
        named("docker", "a", "apache/airflow", none),
        named("city", "a", "Apache Airflow", |r| {
            r.organizations = vec!["Apache Software Foundation".into()]
        }),
        named("docker", "r", "bitnami/redis", none),
        named("arch", "r", "redis", |r| {
            r.organizations = vec!["Redis Ltd".into()]
        }),
    ]);
    assert_eq!(id_of(&out, "state", "c"), id_of(&out, "awesome", "c"));
    assert_eq!(id_of(&out, "city", "p"), id_of(&out, "awesome", "p"));
    assert_ne!(
        id_of(&out, "ministry", "w"),
        id_of(&out, "cask", "w"),
        "`business` is a tier only before `edition`"
    );
    assert_eq!(
        id_of(&out, "docker", "a"),
        id_of(&out, "city", "a"),
        "the namespace `apache` is the foundation's"
    );
    assert_eq!(
        id_of(&out, "docker", "r"),
        id_of(&out, "arch", "r"),
        "a packager's namespace does not disagree"
    );
}

#[test]
fn package_spellings_and_one_sources_duplicates_are_one_tool() {
    let out = resolve_new(vec![
        named("repology", "a", "python-ase", |r| {
            r.license = Some("LGPL-2.1-or-later".into())
        }),
        named("repology", "b", "science/py-ase", |r| {
            r.license = Some("LGPL-2.1-only".into())
        }),
        named("flathub", "v", "org.openchemistry.Avogadro2", none),
        named("lab", "v", "Avogadro 2", none),
        named("repology", "g", "gromacs", |r| {
            r.license = Some("LGPL-2.1-or-later".into())
        }),
        named("repology", "h", "science/gromacs", |r| {
            r.license = Some("LGPL-2.1-only".into())
        }),
        named("repology", "i", "gromacs", |r| {
            r.license = Some("LGPL-2.0-or-later".into())
        }),
        named("lab", "g", "GROMACS 2023", none),
        named("repology", "p", "pymol", |r| r.license = Some("MIT".into())),
        named("repology", "q", "pymol", |r| {
            r.license = Some("BSD-3-Clause".into())
        }),
        named("list", "r", "Rocket.Chat", none),
        named("registry", "r", "rocketchat", none),
    ]);
    assert_eq!(id_of(&out, "repology", "a"), id_of(&out, "repology", "b"));
    assert_eq!(id_of(&out, "flathub", "v"), id_of(&out, "lab", "v"));
    assert_eq!(id_of(&out, "repology", "g"), id_of(&out, "repology", "h"));
    assert_eq!(id_of(&out, "repology", "g"), id_of(&out, "repology", "i"));
    assert_eq!(
        id_of(&out, "repology", "g"),
        id_of(&out, "lab", "g"),
        "one source's three entries are one tool, so the name is not ambiguous"
    );
    assert_ne!(
        id_of(&out, "repology", "p"),
        id_of(&out, "repology", "q"),
        "one source's two entries under licences of two families stay two"
    );
    assert_eq!(id_of(&out, "list", "r"), id_of(&out, "registry", "r"));
}

#[test]
fn one_sources_entries_without_a_licence_join_by_name_and_description() {
    // Repology's project page: Debian gives no licence, FreeBSD one (`LGPL21`) no table maps.
    let out = resolve_new(vec![
        named("repology", "d", "gromacs", |r| {
            r.description = Some("Molecular dynamics simulator, with building tools".into())
        }),
        named("repology", "f", "science/gromacs", |r| {
            r.description = Some("Compute molecular dynamics".into())
        }),
        named("repology", "h", "gromacs", |r| {
            r.license = Some("LGPL-2.1-or-later".into());
            r.description = Some("Versatile package for molecular dynamics calculations".into())
        }),
        named("lab-2023", "g", "GROMACS 2023", |r| {
            r.organizations = vec!["GROMACS development team".into()]
        }),
        named("lab-2024", "g", "GROMACS 2024", |r| {
            r.organizations = vec!["GROMACS development team".into()]
        }),
        named("repology", "x", "xtb", |r| {
            r.description = Some("Semiempirical tight binding program".into())
        }),
        named("repology", "y", "xtb", |r| {
            r.description = Some("X toolkit bindings for terminals".into())
        }),
    ]);
    for other in ["f", "h"] {
        assert_eq!(
            id_of(&out, "repology", "d"),
            id_of(&out, "repology", other),
            "one name and a word of description in common ({other})"
        );
    }
    assert_eq!(
        id_of(&out, "repology", "d"),
        id_of(&out, "lab-2023", "g"),
        "one source's entries are one tool, so the name is not ambiguous"
    );
    assert_ne!(
        id_of(&out, "repology", "x"),
        id_of(&out, "repology", "y"),
        "descriptions sharing no word tell them apart"
    );
}

#[test]
fn a_homepage_on_the_site_another_is_under_does_not_clash() {
    let out = resolve_new(vec![
        named("register", "a", "AusTender OCDS API", |r| {
            r.homepage_url = Some("https://api.tenders.gov.au".into())
        }),
        named("directory", "a", "AusTender OCDS API", |r| {
            r.homepage_url = Some("https://tenders.gov.au".into())
        }),
        named("register", "b", "Tender Watch Portal", |r| {
            r.homepage_url = Some("https://api.example.org".into())
        }),
        named("directory", "b", "Tender Watch Portal", |r| {
            r.homepage_url = Some("https://docs.example.org".into())
        }),
    ]);
    assert_eq!(id_of(&out, "register", "a"), id_of(&out, "directory", "a"));
    assert_ne!(
        id_of(&out, "register", "b"),
        id_of(&out, "directory", "b"),
        "two subdomains of one site still clash"
    );
}

#[test]
fn a_successor_named_by_a_major_version_is_not_a_moved_repository() {
    let out = resolve_new(vec![
        named("metacpan", "d1", "Dancer", |r| {
            r.homepage_url = Some("http://perldancer.org".into());
            r.repositories = vec!["https://github.com/perldancer/dancer".into()];
        }),
        named("metacpan", "d2", "Dancer2", |r| {
            r.homepage_url = Some("http://perldancer.org".into());
            r.repositories = vec!["https://github.com/perldancer/dancer2".into()];
        }),
        named("catalogue", "p1", "Polis", |r| {
            r.homepage_url = Some("https://pol.is".into());
            r.repositories = vec!["https://github.com/pol-is/polisServer".into()];
        }),
        named("registry", "p2", "Polis", |r| {
            r.homepage_url = Some("https://pol.is".into());
            r.repositories = vec!["https://github.com/compdemocracy/polis".into()];
        }),
    ]);
    assert_ne!(id_of(&out, "metacpan", "d1"), id_of(&out, "metacpan", "d2"));
    assert_eq!(
        id_of(&out, "catalogue", "p1"),
        id_of(&out, "registry", "p2")
    );
}
