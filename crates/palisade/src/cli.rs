use clap::{Args, Parser, Subcommand, ValueEnum};
use palisade_archive::Limits;
use std::path::PathBuf;
use std::time::Duration;

/// Palisade: static analysis of open-source packages for malware and supply-chain risk.
///
/// Exit codes: 0 nothing reached --fail-on; 1 a package reached --fail-on;
/// 2 usage error, or a target could not be read at all.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan package artifacts or unpacked package folders.
    Scan(ScanArgs),
    /// List every rule a report can contain, with what it detects and why it matters.
    Rules(RulesArgs),
    /// Print compiled code (.NET assemblies, JVM class files) as the text the rules
    /// read: each method's calls and string constants. Findings in a binary quote it.
    ///
    /// Exit codes: 0 printed; 2 the file is missing, not compiled code, or unreadable.
    View(ViewArgs),
    /// Measure unpacking throughput on a folder of artifacts against plain decompression.
    Bench(BenchArgs),
    /// Measure detection quality on a labelled corpus (a folder with `labels.tsv`).
    Eval(EvalArgs),
    /// Show what a new version of a package adds in risk terms (install scripts,
    /// capabilities, concealment, binaries, dependencies, maintainers).
    ///
    /// Exit codes: 0 no new risk; 1 the new version raises risk; 2 error.
    Diff(DiffArgs),
    /// List a project's resolved dependencies from its lockfiles and manifests (the list
    /// `audit` checks), as text, JSON or a CycloneDX 1.5 SBOM.
    ///
    /// Exit codes: 0 every lockfile parsed; 2 PATH holds no lockfile or manifest, or one
    /// failed to parse (the others are still listed, the error goes to standard error).
    Deps(crate::deps::DepsArgs),
    /// Check a project's dependencies against known vulnerabilities and known-malicious
    /// versions (the local OSV database), as a CI gate.
    ///
    /// Exit codes: 0 nothing reached --fail-on; 1 a finding reached it; 2 a lockfile
    /// could not be parsed, none was found, or the database is missing.
    Audit(crate::audit::AuditArgs),
    /// Manage the local advisory database: `update`, `import`, `status`.
    Db(crate::db::DbArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Artifact files (any of the seven ecosystems' formats, recognised by content),
    /// unpacked package folders, or registry packages: `npm:express@4.19.2`,
    /// `pypi:requests`, `crates:serde@1.0.200`, `gem:rails@7.1.3`,
    /// `nuget:Newtonsoft.Json@13.0.3`, `go:github.com/gorilla/mux@v1.8.1`,
    /// `maven:org.apache.commons:commons-lang3@3.14.0` or package URLs
    /// (`pkg:npm/express@4.19.2`). No version means the latest.
    #[arg(value_name = "TARGET", required_unless_present = "batch")]
    pub targets: Vec<String>,

    /// Scan every file under DIR as its own package, in parallel.
    #[arg(long, value_name = "DIR", conflicts_with = "targets")]
    pub batch: Option<PathBuf>,

    /// Packages scanned at once (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the reports to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when any package's verdict reaches this level.
    #[arg(long, value_enum, default_value_t = FailOn::Malicious)]
    pub fail_on: FailOn,

    /// Never show a progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Add the rule files (`*.toml`) of DIR to the built-in rules; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,

    /// For packages named from a registry, also show what changed since the previous
    /// version (as `palisade diff`).
    #[arg(long)]
    pub diff_previous: bool,

    #[command(flatten)]
    pub registry: crate::targets::RegistryArgs,

    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Limits on what one package may cost to unpack; reaching one is a finding.
#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// Largest artifact file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub max_artifact_mib: u64,
    /// Total unpacked bytes per package, over all nested archives, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub max_total_mib: u64,
    /// Largest single file kept, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub max_file_mib: u64,
    /// Number of archive entries per package, over all nested archives.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_entries: u64,
    /// How deep archives inside archives are opened.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub max_depth: u32,
    /// Largest decompressed-to-compressed ratio of a stream (checked past 4 MiB).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_ratio: u64,
    /// Seconds allowed to unpack and analyse one package.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
}

impl LimitArgs {
    pub fn to_limits(&self) -> Limits {
        const MIB: u64 = 1024 * 1024;
        Limits {
            max_artifact_bytes: self.max_artifact_mib.saturating_mul(MIB),
            max_total_bytes: self.max_total_mib.saturating_mul(MIB),
            max_entries: self.max_entries,
            max_entry_bytes: self.max_file_mib.saturating_mul(MIB),
            max_depth: self.max_depth,
            max_ratio: self.max_ratio,
            ratio_floor_bytes: Limits::default().ratio_floor_bytes,
            max_time: Duration::from_secs(self.timeout),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable at a glance; coloured on a terminal.
    Human,
    /// One JSON report, or an array of reports for several targets or --batch.
    Json,
    /// One JSON report per line, written as each package finishes.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning interfaces.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Suspicious,
    Malicious,
    /// Never fail on a verdict (unreadable targets still exit 2).
    Never,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old version: an artifact file or folder, or a registry package
    /// (`npm:left-pad@1.2.0`, `pkg:pypi/six@1.16.0`).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new version, named the same way.
    #[arg(value_name = "NEW")]
    pub new: String,
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Exit with 0 even when the new version raises risk.
    #[arg(long)]
    pub no_fail: bool,
    /// Add the rule files (`*.toml`) of DIR to the built-in rules; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub registry: crate::targets::RegistryArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct ViewArgs {
    /// A compiled file, or an artifact or folder that holds one (.nupkg, .jar, ...).
    #[arg(value_name = "TARGET")]
    pub target: PathBuf,
    /// The file inside TARGET, as a finding's path names it (`lib/net8.0/Foo.dll`,
    /// `com/example/Init.class`). Without it, TARGET's compiled files are listed.
    #[arg(value_name = "PATH")]
    pub member: Option<String>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `text` for the terminal, `markdown` for docs/rules.md.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
    /// Also list, and validate, the rule files of DIR; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Markdown,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Folder of artifacts (e.g. the evaluation corpus); every file under it is used.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Repetitions of each measurement; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    pub repeat: u32,
    /// Output format of the figures.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
}

/// How `bench` and `eval` print their figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Corpus folder holding `labels.tsv` and the files it lists.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Score at which a package counts as flagged (default: the `malicious` threshold).
    #[arg(long, value_name = "SCORE")]
    pub threshold: Option<f64>,
    /// Packages scanned at once (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    #[arg(long, short = 'f', value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
    /// Exit with 1 when overall recall is below this floor.
    #[arg(long, value_name = "RATIO")]
    pub min_recall: Option<f64>,
    /// Exit with 1 when the false-positive rate of any benign ecosystem is above this.
    #[arg(long, value_name = "RATIO")]
    pub max_fpr: Option<f64>,
    /// Add the rule files (`*.toml`) of DIR to the built-in rules; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}
