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
    /// One pattern for all the aliases, to put the real names back into a statement.
    alias_pattern: Option<Regex>,
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
/// Aliases read per file: enough that decoy aliases cannot push out the one that
/// matters, few enough for one small pattern.
const MAX_ALIASES: usize = 256;
/// Longest name or alias read: longer ones are no import a module makes.
const MAX_ALIAS_BYTES: usize = 64;

impl FileFacts {
    /// `statement` with every alias replaced by what it stands for (`_s(cmd)` becomes
    /// `os.system(cmd)`); borrowed unchanged when the file has no alias.
    pub(super) fn unaliased<'a>(&self, statement: &'a str) -> std::borrow::Cow<'a, str> {
        let Some(pattern) = &self.alias_pattern else {
            return std::borrow::Cow::Borrowed(statement);
        };
        pattern.replace_all(statement, |c: &regex::Captures| {
            let real = self.aliases.get(&c[2]).map_or(&c[2], String::as_str);
            format!("{}{real}", &c[1])
        })
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
            add(&alias, format!("{}.{name}", &c[1]));
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
    if !facts.aliases.is_empty() {
        let names: Vec<String> = facts.aliases.keys().map(|a| regex::escape(a)).collect();
        facts.alias_pattern = Regex::new(&format!(r"(^|[^.\w])({})\b", names.join("|"))).ok();
    }
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
