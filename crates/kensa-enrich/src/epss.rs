//! FIRST's daily EPSS scores, in the CSV it publishes (gzipped or not; decompression is the
//! caller's):
//!
//! ```text
//! #model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z
//! cve,epss,percentile
//! CVE-1999-0001,0.01167,0.77947
//! ```
//!
//! Three unquoted columns need no CSV library: a line with a quote, a fourth column or a
//! value out of range is an error naming its line.

use kensa_core::EpssScore;

use crate::{FormatError, date_part, is_cve_id};

/// A parsed score file.
#[derive(Clone, Debug, PartialEq)]
pub struct EpssFile {
    /// `model_version` from the comment line, when present.
    pub model_version: Option<String>,
    /// `score_date` (`YYYY-MM-DD`).
    pub date: String,
    /// One score per CVE.
    pub scores: Vec<EpssScore>,
}

/// Parses the CSV text. The `score_date` comment is required: a score without its day
/// cannot be told from last year's.
pub fn parse(text: &str) -> Result<EpssFile, FormatError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    let mut model_version = None;
    let mut date = None;
    let mut header_seen = false;
    let mut scores = Vec::new();
    for (n, line) in &mut lines {
        if line.is_empty() {
            continue;
        }
        let at = |reason: &str| FormatError::new(format!("EPSS line {n}"), reason);
        if let Some(comment) = line.strip_prefix('#') {
            for part in comment.split(',') {
                match part.split_once(':') {
                    Some(("model_version", v)) => model_version = Some(v.trim().to_owned()),
                    Some(("score_date", v)) => {
                        date = Some(
                            date_part(v)
                                .ok_or_else(|| at("`score_date` is not an RFC 3339 date"))?,
                        );
                    }
                    _ => {}
                }
            }
            continue;
        }
        if !header_seen {
            if line.replace(' ', "") != "cve,epss,percentile" {
                return Err(at("expected the header `cve,epss,percentile`"));
            }
            header_seen = true;
            continue;
        }
        let Some(date) = &date else {
            return Err(at(
                "no `#model_version:…,score_date:…` comment line before the scores",
            ));
        };
        let mut cols = line.split(',');
        let (Some(cve), Some(epss), Some(pct), None) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            return Err(at("expected three columns `cve,epss,percentile`"));
        };
        let cve = cve.trim();
        if !is_cve_id(cve) {
            return Err(at("the first column is not a CVE id"));
        }
        let prob = |s: &str, what: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| (0.0..=1.0).contains(v))
                .ok_or_else(|| at(&format!("`{what}` is not a number from 0 to 1")))
        };
        scores.push(EpssScore {
            cve: cve.to_owned(),
            score: prob(epss, "epss")?,
            percentile: prob(pct, "percentile")?,
            date: date.clone(),
        });
    }
    if !header_seen {
        return Err(FormatError::new(
            "EPSS file",
            "no `cve,epss,percentile` header",
        ));
    }
    let date = date.ok_or_else(|| FormatError::new("EPSS file", "no `score_date` comment"))?;
    Ok(EpssFile {
        model_version,
        date,
        scores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_published_shape() {
        let f = parse(
            "#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\nCVE-1999-0001,0.01167,0.77947\nCVE-2021-44228,0.94358,0.99960\n",
        )
        .unwrap();
        assert_eq!(f.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(f.date, "2025-08-25");
        assert_eq!(f.scores.len(), 2);
        assert_eq!(f.scores[1].cve, "CVE-2021-44228");
        assert_eq!(f.scores[1].score, 0.94358);
        assert_eq!(f.scores[1].percentile, 0.9996);
    }

    #[test]
    fn errors_name_the_line() {
        let head = "#model_version:v1,score_date:2025-08-25T00:00:00Z\ncve,epss,percentile\n";
        for (body, expected) in [
            (
                "CVE-1999-0001,1.5,0.1",
                "EPSS line 3: `epss` is not a number from 0 to 1",
            ),
            (
                "CVE-1999-0001,0.1",
                "EPSS line 3: expected three columns `cve,epss,percentile`",
            ),
            (
                "GHSA-1,0.1,0.1",
                "EPSS line 3: the first column is not a CVE id",
            ),
        ] {
            assert_eq!(
                parse(&format!("{head}{body}")).unwrap_err().to_string(),
                expected
            );
        }
        assert_eq!(
            parse("cve,epss,percentile\nCVE-1999-0001,0.1,0.2")
                .unwrap_err()
                .to_string(),
            "EPSS line 2: no `#model_version:…,score_date:…` comment line before the scores"
        );
        assert!(parse("cve,score\n").is_err());
    }
}
