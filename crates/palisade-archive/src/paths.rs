//! Inspecting entry names before anything trusts them.

/// What is wrong with an entry name, if anything.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct NameIssues {
    pub non_utf8: bool,
    pub absolute: bool,
    pub traversal: bool,
}

/// The entry name as a `/`-separated string (lossy when not UTF-8, leading `./`
/// removed) and what is wrong with it. The name is kept as the archive says it, so the
/// evidence matches what a human sees in `tar tf`; nothing is ever written to it.
pub(crate) fn inspect_name(raw: &[u8]) -> (String, NameIssues) {
    let mut issues = NameIssues::default();
    let text = match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => {
            issues.non_utf8 = true;
            String::from_utf8_lossy(raw).into_owned()
        }
    };
    let name = text.replace('\\', "/");
    let mut name = name.as_str();
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    let bytes = name.as_bytes();
    issues.absolute = name.starts_with('/')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':');
    issues.traversal = name.split('/').any(|part| part == "..");
    (name.to_string(), issues)
}

/// Whether a link target leaves the package. `link_name` is the link's name inside its own
/// archive (without the `outer!/` prefix of a nested one). A symbolic link's target is
/// read from the folder holding the link; a hard link's target names another entry, so
/// it is read from the archive root.
pub(crate) fn link_escapes(link_name: &str, target: &str, hard: bool) -> bool {
    if target.starts_with('/') || target.starts_with('\\') || target.contains(':') {
        return true;
    }
    let mut depth: i64 = if hard {
        0
    } else {
        link_name.split('/').filter(|p| !p.is_empty()).count() as i64 - 1
    };
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_traversal_absolute_and_non_utf8_names() {
        assert!(inspect_name(b"package/../../etc/passwd").1.traversal);
        assert!(inspect_name(b"/etc/passwd").1.absolute);
        assert!(inspect_name(b"C:\\Windows\\x.dll").1.absolute);
        assert!(inspect_name(b"a\xff.txt").1.non_utf8);
        let (name, issues) = inspect_name(b"./package/index.js");
        assert_eq!(name, "package/index.js");
        assert_eq!(issues, NameIssues::default());
        assert!(!inspect_name(b"package/..foo/x").1.traversal);
    }

    #[test]
    fn hard_link_targets_are_read_from_the_archive_root() {
        assert!(!link_escapes("pkg/lib/deep/h", "pkg/index.js", true));
        assert!(link_escapes("pkg/lib/deep/h", "../outside", true));
        assert!(!link_escapes("pkg/lib/deep/h", "../outside", false));
    }

    #[test]
    fn link_escape_follows_the_folder_of_the_link() {
        assert!(!link_escapes("pkg/lib/a", "../README", false));
        assert!(link_escapes("pkg/a", "../../etc/passwd", false));
        assert!(link_escapes("pkg/a", "/etc/passwd", false));
        assert!(!link_escapes("pkg/a", "b/c", false));
    }
}
