//! Package specs as people type them: `npm:express@4.19.2`, `maven:group:artifact@1.0`,
//! or package URLs (`pkg:npm/%40babel/core@7.24.0`). No version means the latest.

use crate::RegistryError;
use crate::url::percent_decode;
use palisade_core::Ecosystem;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// One package of one registry, optionally pinned to a version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PackageSpec {
    pub ecosystem: Ecosystem,
    /// The name in the registry's own form: `@scope/name` for npm, the module path for
    /// Go, `group:artifact` for Maven.
    pub name: String,
    /// `None` asks for the version the registry marks latest.
    pub version: Option<String>,
}

impl PackageSpec {
    pub fn new(ecosystem: Ecosystem, name: &str, version: Option<&str>) -> Self {
        PackageSpec {
            ecosystem,
            name: name.to_string(),
            version: version.map(str::to_string),
        }
    }
}

/// The prefix written before the colon in the short form, also used by `Display`.
fn short_name(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Npm => "npm",
        Ecosystem::PyPI => "pypi",
        Ecosystem::Crates => "crates",
        Ecosystem::RubyGems => "gem",
        Ecosystem::NuGet => "nuget",
        Ecosystem::Go => "go",
        Ecosystem::Maven => "maven",
    }
}

impl fmt::Display for PackageSpec {
    /// The short form, which parses back to the same spec.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", short_name(self.ecosystem), self.name)?;
        if let Some(version) = &self.version {
            write!(f, "@{version}")?;
        }
        Ok(())
    }
}

impl FromStr for PackageSpec {
    type Err = RegistryError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let error = |reason: &str| RegistryError::InvalidSpec {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let text = input.trim();
        let (ecosystem, name, version) = match text.strip_prefix("pkg:") {
            Some(purl) => parse_purl(purl).map_err(|r| error(&r))?,
            None => {
                let (prefix, rest) = text
                    .split_once(':')
                    .ok_or_else(|| error("expected ECOSYSTEM:NAME[@VERSION] or pkg:TYPE/NAME"))?;
                let ecosystem = prefix
                    .parse::<Ecosystem>()
                    .map_err(|e| error(&e.to_string()))?;
                let (name, version) = split_version(rest);
                (ecosystem, name.to_string(), version.map(str::to_string))
            }
        };
        if let Some(v) = &version
            && (v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(error("empty or malformed version after `@`"));
        }
        validate_name(ecosystem, &name).map_err(|r| error(&r))?;
        Ok(PackageSpec {
            ecosystem,
            name,
            version,
        })
    }
}

/// Splits `name@version` at the last `@` that is not the first character (npm scopes
/// start with one).
fn split_version(text: &str) -> (&str, Option<&str>) {
    match text.rfind('@') {
        Some(at) if at > 0 => (&text[..at], Some(&text[at + 1..])),
        _ => (text, None),
    }
}

/// `TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH` (the part after `pkg:`).
/// Qualifiers and subpath do not change which artifact is fetched here and are dropped.
fn parse_purl(purl: &str) -> Result<(Ecosystem, String, Option<String>), String> {
    let purl = purl.split('#').next().unwrap_or_default();
    let purl = purl.split('?').next().unwrap_or_default();
    let (kind, rest) = purl
        .split_once('/')
        .ok_or("a package URL needs pkg:TYPE/NAME")?;
    let ecosystem = kind.parse::<Ecosystem>().map_err(|e| e.to_string())?;
    let rest = rest.trim_start_matches('/');
    // The version separator is the `@` after the last `/`; an `@` before it can only be
    // an unencoded npm scope.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (path, version) = match rest[last_slash..].rfind('@') {
        Some(at) if last_slash + at > 0 => {
            (&rest[..last_slash + at], Some(&rest[last_slash + at + 1..]))
        }
        _ => (rest, None),
    };
    let decode =
        |s: &str| percent_decode(s).ok_or_else(|| format!("bad percent-encoding in `{s}`"));
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    let version = version.map(decode).transpose()?;
    let name = match (ecosystem, segments.as_slice()) {
        (_, []) => return Err("missing package name".into()),
        (Ecosystem::Maven, [group, artifact]) => format!("{group}:{artifact}"),
        (Ecosystem::Maven, _) => {
            return Err("Maven package URLs are pkg:maven/GROUP/ARTIFACT".into());
        }
        (Ecosystem::Npm, [scope, name]) if scope.starts_with('@') => format!("{scope}/{name}"),
        (Ecosystem::Npm, [scope, name]) => format!("@{scope}/{name}"),
        (Ecosystem::Go, all) => all.join("/"),
        (_, [name]) => name.clone(),
        (_, _) => return Err("this package type takes no namespace".into()),
    };
    Ok((ecosystem, name, version))
}

/// Refuses names no registry accepts, before they reach a URL.
fn validate_name(ecosystem: Ecosystem, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("missing package name".into());
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '\\'))
    {
        return Err("the name contains whitespace, control characters, `?`, `#` or `\\`".into());
    }
    let slashes = name.matches('/').count();
    let ok = match ecosystem {
        Ecosystem::Npm if name.starts_with('@') => {
            slashes == 1 && !name.ends_with('/') && !name.starts_with("@/")
        }
        Ecosystem::Go => {
            !name.starts_with('/')
                && !name.ends_with('/')
                && name
                    .split('/')
                    .all(|s| !s.is_empty() && s != "." && s != "..")
        }
        Ecosystem::Maven => {
            return match name.split_once(':') {
                Some((g, a))
                    if !g.is_empty() && !a.is_empty() && !a.contains(':') && slashes == 0 =>
                {
                    Ok(())
                }
                _ => Err("Maven names are GROUP:ARTIFACT".into()),
            };
        }
        _ => slashes == 0,
    };
    if ok && name != "." && name != ".." {
        Ok(())
    } else {
        Err(format!("`{name}` is not a valid {ecosystem} package name"))
    }
}

/// Whether a command-line argument names a registry package rather than a local file or
/// folder. An existing path always wins, so `./npm:x` or a file really named `gem:x`
/// is scanned as a file.
pub fn looks_like_spec(arg: &str) -> bool {
    spec_unless_existing(arg, |path| path.exists())
}

fn spec_unless_existing(arg: &str, exists: impl Fn(&Path) -> bool) -> bool {
    if exists(Path::new(arg)) {
        return false;
    }
    if arg.starts_with("pkg:") {
        return true;
    }
    match arg.split_once(':') {
        Some((prefix, rest)) => !rest.is_empty() && prefix.parse::<Ecosystem>().is_ok(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> (Ecosystem, String, Option<String>) {
        let spec: PackageSpec = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
        (spec.ecosystem, spec.name, spec.version)
    }

    fn expect(s: &str, ecosystem: Ecosystem, name: &str, version: Option<&str>) {
        assert_eq!(
            parse(s),
            (ecosystem, name.to_string(), version.map(str::to_string)),
            "{s}"
        );
    }

    #[test]
    fn short_forms_of_the_seven_ecosystems() {
        use Ecosystem::*;
        expect("npm:express@4.19.2", Npm, "express", Some("4.19.2"));
        expect("npm:@babel/core@7.24.0", Npm, "@babel/core", Some("7.24.0"));
        expect("npm:@babel/core", Npm, "@babel/core", None);
        expect("pypi:requests@2.32.3", PyPI, "requests", Some("2.32.3"));
        expect("crates:serde@1.0.200", Crates, "serde", Some("1.0.200"));
        expect("gem:rails@7.1.3", RubyGems, "rails", Some("7.1.3"));
        expect(
            "nuget:Newtonsoft.Json@13.0.3",
            NuGet,
            "Newtonsoft.Json",
            Some("13.0.3"),
        );
        expect(
            "go:github.com/gorilla/mux@v1.8.1",
            Go,
            "github.com/gorilla/mux",
            Some("v1.8.1"),
        );
        expect(
            "maven:org.apache.commons:commons-lang3@3.14.0",
            Maven,
            "org.apache.commons:commons-lang3",
            Some("3.14.0"),
        );
        expect("cargo:itoa", Crates, "itoa", None);
    }

    #[test]
    fn package_urls_of_the_seven_ecosystems() {
        use Ecosystem::*;
        expect("pkg:npm/express@4.19.2", Npm, "express", Some("4.19.2"));
        expect(
            "pkg:npm/%40babel/core@7.24.0",
            Npm,
            "@babel/core",
            Some("7.24.0"),
        );
        expect(
            "pkg:npm/@babel/core@7.24.0",
            Npm,
            "@babel/core",
            Some("7.24.0"),
        );
        expect(
            "pkg:pypi/requests@2.32.3?os=linux#src",
            PyPI,
            "requests",
            Some("2.32.3"),
        );
        expect("pkg:cargo/serde@1.0.200", Crates, "serde", Some("1.0.200"));
        expect(
            "pkg:gem/rails@7.1.3?platform=ruby",
            RubyGems,
            "rails",
            Some("7.1.3"),
        );
        expect(
            "pkg:nuget/Newtonsoft.Json@13.0.3",
            NuGet,
            "Newtonsoft.Json",
            Some("13.0.3"),
        );
        expect(
            "pkg:golang/github.com/gorilla/mux@v1.8.1",
            Go,
            "github.com/gorilla/mux",
            Some("v1.8.1"),
        );
        expect(
            "pkg:maven/org.apache.commons/commons-lang3@3.14.0?type=jar",
            Maven,
            "org.apache.commons:commons-lang3",
            Some("3.14.0"),
        );
        expect("pkg:pypi/six", PyPI, "six", None);
        expect(
            "pkg:npm/a%2Bb@1.0.0%2Bbuild",
            Npm,
            "a+b",
            Some("1.0.0+build"),
        );
    }

    #[test]
    fn display_parses_back() {
        for s in [
            "npm:@babel/core@7.24.0",
            "maven:g.h:a@1",
            "go:example.com/m",
            "gem:x@1",
        ] {
            let spec: PackageSpec = s.parse().unwrap();
            assert_eq!(spec.to_string().parse::<PackageSpec>().unwrap(), spec);
        }
    }

    #[test]
    fn bad_specs_say_why() {
        for (input, needle) in [
            ("express", "expected"),
            ("cpan:Moose", "cpan"),
            ("npm:", "missing"),
            ("npm:express@", "version"),
            ("pypi:a/b", "not a valid"),
            ("maven:commons-lang3@3", "GROUP:ARTIFACT"),
            ("pkg:maven/x@1", "GROUP/ARTIFACT"),
            ("go:example.com/../x", "not a valid"),
            ("pkg:npm/%ff@1", "percent"),
            ("npm:a b", "whitespace"),
            ("pkg:pypi", "pkg:TYPE/NAME"),
        ] {
            let err = input.parse::<PackageSpec>().unwrap_err().to_string();
            assert!(
                err.contains(input) && err.contains(needle),
                "{input}: {err}"
            );
        }
    }

    #[test]
    fn existing_paths_are_not_specs() {
        assert!(looks_like_spec("npm:express@4.19.2"));
        assert!(looks_like_spec("pkg:npm/express"));
        assert!(!looks_like_spec("examples/esbuild-0.19.0.tgz"));
        assert!(!looks_like_spec("C:\\packages\\x.tgz"));
        assert!(!looks_like_spec("npm:"));
        assert!(!spec_unless_existing("npm:trick", |p| p == Path::new("npm:trick")));
        assert!(spec_unless_existing("npm:trick", |p| p == Path::new("other")));
    }
}
