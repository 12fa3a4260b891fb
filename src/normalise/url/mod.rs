//! URL canonicalisation (every rule is documented in docs/normalisation.md).
//!
//! Rules: only http(s); lowercase scheme and host; default ports, user info, fragments,
//! `www.`, trailing slashes, a directory's index page and tracking parameters dropped;
//! `http` upgraded to `https` on forges; forge URLs reduced to the project root (`https://github.com/owner/repo`, no `.git`,
//! no `/tree/…`, no `/-/…`); shared hosts (github.io pages, sites.google.com, wordpress.com,
//! frama.site, …) keep their whole path so that two tools on one shared host stay apart.

use url::Url;

/// Query parameters that only track clicks (with every `utm_*`, `pk_*` and `mtm_*`).
const TRACKING: &[&str] = &[
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "ref_src",
    "yclid", "igshid", "twclid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "xtor",
];

/// Query parameter prefixes that only track clicks.
const TRACKING_PREFIXES: &[&str] = &["utm_", "pk_", "mtm_"];

/// The kind of forge a host runs, which decides the shape of a project path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Forge {
    /// `owner/repo` (github.com).
    GitHub,
    /// `group/sub/…/project`, routes after `/-/` (gitlab.com and self-hosted GitLab).
    GitLab,
    /// `owner/repo` (bitbucket.org).
    Bitbucket,
    /// `owner/repo` (Gitea and Forgejo: codeberg.org, gitea.com, …).
    Gitea,
    /// `~user/repo` (git.sr.ht, hg.sr.ht).
    SourceHut,
}

/// Hosts running a known forge, beyond the `gitlab.*`, `gitea.*` and `forgejo.*` patterns.
const FORGE_HOSTS: &[(&str, Forge)] = &[
    ("github.com", Forge::GitHub),
    ("gitlab.com", Forge::GitLab),
    ("framagit.org", Forge::GitLab),
    ("salsa.debian.org", Forge::GitLab),
    ("invent.kde.org", Forge::GitLab),
    ("code.europa.eu", Forge::GitLab),
    ("git.framasoft.org", Forge::GitLab),
    ("bitbucket.org", Forge::Bitbucket),
    ("codeberg.org", Forge::Gitea),
    ("gitea.com", Forge::Gitea),
    ("git.sr.ht", Forge::SourceHut),
    ("hg.sr.ht", Forge::SourceHut),
];

/// Forges on which independent publishers each own their accounts: the owner in a
/// repository's path names who publishes it. On a project's or an administration's own forge
/// (`invent.kde.org/education/kstars`, `salsa.debian.org/…`) the first segment is a team or a
/// section of the one organisation that runs the forge, not a publisher.
const MULTI_TENANT_FORGES: &[&str] = &[
    "bitbucket.org",
    "code.europa.eu",
    "codeberg.org",
    "framagit.org",
    "git.framasoft.org",
    "git.sr.ht",
    "gitea.com",
    "github.com",
    "gitlab.com",
    "hg.sr.ht",
];

/// True when the owner in a repository path on `host` names its publisher (a forge where
/// independent publishers own accounts, [`MULTI_TENANT_FORGES`]).
pub fn owner_names_publisher(host: &str) -> bool {
    MULTI_TENANT_FORGES.contains(&host)
}

/// Hosts on which many unrelated parties publish, by the path (`sites.google.com/view/x`) or
/// by a subdomain of the host (`x.wordpress.com`). Matched as the host itself or a suffix.
const SHARED_HOSTS: &[&str] = &[
    // pages of forge users and projects: `user.github.io/project`
    "github.io",
    "gitlab.io",
    "frama.io",
    "codeberg.page",
    // site builders and blogs
    "sites.google.com",
    "wordpress.com",
    "blogspot.com",
    "frama.site",
    "framasite.org",
    "wixsite.com",
    "weebly.com",
    "webflow.io",
    "squarespace.com",
    "medium.com",
    "substack.com",
    "notion.site",
    "gitbook.io",
    "readthedocs.io",
    // application hosting
    "netlify.app",
    "netlify.com",
    "herokuapp.com",
    "vercel.app",
    "pages.dev",
    "glitch.me",
    "firebaseapp.com",
    "web.app",
    "azurewebsites.net",
    "appspot.com",
];

/// GitHub paths whose first segment is not an owner.
const GITHUB_RESERVED: &[&str] = &[
    "about",
    "apps",
    "collections",
    "enterprise",
    "explore",
    "features",
    "login",
    "marketplace",
    "search",
    "settings",
    "site",
    "sponsors",
    "topics",
    "trending",
];

/// GitLab routes written without `/-/` (older links), which end the project path.
const GITLAB_ROUTES: &[&str] = &[
    "tree",
    "blob",
    "raw",
    "issues",
    "merge_requests",
    "wikis",
    "commits",
    "commit",
    "tags",
    "releases",
    "pipelines",
    "jobs",
    "graphs",
    "network",
    "activity",
    "boards",
    "milestones",
    "labels",
    "snippets",
    "edit",
    "archive",
];

/// Last path segments that name a directory's index page.
const INDEX_PAGES: &[&str] = &[
    "index",
    "index.asp",
    "index.aspx",
    "index.htm",
    "index.html",
    "index.php",
];

/// The canonical form of `input`, or why it is not a usable URL.
pub fn canonical(input: &str) -> Result<String, String> {
    let input = input.trim();
    let with_scheme = if input.contains("://") {
        input.to_string()
    } else if let Some(rest) = input.strip_prefix("//") {
        format!("https://{rest}")
    } else if looks_like_host(input) {
        format!("https://{input}")
    } else {
        return Err("not an absolute http(s) URL".to_string());
    };
    let url = Url::parse(&with_scheme).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("unsupported scheme `{}`", url.scheme()));
    }
    let Some(host) = url.host_str() else {
        return Err("no host".to_string());
    };
    let trimmed = host.trim_end_matches('.');
    // `0x7f..` and `a.1..` are domains, but without their dots they read as an IPv4 address
    // (`0.0.0.127`) or a malformed one: the host as it is read again, or an error
    let trimmed = if trimmed.len() < host.len() && !trimmed.is_empty() {
        url::Host::parse(trimmed)
            .map_err(|e| format!("invalid host: {e}"))?
            .to_string()
    } else {
        trimmed.to_string()
    };
    // every `www.`: what one leaves of `www.www.x` would lose its own the next time
    let mut host = trimmed.as_str();
    while let Some(rest) = host.strip_prefix("www.") {
        host = rest;
    }
    let host = host.to_string();
    if host.is_empty() {
        return Err("no host".to_string());
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    if let Some(forge) = forge_of(&host, &segments) {
        return Ok(forge_root(forge, &host, &segments));
    }
    let mut out = format!("{}://{host}", url.scheme());
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    let path = url.path().trim_end_matches('/');
    // A directory's index page is the directory (`…/libspatialite/index`, `/index.html`).
    let path = match path.rsplit_once('/') {
        Some((dir, last)) if INDEX_PAGES.contains(&last.to_ascii_lowercase().as_str()) => dir,
        _ => path,
    };
    out.push_str(path);
    let kept: Vec<&str> = url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && !is_tracking(pair.split('=').next().unwrap_or("")))
        .collect();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    Ok(out)
}

fn is_tracking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    TRACKING.contains(&key.as_str()) || TRACKING_PREFIXES.iter().any(|p| key.starts_with(p))
}

fn looks_like_host(s: &str) -> bool {
    let head = s.split(['/', '?', '#']).next().unwrap_or("");
    let name = head.split(':').next().unwrap_or("");
    name.contains('.')
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && name
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().all(char::is_alphabetic) && tld.chars().count() >= 2)
}

/// True when `host` ends with the domain `suffix` (or is it).
fn host_is(host: &str, suffix: &str) -> bool {
    host == suffix
        || host
            .strip_suffix(suffix)
            .is_some_and(|head| head.ends_with('.'))
}

/// The forge a host runs: a known forge host, or a self-hosted one named `gitlab.*`,
/// `gitea.*` or `forgejo.*`; any host whose path holds GitLab's `/-/` separator is GitLab.
fn forge_host(host: &str) -> Option<Forge> {
    if let Some((_, f)) = FORGE_HOSTS.iter().find(|(h, _)| *h == host) {
        return Some(*f);
    }
    let first = host.split('.').next().unwrap_or("");
    if host.split('.').count() < 3 {
        return None;
    }
    match first {
        "gitlab" => Some(Forge::GitLab),
        "gitea" | "forgejo" => Some(Forge::Gitea),
        _ => None,
    }
}

fn forge_of(host: &str, segments: &[&str]) -> Option<Forge> {
    forge_host(host).or_else(|| {
        segments
            .iter()
            .position(|s| *s == "-")
            .filter(|&i| i >= 2)
            .map(|_| Forge::GitLab)
    })
}

/// `https://host/owner/repo` (or the GitLab group path) of a forge URL, lowercased; `.git`,
/// `/tree/…`, `/-/…` and every query or fragment dropped.
fn forge_root(forge: Forge, host: &str, segments: &[&str]) -> String {
    let lower: Vec<String> = segments
        .iter()
        .map(|s| s.trim_end_matches(".git").to_lowercase())
        // `..git` leaves `.`: a dot segment, which the URL parser would drop from the output
        .filter(|s| {
            !matches!(
                s.as_str(),
                "" | "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"
            )
        })
        .collect();
    let kept: Vec<String> = match forge {
        Forge::GitHub => match lower.first().map(String::as_str) {
            Some("orgs" | "users") => lower.iter().skip(1).take(1).cloned().collect(),
            _ => lower.iter().take(2).cloned().collect(),
        },
        Forge::Bitbucket | Forge::Gitea | Forge::SourceHut => {
            lower.iter().take(2).cloned().collect()
        }
        Forge::GitLab => {
            let mut kept = Vec::new();
            for seg in &lower {
                if seg == "-" || (kept.len() >= 2 && GITLAB_ROUTES.contains(&seg.as_str())) {
                    break;
                }
                kept.push(seg.clone());
            }
            kept
        }
    };
    if kept.is_empty() {
        return format!("https://{host}");
    }
    format!("https://{host}/{}", kept.join("/"))
}

/// True when `url` (canonical) is a project on a forge: a known forge host (or a self-hosted
/// `gitlab.*`, `gitea.*`, `forgejo.*`) and an `owner/repo` path (GitHub: not a reserved page
/// like `/topics/…`). An owner or group page alone (`https://github.com/decidim`) is not a
/// project.
pub fn is_forge_project(url: &str) -> bool {
    let Ok(u) = Url::parse(url) else {
        return false;
    };
    let Some(forge) = u.host_str().and_then(forge_host) else {
        return false;
    };
    let segments: Vec<&str> = u
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    match forge {
        Forge::GitHub => segments.len() >= 2 && !GITHUB_RESERVED.contains(&segments[0]),
        Forge::SourceHut => segments.len() >= 2 && segments[0].starts_with('~'),
        _ => segments.len() >= 2,
    }
}

/// The owner of a forge owner page (`https://github.com/decidim` → `decidim`): a canonical
/// URL on a known forge host whose path is one segment (GitHub: not a reserved page). Given as
/// a repository, such a URL names who publishes, not what: an organisation, not a tool. Reads
/// the canonical form as text (no parsing: it runs for every repository of every record).
pub fn forge_owner(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let forge = forge_host(host)?;
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let owner = segments.next()?;
    let reserved = forge == Forge::GitHub && GITHUB_RESERVED.contains(&owner);
    (segments.next().is_none() && !reserved).then_some(owner)
}

/// True when `url` is on a host shared by many unrelated parties: the pages of forge users
/// (`*.github.io`, `*.gitlab.io`, `*.frama.io`, `*.codeberg.page`), site builders and blogs
/// (`sites.google.com`, `*.wordpress.com`, `*.blogspot.*`, `*.frama.site`, …), application
/// hosting (`*.netlify.app`, `*.herokuapp.com`, …) and the forges themselves. A homepage at
/// the root of such a host is a weak identity key: tools there are told apart by their path
/// (or subdomain), which [`canonical`] keeps.
pub fn is_shared_host(url: &str) -> bool {
    let host = match Url::parse(url) {
        Ok(u) => u.host_str().map(str::to_ascii_lowercase),
        Err(_) => canonical(url)
            .ok()
            .and_then(|c| Url::parse(&c).ok())
            .and_then(|u| u.host_str().map(str::to_string)),
    };
    let Some(host) = host else {
        return false;
    };
    let host = host.strip_prefix("www.").unwrap_or(&host);
    SHARED_HOSTS.iter().any(|s| host_is(host, s))
        || host.split('.').any(|label| label == "blogspot")
        || forge_host(host).is_some()
}

/// Every http(s) URL found in a free-text answer (or the answer itself when it has none).
pub fn find_urls(text: &str) -> Vec<String> {
    let found: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter_map(|w| {
            let start = w.find("http://").or_else(|| w.find("https://"))?;
            Some(
                w[start..]
                    .trim_end_matches(['.', ')', ']', '>', '"', '\''])
                    .to_string(),
            )
        })
        .collect();
    if found.is_empty() && !text.trim().is_empty() {
        vec![text.trim().to_string()]
    } else {
        found
    }
}

#[cfg(test)]
mod tests;
