use super::Summary;
use anstyle::{AnsiColor, Style};
use palisade_core::{Report, Severity, Verdict};
use palisade_detect::diff::VersionDiff;
use std::io::{self, Write};

/// Findings shown per package; the rest are counted.
const MAX_SHOWN: usize = 25;

fn verdict_style(verdict: Verdict) -> Style {
    let color = match verdict {
        Verdict::Malicious => AnsiColor::Red,
        Verdict::Suspicious => AnsiColor::Yellow,
        Verdict::Clean => AnsiColor::Green,
        Verdict::Error => AnsiColor::Magenta,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Critical | Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into()))
}

/// Verdict first, then identity, then the findings most severe first, each with its
/// place and evidence.
pub fn write_report(out: &mut impl Write, report: &Report, detailed: bool) -> io::Result<()> {
    let vs = verdict_style(report.verdict);
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let identity = match (&report.ecosystem, &report.format) {
        (Some(eco), Some(format)) if format.starts_with(eco.as_str()) => format.clone(),
        (Some(eco), Some(format)) => format!("{eco} {format}"),
        (None, Some(format)) => format!("unidentified {format}"),
        _ => "unidentified".to_string(),
    };
    writeln!(
        out,
        "{vs}{:<10}{vs:#} {bold}{}{bold:#}  {dim}({identity}, score {:.1}/10){dim:#}",
        report.verdict.as_str().to_uppercase(),
        report.display_name(),
        report.score,
    )?;
    if !detailed {
        return Ok(());
    }
    writeln!(out, "  {dim}target{dim:#}  {}", report.target)?;
    if let Some(origin) = &report.origin {
        writeln!(
            out,
            "  {dim}fetched{dim:#} {} ({}{}), verified by {}",
            origin.filename,
            origin.kind,
            if origin.cached {
                ", from the cache"
            } else {
                ""
            },
            origin.verified_by
        )?;
    }
    if let Some(sha) = &report.sha256 {
        writeln!(out, "  {dim}sha256{dim:#}  {sha}")?;
    }
    for error in &report.errors {
        let es = verdict_style(Verdict::Error);
        writeln!(out, "  {es}error{es:#}   {error}")?;
    }
    for finding in report.findings.iter().take(MAX_SHOWN) {
        let ss = severity_style(finding.severity);
        writeln!(
            out,
            "  {ss}{:<8}{ss:#} {bold}{}{bold:#}  {}",
            finding.severity.as_str().to_uppercase(),
            finding.rule,
            finding.message
        )?;
        if let Some(path) = &finding.path {
            match finding.line {
                Some(line) => writeln!(out, "           {dim}at{dim:#} {path}:{line}")?,
                None => writeln!(out, "           {dim}at{dim:#} {path}")?,
            }
        }
        if let Some(chain) = &finding.decoded_from {
            writeln!(out, "           {dim}decoded{dim:#} {}", chain.join(" → "))?;
        }
        if let Some(snippet) = &finding.snippet {
            writeln!(out, "           {dim}│{dim:#} {snippet}")?;
        }
    }
    if report.findings.len() > MAX_SHOWN {
        writeln!(
            out,
            "  {dim}… and {} more findings (use --format json for all){dim:#}",
            report.findings.len() - MAX_SHOWN
        )?;
    }
    if report.findings.is_empty() && report.errors.is_empty() {
        writeln!(out, "  {dim}no findings{dim:#}")?;
    }
    if let Some(diff) = report
        .diff
        .as_ref()
        .and_then(|d| serde_json::from_value::<VersionDiff>(d.clone()).ok())
    {
        writeln!(out, "\n  {bold}Since the previous version{bold:#}")?;
        crate::diff::write_human(out, &diff)?;
    }
    writeln!(out)
}

pub fn write_summary(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    let bold = Style::new().bold();
    let secs = s.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        s.packages as f64 / secs
    } else {
        0.0
    };
    writeln!(
        out,
        "{bold}{} packages{bold:#} in {secs:.1}s ({rate:.1}/s): {} malicious, {} suspicious, {} clean, {} errors; {} findings",
        s.packages, s.malicious, s.suspicious, s.clean, s.errors, s.findings
    )
}
