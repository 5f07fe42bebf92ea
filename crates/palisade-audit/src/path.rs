//! How a dependency came to be installed: the chain of packages from a direct
//! dependency down to it, following the `parents` that graph-recording lockfiles give.

use palisade_deps::Dependency;
use std::collections::HashSet;

/// Longest chain reported; real trees are rarely deeper than a dozen.
const MAX_DEPTH: usize = 32;

/// `[direct, ..., name]`, or just `[name]` when the lockfile records no graph.
pub(crate) fn dependency_path(dependency: &Dependency, all: &[Dependency]) -> Vec<String> {
    let mut chain = vec![dependency.name.clone()];
    let mut seen: HashSet<&str> = HashSet::from([dependency.name.as_str()]);
    let mut current = dependency;
    while current.direct != Some(true) && chain.len() < MAX_DEPTH {
        // The first parent from the same lockfile not yet on the chain (cycles exist).
        let next = current.parents.iter().find_map(|parent| {
            if seen.contains(parent.as_str()) {
                return None;
            }
            all.iter().find(|d| {
                &d.name == parent && d.source == current.source && d.ecosystem == current.ecosystem
            })
        });
        let Some(parent) = next else {
            break;
        };
        seen.insert(parent.name.as_str());
        chain.push(parent.name.clone());
        current = parent;
    }
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_core::Ecosystem;
    use std::path::Path;

    fn dep(name: &str, direct: bool, parents: &[&str]) -> Dependency {
        let mut d = Dependency::new(
            Ecosystem::Npm,
            name,
            "1.0.0",
            Path::new("package-lock.json"),
        );
        d.direct = Some(direct);
        d.parents = parents.iter().map(|p| p.to_string()).collect();
        d
    }

    #[test]
    fn follows_parents_to_a_direct_dependency_and_stops_on_cycles() {
        let all = vec![
            dep("app-lib", true, &[]),
            dep("mid", false, &["app-lib"]),
            dep("leaf", false, &["mid"]),
        ];
        assert_eq!(dependency_path(&all[2], &all), ["app-lib", "mid", "leaf"]);
        let cyclic = vec![dep("a", false, &["b"]), dep("b", false, &["a"])];
        assert_eq!(dependency_path(&cyclic[0], &cyclic), ["b", "a"]);
        assert_eq!(dependency_path(&all[0], &all), ["app-lib"]);
    }
}
