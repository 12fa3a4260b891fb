//! What a run reports: per-source outcomes and per-record issues, written as `report.json`.

use serde::{Deserialize, Serialize};

/// A problem with one record (or one page) that did not fail its source (SPEC section 7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The record id, when the record got far enough to have one.
    pub record_id: Option<String>,
    /// The URL of the page or document.
    pub url: String,
    /// The canonical field concerned, if any.
    pub field: Option<String>,
    /// What is wrong, lowercase, naming the value.
    pub message: String,
}

/// The longest text from a source (a message, a URL, an id) put into a published file.
pub const MAX_PUBLISHED_CHARS: usize = 1000;

/// Text from a source, made fit for a published file: control characters (escape sequences
/// for a terminal, NULs) become spaces, and past [`MAX_PUBLISHED_CHARS`] characters it is cut
/// and ends with `…`. Error messages quote what sources sent (a record id, a URL, the start of
/// a body), so every one goes through here before it is published.
pub fn published_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_PUBLISHED_CHARS * 4));
    for (n, c) in text.chars().enumerate() {
        if n == MAX_PUBLISHED_CHARS {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

impl Issue {
    /// An issue about a record (or page) at `url`.
    pub fn new(url: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            record_id: None,
            url: published_text(&url.into()),
            field: None,
            message: published_text(&message.into()),
        }
    }

    /// Names the record.
    pub fn record(mut self, record_id: impl Into<String>) -> Issue {
        self.record_id = Some(published_text(&record_id.into()));
        self
    }

    /// Names the field.
    pub fn field(mut self, field: impl Into<String>) -> Issue {
        self.field = Some(field.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_text_is_cut_and_has_no_control_characters() {
        assert_eq!(published_text("a\u{1b}[31mred\u{0}\nb"), "a [31mred  b");
        let long = "x".repeat(5000);
        let cut = published_text(&long);
        assert_eq!(cut.chars().count(), MAX_PUBLISHED_CHARS + 1);
        assert!(cut.ends_with('…'));
        let issue = Issue::new("https://x.test/\u{7}", "bad\u{8}value").record("id\r1");
        assert_eq!(issue.url, "https://x.test/ ");
        assert_eq!(issue.message, "bad value");
        assert_eq!(issue.record_id.as_deref(), Some("id 1"));
    }
}
