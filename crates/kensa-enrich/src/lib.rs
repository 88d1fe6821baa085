//! Reads the data that says how bad and how exploited a CVE is — CVE JSON 5 records (CVSS
//! from the CNA and each ADP, SSVC decision points, state), CISA's Known Exploited
//! Vulnerabilities catalog and FIRST's EPSS scores — and ranks findings by it.
//!
//! Each format is one module with a `parse` that returns typed values or an error naming
//! the record, field or line; nothing here reads files or knows about the advisory store
//! (`kensa-vuln` stores an [`Enrichment`] per CVE and looks it up while matching).

pub mod cve;
pub mod epss;
pub mod kev;
pub mod priority;

use serde::{Deserialize, Serialize};

pub use cve::{CveRecord, CveState, SsvcDecision, TextRating};
pub use epss::EpssFile;
pub use kev::KevCatalog;
pub use priority::{priority, priority_sort_key};

use kensa_core::{EpssScore, KevEntry};

/// Everything known about one CVE, as the advisory store keeps it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// The CVE record, when one was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<CveRecord>,
    /// Its KEV entry, when it is in the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevEntry>,
    /// Its EPSS score, when one was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssScore>,
}

/// A document that could not be read, naming what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {reason}")]
pub struct FormatError {
    /// The record id, field or line at fault.
    pub what: String,
    /// What is wrong.
    pub reason: String,
}

impl FormatError {
    pub(crate) fn new(what: impl Into<String>, reason: impl Into<String>) -> Self {
        FormatError {
            what: what.into(),
            reason: reason.into(),
        }
    }
}

/// Whether `id` is a CVE id (`CVE-YYYY-NNNN…`), the key of every enrichment source.
pub fn is_cve_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && number.len() >= 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The date part of an RFC 3339 timestamp (`2022-01-28T21:28:41Z` → `2022-01-28`).
pub(crate) fn date_part(s: &str) -> Option<String> {
    let d = s.trim().get(..10)?;
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    ok.then(|| d.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_are_recognised() {
        assert!(is_cve_id("CVE-2021-4160"));
        assert!(is_cve_id("CVE-2021-1234567"));
        assert!(!is_cve_id("CVE-21-4160"));
        assert!(!is_cve_id("GHSA-x84v-xcm2-53pg"));
        assert!(!is_cve_id("CVE-2021-41a0"));
        assert_eq!(
            date_part("2022-01-28T21:28:41.076292Z").unwrap(),
            "2022-01-28"
        );
        assert_eq!(date_part("yesterday"), None);
    }
}
