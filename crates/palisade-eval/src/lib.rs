//! Measuring detection quality on a labelled corpus.
//!
//! The corpus folder holds `labels.tsv` (tab-separated, with a header naming at least
//! `path`, `ecosystem`, `label`, `class` and `cluster`) and the files it lists. Every
//! file is scanned; a package counts as detected when its score reaches the threshold of
//! the verdict under test (`malicious` by default). The metrics are computed from the
//! reports alone, so a sweep over thresholds costs nothing more than one scan.

mod labels;
mod metrics;
mod render;

pub use labels::{Label, LabelError, read_labels};
pub use metrics::{Evaluation, Outcome, SweepRow, evaluate};
pub use render::write_text;

use palisade_detect::Engine;
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

/// Scans every labelled file of `corpus` in parallel and evaluates the reports against
/// the labels at `threshold` (a score from 0 to 10).
pub fn run(engine: &Engine, corpus: &Path, threshold: f64) -> Result<Evaluation, LabelError> {
    let labels = read_labels(corpus)?;
    let started = Instant::now();
    let outcomes: Vec<Outcome> = labels
        .into_par_iter()
        .map(|label| {
            let report = engine.scan_path(&corpus.join(&label.path));
            Outcome { label, report }
        })
        .collect();
    let elapsed = started.elapsed();
    Ok(evaluate(outcomes, threshold, elapsed))
}
