//! Times typosquatting look-ups: the deletion index against a full scan of the targets,
//! on the same random names in the same run, and measures how many honest names just
//! below the targets (popular-list ranks 5,001 and on) would be flagged.
//!
//! `cargo run --release -p palisade-metadata --example typosquat_speed`

use palisade_core::Ecosystem;
use palisade_metadata::bench::{indexed_nearest, naive_nearest, screen_ignoring_exemption};
use palisade_metadata::popular::{TARGETS, list};
use palisade_metadata::typosquat_target;
use std::time::Instant;

/// Random-looking names: popular names with a random edit half of the time (so that
/// matches are exercised), random letters otherwise. A fixed seed keeps runs comparable.
fn names(ecosystem: Ecosystem, count: usize) -> Vec<String> {
    let popular = &list(ecosystem).names;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            if next() % 2 == 0 {
                let mut chars: Vec<char> = popular[next() as usize % TARGETS.min(popular.len())]
                    .chars()
                    .collect();
                let at = next() as usize % chars.len().max(1);
                chars.insert(at, (b'a' + (next() % 26) as u8) as char);
                chars.into_iter().collect()
            } else {
                let len = 4 + next() as usize % 12;
                (0..len)
                    .map(|_| (b'a' + (next() % 26) as u8) as char)
                    .collect()
            }
        })
        .collect()
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64())
}

fn main() {
    for ecosystem in [Ecosystem::PyPI, Ecosystem::Npm] {
        let (_, load) = time(|| list(ecosystem).names.len());
        let queries = names(ecosystem, 10_000);
        let (indexed, t_index) = time(|| {
            queries
                .iter()
                .map(|n| indexed_nearest(ecosystem, n))
                .collect::<Vec<_>>()
        });
        let (naive, t_naive) = time(|| {
            queries
                .iter()
                .map(|n| naive_nearest(ecosystem, n))
                .collect::<Vec<_>>()
        });
        assert_eq!(indexed, naive, "the index must find what the scan finds");
        let (_, t_full) = time(|| {
            queries
                .iter()
                .filter(|n| typosquat_target(ecosystem, n).is_some())
                .count()
        });
        println!(
            "{ecosystem}: list parsed and indexed in {:.0} ms; edit-distance look-ups: \
             index {:.0}/s, full scan {:.0}/s ({:.0}x); all checks {:.0}/s",
            load * 1e3,
            queries.len() as f64 / t_index,
            queries.len() as f64 / t_naive,
            t_naive / t_index,
            queries.len() as f64 / t_full,
        );
        let honest = &list(ecosystem).names[TARGETS..];
        let mut by_technique = std::collections::BTreeMap::new();
        for name in honest {
            if let Some(found) = screen_ignoring_exemption(ecosystem, name) {
                *by_technique
                    .entry(format!("{:?}", found.technique))
                    .or_insert(0) += 1;
            }
        }
        let flagged: usize = by_technique.values().sum();
        println!(
            "{ecosystem}: {flagged} of {} honest names ranked {}+ would be flagged if \
             unlisted: {by_technique:?}",
            honest.len(),
            TARGETS + 1
        );
    }
}
