//! `palisade eval DIR`: detection quality on a labelled corpus, with optional floors that
//! make it a CI gate.

use crate::cli::{DataFormat, EvalArgs};
use anyhow::{Context, Result};
use palisade_detect::{Engine, MALICIOUS_THRESHOLD, ScanOptions};
use std::process::ExitCode;

pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let engine = Engine::new(ScanOptions {
        rule_dirs: args.rule_dirs.clone(),
        ..ScanOptions::default()
    })?;
    let threshold = args.threshold.unwrap_or(MALICIOUS_THRESHOLD);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
    let evaluation = pool.install(|| palisade_eval::run(&engine, &args.dir, threshold))?;
    match args.format {
        DataFormat::Json => println!("{}", serde_json::to_string_pretty(&evaluation)?),
        DataFormat::Text => palisade_eval::write_text(&mut std::io::stdout().lock(), &evaluation)?,
    }
    let mut failed = Vec::new();
    if let Some(floor) = args.min_recall
        && evaluation.recall < floor
    {
        failed.push(format!("recall {:.4} is below {floor}", evaluation.recall));
    }
    if let Some(ceiling) = args.max_fpr {
        for (eco, rate) in &evaluation.fpr_by_ecosystem {
            if rate.rate > ceiling {
                failed.push(format!(
                    "false-positive rate {:.4} in {eco} is above {ceiling}",
                    rate.rate
                ));
            }
        }
    }
    for failure in &failed {
        eprintln!("palisade eval: {failure}");
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
