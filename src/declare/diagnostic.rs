//! [`DeclError`] and its rendering: `path:line:col`, the line, a caret, a help line (cargo's
//! diagnostics, STYLE.md section 6).

use std::fmt;
use std::path::Path;

/// One problem in one declaration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclError {
    pub path: String,
    /// 1-based line and column, when the problem has a place.
    pub line: Option<(usize, usize)>,
    /// The text of that line.
    pub snippet: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl DeclError {
    /// A problem with the file as a whole.
    pub fn new(path: &Path, message: impl Into<String>) -> DeclError {
        DeclError {
            path: path.display().to_string(),
            line: None,
            snippet: None,
            message: message.into(),
            help: None,
        }
    }

    /// Places the error at a byte offset of `text`.
    pub fn at_offset(mut self, text: &str, offset: usize) -> DeclError {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = text[line_start..offset].chars().count() + 1;
        let snippet = text[line_start..].lines().next().unwrap_or("").to_string();
        self.line = Some((line, col));
        self.snippet = Some(snippet);
        self
    }

    /// Places the error at the line defining `key` (dotted for tables: `fields.name`).
    pub fn at_key(self, text: &str, key: &str) -> DeclError {
        match find_key(text, key) {
            Some(offset) => self.at_offset(text, offset),
            None => self,
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> DeclError {
        self.help = Some(help.into());
        self
    }

    /// Wraps a message from a kind's `build`, placed at the key it names in backticks first.
    pub fn from_kind_message(path: &Path, text: &str, message: String) -> DeclError {
        let key = message
            .strip_prefix('`')
            .and_then(|rest| rest.split_once('`'))
            .map(|(k, _)| k.to_string());
        let err = DeclError::new(path, message);
        match key {
            Some(k) => {
                let k = k.split('[').next().unwrap_or(&k).to_string();
                err.at_key(text, &k)
            }
            None => err,
        }
    }
}

impl fmt::Display for DeclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        match self.line {
            Some((line, col)) => {
                writeln!(f, " --> {}:{line}:{col}", self.path)?;
                if let Some(snippet) = &self.snippet {
                    let gutter = " ".repeat(line.to_string().len());
                    writeln!(f, "{line} | {snippet}")?;
                    let caret = format!("{}^", " ".repeat(col.saturating_sub(1)));
                    match &self.help {
                        Some(h) => write!(f, "{gutter} | {caret} help: {h}"),
                        None => write!(f, "{gutter} | {caret}"),
                    }
                } else {
                    Ok(())
                }
            }
            None => {
                write!(f, " --> {}", self.path)?;
                match &self.help {
                    Some(h) => write!(f, "\n  = help: {h}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Byte offset of the start of the key `key` (dotted: `table.key`) in `text`.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let (table, leaf) = match key.rsplit_once('.') {
        Some((t, l)) => (Some(t), l),
        None => (None, key),
    };
    let mut current: Option<String> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(header) = trimmed.strip_prefix('[') {
            let name = header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            current = Some(name.to_string());
        } else {
            let in_place = match table {
                None => current.is_none(),
                Some(t) => current.as_deref() == Some(t),
            };
            if let Some(rest) = trimmed.strip_prefix(leaf) {
                let rest = rest.trim_start();
                if in_place && rest.starts_with('=') {
                    return Some(offset + indent);
                }
            }
            if let Some(t) = table {
                let dotted = format!("{t}.{leaf}");
                if current.is_none()
                    && trimmed
                        .strip_prefix(&dotted)
                        .is_some_and(|r| r.trim_start().starts_with('='))
                {
                    return Some(offset + indent);
                }
            }
        }
        offset += line.len();
    }
    // A key inside an inline table, e.g. `fields = { name = "h2" }`: the table's line.
    table.and_then(|t| find_key(text, t))
}

/// The closest candidate to `word`, if it is close enough to suggest.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
