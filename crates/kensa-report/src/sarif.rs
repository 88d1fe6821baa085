//! SARIF 2.1.0 (`--format sarif`), for code-scanning services (GitHub code scanning,
//! Azure DevOps) that show findings on a pull request.
//!
//! One run; one rule per finding id (rule ids, advisory ids), carrying the title, the
//! fix as help, a level from the severity, GitHub's numeric `security-severity` (the
//! CVSS score when there is one) and the SP 800-190 section and scanner as tags. A result
//! points at the finding's path (relative, percent-encoded) and line; findings without a
//! path (the image config, a package database) point at the scanned artifact. Layer,
//! package and versions go into the result's properties, a `partialFingerprints` entry
//! keeps a finding's identity across runs, suppressed findings are results with an
//! external suppression (so they are dismissed, not lost), and scan notes are tool
//! execution notifications. Like every renderer it is a pure function of the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use kensa_core::{Finding, NoteLevel, Report, Severity};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::RenderOptions;

pub(crate) fn render(
    report: &Report,
    w: &mut dyn Write,
    _options: &RenderOptions,
) -> io::Result<()> {
    crate::write_json(w, &log(report))
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: String,
    semantic_version: String,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: String,
    precision: &'static str,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<Vec<ResultLocation>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<ResultLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

fn log(report: &Report) -> Log {
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut results = Vec::new();
    let reported = report.results.iter().flat_map(|r| &r.findings);
    let suppressed = report
        .suppressed
        .iter()
        .map(|s| (&s.finding, Some(s.reason.as_str())));
    for (finding, reason) in reported.map(|f| (f, None)).chain(suppressed) {
        let index = *rule_index.entry(&finding.id).or_insert_with(|| {
            rules.push(rule(finding));
            rules.len() - 1
        });
        results.push(result(report, finding, index, reason));
    }
    let notifications = report
        .notes
        .iter()
        .map(|note| Notification {
            level: match note.level {
                NoteLevel::Info => "note",
                NoteLevel::Warning => "warning",
                NoteLevel::Error => "error",
            },
            message: Text {
                text: sentence(&format!("{}: {}", note.found_by, note.message)),
            },
            locations: note
                .location
                .path
                .as_deref()
                .map(|path| vec![location(path, note.location.line)]),
        })
        .collect();
    let mut properties = BTreeMap::new();
    properties.insert("artifact", report.artifact.name.clone());
    if let Some(digest) = &report.artifact.digest {
        properties.insert("artifactDigest", digest.to_string());
    }
    if let Some(os) = &report.artifact.os {
        properties.insert("os", format!("{} {}", os.family, os.version));
    }
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "kensa",
                    version: report.kensa_version.clone(),
                    semantic_version: report.kensa_version.clone(),
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            properties,
        }],
    }
}

fn rule(finding: &Finding) -> Rule {
    let section = format!(
        "NIST SP 800-190 {} {}",
        finding.section.code(),
        finding.section.title()
    );
    let mut help = format!("{}\n\n{section}.", sentence(&finding.remediation));
    let mut markdown = format!(
        "**{}**\n\n{}\n\n*{section}.*",
        crate::markdown::inline(&finding.title),
        crate::markdown::inline(&sentence(&finding.remediation))
    );
    if !finding.references.is_empty() {
        help.push_str("\n\nReferences:");
        markdown.push_str("\n\nReferences:");
        for reference in &finding.references {
            let _ = write!(help, "\n- {reference}");
            if is_web_uri(reference) {
                let _ = write!(markdown, "\n- <{reference}>");
            } else {
                let _ = write!(markdown, "\n- {}", crate::markdown::inline(reference));
            }
        }
    }
    let score = finding
        .vulnerability
        .as_ref()
        .and_then(|v| v.cvss_score)
        .unwrap_or_else(|| default_score(finding.severity));
    Rule {
        id: finding.id.clone(),
        name: pascal_case(&finding.title),
        short_description: Text {
            text: sentence(&finding.title),
        },
        full_description: Text {
            text: sentence(&format!("{}. {section}", finding.title)),
        },
        help: Help {
            text: help,
            markdown,
        },
        help_uri: finding.references.iter().find(|r| is_web_uri(r)).cloned(),
        default_configuration: Configuration {
            level: level(finding.severity),
        },
        properties: RuleProperties {
            security_severity: format!("{score:.1}"),
            precision: "high",
            tags: vec![
                "security".to_owned(),
                finding.scanner.as_str().to_owned(),
                format!("SP800-190-{}", finding.section.code()),
            ],
        },
    }
}

fn result(
    report: &Report,
    finding: &Finding,
    rule_index: usize,
    suppressed: Option<&str>,
) -> SarifResult {
    let mut text = finding.title.clone();
    if let Some(message) = &finding.message {
        let _ = write!(text, ": {message}");
    }
    let mut properties = BTreeMap::new();
    properties.insert("severity", finding.severity.to_string());
    properties.insert("scanner", finding.scanner.as_str().to_owned());
    properties.insert("section", finding.section.code().to_owned());
    if let Some(v) = &finding.vulnerability {
        let fixed = if v.fixed_versions.is_empty() {
            "no fix yet".to_owned()
        } else {
            v.fixed_versions.join(", ")
        };
        let _ = write!(
            text,
            " (package {} {}, fixed in {fixed})",
            v.package, v.installed_version
        );
        properties.insert("package", v.package.clone());
        properties.insert("installedVersion", v.installed_version.clone());
        properties.insert("fixedVersions", v.fixed_versions.join(", "));
        properties.insert("ecosystem", v.ecosystem.clone());
    } else if let Some(package) = &finding.location.package {
        properties.insert("package", package.clone());
    }
    if let Some(layer) = &finding.location.layer {
        properties.insert("layer", layer.to_string());
    }
    if let Some(index) = finding.location.layer_index {
        properties.insert("layerIndex", index.to_string());
    }
    if let Some(created_by) = &finding.location.created_by {
        properties.insert("createdBy", created_by.clone());
    }
    if let Some(document) = &finding.location.document {
        properties.insert("document", document.clone());
    }
    if let Some(field) = &finding.location.field {
        properties.insert("field", field.clone());
    }
    // Findings without a path (the image config, a package database) are reported on
    // the scanned artifact itself.
    let path = finding
        .location
        .path
        .as_deref()
        .unwrap_or(&report.artifact.name);
    let mut fingerprint = Sha256::new();
    for part in [
        finding.id.as_str(),
        path,
        finding.location.package.as_deref().unwrap_or(""),
        finding.message.as_deref().unwrap_or(""),
    ] {
        fingerprint.update(part.as_bytes());
        fingerprint.update([0]);
    }
    // Two documents of one manifest can hold the same finding; only manifest findings
    // have these, so other findings keep their fingerprints.
    for part in [&finding.location.document, &finding.location.field]
        .into_iter()
        .flatten()
    {
        fingerprint.update(part.as_bytes());
        fingerprint.update([0]);
    }
    let fingerprint: String = fingerprint
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    SarifResult {
        rule_id: finding.id.clone(),
        rule_index,
        level: level(finding.severity),
        message: Text {
            text: sentence(&text),
        },
        locations: vec![location(path, finding.location.line)],
        partial_fingerprints: BTreeMap::from([("kensaFindingHash/v1", fingerprint)]),
        suppressions: suppressed
            .map(|reason| Suppression {
                kind: "external",
                justification: reason.to_owned(),
            })
            .into_iter()
            .collect(),
        properties,
    }
}

fn location(path: &str, line: Option<u32>) -> ResultLocation {
    ResultLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(path) },
            region: Region {
                start_line: line.unwrap_or(1).max(1),
            },
        },
    }
}

/// SARIF's levels: code-scanning services show `error` as failing.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

/// GitHub's `security-severity` bands (9.0+ critical, 7.0+ high, 4.0+ medium, else low),
/// for findings without a CVSS score.
fn default_score(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        Severity::Unknown => 0.0,
    }
}

/// A relative URI reference for an image or directory path: no leading `/`, and every
/// byte outside RFC 3986's unreserved characters and `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.trim_start_matches('/').as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Whether `reference` is an `http(s)` URI that can be written as one: advisories are
/// data from outside, and a reference that is not a URI stays in the help text only.
fn is_web_uri(reference: &str) -> bool {
    (reference.starts_with("https://") || reference.starts_with("http://"))
        && reference.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
                )
        })
}

/// `text` ending with a period, as SARIF viewers expect of messages.
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// `Image runs as root` → `ImageRunsAsRoot`: a rule name as SARIF asks for one.
fn pascal_case(title: &str) -> String {
    let name: String = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("Finding{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("/etc/passwd"), "etc/passwd");
        assert_eq!(uri("app/my file#1.txt"), "app/my%20file%231.txt");
        assert_eq!(uri("config:Env"), "config%3AEnv");
        assert_eq!(uri("/"), ".");
        assert_eq!(uri("caf\u{e9}"), "caf%C3%A9");
    }

    #[test]
    fn only_web_uris_become_help_uris() {
        assert!(is_web_uri(
            "https://security-tracker.debian.org/tracker/CVE-2024-1"
        ));
        assert!(!is_web_uri("https://example.invalid/\x1b[5m"));
        assert!(!is_web_uri("https://x/a b"));
        assert!(!is_web_uri("javascript:alert(1)"));
    }

    #[test]
    fn names_and_sentences() {
        assert_eq!(pascal_case("Image runs as root"), "ImageRunsAsRoot");
        assert_eq!(
            pascal_case("apt-get upgrade in history"),
            "AptGetUpgradeInHistory"
        );
        assert_eq!(pascal_case("7-Zip flaw"), "Finding7ZipFlaw");
        assert_eq!(sentence("Done"), "Done.");
        assert_eq!(sentence("Done. "), "Done.");
    }
}
