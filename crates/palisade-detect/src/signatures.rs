//! YARA signature rules (`*.yar`, `*.yara`) from user rule folders, compiled with
//! yara-x. Each YARA rule becomes a Palisade rule: its `meta` gives the id, category,
//! severity, signal and documentation, and its tags become correlation tags, so a
//! signature weighs exactly like a code rule. Slow patterns are refused at load time,
//! as are metadata values Palisade does not know, with the file and line.
//!
//! ```yara
//! rule discord_grabber : credentials stealer {
//!   meta:
//!     severity = "high"
//!     signal = "indicator"
//!     category = "credential-theft"
//!     summary = "Reads Discord's token store."
//!     why = "Token grabbers take over the victim's account."
//!   strings:
//!     $a = "Local Storage\\leveldb"
//!   condition:
//!     $a
//! }
//! ```

use crate::coderules::{RuleError, Signal, leak};
use palisade_core::{Category, RuleInfo, Severity};
use std::time::Duration;
use yara_x::MetaValue;

/// Time one file may take in the YARA scanner.
const SCAN_TIMEOUT: Duration = Duration::from_secs(5);

/// A compiled YARA rule's meaning to Palisade.
#[derive(Debug)]
pub struct Signature {
    pub info: &'static RuleInfo,
    pub signal: Signal,
    pub tags: Vec<String>,
}

/// Every loaded YARA rule, compiled once and shared by all threads.
pub struct Signatures {
    rules: yara_x::Rules,
    by_name: std::collections::HashMap<(String, String), Signature>,
}

impl std::fmt::Debug for Signatures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signatures({} rules)", self.by_name.len())
    }
}

/// A match of a signature in one file.
pub struct SignatureHit<'a> {
    pub signature: &'a Signature,
    pub offset: usize,
}

impl Signatures {
    /// Compiles `(file name, text)` sources; `None` when there are none.
    pub fn compile(sources: &[(String, String)]) -> Result<Option<Signatures>, RuleError> {
        if sources.is_empty() {
            return Ok(None);
        }
        let mut compiler = yara_x::Compiler::new();
        compiler.error_on_slow_pattern(true);
        for (name, text) in sources {
            let source = yara_x::SourceCode::from(text.as_str()).with_origin(name.clone());
            compiler
                .add_source(source)
                .map_err(|e| compile_error(name, text, &e.to_string()))?;
        }
        let rules = compiler.build();
        let mut by_name = std::collections::HashMap::new();
        for rule in rules.iter() {
            let origin = sources
                .iter()
                .find(|(_, text)| text.contains(rule.identifier()))
                .map_or("yara", |(name, _)| name.as_str());
            let signature = signature_of(&rule, origin, sources)?;
            by_name.insert(
                (rule.namespace().to_string(), rule.identifier().to_string()),
                signature,
            );
        }
        Ok(Some(Signatures { rules, by_name }))
    }

    /// A scanner for one package (cheap to create; not shareable across threads).
    pub fn scanner(&self) -> yara_x::Scanner<'_> {
        let mut scanner = yara_x::Scanner::new(&self.rules);
        scanner.set_timeout(SCAN_TIMEOUT);
        scanner
    }

    /// The signatures matching `data`, each with the offset of its first match. A scan
    /// that fails (timeout) yields what matched before it stopped: nothing.
    pub fn scan<'s>(
        &'s self,
        scanner: &mut yara_x::Scanner<'s>,
        data: &[u8],
    ) -> Vec<SignatureHit<'s>> {
        let Ok(results) = scanner.scan(data) else {
            return Vec::new();
        };
        results
            .matching_rules()
            .filter_map(|rule| {
                let key = (rule.namespace().to_string(), rule.identifier().to_string());
                let signature = self.by_name.get(&key)?;
                let offset = rule
                    .patterns()
                    .flat_map(|p| p.matches().map(|m| m.range().start).collect::<Vec<_>>())
                    .min()
                    .unwrap_or(0);
                Some(SignatureHit { signature, offset })
            })
            .collect()
    }

    pub fn infos(&self) -> impl Iterator<Item = &'static RuleInfo> + '_ {
        self.by_name.values().map(|s| s.info)
    }
}

/// The YARA files (`*.yar`, `*.yara`) of the given folders, compiled.
pub fn load_dirs(dirs: &[std::path::PathBuf]) -> Result<Option<Signatures>, RuleError> {
    let mut sources = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|e| RuleError {
            file: dir.display().to_string(),
            line: 0,
            reason: format!("cannot read the rule folder: {e}"),
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yar" || e == "yara"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| RuleError {
                file: name.clone(),
                line: 0,
                reason: format!("cannot read: {e}"),
            })?;
            sources.push((name, text));
        }
    }
    Signatures::compile(&sources)
}

/// A compile error as a `RuleError`: yara-x reports `--> file:line:column`.
fn compile_error(name: &str, text: &str, report: &str) -> RuleError {
    let line = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("-->"))
        .and_then(|place| place.trim().rsplit(':').nth(1))
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::from(!text.is_empty()));
    let reason = report
        .lines()
        .next()
        .unwrap_or("invalid YARA rule")
        .to_string();
    RuleError {
        file: name.to_string(),
        line,
        reason,
    }
}

fn signature_of(
    rule: &yara_x::Rule<'_, '_>,
    origin: &str,
    sources: &[(String, String)],
) -> Result<Signature, RuleError> {
    let mut meta = std::collections::HashMap::new();
    for (key, value) in rule.metadata() {
        if let MetaValue::String(s) = value {
            meta.insert(key.to_string(), s.to_string());
        }
    }
    let line = sources
        .iter()
        .find(|(name, _)| name == origin)
        .and_then(|(_, text)| {
            text.lines()
                .position(|l| l.contains(&format!("rule {}", rule.identifier())))
        })
        .map_or(0, |p| p + 1);
    let err = |reason: String| RuleError {
        file: origin.to_string(),
        line,
        reason,
    };
    let get = |k: &str| meta.get(k).cloned();
    let category = match get("category") {
        None => Category::Payload,
        Some(c) => Category::parse(&c).ok_or_else(|| {
            err(format!(
                "rule {}: unknown category `{c}`",
                rule.identifier()
            ))
        })?,
    };
    let severity = match get("severity") {
        None => Severity::Medium,
        Some(s) => Severity::parse(&s).ok_or_else(|| {
            err(format!(
                "rule {}: unknown severity `{s}`",
                rule.identifier()
            ))
        })?,
    };
    let signal = match get("signal").as_deref() {
        None | Some("indicator") => Signal::Indicator,
        Some("threat") => Signal::Threat,
        Some("capability") => Signal::Capability,
        Some(other) => {
            return Err(err(format!(
                "rule {}: unknown signal `{other}`",
                rule.identifier()
            )));
        }
    };
    let id = get("id").unwrap_or_else(|| {
        format!(
            "yara/{}",
            rule.identifier().replace('_', "-").to_lowercase()
        )
    });
    let summary = get("summary")
        .or_else(|| get("description"))
        .unwrap_or_else(|| format!("Matches the YARA rule {}.", rule.identifier()));
    let info: &'static RuleInfo = Box::leak(Box::new(RuleInfo {
        id: leak(id),
        category,
        severity,
        summary: leak(summary),
        why: leak(get("why").unwrap_or_else(|| "A user signature rule matched.".into())),
        example: leak(get("example").unwrap_or_default()),
        attack: get("attack").map(leak),
    }));
    Ok(Signature {
        info,
        signal,
        tags: rule
            .tags()
            .map(|t| t.identifier().replace('_', "-"))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"
rule discord_grabber : credentials stealer {
  meta:
    severity = "high"
    category = "credential-theft"
    summary = "Reads Discord's token store."
    why = "Token grabbers take over the victim's account."
  strings:
    $a = "Local Storage\\leveldb"
  condition:
    $a
}
"#;

    #[test]
    fn a_signature_matches_with_its_metadata_and_tags() {
        let sigs = Signatures::compile(&[("mine.yar".into(), RULE.into())])
            .unwrap()
            .unwrap();
        let mut scanner = sigs.scanner();
        let hits = sigs.scan(
            &mut scanner,
            b"path = roaming + 'discord\\Local Storage\\leveldb'",
        );
        assert_eq!(hits.len(), 1);
        let s = hits[0].signature;
        assert_eq!(s.info.id, "yara/discord-grabber");
        assert_eq!(s.info.severity, Severity::High);
        assert_eq!(s.tags, ["credentials", "stealer"]);
        assert!(hits[0].offset > 0);
        assert!(sigs.scan(&mut scanner, b"nothing").is_empty());
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let broken = "rule x {\n  condition:\n    $missing\n}\n";
        let err = Signatures::compile(&[("bad.yar".into(), broken.into())]).unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("bad.yar", 3), "{err}");
        let bad_meta = RULE.replace("\"high\"", "\"huge\"");
        let err = Signatures::compile(&[("m.yar".into(), bad_meta)]).unwrap_err();
        assert!(err.reason.contains("unknown severity"), "{err}");
        assert_eq!(err.line, 2);
    }

    #[test]
    fn a_slow_pattern_is_refused() {
        let slow =
            "rule s {\n  strings:\n    $r = /[A-Za-z0-9+\\/]{300,}/\n  condition:\n    $r\n}\n";
        assert!(Signatures::compile(&[("slow.yar".into(), slow.into())]).is_err());
    }
}
