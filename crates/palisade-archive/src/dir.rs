use crate::budget::Budget;
use crate::limits::{Limit, Limits};
use crate::rules;
use crate::tarball::report_link;
use crate::unpack::{Sink, Unpacked, emit_file, finish};
use std::fs;
use std::io::Read;
use std::path::Path;

/// Folders deeper than this are not walked (a guard against pathological trees).
const MAX_FOLDER_DEPTH: usize = 64;

/// Reads an already unpacked package folder, with the same limits and findings as an
/// archive. Links are recorded, never followed; special files are never opened.
pub fn unpack_dir(root: &Path, limits: &Limits) -> Unpacked {
    let name = root.display().to_string();
    let budget = Budget::new(&name, limits);
    let mut sink = Sink::default();
    walk(&budget, &mut sink, root, "", 0);
    finish(budget, sink, "directory".to_string())
}

fn walk(budget: &Budget<'_>, sink: &mut Sink, dir: &Path, rel: &str, level: usize) {
    if level > MAX_FOLDER_DEPTH {
        budget.error(rel, "folder nesting too deep; not read further");
        return;
    }
    let mut entries: Vec<_> = match fs::read_dir(dir) {
        Ok(iter) => iter.filter_map(Result::ok).collect(),
        Err(err) => {
            budget.error(rel, format!("cannot list folder: {err}"));
            return;
        }
    };
    // Sorted so that the same folder always gives the same report.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if budget.is_stopped() {
            return;
        }
        if !budget.take_entry() {
            budget.report_limit(budget.stopped.get().unwrap_or(Limit::Entries), rel);
            return;
        }
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            file_name
        } else {
            format!("{rel}/{file_name}")
        };
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            budget.error(&path, "cannot read file metadata");
            continue;
        };
        let file_type = meta.file_type();
        if file_type.is_symlink() {
            let target = fs::read_link(entry.path())
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            report_link(budget, &path, &path, &target, false);
        } else if file_type.is_dir() {
            walk(budget, sink, &entry.path(), &path, level + 1);
        } else if file_type.is_file() {
            read_one(budget, sink, &entry.path(), path, meta.len());
        } else {
            budget.finding(
                rules::SPECIAL_FILE
                    .finding("special file (device, FIFO or socket) in the folder; not opened")
                    .at(path, None),
            );
        }
    }
}

fn read_one(budget: &Budget<'_>, sink: &mut Sink, full: &Path, path: String, len: u64) {
    let limits = budget.limits;
    if len > limits.max_entry_bytes {
        budget.report_limit(Limit::EntryBytes, &path);
        return;
    }
    let mut data = Vec::with_capacity(len as usize);
    let read =
        fs::File::open(full).and_then(|f| f.take(limits.max_entry_bytes).read_to_end(&mut data));
    if let Err(err) = read {
        budget.error(&path, format!("cannot read: {err}"));
        return;
    }
    let total = budget.total_bytes.get() + data.len() as u64;
    budget.total_bytes.set(total);
    if total > limits.max_total_bytes {
        budget.trip(Limit::TotalBytes);
        budget.report_limit(Limit::TotalBytes, &path);
        return;
    }
    emit_file(budget, sink, path, data, 0);
}
