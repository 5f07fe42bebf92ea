//! `palisade db update|import|status`: the local advisory database.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use palisade_core::Ecosystem;
use palisade_core::time::{format_rfc3339, now_unix};
use palisade_osv::db::{Database, SourceReport, UpdateOptions, default_path, update};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
    /// The database file (default: $PALISADE_DB, else
    /// $XDG_DATA_HOME/palisade/advisories.db, else ~/.local/share/palisade/advisories.db).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the OSV exports (`ECOSYSTEM/all.zip`) of the seven ecosystems and merge
    /// them into the database.
    Update {
        /// Where the exports are (a mirror); default: $PALISADE_OSV_SOURCE, else the OSV
        /// project's public bucket.
        #[arg(long, value_name = "URL")]
        source: Option<String>,
        /// Only these ecosystems (npm, pypi, gem, nuget, go, crates, maven); repeatable.
        #[arg(long = "ecosystem", value_name = "NAME")]
        ecosystems: Vec<Ecosystem>,
        /// HTTP settings shared with the registry clients (`timeout_seconds`,
        /// `ca_bundle`...); default: $PALISADE_REGISTRY_CONFIG.
        #[arg(long, value_name = "FILE")]
        registry_config: Option<PathBuf>,
    },
    /// Merge advisories from OSV `all.zip` files, folders of OSV JSON or YAML, or
    /// checkouts of advisory repositories.
    Import {
        #[arg(value_name = "PATH", required = true)]
        sources: Vec<PathBuf>,
    },
    /// Measure import and audit speed on real advisories (a folder of OSV records),
    /// against baselines measured in the same run. Uses a temporary database.
    Bench {
        /// A folder of OSV records (JSON or YAML), e.g. an advisory database checkout.
        #[arg(value_name = "SOURCE")]
        source: PathBuf,
        /// Pinned dependencies in the generated project.
        #[arg(long, default_value_t = 2000)]
        dependencies: usize,
        /// Repetitions of the warm measurements; the fastest is reported.
        #[arg(long, default_value_t = 5)]
        repeat: u32,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Say what the database holds and how old it is.
    Status {
        /// Print the status as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The database path of `--db`, `PALISADE_DB` or the default.
pub fn db_path(flag: Option<&Path>) -> Result<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(default_path)
        .context("no database path: pass --db PATH or set PALISADE_DB (HOME is not set)")
}

pub fn run(args: DbArgs) -> Result<ExitCode> {
    if let DbCommand::Bench {
        source,
        dependencies,
        repeat,
        json,
    } = &args.command
    {
        crate::db_bench::run(source, *dependencies, *repeat, *json)?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = db_path(args.db.as_deref())?;
    match args.command {
        DbCommand::Bench { .. } => {}
        DbCommand::Update {
            source,
            ecosystems,
            registry_config,
        } => {
            // Downloads go through the registry clients' HTTP settings (proxy CA bundle,
            // user agent), with room for the largest export.
            let mut http = crate::targets::registry_config(registry_config.as_deref())?;
            http.timeout = std::time::Duration::from_secs(1800);
            let mut options = UpdateOptions {
                agent: Some(palisade_registry::http_agent(&http)),
                ..UpdateOptions::default()
            };
            if let Some(source) = source {
                options.source = source;
            }
            if !ecosystems.is_empty() {
                options.ecosystems = ecosystems;
            }
            let reports = update(&path, &options, now_unix())?;
            print_imports(&path, &reports);
        }
        DbCommand::Import { sources } => {
            let reports = Database::import(&path, &sources, now_unix())?;
            print_imports(&path, &reports);
        }
        DbCommand::Status { json } => {
            let db = Database::open(&path)?;
            let header = db.header();
            if json {
                let value = serde_json::json!({
                    "path": path,
                    "bytes": std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                    "header": header,
                    "packages": db.packages_per_ecosystem().iter()
                        .map(|(e, n)| (e.to_string(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
                });
                println!("{}", serde_json::to_string_pretty(&value)?);
                return Ok(ExitCode::SUCCESS);
            }
            let age_days = (now_unix() - header.built_at).max(0) / 86_400;
            println!("{}", path.display());
            println!(
                "  {} records ({} known-malicious, {} withdrawn), {} bytes",
                header.records,
                header.malicious,
                header.withdrawn,
                std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
            );
            println!(
                "  built {} ({age_days} days ago); newest record modified {}",
                format_rfc3339(header.built_at),
                format_rfc3339(header.newest_record)
            );
            let packages = db.packages_per_ecosystem();
            for (ecosystem, records) in &header.per_ecosystem {
                let names = packages
                    .iter()
                    .find(|(e, _)| e.as_str() == ecosystem)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                println!("  {ecosystem:<10} {records:>7} records  {names:>7} packages");
            }
            if let Some(last) = header.sources.last() {
                println!("  last source: {} ({} records)", last.source, last.records);
            }
            if age_days > 7 {
                eprintln!(
                    "palisade: warning: the advisory database is {age_days} days old; run `palisade db update`"
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_imports(path: &Path, reports: &[(PathBuf, SourceReport)]) {
    for (source, report) in reports {
        println!(
            "{}: {} records for the seven ecosystems, {} for others, {} files skipped",
            source.display(),
            report.records,
            report.other_ecosystems,
            report.skipped
        );
        for reason in &report.skip_reasons {
            println!("  skipped {reason}");
        }
    }
    if let Ok(db) = Database::open(path) {
        println!("{}: {} records in all", path.display(), db.header().records);
    }
}
