//! The little URL work the clients need: resolving a reference found in a response
//! against the response's own URL (RFC 3986 section 5), and percent-encoding path
//! segments. Small enough not to justify a URL crate.

/// Resolves `reference` against `base` the way a browser would: absolute URLs stay,
/// `//host/x`, `/x`, `x`, `../x` and `?q` are taken relative to `base`.
pub fn resolve(base: &str, reference: &str) -> String {
    let reference = reference.trim();
    if has_scheme(reference) {
        return reference.to_string();
    }
    let (scheme, rest) = match base.split_once("://") {
        Some(parts) => parts,
        None => return reference.to_string(),
    };
    if let Some(net_path) = reference.strip_prefix("//") {
        return format!("{scheme}://{net_path}");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let base_path_and_query = &rest[authority_end..];
    let base_path = base_path_and_query
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    if reference.is_empty() {
        return base.split('#').next().unwrap_or(base).to_string();
    }
    if reference.starts_with('?') || reference.starts_with('#') {
        let base_path = if base_path.is_empty() { "/" } else { base_path };
        let keep_query = reference.starts_with('#');
        let query = if keep_query {
            base_path_and_query
                .split('#')
                .next()
                .and_then(|p| p.find('?').map(|i| &p[i..]))
                .unwrap_or_default()
        } else {
            ""
        };
        return format!("{scheme}://{authority}{base_path}{query}{reference}");
    }
    let (ref_path, ref_tail) = match reference.find(['?', '#']) {
        Some(i) => reference.split_at(i),
        None => (reference, ""),
    };
    let merged = if ref_path.starts_with('/') {
        ref_path.to_string()
    } else {
        let dir = match base_path.rfind('/') {
            Some(i) => &base_path[..=i],
            None => "/",
        };
        format!("{dir}{ref_path}")
    };
    format!(
        "{scheme}://{authority}{}{ref_tail}",
        remove_dot_segments(&merged)
    )
}

fn has_scheme(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !s[..colon].contains('/')
}

fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters and
/// `@`, so that a `/` or `?` in a package name can never change which resource is asked.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@' | b'+') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes. Invalid escapes are kept as written; invalid UTF-8 is refused.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(value) = u8::from_str_radix(hex, 16)
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_the_reference_forms_of_rfc_3986() {
        let base = "http://h:1/a/b/c.json?x=1";
        assert_eq!(resolve(base, "https://o/x"), "https://o/x");
        assert_eq!(resolve(base, "//o/x"), "http://o/x");
        assert_eq!(resolve(base, "/x/y"), "http://h:1/x/y");
        assert_eq!(resolve(base, "d.tgz"), "http://h:1/a/b/d.tgz");
        assert_eq!(resolve(base, "../d.tgz"), "http://h:1/a/d.tgz");
        assert_eq!(resolve(base, "./e/../f?q#z"), "http://h:1/a/b/f?q#z");
        assert_eq!(resolve(base, "?y=2"), "http://h:1/a/b/c.json?y=2");
        assert_eq!(resolve("http://h", "x"), "http://h/x");
        assert_eq!(resolve(base, "../../../../x"), "http://h:1/x");
    }

    #[test]
    fn encodes_and_decodes_segments() {
        assert_eq!(encode_segment("@babel/core"), "@babel%2Fcore");
        assert_eq!(encode_segment("a b?c"), "a%20b%3Fc");
        assert_eq!(percent_decode("%40babel%2fcore").unwrap(), "@babel/core");
        assert_eq!(percent_decode("100%").unwrap(), "100%");
        assert!(percent_decode("%ff").is_none());
    }
}
