//! CVE JSON 5 records (the CVE Program's format, `cveMetadata` + `containers.cna` +
//! `containers.adp[]`): the CVSS scores and SSVC decision points each container gives.
//!
//! Scores are taken as the record states them (`baseScore` beside `vectorString`, both
//! required by the CVSS JSON schemas the record format embeds), so a v2 or v4 score needs no
//! calculator here; a score outside 0–10 or a metric without a vector is left out and
//! counted, never guessed.

use kensa_core::{CvssMetric, Severity, SourceKind};
use serde::{Deserialize, Deserializer, Serialize};

use crate::{FormatError, date_part, is_cve_id};

/// A CVE's state in the CVE List.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CveState {
    /// Published.
    Published,
    /// Rejected: not a vulnerability, a duplicate, or withdrawn by its CNA.
    Rejected,
}

/// A severity a container gives as a word rather than a CVSS score (`Moderate` from the
/// OpenSSL CNA's `other` metric).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextRating {
    /// CNA or ADP.
    pub source: SourceKind,
    /// The container's short name.
    pub provider: Option<String>,
    /// The severity the word maps to.
    pub severity: Severity,
}

/// One SSVC decision point (`Exploitation: active`) and who decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsvcDecision {
    /// The decision point (`Exploitation`, `Automatable`, `Technical Impact`).
    pub name: String,
    /// Its value (`none`, `poc`, `active`; `yes`/`no`; `partial`/`total`).
    pub value: String,
    /// The container's short name (`CISA-ADP`).
    pub provider: Option<String>,
}

/// What kensa keeps of a CVE record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CveRecord {
    /// `CVE-YYYY-NNNN`.
    pub id: String,
    /// Published or rejected.
    pub state: CveState,
    /// The publication date (`YYYY-MM-DD`).
    pub published: Option<String>,
    /// Every CVSS score, CNA's first, then each ADP's in record order.
    pub metrics: Vec<CvssMetric>,
    /// Severities given as words.
    pub ratings: Vec<TextRating>,
    /// SSVC decision points.
    pub ssvc: Vec<SsvcDecision>,
    /// Metrics left out because their score or vector is unusable.
    pub dropped_metrics: u32,
}

/// The CVSS versions in order of preference: a newer version describes the flaw better.
pub const VERSION_PREFERENCE: [&str; 4] = ["4.0", "3.1", "3.0", "2.0"];

impl CveRecord {
    /// The preferred CVSS score from containers of `kind`: the first container (in record
    /// order) with any score, and of its scores the newest CVSS version.
    pub fn best_metric(&self, kind: SourceKind) -> Option<&CvssMetric> {
        let first = self.metrics.iter().find(|m| m.source == kind)?;
        let same: Vec<&CvssMetric> = self
            .metrics
            .iter()
            .filter(|m| m.source == kind && m.provider == first.provider)
            .collect();
        VERSION_PREFERENCE
            .iter()
            .find_map(|v| same.iter().copied().find(|m| m.version == *v))
    }

    /// The first word rating from containers of `kind`.
    pub fn text_rating(&self, kind: SourceKind) -> Option<&TextRating> {
        self.ratings.iter().find(|r| r.source == kind)
    }

    /// The SSVC `Exploitation` value, the most severe when containers disagree.
    pub fn exploitation(&self) -> Option<&str> {
        self.ssvc
            .iter()
            .filter(|d| d.name.eq_ignore_ascii_case("Exploitation"))
            .map(|d| d.value.as_str())
            .max_by_key(|v| exploitation_rank(v))
    }
}

/// Orders SSVC `Exploitation` values: `active` > `poc` (`public poc` in SSVC 1) > `none`.
pub fn exploitation_rank(value: &str) -> u8 {
    match value.trim().to_ascii_lowercase().as_str() {
        "active" => 3,
        "poc" | "public poc" => 2,
        "none" => 1,
        _ => 0,
    }
}

/// The qualitative band of a CVSS score. CVSS v2 has no Critical band (NVD's v2 bands:
/// 7.0–10.0 is High), so a v2 score never makes a finding CRITICAL.
pub fn severity_of_metric(m: &CvssMetric) -> Severity {
    let band = severity_of_score(m.score);
    if m.version == "2.0" && band == Severity::Critical {
        Severity::High
    } else {
        band
    }
}

/// The qualitative band of a CVSS v3/v4 base score (CVSS v3.1 section 5, same bands in
/// v4); a score of 0.0 ("None") is LOW, because the advisory still names a flaw.
pub fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// Parses one CVE JSON 5 record.
pub fn parse(bytes: &[u8]) -> Result<CveRecord, FormatError> {
    let raw: RawRecord =
        serde_json::from_slice(bytes).map_err(|e| FormatError::new("CVE record", e.to_string()))?;
    let id = raw.cve_metadata.cve_id.trim().to_owned();
    if !is_cve_id(&id) {
        return Err(FormatError::new(
            "field `cveMetadata.cveId`",
            format!(
                "`{}` is not a CVE id",
                id.chars().take(40).collect::<String>()
            ),
        ));
    }
    let state = match raw.cve_metadata.state.trim() {
        "PUBLISHED" => CveState::Published,
        "REJECTED" => CveState::Rejected,
        other => {
            return Err(FormatError::new(
                format!("record `{id}`: field `cveMetadata.state`"),
                format!(
                    "unknown state `{}`",
                    other.chars().take(40).collect::<String>()
                ),
            ));
        }
    };
    let mut record = CveRecord {
        published: raw
            .cve_metadata
            .date_published
            .as_deref()
            .and_then(date_part),
        id,
        state,
        metrics: Vec::new(),
        ratings: Vec::new(),
        ssvc: Vec::new(),
        dropped_metrics: 0,
    };
    let containers = raw.containers.unwrap_or_default();
    let all = containers
        .cna
        .into_iter()
        .map(|c| (SourceKind::Cna, c))
        .chain(containers.adp.into_iter().map(|c| (SourceKind::Adp, c)));
    for (kind, container) in all {
        let provider = container
            .provider_metadata
            .and_then(|p| p.short_name)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        for metric in container.metrics {
            record.add_metric(kind, provider.as_ref(), metric);
        }
    }
    Ok(record)
}

impl CveRecord {
    fn add_metric(&mut self, kind: SourceKind, provider: Option<&String>, m: RawMetric) {
        let versions = [
            ("4.0", m.cvss_v4_0),
            ("3.1", m.cvss_v3_1),
            ("3.0", m.cvss_v3_0),
            ("2.0", m.cvss_v2_0),
        ];
        for (version, cvss) in versions {
            let Some(cvss) = cvss else { continue };
            let vector = cvss.vector_string.unwrap_or_default().trim().to_owned();
            match cvss.base_score {
                Some(score) if (0.0..=10.0).contains(&score) && !vector.is_empty() => {
                    self.metrics.push(CvssMetric {
                        version: version.to_owned(),
                        vector,
                        score,
                        source: kind,
                        provider: provider.cloned(),
                        cve: Some(self.id.clone()),
                    });
                }
                _ => self.dropped_metrics += 1,
            }
        }
        let Some(other) = m.other else { return };
        match other.kind.trim().to_ascii_lowercase().as_str() {
            "ssvc" => {
                let options = other
                    .content
                    .get("options")
                    .and_then(serde_json::Value::as_array);
                for option in options.into_iter().flatten() {
                    let Some(obj) = option.as_object() else {
                        continue;
                    };
                    for (name, value) in obj {
                        if let Some(value) = value.as_str() {
                            self.ssvc.push(SsvcDecision {
                                name: name.clone(),
                                value: value.trim().to_ascii_lowercase(),
                                provider: provider.cloned(),
                            });
                        }
                    }
                }
            }
            // CNAs without CVSS write their own scale here (`{"value": "Moderate"}`).
            _ => {
                let word = other
                    .content
                    .get("value")
                    .or_else(|| other.content.get("text"))
                    .and_then(serde_json::Value::as_str);
                if let Some(severity) = word.and_then(severity_word) {
                    self.ratings.push(TextRating {
                        source: kind,
                        provider: provider.cloned(),
                        severity,
                    });
                }
            }
        }
    }
}

/// A severity word as CNAs write them (`Moderate`, `Important`, `HIGH`).
fn severity_word(text: &str) -> Option<Severity> {
    Some(match text.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" => Severity::Low,
        _ => return None,
    })
}

/// Reads `null` as the default, as real records write `"metrics": null` at times.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRecord {
    cve_metadata: RawMeta,
    #[serde(default)]
    containers: Option<RawContainers>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    cve_id: String,
    state: String,
    #[serde(default)]
    date_published: Option<String>,
}

#[derive(Default, Deserialize)]
struct RawContainers {
    #[serde(default)]
    cna: Option<RawContainer>,
    #[serde(default, deserialize_with = "null_default")]
    adp: Vec<RawContainer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainer {
    #[serde(default)]
    provider_metadata: Option<RawProvider>,
    #[serde(default, deserialize_with = "null_default")]
    metrics: Vec<RawMetric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProvider {
    #[serde(default)]
    short_name: Option<String>,
}

#[derive(Deserialize)]
struct RawMetric {
    #[serde(rename = "cvssV4_0", default)]
    cvss_v4_0: Option<RawCvss>,
    #[serde(rename = "cvssV3_1", default)]
    cvss_v3_1: Option<RawCvss>,
    #[serde(rename = "cvssV3_0", default)]
    cvss_v3_0: Option<RawCvss>,
    #[serde(rename = "cvssV2_0", default)]
    cvss_v2_0: Option<RawCvss>,
    #[serde(default)]
    other: Option<RawOther>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCvss {
    #[serde(default)]
    vector_string: Option<String>,
    #[serde(default)]
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct RawOther {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    content: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cna_metrics: &str, adp: &str) -> Vec<u8> {
        format!(
            r#"{{"dataType":"CVE_RECORD","dataVersion":"5.1",
              "cveMetadata":{{"cveId":"CVE-2099-0001","state":"PUBLISHED",
                              "datePublished":"2099-02-03T04:05:06.000Z"}},
              "containers":{{
                "cna":{{"providerMetadata":{{"orgId":"x","shortName":"acme"}},
                        "metrics":{cna_metrics}}},
                "adp":{adp}}}}}"#
        )
        .into_bytes()
    }

    const CISA_ADP: &str = r#"[{"providerMetadata":{"shortName":"CISA-ADP"},"metrics":[
        {"cvssV3_1":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":9.8,"baseSeverity":"CRITICAL"}},
        {"other":{"type":"ssvc","content":{"options":[{"Exploitation":"poc"},{"Automatable":"yes"},{"Technical Impact":"total"}],"version":"2.0.3"}}}]}]"#;

    #[test]
    fn cna_and_adp_scores_with_their_sources() {
        let r = parse(&record(
            r#"[{"cvssV3_1":{"vectorString":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N","baseScore":5.9}},
                {"cvssV4_0":{"vectorString":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N","baseScore":9.3}},
                {"cvssV2_0":{"vectorString":"AV:N/AC:L/Au:N/C:P/I:P/A:P","baseScore":7.5}}]"#,
            CISA_ADP,
        ))
        .unwrap();
        assert_eq!(r.id, "CVE-2099-0001");
        assert_eq!(r.state, CveState::Published);
        assert_eq!(r.published.as_deref(), Some("2099-02-03"));
        assert_eq!(r.metrics.len(), 4);
        let cna = r.best_metric(SourceKind::Cna).unwrap();
        assert_eq!((cna.version.as_str(), cna.score), ("4.0", 9.3));
        assert_eq!(cna.provider.as_deref(), Some("acme"));
        let adp = r.best_metric(SourceKind::Adp).unwrap();
        assert_eq!((adp.version.as_str(), adp.score), ("3.1", 9.8));
        assert_eq!(adp.provider.as_deref(), Some("CISA-ADP"));
        assert_eq!(r.exploitation(), Some("poc"));
        assert_eq!(r.ssvc.len(), 3);
    }

    #[test]
    fn v3_1_is_preferred_over_v3_0_and_v2() {
        let r = parse(&record(
            r#"[{"cvssV2_0":{"vectorString":"AV:N/AC:L/Au:N/C:C/I:C/A:C","baseScore":10.0}},
                {"cvssV3_0":{"vectorString":"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":8.1}},
                {"cvssV3_1":{"vectorString":"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H","baseScore":7.8}}]"#,
            "[]",
        ))
        .unwrap();
        assert_eq!(r.best_metric(SourceKind::Cna).unwrap().score, 7.8);
        assert_eq!(r.best_metric(SourceKind::Adp), None);
        let v2 = r.metrics.iter().find(|m| m.version == "2.0").unwrap();
        assert_eq!(severity_of_metric(v2), Severity::High);
    }

    #[test]
    fn word_ratings_rejected_records_and_bad_metrics() {
        let r = parse(&record(
            r#"[{"other":{"type":"unknown","content":{"value":"Moderate"}}},
                {"cvssV3_1":{"vectorString":"CVSS:3.1/AV:N","baseScore":11.0}}]"#,
            "null",
        ))
        .unwrap();
        assert!(r.metrics.is_empty());
        assert_eq!(r.dropped_metrics, 1);
        assert_eq!(
            r.text_rating(SourceKind::Cna).unwrap().severity,
            Severity::Medium
        );
        let rejected = br#"{"cveMetadata":{"cveId":"CVE-2099-0002","state":"REJECTED"},
            "containers":{"cna":{"rejectedReasons":[{"lang":"en","value":"duplicate"}]}}}"#;
        let r = parse(rejected).unwrap();
        assert_eq!(r.state, CveState::Rejected);
        assert_eq!(r.published, None);
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse(br#"{"cveMetadata":{"cveId":"GHSA-1","state":"PUBLISHED"}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "field `cveMetadata.cveId`: `GHSA-1` is not a CVE id"
        );
        let e =
            parse(br#"{"cveMetadata":{"cveId":"CVE-2099-0003","state":"RESERVED"}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "record `CVE-2099-0003`: field `cveMetadata.state`: unknown state `RESERVED`"
        );
        assert!(parse(b"[]").is_err());
    }
}
