//! The error type: which file, which line when known, and why.

use std::fmt;
use std::path::{Path, PathBuf};

/// A file that could not be read or parsed.
///
/// Displays as `path:line: reason`, or `path: reason` when the line is unknown, so that
/// editors and terminals can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepsError {
    /// The file at fault (for a `requirements.txt` include, the included file).
    pub file: PathBuf,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong, in one line.
    pub reason: String,
}

impl DepsError {
    /// An error about `file`, at `line` when known.
    pub fn new(file: &Path, line: Option<usize>, reason: impl Into<String>) -> Self {
        DepsError {
            file: file.to_path_buf(),
            line,
            reason: reason.into(),
        }
    }

    pub(crate) fn too_large(file: &Path) -> Self {
        DepsError::new(
            file,
            None,
            format!(
                "file is larger than the {} MiB limit for lockfiles",
                crate::MAX_FILE_SIZE / (1024 * 1024)
            ),
        )
    }
}

impl fmt::Display for DepsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.reason),
            None => write!(f, "{}: {}", self.file.display(), self.reason),
        }
    }
}

impl std::error::Error for DepsError {}
