//! `csv` kind: `kinds::csv::parse_csv` with fixed declarations (three dialects), over
//! arbitrary bytes and generated files: quotes, delimiters, BOMs, invalid UTF-8, ragged rows,
//! bare `\r` line ends.

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::select;
use url::Url;

use super::{byte_soup, bytes, check_record, config};
use crate::kinds::csv::{CsvSource, parse_csv};
use crate::kinds::{self, Source};

fn source(decl: &str) -> CsvSource {
    match kinds::build("csv", toml::from_str(decl).unwrap()).unwrap() {
        Source::Csv(s) => s,
        other => panic!("not a csv source: {other:?}"),
    }
}

/// Comma-separated, `"` quotes, `;` between list items (the defaults).
static COMMA: LazyLock<CsvSource> = LazyLock::new(|| {
    source(
        r#"
        url = "https://registry.test/tools.csv"
        [fields]
        record_id = "id"
        name = "name"
        homepage = "url"
        tags = "tags"
        description = "Description"
        "#,
    )
});

/// Semicolons, `'` quotes, list cells kept whole.
static SEMICOLON: LazyLock<CsvSource> = LazyLock::new(|| {
    source(
        r#"
        url = "https://registry.test/tools.csv"
        delimiter = ";"
        quote = "'"
        list_separator = ""
        [fields]
        name = "name"
        repository = "url"
        tags = "tags"
        "#,
    )
});

/// Tabs, a multi-character list separator.
static TAB: LazyLock<CsvSource> = LazyLock::new(|| {
    source(
        r#"
        url = "https://registry.test/tools.tsv"
        delimiter = "\t"
        list_separator = ", "
        [fields]
        name = "name"
        logo = "url"
        categories = "tags"
        "#,
    )
});

fn sources() -> impl Strategy<Value = &'static CsvSource> {
    prop_oneof![Just(&*COMMA), Just(&*SEMICOLON), Just(&*TAB)]
}

/// Pieces of cells: every dialect's delimiters and quotes, line ends, a BOM, invalid UTF-8.
const CELL_BITS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"'",
    b"\"\"",
    b"\r\n",
    b"\n",
    b"\r",
    b" ",
    b"a",
    b"Decidim",
    b"https://decidim.org",
    b"/relative/path",
    b"../x",
    b"?q=1",
    b"#top",
    b"\xc3\xa9",
    b"\xEF\xBB\xBF",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\x00",
    b"=cmd|' /C calc'!A0",
];

/// A dialect: the source, its delimiter, its quote and the columns it maps.
type Dialect = (&'static CsvSource, u8, u8, &'static [&'static str]);

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![
        Just((
            &*COMMA,
            b',',
            b'"',
            &["id", "name", "url", "tags", "Description"][..]
        )),
        Just((&*SEMICOLON, b';', b'\'', &["NAME", " url ", "tags"][..])),
        Just((&*TAB, b'\t', b'"', &["name", "url", "Tags"][..])),
    ]
}

/// Columns no source maps.
const OTHER_COLUMNS: &[&str] = &["other", "", "name2", "\u{feff}id", "a b"];

const LINE_ENDS: &[&[u8]] = &[b"\r\n", b"\n", b"\r"];

/// One line of `cells` in the dialect, each cell bare, quoted (quotes doubled), quoted with
/// the other quote character, or opened and never closed; mostly ended by a line end.
fn line(cells: Vec<(Vec<u8>, u8)>, delimiter: u8, quote: u8, end: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (cell, quoting)) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        match quoting {
            0..=3 => out.extend(cell),
            4..=6 => {
                out.push(quote);
                for b in cell {
                    if b == quote {
                        out.push(quote);
                    }
                    out.push(b);
                }
                out.push(quote);
            }
            7 => {
                out.push(b'"');
                out.extend(cell);
                out.push(b'\'');
            }
            _ => {
                out.push(quote);
                out.extend(cell);
            }
        }
    }
    out.extend_from_slice(end);
    out
}

/// A whole file in a dialect: maybe BOMs, a header naming the mapped columns and others in
/// any order, then rows with as many cells as the header, or a few more or fewer.
fn file() -> impl Strategy<Value = (&'static CsvSource, Vec<u8>)> {
    let header = dialect().prop_flat_map(|d| {
        let columns = prop::sample::subsequence(OTHER_COLUMNS, 0..=OTHER_COLUMNS.len())
            .prop_map(move |others| [d.3, &others[..]].concat())
            .prop_shuffle();
        (Just(d), columns)
    });
    (
        header,
        0..3usize,
        prop::collection::vec(
            (
                prop::collection::vec((byte_soup(CELL_BITS, 4), 0..9u8), 0..9),
                select(LINE_ENDS),
            ),
            0..10,
        ),
        select(LINE_ENDS),
        any::<bool>(),
    )
        .prop_map(
            |(((src, delimiter, quote, _), columns), boms, rows, end, ragged)| {
                let mut out = b"\xEF\xBB\xBF".repeat(boms);
                let header: Vec<(Vec<u8>, u8)> =
                    columns.iter().map(|c| (c.as_bytes().to_vec(), 0)).collect();
                let width = header.len();
                out.extend(line(header, delimiter, quote, end));
                for (mut cells, end) in rows {
                    if !ragged {
                        cells.resize_with(width, || (Vec::new(), 0));
                    }
                    out.extend(line(cells, delimiter, quote, end));
                }
                (src, out)
            },
        )
}

/// Runs `parse_csv` and checks what it returns.
fn check(src: &CsvSource, body: &[u8]) {
    let url = src.urls()[0].clone();
    let Ok(doc) = parse_csv(src, &url, body) else {
        return;
    };
    for record in &doc.records {
        check_record(record, &url);
    }
    // Every record after the header starts after a line end.
    let line_ends = body.iter().filter(|b| matches!(b, b'\n' | b'\r')).count();
    assert!(
        doc.records.len() <= line_ends,
        "{} records from {line_ends} line ends",
        doc.records.len()
    );
    // Invalid UTF-8 (after one BOM) is replaced and reported, never silently.
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if std::str::from_utf8(text).is_err() {
        assert!(
            doc.issues
                .iter()
                .any(|i| i.message.contains("invalid UTF-8")),
            "{:?}",
            doc.issues
        );
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_csv_never_panics_on_arbitrary_bytes(src in sources(), body in bytes(2048)) {
        check(src, &body);
    }

    #[test]
    fn parse_csv_never_panics_on_cell_soup(src in sources(), body in byte_soup(CELL_BITS, 96)) {
        check(src, &body);
    }

    #[test]
    fn parse_csv_keeps_clean_records_over_generated_files((src, body) in file()) {
        check(src, &body);
    }
}

#[test]
fn a_file_of_line_ends_or_boms_only_has_no_header() {
    for body in [
        &b""[..],
        b"\r\n\r\n",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB\xBF\xEF\xBB\xBF\n",
        b"\r",
    ] {
        let url = Url::parse("https://registry.test/tools.csv").unwrap();
        assert!(parse_csv(&COMMA, &url, body).is_err(), "{body:?}");
    }
}
