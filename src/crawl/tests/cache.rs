//! Conditional requests through the validator store and the archive.

use super::*;

/// Validators kept in memory, as the state store keeps them on disk.
#[derive(Default)]
struct MemValidators(Mutex<std::collections::HashMap<(String, String), crate::model::Validators>>);

impl conditional::ValidatorStore for Arc<MemValidators> {
    fn get(&self, url: &str, cred: &str) -> Option<crate::model::Validators> {
        self.0
            .lock()
            .unwrap()
            .get(&(url.to_string(), cred.to_string()))
            .cloned()
    }
    fn put(&self, url: &str, cred: &str, v: &crate::model::Validators) {
        self.0
            .lock()
            .unwrap()
            .insert((url.to_string(), cred.to_string()), v.clone());
    }
}

/// Answers with an ETag and honours `If-None-Match` (robots.txt: 404).
fn etag_site(asked: &server::Asked) -> Option<server::Reply> {
    if asked.path == "/robots.txt" {
        return Some(server::Reply::status(404));
    }
    let etag = format!("\"v1-{}\"", asked.path.len());
    let sent = asked
        .headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok());
    if sent == Some(etag.as_str()) {
        return Some(server::Reply::status(304));
    }
    let body = format!("body of {}", asked.path);
    Some(server::Reply::text(body).header("etag", &etag))
}

#[tokio::test]
async fn a_second_fetch_is_conditional_and_a_304_reuses_the_archived_body() {
    let server = Server::start().await;
    server.answer_with(etag_site);
    let base = server.url("/");
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemValidators::default());
    let make = || {
        let f = Fetcher::new(&settings()).unwrap().with_cache(Cache {
            archive: archive::Archive::new(dir.path()),
            store: Box::new(store.clone()),
        });
        f.register_host(&base, FAST);
        f
    };
    let url = base.join("/tools.json").unwrap();
    let first = make();
    let stats = FetchStats::default();
    let a = get(&first, url.clone(), &stats).await.unwrap();
    assert!(!a.not_modified);
    assert_eq!(a.body, b"body of /tools.json");
    // A new run: new fetcher, same store and archive.
    let second = make();
    let stats2 = FetchStats::default();
    let b = get(&second, url.clone(), &stats2).await.unwrap();
    assert!(b.not_modified);
    assert_eq!(b.status, 200);
    assert_eq!(b.body, a.body);
    assert_eq!(FetchStats::get(&stats2.not_modified), 1);
    let sent: Vec<HeaderMap> = server.log().into_iter().map(|s| s.headers).collect();
    let conditional: Vec<_> = sent
        .iter()
        .filter(|h| h.contains_key("if-none-match"))
        .collect();
    assert_eq!(
        conditional.len(),
        1,
        "only the second page fetch is conditional"
    );
    assert_eq!(conditional[0]["if-none-match"], "\"v1-11\"");
}

#[tokio::test]
async fn validators_are_kept_per_credential() {
    let url = Url::parse("https://api.test/x").unwrap();
    let anon = Request::get(url.clone());
    let mut with_token = Request::get(url);
    with_token.bearer = Some(Secret::new("token-one"));
    let h = conditional::credential_hash(&with_token);
    assert_eq!(conditional::credential_hash(&anon), "");
    assert_eq!(h.len(), 16);
    assert!(!h.contains("token"));
    with_token.bearer = Some(Secret::new("token-two"));
    assert_ne!(conditional::credential_hash(&with_token), h);
}
