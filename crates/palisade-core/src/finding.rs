use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a single finding weighs on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The severity named `name` (`info` ... `critical`), as written in rule files.
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of behaviour or anomaly a finding describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Code that runs when the package is installed or built.
    InstallTime,
    /// Code that runs when the package is imported or loaded.
    ImportTime,
    /// The artifact itself is malformed, oversized or tries to escape its folder.
    Archive,
    /// The package's identity or manifest is missing or inconsistent.
    Manifest,
    /// Content hidden by encoding, encryption or obfuscation.
    Concealment,
    /// Dynamic code execution (eval, exec, spawned shells).
    Execution,
    /// Fetching and running something from the network.
    Download,
    /// Sending data off the machine.
    Exfiltration,
    /// Reading credentials, tokens and secrets.
    CredentialTheft,
    /// Surviving a reboot or spreading further.
    Persistence,
    /// Embedded executables and opaque blobs.
    Payload,
    /// Registry metadata signals (typosquatting, dependency confusion).
    Metadata,
    /// A capability that is normal in itself (network, process, file, environment).
    Capability,
}

impl Category {
    pub const ALL: [Category; 13] = [
        Category::InstallTime,
        Category::ImportTime,
        Category::Archive,
        Category::Manifest,
        Category::Concealment,
        Category::Execution,
        Category::Download,
        Category::Exfiltration,
        Category::CredentialTheft,
        Category::Persistence,
        Category::Payload,
        Category::Metadata,
        Category::Capability,
    ];

    /// The category named `name` (`install-time`, `exfiltration`...), as in rule files.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::InstallTime => "install-time",
            Category::ImportTime => "import-time",
            Category::Archive => "archive",
            Category::Manifest => "manifest",
            Category::Concealment => "concealment",
            Category::Execution => "execution",
            Category::Download => "download",
            Category::Exfiltration => "exfiltration",
            Category::CredentialTheft => "credential-theft",
            Category::Persistence => "persistence",
            Category::Payload => "payload",
            Category::Metadata => "metadata",
            Category::Capability => "capability",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One observation about a package, with the evidence a human needs to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The id of the rule that produced it (see `palisade rules`).
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    /// One line saying what was seen.
    pub message: String,
    /// Path inside the artifact; `a.tar.gz!/b.py` names a file inside a nested archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line number in `path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The evidence text, cut to a readable length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// When the evidence was found in decoded content: the decoding steps, outermost first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded_from: Option<Vec<String>>,
}

impl Finding {
    pub fn at(mut self, path: impl Into<String>, line: Option<u32>) -> Self {
        self.path = Some(path.into());
        self.line = line;
        self
    }

    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Self {
        self.snippet = Some(snippet.into());
        self
    }

    /// The order reports list findings in: most severe first, then by place, so that
    /// the same input always gives the same report.
    pub fn report_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.message.cmp(&b.message))
    }
}
