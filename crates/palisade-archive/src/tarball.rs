use crate::budget::Budget;
use crate::limits::Limit;
use crate::paths::{NameIssues, inspect_name, link_escapes};
use crate::rules;
use crate::unpack::{Sink, emit_file, stream_error};
use std::io::Read;
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
                report_link(budget, &path, &target, entry_type == EntryType::Link);
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
        let mut data = Vec::with_capacity(declared.min(1 << 20) as usize);
        if let Err(err) = entry.read_to_end(&mut data) {
            stream_error(budget, &path, "tar", &err);
            break;
        }
        emit_file(budget, sink, path, data, depth);
    }
}

pub(crate) fn report_name_issues(budget: &Budget<'_>, path: &str, issues: &NameIssues) {
    if issues.absolute {
        budget.finding(
            rules::ABSOLUTE_PATH
                .finding("entry has an absolute path; it would be written outside the package")
                .at(path, None),
        );
    }
    if issues.traversal {
        budget.finding(
            rules::PATH_TRAVERSAL
                .finding("entry name contains `..`; it would be written outside the package")
                .at(path, None),
        );
    }
    if issues.non_utf8 {
        budget.finding(
            rules::NON_UTF8_NAME
                .finding("entry name is not valid UTF-8 (shown with replacement characters)")
                .at(path, None),
        );
    }
}

pub(crate) fn report_link(budget: &Budget<'_>, path: &str, target: &str, hard: bool) {
    let kind = if hard { "hard link" } else { "symbolic link" };
    let finding = if link_escapes(path, target) {
        rules::LINK_ESCAPE.finding(format!(
            "{kind} to `{target}` points outside the package (not followed)"
        ))
    } else {
        rules::LINK.finding(format!("{kind} to `{target}` (not followed)"))
    };
    budget.finding(finding.at(path, None).with_snippet(format!("{path} -> {target}")));
}
