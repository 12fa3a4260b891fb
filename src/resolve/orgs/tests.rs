//! Unit tests of the organisation resolver.

use chrono::TimeZone;

use super::*;
use crate::model::{NormRecord, NormUseCase, OrgKind, Provenance, Tool};
use crate::resolve::Resolved;

/// The organisations of `rows` (records of `tools`).
fn orgs_of(rows: &[SourceRecordRow], tools: &[Tool], known: &Known) -> ResolvedOrgs {
    let resolved = Resolved {
        rows: rows.to_vec(),
        tools: tools.to_vec(),
        ..Resolved::default()
    };
    resolve_orgs(&resolved, known)
}

fn org(role: OrgRole, name: &str, f: impl FnOnce(&mut NormOrg)) -> NormOrg {
    let mut o = NormOrg::named(role, name);
    f(&mut o);
    o
}

fn row(source: &str, id: &str, tool: &str, orgs: Vec<NormOrg>) -> SourceRecordRow {
    SourceRecordRow {
        tool_id: tool.to_string(),
        record: NormRecord {
            source_id: source.to_string(),
            record_id: id.to_string(),
            organisations: orgs,
            ..NormRecord::default()
        },
        stale: false,
        provenance: Provenance::default(),
    }
}

fn tool(id: &str) -> Tool {
    Tool {
        id: id.to_string(),
        first_seen_at: Some(Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap()),
        last_seen_at: Some(Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap()),
        ..Tool::default()
    }
}

fn id_of<'a>(out: &'a ResolvedOrgs, name: &str) -> &'a str {
    &out.organisations
        .iter()
        .find(|o| o.names.iter().any(|n| n == name))
        .unwrap_or_else(|| panic!("no organisation named {name}: {:#?}", out.organisations))
        .id
}

#[test]
fn keys_and_name_forms_join_mentions_and_conflicts_keep_them_apart() {
    use OrgRole::*;
    let rows = vec![
        row(
            "dpga",
            "1",
            "ct_a",
            vec![org(Develops, "Libriciel SCOP", |o| {
                o.website = Some("https://www.libriciel.fr".into())
            })],
        ),
        row("city", "2", "ct_b", vec![org(Develops, "Libriciel", none)]),
        row(
            "sill",
            "3",
            "ct_c",
            vec![org(Uses, "DINUM", |o| {
                o.forge_account = Some("github:numerique-gouv".into())
            })],
        ),
        row(
            "codegouv",
            "4",
            "ct_c",
            vec![org(
                Develops,
                "Direction interministérielle du numérique",
                |o| o.forge_account = Some("github:numerique-gouv".into()),
            )],
        ),
        // An acronym and its expansion with no key in common, not in the alias list,
        // stay two.
        row("ctfg", "5", "ct_d", vec![org(Uses, "CGET", none)]),
        row(
            "ctfg",
            "6",
            "ct_d",
            vec![org(
                Uses,
                "Commissariat général à l'égalité des territoires",
                none,
            )],
        ),
        // One name, two countries: two cities.
        row(
            "ctfg",
            "7",
            "ct_e",
            vec![org(Uses, "Valencia", |o| o.country = Some("ES".into()))],
        ),
        row(
            "ctfg",
            "8",
            "ct_e",
            vec![org(Uses, "Valencia", |o| o.country = Some("VE".into()))],
        ),
        row(
            "dir",
            "9",
            "ct_e",
            vec![org(Uses, "Ministère de l'Intérieur", none)],
        ),
        row(
            "dir",
            "10",
            "ct_e",
            vec![org(Funds, "Ministere de l interieur", none)],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b", "ct_c", "ct_d", "ct_e"].map(tool).into();
    let out = orgs_of(&rows, &tools, &Known::default());
    assert_eq!(id_of(&out, "Libriciel SCOP"), id_of(&out, "Libriciel"));
    assert_eq!(
        id_of(&out, "DINUM"),
        id_of(&out, "Direction interministérielle du numérique")
    );
    assert_ne!(
        id_of(&out, "CGET"),
        id_of(&out, "Commissariat général à l'égalité des territoires")
    );
    let valencias: Vec<&Organisation> = out
        .organisations
        .iter()
        .filter(|o| o.name.as_deref() == Some("Valencia"))
        .collect();
    assert_eq!(valencias.len(), 2);
    assert_eq!(
        id_of(&out, "Ministère de l'Intérieur"),
        id_of(&out, "Ministere de l interieur")
    );
    assert_eq!(out.organisations.len(), 7);
    assert!(
        out.organisations
            .iter()
            .all(|o| o.id.starts_with("co_") && o.id.len() == 15)
    );
    // Roles per tool, each once, with their sources.
    let interieur = id_of(&out, "Ministère de l'Intérieur");
    let roles: Vec<OrgRole> = out
        .tool_organisations
        .iter()
        .filter(|r| r.organisation_id == interieur)
        .map(|r| r.role)
        .collect();
    assert_eq!(roles, [Funds, Uses]);
    let dinum = out
        .organisations
        .iter()
        .find(|o| o.id == id_of(&out, "DINUM"))
        .unwrap();
    assert_eq!(dinum.forge_accounts, ["github:numerique-gouv"]);
    assert_eq!(dinum.sources, ["codegouv", "sill"]);
    assert_eq!(
        dinum.name.as_deref(),
        Some("DINUM"),
        "one mention each: the first in text order"
    );
    assert_eq!(dinum.provenance, ["name:sill"]);
    assert_eq!(dinum.kind, OrgKind::PublicBody, "{}", dinum.kind_rule);
}

fn none(_: &mut NormOrg) {}

#[test]
fn ids_survive_a_rerun_and_a_merge_keeps_the_older_id() {
    use OrgRole::*;
    let first = vec![
        row(
            "a",
            "1",
            "ct_a",
            vec![org(Develops, "Open Knowledge Foundation", |o| {
                o.website = Some("https://okfn.org".into())
            })],
        ),
        row(
            "b",
            "2",
            "ct_a",
            vec![org(Develops, "OKFN", |o| {
                o.forge_account = Some("github:okfn".into())
            })],
        ),
    ];
    let tools = vec![tool("ct_a")];
    let out1 = orgs_of(&first, &tools, &Known::default());
    assert_eq!(out1.organisations.len(), 2);
    let mut known = Known::default();
    let t1 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for (k, id) in &out1.new_ids {
        known.insert(k.clone(), (id.clone(), t1));
    }
    // A rerun: the same ids.
    let again = orgs_of(&first, &tools, &known);
    let ids = |o: &ResolvedOrgs| {
        o.organisations
            .iter()
            .map(|o| o.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&again), ids(&out1));
    assert!(again.new_ids.is_empty() && again.moved_ids.is_empty());
    // A third record gives both keys: one organisation, the older id survives.
    let okfn_id = id_of(&out1, "Open Knowledge Foundation").to_string();
    let gh_id = id_of(&out1, "OKFN").to_string();
    let t2 = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    for (_, (id, at)) in known.iter_mut() {
        if *id == gh_id {
            *at = t2;
        }
    }
    let mut merged = first.clone();
    merged.push(row(
        "c",
        "3",
        "ct_a",
        vec![org(Develops, "Open Knowledge", |o| {
            o.website = Some("https://okfn.org/en".into());
            o.forge_account = Some("https://github.com/okfn".into());
            o.forge_account = Some("github:okfn".into());
        })],
    ));
    let out = orgs_of(&merged, &tools, &known);
    assert_eq!(out.organisations.len(), 1);
    assert_eq!(out.organisations[0].id, okfn_id);
    assert_eq!(out.aliases, [(gh_id, okfn_id)]);
}

#[test]
fn use_cases_are_one_per_deployment_with_their_organisation() {
    use OrgRole::*;
    let mut sill = row("sill", "101", "ct_decidim", vec![org(Uses, "DINUM", none)]);
    sill.record.use_cases = vec![NormUseCase {
        organisation: Some("DINUM".into()),
        audience: Some("Agents publics".into()),
        ..NormUseCase::default()
    }];
    let mut list = row("installations", "bcn", "ct_decidim", vec![]);
    list.record.use_cases = vec![NormUseCase {
        title: Some("Decidim Barcelona".into()),
        url: Some("https://www.decidim.barcelona".into()),
        organisation: Some("Ajuntament de Barcelona".into()),
        country: Some("ES".into()),
        ..NormUseCase::default()
    }];
    let mut again = row("other-list", "x", "ct_decidim", vec![]);
    again.record.use_cases = list.record.use_cases.clone();
    let out = orgs_of(
        &[sill, list, again],
        &[tool("ct_decidim")],
        &Known::default(),
    );
    assert_eq!(out.use_cases.len(), 2, "{:#?}", out.use_cases);
    let bcn = out.use_cases.iter().find(|u| u.url.is_some()).unwrap();
    assert_eq!(bcn.sources, ["installations", "other-list"]);
    assert_eq!(
        bcn.organisation_id, None,
        "no organisation of that name is known"
    );
    let dinum = out.use_cases.iter().find(|u| u.url.is_none()).unwrap();
    assert_eq!(dinum.organisation_id.as_deref(), Some(id_of(&out, "DINUM")));
    assert!(bcn.id.starts_with("cu_"));
    assert!(dinum.first_seen_at.is_some());
}

#[test]
fn kinds_follow_the_documented_rules_in_order() {
    let classify = |names: &[&str], website: Option<&str>, ids: &[&str], kinds: &[&str]| {
        let o = Organisation {
            names: names.iter().map(|s| s.to_string()).collect(),
            website: website.map(str::to_string),
            identifiers: ids.iter().map(|s| s.to_string()).collect(),
            ..Organisation::default()
        };
        kind::classify(&o, kinds)
    };
    assert_eq!(
        classify(&["Acme"], None, &[], &["Government / public sector"]),
        (OrgKind::PublicBody, "source-kind".into())
    );
    assert_eq!(
        classify(&["Comune di Roma"], None, &["ipa:c_h501"], &[]).1,
        "ipa-code"
    );
    assert_eq!(
        classify(&["DINUM"], Some("https://numerique.gouv.fr"), &[], &[]),
        (OrgKind::PublicBody, "website".into())
    );
    assert_eq!(
        classify(&["Libriciel SCOP"], None, &[], &[]).0,
        OrgKind::Company
    );
    assert_eq!(
        classify(&["Fundación CONSUL Democracy"], None, &[], &[]).0,
        OrgKind::NonProfit
    );
    assert_eq!(
        classify(&["Ayuntamiento de Madrid"], None, &[], &[]).0,
        OrgKind::PublicBody
    );
    assert_eq!(
        classify(&["Code for Germany"], None, &[], &[]).0,
        OrgKind::Community
    );
    assert_eq!(
        classify(&["Université de Lille"], None, &[], &[]).0,
        OrgKind::Academic
    );
    assert_eq!(
        classify(&["Decidim"], Some("https://decidim.org"), &[], &[]),
        (OrgKind::Unknown, "none".into())
    );
}

#[test]
fn an_acronym_joins_only_through_a_key_the_alias_list_or_the_name_that_states_it_and_unit_names_need_a_key()
 {
    use OrgRole::*;
    let rows = vec![
        row(
            "sill",
            "1",
            "ct_a",
            vec![org(
                Develops,
                "Agence nationale de la sécurité des systèmes d'information",
                none,
            )],
        ),
        row("codegouv", "2", "ct_a", vec![org(Develops, "ANSSI", none)]),
        row("city", "3", "ct_b", vec![org(Uses, "DGFiP", none)]),
        row(
            "codegouv",
            "4",
            "ct_b",
            vec![org(Uses, "Direction générale des Finances publiques", none)],
        ),
        row(
            "dpg",
            "5",
            "ct_c",
            vec![org(
                Funds,
                "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH",
                none,
            )],
        ),
        row("dpg", "6", "ct_c", vec![org(Funds, "GIZ", none)]),
        row("sill", "7", "ct_c", vec![org(Uses, "Entr'ouvert", none)]),
        row("city", "8", "ct_c", vec![org(Uses, "Entrouvert", none)]),
        row("a", "9", "ct_d", vec![org(Uses, "CMS", none)]),
        row(
            "a",
            "10",
            "ct_d",
            vec![org(Uses, "Centers for Medicare Services", none)],
        ),
        row(
            "a",
            "11",
            "ct_d",
            vec![org(Uses, "Center Media Studies", none)],
        ),
        // Every agency has an OCIO.
        row(
            "us",
            "12",
            "ct_e",
            vec![org(Develops, "OCIO", |o| o.country = Some("US".into()))],
        ),
        row(
            "us",
            "13",
            "ct_f",
            vec![org(Develops, "OCIO", |o| o.country = Some("US".into()))],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b", "ct_c", "ct_d", "ct_e", "ct_f"]
        .map(tool)
        .into();
    let out = orgs_of(&rows, &tools, &Known::default());
    // An acronym is no key: it joins its expansion only through one or through the alias
    // list (a body's acronym of four characters or more names it without a country).
    assert_eq!(
        id_of(&out, "ANSSI"),
        id_of(
            &out,
            "Agence nationale de la sécurité des systèmes d'information"
        )
    );
    assert_eq!(
        id_of(&out, "DGFiP"),
        id_of(&out, "Direction générale des Finances publiques")
    );
    assert_eq!(
        id_of(&out, "GIZ"),
        id_of(
            &out,
            "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ) GmbH"
        )
    );
    assert_eq!(id_of(&out, "Entr'ouvert"), id_of(&out, "Entrouvert"));
    assert_ne!(
        id_of(&out, "CMS"),
        id_of(&out, "Centers for Medicare Services")
    );
    assert_ne!(id_of(&out, "CMS"), id_of(&out, "Center Media Studies"));
    let ocios = out
        .mentions
        .iter()
        .filter(|m| m.name == "OCIO")
        .map(|m| &m.organisation_id)
        .collect::<BTreeSet<_>>();
    assert_eq!(ocios.len(), 2);
}

#[test]
fn an_organisations_directory_names_organisations_without_tools() {
    use OrgRole::*;
    let resolved = Resolved {
        rows: vec![row("sill", "1", "ct_a", vec![org(Uses, "Insee", none)])],
        tools: vec![tool("ct_a")],
        unmatched_parts: vec![NormRecord {
            source_id: "codegouv-orgs".into(),
            record_id: "insee".into(),
            organisations: vec![org(Develops, "INSEE", |o| {
                o.forge_account = Some("github:inseefr".into())
            })],
            ..NormRecord::default()
        }],
        ..Resolved::default()
    };
    let out = resolve_orgs(&resolved, &Known::default());
    assert_eq!(out.organisations.len(), 1, "{:#?}", out.organisations);
    assert_eq!(out.organisations[0].forge_accounts, ["github:inseefr"]);
    // Only the tool's record gives a role: the directory's record is no tool.
    assert_eq!(out.tool_organisations.len(), 1);
    assert_eq!(out.tool_organisations[0].role, Uses);
}

#[test]
fn a_pso_id_is_a_key_and_an_identifier() {
    use OrgRole::*;
    let rows = vec![
        row(
            "codegouv",
            "1",
            "ct_a",
            vec![org(Develops, "Ministère de la Culture", |o| {
                o.pso_id = Some("4a7d3c1e-culture".into())
            })],
        ),
        row(
            "sill",
            "2",
            "ct_a",
            vec![org(Uses, "MC", |o| {
                o.pso_id = Some("4a7d3c1e-culture".into())
            })],
        ),
    ];
    let out = orgs_of(&rows, &[tool("ct_a")], &Known::default());
    assert_eq!(out.organisations.len(), 1);
    assert_eq!(out.organisations[0].identifiers, ["pso:4a7d3c1e-culture"]);
}

#[test]
fn the_alias_list_parses_and_every_body_has_a_country_a_name_and_a_reference() {
    let list = Aliases::get();
    assert!(list.bodies.len() >= 150, "{}", list.bodies.len());
    let countries: BTreeSet<&str> = list.bodies.iter().map(|b| b.country.as_str()).collect();
    for c in ["US", "FR", "IT", "GB", "ES", "DE", "EU"] {
        assert!(
            list.bodies.iter().filter(|b| b.country == c).count() >= 20,
            "{c}"
        );
    }
    assert!(countries.len() >= 10, "{countries:?}");
    // One key per body.
    let keys: BTreeSet<String> = list
        .bodies
        .iter()
        .map(|b| format!("{}:{:?}", b.country, aliases::fold(&b.name)))
        .collect();
    assert_eq!(keys.len(), list.bodies.len());
    // The loader refuses what the list must not hold.
    let one = |country: &str, short: &str| {
        format!(
            "[[body]]\ncountry = \"{country}\"\nname = \"X agency\"\nshort = [\"{short}\"]\nref = \"r\"\n"
        )
    };
    assert!(Aliases::parse(&one("FR", "XA")).is_ok());
    assert!(Aliases::parse(&one("XX", "XA")).is_err(), "no such country");
    assert!(Aliases::parse(&one("fr", "XA")).is_err(), "upper case");
    assert!(Aliases::parse(&one("FR", "DSI")).is_err(), "a unit name");
    assert!(Aliases::parse(&one("FR", "-")).is_err(), "folds to nothing");
    assert!(
        Aliases::parse("[[body]]\ncountry = \"FR\"\nname = \"X\"\nref = \" \"\n").is_err(),
        "no reference"
    );
}

#[test]
fn the_alias_list_joins_the_forms_of_one_body_within_its_country() {
    use OrgRole::*;
    let country = |c: &'static str| move |o: &mut NormOrg| o.country = Some(c.into());
    let rows = vec![
        row(
            "sill",
            "1",
            "ct_a",
            vec![org(Develops, "DINUM", country("FR"))],
        ),
        row(
            "codegouv",
            "2",
            "ct_b",
            vec![org(
                Develops,
                "Direction interministérielle du numérique",
                none,
            )],
        ),
        row(
            "old",
            "3",
            "ct_c",
            vec![org(
                Uses,
                "Direction interministérielle du numérique et du système d'information et de \
                 communication de l'État (DINSIC)",
                none,
            )],
        ),
        // Three letters name too many things: the country must be stated.
        row("ctfg", "4", "ct_d", vec![org(Uses, "GSA", none)]),
        row(
            "codejson",
            "5",
            "ct_d",
            vec![org(Uses, "GSA", country("US"))],
        ),
        row(
            "dpg",
            "6",
            "ct_e",
            vec![org(Funds, "U.S. General Services Administration", none)],
        ),
        // Another country's body of that acronym, or none in the list, stays apart.
        row("es", "7", "ct_f", vec![org(Uses, "DGE", country("ES"))]),
        row(
            "fr",
            "8",
            "ct_f",
            vec![org(
                Uses,
                "Direction générale des entreprises",
                country("FR"),
            )],
        ),
        // An acronym of two bodies of the list (`IGN` in FR and ES) joins only where the
        // country says which.
        row(
            "b",
            "10",
            "ct_g",
            vec![org(Uses, "Instituto Geográfico Nacional", none)],
        ),
        row(
            "c",
            "11",
            "ct_g",
            vec![org(
                Uses,
                "Institut national de l'information géographique et forestière",
                none,
            )],
        ),
        row("d", "12", "ct_g", vec![org(Uses, "IGN", country("FR"))]),
        // Two names of one city are not in the list.
        row(
            "e",
            "13",
            "ct_h",
            vec![org(Uses, "Ville de Paris", country("FR"))],
        ),
        row(
            "f",
            "14",
            "ct_h",
            vec![org(Uses, "Mairie de Paris", country("FR"))],
        ),
    ];
    let tools: Vec<Tool> = [
        "ct_a", "ct_b", "ct_c", "ct_d", "ct_e", "ct_f", "ct_g", "ct_h",
    ]
    .map(tool)
    .into();
    let out = orgs_of(&rows, &tools, &Known::default());
    let dinum = id_of(&out, "DINUM");
    assert_eq!(
        dinum,
        id_of(&out, "Direction interministérielle du numérique")
    );
    assert!(
        out.mentions
            .iter()
            .filter(|m| m.record_id == "3")
            .all(|m| m.organisation_id == dinum)
    );
    // `GSA` with no country joins the `GSA` stating US by its name; that one joins the
    // full name through the list.
    assert_eq!(
        id_of(&out, "GSA"),
        id_of(&out, "U.S. General Services Administration")
    );
    assert_ne!(
        id_of(&out, "DGE"),
        id_of(&out, "Direction générale des entreprises")
    );
    let ign_fr = id_of(
        &out,
        "Institut national de l'information géographique et forestière",
    );
    assert_eq!(id_of(&out, "IGN"), ign_fr);
    assert_ne!(id_of(&out, "Instituto Geográfico Nacional"), ign_fr);
    let list = Aliases::get();
    assert_eq!(list.key(["ign"], None), None);
    assert_eq!(
        list.key(["ign"], Some("ES")),
        Some("org:alias:es:institutogeograficonacional")
    );
    // An EU body: no country or a member state's.
    assert_eq!(list.key(["jrc"], None), None);
    assert_eq!(
        list.key(["jrc"], Some("IT")),
        Some("org:alias:eu:jointresearchcentre")
    );
    assert_eq!(list.key(["jrc"], Some("US")), None);
    // Forms of two bodies in one mention: none.
    assert_eq!(list.key(["dinum", "anssi"], None), None);
    assert_ne!(
        id_of(&out, "Ville de Paris"),
        id_of(&out, "Mairie de Paris")
    );
}

#[test]
fn the_alias_list_never_joins_across_conflicting_keys_or_countries() {
    use OrgRole::*;
    let rows = vec![
        row(
            "a",
            "1",
            "ct_a",
            vec![org(Uses, "ANSSI", |o| o.siren = Some("130007669".into()))],
        ),
        row(
            "b",
            "2",
            "ct_a",
            vec![org(
                Uses,
                "Agence nationale de la sécurité des systèmes d'information",
                |o| o.siren = Some("110000001".into()),
            )],
        ),
        row(
            "c",
            "3",
            "ct_b",
            vec![org(Uses, "INSEE", |o| {
                o.wikidata_id = Some("Q156616".into())
            })],
        ),
        row(
            "d",
            "4",
            "ct_b",
            vec![org(
                Uses,
                "Institut national de la statistique et des études économiques",
                |o| o.wikidata_id = Some("Q1".into()),
            )],
        ),
        // A mention stating another country than the body's is not that body.
        row(
            "e",
            "5",
            "ct_c",
            vec![org(Uses, "NASA", |o| o.country = Some("BR".into()))],
        ),
        row(
            "f",
            "6",
            "ct_c",
            vec![org(
                Uses,
                "National Aeronautics and Space Administration",
                none,
            )],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b", "ct_c"].map(tool).into();
    let out = orgs_of(&rows, &tools, &Known::default());
    assert_ne!(
        id_of(&out, "ANSSI"),
        id_of(
            &out,
            "Agence nationale de la sécurité des systèmes d'information"
        )
    );
    assert_ne!(
        id_of(&out, "INSEE"),
        id_of(
            &out,
            "Institut national de la statistique et des études économiques"
        )
    );
    let of_record = |r: &str| {
        out.mentions
            .iter()
            .find(|m| m.record_id == r)
            .map(|m| m.organisation_id.clone())
            .unwrap()
    };
    assert_ne!(of_record("5"), of_record("6"));
}

#[test]
fn a_mention_stating_no_country_is_looked_up_in_its_sources_country_when_alone_it_finds_none() {
    use OrgRole::*;
    let rows = vec![
        row(
            "us-code-json",
            "1",
            "ct_a",
            vec![org(Develops, "GSA", none)],
        ),
        row(
            "dpg",
            "2",
            "ct_a",
            vec![org(Funds, "General Services Administration", none)],
        ),
        row("sill", "3", "ct_b", vec![org(Uses, "CDC", none)]),
        row(
            "dpg",
            "4",
            "ct_b",
            vec![org(Uses, "Caisse des dépôts et consignations", none)],
        ),
        row(
            "other",
            "5",
            "ct_b",
            vec![org(
                Uses,
                "Centers for Disease Control and Prevention",
                none,
            )],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b"].map(tool).into();
    let resolved = Resolved {
        rows: rows.clone(),
        tools: tools.clone(),
        ..Resolved::default()
    };
    let countries: HashMap<String, String> = [("us-code-json", "US"), ("sill", "FR")]
        .map(|(s, c)| (s.to_string(), c.to_string()))
        .into();
    let out = resolve_orgs_with(&resolved, &Known::default(), &countries);
    assert_eq!(
        id_of(&out, "GSA"),
        id_of(&out, "General Services Administration")
    );
    assert_eq!(
        id_of(&out, "CDC"),
        id_of(&out, "Caisse des dépôts et consignations")
    );
    assert_ne!(
        id_of(&out, "CDC"),
        id_of(&out, "Centers for Disease Control and Prevention")
    );
    // Without the sources' countries, three letters join nothing.
    let out = orgs_of(&rows, &tools, &Known::default());
    assert_ne!(
        id_of(&out, "GSA"),
        id_of(&out, "General Services Administration")
    );
    assert_ne!(
        id_of(&out, "CDC"),
        id_of(&out, "Caisse des dépôts et consignations")
    );
}

#[test]
fn abbreviations_plurals_and_the_councils_name_in_spains_languages_fold_into_one_name_key() {
    use OrgRole::*;
    let rows = vec![
        row(
            "a",
            "1",
            "ct_a",
            vec![org(Develops, "Sandia National Labs", none)],
        ),
        row(
            "b",
            "2",
            "ct_b",
            vec![org(Develops, "Sandia National Laboratories", none)],
        ),
        row(
            "a",
            "3",
            "ct_c",
            vec![org(Funds, "UNICEF Ventures Fund", none)],
        ),
        row(
            "b",
            "4",
            "ct_c",
            vec![org(Funds, "UNICEF Venture Fund", none)],
        ),
        row(
            "a",
            "5",
            "ct_d",
            vec![org(Uses, "Ajuntament de Sabadell", none)],
        ),
        row(
            "b",
            "6",
            "ct_d",
            vec![org(Uses, "Ayuntamiento de Sabadell", none)],
        ),
        // Another word is another body.
        row(
            "b",
            "7",
            "ct_d",
            vec![org(Uses, "Diputación de Sabadell", none)],
        ),
        row(
            "b",
            "8",
            "ct_e",
            vec![org(Develops, "Open Knowledge Brasil", none)],
        ),
        row(
            "a",
            "9",
            "ct_e",
            vec![org(Develops, "Open Knowledge Belgium", none)],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b", "ct_c", "ct_d", "ct_e"]
        .into_iter()
        .map(tool)
        .collect();
    let out = orgs_of(&rows, &tools, &Known::default());
    assert_eq!(
        id_of(&out, "Sandia National Labs"),
        id_of(&out, "Sandia National Laboratories")
    );
    assert_eq!(
        id_of(&out, "UNICEF Ventures Fund"),
        id_of(&out, "UNICEF Venture Fund")
    );
    assert_eq!(
        id_of(&out, "Ajuntament de Sabadell"),
        id_of(&out, "Ayuntamiento de Sabadell")
    );
    assert_ne!(
        id_of(&out, "Ayuntamiento de Sabadell"),
        id_of(&out, "Diputación de Sabadell")
    );
    assert_ne!(
        id_of(&out, "Open Knowledge Brasil"),
        id_of(&out, "Open Knowledge Belgium")
    );
}

#[test]
fn a_departmental_council_joins_its_code_and_a_nasa_center_its_prefixed_name() {
    use OrgRole::*;
    let rows = vec![
        row("a", "1", "ct_a", vec![org(Uses, "CD35", none)]),
        row(
            "b",
            "2",
            "ct_a",
            vec![org(Uses, "Département d'Ille-et-Vilaine", none)],
        ),
        row(
            "c",
            "3",
            "ct_b",
            vec![org(Uses, "Conseil général d'Ille-et-Vilaine", none)],
        ),
        // Another département's code is another council.
        row("a", "4", "ct_b", vec![org(Uses, "CD44", none)]),
        row(
            "d",
            "5",
            "ct_c",
            vec![org(Develops, "NASA Ames Research Center", none)],
        ),
        row(
            "e",
            "6",
            "ct_c",
            vec![org(Develops, "Ames Research Center", none)],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b", "ct_c"].into_iter().map(tool).collect();
    let out = orgs_of(&rows, &tools, &Known::default());
    assert_eq!(
        id_of(&out, "CD35"),
        id_of(&out, "Département d'Ille-et-Vilaine")
    );
    assert_eq!(
        id_of(&out, "CD35"),
        id_of(&out, "Conseil général d'Ille-et-Vilaine")
    );
    assert_ne!(id_of(&out, "CD35"), id_of(&out, "CD44"));
    assert_eq!(
        id_of(&out, "NASA Ames Research Center"),
        id_of(&out, "Ames Research Center")
    );
}

#[test]
fn a_parent_bodys_website_numbers_and_legal_forms() {
    use OrgRole::*;
    let web = |site: &'static str| move |o: &mut NormOrg| o.website = Some(site.into());
    let rows = vec![
        // One source gives the social security's site for three of its bodies.
        row(
            "ctt",
            "1",
            "ct_a",
            vec![org(
                Develops,
                "Tesorería General de la Seguridad Social",
                web("https://www.seg-social.es"),
            )],
        ),
        row(
            "ctt",
            "2",
            "ct_b",
            vec![org(
                Develops,
                "Instituto Nacional de la Seguridad Social",
                web("https://www.seg-social.es/"),
            )],
        ),
        row(
            "ctt",
            "3",
            "ct_c",
            vec![org(
                Develops,
                "Gerencia de Informática de la Seguridad Social",
                web("https://www.seg-social.es"),
            )],
        ),
        // Two names of one city with its site, in one source: one body.
        row(
            "consul",
            "4",
            "ct_d",
            vec![org(
                Uses,
                "Ayuntamiento de Bilbao",
                web("https://www.bilbao.eus"),
            )],
        ),
        row(
            "consul",
            "5",
            "ct_e",
            vec![org(Uses, "Bilboko Udala", web("https://www.bilbao.eus"))],
        ),
        // A number tells two universities apart.
        row(
            "codegouv",
            "6",
            "ct_f",
            vec![org(Develops, "Université Rennes 2", none)],
        ),
        row(
            "codegouv",
            "7",
            "ct_g",
            vec![org(Develops, "Université de Rennes", none)],
        ),
        // A legal form says nothing.
        row("ctfg", "8", "ct_h", vec![org(Develops, "Nava", none)]),
        row("github", "9", "ct_h", vec![org(Develops, "Nava PBC", none)]),
    ];
    let tools: Vec<Tool> = [
        "ct_a", "ct_b", "ct_c", "ct_d", "ct_e", "ct_f", "ct_g", "ct_h",
    ]
    .into_iter()
    .map(tool)
    .collect();
    let out = orgs_of(&rows, &tools, &Known::default());
    let tgss = id_of(&out, "Tesorería General de la Seguridad Social");
    assert_ne!(
        tgss,
        id_of(&out, "Instituto Nacional de la Seguridad Social")
    );
    assert_ne!(
        tgss,
        id_of(&out, "Gerencia de Informática de la Seguridad Social")
    );
    assert_eq!(
        id_of(&out, "Ayuntamiento de Bilbao"),
        id_of(&out, "Bilboko Udala")
    );
    assert_ne!(
        id_of(&out, "Université Rennes 2"),
        id_of(&out, "Université de Rennes")
    );
    assert_eq!(id_of(&out, "Nava"), id_of(&out, "Nava PBC"));
}

#[test]
fn an_acronym_joins_the_body_its_source_spells_out() {
    use OrgRole::*;
    let rows = vec![
        row(
            "eu",
            "1",
            "ct_a",
            vec![org(Develops, "European Central Bank", none)],
        ),
        row("eu", "2", "ct_b", vec![org(Develops, "ECB", none)]),
        row("eu", "3", "ct_c", vec![org(Develops, "JRC", none)]),
        row(
            "other",
            "4",
            "ct_d",
            vec![org(Develops, "Joint Research Centre", none)],
        ),
        row("eu", "5", "ct_e", vec![org(Uses, "DSI", none)]),
        row(
            "eu",
            "6",
            "ct_f",
            vec![org(Uses, "Direction Systèmes Information", none)],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b", "ct_c", "ct_d", "ct_e", "ct_f"]
        .into_iter()
        .map(tool)
        .collect();
    let out = orgs_of(&rows, &tools, &Known::default());
    assert_eq!(id_of(&out, "ECB"), id_of(&out, "European Central Bank"));
    assert_ne!(
        id_of(&out, "JRC"),
        id_of(&out, "Joint Research Centre"),
        "across sources an acronym names bodies of many countries"
    );
    assert_ne!(
        id_of(&out, "DSI"),
        id_of(&out, "Direction Systèmes Information"),
        "a unit every administration has"
    );
}

#[test]
fn a_government_portal_keys_each_body_by_its_page() {
    assert_eq!(
        web_key(
            "https://www.rijksoverheid.nl/ministeries/ministerie-van-volksgezondheid-welzijn-en-sport/contact"
        ),
        Some(
            "org:web:rijksoverheid.nl/ministeries/ministerie-van-volksgezondheid-welzijn-en-sport"
                .into()
        )
    );
    assert_ne!(
        web_key(
            "https://www.rijksoverheid.nl/ministeries/ministerie-van-economische-zaken-en-klimaat"
        ),
        web_key(
            "https://www.rijksoverheid.nl/ministeries/ministerie-van-volksgezondheid-welzijn-en-sport"
        )
    );
    assert_eq!(
        web_key("https://www.gov.uk/"),
        None,
        "the portal itself names no body"
    );
    assert_eq!(
        web_key("https://www.libriciel.fr/contact"),
        Some("org:web:libriciel.fr".into())
    );
}

#[test]
fn names_written_side_by_side_are_names_of_one_body() {
    assert_eq!(
        other_names("Canadian Space Agency | Agence spatiale canadienne"),
        ["Canadian Space Agency", "Agence spatiale canadienne"]
    );
    assert_eq!(
        other_names("Llywodraeth Cymru / Welsh Government"),
        ["Llywodraeth Cymru", "Welsh Government"]
    );
    assert_eq!(
        other_names("FBK - Fondazione Bruno Kessler"),
        ["FBK", "Fondazione Bruno Kessler"]
    );
    assert_eq!(
        other_names("Maanmittauslaitos (National Land Survey of Finland)"),
        ["National Land Survey of Finland"]
    );
    // A parent before its unit is not the body twice.
    assert!(other_names("SPF BOSA - DG Transformation digitale").is_empty());
    assert!(other_names("Xunta de Galicia - AMTEGA").is_empty());
    assert!(other_names("Ministry of Finance / Department of Budget").is_empty());
    assert!(other_names("Department of Finance (Australia)").is_empty());

    use OrgRole::*;
    let rows = vec![
        row(
            "open-canada",
            "1",
            "ct_a",
            vec![org(
                Develops,
                "Canadian Space Agency | Agence spatiale canadienne",
                none,
            )],
        ),
        row(
            "github",
            "2",
            "ct_b",
            vec![org(Develops, "Agence spatiale canadienne", none)],
        ),
        row(
            "ctt",
            "3",
            "ct_c",
            vec![org(Develops, "Xunta de Galicia - AMTEGA", none)],
        ),
        row(
            "eu",
            "4",
            "ct_d",
            vec![org(Develops, "Xunta de Galicia", none)],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b", "ct_c", "ct_d"].map(tool).into();
    let out = orgs_of(&rows, &tools, &Known::default());
    assert_eq!(
        id_of(&out, "Canadian Space Agency | Agence spatiale canadienne"),
        id_of(&out, "Agence spatiale canadienne")
    );
    assert_ne!(
        id_of(&out, "Xunta de Galicia - AMTEGA"),
        id_of(&out, "Xunta de Galicia")
    );
}

#[test]
fn a_name_with_an_acronym_joins_the_body_its_source_spells_out() {
    assert_eq!(acronym_form("Ministerie van VWS").as_deref(), Some("MVWS"));
    assert_eq!(acronym_form("UN OCHA").as_deref(), Some("UNOCHA"));
    assert_eq!(acronym_form("ECB").as_deref(), Some("ECB"));
    assert_eq!(acronym_form("Ministerie van Financiën"), None);

    use OrgRole::*;
    let rows = vec![
        row(
            "nl",
            "1",
            "ct_a",
            vec![org(Develops, "Ministerie van VWS", none)],
        ),
        row(
            "nl",
            "2",
            "ct_b",
            vec![org(
                Develops,
                "Ministerie van Volksgezondheid, Welzijn en Sport",
                none,
            )],
        ),
    ];
    let tools: Vec<Tool> = ["ct_a", "ct_b"].map(tool).into();
    let out = orgs_of(&rows, &tools, &Known::default());
    let ids: Vec<&str> = out
        .mentions
        .iter()
        .map(|m| m.organisation_id.as_str())
        .collect();
    assert_eq!(ids[0], ids[1], "one source writes both names of one body");
}

#[test]
fn a_name_before_an_acronym_in_brackets_is_a_name_of_the_body() {
    assert_eq!(
        other_names("Bibliothèque et Archives nationales du Québec (BAnQ)"),
        ["Bibliothèque et Archives nationales du Québec"]
    );
    assert!(other_names("Department of Finance (Australia)").is_empty());
}
