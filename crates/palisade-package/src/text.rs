//! Scanning manifests and scripts as bytes: lines with their offsets, quoted literals,
//! paths written inside the package. Every helper is bounded (by a line count, a
//! look-back window or a literal length) because the files scanned are hostile and a
//! minified one is a single multi-megabyte line.

use palisade_core::truncate_chars;

/// Each line of `data` with the offset where it starts, up to `max_lines` lines.
pub(crate) fn lines(data: &[u8], max_lines: usize) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= data.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
        let line = &data[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let item = (start, line);
        start = end + 1;
        Some(item)
    })
    .take(max_lines)
}

/// A path written inside the package (in a script, a manifest) resolved against
/// `root`; `None` when it is absolute or climbs above the root.
pub(crate) fn resolve(root: &str, relative: &str) -> Option<String> {
    let relative = relative.replace('\\', "/");
    if relative.starts_with('/') || relative.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| format!("{root}{}", parts.join("/")))
}

/// Byte offset of 1-based `line` and `column`, as parsers report errors.
pub(crate) fn offset_at(data: &[u8], line: usize, column: usize) -> usize {
    let start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', data)
            .nth(line - 2)
            .map_or(data.len(), |p| p + 1)
    };
    (start + column.saturating_sub(1)).min(data.len())
}

/// A command or value short enough for a one-line message.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let one_line: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cut = truncate_chars(&one_line, max);
    if cut.len() < one_line.len() {
        format!("{cut}…")
    } else {
        one_line
    }
}

/// Start of the line holding `at`, looking back at most 4 KiB: a minified file is one
/// huge line with many hits, and scanning back to its start for each would be quadratic.
/// When no line start is that close, the window start is returned, so what lies before
/// `at` is never mistaken for a blank line prefix.
pub(crate) fn line_start(data: &[u8], at: usize) -> usize {
    let at = at.min(data.len());
    let window = at.saturating_sub(4096);
    memchr::memrchr(b'\n', &data[window..at]).map_or(window, |p| window + p + 1)
}

/// Whether `b` can be part of an identifier in the languages scanned here.
pub(crate) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The text of a quoted literal starting at `data[at]` (`'` or `"`), if it closes on the
/// same line within a sane length.
pub(crate) fn quoted_at(data: &[u8], at: usize) -> Option<&str> {
    let quote = *data.get(at)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let rest = &data[at + 1..data.len().min(at + 1 + 1024)];
    let end = rest.iter().position(|&b| b == quote || b == b'\n')?;
    if rest[end] != quote {
        return None;
    }
    std::str::from_utf8(&rest[..end]).ok()
}

/// The quoted literals (`'...'` or `"..."`) in `data`, which is a short window.
pub(crate) fn quoted_literals(data: &[u8]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = memchr::memchr2(b'"', b'\'', &data[i..]) {
        let at = i + found;
        match quoted_at(data, at) {
            Some(text) => {
                out.push(text);
                i = at + text.len() + 2;
            }
            None => i = at + 1,
        }
        if i >= data.len() {
            break;
        }
    }
    out
}

/// Offset of the first non-blank byte at or after `at` on the same line.
pub(crate) fn skip_blanks(data: &[u8], mut at: usize) -> usize {
    while at < data.len() && (data[at] == b' ' || data[at] == b'\t') {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_stays_inside_the_root() {
        assert_eq!(
            resolve("package/", "./a/../b.js"),
            Some("package/b.js".into())
        );
        assert_eq!(
            resolve("package/", "scripts\\x.js"),
            Some("package/scripts/x.js".into())
        );
        assert_eq!(resolve("package/", "../../etc/passwd"), None);
        assert_eq!(resolve("package/", "/etc/passwd"), None);
        assert_eq!(resolve("", "C:/x"), None);
    }

    #[test]
    fn lines_carry_their_offsets() {
        let got: Vec<_> = lines(b"a\r\nbc\n\nd", 10).collect();
        assert_eq!(
            got,
            vec![
                (0, &b"a"[..]),
                (3, &b"bc"[..]),
                (6, &b""[..]),
                (7, &b"d"[..])
            ]
        );
    }

    #[test]
    fn quoted_literals_close_on_their_line() {
        assert_eq!(quoted_at(b"x = 'abc' y", 4), Some("abc"));
        assert_eq!(quoted_at(b"\"abc\ndef\"", 0), None);
        assert_eq!(quoted_at(b"abc", 0), None);
    }
}
