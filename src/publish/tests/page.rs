//! The download page (`index.html`) and the overview (`output/index.html`): every file with
//! its size, chart numbers equal to counts from `tools.csv`, escaping, and the overview kept
//! in step with publish and prune.

use std::collections::BTreeMap;

use super::*;
use crate::publish::{INDEX_HTML, prune};

/// The values of `attr="…"` in `text`, in order, unescaped.
fn attr_values(text: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    text.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            unescape(&rest[..rest.find('"').unwrap()])
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of the chart figure `key`.
fn figure<'a>(page: &'a str, key: &str) -> &'a str {
    let start = page.find(&format!("data-chart=\"{key}\"")).unwrap();
    let end = start + page[start..].find("</figure>").unwrap();
    &page[start..end]
}

/// (label, value) of the table behind a chart.
fn chart_table(page: &str, key: &str) -> Vec<(String, u64)> {
    let fig = figure(page, key);
    let table = &fig[fig.find("<table").unwrap()..];
    let labels = attr_values(table, "data-label");
    let values = attr_values(table, "data-value");
    labels
        .into_iter()
        .zip(values.iter().map(|v| v.parse().unwrap()))
        .collect()
}

/// (label, value) of the bars drawn.
fn chart_bars(page: &str, key: &str) -> Vec<(String, u64)> {
    let fig = figure(page, key);
    let svg = &fig[..fig.find("</svg>").unwrap()];
    let labels = attr_values(svg, "data-label");
    let values = attr_values(svg, "data-value");
    labels
        .into_iter()
        .zip(values.iter().map(|v| v.parse().unwrap()))
        .collect()
}

/// Counts of a `;`-list column of `tools.csv`, largest first then by label, then `none stated`.
fn list_counts(rows: &[BTreeMap<String, String>], column: &str) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut none = 0;
    for row in rows {
        if row[column].is_empty() {
            none += 1;
        }
        for v in row[column].split(';').filter(|v| !v.is_empty()) {
            *counts.entry(v.to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if none > 0 {
        v.push(("none stated".into(), none));
    }
    v
}

fn tools_csv(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = ::csv::Reader::from_path(dir.join("tools.csv")).unwrap();
    reader.deserialize().map(|r| r.unwrap()).collect()
}

#[test]
fn the_page_lists_every_file_with_its_size_and_hash() {
    let (_out, dir) = published("2026-11-26T030000Z");
    let page = fs::read_to_string(dir.join(INDEX_HTML)).unwrap();
    let files = attr_values(&page, "data-file");
    let bytes = attr_values(&page, "data-bytes");
    let digests = crate::publish::checksums::digests(&dir);
    let mut expected: Vec<&str> = RELEASE_FILES
        .into_iter()
        .filter(|f| *f != INDEX_HTML)
        .collect();
    let mut listed: Vec<&str> = files.iter().map(String::as_str).collect();
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected);
    for (file, size) in files.iter().zip(&bytes) {
        if matches!(file.as_str(), "datapackage.json" | "SHA256SUMS") {
            assert_eq!(size, "", "{file} is written after the page");
            continue;
        }
        let d = &digests[file];
        assert_eq!(size, &d.bytes.to_string(), "{file}");
        assert!(
            page.contains(&format!("<code class=\"hash\">{}</code>", d.sha256)),
            "{file}"
        );
        assert!(
            page.contains(&format!("<a href=\"{file}\" download>")),
            "{file}"
        );
    }
    // The page itself is in SHA256SUMS and datapackage.json like every other file.
    let sums = fs::read_to_string(dir.join(SHA256SUMS)).unwrap();
    assert!(sums.contains(&format!("{}  index.html\n", digests[INDEX_HTML].sha256)));
    let rows: Vec<String> = attr_values(&page, "data-rows");
    assert_eq!(rows, ["3", "3", "2", "2", "2", "1"]);
}

#[test]
fn chart_numbers_match_tools_csv() {
    let (_out, dir) = published("2026-11-26T030000Z");
    let page = fs::read_to_string(dir.join(INDEX_HTML)).unwrap();
    let rows = tools_csv(&dir);
    for (key, column) in [
        ("category", "categories"),
        ("country", "countries"),
        ("source", "sources"),
    ] {
        let expected = list_counts(&rows, column);
        assert_eq!(chart_table(&page, key), expected, "{key}");
        assert_eq!(chart_bars(&page, key), expected, "{key} bars");
    }
    assert_eq!(
        chart_table(&page, "category"),
        [
            ("consultation".into(), 1),
            ("participation".into(), 1),
            ("none stated".into(), 2)
        ]
    );
    // Licence families: each licence's count from tools.csv, summed by the family the page
    // gives it.
    let licences = attr_values(&page, "data-licence");
    let families = attr_values(&page, "data-family");
    let mut by_family: BTreeMap<String, u64> = BTreeMap::new();
    for (licence, family) in licences.iter().zip(&families) {
        let n = rows.iter().filter(|r| &r["license"] == licence).count() as u64;
        *by_family.entry(family.clone()).or_default() += n;
    }
    let unknown = rows.iter().filter(|r| r["license"].is_empty()).count() as u64;
    by_family.insert("none stated".into(), unknown);
    let drawn: BTreeMap<String, u64> = chart_table(&page, "licence").into_iter().collect();
    assert_eq!(drawn, by_family);
    assert_eq!(drawn["copyleft"], 1);
    // First seen: per month, and the tools never seen.
    let mut months: BTreeMap<String, u64> = BTreeMap::new();
    for r in &rows {
        let month = r["first_seen_at"]
            .get(..7)
            .unwrap_or("none stated")
            .to_string();
        *months.entry(month).or_default() += 1;
    }
    let drawn: BTreeMap<String, u64> = chart_table(&page, "first-seen").into_iter().collect();
    assert_eq!(drawn, months);
}

#[test]
fn values_from_the_data_are_escaped_and_only_web_urls_are_links() {
    let mut release = sample("r1");
    let hostile = "<script>alert(1)</script>";
    let tool = &mut release.tools[1];
    tool.name = Some(hostile.into());
    tool.homepage_url = Some("javascript:alert(1)".into());
    tool.description = Some("</td></tr></table><img src=x onerror=alert(1)>".into());
    tool.categories = vec!["\"><svg onload=alert(1)>".into()];
    tool.license = Some("MIT' onmouseover='alert(1)".into());
    release.sources[0].name = "<b>bold</b>".into();
    release.sources[0].urls = vec!["data:text/html,<script>x</script>".into()];
    release.sources[0].error = Some("<iframe src=//x>".into());
    let out = tempfile::tempdir().unwrap();
    let dir = publish(&release, out.path()).unwrap();
    let page = fs::read_to_string(dir.join(INDEX_HTML)).unwrap();
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    for bad in [
        "<img",
        "<svg onload",
        "<b>bold",
        "<iframe",
        "javascript:",
        "data:text",
        "' onmouseover",
    ] {
        assert!(!page.contains(bad), "{bad} is not escaped");
    }
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("MIT&#39; onmouseover=&#39;alert(1)"));
}

#[test]
fn the_page_names_the_previous_release_and_what_changed() {
    let out = tempfile::tempdir().unwrap();
    publish(&sample("2026-11-25T030000Z"), out.path()).unwrap();
    let mut next = sample("2026-11-26T030000Z");
    next.tools.retain(|t| t.id != "ct_bbbbbbbbbbbb");
    let dir = publish(&next, out.path()).unwrap();
    let page = fs::read_to_string(dir.join(INDEX_HTML)).unwrap();
    assert!(
        page.contains("<a href=\"../2026-11-25T030000Z/index.html\">"),
        "{page}"
    );
    assert!(page.contains("data-added=\"0\" data-removed=\"1\" data-changed=\"0\""));
    assert!(page.contains("<li><code class=\"id\">ct_bbbbbbbbbbbb</code></li>"));
    // dpga is stale in the sample: named in the summary, with its error.
    assert!(page.contains("1 of 2 sources not ok</span> (dpga)"));
    assert!(page.contains("data-source=\"dpga\" data-status=\"stale\""));
    assert!(page.contains("HTTP 503"));
}

#[test]
fn the_overview_lists_the_releases_kept_after_publish_and_prune() {
    let out = tempfile::tempdir().unwrap();
    let ids = [
        "2026-11-25T030000Z",
        "2026-11-26T030000Z",
        "2026-11-27T030000Z",
    ];
    for id in ids {
        publish(&sample(id), out.path()).unwrap();
        let overview = fs::read_to_string(out.path().join(INDEX_HTML)).unwrap();
        assert!(overview.contains(&format!("href=\"latest/index.html\">{id}</a>")));
    }
    let overview = fs::read_to_string(out.path().join(INDEX_HTML)).unwrap();
    assert_eq!(
        attr_values(&overview, "data-release"),
        [ids[2], ids[1], ids[0]]
    );
    prune(out.path(), 2).unwrap();
    let overview = fs::read_to_string(out.path().join(INDEX_HTML)).unwrap();
    assert_eq!(attr_values(&overview, "data-release"), [ids[2], ids[1]]);
    let names = sorted_files(out.path());
    assert_eq!(
        names,
        [INDEX_HTML, LATEST, "releases"],
        "no temporary file left"
    );
}

#[test]
fn a_large_catalogue_shows_the_first_tools_by_name_and_says_so() {
    let mut release = sample("r1");
    let template = release.tools[2].clone();
    release.tools = (0..crate::publish::page::TABLE_ROWS + 5)
        .map(|i| Tool {
            id: format!("ct_{i:012}"),
            name: Some(format!("tool {:05}", 99_999 - i)),
            ..template.clone()
        })
        .collect();
    let out = tempfile::tempdir().unwrap();
    let dir = publish(&release, out.path()).unwrap();
    let page = fs::read_to_string(dir.join(INDEX_HTML)).unwrap();
    assert!(page.contains("The first 1,000 of 1,005 tools by name"));
    let table = &page[page.find("<table id=\"tools\"").unwrap()..];
    assert_eq!(table.matches("<tr><td").count(), 1000);
    let first = table.find("tool 98995").unwrap();
    assert!(first < table.find("tool 98996").unwrap());
    assert!(
        !table.contains("tool 99999"),
        "the last by name are left out"
    );
}

/// WCAG 2 contrast ratio of two `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn every_text_colour_meets_wcag_aa_on_every_background() {
    let style = crate::publish::page::STYLE;
    let var = |name: &str| -> String {
        let at = style
            .find(&format!("--{name}:"))
            .unwrap_or_else(|| panic!("--{name}"));
        let value: String = style[at + name.len() + 3..]
            .chars()
            .take_while(|c| *c != ';' && *c != '}')
            .collect();
        match value.len() {
            // `#fff` is `#ffffff`.
            4 => value.chars().flat_map(|c| [c, c]).skip(1).collect(),
            _ => value,
        }
    };
    for text in ["ink", "muted", "link", "ok", "bad"] {
        for background in ["paper", "tint"] {
            let ratio = contrast(&var(text), &var(background));
            assert!(
                ratio >= 4.5,
                "--{text} on --{background}: {ratio:.2}:1, under WCAG AA's 4.5:1"
            );
        }
    }
    // The bars (the rest of a chart's values in grey) against the page: graphics, 3:1.
    for bar in ["bar", "rest"] {
        assert!(contrast(&var(bar), &var("paper")) >= 3.0, "--{bar}");
    }
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 0.01);
}
