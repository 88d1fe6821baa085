//! The shared fixture report every renderer is tested against: a small Debian-based
//! Python service image with findings from each scanner, notes and packages.
#![allow(clippy::unwrap_used, reason = "test code")]
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fixture"
)]

pub(crate) mod external;

use kensa_core::package::SourcePackage;
use kensa_core::{
    Artifact, ArtifactKind, ConfigSummary, Digest, Ecosystem, Finding, LayerInfo, Location,
    NoteLevel, OsInfo, Package, Report, ScanNote, Scanner, Section, Severity,
};

pub(crate) fn digest(fill: &str) -> Digest {
    format!("sha256:{}", fill.repeat(64 / fill.len()))
        .parse()
        .unwrap()
}

fn layer_loc(index: usize, path: &str) -> Location {
    Location {
        layer: Some(layer_digest(index)),
        layer_index: Some(index),
        path: Some(path.to_owned()),
        ..Location::default()
    }
}

fn layer_digest(index: usize) -> Digest {
    digest(["3f2a", "9c41", "e07b"][index])
}

fn artifact() -> Artifact {
    let steps = [
        "/bin/sh -c #(nop) ADD file:0c4d2f8e in / ",
        "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates",
        "COPY app/ /app/ # buildkit",
    ];
    Artifact {
        name: "registry.example/shop/api:1.4.2".to_owned(),
        kind: ArtifactKind::Registry,
        digest: Some(digest("5e1b")),
        manifest_digest: Some(digest("a7d0")),
        repo_tags: vec!["registry.example/shop/api:1.4.2".to_owned()],
        platform: Some("linux/amd64".to_owned()),
        os: Some(OsInfo {
            family: "debian".to_owned(),
            version: "12".to_owned(),
            codename: Some("bookworm".to_owned()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".to_owned()),
        }),
        layers: steps
            .iter()
            .enumerate()
            .map(|(i, step)| LayerInfo {
                diff_id: layer_digest(i),
                blob_digest: Some(digest(["11", "22", "33"][i])),
                size: [29_126_484, 4_190_211, 1_052][i],
                created_by: Some((*step).to_owned()),
            })
            .collect(),
        config: Some(ConfigSummary {
            user: None,
            entrypoint: vec!["python".to_owned(), "-m".to_owned(), "api".to_owned()],
            cmd: Vec::new(),
            env_names: vec!["PATH".to_owned(), "API_TOKEN".to_owned()],
            exposed_ports: vec!["8080/tcp".to_owned()],
            healthcheck: None,
            working_dir: Some("/app".to_owned()),
        }),
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call per fixture finding reads as a table"
)]
fn finding(
    id: &str,
    scanner: Scanner,
    severity: Severity,
    section: Section,
    title: &str,
    message: Option<&str>,
    location: Location,
    remediation: &str,
    references: &[&str],
) -> Finding {
    Finding {
        id: id.to_owned(),
        scanner,
        severity,
        section,
        title: title.to_owned(),
        message: message.map(str::to_owned),
        location,
        remediation: remediation.to_owned(),
        references: references.iter().map(|r| (*r).to_owned()).collect(),
        vulnerability: None,
    }
}

/// Vulnerability findings carry their package details, as kensa-vuln writes them.
fn with_vuln_details(mut f: Finding) -> Finding {
    if f.scanner != Scanner::Vuln {
        return f;
    }
    let (package, installed) = f
        .location
        .package
        .as_deref()
        .and_then(|p| p.split_once('@'))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .unwrap_or_default();
    let fixed = match f.id.as_str() {
        "CVE-2024-5535" => vec!["3.0.14-1~deb12u1".to_owned()],
        "GHSA-9wx4-h78v-vm56" => vec!["2.32.0".to_owned()],
        _ => Vec::new(),
    };
    let ecosystem = if package == "requests" {
        "PyPI"
    } else {
        "Debian:12"
    };
    f.vulnerability = Some(kensa_core::VulnDetails {
        package,
        installed_version: installed,
        source_package: None,
        fixed_versions: fixed,
        ecosystem: ecosystem.to_owned(),
        aliases: Vec::new(),
        related: Vec::new(),
        cvss_vector: None,
        cvss_score: None,
        ..kensa_core::VulnDetails::default()
    });
    f
}

fn findings() -> Vec<Finding> {
    findings_without_details()
        .into_iter()
        .map(with_vuln_details)
        .collect()
}

fn findings_without_details() -> Vec<Finding> {
    let dpkg = |package: &str| Location {
        package: Some(package.to_owned()),
        ..layer_loc(1, "var/lib/dpkg/status")
    };
    let requests = Location {
        package: Some("requests@2.31.0".to_owned()),
        ..layer_loc(
            2,
            "usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
        )
    };
    vec![
        finding(
            "CVE-2024-5535",
            Scanner::Vuln,
            Severity::High,
            Section::ImageVulnerabilities,
            "openssl: SSL_select_next_proto buffer overread",
            Some("openssl 3.0.11-1~deb12u2 is affected; fixed in 3.0.14-1~deb12u1"),
            dpkg("openssl@3.0.11-1~deb12u2"),
            "Upgrade openssl to 3.0.14-1~deb12u1 or later (apt-get install --only-upgrade openssl).",
            &[
                "https://security-tracker.debian.org/tracker/CVE-2024-5535",
                "https://nvd.nist.gov/vuln/detail/CVE-2024-5535",
            ],
        ),
        finding(
            "CVE-2023-45853",
            Scanner::Vuln,
            Severity::Critical,
            Section::ImageVulnerabilities,
            "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6",
            Some("zlib1g 1:1.2.13.dfsg-1 is affected; Debian marks it will-not-fix"),
            dpkg("zlib1g@1:1.2.13.dfsg-1"),
            "No fixed version in Debian 12; the vulnerable minizip code is not used by zlib1g itself, record a VEX statement if your code does not call it.",
            &["https://security-tracker.debian.org/tracker/CVE-2023-45853"],
        ),
        finding(
            "GHSA-9wx4-h78v-vm56",
            Scanner::Vuln,
            Severity::Medium,
            Section::ImageVulnerabilities,
            "Requests `Session` object does not verify requests after making first request with verify=False",
            None,
            requests,
            "Upgrade requests to 2.32.0 or later.",
            &["https://github.com/advisories/GHSA-9wx4-h78v-vm56"],
        ),
        finding(
            "KS-IMG-001",
            Scanner::Config,
            Severity::High,
            Section::ImageConfigurationDefects,
            "Image runs as root",
            Some("USER is not set, so the container runs as uid 0"),
            Location::default(),
            "Add `USER <uid>` with a non-root uid after the last step that needs root.",
            &[],
        ),
        finding(
            "KS-IMG-002",
            Scanner::Config,
            Severity::Low,
            Section::ImageConfigurationDefects,
            "Image has no HEALTHCHECK",
            None,
            Location::default(),
            "Add a `HEALTHCHECK` that exercises the service, or set the check in the orchestrator.",
            &[],
        ),
        finding(
            "KS-IMG-010",
            Scanner::Config,
            Severity::Medium,
            Section::ImageConfigurationDefects,
            "File has the setuid bit",
            Some("usr/bin/newgrp is setuid root (mode 4755)"),
            layer_loc(0, "usr/bin/newgrp"),
            "Remove the bit in the Dockerfile: `RUN chmod u-s /usr/bin/newgrp`.",
            &[],
        ),
        finding(
            "KS-SEC-001",
            Scanner::Secret,
            Severity::Critical,
            Section::EmbeddedClearTextSecrets,
            "AWS access key ID",
            Some("AWS_ACCESS_KEY_ID = \"AKIA************MPLE\""),
            layer_loc(2, "app/config/settings.py").with_line(12),
            "Remove the key from the image, rotate it, and pass credentials at run time (a secret store or an IAM role).",
            &[],
        ),
        finding(
            "KS-SEC-020",
            Scanner::Secret,
            Severity::High,
            Section::EmbeddedClearTextSecrets,
            "Secret in the image build history",
            Some("build step 2 sets GITHUB_TOKEN=ghp_************************3f9a"),
            Location {
                layer: Some(layer_digest(1)),
                layer_index: Some(1),
                created_by: Some("ARG GITHUB_TOKEN".to_owned()),
                ..Location::default()
            },
            "Use a build secret (`RUN --mount=type=secret`) instead of ARG or ENV; the history keeps every value.",
            &[],
        ),
        finding(
            "KS-MAL-001",
            Scanner::Malware,
            Severity::High,
            Section::EmbeddedMalware,
            "EICAR test file",
            Some("matched the EICAR anti-malware test signature"),
            layer_loc(2, "app/tests/fixtures/eicar.com"),
            "Delete the file from the image; test signatures trip every scanner downstream.",
            &[],
        ),
    ]
}

fn packages() -> Vec<Package> {
    let pkg = |ecosystem, name: &str, version: &str, location: Location| Package {
        dev: false,
        relationship: None,
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: None,
        arch: None,
        source: None,
        licenses: Vec::new(),
        direct: None,
        found_by: match ecosystem {
            Ecosystem::Deb => "dpkg".to_owned(),
            _ => "python-dist".to_owned(),
        },
        location,
        files: Vec::new(),
    };
    let mut openssl = pkg(
        Ecosystem::Deb,
        "openssl",
        "3.0.11-1~deb12u2",
        layer_loc(1, "var/lib/dpkg/status"),
    );
    openssl.purl = Some("pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64".to_owned());
    openssl.arch = Some("amd64".to_owned());
    openssl.licenses = vec!["Apache-2.0".to_owned()];
    openssl.source = Some(SourcePackage {
        name: "openssl".to_owned(),
        version: Some("3.0.11-1~deb12u2".to_owned()),
    });
    openssl.files = vec![
        "usr/bin/openssl".to_owned(),
        "usr/lib/ssl/openssl.cnf".to_owned(),
    ];
    let mut requests = pkg(
        Ecosystem::Pypi,
        "requests",
        "2.31.0",
        layer_loc(
            2,
            "usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
        ),
    );
    requests.purl = Some("pkg:pypi/requests@2.31.0".to_owned());
    requests.direct = Some(true);
    // A Go binary's main module: the project's own package, matched like any other.
    let mut main_module = pkg(
        Ecosystem::Go,
        "example.com/shop-api",
        "v1.4.0",
        layer_loc(2, "app/shop-api"),
    );
    main_module.found_by = "go-binary".to_owned();
    main_module.purl = Some("pkg:golang/example.com/shop-api@v1.4.0".to_owned());
    main_module.relationship = Some(kensa_core::Relationship::Root);
    vec![
        // Deliberately out of order: Report::new must sort them.
        main_module,
        requests,
        openssl,
        pkg(
            Ecosystem::Deb,
            "zlib1g",
            "1:1.2.13.dfsg-1",
            layer_loc(0, "var/lib/dpkg/status"),
        ),
    ]
}

fn notes() -> Vec<ScanNote> {
    vec![
        ScanNote {
            level: NoteLevel::Warning,
            found_by: "walker".to_owned(),
            location: layer_loc(2, "app/models/weights.bin"),
            message: "file is 812 MiB, over the 256 MiB read limit; not scanned for secrets or malware".to_owned(),
        },
        ScanNote {
            level: NoteLevel::Error,
            found_by: "dpkg".to_owned(),
            location: layer_loc(1, "var/lib/dpkg/status").with_line(1184),
            message: "stanza for `libfoo1` has no Version field; the package was not matched against advisories".to_owned(),
        },
    ]
}

/// The fixture report, built through `Report::new` so it is in canonical order.
pub(crate) fn report() -> Report {
    Report::new(
        artifact(),
        Scanner::ALL.to_vec(),
        findings(),
        packages(),
        notes(),
    )
}

/// The fixture with terminal escapes, bidi overrides and newlines planted in every
/// image-derived string a table shows.
pub(crate) fn hostile_report() -> Report {
    const ESC: &str = "\x1b[31mred\x1b[0m";
    let mut artifact = artifact();
    artifact.name = format!("registry.example/{ESC}:latest");
    artifact.repo_tags = vec!["tag\x1b]0;owned\x07".to_owned()];
    if let Some(os) = &mut artifact.os {
        os.codename = Some("book\u{202E}mrow".to_owned());
    }
    let mut findings = findings();
    for f in &mut findings {
        f.title = format!("{}\x1b[2J", f.title);
        f.message = Some(format!("line one\r\x1b[1Aline two {ESC}"));
        f.remediation = format!("{}\n\x1b[8mhidden", f.remediation);
        f.references = vec!["https://example.invalid/\x1b[5m".to_owned()];
        f.id = format!("{}\u{9b}31m", f.id);
        if f.location.path.is_some() {
            f.location.path = Some(format!("usr/share/{ESC}/evil\u{202E}hs.sh"));
        }
        if f.location.package.is_some() {
            f.location.package = Some(format!("pkg{ESC}@1.0"));
        }
    }
    let mut packages = packages();
    for p in &mut packages {
        p.name = format!("{}{ESC}", p.name);
        p.version = format!("1.0\x7f{ESC}");
        p.location.path = Some(format!("var/{ESC}/status"));
    }
    let mut notes = notes();
    for n in &mut notes {
        n.found_by = format!("walker{ESC}");
        n.message = format!("cannot read {ESC}\u{2066}");
        n.location.path = Some(format!("{ESC}.bin"));
    }
    Report::new(artifact, Scanner::ALL.to_vec(), findings, packages, notes)
}
