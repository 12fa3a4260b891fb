//! `[[organisations]]` and `[[use_cases]]` of a `json` source: the DPG registry's typed
//! organisations and SILL's authors and instances.

use super::*;

const DPG_ORGS: &str = r#"
    url = "https://registry.test/v1/dpgs"
    records = "$.data"
    [fields]
    record_id = "$.id"
    name = "$.name"
    [[organisations]]
    role = "develops"
    each = "$.organizations[?@.org_type == 'owner']"
    fields = { name = "$.name", website = "$.website" }
    [[organisations]]
    role = "maintains"
    each = "$.organizations[?@.org_type == 'maintainer']"
    fields = { name = "$.name", website = "$.website" }
    [[organisations]]
    role = "funds"
    each = "$.organizations[?@.org_type == 'funder']"
    fields = { name = "$.name", website = "$.website" }
"#;

const SILL_ORGS: &str = r#"
    url = "https://sill.test/api/sill.json"
    [fields]
    record_id = "$.id"
    name = "$.name"
    [[organisations]]
    role = "develops"
    each = "$.softwareExternalData.authors[?@['@type'] == 'Organization']"
    fields = { name = "$.name", website = "$.url" }
    [[organisations]]
    role = "uses"
    each = "$.instances[*]"
    fields = { name = "$.organization" }
    [[use_cases]]
    each = "$.instances[*]"
    fields = { organisation = "$.organization", audience = "$.targetAudience", url = "$.publicUrl" }
"#;

#[test]
fn each_organisation_of_a_record_is_read_with_the_role_its_table_states() {
    let src = source(DPG_ORGS);
    let page = parse_page(
        &src,
        &url("/v1/dpgs"),
        fixture("json", "dpg-page-1.json").as_bytes(),
        true,
    )
    .unwrap();
    let aam = &page.records[0];
    let roles: Vec<(&str, &str)> = aam
        .organisations
        .iter()
        .map(|o| (o.role.as_deref().unwrap(), o.first("name").unwrap()))
        .collect();
    assert_eq!(
        roles,
        [
            ("maintains", "Aam Digital GmbH"),
            ("funds", "Help Foundation")
        ]
    );
    assert_eq!(
        aam.organisations[0].first("website"),
        Some("https://www.aam-digital.com")
    );
    let bsis = &page.records[1];
    assert_eq!(bsis.organisations.len(), 1);
    assert_eq!(bsis.organisations[0].role.as_deref(), Some("develops"));
    assert!(bsis.use_cases.is_empty());
}

#[test]
fn sill_authors_users_and_instances_become_organisations_and_use_cases() {
    let src = source(SILL_ORGS);
    let page = parse_page(
        &src,
        &url("/api/sill.json"),
        fixture("catalogue/sill", "sill.json").as_bytes(),
        true,
    )
    .unwrap();
    let decidim = page
        .records
        .iter()
        .find(|r| r.first("name") == Some("Decidim"))
        .expect("Decidim in the SILL fixture");
    let orgs: Vec<(&str, &str)> = decidim
        .organisations
        .iter()
        .map(|o| (o.role.as_deref().unwrap(), o.first("name").unwrap()))
        .collect();
    assert_eq!(orgs, [("develops", "Decidim"), ("uses", "DINUM")]);
    assert_eq!(decidim.use_cases.len(), 1);
    let case = &decidim.use_cases[0];
    assert_eq!(case.first("organisation"), Some("DINUM"));
    assert_eq!(case.first("audience"), Some("Agents publics"));
    assert_eq!(case.first("url"), None, "publicUrl is null");
    // Parts travel with the record through the state store.
    let stored = serde_json::to_string(decidim).unwrap();
    let back: RawRecord = serde_json::from_str(&stored).unwrap();
    assert_eq!(&back, decidim);
}

#[test]
fn a_record_without_parts_serialises_as_before() {
    let src = source(DPG);
    let page = parse_page(
        &src,
        &url("/v1/dpgs"),
        fixture("json", "dpg-page-1.json").as_bytes(),
        true,
    )
    .unwrap();
    let text = serde_json::to_string(&page.records[0]).unwrap();
    assert!(
        !text.contains("\"organisations\":") && !text.contains("\"use_cases\":"),
        "{text}"
    );
}

#[test]
fn bad_part_tables_are_reported_with_their_key() {
    let base = "url = \"https://x.test/a.json\"\n[fields]\nname = \"$.name\"\n";
    let cases = [
        (
            "[[organisations]]\nfields = { name = \"$.n\" }\n",
            "`organisations[0].role` is required",
        ),
        (
            "[[organisations]]\nrole = \"owns\"\nfields = { name = \"$.n\" }\n",
            "`organisations[0].role`: `owns` is not a role",
        ),
        (
            "[[organisations]]\nrole = \"uses\"\nfields = { nom = \"$.n\" }\n",
            "`organisations[0].fields.nom`: unknown field",
        ),
        (
            "[[use_cases]]\neach = \"$.instances[\"\nfields = { url = \"$.u\" }\n",
            "`use_cases[0].each`: invalid JSONPath",
        ),
        (
            "[[use_cases]]\nrole = \"uses\"\nfields = { url = \"$.u\" }\n",
            "`use_cases[0].role`: use cases have no role",
        ),
        (
            "[[use_cases]]\neach = \"$.x[*]\"\n",
            "`use_cases[0].fields` is required",
        ),
    ];
    for (table, expected) in cases {
        let errs = build_errors(&format!("{base}{table}"));
        assert!(
            errs.iter().any(|e| e.contains(expected)),
            "{table}: {errs:?}"
        );
    }
}
