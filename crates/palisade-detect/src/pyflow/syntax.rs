//! The little Python syntax the data-flow check needs, read from text without a parser:
//! statements joined across open brackets, a call's top-level arguments, string
//! literals and names. Tolerant of Python 2 and broken files, and bounded: a scope
//! gives at most `MAX_STATEMENTS` statements of at most `MAX_STATEMENT_BYTES`.

use crate::pyblocks::{LineInfo, LineKind};

/// Statements of one scope that are followed; generated code beyond this is not.
const MAX_STATEMENTS: usize = 20_000;
/// Longest statement kept whole: an unclosed bracket must not join a whole file.
const MAX_STATEMENT_BYTES: usize = 64 << 10;

pub(super) fn unquote(expr: &str) -> String {
    expr.trim()
        .trim_start_matches(['f', 'r', 'b'])
        .trim_matches(['"', '\''])
        .to_string()
}

pub(super) fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The contents of the string literals of an expression, in order.
pub(super) fn string_literals(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(open) = rest.find(['"', '\'']) {
        let quote = rest.as_bytes()[open] as char;
        let body = &rest[open + 1..];
        let Some(close) = body.find(quote) else { break };
        out.push(&body[..close]);
        rest = &body[close + 1..];
    }
    out
}

pub(super) fn mentions_name(expr: &str, name: &str) -> bool {
    let bytes = expr.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(i) = expr[from..].find(name) {
        let start = from + i;
        let end = start + name.len();
        let before_ok = start == 0 || !(is_ident(bytes[start - 1]) || bytes[start - 1] == b'.');
        let after_ok = end == bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

pub(super) fn is_name(expr: &str) -> bool {
    !expr.is_empty()
        && expr.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !expr.as_bytes()[0].is_ascii_digit()
}

/// The top-level arguments of the call whose `(` is at byte `open` of `text`.
pub(super) fn call_args(text: &str, open: usize) -> Vec<&str> {
    let Some(rest) = text.get(open + 1..) else {
        return Vec::new();
    };
    let end = matching_close(rest).unwrap_or(rest.len());
    split_top_level(&rest[..end])
}

/// Where the bracket opened just before `text` closes.
pub(super) fn matching_close(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => return Some(i),
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            },
        }
        i += 1;
    }
    None
}

pub(super) fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    out.push(text[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    let last = text.get(start..).unwrap_or("").trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// The statements of one scope in order, with their first line (1-based): lines joined
/// while a bracket stays open, so a call spread over lines is read whole.
pub(super) fn statements(
    data: &[u8],
    lines: &[LineInfo],
    scope: Option<u32>,
) -> Vec<(u32, String)> {
    let in_scope = |info: &LineInfo| match scope {
        Some(f) => info.function == Some(f) && info.kind.runs(),
        None => info.kind == LineKind::ModuleLevel,
    };
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut open = 0i32;
    for (index, (raw, info)) in data.split(|&b| b == b'\n').zip(lines).enumerate() {
        let text = String::from_utf8_lossy(raw);
        if open > 0
            && let Some((_, statement)) = out.last_mut()
        {
            if statement.len() < MAX_STATEMENT_BYTES {
                statement.push(' ');
                statement.push_str(text.trim());
            }
        } else if out.len() >= MAX_STATEMENTS {
            break;
        } else if in_scope(info) {
            out.push((index as u32 + 1, text.trim().to_string()));
        } else {
            continue;
        }
        open = (open + bracket_balance(&text)).clamp(0, 64);
    }
    out
}

pub(super) fn bracket_balance(text: &str) -> i32 {
    let mut balance = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '#' => break,
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => balance += 1,
            ')' | ']' | '}' => balance -= 1,
            _ => {}
        }
    }
    balance
}
