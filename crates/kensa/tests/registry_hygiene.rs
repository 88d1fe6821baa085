//! `kensa registry REPO` against a real registry (Debian's `docker-registry` on
//! 127.0.0.1, images pushed with skopeo): the tag listing across pages, stale tags, the
//! ECR lifecycle policy, and `--scan` walking a shared base layer once. Each test that
//! needs the registry skips, saying so, when the binary is absent.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::Path;
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;
use kensa_testkit::registry::{RegistryConfig, TestRegistry};
use kensa_testkit::{Entry, Image, Layer, MultiPlatform};

mod support;

use support::regex_escape;

fn kensa(cache: &Path) -> Command {
    let mut cmd = Command::new(insta_cmd::get_cargo_bin("kensa"));
    // Relative to `cache`, so that no temp path shows in the snapshots' metadata.
    cmd.current_dir(cache)
        .env("NO_COLOR", "1")
        .env("DOCKER_CONFIG", "no-docker-config")
        .env("XDG_CACHE_HOME", "xdg")
        .env_remove("KENSA_USERNAME")
        .env_remove("KENSA_PASSWORD")
        .env_remove("KENSA_DEBUG")
        .env_remove("KENSA_CACHE_DIR")
        .arg("registry");
    cmd
}

/// The base every test image shares, and one layer of its own.
fn image(n: usize, created: &str) -> Image {
    Image::new(vec![
        Layer::new(vec![
            Entry::dir("etc/"),
            Entry::file("etc/os-release", "ID=kensa-base\nVERSION_ID=1\n"),
            Entry::file("usr/share/base.txt", "the shared base layer\n".repeat(200)),
        ]),
        Layer::new(vec![Entry::file("app/version", format!("{n}\n"))]),
    ])
    .created(created)
}

fn with_filters(host: &str, body: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex_escape(host), "[REGISTRY]");
    settings.add_filter(r"sha256:[0-9a-f]{12}", "sha256:[DIGEST]");
    settings.add_filter(r"\d+ days old", "[N] days old");
    settings.bind(body);
}

#[test]
fn lists_every_tag_across_pages_newest_first_with_stale_ones_marked() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    for n in 1..=11 {
        let created = format!("2025-{n:02}-01T12:00:00Z");
        registry
            .push(&image(n, &created), &format!("team/app:1.{n}"))
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let multi = MultiPlatform {
        images: vec![
            image(12, "2025-12-01T12:00:00Z").platform("linux", "amd64", None),
            image(13, "2025-12-01T12:00:00Z").platform("linux", "arm64", Some("v8")),
        ],
    };
    multi.write_oci_layout(&dir.path().join("oci")).unwrap();
    registry
        .push_oci_layout(&dir.path().join("oci"), "team/app:multi")
        .unwrap();
    // Two tags of one image: one image to keep or expire, not two.
    registry
        .push(&image(11, "2025-11-01T12:00:00Z"), "team/app:latest")
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    // Debian's registry (distribution 2.8) ignores `n=`; the front pages as distribution 3,
    // Docker Hub and GHCR do.
    let front = kensa_testkit::front::Front::paging(&registry.host).unwrap();
    let repo = format!("{}/team/app", front.host);
    with_filters(&front.host, || {
        assert_cmd_snapshot!(
            "registry_listing_keep_last",
            kensa(cache.path()).args([&repo, "--insecure", "--page-size", "5", "--keep-last", "3"])
        );
    });
    let pages: Vec<String> = front
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.target.contains("/tags/list"))
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(
        pages,
        [
            "/v2/team/app/tags/list?n=5",
            "/v2/team/app/tags/list?n=5&last=1.3",
            "/v2/team/app/tags/list?n=5&last=1.8",
        ],
        "13 tags in pages of 5"
    );

    let out = kensa(cache.path())
        .args([&repo, "--insecure", "--older-than", "30d", "-f", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tags = json["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 13);
    // Everything here was created in 2025; all of it is older than 30 days by now.
    assert!(tags.iter().all(|t| t["stale"] == true), "{json:#}");
    let multi = tags.iter().find(|t| t["tag"] == "multi").unwrap();
    assert_eq!(
        multi["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64/v8"])
    );
    assert_eq!(multi["created"], "2025-12-01T12:00:00Z");
}

#[test]
fn scans_every_tag_and_walks_the_shared_base_once() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let mut base_blob = String::new();
    let mut base_diff_id = String::new();
    // The issue's target: 20 tags sharing a base.
    for n in 1..=20 {
        let built = registry
            .push(&image(n, "2025-06-01T00:00:00Z"), &format!("svc:v{n}"))
            .unwrap();
        base_blob = built.layer_digests[0].clone();
        base_diff_id = built.diff_ids[0].clone();
    }
    let cache = tempfile::tempdir().unwrap();
    let before = registry.requests().len();
    let out = kensa(cache.path())
        .args([
            &format!("{}/svc", registry.host),
            "--insecure",
            "--scan",
            "--scanners",
            "config,secret",
            "--cache-dir",
        ])
        .arg(cache.path().join("layers"))
        .env("KENSA_DEBUG", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for n in 1..=20 {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("v{n} "))),
            "{stdout}"
        );
    }
    assert!(stdout.contains("20 tags scanned"), "{stdout}");
    let walked_base = stderr
        .lines()
        .filter(|l| *l == format!("debug: walked layer {base_diff_id}"))
        .count();
    assert_eq!(walked_base, 1, "{stderr}");
    // 20 own layers + the base, each walked once.
    assert!(stderr.contains("all tags: layers_walked=21 "), "{stderr}");
    let base_fetches = registry.requests()[before..]
        .iter()
        .filter(|r| r.ends_with(&format!("/blobs/{base_blob}")))
        .count();
    assert_eq!(base_fetches, 1, "{:?}", registry.requests());
}

#[test]
fn emits_the_ecr_lifecycle_policy_without_a_registry() {
    let cache = tempfile::tempdir().unwrap();
    assert_cmd_snapshot!(
        "registry_emit_ecr",
        kensa(cache.path()).args([
            "registry.example/team/app",
            "--keep-last",
            "10",
            "--tag-prefix",
            "release-",
            "--older-than",
            "90d",
            "--emit",
            "ecr-lifecycle",
        ])
    );
    assert_cmd_snapshot!(
        "registry_policy_overlap",
        kensa(cache.path()).args([
            "registry.example/team/app",
            "--keep-last",
            "10",
            "--older-than",
            "90d",
        ])
    );
}
