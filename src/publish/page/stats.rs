//! The numbers behind the page's charts, counted from the `tools` rows: tools per category,
//! per country, per licence family, per source and first seen per month. Pure and
//! deterministic: ties are broken by label, so the same rows give the same numbers.
//!
//! A tool with several categories (countries, sources) counts once for each; a tool with
//! none counts in the `none stated` row, so the rows of a chart always account for every tool.

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::model::Tool;

/// The label of the row counting the tools that state no value.
pub(crate) const NONE_STATED: &str = "none stated";
/// How many countries the country chart shows before summing the rest in one row.
pub(crate) const TOP_COUNTRIES: usize = 20;
/// More months than this and the first-seen chart counts per year instead.
pub(crate) const MAX_MONTHS: usize = 240;

/// One row of a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    pub label: String,
    pub value: u64,
    /// A row that is not one value: `none stated`, `N more countries`.
    pub rest: bool,
}

impl Row {
    fn value(label: impl Into<String>, value: u64) -> Row {
        Row {
            label: label.into(),
            value,
            rest: false,
        }
    }

    fn rest(label: impl Into<String>, value: u64) -> Row {
        Row {
            label: label.into(),
            value,
            rest: true,
        }
    }
}

/// A licence family: how a licence lets the software be reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Family {
    PublicDomain,
    Permissive,
    WeakCopyleft,
    Copyleft,
    Other,
}

impl Family {
    pub(crate) const ALL: [Family; 5] = [
        Family::Copyleft,
        Family::WeakCopyleft,
        Family::Permissive,
        Family::PublicDomain,
        Family::Other,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Family::PublicDomain => "public domain",
            Family::Permissive => "permissive",
            Family::WeakCopyleft => "weak copyleft",
            Family::Copyleft => "copyleft",
            Family::Other => "other",
        }
    }

    /// The family of one SPDX licence id (no operators).
    fn of_id(id: &str) -> Family {
        let id = id.trim_end_matches('+');
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| id.starts_with(p));
        if starts(&["CC0", "Unlicense", "0BSD", "WTFPL", "PDDL", "CC-PDDC"]) {
            Family::PublicDomain
        } else if starts(&[
            "AGPL", "GPL", "EUPL", "OSL", "CECILL-2", "CECILL-1", "CC-BY-SA", "ODbL", "RPL", "SSPL",
        ]) {
            Family::Copyleft
        } else if starts(&[
            "LGPL", "MPL", "EPL", "CDDL", "CECILL-C", "CPL", "MS-RL", "LiLiQ-R",
        ]) {
            Family::WeakCopyleft
        } else if starts(&[
            "MIT",
            "Apache",
            "BSD",
            "ISC",
            "Zlib",
            "X11",
            "PostgreSQL",
            "Python",
            "PSF",
            "BSL",
            "Artistic",
            "CECILL-B",
            "etalab",
            "LO-",
            "OGL",
            "CC-BY-",
            "Unicode",
            "NCSA",
            "AFL",
            "ECL",
            "MS-PL",
            "ODC-By",
            "PHP",
            "Ruby",
            "UPL",
            "W3C",
            "Zope",
            "ZPL",
            "OFL",
        ]) && !starts(&["CC-BY-NC", "CC-BY-ND"])
        {
            Family::Permissive
        } else {
            Family::Other
        }
    }

    /// The family of an SPDX expression: with `OR` the most permissive choice, otherwise
    /// (one licence, `AND`) the most restrictive of its licences; `WITH` exceptions ignored.
    pub(crate) fn of(expression: &str) -> Family {
        let mut tokens = expression
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .filter(|t| !t.is_empty());
        let mut ids = Vec::new();
        let mut any_or = false;
        while let Some(t) = tokens.next() {
            match t {
                "OR" | "or" => any_or = true,
                "AND" | "and" => {}
                "WITH" | "with" => {
                    tokens.next();
                }
                id => ids.push(Family::of_id(id)),
            }
        }
        let pick = if any_or {
            ids.iter().copied().min()
        } else {
            ids.iter().copied().max()
        };
        pick.unwrap_or(Family::Other)
    }
}

/// Every chart's numbers.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub tools: u64,
    pub categories: Vec<Row>,
    pub countries: Vec<Row>,
    pub families: Vec<Row>,
    /// Each licence expression, its family and its tools: the families' table in detail.
    pub licences: Vec<(String, Family, u64)>,
    pub sources: Vec<Row>,
    /// `month` (`YYYY-MM`) or `year` (`YYYY`).
    pub period: &'static str,
    /// Every period from the first to the last, with zeros, then `none stated`.
    pub first_seen: Vec<Row>,
}

/// Counts `tools` for every chart.
pub(crate) fn stats(tools: &[&Tool]) -> Stats {
    let mut categories = Tally::default();
    let mut countries = Tally::default();
    let mut sources = Tally::default();
    let mut licences: BTreeMap<&str, u64> = BTreeMap::new();
    let mut unknown_licence = 0;
    let mut months: BTreeMap<(i32, u32), u64> = BTreeMap::new();
    let mut unseen = 0;
    for t in tools {
        categories.add(&t.categories);
        countries.add(&t.countries);
        sources.add(&t.sources);
        match t.license.as_deref().filter(|l| !l.is_empty()) {
            Some(l) => *licences.entry(l).or_default() += 1,
            None => unknown_licence += 1,
        }
        match &t.first_seen_at {
            Some(at) => *months.entry((at.year(), at.month())).or_default() += 1,
            None => unseen += 1,
        }
    }
    let mut family_counts: BTreeMap<Family, u64> = BTreeMap::new();
    let licences: Vec<(String, Family, u64)> = sorted(licences)
        .into_iter()
        .map(|(l, n)| {
            let family = Family::of(&l);
            *family_counts.entry(family).or_default() += n;
            (l, family, n)
        })
        .collect();
    let mut families: Vec<Row> = Family::ALL
        .into_iter()
        .filter_map(|f| family_counts.get(&f).map(|&n| Row::value(f.label(), n)))
        .collect();
    if unknown_licence > 0 {
        families.push(Row::rest(NONE_STATED, unknown_licence));
    }
    let (period, first_seen) = periods(&months, unseen);
    Stats {
        tools: tools.len() as u64,
        categories: categories.rows(usize::MAX, ""),
        countries: countries.rows(TOP_COUNTRIES, "more countries"),
        families,
        licences,
        sources: sources.rows(usize::MAX, ""),
        period,
        first_seen,
    }
}

/// Value counts of a list column, and the tools with an empty list.
#[derive(Default)]
struct Tally<'a> {
    counts: BTreeMap<&'a str, u64>,
    none: u64,
}

impl<'a> Tally<'a> {
    fn add(&mut self, values: &'a [String]) {
        if values.is_empty() {
            self.none += 1;
        }
        for v in values {
            *self.counts.entry(v.as_str()).or_default() += 1;
        }
    }

    /// The `top` largest counts (ties by label), one row summing the others (`N <more>`),
    /// then `none stated`.
    fn rows(self, top: usize, more: &str) -> Vec<Row> {
        let none = self.none;
        let all = sorted(self.counts);
        let mut rows: Vec<Row> = all
            .iter()
            .take(top)
            .map(|(l, n)| Row::value(l.clone(), *n))
            .collect();
        if all.len() > top {
            let others = &all[top..];
            let sum = others.iter().map(|(_, n)| n).sum();
            rows.push(Row::rest(format!("{} {more}", others.len()), sum));
        }
        if none > 0 {
            rows.push(Row::rest(NONE_STATED, none));
        }
        rows
    }
}

/// Counts by label, largest first, ties by label.
fn sorted(counts: BTreeMap<&str, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(l, n)| (l.to_string(), n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Every month from the first to the last (or every year, past [`MAX_MONTHS`]), then
/// `none stated` for tools never seen.
fn periods(months: &BTreeMap<(i32, u32), u64>, unseen: u64) -> (&'static str, Vec<Row>) {
    let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().next_back()) else {
        let rows = (unseen > 0).then(|| Row::rest(NONE_STATED, unseen));
        return ("month", rows.into_iter().collect());
    };
    let span = (last.0 - first.0) as i64 * 12 + i64::from(last.1) - i64::from(first.1) + 1;
    let mut rows = Vec::new();
    let period = if span as usize <= MAX_MONTHS {
        let (mut y, mut m) = first;
        while (y, m) <= last {
            let n = months.get(&(y, m)).copied().unwrap_or(0);
            rows.push(Row::value(format!("{y:04}-{m:02}"), n));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        "month"
    } else {
        for y in first.0..=last.0 {
            let n = months.range((y, 1)..=(y, 12)).map(|(_, n)| n).sum();
            rows.push(Row::value(format!("{y:04}"), n));
        }
        "year"
    };
    if unseen > 0 {
        rows.push(Row::rest(NONE_STATED, unseen));
    }
    (period, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_families_of_spdx_expressions() {
        let cases = [
            ("AGPL-3.0-only", Family::Copyleft),
            ("GPL-2.0-or-later", Family::Copyleft),
            ("EUPL-1.2", Family::Copyleft),
            ("LGPL-3.0-only", Family::WeakCopyleft),
            ("MPL-2.0", Family::WeakCopyleft),
            ("MIT", Family::Permissive),
            ("Apache-2.0", Family::Permissive),
            ("etalab-2.0", Family::Permissive),
            ("CC0-1.0", Family::PublicDomain),
            ("CC-BY-NC-4.0", Family::Other),
            ("LicenseRef-proprietary", Family::Other),
            ("MIT OR GPL-3.0-only", Family::Permissive),
            ("MIT AND GPL-3.0-only", Family::Copyleft),
            ("(Apache-2.0 WITH LLVM-exception)", Family::Permissive),
            (
                "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT",
                Family::Permissive,
            ),
        ];
        for (expression, family) in cases {
            assert_eq!(Family::of(expression), family, "{expression}");
        }
    }

    #[test]
    fn every_tool_counts_in_each_chart_and_months_have_no_gaps() {
        let tool = |cats: &[&str], license: Option<&str>, seen: Option<&str>| Tool {
            categories: cats.iter().map(|c| c.to_string()).collect(),
            license: license.map(str::to_string),
            first_seen_at: seen.map(|s| s.parse().unwrap()),
            ..Tool::default()
        };
        let tools = [
            tool(&["b", "a"], Some("MIT"), Some("2026-01-31T23:59:59Z")),
            tool(&["b"], Some("GPL-3.0-only"), Some("2026-03-01T00:00:00Z")),
            tool(&[], None, None),
        ];
        let refs: Vec<&Tool> = tools.iter().collect();
        let s = stats(&refs);
        let rows = |v: &[Row]| {
            v.iter()
                .map(|r| (r.label.clone(), r.value))
                .collect::<Vec<_>>()
        };
        let owned = |v: &[(&str, u64)]| {
            v.iter()
                .map(|(l, n)| (l.to_string(), *n))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rows(&s.categories),
            owned(&[("b", 2), ("a", 1), ("none stated", 1)])
        );
        assert_eq!(
            rows(&s.first_seen),
            owned(&[
                ("2026-01", 1),
                ("2026-02", 0),
                ("2026-03", 1),
                ("none stated", 1)
            ])
        );
        assert_eq!(
            rows(&s.families),
            owned(&[("copyleft", 1), ("permissive", 1), ("none stated", 1)])
        );
        assert_eq!(s.period, "month");
    }

    #[test]
    fn countries_beyond_the_top_twenty_are_summed_and_long_spans_count_years() {
        let tools: Vec<Tool> = (0..25u32)
            .map(|i| Tool {
                countries: vec![format!("C{i:02}")],
                first_seen_at: Some(format!("{}-06-01T00:00:00Z", 2000 + i).parse().unwrap()),
                ..Tool::default()
            })
            .collect();
        let refs: Vec<&Tool> = tools.iter().collect();
        let s = stats(&refs);
        assert_eq!(s.countries.len(), TOP_COUNTRIES + 1);
        let last = s.countries.last().unwrap();
        assert_eq!(
            (last.label.as_str(), last.value, last.rest),
            ("5 more countries", 5, true)
        );
        assert_eq!(s.period, "year");
        assert_eq!(s.first_seen.len(), 25);
        assert_eq!(s.first_seen[0].label, "2000");
    }
}
