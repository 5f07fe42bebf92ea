use crate::ecosystem::Ecosystem;
use crate::finding::Finding;
use crate::rule::RuleInfo;
use serde::Serialize;

/// One file of a package, held in memory. Nothing from a package is written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Path as stored in the artifact, `/`-separated. Files of a nested archive are
    /// named `outer/inner.tar.gz!/path/in/inner`.
    pub path: String,
    pub data: Vec<u8>,
}

impl PackageFile {
    /// The file name: the part after the last `/`.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The contents, when they are UTF-8 text.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.data).ok()
    }
}

/// When code of a package runs, from most to least exposed. Install-time code runs on
/// every machine that installs the package, before anyone has looked at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Runs while the package is installed (npm scripts, setup.py, gem extensions).
    Install,
    /// Runs while a dependent project is built (build.rs, MSBuild targets, Maven plugins).
    Build,
    /// Runs whenever the interpreter starts, whatever is imported (`.pth` files).
    InterpreterStart,
    /// Runs when the package is imported or loaded (Go `init`, module top level).
    Import,
}

/// A place where the package gets to run code without anyone calling it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    /// The rule describing this kind of entry point.
    pub rule: &'static RuleInfo,
    pub phase: Phase,
    /// One line saying what runs, e.g. `npm "postinstall" script runs node setup.js`.
    pub message: String,
    /// The file that declares the entry point (manifest, setup.py, .pth file).
    pub path: String,
    pub line: Option<u32>,
    pub snippet: Option<String>,
    /// Package files the entry point runs, where they can be resolved statically.
    pub runs_files: Vec<String>,
}

/// An artifact turned into something analysable: identity, files and entry points.
#[derive(Debug, Clone, Default)]
pub struct Package {
    pub ecosystem: Option<Ecosystem>,
    pub name: Option<String>,
    pub version: Option<String>,
    /// The archive format it was read from, e.g. `npm tarball`, `wheel`, `directory`.
    pub format: String,
    /// The folder prefix under which the package's own root lies (`package/` for npm,
    /// `NAME-VERSION/` for sdists and crates, empty for wheels and gems).
    pub root: String,
    /// The manifest that identified the package, if any.
    pub manifest_path: Option<String>,
    pub files: Vec<PackageFile>,
    pub entry_points: Vec<EntryPoint>,
    /// Problems met while identifying the package: no manifest, an unparseable manifest
    /// (naming the file and the reason), a name that disagrees with the archive layout.
    pub findings: Vec<Finding>,
}

impl Package {
    pub fn file(&self, path: &str) -> Option<&PackageFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The manifest that identified the package, if it is among its files.
    pub fn manifest(&self) -> Option<&PackageFile> {
        self.manifest_path.as_deref().and_then(|p| self.file(p))
    }

    /// A file by its path relative to the package root.
    pub fn root_file(&self, relative: &str) -> Option<&PackageFile> {
        let wanted = format!("{}{}", self.root, relative);
        self.file(&wanted)
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.data.len() as u64).sum()
    }
}
