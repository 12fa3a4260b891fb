//! Unit tests of `csv`.

use super::*;
use crate::kinds::testutil::{BASE, FakePages, Reply, block_on, fixture_bytes, url};

const CODEGOUV: &str = r#"
    url = "https://registry.test/data/codegouvfr-repositories.csv"
    list_separator = ","
    [fields]
    record_id = "repository_url"
    name = "name"
    description = "description"
    homepage = "homepage"
    repository = "repository_url"
    license = "license"
    programming_languages = "language"
    tags = "topics"
    organizations = "organization_name"
    stars = "stars_count"
    archived = "is_archived"
    created_at = "creation_date"
"#;

fn source(toml_text: &str) -> CsvSource {
    build(toml::from_str(toml_text).unwrap()).unwrap()
}

fn codegouv_doc() -> CsvDoc {
    let body = fixture_bytes("csv", "codegouvfr-repositories.csv");
    let doc_url = url("/data/codegouvfr-repositories.csv");
    parse_csv(&source(CODEGOUV), &doc_url, &body).unwrap()
}

#[test]
fn codegouvfr_rows_give_fields_with_quoted_commas_and_newlines() {
    let doc = codegouv_doc();
    assert_eq!(doc.records.len(), 4, "five rows, one unparseable");
    let transport = &doc.records[0];
    assert_eq!(
        transport.record_id,
        "https://github.com/etalab/transport-site"
    );
    assert_eq!(
        transport.all("description"),
        ["Le Point d'Accès National aux données de transport, en open data. Site et API."]
    );
    assert_eq!(transport.all("tags"), ["transport", "opendata", "gtfs"]);
    assert_eq!(
        transport.all("organizations"),
        ["etalab"],
        "one-element list"
    );
    assert_eq!(transport.all("stars"), ["102"]);
    assert_eq!(transport.all("archived"), ["false"]);
    assert_eq!(transport.all("created_at"), ["2017-03-01T10:12:05Z"]);
    assert_eq!(
        transport.all("repository"),
        ["https://github.com/etalab/transport-site"]
    );

    let mes_aides = &doc.records[1];
    assert_eq!(
        mes_aides.all("description"),
        ["Simulateur d'aides sociales \"mes-aides\""]
    );
    assert!(!mes_aides.fields.contains_key("homepage"), "empty cell");
    assert!(!mes_aides.fields.contains_key("license"));
    assert!(!mes_aides.fields.contains_key("tags"));
    assert_eq!(mes_aides.all("archived"), ["true"]);

    let openfisca = &doc.records[2];
    assert_eq!(
        openfisca.all("tags"),
        ["microsimulation", "tax", "benefits"]
    );
    assert_eq!(
        openfisca.all("homepage"),
        ["www.openfisca.fr"],
        "bare domain kept"
    );
}

#[test]
fn a_short_row_is_an_issue_naming_its_line() {
    let doc = codegouv_doc();
    assert_eq!(doc.issues.len(), 1, "{:?}", doc.issues);
    assert_eq!(
        doc.issues[0].message,
        "line 5: row has 6 fields, the header has 21; row skipped"
    );
}

#[test]
fn line_numbers_count_lf_and_crlf_files_alike() {
    let src = source("url = \"https://registry.test/x.csv\"\n[fields]\nname = \"name\"");
    for body in ["name,x\na,1\nb\nc,3\n", "name,x\r\na,1\r\nb\r\nc,3\r\n"] {
        let doc = parse_csv(&src, &url("/x.csv"), body.as_bytes()).unwrap();
        assert_eq!(doc.records.len(), 2);
        assert!(
            doc.issues[0]
                .message
                .starts_with("line 3: row has 1 fields"),
            "{:?}",
            doc.issues
        );
    }
}

#[test]
fn bom_is_stripped_and_columns_match_case_insensitively() {
    let src = source(
        r#"
        url = "https://registry.test/x.csv"
        [fields]
        record_id = "ID"
        name = "Name"
        "#,
    );
    let body = fixture_bytes("csv", "codegouvfr-repositories.csv");
    let doc = parse_csv(&src, &url("/x.csv"), &body).unwrap();
    assert_eq!(doc.records[0].record_id, "83465921");
    assert_eq!(doc.records[0].all("name"), ["transport-site"]);
}

#[test]
fn walk_keeps_the_first_of_a_repeated_id() {
    let csv_url = format!("{BASE}/data/codegouvfr-repositories.csv");
    let pages = FakePages::default().body(
        &csv_url,
        fixture_bytes("csv", "codegouvfr-repositories.csv"),
    );
    let harvest = block_on(walk(&source(CODEGOUV), &pages)).unwrap();
    assert_eq!(harvest.records.len(), 3);
    assert_eq!(harvest.issues.len(), 2);
    assert!(
        harvest.issues[1]
            .message
            .starts_with("duplicate record id `https://github.com/etalab/transport-site`")
    );
    assert!(
        harvest.records[0]
            .first("description")
            .unwrap()
            .starts_with("Le Point")
    );
}

#[test]
fn a_missing_column_fails_naming_the_url_column_and_header() {
    let src = source(
        r#"
        url = "https://registry.test/x.csv"
        [fields]
        name = "nom"
        "#,
    );
    let body = fixture_bytes("csv", "header-only.csv");
    let err = parse_csv(&src, &url("/x.csv"), &body)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "https://registry.test/x.csv: column `nom` (mapped by `fields.name`) is not in the header: `id`, `name`, `organization_name`,"
        ),
        "{err}"
    );
    let err = parse_csv(&src, &url("/x.csv"), b"")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "https://registry.test/x.csv: no header row (the file is empty)"
    );
}

#[test]
fn header_only_gives_no_records() {
    let body = fixture_bytes("csv", "header-only.csv");
    let doc = parse_csv(&source(CODEGOUV), &url("/x.csv"), &body).unwrap();
    assert!(doc.records.is_empty() && doc.issues.is_empty());
}

#[test]
fn latin1_semicolon_export_is_read_lossily_with_an_issue() {
    let src = source(
        r#"
        url = "https://registry.test/sill.csv"
        delimiter = ";"
        [fields]
        name = "logiciel"
        license = "Licence"
        categories = "COMPOSANT"
        "#,
    );
    let body = fixture_bytes("csv", "sill-2019-latin1.csv");
    let doc = parse_csv(&src, &url("/sill.csv"), &body).unwrap();
    assert_eq!(doc.records.len(), 2);
    assert_eq!(doc.records[0].all("name"), ["KeePass"]);
    assert_eq!(doc.records[0].all("license"), ["GPL2"]);
    assert_eq!(
        doc.records[1].all("categories"),
        ["consultation et \u{FFFD}dition de documents"]
    );
    assert_eq!(doc.issues.len(), 1);
    assert!(doc.issues[0].message.starts_with("invalid UTF-8 at line 1"));
}

#[test]
fn robots_refusal_skips_one_file() {
    let src = source(
        r#"
        urls = ["https://registry.test/a.csv", "https://registry.test/b.csv"]
        [fields]
        name = "name"
        "#,
    );
    let pages = FakePages::default()
        .with(&format!("{BASE}/a.csv"), Reply::Disallowed)
        .body(&format!("{BASE}/b.csv"), "name\nDecidim\n");
    let harvest = block_on(walk(&src, &pages)).unwrap();
    assert_eq!(harvest.robots_skipped, [format!("{BASE}/a.csv")]);
    assert_eq!(harvest.records.len(), 1);
}

#[test]
fn build_reports_every_problem_naming_its_key() {
    let errs = build(
        toml::from_str(
            r#"
            delimiter = ";;"
            quote = 1
            [fields]
            nom = "nom"
            "#,
        )
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(errs[0].starts_with("`url` or `urls` is required"));
    assert!(errs[1].starts_with("`fields.nom`: unknown canonical field (expected one of"));
    assert_eq!(
        errs[2],
        "`delimiter`: expected one ASCII character such as `,`, `;` or `\\t`, found `;;`"
    );
    assert_eq!(errs[3], "`quote`: expected a string, found integer");
}

#[test]
fn a_row_names_its_organisation_in_the_role_the_table_states() {
    let text = format!(
        "{CODEGOUV}\n[[organisations]]\nrole = \"develops\"\nfields = {{ name = \"organization_name\" }}\n"
    );
    let body = fixture_bytes("csv", "codegouvfr-repositories.csv");
    let doc = parse_csv(&source(&text), &url("/data/x.csv"), &body).unwrap();
    let transport = &doc.records[0];
    assert_eq!(transport.organisations.len(), 1);
    assert_eq!(transport.organisations[0].role.as_deref(), Some("develops"));
    assert_eq!(transport.organisations[0].first("name"), Some("etalab"));
    // A column the header lacks fails the file, naming the table.
    let bad = format!("{CODEGOUV}\n[[use_cases]]\nfields = {{ url = \"deployment_url\" }}\n");
    let err = parse_csv(&source(&bad), &url("/data/x.csv"), &body).unwrap_err();
    assert!(
        err.to_string().contains("`use_cases[0].fields.url`"),
        "{err}"
    );
    // No `each` in a csv source: one of each per row.
    let each = format!(
        "{CODEGOUV}\n[[organisations]]\nrole = \"uses\"\neach = \"x\"\nfields = {{ name = \"name\" }}\n"
    );
    let errs = build(toml::from_str(&each).unwrap()).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("has no `each`")), "{errs:?}");
}
