//! `civicrawl.toml` → [`Settings`]; every key has a default (SPEC section 3).

use std::path::Path;

use serde::Deserialize;

/// All settings of one run.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub crawl: CrawlSettings,
    pub output: OutputSettings,
}

/// The `[crawl]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlSettings {
    /// Contact URL put into the User-Agent.
    pub contact: String,
    /// Requests in flight over all hosts.
    pub concurrency: usize,
    /// Per-request timeout, seconds.
    pub timeout_s: u64,
    /// Attempts per request, first one included.
    pub max_attempts: u32,
    /// Body size cap after decompression.
    pub max_body_bytes: u64,
    /// Whether requests may reach loopback, private and other non-public addresses.
    pub allow_private_networks: bool,
    /// The proxy every request goes through (`http://…`, `https://…` or `socks5://…`); none
    /// when unset, whatever `HTTP_PROXY` and `HTTPS_PROXY` say.
    pub proxy: Option<String>,
    /// Upper bound of one back-off wait, seconds (a longer `Retry-After` fails the request).
    pub max_retry_wait_s: u64,
    /// First back-off delay, milliseconds; doubled on each retry, with jitter.
    pub retry_base_ms: u64,
    /// The crawl's deadline, seconds: sources still running then are cut (their earlier
    /// records kept stale, exit 3) and what the others found is published.
    pub max_run_s: u64,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            contact: "https://github.com/civicrawl/civicrawl".to_string(),
            concurrency: 16,
            timeout_s: 30,
            max_attempts: 4,
            max_body_bytes: 20 * 1024 * 1024,
            allow_private_networks: false,
            proxy: None,
            max_retry_wait_s: 300,
            retry_base_ms: 1000,
            max_run_s: 4 * 3600,
        }
    }
}

/// The `[output]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSettings {
    /// Releases kept after a successful publish (`latest` is never pruned).
    pub keep_releases: usize,
}

impl Default for OutputSettings {
    fn default() -> Self {
        OutputSettings { keep_releases: 30 }
    }
}

/// A settings file that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
}

impl Settings {
    /// Reads `path`; a missing file gives the defaults only when `required` is false.
    pub fn load(path: &Path, required: bool) -> Result<Settings, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Settings::default());
            }
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        Self::parse(&text).map_err(|message| SettingsError::Parse {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses the text of a settings file.
    pub fn parse(text: &str) -> Result<Settings, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_missing_keys() {
        let s = Settings::parse("[crawl]\ncontact = \"https://x.test/about\"\n").unwrap();
        assert_eq!(s.crawl.contact, "https://x.test/about");
        assert_eq!(s.crawl.max_attempts, 4);
        assert_eq!(s.crawl.max_body_bytes, 20_971_520);
        assert_eq!(s.output.keep_releases, 30);
    }

    #[test]
    fn unknown_key_is_rejected() {
        let err = Settings::parse("[crawl]\nconcurency = 3\n").unwrap_err();
        assert!(err.contains("concurency"), "{err}");
    }
}
