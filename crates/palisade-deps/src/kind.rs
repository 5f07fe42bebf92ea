//! The kinds of file we parse, and how a file name selects one.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use palisade_core::Ecosystem;

/// A lockfile or manifest format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockfileKind {
    /// `package-lock.json` (lockfileVersion 1, 2, 3) and `npm-shrinkwrap.json`.
    NpmLock,
    /// `yarn.lock`, classic (v1) and berry (v2+).
    YarnLock,
    /// `pnpm-lock.yaml`, lockfile versions 5, 6 and 9.
    PnpmLock,
    /// `bun.lock`, bun's text lockfile (JSONC).
    BunLock,
    /// pip requirements files (`requirements.txt`, `requirements-dev.txt`...).
    Requirements,
    /// `poetry.lock`.
    PoetryLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `uv.lock`.
    UvLock,
    /// `pdm.lock`.
    PdmLock,
    /// `pylock.toml` and `pylock.NAME.toml` (PEP 751).
    PyLock,
    /// `Cargo.lock`.
    CargoLock,
    /// `Gemfile.lock` and `gems.locked`.
    GemfileLock,
    /// `go.mod`.
    GoMod,
    /// NuGet `packages.lock.json`.
    NugetLock,
    /// NuGet `packages.config`.
    PackagesConfig,
    /// MSBuild project files with `PackageReference` items (`.csproj`, `.fsproj`, `.vbproj`).
    Csproj,
    /// Maven `pom.xml`.
    Pom,
    /// `gradle.lockfile` and `buildscript-gradle.lockfile`.
    GradleLock,
}

impl LockfileKind {
    /// Every kind, in a stable order.
    pub const ALL: [LockfileKind; 18] = [
        LockfileKind::NpmLock,
        LockfileKind::YarnLock,
        LockfileKind::PnpmLock,
        LockfileKind::BunLock,
        LockfileKind::Requirements,
        LockfileKind::PoetryLock,
        LockfileKind::PipfileLock,
        LockfileKind::UvLock,
        LockfileKind::PdmLock,
        LockfileKind::PyLock,
        LockfileKind::CargoLock,
        LockfileKind::GemfileLock,
        LockfileKind::GoMod,
        LockfileKind::NugetLock,
        LockfileKind::PackagesConfig,
        LockfileKind::Csproj,
        LockfileKind::Pom,
        LockfileKind::GradleLock,
    ];

    /// A short stable name, for `--format`-style options and reports.
    pub fn name(self) -> &'static str {
        match self {
            LockfileKind::NpmLock => "package-lock.json",
            LockfileKind::YarnLock => "yarn.lock",
            LockfileKind::PnpmLock => "pnpm-lock.yaml",
            LockfileKind::BunLock => "bun.lock",
            LockfileKind::Requirements => "requirements.txt",
            LockfileKind::PoetryLock => "poetry.lock",
            LockfileKind::PipfileLock => "Pipfile.lock",
            LockfileKind::UvLock => "uv.lock",
            LockfileKind::PdmLock => "pdm.lock",
            LockfileKind::PyLock => "pylock.toml",
            LockfileKind::CargoLock => "Cargo.lock",
            LockfileKind::GemfileLock => "Gemfile.lock",
            LockfileKind::GoMod => "go.mod",
            LockfileKind::NugetLock => "packages.lock.json",
            LockfileKind::PackagesConfig => "packages.config",
            LockfileKind::Csproj => "csproj",
            LockfileKind::Pom => "pom.xml",
            LockfileKind::GradleLock => "gradle.lockfile",
        }
    }

    /// The ecosystem whose packages this kind lists.
    pub fn ecosystem(self) -> Ecosystem {
        use LockfileKind::*;
        match self {
            NpmLock | YarnLock | PnpmLock | BunLock => Ecosystem::Npm,
            Requirements | PoetryLock | PipfileLock | UvLock | PdmLock | PyLock => Ecosystem::PyPI,
            CargoLock => Ecosystem::Crates,
            GemfileLock => Ecosystem::RubyGems,
            GoMod => Ecosystem::Go,
            NugetLock | PackagesConfig | Csproj => Ecosystem::NuGet,
            Pom | GradleLock => Ecosystem::Maven,
        }
    }

    /// True for manifests, which give declared ranges rather than resolved versions.
    pub fn is_manifest(self) -> bool {
        matches!(
            self,
            LockfileKind::Requirements
                | LockfileKind::PackagesConfig
                | LockfileKind::Csproj
                | LockfileKind::Pom
                | LockfileKind::GoMod
        )
    }

    /// The kind a file name says, if any. Only the file name counts, not the folder.
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        Some(match name {
            "package-lock.json" | "npm-shrinkwrap.json" => LockfileKind::NpmLock,
            "yarn.lock" => LockfileKind::YarnLock,
            "pnpm-lock.yaml" => LockfileKind::PnpmLock,
            "bun.lock" => LockfileKind::BunLock,
            "poetry.lock" => LockfileKind::PoetryLock,
            "Pipfile.lock" => LockfileKind::PipfileLock,
            "uv.lock" => LockfileKind::UvLock,
            "pdm.lock" => LockfileKind::PdmLock,
            "Cargo.lock" => LockfileKind::CargoLock,
            "Gemfile.lock" | "gems.locked" => LockfileKind::GemfileLock,
            "go.mod" => LockfileKind::GoMod,
            "packages.lock.json" => LockfileKind::NugetLock,
            "packages.config" => LockfileKind::PackagesConfig,
            "pom.xml" => LockfileKind::Pom,
            "gradle.lockfile" | "buildscript-gradle.lockfile" => LockfileKind::GradleLock,
            _ if lower.ends_with(".csproj")
                || lower.ends_with(".fsproj")
                || lower.ends_with(".vbproj") =>
            {
                LockfileKind::Csproj
            }
            _ if name == "pylock.toml"
                || (name.starts_with("pylock.") && name.ends_with(".toml")) =>
            {
                LockfileKind::PyLock
            }
            _ if lower.ends_with(".txt")
                && (lower.starts_with("requirements")
                    || lower.ends_with("-requirements.txt")
                    || lower.ends_with("_requirements.txt")
                    || lower.starts_with("constraints")) =>
            {
                LockfileKind::Requirements
            }
            _ => return None,
        })
    }
}

impl fmt::Display for LockfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LockfileKind {
    type Err = String;

    /// Accepts [`LockfileKind::name`] and any file name [`LockfileKind::from_path`] knows.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LockfileKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .or_else(|| LockfileKind::from_path(Path::new(s)))
            .ok_or_else(|| format!("unknown lockfile kind `{s}`"))
    }
}
