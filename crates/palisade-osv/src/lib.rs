//! Palisade's OSV side: advisories, version schemes, range matching and the local advisory database.
