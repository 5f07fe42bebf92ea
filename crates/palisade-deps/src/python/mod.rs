//! PyPI-ecosystem files: requirements files, poetry.lock, Pipfile.lock, uv.lock, pdm.lock
//! and pylock.toml (PEP 751).

pub(crate) mod pdm;
pub(crate) mod pipenv;
pub(crate) mod poetry;
pub(crate) mod pylock;
pub(crate) mod requirements;
pub(crate) mod uv;

/// The 1-based line of each `name = "..."` line that follows a `[[package]]` header in
/// a TOML lockfile, by name, in file order: a cheap way to give TOML packages a line.
pub(crate) fn toml_package_lines(text: &str) -> std::collections::BTreeMap<String, Vec<usize>> {
    let mut out: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    let mut in_package = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_package = t == "[[package]]" || t == "[[packages]]";
            continue;
        }
        if in_package
            && let Some(rest) = t.strip_prefix("name")
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            let name = value.trim().trim_matches(|c| c == '"' || c == '\'');
            out.entry(name.to_string()).or_default().push(i + 1);
            in_package = false;
        }
    }
    out
}

/// Takes the next line recorded for `name` by [`toml_package_lines`].
pub(crate) fn take_line(
    lines: &mut std::collections::BTreeMap<String, Vec<usize>>,
    name: &str,
) -> Option<usize> {
    let list = lines.get_mut(name)?;
    (!list.is_empty()).then(|| list.remove(0))
}
