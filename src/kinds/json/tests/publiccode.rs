//! A publiccode.yml carried in a JSON field, overlaid on the mapped fields.

use super::*;

#[test]
fn publiccode_text_fills_unmapped_fields_and_bad_text_is_an_issue() {
    let src = source(
        r#"
        url = "https://registry.test/v1/software"
        records = "$.data"
        publiccode = "$.publiccodeYml"
        [fields]
        record_id = "$.id"
        repository = "$.url"
        tags = "$.tags[*]"
        "#,
    );
    let yml = "publiccodeYmlVersion: '0.4'\nname: Gestione Atti\nurl: https://github.com/x/atti\nlandingURL: https://atti.example.it\ncategories: [document-management]\nlegal:\n  license: EUPL-1.2\ndescription:\n  it:\n    shortDescription: Atti amministrativi\n";
    let body = serde_json::json!({"data": [
        {"id": "a", "url": "https://github.com/x/atti", "tags": ["t"], "publiccodeYml": yml},
        {"id": "b", "url": "https://github.com/x/bad", "publiccodeYml": "name: [unclosed"},
        {"id": "c", "url": "https://github.com/x/none", "publiccodeYml": null},
        {"id": "d", "url": "https://github.com/x/obj", "publiccodeYml": {"name": "x"}},
    ]});
    let page_url = url("/v1/software");
    let page = parse_page(&src, &page_url, body.to_string().as_bytes(), true).unwrap();
    assert_eq!(page.records.len(), 4, "invalid publiccode keeps the record");
    let a = &page.records[0].fields;
    assert_eq!(a["name"], ["Gestione Atti"]);
    assert_eq!(a["description"], ["Atti amministrativi"]);
    assert_eq!(a["homepage"], ["https://atti.example.it"]);
    assert_eq!(a["license"], ["EUPL-1.2"]);
    assert_eq!(a["categories"], ["document-management"]);
    assert_eq!(a["repository"], ["https://github.com/x/atti"]);
    assert_eq!(a["tags"], ["t"]);
    assert_eq!(page.records[1].fields.len(), 1, "only the mapped url");
    assert_eq!(page.issues.len(), 2, "{:?}", page.issues);
    assert_eq!(page.issues[0].record_id.as_deref(), Some("b"));
    assert!(
        page.issues[0]
            .message
            .contains("invalid publiccode.yml: not valid YAML")
    );
    assert!(page.issues[1].message.contains("matched an object"));
}

#[test]
fn mapped_scalars_win_over_publiccode_and_lists_are_united() {
    let src = source(
        r#"
        url = "https://registry.test/v1/software"
        records = "$[*]"
        publiccode = "$.yml"
        [fields]
        name = "$.name"
        categories = "$.cats[*]"
        "#,
    );
    let body = serde_json::json!([{"name": "Mapped", "cats": ["a", "b"],
        "yml": "publiccodeYmlVersion: '0.2'\nname: From YAML\ncategories: [b, c]\n"}]);
    let page = parse_page(&src, &url("/x"), body.to_string().as_bytes(), true).unwrap();
    let f = &page.records[0].fields;
    assert_eq!(f["name"], ["Mapped"]);
    assert_eq!(f["categories"], ["a", "b", "c"]);
}

#[test]
fn publiccode_organisations_are_the_records_when_its_tables_find_none() {
    let yml = "publiccodeYmlVersion: '0.4'\nname: Atti\norganisation:\n  name: Comune di Prato\n  uri: urn:x-italian-pa:c_g999\nusedBy: [Comune di Firenze]\n";
    let body = serde_json::json!({"data": [
        {"id": "a", "publisher": {"name": "Comune di Prato (catalogue)"}, "publiccodeYml": yml},
        {"id": "b", "publiccodeYml": yml},
    ]});
    let with_table = source(
        r#"
        url = "https://registry.test/v1/software"
        records = "$.data"
        publiccode = "$.publiccodeYml"
        [fields]
        record_id = "$.id"
        [[organisations]]
        role = "develops"
        fields = { name = "$.publisher.name" }
        "#,
    );
    let page = parse_page(
        &with_table,
        &url("/v1/software"),
        body.to_string().as_bytes(),
        true,
    )
    .unwrap();
    let names = |r: &RawRecord| -> Vec<(String, String)> {
        r.organisations
            .iter()
            .map(|o| (o.role.clone().unwrap(), o.first("name").unwrap().to_owned()))
            .collect()
    };
    assert_eq!(
        names(&page.records[0]),
        [("develops".into(), "Comune di Prato (catalogue)".into())],
        "the table found one: the file's are not added"
    );
    assert_eq!(
        names(&page.records[1]),
        [
            ("develops".into(), "Comune di Prato".into()),
            ("uses".into(), "Comune di Firenze".into())
        ],
        "the table found none: the file's"
    );
    assert_eq!(
        page.records[1].organisations[0].first("ipa"),
        Some("c_g999")
    );
}
