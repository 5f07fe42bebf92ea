//! Finding the lockfiles and manifests of a project folder.
//!
//! A bounded, deterministic walk: folders at most [`MAX_DEPTH`] below the root, at most
//! [`MAX_ENTRIES`] entries looked at, children visited in name order. Installed or
//! generated trees (`node_modules`, `.git`, `target`, `vendor`, virtual environments,
//! `__pycache__`...) are skipped: they hold other projects' manifests, not this one's.
//! Symbolic links to folders are never followed; a link to a file counts only when the
//! file it names lies inside the root.

use std::path::{Path, PathBuf};

use crate::LockfileKind;

/// How many folder levels below the root the walk descends.
pub const MAX_DEPTH: usize = 12;

/// How many directory entries the walk looks at before it stops.
pub const MAX_ENTRIES: usize = 200_000;

const SKIP_DIRS: [&str; 13] = [
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    "target",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".gradle",
    "bower_components",
    ".yarn",
];

/// The lockfiles and manifests under `root` that [`LockfileKind::from_path`] recognises,
/// sorted by path. `root` itself may be a file, which is returned if recognised.
pub fn discover(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if !root.is_dir() {
        if LockfileKind::from_path(root).is_some() && root.is_file() {
            found.push(root.to_path_buf());
        }
        return found;
    }
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut budget = MAX_ENTRIES;
    let mut stack: Vec<(PathBuf, usize)> = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = read.filter_map(Result::ok).take(budget).collect();
        budget -= entries.len();
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for entry in entries {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let name = entry.file_name();
                let skip = name.to_str().is_none_or(|n| SKIP_DIRS.contains(&n));
                if !skip && depth < MAX_DEPTH {
                    subdirs.push((path, depth + 1));
                }
            } else if LockfileKind::from_path(&path).is_some() {
                if kind.is_symlink() {
                    let inside = std::fs::canonicalize(&path)
                        .is_ok_and(|t| t.starts_with(&canonical_root) && t.is_file());
                    if !inside {
                        continue;
                    }
                } else if !kind.is_file() {
                    continue;
                }
                found.push(path);
            }
        }
        stack.extend(subdirs.into_iter().rev());
        if budget == 0 {
            break;
        }
    }
    found.sort();
    found
}
