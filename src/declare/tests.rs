//! Unit tests of `declare`: loading, validating and selecting source declarations.

use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<Declaration, Vec<DeclError>> {
    parse_declaration(Path::new("sources/demo.toml"), text)
}

fn first_error(text: &str) -> String {
    match parse(text) {
        Ok(d) => panic!("expected an error, got {d:?}"),
        Err(e) => e[0].to_string(),
    }
}

const GOOD_HTML: &str = r#"name = "Demo directory"
kind = "html"
start_urls = ["https://directory.test/tools/"]
item = "article.tool"
[fields]
name = "h2"
homepage = "a.site@href"
"#;

#[test]
fn valid_declaration_takes_defaults_from_file_stem() {
    let d = parse(GOOD_HTML).unwrap();
    assert_eq!(d.id, "demo");
    assert_eq!(d.name, "Demo directory");
    assert_eq!(d.role, Role::Create);
    assert_eq!(d.priority, 50);
    assert_eq!(d.rate, Rate::default());
    assert!(d.enabled);
}

#[test]
fn unknown_key_names_line_and_suggests() {
    let text = GOOD_HTML.replace("item = ", "selectr = \"x\"\nitem = ");
    let err = first_error(&text);
    assert!(
        err.contains("unknown key `selectr` for a source of kind `html`"),
        "{err}"
    );
    assert!(err.contains("sources/demo.toml:4:1"), "{err}");
    assert!(err.contains("selectr = \"x\""), "{err}");
}

#[test]
fn unknown_key_close_to_a_real_one_gets_a_suggestion() {
    let text = GOOD_HTML.replace("item = ", "next_pag = \"a\"\nitem = ");
    let err = first_error(&text);
    assert!(err.contains("did you mean `next_page`?"), "{err}");
}

#[test]
fn unknown_kind_is_rejected_with_the_list() {
    let err = first_error("kind = \"rss\"\nurl = \"https://x.test/\"\n");
    assert!(err.contains("unknown kind `rss`"), "{err}");
    assert!(err.contains("demo.toml:1:1"), "{err}");
    assert!(err.contains("json"), "{err}");
}

#[test]
fn missing_kind_is_rejected() {
    let err = first_error("name = \"x\"\n");
    assert!(err.contains("missing key `kind`"), "{err}");
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let err = first_error("kind = \"json\"\nurl = \"https://x.test/\n");
    assert!(err.contains("demo.toml:2:"), "{err}");
}

#[test]
fn bad_rate_and_role_and_id_are_all_reported() {
    let text = format!(
        "id = \"Bad_Id\"\nrole = \"destroy\"\nrate = {{ per_second = 0.0 }}\n{}",
        GOOD_HTML
    );
    let errs = parse(&text).unwrap_err();
    let all: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let all = all.join("\n");
    assert!(all.contains("invalid source id `Bad_Id`"), "{all}");
    assert!(all.contains("unknown role `destroy`"), "{all}");
    assert!(all.contains("`per_second` must be above 0"), "{all}");
}

#[test]
fn bad_selector_is_placed_at_its_key() {
    let text = GOOD_HTML.replace("name = \"h2\"", "name = \"h2[[\"");
    let err = first_error(&text);
    assert!(err.contains("fields.name"), "{err}");
    assert!(err.contains("demo.toml:6:1"), "{err}");
}

#[test]
fn duplicate_ids_across_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        format!("id = \"same\"\n{GOOD_HTML}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        format!("id = \"same\"\n{GOOD_HTML}"),
    )
    .unwrap();
    let errs = load_dir(dir.path()).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.contains("duplicate source id `same`"));
    assert!(errs[0].to_string().contains("a.toml"));
}

#[test]
fn only_selects_by_id_and_glob_and_rejects_unknown() {
    let dir = tempfile::tempdir().unwrap();
    for id in ["github-orgs", "github-topics", "dpga"] {
        std::fs::write(dir.path().join(format!("{id}.toml")), GOOD_HTML).unwrap();
    }
    let all = load_dir(dir.path()).unwrap();
    let picked = select(all, &["github-*".to_string()]).unwrap();
    let ids: Vec<&str> = picked.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["github-orgs", "github-topics"]);
    let all = load_dir(dir.path()).unwrap();
    let err = select(all, &["nope".to_string()]).unwrap_err();
    assert!(
        err.contains("`--only nope` matches no declared source"),
        "{err}"
    );
}

#[test]
fn glob_matches_stars_anywhere() {
    assert!(glob_match("*", "x"));
    assert!(glob_match("git*-orgs", "github-orgs"));
    assert!(!glob_match("git*-orgs", "github-topics"));
}

#[test]
fn an_id_space_is_read_and_checked() {
    assert_eq!(parse(GOOD_HTML).unwrap().id_space, None);
    let d = parse(&format!("id_space = \"sill\"\n{GOOD_HTML}")).unwrap();
    assert_eq!(d.id_space.as_deref(), Some("sill"));
    let err = first_error(&format!("id_space = \"SILL exports\"\n{GOOD_HTML}"));
    assert!(err.contains("invalid id space `SILL exports`"), "{err}");
    assert!(err.contains("demo.toml:1:1"), "{err}");
    let err = first_error(&format!("id_spaces = \"sill\"\n{GOOD_HTML}"));
    assert!(err.contains("did you mean `id_space`?"), "{err}");
}

#[test]
fn a_national_catalogue_states_its_country_as_an_iso_code() {
    assert_eq!(parse(GOOD_HTML).unwrap().country, None);
    let d = parse(&format!("country = \"FR\"\n{GOOD_HTML}")).unwrap();
    assert_eq!(d.country.as_deref(), Some("FR"));
    for bad in ["France", "XX", "fr"] {
        let err = first_error(&format!("country = \"{bad}\"\n{GOOD_HTML}"));
        assert!(err.contains(&format!("invalid country `{bad}`")), "{err}");
        assert!(err.contains("ISO 3166-1 alpha-2"), "{err}");
    }
}
