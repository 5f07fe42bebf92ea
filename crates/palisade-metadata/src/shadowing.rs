//! Module shadowing: a package that installs the importable module of a popular package.
//!
//! Python has one flat namespace of top-level modules in `site-packages`: a distribution
//! named `netmanagement` that also ships a top-level `requests` package overwrites the
//! real `requests`, and from then on every program that imports `requests` runs the
//! impostor's code. Typosquats use it to make their copy of a library the one that is
//! imported, whatever name the victim later installs. The check reads the modules an
//! artifact declares (`top_level.txt` of its `.egg-info` or `.dist-info`) and reports
//! those that are the import name of one of the most popular packages, when the package
//! itself is neither that package nor a popular one (`psycopg2-binary` installing
//! `psycopg2` is the real project's own build).
//!
//! Example: `netmanagement` 0.1.1 installs `requests` beside `netmanagement`.

use crate::popular::{is_popular, list, normalise};
use palisade_core::{Category, Ecosystem, Finding, RuleInfo, Severity, truncate_chars};

pub static MODULE_SHADOWING: RuleInfo = RuleInfo {
    id: "name/module-shadowing",
    category: Category::Metadata,
    severity: Severity::High,
    summary: "The package installs a top-level module that is a popular package's import \
              name (a `requests` folder shipped by a package not named requests).",
    why: "Python's top-level modules share one namespace: the impostor's module replaces \
          the real one, and every program that imports it runs the impostor's code. Forks \
          that keep the import name are the real project's own builds (and popular), or \
          say so; an unknown package has no reason to overwrite `requests`.",
    example: "`netmanagement` installs the top-level module `requests` (PyPI rank 6)",
    attack: Some("T1574"),
};

/// Only the import names of this many of the most popular packages are checked: further
/// down, import names collide with unrelated modules more often than they are attacked.
const SHADOWED_TARGETS: usize = 1000;
/// At most this many modules of one `top_level.txt` are looked at.
const MAX_MODULES: usize = 200;

/// The finding for each top-level module of `modules` that shadows a popular package.
pub fn check(ecosystem: Ecosystem, name: &str, modules: &[String]) -> Vec<Finding> {
    if ecosystem != Ecosystem::PyPI || is_popular(ecosystem, name) {
        return Vec::new();
    }
    let popular = list(ecosystem);
    let own = normalise(ecosystem, name);
    let mut findings = Vec::new();
    for module in modules.iter().take(MAX_MODULES) {
        let module = module.trim();
        let norm = normalise(ecosystem, module);
        if norm.is_empty() || norm == own {
            continue;
        }
        let Some(index) = popular.index_of(&norm) else {
            continue;
        };
        if index as usize >= SHADOWED_TARGETS {
            continue;
        }
        let module = truncate_chars(module, 100);
        findings.push(
            MODULE_SHADOWING
                .finding(format!(
                    "`{name}` installs the top-level module `{module}`, the import name of \
                     `{}` ({}): installing it replaces that package for every program",
                    popular.names[index as usize],
                    popular.standing(index)
                ))
                .at("top_level.txt", None)
                .with_snippet(format!("{name} -> {module}")),
        );
    }
    findings
}

/// The top-level modules an artifact declares: the lines of the `top_level.txt` files of
/// its `.egg-info` and `.dist-info` folders, from `(path, contents)` pairs.
pub fn declared_modules<'a>(files: impl Iterator<Item = (&'a str, &'a [u8])>) -> Vec<String> {
    let mut modules: Vec<String> = Vec::new();
    for (path, data) in files {
        let Some(folder) = path.strip_suffix("/top_level.txt") else {
            continue;
        };
        if !(folder.ends_with(".egg-info") || folder.ends_with(".dist-info")) {
            continue;
        }
        let text = String::from_utf8_lossy(&data[..data.len().min(64 * 1024)]);
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if modules.len() < MAX_MODULES && !modules.iter().any(|m| m == line) {
                modules.push(line.to_string());
            }
        }
    }
    modules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_unknown_package_installing_requests_is_reported() {
        let found = check(
            Ecosystem::PyPI,
            "netmanagement",
            &modules(&["netmanagement", "requests"]),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "name/module-shadowing");
        assert!(
            found[0].message.contains("top-level module `requests`"),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message.contains("PyPI rank"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn own_modules_popular_packages_and_rare_names_are_left_alone() {
        // The real project's own binary build.
        assert!(check(Ecosystem::PyPI, "psycopg2-binary", &modules(&["psycopg2"])).is_empty());
        // Its own name, in another spelling.
        assert!(check(Ecosystem::PyPI, "my-tool", &modules(&["my_tool"])).is_empty());
        // Modules that no popular package is named after.
        assert!(
            check(
                Ecosystem::PyPI,
                "my-tool",
                &modules(&["my_tool_helpers", "tests"])
            )
            .is_empty()
        );
        assert!(check(Ecosystem::Npm, "my-tool", &modules(&["requests"])).is_empty());
    }

    #[test]
    fn modules_come_from_egg_and_dist_info_only() {
        let files: Vec<(&str, &[u8])> = vec![
            (
                "x-1.0/x.egg-info/top_level.txt",
                b"x\nrequests\n\nrequests\n",
            ),
            ("x-1.0.dist-info/top_level.txt", b"urllib3"),
            ("x-1.0/docs/top_level.txt", b"numpy"),
        ];
        assert_eq!(
            declared_modules(files.into_iter()),
            ["x", "requests", "urllib3"]
        );
    }
}
