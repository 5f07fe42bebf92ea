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

/// Folder names that are not taken for the package meant for import by their being
/// alone: tests, documentation and examples are shipped beside code kept elsewhere
/// (`python/` of a maturin project, a namespace package, compiled modules).
const NEVER_SOLE: &[&str] = &[
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
    "example",
    "examples",
    "sample",
    "samples",
    "bench",
    "benchmarks",
];

/// Top-level files of a project's own tooling, never a module to import: beside them
/// the only package is still the only one.
const PROJECT_FILES: &[&str] = &[
    "setup.py",
    "conftest.py",
    "noxfile.py",
    "fabfile.py",
    "tasks.py",
    "dodo.py",
    "manage.py",
];

/// Gives the import role to the files of the importable package (see the module
/// documentation) that are auxiliary only because of the package's own folder name.
/// The packages `top_level.txt` lists are importable where it is shipped; otherwise the
/// one package named like the distribution, or the only one at the top.
pub fn promote_importable_package<'p>(package: &'p Package, roles: &mut HashMap<&'p str, Role>) {
    let root = package.root.as_str();
    let within_root = |path: &'p str| {
        let rest = path.strip_prefix(root)?;
        Some(rest.strip_prefix("src/").unwrap_or(rest))
    };
    let mut packages: BTreeSet<&str> = BTreeSet::new();
    let mut top_level_modules = false;
    let mut listed: Option<BTreeSet<String>> = None;
    for file in &package.files {
        let Some(rest) = within_root(&file.path) else {
            continue;
        };
        match rest.split_once('/') {
            Some((folder, "__init__.py")) => {
                packages.insert(folder);
            }
            Some((folder, "top_level.txt"))
                if folder.ends_with(".egg-info") || folder.ends_with(".dist-info") =>
            {
                let names = String::from_utf8_lossy(&file.data[..file.data.len().min(4096)])
                    .lines()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect::<BTreeSet<_>>();
                listed.get_or_insert_with(BTreeSet::new).extend(names);
            }
            None if rest.ends_with(".py") && !PROJECT_FILES.contains(&rest) => {
                top_level_modules = true;
            }
            _ => {}
        }
    }
    let importable: Vec<&str> = match &listed {
        Some(listed) => packages
            .iter()
            .copied()
            .filter(|folder| listed.contains(*folder))
            .collect(),
        None => {
            let distribution = package.name.as_deref().map(python_name);
            let candidates: Vec<&str> = packages
                .iter()
                .copied()
                .filter(|f| !NEVER_SOLE.contains(&f.to_ascii_lowercase().as_str()))
                .collect();
            let sole = candidates.len() == 1 && !top_level_modules;
            packages
                .iter()
                .copied()
                .filter(|folder| {
                    distribution.as_deref() == Some(&python_name(folder))
                        || (sole && candidates.contains(folder))
                })
                .collect()
        }
    };
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
                .map(|p| {
                    let (path, data) = p.split_once('=').unwrap_or((p, ""));
                    PackageFile {
                        path: format!("d-1/{path}"),
                        data: data.as_bytes().to_vec(),
                    }
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
        // Code kept where the layout does not show it (maturin's `python/`).
        let maturin = package(
            "acme",
            &[
                "python/acme/__init__.py",
                "examples/__init__.py",
                "examples/fetch.py",
            ],
        );
        assert!(promoted(&maturin).is_empty());
    }

    #[test]
    fn top_level_txt_names_the_importable_packages() {
        let listed = package(
            "x",
            &[
                "x.egg-info/top_level.txt=tools\n",
                "tools/__init__.py",
                "tools/a.py",
                "examples/__init__.py",
                "noxfile.py",
            ],
        );
        assert_eq!(
            promoted(&listed),
            ["d-1/tools/__init__.py", "d-1/tools/a.py"]
        );
        let unlisted = package(
            "x",
            &[
                "x.egg-info/top_level.txt=core\n",
                "core/__init__.py",
                "tools/__init__.py",
                "tools/a.py",
            ],
        );
        assert!(promoted(&unlisted).is_empty());
        // A decoy example package does not make the only real one tooling again.
        let decoy = package(
            "x",
            &["tools/__init__.py", "tools/a.py", "examples/__init__.py"],
        );
        assert_eq!(
            promoted(&decoy),
            ["d-1/tools/__init__.py", "d-1/tools/a.py"]
        );
    }
}
