//! End-to-end tests of the `kensa` binary: exit statuses, formats, the cache.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;

use kensa_testkit::contents;
use serde_json::Value;
use support::{image, json_report};

/// A database of the demo advisories shipped in `demo/advisories`, built once.
fn demo_db() -> &'static Path {
    static DB: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let advisories = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/advisories");
        let out = Command::new(env!("CARGO_BIN_EXE_kensa"))
            .args(["db", "import", advisories.to_str().unwrap(), "--db-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .path()
}

fn kensa() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kensa"));
    cmd.env_remove("KENSA_CACHE_DIR")
        .env("NO_COLOR", "1")
        .env("KENSA_DB_DIR", demo_db());
    cmd
}

fn run(args: &[&str]) -> Output {
    kensa().args(args).output().unwrap()
}

fn layout(dir: &Path) -> String {
    let path = dir.join("oci");
    image().write_oci_layout(&path).unwrap();
    format!("oci-layout:{}", path.display())
}

fn finding_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn scans_an_image_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let report = json_report(&run(&[
        "image",
        &reference,
        "--no-cache",
        "--format",
        "json",
    ]));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["artifact"]["kind"], "oci-layout");
    assert_eq!(report["artifact"]["os"]["family"], "debian");
    assert_eq!(report["artifact"]["layers"].as_array().unwrap().len(), 4);
    let ids = finding_ids(&report);
    assert!(ids.contains(&"KS-IMG-001".to_owned()), "{ids:?}");
    // The secret was deleted by a later layer and is still reported, in the layer that added it.
    let env = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == "app/.env")
        .expect("secret findings for app/.env");
    let first = &env["findings"][0];
    assert_eq!(first["scanner"], "secret");
    assert_eq!(first["location"]["layer_index"], 1);
    assert_eq!(first["location"]["created_by"], "COPY .env /app/");
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        !text.contains("Z7Q2M4X6P3R5T6W3"),
        "secrets are masked in the report"
    );
}

#[test]
fn findings_fail_the_run_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let out = run(&["image", &reference, "--no-cache", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["image", &reference, "--no-cache", "-q", "--exit-code", "3"]);
    assert_eq!(out.status.code(), Some(3));
    let out = run(&[
        "image",
        &reference,
        "--no-cache",
        "-q",
        "--fail-on",
        "critical",
        "--exit-code",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(4), "the AWS key is CRITICAL");
    let out = run(&[
        "image",
        &reference,
        "--no-cache",
        "-q",
        "--exit-code",
        "5",
        "--severity",
        "UNKNOWN",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "--severity narrows what can fail the run"
    );
}

#[test]
fn tampered_layers_exit_2_naming_the_blob() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.tar");
    image()
        .tamper(kensa_testkit::Tamper::DiffId(1))
        .write_docker_archive(&path)
        .unwrap();
    let out = run(&["image", "--input", path.to_str().unwrap(), "--no-cache"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("layer 1") && stderr.contains("diff_ids"),
        "{stderr}"
    );
}

fn layer_blobs(oci: &Path) -> Vec<PathBuf> {
    let index: Value =
        serde_json::from_slice(&fs_err::read(oci.join("index.json")).unwrap()).unwrap();
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap();
    let blob = |d: &str| {
        oci.join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let manifest: Value =
        serde_json::from_slice(&fs_err::read(blob(manifest_digest)).unwrap()).unwrap();
    manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| blob(l["digest"].as_str().unwrap()))
        .collect()
}

#[test]
fn a_warm_rescan_reads_no_layer_and_gives_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let cache = dir.path().join("cache");
    let cache_arg = cache.to_str().unwrap();
    let cold = json_report(&run(&[
        "image",
        &reference,
        "--cache-dir",
        cache_arg,
        "-f",
        "json",
    ]));
    // Destroy every layer blob: a rescan that still succeeds cannot have read them.
    for blob in layer_blobs(&dir.path().join("oci")) {
        fs_err::write(blob, b"gone").unwrap();
    }
    let warm = json_report(&run(&[
        "image",
        &reference,
        "--cache-dir",
        cache_arg,
        "-f",
        "json",
    ]));
    assert_eq!(cold, warm);
    let out = run(&["image", &reference, "--no-cache"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "without the cache the destroyed blobs are caught"
    );

    let info = run(&["cache", "info", "--cache-dir", cache_arg]);
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("entries: "), "{info}");
    assert!(!info.contains("entries: 0"), "{info}");
    let clean = run(&["cache", "clean", "--cache-dir", cache_arg]);
    assert!(clean.status.success());
    assert!(!cache.join("layers.redb").exists());
}

#[test]
fn a_corrupt_cache_is_rebuilt_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let cache = dir.path().join("cache");
    fs_err::create_dir_all(&cache).unwrap();
    fs_err::write(cache.join("layers.redb"), vec![0xa5u8; 8192]).unwrap();
    let cache_arg = cache.to_str().unwrap();
    let fresh = json_report(&run(&["image", &reference, "--no-cache", "-f", "json"]));
    let with_bad_cache = json_report(&run(&[
        "image",
        &reference,
        "--cache-dir",
        cache_arg,
        "-f",
        "json",
    ]));
    assert_eq!(fresh["results"], with_bad_cache["results"]);
}

#[test]
fn rootfs_and_fs_use_the_same_analyzers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    fs_err::create_dir_all(root.join("etc")).unwrap();
    fs_err::create_dir_all(root.join(".git")).unwrap();
    fs_err::write(
        root.join("etc/os-release"),
        contents::os_release_alpine("3.19.1"),
    )
    .unwrap();
    let key = format!("AKIA{}", "Z7Q2M4X6P3R5T6W3");
    fs_err::write(
        root.join("etc/creds"),
        format!("aws_access_key_id = {key}\n"),
    )
    .unwrap();
    fs_err::write(root.join(".git/config"), format!("key = {key}\n")).unwrap();
    std::os::unix::fs::symlink("/etc/shadow", root.join("etc/shadow-link")).unwrap();
    let root_arg = root.to_str().unwrap();
    let report = json_report(&run(&["rootfs", root_arg, "-f", "json"]));
    assert_eq!(report["artifact"]["os"]["family"], "alpine");
    let targets: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&"etc/creds"), "{targets:?}");
    let report = json_report(&run(&["fs", root_arg, "-f", "json"]));
    let targets: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&"etc/creds"), "{targets:?}");
    assert!(
        !targets.iter().any(|t| t.starts_with(".git")),
        "fs skips .git: {targets:?}"
    );
}

#[test]
fn output_file_and_rule_help() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let out_path = dir.path().join("report.json");
    let out = run(&[
        "image",
        &reference,
        "--no-cache",
        "-f",
        "json",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(
        out.stdout.is_empty(),
        "stdout carries nothing when --output is given"
    );
    let report: Value = serde_json::from_slice(&fs_err::read(&out_path).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);

    let rule = run(&["rule", "ks-img-001"]);
    assert!(rule.status.success());
    let text = String::from_utf8_lossy(&rule.stdout);
    assert!(
        text.contains("Image runs as root") && text.contains("4.1.2"),
        "{text}"
    );
    let secret = run(&["rule", "aws-access-key-id"]);
    assert!(secret.status.success());
    let text = String::from_utf8_lossy(&secret.stdout);
    assert!(
        text.contains("AWS access key ID") && text.contains("aws iam"),
        "{text}"
    );
    assert_eq!(run(&["rule", "NOPE-1"]).status.code(), Some(2));
}

#[test]
fn lints_dockerfiles_and_explains_their_rules() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("Dockerfile");
    fs_err::write(
        &good,
        "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n",
    )
    .unwrap();
    let out = run(&["dockerfile", good.to_str().unwrap(), "-f", "json"]);
    let report = json_report(&out);
    let ids = finding_ids(&report);
    for id in ["DL3007", "DL3008", "DL3015"] {
        assert!(ids.contains(&id.to_owned()), "{id} in {ids:?}");
    }
    let bad = dir.path().join("Broken.Dockerfile");
    fs_err::write(&bad, "FROM alpine\nFROBNICATE\n").unwrap();
    let out = run(&["dockerfile", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Broken.Dockerfile") && stderr.contains('2'),
        "{stderr}"
    );
    let help = run(&["rule", "DL3008"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("DL3008"));
}

#[test]
fn vulnerabilities_are_matched_and_suppressible() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let report = json_report(&run(&["image", &reference, "--no-cache", "-f", "json"]));
    let vuln = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .find(|f| f["scanner"] == "vuln")
        .expect("requests 2.19.0 is vulnerable");
    assert_eq!(vuln["id"], "PYSEC-2018-28");
    assert_eq!(vuln["vulnerability"]["installed_version"], "2.19.0");
    assert_eq!(vuln["vulnerability"]["fixed_versions"][0], "2.20.0");
    assert_eq!(vuln["location"]["path"], "app/requirements.txt");
    assert_eq!(vuln["location"]["layer_index"], 3);
    // urllib3 1.24.2 is the fixed version: not reported.
    let text = serde_json::to_string(&report["results"]).unwrap();
    assert!(
        !text.contains("PYSEC-2019-133"),
        "fixed versions are not affected"
    );

    let ignore = dir.path().join("ignore.yaml");
    fs_err::write(
        &ignore,
        "- id: CVE-2018-18074\n  reason: the client never follows redirects\n",
    )
    .unwrap();
    let report = json_report(&run(&[
        "image",
        &reference,
        "--no-cache",
        "-f",
        "json",
        "--ignorefile",
        ignore.to_str().unwrap(),
    ]));
    assert!(
        !serde_json::to_string(&report["results"])
            .unwrap()
            .contains("PYSEC-2018-28")
    );
    let suppressed = &report["suppressed"][0];
    assert_eq!(suppressed["finding"]["id"], "PYSEC-2018-28");
    assert!(
        suppressed["reason"]
            .as_str()
            .unwrap()
            .contains("never follows redirects")
    );
}

#[test]
fn a_missing_database_is_an_error_that_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let empty = dir.path().join("no-db");
    let out = run(&[
        "image",
        &reference,
        "--no-cache",
        "--db-dir",
        empty.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kensa db import"));
    let out = run(&[
        "image",
        &reference,
        "--no-cache",
        "--db-dir",
        empty.to_str().unwrap(),
        "--scanners",
        "config",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no database is needed without the vuln scanner"
    );
}

#[test]
fn sbom_of_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.tar");
    image().write_docker_archive(&path).unwrap();
    let out = run(&["sbom", path.to_str().unwrap(), "--no-cache"]);
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert!(
        serde_json::to_string(&bom)
            .unwrap()
            .contains("pkg:pypi/requests@2.19.0")
    );
    let out = run(&[
        "sbom",
        path.to_str().unwrap(),
        "--no-cache",
        "-f",
        "spdx-json",
    ]);
    let spdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
}

/// The severity of the first finding with `id`.
fn severity_of(report: &Value, id: &str) -> Option<String> {
    report["results"]
        .as_array()?
        .iter()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .find(|f| f["id"] == id)
        .and_then(|f| f["severity"].as_str().map(str::to_owned))
}

#[test]
fn settings_file_configures_lint_and_secret_rules() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    fs_err::write(
        &dockerfile,
        "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n",
    )
    .unwrap();
    let tree = dir.path().join("src");
    fs_err::create_dir_all(tree.join("fixtures")).unwrap();
    let github = format!("ghp_{}", "R8kq2VfLmZ0xWc4TnJ7sYb1HdQ6pAe9GuKo3");
    fs_err::write(tree.join("fixtures/token.txt"), format!("{github}\n")).unwrap();
    fs_err::write(tree.join("deploy.sh"), format!("export T={github}\n")).unwrap();
    let acme = format!("acme_{}", "k3j9x0q2m7v5c8b1n4z6l0p9w2e5r8t1");
    fs_err::write(tree.join("app.env"), format!("ACME={acme}\n")).unwrap();
    let settings = dir.path().join("settings.yaml");
    fs_err::write(
        &settings,
        r#"
dockerfile:
  ignored: [DL3008]
  severity_overrides: {DL3007: CRITICAL}
secret:
  allow_paths: ["**/fixtures/**"]
  custom_rules:
    - id: acme-token
      title: ACME deploy token
      severity: HIGH
      keywords: [acme_]
      regex: 'acme_[a-z0-9]{32}'
"#,
    )
    .unwrap();
    let config = settings.to_str().unwrap();

    let plain = json_report(&run(&[
        "dockerfile",
        dockerfile.to_str().unwrap(),
        "-f",
        "json",
    ]));
    assert!(finding_ids(&plain).contains(&"DL3008".to_owned()));
    assert_eq!(severity_of(&plain, "DL3007").as_deref(), Some("MEDIUM"));
    let configured = json_report(&run(&[
        "dockerfile",
        dockerfile.to_str().unwrap(),
        "-f",
        "json",
        "--config",
        config,
    ]));
    assert!(!finding_ids(&configured).contains(&"DL3008".to_owned()));
    assert_eq!(
        severity_of(&configured, "DL3007").as_deref(),
        Some("CRITICAL")
    );

    let secrets = |extra: &[&str]| {
        let mut args = vec![
            "fs",
            tree.to_str().unwrap(),
            "--scanners",
            "secret",
            "-f",
            "json",
        ];
        args.extend_from_slice(extra);
        let report = json_report(&run(&args));
        let mut found: Vec<(String, String)> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["findings"].as_array().unwrap().iter())
            .map(|f| {
                let path = f["location"]["path"].as_str().unwrap_or_default();
                let file = path.rsplit('/').next().unwrap_or_default().to_owned();
                (f["id"].as_str().unwrap().to_owned(), file)
            })
            .collect();
        found.sort();
        found
    };
    let pair = |id: &str, file: &str| (id.to_owned(), file.to_owned());
    assert_eq!(
        secrets(&[]),
        [
            pair("github-pat", "deploy.sh"),
            pair("github-pat", "token.txt")
        ]
    );
    assert_eq!(
        secrets(&["--config", config]),
        [
            pair("acme-token", "app.env"),
            pair("github-pat", "deploy.sh")
        ]
    );
    // The allowlist covers the image rules' credential files too.
    let key = format!(
        "-----BEGIN {} PRIVATE KEY-----\n{}\n-----END {} PRIVATE KEY-----\n",
        "RSA", "MIIEowIBAAKCAQEAx3m9kq2VfLmZ0xWc4TnJ7sYb1HdQ6pAe9GuKo3", "RSA"
    );
    fs_err::write(tree.join("fixtures/server.key"), key).unwrap();
    let config_ids = |extra: &[&str]| {
        let mut args = vec![
            "fs",
            tree.to_str().unwrap(),
            "--scanners",
            "config",
            "-f",
            "json",
        ];
        args.extend_from_slice(extra);
        finding_ids(&json_report(&run(&args)))
    };
    assert_eq!(config_ids(&[]), ["KS-IMG-018"]);
    assert!(config_ids(&["--config", config]).is_empty());
    // KENSA_CONFIG names the file too, and `kensa.yaml` in the working directory is read.
    let out = kensa()
        .args([
            "fs",
            tree.to_str().unwrap(),
            "--scanners",
            "secret",
            "-f",
            "json",
        ])
        .env("KENSA_CONFIG", config)
        .output()
        .unwrap();
    assert!(finding_ids(&json_report(&out)).contains(&"acme-token".to_owned()));
    fs_err::copy(&settings, dir.path().join("kensa.yaml")).unwrap();
    let out = kensa()
        .args(["fs", "src", "--scanners", "secret", "-f", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(finding_ids(&json_report(&out)).contains(&"acme-token".to_owned()));
}

#[test]
fn hadolint_settings_in_the_working_directory_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("Dockerfile"),
        "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n",
    )
    .unwrap();
    fs_err::write(
        dir.path().join(".hadolint.yaml"),
        "ignored:\n  - DL3008\noverride:\n  error:\n    - DL3007\n",
    )
    .unwrap();
    let out = kensa()
        .args(["dockerfile", "Dockerfile", "-f", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report = json_report(&out);
    assert!(!finding_ids(&report).contains(&"DL3008".to_owned()));
    assert_eq!(severity_of(&report, "DL3007").as_deref(), Some("HIGH"));
}

#[test]
fn bad_settings_exit_2_naming_the_file_and_the_fault() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    fs_err::write(&dockerfile, "FROM debian:12\n").unwrap();
    for (text, expected) in [
        ("dockerfile:\n  ignore: [DL3008]\n", "ignore"),
        ("secrets: {}\n", "secrets"),
        (
            "secret:\n  custom_rules:\n    - {id: bad-rule, title: x, severity: HIGH, keywords: [x], regex: '(unclosed'}\n",
            "bad-rule",
        ),
        ("secret:\n  disable_rules: [no-such-rule]\n", "no-such-rule"),
    ] {
        let settings = dir.path().join("bad.yaml");
        fs_err::write(&settings, text).unwrap();
        let out = run(&[
            "dockerfile",
            dockerfile.to_str().unwrap(),
            "--config",
            settings.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("bad.yaml") && stderr.contains(expected),
            "{text}: {stderr}"
        );
    }
    let out = run(&[
        "dockerfile",
        dockerfile.to_str().unwrap(),
        "--config",
        "/no/such/file.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.yaml"));
}

#[test]
fn sarif_for_code_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let reference = layout(dir.path());
    let json = json_report(&run(&["image", &reference, "--no-cache", "-f", "json"]));
    let log = json_report(&run(&["image", &reference, "--no-cache", "-f", "sarif"]));
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "kensa");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    // The same findings as the JSON report, each under its rule.
    assert_eq!(results.len(), finding_ids(&json).len());
    let mut ids: Vec<String> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    assert_eq!(ids, finding_ids(&json));
    for r in results {
        assert!(rules.contains(&r["ruleId"].as_str().unwrap()));
    }
}

#[test]
fn fs_leaves_out_what_gitignore_excludes_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let token = format!("ghp_{}", "R8kq2VfLmZ0xWc4TnJ7sYb1HdQ6pAe9GuKo3");
    fs_err::create_dir_all(root.join("build/out")).unwrap();
    fs_err::create_dir_all(root.join("src")).unwrap();
    fs_err::write(root.join(".gitignore"), "build/\n*.log\n").unwrap();
    fs_err::write(root.join("src/.ignore"), "generated.env\n").unwrap();
    for path in [
        "build/out/app.env",
        "debug.log",
        "src/generated.env",
        "src/deploy.sh",
        ".env",
    ] {
        fs_err::write(root.join(path), format!("TOKEN={token}\n")).unwrap();
    }
    let scanned = |args: &[&str]| {
        let report = json_report(&run(args));
        let mut paths: Vec<String> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["target"].as_str().unwrap().to_owned())
            .collect();
        paths.sort();
        let notes: Vec<String> = report["notes"]
            .as_array()
            .map(|n| n.iter().map(|n| n["message"].to_string()).collect())
            .unwrap_or_default();
        (paths, notes)
    };
    let dir_arg = root.to_str().unwrap();
    let (paths, notes) = scanned(&["fs", dir_arg, "--scanners", "secret", "-f", "json"]);
    assert_eq!(paths, [".env", "src/deploy.sh"]);
    assert!(notes.iter().any(|n| n.contains("--no-ignore")), "{notes:?}");
    let all = [
        ".env",
        "build/out/app.env",
        "debug.log",
        "src/deploy.sh",
        "src/generated.env",
    ];
    let (paths, _) = scanned(&[
        "fs",
        dir_arg,
        "--no-ignore",
        "--scanners",
        "secret",
        "-f",
        "json",
    ]);
    assert_eq!(paths, all);
    // A root filesystem is an image's content: its .gitignore files mean nothing.
    let (paths, notes) = scanned(&["rootfs", dir_arg, "--scanners", "secret", "-f", "json"]);
    assert_eq!(paths, all);
    assert!(
        !notes.iter().any(|n| n.contains("--no-ignore")),
        "{notes:?}"
    );
}

#[test]
fn dockerfiles_shipped_by_packages_are_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["usr/share/go-1.19/src/crypto/fiat", "app"] {
        fs_err::create_dir_all(root.join(sub)).unwrap();
        fs_err::write(
            root.join(sub).join("Dockerfile"),
            "FROM debian:latest\nRUN cd /tmp\n",
        )
        .unwrap();
    }
    let report = json_report(&run(&[
        "rootfs",
        root.to_str().unwrap(),
        "--scanners",
        "config",
        "-f",
        "json",
    ]));
    let linted: std::collections::BTreeSet<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "DL3003")
        })
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(linted.into_iter().collect::<Vec<_>>(), ["app/Dockerfile"]);
}

#[test]
fn issue_15_dev_dependencies_are_left_out_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("poetry.lock"),
        "[[package]]\nname = \"requests\"\nversion = \"2.19.0\"\ngroups = [\"dev\"]\n\n\
         [[package]]\nname = \"idna\"\nversion = \"2.7\"\ngroups = [\"main\"]\n",
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "fs",
            root,
            "--scanners",
            "vuln",
            "-f",
            "json",
            "--list-packages",
        ];
        args.extend_from_slice(extra);
        json_report(&run(&args))
    };
    let names = |report: &Value| -> Vec<String> {
        report["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect()
    };
    let default = scan(&[]);
    assert_eq!(names(&default), ["idna"]);
    assert!(!finding_ids(&default).contains(&"PYSEC-2018-28".to_owned()));
    let notes = serde_json::to_string(&default["notes"]).unwrap();
    assert!(
        notes.contains("1 development-only package(s) left out"),
        "{notes}"
    );

    let with_dev = scan(&["--include-dev-deps"]);
    assert_eq!(names(&with_dev), ["idna", "requests"]);
    assert!(finding_ids(&with_dev).contains(&"PYSEC-2018-28".to_owned()));
    let dev_flags: Vec<bool> = with_dev["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dev"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(dev_flags, [false, true]);

    let sbom = |extra: &[&str]| {
        let mut args = vec!["sbom", root, "--no-cache"];
        args.extend_from_slice(extra);
        String::from_utf8(run(&args).stdout).unwrap()
    };
    assert!(!sbom(&[]).contains("pkg:pypi/requests@2.19.0"));
    let bom: Value = serde_json::from_str(&sbom(&["--include-dev-deps"])).unwrap();
    let scopes: Vec<(&str, &str)> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["scope"].as_str().unwrap_or("required"),
            )
        })
        .collect();
    assert_eq!(scopes, [("idna", "required"), ("requests", "excluded")]);
}

/// See: issues/15. A source tree's own root is reported but not matched: the project
/// named `requests` here is not the PyPI package the advisory is about. Its
/// dependencies are matched as usual.
#[test]
fn issue_15_a_source_trees_root_is_listed_but_not_matched() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("uv.lock"),
        "version = 1\n\n[[package]]\nname = \"requests\"\nversion = \"2.19.0\"\n\
         source = { editable = \".\" }\ndependencies = [{ name = \"urllib3\" }]\n\n\
         [[package]]\nname = \"urllib3\"\nversion = \"1.24.1\"\n\
         source = { registry = \"https://pypi.org/simple\" }\n",
    )
    .unwrap();
    let report = json_report(&run(&[
        "fs",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
        "--scanners",
        "vuln",
    ]));
    let root: Vec<&Value> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["relationship"] == "root")
        .collect();
    assert_eq!(root.len(), 1, "{report}");
    assert_eq!(root[0]["name"], "requests");
    let ids = finding_ids(&report);
    assert_eq!(ids, ["PYSEC-2019-133"], "{report}");
}
