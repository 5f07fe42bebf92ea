//! npm-family formats beyond the osv-scanner fixtures: bun.lock, and the graph fields
//! (direct, parents, groups, lines) of package-lock v3, pnpm 9 and yarn berry, on small
//! files shaped like the real ones.

mod common;

use common::{find, parse};
use palisade_deps::LockfileKind;

const BUN_LOCK: &str = r#"{
  "lockfileVersion": 1,
  // bun writes JSONC: comments and trailing commas are allowed
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": { "express": "^4.19.2", "left-pad": "github:stevemao/left-pad#master" },
      "devDependencies": { "typescript": "^5.4.0", },
    },
    "packages/util": { "name": "util", "dependencies": { "ms": "2.1.3" } },
  },
  "packages": {
    "debug": ["debug@2.6.9", "", { "dependencies": { "ms": "2.0.0" } }, "sha512-aaa"],
    "debug/ms": ["ms@2.0.0", "", {}, "sha512-bbb"],
    "express": ["express@4.19.2", "", { "dependencies": { "debug": "2.6.9" } }, "sha512-ccc"],
    "left-pad": ["left-pad@github:stevemao/left-pad#5d2ba5b0d8a4a1dca6e2e8d5aa8c3ad2a3c6d1a2", {}, "stevemao-left-pad-5d2ba5b"],
    "ms": ["ms@2.1.3", "", {}, "sha512-ddd"],
    "typescript": ["typescript@5.4.5", "", { "bin": { "tsc": "bin/tsc" } }, "sha512-eee"],
    "util": ["util@workspace:packages/util"],
  }
}
"#;

#[test]
fn bun_lock_gives_versions_commits_groups_and_the_nested_copy() {
    let deps = parse(LockfileKind::BunLock, "bun.lock", BUN_LOCK);
    let names: Vec<(&str, &str)> = deps
        .iter()
        .map(|d| (d.name.as_str(), d.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("debug", "2.6.9"),
            ("express", "4.19.2"),
            ("left-pad", ""),
            ("ms", "2.0.0"),
            ("ms", "2.1.3"),
            ("typescript", "5.4.5")
        ],
        "the workspace package is the project's own code and is left out"
    );
    let left_pad = find(&deps, "left-pad");
    assert_eq!(
        left_pad.commit.as_deref(),
        Some("5d2ba5b0d8a4a1dca6e2e8d5aa8c3ad2a3c6d1a2")
    );
    assert_eq!(find(&deps, "typescript").groups, ["dev"]);
    assert_eq!(find(&deps, "typescript").direct, Some(true));
    let debug = find(&deps, "debug");
    assert_eq!(
        (debug.direct, debug.parents.as_slice()),
        (Some(false), ["express".to_string()].as_slice())
    );
    assert!(debug.groups.is_empty());
    let nested_ms = deps
        .iter()
        .find(|d| d.name == "ms" && d.version == "2.0.0")
        .unwrap();
    assert_eq!(nested_ms.parents, ["debug"], "debug/ms is debug's own copy");
}

#[test]
fn pnpm_v9_groups_direct_and_parents_come_from_importers_and_snapshots() {
    let text = "lockfileVersion: '9.0'

importers:
  .:
    dependencies:
      express:
        specifier: ^4.19.2
        version: 4.19.2
    devDependencies:
      vitest:
        specifier: ^1.6.0
        version: 1.6.0(@types/node@20.14.2)

packages:
  express@4.19.2:
    resolution: {integrity: sha512-a}
  debug@2.6.9:
    resolution: {integrity: sha512-b}
  vitest@1.6.0:
    resolution: {integrity: sha512-c}
  tinypool@0.8.4:
    resolution: {integrity: sha512-d}

snapshots:
  express@4.19.2:
    dependencies:
      debug: 2.6.9
  debug@2.6.9: {}
  vitest@1.6.0(@types/node@20.14.2):
    dependencies:
      tinypool: 0.8.4
  tinypool@0.8.4: {}
";
    let deps = parse(LockfileKind::PnpmLock, "pnpm-lock.yaml", text);
    assert_eq!(deps.len(), 4);
    assert_eq!(find(&deps, "express").direct, Some(true));
    let debug = find(&deps, "debug");
    assert_eq!(
        (debug.direct, debug.parents.as_slice(), debug.groups.len()),
        (Some(false), ["express".to_string()].as_slice(), 0)
    );
    assert_eq!(find(&deps, "vitest").groups, ["dev"]);
    let tinypool = find(&deps, "tinypool");
    assert_eq!(
        (tinypool.groups.as_slice(), tinypool.parents.as_slice()),
        (
            ["dev".to_string()].as_slice(),
            ["vitest".to_string()].as_slice()
        )
    );
}

#[test]
fn package_lock_v3_marks_direct_dependencies_and_parents() {
    let text = r#"{
  "name": "app", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": { "name": "app", "dependencies": { "chalk": "^4.1.2" }, "devDependencies": { "jest": "^29" } },
    "node_modules/chalk": { "version": "4.1.2", "dependencies": { "supports-color": "^7.1.0" } },
    "node_modules/supports-color": { "version": "7.2.0" },
    "node_modules/jest": { "version": "29.7.0", "dev": true },
    "node_modules/jest/node_modules/chalk": { "version": "3.0.0", "dev": true },
    "node_modules/linked": { "resolved": "packages/linked", "link": true }
  }
}"#;
    let deps = parse(LockfileKind::NpmLock, "package-lock.json", text);
    assert_eq!(deps.len(), 4, "the link entry is skipped");
    let chalk4 = deps
        .iter()
        .find(|d| d.name == "chalk" && d.version == "4.1.2")
        .unwrap();
    assert_eq!(chalk4.direct, Some(true));
    let chalk3 = deps
        .iter()
        .find(|d| d.name == "chalk" && d.version == "3.0.0")
        .unwrap();
    assert_eq!(
        (chalk3.direct, chalk3.groups.as_slice()),
        (Some(false), ["dev".to_string()].as_slice())
    );
    assert_eq!(find(&deps, "supports-color").parents, ["chalk"]);
}

#[test]
fn yarn_berry_marks_workspace_dependencies_direct() {
    let text = r#"# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    lodash: "npm:^4.17.21"
  languageName: unknown
  linkType: soft

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
  checksum: 10c0/abc
  languageName: node
  linkType: hard
"#;
    let deps = parse(LockfileKind::YarnLock, "yarn.lock", text);
    let lodash = find(&deps, "lodash");
    assert_eq!(
        (lodash.direct, lodash.parents.as_slice(), lodash.line),
        (Some(true), ["app".to_string()].as_slice(), Some(15))
    );
}
