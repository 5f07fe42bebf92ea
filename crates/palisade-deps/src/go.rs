//! `go.mod`, the Go module manifest.
//!
//! Go's minimal version selection makes `go.mod` the resolved list: since Go 1.17 it
//! lists every module the build needs, the ones only needed by dependencies marked
//! `// indirect`. Directives: `module`, `go`, `toolchain`, `require`, `replace`, `exclude`,
//! `retract` (and `godebug`, `tool`, `ignore`), each as one line or a `( ... )` block.
//! `replace old [v] => new [v]` substitutes another module or a local folder for a
//! required one. `go.sum` holds checksums only and adds nothing to this list.
//!
//! We take each required module after replacements (version without its leading `v`;
//! local-folder replacements give the folder and no version), `direct` (not marked
//! indirect), and the Go standard library as `stdlib` at the `toolchain` version, else
//! the `go` version, since advisories name it so.

use std::path::Path;

use palisade_core::Ecosystem;

use crate::{Dependency, DepsError};

const DIRECTIVES: [&str; 10] = [
    "module",
    "go",
    "toolchain",
    "require",
    "replace",
    "exclude",
    "retract",
    "godebug",
    "tool",
    "ignore",
];

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
}

fn unquote(s: &str) -> String {
    s.trim_matches('"').trim_matches('`').to_string()
}

fn bare(v: &str) -> String {
    v.strip_prefix('v').unwrap_or(v).to_string()
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut block: Option<String> = None;
    let mut requires: Vec<(String, String, bool, usize)> = Vec::new();
    let mut replaces: Vec<Replace> = Vec::new();
    let mut go_version: Option<String> = None;
    let mut toolchain: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let (code, comment) = match raw.find("//") {
            Some(c) => (&raw[..c], &raw[c + 2..]),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (directive, args) = match &block {
            Some(_) if code == ")" => {
                block = None;
                continue;
            }
            Some(b) => (b.clone(), code),
            None => {
                let (d, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                if !DIRECTIVES.contains(&d) {
                    return Err(DepsError::new(
                        path,
                        Some(line_no),
                        format!("unknown go.mod directive `{d}`"),
                    ));
                }
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(d.to_string());
                    continue;
                }
                (d.to_string(), rest)
            }
        };
        let words: Vec<String> = args.split_whitespace().map(unquote).collect();
        match directive.as_str() {
            "go" => go_version = words.first().cloned(),
            "toolchain" => {
                toolchain = words
                    .first()
                    .map(|t| t.trim_start_matches("go").to_string())
            }
            "require" => {
                let [name, version, ..] = words.as_slice() else {
                    return Err(DepsError::new(
                        path,
                        Some(line_no),
                        "require needs a module path and a version",
                    ));
                };
                let indirect = comment.trim().split(';').any(|c| c.trim() == "indirect");
                requires.push((name.clone(), version.clone(), !indirect, line_no));
            }
            "replace" => {
                let Some(arrow) = words.iter().position(|w| w == "=>") else {
                    return Err(DepsError::new(path, Some(line_no), "replace needs `=>`"));
                };
                let (old, new) = words.split_at(arrow);
                let new = &new[1..];
                let (Some(o), Some(n)) = (old.first(), new.first()) else {
                    return Err(DepsError::new(
                        path,
                        Some(line_no),
                        "replace needs a module on each side",
                    ));
                };
                replaces.push(Replace {
                    old: o.clone(),
                    old_version: old.get(1).cloned(),
                    new: n.clone(),
                    new_version: new.get(1).cloned(),
                });
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (name, version, is_direct, line) in requires {
        // A versioned replacement wins over a module-wide one, as in the go command.
        let rep = replaces
            .iter()
            .rev()
            .find(|r| r.old == name && r.old_version.as_deref() == Some(version.as_str()))
            .or_else(|| {
                replaces
                    .iter()
                    .rev()
                    .find(|r| r.old == name && r.old_version.is_none())
            });
        let (name, version) = match rep {
            Some(r) => (
                r.new.clone(),
                r.new_version.as_deref().map(bare).unwrap_or_default(),
            ),
            None => (name, bare(&version)),
        };
        let mut dep = Dependency::new(Ecosystem::Go, name, version, path);
        dep.line = Some(line);
        dep.direct = Some(is_direct);
        out.push(dep);
    }
    if let Some(v) = toolchain.or(go_version) {
        let mut dep = Dependency::new(Ecosystem::Go, "stdlib", v, path);
        dep.direct = Some(true);
        out.push(dep);
    }
    Ok(out)
}
