//! Finding and decoding hidden text: string literals in base64, hex, `\x` escapes or
//! char-code arrays, reversed or rot13'd, possibly zlib/gzip-compressed, possibly built
//! from concatenated or joined fragments. Each decoded text is returned with the chain
//! of steps that produced it, and is decoded again in turn, up to a fixed depth, so a
//! payload wrapped three times comes out readable with its three steps named.
//!
//! Everything is bounded: literals considered per file, bytes decoded per literal and
//! per file, and depth. Decoding never runs anything.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use std::io::Read;

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
    let hints = Hints {
        rot13: contains_ci(data, b"rot13") || contains_ci(data, b"rot_13"),
        reversal: contains_ci(data, b"[::-1]") || contains_ci(data, b".reverse()"),
    };
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

/// A piece of text that might be encoded.
#[derive(Debug)]
struct Candidate {
    bytes: Vec<u8>,
    offset: usize,
    /// Followed by a reversal (`[::-1]`, `.reverse()`), so decode it reversed.
    reversed: bool,
    /// A list of numbers (char codes), not a string.
    char_codes: bool,
    /// Short fragments of a list, joined.
    joined: bool,
}

/// String literals (adjacent ones joined across `+`, whitespace and line
/// continuations, and the items of a list joined when the list is `join`ed) and
/// arrays of char codes.
fn candidates(data: &[u8]) -> Vec<Candidate> {
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
                char_codes: false,
                joined: true,
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
                char_codes: false,
                joined: false,
            });
        }
    }
    out.extend(char_code_arrays(data));
    out
}

/// Fragments in a list, at least four, short on average, separated only by commas and
/// whitespace, that read as a URL or code once joined. Returns the joined text and the
/// index of the last literal used.
fn joined_list_fragments(
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

fn inside_join(data: &[u8], literal_start: usize) -> bool {
    let before = &data[literal_start.saturating_sub(24)..literal_start];
    contains_ci(before, b"join(") || contains_ci(before, b"join([")
}

/// `(start, end, content)` of each quoted literal, with backslash escapes kept as they
/// are (escape runs are decoded as a step of their own).
fn string_literals(data: &[u8]) -> Vec<(usize, usize, Vec<u8>)> {
    let mut out = Vec::new();
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
            None => i = start + 1,
        }
    }
    out
}

/// `[104, 116, 116, 112, ...]`: eight or more numbers that are printable char codes.
fn char_code_arrays(data: &[u8]) -> Vec<Candidate> {
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
                char_codes: true,
                joined: false,
            });
            i = k;
        } else {
            i += 1;
        }
    }
    out
}

/// What the surrounding text says about how its literals may be encoded.
#[derive(Debug, Clone, Copy)]
struct Hints {
    rot13: bool,
    /// The text reverses something somewhere, so a literal that decodes to nothing
    /// forwards is tried backwards.
    reversal: bool,
}

/// Text from an array of numbers: plain character codes, or codes multiplied by a
/// constant or XORed with a one-byte key (both seen in droppers), when every result is
/// printable.
fn text_from_codes(codes: &[u32]) -> Option<Vec<u8>> {
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

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The decodings of one candidate that produce something worth reading.
fn decode_candidate(c: &Candidate, hints: Hints) -> Vec<(Vec<String>, Vec<u8>)> {
    let results = decode_candidate_as_is(c, hints);
    if !results.is_empty() || !hints.reversal || c.reversed || c.char_codes {
        return results;
    }
    let reversed = Candidate {
        bytes: c.bytes.clone(),
        offset: c.offset,
        reversed: true,
        char_codes: false,
        joined: false,
    };
    decode_candidate_as_is(&reversed, hints)
}

fn decode_candidate_as_is(c: &Candidate, hints: Hints) -> Vec<(Vec<String>, Vec<u8>)> {
    let mut results = Vec::new();
    if c.char_codes {
        results.push((vec!["char codes".to_string()], c.bytes.clone()));
        return results;
    }
    if c.joined {
        results.push((vec!["joined fragments".to_string()], c.bytes.clone()));
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
        }
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

/// Decompression layers under an encoding (zlib, gzip), repeated.
fn decode_binary_layer(bytes: &[u8]) -> Option<(Vec<String>, Vec<u8>)> {
    let mut steps = Vec::new();
    let mut current = bytes.to_vec();
    for _ in 0..3 {
        let (name, next) = if current.len() > 2
            && current[0] == 0x78
            && matches!(current[1], 0x01 | 0x5e | 0x9c | 0xda)
        {
            (
                "zlib",
                inflate(flate2::read::ZlibDecoder::new(&current[..]))?,
            )
        } else if current.starts_with(&[0x1f, 0x8b]) {
            ("gzip", inflate(flate2::read::GzDecoder::new(&current[..]))?)
        } else {
            break;
        };
        steps.push(name.to_string());
        current = next;
    }
    if steps.is_empty() {
        return None;
    }
    // A decompressed layer may itself be base64 text (a common double wrap).
    if let Some((name, inner)) = decode_base64(current.trim_ascii()) {
        steps.push(name.into());
        if let Some((more, bytes)) = decode_binary_layer(&inner) {
            steps.extend(more);
            return Some((steps, bytes));
        }
        if meaningful(&inner) {
            return Some((steps, inner));
        }
    }
    Some((steps, current))
}

fn inflate(reader: impl Read) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    reader.take(MAX_DECODED as u64).read_to_end(&mut out).ok()?;
    (!out.is_empty()).then_some(out)
}

fn decode_base64(text: &[u8]) -> Option<(&'static str, Vec<u8>)> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'\\')
        .collect();
    if compact.len() < MIN_LITERAL || compact.len() > MAX_DECODED * 4 / 3 {
        return None;
    }
    let standard = compact
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    let urlsafe = compact
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='));
    // Plain words and identifiers are valid base64 too; require mixed case or digits.
    let has_upper = compact.iter().any(u8::is_ascii_uppercase);
    let has_lower = compact.iter().any(u8::is_ascii_lowercase);
    if !(has_upper && has_lower) {
        return None;
    }
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let engine = if standard {
        GeneralPurpose::new(&base64::alphabet::STANDARD, config)
    } else if urlsafe {
        GeneralPurpose::new(&base64::alphabet::URL_SAFE, config)
    } else {
        return None;
    };
    engine.decode(&compact).ok().map(|d| ("base64", d))
}

fn decode_hex(text: &[u8]) -> Option<(&'static str, Vec<u8>)> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.len() < 32
        || !compact.len().is_multiple_of(2)
        || !compact.iter().all(u8::is_ascii_hexdigit)
    {
        return None;
    }
    // Hashes and ids are hex too; only hex that decodes to text or a known layer counts.
    let bytes: Vec<u8> = compact
        .chunks(2)
        .map(|p| (hex_val(p[0]) << 4) | hex_val(p[1]))
        .collect();
    Some(("hex", bytes))
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// The step name of code kept in a string literal with `\n`-style escapes: ordinary
/// quoting, not concealment, but what it holds is code to analyse.
pub const STRING_ESCAPES: &str = "string escapes";

/// A long literal holding lines of code written with `\n` escapes (code kept in a
/// string to be written out or executed later), unescaped.
fn unescape_code_string(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() < 120 {
        return None;
    }
    let newlines = text.windows(2).filter(|w| w == b"\\n").count();
    if newlines < 3 || !looks_like_code(text) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' && i + 1 < text.len() {
            out.push(match text[i + 1] {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                other => other,
            });
            i += 2;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Decodes a literal made mostly of `\xNN`, `\uNNNN` or octal escapes.
fn unescape(text: &[u8]) -> Option<Vec<u8>> {
    let escapes = text
        .windows(2)
        .filter(|w| w[0] == b'\\' && matches!(w[1], b'x' | b'u' | b'0'..=b'7'))
        .count();
    if escapes < 8 || escapes * 3 < text.len() / 2 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 3);
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' && i + 1 < text.len() {
            match text[i + 1] {
                b'x' if i + 3 < text.len()
                    && text[i + 2].is_ascii_hexdigit()
                    && text[i + 3].is_ascii_hexdigit() =>
                {
                    out.push((hex_val(text[i + 2]) << 4) | hex_val(text[i + 3]));
                    i += 4;
                    continue;
                }
                b'u' if i + 5 < text.len()
                    && text[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit) =>
                {
                    let v = text[i + 2..i + 6]
                        .iter()
                        .fold(0u32, |a, &b| a * 16 + u32::from(hex_val(b)));
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(
                        char::from_u32(v)
                            .unwrap_or('?')
                            .encode_utf8(&mut buf)
                            .as_bytes(),
                    );
                    i += 6;
                    continue;
                }
                b'0'..=b'7' => {
                    let mut v = 0u32;
                    let mut n = 0;
                    while n < 3
                        && i + 1 + n < text.len()
                        && (b'0'..=b'7').contains(&text[i + 1 + n])
                    {
                        v = v * 8 + u32::from(text[i + 1 + n] - b'0');
                        n += 1;
                    }
                    out.push(v as u8);
                    i += 1 + n;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                other => {
                    out.push(other);
                    i += 2;
                    continue;
                }
            }
        }
        out.push(text[i]);
        i += 1;
    }
    Some(out)
}

fn rot13(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
        _ => b,
    }
}

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

fn starts_with_ignoring_space(hay: &[u8], needle: &[u8]) -> bool {
    let hay = hay.trim_ascii();
    hay.starts_with(needle)
}

#[cfg(test)]
mod tests;
