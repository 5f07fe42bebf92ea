//! Does a JavaScript file run, as code, what it received from the network? The code rules
//! see `eval(res.data)` on one line; a loader spreads the same over several:
//!
//! ```js
//! const r = await fetch(url);
//! const code = Buffer.from(await r.text(), 'base64').toString();
//! eval(code);
//! ```
//!
//! The reading follows names through the file, without a parser or scopes: a name bound
//! to a network call (`fetch`, `axios`, `got`, `http.get`, a blockchain read) or to an
//! expression over such a name carries the response; so does the parameter of a callback
//! handed to such a call (`https.get(u, res => ...)`, `.then(r => r.text())`,
//! `res.on('data', c => body += c)`), and the result of a function that returns one.
//! The response is run when one of them reaches `eval`, `Function`, `vm.run*`,
//! `new vm.Script` or `Module._compile`. Names it cannot follow make it answer no, so it
//! confirms loaders rather than finds them; the work is bounded by [`MAX_NAMES`],
//! [`ROUNDS`] and [`WINDOW`] whatever the file holds.

use aho_corasick::{AhoCorasick, MatchKind};
use blocks::Blocks;
use regex::bytes::Regex;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

/// Where a file runs a response as code (1-based lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteRun {
    pub fetched_line: u32,
    pub run_line: u32,
}

/// Names followed per file: a minified bundle binds thousands, a loader a handful.
const MAX_NAMES: usize = 256;
/// Passes over the file's bindings: each pass follows the response one binding further.
const ROUNDS: usize = 6;
/// Bytes read after a network call for the callbacks it is handed, and of one
/// statement's right-hand side or one call's arguments.
const WINDOW: usize = 8192;

/// Bytes read per byte of the file, over all rounds: a file of nested bindings, each
/// statement holding the next, gets fewer rounds.
const BUDGET_PER_BYTE: usize = 24;

/// A call whose result (or callback argument) is what a server sent.
static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x-u)
        (?:^|[^\w$.])(?:fetch|axios|got|needle|superagent|request)\s*\(
        | (?:^|[^\w$])(?:axios|got|needle|superagent|request|https?|http2|client)\s*\.\s*(?:get|post|request|put|stream)\s*\(
        | require\s*\(\s*['"](?:node:)?https?['"]\s*\)\s*\.\s*(?:get|request)\s*\(
        | \.responseText\b
        | \.getSignaturesForAddress\s*\(
        | (?:^|[^\w$.])execSync\s*\(\s*['"`]\s*(?:curl|wget)\s"#,
    )
    .expect("valid regex")
});

/// Where code is run: the argument list starts right after the match.
static SINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x-u)
        (?:^|[^\w$.])eval\s*\(
        | (?:^|[^\w$.])(?:new\s+)?Function\s*\(
        | \bvm\s*\.\s*(?:runInNewContext|runInThisContext|runInContext|compileFunction)\s*\(
        | \bnew\s+(?:vm\s*\.\s*)?Script\s*\(
        | \._compile\s*\(",
    )
    .expect("valid regex")
});

/// `.then(eval)`: the response handed to the evaluator itself.
static THEN_EVAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)\.then\s*\(\s*(?:eval|Function|new\s+Function)\s*\)").expect("valid regex")
});

/// `name =`, `name +=`, `const name =`, not `==` or `=>`.
static BINDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)(?:^|[^\w$.])(?:(const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*\+?=[^=>]")
        .expect("valid regex")
});

/// `const { data, body: b } = ...`: the destructured names.
static DESTRUCTURING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)(?:const|let|var)\s*\{([^{}=]{1,300})\}\s*=[^=>]").expect("valid regex")
});

/// A callback's parameters: `r =>`, `(err, res, body) =>`, `function (r)`.
static CALLBACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u)(?:^|[^\w$.])([A-Za-z_$][\w$]*)\s*=>|\(([^()]{0,160})\)\s*=>|function\s*[\w$]*\s*\(([^()]{0,160})\)",
    )
    .expect("valid regex")
});

/// A function whose body may return the response: `function get(`, `get = async (`,
/// `async get(` in a class.
static FUNCTION_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u)(?:function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?(?:function\b|\([^()]{0,200}\)\s*=>|[A-Za-z_$][\w$]*\s*=>)|async\s+([A-Za-z_$][\w$]*)\s*\()",
    )
    .expect("valid regex")
});

/// A right-hand side that defines a function rather than computing a value.
static DEFINITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)^\s*(?:async\s*)?(?:function\b|\([^()]{0,200}\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")
        .expect("valid regex")
});

static RETURN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)(?:^|[^\w$.])return\b").expect("valid regex"));

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

/// The first place the file runs a response as code, if it does.
pub fn find_remote_run(data: &[u8]) -> Option<RemoteRun> {
    if !(SINK.is_match(data) || THEN_EVAL.is_match(data)) || !SOURCE.is_match(data) {
        return None;
    }
    let lines = LineStarts::new(data);
    let blocks = Blocks::new(data);
    let whole = 0..data.len();
    let mut carriers = Carriers::default();
    // From the call's own `(`, so that the chain after it (`.then(...)`) is read too.
    let sources: Vec<usize> = SOURCE
        .find_iter(data)
        .map(|m| m.end() - usize::from(m.as_bytes().ends_with(b"(")))
        .collect();
    // Each binding's name, whether it declares it, and its right-hand side, read once.
    let bindings: Vec<(Range<usize>, bool, usize, &[u8])> = captures(&BINDING, data)
        .filter_map(|(at, c)| {
            let rhs = at + c.get(0)?.end() - 1;
            let name = c.get(2)?.range();
            let name = at + name.start..at + name.end;
            Some((name, c.get(1).is_some(), rhs, statement(data, rhs)))
        })
        .filter(|(_, _, _, rhs)| !DEFINITION.is_match(rhs))
        .collect();
    let returns: Vec<(usize, &[u8])> = RETURN
        .find_iter(data)
        .map(|m| (m.end(), statement(data, m.end())))
        .collect();
    // Bytes one round reads; the rounds stop before the reading passes the budget.
    let per_round = data.len()
        + bindings.iter().map(|b| b.3.len()).sum::<usize>()
        + returns.iter().map(|(_, value)| value.len()).sum::<usize>();
    let rounds = ROUNDS.min(BUDGET_PER_BYTE * data.len().max(4096) / per_round.max(1));
    for _ in 0..rounds {
        let before = carriers.len();
        // Callbacks handed to a network call, or chained on a carrier.
        let mut origins: Vec<(usize, u32)> =
            sources.iter().map(|&at| (at, lines.line_of(at))).collect();
        for (at, len, line) in carriers.occurrences(data, 0) {
            let chained = skip_space(&data[at + len..]);
            if chained.starts_with(b".then")
                || chained.starts_with(b".on(")
                || chained.starts_with(b".once(")
            {
                origins.push((at + len, line));
            }
        }
        let mut found: Vec<(Vec<u8>, Range<usize>, u32)> = Vec::new();
        for (from, line) in origins {
            let window = statement(data, from);
            let depths = depths(window);
            for (at, c) in captures(&CALLBACK, window) {
                let (Some(head), Some(params)) = (c.get(0), (1..=3).find_map(|i| c.get(i))) else {
                    continue;
                };
                // Only the call's own arguments (and those of the calls chained on it):
                // a callback nested deeper gets something else.
                let starts = if c.get(1).is_some() {
                    at + params.start()
                } else {
                    at + head.start()
                };
                if depths.get(starts).is_none_or(|&d| d > 1) {
                    continue;
                }
                let scope = callback_body(data, &blocks, from + at + head.end());
                for param in params.as_bytes().split(|&b| b == b',') {
                    let param = trim(param);
                    let param = param.strip_prefix(b"...").unwrap_or(param);
                    let param = trim(
                        param
                            .strip_prefix(b"{")
                            .or(param.strip_prefix(b"["))
                            .unwrap_or(param),
                    );
                    let len = param
                        .iter()
                        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
                        .count();
                    found.push((param[..len].to_vec(), scope.clone(), line));
                }
            }
        }
        // Bindings of an expression that holds a network call or a carrier.
        for (name, declares, at, rhs) in &bindings {
            if let Some(line) = carried(rhs, &carriers, *at, &lines) {
                let scope = if *declares {
                    blocks.innermost(name.start)
                } else {
                    declared_scope(data, &blocks, &data[name.clone()], name.start)
                };
                found.push((data[name.clone()].to_vec(), scope, line));
            }
        }
        for (at, c) in captures(&DESTRUCTURING, data) {
            let (Some(all), Some(names)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let rhs = at + all.end() - 1;
            if let Some(line) = carried(statement(data, rhs), &carriers, rhs, &lines) {
                for part in names.as_bytes().split(|&b| b == b',') {
                    // `{ body: text }` binds `text`; `{ data }` binds `data`.
                    let bound = part.rsplit(|&b| b == b':').next().unwrap_or(part);
                    let bound = bound.split(|&b| b == b'=').next().unwrap_or(bound);
                    found.push((trim(bound).to_vec(), blocks.innermost(at), line));
                }
            }
        }
        // Functions that return a carrier make their calls network calls, anywhere.
        for &(at, value) in &returns {
            let Some(line) = carried(value, &carriers, at, &lines) else {
                continue;
            };
            if let Some(name) = enclosing_function(data, at) {
                found.push(([name.as_slice(), b"("].concat(), whole.clone(), line));
            }
        }
        for (name, scope, line) in found {
            carriers.add(&name, scope, line);
        }
        carriers.rebuild();
        if carriers.len() >= MAX_NAMES {
            // Everything seems to carry the response: the reading has lost track of the
            // file (a minified bundle reusing one-letter names), and says nothing.
            return None;
        }
        if carriers.len() == before {
            break;
        }
    }
    for m in SINK.find_iter(data) {
        // Names inside a string handed to `eval` are the evaluated code's, not values:
        // bundlers wrap every module in `eval("...")`.
        let args = without_strings(arguments(data, m.end()));
        if let Some(fetched_line) = carried(&args, &carriers, m.end(), &lines) {
            return Some(RemoteRun {
                fetched_line,
                run_line: lines.line_of(m.end() - 1),
            });
        }
    }
    THEN_EVAL.find_iter(data).find_map(|m| {
        let chain_start = data[..m.start()]
            .iter()
            .rposition(|&b| b == b';' || b == b'\n')
            .map_or(0, |i| i + 1);
        let chain = &data[chain_start..m.start()];
        carried(chain, &carriers, chain_start, &lines).map(|fetched_line| RemoteRun {
            fetched_line,
            run_line: lines.line_of(m.start()),
        })
    })
}

/// Each match of `re` in `text` with its groups, and where it starts: found by the fast
/// search and only then taken apart, since groups over a whole file take the slow one.
fn captures<'t>(
    re: &'t Regex,
    text: &'t [u8],
) -> impl Iterator<Item = (usize, regex::bytes::Captures<'t>)> + 't {
    re.find_iter(text)
        .filter_map(move |m| Some((m.start(), re.captures(&text[m.range()])?)))
}

/// Where an assigned name (`x = ...`, no `let`) lives: the scope of the nearest
/// declaration before it whose scope holds the assignment, else the block it is assigned
/// in.
fn declared_scope(data: &[u8], blocks: &Blocks, name: &[u8], at: usize) -> Range<usize> {
    for found in memchr::memmem::rfind_iter(&data[..at], name).take(DECLARATIONS_LOOKED_AT) {
        if !standalone(data, found, name) {
            continue;
        }
        let before = trim(&data[found.saturating_sub(8)..found]);
        if [&b"let"[..], b"var", b"const"].iter().any(|k| {
            before.ends_with(k)
                && !before[..before.len() - k.len()]
                    .last()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        }) {
            let scope = blocks.innermost(found);
            if scope.contains(&at) {
                return scope;
            }
        }
    }
    // A parameter, or a global: the block it is assigned in stands for its scope.
    blocks.innermost(at)
}

/// Occurrences of a name looked at for its declaration.
const DECLARATIONS_LOOKED_AT: usize = 64;

/// A callback's body, from the end of its head (`r =>`, `function (r`): its `{}` block,
/// or an arrow's expression up to the end of its statement.
fn callback_body(data: &[u8], blocks: &Blocks, head_end: usize) -> Range<usize> {
    let rest = &data[head_end..];
    let window = &rest[..rest.len().min(256)];
    let brace = if rest.starts_with(b"=>") || data[..head_end].ends_with(b"=>") {
        let body = skip_space(rest.strip_prefix(b"=>").unwrap_or(rest));
        body.starts_with(b"{").then(|| data.len() - body.len())
    } else {
        memchr::memchr(b'{', window).map(|i| head_end + i)
    };
    match brace.and_then(|b| blocks.opened_at(b)) {
        Some(block) => block,
        None => head_end..head_end + statement(data, head_end).len(),
    }
}

/// The followed names, each with the scopes it is followed in and the line of the
/// network call it came from, and one automaton finding them all in a text.
#[derive(Default)]
struct Carriers {
    names: Vec<Vec<u8>>,
    scopes: BTreeMap<Vec<u8>, Vec<(Range<usize>, u32)>>,
    matcher: Option<AhoCorasick>,
    bindings: usize,
}

impl Carriers {
    fn len(&self) -> usize {
        self.bindings
    }

    /// Adds a followed name (ending in `(` for a function whose calls return a
    /// response) in a scope, keeping the first network call it came from.
    fn add(&mut self, name: &[u8], scope: Range<usize>, line: u32) {
        let bare = name.strip_suffix(b"(").unwrap_or(name);
        if bare.is_empty()
            || self.bindings >= MAX_NAMES
            || KEYWORDS.iter().any(|k| k.as_bytes() == bare)
            || !bare
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        {
            return;
        }
        let scopes = self.scopes.entry(name.to_vec()).or_default();
        if scopes.iter().any(|(s, _)| *s == scope) {
            return;
        }
        if scopes.is_empty() {
            self.names.push(name.to_vec());
        }
        scopes.push((scope, line));
        self.bindings += 1;
    }

    fn rebuild(&mut self) {
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.names)
            .ok();
    }

    /// Where a followed name occurs in `text` (which starts at `offset` in the file) as
    /// a variable inside a scope it is followed in (or, ending in `(`, as a call): not a
    /// property (`x.name`), not part of a longer name, not an object key (`{ name: 1 }`).
    /// Yields the offset in `text`, the name's length and its line.
    fn occurrences<'a>(
        &'a self,
        text: &'a [u8],
        offset: usize,
    ) -> impl Iterator<Item = (usize, usize, u32)> + 'a {
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
                    .find(|(scope, _)| scope.contains(&at))
                    .map(|&(_, line)| (m.start(), name.len(), line))
            })
    }
}

/// Whether `name` at `at` is the variable itself (see [`Carriers::occurrences`]).
fn standalone(text: &[u8], at: usize, name: &[u8]) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    if at
        .checked_sub(1)
        .is_some_and(|i| word(text[i]) || text[i] == b'.')
    {
        return false;
    }
    if name.ends_with(b"(") {
        return true;
    }
    let after = &text[at + name.len()..];
    if after.first().is_some_and(|&b| word(b)) {
        return false;
    }
    let next = skip_space(after);
    !next.starts_with(b":") || next.starts_with(b"::")
}

/// The line of the network call behind `text` (which starts at `offset`), when it holds
/// a network call or a followed name.
fn carried(text: &[u8], carriers: &Carriers, offset: usize, lines: &LineStarts) -> Option<u32> {
    if let Some(m) = SOURCE.find(text) {
        return Some(lines.line_of(offset + m.end() - 1));
    }
    carriers
        .occurrences(text, offset)
        .next()
        .map(|(_, _, line)| line)
}

fn skip_space(text: &[u8]) -> &[u8] {
    let n = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &text[n..]
}

fn trim(text: &[u8]) -> &[u8] {
    let start = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let end = text.len()
        - text
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    text.get(start..end).unwrap_or_default()
}

/// The statement from `from`: up to a `;` or a line end outside brackets (a line that
/// continues a chain, `.then(...)`, belongs to it), or up to the bracket that closes one
/// opened before `from`; at most [`WINDOW`] bytes. Strings are skipped so that a `)` or
/// `;` inside one does not end it.
fn statement(data: &[u8], from: usize) -> &[u8] {
    let end = scan(data, from, |b, depth, rest| {
        (depth == 0 && b == b';')
            || (depth == 0 && b == b'\n' && !skip_space(rest).starts_with(b"."))
    });
    &data[from..end]
}

/// A call's arguments, from just after its `(` to the matching `)`.
fn arguments(data: &[u8], from: usize) -> &[u8] {
    let end = scan(data, from, |_, _, _| false);
    &data[from..end]
}

/// Walks from `from` tracking brackets and skipping strings; stops where `stop` says, or
/// where a bracket opened before `from` closes, or after [`WINDOW`] bytes.
fn scan(data: &[u8], from: usize, stop: impl Fn(u8, usize, &[u8]) -> bool) -> usize {
    let limit = data.len().min(from + WINDOW);
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
    limit.min(data.len())
}

/// The name of the function whose body holds `at`: the nearest function head before it
/// whose body has not closed by `at`.
fn enclosing_function(data: &[u8], at: usize) -> Option<Vec<u8>> {
    let from = at.saturating_sub(WINDOW);
    let window = &data[from..at];
    let mut found = None;
    for (head_at, c) in captures(&FUNCTION_HEAD, window) {
        let Some(name) = (1..=3).find_map(|i| c.get(i)) else {
            continue;
        };
        let head_end = from + head_at + c.get(0).map_or(0, |m| m.end());
        // The body is open at `at` when its `{` comes before `at` and the bracket that
        // closes it comes after.
        let Some(brace) = memchr::memchr(b'{', &data[head_end..at]) else {
            continue;
        };
        if scan(data, head_end + brace + 1, |_, _, _| false) >= at {
            found = Some(name.as_bytes().to_vec());
        }
    }
    found
}

/// The bracket depth at each byte of `text`, strings skipped as [`scan`] skips them.
fn depths(text: &[u8]) -> Vec<u16> {
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

/// `text` with the insides of its string literals blanked, at the same length.
fn without_strings(text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    let mut i = 0;
    while i < out.len() {
        let quote = out[i];
        if matches!(quote, b'\'' | b'"' | b'`') {
            i += 1;
            while i < out.len() && out[i] != quote {
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

/// Line numbers of byte offsets.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(data: &[u8]) -> Self {
        LineStarts(
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', data).map(|i| i + 1))
                .collect(),
        )
    }

    fn line_of(&self, offset: usize) -> u32 {
        let index = self.0.partition_point(|&start| start <= offset);
        u32::try_from(index).unwrap_or(u32::MAX)
    }
}

mod blocks;
#[cfg(test)]
mod tests;
