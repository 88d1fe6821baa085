//! CISA's Known Exploited Vulnerabilities catalog, in its published JSON format
//! (`catalogVersion`, `vulnerabilities[]` with `cveID`, `dateAdded`, `dueDate`,
//! `knownRansomwareCampaignUse`).

use kensa_core::KevEntry;
use serde::Deserialize;

use crate::{FormatError, date_part, is_cve_id};

/// A parsed catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KevCatalog {
    /// `catalogVersion` (`2025.08.25`).
    pub version: String,
    /// One entry per CVE.
    pub entries: Vec<KevEntry>,
}

/// Parses the catalog. An entry with a malformed CVE id or date makes the whole catalog an
/// error naming the entry: the catalog is one curated document, and a damaged one should
/// be fetched again rather than half-used.
pub fn parse(bytes: &[u8]) -> Result<KevCatalog, FormatError> {
    let raw: RawCatalog = serde_json::from_slice(bytes)
        .map_err(|e| FormatError::new("KEV catalog", e.to_string()))?;
    let mut entries = Vec::with_capacity(raw.vulnerabilities.len());
    for (i, v) in raw.vulnerabilities.into_iter().enumerate() {
        let cve = v.cve_id.trim().to_owned();
        let field = |name: &str| format!("KEV catalog: `vulnerabilities[{i}].{name}`");
        if !is_cve_id(&cve) {
            return Err(FormatError::new(field("cveID"), "not a CVE id"));
        }
        let date = |name: &str, s: &str| {
            date_part(s).ok_or_else(|| FormatError::new(field(name), "not a `YYYY-MM-DD` date"))
        };
        entries.push(KevEntry {
            date_added: date("dateAdded", &v.date_added)?,
            due_date: date("dueDate", &v.due_date)?,
            known_ransomware_campaign_use: v
                .known_ransomware_campaign_use
                .unwrap_or_else(|| "Unknown".to_owned()),
            cve,
        });
    }
    Ok(KevCatalog {
        version: raw.catalog_version,
        entries,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    #[serde(default)]
    catalog_version: String,
    vulnerabilities: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    due_date: String,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_published_shape() {
        let c = parse(
            br#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2099.01.02",
                 "dateReleased":"2099-01-02T10:00:00.000Z","count":1,
                 "vulnerabilities":[{"cveID":"CVE-2099-0001","vendorProject":"Acme","product":"Widget",
                   "vulnerabilityName":"x","dateAdded":"2099-01-02","shortDescription":"x",
                   "requiredAction":"x","dueDate":"2099-01-23","knownRansomwareCampaignUse":"Known",
                   "notes":"","cwes":["CWE-79"]}]}"#,
        )
        .unwrap();
        assert_eq!(c.version, "2099.01.02");
        assert_eq!(
            c.entries,
            [KevEntry {
                cve: "CVE-2099-0001".into(),
                date_added: "2099-01-02".into(),
                due_date: "2099-01-23".into(),
                known_ransomware_campaign_use: "Known".into(),
            }]
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        let e = parse(
            br#"{"vulnerabilities":[{"cveID":"CVE-2099-0001","dateAdded":"soon","dueDate":"2099-01-23"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "KEV catalog: `vulnerabilities[0].dateAdded`: not a `YYYY-MM-DD` date"
        );
    }
}
