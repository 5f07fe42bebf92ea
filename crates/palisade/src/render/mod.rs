//! Writing reports in the formats of `--format`.

mod human;
mod sarif;

use crate::cli::Format;
use palisade_core::{Report, RuleInfo, Verdict};
use std::io::{self, Write};
use std::time::Duration;

pub use human::{write_report as write_human_report, write_summary};
pub(crate) use sarif::encode_uri;
pub use sarif::sarif_log;

/// Counts for the end-of-run summary.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub packages: usize,
    pub malicious: usize,
    pub suspicious: usize,
    pub clean: usize,
    pub errors: usize,
    pub findings: usize,
    pub elapsed: Duration,
}

impl Summary {
    pub fn add(&mut self, report: &Report) {
        self.packages += 1;
        self.findings += report.findings.len();
        match report.verdict {
            Verdict::Malicious => self.malicious += 1,
            Verdict::Suspicious => self.suspicious += 1,
            Verdict::Clean => self.clean += 1,
            Verdict::Error => self.errors += 1,
        }
    }
}

/// Writes reports as they arrive (`human`, `jsonl`) or all at the end (`json`, `sarif`).
pub struct Renderer<W: Write> {
    out: W,
    /// Every rule the engine can report, for SARIF's rule table.
    rules: Vec<&'static RuleInfo>,
    format: Format,
    /// Several packages: human output lists clean ones on one line each.
    many: bool,
    held: Vec<Report>,
}

impl<W: Write> Renderer<W> {
    pub fn new(out: W, format: Format, many: bool, rules: Vec<&'static RuleInfo>) -> Self {
        Renderer {
            out,
            rules,
            format,
            many,
            held: Vec::new(),
        }
    }

    pub fn report(&mut self, report: Report) -> io::Result<()> {
        match self.format {
            Format::Human => {
                let detailed = !self.many || report.verdict != Verdict::Clean;
                write_human_report(&mut self.out, &report, detailed)?;
                self.out.flush()
            }
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, &report)?;
                self.out.write_all(b"\n")?;
                self.out.flush()
            }
            Format::Json | Format::Sarif => {
                self.held.push(report);
                Ok(())
            }
        }
    }

    pub fn finish(mut self, summary: &Summary) -> io::Result<()> {
        // Reports arrive in completion order; sort the batch formats so that the same
        // input always gives the same file.
        self.held.sort_by(|a, b| a.target.cmp(&b.target));
        match self.format {
            Format::Human => {
                if self.many {
                    write_summary(&mut self.out, summary)?;
                }
            }
            Format::Jsonl => {}
            Format::Json => {
                if self.many {
                    serde_json::to_writer_pretty(&mut self.out, &self.held)?;
                } else if let Some(report) = self.held.first() {
                    serde_json::to_writer_pretty(&mut self.out, report)?;
                }
                self.out.write_all(b"\n")?;
            }
            Format::Sarif => {
                serde_json::to_writer_pretty(&mut self.out, &sarif_log(&self.held, &self.rules))?;
                self.out.write_all(b"\n")?;
            }
        }
        self.out.flush()
    }
}
