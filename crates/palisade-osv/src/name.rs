//! Package-name normalisation, so that an advisory's name matches the name a lockfile
//! or a manifest writes.

use palisade_core::Ecosystem;
use std::borrow::Cow;

/// The canonical form of a package name in `ecosystem`:
///
/// - PyPI: PEP 503, lower case with every run of `-`, `_`, `.` turned into one `-`.
/// - NuGet: package ids are case-insensitive, so lower case.
/// - crates.io: unchanged. The registry refuses a new crate whose name differs from an
///   existing one only by case or `-`/`_`, but Cargo resolves the exact name written, and
///   advisories and lockfiles both use the published name; folding here would let an
///   advisory for `foo_bar` match a different, legitimately published `foo-bar` that
///   predates the rule.
/// - npm, Go, RubyGems: names are case-sensitive and exact.
/// - Maven: `groupId:artifactId`, exact.
pub fn normalize(ecosystem: Ecosystem, name: &str) -> Cow<'_, str> {
    match ecosystem {
        Ecosystem::PyPI => pep503(name),
        Ecosystem::NuGet => {
            if name.chars().any(char::is_uppercase) {
                Cow::Owned(name.to_lowercase())
            } else {
                Cow::Borrowed(name)
            }
        }
        Ecosystem::Npm
        | Ecosystem::Go
        | Ecosystem::Crates
        | Ecosystem::Maven
        | Ecosystem::RubyGems => Cow::Borrowed(name),
    }
}

fn pep503(name: &str) -> Cow<'_, str> {
    let is_sep = |c: char| matches!(c, '-' | '_' | '.');
    let canonical = name
        .bytes()
        .all(|b| !b.is_ascii_uppercase() && b != b'_' && b != b'.')
        && !name.contains("--");
    if canonical {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.chars() {
        if is_sep(c) {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_sep = false;
        }
    }
    Cow::Owned(out)
}

/// True when `a` and `b` name the same package of `ecosystem`.
pub fn same_package(ecosystem: Ecosystem, a: &str, b: &str) -> bool {
    normalize(ecosystem, a) == normalize(ecosystem, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_follows_pep503() {
        assert_eq!(
            normalize(Ecosystem::PyPI, "Foo.Bar__baz-_-qux"),
            "foo-bar-baz-qux"
        );
        assert_eq!(
            normalize(Ecosystem::PyPI, "zope.interface"),
            "zope-interface"
        );
        assert!(matches!(
            normalize(Ecosystem::PyPI, "requests"),
            Cow::Borrowed(_)
        ));
        assert_eq!(normalize(Ecosystem::PyPI, "a--b"), "a-b");
    }

    #[test]
    fn other_ecosystems() {
        assert_eq!(
            normalize(Ecosystem::NuGet, "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(normalize(Ecosystem::Crates, "Foo_bar"), "Foo_bar");
        assert!(!same_package(Ecosystem::Crates, "foo_bar", "foo-bar"));
        assert!(!same_package(Ecosystem::Npm, "React", "react"));
        assert!(same_package(Ecosystem::Maven, "org.a:b", "org.a:b"));
        assert!(!same_package(Ecosystem::RubyGems, "Rails", "rails"));
    }
}
