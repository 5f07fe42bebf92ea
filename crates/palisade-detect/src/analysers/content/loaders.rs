//! JavaScript loaders confirmed by their data flow (see `jsflow`): a file that runs, as
//! code, what it received from the network, or starts a file it wrote a response to.

use super::judge::Local;
use crate::coderules::Signal;
use crate::correlate::FileSignals;
use crate::jsflow::Flows;
use crate::source::Role;
use palisade_core::{Category, Finding, RuleInfo, Severity};

pub static RUNS_RESPONSE: RuleInfo = RuleInfo {
    id: "execution/javascript-runs-response",
    category: Category::Download,
    severity: Severity::Critical,
    summary: "JavaScript runs, as code, what it received from the network, followed through the variables that carry it.",
    why: "A loader keeps the code it runs on a server: the package holds only the fetch and the eval, spread over a few lines so that no single line shows both. Whoever controls the server, or the blockchain record the address is read from, decides what runs, at any time after review.",
    example: "const r = await fetch(u); const code = Buffer.from(await r.text(), 'base64').toString(); eval(code);",
    attack: Some("T1105"),
};

pub static RUNS_DOWNLOAD: RuleInfo = RuleInfo {
    id: "download/javascript-runs-what-it-downloaded",
    category: Category::Download,
    severity: Severity::Critical,
    summary: "JavaScript writes what it received from the network to a file and starts that file (as a program, or with require).",
    why: "Fetch, write and start of the same bytes is a dropper: what runs is whatever the server sends, never what was reviewed. Honest installers that download a binary verify or unpack it, and start it from the code that needs it, not from the function that fetched it.",
    example: "const buf = Buffer.from(await (await fetch(u)).arrayBuffer()); fs.writeFileSync(p, buf); cp.execFile(p);",
    attack: Some("T1105"),
};

/// Reports what the flow found in one file, with the lines that make it a loader;
/// `place` puts a finding at a line of the file, with its snippet.
pub(super) fn report(
    flows: &Flows,
    role: Role,
    place: impl Fn(Finding, u32) -> Finding,
    signals: &mut FileSignals,
    local: &mut Vec<Local>,
) {
    let role_name = role.name();
    let mut push = |finding: Finding, tags: &[&str]| {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        signals.tags.extend(tags.iter().cloned());
        signals.hits.push((Signal::Threat, finding.severity));
        local.push(Local::new(finding, Signal::Threat, &tags));
    };
    if let Some(run) = flows.remote_run {
        let message = format!(
            "received from the network at line {}, run as code at line {} [{role_name}]",
            run.fetched_line, run.run_line
        );
        push(
            place(RUNS_RESPONSE.finding(message), run.run_line),
            &["exec", "network", "download-exec"],
        );
    }
    if let Some(run) = &flows.download_run {
        let message = format!(
            "received from the network at line {}, written to `{}` at line {}, started at line {} [{role_name}]",
            run.fetched_line, run.path, run.written_line, run.run_line
        );
        push(
            place(RUNS_DOWNLOAD.finding(message), run.run_line),
            &["process", "network", "file-write", "download-exec"],
        );
    }
}
