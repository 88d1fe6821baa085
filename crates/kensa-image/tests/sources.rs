//! Every image source reads the same image to the same result, verifies what it reads,
//! and picks platforms as documented.
#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use common::{Recorder, open, seen, walk};
use kensa_core::{ArtifactKind, PathSpec};
use kensa_image::{ImageError, ImageInput, OpenOptions, Platform};
use kensa_testkit::{Compression, Entry, Image, Layer, MultiPlatform, contents};
use serde_json::json;

fn sample() -> Image {
    let base = Layer::new(vec![
        Entry::dir("etc/"),
        Entry::file(
            "etc/os-release",
            contents::os_release_debian("12", "bookworm"),
        ),
        Entry::file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
        Entry::file("etc/motd", "old"),
        Entry::exec("usr/bin/su", "ELF").with_mode(0o4755),
        Entry::dir("opt/"),
        Entry::file("opt/tool/a", "a"),
    ])
    .compression(Compression::Gzip)
    .created_by("ADD rootfs.tar /");
    let top = Layer::new(vec![
        Entry::Whiteout("etc/passwd".into()),
        Entry::OpaqueWhiteout("opt".into()),
        Entry::file("opt/new", "n"),
        Entry::file("etc/motd", "new"),
    ])
    .compression(Compression::Zstd)
    .created_by("RUN rm /etc/passwd");
    Image::new(vec![base, top])
        .config(json!({"User": "app", "Env": ["A=1"]}))
        .history(1, "ENV A=1")
}

static WANT_ETC: Recorder = Recorder::new(&[PathSpec::Glob("etc/*"), PathSpec::Exact("opt/new")]);

fn check_sample(input: ImageInput, kind: ArtifactKind) {
    let rec = Recorder::new(&[PathSpec::Glob("etc/*"), PathSpec::Exact("opt/new")]);
    let (image, scans, view) = walk(input, &rec).unwrap();
    assert_eq!(image.kind, kind);
    assert_eq!(image.layers.len(), 2);
    assert_eq!(
        image.layers[1].created_by.as_deref(),
        Some("RUN rm /etc/passwd"),
        "empty_layer history entries are skipped"
    );
    assert_eq!(image.config.config.user.as_deref(), Some("app"));
    assert_eq!(
        seen(&scans[0]),
        [
            ("etc/motd".to_owned(), "old".to_owned()),
            (
                "etc/os-release".to_owned(),
                contents::os_release_debian("12", "bookworm")
            ),
            (
                "etc/passwd".to_owned(),
                "root:x:0:0::/root:/bin/sh\n".to_owned()
            ),
        ]
    );
    assert_eq!(
        seen(&scans[1]),
        [
            ("etc/motd".to_owned(), "new".to_owned()),
            ("opt/new".to_owned(), "n".to_owned())
        ]
    );
    assert!(
        view.get("etc/passwd").is_none(),
        "whiteout removes the file"
    );
    assert!(
        view.get("opt/tool/a").is_none(),
        "opaque dir hides lower content"
    );
    assert!(view.survives(1, "etc/motd") && !view.survives(0, "etc/motd"));
    let (layer, su) = view.get("usr/bin/su").unwrap();
    assert_eq!((layer, su.mode), (0, 0o4755));
}

#[test]
fn docker_archive_classic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.tar");
    let built = sample().write_docker_archive(&path).unwrap();
    check_sample(
        ImageInput::Archive(path.clone()),
        ArtifactKind::DockerArchive,
    );
    let image = open(ImageInput::Archive(path)).unwrap();
    assert_eq!(image.config_digest.to_string(), built.config_digest);
    assert_eq!(image.repo_tags, ["kensa-test:latest"]);
}

#[test]
fn docker_archive_with_oci_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.tar");
    sample().write_docker_archive_oci(&path).unwrap();
    check_sample(ImageInput::Archive(path), ArtifactKind::DockerArchive);
}

#[test]
fn oci_layout_and_archive() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    let built = sample().write_oci_layout(&layout).unwrap();
    check_sample(
        ImageInput::OciLayout(layout.clone()),
        ArtifactKind::OciLayout,
    );
    let image = open(ImageInput::OciLayout(layout)).unwrap();
    assert_eq!(
        image.manifest_digest.map(|d| d.to_string()),
        built.manifest_digest
    );
    let archive = dir.path().join("oci.tar");
    sample().write_oci_archive(&archive).unwrap();
    check_sample(ImageInput::Archive(archive), ArtifactKind::OciArchive);
}

#[test]
fn uncompressed_layers_are_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(vec![
        Layer::new(vec![Entry::file("etc/hostname", "box")]).compression(Compression::None),
    ]);
    let path = dir.path().join("plain.tar");
    image.write_docker_archive(&path).unwrap();
    let (_, scans, _) = walk(ImageInput::Archive(path), &WANT_ETC).unwrap();
    assert_eq!(
        seen(&scans[0]),
        [("etc/hostname".to_owned(), "box".to_owned())]
    );
}

fn multi() -> MultiPlatform {
    let img = |arch: &str, variant: Option<&str>| {
        Image::new(vec![Layer::new(vec![Entry::file("etc/arch", arch)])])
            .platform("linux", arch, variant)
    };
    MultiPlatform {
        images: vec![
            img("amd64", None),
            img("arm64", Some("v8")),
            img("arm", Some("v7")),
        ],
    }
}

#[test]
fn platform_selection() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("multi");
    multi().write_oci_layout(&layout).unwrap();
    let input = ImageInput::OciLayout(layout);
    let pick = |p: &str| {
        kensa_image::open(
            &input,
            &OpenOptions {
                platform: Some(p.parse::<Platform>().unwrap()),
            },
        )
        .map(|i| i.config.platform())
    };
    assert_eq!(pick("linux/arm64").unwrap(), "linux/arm64/v8");
    assert_eq!(pick("linux/arm/v7").unwrap(), "linux/arm/v7");
    let err = pick("linux/s390x").unwrap_err();
    assert!(matches!(err, ImageError::UnknownPlatform { .. }));
    let message = err.to_string();
    for p in ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"] {
        assert!(message.contains(p), "{message} lists {p}");
    }
    // The default is the host's platform, which this machine's CI is (amd64).
    if Platform::host().architecture == "amd64" {
        let image = kensa_image::open(&input, &OpenOptions::default()).unwrap();
        assert_eq!(image.config.platform(), "linux/amd64");
    }
}

#[test]
fn multi_platform_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("multi.tar");
    multi().write_oci_archive(&path).unwrap();
    let image = kensa_image::open(
        &ImageInput::Archive(path),
        &OpenOptions {
            platform: Some("linux/arm/v7".parse().unwrap()),
        },
    )
    .unwrap();
    assert_eq!(image.config.platform(), "linux/arm/v7");
}

#[test]
fn symlinks_and_hardlinks_are_recorded_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(vec![Layer::new(vec![
        Entry::file("etc/real", "content"),
        Entry::symlink("etc/os-release", "../usr/lib/os-release"),
        Entry::symlink("etc/shadow-link", "/etc/shadow"),
        Entry::hardlink("etc/hard", "etc/real"),
    ])]);
    let path = dir.path().join("links.tar");
    image.write_oci_archive(&path).unwrap();
    let (_, scans, view) = walk(ImageInput::Archive(path), &WANT_ETC).unwrap();
    assert_eq!(
        seen(&scans[0]),
        [("etc/real".to_owned(), "content".to_owned())],
        "links are not read"
    );
    let (_, link) = view.get("etc/shadow-link").unwrap();
    assert_eq!(link.kind, kensa_core::FileKind::Symlink);
    assert_eq!(link.link_target.as_deref(), Some("/etc/shadow"));
    let (_, hard) = view.get("etc/hard").unwrap();
    assert_eq!(hard.link_target.as_deref(), Some("etc/real"));
}
