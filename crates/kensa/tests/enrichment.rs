//! Severity sources and exploitation gates end to end, over a database built by `kensa db
//! import` from records written in code: an OSV record without a severity, its CVE record
//! (CNA and CISA ADP scores) and a KEV catalog naming it.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const OSV: &str = r#"{"id": "DSA-9001-1", "summary": "libfoo - security update", "related": ["CVE-2099-1111"],
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "libfoo"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0-2"}]}]}]}"#;

const CVE: &str = r#"{"dataType": "CVE_RECORD", "dataVersion": "5.1",
  "cveMetadata": {"cveId": "CVE-2099-1111", "state": "PUBLISHED", "datePublished": "2099-01-01T00:00:00Z"},
  "containers": {
    "cna": {"providerMetadata": {"shortName": "acme"}, "metrics": [
      {"cvssV3_1": {"vectorString": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "baseScore": 5.9}}]},
    "adp": [{"providerMetadata": {"shortName": "CISA-ADP"}, "metrics": [
      {"cvssV3_1": {"vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8}}]}]}}"#;

const KEV: &str = r#"{"catalogVersion": "2099.01.02", "vulnerabilities": [{"cveID": "CVE-2099-1111",
  "dateAdded": "2099-01-02", "dueDate": "2099-01-23", "knownRansomwareCampaignUse": "Unknown"}]}"#;

fn kensa(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kensa"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let write = |rel: &str, text: &str| {
        let p = d.join(rel);
        fs_err::create_dir_all(p.parent().unwrap()).unwrap();
        fs_err::write(p, text).unwrap();
    };
    write("data/DSA-9001-1.json", OSV);
    write("data/CVE-2099-1111.json", CVE);
    write("data/known_exploited_vulnerabilities.json", KEV);
    write(
        "root/etc/os-release",
        &kensa_testkit::contents::os_release_debian("12", "bookworm"),
    );
    write(
        "root/var/lib/dpkg/status",
        &kensa_testkit::contents::dpkg_status(&[kensa_testkit::contents::DebPackage::new(
            "libfoo", "1.0-1",
        )]),
    );
    let out = kensa(d, &["db", "--db-dir", "db", "import", "data"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("CVE records: 1 (0 rejected)\n"), "{text}");
    assert!(
        text.contains("KEV catalog: 2099.01.02 (1 entries)\n"),
        "{text}"
    );
    tmp
}

fn scan(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "rootfs",
        "root",
        "--db-dir",
        "db",
        "--scanners",
        "vuln",
        "-q",
    ];
    args.extend_from_slice(extra);
    kensa(dir, &args)
}

fn finding(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["-f", "json"];
    args.extend_from_slice(extra);
    let out = scan(dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["results"][0]["findings"][0].clone()
}

#[test]
fn severity_sources_follow_the_settings_file() {
    let tmp = setup();
    let d = tmp.path();
    let f = finding(d, &[]);
    assert_eq!(f["severity"], "MEDIUM");
    assert_eq!(f["vulnerability"]["severity_source"]["kind"], "cna");
    assert_eq!(f["vulnerability"]["cvss"].as_array().unwrap().len(), 2);
    fs_err::write(
        d.join("adp-first.yaml"),
        "vuln:\n  severity_sources: [adp, cna]\n",
    )
    .unwrap();
    let f = finding(d, &["--config", "adp-first.yaml"]);
    assert_eq!(f["severity"], "CRITICAL");
    assert_eq!(
        f["vulnerability"]["severity_source"]["provider"],
        "CISA-ADP"
    );
    fs_err::write(
        d.join("twice.yaml"),
        "vuln:\n  severity_sources: [adp, adp]\n",
    )
    .unwrap();
    let out = scan(d, &["--config", "twice.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: `twice.yaml`: `vuln.severity_sources`: `adp` is listed twice\n"
    );
    fs_err::write(d.join("bad.yaml"), "vuln:\n  severity_sources: [nvd]\n").unwrap();
    let out = scan(d, &["--config", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn kev_gate_and_table_marks() {
    let tmp = setup();
    let d = tmp.path();
    let out = scan(d, &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("via CNA"), "{text}");
    assert!(text.contains("P1 KEV"), "{text}");
    assert!(
        text.contains("Summary: 1 known exploited, 1 finding"),
        "{text}"
    );
    assert_eq!(scan(d, &["--fail-on-kev"]).status.code(), Some(1));
    // No EPSS imported: the EPSS gate has nothing to trip on.
    assert_eq!(scan(d, &["--fail-on-epss", "0.1"]).status.code(), Some(0));
}
