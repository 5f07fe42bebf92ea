//! Where the registries are and how patiently to talk to them.
//!
//! The public registries' addresses live in [`DEFAULT_BASES`] and nowhere else, so that a
//! mirror, a proxy or a test server can replace any of them. Precedence, lowest first:
//! the defaults table, then the TOML file the caller names, then `PALISADE_REGISTRY_*`
//! environment variables.

use crate::RegistryError;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// One base URL the clients use. Most are one per registry; the crate index, crate
/// downloads and the Go checksum database live apart from their registry's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Npm,
    PyPI,
    Crates,
    CratesDownload,
    /// The crate registry's sparse index, which cargo itself reads: versions, yanked
    /// flags, dependencies and checksums, but no owners.
    CratesIndex,
    RubyGems,
    NuGet,
    Go,
    GoSumDb,
    Maven,
}

/// The defaults table: the one place that names the public registries. Each row is the
/// endpoint, its key in the TOML `[registries]` table (upper-cased, it is also the
/// suffix of the `PALISADE_REGISTRY_` variable), and its default base URL.
pub const DEFAULT_BASES: [(Endpoint, &str, &str); 10] = [
    (Endpoint::Npm, "npm", "https://registry.npmjs.org"),
    (Endpoint::PyPI, "pypi", "https://pypi.org"),
    (Endpoint::Crates, "crates", "https://crates.io"),
    (
        Endpoint::CratesDownload,
        "crates_download",
        "https://static.crates.io",
    ),
    (
        Endpoint::CratesIndex,
        "crates_index",
        "https://index.crates.io",
    ),
    (Endpoint::RubyGems, "rubygems", "https://rubygems.org"),
    (Endpoint::NuGet, "nuget", "https://api.nuget.org"),
    (Endpoint::Go, "go", "https://proxy.golang.org"),
    (Endpoint::GoSumDb, "go_sumdb", "https://sum.golang.org"),
    (Endpoint::Maven, "maven", "https://repo1.maven.org/maven2"),
];

impl Endpoint {
    fn index(self) -> usize {
        DEFAULT_BASES
            .iter()
            .position(|(e, _, _)| *e == self)
            .unwrap_or(0)
    }

    /// The key of this endpoint in the TOML `[registries]` table.
    pub fn key(self) -> &'static str {
        DEFAULT_BASES[self.index()].1
    }

    /// The environment variable that overrides this endpoint.
    pub fn env_var(self) -> String {
        format!("PALISADE_REGISTRY_{}", self.key().to_ascii_uppercase())
    }
}

/// Everything the clients need to know: base URLs, timeouts, retries, limits.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    bases: [String; 10],
    /// Ask the crate registry's web API first (owners, publisher, description), and
    /// read the sparse index only when the API cannot be reached. Off only when asked
    /// (`crates = "off"`): then the index alone answers, as it does for cargo.
    pub crates_api: bool,
    /// Check Go module zips against the checksum database. Off only when asked
    /// (`go_sumdb = "off"`, as Go's own `GOSUMDB=off`).
    pub verify_go_sums: bool,
    /// Limit for the whole of one request, connect to last byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Extra attempts after the first on connect errors, timeouts, 429 and 5xx.
    pub retries: u32,
    /// First backoff delay; doubled on each retry.
    pub retry_base_delay: Duration,
    /// Longest wait honoured from a `Retry-After` header or from the backoff.
    pub max_retry_delay: Duration,
    /// Requests in flight at once through one client.
    pub concurrency: usize,
    /// Cap for metadata bodies (JSON, XML, text).
    pub metadata_limit: u64,
    /// Cap for artifact downloads.
    pub artifact_limit: u64,
    /// Sent on every request; the crate registry refuses anonymous clients.
    pub user_agent: String,
    /// PEM file of the certificate authorities to trust for HTTPS. `None` trusts the
    /// Mozilla roots built into the TLS stack; [`RegistryConfig::load`] takes the
    /// file named by `SSL_CERT_FILE`, as curl and OpenSSL do, so that a proxy that
    /// re-signs traffic with a local authority works the same for Palisade.
    pub ca_bundle: Option<std::path::PathBuf>,
}

impl Default for RegistryConfig {
    /// The public registries, with the built-in timeouts and limits. Ignores the
    /// environment; see [`RegistryConfig::load`].
    fn default() -> Self {
        RegistryConfig {
            bases: DEFAULT_BASES.map(|(_, _, url)| url.to_string()),
            crates_api: true,
            verify_go_sums: true,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            retry_base_delay: Duration::from_millis(500),
            max_retry_delay: Duration::from_secs(30),
            concurrency: 8,
            metadata_limit: 64 << 20,
            artifact_limit: 512 << 20,
            user_agent: format!(
                "palisade/{} (+{})",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_REPOSITORY")
            ),
            ca_bundle: None,
        }
    }
}

/// The TOML file's shape. Unknown keys are refused so that a typo does not silently
/// leave the public registry in place.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    timeout_seconds: Option<u64>,
    connect_timeout_seconds: Option<u64>,
    retries: Option<u32>,
    concurrency: Option<usize>,
    artifact_limit_bytes: Option<u64>,
    metadata_limit_bytes: Option<u64>,
    ca_bundle: Option<std::path::PathBuf>,
    #[serde(default)]
    registries: std::collections::BTreeMap<String, String>,
}

impl RegistryConfig {
    /// Defaults, then the TOML file at `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, RegistryError> {
        let mut config = RegistryConfig::default();
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).map_err(|source| RegistryError::io(path, source))?;
            config
                .apply_toml(&text)
                .map_err(|e| RegistryError::Config(format!("{}: {e}", path.display())))?;
        }
        config.apply_env_with(|name| std::env::var(name).ok())?;
        if config.ca_bundle.is_none() {
            config.ca_bundle = std::env::var_os("SSL_CERT_FILE")
                .filter(|v| !v.is_empty())
                .map(Into::into);
        }
        if let Some(path) = &config.ca_bundle {
            crate::http::load_ca_bundle(path)?;
        }
        Ok(config)
    }

    /// The base URL of `endpoint`, without a trailing slash.
    pub fn base(&self, endpoint: Endpoint) -> &str {
        &self.bases[endpoint.index()]
    }

    /// Whether `endpoint` still points at its public default.
    pub fn is_default(&self, endpoint: Endpoint) -> bool {
        self.base(endpoint) == DEFAULT_BASES[endpoint.index()].2
    }

    /// Points `endpoint` at another base URL (a mirror, a test server). `off` for the Go
    /// checksum database turns verification of Go modules off; `off` for the crate
    /// registry's API leaves crates to the sparse index alone, and a URL turns the API
    /// back on.
    pub fn set_base(&mut self, endpoint: Endpoint, url: &str) -> Result<(), RegistryError> {
        let url = url.trim();
        let off = url.eq_ignore_ascii_case("off");
        match endpoint {
            Endpoint::GoSumDb if off => {
                self.verify_go_sums = false;
                return Ok(());
            }
            Endpoint::Crates if off => {
                self.crates_api = false;
                return Ok(());
            }
            Endpoint::Crates => self.crates_api = true,
            _ => {}
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(RegistryError::Config(format!(
                "{} must be an http:// or https:// URL, got `{url}`",
                endpoint.key()
            )));
        }
        self.bases[endpoint.index()] = url.trim_end_matches('/').to_string();
        Ok(())
    }

    /// Applies a TOML document (`timeout_seconds`, `retries`, `concurrency`,
    /// `[registries] npm = "..."`...).
    pub fn apply_toml(&mut self, text: &str) -> Result<(), RegistryError> {
        let file: FileConfig =
            toml::from_str(text).map_err(|e| RegistryError::Config(e.to_string()))?;
        if let Some(s) = file.timeout_seconds {
            self.timeout = Duration::from_secs(s);
        }
        if let Some(s) = file.connect_timeout_seconds {
            self.connect_timeout = Duration::from_secs(s);
        }
        if let Some(r) = file.retries {
            self.retries = r;
        }
        if let Some(c) = file.concurrency {
            self.concurrency = c.max(1);
        }
        if let Some(l) = file.artifact_limit_bytes {
            self.artifact_limit = l;
        }
        if let Some(l) = file.metadata_limit_bytes {
            self.metadata_limit = l;
        }
        if let Some(path) = file.ca_bundle {
            self.ca_bundle = Some(path);
        }
        for (key, url) in &file.registries {
            let endpoint = DEFAULT_BASES
                .iter()
                .find(|(_, k, _)| k == key)
                .map(|(e, _, _)| *e)
                .ok_or_else(|| {
                    let keys: Vec<&str> = DEFAULT_BASES.iter().map(|(_, k, _)| *k).collect();
                    RegistryError::Config(format!(
                        "unknown registry `{key}` (expected one of {})",
                        keys.join(", ")
                    ))
                })?;
            self.set_base(endpoint, url)?;
        }
        Ok(())
    }

    /// Applies `PALISADE_REGISTRY_*` overrides read through `lookup`, so that callers
    /// and tests can supply a map instead of the process environment.
    pub fn apply_env_with(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), RegistryError> {
        for (endpoint, _, _) in DEFAULT_BASES {
            if let Some(url) = lookup(&endpoint.env_var()).filter(|v| !v.trim().is_empty()) {
                self.set_base(endpoint, &url)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_the_defaults() {
        let mut config = RegistryConfig::default();
        let default_pypi = config.base(Endpoint::PyPI).to_string();
        config
            .apply_toml(
                "timeout_seconds = 7\nretries = 1\nconcurrency = 2\n\
                 [registries]\nnpm = \"http://mirror.test/npm/\"\ngo_sumdb = \"off\"\n",
            )
            .unwrap();
        assert_eq!(config.base(Endpoint::Npm), "http://mirror.test/npm");
        assert_eq!(config.timeout, Duration::from_secs(7));
        assert_eq!((config.retries, config.concurrency), (1, 2));
        assert!(!config.verify_go_sums);
        config
            .apply_env_with(|name| {
                (name == "PALISADE_REGISTRY_NPM").then(|| "http://env.test".to_string())
            })
            .unwrap();
        assert_eq!(config.base(Endpoint::Npm), "http://env.test");
        assert_eq!(config.base(Endpoint::PyPI), default_pypi);
    }

    #[test]
    fn the_crate_api_can_be_turned_off_and_on_again() {
        let mut config = RegistryConfig::default();
        assert!(config.crates_api);
        config
            .apply_toml("[registries]\ncrates = \"off\"\ncrates_index = \"http://ix.test/\"\n")
            .unwrap();
        assert!(!config.crates_api);
        assert!(config.is_default(Endpoint::Crates));
        assert_eq!(config.base(Endpoint::CratesIndex), "http://ix.test");
        config
            .apply_env_with(|name| {
                (name == "PALISADE_REGISTRY_CRATES").then(|| "http://api.test".to_string())
            })
            .unwrap();
        assert!(config.crates_api);
        assert_eq!(config.base(Endpoint::Crates), "http://api.test");
    }

    #[test]
    fn unknown_keys_and_bad_urls_are_refused() {
        let mut config = RegistryConfig::default();
        let err = config
            .apply_toml("[registries]\nnpmm = \"http://x\"\n")
            .unwrap_err();
        assert!(err.to_string().contains("npmm"), "{err}");
        assert!(config.apply_toml("timeout = 3\n").is_err());
        let err = config.set_base(Endpoint::Maven, "ftp://x").unwrap_err();
        assert!(err.to_string().contains("maven"), "{err}");
    }

    #[test]
    fn a_ca_bundle_without_certificates_is_refused() {
        let path = std::env::temp_dir().join(format!("palisade-ca-{}.pem", std::process::id()));
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = crate::http::load_ca_bundle(&path).unwrap_err();
        assert!(err.to_string().contains("no PEM certificates"), "{err}");
        std::fs::remove_file(&path).unwrap();
        assert!(crate::http::load_ca_bundle(&path).is_err());
    }

    #[test]
    fn every_endpoint_has_an_environment_variable() {
        assert_eq!(
            Endpoint::CratesDownload.env_var(),
            "PALISADE_REGISTRY_CRATES_DOWNLOAD"
        );
        assert_eq!(Endpoint::GoSumDb.env_var(), "PALISADE_REGISTRY_GO_SUMDB");
        assert_eq!(
            Endpoint::CratesIndex.env_var(),
            "PALISADE_REGISTRY_CRATES_INDEX"
        );
        assert_eq!(Endpoint::RubyGems.env_var(), "PALISADE_REGISTRY_RUBYGEMS");
    }
}
