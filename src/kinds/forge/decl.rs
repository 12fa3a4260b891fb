//! The declaration keys both forge kinds (`github`, `gitlab`) have: `api_url`, `token_env`,
//! `max_wait`.

use toml::Table;
use url::Url;

use crate::crawl::ApiLimits;
use crate::kinds::decl;

/// Takes `api_url` (default `default`); the path loses its trailing slash.
pub(crate) fn take_api_url(table: &mut Table, default: &str, errs: &mut Vec<String>) -> Url {
    let text = decl::take_str(table, "api_url", errs).unwrap_or_else(|| default.to_owned());
    match decl::parse_http_url("api_url", &text) {
        Ok(mut url) => {
            let path = url.path().trim_end_matches('/').to_owned();
            url.set_path(&path);
            url.set_query(None);
            url
        }
        Err(e) => {
            errs.push(e);
            Url::parse(default).expect("the default API URL parses")
        }
    }
}

/// Takes `token_env` (default `default`): an environment variable name.
pub(crate) fn take_token_env(table: &mut Table, default: &str, errs: &mut Vec<String>) -> String {
    let name = decl::take_str(table, "token_env", errs).unwrap_or_else(|| default.to_owned());
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        errs.push(format!(
            "`token_env`: `{name}` is not an environment variable name (e.g. `GITHUB_TOKEN`); put the name here, never the token"
        ));
    }
    name
}

/// Takes `max_wait`: seconds as an integer, or text such as `"90s"`, `"15m"`, `"1h"`.
pub(crate) fn take_limits(table: &mut Table, errs: &mut Vec<String>) -> ApiLimits {
    let mut limits = ApiLimits::default();
    let Some(value) = table.remove("max_wait") else {
        return limits;
    };
    match decl::parse_duration(&value, true) {
        Some(wait) => limits.max_wait = wait,
        None => errs.push(format!(
            "`max_wait`: expected seconds or a duration such as `\"15m\"`, found `{value}`"
        )),
    }
    limits
}
