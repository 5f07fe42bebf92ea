//! npm packages: a tarball whose single top folder (`package/` by convention) holds a
//! `package.json`, or a folder holding one.
//!
//! npm runs the lifecycle scripts of `package.json` on every install, and runs an
//! implicit `node-gyp rebuild` for packages with a `binding.gyp`; these are how most
//! malicious npm packages execute. The files a script runs are resolved from its
//! command line (see [`command`]) so that analysers can weigh them as install-time code.

mod command;
mod node_eval;
pub(crate) mod node_json;
mod on_demand;
mod script_view;

pub use on_demand::npm_on_demand_script_lines;
pub use script_view::{
    InstallScriptView, gyp_javascript_view, gyp_python_view, npm_install_script_view,
};

use crate::common::{Ctx, EntryExt, Identity, entry, manifest_bytes};
use crate::text::{clip, offset_at};
use palisade_core::{
    Category, Ecosystem, Phase, RuleInfo, Severity, line_at_offset, snippet_at_offset,
};
use serde_json::Value;

pub static SCRIPT: RuleInfo = RuleInfo {
    id: "install/npm-script",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "package.json declares a lifecycle script that npm runs on install or uninstall.",
    why: "`preinstall`, `install` and `postinstall` run with the user's rights on every \
          machine that installs the package, before any of its code is imported; they are \
          the most common way malicious npm packages execute. Many honest packages use \
          them to build native code or fetch a binary, so look at what the script runs.",
    example: "\"postinstall\": \"node scripts/setup.js\"",
    attack: Some("T1195.002"),
};

pub static NODE_GYP: RuleInfo = RuleInfo {
    id: "install/npm-node-gyp",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "A binding.gyp makes npm run `node-gyp rebuild` on install.",
    why: "When a package has a `binding.gyp` and no install script, npm compiles it on \
          install. The gyp file can run arbitrary commands (`<!(...)` expansions and \
          actions), so it is install-time code even though package.json declares nothing.",
    example: "package/binding.gyp with no \"install\" script",
    attack: Some("T1195.002"),
};

pub static NODE_ONLY_JSON: RuleInfo = RuleInfo {
    id: "manifest/node-only-json",
    category: Category::Manifest,
    severity: Severity::High,
    summary: "package.json is JSON that npm reads but strict parsers reject: a lone \
              surrogate escape, nesting beyond 100 levels, a number beyond a double's \
              range, or bytes that are not UTF-8.",
    why: "npm parses the manifest with JavaScript's `JSON.parse`, which tolerates these, so \
          its install scripts run; scanners built on strict parsers give up on the file and \
          see no scripts at all. No package tool writes such a manifest: it was made by \
          hand to be read differently by npm and by whatever checks the package. Palisade \
          reads it as npm does and analyses the scripts anyway.",
    example: "{\"description\": \"\\ud800\", \"scripts\": {\"preinstall\": \"sh x.sh\"}}",
    attack: Some("T1027"),
};

pub static PREPARE: RuleInfo = RuleInfo {
    id: "install/npm-prepare",
    category: Category::InstallTime,
    severity: Severity::Info,
    summary: "package.json declares a `prepare` script.",
    why: "npm runs `prepare` when the package is installed from git or a local folder (and \
          before publishing), not when it is installed from the registry tarball. It is \
          common in honest packages (building TypeScript), so it weighs less than install \
          scripts, but a git dependency on the package runs it.",
    example: "\"prepare\": \"node scripts/build.js\"",
    attack: Some("T1195.002"),
};

/// Lifecycle scripts npm runs without being asked, in the order it runs them.
pub(crate) const LIFECYCLE: &[&str] = &[
    "preinstall",
    "install",
    "postinstall",
    "prepare",
    "preuninstall",
    "uninstall",
    "postuninstall",
];

/// The registry layout: everything under `package/`. Checked before crates, whose
/// tarballs could hold a `package.json` too.
pub(crate) fn npm_tarball(ctx: &Ctx, root: &str) -> Option<Identity> {
    if root == "package/" {
        identify(ctx, root)
    } else {
        None
    }
}

pub(crate) fn identify(ctx: &Ctx, root: &str) -> Option<Identity> {
    let path = format!("{root}package.json");
    let file = ctx.get(&path)?;
    let format = if ctx.is_tar() {
        "npm tarball"
    } else {
        ctx.format
    };
    let mut id = Identity::new(Some(Ecosystem::Npm), ctx.format_as(format), root);
    id.manifest_path = Some(path.clone());
    let Some(data) = manifest_bytes(file, &mut id) else {
        return Some(id);
    };
    let json = match node_json::parse(data) {
        Ok(json) => json,
        Err(err) => {
            let offset = offset_at(data, err.line(), err.column());
            id.unreadable(&path, &err.to_string(), Some((data, offset)));
            return Some(id);
        }
    };
    for &(quirk, offset) in &json.quirks {
        id.findings.push(
            NODE_ONLY_JSON
                .finding(format!(
                    "{path} holds {}, which npm reads and strict JSON parsers reject",
                    quirk.describe()
                ))
                .at(&path, Some(line_at_offset(data, offset)))
                .with_snippet(snippet_at_offset(data, offset)),
        );
    }
    let data: &[u8] = &json.bytes;
    let Some(manifest) = json.value.as_object() else {
        id.unreadable(&path, "not a JSON object", None);
        return Some(id);
    };
    id.set_name(manifest.get("name").and_then(Value::as_str));
    id.set_version(manifest.get("version").and_then(Value::as_str));
    if id.name.is_none() {
        id.unreadable(&path, "no \"name\" string", None);
    }
    let scripts = manifest.get("scripts").and_then(Value::as_object);
    let script = |hook: &str| {
        scripts
            .and_then(|s| s.get(hook))
            .and_then(Value::as_str)
            .filter(|command| !command.trim().is_empty())
    };
    let scripts_at = find_key(data, "scripts", 0);
    let resolver = command::Resolver::new(ctx, root, scripts);
    for &hook in LIFECYCLE {
        let Some(command) = script(hook) else {
            continue;
        };
        let (rule, when) = if hook == "prepare" {
            (&PREPARE, " when installed from git or a local folder")
        } else {
            (&SCRIPT, "")
        };
        let mut point = entry(
            rule,
            Phase::Install,
            &path,
            format!("npm \"{hook}\" script runs `{}`{when}", clip(command, 200)),
        )
        .runs(resolver.files_run_by(command));
        let key = find_key(data, hook, scripts_at.unwrap_or(0));
        if let Some(offset) = key.or(scripts_at) {
            point = point.evidence(data, offset);
        }
        id.entry_points.push(point);
    }
    // npm's own rule: a binding.gyp stands in for a missing install script.
    let gyp = format!("{root}binding.gyp");
    let gyp_disabled = manifest.get("gypfile") == Some(&Value::Bool(false));
    if ctx.exists(&gyp)
        && !gyp_disabled
        && script("install").is_none()
        && script("preinstall").is_none()
    {
        id.entry_points.push(
            entry(
                &NODE_GYP,
                Phase::Install,
                &gyp,
                "binding.gyp makes npm run `node-gyp rebuild` on install".to_string(),
            )
            .runs(vec![gyp]),
        );
    }
    Some(id)
}

/// Offset of the first `"key":` at or after `from`. A key spelled with escapes is not
/// found; callers fall back to a coarser place.
pub(crate) fn find_key(data: &[u8], key: &str, from: usize) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let from = from.min(data.len());
    memchr::memmem::find_iter(&data[from..], needle.as_bytes())
        .map(|p| from + p)
        .find(|&at| {
            let escaped = at > 0 && data[at - 1] == b'\\';
            let after = data[at + needle.len()..]
                .iter()
                .find(|b| !b.is_ascii_whitespace());
            !escaped && after == Some(&b':')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_as_keys_not_as_values() {
        let data = br#"{"a": "install", "scripts": {"install" : "x"}}"#;
        let at = find_key(data, "install", 0).unwrap();
        assert_eq!(&data[at..at + 9], b"\"install\"");
        assert!(at > 20);
        assert_eq!(find_key(data, "missing", 0), None);
    }
}
