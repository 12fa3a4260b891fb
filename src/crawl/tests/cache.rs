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
        let f = Fetcher::new(&settings()).unwrap().with_cache(Cache::new(
            archive::Archive::new(dir.path()),
            Box::new(store.clone()),
        ));
        f.register_host(&base, FAST);
        f
    };
    let url = base.join("/tools.json").unwrap();
    let first = make();
    let stats = FetchStats::default();
    let a = get(&first, url.clone(), &stats).await.unwrap();
    assert!(!a.not_modified);
    assert_eq!(a.body, b"body of /tools.json");
    first.flush_cache(); // as at the end of a source's crawl
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

#[tokio::test]
async fn validators_wait_for_their_bodies_to_be_synced() {
    let server = Server::start().await;
    server.answer_with(etag_site);
    let base = server.url("/");
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemValidators::default());
    let fetcher = Fetcher::new(&settings()).unwrap().with_cache(Cache::new(
        archive::Archive::new(dir.path()),
        Box::new(store.clone()),
    ));
    fetcher.register_host(&base, FAST);
    let stats = FetchStats::default();
    let url = base.join("/a.html").unwrap();
    let a = get(&fetcher, url.clone(), &stats).await.unwrap();
    let sha = a.body_sha256.clone().unwrap();
    assert!(
        store.0.lock().unwrap().is_empty(),
        "nothing committed before the archive is synced"
    );
    assert!(
        !archive::Archive::new(dir.path()).contains(&sha),
        "not durable yet: another process does not see it"
    );
    // Asked again in the same run: the waiting validators are used.
    let again = get(&fetcher, url.clone(), &stats).await.unwrap();
    assert!(again.not_modified);
    fetcher.flush_cache();
    let committed = store.0.lock().unwrap().clone();
    assert_eq!(committed.len(), 1, "{committed:?}");
    let v = &committed[&(url.to_string(), String::new())];
    assert_eq!(v.body_sha256, sha);
    assert_eq!(
        archive::Archive::new(dir.path()).get(&sha).unwrap(),
        b"body of /a.html"
    );
}
