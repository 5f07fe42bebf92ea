//! What a file is (its language) and where it runs (its role). Both decide which rules
//! apply and how much a finding weighs: code that runs at install time weighs more than
//! code that runs on import, which weighs more than tests, docs and examples.

use palisade_core::{Ecosystem, Package, PackageFile, Phase};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Python,
    JavaScript,
    Ruby,
    Shell,
    PowerShell,
    Batch,
    Rust,
    Go,
    /// MSBuild `.targets`/`.props`, project files, `.nuspec`.
    MsBuild,
    /// A Maven `pom.xml`: its plugins run commands during the build.
    Maven,
    Java,
    /// C# source, and the view of a compiled .NET assembly.
    CSharp,
    Json,
    /// Text of no known language (configuration, markdown, data).
    Text,
    Binary,
}

impl Language {
    /// The names rule files use in `languages = [...]`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::Ruby => "ruby",
            Language::Shell => "shell",
            Language::PowerShell => "powershell",
            Language::Batch => "batch",
            Language::Rust => "rust",
            Language::Go => "go",
            Language::MsBuild => "msbuild",
            Language::Maven => "maven",
            Language::Java => "java",
            Language::CSharp => "csharp",
            Language::Json => "json",
            Language::Text => "text",
            Language::Binary => "binary",
        }
    }

    pub const ALL: [Language; 15] = [
        Language::Python,
        Language::JavaScript,
        Language::Ruby,
        Language::Shell,
        Language::PowerShell,
        Language::Batch,
        Language::Rust,
        Language::Go,
        Language::MsBuild,
        Language::Maven,
        Language::Java,
        Language::CSharp,
        Language::Json,
        Language::Text,
        Language::Binary,
    ];

    pub fn from_name(name: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.name() == name)
    }

    pub fn is_code(self) -> bool {
        !matches!(self, Language::Json | Language::Text | Language::Binary)
    }
}

/// The language of a file, from its name, then its shebang, then its bytes.
pub fn language_of(path: &str, data: &[u8]) -> Language {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let by_ext = match ext {
        "py" | "pyw" | "pth" | "pyi" => Some(Language::Python),
        "js" | "cjs" | "mjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => Some(Language::JavaScript),
        "rb" | "gemspec" | "rake" => Some(Language::Ruby),
        "sh" | "bash" | "zsh" | "command" | "ksh" => Some(Language::Shell),
        // node-gyp runs the commands of `<!(...)` and actions through a shell; the rest
        // of the file is data.
        "gyp" | "gypi" => Some(Language::Shell),
        "ps1" | "psm1" | "psd1" => Some(Language::PowerShell),
        "bat" | "cmd" => Some(Language::Batch),
        "rs" => Some(Language::Rust),
        "go" => Some(Language::Go),
        "targets" | "props" | "csproj" | "vbproj" | "fsproj" | "nuspec" => Some(Language::MsBuild),
        "pom" => Some(Language::Maven),
        "java" | "kt" | "groovy" | "gradle" => Some(Language::Java),
        "cs" | "csx" => Some(Language::CSharp),
        "json" => Some(Language::Json),
        _ => None,
    };
    if let Some(language) = by_ext {
        return language;
    }
    if matches!(lower.as_str(), "rakefile" | "gemfile") {
        return Language::Ruby;
    }
    if lower == "pom.xml" {
        return Language::Maven;
    }
    if looks_binary(data) {
        return Language::Binary;
    }
    if let Some(rest) = data.strip_prefix(b"#!") {
        let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        if line.contains("python") {
            return Language::Python;
        }
        if line.contains("node") {
            return Language::JavaScript;
        }
        if line.contains("ruby") {
            return Language::Ruby;
        }
        if line.contains("pwsh") || line.contains("powershell") {
            return Language::PowerShell;
        }
        if line.contains("sh") {
            return Language::Shell;
        }
    }
    Language::Text
}

/// A NUL byte in the first 8 KiB marks binary data, as git and grep decide.
pub fn looks_binary(data: &[u8]) -> bool {
    data[..data.len().min(8192)].contains(&0)
}

/// Where a file's code runs, from most to least exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Runs when the package is installed (or at every interpreter start).
    Install,
    /// Runs when a dependent project is built.
    Build,
    /// Package code, run when imported or called.
    Import,
    /// Tests, documentation, examples and benchmarks: shipped but rarely run.
    Auxiliary,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Install => "install-time",
            Role::Build => "build-time",
            Role::Import => "import-time",
            Role::Auxiliary => "test/doc",
        }
    }

    /// How much a finding in such a file weighs, relative to package code.
    pub fn weight(self) -> f64 {
        match self {
            Role::Install => 1.4,
            Role::Build => 1.2,
            Role::Import => 1.0,
            Role::Auxiliary => 0.4,
        }
    }
}

/// The role of every file that an entry point runs or declares as code.
pub fn entry_roles(package: &Package) -> HashMap<&str, Role> {
    let mut roles = HashMap::new();
    for entry in &package.entry_points {
        let role = match entry.phase {
            Phase::Install | Phase::InterpreterStart => Role::Install,
            Phase::Build => Role::Build,
            Phase::Import => continue,
        };
        let declared = std::iter::once(entry.path.as_str());
        for path in entry.runs_files.iter().map(String::as_str).chain(declared) {
            give_role(&mut roles, path, role);
        }
    }
    roles
}

/// The role of a file that no entry point names. Documentation and data are auxiliary,
/// and so are shell, batch and PowerShell scripts of ecosystems whose installers never
/// run them (developer tooling shipped in an npm or PyPI package), and JavaScript in a
/// PyPI package (the web assets of its user interface, run by a browser): they run only
/// if code of the package starts them, which that code's own findings show.
pub fn role_of_unnamed(path: &str, language: Language, ecosystem: Option<Ecosystem>) -> Role {
    let tooling = match ecosystem {
        Some(Ecosystem::PyPI) => matches!(
            language,
            Language::Shell | Language::Batch | Language::PowerShell | Language::JavaScript
        ),
        Some(Ecosystem::Npm) => matches!(
            language,
            Language::Shell | Language::Batch | Language::PowerShell
        ),
        _ => false,
    };
    // A POM runs only where an entry point says its plugins execute; the copy every
    // jar carries under META-INF is data.
    if matches!(language, Language::Text | Language::Json | Language::Maven) || tooling {
        return Role::Auxiliary;
    }
    role_by_path(path)
}

/// The role a file's path gives it: tests, docs, examples and benchmarks are auxiliary.
pub fn role_by_path(path: &str) -> Role {
    let lower = path.to_ascii_lowercase();
    let auxiliary_dir = lower.split('/').any(|part| {
        matches!(
            part,
            "test"
                | "tests"
                | "__tests__"
                | "testing"
                | "spec"
                | "specs"
                | "docs"
                | "doc"
                | "example"
                | "examples"
                | "samples"
                | "sample"
                | "benchmarks"
                | "bench"
                | "fixtures"
                | "__fixtures__"
                | "scripts"
                | "tools"
                | ".github"
                | "ci"
                | "benchmark"
                | "demo"
                | "demos"
        )
    });
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    // TypeScript declarations describe types to the compiler and never run; AWS SDKs
    // ship thousands, their doc comments full of `<important>` and credentials prose.
    let declarations = [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|ext| name.ends_with(ext));
    let test_file = name.starts_with("test_")
        || name.ends_with("_test.py")
        || name.ends_with("_test.go")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name == "conftest.py";
    if auxiliary_dir || test_file || declarations {
        Role::Auxiliary
    } else {
        Role::Import
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_in_a_python_package_is_a_web_asset_but_in_npm_it_is_the_code() {
        let path = "pkg/static/app.min.js";
        assert_eq!(
            role_of_unnamed(path, Language::JavaScript, Some(Ecosystem::PyPI)),
            Role::Auxiliary
        );
        assert_eq!(
            role_of_unnamed(path, Language::JavaScript, Some(Ecosystem::Npm)),
            Role::Import
        );
        assert_eq!(
            role_of_unnamed("pkg/core.py", Language::Python, Some(Ecosystem::PyPI)),
            Role::Import
        );
    }

    #[test]
    fn languages_by_extension_shebang_and_content() {
        assert_eq!(language_of("pkg/setup.py", b""), Language::Python);
        assert_eq!(language_of("package/index.mjs", b""), Language::JavaScript);
        assert_eq!(language_of("tools/install.ps1", b""), Language::PowerShell);
        assert_eq!(
            language_of("bin/run", b"#!/usr/bin/env node\n"),
            Language::JavaScript
        );
        assert_eq!(
            language_of("bin/run", b"#!/bin/sh\ncurl x"),
            Language::Shell
        );
        assert_eq!(
            language_of("lib/x.so", b"\x7fELF\x02\x01\x00"),
            Language::Binary
        );
        assert_eq!(language_of("README", b"hello"), Language::Text);
        assert_eq!(language_of("pkg/pom.xml", b"<project>"), Language::Maven);
        assert_eq!(language_of("other.xml", b"<x/>"), Language::Text);
    }

    #[test]
    fn tests_docs_and_examples_are_auxiliary() {
        assert_eq!(role_by_path("pkg/tests/test_x.py"), Role::Auxiliary);
        assert_eq!(role_by_path("package/lib/foo.spec.js"), Role::Auxiliary);
        assert_eq!(role_by_path("pkg/docs/conf.py"), Role::Auxiliary);
        assert_eq!(
            role_by_path("package/dist-types/models/models_0.d.ts"),
            Role::Auxiliary
        );
        assert_eq!(role_by_path("package/dist/index.mts"), Role::Import);
        assert_eq!(role_by_path("pkg/src/attest.py"), Role::Import);
        assert_eq!(role_by_path("pkg/mypkg/__init__.py"), Role::Import);
    }
}

/// Gives `path` the role `role` unless it already has a stronger one (a file run both at
/// install and on import is install-time code).
pub(crate) fn give_role<'p>(roles: &mut HashMap<&'p str, Role>, path: &'p str, role: Role) {
    let current = roles.entry(path).or_insert(role);
    *current = (*current).min(role);
}

/// Extensions of scripts that install-time code may start by name.
const SCRIPT_EXTENSIONS: &[&str] = &[
    ".sh", ".bash", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".mjs", ".cjs", ".py", ".rb",
];

/// Scripts started by install-time or build-time code run in that role: `preinstall.js`
/// that runs `exec("/bin/bash preinstall.sh")` runs it at install, though no entry point
/// names it and a script of its kind is otherwise tooling. A file counts as started when
/// its name (at least five characters, with an extension of [`SCRIPT_EXTENSIONS`])
/// appears on a line of the starting file that starts a program; a name in a list of
/// files to ship (`scripts=['tool.py']`) is not a start.
pub fn promote_started_scripts<'p>(package: &'p Package, roles: &mut HashMap<&'p str, Role>) {
    let starters: Vec<(&PackageFile, Role)> = package
        .files
        .iter()
        .filter_map(|f| {
            let role = *roles.get(f.path.as_str())?;
            matches!(role, Role::Install | Role::Build).then_some((f, role))
        })
        .collect();
    if starters.is_empty() {
        return;
    }
    let mut promotions: Vec<(&'p str, Role)> = Vec::new();
    for file in &package.files {
        let name = file.file_name();
        let lower = name.to_ascii_lowercase();
        // `__init__.py` and its kind are named everywhere for other reasons.
        if name.len() < 5
            || name.starts_with("__")
            || !SCRIPT_EXTENSIONS.iter().any(|e| lower.ends_with(e))
        {
            continue;
        }
        for (starter, role) in &starters {
            if starter.path != file.path && starts_by_name(&starter.data, name) {
                promotions.push((file.path.as_str(), *role));
            }
        }
    }
    for (path, role) in promotions {
        give_role(roles, path, role);
    }
}

/// Words of a line that starts a program or an interpreter.
const START_WORDS: &[&str] = &[
    "exec",
    "spawn",
    "system",
    "popen",
    "call(",
    "run(",
    "start",
    "bash",
    "sh ",
    "cmd",
    "powershell",
    "node ",
    "python",
    "wscript",
    "cscript",
];

/// Whether `name` appears in `data` on a line holding one of [`START_WORDS`].
fn starts_by_name(data: &[u8], name: &str) -> bool {
    let finder = memchr::memmem::Finder::new(name.as_bytes());
    finder.find_iter(data).take(64).any(|at| {
        let start = data[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let end = data[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |p| at + p);
        let line = data[start..end.min(start + 1000)].to_ascii_lowercase();
        START_WORDS
            .iter()
            .any(|w| memchr::memmem::find(&line, w.as_bytes()).is_some())
    })
}

/// Python modules imported by code of a given role run in that role: a module imported
/// by setup.py runs at install time, and one imported by a package's `__init__.py` runs
/// on import even if it is named like a test. One level of imports is followed, from
/// install-time files and from `__init__.py` files.
pub fn promote_imported_modules<'p>(package: &'p Package, roles: &mut HashMap<&'p str, Role>) {
    let paths: std::collections::HashSet<&str> =
        package.files.iter().map(|f| f.path.as_str()).collect();
    let mut promotions: Vec<(&'p str, Role)> = Vec::new();
    for file in package.files.iter().filter(|f| f.path.ends_with(".py")) {
        let role = match roles.get(file.path.as_str()) {
            Some(role) => *role,
            None if file.path.ends_with("__init__.py") => role_by_path(&file.path),
            None => continue,
        };
        if role == Role::Auxiliary {
            continue;
        }
        let folder = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        for module in imported_modules(&file.data) {
            for candidate in module_paths(&package.root, folder, &module) {
                if let Some(path) = paths.get(candidate.as_str()) {
                    promotions.push((path, role));
                }
            }
        }
    }
    for (path, role) in promotions {
        give_role(roles, path, role);
    }
}

/// Module names of `import a.b` and `from a.b import c, d` lines (`.x` for relative).
fn imported_modules(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(&data[..data.len().min(1 << 20)]);
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                continue;
            };
            let module = module.trim();
            out.push(module.to_string());
            for name in names.trim_matches(['(', ')', ' ']).split(',') {
                let name = name.split_whitespace().next().unwrap_or("");
                if !name.is_empty() && name != "*" {
                    let joined = if module.ends_with('.') {
                        format!("{module}{name}")
                    } else {
                        format!("{module}.{name}")
                    };
                    out.push(joined);
                }
            }
        } else if let Some(rest) = line.strip_prefix("import ") {
            out.extend(
                rest.split(',')
                    .filter_map(|m| m.split_whitespace().next())
                    .map(str::to_string),
            );
        }
        if out.len() > 256 {
            break;
        }
    }
    out
}

/// Where a module may live in the package: under the root, its `src/` folder, or (for
/// relative imports) beside the importing file; as `x.py` or `x/__init__.py`.
fn module_paths(root: &str, folder: &str, module: &str) -> Vec<String> {
    let relative = module.starts_with('.');
    let trimmed = module.trim_start_matches('.');
    if trimmed.is_empty() {
        return Vec::new();
    }
    let as_path = trimmed.replace('.', "/");
    let bases: Vec<String> = if relative {
        vec![if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        }]
    } else {
        vec![root.to_string(), format!("{root}src/")]
    };
    bases
        .iter()
        .flat_map(|base| {
            [
                format!("{base}{as_path}.py"),
                format!("{base}{as_path}/__init__.py"),
            ]
        })
        .collect()
}

#[cfg(test)]
mod import_tests {
    use super::*;

    fn file(path: &str, data: &str) -> PackageFile {
        PackageFile {
            path: path.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn modules_imported_by_setup_py_and_init_take_their_role() {
        let package = Package {
            root: "p-1/".into(),
            files: vec![
                file(
                    "p-1/setup.py",
                    "from setuptools import setup\nfrom mytools import helper\n",
                ),
                file("p-1/mytools/helper.py", "import os\n"),
                file(
                    "p-1/mytools/__init__.py",
                    "from .tests.test_callback import go\n",
                ),
                file("p-1/mytools/tests/test_callback.py", "go = 1\n"),
                file("p-1/mytools/unrelated.py", ""),
            ],
            ..Package::default()
        };
        let mut roles: HashMap<&str, Role> = HashMap::new();
        roles.insert("p-1/setup.py", Role::Install);
        promote_imported_modules(&package, &mut roles);
        assert_eq!(roles.get("p-1/mytools/helper.py"), Some(&Role::Install));
        assert_eq!(roles.get("p-1/mytools/__init__.py"), Some(&Role::Install));
        assert_eq!(
            roles.get("p-1/mytools/tests/test_callback.py"),
            Some(&Role::Import)
        );
        assert_eq!(roles.get("p-1/mytools/unrelated.py"), None);
    }

    #[test]
    fn scripts_named_by_an_install_script_run_at_install() {
        let package = Package {
            root: "package/".into(),
            files: vec![
                file(
                    "package/preinstall.js",
                    "if (win) exec('preinstall.bat');\nelse spawn('/bin/bash', ['preinstall.sh']);\nconst docs = 'see release.sh';\n",
                ),
                file("package/preinstall.bat", "curl x"),
                file("package/preinstall.sh", "curl x"),
                file("package/scripts/release.sh", "npm publish"),
            ],
            ..Package::default()
        };
        let mut roles: HashMap<&str, Role> = HashMap::new();
        roles.insert("package/preinstall.js", Role::Install);
        promote_started_scripts(&package, &mut roles);
        assert_eq!(roles.get("package/preinstall.bat"), Some(&Role::Install));
        assert_eq!(roles.get("package/preinstall.sh"), Some(&Role::Install));
        assert_eq!(roles.get("package/scripts/release.sh"), None);
    }
}
