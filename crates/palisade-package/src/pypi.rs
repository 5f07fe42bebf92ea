//! PyPI packages: source distributions (a folder with `PKG-INFO`, or with
//! `pyproject.toml` / `setup.cfg` / `setup.py` when the metadata file is missing) and
//! wheels (see [`wheel`]).
//!
//! Building an sdist runs its `setup.py` (and any custom `cmdclass` it installs) or an
//! in-tree build backend: arbitrary Python on every machine that installs from source,
//! which is where most malicious PyPI packages put their payload.

mod setup_py;
mod wheel;

pub(crate) use wheel::{PTH_IMPORT, WHEEL_SCRIPT, wheel};

use crate::common::{Ctx, EntryExt, Identity, entry, manifest_text};
use crate::text::{lines, resolve};
use palisade_core::{Category, Ecosystem, Phase, RuleInfo, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub static SETUP_PY: RuleInfo = RuleInfo {
    id: "install/setup-py",
    category: Category::InstallTime,
    severity: Severity::Info,
    summary: "The source distribution has a setup.py, which runs when it is built or installed.",
    why: "pip runs setup.py to build an sdist, on every machine that installs the package \
          from source. Most honest sdists have one; its content decides whether it is a \
          threat, so install-time findings in setup.py weigh more than elsewhere.",
    example: "requests-2.32.3/setup.py",
    attack: Some("T1195.002"),
};

pub static CMDCLASS: RuleInfo = RuleInfo {
    id: "install/setup-cmdclass",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "setup.py (or pyproject.toml) replaces setuptools commands with its own classes.",
    why: "A custom `install` or `develop` command runs the package's own code during \
          installation; malicious packages use it to run a payload after the files are \
          copied. Honest uses are building extensions or generating files.",
    example: "setup(..., cmdclass={'install': PostInstallCommand})",
    attack: Some("T1195.002"),
};

pub static BUILD_BACKEND: RuleInfo = RuleInfo {
    id: "install/build-backend",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "pyproject.toml builds the package with a build backend shipped inside it.",
    why: "`backend-path` makes pip import the package's own Python module as the build \
          backend, so that module runs on every install from source, just like setup.py.",
    example: "[build-system] build-backend = \"backend\", backend-path = [\".\"]",
    attack: Some("T1195.002"),
};

/// Header lines read from PKG-INFO or METADATA; the name and version come first.
const MAX_HEADER_LINES: usize = 10_000;

/// An sdist as built by tools: the root holds `PKG-INFO`.
pub(crate) fn sdist(ctx: &Ctx, root: &str) -> Option<Identity> {
    ctx.exists(&format!("{root}PKG-INFO"))
        .then(|| tree(ctx, root))
}

/// A Python source tree without `PKG-INFO`: a folder, or a hand-made archive.
pub(crate) fn source(ctx: &Ctx, root: &str) -> Option<Identity> {
    ["pyproject.toml", "setup.py", "setup.cfg"]
        .iter()
        .any(|name| ctx.exists(&format!("{root}{name}")))
        .then(|| tree(ctx, root))
}

fn tree(ctx: &Ctx, root: &str) -> Identity {
    let format = if ctx.is_tar() || ctx.format == "zip" {
        "sdist"
    } else {
        ctx.format
    };
    let mut id = Identity::new(Some(Ecosystem::PyPI), ctx.format_as(format), root);
    let pkg_info = format!("{root}PKG-INFO");
    if let Some(file) = ctx.get(&pkg_info) {
        id.manifest_path = Some(pkg_info.clone());
        let (name, version) = metadata_headers(&file.data);
        id.set_name(name.as_deref());
        id.set_version(version.as_deref());
        if id.name.is_none() {
            id.unreadable(&pkg_info, "no Name header", None);
        }
    }
    pyproject(ctx, root, &mut id);
    if id.name.is_none() {
        setup_cfg(ctx, root, &mut id);
    }
    setup_py::scan(ctx, root, &mut id);
    id
}

/// `Name` and `Version` from the RFC 822 headers of PKG-INFO or METADATA.
pub(crate) fn metadata_headers(data: &[u8]) -> (Option<String>, Option<String>) {
    let (mut name, mut version) = (None, None);
    for (_, line) in lines(data, MAX_HEADER_LINES) {
        if line.is_empty() {
            break; // the body (long description) follows the first blank line
        }
        let line = String::from_utf8_lossy(line);
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key.to_ascii_lowercase().as_str() {
            "name" if name.is_none() => name = Some(value.trim().to_string()),
            "version" if version.is_none() => version = Some(value.trim().to_string()),
            _ => {}
        }
    }
    (name, version)
}

#[derive(Deserialize)]
struct PyProject {
    project: Option<Project>,
    #[serde(rename = "build-system")]
    build_system: Option<BuildSystem>,
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Project {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct BuildSystem {
    #[serde(rename = "build-backend")]
    backend: Option<String>,
    #[serde(rename = "backend-path")]
    backend_path: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
struct Tool {
    setuptools: Option<Setuptools>,
}

#[derive(Deserialize)]
struct Setuptools {
    cmdclass: Option<Spanned<BTreeMap<String, toml::Value>>>,
}

fn pyproject(ctx: &Ctx, root: &str, id: &mut Identity) {
    let path = format!("{root}pyproject.toml");
    let Some(file) = ctx.get(&path) else {
        return;
    };
    let Some(text) = manifest_text(file, id) else {
        return;
    };
    // toml refuses nesting deeper than 80 levels, so hostile depth is an error here.
    let manifest: PyProject = match toml::from_str(text) {
        Ok(manifest) => manifest,
        Err(err) => {
            let at = err.span().map(|span| (text.as_bytes(), span.start));
            id.unreadable(&path, err.message().trim(), at);
            return;
        }
    };
    if id.name.is_none()
        && let Some(project) = &manifest.project
    {
        id.manifest_path = Some(path.clone());
        id.set_name(project.name.as_deref());
        id.set_version(project.version.as_deref());
    }
    let data = text.as_bytes();
    if let Some(BuildSystem {
        backend,
        backend_path: Some(paths),
    }) = &manifest.build_system
        && !paths.get_ref().is_empty()
    {
        let backend = backend.as_deref().unwrap_or("");
        let module = backend.split(':').next().unwrap_or("").replace('.', "/");
        let runs = paths
            .get_ref()
            .iter()
            .flat_map(|dir| {
                [
                    format!("{dir}/{module}.py"),
                    format!("{dir}/{module}/__init__.py"),
                ]
            })
            .filter_map(|candidate| resolve(root, &candidate))
            .filter(|candidate| ctx.exists(candidate))
            .collect();
        let message = format!(
            "pyproject.toml builds the package with its own backend \"{}\" from {:?}",
            crate::text::clip(backend, 100),
            paths.get_ref()
        );
        id.entry_points.push(
            entry(&BUILD_BACKEND, Phase::Install, &path, message)
                .evidence(data, paths.span().start)
                .runs(runs),
        );
    }
    let cmdclass = manifest
        .tool
        .and_then(|t| t.setuptools)
        .and_then(|s| s.cmdclass);
    if let Some(cmdclass) = cmdclass {
        let commands: Vec<String> = cmdclass.get_ref().keys().cloned().collect();
        let message = setup_py::replaced_commands("pyproject.toml", &commands);
        id.entry_points.push(
            entry(&CMDCLASS, Phase::Install, &path, message).evidence(data, cmdclass.span().start),
        );
    }
}

/// `[metadata] name` and `version` of setup.cfg, an INI file.
fn setup_cfg(ctx: &Ctx, root: &str, id: &mut Identity) {
    let path = format!("{root}setup.cfg");
    let Some(file) = ctx.get(&path) else {
        return;
    };
    let (mut section, mut name, mut version) = (String::new(), None, None);
    for (_, line) in lines(&file.data, 100_000) {
        let line = String::from_utf8_lossy(line);
        let line = line.trim();
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).trim().to_string();
        } else if section == "metadata"
            && let Some((key, value)) = line.split_once('=')
        {
            match key.trim() {
                "name" => name = Some(value.trim().to_string()),
                "version" if !value.contains(':') => version = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    if name.is_some() {
        id.manifest_path = Some(path);
        id.set_name(name.as_deref());
        id.set_version(version.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_stop_at_the_body() {
        let data = b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n\nName: bar\n";
        let (name, version) = metadata_headers(data);
        assert_eq!(
            (name.unwrap(), version.unwrap()),
            ("foo".into(), "1.0".into())
        );
    }
}
