//! The audit in words (terminal), as a Markdown table (pull-request comments) and as
//! SARIF 2.1.0 (code-scanning interfaces). JSON is the serialised [`AuditOutput`].

use super::AuditOutput;
use palisade_audit::{Level, PackageFinding};
use serde_json::{Value, json};
use std::io::{self, Write};
use std::path::Path;

fn relative<'a>(root: &Path, path: &'a Path) -> std::borrow::Cow<'a, str> {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy(),
        _ => path.to_string_lossy(),
    }
}

fn place(root: &Path, finding: &PackageFinding) -> String {
    let file = relative(root, &finding.dependency.source);
    match finding.dependency.line {
        Some(line) => format!("{file}:{line}"),
        None => file.into_owned(),
    }
}

fn level_name(level: Option<Level>) -> &'static str {
    level.map(Level::as_str).unwrap_or("ignored")
}

pub fn human(out: &mut impl Write, o: &AuditOutput) -> io::Result<()> {
    let r = &o.report;
    writeln!(
        out,
        "palisade audit: {} dependencies from {} lockfiles against {} advisories",
        r.dependencies,
        o.lockfiles.len(),
        palisade_osv::db::Database::open(&o.database)
            .map(|d| d.header().records)
            .unwrap_or(0)
    )?;
    for error in &o.errors {
        writeln!(out, "  warning: {error}")?;
    }
    for finding in &r.findings {
        let d = &finding.dependency;
        let groups = if d.groups.is_empty() {
            String::new()
        } else {
            format!(" [{}]", d.groups.join(", "))
        };
        writeln!(
            out,
            "\n{:<10} {}@{} ({}){groups}  {}",
            level_name(finding.level).to_uppercase(),
            d.name,
            d.version,
            d.ecosystem,
            place(&o.root, finding)
        )?;
        if finding.path.len() > 1 {
            writeln!(out, "           via {}", finding.path.join(" > "))?;
        }
        for a in &finding.advisories {
            let aliases = if a.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.aliases.join(", "))
            };
            let score = a.score.map(|s| format!(" {s:.1}")).unwrap_or_default();
            writeln!(out, "  {}{aliases}  {}{score}", a.id, a.level.as_str())?;
            if let Some(summary) = &a.summary {
                writeln!(out, "      {summary}")?;
            }
            if !a.fixed.is_empty() {
                writeln!(out, "      fixed in {}", a.fixed.join(", "))?;
            }
            if let Some(ignore) = &a.ignored {
                writeln!(
                    out,
                    "      ignored until {}: {}",
                    ignore.expires, ignore.reason
                )?;
            }
        }
        match &finding.upgrade_to {
            Some(version) => writeln!(out, "  upgrade to {version}")?,
            None => writeln!(out, "  no fixed version is known")?,
        }
    }
    for d in &o.deep {
        if d.level.is_some() {
            writeln!(
                out,
                "\n{:<10} {}@{} ({}) scanned: {} {:.1}/10",
                d.verdict.as_str().to_uppercase(),
                d.name,
                d.version,
                d.ecosystem,
                d.verdict,
                d.score
            )?;
            for f in &d.findings {
                writeln!(out, "  {f}")?;
            }
        }
    }
    for expired in &r.expired_ignores {
        writeln!(
            out,
            "\nwarning: the ignore of {} expired on {}; it no longer applies ({})",
            expired.id, expired.expires, expired.reason
        )?;
    }
    let counts: Vec<String> = r
        .counts
        .iter()
        .rev()
        .map(|(level, n)| format!("{n} {level}"))
        .collect();
    writeln!(
        out,
        "\n{} affected packages{}; {} advisories ignored; {} unpinned entries not checked{}",
        r.findings.iter().filter(|f| f.level.is_some()).count(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        r.ignored,
        r.unpinned,
        if o.deep.is_empty() {
            String::new()
        } else {
            format!("; {} artifacts scanned", o.deep.len())
        },
    )?;
    if o.failed {
        let level = o.fail_on.map(Level::as_str).unwrap_or("never");
        writeln!(out, "FAILED: findings reach --fail-on {level}")?;
    }
    Ok(())
}

pub fn markdown(out: &mut impl Write, o: &AuditOutput) -> io::Result<()> {
    let r = &o.report;
    writeln!(out, "### Palisade audit\n")?;
    writeln!(
        out,
        "{} dependencies from {} lockfiles.\n",
        r.dependencies,
        o.lockfiles.len()
    )?;
    if r.findings.is_empty() {
        writeln!(out, "No known-malicious or vulnerable versions.")?;
    } else {
        writeln!(
            out,
            "| level | package | version | advisories | upgrade to | where |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for f in &r.findings {
            let ids: Vec<String> = f
                .advisories
                .iter()
                .map(|a| {
                    if a.ignored.is_some() {
                        format!("~~{}~~", a.id)
                    } else {
                        a.id.clone()
                    }
                })
                .collect();
            let cell = |s: &str| s.replace('|', "\\|");
            writeln!(
                out,
                "| {} | `{}` ({}) | {} | {} | {} | `{}` |",
                level_name(f.level),
                cell(&f.dependency.name),
                f.dependency.ecosystem,
                cell(&f.dependency.version),
                ids.join(", "),
                f.upgrade_to.as_deref().unwrap_or("none known"),
                cell(&place(&o.root, f))
            )?;
        }
    }
    for error in &o.errors {
        writeln!(out, "\n> warning: {error}")?;
    }
    if o.failed {
        writeln!(
            out,
            "\n**Failed**: findings reach `--fail-on {}`.",
            o.fail_on.map(Level::as_str).unwrap_or("never")
        )?;
    }
    Ok(())
}

/// One SARIF rule per advisory, one result per affected dependency and advisory,
/// located at the lockfile line that pins the version.
pub fn sarif(o: &AuditOutput) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut results = Vec::new();
    for f in &o.report.findings {
        for a in f.advisories.iter().filter(|a| a.ignored.is_none()) {
            if seen.insert(a.id.clone()) {
                rules.push(json!({
                    "id": a.id,
                    "shortDescription": {"text": a.summary.clone().unwrap_or_else(|| a.id.clone())},
                    "helpUri": a.url,
                    "properties": {"aliases": a.aliases, "security-severity": a.score.map(|s| format!("{s:.1}"))},
                }));
            }
            let level = match a.level {
                Level::Malicious | Level::Critical | Level::High => "error",
                Level::Medium => "warning",
                Level::Low => "note",
            };
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": relative(&o.root, &f.dependency.source)}}});
            if let Some(line) = f.dependency.line {
                location["physicalLocation"]["region"] = json!({"startLine": line});
            }
            let upgrade = f
                .upgrade_to
                .as_deref()
                .map(|v| format!("; upgrade to {v}"))
                .unwrap_or_default();
            results.push(json!({
                "ruleId": a.id,
                "level": level,
                "message": {"text": format!("{}@{} is affected by {} ({}){upgrade}", f.dependency.name, f.dependency.version, a.id, a.level.as_str())},
                "locations": [location],
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "palisade", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    })
}
