//! The one error type of the crate. Each variant names what a person needs to act on it:
//! the URL that failed, the package or version that is missing, the digests that differ.

use std::path::PathBuf;

/// Why a registry request, a download or its verification failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry could not be reached: DNS, connect, TLS, timeout, or it kept
    /// answering 429/5xx after every retry.
    #[error("registry unreachable: {url}: {cause}")]
    Unreachable { url: String, cause: String },

    /// The registry does not know the package.
    #[error("{ecosystem} package `{name}` not found ({url})")]
    PackageNotFound {
        ecosystem: palisade_core::Ecosystem,
        name: String,
        url: String,
    },

    /// The package exists but not in the asked-for version; `nearby` lists a few
    /// published versions close to it to help spot a typo.
    #[error("{ecosystem} package `{name}` has no version `{version}`{}", nearby_list(.nearby))]
    VersionNotFound {
        ecosystem: palisade_core::Ecosystem,
        name: String,
        version: String,
        nearby: Vec<String>,
    },

    /// The registry answered with an HTTP status that is neither success nor a reason
    /// to retry (a 4xx other than 404 and 429).
    #[error("{url}: HTTP status {status}")]
    Status { url: String, status: u16 },

    /// The downloaded bytes do not hash to what the registry publishes.
    #[error("digest mismatch for {url}: expected {algorithm} {expected}, got {actual}")]
    DigestMismatch {
        url: String,
        algorithm: String,
        expected: String,
        actual: String,
    },

    /// The response could not be understood (bad JSON, XML, missing fields).
    #[error("malformed response from {url}: {detail}")]
    Malformed { url: String, detail: String },

    /// The response body went past the configured cap.
    #[error("response from {url} is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },

    /// A package spec or package URL that cannot be parsed.
    #[error("invalid package spec `{input}`: {reason}")]
    InvalidSpec { input: String, reason: String },

    /// A configuration value or file that cannot be used.
    #[error("invalid registry configuration: {0}")]
    Config(String),

    /// A local file operation (cache, temporary file) failed.
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn nearby_list(nearby: &[String]) -> String {
    if nearby.is_empty() {
        String::new()
    } else {
        format!(" (published versions near it: {})", nearby.join(", "))
    }
}

impl RegistryError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RegistryError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn malformed(url: &str, detail: impl std::fmt::Display) -> Self {
        RegistryError::Malformed {
            url: url.to_string(),
            detail: detail.to_string(),
        }
    }

    /// True when the error says the package or version does not exist, as opposed to a
    /// failure to ask.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            RegistryError::PackageNotFound { .. } | RegistryError::VersionNotFound { .. }
        )
    }
}

/// Picks up to five published versions that are closest to `wanted`: those sharing the
/// longest prefix, then the most recent. Good enough to show `4.19.2` next to `4.19.20`.
pub(crate) fn nearby_versions(wanted: &str, versions: &[String]) -> Vec<String> {
    let common = |v: &str| {
        v.bytes()
            .zip(wanted.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut scored: Vec<(usize, usize, &String)> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| (common(v), i, v))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    scored
        .into_iter()
        .take(5)
        .map(|(_, _, v)| v.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearby_versions_prefer_shared_prefixes() {
        let versions: Vec<String> = ["1.0.0", "4.18.0", "4.19.0", "4.19.1", "5.0.0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let near = nearby_versions("4.19.2", &versions);
        assert_eq!(near[0], "4.19.1");
        assert_eq!(near[1], "4.19.0");
        assert_eq!(near.len(), 5);
    }
}
