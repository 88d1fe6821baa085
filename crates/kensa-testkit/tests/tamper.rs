//! Each tamper produces exactly the intended inconsistency, and nothing else.

#![allow(clippy::unwrap_used, reason = "test code")]

mod support;

use std::path::Path;

use kensa_testkit::{BuiltImage, Compression, Entry, Image, Layer, Tamper};
use support::{Audit, Problem, audit_docker, audit_oci, dir_files, sha256, tar_files};

fn two_layers() -> Image {
    Image::new(vec![
        Layer::new(vec![Entry::file("etc/os-release", "ID=debian\n")]),
        Layer::new(vec![Entry::file("app/main.py", "print('hi')\n")])
            .compression(Compression::Zstd),
    ])
}

fn oci(t: Tamper) -> (Audit, BuiltImage, support::Files) {
    let tmp = tempfile::tempdir().unwrap();
    let built = two_layers().tamper(t).write_oci_layout(tmp.path()).unwrap();
    let files = dir_files(tmp.path());
    (audit_oci(&files), built, files)
}

fn docker(
    t: Tamper,
    write: fn(&Image, &Path) -> std::io::Result<BuiltImage>,
) -> (Audit, BuiltImage, support::Files) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("image.tar");
    let built = write(&two_layers().tamper(t), &path).unwrap();
    let files = tar_files(&path);
    (audit_docker(&files), built, files)
}

#[test]
fn untampered_baseline_is_clean_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    two_layers().write_oci_layout(tmp.path()).unwrap();
    assert_eq!(audit_oci(&dir_files(tmp.path())).problems, []);
    for write in [Image::write_docker_archive, Image::write_docker_archive_oci] {
        let path = tmp.path().join("image.tar");
        write(&two_layers(), &path).unwrap();
        assert_eq!(audit_docker(&tar_files(&path)).problems, []);
    }
}

#[test]
fn layer_blob_digest_is_a_digest_mismatch_not_a_missing_blob() {
    let (a, built, files) = oci(Tamper::LayerBlobDigest(1));
    assert_eq!(a.problems, [Problem::LayerDigest(1)]);
    let claimed = a.images[0].manifest.as_ref().unwrap()["layers"][1]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(claimed, built.layer_digests[1]);
    // The real blob sits under the false name.
    assert_eq!(
        sha256(&files[&format!("blobs/sha256/{}", &claimed[7..])]),
        built.layer_digests[1]
    );

    let (a, ..) = docker(Tamper::LayerBlobDigest(0), Image::write_docker_archive_oci);
    assert_eq!(a.problems, [Problem::LayerDigest(0)]);
}

#[test]
fn layer_blob_digest_cannot_be_expressed_in_the_classic_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let err = two_layers()
        .tamper(Tamper::LayerBlobDigest(0))
        .write_docker_archive(&tmp.path().join("x.tar"))
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn diff_id_mismatch_only_in_the_config() {
    let (a, built, _) = oci(Tamper::DiffId(1));
    assert_eq!(a.problems, [Problem::DiffId(1)]);
    let config = a.images[0].config.as_ref().unwrap();
    assert_eq!(config["rootfs"]["diff_ids"][0], built.diff_ids[0]);
    assert_ne!(config["rootfs"]["diff_ids"][1], built.diff_ids[1]);

    for write in [Image::write_docker_archive, Image::write_docker_archive_oci] {
        let (a, ..) = docker(Tamper::DiffId(1), write);
        assert_eq!(a.problems, [Problem::DiffId(1)]);
    }
}

#[test]
fn config_digest_mismatch() {
    let (a, built, _) = oci(Tamper::ConfigDigest);
    assert_eq!(a.problems, [Problem::ConfigDigest]);
    assert_ne!(
        a.images[0].manifest.as_ref().unwrap()["config"]["digest"],
        built.config_digest
    );
    for write in [Image::write_docker_archive, Image::write_docker_archive_oci] {
        let (a, ..) = docker(Tamper::ConfigDigest, write);
        assert_eq!(a.problems, [Problem::ConfigDigest]);
    }
}

#[test]
fn truncated_layer_keeps_its_descriptor() {
    let (a, built, files) = oci(Tamper::TruncateLayer(0));
    assert_eq!(
        a.problems,
        [
            Problem::LayerSize(0),
            Problem::LayerDigest(0),
            Problem::LayerUnreadable(0)
        ]
    );
    let blob = &files[&format!("blobs/sha256/{}", &built.layer_digests[0][7..])];
    assert_eq!(blob.len() as u64, built.layer_sizes[0] / 2);

    // The classic layout has no descriptor: only the broken stream shows.
    let (a, ..) = docker(Tamper::TruncateLayer(0), Image::write_docker_archive);
    assert_eq!(a.problems, [Problem::LayerUnreadable(0)]);
}

#[test]
fn truncated_plain_layer_shows_as_a_diff_id_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.tar");
    Image::new(vec![
        Layer::new(vec![Entry::file("a", vec![b'a'; 4096])]).compression(Compression::None),
    ])
    .tamper(Tamper::TruncateLayer(0))
    .write_docker_archive(&path)
    .unwrap();
    assert_eq!(
        audit_docker(&tar_files(&path)).problems,
        [Problem::DiffId(0)]
    );
}

#[test]
fn manifest_json_replaced() {
    let (a, built, files) = oci(Tamper::ManifestJson("{\"schemaVersion\": 2,".into()));
    assert_eq!(a.problems, [Problem::ManifestUnparseable]);
    let m = built.manifest_digest.unwrap();
    assert_eq!(
        files[&format!("blobs/sha256/{}", &m[7..])],
        b"{\"schemaVersion\": 2,"
    );

    for write in [Image::write_docker_archive, Image::write_docker_archive_oci] {
        let (a, _, files) = docker(Tamper::ManifestJson("[]garbage".into()), write);
        assert_eq!(a.problems, [Problem::ManifestUnparseable]);
        assert_eq!(files["manifest.json"], b"[]garbage");
    }
}

#[test]
fn config_json_replaced_with_digests_recomputed() {
    let (a, built, _) = oci(Tamper::ConfigJson("{\"architecture\":\"amd64\"}".into()));
    assert_eq!(a.problems, [Problem::DiffIdCount]);
    assert_eq!(built.config_digest, sha256(b"{\"architecture\":\"amd64\"}"));

    let (a, ..) = oci(Tamper::ConfigJson("not json".into()));
    assert_eq!(a.problems, [Problem::ConfigUnparseable]);
    let (a, ..) = docker(
        Tamper::ConfigJson("not json".into()),
        Image::write_docker_archive,
    );
    assert_eq!(a.problems, [Problem::ConfigUnparseable]);
}

#[test]
fn tampers_combine() {
    let tmp = tempfile::tempdir().unwrap();
    two_layers()
        .tamper(Tamper::DiffId(0))
        .tamper(Tamper::LayerBlobDigest(1))
        .write_oci_archive(&tmp.path().join("x.tar"))
        .unwrap();
    assert_eq!(
        audit_oci(&tar_files(&tmp.path().join("x.tar"))).problems,
        [Problem::DiffId(0), Problem::LayerDigest(1)]
    );
}
