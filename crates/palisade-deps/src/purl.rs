//! Package URLs (purl, ECMA-427) for resolved dependencies.
//!
//! A purl names a package the same way in every tool (SBOMs, advisory databases, scanners),
//! so `palisade deps --format cyclonedx` and the JSON output carry one per dependency. The
//! shape is `pkg:TYPE/NAMESPACE/NAME@VERSION`, each namespace segment, the name and the
//! version percent-encoded on their own (so a `/` inside a name cannot forge a segment,
//! and `+` in a version becomes `%2B`).
//!
//! Per-type rules, as the purl type definitions give them:
//! - `npm`: the scope is the namespace, its `@` always encoded (`pkg:npm/%40babel/core`);
//!   namespace and name lower-cased;
//! - `pypi`: the name PEP 503 normalised (lower case, runs of `-`, `_`, `.` become `-`);
//! - `maven`: `group:artifact` split into namespace `group` and name `artifact`;
//! - `golang`: the module path split at its last `/` into namespace and name, lower-cased;
//! - `cargo`, `gem`, `nuget`: the name as written (these types are case-preserving).
//!
//! A dependency without a version (an unpinned requirement) gets no `@VERSION` part. Git
//! commits are not added as qualifiers: the version already says what resolved.

use crate::util::pep503;
use crate::{Dependency, Ecosystem};

/// The package URL of a dependency, e.g. `pkg:npm/%40babel/core@7.24.0`.
pub fn purl(dep: &Dependency) -> String {
    let (kind, namespace, name) = coordinates(dep.ecosystem, &dep.name);
    let mut out = format!("pkg:{kind}/");
    for segment in namespace.split('/').filter(|s| !s.is_empty()) {
        encode_into(&mut out, segment);
        out.push('/');
    }
    encode_into(&mut out, &name);
    if !dep.version.is_empty() {
        out.push('@');
        encode_into(&mut out, &dep.version);
    }
    out
}

/// The purl type of an ecosystem.
pub fn purl_type(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Npm => "npm",
        Ecosystem::PyPI => "pypi",
        Ecosystem::RubyGems => "gem",
        Ecosystem::NuGet => "nuget",
        Ecosystem::Go => "golang",
        Ecosystem::Crates => "cargo",
        Ecosystem::Maven => "maven",
    }
}

/// Type, namespace (segments joined by `/`, possibly empty) and name, normalised as the
/// type requires, not yet encoded.
fn coordinates(ecosystem: Ecosystem, name: &str) -> (&'static str, String, String) {
    let kind = purl_type(ecosystem);
    let name = name.trim();
    let (namespace, name) = match ecosystem {
        Ecosystem::Npm => {
            let lower = name.to_lowercase();
            match lower.strip_prefix('@').and_then(|s| s.split_once('/')) {
                Some((scope, rest)) => (format!("@{scope}"), rest.to_string()),
                None => (String::new(), lower),
            }
        }
        Ecosystem::PyPI => (String::new(), pep503(name)),
        Ecosystem::Maven => match name.split_once(':') {
            Some((group, artifact)) => (group.to_string(), artifact.to_string()),
            None => (String::new(), name.to_string()),
        },
        Ecosystem::Go => {
            let lower = name.to_lowercase();
            match lower.rsplit_once('/') {
                Some((path, last)) => (path.to_string(), last.to_string()),
                None => (String::new(), lower),
            }
        }
        Ecosystem::RubyGems | Ecosystem::NuGet | Ecosystem::Crates => {
            (String::new(), name.to_string())
        }
    };
    (kind, namespace, name)
}

/// Percent-encodes everything but ASCII letters, digits, `.`, `-`, `_`, `~` and `:`, byte
/// by byte in UTF-8, with upper-case hex digits.
fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0x0f)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn p(ecosystem: Ecosystem, name: &str, version: &str) -> String {
        purl(&Dependency::new(ecosystem, name, version, Path::new("x")))
    }

    #[test]
    fn npm_scope_is_a_namespace_with_the_at_sign_encoded() {
        assert_eq!(
            p(Ecosystem::Npm, "@babel/core", "7.24.0"),
            "pkg:npm/%40babel/core@7.24.0"
        );
        assert_eq!(
            p(Ecosystem::Npm, "lodash", "4.17.21"),
            "pkg:npm/lodash@4.17.21"
        );
        // Old packages could have upper-case names; the npm type is lower case.
        assert_eq!(
            p(Ecosystem::Npm, "JSONStream", "1.3.5"),
            "pkg:npm/jsonstream@1.3.5"
        );
    }

    #[test]
    fn pypi_names_are_pep503_normalised() {
        assert_eq!(
            p(Ecosystem::PyPI, "Zope.Interface", "6.0"),
            "pkg:pypi/zope-interface@6.0"
        );
        assert_eq!(
            p(Ecosystem::PyPI, "typing_extensions", "4.12.2"),
            "pkg:pypi/typing-extensions@4.12.2"
        );
    }

    #[test]
    fn maven_group_and_artifact_become_namespace_and_name() {
        assert_eq!(
            p(
                Ecosystem::Maven,
                "org.apache.commons:commons-lang3",
                "3.14.0"
            ),
            "pkg:maven/org.apache.commons/commons-lang3@3.14.0"
        );
    }

    #[test]
    fn go_module_paths_keep_their_segments() {
        assert_eq!(
            p(Ecosystem::Go, "github.com/gorilla/mux", "v1.8.1"),
            "pkg:golang/github.com/gorilla/mux@v1.8.1"
        );
        assert_eq!(
            p(
                Ecosystem::Go,
                "github.com/Azure/go-autorest",
                "v14.2.0+incompatible"
            ),
            "pkg:golang/github.com/azure/go-autorest@v14.2.0%2Bincompatible"
        );
    }

    #[test]
    fn cargo_gem_and_nuget_keep_the_name_and_encode_the_version() {
        assert_eq!(
            p(Ecosystem::Crates, "serde", "1.0.200"),
            "pkg:cargo/serde@1.0.200"
        );
        assert_eq!(
            p(Ecosystem::Crates, "wasi", "0.11.0+wasi-snapshot-preview1"),
            "pkg:cargo/wasi@0.11.0%2Bwasi-snapshot-preview1"
        );
        assert_eq!(
            p(Ecosystem::RubyGems, "rails", "7.1.3"),
            "pkg:gem/rails@7.1.3"
        );
        assert_eq!(
            p(Ecosystem::NuGet, "Newtonsoft.Json", "13.0.3"),
            "pkg:nuget/Newtonsoft.Json@13.0.3"
        );
    }

    #[test]
    fn missing_versions_and_hostile_characters() {
        assert_eq!(p(Ecosystem::PyPI, "requests", ""), "pkg:pypi/requests");
        // A slash or `@` inside a name cannot forge a segment or a version.
        assert_eq!(
            p(Ecosystem::RubyGems, "a/b@c", "1 0"),
            "pkg:gem/a%2Fb%40c@1%200"
        );
        assert_eq!(p(Ecosystem::Crates, "é", "1"), "pkg:cargo/%C3%A9@1");
    }
}
