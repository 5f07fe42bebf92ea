//! Typosquatting: a name chosen to be mistaken for a popular package's.
//!
//! Attackers publish `reqeusts`, `crossenv` or `python-dateutils` and wait for someone to
//! mistype or misremember the real name; the package then runs its payload at install
//! time with the victim's rights. The check compares a name with the most popular names
//! of its ecosystem (data/popular/) and reports the one it imitates, and how: a typo
//! within one edit (two for names of ten characters or more), a neighbouring-key slip, a
//! swapped pair, a changed separator, the words of a name of three words or more
//! rearranged, lookalike characters (`rn` for `m`, `1` for `l`, Cyrillic letters), a
//! popular name with a prefix or suffix added or dropped, or an npm scope moved around. Popular names are never flagged, and very short names, which have
//! many honest neighbours, are held to stricter tests.
//!
//! Example: `reqeusts` on PyPI is one transposition from `requests` (PyPI rank 6).

mod distance;
mod rules;
#[cfg(test)]
mod tests;

pub use distance::osa;
pub use rules::{AFFIX_SQUAT, LOOKALIKE, SCOPE_COPY, TYPOSQUAT};

use crate::confusables::skeleton;
use crate::popular::{
    MAX_NAME_CHARS, PopularList, deletion_hashes, edit_budget, effective_len, list, normalise,
    split_scope, squash, word_set,
};
use palisade_core::{Ecosystem, Finding, RuleInfo};

/// How a name imitates a popular one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Technique {
    /// Two neighbouring characters swapped (`reqeusts`).
    Transposition,
    /// One character replaced by its neighbour on a QWERTY keyboard (`lodasj`).
    KeyboardSlip,
    /// One character replaced by one that reads alike (`1odash`).
    Lookalike,
    /// One character replaced by another.
    Substitution,
    /// One character dropped.
    Omission,
    /// One character added (`colourama`).
    Insertion,
    /// Two edits away, for long names (`python-datutils`).
    TwoEdits,
    /// Only the separators differ (`crossenv`, `python_dateutil` on npm).
    Separator,
    /// Reads the same once lookalike characters are folded (`rеquests` with a Cyrillic
    /// `е`, `colorarna`).
    Homoglyph,
    /// A popular name with a prefix or suffix added (`discord.js-selfbot`).
    AddedAffix(&'static str),
    /// A popular name with its prefix or suffix dropped (`dateutil`).
    DroppedAffix(&'static str),
    /// The words of a popular name in another order (`python-aliyun-sdk-core` for
    /// `aliyun-python-sdk-core`).
    Reordered,
    /// A scoped npm name flattened into an unscoped one (`types-node`).
    ScopeFlattened,
    /// A popular unscoped npm name republished under a scope (`@evil/lodash`).
    ScopeCopy,
}

impl Technique {
    /// The rule that reports this kind of imitation.
    pub fn rule(self) -> &'static RuleInfo {
        match self {
            Technique::Lookalike | Technique::Homoglyph => &LOOKALIKE,
            Technique::AddedAffix(_) | Technique::DroppedAffix(_) => &AFFIX_SQUAT,
            Technique::ScopeCopy => &SCOPE_COPY,
            _ => &TYPOSQUAT,
        }
    }

    fn phrase(self) -> String {
        match self {
            Technique::Transposition => {
                "one transposition (two neighbouring letters swapped) from".into()
            }
            Technique::KeyboardSlip => "one keyboard slip (a neighbouring key) from".into(),
            Technique::Lookalike => "one lookalike character from".into(),
            Technique::Substitution => "one substituted character from".into(),
            Technique::Omission => "one dropped character from".into(),
            Technique::Insertion => "one added character from".into(),
            Technique::TwoEdits => "two typos from".into(),
            Technique::Separator => "only a separator change (`-`, `_`, `.`) from".into(),
            Technique::Homoglyph => "spelled with lookalike characters to read as".into(),
            Technique::AddedAffix(a) => format!("`{a}` added to"),
            Technique::DroppedAffix(a) => format!("with `{a}` dropped,"),
            Technique::Reordered => "the words, rearranged, of".into(),
            Technique::ScopeFlattened => "a scoped name flattened, imitating".into(),
            Technique::ScopeCopy => "an unrelated scope reusing the name of".into(),
        }
    }
}

/// A popular package that a name imitates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imitation {
    /// The popular name, as its list spells it.
    pub target: String,
    /// 0-based position in the popular list (0 is the most popular).
    pub index: u32,
    /// Where the target stands, for a reader: "PyPI rank 6".
    pub standing: String,
    pub technique: Technique,
}

impl Imitation {
    /// The sentence a report shows: "`reqeusts` is one transposition ... from `requests`
    /// (PyPI rank 6)".
    pub fn describe(&self, name: &str) -> String {
        format!(
            "`{name}` is {} `{}` ({})",
            self.technique.phrase(),
            self.target,
            self.standing
        )
    }
}

/// Popular names of at most this many characters are "short": many honest names are
/// one edit from them, so only the likeliest typos of the most popular ones count.
const SHORT_NAME: usize = 4;
/// Short targets must be within this many of the top of their list.
const SHORT_TARGETS: u32 = 300;
/// Two-edit matches must be within this many of the top.
const TWO_EDIT_TARGETS: u32 = 2000;
/// Affix matches may aim at any target: their rule is only a hint.
const AFFIX_TARGETS: u32 = crate::popular::TARGETS as u32;
/// Copies under a scope must aim within this many of the top: forks of less popular
/// packages are commonly republished under their maintainer's scope.
const SCOPE_TARGETS: u32 = 1000;

const PREFIXES: &[&str] = &[
    "python-",
    "py-",
    "py",
    "node-",
    "nodejs-",
    "js-",
    "go-",
    "golang-",
    "rust-",
    "ruby-",
    "official-",
    "real-",
    "secure-",
];
const SUFFIXES: &[&str] = &[
    "-python",
    "-py",
    "-js",
    ".js",
    "js",
    "-node",
    "-nodejs",
    "-dev",
    "-lib",
    "-sdk",
    "-selfbot",
    "-official",
    "-latest",
    "-fixed",
    "-patched",
    "-v2",
    "2",
    "3",
];

/// The popular package of `ecosystem` that `name` imitates, if any. A name that is itself
/// in the popular list never imitates anything.
pub fn typosquat_target(ecosystem: Ecosystem, name: &str) -> Option<Imitation> {
    let popular = list(ecosystem);
    let norm = normalise(ecosystem, name);
    if norm.is_empty() || norm.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    if popular.index_of(&norm).is_some() {
        return None;
    }
    screen(popular, &norm)
}

/// The checks of [`typosquat_target`] after the exemption of popular names: also used to
/// measure how many honest, less popular names would be flagged.
pub(crate) fn screen(popular: &PopularList, norm: &str) -> Option<Imitation> {
    let found = |index: u32, technique| {
        Some(Imitation {
            target: popular.names[index as usize].clone(),
            index,
            standing: popular.standing(index),
            technique,
        })
    };
    let squashed = squash(norm);
    // Two-letter names have too many honest spellings to judge by their look alone.
    if squashed.chars().count() > 2 {
        if let Some(&i) = popular.squashed.get(&squashed) {
            return found(i, Technique::Separator);
        }
        if let Some(&i) = popular.skeletons.get(&skeleton(&squashed)) {
            return found(i, Technique::Homoglyph);
        }
    }
    if let Some((i, technique)) = nearest_typo(popular, norm) {
        return found(i, technique);
    }
    if let Some(&i) = word_set(norm).and_then(|key| popular.word_sets.get(&key))
        && normalise(popular.ecosystem, &popular.names[i as usize]) != norm
    {
        return found(i, Technique::Reordered);
    }
    if popular.ecosystem == Ecosystem::Npm
        && let Some((i, technique)) = scope_confusion(popular, norm, &squashed)
    {
        return found(i, technique);
    }
    affix(popular, norm).and_then(|(i, technique)| found(i, technique))
}

/// The most popular target within its edit budget of `norm`, found through the deletion
/// index and confirmed by computing the distance.
pub(crate) fn nearest_typo(popular: &PopularList, norm: &str) -> Option<(u32, Technique)> {
    let chars: Vec<char> = norm.chars().collect();
    let mut hashes = Vec::new();
    deletion_hashes(&chars, 1, &mut hashes);
    let mut candidates: Vec<u32> = hashes
        .iter()
        .flat_map(|&h| popular.targets_with_hash(h, false))
        .collect();
    // Only a name within two characters of a long target's length can be two edits away.
    if effective_len(popular.ecosystem, &chars) + 2 >= crate::popular::LONG_NAME {
        hashes.clear();
        deletion_hashes(&chars, 2, &mut hashes);
        candidates.extend(
            hashes
                .iter()
                .flat_map(|&h| popular.targets_with_hash(h, true)),
        );
    }
    candidates.sort_unstable();
    candidates.dedup();
    best_typo(popular, &chars, candidates.into_iter())
}

/// The best of `candidates` (fewest edits, then most popular) that passes the policy.
pub(crate) fn best_typo(
    popular: &PopularList,
    chars: &[char],
    candidates: impl Iterator<Item = u32>,
) -> Option<(u32, Technique)> {
    let mut best: Option<(usize, u32, Technique)> = None;
    for index in candidates {
        let target = &popular.target_chars[index as usize];
        let target_len = effective_len(popular.ecosystem, target);
        let budget = edit_budget(target_len);
        let Some(distance) = osa(chars, target, budget) else {
            continue;
        };
        let technique = match distance {
            0 => continue,
            1 => distance::classify_one_edit(chars, target),
            _ => Technique::TwoEdits,
        };
        if !allowed(target_len, index, distance, technique) {
            continue;
        }
        if best.is_none_or(|(d, i, _)| (distance, index) < (d, i)) {
            best = Some((distance, index, technique));
        }
    }
    best.map(|(_, i, t)| (i, t))
}

/// The false-positive policy: short names only for the likeliest typos of the very
/// popular, two edits only for the fairly popular.
fn allowed(target_len: usize, index: u32, distance: usize, technique: Technique) -> bool {
    if target_len <= 2 {
        return false;
    }
    if target_len <= SHORT_NAME {
        return index < SHORT_TARGETS
            && matches!(
                technique,
                Technique::Transposition | Technique::KeyboardSlip | Technique::Lookalike
            );
    }
    distance == 1 || index < TWO_EDIT_TARGETS
}

fn within(index: u32) -> Option<u32> {
    (index < AFFIX_TARGETS).then_some(index)
}

fn within_scope_targets(index: u32) -> Option<u32> {
    (index < SCOPE_TARGETS).then_some(index)
}

fn scope_confusion(popular: &PopularList, norm: &str, squashed: &str) -> Option<(u32, Technique)> {
    match split_scope(norm) {
        // DefinitelyTyped's `@types` scope is not open to anyone, so `@types/x` is honest.
        Some((scope, bare)) if scope != "types" && bare.chars().count() > SHORT_NAME => popular
            .index_of(bare)
            .and_then(within_scope_targets)
            .map(|i| (i, Technique::ScopeCopy)),
        Some(_) => None,
        None => popular
            .flattened_scopes
            .get(squashed)
            .copied()
            .and_then(within)
            .map(|i| (i, Technique::ScopeFlattened)),
    }
}

fn affix(popular: &PopularList, norm: &str) -> Option<(u32, Technique)> {
    let eco = popular.ecosystem;
    let lookup = |core: &str| {
        let core = core.trim_matches(['-', '_', '.']);
        if core.chars().count() <= SHORT_NAME {
            return None;
        }
        popular.index_of(core).and_then(within)
    };
    let mut best: Option<(u32, Technique)> = None;
    let mut consider = |hit: Option<u32>, technique| {
        if let Some(i) = hit
            && best.is_none_or(|(b, _)| i < b)
        {
            best = Some((i, technique));
        }
    };
    for &prefix in PREFIXES {
        let p = normalise(eco, prefix);
        if let Some(rest) = norm.strip_prefix(p.as_str()) {
            consider(lookup(rest), Technique::AddedAffix(prefix));
        }
        if norm.chars().count() > SHORT_NAME {
            consider(
                lookup(&format!("{p}{norm}")),
                Technique::DroppedAffix(prefix),
            );
        }
    }
    for &suffix in SUFFIXES {
        let s = normalise(eco, suffix);
        if let Some(rest) = norm.strip_suffix(s.as_str()) {
            consider(lookup(rest), Technique::AddedAffix(suffix));
        }
        if norm.chars().count() > SHORT_NAME && suffix.len() > 1 {
            consider(
                lookup(&format!("{norm}{s}")),
                Technique::DroppedAffix(suffix),
            );
        }
    }
    best
}

/// The finding for `name` when it imitates a popular package.
pub fn check(ecosystem: Ecosystem, name: &str) -> Option<Finding> {
    let imitation = typosquat_target(ecosystem, name)?;
    let rule = imitation.technique.rule();
    let why = match imitation.technique {
        Technique::AddedAffix(_)
        | Technique::DroppedAffix(_)
        | Technique::ScopeCopy
        | Technique::Reordered => {
            "names like this are often taken to pass off a copy as the real package"
        }
        _ => "installing it by mistake for the real package runs its code",
    };
    Some(
        rule.finding(format!("{}: {why}", imitation.describe(name)))
            .at("name", None)
            .with_snippet(format!("{name} ~ {}", imitation.target)),
    )
}
