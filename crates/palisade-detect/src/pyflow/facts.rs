//! What the rest of a Python file tells the data-flow check about one scope's names:
//! string constants, and the file's own functions that fetch or run their argument.

use super::commands::{RUN, command_is_value_of, program_argument};
use super::syntax::{call_args, is_name, prefix};
use super::{FETCH, MAX_CALLS, MAX_NAMES};
use crate::pyblocks::LineInfo;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

static DEF_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:async\s+)?def\s+(\w+)").expect("valid regex"));

/// What the rest of a file tells about one scope's names.
#[derive(Debug, Default)]
pub struct FileFacts {
    /// Names bound to a plain string literal anywhere in the file (`LOC = ".drv"`).
    pub(super) constants: BTreeMap<String, String>,
    /// Functions of the file that make a network request: calling one fetches.
    pub fetchers: Vec<String>,
    /// Functions of the file that run their argument as a command line.
    pub(super) runners: Vec<String>,
    /// The name of each function of the file, by its `def` line (0-based, as scopes are).
    pub function_names: BTreeMap<u32, String>,
    /// Names imported under another name from the modules the check reads
    /// (`from os import system as _s`, `import subprocess as sp`), with what they stand
    /// for (`os.system`, `subprocess`).
    aliases: BTreeMap<String, String>,
}

/// Modules whose names the check reads: an alias of one of them hides a fetch, a write
/// or a run from a reader that looks for the real names.
const ALIASED_MODULES: &[&str] = &[
    "os",
    "subprocess",
    "sys",
    "tempfile",
    "urllib.request",
    "urllib2",
    "requests",
    "httpx",
    "shutil",
    "io",
    "pathlib",
    "wget",
];

static FROM_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+(?:\(([\w\s,]+?)\)|([\w \t,]+?))[ \t]*(?:[;#].*)?$",
    )
    .expect("valid regex")
});
static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*import[ \t]+([\w. \t,]+?)[ \t]*(?:[;#].*)?$").expect("valid regex")
});
/// Aliases read per file: only names the check reads count (see `READ_NAMES`), so
/// decoys must be aliases of those, tens of thousands of lines of them.
const MAX_ALIASES: usize = 1 << 16;
/// A statement grows by at most this much as aliases are put back: `[a, a, a, ...]` of a
/// one-letter alias must not make every statement a megabyte.
const MAX_UNALIASED_BYTES: usize = 64 << 10;
/// Names imported from `ALIASED_MODULES` whose aliases matter: what fetches, writes or
/// runs. A whole module imported under another name always matters.
const READ_NAMES: &[&str] = &[
    "system",
    "popen",
    "startfile",
    "execv",
    "execl",
    "execvp",
    "execlp",
    "spawnv",
    "spawnl",
    "posix_spawn",
    "Popen",
    "run",
    "call",
    "check_call",
    "check_output",
    "getoutput",
    "getstatusoutput",
    "urlopen",
    "urlretrieve",
    "Request",
    "get",
    "post",
    "request",
    "stream",
    "Session",
    "download",
    "NamedTemporaryFile",
    "executable",
    "copyfileobj",
    "open",
    "Path",
];
/// Longest name or alias read: longer ones are no import a module makes.
const MAX_ALIAS_BYTES: usize = 64;

impl FileFacts {
    /// `statement` with every alias replaced by what it stands for (`_s(cmd)` becomes
    /// `os.system(cmd)`), reading its names one by one (a name after a dot is an
    /// attribute, not an alias); borrowed unchanged when nothing is replaced.
    pub(super) fn unaliased<'a>(&self, statement: &'a str) -> std::borrow::Cow<'a, str> {
        if self.aliases.is_empty() {
            return std::borrow::Cow::Borrowed(statement);
        }
        let bytes = statement.as_bytes();
        let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut out = String::new();
        let (mut copied, mut i) = (0, 0);
        while i < bytes.len() {
            if !is_ident(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            if start > 0 && bytes[start - 1] == b'.' {
                continue;
            }
            // Identifier runs are ASCII, so both ends are character boundaries.
            if out.len() > MAX_UNALIASED_BYTES {
                break;
            }
            if let Some(real) = self.aliases.get(&statement[start..i]) {
                out.push_str(&statement[copied..start]);
                out.push_str(real);
                copied = i;
            }
        }
        if copied == 0 {
            return std::borrow::Cow::Borrowed(statement);
        }
        out.push_str(&statement[copied..]);
        std::borrow::Cow::Owned(out)
    }
}

fn aliases(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut add = |alias: &str, real: String| {
        if out.len() < MAX_ALIASES
            && alias.len() <= MAX_ALIAS_BYTES
            && real.len() <= 2 * MAX_ALIAS_BYTES
            && is_name(alias)
            && alias != real
        {
            out.insert(alias.to_string(), real);
        }
    };
    // `name as alias` items of a comma-separated list.
    let items = |list: &str| -> Vec<(String, String)> {
        list.split(',')
            .filter_map(
                |item| match item.split_whitespace().collect::<Vec<_>>()[..] {
                    [name, "as", alias] => Some((name.to_string(), alias.to_string())),
                    _ => None,
                },
            )
            .collect()
    };
    for c in FROM_IMPORT.captures_iter(text).take(MAX_CONSTANTS) {
        if !ALIASED_MODULES.contains(&&c[1]) {
            continue;
        }
        let list = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
        for (name, alias) in items(list) {
            if READ_NAMES.contains(&name.as_str()) {
                add(&alias, format!("{}.{name}", &c[1]));
            }
        }
    }
    for c in IMPORT.captures_iter(text).take(MAX_CONSTANTS) {
        for (module, alias) in items(&c[1]) {
            if ALIASED_MODULES.contains(&module.as_str()) {
                add(&alias, module);
            }
        }
    }
    out
}

static CONSTANT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(\w+)[ \t]*=[ \t]*[rRbB]?(?:"([^"\\\n]{1,200})"|'([^'\\\n]{1,200})')[ \t]*(?:#.*)?$"#)
        .expect("valid regex")
});

/// Constants remembered per file.
const MAX_CONSTANTS: usize = 4096;
/// Bytes of a line read for definitions and calls.
const MAX_LINE_BYTES: usize = 4 << 10;

pub fn file_facts(data: &[u8], lines: &[LineInfo]) -> FileFacts {
    let text = String::from_utf8_lossy(data);
    let mut facts = FileFacts::default();
    for c in CONSTANT.captures_iter(&text).take(MAX_CONSTANTS) {
        let value = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
        facts.constants.insert(c[1].to_string(), value.to_string());
    }
    facts.aliases = aliases(&text);
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut parameters: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut fetching: BTreeSet<u32> = BTreeSet::new();
    let mut running: BTreeSet<u32> = BTreeSet::new();
    for (index, (line, info)) in text.lines().zip(lines).enumerate() {
        let line = prefix(line, MAX_LINE_BYTES);
        if let Some(c) = DEF_NAME.captures(line) {
            names.insert(index as u32, c[1].to_string());
            let open = c.get(0).map_or(0, |m| m.end());
            if line[open..].trim_start().starts_with('(') {
                let at = open + (line[open..].len() - line[open..].trim_start().len());
                let params = call_args(line, at)
                    .iter()
                    .map(|p| p.split([':', '=']).next().unwrap_or("").trim().to_string())
                    .filter(|p| is_name(p) && p != "self")
                    .take(MAX_NAMES)
                    .collect();
                parameters.insert(index as u32, params);
            }
        }
        if let Some(f) = info.function
            && info.kind.runs()
            && let Some(params) = parameters.get(&f)
            && RUN.find_iter(line).take(MAX_CALLS).any(|m| {
                program_argument(line, m.as_str(), m.end() - 1)
                    .is_some_and(|a| params.iter().any(|p| command_is_value_of(a, p)))
            })
        {
            running.insert(f);
        }
        if let Some(f) = info.function
            && info.kind.runs()
            && FETCH.is_match(line)
        {
            fetching.insert(f);
        }
    }
    let named = |set: &BTreeSet<u32>| -> Vec<String> {
        set.iter()
            .filter_map(|f| names.get(f).cloned())
            .filter(|name| name.len() > 2)
            .take(MAX_NAMES)
            .collect()
    };
    facts.fetchers = named(&fetching);
    facts.runners = named(&running);
    facts.function_names = names;
    facts
}
