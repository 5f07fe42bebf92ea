//! The little Python syntax the data-flow check needs, read from text without a parser:
//! statements joined across open brackets, a call's top-level arguments, string
//! literals and names. Tolerant of Python 2 and broken files, and bounded: a file gives
//! at most `MAX_STATEMENTS` statements of at most `MAX_STATEMENT_BYTES`, and a call's
//! arguments are looked for within `MAX_CALL_BYTES`, so that no line, however long or
//! unbalanced, costs more than linear time per call read.

use crate::pyblocks::{LineInfo, LineKind};
use std::collections::{BTreeMap, BTreeSet};

/// Statements of one file that are followed; generated code beyond this is not.
const MAX_STATEMENTS: usize = 20_000;
/// Longest statement kept: an unclosed bracket must not join a whole file, nor one
/// line of megabytes make every search within it slow.
const MAX_STATEMENT_BYTES: usize = 16 << 10;
/// How far a call's closing bracket is looked for.
const MAX_CALL_BYTES: usize = 4 << 10;

/// A string literal's content: `f'x'`, `rb"x"` and `"x"` give `x`; a name stays as is.
pub(super) fn unquote(expr: &str) -> String {
    let expr = expr.trim();
    let prefix = expr
        .bytes()
        .take(2)
        .take_while(|b| b"fFrRbBuU".contains(b))
        .count();
    let body = match expr.as_bytes().get(prefix) {
        Some(b'"' | b'\'') => &expr[prefix..],
        _ => expr,
    };
    body.trim_matches(['"', '\'']).to_string()
}

/// `text` cut to at most `max` bytes, on a character boundary.
pub(super) fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
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
    if name.is_empty() {
        return false;
    }
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

/// The top-level arguments of the call whose `(` is at byte `open` of `text`, looked for
/// within `MAX_CALL_BYTES`.
pub(super) fn call_args(text: &str, open: usize) -> Vec<&str> {
    let Some(rest) = text.get(open + 1..) else {
        return Vec::new();
    };
    let rest = prefix(rest, MAX_CALL_BYTES);
    let end = matching_close(rest).unwrap_or(rest.len());
    split_top_level(&rest[..end])
}

/// `text` without the contents of its string literals (the quotes stay): a call named
/// inside a string (a script kept in a literal) is not a call.
pub(super) fn without_strings(text: &str) -> String {
    let code: Vec<u8> = outside_strings(text).map(|(_, b, _)| b).collect();
    String::from_utf8_lossy(&code).into_owned()
}

/// Offsets and bytes of `text` outside string literals, each with the bracket depth
/// before it; a closing bracket at depth 0 closes one opened before `text`.
fn outside_strings(text: &str) -> impl Iterator<Item = (usize, u8, usize)> + '_ {
    let bytes = text.as_bytes();
    let (mut i, mut depth) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let (at, b) = (i, bytes[i]);
            i += 1;
            match quote {
                Some(_) if b == b'\\' => i += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None => {
                    let before = depth;
                    match b {
                        b'"' | b'\'' => quote = Some(b),
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    return Some((at, b, before));
                }
            }
        }
        None
    })
}

/// Where the bracket opened just before `text` closes.
pub(super) fn matching_close(text: &str) -> Option<usize> {
    outside_strings(text)
        .find(|&(_, b, depth)| depth == 0 && matches!(b, b')' | b']' | b'}'))
        .map(|(at, _, _)| at)
}

/// The comma-separated parts of `text` at bracket depth 0, trimmed.
pub(super) fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for (at, b, depth) in outside_strings(text) {
        if b == b',' && depth == 0 {
            out.push(text[start..at].trim());
            start = at + 1;
        }
    }
    let last = text.get(start..).unwrap_or("").trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// Each scope's statements, with their first lines (1-based).
pub(super) type ScopeStatements = BTreeMap<Option<u32>, Vec<(u32, String)>>;

/// The statements of the given scopes (a function's `def` line, or `None` for the
/// module body) in order, with their first line (1-based): lines joined while a bracket
/// stays open, so a call spread over lines is read whole. One pass over the file serves
/// every scope. The flag is false when `MAX_STATEMENTS` cut the reading short.
pub(super) fn statements(
    data: &[u8],
    lines: &[LineInfo],
    scopes: &BTreeSet<Option<u32>>,
) -> (ScopeStatements, bool) {
    let scope_of = |info: &LineInfo| -> Option<Option<u32>> {
        match info.function {
            Some(f) if info.kind.runs() && scopes.contains(&Some(f)) => Some(Some(f)),
            None if info.kind == LineKind::ModuleLevel && scopes.contains(&None) => Some(None),
            _ => None,
        }
    };
    let mut out = ScopeStatements::new();
    let mut total = 0usize;
    // The scope of the statement still open, and its open brackets.
    let mut open: Option<(Option<u32>, i32)> = None;
    let mut triple: Option<&'static str> = None;
    for (index, (raw, info)) in data.split(|&b| b == b'\n').zip(lines).enumerate() {
        let text = String::from_utf8_lossy(raw);
        let text = prefix(text.trim(), MAX_STATEMENT_BYTES);
        let starts_in_string = triple.is_some();
        let balance = bracket_balance(text, &mut triple);
        let Some(scope) = scope_of(info) else {
            open = None;
            continue;
        };
        // The body of a string kept in a variable (`SCRIPT = """...`) is not code.
        if starts_in_string && !matches!(open, Some((at, depth)) if at == scope && depth > 0) {
            continue;
        }
        // A definition starts afresh: one unbalanced bracket cannot swallow the rest.
        let definition = text.starts_with("def ") || text.starts_with("class ");
        let statements = out.entry(scope).or_default();
        match open {
            Some((at, depth)) if at == scope && depth > 0 && !definition => {
                let Some((_, statement)) = statements.last_mut() else {
                    continue;
                };
                if statement.len() + text.len() < MAX_STATEMENT_BYTES {
                    statement.push(' ');
                    statement.push_str(text);
                    open = Some((scope, (depth + balance).clamp(0, 64)));
                } else {
                    open = None;
                }
            }
            _ => {
                if total >= MAX_STATEMENTS {
                    return (out, false);
                }
                total += 1;
                statements.push((index as u32 + 1, text.to_string()));
                open = Some((scope, balance.clamp(0, 64)));
            }
        }
    }
    (out, true)
}

/// Net brackets a line opens outside strings and comments, carrying triple-quoted
/// strings across lines.
pub(super) fn bracket_balance(text: &str, triple: &mut Option<&'static str>) -> i32 {
    let mut balance = 0;
    let mut rest = text;
    loop {
        if let Some(close) = *triple {
            let Some(end) = rest.find(close) else {
                return balance;
            };
            rest = &rest[end + 3..];
            *triple = None;
        }
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut opened_triple = None;
        for (i, c) in rest.char_indices() {
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
                '#' => return balance,
                '"' | '\'' => {
                    let delimiter = if c == '"' { "\"\"\"" } else { "'''" };
                    if rest[i..].starts_with(delimiter) {
                        opened_triple = Some((i, delimiter));
                        break;
                    }
                    quote = Some(c);
                }
                '(' | '[' | '{' => balance += 1,
                ')' | ']' | '}' => balance -= 1,
                _ => {}
            }
        }
        let Some((at, delimiter)) = opened_triple else {
            return balance;
        };
        *triple = Some(delimiter);
        rest = &rest[at + 3..];
    }
}
