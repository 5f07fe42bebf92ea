//! What a command line runs: whether a process call starts a given path (directly,
//! through an interpreter or a shell string), whether it runs a given value as a command,
//! and whether an expression names a given file.

use super::MAX_CALLS;
use super::facts::FileFacts;
use super::syntax::{
    base_name, call_args, is_name, matching_close, mentions_name, split_top_level, string_literals,
    unquote,
};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Calls that start a program named by their first argument.
pub(super) static RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\bsubprocess\.(?:run|Popen|call|check_call|check_output|getoutput|getstatusoutput)|\bos\.(?:system|popen|startfile|exec\w*|spawn\w*|posix_spawn)|(?:^|[^.\w])(?:Popen|startfile|system|popen))\s*\(",
    )
    .expect("valid regex")
});

/// Programs that run the file they are given: a downloaded script handed to one of them
/// runs as surely as a downloaded executable started by name.
const LAUNCHERS: &[&str] = &[
    "bash",
    "sh",
    "zsh",
    "dash",
    "python",
    "python3",
    "pythonw",
    "py",
    "node",
    "perl",
    "ruby",
    "powershell",
    "pwsh",
    "cmd",
    "start",
    "wscript",
    "cscript",
    "mshta",
    "msiexec",
    "rundll32",
    "regsvr32",
    "open",
    "xdg-open",
    "sudo",
    "nohup",
    "exec",
    "sys.executable",
];

/// The line of the download that `text` runs as a command line, directly
/// (`os.system(r.text)`, `subprocess.run(['bash', '-c', cmd])`) or through a function
/// of the file that runs its argument (`runcommand(resp)`).
pub(super) fn runs_received_command(
    text: &str,
    fetched: &BTreeMap<String, u32>,
    facts: &FileFacts,
) -> Option<u32> {
    if fetched.is_empty() {
        return None;
    }
    let received = |expr: &str| {
        fetched
            .iter()
            .find(|(name, _)| command_is_value_of(expr, name))
            .map(|(_, &at)| at)
    };
    for m in RUN.find_iter(text).take(MAX_CALLS) {
        if let Some(at) = program_argument(text, m.as_str(), m.end() - 1).and_then(received) {
            return Some(at);
        }
    }
    for runner in &facts.runners {
        for open in call_sites(text, runner).take(MAX_CALLS) {
            if let Some(at) = call_args(text, open).into_iter().find_map(received) {
                return Some(at);
            }
        }
    }
    None
}

/// Where `function(` is called in `text`: the offsets of the opening brackets.
fn call_sites<'t>(text: &'t str, function: &'t str) -> impl Iterator<Item = usize> + 't {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(function).filter_map(move |(start, _)| {
        let end = start + function.len();
        if start > 0 && (is_ident(bytes[start - 1]) || bytes[start - 1] == b'.') {
            return None;
        }
        let spaces = bytes[end..].iter().take_while(|b| **b == b' ').count();
        (bytes.get(end + spaces) == Some(&b'(')).then_some(end + spaces)
    })
}

/// Whether the command `expr` is the value of `name` itself (`resp`, `r.text`,
/// `data.decode()`), alone, first in a list, or after a shell's `-c`.
pub(super) fn command_is_value_of(expr: &str, name: &str) -> bool {
    let mut expr = expr.trim();
    // `str(banner)`: the same text; `str(a) + str(b)` is not one call.
    while let Some(inner) = expr.strip_prefix("str(")
        && matching_close(inner).is_some_and(|close| close + 1 == inner.len())
    {
        expr = inner[..inner.len() - 1].trim();
    }
    if let Some(inner) = expr.strip_prefix('[').or_else(|| expr.strip_prefix('(')) {
        let inner = inner.strip_suffix([']', ')']).unwrap_or(inner);
        let elements = split_top_level(inner);
        return match elements.as_slice() {
            [program, ..] if is_value_of(program, name) => true,
            [shell, flag, code, ..] => {
                SHELLS.contains(&unquote(shell).to_ascii_lowercase().as_str())
                    && ["-c", "/c", "-command"]
                        .contains(&unquote(flag).to_ascii_lowercase().as_str())
                    && is_value_of(code, name)
            }
            _ => false,
        };
    }
    is_value_of(expr, name)
}

/// Shells that run the command line they are given after `-c`.
const SHELLS: &[&str] = &["bash", "sh", "zsh", "cmd", "cmd.exe", "powershell", "pwsh"];

/// Whether `expr` is `name` followed only by attributes and method calls.
pub(super) fn is_value_of(expr: &str, name: &str) -> bool {
    let Some(mut rest) = expr.trim().strip_prefix(name) else {
        return false;
    };
    if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return false;
    }
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return true;
        }
        if let Some(args) = rest.strip_prefix('(') {
            let Some(close) = matching_close(args) else {
                return false;
            };
            rest = &args[close + 1..];
            continue;
        }
        let Some(after_dot) = rest.strip_prefix('.') else {
            return false;
        };
        let attribute = after_dot
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after_dot.len());
        if attribute == 0 {
            return false;
        }
        rest = &after_dot[attribute..];
        if let Some(args) = rest.strip_prefix('(') {
            let Some(close) = matching_close(args) else {
                return false;
            };
            rest = &args[close + 1..];
        }
    }
}

/// The path among `paths` that `text` starts as a program, if any.
pub(super) fn runs_one_of(
    text: &str,
    paths: &BTreeMap<String, (u32, u32)>,
    facts: &FileFacts,
) -> Option<(String, (u32, u32))> {
    if paths.is_empty() {
        return None;
    }
    for m in RUN.find_iter(text).take(MAX_CALLS) {
        let Some(program) = program_argument(text, m.as_str(), m.end() - 1) else {
            continue;
        };
        for (path, &at) in paths {
            if command_program_is(program, path, facts) {
                return Some((path.clone(), at));
            }
        }
    }
    None
}

/// The argument of a process call that names what runs: the first, except for
/// `os.spawn*(mode, path, ...)`.
pub(super) fn program_argument<'t>(text: &'t str, call: &str, open: usize) -> Option<&'t str> {
    let args = call_args(text, open);
    let index = usize::from(call.contains("spawn") && !call.contains("posix_spawn"));
    args.get(index).copied()
}

/// Whether the command `expr` (an argument list, a shell string or a path) starts
/// `path`, directly or through a launcher (`['bash', p]`, `f"start {p}"`).
pub(super) fn command_program_is(expr: &str, path: &str, facts: &FileFacts) -> bool {
    let expr = expr.trim();
    let mentions = |e: &str| mentions(e, path, facts);
    if let Some(inner) = expr.strip_prefix('[').or_else(|| expr.strip_prefix('(')) {
        let inner = inner.strip_suffix([']', ')']).unwrap_or(inner);
        let elements = split_top_level(inner);
        let Some(program) = elements.first() else {
            return false;
        };
        return mentions(program)
            || (is_launcher(&unquote(program)) && elements[1..].iter().any(|e| mentions(e)));
    }
    if expr == path || unquote(expr) == unquote(path) {
        return true;
    }
    // `p + ' /S'`
    if is_name(path) && expr.starts_with(path) && expr[path.len()..].trim_start().starts_with('+') {
        return true;
    }
    // A shell string: the program is the first word of one of its commands
    // (`set X=1 | start payload.exe`, `~/.drv &`).
    let body = expr.trim_start_matches(['f', 'r', 'b', 'F', 'R', 'B']);
    let literal = literal_of(path, facts);
    // `os.startfile(os.getcwd() + "\\download.exe")`: a path, not a command line.
    if !string_literals(expr)
        .iter()
        .any(|l| l.contains(char::is_whitespace))
        && literal
            .as_deref()
            .is_some_and(|name| string_literals(expr).iter().any(|l| names_file(l, name)))
    {
        return true;
    }
    for command in body.split(['|', '&', ';']) {
        let command = command.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
        if let Some(rest) = command.strip_prefix('{') {
            if mentions(rest.split('}').next().unwrap_or("")) {
                return true;
            }
            continue;
        }
        let word: String = command
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
            .collect();
        if literal.as_deref().is_some_and(|l| names_file(&word, l))
            || (is_launcher(&word) && mentions(command))
        {
            return true;
        }
    }
    // `"start " + p`: the path is a name outside the string.
    let first_word: String = body
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
        .collect();
    is_launcher(&first_word) && mentions(expr)
}

/// Whether the shell word `word` names the file `literal` (`payload.exe`,
/// `./payload.exe`, `~/.drv`).
fn names_file(word: &str, literal: &str) -> bool {
    let word = word.trim_matches(|c: char| matches!(c, '"' | '\'' | '`'));
    !literal.is_empty() && base_name(word) == literal
}

fn is_launcher(word: &str) -> bool {
    let word = word.trim().to_ascii_lowercase();
    let base = word.rsplit(['/', '\\']).next().unwrap_or(&word);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    LAUNCHERS.contains(&base)
}

/// Whether `expr` calls `function`.
pub(super) fn called(expr: &str, function: &str) -> bool {
    call_sites(expr, function).next().is_some()
}

/// The file name a path expression stands for (`'C://x//server.exe'`,
/// `d + "\\ComServer.exe"`, `f'{tmp}/payload.exe'`, a constant), when it names one.
fn literal_of(path: &str, facts: &FileFacts) -> Option<String> {
    if is_name(path) {
        return facts.constants.get(path).map(|l| base_name(l).to_string());
    }
    let literals = string_literals(path);
    let last = literals.last()?;
    let last = last.rsplit('}').next().unwrap_or(last);
    let name = base_name(last);
    (name.len() >= 3 && !name.contains(['{', '"', '\''])).then(|| name.to_string())
}

/// Whether `expr` refers to `path`: the same name, the same expression, or the same
/// file name.
pub(super) fn mentions(expr: &str, path: &str, facts: &FileFacts) -> bool {
    if is_name(path) && mentions_name(expr, path) {
        return true;
    }
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if !is_name(path) && squeeze(expr).contains(&squeeze(path)) {
        return true;
    }
    literal_of(path, facts).is_some_and(|name| {
        expr.split(|c: char| c.is_whitespace() || "\"'`,+(){}[]".contains(c))
            .any(|word| names_file(word, &name))
    })
}
