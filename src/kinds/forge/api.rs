//! The seam between the forge kinds (`github`, `gitlab`) and `crawl`: a GET of an API URL
//! that keeps the response headers (`Link`, `x-next-page`), sends the token as a bearer and
//! marks the request as an API call (rate-limit lanes, see `crawl::ApiLimits`). A trait, so
//! walks can run against an in-memory API in unit tests.

use url::Url;

use crate::crawl::{ApiLimits, FetchError, Request};
use crate::kinds::SourceCx;
use crate::model::Secret;

/// One API answer (2xx, or a 304 answered from the archive).
#[derive(Clone, Debug)]
pub(crate) struct ApiPage {
    /// The URL after redirects.
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl ApiPage {
    /// The first header named `name` (ASCII case ignored).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Fetches API URLs for a forge walk.
pub(crate) trait Api {
    /// GETs `url` with `Accept: accept`.
    async fn get(&self, url: &Url, accept: &str) -> Result<ApiPage, FetchError>;
}

/// [`Api`] over the run's `Fetcher`. The token is pinned to the origin of the declared
/// `api_url`: a URL elsewhere (a `Link` or `x-next-page` pointing away, a redirect) is not
/// requested at all, and a redirect to another origin fails (`crawl`'s token client).
pub(crate) struct FetcherApi<'a, 'b> {
    pub cx: &'a SourceCx<'b>,
    /// The declared `api_url`: its origin is the only one the token goes to.
    pub api_url: &'a Url,
    pub bearer: Option<Secret>,
    pub limits: ApiLimits,
    /// Sent with every request (e.g. `X-GitHub-Api-Version`).
    pub headers: Vec<(String, String)>,
}

impl Api for FetcherApi<'_, '_> {
    async fn get(&self, url: &Url, accept: &str) -> Result<ApiPage, FetchError> {
        if self.bearer.is_some() {
            token_may_go_to(self.api_url, url).map_err(|message| FetchError::Refused {
                url: url.to_string(),
                message,
            })?;
        }
        let mut headers = self.headers.clone();
        headers.push(("accept".into(), accept.into()));
        let req = Request {
            url: url.clone(),
            headers,
            bearer: self.bearer.clone(),
            api: Some(self.limits),
            // API pages are always asked.
            revisit: None,
        };
        let resp = self.cx.fetcher.fetch(&req, self.cx.stats).await?;
        tracing::debug!(url = %url, bytes = resp.body.len(), not_modified = resp.not_modified, "api page");
        Ok(ApiPage {
            url: resp.final_url,
            headers: resp.headers,
            body: resp.body,
        })
    }
}

/// Whether a token pinned to `api_url` may be sent with a request to `url`: the same origin
/// (scheme, host, port), over https, or over http to a loopback address (tests).
pub(crate) fn token_may_go_to(api_url: &Url, url: &Url) -> Result<(), String> {
    if url.origin() != api_url.origin() {
        return Err(format!(
            "refused: the URL leaves the API's origin {}; the token is only sent there",
            api_url.origin().ascii_serialization()
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if url.scheme() == "https" || loopback {
        Ok(())
    } else {
        Err(format!(
            "refused: a token is only sent over https (`{}` is {}://)",
            api_url,
            url.scheme()
        ))
    }
}

/// The `rel="next"` target of a `Link` header, if any.
pub(crate) fn link_next(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_owned())
    })
}

/// The next page of `page`: its `Link` `rel="next"` resolved against its URL, which must stay
/// on the API's origin (a link elsewhere ends the listing with an error message).
pub(crate) fn next_page(page: &ApiPage, api_url: &Url) -> Result<Option<Url>, String> {
    let Some(target) = page.header("link").and_then(link_next) else {
        return Ok(None);
    };
    let next = page
        .url
        .join(&target)
        .map_err(|e| format!("`Link` next `{target}` is not a URL: {e}"))?;
    if next.origin() != api_url.origin() {
        return Err(format!(
            "`Link` next `{next}` leaves the API at `{api_url}`; not followed"
        ));
    }
    Ok(Some(next))
}

/// `base` with `segments` appended to its path, each percent-encoded as one segment.
pub(crate) fn api_path(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    {
        let mut path = url.path_segments_mut().expect("http URLs have a path");
        path.pop_if_empty();
        path.extend(segments);
    }
    url
}

/// `url` with the query pairs appended.
pub(crate) fn with_query(mut url: Url, pairs: &[(&str, &str)]) -> Url {
    url.query_pairs_mut().extend_pairs(pairs);
    url
}

/// True for a fetch error that is an HTTP 404 (or 410).
pub(crate) fn is_not_found(e: &FetchError) -> bool {
    matches!(e.status(), Some(404 | 410))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_goes_to_its_api_origin_over_https_only() {
        let u = |s: &str| Url::parse(s).unwrap();
        let api = u("https://api.github.com");
        assert!(token_may_go_to(&api, &u("https://api.github.com/orgs/x/repos?page=2")).is_ok());
        let err = token_may_go_to(&api, &u("https://evil.example/orgs/x/repos")).unwrap_err();
        assert!(
            err.contains("leaves the API's origin https://api.github.com"),
            "{err}"
        );
        assert!(token_may_go_to(&api, &u("https://api.github.com:8443/x")).is_err());
        assert!(token_may_go_to(&api, &u("http://api.github.com/x")).is_err());
        let plain = u("http://gitlab.example/api/v4");
        let err = token_may_go_to(&plain, &u("http://gitlab.example/api/v4/groups")).unwrap_err();
        assert!(err.contains("only sent over https"), "{err}");
        let local = u("http://127.0.0.1:8080/api/v4");
        assert!(token_may_go_to(&local, &u("http://127.0.0.1:8080/api/v4/x")).is_ok());
    }

    #[test]
    fn link_next_reads_github_and_gitlab_headers() {
        let gh = r#"<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last""#;
        assert_eq!(
            link_next(gh).as_deref(),
            Some("https://api.github.com/repositories/1300192/issues?page=4")
        );
        assert_eq!(link_next(r#"<https://x/?page=1>; rel="first""#), None);
        let gl = r#"<https://gitlab.example/api/v4/groups/1/projects?page=2&per_page=100>; rel="next", <https://gitlab.example/api/v4/groups/1/projects?page=1&per_page=100>; rel="first""#;
        assert!(link_next(gl).unwrap().ends_with("page=2&per_page=100"));
    }

    #[test]
    fn api_path_encodes_each_segment() {
        let base = Url::parse("https://gitlab.example/api/v4").unwrap();
        assert_eq!(
            api_path(&base, &["groups", "a/b c", "projects"]).as_str(),
            "https://gitlab.example/api/v4/groups/a%2Fb%20c/projects"
        );
        let gh = Url::parse("https://api.github.com").unwrap();
        assert_eq!(
            api_path(&gh, &["orgs", "decidim"]).as_str(),
            "https://api.github.com/orgs/decidim"
        );
    }

    #[test]
    fn next_page_must_stay_on_the_api_origin() {
        let api = Url::parse("https://api.github.com").unwrap();
        let page = |link: &str| ApiPage {
            url: Url::parse("https://api.github.com/orgs/x/repos").unwrap(),
            headers: vec![("link".into(), link.into())],
            body: vec![],
        };
        let ok = page(r#"<https://api.github.com/orgs/x/repos?page=2>; rel="next""#);
        assert!(next_page(&ok, &api).unwrap().is_some());
        let away = page(r#"<https://evil.example/x?page=2>; rel="next""#);
        assert!(
            next_page(&away, &api)
                .unwrap_err()
                .contains("leaves the API")
        );
    }
}
