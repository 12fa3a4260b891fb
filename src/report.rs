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

impl Issue {
    /// An issue about a record (or page) at `url`.
    pub fn new(url: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            record_id: None,
            url: url.into(),
            field: None,
            message: message.into(),
        }
    }

    /// Names the record.
    pub fn record(mut self, record_id: impl Into<String>) -> Issue {
        self.record_id = Some(record_id.into());
        self
    }

    /// Names the field.
    pub fn field(mut self, field: impl Into<String>) -> Issue {
        self.field = Some(field.into());
        self
    }
}
