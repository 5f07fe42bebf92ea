//! `palisade db bench SOURCE`: the advisory database's costs on real data, each next to
//! a baseline measured in the same run. Import is compared with merely parsing every
//! record; an audit of a generated project with N pinned dependencies (half of them
//! named in advisories) is compared with a linear scan over all records held in memory.

use anyhow::{Context, Result};
use palisade_audit::{IgnoreList, audit};
use palisade_core::Ecosystem;
use palisade_osv::db::Database;
use palisade_osv::{Advisory, Event};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Serialize)]
struct DbBench {
    records: usize,
    source_bytes: u64,
    database_bytes: u64,
    parse_all_ms: f64,
    import_ms: f64,
    import_relative_to_parse: f64,
    audits: Vec<AuditFigures>,
}

/// One audit scenario: `named` of the `dependencies` are packages that advisories name
/// (pinned at a version an advisory names), the rest have no advisory.
#[derive(Serialize)]
struct AuditFigures {
    dependencies: usize,
    named_in_advisories: usize,
    affected_packages: usize,
    lockfile_parse_ms: f64,
    open_ms: f64,
    audit_cold_ms: f64,
    audit_warm_ms: f64,
    linear_scan_ms: f64,
    warm_speedup_over_linear_scan: f64,
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Links are not followed: a link loop in a checkout must not recurse forever.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            files_under(&path, out);
        } else if kind.is_file()
            && matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        {
            out.push(path);
        }
    }
}

pub fn run(source: &Path, dependencies: usize, repeat: u32, json: bool) -> Result<()> {
    let mut files = Vec::new();
    files_under(source, &mut files);
    anyhow::ensure!(!files.is_empty(), "{}: no OSV records", source.display());
    let source_bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();

    let start = Instant::now();
    let advisories: Vec<Advisory> = files
        .iter()
        .filter_map(|f| Advisory::from_path(f).ok())
        .collect();
    let parse_all_ms = ms(start);

    let work = std::env::temp_dir().join(format!("palisade-db-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let db_path = work.join("advisories.db");
    let start = Instant::now();
    Database::import(&db_path, &[source.to_path_buf()], 0)?;
    let import_ms = ms(start);
    let database_bytes = std::fs::metadata(&db_path)?.len();

    let scenarios = [dependencies / 10, dependencies / 2]
        .iter()
        .map(|&named| measure_audit(&work, &db_path, &advisories, dependencies, named, repeat))
        .collect::<Result<Vec<_>>>()?;
    std::fs::remove_dir_all(&work).ok();

    let bench = DbBench {
        records: advisories.len(),
        source_bytes,
        database_bytes,
        parse_all_ms,
        import_ms,
        import_relative_to_parse: import_ms / parse_all_ms,
        audits: scenarios,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&bench)?);
        return Ok(());
    }
    println!(
        "advisory database on {} ({} records, {:.1} MB of source files)",
        source.display(),
        bench.records,
        source_bytes as f64 / 1e6
    );
    println!(
        "  parse every record (baseline)   {:>9.1} ms",
        bench.parse_all_ms
    );
    println!(
        "  import into the database        {:>9.1} ms  ({:.2}x the baseline)",
        bench.import_ms, bench.import_relative_to_parse
    );
    println!(
        "  database file                   {:>9.1} MB  ({:.2}x smaller than the sources)",
        database_bytes as f64 / 1e6,
        source_bytes as f64 / database_bytes as f64
    );
    for a in &bench.audits {
        println!(
            "audit of {} pinned dependencies, {} of them named in advisories ({} affected)",
            a.dependencies, a.named_in_advisories, a.affected_packages
        );
        println!(
            "  parse the lockfiles             {:>9.2} ms",
            a.lockfile_parse_ms
        );
        println!("  open the database               {:>9.2} ms", a.open_ms);
        println!(
            "  audit, cold (open + match)      {:>9.2} ms",
            a.audit_cold_ms
        );
        println!(
            "  audit, warm (best of {repeat})         {:>9.2} ms",
            a.audit_warm_ms
        );
        println!(
            "  linear scan of all records      {:>9.2} ms  (warm audit is {:.0}x faster)",
            a.linear_scan_ms, a.warm_speedup_over_linear_scan
        );
    }
    Ok(())
}

fn measure_audit(
    work: &Path,
    db_path: &Path,
    advisories: &[Advisory],
    count: usize,
    named: usize,
    repeat: u32,
) -> Result<AuditFigures> {
    let project = work.join(format!("project-{named}"));
    std::fs::create_dir_all(&project)?;
    let named = write_project(&project, advisories, count, named)?;
    let start = Instant::now();
    let (deps, errors) = palisade_deps::collect(&project);
    let lockfile_parse_ms = ms(start);
    anyhow::ensure!(
        errors.is_empty(),
        "generated project did not parse: {errors:?}"
    );
    let ignores = IgnoreList::default();
    let start = Instant::now();
    let db = Database::open(db_path)?;
    let open_ms = ms(start);
    let start = Instant::now();
    let report = audit(&db, &deps, &ignores, 0)?;
    let audit_cold_ms = open_ms + ms(start);
    let mut audit_warm_ms = f64::MAX;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        audit(&db, &deps, &ignores, 0)?;
        audit_warm_ms = audit_warm_ms.min(ms(start));
    }
    let start = Instant::now();
    let mut hits = 0usize;
    for d in &deps {
        // What a tool without an index does: look at every record's packages.
        hits += advisories
            .iter()
            .filter(|a| {
                a.affected.iter().any(|x| {
                    x.package.as_ref().is_some_and(|p| {
                        p.ecosystem() == Some(d.ecosystem)
                            && palisade_osv::name::same_package(d.ecosystem, &p.name, &d.name)
                    })
                })
            })
            .filter(|a| a.affects(d.ecosystem, &d.name, &d.version))
            .count();
    }
    std::hint::black_box(hits);
    let linear_scan_ms = ms(start);
    Ok(AuditFigures {
        dependencies: deps.len(),
        named_in_advisories: named,
        affected_packages: report.findings.len(),
        lockfile_parse_ms,
        open_ms,
        audit_cold_ms,
        audit_warm_ms,
        linear_scan_ms,
        warm_speedup_over_linear_scan: linear_scan_ms / audit_warm_ms,
    })
}

/// A project pinning `count` dependencies: `named_count` of them packages that advisories name,
/// at a version an advisory names, the rest packages with no advisory. Returns how many
/// named packages it wrote: fewer than asked when the source names fewer.
fn write_project(
    dir: &Path,
    advisories: &[Advisory],
    count: usize,
    named_count: usize,
) -> Result<usize> {
    let mut named: BTreeMap<(Ecosystem, String), String> = BTreeMap::new();
    for advisory in advisories {
        for affected in &advisory.affected {
            let Some(package) = &affected.package else {
                continue;
            };
            let Some(ecosystem) = package.ecosystem() else {
                continue;
            };
            let version = affected.versions.first().cloned().or_else(|| {
                affected
                    .ranges
                    .iter()
                    .flat_map(|r| &r.events)
                    .find_map(|e| match e {
                        Event::Introduced(v) if v != "0" && !v.starts_with("0.0.0") => {
                            Some(v.clone())
                        }
                        _ => None,
                    })
            });
            if let Some(version) = version {
                named
                    .entry((ecosystem, package.name.clone()))
                    .or_insert(version);
            }
        }
    }
    let mut requirements = String::new();
    let mut cargo = String::from("version = 3\n\n");
    let mut go = String::from("module example.com/bench\n\ngo 1.22\n\nrequire (\n");
    let mut written = 0;
    // Only the ecosystems written below count: taking the first N of every ecosystem
    // would spend them on npm, which sorts first and has no file here.
    for ((ecosystem, name), version) in named.iter() {
        if written == named_count {
            break;
        }
        match ecosystem {
            Ecosystem::PyPI => writeln!(requirements, "{name}=={version}")?,
            Ecosystem::Crates => writeln!(
                cargo,
                "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"
            )?,
            Ecosystem::Go => writeln!(go, "\t{name} v{}", version.trim_start_matches('v'))?,
            _ => continue,
        }
        written += 1;
    }
    for i in written..count {
        writeln!(requirements, "palisade-bench-filler-{i}==1.0.{i}")?;
    }
    go.push_str(")\n");
    std::fs::write(dir.join("requirements.txt"), requirements).context("writing the project")?;
    std::fs::write(dir.join("Cargo.lock"), cargo)?;
    std::fs::write(dir.join("go.mod"), go)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(ecosystem: &str, name: &str) -> Advisory {
        let json = format!(
            r#"{{"id": "X-{name}", "modified": "2024-01-01T00:00:00Z", "affected": [{{"package": {{"ecosystem": "{ecosystem}", "name": "{name}"}}, "versions": ["1.0.0"]}}]}}"#
        );
        Advisory::from_json_at(&json, "test").unwrap()
    }

    #[test]
    fn named_packages_are_not_spent_on_ecosystems_without_a_file() {
        let dir =
            std::env::temp_dir().join(format!("palisade-db-bench-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let advisories = [
            advisory("npm", "a"),
            advisory("npm", "b"),
            advisory("PyPI", "c"),
            advisory("crates.io", "d"),
        ];
        let written = write_project(&dir, &advisories, 10, 2).unwrap();
        assert_eq!(written, 2);
        let requirements = std::fs::read_to_string(dir.join("requirements.txt")).unwrap();
        assert!(requirements.starts_with("c==1.0.0\n"), "{requirements}");
        assert_eq!(requirements.lines().count(), 9, "{requirements}");
        let cargo = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
        assert!(cargo.contains("name = \"d\""), "{cargo}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
