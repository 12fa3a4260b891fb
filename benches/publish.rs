//! Benchmark: `publish` of N synthetic tools (default 1 000 000) in every format, with one
//! source record per tool and 20 sources. Prints the wall time of the publish and the peak
//! resident memory of the process (VmHWM), with the memory the synthetic release itself holds
//! before publishing. Run through `scripts/bench_publish.sh` (release mode, plus DuckDB for
//! comparison); figures go to BENCHMARKS.md.
//!
//! With the tools come organisations (3 for every 10 tools), tool–organisation roles (2 per
//! tool) and use cases (1 for every 2 tools): issue 15's scale is 1 000 000 tools, 300 000
//! organisations, 2 000 000 roles and 500 000 use cases.
//!
//! Environment: `CIVICRAWL_BENCH_TOOLS` (rows), `CIVICRAWL_BENCH_OUT` (output directory, default
//! `target/bench-publish`; its `latest` release is left for the DuckDB comparison).

use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use civicrawl::model::{
    NormRecord, OrgKind, OrgRole, Organisation, Release, SourceRecordRow, SourceRow, Tool,
    ToolOrganisation, UseCase,
};

const WORDS: &[&str] = &[
    "participation",
    "budget",
    "petition",
    "consultation",
    "open-data",
    "transparency",
    "foi",
    "voting",
    "legislation",
    "simulator",
    "civic-tech",
    "democracy",
    "city",
    "citizens",
    "map",
];
const COUNTRIES: &[&str] = &["FR", "ES", "IT", "DE", "BR", "US", "GB", "TW", "KE", "IN"];
const LANGS: &[&str] = &["fr", "es", "it", "de", "pt", "en", "ca", "zh"];
const PROGRAMMING: &[&str] = &["Ruby", "Python", "JavaScript", "PHP", "Go", "Rust", "Java"];
const LICENSES: &[&str] = &["AGPL-3.0-only", "MIT", "GPL-3.0-or-later", "Apache-2.0"];

/// A small deterministic generator (xorshift), so every run publishes the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick(&mut self, from: &[&str], max: usize) -> Vec<String> {
        let n = self.below(max + 1);
        let mut v: Vec<String> = (0..n)
            .map(|_| from[self.below(from.len())].to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

fn time(rng: &mut Rng, base: DateTime<Utc>) -> DateTime<Utc> {
    base + Duration::seconds((rng.next() % 300_000_000) as i64)
}

fn tool(i: usize, rng: &mut Rng, base: DateTime<Utc>) -> (Tool, SourceRecordRow) {
    let id = tool_id(i);
    let source = format!("source-{:02}", i % 20);
    let name = format!(
        "{} {} {i}",
        WORDS[rng.below(WORDS.len())],
        WORDS[rng.below(WORDS.len())]
    );
    let description = format!(
        "{name}: a tool for {} and {} used by {} organisations, \"quoted\", with commas",
        WORDS[rng.below(WORDS.len())],
        WORDS[rng.below(WORDS.len())],
        rng.below(500)
    );
    let repo = format!("https://github.com/org{}/tool{i}", i % 5000);
    let t = Tool {
        id: id.clone(),
        name: Some(name.clone()),
        description: Some(description.clone()),
        homepage_url: Some(format!("https://tool{i}.example.org")),
        repository_url: Some(repo.clone()),
        wikidata_id: i.is_multiple_of(7).then(|| format!("Q{}", 1_000_000 + i)),
        license: Some(LICENSES[rng.below(LICENSES.len())].to_string()),
        open_source: Some(true),
        categories: rng.pick(WORDS, 2),
        tags: rng.pick(WORDS, 5),
        countries: rng.pick(COUNTRIES, 3),
        languages: rng.pick(LANGS, 3),
        programming_languages: rng.pick(PROGRAMMING, 2),
        organizations: vec![format!("Organisation {}", i % 5000)],
        stars: Some(rng.below(20_000) as i64),
        forks: Some(rng.below(2_000) as i64),
        archived: Some(i.is_multiple_of(13)),
        created_at: Some(time(rng, base)),
        last_activity_at: Some(time(rng, base)),
        first_seen_at: Some(base),
        last_seen_at: Some(base),
        sources: vec![source.clone()],
        stale: false,
    };
    let record = SourceRecordRow {
        tool_id: id,
        record: NormRecord {
            source_id: source.clone(),
            record_id: format!("rec-{i}"),
            source_url: format!("https://registry.example.org/api/tools?page={}", i / 100),
            fetched_at: Some(base),
            name: Some(name),
            description: Some(description),
            homepage_url: t.homepage_url.clone(),
            repository_url: Some(repo.clone()),
            license: t.license.clone(),
            license_raw: t.license.clone(),
            tags: t.tags.clone(),
            countries: t.countries.clone(),
            stars: t.stars,
            created_at: t.created_at,
            repositories: vec![repo],
            ..NormRecord::default()
        },
        stale: false,
        provenance: ["name", "description", "license"].into_iter().collect(),
    };
    (t, record)
}

fn tool_id(i: usize) -> String {
    format!(
        "ct_{:012x}",
        (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16
    )
}

fn org_id(i: usize) -> String {
    format!(
        "co_{:012x}",
        (i as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9) >> 16
    )
}

fn organisation(i: usize, rng: &mut Rng, base: DateTime<Utc>) -> Organisation {
    let kinds = OrgKind::ALL;
    let name = format!("Organisation {i} of {}", WORDS[rng.below(WORDS.len())]);
    Organisation {
        id: org_id(i),
        name: Some(name.clone()),
        kind: kinds[rng.below(kinds.len())],
        kind_rule: "name".into(),
        country: Some(COUNTRIES[rng.below(COUNTRIES.len())].to_string()),
        website: Some(format!("https://org{i}.example.org")),
        forge_accounts: vec![format!("github:org{i}")],
        wikidata_id: i.is_multiple_of(5).then(|| format!("Q{}", 2_000_000 + i)),
        identifiers: if i.is_multiple_of(3) {
            vec![format!("siren:{:09}", 100_000_000 + i)]
        } else {
            Vec::new()
        },
        names: vec![name, format!("ORG{i}")],
        sources: vec![format!("source-{:02}", i % 20)],
        provenance: vec![format!("name:source-{:02}", i % 20)],
        first_seen_at: Some(base),
        last_seen_at: Some(time(rng, base)),
        stale: false,
    }
}

fn release(n: usize) -> Release {
    let base = Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (tools, source_records) = (0..n).map(|i| tool(i, &mut rng, base)).unzip();
    let orgs = (n * 3 / 10).max(1);
    let organisations = (0..orgs).map(|i| organisation(i, &mut rng, base)).collect();
    let roles = OrgRole::ALL;
    let mut tool_organisations: Vec<ToolOrganisation> = (0..2 * n)
        .map(|j| ToolOrganisation {
            tool_id: tool_id(j / 2),
            organisation_id: org_id((j / 2 * 7 + j % 2 * 13) % orgs),
            role: roles[j % 2 + 2 * (j / 2 % 2)],
            sources: vec![format!("source-{:02}", j % 20)],
        })
        .collect();
    tool_organisations.dedup_by(|a, b| {
        (&a.tool_id, &a.organisation_id, a.role) == (&b.tool_id, &b.organisation_id, b.role)
    });
    let use_cases = (0..n / 2)
        .map(|k| UseCase {
            id: format!(
                "cu_{:012x}",
                (k as u64).wrapping_mul(0x94d0_49bb_1331_11eb) >> 16
            ),
            tool_id: tool_id(k * 2),
            organisation_id: Some(org_id(k % orgs)),
            title: Some(format!("Deployment {k}")),
            url: Some(format!("https://deployment{k}.example.org")),
            country: Some(COUNTRIES[k % COUNTRIES.len()].to_string()),
            audience: Some("citizens".into()),
            first_seen_at: Some(base),
            last_seen_at: Some(base),
            sources: vec![format!("source-{:02}", k % 20)],
            liveness: Some(civicrawl::model::Liveness::Alive),
            checked_at: Some(base),
        })
        .collect();
    let sources = (0..20)
        .map(|i| SourceRow {
            id: format!("source-{i:02}"),
            name: format!("Registry {i}"),
            kind: "json".into(),
            role: civicrawl::model::Role::Create,
            priority: 50,
            license: Some("CC0-1.0".into()),
            id_space: None,
            country: None,
            urls: vec![format!("https://registry{i}.example.org/api/tools")],
            status: civicrawl::model::SourceStatus::Ok,
            records: (n / 20) as i64,
            error: None,
        })
        .collect();
    Release {
        id: "2026-11-26T030000Z".into(),
        created_at: Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap(),
        snapshot_id: String::new(),
        tools,
        source_records,
        sources,
        report: serde_json::json!({ "benchmark": true }),
        aliases: Vec::new(),
        organisations,
        tool_organisations,
        use_cases,
    }
}

/// Peak and current resident set size of this process, in MiB (Linux `/proc/self/status`).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn main() {
    let n: usize = std::env::var("CIVICRAWL_BENCH_TOOLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let out = std::env::var_os("CIVICRAWL_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-publish"));
    let _ = std::fs::remove_dir_all(&out);

    let started = Instant::now();
    let release = release(n);
    let generated = started.elapsed();
    let (_, data_rss) = memory();
    println!(
        "generated {n} tools + {n} source records + {} organisations + {} roles + {} use \
         cases in {:.2} s; resident {data_rss:.0} MiB",
        release.organisations.len(),
        release.tool_organisations.len(),
        release.use_cases.len(),
        generated.as_secs_f64()
    );

    let started = Instant::now();
    let dir = civicrawl::publish::publish(&release, &out).expect("publish");
    let wall = started.elapsed();
    let (peak, _) = memory();
    let mut total = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        let len = entry.metadata().unwrap().len();
        total += len;
        println!(
            "  {:<28} {:>10.1} MiB",
            entry.file_name().to_string_lossy(),
            len as f64 / 1048576.0
        );
    }
    println!(
        "publish: {n} tools, all formats: {:.2} s wall, peak RSS {peak:.0} MiB \
         (of which the in-memory release {data_rss:.0} MiB), {:.0} MiB written to {}",
        wall.as_secs_f64(),
        total as f64 / 1048576.0,
        dir.display()
    );
}
