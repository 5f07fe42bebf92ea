//! Arbitrary-size non-negative integers as they appear in version strings.
//!
//! Version components are unbounded in every scheme that matters here (the conformance
//! cases use 30-digit components), so they are kept as their decimal digits with leading
//! zeros removed: comparing by length, then by digits, is numeric comparison.

use std::cmp::Ordering;
use std::fmt;

/// A non-negative integer of any size, held as canonical decimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Num(Box<str>);

impl Num {
    /// Zero.
    pub fn zero() -> Num {
        Num("0".into())
    }

    /// Builds a number from ASCII digits; `None` when `digits` is empty or holds
    /// anything else.
    pub fn from_digits(digits: &str) -> Option<Num> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        Some(if trimmed.is_empty() {
            Num::zero()
        } else {
            Num(trimmed.into())
        })
    }

    pub fn is_zero(&self) -> bool {
        &*self.0 == "0"
    }

    /// The canonical digits (no leading zeros).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.as_bytes().cmp(other.0.as_bytes()))
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Compares two release sequences, padding the shorter one with zeros, as PEP 440,
/// NuGet and the lenient SemVer form all do.
pub fn cmp_padded(a: &[Num], b: &[Num]) -> Ordering {
    let zero = Num::zero();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).unwrap_or(&zero);
        let y = b.get(i).unwrap_or(&zero);
        match x.cmp(y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_numerically_beyond_machine_integers() {
        let big = Num::from_digits("999999999999999999999999999991").unwrap();
        let bigger = Num::from_digits("999999999999999999999999999999").unwrap();
        assert!(big < bigger);
        assert!(Num::from_digits("010").unwrap() > Num::from_digits("9").unwrap());
        assert_eq!(Num::from_digits("000").unwrap(), Num::zero());
        assert!(Num::from_digits("1a").is_none());
        assert!(Num::from_digits("").is_none());
    }
}
