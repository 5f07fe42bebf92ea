//! Helpers shared by the reader tests: fixtures by name, and finding a line of a view.

use palisade_compiled::View;

pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The 1-based number of the line of `view` that is exactly `wanted`.
pub fn line_of(view: &View, wanted: &str) -> u32 {
    let index = view
        .text
        .lines()
        .position(|line| line == wanted)
        .unwrap_or_else(|| panic!("no line {wanted:?} in\n{}", view.text));
    index as u32 + 1
}
