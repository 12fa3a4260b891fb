//! `json` declarations: every problem reported, naming its key.

use super::*;

#[test]
fn build_reports_every_problem_naming_its_key() {
    let errs = build_errors(
        r#"
        records = "$.data["
        next = "links.next"
        [fields]
        name = "$.na[me"
        colour = "$.colour"
        stars = 3
        "#,
    );
    assert_eq!(errs.len(), 6, "{errs:#?}");
    assert!(
        errs[0].starts_with("`url` or `urls` is required"),
        "{errs:#?}"
    );
    assert!(
        errs[1].starts_with("`records`: invalid JSONPath `$.data[`: "),
        "{errs:#?}"
    );
    assert!(
        errs[2].starts_with("`next`: invalid JSONPath `links.next`: "),
        "{errs:#?}"
    );
    let rest = &errs[3..];
    assert!(rest.iter().any(|e| e.starts_with(
        "`fields.colour`: unknown canonical field (expected one of record_id, name, description,"
    )));
    assert!(
        rest.iter()
            .any(|e| e == "`fields.stars`: expected a string, found integer")
    );
    assert!(
        rest.iter()
            .any(|e| e.starts_with("`fields.name`: invalid JSONPath `$.na[me`: "))
    );
}

#[test]
fn build_checks_urls() {
    let errs = build_errors(
        r#"
        urls = ["https://ok.test/a.json", "not a url", "ftp://files.test/x.json"]
        [fields]
        name = "$.name"
        "#,
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].starts_with("`urls[1]`: invalid URL `not a url`: "),
        "{errs:#?}"
    );
    assert!(errs[1].starts_with("`urls[2]`: invalid URL `ftp://files.test/x.json`: "));
    let errs = build_errors(
        r#"
        url = "https://a.test/"
        urls = ["https://b.test/"]
        [fields]
        name = "$.name"
        "#,
    );
    assert_eq!(
        errs,
        ["`url` and `urls` cannot both be given; put every URL in `urls`"]
    );
    assert_eq!(
        build_errors("url = \"https://a.test/\""),
        [
            "`fields` is required: a table mapping canonical fields, e.g. `[fields]` with `name = ...`"
        ]
    );
}

#[test]
fn offset_paging_needs_param_and_step() {
    let errs = build_errors(
        r#"
        url = "https://guide.test/x"
        offset = { param = "offset" }
        [fields]
        name = "$.title"
    "#,
    );
    assert!(
        errs[0].contains("`offset`: needs a `param` name and a positive `step`"),
        "{errs:?}"
    );
}
