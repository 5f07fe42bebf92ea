//! Wheels: zips with a top-level `NAME-VERSION.dist-info/` folder.
//!
//! Installing a wheel runs no code, but two things in it act without being imported:
//! `.pth` files that land in site-packages, whose `import` lines Python executes at
//! every interpreter start, and `*.data/scripts/` files, which pip installs as
//! commands on the user's PATH.

use super::metadata_headers;
use crate::common::{Ctx, EntryExt, Identity, entry};
use crate::text::lines;
use palisade_core::{Category, Ecosystem, PackageFile, Phase, RuleInfo, Severity};

pub static PTH_IMPORT: RuleInfo = RuleInfo {
    id: "install/pth-import",
    category: Category::ImportTime,
    severity: Severity::Medium,
    summary: "A wheel installs a .pth file with `import` lines into site-packages.",
    why: "Python's site module executes every `.pth` line that starts with `import` each time \
          the interpreter starts, whatever the program, without the package ever being \
          imported. A few tools use this legitimately (coverage, editable installs); it is \
          also a known way to run a payload persistently.",
    example: "evil.pth: import os; os.system('curl ... | sh')",
    attack: Some("T1546.018"),
};

pub static WHEEL_SCRIPT: RuleInfo = RuleInfo {
    id: "install/wheel-data-script",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "A wheel installs a file from `*.data/scripts/` as a command on PATH.",
    why: "pip copies these files into the environment's bin folder as they are (not as the \
          generated wrappers of `console_scripts`), so they can shadow common commands or \
          hold a payload the user later runs by name.",
    example: "foo-1.0.data/scripts/pip",
    attack: Some("T1036.005"),
};

/// `.pth` lines read; site.py reads them all, but a real one has a handful.
const MAX_PTH_LINES: usize = 100_000;

pub(crate) fn wheel(ctx: &Ctx) -> Option<Identity> {
    let mut dirs: Vec<(&str, bool)> = ctx
        .files
        .iter()
        .filter_map(|f| {
            let (dir, file) = f.path.split_once('/')?;
            let wanted = file == "METADATA" || file == "WHEEL";
            (dir.ends_with(".dist-info") && wanted).then_some((dir, file == "WHEEL"))
        })
        .collect();
    // The folder with a WHEEL file is the wheel's own; vendored metadata rarely has one.
    dirs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let dist_info = dirs.first()?.0;
    let format = if ctx.format == "zip" {
        "wheel"
    } else {
        ctx.format
    };
    let mut id = Identity::new(Some(Ecosystem::PyPI), ctx.format_as(format), "");
    let stem = dist_info.trim_end_matches(".dist-info");
    let (dir_name, dir_version) = stem.split_once('-').unwrap_or((stem, ""));
    let metadata = format!("{dist_info}/METADATA");
    if let Some(file) = ctx.get(&metadata) {
        id.manifest_path = Some(metadata.clone());
        let (name, version) = metadata_headers(&file.data);
        id.set_name(name.as_deref());
        id.set_version(version.as_deref());
        if id.name.is_none() {
            id.unreadable(&metadata, "no Name header", None);
        }
    } else {
        id.unreadable(&metadata, "missing from the wheel", None);
    }
    match &id.name {
        Some(name) if normalise(name) != normalise(dir_name) => {
            let message = format!(
                "METADATA names the package {name:?} but the wheel's folder is {dist_info}"
            );
            id.mismatch(&metadata, message);
        }
        Some(_) => {}
        None => {
            id.set_name(Some(dir_name));
            id.set_version(Some(dir_version));
        }
    }
    for file in ctx.files {
        if let Some(site) = site_packages_dir(&file.path)
            && file.path.ends_with(".pth")
        {
            id.entry_points.extend(pth(ctx, file, site));
        }
        if is_data_script(&file.path) {
            id.entry_points.push(data_script(file));
        }
    }
    Some(id)
}

/// PEP 503 normalisation, with `_` as wheels spell it in folder names.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// For a file that pip installs straight into site-packages, the folder of the wheel
/// that maps to site-packages: the top, or `*.data/purelib/` and `*.data/platlib/`.
fn site_packages_dir(path: &str) -> Option<&str> {
    let Some((dir, rest)) = path.split_once('/') else {
        return Some("");
    };
    let lib = rest
        .strip_prefix("purelib/")
        .or_else(|| rest.strip_prefix("platlib/"))?;
    (dir.ends_with(".data") && !lib.contains('/')).then(|| &path[..path.len() - lib.len()])
}

fn is_data_script(path: &str) -> bool {
    path.split_once('/').is_some_and(|(dir, rest)| {
        dir.ends_with(".data") && rest.strip_prefix("scripts/").is_some_and(|f| !f.is_empty())
    })
}

/// The first line site.py would execute, as an entry point.
fn pth(ctx: &Ctx, file: &PackageFile, site: &str) -> Option<palisade_core::EntryPoint> {
    let (offset, line) = lines(&file.data, MAX_PTH_LINES)
        .find(|(_, line)| line.starts_with(b"import ") || line.starts_with(b"import\t"))?;
    let module: String = line[7..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .map(|&b| char::from(b))
        .collect();
    let runs = if module.is_empty() {
        Vec::new()
    } else {
        [site, ""]
            .iter()
            .flat_map(|dir| {
                [
                    format!("{dir}{module}.py"),
                    format!("{dir}{module}/__init__.py"),
                ]
            })
            .filter(|candidate| ctx.exists(candidate))
            .take(1)
            .collect()
    };
    let message = format!(
        "{} runs Python code at every interpreter start: {}",
        file.file_name(),
        crate::text::clip(&String::from_utf8_lossy(line), 120)
    );
    Some(
        entry(&PTH_IMPORT, Phase::InterpreterStart, &file.path, message)
            .evidence(&file.data, offset)
            .runs(runs),
    )
}

fn data_script(file: &PackageFile) -> palisade_core::EntryPoint {
    let message = format!(
        "wheel installs {:?} as a command in the environment's scripts folder, on PATH",
        file.file_name()
    );
    let point =
        entry(&WHEEL_SCRIPT, Phase::Install, &file.path, message).runs(vec![file.path.clone()]);
    if file.data.starts_with(b"#!") {
        point.evidence(&file.data, 0)
    } else {
        point
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_like_pep_503() {
        assert_eq!(normalise("Foo.Bar--baz"), "foo_bar_baz");
    }

    #[test]
    fn site_packages_files_are_recognised() {
        assert_eq!(site_packages_dir("a.pth"), Some(""));
        assert_eq!(
            site_packages_dir("x-1.data/purelib/a.pth"),
            Some("x-1.data/purelib/")
        );
        assert_eq!(site_packages_dir("pkg/a.pth"), None);
        assert_eq!(site_packages_dir("x-1.data/purelib/pkg/a.pth"), None);
        assert!(is_data_script("x-1.data/scripts/run"));
        assert!(!is_data_script("x-1.data/purelib/run"));
    }
}
