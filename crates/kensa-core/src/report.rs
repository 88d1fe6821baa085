//! The report: one document that every renderer turns into its format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Artifact, Digest, Finding, Package, ScanNote, Scanner, Severity, SuppressedFinding};

/// The version of the JSON report format, documented in `docs/report-format.md`.
/// Bumped on any change that can break a reader.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a scan found, in canonical order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`] at the time of writing.
    pub schema_version: u32,
    /// The kensa version that wrote it.
    pub kensa_version: String,
    /// What was scanned.
    pub artifact: Artifact,
    /// Which scanners ran.
    pub scanners: Vec<Scanner>,
    /// Findings, grouped by target.
    pub results: Vec<TargetResult>,
    /// The package inventory.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub packages: Vec<Package>,
    /// What could not be checked.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<ScanNote>,
    /// Findings that were suppressed, with the reason; not counted in the summary.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub suppressed: Vec<SuppressedFinding>,
    /// Image signatures that verified (`kensa image --verify-signature`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub signatures: Vec<VerifiedSignature>,
    /// Counts.
    pub summary: Summary,
}

/// The findings of one target: a file, a package database, or the image config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// The target's name: a path, or `image config`.
    pub target: String,
    /// The findings, most severe first.
    pub findings: Vec<Finding>,
}

/// Counts for the report's footer and for exit-code decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings per severity.
    pub by_severity: BTreeMap<Severity, usize>,
    /// Findings per scanner.
    pub by_scanner: BTreeMap<Scanner, usize>,
    /// Vulnerability findings that a fixed version resolves.
    #[serde(default)]
    pub fixable: usize,
    /// Vulnerability findings with no fixed version yet.
    #[serde(default)]
    pub unfixed: usize,
    /// Vulnerability findings whose CVE is in CISA's Known Exploited Vulnerabilities
    /// catalog or whose CVE record says it is exploited (SSVC `active`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub known_exploited: usize,
    /// Number of packages in the inventory.
    pub packages: usize,
    /// Number of notes.
    pub notes: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The target name of findings that are about the image config rather than a file.
pub const IMAGE_CONFIG_TARGET: &str = "image config";

impl Report {
    /// Builds a report in canonical order, so that parallel scans give identical output:
    /// targets by name, findings by severity (highest first), then id, then location;
    /// packages by ecosystem, name and version; notes by location.
    pub fn new(
        artifact: Artifact,
        scanners: Vec<Scanner>,
        findings: Vec<Finding>,
        mut packages: Vec<Package>,
        mut notes: Vec<ScanNote>,
    ) -> Report {
        let mut by_target: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
        let mut summary = Summary::default();
        for f in findings {
            *summary.by_severity.entry(f.severity).or_default() += 1;
            *summary.by_scanner.entry(f.scanner).or_default() += 1;
            if let Some(v) = &f.vulnerability {
                if v.kev.is_some() || v.exploitation.as_deref() == Some("active") {
                    summary.known_exploited += 1;
                }
                if v.fixed_versions.is_empty() {
                    summary.unfixed += 1;
                } else {
                    summary.fixable += 1;
                }
            }
            let target = f
                .location
                .path
                .clone()
                .unwrap_or_else(|| IMAGE_CONFIG_TARGET.to_owned());
            by_target.entry(target).or_default().push(f);
        }
        let results = by_target
            .into_iter()
            .map(|(target, mut findings)| {
                findings.sort_by(|a, b| {
                    b.severity
                        .cmp(&a.severity)
                        .then_with(|| a.id.cmp(&b.id))
                        .then_with(|| a.location.cmp(&b.location))
                        .then_with(|| a.message.cmp(&b.message))
                });
                TargetResult { target, findings }
            })
            .collect();
        packages.sort();
        packages.dedup();
        notes.sort();
        notes.dedup();
        summary.packages = packages.len();
        summary.notes = notes.len();
        Report {
            schema_version: SCHEMA_VERSION,
            kensa_version: env!("CARGO_PKG_VERSION").to_owned(),
            artifact,
            scanners,
            results,
            packages,
            notes,
            suppressed: Vec::new(),
            signatures: Vec::new(),
            summary,
        }
    }

    /// Adds what a signature check found after the scan: its findings and notes join
    /// the report's (re-sorted and re-counted), its verified signatures are recorded.
    pub fn with_signature_check(
        self,
        findings: Vec<Finding>,
        notes: Vec<ScanNote>,
        mut signatures: Vec<VerifiedSignature>,
    ) -> Report {
        let suppressed = self.suppressed;
        let all: Vec<Finding> = self
            .results
            .into_iter()
            .flat_map(|r| r.findings)
            .chain(findings)
            .collect();
        let mut merged_notes = self.notes;
        merged_notes.extend(notes);
        let mut report = Report::new(
            self.artifact,
            self.scanners,
            all,
            self.packages,
            merged_notes,
        );
        report.suppressed = suppressed;
        signatures.extend(self.signatures);
        signatures.sort_by(|a, b| a.location.cmp(&b.location).then_with(|| a.key.cmp(&b.key)));
        report.signatures = signatures;
        report
    }

    /// Adds findings made after the scan (about the target as named, not its
    /// content), re-sorted and re-counted; what the report holds stays.
    pub fn with_findings(self, findings: Vec<Finding>) -> Report {
        self.with_signature_check(findings, Vec::new(), Vec::new())
    }

    /// Adds suppressed findings, in canonical order.
    pub fn with_suppressed(mut self, mut suppressed: Vec<SuppressedFinding>) -> Report {
        suppressed.sort_by(|a, b| {
            a.finding
                .id
                .cmp(&b.finding.id)
                .then_with(|| a.finding.location.cmp(&b.finding.location))
        });
        self.suppressed = suppressed;
        self
    }

    /// Every finding, in report order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.results.iter().flat_map(|r| r.findings.iter())
    }

    /// True when some finding is at or above `threshold`.
    pub fn has_findings_at_or_above(&self, threshold: Severity) -> bool {
        self.findings().any(|f| f.severity >= threshold)
    }
}

/// A signature of the scanned image that verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedSignature {
    /// How it was verified: `cosign` (key-based).
    pub method: String,
    /// The key's fingerprint (`sha256:` of its SubjectPublicKeyInfo).
    pub key: String,
    /// The key file it came from.
    pub key_source: String,
    /// The digest signed (the image's).
    pub digest: Digest,
    /// The payload's `docker-reference`.
    pub docker_reference: String,
    /// Where the signature was found.
    pub location: String,
}
