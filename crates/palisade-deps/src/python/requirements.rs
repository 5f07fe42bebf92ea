//! pip requirements files (`requirements.txt` and friends).
//!
//! A requirements file is a list of PEP 508 requirements, one per logical line, plus
//! options: `-r FILE` / `--requirement FILE` includes another requirements file, `-c FILE`
//! / `--constraint FILE` a constraints file (pins that apply only to packages required
//! elsewhere), `-e`/`--editable`, index and hash options. Lines ending in `\` continue on
//! the next line; `#` starts a comment at the start of a line or after whitespace.
//! Requirements may carry extras (`pkg[extra]`), environment markers (`; python_version <
//! "3.8"`) and per-requirement options (`--hash=...`).
//!
//! We take each named requirement, its name PEP 503 normalised (as pip compares them),
//! and a version only when the requirement pins one exactly (`==1.2.3` or `===1.2.3`, not
//! a wildcard); a range gives `""`, because it resolves to nothing in particular. A
//! constraints file pin fills the version of an unpinned requirement of the same name.
//! Includes are read relative to the including file, each file at most once (so cycles
//! end), at most [`MAX_INCLUDE_DEPTH`] deep; a missing include is an error naming the
//! line that asks for it. Bare paths and URLs (wheels, archives) name no package here and
//! are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use palisade_core::Ecosystem;

use crate::util::{pep503, read_text};
use crate::{Dependency, DepsError};

/// How deep `-r`/`-c` includes may nest.
pub const MAX_INCLUDE_DEPTH: usize = 16;

struct Walk {
    seen: BTreeSet<PathBuf>,
    deps: Vec<Dependency>,
    constraints: BTreeMap<String, String>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut walk = Walk {
        seen: BTreeSet::new(),
        deps: Vec::new(),
        constraints: BTreeMap::new(),
    };
    walk.seen.insert(identity(path));
    walk.file(path, text, 0, false)?;
    let Walk {
        mut deps,
        constraints,
        ..
    } = walk;
    for dep in &mut deps {
        if dep.version.is_empty()
            && let Some(v) = constraints.get(&dep.name)
        {
            dep.version = v.clone();
        }
    }
    Ok(deps)
}

fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Logical lines, as pip forms them: a line ending in `\\` continues on the next one
/// (pip strips every backslash at its ends before joining), except a whole-line comment;
/// comments are removed after joining. Each comes with its first line number.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        let whole_comment = line.trim_start().starts_with('#');
        if line.ends_with('\\') && !whole_comment {
            if current.is_empty() {
                start = i + 1;
            }
            current.push_str(line.trim_matches('\\'));
            continue;
        }
        if current.is_empty() {
            start = i + 1;
        }
        current.push_str(line);
        out.push((start, strip_comment(&std::mem::take(&mut current))));
    }
    if !current.is_empty() {
        out.push((start, strip_comment(&current)));
    }
    out
}

fn strip_comment(line: &str) -> String {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return line[..i].trim().to_string();
        }
    }
    line.trim().to_string()
}

/// Splits an option line into (option, argument): `-r x`, `-rx`, `--requirement=x`.
fn option(line: &str) -> (&str, &str) {
    let (opt, arg) = match line.find([' ', '\t', '=']) {
        Some(i) => (&line[..i], line[i + 1..].trim()),
        None => (line, ""),
    };
    for short in ["-r", "-c", "-e", "-i", "-f"] {
        if opt.len() > 2 && opt.starts_with(short) && !opt.starts_with("--") {
            return (short, line[2..].trim());
        }
    }
    (opt, arg)
}

impl Walk {
    fn file(
        &mut self,
        path: &Path,
        text: &str,
        depth: usize,
        constraint: bool,
    ) -> Result<(), DepsError> {
        for (line_no, line) in logical_lines(text) {
            if line.is_empty() {
                continue;
            }
            if line.starts_with('-') {
                let (opt, arg) = option(&line);
                let is_constraint = match opt {
                    "-r" | "--requirement" => false,
                    "-c" | "--constraint" => true,
                    _ => continue, // -e, --hash, index and build options: no package named here
                };
                self.include(path, line_no, arg, depth, constraint || is_constraint)?;
                continue;
            }
            let Some((name, version)) = requirement(&line) else {
                continue;
            };
            if constraint {
                if !version.is_empty() {
                    self.constraints.entry(name).or_insert(version);
                }
                continue;
            }
            let mut dep = Dependency::new(Ecosystem::PyPI, name, version, path);
            dep.line = Some(line_no);
            dep.direct = Some(true);
            self.deps.push(dep);
        }
        Ok(())
    }

    fn include(
        &mut self,
        from: &Path,
        line: usize,
        arg: &str,
        depth: usize,
        constraint: bool,
    ) -> Result<(), DepsError> {
        let arg = arg.trim_matches(|c| c == '"' || c == '\'');
        if arg.is_empty() {
            return Err(DepsError::new(
                from,
                Some(line),
                "include option without a file name",
            ));
        }
        if arg.contains("://") {
            return Ok(()); // remote includes are never fetched
        }
        if depth + 1 > MAX_INCLUDE_DEPTH {
            return Err(DepsError::new(
                from,
                Some(line),
                format!("requirements includes nest deeper than {MAX_INCLUDE_DEPTH} files"),
            ));
        }
        let target = from.parent().unwrap_or(Path::new("")).join(arg);
        if !self.seen.insert(identity(&target)) {
            return Ok(()); // already read: a cycle or a diamond
        }
        let text = read_text(&target).map_err(|e| {
            DepsError::new(
                from,
                Some(line),
                format!("cannot include `{arg}`: {}", e.reason),
            )
        })?;
        self.file(&target, &text, depth + 1, constraint)
    }
}

/// Name (normalised) and exact pinned version ("" when not pinned) of a PEP 508 line.
fn requirement(line: &str) -> Option<(String, String)> {
    // Per-requirement options (`--hash=...`, `--global-option`) follow the requirement.
    let line = match line.find(" -") {
        Some(i) => &line[..i],
        None => line,
    };
    let line = line.split(';').next().unwrap_or(line).trim();
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut rest = line[end..].trim_start();
    if rest.starts_with('/') || rest.starts_with(':') || name.ends_with(".whl") {
        return None; // a path or URL, not a requirement
    }
    if let Some(after) = rest.strip_prefix('[') {
        rest = after
            .split_once(']')
            .map(|(_, r)| r)
            .unwrap_or("")
            .trim_start();
    }
    if rest.starts_with('@') {
        return Some((pep503(name), String::new())); // name @ URL
    }
    let spec = rest
        .split_once('(')
        .map(|(_, r)| r.trim_end_matches(')'))
        .unwrap_or(rest);
    let version = if spec.contains(',') {
        String::new()
    } else if let Some(v) = spec.strip_prefix("===").or_else(|| spec.strip_prefix("==")) {
        let v = v.trim();
        if v.ends_with(".*") {
            String::new()
        } else {
            v.to_string()
        }
    } else {
        String::new()
    };
    Some((pep503(name), version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_pins_give_a_version() {
        let r = |s: &str| requirement(s).unwrap();
        assert_eq!(r("Django==2.2.24"), ("django".into(), "2.2.24".into()));
        assert_eq!(r("pkg === 1.0"), ("pkg".into(), "1.0".into()));
        assert_eq!(
            r("Twisted[http2]==20.3.0 ; python_version<'3.8'"),
            ("twisted".into(), "20.3.0".into())
        );
        assert_eq!(r("keyring >= 4.1.1").1, "");
        assert_eq!(r("a==1.*").1, "");
        assert_eq!(r("a>=1,==1.5").1, "");
        assert_eq!(r("boto3==1.26.121 --hash=sha256:abc").1, "1.26.121");
        assert_eq!(r("pip @ https://example.invalid/pip.whl").1, "");
        assert!(requirement("./downloads/numpy-1.9.2-cp34-none-win32.whl").is_none());
        assert!(requirement("http://example.invalid/x.whl").is_none());
    }

    #[test]
    fn continuations_join_before_comments_are_stripped() {
        let lines = logical_lines("foo==\\\n1.2.3\nbaz == 7.8.9 # \\\nqux==1\n");
        assert_eq!(lines[0], (1, "foo==1.2.3".to_string()));
        assert_eq!(lines[1], (3, "baz == 7.8.9".to_string()));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn short_options_may_be_glued_to_their_argument() {
        assert_eq!(option("-rother.txt"), ("-r", "other.txt"));
        assert_eq!(
            option("--requirement=other.txt"),
            ("--requirement", "other.txt")
        );
        assert_eq!(option("-c constraints.txt"), ("-c", "constraints.txt"));
    }
}
