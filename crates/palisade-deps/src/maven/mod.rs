//! Maven-ecosystem files: `pom.xml` and Gradle dependency lockfiles.

pub(crate) mod gradle;
pub(crate) mod pom;

/// A Maven version as a dependency list can use it: a plain version as written, a hard
/// requirement `[1.0]` as `1.0`, and any other range as `""` (it resolves to nothing in
/// particular without the repository).
pub(crate) fn plain_version(v: &str) -> String {
    let v = v.trim();
    if let Some(inner) = v.strip_prefix('[').and_then(|r| r.strip_suffix(']'))
        && !inner.contains(',')
    {
        return inner.trim().to_string();
    }
    if v.starts_with(['[', '(']) || v.contains(',') {
        return String::new();
    }
    v.to_string()
}
