//! The importable package of a Python distribution runs on import whatever its name.
//!
//! Paths such as `tools/`, `scripts/` or `demo/` mark tooling, examples and demos, which
//! weigh as auxiliary files. But a distribution whose only top-level package is
//! `tools`, or whose package is named like the distribution itself, ships that code to
//! be imported: left auxiliary, its payload could never count as malicious, which is
//! an evasion as cheap as a folder name.

use crate::source::{Role, give_role, role_by_path};
use palisade_core::Package;
use std::collections::{BTreeSet, HashMap};

/// Folder names that are never the package meant for import, even when alone.
const NEVER_IMPORTED: &[&str] = &[
    "test",
    "tests",
    "testing",
    "__tests__",
    "spec",
    "specs",
    "fixtures",
    "__fixtures__",
    "docs",
    "doc",
];

/// Gives the import role to the files of the importable package (see the module
/// documentation) that are auxiliary only because of the package's own folder name.
pub fn promote_importable_package<'p>(package: &'p Package, roles: &mut HashMap<&'p str, Role>) {
    let root = package.root.as_str();
    let within_root = |path: &'p str| {
        let rest = path.strip_prefix(root)?;
        Some(rest.strip_prefix("src/").unwrap_or(rest))
    };
    let mut packages: BTreeSet<&str> = BTreeSet::new();
    let mut top_level_modules = false;
    for file in &package.files {
        let Some(rest) = within_root(&file.path) else {
            continue;
        };
        match rest.split_once('/') {
            Some((folder, "__init__.py")) => {
                packages.insert(folder);
            }
            None if rest.ends_with(".py") && rest != "setup.py" && rest != "conftest.py" => {
                top_level_modules = true;
            }
            _ => {}
        }
    }
    let distribution = package.name.as_deref().map(python_name);
    let sole = packages.len() == 1 && !top_level_modules;
    let importable: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|folder| {
            let named_alike = distribution.as_deref() == Some(&python_name(folder));
            named_alike || (sole && !NEVER_IMPORTED.contains(&folder.to_ascii_lowercase().as_str()))
        })
        .collect();
    if importable.is_empty() {
        return;
    }
    for file in package.files.iter().filter(|f| f.path.ends_with(".py")) {
        let Some((folder, inner)) = within_root(&file.path).and_then(|r| r.split_once('/')) else {
            continue;
        };
        if importable.contains(&folder)
            && role_by_path(&file.path) == Role::Auxiliary
            && role_by_path(inner) == Role::Import
        {
            give_role(roles, &file.path, Role::Import);
        }
    }
}

/// A distribution or folder name as Python imports it: lower case, `-` and `.` as `_`.
fn python_name(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '.'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::PackageFile;

    fn package(name: &str, paths: &[&str]) -> Package {
        Package {
            root: "d-1/".into(),
            name: Some(name.into()),
            files: paths
                .iter()
                .map(|p| PackageFile {
                    path: format!("d-1/{p}"),
                    data: Vec::new(),
                })
                .collect(),
            ..Package::default()
        }
    }

    fn promoted(package: &Package) -> Vec<&str> {
        let mut roles = HashMap::new();
        promote_importable_package(package, &mut roles);
        let mut paths: Vec<&str> = roles.into_keys().collect();
        paths.sort();
        paths
    }

    #[test]
    fn the_only_package_is_imported_whatever_its_name() {
        let p = package(
            "helpers",
            &[
                "setup.py",
                "tools/__init__.py",
                "tools/net.py",
                "tools/tests/test_net.py",
            ],
        );
        assert_eq!(promoted(&p), ["d-1/tools/__init__.py", "d-1/tools/net.py"]);
        let src = package("x", &["src/demo/__init__.py", "src/demo/run.py"]);
        assert_eq!(
            promoted(&src),
            ["d-1/src/demo/__init__.py", "d-1/src/demo/run.py"]
        );
    }

    #[test]
    fn a_package_named_like_the_distribution_is_imported_beside_others() {
        let p = package(
            "Scripts",
            &[
                "scripts/__init__.py",
                "scripts/a.py",
                "examples/__init__.py",
                "examples/b.py",
            ],
        );
        assert_eq!(
            promoted(&p),
            ["d-1/scripts/__init__.py", "d-1/scripts/a.py"]
        );
    }

    #[test]
    fn tooling_beside_the_real_code_stays_auxiliary() {
        let beside_package = package("x", &["x/__init__.py", "tools/__init__.py", "tools/gen.py"]);
        assert!(promoted(&beside_package).is_empty());
        let beside_module = package("x", &["x.py", "scripts/__init__.py", "scripts/gen.py"]);
        assert!(promoted(&beside_module).is_empty());
        let tests_alone = package("x", &["tests/__init__.py", "tests/helpers.py"]);
        assert!(promoted(&tests_alone).is_empty());
    }
}
