use crate::labels::Label;
use palisade_core::{Report, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// A scanned corpus file with its label.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub label: Label,
    pub report: Report,
}

impl Outcome {
    fn flagged(&self, threshold: f64) -> bool {
        self.report.verdict != Verdict::Error && self.report.score >= threshold
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Ratio {
    pub hits: usize,
    pub total: usize,
    pub rate: f64,
}

impl Ratio {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += usize::from(hit);
        self.rate = self.hits as f64 / self.total as f64;
    }
}

/// One row of the threshold sweep.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SweepRow {
    pub threshold: f64,
    pub true_positives: usize,
    pub false_positives: usize,
    pub recall: f64,
    pub precision: f64,
    /// The highest false-positive rate of any benign ecosystem.
    pub worst_ecosystem_fpr: f64,
    pub mcc: f64,
}

/// A false positive or a miss, with why the scanner scored it as it did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Case {
    pub path: String,
    pub name: String,
    pub class: String,
    pub score: f64,
    pub verdict: Verdict,
    pub top_reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evaluation {
    pub threshold: f64,
    pub packages: usize,
    pub malicious: usize,
    pub benign: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub true_negatives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub mcc: f64,
    /// Recall per malicious `class`.
    pub recall_by_class: BTreeMap<String, Ratio>,
    /// Families (clusters) with at least one detected member, over all families.
    pub family_recall: Ratio,
    /// False-positive rate per benign ecosystem.
    pub fpr_by_ecosystem: BTreeMap<String, Ratio>,
    /// Reports with verdict `error` (unreadable targets), counted as not flagged.
    pub unreadable: usize,
    pub sweep: Vec<SweepRow>,
    pub false_positive_cases: Vec<Case>,
    pub misses: Vec<Case>,
    pub seconds: f64,
    pub packages_per_second: f64,
    pub threads: usize,
}

struct Counts {
    tp: usize,
    fp: usize,
    tn: usize,
    fn_: usize,
    fpr_by_ecosystem: BTreeMap<String, Ratio>,
}

fn count(outcomes: &[Outcome], threshold: f64) -> Counts {
    let mut c = Counts {
        tp: 0,
        fp: 0,
        tn: 0,
        fn_: 0,
        fpr_by_ecosystem: BTreeMap::new(),
    };
    for o in outcomes {
        let flagged = o.flagged(threshold);
        match (o.label.malicious, flagged) {
            (true, true) => c.tp += 1,
            (true, false) => c.fn_ += 1,
            (false, true) => c.fp += 1,
            (false, false) => c.tn += 1,
        }
        if !o.label.malicious {
            c.fpr_by_ecosystem
                .entry(o.label.ecosystem.clone())
                .or_default()
                .add(flagged);
        }
    }
    c
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn mcc(c: &Counts) -> f64 {
    let (tp, fp, tn, fn_) = (c.tp as f64, c.fp as f64, c.tn as f64, c.fn_ as f64);
    let denominator = ((tp + fp) * (tp + fn_) * (tn + fp) * (tn + fn_)).sqrt();
    if denominator == 0.0 {
        0.0
    } else {
        (tp * tn - fp * fn_) / denominator
    }
}

fn top_reasons(report: &Report) -> Vec<String> {
    let mut reasons: Vec<String> = report
        .findings
        .iter()
        .take(3)
        .map(|f| {
            let place = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!(" at {p}:{l}"),
                (Some(p), None) => format!(" at {p}"),
                _ => String::new(),
            };
            format!("{} ({}): {}{place}", f.rule, f.severity, f.message)
        })
        .collect();
    reasons.extend(report.errors.iter().take(1).cloned());
    reasons
}

fn case(o: &Outcome) -> Case {
    Case {
        path: o.label.path.clone(),
        name: o.label.name.clone(),
        class: o.label.class.clone(),
        score: o.report.score,
        verdict: o.report.verdict,
        top_reasons: top_reasons(&o.report),
    }
}

/// Computes every metric at `threshold`, and the sweep over thresholds 0.5 to 10.
pub fn evaluate(mut outcomes: Vec<Outcome>, threshold: f64, elapsed: Duration) -> Evaluation {
    outcomes.sort_by(|a, b| a.label.path.cmp(&b.label.path));
    let c = count(&outcomes, threshold);
    let mut recall_by_class: BTreeMap<String, Ratio> = BTreeMap::new();
    let mut families: BTreeMap<String, bool> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.label.malicious) {
        let flagged = o.flagged(threshold);
        recall_by_class
            .entry(o.label.class.clone())
            .or_default()
            .add(flagged);
        let family = if o.label.cluster.is_empty() {
            o.label.path.clone()
        } else {
            o.label.cluster.clone()
        };
        *families.entry(family).or_default() |= flagged;
    }
    let mut family_recall = Ratio::default();
    for detected in families.values() {
        family_recall.add(*detected);
    }
    let sweep = (1..=20)
        .map(|step| {
            let t = f64::from(step) * 0.5;
            let s = count(&outcomes, t);
            SweepRow {
                threshold: t,
                true_positives: s.tp,
                false_positives: s.fp,
                recall: ratio(s.tp, s.tp + s.fn_),
                precision: ratio(s.tp, s.tp + s.fp),
                worst_ecosystem_fpr: s
                    .fpr_by_ecosystem
                    .values()
                    .map(|r| r.rate)
                    .fold(0.0, f64::max),
                mcc: mcc(&s),
            }
        })
        .collect();
    let mut false_positive_cases: Vec<Case> = outcomes
        .iter()
        .filter(|o| !o.label.malicious && o.flagged(threshold))
        .map(case)
        .collect();
    false_positive_cases.sort_by(|a, b| b.score.total_cmp(&a.score));
    let misses = outcomes
        .iter()
        .filter(|o| o.label.malicious && !o.flagged(threshold))
        .map(case)
        .collect();
    let seconds = elapsed.as_secs_f64();
    Evaluation {
        threshold,
        packages: outcomes.len(),
        malicious: outcomes.iter().filter(|o| o.label.malicious).count(),
        benign: outcomes.iter().filter(|o| !o.label.malicious).count(),
        true_positives: c.tp,
        false_positives: c.fp,
        true_negatives: c.tn,
        false_negatives: c.fn_,
        precision: ratio(c.tp, c.tp + c.fp),
        recall: ratio(c.tp, c.tp + c.fn_),
        mcc: mcc(&c),
        recall_by_class,
        family_recall,
        fpr_by_ecosystem: c.fpr_by_ecosystem,
        unreadable: outcomes
            .iter()
            .filter(|o| o.report.verdict == Verdict::Error)
            .count(),
        sweep,
        false_positive_cases,
        misses,
        seconds,
        packages_per_second: if seconds > 0.0 {
            outcomes.len() as f64 / seconds
        } else {
            0.0
        },
        threads: rayon::current_num_threads(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(malicious: bool, eco: &str, class: &str, score: f64) -> Outcome {
        let mut report = Report::error("t", "e");
        report.verdict = Verdict::Clean;
        report.errors.clear();
        report.score = score;
        Outcome {
            label: Label {
                path: format!("{eco}/{class}/{score}"),
                ecosystem: eco.into(),
                malicious,
                class: class.into(),
                cluster: String::new(),
                name: String::new(),
            },
            report,
        }
    }

    #[test]
    fn confusion_matrix_and_rates() {
        let outcomes = vec![
            outcome(true, "pypi", "payload", 9.0),
            outcome(true, "pypi", "recon", 2.0),
            outcome(false, "pypi", "popular", 8.5),
            outcome(false, "npm", "popular", 0.0),
        ];
        let e = evaluate(outcomes, 8.0, Duration::from_secs(1));
        assert_eq!(
            (
                e.true_positives,
                e.false_negatives,
                e.false_positives,
                e.true_negatives
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(e.recall, 0.5);
        assert_eq!(e.precision, 0.5);
        assert_eq!(e.fpr_by_ecosystem["pypi"].rate, 1.0);
        assert_eq!(e.fpr_by_ecosystem["npm"].rate, 0.0);
        assert_eq!(e.recall_by_class["recon"].rate, 0.0);
        assert_eq!(e.misses.len(), 1);
        assert_eq!(e.false_positive_cases[0].score, 8.5);
        assert_eq!(e.mcc, 0.0);
        let at_two = e.sweep.iter().find(|r| r.threshold == 2.0).unwrap();
        assert_eq!(at_two.recall, 1.0);
    }
}
