//! Reading a `pom.xml`: the artifact's coordinates (falling back to the `<parent>`'s
//! group and version, as Maven does) and the build plugins bound to phases.

use crate::common::{EntryExt, Identity, MAX_ENTRIES_PER_FILE, entry, manifest_bytes};
use crate::text::clip;
use crate::xml::{self, Event};
use palisade_core::{Category, PackageFile, Phase, RuleInfo, Severity};

pub static PLUGIN: RuleInfo = RuleInfo {
    id: "install/maven-plugin",
    category: Category::InstallTime,
    severity: Severity::Info,
    summary: "The POM binds a build plugin to a lifecycle phase with <executions>.",
    why: "Bound plugins run when the POM is built, and in every project that inherits it as \
          <parent>. Plugins such as exec-maven-plugin or maven-antrun-plugin run arbitrary \
          commands; most bound plugins are ordinary build steps.",
    example: "<plugin><artifactId>exec-maven-plugin</artifactId><executions>...",
    attack: Some("T1195.002"),
};

/// Longest text kept for one element; coordinates and goals are short.
const MAX_TEXT_CHARS: usize = 1024;

#[derive(Default)]
struct Plugin {
    offset: usize,
    group: String,
    artifact: String,
    executions: usize,
    goals: Vec<String>,
    phases: Vec<String>,
}

#[derive(Default)]
struct Pom {
    group: String,
    artifact: String,
    version: String,
    parent_group: String,
    parent_version: String,
    plugins: Vec<Plugin>,
}

/// Reads `file` into `id`: its entry points, and its coordinates when `identify` is
/// set (a jar is named by its pom.properties instead).
pub(super) fn read(file: &PackageFile, id: &mut Identity, identify: bool) {
    if identify {
        id.manifest_path = Some(file.path.clone());
    }
    let Some(data) = manifest_bytes(file, id) else {
        return;
    };
    let mut pom = Pom::default();
    let mut text = String::new();
    let mut current: Option<Plugin> = None;
    let walked = xml::walk(data, |stack, event| match event {
        Event::Start { offset } => {
            text.clear();
            if plugin_depth(stack) == Some(stack.len()) {
                current = Some(Plugin {
                    offset,
                    ..Plugin::default()
                });
            }
        }
        Event::Text(chunk) => {
            if text.len() < MAX_TEXT_CHARS {
                text.push_str(chunk);
            }
        }
        Event::End => end_element(stack, text.trim(), &mut pom, &mut current),
    });
    if let Err(err) = walked {
        id.unreadable(&file.path, &err.message, Some((data, err.offset)));
        return;
    }
    if identify {
        let group = Some(&pom.group)
            .filter(|g| !g.is_empty())
            .unwrap_or(&pom.parent_group);
        let version = Some(&pom.version)
            .filter(|v| !v.is_empty())
            .unwrap_or(&pom.parent_version);
        if group.is_empty() || pom.artifact.is_empty() {
            id.unreadable(
                &file.path,
                "no <groupId> and <artifactId> in <project>",
                None,
            );
        } else {
            id.set_name(Some(&format!("{group}:{}", pom.artifact)));
        }
        id.set_version(Some(version));
    }
    for plugin in pom.plugins {
        let mut details = Vec::new();
        if !plugin.goals.is_empty() {
            details.push(format!("goals {}", plugin.goals.join(", ")));
        }
        if !plugin.phases.is_empty() {
            details.push(format!("phases {}", plugin.phases.join(", ")));
        }
        let details = if details.is_empty() {
            String::new()
        } else {
            format!(" ({})", details.join("; "))
        };
        let name = if plugin.group.is_empty() {
            plugin.artifact.clone()
        } else {
            format!("{}:{}", plugin.group, plugin.artifact)
        };
        let message = format!(
            "Maven plugin {} runs during the build{} of this POM and of projects inheriting it",
            clip(&name, 160),
            clip(&details, 200)
        );
        id.entry_points
            .push(entry(&PLUGIN, Phase::Build, &file.path, message).evidence(data, plugin.offset));
    }
}

fn end_element(stack: &[String], text: &str, pom: &mut Pom, current: &mut Option<Plugin>) {
    let path: Vec<&str> = stack.iter().map(String::as_str).collect();
    match path.as_slice() {
        ["project", "groupId"] => pom.group = text.to_string(),
        ["project", "artifactId"] => pom.artifact = text.to_string(),
        ["project", "version"] => pom.version = text.to_string(),
        ["project", "parent", "groupId"] => pom.parent_group = text.to_string(),
        ["project", "parent", "version"] => pom.parent_version = text.to_string(),
        _ => {}
    }
    let Some(depth) = plugin_depth(stack) else {
        return;
    };
    let Some(plugin) = current.as_mut() else {
        return;
    };
    match &path[depth..] {
        [] => {
            let wanted = |p: &Plugin| p.executions > 0 && pom.plugins.len() < MAX_ENTRIES_PER_FILE;
            if let Some(plugin) = current.take().filter(wanted) {
                pom.plugins.push(plugin);
            }
        }
        ["artifactId"] => plugin.artifact = text.to_string(),
        ["groupId"] => plugin.group = text.to_string(),
        ["executions", "execution"] => plugin.executions += 1,
        ["executions", "execution", "phase"] if plugin.phases.len() < 16 => {
            plugin.phases.push(text.to_string());
        }
        ["executions", "execution", "goals", "goal"] if plugin.goals.len() < 16 => {
            plugin.goals.push(text.to_string());
        }
        _ => {}
    }
}

/// When `stack` is inside a build plugin (of the project or of a profile), the depth
/// of the `<plugin>` element. `pluginManagement` only configures, so it is excluded.
fn plugin_depth(stack: &[String]) -> Option<usize> {
    const PROJECT: &[&str] = &["project", "build", "plugins", "plugin"];
    const PROFILE: &[&str] = &[
        "project", "profiles", "profile", "build", "plugins", "plugin",
    ];
    [PROJECT, PROFILE].into_iter().find_map(|path| {
        let matches =
            stack.len() >= path.len() && stack.iter().zip(path.iter()).all(|(a, b)| a == b);
        matches.then_some(path.len())
    })
}
