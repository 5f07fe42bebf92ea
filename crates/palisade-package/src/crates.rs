//! crates.io packages: a `.crate` is a tar.gz with a single `NAME-VERSION/` folder
//! holding the normalised `Cargo.toml` that `cargo package` writes.
//!
//! Cargo runs two kinds of package code while building a dependent project: the build
//! script (`build.rs`, or `package.build`), and procedural macros, which run inside the
//! compiler. Both run on the developer's machine or CI as soon as the crate is built.

use crate::common::{Ctx, EntryExt, Identity, entry, manifest_text};
use crate::text::resolve;
use palisade_core::{Category, Ecosystem, Phase, RuleInfo, Severity};
use serde::Deserialize;
use toml::{Spanned, Value};

pub static BUILD_SCRIPT: RuleInfo = RuleInfo {
    id: "install/cargo-build-script",
    category: Category::InstallTime,
    severity: Severity::Info,
    summary: "The crate has a build script, which Cargo compiles and runs before building it.",
    why: "build.rs runs with the developer's rights on every build of every project that \
          depends on the crate. Many honest crates use one (to compile C code, probe the \
          system); what it does decides whether it is a threat.",
    example: "serde-1.0.0/build.rs",
    attack: Some("T1195.002"),
};

pub static PROC_MACRO: RuleInfo = RuleInfo {
    id: "install/proc-macro",
    category: Category::InstallTime,
    severity: Severity::Info,
    summary: "The crate is a procedural macro, which runs inside the compiler at build time.",
    why: "A proc-macro is arbitrary code executed by rustc (and by IDEs analysing the \
          project) whenever a dependent crate is compiled; it can read files and open \
          connections like a build script.",
    example: "[lib] proc-macro = true",
    attack: Some("T1195.002"),
};

#[derive(Deserialize)]
struct Manifest {
    package: Option<PackageTable>,
    lib: Option<LibTable>,
}

#[derive(Deserialize)]
struct PackageTable {
    name: Option<Value>,
    version: Option<Value>,
    build: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
struct LibTable {
    #[serde(rename = "proc-macro")]
    proc_macro: Option<Spanned<bool>>,
    /// The old spelling, still accepted by Cargo.
    #[serde(rename = "proc_macro")]
    proc_macro_underscore: Option<Spanned<bool>>,
    path: Option<String>,
}

pub(crate) fn identify(ctx: &Ctx, root: &str) -> Option<Identity> {
    let path = format!("{root}Cargo.toml");
    let file = ctx.get(&path)?;
    let format = if ctx.is_tar() { "crate" } else { ctx.format };
    let mut id = Identity::new(Some(Ecosystem::Crates), ctx.format_as(format), root);
    id.manifest_path = Some(path.clone());
    let Some(text) = manifest_text(file, &mut id) else {
        return Some(id);
    };
    let data = text.as_bytes();
    // toml refuses nesting deeper than 80 levels, so hostile depth is an error here.
    let manifest: Manifest = match toml::from_str(text) {
        Ok(manifest) => manifest,
        Err(err) => {
            let at = err.span().map(|span| (data, span.start));
            id.unreadable(&path, err.message().trim(), at);
            return Some(id);
        }
    };
    let Some(package) = manifest.package else {
        id.unreadable(&path, "no [package] table", None);
        return Some(id);
    };
    id.set_name(package.name.as_ref().and_then(Value::as_str));
    // `version.workspace = true` never survives `cargo package`; only strings count.
    id.set_version(package.version.as_ref().and_then(Value::as_str));
    if id.name.is_none() {
        id.unreadable(&path, "no [package] name", None);
    }
    check_layout(ctx, root, &path, &mut id);

    let scripts: Vec<(String, Option<usize>)> = match &package.build {
        Some(build) => {
            let at = Some(build.span().start);
            match build.get_ref() {
                Value::Boolean(false) => Vec::new(),
                Value::Boolean(true) => vec![("build.rs".to_string(), at)],
                Value::String(script) => vec![(script.clone(), at)],
                Value::Array(scripts) => scripts
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| (s.to_string(), at))
                    .collect(),
                _ => Vec::new(),
            }
        }
        // Without a `build` key Cargo builds build.rs when it exists.
        None => vec![("build.rs".to_string(), None)],
    };
    for (script, at) in scripts {
        let target = resolve(root, &script).filter(|p| ctx.exists(p));
        let message =
            format!("Cargo compiles and runs the build script {script} before building the crate");
        let point = match at {
            Some(offset) => {
                entry(&BUILD_SCRIPT, Phase::Build, &path, message).evidence(data, offset)
            }
            // Implicit: the script declares itself by being there.
            None => match &target {
                Some(target) => entry(&BUILD_SCRIPT, Phase::Build, target, message),
                None => continue,
            },
        };
        id.entry_points
            .push(point.runs(target.into_iter().collect()));
    }

    if let Some(lib) = &manifest.lib {
        let flag = lib
            .proc_macro
            .as_ref()
            .or(lib.proc_macro_underscore.as_ref());
        if let Some(flag) = flag.filter(|f| *f.get_ref()) {
            let source = lib.path.as_deref().unwrap_or("src/lib.rs");
            let runs = resolve(root, source)
                .filter(|p| ctx.exists(p))
                .into_iter()
                .collect();
            let message = format!(
                "procedural macro crate: rustc runs {source} while compiling every dependent"
            );
            id.entry_points.push(
                entry(&PROC_MACRO, Phase::Build, &path, message)
                    .evidence(data, flag.span().start)
                    .runs(runs),
            );
        }
    }
    Some(id)
}

/// `cargo package` names the folder after the manifest; a difference means the crate
/// was assembled by hand.
fn check_layout(ctx: &Ctx, root: &str, path: &str, id: &mut Identity) {
    if ctx.is_directory() || root.is_empty() {
        return;
    }
    if let (Some(name), Some(version)) = (&id.name, &id.version) {
        let expected = format!("{name}-{version}/");
        if root != expected {
            let message =
                format!("Cargo.toml declares {name} {version} but the crate's folder is {root}");
            id.mismatch(path, message);
        }
    }
}
