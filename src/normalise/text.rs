//! Plain text: HTML markup reduced to its text, entities decoded, whitespace collapsed.

/// Trims and collapses runs of whitespace to one space.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text of a value that may hold HTML markup or entities.
pub fn plain(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return collapse(s);
    }
    let fragment = scraper::Html::parse_fragment(s);
    let mut out = String::new();
    for node in fragment.root_element().descendants() {
        match node.value() {
            scraper::Node::Text(t) => out.push_str(t),
            scraper::Node::Element(e) if is_block(e.name()) => out.push(' '),
            _ => {}
        }
    }
    collapse(&out)
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            plain(
                "<p>Decidim is a <b>participatory</b>&nbsp;democracy framework.</p><p>Free &amp; open</p>"
            ),
            "Decidim is a participatory democracy framework. Free & open"
        );
    }

    #[test]
    fn script_free_text_is_only_collapsed() {
        assert_eq!(plain("  two\n\t lines  "), "two lines");
        assert_eq!(plain("a < b"), "a < b");
    }
}
