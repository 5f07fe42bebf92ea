use super::*;
use palisade_core::{Ecosystem, Phase};

const SPEC: &str = "--- !ruby/object:Gem::Specification
name: nativegem
version: !ruby/object:Gem::Version
  version: 1.2.3
platform: ruby
authors:
- A Person
dependencies:
- !ruby/object:Gem::Dependency
  name: rake
  requirement: &1 !ruby/object:Gem::Requirement
    requirements:
    - - \">=\"
      - !ruby/object:Gem::Version
        version: '0'
  version_requirements: *1
extensions:
- ext/nativegem/extconf.rb
- ext/other/Rakefile
executables: []
files:
- lib/nativegem.rb
";

#[test]
fn a_gem_lists_its_extensions() {
    let package = identify(
        "tar",
        &[
            ("metadata.gz!/metadata", SPEC.as_bytes()),
            ("data.tar.gz!/lib/nativegem.rb", b"module Nativegem; end"),
            ("data.tar.gz!/ext/nativegem/extconf.rb", b"require 'mkmf'"),
            ("checksums.yaml.gz!/checksums.yaml", b"---\n"),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::RubyGems,
        "nativegem",
        Some("1.2.3"),
        "gem",
        "",
    );
    assert_eq!(
        package.manifest_path.as_deref(),
        Some("metadata.gz!/metadata")
    );
    assert!(package.findings.is_empty());
    assert_eq!(
        rules(&package),
        vec!["install/gem-extension", "install/gem-extension"]
    );

    let first = &package.entry_points[0];
    assert_eq!(first.phase, Phase::Install);
    assert_eq!(first.path, "metadata.gz!/metadata");
    assert_eq!(first.line, line_of(SPEC, "- ext/nativegem"));
    assert_eq!(first.snippet.as_deref(), Some("- ext/nativegem/extconf.rb"));
    assert_eq!(
        first.runs_files,
        vec!["data.tar.gz!/ext/nativegem/extconf.rb"]
    );
    // The Rakefile is declared but missing from the data: nothing to point at.
    assert!(package.entry_points[1].runs_files.is_empty());
    assert!(package.entry_points[1].message.contains("rake"));
}

#[test]
fn a_pure_ruby_gem_has_no_entry_points() {
    let spec = "--- !ruby/object:Gem::Specification\nname: pure\nversion: !ruby/object:Gem::Version\n  version: '0.9'\nextensions: []\n";
    let package = identify(
        "tar",
        &[
            ("metadata.gz!/metadata", spec.as_bytes()),
            ("data.tar.gz!/lib/pure.rb", b""),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::RubyGems,
        "pure",
        Some("0.9"),
        "gem",
        "",
    );
    assert!(package.entry_points.is_empty());
}

#[test]
fn a_gem_whose_metadata_could_not_be_unpacked_is_still_a_gem() {
    let package = identify(
        "tar",
        &[("metadata.gz", b"\x1f\x8bgarbage"), ("data.tar.gz", b"x")],
    );
    assert_eq!(package.ecosystem, Some(Ecosystem::RubyGems));
    assert_eq!(findings(&package), vec!["manifest/unreadable"]);
}

#[test]
fn a_gem_source_folder_is_read_from_its_gemspec() {
    let gemspec = "Gem::Specification.new do |spec|\n  spec.name          = \"srcgem\"\n  spec.version       = Srcgem::VERSION\n  spec.extensions    = [\"ext/srcgem/extconf.rb\"]\nend\n";
    let package = identify(
        "directory",
        &[
            ("srcgem.gemspec", gemspec.as_bytes()),
            ("ext/srcgem/extconf.rb", b""),
            ("lib/srcgem.rb", b""),
        ],
    );
    assert_identity(
        &package,
        Ecosystem::RubyGems,
        "srcgem",
        None,
        "directory",
        "",
    );
    let point = only(&package, "install/gem-extension");
    assert_eq!(point.path, "srcgem.gemspec");
    assert_eq!(point.line, Some(4));
    assert_eq!(point.runs_files, vec!["ext/srcgem/extconf.rb"]);
}

#[test]
fn a_rubygems_plugin_runs_on_every_gem_command() {
    let spec = "--- !ruby/object:Gem::Specification\nname: plugged\nversion: !ruby/object:Gem::Version\n  version: '1.0'\nextensions: []\n";
    let package = identify(
        "tar",
        &[
            ("metadata.gz!/metadata", spec.as_bytes()),
            ("data.tar.gz!/lib/plugged.rb", b""),
            (
                "data.tar.gz!/lib/rubygems_plugin.rb",
                b"Gem.post_install { |i| }",
            ),
        ],
    );
    let point = only(&package, "install/gem-rubygems-plugin");
    assert_eq!(point.phase, Phase::Install);
    assert_eq!(
        point.runs_files,
        vec!["data.tar.gz!/lib/rubygems_plugin.rb"]
    );
    // A file of that name elsewhere (a test fixture) is not loaded by RubyGems.
    let package = identify(
        "tar",
        &[
            ("metadata.gz!/metadata", spec.as_bytes()),
            ("data.tar.gz!/test/fixtures/rubygems_plugin.rb", b""),
        ],
    );
    assert!(package.entry_points.is_empty());
}

#[test]
fn a_rubygems_plugin_is_found_on_the_load_path_the_spec_declares() {
    let spec = "--- !ruby/object:Gem::Specification\nname: plugged\nversion: !ruby/object:Gem::Version\n  version: '1.0'\nrequire_paths:\n- src\nextensions: []\n";
    let package = identify(
        "tar",
        &[
            ("metadata.gz!/metadata", spec.as_bytes()),
            (
                "data.tar.gz!/src/rubygems_plugin.rb",
                b"Gem.post_install { }",
            ),
        ],
    );
    let point = only(&package, "install/gem-rubygems-plugin");
    assert_eq!(
        point.runs_files,
        vec!["data.tar.gz!/src/rubygems_plugin.rb"]
    );
    // Spelled `./src/` or `lib/../src`, it is the same folder.
    for spelled in ["./src/", "lib/../src", "src//"] {
        let spec = spec.replace("- src", &format!("- {spelled}"));
        let package = identify(
            "tar",
            &[
                ("metadata.gz!/metadata", spec.as_bytes()),
                ("data.tar.gz!/src/rubygems_plugin.rb", b""),
            ],
        );
        assert_eq!(
            rules(&package),
            vec!["install/gem-rubygems-plugin"],
            "{spelled}"
        );
    }
    // With `src` declared, a plugin left under lib/ is not on the load path.
    let package = identify(
        "tar",
        &[
            ("metadata.gz!/metadata", spec.as_bytes()),
            ("data.tar.gz!/lib/rubygems_plugin.rb", b""),
        ],
    );
    assert!(package.entry_points.is_empty());
}
