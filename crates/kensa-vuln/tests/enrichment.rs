//! CVE records, KEV and EPSS imported beside OSV records, over fixtures written in code:
//! severity resolution and its sources, exploitation data, priority, alias de-duplication.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::io::Write;
use std::path::Path;

use kensa_core::{Ecosystem, Location, OsInfo, Package, Severity, SourceKind};
use kensa_vuln::{DbBuilder, MatchOptions, Suppressions, VulnDb, VulnMatch};

/// A CVE JSON 5 record: CNA metrics and ADP containers given as JSON text.
fn cve(id: &str, state: &str, cna_metrics: &str, adp: &str) -> String {
    format!(
        r#"{{"dataType": "CVE_RECORD", "dataVersion": "5.1",
            "cveMetadata": {{"cveId": "{id}", "state": "{state}", "assignerShortName": "acme",
                             "datePublished": "2099-03-04T05:06:07.000Z"}},
            "containers": {{
              "cna": {{"providerMetadata": {{"orgId": "1", "shortName": "acme"}}, "metrics": {cna_metrics}}},
              "adp": {adp}}}}}"#
    )
}

const V31_CRITICAL: &str = r#"{"cvssV3_1": {"version": "3.1", "baseScore": 9.8, "baseSeverity": "CRITICAL",
    "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}"#;
const V31_MEDIUM: &str = r#"{"cvssV3_1": {"version": "3.1", "baseScore": 5.9, "baseSeverity": "MEDIUM",
    "vectorString": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"}}"#;
const V40_HIGH: &str = r#"{"cvssV4_0": {"version": "4.0", "baseScore": 8.7, "baseSeverity": "HIGH",
    "vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"}}"#;

fn cisa_adp(metrics: &str) -> String {
    format!(
        r#"[{{"title": "CISA ADP Vulnrichment", "providerMetadata": {{"orgId": "2", "shortName": "CISA-ADP"}},
             "metrics": {metrics}}}]"#
    )
}

fn ssvc(exploitation: &str) -> String {
    format!(
        r#"{{"other": {{"type": "ssvc", "content": {{"id": "x", "role": "CISA Coordinator", "version": "2.0.3",
              "options": [{{"Exploitation": "{exploitation}"}}, {{"Automatable": "no"}}, {{"Technical Impact": "partial"}}]}}}}}}"#
    )
}

fn osv(id: &str, ids: &str, eco: &str, name: &str, fixed: &str, extra: &str) -> String {
    format!(
        r#"{{"id": "{id}", {ids} "summary": "{id} summary" {extra},
            "affected": [{{"package": {{"ecosystem": "{eco}", "name": "{name}"}},
              "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    )
}

const KEV: &str = r#"{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2099.03.01",
    "dateReleased": "2099-03-01T00:00:00.000Z", "count": 1,
    "vulnerabilities": [{"cveID": "CVE-2099-0003", "vendorProject": "Acme", "product": "lib",
      "vulnerabilityName": "Acme lib RCE", "dateAdded": "2099-03-01", "shortDescription": "x",
      "requiredAction": "Apply updates.", "dueDate": "2099-03-22", "knownRansomwareCampaignUse": "Known",
      "notes": "", "cwes": []}]}"#;

const EPSS: &str = "#model_version:v2099.01.01,score_date:2099-03-02T12:00:00Z\ncve,epss,percentile\nCVE-2099-0001,0.00042,0.10000\nCVE-2099-0002,0.25000,0.97000\nCVE-2099-0003,0.91000,0.99900\n";

/// Writes the fixture tree: OSV records, CVE records in cvelistV5's layout inside a zip,
/// the KEV catalog and a gzipped EPSS file.
fn fixtures(dir: &Path) {
    let records = [
        // No severity of its own: CNA v3.1 9.8 and ADP 5.9 for its CVE.
        osv(
            "PYSEC-2099-1",
            r#""aliases": ["CVE-2099-0001"],"#,
            "PyPI",
            "alpha",
            "2.0",
            "",
        ),
        // Its own severity (MODERATE) wins over the CVE's CNA v4.0 HIGH.
        osv(
            "PYSEC-2099-2",
            r#""aliases": ["CVE-2099-0002"],"#,
            "PyPI",
            "beta",
            "2.0",
            r#", "database_specific": {"severity": "MODERATE"}"#,
        ),
        // KEV-listed, CVE has only an ADP score and SSVC `active`.
        osv(
            "GO-2099-0003",
            r#""aliases": ["CVE-2099-0003", "GHSA-gggg-hhhh-iiii"],"#,
            "Go",
            "example.com/gamma",
            "1.5.0",
            "",
        ),
        // Its GHSA, a second record of the same vulnerability: merged by the shared alias.
        osv(
            "GHSA-gggg-hhhh-iiii",
            r#""aliases": ["CVE-2099-0003"],"#,
            "Go",
            "example.com/gamma",
            "1.5.0",
            "",
        ),
        // A DSA naming two CVEs and the DEBIAN-CVE record of one of them: one finding.
        osv(
            "DSA-9000-1",
            r#""related": ["CVE-2099-0004", "CVE-2099-0005"],"#,
            "Debian:12",
            "delta",
            "1.0-2",
            "",
        ),
        osv(
            "DEBIAN-CVE-2099-0004",
            r#""upstream": ["CVE-2099-0004"],"#,
            "Debian:12",
            "delta",
            "1.0-3",
            "",
        ),
        // No CVSS anywhere: UNKNOWN, and a REJECTED CVE.
        osv(
            "PYSEC-2099-6",
            r#""aliases": ["CVE-2099-0006"],"#,
            "PyPI",
            "epsilon",
            "2.0",
            "",
        ),
    ];
    let osv_dir = dir.join("osv");
    fs_err::create_dir_all(&osv_dir).unwrap();
    for (i, r) in records.iter().enumerate() {
        fs_err::write(osv_dir.join(format!("{i}.json")), r).unwrap();
    }
    let cves = [
        (
            "2099/0xxx/CVE-2099-0001.json",
            cve(
                "CVE-2099-0001",
                "PUBLISHED",
                &format!("[{V31_CRITICAL}]"),
                &cisa_adp(&format!("[{V31_MEDIUM}, {}]", ssvc("none"))),
            ),
        ),
        (
            "2099/0xxx/CVE-2099-0002.json",
            cve(
                "CVE-2099-0002",
                "PUBLISHED",
                &format!("[{V40_HIGH}, {V31_MEDIUM}]"),
                "[]",
            ),
        ),
        (
            "2099/0xxx/CVE-2099-0003.json",
            cve(
                "CVE-2099-0003",
                "PUBLISHED",
                "[]",
                &cisa_adp(&format!("[{V31_CRITICAL}, {}]", ssvc("active"))),
            ),
        ),
        (
            "2099/0xxx/CVE-2099-0004.json",
            cve(
                "CVE-2099-0004",
                "PUBLISHED",
                &format!("[{V31_MEDIUM}]"),
                "[]",
            ),
        ),
        (
            "2099/0xxx/CVE-2099-0006.json",
            cve("CVE-2099-0006", "REJECTED", "null", "[]"),
        ),
    ];
    // cvelistV5's release: `cves.zip` inside the dated outer zip, with its change logs.
    let mut inner = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in &cves {
        inner
            .start_file(
                format!("cves/{name}"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
        inner.write_all(body.as_bytes()).unwrap();
    }
    inner
        .start_file("cves/delta.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    inner
        .write_all(br#"{"fetchTime": "x", "new": []}"#)
        .unwrap();
    let inner = inner.finish().unwrap().into_inner();
    let mut outer = zip::ZipWriter::new(fs_err::File::create(dir.join("cvelist.zip")).unwrap());
    outer
        .start_file("cves.zip", zip::write::SimpleFileOptions::default())
        .unwrap();
    outer.write_all(&inner).unwrap();
    outer.finish().unwrap();
    fs_err::write(dir.join("known_exploited_vulnerabilities.json"), KEV).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(EPSS.as_bytes()).unwrap();
    fs_err::write(
        dir.join("epss_scores-2099-03-02.csv.gz"),
        gz.finish().unwrap(),
    )
    .unwrap();
}

fn build(dir: &Path) -> (kensa_vuln::BuildSummary, VulnDb) {
    let mut b = DbBuilder::new();
    for p in [
        "osv",
        "cvelist.zip",
        "known_exploited_vulnerabilities.json",
        "epss_scores-2099-03-02.csv.gz",
    ] {
        b.add_path(&dir.join(p)).unwrap();
    }
    let summary = b.build(&dir.join("db")).unwrap();
    let db = VulnDb::open(&dir.join("db")).unwrap();
    (summary, db)
}

fn pkg(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        ecosystem,
        name: name.into(),
        version: version.into(),
        purl: None,
        arch: None,
        source: None,
        licenses: vec![],
        direct: None,
        found_by: "test".into(),
        location: Location::path("db"),
        files: vec![],
        dev: false,
        relationship: None,
    }
}

fn packages() -> Vec<Package> {
    vec![
        pkg(Ecosystem::Pypi, "alpha", "1.0"),
        pkg(Ecosystem::Pypi, "beta", "1.0"),
        pkg(Ecosystem::Go, "example.com/gamma", "v1.0.0"),
        pkg(Ecosystem::Deb, "delta", "1.0-1"),
        pkg(Ecosystem::Pypi, "epsilon", "1.0"),
    ]
}

fn bookworm() -> OsInfo {
    OsInfo {
        family: "debian".into(),
        version: "12".into(),
        codename: None,
        pretty_name: None,
    }
}

fn by_package<'a>(found: &'a [VulnMatch], name: &str) -> &'a VulnMatch {
    found.iter().find(|f| f.package == name).unwrap()
}

#[test]
fn import_counts_every_source() {
    let tmp = tempfile::tempdir().unwrap();
    fixtures(tmp.path());
    let (summary, _) = build(tmp.path());
    let s = &summary.info.stats;
    assert_eq!(s.imported, 7);
    assert_eq!(s.cve_records, 5);
    assert_eq!(s.cve_rejected, 1);
    assert_eq!(s.kev_entries, 1);
    assert_eq!(s.epss_scores, 3);
    assert_eq!(s.malformed_records, 0, "{:?}", summary.issues);
    assert_eq!(summary.info.kev_catalog.as_deref(), Some("2099.03.01"));
    assert_eq!(summary.info.epss_date.as_deref(), Some("2099-03-02"));
    let sources: Vec<u64> = summary.info.sources.iter().map(|s| s.records).collect();
    assert_eq!(sources, [7, 5, 1, 3]);
}

#[test]
fn severity_comes_from_the_advisory_then_cna_then_adp() {
    let tmp = tempfile::tempdir().unwrap();
    fixtures(tmp.path());
    let (_, db) = build(tmp.path());
    let r = db.match_packages(&packages(), Some(&bookworm()));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.findings.len(), 5);

    // CNA's v3.1 9.8; the ADP's 5.9 kept in the list.
    let alpha = by_package(&r.findings, "alpha");
    assert_eq!(alpha.severity, Severity::Critical);
    let src = alpha.severity_source.as_ref().unwrap();
    assert_eq!(src.kind, SourceKind::Cna);
    assert_eq!(src.cve.as_deref(), Some("CVE-2099-0001"));
    assert_eq!(src.provider.as_deref(), Some("acme"));
    assert_eq!(
        src.vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    assert_eq!(alpha.cvss.as_ref().unwrap().score, 9.8);
    let all: Vec<(SourceKind, &str, f64)> = alpha
        .cvss_all
        .iter()
        .map(|m| (m.source, m.version.as_str(), m.score))
        .collect();
    assert_eq!(
        all,
        [(SourceKind::Cna, "3.1", 9.8), (SourceKind::Adp, "3.1", 5.9)]
    );
    assert_eq!(alpha.exploitation.as_deref(), Some("none"));
    assert_eq!(alpha.published.as_deref(), Some("2099-03-04"));

    // The advisory's own MODERATE wins; the CVE's v4.0 and v3.1 are still listed.
    let beta = by_package(&r.findings, "beta");
    assert_eq!(beta.severity, Severity::Medium);
    assert_eq!(
        beta.severity_source.as_ref().unwrap().kind,
        SourceKind::Advisory
    );
    assert_eq!(beta.cvss_all.len(), 2);

    // No CNA score: the CISA ADP's; KEV and EPSS attached; rank 1.
    let gamma = by_package(&r.findings, "example.com/gamma");
    assert_eq!(gamma.id, "GHSA-gggg-hhhh-iiii");
    assert_eq!(gamma.aliases, ["CVE-2099-0003", "GO-2099-0003"]);
    assert_eq!(gamma.severity, Severity::Critical);
    let src = gamma.severity_source.as_ref().unwrap();
    assert_eq!(
        (src.kind, src.provider.as_deref()),
        (SourceKind::Adp, Some("CISA-ADP"))
    );
    let kev = gamma.kev.as_ref().unwrap();
    assert_eq!(
        (
            kev.date_added.as_str(),
            kev.due_date.as_str(),
            kev.known_ransomware_campaign_use.as_str()
        ),
        ("2099-03-01", "2099-03-22", "Known")
    );
    let epss = gamma.epss.as_ref().unwrap();
    assert_eq!(
        (epss.score, epss.percentile, epss.date.as_str()),
        (0.91, 0.999, "2099-03-02")
    );
    assert_eq!(gamma.exploitation.as_deref(), Some("active"));
    assert_eq!(gamma.priority.as_ref().unwrap().rank, 1);
    let finding = gamma.clone().into_finding();
    assert!(
        finding
            .message
            .as_deref()
            .unwrap()
            .contains("; severity from adp CISA-ADP (CVE-2099-0003); known exploited (CISA KEV CVE-2099-0003, added 2099-03-01)"),
        "{:?}",
        finding.message
    );

    // No CVSS anywhere: UNKNOWN, no source; its CVE is REJECTED.
    let eps = by_package(&r.findings, "epsilon");
    assert_eq!(eps.severity, Severity::Unknown);
    assert!(eps.severity_source.is_none());
    assert!(eps.cvss_all.is_empty());
    assert_eq!(eps.rejected_cves, ["CVE-2099-0006"]);
    assert_eq!(eps.priority.as_ref().unwrap().rank, 5);
}

#[test]
fn the_config_can_reorder_or_drop_sources() {
    let tmp = tempfile::tempdir().unwrap();
    fixtures(tmp.path());
    let (_, db) = build(tmp.path());
    let options = MatchOptions {
        severity_sources: vec![SourceKind::Adp, SourceKind::Cna, SourceKind::Advisory],
    };
    let r = db.match_packages_with(&packages(), Some(&bookworm()), &options);
    let alpha = by_package(&r.findings, "alpha");
    assert_eq!(alpha.severity, Severity::Medium);
    assert_eq!(
        alpha.severity_source.as_ref().unwrap().kind,
        SourceKind::Adp
    );
    // beta's CVE has no ADP: its CNA v4.0 (preferred over the CNA's v3.1) comes next.
    let beta = by_package(&r.findings, "beta");
    assert_eq!(beta.severity, Severity::High);
    assert_eq!(beta.cvss.as_ref().unwrap().score, 8.7);
    let advisory_only = MatchOptions {
        severity_sources: vec![SourceKind::Advisory],
    };
    let r = db.match_packages_with(&packages(), Some(&bookworm()), &advisory_only);
    assert_eq!(by_package(&r.findings, "alpha").severity, Severity::Unknown);
    assert_eq!(
        by_package(&r.findings, "alpha").cvss_all.len(),
        2,
        "scores are listed even when not used"
    );
}

#[test]
fn one_finding_per_package_and_vulnerability_and_suppression_by_any_id() {
    let tmp = tempfile::tempdir().unwrap();
    fixtures(tmp.path());
    let (_, db) = build(tmp.path());
    let r = db.match_packages(&packages(), Some(&bookworm()));
    let delta: Vec<&VulnMatch> = r.findings.iter().filter(|f| f.package == "delta").collect();
    assert_eq!(delta.len(), 1);
    let d = delta[0];
    assert_eq!(d.id, "DEBIAN-CVE-2099-0004");
    assert_eq!(d.aliases, ["DSA-9000-1"]);
    assert_eq!(d.related, ["CVE-2099-0004", "CVE-2099-0005"]);
    assert_eq!(d.fixed_versions, ["1.0-2", "1.0-3"]);
    assert_eq!(d.fix_group.as_deref(), Some("1.0-3"));
    // Severity from the CVE the DEBIAN-CVE record is the copy of.
    assert_eq!(d.severity, Severity::Medium);

    // An ignore entry naming the DSA, and one naming the GO id of the merged GHSA finding.
    let mut s = Suppressions::new();
    s.add_ignore_yaml(
        Path::new(".kensaignore"),
        "- id: DSA-9000-1\n  reason: patched in our fork\n- id: GO-2099-0003\n  reason: not reachable\n",
    )
    .unwrap();
    let out = s.apply(r.findings, kensa_vuln::Date::today());
    let suppressed: Vec<&str> = out
        .suppressed
        .iter()
        .map(|s| s.finding.package.as_str())
        .collect();
    assert_eq!(suppressed, ["delta", "example.com/gamma"]);
    assert_eq!(out.findings.len(), 3);
}

#[test]
fn bad_feeds_are_errors_naming_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("epss.csv");
    fs_err::write(
        &bad,
        "#model_version:v1,score_date:2099-01-01T00:00:00Z\ncve,epss,percentile\nCVE-2099-0001,2,0.5\n",
    )
    .unwrap();
    let e = DbBuilder::new().add_path(&bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "`{}`: EPSS line 3: `epss` is not a number from 0 to 1",
            bad.display()
        )
    );
    // A broken CVE record is an import issue naming the file, not an abort.
    let rec = tmp.path().join("CVE-2099-0009.json");
    fs_err::write(
        &rec,
        r#"{"cveMetadata": {"cveId": "CVE-2099-0009", "state": "RESERVED"}}"#,
    )
    .unwrap();
    let mut b = DbBuilder::new();
    b.add_path(&rec).unwrap();
    assert_eq!(b.stats().malformed_records, 1);
    assert!(
        b.issues()[0].to_string().ends_with(
            "CVE-2099-0009.json: record `CVE-2099-0009`: field `cveMetadata.state`: unknown state `RESERVED`"
        ),
        "{}",
        b.issues()[0]
    );
}
