//! Scans the real Debian images that `scripts/build-real-images.sh` builds (debootstrap +
//! umoci + skopeo) in every format, when they are present; skips with a message when not.
#![allow(clippy::unwrap_used, reason = "test code")]
#![allow(clippy::print_stderr, reason = "the skip message is the point")]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn images_dir() -> PathBuf {
    std::env::var_os("KENSA_REAL_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.real-images"))
}

fn scan(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(args)
        .args([
            "--no-cache",
            "--format",
            "json",
            "--quiet",
            "--scanners",
            "config,secret",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn debian_small_in_every_format() {
    let dir = images_dir();
    let layout = dir.join("debian-small");
    let oci_tar = dir.join("debian-small.oci.tar");
    let docker_tar = dir.join("debian-small.docker.tar");
    if !(layout.is_dir() && oci_tar.is_file() && docker_tar.is_file()) {
        eprintln!(
            "skipped: real images not built (run `sudo scripts/build-real-images.sh debian-small`; looked in {})",
            dir.display()
        );
        return;
    }
    let reports = [
        scan(&["image", &format!("oci-layout:{}", layout.display())]),
        scan(&["image", "--input", oci_tar.to_str().unwrap()]),
        scan(&["image", "--input", docker_tar.to_str().unwrap()]),
    ];
    for report in &reports {
        let artifact = &report["artifact"];
        assert_eq!(artifact["os"]["family"], "debian");
        assert_eq!(artifact["os"]["version"], "12");
        assert_eq!(artifact["os"]["codename"], "bookworm");
        assert_eq!(artifact["layers"].as_array().unwrap().len(), 3);
        assert_eq!(artifact["config"]["user"], "1000:1000");
        let errors: Vec<_> = report["notes"]
            .as_array()
            .map(|n| n.iter().filter(|n| n["level"] == "error").collect())
            .unwrap_or_default();
        assert!(
            errors.is_empty(),
            "analyzer errors on a real image: {errors:?}"
        );
        let setuid = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["findings"].as_array().unwrap())
            .find(|f| f["id"] == "KS-IMG-003")
            .expect("debootstrap installs setuid binaries");
        let message = setuid["message"].as_str().unwrap();
        for expected in ["/usr/bin/su", "/usr/bin/passwd", "/usr/bin/mount"] {
            assert!(message.contains(expected), "{expected} in {message}");
        }
    }
    // The same image in three containers gives the same findings.
    assert_eq!(reports[0]["results"], reports[1]["results"]);
    let ids = |r: &Value| -> Vec<String> {
        let mut v: Vec<String> = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["findings"].as_array().unwrap())
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&reports[0]), ids(&reports[2]));
}
