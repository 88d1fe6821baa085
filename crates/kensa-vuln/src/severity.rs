//! Severity of an advisory: CVSS base scores computed from vectors, else the source's rating.
//!
//! CVSS v3.0 and v3.1 base scores are computed here from the specification's formula (FIRST,
//! "CVSS v3.1 Specification", section 7.1 and Appendix A for the rounding), because the
//! formula is short and a table test pins it. CVSS v4 scoring is a lookup over macro vectors
//! that RustSec's `cvss` crate implements; it is used for v4 only.

use kensa_core::Severity;
use serde::{Deserialize, Serialize};

/// A CVSS vector and the base score computed from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// The vector as the advisory wrote it (`CVSS:3.1/AV:N/…`).
    pub vector: String,
    /// The base score, 0.0 to 10.0.
    pub score: f64,
}

impl CvssScore {
    /// The qualitative rating of the score (CVSS v3.1 section 5, same bands in v4); a score
    /// of 0.0 ("None") is reported as LOW, because the advisory still names a flaw.
    pub fn severity(&self) -> Severity {
        severity_of_score(self.score)
    }
}

pub use kensa_enrich::cve::severity_of_score;

/// Computes the base score of a CVSS v3.0 or v3.1 vector; `None` when the vector is not one.
pub fn cvss3_base_score(vector: &str) -> Option<f64> {
    let mut parts = vector.trim().split('/');
    let v31 = match parts.next()? {
        "CVSS:3.1" => true,
        "CVSS:3.0" => false,
        _ => return None,
    };
    let mut m: [Option<&str>; 8] = [None; 8];
    for part in parts {
        let (key, value) = part.split_once(':')?;
        let slot = match key {
            "AV" => 0,
            "AC" => 1,
            "PR" => 2,
            "UI" => 3,
            "S" => 4,
            "C" => 5,
            "I" => 6,
            "A" => 7,
            // Temporal and environmental metrics do not change the base score.
            "E" | "RL" | "RC" | "CR" | "IR" | "AR" | "MAV" | "MAC" | "MPR" | "MUI" | "MS"
            | "MC" | "MI" | "MA" => continue,
            _ => return None,
        };
        let cell = m.get_mut(slot)?;
        if cell.is_some() {
            return None;
        }
        *cell = Some(value);
    }
    let [av, ac, pr, ui, s, c, i, a] = m;
    let changed = match s? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match av? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match ac? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (pr?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match ui? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |x: Option<&str>| match x? {
        "H" => Some(0.56),
        "L" => Some(0.22),
        "N" => Some(0.0),
        _ => None,
    };
    let (c, i, a) = (cia(c)?, cia(i)?, cia(a)?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * f64::powi(iss - 0.02, 15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(if v31 { roundup31(raw) } else { roundup30(raw) })
}

/// CVSS v3.1 Appendix A `Roundup`: the smallest one-decimal number not below the input,
/// computed on integers so that 4.000000000000001 does not become 4.1.
fn roundup31(x: f64) -> f64 {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "x is a score between 0 and 10, so x * 100000 fits an i64"
    )]
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// CVSS v3.0's `Roundup`: ceiling to one decimal.
fn roundup30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// Computes the base score of a CVSS v4.0 vector with the `cvss` crate.
pub fn cvss4_base_score(vector: &str) -> Option<f64> {
    let v: cvss::v4::Vector = vector.trim().parse().ok()?;
    Some(v.score().value())
}

/// Scores an OSV `severity[]` entry of type `CVSS_V3` or `CVSS_V4`; `None` for other types or
/// an invalid vector.
pub fn score_osv_severity(kind: &str, score: &str) -> Option<CvssScore> {
    let value = match kind {
        "CVSS_V3" => cvss3_base_score(score)?,
        "CVSS_V4" => cvss4_base_score(score)?,
        _ => return None,
    };
    Some(CvssScore {
        vector: score.trim().to_owned(),
        score: value,
    })
}

/// Reads a source's own rating: GHSA's `MODERATE`, Debian's `unimportant`, Ubuntu's
/// `negligible`, Red Hat's `Important`, or a bare numeric CVSS score.
pub fn severity_from_text(text: &str) -> Option<Severity> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" | "negligible" | "unimportant" | "minor" => Severity::Low,
        _ => {
            let score: f64 = t.parse().ok()?;
            if !(0.0..=10.0).contains(&score) {
                return None;
            }
            severity_of_score(score)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors with base scores published by NVD and FIRST's calculator.
    const V3: &[(&str, f64)] = &[
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
        ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", 5.5),
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
        ("CVSS:3.1/AV:A/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N", 2.6),
        // CVE-2016-10931 (RUSTSEC-2016-0001), a v3.0 vector.
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
        // Temporal metrics do not change the base score.
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C",
            9.8,
        ),
    ];

    #[test]
    fn cvss3_base_scores_match_published_values() {
        for (vector, expected) in V3 {
            assert_eq!(cvss3_base_score(vector), Some(*expected), "{vector}");
        }
    }

    #[test]
    fn cvss3_agrees_with_rustsec_cvss_crate() {
        // Every combination of base metrics, v3.1, against an independent implementation.
        let mut checked = 0;
        for av in ["N", "A", "L", "P"] {
            for ac in ["L", "H"] {
                for pr in ["N", "L", "H"] {
                    for ui in ["N", "R"] {
                        for s in ["U", "C"] {
                            for c in ["H", "L", "N"] {
                                for i in ["H", "L", "N"] {
                                    for a in ["H", "L", "N"] {
                                        let v = format!(
                                            "CVSS:3.1/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:{c}/I:{i}/A:{a}"
                                        );
                                        let theirs: cvss::v3::Vector = v.parse().unwrap();
                                        assert_eq!(
                                            cvss3_base_score(&v),
                                            Some(theirs.base_score().value()),
                                            "{v}"
                                        );
                                        checked += 1;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 2 * 3 * 2 * 2 * 27);
    }

    #[test]
    fn invalid_cvss3_vectors_are_rejected() {
        for bad in [
            "",
            "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X",
            "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
        ] {
            assert_eq!(cvss3_base_score(bad), None, "{bad}");
        }
    }

    #[test]
    fn cvss4_scores_through_the_cvss_crate() {
        // FIRST's CVSS v4.0 calculator gives 9.3 for this vector and 10 for the second.
        let s = score_osv_severity(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        )
        .unwrap();
        assert_eq!(s.score, 9.3);
        assert_eq!(s.severity(), Severity::Critical);
        let s = score_osv_severity(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
        )
        .unwrap();
        assert_eq!(s.score, 10.0);
        assert_eq!(score_osv_severity("CVSS_V4", "CVSS:4.0/AV:N"), None);
        assert_eq!(score_osv_severity("UBUNTU", "high"), None);
    }

    #[test]
    fn source_ratings_map_to_bands() {
        assert_eq!(severity_from_text("MODERATE"), Some(Severity::Medium));
        assert_eq!(severity_from_text("unimportant"), Some(Severity::Low));
        assert_eq!(severity_from_text("Important"), Some(Severity::High));
        assert_eq!(severity_from_text("9.8"), Some(Severity::Critical));
        assert_eq!(severity_from_text("11"), None);
        assert_eq!(severity_from_text("not yet assigned"), None);
        assert_eq!(severity_of_score(0.0), Severity::Low);
        assert_eq!(severity_of_score(6.9), Severity::Medium);
    }
}
