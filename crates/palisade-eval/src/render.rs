use crate::metrics::{Case, Evaluation, Ratio};
use std::io::{self, Write};

/// Cases listed per kind; JSON output has them all.
const MAX_CASES: usize = 40;

fn pct(r: &Ratio) -> String {
    format!("{:>6.2}% ({}/{})", r.rate * 100.0, r.hits, r.total)
}

pub fn write_text(out: &mut impl Write, e: &Evaluation) -> io::Result<()> {
    writeln!(
        out,
        "Evaluation at threshold {:.1}: {} packages ({} malicious, {} benign), {} unreadable",
        e.threshold, e.packages, e.malicious, e.benign, e.unreadable
    )?;
    writeln!(out, "\nConfusion matrix      flagged   not flagged")?;
    writeln!(
        out,
        "  malicious          {:>7}   {:>11}",
        e.true_positives, e.false_negatives
    )?;
    writeln!(
        out,
        "  benign             {:>7}   {:>11}",
        e.false_positives, e.true_negatives
    )?;
    writeln!(
        out,
        "\nprecision {:.4}   recall {:.4}   MCC {:.4}",
        e.precision, e.recall, e.mcc
    )?;
    writeln!(out, "family recall         {}", pct(&e.family_recall))?;
    for (class, r) in &e.recall_by_class {
        writeln!(out, "recall  {class:<14} {}", pct(r))?;
    }
    for (eco, r) in &e.fpr_by_ecosystem {
        writeln!(out, "FP rate {eco:<14} {}", pct(r))?;
    }
    writeln!(
        out,
        "\nThreshold sweep\n  threshold     TP    FP   recall  precision  worst-eco-FPR     MCC"
    )?;
    for row in &e.sweep {
        writeln!(
            out,
            "  {:>9.1} {:>6} {:>5}   {:.4}     {:.4}         {:.4}  {:.4}",
            row.threshold,
            row.true_positives,
            row.false_positives,
            row.recall,
            row.precision,
            row.worst_ecosystem_fpr,
            row.mcc
        )?;
    }
    write_cases(out, "False positives", &e.false_positive_cases)?;
    write_cases(out, "Misses", &e.misses)?;
    writeln!(
        out,
        "\nThroughput: {:.1} packages/s on {} threads ({:.1} per thread), {:.1} s in all",
        e.packages_per_second,
        e.threads,
        e.packages_per_second / e.threads.max(1) as f64,
        e.seconds
    )
}

fn write_cases(out: &mut impl Write, title: &str, cases: &[Case]) -> io::Result<()> {
    writeln!(out, "\n{title}: {}", cases.len())?;
    for case in cases.iter().take(MAX_CASES) {
        writeln!(
            out,
            "  {} [{}] score {:.1} {}",
            case.path, case.class, case.score, case.verdict
        )?;
        for reason in &case.top_reasons {
            writeln!(out, "      {reason}")?;
        }
    }
    if cases.len() > MAX_CASES {
        writeln!(
            out,
            "  … {} more (use --format json)",
            cases.len() - MAX_CASES
        )?;
    }
    Ok(())
}
