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
    fn put_revisit(
        &self,
        url: &str,
        cred: &str,
        unchanged: u32,
        asked_at: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        if let Some(v) = self
            .0
            .lock()
            .unwrap()
            .get_mut(&(url.to_string(), cred.to_string()))
        {
            v.unchanged = unchanged;
            v.asked_at = asked_at;
        }
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

/// A fetcher of a new run over `store` and the archive in `dir`, `server` registered.
fn run_fetcher(server: &Server, dir: &std::path::Path, store: &Arc<MemValidators>) -> Fetcher {
    let f = Fetcher::new(&settings()).unwrap().with_cache(Cache::new(
        archive::Archive::new(dir),
        Box::new(store.clone()),
    ));
    f.register_host(&server.url("/"), FAST);
    f
}

fn stored(store: &MemValidators, url: &Url) -> crate::model::Validators {
    store.0.lock().unwrap()[&(url.to_string(), String::new())].clone()
}

/// Moves the last ask of `url` back by `hours`, as if that much time had passed.
fn age(store: &MemValidators, url: &Url, hours: i64) {
    let mut all = store.0.lock().unwrap();
    let v = all.get_mut(&(url.to_string(), String::new())).unwrap();
    v.asked_at = v.asked_at.map(|t| t - chrono::TimeDelta::hours(hours));
}

/// One run's fetch of `url` under the revisit policy, its validators committed as at the end
/// of a source's crawl.
async fn get_revisited(f: &Fetcher, url: &Url, stats: &FetchStats) -> Result<Response, FetchError> {
    let result = f
        .fetch(
            &Request::get(url.clone()).revisit(Revisit::default()),
            stats,
        )
        .await;
    f.flush_cache();
    result
}

#[tokio::test]
async fn a_page_not_due_for_a_revisit_is_answered_from_the_archive_without_a_request() {
    let server = Server::start().await;
    server.answer_with(etag_site);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemValidators::default());
    let url = server.url("/tools/a");
    let hits = || server.hits("/tools/a");

    // Run 1: asked; the streak starts at 0.
    let stats = FetchStats::default();
    let first = get_revisited(&run_fetcher(&server, dir.path(), &store), &url, &stats)
        .await
        .unwrap();
    assert!(!first.carried);
    assert_eq!((hits(), FetchStats::get(&stats.pages_asked)), (1, 1));
    let v = stored(&store, &url);
    assert_eq!(v.unchanged, 0);
    assert!(v.asked_at.is_some());
    assert_eq!(v.content_type.as_deref(), Some("text/plain"));

    // Run 2, the same day: not due (1 day after a new body), carried.
    let stats = FetchStats::default();
    let carried = get_revisited(&run_fetcher(&server, dir.path(), &store), &url, &stats)
        .await
        .unwrap();
    assert!(carried.carried && !carried.not_modified);
    assert_eq!((carried.status, &carried.body), (200, &first.body));
    assert_eq!(carried.header("content-type"), Some("text/plain"));
    assert_eq!(hits(), 1, "no request");
    assert_eq!(FetchStats::get(&stats.pages_carried), 1);
    assert_eq!(FetchStats::get(&stats.pages_asked), 0);
    assert_eq!(FetchStats::get(&stats.requests), 1, "robots.txt only");

    // A day later: due, asked conditionally (304), the streak grows to 1.
    age(&store, &url, 24);
    let stats = FetchStats::default();
    let again = get_revisited(&run_fetcher(&server, dir.path(), &store), &url, &stats)
        .await
        .unwrap();
    assert!(again.not_modified && !again.carried);
    assert_eq!(hits(), 2);
    assert_eq!(stored(&store, &url).unchanged, 1);
    // A day later still: not due (2 days after one unchanged answer).
    age(&store, &url, 24);
    let stats = FetchStats::default();
    let f = run_fetcher(&server, dir.path(), &store);
    assert!(get_revisited(&f, &url, &stats).await.unwrap().carried);
    assert_eq!(hits(), 2);
    // A plain request (a listing page) is always asked.
    get(&f, url.clone(), &stats).await.unwrap();
    assert_eq!(hits(), 3);
    // `--full` asks everything.
    let f = run_fetcher(&server, dir.path(), &store).asking_everything();
    let full = get_revisited(&f, &url, &FetchStats::default())
        .await
        .unwrap();
    assert!(full.not_modified);
    assert_eq!(hits(), 4);
}

#[tokio::test]
async fn a_page_whose_archived_body_is_missing_or_damaged_is_asked() {
    let server = Server::start().await;
    server.answer_with(etag_site);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemValidators::default());
    let url = server.url("/tools/b");
    let stats = FetchStats::default();
    get_revisited(&run_fetcher(&server, dir.path(), &store), &url, &stats)
        .await
        .unwrap();
    let sha = stored(&store, &url).body_sha256;
    assert!(archive::Archive::new(dir.path()).contains(&sha));
    // Gone (a pruned archive, packs and all): asked in full, not conditionally, not carried.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
    assert!(!archive::Archive::new(dir.path()).contains(&sha));
    let got = get_revisited(&run_fetcher(&server, dir.path(), &store), &url, &stats)
        .await
        .unwrap();
    assert!(!got.carried && !got.not_modified);
    assert_eq!(got.body, b"body of /tools/b");
    assert_eq!(server.hits("/tools/b"), 2);
    let last = server.log().pop().unwrap();
    assert!(!last.headers.contains_key("if-none-match"));
    assert!(
        archive::Archive::new(dir.path()).contains(&sha),
        "archived again"
    );
    // A damaged body is covered by the archive's own tests (a tampered pack is not
    // returned); the fetcher then asks as here.
}

#[tokio::test]
async fn a_failed_ask_makes_the_page_due_and_the_same_body_without_validators_lengthens_the_streak()
{
    let server = Server::start().await;
    // Each reply sets its own ETag (the server then answers no 304 itself): a body, a 500,
    // the same body under another ETag, a new body.
    server.route(
        "/tools/c",
        vec![
            server::Reply::text("same body").header("etag", "W/\"x1\""),
            server::Reply::status(500),
            server::Reply::text("same body").header("etag", "W/\"x2\""),
            server::Reply::text("new body").header("etag", "W/\"x3\""),
        ],
    );
    server.always("/robots.txt", server::Reply::status(404));
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemValidators::default());
    let url = server.url("/tools/c");
    let stats = FetchStats::default();
    let mut s = settings();
    s.max_attempts = 1;
    let fetcher = |full: bool| {
        let f = Fetcher::new(&s).unwrap().with_cache(Cache::new(
            archive::Archive::new(dir.path()),
            Box::new(store.clone()),
        ));
        f.register_host(&server.url("/"), FAST);
        if full { f.asking_everything() } else { f }
    };
    get_revisited(&fetcher(false), &url, &stats).await.unwrap();
    age(&store, &url, 48);
    // Due: asked, and it fails: the page is due next run whatever its streak.
    get_revisited(&fetcher(false), &url, &stats)
        .await
        .unwrap_err();
    let v = stored(&store, &url);
    assert_eq!((v.unchanged, v.asked_at), (0, None));
    assert!(
        !get_revisited(&fetcher(false), &url, &stats)
            .await
            .unwrap()
            .carried
    );
    // The same body under another ETag: unchanged all the same (its hash).
    assert_eq!(stored(&store, &url).unchanged, 1);
    // `--full` asks, and a new body starts the streak again.
    get_revisited(&fetcher(true), &url, &stats).await.unwrap();
    assert_eq!(stored(&store, &url).unchanged, 0);
    assert_eq!(server.hits("/tools/c"), 4);
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
