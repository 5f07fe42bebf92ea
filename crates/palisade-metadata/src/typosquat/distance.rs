//! Edit distance (optimal string alignment: insertions, deletions, substitutions and
//! swaps of neighbouring characters each cost one) and the naming of a one-edit typo.

use super::Technique;
use crate::confusables::{keyboard_adjacent, lookalike_pair};

/// The OSA distance between `a` and `b`, or `None` when it exceeds `max`.
pub fn osa(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    // Three rolling rows: the swap case looks two rows back.
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let d = previous[b.len()];
    (d <= max).then_some(d)
}

/// Which kind of typo turns `target` into `candidate`, known to be one edit apart.
pub fn classify_one_edit(candidate: &[char], target: &[char]) -> Technique {
    use std::cmp::Ordering::*;
    match candidate.len().cmp(&target.len()) {
        Greater => Technique::Insertion,
        Less => Technique::Omission,
        Equal => {
            let differ: Vec<usize> = (0..candidate.len())
                .filter(|&i| candidate[i] != target[i])
                .collect();
            match differ.as_slice() {
                [i, j] if *j == i + 1 => Technique::Transposition,
                [i] if lookalike_pair(candidate[*i], target[*i]) => Technique::Lookalike,
                [i] if keyboard_adjacent(candidate[*i], target[*i]) => Technique::KeyboardSlip,
                _ => Technique::Substitution,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn distances_count_swaps_as_one_edit() {
        assert_eq!(osa(&chars("reqeusts"), &chars("requests"), 2), Some(1));
        assert_eq!(osa(&chars("colourama"), &chars("colorama"), 2), Some(1));
        assert_eq!(osa(&chars("kitten"), &chars("sitting"), 3), Some(3));
        assert_eq!(osa(&chars("kitten"), &chars("sitting"), 2), None);
        assert_eq!(osa(&chars(""), &chars("ab"), 2), Some(2));
        assert_eq!(osa(&chars("same"), &chars("same"), 0), Some(0));
    }

    #[test]
    fn one_edit_typos_are_named_by_kind() {
        let kind = |c: &str, t: &str| classify_one_edit(&chars(c), &chars(t));
        assert_eq!(kind("electorn", "electron"), Technique::Transposition);
        assert_eq!(kind("1odash", "lodash"), Technique::Lookalike);
        assert_eq!(kind("lodasj", "lodash"), Technique::KeyboardSlip);
        assert_eq!(kind("lodazh", "lodash"), Technique::KeyboardSlip);
        assert_eq!(kind("lodpsh", "lodash"), Technique::Substitution);
        assert_eq!(kind("lodashh", "lodash"), Technique::Insertion);
        assert_eq!(kind("lodsh", "lodash"), Technique::Omission);
    }
}
