//! Blocking keys and clusters: records sharing a canonical repository URL or homepage are one
//! tool (union-find over the keys).

use std::collections::HashMap;

use super::Input;
use crate::normalise::url::is_forge_project;

/// The canonical keys of one record: `repo:<url>` for each repository (and a homepage that is
/// itself a forge project), `home:<url>` for the homepage.
pub fn record_keys(input: &Input) -> Vec<String> {
    let r = &input.record;
    let mut keys: Vec<String> = r.repositories.iter().map(|u| format!("repo:{u}")).collect();
    if let Some(u) = &r.repository_url
        && !r.repositories.contains(u)
    {
        keys.push(format!("repo:{u}"));
    }
    if let Some(h) = &r.homepage_url {
        if is_forge_project(h) {
            keys.push(format!("repo:{h}"));
        } else {
            keys.push(format!("home:{h}"));
        }
    }
    keys
}

/// The keys registered for a record's tool: its canonical keys and its own `rec:` key, so a
/// record keeps its tool's id even when its URLs change.
pub fn registry_keys(input: &Input) -> Vec<String> {
    let mut keys = record_keys(input);
    let r = &input.record;
    keys.push(format!("rec:{}/{}", r.source_id, r.record_id));
    keys
}

/// The cluster's first canonical key: its smallest repository key, else its smallest homepage
/// key, else its first record's own key.
pub fn first_key(members: &[&Input]) -> String {
    let all: Vec<String> = members.iter().flat_map(|m| record_keys(m)).collect();
    all.iter()
        .filter(|k| k.starts_with("repo:"))
        .min()
        .or_else(|| all.iter().filter(|k| k.starts_with("home:")).min())
        .cloned()
        .unwrap_or_else(|| {
            let r = &members[0].record;
            format!("rec:{}/{}", r.source_id, r.record_id)
        })
}

/// Indices of `inputs` grouped into clusters, in order of first member.
pub fn cluster(inputs: &[Input]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..inputs.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, input) in inputs.iter().enumerate() {
        for key in record_keys(input) {
            match owner.get(&key) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    owner.insert(key, i);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for i in 0..inputs.len() {
        let root = find(&mut parent, i);
        let g = *slot.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}
