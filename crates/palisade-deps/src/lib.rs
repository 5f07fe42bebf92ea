//! Lockfile and manifest parsers for the seven ecosystems: the resolved dependency list of a project.
