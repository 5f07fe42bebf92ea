//! `package.json` read the way npm reads it.
//!
//! npm decodes the file as UTF-8 (bad bytes become U+FFFD) and hands it to
//! `JSON.parse`, which takes lone surrogate escapes (`"\ud800"`), nesting of any depth
//! and numbers beyond a double's range (`1e400` is `Infinity`). serde_json refuses all
//! four, so a manifest built with one of them would hide its install scripts from a
//! scanner that gives up, while npm runs them. When the strict parse fails, the
//! manifest is rewritten byte for byte, at the same length so that every line and column
//! still points into the original, and parsed again; the quirks found are reported.

use serde_json::Value;
use std::borrow::Cow;

/// Deeper containers are replaced by `0` (serde_json stops at 128 levels); nothing
/// npm reads from a manifest is nested that deep.
const MAX_DEPTH: usize = 100;

/// Something `JSON.parse` accepts and serde_json does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Quirk {
    LoneSurrogate,
    DeepNesting,
    HugeNumber,
    InvalidUtf8,
}

impl Quirk {
    pub(crate) fn describe(self) -> String {
        match self {
            Quirk::LoneSurrogate => "a lone UTF-16 surrogate escape".into(),
            Quirk::DeepNesting => format!("nesting deeper than {MAX_DEPTH} levels"),
            Quirk::HugeNumber => "a number serde_json cannot hold".into(),
            Quirk::InvalidUtf8 => "bytes that are not UTF-8".into(),
        }
    }
}

/// A manifest as npm sees it: the value, the bytes it was parsed from (the original,
/// or a same-length rewrite), and what had to be rewritten.
pub(crate) struct NodeJson<'a> {
    pub value: Value,
    pub bytes: Cow<'a, [u8]>,
    pub quirks: Vec<(Quirk, usize)>,
}

/// Parses `data` as npm would; the error is the strict parser's on the original bytes
/// when even the rewrite does not parse (it is then broken for npm too).
pub(crate) fn parse(data: &[u8]) -> Result<NodeJson<'_>, serde_json::Error> {
    let strict = match serde_json::from_slice::<Value>(data) {
        Ok(value) => {
            return Ok(NodeJson {
                value,
                bytes: Cow::Borrowed(data),
                quirks: Vec::new(),
            });
        }
        Err(err) => err,
    };
    let (bytes, quirks) = rewrite(data);
    if quirks.is_empty() {
        return Err(strict);
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => Ok(NodeJson {
            value,
            bytes: Cow::Owned(bytes),
            quirks,
        }),
        Err(_) => Err(strict),
    }
}

/// The same-length rewrite, with each quirk and the offset of its first occurrence.
fn rewrite(data: &[u8]) -> (Vec<u8>, Vec<(Quirk, usize)>) {
    let mut out = data.to_vec();
    let mut quirks: Vec<(Quirk, usize)> = Vec::new();
    let mut note = |quirk: Quirk, at: usize| {
        if !quirks.iter().any(|(q, _)| *q == quirk) {
            quirks.push((quirk, at));
        }
    };
    let mut depth = 0usize;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'"' => i = rewrite_string(data, &mut out, i + 1, &mut note),
            b'{' | b'[' if depth == MAX_DEPTH => {
                note(Quirk::DeepNesting, i);
                let end = container_end(data, i);
                blank(&mut out[i..end]);
                i = end;
            }
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = data[i..]
                    .iter()
                    .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .map_or(data.len(), |n| i + n);
                // serde_json's fast float reading refuses some numbers near the
                // largest double that Node reads exactly; a number npm's grammar refuses
                // (`01`, `1.e5`) is left for the strict error.
                let token = &data[i..end];
                if json_number(token) && serde_json::from_slice::<Value>(token).is_err() {
                    note(Quirk::HugeNumber, i);
                    blank(&mut out[i..end]);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    (out, quirks)
}

/// Rewrites the string body starting at `i` (after its opening quote) and returns the
/// offset after its closing quote.
fn rewrite_string(
    data: &[u8],
    out: &mut [u8],
    mut i: usize,
    note: &mut impl FnMut(Quirk, usize),
) -> usize {
    while i < data.len() {
        match data[i] {
            b'"' => return i + 1,
            b'\\' if data.get(i + 1) == Some(&b'u') => {
                let Some(unit) = hex_unit(data, i + 2) else {
                    i += 2;
                    continue;
                };
                let low_follows = || {
                    data.get(i + 6..i + 8) == Some(b"\\u")
                        && hex_unit(data, i + 8).is_some_and(|u| (0xDC00..0xE000).contains(&u))
                };
                if (0xD800..0xDC00).contains(&unit) && low_follows() {
                    i += 12;
                } else if (0xD800..0xE000).contains(&unit) {
                    note(Quirk::LoneSurrogate, i);
                    out[i + 2..i + 6].copy_from_slice(b"FFFD");
                    i += 6;
                } else {
                    i += 6;
                }
            }
            b'\\' => i += 2,
            b if b < 0x80 => i += 1,
            _ => {
                let len = utf8_len(&data[i..]);
                if len == 0 {
                    note(Quirk::InvalidUtf8, i);
                    out[i] = b'?';
                    i += 1;
                } else {
                    i += len;
                }
            }
        }
    }
    i
}

/// Whether `token` is a number as JSON spells it: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn json_number(token: &[u8]) -> bool {
    let digits = |at: usize| {
        token[at.min(token.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut at = usize::from(token.first() == Some(&b'-'));
    match token.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => at += digits(at),
        _ => return false,
    }
    if token.get(at) == Some(&b'.') {
        let n = digits(at + 1);
        if n == 0 {
            return false;
        }
        at += 1 + n;
    }
    if matches!(token.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(token.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let n = digits(at);
        if n == 0 {
            return false;
        }
        at += n;
    }
    at == token.len()
}

/// The four hex digits at `at` as a UTF-16 code unit.
fn hex_unit(data: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(data.get(at..at + 4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// Length of the valid UTF-8 sequence starting `rest`, or 0 when it is not one.
fn utf8_len(rest: &[u8]) -> usize {
    let len = match rest[0] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return 0,
    };
    match rest.get(..len).map(std::str::from_utf8) {
        Some(Ok(_)) => len,
        _ => 0,
    }
}

/// The offset after the container opening at `start`, or the end of the data.
fn container_end(data: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < data.len() {
        match data[i] {
            b'"' => {
                i += 1;
                while i < data.len() && data[i] != b'"' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    data.len()
}

/// `0` and blanks in place of a value, line breaks kept so lines still count true.
fn blank(span: &mut [u8]) {
    for (n, b) in span.iter_mut().enumerate() {
        *b = match (n, *b) {
            (0, _) => b'0',
            (_, b'\n') => b'\n',
            _ => b' ',
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quirks(data: &[u8]) -> Vec<Quirk> {
        parse(data)
            .unwrap()
            .quirks
            .iter()
            .map(|(q, _)| *q)
            .collect()
    }

    #[test]
    fn a_strict_manifest_is_borrowed_untouched() {
        let data = br#"{"name": "a", "x": "\ud83d\ude00", "n": 1e300}"#;
        let json = parse(data).unwrap();
        assert!(matches!(json.bytes, Cow::Borrowed(_)));
        assert!(json.quirks.is_empty());
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let data = br#"{"d": "\ud800", "e": "\udc00x", "scripts": {"preinstall": "sh x"}}"#;
        let json = parse(data).unwrap();
        assert_eq!(json.bytes.len(), data.len());
        assert_eq!(json.value["d"], "\u{FFFD}");
        assert_eq!(json.value["e"], "\u{FFFD}x");
        assert_eq!(json.value["scripts"]["preinstall"], "sh x");
        assert_eq!(json.quirks, vec![(Quirk::LoneSurrogate, 7)]);
    }

    #[test]
    fn a_high_surrogate_before_a_non_surrogate_escape_is_lone() {
        assert_eq!(quirks(br#"{"d": "\ud800\u0041"}"#), [Quirk::LoneSurrogate]);
    }

    #[test]
    fn deep_nesting_is_cut_and_the_rest_still_reads() {
        let deep = format!(
            "{{\"x\": {}1{},\n\"scripts\": {{\"install\": \"sh i\"}}}}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let json = parse(deep.as_bytes()).unwrap();
        assert_eq!(json.bytes.len(), deep.len());
        assert_eq!(json.value["scripts"]["install"], "sh i");
        assert_eq!(json.quirks[0].0, Quirk::DeepNesting);
        // Brackets inside strings do not count as nesting.
        let quoted = format!("{{\"x\": \"{}\"}}", "[".repeat(500));
        assert!(parse(quoted.as_bytes()).unwrap().quirks.is_empty());
    }

    #[test]
    fn numbers_beyond_a_double_are_zeroed() {
        let data = b"{\"n\": 1e400, \"m\": -1e999, \"name\": \"a\"}";
        let json = parse(data).unwrap();
        assert_eq!(json.value["n"], 0);
        assert_eq!(json.value["name"], "a");
        assert_eq!(json.quirks, vec![(Quirk::HugeNumber, 6)]);
        // Finite for Node, refused by serde_json's float reading.
        let edge = b"{\"n\": 1.7976931348623158e308, \"name\": \"a\"}";
        assert_eq!(parse(edge).unwrap().value["name"], "a");
    }

    #[test]
    fn numbers_outside_the_json_grammar_are_not_rewritten() {
        for bad in ["01e400", "1.e400", "-e400", "1e+"] {
            let data = format!("{{\"n\": {bad}, \"name\": \"a\"}}");
            assert!(parse(data.as_bytes()).is_err(), "{bad}");
        }
        assert!(json_number(b"-0.5E+10") && json_number(b"0") && !json_number(b"00"));
    }

    #[test]
    fn bad_utf8_inside_strings_is_replaced() {
        let data = b"{\"d\": \"a\xff\xfeb\", \"name\": \"\xc3\xa9\"}";
        let json = parse(data).unwrap();
        assert_eq!(json.value["d"], "a??b");
        assert_eq!(json.value["name"], "\u{e9}");
        assert_eq!(quirks(data), [Quirk::InvalidUtf8]);
    }

    #[test]
    fn json_that_node_rejects_too_keeps_the_strict_error() {
        for broken in [
            &b"{\"a\": 1,}"[..],
            b"{\"a\": \"\\ud800\"",
            b"{'a': 1}",
            b"[[[[",
        ] {
            assert!(
                parse(broken).is_err(),
                "{:?}",
                String::from_utf8_lossy(broken)
            );
        }
    }
}
