//! Finding what might be encoded: string literals (joined across `+`, implicit
//! concatenation and `join` lists), short fragments of a list that read as a URL or
//! command once joined, and arrays of character codes.

use super::indexed::indexed_tables;
use super::{
    CHAR_CODES, JOINED_FRAGMENTS, MAX_DECODED, MAX_LITERAL, MAX_LITERALS, MIN_LITERAL, contains_ci,
    looks_like_code,
};

/// A piece of text that might be encoded.
#[derive(Debug)]
pub(super) struct Candidate {
    pub(super) bytes: Vec<u8>,
    pub(super) offset: usize,
    /// Followed by a reversal (`[::-1]`, `.reverse()`), so decode it reversed.
    pub(super) reversed: bool,
    /// Text already assembled from pieces that are not one literal (char codes, list
    /// fragments, an indexed character table): the name of that step.
    pub(super) assembled: Option<&'static str>,
}

/// String literals (adjacent ones joined across `+`, whitespace and line
/// continuations, and the items of a list joined when the list is `join`ed) and
/// arrays of char codes.
pub(super) fn candidates(data: &[u8]) -> Vec<Candidate> {
    let literals = string_literals(data);
    let mut out = Vec::new();
    let mut i = 0;
    while i < literals.len() && out.len() < MAX_LITERALS {
        let (start, mut end, mut bytes) = literals[i].clone();
        let mut j = i + 1;
        // Join fragments: 'abc' + 'def', "abc" "def", and ['ab', 'cd'] inside a join.
        while j < literals.len() {
            let gap = &data[end..literals[j].0];
            let joinable = gap.iter().all(|b| b" \t\r\n+\\".contains(b))
                || (gap.iter().all(|b| b" \t\r\n,".contains(b)) && inside_join(data, start));
            if !joinable || bytes.len() > MAX_LITERAL {
                break;
            }
            bytes.extend_from_slice(&literals[j].2);
            end = literals[j].1;
            j += 1;
        }
        // A list of short fragments that read as a URL or command once joined:
        // `["Invoke-WebRequest ", "'http://stellar-", "conquest.fr/launcher.bat'"]`.
        if j == i + 1
            && let Some((joined, last)) = joined_list_fragments(data, &literals, i)
        {
            out.push(Candidate {
                bytes: joined,
                offset: start,
                reversed: false,
                assembled: Some(JOINED_FRAGMENTS),
            });
            i = last + 1;
            continue;
        }
        i = j;
        if bytes.len() >= MIN_LITERAL && bytes.len() <= MAX_LITERAL {
            let after = &data[end..data.len().min(end + 16)];
            let reversed = starts_with_ignoring_space(after, b"[::-1]")
                || starts_with_ignoring_space(after, b".split('').reverse()")
                || starts_with_ignoring_space(after, b".split(\"\").reverse()");
            out.push(Candidate {
                bytes,
                offset: start,
                reversed,
                assembled: None,
            });
        }
    }
    out.extend(char_code_arrays(data));
    out.extend(indexed_tables(data));
    out
}

/// Fragments in a list, at least four, short on average, separated only by commas and
/// whitespace, that read as a URL or code once joined. Returns the joined text and the
/// index of the last literal used.
pub(super) fn joined_list_fragments(
    data: &[u8],
    literals: &[(usize, usize, Vec<u8>)],
    first: usize,
) -> Option<(Vec<u8>, usize)> {
    let mut last = first;
    while last + 1 < literals.len()
        && last - first < 256
        && data[literals[last].1..literals[last + 1].0]
            .iter()
            .all(|b| b" \t\r\n,".contains(b))
    {
        last += 1;
    }
    let count = last - first + 1;
    if count < 4 {
        return None;
    }
    let joined: Vec<u8> = literals[first..=last]
        .iter()
        .flat_map(|(_, _, b)| b.iter().copied())
        .collect();
    let short = joined.len() / count <= 16;
    let split_url = contains_ci(&joined, b"http")
        && !literals[first..=last]
            .iter()
            .any(|(_, _, b)| contains_ci(b, b"http://") || contains_ci(b, b"https://"));
    (short && (split_url || looks_like_code(&joined))).then_some((joined, last))
}

pub(super) fn inside_join(data: &[u8], literal_start: usize) -> bool {
    let before = &data[literal_start.saturating_sub(24)..literal_start];
    contains_ci(before, b"join(") || contains_ci(before, b"join([")
}

/// `(start, end, content)` of each quoted literal, with backslash escapes kept as they
/// are (escape runs are decoded as a step of their own).
pub(super) fn string_literals(data: &[u8]) -> Vec<(usize, usize, Vec<u8>)> {
    let mut out = Vec::new();
    // Per kind of quote (`"`, `'`, backtick, each single or tripled), where a literal
    // opened before found no close: one opened before there cannot close either, so a
    // file of unclosed quotes is read once, not once per quote.
    let mut unclosed_until = [0usize; 6];
    let mut i = 0;
    while i < data.len() && out.len() < MAX_LITERALS * 2 {
        let quote = data[i];
        if quote != b'"' && quote != b'\'' && quote != b'`' {
            i += 1;
            continue;
        }
        // Triple-quoted Python strings.
        let triple = data.len() >= i + 3 && data[i + 1] == quote && data[i + 2] == quote;
        let open = if triple { 3 } else { 1 };
        let kind = match quote {
            b'"' => 0,
            b'\'' => 1,
            _ => 2,
        } + if triple { 3 } else { 0 };
        if i < unclosed_until[kind] {
            i += 1;
            continue;
        }
        let start = i;
        let mut k = i + open;
        let mut closed = None;
        while k < data.len() {
            let b = data[k];
            if b == b'\\' {
                k += 2;
                continue;
            }
            if b == b'\n' && !triple && quote != b'`' {
                break;
            }
            if b == quote
                && (!triple
                    || (data.len() >= k + 3 && data[k + 1] == quote && data[k + 2] == quote))
            {
                closed = Some(k);
                break;
            }
            k += 1;
        }
        match closed {
            Some(close) => {
                let content = data[start + open..close].to_vec();
                let end = close + open;
                out.push((start, end, content));
                i = end;
            }
            None => {
                unclosed_until[kind] = k;
                i = start + 1;
            }
        }
    }
    out
}

/// `[104, 116, 116, 112, ...]`: eight or more numbers that are printable char codes.
pub(super) fn char_code_arrays(data: &[u8]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() && out.len() < MAX_LITERALS {
        if data[i] != b'[' && data[i] != b'(' {
            i += 1;
            continue;
        }
        let close = if data[i] == b'[' { b']' } else { b')' };
        let mut k = i + 1;
        let mut codes = Vec::new();
        let mut current: Option<u32> = None;
        let mut ok = true;
        while k < data.len() && data[k] != close {
            let b = data[k];
            match b {
                b'0'..=b'9' => current = Some(current.unwrap_or(0) * 10 + u32::from(b - b'0')),
                b',' | b' ' | b'\n' | b'\r' | b'\t' => {
                    if let Some(c) = current.take() {
                        codes.push(c);
                    }
                }
                _ => {
                    ok = false;
                    break;
                }
            }
            if current.is_some_and(|c| c > 0x10ffff) || codes.len() > MAX_DECODED {
                ok = false;
                break;
            }
            k += 1;
        }
        if let Some(c) = current {
            codes.push(c);
        }
        let decoded = if ok && k < data.len() && codes.len() >= 8 {
            text_from_codes(&codes)
        } else {
            None
        };
        if let Some(bytes) = decoded {
            out.push(Candidate {
                bytes,
                offset: i,
                reversed: false,
                assembled: Some(CHAR_CODES),
            });
            i = k;
        } else {
            i += 1;
        }
    }
    out
}

/// Text from an array of numbers: plain character codes, or codes multiplied by a
/// constant or XORed with a one-byte key (both seen in droppers), when every result is
/// printable.
pub(super) fn text_from_codes(codes: &[u32]) -> Option<Vec<u8>> {
    let printable = |c: u32| (32..127).contains(&c) || c == 9 || c == 10 || c == 13;
    let reads_as_code = |t: &[u8]| looks_like_code(t) || contains_ci(t, b"http");
    let plain: Option<Vec<u8>> = codes
        .iter()
        .all(|&c| printable(c))
        .then(|| codes.iter().map(|&c| c as u8).collect());
    if plain.as_deref().is_some_and(reads_as_code) {
        return plain;
    }
    let divisor = codes.iter().fold(0, |g, &c| gcd(g, c));
    if divisor > 1 && codes.iter().all(|&c| printable(c / divisor)) {
        let text: Vec<u8> = codes.iter().map(|&c| (c / divisor) as u8).collect();
        if reads_as_code(&text) {
            return Some(text);
        }
    }
    if codes.iter().all(|&c| c < 256) {
        for key in 1..=255u32 {
            if codes.iter().all(|&c| printable(c ^ key)) {
                let text: Vec<u8> = codes.iter().map(|&c| (c ^ key) as u8).collect();
                if reads_as_code(&text) {
                    return Some(text);
                }
            }
        }
    }
    plain
}

pub(super) fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

pub(super) fn starts_with_ignoring_space(hay: &[u8], needle: &[u8]) -> bool {
    let hay = hay.trim_ascii();
    hay.starts_with(needle)
}
