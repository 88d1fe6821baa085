//! `.kensaignore` (YAML) and VEX documents (OpenVEX, CycloneDX), then applied to a few
//! findings. The first byte picks the kind.
#![no_main]

use std::path::Path;

use kensa_vuln::{Suppressions, VulnMatch};
use libfuzzer_sys::fuzz_target;

fn finding(id: &str, package: &str, purl: Option<&str>, fixed: &[&str]) -> VulnMatch {
    VulnMatch {
        id: id.into(),
        aliases: vec!["GHSA-xxxx-yyyy-zzzz".into()],
        related: vec![],
        ecosystem: "Debian:12".into(),
        package_ecosystem: if id.starts_with("GHSA") {
            kensa_core::Ecosystem::Npm
        } else {
            kensa_core::Ecosystem::Deb
        },
        package: package.into(),
        installed_version: "1.0-1".into(),
        source_package: None,
        matched_version: None,
        purl: purl.map(str::to_owned),
        fixed_versions: fixed.iter().map(|s| (*s).to_owned()).collect(),
        severity: kensa_core::Severity::High,
        cvss: None,
        title: "t".into(),
        references: vec![],
        location: kensa_core::Location::path("var/lib/dpkg/status"),
        severity_source: None,
        cvss_all: vec![],
        kev: None,
        epss: None,
        exploitation: None,
        rejected_cves: vec![],
        published: None,
        priority: None,
        fix_group: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let [kind, rest @ ..] = data else {
        return;
    };
    let mut s = Suppressions::new();
    let loaded = if kind & 1 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        s.add_ignore_yaml(Path::new(".kensaignore"), text)
    } else {
        s.add_vex_json(Path::new("app.vex.json"), rest)
    };
    if loaded.is_err() {
        return;
    }
    s.set_ignore_unfixed(kind & 2 != 0);
    let findings = vec![
        finding(
            "CVE-2024-0001",
            "openssl",
            Some("pkg:deb/debian/openssl@1.0-1?arch=amd64"),
            &["1.0-2"],
        ),
        finding("CVE-2024-0002", "zlib", None, &[]),
        finding(
            "GHSA-aaaa-bbbb-cccc",
            "left-pad",
            Some("pkg:npm/left-pad@1.0.0"),
            &[],
        ),
    ];
    let today = "2025-06-01".parse().unwrap_or_else(|e| panic!("{e}"));
    let _ = s.apply(findings, today);
});
