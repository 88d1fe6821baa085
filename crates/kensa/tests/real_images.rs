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

/// The OS inventory equals what dpkg itself reports for the same status database.
#[test]
fn debian_small_packages_match_dpkg_query() {
    let layout = images_dir().join("debian-small");
    if !layout.is_dir() {
        eprintln!(
            "skipped: real images not built (run `sudo scripts/build-real-images.sh debian-small`)"
        );
        return;
    }
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: dpkg-query is not installed");
        return;
    }
    let report = scan(&["image", &format!("oci-layout:{}", layout.display())]);
    let ours: std::collections::BTreeSet<(String, String)> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["ecosystem"] == "deb")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    // The last layer that carries var/lib/dpkg/status holds the one in the final image.
    let index: Value =
        serde_json::from_slice(&fs_err::read(layout.join("index.json")).unwrap()).unwrap();
    let blob = |d: &str| {
        layout
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let manifest: Value = serde_json::from_slice(
        &fs_err::read(blob(index["manifests"][0]["digest"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    let admin = tempfile::tempdir().unwrap();
    let mut found = false;
    for layer in manifest["layers"].as_array().unwrap() {
        let out = Command::new("tar")
            .arg("-xzOf")
            .arg(blob(layer["digest"].as_str().unwrap()))
            .arg("var/lib/dpkg/status")
            .output()
            .unwrap();
        if out.status.success() && !out.stdout.is_empty() {
            fs_err::write(admin.path().join("status"), &out.stdout).unwrap();
            found = true;
        }
    }
    assert!(found, "no layer carries var/lib/dpkg/status");
    fs_err::create_dir_all(admin.path().join("info")).unwrap();
    fs_err::create_dir_all(admin.path().join("updates")).unwrap();
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", admin.path().display()))
        .args(["-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\n"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: std::collections::BTreeSet<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("ii"))
        .filter_map(|l| {
            let mut parts = l.split('\t').skip(1);
            Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
        })
        .collect();
    assert!(
        theirs.len() > 50,
        "dpkg-query listed {} packages",
        theirs.len()
    );
    assert_eq!(ours, theirs);
}
