//! Decoding one candidate: base64, hex, escapes, code kept in escaped strings, rot13,
//! and the zlib/gzip layers under them. Every output is bounded by `MAX_DECODED`.

use super::{MAX_DECODED, MIN_LITERAL, looks_like_code, meaningful};
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use std::io::Read;

/// Decompression layers under an encoding (zlib, gzip), repeated.
pub(super) fn decode_binary_layer(bytes: &[u8]) -> Option<(Vec<String>, Vec<u8>)> {
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

pub(super) fn inflate(reader: impl Read) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    reader.take(MAX_DECODED as u64).read_to_end(&mut out).ok()?;
    (!out.is_empty()).then_some(out)
}

pub(super) fn decode_base64(text: &[u8]) -> Option<(&'static str, Vec<u8>)> {
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

pub(super) fn decode_hex(text: &[u8]) -> Option<(&'static str, Vec<u8>)> {
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

pub(super) fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// A long literal holding lines of code written with `\n` escapes (code kept in a
/// string to be written out or executed later), unescaped.
pub(super) fn unescape_code_string(text: &[u8]) -> Option<Vec<u8>> {
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
pub(super) fn unescape(text: &[u8]) -> Option<Vec<u8>> {
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

pub(super) fn rot13(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
        _ => b,
    }
}

/// The shift a decoding expression applies to characters one by one, read from just
/// after its call (`chr(ord(` in Python, `.charCodeAt(` in JavaScript): `c) - 3)`
/// gives -3. Obfuscators keep a URL or command as a literal shifted by a few code
/// points (a Caesar cipher over all of ASCII) and undo it at run time with
/// `chr(ord(c) - 3)` or `String.fromCharCode(s.charCodeAt(i) - 3)`.
pub(super) fn character_shift(after_call: &[u8]) -> Option<i32> {
    // The variable, its closing parenthesis, then `+ N` or `- N` and the closing one.
    let close = after_call.iter().take(40).position(|&b| b == b')')?;
    let mut rest = after_call[close + 1..].trim_ascii_start();
    let sign = match rest.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    rest = rest[1..].trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 2 || !rest[digits..].trim_ascii_start().starts_with(b")") {
        return None;
    }
    let amount: i32 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    (1..=94).contains(&amount).then_some(sign * amount)
}

/// `text` with every byte moved by `shift` code points, when all stay printable ASCII.
pub(super) fn shift_characters(text: &[u8], shift: i32) -> Option<Vec<u8>> {
    text.iter()
        .map(|&b| {
            let moved = i32::from(b) + shift;
            (32..=126).contains(&moved).then_some(moved as u8)
        })
        .collect()
}
