//! The names that carry a response, each in the scopes where it does, and one automaton
//! finding them all in a text.

use super::blocks::Blocks;
use super::text::{is_word, skip_space};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::BTreeMap;
use std::ops::Range;

/// Names followed per file: a minified bundle binds thousands, a loader a handful.
pub(super) const MAX_NAMES: usize = 256;

/// Scopes one name is followed in: each use is checked against each.
const SCOPES_PER_NAME: usize = 16;

/// Keywords a binding or callback pattern can pick up that are never names.
const KEYWORDS: &[&str] = &[
    "if",
    "for",
    "while",
    "return",
    "await",
    "async",
    "function",
    "new",
    "typeof",
    "var",
    "let",
    "const",
    "this",
    "true",
    "false",
    "null",
    "undefined",
    "else",
    "case",
    "in",
    "of",
];

#[derive(Default)]
pub(super) struct Carriers {
    names: Vec<Vec<u8>>,
    /// Per name, each scope with the offset of the network call it came from.
    scopes: BTreeMap<Vec<u8>, Vec<(Range<usize>, usize)>>,
    matcher: Option<AhoCorasick>,
    bindings: usize,
}

/// One place a followed name occurs.
pub(super) struct Occurrence {
    /// Offset in the text searched.
    pub(super) at: usize,
    pub(super) len: usize,
    /// Offset in the file of the network call behind it.
    pub(super) origin: usize,
}

impl Carriers {
    pub(super) fn len(&self) -> usize {
        self.bindings
    }

    /// Adds a followed name in a scope, keeping the first network call it came from. A
    /// name ending in `(` is a function whose calls return a response; a dotted one
    /// (`this.script`) a property holding one.
    pub(super) fn add(&mut self, name: &[u8], scope: Range<usize>, origin: usize) {
        let bare = name.strip_suffix(b"(").unwrap_or(name);
        let valid = !bare.is_empty()
            && !bare.starts_with(b".")
            && !bare.ends_with(b".")
            && bare.iter().all(|&b| is_word(b) || b == b'.')
            && !KEYWORDS.iter().any(|k| k.as_bytes() == bare);
        if !valid || self.bindings >= MAX_NAMES {
            return;
        }
        let scopes = self.scopes.entry(name.to_vec()).or_default();
        if scopes.len() >= SCOPES_PER_NAME || scopes.iter().any(|(s, _)| *s == scope) {
            return;
        }
        if scopes.is_empty() {
            self.names.push(name.to_vec());
        }
        scopes.push((scope, origin));
        self.bindings += 1;
    }

    pub(super) fn rebuild(&mut self) {
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.names)
            .ok();
    }

    /// Where a followed name occurs in `text` (which starts at `offset` in the file) as
    /// a variable inside a scope it is followed in, not shadowed there by a parameter of
    /// the same name (or, ending in `(`, as a call): not a property (`x.name`), not part
    /// of a longer name, not an object key (`{ name: 1 }`).
    pub(super) fn occurrences<'t>(
        &'t self,
        text: &'t [u8],
        offset: usize,
        blocks: &'t Blocks,
    ) -> impl Iterator<Item = Occurrence> + 't {
        self.matcher
            .iter()
            .flat_map(move |m| m.find_iter(text))
            .filter_map(move |m| {
                let name = &self.names[m.pattern().as_usize()];
                if !standalone(text, m.start(), name) {
                    return None;
                }
                let at = offset + m.start();
                self.scopes[name]
                    .iter()
                    .find(|(scope, _)| scope.contains(&at) && !blocks.shadowed(name, at, scope))
                    .map(|&(_, origin)| Occurrence {
                        at: m.start(),
                        len: name.len(),
                        origin,
                    })
            })
    }
}

/// Whether `name` at `at` is the variable itself (see [`Carriers::occurrences`]).
pub(super) fn standalone(text: &[u8], at: usize, name: &[u8]) -> bool {
    if at
        .checked_sub(1)
        .is_some_and(|i| is_word(text[i]) || text[i] == b'.')
    {
        return false;
    }
    if name.ends_with(b"(") {
        return true;
    }
    let after = &text[at + name.len()..];
    if after.first().is_some_and(|&b| is_word(b)) {
        return false;
    }
    let next = skip_space(after);
    !next.starts_with(b":") || next.starts_with(b"::")
}
