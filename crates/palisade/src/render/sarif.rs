//! SARIF 2.1.0 (OASIS), the format code-scanning interfaces load.

use palisade_core::{Finding, Report, RuleInfo, Severity};
use serde_json::{Value, json};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// One SARIF run holding every finding of every report. Each result's location is the
/// file inside the artifact, prefixed by the artifact, so `x.tgz/package/index.js`.
pub fn sarif_log(reports: &[Report], rules: &[&'static RuleInfo]) -> Value {
    let rules: Vec<Value> = rules
        .iter()
        .map(|rule| {
            let mut value = json!({
                "id": rule.id,
                "name": rule.id.replace(['/', '-'], "_"),
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.why },
                "help": { "text": format!("{}\n\nWhy it matters: {}\n\nExample: {}", rule.summary, rule.why, rule.example) },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": { "category": rule.category.as_str(), "severity": rule.severity.as_str() },
            });
            if let Some(attack) = rule.attack {
                value["properties"]["tags"] = json!([format!("attack:{attack}")]);
            }
            value
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|report| report.findings.iter().map(move |f| result(report, f)))
        .collect();
    let notifications: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.errors.iter())
        .map(|e| json!({ "level": "error", "message": { "text": e } }))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "palisade",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/palisade",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn result(report: &Report, finding: &Finding) -> Value {
    let uri = match &finding.path {
        Some(path) => format!("{}/{}", report.target.trim_end_matches('/'), path),
        None => report.target.clone(),
    };
    let mut region = json!({});
    if let Some(line) = finding.line {
        region["startLine"] = json!(line);
    }
    if let Some(snippet) = &finding.snippet {
        region["snippet"] = json!({ "text": snippet });
    }
    let mut location = json!({ "artifactLocation": { "uri": encode_uri(&uri) } });
    if region.as_object().is_some_and(|r| !r.is_empty()) {
        location["region"] = region;
    }
    json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": { "text": format!("{}: {}", report.display_name(), finding.message) },
        "locations": [{ "physicalLocation": location }],
        "properties": {
            "package": report.display_name(),
            "ecosystem": report.ecosystem.map(|e| e.as_str()),
            "verdict": report.verdict.as_str(),
            "score": report.score,
            "decodedFrom": finding.decoded_from,
        },
    })
}

/// Percent-encodes what may not appear in a URI reference, keeping `/`.
pub(crate) fn encode_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_but_keep_slashes() {
        assert_eq!(encode_uri("a b/ü.js"), "a%20b/%C3%BC.js");
    }
}
