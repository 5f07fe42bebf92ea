//! The audit in words (terminal), as a Markdown table (pull-request comments) and as
//! SARIF 2.1.0 (code-scanning interfaces). JSON is the serialised [`AuditOutput`].

use super::AuditOutput;
use crate::render::encode_uri;
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
        o.database_records
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

/// Text safe inside a Markdown table cell: a `|` would end the cell and a line break
/// the row, and both come from lockfiles and advisory records, which are not ours.
fn cell(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

/// `s` as a code span in a table cell, fenced with more backticks than it contains.
fn code(s: &str) -> String {
    let s = cell(s);
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{s}{fence}")
    } else {
        format!("{fence} {s} {fence}")
    }
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
                        format!("~~{}~~", cell(&a.id))
                    } else {
                        cell(&a.id)
                    }
                })
                .collect();
            writeln!(
                out,
                "| {} | {} ({}) | {} | {} | {} | {} |",
                level_name(f.level),
                code(&f.dependency.name),
                f.dependency.ecosystem,
                cell(&f.dependency.version),
                ids.join(", "),
                cell(f.upgrade_to.as_deref().unwrap_or("none known")),
                code(&place(&o.root, f))
            )?;
        }
    }
    let flagged: Vec<_> = o.deep.iter().filter(|d| d.level.is_some()).collect();
    if !flagged.is_empty() {
        writeln!(out, "\nScanned artifacts (`--deep`):\n")?;
        writeln!(
            out,
            "| verdict | package | version | score | strongest finding |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for d in flagged {
            writeln!(
                out,
                "| {} | {} ({}) | {} | {:.1} | {} |",
                d.verdict.as_str(),
                code(&d.name),
                d.ecosystem,
                cell(&d.version),
                d.score,
                cell(d.findings.first().map(String::as_str).unwrap_or(""))
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

/// The SARIF rule of `--deep` verdicts.
const DEEP_RULE: &str = "palisade/deep-scan";

/// One SARIF rule per advisory, one result per affected dependency and advisory,
/// located at the lockfile line that pins the version.
pub fn sarif(o: &AuditOutput) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut results = Vec::new();
    for f in &o.report.findings {
        for a in f.advisories.iter().filter(|a| a.ignored.is_none()) {
            if seen.insert(a.id.clone()) {
                // SARIF allows no null: `helpUri` and `security-severity` are left out
                // when the advisory gives neither.
                let mut rule = json!({
                    "id": a.id,
                    "shortDescription": {"text": a.summary.clone().unwrap_or_else(|| a.id.clone())},
                    "properties": {"aliases": a.aliases},
                });
                if let Some(url) = &a.url {
                    rule["helpUri"] = json!(url);
                }
                if let Some(score) = a.score {
                    rule["properties"]["security-severity"] = json!(format!("{score:.1}"));
                }
                rules.push(rule);
            }
            let level = match a.level {
                Level::Malicious | Level::Critical | Level::High => "error",
                Level::Medium => "warning",
                Level::Low => "note",
            };
            let uri = encode_uri(&relative(&o.root, &f.dependency.source));
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": uri}}});
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
    // `--deep` verdicts: one rule, one result per flagged artifact, at its lockfile.
    let flagged: Vec<_> = o.deep.iter().filter(|d| d.level.is_some()).collect();
    if !flagged.is_empty() {
        rules.push(json!({
            "id": DEEP_RULE,
            "shortDescription": {"text": "The dependency's published artifact was scanned and judged suspicious or malicious."},
        }));
    }
    for d in flagged {
        let level = if d.level == Some(Level::Malicious) {
            "error"
        } else {
            "warning"
        };
        results.push(json!({
            "ruleId": DEEP_RULE,
            "level": level,
            "message": {"text": format!("{}@{} ({}) scanned {} with score {:.1}: {}", d.name, d.version, d.ecosystem, d.verdict.as_str(), d.score, d.findings.join("; "))},
        }));
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

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_audit::{AdvisoryMatch, AuditReport};
    use palisade_core::Ecosystem;
    use palisade_deps::Dependency;
    use std::path::PathBuf;

    fn output(name: &str, id: &str, source: &str, url: Option<&str>) -> AuditOutput {
        let mut dependency = Dependency::new(Ecosystem::Npm, name, "1.0.0", Path::new(source));
        dependency.line = Some(3);
        AuditOutput {
            schema_version: 1,
            root: PathBuf::from("/p"),
            lockfiles: vec![PathBuf::from(source)],
            database: PathBuf::from("/db"),
            database_records: 1,
            fail_on: Some(Level::High),
            failed: false,
            report: AuditReport {
                dependencies: 1,
                findings: vec![PackageFinding {
                    dependency,
                    level: Some(Level::Malicious),
                    advisories: vec![AdvisoryMatch {
                        id: id.to_string(),
                        aliases: Vec::new(),
                        summary: None,
                        level: Level::Malicious,
                        score: None,
                        fixed: Vec::new(),
                        url: url.map(str::to_string),
                        ignored: None,
                    }],
                    upgrade_to: None,
                    path: vec![name.to_string()],
                }],
                ..AuditReport::default()
            },
            errors: Vec::new(),
            deep: Vec::new(),
        }
    }

    #[test]
    fn sarif_has_no_nulls_and_encodes_the_uri() {
        let log = sarif(&output(
            "evil",
            "MAL-1",
            "/p/my app/package-lock.json",
            None,
        ));
        let text = log.to_string();
        assert!(!text.contains("null"), "{text}");
        let run = &log["runs"][0];
        assert!(run["tool"]["driver"]["rules"][0].get("helpUri").is_none());
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "my%20app/package-lock.json"
        );
        let with_url = sarif(&output("evil", "MAL-1", "/p/a.json", Some("https://x/y")));
        assert_eq!(
            with_url["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"],
            "https://x/y"
        );
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        let o = output("a`b|c", "MAL-1|x\ny", "/p/dir|x\n/package-lock.json", None);
        let mut out = Vec::new();
        markdown(&mut out, &o).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = text
            .lines()
            .find(|l| l.starts_with("| malicious"))
            .expect(&text);
        assert!(
            row.contains("`` a`b\\|c ``") && row.contains("MAL-1\\|x y"),
            "{row}"
        );
        // Seven unescaped pipes: six cells.
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 7, "{row}");
    }
}
