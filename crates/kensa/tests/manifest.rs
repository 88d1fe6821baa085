//! `kensa manifest`: real invocations on manifests written here, snapshotted with their
//! exit status, stdout and stderr (`INSTA_UPDATE=always cargo test -p kensa --test
//! manifest` rewrites the files).
#![allow(clippy::unwrap_used, reason = "test code")]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use insta_cmd::assert_cmd_snapshot;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      hostNetwork: true
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: app
        image: registry.example/app:1.4
        imagePullPolicy: Always
        securityContext:
          privileged: true
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        resources:
          limits: {cpu: 500m, memory: 128Mi}
";

const TASK: &str = r#"{
  "family": "web",
  "networkMode": "bridge",
  "cpu": "256",
  "memory": "512",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "registry.example/app:1.4",
      "user": "0",
      "readonlyRootFilesystem": true,
      "linuxParameters": {"initProcessEnabled": true, "capabilities": {"drop": ["ALL"]}},
      "logConfiguration": {"logDriver": "awslogs"},
      "healthCheck": {"command": ["CMD", "true"]}
    }
  ]
}
"#;

fn kensa(cwd: &Path) -> Command {
    let mut cmd = Command::new(insta_cmd::get_cargo_bin("kensa"));
    cmd.current_dir(cwd)
        .env_remove("KENSA_CONFIG")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("XDG_CACHE_HOME", "cache")
        .env("XDG_DATA_HOME", "data");
    cmd
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(dir.path().join("k8s")).unwrap();
    fs_err::write(dir.path().join("k8s/web.yaml"), DEPLOYMENT).unwrap();
    fs_err::write(dir.path().join("task.json"), TASK).unwrap();
    dir
}

#[test]
fn a_directory_and_a_file_in_the_table() {
    let dir = tree();
    assert_cmd_snapshot!(
        "table",
        kensa(dir.path()).args(["manifest", "k8s", "task.json", "--exit-code", "1"])
    );
}

#[test]
fn markdown_names_the_file_line_document_and_field() {
    let dir = tree();
    assert_cmd_snapshot!(
        "markdown",
        kensa(dir.path()).args(["manifest", "k8s", "--format", "markdown"])
    );
}

#[test]
fn stdin_as_json() {
    let dir = tree();
    let mut child = kensa(dir.path())
        .args([
            "manifest",
            "-",
            "--format",
            "json",
            "--severity",
            "CRITICAL,HIGH",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(DEPLOYMENT.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &report["results"][0]["findings"][0];
    assert_eq!(finding["id"], "KS-MF-003");
    assert_eq!(finding["location"]["path"], "-");
    assert_eq!(finding["location"]["line"], 19);
    assert_eq!(finding["location"]["document"], "1: Deployment/web");
    assert_eq!(
        finding["location"]["field"],
        "spec.template.spec.containers[0].securityContext.privileged"
    );
}

#[test]
fn sarif_points_at_the_manifest_line_and_names_the_field() {
    let dir = tree();
    let out = kensa(dir.path())
        .args(["manifest", "task.json", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let root = results.iter().find(|r| r["ruleId"] == "KS-MF-002").unwrap();
    let location = &root["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "task.json");
    assert_eq!(location["region"]["startLine"], 10);
    assert_eq!(root["properties"]["field"], "containerDefinitions[0].user");
    assert_eq!(root["properties"]["document"], "1: TaskDefinition/web");
}

#[test]
fn the_ignore_file_and_annotations_suppress_with_their_reason() {
    let dir = tree();
    fs_err::write(
        dir.path().join(".kensaignore"),
        "- id: KS-MF-019\n  path: k8s/**\n  reason: digests are pinned at deploy time by the release tool\n",
    )
    .unwrap();
    let annotated = DEPLOYMENT.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n    kensa.io/ignore: KS-MF-003,KS-MF-007\n    kensa.io/ignore-reason: a CNI agent\n",
    );
    fs_err::write(dir.path().join("k8s/web.yaml"), annotated).unwrap();
    fs_err::write(
        dir.path().join("kensa.yaml"),
        "manifest:\n  ignore: {KS-MF-028: egress is enforced by the mesh}\n",
    )
    .unwrap();
    let out = kensa(dir.path())
        .args(["manifest", "k8s", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut suppressed: Vec<String> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["finding"]["id"], s["reason"]))
        .collect();
    suppressed.sort();
    insta::assert_snapshot!("suppressed", suppressed.join("\n"));
}

/// `kensa fs` reads the ignore file for rule findings too: a manifest rule and a
/// Dockerfile rule of the same tree are suppressed with the entry's reason, and the
/// finding an entry's path glob does not cover is kept.
#[test]
fn kensa_fs_applies_the_ignore_file_to_rule_findings() {
    let dir = tree();
    fs_err::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nMAINTAINER someone\n",
    )
    .unwrap();
    fs_err::write(
        dir.path().join(".kensaignore"),
        "- id: KS-MF-019\n  path: k8s/**\n  reason: digests are pinned at deploy time\n\
         - id: DL4000\n  reason: the label is set by the build system\n",
    )
    .unwrap();
    let out = kensa(dir.path())
        .args(["fs", ".", "--scanners", "config", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Findings are grouped by target file in `results[]`; suppressed ones are listed once.
    let line = |f: &serde_json::Value| {
        format!(
            "{} {}",
            f["id"].as_str().unwrap_or(""),
            f["location"]["path"].as_str().unwrap_or("")
        )
    };
    let kept: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["findings"].as_array().unwrap().iter().map(line))
        .collect();
    let suppressed: Vec<String> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| line(&s["finding"]))
        .collect();
    assert!(
        suppressed
            .iter()
            .any(|s| s.starts_with("KS-MF-019 k8s/web.yaml")),
        "{suppressed:?}"
    );
    assert!(
        suppressed.iter().any(|s| s.starts_with("DL4000 ")),
        "{suppressed:?}"
    );
    assert!(
        !kept
            .iter()
            .any(|s| s.starts_with("KS-MF-019 k8s/") || s.starts_with("DL4000 ")),
        "{kept:?}"
    );
    // The task definition's pin finding is outside `k8s/**`, so it stays.
    assert!(
        kept.iter().any(|s| s.starts_with("KS-MF-019 task.json")),
        "{kept:?}"
    );
}

#[test]
fn a_broken_manifest_is_an_error_naming_file_and_line() {
    let dir = tree();
    fs_err::write(
        dir.path().join("bad.yaml"),
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: [x\n",
    )
    .unwrap();
    assert_cmd_snapshot!("broken", kensa(dir.path()).args(["manifest", "bad.yaml"]));
}

#[test]
fn an_unknown_document_is_a_note() {
    let dir = tree();
    fs_err::write(
        dir.path().join("other.yaml"),
        "jobs:\n  build: {runs-on: x}\n",
    )
    .unwrap();
    assert_cmd_snapshot!(
        "unknown_document",
        kensa(dir.path()).args(["manifest", "other.yaml", "--quiet"])
    );
}

#[test]
fn kensa_rule_explains_a_manifest_rule() {
    let dir = tree();
    assert_cmd_snapshot!("rule", kensa(dir.path()).args(["rule", "ks-mf-010"]));
}

#[test]
fn kensa_fs_checks_the_manifests_of_a_tree_by_content() {
    let dir = tree();
    fs_err::write(dir.path().join("ci.yml"), "on: push\njobs: {}\n").unwrap();
    let report = json_report(dir.path(), &["fs", ".", "--scanners", "config", "--quiet"]);
    let found: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().clone())
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["location"]["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        found.contains(&("KS-MF-003".to_owned(), "k8s/web.yaml".to_owned())),
        "{found:?}"
    );
    assert!(
        found.contains(&("KS-MF-002".to_owned(), "task.json".to_owned())),
        "{found:?}"
    );
    assert!(!found.iter().any(|(id, _)| id == "KS-MF-028"), "{found:?}");
    assert!(!found.iter().any(|(_, path)| path == "ci.yml"), "{found:?}");
}

#[test]
fn a_directory_without_manifests_says_so() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("README.md"), "# nothing here\n").unwrap();
    let out = kensa(dir.path())
        .args(["manifest", ".", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["notes"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nothing was checked"),
        "{report}"
    );
}

/// A Deployment of `registry.example/app:1.4` that leaves the user to the image, and one
/// of the same image that asks for UID 0.
const TWO_DEPLOYMENTS: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example/app:1.4
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: shop}
spec:
  template:
    spec:
      securityContext: {runAsUser: 0}
      containers:
      - name: app
        image: registry.example/app:1.4
";

/// The JSON report of a `kensa` run in `dir` that must succeed.
fn json_report(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = kensa(dir)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (id, document) of the findings and of the suppressed findings with their reasons.
fn identity_verdicts(report: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    let mut findings: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .filter(|f| matches!(f["id"].as_str(), Some("KS-MF-001" | "KS-MF-002")))
        .map(|f| format!("{} {}", f["id"], f["location"]["document"]))
        .collect();
    findings.sort();
    let mut suppressed: Vec<String> = report["suppressed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| matches!(s["finding"]["id"].as_str(), Some("KS-MF-001" | "KS-MF-002")))
        .map(|s| {
            format!(
                "{} {}: {}",
                s["finding"]["id"], s["finding"]["location"]["document"], s["reason"]
            )
        })
        .collect();
    suppressed.sort();
    (findings, suppressed)
}

#[test]
fn an_image_whose_user_is_not_root_clears_may_run_as_root() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("deploy.yaml"), TWO_DEPLOYMENTS).unwrap();
    let app = |user: &str| {
        kensa_testkit::Image::new(vec![kensa_testkit::Layer::new(vec![
            kensa_testkit::Entry::file("app/run", b"#!/bin/sh\n"),
        ])])
        .config(serde_json::json!({"User": user}))
    };
    app("10001")
        .write_oci_layout(&dir.path().join("oci"))
        .unwrap();
    app("root")
        .repo_tag(Some("registry.example/app:1.4"))
        .write_docker_archive(&dir.path().join("root.tar"))
        .unwrap();
    let run = |image: &str| json_report(dir.path(), &["manifest", "deploy.yaml", "--image", image]);
    let report = run("registry.example/app:1.4=oci-layout:oci");
    let (findings, suppressed) = identity_verdicts(&report);
    // `runAsUser: 0` is the manifest's own word: the image cannot clear it.
    assert_eq!(findings, [r#""KS-MF-002" "2: Deployment/admin""#]);
    assert_eq!(
        suppressed,
        [
            r#""KS-MF-001" "1: Deployment/web": "image `registry.example/app:1.4` is `oci-layout:oci`, scanned with the manifests, whose config sets USER `10001`""#
        ]
    );
    // The archive's own tag names it; its USER is root, so nothing is cleared.
    let report = run("root.tar");
    let (findings, suppressed) = identity_verdicts(&report);
    assert_eq!(
        findings,
        [
            r#""KS-MF-001" "1: Deployment/web""#,
            r#""KS-MF-002" "2: Deployment/admin""#
        ]
    );
    assert!(suppressed.is_empty(), "{suppressed:?}");
    // An image no container runs is said so, not silently ignored.
    let report = run("oci-layout:oci");
    let notes = report["notes"].to_string();
    assert!(notes.contains("is run by no container"), "{notes}");
}

#[test]
fn kensa_fs_with_an_image_clears_may_run_as_root_as_kensa_manifest_does() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(dir.path().join("repo/deploy")).unwrap();
    fs_err::write(dir.path().join("repo/deploy/app.yaml"), TWO_DEPLOYMENTS).unwrap();
    // A document's own ignore is listed with its reason in `kensa fs` too.
    fs_err::write(
        dir.path().join("repo/deploy/agent.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: shop\n  annotations:\n    kensa.io/ignore: KS-MF-001\n    kensa.io/ignore-reason: the image runs as nobody\nspec:\n  containers:\n  - {name: agent, image: registry.example/agent:2}\n",
    )
    .unwrap();
    kensa_testkit::Image::new(vec![kensa_testkit::Layer::new(vec![
        kensa_testkit::Entry::file("app/run", b"#!/bin/sh\n"),
    ])])
    .config(serde_json::json!({"User": "10001:10001"}))
    .write_oci_layout(&dir.path().join("oci"))
    .unwrap();
    fs_err::write(
        dir.path().join("kensa.yaml"),
        "manifest:\n  ignore: {KS-MF-016: the namespace's LimitRange sets it}\n",
    )
    .unwrap();
    let run = |command: &str, image: &str| {
        json_report(
            dir.path(),
            &[command, "repo", "--scanners", "config", "--image", image],
        )
    };
    let fs = run("fs", "registry.example/app:1.4=oci-layout:oci");
    let (findings, suppressed) = identity_verdicts(&fs);
    assert_eq!(findings, [r#""KS-MF-002" "2: Deployment/admin""#]);
    assert_eq!(
        suppressed,
        [
            r#""KS-MF-001" "1: Deployment/web": "image `registry.example/app:1.4` is `oci-layout:oci`, scanned with the manifests, whose config sets USER `10001:10001`""#,
            r#""KS-MF-001" "1: Pod/agent": "annotation `kensa.io/ignore` on Pod/agent: the image runs as nobody""#,
        ]
    );
    // The settings file's ignores are listed too, as `kensa manifest` lists them.
    let settings = |report: &serde_json::Value| {
        let mut v: Vec<String> = report["suppressed"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["finding"]["id"] == "KS-MF-016")
            .map(|s| format!("{} {}", s["finding"]["location"]["document"], s["reason"]))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        settings(&fs),
        [
            r#""1: Deployment/web" "settings file `manifest.ignore.KS-MF-016`: the namespace's LimitRange sets it""#,
            r#""1: Pod/agent" "settings file `manifest.ignore.KS-MF-016`: the namespace's LimitRange sets it""#,
            r#""2: Deployment/admin" "settings file `manifest.ignore.KS-MF-016`: the namespace's LimitRange sets it""#,
        ]
    );
    // The same verdicts as `kensa manifest` on the same files and image.
    let manifest = run("manifest", "registry.example/app:1.4=oci-layout:oci");
    assert_eq!(identity_verdicts(&manifest), (findings, suppressed));
    assert_eq!(settings(&manifest), settings(&fs));
    // An image no manifest of the tree runs is said so.
    let fs = run("fs", "oci-layout:oci");
    let notes = fs["notes"].to_string();
    assert!(notes.contains("is run by no container"), "{notes}");
    assert_eq!(identity_verdicts(&fs).0.len(), 2);
}

/// A Compose project split over files, as teams keep them: the service in
/// `deploy/compose.yaml` extends a hardened base in `common/services.yml`, which itself
/// extends a base in the same file.
fn compose_project(dir: &Path) {
    fs_err::create_dir_all(dir.join("deploy")).unwrap();
    fs_err::create_dir_all(dir.join("common")).unwrap();
    fs_err::write(
        dir.join("common/services.yml"),
        "services:
  base:
    user: \"10001\"
    read_only: true
    cap_drop: [ALL]
    security_opt: [\"no-new-privileges:true\"]
    deploy:
      resources:
        limits: {cpus: \"0.5\", memory: 256M}
  web-base:
    extends: base
    image: registry.example/web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
    privileged: true
    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]
",
    )
    .unwrap();
    fs_err::write(
        dir.join("deploy/compose.yaml"),
        "services:
  web:
    extends:
      file: ../common/services.yml
      service: web-base
    privileged: false
    networks: [back]
networks:
  back: {internal: true}
",
    )
    .unwrap();
}

#[test]
fn compose_extends_from_another_file_is_merged_and_findings_name_that_file() {
    let dir = tempfile::tempdir().unwrap();
    compose_project(dir.path());
    let out = kensa(dir.path())
        .args(["manifest", "deploy/compose.yaml", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<String> = report["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["id"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"],
                f["location"]["field"].as_str().unwrap_or("")
            )
        })
        .collect();
    // The docker socket comes from the base file and is reported there; `privileged`
    // is overridden to false here, so it does not fire; the user, read-only root,
    // capabilities and limits of `base` apply.
    assert_eq!(
        found,
        ["KS-MF-010 common/services.yml:14 services.web.volumes[0]"]
    );
}

#[test]
fn compose_extends_cycles_and_missing_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    compose_project(dir.path());
    fs_err::write(
        dir.path().join("common/services.yml"),
        "services:\n  web-base:\n    extends: {file: ../deploy/compose.yaml, service: web}\n",
    )
    .unwrap();
    let out = kensa(dir.path())
        .args(["manifest", "deploy/compose.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`common/services.yml` line 3: `extends` cycle: `deploy/compose.yaml` service `web` → `common/services.yml` service `web-base` → `deploy/compose.yaml` service `web`"),
        "{stderr}"
    );
    fs_err::remove_file(dir.path().join("common/services.yml")).unwrap();
    let out = kensa(dir.path())
        .args(["manifest", "deploy/compose.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`deploy/compose.yaml` line 3: `extends.file` `../common/services.yml` (`common/services.yml`): no such file"),
        "{stderr}"
    );
}

#[test]
fn kensa_fs_follows_compose_extends_inside_the_tree_only() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("repo");
    compose_project(&tree);
    fs_err::write(
        dir.path().join("outside.yml"),
        "services:\n  base: {image: x:1}\n",
    )
    .unwrap();
    fs_err::write(
        tree.join("deploy/escape.yaml"),
        "services:\n  job:\n    extends: {file: ../../outside.yml, service: base}\n",
    )
    .unwrap();
    let out = kensa(&tree)
        .args([
            "fs",
            ".",
            "--scanners",
            "config",
            "--format",
            "json",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<serde_json::Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().clone())
        .collect();
    assert!(
        findings.iter().any(|f| f["id"] == "KS-MF-010"
            && f["location"]["path"] == "common/services.yml"
            && f["location"]["field"] == "services.web.volumes[0]"),
        "{findings:?}"
    );
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("`../../outside.yml` (`../outside.yml`): outside the scanned directory"),
        "{notes}"
    );
}
