//! Findings (what is wrong, where, how to fix it) and notes (what could not be checked).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Digest, Section, Severity};

/// The scanner that produced a finding; `--scanners` selects among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scanner {
    /// Known vulnerabilities in packages (SP 800-190 4.1.1).
    Vuln,
    /// Image configuration and Dockerfile defects (4.1.2).
    Config,
    /// Clear-text secrets (4.1.4).
    Secret,
    /// Embedded malware (4.1.3).
    Malware,
}

impl Scanner {
    /// Every scanner, in display order.
    pub const ALL: [Scanner; 4] = [
        Scanner::Vuln,
        Scanner::Config,
        Scanner::Secret,
        Scanner::Malware,
    ];

    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Scanner::Vuln => "vuln",
            Scanner::Config => "config",
            Scanner::Secret => "secret",
            Scanner::Malware => "malware",
        }
    }

    /// The scanners a scan runs unless told otherwise: every one this version ships but
    /// `malware` (see [`Scanner::is_available`]).
    pub const DEFAULT: &'static [Scanner] = &[Scanner::Vuln, Scanner::Config, Scanner::Secret];

    /// Whether this version of kensa has the scanner: every default one, and `malware`,
    /// which reads every byte of every file and so runs only when asked for.
    pub fn is_available(self) -> bool {
        Scanner::DEFAULT.contains(&self) || self == Scanner::Malware
    }
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for Scanner {
    fn value_variants<'a>() -> &'a [Self] {
        &Scanner::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let value = clap::builder::PossibleValue::new(self.as_str());
        // Accepted, so that the CLI can say it is not available rather than unknown;
        // not listed, since it cannot be used.
        Some(value.hide(!self.is_available()))
    }
}

impl fmt::Display for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where something was found. Every field is optional because a finding on the image
/// config has no path, and a finding in a source tree has no layer.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The layer's uncompressed digest (diff_id) that holds the file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub layer: Option<Digest>,
    /// The layer's position in the image, from 0 at the base.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub layer_index: Option<usize>,
    /// The history `created_by` of the build step that made the layer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub created_by: Option<String>,
    /// The file path, relative to the image root (or the scanned directory), `/`-separated.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    /// The 1-based line in that file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    /// A package, as `name@version`, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub package: Option<String>,
    /// In a file of several documents (a deployment manifest), which one: its 1-based
    /// position and `kind/name`, as `2: Deployment/web`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub document: Option<String>,
    /// The field path inside that document
    /// (`spec.template.spec.containers[0].securityContext.privileged`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    /// The member of the archive at `path` the finding is about (`lib/b.jar/x.class`
    /// for a jar nested in the jar at `path`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub member: Option<String>,
    /// The file at `path` is not in the final filesystem (a later layer deletes or
    /// hides it), though its bytes are still in the image.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub deleted: bool,
}

impl Location {
    /// A location that is just a path.
    pub fn path(path: impl Into<String>) -> Self {
        Location {
            path: Some(path.into()),
            ..Location::default()
        }
    }

    /// The same location with a line number.
    pub fn with_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
}

/// One problem found, with what to do about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable id: a rule id such as `KS-IMG-001`, or an advisory id such as `CVE-2024-1234`.
    pub id: String,
    /// Which scanner found it.
    pub scanner: Scanner,
    /// How bad it is.
    pub severity: Severity,
    /// The SP 800-190 countermeasure section it answers.
    pub section: Section,
    /// A one-line statement of the problem.
    pub title: String,
    /// Specifics for this occurrence (which user, which file, which value, masked).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    /// Where it was found.
    pub location: Location,
    /// What to change.
    pub remediation: String,
    /// Links that explain it further.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub references: Vec<String>,
    /// For vulnerability findings: the package, versions and scores.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vulnerability: Option<VulnDetails>,
}

/// What a vulnerability finding says about the affected package.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VulnDetails {
    /// The installed package.
    pub package: String,
    /// Its installed version.
    pub installed_version: String,
    /// The source package the advisory names, when it differs (Debian source, Alpine origin).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_package: Option<String>,
    /// Versions that fix it; empty when no fix is available.
    #[serde(default)]
    pub fixed_versions: Vec<String>,
    /// The advisory ecosystem matched (`Debian:11`, `PyPI`).
    pub ecosystem: String,
    /// Other ids of the same vulnerability.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub aliases: Vec<String>,
    /// Related ids (a DSA's CVEs).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub related: Vec<String>,
    /// The CVSS vector behind the severity, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cvss_vector: Option<String>,
    /// Its base score.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cvss_score: Option<f64>,
    /// Where the severity came from: the advisory itself, or a CVE record it names.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub severity_source: Option<SeveritySource>,
    /// Every CVSS score known for this vulnerability (the advisory's and each CVE record's,
    /// from its CNA and each ADP), the chosen one included.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cvss: Vec<CvssMetric>,
    /// The CISA Known Exploited Vulnerabilities entry of one of its CVEs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kev: Option<KevEntry>,
    /// The highest FIRST EPSS score among its CVEs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub epss: Option<EpssScore>,
    /// The SSVC `Exploitation` decision of a CVE record (`none`, `poc`, `active`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exploitation: Option<String>,
    /// CVEs it names whose record is REJECTED by the CVE Program.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub rejected_cves: Vec<String>,
    /// The earliest publication date among its CVE records (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub published: Option<String>,
    /// How urgent fixing it is, from exploitation, EPSS, severity and fix availability.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub priority: Option<Priority>,
    /// The one upgrade of this package that fixes every fixable finding on it
    /// (`--group-by fix`), when it has a fix.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fix_group: Option<String>,
}

/// Which kind of source a severity or CVSS score came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The advisory's own rating (OSV `severity` or `database_specific`).
    Advisory,
    /// The CVE record's CNA container.
    Cna,
    /// An ADP container of the CVE record (CISA's Vulnrichment, the CVE Program's).
    Adp,
}

impl SourceKind {
    /// Every kind, in the default resolution order.
    pub const ALL: [SourceKind; 3] = [SourceKind::Advisory, SourceKind::Cna, SourceKind::Adp];

    /// The lowercase name used in config files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Advisory => "advisory",
            SourceKind::Cna => "cna",
            SourceKind::Adp => "adp",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding's severity came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeveritySource {
    /// Advisory, CNA or ADP.
    pub kind: SourceKind,
    /// The CVE record, for CNA and ADP sources.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cve: Option<String>,
    /// The CNA's or ADP's short name (`openssl`, `CISA-ADP`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provider: Option<String>,
    /// The CVSS vector that gave the severity; none when the source gave only a word.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vector: Option<String>,
}

impl fmt::Display for SeveritySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(p) = &self.provider {
            write!(f, " {p}")?;
        }
        if let Some(c) = &self.cve {
            write!(f, " ({c})")?;
        }
        Ok(())
    }
}

/// One CVSS score of a vulnerability and who gave it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvssMetric {
    /// The CVSS version: `4.0`, `3.1`, `3.0` or `2.0`.
    pub version: String,
    /// The vector string.
    pub vector: String,
    /// The base score.
    pub score: f64,
    /// Advisory, CNA or ADP.
    pub source: SourceKind,
    /// The CNA's or ADP's short name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provider: Option<String>,
    /// The CVE record it is from.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cve: Option<String>,
}

/// An entry of CISA's Known Exploited Vulnerabilities catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    /// The CVE.
    pub cve: String,
    /// When CISA added it (`YYYY-MM-DD`).
    pub date_added: String,
    /// The remediation due date for US federal agencies (`YYYY-MM-DD`).
    pub due_date: String,
    /// `Known` or `Unknown`.
    pub known_ransomware_campaign_use: String,
}

/// A FIRST EPSS score: the probability of exploitation in the next 30 days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpssScore {
    /// The CVE.
    pub cve: String,
    /// The probability, 0 to 1.
    pub score: f64,
    /// Its percentile among all scored CVEs, 0 to 1.
    pub percentile: f64,
    /// The day the scores are for (`YYYY-MM-DD`).
    pub date: String,
}

/// A finding's place in the fix-first order: rank 1 first (`docs/prioritisation.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    /// 1 (fix now) to 5 (fix when convenient).
    pub rank: u8,
    /// Why it has this rank.
    pub reason: String,
}

/// A finding that an ignore file, a VEX statement or `--ignore-unfixed` suppressed; kept
/// in the report so the decision stays visible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuppressedFinding {
    /// The finding.
    pub finding: Finding,
    /// Why it is suppressed (the ignore entry's reason, the VEX justification, …).
    pub reason: String,
}

/// How serious a [`ScanNote`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    /// Worth knowing, changes nothing.
    Info,
    /// Part of the input was not checked (too large, unreadable, unsupported).
    Warning,
    /// An analyzer failed on an input it should have understood.
    Error,
}

/// Something kensa could not check, said out loud instead of skipped silently.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanNote {
    /// How serious it is.
    pub level: NoteLevel,
    /// The analyzer, rule or stage that raised it.
    pub found_by: String,
    /// What it is about.
    pub location: Location,
    /// What happened.
    pub message: String,
}
