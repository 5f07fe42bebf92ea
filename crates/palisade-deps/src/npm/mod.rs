//! npm-ecosystem lockfiles: package-lock.json / npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml
//! and bun.lock. All name npm packages; they differ in how they record the tree.

pub(crate) mod bun;
pub(crate) mod package_lock;
pub(crate) mod pnpm;
pub(crate) mod yarn;

use std::collections::{BTreeMap, BTreeSet};

use crate::Dependency;

/// Splits `name@range` (yarn/bun/pnpm specifiers) at the `@` that ends the name, so that
/// `@scope/name@1` gives `("@scope/name", "1")`. Without a range, the range is empty.
pub(crate) fn split_spec(spec: &str) -> (&str, &str) {
    let from = usize::from(spec.starts_with('@'));
    match spec[from..].find('@') {
        Some(i) => (&spec[..from + i], &spec[from + i + 1..]),
        None => (spec, ""),
    }
}

/// Resolves an `npm:real-name@version` alias (as written in a version or range) to the real
/// name and version.
pub(crate) fn unalias(version: &str) -> Option<(&str, &str)> {
    let rest = version.strip_prefix("npm:")?;
    let (name, version) = split_spec(rest);
    (!name.is_empty()).then_some((name, version))
}

/// Fills in `parents` from a `child name -> dependent names` map.
pub(crate) fn attach_parents(
    deps: &mut [Dependency],
    parents: &BTreeMap<String, BTreeSet<String>>,
) {
    for dep in deps {
        if let Some(p) = parents.get(&dep.name) {
            dep.parents = p.iter().filter(|p| **p != dep.name).cloned().collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_split_after_the_scope() {
        assert_eq!(split_spec("@babel/core@^7.0.0"), ("@babel/core", "^7.0.0"));
        assert_eq!(split_spec("lodash@npm:4.17.21"), ("lodash", "npm:4.17.21"));
        assert_eq!(split_spec("lodash"), ("lodash", ""));
        assert_eq!(
            unalias("npm:@babel/code-frame@7.0.0"),
            Some(("@babel/code-frame", "7.0.0"))
        );
        assert_eq!(unalias("7.0.0"), None);
    }
}
