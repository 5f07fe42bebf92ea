//! How severe an advisory is: a CVSS base score computed from its vector where the
//! formula is public (v3.0, v3.1, v2), else the qualitative rating its database gives.

mod cvss;

pub use cvss::{CvssError, cvss2_base_score, cvss3_base_score};

use crate::model::{Advisory, Severity, SeverityType};
use serde::Serialize;

/// The qualitative rating of CVSS v3 (`None` 0.0, `Low` 0.1–3.9, `Medium` 4.0–6.9,
/// `High` 7.0–8.9, `Critical` 9.0–10.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityLevel {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl SeverityLevel {
    /// The band of a CVSS v3 score.
    pub fn from_score(score: f64) -> SeverityLevel {
        match score {
            s if s >= 9.0 => SeverityLevel::Critical,
            s if s >= 7.0 => SeverityLevel::High,
            s if s >= 4.0 => SeverityLevel::Medium,
            s if s > 0.0 => SeverityLevel::Low,
            _ => SeverityLevel::None,
        }
    }

    /// Reads the ratings databases write (`HIGH`, `moderate`, `Critical`...).
    pub fn from_label(label: &str) -> Option<SeverityLevel> {
        Some(match label.trim().to_ascii_lowercase().as_str() {
            "critical" => SeverityLevel::Critical,
            "high" | "important" => SeverityLevel::High,
            "medium" | "moderate" => SeverityLevel::Medium,
            "low" | "negligible" => SeverityLevel::Low,
            "none" => SeverityLevel::None,
            _ => return None,
        })
    }
}

/// The severity of an advisory as Palisade reads it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeverityAssessment {
    /// `None` when nothing in the record rates it.
    pub level: Option<SeverityLevel>,
    /// The CVSS base score, when a v2 or v3 vector gave one.
    pub score: Option<f32>,
}

impl Advisory {
    /// Rates the advisory. In order of preference: the highest CVSS v3 score, else the
    /// highest CVSS v2 score (from `severity` of the record and of its `affected`
    /// entries, and RustSec's `database_specific.cvss`); else, as CVSS v4 has no simple
    /// formula, a rating the database gives: `database_specific.severity` (GitHub
    /// style), then `severity` in an entry's `ecosystem_specific` or
    /// `database_specific`. Unparseable vectors are skipped.
    pub fn severity_assessment(&self) -> SeverityAssessment {
        let all: Vec<&Severity> = self
            .severity
            .iter()
            .chain(self.affected.iter().flat_map(|a| a.severity.iter()))
            .collect();
        let rustsec_cvss = self.affected.iter().filter_map(|a| {
            a.database_specific
                .as_ref()?
                .get("cvss")?
                .as_str()
                .map(str::to_string)
        });
        let v3 = all
            .iter()
            .filter(|s| s.kind == SeverityType::CvssV3)
            .map(|s| s.score.clone())
            .chain(rustsec_cvss.clone().filter(|v| v.starts_with("CVSS:3")))
            .filter_map(|v| cvss3_base_score(&v).ok())
            .reduce(f64::max);
        if let Some(score) = v3 {
            return SeverityAssessment {
                level: Some(SeverityLevel::from_score(score)),
                score: Some(score as f32),
            };
        }
        let v2 = all
            .iter()
            .filter(|s| s.kind == SeverityType::CvssV2)
            .filter_map(|s| cvss2_base_score(&s.score).ok())
            .reduce(f64::max);
        if let Some(score) = v2 {
            // NVD rates v2 scores Low below 4.0, Medium below 7.0, else High.
            let level = match score {
                s if s >= 7.0 => SeverityLevel::High,
                s if s >= 4.0 => SeverityLevel::Medium,
                _ => SeverityLevel::Low,
            };
            return SeverityAssessment {
                level: Some(level),
                score: Some(score as f32),
            };
        }
        let label = |v: &Option<serde_json::Value>| {
            v.as_ref()?
                .get("severity")?
                .as_str()
                .and_then(SeverityLevel::from_label)
        };
        let level = label(&self.database_specific).or_else(|| {
            self.affected
                .iter()
                .filter_map(|a| {
                    label(&a.ecosystem_specific).or_else(|| label(&a.database_specific))
                })
                .max()
        });
        SeverityAssessment { level, score: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_and_labels() {
        assert_eq!(SeverityLevel::from_score(0.0), SeverityLevel::None);
        assert_eq!(SeverityLevel::from_score(3.9), SeverityLevel::Low);
        assert_eq!(SeverityLevel::from_score(4.0), SeverityLevel::Medium);
        assert_eq!(SeverityLevel::from_score(8.9), SeverityLevel::High);
        assert_eq!(SeverityLevel::from_score(9.0), SeverityLevel::Critical);
        assert_eq!(
            SeverityLevel::from_label("MODERATE"),
            Some(SeverityLevel::Medium)
        );
        assert_eq!(SeverityLevel::from_label("weird"), None);
    }

    #[test]
    fn prefers_v3_then_falls_back_to_database_ratings() {
        let v3 = Advisory::from_json(
            r#"{"id":"A","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N"},
               {"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#,
        )
        .unwrap();
        let a = v3.severity_assessment();
        assert_eq!(a.level, Some(SeverityLevel::Critical));
        assert!((a.score.unwrap() - 9.8).abs() < 1e-4);

        let v4 = Advisory::from_json(
            r#"{"id":"B","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N"}],
               "database_specific":{"severity":"MODERATE"}}"#,
        )
        .unwrap();
        assert_eq!(v4.severity_assessment().level, Some(SeverityLevel::Medium));
        assert_eq!(v4.severity_assessment().score, None);

        let eco = Advisory::from_json(
            r#"{"id":"C","affected":[{"ecosystem_specific":{"severity":"HIGH"}}]}"#,
        )
        .unwrap();
        assert_eq!(eco.severity_assessment().level, Some(SeverityLevel::High));

        let rustsec = Advisory::from_json(
            r#"{"id":"D","affected":[{"database_specific":{"cvss":"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            rustsec.severity_assessment().level,
            Some(SeverityLevel::Medium)
        );

        let none = Advisory::from_json(r#"{"id":"E"}"#).unwrap();
        assert_eq!(none.severity_assessment().level, None);
    }
}
