//! The popularity lists (data/popular/*.txt, see scripts/popular-lists.py for their
//! sources), parsed once per ecosystem into the lookups the typosquatting check needs.
//!
//! Every name in a list is *exempt*: a popular package is never reported as imitating
//! another. Only the first [`TARGETS`] names are *targets*, the names worth imitating:
//! further down the lists the packages are rarely worth a squatter's effort, and every
//! extra target adds honest neighbours that would be flagged.

use crate::confusables::skeleton;
use palisade_core::Ecosystem;
use std::collections::HashMap;
use std::sync::OnceLock;

/// How many names of each list are typosquatting targets (the most popular ones).
pub const TARGETS: usize = 5000;

/// Names longer than this (in characters) are never compared: no popular name comes
/// close, and it bounds the work a hostile name can cause.
pub const MAX_NAME_CHARS: usize = 214;

/// One ecosystem's list of popular names with its lookups.
#[derive(Debug)]
pub struct PopularList {
    pub ecosystem: Ecosystem,
    /// Names as the list spells them, most popular first.
    pub names: Vec<String>,
    /// Whether the order of `names` is a real popularity rank (false for lists kept in
    /// their source's order or curated by hand).
    pub ranked: bool,
    /// Normalised name to index; the first (most popular) index wins.
    pub exact: HashMap<String, u32>,
    /// Separator-free name to the most popular target index.
    pub squashed: HashMap<String, u32>,
    /// Skeleton to the most popular target index.
    pub skeletons: HashMap<String, u32>,
    /// npm only: `@scope/name` targets keyed by the scope and name run together
    /// (`typesnode`), to catch a scoped name flattened into an unscoped one.
    pub flattened_scopes: HashMap<String, u32>,
    /// Normalised target names as characters, for the distance check.
    pub target_chars: Vec<Box<[char]>>,
    /// Deletion neighbourhood of the targets (SymSpell): hashes of each target with up
    /// to one character deleted (two for names of [`LONG_NAME`] characters or more),
    /// sorted, each with its target index.
    pub deletions: Vec<(u64, u32)>,
}

/// Names at least this long tolerate two edits; shorter ones only one.
pub const LONG_NAME: usize = 10;

/// The edit budget of a target of `len` characters.
pub fn edit_budget(len: usize) -> usize {
    if len >= LONG_NAME { 2 } else { 1 }
}

/// The name as the ecosystem compares names: case-insensitive everywhere for this
/// purpose, PEP 503 for PyPI (runs of `-`, `_`, `.` are one `-`), `_` equal to `-` on
/// crates.io.
pub fn normalise(ecosystem: Ecosystem, name: &str) -> String {
    let lower = name.trim().to_lowercase();
    match ecosystem {
        Ecosystem::PyPI => {
            let mut out = String::with_capacity(lower.len());
            for c in lower.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !out.ends_with('-') {
                        out.push('-');
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        Ecosystem::Crates => lower.replace('_', "-"),
        _ => lower,
    }
}

/// The normalised name without any separator (`-`, `_`, `.`, space).
pub fn squash(normalised: &str) -> String {
    normalised
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .collect()
}

/// A hash of `chars` with the positions in `skip` left out. FxHash-style mixing: the
/// index only needs speed and a fair spread, collisions are resolved by verification.
pub fn hash_without(chars: &[char], skip: &[usize]) -> u64 {
    let mut h: u64 = chars.len().saturating_sub(skip.len()) as u64;
    for (i, &c) in chars.iter().enumerate() {
        if !skip.contains(&i) {
            h = (h.rotate_left(5) ^ c as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    h
}

/// Every deletion hash of `chars` with up to `depth` characters removed (itself included).
pub fn deletion_hashes(chars: &[char], depth: usize, out: &mut Vec<u64>) {
    out.push(hash_without(chars, &[]));
    for i in 0..chars.len() {
        out.push(hash_without(chars, &[i]));
        if depth >= 2 {
            for j in i + 1..chars.len() {
                out.push(hash_without(chars, &[i, j]));
            }
        }
    }
}

impl PopularList {
    fn parse(ecosystem: Ecosystem, text: &str) -> PopularList {
        let header = text.lines().next().unwrap_or_default();
        let ranked = header.contains("most popular first") && !header.contains("curated");
        let names: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        let mut list = PopularList {
            ecosystem,
            names,
            ranked,
            exact: HashMap::new(),
            squashed: HashMap::new(),
            skeletons: HashMap::new(),
            flattened_scopes: HashMap::new(),
            target_chars: Vec::new(),
            deletions: Vec::new(),
        };
        let mut hashes = Vec::new();
        for (i, name) in list.names.iter().enumerate() {
            let index = i as u32;
            let norm = normalise(ecosystem, name);
            list.exact.entry(norm.clone()).or_insert(index);
            if i >= TARGETS {
                continue;
            }
            let squashed = squash(&norm);
            list.skeletons.entry(skeleton(&squashed)).or_insert(index);
            if let Some((scope, bare)) = split_scope(&norm) {
                list.flattened_scopes
                    .entry(format!("{scope}{}", squash(bare)))
                    .or_insert(index);
            }
            list.squashed.entry(squashed).or_insert(index);
            let chars: Box<[char]> = norm.chars().collect();
            hashes.clear();
            deletion_hashes(&chars, edit_budget(chars.len()), &mut hashes);
            list.deletions.extend(hashes.iter().map(|&h| (h, index)));
            list.target_chars.push(chars);
        }
        list.deletions.sort_unstable();
        list.deletions.dedup();
        list
    }

    /// The 0-based index of `normalised` in the list, if the list holds it.
    pub fn index_of(&self, normalised: &str) -> Option<u32> {
        self.exact.get(normalised).copied()
    }

    /// Target indices sharing the deletion hash `hash`.
    pub fn targets_with_hash(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.deletions.partition_point(|&(h, _)| h < hash);
        self.deletions[start..]
            .iter()
            .take_while(move |&&(h, _)| h == hash)
            .map(|&(_, i)| i)
    }

    /// How to tell a reader where `index` stands: "PyPI rank 4" or "in the RubyGems
    /// popular list".
    pub fn standing(&self, index: u32) -> String {
        if self.ranked {
            format!("{} rank {}", self.ecosystem, index + 1)
        } else {
            format!("in the {} popular list", self.ecosystem)
        }
    }
}

/// `@scope/name` split into `scope` and `name` (npm scoped packages).
pub fn split_scope(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix('@')?;
    let (scope, bare) = rest.split_once('/')?;
    (!scope.is_empty() && !bare.is_empty()).then_some((scope, bare))
}

fn source(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Npm => include_str!("../data/popular/npm.txt"),
        Ecosystem::PyPI => include_str!("../data/popular/pypi.txt"),
        Ecosystem::RubyGems => include_str!("../data/popular/rubygems.txt"),
        Ecosystem::Go => include_str!("../data/popular/go.txt"),
        Ecosystem::Crates => include_str!("../data/popular/crates.txt"),
        Ecosystem::NuGet => include_str!("../data/popular/nuget.txt"),
        Ecosystem::Maven => include_str!("../data/popular/maven.txt"),
    }
}

/// The popular list of `ecosystem`, parsed on first use.
pub fn list(ecosystem: Ecosystem) -> &'static PopularList {
    static LISTS: [OnceLock<PopularList>; 7] = [const { OnceLock::new() }; 7];
    let slot = Ecosystem::ALL
        .iter()
        .position(|&e| e == ecosystem)
        .unwrap_or(0);
    LISTS[slot].get_or_init(|| PopularList::parse(ecosystem, source(ecosystem)))
}

/// Whether `name` is in the popular list of `ecosystem` (after normalisation).
pub fn is_popular(ecosystem: Ecosystem, name: &str) -> bool {
    list(ecosystem)
        .index_of(&normalise(ecosystem, name))
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_and_crate_normalisation_merge_spellings() {
        assert_eq!(
            normalise(Ecosystem::PyPI, "Python__Dateutil"),
            "python-dateutil"
        );
        assert_eq!(
            normalise(Ecosystem::PyPI, "zope.interface"),
            "zope-interface"
        );
        assert_eq!(normalise(Ecosystem::Crates, "Serde_JSON"), "serde-json");
        assert_eq!(normalise(Ecosystem::Npm, "lodash.get"), "lodash.get");
    }

    #[test]
    fn every_list_loads_with_its_leaders() {
        for (eco, name) in [
            (Ecosystem::PyPI, "requests"),
            (Ecosystem::Npm, "lodash"),
            (Ecosystem::RubyGems, "rails"),
            (Ecosystem::Go, "github.com/stretchr/testify"),
            (Ecosystem::Crates, "serde_json"),
            (Ecosystem::NuGet, "newtonsoft.json"),
            (Ecosystem::Maven, "junit:junit"),
        ] {
            assert!(is_popular(eco, name), "{eco} {name}");
            assert!(!list(eco).names.is_empty());
            assert!(!list(eco).deletions.is_empty());
        }
        assert!(list(Ecosystem::PyPI).ranked);
        assert!(!list(Ecosystem::RubyGems).ranked);
        assert!(!list(Ecosystem::Crates).ranked);
        assert!(!is_popular(Ecosystem::PyPI, "reqeusts"));
    }

    #[test]
    fn scopes_split_only_when_well_formed() {
        assert_eq!(split_scope("@types/node"), Some(("types", "node")));
        assert_eq!(split_scope("@types"), None);
        assert_eq!(split_scope("@/x"), None);
        assert_eq!(split_scope("lodash"), None);
    }
}
