//! `kensa pin` and the scan target's pin (KS-PIN-001), run as a user would against a
//! real registry (skipped, saying so, without `docker-registry`).
#![allow(clippy::unwrap_used, reason = "test code")]

mod support;

use std::path::Path;

use kensa_testkit::registry::{RegistryConfig, TestRegistry};
use kensa_testkit::{Entry, Image, Layer};

use support::{isolated_kensa as kensa, run_text as text};

fn image(marker: &str) -> Image {
    Image::new(vec![Layer::new(vec![Entry::file("etc/marker", marker)])])
}

/// The files `kensa pin` is given: every format, with comments, odd spacing, quoting,
/// CRLF lines and references it must leave alone.
fn write_inputs(d: &Path, host: &str, pinned: &str) -> Vec<(&'static str, String)> {
    let files = vec![
        (
            "Dockerfile",
            format!(
                "# syntax=docker/dockerfile:1\n\
                 ARG BASE={host}/team/base:1.0\n\
                 FROM   {host}/team/base:1.0   AS build   # the toolchain\n\
                 RUN make\n\
                 FROM build AS test\n\
                 FROM $BASE\n\
                 FROM scratch\n\
                 FROM {host}/team/app@{pinned}\n\
                 FROM --platform=linux/amd64 {host}/team/app\r\n\
                 COPY --from=build /out /out\n"
            ),
        ),
        (
            "deploy.yaml",
            format!(
                "# web tier\n\
                 apiVersion: apps/v1\n\
                 kind: Deployment\n\
                 spec:\n  template:\n    spec:\n      containers:\n\
                 \x20       - name: web   # front\n\
                 \x20         image: \"{host}/team/app:1.0\"  # pinned by kensa pin\n\
                 \x20       - {{name: side, image: '{host}/team/base:1.0'}}\n\
                 ---\n\
                 services:\n  db:\n    image: ${{DB_IMAGE}}\n"
            ),
        ),
        (
            "task-def.json",
            format!(
                "{{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {{ \"name\": \"web\", \"image\": \"{host}/team/app:1.0\",\n      \"essential\": true }}\n  ]\n}}\n"
            ),
        ),
        (
            "stack.yaml",
            format!(
                "Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: web\n          Image: {host}/team/app:1.0\n        - Name: other\n          Image: !Sub '${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/x:1'\n"
            ),
        ),
    ];
    for (name, body) in &files {
        fs_err::write(d.join(name), body).unwrap();
    }
    files
}

#[test]
fn pin_rewrites_only_the_references_and_dry_run_shows_the_diff() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let app = registry.push(&image("app"), "team/app:1.0").unwrap();
    registry.push(&image("app"), "team/app:latest").unwrap();
    let base = registry.push(&image("base"), "team/base:1.0").unwrap();
    let app = app.manifest_digest.unwrap();
    let base = base.manifest_digest.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let host = registry.host.clone();
    let files = write_inputs(d, &host, &app);
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let redact = |s: &str| {
        s.replace(&host, "[REGISTRY]")
            .replace(&app, "[APP-DIGEST]")
            .replace(&base, "[BASE-DIGEST]")
    };

    let dry = kensa(d)
        .args(["pin", "--dry-run", "--insecure"])
        .args(&names)
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", text(&dry));
    for (name, body) in &files {
        assert_eq!(&fs_err::read_to_string(d.join(name)).unwrap(), body);
    }
    insta::assert_snapshot!(
        "pin_dry_run_diff",
        redact(&String::from_utf8_lossy(&dry.stdout))
    );
    insta::assert_snapshot!(
        "pin_dry_run_notes",
        redact(&String::from_utf8_lossy(&dry.stderr))
    );

    let pinned = kensa(d)
        .args(["pin", "--insecure"])
        .args(&names)
        .output()
        .unwrap();
    assert!(pinned.status.success(), "{}", text(&pinned));
    assert!(
        String::from_utf8_lossy(&pinned.stdout).contains("pinned 6 references in 4 files"),
        "{}",
        text(&pinned)
    );
    // Byte for byte: the new text is the old one with each reference lengthened, so
    // removing the inserted digests gives back the original exactly.
    for (name, body) in &files {
        let now = fs_err::read_to_string(d.join(name)).unwrap();
        let undone = now
            .replace(&format!(":latest@{app}"), "")
            .replace(&format!("1.0@{app}"), "1.0")
            .replace(&format!("1.0@{base}"), "1.0");
        assert_eq!(&undone, body, "{name}");
    }
    let docker = fs_err::read_to_string(d.join("Dockerfile")).unwrap();
    assert!(docker.contains(&format!("FROM   {host}/team/base:1.0@{base}   AS build")));
    assert!(docker.contains(&format!("{host}/team/app:latest@{app}\r\n")));

    // Everything is pinned now: a second run changes nothing and says why.
    let again = kensa(d)
        .args(["pin", "--insecure"])
        .args(&names)
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("pinned 0 references in 0 files"));
    assert!(text(&again).contains("is already pinned by digest"));
}

#[test]
fn an_unknown_tag_or_unreachable_registry_is_an_error_naming_file_and_line() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    registry.push(&image("app"), "team/app:1.0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let host = &registry.host;
    let good = format!("FROM {host}/team/app:1.0\n");
    fs_err::write(d.join("Dockerfile"), &good).unwrap();
    let bad = format!("a:\n  b:\n    image: {host}/team/app:9.9\n");
    fs_err::write(d.join("pod.yaml"), &bad).unwrap();
    let out = kensa(d)
        .args(["pin", "--insecure", "Dockerfile", "pod.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "`pod.yaml:3`: cannot resolve `{host}/team/app:9.9`"
        )),
        "{err}"
    );
    // Nothing is written when any reference fails.
    assert_eq!(fs_err::read_to_string(d.join("Dockerfile")).unwrap(), good);

    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    fs_err::write(
        d.join("Dockerfile"),
        format!("FROM 127.0.0.1:{port}/team/app:1.0\n"),
    )
    .unwrap();
    let out = kensa(d)
        .args(["pin", "--insecure", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "`Dockerfile:1`: cannot resolve `127.0.0.1:{port}/team/app:1.0`"
        )),
        "{}",
        text(&out)
    );
}

fn pin_findings(report: &serde_json::Value) -> Vec<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["findings"].as_array().into_iter().flatten())
        .filter(|f| f["id"] == "KS-PIN-001")
        .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_scan_by_latest_or_no_tag_is_a_finding_and_the_report_states_the_digest() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let built = registry.push(&image("app"), "team/app:latest").unwrap();
    registry.push(&image("app"), "team/app:1.0").unwrap();
    let digest = built.manifest_digest.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let host = &registry.host;
    let scan = |reference: &str| {
        let out = kensa(d)
            .args(["image", "--scanners", "config", "-f", "json", "--insecure"])
            .arg(reference)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["artifact"]["manifest_digest"], digest.as_str());
        pin_findings(&report)
    };
    for reference in [
        format!("{host}/team/app"),
        format!("{host}/team/app:latest"),
    ] {
        let found = scan(&reference);
        assert_eq!(found.len(), 1, "{reference}: {found:?}");
        assert!(found[0].contains(&digest), "{found:?}");
    }
    assert!(scan(&format!("{host}/team/app:1.0")).is_empty());
    assert!(scan(&format!("{host}/team/app@{digest}")).is_empty());
    assert!(scan(&format!("{host}/team/app:latest@{digest}")).is_empty());

    // An OCI layout states its digest too, and has no tag to move.
    let layout = d.join("oci");
    let built = image("layout").write_oci_layout(&layout).unwrap();
    let out = kensa(d)
        .args(["image", "--scanners", "config", "-f", "json"])
        .arg(format!("oci-layout:{}", layout.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["artifact"]["manifest_digest"],
        built.manifest_digest.unwrap().as_str()
    );
    assert!(pin_findings(&report).is_empty());
}
