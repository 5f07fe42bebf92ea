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
    /// Listed names (all of them, not only the targets) of [`MIN_REORDER_WORDS`] words or more keyed by their words in sorted
    /// order, to catch the same words rearranged (`python-aliyun-sdk-core`).
    pub word_sets: HashMap<String, u32>,
    /// Normalised target names as characters, for the distance check.
    pub target_chars: Vec<Box<[char]>>,
    /// Deletion neighbourhood (SymSpell) of the targets allowed one edit: hashes of
    /// each with up to one character deleted, sorted, each with its target index.
    pub deletions: Vec<(u64, u32)>,
    /// The same for targets of [`LONG_NAME`] characters or more, which are allowed two
    /// edits, with up to two characters deleted. Kept apart so that a query's
    /// two-character deletions are only matched against targets that allow them.
    pub long_deletions: Vec<(u64, u32)>,
}

/// Names at least this long tolerate two edits; shorter ones only one.
pub const LONG_NAME: usize = 10;

/// The edit budget of a target of `len` characters.
pub fn edit_budget(len: usize) -> usize {
    if len >= LONG_NAME { 2 } else { 1 }
}

/// The characters that count for the edit budget: Go module paths all start with a
/// host, which is not where typos hide.
pub fn effective_len(ecosystem: Ecosystem, chars: &[char]) -> usize {
    if ecosystem == Ecosystem::Go
        && let Some(slash) = chars.iter().position(|&c| c == '/')
    {
        return chars.len() - slash - 1;
    }
    chars.len()
}

/// The name as the ecosystem compares names: case-insensitive everywhere for this
/// purpose, PEP 503 for PyPI (runs of `-`, `_`, `.` are one `-`), `_` equal to `-` for
/// Rust crates.
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

/// Every deletion hash of `chars` with up to `depth` (1 or 2) characters removed,
/// itself included. A polynomial hash over prefixes makes each hash O(1), so a name's
/// whole neighbourhood costs O(L²) rather than O(L³); collisions only cost a wasted
/// verification, since every candidate's distance is computed.
pub fn deletion_hashes(chars: &[char], depth: usize, out: &mut Vec<u64>) {
    const BASE: u64 = 0x100_0000_01b3;
    let n = chars.len();
    let mut prefix = Vec::with_capacity(n + 1);
    let mut power = Vec::with_capacity(n + 1);
    prefix.push(0u64);
    power.push(1u64);
    for (i, &c) in chars.iter().enumerate() {
        prefix.push(prefix[i].wrapping_mul(BASE).wrapping_add(c as u64 + 1));
        power.push(power[i].wrapping_mul(BASE));
    }
    // The hash of chars[a..b], and of two pieces joined.
    let segment = |a: usize, b: usize| prefix[b].wrapping_sub(prefix[a].wrapping_mul(power[b - a]));
    let join = |left: u64, right: u64, right_len: usize| {
        left.wrapping_mul(power[right_len]).wrapping_add(right)
    };
    let finish = |h: u64, len: usize| {
        let h = (h ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 29)
    };
    out.push(finish(prefix[n], n));
    for (i, &head) in prefix.iter().enumerate().take(n) {
        let tail = segment(i + 1, n);
        out.push(finish(join(head, tail, n - i - 1), n - 1));
        if depth >= 2 {
            for j in i + 1..n {
                let left = join(head, segment(i + 1, j), j - i - 1);
                out.push(finish(join(left, segment(j + 1, n), n - j - 1), n - 2));
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
            word_sets: HashMap::new(),
            target_chars: Vec::new(),
            deletions: Vec::new(),
            long_deletions: Vec::new(),
        };
        let mut hashes = Vec::new();
        for (i, name) in list.names.iter().enumerate() {
            let index = i as u32;
            let norm = normalise(ecosystem, name);
            list.exact.entry(norm.clone()).or_insert(index);
            // Rearranged words have almost no honest collisions (none among the 10,000
            // PyPI names below the targets), so every listed name is a target for them.
            if let Some(key) = word_set(&norm) {
                list.word_sets.entry(key).or_insert(index);
            }
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
            let budget = edit_budget(effective_len(ecosystem, &chars));
            deletion_hashes(&chars, budget, &mut hashes);
            let into = if budget >= 2 {
                &mut list.long_deletions
            } else {
                &mut list.deletions
            };
            into.extend(hashes.iter().map(|&h| (h, index)));
            list.target_chars.push(chars);
        }
        for index in [&mut list.deletions, &mut list.long_deletions] {
            index.sort_unstable();
            index.dedup();
        }
        list
    }

    /// The 0-based index of `normalised` in the list, if the list holds it.
    pub fn index_of(&self, normalised: &str) -> Option<u32> {
        self.exact.get(normalised).copied()
    }

    /// Target indices sharing the deletion hash `hash`, among the one-edit targets or,
    /// with `long`, among the two-edit targets.
    pub fn targets_with_hash(&self, hash: u64, long: bool) -> impl Iterator<Item = u32> + '_ {
        let index = if long {
            &self.long_deletions
        } else {
            &self.deletions
        };
        let start = index.partition_point(|&(h, _)| h < hash);
        index[start..]
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

/// Names of fewer words are not compared word by word: `python-ffmpeg` and
/// `ffmpeg-python`, `flask-bootstrap` and `bootstrap-flask` are honest, different packages.
pub const MIN_REORDER_WORDS: usize = 3;

/// The words of a normalised name (split at `-`, `_` and `.`) sorted and joined, when it
/// has at least [`MIN_REORDER_WORDS`]; scoped and path-like names have none, and neither
/// have converters (`json-schema-to-zod` and `zod-to-json-schema` go opposite ways).
pub fn word_set(normalised: &str) -> Option<String> {
    if normalised.contains('/') || normalised.contains(':') {
        return None;
    }
    let mut words: Vec<&str> = normalised
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < MIN_REORDER_WORDS || words.contains(&"to") {
        return None;
    }
    words.sort_unstable();
    Some(words.join("-"))
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
            assert!(!list(eco).deletions.is_empty() || !list(eco).long_deletions.is_empty());
        }
        assert!(list(Ecosystem::PyPI).ranked);
        assert!(!list(Ecosystem::RubyGems).ranked);
        assert!(!list(Ecosystem::Crates).ranked);
        assert!(!is_popular(Ecosystem::PyPI, "reqeusts"));
    }

    #[test]
    fn deleting_a_character_hashes_like_the_shorter_name() {
        let hashes = |s: &str, depth| {
            let chars: Vec<char> = s.chars().collect();
            let mut out = Vec::new();
            deletion_hashes(&chars, depth, &mut out);
            out
        };
        let reqeusts = hashes("reqeusts", 2);
        assert!(reqeusts.contains(&hashes("reqests", 0)[0]));
        assert!(reqeusts.contains(&hashes("reqsts", 0)[0]));
        assert!(!reqeusts.contains(&hashes("requests", 0)[0]));
        assert_eq!(hashes("abc", 1).len(), 4);
        assert_eq!(hashes("abc", 2).len(), 7);
        assert_eq!(hashes("", 2).len(), 1);
    }

    #[test]
    fn scopes_split_only_when_well_formed() {
        assert_eq!(split_scope("@types/node"), Some(("types", "node")));
        assert_eq!(split_scope("@types"), None);
        assert_eq!(split_scope("@/x"), None);
        assert_eq!(split_scope("lodash"), None);
    }
}
