//! The page's table of tools: the first [`TABLE_ROWS`] by name (case-insensitive, then id),
//! searchable and sortable by the page's script. The limit keeps the page small for a
//! million tools (about 0.4 MB of rows); every tool is in `tools.csv`.

use std::cmp::Ordering;
use std::fmt::Write as _;

use super::html::{esc, href, int, truncate};
use crate::model::Tool;

/// How many tools the page's table holds at most.
pub(crate) const TABLE_ROWS: usize = 1_000;
/// Characters of a description shown under a tool's name.
const DESCRIPTION_CHARS: usize = 140;

fn fold(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().flat_map(char::to_lowercase)
}

/// Name order: tools with a name first, by lower-cased name, then by id.
fn by_name(a: &Tool, b: &Tool) -> Ordering {
    let (x, y) = (a.name.as_deref(), b.name.as_deref());
    x.is_none()
        .cmp(&y.is_none())
        .then_with(|| fold(x.unwrap_or("")).cmp(fold(y.unwrap_or(""))))
        .then_with(|| a.id.cmp(&b.id))
}

/// The first `n` tools by name, in name order (linear selection, then a sort of `n`).
pub(crate) fn first_by_name<'a>(tools: &[&'a Tool], n: usize) -> Vec<&'a Tool> {
    let mut v: Vec<&Tool> = tools.to_vec();
    if v.len() > n && n > 0 {
        v.select_nth_unstable_by(n - 1, |a, b| by_name(a, b));
        v.truncate(n);
    }
    v.truncate(n);
    v.sort_by(|a, b| by_name(a, b));
    v
}

pub(super) fn tools_table(out: &mut String, tools: &[&Tool]) {
    let shown = first_by_name(tools, TABLE_ROWS);
    let _ = write!(
        out,
        "<h2 id=\"tools-table\">Tools</h2><p id=\"tools-note\" data-shown=\"{shown_n}\" data-total=\"{total_n}\">{note}</p>\
         <div class=\"search\" id=\"tool-search-box\" hidden><label for=\"tool-search\">Search the tools</label>\
         <input type=\"search\" id=\"tool-search\" autocomplete=\"off\" aria-controls=\"tools\" aria-describedby=\"tool-count\">\
         <span id=\"tool-count\" role=\"status\" aria-live=\"polite\"></span></div>\
         <div class=\"wide\"><table id=\"tools\"><caption class=\"muted\">Sort by a column with its button.</caption><thead><tr>\
         <th scope=\"col\"><button type=\"button\">Name</button></th>\
         <th scope=\"col\"><button type=\"button\">Categories</button></th>\
         <th scope=\"col\"><button type=\"button\">Countries</button></th>\
         <th scope=\"col\"><button type=\"button\">Licence</button></th>\
         <th scope=\"col\"><button type=\"button\">Sources</button></th>\
         <th scope=\"col\" class=\"num\"><button type=\"button\">Stars</button></th>\
         <th scope=\"col\"><button type=\"button\">First seen</button></th>\
         </tr></thead><tbody>",
        shown_n = shown.len(),
        total_n = tools.len(),
        note = if shown.len() < tools.len() {
            format!(
                "The first {} of {} tools by name; all of them are in \
                 <a href=\"tools.csv\">tools.csv</a>.",
                int(shown.len() as u64),
                int(tools.len() as u64)
            )
        } else {
            format!(
                "All {} tools, by name; the same rows are in <a href=\"tools.csv\">tools.csv</a>.",
                int(tools.len() as u64)
            )
        },
    );
    for t in shown {
        row(out, t);
    }
    out.push_str("</tbody></table></div>\n");
}

fn row(out: &mut String, t: &Tool) {
    let name = esc(t.name.as_deref().unwrap_or("(no name)"));
    let name = match t.homepage_url.as_deref().and_then(href) {
        Some(url) => format!("<a href=\"{url}\">{name}</a>"),
        None => name,
    };
    let description = t
        .description
        .as_deref()
        .map(|d| {
            format!(
                "<span class=\"desc\">{}</span>",
                esc(&truncate(d, DESCRIPTION_CHARS))
            )
        })
        .unwrap_or_default();
    let stars = t.stars.map(|s| s.to_string()).unwrap_or_default();
    let seen = t
        .first_seen_at
        .map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let _ = write!(
        out,
        "<tr><td data-sort=\"{sort}\">{name} <code class=\"id\">{id}</code>{description}</td>\
         <td>{cats}</td><td>{countries}</td><td>{licence}</td><td>{sources}</td>\
         <td class=\"num\" data-sort=\"{stars}\">{stars_shown}</td><td class=\"nowrap\">{seen}</td></tr>",
        sort = esc(t.name.as_deref().unwrap_or("")),
        id = esc(&t.id),
        cats = esc(&t.categories.join(", ")),
        countries = esc(&t.countries.join(", ")),
        licence = esc(t.license.as_deref().unwrap_or("")),
        sources = esc(&t.sources.join(", ")),
        stars_shown = t.stars.map(|s| int(s.max(0) as u64)).unwrap_or_default(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(id: &str, name: Option<&str>) -> Tool {
        Tool {
            id: id.into(),
            name: name.map(str::to_string),
            ..Tool::default()
        }
    }

    #[test]
    fn the_first_tools_by_name_ignore_case_and_put_nameless_last() {
        let tools = [
            named("ct_1", Some("beta")),
            named("ct_2", None),
            named("ct_3", Some("Alpha")),
            named("ct_4", Some("alpha")),
            named("ct_5", Some("Gamma")),
        ];
        let refs: Vec<&Tool> = tools.iter().collect();
        let ids = |v: Vec<&Tool>| v.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(first_by_name(&refs, 3)), ["ct_3", "ct_4", "ct_1"]);
        assert_eq!(
            ids(first_by_name(&refs, 10)),
            ["ct_3", "ct_4", "ct_1", "ct_5", "ct_2"]
        );
        assert!(first_by_name(&refs, 0).is_empty());
    }
}
