//! Reading advisories from JSON and YAML, and the checks serde cannot express.

use super::{Advisory, RangeType};
use std::path::Path;

/// Why an advisory could not be read, with where it came from.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {kind}")]
pub struct AdvisoryError {
    /// The file path, or a label the caller gave (`<json>` / `<yaml>` by default).
    pub origin: String,
    pub kind: ErrorKind,
}

/// The reason of an [`AdvisoryError`].
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid OSV JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid OSV YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    /// The record has the right shape but breaks a rule of the schema.
    #[error("invalid OSV record {id}: {reason}")]
    Invalid { id: String, reason: String },
    #[error("unknown advisory file type (expected .json, .yaml or .yml)")]
    UnknownFileType,
}

/// Largest advisory file read, in bytes; real records are under 1 MiB.
pub const MAX_ADVISORY_BYTES: u64 = 16 << 20;

impl Advisory {
    /// Parses one OSV record from JSON.
    pub fn from_json(text: &str) -> Result<Advisory, AdvisoryError> {
        Advisory::from_json_at(text, "<json>")
    }

    /// Parses one OSV record from YAML.
    pub fn from_yaml(text: &str) -> Result<Advisory, AdvisoryError> {
        Advisory::from_yaml_at(text, "<yaml>")
    }

    /// [`Advisory::from_json`], naming `origin` in errors.
    pub fn from_json_at(text: &str, origin: &str) -> Result<Advisory, AdvisoryError> {
        let advisory: Advisory = serde_json::from_str(text).map_err(|e| error(origin, e.into()))?;
        advisory.validate().map_err(|kind| error(origin, kind))?;
        Ok(advisory)
    }

    /// [`Advisory::from_yaml`], naming `origin` in errors.
    pub fn from_yaml_at(text: &str, origin: &str) -> Result<Advisory, AdvisoryError> {
        let advisory: Advisory =
            serde_yaml_ng::from_str(text).map_err(|e| error(origin, e.into()))?;
        advisory.validate().map_err(|kind| error(origin, kind))?;
        Ok(advisory)
    }

    /// Reads a `.json`, `.yaml` or `.yml` file (at most [`MAX_ADVISORY_BYTES`]).
    pub fn from_path(path: &Path) -> Result<Advisory, AdvisoryError> {
        let origin = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let is_json = match ext.as_deref() {
            Some("json") => true,
            Some("yaml" | "yml") => false,
            _ => return Err(error(&origin, ErrorKind::UnknownFileType)),
        };
        let len = std::fs::metadata(path)
            .map_err(|e| error(&origin, e.into()))?
            .len();
        if len > MAX_ADVISORY_BYTES {
            let reason = format!("file of {len} bytes exceeds {MAX_ADVISORY_BYTES}");
            let io = std::io::Error::new(std::io::ErrorKind::InvalidData, reason);
            return Err(error(&origin, io.into()));
        }
        let text = std::fs::read_to_string(path).map_err(|e| error(&origin, e.into()))?;
        if is_json {
            Advisory::from_json_at(&text, &origin)
        } else {
            Advisory::from_yaml_at(&text, &origin)
        }
    }

    /// The rules of the schema that matching depends on.
    fn validate(&self) -> Result<(), ErrorKind> {
        let invalid = |reason: String| ErrorKind::Invalid {
            id: if self.id.is_empty() {
                "(no id)".to_string()
            } else {
                self.id.clone()
            },
            reason,
        };
        if self.id.trim().is_empty() {
            return Err(invalid("`id` is empty".to_string()));
        }
        for (a, affected) in self.affected.iter().enumerate() {
            if let Some(package) = &affected.package
                && package.name.trim().is_empty()
            {
                return Err(invalid(format!("affected[{a}].package.name is empty")));
            }
            for (r, range) in affected.ranges.iter().enumerate() {
                let at = format!("affected[{a}].ranges[{r}]");
                if range.events.is_empty() {
                    return Err(invalid(format!("{at} has no events")));
                }
                if range.kind == RangeType::Git && range.repo.is_none() {
                    return Err(invalid(format!("{at} is a GIT range without `repo`")));
                }
                if let Some((e, _)) = range
                    .events
                    .iter()
                    .enumerate()
                    .find(|(_, event)| event.version().trim().is_empty())
                {
                    return Err(invalid(format!("{at}.events[{e}] names an empty version")));
                }
            }
        }
        Ok(())
    }
}

fn error(origin: &str, kind: ErrorKind) -> AdvisoryError {
    AdvisoryError {
        origin: origin.to_string(),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, RangeType};

    const MINIMAL: &str = r#"{"id": "X-1", "modified": "2024-01-01T00:00:00Z",
        "future_field": {"ignored": true},
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]},
                     {"type": "NEW_KIND", "events": [{"introduced": "0"}]}]}]}"#;

    #[test]
    fn json_parses_and_ignores_unknown_fields() {
        let adv = Advisory::from_json(MINIMAL).unwrap();
        assert_eq!(adv.id, "X-1");
        let range = &adv.affected[0].ranges[0];
        assert_eq!(range.kind, RangeType::Ecosystem);
        assert_eq!(range.events[1], Event::Fixed("1.0".into()));
        assert_eq!(
            adv.affected[0].ranges[1].kind,
            RangeType::Other("NEW_KIND".into())
        );
    }

    #[test]
    fn yaml_keeps_unquoted_versions_as_written() {
        let yaml = "id: PYSEC-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package:\n    name: foo\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 4.10\n  versions:\n  - 1.0\n";
        let adv = Advisory::from_yaml(yaml).unwrap();
        assert_eq!(
            adv.affected[0].ranges[0].events[1],
            Event::Fixed("4.10".into())
        );
        assert_eq!(
            adv.affected[0].ranges[0].events[0],
            Event::Introduced("0".into())
        );
        assert_eq!(adv.affected[0].versions, ["1.0"]);
    }

    #[test]
    fn malformed_records_name_the_problem() {
        let cases = [
            (r#"{"modified": "x"}"#, "missing field `id`"),
            (r#"{"id": " "}"#, "`id` is empty"),
            (
                r#"{"id": "A", "affected": [{"ranges": [{"type": "SEMVER", "events": []}]}]}"#,
                "affected[0].ranges[0] has no events",
            ),
            (
                r#"{"id": "A", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"broken": "1"}]}]}]}"#,
                "unknown variant `broken`",
            ),
            (
                r#"{"id": "A", "affected": [{"ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}]}"#,
                "GIT range without `repo`",
            ),
            (r#"{"id": "A", "aliases": "CVE-1"}"#, "invalid type"),
        ];
        for (json, expected) in cases {
            let err = Advisory::from_json_at(json, "file.json")
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
            assert!(err.starts_with("file.json: "), "{err}");
        }
    }

    #[test]
    fn null_lists_read_as_empty() {
        let adv = Advisory::from_json(r#"{"id": "A", "aliases": null, "affected": null}"#).unwrap();
        assert!(adv.aliases.is_empty() && adv.affected.is_empty());
    }
}
