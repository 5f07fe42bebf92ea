//! `audit --deep`: every dependency's artifact fetched from its registry (verified
//! against the published digest, cached by sha256) and scanned by the detection
//! engine, so a malicious version with no advisory yet is still caught.

use crate::targets::{RegistryArgs, Resolver};
use anyhow::{Context, Result};
use palisade_audit::Level;
use palisade_core::{Ecosystem, Verdict};
use palisade_deps::Dependency;
use palisade_detect::{Engine, ScanContext, ScanOptions};
use palisade_registry::PackageSpec;
use serde::Serialize;
use std::collections::BTreeSet;

/// Findings kept per package in the audit output; the full report is `palisade scan`'s.
const TOP_FINDINGS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct DeepResult {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    pub verdict: Verdict,
    pub score: f64,
    /// `malicious` for a malicious verdict, `medium` for a suspicious one.
    pub level: Option<Level>,
    /// The strongest findings, `rule: message`.
    pub findings: Vec<String>,
    /// Why the artifact could not be fetched, verified or read: the audit then cannot
    /// vouch for it, which fails the run with exit 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub fn scan_all(
    dependencies: &[Dependency],
    registry: &RegistryArgs,
    jobs: Option<usize>,
) -> Result<Vec<DeepResult>> {
    let engine = Engine::new(ScanOptions::default())?;
    let resolver = Resolver::new(registry);
    let unique: BTreeSet<(Ecosystem, String, String)> = dependencies
        .iter()
        .filter(|d| is_published_package(d))
        .map(|d| (d.ecosystem, d.name.clone(), d.version.clone()))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
    let results = pool.install(|| {
        use rayon::prelude::*;
        unique
            .par_iter()
            .map(|(ecosystem, name, version)| {
                scan_one(&engine, &resolver, *ecosystem, name, version)
            })
            .collect::<Vec<_>>()
    });
    Ok(results)
}

/// A pinned dependency that a registry serves: not an unpinned manifest entry, not a
/// git dependency (the registry's artifact of that version is not what is installed),
/// not Go's standard library (which `go.mod` lists but no proxy serves).
fn is_published_package(d: &Dependency) -> bool {
    let go_stdlib = d.ecosystem == Ecosystem::Go && d.name == "stdlib";
    !d.version.is_empty() && d.commit.is_none() && !go_stdlib
}

fn scan_one(
    engine: &Engine,
    resolver: &Resolver,
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
) -> DeepResult {
    // Go lockfiles and OSV drop the `v`; the module proxy needs it.
    let version_for_registry = if ecosystem == Ecosystem::Go && !version.starts_with('v') {
        format!("v{version}")
    } else {
        version.to_string()
    };
    let spec = PackageSpec::new(ecosystem, name, Some(&version_for_registry));
    let report = match resolver.fetch(&spec.to_string(), spec) {
        Ok(resolved) => engine.scan_path_in(
            &resolved.path,
            ScanContext {
                metadata: resolved.metadata.as_ref(),
                previous_release: None,
                now: palisade_core::time::now_unix(),
            },
        ),
        Err(err) => palisade_core::Report::error(name, format!("{err:#}")),
    };
    let level = match report.verdict {
        Verdict::Malicious => Some(Level::Malicious),
        Verdict::Suspicious => Some(Level::Medium),
        _ => None,
    };
    let findings: Vec<String> = report
        .findings
        .iter()
        .take(TOP_FINDINGS)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    let error = (report.verdict == Verdict::Error).then(|| report.errors.join("; "));
    DeepResult {
        error,
        ecosystem,
        name: name.to_string(),
        version: version.to_string(),
        verdict: report.verdict,
        score: report.score,
        level,
        findings,
    }
}
