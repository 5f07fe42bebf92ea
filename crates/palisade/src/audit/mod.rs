//! `palisade audit [PATH]`: the project's lockfiles against the advisory database, as a
//! CI gate. Offline unless `--deep` asks to fetch and scan every dependency.

mod deep;
mod render;

use crate::db::db_path;
use crate::targets::RegistryArgs;
use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use palisade_audit::{AuditReport, IgnoreList, Level};
use palisade_core::time::now_unix;
use palisade_osv::db::Database;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes: 0 nothing reached --fail-on; 1 a finding reached it (whatever else
/// happened); 2 a lockfile could not be parsed, there was none, the database is
/// missing, or with --deep a dependency could not be fetched and verified.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// A project folder (its lockfiles are found below it) or one lockfile.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// The advisory database (default: $PALISADE_DB, else
    /// $XDG_DATA_HOME/palisade/advisories.db, else ~/.local/share/palisade/advisories.db).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Exit with 1 when a finding reaches this level. Vulnerabilities whose record rates
    /// nothing count as medium.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,
    /// Accepted advisories, each with a reason and an expiry (default: PATH/palisade.toml
    /// when it exists).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value_t = AuditFormat::Human)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Never touch the network (the audit itself never does; this refuses --deep).
    #[arg(long)]
    pub offline: bool,
    /// Also download every dependency's artifact from its registry (verified, cached)
    /// and scan it with the detection engine.
    #[arg(long, conflicts_with = "offline")]
    pub deep: bool,
    /// Packages fetched and scanned at once with --deep.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
    Malicious,
    /// Never fail on findings (errors still exit 2).
    Never,
}

impl FailOn {
    fn level(self) -> Option<Level> {
        match self {
            FailOn::Low => Some(Level::Low),
            FailOn::Medium => Some(Level::Medium),
            FailOn::High => Some(Level::High),
            FailOn::Critical => Some(Level::Critical),
            FailOn::Malicious => Some(Level::Malicious),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Human,
    Json,
    Sarif,
    /// A table for pull-request comments.
    Markdown,
}

/// Everything an audit found, as `--format json` writes it.
#[derive(Debug, Serialize)]
pub struct AuditOutput {
    pub schema_version: u32,
    pub root: PathBuf,
    pub lockfiles: Vec<PathBuf>,
    pub database: PathBuf,
    /// Records in the database the audit read.
    pub database_records: usize,
    pub fail_on: Option<Level>,
    pub failed: bool,
    #[serde(flatten)]
    pub report: AuditReport,
    /// Lockfiles that could not be parsed, `path:line: reason`.
    pub errors: Vec<String>,
    /// With --deep: the detection engine's verdict on each dependency's artifact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deep: Vec<deep::DeepResult>,
}

pub fn run(args: AuditArgs) -> Result<ExitCode> {
    if !args.path.exists() {
        bail!("{}: no such file or folder", args.path.display());
    }
    let database = db_path(args.db.as_deref())?;
    let db = Database::open(&database)?;
    let (dependencies, errors) = palisade_deps::collect(&args.path);
    let lockfiles = palisade_deps::sources(&dependencies);
    if lockfiles.is_empty() && errors.is_empty() {
        bail!("{}: no lockfile or manifest found", args.path.display());
    }
    let ignores = load_ignores(&args)?;
    let report = palisade_audit::audit(&db, &dependencies, &ignores, now_unix())?;
    let deep = if args.deep {
        deep::scan_all(&dependencies, &args.registry, args.jobs)?
    } else {
        Vec::new()
    };
    let threshold = args.fail_on.level();
    let failed = threshold
        .is_some_and(|t| report.reaches(t) || deep.iter().any(|d| d.level.is_some_and(|l| l >= t)));
    let output = AuditOutput {
        schema_version: 1,
        root: args.path.clone(),
        lockfiles,
        database_records: db.header().records,
        database,
        fail_on: threshold,
        failed,
        report,
        errors: errors
            .iter()
            .map(ToString::to_string)
            .chain(deep.iter().filter_map(|d| {
                d.error
                    .as_ref()
                    .map(|e| format!("--deep: {}@{}: {e}", d.name, d.version))
            }))
            .collect(),
        deep,
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    match args.format {
        AuditFormat::Human => render::human(&mut out, &output)?,
        AuditFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &output)?;
            writeln!(out)?;
        }
        AuditFormat::Sarif => {
            serde_json::to_writer_pretty(&mut out, &render::sarif(&output))?;
            writeln!(out)?;
        }
        AuditFormat::Markdown => render::markdown(&mut out, &output)?,
    }
    out.flush()?;
    if args.format != AuditFormat::Human {
        for error in &output.errors {
            eprintln!("palisade: warning: {error}");
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else if !output.errors.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn load_ignores(args: &AuditArgs) -> Result<IgnoreList> {
    let default = if args.path.is_dir() {
        args.path.join("palisade.toml")
    } else {
        args.path
            .parent()
            .unwrap_or(Path::new("."))
            .join("palisade.toml")
    };
    let file = match &args.ignore_file {
        Some(file) => file.clone(),
        None if default.exists() => default,
        None => return Ok(IgnoreList::default()),
    };
    Ok(IgnoreList::load(&file)?)
}
