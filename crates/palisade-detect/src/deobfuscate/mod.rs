//! Finding and decoding hidden text: string literals in base64, hex, `\x` escapes or
//! char-code arrays, reversed or rot13'd, possibly zlib/gzip-compressed, possibly built
//! from concatenated or joined fragments. Each decoded text is returned with the chain
//! of steps that produced it, and is decoded again in turn, up to a fixed depth, so a
//! payload wrapped three times comes out readable with its three steps named.
//!
//! Python code written in look-alike letters (`𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀.get`) is not a literal; its
//! lines are folded to the ASCII Python reads by [`fold_lookalike_letters`].
//!
//! Everything is bounded: literals considered per file, bytes decoded per literal and
//! per file, and depth. Decoding never runs anything.

mod decoders;
mod indexed;
mod literals;
mod unicode;

pub use unicode::{UNICODE_FOLD, fold_lookalike_letters};

use aho_corasick::AhoCorasick;
use decoders::{
    character_shift, decode_base64, decode_binary_layer, decode_hex, rot13, shift_characters,
    unescape, unescape_code_string,
};
use literals::{Candidate, candidates};
use std::sync::LazyLock;

/// How deep decoded text is decoded again.
pub const MAX_DEPTH: usize = 4;
/// Shortest literal worth decoding.
const MIN_LITERAL: usize = 24;
/// Literals examined per text.
const MAX_LITERALS: usize = 4096;
/// Decoded results kept per text.
const MAX_RESULTS: usize = 64;
/// Largest output of one decoding step.
const MAX_DECODED: usize = 4 << 20;
/// Shortest base64 word decoded from inside a longer string.
const EMBEDDED_TOKEN: usize = 40;
/// Words of one literal tried as base64.
const MAX_TOKENS: usize = 8;
/// Largest literal considered.
const MAX_LITERAL: usize = 8 << 20;

/// A decoded text and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: Vec<u8>,
    /// Steps, outermost first, e.g. `["base64", "zlib"]`.
    pub chain: Vec<String>,
    /// Byte offset of the encoded literal in the text it was found in.
    pub offset: usize,
}

/// Every decodable literal of `data`, decoded recursively; results of deeper levels
/// carry the offset of their outermost literal in `data`.
pub fn decode_all(data: &[u8]) -> Vec<Decoded> {
    let mut out = Vec::new();
    decode_into(data, &[], None, 0, &mut out);
    out
}

fn decode_into(
    data: &[u8],
    chain: &[String],
    root_offset: Option<usize>,
    depth: usize,
    out: &mut Vec<Decoded>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    let hints = Hints::of(data);
    for candidate in candidates(data) {
        if out.len() >= MAX_RESULTS {
            return;
        }
        for (steps, text) in decode_candidate(&candidate, hints) {
            let mut full = chain.to_vec();
            full.extend(steps);
            let offset = root_offset.unwrap_or(candidate.offset);
            out.push(Decoded {
                text: text.clone(),
                chain: full.clone(),
                offset,
            });
            decode_into(&text, &full, Some(offset), depth + 1, out);
            if out.len() >= MAX_RESULTS {
                return;
            }
        }
    }
}

/// What the surrounding text says about how its literals may be encoded.
#[derive(Debug, Clone, Copy)]
struct Hints {
    rot13: bool,
    /// The text reverses something somewhere, so a literal that decodes to nothing
    /// forwards is tried backwards.
    reversal: bool,
    /// The text moves characters by a fixed amount (`chr(ord(c) - 3)`).
    shift: Option<i32>,
}

/// The words that give the hints, found in one pass over the text (each file and each
/// decoded text is read once here, so this is on the hot path).
static HINT_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "rot13",
            "rot_13",
            "[::-1]",
            ".reverse()",
            "chr(ord(",
            ".charCodeAt(",
        ])
        .expect("fixed hint words")
});

impl Hints {
    fn of(data: &[u8]) -> Hints {
        let mut hints = Hints {
            rot13: false,
            reversal: false,
            shift: None,
        };
        for found in HINT_WORDS.find_iter(data) {
            match found.pattern().as_usize() {
                0 | 1 => hints.rot13 = true,
                2 | 3 => hints.reversal = true,
                _ => {
                    if hints.shift.is_none() {
                        hints.shift = character_shift(&data[found.end()..]);
                    }
                }
            }
        }
        hints
    }
}

/// The decodings of one candidate that produce something worth reading.
fn decode_candidate(c: &Candidate, hints: Hints) -> Vec<(Vec<String>, Vec<u8>)> {
    let results = decode_candidate_as_is(c, hints);
    if !results.is_empty() || !hints.reversal || c.reversed || c.assembled.is_some() {
        return results;
    }
    let reversed = Candidate {
        bytes: c.bytes.clone(),
        offset: c.offset,
        reversed: true,
        assembled: None,
    };
    decode_candidate_as_is(&reversed, hints)
}

fn decode_candidate_as_is(c: &Candidate, hints: Hints) -> Vec<(Vec<String>, Vec<u8>)> {
    let mut results = Vec::new();
    if let Some(step) = c.assembled {
        results.push((vec![step.to_string()], c.bytes.clone()));
        return results;
    }
    let mut base = c.bytes.clone();
    let mut steps: Vec<String> = Vec::new();
    if c.reversed {
        base.reverse();
        steps.push("reversed".into());
    }
    if let Some(unescaped) = unescape(&base) {
        let mut s = steps.clone();
        s.push("escapes".into());
        if meaningful(&unescaped) {
            results.push((s.clone(), unescaped.clone()));
        }
        if let Some(more) = decode_binary_layer(&unescaped) {
            let mut s2 = s;
            s2.extend(more.0);
            results.push((s2, more.1));
        }
        return results;
    }
    if let Some(code) = unescape_code_string(&base) {
        let mut s = steps.clone();
        s.push(STRING_ESCAPES.into());
        results.push((s, code));
        return results;
    }
    if let Some(decoded) = decode_base64(&base).or_else(|| decode_hex(&base)) {
        results.extend(worth_reading(&steps, decoded));
        return results;
    }
    // A base64 word inside a longer string: `echo aW1wb3J0... | base64 -d | sh`.
    for token in base
        .split(|b| b.is_ascii_whitespace() || b"'\"|;,()`".contains(b))
        .filter(|t| t.len() >= EMBEDDED_TOKEN && t.len() < base.len())
        .take(MAX_TOKENS)
    {
        if let Some(decoded) = decode_base64(token) {
            results.extend(worth_reading(&steps, decoded));
        }
    }
    if !results.is_empty() {
        return results;
    }
    if hints.rot13 && base.iter().filter(|b| b.is_ascii_alphabetic()).count() * 2 > base.len() {
        let rotated: Vec<u8> = base.iter().map(|&b| rot13(b)).collect();
        if looks_like_code(&rotated) {
            let mut s = steps;
            s.push("rot13".into());
            results.push((s, rotated));
            return results;
        }
    }
    if let Some(shift) = hints.shift
        && let Some(shifted) = shift_characters(&base, shift)
        && looks_like_code(&shifted)
    {
        let mut s = steps;
        s.push(format!("characters shifted by {shift}"));
        results.push((s, shifted));
    }
    results
}

/// A decoded layer with its compression layers opened, if the result is worth reading.
fn worth_reading(
    steps: &[String],
    (name, bytes): (&str, Vec<u8>),
) -> Option<(Vec<String>, Vec<u8>)> {
    let mut chain = steps.to_vec();
    chain.push(name.into());
    if let Some((more, inner)) = decode_binary_layer(&bytes) {
        chain.extend(more);
        return Some((chain, inner));
    }
    meaningful(&bytes).then_some((chain, bytes))
}

/// The step name of code kept in a string literal with `\n`-style escapes: ordinary
/// quoting, not concealment, but what it holds is code to analyse.
pub const STRING_ESCAPES: &str = "string escapes";

/// The step name of short list fragments read together (`['ht', 'tp://', ...]`).
pub const JOINED_FRAGMENTS: &str = "joined fragments";
/// The step of text spelled out from a list of character codes.
pub const CHAR_CODES: &str = "char codes";
/// The step of text spelled out by indexing a table of single characters.
pub const INDEXED_CHARACTERS: &str = "indexed characters";

/// Mostly printable text: worth scanning as code.
fn meaningful(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        return false;
    }
    if is_executable(bytes) {
        return true;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    let total = text.chars().count();
    printable * 100 >= total * 95
        && text
            .chars()
            .any(|c| c == ' ' || c == '(' || c == '.' || c == '/')
}

fn looks_like_code(bytes: &[u8]) -> bool {
    [
        "import ",
        "exec",
        "http",
        "eval",
        "require(",
        "socket",
        "system",
        "subprocess",
        "base64",
    ]
    .iter()
    .any(|k| contains_ci(bytes, k.as_bytes()))
}

/// PE (`MZ` with a `PE\0\0` header where it says), ELF or Mach-O.
pub fn is_executable(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\x7fELF") {
        return true;
    }
    if bytes.len() >= 4 {
        let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if matches!(magic, 0xfeedface | 0xfeedfacf | 0xcefaedfe | 0xcffaedfe) {
            return true;
        }
    }
    if bytes.starts_with(b"MZ") && bytes.len() >= 0x40 {
        let pe = u32::from_le_bytes([bytes[0x3c], bytes[0x3d], bytes[0x3e], bytes[0x3f]]) as usize;
        return bytes.get(pe..pe + 4) == Some(b"PE\0\0");
    }
    false
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests;
