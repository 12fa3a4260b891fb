//! `[[organisations]]` and `[[use_cases]]` of an `html` source: deployments listed inside
//! each item of a directory of participatory platforms, and on a platform's installations
//! page.

use super::*;
use crate::model::RawPart;

/// Deployments listed inside each item (no `detail`).
const PLATFORMS: &str = r#"
    start_urls = ["https://registry.test/platforms/"]
    item = "article.platform"
    [fields]
    record_id = "@data-slug"
    name = "h2"
    description = "p.summary"
    [[organisations]]
    role = "develops"
    fields = { name = "p.maker a", website = "p.maker a@href" }
    [[use_cases]]
    each = "ul.deployments li"
    fields = { title = "a", url = "a@href", country = "@data-country" }
"#;

/// The same directory read from each platform's installations page.
const INSTALLATIONS: &str = r#"
    start_urls = ["https://registry.test/platforms/"]
    item = "article.platform"
    detail = "a.details"
    [fields]
    name = "h1.name"
    [[organisations]]
    role = "develops"
    fields = { name = "p.maker a.developer", website = "p.maker a.developer@href" }
    [[organisations]]
    role = "funds"
    each = "ul.funders li"
    fields = { name = "a", website = "a@href" }
    [[organisations]]
    role = "uses"
    each = "table.installations tbody tr"
    fields = { name = "td.organisation", country = "td.country" }
    [[use_cases]]
    each = "table.installations tbody tr"
    fields = { title = "td.installation", url = "td.installation a@href", organisation = "td.organisation", country = "@data-country" }
"#;

/// (title, url, organisation, country) of each use case.
fn cases(parts: &[RawPart]) -> Vec<[Option<&str>; 4]> {
    parts
        .iter()
        .map(|p| ["title", "url", "organisation", "country"].map(|f| p.first(f)))
        .collect()
}

/// (role, name, website or country) of each organisation.
fn orgs<'a>(parts: &'a [RawPart], third: &str) -> Vec<(&'a str, &'a str, Option<&'a str>)> {
    parts
        .iter()
        .map(|p| {
            (
                p.role.as_deref().unwrap(),
                p.first("name").unwrap(),
                p.first(third),
            )
        })
        .collect()
}

#[test]
fn each_item_names_its_developer_and_the_deployments_it_lists() {
    let page_url = url("/platforms/");
    let body = fixture_bytes("html", "platforms-list.html");
    let listing = parse_listing(&source(PLATFORMS), &page_url, &body).unwrap();
    assert!(listing.issues.is_empty(), "{:?}", listing.issues);
    let records = records(listing);
    assert_eq!(records.len(), 3);
    let decidim = &records[0];
    assert_eq!(
        orgs(&decidim.organisations, "website"),
        [(
            "develops",
            "Decidim Free Software Association",
            Some("https://decidim.org/association/")
        )]
    );
    assert_eq!(
        cases(&decidim.use_cases),
        [
            [
                Some("Decidim Barcelona"),
                Some("https://www.decidim.barcelona/"),
                None,
                Some("ES")
            ],
            [
                Some("OmaStadi"),
                Some("https://omastadi.hel.fi/"),
                None,
                Some("FI")
            ],
        ],
        "`@data-country` is the attribute of each `li` itself"
    );
    let consul = &records[1];
    assert_eq!(
        cases(&consul.use_cases),
        [
            [
                Some("Decide Madrid"),
                Some("https://decide.madrid.es/"),
                None,
                Some("ES")
            ],
            [
                Some("Montevideo Decide"),
                Some("https://montevideodecide.uy/"),
                None,
                Some("UY")
            ],
        ],
        "a protocol-relative link resolves; a deployment listed twice is one"
    );
    assert_eq!(
        consul.organisations[0].first("name"),
        Some("CONSUL Democracy Foundation")
    );
    let priorities = &records[2];
    assert!(priorities.organisations.is_empty() && priorities.use_cases.is_empty());
}

#[test]
fn with_detail_pages_the_tables_read_the_detail_page() {
    let src = source(INSTALLATIONS);
    let listed = url("/platforms/decidim/installations");
    let body = fixture_bytes("html", "platform-decidim-installations.html");
    let (record, issues) = parse_detail(&src, &listed, &listed, &body);
    assert!(issues.is_empty(), "{issues:?}");
    let record = record.unwrap();
    assert_eq!(record.first("name"), Some("Decidim"));
    assert_eq!(
        orgs(&record.organisations, "website"),
        [
            (
                "develops",
                "Decidim Free Software Association",
                Some("https://decidim.org/association/")
            ),
            (
                "funds",
                "Ajuntament de Barcelona",
                Some("https://www.barcelona.cat/")
            ),
            (
                "funds",
                "Generalitat de Catalunya",
                Some("https://www.gencat.cat/")
            ),
            ("uses", "Ajuntament de Barcelona", None),
            ("uses", "City of Helsinki", None),
            ("uses", "Gobierno de la Ciudad de México", None),
            ("uses", "Generalitat de Catalunya", None),
        ],
        "a row without an organisation names none; one listed twice is one"
    );
    assert_eq!(record.organisations[4].first("country"), Some("Finland"));
    assert_eq!(
        cases(&record.use_cases),
        [
            [
                Some("Decidim Barcelona"),
                Some("https://www.decidim.barcelona/"),
                Some("Ajuntament de Barcelona"),
                Some("ES")
            ],
            [
                Some("OmaStadi"),
                Some("https://omastadi.hel.fi/"),
                Some("City of Helsinki"),
                Some("FI")
            ],
            [
                Some("Plaza Pública"),
                Some("https://plazapublica.cdmx.gob.mx/"),
                Some("Gobierno de la Ciudad de México"),
                Some("MX")
            ],
            [
                Some("Participa Gencat"),
                None,
                Some("Generalitat de Catalunya"),
                Some("ES")
            ],
            [
                Some("Denk mee"),
                Some("https://denkmee.example.nl/"),
                None,
                Some("NL")
            ],
        ]
    );
    // Through the walk: the listing's own deployments are not read, the detail page's are.
    let pages = FakePages::default()
        .body(
            &format!("{BASE}/platforms/"),
            fixture_bytes("html", "platforms-list.html"),
        )
        .body(&format!("{BASE}/platforms/decidim/installations"), body)
        .with(
            &format!("{BASE}/platforms/consul/installations"),
            Reply::Status(404),
        )
        .with(
            &format!("{BASE}/platforms/your-priorities/installations"),
            Reply::Status(404),
        );
    let h = block_on(walk(&src, &pages, 10)).unwrap();
    assert_eq!(h.records.len(), 1, "{:?}", h.issues);
    assert_eq!(h.records[0].use_cases.len(), 5);
}

#[test]
fn bad_part_tables_are_reported_with_their_key() {
    let base = "start_urls = [\"https://x.test/\"]\nitem = \"li\"\n[fields]\nname = \"h2\"\n";
    let cases = [
        (
            "[[use_cases]]\neach = \"@href\"\nfields = { url = \"@href\" }\n",
            "`use_cases[0].each`: expected a CSS selector of elements, without `@attribute`",
        ),
        (
            "[[use_cases]]\neach = \"tr@data-country\"\nfields = { url = \"a@href\" }\n",
            "`use_cases[0].each`: expected a CSS selector of elements",
        ),
        (
            "[[organisations]]\nrole = \"uses\"\neach = \"tr..x\"\nfields = { name = \"td\" }\n",
            "`organisations[0].each`: invalid CSS selector `tr..x`",
        ),
        (
            "[[organisations]]\nrole = \"uses\"\nfields = { name = \"td..org\" }\n",
            "`organisations[0].fields.name`: invalid CSS selector `td..org`",
        ),
        (
            "[[organisations]]\nfields = { name = \"td\" }\n",
            "`organisations[0].role` is required",
        ),
        (
            "[[use_cases]]\nfields = { city = \"td.city\" }\n",
            "`use_cases[0].fields.city`: unknown field",
        ),
    ];
    for (table, expected) in cases {
        let errs = build_errors(&format!("{base}{table}"));
        assert!(
            errs.iter().any(|e| e.starts_with(expected)),
            "{table}: {errs:?}"
        );
    }
}
