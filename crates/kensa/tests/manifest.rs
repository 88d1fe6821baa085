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
    let out = kensa(dir.path())
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
