//! NuGet files: `packages.lock.json`, `packages.config` and MSBuild project files with
//! `PackageReference` items.

pub(crate) mod csproj;
pub(crate) mod lock;
pub(crate) mod packages_config;
