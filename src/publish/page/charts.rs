//! The page's charts as inline SVG, drawn here from [`super::stats`] (no script, no chart
//! library). Each chart is a `<figure>`: the SVG (`role="img"`, with `<title>` and `<desc>`)
//! and, as its text alternative, a `<table>` of the same numbers in a `<details>`.
//!
//! The SVGs have no `viewBox`: they are as wide as the page (`width="100%"`) with x in
//! percent and text in CSS pixels, so labels stay readable at 320 px instead of shrinking.
//! Bars and table cells carry `data-label` / `data-value`, which `scripts/check_page.py`
//! compares with `tools.csv`.

use std::fmt::Write as _;

use super::html::{esc, int, truncate};
use super::stats::Row;

/// Characters of a label drawn in a bar chart; the table and the bar's tooltip hold it whole.
const LABEL_CHARS: usize = 40;
/// Height of one bar chart row: a label line, then the bar.
const ROW_HEIGHT: usize = 34;
/// The widest bar, in percent of the chart, leaving room for its number.
const BAR_SPAN: f64 = 84.0;

/// One chart: what it counts and its rows.
pub(crate) struct Chart<'a> {
    /// The id of the figure and the key `check_page.py` knows it by (`category`…).
    pub key: &'static str,
    pub title: &'a str,
    /// One sentence: what is counted, how lists and missing values count.
    pub description: &'a str,
    /// The header of the label column of the table.
    pub label_header: &'a str,
    pub rows: &'a [Row],
}

/// A horizontal bar chart (one bar per row, label above it) and its table.
pub(crate) fn bar_chart(out: &mut String, chart: &Chart<'_>) {
    let max = chart.rows.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    let height = chart.rows.len().max(1) * ROW_HEIGHT + 4;
    open_figure(out, chart, height);
    for (i, row) in chart.rows.iter().enumerate() {
        let y = i * ROW_HEIGHT;
        let width = row.value as f64 / max as f64 * BAR_SPAN;
        let _ = write!(
            out,
            "<g class=\"bar{rest}\" data-label=\"{label}\" data-value=\"{value}\">\
             <title>{label}: {n}</title>\
             <text x=\"0\" y=\"{ty}\">{short}</text>\
             <rect x=\"0\" y=\"{by}\" width=\"{width:.2}%\" height=\"13\"></rect>\
             <text class=\"n\" x=\"{nx:.2}%\" y=\"{ny}\" dx=\"6\">{n}</text></g>",
            rest = if row.rest { " rest" } else { "" },
            label = esc(&row.label),
            value = row.value,
            n = int(row.value),
            ty = y + 13,
            short = esc(&truncate(&row.label, LABEL_CHARS)),
            by = y + 18,
            nx = width,
            ny = y + 29,
        );
    }
    close_figure(out, chart);
}

/// A column chart over time (one column per period, in order) and its table. A `none
/// stated` row is left out of the drawing and kept in the table.
pub(crate) fn column_chart(out: &mut String, chart: &Chart<'_>) {
    const TOP: usize = 22;
    const PLOT: usize = 140;
    let columns: Vec<&Row> = chart.rows.iter().filter(|r| !r.rest).collect();
    let max = columns.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    let height = TOP + PLOT + 24;
    open_figure(out, chart, height);
    let _ = write!(
        out,
        "<text x=\"0\" y=\"13\">{} at most</text>\
         <line class=\"axis\" x1=\"0\" x2=\"100%\" y1=\"{base}\" y2=\"{base}\"></line>",
        int(max),
        base = TOP + PLOT,
    );
    // At least a year's width of slots, so a few columns stay columns, not blocks.
    let n = columns.len().max(12) as f64;
    let step = 100.0 / n;
    let every = label_step(&columns);
    for (i, row) in columns.iter().enumerate() {
        let h = (row.value as f64 / max as f64 * PLOT as f64).round() as usize;
        let h = if row.value > 0 { h.max(1) } else { 0 };
        let _ = write!(
            out,
            "<g class=\"bar\" data-label=\"{label}\" data-value=\"{value}\">\
             <title>{label}: {n}</title>\
             <rect x=\"{x:.3}%\" y=\"{y}\" width=\"{w:.3}%\" height=\"{h}\"></rect></g>",
            label = esc(&row.label),
            value = row.value,
            n = int(row.value),
            x = i as f64 * step + step * 0.1,
            y = TOP + PLOT - h,
            w = step * 0.8,
        );
        if i % every == 0 && i + every <= columns.len() {
            let _ = write!(
                out,
                "<text class=\"tick\" x=\"{x:.3}%\" y=\"{y}\">{label}</text>",
                x = i as f64 * step,
                y = TOP + PLOT + 18,
                label = esc(&row.label),
            );
        }
    }
    close_figure(out, chart);
}

/// Every how many columns an axis label fits: at most 6 labels, on a year's start when
/// columns are months.
fn label_step(columns: &[&Row]) -> usize {
    let n = columns.len();
    let months = columns.first().is_some_and(|r| r.label.len() == 7);
    let mut step = n.div_ceil(6).max(1);
    if months && step > 1 {
        step = step.div_ceil(12) * 12;
    }
    step
}

fn open_figure(out: &mut String, chart: &Chart<'_>, height: usize) {
    let key = chart.key;
    let _ = write!(
        out,
        "<figure class=\"chart\" id=\"chart-{key}\" data-chart=\"{key}\">\
         <figcaption>{title}</figcaption>\
         <svg width=\"100%\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"chart-{key}-t chart-{key}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-{key}-t\">{title}</title><desc id=\"chart-{key}-d\">{desc} {summary}</desc>",
        title = esc(chart.title),
        desc = esc(chart.description),
        summary = esc(&summary(chart.rows)),
    );
}

fn close_figure(out: &mut String, chart: &Chart<'_>) {
    let _ = write!(
        out,
        "</svg><p class=\"note\">{desc}</p>\
         <details><summary>The numbers of this chart</summary>\
         <table class=\"numbers\"><thead><tr><th scope=\"col\">{header}</th>\
         <th scope=\"col\" class=\"num\">tools</th></tr></thead><tbody>",
        desc = esc(chart.description),
        header = esc(chart.label_header),
    );
    for row in chart.rows {
        let _ = write!(
            out,
            "<tr{rest}><th scope=\"row\">{label}</th>\
             <td class=\"num\" data-label=\"{label}\" data-value=\"{value}\">{n}</td></tr>",
            rest = if row.rest { " class=\"rest\"" } else { "" },
            label = esc(&row.label),
            value = row.value,
            n = int(row.value),
        );
    }
    out.push_str("</tbody></table></details></figure>\n");
}

/// The largest rows in words, for the SVG's `<desc>`.
fn summary(rows: &[Row]) -> String {
    let mut top: Vec<&Row> = rows.iter().filter(|r| !r.rest).collect();
    top.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    let parts: Vec<String> = top
        .iter()
        .take(3)
        .filter(|r| r.value > 0)
        .map(|r| format!("{} {}", r.label, int(r.value)))
        .collect();
    if parts.is_empty() {
        "No tools.".to_string()
    } else {
        format!("Largest: {}.", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, value: u64, rest: bool) -> Row {
        Row {
            label: label.into(),
            value,
            rest,
        }
    }

    #[test]
    fn bars_and_table_carry_the_same_escaped_numbers() {
        let rows = [row("<b>x</b>", 3, false), row("none stated", 1, true)];
        let mut out = String::new();
        bar_chart(
            &mut out,
            &Chart {
                key: "category",
                title: "Tools per category",
                description: "d",
                label_header: "category",
                rows: &rows,
            },
        );
        assert!(!out.contains("<b>"), "{out}");
        assert_eq!(
            out.matches("data-label=\"&lt;b&gt;x&lt;/b&gt;\" data-value=\"3\"")
                .count(),
            2
        );
        assert_eq!(out.matches("data-value=\"1\"").count(), 2);
        assert!(
            out.contains("width=\"84.00%\""),
            "the largest bar spans the chart"
        );
        assert!(
            out.contains("<desc id=\"chart-category-d\">d Largest: &lt;b&gt;x&lt;/b&gt; 3.</desc>")
        );
    }

    #[test]
    fn columns_leave_out_none_stated_and_label_years() {
        let rows: Vec<Row> = (1..=24)
            .map(|m| {
                row(
                    &format!("{}-{:02}", 2025 + (m - 1) / 12, (m - 1) % 12 + 1),
                    m,
                    false,
                )
            })
            .chain([row("none stated", 5, true)])
            .collect();
        let mut out = String::new();
        column_chart(
            &mut out,
            &Chart {
                key: "first-seen",
                title: "t",
                description: "d",
                label_header: "month",
                rows: &rows,
            },
        );
        assert_eq!(out.matches("<rect").count(), 24);
        assert_eq!(out.matches("class=\"tick\"").count(), 2, "{out}");
        assert!(out.contains(">2025-01</text>") && out.contains(">2026-01</text>"));
        assert!(out.contains("<td class=\"num\" data-label=\"none stated\" data-value=\"5\">"));
    }
}
