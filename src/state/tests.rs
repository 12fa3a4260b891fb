//! Unit tests of the state store: records, runs, sources, the id registry, reopening.

use chrono::TimeZone;

use super::*;

fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
}

fn rec(id: &str) -> RawRecord {
    let mut r = RawRecord {
        record_id: id.into(),
        source_url: "https://x.test/a".into(),
        ..RawRecord::default()
    };
    r.fields.insert("name".into(), vec![format!("Tool {id}")]);
    r
}

fn run(run_id: &str, source: &str, status: &str) -> SourceRun {
    SourceRun {
        run_id: run_id.into(),
        source_id: source.into(),
        status: SourceStatus::parse(status).expect("a status name"),
        records: 0,
        requests: 1,
        not_modified: 0,
        error: None,
        duration_ms: 5,
    }
}

#[test]
fn migrations_apply_once_and_reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.sqlite");
    {
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), migrations::VERSION as i64);
        s.save_source(&run("r1", "a", "ok"), &[rec("1")], t(3))
            .unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), migrations::VERSION as i64);
    assert_eq!(s.record_count("a").unwrap(), 1);
}

#[test]
fn save_source_keeps_first_seen_and_replaces_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.sqlite")).unwrap();
    s.save_source(&run("r1", "a", "ok"), &[rec("1"), rec("2")], t(1))
        .unwrap();
    s.save_source(&run("r2", "a", "ok"), &[rec("2"), rec("3")], t(2))
        .unwrap();
    let got = s.source_records("a").unwrap();
    let ids: Vec<&str> = got.iter().map(|r| r.raw.record_id.as_str()).collect();
    assert_eq!(ids, ["2", "3"]);
    assert_eq!(got[0].first_seen_at, t(1));
    assert_eq!(got[0].last_seen_at, t(2));
    assert_eq!(got[1].first_seen_at, t(2));
    assert_eq!(got[0].raw, rec("2"));
}

#[test]
fn keep_stale_flags_records_without_touching_last_seen() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.sqlite")).unwrap();
    s.save_source(&run("r1", "a", "ok"), &[rec("1")], t(1))
        .unwrap();
    s.keep_stale(&run("r2", "a", "stale")).unwrap();
    let got = s.source_records("a").unwrap();
    assert!(got[0].stale);
    assert_eq!(got[0].last_seen_at, t(1));
    assert_eq!(s.source_runs("r2").unwrap()[0].status, SourceStatus::Stale);
    // A later success clears the flag.
    s.save_source(&run("r3", "a", "ok"), &[rec("1")], t(3))
        .unwrap();
    assert!(!s.source_records("a").unwrap()[0].stale);
}

#[test]
fn validators_are_keyed_by_url_and_credential() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let v = Validators {
        etag: Some("\"abc\"".into()),
        last_modified: None,
        body_sha256: "00ff".into(),
        final_url: "https://x.test/a".into(),
        fetched_at: t(1),
        content_type: Some("text/html".into()),
        unchanged: 2,
        asked_at: Some(t(1)),
    };
    s.put_validators("https://x.test/a", "tok1", &v).unwrap();
    assert_eq!(
        s.validators("https://x.test/a", "tok1").unwrap(),
        Some(v.clone())
    );
    assert_eq!(s.validators("https://x.test/a", "").unwrap(), None);
    let v2 = Validators {
        etag: Some("\"def\"".into()),
        ..v
    };
    s.put_validators("https://x.test/a", "tok1", &v2).unwrap();
    assert_eq!(
        s.validators("https://x.test/a", "tok1").unwrap(),
        Some(v2.clone())
    );
    // The revisit policy's memory alone: a 304 three runs in a row, then a failed ask.
    s.put_revisit("https://x.test/a", "tok1", 3, Some(t(2)))
        .unwrap();
    let got = s.validators("https://x.test/a", "tok1").unwrap().unwrap();
    assert_eq!((got.unchanged, got.asked_at), (3, Some(t(2))));
    assert_eq!(got.etag, v2.etag, "the validators stay");
    s.put_revisit("https://x.test/a", "tok1", 0, None).unwrap();
    let got = s.validators("https://x.test/a", "tok1").unwrap().unwrap();
    assert_eq!((got.unchanged, got.asked_at), (0, None));
    // Nothing for a URL without validators.
    s.put_revisit("https://x.test/b", "", 1, Some(t(2)))
        .unwrap();
    assert_eq!(s.validators("https://x.test/b", "").unwrap(), None);
    // A batch (committed after the archive's sync) keeps every column, the streak too.
    let v3 = Validators {
        unchanged: 4,
        asked_at: Some(t(3)),
        content_type: Some("text/html".into()),
        ..v2
    };
    s.put_validators_many(&[("https://x.test/a".into(), "tok1".into(), v3.clone())])
        .unwrap();
    assert_eq!(s.validators("https://x.test/a", "tok1").unwrap(), Some(v3));
}

#[test]
fn id_registry_keeps_the_first_id_of_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.sqlite")).unwrap();
    s.save_tool_ids(&[("repo:a".into(), "ct_1".into())], &[], t(1))
        .unwrap();
    s.save_tool_ids(
        &[
            ("repo:a".into(), "ct_2".into()),
            ("home:b".into(), "ct_2".into()),
        ],
        &[],
        t(2),
    )
    .unwrap();
    let ids = s.tool_ids().unwrap();
    assert_eq!(ids["repo:a"], "ct_1");
    assert_eq!(ids["home:b"], "ct_2");
}

#[test]
fn interrupted_runs_are_found_and_closed() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("s.sqlite")).unwrap();
    s.begin_run("r1", t(1)).unwrap();
    s.finish_run("r1", "published", Some("rel")).unwrap();
    s.begin_run("r2", t(2)).unwrap();
    assert_eq!(s.interrupted_runs().unwrap(), ["r2"]);
    assert_eq!(s.close_interrupted_runs().unwrap(), 1);
    assert!(s.interrupted_runs().unwrap().is_empty());
}
