//! Benchmark of entity resolution (not a test): synthetic source records with realistic
//! perturbations, their URLs canonicalised, then resolved with an empty id registry (a first run) and again
//! with the registry the first run produced (every later run).
//!
//! ```sh
//! scripts/bench_resolve.sh                    # 10k, 100k and 1M, 5 fresh processes each
//! cargo bench --bench resolve -- 100000x3     # one size, resolved 3 times in one process
//! ```
//!
//! Each tool of the synthetic catalogue gets 1 to 5 records from 5 sources. A record spells
//! the name its own way (case, a typo, an "App" suffix, kebab-case), writes its URLs its own
//! way (http, `www.`, trailing slash, tracking parameters, `.git`, `/tree/main`, a language
//! path) and misses fields (homepage, repository, organisation). Some tools share a name,
//! some live on shared hosts (`*.github.io`, `sites.google.com`), some organisations own many
//! tools. The generator is seeded: the same size gives the same records.
//!
//! Organisations (unless `ORGS=0`): a pool of 0.3 organisations per record (300,000 for
//! 1,000,000 records), each with a name (some with a legal form or accents), and some with
//! a country, a website on its own host, a GitHub account or a Wikidata item. Each record
//! names 1 to 3 of them (about 2,000,000 mentions for 1,000,000 records): its tool's
//! developer, then users drawn from the pool. A mention spells the name its own way (case,
//! legal form dropped or added, accents dropped) and gives only some of the organisation's
//! keys. After the tools, `resolve_orgs` is timed the same way, first run and rerun.

use std::time::Instant;

use civicrawl::model::{NormOrg, NormRecord, OrgRole};
use civicrawl::normalise::url::canonical;
use civicrawl::resolve::{Input, Known, resolve, resolve_orgs};

/// xorshift64*: small, seeded, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const SYLLABLES: &[&str] = &[
    "de", "ci", "dim", "con", "sul", "ala", "ve", "te", "li", "fix", "my", "street", "open", "fis",
    "ca", "loo", "mio", "po", "lis", "vo", "ta", "civ", "ic", "bud", "get", "pe", "ti", "tion",
    "da", "ta", "ma", "ri", "an", "no", "ur", "ba", "to", "ki", "ra", "sa", "mo", "ne", "lu",
];
const WORDS: &[&str] = &[
    "Budget",
    "Vote",
    "Petitions",
    "Open Data",
    "Consult",
    "Report",
    "Spending",
    "Map",
    "Council",
    "Portal",
    "Voice",
    "Ideas",
    "Agenda",
    "Tracker",
];
const LICENSES: &[&str] = &[
    "MIT",
    "AGPL-3.0",
    "GPL-3.0+",
    "Apache-2.0",
    "EUPL-1.2",
    "BSD-3-Clause",
];
const SOURCES: &[(&str, i64)] = &[
    ("github", 80),
    ("dpg", 50),
    ("codejson", 40),
    ("sill", 30),
    ("directory", 10),
];

/// One true organisation of the pool.
struct Org {
    name: String,
    country: Option<&'static str>,
    website: Option<String>,
    forge: Option<String>,
    wikidata: Option<String>,
}

const COUNTRIES: &[&str] = &["FR", "US", "IT", "ES", "DE", "GB", "BR", "MX", "KE", "IN"];
const ORG_KINDS: &[&str] = &[
    "Foundation",
    "Ltd",
    "SAS",
    "GmbH",
    "Association",
    "Collectif",
    "Ministère de la",
    "City of",
    "Agencia",
    "Comune di",
];

fn org(rng: &mut Rng, i: usize) -> Org {
    let base = format!("{}{}", word(rng), if rng.chance(0.3) { "é" } else { "" });
    let kind = ORG_KINDS[rng.below(ORG_KINDS.len() as u64) as usize];
    let name = if kind.ends_with(" di") || kind.ends_with(" de la") || kind.ends_with(" of") {
        format!("{kind} {base}")
    } else {
        format!("{base} {kind}")
    };
    let login = format!("{}{i}", base.to_lowercase().replace('é', "e"));
    Org {
        name,
        country: rng
            .chance(0.6)
            .then(|| COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize]),
        website: rng.chance(0.5).then(|| format!("https://www.{login}.org/")),
        forge: rng.chance(0.5).then(|| format!("github:{login}")),
        wikidata: rng.chance(0.15).then(|| format!("Q{}", 50_000_000 + i)),
    }
}

/// One record's mention of `o`: some of its keys, its name spelled its own way.
fn mention(rng: &mut Rng, o: &Org, role: OrgRole) -> NormOrg {
    let name = match rng.below(10) {
        0..=5 => Some(o.name.clone()),
        6 => Some(o.name.to_uppercase()),
        7 => Some(o.name.replace('é', "e")),
        8 => Some(format!("{} Inc.", o.name)),
        _ => None,
    };
    let mut m = NormOrg {
        role,
        name,
        website: o.website.clone().filter(|_| rng.chance(0.5)),
        country: o.country.map(str::to_string).filter(|_| rng.chance(0.5)),
        kind: None,
        forge_account: o.forge.clone().filter(|_| rng.chance(0.5)),
        wikidata_id: o.wikidata.clone().filter(|_| rng.chance(0.4)),
        siren: None,
        ipa: None,
        pso_id: None,
    };
    if m.name.is_none() && m.website.is_none() && m.forge_account.is_none() {
        m.name = Some(o.name.clone());
    }
    m
}

/// One true tool.
struct Tool {
    name: String,
    org: String,
    /// Its developer in the organisation pool.
    developer: usize,
    repo: Option<String>,
    home: Option<String>,
    license: &'static str,
    wikidata: Option<String>,
}

fn word(rng: &mut Rng) -> String {
    let n = 2 + rng.below(3);
    let mut w: String = (0..n)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize])
        .collect();
    w[..1].make_ascii_uppercase();
    w
}

fn tool(rng: &mut Rng, i: usize, orgs: &[String], developer: usize) -> Tool {
    let org = orgs[rng.below(orgs.len() as u64) as usize].clone();
    let name = match rng.below(10) {
        0..=5 => word(rng),
        6..=8 => format!(
            "{} {}",
            word(rng),
            WORDS[rng.below(WORDS.len() as u64) as usize]
        ),
        _ => WORDS[rng.below(WORDS.len() as u64) as usize].to_string(), // "Vote" apps
    };
    let slug = format!("{}-{i}", name.to_lowercase().replace(' ', "-"));
    let owner = org.to_lowercase().replace(' ', "");
    let repo = rng
        .chance(0.7)
        .then(|| format!("https://github.com/{owner}/{slug}"));
    let home = match rng.below(10) {
        0..=5 => Some(format!("https://{slug}.org")),
        6 => Some(format!("https://{owner}.github.io/{slug}")),
        7 => Some(format!("https://sites.google.com/view/{slug}")),
        _ => None,
    };
    Tool {
        name,
        org,
        developer,
        repo,
        home,
        license: LICENSES[rng.below(LICENSES.len() as u64) as usize],
        wikidata: rng.chance(0.1).then(|| format!("Q{}", 1_000_000 + i)),
    }
}

fn name_variant(rng: &mut Rng, name: &str) -> String {
    match rng.below(10) {
        0..=4 => name.to_string(),
        5 => name.to_lowercase(),
        6 => format!("{name} App"),
        7 => name.to_lowercase().replace(' ', "-"),
        8 if name.len() > 6 => {
            let mut c: Vec<char> = name.chars().collect();
            let i = 2 + rng.below(c.len() as u64 - 4) as usize;
            c.swap(i, i + 1);
            c.into_iter().collect()
        }
        _ => name.to_uppercase(),
    }
}

fn url_variant(rng: &mut Rng, url: &str, repo: bool) -> String {
    match rng.below(8) {
        0 => url.replacen("https://", "http://", 1),
        1 if !repo => url.replacen("https://", "https://www.", 1),
        1 => format!("{url}.git"),
        2 => format!("{url}/"),
        3 if repo => format!("{url}/tree/main"),
        3 => format!("{url}/?utm_source=newsletter&utm_medium=email"),
        4 if !repo && !url.contains("/view/") && !url.contains(".github.io") => {
            format!("{url}/en/")
        }
        _ => url.to_string(),
    }
}

/// One source's record of `t`, as `normalise` would leave it: URLs through the real
/// canonicaliser (so URL variants meet its rules), other fields as the source spells them.
/// `orgs` draws the organisations (its own generator, so the tools' records are the same
/// with and without them).
fn record(
    rng: &mut Rng,
    t: &Tool,
    source: &str,
    n: usize,
    (pool, orgs): (&[Org], &mut Rng),
) -> NormRecord {
    let mut r = NormRecord {
        source_id: source.to_string(),
        record_id: format!("{n}"),
        source_url: format!("https://{source}.example/page/{}", n / 100),
        name: Some(name_variant(rng, &t.name)),
        description: Some(format!("{} is a civic tech tool.", t.name)),
        tags: vec!["civic-tech".to_string()],
        ..NormRecord::default()
    };
    if let Some(repo) = &t.repo
        && (source == "github" || rng.chance(0.75))
        && let Ok(u) = canonical(&url_variant(rng, repo, true))
    {
        r.repositories = vec![u.clone()];
        r.repository_url = Some(u);
    }
    if let Some(h) = &t.home
        && rng.chance(0.8)
    {
        r.homepage_url = canonical(&url_variant(rng, h, false)).ok();
    }
    if rng.chance(0.7) {
        r.organizations = vec![t.org.clone()];
    }
    if rng.chance(0.6) {
        r.license = Some(t.license.to_string());
    }
    if let Some(q) = &t.wikidata
        && rng.chance(0.5)
    {
        r.wikidata_id = Some(q.clone());
    }
    if !pool.is_empty() {
        r.organisations
            .push(mention(orgs, &pool[t.developer], OrgRole::Develops));
        for _ in 0..orgs.below(3) {
            let o = &pool[orgs.below(pool.len() as u64) as usize];
            r.organisations.push(mention(orgs, o, OrgRole::Uses));
        }
    }
    r
}

/// True unless `ORGS=0`: organisations are generated and resolved.
fn with_orgs() -> bool {
    std::env::var("ORGS").map_or(true, |v| v != "0")
}

/// `n` records and how many true tools they describe.
fn generate(n: usize) -> (Vec<Input>, usize) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
    let orgs: Vec<String> = (0..(n / 20).max(10))
        .map(|_| format!("{} Lab", word(&mut rng)))
        .collect();
    let mut orng = Rng(0x2545_f491_4f6c_dd1d ^ n as u64);
    let pool: Vec<Org> = if with_orgs() {
        (0..(n * 3 / 10).max(10))
            .map(|i| org(&mut orng, i))
            .collect()
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(n);
    let mut tools = 0;
    while out.len() < n {
        let developer = orng.below(pool.len().max(1) as u64) as usize;
        let t = tool(&mut rng, tools, &orgs, developer);
        tools += 1;
        let copies = 1 + rng.below(5) as usize;
        let mut used = [false; 5];
        for _ in 0..copies {
            let s = rng.below(SOURCES.len() as u64) as usize;
            if used[s] || out.len() >= n {
                continue;
            }
            used[s] = true;
            let (source, priority) = SOURCES[s];
            out.push(Input {
                record: record(&mut rng, &t, source, out.len(), (&pool, &mut orng)),
                priority,
                create: true,
                stale: false,
                first_seen_at: None,
                last_seen_at: None,
                id_space: None,
            });
        }
    }
    // The order the state store hands records to `resolve` in (`ORDER BY source_id, record_id`).
    out.sort_unstable_by(|a, b| {
        (&a.record.source_id, &a.record.record_id).cmp(&(&b.record.source_id, &b.record.record_id))
    });
    (out, tools)
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU time (user + system) this process used so far, in seconds (Linux `/proc/self/stat`,
/// clock ticks of 1/100 s): unlike wall time, it does not grow when other jobs share the cores.
fn cpu_s() -> f64 {
    let (user, system) = user_system_s();
    user + system
}

/// User and system CPU time of this process so far, in seconds. System time is mostly the
/// kernel providing (zeroing) fresh memory pages.
fn user_system_s() -> (f64, f64) {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let tick = |i: usize| Some(f.get(i)?.parse::<f64>().ok()? / 100.0);
            Some((tick(11)?, tick(12)?))
        })
        .unwrap_or((f64::NAN, f64::NAN))
}

/// Waits `SETTLE` seconds (none when unset) before a timed resolution: memory freed before
/// it (by the generator, by the last resolution, by the last process) is then taken back by
/// the kernel (on a VM with free page reporting, by the host) as it is for any size, instead
/// of being handed out again cheaply to a small size that comes back to it quickly.
fn settle() {
    let secs: f64 = std::env::var("SETTLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
        .unwrap_or(0.0);
    std::thread::sleep(std::time::Duration::from_secs_f64(secs));
}

/// Seconds of wall and CPU time of one call.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (t, c) = (Instant::now(), cpu_s());
    let out = f();
    (out, t.elapsed().as_secs_f64(), cpu_s() - c)
}

/// The smallest and the middle value.
fn min_median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2])
}

/// `repeat` first runs and reruns over the same `n` records (regenerated each time: the
/// generator is seeded); prints the minimum and the median of each.
fn run(n: usize, repeat: usize) {
    let (mut first, mut again, mut first_cpu, mut again_cpu) = (vec![], vec![], vec![], vec![]);
    let mut first_sys = vec![];
    let (mut org_first, mut org_again, mut org_first_cpu) = (vec![], vec![], vec![]);
    let (mut true_tools, mut tools, mut mentions, mut organisations) = (0, 0, 0, 0);
    let mut tools_peak = 0.0;
    for _ in 0..repeat {
        let (inputs, t) = generate(n);
        true_tools = t;
        settle();
        let sys_before = user_system_s().1;
        let (mut resolved, wall, cpu) = timed(|| resolve(inputs, &Known::default()));
        first.push(wall);
        first_cpu.push(cpu);
        first_sys.push(user_system_s().1 - sys_before);
        tools_peak = peak_mib();
        tools = resolved.tools.len();
        let at = chrono::Utc::now();
        let mut org_ids = Vec::new();
        if with_orgs() {
            // The organisations of that output, as a release resolves them next.
            let (orgs, wall, cpu) = timed(|| resolve_orgs(&resolved, &Known::default()));
            org_first.push(wall);
            org_first_cpu.push(cpu);
            mentions = orgs.mentions.len();
            organisations = orgs.organisations.len();
            // Only the keys to register are kept; the tables go.
            org_ids = orgs.new_ids;
        }
        // The registry the first run leaves, for the rerun (`civicrawl run` writes the new
        // keys to the state store, which the next run reads into a `Known`): tools' keys
        // then organisations', built at its final size once the first run's tables are
        // gone, as the next run's would be.
        let mut known = Known::with_capacity_and_hasher(
            resolved.new_ids.len() + org_ids.len(),
            Default::default(),
        );
        let tool_ids = std::mem::take(&mut resolved.new_ids);
        drop(resolved);
        known.extend(tool_ids.into_iter().map(|(k, id)| (k, (id, at))));
        known.extend(org_ids.into_iter().map(|(k, id)| (k, (id, at))));
        // The same records again: a rerun over an unchanged catalogue.
        let (inputs, _) = generate(n);
        settle();
        let (second, wall, cpu) = timed(|| resolve(inputs, &known));
        again.push(wall);
        again_cpu.push(cpu);
        assert_eq!(second.tools.len(), tools);
        assert!(second.new_ids.is_empty() && second.aliases.is_empty());
        if with_orgs() {
            let (orgs, wall, _) = timed(|| resolve_orgs(&second, &known));
            org_again.push(wall);
            assert_eq!(orgs.organisations.len(), organisations);
            assert!(orgs.new_ids.is_empty() && orgs.aliases.is_empty());
        }
    }
    let (f, fm) = min_median(first);
    let (fc, _) = min_median(first_cpu);
    let (fs, _) = min_median(first_sys);
    let (a, am) = min_median(again);
    let (ac, _) = min_median(again_cpu);
    println!(
        "resolve n={n:>8} true_tools={true_tools:>7} tools={tools:>7} runs={repeat} \
         first_run min={f:.2}s median={fm:.2}s (cpu min {fc:.2}s, of which system {fs:.2}s) \
         rerun min={a:.2}s median={am:.2}s (cpu min {ac:.2}s) ({:.0} records/s) peak_rss={:.0}MiB",
        n as f64 / f,
        peak_mib()
    );
    if with_orgs() {
        let (of, ofm) = min_median(org_first);
        let (ofc, _) = min_median(org_first_cpu);
        let (oa, oam) = min_median(org_again);
        println!(
            "orgs    n={n:>8} mentions={mentions} organisations={organisations} \
             first_run min={of:.2}s median={ofm:.2}s (cpu min {ofc:.2}s) \
             rerun min={oa:.2}s median={oam:.2}s peak_rss_before_orgs={tools_peak:.0}MiB"
        );
    }
}

/// Arguments: sizes, each optionally with a repeat count (`100000x5`; default 3).
fn main() {
    let sizes: Vec<(usize, usize)> = std::env::args()
        .skip(1)
        .filter_map(|a| {
            let a = a.replace('_', "");
            let (n, r) = a.split_once('x').unwrap_or((&a, "3"));
            Some((n.parse().ok()?, r.parse().ok()?))
        })
        .collect();
    let sizes = if sizes.is_empty() {
        vec![(10_000, 3), (100_000, 3)]
    } else {
        sizes
    };
    for (n, repeat) in sizes {
        run(n, repeat.max(1));
    }
}
