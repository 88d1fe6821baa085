//! `kensa keygen`, `kensa sign`, `kensa verify` and `kensa image --verify-signature`,
//! run as a user would: against a real registry (skipped, saying so, without
//! `docker-registry`) and on OCI layouts.
#![allow(clippy::unwrap_used, reason = "test code")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use kensa_testkit::registry::{RegistryConfig, TestRegistry};
use kensa_testkit::{Entry, Image, Layer};

use support::{isolated_kensa as kensa, run_text as text};

fn image(marker: &str) -> Image {
    Image::new(vec![Layer::new(vec![Entry::file("etc/marker", marker)])])
}

fn keygen(dir: &Path, prefix: &str, password: Option<&str>) {
    let mut cmd = kensa(dir);
    cmd.args(["keygen", "--output-key-prefix", prefix]);
    if let Some(p) = password {
        cmd.env("KENSA_KEY_PASSWORD", p);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

fn image_json(dir: &Path, args: &[&str]) -> (Output, serde_json::Value) {
    let out = kensa(dir)
        .args(["image", "--scanners", "config", "-f", "json"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (out, json)
}

fn signature_findings(report: &serde_json::Value) -> Vec<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .filter(|f| f["id"].as_str().is_some_and(|id| id.starts_with("KS-SIG-")))
        .map(|f| format!("{} {}", f["id"], f["message"]))
        .collect()
}

/// The one signature finding of `report`, which must be `id`.
fn only_finding(report: &serde_json::Value, id: &str) -> String {
    let findings = signature_findings(report);
    assert!(
        findings.len() == 1 && findings[0].starts_with(&format!("\"{id}\"")),
        "{findings:?}"
    );
    findings[0].clone()
}

#[test]
fn keygen_sign_verify_and_scan_against_the_registry() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    registry.push(&image("one"), "team/app:1.0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    keygen(d, "kensa", Some("correct horse"));
    keygen(d, "other", None);
    let private = fs_err::read_to_string(d.join("kensa.key")).unwrap();
    assert!(private.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs_err::metadata(d.join("kensa.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = kensa(d).args(["keygen"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("kensa does not overwrite keys"));

    let reference = format!("{}/team/app:1.0", registry.host);
    let verify = |key: &str| {
        kensa(d)
            .args(["verify", &reference, "--insecure", "--key", key])
            .output()
            .unwrap()
    };
    let unsigned = verify("kensa.pub");
    assert_eq!(unsigned.status.code(), Some(1), "{}", text(&unsigned));
    assert!(
        text(&unsigned).contains("is not signed"),
        "{}",
        text(&unsigned)
    );
    let (out, report) = image_json(
        d,
        &[
            &reference,
            "--insecure",
            "--verify-signature",
            "--key",
            "kensa.pub",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    only_finding(&report, "KS-SIG-001");

    let no_password = kensa(d)
        .args(["sign", &reference, "--insecure", "--key", "kensa.key"])
        .output()
        .unwrap();
    assert_eq!(no_password.status.code(), Some(2));
    assert!(
        text(&no_password).contains("`KENSA_KEY_PASSWORD`"),
        "{}",
        text(&no_password)
    );
    let signed = kensa(d)
        .args(["sign", &reference, "--insecure", "--key", "kensa.key"])
        .env("KENSA_KEY_PASSWORD", "correct horse")
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", text(&signed));
    assert!(
        text(&signed).contains("signature: tag `sha256-"),
        "{}",
        text(&signed)
    );

    let ok = verify("kensa.pub");
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("verified `"), "{}", text(&ok));
    let wrong = verify("other.pub");
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    assert!(
        text(&wrong).contains("signed by another key"),
        "{}",
        text(&wrong)
    );
    let either = kensa(d)
        .args([
            "verify",
            &reference,
            "--insecure",
            "--key",
            "other.pub",
            "--key",
            "kensa.pub",
        ])
        .output()
        .unwrap();
    assert!(either.status.success(), "{}", text(&either));

    let (out, report) = image_json(
        d,
        &[
            &reference,
            "--insecure",
            "--verify-signature",
            "--key",
            "kensa.pub",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(signature_findings(&report).is_empty(), "{report}");
    let signatures = report["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures[0]["method"], "cosign");
    assert_eq!(
        signatures[0]["digest"],
        report["artifact"]["manifest_digest"]
    );
    let (_, report) = image_json(
        d,
        &[
            &reference,
            "--insecure",
            "--verify-signature",
            "--key",
            "other.pub",
        ],
    );
    let finding = only_finding(&report, "KS-SIG-002");
    assert!(finding.contains("signed by another key"), "{finding}");
}

#[test]
fn an_oci_layout_is_signed_in_place_and_still_scans() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    image("layout").write_oci_layout(&d.join("oci")).unwrap();
    keygen(d, "kensa", None);
    let signed = kensa(d)
        .args(["sign", "oci-layout:oci", "--key", "kensa.key"])
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", text(&signed));
    let referrer = kensa(d)
        .args([
            "sign",
            "oci-layout:oci",
            "--key",
            "kensa.key",
            "--attach",
            "referrers",
        ])
        .output()
        .unwrap();
    assert!(referrer.status.success(), "{}", text(&referrer));
    let ok = kensa(d)
        .args(["verify", "oci-layout:oci", "--key", "kensa.pub"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", text(&ok));
    let lines = String::from_utf8_lossy(&ok.stdout);
    assert!(
        lines.contains("at tag `sha256-") && lines.contains("at referrer `sha256:"),
        "{lines}"
    );
    let (out, report) = image_json(
        d,
        &["oci-layout:oci", "--verify-signature", "--key", "kensa.pub"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        report["signatures"].as_array().unwrap().len(),
        2,
        "{report}"
    );
    // The table says so too.
    let table = kensa(d)
        .args([
            "image",
            "--scanners",
            "config",
            "oci-layout:oci",
            "--verify-signature",
            "--key",
            "kensa.pub",
        ])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&table.stdout);
    assert!(shown.contains("Signatures verified (2)"), "{shown}");
    assert!(shown.contains("  cosign signature of sha256:"), "{shown}");
}

#[test]
fn a_docker_archive_gets_a_note_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    image("archive")
        .write_docker_archive(&d.join("app.tar"))
        .unwrap();
    keygen(d, "kensa", None);
    let (out, report) = image_json(
        d,
        &[
            "--input",
            "app.tar",
            "--verify-signature",
            "--key",
            "kensa.pub",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(report.get("signatures").is_none(), "{report}");
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"].as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("signature could not be checked")),
        "{notes:?}"
    );
    let verify = kensa(d)
        .args(["verify", "docker-archive:app.tar", "--key", "kensa.pub"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(2), "{}", text(&verify));
    assert!(text(&verify).contains("is an archive"), "{}", text(&verify));
}

#[test]
fn trusted_keys_come_from_the_settings_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    image("settings").write_oci_layout(&d.join("oci")).unwrap();
    keygen(d, "kensa", None);
    keygen(d, "other", None);
    let signed = kensa(d)
        .args(["sign", "oci-layout:oci", "--key", "kensa.key"])
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", text(&signed));
    let none = kensa(d)
        .args(["verify", "oci-layout:oci"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
    assert!(text(&none).contains("no trusted key"), "{}", text(&none));
    // Paths are relative to the settings file, wherever kensa runs.
    fs_err::create_dir_all(d.join("conf")).unwrap();
    fs_err::rename(d.join("kensa.pub"), d.join("conf/kensa.pub")).unwrap();
    fs_err::write(
        d.join("conf/kensa.yaml"),
        "signature:\n  keys: [kensa.pub]\n",
    )
    .unwrap();
    let ok = kensa(d)
        .args([
            "verify",
            "oci-layout:oci",
            "--config",
            "conf/kensa.yaml",
            "--key",
            "other.pub",
        ])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", text(&ok));
    // In a scan, listed keys turn the check on without `--verify-signature`.
    let (out, report) = image_json(d, &["oci-layout:oci", "--config", "conf/kensa.yaml"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        report["signatures"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    fs_err::write(
        d.join("conf/kensa.yaml"),
        "signature:\n  key: [kensa.pub]\n",
    )
    .unwrap();
    let bad = kensa(d)
        .args(["verify", "oci-layout:oci", "--config", "conf/kensa.yaml"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("conf/kensa.yaml"), "{}", text(&bad));
}

/// A multi-platform image is signed and verified by its index digest, as cosign does;
/// the scan of one platform reports the index's signature.
#[test]
fn a_multi_platform_image_is_signed_by_its_index() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let multi = kensa_testkit::MultiPlatform {
        images: vec![
            image("amd").platform("linux", "amd64", None),
            image("arm").platform("linux", "arm64", Some("v8")),
        ],
    };
    multi.write_oci_layout(&d.join("oci")).unwrap();
    registry.push_oci_layout(&d.join("oci"), "multi:1").unwrap();
    keygen(d, "kensa", None);
    let reference = format!("{}/multi:1", registry.host);
    let signed = kensa(d)
        .args(["sign", &reference, "--insecure", "--key", "kensa.key"])
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", text(&signed));
    let (out, report) = image_json(
        d,
        &[
            &reference,
            "--insecure",
            "--platform",
            "linux/arm64",
            "--verify-signature",
            "--key",
            "kensa.pub",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let signatures = report["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 1, "{report}");
    assert_ne!(
        signatures[0]["digest"],
        report["artifact"]["manifest_digest"]
    );
    assert_eq!(report["artifact"]["platform"], "linux/arm64/v8");
}

/// A registry holding `team/REPO:1.0`, its digest, and a Python that imports
/// `modules` to run kensa-trust's independent Notary Project signer (`None`, after
/// saying why, without one or without `docker-registry`).
struct NotationCase {
    registry: TestRegistry,
    python: &'static str,
    dir: tempfile::TempDir,
    reference: String,
    digest: kensa_core::Digest,
    script: std::path::PathBuf,
}

impl NotationCase {
    fn start(repo: &str, modules: &str) -> Option<NotationCase> {
        let Some(python) = ["python3", "/usr/bin/python3"].into_iter().find(|p| {
            Command::new(p)
                .args(["-c", &format!("import {modules}")])
                .output()
                .is_ok_and(|o| o.status.success())
        }) else {
            #[expect(clippy::print_stderr, reason = "a skipped test says why")]
            {
                eprintln!("skipping: no python3 with {modules}");
            }
            return None;
        };
        let registry = TestRegistry::start(RegistryConfig::default()).unwrap()?;
        registry
            .push(&image(repo), &format!("team/{repo}:1.0"))
            .unwrap();
        let reference = format!("{}/team/{repo}:1.0", registry.host);
        let digest = kensa_registry::Client::new(kensa_registry::ClientOptions {
            insecure: true,
            ..kensa_registry::ClientOptions::default()
        })
        .unwrap()
        .manifest(&kensa_registry::Reference::parse(&reference).unwrap())
        .unwrap()
        .digest;
        Some(NotationCase {
            registry,
            python,
            dir: tempfile::tempdir().unwrap(),
            reference,
            digest,
            script: Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../kensa-trust/tests/notation_ref.py"),
        })
    }
}

/// `kensa verify --trust-store --trust-policy` on a Notary Project signature made by
/// kensa-trust's independent test signer (skipped without Python's `cryptography`).
#[test]
fn verify_checks_notation_signatures_under_a_trust_policy() {
    let Some(case) = NotationCase::start("app", "cryptography") else {
        return;
    };
    let (registry, d, digest) = (&case.registry, case.dir.path(), &case.digest);
    let reference = case.reference.clone();
    let script = &case.script;
    fs_err::create_dir_all(d.join("store/x509/ca/acme")).unwrap();
    let out = Command::new(case.python)
        .arg(script)
        .args([
            "sign",
            "--registry",
            &registry.host,
            "--repo",
            "team/app",
            "--digest",
            digest.as_str(),
        ])
        .arg("--out-root")
        .arg(d.join("store/x509/ca/acme/root.pem"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let policy = |store: &str| {
        format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"acme","registryScopes":["*"],"signatureVerification":{{"level":"strict"}},"trustStores":["ca:{store}"],"trustedIdentities":["x509.subject: C=US, O=Kensa Test, CN=release signer"]}}]}}"#
        )
    };
    fs_err::write(d.join("policy.json"), policy("acme")).unwrap();
    let verify = || {
        kensa(d)
            .args([
                "verify",
                &reference,
                "--insecure",
                "--trust-store",
                "store",
                "--trust-policy",
                "policy.json",
            ])
            .output()
            .unwrap()
    };
    let ok = verify();
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(
        text(&ok).contains("Notary Project signature by `C=US, O=Kensa Test, CN=release signer`"),
        "{}",
        text(&ok)
    );
    assert!(
        text(&ok).contains("note: revocation (OCSP/CRL) was not checked"),
        "{}",
        text(&ok)
    );
    let (out, report) = image_json(
        d,
        &[
            &reference,
            "--insecure",
            "--trust-store",
            "store",
            "--trust-policy",
            "policy.json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(report["signatures"][0]["method"], "notation", "{report}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("revocation (OCSP/CRL) was not checked"),
        "{notes}"
    );
    fs_err::create_dir_all(d.join("store/x509/ca/empty")).unwrap();
    fs_err::write(d.join("policy.json"), policy("empty")).unwrap();
    let bad = verify();
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        text(&bad).contains("authenticity: the certificate chain does not lead"),
        "{}",
        text(&bad)
    );
    let (_, report) = image_json(
        d,
        &[
            &reference,
            "--insecure",
            "--trust-store",
            "store",
            "--trust-policy",
            "policy.json",
        ],
    );
    let finding = only_finding(&report, "KS-SIG-002");
    assert!(finding.contains("authenticity:"), "{finding}");
}

/// `kensa verify` on a COSE envelope of the `notary.x509.signingAuthority` scheme, made
/// by the independent signer (skipped without a Python having `cryptography` and
/// `cbor2`), under a policy whose override logs expiry.
#[test]
fn verify_reads_cose_signing_authority_signatures_and_policy_overrides() {
    let Some(case) = NotationCase::start("cose", "cryptography, cbor2") else {
        return;
    };
    let (registry, d, digest) = (&case.registry, case.dir.path(), &case.digest);
    let reference = case.reference.clone();
    let script = &case.script;
    fs_err::create_dir_all(d.join("store/x509/signingAuthority/signer")).unwrap();
    let out = Command::new(case.python)
        .arg(script)
        .args(["sign", "--registry", &registry.host, "--repo", "team/cose"])
        .args(["--digest", digest.as_str(), "--envelope", "cose"])
        .args(["--scheme", "signingAuthority", "--expiry-seconds", "-60"])
        .arg("--out-root")
        .arg(d.join("store/x509/signingAuthority/signer/root.pem"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let policy = |overrides: &str| {
        format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"signer","registryScopes":["*"],"signatureVerification":{{"level":"strict","override":{{{overrides}}}}},"trustStores":["signingAuthority:signer"],"trustedIdentities":["*"]}}]}}"#
        )
    };
    let verify = || {
        kensa(d)
            .args(["verify", &reference, "--insecure"])
            .args(["--trust-store", "store", "--trust-policy", "policy.json"])
            .output()
            .unwrap()
    };
    fs_err::write(d.join("policy.json"), policy("")).unwrap();
    let expired = verify();
    assert_eq!(expired.status.code(), Some(1), "{}", text(&expired));
    assert!(
        text(&expired).contains("expiry: the signature expired at "),
        "{}",
        text(&expired)
    );
    fs_err::write(d.join("policy.json"), policy(r#""expiry":"log""#)).unwrap();
    let ok = verify();
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(
        text(&ok).contains("note: expiry (logged): the signature expired at "),
        "{}",
        text(&ok)
    );
    fs_err::write(d.join("policy.json"), policy(r#""integrity":"log""#)).unwrap();
    let refused = verify();
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("`integrity` cannot be overridden"),
        "{}",
        text(&refused)
    );
}
