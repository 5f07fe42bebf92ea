//! `palisade diff OLD NEW`: what the new version adds in risk terms.

use crate::cli::{DiffArgs, DiffFormat};
use crate::targets::{Resolved, Resolver};
use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result};
use palisade_detect::diff::{Change, DiffSide, RiskChange, VersionDiff, diff};
use palisade_detect::{Engine, ScanOptions};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub fn run(args: DiffArgs) -> Result<ExitCode> {
    let engine = Engine::new(ScanOptions {
        limits: args.limits.to_limits(),
        rule_dirs: args.rule_dirs.clone(),
    })?;
    let resolver = Resolver::new(&args.registry);
    let old = resolver.resolve(&args.old)?;
    let new = resolver.resolve(&args.new)?;
    let result = compare(&engine, &old, &new)?;
    let stdout = std::io::stdout();
    let color = args.format == DiffFormat::Human
        && stdout.is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let choice = if color {
        anstream::ColorChoice::Always
    } else {
        anstream::ColorChoice::Never
    };
    let mut out = anstream::AutoStream::new(stdout.lock(), choice);
    match args.format {
        DiffFormat::Human => write_human(&mut out, &result)?,
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &result)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(if result.risk == RiskChange::Raised && !args.no_fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Analyses both sides and compares them; shared by `diff` and `scan --diff-previous`.
pub fn compare(engine: &Engine, old: &Resolved, new: &Resolved) -> Result<VersionDiff> {
    let analyse = |side: &Resolved| {
        engine
            .analyse_path(&side.path)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("{}: cannot analyse", side.label))
    };
    let (old_analysis, new_analysis) = (analyse(old)?, analyse(new)?);
    Ok(diff(
        &DiffSide {
            target: &old.label,
            analysis: &old_analysis,
            metadata: old.metadata.as_ref(),
        },
        &DiffSide {
            target: &new.label,
            analysis: &new_analysis,
            metadata: new.metadata.as_ref(),
        },
    ))
}

pub fn write_human(out: &mut impl Write, d: &VersionDiff) -> std::io::Result<()> {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let (label, color) = match d.risk {
        RiskChange::Raised => ("NEW RISK", AnsiColor::Red),
        RiskChange::Lowered => ("LESS RISK", AnsiColor::Green),
        RiskChange::None => ("NO NEW RISK", AnsiColor::Green),
    };
    let rs = Style::new().bold().fg_color(Some(color.into()));
    let name = |s: &palisade_detect::diff::SideSummary| match (&s.name, &s.version) {
        (Some(n), Some(v)) => format!("{n}@{v}"),
        _ => s.target.clone(),
    };
    writeln!(
        out,
        "{rs}{label}{rs:#}  {bold}{}{bold:#} -> {bold}{}{bold:#}  {dim}(score {:.1} {} -> {:.1} {}){dim:#}",
        name(&d.old),
        name(&d.new),
        d.old.score,
        d.old.verdict,
        d.new.score,
        d.new.verdict,
    )?;
    writeln!(
        out,
        "  files: {} added, {} changed, {} removed, {} unchanged",
        d.files.added, d.files.changed, d.files.removed, d.files.unchanged
    )?;
    let (risky, other): (Vec<&Change>, Vec<&Change>) =
        d.changes.iter().partition(|c| c.raises_risk);
    for (title, changes) in [("Adds risk", risky), ("Other changes", other)] {
        if changes.is_empty() {
            continue;
        }
        writeln!(out, "\n  {bold}{title}{bold:#}")?;
        for c in changes {
            let kind = c.kind.name();
            writeln!(out, "  - {kind:<23} {}", c.message)?;
            let place = match (&c.path, c.line) {
                (Some(p), Some(l)) => Some(format!("{p}:{l}")),
                (Some(p), None) => Some(p.clone()),
                _ => None,
            };
            if let Some(place) = place {
                let rule = c
                    .rule
                    .as_deref()
                    .map(|r| format!("  [{r}]"))
                    .unwrap_or_default();
                writeln!(out, "    {dim}{place}{rule}{dim:#}")?;
            }
            if let Some(snippet) = &c.snippet {
                writeln!(out, "    {dim}> {}{dim:#}", snippet.trim())?;
            }
        }
    }
    Ok(())
}
