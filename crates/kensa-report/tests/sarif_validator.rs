//! The SARIF logs checked by Microsoft's SARIF validator (`Sarif.Multitool validate`,
//! the SARIF SDK's reference implementation): the SARIF 2.1.0 JSON schema plus the
//! SDK's rules on what a log must hold (indices that point into arrays, URIs that are
//! URIs, regions with a position, …). Error-level results fail the test; the SDK's
//! advice (warnings) is shown but not enforced.
//!
//! The validator is installed from npm (`@microsoft/sarif-multitool`, a self-contained
//! Linux build) under the target directory on the first run and reused after that.
//! Without npm or the network the test says why and passes, unless
//! `KENSA_REQUIRE_VALIDATORS` is set; a log the validator rejects always fails it.
#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::external::{Unavailable, run, skip};
use kensa_report::{Format, RenderOptions, render};
use serde_json::Value;

/// Pinned so a new release cannot turn a green build red overnight.
const PACKAGE: &str = "@microsoft/sarif-multitool@5.7.0";

/// The validator's directory, installing it if needed.
fn validator() -> Result<PathBuf, Unavailable> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err(Unavailable(
            "the SARIF multitool's npm build is for x86_64 Linux".to_owned(),
        ));
    }
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let dir = target.join("sarif-validator");
    let tool = |dir: &Path| dir.join("node_modules/@microsoft/sarif-multitool-linux");
    let marker = dir.join("kensa-package.txt");
    if fs_err::read_to_string(&marker).is_ok_and(|have| have == PACKAGE)
        && tool(&dir).join("Sarif.Multitool").is_file()
    {
        return Ok(tool(&dir));
    }
    // Installed beside the final place and renamed into it, so an interrupted install
    // never looks ready.
    let building = target.join(format!("sarif-validator.building-{}", std::process::id()));
    let _ = fs_err::remove_dir_all(&building);
    fs_err::create_dir_all(&building).unwrap();
    let installed = run(Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--silent",
            "--prefix",
        ])
        .arg(&building)
        .arg(PACKAGE));
    if let Err(why) = installed {
        let _ = fs_err::remove_dir_all(&building);
        return Err(why);
    }
    fs_err::write(building.join("kensa-package.txt"), PACKAGE).unwrap();
    let _ = fs_err::remove_dir_all(&dir);
    if fs_err::rename(&building, &dir).is_err() {
        let _ = fs_err::remove_dir_all(&building);
    }
    Ok(tool(&dir))
}

/// The validator's results for `log`: `(level, rule id, message arguments)`.
fn validate(tool: &Path, log: &Path, out: &Path) -> Vec<(String, String, String)> {
    let _ = fs_err::remove_file(out);
    let status = Command::new(tool.join("Sarif.Multitool"))
        .arg("validate")
        .arg(log)
        .arg("--json-schema")
        .arg(tool.join("sarif-2.1.0.json"))
        .arg("--output")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "the validator failed to run: {}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    let report: Value = serde_json::from_slice(&fs_err::read(out).unwrap()).unwrap();
    report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["level"].as_str().unwrap_or("warning").to_owned(),
                r["ruleId"].as_str().unwrap_or_default().to_owned(),
                r["message"]["arguments"].to_string(),
            )
        })
        .collect()
}

#[test]
fn the_sarif_validator_accepts_kensas_logs() {
    let tool = match validator() {
        Ok(tool) => tool,
        Err(why) => return skip("SARIF validator", &why),
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("validation.sarif");

    // First, that the validator can fail: a region at line 0 breaks the schema.
    let broken = dir.path().join("broken.sarif");
    fs_err::write(
        &broken,
        r#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","version":"1"}},"results":[{"message":{"text":"x."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}"#,
    )
    .unwrap();
    let found = validate(&tool, &broken, &out);
    assert!(
        found.iter().any(|(level, _, _)| level == "error"),
        "the validator passed a broken log: {found:?}"
    );

    for (name, report) in [
        ("fixture", common::report()),
        ("hostile", common::hostile_report()),
    ] {
        let log = dir.path().join(format!("{name}.sarif"));
        let mut bytes = Vec::new();
        render(
            &report,
            Format::Sarif,
            &mut bytes,
            &RenderOptions::default(),
        )
        .unwrap();
        fs_err::write(&log, bytes).unwrap();
        let found = validate(&tool, &log, &out);
        let errors: Vec<_> = found
            .iter()
            .filter(|(level, _, _)| level == "error")
            .collect();
        assert!(
            errors.is_empty(),
            "the validator rejected the {name} log: {errors:#?}\n(all results: {found:#?})"
        );
    }
}
