//! Issue 3: crash safety. A `civicrawl run` killed with SIGKILL at a named failpoint (during
//! the crawl, inside a SQLite transaction, at every step of publishing) leaves the previous
//! release and `latest` intact, every release directory complete and the state store
//! consistent; the next run completes, cleans the leftovers, and answers the pages the killed
//! run archived from their validators (304) instead of fetching them again.
//!
//! Each test: a first normal run publishes release A; the servers then change a little (a new
//! record and a new description on registry page 3, a new description on one directory detail
//! page); a run armed with `CIVICRAWL_FAILPOINT` is killed where it stops; the tree and the
//! store are checked; a normal run follows and is checked. `first_run_*` tests kill the very
//! first run instead (no previous release).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::spine::registry_and_directory;
use crate::support::{Reply, Server, Workdir, fixture, read_jsonl};

/// How long a child may take to reach its failpoint.
const REACH_TIMEOUT: Duration = Duration::from_secs(30);

/// Tools of the registry + directory sources before the change.
const NAMES_BEFORE: &[&str] = &[
    "Alaveteli",
    "CONSUL Democracy",
    "Decidim",
    "FixMyStreet Platform",
    "Loomio",
    "OpenFisca",
    "Pol.is",
];
/// The record the change adds to registry page 3.
const NEW_TOOL: &str = "Crashproof Commons";
const NEW_OPENFISCA: &str = "Rules as code, now surviving SIGKILL.";
const NEW_POLIS: &str = "Real-time system for gathering what large groups think, crash-tested.";

const PAGE_3: &str = "/api/v1/software?page%5Bafter%5D=c3";
const POLIS: &str = "/tools/polis";

/// What a point has done when the process is killed there.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Staged {
    /// Nothing of the new release on disk.
    Nothing,
    /// A `releases/.tmp-*` directory (partly) written.
    TmpDir,
    /// The new release directory renamed into place; `latest` not switched.
    Release,
    /// As `Release`, plus a `latest.tmp-*` symlink not yet renamed over `latest`.
    LatestTmp,
    /// `latest` switched to the new release.
    Switched,
}

#[derive(Clone, Copy, Debug)]
struct Point {
    name: &'static str,
    /// Every page was fetched (and archived) before the kill.
    crawl_done: bool,
    /// The new records were committed to the store before the kill.
    records_saved: bool,
    staged: Staged,
}

const POINTS: &[Point] = &[
    Point {
        name: "crawl-after-archive",
        crawl_done: false,
        records_saved: false,
        staged: Staged::Nothing,
    },
    Point {
        name: "archive-before-rename",
        crawl_done: false,
        records_saved: false,
        staged: Staged::Nothing,
    },
    Point {
        name: "run-after-crawl",
        crawl_done: true,
        records_saved: false,
        staged: Staged::Nothing,
    },
    // Inside the transaction replacing `directory`'s records (the first source saved).
    Point {
        name: "state-save-before-commit",
        crawl_done: true,
        records_saved: false,
        staged: Staged::Nothing,
    },
    Point {
        name: "run-before-publish",
        crawl_done: true,
        records_saved: true,
        staged: Staged::Nothing,
    },
    Point {
        name: "publish-start",
        crawl_done: true,
        records_saved: true,
        staged: Staged::Nothing,
    },
    Point {
        name: "publish-after-tools",
        crawl_done: true,
        records_saved: true,
        staged: Staged::TmpDir,
    },
    Point {
        name: "publish-before-sums",
        crawl_done: true,
        records_saved: true,
        staged: Staged::TmpDir,
    },
    Point {
        name: "publish-before-rename",
        crawl_done: true,
        records_saved: true,
        staged: Staged::TmpDir,
    },
    Point {
        name: "publish-after-rename",
        crawl_done: true,
        records_saved: true,
        staged: Staged::Release,
    },
    Point {
        name: "publish-latest-link-staged",
        crawl_done: true,
        records_saved: true,
        staged: Staged::LatestTmp,
    },
    Point {
        name: "run-after-publish",
        crawl_done: true,
        records_saved: true,
        staged: Staged::Switched,
    },
];

fn point(name: &str) -> Point {
    *POINTS
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("unknown failpoint {name}"))
}

// ---------------------------------------------------------------------------------------------
// The killed child.

/// A child process that is SIGKILLed and reaped when dropped (also when an assertion fails).
struct KillOnDrop(Child);

impl KillOnDrop {
    /// SIGKILLs the child and waits for it.
    fn kill(&mut self) -> ExitStatus {
        let _ = self.0.kill();
        self.0.wait().expect("wait for the killed child")
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `civicrawl run` armed at `point`, waits until it reports the point reached, SIGKILLs
/// it there. Returns its stderr up to that moment.
async fn run_killed_at(w: &Workdir, point: &str) -> String {
    let mut cmd = w.command(&["run"], &[("CIVICRAWL_FAILPOINT", point)]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn civicrawl");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut child = KillOnDrop(child);
    let seen = Arc::new(Mutex::new(String::new()));
    let marker = format!("failpoint {point} reached");
    let reader = {
        let seen = Arc::clone(&seen);
        tokio::task::spawn_blocking(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let reached = line.contains(&marker);
                let mut seen = seen.lock().unwrap();
                seen.push_str(&line);
                seen.push('\n');
                if reached {
                    return true;
                }
            }
            false
        })
    };
    let reached = matches!(
        tokio::time::timeout(REACH_TIMEOUT, reader).await,
        Ok(Ok(true))
    );
    let status = child.kill();
    let seen = seen.lock().unwrap().clone();
    assert!(
        reached,
        "`civicrawl run` did not reach failpoint `{point}` (it ended, or {REACH_TIMEOUT:?} passed; {status}); stderr:\n{seen}"
    );
    assert_eq!(
        status.signal(),
        Some(9),
        "killed by SIGKILL at `{point}` ({status}); stderr:\n{seen}"
    );
    seen
}

// ---------------------------------------------------------------------------------------------
// The world and its change.

struct World {
    w: Workdir,
    reg: Server,
    dir: Server,
}

impl World {
    async fn new() -> World {
        let (reg, dir, w) = registry_and_directory().await;
        // Every detail page asked every run (`revisit_max_days = 0`): the change to Pol.is's
        // page must be seen by the killed run and the next one.
        let decl = crate::spine::directory_decl(&dir.base())
            .replace("[fields]", "revisit_max_days = 0\n[fields]");
        w.source("directory", &decl);
        World { w, reg, dir }
    }

    fn out(&self) -> PathBuf {
        self.w.out()
    }

    /// Registry page 3 gains a record and OpenFisca a new description; Pol.is's detail page a
    /// new description.
    fn change(&self) {
        let mut page: serde_json::Value =
            serde_json::from_slice(&fixture("spine/registry-page-3.json", &self.reg.base()))
                .unwrap();
        let data = page["data"].as_array_mut().unwrap();
        data[0]["description"] = NEW_OPENFISCA.into();
        data.push(serde_json::json!({
            "id": "crashproof",
            "name": NEW_TOOL,
            "description": "A tool added between the killed run and the one before.",
            "website": "https://crashproof.example.org",
            "license": [{"spdx": "MIT"}],
            "repositories": [{"name": "main", "url": "https://github.com/example/crashproof"}],
            "organizations": [{"name": "Example"}]
        }));
        self.reg
            .always(PAGE_3, Reply::json(serde_json::to_vec(&page).unwrap()));
        let polis = String::from_utf8(fixture("spine/tool-polis.html", &self.dir.base()))
            .unwrap()
            .replace(
                "Real-time system for gathering and analysing what large groups think.",
                NEW_POLIS,
            );
        assert!(polis.contains(NEW_POLIS));
        self.dir.always(POLIS, Reply::html(polis));
    }

    /// The full URLs of the two changed pages.
    fn changed_urls(&self) -> BTreeSet<String> {
        BTreeSet::from([
            format!("{}{PAGE_3}", self.reg.base()),
            format!("{}{POLIS}", self.dir.base()),
        ])
    }

    /// Request counts of both servers, to slice the logs of one run.
    fn mark(&self) -> (usize, usize, usize) {
        (
            self.reg.log().len(),
            self.dir.log().len(),
            self.reg.not_modified() + self.dir.not_modified(),
        )
    }

    /// (full URL, If-None-Match) of every request since `mark`.
    fn requests_since(&self, mark: (usize, usize, usize)) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for (server, from) in [(&self.reg, mark.0), (&self.dir, mark.1)] {
            for seen in &server.log()[from..] {
                let inm = seen
                    .headers
                    .get("if-none-match")
                    .map(|v| v.to_str().unwrap().to_string());
                out.push((format!("{}{}", server.base(), seen.target), inm));
            }
        }
        out
    }

    fn not_modified_since(&self, mark: (usize, usize, usize)) -> usize {
        self.reg.not_modified() + self.dir.not_modified() - mark.2
    }
}

// ---------------------------------------------------------------------------------------------
// The release tree.

/// The files of a release directory, after checking it is complete: it has `SHA256SUMS`, every
/// file it lists exists and hashes right, it lists every other file, and the usual files are
/// all there.
fn complete_release(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap_or_else(|e| panic!("{}: no SHA256SUMS: {e}", dir.display()));
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        assert!(
            entry.file_type().unwrap().is_file(),
            "{}: only files in a release",
            entry.path().display()
        );
        let name = entry.file_name().to_string_lossy().into_owned();
        files.insert(name, std::fs::read(entry.path()).unwrap());
    }
    let mut listed = BTreeSet::new();
    for line in sums.lines() {
        let (sum, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("{}: bad SHA256SUMS line {line:?}", dir.display()));
        let bytes = files
            .get(name)
            .unwrap_or_else(|| panic!("{}: {name} listed but missing", dir.display()));
        assert_eq!(hex_sha256(bytes), sum, "{}: {name} hash", dir.display());
        listed.insert(name.to_string());
    }
    let on_disk: BTreeSet<String> = files
        .keys()
        .filter(|n| *n != "SHA256SUMS")
        .cloned()
        .collect();
    assert_eq!(
        listed,
        on_disk,
        "{}: SHA256SUMS lists every file",
        dir.display()
    );
    for f in civicrawl::publish::RELEASE_FILES {
        if f == civicrawl::publish::SHA256SUMS {
            continue;
        }
        assert!(files.contains_key(f), "{}: {f} missing", dir.display());
    }
    files
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `output/` holds, every release checked complete.
#[derive(Debug)]
struct Tree {
    /// Release id → files.
    releases: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    /// The release `latest` points at (the link is relative and resolves).
    latest: Option<String>,
    /// `releases/.tmp-*` entries.
    tmp_dirs: Vec<String>,
    /// `latest.tmp-*` entries.
    latest_tmps: Vec<String>,
}

fn tree(out: &Path) -> Tree {
    let mut releases = BTreeMap::new();
    let mut tmp_dirs = Vec::new();
    let dir = out.join("releases");
    if dir.exists() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp-") {
                tmp_dirs.push(name);
            } else {
                releases.insert(name, complete_release(&entry.path()));
            }
        }
    }
    let mut latest_tmps = Vec::new();
    if out.exists() {
        for entry in std::fs::read_dir(out).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.starts_with("latest.tmp") {
                latest_tmps.push(name);
            }
        }
    }
    let link = out.join("latest");
    let latest = std::fs::symlink_metadata(&link).ok().map(|meta| {
        assert!(meta.file_type().is_symlink(), "latest is a symlink");
        let target = std::fs::read_link(&link).unwrap();
        let id = target
            .strip_prefix("releases")
            .unwrap_or_else(|_| panic!("latest -> {target:?}: relative, into releases/"))
            .to_string_lossy()
            .into_owned();
        assert!(
            releases.contains_key(&id),
            "latest -> {target:?} is a complete release (releases: {:?})",
            releases.keys()
        );
        id
    });
    Tree {
        releases,
        latest,
        tmp_dirs,
        latest_tmps,
    }
}

fn tool_ids(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    std::str::from_utf8(&files["tools.jsonl"])
        .unwrap()
        .lines()
        .map(|l| {
            let t: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                t["name"].as_str().unwrap().to_string(),
                t["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A release made after the change holds the changed data.
fn check_changed_release(out: &Path, id: &str) {
    let tools = read_jsonl(&out.join("releases").join(id).join("tools.jsonl"));
    let find = |name: &str| {
        tools
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{id}: no {name} in {tools:#?}"))
    };
    let names: BTreeSet<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut expected: BTreeSet<&str> = NAMES_BEFORE.iter().copied().collect();
    expected.insert(NEW_TOOL);
    assert_eq!(names, expected, "{id}: the tools after the change");
    assert_eq!(find("OpenFisca")["description"], NEW_OPENFISCA, "{id}");
    assert_eq!(find("Pol.is")["description"], NEW_POLIS, "{id}");
    assert_eq!(
        find(NEW_TOOL)["homepage_url"],
        "https://crashproof.example.org",
        "{id}"
    );
}

// ---------------------------------------------------------------------------------------------
// The state store.

/// What the state store holds, after checking it opens and is intact, and that every stored
/// validator's body is in the archive.
#[derive(Debug, Default)]
struct StoreView {
    /// Source → (record id, raw record) by record id.
    records: BTreeMap<String, Vec<(String, String)>>,
    /// URL → (ETag, body SHA-256), anonymous fetches.
    validators: BTreeMap<String, (Option<String>, String)>,
    /// (run id, status, release id) by start.
    runs: Vec<(String, String, Option<String>)>,
    /// Temporary files in the archive (a batch of bodies written, not synced and renamed).
    archive_tmps: Vec<PathBuf>,
}

fn store(out: &Path) -> StoreView {
    let path = out.join("state.sqlite");
    let db =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let integrity: Vec<String> = db
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(integrity, ["ok"], "{}: integrity_check", path.display());
    let mut view = StoreView::default();
    {
        let mut stmt = db
            .prepare("SELECT source_id, record_id, raw FROM records ORDER BY source_id, record_id")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        for row in rows {
            let (source, id, raw) = row.unwrap();
            view.records.entry(source).or_default().push((id, raw));
        }
        let mut stmt = db
            .prepare("SELECT url, etag, body_sha256 FROM validators WHERE cred = ''")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
            .unwrap();
        view.validators = rows.collect::<Result<_, _>>().unwrap();
        let mut stmt = db
            .prepare("SELECT run_id, status, release_id FROM runs ORDER BY started_at, run_id")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        view.runs = rows.collect::<Result<_, _>>().unwrap();
    }
    drop(db);

    // Every archived body is whole (a pack decodes, a file of the one-file layout is named by
    // its hash), and every validator's body is archived.
    let archive = out.join("archive");
    if archive.exists() {
        for sub in std::fs::read_dir(&archive).unwrap() {
            let sub = sub.unwrap().path();
            let packs = sub.file_name().unwrap() == "packs";
            for file in std::fs::read_dir(&sub).unwrap() {
                let path = file.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    view.archive_tmps.push(path);
                    continue;
                }
                assert!(
                    name.ends_with(".zst"),
                    "unexpected archive file {}",
                    path.display()
                );
                let body = zstd::decode_all(std::fs::read(&path).unwrap().as_slice())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                if !packs {
                    let sha = name.strip_suffix(".zst").unwrap();
                    assert_eq!(hex_sha256(&body), sha, "{} is whole", path.display());
                }
            }
        }
    }
    let bodies = civicrawl::crawl::archive::Archive::new(&archive);
    for (url, (_, sha)) in &view.validators {
        assert!(
            bodies.get(sha).is_some(),
            "the body of {url} ({sha}) is archived"
        );
    }
    view
}

// ---------------------------------------------------------------------------------------------
// The scenario.

/// Kills a run at `name`, checks what it left, runs again and checks that.
/// `first_run`: the killed run is the very first (no release A before it).
async fn crash_at(name: &str, first_run: bool) {
    let p = point(name);
    let world = World::new().await;
    let out = world.out();

    // Release A.
    let (a_id, before_tree, before_store) = if first_run {
        (None, None, StoreView::default())
    } else {
        world.w.civicrawl(&["run"]).await.expect_code(0);
        let t = tree(&out);
        assert_eq!(t.releases.len(), 1);
        (t.latest.clone(), Some(t), store(&out))
    };
    if let Some(a) = &a_id {
        let names: BTreeSet<String> = tool_ids(&before_tree.as_ref().unwrap().releases[a])
            .into_keys()
            .collect();
        let expected: BTreeSet<String> = NAMES_BEFORE.iter().map(|s| s.to_string()).collect();
        assert_eq!(names, expected, "release A");
    }
    world.change();

    // The killed run.
    let killed_stderr = run_killed_at(&world.w, name).await;
    let ctx = |what: &str| format!("{name}: {what}; killed run's stderr:\n{killed_stderr}");
    let killed = tree(&out);
    let after_kill = store(&out);

    // The previous release and `latest` are intact.
    if let (Some(a), Some(before)) = (&a_id, &before_tree) {
        assert_eq!(
            killed.releases[a],
            before.releases[a],
            "{}",
            ctx("release A is byte-identical")
        );
    }
    let new_ids: Vec<&String> = killed
        .releases
        .keys()
        .filter(|id| Some(*id) != a_id.as_ref())
        .collect();
    match p.staged {
        Staged::Nothing | Staged::TmpDir => {
            assert!(
                new_ids.is_empty(),
                "{}",
                ctx(&format!("no new release: {new_ids:?}"))
            );
        }
        Staged::Release | Staged::LatestTmp | Staged::Switched => {
            assert_eq!(new_ids.len(), 1, "{}", ctx("one new, complete release"));
            check_changed_release(&out, new_ids[0]);
        }
    }
    let expected_latest = match p.staged {
        Staged::Switched => new_ids.first().map(|s| s.to_string()),
        _ => a_id.clone(),
    };
    assert_eq!(killed.latest, expected_latest, "{}", ctx("latest"));
    assert_eq!(
        killed.tmp_dirs.len(),
        usize::from(p.staged == Staged::TmpDir),
        "{}",
        ctx(&format!("temporary release dirs {:?}", killed.tmp_dirs))
    );
    assert_eq!(
        killed.latest_tmps.len(),
        usize::from(p.staged == Staged::LatestTmp),
        "{}",
        ctx(&format!("staged latest links {:?}", killed.latest_tmps))
    );
    if name == "archive-before-rename" {
        assert!(
            !after_kill.archive_tmps.is_empty(),
            "{}",
            ctx("a batch of bodies was written and not renamed")
        );
    }

    // The store holds either the old records or the new ones, never a mix.
    if p.records_saved {
        assert_ne!(
            after_kill.records,
            before_store.records,
            "{}",
            ctx("records saved")
        );
    } else {
        assert_eq!(
            after_kill.records,
            before_store.records,
            "{}",
            ctx("records unchanged")
        );
    }
    let running: Vec<_> = after_kill
        .runs
        .iter()
        .filter(|r| r.1 == "running")
        .collect();
    assert_eq!(
        running.len(),
        1,
        "{}",
        ctx(&format!(
            "the killed run is journalled: {:?}",
            after_kill.runs
        ))
    );

    // The pages the killed run fetched and archived (validators new since release A).
    let archived: BTreeMap<&String, &(Option<String>, String)> = after_kill
        .validators
        .iter()
        .filter(|(url, v)| before_store.validators.get(*url) != Some(*v))
        .collect();
    if first_run {
        assert!(!archived.is_empty(), "{}", ctx("pages archived"));
    } else {
        let urls: BTreeSet<String> = archived.keys().map(|u| u.to_string()).collect();
        if p.crawl_done {
            assert_eq!(
                urls,
                world.changed_urls(),
                "{}",
                ctx("the changed pages archived")
            );
        } else {
            assert!(
                urls.is_subset(&world.changed_urls()),
                "{}",
                ctx(&format!("{urls:?}"))
            );
            if name == "crawl-after-archive" {
                assert!(!urls.is_empty(), "{}", ctx("a changed page archived"));
            }
        }
    }

    // The next run completes.
    let mark = world.mark();
    let next = world.w.civicrawl(&["run"]).await;
    next.expect_code(0);
    let ctx = |what: &str| {
        format!(
            "{name}: {what}; killed run's stderr:\n{killed_stderr}\nnext run's stderr:\n{}",
            next.stderr()
        )
    };
    let done = tree(&out);
    let after = store(&out);
    let latest = done
        .latest
        .clone()
        .unwrap_or_else(|| panic!("{}", ctx("latest after the next run")));
    assert!(
        !killed.releases.contains_key(&latest),
        "{}",
        ctx(&format!("latest -> a new release, not {latest}"))
    );
    check_changed_release(&out, &latest);
    let mut expected_ids: BTreeSet<&String> = killed.releases.keys().collect();
    expected_ids.insert(&latest);
    assert_eq!(
        done.releases.keys().collect::<BTreeSet<_>>(),
        expected_ids,
        "{}",
        ctx("earlier releases kept")
    );
    for (id, files) in &killed.releases {
        assert_eq!(
            &done.releases[id],
            files,
            "{}",
            ctx(&format!("{id} unchanged"))
        );
    }
    assert!(
        done.tmp_dirs.is_empty(),
        "{}",
        ctx(&format!("leftovers {:?}", done.tmp_dirs))
    );
    assert!(
        done.latest_tmps.is_empty(),
        "{}",
        ctx(&format!("leftovers {:?}", done.latest_tmps))
    );
    // Tool ids are stable over the crash (the id registry may have missed the killed run's).
    let ids = tool_ids(&done.releases[&latest]);
    for (rel, files) in &killed.releases {
        for (tool, id) in tool_ids(files) {
            assert_eq!(
                ids.get(&tool),
                Some(&id),
                "{}",
                ctx(&format!("id of {tool} as in {rel}"))
            );
        }
    }
    // The journal: the killed run closed as interrupted, this one published `latest`.
    let statuses: Vec<&str> = after.runs.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "interrupted").count(),
        1,
        "{}",
        ctx(&format!("runs {:?}", after.runs))
    );
    assert!(
        !statuses.contains(&"running"),
        "{}",
        ctx(&format!("runs {:?}", after.runs))
    );
    let last = after.runs.last().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_deref()),
        ("published", Some(latest.as_str())),
        "{}",
        ctx("the next run journalled")
    );

    // Pages archived by the killed run are asked for with their validators and answered 304.
    let requests = world.requests_since(mark);
    let not_modified = world.not_modified_since(mark);
    for (url, (etag, _)) in &archived {
        let asked: Vec<_> = requests.iter().filter(|(u, _)| u == *url).collect();
        assert!(
            !asked.is_empty(),
            "{}",
            ctx(&format!("{url} requested again"))
        );
        for (_, inm) in asked {
            assert_eq!(
                inm,
                etag,
                "{}",
                ctx(&format!("{url}: If-None-Match from the killed run"))
            );
        }
        assert_eq!(
            after.validators[*url].0,
            *etag,
            "{}",
            ctx(&format!("{url}: unchanged, so answered 304"))
        );
    }
    assert!(not_modified >= archived.len(), "{}", ctx("304s"));
    if p.crawl_done {
        assert_eq!(
            not_modified,
            requests.len(),
            "{}",
            ctx(&format!(
                "after a complete crawl, every request is answered 304: {requests:#?}"
            ))
        );
    }
}

// One test per point, killed after release A.

#[tokio::test]
async fn killed_after_archiving_a_body() {
    crash_at("crawl-after-archive", false).await;
}

#[tokio::test]
async fn killed_before_renaming_an_archived_body() {
    crash_at("archive-before-rename", false).await;
}

#[tokio::test]
async fn killed_after_the_crawl() {
    crash_at("run-after-crawl", false).await;
}

#[tokio::test]
async fn killed_inside_the_records_transaction() {
    crash_at("state-save-before-commit", false).await;
}

#[tokio::test]
async fn killed_before_publishing() {
    crash_at("run-before-publish", false).await;
}

#[tokio::test]
async fn killed_at_publish_start() {
    crash_at("publish-start", false).await;
}

#[tokio::test]
async fn killed_after_writing_the_tools_tables() {
    crash_at("publish-after-tools", false).await;
}

#[tokio::test]
async fn killed_before_writing_the_checksums() {
    crash_at("publish-before-sums", false).await;
}

#[tokio::test]
async fn killed_before_renaming_the_release() {
    crash_at("publish-before-rename", false).await;
}

#[tokio::test]
async fn killed_after_renaming_the_release() {
    crash_at("publish-after-rename", false).await;
}

#[tokio::test]
async fn killed_with_the_latest_link_staged() {
    crash_at("publish-latest-link-staged", false).await;
}

#[tokio::test]
async fn killed_after_switching_latest() {
    crash_at("run-after-publish", false).await;
}

// The very first run killed: no release to keep, and the next run still completes.

#[tokio::test]
async fn first_run_killed_during_the_crawl() {
    crash_at("crawl-after-archive", true).await;
}

#[tokio::test]
async fn first_run_killed_inside_the_records_transaction() {
    crash_at("state-save-before-commit", true).await;
}

#[tokio::test]
async fn first_run_killed_after_renaming_the_release() {
    crash_at("publish-after-rename", true).await;
}

#[tokio::test]
async fn first_run_killed_after_switching_latest() {
    crash_at("run-after-publish", true).await;
}
