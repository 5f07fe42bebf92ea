//! Helpers shared by the format tests.

use std::path::Path;

use palisade_deps::{Dependency, LockfileKind, parse_as};

pub fn parse(kind: LockfileKind, name: &str, text: &str) -> Vec<Dependency> {
    parse_as(kind, Path::new(name), text).unwrap_or_else(|e| panic!("{e}"))
}

pub fn find<'a>(deps: &'a [Dependency], name: &str) -> &'a Dependency {
    deps.iter().find(|d| d.name == name).unwrap_or_else(|| {
        panic!(
            "{name} missing from {:?}",
            deps.iter().map(|d| &d.name).collect::<Vec<_>>()
        )
    })
}
