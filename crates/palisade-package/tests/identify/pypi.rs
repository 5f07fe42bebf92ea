use super::*;
use palisade_core::{Ecosystem, Phase};

const SETUP_PY: &str = "import os\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\nclass Post(install):\n    def run(self):\n        os.system('id')\n\nsetup(\n    name='evil',\n    version='0.1',\n    cmdclass={'install': Post},\n)\n";

#[test]
fn an_sdist_runs_setup_py_and_its_cmdclass() {
    let package = identify(
        "tar.gz",
        &[
            (
                "evil-0.1/PKG-INFO",
                b"Metadata-Version: 2.1\nName: evil\nVersion: 0.1\n\nlong text\n",
            ),
            ("evil-0.1/setup.py", SETUP_PY.as_bytes()),
            ("evil-0.1/evil/__init__.py", b""),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::PyPI,
        "evil",
        Some("0.1"),
        "sdist",
        "evil-0.1/",
    );
    assert_eq!(package.manifest_path.as_deref(), Some("evil-0.1/PKG-INFO"));
    assert_eq!(
        rules(&package),
        vec!["install/setup-py", "install/setup-cmdclass"]
    );

    let setup = only(&package, "install/setup-py");
    assert_eq!(setup.phase, Phase::Install);
    assert_eq!(setup.path, "evil-0.1/setup.py");
    assert_eq!(setup.line, line_of(SETUP_PY, "setup("));
    assert_eq!(setup.runs_files, vec!["evil-0.1/setup.py"]);

    let cmdclass = only(&package, "install/setup-cmdclass");
    assert_eq!(cmdclass.line, line_of(SETUP_PY, "cmdclass"));
    assert!(cmdclass.message.contains("install"), "{}", cmdclass.message);
}

#[test]
fn without_pkg_info_the_name_comes_from_other_manifests() {
    let pyproject = b"[project]\nname = \"modern\"\nversion = \"2.0\"\n[build-system]\nbuild-backend = \"hatchling.build\"\n";
    let package = identify(
        "zip",
        &[
            ("modern-2.0/pyproject.toml", pyproject),
            ("modern-2.0/modern.py", b""),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::PyPI,
        "modern",
        Some("2.0"),
        "sdist",
        "modern-2.0/",
    );
    assert!(
        package.entry_points.is_empty(),
        "{:?}",
        package.entry_points
    );

    let cfg = b"[metadata]\nname = fromcfg\nversion = attr: pkg.__version__\n";
    let package = identify(
        "tar.gz",
        &[
            ("x/setup.cfg", cfg),
            ("x/setup.py", b"from setuptools import setup\nsetup()\n"),
        ],
    );
    assert_identity(&package, Ecosystem::PyPI, "fromcfg", None, "sdist", "x/");
    assert_eq!(rules(&package), vec!["install/setup-py"]);

    let package = identify(
        "tar.gz",
        &[(
            "setup.py",
            b"from distutils.core import setup\nsetup(name=\"bare\", version=\"9\")\n",
        )],
    );
    assert_identity(&package, Ecosystem::PyPI, "bare", Some("9"), "sdist", "");
}

#[test]
fn an_in_tree_backend_runs_the_packages_own_module() {
    let pyproject = "[build-system]\nrequires = []\nbuild-backend = \"backend:api\"\nbackend-path = [\"_build\"]\n\n[project]\nname = \"intree\"\nversion = \"1\"\n";
    let package = identify(
        "tar.gz",
        &[
            ("intree-1/PKG-INFO", b"Name: intree\nVersion: 1\n"),
            ("intree-1/pyproject.toml", pyproject.as_bytes()),
            ("intree-1/_build/backend.py", b"import os"),
        ],
    );
    let backend = only(&package, "install/build-backend");
    assert_eq!(backend.path, "intree-1/pyproject.toml");
    assert_eq!(backend.line, line_of(pyproject, "backend-path"));
    assert_eq!(backend.runs_files, vec!["intree-1/_build/backend.py"]);
}

#[test]
fn setuptools_cmdclass_in_pyproject_is_reported() {
    let pyproject =
        "[project]\nname = \"c\"\n\n[tool.setuptools.cmdclass]\ninstall = \"c.hooks.Install\"\n";
    let package = identify("tar.gz", &[("c-1/pyproject.toml", pyproject.as_bytes())]);
    let point = only(&package, "install/setup-cmdclass");
    assert!(point.message.contains("install"));
    assert_eq!(point.path, "c-1/pyproject.toml");
}

#[test]
fn an_sdist_of_a_rust_extension_is_still_pypi() {
    let package = identify(
        "tar.gz",
        &[
            (
                "ext-1.0/Cargo.toml",
                b"[package]\nname = \"ext\"\nversion = \"1.0.0\"\n",
            ),
            ("ext-1.0/package.json", br#"{"name": "ext-ui"}"#),
            ("ext-1.0/PKG-INFO", b"Name: ext\nVersion: 1.0\n"),
            (
                "ext-1.0/pyproject.toml",
                b"[build-system]\nbuild-backend = \"maturin\"\n",
            ),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::PyPI,
        "ext",
        Some("1.0"),
        "sdist",
        "ext-1.0/",
    );
}

const METADATA: &[u8] =
    b"Metadata-Version: 2.1\nName: Wheely_Pkg\nVersion: 3.1\n\nName: not-this\n";

#[test]
fn a_wheel_reports_pth_imports_and_data_scripts() {
    let pth = "/usr/lib/extra\nimport _hook; _hook.run()\nimport os\n";
    let package = identify(
        "zip",
        &[
            ("wheely/__init__.py", b""),
            ("_hook.py", b"import os"),
            (
                "paths.pth",
                b"/opt/lib\n./relative\n# import os\n import os\n",
            ),
            ("wheely_hook.pth", pth.as_bytes()),
            (
                "wheely_pkg-3.1.data/scripts/wheely",
                b"#!python\nimport os\n",
            ),
            ("wheely_pkg-3.1.dist-info/METADATA", METADATA),
            ("wheely_pkg-3.1.dist-info/WHEEL", b"Wheel-Version: 1.0\n"),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::PyPI,
        "Wheely_Pkg",
        Some("3.1"),
        "wheel",
        "",
    );
    assert_eq!(
        package.manifest_path.as_deref(),
        Some("wheely_pkg-3.1.dist-info/METADATA")
    );
    assert!(package.findings.is_empty(), "{:?}", package.findings);

    let pth_point = only(&package, "install/pth-import");
    assert_eq!(pth_point.phase, Phase::InterpreterStart);
    assert_eq!(pth_point.rule.severity, palisade_core::Severity::Medium);
    assert_eq!(pth_point.path, "wheely_hook.pth");
    assert_eq!(pth_point.line, Some(2));
    assert_eq!(
        pth_point.snippet.as_deref(),
        Some("import _hook; _hook.run()")
    );
    assert_eq!(pth_point.runs_files, vec!["_hook.py"]);

    let script = only(&package, "install/wheel-data-script");
    assert_eq!(script.path, "wheely_pkg-3.1.data/scripts/wheely");
    assert_eq!(script.line, Some(1));
    assert_eq!(
        script.runs_files,
        vec!["wheely_pkg-3.1.data/scripts/wheely"]
    );
}

#[test]
fn a_plain_wheel_has_no_entry_points_and_pth_in_purelib_counts() {
    let package = identify(
        "zip",
        &[
            ("plain/__init__.py", b""),
            ("plain.pth", b"/some/path\n"),
            (
                "plain-1.0.dist-info/METADATA",
                b"Name: plain\nVersion: 1.0\n",
            ),
            ("plain-1.0.dist-info/WHEEL", b""),
        ],
    );
    assert!(package.entry_points.is_empty());

    let package = identify(
        "zip",
        &[
            ("p-1.0.data/purelib/p.pth", b"import p_start\n"),
            ("p-1.0.data/purelib/p_start.py", b""),
            ("p-1.0.dist-info/METADATA", b"Name: p\nVersion: 1.0\n"),
        ],
    );
    let point = only(&package, "install/pth-import");
    assert_eq!(point.runs_files, vec!["p-1.0.data/purelib/p_start.py"]);
}

#[test]
fn a_wheel_whose_metadata_names_another_package_is_a_mismatch() {
    let package = identify(
        "zip",
        &[
            (
                "requests-2.0.dist-info/METADATA",
                b"Name: reqeusts\nVersion: 2.0\n",
            ),
            ("requests-2.0.dist-info/WHEEL", b""),
        ],
    );
    assert_eq!(findings(&package), vec!["manifest/layout-mismatch"]);
    assert_eq!(package.name.as_deref(), Some("reqeusts"));
}
