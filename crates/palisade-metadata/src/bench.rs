//! Entry points for the timing example and the false-positive measurement; not part of
//! the supported API.

use crate::popular::{MAX_NAME_CHARS, list, normalise};
use crate::typosquat::{Imitation, best_typo, nearest_typo, screen};
use palisade_core::Ecosystem;

/// The edit-distance step through the deletion index: the target's index, if any.
pub fn indexed_nearest(ecosystem: Ecosystem, name: &str) -> Option<u32> {
    let norm = normalise(ecosystem, name);
    if norm.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    nearest_typo(list(ecosystem), &norm).map(|(i, _)| i)
}

/// The same step by computing the distance to every target: the naive baseline.
pub fn naive_nearest(ecosystem: Ecosystem, name: &str) -> Option<u32> {
    let popular = list(ecosystem);
    let norm = normalise(ecosystem, name);
    if norm.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    let chars: Vec<char> = norm.chars().collect();
    best_typo(popular, &chars, 0..popular.target_chars.len() as u32).map(|(i, _)| i)
}

/// Every check of the typosquatting rule except the exemption of popular names, to
/// measure how many honest names just below the targets would be flagged.
pub fn screen_ignoring_exemption(ecosystem: Ecosystem, name: &str) -> Option<Imitation> {
    let norm = normalise(ecosystem, name);
    if norm.is_empty() || norm.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    screen(list(ecosystem), &norm)
}
