use crate::analysers::content::ContentAnalyser;
use crate::analysers::{Analyser, default_analysers};
use crate::coderules::{RuleError, RuleSet};
use crate::score::combine;
use palisade_archive::{Limits, Unpacked, unpack_bytes, unpack_dir};
use palisade_core::{
    Finding, Package, PackageMetadata, REPORT_SCHEMA_VERSION, ReleaseInfo, Report, Verdict,
};
use sha2::{Digest, Sha256};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub limits: Limits,
    /// Folders of user rule files (code rules `*.toml`, YARA rules `*.yar`/`*.yara`)
    /// added to the built-in rules.
    pub rule_dirs: Vec<PathBuf>,
}

/// What is known about a package beyond its artifact: the registry's metadata when it
/// was fetched by name. Without it, only the package's name is judged (typosquatting,
/// vendor names), so a file scan stays reproducible and offline.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanContext<'a> {
    pub metadata: Option<&'a PackageMetadata>,
    /// The release before the scanned one, to compare publishers.
    pub previous_release: Option<&'a ReleaseInfo>,
    /// "Now" for the age-based registry checks, Unix seconds.
    pub now: i64,
}

/// Runs the whole pipeline on one package at a time; share one engine across threads.
pub struct Engine {
    options: ScanOptions,
    analysers: Vec<Box<dyn Analyser>>,
    content: ContentAnalyser,
}

impl Engine {
    /// An engine with the built-in rules and those of `options.rule_dirs`; a bad user
    /// rule file is an error naming its file and line.
    pub fn new(options: ScanOptions) -> Result<Engine, RuleError> {
        let rules = if options.rule_dirs.is_empty() {
            RuleSet::builtin()
        } else {
            RuleSet::with_user_dirs(&options.rule_dirs)?
        };
        let signatures = crate::signatures::load_dirs(&options.rule_dirs)?;
        Ok(Engine {
            options,
            analysers: default_analysers(),
            content: ContentAnalyser::new(rules, signatures),
        })
    }

    /// Every rule this engine can report, sorted by id.
    pub fn rules(&self) -> Vec<&'static palisade_core::RuleInfo> {
        crate::rule_catalogue(self.content.rules(), self.content.signatures())
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Scans an artifact file or a folder. Never panics: an internal failure on one
    /// hostile package becomes an `error` report for it, so a batch goes on.
    pub fn scan_path(&self, path: &Path) -> Report {
        self.scan_path_in(path, ScanContext::default())
    }

    /// [`Engine::scan_path`] with what the registry says about the package.
    pub fn scan_path_in(&self, path: &Path, context: ScanContext) -> Report {
        let target = path.display().to_string();
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            self.scan_path_inner(path, &target, context)
        }));
        let mut report = outcome.unwrap_or_else(|panic| {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Report::error(
                &target,
                format!("{target}: internal error while scanning: {reason}"),
            )
        });
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        report
    }

    fn scan_path_inner(&self, path: &Path, target: &str, context: ScanContext) -> Report {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) => return Report::error(target, format!("{target}: cannot read: {err}")),
        };
        if meta.is_dir() {
            let started = Instant::now();
            let unpacked = unpack_dir(path, &self.options.limits);
            return self.report(target, None, unpacked, started, context);
        }
        match palisade_archive::read_artifact(path, &self.options.limits) {
            Ok(data) => self.scan_bytes_in(target, &data, context),
            Err(err) => Report::error(target, format!("{target}: cannot read: {err}")),
        }
    }

    /// Scans an artifact held in memory; `target` names it in the report.
    pub fn scan_bytes(&self, target: &str, data: &[u8]) -> Report {
        self.scan_bytes_in(target, data, ScanContext::default())
    }

    fn scan_bytes_in(&self, target: &str, data: &[u8], context: ScanContext) -> Report {
        let started = Instant::now();
        let sha256 = hex(&Sha256::digest(data));
        let unpacked = unpack_bytes(&artifact_name(target), data, &self.options.limits);
        let mut report = self.report(target, Some(sha256), unpacked, started, context);
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        report
    }

    /// The full analysis (package, findings, score) of an artifact file or folder, for
    /// callers that need more than the report, such as the version diff. Never panics:
    /// an internal failure is an error naming the target.
    pub fn analyse_path(&self, path: &Path) -> Result<Analysis, String> {
        let target = path.display().to_string();
        let started = Instant::now();
        let deadline = started + self.options.limits.max_time;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let meta =
                std::fs::metadata(path).map_err(|e| format!("{target}: cannot read: {e}"))?;
            let unpacked = if meta.is_dir() {
                unpack_dir(path, &self.options.limits)
            } else {
                let data = palisade_archive::read_artifact(path, &self.options.limits)
                    .map_err(|e| format!("{target}: cannot read: {e}"))?;
                unpack_bytes(&artifact_name(&target), &data, &self.options.limits)
            };
            if unpacked.files.is_empty() && !unpacked.errors.is_empty() {
                return Err(unpacked.errors.join("; "));
            }
            Ok(self.analyse_unpacked_in(unpacked, deadline, ScanContext::default()))
        }));
        outcome.unwrap_or_else(|_| Err(format!("{target}: internal error while analysing")))
    }

    /// Identifies and analyses an unpacked artifact, stopping at `deadline`.
    pub fn analyse_unpacked(&self, unpacked: Unpacked, deadline: Instant) -> Analysis {
        self.analyse_unpacked_in(unpacked, deadline, ScanContext::default())
    }

    /// [`Engine::analyse_unpacked`] with what the registry says about the package.
    pub fn analyse_unpacked_in(
        &self,
        unpacked: Unpacked,
        deadline: Instant,
        context: ScanContext,
    ) -> Analysis {
        let Unpacked {
            format,
            files,
            findings: archive_findings,
            errors,
            ..
        } = unpacked;
        let package = palisade_package::identify(&format, files);
        let mut findings = archive_findings;
        findings.extend(package.findings.iter().cloned());
        for analyser in &self.analysers {
            analyser.analyse(&package, &mut findings);
        }
        findings.extend(crate::analysers::metadata::analyse(&package, context));
        let mut content_findings = Vec::new();
        let file_scores = self
            .content
            .analyse(&package, &mut content_findings, deadline);
        let score = combine(&file_scores, &findings);
        findings.extend(content_findings);
        findings.sort_by(Finding::report_order);
        findings.dedup();
        Analysis {
            package,
            findings,
            errors,
            score,
        }
    }

    /// The report of an unpacked target whose scan began at `started`: unpacking and
    /// analysis share the time allowed per package.
    fn report(
        &self,
        target: &str,
        sha256: Option<String>,
        unpacked: Unpacked,
        started: Instant,
        context: ScanContext,
    ) -> Report {
        let deadline = started + self.options.limits.max_time;
        let unreadable = unpacked.files.is_empty() && !unpacked.errors.is_empty();
        let Analysis {
            package,
            findings,
            errors,
            score,
        } = self.analyse_unpacked_in(unpacked, deadline, context);
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            target: target.to_string(),
            ecosystem: package.ecosystem,
            name: package.name,
            version: package.version,
            format: Some(package.format).filter(|f| !f.is_empty()),
            sha256,
            verdict: if unreadable && score.verdict == Verdict::Clean {
                Verdict::Error
            } else {
                score.verdict
            },
            score: score.score,
            findings,
            errors,
            elapsed_ms: 0,
            origin: None,
            diff: None,
        }
    }
}

/// What the analysis of one package produced.
pub struct Analysis {
    pub package: Package,
    pub findings: Vec<Finding>,
    pub errors: Vec<String>,
    pub score: crate::Score,
}

/// The file name part of a target, which the unpacker uses to name nested archives.
fn artifact_name(target: &str) -> String {
    Path::new(target)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| target.to_string())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
