//! What every ecosystem module shares: a path index over the package files, the
//! identity a module hands back, bounded manifest reading that turns hostile input into
//! findings, and builders for entry points.
//!
//! Keeping these here means each ecosystem module only states what is specific to its
//! ecosystem, and every module bounds its work the same way.

use crate::rules;
use palisade_core::{
    Ecosystem, EntryPoint, Evidence, Finding, PackageFile, Phase, RuleInfo, line_at_offset,
    snippet_at_offset, truncate_chars,
};
use std::collections::HashMap;

/// Largest manifest parsed as a whole. Honest manifests are a few kilobytes; a bigger
/// one is reported rather than handed to a parser.
pub(crate) const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// Most entry points taken from one declaring file. Real manifests declare a handful;
/// the cap keeps a hostile one (a million-item list) from costing a million entries,
/// each of which locates its line in the file.
pub(crate) const MAX_ENTRIES_PER_FILE: usize = 64;

/// Longest name or version kept; a longer one is cut so it cannot swamp a report.
const MAX_FIELD_CHARS: usize = 256;

/// The unpacked files with an index by path, and the outer archive format.
pub(crate) struct Ctx<'a> {
    pub format: &'a str,
    pub files: &'a [PackageFile],
    index: HashMap<&'a str, usize>,
}

impl<'a> Ctx<'a> {
    pub fn new(format: &'a str, files: &'a [PackageFile]) -> Ctx<'a> {
        // Later duplicates win: tar extraction and Python's zipfile both keep the last copy.
        let index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_str(), i))
            .collect();
        Ctx {
            format,
            files,
            index,
        }
    }

    pub fn get(&self, path: &str) -> Option<&'a PackageFile> {
        self.index.get(path).map(|&i| &self.files[i])
    }

    pub fn exists(&self, path: &str) -> bool {
        self.index.contains_key(path)
    }

    /// The single folder (with its trailing `/`) every file lies in, if there is one.
    pub fn top_folder(&self) -> Option<&'a str> {
        let first = self.files.first()?;
        let top = &first.path[..first.path.find('/')? + 1];
        self.files
            .iter()
            .all(|f| f.path.starts_with(top))
            .then_some(top)
    }

    /// Files directly inside `dir` (which is empty or ends with `/`), sorted by path.
    pub fn children(&self, dir: &str) -> Vec<&'a PackageFile> {
        let mut out: Vec<_> = self
            .files
            .iter()
            .filter(|f| {
                f.path
                    .strip_prefix(dir)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// Files under `dir`, at any depth.
    pub fn under(&self, dir: &'a str) -> impl Iterator<Item = &'a PackageFile> + 'a {
        self.files.iter().filter(move |f| f.path.starts_with(dir))
    }

    pub fn is_directory(&self) -> bool {
        self.format == "directory"
    }

    pub fn is_tar(&self) -> bool {
        self.format == "tar" || self.format.starts_with("tar.")
    }

    /// `name` for an artifact, `directory` for a folder on disk.
    pub fn format_as(&self, name: &str) -> String {
        if self.is_directory() {
            "directory".to_string()
        } else {
            name.to_string()
        }
    }
}

/// What an ecosystem module found out about the package.
pub(crate) struct Identity {
    pub ecosystem: Option<Ecosystem>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub format: String,
    pub root: String,
    pub manifest_path: Option<String>,
    pub entry_points: Vec<EntryPoint>,
    pub findings: Vec<Finding>,
}

impl Identity {
    pub fn new(ecosystem: Option<Ecosystem>, format: String, root: &str) -> Identity {
        Identity {
            ecosystem,
            name: None,
            version: None,
            format,
            root: root.to_string(),
            manifest_path: None,
            entry_points: Vec::new(),
            findings: Vec::new(),
        }
    }

    pub fn set_name(&mut self, name: Option<&str>) {
        self.name = name.and_then(clean_field);
    }

    pub fn set_version(&mut self, version: Option<&str>) {
        self.version = version.and_then(clean_field);
    }

    /// Reports a manifest that cannot be used; `offset` places it in `data` when known.
    pub fn unreadable(&mut self, path: &str, reason: &str, at: Option<(&[u8], usize)>) {
        let mut finding = rules::UNREADABLE
            .finding(format!("cannot read manifest {path}: {reason}"))
            .at(path, at.map(|(data, offset)| line_at_offset(data, offset)));
        if let Some((data, offset)) = at {
            finding = finding.with_snippet(snippet_at_offset(data, offset));
        }
        self.findings.push(finding);
    }

    pub fn mismatch(&mut self, path: &str, message: String) {
        self.findings
            .push(rules::LAYOUT_MISMATCH.finding(message).at(path, None));
    }
}

/// A name or version as it may appear in a report: trimmed, without control
/// characters, cut to a sane length; `None` when nothing is left.
pub(crate) fn clean_field(value: &str) -> Option<String> {
    let value: String = value.trim().chars().filter(|c| !c.is_control()).collect();
    let value = truncate_chars(&value, MAX_FIELD_CHARS);
    (!value.is_empty()).then(|| value.to_string())
}

/// The manifest's bytes without a byte-order mark, or a finding when it is too large
/// to parse.
pub(crate) fn manifest_bytes<'f>(file: &'f PackageFile, id: &mut Identity) -> Option<&'f [u8]> {
    if file.data.len() > MAX_MANIFEST_BYTES {
        id.unreadable(
            &file.path,
            &format!(
                "{} bytes is larger than the {} MiB manifest limit; not parsed",
                file.data.len(),
                MAX_MANIFEST_BYTES >> 20
            ),
            None,
        );
        return None;
    }
    Some(strip_bom(&file.data))
}

/// The manifest as UTF-8 text, or a finding naming the first invalid byte.
pub(crate) fn manifest_text<'f>(file: &'f PackageFile, id: &mut Identity) -> Option<&'f str> {
    let data = manifest_bytes(file, id)?;
    match std::str::from_utf8(data) {
        Ok(text) => Some(text),
        Err(err) => {
            let at = err.valid_up_to();
            let line = line_at_offset(data, at);
            id.unreadable(
                &file.path,
                &format!("not UTF-8 text (invalid byte on line {line})"),
                Some((data, at)),
            );
            None
        }
    }
}

pub(crate) fn strip_bom(data: &[u8]) -> &[u8] {
    data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data)
}

/// An entry point without evidence or files yet.
pub(crate) fn entry(
    rule: &'static RuleInfo,
    phase: Phase,
    path: &str,
    message: String,
) -> EntryPoint {
    EntryPoint {
        rule,
        phase,
        message,
        path: path.to_string(),
        line: None,
        snippet: None,
        runs_files: Vec::new(),
    }
}

/// Builder steps for [`EntryPoint`], which lives in core.
pub(crate) trait EntryExt {
    /// Points the entry at the line holding byte `offset` of the declaring file.
    fn evidence(self, data: &[u8], offset: usize) -> Self;
    fn runs(self, files: Vec<String>) -> Self;
}

impl EntryExt for EntryPoint {
    fn evidence(mut self, data: &[u8], offset: usize) -> Self {
        let evidence = Evidence::at_offset(data, offset);
        self.line = Some(evidence.line);
        self.snippet = Some(evidence.snippet);
        self
    }

    fn runs(mut self, files: Vec<String>) -> Self {
        let mut seen = std::collections::HashSet::new();
        self.runs_files = files
            .into_iter()
            .filter(|f| seen.insert(f.clone()))
            .collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_cleaned_and_cut() {
        assert_eq!(clean_field("  a\u{7}b "), Some("ab".into()));
        assert_eq!(clean_field("   "), None);
        assert_eq!(clean_field(&"x".repeat(10_000)).unwrap().len(), 256);
    }
}
