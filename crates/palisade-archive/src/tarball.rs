use crate::budget::Budget;
use crate::limits::Limit;
use crate::paths::{NameIssues, inspect_name, link_escapes};
use crate::rules;
use crate::unpack::{Sink, emit_file, stream_error};
use palisade_core::{Finding, Severity};
use std::io::{ErrorKind, Read};
use tar::EntryType;

/// Reads every entry of a tar stream into `sink`. Errors and limits become findings;
/// reading stops at the first broken entry because a tar stream cannot resynchronise.
pub(crate) fn read_tar<R: Read>(
    budget: &Budget<'_>,
    sink: &mut Sink,
    reader: R,
    prefix: &str,
    depth: u32,
) {
    let mut archive = tar::Archive::new(reader);
    let place = prefix.trim_end_matches("!/");
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(err) => {
            stream_error(budget, place, "tar", &err);
            return;
        }
    };
    for entry in entries {
        if budget.is_stopped() {
            break;
        }
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                stream_error(budget, place, "tar", &err);
                break;
            }
        };
        if !budget.take_entry() {
            budget.report_limit(budget.stopped.get().unwrap_or(Limit::Entries), place);
            break;
        }
        let (name, issues) = inspect_name(&entry.path_bytes());
        let path = format!("{prefix}{name}");
        report_name_issues(budget, &path, &issues);
        let entry_type = entry.header().entry_type();
        match entry_type {
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {}
            EntryType::Symlink | EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                let hard = entry_type == EntryType::Link;
                report_link(budget, &path, &name, &target, hard);
                continue;
            }
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                budget.finding(
                    rules::SPECIAL_FILE
                        .finding(format!("{entry_type:?} entry in the archive"))
                        .at(path, None),
                );
                continue;
            }
            // Directories, pax and GNU metadata entries carry no file content.
            _ => continue,
        }
        let declared = entry.size();
        if declared > budget.limits.max_entry_bytes {
            budget.report_limit(Limit::EntryBytes, &path);
            continue;
        }
        if entry_type == EntryType::GNUSparse && !charge_sparse_holes(budget, &entry, &path) {
            if budget.is_stopped() {
                break;
            }
            continue;
        }
        let mut data = Vec::with_capacity(declared.min(1 << 20) as usize);
        if let Err(err) = entry.read_to_end(&mut data) {
            stream_error(budget, &path, "tar", &err);
            break;
        }
        // The tar reader ends an entry quietly when the stream runs out before the size
        // its header declares: the entry was cut, not whole.
        if (data.len() as u64) < entry.size() {
            stream_error(budget, &path, "tar", &ErrorKind::UnexpectedEof.into());
            break;
        }
        emit_file(budget, sink, path, data, depth);
    }
}

/// The holes of a GNU sparse entry are zeros the tar reader makes up: they never pass
/// through the guarded stream, so a 512-byte header could make any amount of them. They
/// are charged here as a decompressor's output would be. False when the entry must not
/// be read (a finding has been made).
fn charge_sparse_holes<R: Read>(
    budget: &Budget<'_>,
    entry: &tar::Entry<'_, R>,
    path: &str,
) -> bool {
    let limits = budget.limits;
    let expanded = entry.size();
    let stored = entry.header().entry_size().unwrap_or(0);
    let consumed = stored.saturating_add(512);
    if expanded > limits.ratio_floor_bytes && expanded > limits.max_ratio.saturating_mul(consumed) {
        budget.report_limit(Limit::Ratio, path);
        return false;
    }
    let total = budget.total_bytes.get() + expanded.saturating_sub(stored);
    budget.total_bytes.set(total);
    if total > limits.max_total_bytes {
        budget.trip(Limit::TotalBytes);
        budget.report_limit(Limit::TotalBytes, path);
        return false;
    }
    true
}

/// What an escaping entry at `path` escapes, and how much that weighs. Installers extract
/// the artifact, never the archives inside it: an escape in a nested archive (a test
/// fixture of an unpacking library) harms only whoever unpacks that archive later.
fn escape_target(path: &str) -> (&'static str, Option<Severity>) {
    if path.contains("!/") {
        (
            "the folder this nested archive is extracted to",
            Some(Severity::Low),
        )
    } else {
        ("the package", None)
    }
}

fn escape_finding(finding: Finding, path: &str) -> Finding {
    let mut finding = finding.at(path, None);
    if let (_, Some(severity)) = escape_target(path) {
        finding.severity = severity;
    }
    finding
}

pub(crate) fn report_name_issues(budget: &Budget<'_>, path: &str, issues: &NameIssues) {
    let (place, _) = escape_target(path);
    if issues.absolute {
        budget.finding(escape_finding(
            rules::ABSOLUTE_PATH.finding(format!(
                "entry has an absolute path; it would be written outside {place}"
            )),
            path,
        ));
    }
    if issues.traversal {
        budget.finding(escape_finding(
            rules::PATH_TRAVERSAL.finding(format!(
                "entry name contains `..`; it would be written outside {place}"
            )),
            path,
        ));
    }
    if issues.non_utf8 {
        budget.finding(
            rules::NON_UTF8_NAME
                .finding("entry name is not valid UTF-8 (shown with replacement characters)")
                .at(path, None),
        );
    }
}

/// Reports a link at `path`; `name` is its name inside its own archive, from which the
/// target is resolved (a nested archive is extracted into a folder of its own).
pub(crate) fn report_link(budget: &Budget<'_>, path: &str, name: &str, target: &str, hard: bool) {
    let kind = if hard { "hard link" } else { "symbolic link" };
    let finding = if link_escapes(name, target, hard) {
        let (place, _) = escape_target(path);
        escape_finding(
            rules::LINK_ESCAPE.finding(format!(
                "{kind} to `{target}` points outside {place} (not followed)"
            )),
            path,
        )
    } else {
        rules::LINK
            .finding(format!("{kind} to `{target}` (not followed)"))
            .at(path, None)
    };
    budget.finding(finding.with_snippet(format!("{path} -> {target}")));
}
