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
        // An acronym and its expansion with no key in common stay two.
        row("ctfg", "5", "ct_d", vec![org(Uses, "DITP", none)]),
        row(
            "ctfg",
            "6",
            "ct_d",
            vec![org(
                Uses,
                "Direction interministérielle de la transformation publique",
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
        id_of(&out, "DITP"),
        id_of(
            &out,
            "Direction interministérielle de la transformation publique"
        )
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
fn an_acronym_joins_only_through_a_key_or_the_name_that_states_it_and_unit_names_need_a_key() {
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
    // An acronym is no key: it joins its expansion only through one (or a documented
    // alias list), as `DINUM` and `Direction interministérielle du numérique`.
    assert_ne!(
        id_of(&out, "ANSSI"),
        id_of(
            &out,
            "Agence nationale de la sécurité des systèmes d'information"
        )
    );
    assert_ne!(
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
