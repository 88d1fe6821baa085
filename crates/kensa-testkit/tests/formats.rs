//! Each writer's output, read back independently: JSON parsed, blobs re-hashed, layers
//! decompressed and compared with the config's diff_ids.

#![allow(clippy::unwrap_used, reason = "test code")]

mod support;

use kensa_testkit::{BuiltImage, Compression, Entry, Image, Layer, MultiPlatform, contents};
use serde_json::{Value, json};
use support::{Files, Problem, audit_docker, audit_oci, dir_files, sha256, tar_files, tar_listing};

/// Three layers, one per compression, with an empty-layer history entry in the middle.
fn debian_like() -> Image {
    Image::new(vec![
        Layer::new(vec![
            Entry::dir("etc/"),
            Entry::file(
                "etc/os-release",
                contents::os_release_debian("12", "bookworm"),
            ),
            Entry::file(
                "etc/passwd",
                contents::passwd(&[("root", 0, 0), ("app", 1000, 1000)]),
            ),
        ])
        .compression(Compression::Gzip)
        .created_by("ADD rootfs.tar /"),
        Layer::new(vec![
            Entry::exec("usr/local/bin/app", "#!/bin/sh\necho hi\n").with_owner(1000, 1000),
        ])
        .compression(Compression::Zstd)
        .created_by("COPY app /usr/local/bin/app"),
        Layer::new(vec![Entry::Whiteout("etc/passwd".into())])
            .compression(Compression::None)
            .created_by("RUN rm /etc/passwd"),
    ])
    .config(json!({
        "User": "app",
        "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"],
        "Cmd": ["/usr/local/bin/app"],
        "ExposedPorts": {"8080/tcp": {}},
    }))
    .history(1, "ENV PATH=/usr/local/bin:/usr/bin:/bin")
    .history(3, "CMD [\"/usr/local/bin/app\"]")
}

/// The built values agree with what an independent reader finds.
fn assert_matches_built(files: &Files, audit: &support::Audit, built: &BuiltImage) {
    let seen = &audit.images[0];
    let manifest = seen.manifest.as_ref().unwrap();
    if let Some(layers) = manifest.get("layers") {
        let digests: Vec<&str> = layers
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap())
            .collect();
        assert_eq!(digests, built.layer_digests);
        let sizes: Vec<u64> = layers
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["size"].as_u64().unwrap())
            .collect();
        assert_eq!(sizes, built.layer_sizes);
        assert_eq!(manifest["config"]["digest"], built.config_digest);
        let m = built.manifest_digest.as_ref().unwrap();
        assert!(files.contains_key(&format!("blobs/sha256/{}", &m[7..])));
    }
    let config = seen.config.as_ref().unwrap();
    assert_eq!(config["rootfs"]["diff_ids"], json!(built.diff_ids));
    for (tar, diff_id) in seen.layer_tars.iter().zip(&built.diff_ids) {
        assert_eq!(&sha256(tar.as_ref().unwrap()), diff_id);
    }
}

fn assert_debian_like_config(config: &Value) {
    assert_eq!(config["architecture"], "amd64");
    assert_eq!(config["os"], "linux");
    assert!(config.get("variant").is_none());
    assert_eq!(config["created"], "2024-01-01T00:00:00Z");
    assert_eq!(config["config"]["User"], "app");
    assert_eq!(config["rootfs"]["type"], "layers");
    let history: Vec<(&str, bool)> = config["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["created_by"].as_str().unwrap(),
                h.get("empty_layer") == Some(&json!(true)),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("ADD rootfs.tar /", false),
            ("ENV PATH=/usr/local/bin:/usr/bin:/bin", true),
            ("COPY app /usr/local/bin/app", false),
            ("RUN rm /etc/passwd", false),
            ("CMD [\"/usr/local/bin/app\"]", true),
        ]
    );
}

fn assert_debian_like_layers(audit: &support::Audit) {
    let tars = &audit.images[0].layer_tars;
    let names: Vec<Vec<String>> = tars
        .iter()
        .map(|t| {
            tar_listing(t.as_ref().unwrap())
                .into_iter()
                .map(|e| e.0)
                .collect()
        })
        .collect();
    assert_eq!(
        names,
        [
            vec!["etc/", "etc/os-release", "etc/passwd"],
            vec!["usr/local/bin/app"],
            vec!["etc/.wh.passwd"],
        ]
    );
}

#[test]
fn oci_layout_is_self_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("layout");
    let built = debian_like().write_oci_layout(&dir).unwrap();
    let files = dir_files(&dir);
    let audit = audit_oci(&files);
    assert_eq!(audit.problems, []);
    assert_matches_built(&files, &audit, &built);
    assert_debian_like_config(audit.images[0].config.as_ref().unwrap());
    assert_debian_like_layers(&audit);

    let media: Vec<&str> = audit.images[0].manifest.as_ref().unwrap()["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["mediaType"].as_str().unwrap())
        .collect();
    assert_eq!(
        media,
        [
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.oci.image.layer.v1.tar",
        ]
    );
    let index: Value = serde_json::from_slice(&files["index.json"]).unwrap();
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "latest"
    );
    // Layers, config, manifest and the two layout files; nothing else.
    assert_eq!(files.len(), 3 + 1 + 1 + 2);
}

#[test]
fn oci_archive_holds_the_same_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let image = debian_like();
    let built = image
        .write_oci_archive(&tmp.path().join("image.tar"))
        .unwrap();
    let files = tar_files(&tmp.path().join("image.tar"));
    let audit = audit_oci(&files);
    assert_eq!(audit.problems, []);
    assert_matches_built(&files, &audit, &built);

    let built_dir = image.write_oci_layout(&tmp.path().join("dir")).unwrap();
    assert_eq!(built, built_dir);
    assert_eq!(files, dir_files(&tmp.path().join("dir")));
}

#[test]
fn docker_archive_classic_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("image.tar");
    let built = debian_like().write_docker_archive(&path).unwrap();
    assert_eq!(built.manifest_digest, None);
    let files = tar_files(&path);
    let audit = audit_docker(&files);
    assert_eq!(audit.problems, []);
    assert_matches_built(&files, &audit, &built);
    assert_debian_like_config(audit.images[0].config.as_ref().unwrap());
    assert_debian_like_layers(&audit);

    let manifest = audit.images[0].manifest.as_ref().unwrap();
    assert_eq!(manifest[0]["RepoTags"], json!(["kensa-test:latest"]));
    assert_eq!(
        manifest[0]["Config"],
        format!("{}.json", &built.config_digest[7..])
    );
    let layers: Vec<&str> = manifest[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    for (i, l) in layers.iter().enumerate() {
        let id = l.strip_suffix("/layer.tar").unwrap();
        assert_eq!(files[&format!("{id}/VERSION")], b"1.0");
        let v1: Value = serde_json::from_slice(&files[&format!("{id}/json")]).unwrap();
        assert_eq!(v1["id"], id);
        let parent = i
            .checked_sub(1)
            .map(|p| layers[p].strip_suffix("/layer.tar").unwrap());
        assert_eq!(v1.get("parent").and_then(Value::as_str), parent);
    }
    let top = layers[2].strip_suffix("/layer.tar").unwrap();
    let repos: Value = serde_json::from_slice(&files["repositories"]).unwrap();
    assert_eq!(repos, json!({"kensa-test": {"latest": top}}));
    // The layer blob is written as compressed: gzip, zstd, plain.
    let kinds: Vec<&str> = layers.iter().map(|l| support::sniff(&files[*l])).collect();
    assert_eq!(kinds, ["+gzip", "+zstd", "tar"]);
}

#[test]
fn docker_archive_oci_layout_is_readable_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("image.tar");
    let built = debian_like().write_docker_archive_oci(&path).unwrap();
    let files = tar_files(&path);

    let via_manifest_json = audit_docker(&files);
    assert_eq!(via_manifest_json.problems, []);
    assert_matches_built(&files, &via_manifest_json, &built);
    let via_index = audit_oci(&files);
    assert_eq!(via_index.problems, []);
    assert_matches_built(&files, &via_index, &built);

    let manifest = via_manifest_json.images[0].manifest.as_ref().unwrap();
    let expected_layers: Vec<String> = built
        .layer_digests
        .iter()
        .map(|d| format!("blobs/sha256/{}", &d[7..]))
        .collect();
    assert_eq!(manifest[0]["Layers"], json!(expected_layers));
    assert_eq!(
        manifest[0]["Config"],
        format!("blobs/sha256/{}", &built.config_digest[7..])
    );
    let index: Value = serde_json::from_slice(&files["index.json"]).unwrap();
    assert_eq!(
        index["manifests"][0]["annotations"],
        json!({
            "io.containerd.image.name": "kensa-test:latest",
            "org.opencontainers.image.ref.name": "latest",
        })
    );
    assert!(files.contains_key("repositories"));
}

#[test]
fn untagged_image_has_no_tag_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let image = Image::new(vec![Layer::new(vec![Entry::file("a", "a")])]).repo_tag(None);

    image
        .write_docker_archive(&tmp.path().join("d.tar"))
        .unwrap();
    let files = tar_files(&tmp.path().join("d.tar"));
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest[0]["RepoTags"], Value::Null);
    assert!(!files.contains_key("repositories"));

    image.write_oci_layout(&tmp.path().join("oci")).unwrap();
    let files = dir_files(&tmp.path().join("oci"));
    let index: Value = serde_json::from_slice(&files["index.json"]).unwrap();
    assert!(index["manifests"][0].get("annotations").is_none());
}

#[test]
fn platform_and_variant_reach_the_config() {
    let tmp = tempfile::tempdir().unwrap();
    let image = Image::new(vec![]).platform("linux", "arm64", Some("v8"));
    image.write_oci_layout(tmp.path()).unwrap();
    let audit = audit_oci(&dir_files(tmp.path()));
    assert_eq!(audit.problems, []);
    let config = audit.images[0].config.as_ref().unwrap();
    assert_eq!(
        (&config["os"], &config["architecture"], &config["variant"]),
        (&json!("linux"), &json!("arm64"), &json!("v8"))
    );
    assert_eq!(config["rootfs"]["diff_ids"], json!([]));
}

#[test]
fn multi_platform_index_points_at_each_platform() {
    let tmp = tempfile::tempdir().unwrap();
    let base = Layer::new(vec![Entry::file(
        "etc/os-release",
        contents::os_release_alpine("3.19.1"),
    )]);
    let amd = Image::new(vec![
        base.clone(),
        Layer::new(vec![Entry::exec("app", "x86")]),
    ]);
    let arm = Image::new(vec![base, Layer::new(vec![Entry::exec("app", "arm")])]).platform(
        "linux",
        "arm64",
        Some("v8"),
    );
    let multi = MultiPlatform {
        images: vec![amd, arm],
    };
    let built = multi.write_oci_layout(&tmp.path().join("dir")).unwrap();
    let files = dir_files(&tmp.path().join("dir"));
    let audit = audit_oci(&files);
    assert_eq!(audit.problems, []);
    assert_eq!(
        audit.platforms,
        [
            json!({"os": "linux", "architecture": "amd64"}),
            json!({"os": "linux", "architecture": "arm64", "variant": "v8"}),
        ]
    );
    assert_eq!(audit.images.len(), 2);
    assert_eq!(built.len(), 2);
    // The shared base layer is one blob.
    assert_eq!(built[0].layer_digests[0], built[1].layer_digests[0]);
    assert_ne!(built[0].layer_digests[1], built[1].layer_digests[1]);
    for (seen, b) in audit.images.iter().zip(&built) {
        assert_eq!(
            seen.config.as_ref().unwrap()["rootfs"]["diff_ids"],
            json!(b.diff_ids)
        );
    }
    let index: Value = serde_json::from_slice(&files["index.json"]).unwrap();
    assert_eq!(
        index["manifests"][0]["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );

    let archived = multi
        .write_oci_archive(&tmp.path().join("multi.tar"))
        .unwrap();
    assert_eq!(archived, built);
    assert_eq!(tar_files(&tmp.path().join("multi.tar")), files);
}

#[test]
fn output_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let image = debian_like();
    for (name, write) in [
        (
            "docker",
            Image::write_docker_archive as fn(&Image, &std::path::Path) -> _,
        ),
        ("docker-oci", Image::write_docker_archive_oci),
        ("oci", Image::write_oci_archive),
    ] {
        let a = tmp.path().join(format!("{name}-a.tar"));
        let b = tmp.path().join(format!("{name}-b.tar"));
        write(&image, &a).unwrap();
        write(&image, &b).unwrap();
        assert_eq!(
            fs_err::read(&a).unwrap(),
            fs_err::read(&b).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn documents_have_the_expected_shape() {
    let tmp = tempfile::tempdir().unwrap();
    // Uncompressed, so the digests in the snapshot depend only on this crate's tar writer.
    let image = Image::new(vec![
        Layer::new(vec![Entry::file("etc/hostname", "kensa\n")]).compression(Compression::None),
    ])
    .config(json!({"User": "1000:1000", "Cmd": ["sh"]}));
    image
        .write_docker_archive_oci(&tmp.path().join("i.tar"))
        .unwrap();
    let files = tar_files(&tmp.path().join("i.tar"));
    let pretty = |path: &str| {
        let v: Value = serde_json::from_slice(&files[path]).unwrap();
        serde_json::to_string_pretty(&v).unwrap()
    };
    insta::assert_snapshot!("docker_oci_manifest_json", pretty("manifest.json"));
    insta::assert_snapshot!("docker_oci_index_json", pretty("index.json"));
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    insta::assert_snapshot!(
        "config_json",
        pretty(manifest[0]["Config"].as_str().unwrap())
    );
    let index: Value = serde_json::from_slice(&files["index.json"]).unwrap();
    let m = index["manifests"][0]["digest"].as_str().unwrap();
    insta::assert_snapshot!("oci_manifest", pretty(&format!("blobs/sha256/{}", &m[7..])));
}

#[test]
fn errors_name_the_bad_index() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Image::new(vec![Layer::new(vec![])])
        .tamper(kensa_testkit::Tamper::DiffId(3))
        .write_oci_layout(tmp.path())
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "tamper `DiffId(3)`: the image has `1` layers"
    );

    let err = Image::new(vec![])
        .history(1, "USER root")
        .write_oci_layout(tmp.path())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "extra history `USER root` before layer `1`: the image has `0` layers"
    );
}

#[test]
fn problem_list_is_empty_only_for_sound_images() {
    // Guards the auditor itself: a blob edited behind the writer's back must be caught.
    let tmp = tempfile::tempdir().unwrap();
    let built = Image::new(vec![Layer::new(vec![Entry::file("a", "a")])])
        .write_oci_layout(tmp.path())
        .unwrap();
    let mut files = dir_files(tmp.path());
    let layer = format!("blobs/sha256/{}", &built.layer_digests[0][7..]);
    files.get_mut(&layer).unwrap().push(0);
    assert_eq!(
        audit_oci(&files).problems,
        [Problem::LayerSize(0), Problem::LayerDigest(0)]
    );
}
