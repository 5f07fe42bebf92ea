//! `palisade deps`: the resolved dependencies of a project, as its lockfiles and manifests
//! record them: the same list `palisade audit` checks against advisories.
//!
//! Three renderings of one [`Listing`]: `human` (grouped by lockfile, aligned columns, a
//! count line), `json` (versioned, every field of each dependency plus its package URL)
//! and `cyclonedx` (a CycloneDX 1.5 SBOM, see [`cyclonedx`]). Every path in the output is
//! relative to PATH, so that the output does not depend on where the project is checked out.
//!
//! A lockfile that fails to parse does not stop the others: its error goes to standard
//! error as `palisade: warning: path:line: reason` (the path as given on the command line,
//! so that a terminal or editor can open it) and, in the JSON form, into `errors`.

mod cyclonedx;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use palisade_deps::{Dependency, DepsError};
use serde::Serialize;

/// Groups whose packages can be present when the project runs, so `--no-dev` keeps them:
/// npm `optional` dependencies are installed in production (and Python extras may be),
/// `peer` dependencies are installed by the host project, Maven `provided` and `system`
/// dependencies are supplied by the environment at run time, and `managed` entries are
/// version pins rather than development tools.
const RUNTIME_GROUPS: [&str; 5] = ["optional", "peer", "provided", "system", "managed"];

#[derive(Debug, clap::Args)]
pub struct DepsArgs {
    /// A project folder (every lockfile and manifest under it, skipping `node_modules`,
    /// `target`, `.git`, virtual environments...) or a single lockfile.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// `human`: grouped by lockfile, aligned; `json`: one versioned object; `cyclonedx`:
    /// a CycloneDX 1.5 JSON SBOM, reproducible byte for byte.
    #[arg(long, short = 'f', value_enum, default_value_t = DepsFormat::Human)]
    pub format: DepsFormat,

    /// Write the list to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Leave out development-only dependencies: those whose every group is a development
    /// group (`dev`, `test`, or a named poetry/pdm/uv dependency group). Dependencies that
    /// may be present at run time are kept: `optional`, `peer`, Maven `provided`, `system`
    /// and `managed`, also when they are in a development group as well.
    #[arg(long)]
    pub no_dev: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DepsFormat {
    /// Grouped by lockfile, aligned columns, a count line.
    Human,
    /// One JSON object with `schema_version: 1`.
    Json,
    /// CycloneDX 1.5 JSON SBOM.
    Cyclonedx,
}

/// Lists the dependencies of `args.path` in the chosen format.
///
/// Exit code 0 when every lockfile parsed; 2 when PATH holds no lockfile or manifest, or
/// one of them failed to parse (what did parse is still written).
pub fn run(args: DepsArgs) -> Result<ExitCode> {
    if !args.path.exists() {
        bail!("{}: no such file or folder", args.path.display());
    }
    let listing = Listing::collect(&args.path, args.no_dev);
    for err in &listing.errors {
        eprintln!("palisade: warning: {err}");
    }
    if listing.lockfiles.is_empty() {
        eprintln!(
            "palisade: warning: {}: no lockfile or manifest found",
            args.path.display()
        );
    }
    let text = match args.format {
        DepsFormat::Human => listing.human(),
        DepsFormat::Json => {
            let mut s = serde_json::to_string_pretty(&listing.json())?;
            s.push('\n');
            s
        }
        DepsFormat::Cyclonedx => cyclonedx::render(&listing)?,
    };
    write_output(args.output.as_deref(), &text)?;
    let failed = !listing.errors.is_empty() || listing.lockfiles.is_empty();
    Ok(ExitCode::from(if failed { 2 } else { 0 }))
}

fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .context("cannot write to standard output")
        }
    }
}

/// What one run found: the dependencies (after `--no-dev`), the lockfiles read and the
/// errors, with the root every path is made relative to.
pub(crate) struct Listing {
    /// PATH as given.
    pub root: PathBuf,
    /// The folder paths are relative to: PATH, or the folder of PATH when it is a file.
    base: PathBuf,
    /// Every lockfile or manifest found, and every file a dependency came from (includes
    /// of `requirements.txt`), relative to `base`, sorted.
    pub lockfiles: Vec<String>,
    pub deps: Vec<Dependency>,
    /// How many development-only dependencies `--no-dev` left out.
    pub left_out: usize,
    pub errors: Vec<DepsError>,
}

impl Listing {
    fn collect(root: &Path, no_dev: bool) -> Listing {
        let (mut deps, errors) = palisade_deps::collect(root);
        let base = if root.is_dir() {
            root.to_path_buf()
        } else {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let mut listing = Listing {
            root: root.to_path_buf(),
            base,
            lockfiles: Vec::new(),
            deps: Vec::new(),
            left_out: 0,
            errors,
        };
        let mut files: BTreeSet<String> = palisade_deps::discover(root)
            .iter()
            .map(|f| listing.rel(f))
            .collect();
        files.extend(palisade_deps::sources(&deps).iter().map(|f| listing.rel(f)));
        listing.lockfiles = files.into_iter().collect();
        if no_dev {
            let before = deps.len();
            deps.retain(|d| !is_dev_only(d));
            listing.left_out = before - deps.len();
        }
        listing.deps = deps;
        listing
    }

    /// `path` relative to the root, with `/` separators on every platform.
    pub fn rel(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.base).unwrap_or(path);
        let text = rel.to_string_lossy().replace('\\', "/");
        text.strip_prefix("./").map(str::to_string).unwrap_or(text)
    }

    /// An error as `path:line: reason`, its path relative to the root.
    fn error_text(&self, err: &DepsError) -> String {
        DepsError::new(Path::new(&self.rel(&err.file)), err.line, &err.reason).to_string()
    }

    fn human(&self) -> String {
        let version = |d: &Dependency| match (&d.commit, d.version.as_str()) {
            (Some(c), "") => format!("git {}", &c[..c.len().min(12)]),
            (_, "") => "(unpinned)".to_string(),
            (_, v) => v.to_string(),
        };
        let eco_w = self.deps.iter().map(|d| d.ecosystem.as_str().len()).max();
        let name_w = self.deps.iter().map(|d| d.name.chars().count()).max();
        let ver_w = self.deps.iter().map(|d| version(d).chars().count()).max();
        let (eco_w, name_w, ver_w) = (eco_w.unwrap_or(0), name_w.unwrap_or(0), ver_w.unwrap_or(0));
        let mut out = String::new();
        let mut current: Option<&Path> = None;
        for d in &self.deps {
            if current != Some(d.source.as_path()) {
                let count = self.deps.iter().filter(|x| x.source == d.source).count();
                if current.is_some() {
                    out.push('\n');
                }
                out.push_str(&format!("{} ({})\n", self.rel(&d.source), plural(count)));
                current = Some(&d.source);
            }
            let line = format!(
                "  {:eco_w$}  {:name_w$}  {:ver_w$}  {}",
                d.ecosystem.as_str(),
                d.name,
                version(d),
                d.groups.join(",")
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if !self.deps.is_empty() {
            out.push('\n');
        }
        let files = self.lockfiles.len();
        out.push_str(&format!(
            "{} in {files} lockfile{}",
            plural(self.deps.len()),
            if files == 1 { "" } else { "s" }
        ));
        if self.left_out > 0 {
            out.push_str(&format!("; {} development-only left out", self.left_out));
        }
        if !self.errors.is_empty() {
            out.push_str(&format!("; {} could not be parsed", self.errors.len()));
        }
        out.push('\n');
        out
    }

    fn json(&self) -> JsonListing<'_> {
        JsonListing {
            schema_version: 1,
            root: self.root.to_string_lossy().into_owned(),
            lockfiles: &self.lockfiles,
            dependencies: self
                .deps
                .iter()
                .map(|d| JsonDep {
                    ecosystem: d.ecosystem.as_str(),
                    name: &d.name,
                    version: &d.version,
                    groups: &d.groups,
                    source: self.rel(&d.source),
                    line: d.line,
                    commit: d.commit.as_deref(),
                    direct: d.direct,
                    parents: &d.parents,
                    purl: palisade_deps::purl(d),
                })
                .collect(),
            errors: self.errors.iter().map(|e| self.error_text(e)).collect(),
        }
    }
}

fn plural(n: usize) -> String {
    format!("{n} dependenc{}", if n == 1 { "y" } else { "ies" })
}

/// True when every group of `d` is a development group (see [`RUNTIME_GROUPS`]); a
/// dependency in no group ships with the project.
pub(crate) fn is_dev_only(d: &Dependency) -> bool {
    !d.groups.is_empty()
        && d.groups
            .iter()
            .all(|g| !RUNTIME_GROUPS.contains(&g.as_str()))
}

/// The `--format json` document, version 1.
#[derive(Serialize)]
struct JsonListing<'a> {
    schema_version: u32,
    root: String,
    lockfiles: &'a [String],
    dependencies: Vec<JsonDep<'a>>,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct JsonDep<'a> {
    /// The OSV ecosystem name.
    ecosystem: &'static str,
    name: &'a str,
    version: &'a str,
    groups: &'a [String],
    source: String,
    line: Option<usize>,
    commit: Option<&'a str>,
    direct: Option<bool>,
    parents: &'a [String],
    purl: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_deps::Ecosystem;

    fn dep(groups: &[&str]) -> Dependency {
        let mut d = Dependency::new(Ecosystem::Npm, "a", "1.0.0", Path::new("x"));
        d.groups = groups.iter().map(|g| g.to_string()).collect();
        d
    }

    #[test]
    fn only_dependencies_in_nothing_but_development_groups_are_dev_only() {
        assert!(!is_dev_only(&dep(&[])));
        assert!(is_dev_only(&dep(&["dev"])));
        assert!(is_dev_only(&dep(&["docs", "test"])));
        assert!(!is_dev_only(&dep(&["dev", "optional"])));
        assert!(!is_dev_only(&dep(&["peer"])));
        assert!(!is_dev_only(&dep(&["provided"])));
    }
}
