//! CVSS v3.0/v3.1 and v2 base scores, computed from the vector by the formulas of the
//! FIRST specifications.

/// Why a vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CVSS vector `{vector}`: {reason}")]
pub struct CvssError {
    pub vector: String,
    pub reason: String,
}

fn error(vector: &str, reason: impl Into<String>) -> CvssError {
    CvssError {
        vector: vector.chars().take(200).collect(),
        reason: reason.into(),
    }
}

/// The metric values of a vector, checked against the allowed ones.
fn metrics<'a>(
    vector: &'a str,
    body: &'a str,
    allowed: &[(&str, &[&str])],
) -> Result<Vec<&'a str>, CvssError> {
    let mut values: Vec<Option<&str>> = vec![None; allowed.len()];
    for part in body.split('/') {
        let (key, value) = part
            .split_once(':')
            .ok_or_else(|| error(vector, format!("`{part}` is not METRIC:VALUE")))?;
        // Temporal and environmental metrics do not change the base score.
        let Some(i) = allowed.iter().position(|(k, _)| *k == key) else {
            continue;
        };
        if !allowed[i].1.contains(&value) {
            return Err(error(vector, format!("`{value}` is not a value of {key}")));
        }
        if values[i].replace(value).is_some() {
            return Err(error(vector, format!("{key} given twice")));
        }
    }
    values
        .into_iter()
        .zip(allowed)
        .map(|(v, (k, _))| v.ok_or_else(|| error(vector, format!("base metric {k} missing"))))
        .collect()
}

/// The CVSS v3.0 or v3.1 base score of a `CVSS:3.x/...` vector.
pub fn cvss3_base_score(vector: &str) -> Result<f64, CvssError> {
    let (version, body) = vector
        .split_once('/')
        .ok_or_else(|| error(vector, "no metrics"))?;
    let v31 = match version {
        "CVSS:3.1" => true,
        "CVSS:3.0" => false,
        _ => return Err(error(vector, "expected a CVSS:3.0 or CVSS:3.1 prefix")),
    };
    let m = metrics(
        vector,
        body,
        &[
            ("AV", &["N", "A", "L", "P"]),
            ("AC", &["L", "H"]),
            ("PR", &["N", "L", "H"]),
            ("UI", &["N", "R"]),
            ("S", &["U", "C"]),
            ("C", &["H", "L", "N"]),
            ("I", &["H", "L", "N"]),
            ("A", &["H", "L", "N"]),
        ],
    )?;
    let changed = m[4] == "C";
    let av = match m[0] {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    };
    let ac = if m[1] == "L" { 0.77 } else { 0.44 };
    let pr = match (m[2], changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    };
    let ui = if m[3] == "N" { 0.85 } else { 0.62 };
    let cia = |v: &str| match v {
        "H" => 0.56,
        "L" => 0.22,
        _ => 0.0,
    };
    let iss = 1.0 - (1.0 - cia(m[5])) * (1.0 - cia(m[6])) * (1.0 - cia(m[7]));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Ok(if v31 { roundup31(raw) } else { roundup30(raw) })
}

/// CVSS v3.1 Roundup (Appendix A): works in integers to avoid floating-point error.
fn roundup31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// CVSS v3.0 Roundup: the smallest one-decimal number at or above the input.
fn roundup30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// The CVSS v2 base score of a vector (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally in
/// parentheses or after a `CVSS:2.0/` prefix).
pub fn cvss2_base_score(vector: &str) -> Result<f64, CvssError> {
    let body = vector.trim().trim_start_matches('(').trim_end_matches(')');
    let body = body.strip_prefix("CVSS:2.0/").unwrap_or(body);
    let m = metrics(
        vector,
        body,
        &[
            ("AV", &["L", "A", "N"]),
            ("AC", &["H", "M", "L"]),
            ("Au", &["M", "S", "N"]),
            ("C", &["N", "P", "C"]),
            ("I", &["N", "P", "C"]),
            ("A", &["N", "P", "C"]),
        ],
    )?;
    let av = match m[0] {
        "L" => 0.395,
        "A" => 0.646,
        _ => 1.0,
    };
    let ac = match m[1] {
        "H" => 0.35,
        "M" => 0.61,
        _ => 0.71,
    };
    let au = match m[2] {
        "M" => 0.45,
        "S" => 0.56,
        _ => 0.704,
    };
    let cia = |v: &str| match v {
        "P" => 0.275,
        "C" => 0.660,
        _ => 0.0,
    };
    let impact: f64 = 10.41 * (1.0 - (1.0 - cia(m[3])) * (1.0 - cia(m[4])) * (1.0 - cia(m[5])));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let score: f64 = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    // Round to one decimal; the small offset keeps x.x5 from falling below in binary.
    Ok(((score * 10.0) + 1e-9).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss3_scores_match_published_values() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N", 7.2),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", 6.5),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/E:P", 9.9),
        ];
        for (vector, expected) in cases {
            let got = cvss3_base_score(vector).unwrap();
            assert!(
                (got - expected).abs() < 1e-9,
                "{vector}: {got} != {expected}"
            );
        }
    }

    #[test]
    fn cvss2_scores_match_published_values() {
        let cases = [
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
            ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),
            ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
            ("(AV:L/AC:L/Au:N/C:C/I:C/A:C)", 7.2),
            ("AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0),
        ];
        for (vector, expected) in cases {
            let got = cvss2_base_score(vector).unwrap();
            assert!(
                (got - expected).abs() < 1e-9,
                "{vector}: {got} != {expected}"
            );
        }
    }

    #[test]
    fn bad_vectors_name_the_problem() {
        let cases = [
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
                "base metric A missing",
            ),
            (
                "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "`X` is not a value of AV",
            ),
            ("CVSS:9/AV:N", "prefix"),
            (
                "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "AV given twice",
            ),
            ("CVSS:3.1/garbage", "not METRIC:VALUE"),
        ];
        for (vector, expected) in cases {
            let err = cvss3_base_score(vector).unwrap_err().to_string();
            assert!(err.contains(expected) && err.contains(vector), "{err}");
        }
        assert!(cvss2_base_score("AV:N/AC:L").is_err());
    }
}
