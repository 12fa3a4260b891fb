//! URL canonicalisation (documented in docs/normalisation.md).
//!
//! Rules: only http(s); lowercase scheme and host (the `url` crate does it); default ports,
//! fragments, `www.`, trailing slashes and tracking parameters dropped; `http` upgraded to
//! `https` on known forges; forge URLs reduced to the project root
//! (`https://github.com/owner/repo`, no `.git`, no `/tree/…`, no `/-/…`).

use url::Url;

/// Query parameters that only track clicks.
const TRACKING: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ref_src", "yclid",
];

/// Forge hosts whose project root is `owner/repo`.
const FORGES: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "framagit.org",
    "git.sr.ht",
];

/// The canonical form of `input`, or why it is not a usable URL.
pub fn canonical(input: &str) -> Result<String, String> {
    let input = input.trim();
    let with_scheme = if input.contains("://") {
        input.to_string()
    } else if input.starts_with("github.com/")
        || input.starts_with("www.")
        || looks_like_host(input)
    {
        format!("https://{input}")
    } else {
        return Err("not an absolute http(s) URL".to_string());
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("unsupported scheme `{}`", url.scheme()));
    }
    let Some(host) = url.host_str().map(str::to_string) else {
        return Err("no host".to_string());
    };
    let host = host
        .strip_prefix("www.")
        .unwrap_or(&host)
        .trim_end_matches('.')
        .to_string();
    url.set_host(Some(&host)).map_err(|e| e.to_string())?;
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if is_forge_host(&host) {
        let _ = url.set_scheme("https");
        let _ = url.set_port(None);
        return Ok(forge_root(&url));
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let mut s = url.to_string();
    if url.query().is_none() {
        while s.ends_with('/') && s.matches('/').count() > 2 {
            s.pop();
        }
        // `https://host/` → `https://host`
        if s.ends_with('/') {
            s.pop();
        }
    }
    Ok(s)
}

fn looks_like_host(s: &str) -> bool {
    let head = s.split('/').next().unwrap_or("");
    head.contains('.')
        && !head.contains(' ')
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn is_forge_host(host: &str) -> bool {
    FORGES.contains(&host)
}

/// True when `url` (canonical) is a project on a known forge.
pub fn is_forge_project(url: &str) -> bool {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(is_forge_host))
        .unwrap_or(false)
}

/// `https://host/owner/repo` of a forge URL; `.git`, `/tree/…`, `/-/…` dropped.
fn forge_root(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let mut kept = Vec::new();
    for seg in segments {
        if seg == "-" || (kept.len() >= 2 && host != "gitlab.com" && host != "framagit.org") {
            break;
        }
        if kept.len() >= 2
            && matches!(
                seg,
                "tree"
                    | "blob"
                    | "issues"
                    | "wiki"
                    | "releases"
                    | "commits"
                    | "merge_requests"
                    | "pulls"
            )
        {
            break;
        }
        kept.push(
            seg.trim_end_matches(".git")
                .to_lowercase_if(host == "github.com"),
        );
    }
    if kept.is_empty() {
        return format!("https://{host}");
    }
    format!("https://{host}/{}", kept.join("/"))
}

trait LowerIf {
    fn to_lowercase_if(&self, cond: bool) -> String;
}

impl LowerIf for str {
    fn to_lowercase_if(&self, cond: bool) -> String {
        if cond {
            self.to_lowercase()
        } else {
            self.to_string()
        }
    }
}

/// Every http(s) URL found in a free-text answer (or the answer itself when it has none).
pub fn find_urls(text: &str) -> Vec<String> {
    let found: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| w.trim_end_matches(['.', ')', ']']).to_string())
        .collect();
    if found.is_empty() && !text.trim().is_empty() {
        vec![text.trim().to_string()]
    } else {
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homepages_lose_www_slash_fragment_and_tracking() {
        assert_eq!(
            canonical("https://www.Decidim.org/").unwrap(),
            "https://decidim.org"
        );
        assert_eq!(
            canonical("http://decidim.org").unwrap(),
            "http://decidim.org"
        );
        assert_eq!(
            canonical("https://example.org:443/a/b/?utm_source=x&id=3#top").unwrap(),
            "https://example.org/a/b/?id=3"
        );
        assert_eq!(
            canonical("https://example.org/a/b/").unwrap(),
            "https://example.org/a/b"
        );
    }

    #[test]
    fn forge_urls_reduce_to_project_root() {
        for u in [
            "github.com/decidim/decidim.git",
            "http://github.com/decidim/decidim",
            "https://github.com/Decidim/Decidim/tree/develop/docs",
            "https://www.github.com/decidim/decidim/",
        ] {
            assert_eq!(
                canonical(u).unwrap(),
                "https://github.com/decidim/decidim",
                "{u}"
            );
        }
        assert_eq!(
            canonical("https://gitlab.com/group/sub/project/-/tree/main").unwrap(),
            "https://gitlab.com/group/sub/project"
        );
    }

    #[test]
    fn canonical_is_idempotent() {
        for u in [
            "https://www.example.org/x/?utm_medium=a",
            "github.com/a/b.git",
            "https://a.test",
        ] {
            let once = canonical(u).unwrap();
            assert_eq!(canonical(&once).unwrap(), once);
        }
    }

    #[test]
    fn non_urls_are_rejected() {
        assert!(canonical("not a url").is_err());
        assert!(canonical("ftp://x.test/").is_err());
        assert!(canonical("mailto:a@b.test").is_err());
    }

    #[test]
    fn urls_are_found_in_prose() {
        assert_eq!(
            find_urls(
                "https://github.com/a/web, https://github.com/a/app and https://gitlab.com/b/c."
            ),
            [
                "https://github.com/a/web",
                "https://github.com/a/app",
                "https://gitlab.com/b/c"
            ]
        );
    }
}
