//! Reading JavaScript text without a parser: statements, arguments, bracket depths and
//! line numbers, each bounded and skipping string literals.

use std::ops::Range;

/// Bytes read after a network call for the callbacks it is handed, and of one
/// statement's right-hand side.
pub(super) const WINDOW: usize = 8192;
/// Bytes of a sink's code argument read: `eval(code)` is short, and a file of ten
/// thousand unclosed `eval(` must not be read ten thousand times over.
pub(super) const CODE_ARGUMENT: usize = 1024;

pub(super) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

pub(super) fn skip_space(text: &[u8]) -> &[u8] {
    text.trim_ascii_start()
}

pub(super) fn trim(text: &[u8]) -> &[u8] {
    text.trim_ascii()
}

/// The identifier at the start of `text` (after `...`, `{` or `[` of a pattern).
pub(super) fn leading_name(text: &[u8]) -> &[u8] {
    let text = trim(text);
    let text = text.strip_prefix(b"...").unwrap_or(text);
    let text = trim(
        text.strip_prefix(b"{")
            .or(text.strip_prefix(b"["))
            .unwrap_or(text),
    );
    let len = text.iter().take_while(|&&b| is_word(b)).count();
    &text[..len]
}

/// The statement from `from`: up to a `;` or `,` or a line end outside brackets (a line
/// that continues a chain, `.then(...)`, belongs to it), or up to the bracket that
/// closes one opened before `from`; at most `limit` bytes.
pub(super) fn statement(data: &[u8], from: usize, limit: usize) -> &[u8] {
    let end = scan(data, from, limit, |b, depth, rest| {
        depth == 0
            && (b == b';' || b == b',' || (b == b'\n' && !skip_space(rest).starts_with(b".")))
    });
    &data[from..end]
}

/// A call's arguments, from just after its `(` to the matching `)`.
pub(super) fn arguments(data: &[u8], from: usize, limit: usize) -> &[u8] {
    let end = scan(data, from, limit, |_, _, _| false);
    &data[from..end]
}

/// The arguments of a call split at their top-level commas.
pub(super) fn split_arguments(args: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start <= args.len() {
        let end = scan(args, start, args.len(), |b, depth, _| {
            depth == 0 && b == b','
        });
        out.push(start..end);
        start = end + 1;
    }
    out
}

/// Walks from `from` tracking brackets and skipping strings; stops where `stop` says, or
/// where a bracket opened before `from` closes, or after `limit` bytes.
pub(super) fn scan(
    data: &[u8],
    from: usize,
    limit: usize,
    stop: impl Fn(u8, usize, &[u8]) -> bool,
) -> usize {
    let limit = data.len().min(from.saturating_add(limit));
    let mut depth = 0usize;
    let mut i = from;
    while i < limit {
        let b = data[i];
        match b {
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < limit && data[i] != b && data[i] != b'\n' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            _ if stop(b, depth, &data[i + 1..]) => return i,
            _ => {}
        }
        i += 1;
    }
    limit
}

/// The bracket depth at each byte of `text`, strings skipped as [`scan`] skips them.
pub(super) fn depths(text: &[u8]) -> Vec<u16> {
    let mut out = vec![0u16; text.len()];
    let mut depth = 0u16;
    let mut i = 0;
    while i < text.len() {
        out[i] = depth;
        match text[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < text.len() && text[i] != q && text[i] != b'\n' {
                    let step = if text[i] == b'\\' { 2 } else { 1 };
                    for d in out.iter_mut().skip(i).take(step) {
                        *d = depth;
                    }
                    i += step;
                }
                if let Some(d) = out.get_mut(i) {
                    *d = depth;
                }
            }
            b'(' | b'[' | b'{' => depth = depth.saturating_add(1),
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    out
}

/// `text` with the insides of its string literals blanked, at the same length; the
/// `${...}` of a template literal is code and stays.
pub(super) fn without_strings(text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    let mut i = 0;
    while i < out.len() {
        let quote = out[i];
        if matches!(quote, b'\'' | b'"' | b'`') {
            i += 1;
            while i < out.len() && out[i] != quote {
                if quote == b'`' && out[i] == b'$' && out.get(i + 1) == Some(&b'{') {
                    // Keep the interpolation up to its closing brace.
                    let end = scan(text, i + 2, text.len(), |_, _, _| false);
                    i = end + 1;
                    continue;
                }
                let step = if out[i] == b'\\' { 2 } else { 1 };
                for b in out.iter_mut().skip(i).take(step) {
                    *b = b' ';
                }
                i += step;
            }
        }
        i += 1;
    }
    out
}
