//! NuGet packages: a `.nupkg` is a zip with a top-level `*.nuspec` (XML; the id and
//! version are in `package/metadata`, under a namespace that varies by schema version).
//!
//! Two things in a package run without being called: PowerShell scripts in `tools/`,
//! which Visual Studio runs on install, uninstall or solution load, and MSBuild
//! `.props`/`.targets` in `build/` and `buildTransitive/`, which MSBuild imports into
//! every project that references the package and which can run any command.

use crate::common::{Ctx, EntryExt, Identity, entry, manifest_bytes};
use crate::xml::{self, Event};
use palisade_core::{Category, Ecosystem, PackageFile, Phase, RuleInfo, Severity};

pub static POWERSHELL: RuleInfo = RuleInfo {
    id: "install/nuget-powershell",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "The package ships tools/init.ps1, install.ps1 or uninstall.ps1.",
    why: "Visual Studio runs these PowerShell scripts with the developer's rights when the \
          package is installed or removed (packages.config projects) or, for init.ps1, each \
          time the solution opens. Modern packages rarely need them.",
    example: "tools/install.ps1",
    attack: Some("T1059.001"),
};

pub static MSBUILD: RuleInfo = RuleInfo {
    id: "install/msbuild-targets",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "The package ships MSBuild .props or .targets files that builds import.",
    why: "MSBuild imports `build/<id>.props` and `.targets` into every project that \
          references the package (`buildTransitive/` also into projects that reference it \
          indirectly); an `<Exec>` task or an inline `<UsingTask>` there runs arbitrary \
          code on every build.",
    example: "build/net8.0/Foo.targets with <Exec Command=\"...\" />",
    attack: Some("T1127.001"),
};

const BUILD_FOLDERS: &[&str] = &["build", "buildtransitive", "buildmultitargeting"];

/// A `.nupkg`: the nuspec is at the top of the archive.
pub(crate) fn nupkg(ctx: &Ctx) -> Option<Identity> {
    identify(ctx, "")
}

pub(crate) fn source(ctx: &Ctx, root: &str) -> Option<Identity> {
    identify(ctx, root)
}

fn identify(ctx: &Ctx, root: &str) -> Option<Identity> {
    let nuspec = ctx
        .children(root)
        .into_iter()
        .find(|f| f.path.to_ascii_lowercase().ends_with(".nuspec"))?;
    let format = if ctx.format == "zip" && root.is_empty() {
        "nupkg"
    } else {
        ctx.format
    };
    let mut id = Identity::new(Some(Ecosystem::NuGet), ctx.format_as(format), root);
    id.manifest_path = Some(nuspec.path.clone());
    if let Some(data) = manifest_bytes(nuspec, &mut id) {
        let (mut package_id, mut version) = (String::new(), String::new());
        let walked = xml::walk(data, |stack, event| {
            if let Event::Text(text) = event {
                match stack {
                    [p, m, leaf] if p == "package" && m == "metadata" => match leaf.as_str() {
                        "id" => package_id.push_str(text),
                        "version" => version.push_str(text),
                        _ => {}
                    },
                    _ => {}
                }
            }
        });
        match walked {
            Ok(()) => {
                id.set_name(Some(&package_id));
                id.set_version(Some(&version));
                if id.name.is_none() {
                    id.unreadable(&nuspec.path, "no <package><metadata><id>", None);
                }
            }
            Err(err) => id.unreadable(&nuspec.path, &err.message, Some((data, err.offset))),
        }
    }
    let package_id = id.name.clone().unwrap_or_default().to_ascii_lowercase();
    let files: Vec<&PackageFile> = ctx.under(root).collect();
    for file in &files {
        let relative = &file.path[root.len()..];
        if relative.contains("!/") {
            continue;
        }
        let lower = relative.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('/').collect();
        if let Some(point) = powershell(file, relative, &parts) {
            // What the script loads from the package (`Add-Type -Path
            // (Join-Path $toolsPath 'Helper.dll')`, `. "$toolsPath\setup.ps1"`) runs with it.
            let mut runs = point.runs_files.clone();
            runs.extend(named_code_files(&file.data, &files));
            id.entry_points.push(point.runs(runs));
        } else if let Some(point) = msbuild(file, relative, &parts, &package_id, &files) {
            id.entry_points.push(point);
        }
    }
    Some(id)
}

fn powershell(
    file: &PackageFile,
    relative: &str,
    parts: &[&str],
) -> Option<palisade_core::EntryPoint> {
    let when = match parts {
        ["tools", "init.ps1"] => "in the Package Manager Console each time the solution opens",
        ["tools", "install.ps1"] | ["tools", _, "install.ps1"] => {
            "when the package is installed into a packages.config project"
        }
        ["tools", "uninstall.ps1"] | ["tools", _, "uninstall.ps1"] => {
            "when the package is removed from a packages.config project"
        }
        _ => return None,
    };
    let message = format!("Visual Studio runs {relative} {when}");
    Some(entry(&POWERSHELL, Phase::Install, &file.path, message).runs(vec![file.path.clone()]))
}

fn msbuild(
    file: &PackageFile,
    relative: &str,
    parts: &[&str],
    package_id: &str,
    files: &[&PackageFile],
) -> Option<palisade_core::EntryPoint> {
    let (folder, name) = match parts {
        [folder, name] | [folder, _, name] => (*folder, *name),
        _ => return None,
    };
    let stem = name
        .strip_suffix(".props")
        .or_else(|| name.strip_suffix(".targets"))?;
    if !BUILD_FOLDERS.contains(&folder) {
        return None;
    }
    let imported = if stem == package_id {
        if folder == "buildtransitive" {
            "MSBuild imports it into every project that references the package, even indirectly"
        } else {
            "MSBuild imports it into every project that references the package"
        }
    } else {
        "imported when the package's own .props or .targets import it"
    };
    let exec = find_tag(&file.data, b"<exec");
    let task = find_tag(&file.data, b"<usingtask");
    // A task assembly the file loads with <UsingTask AssemblyFile="..."> runs in the
    // build as the file's own <Exec> would.
    let assemblies = task_assemblies(&file.data, files);
    let (does, at) = match (exec, task) {
        (Some(at), _) => ("; it runs commands with <Exec>".to_string(), Some(at)),
        (None, Some(at)) if !assemblies.is_empty() => (
            format!(
                "; it loads and runs task code from {}",
                assemblies.join(", ")
            ),
            Some(at),
        ),
        (None, Some(at)) => ("; it defines a task with <UsingTask>".to_string(), Some(at)),
        (None, None) => (String::new(), None),
    };
    let message = format!("{relative}: {imported}{does}");
    let mut runs = vec![file.path.clone()];
    runs.extend(assemblies);
    let point = entry(&MSBUILD, Phase::Build, &file.path, message).runs(runs);
    Some(match at {
        Some(offset) => point.evidence(&file.data, offset),
        None => point,
    })
}

/// The package files named by the `AssemblyFile` attributes of `data`: the task
/// assemblies an MSBuild file loads. The attribute holds a path built from properties
/// (`$(MSBuildThisFileDirectory)..\tools\Tasks.dll`); its file name is what is matched.
fn task_assemblies(data: &[u8], files: &[&PackageFile]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for (at, _) in lower.match_indices("assemblyfile") {
        let rest = &text[at + "assemblyfile".len()..];
        let Some(rest) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(value) = rest[1..].split(quote).next() else {
            continue;
        };
        let name = value.rsplit(['/', '\\']).next().unwrap_or(value);
        if name.is_empty() || name.contains("$(") {
            continue;
        }
        found.extend(
            files
                .iter()
                .filter(|f| f.file_name().eq_ignore_ascii_case(name))
                .map(|f| f.path.clone()),
        );
    }
    found
}

/// The package's assemblies, programs and scripts whose file names a script names.
fn named_code_files(script: &[u8], files: &[&PackageFile]) -> Vec<String> {
    let text = String::from_utf8_lossy(script).to_ascii_lowercase();
    files
        .iter()
        .filter(|f| {
            let name = f.file_name().to_ascii_lowercase();
            [".dll", ".exe", ".ps1", ".psm1"]
                .iter()
                .any(|ext| name.ends_with(ext))
                && text.contains(&name)
        })
        .map(|f| f.path.clone())
        .collect()
}

/// Offset of an element `tag` (lower case, with its `<`), matched without regard to
/// case as MSBuild does.
fn find_tag(data: &[u8], tag: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'<', data).find(|&at| {
        let end = at + tag.len();
        data.get(at..end)
            .is_some_and(|t| t.eq_ignore_ascii_case(tag))
            && data
                .get(end)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_assemblies_are_found_by_file_name() {
        let files = [
            PackageFile {
                path: "tools/net8.0/Contoso.Build.Tasks.dll".into(),
                data: Vec::new(),
            },
            PackageFile {
                path: "lib/net8.0/Contoso.dll".into(),
                data: Vec::new(),
            },
        ];
        let refs: Vec<&PackageFile> = files.iter().collect();
        let targets = br#"<UsingTask TaskName="Stamp" AssemblyFile="$(MSBuildThisFileDirectory)..\tools\net8.0\Contoso.Build.Tasks.dll" />
            <UsingTask TaskName="Other" AssemblyFile = '$(TaskPath)' />"#;
        assert_eq!(
            task_assemblies(targets, &refs),
            ["tools/net8.0/Contoso.Build.Tasks.dll"]
        );
    }

    #[test]
    fn a_script_runs_the_package_files_it_names() {
        let files = [
            PackageFile {
                path: "tools/CbHelper.dll".into(),
                data: Vec::new(),
            },
            PackageFile {
                path: "lib/net8.0/Other.dll".into(),
                data: Vec::new(),
            },
        ];
        let refs: Vec<&PackageFile> = files.iter().collect();
        let script = b"Add-Type -Path (Join-Path $toolsPath 'cbhelper.DLL')";
        assert_eq!(named_code_files(script, &refs), ["tools/CbHelper.dll"]);
    }

    #[test]
    fn tags_match_whole_names_without_case() {
        assert_eq!(
            find_tag(b"<Target>\n<EXEC Command='x'/>", b"<exec"),
            Some(9)
        );
        assert_eq!(find_tag(b"<ExecAsync/>", b"<exec"), None);
    }
}
