//! The table with enrichment data: severities from CVE records marked, the fix-first order
//! by default once such data is present, `--sort-by`, `--group-by fix`, the summary's
//! known-exploited count, and SARIF's `security-severity` from the chosen score.
#![allow(clippy::unwrap_used, reason = "test code")]

use kensa_core::{
    Artifact, ArtifactKind, EpssScore, Finding, KevEntry, Location, Report, Scanner, Section,
    Severity, SeveritySource, SourceKind, VulnDetails,
};
use kensa_report::{Format, RenderOptions, SortBy, render};

struct Spec {
    id: &'static str,
    package: &'static str,
    severity: Severity,
    source: Option<SourceKind>,
    score: Option<f64>,
    kev: bool,
    epss: Option<f64>,
    fixed: &'static [&'static str],
    fix_group: Option<&'static str>,
}

fn finding(s: &Spec) -> Finding {
    let priority = kensa_enrich::priority(s.kev, None, s.epss, s.severity, !s.fixed.is_empty());
    Finding {
        id: s.id.to_owned(),
        scanner: Scanner::Vuln,
        severity: s.severity,
        section: Section::ImageVulnerabilities,
        title: format!("{} in {}", s.id, s.package),
        message: None,
        location: Location {
            package: Some(format!("{}@1.0-1", s.package)),
            ..Location::path("var/lib/dpkg/status")
        },
        remediation: String::new(),
        references: vec![],
        vulnerability: Some(VulnDetails {
            package: s.package.to_owned(),
            installed_version: "1.0-1".to_owned(),
            fixed_versions: s.fixed.iter().map(|v| (*v).to_owned()).collect(),
            ecosystem: "Debian:12".to_owned(),
            cvss_vector: s
                .score
                .map(|_| "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_owned()),
            cvss_score: s.score,
            severity_source: s.source.map(|kind| SeveritySource {
                kind,
                cve: Some(format!("CVE-{}", s.id)),
                provider: Some("acme".to_owned()),
                vector: None,
            }),
            kev: s.kev.then(|| KevEntry {
                cve: format!("CVE-{}", s.id),
                date_added: "2099-01-01".to_owned(),
                due_date: "2099-01-22".to_owned(),
                known_ransomware_campaign_use: "Unknown".to_owned(),
            }),
            epss: s.epss.map(|score| EpssScore {
                cve: format!("CVE-{}", s.id),
                score,
                percentile: 0.5,
                date: "2099-01-01".to_owned(),
            }),
            priority: Some(priority),
            fix_group: s.fix_group.map(str::to_owned),
            ..VulnDetails::default()
        }),
    }
}

fn report() -> Report {
    let specs = [
        Spec {
            id: "DSA-1",
            package: "libfoo",
            severity: Severity::Critical,
            source: Some(SourceKind::Cna),
            score: Some(9.8),
            kev: false,
            epss: Some(0.02),
            fixed: &["1.0-3"],
            fix_group: Some("1.0-4"),
        },
        Spec {
            id: "DSA-2",
            package: "libfoo",
            severity: Severity::Unknown,
            source: None,
            score: None,
            kev: true,
            epss: None,
            fixed: &["1.0-4"],
            fix_group: Some("1.0-4"),
        },
        Spec {
            id: "DSA-3",
            package: "libbar",
            severity: Severity::Medium,
            source: Some(SourceKind::Adp),
            score: Some(5.3),
            kev: false,
            epss: Some(0.4),
            fixed: &[],
            fix_group: None,
        },
        Spec {
            id: "DSA-4",
            package: "libbar",
            severity: Severity::High,
            source: Some(SourceKind::Advisory),
            score: Some(7.5),
            kev: false,
            epss: None,
            fixed: &["2.0-1"],
            fix_group: Some("2.0-1"),
        },
    ];
    let artifact = Artifact {
        name: "app.tar".to_owned(),
        kind: ArtifactKind::DockerArchive,
        digest: None,
        manifest_digest: None,
        repo_tags: vec![],
        platform: None,
        os: None,
        layers: vec![],
        config: None,
    };
    Report::new(
        artifact,
        vec![Scanner::Vuln],
        specs.iter().map(finding).collect(),
        vec![],
        vec![],
    )
}

fn table(options: RenderOptions) -> String {
    let mut out = Vec::new();
    render(&report(), Format::Table, &mut out, &options).unwrap();
    String::from_utf8(out).unwrap()
}

/// The ids of the table's rows, top to bottom.
fn row_ids(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.split('│').nth(2))
        .map(str::trim)
        .filter(|id| id.starts_with("DSA-"))
        .collect()
}

#[test]
fn priority_is_the_default_order_once_data_is_present() {
    let text = table(RenderOptions::default());
    // KEV first; then rank 2, the one with a fix (CRITICAL) before the one without (EPSS
    // 0.4), then HIGH.
    assert_eq!(row_ids(&text), ["DSA-2", "DSA-1", "DSA-3", "DSA-4"]);
    insta::assert_snapshot!("table_enriched", text);
}

#[test]
fn sort_by_severity_epss_and_kev() {
    let by = |sort_by| {
        row_ids(&table(RenderOptions {
            sort_by,
            ..RenderOptions::default()
        }))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    assert_eq!(by(SortBy::Severity), ["DSA-1", "DSA-4", "DSA-3", "DSA-2"]);
    assert_eq!(by(SortBy::Epss), ["DSA-3", "DSA-1", "DSA-4", "DSA-2"]);
    assert_eq!(by(SortBy::Kev)[0], "DSA-2");
}

#[test]
fn group_by_fix_heads_each_group_with_its_upgrade() {
    let text = table(RenderOptions {
        group_by_fix: true,
        ..RenderOptions::default()
    });
    assert!(
        text.contains("Upgrade libfoo to 1.0-4: fixes 2 vulnerabilities"),
        "{text}"
    );
    assert!(
        text.contains("Upgrade libbar to 2.0-1: fixes 1 vulnerability"),
        "{text}"
    );
    assert!(
        text.contains("libbar: 1 vulnerability without a fix yet"),
        "{text}"
    );
    // Groups in order of their most urgent finding; the unfixable group last.
    assert_eq!(row_ids(&text), ["DSA-2", "DSA-1", "DSA-4", "DSA-3"]);
    insta::assert_snapshot!("table_grouped_by_fix", text);
}

#[test]
fn summary_counts_known_exploited_first_and_sarif_uses_the_chosen_score() {
    let text = table(RenderOptions::default());
    assert!(
        text.contains("Summary: 1 known exploited, 4 findings (CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0, UNKNOWN: 1)"),
        "{text}"
    );
    let mut out = Vec::new();
    render(
        &report(),
        Format::Sarif,
        &mut out,
        &RenderOptions::default(),
    )
    .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let score = |id: &str| {
        rules.iter().find(|r| r["id"] == id).unwrap()["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(score("DSA-1"), "9.8");
    assert_eq!(score("DSA-3"), "5.3");
}

#[test]
fn markdown_marks_known_exploited_and_cve_sources() {
    let mut out = Vec::new();
    render(
        &report(),
        Format::Markdown,
        &mut out,
        &RenderOptions::default(),
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let row = |id: &str| {
        text.lines()
            .find(|l| l.contains(&format!("`{id}`")))
            .unwrap()
            .to_owned()
    };
    assert!(
        row("DSA-2").starts_with("| UNKNOWN<br>**known exploited** |"),
        "{text}"
    );
    assert!(
        row("DSA-1").starts_with("| CRITICAL<br>via CNA |"),
        "{text}"
    );
    assert!(row("DSA-4").starts_with("| HIGH |"), "{text}");
}
