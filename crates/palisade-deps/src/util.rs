//! Shared helpers: bounded reading, parse-error mapping to lines, JSONC, git commits.

use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::{DepsError, MAX_FILE_SIZE};

/// Reads a file as UTF-8 text (lossily), refusing files above [`MAX_FILE_SIZE`].
pub(crate) fn read_text(path: &Path) -> Result<String, DepsError> {
    let file = std::fs::File::open(path)
        .map_err(|e| DepsError::new(path, None, format!("cannot read: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| DepsError::new(path, None, format!("cannot read: {e}")))?;
    if meta.is_dir() {
        return Err(DepsError::new(path, None, "is a directory"));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(DepsError::too_large(path));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DepsError::new(path, None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(DepsError::too_large(path));
    }
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// The 1-based line of a byte offset.
pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses JSON, mapping a syntax error to its line.
pub(crate) fn json<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    what: &str,
) -> Result<T, DepsError> {
    serde_json::from_str(text).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line());
        DepsError::new(
            path,
            line,
            format!("invalid {what}: {}", strip_position(&e.to_string())),
        )
    })
}

/// Parses TOML, mapping an error to the line of its span.
pub(crate) fn toml<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    what: &str,
) -> Result<T, DepsError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_at(text, s.start));
        let msg = e.message().trim().replace('\n', " ");
        DepsError::new(path, line, format!("invalid {what}: {msg}"))
    })
}

/// Parses YAML, mapping an error to its line.
pub(crate) fn yaml<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    what: &str,
) -> Result<T, DepsError> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        DepsError::new(
            path,
            line,
            format!("invalid {what}: {}", strip_position(&e.to_string())),
        )
    })
}

/// Drops the " at line L column C" suffix that serde error messages carry: we report the
/// line ourselves.
fn strip_position(msg: &str) -> String {
    let msg = msg.lines().next().unwrap_or("");
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Removes `//` and `/* */` comments and trailing commas from JSONC (bun.lock), leaving
/// strings untouched and newlines in place so that line numbers still hold.
pub(crate) fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.extend_from_slice(&bytes[start..i]);
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] == b'\n' {
                        out.push(b'\n');
                    }
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
            }
            b']' | b'}' => {
                // Drop a comma that only whitespace separates from this closer.
                let mut j = out.len();
                while j > 0 && out[j - 1].is_ascii_whitespace() {
                    j -= 1;
                }
                if j > 0 && out[j - 1] == b',' {
                    out[j - 1] = b' ';
                }
                out.push(b);
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True for a plausible abbreviated or full git object id.
pub(crate) fn is_commit(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commit a git-ish URL pins, if any: `#<sha>`, `#commit=<sha>`, `#commit:<sha>`,
/// `?ref=<sha>`, or a GitHub codeload `/tar.gz/<sha>` archive. A `#<hex>` after a
/// registry tarball (`.tgz`) is a checksum, not a commit.
pub(crate) fn commit_from_url(url: &str) -> Option<String> {
    if let Some(i) = url.find("/tar.gz/") {
        let rest = &url[i + "/tar.gz/".len()..];
        let sha = rest.split(['#', '?', '/']).next().unwrap_or("");
        if is_commit(sha) && url.contains("codeload.") {
            return Some(sha.to_string());
        }
    }
    if let Some(i) = url.find("ref=") {
        let sha = url[i + 4..].split(['&', '#']).next().unwrap_or("");
        if is_commit(sha) {
            return Some(sha.to_string());
        }
    }
    let (base, frag) = url.rsplit_once('#')?;
    if base.ends_with(".tgz") || base.ends_with(".tar.gz") {
        return None;
    }
    let frag = frag
        .strip_prefix("commit=")
        .or_else(|| frag.strip_prefix("commit:"))
        .unwrap_or(frag);
    let frag = frag.split('&').next().unwrap_or(frag);
    is_commit(frag).then(|| frag.to_string())
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_loses_comments_and_trailing_commas_but_not_strings() {
        let src = "{\n // c\n \"a\": \"x // y,}\", /* z\n */ \"b\": [1, 2,],\n}";
        let clean = strip_jsonc(src);
        let v: serde_json::Value = serde_json::from_str(&clean).unwrap();
        assert_eq!(v["a"], "x // y,}");
        assert_eq!(v["b"], serde_json::json!([1, 2]));
        assert_eq!(clean.lines().count(), src.lines().count());
    }

    #[test]
    fn commits_come_from_git_urls_not_tarball_checksums() {
        let sha = "0a2d2506c1fe299691fc5db53a2097db3bd615bc";
        assert_eq!(
            commit_from_url(&format!("git+ssh://git@github.com:a/b#{sha}")).as_deref(),
            Some(sha)
        );
        assert_eq!(
            commit_from_url(&format!("https://codeload.github.com/a/b/tar.gz/{sha}")).as_deref(),
            Some(sha)
        );
        assert_eq!(
            commit_from_url(&format!("x@https://github.com/a/b.git#commit={sha}")).as_deref(),
            Some(sha)
        );
        assert_eq!(
            commit_from_url(&format!("https://registry.example/e/-/e-1.8.1.tgz#{sha}")),
            None
        );
        assert_eq!(commit_from_url("github:a/b#main"), None);
    }

    #[test]
    fn pep503_normalises_separators_and_case() {
        assert_eq!(pep503("Zope.Interface"), "zope-interface");
        assert_eq!(pep503("a__b-.c"), "a-b-c");
    }
}
